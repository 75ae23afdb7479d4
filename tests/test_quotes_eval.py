"""The quotes benchmark harness (benchmarks/quotes_eval.py) on a tiny fixture:
PolNeAR's format, the word rule for speakers, optional quotes."""

from __future__ import annotations

import json

from benchmarks.quotes_eval import (GoldArticle, GoldQuote, Prediction, load_polnear,
                                    name_words, score_article, speaker_right)


def test_name_words_drop_titles_and_possessives():
    assert name_words("Sen. Ted Cruz's") == ["ted", "cruz"]
    assert name_words("Rep. Patrick J. Tiberi") == ["patrick", "j", "tiberi"]


def test_a_speaker_is_right_only_when_it_holds_every_word_of_an_accepted_name():
    quote = GoldQuote(0, 5, "Sid Miller", ["Miller"], "unknown")
    assert speaker_right("Agriculture Commissioner Sid Miller", quote, "words")
    assert speaker_right("Mr. Miller", quote, "words")
    assert not speaker_right("President", quote, "words")      # "Sid" is in it, not a word
    assert not speaker_right("Millers", quote, "words")
    assert not speaker_right(None, quote, "words")
    assert not speaker_right("Sid Miller Jr", GoldQuote(0, 5, "Sid Miller", [], "x"), "exact")


def test_optional_quotes_are_neither_credited_nor_missed():
    text = "x" * 100
    article = GoldArticle("a.txt", text, [GoldQuote(0, 20, "Ann Lee", ["Lee"], "unknown"),
                                          GoldQuote(40, 60, "Bo", [], "unknown", True)],
                          "polnear", match="words")
    score = score_article(article, [Prediction(0, 20, "Lee"), Prediction(42, 60, "Zed"),
                                    Prediction(80, 90, "Lee")])
    assert (score.gold, score.matched, score.predicted, score.speakers_right) == (1, 1, 2, 1)
    missed = score_article(article, [])
    assert (missed.gold, missed.matched, missed.predicted) == (1, 0, 0)


def test_polnear_files_are_read_with_their_spans(tmp_path):
    (tmp_path / "one.txt").write_text(
        "Headline.\n\n“We will win the state,” said Sen. Ann Lee. “Easily.”\n", "utf-8")
    (tmp_path / "gold.json").write_text(json.dumps({"polnear": {"one.txt": [
        {"starts": "We will", "ends": "the state,", "speaker": ["Ann Lee", "Lee"]},
        {"starts": "Easily.", "ends": "Easily.", "speaker": ["Ann Lee"], "optional": True},
    ]}}), "utf-8")
    [article] = load_polnear(tmp_path)
    first, second = article.quotes
    assert article.text[first.start:first.end] == "We will win the state,"
    assert (first.speaker, first.aliases, first.optional) == ("Ann Lee", ["Lee"], False)
    assert second.optional and article.match == "words"


def test_like_with_like_leaves_out_only_what_the_gold_cannot_hold():
    """The README of the PolNeAR set: single-mark quotes are never extracted,
    and the gold is every stretch inside annotated content — so an extra in
    single marks or inside a gold quote's span is out of scope; any other
    extra stays a false positive."""
    text = ("“We will win the state and the next one after it,\" she said. \"Easily and soon.” "
            "Headline: ‘Lee wins the day.’ "
            "“A quote nobody annotated here.”")
    gold_span = (1, text.index("soon.") + len("soon."))
    article = GoldArticle("a.txt", text, [GoldQuote(*gold_span, "Ann Lee", [], "unknown")],
                          "polnear", match="words")
    single = text.index("Lee wins")
    unannotated = text.index("A quote nobody")
    predictions = [Prediction(1, text.index(",\" she"), "Lee"),            # finds the gold
                   Prediction(text.index("Easily"), text.index("soon.") + 5, "Lee"),
                   Prediction(single, single + len("Lee wins the day."), None),
                   Prediction(unannotated, len(text) - 1, None)]
    errors: list[str] = []
    score = score_article(article, predictions, errors)
    assert (score.matched, score.predicted, score.out_of_scope) == (1, 4, 2)
    like = score.like_with_like()
    assert (like.matched, like.predicted) == (1, 2)
    assert score.precision == 0.25 and like.precision == 0.5      # the unfiltered stays
    assert any("out of scope: single marks" in e for e in errors)
    assert any("out of scope: inside a gold quote" in e for e in errors)
    assert any("A quote nobody" in e and "out of scope" not in e for e in errors)


def test_the_project_sets_never_leave_anything_out():
    text = "‘Lee wins the day.’ and more"
    article = GoldArticle("a.txt", text, [], "seeds")
    score = score_article(article, [Prediction(1, 17, None)])
    assert (score.predicted, score.out_of_scope) == (1, 0)
