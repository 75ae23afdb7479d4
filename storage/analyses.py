"""Stored NLP results: entities and quotes per (article, pipeline, text hash).

Analysis runs once per article text and pipeline; opening an article reads
the stored result and never runs spaCy.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from sqlite_utils import Database

from storage.database import utc_now, write_transaction
from storage.entity_index import refresh_article

ENTITY_FIELDS = ("start", "end", "label", "text")

#: ``current(article_id, title, analysis_id)``: the analysis shown for each
#: article — of its current text, trained pipelines before degraded ones,
#: newest first. Every corpus-wide query of NLP results starts from it.
CURRENT_ANALYSES = """
    WITH current AS (
        SELECT a.id AS article_id, a.title AS title,
               (SELECT n.id FROM analyses n
                WHERE n.article_id = a.id AND n.text_hash = a.text_hash
                ORDER BY n.degraded, n.id DESC LIMIT 1) AS analysis_id
        FROM articles a)
"""
QUOTE_FIELDS = ("start", "end", "text", "kind", "speaker", "speaker_kind",
                "speaker_start", "speaker_end", "cue", "method")


def save_analysis(db: Database, *, article_id: int, text_hash: str,
                  pipeline: str, pipeline_version: str, degraded: bool,
                  entities: list[dict], quotes: list[dict]) -> int | None:
    """Store one article's entities and quotes in one transaction.

    Replaces an earlier result of the same pipeline for the same text (a
    trained pipeline's result, every earlier result of that text). If
    the article's text changed (or the article was deleted) since the
    analysis started, nothing is stored and None is returned.
    """
    return save_analyses(db, [{"article_id": article_id, "text_hash": text_hash,
                               "entities": entities, "quotes": quotes}],
                         pipeline=pipeline, pipeline_version=pipeline_version,
                         degraded=degraded)[0]


def save_analyses(db: Database, results: list[dict], *, pipeline: str,
                  pipeline_version: str, degraded: bool) -> list[int | None]:
    """Store the results of several articles (each ``{"article_id",
    "text_hash", "entities", "quotes"}``) in one transaction, as
    :func:`save_analysis` stores one: the analysis process's writer stores a
    batch at once (one commit, one ``fsync``). Returns the analysis id of
    each, None where the article's text changed meanwhile."""
    stored = []
    with write_transaction(db):     # the analysis service's writer, the hub's pull
        for result in results:
            stored.append(_store(db, pipeline, pipeline_version, degraded, **result))
    return stored


def _store(db: Database, pipeline: str, pipeline_version: str, degraded: bool, *,
           article_id: int, text_hash: str, entities: list[dict],
           quotes: list[dict]) -> int | None:
    current = db.execute("SELECT text_hash FROM articles WHERE id = ?",
                         [article_id]).fetchone()
    if current is None or current[0] != text_hash:
        return None
    # the results this one supersedes: of the same pipeline and version, and
    # — a trained result being the one shown — every other of this text (an
    # older analysis version's, a degraded pipeline's). Kept, each version
    # bump doubled the file's analyses, and readers had to skip them. A
    # degraded result leaves a trained one (shown before it) in place.
    db.execute(
        "DELETE FROM analyses WHERE article_id = ? AND text_hash = ? AND (NOT ? OR degraded "
        "OR (pipeline = ? AND pipeline_version = ?))",
        [article_id, text_hash, int(degraded), pipeline, pipeline_version])
    analysis_id = db.table("analyses").insert({
        "article_id": article_id, "text_hash": text_hash,
        "pipeline": pipeline, "pipeline_version": pipeline_version,
        "degraded": int(degraded), "created_at": utc_now(),
    }).last_pk
    db.table("entities").insert_all(
        ({"analysis_id": analysis_id, **{k: e[k] for k in ENTITY_FIELDS}}
         for e in entities), batch_size=500)
    db.table("quotes").insert_all(
        ({"analysis_id": analysis_id, **{k: q.get(k) for k in QUOTE_FIELDS}}
         for q in quotes), batch_size=500)
    refresh_article(db, article_id)   # the corpus entity counts and filter
    return analysis_id


def last_analysis_id(db: Database) -> int:
    """The newest stored analysis' id (0 when none): a mark for
    :func:`analysed_since`."""
    return db.execute("SELECT coalesce(max(id), 0) FROM analyses").fetchone()[0]


def analysed_since(db: Database, analysis_id: int, *, limit: int = 1000
                   ) -> tuple[int, list[int] | None]:
    """``(newest id, article ids)`` of the analyses stored after
    ``analysis_id`` (another process's analysis: it writes no journal step);
    the ids are None when more than ``limit`` articles were analysed (then
    every article may have changed)."""
    rows = db.execute("SELECT id, article_id FROM analyses WHERE id > ? ORDER BY id",
                      [analysis_id]).fetchmany(limit * 4)
    if not rows:
        return analysis_id, []
    ids = list(dict.fromkeys(article_id for _id, article_id in rows))
    if len(rows) == limit * 4 or len(ids) > limit:
        return last_analysis_id(db), None
    return rows[-1][0], ids


#: An article ``a`` with no analysis of its current text by the pipeline
#: and version given as the two parameters.
_NOT_ANALYSED = """NOT EXISTS (
            SELECT 1 FROM analyses n
            WHERE n.article_id = a.id AND n.text_hash = a.text_hash
              AND n.pipeline = ? AND n.pipeline_version = ?)"""


def pending_article_ids(db: Database, pipeline: str, pipeline_version: str) -> list[int]:
    """Articles with no analysis by this pipeline for their current text.

    Read from the ``text_hash`` index, which holds each article's id and hash:
    a scan of the table itself reads past every article's text to reach its
    hash (on the 100k corpus 300 ms of CPU warm and 1.6 s cold, against
    110–160 ms), and the analysis service asks at its first run (later runs:
    :func:`pending_among_wanted`)."""
    return [r[0] for r in db.execute(
        f"""
        SELECT a.id FROM articles a INDEXED BY idx_articles_text_hash
        WHERE {_NOT_ANALYSED}
        ORDER BY a.id
        """,
        [pipeline, pipeline_version])]


def pending_among_wanted(db: Database, pipeline: str, pipeline_version: str,
                         also: Iterable[int] = ()) -> list[int]:
    """:func:`pending_article_ids` among the articles of ``analysis_wanted``
    (added, or their text changed: migration 0029) and ``also``, for a
    writer that scanned every article once and kept what it left (a
    cancelled run). The rows of ``analysis_wanted`` that are not pending
    (analysed since by this pipeline, or their text changed back) are
    taken out in the same transaction: the table holds what changed since
    the last look, and the cost follows it, not the size of the corpus."""
    with write_transaction(db):       # nothing added between the read and the delete
        pending = [r[0] for r in db.execute(
            f"""
            SELECT a.id FROM articles a
            WHERE a.id IN (SELECT article_id FROM analysis_wanted
                           UNION SELECT value FROM json_each(?))
              AND {_NOT_ANALYSED}
            ORDER BY a.id
            """,
            [json.dumps(sorted(set(also))), pipeline, pipeline_version])]
        db.execute("DELETE FROM analysis_wanted WHERE article_id NOT IN "
                   "(SELECT value FROM json_each(?))", [json.dumps(pending)])
    return pending


def article_ids(db: Database, wanted: list[int] | None = None) -> list[int]:
    """The ids of ``wanted`` that are articles (each once, in order), or of
    every article when ``wanted`` is None: what ``dossier analyse --again``
    analyses again, whether analysed already or not. Read from the
    ``text_hash`` index, as :func:`pending_article_ids` is."""
    if wanted is None:
        return [r[0] for r in db.execute(
            "SELECT id FROM articles INDEXED BY idx_articles_text_hash ORDER BY id")]
    return [r[0] for r in db.execute(
        "SELECT id FROM articles WHERE id IN (SELECT value FROM json_each(?)) ORDER BY id",
        [json.dumps(sorted(set(wanted)))])]


def latest_analysis(db: Database, article_id: int) -> dict | None:
    """The newest analysis of the article's current text, or None.

    Returns ``{"pipeline", "pipeline_version", "degraded", "created_at",
    "entities": [...], "quotes": [...]}`` with entities and quotes in text
    order. An article whose current text has no analysis yet (being
    analysed, or just edited) but has passages the analyst marked as quotes
    gets them: ``pipeline``, ``pipeline_version`` and ``created_at`` None, no
    entities — they are listed everywhere else, the reader must show them too.
    """
    rows = list(db.query(
        CURRENT_ANALYSES + """
        SELECT n.id, n.pipeline, n.pipeline_version, n.degraded, n.created_at
        FROM current c JOIN analyses n ON n.id = c.analysis_id
        WHERE c.article_id = ?
        """,
        [article_id]))
    if not rows:
        marked = _corrected_quotes(db, article_id)
        if not marked:
            return None
        return {"pipeline": None, "pipeline_version": None, "degraded": False,
                "created_at": None, "entities": [], "quotes": marked}
    analysis = rows[0]
    analysis_id = analysis.pop("id")
    analysis["degraded"] = bool(analysis["degraded"])
    analysis["entities"] = list(db.query(
        "SELECT start, end, label, text FROM entities WHERE analysis_id = ? "
        "ORDER BY start, end", [analysis_id]))
    analysis["quotes"] = _corrected_quotes(db, article_id)
    return analysis


def _corrected_quotes(db: Database, article_id: int) -> list[dict]:
    """The article's quotes as the analyst corrected them
    (:mod:`storage.speaker_corrections`), in text order: its current
    analysis' (if any) and the passages marked as quotes. Each also has
    ``original_speaker``, ``corrected`` and ``text_hash``; a marked one no id."""
    from storage import speaker_corrections

    found = list(db.query(
        f"SELECT id, {', '.join(QUOTE_FIELDS)}, text_hash, original_speaker, corrected "
        "FROM (" + speaker_corrections.corrected_quotes_sql(
            speaker_corrections.current_select("a.id = ?")) + ") ORDER BY start, end",
        [article_id, article_id]))
    for quote in found:
        quote["corrected"] = bool(quote["corrected"])
    return found

