"""Recycled quotes: the same or nearly the same words quoted in more than one
article (a statement reused by several outlets, or reworded by one).

Quotes are compared sentence by sentence with RapidFuzz's token-set ratio;
two quotes are linked by their best pair of sentences. The same speaker
needs :data:`SAME_SPEAKER_SCORE`; different (or unknown) speakers need the
stricter :data:`ANY_SPEAKER_SCORE`, so that nearly identical words put in
different mouths are still caught. The writer puts a new quote in the groups
of the quotes it recurs (``desktop.analysis_jobs.link_recycled_quotes``), so
a statement quoted in many articles is one group, not a link per pair.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz, process, utils

SAME_SPEAKER_SCORE = 60.0
ANY_SPEAKER_SCORE = 88.0
MIN_WORDS = 5

_SENTENCE_BREAK = re.compile(r"(?<=[.!?;])\s+|\n+\s*[\u201c\"]?")


@dataclass(frozen=True)
class QuoteText:
    """What comparison needs of a quote."""

    id: int
    article_id: int
    text: str
    speaker: str | None


def sentences(text: str) -> list[str]:
    """The quote's sentences long enough to compare."""
    return [sentence for sentence, _ in _prepared(text)]


@lru_cache(maxsize=8192)
def _prepared(text: str) -> tuple[tuple[str, str], ...]:
    """``(sentence, sentence as RapidFuzz compares it)`` for each sentence of
    a quote: a batch compares each new quote with the same quotes many times
    over, so they are split and normalised once."""
    parts = (p.strip(" \u201c\u201d\"") for p in _SENTENCE_BREAK.split(text))
    return tuple((p, utils.default_process(p)) for p in parts if len(p.split()) >= MIN_WORDS)


def _same_speaker(a: QuoteText, b: QuoteText) -> bool:
    return bool(a.speaker and b.speaker and a.speaker.lower() == b.speaker.lower())


def find_links(new: Iterable[QuoteText], corpus: Iterable[QuoteText]
               ) -> list[tuple[int, int, float]]:
    """``(new quote id, corpus quote id, score)`` for quotes recurring in
    other articles. ``corpus`` may include the new quotes themselves."""
    new = list(new)
    pool = [(quote, processed) for quote in corpus for _, processed in _prepared(quote.text)]
    if not pool:
        return []
    choices = [processed for _, processed in pool]
    best: dict[tuple[int, int], float] = {}
    for quote in new:
        queries = [processed for _, processed in _prepared(quote.text)]
        if not queries:
            continue
        scores = process.cdist(queries, choices, scorer=fuzz.token_set_ratio,
                               score_cutoff=SAME_SPEAKER_SCORE)
        for row in scores:
            for index in row.nonzero()[0]:
                other = pool[index][0]
                if other.article_id == quote.article_id:
                    continue
                score = float(row[index])
                if score < ANY_SPEAKER_SCORE and not _same_speaker(quote, other):
                    continue
                key = (quote.id, other.id)
                best[key] = max(score, best.get(key, 0.0))
    return [(a, b, round(score, 1)) for (a, b), score in best.items()]


def similarity(text: str, other: str) -> float:
    """How alike two quotes' words are, 0–100: the token-set ratio of their
    best pair of sentences (0 when either has none long enough)."""
    queries = [processed for _, processed in _prepared(text)]
    choices = [processed for _, processed in _prepared(other)]
    if not queries or not choices:
        return 0.0
    return round(float(process.cdist(queries, choices, scorer=fuzz.token_set_ratio).max()), 1)
