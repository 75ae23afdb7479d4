"""The current article's tagged passages: tag, text, note; click to jump.

The note is edited in place: double-click it (or F2, or Edit note… in the
context menu), type, press Enter; ``noteEdited`` carries the new note. Its
tooltip shows the whole note.

A row holds as much of the passage's words as its column can show (see
:func:`shown_words`): Qt lays out a cell's whole text at every paint before
eliding it, so a paragraph-long passage made each repaint of the list
(every tag saved) cost milliseconds for words nobody could see.
"""

from __future__ import annotations

import math

from PySide6.QtCore import QEvent, QRect, Qt, QTimer, Signal
from PySide6.QtGui import QTextLayout
from PySide6.QtWidgets import (QAbstractItemView, QHeaderView, QMenu, QStyle, QTreeWidget,
                               QTreeWidgetItem)

from widgets.open_editor import commit_open_editor
from widgets.passage_menu import add_passage_actions, color_icon
from widgets.plain_text import plain_tooltip
from widgets.row_style import RoomyRows


#: characters as narrow as any in a text font
NARROW_CHARACTERS = "il.,:;'|!"


class _ColumnsHeader(QHeaderView):
    """The list's column header, not repainted when rows are laid out.

    A ``QTreeView`` lays its header out again with its rows, and a header's
    layout repaints all of it: each tag saved (a row inserted) repainted the
    column titles, which had not changed. The header repaints itself when
    they do (a title, a width, a column shown or hidden, the font); a
    layout that finds other columns is done in full."""

    def __init__(self, parent):
        super().__init__(Qt.Orientation.Horizontal, parent)
        # as QTreeView makes its own header
        self.setSectionsMovable(True)
        self.setFirstSectionMovable(False)
        self.setStretchLastSection(True)
        self.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        # a section resized repaints the whole header, as the skipped layout
        # did: scrolled to its right end, a resize moved the old edges over
        self.sectionResized.connect(lambda *_: self.viewport().update())

    def doItemsLayout(self) -> None:
        columns = self.count()
        self.initializeSections()
        if self.count() != columns:
            super().doItemsLayout()
        else:
            self.updateGeometries()


class _Rows(RoomyRows):
    """The list's rows, each cell's size kept once measured. With rows of one
    height, the list measures the first row's cells each time it lays its
    rows out — at every tag saved, 18-30 µs a cell for the same words (Qt
    lays out a cell's text to measure it; 4 µs kept). A size depends on the
    column, the words and the fonts (and an icon, which every row has in
    the first column only): the same ones, the same size, so widths stay
    exact for a column fitted to its contents."""

    #: sizes kept at most (the list's rows, cut words, are short)
    KEPT = 2000

    def __init__(self, parent):
        super().__init__(parent)
        self._sizes: dict[tuple, object] = {}

    def sizeHint(self, option, index):
        font = index.data(Qt.ItemDataRole.FontRole)
        key = (index.column(), index.data(Qt.ItemDataRole.DisplayRole), option.font.key(),
               font.key() if font is not None else None)
        size = self._sizes.get(key)
        if size is None:
            if len(self._sizes) >= self.KEPT:
                self._sizes.clear()
            size = self._sizes[key] = super().sizeHint(option, index)
        return size


def shown_words(text: str, width: int, narrowest: int) -> str:
    """``text`` cut to what a cell ``width`` pixels wide can show when no
    character is narrower than ``narrowest`` pixels (an ellipsis marks the
    cut); the cell elides the rest as before, so nothing visible changes."""
    room = width // max(1, narrowest) + 1
    return text if len(text) <= room else text[:room] + "…"


class PassageList(QTreeWidget):
    """Emits intents for passages; shows plain data."""

    passageActivated = Signal(int)
    noteRequested = Signal(int)
    retagRequested = Signal(int, int)
    deleteRequested = Signal(int)
    #: a note edited in place: passage id, new note
    noteEdited = Signal(int, str)

    PASSAGE_COLUMN = 1
    NOTE_COLUMN = 2
    #: the narrowest the passage column's words are cut for
    MIN_WORDS_WIDTH = 240
    #: the narrowest the Passage column gets in a list too narrow for all
    #: the columns (the list scrolls sideways instead)
    MIN_PASSAGE_WIDTH = 60
    TAG_WIDTH = 100
    #: the most of the list's width the Tag column takes to show its names whole
    TAG_SHARE = 0.35
    #: the Note column while no passage has a note, and its share of the
    #: list's width while one has
    EMPTY_NOTE_WIDTH = 60
    NOTE_SHARE = 0.3
    #: who coded it: shown when the passages the list may show are of more
    #: than one analyst (two analysts' copies of a passage otherwise look
    #: alike), see :meth:`set_analysts`
    ANALYST_COLUMN = 3
    #: the most of the list's width the Analyst column takes to show its
    #: names whole (in a narrow panel a long name is cut, not the words)
    ANALYST_SHARE = 0.2

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setItemDelegate(_Rows(self))     # roomy rows (widgets.row_style)
        self._passages: dict[int, dict] = {}
        #: the ids of the rows, in their order (as the items hold them)
        self._ids: list[int] = []
        self._tags: list[dict] = []
        self.setRootIsDecorated(False)
        self.setUniformRowHeights(True)     # one line each: laid out without measuring rows
        self.setHeader(_ColumnsHeader(self))
        self.setHeaderLabels(["Tag", "Passage", "Note", "Analyst"])
        header = self.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(0, self.TAG_WIDTH)
        # the passage's words take the room left (see _fit_passage_column);
        # the note keeps a share of it while any passage has one (equal
        # shares elided both words and notes in a narrow panel), until the
        # analyst drags its edge
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Fixed)
        header.setSectionResizeMode(self.NOTE_COLUMN, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(self.NOTE_COLUMN, self.EMPTY_NOTE_WIDTH)
        self._has_notes = False
        self._words_width = self.MIN_WORDS_WIDTH
        self._narrow_px: int | None = None
        #: the columns whose width the analyst chose (dragged an edge)
        self._chosen_widths: set[int] = set()
        self._tag_names: set[str] = set()
        #: the analysts the list may show (set_analysts), those listed, and
        #: the names the Analyst column was fitted to
        self._analysts_shown: frozenset[str] = frozenset()
        self._listed_analysts: set[str] = set()
        self._analyst_names: set[str] = set()
        self._sizing = False
        # sized to the names it may show, not kept fitted: a fitted column
        # measured every row at every change, shown or not
        header.setSectionResizeMode(self.ANALYST_COLUMN, QHeaderView.ResizeMode.Interactive)
        self.setColumnHidden(self.ANALYST_COLUMN, True)
        header.sectionResized.connect(self._section_resized)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.DefaultContextMenu)
        self.itemClicked.connect(self._activate)
        self.itemActivated.connect(self._activate)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.itemDoubleClicked.connect(self._double_clicked)
        self.itemChanged.connect(self._item_changed)

    def set_passages(self, passages: list[dict], tags: list[dict]) -> None:
        """Show these passages (in this order). When the rows shown stay, in
        their order, passages added are inserted where they belong and a
        changed one (a note saved) is rewritten in place: a tag saved repaints
        the rows from its own down, not the whole list (see
        :meth:`doItemsLayout`), and the current row stays current (F2,
        Delete and the arrows act on it). Otherwise the list is refilled,
        keeping the current passage current if it is still listed."""
        self._tags = list(tags)
        old, shown = self._passages, self._ids
        kept = [p["id"] for p in passages if p["id"] in old]
        if kept != shown:
            self._keep_note_being_typed()       # (the list is refilled below)
        self._passages = {p["id"]: p for p in passages}
        self.blockSignals(True)   # filling the list is not an edit
        if kept == shown:
            inserted = None
            for row, passage in enumerate(passages):
                if passage["id"] not in old:
                    self.insertTopLevelItem(row, self._item(passage))
                    inserted = row if inserted is None else inserted
                elif old[passage["id"]] != passage:
                    self._fill(self.topLevelItem(row), passage,
                               note_changed=old[passage["id"]].get("note") != passage.get("note"))
            # laid out now, not by a timer after the next paint: one paint,
            # of the rows from the first one inserted down
            self._repaint_from = inserted
            try:
                self.executeDelayedItemsLayout()
            finally:
                self._repaint_from = None
        else:
            current = self._current_passage()
            self.clear()
            kept_current = None
            for passage in passages:
                item = self._item(passage)
                self.addTopLevelItem(item)
                if current is not None and passage["id"] == current["id"]:
                    kept_current = item
            if kept_current is not None:       # another article's list opens at its top
                self.setCurrentItem(kept_current)
                self.scrollToItem(kept_current)
        self._ids = [p["id"] for p in passages]
        # the codebook's names, not only those listed: the column keeps its
        # width from article to article and when a tag is saved (a name
        # longer than the others listed moved every column and repainted
        # the list twice)
        names = {t["name"] for t in tags if t.get("codable", 1)} | {p["tag"] for p in passages}
        if names != self._tag_names:
            self._tag_names = names
            self._size_tag_column()
        has_notes = any(p.get("note") for p in passages)
        if has_notes != self._has_notes:
            self._has_notes = has_notes
            self._size_note_column()
        self._listed_analysts = {p.get("analyst") or "" for p in passages}
        self._show_analyst_column()
        self.blockSignals(False)

    #: the first row :meth:`set_passages` inserted, while it lays the rows out
    _repaint_from: int | None = None

    def doItemsLayout(self) -> None:
        """Lay the rows out. After rows were inserted into a list whose other
        rows stay (a tag saved), only the rows from the first one inserted
        down are repainted: ``QAbstractItemView::doItemsLayout`` repaints
        the whole list, and its rows' text is laid out anew at each paint
        (0.6 ms of a tag save on a list of nine passages; the rows above
        have not moved or changed). Anything else that moves rows — a
        scroll, the viewport resized — repaints the whole list, as before."""
        viewport = self.viewport()
        first = self._repaint_from
        if first is None or not viewport.updatesEnabled():
            super().doItemsLayout()
            return
        before = (viewport.size(), self.verticalScrollBar().value(),
                  self.horizontalScrollBar().value())
        # the attribute itself, not setUpdatesEnabled(), which repaints
        # everything when updates are enabled again
        viewport.setAttribute(Qt.WidgetAttribute.WA_UpdatesDisabled, True)
        try:
            super().doItemsLayout()
        finally:
            viewport.setAttribute(Qt.WidgetAttribute.WA_UpdatesDisabled, False)
        after = (viewport.size(), self.verticalScrollBar().value(),
                 self.horizontalScrollBar().value())
        last = self.topLevelItem(self.topLevelItemCount() - 1)
        if after != before or first >= self.topLevelItemCount() or last is None:
            viewport.update()
            return
        top = max(0, self.visualItemRect(self.topLevelItem(first)).top())
        bottom = self.visualItemRect(last).bottom()
        if bottom >= top:
            viewport.update(QRect(0, top, viewport.width(), bottom - top + 1))

    def _keep_note_being_typed(self) -> None:
        """A note open for typing is committed (and stored, by
        ``noteEdited``) before the list is refilled under it: the next
        article by Alt+Down, or a colleague's change to this article's
        passages, dropped the editor and what was typed in it."""
        commit_open_editor(self, self.NOTE_COLUMN)

    def set_analysts(self, names) -> None:
        """The analysts whose passages the list may show: the file's, or
        those View → Passages chose. With more than one, the Analyst column
        is shown on every article, fitted to their names. (Shown only when
        an article's own passages were of several analysts, it came and went
        from article to article, moving the other columns, and a tag saved
        on a colleague's article brought it in: a layout of the list and a
        measure of every row inside the save.)"""
        self._analysts_shown = frozenset(names)
        self._show_analyst_column()

    def _show_analyst_column(self) -> None:
        names = self._analysts_shown | self._listed_analysts
        one_analyst = len(names) < 2
        if self.isColumnHidden(self.ANALYST_COLUMN) != one_analyst:
            self._sizing = True       # (hiding and showing resize the section)
            self.setColumnHidden(self.ANALYST_COLUMN, one_analyst)
            self._sizing = False
            self._fit_passage_column()
        if not one_analyst and names != self._analyst_names:
            self._analyst_names = set(names)
            self._size_analyst_column()

    def _size_analyst_column(self) -> None:
        """The Analyst column as wide as the longest name the list may show
        ("consensus" was cut to "conse…") or its title, up to
        :attr:`ANALYST_SHARE` of the list, unless the analyst chose a width."""
        if not self._analyst_names:
            return
        # as resizeColumnToContents measures a cell: the laid-out text's
        # width rounded up (a rounded advance came a pixel short: a name cut
        # to "Wolfgang Amade…") and the style's margin on each side
        margin = self.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, self) + 1
        longest = max(map(self._text_width, self._analyst_names))
        self._size_column(self.ANALYST_COLUMN, max(
            min(longest + 2 * margin, int(self.viewport().width() * self.ANALYST_SHARE)),
            self.header().sectionSizeHint(self.ANALYST_COLUMN)))

    def _size_column(self, column: int, width: int) -> None:
        """Give ``column`` this width, unless the analyst chose one (a
        resize made here is not taken for the analyst's)."""
        if column in self._chosen_widths or self.header().sectionSize(column) == width:
            return
        self._sizing = True
        self.header().resizeSection(column, width)
        self._sizing = False

    def _size_note_column(self) -> None:
        """The Note column's width for the list's width, unless the analyst
        chose one."""
        self._size_column(self.NOTE_COLUMN, (
            max(self.EMPTY_NOTE_WIDTH, int(self.viewport().width() * self.NOTE_SHARE))
            if self._has_notes else self.EMPTY_NOTE_WIDTH))

    def _size_tag_column(self) -> None:
        """The Tag column as wide as the longest name of the codebook or of a
        passage listed (and swatch), between
        :attr:`TAG_WIDTH` and :attr:`TAG_SHARE` of the list, unless the
        analyst chose a width."""
        metrics = self.fontMetrics()
        longest = max(map(metrics.horizontalAdvance, self._tag_names), default=0)
        wanted = longest + self.iconSize().width() + 3 * metrics.horizontalAdvance("M")
        self._size_column(0, max(self.TAG_WIDTH,
                                 min(wanted, int(self.viewport().width() * self.TAG_SHARE))))

    def _text_width(self, text: str) -> int:
        """``text``'s width in the list's font, as an item view measures a cell."""
        layout = QTextLayout(text, self.font())
        layout.beginLayout()
        line = layout.createLine()
        layout.endLayout()
        return math.ceil(line.naturalTextWidth())

    def _section_resized(self, column: int, _old: int, new: int) -> None:
        if column != self.PASSAGE_COLUMN and not self._sizing:
            self._chosen_widths.add(column)     # dragged by the analyst
        if column == self.PASSAGE_COLUMN:
            if new > self._words_width:
                self._show_more_words(new)
        else:
            self._fit_passage_column()

    def _fit_passage_column(self) -> None:
        """The Passage column takes the room the other columns leave, as a
        stretched column would (stretched by Qt, the header was measured and
        painted again after each row added: every tag saved). Not while the
        list is hidden (its size is not yet its own): when it is shown."""
        if not self.isVisible():
            return
        header = self.header()
        others = sum(header.sectionSize(column)
                     for column in (0, self.NOTE_COLUMN, self.ANALYST_COLUMN)
                     if not header.isSectionHidden(column))
        width = max(self.MIN_PASSAGE_WIDTH, self.viewport().width() - others)
        if header.sectionSize(self.PASSAGE_COLUMN) != width:
            header.resizeSection(self.PASSAGE_COLUMN, width)

    def _passage_words(self, passage: dict) -> str:
        orphaned = passage.get("anchor") == "orphaned"
        return ("⚠ " if orphaned else "") + shown_words(
            " ".join(passage["text"].split()), self._words_width, self._narrowest())

    def _show_more_words(self, width: int) -> None:
        """The passage column grew to ``width``, past what its rows were cut
        for: cut them anew for twice that (a dragged edge moves by pixels)."""
        self._words_width = 2 * width
        self._cut_rows_anew()

    def _narrowest(self) -> int:
        """The list font's narrowest character, in pixels (measured once per font)."""
        if self._narrow_px is None:
            metrics = self.fontMetrics()
            self._narrow_px = min(metrics.horizontalAdvance(c) for c in NARROW_CHARACTERS)
        return self._narrow_px

    def _cut_rows_anew(self) -> None:
        blocked = self.blockSignals(True)   # not an edit (and as it was after)
        for index in range(self.topLevelItemCount()):
            item = self.topLevelItem(index)
            passage = self._passages.get(item.data(0, Qt.ItemDataRole.UserRole))
            if passage is not None:
                item.setText(self.PASSAGE_COLUMN, self._passage_words(passage))
        self.blockSignals(blocked)

    def changeEvent(self, event) -> None:
        """A new font (the reader's zoom followed): rows cut for the old
        font's narrowest character are cut anew for the new one's."""
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:
            self._narrow_px = None
            self._cut_rows_anew()
            self._size_tag_column()
            self._size_analyst_column()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self._fit_passage_column()

    def resizeEvent(self, event) -> None:
        # (the viewport's own resizing, a scroll bar shown or hidden, comes here too)
        super().resizeEvent(event)
        self._size_tag_column()
        self._size_note_column()
        if not self.isColumnHidden(self.ANALYST_COLUMN):
            self._size_analyst_column()
        self._fit_passage_column()

    def _item(self, passage: dict) -> QTreeWidgetItem:
        item = QTreeWidgetItem()
        item.setFlags(item.flags() | Qt.ItemFlag.ItemIsEditable)
        self._fill(item, passage)
        return item

    def _fill(self, item: QTreeWidgetItem, passage: dict, *, note_changed: bool = False
              ) -> None:
        """Show ``passage`` in ``item`` (a new row, or one whose passage changed)."""
        snippet = " ".join(passage["text"][:600].split())
        orphaned = passage.get("anchor") == "orphaned"
        for column, text in enumerate((passage["tag"], self._passage_words(passage),
                                       passage.get("note") or "",
                                       passage.get("analyst") or "")):
            item.setText(column, text)
        if note_changed and (font := item.font(self.NOTE_COLUMN)).bold():
            font.setBold(False)             # a search's mark: the note it matched changed
            item.setFont(self.NOTE_COLUMN, font)
        item.setIcon(0, color_icon(passage["color"]))
        item.setData(0, Qt.ItemDataRole.UserRole, passage["id"])
        item.setToolTip(1, plain_tooltip(
            ("These words are no longer in the article (its text was changed); the "
             "passage is kept.\n\n" if orphaned else "") + snippet[:500]))
        item.setToolTip(0, plain_tooltip(passage["tag"]))
        item.setToolTip(self.NOTE_COLUMN, self._note_tip(passage.get("note") or ""))
        if passage.get("analyst"):      # (a long name is cut in a narrow list)
            item.setToolTip(self.ANALYST_COLUMN, plain_tooltip(passage["analyst"]))

    def set_note_matches(self, passage_ids: set[int]) -> None:
        """Mark the notes a search matched (bold, with a tooltip)."""
        for index in range(self.topLevelItemCount()):
            item = self.topLevelItem(index)
            matched = item.data(0, Qt.ItemDataRole.UserRole) in passage_ids
            font = item.font(self.NOTE_COLUMN)
            font.setBold(matched)
            self.blockSignals(True)   # marking is not an edit
            item.setFont(self.NOTE_COLUMN, font)
            note = self._passages.get(item.data(0, Qt.ItemDataRole.UserRole), {}).get("note")
            item.setToolTip(self.NOTE_COLUMN, self._note_tip(note or "", matched=matched))
            self.blockSignals(False)

    @staticmethod
    def _note_tip(note: str, *, matched: bool = False) -> str:
        """The whole note (a cell shows its start), and how to edit it."""
        how = "Double-click or F2 to edit the note"
        head = ("The search matched this note.\n\n" if matched else "")
        return plain_tooltip(head + (f"{note[:1000]}\n\n{how}" if note else how))

    def note_matches(self) -> list[int]:
        """The passages whose note is marked as matched."""
        return [self.topLevelItem(i).data(0, Qt.ItemDataRole.UserRole)
                for i in range(self.topLevelItemCount())
                if self.topLevelItem(i).font(self.NOTE_COLUMN).bold()]

    def passages(self) -> list[dict]:
        """The passages shown, as given to :meth:`set_passages`."""
        return list(self._passages.values())

    def passage_ids(self) -> list[int]:
        """The ids of the passages listed, top to bottom."""
        return list(self._ids)

    def _activate(self, item, _column=0) -> None:
        self.passageActivated.emit(item.data(0, Qt.ItemDataRole.UserRole))

    def edit_note_in_place(self, passage_id: int) -> None:
        """Open the note cell of a passage for typing."""
        for index in range(self.topLevelItemCount()):
            item = self.topLevelItem(index)
            if item.data(0, Qt.ItemDataRole.UserRole) == passage_id:
                self.setCurrentItem(item)
                self.editItem(item, self.NOTE_COLUMN)
                return

    def _double_clicked(self, item, column: int) -> None:
        if column == self.NOTE_COLUMN:
            self.editItem(item, column)

    def _item_changed(self, item, column: int) -> None:
        passage = self._passages.get(item.data(0, Qt.ItemDataRole.UserRole))
        if column == self.NOTE_COLUMN and passage is not None:
            note = item.text(column)
            if note != (passage.get("note") or ""):
                # after the editor has finished committing: the receiver
                # refills this list, which must not happen inside the commit
                QTimer.singleShot(0, lambda: self.noteEdited.emit(passage["id"], note))

    def _current_passage(self) -> dict | None:
        item = self.currentItem()
        return self._passages.get(item.data(0, Qt.ItemDataRole.UserRole)) if item else None

    def contextMenuEvent(self, event) -> None:
        item = self.itemAt(event.pos())
        if item is None:
            return
        self.setCurrentItem(item)
        menu = QMenu(self)
        add_passage_actions(menu, self._current_passage(), self._tags,
                            on_note=self.edit_note_in_place,
                            on_retag=self.retagRequested.emit,
                            on_delete=self.deleteRequested.emit)
        menu.exec(event.globalPos())
        menu.deleteLater()

    def event(self, event) -> bool:
        """F2 edits the current passage's note here, though the window uses
        F2 elsewhere (Edit details…): the list claims the key while it has
        the focus."""
        if (event.type() == QEvent.Type.ShortcutOverride and event.key() == Qt.Key.Key_F2
                and not event.modifiers() and self._current_passage()
                and self.state() != self.State.EditingState):
            event.accept()
            return True
        return super().event(event)

    def keyPressEvent(self, event) -> None:
        passage = self._current_passage()
        if passage and event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
            self.deleteRequested.emit(passage["id"])
            return
        if passage and event.key() == Qt.Key.Key_F2 and not event.modifiers():
            self.edit_note_in_place(passage["id"])
            return
        super().keyPressEvent(event)
