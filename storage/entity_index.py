"""Entities across the corpus: per-article summaries, corpus counts, the filter.

``article_entities`` holds, per article, each (surface, label) of its current
analysis once with its mention count; :func:`refresh_article` refills it when
an analysis is stored (a trigger does the same when an article's text
changes). ``entity_counts`` holds the corpus totals, kept by triggers. Both
come from migration 0008. The analyst's merges and label corrections
(``storage.entity_corrections``) are applied here, when reading.
"""

from __future__ import annotations

import re

from sqlite_utils import Database

from storage.schema import (ALL_ARTICLE_ENTITIES_SQL, article_entities_sql,
                            current_analysis_sql)
from storage.speaker_corrections import article_speakers_sql as corrected_speakers_sql

#: The labels each group of the corpus panel lists.
LABEL_GROUPS = {
    "People": ("PERSON",),
    "Organisations": ("ORG",),
    "Places": ("GPE", "LOC", "FAC"),
}

#: ``str.translate`` table folding case exactly as SQLite's ``lower()`` does
#: (ASCII letters only), so keys computed here match keys computed in SQL.
_ASCII_LOWER = {code: code + 32 for code in range(ord("A"), ord("Z") + 1)}


def entity_key(text: str) -> str:
    """The key of a surface text: ``lower(text)`` as SQLite computes it."""
    return text.translate(_ASCII_LOWER)


def refresh_article(db: Database, article_id: int) -> None:
    """Refill the article's summaries — its entities and its speakers
    (``article_speakers``, migration 0010) — from its current analysis (one
    transaction; called by ``storage.analyses.save_analysis``)."""
    with db.atomic():
        db.execute("DELETE FROM article_entities WHERE article_id = ?", [article_id])
        db.execute(article_entities_sql(":id"), {"id": article_id})
        db.execute("DELETE FROM article_speakers WHERE article_id = ?", [article_id])
        # the analyst's speaker corrections apply (storage.speaker_corrections)
        db.execute(corrected_speakers_sql(":id"), {"id": article_id})


def refresh_articles(db: Database, article_ids) -> None:
    """:func:`refresh_article` for many articles at once: four statements
    whatever their number (analyses stored in bulk, as a team hub's)."""
    ids = ",".join(str(int(i)) for i in article_ids)
    if not ids:
        return
    with db.atomic():
        db.execute(f"DELETE FROM article_entities WHERE article_id IN ({ids})")
        db.execute(f"""INSERT INTO article_entities (article_id, name, label, mentions)
            SELECT a.id, min(e.text), e.label, count(*) FROM articles a
            JOIN entities e ON e.analysis_id = {current_analysis_sql("a.id")}
            WHERE a.id IN ({ids}) GROUP BY a.id, lower(e.text), e.label""")
        db.execute(f"DELETE FROM article_speakers WHERE article_id IN ({ids})")
        db.execute(corrected_speakers_sql(ids))


def rebuild(db: Database) -> None:
    """Refill every article's summaries at once (for a database whose analyses
    were written in bulk, bypassing :func:`refresh_article`)."""
    with db.atomic():
        db.execute("DELETE FROM article_entity_codes")  # (its triggers would, row by row)
        db.execute("DELETE FROM article_entities")     # its triggers empty the counts
        db.execute("DELETE FROM article_speaker_codes")
        db.execute("DELETE FROM article_speakers")
        db.execute(ALL_ARTICLE_ENTITIES_SQL)
        db.execute(corrected_speakers_sql("SELECT id FROM articles"))


#: The keys the entity filter looks for: the typed text's, and if it names a
#: canonical entity or one of its aliases, every alias of that entity (of a
#: canonical entity's name, :func:`filter_canons` keeps their labels too).
FILTER_KEYS = """
    SELECT lower(:entity) UNION
    SELECT x.key FROM entity_aliases x WHERE x.canon_id IN (
        SELECT k.id FROM entity_canon k WHERE lower(k.name) = lower(:entity)
        UNION SELECT y.canon_id FROM entity_aliases y WHERE y.key = lower(:entity))"""


def filter_keys(db: Database, entity: str) -> list[str]:
    """The keys :data:`FILTER_KEYS` finds for ``entity`` (alias-aware)."""
    return sorted(r[0] for r in db.execute(FILTER_KEYS, {"entity": entity.strip()}))


def filter_canons(db: Database, entity: str) -> tuple[int, ...]:
    """The canonical entities called ``entity`` (any case): the entity filter
    reads them through their aliases, key and label. A typed name that is
    no canonical entity's filters by name (:func:`filter_keys`)."""
    return tuple(r[0] for r in db.execute(
        "SELECT id FROM entity_canon WHERE lower(name) = lower(?) ORDER BY id",
        [entity.strip()]))


#: “Sokha (ORG)” in the entity filter: a name and the label it has (what the
#: Entities tab writes there for one of its rows).
_LABELLED = re.compile(r"(.*\S)\s*\(([\w-]+)\)")


def labelled_name(name: str, label: str | None) -> str:
    """The entity filter's text for the entity ``name`` of ``label``:
    “Sokha (ORG)”, read back by :func:`entity_filter`; ``name`` without a label."""
    return f"{name} ({label})" if label else name


def entity_filter(db: Database, entity: str
                  ) -> tuple[list[str], tuple[int, ...], tuple[str, ...]]:
    """What the entity filter looks for, as :func:`entity_rows` takes it:
    ``(keys, canons, labels)``. “Name (LABEL)” is the entity of that name
    and label (:func:`labelled_filter`); any other text is a name, whatever
    its label (:func:`filter_keys`, :func:`filter_canons`)."""
    found = labelled_filter(db, entity)
    if found is not None:
        return found
    return filter_keys(db, entity), filter_canons(db, entity), ()


def labelled_filter(db: Database, entity: str
                    ) -> tuple[list[str], tuple[int, ...], tuple[str, ...]] | None:
    """``(keys, canons, labels)`` of “Name (LABEL)”: the canonical entity of
    that name and label, else the one that surface was merged into, else the
    surface as analysed (its key, of that label only — not a namesake of
    another label). None when no entity has that name and label: the text
    is then a plain name (“Party (CPP)” may be one)."""
    match = _LABELLED.fullmatch(entity.strip())
    if match is None:
        return None
    return labelled_entity(db, match.group(1), match.group(2))


def labelled_entity(db: Database, name: str, label: str
                    ) -> tuple[list[str], tuple[int, ...], tuple[str, ...]] | None:
    """``(keys, canons, labels)`` of the entity ``name`` of ``label`` (see
    :func:`labelled_filter`); None if no entity has that name and label."""
    canons = tuple(r[0] for r in db.execute(
        "SELECT id FROM entity_canon WHERE lower(name) = lower(?) AND label = ? "
        "UNION SELECT canon_id FROM entity_aliases WHERE key = lower(?) AND label = ? "
        "AND NOT EXISTS (SELECT 1 FROM entity_canon WHERE lower(name) = lower(?) "
        "AND label = ?) ORDER BY 1", [name, label] * 3))
    if canons:
        return sorted({key for canon in canons for key in canon_keys(db, canon)}), canons, ()
    key = entity_key(name)
    if db.execute("SELECT 1 FROM entity_counts WHERE key = ? AND label = ?",
                  [key, label]).fetchone():
        return [key], (), (label,)
    return None


def entity_rows(keys: list[str], canons=(), labels=()) -> tuple[str, list]:
    """``FROM … WHERE …`` over ``article_entities ae`` (and its parameters):
    the summary rows of an entity. Of canonical entities (``canons``, ids),
    the rows of their aliases, key and label — a namesake of another label
    the analyst did not merge (“Sokha”, a company, beside “Sokha” merged
    into “Sar Sokha”) is not one of them; else every row of one of ``keys``
    of one of ``labels`` — with no labels, whatever its label. Either way
    ``lower(ae.name) IN (…)`` lets the index ``article_entities_by_key``
    find the rows."""
    marks = ", ".join("?" for _ in keys)
    if not canons:
        sql = f"article_entities ae WHERE lower(ae.name) IN ({marks})"
        if labels:
            sql += f" AND ae.label IN ({', '.join('?' for _ in labels)})"
        return sql, list(keys) + list(labels)
    return (f"article_entities ae JOIN entity_aliases x ON x.key = lower(ae.name) "
            f"AND x.label = ae.label WHERE lower(ae.name) IN ({marks}) "
            f"AND x.canon_id IN ({', '.join('?' for _ in canons)})",
            list(keys) + list(canons))


def canon_keys(db: Database, canon_id: int) -> list[str]:
    """The keys of a canonical entity's aliases."""
    return [r[0] for r in db.execute(
        "SELECT DISTINCT key FROM entity_aliases WHERE canon_id = ? ORDER BY key", [canon_id])]


#: From how many matching articles the filter probes the index per listed
#: article (a page stops after its rows) instead of reading every match first.
COMMON_ENTITY_ARTICLES = 2000


def filter_clause(db: Database, keys: list[str], canons=(), labels=()) -> tuple[str, list]:
    """A WHERE clause over ``articles a`` and its parameters: it has an entity
    with one of ``keys`` — of the canonical entities ``canons``, one of their
    aliases; with ``labels``, of one of them (:func:`entity_rows`) —
    answered from the index ``article_entities_by_key``.

    A common entity (Cambodia, in 80 % of the articles) is tested per article,
    so a page in any order stops after its rows; a rare one's few articles
    are read first and looked up."""
    rows, params = entity_rows(keys, canons, labels)
    if _articles_about(db, keys, canons, labels) >= COMMON_ENTITY_ARTICLES:
        return f"EXISTS (SELECT 1 FROM {rows} AND ae.article_id = a.id)", params
    return f"a.id IN (SELECT ae.article_id FROM {rows})", params


def _articles_about(db: Database, keys: list[str], canons=(), labels=()) -> int:
    """About how many articles have the entity (the corpus counts' sum: an
    article with two of its names counts twice) — enough to tell a common
    entity from a rare one."""
    marks = ", ".join("?" for _ in keys)
    sql, params = (f"SELECT ifnull(sum(c.articles), 0) FROM entity_counts c "
                   f"WHERE c.key IN ({marks})"), list(keys)
    if canons:
        sql += (f" AND EXISTS (SELECT 1 FROM entity_aliases x WHERE x.key = c.key "
                f"AND x.label = c.label AND x.canon_id IN ({', '.join('?' for _ in canons)}))")
        params += list(canons)
    elif labels:
        sql += f" AND c.label IN ({', '.join('?' for _ in labels)})"
        params += list(labels)
    return db.execute(sql, params).fetchone()[0]


def count_articles_with(db: Database, keys: list[str], *, canons=(), labels=(),
                        before: int | None = None, after: int | None = None) -> int:
    """How many articles have an entity with one of ``keys`` (of the canonical
    entities ``canons``: one of their aliases; with ``labels``, of one of
    them; from the index), of those with an id below ``before`` or above
    ``after`` if given."""
    rows, params = entity_rows(keys, canons, labels)
    sql = f"SELECT count(DISTINCT ae.article_id) FROM {rows}"
    if before is not None:
        sql, params = sql + " AND ae.article_id < ?", params + [before]
    if after is not None:
        sql, params = sql + " AND ae.article_id > ?", params + [after]
    return db.execute(sql, params).fetchone()[0]


def _labels_clause(column: str, labels) -> tuple[str, list]:
    if not labels:
        return "1", []
    return f"{column} IN ({', '.join('?' for _ in labels)})", list(labels)


def corpus_entities(db: Database, *, labels=None, search: str = "",
                    limit: int = 500) -> list[dict]:
    """The corpus's entities, most mentioned first, with corrections applied.

    Each row: ``canon_id`` (None for an entity as analysed), ``key`` and
    ``original_label`` (of an entity as analysed), ``name``, ``label`` (as
    corrected), ``mentions``, ``articles``, ``aliases`` (how many surfaces a
    canonical entity groups). ``labels`` filters on the corrected label;
    ``search`` on the name (and a canonical entity's aliases).
    """
    like = f"%{search.strip()}%" if search.strip() else "%"
    raw_labels, raw_params = _labels_clause("c.label", labels)
    canon_labels, canon_params = _labels_clause("k.label", labels)
    rows = db.execute(
        f"""
        SELECT * FROM (
            SELECT NULL AS canon_id, c.key, c.label AS original_label, c.name,
                   c.label, c.mentions, c.articles, 1 AS aliases
            FROM entity_counts c
            WHERE {raw_labels} AND c.name LIKE ?
              AND NOT EXISTS (SELECT 1 FROM entity_aliases x
                              WHERE x.key = c.key AND x.label = c.label)
            UNION ALL
            SELECT k.id, NULL, NULL, k.name, k.label,
                   (SELECT ifnull(sum(c.mentions), 0) FROM entity_aliases x
                    JOIN entity_counts c ON c.key = x.key AND c.label = x.label
                    WHERE x.canon_id = k.id),
                   NULL,
                   (SELECT count(*) FROM entity_aliases x WHERE x.canon_id = k.id)
            FROM entity_canon k
            WHERE {canon_labels} AND (k.name LIKE ? OR EXISTS (
                SELECT 1 FROM entity_aliases x WHERE x.canon_id = k.id AND x.name LIKE ?))
        ) WHERE mentions > 0
        ORDER BY mentions DESC, name COLLATE NOCASE LIMIT ?
        """,
        raw_params + [like] + canon_params + [like, like, limit])
    columns = [d[0] for d in rows.description]
    found = [dict(zip(columns, row)) for row in rows]
    for row in found:   # the articles of a merged entity: counted once each
        if row["canon_id"] is not None:
            row["articles"] = _canon_articles(db, row["canon_id"])
    return found


def _canon_articles(db: Database, canon_id: int) -> int:
    keys = canon_keys(db, canon_id)
    if not keys:
        return 0
    return count_articles_with(db, keys, canons=(canon_id,))
