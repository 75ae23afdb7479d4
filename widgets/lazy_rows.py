"""What the two lazy list models (the article list, the Passages workspace)
share: rows read a page at a time from a source, a row count that grows page
by page as the view scrolls (``canFetchMore``/``fetchMore``) — or, with
:attr:`LazyRows.WHOLE`, every row known to the view at once — and a total
that may be a lower bound while the rest is counted elsewhere.

A view told of every row at once has a scroll bar for the whole list: its
thumb is where the row shown is, a drag reaches any row, and only the pages
shown are read. Only a view that lays out rows without asking the model
about each one can be told that (a :class:`QTableView` whose rows have one
height); a ``QListView`` asks the model's row count twice per row at each
layout: 1.4 s for 100,000 rows.

A model mixes :class:`LazyRows` in before its Qt model class, declares
``totalChanged = Signal(int, bool)`` (the total, and whether it is exact)
and calls :meth:`LazyRows.init_rows` in its ``__init__``. Its source needs
``page(offset, limit)`` and ``count()``.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex

from widgets.page_cache import PageCache


class LazyRows:
    """Rows of a source, loaded as the view asks for them."""

    PAGE = 100
    MAX_PAGES = 8
    #: every row known to the view at once (see the module's docstring)
    WHOLE = False

    def init_rows(self, source) -> None:
        self._source = source
        self._total = 0
        self._exact = True
        self._loaded = 0           # rows the view knows of (grows by fetchMore)
        self._pages = PageCache(self.PAGE, self.MAX_PAGES)

    def show_rows(self, source, total: int, *, exact: bool = True,
                  loaded: int | None = None) -> None:
        """Show another list of ``total`` rows (with ``exact`` False, at
        least that many until :meth:`set_total`), ``loaded`` of them known to
        the view (a page unless given)."""
        self.beginResetModel()
        self._source = source
        self._pages.clear()
        self._total, self._exact = total, exact
        self._loaded = total if self.WHOLE else min(
            self.PAGE if loaded is None else loaded, total)
        self.endResetModel()
        self.totalChanged.emit(self._total, exact)

    def set_total(self, source, total: int) -> bool:
        """The exact number of rows of ``source``, counted after it was shown;
        ignored (False) if another list is shown by now."""
        if not self.is_showing(source):
            return False
        if total < self._loaded:       # the corpus shrank meanwhile
            self.beginRemoveRows(QModelIndex(), total, self._loaded - 1)
            self._loaded = total
            self.endRemoveRows()
        elif self.WHOLE and total > self._loaded:    # the rows past the lower bound
            self.beginInsertRows(QModelIndex(), self._loaded, total - 1)
            self._loaded = total
            self.endInsertRows()
        self._total, self._exact = total, True
        self.totalChanged.emit(total, True)
        return True

    def is_showing(self, source) -> bool:
        """Whether ``source``'s rows are the ones shown."""
        return source is self._source

    def total(self) -> int:
        return self._total

    def total_is_exact(self) -> bool:
        """False while the rows are still being counted (:meth:`total` is
        then a lower bound)."""
        return self._exact

    def cached_row_count(self) -> int:
        """How many rows are held in memory now."""
        return sum(len(rows) for rows in self._pages.values())

    def loaded_row(self, row_id: int) -> int | None:
        """The row of the id among the rows held in memory, or None."""
        found = self._pages.find(row_id)
        return None if found is None else found[0]

    def _page(self, number: int) -> list[dict]:
        return self._pages.page(number, self._source.page)

    def _grow(self, count: int) -> None:
        count = min(count, self._total - self._loaded)
        if count <= 0:
            return
        self.beginInsertRows(QModelIndex(), self._loaded, self._loaded + count - 1)
        self._loaded += count
        self.endInsertRows()

    def load_all(self) -> None:
        """Make every row known to the view (End, Ctrl+End went to row 400 of
        100,000): their pages are still read only as they are shown."""
        self._grow(self._total - self._loaded)

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else self._loaded

    def canFetchMore(self, parent=QModelIndex()) -> bool:
        return not parent.isValid() and self._loaded < self._total

    def fetchMore(self, parent=QModelIndex()) -> None:
        if not parent.isValid():
            self._grow(self.PAGE)
