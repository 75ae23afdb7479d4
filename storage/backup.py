"""Backups of a Dossier database with SQLite's online backup API.

A backup is a consistent snapshot even while other connections write. Each
database keeps its backups in a folder beside it (``dossier.db`` →
``dossier.db.backups/``), the newest :data:`DEFAULT_KEEP` by default.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from sqlite_utils import Database

DEFAULT_KEEP = 10
_STAMP = "%Y%m%d-%H%M%S-%f"
_STAMP_IN_NAME = re.compile(r"\d{8}-\d{6}-\d{6}")


@dataclass(frozen=True)
class Backup:
    """One backup file."""

    path: Path
    taken_at: datetime
    size: int


def backup_folder(db_path: str | Path) -> Path:
    """Where the backups of the database at ``db_path`` live."""
    db_path = Path(db_path)
    return db_path.with_name(db_path.name + ".backups")


def copy_database(source: sqlite3.Connection, target: Path) -> None:
    """Write a consistent copy of ``source`` to the file ``target`` (replaced)."""
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    destination = sqlite3.connect(partial)
    try:
        source.backup(destination)
        destination.execute("PRAGMA journal_mode = DELETE")  # one self-contained file
    finally:
        destination.close()
    partial.replace(target)


def take_backup(db: Database, db_path: str | Path, *, keep: int = DEFAULT_KEEP,
                label: str = "") -> Path:
    """Back up the open database ``db`` (stored at ``db_path``); prune old ones."""
    folder = backup_folder(db_path)
    folder.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(timezone.utc).strftime(_STAMP)
    target = folder / f"{Path(db_path).stem}-{stamp}{'-' + label if label else ''}.db"
    copy_database(db.conn, target)
    prune(db_path, keep)
    return target


def list_backups(db_path: str | Path) -> list[Backup]:
    """The backups of a database, newest first."""
    found = []
    for path in backup_folder(db_path).glob("*.db"):
        stamp = _STAMP_IN_NAME.search(path.stem)
        if stamp:
            taken = datetime.strptime(stamp.group(), _STAMP).replace(tzinfo=timezone.utc)
        else:
            taken = datetime.fromtimestamp(path.stat().st_mtime, timezone.utc)
        found.append(Backup(path, taken, path.stat().st_size))
    return sorted(found, key=lambda b: (b.taken_at, b.path.name), reverse=True)


def prune(db_path: str | Path, keep: int) -> list[Path]:
    """Delete all but the newest ``keep`` backups; returns what was deleted."""
    removed = []
    for backup in list_backups(db_path)[max(keep, 1):]:
        backup.path.unlink(missing_ok=True)
        removed.append(backup.path)
    return removed


def restore_backup(backup: Path, db_path: str | Path) -> None:
    """Replace the database at ``db_path`` by the backup's content.

    No connection to ``db_path`` may be open. The content is written with
    the backup API into the existing file, so its WAL stays consistent.
    """
    source = sqlite3.connect(f"file:{backup}?mode=ro", uri=True)
    target = sqlite3.connect(db_path)
    try:
        source.backup(target)
    finally:
        source.close()
        target.close()
