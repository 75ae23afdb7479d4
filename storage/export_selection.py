"""What an export covers: passages, articles and tags chosen by a filter.

A :class:`PassageFilter` narrows the passages by tag names (each with the
tags below it, unless ``include_children`` is off), article ids, a date
range and analysts. The date range applies either to the article's
``published`` date (the default: "coverage between March and June") or to
the passage's ``created_at`` ("what we tagged this week", in the days of
the machine's time zone); both ends are inclusive ``YYYY-MM-DD`` days, and an article without a published date is
left out whenever a published-date range is given (:func:`undated_left_out`
counts the passages that leaves out, so the export can say so).

Articles are chosen by the *article-level* part of the filter only (ids
and, with ``date_of="published"``, the date range), so an unfiltered
project export (REFI-QDA) holds every article, tagged or not.
"""

from __future__ import annotations

import json
import os
import uuid
from dataclasses import dataclass, replace
from datetime import date

from sqlite_utils import Database

from storage.database import database_file, is_read_only, local_days
from storage.tags import subtree_sql

DATE_OF = ("published", "tagged")


@dataclass(frozen=True)
class PassageFilter:
    """Which passages to export; empty fields do not filter."""

    tags: tuple[str, ...] = ()
    article_ids: tuple[int, ...] = ()
    since: str | None = None
    until: str | None = None
    date_of: str = "published"
    analysts: tuple[str, ...] = ()
    #: a tag in ``tags`` stands for itself and every tag below it
    include_children: bool = True
    #: only these passages (the Passages workspace's "Export these…")
    passage_ids: tuple[int, ...] = ()
    #: only the articles a SELECT of their ids admits (``a.id IN (sql)``, with
    #: its parameters): the article list's search and filters
    #: (:func:`storage.article_query.id_set`), named by ``listed``
    article_sql: str = ""
    article_sql_params: tuple = ()
    listed: str = ""

    def __post_init__(self) -> None:
        if self.date_of not in DATE_OF:
            raise ValueError(f"date_of must be one of {DATE_OF}, not {self.date_of!r}")

    def describe(self) -> str:
        """A short human description, e.g. for a report's heading."""
        parts = []
        if self.tags:
            parts.append("tags: " + ", ".join(self.tags)
                         + (" (with the tags under them)" if self.include_children
                            else " (without the tags under them)"))
        if self.article_ids:
            parts.append("articles: " + ", ".join(map(str, self.article_ids)))
        if self.since or self.until:
            what = "published" if self.date_of == "published" else "tagged"
            parts.append(f"{what} {self.since or '…'} – {self.until or '…'}")
        if self.analysts:
            parts.append("analysts: " + ", ".join(self.analysts))
        if self.passage_ids:
            parts.append(f"{len(self.passage_ids)} chosen passage(s)")
        if self.article_sql:
            parts.append(self.listed or "the articles the list showed")
        return "; ".join(parts) or "all passages"


def filter_key(f: PassageFilter) -> str:
    """A text telling filters apart, for ids made from them (an export's
    collection): :meth:`PassageFilter.describe` and what it cannot show —
    two lists of 142 articles are described alike."""
    if not f.article_sql:
        return f.describe()
    return f"{f.describe()} {f.article_sql} {json.dumps(list(f.article_sql_params))}"


def _in(column: str, values, *, nocase: bool = False) -> tuple[str, list]:
    marks = ", ".join("?" for _ in values)
    collate = " COLLATE NOCASE" if nocase else ""
    return f"{column}{collate} IN ({marks})", list(values)


def _date_range(column: str, f: PassageFilter) -> list[tuple[str, list]]:
    clauses = []
    if f.since:
        clauses.append((f"substr({column}, 1, 10) >= ?", [f.since]))
    if f.until:
        clauses.append((f"substr({column}, 1, 10) <= ?", [f.until]))
    return clauses


def _article_clauses(f: PassageFilter) -> list[tuple[str, list]]:
    clauses = []
    if f.article_ids:
        clauses.append(_in("a.id", f.article_ids))
    if f.article_sql:
        clauses.append((f"a.id IN ({f.article_sql})", list(f.article_sql_params)))
    if f.date_of == "published":
        clauses += _date_range("a.published", f)
    return clauses


def _passage_clauses(f: PassageFilter) -> list[tuple[str, list]]:
    clauses = _article_clauses(f)
    if f.tags:
        clauses.append(_tag_clause("p.tag_id", f))
    if f.analysts:
        clauses.append(_in("p.analyst", f.analysts))
    if f.passage_ids:       # one parameter, however many passages
        clauses.append(("p.id IN (SELECT value FROM json_each(?))",
                        [json.dumps(list(f.passage_ids))]))
    if f.date_of == "tagged":
        clauses += _tagged_range(f)
    return clauses


def _tagged_range(f: PassageFilter) -> list[tuple[str, list]]:
    """The days passages were tagged, in the analyst's time zone (a
    passage's UTC day is not the day it was tagged east or west of UTC),
    compared with the stored ``created_at`` as instants."""
    since, until = local_days(date.fromisoformat(f.since) if f.since else None,
                              date.fromisoformat(f.until) if f.until else None)
    return ([("p.created_at >= ?", [since])] if since else []) + (
        [("p.created_at < ?", [until])] if until else [])


def _tag_clause(column: str, f: PassageFilter) -> tuple[str, list]:
    """``column`` is one of the filter's tags (by name, any case) or, with
    ``include_children``, a tag below one of them."""
    named, params = _in("name", f.tags, nocase=True)
    chosen = f"SELECT id FROM tags WHERE {named}"
    return f"{column} IN ({subtree_sql(chosen) if f.include_children else chosen})", params


def _where(clauses: list[tuple[str, list]]) -> tuple[str, list]:
    if not clauses:
        return "", []
    params = [value for _, values in clauses for value in values]
    return "WHERE " + " AND ".join(sql for sql, _ in clauses), params


_PASSAGES = """
    SELECT p.id AS passage_id, p.article_id, a.title AS article_title,
           t.name AS tag, p.start, p.end, p.text, p.note, p.analyst,
           p.created_at, p.updated_at, p.prefix, p.suffix, p.tag_id, p.anchor,
           t.color AS tag_color, a.published AS article_published,
           a.source AS article_source, a.url AS article_url,
           a.author AS article_author, a.text_hash AS article_hash, p.decided_by,
           p.uuid AS passage_uuid, a.uuid AS article_uuid, t.uuid AS tag_uuid
    FROM passages p
    JOIN tags t ON t.id = p.tag_id
    JOIN articles a ON a.id = p.article_id
"""


def selected_passages(db: Database, f: PassageFilter = PassageFilter(), *,
                      who_said: bool = False):
    """Yield the chosen passages, by article then position.

    Each dict has the :data:`storage.passages.EXPORT_COLUMNS` plus
    ``updated_at, prefix, suffix, tag_id, tag_color, article_published,
    article_source, article_url, article_author, article_hash``, the stable
    ids ``passage_uuid, article_uuid, tag_uuid`` and ``decided_by`` (who
    decided a consensus passage, see :mod:`storage.consensus`; else None); with ``who_said``, who said it: ``speaker`` and ``speaker_kind``
    (see :func:`who_said_it`; each article's quotes are read once).
    """
    where, params = _where(_passage_clauses(f))
    rows = db.query(f"{_PASSAGES} {where} ORDER BY p.article_id, p.start, p.end, p.id",
                    params)
    if not who_said:
        yield from rows
        return
    batch: list[dict] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= _WHO_SAID_BATCH:
            yield from _with_speakers(db, batch)
            batch = []
    yield from _with_speakers(db, batch)


#: Passages whose articles' quotes are read in one query.
_WHO_SAID_BATCH = 2000


def _with_speakers(db: Database, batch: list[dict]) -> list[dict]:
    """``batch`` with ``speaker`` and ``speaker_kind`` filled in: the
    corrected spoken quotes of all its articles read in one query."""
    spoken = article_quotes(db, sorted({row["article_id"] for row in batch}))
    for row in batch:
        row["speaker"], row["speaker_kind"] = who_said_it(
            row["start"], row["end"], spoken.get(row["article_id"], []))
    return batch


def article_quotes(db: Database, article_ids: list[int]) -> dict[int, list[dict]]:
    """The articles' spoken quotes, as the analyst corrected them, by article."""
    from storage import quotes, speaker_corrections

    found: dict[int, list[dict]] = {}
    if not article_ids:
        return found
    where = f"a.id IN ({', '.join(str(int(i)) for i in article_ids)})"
    current = speaker_corrections.current_select(where)
    for row in db.query(
            f"SELECT article_id, start, end, speaker, speaker_kind FROM "
            f"({speaker_corrections.corrected_quotes_sql(current)}) "
            f"WHERE kind IN {quotes.SPOKEN!r} ORDER BY article_id, start, end"):
        found.setdefault(row["article_id"], []).append(row)
    return found


def who_said_it(start: int, end: int, spoken: list[dict]) -> tuple[str, str]:
    """Speaker and speaker kind of a passage that is a quote, lies within one
    or contains quotes (several speakers joined by "; ", in text order);
    empty strings for a passage that is no one's words."""
    found: dict[str, str] = {}
    for quote in spoken:
        inside = start >= quote["start"] and end <= quote["end"]
        contains = quote["start"] >= start and quote["end"] <= end
        if (inside or contains) and quote["speaker"]:
            found.setdefault(quote["speaker"], quote["speaker_kind"] or "")
    return "; ".join(found), "; ".join(found.values())


def count_passages(db: Database, f: PassageFilter = PassageFilter()) -> int:
    """How many passages :func:`selected_passages` yields."""
    where, params = _where(_passage_clauses(f))
    return db.execute(
        f"SELECT count(*) FROM passages p JOIN tags t ON t.id = p.tag_id "
        f"JOIN articles a ON a.id = p.article_id {where}", params).fetchone()[0]


def undated_left_out(db: Database, f: PassageFilter = PassageFilter()) -> int:
    """How many passages a published-date range leaves out because their
    article has no published date (every other part of the filter admits
    them); 0 when the filter has no such range. Said beside an export, so
    that undated coverage is never dropped without a word."""
    if f.date_of != "published" or not (f.since or f.until):
        return 0
    undated = replace(f, since=None, until=None)
    where, params = _where(_passage_clauses(undated)
                           + [("ifnull(a.published, '') = ''", [])])
    return db.execute(
        f"SELECT count(*) FROM passages p JOIN tags t ON t.id = p.tag_id "
        f"JOIN articles a ON a.id = p.article_id {where}", params).fetchone()[0]


def selected_articles(db: Database, f: PassageFilter = PassageFilter()):
    """Yield every article (all columns, text included) the filter's
    article-level part admits, oldest first."""
    where, params = _where(_article_clauses(f))
    yield from db.query(f"SELECT a.* FROM articles a {where} ORDER BY a.id", params)


def selected_tags(db: Database, f: PassageFilter = PassageFilter()) -> list[dict]:
    """The filter's tags (all tags without a tag filter), in codebook order,
    each with ``codable`` (0: a category) and ``passage_count``: how many of
    its passages the filter selects."""
    where, params = _where(_passage_clauses(f))
    counts = dict(db.execute(
        f"SELECT p.tag_id, count(*) FROM passages p JOIN tags t ON t.id = p.tag_id "
        f"JOIN articles a ON a.id = p.article_id {where} GROUP BY p.tag_id", params))
    tag_where, tag_params = _where([_tag_clause("t.id", f)] if f.tags else [])
    rows = list(db.query(
        f"""SELECT t.id, t.name, t.color, t.shortcut, t.description, t.created_at, t.parent_id,
               t.codable
        FROM tags t {tag_where}
        ORDER BY t.shortcut IS NULL, t.shortcut, t.name COLLATE NOCASE""", tag_params))
    for row in rows:
        row["passage_count"] = counts.get(row["id"], 0)
    return rows


#: upper-case ASCII letters to lower case, as SQLite's NOCASE folds them
_NOCASE = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def analysts(db: Database, among=()) -> list[str]:
    """Every analyst who tagged a passage, alphabetically (``COLLATE
    NOCASE``); with ``among``, only those of them. Found one index seek per
    analyst (a ``DISTINCT`` read all 200,000 passages' index entries: 50 ms,
    too long for the window to ask as an article opens)."""
    names = []
    found = db.execute("SELECT analyst FROM passages ORDER BY analyst LIMIT 1").fetchone()
    while found is not None:
        names.append(found[0])
        found = db.execute("SELECT analyst FROM passages WHERE analyst > ? "
                           "ORDER BY analyst LIMIT 1", [found[0]]).fetchone()
    if among:
        names = [name for name in names if name in among]
    return sorted(names, key=lambda name: (name.translate(_NOCASE), name))


#: The namespace of project UUIDs derived from a database's first journal
#: step (or, with none, its file's path): see :func:`project_guid`.
_PROJECT_NAMESPACE = uuid.UUID("a5b1f0d2-3c4e-5f60-8a7b-9c0d1e2f3a4b")


def _derived_project_guid(db: Database) -> str:
    """A project UUID made from what never changes in this file: the uuid
    of its first journal step (the same in every copy of the file), or,
    for a file no change was ever made in, its resolved path."""
    first = db.execute("SELECT uuid FROM journal_steps ORDER BY id LIMIT 1").fetchone()
    key = f"step:{first[0]}" if first else f"file:{os.path.realpath(database_file(db))}"
    return str(uuid.uuid5(_PROJECT_NAMESPACE, key))


def project_guid(db: Database) -> str:
    """This database's own UUID, made once and kept in ``meta``.

    Exports derive their stable identifiers (REFI-QDA GUIDs, annotation
    ids) from it, so re-exporting the same database gives the same ids.
    It is derived (:func:`_derived_project_guid`), not random, so that a
    read-only file, which cannot keep it, exports the same ids every time
    and the same as once it is writable. The trade-off: two files that
    began as copies of one file share it until one of them stores its own
    (as copies made after an export always did), and a read-only file in
    which no change was ever made has one only as long as it is not moved.
    """
    row = db.execute("SELECT value FROM meta WHERE key = 'project_guid'").fetchone()
    if row is not None:
        return row[0]
    derived = _derived_project_guid(db)
    if is_read_only(db):
        return derived
    with db.atomic():
        db.execute("INSERT OR IGNORE INTO meta (key, value) VALUES ('project_guid', ?)",
                   [derived])
        return db.execute("SELECT value FROM meta WHERE key = 'project_guid'").fetchone()[0]
