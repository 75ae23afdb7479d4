"""One search's article list, as the window reads it: each answer read once.

Showing a query used to ask SQLite three things — the count, the first page,
and whether the current article is near the top — and each answer built the
filters' id sets again (an FTS5 prefix over 70,000 articles, a frequent
speaker's 11,000 quotes: 15–40 ms each on 100,000 articles). An
:class:`ArticleListing` walks the list's order once for its first
:data:`HEAD` ids; the first pages and "is it near the top" come from them, and
when the list is shorter than that, so does the count. Only a longer
filtered list needs :func:`storage.article_query.count_articles` (the whole
corpus is counted at once), which a caller may run on a connection of its
own (another thread) and hand back with :meth:`ArticleListing.set_count`.
"""

from __future__ import annotations

from sqlite_utils import Database

from storage.article_query import (ArticleQuery, article_page, article_position,
                                   count_articles, first_ids, rows_of)

#: How many of a list's first ids are read at once (pages of 100: the first
#: ten pages, and "the current article stays current if it is among them").
HEAD = 1000


class ArticleListing:
    """The rows of one :class:`ArticleQuery`, read lazily and at most once each.

    Building one reads the head (and raises
    :class:`storage.article_query.SearchError` for a search FTS5 refuses).
    """

    def __init__(self, db: Database, query: ArticleQuery, head: int = HEAD):
        self.db, self.query, self.head_size = db, query, head
        self._head = first_ids(db, query, head)
        self._positions = {article_id: row for row, article_id in enumerate(self._head)}
        self._count: int | None = None
        if len(self._head) < head:
            self._count = len(self._head)
        elif not query.is_filtered():       # SQLite counts a whole table at once
            self._count = count_articles(db, query)

    def known_count(self) -> int | None:
        """The number of listed articles if known without another query."""
        return self._count

    def lower_bound(self) -> int:
        """At least this many articles are listed."""
        return self._count if self._count is not None else len(self._head)

    def set_count(self, count: int) -> None:
        """The count, read elsewhere (e.g. by a worker on its own connection)."""
        self._count = count

    def count(self) -> int:
        """The number of listed articles (a query when the list is long)."""
        if self._count is None:
            self._count = count_articles(self.db, self.query)
        return self._count

    def page(self, offset: int, limit: int) -> list[dict]:
        """Rows ``offset`` … ``offset + limit - 1`` (see
        :func:`storage.article_query.article_page`)."""
        if offset + limit <= len(self._head) or self._count == len(self._head):
            return rows_of(self.db, self._head[offset:offset + limit],
                           self.query.analysts)
        return article_page(self.db, self.query, offset, limit)

    def position(self, article_id: int, within: int | None = None) -> int | None:
        """The row of ``article_id``, or None if it is not listed (or, with
        ``within``, not among the first ``within`` rows)."""
        row = self._positions.get(article_id)
        if row is not None:
            return row if within is None or row < within else None
        if (within is not None and within <= len(self._head)) or self._count == len(self._head):
            return None          # the head holds every row it could be
        return article_position(self.db, self.query, article_id, within)
