"""Quotes across the corpus: listing, speakers, and recycled-quote links.

Only each article's current analysis counts (see
:data:`storage.analyses.CURRENT_ANALYSES`), as the analyst corrected
them (``storage.speaker_corrections``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from sqlite_utils import Database

from storage import speaker_corrections
from storage.database import write_transaction
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
TO_CHECK = ("pronoun", "inherited", "guessed")


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


def all_quotes(db: Database, *, article_id: int | None = None,
               speaker: str | None = None, kinds: Iterable[str] | None = None):
    """Yield quote rows (id, article_id, article_title, start, end, text,
    kind, speaker, speaker_kind, speaker_start, speaker_end, cue, method,
    text_hash, original_speaker, corrected) in article and text order, as
    the analyst corrected them: ``speaker`` matches the corrected speaker
    (case-insensitive), merged names included; an added quote has no id."""
    sql, params = quotes_query(article_id=article_id, speaker=speaker, kinds=kinds)
    for row in db.query(sql + " ORDER BY article_id, start, end", params):
        row["corrected"] = bool(row["corrected"])
        yield row


def speakers(db: Database) -> list[dict]:
    """Every speaker of spoken quotes (as corrected and merged) with quote
    and article counts, most quoted first; ``to_check`` counts the quotes
    whose attribution is uncertain (:data:`TO_CHECK`); ``corrected`` those
    the analyst corrected."""
    return list(db.query(
        f"""
        SELECT min(speaker) AS speaker, min(speaker_kind) AS speaker_kind,
               count(*) AS quote_count, count(DISTINCT article_id) AS article_count,
               sum(method IS NOT NULL AND method IN {TO_CHECK!r}) AS to_check,
               sum(corrected) AS corrected
        FROM ({_quote_rows()})
        WHERE speaker IS NOT NULL AND kind IN {SPOKEN!r}
        GROUP BY lower(speaker)
        ORDER BY quote_count DESC, min(speaker) COLLATE NOCASE
        """))


def save_links(db: Database, quote_ids: Iterable[int],
               links: Iterable[tuple[int, int, float]]) -> int:
    """Replace the links of ``quote_ids`` by ``links`` (``(quote, other,
    score)``, in either order; stored once per pair with its best score, the
    newer quote first: migration 0024). Returns the number of pairs."""
    quote_ids = list(quote_ids)
    with write_transaction(db):     # analysis processes link side by side
        for quote_id in quote_ids:
            db.execute("DELETE FROM quote_links WHERE quote_id = ? OR other_quote_id = ?",
                       [quote_id, quote_id])
        # Plain SQL: sqlite-utils' upsert_all first probes the SQLite version
        # by creating and dropping a table, a schema change that every other
        # connection must then reload (and SQLite 3.40 can fail a DELETE that
        # fires an FTS5 trigger right after such a reload).
        once: dict[tuple[int, int], float] = {}
        for first, second, score in links:
            if first != second:
                pair = (max(first, second), min(first, second))
                once[pair] = max(score, once.get(pair, score))
        db.conn.executemany(
            "INSERT INTO quote_links (quote_id, other_quote_id, score) VALUES (?, ?, ?) "
            "ON CONFLICT (quote_id, other_quote_id) DO UPDATE SET score = excluded.score",
            sorted((a, b, s) for (a, b), s in once.items()))    # key order: fewer pages
    return len(once)


def links_for_article(db: Database, article_id: int) -> dict[int, list[dict]]:
    """For each quote of the article, the quotes in other articles it recurs in.

    Index lookups from this article's current analysis out (never the
    corpus-wide ``current`` table, which would be built for every article).
    """
    links: dict[int, list[dict]] = {}
    # a pair is stored once (migration 0024): this article's quote may be
    # either end, each read through its own index (one join per end; a CTE
    # of both ends joined once was fifteen times slower warm)
    def end(mine: str, other: str) -> str:
        return f"""
            SELECT l.{mine} AS quote_id, l.score, o.id AS other_quote_id, n.article_id,
                   a.title AS article_title, o.start, o.end, o.speaker
            FROM quotes q
            JOIN quote_links l ON l.{mine} = q.id
            JOIN quotes o ON o.id = l.{other}
            JOIN analyses n ON n.id = o.analysis_id
            JOIN articles a ON a.id = n.article_id
            WHERE q.analysis_id = {current_analysis_sql("?1")}
              AND n.id = {current_analysis_sql("n.article_id")}"""
    for row in db.query(end("quote_id", "other_quote_id") + " UNION ALL "
                        + end("other_quote_id", "quote_id") + " ORDER BY score DESC",
                        [article_id]):
        links.setdefault(row.pop("quote_id"), []).append(row)
    return links




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
    for offset in range(0, len(every), 500):       # SQLite's bound parameters
        chunk = every[offset:offset + 500]
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
