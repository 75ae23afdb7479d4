"""Word documents (.docx) via python-docx: paragraphs and tables in order,
the title from the document properties or a leading Title/Heading 1
paragraph. Encrypted (password-protected) and old-format (.doc) files are
recognised and refused with a reason, and so is an archive that would
inflate beyond :data:`~desktop.importers.zip_limits.WORD_LIMITS` (checked
before anything is decompressed).

Word's "author" property names whoever created the file, not the article's
journalist, so it is not used. Its "created" date is kept as the weakest
evidence of the publication date (see :mod:`desktop.importers.dates`)."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from desktop.importers.article_text import paragraphs_text
from desktop.importers.dates import metadata_date
from desktop.importers.drafts import ArticleDraft, ImportProblem
from desktop.importers.file_bytes import read_bytes
from desktop.importers.zip_limits import WORD_LIMITS, ZipLimitError, check_zip

#: The signature of an OLE compound file: an encrypted Office file, or .doc.
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
_TITLE_STYLES = {"Title", "Heading 1"}


def read_word_document(path: Path) -> ArticleDraft:
    """One article from a .docx file."""
    data = read_bytes(path)
    if data.startswith(OLE_MAGIC):
        if "EncryptedPackage".encode("utf-16-le") in data:
            raise ImportProblem("password-protected Word document")
        raise ImportProblem("old Word format (.doc): save it as .docx first")
    if not data.startswith(ZIP_MAGIC):
        raise ImportProblem("not a Word .docx file")
    import docx
    from docx.opc.exceptions import PackageNotFoundError
    from docx.table import Table

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            check_zip(archive, WORD_LIMITS)
        document = docx.Document(io.BytesIO(data))
    except ZipLimitError as error:
        raise ImportProblem(f"refused: {error}") from error
    except zipfile.BadZipFile as error:
        raise ImportProblem("damaged .docx (incomplete ZIP archive)") from error
    except (PackageNotFoundError, KeyError, ValueError) as error:
        raise ImportProblem("not a Word .docx file (a ZIP archive without a "
                            "Word document in it)") from error
    title = (document.core_properties.title or "").strip() or None
    paragraphs = []
    for block in document.iter_inner_content():
        if isinstance(block, Table):
            paragraphs.extend(_table_rows(block))
            continue
        style = block.style.name if block.style is not None else ""
        if not title and not paragraphs and style in _TITLE_STYLES and block.text.strip():
            title = block.text.strip()
            continue
        paragraphs.append(block.text)
    return ArticleDraft(text=paragraphs_text(paragraphs), title=title,
                        file_date=metadata_date(document.core_properties.created))


def _table_rows(table) -> list[str]:
    rows = []
    for row in table.rows:
        cells = []
        for cell in row.cells:  # merged cells repeat: keep one
            text = " ".join(cell.text.split())
            if text and (not cells or cells[-1] != text):
                cells.append(text)
        rows.append(" | ".join(cells))
    return rows
