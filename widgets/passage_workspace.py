"""The Passages workspace: every tagged passage of the corpus in one table,
filtered, sorted and worked on (QualCoder's coding report, ATLAS.ti's
quotation manager).

Plain data in, signals out (no SQL here): the filters give a dict of
:class:`storage.passage_listing.PassageQuery` fields on
:attr:`PassageWorkspace.queryChanged` — a tag (with or without the tags under
it), this article only, source, published dates, analyst, speaker, review
status, words in the note — and clicking a column header sorts by it. The
table reads its rows lazily from a :class:`PassageSource` (a count and pages
of rows), like the article list, so 200,000 passages cost one page.

Keys: Enter (or double-click) opens the passage in the reader, F2 edits its
note in place (Enter stores it), Delete deletes the selected passages, the
context menu re-tags them; Ctrl+A selects every loaded row (the table's own).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import (QAbstractTableModel, QEvent, QItemSelectionModel, QModelIndex, Qt,
                            QTimer, Signal)
from PySide6.QtWidgets import (QAbstractItemView, QCheckBox, QComboBox, QHBoxLayout,
                               QHeaderView, QLabel, QLineEdit, QMenu, QPushButton,
                               QTableView, QToolButton, QVBoxLayout, QWidget)

from widgets.article_filters import (REVIEW_CHOICES, fill_tag_combo, name_completer,
                                     show_hit_count)
from widgets.flow_layout import FlowLayout
from widgets.lazy_rows import LazyRows
from widgets.open_editor import commit_open_editor
from widgets.passage_menu import add_tag_actions, color_icon
from widgets.plain_text import plain_tooltip
from widgets.problem_label import ProblemLabel

#: (header, sort name) of each column
COLUMNS = (("Passage", "text"), ("Tag", "tag"), ("Article", "title"), ("Date", "date"),
           ("Analyst", "analyst"), ("Note", "note"))
PASSAGE, TAG, ARTICLE, DATE, ANALYST, NOTE = range(len(COLUMNS))
ID_ROLE = Qt.ItemDataRole.UserRole + 1
#: characters of context before and after the passage in its one line (little
#: before it, so that a narrow column still shows the passage itself)
BEFORE, AFTER = 20, 40
DEBOUNCE_MS = 250
#: "This article only" with no article in the reader: an id no article has
#: (ids start at 1), so that the list is empty — with no id it listed every
#: passage, and Delete or Re-tag acted on the whole corpus
NO_ARTICLE = 0
#: the Tag column's narrowest and widest, fitted to the codebook's names
TAG_WIDTH = (105, 240)


_ROLES = {Qt.ItemDataRole.DisplayRole: "display", Qt.ItemDataRole.EditRole: "edit",
          Qt.ItemDataRole.ToolTipRole: "tooltip", Qt.ItemDataRole.DecorationRole: "decoration",
          ID_ROLE: "id"}
#: a cell's flags (QAbstractTableModel's), and the editable note's
_NO_FLAGS = Qt.ItemFlag.NoItemFlags
_CELL_FLAGS = (Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsEnabled
               | Qt.ItemFlag.ItemNeverHasChildren)
_NOTE_FLAGS = _CELL_FLAGS | Qt.ItemFlag.ItemIsEditable


@dataclass(frozen=True)
class PassageSource:
    """Where the rows come from: ``count()`` and ``page(offset, limit)`` (dicts
    with the columns of :data:`storage.passage_listing.ROW_COLUMNS`)."""

    count: Callable[[], int]
    page: Callable[[int, int], list[dict]]

    @classmethod
    def from_rows(cls, rows: list[dict]) -> "PassageSource":
        rows = list(rows)
        return cls(count=lambda: len(rows),
                   page=lambda offset, limit: [dict(r) for r in rows[offset:offset + limit]])


def context_line(row: dict) -> str:
    """The passage in a line of its context: "…before «passage» after…"."""
    def flat(text: str) -> str:
        return " ".join(text.split())
    prefix, suffix = row.get("prefix") or "", row.get("suffix") or ""
    before = flat(prefix)[-BEFORE:]
    after = flat(suffix)[:AFTER]
    # a space beside the marks only where the text has one: "Australia«n»"
    # is part of a word, "«cybercrime», which" is followed by its comma
    gap_before = " " if prefix[-1:].isspace() else ""
    gap_after = " " if suffix[:1].isspace() else ""
    return (f"…{before}{gap_before}" if before else "") + f"«{flat(row['text'])}»" + (
        f"{gap_after}{after}…" if after else "")


class PassageTableModel(LazyRows, QAbstractTableModel):
    """Passages as rows, read a page at a time
    (:class:`widgets.lazy_rows.LazyRows`); the note column is editable (an
    edit is handed on through :attr:`noteEdited`, never stored here)."""

    noteEdited = Signal(int, str)
    #: the number of listed passages, and whether that is exact (False: at
    #: least that many; :meth:`set_total` follows)
    totalChanged = Signal(int, bool)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.init_rows(PassageSource.from_rows([]))

    def set_source(self, source: PassageSource, total: int | None = None,
                   *, keep_loaded: bool = False, exact: bool = True) -> None:
        """Show another list of ``total`` rows (asked of the source if not
        given; with ``exact`` False, at least that many until
        :meth:`set_total`); ``keep_loaded`` keeps as many rows loaded as
        before (a refresh after a change, so the view keeps its place)."""
        if total is None:
            total = source.count()
        self.show_rows(source, total, exact=exact,
                       loaded=max(self._loaded, self.PAGE) if keep_loaded else None)

    def passage(self, row: int) -> dict | None:
        """The row's passage, or None if the list shrank under it."""
        try:
            return self._page(row // self.PAGE)[row % self.PAGE]
        except IndexError:
            return None

    def row_of(self, passage_id: int) -> int | None:
        """The row of a loaded passage, or None."""
        return self.loaded_row(passage_id)

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section][0]
        return None

    def flags(self, index):
        # the table's own flags, made once: combining Qt flags per call cost
        # a tenth of a page's paint (Python enums)
        if not index.isValid():
            return _NO_FLAGS
        return _NOTE_FLAGS if index.column() == NOTE else _CELL_FLAGS

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        # roles looked up once in a dict: comparing Qt enums one by one cost
        # 40 µs a call, a third of a 30-row table's paint
        kind = _ROLES.get(role)
        if kind is None or not index.isValid():
            return None
        number = index.row()
        if number >= self._loaded:
            return None
        row = self.passage(number)
        if row is None:
            return None
        column = index.column()
        if kind == "id":
            return row["id"]
        if kind == "display":
            if column == NOTE:
                return " ".join(row["note"].split())
            if column == PASSAGE:
                line = row.get("_line")
                if line is None:
                    line = row["_line"] = context_line(row)
                return line
            return (None, row["tag"], row["title"], row["published"] or "",
                    row["analyst"])[column]
        if kind == "edit":
            return row["note"] if column == NOTE else None
        if kind == "tooltip":
            if column == PASSAGE:
                return plain_tooltip(row["text"])
            if column == NOTE and row["note"]:
                return plain_tooltip(row["note"])
            if column == ARTICLE:
                return plain_tooltip(" · ".join(x for x in (
                    row["title"], row.get("source"), row["published"]) if x))
            if column == TAG:
                return plain_tooltip(row["tag"])
            return None
        if kind == "decoration" and column == TAG:
            return color_icon(row["color"])
        return None

    def setData(self, index, value, role=Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.EditRole or index.column() != NOTE:
            return False
        row = self.passage(index.row())
        if row is None or row["note"] == value:
            return False
        self.noteEdited.emit(row["id"], str(value))
        return True


class PassageTable(QTableView):
    """The table: Enter opens, F2 edits the note, Delete deletes."""

    activated_passage = Signal(int)
    deleteKey = Signal()
    #: the viewport's width changed (the columns are shared out again)
    widthChanged = Signal()

    #: keys the table claims from the window's shortcuts while it has the
    #: focus (F2 is Edit details… elsewhere, Delete may be bound too)
    CLAIMED = (Qt.Key.Key_F2, Qt.Key.Key_Delete, Qt.Key.Key_Return, Qt.Key.Key_Enter)

    def event(self, event) -> bool:
        if (event.type() == QEvent.Type.ShortcutOverride and event.key() in self.CLAIMED
                and not event.modifiers() and self.currentIndex().isValid()
                and self.state() != QAbstractItemView.State.EditingState):
            event.accept()
            return True
        return super().event(event)

    def viewportEvent(self, event) -> bool:
        # the viewport's width: the table's, less a scroll bar come or gone
        if event.type() == QEvent.Type.Resize and \
                event.size().width() != event.oldSize().width():
            self.widthChanged.emit()
        return super().viewportEvent(event)

    def keyPressEvent(self, event) -> None:
        if self.state() != QAbstractItemView.State.EditingState:
            if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                passage_id = self.currentIndex().data(ID_ROLE)
                if passage_id is not None:
                    self.activated_passage.emit(passage_id)
                return
            if event.key() == Qt.Key.Key_Delete:
                self.deleteKey.emit()
                return
            if event.key() == Qt.Key.Key_F2 and self.currentIndex().isValid():
                self.edit(self.currentIndex().siblingAtColumn(NOTE))
                return
        if (event.key() == Qt.Key.Key_End
                and event.modifiers() & Qt.KeyboardModifier.ControlModifier):
            self.model().load_all()     # the last passage, not the last loaded
        super().keyPressEvent(event)


class PassageWorkspace(QWidget):
    """Filters, counts, the table and what to do with the selected passages."""

    queryChanged = Signal(dict)
    passageActivated = Signal(int)
    noteEdited = Signal(int, str)
    retagRequested = Signal(list, int)      # passage ids, tag id
    deleteRequested = Signal(list)          # passage ids
    exportRequested = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self._tags: list[dict] = []
        self._shown_tags = None
        self._current_article: int | None = None
        self._sort, self._descending = "article", None
        #: whether a list was shown yet (before, "0 passages" is no result)
        self._listed = False
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(DEBOUNCE_MS)
        self._timer.timeout.connect(self._emit)

        self.tag = QComboBox()
        self.tag.addItem("Any tag", None)
        self.tag.setToolTip("Passages with this tag")
        self.tag_children = QCheckBox("and the tags under it")
        self.tag_children.setChecked(True)
        self.tag_children.setToolTip("A tag stands for itself and every tag under it in the "
                                     "codebook; untick for the tag alone")
        self.this_article = QCheckBox("This article only")
        self.this_article.setToolTip("Only the passages of the article open in the reader")
        self.analyst = QComboBox()
        self.analyst.addItem("Any analyst", "")
        self.review = QComboBox()
        for label, value in REVIEW_CHOICES:
            self.review.addItem(label, value)
        self.source = QLineEdit()
        self.source.setPlaceholderText("Source")
        self.speaker = QLineEdit()
        self.speaker.setPlaceholderText("Speaker")
        self.speaker.setToolTip("Passages overlapping a quote of this speaker")
        self.date_of = QComboBox()
        self.date_of.addItem("Published", "published")
        self.date_of.addItem("Tagged", "tagged")
        self.date_of.setToolTip("The dates below are the article's published date, or the "
                                "day the passage was tagged (what was coded this week)")
        self.since = QLineEdit()
        self.since.setPlaceholderText("from YYYY-MM-DD")
        self.until = QLineEdit()
        self.until.setPlaceholderText("to YYYY-MM-DD")
        self.note = QLineEdit()
        self.note.setPlaceholderText("Words in the note")
        self.note.setClearButtonEnabled(True)
        for box in (self.since, self.until):
            box.setMaximumWidth(130)

        # the filters wrap onto more lines in a narrow window (never holding
        # the window wider than the screen); a label stays with its field
        self.filters_box = QWidget()
        filters = FlowLayout(self.filters_box)
        filters.setContentsMargins(0, 0, 0, 0)
        for group in ((QLabel("Tag"), self.tag, self.tag_children), (self.analyst,),
                      (self.review,), (self.this_article,), (self.note,), (self.source,),
                      (self.speaker,), (self.date_of, self.since, self.until)):
            if len(group) == 1:
                filters.addWidget(group[0])
                continue
            holder = QWidget()
            row = QHBoxLayout(holder)
            row.setContentsMargins(0, 0, 0, 0)
            for widget in group:
                row.addWidget(widget)
            filters.addWidget(holder)
        for box in (self.note, self.source, self.speaker):
            box.setMinimumWidth(140)

        self.count_label = QLabel()
        self.count_label.setTextFormat(Qt.TextFormat.PlainText)
        self.undated_label = QLabel()
        self.undated_label.setToolTip("Passages of articles without a published date: a "
                                      "published-date range leaves them out")
        self.undated_label.hide()
        self.retag_button = QToolButton()
        self.retag_button.setText("Re-tag as")
        self.retag_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.retag_menu = QMenu(self)
        self.retag_button.setMenu(self.retag_menu)
        self.delete_button = QPushButton("Delete")
        self.delete_button.setToolTip("Delete the selected passages (Delete; undoable)")
        self.export_button = QPushButton("Export these…")
        self.export_button.setToolTip("Export exactly the passages listed")
        actions = QHBoxLayout()
        actions.addWidget(self.count_label)
        actions.addWidget(self.undated_label)
        actions.addStretch(1)
        for widget in (self.retag_button, self.delete_button, self.export_button):
            actions.addWidget(widget)

        self.model = PassageTableModel(self)
        self.table = PassageTable()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.EditKeyPressed)
        self.table.setWordWrap(False)
        # Tab and Shift+Tab leave the table (to the buttons, back to the
        # filters), as in a form; the arrows move between cells
        self.table.setTabKeyNavigation(False)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(PASSAGE, QHeaderView.ResizeMode.Stretch)
        header.setMinimumSectionSize(40)
        header.setStretchLastSection(False)
        # the passage takes what the others leave; they are shared out for
        # the table's width and the codebook's names (_fit_columns) until
        # the analyst drags one's edge
        self._chosen_widths: set[int] = set()
        self._sizing = False
        for column in (TAG, ARTICLE, DATE, ANALYST, NOTE):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
        self._fit_columns()
        header.sectionResized.connect(self._section_resized)
        self.table.widthChanged.connect(self._fit_columns)
        header.setSectionsClickable(True)
        header.setSortIndicatorShown(False)
        header.sectionClicked.connect(self._header_clicked)
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.table.customContextMenuRequested.connect(self._context_menu)
        self.table.activated_passage.connect(self.passageActivated)
        self.table.doubleClicked.connect(self._double_clicked)
        self.table.deleteKey.connect(self._delete_selected)
        self.model.noteEdited.connect(self.noteEdited)
        self.model.totalChanged.connect(self._show_count)
        self.error_label = ProblemLabel()
        self.error_label.hide()

        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.filters_box)
        layout.addWidget(self.error_label)
        layout.addLayout(actions)
        layout.addWidget(self.table, 1)

        for box in (self.source, self.speaker, self.since, self.until, self.note):
            box.textEdited.connect(lambda _text: self._timer.start())
            box.returnPressed.connect(self._emit)
        self.note.textChanged.connect(lambda text: None if text else self._timer.start())
        for combo in (self.tag, self.analyst, self.review):
            combo.currentIndexChanged.connect(lambda _i: self._emit())
        self.date_of.currentIndexChanged.connect(
            lambda _i: self._emit() if self.since.text().strip() or self.until.text().strip()
            else None)
        self.tag_children.toggled.connect(
            lambda _on: self._emit() if self.tag.currentData() is not None else None)
        self.this_article.toggled.connect(lambda _on: self._emit())
        self.delete_button.clicked.connect(self._delete_selected)
        self.export_button.clicked.connect(self.exportRequested)

    # -- data in -------------------------------------------------------
    def _fit_columns(self) -> None:
        """Share the table's width out: the Tag column fits the codebook's
        longest name (within bounds), Date and Analyst their words, Article
        and Note a share of the width; the passage gets the rest. A column
        whose edge the analyst dragged keeps its width."""
        metrics = self.table.fontMetrics()
        width = self.table.viewport().width()
        pad = 2 * metrics.horizontalAdvance("M")
        longest = max((metrics.horizontalAdvance(t["name"]) for t in self._tags), default=0)
        tag = longest + metrics.height() + pad           # the swatch and the margins
        widths = {TAG: max(TAG_WIDTH[0], min(tag, TAG_WIDTH[1], int(width * 0.2))),
                  DATE: metrics.horizontalAdvance("2024-06-13") + pad,
                  ANALYST: metrics.horizontalAdvance("Analyst") + pad,
                  ARTICLE: max(140, min(320, int(width * 0.22))),
                  NOTE: max(130, min(300, int(width * 0.14)))}
        header = self.table.horizontalHeader()
        self._sizing = True
        for column, size in widths.items():
            if column not in self._chosen_widths and header.sectionSize(column) != size:
                header.resizeSection(column, size)
        self._sizing = False

    def _section_resized(self, column: int, _old: int, _new: int) -> None:
        if not self._sizing and column != PASSAGE:
            self._chosen_widths.add(column)     # dragged by the analyst

    def set_tags(self, tags: list[dict]) -> None:
        """The codebook: the tag filter (nested) and the re-tag menu."""
        self._tags = list(tags)
        # (a tag made a category, or given another key, changes the menu)
        shown = [(t["id"], t["name"], t["color"], t.get("parent_id"), t.get("codable", 1),
                  t.get("shortcut")) for t in tags]
        if shown == self._shown_tags:
            return
        self._shown_tags = shown
        self._fit_columns()
        chosen = self.tag.currentData()
        self.tag.blockSignals(True)
        fill_tag_combo(self.tag, tags, chosen)
        self.retag_menu.clear()
        # as the Passages tab's: nested as the codebook is, a category (not
        # used for tagging) only a submenu of its tags — it was offered here
        add_tag_actions(self.retag_menu, tags, self._retag_selected)
        self.tag.blockSignals(False)

    def set_analysts(self, names: list[str]) -> None:
        chosen = self.analyst.currentData()
        self.analyst.blockSignals(True)
        self.analyst.clear()
        self.analyst.addItem("Any analyst", "")
        for name in names:
            self.analyst.addItem(name, name)
        self.analyst.setCurrentIndex(max(self.analyst.findData(chosen), 0))
        self.analyst.blockSignals(False)

    def set_completions(self, names: dict[str, list[str]]) -> None:
        """Names the source and speaker fields offer while typing."""
        for field, box in (("source", self.source), ("speaker", self.speaker)):
            if field in names:
                box.setCompleter(name_completer(names[field], box, self._emit))
        if self._listed and self.model.total() == 0 and self.model.total_is_exact():
            # a part of a name typed before the names were read: say so now
            self._show_count(0, True)

    def set_current_article(self, article_id: int | None) -> None:
        """The article open in the reader (for "This article only")."""
        changed = article_id != self._current_article
        self._current_article = article_id
        if changed and self.this_article.isChecked():
            self._emit()

    def _keep_note_being_typed(self) -> None:
        """A note open for typing is committed (handed on by ``noteEdited``)
        before the rows are read again under it: the next article with
        "This article only", or any change made meanwhile, dropped the
        editor and what was typed in it."""
        commit_open_editor(self.table, NOTE)

    def set_source(self, source: PassageSource, total: int, *, keep: bool = False,
                   exact: bool = True) -> None:
        """Show the rows of a query (``total`` of them, or with ``exact``
        False at least that many until :meth:`set_total`); ``keep`` keeps the
        selection and place (a refresh after a change)."""
        self._listed = True
        self._keep_note_being_typed()
        was = self.table.currentIndex()
        current = was.data(ID_ROLE) if keep else None
        selected = set(self.selected_ids()) if keep else set()
        first_row = min([r.top() for r in self.table.selectionModel().selection()]
                        + ([was.row()] if was.isValid() else []), default=None)
        scroll = self.table.verticalScrollBar().value()
        self.model.set_source(source, total, keep_loaded=keep, exact=exact)
        if keep:
            row = None
            if current is not None:
                if 0 <= was.row() < self.model.rowCount():
                    self.model.passage(was.row())   # its page read again, to look in
                row = self.model.row_of(current)
                if row is None and first_row is not None and self.model.rowCount():
                    # its passage went (deleted): the row after the ones that
                    # went is current, as in any list (none was: Enter, F2
                    # and Delete did nothing until an arrow key); selected
                    # too if none of the selection is left
                    row = min(first_row, self.model.rowCount() - 1)
                    if not any(self.model.row_of(i) is not None for i in selected):
                        selected = {self.model.index(row, 0).data(ID_ROLE)}
            self.table.verticalScrollBar().setValue(scroll)
            if row is not None:
                self.table.setCurrentIndex(self.model.index(
                    row, was.column() if was.isValid() else PASSAGE))
            # and the selection, where its passages are still listed
            model = self.table.selectionModel()
            for passage_id in selected - {current}:
                other = self.model.row_of(passage_id)
                if other is not None:
                    model.select(self.model.index(other, 0),
                                 QItemSelectionModel.SelectionFlag.Select
                                 | QItemSelectionModel.SelectionFlag.Rows)
        elif self.model.rowCount():
            self.table.setCurrentIndex(self.model.index(0, PASSAGE))
            self.table.clearSelection()
            self.table.selectRow(0)

    def _show_count(self, total: int, exact: bool) -> None:
        """"N passages (match)", "1,000+ …" while the rest is counted; with
        none, a word on a source or speaker typed as part of a name."""
        show_hit_count(self.count_label, total, "passage", self._is_filtered(), exact)
        hints = []
        if exact and total == 0:
            for label, box in (("source", self.source), ("speaker", self.speaker)):
                typed = box.text().strip()
                if typed and not self._known_name(box, typed):
                    hints.append(f"No {label} is called “{typed}”: the {label} filter takes "
                                 f"a whole name — pick one of those offered as you type.")
        if hints:       # (a new query clears it, as it clears errors)
            self.show_error(" ".join(hints))

    @staticmethod
    def _known_name(box: QLineEdit, name: str) -> bool:
        """Whether ``name`` is one of the names ``box`` offers (any case);
        True while none are known yet."""
        completer = box.completer()
        if completer is None:
            return True
        model = completer.model()
        folded = name.casefold()
        return any(str(model.index(i, 0).data()).casefold() == folded
                   for i in range(model.rowCount()))

    def set_total(self, source: PassageSource, total: int) -> bool:
        """The exact count of ``source``'s rows, read after they were shown;
        ignored (False) if another list is shown by now."""
        return self.model.set_total(source, total)

    def set_undated_left_out(self, count: int) -> None:
        """Say how many passages of undated articles the date range leaves
        out (0: nothing)."""
        self.undated_label.setText(f"· {count:,} {'passage' if count == 1 else 'passages'} of undated articles left out" if count else "")
        self.undated_label.setVisible(bool(count))

    def show_error(self, message: str) -> None:
        self.error_label.setText(message)
        self.error_label.setVisible(bool(message))

    # -- data out ------------------------------------------------------
    def values(self) -> dict:
        """The query, as keyword arguments of ``PassageQuery``."""
        return {"tag_id": self.tag.currentData(), "tag_children": self.tag_children.isChecked(),
                # (ticked with no article in the reader: none's, never everyone's)
                "article_id": (self._current_article or NO_ARTICLE)
                if self.this_article.isChecked() else None,
                "source": self.source.text().strip(), "since": self.since.text().strip(),
                "until": self.until.text().strip(), "date_of": self.date_of.currentData(),
                "analyst": self.analyst.currentData() or "",
                "speaker": self.speaker.text().strip(), "review": self.review.currentData(),
                "note": self.note.text().strip(), "sort": self._sort,
                "descending": self._descending}

    def _is_filtered(self) -> bool:
        v = self.values()
        return any(v[k] for k in ("source", "since", "until", "analyst", "speaker", "review",
                                  "note")) or v["tag_id"] is not None \
            or v["article_id"] is not None

    def selected_ids(self) -> list[int]:
        """The selected passages' ids (else the current one's), in list order."""
        rows = sorted({index.row() for index in self.table.selectionModel().selectedRows()})
        if not rows and self.table.currentIndex().isValid():
            rows = [self.table.currentIndex().row()]
        ids = [self.model.index(row, 0).data(ID_ROLE) for row in rows]
        return [i for i in ids if i is not None]

    def _emit(self) -> None:
        self._timer.stop()
        self.queryChanged.emit(self.values())

    def _header_clicked(self, column: int) -> None:
        """Sort by the column; a second click reverses; a third goes back to
        article order."""
        name = COLUMNS[column][1]
        header = self.table.horizontalHeader()
        if self._sort != name:
            self._sort, self._descending = name, False
        elif not self._descending:
            self._descending = True
        else:
            self._sort, self._descending = "article", None
        header.setSortIndicatorShown(self._sort != "article")
        if self._sort != "article":
            header.setSortIndicator(column, Qt.SortOrder.DescendingOrder if self._descending
                                    else Qt.SortOrder.AscendingOrder)
        self._emit()

    def _double_clicked(self, index) -> None:
        if index.column() == NOTE:
            return          # the note is edited in place
        passage_id = index.data(ID_ROLE)
        if passage_id is not None:
            self.passageActivated.emit(passage_id)

    def _delete_selected(self) -> None:
        ids = self.selected_ids()
        if ids:
            self.deleteRequested.emit(ids)

    def _retag_selected(self, tag_id: int) -> None:
        ids = self.selected_ids()
        if ids:
            self.retagRequested.emit(ids, tag_id)

    def _context_menu(self, position) -> None:
        index = self.table.indexAt(position)
        if not index.isValid():
            return
        ids = self.selected_ids()
        menu = QMenu(self)
        menu.addAction("Open in the reader", lambda: self.passageActivated.emit(
            index.data(ID_ROLE)))
        menu.addAction("Edit note", lambda: self.table.edit(index.siblingAtColumn(NOTE)))
        retag = menu.addMenu(f"Re-tag {len(ids)} passage(s) as")
        add_tag_actions(retag, self._tags, lambda tag_id: self.retagRequested.emit(ids, tag_id))
        menu.addAction(f"Delete {len(ids)} passage(s)", lambda: self.deleteRequested.emit(ids))
        menu.exec(self.table.viewport().mapToGlobal(position))
