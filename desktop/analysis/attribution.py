"""Who said it: attributing each quote to a speaker.

Works on a parsed spaCy ``Doc`` plus the quotes from :mod:`.quotes`:

1. Find the *cue* next to the quote — a reporting verb after it
   (``“…,” he said``, ``“…,” said the post``), a dash (``“…” — Commissioner
   X``), or a cue before it (``X said: “…”``, ``according to X, “…”``,
   ``what X called “…”``).
2. Resolve the *mention* that goes with the cue to the fullest name in the
   article: ``Sokha`` → ``Sar Sokha``; ``he`` → the person the article last
   put forward as a subject; ``the ambassador`` → the person introduced with
   that role; ``it`` / ``the post`` / ``the statement`` → the document or
   organisation introduced earlier.
3. A quote with no cue inherits the speaker of the quote before it when they
   share a paragraph (or the quote runs straight on from it).

Speaker kinds: ``person``, ``organisation``, ``document``, ``unknown``.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from bisect import bisect_right, insort
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any

from desktop.analysis.quotes import Quote


def _combining_marks() -> str:
    """A character-class body of the combining marks (Unicode category M)
    of the Basic Multilingual Plane: ``re``'s ``\\w`` leaves them out, so a
    name written with decomposed accents (NFD: "Marti\\u0301nez") fell apart
    at each accent. (The planes above hold only historic scripts' marks;
    leaving them out keeps the class a bitmap for ``re``: with them, the
    attribution took 25 % longer. Scanning the plane takes about 6 ms.)"""
    marks = [c for c in range(0x10000) if unicodedata.category(chr(c)).startswith("M")]
    ranges, start = [], marks[0]
    for previous, code in zip(marks, marks[1:] + [None]):
        if code != previous + 1:
            ranges.append(f"\\u{start:04x}-\\u{previous:04x}")
            start = code
    return "".join(ranges)


#: Inside a character class: a combining mark; a word character or one.
_MARKS = _combining_marks()
_W = r"\w" + _MARKS

#: How a quote's speaker was found (``Quote.method``):
#:
#: - ``cue``: a cue in the quote's own sentence names the speaker
#:   ("…,” Sokha said; said Rep. Tiberi; according to the ministry);
#: - ``pronoun``: the cue's mention refers back and was resolved to an
#:   earlier mention (he, she, it, the ambassador, the release);
#: - ``inherited``: no cue; the speaker of the quote before it in the same
#:   or the previous paragraph;
#: - ``guessed``: no cue near the quote; the subject of an earlier reporting
#:   sentence in its paragraph.
#:
#: - ``group``: the cue names the speaker only by a group they belong to, a
#:   party or a nationality ("“…,” the Republican said", "the Democratic
#:   presidential candidate … calling it “absurd”"): the group's word is
#:   recorded, not which member spoke.
#:
#: ``None`` when no speaker was found. Every method but ``cue`` is worth a
#: second look (:data:`TO_CHECK`).
METHODS = ("cue", "pronoun", "inherited", "guessed", "group")
TO_CHECK = ("pronoun", "inherited", "guessed", "group")

VERB_FORMS = (
    "said says say told tells added adds noted notes wrote writes warned warns "
    "reported reports explained explains stated states claimed claims insisted "
    "insists stressed stresses emphasised emphasized emphasises emphasizes "
    "continued continues asked asks replied replies announced announces confirmed "
    "confirms acknowledged acknowledges argued argues cautioned cautions remarked "
    "remarks commented comments observed observes recalled recalls admitted admits "
    "declared declares urged urges conceded concedes predicted predicts responded "
    "responds described describes called calls dubbed dubs termed terms tweeted "
    "posted posts quipped underlined underlines highlighted highlights pointed "
    "points concluded concludes vowed vows promised promises suggested suggests "
    "maintained maintains believes believed thinks thought hopes hoped countered counters "
    "retorted retorts testified testifies recounted recounts boasted boasts complained "
    "complains lamented laments joked jokes mused muses reiterated reiterates disclosed "
    "discloses revealed reveals alleged alleges ruled rules wondered wonders shouted "
    "added adds summed sums offered offers reacted reacts echoed echoes answered answers "
    "shot fired snapped quipped tweeted explained elaborated elaborates wrote "
    "acknowledged proclaimed proclaims asserted asserts observed contended contends "
    "insisted responded remarked explained noted "
    "mentioned mentions exclaimed exclaims whispered whispers yelled yells screamed "
    "demanded demands pleaded pleads assured assures"
).split()
_VERB = "|".join(sorted(VERB_FORMS, key=len, reverse=True))
#: Verbs that introduce someone's words quoted inside a sentence.
PARTIAL_VERB_FORMS = (
    "praised praises welcomed welcomes condemned condemns criticised criticized "
    "criticises criticizes hailed hails labelled labeled branded brands promised "
    "pledged pledges denied denies rejected rejects defended defends "
    # communication verbs that quote a few of someone's words
    "proposed proposes promising pledging vowing vowed threatened threatening groused "
    "accused accuses slammed slams blasted blasts dismissed dismisses touted touts "
    "decried decries derided derides mocked mocks dubbed"
).split()
_PARTIAL_VERB = "|".join(sorted(VERB_FORMS + PARTIAL_VERB_FORMS, key=len, reverse=True))

DOCUMENT_HEADS = ("press release", "release", "statement", "post", "report", "letter",
                  "document", "announcement", "notice", "communique", "communiqué",
                  "tweet", "article", "website", "filing", "memo", "readout", "bulletin",
                  "transcript", "email", "message", "note", "indictment", "complaint",
                  "affidavit", "ruling", "judgment", "judgement", "verdict", "lawsuit",
                  "charge sheet", "court documents", "documents", "guidelines", "advisory")
ORGANISATION_HEADS = ("ministry", "government", "police", "embassy", "department",
                      "agency", "company", "court", "office", "council", "commission",
                      "authorities", "army", "military", "group", "organisation",
                      "organization", "bank", "firm", "union", "party", "team",
                      "force", "unit", "committee", "secretariat", "institute")
#: "the force" is the police named before; "the ministry" a department …
ORGANISATION_SYNONYMS = {"force": ("force", "police", "constabulary"),
                         "police": ("police", "constabulary"),
                         "ministry": ("ministry", "department"),
                         "department": ("department", "ministry")}
ROLE_WORDS = ("ambassador", "minister", "spokesman", "spokeswoman", "spokesperson",
              "commissioner", "chief", "director", "official", "officer", "lecturer",
              "researcher", "analyst", "president", "secretary", "commander",
              "governor", "expert", "professor", "fellow", "head", "leader", "chairman",
              "chairwoman", "chair", "premier", "mayor", "general", "colonel", "judge",
              "prosecutor", "lawyer", "envoy", "diplomat", "inspector", "deputy",
              "attorney", "magistrate", "agent", "investigator", "counsel", "detective",
              "superintendent", "spokesperson", "senator", "mp")
#: A role in a cue ("the prosecutor") also finds people introduced with these.
ROLE_SYNONYMS = {"prosecutor": {"prosecutor", "attorney"},
                 "magistrate": {"magistrate", "judge"}, "judge": {"judge", "magistrate"},
                 "spokesman": {"spokesman", "spokeswoman", "spokesperson"},
                 "spokeswoman": {"spokesman", "spokeswoman", "spokesperson"},
                 "spokesperson": {"spokesman", "spokeswoman", "spokesperson"},
                 "lawyer": {"lawyer", "attorney", "counsel"},
                 "minister": {"minister", "secretary"}, "officer": {"officer", "agent"}}
TITLES = {"mr", "mrs", "ms", "dr", "prof", "minister", "ambassador", "commissioner",
          "president", "general", "colonel", "secretary", "judge", "senator", "governor",
          "chief", "inspector", "director", "deputy", "prime", "sir", "madam", "lt",
          "gen", "col", "capt", "sgt", "major", "premier", "mayor", "officer", "police",
          # ministry words in titles such as "Interior Minister" or "Minister of Interior"
          "interior", "foreign", "home", "justice", "defence", "defense", "finance",
          "immigration", "national", "of", "affairs", "state", "vice", "spokesman",
          "lieutenant", "superintendent", "detective", "assistant", "senior", "sergeant",
          "constable", "brigadier", "admiral", "captain", "attorney", "justice", "sheriff",
          "ambassador", "envoy", "councillor", "councilor", "rev", "father", "sister",
          "special", "agent", "magistrate", "u.s.", "us", "u", "s", "homeland", "security",
          "investigations", "federal", "chief", "acting", "associate",
          # ranks written short ("Det. Supt. Jane Hale", "Insp. Sok")
          "det", "supt", "insp", "cmdr", "adm", "brig", "cpl", "maj", "atty", "amb", "cllr",
          "sen", "rep", "gov", "hon", "mx"}
#: Titles that make an entity a person even when spaCy calls it an organisation.
RANKS = {"mr", "mrs", "ms", "dr", "prof", "minister", "ambassador", "commissioner",
         "general", "colonel", "lieutenant", "superintendent", "detective", "inspector",
         "sergeant", "captain", "senator", "governor", "judge", "president", "premier",
         "agent", "magistrate", "spokesperson", "spokesman", "spokeswoman"}
SENTENCE_STARTERS = {"the", "a", "an", "in", "on", "at", "but", "and", "when", "while",
                     "as", "after", "before", "if", "since", "for", "with", "by", "from",
                     "to", "of", "during", "meanwhile", "separately", "later", "then",
                     "this", "that", "these", "those", "it", "he", "she", "they", "we",
                     "according", "last", "next", "both", "also", "however", "yet", "so",
                     "what", "who", "whom", "whose", "which", "where", "why", "how", "said",
                     "says", "told", "added", "asked", "critics", "officials", "police"}
#: words that start no name: a title, a sentence opener, a role
_NOT_FIRST_NAME_WORDS = frozenset(TITLES | SENTENCE_STARTERS | set(ROLE_WORDS))
_AUXILIARIES = {"has", "have", "had", "was", "were", "is", "are", "will", "would", "also",
                "had", "been", "be", "then", "later", "once", "who", "which", "that"}
PRONOUNS_PERSON = {"he", "she", "him", "her"}
#: Nouns for a person the article does not name ("a 24-year-old Indonesian
#: woman, who asked not to be named, said …"), with the pronoun that can
#: refer back to them. Only nouns that say which: "a witness … he said" is
#: too weak a link to beat the named person the article follows.
PERSON_NOUNS = {
    "woman": "she", "girl": "she", "mother": "she", "wife": "she", "daughter": "she",
    "sister": "she", "grandmother": "she", "widow": "she", "businesswoman": "she",
    "man": "he", "boy": "he", "father": "he", "husband": "he", "son": "he",
    "brother": "he", "grandfather": "he", "businessman": "he",
}
_PRONOUN_GENDER = {"he": "he", "him": "he", "she": "she", "her": "she"}
#: Entity labels a name of a person is never inside (spaCy's small model
#: sometimes labels a lone first name EVENT or WORK_OF_ART).
_PLACES = {"ORG", "GPE", "NORP", "LOC", "FAC"}
_NOT_NAMES = {"PERSON", "DATE", "TIME", "CARDINAL", "ORDINAL", "MONEY", "PERCENT",
              "QUANTITY"}
_NOT_NAME_POS = {"PRON", "DET", "ADP", "CCONJ", "SCONJ", "ADV", "PART", "NUM", "PUNCT"}
PRONOUNS_SOURCE = {"it"}
PRONOUNS_PLURAL = {"they", "we", "i"}

#: "“…” — Commissioner Reece Kershaw": a dash then a name. A dash then words
#: in lower case goes on with the sentence ("his act—“…”—is wearing thin").
_AFTER_DASH = re.compile(r"^\s*[\u2014\u2013]+\s*(?P<subj>(?:[A-Z]|the\s|an?\s)[^\n.;]{0,79})")
_AFTER_SUBJ_VERB = re.compile(
    r"^\s*,?\s*(?P<subj>[^,;:\n\u201c\u201d\"]{1,80}?)\s+(?:also\s+|later\s+|then\s+|"
    r"further\s+|again\s+)?(?P<verb>" + _VERB + r")\b")
#: "“…,” Gene Sperling, a top outside Clinton adviser, said" / "“…,” Helen
#: Marsh, 47, told reporters": a description between the name and the verb.
_AFTER_APPOS_VERB = re.compile(
    r"^\s*,?\s*(?P<subj>(?:[A-Z][" + _W + r"\u2024\u2019'-]*\s+){0,4}"
    r"[A-Z][" + _W + r"\u2019'-]+),\s+"
    r"[^,;:\n\u201c\u201d\"]{1,90},\s+(?:also\s+|later\s+|then\s+)?(?P<verb>" + _VERB + r")\b")
_AFTER_VERB_SUBJ = re.compile(
    r"^\s*,?\s*(?P<verb>" + _VERB + r")\s+(?P<subj>[^,;.\n\u201c\u201d\"]{1,100}?)"
    r"(?=\s*(?:[,.;:!?]|$|\s(?:on|in|at|during|after|before|when|while|to|as|who|which|"
    r"that|from|last|this|earlier|later|yesterday|today|told)\b))")
_SENTENCE_SUBJ_VERB = re.compile(
    r"^\s*(?P<subj>[^,;:\n\u201c\u201d\"]{1,60}?)\s+(?:also\s+|later\s+|then\s+)?"
    r"(?P<verb>" + _VERB + r")\b")
_LEADING_HEAD = re.compile(
    r"^(?i:the|a|an)\s+(?:[" + _W + r"\u2019'-]+\s+){0,3}?(?:" + "|".join(
        re.escape(h) for h in ORGANISATION_HEADS + DOCUMENT_HEADS) + r")\b(?=\s*,)")
_AFTER_ACCORDING = re.compile(r"^\s*,?\s*according to (?P<subj>[^.;\n]{1,100})")
_BEFORE_ACCORDING = re.compile(r"\b[Aa]ccording to (?P<subj>[^\n]{1,120}?),\s*$")


def _before_subj_verb(verbs: str) -> re.Pattern:
    return re.compile(
        r"(?P<subj>[^.!?\n\u201c\u201d\"]{1,160}?)\s+(?:(?:also|then|later|has|have|had|"
        r"would|will|once|had\s+also|has\s+also)\s+)?"
        r"(?P<verb>" + verbs + r")(?:\s+(?:as|that|it|[" + _W + r"\u2019'-]+"
        r"(?:\s+[" + _W + r"\u2019'-]+){0,3}?))?"
        r"\s*(?P<colon>[:,])?\s*$")


_BEFORE_SUBJ_VERB = _before_subj_verb(_VERB)
_BEFORE_FRAGMENT = _before_subj_verb(_PARTIAL_VERB)
_DOC_PHRASE = re.compile(
    r"\b(?i:a|an|the|its|their|his|her)\s+(?P<phrase>(?:[" + _W + r"\u2019'-]+\s+){0,6}?(?i:"
    + "|".join(re.escape(h) for h in DOCUMENT_HEADS) + r"))\b"
    r"(?P<source>\s+(?:(?:from|by|of)\s+(?:the\s+)?[A-Z][" + _W + r"-]+"
    r"(?:\s+(?:of\s+|and\s+|for\s+)?[A-Z][" + _W + r"-]+){0,6}"
    r"|(?:from|by)\s+the\s+(?:" + "|".join(ORGANISATION_HEADS) + r")\b))?")
#: Words that cannot be inside a document's name: a phrase is cut after them.
_PHRASE_BREAKS = {"a", "an", "the", "in", "on", "at", "of", "to", "by", "its", "their",
                  "his", "her", "and", "with", "for", "that", "this"} | set(VERB_FORMS)
_DESCRIPTIVE = {"new", "latest", "recent", "annual", "joint", "separate", "official", "brief",
                "short", "long", "detailed", "preliminary", "final", "written", "earlier",
                "previous", "first", "second", "third", "last"}
#: Abbreviations whose full stop ends no sentence: honorifics and ranks
#: ("Mr. Smith said", "Maj. Sok Dara", "Det. Supt. Hale", "Rep. Tiberi") and
#: a middle initial ("Michael J. Petrilli"). The cue patterns read a copy of
#: the text with these stops masked, so a name is never cut at its title.
_ABBREVIATIONS = ("Mr|Mrs|Ms|Mx|Dr|Prof|Sen|Sens|Rep|Reps|Gov|Gen|Lt|Col|Maj|Capt|Sgt|Cpl|Det|"
                  "Supt|Insp|Cmdr|Adm|Brig|Rev|Fr|Hon|Pres|Atty|Jr|Sr|Ret|St|Gov|Sec|Amb|Cllr|"
                  "Const|PC|DC|DI|DS|DCI|Mt|No|Vol|Inc|Corp|Co|Ltd|Bros")
#: an abbreviation right before a full stop (searched up to the stop) …
_ABBREVIATION_BEFORE = re.compile(r"\b(?:" + _ABBREVIATIONS + r")$")
#: … and what must follow the stop
_ABBREVIATION_AFTER = re.compile(r"\s+[\w(]")
#: an initial's stop ("Michael J. Petrilli", "U.S. Attorney", "(R-Ky.)"),
#: matched at the stop
_INITIAL_STOP = re.compile(
    r"(?<=\b[A-Z])\.(?=\s+[A-Z][a-z])"
    r"|(?<=\b[A-Z])\.(?=[A-Z]\.)|(?<=\b[A-Z]\.[A-Z])\.(?=\s+[A-Z])"    # U.S. Attorney
    r"|(?<=\b[A-Z][a-z])\.(?=\))|(?<=\b[A-Z][a-z]{2})\.(?=\))")          # (R-Ky.), (D-Conn.)
_MASKED_STOP = "\u2024"     # one dot leader: same length, so offsets hold


def masked_text(text: str) -> str:
    """``text`` with the full stop of each abbreviation (see
    :data:`_ABBREVIATIONS`, :data:`_INITIAL_STOP`) replaced by a
    one-character dot leader.

    Only the full stops are looked at (each pattern is tried at a stop, the
    text before and after it in view), not every position of the text."""
    parts, done = [], 0
    at = text.find(".")
    while at != -1:
        if (_ABBREVIATION_BEFORE.search(text, max(0, at - 6), at)
                and _ABBREVIATION_AFTER.match(text, at + 1)) or _INITIAL_STOP.match(text, at):
            parts += [text[done:at], _MASKED_STOP]
            done = at + 1
        at = text.find(".", at + 1)
    return "".join(parts) + text[done:] if parts else text


_MONTH_DAY = re.compile(r"\b(?:January|February|March|April|May|June|July|August|"
                        r"September|October|November|December)\s+\d{1,2}\b\s*")


@dataclass(frozen=True)
class Speaker:
    """A resolved source."""

    name: str
    kind: str
    start: int | None = None      # the mention next to the cue
    end: int | None = None
    #: "named" when the cue's mention names the source, "resolved" when it
    #: refers back (he, it, the ambassador, the release)
    how: str = "named"


def _named_by_group(article, speaker: Speaker) -> bool:
    """Whether the cue's mention names the speaker only by a group's word (a
    NORP entity, a party or a nationality, inside the mention: "the
    Republican", "The Democratic presidential candidate") and that word is
    the speaker found: which member spoke, the cue does not say."""
    if speaker.kind != "organisation" or speaker.start is None or speaker.end is None:
        return False
    name = speaker.name.strip().casefold()
    return any(e.label_ == "NORP" and speaker.start <= e.start_char and
               e.end_char <= speaker.end and e.text.strip().casefold() == name
               for e in article.ents)


@dataclass
class _Event:
    offset: int
    speaker: Speaker
    pronoun: str = ""    # "he"/"she" for an unnamed person, who only a pronoun finds


#: A word of a name, apostrophes inside it kept (O'Neil, D’Souza).
_NAME_WORD = re.compile(f"[{_W}-]+(?:[\u2019'][{_W}-]+)*")


def _norm_tokens(text: str) -> list[str]:
    text = re.sub(r"[\u2019']s\b", "", text)
    # an apostrophe inside a name stays (O'Neil, D’Souza); around a word it goes
    return [t.strip("\u2019'") for t in re.findall(_NAME_WORD, text)]


#: A possessive token as spaCy splits it: 's, ’s, or a lone apostrophe
#: after a word ending in s (Reuters’).
_POSSESSIVE = re.compile(r"[\u2019']s?")


def _after_possessive(tokens: list) -> list:
    """The tokens after a possessive that follows the owner's name alone at
    the start (an outlet's or an employer's: "Reuters’ Jane Smith",
    "CNN's Anna Berg" → the name after it); all of them when there is none,
    when it is the last token (stripped later, at the end), when other words
    come before it ("Hana Kobayashi of Japan's police": she is the one
    named) or when no capitalised word follows it ("Sokha's lawyer")."""
    for i in range(1, len(tokens) - 1):
        token = tokens[i]
        if not (_POSSESSIVE.fullmatch(token.text) and (
                token.text[-1:] == "s" or tokens[i - 1].text.endswith("s"))):
            continue
        after = tokens[i + 1:]
        if all(t.is_title or t.is_upper for t in tokens[:i]) and \
                any(t.is_title for t in after):
            return after
        return tokens
    return tokens


class _Article:
    """What attribution needs to know about one parsed article."""

    def __init__(self, doc: Any, quotes: list[Quote]):
        self.doc, self.text = doc, doc.text
        self.masked = masked_text(self.text)
        self.ents = list(doc.ents)      # spaCy builds the spans on every access
        self._fullest: dict[str, str] = {}
        self.quote_spans = [(q.start - 1, q.end + 1) for q in quotes]
        # the same spans, overlapping ones joined, as sorted starts and ends:
        # a look-up is a bisection (a 100,000-character piece holds hundreds
        # of quotes, and the attribution asks thousands of times)
        self._quote_starts, self._quote_ends = [], []
        for start, end in sorted(self.quote_spans):
            if self._quote_ends and start <= self._quote_ends[-1]:
                self._quote_ends[-1] = max(self._quote_ends[-1], end)
            else:
                self._quote_starts.append(start)
                self._quote_ends.append(end)
        ranked = [e for e in self.ents if e.label_ != "PERSON" and self._person_in(e)]
        # a name the tagger calls an organisation, introduced as a person in
        # apposition to a role or a person noun ("A lawyer for the families,
        # Somchai Prasert, said"): a person, and so are its later mentions
        introduced = [e for e in self.ents if e.label_ == "ORG" and e not in ranked
                      and self._introduced_as_person(e)]
        ranked += introduced
        self.orgs = self._organisations([e for e in self.ents if e not in ranked and (
            e.label_ in ("ORG", "NORP", "GPE") or e.label_ == "PERSON"
            and self._ORG_JOINED.match(self.text[e.end_char:e.end_char + 60]))])
        # a "person" joined to an organisation ("Devon and Cornwall police") is none
        # (nor a rank alone: spaCy reads "Det." of "Det. Supt. Jane Hale" as a person)
        self._index_organisations()
        self.people = sorted([self._repair_person(e) for e in self.ents if e.label_ == "PERSON"
                              and not self._in_organisation(e.start_char, e.end_char)
                              and not all(t.is_punct or t.lower_.rstrip(".") in TITLES
                                          for t in e)]
                             + [self._person_in(e) for e in ranked if e not in introduced]
                             + [self._repair_person(e) for e in introduced])
        # any named thing, for the fullest name of "the commission" and the like
        self.named = [(e.start_char, self._clean(e.text)) for e in self.ents
                      if e.label_ not in _NOT_NAMES and e not in ranked]
        self.person_names = [name for _, _, name in self.people]
        # the names a mention may grow into: not those of a headline (title
        # case names anything: "Donor Adelson and Trump May be Aligning")
        # nor a "name" holding a verb or other lower-case word
        self._whole_names = [name for start, _, name in self.people
                             if not _in_title_case_line(self.text, start)
                             and all(map(_name_word, name.split()))]
        self.roles = self._roles()
        self.genders = self._genders()
        #: every document phrase of the text ("the ministry's statement"),
        #: found once: read again for each document a cue refers back to
        self._doc_phrases = list(_DOC_PHRASE.finditer(self.text))
        self.events = self._subject_events()

    _ORG_AND = re.compile(r"\s+and\s+$")
    _ORG_JOINED = re.compile(r"\s+and\s+[A-Z][" + _W + r"-]+(?:\s+[A-Z][" + _W + r"-]+)?\s+(?:"
                             + "|".join(ORGANISATION_HEADS) + r")\b", re.IGNORECASE)
    _ORG_HEAD_AFTER = re.compile(r"^\s+(?:" + "|".join(ORGANISATION_HEADS) + r")\b", re.IGNORECASE)

    def _organisations(self, ents) -> list[tuple[int, int, str]]:
        """Organisations kept whole: places joined by "and" and a head word
        after them are one organisation ("Devon and Cornwall police", "Thai
        police", "Cambodian Defence Ministry")."""
        found: list[list[int]] = []
        for ent in ents:
            start, end = ent.start_char, ent.end_char
            if ent.label_ == "PERSON":      # the first of "Devon and Cornwall police"
                found.append([start, end])
                continue
            if found and self._ORG_AND.match(self.text[found[-1][1]:start]):
                head = self._ORG_HEAD_AFTER.match(self.text[end:end + 30])
                if head or ent.root.lower_ in ORGANISATION_HEADS:
                    # "Devon and Cornwall police": one organisation
                    found[-1][1] = end + (head.end() if head else 0)
                    continue
            head = self._ORG_HEAD_AFTER.match(self.text[end:end + 30])
            if head and ent.label_ in ("GPE", "NORP"):
                end += head.end()
            found.append([start, end])
        return [(a, b, self._clean(self.text[a:b])) for a, b in found]

    @staticmethod
    def _clean(text: str) -> str:
        text = re.sub(r"[\u2019']s$", "", text.strip())
        text = re.sub(r"^(?:the|The)\s+", "", text)
        text = re.sub(r"\s+(?:and|of)$", "", text)
        return " ".join(text.split())

    @staticmethod
    def _introduced_as_person(ent) -> bool:
        """Whether an entity is a name (capitalised words, no organisation
        head) standing in apposition to a role or a person noun."""
        head = ent.root.head.lower_
        return (ent.root.dep_ == "appos" and (head in ROLE_WORDS or head in PERSON_NOUNS)
                and all(t.is_title for t in ent) and len(ent) <= 4
                and not any(t.lower_ in ORGANISATION_HEADS for t in ent))

    def _person_in(self, ent) -> tuple[int, int, str] | None:
        """A titled name inside a non-person entity ("Police Lieutenant General
        Anuchit Prasertsuk" tagged ORG): the name after the last rank."""
        tokens = list(ent)
        ranks = [i for i, t in enumerate(tokens) if t.text.lower().rstrip(".") in RANKS]
        if not ranks or ranks[-1] + 1 >= len(tokens):
            return None
        name = tokens[ranks[-1] + 1:]
        if not all(t.is_title and t.lower_ not in ORGANISATION_HEADS for t in name):
            return None
        return name[0].idx, name[-1].idx + len(name[-1].text), " ".join(t.text for t in name)

    def _repair_person(self, ent) -> tuple[int, int, str]:
        """Strip titles and an owner before a possessive (``Reuters’ Jane
        Smith``, ``Twitter's Adam Sharp``: the person is the words after
        it); take in a capitalised word that starts the sentence right
        before the name (``Am Sam Ath`` tagged as ``Sam Ath``)."""
        tokens = _after_possessive(list(ent))
        while tokens and tokens[0].text.lower().rstrip(".") in TITLES and len(tokens) > 1:
            tokens = tokens[1:]
        start = tokens[0].i
        previous = self.doc[start - 1] if start > 0 else None
        if (previous is not None and previous.is_title and previous.is_sent_start
                and previous.pos_ not in _NOT_NAME_POS
                and previous.text.lower() not in SENTENCE_STARTERS
                and previous.text.lower().rstrip(".") not in TITLES
                and not previous.text.endswith(".") and len(previous.text) <= 6):
            start -= 1
        span = self.doc[start:tokens[-1].i + 1]
        return span.start_char, span.end_char, self._clean(span.text)

    def _index_organisations(self) -> None:
        """Organisations by start, with the furthest end reached so far: "is
        this mention inside an organisation's name" is then a bisection."""
        by_start = sorted((a, b) for a, b, _ in self.orgs)
        self._org_starts = [a for a, _ in by_start]
        self._org_reach = list(itertools.accumulate((b for _, b in by_start), max))

    def _in_organisation(self, start: int, end: int) -> bool:
        """Whether an organisation's name begins at or before ``start`` and
        runs past ``end`` (the first place of "Devon and Cornwall police")."""
        at = bisect_right(self._org_starts, start) - 1
        return at >= 0 and self._org_reach[at] > end

    def inside_quote(self, offset: int) -> bool:
        """Whether ``offset`` lies in a quote or on its marks."""
        at = bisect_right(self._quote_starts, offset) - 1
        return at >= 0 and offset < self._quote_ends[at]

    def fullest_person(self, mention: str) -> str:
        """The longest name in the article containing ``mention``'s words.

        Looks at the people spaCy found and at capitalised words written
        right before the mention anywhere in the text (``Minister of
        Interior Sar Sokha`` gives ``Sar Sokha`` for ``Sokha``). Remembered
        per mention: the people of the article are known from the start.
        """
        if mention not in self._fullest:
            self._fullest[mention] = self._find_fullest_person(mention)
        return self._fullest[mention]

    def _find_fullest_person(self, mention: str) -> str:
        words = _norm_tokens(mention)
        if not words:
            return mention
        candidates = [_norm_tokens(name) for name in self._whole_names]
        text, target = self.text, " ".join(words)
        # each place the mention is written, and the one or two capitalised
        # words right before it (found from the mention back, not by a
        # pattern per mention tried at every position of the text)
        at, taken = text.find(target), 0
        while at != -1:
            end = at + len(target)
            # (words already taken into the name before are not this one's)
            found = _CAPITALISED_BEFORE.search(text, max(taken, at - 60), at) \
                if _BOUNDARY.match(text, end) else None
            at = text.find(target, end)
            if found is None:
                continue
            taken = end
            if _in_title_case_line(text, found.start()):
                continue
            before = found.group().split()
            # "He's Donald Trump", "Times' Ben Sisario": no part of a name
            before = before[next((i + 1 for i in range(len(before) - 1, -1, -1)
                                  if _CONTRACTION.search(before[i])), 0):]
            while before and before[0].lower() in _NOT_FIRST_NAME_WORDS:
                before = before[1:]
            if before and not any(w.lower() in TITLES for w in before):
                candidates.append(before + words)
        best, n = words, len(words)
        for name_words in candidates:
            if any(name_words[i:i + n] == words for i in range(len(name_words) - n + 1)) \
                    and len(name_words) > len(best):
                best = name_words
        return " ".join(best)

    def _roles(self) -> list[tuple[int, str, str]]:
        """(offset, role word, person) for people introduced with a role."""
        found = []
        for start, end, name in self.people:
            before = self.text[max(0, start - 60):start].lower()
            # only the words leading up to the name: not across a paragraph
            # break or a quote mark ("“Judge,” Brafman said" names no judge)
            before = before[max(before.rfind(mark) for mark in "\n\u201c\u201d\"") + 1:]
            after = self.text[end:end + 80].lower()
            words = re.findall(r"[a-z]+", before)[-5:]
            appositive = re.match(r"^,\s+(?:a|an|the)?\s*([a-z\s-]{0,60}?)(?:,| at | of | for )",
                                  after)
            if appositive:
                words += re.findall(r"[a-z]+", appositive.group(1))
            for word in words:
                if word in ROLE_WORDS:
                    found.append((start, word, self.fullest_person(name)))
        return found

    def _genders(self) -> dict[str, str]:
        """"he" or "she" for the people the article tells it of: an honorific
        (Mr., Mrs., Ms., Sir, Dame) before a mention, else the first he/she/
        his/her after their mention as the subject of a sentence naming nobody
        else. Pronouns then skip people of the other gender."""
        honorifics = {"mr": "he", "sir": "he", "mrs": "she", "ms": "she", "miss": "she",
                      "dame": "she", "lady": "she"}
        pronouns = {"he": "he", "his": "he", "him": "he", "she": "she", "her": "she"}
        found: dict[str, str] = {}
        # sentences as token ranges, and how many people each names (ent.sent
        # walks the tokens on every call)
        bounds = [(sent.start, sent.end) for sent in self.doc.sents]
        starts = [b[0] for b in bounds]
        people_in: dict[int, int] = {}
        for ent in self.ents:
            if ent.label_ == "PERSON":
                key = bisect_right(starts, ent.start) - 1
                people_in[key] = people_in.get(key, 0) + 1
        surnames: dict[str, set[str]] = {}
        for other in self.person_names:
            tokens = _norm_tokens(other)
            if len(tokens) > 1:
                surnames.setdefault(tokens[-1], set()).add(other)
        for ent in self.ents:
            if ent.label_ != "PERSON" or self.inside_quote(ent.start_char):
                continue
            name = self.fullest_person(self._repair_person(ent)[2])
            words = [t.lower_.rstrip(".") for t in ent[:2]]
            if ent.start > 0:
                words.insert(0, self.doc[ent.start - 1].lower_.rstrip("."))
            title = next((honorifics[w] for w in words if w in honorifics), None)
            if title is None and ent.root.dep_ == "appos":     # "His wife, Sok Channary"
                title = PERSON_NOUNS.get(ent.root.head.lower_)
            last = (_norm_tokens(name) or [""])[-1]
            if len(surnames.get(last, ())) > 1 and len(_norm_tokens(ent.text)) == 1:
                continue        # "Mrs. Smith" with two Smiths: not this name's evidence
            if title:
                found.setdefault(name, title)
                continue
            sentence = bisect_right(starts, ent.start) - 1
            if ent.root.dep_ in _SUBJECT_DEPS and name not in found and \
                    people_in.get(sentence) == 1:
                # a subject or possessive pronoun; an object pronoun in the same
                # clause ("Rith sat beside her") is someone else
                after = next((pronouns[t.lower_] for t in self.doc[ent.end:bounds[sentence][1]]
                              if t.lower_ in pronouns and t.dep_ in ("nsubj", "nsubjpass", "poss")
                              and not self.inside_quote(t.idx)), None)
                if after:
                    found[name] = after
        return found

    def _subject_events(self) -> list[_Event]:
        """People and sources the article puts forward, in text order."""
        events = []
        for ent in self.ents:
            if self.inside_quote(ent.start_char) or (
                    ent.label_ == "PERSON" and self._in_organisation(ent.start_char, ent.end_char)):
                continue     # inside a quote, or the first place of "Devon and Cornwall police"
            root = ent.root
            if ent.label_ == "PERSON" and (
                    root.dep_ in ("nsubj", "nsubjpass")
                    # "X's daughter, Y, said …": the apposition is the subject, the
                    # possessor is not
                    or (root.dep_ == "appos" and root.head.dep_ in _SUBJECT_DEPS)
                    # a person introduced by a description, wherever it stands
                    # ("Officers interviewed a released worker, Li Wei, 27.":
                    # the parse seldom makes the name the noun's apposition)
                    or self._introduced(ent)
                    or (ent.start == ent.sent.start and root.dep_ != "poss")):
                name = self.fullest_person(self._repair_person(ent)[2])
                events.append(_Event(ent.start_char, Speaker(name, "person")))
                # coordinated subjects, "X and Y met …": a later "they" is both
                others = [self._person_at(c) for c in ent.root.children if c.dep_ == "conj"]
                others = [o for o in others if o]
                if ent.root.dep_ in _SUBJECT_DEPS and others:
                    events.append(_Event(ent.start_char + 1, Speaker(
                        " and ".join([name, *others]), "person"), "they"))
        # a proper-noun subject of a reporting verb the entity tagger missed
        # ("Detective Constable Ian Pearce, who led the inquiry, said …"), and a
        # role subject named by its apposition whatever the tagger called the name
        # ("Cambodia’s national police chief, Sar Thet, met …")
        for token in _subjects(self.doc):
            if token.dep_ in _SUBJECT_DEPS and (token.lower_ in ROLE_WORDS
                                                or token.lower_ in PERSON_NOUNS) \
                    and not self.inside_quote(token.idx):
                named = [c for c in token.rights if c.dep_ == "appos" and c.pos_ == "PROPN"]
                if named and named[0].ent_type_ != "PERSON":
                    first, last = _subject_extent(self, named[0])
                    name = self.fullest_person(self._clean(self.text[first:last]))
                    events.append(_Event(first, Speaker(name, "person")))
                    if token.lower_ in PERSON_NOUNS:     # "The victim's mother, Sreymom,"
                        self.genders.setdefault(name, PERSON_NOUNS[token.lower_])
                continue
            if token.dep_ in _SUBJECT_DEPS and token.pos_ == "PROPN" and not token.ent_type_ \
                    and token.head.text.lower() in _REPORTING_FORMS \
                    and not self.inside_quote(token.idx):
                first, last = _subject_extent(self, token)
                words = self.text[first:last].split()
                while len(words) > 1 and words[0].lower().rstrip(".") in TITLES:
                    words = words[1:]
                if all(w[:1].isupper() for w in words):
                    events.append(_Event(first, Speaker(
                        self.fullest_person(self._clean(" ".join(words))), "person")))
        for chunk in self._subject_chunks():
            events.append(chunk)
        for ent in self.ents:
            if ent.label_ == "ORG" and ent.root.dep_ in ("nsubj", "nsubjpass") \
                    and not self.inside_quote(ent.start_char) and not self._person_in(ent):
                events.append(_Event(ent.start_char, Speaker(
                    self._fullest_org(self._clean(ent.text)), "organisation")))
        for match in self._doc_phrases:
            # "X said in a statement": the statement is X's channel, not a source
            channel = re.search(r"\b(?:said|says|announced|added|wrote)\s+in\s+$",
                                self.text[max(0, match.start() - 20):match.start()]) or \
                re.search(r"\b(?:said|says|announced|added|wrote|stated)\s+in\s+\w+\s",
                          match.group("phrase"))
            if not self.inside_quote(match.start()) and not channel:
                offset = match.start("phrase")
                events.append(_Event(offset, Speaker(
                    self._document_for(self._document_name(match).lower(), offset + 1),
                    "document")))
        events.sort(key=lambda e: e.offset)
        return events

    def _introduced(self, ent) -> bool:
        """Whether a person's name stands in apposition to a noun right
        before it: "…, a released worker, Li Wei, 27." (comma, name, then a
        comma or the sentence's end)."""
        doc, start, end = self.doc, ent.start, ent.end
        if start < 2 or doc[start - 1].text != "," or doc[start - 2].pos_ != "NOUN":
            return False
        return end >= len(doc) or doc[end].text in (",", ".", ";")

    def _person_at(self, token) -> str | None:
        """The fullest name of the person whose name holds ``token``, if any."""
        for start, end, name in self.people:
            if start <= token.idx < end:
                return self.fullest_person(name)
        return None

    @staticmethod
    def _unnamed_person(text: str) -> str:
        """How an unnamed person is called: the phrase without its article or
        possessive ("A 24-year-old Indonesian woman" → "24-year-old Indonesian
        woman")."""
        return re.sub(r"^(?i:a|an|the|one|another|his|her|their)\s+", "", text.strip())

    def _subject_chunks(self) -> list[_Event]:
        """Organisations and unnamed people put forward as subjects without
        being named entities: "The Chinese Embassy in Bangkok welcomed …",
        "The department said …", "A 24-year-old woman … said"."""
        found = []
        try:
            chunks = list(self.doc.noun_chunks)
        except ValueError:      # no parser (the degraded pipeline)
            return found
        for chunk in chunks:
            head = chunk.root.text.lower()
            if chunk.root.dep_ not in ("nsubj", "nsubjpass") or self.inside_quote(chunk.start_char):
                continue
            named = any(c.dep_ == "appos" and (c.ent_type_ == "PERSON" or c.pos_ == "PROPN")
                        for c in chunk.root.children)    # "His wife, Sok Channary," is named
            if chunk.root.tag_ == "NNS" and head not in ORGANISATION_HEADS and not named \
                    and chunk.root.head.text.lower() in _REPORTING_FORMS \
                    and chunk.root.ent_type_ == "" and not any(
                        s < chunk.end_char and chunk.start_char < e for s, e, _ in self.orgs):
                # a group put forward as a subject ("Residents said …"): a later "they"
                # is them rather than an organisation named before
                found.append(_Event(chunk.start_char, Speaker(
                    self._unnamed_person(chunk.text), "person"), "they"))
                continue
            if head in PERSON_NOUNS and chunk.root.tag_ == "NN" and not named \
                    and not any(s < chunk.end_char and chunk.start_char < e
                                for s, e, _ in self.people):
                found.append(_Event(chunk.start_char, Speaker(
                    self._unnamed_person(chunk.text), "person"), PERSON_NOUNS[head]))
                continue
            if head not in ORGANISATION_HEADS:
                continue
            extent = chunk.end_char
            place = re.match(r"\s+(?:in|of|for)\s+(?:the\s+)?[A-Z][" + _W + r"-]+"
                             r"(?:\s+[A-Z][" + _W + r"-]+)*",
                             self.text[extent:])
            if place:
                extent += place.end()
            name = self._clean(self.text[chunk.start_char:extent])
            if name.lower() == head:
                name = self._organisation_for(head, chunk.start_char + 1)
            found.append(_Event(chunk.start_char, Speaker(name, "organisation")))
        return found

    def _document_name(self, match: re.Match) -> str:
        """A document's name from a phrase match: no determiner, date or
        adjective; an owner's possessive becomes "from": "the department's
        statement" → "statement from the Department of Foreign Affairs"."""
        words = match.group("phrase").split()
        cut = max((i + 1 for i, w in enumerate(words[:-1]) if w.lower() in _PHRASE_BREAKS),
                  default=0)
        words = words[cut:]
        owner = ""
        possessive = max((i for i, w in enumerate(words[:-1])
                          if re.search(r"[\u2019']s$", w)), default=None)
        if possessive is not None:
            owned = " ".join(words[:possessive + 1])[:-2]
            head = owned.split()[-1].lower()
            owner = " from the " + (self._organisation_for(head, match.start())
                                    if head in ORGANISATION_HEADS else owned)
            words = words[possessive + 1:]
        while len(words) > 1 and (words[0].lower() in _DESCRIPTIVE or words[0].isdigit()):
            words = words[1:]
        name = " ".join(words) + (match.group("source") or "") + owner
        return " ".join(_MONTH_DAY.sub("", name).split())

    # -- resolution ----------------------------------------------------
    def _near(self, speaker: Speaker, offset: int) -> bool:
        """Whether ``speaker`` was put forward in the paragraph of ``offset``
        or the one before it."""
        para = _paragraph_bounds(self.text, offset)[0]
        earlier = _paragraph_bounds(self.text, _previous_paragraph_end(self.text, para))[0] \
            if para > 0 else para
        return any(e.speaker == speaker and earlier <= e.offset < offset for e in self.events)

    def latest(self, before: int, kinds: tuple[str, ...], pronoun: str = "") -> Speaker | None:
        """The last speaker of these kinds put forward before ``before``; a
        pronoun skips people whose noun says otherwise ("she" ≠ "the man")."""
        fallback = None
        para = _paragraph_bounds(self.text, before)[0]
        window = _paragraph_bounds(self.text, _previous_paragraph_end(self.text, para))[0] \
            if para > 0 else 0
        for event in reversed(self.events):
            if event.offset < before and event.speaker.kind in kinds \
                    and (event.pronoun == pronoun or (not event.pronoun and pronoun != "they")) \
                    and self.genders.get(event.speaker.name, pronoun) == pronoun:
                if pronoun not in ("he", "she") or event.pronoun or \
                        event.speaker.name in self.genders:
                    # the nearest whose gender is known to fit, within this and
                    # the previous paragraph, beats a nearer one of unknown gender
                    if fallback is None or event.offset >= window:
                        return event.speaker
                    return fallback
                if fallback is None:
                    fallback = event.speaker
        return fallback

    def resolve(self, start: int, end: int) -> Speaker | None:
        """The speaker a subject phrase ``text[start:end]`` refers to."""
        text = self.text
        while start < end and not text[start].isalnum():
            start += 1
        while end > start and not text[end - 1].isalnum():
            end -= 1
        if start >= end:
            return None
        phrase = text[start:end]
        lower = phrase.lower()
        words = lower.split()
        lead = _LEADING_HEAD.match(phrase)
        if lead and len(words) > 2:   # "The bank, which the NCA declined to name,"
            return self.resolve(start, start + lead.end())
        # (not a person named inside a quoted title before the cue: '"Sam
        # Mendes leaves …," by Michael Paulson:')
        inside = [(p_start, p_end, name) for p_start, p_end, name in self.people
                  if p_start < end and start < p_end and not self.inside_quote(p_start)]
        if inside:
            p_start, p_end, name = self._head_person(inside)
            subject = self._proper_subject(start, end) \
                if self._person_rank((p_start, p_end, name)) <= 0 else None
            extent = _subject_extent(self, subject) if subject is not None else None
            if extent and not any(a < extent[1] and extent[0] < b for a, b, _ in inside):
                # every person named is a modifier or an object ("After Tanden
                # informed Soros …, Tanden wrote"): the proper noun the parse makes
                # the subject, though the entity tagger missed it
                first, last = extent
                return Speaker(self.fullest_person(self._clean(self.text[first:last])),
                               "person", first, last)
            return Speaker(self._person_by_honorific(name, p_start), "person", p_start, p_end)
        if words[-1] in PRONOUNS_PERSON or lower in PRONOUNS_PERSON:
            found = self.latest(start, ("person",), _PRONOUN_GENDER[words[-1]])
            return replace(found, start=start, end=end, how="resolved") if found else None
        if lower in PRONOUNS_SOURCE or words[-1] in PRONOUNS_SOURCE:
            found = self.latest(start, ("document", "organisation"))
            return replace(found, start=start, end=end, how="resolved") if found else None
        for head in DOCUMENT_HEADS:
            if lower.endswith(head):
                found = self._document_for(head, start)
                return Speaker(found, "document", start, end,
                               "named" if found.lower() == lower else "resolved")
        role = next((w for w in reversed(words) if w in ROLE_WORDS), None)
        if role and not any(w[:1].isupper() for w in phrase.split()[1:]):
            accepted = ROLE_SYNONYMS.get(role, {role})
            person = next((p for o, r, p in reversed(self.roles)
                           if r in accepted and o < start), None)
            if person:
                return Speaker(person, "person", start, end, "resolved")
        known = {w for name in self.person_names for w in _norm_tokens(name)}
        named = [w for w in _norm_tokens(phrase) if w in known and w[:1].isupper()]
        if named:
            first = start + phrase.index(named[0])
            last = start + phrase.rindex(named[-1]) + len(named[-1])
            return Speaker(self.fullest_person(" ".join(named)), "person", first, last)
        span = self.doc.char_span(start, end, alignment_mode="expand")
        # "Twitter's Adam Sharp said": the name after the possessive
        names = [t for t in _after_possessive(list(span or ()))
                 if t.pos_ == "PROPN" and t.ent_type_ not in _PLACES
                 and t.is_title and t.text.lower() not in TITLES | SENTENCE_STARTERS]
        if names and not any(o_start < end and start < o_end for o_start, o_end, _ in self.orgs
                             if o_start <= names[0].idx < o_end):
            first, last = names[0].idx, names[-1].idx + len(names[-1].text)
            run = [t.text for t in names if first <= t.idx <= last]
            return Speaker(self.fullest_person(" ".join(run)), "person", first, last)
        orgs = [o for o in self.orgs if o[0] < end and start < o[1]]
        if orgs:     # "The Israeli newspaper Haaretz": the subject, not its modifier
            o_start, o_end, name = self._head_person(orgs)
            span = self.doc.char_span(o_start, o_end, alignment_mode="expand")
            if span is not None and span.root.dep_ == "appos" and \
                    span.root.head.lower_ in ROLE_WORDS:
                # "the national police chief, Sar Thet," — a person whatever the tagger said
                return Speaker(self.fullest_person(name), "person", o_start, o_end)
            if words[-1] in ROLE_WORDS and o_end < end and len(words) <= 5:
                # "a Chinese police spokesman said": a person of the organisation
                return Speaker(self._unnamed_person(phrase), "person", start, end)
            possessive = re.match(r"[\u2019']s?\s", self.text[o_end:o_end + 3])
            if possessive and o_end + possessive.end() < end and any(
                    lower.endswith(h) for h in ORGANISATION_HEADS):
                # "China's embassy": the embassy speaks, not China
                return Speaker(self._clean(phrase), "organisation", start, end)
            return Speaker(self._fullest_org(name), "organisation", o_start, o_end)
        head = next((h for h in ORGANISATION_HEADS if lower.endswith(h)), None)
        if head:
            return Speaker(self._organisation_for(head, start), "organisation", start, end)
        if lower == "they":
            # two people put forward together in this or the paragraph before
            found = self.latest(start, ("person",), "they")
            if found and self._near(found, start):
                return replace(found, start=start, end=end, how="resolved")
            # else an organisation spoken of as a body, put forward as a subject here
            # or in the paragraph before ("Police raided …. “…,” they said")
            found = self.latest(start, ("organisation",))
            if found and self._near(found, start):
                return replace(found, start=start, end=end, how="resolved")
        if lower in PRONOUNS_PLURAL or len(words) > 4:
            return None   # not a name: rather no speaker than a clause
        return Speaker(self._clean(phrase), "unknown", start, end)

    def _head_person(self, people: list[tuple[int, int, str]]) -> tuple[int, int, str]:
        """Of several people in a cue's phrase, the one it is about: a
        subject (or its apposition) over a modifier or an object — "Clinton
        spokesman Josh Schwerin", "Carson’s business manager, Armstrong
        Williams", "Asked by Stephanopoulos …, Carson", "said Ayotte campaign
        manager Jon Kohan" — the first among equals."""
        if len(people) == 1:
            return people[0]

        best = max(self._person_rank(p) for p in people)
        # among equals the last: the name nearest the verb ("Of Carson, Levine, …, said")
        return [p for p in people if self._person_rank(p) == best][-1]

    _HONORIFIC_GENDER = {"mr": "he", "sir": "he", "mrs": "she", "ms": "she", "miss": "she",
                         "dame": "she", "lady": "she"}

    def _honorific_before(self, offset: int) -> str | None:
        """"he"/"she" from an honorific written right before ``offset``."""
        word = re.search(r"(\w+)[.\u2024]?\s+$", self.text[max(0, offset - 8):offset])
        return self._HONORIFIC_GENDER.get(word.group(1).lower()) if word else None

    def _person_by_honorific(self, name: str, offset: int) -> str:
        """The fullest name of a mention; of two people sharing a surname
        ("John Smith and his wife Mary Smith … Mrs. Smith said"), the one the
        honorific before the mention fits."""
        full = self.fullest_person(name)
        gender = self._honorific_before(offset)
        if gender is None or self.genders.get(full) == gender:
            return full
        last = _norm_tokens(name)[-1:]
        fits = [n for n in dict.fromkeys(self.fullest_person(p) for p in self.person_names)
                if _norm_tokens(n)[-1:] == last and self.genders.get(n) == gender]
        return fits[-1] if len(fits) == 1 else full

    def _person_rank(self, person: tuple[int, int, str]) -> int:
        """3: a subject (or its apposition); 1: anything else; 0: a modifier
        or an object; -1: inside a clause about someone else."""
        span = self.doc.char_span(person[0], person[1], alignment_mode="expand")
        if span is None:
            return 1
        root = span.root
        if any(t.dep_ in ("relcl", "acl", "advcl") for t in [root, *root.ancestors]
               if t.i < root.i or t is root):
            return -1      # inside a clause about someone else
        if root.dep_ in _SUBJECT_DEPS or (root.dep_ == "appos"
                                          and root.head.dep_ in _SUBJECT_DEPS):
            return 3
        if root.dep_ in ("compound", "poss", "pobj", "dobj", "dative", "agent", "npadvmod"):
            return 0       # "Clinton spokesman", "Carson’s manager", "by Ingraham"
        return 1

    def _proper_subject(self, start: int, end: int):
        """A proper noun in ``text[start:end]`` that is the subject of a
        reporting verb, outside quotes; the last one."""
        span = self.doc.char_span(start, end, alignment_mode="expand")
        found = [t for t in span or () if t.dep_ in _SUBJECT_DEPS and t.pos_ == "PROPN"
                 and t.head.text.lower() in _REPORTING_FORMS and not self.inside_quote(t.idx)]
        return found[-1] if found else None

    def _document_for(self, head: str, before: int) -> str:
        """The fullest name of the latest earlier document ending in ``head``.

        ``the release`` after ``a June 16 press release from the ministry``
        is the ``press release from the ministry``.
        """
        best = head
        head_word = head.split()[-1]
        for match in self._doc_phrases_before(before):
            name = self._document_name(match)
            base = match.group("phrase").lower()
            if base.endswith(head_word) and len(name) >= len(best):
                best = name
        return best

    def _doc_phrases_before(self, before: int) -> Iterator[re.Match]:
        """The document phrases of ``text[:before]``, as a search of that
        much of the text finds them: the phrases of the whole text that end
        by then (such a match is the same in the shorter text), then the rest
        up to ``before`` searched again (where the text's end may end a
        phrase, or cut one short)."""
        searched = 0
        for match in self._doc_phrases:
            if match.end() > before:
                break
            searched = match.end()
            yield match
        yield from _DOC_PHRASE.finditer(self.text, searched, before)

    def _organisation_for(self, head: str, before: int) -> str:
        """The organisation "the <head>" refers to: the nearest earlier mention
        that fits, kept whole ("the office" → "state prosecutors' office",
        "police" → "Devon and Cornwall police"): a named entity holding the
        head word, else the words written before the head (possessives and
        "X and Y" included, no sentence opener)."""
        best = head
        heads = ORGANISATION_SYNONYMS.get(head, (head,))
        mentions = [(o[0], o[2]) for o in self.orgs] + [
            (start, name) for start, name in self.named       # not part of an org's name
            if not any(a <= start < b for a, b, _ in self.orgs)]
        for o_start, name in sorted(mentions):
            if o_start < before and any(re.search(r"\b" + re.escape(h) + r"\b", name.lower())
                                        for h in heads) \
                    and len(name) > len(head) and not self.inside_quote(o_start):
                best = name             # the nearest: later mentions replace earlier ones
        if best == head:
            pattern = re.compile(
                r"\b(?:the\s+)?((?:[" + _W + r"\u2019'-]+\s+(?:and\s+)?){0,3}"
                + re.escape(head) + r")\b",
                re.IGNORECASE)
            for match in pattern.finditer(self.text[:before]):
                candidate = match.group(1)
                words = candidate.split()
                while words and words[0].lower() in SENTENCE_STARTERS | {"and"}:
                    words = words[1:]
                if len(words) > 1 and not self.inside_quote(match.start(1)):
                    best = " ".join(words)
        return self._clean(best)

    def _fullest_org(self, name: str) -> str:
        best = name
        for _, _, other in self.orgs:
            if name in other and len(other) > len(best) and len(other) < 60:
                best = other
        return best


#: lower-case words that belong inside names ("Ludwig van Beethoven",
#: "Mohammed al-Hakim", "Valéry d'Estaing")
NAME_PARTICLES = frozenset({"af", "al", "av", "bin", "binti", "d", "da", "de", "degli", "dei",
                            "del", "della", "den", "der", "di", "dos", "du", "el", "ibn", "la",
                            "le", "ten", "ter", "van", "von", "y", "zu"})


def _name_word(word: str) -> bool:
    """Whether ``word`` may stand in a person's name: capitalised, or a
    particle (also joined: "al-Hakim", "d'Estaing")."""
    return word[:1].isupper() or re.split(r"[-\u2019']", word)[0] in NAME_PARTICLES
#: one or two capitalised words (and the space after them) up to where the
#: search ends; a word boundary
_CAPITALISED_BEFORE = re.compile(r"(?:\b[A-Z][a-z" + _MARKS + r"\u2019'-]+\s+){1,2}$")
_BOUNDARY = re.compile(r"\b")
#: a contraction or a possessive ("He's", "Journal's", "Times'")
_CONTRACTION = re.compile(r"[\u2019'](?:s|re|ll|d|ve|m|t)?$")
_TITLE_CASE_SMALL_WORD = re.compile(r"(?<=\w )(?:And|As|At|By|For|From|In|Of|On|The|To|With)\b")
_LONG_WORD = re.compile(r"[^\W\d_][" + _W + r"\u2019'-]{3,}")


def _in_title_case_line(text: str, offset: int) -> bool:
    """Whether ``offset`` lies in a headline-like line: at least three words
    of four letters or more, every one capitalised (running text has
    lower-case verbs and nouns among its long words), and either short
    (14 words at most) or with small words capitalised inside it ("… Between
    Marco Rubio And Rand Paul At The GOP Debate"): a long sentence listing
    officials' titles is no headline."""
    start = text.rfind("\n", 0, offset) + 1
    end = text.find("\n", offset)
    line = text[start:end if end >= 0 else len(text)]
    words = _LONG_WORD.findall(line)
    if len(words) < 3 or not all(w[0].isupper() for w in words):
        return False
    return len(line.split()) <= 14 or len(_TITLE_CASE_SMALL_WORD.findall(line)) >= 2


def _paragraph_bounds(text: str, offset: int) -> tuple[int, int]:
    start = text.rfind("\n", 0, offset) + 1
    end = text.find("\n", offset)
    return start, (len(text) if end < 0 else end)


def _previous_paragraph_end(text: str, para_start: int) -> int:
    """An offset inside the paragraph before the one starting at ``para_start``."""
    position = para_start - 1
    while position > 0 and text[position].isspace():
        position -= 1
    return max(position, 0)


def _sentence_end(text: str, start: int, limit: int) -> int:
    match = re.search(r"[.!?](?=\s|$)", text[start:limit])
    return start + match.end() if match else limit


def _after_close(text: str, end: int) -> int:
    """Where the text after a quote starts: past its closing mark, also a
    spaced one (`table, " said`)."""
    match = re.match(r" ?[\u201d\"\u2019\u201c]", text[end:end + 2])
    return end + match.end() if match else end


def _find_cue(article: _Article, quote: Quote):
    """``(subject start, subject end, cue)`` for a quote, or None."""
    text = article.masked
    close = _after_close(text, quote.end)
    _, para_end = _paragraph_bounds(text, max(quote.end - 1, 0))
    after_end = _sentence_end(text, close, para_end)
    after = text[close:after_end]
    deferred = None
    for pattern in (_AFTER_DASH, _AFTER_ACCORDING, _AFTER_SUBJ_VERB, _AFTER_APPOS_VERB,
                    _AFTER_VERB_SUBJ):
        match = pattern.match(after)
        if match and match.group("subj").strip():
            cue = match.groupdict().get("verb") or (
                "according to" if pattern is _AFTER_ACCORDING else "\u2014")
            subj = match.group("subj")
            if pattern is _AFTER_SUBJ_VERB and len(subj.split()) > 8:
                continue
            found = close + match.start("subj"), close + match.end("subj"), cue
            if pattern is _AFTER_SUBJ_VERB and quote.text.rstrip().endswith(".") \
                    and len(subj.split()) > 2:
                # a full stop ends the quote's sentence: "X called him “… amnesty.”
                # Former governor Mike Huckabee called …" — a cue before the quote wins
                deferred = found
                break
            return found
    found = _find_cue_before(article, quote)
    if found is None and deferred is None:
        found = _find_cue_late(article, quote, after, close)
    return found if found is not None else deferred


#: The sentence a quote opens ends with its cue after other words: "“… They
#: don't have a choice” but to take the lead in advertising, says Evan Tracey,
#: a consultant." / "“…” is how it works, Tracey said."
_LATE_VERB_SUBJ = re.compile(
    r",\s+(?P<verb>" + _VERB + r")\s+(?P<subj>[^,;.\n\u201c\u201d\"]{1,100}?)"
    r"(?=\s*(?:[,.;:!?]|$|\s(?:on|in|at|during|after|before|when|while|to|as|who|which|"
    r"that|from|last|this|earlier|later|yesterday|today|told)\b))")
_LATE_SUBJ_VERB = re.compile(
    r",\s+(?P<subj>(?:[" + _W + r"\u2024\u2019'-]+\s+){0,5}?[" + _W + r"\u2024\u2019'-]+)"
    r"\s+(?P<verb>" + _VERB
    + r")\s*[.!?]?\s*$")


def _find_cue_late(article: _Article, quote: Quote, after: str, close: int):
    """A cue ending the sentence that the quote opens, after other words
    (see :data:`_LATE_VERB_SUBJ`). Only for a quote that opens its sentence:
    a quote inside a sentence belongs to the cue before it."""
    text = article.masked
    para_start, _ = _paragraph_bounds(text, quote.start - 1)
    before = text[para_start:max(para_start, quote.start - 1)]
    if before.strip() and not re.search(r"[.!?][\u201d\"\u2019]?\s*$", before):
        return None
    matches = [m for pattern in (_LATE_VERB_SUBJ, _LATE_SUBJ_VERB)
               for m in pattern.finditer(after)]
    if not matches:
        return None
    match = max(matches, key=lambda m: m.start())
    return close + match.start("subj"), close + match.end("subj"), match.group("verb")


def _find_cue_before(article: _Article, quote: Quote):
    """A cue in the quote's sentence before it (see :func:`_find_cue`)."""
    text = article.masked
    open_mark = quote.start - 1
    para_start, _ = _paragraph_bounds(text, open_mark)
    before = text[para_start:max(para_start, open_mark)]
    # a sentence ends at . ! ? even behind a closing mark (Clinton: "… ISIS." Bush: "…")
    sentence_start = max((m.end() for m in re.finditer(r"[.!?][\u201d\"\u2019]?\s+", before)),
                         default=0)
    before = before[sentence_start:]
    base = para_start + sentence_start
    match = _BEFORE_ACCORDING.search(before)
    if match:
        return base + match.start("subj"), base + match.end("subj"), "according to"
    if quote.kind == "fragment":
        found = _speech_noun_cue(article, quote, before, base)
        if found is not None:
            return found
        match = _BEFORE_FRAGMENT.search(before)
        if match:
            # the verb's subject in the parse ("Marty West, a professor who …, called
            # it “…”", "Tanden wrote that Soros “…”"), else the few words right
            # before the verb ("what Somchai called")
            verb = article.doc.char_span(base + match.start("verb"), base + match.end("verb"),
                                         alignment_mode="expand")
            subject = _clause_subject(article, verb.root) if verb is not None else None
            if subject is not None and subject.idx < quote.start:
                first, last = _subject_extent(article, subject)
                return first, last, match.group("verb")
            subj = match.group("subj")
            words = list(re.finditer(r"\S+", subj))
            while words and words[-1].group().lower() in _AUXILIARIES:
                words.pop()
            if words:
                first = words[max(0, len(words) - 3)].start()
                return (base + match.start("subj") + first,
                        base + match.start("subj") + words[-1].end(), match.group("verb"))
        return None
    match = _BEFORE_SUBJ_VERB.search(before)
    if match:
        return base + match.start("subj"), base + match.end("subj"), match.group("verb")
    # "X, a lawyer, struck a different note: “…" / "X’s advice — “…": the
    # sentence introducing the quote names the speaker
    intro = before.rstrip()
    if intro.endswith((":", "\u2014", "\u2013", "--", " -")) and len(intro) > 2:
        return base, base + len(intro) - 1, intro[-1]
    return None


#: Nouns that name someone's words: "Obama's “if you like your plan, you
#: can keep it” promise" — the possessor said them.
SPEECH_NOUNS = ("promise", "pledge", "vow", "claim", "line", "remark", "comment", "quip",
                "refrain", "mantra", "slogan", "catchphrase", "warning", "assertion", "boast",
                "motto", "tagline", "words", "question", "answer", "retort")
_POSSESSOR_BEFORE = re.compile(
    r"(?P<subj>(?:[A-Z][" + _W + r"\u2024\u2019'-]*\s+){0,3}[A-Z][" + _W + r"-]*)[\u2019']s?\s*$")
_SPEECH_NOUN_AFTER = re.compile(
    r"^[\u201d\"]?\s+(?:[a-z-]+\s+)?(?:" + "|".join(SPEECH_NOUNS) + r")s?\b")
#: Nouns of a barb whose words are quoted after "at": "West landed a sharp dig
#: at “my dear sister Hillary Clinton”" — the one who made it said them.
_BARB_BEFORE = re.compile(
    r"\b(?P<noun>dig|jab|swipe|shot|poke|barb)s?\s+at\s*$")


def _speech_noun_cue(article: _Article, quote: Quote, before: str, base: int):
    """A fragment named as someone's words by a noun of speech: a possessor
    before a speech noun after the quote, or the maker of a dig/jab at it."""
    text = article.masked
    match = _POSSESSOR_BEFORE.search(before)
    if match and _SPEECH_NOUN_AFTER.match(text[quote.end:quote.end + 40]):
        return base + match.start("subj"), base + match.end("subj"), "'s"
    match = _BARB_BEFORE.search(before)
    if match:
        noun = article.doc.char_span(base + match.start("noun"), base + match.end("noun"),
                                     alignment_mode="expand")
        if noun is not None:
            head = noun.root.head
            subjects = [c for c in head.children if c.dep_ in _SUBJECT_DEPS] \
                if head.pos_ in ("VERB", "AUX") else []
            if subjects and subjects[0].idx < quote.start:
                start, end = _subject_extent(article, subjects[0])
                return start, end, match.group("noun")
    return None


_SUBJECT_DEPS = ("nsubj", "nsubjpass")


def _subjects(doc: Any) -> list:
    """The tokens whose dependency is a subject's (:data:`_SUBJECT_DEPS`), in
    text order: found in the parse's array, without building a token object
    for each of the other words (a walk over every token was a fifth of
    attribution's time)."""
    from spacy.attrs import DEP

    if not len(doc):
        return []
    wanted = {doc.vocab.strings.add(label) for label in _SUBJECT_DEPS}
    return [doc[i] for i, dep in enumerate(doc.to_array(DEP).tolist()) if dep in wanted]


#: Dependents that belong to a name or a role phrase ("White House press
#: secretary Josh Earnest", "Sen. Ted Cruz", "the state prosecutors' office").
_NAME_DEPS = ("compound", "flat", "amod", "det", "poss", "case", "nmod", "nummod", "punct")


def _subject_extent(article: _Article, head) -> tuple[int, int]:
    """The characters of a subject: its head with the compounds, adjectives
    and possessors before it (not its relative clauses); a role named by
    its apposition is that name ("The leader of the League, Jonathan
    Greenblatt, warned" → Jonathan Greenblatt)."""
    named = [c for c in head.rights if c.dep_ == "appos" and (
        c.ent_type_ == "PERSON" or c.pos_ == "PROPN" and head.lower_ in ROLE_WORDS)]
    if named and head.ent_type_ != "PERSON":
        head = named[0]
    first = head
    for child in head.lefts:
        if child.dep_ in _NAME_DEPS:
            first = min(first, child.left_edge, key=lambda t: t.i)
    last = head
    for child in head.rights:     # "Sen. Ted Cruz (R-Tex.)": flat names after the head
        if child.dep_ in ("flat", "compound") and child.i == last.i + 1:
            last = child
    subtree = list(head.subtree)
    if subtree[-1].i > last.i and not any(t.pos_ in ("VERB", "AUX") or t.text in ",;()\u2014"
                                          for t in subtree):
        # a name after the role, with no clause or comma: "Minister for Security Dan
        # Jarvis said:" — the whole phrase, for resolution to find the name in it
        first, last = min(first, subtree[0], key=lambda t: t.i), subtree[-1]
    return first.idx, last.idx + len(last.text)


#: Reporting verbs in the forms a participle clause uses ("…, saying “…").
_REPORTING_FORMS = frozenset(VERB_FORMS + PARTIAL_VERB_FORMS + (
    "say tell call write note ask add state argue warn claim describe explain insist "
    "declare urge suggest tweet post welcome praise label brand "
    "saying telling calling writing noting asking adding stating arguing warning "
    "claiming describing explaining insisting declaring urging suggesting tweeting "
    "posting welcoming praising labeling labelling branding dubbing terming "
    "quoting replying responding answering"
).split())


def _clause_subject(article: _Article, token):
    """The speaker of a quote introduced mid-sentence: the subject of the
    reporting verb above the words before the mark, climbing from a
    participle to the verb it hangs on ("X tied …, saying “…", "Y emailed
    supporters, telling them “…") and past a reported clause ("Rubio said
    that …, Democrats are “…" → Rubio, not Democrats). No reporting verb
    above: no cue (the quote is more likely someone else's words)."""
    chain = [t for t in [token, *token.ancestors] if t.pos_ in ("VERB", "AUX")]
    # (a reporting verb among the quoted words is not the cue: "Democrats are
    # “saying we weren't at war …”" — the parse makes "saying" the verb)
    first = next((i for i, t in enumerate(chain) if t.text.lower() in _REPORTING_FORMS
                  and not article.inside_quote(t.idx)), None)
    if first is None:
        # "As White House press secretary Josh Earnest explained, three taxes were
        # postponed …, “…": the reporting verb of an as-clause of the sentence
        for verb in chain:
            for clause in verb.children:
                if clause.dep_ == "advcl" and clause.text.lower() in _REPORTING_FORMS and \
                        any(c.dep_ == "mark" and c.lower_ == "as" for c in clause.children):
                    subjects = [c for c in clause.children if c.dep_ in _SUBJECT_DEPS]
                    if subjects:
                        return subjects[0]
        return None
    joined = False
    for below, verb in zip([None, *chain[first:]], chain[first:]):
        # a participle parsed as joined to a verb of what a reporting verb
        # reports ("…, saying that the bill had …, and arguing that …" with
        # "arguing" joined to "had"): those verbs' subjects are said of, not
        # saying — the participle's partner is higher up
        joined = joined or (below is not None and below.dep_ == "conj" and below.head.i == verb.i
                            and below.tag_ == "VBG" and verb.tag_ != "VBG")
        if joined and verb.text.lower() not in _REPORTING_FORMS and _reported(verb):
            continue
        joined = False
        subjects = [c for c in verb.children if c.dep_ in _SUBJECT_DEPS
                    and not article.inside_quote(c.idx)]
        if subjects:
            return subjects[0]
    return None


def _reported(verb) -> bool:
    """Whether ``verb`` is in the clause a reporting verb right above it
    reports: its complement, or a verb joined to that."""
    while verb.dep_ == "conj" and verb.head.i != verb.i:
        verb = verb.head
    return verb.dep_ == "ccomp" and verb.head.text.lower() in _REPORTING_FORMS


def _introducing_subject(article: _Article, token):
    """The speaker of a sentence ending in a colon that introduces a quote:
    the reporting verb's subject (:func:`_clause_subject`), else the subject
    of an as-clause anywhere in it ("as Joel Pollak observed, the biggest
    victor was …:"), else its main verb's subject when that is a name
    ("President Clinton released the following statement:")."""
    found = _clause_subject(article, token)
    if found is not None:
        return found
    sentence = token.sent
    for clause in sentence:
        if clause.dep_ == "advcl" and clause.text.lower() in _REPORTING_FORMS and \
                any(c.dep_ == "mark" and c.lower_ == "as" for c in clause.children):
            subjects = [c for c in clause.children if c.dep_ in _SUBJECT_DEPS]
            if subjects:
                return subjects[0]
    subjects = [c for c in sentence.root.children if c.dep_ in _SUBJECT_DEPS]
    if subjects and (subjects[0].ent_type_ in ("PERSON", "ORG", "NORP", "GPE")
                     or subjects[0].pos_ == "PROPN"):
        return subjects[0]
    return None


def _parse_cue(article: _Article, quote: Quote):
    """A cue read from the dependency parse when the patterns found none.

    - The quote opens inside a sentence ("Petrilli … tied those scores to
      graduation rates, saying the law helped “…", "Rubio said that by
      refusing …, Democrats are “…") or after a paragraph ending in a colon
      ("Cruz called them on it:" / next paragraph “…"): the subject of the
      clause right before the mark, climbing from participles to the
      reporting verb.
    - The quote ends a clause and the sentence goes on with the verb
      ("“…,” Cruz, who has proposed …, said at the time", "“…” reacted
      Trump"): that verb's subject.
    """
    doc, text = article.doc, article.masked
    open_mark = quote.start - 1
    para_start, _ = _paragraph_bounds(text, max(open_mark, 0))
    before = text[para_start:max(para_start, open_mark)]
    sentence_start = max((m.end() for m in re.finditer(r"[.!?][\u201d\"]?\s+", before)),
                         default=0)
    intro = before[sentence_start:].rstrip()
    anchor = None
    if intro and re.search(r"\w", intro) and not intro.endswith((".", "!", "?")):
        anchor = para_start + sentence_start + len(intro) - 1
    colon_paragraph = False
    if anchor is None and not before.strip() and para_start > 1:
        previous = _previous_paragraph_end(text, para_start - 1)
        if text[previous] == ":":
            anchor = previous    # a colon paragraph introduces this one
            colon_paragraph = True
    if anchor is not None:
        span = doc.char_span(max(0, anchor - 40), anchor + 1, alignment_mode="expand")
        tokens = [t for t in span or () if not t.is_punct and t.idx <= anchor] if span else []
        if tokens:
            introduces = text[anchor] == ":" or intro.endswith(":")
            subject = (_introducing_subject if introduces else _clause_subject)(
                article, tokens[-1])
            if subject is not None and subject.idx < open_mark:
                start, end = _subject_extent(article, subject)
                return start, end, "parse"
        if colon_paragraph:
            # "Says Keo to the Daily:" / "Keo continues:": a short introducing
            # paragraph names the speaker however it is built
            intro_start, _ = _paragraph_bounds(text, anchor)
            span = doc.char_span(intro_start, anchor, alignment_mode="expand")
            names = bool(re.search(r"\s[A-Z]", text[intro_start:anchor])) or (
                span is not None and any(t.pos_ == "PROPN" or t.ent_type_ for t in span))
            if len(text[intro_start:anchor].split()) <= 8 and names:
                # ("Wait, it gets better:" names nobody)
                return intro_start, anchor, ":"
    close = _after_close(text, quote.end)
    _, para_end = _paragraph_bounds(text, max(quote.end - 1, 0))
    after_end = _sentence_end(text, close, para_end)
    after = text[close:after_end]
    ends_clause = quote.text.rstrip()[-1:] in ",?!\u2014-" or after[:2].strip()[:1].islower()
    if not ends_clause or not after.strip() or any(m in after for m in "\u201c\""):
        return None
    span = doc.char_span(close, after_end, alignment_mode="expand")
    for token in span or ():
        if token.pos_ == "VERB" and token.text.lower() in VERB_FORMS:
            if token.dep_ in ("relcl", "acl"):
                continue     # "the official, who asked not to be named, told AFP"
            subjects = [c for c in token.children if c.dep_ in _SUBJECT_DEPS
                        and c.lower_ not in ("who", "which", "that")]
            if subjects and subjects[0].idx >= close:
                start, end = _subject_extent(article, subjects[0])
                return start, end, token.text
            break
    return None


def _narrative_cue(article: _Article, quote: Quote, after: int):
    """"Dizon told reporters that … . “…": a reporting sentence earlier in the
    quote's paragraph (after ``after``, outside quotes) names the speaker."""
    text = article.masked
    para_start, _ = _paragraph_bounds(text, quote.start - 1)
    start = max(para_start, after)
    earlier = text[start:quote.start - 1]
    for sentence in reversed(list(re.finditer(r"[^.!?]+[.!?]?", earlier))):
        if any(mark in sentence.group() for mark in "\u201c\u201d\"\u2018"):
            break
        match = _SENTENCE_SUBJ_VERB.match(sentence.group())
        if match and len(match.group("subj").split()) <= 6:
            offset = start + sentence.start()
            return offset + match.start("subj"), offset + match.end("subj"), match.group("verb")
    return None


def attribute_quotes(doc: Any, quotes: list[Quote]) -> list[Quote]:
    """The quotes with speaker, speaker kind, mention span and cue filled in."""
    article = _Article(doc, quotes)
    text = article.text
    result: list[Quote] = []
    for quote in quotes:
        if quote.kind in ("title", "scare"):     # a work's name, words as words: nobody's
            result.append(quote)
            continue
        cue = _find_cue(article, quote)
        speaker, cue_word, method = None, None, None
        if cue:
            speaker = article.resolve(cue[0], cue[1])
            cue_word = cue[2]
        if speaker is None or speaker.kind == "unknown":
            parsed = _parse_cue(article, quote)
            better = article.resolve(parsed[0], parsed[1]) if parsed else None
            if better is not None and (speaker is None or better.kind != "unknown"):
                speaker, cue_word = better, parsed[2]
        if speaker is not None:
            method = ("group" if _named_by_group(article, speaker) else
                      "cue" if speaker.how == "named" else "pronoun")
        if quote.kind == "fragment":
            known = speaker is not None and speaker.kind != "unknown"
            quote = replace(quote, kind="partial" if known else "scare")
            if not known:
                result.append(quote)
                continue
        spoken = [r for r in result if r.kind in ("direct", "partial")]
        if speaker is None and spoken:
            # the quote before it that someone said: a title or a scare quote in
            # between ("Clinton said on ABC’s “This Week” on Sunday. “…") is nobody's
            previous = spoken[-1]
            same_para = _paragraph_bounds(text, previous.end)[0] == \
                _paragraph_bounds(text, quote.start)[0]
            gap = text[previous.end + 1:quote.start - 1]
            straight_on = not gap.strip() or (gap.count("\n") and not gap.strip(" \n\u201c\""))
            # news convention: a paragraph opening with a quote, right after the
            # paragraph of the previous quote, continues that speaker
            this_para = _paragraph_bounds(text, quote.start)[0]
            follows = (this_para == quote.start - 1 and _paragraph_bounds(
                text, _previous_paragraph_end(text, this_para))[0] ==
                _paragraph_bounds(text, previous.end)[0])
            if previous.speaker and (same_para or straight_on or follows):
                speaker = Speaker(previous.speaker, previous.speaker_kind)
                method = "inherited"
        if speaker is None and quote.kind == "direct":
            narrative = _narrative_cue(article, quote, result[-1].end + 1 if result else 0)
            if narrative:
                speaker = article.resolve(narrative[0], narrative[1])
                cue_word = narrative[2]
                method = "guessed" if speaker else None
        if speaker is None:
            result.append(replace(quote, cue=cue_word))
            continue
        result.append(replace(quote, speaker=speaker.name, speaker_kind=speaker.kind,
                              speaker_start=speaker.start, speaker_end=speaker.end,
                              cue=cue_word, method=method))
        if quote.kind == "direct":
            insort(article.events, _Event(quote.end, Speaker(speaker.name, speaker.kind)),
                   key=lambda e: e.offset)
    return result
