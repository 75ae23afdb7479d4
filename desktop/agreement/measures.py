"""Agreement measures for several analysts' passages over the same articles.

Plain Python and numpy: no Qt, no storage. The input is :class:`Codings`,
every analyst's spans as parallel integer arrays; :func:`measure` returns,
per tag and overall:

``alpha_char``
    Krippendorff's α with each character of each chosen article as a unit,
    binary per tag (applied by this analyst or not) — the reading ATLAS.ti
    and INCEpTION use for text. Overall: every (character, tag) pair is a
    unit, for the tags some analyst applied in the chosen articles (see
    :func:`pooled`; the presence and per-character κ and percentages pool
    the same tags). Computed from aggregated value counts: characters are grouped by
    how many analysts applied the tag, so 250 million characters cost one
    ``bincount``, not a Python loop (:func:`nominal_alpha` takes the
    weighted value counts and is checked against the ``krippendorff``
    package in the tests).
``u_alpha``, ``bu_alpha``, ``cu_alpha``
    The unitizing family of Krippendorff (2019, §12.6) and Krippendorff,
    Mathet, Bouvry & Widlöcher (2016). Each analyst's coding of an article
    is a partition of its text into *units* (runs of characters with the
    same set of tags) and *gaps* (runs without a tag); the articles are laid
    end to end into one continuum, and no run crosses an article's end.
    The observed coincidences are the lengths of the intersections of two
    analysts' runs (:math:`l_{ck}`), the expected ones correct for a unit
    not pairing with itself (:math:`\\sum l^2` for a unit, :math:`\\sum l`
    for a gap, whose characters pair freely):
    :math:`e_{ck} = (l_{c.} l_{.k} - [c=k] S_c) / (l_{..} - S / l_{..})`.
    ``u_alpha`` (uα) compares boundaries and values together, ``bu_alpha``
    (|uα) only where units are (any tag versus gap), ``cu_alpha`` (cuα) the
    values of the units where analysts' units overlap (gaps left out; the
    self-pairing correction uses each unit's length that overlaps another
    analyst's units). Per tag the continuum is binary (the tag or not), so
    uα equals |uα there and cuα is undefined (``None``).
``kappa_presence``
    Cohen's κ (two analysts) or Fleiss' κ (three or more) on "the tag is
    present in the article"; overall every (article, tag) pair is a unit.
``percent_agreement``
    The share of analyst pairs that agree on "tag present in the article" —
    **not chance-corrected**; ``percent_agreement_char`` is the same per
    character. ``kappa_char`` is Cohen's/Fleiss' κ per character.

A measure that is undefined (nobody used the tag, so there is nothing to
disagree about) is ``None``, never a made-up 0 or 1.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: The keys of each row of :func:`measure`'s result, in report order.
MEASURES = ("alpha_char", "u_alpha", "bu_alpha", "cu_alpha", "kappa_presence",
            "percent_agreement", "kappa_char", "percent_agreement_char")


@dataclass(frozen=True)
class Codings:
    """Spans of ``n_coders`` analysts over ``len(lengths)`` articles.

    ``article``, ``coder``, ``tag``, ``start`` and ``end`` are parallel
    arrays, one entry per passage: an index into ``lengths``, the analyst
    (``0 … n_coders-1``), the tag (``0 … n_tags-1``) and the half-open
    character range. Overlapping passages of one analyst and tag count once
    (a character is coded or not)."""

    lengths: np.ndarray
    article: np.ndarray
    coder: np.ndarray
    tag: np.ndarray
    start: np.ndarray
    end: np.ndarray
    n_coders: int
    n_tags: int

    @classmethod
    def from_spans(cls, lengths, spans, n_coders: int, n_tags: int) -> "Codings":
        """From ``(article, coder, tag, start, end)`` tuples; ranges are
        clipped to their article and empty ones dropped."""
        rows = np.asarray(list(spans), dtype=np.int64).reshape(-1, 5)
        return cls.from_arrays(lengths, *rows.T, n_coders=n_coders, n_tags=n_tags)

    @classmethod
    def from_arrays(cls, lengths, article, coder, tag, start, end, *, n_coders: int,
                    n_tags: int) -> "Codings":
        """From parallel arrays; ranges are clipped to their article and
        empty ones dropped."""
        lengths = np.asarray(lengths, dtype=np.int64)
        article, coder, tag = (np.asarray(a, dtype=np.int64) for a in (article, coder, tag))
        limit = lengths[article] if len(article) else np.zeros(0, np.int64)
        start = np.clip(np.asarray(start, dtype=np.int64), 0, limit)
        end = np.clip(np.asarray(end, dtype=np.int64), 0, limit)
        keep = end > start
        return cls(lengths, article[keep], coder[keep], tag[keep], start[keep], end[keep],
                   int(n_coders), int(n_tags))


# -- the α and κ arithmetic -----------------------------------------------

def _off_diagonal(matrix: np.ndarray) -> float:
    return float(matrix.sum() - np.trace(matrix))


def expected_coincidences(observed: np.ndarray, self_pairs: np.ndarray) -> np.ndarray:
    """Expected coincidences from observed ones: :math:`e_{ck} = (n_c n_k -
    [c=k] S_c) / (n - \\sum S / n)`. With ``self_pairs = n_c`` (every unit
    one value) this is the classic :math:`n_c (n_k - [c=k]) / (n - 1)`."""
    n_c = observed.sum(axis=1)
    n = n_c.sum()
    denominator = n - self_pairs.sum() / n
    return (np.outer(n_c, n_c) - np.diag(self_pairs)) / denominator


def alpha_from(observed: np.ndarray, expected: np.ndarray) -> float | None:
    """Nominal α = 1 − D_o/D_e from coincidence matrices; None when there is
    no expected disagreement (a single value used throughout)."""
    if observed.sum() <= 0:
        return None
    d_e = _off_diagonal(expected)
    if d_e <= 1e-12 * max(float(expected.sum()), 1.0):
        return None
    return 1.0 - _off_diagonal(observed) / d_e


def coincidences(value_counts, weights=None) -> np.ndarray:
    """The coincidence matrix of units given as value counts (units × values:
    how many coders gave each value), each unit counted ``weights`` times
    (default once); units with fewer than two values are not pairable."""
    counts = np.asarray(value_counts, dtype=np.float64)
    weights = np.ones(len(counts)) if weights is None else np.asarray(weights, np.float64)
    m_u = counts.sum(axis=1)
    keep = m_u >= 2
    counts, weights, m_u = counts[keep], weights[keep], m_u[keep]
    scaled = counts * (weights / (m_u - 1))[:, None]
    return scaled.T @ counts - np.diag(scaled.sum(axis=0))


def nominal_alpha(value_counts, weights=None) -> float | None:
    """Krippendorff's nominal α from value counts (units × values), each
    unit counted ``weights`` times: the ``krippendorff`` package's
    ``alpha(value_counts=…)`` for units that repeat, without repeating them."""
    observed = coincidences(value_counts, weights)
    return alpha_from(observed, expected_coincidences(observed, observed.sum(axis=1)))


def cohen_kappa(table) -> float | None:
    """Cohen's κ from a 2 × 2 (or k × k) table of two coders' values
    (rows: coder 1, columns: coder 2; cells may be weights)."""
    table = np.asarray(table, dtype=np.float64)
    n = table.sum()
    if n <= 0:
        return None
    p_o = np.trace(table) / n
    p_e = float(table.sum(axis=1) @ table.sum(axis=0)) / n ** 2
    return None if p_e >= 1 - 1e-12 else (p_o - p_e) / (1 - p_e)


def fleiss_kappa(value_counts, weights=None) -> float | None:
    """Fleiss' κ (1971) from value counts (units × values, each row summing to
    the number of raters), each unit counted ``weights`` times."""
    counts = np.asarray(value_counts, dtype=np.float64)
    weights = np.ones(len(counts)) if weights is None else np.asarray(weights, np.float64)
    total = weights.sum()
    if total <= 0:
        return None
    m = counts.sum(axis=1)
    if m.min() < 2 or m.max() != m.min():
        raise ValueError("Fleiss' kappa needs the same number (≥ 2) of raters for every unit")
    m = m[0]
    p_i = ((counts * (counts - 1)).sum(axis=1)) / (m * (m - 1))
    p_bar = float(weights @ p_i) / total
    p_j = (weights @ counts) / (total * m)
    p_e = float((p_j ** 2).sum())
    return None if p_e >= 1 - 1e-12 else (p_bar - p_e) / (1 - p_e)


def pairwise_agreement(value_counts, weights=None) -> float | None:
    """The share of coder pairs giving a unit the same value (not
    chance-corrected)."""
    counts = np.asarray(value_counts, dtype=np.float64)
    weights = np.ones(len(counts)) if weights is None else np.asarray(weights, np.float64)
    m = counts.sum(axis=1)
    keep = m >= 2
    if not keep.any() or weights[keep].sum() <= 0:
        return None
    counts, weights, m = counts[keep], weights[keep], m[keep]
    agreeing = (counts * (counts - 1)).sum(axis=1) / (m * (m - 1))
    return float(weights @ agreeing) / float(weights.sum())


# -- the continuum of all chosen articles -----------------------------------

class _Grid:
    """The articles end to end, cut at every passage boundary into
    elementary intervals over which every analyst's coding is constant."""

    def __init__(self, codings: Codings):
        self.codings = codings
        n_articles = len(codings.lengths)
        offsets = np.zeros(n_articles + 1, dtype=np.int64)
        np.cumsum(codings.lengths, out=offsets[1:])
        self.offsets = offsets
        g_start = offsets[codings.article] + codings.start
        g_end = offsets[codings.article] + codings.end
        # one sort gives the cut points and where every boundary falls among
        # them (three searchsorted calls and an isin cost twice as much)
        values = np.concatenate([offsets, g_start, g_end])
        order = np.argsort(values, kind="stable")
        ordered = values[order]
        new = np.ones(len(values), dtype=bool)
        new[1:] = ordered[1:] != ordered[:-1]
        inverse = np.empty(len(values), dtype=np.int64)
        inverse[order] = np.cumsum(new) - 1
        self.points = ordered[new]
        self.length = np.diff(self.points).astype(np.float64)
        self.n = n = len(self.length)
        passages = len(g_start)
        self.i_start = inverse[n_articles + 1:n_articles + 1 + passages]
        self.i_end = inverse[n_articles + 1 + passages:]
        self.g_start, self.g_end = g_start, g_end
        # the passages in text order (the sort above already knows it)
        self.by_start = order[(order > n_articles) & (order <= n_articles + passages)] \
            - (n_articles + 1)
        starts = inverse[:n_articles]              # the interval each article starts
        inside = starts < n                        # an empty last article starts none
        self.first = np.zeros(n, dtype=bool)
        self.first[starts[inside]] = True
        marker = np.full(n, -1, dtype=np.int64)
        # several empty articles share a start: the last (non-empty) one owns it
        np.maximum.at(marker, starts[inside], np.flatnonzero(inside))
        self.article = np.maximum.accumulate(marker) if n else marker

    def runs(self, values: np.ndarray, breaks: np.ndarray | None = None):
        """Maximal runs of equal ``values`` that do not cross an article's
        start nor a ``breaks`` interval (where one of a coder's units ends
        and the next begins): ``(value of each run, its length, run index of
        each interval)``."""
        change = self.first.copy()
        if breaks is not None:
            change |= breaks
        if self.n:
            change[0] = True
            change[1:] |= values[1:] != values[:-1]
        run_id = np.cumsum(change) - 1
        return values[change], np.bincount(run_id, weights=self.length), run_id


@dataclass(frozen=True)
class _Units:
    """One coder's units of one tag: where each begins and ends (interval
    indexes; an end may be ``n``) and its length in characters."""

    first: np.ndarray
    end: np.ndarray
    length: np.ndarray


def _units(grid: _Grid, chosen: np.ndarray) -> _Units:
    """The units of the passages ``chosen`` (indexes, in text order; one
    coder, one tag): passages that overlap are one unit; passages that only
    touch stay two units, as a coder's two adjacent units of one value do in
    Krippendorff (2019, Figure 12.11), where each pairs only with itself."""
    if len(chosen) == 0:
        empty = np.zeros(0, dtype=np.int64)
        return _Units(empty, empty, np.zeros(0))
    start, end = grid.g_start[chosen], grid.g_end[chosen]
    i_start, i_end = grid.i_start[chosen], grid.i_end[chosen]
    reach = np.maximum.accumulate(end)
    new = np.r_[True, start[1:] >= reach[:-1]]
    first = np.flatnonzero(new)
    last_end = np.maximum.reduceat(end, first)
    return _Units(i_start[first], np.maximum.reduceat(i_end, first),
                  (last_end - start[first]).astype(np.float64))


def _all_units(grid: _Grid) -> list[list[_Units]]:
    """Every coder's units of every tag (``[tag][coder]``): one stable sort
    of the passages in text order by (tag, coder) groups them."""
    c = grid.codings
    m = c.n_coders
    key = (c.tag * m + c.coder)[grid.by_start]
    sorter = np.argsort(key, kind="stable")
    order = grid.by_start[sorter]
    bounds = np.searchsorted(key[sorter], np.arange(c.n_tags * m + 1))
    return [[_units(grid, order[bounds[t * m + i]:bounds[t * m + i + 1]]) for i in range(m)]
            for t in range(c.n_tags)]


def _cover(grid: _Grid, units: list[list[_Units]]) -> np.ndarray:
    """Which intervals each coder's units of each tag cover: bool, tags ×
    coders × intervals. A coder's units of a tag never overlap, so the
    running sum of their starts and ends is 0 or 1."""
    cover = np.zeros((len(units), grid.codings.n_coders, grid.n), dtype=bool)
    delta = np.zeros(grid.n + 1, dtype=np.int8)
    for t, of_tag in enumerate(units):
        for i, mine in enumerate(of_tag):
            delta[:] = 0
            delta[mine.first] = 1
            delta[mine.end] -= 1
            np.cumsum(delta[:-1], dtype=np.int8, out=cover[t, i].view(np.int8))
    return cover


def _char_patterns(grid: _Grid, cover: np.ndarray) -> np.ndarray:
    """How many characters ``k`` coders applied the tag to, for ``k = 0 …
    m`` (``cover`` is coders × intervals)."""
    m = cover.shape[0]
    k = np.add.reduce(cover, axis=0, dtype=np.int8)
    return np.bincount(k, weights=grid.length, minlength=m + 1)


def _binary_unitized(n_k: np.ndarray, total: float,
                     units: list[_Units]) -> tuple[np.ndarray, np.ndarray]:
    """Observed coincidences (2 × 2: gap, tag) and self-pair corrections of
    one tag's binary continuum; ``n_k`` from :func:`_char_patterns`,
    ``units`` each coder's units of the tag. A unit pairs with itself
    :math:`l^2` times, a gap's characters once each, so the gaps'
    correction is the length not covered by units."""
    m = len(n_k) - 1
    ks = np.arange(m + 1, dtype=np.float64)
    observed = np.array([
        [n_k @ ((m - ks) * (m - ks - 1)), n_k @ (ks * (m - ks))],
        [n_k @ (ks * (m - ks)), n_k @ (ks * (ks - 1))]]) / (m - 1)
    self_pairs = np.zeros(2)
    for mine in units:
        self_pairs[0] += total - mine.length.sum()
        self_pairs[1] += (mine.length ** 2).sum()
    return observed, self_pairs


def _pattern_counts(n_k: np.ndarray) -> np.ndarray:
    """The value counts ``[[m-k, k] …]`` of the patterns of ``n_k``."""
    m = len(n_k) - 1
    ks = np.arange(m + 1)
    return np.stack([m - ks, ks], axis=1)


def _kappa_of_patterns(cover: np.ndarray, grid: _Grid, n_k: np.ndarray) -> float | None:
    if cover.shape[0] == 2:
        a, b = cover
        w = grid.length
        table = [[w[~a & ~b].sum(), w[~a & b].sum()], [w[a & ~b].sum(), w[a & b].sum()]]
        return cohen_kappa(table)
    return fleiss_kappa(_pattern_counts(n_k), n_k)


def _presence_patterns(present: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Units (rows of ``present``, units × coders) grouped by how many coders
    said "present": value counts ``[[m-k, k] …]`` and how many units each."""
    m = present.shape[1]
    ks = np.arange(m + 1)
    return np.stack([m - ks, ks], axis=1), np.bincount(present.sum(axis=1), minlength=m + 1)


def _presence_kappa(present: np.ndarray) -> float | None:
    """κ on presence; ``present`` is (units × coders) bool."""
    if len(present) == 0:
        return None
    if present.shape[1] == 2:
        a, b = present[:, 0], present[:, 1]
        return cohen_kappa([[np.sum(~a & ~b), np.sum(~a & b)], [np.sum(a & ~b), np.sum(a & b)]])
    return fleiss_kappa(*_presence_patterns(present))


def _presence_agreement(present: np.ndarray) -> float | None:
    if len(present) == 0:
        return None
    return pairwise_agreement(*_presence_patterns(present))


def _value_ids(grid: _Grid, cover: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each coder's value on each interval as a dense id of its set of tags
    (``cover`` is tags × coders × intervals); returns ``(ids, codes)`` where
    ``ids`` is (coders × intervals) and ``codes`` (values × tags, bool) says
    which tags each id stands for. Id 0 is the gap when anyone left one."""
    n_tags, m, n = cover.shape
    if n_tags <= 62:
        key = np.zeros((m, n), dtype=np.int64)
        for t in range(n_tags):
            key |= cover[t].astype(np.int64) << t
        if n_tags <= 20:                       # a look-up table beats sorting
            seen = np.flatnonzero(np.bincount(key.ravel(), minlength=1 << n_tags))
            table = np.zeros(1 << n_tags, dtype=np.int64)
            table[seen] = np.arange(len(seen))
            ids = table[key]
        else:
            seen, inverse = np.unique(key.ravel(), return_inverse=True)
            ids = inverse.reshape(m, n)
        codes = ((seen[:, None] >> np.arange(n_tags)) & 1).astype(bool)
        return ids, codes
    packed = np.packbits(cover.transpose(1, 2, 0), axis=2)     # coders × intervals × bytes
    flat = np.ascontiguousarray(packed.reshape(m * n, -1))
    keys = flat.view(np.dtype((np.void, flat.shape[1])))[:, 0]
    unique, inverse = np.unique(keys, return_inverse=True)
    codes = np.unpackbits(unique.view(np.uint8).reshape(len(unique), -1), axis=1)[:, :n_tags]
    return inverse.reshape(m, n), codes.astype(bool)


def _multi_valued(grid: _Grid, ids: np.ndarray, gap: int | None, n_values: int,
                  breaks: np.ndarray) -> dict:
    """uα, |uα and cuα of the continuum whose values are tag sets; ``breaks``
    (coders × intervals) marks where each coder's units of a tag begin or
    end, so that two touching units of one value stay two."""
    m = ids.shape[0]
    observed = np.zeros(n_values * n_values)
    for i in range(m):
        for j in range(m):
            if i != j:
                observed += np.bincount(ids[i] * n_values + ids[j], weights=grid.length,
                                        minlength=n_values * n_values)
    observed = observed.reshape(n_values, n_values) / (m - 1)
    is_gap = np.zeros(n_values, bool)
    if gap is not None:
        is_gap[gap] = True
    nongap = ~is_gap[ids]                                      # coders × intervals
    others = nongap.sum(axis=0)[None, :] - nongap              # other coders' units here
    self_pairs = np.zeros(n_values)
    pairable = np.zeros(n_values)
    for i in range(m):
        value, length, run_id = grid.runs(ids[i], breaks[i])
        unit = ~is_gap[value]
        self_pairs += np.bincount(value, weights=np.where(unit, length ** 2, length),
                                  minlength=n_values)
        # what a unit puts into cuα's margins: its overlap with each other
        # coder's units, averaged over the other coders (Krippendorff 2019,
        # §12.6.5) — it pairs with itself that length squared
        paired = np.bincount(run_id, weights=grid.length * others[i] / (m - 1),
                             minlength=len(value))
        pairable += np.bincount(value[unit], weights=paired[unit] ** 2, minlength=n_values)
    result = {"u_alpha": None, "bu_alpha": None, "cu_alpha": None}
    if observed.sum() <= 0:
        return result
    expected = expected_coincidences(observed, self_pairs)
    result["u_alpha"] = alpha_from(observed, expected)
    block = np.array([is_gap, ~is_gap], dtype=np.float64)         # 2 × values
    result["bu_alpha"] = alpha_from(block @ observed @ block.T, block @ expected @ block.T)
    units = ~is_gap
    within = observed[np.ix_(units, units)]
    if units.sum() >= 2 and within.sum() > 0:
        result["cu_alpha"] = alpha_from(within, expected_coincidences(within, pairable[units]))
    return result


# -- the report ------------------------------------------------------------

def measure(codings: Codings) -> dict:
    """Every measure per tag and overall: ``{"tags": [row per tag index],
    "overall": row}``, each row a dict with the keys :data:`MEASURES`."""
    m, n_tags = codings.n_coders, codings.n_tags
    if m < 2:
        raise ValueError("agreement needs at least two analysts")
    grid = _Grid(codings)
    units = _all_units(grid)
    cover = _cover(grid, units)
    total = float(grid.length.sum())
    present = np.zeros((n_tags, len(codings.lengths), m), dtype=bool)
    present[codings.tag, codings.article, codings.coder] = True

    # the tags pooled into the overall row: those some analyst applied in
    # these articles. An unused tag's units are all "absent" for every
    # analyst; pooled, they would add agreement nobody coded (see pooled())
    used = pooled(codings)

    rows = []
    all_observed = np.zeros((2, 2))
    all_counts, all_weights = [], []
    for t in range(n_tags):
        weights = _char_patterns(grid, cover[t])
        observed, self_pairs = _binary_unitized(weights, total, units[t])
        counts = _pattern_counts(weights)
        if used[t]:
            all_observed += observed
            all_counts.append(counts)
            all_weights.append(weights)
        char_alpha = alpha_from(observed, expected_coincidences(observed, observed.sum(axis=1)))
        u_alpha = alpha_from(observed, expected_coincidences(observed, self_pairs))
        rows.append({
            "alpha_char": char_alpha, "u_alpha": u_alpha, "bu_alpha": u_alpha,
            "cu_alpha": None,
            "kappa_presence": _presence_kappa(present[t]),
            "percent_agreement": _presence_agreement(present[t]),
            "kappa_char": _kappa_of_patterns(cover[t], grid, weights),
            "percent_agreement_char": pairwise_agreement(counts, weights),
        })
    return {"tags": rows, "overall": _overall(grid, units, cover[used], present[used],
                                              all_observed, all_counts, all_weights)}


def pooled(codings: Codings) -> np.ndarray:
    """Which tags the overall row pools (bool per tag index): those some
    analyst applied in the chosen articles. A tag nobody applied there adds
    only units every analyst left "absent": for one multi-valued variable a
    value nobody used adds nothing to observed or expected disagreement
    (Krippendorff), but in the per-tag binary pooling each such unit is a
    perfect agreement, which raised the pooled α, κ and percentages — and
    made them depend on naming or ticking such a tag."""
    used = np.zeros(codings.n_tags, dtype=bool)
    used[codings.tag] = True
    return used


def _overall(grid: _Grid, units: list[list[_Units]], cover: np.ndarray,
             present: np.ndarray, all_observed: np.ndarray, all_counts: list,
             all_weights: list) -> dict:
    """The overall row over the pooled tags (``cover`` and ``present`` of
    those tags only; ``all_*`` their per-tag sums from :func:`measure`)."""
    m, n_pooled = grid.codings.n_coders, len(cover)
    if not n_pooled:
        return {k: None for k in MEASURES}
    overall = {"alpha_char": alpha_from(
        all_observed, expected_coincidences(all_observed, all_observed.sum(axis=1)))}
    ids, codes = _value_ids(grid, cover)
    gaps = np.flatnonzero(~codes.any(axis=1))
    breaks = np.zeros((m, grid.n + 1), dtype=bool)
    for of_tag in units:
        for i, mine in enumerate(of_tag):
            breaks[i, mine.first] = True
            breaks[i, mine.end] = True
    overall.update(_multi_valued(grid, ids, int(gaps[0]) if len(gaps) else None,
                                 len(codes), breaks[:, :grid.n]))
    flat = present.reshape(-1, m)
    overall["kappa_presence"] = _presence_kappa(flat)
    overall["percent_agreement"] = _presence_agreement(flat)
    if m == 2:
        w = np.tile(grid.length, n_pooled)
        a, b = cover.transpose(1, 0, 2).reshape(m, -1)
        overall["kappa_char"] = cohen_kappa(
            [[w[~a & ~b].sum(), w[~a & b].sum()], [w[a & ~b].sum(), w[a & b].sum()]])
    else:
        overall["kappa_char"] = fleiss_kappa(np.concatenate(all_counts),
                                             np.concatenate(all_weights))
    overall["percent_agreement_char"] = pairwise_agreement(
        np.concatenate(all_counts), np.concatenate(all_weights))
    return {k: overall[k] for k in MEASURES}


def disagreements(codings: Codings):
    """Where the analysts' codings differ: yields ``(article index, start,
    end, [tag indexes of each coder])`` for each maximal stretch of an
    article over which the analysts' sets of tags stay the same and are not
    all equal, in text order."""
    grid = _Grid(codings)
    m = codings.n_coders
    if codings.n_tags == 0 or grid.n == 0:
        return
    ids, codes = _value_ids(grid, _cover(grid, _all_units(grid)))
    differ = (ids != ids[0]).any(axis=0)
    combined = np.zeros(grid.n, dtype=np.int64)
    for i in range(m):
        combined = combined * len(codes) + ids[i]
    value, length, run_id = grid.runs(np.where(differ, combined, -1))
    starts = np.flatnonzero(np.r_[True, run_id[1:] != run_id[:-1]])
    tag_lists = [list(np.flatnonzero(row)) for row in codes]
    for run, first in enumerate(starts):
        if value[run] < 0:
            continue
        article = int(grid.article[first])
        begin = int(grid.points[first] - grid.offsets[article])
        yield (article, begin, begin + int(length[run]),
               [tag_lists[ids[i, first]] for i in range(m)])
