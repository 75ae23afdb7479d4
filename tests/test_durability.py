"""The window's connection commits without waiting for the disk; a
background thread syncs the write-ahead log after each commit and
checkpoints it (storage.durability)."""

from __future__ import annotations

import os
import time

import pytest

from storage import durability, journal, open_database, tags
from storage.database import write_transaction
from storage.schema import SCHEMA_VERSION


def _wait(predicate, seconds: float = 5.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.01)
    return predicate()


@pytest.fixture
def db_path(tmp_path):
    path = tmp_path / "project #1.db"      # a path SQLite URIs would cut
    open_database(path).close()
    return path


def test_deferred_connection_commits_without_fsync_and_syncs_behind(db_path):
    db = open_database(db_path)
    assert db.execute("PRAGMA synchronous").fetchone()[0] == 2          # FULL by default
    # a long timer: only the commit's own poke can make the sync happen soon
    syncer = durability.defer_sync(db, db_path, every_s=60)
    try:
        assert db.execute("PRAGMA synchronous").fetchone()[0] == 1      # NORMAL
        assert db.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == 0
        # statement journals in memory, not in a temporary file per statement
        assert db.execute("PRAGMA temp_store").fetchone()[0] == 2       # MEMORY
        with journal.step(db, "Create tag"):
            tags.create_tag(db, "Fraud", "#ff0000")
        assert _wait(lambda: syncer.syncs >= 1, 3), "the commit was never synced"
        synced = syncer.syncs
        time.sleep(0.2)
        assert syncer.syncs == synced      # nothing new: no more syncs
    finally:
        durability.end_deferred_sync(db)
    assert not syncer._thread.is_alive()
    assert getattr(db, "_wal_syncer", None) is None
    db.close()


def test_a_commit_wakes_the_syncer_later_through_the_given_schedule(db_path):
    """With the window's ``schedule``, commits do not wake the sync thread
    (it took the interpreter's lock in the middle of a tag save): a burst of
    them asks for one wake, :data:`durability.QUIET_S` later, put off while
    commits keep coming."""
    asked = []
    db = open_database(db_path)
    syncer = durability.defer_sync(db, db_path, every_s=60,
                                   schedule=lambda seconds, wake: asked.append((seconds, wake)))
    try:
        for name in ("Fraud", "Drugs"):
            with journal.step(db, "Create tag"):
                tags.create_tag(db, name, "#ff0000")
        assert [seconds for seconds, _wake in asked] == [durability.QUIET_S]
        asked[0][1]()                      # run too soon after the last commit:
        assert len(asked) == 2 and 0 < asked[1][0] <= durability.QUIET_S    # put off
        time.sleep(0.2)
        assert syncer.syncs == 0           # not woken by the commits themselves
        asked[1][1]()                      # the event loop runs the wake, commits paused
        assert _wait(lambda: syncer.syncs >= 1, 3), "the commits were never synced"
        with journal.step(db, "Create tag"):
            tags.create_tag(db, "Arms", "#00ff00")
        assert len(asked) == 3             # a later commit asks again
    finally:
        durability.end_deferred_sync(db)
    db.close()


def test_log_is_synced_by_fsync_of_the_wal_file(db_path, monkeypatch):
    synced_files = []
    real_fsync = os.fsync

    def recording_fsync(descriptor):
        synced_files.append(os.readlink(f"/proc/self/fd/{descriptor}"))
        real_fsync(descriptor)

    monkeypatch.setattr(os, "fsync", recording_fsync)
    db = open_database(db_path)
    syncer = durability.defer_sync(db, db_path, every_s=60)
    with write_transaction(db):
        db.execute("INSERT INTO meta (key, value) VALUES ('x', 'y')")
    assert _wait(lambda: syncer.syncs >= 1, 3)
    durability.end_deferred_sync(db)
    db.close()
    assert str(db_path) + "-wal" in synced_files


def test_background_checkpoint_moves_the_log_into_the_file(db_path):
    db = open_database(db_path)
    syncer = durability.defer_sync(db, db_path, every_s=60, checkpoint_pages=1)
    with journal.step(db, "Create tags"):
        for number in range(50):
            tags.create_tag(db, f"Tag {number}", "#00ff00")
    assert _wait(lambda: syncer.checkpoints >= 1, 3), "no background checkpoint"
    durability.end_deferred_sync(db)
    # everything is in the main file: a reader that ignores the log sees it
    from storage.database import file_uri
    import sqlite3
    other = sqlite3.connect(file_uri(db_path, mode="ro", immutable="1"), uri=True)
    try:
        assert other.execute("SELECT count(*) FROM tags WHERE name LIKE 'Tag %'"
                             ).fetchone()[0] == 50
    finally:
        other.close()
    db.close()


def test_the_log_of_a_database_opened_through_a_symlink_is_synced_and_checkpointed(
        tmp_path):
    real = tmp_path / "disk" / "real.db"
    real.parent.mkdir()
    open_database(real).close()
    link = tmp_path / "dossier.db"
    link.symlink_to(real)              # dossier --db dossier.db, the file on another disk
    db = open_database(link)
    syncer = durability.defer_sync(db, link, every_s=60, checkpoint_pages=1)
    try:
        with journal.step(db, "Create tags"):
            for number in range(50):
                tags.create_tag(db, f"Tag {number}", "#00ff00")
        assert _wait(lambda: syncer.syncs >= 1, 3), "the commit was never synced"
        assert _wait(lambda: syncer.checkpoints >= 1, 3), "the log was never checkpointed"
    finally:
        durability.end_deferred_sync(db)
        db.close()


def _log_filled(db_path, **options):
    """The window's connection to ``db_path``, deferring its syncs (to a
    checkpoint every 50 log pages), and its syncer, after a commit of a
    thousand new tags (more than 50 pages)."""
    db = open_database(db_path)
    syncer = durability.defer_sync(db, db_path, every_s=60, checkpoint_pages=50, **options)
    with journal.step(db, "Create tags"):
        for number in range(1000):
            tags.create_tag(db, f"Tag {number}", "#00ff00")
    return db, syncer


def test_after_a_checkpoint_small_commits_are_synced_without_another(db_path):
    """The log is cut back when it starts over after a checkpoint, so the
    next checkpoint waits until the log has grown again."""
    db, syncer = _log_filled(db_path)
    try:
        assert _wait(lambda: syncer.checkpoints >= 1, 3), "no background checkpoint"
        checkpoints, synced = syncer.checkpoints, syncer.syncs
        for name in ("Fraud", "Drugs", "Arms"):
            with journal.step(db, "Create tag"):
                tags.create_tag(db, name, "#ff0000")
            assert _wait(lambda: syncer.syncs > synced, 3), "the commit was never synced"
            synced = syncer.syncs
        assert syncer.checkpoints == checkpoints
    finally:
        durability.end_deferred_sync(db)
    db.close()


def _log_salts(db_path) -> bytes:
    """The write-ahead log header's two salts: new each time the log starts over."""
    return durability.log_salts(db_path.parent / (db_path.name + "-wal"))


def _never(_seconds, _function) -> None:
    """A ``schedule`` that never wakes the syncer: it syncs when told (``sync_now``)."""


@pytest.fixture
def handed_over(db_path):
    """As :func:`_log_filled`, the syncer woken only by ``sync_now``, and
    the list of what it hands over to the window's thread (this test's)."""
    handed: list = []
    db, syncer = _log_filled(db_path, schedule=_never, hand_over=handed.append)
    yield db, syncer, handed
    durability.end_deferred_sync(db)
    db.close()


def test_the_window_s_connection_starts_the_log_over_between_commits(handed_over, db_path):
    """The first commit after a checkpoint starts the log over and waits for
    the disk to hold the log's new header: handed over by the syncer, the
    window's connection makes that commit itself, between the analyst's
    actions, so that the next tag save only appends. Its own commit: the
    window's page cache stays (a commit from another connection empties it)."""
    db, syncer, handed = handed_over
    version = db.execute("PRAGMA data_version").fetchone()[0]
    before = _log_salts(db_path)
    assert syncer.sync_now(force=True) and syncer.checkpoints == 1
    assert _log_salts(db_path) == before and len(handed) == 1
    handed.pop()()
    started_over = _log_salts(db_path)
    assert started_over != before and syncer.restarts == 1
    assert db.execute("PRAGMA data_version").fetchone()[0] == version
    with journal.step(db, "Create tag"):
        tags.create_tag(db, "Fraud", "#ff0000")
    assert _log_salts(db_path) == started_over
    assert "Fraud" in {t["name"] for t in tags.list_tags(db)}
    assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert db.execute("PRAGMA busy_timeout").fetchone()[0] > 0


def test_a_start_over_that_comes_after_a_commit_does_nothing(handed_over, db_path):
    db, syncer, handed = handed_over
    assert syncer.sync_now(force=True) and len(handed) == 1
    with journal.step(db, "Create tag"):          # the analyst was quicker
        tags.create_tag(db, "Fraud", "#ff0000")
    after_commit = _log_salts(db_path)
    state = syncer.log_state()
    assert handed.pop()() is False
    assert syncer.restarts == 0 and syncer.log_state() == state
    assert _log_salts(db_path) == after_commit


def test_a_reader_of_the_old_log_keeps_it_and_nothing_is_handed_over_again(handed_over,
                                                                           db_path):
    """While another connection still reads the log the checkpoint copied,
    SQLite appends the window's no-op commit instead of starting over.
    That commit is not handed over again once the reader is gone (each
    round would append a page); the window's next commit starts the log
    over itself, and nothing is lost."""
    import sqlite3

    db, syncer, handed = handed_over
    reader = sqlite3.connect(db_path, isolation_level=None)
    try:
        reader.execute("BEGIN")
        assert reader.execute("SELECT count(*) FROM tags").fetchone()[0] >= 1000
        before = _log_salts(db_path)
        assert syncer.sync_now(force=True) and len(handed) == 1
        assert handed.pop()() is False
        assert _log_salts(db_path) == before and syncer.restarts == 0
        reader.execute("COMMIT")
    finally:
        reader.close()
    assert syncer.sync_now() and syncer.checkpoints == 2 and handed == []
    with journal.step(db, "Create tag"):
        tags.create_tag(db, "Fraud", "#ff0000")
    assert _log_salts(db_path) != before
    assert "Fraud" in {t["name"] for t in tags.list_tags(db)}


def test_a_log_only_other_connections_wrote_is_not_handed_over(handed_over, db_path):
    """A worker's import fills the log: its own next commit starts the log
    over, on its thread; the window's connection does not."""
    _db, syncer, handed = handed_over
    assert syncer.sync_now(force=True) and len(handed) == 1
    handed.pop()()
    worker = open_database(db_path)
    try:
        with write_transaction(worker), journal.step(worker, "Import"):
            for number in range(1000, 2000):
                tags.create_tag(worker, f"Tag {number}", "#00ff00")
    finally:
        worker.close()
    assert syncer.sync_now(force=True) and syncer.checkpoints == 2
    assert handed == []


def test_a_start_over_waits_for_no_other_writer_and_keeps_the_busy_timeout(handed_over,
                                                                          db_path):
    import sqlite3

    db, syncer, handed = handed_over
    waits = db.execute("PRAGMA busy_timeout").fetchone()[0]
    assert waits >= 1000
    assert syncer.sync_now(force=True) and len(handed) == 1
    writer = sqlite3.connect(db_path, isolation_level=None)
    try:
        writer.execute("BEGIN IMMEDIATE")
        began = time.perf_counter()
        assert handed.pop()() is False
        assert time.perf_counter() - began < 0.5
    finally:
        writer.close()
    assert db.execute("PRAGMA busy_timeout").fetchone()[0] == waits
    assert not db.conn.in_transaction and syncer.restarts == 0


def test_a_start_over_after_the_syncer_stopped_does_nothing(handed_over, db_path):
    db, syncer, handed = handed_over
    assert syncer.sync_now(force=True) and len(handed) == 1
    before = _log_salts(db_path)
    durability.end_deferred_sync(db)
    assert handed.pop()() is False and _log_salts(db_path) == before


def test_any_connection_writing_first_after_a_checkpoint_cuts_the_log_back(db_path):
    """Not only the window's: a worker's connection may be the one that
    starts the log over, and the log's size must again say when the next
    checkpoint is due."""
    import sqlite3

    limit = durability.CHECKPOINT_PAGES * 4096
    window, worker = open_database(db_path), open_database(db_path)
    wal = db_path.parent / (db_path.name + "-wal")
    with write_transaction(window):
        for number in range(6):
            window.execute("INSERT INTO meta (key, value) VALUES (?, ?)",
                           [f"big {number}", "x" * (1 << 20)])
    assert wal.stat().st_size > limit
    checkpointer = sqlite3.connect(db_path)
    assert checkpointer.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()[0] == 0
    checkpointer.close()
    with write_transaction(worker):                 # the first write after it
        worker.execute("INSERT INTO meta (key, value) VALUES ('small', 'y')")
    assert wal.stat().st_size <= limit
    window.close()
    worker.close()


def test_read_only_connection_is_left_alone(db_path):
    os.chmod(db_path, 0o444)
    try:
        db = open_database(db_path)
        assert durability.defer_sync(db, db_path) is None
        assert getattr(db, "_wal_syncer", None) is None
        db.close()
    finally:
        os.chmod(db_path, 0o644)


def test_window_connection_defers_and_close_stops_the_syncer(qtbot, seeded_db_path):
    from desktop.gui.main_window import MainWindow

    db = open_database(seeded_db_path)
    window = MainWindow(db, seeded_db_path, analyse=False)
    qtbot.addWidget(window)
    syncer = db._wal_syncer
    assert syncer is not None and syncer._thread.is_alive()
    assert db.execute("PRAGMA synchronous").fetchone()[0] == 1
    # a change through the window is synced, woken by the window's event
    # loop: the thread's own timer (which syncs a changed log too) put far
    # off first, once its current wait is over
    syncer.every_s = 60
    qtbot.wait(round(durability.SYNC_EVERY_S * 1000) + 300)
    synced = syncer.syncs
    window.controllers.codebook.create_tag("Fraud", "#ff0000")
    assert syncer._scheduled
    qtbot.waitUntil(lambda: syncer.syncs > synced, timeout=3000)
    window.close()
    assert not syncer._thread.is_alive()


def test_the_window_starts_the_log_over_on_its_own_thread_after_a_checkpoint(
        qtbot, seeded_db_path):
    """End to end: the sync thread checkpoints after the window's commits and
    hands the start over to the window's event loop, whose connection makes
    it (the window's ``data_version`` does not move: no commit from elsewhere)."""
    from desktop.gui.main_window import MainWindow

    db = open_database(seeded_db_path)
    window = MainWindow(db, seeded_db_path, analyse=False)
    qtbot.addWidget(window)
    syncer = db._wal_syncer
    syncer.checkpoint_pages = 50
    db.execute(f"PRAGMA journal_size_limit = {50 * 4096}")   # as defer_sync sets it
    version = db.execute("PRAGMA data_version").fetchone()[0]
    with write_transaction(db), journal.step(db, "Create tags"):
        for number in range(1000):
            tags.create_tag(db, f"Tag {number}", "#00ff00")
    qtbot.waitUntil(lambda: syncer.restarts >= 1, timeout=5000)
    qtbot.wait(round(durability.SYNC_EVERY_S * 1000) + 200)    # no round after it
    assert syncer.restarts == 1 and syncer.checkpoints == 1
    assert db.execute("PRAGMA data_version").fetchone()[0] == version
    started_over = _log_salts(seeded_db_path)
    window.controllers.codebook.create_tag("Fraud", "#ff0000")
    assert _log_salts(seeded_db_path) == started_over
    window.close()
