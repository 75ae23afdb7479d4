"""Direct quotes: finding quoted spans in news text.

Handles curly “ ” and straight " marks, and German „ “ (also „ ”); single
marks (‘ ’ and ') are then never quote boundaries, so apostrophes (don’t,
’90s, Cambodia’s) and nested ‘quotes within quotes’ stay inside the quote
around them. Text in British
style — more ‘ than “ opening quotes — is read the other way round: ‘ ’ are
the quote marks (an apostrophe inside a word or a plural possessive is not a
closing mark) and “ ” nest inside. Follows the news
convention for quotes running over paragraphs (a paragraph opens with “ and
does not close, the next paragraph opens again) and also bridges a
paragraph broken mid-sentence. A mark that never closes ends its quote at
its paragraph's end, so broken marks never swallow the rest of the article.

Each quote is the *content* between the marks, with a ``kind``: ``direct``
(reported speech), ``title`` (a quoted name of a work, e.g. the documentary
“Scam State”, or a label such as “Related:”), ``scare`` (words mentioned as
words — the term “radical Islam”, words such as “attack,” “Benghazi” — or a
single word set off inside a noun phrase: the “reporter” to) or ``fragment``
(words quoted inside a sentence), which :mod:`.attribution` turns into
``partial`` (someone's words) or ``scare`` (nobody's: so-called “experts”).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

OPEN_CURLY, CLOSE_CURLY, STRAIGHT = "\u201c", "\u201d", '"'
#: German (and Polish, Czech…) opening mark „, closed by “ (or ”).
OPEN_LOW = "\u201e"
OPEN_SINGLE, CLOSE_SINGLE = "\u2018", "\u2019"

_LINE = re.compile(r"[^\n]+")
_ENDS_CLAUSE = re.compile(r"[.,!?;:\u2026\u2014\u2013-][)'\u2019\u201d\"]*\s*$")
_ENDS_SENTENCE = re.compile(r"[.!?:\u2026]['\u2019\u201d\"\]\)]*\s*$")


@dataclass(frozen=True)
class Quote:
    """Quoted content ``text[start:end]`` (code points, marks excluded)."""

    start: int
    end: int
    text: str
    kind: str = "direct"
    speaker: str | None = None
    speaker_kind: str = "unknown"
    speaker_start: int | None = None
    speaker_end: int | None = None
    cue: str | None = None
    #: how the speaker was found: see :data:`desktop.analysis.attribution.METHODS`
    method: str | None = None


def _paragraphs(text: str) -> list[tuple[int, int]]:
    """(start, end) of each non-blank line."""
    return [(m.start(), m.end()) for m in _LINE.finditer(text) if m.group().strip()]


def _straight_opens(text: str, i: int) -> bool:
    before = text[i - 1] if i > 0 else " "
    after = text[i + 1] if i + 1 < len(text) else " "
    return (before.isspace() or before in "([{\u2014\u2013-/:") and not after.isspace()


def _straight_closes(text: str, i: int) -> bool:
    before = text[i - 1] if i > 0 else " "
    after = text[i + 1] if i + 1 < len(text) else " "
    if before == " " and after.isspace():
        # a spaced closing mark after the quote's last punctuation: `table, " said`,
        # `'above the president,' " said`
        return bool(re.search(r"[,.!?;\u2019'\u2014-] $", text[max(0, i - 3):i]))
    return not before.isspace() and (after.isspace() or not after.isalnum())


def _first_visible(text: str, start: int, end: int) -> int:
    while start < end and text[start].isspace():
        start += 1
    return start


_TITLE_WORD = re.compile(r"^(?:[A-Z0-9][\w\u2019'’:-]*|of|the|and|a|an|in|on|for|to)$")


#: A run of short quoted items before a mark, as in a list of terms
#: (words such as “ambassador,” “attack,” “Benghazi”): the item after it
#: stands where the first item stands in its sentence.
_QUOTED_ITEMS = re.compile(
    r"(?:[\u201c\"][^\u201c\u201d\"\n]{0,29}[^\u201c\u201d\"\n.!?][\u201d\"]\s*,?\s*"
    r"(?:(?:and|or)\s+)?)+$")


def _opens_mid_sentence(text: str, open_mark: int) -> bool:
    """True if the quote mark follows words of a sentence not ending in : or ,."""
    before = text[max(0, text.rfind("\n", 0, open_mark) + 1):open_mark]
    items = _QUOTED_ITEMS.search(before)
    if items and re.search(r"[,\s]$", before) and re.search(r"[\u201d\"]\s*,?\s*$", before):
        before = before[:items.start()]       # the list's first item opens here
    before = before.rstrip()
    if re.search(r"[.!?\u201d\"]$", before):
        return False        # a new sentence, or straight after another quote
    sentence = re.split(r"[.!?]\s+", before)[-1]
    return bool(re.search(r"[a-z]", sentence)) and not sentence.endswith((":", ","))


def _classify(text: str, start: int, end: int, multi_paragraph: bool) -> str:
    """``direct`` speech, a ``title``, or a ``fragment`` (a partial or scare
    quote; attribution later tells the two apart by whether anyone said it)."""
    content = text[start:end]
    words = content.split()
    if multi_paragraph:
        return "direct"
    named = _named_work_or_term(text, start, end, words)
    if named:
        return named
    # a headline with its byline: “Met accused of whitewashing,” by Post's
    # Kathianne Boniello — a work's title, nobody's speech
    if re.match(r"[\u201d\"\u2019']\s*,?\s*by\s+(?:the\s+)?[A-Z]", text[end:end + 40]):
        return "title"
    if len(words) <= 6 and all(_TITLE_WORD.match(w) for w in words) and \
            words[0][:1].isupper() and not _ENDS_CLAUSE.search(content) and \
            _opens_mid_sentence(text, start - 1):
        return "title"
    # US style puts the comma inside the marks: a short Title Case name in
    # mid-sentence is a work's or show's name even so ("on ABC's “This
    # Week,” Carson said", "the “Gang of Eight,” which …")
    bare = re.sub(r"[,.]$", "", content.strip()).split()
    if bare and len(bare) <= 5 and all(_TITLE_WORD.match(w) for w in bare) and \
            sum(w[:1].isupper() or w[:1].isdigit() for w in bare) >= max(2, len(bare) - 1) and \
            _opens_mid_sentence(text, start - 1):
        return "title"
    if _ENDS_CLAUSE.search(content) and not (
            _opens_mid_sentence(text, start - 1)
            and (content[:1].islower() or len(words) <= 3)):
        return "direct"
    if len(words) >= 6 and re.search(r"[.!?]$", content):
        return "direct"      # a whole sentence quoted: told reporters that “many … quotas.”
    if len(words) >= 4 and not _title_like(words) and _fills_to_paragraph_end(text, start, end):
        return "direct"      # a quote standing as its own sentence(s) to the paragraph's end
    return "fragment"


#: Nouns naming a creative work: a quote right after one, or in apposition to
#: one, is the work's name — “his memoir, “Gifted Hands,””, “a play called
#: “Los Hijos de Trump,””, ““Chi-Raq,” a movie about …”.
_WORK = (r"(?:book|memoir|novel|biography|autobiography|film|movie|documentary|biopic|"
         r"play|musical|opera|sitcom|show|series|episode|song|album|"
         r"poem|painting|exhibition|podcast|video game)s?")
_WORK_BEFORE = re.compile(rf"(?i)\b{_WORK}(?:\s*,|\s+(?:called|named|titled|entitled))\s*$"
                          r"|\b(?:titled|entitled|headlined)\s*,?\s*$")
_WORK_AFTER = re.compile(rf"(?i)^\s*,?\s+(?:a|an|the|his|her|their|its)\s+(?:[\w'-]+\s+){{0,3}}"
                         rf"{_WORK}\b")
#: Nouns that mention words as words: “the charged term, “radical Islam,””,
#: “words such as “attack,” …”, “the nickname “Little Marco””.
_TERM_BEFORE = re.compile(
    r"(?i)\b(?:(?:term|phrase|label|expression|nickname|moniker|hashtag|acronym)s?"
    r"|words?\s+(?:such\s+as|like))\s*,?\s*(?:(?:of|such\s+as|like)\s+)?$")
#: A definite determiner right before the mark: a single quoted word inside a
#: noun phrase that runs on (“asked the “reporter” to join”, “the “done” was
#: in reference to”) is a word set off, not anyone's speech.
_DETERMINER_BEFORE = re.compile(r"(?i)\b(?:the|this|that)\s*$")


def _title_like(words: list[str]) -> bool:
    """Most words capitalised (or figures): a name, not a sentence."""
    capitals = sum(w[:1].isupper() or w[:1].isdigit() for w in words)
    return capitals * 2 >= len(words)


def _named_work_or_term(text: str, start: int, end: int, words: list[str]) -> str | None:
    """``title`` for a work's name or a label, ``scare`` for words mentioned
    as words, else None. Each rule names the general pattern it serves."""
    line_start = text.rfind("\n", 0, start) + 1
    before = text[max(line_start, start - 120):max(line_start, start - 1)]
    items = _QUOTED_ITEMS.search(before)
    if items and re.search(r"[\u201d\"]\s*,?\s*(?:(?:and|or)\s+)?$", before):
        before = before[:items.start()]       # an item of a list stands where the first does
    after = text[end + 1:end + 80].split("\n", 1)[0]
    content = text[start:end].strip()
    bare = [w.strip(",.:;") for w in words if w.strip(",.:;")]
    if not bare:
        return None
    # a label standing alone: “Related:”, “Watch:” — page furniture, not speech
    if len(words) <= 3 and content.endswith(":") and not after.strip():
        return "title"
    # the name of a work: after a noun naming one, or in apposition to one
    short_name = len(bare) <= 12 and _title_like(bare)
    if short_name and not re.search(r"[.!?]\W*\s+\S", content) and (
            _WORK_BEFORE.search(before) or _WORK_AFTER.match(after)):
        return "title"
    # words mentioned as words
    if len(bare) <= 4 and _TERM_BEFORE.search(before):
        return "scare"
    # one word set off inside a noun phrase that runs on
    if len(words) == 1 and content[:1].islower() and not re.search(r"[.,!?;:]$", content) and \
            _DETERMINER_BEFORE.search(before) and re.match(r"\s+[a-z]", after):
        return "scare"
    return None


def _fills_to_paragraph_end(text: str, start: int, end: int) -> bool:
    """The quote opens a paragraph or a new sentence, and its closing mark
    closes its paragraph (an unclosed mark cut off at the paragraph's end is not)."""
    if end >= len(text) or text[end] not in "\u201d\"\u2019'":
        return False
    line_start = text.rfind("\n", 0, start) + 1
    before = text[line_start:max(line_start, start - 1)].rstrip()
    after = text[end + 1:].split("\n", 1)[0]
    return not after.strip() and (not before or bool(re.search(
        r"[.!?][\u201d\"\u2019')]*$", before)))


class _Scanner:
    """Walks the text once, paragraph by paragraph, collecting quotes."""

    def __init__(self, text: str, single: bool = False):
        self.text = text
        self.single = single         # British style: ‘ ’ primary, “ ” nested
        self.quotes: list[Quote] = []
        self.open_at: int | None = None      # index just after the opening mark
        self.open_mark: str | None = None
        self.spans_paragraphs = False

    def close(self, end: int) -> None:
        start, text = self.open_at, self.text
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if end > start:
            self.quotes.append(Quote(start, end, text[start:end],
                                     _classify(text, start, end, self.spans_paragraphs)))
        self.open_at = self.open_mark = None
        self.spans_paragraphs = False

    def open(self, after_mark: int, mark: str) -> None:
        self.open_at, self.open_mark = after_mark, mark

    def continue_into(self, previous: tuple[int, int], para: tuple[int, int]) -> int | None:
        """Where scanning resumes if the open quote runs on into ``para``."""
        text = self.text
        first = _first_visible(text, *para)
        if text[first] in ((OPEN_SINGLE,) if self.single else (OPEN_CURLY, STRAIGHT, OPEN_LOW)):
            prev_text = text[previous[0]:previous[1]].rstrip()
            if not re.search(r"[.,!?;:\u2026\u2014-]$", prev_text):
                return None            # an unclosed subhead ('Nobody listened) ends there
            return first + 1           # the news convention: the mark re-opens
        prev_text = text[previous[0]:previous[1]]
        if text[first].islower() and not _ENDS_SENTENCE.search(prev_text):
            return first               # a paragraph broken mid-sentence
        return None

    def scan(self) -> list[Quote]:
        text = self.text
        paragraphs = _paragraphs(text)
        previous = None
        for para in paragraphs:
            position = para[0]
            if self.open_at is not None:
                resume = self.continue_into(previous, para)
                if resume is None:
                    self.close(previous[1])
                else:
                    self.spans_paragraphs = True
                    position = resume
            for i in range(position, para[1]):
                self.step(i)
            previous = para
        if self.open_at is not None:
            self.close(previous[1])
        return self.quotes

    def step(self, i: int) -> None:
        char = self.text[i]
        if self.single:
            self.step_single(i, char)
        elif char == OPEN_CURLY:
            self.step_open_curly(i)
        elif char == OPEN_LOW:
            if self.open_at is not None:     # the previous quote never closed
                self.close(i)
            self.open(i + 1, OPEN_LOW)
        elif char == CLOSE_CURLY:
            if self.open_at is not None:
                self.close(i)
        elif char == STRAIGHT:
            if self.open_at is not None and _straight_closes(self.text, i):
                self.close(i)
            elif self.open_at is None and _straight_opens(self.text, i):
                self.open(i + 1, STRAIGHT)


    def step_open_curly(self, i: int) -> None:
        """“ closes the quote „ opened (German) and a quote in a closing
        place — after a word, before a space or punctuation (,“ said);
        there it opens nothing when no quote is open (a stray closing mark:
        taking it for an opening one made the narrative after it a quote).
        Elsewhere it opens a quote."""
        text = self.text
        before = text[i - 1] if i > 0 else " "
        after = text[i + 1] if i + 1 < len(text) else " "
        closing_place = not before.isspace() and (after.isspace() or after in ".,;:!?)")
        if self.open_mark == OPEN_LOW or (self.open_at is not None and closing_place):
            self.close(i)
            return
        if closing_place:
            return
        if self.open_at is not None:         # the previous quote never closed
            self.close(i)
        self.open(i + 1, OPEN_CURLY)

    def step_single(self, i: int, char: str) -> None:
        """‘ opens (after space or punctuation); ’ closes unless it is an
        apostrophe: inside a word (don’t), or a plural possessive (officers’ work)."""
        text = self.text
        before = text[i - 1] if i > 0 else " "
        after = text[i + 1] if i + 1 < len(text) else " "
        paragraph_start = i == 0 or text[i - 1] == "\n"
        if char == OPEN_SINGLE and not before.isalnum() or (
                char == CLOSE_SINGLE and self.open_at is None and paragraph_start
                and after.isalpha()):     # a paragraph opening with a wrong-way ’
            if self.open_at is not None:
                self.close(i)
            self.open(i + 1, OPEN_SINGLE)
        elif char == CLOSE_SINGLE and self.open_at is not None and not after.isalnum():
            possessive = (before == "s" and after == " " and i + 2 < len(text)
                          and text[i + 2].islower())
            if not possessive:
                self.close(i)


def _single_quotes_are_primary(text: str, doubles: list[Quote]) -> bool:
    """True for British style: more ‘ openers outside double quotes than
    double quotes."""
    inside = [(q.start, q.end) for q in doubles]
    singles = [m.end() for m in re.finditer(r"(?:^|[\s(\[\u2014\u2013])\u2018|^\u2019(?=[A-Za-z])",
                                            text, re.MULTILINE)
               if not any(s <= m.end() < e for s, e in inside)]
    return len(singles) > len(doubles)


#: A quote in single straight marks, as some US copy writes them: opens at a
#: paragraph start or after a space or a dash with a letter, closes right
#: after the quote's own , . ? or ! and before a space or the line's end —
#: so apostrophes (don't, '90s, the officers' work) never open or close one.
_SINGLE_STRAIGHT = re.compile(
    r"(?:(?<=^)|(?<=[\s\u2014\u2013(]))'(?=[A-Za-z])"
    r"(?P<content>[^'\n\"\u201c\u201d]*?(?:'[a-z][^'\n\"\u201c\u201d]*?)*[,.?!])'(?=\s|$)",
    re.MULTILINE)


def _single_straight_quotes(text: str, doubles: list[Quote]) -> list[Quote]:
    """Quotes in single straight marks outside double quotes (three words or
    more: a shorter one is a nickname or a title)."""
    inside = [(q.start - 1, q.end + 1) for q in doubles]
    found = []
    for match in _SINGLE_STRAIGHT.finditer(text):
        start, end = match.start("content"), match.end("content")
        if len(match.group("content").split()) < 3 or \
                any(s <= start < e or s < end <= e for s, e in inside):
            continue
        found.append(Quote(start, end, text[start:end], _classify(text, start, end, False)))
    return found


def find_quotes(text: str) -> list[Quote]:
    """All quoted spans of ``text`` in order; never raises on odd marks."""
    doubles = [] if (CLOSE_CURLY not in text and OPEN_CURLY not in text
                     and STRAIGHT not in text and OPEN_LOW not in text) \
        else _Scanner(text).scan()
    if (OPEN_SINGLE in text or CLOSE_SINGLE in text) and \
            _single_quotes_are_primary(text, doubles):
        return _Scanner(text, single=True).scan()
    if "'" in text:
        singles = _single_straight_quotes(text, doubles)
        if singles:
            return sorted(doubles + singles, key=lambda q: (q.start, q.end))
    return doubles
