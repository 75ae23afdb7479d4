"""Commits that do not wait for the disk: the window's connection syncs in the background.

A connection opened by :func:`storage.open_database` commits with
``synchronous = FULL``: each commit waits for an fsync of the write-ahead
log, so an acknowledged change survives even a power cut. That wait is the
longest part of a tag save (about 1 ms on a quiet disk, tens of ms on a busy
one), and the window's connection makes it on the GUI thread.

:func:`defer_sync` moves the wait behind the analyst's back, the way browsers
and editors keep their SQLite stores (``synchronous = NORMAL`` in WAL mode):

- a commit is written to the log as before, atomically: another process sees
  it at once, and it survives Dossier being killed or crashing;
- a background thread (:class:`WalSyncer`) fsyncs the log when commits pause
  for :data:`QUIET_S` after it is told one happened
  (:func:`storage.database.write_transaction` tells it; in the window, its
  event loop wakes the thread once commits have paused, so that the thread
  does not wake while the window shows the change), and within
  :data:`SYNC_EVERY_S` in any case; so a power cut or an operating
  system crash can lose only the last fraction of a second, never damage the
  file (SQLite's WAL guarantees a consistent database either way);
- the log is checkpointed into the database file by that thread, not by the
  committing connection (``wal_autocheckpoint = 0`` there), so the GUI thread
  never copies pages either — once it holds :data:`CHECKPOINT_PAGES` (every
  connection's ``journal_size_limit`` cuts it back when it starts over); and
  the window's connection then starts the log over between the analyst's
  actions, handed over by that thread (:meth:`WalSyncer.start_log_over`),
  so that the fsync of the new log's header is not the next tag save's;
- the connection keeps its statement journals in memory (``temp_store =
  MEMORY``): a statement that fires triggers inside a transaction (a
  passage's insert fires a dozen) otherwise copies every page it touches
  into a temporary file created and deleted for it, ≈ 20 pages and four
  file-system calls per tag save.

Worker connections, the command line and migrations keep ``FULL``.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
import time
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlite_utils import Database

log = logging.getLogger(__name__)

#: the longest a commit stays unsynced when nobody said one happened
SYNC_EVERY_S = 0.5
#: the pause in commits the sync waits for (an analyst's keys are further apart)
QUIET_S = 0.05
#: log pages (4 KiB) after which the thread checkpoints them into the file
CHECKPOINT_PAGES = 1000


class WalSyncer:
    """A daemon thread that fsyncs ``path``'s write-ahead log after commits
    and checkpoints it. :meth:`poke` after a commit; :meth:`stop` at the end
    (a last sync)."""

    def __init__(self, path: Path, *, every_s: float = SYNC_EVERY_S,
                 checkpoint_pages: int = CHECKPOINT_PAGES,
                 schedule: Callable[[float, Callable[[], None]], None] | None = None,
                 hand_over: Callable[[Callable[[], None]], None] | None = None):
        # SQLite keeps the log beside the file a symlink points to
        self.path = Path(os.path.realpath(path))
        #: ``schedule(seconds, function)``: runs ``function`` that much later
        #: on the committing thread's event loop (see :meth:`poke`)
        self._schedule = schedule
        #: ``hand_over(function)``, called from this thread: runs
        #: ``function`` soon on the committing thread's event loop
        self._hand_over = hand_over
        #: the committing thread's connection, which starts the log over
        #: (:meth:`start_log_over`; set by :func:`defer_sync`). Weak: the
        #: thread keeps the syncer, not the connection.
        self.window_db: weakref.ref | None = None
        #: the log header's salts when a start over was last handed over
        self._handed_salts: bytes | None = None
        #: the committing connection committed since the last hand-over
        #: (:meth:`poke`; see :meth:`_hand_over_start_over`)
        self._committed_here = False
        self._scheduled = False
        self._last_commit = 0.0
        self.wal = Path(f"{self.path}-wal")
        self.every_s, self.checkpoint_pages = every_s, checkpoint_pages
        self.syncs = 0            # fsyncs made (for tests and logs)
        self.checkpoints = 0
        #: commits that started the log over after a checkpoint (see
        #: :meth:`start_log_over`)
        self.restarts = 0
        self._wake = threading.Event()
        self._stopping = False
        self._synced: tuple[int, int] | None = None   # (size, mtime) at the last sync
        self._thread = threading.Thread(target=self._run, name="dossier-wal-sync",
                                        daemon=True)
        self._thread.start()

    def poke(self) -> None:
        """A commit happened: sync soon. Given a ``schedule``, the thread is
        not woken now but once commits have paused for :data:`QUIET_S`, by
        the window's event loop (see :meth:`_poked`): woken by the commit,
        it took the interpreter's lock from the window in the middle of the
        tag save that committed, as the panels were being updated."""
        self._committed_here = True
        if self._schedule is None:
            self._wake.set()
            return
        self._last_commit = time.monotonic()
        if not self._scheduled:
            self._scheduled = True
            self._schedule(QUIET_S, self._poked)

    def _poked(self) -> None:
        """On the event loop: wake the thread if no commit came for
        :data:`QUIET_S`, else look again when that much has passed since
        the last one. (The thread's own wait of :attr:`every_s` bounds
        how long commits that never pause go unsynced.)"""
        waited = time.monotonic() - self._last_commit
        if waited < QUIET_S and not self._stopping:
            self._schedule(QUIET_S - waited, self._poked)
            return
        self._scheduled = False
        self._wake.set()

    def stop(self) -> None:
        """Sync what is left, then end the thread."""
        self._stopping = True
        self._wake.set()
        self._thread.join(timeout=10)

    def _quiet(self) -> None:
        """Wait until commits pause for :data:`QUIET_S` (at most
        ``every_s``): an fsync slows a commit that writes the log meanwhile,
        so it goes between the analyst's actions, not under them."""
        began = time.monotonic()
        while not self._stopping:
            self._wake.clear()
            if not self._wake.wait(QUIET_S) or time.monotonic() - began > self.every_s:
                return

    def sync_now(self, *, force: bool = False) -> bool:
        """Fsync the log if it changed since the last sync (its size or time;
        ``force``: a commit said so, whatever they are); whether it did."""
        state = self.log_state()
        if state is None:             # no log (closed, or nothing written yet)
            return False
        if state == self._synced and not force:
            return False
        descriptor = os.open(self.wal, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
        self._synced = state
        self.syncs += 1
        if state[0] > self.checkpoint_pages * 4096:
            self._checkpoint()
        return True

    def _checkpoint(self) -> None:
        from storage.database import file_uri
        try:
            conn = sqlite3.connect(file_uri(self.path), uri=True, timeout=0.1)
            try:
                conn.execute("PRAGMA synchronous = FULL")
                busy, frames, copied = conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
            finally:
                conn.close()
        except sqlite3.Error as error:     # busy or gone: the next round tries again
            log.info("background checkpoint of %s skipped: %s", self.path, error)
            return
        self.checkpoints += 1
        if not busy and 0 < frames == copied:
            self._hand_over_start_over()

    def _hand_over_start_over(self) -> None:
        """The whole log is in the file: the committing thread's connection
        may start it over between the analyst's actions
        (:meth:`start_log_over`), if it committed since the last hand-over
        (a log only other connections wrote is started over by their next
        commit, on their thread; and the start-over's own commit, appended
        when a reader kept the old log, is not handed over again and again)."""
        if (self.window_db is None or self._hand_over is None or self._stopping
                or not self._committed_here):
            return
        state = self.log_state()
        if state is None:
            return
        self._handed_salts, self._committed_here = log_salts(self.wal), False
        self._hand_over(lambda: (db := self.window_db()) is not None
                        and self.start_log_over(db, state))

    def start_log_over(self, db: Database, state: tuple[int, int]) -> bool:
        """On the committing thread, handed over after a checkpoint copied
        the whole log into the file: start the log over on ``db`` by a
        commit that changes nothing (the file's ``user_version`` written
        again as it is). Not if the log is no longer in ``state`` (a commit
        came first, and started it over), ``db`` is inside a transaction,
        another connection holds the write lock (its commit starts the log
        over; no wait for it here) or the syncer is stopping. Whether the
        log started over.

        The first commit after a checkpoint starts the log over, and SQLite
        then writes the log's new header and waits for the disk to hold it
        (an fsync, even with ``synchronous = NORMAL``). Made by the window's
        next tag save, that wait fell inside the save once every 1,000 pages
        written (0.5-1.4 ms on this project's test machine, tens of ms on a
        busy disk); made here, it comes 50 ms after the last commit and the
        checkpoint's time, between the analyst's actions. Made by the sync
        thread's own connection, it would be a commit from elsewhere to the
        window's: SQLite then empties the window's page cache (up to 64 MB),
        and the next article opened read its pages again (0.8 ms more)."""
        if self._stopping or db.conn.in_transaction or self.log_state() != state:
            return False
        try:
            waited = db.execute("PRAGMA busy_timeout").fetchone()[0]
            db.execute("PRAGMA busy_timeout = 0")
            try:
                db.execute("BEGIN IMMEDIATE")
                try:
                    version = int(db.execute("PRAGMA user_version").fetchone()[0])
                    db.execute(f"PRAGMA user_version = {version}")
                    db.execute("COMMIT")
                finally:
                    if db.conn.in_transaction:
                        db.conn.rollback()
            finally:
                db.execute(f"PRAGMA busy_timeout = {int(waited)}")
        except sqlite3.Error as error:     # housekeeping: never an error for the analyst
            locked = "locked" in str(error) or "busy" in str(error)
            log.log(logging.INFO if locked else logging.WARNING,
                    "the log of %s was not started over: %s", self.path, error)
            return False
        started = log_salts(self.wal) != self._handed_salts
        self.restarts += int(started)
        return started

    def log_state(self) -> tuple[int, int] | None:
        """The log's (size, modification time), None without a log."""
        try:
            info = self.wal.stat()
        except FileNotFoundError:
            return None
        return info.st_size, info.st_mtime_ns

    def _run(self) -> None:
        while True:
            poked = self._wake.wait(self.every_s)
            if poked and self._schedule is None:
                self._quiet()
            else:       # a scheduled wake comes once commits have paused
                self._wake.clear()
            try:
                self.sync_now(force=poked)
            except OSError as error:
                log.warning("could not sync %s: %s", self.wal, error)
            if self._stopping:
                return


def log_salts(wal: Path) -> bytes | None:
    """The two salts of the write-ahead log's header (new each time the log
    starts over); None without a log."""
    try:
        with open(wal, "rb") as file:
            return file.read(32)[16:24]
    except FileNotFoundError:
        return None


def defer_sync(db: Database, path: Path, **options) -> WalSyncer | None:
    """Let ``db`` (the window's connection to ``path``) commit without
    waiting for the disk, a :class:`WalSyncer` (``options`` are its own:
    the window gives its event loop's ``schedule``) syncing behind it; None
    (and nothing changed) for a read-only or non-WAL connection."""
    from storage.database import is_read_only
    mode = db.execute("PRAGMA journal_mode").fetchone()[0]
    if mode.lower() != "wal" or is_read_only(db):
        return None
    syncer = WalSyncer(path, **options)
    db.execute("PRAGMA synchronous = NORMAL")
    db.execute("PRAGMA wal_autocheckpoint = 0")
    db.execute("PRAGMA temp_store = MEMORY")
    # (open_database set the log's size limit for CHECKPOINT_PAGES: this
    # syncer's own threshold, if another, is the one its size must tell)
    db.execute(f"PRAGMA journal_size_limit = {syncer.checkpoint_pages * 4096}")
    syncer.window_db = weakref.ref(db)
    db._wal_syncer = syncer   # write_transaction pokes it after each commit
    return syncer


@contextmanager
def commits_without_fsync(db: Database, *, checkpoint_pages: int | None = None
                          ) -> Iterator[None]:
    """Commits on ``db`` that do not wait for the disk meanwhile
    (``synchronous = NORMAL``: the file stays consistent, and a kill or a
    crash of Dossier loses nothing; an operating-system crash or a power cut
    can take back the last commits). For work that is done again without
    loss when that happens: a team-hub sync (pulled again from the hub) and
    a batch import (the same import continues where the file says it
    stopped). ``checkpoint_pages``: copy the log into the file only once it
    holds that many pages (a batch import's chunks rewrite the same index
    pages: copied once, not once a chunk). The connection's settings are
    put back after (the analyst's own changes keep their fsync)."""
    was = db.execute("PRAGMA synchronous").fetchone()[0]
    pages = db.execute("PRAGMA wal_autocheckpoint").fetchone()[0]
    db.execute("PRAGMA synchronous = NORMAL")
    if checkpoint_pages is not None:
        db.execute(f"PRAGMA wal_autocheckpoint = {int(checkpoint_pages)}")
    try:
        yield
    finally:
        db.execute(f"PRAGMA synchronous = {int(was)}")
        db.execute(f"PRAGMA wal_autocheckpoint = {int(pages)}")


def end_deferred_sync(db: Database) -> None:
    """Stop ``db``'s background syncing (a last sync first), if it has one."""
    syncer = getattr(db, "_wal_syncer", None)
    if syncer is not None:
        syncer.stop()
        db._wal_syncer = None


def committed(db: Database) -> None:
    """Called after a commit on ``db``: its syncer (if any) syncs soon."""
    syncer = getattr(db, "_wal_syncer", None)
    if syncer is not None:
        syncer.poke()
