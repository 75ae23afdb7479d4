"""The attribute ruler answered from tables gives spaCy's own annotations.

``desktop.analysis.attribute_table`` replaces the trained pipeline's
``attribute_ruler``; every token attribute it sets must be the stock
ruler's, on real text and on rules built to catch the order, set and
several-token cases.
"""

from pathlib import Path

import pytest
import spacy
from spacy.attrs import DEP, ENT_IOB, ENT_TYPE, HEAD, LEMMA, MORPH, POS, TAG
from spacy.pipeline import AttributeRuler
from spacy.tokens import Doc

from desktop.analysis import attribute_table
from desktop.analysis.pipeline import load_pipeline

ROOT = Path(__file__).resolve().parent.parent
COMPARED = [POS, TAG, MORPH, LEMMA, DEP, HEAD, ENT_IOB, ENT_TYPE]

#: Words the model's multi-token, set and pattern rules are about.
COLLOQUIAL = (
    "There's nothin' the police can do, y'all gonna see. Let's go, he said. "
    "It ain't over and it isn't done: I've got ta do it, they're sure. C'mon, "
    "give it to me, I'd say, and you do what you did. Whether or not it's true, "
    "they are done. Aren't we? I'm here. That is what that man said to you and "
    "to it, since I'd have had it."
)


def _texts() -> list[str]:
    texts = [path.read_text(encoding="utf-8") for path in sorted((ROOT / "seeds").iterdir())
             if path.suffix in (".txt", ".md", ".html") or not path.suffix]
    texts += [path.read_text(encoding="utf-8")
              for path in sorted((ROOT / "tests" / "data" / "quotes").glob("*.txt"))]
    return texts + [COLLOQUIAL]


def _annotations(doc) -> tuple:
    return (doc.to_array(COMPARED).tolist(), [str(t.morph) for t in doc],
            [t.lemma_ for t in doc], [t.pos_ for t in doc])


def test_dossier_runs_the_table_in_place_of_the_stock_ruler(pipeline):
    ruler = pipeline.nlp.get_pipe(attribute_table.RULER)
    assert type(ruler) is attribute_table.AttributeTable
    assert pipeline.nlp.pipe_names.index(attribute_table.RULER) == \
        load_pipeline(stock=True).nlp.pipe_names.index(attribute_table.RULER)


@pytest.mark.slow
def test_every_token_attribute_is_the_stock_rulers(pipeline):
    stock = load_pipeline(stock=True).nlp
    assert type(stock.get_pipe(attribute_table.RULER)) is AttributeRuler
    texts = _texts()
    assert len(texts) > 20
    tokens = 0
    for ours, theirs in zip(pipeline.nlp.pipe(texts, batch_size=8),
                            stock.pipe(texts, batch_size=8)):
        assert [t.text for t in ours] == [t.text for t in theirs]
        assert _annotations(ours) == _annotations(theirs)
        tokens += len(ours)
    assert tokens > 10_000


def test_the_colloquial_rules_fire_as_in_spacy(pipeline):
    """The rules outside the tables (several tokens, sets, patterns) set
    what spaCy sets: "gonna" → go + to, "Let's" → us, "ain't" → be."""
    doc = pipeline.nlp(COLLOQUIAL)
    stock = load_pipeline(stock=True).nlp(COLLOQUIAL)
    lemmas = {t.i: t.lemma_ for t in stock}
    assert "go" in [lemmas[t.i] for t in stock if t.lower_ == "gon"]
    assert "us" in [lemmas[t.i] for t in stock if t.lower_ == "'s" and t.i and
                    stock[t.i - 1].lower_ == "let"]
    assert _annotations(doc) == _annotations(stock)


def _rules() -> list[dict]:
    """Rules that overlap: the later must win, whatever kind each is."""
    return [
        {"patterns": [[{"TAG": "NN"}]], "attrs": {"POS": "NOUN", "MORPH": "Number=Sing"}},
        {"patterns": [[{"TAG": "NN", "LOWER": "cash"}]], "attrs": {"POS": "PROPN"}},
        {"patterns": [[{"LOWER": {"IN": ["cash", "gold"]}}]], "attrs": {"LEMMA": "money"}},
        # several tokens, aimed at the second: later than the one-token rules
        {"patterns": [[{"LOWER": "the"}, {"LOWER": "cash"}], [{"LOWER": "that"}, {"LOWER": "gold"}]],
         "attrs": {"POS": "X"}, "index": 1},
        {"patterns": [[{"DEP": {"NOT_IN": ["det", ""]}, "TAG": "DT"}]], "attrs": {"POS": "PRON"}},
        {"patterns": [[{"LOWER": {"REGEX": "^g.ld$"}}]], "attrs": {"MORPH": "Number=Plur"}},
        # a one-token rule after a several-token one on the same word
        {"patterns": [[{"LOWER": "cash", "DEP": "dobj"}]], "attrs": {"POS": "VERB"}},
        {"patterns": [[{"TAG": "VBD"}], [{"LOWER": "moved"}]], "attrs": {"POS": "VERB"},
         "index": -1},
    ]


def _doc(nlp) -> Doc:
    words = ["They", "moved", "the", "cash", "and", "that", "gold", "with", "cash", "."]
    tags = ["PRP", "VBD", "DT", "NN", "CC", "DT", "NN", "IN", "NN", "."]
    deps = ["nsubj", "ROOT", "det", "dobj", "cc", "nsubj", "conj", "prep", "pobj", "punct"]
    heads = [1, 1, 3, 1, 3, 6, 3, 1, 7, 1]
    return Doc(nlp.vocab, words=words, tags=tags, deps=deps, heads=heads)


def test_overlapping_rules_apply_in_spacys_order():
    nlp = spacy.blank("en")
    stock = AttributeRuler(nlp.vocab)
    stock.add_patterns(_rules())
    table = attribute_table.AttributeTable(nlp.vocab)
    table.add_patterns(_rules())
    theirs, ours = stock(_doc(nlp)), table(_doc(nlp))
    assert _annotations(ours) == _annotations(theirs)
    # the checks that the comparison compares something
    assert [t.pos_ for t in theirs][3] == "VERB"      # the later one-token rule won
    assert [t.pos_ for t in theirs][6] == "X"         # the several-token rule won
    assert [t.pos_ for t in theirs][8] == "PROPN"
    assert [t.lemma_ for t in theirs][6] == "money"
    assert [t.pos_ for t in theirs][5] == "PRON"
    # a second text: the merged attributes kept from the first still hold
    assert _annotations(table(_doc(nlp))) == _annotations(stock(_doc(nlp)))


def _ruler_with(patterns: list, attrs: dict, index: int = 0):
    nlp = spacy.blank("en")
    nlp.add_pipe("attribute_ruler").add(patterns, attrs, index)
    return nlp


def test_a_ruler_of_a_tokens_own_attributes_is_replaced():
    nlp = _ruler_with([[{"LOWER": "cash"}], [{"LOWER": "the"}, {"LOWER": "cash"}]],
                      {"LEMMA": "money", "POS": "NOUN"}, index=-1)
    assert attribute_table.install(nlp)
    assert type(nlp.get_pipe("attribute_ruler")) is attribute_table.AttributeTable


@pytest.mark.parametrize("patterns, attrs, index", [
    # an extension attribute merges differently
    ([[{"LOWER": "cash"}]], {"_": {"flagged": True}}, 0),
    # a word's attribute (on the lexeme, shared by its every token) changes
    # what later tokens match while the table reads them lazily
    ([[{"LOWER": "cash"}]], {"LOWER": "money"}, 0),
    ([[{"TAG": "_SP"}]], {"IS_SPACE": True}, 0),
    # an index a match may not have: spaCy stops part-way through the text
    ([[{"LOWER": "the"}, {"LOWER": "cash", "OP": "?"}]], {"POS": "X"}, 1),
    ([[{"LOWER": "the"}, {"LOWER": "cash"}]], {"POS": "X"}, 2),
])
def test_rules_the_table_cannot_mirror_keep_the_stock_ruler(patterns, attrs, index):
    from spacy.tokens import Token

    if not Token.has_extension("flagged"):
        Token.set_extension("flagged", default=None)
    nlp = _ruler_with(patterns, attrs, index)
    assert not attribute_table.install(nlp)
    assert type(nlp.get_pipe("attribute_ruler")) is AttributeRuler


def test_a_cleared_table_sets_nothing_as_spacys_does():
    nlp = spacy.blank("en")
    stock, table = AttributeRuler(nlp.vocab), attribute_table.AttributeTable(nlp.vocab)
    for ruler in (stock, table):
        ruler.add_patterns(_rules())
        ruler(_doc(nlp))        # (the table compiles its rules here)
        ruler.clear()
    with pytest.warns(UserWarning, match="W036"):     # spaCy: a matcher with no rules
        theirs = stock(_doc(nlp))
    ours = table(_doc(nlp))
    assert [t.pos_ for t in ours] == [t.pos_ for t in theirs] == [""] * len(theirs)


def test_a_pipeline_saved_with_the_table_loads_again(pipeline, tmp_path):
    """In a fresh process, as Dossier loads a configured pipeline (its
    config names the table's factory)."""
    import json
    import subprocess
    import sys

    pipeline.nlp.to_disk(tmp_path / "saved")
    script = (
        "import json, sys\n"
        "from desktop.analysis.pipeline import load_pipeline\n"
        "loaded = load_pipeline(sys.argv[1])\n"
        "ruler = type(loaded.nlp.get_pipe('attribute_ruler')).__name__\n"
        "doc = loaded.nlp(sys.argv[2])\n"
        "print(json.dumps([loaded.warnings, ruler, [t.pos_ for t in doc]]))\n")
    out = subprocess.run([sys.executable, "-c", script, str(tmp_path / "saved"), COLLOQUIAL],
                         capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert out.returncode == 0, out.stderr
    warnings, ruler, tags = json.loads(out.stdout.strip().splitlines()[-1])
    assert warnings == [] and ruler == "AttributeTable"
    assert tags == [t.pos_ for t in pipeline.nlp(COLLOQUIAL)]


def test_a_pipeline_without_an_attribute_ruler_is_left_alone():
    nlp = spacy.blank("en")
    assert not attribute_table.install(nlp)
    assert nlp.pipe_names == []


@pytest.mark.parametrize("index", [2, -3])
def test_an_index_outside_the_match_fails_as_in_spacy(index):
    nlp = spacy.blank("en")
    rules = [{"patterns": [[{"LOWER": "the"}, {"LOWER": "cash"}]], "attrs": {"POS": "X"},
              "index": index}]
    stock, table = AttributeRuler(nlp.vocab), attribute_table.AttributeTable(nlp.vocab)
    stock.add_patterns(rules)
    table.add_patterns(rules)
    with pytest.raises(ValueError):
        stock(_doc(nlp))
    with pytest.raises(ValueError):
        table(_doc(nlp))
