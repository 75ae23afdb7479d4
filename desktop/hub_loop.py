"""The team hub's sync loop, Qt-free: what keeps an analyst's file in sync
while it is open (the window's worker thread runs it, and so does each
simulated analyst of ``benchmarks/hub_sync.py``).

Every :data:`POLL_S` (a tenth of a second) it looks, cheaply, for a reason
to sync, and syncs (``storage.hub_sync.sync``: push, then pull) at once
when it finds one:

- the local file changed: ``PRAGMA data_version`` moved (another connection
  — the window — committed) and steps wait to be pushed;
- another member pushed: the hub NOTIFYs on LISTEN ``dossier_hub``; the
  wait for it is the loop's sleep, so a notification wakes it at once.
  Every notification already queued is taken together (one sync for a
  burst), and the member's own pushes do not wake it;
- :meth:`SyncLoop.wake` (File → Sync with team hub now), and every
  :data:`SYNC_EVERY_S` anyway;
- offline, it tries again every :data:`OFFLINE_RETRY_S`; the changes queue
  in the journal and go up on reconnect.

Each sync's :class:`~storage.hub_sync.SyncResult` carries its timings
(``woken``: when the reason was seen; ``started``, ``pushed``, ``done``:
wall clock),
which the benchmark reads to tell where the time goes.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path

log = logging.getLogger(__name__)

SYNC_EVERY_S = 30.0
OFFLINE_RETRY_S = 10.0
#: How often the loop looks for local changes (a notification wakes it sooner).
POLL_S = 0.1
#: Steps pushed and pulled at most per sync: a busy team's backlog goes in
#: rounds, so the analyst's new changes go up between them (and each pulled
#: batch is shown as it is stored).
ROUND_STEPS = 500


def _busy(error: Exception) -> bool:
    """Whether ``error`` is SQLite's "database is locked" (another connection
    held the write lock longer than the busy timeout)."""
    return isinstance(error, sqlite3.OperationalError) and (
        "locked" in str(error) or "busy" in str(error))


class SyncLoop:
    """One file's sync with one hub, run by :meth:`run` in a thread of its
    own with its own SQLite and PostgreSQL connections. The callbacks are
    called from that thread: ``on_status(state, waiting)`` with state
    ``synced``, ``waiting``, ``syncing`` or ``offline`` (only when it
    changes), ``on_synced(result)`` after each sync, ``on_failed(message)``
    when a sync fails for another reason than the hub being away."""

    def __init__(self, db_path: Path, url: str, password: str | None, *,
                 on_status: Callable[[str, int], None] = lambda _s, _w: None,
                 on_synced: Callable[[object], None] = lambda _r: None,
                 on_failed: Callable[[str], None] = lambda _m: None) -> None:
        self.db_path, self.url, self.password = Path(db_path), url, password
        self.on_status, self.on_synced, self.on_failed = on_status, on_synced, on_failed
        self._wake = threading.Event()
        self._stop = threading.Event()

    def wake(self) -> None:
        """Sync now (within :data:`POLL_S`)."""
        self._wake.set()

    def stop(self) -> None:
        """End :meth:`run` (within :data:`POLL_S`, or when the sync under
        way ends)."""
        self._stop.set()
        self._wake.set()

    def run(self) -> None:
        from storage import hub_sync, open_database
        from storage.database import database_version

        db = open_database(self.db_path)
        conn = listener = None
        next_sync, shown, more = 0.0, None, False
        version = database_version(db)
        waiting = hub_sync.waiting(db)

        def show(state: str, count: int) -> None:
            nonlocal shown
            if shown != (state, count):
                shown = (state, count)
                self.on_status(state, count)

        def close() -> None:
            nonlocal conn, listener
            for c in (conn, listener):
                if c is not None:
                    c.close()
            conn = listener = None

        try:
            while not self._stop.is_set():
                woken = time.time()
                online = conn is not None
                want = more or self._wake.is_set() or time.monotonic() >= next_sync
                if not want and online:
                    now = database_version(db)
                    if now != version:          # the window committed something
                        version = now
                        waiting = hub_sync.waiting(db)
                        want = waiting > 0
                if not want:
                    if online:
                        try:        # another member pushed: the hub NOTIFYs at once
                            want, _top = hub_sync.notified(listener, POLL_S)
                        except Exception:       # noqa: BLE001 - the hub went away
                            close()
                            want = True
                        woken = time.time()
                    else:
                        self._wake.wait(POLL_S)
                    if not want:
                        show("waiting" if waiting else ("synced" if online else "offline"),
                             waiting)
                        continue
                self._wake.clear()
                try:
                    if conn is None:
                        conn = hub_sync.connect(self.url, password=self.password)
                        listener = hub_sync.listen(
                            hub_sync.connect(self.url, password=self.password))
                    show("syncing", waiting)
                    started = time.time()
                    result = hub_sync.sync(db, conn, limit=ROUND_STEPS)
                    more = result.more
                    result.timings.update(woken=woken, started=started, done=time.time())
                    next_sync = time.monotonic() + SYNC_EVERY_S
                except hub_sync.HubError as error:
                    close()
                    more = False
                    next_sync = time.monotonic() + OFFLINE_RETRY_S
                    waiting = hub_sync.waiting(db)
                    show("offline", waiting)
                    log.info("hub offline: %s", error)
                    continue
                except Exception as error:      # a bug, a changed schema: say it
                    if _busy(error):
                        # the window kept the file busy past the busy timeout:
                        # nothing was lost (the sync's own transaction rolled
                        # back; a push marked later is recognised); again at once
                        more = True
                        continue
                    log.exception("hub sync failed")
                    close()
                    more = False
                    next_sync = time.monotonic() + SYNC_EVERY_S
                    self.on_failed(str(error) or type(error).__name__)
                    waiting = hub_sync.waiting(db)
                    show("offline", waiting)
                    continue
                self.on_synced(result)
                waiting = hub_sync.waiting(db)
                show("waiting" if waiting else "synced", waiting)
        finally:
            close()
            db.close()
