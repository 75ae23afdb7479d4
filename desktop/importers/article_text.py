"""Deciding the stored text of an article, once: normalised line endings,
page furniture removed (a leading line of other headlines joined by ``|``,
a trailing "Related News"), a title taken from the file or derived from
the text, and a publication date (:mod:`desktop.importers.dates`). Offsets into the stored text never move
afterwards, so this runs only at import.
"""

from __future__ import annotations

import re
from dataclasses import replace
from desktop.importers.dates import filename_date, text_date
from desktop.importers.drafts import ArticleDraft, ImportProblem

TITLE_LENGTH = 100

_FURNITURE_TAIL = re.compile(
    r"\n\s*(Related (News|Articles|Stories)|Read more|Share this( article)?)\s*$",
    re.IGNORECASE)


#: A terminal's escape sequences (colours, cursor moves) pasted or scraped
#: into a text file: ESC [ … letter, or ESC and one character.
ESCAPES = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b[@-Z\\-_]")
#: Control characters that are not text (tab and line breaks are): C0, DEL, C1.
_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def normalise(text: str) -> str:
    """Unix line endings; terminal escape sequences dropped and other control
    characters read as spaces (the reader and the list would show them as
    boxes, a terminal would run them); no blank space or byte-order mark at
    either end."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _strip_edges(controls_as_spaces(ESCAPES.sub("", text)))


def controls_as_spaces(text: str) -> str:
    """``text`` with each control character that is not text (see
    :data:`_CONTROLS`) read as one space: nothing moves, so an importer
    whose positions point into the text (a REFI-QDA project) can store it
    as a .txt import stores the same file."""
    return _CONTROLS.sub(" ", text)


def text_edges(text: str) -> tuple[int, int]:
    """Where ``text`` starts and ends without white space (``str.isspace``,
    as the regular expression ``\\s``) and byte-order marks at either end:
    ``text[start:end]`` is what :func:`normalise` keeps of it. (A regular
    expression anchored at the end tries every run of spaces in the text:
    nine tenths of this module's time on a news article.)"""
    head = text
    while (stripped := head.lstrip().lstrip("\ufeff")) != head:
        head = stripped
    tail = head
    while (stripped := tail.rstrip().rstrip("\ufeff")) != tail:
        tail = stripped
    start = len(text) - len(head)
    return start, start + len(tail)


def _strip_edges(text: str) -> str:
    start, end = text_edges(text)
    return text[start:end]


def paragraphs_text(paragraphs) -> str:
    """Paragraphs (each tidied to single spaces) joined by blank lines; empty
    ones dropped. For formats whose reader sees paragraphs, not lines."""
    tidy = (re.sub(r"[^\S\n]+", " ", p).strip() for p in paragraphs)
    return "\n\n".join(p for p in tidy if p)


def _is_headline_strip(line: str) -> bool:
    return line.count("|") >= 2 and len(line) > 40


def _looks_like_headline(line: str) -> bool:
    words = line.split()
    return (0 < len(words) <= 20 and not re.search(r"[.!?:;,]\s*$", line)
            and sum(w[:1].isupper() for w in words) >= 0.6 * len(words))


def first_sentence(text: str) -> str:
    """The first sentence of the first paragraph."""
    paragraph = text.strip().split("\n", 1)[0].strip()
    match = re.search(r"(?<=[a-z0-9\)\u2019\u201d][.!?])\s+(?=[A-Z\u201c\"])", paragraph)
    return paragraph[:match.start()] if match else paragraph


def shorten(sentence: str, limit: int = TITLE_LENGTH) -> str:
    """Trim to about ``limit`` characters at a clause or word boundary."""
    sentence = sentence.strip().rstrip(".")
    if len(sentence) <= limit:
        return sentence
    comma = sentence.rfind(", ", 0, limit + 20)
    if comma >= limit // 2:
        return sentence[:comma]
    cut = sentence.rfind(" ", 0, limit)
    return sentence[:cut if cut > 0 else limit].rstrip(",;: ") + "\u2026"


def strip_furniture(text: str) -> str:
    """Drop a leading strip of other headlines and a trailing "Related News"."""
    lines = text.split("\n")
    if lines and _is_headline_strip(lines[0]):
        text = "\n".join(lines[1:]).strip()
    return _FURNITURE_TAIL.sub("", text).strip()


def _same_words(a: str, b: str) -> bool:
    def key(s: str) -> str:
        return " ".join(re.sub(r"[^\w\s]", "", s).lower().split())
    return key(a) == key(b)


def finish(draft: ArticleDraft, *, filename: str | None = None) -> ArticleDraft:
    """The article as it will be stored: cleaned text, and always a title.

    A title the file gave (page metadata, e-mail subject, a CSV column) is
    kept, and the text's first line is dropped when it repeats it; without
    one, a headline-like first line becomes the title, else the first
    sentence, shortened. Raises :class:`ImportProblem` if no text is left.

    The published date is the first found of: the one the format gave
    (page metadata, e-mail Date, front matter, a CSV column), a dateline or
    "Published:" line at the top of the text, a date in ``filename`` (pass
    it only for a one-article file), the file's own metadata (``file_date``).
    """
    text = strip_furniture(normalise(draft.text))
    title = " ".join(normalise(draft.title or "").split()) or None
    if title:
        head, _, rest = text.partition("\n")
        if _same_words(head, title):
            text = rest.strip()
    else:
        head, _, rest = text.partition("\n")
        if rest.strip() and _looks_like_headline(head.strip()):
            title, text = head.strip(), rest.strip()
    if not text:
        raise ImportProblem("no article text")
    published = (draft.published or text_date(text)
                 or (filename_date(filename) if filename else None) or draft.file_date)
    return replace(draft, text=text, title=title or shorten(first_sentence(text)),
                   published=published)


def clean_article(raw: str) -> ArticleDraft:
    """Stored text, derived title and dateline date of a raw plain text."""
    return finish(ArticleDraft(text=raw))
