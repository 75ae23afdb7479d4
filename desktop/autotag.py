"""Auto-tag: find the passages a tag would get from a phrase, a regular
expression, a speaker's quotes or an entity's mentions.

Plain Python (no Qt): :func:`find_candidates` returns candidate dicts
``article_id, article_title, start, end, text, before, after`` in article
and offset order (each match, or with ``extent`` its whole sentence or
paragraph: several matches in one sentence make one passage) (offsets
are code points into the stored text, never normalised: a phrase's
accented letters match in either Unicode form, and no match cuts a letter
from its combining marks), leaving out spans the analyst tagging (``AutoTagRequest.analyst``) already gave
the tag at the same offsets: a colleague's passages do not count. :func:`insert_passages`
stores them as one journal step (in a worker in the window, whose undo
command then replays that step; directly in the CLI).

Patterns run with the ``regex`` package (the same syntax as :mod:`re`)
and a time limit per article (:data:`TIME_LIMIT`): a pattern that
backtracks catastrophically (``(a+)+$`` on a line of ``a``s) raises
:class:`AutoTagTimeout` instead of running for ever. ``regex`` releases
the GIL while it matches, so the window stays responsive while a worker
runs one.
"""

from __future__ import annotations

import sys
import unicodedata
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from itertools import permutations

import regex

from sqlite_utils import Database

from storage import articles, autotag_queries, journal, passages
from storage.database import write_transaction

PHRASE, REGEX, SPEAKER, ENTITY = "phrase", "regex", "speaker", "entity"
MODES = (PHRASE, REGEX, SPEAKER, ENTITY)
MATCH, SENTENCE, PARAGRAPH = "match", "sentence", "paragraph"
EXTENTS = (MATCH, SENTENCE, PARAGRAPH)
#: where a sentence may end: its mark, closing quotes or brackets, then
#: space (:func:`_ends_sentence` tells a full stop that ends one from one
#: that ends an abbreviation)
_SENTENCE_END = regex.compile(r"[.!?…][\"'”’)\]]*\s+")
#: a single capital letter ("George W.") or a dotted initialism ("U.S",
#: "e.g"), without its last full stop
_INITIALS = regex.compile(r"\p{Lu}|(?:\p{L}\.)+\p{L}")
#: abbreviations of titles, names and months that stand before a name or a
#: number ("Mr. Sokha", "Sen. Cruz", "Dec. 5", "No. 2"), without their stop
_TITLES = frozenset(
    "Mr Mrs Ms Messrs Dr Drs Prof Gen Gens Col Lt Maj Sgt Capt Cmdr Adm Gov Govs Sen "
    "Sens Rep Reps Rev Hon Pres Sec Supt Atty St Ste Mt Ft Jr Sr No Nos "
    "Jan Feb Mar Apr Jun Jul Aug Sep Sept Oct Nov Dec".split())
#: words that open a sentence and are no part of a name: after initials
#: ("in the U.S. The minister said") a full stop before one still ends it
_OPENERS = frozenset(
    "The A An This That These Those It Its He His She Her I We Our They Their You "
    "There Here But And Or So Yet Still Then Now However Meanwhile While When "
    "Where Whether If Although Though Because Since After Before As At In On By "
    "For From With To Of What Who Why How Some Many Most All Each Every".split())
#: opening quotes or brackets before a word
_OPENING = "\"'“‘([{"
#: how many characters around a mark :func:`_ends_sentence` reads
_REACH = 40
CONTEXT = autotag_queries.CONTEXT


class AutoTagCancelled(Exception):
    """The analyst cancelled the tagging; nothing was stored."""


class AutoTagError(ValueError):
    """The request cannot run (empty query, invalid pattern); the message is
    meant for the user."""


class AutoTagTimeout(AutoTagError):
    """A pattern ran longer than its time limit on one article and was stopped."""


#: Seconds a phrase or pattern may run over ONE article's text before it is
#: stopped (:class:`AutoTagTimeout`). Ordinary patterns take milliseconds.
TIME_LIMIT = 5.0


@dataclass(frozen=True)
class AutoTagRequest:
    """What to look for: ``mode`` (one of :data:`MODES`), the ``query``,
    ``article_id`` (None: the whole corpus), and for phrase and regex
    whether case is ignored; ``analyst``: who tags (the spans they gave the
    tag are left out; None: nobody's are, and :func:`insert_passages`
    still leaves out those of the analyst it tags as)."""

    tag_id: int
    mode: str
    query: str
    article_id: int | None = None
    ignore_case: bool = True
    #: what each match tags: the match itself, its sentence or its paragraph
    extent: str = "match"
    analyst: str | None = None


def compile_pattern(mode: str, query: str, *, ignore_case: bool = True) -> regex.Pattern:
    """The regular expression for a phrase (matched literally, runs of white
    space matching any white space, each accented letter typed or stored
    composed or with combining marks: :func:`_phrase_regex`) or a pattern
    (``regex``'s VERSION0: :mod:`re`'s syntax); AutoTagError if invalid."""
    if not query.strip():
        raise AutoTagError("Type what to look for.")
    flags = regex.VERSION0 | (regex.IGNORECASE if ignore_case else 0)
    if mode == PHRASE:
        return regex.compile(_phrase_regex(query), flags)
    try:
        return regex.compile(query, flags)
    except (regex.error, OverflowError, RecursionError, ValueError) as error:
        raise AutoTagError(f"“{query}” is not a valid regular expression: {error}") from None


#: the most combining marks on one letter of a phrase whose every order is
#: tried (:func:`_spellings`); a letter with more is matched as typed, as
#: NFC and as NFD (the orders would be too many, and no language needs them)
_MAX_MARKS = 4


def _phrase_regex(query: str) -> str:
    """A phrase as a regular expression: its words literally, runs of white
    space matching any white space, each letter in any canonically
    equivalent form (:func:`_spellings`) — the stored text is never
    normalised, and text from macOS files or PDFs often keeps accents as
    combining marks. A match may not end before a mark that belongs to the
    text's letter (:data:`_JOINS_PREVIOUS`): "cafe" is not "café", in
    either form."""
    words = ("".join(_alternatives(_spellings(letter)) for letter in _letters(word))
             for word in query.split())
    return r"\s+".join(words) + f"(?![{_JOINS_PREVIOUS}])"


def _letters(word: str) -> list[str]:
    """``word`` composed (NFC: a Hangul syllable is one letter) and cut into
    letters: a starter with the combining marks after it (marks that start
    the word are a letter of their own)."""
    letters: list[str] = []
    for char in unicodedata.normalize("NFC", word):
        if letters and unicodedata.combining(char):
            letters[-1] += char
        else:
            letters.append(char)
    return letters


def _spellings(letter: str) -> list[str]:
    """Every canonically equivalent way to write ``letter`` (see
    :func:`_letters`): precomposed, decomposed, partly composed ("ê" with a
    combining dot below for "ệ"), its marks in any order that means the
    same, a singleton such as the Ångström sign.

    Each candidate is a first code point (the letter's base, or any code
    point decomposing to the base and some of its marks) followed by the
    remaining marks in some order; those whose NFD is the letter's are
    kept."""
    target = unicodedata.normalize("NFD", letter)
    found = {letter, target, unicodedata.normalize("NFC", letter)}
    if len(target) - 1 > _MAX_MARKS:
        return sorted(found)
    marks = Counter(target)
    for first, decomposed in ((target[0], target[0]), *_decomposing().get(target[0], ())):
        if Counter(decomposed) - marks:         # more than the letter holds
            continue
        for order in set(permutations((marks - Counter(decomposed)).elements())):
            spelled = first + "".join(order)
            if unicodedata.normalize("NFD", spelled) == target:
                found.add(spelled)
    return sorted(found)


@cache
def _decomposing() -> dict[str, tuple[tuple[str, str], ...]]:
    """Every code point with a canonical decomposition, as ``(code point,
    its NFD)`` under the first code point of that NFD (read once: a few
    hundredths of a second)."""
    found: dict[str, list[tuple[str, str]]] = {}
    for code in range(sys.maxunicode + 1):
        char = chr(code)
        if unicodedata.decomposition(char) or 0xAC00 <= code <= 0xD7A3:   # Hangul: algorithmic
            decomposed = unicodedata.normalize("NFD", char)
            if decomposed != char:
                found.setdefault(decomposed[0], []).append((char, decomposed))
    return {base: tuple(chars) for base, chars in found.items()}


def _alternatives(spellings: list[str]) -> str:
    """``spellings`` as one regular expression (none is a prefix of
    another: they share their NFD)."""
    escaped = [regex.escape(s) for s in spellings]
    return escaped[0] if len(escaped) == 1 else "(?:" + "|".join(escaped) + ")"


#: What joins the letter before it, as a character-class body: combining
#: marks (canonical combining class not 0, what ``unicodedata.combining``
#: tells) and Hangul vowel and final jamo (which compose with the syllable
#: before them). A property of ``regex``, not a scan of every code point at
#: the first search (0.3 s).
_JOINS_PREVIOUS = r"\P{ccc=0}\u1160-\u11FF\uD7B0-\uD7FF"


def _whole_letters(text: str, start: int, end: int) -> tuple[int, int]:
    """``start``–``end`` widened so that it cuts no letter from its
    combining marks: back from a mark to its letter, on over the marks
    after the last letter (``caf[ée]`` finds "cafe" in "café" typed with a
    combining accent: the passage is "café")."""
    if start < end:
        while 0 < start < len(text) and unicodedata.combining(text[start]):
            start -= 1
        while end < len(text) and unicodedata.combining(text[end]):
            end += 1
    return start, end


def _timed_out(query: str, article: dict, time_limit: float) -> AutoTagTimeout:
    title = " ".join((article["title"] or "").split())
    title = title if len(title) <= 60 else title[:59] + "…"
    return AutoTagTimeout(
        f"The search was stopped: “{query}” ran for more than {time_limit:g} s on article "
        f"{article['id']} (“{title}”). Such a pattern tries too many ways to match "
        f"(nested repeats like (a+)+ do); simplify it.")


def _trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _pattern_matches(db: Database, pattern: regex.Pattern, query: str,
                     article_id: int | None, on_progress, is_cancelled, time_limit: float):
    total = (1 if article_id is not None else
             articles.article_count(db))
    done = 0
    for batch in autotag_queries.article_batches(db, article_id=article_id):
        for article in batch:
            if is_cancelled():
                return
            text = article["text"]
            try:
                # the time limit covers the whole scan of this article
                for match in pattern.finditer(text, timeout=time_limit):
                    start, end = _whole_letters(text, *_trimmed(text, *match.span()))
                    if start < end:
                        yield {"article_id": article["id"],
                               "article_title": article["title"],
                               "start": start, "end": end, "text": text[start:end],
                               "before": text[max(0, start - CONTEXT):start],
                               "after": text[end:end + CONTEXT]}
            except TimeoutError:
                raise _timed_out(query, article, time_limit) from None
        done += len(batch)
        on_progress(done, total)
        if is_cancelled():
            return


def find_candidates(db: Database, request: AutoTagRequest, *,
                    on_progress: Callable[[int, int], None] = lambda done, total: None,
                    is_cancelled: Callable[[], bool] = lambda: False,
                    time_limit: float | None = None,
                    already: list[int] | None = None) -> list[dict]:
    """Every span ``request`` finds that its analyst has not already given
    its tag (``already``, if given, gets the number of such spans).

    A phrase or pattern that runs longer than ``time_limit`` seconds
    (default :data:`TIME_LIMIT`) on one article raises
    :class:`AutoTagTimeout`; a cancel is seen between articles."""
    time_limit = time_limit or TIME_LIMIT
    if request.mode in (PHRASE, REGEX):
        pattern = compile_pattern(request.mode, request.query,
                                  ignore_case=request.ignore_case)
        rows = _pattern_matches(db, pattern, request.query, request.article_id,
                                on_progress, is_cancelled, time_limit)
    elif request.mode in (SPEAKER, ENTITY):
        name = " ".join(request.query.split())
        if not name:
            raise AutoTagError("Type a name.")
        find = (autotag_queries.speaker_quotes if request.mode == SPEAKER
                else autotag_queries.entity_mentions)
        rows = find(db, name, article_id=request.article_id)
    else:
        raise AutoTagError(f"Unknown auto-tag mode {request.mode!r}.")
    if request.extent not in EXTENTS:
        raise AutoTagError(f"Unknown extent {request.extent!r}.")
    if request.extent != MATCH:
        rows = _widened(db, list(rows), request.extent)
    tagged = (set() if request.analyst is None else autotag_queries.tagged_spans(
        db, request.tag_id, request.analyst, article_id=request.article_id))
    found, seen, covered = [], set(), set()
    for row in rows:
        key = (row["article_id"], row["start"], row["end"])
        if key in tagged:
            covered.add(key)
            continue
        if key in seen or not row["text"].strip():
            continue
        seen.add(key)
        found.append(row)
    found.sort(key=lambda r: (r["article_id"], r["start"], r["end"]))
    if already is not None:
        already.append(len(covered))
    return found


def extent_around(text: str, start: int, end: int, extent: str) -> tuple[int, int]:
    """The sentence (ends told by :func:`_ends_sentence`) or paragraph of
    ``text`` holding ``text[start:end]`` (a match running over several: all
    of them), trimmed of blank space."""
    para_start = text.rfind("\n", 0, start) + 1
    para_end = text.find("\n", end)
    para_end = len(text) if para_end < 0 else para_end
    if extent == PARAGRAPH:
        return _trimmed(text, para_start, para_end)
    new_start = para_start
    for found in _SENTENCE_END.finditer(text, para_start, start):
        if _ends_sentence(text, found):
            new_start = found.end()
    new_end = para_end
    for found in _SENTENCE_END.finditer(text, max(end - 1, para_start), para_end):
        if _ends_sentence(text, found):
            new_end = found.start() + len(found.group().rstrip())
            break
    return _trimmed(text, new_start, max(new_end, end))


def _ends_sentence(text: str, found: regex.Match) -> bool:
    """Whether the mark ``found`` (a :data:`_SENTENCE_END` match in
    ``text``) ends a sentence.

    "?", "!", a mark with closing quotes or brackets and one before a line
    break always do. A full stop or "…" does not when the next word starts
    in lower case ("U.S. officials", "etc. and", "… and then"), nor a stop
    inside a spaced ellipsis (". . ."); a full stop does not either after a
    title, name or month abbreviation (:data:`_TITLES`: "Mr. Sokha", "Dec.
    5"; "No." only before a number), nor after a single capital or a
    dotted initialism (:data:`_INITIALS`: "George W. Bush", "U.S. Senate")
    unless a sentence opener follows ("in the U.S. The minister said")."""
    marks = found.group().rstrip()
    if marks not in (".", "…") or "\n" in found.group():
        return True
    # a word is looked for within a few dozen characters: an abbreviation
    # or a sentence opener is short, and a long text is not copied per mark
    after = text[found.end():found.end() + _REACH].lstrip(_OPENING).split(maxsplit=1)
    next_word = after[0].rstrip(",;:") if after else ""
    if next_word[:1].islower():
        return False
    if marks == "…":
        return True
    before = text[max(0, found.start() - _REACH - 1):found.start()]
    if not before or before[-1].isspace():
        # a stop standing alone is part of a spaced ellipsis (". . ."): it
        # ends a sentence where the ellipsis does
        return not next_word.startswith((".", "…"))
    word = before.split()[-1].lstrip(_OPENING)
    if word in _TITLES:
        # "No." is short for number only before one ("No. 1"; "No. But")
        return word in ("No", "Nos") and not next_word[:1].isdigit()
    if _INITIALS.fullmatch(word):
        return next_word in _OPENERS
    return True


def _widened(db: Database, rows: list[dict], extent: str) -> list[dict]:
    """Each found span widened to its sentence or paragraph (the article's
    text read once per article)."""
    texts: dict[int, str] = {}
    out = []
    for row in rows:
        text = texts.get(row["article_id"])
        if text is None:
            text = texts[row["article_id"]] = autotag_queries.article_text(
                db, row["article_id"])
        start, end = extent_around(text, row["start"], row["end"], extent)
        out.append({**row, "start": start, "end": end, "text": text[start:end],
                    "before": text[max(0, start - CONTEXT):start],
                    "after": text[end:end + CONTEXT]})
    return out


def passage_ranges(request: AutoTagRequest, candidates: list[dict]) -> list[dict]:
    """The ranges ``storage.passages.add_passage`` (and ``AddPassages``) take."""
    return [{"article_id": c["article_id"], "tag_id": request.tag_id,
             "start": c["start"], "end": c["end"]} for c in candidates]


def insert_passages(db: Database, request: AutoTagRequest, candidates: list[dict],
                    analyst: str, *,
                    on_progress: Callable[[int, int], None] = lambda done, total: None,
                    is_cancelled: Callable[[], bool] = lambda: False,
                    step_name: str | Callable[[int], str] = "Auto-tag", origin: str = "",
                    changed: list[dict] | None = None) -> journal.Step:
    """Tag every candidate as ONE journal step (one transaction, taking the
    write lock as it begins, so it waits for another writer rather than
    failing) and return the step: its id is what undo replays, its
    ``changes`` what the window refreshes. ``step_name`` may be a function
    of the number of passages stored.

    A candidate whose words (or their context) are no longer at its
    offsets — its article's text changed since the preview: a newer
    version imported, a hub pull — is left out and added to ``changed``
    (if given); the others are stored, and a new preview lists what is
    left. If every candidate is so, :class:`AutoTagError` says so and
    nothing is stored. The analyst's own passages with the tag are left
    out too (no copies).

    Progress is reported every few hundred passages; a cancel seen then
    raises :class:`AutoTagCancelled` and rolls everything back.
    """
    def progress(done: int, total: int) -> None:
        if is_cancelled():
            raise AutoTagCancelled()
        on_progress(done, total)

    if is_cancelled():
        raise AutoTagCancelled()
    # the texts are checked and the passages stored in one transaction: no
    # writer can change an article in between
    with write_transaction(db):
        kept, stale = _still_there(db, candidates)
        if stale and not kept:
            raise AutoTagError(changed_message(stale))
        kept = _not_tagged_yet(db, request, kept, analyst)
        name = step_name(len(kept)) if callable(step_name) else step_name
        with journal.step(db, name, analyst=analyst, origin=origin) as step:
            passages.add_passages(db, passage_ranges(request, kept), analyst=analyst,
                                  on_progress=progress)
    if changed is not None:
        changed.extend(stale)
    return step


def _still_there(db: Database, candidates: list[dict]) -> tuple[list[dict], list[dict]]:
    """``candidates`` split into those still found at their offsets in the
    stored text (:func:`_unchanged`), and the others."""
    texts: dict[int, str] = {}
    kept, stale = [], []
    for c in candidates:
        text = texts.get(c["article_id"])
        if text is None:
            text = texts[c["article_id"]] = autotag_queries.article_text(db, c["article_id"])
        (kept if _unchanged(text, c) else stale).append(c)
    return kept, stale


def _unchanged(text: str, candidate: dict) -> bool:
    """Whether ``text`` still holds the candidate's words at its offsets,
    with the context the preview showed (the same word moved there by an
    edit is another occurrence)."""
    start, end = candidate["start"], candidate["end"]
    if end > len(text) or text[start:end] != candidate["text"]:
        return False
    return (candidate.get("before") in (None, text[max(0, start - CONTEXT):start])
            and candidate.get("after") in (None, text[end:end + CONTEXT]))


def changed_message(stale: list[dict]) -> str:
    """Why ``stale`` candidates (see :func:`insert_passages`) were not
    tagged, for the analyst."""
    count, articles_ = len(stale), len({c["article_id"] for c in stale})
    return (f"{count} passage{'s were' if count != 1 else ' was'} not tagged: the text of "
            f"{'their' if count != 1 else 'its'} article{'s' if articles_ != 1 else ''} "
            "changed since the search; search again to tag "
            f"{'them' if count != 1 else 'it'} where the words are now.")


def _not_tagged_yet(db: Database, request: AutoTagRequest, candidates: list[dict],
                    analyst: str) -> list[dict]:
    """``candidates`` but those ``analyst`` already gave the tag: a request
    made without an analyst, or tagged after the analyst tagged some since
    the preview, would store copies (counted and exported twice)."""
    tagged = autotag_queries.tagged_spans(db, request.tag_id, analyst,
                                          article_id=request.article_id)
    return [c for c in candidates
            if (c["article_id"], c["start"], c["end"]) not in tagged]
