"""The trained pipeline's attribute ruler, answered from lookup tables.

``en_core_web_sm``'s ``attribute_ruler`` gives each token its coarse part of
speech, its morphology and a few lemmas from its fine-grained tag (and, for
some words, its text or dependency): 179 rules, 171 of them about one
token's own ``TAG``, ``LOWER``, ``DEP`` or ``IS_SPACE``. spaCy runs every
rule through its ``Matcher``, which tries each rule at each token: on news
text 32–43 ms of CPU per 1,000 words, 13 % of the pipeline (its tagger
takes 1.5 ms, its parser 50).

:class:`AttributeTable` sets the same attributes in the same order for
6.5–7 ms:

- which one-token rules a token matches depends on those four values
  alone: spaCy's Matcher (holding those rules only) is asked once per
  distinct combination, on the first token that has it, and the attributes
  the matching rules set are merged once and kept;
- the other rules (several tokens: "gon na", "Let 's") go through a
  Matcher of their own over the whole text, and a token one of them touches
  has every rule it matches applied in the stock order;
- every attribute is set by spaCy's own ``set_token_attrs``.

A later rule wins where two set the same attribute, as in spaCy (which sorts
its matches by rule number and sets each in turn). :func:`install` swaps the
component in only when every rule sets a token's own attributes (part of
speech, tag, morphology, lemma, dependency) and aims at a token each of its
matches has (:func:`readable`); otherwise the stock ruler stays. The factory
is registered as the module is imported, so a pipeline saved with the table
loads again where Dossier loads pipelines. ``tests/test_attribute_table.py``
compares every token attribute with the stock ruler's on real text.
"""

from __future__ import annotations

from typing import Any, Iterable

from spacy.language import Language
from spacy.pipeline import AttributeRuler

#: The token attributes a one-token rule may test to be looked up.
_LOOKED_UP = {"TAG", "LOWER", "DEP", "IS_SPACE"}

#: The stock component's name in trained English pipelines.
RULER = "attribute_ruler"

#: The factory registered with spaCy for :class:`AttributeTable`
#: (:func:`make_attribute_table`).
FACTORY = "dossier_attribute_table"

#: Distinct token values whose merged attributes are kept (then forgotten).
_KEPT = 50_000

def _one_token_rule(patterns: list, index: int) -> bool:
    """Whether a rule tests only one token's own ``TAG``, ``LOWER``, ``DEP``
    or ``IS_SPACE`` (with any of the Matcher's predicates): its outcome for a
    token then depends on those four values alone."""
    return index in (0, -1) and all(
        len(pattern) == 1 and set(pattern[0]) <= _LOOKED_UP for pattern in patterns)


#: The attributes a rule may set for the table to stand in for the stock
#: ruler: a token's own. A rule setting a word's attribute (its lower-case
#: form, its space flag: stored on the lexeme, shared by every token of the
#: word) would change what later tokens match while the table reads them
#: lazily; an extension attribute (``_``) merges differently.
_SET = {"POS", "TAG", "MORPH", "LEMMA", "DEP"}


def _fixed_index(patterns: list, index: int) -> bool:
    """Whether ``index`` falls inside every match of ``patterns`` (fixed
    lengths, no operators): spaCy then never stops part-way through a text
    for a match too short, which the table could not mirror."""
    for pattern in patterns:
        if any("OP" in token for token in pattern) or not -len(pattern) <= index < len(pattern):
            return False
    return True


def readable(ruler: Any) -> bool:
    """Whether the stock ``ruler``'s rules can all be answered here: each
    sets only a token's own attributes (:data:`_SET`), and each aims at a
    token every one of its matches has."""
    return all(set(map(str.upper, rule["attrs"])) <= _SET
               and _fixed_index(rule["patterns"], rule["index"])
               for rule in ruler.patterns)


def install(nlp: Any) -> bool:
    """Put an :class:`AttributeTable` in place of ``nlp``'s stock attribute
    ruler, with its rules; returns whether it did (False when the pipeline
    has none, or rules this module does not read)."""
    if RULER not in nlp.pipe_names:
        return False
    stock = nlp.get_pipe(RULER)
    if type(stock) is not AttributeRuler or not readable(stock):
        return False
    rules = stock.patterns
    table = nlp.replace_pipe(RULER, FACTORY)
    table.add_patterns(rules)
    return True


class AttributeTable(AttributeRuler):
    """An ``AttributeRuler`` whose one-token rules are table lookups."""

    def __init__(self, vocab: Any, name: str = RULER) -> None:
        super().__init__(vocab, name)
        self._compiled = False

    def add(self, patterns, attrs, index: int = 0) -> None:   # noqa: D102 (spaCy's)
        super().add(patterns, attrs, index)
        self._compiled = False

    def clear(self) -> None:   # noqa: D102 (spaCy's: initialize() calls it too)
        super().clear()
        self._compiled = False

    def _compile(self) -> None:
        """Split the rules: those about one token's own values into a Matcher
        asked once per distinct value, the rest into a Matcher run on every
        text."""
        from spacy.attrs import DEP, IS_SPACE, LOWER, TAG
        from spacy.matcher import Matcher

        self._columns = [TAG, LOWER, DEP, IS_SPACE]
        strings = self.vocab.strings
        self._single, others = Matcher(self.vocab), Matcher(self.vocab)
        has_others = False
        for number, rule in enumerate(self.patterns):
            if _one_token_rule(rule["patterns"], rule["index"]):
                self._single.add(strings.add(str(number)), rule["patterns"])
            else:
                others.add(strings.add(str(number)), rule["patterns"])
                has_others = True
        self._others = others if has_others else None
        #: (TAG, LOWER, DEP, IS_SPACE) -> (the one-token rules it matches,
        #: the attributes they set)
        self._seen: dict[tuple[int, ...], tuple[list[int], dict]] = {}
        self._merges: dict[tuple[int, ...], dict] = {}
        self._compiled = True

    def _one_token_rules(self, doc: Any, i: int) -> list[int]:
        """The numbers of the one-token rules ``doc[i]`` matches (spaCy's
        Matcher on that token alone)."""
        if not len(self._single):
            return []
        strings = self.vocab.strings
        return [int(strings[match_id])
                for match_id, _start, _end in self._single(doc[i:i + 1], allow_missing=True)]

    def _merge(self, numbers: Iterable[int]) -> dict:
        """The attributes the rules set, a later rule's winning (one dict
        for each set of rules, shared)."""
        key = tuple(sorted(set(numbers)))
        merged = self._merges.get(key)
        if merged is None:
            merged = self._merges[key] = {}
            for number in key:
                merged.update(self.attrs[number])
        return merged

    def _touched(self, doc: Any) -> dict[int, list[int]]:
        """Token index -> the numbers of the Matcher's rules that set it."""
        from spacy.errors import Errors

        touched: dict[int, list[int]] = {}
        if self._others is None:
            return touched
        strings = self.vocab.strings
        for match_id, start, end in self._others(doc, allow_missing=True):
            number = int(strings[match_id])
            index = self.indices[number]
            at = (start if index >= 0 else end) + index
            if not start <= at < end:
                raise ValueError(Errors.E1001.format(
                    patterns=self._others.get(match_id),
                    span=[t.text for t in doc[start:end]], index=index))
            touched.setdefault(at, []).append(number)
        return touched

    def __call__(self, doc: Any) -> Any:
        error_handler = self.get_error_handler()
        try:
            self.annotate(doc)
            return doc
        except Exception as error:
            return error_handler(self.name, self, [doc], error)

    def annotate(self, doc: Any) -> None:
        """Set the rules' attributes on ``doc``'s tokens."""
        from spacy.tokens._retokenize import set_token_attrs

        if not self._compiled:
            self._compile()
        if not len(doc):
            return
        touched = self._touched(doc)
        seen = self._seen
        if len(seen) > _KEPT:
            seen.clear()
        rows = doc.to_array(self._columns).tolist()
        for i, row in enumerate(rows):
            values = tuple(row)
            known = seen.get(values)
            if known is None:
                numbers = self._one_token_rules(doc, i)
                known = seen[values] = (numbers, self._merge(numbers))
            attrs = self._merge(known[0] + touched[i]) if i in touched else known[1]
            if attrs:
                set_token_attrs(doc[i], attrs)


# registered as the module is imported: a pipeline saved with the table in it
# (its config names this factory) loads again wherever Dossier loads pipelines
@Language.factory(FACTORY)
def make_attribute_table(nlp: Any, name: str) -> AttributeTable:
    """The factory spaCy builds an :class:`AttributeTable` with."""
    return AttributeTable(nlp.vocab, name)
