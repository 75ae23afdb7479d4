"""The text scans attribution makes once per article, written to look only
where they can match (full stops; the mention's own places; the document
phrases found once): each gives what the plain pattern over the whole text
gives."""

from __future__ import annotations

import re

import pytest

from desktop.analysis.attribution import (_ABBREVIATIONS, _DOC_PHRASE, _INITIAL_STOP,
                                          _MASKED_STOP, _Article, masked_text)

#: the abbreviation pattern as one regex over the whole text (how it was
#: written first): the reference
_PLAIN = re.compile(r"\b(?:" + _ABBREVIATIONS + r")\.(?=\s+[\w(])|" + _INITIAL_STOP.pattern)


@pytest.mark.parametrize("text", [
    "Mr. Smith said. Mrs. Jones agreed.", "Det. Supt. Jane Hale spoke.", "Const. Bob Li",
    "xMr. A is no title.", "The U.S. Attorney said.", "Sen. Rand Paul (R-Ky.) said.",
    "Michael J. Petrilli wrote", "It ends with Mr.", "No. 5 and St.(x) and Co.  Ltd. x",
    "A.B. Charles", "He said so. Then he left.", "", "...",
])
def test_abbreviation_stops_are_those_the_plain_pattern_finds(text):
    expected = _PLAIN.sub(lambda m: m.group()[:-1] + _MASKED_STOP, text)
    assert masked_text(text) == expected and len(masked_text(text)) == len(text)


class _Text:
    """Just enough of an article for the document-phrase scan."""

    _doc_phrases_before = _Article._doc_phrases_before

    def __init__(self, text):
        self.text = text
        self._doc_phrases = list(_DOC_PHRASE.finditer(text))


@pytest.mark.parametrize("text", [
    "The ministry issued a statement. Later the statement from the Ministry of Justice "
    "said more, and the releases and a press release by the police followed.",
    "In its report the agency said; their annual reports from Interpol and Europol came.",
])
def test_document_phrases_before_an_offset_are_those_of_the_shorter_text(text):
    article = _Text(text)
    for before in range(len(text) + 1):
        expected = [(m.start(), m.end(), m.group()) for m in _DOC_PHRASE.finditer(text[:before])]
        got = [(m.start(), m.end(), m.group()) for m in article._doc_phrases_before(before)]
        assert got == expected, before


class _Names:
    """Just enough of an article for the fullest-name scan."""

    _find_fullest_person = _Article._find_fullest_person

    def __init__(self, text, names=()):
        self.text, self._whole_names = text, list(names)


@pytest.mark.parametrize("text, mention, fullest", [
    ("Minister of Interior Sar Sokha said. Sokha added …", "Sokha", "Sar Sokha"),
    ("He's Donald Trump. Trump said …", "Trump", "Donald Trump"),
    ("The Times' Ben Sisario wrote. Sisario said …", "Sisario", "Ben Sisario"),
    ("Sokhany and Sokha met.", "Sokha", "Sokha"),           # a word, not part of one
    ("Police Chief Neth Savoeun spoke; Savoeun's men …", "Savoeun's", "Neth Savoeun"),
])
def test_the_fullest_name_grows_from_the_capitalised_words_before_a_mention(text, mention,
                                                                             fullest):
    assert _Names(text)._find_fullest_person(mention) == fullest


def test_words_already_taken_into_a_name_are_not_the_next_mention_s():
    """"… Reece Kershaw\n\nKershaw added": the name's last word, starting
    the next paragraph, does not make "Reece Kershaw Kershaw"."""
    text = "“Cooperation is no longer optional.” — Commissioner Reece Kershaw\n\nKershaw added …"
    assert _Names(text, ["Reece Kershaw"])._find_fullest_person("Kershaw") == "Reece Kershaw"


def test_quote_and_organisation_look_ups_are_the_plain_scans(pipeline):
    """``inside_quote`` and ``_in_organisation`` bisect sorted spans (a
    100,000-character piece asked thousands of times made attribution
    quadratic); on overlapping, nested and touching spans each answers
    what a scan of every span answers."""
    import random

    from desktop.analysis.quotes import Quote, find_quotes
    from tests.conftest import SEEDS

    text = "\n\n".join(p.read_text("utf-8") for p in sorted(SEEDS.glob("*.txt"))[:2])
    doc = pipeline.nlp(text)
    rng = random.Random(7)
    quotes = list(find_quotes(text))
    for _ in range(40):             # nested, overlapping and touching ones too
        start = rng.randrange(len(text) - 50)
        quotes.append(Quote(start, start + rng.randrange(1, 50), "x"))
    quotes.append(Quote(quotes[-1].end + 1, quotes[-1].end + 9, "x"))
    article = _Article(doc, quotes)
    spans = [(q.start - 1, q.end + 1) for q in quotes]
    for offset in range(-1, len(text) + 2):
        assert article.inside_quote(offset) == any(s <= offset < e for s, e in spans)
    assert article.orgs
    found = list(article.orgs)
    for orgs in (found, [(a, a + rng.randrange(1, 80), "x")      # nested, overlapping
                         for a in sorted(rng.sample(range(len(text)), 60))]):
        article.orgs = orgs
        article._index_organisations()
        for start in range(0, len(text), 3):
            for end in (start, start + 4, start + 30):
                assert article._in_organisation(start, end) == any(
                    a <= start and end < b for a, b, _ in orgs)
