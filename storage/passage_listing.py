"""The Passages workspace's list: every passage of the corpus, filtered and
sorted in SQL and read a page at a time.

A :class:`PassageQuery` narrows the passages by tag (a tag includes the
tags under it unless ``tag_children`` is off), article, source, published
date range, analyst, speaker (the passage overlaps a quote of theirs found
by an analysis of the article's current text), the article's review status and words in the
note (FTS5, the same index and reading of the words — a word of Chinese,
Thai… inside a longer run too — as the article list's note search). ``analysts``
is not a filter the analyst picks but whose passages the window shows (blind
coding): the other analysts' passages are not listed, counted or exported.
:func:`count_passages` counts them, :func:`passage_page` reads one page of
rows (never an article's text) and :func:`passage_ids` every id, for
"Export these…" (:class:`storage.export_selection.PassageFilter` takes
them). A filter needs the ``articles`` table only when it tests an
article's column, so the common filters (tag, analyst, article, note) count
from the passages' own indexes.

The workspace reads a query through a :class:`PassageListing` (a
:class:`storage.listing_head.HeadListing`, as the article list does): the
list's first 1,000 ids come from :func:`first_ids`, which in the article
order walks the passages along an index and stops there when the filters
admit many (:func:`_head_query`), so a filter change never waits for every
match; the count of a longer list is read in a worker.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from sqlite_utils import Database

from storage.article_query import (AFTER_ALL, REVIEW_FILTERS, SearchError, after_day,
                                   analyst_clause, fts_expression, run_search,
                                   source_value)
from storage.database import local_days
from storage.listing_head import HEAD, HeadListing
from storage.schema import NOTES_FTS, current_analysis_sql
from storage import speaker_corrections
from storage.entity_index import entity_key
from storage.tags import descendant_ids

#: name → (ORDER BY expression with ``{d}`` for the direction, whether it
#: runs descending unless reversed: newest first); each ends with the id, so
#: that passages at one place keep one order from page to page)
SORTS = {
    "article": ("p.article_id {d}, p.start {d}, p.id {d}", False),
    "date": ("ifnull(a.published, '') {d}, p.article_id {d}, p.start {d}, p.id {d}",
             True),
    "title": ("a.title COLLATE NOCASE {d}, p.article_id {d}, p.start {d}, p.id {d}", False),
    "tag": ("t.name COLLATE NOCASE {d}, p.article_id {d}, p.start {d}, p.id {d}", False),
    "analyst": ("p.analyst COLLATE NOCASE {d}, p.id {d}", False),
    "tagged": ("p.created_at {d}, p.id {d}", True),
    "note": ("p.note = '' {d}, p.note COLLATE NOCASE {d}, p.id {d}", False),
    "text": ("p.text COLLATE NOCASE {d}, p.id {d}", False),
}

#: The columns of a row.
ROW_COLUMNS = ("id", "article_id", "tag_id", "start", "end", "text", "prefix", "suffix",
               "note", "analyst", "created_at", "anchor", "tag", "color", "title",
               "published", "source", "review_status")

#: (the article's title comes first in its row; its date, source and status
#: come after the text, so they are read from ``articles_filter_values``)
_SELECT = """SELECT p.id, p.article_id, p.tag_id, p.start, p.end, p.text, p.prefix,
    p.suffix, p.note, p.analyst, p.created_at, p.anchor, t.name, t.color, a.title,
    fa.published, fa.source, fa.review_status
    FROM passages p JOIN tags t ON t.id = p.tag_id JOIN articles a ON a.id = p.article_id
    JOIN articles fa INDEXED BY articles_filter_values ON fa.id = p.article_id"""


#: What the date range of a :class:`PassageQuery` applies to.
DATES_OF = ("published", "tagged")


def _range(q: "PassageQuery") -> tuple[str, str]:
    """The date range as ``[since, until)`` ISO bounds (a missing one: ""),
    checked: a bad date or a reversed range is a :class:`SearchError`. The
    upper bound is the article list's (``article_query.after_day``): above
    any time of 9999-12-31, a placeholder date, which has no day after."""
    since = _day(q.since, "From") if q.since else ""
    last = _day(q.until, "To") if q.until else ""
    if since and last and since > last:
        raise SearchError(f"From {since} is after To {last}: no date is in between.")
    return since, after_day(last) if last else ""


def _tagged_range(q: "PassageQuery") -> tuple[str, str]:
    """The date range of the days passages were tagged, in the analyst's
    time zone, as ``[since, until)`` bounds of the stored ``created_at``
    (:func:`storage.database.local_days`; checked as :func:`_range`)."""
    _range(q)
    return local_days(date.fromisoformat(q.since.strip()) if q.since else None,
                      date.fromisoformat(q.until.strip()) if q.until else None)


@dataclass(frozen=True)
class PassageQuery:
    """Which passages the workspace lists, and in what order; empty fields do
    not filter."""

    tag_id: int | None = None
    tag_children: bool = True
    article_id: int | None = None   # (0, an id no article has: none's)
    source: str = ""       # article_query.NO_SOURCE: the articles without one
    since: str = ""        # YYYY-MM-DD, on the date ``date_of`` names
    until: str = ""
    #: "published" (the article's date) or "tagged" (when the passage was
    #: tagged: "what was coded this week")
    date_of: str = "published"
    analyst: str = ""
    speaker: str = ""
    review: str = ""       # a key of storage.article_query.REVIEW_FILTERS
    note: str = ""         # words in the note (FTS5 syntax, as the article search)
    #: whose passages the window shows (blind coding; empty: everybody's)
    analysts: tuple[str, ...] = ()
    sort: str = "article"
    descending: bool | None = None

    def __post_init__(self) -> None:
        # a list given (as from the window's settings) would make the query unhashable
        object.__setattr__(self, "analysts", tuple(self.analysts))
        if self.sort not in SORTS:
            raise ValueError(f"sort must be one of {sorted(SORTS)}, not {self.sort!r}")
        if self.review and self.review not in REVIEW_FILTERS:
            raise ValueError(f"review must be one of {sorted(REVIEW_FILTERS)}")
        if self.date_of not in DATES_OF:
            raise ValueError(f"date_of must be one of {DATES_OF}, not {self.date_of!r}")

    @property
    def is_descending(self) -> bool:
        return SORTS[self.sort][1] if self.descending is None else self.descending

    def is_filtered(self) -> bool:
        """Whether the query leaves any passage out (the shown analysts too)."""
        return bool(self.tag_id is not None or self.article_id is not None
                    or self.source.strip() or self.since or self.until
                    or self.analyst.strip() or self.analysts or self.speaker.strip() or self.review
                    # (whether the note search says anything: the same without db)
                    or fts_expression(self.note))


def _day(value: str, what: str) -> str:
    try:
        return date.fromisoformat(value.strip()).isoformat()
    except ValueError:
        raise SearchError(f"{what} “{value}” is not a date like 2024-06-17.") from None


@dataclass(frozen=True)
class _ArticleFilter:
    """One article-level filter, two ways: ``id_set`` selects the ids of the
    articles it admits (or, ``negated``, of those it leaves out) from an index
    of ``articles``; ``test`` is the same condition on ``fa``, the article's
    entry in the narrow index ``articles_filter_values``."""

    id_set: str
    test: str
    params: tuple
    negated: bool = False

    def clause(self) -> str:
        return f"p.article_id {'NOT IN' if self.negated else 'IN'} ({self.id_set})"


def _article_filters(q: PassageQuery) -> list[_ArticleFilter]:
    filters = []
    if q.source.strip():
        filters.append(_ArticleFilter(
            "SELECT id FROM articles INDEXED BY articles_by_source "
            "WHERE ifnull(source, '') COLLATE NOCASE = ?",
            "ifnull(fa.source, '') COLLATE NOCASE = ?", (source_value(q.source),)))
    if (q.since or q.until) and q.date_of == "published":
        # two bounds the index answers alone; undated articles ('') are
        # below any lower bound
        since, until = _range(q)
        until = until or AFTER_ALL      # above every date, 9999-12-31 included
        bounds = (f"ifnull({{0}}published, '') {'>= ?' if q.since else '> ?'} "
                  f"AND ifnull({{0}}published, '') < ?")
        filters.append(_ArticleFilter(
            "SELECT id FROM articles INDEXED BY articles_by_published WHERE "
            + bounds.format(""), bounds.format("fa."), (since, until)))
    if q.review:
        statuses = REVIEW_FILTERS[q.review]
        marks = ", ".join("?" * len(statuses))
        # most articles are new: the few that are not make the smaller set
        # (all 100,000 new: 26 ms instead of 73)
        negated = "new" in statuses
        filters.append(_ArticleFilter(
            "SELECT id FROM articles INDEXED BY idx_articles_review_status WHERE "
            f"review_status {'NOT IN' if negated else 'IN'} ({marks})",
            f"fa.review_status IN ({marks})", statuses, negated))
    return filters


#: The speaker filter: the passages overlapping a quote of the speaker as
#: the analyst sees it (as the reader, the Speakers tab, the article list
#: and the exports show it), for each name shown as that speaker
#: (:func:`_shown_as`). From the name's quotes (start and end in the index)
#: to their analysis, then to the passages of that article overlapping one;
#: only those few are checked to be of the article's current analysis (an
#: older one of the same text, left by an analysis again under a newer
#: pipeline, is shown nowhere: the test is on ``sart``, made after the
#: passages' join, so it is not made for each of the name's quotes). A quote
#: whose speaker the analyst set, or marked as not a quote, counts by its
#: correction instead, found through the corrections' own speaker index —
#: a speaker set on a quote the current analysis no longer has at those
#: offsets only if the analyst marked it as a quote (as the reader shows it).
_SPEAKER_ANALYSED_ALL = """SELECT sp.id FROM quotes sq INDEXED BY quotes_by_speaker
    CROSS JOIN analyses sa ON sa.id = sq.analysis_id
    CROSS JOIN passages sp INDEXED BY passages_by_article_span
        ON sp.article_id = sa.article_id AND sp.start < sq.end AND sp.end > sq.start
    CROSS JOIN articles sart INDEXED BY idx_articles_text_hash
        ON sart.text_hash = sa.text_hash AND sart.id = sa.article_id
    WHERE sq.speaker = ? COLLATE NOCASE
    AND sa.id = """ + current_analysis_sql("sart.id")
#: the same, leaving out the quotes a correction speaks for
_SPEAKER_ANALYSED = _SPEAKER_ANALYSED_ALL + """ AND NOT EXISTS (
        SELECT 1 FROM quote_corrections k WHERE k.text_hash = sa.text_hash
        AND k.start = sq.start AND k.end = sq.end
        AND (k.is_quote = 0 OR k.speaker IS NOT NULL))"""
_SPEAKER_CORRECTED = """SELECT sp.id FROM quote_corrections k
        INDEXED BY quote_corrections_by_speaker
    CROSS JOIN articles sart INDEXED BY idx_articles_text_hash
        ON sart.text_hash = k.text_hash
    CROSS JOIN passages sp INDEXED BY passages_by_article_span
        ON sp.article_id = sart.id AND sp.start < k.end AND sp.end > k.start
    WHERE k.speaker = ? COLLATE NOCASE AND k.is_quote = 1
    AND (k.marked = 1 OR EXISTS (SELECT 1 FROM quotes kx
        WHERE kx.analysis_id = """ + current_analysis_sql("sart.id") + """
        AND kx.start = k.start AND kx.end = k.end))"""


def _shown_as(db: Database, speaker: str) -> list[str]:
    """The names (lower case) shown as ``speaker``: its own and the names
    merged into it. A name merged into another is that other's: its names
    (an old name found nothing, saying nothing)."""
    merged_into = speaker_corrections.resolve(db, speaker) or speaker
    return speaker_corrections.names_of(db, merged_into)


def _speaker_set(db: Database, speaker: str) -> tuple[str, list]:
    """The ids of the passages the speaker filter admits, and its parameters."""
    names = _shown_as(db, speaker)
    if not names:
        return "SELECT NULL WHERE 0", []
    if db.execute("SELECT 1 FROM quote_corrections LIMIT 1").fetchone() is None:
        # no quote corrected anywhere: the analysed speakers alone, with no
        # look-up of a correction per quote
        return " UNION ALL ".join([_SPEAKER_ANALYSED_ALL] * len(names)), list(names)
    parts = [part for _ in names for part in (_SPEAKER_ANALYSED, _SPEAKER_CORRECTED)]
    return " UNION ALL ".join(parts), [n for n in names for _ in range(2)]


def _tag_ids(db: Database, q: PassageQuery) -> list[int]:
    """The tags the tag filter admits: the tag, and unless ``tag_children``
    is off every tag below it."""
    if not q.tag_children:
        return [q.tag_id]
    return sorted(descendant_ids(db, [q.tag_id]))


def _clauses(db: Database, q: PassageQuery, *,
             article_tests: bool = False) -> tuple[list[str], list]:
    """WHERE clauses over ``passages p`` and their parameters. Each
    article-level filter is a set of article ids read from an index of
    ``articles`` (as the article list reads them), so no article row is
    read for a passage that the set leaves out — or, with
    ``article_tests``, a test of the article's ``articles_filter_values``
    entry (see :func:`_head_query`)."""
    clauses, params = [], []
    if q.tag_id is not None:
        tag_ids = _tag_ids(db, q)
        clauses.append(f"p.tag_id IN ({', '.join('?' * len(tag_ids))})")
        params += tag_ids
    if q.article_id is not None:
        clauses.append("p.article_id = ?")
        params.append(q.article_id)
    if q.analyst.strip():
        clauses.append("p.analyst = ?")
        params.append(q.analyst.strip())
    whose, whose_params = analyst_clause(q.analysts)
    if whose:
        clauses.append(whose.removeprefix(" AND "))
        params += whose_params
    if (q.since or q.until) and q.date_of == "tagged":
        since, until = _tagged_range(q)
        if since:
            clauses.append("p.created_at >= ?")
            params.append(since)
        if until:
            clauses.append("p.created_at < ?")
            params.append(until)
    # (with db: a word of Chinese, Thai… is found inside a longer run of
    # such text, as the article search in notes finds it)
    expression = fts_expression(q.note, db)
    if expression:
        clauses.append(f"p.id IN (SELECT rowid FROM {NOTES_FTS} WHERE {NOTES_FTS} MATCH ?)")
        params.append(expression)
    articles = _article_filters(q)
    if article_tests and articles:
        # a correlated look-up per passage (as a join, SQLite would first
        # build a Bloom filter over every article row)
        clauses.append("EXISTS (SELECT 1 FROM articles fa INDEXED BY articles_filter_values "
                       "WHERE fa.id = p.article_id AND "
                       + " AND ".join(c.test for c in articles) + ")")
    else:
        clauses += [c.clause() for c in articles]
    for condition in articles:
        params += condition.params
    if q.speaker.strip():
        speakers, speaker_params = _speaker_set(db, q.speaker.strip())
        clauses.append(f"p.id IN ({speakers})")
        params += speaker_params
    return clauses, params


def _where(clauses: list[str]) -> str:
    return "WHERE " + " AND ".join(clauses) if clauses else ""


def _run(db: Database, sql: str, params: list):
    return run_search(db, sql, params, what="the notes for that")


def undated_left_out(db: Database, q: PassageQuery) -> int:
    """How many passages a published-date range leaves out because their
    article has no date (the rest of the query applying): said beside the
    count, as the article list and exports do. 0 without such a range."""
    if not (q.since or q.until) or q.date_of != "published":
        return 0
    clauses, params = _clauses(db, replace(q, since="", until=""))
    clauses.append("p.article_id IN (SELECT id FROM articles INDEXED BY articles_by_published "
                   "WHERE ifnull(published, '') = '')")
    return _run(db, f"SELECT count(*) FROM passages p {_where(clauses)}", params).fetchone()[0]


def count_passages(db: Database, q: PassageQuery = PassageQuery()) -> int:
    """How many passages the query lists."""
    clauses, params = _clauses(db, q)
    return _run(db, f"SELECT count(*) FROM passages p {_where(clauses)}",
                params).fetchone()[0]


def _order(q: PassageQuery) -> str:
    return "ORDER BY " + SORTS[q.sort][0].format(d="DESC" if q.is_descending else "ASC")


def _ordered_ids(db: Database, q: PassageQuery) -> tuple[str, list]:
    """A SELECT of the listed passages' ids in the list's order; it joins
    ``tags`` and ``articles`` only when the order needs them."""
    clauses, params = _clauses(db, q)
    order = _order(q)
    joins = (" JOIN tags t ON t.id = p.tag_id" if "t." in order else "") + (
        " JOIN articles a ON a.id = p.article_id" if "a." in order else "")
    return f"SELECT p.id FROM passages p{joins} {_where(clauses)} {order}", params


def _plenty(db: Database, table: str, head: int) -> int:
    """How many admitted rows of ``table`` make walking the list's order for
    its first ``head`` rows quicker than reading every admitted row and
    sorting them: the walk reads about ``head × size / admitted`` rows, the
    other ``admitted`` (the largest id stands for the table's size)."""
    size = db.execute(f"SELECT ifnull(max(id), 0) FROM {table}").fetchone()[0]
    return max(head, int((head * size) ** 0.5))


def _admits_plenty(db: Database, condition: _ArticleFilter, head: int) -> bool:
    """Whether an article-level filter admits plenty of articles (counted
    in its index, up to that many)."""
    if condition.negated:       # it admits all but a set
        return False
    needed = _plenty(db, "articles", head)
    return db.execute(f"SELECT count(*) FROM ({condition.id_set} LIMIT {needed})",
                      list(condition.params)).fetchone()[0] >= needed


def _head_query(db: Database, q: PassageQuery, head: int) -> tuple[str, list]:
    """The SELECT of the list's ids that finds its first ``head`` soonest. In the
    article order, when the filters admit plenty of passages (a common tag,
    a wide date range, a big source), it walks the passages in that order
    along an index holding what the filters test (one tag's own index holds
    its passages in that order), the article-level ones on the narrow
    ``articles_filter_values`` index, and stops at its LIMIT; when a few
    tags admit few, it reads them from the tag index and sorts them;
    otherwise it is :func:`_ordered_ids`."""
    if q.sort != "article" or q.article_id is not None or q.speaker.strip() \
            or fts_expression(q.note):  # (only whether it is empty: no db)
        return _ordered_ids(db, q)
    articles = _article_filters(q)
    # whose passages: the analyst filter, or the analysts shown (blind coding);
    # one analyst's passages are in article order in their own index, several
    # analysts' are not (each passage of the walk is tested instead)
    whose = bool(q.analyst.strip() or q.analysts)
    one_analyst = bool(q.analyst.strip()) or len(q.analysts) == 1
    index = "passages_by_analyst" if one_analyst else "passages_by_article_span"
    if q.tag_id is not None:
        tag_ids = _tag_ids(db, q)
        admitted = sum(r[0] for r in db.execute(     # kept by triggers (0007)
            f"SELECT passage_count FROM tags WHERE id IN ({', '.join('?' * len(tag_ids))})",
            tag_ids))
        if len(tag_ids) == 1 and not one_analyst:
            index = "passages_by_tag_article"  # one tag's passages in list order
        elif admitted < _plenty(db, "passages", head):
            if whose or articles:
                return _ordered_ids(db, q)
            clauses, params = _clauses(db, q)  # a few tags' few passages, sorted
            return (f"SELECT p.id FROM passages p INDEXED BY passages_by_tag_article "
                    f"{_where(clauses)} {_order(q)}", params)
    elif not articles and not whose:
        return _ordered_ids(db, q)          # the whole corpus: its own index
    if not all(_admits_plenty(db, condition, head) for condition in articles):
        return _ordered_ids(db, q)
    clauses, params = _clauses(db, q, article_tests=True)
    return f"SELECT p.id FROM passages p INDEXED BY {index} {_where(clauses)} {_order(q)}", params


def first_ids(db: Database, q: PassageQuery, limit: int) -> list[int]:
    """The ids of the list's first ``limit`` rows, in order, by
    :func:`_head_query`. (LIMIT is written out: SQLite plans a
    bound LIMIT as a small one and walks the order even for a rare tag.)"""
    ids_sql, params = _head_query(db, q, limit)
    return [r[0] for r in _run(db, f"{ids_sql} LIMIT {int(limit)}", params)]


def passage_page(db: Database, q: PassageQuery, offset: int, limit: int) -> list[dict]:
    """Rows ``offset`` … ``offset + limit - 1`` (columns :data:`ROW_COLUMNS`):
    the page's ids first, from the passages' indexes, then the rows of just
    those (so an article row is read for the page's passages only)."""
    ids_sql, params = _ordered_ids(db, q)
    ids = [r[0] for r in _run(db, f"{ids_sql} LIMIT {int(limit)} OFFSET {int(offset)}",
                              params)]
    return rows_of(db, ids)


def rows_of(db: Database, ids: list[int]) -> list[dict]:
    """The rows (columns :data:`ROW_COLUMNS`) of these passages, in this order."""
    if not ids:
        return []
    rows = {row[0]: dict(zip(ROW_COLUMNS, row)) for row in db.execute(
        f"{_SELECT} WHERE p.id IN ({', '.join('?' * len(ids))})", ids)}
    return [rows[i] for i in ids if i in rows]


def passage_ids(db: Database, q: PassageQuery) -> list[int]:
    """The ids of every listed passage, in the list's order."""
    ids_sql, params = _ordered_ids(db, q)
    return [r[0] for r in _run(db, ids_sql, params)]


def passage_position(db: Database, q: PassageQuery, passage_id: int,
                     within: int | None = None) -> int | None:
    """The row of ``passage_id`` in the list, or None if it is not listed
    (or, with ``within``, not among the first ``within`` rows)."""
    ids = first_ids(db, q, within) if within is not None else passage_ids(db, q)
    try:
        return ids.index(passage_id)
    except ValueError:
        return None


#: Orders an index walks (the article order, time tagged): their head is
#: :data:`storage.listing_head.HEAD` ids. The others sort every admitted
#: passage, and a longer head only makes that sort keep more of them: their
#: head is one page.
WALKED_SORTS = ("article", "tagged")
SORTED_HEAD = 100


class PassageListing(HeadListing):
    """One query's list as the workspace reads it (see
    :class:`storage.listing_head.HeadListing`): the first ids in one walk,
    the count from them when the list is short, else by :meth:`count`
    (or a worker's :meth:`set_count`)."""

    def __init__(self, db: Database, query: PassageQuery, head: int | None = None):
        if head is None:
            head = HEAD if query.sort in WALKED_SORTS else SORTED_HEAD
        super().__init__(db, query, head)

    def first_ids(self, limit: int) -> list[int]:
        return first_ids(self.db, self.query, limit)

    def count_all(self) -> int:
        return count_passages(self.db, self.query)

    def rows_of(self, ids: list[int]) -> list[dict]:
        return rows_of(self.db, ids)

    def read_page(self, offset: int, limit: int) -> list[dict]:
        return passage_page(self.db, self.query, offset, limit)

    def find_position(self, row_id: int, within: int | None) -> int | None:
        return passage_position(self.db, self.query, row_id, within)
