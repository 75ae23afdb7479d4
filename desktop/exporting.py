"""Exporting tagged passages to CSV or JSON Lines.

Files are written to a temporary file beside the target and renamed into
place, so a failed or cancelled export never leaves a half-written file.
"""

from __future__ import annotations

import csv
import json
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from sqlite_utils import Database

from storage import passages

FORMATS = ("csv", "jsonl")


class ExportCancelled(Exception):
    """The user cancelled; nothing was written."""


def _write_csv(handle, rows, tick) -> int:
    writer = csv.DictWriter(handle, fieldnames=passages.EXPORT_COLUMNS)
    writer.writeheader()
    count = 0
    for count, row in enumerate(rows, 1):
        writer.writerow(row)
        tick(count)
    return count


def _write_jsonl(handle, rows, tick) -> int:
    count = 0
    for count, row in enumerate(rows, 1):
        handle.write(json.dumps(row, ensure_ascii=False) + "\n")
        tick(count)
    return count


_WRITERS = {"csv": _write_csv, "jsonl": _write_jsonl}


def format_for(path: Path) -> str | None:
    """The export format a file name implies, if any."""
    suffix = path.suffix.lower().lstrip(".")
    return {"csv": "csv", "jsonl": "jsonl", "ndjson": "jsonl"}.get(suffix)


def export_passages(db: Database, path: str | Path, fmt: str, *,
                    tag: str | None = None,
                    on_progress: Callable[[int, int], None] | None = None,
                    is_cancelled: Callable[[], bool] | None = None) -> int:
    """Write every (or one tag's) passage to ``path``; returns the row count."""
    if fmt not in _WRITERS:
        raise ValueError(f"unknown export format {fmt!r} (use {', '.join(FORMATS)})")
    path = Path(path)
    total = passages.passage_count(db)

    def tick(count: int) -> None:
        if count % 200 == 0 or count == total:
            if is_cancelled and is_cancelled():
                raise ExportCancelled()
            if on_progress:
                on_progress(count, total)

    fd, temp = tempfile.mkstemp(prefix=".dossier-export-", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            count = _WRITERS[fmt](handle, passages.export_rows(db, tag=tag), tick)
        os.chmod(temp, 0o644)
        os.replace(temp, path)
    except BaseException:
        os.unlink(temp)
        raise
    return count
