"""CSV and JSON Lines: one row per passage.

Columns: :data:`COLUMNS` — the stored passage columns, who said it (the
speaker and speaker kind of a passage that is or contains a quote, as the
analyst corrected them; empty otherwise), the article's source, author,
URL and published date, and stable ids (passage, article and tag uuids and
the article text's hash) that join exports of different copies. JSON Lines keeps every value exactly as stored (UTF-8,
one object per line); it is the format for scripts.

CSV is for spreadsheets. It is UTF-8, optionally with a byte-order mark
(Excel needs one to read UTF-8 on double-click; the export dialog sets it
by default, the command line with ``--bom``), rows end in CRLF, and every
value containing a comma, quote or line break is quoted with inner quotes
doubled (RFC 4180). A text cell that starts with ``= + - @``, a tab or a
carriage return would be run as a formula by Excel or LibreOffice, so it is
prefixed with an apostrophe (``'=1+1``): the apostrophe is visible in
the cell and the value is not executed. Offsets and ids are never changed.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

from desktop.exporters.base import ExportJob, ExportResult
from storage.export_selection import selected_passages
from storage.passages import EXPORT_COLUMNS

#: ``passage_id`` and ``article_id`` are this file's row numbers; the uuids
#: (and the article text's hash) stay the same in every copy of the data —
#: another analyst's file, a merge, the team hub — so exports can be joined
COLUMNS = EXPORT_COLUMNS + ("speaker", "speaker_kind", "article_source", "article_author",
                            "article_url", "article_published", "passage_uuid",
                            "article_uuid", "tag_uuid", "article_hash",
                            # who decided a consensus passage (adjudication); empty otherwise
                            "decided_by")

#: First characters that make a spreadsheet cell a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise_formula(value):
    """Prefix an apostrophe to a string a spreadsheet would run as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def rows(job: ExportJob):
    """The chosen passages (every selected field), counting progress."""
    for row in selected_passages(job.db, job.filter, who_said=True):
        yield row
        job.progress.step()


def write_csv(path: Path, job: ExportJob) -> ExportResult:
    count = 0
    encoding = "utf-8-sig" if job.options.bom else "utf-8"
    with path.open("w", encoding=encoding, newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS, lineterminator="\r\n")
        writer.writeheader()
        for count, row in enumerate(rows(job), 1):
            writer.writerow({k: neutralise_formula(row[k]) for k in COLUMNS})
    return ExportResult(count)


def write_jsonl(path: Path, job: ExportJob) -> ExportResult:
    count = 0
    with path.open("w", encoding="utf-8", newline="\n") as handle:
        for count, row in enumerate(rows(job), 1):
            handle.write(json.dumps({k: row[k] for k in COLUMNS}, ensure_ascii=False) + "\n")
    return ExportResult(count)
