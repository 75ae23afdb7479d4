"""Importing plain-text articles: reading, cleaning, titles, and batches.

The stored text is decided here, once: line endings normalised, page
furniture removed (a leading line of other headlines joined by ``|``, a
trailing "Related News"). Offsets into it never move afterwards.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlite_utils import Database

from storage import articles

TEXT_SUFFIXES = (".txt",)
MAX_BYTES = 20 * 1024 * 1024
TITLE_LENGTH = 100

_FURNITURE_TAIL = re.compile(
    r"\n\s*(Related (News|Articles|Stories)|Read more|Share this( article)?)\s*$",
    re.IGNORECASE)
_DATELINE = re.compile(
    r"^[A-Z][\w .'-]{1,40}, (?P<date>(January|February|March|April|May|June|July|"
    r"August|September|October|November|December) \d{1,2}, \d{4})\s*[:\u2014\u2013-]")


class ImportProblem(Exception):
    """A file could not be imported; the message is one line for the user."""


@dataclass
class CleanArticle:
    """An article ready to store."""

    title: str
    text: str
    published: str | None = None


@dataclass
class ImportReport:
    """What an import did, file by file."""

    added: list[tuple[str, int]] = field(default_factory=list)
    duplicates: list[tuple[str, int]] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)

    def summary(self) -> str:
        return (f"{len(self.added)} imported, {len(self.duplicates)} already "
                f"present, {len(self.skipped)} skipped")


def normalise(text: str) -> str:
    """Unix line endings, no BOM, no trailing blank space at either end."""
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    return text.strip()


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


def clean_article(raw: str) -> CleanArticle:
    """Stored text and derived title (and dateline date) of a raw text."""
    text = normalise(raw)
    lines = text.split("\n")
    if lines and _is_headline_strip(lines[0]):
        text = "\n".join(lines[1:]).strip()
    text = _FURNITURE_TAIL.sub("", text).strip()
    title = None
    head, _, rest = text.partition("\n")
    if rest.strip() and _looks_like_headline(head.strip()):
        title, text = head.strip(), rest.strip()
    if not text:
        raise ImportProblem("no article text")
    published = None
    dateline = _DATELINE.match(text)
    if dateline:
        published = datetime.strptime(dateline["date"], "%B %d, %Y").date().isoformat()
    return CleanArticle(title or shorten(first_sentence(text)), text, published)


def read_text_file(path: Path) -> str:
    """The file's text; raises :class:`ImportProblem` for unreadable input."""
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise ImportProblem(f"larger than {MAX_BYTES // (1024 * 1024)} MB")
        data = path.read_bytes()
    except OSError as error:
        raise ImportProblem(error.strerror or str(error)) from error
    if b"\x00" in data[:8192]:
        raise ImportProblem("binary file, not text")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ImportProblem(f"not UTF-8 text (byte {error.start})") from error


def collect_files(paths: Iterable[Path]) -> tuple[list[Path], list[tuple[str, str]]]:
    """Expand folders (recursively) into importable files, in name order.

    Returns the files and ``(path, reason)`` for paths that cannot be used.
    """
    files, problems = [], []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(p for p in path.rglob("*")
                                if p.is_file() and p.suffix.lower() in TEXT_SUFFIXES))
        elif path.is_file():
            files.append(path)
        else:
            problems.append((str(path), "no such file or folder"))
    return files, problems


def import_files(db: Database, paths: Iterable[Path], *,
                 on_progress: Callable[[int, int], None] | None = None,
                 is_cancelled: Callable[[], bool] | None = None) -> ImportReport:
    """Import text files and folders; each file is its own transaction."""
    files, problems = collect_files(Path(p) for p in paths)
    report = ImportReport(skipped=problems)
    for number, path in enumerate(files, 1):
        if is_cancelled and is_cancelled():
            break
        try:
            article = clean_article(read_text_file(path))
            article_id, created = articles.add_article(
                db, title=article.title, text=article.text,
                published=article.published, filename=path.name)
        except ImportProblem as problem:
            report.skipped.append((str(path), str(problem)))
        else:
            (report.added if created else report.duplicates).append((str(path), article_id))
        if on_progress:
            on_progress(number, len(files))
    return report
