"""Analysing stored articles: the glue between :mod:`desktop.analysis` and
:mod:`storage`, shared by ``dossier analyse`` and the GUI's worker thread.

No Qt here: progress and cancellation are plain callables.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict

from sqlite_utils import Database

from desktop.analysis.analyse import analyse_texts, result_version
from desktop.analysis.pipeline import LoadedPipeline
from desktop.analysis.recycled import QuoteText, find_links, sentences
from storage import analyses, articles, quotes

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
    """Analyse one batch of articles, store each result in its own
    transaction, then link the batch's recycled quotes.

    Stops after the article being stored when ``is_cancelled()`` turns true
    (what was stored is kept and linked). Returns the ids analysed.
    """
    version = result_version(loaded)
    batch = [articles.get_article(db, i) for i in article_ids]
    batch = [a for a in batch if a is not None]
    analysed: list[int] = []
    results = analyse_texts(loaded, (a["text"] for a in batch), batch_size=BATCH_SIZE)
    for article, result in zip(batch, results):
        analyses.save_analysis(
            db, article_id=article["id"], text_hash=article["text_hash"],
            pipeline=loaded.name, pipeline_version=version,
            degraded=loaded.degraded,
            entities=[asdict(e) for e in result.entities],
            quotes=[asdict(q) for q in result.quotes])
        analysed.append(article["id"])
        if on_article:
            on_article(article["id"])
        if is_cancelled and is_cancelled():
            break
    if analysed:
        link_recycled_quotes(db, analysed)
    return analysed


def link_recycled_quotes(db: Database, article_ids: list[int]) -> int:
    """Link the spoken quotes of these articles to the same words elsewhere.

    Bounded whatever the corpus size: each quote is compared with at most
    2 × :data:`CANDIDATES` quotes of other articles — the newest holding its
    rarest words and the newest of its speaker
    (:func:`storage.quotes.recycling_candidates_many`) — and with the other new
    quotes. Returns the number of links stored (one per pair).
    """
    new = [QuoteText(q["id"], q["article_id"], q["text"], q["speaker"])
           for article_id in article_ids
           for q in quotes.all_quotes(db, article_id=article_id, kinds=quotes.SPOKEN)]
    comparable = [quote for quote in new if sentences(quote.text)]   # the rest are too short
    found = quotes.recycling_candidates_many(
        db, [(q.text, q.article_id, q.speaker) for q in comparable], limit=CANDIDATES)
    links = []
    for quote, rows in zip(comparable, found):
        candidates = [QuoteText(c["id"], c["article_id"], c["text"], c["speaker"]) for c in rows]
        links += find_links([quote], candidates + [q for q in new if q.id != quote.id])
    unique = {}
    for first, second, score in links:
        key = (min(first, second), max(first, second))
        unique[key] = max(score, unique.get(key, 0.0))
    quotes.save_links(db, [q.id for q in new], [(a, b, s) for (a, b), s in unique.items()])
    return len(unique)
