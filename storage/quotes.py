"""Quotes across the corpus: listing, speakers, and recycled-quote groups.

Only each article's current analysis counts (see
:data:`storage.analyses.CURRENT_ANALYSES`), as the analyst corrected
them (``storage.speaker_corrections``).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable

from sqlite_utils import Database

from storage import speaker_corrections
from storage.database import chunks, write_transaction
from storage.schema import QUOTES_FTS, current_analysis_sql

def _quote_rows(where: str = "") -> str:
    """The current analyses' quotes as the analyst corrected them
    (``storage.speaker_corrections``), for the articles matching ``where``."""
    return ("SELECT * FROM (" + speaker_corrections.corrected_quotes_sql(
        speaker_corrections.current_select(where)) + ") cq")


#: Kinds that are somebody's words (scare quotes and titles are not).
SPOKEN = ("direct", "partial")
#: Attribution methods worth a second look (see
#: ``desktop.analysis.attribution.METHODS``): everything but a cue naming
#: the speaker in the quote's own sentence.
TO_CHECK = ("pronoun", "inherited", "guessed", "group")


def quote_key(text_hash: str, start: int, end: int) -> str:
    """A quote's stable key: the same words of the same article text keep it
    through re-analysis (a correction made to a quote can be stored by it)."""
    return f"{text_hash}:{start}-{end}"


def to_check(row: dict) -> bool:
    """Whether a spoken quote's speaker is uncertain: not found, or found
    other than by a cue in its sentence."""
    return row.get("kind") in SPOKEN and (
        not row.get("speaker") or row.get("method") in TO_CHECK)


def quotes_query(*, article_id: int | None = None, speaker: str | None = None,
                 kinds: Iterable[str] | None = None) -> tuple[str, list]:
    """The SQL (a SELECT of the :func:`all_quotes` columns, unordered) and
    its parameters for the corrected quotes matching the arguments."""
    where, params = [], []
    articles = ""
    if article_id is not None:
        articles = f"a.id = {int(article_id)}"
    if speaker is not None:
        # through the speaker index (corrected too): the articles it speaks in
        # (the article condition appears in both halves of the query)
        articles = " AND ".join(filter(None, [articles, "a.id IN (SELECT article_id FROM "
                                              "article_speakers WHERE lower(speaker) = "
                                              "lower(?))"]))
        params += [speaker, speaker]
        where.append("lower(speaker) = lower(?)")
        params.append(speaker)
    if kinds is not None:
        kinds = list(kinds)
        where.append(f"kind IN ({', '.join('?' for _ in kinds)})")
        params += kinds
    return _quote_rows(articles) + (" WHERE " + " AND ".join(where) if where else ""), params


def quote_count(db: Database) -> int:
    """How many quotes :func:`all_quotes` lists (every kind, as corrected:
    a quote marked "not a quote" left out, one marked by hand counted),
    without reading them (:func:`storage.speaker_corrections.corrected_quote_count_sql`)."""
    return db.execute(speaker_corrections.corrected_quote_count_sql()).fetchone()[0]


def all_quotes(db: Database, *, article_id: int | None = None,
               speaker: str | None = None, kinds: Iterable[str] | None = None):
    """Yield quote rows (id, article_id, article_title, start, end, text,
    kind, speaker, speaker_kind, speaker_start, speaker_end, cue, method,
    text_hash, original_speaker, corrected) in article and text order, as
    the analyst corrected them: ``speaker`` matches the corrected speaker
    (case-insensitive), merged names included — a name merged into another
    is that other's (see :func:`storage.speaker_corrections.resolve`); an
    added quote has no id."""
    sql, params = quotes_query(article_id=article_id, kinds=kinds,
                               speaker=speaker_corrections.resolve(db, speaker))
    for row in db.query(sql + " ORDER BY article_id, start, end", params):
        row["corrected"] = bool(row["corrected"])
        yield row


#: Known speaker kinds, in the order a tie between them is decided.
_KINDS = ("person", "organisation", "document")


def _count(kind: str) -> str:
    return f"sum(speaker_kind = '{kind}')"


#: The known kind most of a speaker's quotes give it (ties: person,
#: organisation, document; "unknown" only when none is known), as an
#: aggregate over ``speaker_kind``.
_MOST_GIVEN_KIND = "CASE " + " ".join(
    f"WHEN {_count(kind)} > 0 AND "
    + " AND ".join(f"{_count(kind)} >= {_count(other)}" for other in _KINDS if other != kind)
    + f" THEN '{kind}'" for kind in _KINDS) + " ELSE min(speaker_kind) END"


def speakers(db: Database) -> list[dict]:
    """Every speaker of spoken quotes (as corrected and merged) with quote
    and article counts, most quoted first; ``to_check`` counts the quotes
    whose attribution is uncertain (:data:`TO_CHECK`); ``corrected`` those
    the analyst corrected. ``speaker_kind`` is the kind most of its quotes
    give it (one quote calling a person an organisation made the row read
    "organisation": the least kind in the alphabet won)."""
    return list(db.query(
        f"""
        SELECT min(speaker) AS speaker, {_MOST_GIVEN_KIND} AS speaker_kind,
               count(*) AS quote_count, count(DISTINCT article_id) AS article_count,
               sum(method IS NOT NULL AND method IN {TO_CHECK!r}) AS to_check,
               sum(corrected) AS corrected
        FROM ({_quote_rows()})
        WHERE speaker IS NOT NULL AND kind IN {SPOKEN!r}
        GROUP BY lower(speaker)
        ORDER BY quote_count DESC, min(speaker) COLLATE NOCASE
        """))


#: The most recurrences of one quote :func:`links_for_article` gives, the
#: newest: a wire service's statement may recur in a thousand articles.
RECURRENCES_SHOWN = 20

_AROUND_WORDS = " \t\n\"'\u201c\u201d\u2018\u2019\u00ab\u00bb\u201e,.;:!?\u2026"


def wording_key(text: str) -> int:
    """A quote's words as a signed 64-bit key (``quote_groups.wording``):
    the same for copies that differ only in case, spacing, and the quotation
    marks and punctuation around them."""
    words = " ".join(text.lower().split()).strip(_AROUND_WORDS)
    return int.from_bytes(hashlib.blake2b(words.encode("utf-8"), digest_size=8).digest(),
                          "big", signed=True)


def groups_by_wording(db: Database, keys: Iterable[int]) -> dict[int, dict[int, float]]:
    """For each of these :func:`wording_key` keys a stored quote has, the
    groups of the newest such quote, with its score in each: one walk of
    the wording index that stops at its first entry (a wire statement's
    wording may be a thousand quotes')."""
    found: dict[int, dict[int, float]] = {}
    for key in set(keys):
        rows = db.execute(
            "SELECT group_id, score FROM quote_groups WHERE quote_id = ("
            "SELECT quote_id FROM quote_groups WHERE wording = ? "
            "ORDER BY quote_id DESC LIMIT 1)", [key]).fetchall()
        if rows:
            found[key] = dict(rows)
    return found


def groups_of(db: Database, quote_ids: Iterable[int]) -> dict[int, list[int]]:
    """The groups each of these quotes is in; a quote in none is missing."""
    quote_ids = sorted(set(quote_ids))
    found: dict[int, list[int]] = {}
    for chunk in chunks(quote_ids):
        for quote_id, group_id in db.execute(
                f"SELECT quote_id, group_id FROM quote_groups "
                f"WHERE quote_id IN ({', '.join('?' for _ in chunk)})", chunk):
            found.setdefault(quote_id, []).append(group_id)
    return found


def save_groups(db: Database, rows: Iterable[tuple[int, int, float, int]]) -> int:
    """Store ``(quote, group, score, wording)`` rows in ``quote_groups``
    (migration 0028), replacing any earlier row of these quotes. Returns
    the number of quotes."""
    rows = sorted(rows)             # key order: fewer pages
    quote_ids = sorted({row[0] for row in rows})
    with write_transaction(db):     # analysis processes link side by side
        # Plain SQL: sqlite-utils' upsert_all first probes the SQLite version
        # by creating and dropping a table, a schema change that every other
        # connection must then reload (and SQLite 3.40 can fail a DELETE that
        # fires an FTS5 trigger right after such a reload).
        db.conn.executemany("DELETE FROM quote_groups WHERE quote_id = ?",
                            [(quote_id,) for quote_id in quote_ids])
        db.conn.executemany("INSERT INTO quote_groups (quote_id, group_id, score, wording) "
                            "VALUES (?, ?, ?, ?)", rows)
    return len(quote_ids)


def links_for_article(db: Database, article_id: int, *,
                      limit: int = RECURRENCES_SHOWN) -> dict[int, list[dict]]:
    """For each quote of the article's current analysis, the newest
    ``limit`` quotes of its groups (:func:`save_groups`) in other articles'
    current analyses: ``other_quote_id, article_id, article_title, start,
    end, speaker, text``. Index lookups from the article's quotes out (never
    the corpus-wide ``current`` table, built for every article)."""
    links: dict[int, dict[int, dict]] = {}
    by_group: dict[int, list[dict]] = {}
    for quote_id, group_id in db.execute(
            f"SELECT q.id, g.group_id FROM quotes q JOIN quote_groups g ON g.quote_id = q.id "
            f"WHERE q.analysis_id = {current_analysis_sql('?1')}", [article_id]):
        if group_id not in by_group:
            # newest first in the index's own order: a walk that stops after
            # ``limit`` current quotes however large the group
            by_group[group_id] = list(db.query(f"""
                SELECT o.id AS other_quote_id, n.article_id, a.title AS article_title,
                       o.start, o.end, o.speaker, o.text
                FROM quote_groups m
                JOIN quotes o ON o.id = m.quote_id
                JOIN analyses n ON n.id = o.analysis_id
                JOIN articles a ON a.id = n.article_id
                WHERE m.group_id = ?1 AND n.article_id != ?2
                  AND n.id = {current_analysis_sql("n.article_id")}
                ORDER BY m.quote_id DESC LIMIT ?3""", [group_id, article_id, limit]))
        for row in by_group[group_id]:
            links.setdefault(quote_id, {}).setdefault(row["other_quote_id"], dict(row))
    return {quote_id: sorted(rows.values(), key=lambda row: -row["other_quote_id"])[:limit]
            for quote_id, rows in links.items()}


#: Words too common to tell quotes apart; left out of the candidate search.
_COMMON = frozenset("""about after also been being could from have into more most
other over said says some such than that their them then there these they this
those very were what when where which while will with would your""".split())
_WORDS = re.compile(r"\w{4,}")


def _probe_groups(text: str) -> list[str]:
    """FTS5 expressions: quotes holding all of the three longest words of
    ``text``; all of the next three (longer words are rarer; a near-copy
    has them all)."""
    words = sorted(dict.fromkeys(w for w in _WORDS.findall(text.lower())
                                 if w not in _COMMON), key=len, reverse=True)
    groups = [words[i:i + 3] for i in (0, 3) if len(words[i:i + 3]) >= 2]
    return ["(" + " AND ".join(f'"{w}"' for w in group) + ")" for group in groups]


def _probe(db: Database, groups: list[str], limit: int) -> list[int]:
    """The newest ``limit`` quotes matching the first group of words; those
    of the next group too only if the first finds fewer (a near-copy holds
    the longest words, so the first group nearly always finds it: one FTS5
    AND query costs about half of the two as one OR)."""
    found: list[int] = []
    for group in groups:
        found += [r[0] for r in db.execute(
            f"SELECT rowid FROM {QUOTES_FTS} WHERE {QUOTES_FTS} MATCH ? "
            "ORDER BY rowid DESC LIMIT ?", [group, limit])]
        if len(found) >= limit:
            break
    return sorted(set(found), reverse=True)[:limit]


def recycling_candidates(db: Database, text: str, article_id: int,
                         speaker: str | None = None, *, limit: int = 40) -> list[dict]:
    """Spoken quotes of other articles' current analyses that may recur
    ``text``: the newest ``limit`` holding its rarest words (FTS5 over
    ``quotes_fts``) and the newest ``limit`` of the same ``speaker``.

    A bounded prefilter for recycled-quote linking — two index lookups that
    stop after ``limit`` rows — instead of a comparison with every quote.
    Rows: ``id, article_id, text, speaker``, newest first.
    """
    return recycling_candidates_many(db, [(text, article_id, speaker)], limit=limit)[0]


def recycling_candidates_many(db: Database,
                              probes: list[tuple[str, int, str | None]], *,
                              limit: int = 40) -> list[list[dict]]:
    """:func:`recycling_candidates` of each ``(text, article_id, speaker)``,
    with each speaker and each word probe looked up once and the rows of all
    read in one query (a batch of new quotes often repeats its speakers, and
    wire copies their words)."""
    by_speaker: dict[str, list[int]] = {}
    by_expression: dict[str, list[int]] = {}    # wire copies in a batch probe alike
    wanted: list[list[int]] = []
    for text, _article_id, speaker in probes:
        ids: list[int] = []
        groups = _probe_groups(text)
        if groups:
            expression = " OR ".join(groups)
            if expression not in by_expression:
                by_expression[expression] = _probe(db, groups, limit)
            ids += by_expression[expression]
        if speaker:
            if speaker not in by_speaker:
                # newest first in the index's own order (a quote's id grows
                # with its analysis'): a walk that stops after ``limit``
                # entries, where ``ORDER BY id`` sorted all of a speaker's
                # quotes first (thousands for a frequent one: ~2 ms each)
                by_speaker[speaker] = [r[0] for r in db.execute(
                    "SELECT id FROM quotes WHERE speaker = ? COLLATE NOCASE "
                    "ORDER BY analysis_id DESC, id DESC LIMIT ?", [speaker, limit])]
            ids += by_speaker[speaker]
        wanted.append(list(dict.fromkeys(ids)))
    every = sorted({i for ids in wanted for i in ids})
    rows: dict[int, dict] = {}
    for chunk in chunks(every):
        # (the current analysis is of the article's current text: no join to
        # articles; rows as tuples, made dicts only here — thousands a batch)
        rows.update((quote_id, {"id": quote_id, "article_id": article_id, "text": text,
                                "speaker": speaker})
                    for quote_id, article_id, text, speaker in db.execute(
            f"""
            SELECT q.id, n.article_id, q.text, q.speaker
            FROM quotes q
            JOIN analyses n ON n.id = q.analysis_id
            WHERE q.id IN ({", ".join("?" for _ in chunk)})
              AND q.kind IN {SPOKEN!r}
              AND n.id = {current_analysis_sql("n.article_id")}
            """, chunk))
    return [[rows[i] for i in sorted(ids, reverse=True)
             if i in rows and rows[i]["article_id"] != article_id]
            for ids, (_text, article_id, _speaker) in zip(wanted, probes)]
