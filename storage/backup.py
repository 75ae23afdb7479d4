"""Backups of a Dossier database with SQLite's online backup API.

A backup is a consistent snapshot even while other connections write. Each
database keeps its backups in a folder beside it (``dossier.db`` →
``dossier.db.backups/``), the newest :data:`DEFAULT_KEEP` by default.

Every copy is checked (``PRAGMA quick_check``) before it takes its place. A
copy that fails the check is deleted at once: it never counts towards the
limit and never pushes a good backup out. If the database itself is damaged
the backup raises :class:`~storage.database.DamagedDatabaseError`, so the
caller can offer to restore the newest good backup (:func:`newest_good_backup`)
after setting the damaged file aside (:func:`set_aside`), never deleting it.

A copy is written as ``<name>.partial`` and renamed when complete; while it
is written the file holds an exclusive ``flock`` so that another Dossier
cleaning up leftovers of killed backups (:func:`clean_partial_backups`) can
tell a live copy from a dead one.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

from sqlite_utils import Database

from storage.database import (APPLICATION_ID, DatabaseError, check_file, damaged_error,
                              file_uri, get_meta, integrity_problems, set_meta, summary)
# (opening's own checks of an existing file, run on a backup before a restore)
from storage.database import _check_existing, _connect

try:
    import fcntl
except ImportError:          # Windows: an open file cannot be deleted anyway
    fcntl = None

DEFAULT_KEEP = 10
#: Backups together may take up to this much disk (the oldest go first),
#: but :data:`MIN_KEPT` are kept whatever their size: ten full copies of a
#: 100,000-article corpus would be 19 GB.
DEFAULT_MAX_BYTES = 8 * 1024**3
MIN_KEPT = 2
#: A backup is not written if it would leave less free disk than this (or
#: than the database's own size, if larger): a full disk would stop the
#: database itself from saving the next tag.
FREE_RESERVE_BYTES = 512 * 1024**2
_STAMP = "%Y%m%d-%H%M%S-%f"
_STAMP_IN_NAME = re.compile(r"\d{8}-\d{6}-\d{6}")
PARTIAL = ".partial"

#: A leftover younger than this is never removed: its writer may have only
#: just created it (and, without ``flock``, may still be writing it).
LEFTOVER_MIN_AGE_SECONDS = 60
LEFTOVER_MIN_AGE_UNLOCKED_SECONDS = 24 * 3600


class BackupError(DatabaseError):
    """A backup could not be written or restored; the message is for the user."""


class NoRoomError(BackupError):
    """The disk has no room for a backup, even once older ones are deleted
    (:func:`make_room`): the database itself is sound as far as anyone knows."""


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


@contextmanager
def held_while_written(path: Path) -> Iterator[None]:
    """Create ``path`` and hold an exclusive ``flock`` on it for the block:
    :func:`in_use` is True meanwhile, in this process and any other."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        if fcntl is not None:
            fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)          # releases the lock


def in_use(path: Path) -> bool:
    """True if a live writer holds ``path`` (:func:`held_while_written`)."""
    if fcntl is None:
        return False
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return True
    finally:
        os.close(fd)
    return False


def remove_if_stale(path: Path, now: float | None = None) -> bool:
    """Delete the leftover ``path`` unless someone is writing it or it is
    recent; returns True if it was deleted."""
    try:
        age = (now or time.time()) - path.stat().st_mtime
    except OSError:
        return False
    minimum = LEFTOVER_MIN_AGE_SECONDS if fcntl else LEFTOVER_MIN_AGE_UNLOCKED_SECONDS
    if age < minimum or in_use(path):
        return False
    try:
        path.unlink()
    except OSError:
        return False
    return True


def copy_database(source: sqlite3.Connection, target: Path) -> None:
    """Write a consistent copy of ``source`` to the file ``target`` (replaced),
    checked with ``PRAGMA quick_check`` before it replaces ``target``.

    Raises :class:`BackupError` if the copy fails the check, and SQLite's
    or the system's error if it cannot be written (a full disk): the copy
    is deleted with its journal, ``target`` left as it was."""
    partial = target.with_name(target.name + PARTIAL)
    _remove_with_side_files(partial)
    try:
        with held_while_written(partial):
            destination = sqlite3.connect(partial)
            try:
                source.backup(destination)
                destination.execute("PRAGMA journal_mode = DELETE")  # one self-contained file
                problems = integrity_problems(destination)
            finally:
                destination.close()
            if problems:
                raise BackupError(f"the copy failed its check ({summary(problems)})")
            partial.replace(target)
    except BaseException:
        _remove_with_side_files(partial)
        raise


def database_bytes(db_path: str | Path) -> int:
    """The size of a database with its write-ahead log: what a copy needs
    (through a symlink: the file it points to, beside which SQLite keeps
    the log)."""
    real = os.path.realpath(db_path)
    total = 0
    for path in (Path(real), Path(f"{real}-wal")):
        try:
            total += path.stat().st_size
        except OSError:
            pass
    return total


def _deletable(backups: list[Backup], spare: Path | None) -> list[Backup]:
    """Backups that may be deleted, newest first: all but the newest and
    ``spare`` (the backup a restore is about to use)."""
    spared = Path(spare).resolve() if spare else None
    return [b for b in backups[1:] if spared is None or b.path.resolve() != spared]


def room_plan(db_path: str | Path, needed: int, *, free: int | None = None,
              spare: Path | None = None) -> list[Path]:
    """The oldest backups (never the newest, nor ``spare``) that must go for
    a copy of ``needed`` bytes to leave :data:`FREE_RESERVE_BYTES` (or
    ``needed``, if larger) free; deletes nothing. Raises
    :class:`NoRoomError` if even deleting all it may would not make room."""
    folder = backup_folder(db_path)
    if free is None:
        free = shutil.disk_usage(folder if folder.is_dir() else Path(db_path).parent).free
    reserve = max(FREE_RESERVE_BYTES, needed)
    backups = _deletable(list_backups(db_path), spare)
    short = needed + reserve - free
    if short <= 0:
        return []
    if sum(b.size for b in backups) < short:
        raise NoRoomError(
            f"not enough free disk space: a backup needs {_size(needed)} and must leave "
            f"{_size(reserve)} free, and {_size(free)} is free. Free some space, or move "
            f"the backups in {folder} elsewhere.")
    doomed = []
    for backup in reversed(backups):      # oldest first
        if short <= 0:
            break
        doomed.append(backup.path)
        short -= backup.size
    return doomed


def make_room(db_path: str | Path, needed: int, *, free: int | None = None,
              spare: Path | None = None) -> list[Path]:
    """Delete the backups :func:`room_plan` names; returns what was
    deleted. Raises :class:`NoRoomError`, having deleted nothing, if even
    that would not make room."""
    doomed = room_plan(db_path, needed, free=free, spare=spare)
    for path in doomed:
        path.unlink(missing_ok=True)
    return doomed


def check_room(db_path: str | Path, *, spare: Path | None = None) -> None:
    """Raise :class:`NoRoomError`, deleting nothing, if a backup of the
    database at ``db_path`` would not be written for want of disk space
    (:func:`take_backup` deletes older backups first)."""
    room_plan(db_path, database_bytes(db_path), spare=spare)


def _size(count: int) -> str:
    return f"{count / 1024**3:.1f} GB" if count >= 1024**3 else f"{count / 1024**2:.0f} MB"


def take_backup(db: Database, db_path: str | Path, *, keep: int = DEFAULT_KEEP,
                label: str = "", max_bytes: int = DEFAULT_MAX_BYTES,
                spare: Path | None = None) -> Path:
    """Back up the open database ``db`` (stored at ``db_path``); prune old ones
    (see :func:`prune`).

    Raises :class:`~storage.database.DamagedDatabaseError` if the database is
    damaged (no backup is written and none is pruned) and :class:`BackupError`
    if the copy came out damaged although the database is sound, or
    :class:`NoRoomError` if the disk has no room for it (:func:`make_room`:
    older backups are deleted to make room, never the newest). ``spare``: a backup never deleted
    here (the one a restore is about to use).
    """
    folder = backup_folder(db_path)
    folder.mkdir(parents=True, exist_ok=True)
    doomed = room_plan(db_path, database_bytes(db_path), spare=spare)
    # a damaged database is found by the copy's check, after the room was
    # made: before deleting good backups for a copy that would not be kept,
    # the database is checked first (only then: a check reads every page)
    if doomed and (problems := integrity_problems(db.conn)):
        raise damaged_error(Path(db_path), summary(problems))
    for path in doomed:
        path.unlink(missing_ok=True)
    stamp = datetime.now(timezone.utc).strftime(_STAMP)
    target = folder / f"{Path(db_path).stem}-{stamp}{'-' + label if label else ''}.db"
    try:
        copy_database(db.conn, target)
    except BackupError as error:
        problems = integrity_problems(db.conn)
        if problems:
            raise damaged_error(Path(db_path), summary(problems)) from error
        raise
    except sqlite3.DatabaseError as error:
        if "malformed" in str(error) or "not a database" in str(error):
            raise damaged_error(Path(db_path), error) from error
        raise
    prune(db_path, keep, max_bytes=max_bytes, spare=spare)
    return target


#: A backup whose name says it was taken later than this past the clock
#: now was written while the clock ran ahead: it is older than it says.
FUTURE_TOLERANCE = timedelta(hours=1)


def list_backups(db_path: str | Path) -> list[Backup]:
    """The backups of a database, newest first — those whose time lies in
    the future (taken while the clock ran ahead) last, as the oldest: each
    new backup sorted behind them was deleted by the rotation as soon as it
    was written. A name whose time is not a time counts by the file's date."""
    found = []
    for path in backup_folder(db_path).glob("*.db"):
        try:
            info = path.stat()
        except OSError:
            continue      # removed meanwhile (another window pruning)
        stamp = _STAMP_IN_NAME.search(path.stem)
        try:
            taken = datetime.strptime(stamp.group(), _STAMP).replace(tzinfo=timezone.utc)
        except (AttributeError, ValueError):     # no stamp, or not a time ("…-120080-…")
            taken = datetime.fromtimestamp(info.st_mtime, timezone.utc)
        found.append(Backup(path, taken, info.st_size))
    horizon = datetime.now(timezone.utc) + FUTURE_TOLERANCE
    return sorted(found, key=lambda b: (b.taken_at <= horizon, b.taken_at, b.path.name),
                  reverse=True)


def prune(db_path: str | Path, keep: int, *, max_bytes: int | None = None,
          spare: Path | None = None) -> list[Path]:
    """Delete all but the newest ``keep`` backups, and then the oldest while
    the rest take more than ``max_bytes`` (at least :data:`MIN_KEPT`, or
    ``keep`` if fewer, stay); ``spare`` is never deleted. Returns what was
    deleted."""
    spared = Path(spare).resolve() if spare else None
    backups = [b for b in list_backups(db_path) if spared is None or b.path.resolve() != spared]
    doomed = backups[max(keep, 1):]
    kept = backups[:max(keep, 1)]
    if max_bytes is not None:
        total, floor = sum(b.size for b in kept), min(MIN_KEPT, len(kept))
        while len(kept) > floor and total > max_bytes:
            oldest = kept.pop()
            total -= oldest.size
            doomed.append(oldest)
    for backup in doomed:
        backup.path.unlink(missing_ok=True)
    return [b.path for b in doomed]


#: The label of the copy a restore keeps of what it replaced.
BEFORE_RESTORE = "before-restore"


def newest_good_backup(db_path: str | Path) -> Backup | None:
    """The newest backup of the database that passes ``PRAGMA quick_check``
    (older backups are checked only while newer ones fail), or None.

    Copies a restore kept of what it replaced come last: a second "restore
    the newest backup" must not bring back what the first one left."""
    backups = list_backups(db_path)
    kept_by_restores = [b for b in backups if b.path.stem.endswith("-" + BEFORE_RESTORE)]
    for backup in [b for b in backups if b not in kept_by_restores] + kept_by_restores:
        if not check_file(backup.path):
            return backup
    return None


def set_backups_aside(db_path: str | Path) -> Path | None:
    """Rename the backup folder of ``db_path`` to
    ``<name>.backups.lost-<time>`` beside it (a new database is started where
    a lost one's backups lie: its own backups' rotation would otherwise
    delete them one by one); the new name, or None if there was none."""
    folder = backup_folder(db_path)
    if not folder.is_dir():
        return None
    kept = folder.with_name(f"{folder.name}.lost-{datetime.now().strftime('%Y%m%d-%H%M%S')}")
    folder.replace(kept)
    return kept


def set_aside(path: str | Path) -> Path:
    """Rename a damaged database (and its ``-wal``/``-shm``) to
    ``<name>.damaged-<time>`` beside it; returns the new name. Nothing is
    deleted: what can still be read stays there for a specialist. Through a
    symlink, the file it points to is renamed (SQLite keeps the log beside
    it), and the link left for the restored file to be written through."""
    path = Path(os.path.realpath(path))
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    damaged = path.with_name(f"{path.name}.damaged-{stamp}")
    if path.exists():
        path.replace(damaged)
    for suffix in ("-wal", "-shm"):
        side = path.with_name(path.name + suffix)
        if side.exists():
            side.replace(damaged.with_name(damaged.name + suffix))
    return damaged


#: The ``meta`` key every restore writes a new value to: a window that
#: has the file open sees the whole database was replaced, although the
#: journal restored may hold fewer steps than the window has already seen.
RESTORED = "restored"


def restore_mark(db: Database) -> str | None:
    """The mark of the last restore into ``db`` (None if never restored)."""
    return get_meta(db, RESTORED)


def check_backup(backup: str | Path, *, sound: bool = False) -> None:
    """Raise :class:`BackupError` unless ``backup`` may replace a database:
    a Dossier database (not an empty SQLite file, nor another program's)
    whose schema this version reads (:func:`storage.database.open_database`'s
    checks of an existing file), that passes ``PRAGMA quick_check``
    (``sound``: it was just checked, only what it is is looked at). Reads
    the file only, through a read-only connection."""
    backup = Path(backup)
    if not sound and (problems := check_file(backup)):
        raise BackupError(f"the backup {backup.name} is damaged "
                          f"({summary(problems)}); choose another")
    try:
        conn = _connect(backup, read_only=True)
    except sqlite3.DatabaseError as error:
        raise BackupError(f"{backup} cannot be restored ({error})") from error
    try:
        _check_existing(conn, backup)
        ours = conn.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
    except DatabaseError as error:
        raise BackupError(f"{error}; it cannot be restored") from error
    except sqlite3.DatabaseError as error:
        raise BackupError(f"{backup} cannot be restored ({error})") from error
    finally:
        conn.close()
    if not ours:    # an empty SQLite file: it would restore nothing at all
        raise BackupError(f"{backup} is not a Dossier database; it cannot be restored")


#: What a restore writes beside a database that is not there (set aside as
#: damaged, or lost) before renaming it into place: ``<name>.restoring.partial``.
RESTORING = ".restoring" + PARTIAL
#: SQLite's files beside a database: its rollback journal, log and index.
SIDE_FILES = ("-journal", "-wal", "-shm")


def restore_backup(backup: Path, db_path: str | Path, *, checked: bool = False) -> None:
    """Replace the database at ``db_path`` by the backup's content, with a
    new :func:`restore_mark`.

    The backup is checked first (:func:`check_backup`; ``checked``: the
    caller did that) and :class:`BackupError` raised if it cannot be
    restored: nothing is changed. Over an existing file the content is
    written with the backup API into that file: connections to it (another
    window's) see the new content, and a write that fails is rolled back by
    SQLite, its WAL staying consistent. Where no file is (one set aside as
    damaged), it is written to :data:`RESTORING` beside the path and renamed
    into place only once complete (:func:`_restore_beside`). Through a
    symlink, the file it points to is written.
    """
    if not checked:
        check_backup(backup)
    real = Path(os.path.realpath(db_path))
    source = sqlite3.connect(file_uri(backup, mode="ro"), uri=True)
    try:
        if real.exists():
            _write_restored(source, real)
        else:
            _restore_beside(source, real)
    finally:
        source.close()


def _write_restored(source: sqlite3.Connection, path: Path) -> None:
    """Copy ``source`` into the database file at ``path`` with a new
    :func:`restore_mark`; SQLite rolls the file back if this fails."""
    target = sqlite3.connect(path)
    try:
        source.backup(target)
        set_meta(Database(target), RESTORED, uuid.uuid4().hex)
    finally:
        target.close()


def _restore_beside(source: sqlite3.Connection, path: Path) -> None:
    """Write ``source`` to :data:`RESTORING` beside ``path`` (no file there)
    and rename it to ``path`` when complete. A copy that fails partway (a
    full disk) is deleted with its journal and nothing is left at ``path``:
    written at ``path`` itself, the half-written file and its hot journal
    were taken for the database, and the journal rolled back onto the
    damaged file put back there truncated it to nothing."""
    partial = path.with_name(path.name + RESTORING)
    _remove_with_side_files(partial)
    try:
        with held_while_written(partial):
            _write_restored(source, partial)
        # a log or journal beside the path belongs to no file there: SQLite
        # would apply it to the restored one
        _remove_side_files(path)
        partial.replace(path)
    except BaseException:
        _remove_with_side_files(partial)
        raise


def _remove_side_files(path: Path) -> None:
    """Delete SQLite's journal, log and index of ``path`` (not the file)."""
    for suffix in SIDE_FILES:
        path.with_name(path.name + suffix).unlink(missing_ok=True)


def _remove_with_side_files(path: Path) -> None:
    """Delete ``path`` and SQLite's journal, log and index beside it."""
    path.unlink(missing_ok=True)
    _remove_side_files(path)


def put_back(aside: Path, db_path: str | Path) -> None:
    """Undo :func:`set_aside` after a restore that failed: the file kept as
    ``aside`` (with its ``-wal``/``-shm``) goes back where it was — through a
    symlink, to the file it points to, the link left as it is. What a
    restore left there goes first: a copy of the backup (still in the
    backup folder), a :data:`RESTORING` file, and above all a journal or log
    that SQLite would otherwise apply to the file put back."""
    real = Path(os.path.realpath(db_path))
    _remove_with_side_files(real.with_name(real.name + RESTORING))
    _remove_side_files(real)
    for suffix in ("", "-wal", "-shm"):
        side = aside.with_name(aside.name + suffix)
        if side.exists():
            side.replace(real.with_name(real.name + suffix))


def clean_partial_backups(db_path: str | Path) -> list[Path]:
    """Delete ``*.db.partial`` files left by backups (or pre-migration copies,
    or restores: :data:`RESTORING`) of this database whose writer was killed,
    and the ``*.partial-journal`` files SQLite left beside them: only
    Dossier's own, beside the database or in its backup folder, older than a
    minute and not being written by a live process. Returns what was
    deleted."""
    db_path = Path(db_path)
    name = glob_escape(db_path.name)
    patterns = [(backup_folder(db_path), f"*.db{PARTIAL}"),
                (db_path.parent, f"{name}.before-schema-*{PARTIAL}"),
                (db_path.parent, f"{name}{RESTORING}")]
    now = time.time()
    deleted = []
    for folder, pattern in patterns:
        deleted += [path for path in folder.glob(pattern) if remove_if_stale(path, now)]
        for journal in folder.glob(pattern + "-journal"):
            # a live copy's journal: its file is held by the writer
            copy = journal.with_name(journal.name.removesuffix("-journal"))
            if not in_use(copy) and remove_if_stale(journal, now):
                deleted.append(journal)
    return deleted


def glob_escape(name: str) -> str:
    """``name`` with glob's special characters (``*?[``) taken literally."""
    return re.sub(r"([*?[])", r"[\1]", name)
