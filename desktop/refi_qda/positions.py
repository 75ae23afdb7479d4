"""Where a selection from another tool really is: positions read several
ways, each checked against the text the tool says it coded.

REFI-QDA counts positions in Unicode code points, but tools count what
their editor counts: QualCoder (Qt) counts UTF-16 units, so every
character outside the Basic Multilingual Plane (emoji, 𝐗) before a
selection shifts it by one; its "MAXQDA line endings" export writes CRLF
text but keeps positions counted with one character per line break; some
tools count UTF-8 bytes. A position read the wrong way stores a passage on
the wrong words without a sign, so each selection is tried under these
readings, in this order:

1. code points on the file's text (the standard);
2. UTF-16 units on the file's text;
3. code points on the text with CRLF counted as one (LF-counted);
4. UTF-16 units on the LF-counted text;
5. UTF-8 bytes, on the file's text then on the LF-counted text.

(3–4 and the second of 5 only differ from the others when the text has CRLF.)
A reading is kept when the text it points to is the selection's ``name``
(the coded text as the tool wrote it: U+2029 for each line break,
whitespace runs as one space, and Dossier's own names cut after 60
characters with "…"); a reading whose text is the name character for
character, white space at its edges included, is preferred to one only
loosely equal (" iota" one character on is "iota "). Of the readings that
fit, the one most selections of the source fit wins, every reading giving
a selection's span counted: before the first emoji code points and UTF-16
units agree, and both are credited.

A name that is no reading's text tells nothing (the standard makes
``name`` free text; its own examples say "English Quote 1"): such a
selection, like one without a name, is placed by the reading that matched
the other selections of its source, or by the one span code points and
UTF-16 units agree on, and is reported as placed by position alone. A
selection whose readings point at different words with nothing to tell
which, or outside the text, is not stored and is reported. Offsets
returned are code points into the stored text (LF line breaks, no BOM).
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections import Counter
from dataclasses import dataclass

CODE_POINTS = "code points"
UTF16 = "UTF-16 units"
LF_CODE_POINTS = "code points, CRLF counted as one"
LF_UTF16 = "UTF-16 units, CRLF counted as one"
UTF8 = "UTF-8 bytes"
LF_UTF8 = "UTF-8 bytes, CRLF counted as one"
READINGS = (CODE_POINTS, UTF16, LF_CODE_POINTS, LF_UTF16, UTF8, LF_UTF8)

_BREAKS = re.compile("[\u2028\u2029\r\n]")
_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def comparable(text: str) -> str:
    """``text`` as names are compared: line breaks (U+2029 too) and controls
    as spaces, whitespace runs as one space, no space at either end."""
    return " ".join(_CONTROLS.sub(" ", _BREAKS.sub(" ", text)).split())


_SPACE = re.compile(r"\r\n|[\s\x00-\x08\x0e-\x1f\x7f]")


def _spaced(text: str) -> str:
    """``text`` with each line break (CRLF too), control and white space
    character as one space: nothing moves, so the edges still count."""
    return _SPACE.sub(" ", text)


def name_is_exactly(name: str, coded: str) -> bool:
    """Whether a selection's ``name`` is the text ``coded`` character for
    character, white space at the edges included (any white space, line
    break or control character equal to any other: XML turns a tab in an
    attribute into a space, QualCoder writes U+2029 for a line break), or
    a cut-off prefix of it ending in "…"."""
    want, have = _spaced(name), _spaced(coded)
    if want == have:
        return True
    return (want.endswith("…") and len(want) > 1 and len(have) >= len(want)
            and have.startswith(want[:-1]))


def name_matches(name: str, coded: str) -> bool:
    """Whether a selection's ``name`` is the text ``coded``: equal once
    :func:`comparable`, or a cut-off prefix ending in "…" (Dossier's
    exports cut names after 60 characters)."""
    want, have = comparable(name), comparable(coded)
    if want == have:
        return True
    if want.endswith("…") and len(want) > 1:
        prefix = want[:-1].rstrip()
        return len(have) > len(prefix) and have.startswith(prefix)
    return False


_ASTRAL = re.compile("[\U00010000-\U0010ffff]")
_NON_ASCII = re.compile("[^\x00-\x7f]")


class _Units:
    """Maps positions counted in UTF-16 or UTF-8 units to code points of
    one string. Only the characters wider than one unit are listed (found
    by a regular expression, so a long text costs little), and a position
    is turned back into a code point by bisection."""

    def __init__(self, text: str, unit: str):
        self.length = len(text)
        if unit == "utf-16":
            found = [(m.start(), 1) for m in _ASTRAL.finditer(text)]
        else:
            found = [(m.start(), len(m.group().encode("utf-8", "surrogatepass")) - 1)
                     for m in _NON_ASCII.finditer(text)]
        self.wide = [index for index, _ in found]          # code points wider than 1 unit
        self.extra = [0]                                   # extra units before each of them
        for _, extra in found:
            self.extra.append(self.extra[-1] + extra)
        self.unit_starts = [index + self.extra[k] for k, index in enumerate(self.wide)]

    def units(self, point: int) -> int:
        """How many units the first ``point`` code points take."""
        return point + self.extra[bisect_left(self.wide, point)]

    def to_code_point(self, position: int) -> int | None:
        """The code point at unit ``position``; None if it falls inside a
        character or past the end."""
        if not self.wide:
            return position if 0 <= position <= self.length else None
        point = position - self.extra[bisect_left(self.unit_starts, position)]
        return point if 0 <= point <= self.length and self.units(point) == position else None


@dataclass
class Placed:
    """A selection placed: code points into the stored text, and how.
    ``label`` is the selection's name (cut after 60 characters) when that is
    not its text: it was placed by its positions alone."""

    start: int
    end: int
    reading: str
    label: str | None = None


class SourcePositions:
    """The readings of one source's positions.

    ``raw`` is the source's text as the file gives it (BOM dropped, line
    breaks as written); ``stored`` the text stored (LF line breaks);
    ``to_stored`` maps a code point of ``raw`` to one of ``stored``.
    """

    def __init__(self, raw: str, stored: str, to_stored):
        self.stored = stored
        self.has_crlf = "\r\n" in raw
        self._raw_units = {"utf-16": _Units(raw, "utf-16"), "utf-8": _Units(raw, "utf-8")}
        self._lf_units = ({"utf-16": _Units(stored, "utf-16"), "utf-8": _Units(stored, "utf-8")}
                          if self.has_crlf else self._raw_units)
        self._raw_length = len(raw)
        self._to_stored = to_stored
        self._crlf_at = {m.start() + 1 for m in re.finditer("\r\n", raw)}

    def _raw_point(self, position: int) -> int | None:
        # a position between CR and LF of a CRLF is no place in the stored text
        if not 0 <= position <= self._raw_length or position in self._crlf_at:
            return None
        return self._to_stored(position)

    def spans(self, start: int, end: int) -> dict[str, tuple[int, int]]:
        """Every reading's span (code points into the stored text) that is a
        valid range, in :data:`READINGS` order. Readings giving the same
        span are all kept: each is a reading the selection agrees with, so
        each gets its vote."""
        found: dict[str, tuple[int, int]] = {}

        def add(reading, begin, finish):
            if (begin is not None and finish is not None and 0 <= begin < finish
                    <= len(self.stored)):
                found[reading] = (begin, finish)

        add(CODE_POINTS, self._raw_point(start), self._raw_point(end))
        units = self._raw_units["utf-16"]
        add(UTF16, *(self._raw_point(p) if p is not None else None
                     for p in (units.to_code_point(start), units.to_code_point(end))))
        if self.has_crlf:
            add(LF_CODE_POINTS, start, end)
            units = self._lf_units["utf-16"]
            add(LF_UTF16, units.to_code_point(start), units.to_code_point(end))
        units = self._raw_units["utf-8"]
        add(UTF8, *(self._raw_point(p) if p is not None else None
                    for p in (units.to_code_point(start), units.to_code_point(end))))
        if self.has_crlf:
            units = self._lf_units["utf-8"]
            add(LF_UTF8, units.to_code_point(start), units.to_code_point(end))
        return found

    def matching(self, start: int, end: int, name: str) -> dict[str, tuple[int, int]]:
        """The readings whose span holds the text ``name``: those holding it
        exactly (:func:`name_is_exactly`) if any does, else those holding
        it once compared loosely (:func:`name_matches`). A span one
        character off can match loosely when white space is at its edge
        (" iota" read as "iota "), so a loose match never outvotes an
        exact one."""
        spans = self.spans(start, end)
        loose = {reading: span for reading, span in spans.items()
                 if name_matches(name, self.stored[span[0]:span[1]])}
        exact = {reading: span for reading, span in loose.items()
                 if name_is_exactly(name, self.stored[span[0]:span[1]])}
        return exact or loose


def place_selections(positions: SourcePositions,
                     selections: list[tuple[int, int, str | None]]
                     ) -> list[Placed | str]:
    """For each ``(start, end, name)`` of one source: where it is
    (:class:`Placed`) or why it could not be placed (a reason).

    A named selection takes the span of the matching reading
    (:meth:`SourcePositions.matching`) that most selections of the source
    matched, every reading giving a selection's span counted (ties:
    :data:`READINGS` order). One without a name, or whose name no
    reading's text is (a label), is placed by its positions alone
    (:func:`_by_position`); a label is kept on the :class:`Placed` so that
    the import can say so. A span is said to be read the first way in
    :data:`READINGS` order that gives it: as code points, the standard's,
    whenever they agree.
    """
    matches = [positions.matching(s, e, n) if comparable(n or "") else None
               for s, e, n in selections]
    votes = Counter(reading for found in matches if found for reading in found)
    rank = {reading: (-votes[reading], index) for index, reading in enumerate(READINGS)}
    usual = min(votes, key=rank.__getitem__) if votes else None
    placed: list[Placed | str] = []
    for (start, end, name), found in zip(selections, matches):
        if found:
            span = found[min(found, key=rank.__getitem__)]
            placed.append(Placed(*span, _first_giving(found, span)))
            continue
        where = _by_position(positions, start, end, usual)
        if found is None:           # no name: nothing else to say
            placed.append(where if isinstance(where, Placed) else f"{where}; not stored")
        elif isinstance(where, Placed):
            placed.append(Placed(where.start, where.end, where.reading, label=_short(name)))
        else:
            placed.append(f"its text “{_short(name)}” is not at {start}–{end} whether "
                          "positions count code points, UTF-16 units or UTF-8 bytes, with or "
                          f"without CRLF, and {where}; not stored")
    return placed


def _by_position(positions: SourcePositions, start: int, end: int,
                 usual: str | None) -> Placed | str:
    """Where a selection whose name does not tell is, by its positions
    alone: the source's ``usual`` reading (the one its named selections
    matched) if that gives a valid range, else the one span code points and
    UTF-16 units (with or without CRLF) agree on. Byte readings are only
    taken as the usual one: nothing else says a tool counted bytes. If
    neither decides, why not (a phrase)."""
    spans = positions.spans(start, end)
    if usual in spans:
        return Placed(*spans[usual], _first_giving(spans, spans[usual]))
    likely = {span for reading, span in spans.items() if reading not in (UTF8, LF_UTF8)}
    if len(likely) == 1:
        span = likely.pop()
        return Placed(*span, _first_giving(spans, span))
    if not spans:
        return (f"positions {start}–{end} are outside the article "
                f"(0–{len(positions.stored)})")
    return (f"positions {start}–{end} point at different words depending on how they are "
            "counted, with nothing to tell which")


def _first_giving(spans: dict[str, tuple[int, int]], span: tuple[int, int]) -> str:
    """The first reading of ``spans`` (in :data:`READINGS` order) giving ``span``."""
    return next(reading for reading in spans if spans[reading] == span)


def _short(text: str | None) -> str:
    text = comparable(text or "")
    return text if len(text) <= 60 else text[:59] + "…"
