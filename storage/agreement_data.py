"""What an agreement report reads: chosen analysts' passages as spans.

Every function reads only, in a handful of SQL statements whose rows come
back as plain lists of tuples (no per-character work, no per-passage
look-ups), so the spans of three analysts over 100,000 articles load in
about a second. Orphaned passages (whose text is gone from their article)
are left out: their offsets no longer point at their words.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlite_utils import Database

#: Which articles a report covers when none are named.
CODED_BY_ANY = "coded"      # articles where any chosen analyst has a passage
ALL_ARTICLES = "all"        # every article in the database


@dataclass
class AgreementData:
    """The chosen articles, tags and analysts' spans, ready for
    :class:`desktop.agreement.measures.Codings`.

    ``article_ids[i]`` has ``lengths[i]`` characters; ``spans`` holds
    ``(article index, analyst index, tag index, start, end)`` tuples with
    indexes into ``article_ids``, ``analysts`` and ``tags`` (dicts with
    ``id`` and ``name``)."""

    analysts: list[str]
    tags: list[dict]
    article_ids: list[int]
    lengths: list[int]
    spans: list[tuple[int, int, int, int, int]] = field(default_factory=list)
    passages_per_analyst: dict[str, int] = field(default_factory=dict)


def analysts(db: Database) -> list[dict]:
    """Every analyst with passages: ``{"analyst", "passages", "articles"}``,
    most passages first."""
    return [{"analyst": a, "passages": p, "articles": n} for a, p, n in db.execute(
        "SELECT analyst, count(*), count(DISTINCT article_id) FROM passages "
        "GROUP BY analyst ORDER BY count(*) DESC, analyst").fetchall()]


def _placeholders(values) -> str:
    return ", ".join("?" for _ in values)


def agreement_data(db: Database, analyst_names: list[str], *,
                   article_ids: list[int] | None = None,
                   tag_ids: list[int] | None = None,
                   scope: str = CODED_BY_ANY) -> AgreementData:
    """Read the spans of ``analyst_names`` (in that order) for a report.

    ``article_ids`` names the articles (missing ids are skipped); otherwise
    ``scope`` says which: :data:`CODED_BY_ANY` or :data:`ALL_ARTICLES`.
    ``tag_ids`` names the tags; otherwise every tag any chosen analyst used
    in those articles, in codebook order (by name)."""
    names = list(dict.fromkeys(analyst_names))
    if not names:
        raise ValueError("choose at least one analyst")
    by_analyst = f"p.analyst IN ({_placeholders(names)})"
    conn = db.conn
    conn.execute("DROP TABLE IF EXISTS temp.agreement_articles")
    conn.execute("CREATE TEMP TABLE agreement_articles (id INTEGER PRIMARY KEY)")
    try:
        if article_ids is not None:
            conn.executemany("INSERT OR IGNORE INTO temp.agreement_articles (id) "
                             "SELECT id FROM articles WHERE id = ?",
                             [(int(i),) for i in article_ids])
        elif scope == ALL_ARTICLES:
            conn.execute("INSERT INTO temp.agreement_articles (id) SELECT id FROM articles")
        else:
            conn.execute("INSERT OR IGNORE INTO temp.agreement_articles (id) "
                         f"SELECT DISTINCT p.article_id FROM passages p WHERE {by_analyst}",
                         names)
        rows = conn.execute(
            "SELECT a.id, length(a.text) FROM articles a "
            "JOIN temp.agreement_articles c ON c.id = a.id ORDER BY a.id").fetchall()
        ids = [r[0] for r in rows]
        lengths = [r[1] for r in rows]

        if tag_ids is None:
            tags = [{"id": i, "name": n} for i, n in conn.execute(
                "SELECT t.id, t.name FROM tags t WHERE t.id IN ("
                "  SELECT DISTINCT p.tag_id FROM passages p "
                f"  JOIN temp.agreement_articles c ON c.id = p.article_id WHERE {by_analyst}"
                ") ORDER BY t.name COLLATE NOCASE", names).fetchall()]
        else:
            wanted = [int(t) for t in tag_ids]
            found = dict(conn.execute(
                f"SELECT id, name FROM tags WHERE id IN ({_placeholders(wanted)})",
                wanted).fetchall()) if wanted else {}
            tags = [{"id": t, "name": found[t]} for t in wanted if t in found]

        analyst_index = " ".join("WHEN ? THEN ?" for _ in names)
        tag_index = " ".join("WHEN ? THEN ?" for _ in tags)
        parameters = [x for i, n in enumerate(names) for x in (n, i)]
        parameters += [x for i, t in enumerate(tags) for x in (t["id"], i)]
        spans: list[tuple] = []
        if tags and ids:
            # the article's index is its rank among the chosen ids: one
            # window over the temp table, joined back
            spans = conn.execute(
                "WITH chosen AS (SELECT id, row_number() OVER (ORDER BY id) - 1 AS n "
                "                FROM temp.agreement_articles) "
                f"SELECT c.n, CASE p.analyst {analyst_index} END, "
                f"       CASE p.tag_id {tag_index} END, p.start, p.end "
                "FROM passages p JOIN chosen c ON c.id = p.article_id "
                f"WHERE {by_analyst} AND p.tag_id IN ({_placeholders(tags)}) "
                "AND p.anchor != 'orphaned'",
                parameters + names + [t["id"] for t in tags]).fetchall()
        counts = dict(conn.execute(
            "SELECT p.analyst, count(*) FROM passages p "
            f"JOIN temp.agreement_articles c ON c.id = p.article_id WHERE {by_analyst} "
            "GROUP BY p.analyst", names).fetchall())
    finally:
        conn.execute("DROP TABLE IF EXISTS temp.agreement_articles")
    return AgreementData(names, tags, ids, lengths, spans,
                         {n: counts.get(n, 0) for n in names})


def article_texts(db: Database, article_ids: list[int]) -> dict[int, tuple[str, str]]:
    """``{id: (title, text)}`` of the given articles (for diagnosis rows)."""
    result: dict[int, tuple[str, str]] = {}
    ids = sorted(set(int(i) for i in article_ids))
    for chunk in range(0, len(ids), 500):
        part = ids[chunk:chunk + 500]
        for i, title, text in db.execute(
                f"SELECT id, title, text FROM articles WHERE id IN ({_placeholders(part)})",
                part).fetchall():
            result[i] = (title, text)
    return result
