"""What an agreement report reads: chosen analysts' passages as spans.

Every function reads only, in a handful of SQL statements whose rows come
back as plain lists of tuples (no per-character work, no per-passage
look-ups), so the spans of three analysts over 100,000 articles load in
about a second. Orphaned passages (whose text is gone from their article)
are left out: their offsets no longer point at their words.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from operator import itemgetter
from pathlib import Path

from sqlite_utils import Database

from storage.database import database_file

#: Which articles a report covers when none are named.
CODED_BY_ALL = "coded by all"   # articles where every chosen analyst has a passage
CODED_BY_ANY = "coded"      # articles where any chosen analyst has a passage
ALL_ARTICLES = "all"        # every article in the database


@dataclass
class AgreementData:
    """The chosen articles, tags and analysts' spans, ready for
    :class:`desktop.agreement.measures.Codings`.

    ``article_ids[i]`` has ``lengths[i]`` characters (ascending ids);
    ``rows`` holds the passages as read, ``(article id, analyst index, tag
    id, start, end)`` with the analyst's index into ``analysts``; rows of
    articles or tags not chosen may be among them (the caller keeps those
    in ``article_ids`` and ``tags``, dicts with ``id`` and ``name``)."""

    analysts: list[str]
    tags: list[dict]
    article_ids: list[int]
    lengths: list[int]
    rows: list[tuple[int, int, int, int, int]] = field(default_factory=list)
    #: with :data:`CODED_BY_ALL`: the articles some but not all of them
    #: coded, left out — article id → the analysts who coded it
    left_out: dict[int, list[str]] = field(default_factory=dict)


def analysts(db: Database) -> list[dict]:
    """Every analyst with passages: ``{"analyst", "passages", "articles"}``,
    most passages first."""
    return [{"analyst": a, "passages": p, "articles": n} for a, p, n in db.execute(
        "SELECT analyst, count(*), count(DISTINCT article_id) FROM passages "
        "GROUP BY analyst ORDER BY count(*) DESC, analyst").fetchall()]


def _placeholders(values) -> str:
    return ", ".join("?" for _ in values)


#: Memory-mapped reading for the duration of a report (2 GB, SQLite's
#: default ceiling): a scan of the passages then costs no read() per page.
MMAP_BYTES = 2 ** 31


def agreement_data(db: Database, analyst_names: list[str], *,
                   article_ids: list[int] | None = None,
                   tag_ids: list[int] | None = None,
                   scope: str = CODED_BY_ALL) -> AgreementData:
    """Read the spans of ``analyst_names`` (in that order) for a report.

    ``article_ids`` names the articles (missing ids are skipped); otherwise
    ``scope`` says which: :data:`CODED_BY_ALL` (the default of the window
    and the command: an article one analyst has not coded yet is not a
    disagreement), :data:`CODED_BY_ANY` or :data:`ALL_ARTICLES`.
    ``tag_ids`` names the tags (each once, in the order first named);
    otherwise every tag any chosen analyst used in those articles, in
    codebook order (by name). One scan of the
    passages and one of the articles' lengths."""
    names = list(dict.fromkeys(analyst_names))
    if not names:
        raise ValueError("choose at least one analyst")
    conn = db.conn
    mmap_before = conn.execute("PRAGMA mmap_size").fetchone()[0]
    conn.execute(f"PRAGMA mmap_size = {MMAP_BYTES}")
    try:
        return _read(conn, names, article_ids, tag_ids, scope)
    finally:
        conn.execute(f"PRAGMA mmap_size = {int(mmap_before)}")


#: Every article's length in characters: SQLite reads every text for it.
ALL_LENGTHS = "SELECT id, length(text) FROM articles ORDER BY id"


def _beside(conn: sqlite3.Connection, sql: str) -> Callable[[], list[tuple]]:
    """Start ``sql`` on a read-only connection of its own, in a thread, and
    return a function that waits for its rows. SQLite lets go of the GIL
    while it works, so counting 200 million characters runs beside the
    scan of the passages on the other core. A database without a file
    (in memory), or one the second connection cannot read, runs ``sql`` on
    ``conn`` when asked."""
    path = database_file(conn)
    if not path:
        return lambda: conn.execute(sql).fetchall()
    box: dict = {}

    def work() -> None:
        try:
            own = sqlite3.connect(f"{Path(path).as_uri()}?mode=ro", uri=True)
            try:
                own.execute(f"PRAGMA mmap_size = {MMAP_BYTES}")
                box["rows"] = own.execute(sql).fetchall()
            finally:
                own.close()
        except sqlite3.Error as error:          # read on conn instead
            box["error"] = error

    thread = threading.Thread(target=work, name="agreement-lengths", daemon=True)
    thread.start()

    def rows() -> list[tuple]:
        thread.join()
        if "error" in box:
            return conn.execute(sql).fetchall()
        return box["rows"]

    return rows


def _read(conn, names, article_ids, tag_ids, scope) -> AgreementData:
    analyst_index = " ".join("WHEN ? THEN ?" for _ in names)
    where = [f"analyst IN ({_placeholders(names)})", "anchor != 'orphaned'"]
    parameters: list = [x for i, n in enumerate(names) for x in (n, i)] + names
    if tag_ids is not None:
        # a tag named twice (`--tag X --tag x`) is one tag: one row, pooled once
        wanted = list(dict.fromkeys(int(t) for t in tag_ids))
        where.append(f"tag_id IN ({_placeholders(wanted)})")
        parameters += wanted
    if article_ids is not None:
        wanted_articles = sorted({int(i) for i in article_ids})
        conn.execute("DROP TABLE IF EXISTS temp.agreement_articles")
        conn.execute("CREATE TEMP TABLE agreement_articles (id INTEGER PRIMARY KEY)")
        conn.executemany("INSERT INTO temp.agreement_articles (id) VALUES (?)",
                         [(i,) for i in wanted_articles])
        where.append("article_id IN (SELECT id FROM temp.agreement_articles)")
    every_length = None if article_ids is not None else _beside(conn, ALL_LENGTHS)
    try:
        rows = conn.execute(
            f"SELECT article_id, CASE analyst {analyst_index} END, tag_id, start, end "
            f"FROM passages WHERE {' AND '.join(where)}", parameters).fetchall()
        if every_length is None:
            lengths = conn.execute(
                "SELECT a.id, length(a.text) FROM articles a "
                "JOIN temp.agreement_articles c ON c.id = a.id ORDER BY a.id").fetchall()
        else:
            lengths = every_length()
    finally:
        conn.execute("DROP TABLE IF EXISTS temp.agreement_articles")
    left_out: dict[int, list[str]] = {}
    if article_ids is None and scope != ALL_ARTICLES:
        if tag_ids is None:
            pairs = {(r[0], r[1]) for r in rows}
        else:       # coded with any tag, not only the ones asked about
            pairs = set(conn.execute(
                f"SELECT DISTINCT article_id, CASE analyst {analyst_index} END FROM passages "
                f"WHERE analyst IN ({_placeholders(names)}) AND anchor != 'orphaned'",
                [x for i, n in enumerate(names) for x in (n, i)] + names).fetchall())
        coders: dict[int, set[int]] = {}
        for article, analyst in pairs:
            coders.setdefault(article, set()).add(analyst)
        if scope == CODED_BY_ALL:
            left_out = {a: [names[i] for i in sorted(who)] for a, who in sorted(coders.items())
                        if len(who) < len(names)}
            coded = {a for a, who in coders.items() if len(who) == len(names)}
        else:
            coded = set(coders)
        lengths = [r for r in lengths if r[0] in coded]
    ids = [r[0] for r in lengths]

    if tag_ids is None:     # the tags used in the articles compared
        kept = set(ids)
        used = sorted({r[2] for r in rows if r[0] in kept})
        names_of = dict(conn.execute(
            f"SELECT id, name FROM tags WHERE id IN ({_placeholders(used)})",
            used).fetchall()) if used else {}
        tags = sorted(({"id": t, "name": names_of[t]} for t in used if t in names_of),
                      key=lambda t: t["name"].casefold())
    else:
        wanted = list(dict.fromkeys(int(t) for t in tag_ids))
        names_of = dict(conn.execute(
            f"SELECT id, name FROM tags WHERE id IN ({_placeholders(wanted)})",
            wanted).fetchall()) if wanted else {}
        tags = [{"id": t, "name": names_of[t]} for t in wanted if t in names_of]
    return AgreementData(names, tags, ids, [r[1] for r in lengths], rows, left_out)


#: Rows a C-level loop takes at a time: it holds the GIL throughout (a
#: GUI thread waiting for it), where a Python loop over the rows would let
#: go of it every few milliseconds but cost three times as much.
DISTINCT_CHUNK = 50_000


def _distinct(rows: list[tuple], column: int) -> set:
    """The distinct values of one column of ``rows``."""
    found: set = set()
    pick = itemgetter(column)
    for start in range(0, len(rows), DISTINCT_CHUNK):
        found.update(map(pick, rows[start:start + DISTINCT_CHUNK]))
    return found


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
