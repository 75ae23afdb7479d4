"""Publication dates found where articles carry them: a dateline at the start
of the text ("Phnom Penh, June 13, 2024:", "JAKARTA — Friday, May 23,
2025"), a "Published: …" line near the top, a date in the file name, and
the file's own metadata (.docx core properties, PDF document info).

Conservative on purpose: only a date written out unambiguously (a month
name, or year-month-day in that order) and in a plausible year counts;
"06/07/2024" (June 7 or July 6?) never does. A wrong date is worse than
none: an undated article is listed by a filter and can be dated by hand.
"""

from __future__ import annotations

import re
from datetime import date, datetime

_MONTHS = {name: number for number, names in enumerate((
    ("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"),
    ("may",), ("june", "jun"), ("july", "jul"), ("august", "aug"),
    ("september", "sep", "sept"), ("october", "oct"), ("november", "nov"),
    ("december", "dec")), 1) for name in names}
_MONTH = (r"(?:January|February|March|April|May|June|July|August|September|"
          r"October|November|December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)"
          r"\.?")
_DAY = r"\d{1,2}(?:st|nd|rd|th)?"
_YEAR = r"(?:19|20)\d\d"
_WEEKDAY = r"(?:(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day,?\s+)?"
#: A date written out: "June 13, 2024", "13 June 2024", "2024-06-13".
_DATE = (rf"{_WEEKDAY}(?P<date>{_MONTH}\s+{_DAY},?\s+{_YEAR}|{_DAY}\s+{_MONTH},?\s+{_YEAR}"
         rf"|{_YEAR}-\d\d-\d\d)")
_PARTS = re.compile(r"(?P<a>\d+|[a-z]+)\W*(?P<b>\d+|[a-z]+)\W*(?P<c>\d+|[a-z]+)",
                    re.IGNORECASE)
#: What may end a dateline's date: a colon, a dash, a line end, an opening
#: bracket, a full stop followed by a space (never a digit: "2024.5").
_AFTER = r"(?=\s*(?:[:\u2014\u2013|(]|-\s|--|\.\s|\n|$))"
#: A place name before the date: capitalised words, maybe an agency in brackets.
_PLACE = r"[A-Z][\w.'\u2019-]*(?:[ \t][A-Z(][\w.'\u2019()-]*){0,4}"
_DATELINE = re.compile(
    rf"^(?:{_PLACE}\s*(?:,|[\u2014\u2013]|--| - )\s*)?{_DATE}{_AFTER}", re.IGNORECASE)
_PUBLISHED_LINE = re.compile(
    rf"^(?:(?:Published|Posted|Date|Dated)(?:\s+on)?\s*:?\s*)?{_DATE}\s*$", re.IGNORECASE)
#: How far into the text a dateline or a "Published:" line is looked for.
_HEAD_LINES = 4

_FILE_ISO = re.compile(r"(?<![\dA-Za-z])(?P<year>(?:19|20)\d\d)(?P<sep>[-_.]?)(?P<month>0[1-9]|1[0-2])"
                       r"(?P=sep)(?P<day>0[1-9]|[12]\d|3[01])(?![\dA-Za-z])")
_FILE_WORDS = re.compile(rf"(?<![A-Za-z]){_DATE}(?![A-Za-z\d])", re.IGNORECASE)

#: python-docx's template says it was made on this day: not the article's.
_PYTHON_DOCX_TEMPLATE = date(2013, 12, 23)


def _plausible(day: date, today: date | None = None) -> bool:
    today = today or date.today()
    return date(1900, 1, 1) <= day <= date(today.year + 1, 12, 31)


def _from_match(match: re.Match) -> str | None:
    """The ISO day of a match of :data:`_DATE`, if it is a real, plausible day."""
    parts = _PARTS.match(re.sub(r"(?<=\d)(st|nd|rd|th)\b", "", match.group("date")))
    if not parts:
        return None
    a, b, c = parts.groups()
    try:
        if a.isdigit() and len(a) == 4:                     # 2024-06-13
            day = date(int(a), int(b), int(c))
        elif a.isdigit():                                   # 13 June 2024
            day = date(int(c), _MONTHS[b.lower()], int(a))
        else:                                               # June 13, 2024
            day = date(int(c), _MONTHS[a.lower()], int(b))
    except (ValueError, KeyError):
        return None
    return day.isoformat() if _plausible(day) else None


def text_date(text: str) -> str | None:
    """The date of a dateline opening the text, or of a line of its own
    near the top ("Published: 13 June 2024"); None if there is none."""
    lines = [line.strip() for line in text.lstrip().split("\n") if line.strip()]
    if not lines:
        return None
    for line in lines[:2]:       # the first paragraph, or the one after a headline
        match = _DATELINE.match(line)
        if match and (found := _from_match(match)):
            return found
    for line in lines[:_HEAD_LINES]:
        match = _PUBLISHED_LINE.match(line)
        if match and (found := _from_match(match)):
            return found
    return None


def filename_date(name: str) -> str | None:
    """A date in a file name: 2024-06-13, 2024_06_13, 20240613 or
    13-June-2024 (never day/month in digits, which could be either)."""
    stem = name.rsplit(".", 1)[0] if "." in name else name
    for match in _FILE_ISO.finditer(stem):
        try:
            day = date(int(match["year"]), int(match["month"]), int(match["day"]))
        except ValueError:
            continue
        if _plausible(day):
            return day.isoformat()
    spaced = re.sub(r"[_\-.]+", " ", stem)
    match = _FILE_WORDS.search(spaced)
    return _from_match(match) if match else None


def metadata_date(value) -> str | None:
    """A date from a file's own metadata (a datetime, or a PDF date string
    like ``D:20240613093000+07'00'``), if plausible."""
    if isinstance(value, str):
        match = re.match(r"^(?:D:)?((?:19|20)\d\d)(\d\d)(\d\d)", value.strip())
        if not match:
            return None
        try:
            value = date(*map(int, match.groups()))
        except ValueError:
            return None
    if isinstance(value, datetime):
        value = value.date()
    if not isinstance(value, date) or not _plausible(value):
        return None
    if value == _PYTHON_DOCX_TEMPLATE:
        return None
    return value.isoformat()
