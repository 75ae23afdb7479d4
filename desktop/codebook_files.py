"""Codebook files in any of three formats, told apart by their extension:
JSON (:mod:`desktop.codebook_json`), a REFI-QDA codebook ``.qdc``
(:mod:`desktop.refi_qda.codebook`) or CSV (:mod:`desktop.codebook_csv`,
the one Taguette reads). Shared by File → Export/Import codebook
and ``dossier codebook``; plain Python, no Qt.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sqlite_utils import Database

from desktop.codebook_csv import read_codebook_csv, write_codebook_csv
from desktop.codebook_json import read_codebook, write_codebook
from desktop.exporters.base import resolve_target
from desktop.refi_qda.codebook import read_qdc, write_qdc
from storage.codebook import codebook_entries
from storage.database import database_file
from widgets.wording import counted

JSON, QDC, CSV = "json", "qdc", "csv"
FORMATS = (JSON, QDC, CSV)
#: File-dialog filters, one per format (the first is the default).
FILTERS = {JSON: "JSON codebook (*.json)", QDC: "REFI-QDA codebook (*.qdc)",
           CSV: "CSV codebook, for Taguette and spreadsheets (*.csv)"}


def format_of(path: Path, default: str = JSON) -> str:
    """``qdc`` for a ``.qdc`` file (any case), ``csv`` for ``.csv``, ``json``
    for ``.json``, else ``default``."""
    suffix = Path(path).suffix.lower().lstrip(".")
    return suffix if suffix in FORMATS else default


def with_suffix(path: Path, fmt: str) -> Path:
    """``path`` ending in the format's extension (added when it has another)."""
    path = Path(path)
    return path if path.suffix.lower() == f".{fmt}" else path.with_name(f"{path.name}.{fmt}")


def export_codebook(db: Database, path: Path, fmt: str | None = None) -> int:
    """Write the codebook to ``path`` (format by extension unless given);
    returns how many tags were written. The database's own file is refused
    (:class:`~desktop.exporters.base.ExportTargetError`) before anything is
    read."""
    resolve_target(path, database_file(db))
    fmt = fmt or format_of(path)
    if fmt == QDC:
        return write_qdc(path, db)
    entries = codebook_entries(db)
    (write_codebook_csv if fmt == CSV else write_codebook)(path, entries)
    return len(entries)


@dataclass
class CodebookFile:
    """A codebook file read and checked: entries for
    :func:`storage.codebook.apply_codebook`, and what was left out."""

    entries: list[dict]
    skipped: list[tuple[str, str]] = field(default_factory=list)
    #: codes that come in under another name (a ``.qdc``'s ``Victims/Other``
    #: beside its ``Crime/Other``: “Other (2)”), with why
    renamed: list[tuple[str, str]] = field(default_factory=list)


def read_codebook_file(path: Path) -> CodebookFile:
    """Read a ``.qdc``, CSV or JSON codebook (by extension); raises
    :class:`~desktop.codebook_json.CodebookFileError` if it cannot be used."""
    if format_of(path) == QDC:
        qdc = read_qdc(path)
        return CodebookFile(qdc.entries, qdc.skipped, qdc.renamed)
    if format_of(path) == CSV:
        return CodebookFile(read_codebook_csv(path))
    return CodebookFile(read_codebook(path))


def import_lines(result: dict, skipped: list[tuple[str, str]],
                 renamed: list[tuple[str, str]] = ()) -> tuple[str, list[str]]:
    """``(summary, details)`` of an import: the counts, then one line per
    created, updated, renamed and skipped tag."""
    summary = f"{counted(len(result['created']), 'tag')} created, {len(result['updated'])} updated"
    if skipped:
        summary += f", {len(skipped)} skipped"
    details = ([f"created tag “{name}”" for name in result["created"]]
               + [f"updated tag “{name}”" for name in result["updated"]]
               + [f"renamed {what}: {why}" for what, why in renamed]
               + [f"skipped {what}: {why}" for what, why in skipped])
    return summary, details
