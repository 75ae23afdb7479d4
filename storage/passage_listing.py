"""The Passages workspace's list: every passage of the corpus, filtered and
sorted in SQL and read a page at a time.

A :class:`PassageQuery` narrows the passages by tag (a tag includes the
tags under it unless ``tag_children`` is off), article, source, published
date range, analyst, speaker (the passage overlaps a quote of theirs found
by an analysis of the article's current text), the article's review status and words in the
note (FTS5, the same index the article list's note search uses).
:func:`count_passages` counts them, :func:`passage_page` reads one page of
rows (never an article's text) and :func:`passage_ids` every id, for
"Export these…" (:class:`storage.export_selection.PassageFilter` takes
them). A filter needs the ``articles`` table only when it tests an
article's column, so the common filters (tag, analyst, article, note) count
from the passages' own indexes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlite_utils import Database

from storage.article_query import REVIEW_FILTERS, SearchError, fts_expression, run_search
from storage.schema import NOTES_FTS
from storage.tags import subtree_sql

#: name → (ORDER BY expression with ``{d}`` for the direction, whether it
#: runs descending unless reversed: newest first)
SORTS = {
    "article": ("p.article_id {d}, p.start {d}, p.id {d}", False),
    "date": ("ifnull(a.published, '') {d}, p.article_id {d}, p.start {d}, p.id {d}",
             True),
    "title": ("a.title COLLATE NOCASE {d}, p.article_id {d}, p.start {d}", False),
    "tag": ("t.name COLLATE NOCASE {d}, p.article_id {d}, p.start {d}", False),
    "analyst": ("p.analyst COLLATE NOCASE {d}, p.id {d}", False),
    "tagged": ("p.created_at {d}, p.id {d}", True),
    "note": ("p.note = '' {d}, p.note COLLATE NOCASE {d}, p.id {d}", False),
    "text": ("p.text COLLATE NOCASE {d}, p.id {d}", False),
}

#: The columns of a row.
ROW_COLUMNS = ("id", "article_id", "tag_id", "start", "end", "text", "prefix", "suffix",
               "note", "analyst", "created_at", "anchor", "tag", "color", "title",
               "published", "source", "review_status")

_SELECT = """SELECT p.id, p.article_id, p.tag_id, p.start, p.end, p.text, p.prefix,
    p.suffix, p.note, p.analyst, p.created_at, p.anchor, t.name, t.color, a.title,
    a.published, a.source, a.review_status
    FROM passages p JOIN tags t ON t.id = p.tag_id JOIN articles a ON a.id = p.article_id"""


@dataclass(frozen=True)
class PassageQuery:
    """Which passages the workspace lists, and in what order; empty fields do
    not filter."""

    tag_id: int | None = None
    tag_children: bool = True
    article_id: int | None = None
    source: str = ""
    since: str = ""        # YYYY-MM-DD, on the article's published date
    until: str = ""
    analyst: str = ""
    speaker: str = ""
    review: str = ""       # a key of storage.article_query.REVIEW_FILTERS
    note: str = ""         # words in the note (FTS5 syntax, as the article search)
    sort: str = "article"
    descending: bool | None = None

    def __post_init__(self) -> None:
        if self.sort not in SORTS:
            raise ValueError(f"sort must be one of {sorted(SORTS)}, not {self.sort!r}")
        if self.review and self.review not in REVIEW_FILTERS:
            raise ValueError(f"review must be one of {sorted(REVIEW_FILTERS)}")

    @property
    def is_descending(self) -> bool:
        return SORTS[self.sort][1] if self.descending is None else self.descending

    def is_filtered(self) -> bool:
        return bool(self.tag_id is not None or self.article_id is not None
                    or self.source.strip() or self.since or self.until
                    or self.analyst.strip() or self.speaker.strip() or self.review
                    or fts_expression(self.note))


def _day(value: str, what: str) -> str:
    try:
        return date.fromisoformat(value.strip()).isoformat()
    except ValueError:
        raise SearchError(f"{what} “{value}” is not a date like 2024-06-17.") from None


def _clauses(q: PassageQuery) -> tuple[list[str], list]:
    """WHERE clauses over ``passages p`` and their parameters. Each
    article-level filter is a set of article ids read from an index of
    ``articles`` (as the article list reads them), so no article row is
    read for a passage that the set leaves out."""
    clauses, params = [], []
    if q.tag_id is not None:
        if q.tag_children:
            clauses.append(f"p.tag_id IN ({subtree_sql('SELECT ?')})")
        else:
            clauses.append("p.tag_id = ?")
        params.append(q.tag_id)
    if q.article_id is not None:
        clauses.append("p.article_id = ?")
        params.append(q.article_id)
    if q.analyst.strip():
        clauses.append("p.analyst = ?")
        params.append(q.analyst.strip())
    expression = fts_expression(q.note)
    if expression:
        clauses.append(f"p.id IN (SELECT rowid FROM {NOTES_FTS} WHERE {NOTES_FTS} MATCH ?)")
        params.append(expression)
    if q.source.strip():
        clauses.append("p.article_id IN (SELECT id FROM articles INDEXED BY "
                       "articles_by_source WHERE ifnull(source, '') COLLATE NOCASE = ?)")
        params.append(q.source.strip())
    if q.since or q.until:
        # two bounds the index answers alone; undated articles ('') are
        # below any lower bound
        since = _day(q.since, "From") if q.since else ""
        until = (date.fromisoformat(_day(q.until, "To")) + timedelta(days=1)).isoformat() \
            if q.until else "9"
        clauses.append("p.article_id IN (SELECT id FROM articles INDEXED BY "
                       "articles_by_published WHERE ifnull(published, '') "
                       f"{'>= ?' if q.since else '> ?'} AND ifnull(published, '') < ?)")
        params += [since, until]
    if q.review:
        statuses = REVIEW_FILTERS[q.review]
        marks = ", ".join("?" * len(statuses))
        if "new" in statuses:
            # most articles are new: the few that are not make the smaller set
            # (all 100,000 new: 26 ms instead of 73)
            clauses.append("p.article_id NOT IN (SELECT id FROM articles INDEXED BY "
                           f"idx_articles_review_status WHERE review_status NOT IN ({marks}))")
        else:
            clauses.append("p.article_id IN (SELECT id FROM articles INDEXED BY "
                           f"idx_articles_review_status WHERE review_status IN ({marks}))")
        params += list(statuses)
    if q.speaker.strip():
        # from their quotes (the speaker index) in an analysis of each
        # article's current text to the passages there that overlap one
        clauses.append("""p.id IN (SELECT sp.id FROM quotes sq
            JOIN analyses sa ON sa.id = sq.analysis_id
            JOIN articles sart ON sart.id = sa.article_id AND sart.text_hash = sa.text_hash
            JOIN passages sp ON sp.article_id = sa.article_id AND sp.start < sq.end
                AND sp.end > sq.start
            WHERE sq.speaker = ? COLLATE NOCASE)""")
        params.append(q.speaker.strip())
    return clauses, params


def _where(clauses: list[str]) -> str:
    return "WHERE " + " AND ".join(clauses) if clauses else ""


def _run(db: Database, sql: str, params: list):
    return run_search(db, sql, params, what="the notes for that")


def count_passages(db: Database, q: PassageQuery = PassageQuery()) -> int:
    """How many passages the query lists."""
    clauses, params = _clauses(q)
    return _run(db, f"SELECT count(*) FROM passages p {_where(clauses)}",
                params).fetchone()[0]


def _order(q: PassageQuery) -> str:
    return "ORDER BY " + SORTS[q.sort][0].format(d="DESC" if q.is_descending else "ASC")


def _ordered_ids(q: PassageQuery) -> tuple[str, list]:
    """A SELECT of the listed passages' ids in the list's order; it joins
    ``tags`` and ``articles`` only when the order needs them."""
    clauses, params = _clauses(q)
    order = _order(q)
    joins = (" JOIN tags t ON t.id = p.tag_id" if "t." in order else "") + (
        " JOIN articles a ON a.id = p.article_id" if "a." in order else "")
    return f"SELECT p.id FROM passages p{joins} {_where(clauses)} {order}", params


def passage_page(db: Database, q: PassageQuery, offset: int, limit: int) -> list[dict]:
    """Rows ``offset`` … ``offset + limit - 1`` (columns :data:`ROW_COLUMNS`):
    the page's ids first, from the passages' indexes, then the rows of just
    those (so an article row is read for the page's passages only)."""
    ids_sql, params = _ordered_ids(q)
    ids = [r[0] for r in _run(db, f"{ids_sql} LIMIT ? OFFSET ?", params + [limit, offset])]
    return rows_of(db, ids)


def rows_of(db: Database, ids: list[int]) -> list[dict]:
    """The rows (columns :data:`ROW_COLUMNS`) of these passages, in this order."""
    if not ids:
        return []
    rows = {row[0]: dict(zip(ROW_COLUMNS, row)) for row in db.execute(
        f"{_SELECT} WHERE p.id IN ({', '.join('?' * len(ids))})", ids)}
    return [rows[i] for i in ids if i in rows]


class PassageListing:
    """One query's list as the workspace reads it: :meth:`count` and
    :meth:`page`. A query whose matches are costly to find (the speaker
    filter walks thousands of quotes) is run once for its ids, which then
    give the count and every page; the others count and page in SQL."""

    def __init__(self, db: Database, query: PassageQuery):
        self.db, self.query = db, query
        self._ids: list[int] | None = None
        self._count: int | None = None
        if query.speaker.strip():
            self._ids = passage_ids(db, query)
            self._count = len(self._ids)

    def count(self) -> int:
        if self._count is None:
            self._count = count_passages(self.db, self.query)
        return self._count

    def page(self, offset: int, limit: int) -> list[dict]:
        if self._ids is not None:
            return rows_of(self.db, self._ids[offset:offset + limit])
        return passage_page(self.db, self.query, offset, limit)


def passage_ids(db: Database, q: PassageQuery) -> list[int]:
    """The ids of every listed passage, in the list's order."""
    ids_sql, params = _ordered_ids(q)
    return [r[0] for r in _run(db, ids_sql, params)]


def passage_position(db: Database, q: PassageQuery, passage_id: int) -> int | None:
    """The row of ``passage_id`` in the list, or None if it is not listed."""
    ids = passage_ids(db, q)
    try:
        return ids.index(passage_id)
    except ValueError:
        return None


def analysts(db: Database) -> list[str]:
    """Every analyst who tagged a passage, alphabetically."""
    return [r[0] for r in db.execute(
        "SELECT DISTINCT analyst FROM passages ORDER BY analyst COLLATE NOCASE")]
