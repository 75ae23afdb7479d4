"""Near-duplicates: the same story from two outlets, flagged and linked.

An article's fingerprint is a MinHash (datasketch) of its *salient
tokens* — capitalised words and numbers, lower-cased, minus common function
words: the names, places, organisations and dates a story is about. Two
write-ups of one event share most of those even when every sentence is
reworded, which shared word n-grams do not capture (seeds 001 and 004 share
almost no three-word phrase).

The MinHash is cut into bands (locality-sensitive hashing); each band's
hash is a bucket stored in SQLite with an index, so the candidates for a new
article are found by index lookups whose cost depends on bucket sizes, not
on the number of articles. Only the few best candidates are then compared
exactly (Jaccard similarity of the token sets) and linked when they reach
:data:`THRESHOLD`.

Plain Python: no Qt; the SQL is in :mod:`storage.similarity`.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable

from sqlite_utils import Database

from storage import similarity
from storage.database import transaction

#: Stored with every fingerprint and link; change it when the method changes
#: so that old fingerprints are recomputed.
METHOD = "salient-tokens-minhash-64x2-v1"
PERMUTATIONS, ROWS_PER_BAND = 64, 2
#: Jaccard similarity of salient tokens from which two articles are linked.
#: On the seeds: 001/004 (one visit, two outlets) 0.36, 001/002 (the same
#: outlet's preview of that visit, re-using a paragraph) 0.42; the other
#: pairs, all Cambodia–Australia police stories, 0.12–0.25.
THRESHOLD = 0.3
#: Fewer salient tokens than this and an article is not fingerprinted.
MIN_TOKENS = 8
#: How many candidates are compared exactly.
MAX_CANDIDATES = 50

_TOKEN = re.compile(r"\w[\w'’-]*")
_FUNCTION_WORDS = frozenset("""
a about above after again against all also an and any are as at be because been
before being below between both but by can could did do does during each few for
from further had has have he her here hers him his how i if in into is it its just
me more most my no nor not now of off on once only or other our out over own same
she should so some such than that the their them then there these they this those
through to too under until up very was we were what when where which while who
whom why will with would you your yes mr mrs ms dr according however meanwhile
""".split())


def salient_tokens(text: str) -> set[str]:
    """Capitalised words and numbers of ``text``, lower-cased, without
    function words (so a sentence-initial "The" does not count)."""
    tokens = set()
    for match in _TOKEN.finditer(text):
        word = match.group()
        if word[0].isupper() or word[0].isdigit():
            lowered = word.lower().rstrip("'’")
            if lowered.endswith(("'s", "’s")):
                lowered = lowered[:-2]
            if lowered not in _FUNCTION_WORDS:
                tokens.add(lowered)
    return tokens


def jaccard(a: set[str], b: set[str]) -> float:
    """|a ∩ b| / |a ∪ b| (0 for two empty sets)."""
    union = len(a | b)
    return len(a & b) / union if union else 0.0


def band_buckets(tokens: set[str]) -> list[int]:
    """The LSH bucket of each band of the tokens' MinHash (signed 64-bit)."""
    from datasketch import MinHash

    minhash = MinHash(num_perm=PERMUTATIONS, seed=1)
    minhash.update_batch([t.encode("utf-8") for t in sorted(tokens)])
    values = minhash.hashvalues.astype("<u8")
    buckets = []
    for start in range(0, PERMUTATIONS, ROWS_PER_BAND):
        digest = hashlib.blake2b(values[start:start + ROWS_PER_BAND].tobytes(),
                                 digest_size=8).digest()
        buckets.append(int.from_bytes(digest, "big", signed=True))
    return buckets


def link_similar(db: Database, article_id: int, text: str) -> list[tuple[int, float]]:
    """Fingerprint one stored article and link it to the similar ones.

    Runs inside the caller's transaction when there is one. Returns
    ``(other_id, score)`` for each link made, most similar first.
    """
    tokens = salient_tokens(text)
    if len(tokens) < MIN_TOKENS:
        similarity.store_fingerprint(db, article_id, METHOD, [])
        return []
    with transaction(db):
        similarity.store_fingerprint(db, article_id, METHOD, band_buckets(tokens))
        found = similarity.candidates(db, article_id, MAX_CANDIDATES)
        others = similarity.texts(db, [other for other, _ in found])
        links = []
        for other, other_text in others.items():
            score = round(jaccard(tokens, salient_tokens(other_text)), 3)
            if score >= THRESHOLD:
                similarity.link(db, article_id, other, score, METHOD)
                links.append((other, score))
    return sorted(links, key=lambda link: (-link[1], link[0]))


def fingerprint_missing(db: Database, *,
                        is_cancelled: Callable[[], bool] | None = None) -> int:
    """Fingerprint (and link) articles stored before fingerprints existed or
    with an older method, one transaction each. Returns how many."""
    done = 0
    for article_id in similarity.unfingerprinted(db, METHOD):
        if is_cancelled and is_cancelled():
            break
        text = similarity.texts(db, [article_id]).get(article_id)
        if text is not None:
            link_similar(db, article_id, text)
            done += 1
    return done
