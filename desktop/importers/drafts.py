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


def iso_date(value) -> str | None:
    """A publication date as YYYY-MM-DD, from the forms feeds and pages use.

    Accepts ISO 8601 dates and times, RFC 2822 e-mail dates, Unix
    timestamps (seconds or milliseconds), and other written dates that
    contain a four-digit year. Returns None when it cannot tell.
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

    try:
        return parser.parse(text).date().isoformat()
    except (ValueError, OverflowError):
        return None
