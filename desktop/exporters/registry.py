"""The export formats, and :func:`export_passages`, which runs one.

Each format's writer is imported only when used, so a CSV export never
loads spaCy or Qt. Every format is written to a temporary file beside the
target and renamed into place: a failed or cancelled export leaves no file
(and an existing file at the target untouched). ``-`` is standard output;
a FIFO, device or folder is refused, and so is the database being exported
(:func:`~desktop.exporters.base.write_file`).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlite_utils import Database

from desktop.exporters.base import (ExportJob, ExportOptions, ExportResult, resolve_target,
                                    write_file)
from storage.database import database_file
from storage.export_selection import PassageFilter, undated_left_out
from widgets.wording import counted


@dataclass(frozen=True)
class ExportFormat:
    """One format: its name on the command line, its label in the dialog,
    its file suffixes (first is the default) and its writer."""

    name: str
    label: str
    suffixes: tuple[str, ...]
    writer: str  # "module:function"
    purpose: str

    def file_filter(self) -> str:
        """A Qt file-dialog filter, e.g. ``CSV (*.csv)``."""
        return f"{self.label} ({' '.join('*' + s for s in self.suffixes)})"

    def load_writer(self) -> Callable[[Path, ExportJob], ExportResult]:
        module, function = self.writer.split(":")
        return getattr(importlib.import_module(module), function)


_ALL = (
    ExportFormat("csv", "CSV", (".csv",), "desktop.exporters.tabular:write_csv",
                 "spreadsheets (Excel, LibreOffice); formula cells neutralised"),
    ExportFormat("jsonl", "JSON Lines", (".jsonl", ".ndjson"),
                 "desktop.exporters.tabular:write_jsonl",
                 "scripts and data tools; every value exactly as stored"),
    ExportFormat("xlsx", "Excel workbook", (".xlsx",), "desktop.exporters.xlsx:write_xlsx",
                 "Excel: a sheet of passages and a sheet of tags in their colours"),
    ExportFormat("qdpx", "REFI-QDA project", (".qdpx",), "desktop.refi_qda.export:write_qdpx",
                 "NVivo, ATLAS.ti, MAXQDA, QualCoder: articles, codes and codings"),
    ExportFormat("w3c", "W3C Web Annotations", (".jsonld", ".json"),
                 "desktop.exporters.web_annotation:write_annotations",
                 "annotation tools: JSON-LD, text quote and position selectors"),
    ExportFormat("spacy", "spaCy training data", (".spacy",),
                 "desktop.exporters.spacy_docbin:write_docbin",
                 "spacy train: passages as spans, stored entities as ents"),
    ExportFormat("html", "HTML report", (".html", ".htm"),
                 "desktop.exporters.html_report:write_html",
                 "reading and sharing: passages in context, grouped by tag"),
    ExportFormat("pdf", "PDF report", (".pdf",), "desktop.exporters.pdf_report:write_pdf",
                 "printing: the HTML report laid out by Qt"),
)

#: Every format by name, in menu order.
FORMATS: dict[str, ExportFormat] = {f.name: f for f in _ALL}


def format_for(path: str | Path) -> str | None:
    """The export format a file name implies, if any."""
    suffix = Path(path).suffix.lower()
    return next((f.name for f in _ALL if suffix in f.suffixes), None)


def export_passages(db: Database, path: str | Path, fmt: str, *,
                    filter: PassageFilter = PassageFilter(),
                    options: ExportOptions = ExportOptions(),
                    on_progress: Callable[[int, int], None] | None = None,
                    is_cancelled: Callable[[], bool] | None = None) -> ExportResult:
    """Write the filtered passages to ``path`` in format ``fmt``.

    Raises :class:`~desktop.exporters.base.ExportCancelled` if cancelled
    and ``OSError`` if the file cannot be written
    (:class:`~desktop.exporters.base.ExportTargetError` if ``path`` is not
    a new or regular file, or is ``db``'s own file; ``-`` is standard
    output); either way no file is
    left at ``path`` that was not there before. A published-date range that
    leaves out passages of undated articles adds a warning counting them.
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r} (use {', '.join(FORMATS)})")
    writer = FORMATS[fmt].load_writer()
    database = database_file(db)
    resolve_target(path, database)      # refused before the passages are read
    job = ExportJob(db, filter, options, on_progress, is_cancelled)

    def write(temp: Path) -> ExportResult:
        result = writer(temp, job)
        job.progress.check()
        return result
    result = write_file(path, write, database)
    left_out = undated_left_out(db, filter)
    if left_out:
        # undated coverage is never dropped without a word
        result.warnings.append(
            f"{counted(left_out, 'passage')} of undated articles "
            f"{'was' if left_out == 1 else 'were'} left out: the date range "
            f"applies to the published date (the article list's Undated filter in the "
            f"window, or `dossier list --undated`, shows those articles).")
    return result
