"""The article reader: read-only text with entities, quotes and tagged
passages highlighted, selection in code-point offsets, tagging keys 1–9.

All offsets in and out of this widget are Python code-point offsets into the
article text; conversion to Qt's UTF-16 positions happens only here.
"""

from __future__ import annotations

import html

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import (QAction, QColor, QFont, QPainter, QTextBlockFormat, QTextCharFormat,
                           QTextCursor, QTextLine, QTextOption)
from PySide6.QtWidgets import QMenu, QTextEdit, QToolTip

from widgets import palette, row_style
from widgets.passage_bars import Bar, covering, document_bars
from widgets.passage_menu import add_passage_actions, add_tag_actions
from widgets.quote_panel import (MARK_AS_QUOTE, NOT_A_QUOTE, SET_SPEAKER, check_note,
                                 needs_check)
from widgets.reading_text import ZOOM_MAX, ZOOM_MIN, ZOOM_STEPS, ReadingTextEdit
from widgets.text_offsets import OffsetMap

__all__ = ["ArticleView", "ZOOM_STEPS", "ZOOM_MIN", "ZOOM_MAX"]

#: The "also in" lines a quote's tooltip lists (the Quotes tab lists all).
TOOLTIP_LINKS = 5


def _place(item: dict) -> tuple:
    """Where an item (passage, quote, entity) stands in text order."""
    return (item["start"], item["end"], item.get("id") or 0)


def _drawn_at(document, position: int, x: float, y: float) -> bool:
    """Whether the character at UTF-16 ``position`` of ``document`` is drawn
    across the document point ``(x, y)``: its box runs between the x of its
    two edges, whichever side each is on (right to left in Arabic or
    Hebrew, left to right otherwise)."""
    block = document.findBlock(position)
    layout = block.layout() if block.isValid() else None
    within = position - block.position()
    if layout is None or not 0 <= within < block.length() - 1:   # (a paragraph's end)
        return False
    line = layout.lineForTextPosition(within)
    origin = layout.position()
    if not line.isValid() or not (origin.y() + line.y() <= y
                                  < origin.y() + line.y() + line.height()):
        return False
    edges = [origin.x() + line.cursorToX(within, edge)[0]
             for edge in (QTextLine.Edge.Leading, QTextLine.Edge.Trailing)]
    return min(edges) <= x < max(edges)


class ArticleView(ReadingTextEdit):
    """Shows one article. Emits intents; never stores anything itself."""

    #: digit 1–9 pressed with a selection (or with the caret in a quote or
    #: an entity, which is then selected)
    tagKeyPressed = Signal(int)
    #: a tag picked from the context menu for the current selection
    tagRequested = Signal(int)
    passageNoteRequested = Signal(int)
    passageRetagRequested = Signal(int, int)
    passageDeleteRequested = Signal(int)
    #: a digit was pressed with nothing selected
    emptySelectionKey = Signal()
    #: a quote correction asked for from the context menu: what
    #: (:data:`SET_SPEAKER`, :data:`NOT_A_QUOTE`, :data:`MARK_AS_QUOTE`), start, end
    quoteCorrectionRequested = Signal(str, int, int)
    #: an article or its passages were shown anew (the compare lanes follow)
    passagesShown = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setReadOnly(True)
        self.setUndoRedoEnabled(False)
        self.setAcceptRichText(False)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse
                                     | Qt.TextInteractionFlag.TextSelectableByKeyboard)
        self.setWordWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
        self.document().setDocumentMargin(18)
        font = QFont(self.font())
        font.setPointSizeF(max(font.pointSizeF(), 10.0) * 1.15)
        self.setFont(font)
        self.setPalette(row_style.selection_palette())
        self._scheme = palette.LIGHT
        self.setMouseTracking(True)
        self._entities: list[dict] = []
        self._quotes: list[dict] = []
        self._passages: list[dict] = []
        self._tags: list[dict] = []
        self._hidden: set[str] = set()
        self._matches: list[tuple[int, int]] = []
        # the passage bars in document coordinates, computed at most once per
        # layout (a paint, a tooltip and a tag each asked for all of them)
        self._bars: list[Bar] | None = None
        #: each passage's bars on the current layout (widgets.passage_bars)
        self._bar_pieces: dict = {}
        #: the item each kind last stepped to (see :meth:`step_to`)
        self._stepped: dict[str, dict] = {}
        document = self.document()
        document.contentsChanged.connect(self._forget_bars)
        document.documentLayout().update.connect(self._forget_bars)

    # -- data in -------------------------------------------------------
    def set_article(self, text: str, *, entities=(), quotes=(), passages=()) -> None:
        """Show ``text`` (as plain text, never markup) with its highlights."""
        self._text = text
        self._offsets = OffsetMap(text)
        self.setPlainText(text)
        self._keep_shaping()
        self._entities, self._quotes = list(entities), list(quotes)
        self._passages = list(passages)
        self._matches = []
        self._stepped = {}
        self.setExtraSelections([])
        # one edit block: the document is laid out once, not after each of
        # the dozens of format changes (half the time of opening an article)
        block = QTextCursor(self.document())
        block.beginEditBlock()
        self._set_line_height()
        self._apply_formats()
        block.endEditBlock()
        self._apply_passages()
        self.moveCursor(QTextCursor.MoveOperation.Start)
        self.passagesShown.emit()

    def _keep_shaping(self) -> None:
        """Keep each paragraph's shaped glyphs after it is laid out
        (``QTextLayout.setCacheEnabled``). Qt otherwise throws them away at
        the end of each layout and each paint, and shapes the lines again at
        the next paint and at each measure of a passage's bars: the first
        ``cursorToX`` on a line took 15–50 µs, a tag saved 0.2 ms of bars.
        An article's glyphs take a few hundred kilobytes at most."""
        block = self.document().begin()
        while block.isValid():
            block.layout().setCacheEnabled(True)
            block = block.next()

    def set_search_matches(self, ranges, *, scroll: bool = True) -> None:
        """Mark what the list's search matched (code-point ranges) and
        scroll to the first match; the marks go with the next article."""
        self._matches = [(start, end) for start, end in ranges]
        marks = []
        for start, end in self._matches:
            mark = QTextEdit.ExtraSelection()
            mark.cursor = self._cursor_for(start, end)
            mark.format.setBackground(QColor(self._scheme.search_background))
            if self._scheme.search_foreground:
                mark.format.setForeground(QColor(self._scheme.search_foreground))
            marks.append(mark)
        self.setExtraSelections(marks)
        if self._matches and scroll:
            cursor = self.textCursor()
            cursor.setPosition(self._offsets.to_utf16(self._matches[0][0]))
            self.setTextCursor(cursor)
            self.ensureCursorVisible()

    def search_matches(self) -> list[tuple[int, int]]:
        """The code-point ranges marked as search matches."""
        return list(self._matches)

    def set_analysis(self, entities, quotes) -> None:
        """Replace entity and quote highlights, keeping scroll and selection."""
        self._entities, self._quotes = list(entities), list(quotes)
        self._apply_formats()

    def set_passages(self, passages) -> None:
        """Replace the tagged-passage highlights; only the bars of passages
        added, removed, moved or restacked are repainted (a tag saved
        repaints a few lines, not the whole reader). Each passage's bars are
        kept by its id, range, colour and level (:func:`document_bars`), so
        those compared, not every bar's rectangle."""
        self._document_bars()                 # the bars drawn now
        before = dict(self._bar_pieces)
        self._passages = list(passages)
        self._bars = None
        self._document_bars()
        after = self._bar_pieces
        dx = -self.horizontalScrollBar().value()
        dy = -self.verticalScrollBar().value()
        viewport = self.viewport()
        for pieces, others in ((before, after), (after, before)):
            for key, bars in pieces.items():
                if key not in others:
                    for rect, _color, _id in bars:
                        viewport.update(rect.adjusted(dx - 1, dy - 1, dx + 1, dy + 1))
        self.passagesShown.emit()

    def vertical_span(self, start: int, end: int) -> tuple[int, int]:
        """The top of the line holding code-point ``start`` and the bottom of
        the line holding ``end``, in viewport coordinates (for lanes drawn
        beside the reader)."""
        first = QTextCursor(self.document())
        first.setPosition(self._offsets.to_utf16(max(0, min(start, len(self._text)))))
        last = QTextCursor(self.document())
        last.setPosition(self._offsets.to_utf16(max(0, min(max(start, end - 1),
                                                           len(self._text)))))
        top, bottom = self.cursorRect(first), self.cursorRect(last)
        return top.top(), bottom.bottom()

    def set_tags(self, tags: list[dict]) -> None:
        """The codebook, for the context menu."""
        self._tags = list(tags)

    def set_scheme(self, scheme: palette.Scheme) -> None:
        """Paint highlights and bars in ``scheme``'s colours (light or dark)."""
        if scheme is self._scheme:
            return
        self._scheme = scheme
        self._apply_formats()
        if self._matches:
            self.set_search_matches(self._matches, scroll=False)
        self._apply_passages()

    def scheme(self) -> palette.Scheme:
        return self._scheme

    def set_hidden_keys(self, hidden: set[str]) -> None:
        """Entity labels (and QUOTES / PASSAGES) not to highlight."""
        self._hidden = set(hidden)
        self._apply_formats()
        self._apply_passages()

    # -- data out ------------------------------------------------------
    def article_text(self) -> str:
        return self._text

    def selection_range(self) -> tuple[int, int] | None:
        """The selected ``(start, end)`` in code points, or None."""
        cursor = self.textCursor()
        if not cursor.hasSelection():
            return None
        start = self._offsets.from_utf16(cursor.selectionStart())
        end = self._offsets.from_utf16(cursor.selectionEnd())
        return (start, end) if end > start else None

    def select_range(self, start: int, end: int) -> None:
        """Select ``text[start:end]`` and scroll it into view."""
        cursor = self.textCursor()
        cursor.setPosition(self._offsets.to_utf16(start))
        cursor.setPosition(self._offsets.to_utf16(end), QTextCursor.MoveMode.KeepAnchor)
        self.setTextCursor(cursor)
        self.ensureCursorVisible()

    def format_at(self, offset: int) -> QTextCharFormat:
        """The character format of the character at code point ``offset``."""
        cursor = QTextCursor(self.document())
        cursor.setPosition(self._offsets.to_utf16(offset) + 1)
        return cursor.charFormat()

    # -- rendering -----------------------------------------------------
    def _cursor_for(self, start: int, end: int) -> QTextCursor:
        cursor = QTextCursor(self.document())
        cursor.setPosition(self._offsets.to_utf16(start))
        cursor.setPosition(self._offsets.to_utf16(end), QTextCursor.MoveMode.KeepAnchor)
        return cursor

    def _apply_formats(self) -> None:
        document = self.document()
        whole = QTextCursor(document)
        whole.beginEditBlock()          # laid out once, at the end
        whole.select(QTextCursor.SelectionType.Document)
        whole.setCharFormat(QTextCharFormat())
        if palette.QUOTES_KEY not in self._hidden:
            quote = QTextCharFormat()
            quote.setBackground(QColor(self._scheme.quote_background))
            quote.setForeground(QColor(self._scheme.quote_foreground))
            quote.setFontItalic(True)
            uncertain = QTextCharFormat(quote)     # a speaker to check: dotted underline
            uncertain.setUnderlineStyle(QTextCharFormat.UnderlineStyle.DotLine)
            for q in self._quotes:
                self._cursor_for(q["start"], q["end"]).mergeCharFormat(
                    uncertain if needs_check(q) else quote)
        for entity in self._entities:
            if entity["label"] in self._hidden:
                continue
            fmt = QTextCharFormat()
            fmt.setBackground(QColor(self._scheme.entity_color(entity["label"])))
            self._cursor_for(entity["start"], entity["end"]).mergeCharFormat(fmt)
        whole.endEditBlock()

    def _set_line_height(self) -> None:
        """Room under each line for the passage bars."""
        block_format = QTextBlockFormat()
        block_format.setLineHeight(palette.LINE_HEIGHT_PERCENT,
                                   QTextBlockFormat.LineHeightTypes.ProportionalHeight.value)
        whole = QTextCursor(self.document())
        whole.select(QTextCursor.SelectionType.Document)
        whole.mergeBlockFormat(block_format)

    def _apply_passages(self) -> None:
        """Passages are drawn as bars in the tag colour (see paintEvent)."""
        self._forget_bars()         # the scheme's colours may have changed
        self.viewport().update()

    def _forget_bars(self, *_args) -> None:
        """The layout changed: every bar is measured again."""
        self._bars = None
        self._bar_pieces.clear()

    def resizeEvent(self, event) -> None:
        self._forget_bars()         # lines wrap anew
        super().resizeEvent(event)

    def _shown_passages(self) -> list[dict]:
        """Passages to draw: none when hidden; never orphaned ones (their
        offsets no longer point at their words)."""
        if palette.PASSAGES_KEY in self._hidden:
            return []
        return [p for p in self._passages if p.get("anchor", "ok") != "orphaned"]

    def passage_bars(self) -> list[Bar]:
        """``(rect, colour, passage id)`` of each bar, in viewport coordinates.

        A passage gets one bar per line it covers, under the text, stacked
        by :func:`widgets.passage_bars.stack_levels` where passages overlap.
        """
        dx = -self.horizontalScrollBar().value()
        dy = -self.verticalScrollBar().value()
        return [(rect.translated(dx, dy), color, passage_id)
                for rect, color, passage_id in self._document_bars()]

    def _document_bars(self) -> list[Bar]:
        """:meth:`passage_bars` in document coordinates, kept until the
        passages, the text, its formats or its layout change."""
        if self._bars is None:
            self._bars = document_bars(self.document(), self._offsets,
                                       self._shown_passages(), self._scheme,
                                       known=self._bar_pieces)
        return self._bars

    def passage_ranges_shown(self) -> list[tuple[int, int]]:
        """Code-point ranges of the passages currently drawn."""
        return [(p["start"], p["end"]) for p in self._shown_passages()]

    def paintEvent(self, event) -> None:
        super().paintEvent(event)
        if not self._shown_passages():
            return
        dx = -self.horizontalScrollBar().value()
        dy = -self.verticalScrollBar().value()
        visible = event.rect().translated(-dx, -dy)     # in document coordinates
        painter = None
        for rect, color, _id in self._document_bars():
            if rect.intersects(visible):
                if painter is None:
                    painter = QPainter(self.viewport())
                painter.fillRect(rect.translated(dx, dy), color)
        if painter is not None:
            painter.end()

    # -- interaction ---------------------------------------------------
    def offset_at(self, point) -> int | None:
        """The code-point offset of the character under a viewport point."""
        cursor = self.cursorForPosition(point)
        rect = self.cursorRect(cursor)
        if abs(rect.center().y() - point.y()) > rect.height():
            return None
        position = cursor.position()
        # cursorForPosition gives the nearest gap: the character under the
        # point is the one on either side of it whose box holds the point
        # (the one before the gap is on its right in right-to-left text)
        x = point.x() + self.horizontalScrollBar().value()
        y = point.y() + self.verticalScrollBar().value()
        drawn = [p for p in (position - 1, position)
                 if p >= 0 and _drawn_at(self.document(), p, x, y)]
        if drawn:
            position = drawn[0]
        elif point.x() < rect.x() and position > 0:   # (between words, past a line's end)
            position -= 1
        offset = self._offsets.from_utf16(position)
        return offset if offset < len(self._text) else None

    def _entity_at(self, offset: int) -> dict | None:
        shown = [e for e in covering(self._entities, offset)
                 if e["label"] not in self._hidden]
        return shown[0] if shown else None

    def entity_at_caret(self) -> dict | None:
        """The shown entity under the caret or at the start of the selection."""
        offset = self._offsets.from_utf16(self.textCursor().selectionStart())
        return self._entity_at(offset)

    def navigable(self, kind: str) -> list[dict]:
        """The passages, quotes or entities F3/F4/Ctrl+] step through, in order."""
        return self._navigable(kind)

    def _navigable(self, kind: str) -> list[dict]:
        if kind == "passage":
            items = self._shown_passages()
        elif kind == "quote":
            items = [] if palette.QUOTES_KEY in self._hidden else self._quotes
        elif kind == "entity":
            items = [e for e in self._entities if e["label"] not in self._hidden]
        else:
            raise ValueError(f"nothing to step through called {kind!r}")
        return sorted(items, key=_place)

    def step_to(self, kind: str, step: int) -> dict | None:
        """Select the next (``step`` 1) or previous (-1) passage, quote or
        entity after or before the selection or caret, wrapping around at
        the ends; returns it, or None if the article has none. Items are in
        text order (start, then end); two on the same words (one quote tagged
        twice) are each stepped to in turn."""
        items = self._navigable(kind)
        if not items:
            return None
        selected = self.selection_range()
        last = self._stepped.get(kind)
        index = None
        if last is not None and selected == (last["start"], last["end"]):
            index = next((n for n, i in enumerate(items) if i is last or i == last), None)
        if index is not None:
            # stepping on from the item stepped to: by its place in the list
            chosen = items[(index + step) % len(items)]
        elif selected is not None:
            chosen = (next((i for i in items if (i["start"], i["end"]) > selected), items[0])
                      if step > 0 else
                      next((i for i in reversed(items) if (i["start"], i["end"]) < selected),
                           items[-1]))
        else:
            here = self._offsets.from_utf16(self.textCursor().position())
            chosen = (next((i for i in items if i["start"] >= here), items[0]) if step > 0
                      else next((i for i in reversed(items) if i["start"] < here), items[-1]))
        self.select_range(chosen["start"], chosen["end"])
        self._stepped[kind] = chosen
        return chosen

    def _spoken_quote_at(self, offset: int) -> dict | None:
        spoken = [q for q in covering(self._quotes, offset)
                  if q.get("kind") in ("direct", "partial")]
        return spoken[0] if spoken else None

    def tooltip_html(self, offset: int) -> str:
        """Escaped HTML naming what covers ``offset`` (entities, quote, passages)."""
        lines = []
        for e in covering(self._entities, offset):
            if e["label"] not in self._hidden:
                name = e.get("name") or e["text"]
                also = f" → {html.escape(name)}" if name != e["text"] else ""
                lines.append(f"<b>{html.escape(e['label'])}</b> · {html.escape(e['text'])}"
                             + also)
        if palette.QUOTES_KEY not in self._hidden:
            for q in covering(self._quotes, offset):
                who = f" — {html.escape(q['speaker'])}" if q.get("speaker") else ""
                lines.append(f"<i>{html.escape(q.get('kind') or 'direct')} quote</i>{who}")
                if needs_check(q):
                    lines.append(f"<i>{html.escape(check_note(q))}</i>")
                links = q.get("also_in", [])
                for link in links[:TOOLTIP_LINKS]:
                    lines.append(f"&nbsp;&nbsp;also in: {html.escape(link['article_title'])}")
                if len(links) > TOOLTIP_LINKS:
                    more = "more" if q.get("also_in_more") else str(len(links) - TOOLTIP_LINKS)
                    lines.append(f"&nbsp;&nbsp;… and {more} in the Quotes tab")
        if palette.PASSAGES_KEY not in self._hidden:
            for p in covering(self._shown_passages(), offset):
                note = f"<br/>{html.escape(p['note'])}" if p.get("note") else ""
                lines.append(f"<span style='color:{html.escape(p['color'])}'>■</span> "
                             f"<b>{html.escape(p['tag'])}</b> ({html.escape(p['analyst'])})"
                             f"{note}")
        return "<br/>".join(lines)

    def event(self, event) -> bool:
        if event.type() == QEvent.Type.ToolTip:
            point = self.viewport().mapFromGlobal(event.globalPos())
            offset = self.offset_at(point)
            tip = self.tooltip_html(offset) if offset is not None else ""
            if tip:
                QToolTip.showText(event.globalPos(), f"<qt>{tip}</qt>", self)
            else:
                QToolTip.hideText()
                event.ignore()
            return True
        return super().event(event)

    def keyPressEvent(self, event) -> None:
        text = event.text()
        modifiers = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        if len(text) == 1 and text in "123456789" and modifiers in (
                Qt.KeyboardModifier.NoModifier, Qt.KeyboardModifier.ShiftModifier):
            if not self.selection_range():
                caret = self._offsets.from_utf16(self.textCursor().position())
                # one key turns the quote (else the entity) under the caret into a passage
                span = self._spoken_quote_at(caret) or self._entity_at(caret)
                if span:
                    self.select_range(span["start"], span["end"])
            if self.selection_range():
                self.tagKeyPressed.emit(int(text))
            else:
                self.emptySelectionKey.emit()
            event.accept()
            return
        super().keyPressEvent(event)

    def _add_quote_actions(self, menu: QMenu, offset: int | None) -> None:
        """"Set speaker…" and "Not a quote" on a quote, "Mark as quote…" on a
        selection: intents the window turns into undoable corrections."""
        actions = []
        selected = self.selection_range()
        if selected:
            actions.append(("Mark as &quote…", MARK_AS_QUOTE, selected))
        under = covering(self._quotes, offset) if offset is not None else []
        for quote in under[:1]:
            span = (quote["start"], quote["end"])
            actions += [("Set &speaker…", SET_SPEAKER, span), ("&Not a quote", NOT_A_QUOTE, span)]
        if not actions:
            return
        first = menu.actions()[0] if menu.actions() else None
        for text, what, (start, end) in actions:
            action = QAction(text, menu)
            action.triggered.connect(
                lambda _checked=False, w=what, s=start, e=end:
                self.quoteCorrectionRequested.emit(w, s, e))
            menu.insertAction(first, action)
        if first is not None:
            menu.insertSeparator(first)

    def contextMenuEvent(self, event) -> None:
        menu = self.createStandardContextMenu(event.pos())
        if self.selection_range():
            tag_menu = QMenu("Tag selection as", menu)
            add_tag_actions(tag_menu, self._tags, self.tagRequested.emit)
            first = menu.actions()[0] if menu.actions() else None
            if first is None:
                menu.addMenu(tag_menu)
            else:
                menu.insertMenu(first, tag_menu)
                menu.insertSeparator(first)
        offset = self.offset_at(event.pos())
        self._add_quote_actions(menu, offset)
        if offset is not None:
            for passage in covering(self._shown_passages(), offset):
                add_passage_actions(
                    menu, passage, self._tags,
                    on_note=self.passageNoteRequested.emit,
                    on_retag=self.passageRetagRequested.emit,
                    on_delete=self.passageDeleteRequested.emit)
        menu.exec(event.globalPos())
        menu.deleteLater()
