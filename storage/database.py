"""Opening a Dossier database: checks, pragmas and migrations.

A Dossier database is an SQLite file whose ``PRAGMA application_id`` is
:data:`APPLICATION_ID`. Opening refuses files that are not SQLite, SQLite
files that belong to something else, and databases written by a newer
Dossier; it writes nothing to a file before those checks pass. Paths that
exist but are not regular files (a device, a pipe) are refused before
anything is written. A file that cannot be written (permissions) is opened
read-only (:func:`is_read_only`). Also the integrity check
(:func:`integrity_problems`), ``file:`` URIs with every reserved character
escaped (:func:`file_uri`), and the transaction a worker's long batch of
writes runs in (:func:`write_transaction`).
"""

from __future__ import annotations

import os
import sqlite3
import stat
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, time as day_time, timedelta, timezone
from pathlib import Path
from urllib.parse import urlencode

from sqlite_utils import Database

from storage import durability

from storage.schema import MIGRATIONS, SCHEMA_VERSION

#: "DOSS" as a big-endian 32-bit integer, stored in the SQLite file header.
APPLICATION_ID = 0x444F5353

#: How long a writer waits for another connection's lock before failing.
BUSY_TIMEOUT_SECONDS = 10.0
#: How long the window's own connection waits for it (:func:`wait_for_locks`):
#: the window waits on its GUI thread, frozen meanwhile. The window's own
#: workers hold the lock a fraction of a second at a time (a hub pull of 500
#: steps about 0.15 s); a long command (an import, an undo) holds it for
#: seconds, and the change is then refused with nothing lost (the selection,
#: a note or a memo stay to be saved again), not a window frozen for 10 s.
WINDOW_BUSY_TIMEOUT_SECONDS = 2.0


class DatabaseError(Exception):
    """A database cannot be opened; the message is meant for the user."""


class NotADossierDatabaseError(DatabaseError):
    """The file exists but is not a Dossier database (nor an empty one)."""


class NewerDatabaseError(DatabaseError):
    """The database was written by a newer Dossier with a newer schema."""


class DamagedDatabaseError(DatabaseError):
    """The file is an SQLite database, but damaged (malformed pages), or a
    file with Dossier backups beside it whose header is no longer SQLite's."""


class LostDatabaseError(DamagedDatabaseError):
    """The file is missing or empty (0 bytes) while backups of it lie
    beside it: a failed copy, a sync client, a full disk, a file moved away.
    Its backups are offered; a new database is made there only when asked
    (``open_database(…, despite_backups=True)``), never silently."""


class NotARegularFileError(DatabaseError):
    """The path names a device, a pipe, a socket…: never a database."""


class ReadOnlyDatabaseError(DatabaseError):
    """A change was asked of a database opened read-only."""


def is_damage(error: BaseException) -> bool:
    """True for SQLite's word that a page is damaged (or the file is no
    longer a database) — not for a lock, a full disk or a read-only file."""
    text = str(error)
    return isinstance(error, sqlite3.DatabaseError) and (
        "malformed" in text or "not a database" in text)


@contextmanager
def damage_reported(db: Database, path: str | Path) -> Iterator[None]:
    """The first reads of a database just opened: :func:`open_database`
    reads its header and schema only, so damage in another page (the
    ``meta`` table, say) shows at the first read of that page. Inside this
    block such an error closes ``db`` and becomes the
    :class:`DamagedDatabaseError` opening would have raised, so that the
    caller offers the same way out (a backup, another file)."""
    try:
        yield
    except sqlite3.DatabaseError as error:
        if not is_damage(error):
            raise
        db.close()
        raise damaged_error(Path(path), error) from error


def chunks(ids: list, size: int = 500) -> Iterator[list]:
    """``ids`` in slices of ``size``: an ``IN (?, …)`` list within SQLite's
    bound-parameter limit."""
    for start in range(0, len(ids), size):
        yield ids[start:start + size]


def backups_beside(path: Path) -> int:
    """How many backups of the database at ``path`` lie in its backup folder
    (``<name>.backups``, see :func:`storage.backup.backup_folder`)."""
    folder = path.with_name(path.name + ".backups")
    try:
        return sum(1 for _ in folder.glob("*.db")) if folder.is_dir() else 0
    except OSError:
        return 0


def damaged_error(path: Path, error: Exception | str) -> DamagedDatabaseError:
    """The error saying the database at ``path`` is damaged (``error``: what
    SQLite or its check said)."""
    way_on = ("Restore a backup, or open another file." if backups_beside(Path(path))
              else "No backup of it was found beside it; open another file.")
    return DamagedDatabaseError(f"{path} is damaged ({error}). {way_on}")


def _lost_error(path: Path, what: str, backups: int) -> LostDatabaseError:
    return LostDatabaseError(
        f"{path} {what}, but {backups} backup{'s' if backups != 1 else ''} of it "
        f"{'are' if backups != 1 else 'is'} beside it (in {path.name}.backups): a copy "
        "or sync that did not finish, a full disk or a file moved away. Restore the latest "
        "backup (in the window, or with dossier restore), open another file, or start a "
        f"new database there (the window offers it; elsewhere, move {path.name}.backups "
        "away first).")


def file_uri(path: str | Path, **params: str) -> str:
    """An SQLite ``file:`` URI naming ``path``, with every character SQLite
    would read as syntax (``#``, ``?``, ``%``, spaces…) percent-escaped, and
    ``params`` (e.g. ``mode="ro"``) as its query. A path used unescaped in a
    URI is cut at ``#`` or ``?``: SQLite then opens (or creates) another,
    empty file."""
    uri = Path(os.path.abspath(path)).as_uri()
    return uri + ("?" + urlencode(params) if params else "")


#: The page cache of a connection, in KiB (SQLite's default is 2 MiB: on
#: 100,000 articles the speaker filter's look-ups into the analyses and
#: passages read the same pages from the file again and again, a quarter of
#: its time). Memory is taken only as pages are read.
CACHE_KIB = 64 * 1024


def _connect(path: Path, *, read_only: bool = False) -> sqlite3.Connection:
    if not read_only:
        return sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_SECONDS)
    try:
        conn = sqlite3.connect(file_uri(path, mode="ro"), uri=True,
                               timeout=BUSY_TIMEOUT_SECONDS)
        conn.execute("PRAGMA schema_version").fetchone()
    except sqlite3.OperationalError as error:
        if "unable to open" not in str(error):
            raise
        # a WAL database in a folder we cannot write either: its -shm cannot
        # be made, so read the file as it is (nobody can write it meanwhile
        # through this folder's permissions)
        conn = sqlite3.connect(file_uri(path, mode="ro", immutable="1"), uri=True,
                               timeout=BUSY_TIMEOUT_SECONDS)
    conn.execute("PRAGMA query_only = ON")
    return conn


def wait_for_locks(db: Database, seconds: float) -> None:
    """How long ``db`` waits for another connection's write lock before a
    change fails with "database is locked"."""
    db.execute(f"PRAGMA busy_timeout = {round(seconds * 1000)}")


def write_protected(path: Path) -> bool:
    """True if ``path`` (an existing file) cannot or should not be written:
    no write permission for us, or no write permission bit for anyone (a file
    made read-only on purpose, honoured even by an administrator's account),
    or a folder where SQLite cannot create its journal files."""
    mode = path.stat().st_mode
    return (not os.access(path, os.W_OK) or not mode & 0o222
            or not os.access(path.parent, os.W_OK | os.X_OK))


def is_read_only(db: Database) -> bool:
    """True if ``db`` was opened read-only (:func:`open_database`)."""
    return bool(db.execute("PRAGMA query_only").fetchone()[0])


def integrity_problems(conn: sqlite3.Connection, limit: int = 10) -> list[str]:
    """What ``PRAGMA quick_check`` finds wrong with the database (an empty list
    if nothing): damaged pages, broken b-trees, bad records. Reads every page
    once (seconds for a database of a gigabyte); writes nothing."""
    try:
        rows = conn.execute(f"PRAGMA quick_check({int(limit)})").fetchall()
    except sqlite3.DatabaseError as error:
        return [str(error)]
    problems = [line.strip() for row in rows for line in str(row[0]).splitlines()
                if line.strip() and not line.startswith("*** in database")]
    return [] if problems == ["ok"] else problems


def summary(problems: list[str]) -> str:
    """Problems found by a check, in one line: the first and how many more."""
    more = len(problems) - 1
    return problems[0] + (f", and {more} more problem{'s' * (more > 1)}" if more else "")


def check_file(path: str | Path) -> list[str]:
    """:func:`integrity_problems` of the database file at ``path``, read
    through a read-only connection of its own (any thread)."""
    try:
        conn = _connect(Path(path), read_only=True)
    except sqlite3.DatabaseError as error:
        return [str(error)]
    try:
        return integrity_problems(conn)
    finally:
        conn.close()


def _check_existing(conn: sqlite3.Connection, path: Path, *,
                    despite_backups: bool = True) -> None:
    """Raise unless ``conn`` is empty or a Dossier database we can read. An
    empty SQLite file with backups beside it raises :class:`LostDatabaseError`
    unless ``despite_backups``, as a missing or 0-byte file does
    (:func:`_check_path`)."""
    try:
        application_id = conn.execute("PRAGMA application_id").fetchone()[0]
        user_version = conn.execute("PRAGMA user_version").fetchone()[0]
        tables = conn.execute(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table'"
        ).fetchone()[0]
    except sqlite3.DatabaseError as error:
        if "malformed" in str(error) or _has_backups(path):
            raise damaged_error(path, error) from error
        raise NotADossierDatabaseError(
            f"{path} is not a Dossier database ({error})"
        ) from error
    if application_id != APPLICATION_ID:
        if tables and _has_backups(path):
            raise damaged_error(path, "its header no longer says it is a Dossier database")
        if tables:
            raise NotADossierDatabaseError(
                f"{path} is an SQLite database, but not a Dossier database"
            )
        # an empty SQLite file: what a restore or copy that failed partway
        # may leave where a database was; started afresh, it hid the work
        # its backups hold
        if not despite_backups and (count := backups_beside(path)):
            raise _lost_error(path, "holds no data (an empty SQLite file)", count)
        return  # fine to initialise
    if user_version > SCHEMA_VERSION:
        raise NewerDatabaseError(
            f"{path} was written by a newer version of Dossier "
            f"(schema {user_version}, this version reads up to {SCHEMA_VERSION})"
        )


def _has_backups(path: Path) -> bool:
    """True if Dossier backups of ``path`` lie beside it: a file there that
    no longer reads as SQLite was a Dossier database, now damaged (its
    header overwritten), not some other file opened by mistake."""
    from storage.backup import list_backups

    try:
        return bool(list_backups(path))
    except OSError:
        return False


def _migrate(db: Database, path: Path) -> None:
    """Bring the schema up to date in one transaction.

    An existing database (one with tables) is first copied, as it was, to
    ``<name>.before-schema-<N>.db`` beside it; a copy that cannot be
    written (a full disk) raises :class:`DatabaseError` saying how much room
    it needs, nothing changed.
    """
    from storage.backup import copy_database

    old_version = db.execute("PRAGMA user_version").fetchone()[0]
    if db.table_names():
        try:
            copy_database(db.conn, path.with_name(
                f"{path.name}.before-schema-{SCHEMA_VERSION}-from-{old_version}.db"))
        except (sqlite3.OperationalError, OSError) as error:
            raise _no_room_to_upgrade(path, error) from error
    with db.atomic():
        journaled = "journal_open" in db.table_names()
        if journaled:   # migrations fill columns unrecorded (storage.journal)
            db.execute("INSERT OR REPLACE INTO journal_open (id, step_id) VALUES (1, 0)")
        MIGRATIONS.apply(db)
        from storage import journal
        journal.retrack_all(db)
        db.execute("DELETE FROM journal_open")
        db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")


def _no_room_to_upgrade(path: Path, error: Exception) -> DatabaseError:
    """The error saying the copy kept before an upgrade of ``path`` could
    not be written (``error``), and how much disk it takes: the file with
    its write-ahead log."""
    from storage.backup import database_bytes

    megabytes = max(1, -(-database_bytes(path) // 1024**2))      # rounded up
    return DatabaseError(
        f"{path} needs upgrading, but there is no room for the copy kept before it "
        f"({error}); free about {megabytes:,} MB beside it and open it again. "
        f"Nothing was changed.")


def _check_path(path: Path, create: bool, despite_backups: bool = False) -> None:
    """Refuse paths that cannot hold a database, before anything is written;
    and a missing or empty file whose backups lie beside it (unless
    ``despite_backups``): starting it afresh hid the analyst's work, and the
    backups that held it were pruned one exit at a time."""
    try:
        info = path.stat()
    except (FileNotFoundError, NotADirectoryError):
        if not create:
            raise DatabaseError(f"{path} does not exist") from None
        if not despite_backups and (count := backups_beside(path)):
            raise _lost_error(path, "is not there", count) from None
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise DatabaseError(f"cannot create the folder {path.parent}: "
                                f"{error.strerror or error}") from error
        if not os.access(path.parent, os.W_OK | os.X_OK):
            raise DatabaseError(f"cannot create {path}: the folder {path.parent} "
                                f"cannot be written")
        return
    except OSError as error:
        raise DatabaseError(f"cannot open {path}: {error.strerror or error}") from error
    if stat.S_ISDIR(info.st_mode):
        raise NotADossierDatabaseError(f"{path} is a folder, not a database file")
    if not stat.S_ISREG(info.st_mode):
        raise NotARegularFileError(
            f"{path} is not a regular file (a device, pipe or socket); a Dossier "
            f"database is a file of its own")
    if not os.access(path, os.R_OK):
        raise DatabaseError(f"cannot open {path}: permission denied")
    if info.st_size == 0 and not despite_backups and (count := backups_beside(path)):
        raise _lost_error(path, "is empty (0 bytes)", count)


def open_database(path: str | Path, *, create: bool = True,
                  read_only: bool | None = None, despite_backups: bool = False) -> Database:
    """Open (and if needed create and migrate) the Dossier database at ``path``.

    Each thread must call this for its own connection. Raises
    :class:`DatabaseError` subclasses with a user-readable message.
    ``read_only``: None (the default) opens a write-protected file
    (:func:`write_protected`) read-only and any other for writing; True
    always read-only. A read-only database is never created nor migrated,
    and any write to it fails (:func:`is_read_only` says so).
    A missing, 0-byte or empty SQLite file with backups beside it raises
    :class:`LostDatabaseError` unless ``despite_backups`` (the analyst chose
    to start a new database there).
    """
    path = Path(path)
    _check_path(path, create, despite_backups)
    if read_only is None:
        read_only = path.exists() and write_protected(path)
    conn = _connect(path, read_only=read_only)
    try:
        _check_existing(conn, path, despite_backups=despite_backups)
        if read_only:
            db = Database(conn)
            if MIGRATIONS.pending(db):
                raise ReadOnlyDatabaseError(
                    f"{path} is read-only and not yet brought up to this version of "
                    f"Dossier; copy it somewhere you can write to open it")
            conn.execute("PRAGMA foreign_keys = ON")
            conn.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
            return db
        conn.execute("PRAGMA journal_mode = WAL")
        # FULL: an acknowledged tag survives a crash of the whole machine,
        # not just of Dossier; a commit costs one fsync.
        conn.execute("PRAGMA synchronous = FULL")
        # the log cut back to a checkpoint's worth when it starts over, by
        # whichever connection writes first after the checkpoint (a worker's
        # as well as the window's): its size then says when the next
        # checkpoint is due (storage.durability)
        conn.execute(f"PRAGMA journal_size_limit = {durability.CHECKPOINT_PAGES * 4096}")
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
        db = Database(conn)
        if MIGRATIONS.pending(db):
            _migrate(db, path)
    except sqlite3.DatabaseError as error:
        conn.close()
        if "malformed" in str(error) or "not a database" in str(error):
            raise damaged_error(path, error) from error
        raise
    except BaseException:
        conn.close()
        raise
    return db


def database_file(db: Database | sqlite3.Connection) -> str:
    """The path of ``db``'s file as SQLite opened it, or "" for a database
    in memory (an export must not be written over it; a second connection
    reads the same file)."""
    return next((row[2] for row in db.execute("PRAGMA database_list")
                 if row[1] == "main"), "")


def get_meta(db: Database, key: str, default: str | None = None) -> str | None:
    """Read a value from the ``meta`` key/value table."""
    row = db.execute("SELECT value FROM meta WHERE key = ?", [key]).fetchone()
    return row[0] if row else default


def set_meta(db: Database, key: str, value: str) -> None:
    """Write a value into the ``meta`` key/value table (one transaction)."""
    with db.atomic():
        db.execute(
            "INSERT INTO meta (key, value) VALUES (?, ?) "
            "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            [key, value],
        )


@contextmanager
def transaction(db: Database) -> Iterator[Database]:
    """One unit of change: everything written inside commits together or not
    at all (``db.atomic()``; a savepoint when nested). Code outside storage/
    opens its transactions here, never with its own BEGIN, so the change
    journal has one place to name them."""
    with db.atomic():
        yield db


@contextmanager
def write_transaction(db: Database) -> Iterator[Database]:
    """Like ``db.atomic()``, but the transaction takes the write lock as it
    begins (``BEGIN IMMEDIATE``), waiting up to the busy timeout for another
    writer to finish. A plain ``BEGIN`` that reads first and writes later
    fails at once with "database is locked" when another connection writes
    meanwhile (SQLite cannot wait there without risking a deadlock) — for a
    worker's long batch that would be a spurious failure. Nested use falls
    back to a savepoint."""
    if db.conn.in_transaction:
        with db.atomic():
            yield db
        return
    db.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        db.conn.rollback()
        raise
    try:
        db.execute("COMMIT")
    except BaseException:
        db.conn.rollback()
        raise
    durability.committed(db)


_last_now: tuple[int, str] = (-1, "")


def utc_now() -> str:
    """The current time as an ISO 8601 UTC timestamp with seconds (made once
    a second: a batch import asks three times a row)."""
    global _last_now
    second = int(time.time())
    if _last_now[0] != second:
        _last_now = (second, datetime.fromtimestamp(second, timezone.utc)
                     .isoformat(timespec="seconds"))
    return _last_now[1]


def local_days(first: date | None, last: date | None) -> tuple[str, str]:
    """The analyst's days ``first`` … ``last`` (both included; None: open)
    as ``[lower, upper)`` bounds in the form :func:`utc_now` stores times:
    the UTC instants of the local midnights that begin ``first`` and end
    ``last``, in the machine's time zone. A passage tagged at 06:30 on 23
    November in UTC+7 is stored as 22 November 23:30 UTC: compared by its
    UTC day it was missed by a range of the 23rd. Strings of the stored
    form compare as their instants (and along an index). "": no bound."""
    upper = "" if last is None or last == date.max else _local_midnight(last + timedelta(1))
    return ("" if first is None else _local_midnight(first)), upper


def _local_midnight(day: date) -> str:
    try:
        moment = datetime.combine(day, day_time()).astimezone(timezone.utc)
    except (OverflowError, ValueError):     # 0001-01-01 east of UTC: before any time
        return ""
    return moment.isoformat(timespec="seconds")


def database_version(db: Database) -> int:
    """``PRAGMA data_version``: changes when another connection commits."""
    return db.execute("PRAGMA data_version").fetchone()[0]


def use_bulk_cache(db: Database, megabytes: int = 64) -> None:
    """Give this connection a page cache of ``megabytes`` and memory-map the
    file: a batch import's random index inserts and LSH bucket lookups then
    stop re-reading the same pages through system calls (measured: about
    15 % less CPU a row at 8,000 rows). Only this connection is affected."""
    db.execute(f"PRAGMA cache_size = -{int(megabytes) * 1024}")
    db.execute(f"PRAGMA mmap_size = {int(megabytes) * 4 * 1024 * 1024}")
