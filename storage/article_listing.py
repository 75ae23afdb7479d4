"""One search's article list, as the window reads it: each answer read once.

Showing a query used to ask SQLite three things — the count, the first page,
and whether the current article is near the top — and each answer built the
filters' id sets again (an FTS5 prefix over 70,000 articles, a frequent
speaker's 11,000 quotes: 15–40 ms each on 100,000 articles). An
:class:`ArticleListing` (a :class:`storage.listing_head.HeadListing`) walks
the list's order once for its first ``HEAD`` ids; the first pages and "is it
near the top" come from them, and when the list is shorter than that, so
does the count. Only a longer filtered list needs
:func:`storage.article_query.count_articles` (the whole corpus is counted at
once), which a caller may run on a connection of its own (another thread)
and hand back with :meth:`ArticleListing.set_count`.
"""

from __future__ import annotations

from storage.article_query import (article_page, article_position, count_articles,
                                   first_ids, rows_of)
from storage.listing_head import HeadListing


class ArticleListing(HeadListing):
    """The rows of one :class:`storage.article_query.ArticleQuery`, read
    lazily and at most once each (see :class:`HeadListing`)."""

    def first_ids(self, limit: int) -> list[int]:
        return first_ids(self.db, self.query, limit)

    def count_all(self) -> int:
        return count_articles(self.db, self.query)

    def rows_of(self, ids: list[int]) -> list[dict]:
        return rows_of(self.db, ids, self.query.analysts)

    def read_page(self, offset: int, limit: int) -> list[dict]:
        return article_page(self.db, self.query, offset, limit)

    def find_position(self, row_id: int, within: int | None) -> int | None:
        return article_position(self.db, self.query, row_id, within)
