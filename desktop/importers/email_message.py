"""E-mails (.eml), e.g. newsletters and forwarded articles, via the
standard library: the subject is the title, the sender the source, the
Date header the published date, the plain-text part (else the HTML part)
the text."""

from __future__ import annotations

import re
from email import policy
from email.parser import BytesParser
from pathlib import Path

from desktop.importers.drafts import ArticleDraft, ImportProblem, iso_date
from desktop.importers.file_bytes import (WINDOWS_1252_LABELS, decode_text, read_bytes,
                                          windows_1252)

_FORWARD_PREFIX = re.compile(r"^\s*((fwd?|fw|re|tr|wg)\s*:\s*)+", re.I)
_HEADER_LINE = re.compile(rb"^[\x21-\x39\x3b-\x7e]+:")


def read_email(path: Path) -> ArticleDraft:
    """One article from an RFC 5322 message file."""
    data = read_bytes(path)
    if not _HEADER_LINE.match(data.lstrip()):
        raise ImportProblem("not an e-mail message (no headers)")
    message = BytesParser(policy=policy.default).parsebytes(data)
    body = message.get_body(preferencelist=("plain", "html"))
    if body is None:
        raise ImportProblem("the e-mail has no text part")
    try:
        content = _part_text(body)
    except (LookupError, UnicodeError, ValueError) as error:
        raise ImportProblem(f"the e-mail's text cannot be decoded ({error})") from error
    if body.get_content_subtype() == "html":
        from desktop.importers.web_page import extract_article, fragment_text

        try:
            content = extract_article(content).text
        except ImportProblem:
            content = fragment_text(content)
    subject = _FORWARD_PREFIX.sub("", str(message.get("subject", ""))).strip()
    return ArticleDraft(text=content, title=subject or None,
                        source=_sender(message), published=iso_date(message.get("date")))


def _part_text(part) -> str:
    """A text part's content; one labelled iso-8859-1 or us-ascii read as
    Windows-1252, as mail clients do (they send its curly quotes so); one
    that names no charset read as a file is (:func:`decode_text`: UTF-8,
    else detected) — taken for ASCII, its accents became U+FFFD."""
    charset = part.get_content_charset()
    if charset and charset.strip().lower() in WINDOWS_1252_LABELS:
        return windows_1252(part.get_payload(decode=True) or b"")
    if not charset:
        return decode_text(part.get_payload(decode=True) or b"")
    return part.get_content()


def _sender(message) -> str | None:
    try:
        addresses = message["from"].addresses if message["from"] else ()
    except (AttributeError, IndexError, ValueError):
        return str(message["from"] or "").strip() or None
    if not addresses:
        return None
    return addresses[0].display_name or addresses[0].addr_spec or None
