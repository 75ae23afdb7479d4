"""PDF files (.pdf) via pypdf: the text layer, page after page, reflowed into
paragraphs (:mod:`desktop.importers.pdf_reflow`: lines joined, hyphenation
undone, running headers, footers and page numbers dropped). Refused with a
reason: password-protected, truncated or damaged files, and scans without a
text layer."""

from __future__ import annotations

import io
from pathlib import Path

from desktop.importers.dates import metadata_date
from desktop.importers.drafts import ArticleDraft, ImportProblem
from desktop.importers.file_bytes import read_bytes
from desktop.importers.pdf_reflow import reflow

PDF_MAGIC = b"%PDF-"
_UNHELPFUL_TITLES = ("untitled", "microsoft word", "document")


def read_pdf(path: Path) -> ArticleDraft:
    """One article from a PDF's text layer."""
    data = read_bytes(path)
    if not data.lstrip()[:1024].startswith(PDF_MAGIC):
        raise ImportProblem("not a PDF file")
    if b"%%EOF" not in data[-2048:]:
        raise ImportProblem("incomplete PDF (no end-of-file marker: truncated?)")
    from pypdf import PdfReader
    from pypdf.errors import DependencyError, FileNotDecryptedError, PyPdfError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise ImportProblem("password-protected PDF")
        pages = [page.extract_text() or "" for page in reader.pages]
        info = reader.metadata
    except (FileNotDecryptedError, DependencyError) as error:
        raise ImportProblem("password-protected PDF") from error
    except ImportProblem:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError) as error:
        raise ImportProblem(f"damaged PDF ({error})") from error
    text = reflow(pages)
    if not text.strip():
        raise ImportProblem("the PDF has no text layer (a scan? run OCR first)")
    title = ((info.title if info else None) or "").strip()
    if title.lower().startswith(_UNHELPFUL_TITLES) or title.lower().endswith(
            (".pdf", ".doc", ".docx")):
        title = ""
    created = info.get("/CreationDate") if info else None
    return ArticleDraft(text=text, title=title or None,
                        file_date=metadata_date(str(created)) if created else None)
