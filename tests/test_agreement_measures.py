"""The agreement measures (desktop.agreement.measures) against published
worked examples, independent implementations (the ``krippendorff`` package,
scikit-learn, and a transcription of the R package quallmer's unitizing α,
run once to give the numbers below) and a brute-force implementation of the
unitizing family on random data."""

from __future__ import annotations

import random

import krippendorff
import numpy as np
import pytest
from sklearn.metrics import cohen_kappa_score

from desktop.agreement.measures import (Codings, cohen_kappa, disagreements, fleiss_kappa,
                                        measure, nominal_alpha)


def codings_of(coders, length, tags):
    """Codings of one article from ``[(start, end, tag) …]`` per coder,
    1-based inclusive as printed in the papers."""
    spans = [(0, i, tags.index(tag), start - 1, end)
             for i, coder in enumerate(coders) for start, end, tag in coder]
    return Codings.from_spans([length], spans, len(coders), len(tags))


# -- the QualCoder example of issue 18 ----------------------------------------

def qualcoder_kappa(coded_a: int, coded_b: int, both: int) -> float:
    """QualCoder's "Kappa" column as its reports compute it: over the union of
    coded characters, with Pe = Pyes * Pno (its docstring says +)."""
    unique = coded_a + coded_b - both
    p_o = both / unique
    p_yes = coded_a / unique * coded_b / unique
    p_no = (unique - coded_a) / unique * (unique - coded_b) / unique
    p_e = p_yes * p_no
    return (p_o - p_e) / (1 - p_e)


def test_qualcoder_example_reports_cohen_kappa_over_all_characters():
    # two coders of 1,000 characters who coded [0,100) and [50,150)
    codings = Codings.from_spans([1000], [(0, 0, 0, 0, 100), (0, 1, 0, 50, 150)], 2, 1)
    overall = measure(codings)["overall"]
    assert round(qualcoder_kappa(100, 100, 50), 2) == 0.30
    assert overall["kappa_char"] == pytest.approx(0.4444, abs=5e-4)
    a, b = np.zeros(1000, int), np.zeros(1000, int)
    a[:100], b[50:150] = 1, 1
    assert overall["kappa_char"] == pytest.approx(cohen_kappa_score(a, b), abs=1e-9)
    assert overall["alpha_char"] == pytest.approx(
        krippendorff.alpha(reliability_data=[a, b], level_of_measurement="nominal"), abs=1e-9)
    assert overall["alpha_char"] == pytest.approx(0.445, abs=5e-4)
    assert overall["percent_agreement_char"] == pytest.approx(0.9)


# -- published worked examples --------------------------------------------------

def test_alpha_matches_krippendorff_2011_nominal_example():
    # Krippendorff (2011), "Computing Krippendorff's alpha-reliability", §C:
    # four observers, twelve units, missing values; nominal α = 0.743
    data = np.array([[1, 2, 3, 3, 2, 1, 4, 1, 2, np.nan, np.nan, np.nan],
                     [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, np.nan, 3],
                     [np.nan, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, np.nan],
                     [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, np.nan]])
    counts = np.array([[np.sum(data[:, u] == v) for v in (1, 2, 3, 4, 5)]
                       for u in range(data.shape[1])])
    assert nominal_alpha(counts) == pytest.approx(0.743, abs=5e-4)
    assert nominal_alpha(counts) == pytest.approx(
        krippendorff.alpha(reliability_data=data, level_of_measurement="nominal"), abs=1e-9)


def test_character_measures_match_krippendorff_1995_digitized_examples():
    # Krippendorff (1995: 57), "On the reliability of unitizing contiguous
    # data", pair A (Bertha, Bill) digitized into 24 characters: α = .329,
    # Cohen's κ = .385; pair C (Gerret, Gill): κ = .314
    a = codings_of([[(3, 10, "A"), (15, 20, "A")], [(5, 8, "A"), (16, 17, "A")]], 24, ["A"])
    row = measure(a)["tags"][0]
    assert row["alpha_char"] == pytest.approx(0.329, abs=5e-4)
    assert row["kappa_char"] == pytest.approx(0.385, abs=5e-4)
    c = codings_of([[(3, 8, "C"), (11, 12, "C"), (15, 18, "C"), (21, 22, "C")],
                    [(1, 2, "C"), (5, 8, "C"), (11, 14, "C"), (17, 18, "C"), (21, 22, "C")]],
                   24, ["C"])
    assert measure(c)["tags"][0]["kappa_char"] == pytest.approx(0.314, abs=5e-4)


def test_fleiss_kappa_matches_fleiss_1971_style_example():
    # the worked example of Fleiss' kappa on Wikipedia (14 raters, 10
    # subjects, 5 categories): P̄ = 0.378, P̄e = 0.213, κ = 0.210
    table = [[0, 0, 0, 0, 14], [0, 2, 6, 4, 2], [0, 0, 3, 5, 6], [0, 3, 9, 2, 0],
             [2, 2, 8, 1, 1], [7, 7, 0, 0, 0], [3, 2, 6, 3, 0], [2, 5, 3, 2, 2],
             [6, 5, 2, 1, 0], [0, 2, 2, 3, 7]]
    assert fleiss_kappa(table) == pytest.approx(0.210, abs=5e-4)
    # weights are repeated rows
    assert fleiss_kappa(table[:3], [2, 1, 3]) == pytest.approx(
        fleiss_kappa([table[0]] * 2 + [table[1]] + [table[2]] * 3), abs=1e-12)


def test_fleiss_kappa_of_two_raters_is_scotts_pi():
    rng = np.random.default_rng(3)
    a, b = rng.integers(0, 2, 200), rng.integers(0, 2, 200)
    counts = np.stack([(a == 0).astype(int) + (b == 0), (a == 1).astype(int) + (b == 1)], axis=1)
    p = np.array([np.mean(np.r_[a, b] == v) for v in (0, 1)])
    scott = (np.mean(a == b) - (p ** 2).sum()) / (1 - (p ** 2).sum())
    assert fleiss_kappa(counts) == pytest.approx(scott, abs=1e-12)


# -- the unitizing family: the book's worked example ------------------------------

#: Krippendorff (2019), *Content Analysis*, 4th ed., §12.6, Figure 12.11
#: (p. 340): three observers unitize and code a continuum of 60; the
#: book prints uα = .510, |uα = .413 and cuα = .724. The segments (1-based,
#: inclusive) as transcribed in the R package quallmer's
#: tests/testthat/test-alpha_u.R (github.com/cran/quallmer). Alex and Suzan
#: each mark adjacent units of value 6 — two (three) units, not one.
FIGURE_12_11 = [
    [(1, 7, "1"), (8, 13, "2"), (31, 32, "5"), (33, 37, "6"), (38, 44, "6"), (45, 60, "7")],
    [(1, 7, "1"), (8, 13, "3"), (14, 21, "5"), (33, 44, "6")],
    [(1, 7, "1"), (8, 13, "4"), (14, 21, "5"), (33, 37, "6"), (38, 41, "6"), (42, 44, "6")],
]


def test_unitizing_family_matches_krippendorff_2019_figure_12_11():
    tags = ["1", "2", "3", "4", "5", "6", "7"]
    overall = measure(codings_of(FIGURE_12_11, 60, tags))["overall"]
    assert overall["u_alpha"] == pytest.approx(0.510, abs=5e-4)
    assert overall["cu_alpha"] == pytest.approx(0.724, abs=5e-4)
    # 1 − 52 / 88.68 = .4136; the book's .413 is what the expected
    # coincidences rounded to one decimal (44.3 each way) give
    assert overall["bu_alpha"] == pytest.approx(0.4136, abs=5e-5)
    assert overall["bu_alpha"] == pytest.approx(0.413, abs=1e-3)


def test_touching_passages_of_one_tag_are_two_units():
    # Alex's 33–37 and 38–44 are two units; one passage 33–44 is one unit,
    # which pairs with itself 144 times instead of 25 + 49
    merged = [[(a, b, v) for a, b, v in FIGURE_12_11[0][:3]] + [(33, 44, "6"), (45, 60, "7")],
              FIGURE_12_11[1], FIGURE_12_11[2]]
    tags = ["1", "2", "3", "4", "5", "6", "7"]
    apart = measure(codings_of(FIGURE_12_11, 60, tags))
    joined = measure(codings_of(merged, 60, tags))
    assert apart["overall"]["u_alpha"] != pytest.approx(joined["overall"]["u_alpha"], abs=1e-4)
    # per tag too: [0,5) and [5,10) against [0,8) is not [0,10) against [0,8)
    two = Codings.from_spans([20], [(0, 0, 0, 0, 5), (0, 0, 0, 5, 10), (0, 1, 0, 0, 8)], 2, 1)
    one = Codings.from_spans([20], [(0, 0, 0, 0, 10), (0, 1, 0, 0, 8)], 2, 1)
    assert measure(two)["tags"][0]["u_alpha"] != pytest.approx(
        measure(one)["tags"][0]["u_alpha"], abs=1e-4)
    assert measure(two)["tags"][0]["alpha_char"] == measure(one)["tags"][0]["alpha_char"]
    # overlapping passages of one tag are one unit: a duplicate changes nothing
    doubled = [FIGURE_12_11[0] + [(35, 40, "6")], FIGURE_12_11[1], FIGURE_12_11[2]]
    assert measure(codings_of(doubled, 60, tags))["overall"]["u_alpha"] == pytest.approx(
        measure(codings_of([FIGURE_12_11[0][:3] + [(33, 44, "6"), (45, 60, "7")],
                            FIGURE_12_11[1], FIGURE_12_11[2]], 60, tags))["overall"]["u_alpha"])


# -- the unitizing family against an independent implementation -----------------

#: (coders, continuum length, tags) -> (uα, |uα, cuα) from a transcription of
#: quallmer's ``reliability_alpha_u`` (Krippendorff 2019, §12.6), run in R.
#: quallmer corrects cuα's expected coincidences with each unit's overlap
#: with the *union* of the other coders' units, squared; the book's own
#: example (.724 above; quallmer gets .728 there) needs the unit's share of
#: cuα's margins — its overlap averaged over the other coders — squared.
#: The two agree for two coders; for three or more only uα and |uα are
#: quallmer's (``None`` here: not compared).
QUALLMER = [
    ([[(3, 8, "a"), (12, 20, "b"), (25, 27, "a")],
      [(4, 9, "a"), (12, 18, "a"), (24, 28, "a")],
      [(2, 8, "a"), (13, 21, "b")]], 30, ["a", "b"],
     (0.3887343294, 0.4807017544, None)),
    ([[(1, 10, "x")], [(6, 15, "x")]], 20, ["x"], (0.1375, 0.1375, None)),
    # Krippendorff (2004: 254)'s example, its category c alone, shifted by 150
    ([[(76, 145, "c"), (221, 250, "c")], [(71, 150, "c"), (206, 225, "c"), (251, 270, "c")]],
     300, ["c"], (0.5162799043, 0.5162799043, None)),
    ([[(1, 5, "p"), (8, 12, "q"), (15, 18, "p")], [(1, 4, "p"), (8, 12, "p"), (14, 18, "q")],
      [(2, 5, "q"), (9, 12, "q")], [(1, 5, "p"), (8, 11, "q")]], 20, ["p", "q"],
     (0.2723049816, 0.4948148148, None)),
    # two coders, two tags: cuα too
    ([[(1, 6, "a"), (9, 15, "b"), (18, 25, "a")], [(2, 6, "a"), (8, 12, "b"), (13, 16, "a"),
                                                  (19, 24, "b")]], 30, ["a", "b"], None),
]


@pytest.mark.parametrize("coders,length,tags,expected", QUALLMER[:4])
def test_unitizing_family_matches_reference_implementation(coders, length, tags, expected):
    overall = measure(codings_of(coders, length, tags))["overall"]
    for key, value in zip(("u_alpha", "bu_alpha"), expected):
        assert overall[key] == pytest.approx(value, abs=1e-9), key
    if len(tags) == 1:
        assert overall["cu_alpha"] is None


def quallmer_union_cu(coders, length):
    """cuα with quallmer's correction (overlap with the union of the other
    coders' units, squared) — equal to Dossier's for two coders."""
    m = len(coders)
    value = [[None] * (length + 1) for _ in range(m)]
    for i, coder in enumerate(coders):
        for start, end, tag in coder:
            for x in range(start, end + 1):
                value[i][x] = tag
    tags = sorted({t for coder in coders for *_, t in coder})
    index = {t: n for n, t in enumerate(tags)}
    observed = np.zeros((len(tags), len(tags)))
    for i in range(m):
        for j in range(m):
            for x in range(1, length + 1):
                if i != j and value[i][x] and value[j][x]:
                    observed[index[value[i][x]], index[value[j][x]]] += 1 / (m - 1)
    correction = np.zeros(len(tags))
    for i, coder in enumerate(coders):
        for start, end, tag in coder:
            paired = sum(1 for x in range(start, end + 1)
                         if any(value[j][x] for j in range(m) if j != i))
            correction[index[tag]] += paired ** 2
    n_c = observed.sum(axis=1)
    n = n_c.sum()
    expected = (np.outer(n_c, n_c) - np.diag(correction)) / (n - correction.sum() / n)
    return 1 - (n - np.trace(observed)) / (expected.sum() - np.trace(expected))


def test_cu_alpha_equals_quallmers_reading_for_two_coders_only():
    coders, length, tags, _ = QUALLMER[4]
    assert measure(codings_of(coders, length, tags))["overall"]["cu_alpha"] == pytest.approx(
        quallmer_union_cu(coders, length), abs=1e-9)
    book = measure(codings_of(FIGURE_12_11, 60, ["1", "2", "3", "4", "5", "6", "7"]))
    assert quallmer_union_cu(FIGURE_12_11, 60) == pytest.approx(0.7283, abs=5e-5)
    assert book["overall"]["cu_alpha"] == pytest.approx(0.7242, abs=5e-5)


def brute_force_unitizing(lengths, spans, m):
    """uα, |uα and cuα straight from the definitions of Krippendorff (2019,
    §12.6), character by character: each coder's continuum is cut into
    segments wherever one of their units (a tag's passages, merged where
    they overlap) begins or ends, or an article does; a segment's value is
    the set of tags there (empty: a gap). Coincidences are the lengths of
    every pair of overlapping segments of two coders."""
    offsets = np.r_[0, np.cumsum(lengths)]
    total = int(offsets[-1])
    value = [[frozenset()] * total for _ in range(m)]
    cuts = [set(int(o) for o in offsets) for _ in range(m)]
    for coder in range(m):
        for tag in {s[2] for s in spans}:
            mine = sorted((offsets[a] + s, offsets[a] + e) for a, c, t, s, e in spans
                          if c == coder and t == tag)
            units = []
            for s, e in mine:
                if units and s < units[-1][1]:          # overlapping: one unit
                    units[-1][1] = max(units[-1][1], e)
                else:                                   # apart or touching: two
                    units.append([s, e])
            for s, e in units:
                cuts[coder] |= {int(s), int(e)}
                for x in range(s, e):
                    value[coder][x] = value[coder][x] | {tag}
    runs = []
    for i in range(m):
        mine, begin = [], 0
        for x in range(1, total + 1):
            if x == total or x in cuts[i] or value[i][x] != value[i][x - 1]:
                mine.append((begin, x, value[i][begin]))
                begin = x
        runs.append(mine)
    values = sorted({v for mine in runs for _, _, v in mine}, key=sorted)
    index = {v: n for n, v in enumerate(values)}
    gap = np.array([not v for v in values])
    observed = np.zeros((len(values), len(values)))
    for i in range(m):
        for j in range(m):
            if i != j:
                for b1, e1, v1 in runs[i]:
                    for b2, e2, v2 in runs[j]:
                        overlap = min(e1, e2) - max(b1, b2)
                        if overlap > 0:
                            observed[index[v1], index[v2]] += overlap / (m - 1)
    self_pairs, pairable = np.zeros(len(values)), np.zeros(len(values))
    for i in range(m):
        for b, e, v in runs[i]:
            self_pairs[index[v]] += (e - b) if not v else (e - b) ** 2
            if v:
                paired = sum(1 for x in range(b, e) for j in range(m) if j != i and value[j][x])
                pairable[index[v]] += (paired / (m - 1)) ** 2

    def alpha(o, s):
        n_c = o.sum(axis=1)
        n = n_c.sum()
        e = (np.outer(n_c, n_c) - np.diag(s)) / (n - s.sum() / n)
        d_e = e.sum() - np.trace(e)
        return None if d_e <= 1e-12 else 1 - (o.sum() - np.trace(o)) / d_e

    n_c = observed.sum(axis=1)
    n = n_c.sum()
    expected = (np.outer(n_c, n_c) - np.diag(self_pairs)) / (n - self_pairs.sum() / n)
    o2 = np.array([[observed[np.ix_(a, b)].sum() for b in (gap, ~gap)] for a in (gap, ~gap)])
    e2 = np.array([[expected[np.ix_(a, b)].sum() for b in (gap, ~gap)] for a in (gap, ~gap)])
    d_e2 = e2[0, 1] + e2[1, 0]
    units = ~gap
    within = observed[np.ix_(units, units)]
    cu = alpha(within, pairable[units]) if units.sum() >= 2 and within.sum() > 0 else None
    return (alpha(observed, self_pairs),
            None if d_e2 <= 1e-12 else 1 - (o2[0, 1] + o2[1, 0]) / d_e2, cu)


def random_codings(seed: int):
    rng = random.Random(seed)
    m, n_tags = rng.randint(2, 4), rng.randint(1, 3)
    lengths = [rng.randint(5, 40) for _ in range(rng.randint(1, 4))]
    spans = []
    for article, length in enumerate(lengths):
        for coder in range(m):
            for _ in range(rng.randint(0, 4)):
                start = rng.randrange(length)
                spans.append((article, coder, rng.randrange(n_tags), start,
                              min(length, start + rng.randint(1, 12))))
                if rng.random() < 0.3 and spans[-1][4] < length:    # touching, same tag
                    _, _, tag, _, end = spans[-1]
                    spans.append((article, coder, tag, end,
                                  min(length, end + rng.randint(1, 8))))
    return lengths, spans, m, n_tags


@pytest.mark.parametrize("seed", range(40))
def test_unitizing_family_matches_brute_force_on_random_data(seed):
    lengths, spans, m, n_tags = random_codings(seed)
    result = measure(Codings.from_spans(lengths, spans, m, n_tags))
    expected = brute_force_unitizing(lengths, spans, m)
    for key, value in zip(("u_alpha", "bu_alpha", "cu_alpha"), expected):
        if value is None:
            assert result["overall"][key] is None, key
        else:
            assert result["overall"][key] == pytest.approx(value, abs=1e-9), key
    for tag in range(n_tags):
        only = [s for s in spans if s[2] == tag]
        u, bu, _ = brute_force_unitizing(lengths, only, m)
        row = result["tags"][tag]
        assert row["u_alpha"] == (None if u is None else pytest.approx(u, abs=1e-9))
        assert row["bu_alpha"] == row["u_alpha"]


@pytest.mark.parametrize("seed", range(20))
def test_character_measures_match_libraries_on_random_data(seed):
    lengths, spans, m, n_tags = random_codings(seed)
    result = measure(Codings.from_spans(lengths, spans, m, n_tags))
    offsets = np.r_[0, np.cumsum(lengths)]
    for tag in range(n_tags):
        data = np.zeros((m, offsets[-1]), int)
        for article, coder, t, start, end in spans:
            if t == tag:
                data[coder, offsets[article] + start:offsets[article] + end] = 1
        row = result["tags"][tag]
        if data.any() and not data.all():
            assert row["alpha_char"] == pytest.approx(krippendorff.alpha(
                reliability_data=data, level_of_measurement="nominal"), abs=1e-9)
        if m == 2 and len(set(data[0])) + len(set(data[1])) > 2:
            assert row["kappa_char"] == pytest.approx(
                cohen_kappa_score(data[0], data[1]), abs=1e-9)
        present = np.array([[any(s[0] == a and s[1] == i and s[2] == tag for s in spans)
                             for i in range(m)] for a in range(len(lengths))])
        pairs = [(i, j) for i in range(m) for j in range(m) if i < j]
        assert row["percent_agreement"] == pytest.approx(
            np.mean([present[:, i] == present[:, j] for i, j in pairs]))


def test_cohen_kappa_matches_scikit_learn():
    rng = np.random.default_rng(7)
    a, b = rng.integers(0, 3, 300), rng.integers(0, 3, 300)
    table = [[np.sum((a == x) & (b == y)) for y in range(3)] for x in range(3)]
    assert cohen_kappa(table) == pytest.approx(cohen_kappa_score(a, b), abs=1e-12)


def test_unused_tag_is_undefined_not_zero():
    codings = Codings.from_spans([50, 60], [(0, 0, 0, 0, 10), (0, 1, 0, 0, 10)], 2, 2)
    result = measure(codings)
    assert result["tags"][0]["alpha_char"] == pytest.approx(1.0)
    assert result["tags"][1]["alpha_char"] is None
    assert result["tags"][1]["u_alpha"] is None
    assert result["tags"][1]["kappa_presence"] is None
    assert result["tags"][1]["percent_agreement"] == 1.0


def test_disagreements_name_each_stretch_and_each_coders_tags():
    codings = Codings.from_spans(
        [30, 20],
        [(0, 0, 0, 0, 10), (0, 1, 0, 0, 10),        # agree: no row
         (0, 0, 1, 15, 25), (0, 1, 0, 20, 25),      # differ on 15–20 and 20–25
         (1, 2, 1, 3, 7)], 3, 2)
    rows = [(a, s, e, [list(map(int, t)) for t in tags])
            for a, s, e, tags in disagreements(codings)]
    assert rows == [(0, 0, 10, [[0], [0], []]),
                    (0, 15, 20, [[1], [], []]),
                    (0, 20, 25, [[1], [0], []]),
                    (1, 3, 7, [[], [], [1]])]


def test_empty_articles_change_nothing():
    spans = [(1, 0, 0, 2, 8), (1, 1, 0, 3, 9), (3, 1, 0, 0, 5), (3, 0, 0, 1, 4)]
    with_empty = measure(Codings.from_spans([0, 10, 0, 5, 0], spans, 2, 1))
    without = measure(Codings.from_spans(
        [10, 5], [(0 if a == 1 else 1, *rest) for a, *rest in spans], 2, 1))
    for key in ("alpha_char", "u_alpha", "bu_alpha", "kappa_char"):
        assert with_empty["overall"][key] == pytest.approx(without["overall"][key]), key
    assert [row[:3] for row in disagreements(Codings.from_spans([0, 10, 0, 5, 0], spans, 2, 1))
            ] == [(1, 2, 3), (1, 8, 9), (3, 0, 1), (3, 4, 5)]


def test_a_tag_nobody_used_is_not_pooled_into_the_overall_row():
    """Its characters and articles are all "absent" for everyone: pooled,
    they read as agreement nobody coded and raised α, κ and the
    percentages (0.558 → 0.601 for α on a hand-checked file)."""
    lengths = [40, 30]
    spans = [(0, 0, 0, 0, 10), (0, 0, 0, 8, 12), (0, 1, 0, 5, 15), (1, 0, 0, 0, 10),
             (0, 0, 1, 20, 30), (0, 1, 1, 22, 30)]
    two = measure(Codings.from_spans(lengths, spans, 2, 2))
    three = measure(Codings.from_spans(lengths, spans, 2, 3))     # tag 2: nobody's
    assert three["tags"][2]["alpha_char"] is None
    assert three["overall"] == pytest.approx(two["overall"])
    nobody = measure(Codings.from_spans(lengths, [], 2, 1))
    assert nobody["overall"] == {k: None for k in nobody["overall"]}
