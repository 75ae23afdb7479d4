"""Plain-text articles: .txt, and .md with an optional front matter block
(``title:``, ``date:``, ``author:``, ``source:``, ``url:``) and a leading
``# Heading`` taken as the title. Markdown is otherwise stored as written."""

from __future__ import annotations

import re
from pathlib import Path

from desktop.importers.drafts import ArticleDraft, iso_date
from desktop.importers.file_bytes import decode_text, read_bytes

_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(?P<body>.*?)\n---[ \t]*\n", re.S)
_FRONT_KEYS = {"title": "title", "date": "published", "published": "published",
               "author": "author", "source": "source", "url": "url", "link": "url"}


def read_plain_text(path: Path) -> ArticleDraft:
    """One article from a text file in any supported encoding."""
    notes: list[str] = []
    text = decode_text(read_bytes(path), notes)
    if path.suffix.lower() in (".md", ".markdown"):
        draft = markdown_draft(text)
        draft.notes = notes
        return draft
    return ArticleDraft(text=text, notes=notes)


def markdown_draft(text: str) -> ArticleDraft:
    """Front matter and a leading ``# Heading`` become metadata and title."""
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    fields = {}
    front = _FRONT_MATTER.match(text)
    if front:
        for line in front["body"].splitlines():
            key, sep, value = line.partition(":")
            field = _FRONT_KEYS.get(key.strip().lower())
            if sep and field and value.strip():
                fields[field] = value.strip().strip("\"'")
        text = text[front.end():]
    heading = re.match(r"\s*#\s+(?P<title>[^\n]+)\n", text)
    if heading and "title" not in fields:
        fields["title"] = heading["title"].strip().rstrip("#").strip()
        text = text[heading.end():]
    if "published" in fields:
        fields["published"] = iso_date(fields["published"])
    return ArticleDraft(text=text, **fields)
