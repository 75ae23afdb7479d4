"""The article list as a query: search, filters, sort order, and pages of rows.

An :class:`ArticleQuery` says which articles the list shows and in what
order; :func:`count_articles`, :func:`article_page` and
:func:`article_position` answer it with a bounded amount of work each, so the
list never reads the whole corpus. Search uses the FTS5 index ``articles_fts``
(migration 0005) over title and text: words (all must occur), ``"exact
phrases"``, ``prefix*``, ``OR`` and ``-left out``; :func:`fts_expression` turns what the
analyst typed into a safe FTS5 expression, and :func:`search_matches` gives the
code-point ranges the search matched in one article, for highlighting. The
search can look instead (or as well) in the analyst's own words — article memos
and passage notes (``memos_fts``, ``passage_notes_fts``, migration 0009);
:func:`note_matches` says which of an article's notes matched.

Entity and speaker filters look at analyses of the article's current text,
through their per-article summaries: ``article_entities`` (migration 0008),
for the typed name — of an entity the analyst merged (a canonical entity's
name), its aliases, key and label, not a namesake of another label; of a
name that is an alias, the name and its entity's aliases, any label; of
“Name (LABEL)”, as the Entities tab writes a row, that entity of that label
only (``storage.entity_index.labelled_filter``) — and ``article_speakers``
(migration 0010).

How the work stays bounded at 100,000 articles: a filter is a set of ids
tested as ``+a.id IN (…)`` while an index is walked in the list's order (the
unary plus stops SQLite from turning the set into thousands of index probes);
a page stops after its rows; a count of one filter alone counts that set;
keeping the current article asks only whether it is among the first rows.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace
from datetime import date, timedelta

from sqlite_utils import Database

from storage import search_runs
from storage.entity_index import count_articles_with, entity_filter, filter_clause
from storage.review import STATUSES
from storage.schema import ARTICLES_FTS, MEMOS_FTS, NOTES_FTS
# the list filters by assignments, and a step that changed them must say so
import storage.assignments  # noqa: E402,F401  (registers its kind of change)
from storage.tags import subtree_sql

#: name → (SQL sort expression over ``a``, natural direction is descending,
#: the index of migration 0005 that holds it)
SORTS = {
    "imported": ("a.id", False, "articles_by_id"),
    "published": ("ifnull(a.published, '')", True, "articles_by_published"),
    "title": ("a.title COLLATE NOCASE", False, "articles_by_title"),
    "source": ("ifnull(a.source, '') COLLATE NOCASE", False, "articles_by_source"),
    "passages": ("a.passage_count", True, "articles_by_passage_count"),
}

#: The columns of a list row (never the text).
ROW_COLUMNS = ("id", "title", "source", "author", "published", "url", "filename",
               "imported_at", "passage_count", "review_status")

#: Review filter choices beyond the statuses themselves: name → statuses.
REVIEW_FILTERS = {**{s: (s,) for s in STATUSES},
                  "not done": tuple(s for s in STATUSES if s != "done")}
#: Where the search looks: the articles' title and text, the analyst's
#: notes and memos, or both.
SEARCH_SCOPES = ("text", "notes", "all")

_TOKEN = re.compile(r'(-?)"([^"]*)"?|(\S+)')
_NOT_WORD = re.compile(r"\W")


def _separator(match: re.Match) -> str:
    """A character ``\\W`` found between words: a space, unless it is a
    combining mark (category M: an accent written after its letter, a
    Devanagari or Thai vowel sign). A mark is left in its word for FTS5 to
    tokenise as it tokenised the text: the accents it folds (U+0301) join
    their letter, the marks unicode61 counts as separators split there in
    both. Splitting them here made “résumé” decomposed the phrase “re sume”."""
    return match.group() if unicodedata.category(match.group())[0] == "M" else " "


def search_words(text: str) -> list[str]:
    """The words of ``text`` for an FTS5 phrase: runs of letters, digits and
    combining marks, NFC-normalised (see :func:`_separator`) — so “résumé”
    copied from a text stored decomposed (e + U+0301) is the word indexed."""
    return _NOT_WORD.sub(_separator, unicodedata.normalize("NFC", text)).split()


class SearchError(ValueError):
    """A search or filter cannot be run; the message is meant for the user."""


#: The source filter's value for the articles without a source — as the
#: Overview's Tags × sources chart labels their column, which a click on it
#: writes into the filter bar.
NO_SOURCE = "(none)"


def source_value(source: str) -> str:
    """The ``ifnull(source, '')`` a source filter looks for: what was typed,
    or '' for :data:`NO_SOURCE` (the Passages list's filter reads it too)."""
    return "" if source.strip() == NO_SOURCE else source.strip()


@dataclass(frozen=True)
class ArticleQuery:
    """Which articles to list, and in what order. Empty fields do not filter."""

    search: str = ""
    tag_id: int | None = None
    tag_children: bool = True   # the tag filter admits the tags below it too
    entity: str = ""
    speaker: str = ""
    source: str = ""     # NO_SOURCE: the articles without one
    since: str = ""      # YYYY-MM-DD, inclusive, on the published date
    until: str = ""      # YYYY-MM-DD, inclusive
    review: str = ""     # a key of REVIEW_FILTERS
    undated: bool = False  # only articles without a published date
    assigned_to: str = ""   # only articles assigned to this analyst
    search_in: str = "text"   # one of SEARCH_SCOPES
    #: whose passages count (blind coding): the tag filter, the note search and
    #: each row's ``passage_count`` see only these analysts' passages; empty:
    #: everybody's. Not a filter of the list by itself.
    analysts: tuple[str, ...] = ()
    sort: str = "imported"
    descending: bool | None = None   # None: the sort's natural direction

    def __post_init__(self) -> None:
        if self.sort not in SORTS:
            raise ValueError(f"sort must be one of {sorted(SORTS)}, not {self.sort!r}")
        if self.review and self.review not in REVIEW_FILTERS:
            raise ValueError(f"review must be one of {sorted(REVIEW_FILTERS)}, "
                             f"not {self.review!r}")
        if self.search_in not in SEARCH_SCOPES:
            raise ValueError(f"search_in must be one of {SEARCH_SCOPES}, "
                             f"not {self.search_in!r}")

    @property
    def is_descending(self) -> bool:
        return SORTS[self.sort][1] if self.descending is None else self.descending

    def entity_only(self) -> bool:
        """Whether an entity is the only filter (the search box empty)."""
        return bool(self.entity.strip()) and not (
            any(fts_terms(self.search)) or self.tag_id is not None or self.review
            or self.speaker.strip() or self.source.strip() or self.since or self.until
            or self.undated or self.assigned_to)

    def is_filtered(self) -> bool:
        return bool(any(fts_terms(self.search)) or self.tag_id is not None or self.entity
                    or self.speaker or self.source or self.since or self.until
                    or self.review or self.undated or self.assigned_to)

    def searches_text(self) -> bool:
        """Whether a search looks in the articles' texts (so matches can be
        marked in the reader)."""
        return any(fts_terms(self.search)) and self.search_in in ("text", "all")

    def searches_notes(self) -> bool:
        return any(fts_terms(self.search)) and self.search_in in ("notes", "all")


def fts_expression(search: str, db: Database | None = None) -> str | None:
    """An FTS5 MATCH expression for what the analyst typed, or None if empty.

    ``"a phrase"`` stays a phrase; ``word*`` is a prefix; ``OR`` between
    terms is kept; ``-word`` or ``-"a phrase"`` leaves out what holds it
    (as in web search engines; FTS5's ``NOT`` needs something to leave it
    out of, so left-out terms alone make no expression: see :func:`fts_terms`);
    everything else is quoted, so no input is a syntax error. Terms with no
    letters or digits are dropped. With ``db``: see :func:`fts_terms`.
    """
    included, left_out = fts_terms(search, db)
    if included and left_out:
        return f"({included}) NOT ({left_out})"
    return included


def fts_terms(search: str, db: Database | None = None) -> tuple[str | None, str | None]:
    """What the analyst typed as two FTS5 expressions: what a match must
    hold (None: nothing asked), and what it must not (the ``-`` terms,
    any of them; None: none). A search over several documents of an
    article (its text, memo and notes) takes out the articles any of whose
    documents holds a left-out term — :func:`fts_expression` says the same
    of one document.

    With ``db``, a word of a script written without spaces (Chinese,
    Japanese, Thai, Khmer…), alone or quoted alone, also matches inside a
    longer run of such text (:func:`storage.search_runs.inside_runs`);
    ``word*`` keeps to the runs beginning with it."""
    parts: list[str] = []
    left_out: list[str] = []
    for match in _TOKEN.finditer(search):
        minus, phrase, word = match.group(1), match.group(2), match.group(3)
        if phrase is not None:
            words = search_words(phrase)
            if words:
                (left_out if minus else parts).append(_term(words, False, db))
            continue
        if word == "OR":
            if parts and parts[-1] != "OR":
                parts.append("OR")
            continue
        prefix = word.endswith("*")
        words = search_words(word)
        if not words:
            continue
        term = _term(words, prefix, db)
        (left_out if word.startswith("-") and len(word) > 1 else parts).append(term)
    while parts and parts[-1] == "OR":
        parts.pop()
    if parts and parts[0] == "OR":
        parts.pop(0)
    return " ".join(parts) or None, " OR ".join(left_out) or None


def _term(words: list[str], prefix: bool, db: Database | None) -> str:
    """One searched term as FTS5 has it: the words as a phrase (a prefix
    with ``prefix``), or — given ``db`` — a lone word of a script written
    without spaces as the indexed runs of text holding it."""
    if db is not None and len(words) == 1 and not prefix and search_runs.is_spaceless(words[0]):
        try:
            return search_runs.inside_runs(db, words[0])
        except search_runs.TooManyTokens as error:
            where = ("This file holds too much text written without spaces to look inside "
                     "its runs" if error.too_much_text else
                     f"“{words[0]}” is inside more than {search_runs.MAX_TOKENS:,} "
                     "different runs of text written without spaces")
            raise SearchError(
                f"{where}: search a longer piece of the text around it, or "
                f"“{words[0]}*” for the runs that begin with it.") from None
    return '"' + " ".join(words) + '"' + ("*" if prefix else "")


def _day(value: str, what: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise SearchError(f"{what} “{value}” is not a date like 2024-06-17.") from None


#: A string above every ``published`` value (ISO dates and date-times): the
#: upper bound of a date range without an end (the Passages list's too).
AFTER_ALL = "\U0010ffff"


def after_day(value: str) -> str:
    """The upper bound (exclusive) of a date range ending on the day
    ``value``: above any time of that day. The day after, except for the
    calendar's last day (9999-12-31, a common placeholder), which has none.
    A bad date is a :class:`SearchError`."""
    day = _day(value, "To")
    if day == date.max:
        return day.isoformat() + AFTER_ALL
    return (day + timedelta(days=1)).isoformat()


#: Articles whose current analysis quotes the parameter (any case), from the
#: per-article summary ``article_speakers`` (migration 0010).
_QUOTING = ("a.id IN (SELECT s.article_id FROM article_speakers s "
            "WHERE lower(s.speaker) = lower(?))")


def _id_sets(q: ArticleQuery, db: Database) -> list[tuple[str, list]]:
    """The search, tag, review, source and date filters as sets of article
    ids (SELECTs each row of which is a distinct id) and their parameters."""
    sets = []
    whose, whose_params = analyst_clause(q.analysts)
    if q.tag_id is not None and q.tag_children:
        sets.append(("SELECT DISTINCT p.article_id FROM passages p WHERE p.tag_id IN "
                     f"({subtree_sql('SELECT ?')})" + whose, [q.tag_id] + whose_params))
    elif q.tag_id is not None:
        sets.append(("SELECT DISTINCT p.article_id FROM passages p WHERE p.tag_id = ?"
                     + whose, [q.tag_id] + whose_params))
    # Each of these is read from an index holding the ids: no article row
    # (which holds the text) is read.
    if q.review:
        statuses = REVIEW_FILTERS[q.review]
        sets.append((f"SELECT id FROM articles INDEXED BY idx_articles_review_status "
                     f"WHERE review_status IN ({', '.join('?' * len(statuses))})",
                     list(statuses)))
    if q.assigned_to:
        sets.append(("SELECT article_id FROM assignments INDEXED BY assignments_by_analyst "
                     "WHERE analyst = ?", [q.assigned_to]))
    if q.source.strip():
        sets.append((f"SELECT id FROM articles INDEXED BY {SORTS['source'][2]} "
                     f"WHERE ifnull(source, '') COLLATE NOCASE = ?", [source_value(q.source)]))
    if q.undated:
        sets.append((f"SELECT id FROM articles INDEXED BY {SORTS['published'][2]} "
                     f"WHERE ifnull(published, '') = ''", []))
    elif q.since or q.until:
        # two range bounds the index answers alone (undated articles, '', are
        # left out by the lower one): no condition is tested on the rows
        lower = ">= ?" if q.since else "> ?"
        since = _day(q.since, "From").isoformat() if q.since else ""
        if since and q.until and since > _day(q.until, "To").isoformat():
            # said, as the Passages workspace says it: "0 articles" alone
            # looked like a search that found nothing
            raise SearchError(f"From {since} is after To {q.until}: no date is in between.")
        until = after_day(q.until) if q.until else AFTER_ALL
        sets.append((f"SELECT id FROM articles INDEXED BY {SORTS['published'][2]} "
                     f"WHERE ifnull(published, '') {lower} AND ifnull(published, '') < ?",
                     [since, until]))
    included, left_out = fts_terms(q.search, db)
    if included or left_out:
        def matching(expression: str) -> tuple[str, list]:
            """The articles any searched document of which matches."""
            parts, params = [], []
            if q.search_in in ("text", "all"):
                parts.append(f"SELECT rowid AS id FROM {ARTICLES_FTS} "
                             f"WHERE {ARTICLES_FTS} MATCH ?")
                params.append(expression)
            if q.search_in in ("notes", "all"):
                parts += [f"SELECT rowid AS id FROM {MEMOS_FTS} WHERE {MEMOS_FTS} MATCH ?",
                          f"SELECT p.article_id AS id FROM passages p WHERE p.id IN "
                          f"(SELECT rowid FROM {NOTES_FTS} WHERE {NOTES_FTS} MATCH ?)" + whose]
                params += [expression, expression] + whose_params
            return " UNION ".join(parts), params
        # ``-term``: out goes the article any searched document of which
        # holds it (a note's word must not bring back an article whose text
        # was left out); with nothing asked, every article but those
        found, params = (matching(included) if included else
                         ("SELECT id FROM articles INDEXED BY idx_articles_text_hash", []))
        if left_out:
            out, out_params = matching(left_out)
            found = f"SELECT id FROM ({found}) EXCEPT SELECT id FROM ({out})"
            params = params + out_params
        sets.append((found, params))
    return sets


def analyst_clause(analysts, alias: str = "p") -> tuple[str, list]:
    """`` AND p.analyst IN (…)`` and its parameters, or nothing for no analysts."""
    if not analysts:
        return "", []
    return (f" AND {alias}.analyst IN ({', '.join('?' * len(analysts))})",
            list(analysts))


def passage_counts(db: Database, article_ids, analysts=()) -> dict[int, int]:
    """Each article's ``passage_count`` as a listed row has it (with
    ``analysts``, only theirs): the rows another change touched, updated
    without reading the list again."""
    ids = list(article_ids)
    count, params = _passage_count_sql(analysts)
    found: dict[int, int] = {}
    for i in range(0, len(ids), 500):
        part = ids[i:i + 500]
        found.update(db.execute(
            f"SELECT a.id, {count} FROM articles a WHERE a.id IN ({', '.join('?' * len(part))})",
            [*params, *part]).fetchall())
    return found


def _passage_count_sql(analysts, alias: str = "a") -> tuple[str, list]:
    """An article's passage count over ``alias`` and its parameters: the
    stored count, or with analysts only theirs (blind coding)."""
    if not analysts:
        return f"{alias}.passage_count", []
    whose, params = analyst_clause(analysts)
    return f"(SELECT count(*) FROM passages p WHERE p.article_id = {alias}.id{whose})", params


def _row_columns(analysts, alias: str = "a") -> tuple[str, list]:
    """The SELECT list of :data:`ROW_COLUMNS` over ``alias``: with analysts,
    ``passage_count`` counts only their passages (blind coding)."""
    if not analysts:
        return ", ".join(f"{alias}.{c}" for c in ROW_COLUMNS), []
    count, params = _passage_count_sql(analysts, alias)
    return ", ".join(f"{count} AS passage_count" if c == "passage_count" else f"{alias}.{c}"
                     for c in ROW_COLUMNS), params


def _filters(q: ArticleQuery, db: Database) -> tuple[list[str], list]:
    """WHERE clauses and their parameters over ``articles a``."""
    clauses, params = [], []
    for id_set, set_params in _id_sets(q, db):
        clauses.append(f"+a.id IN ({id_set})")
        params += set_params
    if q.entity.strip():
        clause, entity_params = filter_clause(db, *entity_filter(db, q.entity))
        clauses.append(clause)
        params += entity_params
    if q.speaker.strip():       # a name merged into another is that other's
        from storage.speaker_corrections import resolve

        clauses.append("+" + _QUOTING)
        params.append(resolve(db, q.speaker.strip()))
    return clauses, params


def _where(q: ArticleQuery, db: Database) -> tuple[str, list]:
    clauses, params = _filters(q, db)
    return ("WHERE " + " AND ".join(clauses) if clauses else ""), params


def _order(q: ArticleQuery) -> str:
    expression, _, _ = SORTS[q.sort]
    direction = "DESC" if q.is_descending else "ASC"
    return f"ORDER BY {expression} {direction}, a.id {direction}"


def _scan(q: ArticleQuery, *, ordered: bool = True) -> str:
    """``articles a``, walked along an index when filtering, so that the
    filters test ids in the index and do not read article rows (which hold
    the texts): the sort order's index for a page (the walk stops after it),
    the ids' own index for a count."""
    if not q.is_filtered():
        return "articles a"
    return f"articles a INDEXED BY {SORTS[q.sort if ordered else 'imported'][2]}"


def id_set(db: Database, q: ArticleQuery) -> tuple[str, list] | None:
    """A SELECT of the ids of the articles ``q`` lists (in no order) and its
    parameters, to be used as ``… IN (sql)``; None when ``q`` filters nothing
    (every article). Used by ``storage.overview`` to count what the list shows."""
    if not q.is_filtered():
        return None
    where, params = _where(q, db)
    return f"SELECT a.id FROM {_scan(q, ordered=False)} {where}", params


def run_search(db: Database, sql: str, params: list, *, what: str = "for that"):
    """``db.execute`` of a query holding a search: an FTS expression FTS5
    still refuses becomes a :class:`SearchError` ("Cannot search ``what``")."""
    try:
        return db.execute(sql, params)
    except Exception as error:
        if "fts5" in str(error).lower():
            raise SearchError(f"Cannot search {what}: {error}") from error
        raise


_run = run_search


def count_articles(db: Database, q: ArticleQuery = ArticleQuery()) -> int:
    """How many articles the query lists (the hit count)."""
    if q.entity_only():   # the entity index holds the articles of each key
        keys, canons, labels = entity_filter(db, q.entity)
        return count_articles_with(db, keys, canons=canons, labels=labels)
    clauses, params = _filters(q, db)
    sets = _id_sets(q, db)
    if len(clauses) == 1 and len(sets) == 1:   # one filter, a set: count the set
        id_set, params = sets[0]
        return _run(db, f"SELECT count(*) FROM ({id_set})", params).fetchone()[0]
    where, params = _where(q, db)
    # the first filter (the search comes last) drives: its ids are looked up
    # in the index, the others tested, instead of walking every article
    where = where.replace("WHERE +a.id IN", "WHERE a.id IN", 1)
    return _run(db, f"SELECT count(*) FROM {_scan(q, ordered=False)} {where}",
                params).fetchone()[0]


def undated_left_out(db: Database, q: ArticleQuery) -> int:
    """How many undated articles the query's published-date range leaves out
    (those that every other filter admits); 0 without a date range."""
    if not (q.since or q.until) or q.undated:
        return 0
    return count_articles(db, replace(q, since="", until="", undated=True))


def article_page(db: Database, q: ArticleQuery, offset: int, limit: int) -> list[dict]:
    """Rows ``offset`` … ``offset + limit - 1`` of the list (columns
    :data:`ROW_COLUMNS`, never the text)."""
    where, params = _where(q, db)
    columns, column_params = _row_columns(q.analysts)
    cursor = _run(db, f"SELECT {columns} FROM articles a WHERE a.id IN "
                      f"(SELECT a.id FROM {_scan(q)} {where} {_order(q)} LIMIT ? OFFSET ?) "
                      f"{_order(q)}", column_params + params + [limit, offset])
    return [dict(zip(ROW_COLUMNS, row)) for row in cursor]


def first_ids(db: Database, q: ArticleQuery, limit: int) -> list[int]:
    """The ids of the list's first ``limit`` rows, in order: one walk of the
    order's index that stops after them (the filters' id sets are built once)."""
    where, params = _where(q, db)
    return [r[0] for r in _run(db, f"SELECT a.id FROM {_scan(q)} {where} {_order(q)} LIMIT ?",
                               params + [limit])]


def rows_of(db: Database, ids: list[int], analysts=()) -> list[dict]:
    """List rows (columns :data:`ROW_COLUMNS`) of these articles, in the order
    given; ids no longer stored are left out. Primary-key look-ups only.
    ``analysts``: as :attr:`ArticleQuery.analysts`."""
    columns, column_params = _row_columns(analysts)
    found: dict[int, dict] = {}
    for offset in range(0, len(ids), 500):        # SQLite's bound parameters
        chunk = ids[offset:offset + 500]
        found.update((row[0], dict(zip(ROW_COLUMNS, row))) for row in db.execute(
            f"SELECT {columns} FROM articles a WHERE a.id IN "
            f"({', '.join('?' * len(chunk))})", column_params + chunk))
    return [found[i] for i in ids if i in found]


def article_position(db: Database, q: ArticleQuery, article_id: int,
                     within: int | None = None) -> int | None:
    """The row of ``article_id`` in the list, or None if the query leaves it
    out — or, with ``within``, if it is not among the first ``within`` rows
    (then only those rows are walked)."""
    if within is not None:
        ids = first_ids(db, q, within)
        return ids.index(article_id) if article_id in ids else None
    where, params = _where(q, db)
    if q.entity_only() and q.sort == "imported":   # ids in the entity index
        if _run(db, f"SELECT 1 FROM articles a {where} AND a.id = ?",
                params + [article_id]).fetchone() is None:
            return None
        keys, canons, labels = entity_filter(db, q.entity)
        if q.is_descending:
            return count_articles_with(db, keys, canons=canons, labels=labels,
                                       after=article_id)
        return count_articles_with(db, keys, canons=canons, labels=labels, before=article_id)
    expression, _, index = SORTS[q.sort]
    row = db.execute(f"SELECT {expression} FROM articles a WHERE a.id = ?",
                     [article_id]).fetchone()
    if row is None:
        return None
    before = "<" if not q.is_descending else ">"
    clause = f"({expression} {before} ? OR ({expression} = ? AND a.id {before} ?))"
    # one walk of the order's index: the rows before it, and whether it is listed
    before_count, listed = _run(
        db, f"SELECT count(*) FILTER (WHERE {clause}), count(*) FILTER (WHERE a.id = ?) "
            f"FROM articles a INDEXED BY {index} {where}",
        [row[0], row[0], article_id, article_id] + params).fetchone()
    return before_count if listed else None


_OPEN, _CLOSE = "\ue000", "\ue001"


def note_matches(db: Database, article_id: int, search: str) -> tuple[set[int], bool]:
    """Which of an article's passages have a note that ``search`` matches,
    and whether its memo does."""
    expression = fts_expression(search, db)
    if not expression:
        return set(), False
    passage_ids = {r[0] for r in _run(
        db, f"SELECT p.id FROM passages p WHERE p.article_id = ? AND p.note != '' AND p.id IN "
            f"(SELECT rowid FROM {NOTES_FTS} WHERE {NOTES_FTS} MATCH ?)",
        [article_id, expression])}
    memo = _run(db, f"SELECT count(*) FROM {MEMOS_FTS} WHERE {MEMOS_FTS} MATCH ? "
                    f"AND rowid = ?", [expression, article_id]).fetchone()[0]
    return passage_ids, bool(memo)


def search_matches(db: Database, article_id: int, search: str) -> list[tuple[int, int]]:
    """Code-point ranges in the article's text that ``search`` matched
    (as FTS5 tokenises it: case and diacritics folded, prefixes, phrases)."""
    expression = fts_expression(search, db)
    if not expression:
        return []
    row = _run(db, f"SELECT highlight({ARTICLES_FTS}, 1, ?, ?) FROM {ARTICLES_FTS} "
                   f"WHERE {ARTICLES_FTS} MATCH ? AND rowid = ?",
               [_OPEN, _CLOSE, expression, article_id]).fetchone()
    if row is None or row[0] is None:
        return []
    marked = row[0]
    ranges, offset, start = [], 0, None
    for piece in re.split(f"([{_OPEN}{_CLOSE}])", marked):
        if piece == _OPEN:
            start = offset
        elif piece == _CLOSE:
            if start is not None and offset > start:
                ranges.append((start, offset))
            start = None
        else:
            offset += len(piece)
    runs = [w for w in search_words(search) if search_runs.is_spaceless(w)]
    if runs:
        text = marked.replace(_OPEN, "").replace(_CLOSE, "")
        ranges = [r for start, end in ranges for r in _within(text, start, end, runs)]
    return ranges


def _within(text: str, start: int, end: int, words: list[str]) -> list[tuple[int, int]]:
    """The places of ``words`` overlapping the matched range ``start``–``end``
    of ``text``; the range itself when none is there. A word found inside a
    run of Chinese or Thai text matches the whole run (one token): only the
    word is marked. (FTS5's range leaves out the marks it cuts at, as a
    Khmer vowel sign ending the word: the word is looked for around it.)"""
    found = set()
    for word in words:
        around = max(0, start - len(word))
        for m in re.finditer(re.escape(word), text[around:end + len(word)]):
            if around + m.start() < end and around + m.end() > start:
                found.add((around + m.start(), around + m.end()))
    return sorted(found) or [(start, end)]
