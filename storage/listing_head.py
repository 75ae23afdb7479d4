"""A lazily read list (the article list, the Passages workspace) that walks
its order once per query for its first :data:`HEAD` ids.

Showing a query used to ask SQLite for the count, then the first page, and
each answer built the filters' id sets again; on 100,000 articles or 200,000
passages the count of a long filtered list is the slow part (every match is
visited). A :class:`HeadListing` reads the first ids of the list in one walk
of the order's index that stops after them: the first pages and "is it near
the top" come from them, and when the list is shorter than that, so does the
count. Only a longer filtered list needs a count query, which a caller may
run on a connection of its own (another thread) and hand back with
:meth:`HeadListing.set_count`; meanwhile :meth:`HeadListing.lower_bound`
says "at least this many".

A subclass says how its rows are read: :meth:`HeadListing.first_ids`,
:meth:`HeadListing.count_all`, :meth:`HeadListing.rows_of`,
:meth:`HeadListing.read_page` and :meth:`HeadListing.find_position`.
"""

from __future__ import annotations

from sqlite_utils import Database

#: How many of a list's first ids are read at once (pages of 100: the first
#: ten pages, and "the current row stays current if it is among them").
HEAD = 1000


class HeadListing:
    """The rows of one query, read lazily and at most once each. Building one
    reads the head (and raises what the query raises, e.g.
    :class:`storage.article_query.SearchError` for a search FTS5 refuses)."""

    def __init__(self, db: Database, query, head: int = HEAD):
        self.db, self.query, self.head_size = db, query, head
        self._head = self.first_ids(head)
        self._positions = {row_id: row for row, row_id in enumerate(self._head)}
        self._count: int | None = None
        if len(self._head) < head:
            self._count = len(self._head)
        elif not query.is_filtered():       # SQLite counts a whole table at once
            self._count = self.count_all()

    # -- what a subclass reads -----------------------------------------
    def first_ids(self, limit: int) -> list[int]:
        """The ids of the list's first ``limit`` rows, in order."""
        raise NotImplementedError

    def count_all(self) -> int:
        """The number of rows the query lists (a query)."""
        raise NotImplementedError

    def rows_of(self, ids: list[int]) -> list[dict]:
        """The rows of these ids, in this order."""
        raise NotImplementedError

    def read_page(self, offset: int, limit: int) -> list[dict]:
        """Rows ``offset`` … ``offset + limit - 1``, read by the query."""
        raise NotImplementedError

    def find_position(self, row_id: int, within: int | None) -> int | None:
        """The row of ``row_id`` found by the query (see :meth:`position`)."""
        raise NotImplementedError

    # -- what the list reads ---------------------------------------------
    def known_count(self) -> int | None:
        """The number of listed rows if known without another query."""
        return self._count

    def lower_bound(self) -> int:
        """At least this many rows are listed."""
        return self._count if self._count is not None else len(self._head)

    def set_count(self, count: int) -> None:
        """The count, read elsewhere (e.g. by a worker on its own connection)."""
        self._count = count

    def count(self) -> int:
        """The number of listed rows (a query when the list is long)."""
        if self._count is None:
            self._count = self.count_all()
        return self._count

    def head_is_whole(self) -> bool:
        """Whether the head holds every listed row."""
        return self._count == len(self._head)

    def page(self, offset: int, limit: int) -> list[dict]:
        """Rows ``offset`` … ``offset + limit - 1``: from the head's ids when
        it holds them, else read by the query."""
        if offset + limit <= len(self._head) or self.head_is_whole():
            return self.rows_of(self._head[offset:offset + limit])
        return self.read_page(offset, limit)

    def position(self, row_id: int, within: int | None = None) -> int | None:
        """The row of ``row_id``, or None if it is not listed (or, with
        ``within``, not among the first ``within`` rows)."""
        row = self._positions.get(row_id)
        if row is not None:
            return row if within is None or row < within else None
        if (within is not None and within <= len(self._head)) or self.head_is_whole():
            return None          # the head holds every row it could be
        return self.find_position(row_id, within)
