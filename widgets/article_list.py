"""The article list: title, source and date, and the number of tagged
passages, read lazily from a :class:`RowSource`.

The model never holds the corpus: it asks its source for the row count and
for pages of :attr:`ArticleListModel.PAGE` rows as the view shows them, and
keeps at most :attr:`ArticleListModel.MAX_PAGES` pages (least recently used
pages are dropped and read again when needed). The view knows every row at
once (:attr:`widgets.lazy_rows.LazyRows.WHOLE`): its scroll bar is the whole
list's, and a drag of its thumb reads the one page it lands on. It is a
one-column table, not a ``QListView``, for that: a table lays out rows of one
height without asking the model about each. A source is three plain
callables — the main window binds storage functions to them; tests may use
:meth:`RowSource.from_rows`.
"""

from __future__ import annotations

import re

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QAbstractListModel, QEvent, QSize, Qt, Signal
from PySide6.QtGui import QFont, QFontMetrics, QPalette, QStaticText
from PySide6.QtWidgets import (QAbstractItemView, QHeaderView, QMenu, QStyle,
                               QStyledItemDelegate, QTableView)

from widgets.lazy_rows import LazyRows
from widgets.plain_text import plain_tooltip

ID_ROLE = Qt.ItemDataRole.UserRole + 1
META_ROLE = Qt.ItemDataRole.UserRole + 2
COUNT_ROLE = Qt.ItemDataRole.UserRole + 3
REVIEW_ROLE = Qt.ItemDataRole.UserRole + 4
#: the row's article itself (a dict; its delegate reads it once a paint)
ROW_ROLE = Qt.ItemDataRole.UserRole + 5


#: How a list row says an article's review status in words (the mark at the
#: row's edge says it in colour only).
REVIEW_WORDS = {"in progress": "◐ in progress", "done": "✓ done"}


#: A file name that is only a machine's id ("000_526e701a0aba4176.txt"):
#: nothing a reader recognises an article by.
_MACHINE_NAME = re.compile(r"^[\d_\-.]*[0-9a-f]{8,}(?:\.\w{1,5})?$", re.IGNORECASE)


def meta_line(article: dict) -> str:
    """"source · date" (or the file name when neither is known, unless it
    is only an id), and the review status unless the article is new."""
    parts = [article.get("source"), article.get("published")]
    filename = article.get("filename") or ""
    line = " · ".join(p for p in parts if p) or (
        "" if _MACHINE_NAME.match(filename) else filename)
    status = REVIEW_WORDS.get(article.get("review_status") or "")
    return " · ".join(p for p in (status, line) if p)


def header_line(article: dict) -> str:
    """Everything known about where an article came from: "source · date ·
    by author · URL · file name", for the header above the text."""
    parts = [article.get("source"), article.get("published"),
             f"by {article['author']}" if article.get("author") else None,
             article.get("url"), article.get("filename")]
    return " · ".join(p for p in parts if p)


@dataclass(frozen=True)
class RowSource:
    """Where the rows come from: ``count()``, ``page(offset, limit)`` (a list
    of article dicts with at least ``id`` and ``title``) and
    ``position(article_id, within)`` (its row, or None — also when ``within``
    is given and the row is not below it, which a source may find cheaply)."""

    count: Callable[[], int]
    page: Callable[[int, int], list[dict]]
    position: Callable[[int, int | None], int | None]

    @classmethod
    def from_rows(cls, rows: list[dict]) -> "RowSource":
        rows = list(rows)
        ids = {row["id"]: i for i, row in enumerate(rows)}

        def position(article_id: int, within: int | None = None) -> int | None:
            row = ids.get(article_id)
            return None if row is None or (within is not None and row >= within) else row

        return cls(count=lambda: len(rows),
                   page=lambda offset, limit: [dict(r) for r in rows[offset:offset + limit]],
                   position=position)


EMPTY = RowSource.from_rows([])


class ArticleListModel(LazyRows, QAbstractListModel):
    """Articles as rows, read a page at a time from a :class:`RowSource`
    (:class:`widgets.lazy_rows.LazyRows`)."""

    #: the number of rows the source has (the hit count), and whether that
    #: is exact (False: at least that many; :meth:`set_total` follows)
    totalChanged = Signal(int, bool)
    WHOLE = True

    def __init__(self, parent=None):
        super().__init__(parent)
        self.init_rows(EMPTY)

    # -- data in -------------------------------------------------------
    def set_source(self, source: RowSource, total: int | None = None, *,
                   exact: bool = True) -> None:
        """Show another list (a new search, filter or order) of ``total`` rows
        — asked of the source if not given; with ``exact`` False, at least
        that many, until :meth:`set_total` says how many (the rows can be
        shown and scrolled meanwhile)."""
        if total is None:
            total = source.count()        # may raise: the model stays as it was
        self.show_rows(source, total, exact=exact)

    def set_articles(self, articles: list[dict]) -> None:
        self.set_source(RowSource.from_rows(articles))

    def reload(self) -> None:
        """Read the rows again (after counts or details changed), keeping
        how far the list was scrolled."""
        self.show_rows(self._source, self._source.count(),
                       loaded=max(self._loaded, self.PAGE))

    def set_passage_count(self, article_id: int, count: int) -> None:
        self._set_field(article_id, "passage_count", count, COUNT_ROLE)

    def set_review_status(self, article_id: int, status: str) -> None:
        self._set_field(article_id, "review_status", status, REVIEW_ROLE)

    def _set_field(self, article_id: int, field: str, value, role) -> None:
        """Change one field of a loaded row in place (no re-query)."""
        found = self._pages.find(article_id)
        if found is not None:
            number, row = found
            row[field] = value
            index = self.index(number)
            self.dataChanged.emit(index, index, [role])

    # -- data out ------------------------------------------------------
    def article(self, row: int) -> dict:
        rows = self._page(row // self.PAGE)
        return rows[row % self.PAGE]

    def row_of(self, article_id: int, *, within: int | None = None) -> int | None:
        """The row of an article, loading rows up to it if needed; None if
        the list leaves it out (or puts it at ``within`` or further)."""
        row = self.loaded_row(article_id)
        if row is not None:
            return row
        row = self._source.position(article_id, within)
        if row is None or row >= self._total or (within is not None and row >= within):
            return None
        if row >= self._loaded:
            self._grow(row + 1 - self._loaded)
        return row

    def shown_row(self, row: int) -> dict | None:
        """The article of a loaded row (None past them)."""
        if not 0 <= row < self._loaded:
            return None
        try:
            return self.article(row)
        except IndexError:   # the corpus shrank under the list; reload() fixes it
            return None

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        article = self.shown_row(index.row()) if index.isValid() else None
        if article is None:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return article["title"]
        if role == Qt.ItemDataRole.ToolTipRole:
            return plain_tooltip(article["title"])
        if role == ID_ROLE:
            return article["id"]
        if role == META_ROLE:
            return meta_line(article)
        if role == COUNT_ROLE:
            return article.get("passage_count", 0)
        if role == REVIEW_ROLE:
            return article.get("review_status")
        if role == ROW_ROLE:
            return article
        return None


#: the values the delegate reads for every row, looked up once (an enum
#: member's lookup through PySide's enum type is a Python call each time)
_SELECTED = QStyle.StateFlag.State_Selected
_PANEL = QStyle.PrimitiveElement.PE_PanelItemViewItem
_HIGHLIGHTED_TEXT = QPalette.ColorRole.HighlightedText
_TEXT = QPalette.ColorRole.Text
_PLACEHOLDER = QPalette.ColorRole.PlaceholderText
_MID = QPalette.ColorRole.Mid
_BASE = QPalette.ColorRole.Base
_LEFT = Qt.AlignmentFlag.AlignLeft
_CENTER = Qt.AlignmentFlag.AlignCenter
_ELIDE = Qt.TextElideMode.ElideRight
_NO_PEN = Qt.PenStyle.NoPen


class ArticleDelegate(QStyledItemDelegate):
    """Two lines (bold title, grey metadata) and a passage-count badge.

    A row reads its article once, from the model's
    :meth:`ArticleListModel.shown_row` when the delegate is given it (read
    through :data:`ROW_ROLE`, the article's dict became a Qt map and a dict
    again: 0.09 ms of the row's repaint after a tag save). Its bold font and
    its lines, cut to the row's width and laid out, are kept (a tag saved
    repaints one row; a scroll, every row shown: 0.12 ms a row before)."""

    PADDING = 6
    #: lines kept laid out, by text, width and font (dropped when full)
    LINES_KEPT = 2000

    def __init__(self, parent=None, rows: Callable[[int], dict | None] | None = None):
        super().__init__(parent)
        self._rows = rows
        self._font: QFont | None = None
        self._bold, self._bold_metrics = QFont(), None
        self._metrics, self._line = None, 0
        self._lines: dict[tuple, QStaticText] = {}
        #: each count's badge width, for the font
        self._badges: dict[int, int] = {}

    @classmethod
    def row_height(cls, metrics) -> int:
        """A row's height: two lines of text in ``metrics`` and the padding."""
        return 2 * metrics.height() + 3 * cls.PADDING

    def sizeHint(self, option, index) -> QSize:
        return QSize(200, self.row_height(option.fontMetrics))

    def _line_text(self, metrics, text: str, width: int, bold: bool) -> QStaticText:
        """``text`` cut with an ellipsis to ``width`` pixels in ``metrics``,
        laid out once: drawn again (a tag saved repaints its row), it is not
        cut or shaped again."""
        key = (text, width, bold)
        made = self._lines.get(key)
        if made is None:
            if len(self._lines) >= self.LINES_KEPT:
                self._lines.clear()
            made = self._lines[key] = QStaticText(metrics.elidedText(text, _ELIDE, width))
            made.setTextFormat(Qt.TextFormat.PlainText)
            made.prepare(font=self._bold if bold else self._font)
        return made

    def _use_font(self, font: QFont) -> None:
        """Measure in ``font`` (the first row, or the reader's zoom followed)."""
        self._font, self._lines, self._badges = QFont(font), {}, {}
        self._bold = QFont(font)
        self._bold.setBold(True)
        self._bold_metrics = QFontMetrics(self._bold)
        self._metrics = QFontMetrics(font)
        self._line = self._metrics.height()

    def _badge_width(self, count: int) -> int:
        width = self._badges.get(count)
        if width is None:
            width = self._badges[count] = self._metrics.horizontalAdvance(str(count)) + 12
        return width

    def paint(self, painter, option, index) -> None:
        # a row is painted with few calls into Qt (each costs, in a tag
        # save's repaint of its row): positions as numbers, not rectangles;
        # measures kept per font
        article = (self._rows(index.row()) if self._rows is not None
                   else index.data(ROW_ROLE))
        if article is None:
            return
        font = option.font
        if font != self._font:
            self._use_font(font)
        pad, line = self.PADDING, self._line
        x, y, width, _height = option.rect.getRect()
        left, inner = x + pad, width - 2 * pad
        count = article.get("passage_count") or 0
        badge_width = self._badge_width(count) if count else 0
        title_top, title_width = y + 2 * (pad // 2), inner - badge_width - 4
        palette, selected = option.palette, option.state & _SELECTED
        painter.save()
        widget = option.widget
        if widget is not None:
            widget.style().drawPrimitive(_PANEL, option, painter, widget)
        painter.setFont(self._bold)
        painter.setPen(palette.color(_HIGHLIGHTED_TEXT if selected else _TEXT))
        painter.drawStaticText(left, title_top, self._line_text(
            self._bold_metrics, article["title"], title_width, True))
        painter.setFont(font)
        if not selected:
            painter.setPen(palette.color(_PLACEHOLDER))
        painter.drawStaticText(left, title_top + line + 2, self._line_text(
            self._metrics, meta_line(article), inner, False))
        if count:
            badge_left = left + inner - 1 - badge_width
            painter.setPen(_NO_PEN)
            painter.setBrush(palette.color(_MID))
            painter.drawRoundedRect(badge_left, title_top, badge_width, line,
                                    line / 2, line / 2)
            painter.setPen(palette.color(_BASE))
            painter.drawText(badge_left, title_top, badge_width, line, _CENTER, str(count))
        painter.restore()


class ArticleList(QTableView):
    """Keyboard-navigable article list; emits the current article's id.

    A table of one column with its headers hidden (see the module's
    docstring): Up, Down, Page Up/Down, Home and End move between articles."""

    #: the rows it keeps in view however short the window
    MIN_ROWS = 3

    articleSelected = Signal(int)
    #: the ids of the articles to delete (the context menu's Delete…)
    deleteRequested = Signal(list)
    #: the ids of the articles to analyse again (the context menu's)
    analyseAgainRequested = Signal(list)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.list_model = ArticleListModel(self)
        self.setModel(self.list_model)
        self.setItemDelegate(ArticleDelegate(self, rows=self.list_model.shown_row))
        self.horizontalHeader().hide()
        self.horizontalHeader().setStretchLastSection(True)
        rows = self.verticalHeader()
        rows.hide()
        rows.setMinimumSectionSize(1)
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)   # never measured row by row
        self._fit_rows()
        self.setShowGrid(False)
        self.setWordWrap(False)
        self.setCornerButtonEnabled(False)
        self.setTabKeyNavigation(False)        # Tab leaves the list, as from any list
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setAlternatingRowColors(True)
        # a few rows however short the screen (the open filters scroll instead)
        self.setMinimumHeight(self.MIN_ROWS * ArticleDelegate.row_height(self.fontMetrics())
                              + 2 * self.frameWidth())
        self.selectionModel().currentChanged.connect(self._current_changed)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.customContextMenuRequested.connect(self._context_menu)
        self._appended_below = False
        self.list_model.rowsInserted.connect(self._rows_inserted)
        self.list_model.modelReset.connect(self._forget_appended)

    def _rows_inserted(self, _parent, first: int, _last: int) -> None:
        """Rows appended past the last row shown — a long list's exact count,
        arriving after its first rows — move nothing shown."""
        shown = self.rowAt(self.viewport().height() - 1)
        self._appended_below = shown != -1 and first > shown

    def _forget_appended(self) -> None:
        self._appended_below = False

    def doItemsLayout(self) -> None:
        """After rows were only appended below what is shown, the scroll bar
        takes the new length and nothing is repainted (a table repaints its
        whole viewport at a new row count: every list count arriving from its
        worker repainted the rows just painted, 12 ms on 100,000 articles)."""
        if self._appended_below:
            self._appended_below = False
            self.updateGeometries()
            return
        super().doItemsLayout()

    def _fit_rows(self) -> None:
        self.verticalHeader().setDefaultSectionSize(
            ArticleDelegate.row_height(self.fontMetrics()))

    def changeEvent(self, event) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:
            self._fit_rows()

    def moveCursor(self, action, modifiers):
        """Home and End go to the first and last article (in a table they
        go to a row's first and last column)."""
        if action in (QAbstractItemView.CursorAction.MoveHome,
                      QAbstractItemView.CursorAction.MoveEnd):
            modifiers |= Qt.KeyboardModifier.ControlModifier
        return super().moveCursor(action, modifiers)

    def _context_menu(self, position) -> None:
        index = self.indexAt(position)
        if not index.isValid():
            return
        self.setCurrentIndex(index)
        title = index.data(Qt.ItemDataRole.DisplayRole) or ""
        menu = QMenu(self)
        short = title if len(title) <= 40 else title[:39] + "…"
        menu.addAction("Analyse again", lambda: self.analyseAgainRequested.emit(
            [index.data(ID_ROLE)]))
        menu.addSeparator()
        menu.addAction(f"Delete “{short}”", lambda: self.deleteRequested.emit(
            [index.data(ID_ROLE)]))
        menu.exec(self.viewport().mapToGlobal(position))

    def set_articles(self, articles: list[dict], current: int | None = None) -> None:
        self.set_source(RowSource.from_rows(articles), current)

    def set_source(self, source: RowSource, current: int | None = None, *,
                   total: int | None = None, exact: bool = True) -> None:
        """Show another list (see :meth:`ArticleListModel.set_source`);
        select ``current`` if it is in it."""
        self.list_model.set_source(source, total, exact=exact)
        if current is not None:
            self.select_article(current)

    def select_article(self, article_id: int, *, within: int | None = None) -> bool:
        """Make an article current (scrolling to it); False if it is not
        listed — or, with ``within``, not among the list's first ``within``
        rows (then only those are looked through: finding a far row walks
        the whole list's order)."""
        row = self.list_model.row_of(article_id, within=within)
        if row is None:
            return False
        index = self.list_model.index(row)
        self.setCurrentIndex(index)
        self.scrollTo(index)
        return True

    def current_article_id(self) -> int | None:
        index = self.currentIndex()
        return index.data(ID_ROLE) if index.isValid() else None

    def _current_changed(self, current, _previous) -> None:
        if current.isValid():
            self.articleSelected.emit(current.data(ID_ROLE))
