"""What a reader hands over: an article draft, or a problem; and ISO dates."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from email.utils import parsedate_to_datetime


class ImportProblem(Exception):
    """A file (or one row of a batch file) cannot be imported; the message
    is one line for the user."""


@dataclass
class ArticleDraft:
    """An article as read from a file, before its stored text is decided."""

    text: str
    title: str | None = None
    source: str | None = None
    author: str | None = None
    published: str | None = None
    url: str | None = None
    #: a date from the file's own metadata (.docx created, PDF CreationDate):
    #: the weakest evidence, used only when nothing else dates the article
    file_date: str | None = None
    #: What the reader changed on the way in, one line each (e.g. NUL bytes
    #: removed); reported with the file, never stored.
    notes: list[str] = field(default_factory=list)
    #: a date the file gave that could not be read (the article is stored
    #: undated; the import's report counts them)
    unread_date: str | None = None
    #: passages another tool coded in the file (Taguette's document export:
    #: :class:`desktop.importers.taguette_document.Coding`), anchored in the
    #: text as stored and stored with the article
    codings: list = field(default_factory=list)

    def metadata(self) -> dict:
        """Source, author, published and URL, for :func:`storage.articles.add_article`."""
        return {"source": self.source, "author": self.author,
                "published": self.published, "url": self.url}

    def check_text(self) -> None:
        """:class:`ImportProblem` if a field holds something that is not text:
        an unpaired surrogate (JSON's ``"\\ud800"``), which cannot be stored."""
        for name in ("text", "title", "source", "author", "published", "url"):
            value = getattr(self, name)
            if not value:
                continue
            try:
                value.encode("utf-8")
            except UnicodeEncodeError as error:
                raise ImportProblem(
                    f"the {name} holds an unpaired surrogate "
                    f"(U+{ord(value[error.start]):04X}), which is not text") from None


_YEAR = re.compile(r"(?<!\d)(1[89]|20)\d\d(?!\d)")


_DOTTED = re.compile(r"^\s*\d{1,2}\.\d{1,2}\.\d{2,4}\b")
_NUMERIC = re.compile(r"^\s*(\d{1,2})[/.-](\d{1,2})[/.-]\d{2,4}\b")


def day_first(values) -> bool | None:
    """Whether numeric dates such as ``01/06/2024`` in ``values`` (one
    column of a file) put the day first: True when some value can only be
    read day first (13/06/2024), False when some can only be read month
    first (06/13/2024), None when none tells (or both do)."""
    day = month = False
    for value in values:
        found = _NUMERIC.match(str(value or ""))
        if found:
            first, second = int(found.group(1)), int(found.group(2))
            day = day or first > 12 >= second
            month = month or second > 12 >= first
    return day if day != month else None


def iso_date(value, *, dayfirst: bool | None = None) -> str | None:
    """A publication date as YYYY-MM-DD, from the forms feeds and pages use.

    Accepts ISO 8601 dates and times, RFC 2822 e-mail dates, Unix
    timestamps (seconds or milliseconds), and other written dates that
    contain a four-digit year. Returns None when it cannot tell — also when
    the day or the month is missing ("2024", "June 2024"): none is made up.
    ``dayfirst``: how to read ``01/06/2024`` (see :func:`day_first`); by
    default month first, but a dotted ``01.06.2024`` day first, as written
    where dots are used.
    """
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (int, float)):
        seconds = value / 1000 if value > 1e11 else value
        try:
            return datetime.fromtimestamp(seconds, timezone.utc).date().isoformat()
        except (OverflowError, OSError, ValueError):
            return None
    text = str(value).strip()
    if not text or not _YEAR.search(text):
        return None
    for parse in (lambda t: datetime.fromisoformat(t.replace("Z", "+00:00")),
                  parsedate_to_datetime):
        try:
            return parse(text).date().isoformat()
        except (TypeError, ValueError, IndexError):
            pass
    from dateutil import parser

    if dayfirst is None:
        dayfirst = bool(_DOTTED.match(text))
    try:
        # read twice with different defaults: what differs was not written
        one = parser.parse(text, dayfirst=dayfirst, default=datetime(2000, 1, 1))
        two = parser.parse(text, dayfirst=dayfirst, default=datetime(2001, 2, 2))
    except (ValueError, OverflowError):
        return None
    if (one.year, one.month, one.day) != (two.year, two.month, two.day):
        return None
    return one.date().isoformat()
