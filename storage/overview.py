"""The Overview's counts: SQL aggregates over what the article list shows.

Every function takes the list's :class:`storage.article_query.ArticleQuery`
(None or an unfiltered query: the whole corpus) and returns plain rows; the
query's ``analysts`` (blind coding) limit every count of passages to theirs.
They read summary tables, never the articles' rows (which hold the texts):

- ``article_periods`` (migration 0017): each article's publication month,
  week (its Monday) and source, kept by triggers on ``articles``;
- ``tag_totals`` (migration 0021): the corpus's passages per tag and month,
  week or source, kept by triggers — the unfiltered charts over time and by
  source;
- the index ``passages_by_tag_article`` and ``passages_by_analyst_tag``;
- ``article_speakers`` / ``speaker_counts`` and ``article_entities`` /
  ``entity_counts`` (per article, and corpus totals kept by triggers).

The networks (:func:`speaker_entity_edges`, :func:`entity_cooccurrence_edges`)
read at most :data:`NETWORK_ARTICLES` articles of the list (the newest by id):
what the quotes of a speaker mention needs the entities' offsets, which are
only in the analyses.

Meant to run in a worker on a connection of its own (the GUI never waits).
"""

from __future__ import annotations

from collections import Counter
from itertools import combinations

import numpy as np
from sqlite_utils import Database

from storage import speaker_corrections
from storage.article_query import ArticleQuery, analyst_clause, id_set, run_search
from storage.database import database_version
from storage.entity_index import entity_key
from storage.schema import current_analysis_sql

#: Period units and the ``article_periods`` column holding each.
PERIODS = {"month": "month", "week": "week"}
#: Labels the "most mentioned" chart and the networks count by default.
NAMED = ("PERSON", "ORG", "GPE", "LOC", "NORP", "FAC")
#: How many of the list's articles the networks read (the newest).
NETWORK_ARTICLES = 1000
#: How many articles' code lines are parsed and added at a time (about 3 ms).
CODE_ROWS = 1000
#: How co-occurring tags are counted: articles carrying both tags, or pairs
#: of passages (of the two tags) that overlap in the text.
COOCCURRENCE_MODES = ("article", "overlap")


def listed_ids(db: Database, q: ArticleQuery | None) -> bool:
    """Put the ids of the articles the list shows into ``temp.overview_ids``
    (once for a query and a state of the database: the charts of one count
    share it, and a search is run once); False, and nothing done, when the
    list is unfiltered (every article)."""
    found = id_set(db, q) if q is not None else None
    if found is None:
        return False
    sql, params = found
    key = (sql, tuple(params), database_version(db))
    if getattr(db, "_overview_ids", None) == (key, db.conn.total_changes):
        return True
    db.execute("CREATE TEMP TABLE IF NOT EXISTS overview_ids (id INTEGER PRIMARY KEY)")
    db.execute("DELETE FROM temp.overview_ids")
    run_search(db, f"INSERT OR IGNORE INTO temp.overview_ids {sql}", list(params))
    db._overview_ids = (key, db.conn.total_changes)
    return True


def forget_ids(db: Database) -> None:
    """Make the next chart read the list's ids again (as a new connection
    would: the window counts each tab on a connection of its own)."""
    db._overview_ids = None


def _in_list(db: Database, q: ArticleQuery | None, column: str) -> tuple[str, list]:
    """`` AND column IN (ids the list shows)``, or nothing when unfiltered."""
    if not listed_ids(db, q):
        return "", []
    return f" AND {column} IN (SELECT id FROM temp.overview_ids)", []


def _whose(q: ArticleQuery | None, alias: str = "p") -> tuple[str, list]:
    """`` AND alias.analyst IN (…)`` when the window shows only some
    analysts' passages (View → Passages, blind coding), else nothing."""
    return analyst_clause(q.analysts if q is not None else (), alias)


def _placeholders(values) -> str:
    return ", ".join("?" for _ in values)


def tag_roots(db: Database) -> dict[int, int]:
    """tag id → the id of its top-level ancestor (itself for a top-level tag)."""
    parents = {r[0]: r[1] for r in db.execute("SELECT id, parent_id FROM tags")}
    roots = {}
    for tag_id in parents:
        seen, current = set(), tag_id
        while parents.get(current) is not None and current not in seen:
            seen.add(current)
            current = parents[current]
        roots[tag_id] = current
    return roots


def _fold(rows: list[dict], db: Database, fold: bool, key: str = "tag_id") -> list[dict]:
    """Rows with child tags counted under their top-level tag (summed)."""
    if not fold:
        return rows
    roots = tag_roots(db)
    summed: dict[tuple, dict] = {}
    for row in rows:
        folded = {**row, key: roots.get(row[key], row[key])}
        ident = tuple(v for k, v in folded.items() if k != "passages")
        if ident in summed:
            summed[ident]["passages"] += row["passages"]
        else:
            summed[ident] = folded
    return list(summed.values())


def descendant_ids(db: Database, tag_id: int) -> list[int]:
    """``tag_id`` and every tag below it."""
    children: dict[int, list[int]] = {}
    for child, parent in db.execute("SELECT id, parent_id FROM tags"):
        children.setdefault(parent, []).append(child)
    found, todo = [], [tag_id]
    while todo:
        current = todo.pop()
        if current in found:
            continue
        found.append(current)
        todo += children.get(current, [])
    return found


def _totals(db: Database, kind: str) -> list[tuple]:
    """The corpus's passages per (month, week or source value, tag) from
    ``tag_totals`` (kept by triggers): ``(value, tag_id, passages)`` rows."""
    return db.execute("SELECT value, tag_id, passages FROM tag_totals "
                      "WHERE kind = ? AND passages > 0", [kind]).fetchall()


#: A passage's tagging period, as ``article_periods`` holds an article's
#: publication period: of the analyst's days (``created_at`` is ISO 8601 in
#: UTC: a passage tagged at 06:30 on a Monday in Phnom Penh was counted in
#: the week before), as the workspace's Tagged range is.
_TAGGED_PERIOD = {"month": "strftime('%Y-%m', p.created_at, 'localtime')",
                  "week": "date(p.created_at, 'localtime', '-6 days', 'weekday 1')"}


def tags_over_time(db: Database, q: ArticleQuery | None = None, *, period: str = "month",
                   fold: bool = False, dated_by: str = "published") -> list[dict]:
    """Passages per period, per tag: rows ``{"period", "tag_id",
    "passages"}`` in period order. ``dated_by``: ``"published"`` (their
    article's publication date; undated articles left out) or ``"tagged"``
    (when the passage was made). ``fold``: child tags counted under their
    top-level tag."""
    column = PERIODS[period]
    where, params = _in_list(db, q, "p.article_id")
    whose, whose_params = _whose(q)
    if dated_by == "tagged":
        day = _TAGGED_PERIOD[column]
        rows = db.execute(
            f"SELECT {day} AS period, p.tag_id, count(*) FROM passages p "
            f"WHERE p.created_at IS NOT NULL{where}{whose} GROUP BY period, p.tag_id",
            params + whose_params).fetchall()
        rows = [r for r in rows if r[0] is not None]      # (a date SQLite cannot read)
    elif not where and not whose:       # the corpus totals (migration 0021)
        rows = _totals(db, column)
    else:
        rows = db.execute(
            f"SELECT o.{column} AS period, p.tag_id, count(*) FROM passages p "
            f"JOIN article_periods o ON o.article_id = p.article_id "
            f"WHERE o.{column} IS NOT NULL{where}{whose} GROUP BY o.{column}, p.tag_id",
            params + whose_params)
    found = [{"period": r[0], "tag_id": r[1], "passages": r[2]} for r in rows]
    return sorted(_fold(found, db, fold), key=lambda r: (r["period"], r["tag_id"]))


def undated_passages(db: Database, q: ArticleQuery | None = None) -> int:
    """How many of the list's passages :func:`tags_over_time` leaves out:
    those of articles with no publication date (an index walk over the
    undated articles, whatever the corpus size)."""
    where, params = _in_list(db, q, "p.article_id")
    whose, whose_params = _whose(q)
    return db.execute(
        "SELECT count(*) FROM passages p JOIN article_periods o ON o.article_id = p.article_id "
        f"WHERE o.month IS NULL{where}{whose}", params + whose_params).fetchone()[0]


#: ASCII capitals to small letters and nothing else: how ``COLLATE NOCASE``
#: (the source filter's comparison) folds case — "É" and "é" stay two sources.
_NOCASE = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def one_spelling(rows) -> list[dict]:
    """``(source, tag_id, passages)`` rows, one per exact spelling, summed
    per source as the source filter matches it (case aside, ``COLLATE
    NOCASE``) and labelled with the least spelling among them — a cell's
    click (tag + that label) lists the articles of every spelling, so the
    cell counts them all: "VOD" and "vod" are one column, "VOD"."""
    rows = list(rows)
    label: dict[str, str] = {}
    for source, _tag, _n in rows:
        key = source.translate(_NOCASE)
        label[key] = min(label.get(key, source), source)
    summed: dict[tuple, int] = {}
    for source, tag_id, n in rows:
        cell = (label[source.translate(_NOCASE)], tag_id)
        summed[cell] = summed.get(cell, 0) + n
    return [{"source": s, "tag_id": t, "passages": n} for (s, t), n in summed.items()]


def tags_by_source(db: Database, q: ArticleQuery | None = None, *, fold: bool = False,
                   sources: int = 15) -> list[dict]:
    """Passages per (source, tag), for the ``sources`` sources with the most
    passages: rows ``{"source", "tag_id", "passages"}`` ("" for no source).
    A source's spellings that differ only in case are one source, labelled
    with the least of them (:func:`one_spelling`), as the source filter
    finds them all."""
    where, params = _in_list(db, q, "p.article_id")
    whose, whose_params = _whose(q)
    rows = _totals(db, "source") if not where and not whose else db.execute(
        f"SELECT ifnull(o.source, ''), p.tag_id, count(*) FROM passages p "
        f"JOIN article_periods o ON o.article_id = p.article_id "
        f"WHERE 1{where}{whose} GROUP BY o.source, p.tag_id", params + whose_params)
    found = _fold(one_spelling(rows), db, fold)
    totals: dict[str, int] = {}
    for row in found:
        totals[row["source"]] = totals.get(row["source"], 0) + row["passages"]
    kept = set(sorted(totals, key=lambda s: (-totals[s], s.lower()))[:sources])
    return [r for r in found if r["source"] in kept]


def tags_by_analyst(db: Database, q: ArticleQuery | None = None, *,
                    fold: bool = False) -> list[dict]:
    """Passages per (analyst, tag): rows ``{"analyst", "tag_id", "passages"}``
    (from the index ``passages_by_analyst_tag``)."""
    # the whole index read once, each passage's article tested against the
    # set ("+": a search of the index per listed article skipped over every
    # analyst and tag, and took 2-4 s for 65,000 articles)
    where, params = _in_list(db, q, "+p.article_id")
    whose, whose_params = _whose(q)
    rows = db.execute(
        f"SELECT p.analyst, p.tag_id, count(*) FROM passages p "
        f"INDEXED BY passages_by_analyst_tag WHERE 1{where}{whose} "
        f"GROUP BY p.analyst, p.tag_id", params + whose_params)
    return _fold([{"analyst": r[0], "tag_id": r[1], "passages": r[2]} for r in rows],
                 db, fold)


def tag_cooccurrence(db: Database, q: ArticleQuery | None = None, *,
                     mode: str = "article", fold: bool = False) -> list[dict]:
    """How often two tags come together: rows ``{"tag_a", "tag_b", "count"}``
    with ``tag_a < tag_b``. ``mode`` "article": articles having passages of
    both; "overlap": pairs of passages of the two tags that overlap."""
    if mode not in COOCCURRENCE_MODES:
        raise ValueError(f"mode must be one of {COOCCURRENCE_MODES}")
    where, params = _in_list(db, q, "a.article_id")
    # blind (View → Passages): both passages of a pair must be shown ones
    whose_a, whose_params = _whose(q, "a")
    whose_b, _ = _whose(q, "b")
    whose, params = whose_a + whose_b, params + whose_params + whose_params
    roots = tag_roots(db) if fold else None
    # both sides from the covering index by article and span (the rows of
    # passages hold their texts): an article's passages are next to each other
    pairs_sql = ("FROM passages a INDEXED BY passages_by_article_span "
                 "JOIN passages b INDEXED BY passages_by_article_span "
                 "ON b.article_id = a.article_id AND a.tag_id < b.tag_id")
    if mode == "article" and not fold:   # articles having passages of both tags
        return [{"tag_a": r[0], "tag_b": r[1], "count": r[2]} for r in db.execute(
            f"SELECT a.tag_id, b.tag_id, count(DISTINCT a.article_id) {pairs_sql} "
            f"WHERE 1{where}{whose} GROUP BY a.tag_id, b.tag_id ORDER BY a.tag_id, b.tag_id",
            params)]
    if mode == "article":
        sql = (f"SELECT DISTINCT a.tag_id, b.tag_id, a.article_id {pairs_sql} "
               f"WHERE 1{where}{whose}")
        pairs: dict[tuple, set] = {}
        for first, second, article_id in db.execute(sql, params):
            first, second = sorted((roots[first], roots[second]))
            if first == second:
                continue
            pairs.setdefault((first, second), set()).add(article_id)
        return [{"tag_a": a, "tag_b": b, "count": len(ids)}
                for (a, b), ids in sorted(pairs.items())]
    sql = (f'SELECT a.tag_id, b.tag_id, count(*) {pairs_sql} AND b.start < a."end" '
           f'AND a.start < b."end" WHERE 1{where}{whose} GROUP BY a.tag_id, b.tag_id')
    counts: dict[tuple, int] = {}
    for first, second, count in db.execute(sql, params):
        if roots is not None:
            first, second = sorted((roots[first], roots[second]))
            if first == second:
                continue
        counts[(first, second)] = counts.get((first, second), 0) + count
    return [{"tag_a": a, "tag_b": b, "count": n} for (a, b), n in sorted(counts.items())]


def _period_clause(period: tuple[str, str] | None, column: str) -> tuple[str, list]:
    if not period:
        return "", []
    unit, key = period
    return (f" AND {column} IN (SELECT article_id FROM article_periods "
            f"WHERE {PERIODS[unit]} = ?)", [key])


def _code_sums(db: Database, codes: str, surfaces: str, where: str,
               params: list) -> tuple[np.ndarray, np.ndarray, list]:
    """Per code of ``surfaces``: in how many of the articles ``where``
    selects from ``codes`` it is (rows of the summary) and its summed count
    (mentions or quotes) — read from the articles' code lines (migration
    0020) — and the surfaces' rows ``(code, name[, label])``."""
    rows = db.execute(f"SELECT * FROM {surfaces}").fetchall()
    size = max((r[0] for r in rows), default=0) + 1
    articles = np.zeros(size, dtype=np.int64)
    sums = np.zeros(size, dtype=np.float64)
    cursor = db.execute(f"SELECT c.codes FROM {codes} c WHERE 1{where}", params)
    # a thousand articles at a time: each call into numpy holds the GIL,
    # and the window's thread must get it back within milliseconds
    while lines := cursor.fetchmany(CODE_ROWS):
        numbers = np.fromstring("".join(r[0] for r in lines), dtype=np.int64, sep=" ")
        found = numbers[0::2]
        articles += np.bincount(found, minlength=size)
        sums += np.bincount(found, weights=numbers[1::2], minlength=size)
    return articles, sums, rows


def _most(groups: dict, limit: int) -> list:
    """The ``limit`` largest of ``{key: [name, count, articles]}``: count
    descending, then key."""
    return sorted(groups.items(), key=lambda kv: (-kv[1][1], kv[0]))[:limit]


def _add_to(groups: dict, key, name: str, count: int, articles: int) -> None:
    group = groups.setdefault(key, [name, 0, 0])
    group[0] = min(group[0], name)
    group[1] += count
    group[2] += articles


def top_speakers(db: Database, q: ArticleQuery | None = None, *, tag_id: int | None = None,
                 period: tuple[str, str] | None = None, limit: int = 20) -> list[dict]:
    """Who is quoted most in the listed articles: rows ``{"speaker", "quotes",
    "articles"}``, most quotes first (then by speaker, any case). ``tag_id``:
    only articles with a passage of that tag (or one below it); ``period``:
    ("month", "2024-06") or ("week", "2024-06-10") of publication.
    Unfiltered, from the corpus totals ``speaker_counts``; otherwise summed
    from ``article_speaker_codes`` as ``article_speakers`` would give them."""
    where, params = _in_list(db, q, "c.article_id")
    if not where and tag_id is None and not period:
        return [{"speaker": r[0], "quotes": r[1], "articles": r[2]} for r in db.execute(
            "SELECT name, quotes, articles FROM speaker_counts ORDER BY quotes DESC, key "
            "LIMIT ?", [limit])]
    if tag_id is not None:
        tags = descendant_ids(db, tag_id)
        whose, whose_params = _whose(q, "passages")
        where += (f" AND c.article_id IN (SELECT article_id FROM passages "
                  f"WHERE tag_id IN ({_placeholders(tags)}){whose})")
        params += tags + whose_params
    extra, extra_params = _period_clause(period, "c.article_id")
    articles, quotes, surfaces = _code_sums(db, "article_speaker_codes", "speaker_surfaces",
                                            where + extra, params + extra_params)
    groups: dict = {}
    for code, name in surfaces:
        if articles[code]:
            _add_to(groups, entity_key(name), name, int(quotes[code]), int(articles[code]))
    return [{"speaker": name, "quotes": n, "articles": a}
            for _key, (name, n, a) in _most(groups, limit)]


def top_entities(db: Database, q: ArticleQuery | None = None, *, labels=NAMED,
                 period: tuple[str, str] | None = None, limit: int = 20) -> list[dict]:
    """The entities mentioned most in the listed articles: rows ``{"name",
    "label", "mentions", "articles"}``, most mentions first, then by name
    (as analysed: merged aliases count apart, and a click filters by all of
    them). Unfiltered, from the corpus totals ``entity_counts``; otherwise
    summed from ``article_entity_codes`` (migration 0020), one row per
    listed article, as ``article_entities`` would give them."""
    where, params = _in_list(db, q, "c.article_id")
    extra, extra_params = _period_clause(period, "c.article_id")
    if not where and not extra:
        rows = db.execute(
            f"SELECT name, label, mentions, articles FROM entity_counts "
            f"INDEXED BY entity_counts_by_mentions WHERE label IN ({_placeholders(labels)}) "
            f"ORDER BY mentions DESC, key, label LIMIT ?", list(labels) + [limit])
        return [{"name": r[0], "label": r[1], "mentions": r[2], "articles": r[3]}
                for r in rows]
    articles, mentions, surfaces = _code_sums(db, "article_entity_codes", "entity_surfaces",
                                              where + extra, params + extra_params)
    wanted = set(labels)
    groups: dict = {}
    for code, name, label in surfaces:
        if label in wanted and articles[code]:
            _add_to(groups, (entity_key(name), label), name, int(mentions[code]),
                    int(articles[code]))
    return [{"name": name, "label": label, "mentions": n, "articles": a}
            for (_key, label), (name, n, a) in _most(groups, limit)]


def _network_articles(db: Database, q: ArticleQuery | None) -> tuple[str, list]:
    where, params = _in_list(db, q, "a.id")
    return (f"SELECT a.id FROM articles a INDEXED BY articles_by_id WHERE 1{where} "
            f"ORDER BY a.id DESC LIMIT {NETWORK_ARTICLES}", params)


def _current_analyses(db: Database, q: ArticleQuery | None) -> tuple[str, list]:
    """``WITH cur AS (…)``: the current analysis of each network article,
    worked out once per article (not again for each quote or entity)."""
    articles, params = _network_articles(db, q)
    return (f"WITH arts AS ({articles}), cur AS MATERIALIZED ("
            f"SELECT {current_analysis_sql('arts.id')} AS analysis_id FROM arts) ", params)


def speaker_entity_edges(db: Database, q: ArticleQuery | None = None, *,
                         labels=NAMED) -> list[dict]:
    """Speakers and the entities their quotes mention (an entity inside the
    quoted words), over the list's newest :data:`NETWORK_ARTICLES` articles:
    rows ``{"speaker", "entity", "label", "weight"}`` (weight: mentions),
    ordered by speaker, entity and label keys.

    The quotes and the entities of those analyses are read once each and
    matched here (an entity inside a quote of the same analysis, not the
    speaker's own name): a join testing every entity of an analysis against
    each of its quotes, reading the entities' rows each time, took 0.5-0.8 s.
    The quotes are as the analyst corrected them (speakers set and merged,
    quotes marked or unmarked), as everywhere speakers are read."""
    cur, params = _current_analyses(db, q)
    articles, article_params = _network_articles(db, q)
    current = (f"SELECT a.id AS article_id, '' AS title, {current_analysis_sql('a.id')} "
               f"AS analysis_id FROM articles a WHERE a.id IN ({articles})")
    quotes: dict[int, list] = {}
    for article_id, start, end, speaker in db.execute(
            f'SELECT cq.article_id, cq.start, cq."end", cq.speaker FROM ('
            f"{speaker_corrections.corrected_quotes_sql(current)}) cq "
            f"WHERE cq.speaker IS NOT NULL", article_params * 2):
        quotes.setdefault(article_id, []).append((start, end, speaker, entity_key(speaker)))
    edges: dict[tuple, list] = {}    # (speaker key, entity key, label) → [speaker, entity, n]
    for article_id, start, end, text, label in db.execute(
            f'{cur} SELECT n.article_id, e.start, e."end", e.text, e.label FROM cur '
            f"JOIN analyses n ON n.id = cur.analysis_id "
            f"JOIN entities e ON e.analysis_id = cur.analysis_id "
            f"WHERE e.label IN ({_placeholders(labels)})", params + list(labels)):
        inside = [qu for qu in quotes.get(article_id, ()) if qu[0] <= start and end <= qu[1]]
        if not inside:
            continue
        key = entity_key(text)
        for _start, _end, speaker, speaker_key in inside:
            if key == speaker_key:
                continue
            edge = edges.setdefault((speaker_key, key, label), [speaker, text, 0])
            edge[0], edge[1] = min(edge[0], speaker), min(edge[1], text)
            edge[2] += 1
    return [{"speaker": s, "entity": e, "label": label, "weight": n}
            for (_sk, _ek, label), (s, e, n) in sorted(edges.items())]


def entity_cooccurrence_edges(db: Database, q: ArticleQuery | None = None, *,
                              labels=NAMED, top: int = 80,
                              min_articles: int = 1) -> list[dict]:
    """Entities that appear in the same articles (of the list's newest
    :data:`NETWORK_ARTICLES`), among the ``top`` most mentioned there (in
    most articles, then by key): rows ``{"a", "a_label", "b", "b_label",
    "weight"}`` (weight: articles with both, at least ``min_articles``),
    ordered by the two entities' keys. The pairs are counted here from the
    articles' summaries (about 25,000 rows), not by a self-join sorted by name."""
    articles, params = _network_articles(db, q)
    per_article: dict[int, list] = {}
    names: dict[tuple, str] = {}
    counts: Counter = Counter()
    keys: dict[str, str] = {}
    for article_id, name, label in db.execute(
            f"SELECT e.article_id, e.name, e.label FROM article_entities e "
            f"INDEXED BY article_entities_cover WHERE e.article_id IN ({articles}) "
            f"AND e.label IN ({_placeholders(labels)})", params + list(labels)):
        key = keys.get(name)
        if key is None:
            key = keys[name] = entity_key(name)
        entity = (key, label)
        per_article.setdefault(article_id, []).append(entity)
        if entity not in names or name < names[entity]:
            names[entity] = name
    for found in per_article.values():
        counts.update(found)
    kept = set(sorted(counts, key=lambda e: (-counts[e], e))[:top])
    pairs: Counter = Counter()
    for found in per_article.values():     # each article's pairs, counted in C
        pairs.update(combinations(sorted({e for e in found if e in kept}), 2))
    return [{"a": names[x], "a_label": x[1], "b": names[y], "b_label": y[1], "weight": n}
            for (x, y), n in sorted(pairs.items()) if n >= min_articles]


def period_bounds(unit: str, key: str) -> tuple[str, str]:
    """The first and last day (YYYY-MM-DD) of a month ``YYYY-MM`` or of the
    week starting on the Monday ``YYYY-MM-DD`` — for the list's date filter."""
    from calendar import monthrange
    from datetime import date, timedelta

    if unit == "week":
        start = date.fromisoformat(key)
        # the calendar's last week (9999-12-27, after a 9999-12-31 placeholder
        # date) ends on its last day
        return start.isoformat(), (start + timedelta(
            days=min(6, (date.max - start).days))).isoformat()
    year, month = (int(x) for x in key.split("-"))
    return (date(year, month, 1).isoformat(),
            date(year, month, monthrange(year, month)[1]).isoformat())
