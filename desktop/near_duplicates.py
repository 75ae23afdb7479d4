"""Near-duplicates: the same story from two outlets, flagged and linked.

An article's fingerprint is made of its *salient tokens* — capitalised
words and numbers, lower-cased, minus common function words: the names,
places, organisations and dates a story is about. Two write-ups of one
event share most of those even when every sentence is reworded, which
shared word n-grams do not capture (seeds 001 and 004 share almost no
three-word phrase).

Each article is tokenised **once**, at import, into two things:

- a *signature* (stored in ``article_fingerprints.signature``): the
  :data:`SIGNATURE_SIZE` smallest 32-bit hashes of its tokens, sorted (a
  bottom-k sketch). For an article with fewer tokens than that — nearly
  every news story — the signature *is* its token set, so the similarity
  of two signatures is the exact Jaccard similarity of the token sets; for
  longer ones it is the standard bottom-k estimate.
- a MinHash of :data:`PERMUTATIONS` permutations, cut into bands of
  :data:`ROWS_PER_BAND` (locality-sensitive hashing); each band's two
  32-bit minima are hashed into one signed 32-bit bucket (:func:`bucket_of`),
  stored in SQLite's ``lsh_buckets`` key.

A new article's candidates are the articles sharing a bucket with it, at
most :data:`BUCKET_CAP` of the newest per bucket, so the work per article
is bounded whatever the corpus size, even when thousands of wire copies
share every bucket. The :data:`MAX_CANDIDATES` sharing the most buckets
are compared signature to signature (vectorised, never re-reading a
text) and linked when they reach :data:`THRESHOLD`.

Plain Python and numpy: no Qt; the SQL is in :mod:`storage.similarity`.
"""

from __future__ import annotations

import re
import zlib
from collections import Counter, deque
from collections.abc import Callable, Iterable

import numpy as np
from sqlite_utils import Database

from storage import similarity
from storage.database import transaction

#: Stored with every fingerprint and link; change it when the method changes
#: so that old fingerprints are recomputed.
METHOD = "salient-tokens-bottom128-minhash40x2-v2"
PERMUTATIONS, ROWS_PER_BAND = 40, 2
BANDS = PERMUTATIONS // ROWS_PER_BAND
#: How many of the smallest token hashes a signature keeps.
SIGNATURE_SIZE = 128
#: Jaccard similarity of salient tokens from which two articles are linked.
#: On the seeds: 001/004 (one visit, two outlets) 0.36, 001/002 (the same
#: outlet's preview of that visit, re-using a paragraph) 0.42; the other
#: pairs, all Cambodia–Australia police stories, 0.12–0.25.
THRESHOLD = 0.3
#: Fewer salient tokens than this and an article is not fingerprinted.
MIN_TOKENS = 8
#: How many of a bucket's articles (the newest) are candidates.
BUCKET_CAP = 8
#: How many candidates are compared (those sharing the most buckets).
MAX_CANDIDATES = 32

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

_U64 = np.uint64
_rng = np.random.RandomState(20240617)
#: Multiply-shift hash functions (odd multipliers): one mixes the CRC-32 of
#: a token into the signature's hash, the others are the MinHash permutations.
_MIX_A = _U64(0x9E3779B97F4A7C15)
_MIX_B = _U64(0x632BE59BD9B4E019)
_PERM_A = (_rng.randint(1, 2**62, size=PERMUTATIONS, dtype=np.int64).astype(_U64)
           << _U64(1)) | _U64(1)
_PERM_B = _rng.randint(1, 2**62, size=PERMUTATIONS, dtype=np.int64).astype(_U64)
_SHIFT = _U64(32)
#: below 2³¹, so that ``first * _BUCKET_MIX + second`` stays under 2⁶³ in
#: SQLite's signed arithmetic too
_BUCKET_MIX = _U64(0x5BD1E995)
_LOW32 = _U64(0xFFFFFFFF)
_NO_LIMIT = 2**32


def salient_tokens(text: str) -> set[str]:
    """Capitalised words and numbers of ``text``, lower-cased, without
    function words (so a sentence-initial "The" does not count)."""
    tokens = set()
    for word in {w for w in _TOKEN.findall(text) if w[0].isupper() or w[0].isdigit()}:
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


def text_likeness(a: str, b: str) -> float:
    """How alike two texts are, by the detector's measure (the :func:`jaccard`
    of their :func:`salient_tokens`, linked from :data:`THRESHOLD`); when
    either has fewer than :data:`MIN_TOKENS` of those (a few lines, never
    fingerprinted), of all their words but function words, lower-cased."""
    mine, theirs = salient_tokens(a), salient_tokens(b)
    if min(len(mine), len(theirs)) < MIN_TOKENS:
        mine, theirs = _content_words(a), _content_words(b)
    return jaccard(mine, theirs)


def _content_words(text: str) -> set[str]:
    return {w for w in map(str.lower, _TOKEN.findall(text)) if w not in _FUNCTION_WORDS}


class Fingerprint:
    """An article's signature (sorted uint32 token hashes, at most
    :data:`SIGNATURE_SIZE`) and LSH buckets (one signed 32-bit int a band)."""

    __slots__ = ("signature", "buckets")

    def __init__(self, signature: np.ndarray, buckets: list[int]):
        self.signature, self.buckets = signature, buckets


def fingerprint(tokens: Iterable[str]) -> Fingerprint | None:
    """The fingerprint of a token set; None below :data:`MIN_TOKENS` tokens."""
    tokens = list(tokens)
    if len(tokens) < MIN_TOKENS:
        return None
    crcs = np.fromiter((zlib.crc32(t.encode("utf-8")) for t in tokens),
                       dtype=_U64, count=len(tokens))
    hashes = np.unique(((crcs * _MIX_A + _MIX_B) >> _SHIFT).astype(np.uint32))
    pairs = band_minima(hashes)
    return Fingerprint(hashes[:SIGNATURE_SIZE], bucket_of(pairs[:, 0], pairs[:, 1]))


def band_minima(hashes: np.ndarray) -> np.ndarray:
    """The MinHash of a token set's 32-bit ``hashes``: each permutation's
    minimum (under 2³²), as :data:`BANDS` rows of :data:`ROWS_PER_BAND`."""
    values = hashes.astype(_U64)
    minhash = ((values[None, :] * _PERM_A[:, None] + _PERM_B[:, None]) >> _SHIFT).min(axis=1)
    return minhash.reshape(BANDS, ROWS_PER_BAND)


def bucket_of(first: np.ndarray, second: np.ndarray) -> list[int]:
    """Each band's bucket from its two 32-bit minima: a multiply-add hash
    to 32 bits, signed (SQLite stores it in 4 bytes; a 64-bit bucket took 8,
    and a third more pages to dirty at every import chunk). Two articles
    meet in a bucket by chance with odds of 2⁻³² a band; the candidates
    found are then compared signature to signature. The same arithmetic as
    :data:`storage.schema.FOLD_BUCKET_SQL`, which turned the 64-bit buckets of
    earlier databases into these."""
    mixed = (first * _BUCKET_MIX + second) & _LOW32
    return (mixed.astype(np.int64) - 2**31).tolist()


def text_fingerprint(text: str) -> Fingerprint | None:
    """:func:`fingerprint` of a text's salient tokens."""
    return fingerprint(salient_tokens(text))


def similarities(mine: np.ndarray, others: list[bytes]) -> np.ndarray:
    """The Jaccard similarity of signature ``mine`` with each of ``others``
    (stored signatures: packed uint32).

    Exact when both token sets fit in a signature; otherwise the bottom-k
    estimate (both sketches cut at the smaller of their largest hashes).
    One vectorised pass over all of ``others``.
    """
    if not others:
        return np.zeros(0)
    lengths = np.array([len(o) // 4 for o in others], dtype=np.int64)
    flat = np.frombuffer(b"".join(others), dtype=np.uint32)
    starts = np.zeros(len(others), dtype=np.int64)
    np.cumsum(lengths[:-1], out=starts[1:])
    # both sorted: where each of theirs would sit in mine, and is it there
    places = np.searchsorted(mine, flat)
    np.minimum(places, len(mine) - 1, out=places)
    shared = mine[places] == flat
    if len(mine) < SIGNATURE_SIZE and lengths.max() < SIGNATURE_SIZE:
        inter = np.add.reduceat(shared, starts, dtype=np.int64)
        return inter / (len(mine) + lengths - inter)
    # a truncated sketch: compare below the smaller of the two largest hashes
    limit = np.full(len(others), _NO_LIMIT, dtype=np.int64)
    truncated = lengths >= SIGNATURE_SIZE
    limit[truncated] = flat[(starts + lengths - 1)[truncated]]
    if len(mine) >= SIGNATURE_SIZE:
        limit = np.minimum(limit, int(mine[-1]))
    kept = flat.astype(np.int64) <= np.repeat(limit, lengths)
    inter = np.add.reduceat(shared & kept, starts, dtype=np.int64)
    theirs = np.add.reduceat(kept, starts, dtype=np.int64)
    ours = np.searchsorted(mine.astype(np.int64), limit, side="right")
    union = ours + theirs - inter
    return np.where(union > 0, inter / np.maximum(union, 1), 0.0)


def _best(shared: dict[int, int], newness: Callable[[int], int] | None = None
          ) -> list[int]:
    """The :data:`MAX_CANDIDATES` of ``shared`` (id: buckets shared) sharing
    the most buckets, the newest (highest id, or ``newness(id)``) first
    among equals."""
    if newness is None:
        order = sorted(shared.items(), key=lambda item: (-item[1], -item[0]))
    else:
        order = sorted(shared.items(), key=lambda item: (-item[1], -newness(item[0])))
    return [other for other, _ in order[:MAX_CANDIDATES]]


def _scored(signature: np.ndarray, others: dict[int, bytes]) -> list[tuple[int, float]]:
    """``(id, score)`` for each of ``others`` (id: stored signature) whose
    similarity with ``signature`` reaches :data:`THRESHOLD`."""
    if not others:
        return []
    ids = list(others)
    scores = similarities(signature, [others[i] for i in ids]).tolist()
    return [(other, round(score, 3)) for other, score in zip(ids, scores)
            if score >= THRESHOLD]


def _most_similar_first(links: list[tuple[int, float]]) -> list[tuple[int, float]]:
    return sorted(links, key=lambda link: (-link[1], link[0]))


def link_fingerprint(db: Database, article_id: int, found: Fingerprint | None, *,
                     new: bool = False) -> list[tuple[int, float]]:
    """Store an article's fingerprint and link it to the similar ones.

    Runs in the caller's transaction (no savepoint of its own: a batch
    import wraps hundreds of articles in one); ``new``: the article was
    stored in it. Returns ``(other_id, score)`` for each link made, most
    similar first.
    """
    if found is None:
        similarity.store_fingerprint(db, article_id, METHOD, None, [], new=new)
        return []
    best = _best(Counter(similarity.bucket_members(db, found.buckets, BUCKET_CAP,
                                                   exclude=article_id)))
    signatures = similarity.signatures(db, best, METHOD)
    similarity.store_fingerprint(db, article_id, METHOD, found.signature.tobytes(),
                                 found.buckets, new=new)
    links = _scored(found.signature, signatures)
    if links:
        similarity.link_many(db, article_id, links, METHOD)
    return _most_similar_first(links)


def store_found(db: Database, article_id: int, found: Fingerprint | None,
                links: list[tuple[int, float]]) -> list[tuple[int, float]]:
    """Store a new article's fingerprint and the ``links`` (other id, score)
    found for it elsewhere (by a :class:`RunLinker`), in the caller's
    transaction; the links, most similar first."""
    similarity.store_fingerprint(
        db, article_id, METHOD, None if found is None else found.signature.tobytes(),
        [] if found is None else found.buckets, new=True)
    if links:
        # (another process may have deleted one since it was found)
        there = similarity.existing_articles(db, [other for other, _ in links])
        links = [link for link in links if link[0] in there]
    if links:
        similarity.link_many(db, article_id, links, METHOD)
    return _most_similar_first(links)


#: Rows of an import run a :class:`RunLinker` holds in memory: about 1.3 KB
#: each on news (measured on the import benchmark's rows; up to 2.5 KB for
#: texts sharing no names), so at most 130–250 MB. Older rows are asked of
#: the file, as the articles before the run are — slower (the 100,000-row
#: benchmark ran at 877 rows/s with half of it out of a 50,000-row window,
#: 1,104 with none).
RUN_WINDOW = 100_000
#: Where the run's rows rank in "the newest first": above any article id.
_RUN_RANK = 2**62


class RunLinker:
    """Near-duplicates of a batch import's rows, found by the importer's
    second process while the first one writes (so the writer's core does
    not spend a third of its time looking them up).

    It sees every row of the run, in order, and holds the newest ``window``
    rows' fingerprints in memory; a row of the run is named ``-(row + 1)``
    and ranks above every stored article in "the newest first". Everything
    older — the articles stored before the run (ids under ``below``) and the
    run's rows that left the window, which the writer has committed by then
    (it is at most a few chunks behind: the caller chooses ``window`` so) —
    is asked of the database through the process's own reading connection,
    as the articles with ids under :attr:`horizon`. The candidates and links
    are the ones :func:`link_fingerprint` would find in the writer, except
    for articles another process stores while the run goes on, which become
    candidates only once the horizon passes them. Memory stays bounded by
    ``window`` whatever the file's length.
    """

    def __init__(self, db: Database, below: int, *, window: int = RUN_WINDOW):
        self.db, self.window = db, window
        #: articles with ids under this are asked of the database
        self.horizon = below
        self._bands: list[dict[int, int | list[int]]] = [{} for _ in range(BANDS)]
        self._rows: deque[tuple[int, str, list[int] | None]] = deque()
        self._signatures: dict[int, bytes] = {}
        self._digests: set[str] = set()
        # a run into an empty corpus (a new database) asks the file nothing
        # until rows leave the window
        self._stored = below > 1 and similarity.has_buckets(db)
        self._articles = below > 1

    @staticmethod
    def _newness(ref: int) -> int:
        return ref if ref > 0 else _RUN_RANK - ref

    def links(self, row: int, digest: str, found: Fingerprint | None
              ) -> list[tuple[int, float]] | None:
        """``(other, score)`` for each article row ``row`` of the run (its
        text's hash ``digest``, its fingerprint ``found``) is similar to,
        ``other`` an article id or ``-(row + 1)`` for a row of the run; None
        when the text is stored already or came earlier in the run (the
        writer stores nothing for it then)."""
        from storage.articles import find_by_hash
        if digest in self._digests or (
                self._articles and find_by_hash(self.db, digest) is not None):
            return None
        self._digests.add(digest)
        if found is None:
            self._remember(row, digest, None)
            return []
        me = -(row + 1)
        shared: dict[int, int] = {}
        room = []            # how many stored articles each band still takes
        for band, bucket in enumerate(found.buckets):
            table = self._bands[band]
            members = table.get(bucket)
            if members is None:                 # most buckets: one row
                table[bucket] = me
                room.append(BUCKET_CAP)
                continue
            if type(members) is int:
                shared[members] = shared.get(members, 0) + 1
                table[bucket] = [members, me]
                room.append(BUCKET_CAP - 1)
                continue
            for other in members[-BUCKET_CAP:]:
                shared[other] = shared.get(other, 0) + 1
            count = len(members)
            room.append(BUCKET_CAP - count if count < BUCKET_CAP else 0)
            members.append(me)
            if count >= 4 * BUCKET_CAP:     # only the newest are candidates
                del members[:-BUCKET_CAP]
        if self._stored and any(room):
            for band, other in similarity.earlier_bucket_members(
                    self.db, found.buckets, BUCKET_CAP, below=self.horizon):
                if room[band] > 0:
                    room[band] -= 1
                    shared[other] = shared.get(other, 0) + 1
        best = _best(shared, self._newness)
        mine = {other: self._signatures[other] for other in best if other < 0}
        stored = similarity.signatures(
            self.db, [o for o in best if o > 0], METHOD) if self._stored else {}
        self._signatures[me] = found.signature.tobytes()
        self._remember(row, digest, found.buckets)
        return _scored(found.signature, {**mine, **stored})

    def _remember(self, row: int, digest: str, buckets: list[int] | None) -> None:
        self._rows.append((row, digest, buckets))
        while len(self._rows) > self.window:
            self._forget(*self._rows.popleft())

    def _forget(self, row: int, digest: str, buckets: list[int] | None) -> None:
        """Row ``row`` leaves the window: from now on it is asked of the
        database, where the writer has stored it."""
        from storage.articles import find_by_hash
        me = -(row + 1)
        self._digests.discard(digest)
        self._signatures.pop(me, None)
        for band, bucket in enumerate(buckets or ()):
            table = self._bands[band]
            members = table.get(bucket)
            if members == me:
                del table[bucket]
            elif type(members) is list:
                if me in members:
                    members.remove(me)
                if not members:
                    del table[bucket]
        self._articles = True
        stored = find_by_hash(self.db, digest)
        if stored is not None:
            self.horizon = max(self.horizon, stored + 1)
            self._stored = self._stored or buckets is not None


def link_similar(db: Database, article_id: int, text: str) -> list[tuple[int, float]]:
    """Fingerprint one stored article and link it to the similar ones.

    One transaction (a savepoint inside the caller's). Returns
    ``(other_id, score)`` for each link made, most similar first.
    """
    found = text_fingerprint(text)
    with transaction(db):
        return link_fingerprint(db, article_id, found)


def fingerprint_missing(db: Database, *,
                        is_cancelled: Callable[[], bool] | None = None,
                        on_progress: Callable[[int, int], None] | None = None,
                        chunk: int = 500) -> int:
    """Fingerprint (and link) articles stored before fingerprints existed or
    with an older method, ``chunk`` articles a transaction. Returns how many."""
    missing = similarity.unfingerprinted(db, METHOD)
    done = 0
    for start in range(0, len(missing), chunk):
        if is_cancelled and is_cancelled():
            break
        ids = missing[start:start + chunk]
        texts = similarity.texts(db, ids)
        with transaction(db):
            for article_id in ids:
                if article_id in texts:
                    link_fingerprint(db, article_id, text_fingerprint(texts[article_id]))
                    done += 1
        if on_progress:
            on_progress(start + len(ids), len(missing))
    return done
