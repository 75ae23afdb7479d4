"""Which reader reads a file: by its content where that is unmistakable (a
PDF is a PDF whatever it is called), else by its suffix."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from desktop.importers import batch_files, email_message, pdf_document, plain_text
from desktop.importers import web_page, word_document
from desktop.importers.drafts import ArticleDraft, ImportProblem

Entries = list[tuple[str, "ArticleDraft | ImportProblem"]]

#: One article per file.
SINGLE = {
    ".txt": plain_text.read_plain_text, ".md": plain_text.read_plain_text,
    ".markdown": plain_text.read_plain_text,
    ".html": web_page.read_web_page, ".htm": web_page.read_web_page,
    ".xhtml": web_page.read_web_page,
    ".docx": word_document.read_word_document,
    ".pdf": pdf_document.read_pdf,
    ".eml": email_message.read_email,
}
#: Many articles per file.
BATCH = {".csv": batch_files.read_csv, ".json": batch_files.read_json,
         ".jsonl": batch_files.read_json_lines, ".ndjson": batch_files.read_json_lines}
SUPPORTED_SUFFIXES = tuple(SINGLE) + tuple(BATCH)

_HTML_START = re.compile(rb"^\s*(<!--.*?-->\s*)*<(!doctype\s+html|html)\b", re.I | re.S)


def _sniff(head: bytes) -> Callable | None:
    """A reader chosen by the first bytes, when they leave no doubt."""
    if head.lstrip()[:1024].startswith(pdf_document.PDF_MAGIC):
        return pdf_document.read_pdf
    if head.startswith(word_document.OLE_MAGIC):
        return word_document.read_word_document  # it explains encrypted/.doc files
    if _HTML_START.match(head.lstrip(b"\xef\xbb\xbf")):
        return web_page.read_web_page
    return None


def read_entries(path: Path) -> Entries:
    """The articles in one file as ``(label, draft or problem)``; raises
    :class:`ImportProblem` when the file as a whole cannot be used."""
    return [(label, batch_files.resolve(entry)) for label, entry in open_entries(path)[1]]


def open_entries(path: Path) -> tuple[bool, "batch_files.BatchRows | Entries"]:
    """``(is_batch, rows)``: a batch file's rows are streamed
    (:class:`~desktop.importers.batch_files.BatchRows`, with an estimated
    ``total``); any other file gives a one-entry list. Raises
    :class:`ImportProblem` when the file as a whole cannot be used."""
    suffix = path.suffix.lower()
    try:
        with path.open("rb") as handle:
            head = handle.read(4096)
    except OSError as error:
        raise ImportProblem(f"cannot be read: {error.strerror or error}") from error
    sniffed = _sniff(head)
    if suffix in BATCH and sniffed is None:
        return True, _guarded(BATCH[suffix], path)
    reader = sniffed or SINGLE.get(suffix)
    if reader is None:
        if head.startswith(b"SQLite format 3\0"):
            raise ImportProblem("an SQLite database (a Taguette project export, or another "
                                "program's), not articles; Dossier does not read it")
        if suffix == ".qdc":
            raise ImportProblem("a REFI-QDA codebook; import it with File → Import codebook… "
                                "or “dossier codebook import FILE”")
        if suffix:
            raise ImportProblem(f"unsupported file type {suffix} (Dossier imports "
                                f"{' '.join(SUPPORTED_SUFFIXES)})")
        reader = plain_text.read_plain_text
    return False, [(str(path), _guarded(reader, path))]


def _guarded(reader: Callable, path: Path):
    """Call a reader; a library's unexpected error becomes a skip, not a crash."""
    try:
        return reader(path)
    except ImportProblem:
        raise
    except (MemoryError, RecursionError) as error:
        raise ImportProblem(f"too complex to read ({type(error).__name__})") from error
    except Exception as error:  # a damaged file can make any parser raise anything
        raise ImportProblem(f"cannot be read ({type(error).__name__}: {error})") from error
