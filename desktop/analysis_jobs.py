"""Analysing stored articles: the glue between :mod:`desktop.analysis` and
:mod:`storage`. The analysis service's workers :func:`prepare` results (no
database), its writer stores them with :func:`store_batch`;
:func:`analyse_pending` does both in one process.

No Qt here: progress and cancellation are plain callables.

One article never stops a run: long texts are analysed in pieces (see
:mod:`desktop.analysis.analyse`), and if the pipeline fails on a batch its
articles are retried one by one; an article that fails on its own is left
out (logged, and still pending) while the others are stored.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator

from sqlite_utils import Database

from desktop.analysis.analyse import Analysis, analyse_text, analyse_texts, result_version
from desktop.analysis.pipeline import LoadedPipeline
from desktop.analysis.recycled import QuoteText, find_links, sentences
from storage import analyses, articles, quotes

log = logging.getLogger(__name__)

BATCH_SIZE = 8
#: Quotes of other articles each new quote is compared with (see
#: :func:`link_recycled_quotes`).
CANDIDATES = 40


def analyse_pending(
    db: Database,
    loaded: LoadedPipeline,
    *,
    on_progress: Callable[[int, int], None] | None = None,
    on_article: Callable[[int], None] | None = None,
    is_cancelled: Callable[[], bool] | None = None,
) -> int:
    """Analyse every article this pipeline has not analysed in its current text.

    Each article's result is stored in its own transaction as soon as it is
    ready, so a cancel or a crash keeps what was done; the recycled quotes
    of each batch are linked right after it (a bounded amount of work, see
    :func:`link_recycled_quotes`). Returns the number of articles analysed.
    """
    version = result_version(loaded)
    pending = analyses.pending_article_ids(db, loaded.name, version)
    total, done = len(pending), 0
    if on_progress:
        on_progress(0, total)

    def article_done(article_id: int) -> None:
        nonlocal done
        done += 1
        if on_article:
            on_article(article_id)
        if on_progress:
            on_progress(done, total)

    for offset in range(0, total, BATCH_SIZE):
        if is_cancelled and is_cancelled():
            break
        analyse_articles(db, loaded, pending[offset:offset + BATCH_SIZE],
                         on_article=article_done, is_cancelled=is_cancelled)
    return done


def analyse_articles(
    db: Database,
    loaded: LoadedPipeline,
    article_ids: list[int],
    *,
    on_article: Callable[[int], None] | None = None,
    is_cancelled: Callable[[], bool] | None = None,
) -> list[int]:
    """Analyse one batch of articles in this process, store each result in
    its own transaction, then link the batch's recycled quotes.

    Stops after the article being stored when ``is_cancelled()`` turns true
    (what was stored is kept and linked). Returns the ids stored.
    """
    pipeline = pipeline_fields(loaded)
    analysed: list[int] = []
    for result in prepare(loaded, read_batch(db, article_ids), is_cancelled=is_cancelled):
        if analyses.save_analyses(db, [result], **pipeline)[0] is None:
            continue        # its text changed meanwhile: pending again
        analysed.append(result["article_id"])
        if on_article:
            on_article(result["article_id"])
    if analysed:
        link_recycled_quotes(db, analysed)
    return analysed


def read_batch(db: Database, article_ids: list[int]) -> list[dict]:
    """``{"id", "text", "text_hash"}`` of each article still there, in order:
    what an analysis worker needs (it has no database connection)."""
    batch = [articles.get_article(db, i) for i in article_ids]
    return [{"id": a["id"], "text": a["text"], "text_hash": a["text_hash"]}
            for a in batch if a is not None]


def pipeline_fields(loaded: LoadedPipeline) -> dict:
    """What a stored result says of the pipeline that made it."""
    return {"pipeline": loaded.name, "pipeline_version": result_version(loaded),
            "degraded": loaded.degraded}


def prepare(loaded: LoadedPipeline, batch: list[dict], *,
            is_cancelled: Callable[[], bool] | None = None) -> Iterator[dict]:
    """Analyse a batch (:func:`read_batch`'s dicts) into results ready to
    store: ``{"article_id", "text_hash", "entities", "quotes"}`` of plain
    values, for :func:`storage.analyses.save_analyses` — small to send from a
    worker process to the writer (no ``Doc`` crosses). An article the
    pipeline fails on is left out; stops after the article just yielded
    when ``is_cancelled()`` turns true."""
    for article, result in _results(loaded, batch):
        if result is None:
            continue
        yield {"article_id": article["id"], "text_hash": article["text_hash"],
               "entities": [_fields(e) for e in result.entities],
               "quotes": [_fields(q) for q in result.quotes]}
        if is_cancelled and is_cancelled():
            return


def _fields(value) -> dict:
    """A flat dataclass (an ``Entity``, a ``Quote``: plain values only) as a
    dict of its fields — what ``dataclasses.asdict`` gives, without its
    recursive deep copy (thousands a batch)."""
    return dict(value.__dict__)


def _results(loaded: LoadedPipeline, batch: list[dict]
             ) -> Iterator[tuple[dict, Analysis | None]]:
    """``(article, analysis)`` in order; None for an article the pipeline
    fails on even alone (logged). A failure in the batch retries the rest
    one by one."""
    done = 0
    try:
        for result in analyse_texts(loaded, (a["text"] for a in batch), batch_size=BATCH_SIZE):
            yield batch[done], result
            done += 1
        return
    except Exception:
        log.warning("analysis of a batch failed; its articles are retried one by one",
                    exc_info=True)
    for article in batch[done:]:
        try:
            result = analyse_text(loaded, article["text"])
        except Exception as error:
            log.error("analysis of article %s failed, left out: %s: %s", article["id"],
                      type(error).__name__, error)
            result = None
        yield article, result


def store_batch(db: Database, pipeline: dict, results: list[dict]) -> list[int]:
    """Store a batch of :func:`prepare`'s results in one transaction, then
    link their recycled quotes; returns the ids stored (an article whose
    text changed meanwhile is not: it is pending again)."""
    stored = analyses.save_analyses(db, results, **pipeline)
    analysed = [r["article_id"] for r, analysis_id in zip(results, stored)
                if analysis_id is not None]
    if analysed:
        link_recycled_quotes(db, analysed)
    return analysed


def link_recycled_quotes(db: Database, article_ids: list[int]) -> int:
    """Put the spoken quotes of these articles in the groups of recycled
    quotes they recur (``storage.quotes.save_groups``). Returns the number
    of quotes grouped.

    A word-for-word copy of a stored quote joins its groups by one index
    lookup (``storage.quotes.wording_key``). Any other quote is compared
    with at most 2 × :data:`CANDIDATES` quotes of other articles — the
    newest holding its rarest words and the newest of its speaker
    (:func:`storage.quotes.recycling_candidates_many`) — and with the
    batch's quotes of other articles, and joins the group of each it recurs
    (:func:`desktop.analysis.recycled.find_links`), else starts its own.
    Bounded whatever the corpus size or a group's.
    """
    new = [QuoteText(q["id"], q["article_id"], q["text"], q["speaker"])
           for article_id in article_ids
           for q in quotes.all_quotes(db, article_id=article_id, kinds=quotes.SPOKEN)
           if q["id"] is not None]      # a passage the analyst marked is no stored quote
    comparable = sorted((quote for quote in new if sentences(quote.text)),  # the rest are
                        key=lambda quote: quote.id)                       # too short
    wording = {quote.id: quotes.wording_key(quote.text) for quote in comparable}
    known = quotes.groups_by_wording(db, wording.values())
    groups: dict[int, dict[int, float]] = {}        # new quote -> {group: score}
    unknown = []
    for quote in comparable:
        if wording[quote.id] in known:              # a copy: in its twin's groups
            groups[quote.id] = dict(known[wording[quote.id]])
        else:
            unknown.append(quote)
    found = quotes.recycling_candidates_many(
        db, [(q.text, q.article_id, q.speaker) for q in unknown], limit=CANDIDATES)
    stored = quotes.groups_of(db, {row["id"] for rows in found for row in rows})
    ungrouped: dict[int, QuoteText] = {}    # a stored quote a new one recurs, in no group
    earlier: dict[int, QuoteText] = {}      # the new quotes compared so far, by wording
    waiting = {quote.id for quote in unknown}
    for quote, rows in zip(unknown, found):
        waiting.discard(quote.id)
        twin = earlier.get(wording[quote.id])
        if twin is not None:                # a copy of a quote of this batch
            groups[quote.id] = dict(groups[twin.id])
            continue
        # the candidates and the batch's quotes of other articles, but those
        # still to be compared (each will be compared with this one)
        pool = {row["id"]: QuoteText(row["id"], row["article_id"], row["text"], row["speaker"])
                for row in rows if row["id"] not in waiting}
        pool.update((other.id, other) for other in comparable
                    if other.article_id != quote.article_id and other.id not in waiting)
        joined: dict[int, float] = {}
        for _, other_id, score in find_links([quote], pool.values()):
            if other_id in groups:
                in_groups = list(groups[other_id])
            elif other_id in stored:
                in_groups = stored[other_id]
            else:
                ungrouped[other_id] = pool[other_id]
                in_groups = [other_id]
            for group in in_groups:
                joined[group] = max(score, joined.get(group, 0.0))
        groups[quote.id] = joined or {quote.id: 100.0}
        earlier[wording[quote.id]] = quote
    rows = [(quote_id, group, score, wording[quote_id])
            for quote_id, joined in groups.items() for group, score in joined.items()]
    rows += [(other.id, other.id, 100.0, quotes.wording_key(other.text))
             for other in ungrouped.values()]
    return quotes.save_groups(db, rows)
