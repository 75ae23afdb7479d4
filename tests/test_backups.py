"""Backups (SQLite backup API), restoring them, and migrating an older schema
in one transaction after a backup."""

from __future__ import annotations

import sqlite3

import pytest

from storage import articles, open_database, passages, tags
from storage.backup import list_backups, prune, restore_backup, take_backup
from storage.schema import MIGRATIONS, SCHEMA_VERSION


def test_backup_is_a_consistent_copy_and_restores(tmp_path):
    path = tmp_path / "d.db"
    db = open_database(path)
    articles.add_article(db, title="One", text="First article.")
    backup = take_backup(db, path)
    articles.add_article(db, title="Two", text="Second article.")
    assert articles.article_count(db) == 2
    db.close()

    copy = sqlite3.connect(backup)
    assert copy.execute("SELECT count(*) FROM articles").fetchone()[0] == 1
    assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    copy.close()

    restore_backup(backup, path)
    db = open_database(path)
    assert [a["title"] for a in articles.list_articles(db)] == ["One"]


def test_a_restore_where_no_file_is_puts_nothing_there_when_it_fails(tmp_path, monkeypatch):
    """Where the database was set aside, a restore that fails (a full disk)
    leaves no file, partial copy nor journal at the path; one that succeeds
    leaves the backup's content there."""
    from storage import backup as backups
    from storage.backup import set_aside

    path = tmp_path / "d.db"
    db = open_database(path)
    articles.add_article(db, title="One", text="First article.")
    backup = take_backup(db, path)
    db.close()
    aside = set_aside(path)

    def full(*args):
        raise sqlite3.OperationalError("database or disk is full")
    monkeypatch.setattr(backups, "set_meta", full)
    with pytest.raises(sqlite3.OperationalError, match="full"):
        restore_backup(backup, path)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([aside.name, "d.db.backups"])
    monkeypatch.undo()
    restore_backup(backup, path)
    db = open_database(path)
    assert [a["title"] for a in articles.list_articles(db)] == ["One"]
    db.close()


def test_only_the_newest_backups_are_kept(tmp_path):
    path = tmp_path / "d.db"
    db = open_database(path)
    made = [take_backup(db, path, keep=3) for _ in range(5)]
    kept = [b.path for b in list_backups(path)]
    assert kept == made[:-4:-1]      # newest first
    assert prune(path, 1) == made[-2:-4:-1]


def _old_schema_database(path):
    """A database as schema version 1 wrote it, holding one tagged passage."""
    conn = sqlite3.connect(path)
    from sqlite_utils import Database
    db = Database(conn)
    MIGRATIONS.apply(db, stop_before="0002_quote_links")
    db.execute("PRAGMA application_id = 1146049363")
    db.execute("PRAGMA user_version = 1")
    with db.atomic():
        article_id, _ = articles.add_article(db, title="Old", text="Old article text.")
        tag_id = tags.create_tag(db, "Old tag", "#123456")
        passages.add_passage(db, article_id=article_id, tag_id=tag_id, start=0, end=3,
                             analyst="a")
    conn.close()


def test_older_schema_is_migrated_after_a_backup(tmp_path):
    path = tmp_path / "old.db"
    _old_schema_database(path)
    db = open_database(path)
    assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert "quote_groups" in db.table_names()
    assert passages.passage_count(db) == 1
    [backup] = tmp_path.glob("old.db.before-schema-*.db")
    old = sqlite3.connect(backup)
    assert old.execute("PRAGMA user_version").fetchone()[0] == 1
    assert old.execute("SELECT count(*) FROM passages").fetchone()[0] == 1


def test_a_failing_migration_changes_nothing(tmp_path, monkeypatch):
    path = tmp_path / "old.db"
    _old_schema_database(path)
    original = MIGRATIONS._migrations[-1].fn

    def broken(db):
        original(db)
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(MIGRATIONS._migrations[-1], "fn", broken)
    with pytest.raises(RuntimeError):
        open_database(path)
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert "quote_groups" not in tables
    assert conn.execute("SELECT count(*) FROM passages").fetchone()[0] == 1


def test_an_upgrade_with_no_room_for_the_copy_before_it_says_so_in_one_line(tmp_path):
    """``dossier list`` on an older-schema database, the disk filling while
    the copy kept before the upgrade is written (the process's files capped
    at half the database: writes fail as on a full disk): one line naming
    the room needed, exit 2, the database and its folder as they were."""
    import os
    import resource
    import subprocess
    import sys
    from pathlib import Path

    path = tmp_path / "old.db"
    _old_schema_database(path)
    limit = path.stat().st_size // 2

    def cap():
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    root = Path(__file__).resolve().parent.parent
    result = subprocess.run(
        [sys.executable, "-m", "desktop", "list", "--db", str(path)],
        env=dict(os.environ, PYTHONPATH=str(root), PYTHONDONTWRITEBYTECODE="1"),
        preexec_fn=cap, capture_output=True, text=True, timeout=120)
    assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("dossier: error:") and "needs upgrading" in line
    assert "free about 1 MB" in line and "Nothing was changed" in line
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
    assert conn.execute("SELECT count(*) FROM passages").fetchone()[0] == 1
    conn.close()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["old.db"]     # no partial copy


def test_the_window_says_when_an_upgrade_has_no_room_for_its_copy(tmp_path, qtbot,
                                                                 monkeypatch):
    """The same in the window: the start-up's error dialog, not an
    exception out of open_or_choose."""
    from PySide6.QtWidgets import QMessageBox

    from desktop.gui.app import application, open_or_choose
    from storage import backup as backups
    application()
    path = tmp_path / "old.db"
    _old_schema_database(path)

    def full(source, target):
        raise sqlite3.OperationalError("database or disk is full")
    monkeypatch.setattr(backups, "copy_database", full)
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "exec", lambda box: shown.append(box.text()) or 0)
    assert open_or_choose(path) == (None, None)
    [text] = shown
    assert "needs upgrading" in text and "database or disk is full" in text
    assert text.lower().count("nothing was changed") + text.count("Nothing in that file") == 1


def test_journals_of_killed_copies_are_cleaned_with_them(tmp_path):
    """A copy killed while written leaves SQLite's ``-journal`` beside its
    ``.partial``: both go at the next start, and only if a minute old."""
    import os
    import time

    from storage.backup import backup_folder, clean_partial_backups
    path = tmp_path / "d.db"
    folder = backup_folder(path)
    folder.mkdir()
    left = [tmp_path / "d.db.before-schema-37-from-36.db.partial-journal",
            tmp_path / "d.db.restoring.partial",
            tmp_path / "d.db.restoring.partial-journal",
            folder / "d-20260101-000000-000000.db.partial-journal"]
    young = folder / "d-20260102-000000-000000.db.partial-journal"
    for file in left + [young]:
        file.write_bytes(b"journal")
    old = time.time() - 120
    for file in left:
        os.utime(file, (old, old))
    assert sorted(clean_partial_backups(path)) == sorted(left)
    assert young.exists()


def _damage(path):
    db = open_database(path)
    articles.add_article(db, title="A", text="Some text. " * 2000)
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    data = bytearray(path.read_bytes())
    data[8192:12288] = b"\xab" * 4096
    path.write_bytes(bytes(data))
    return bytes(data)


def test_a_damaged_database_is_reported_as_damaged_and_untouched(tmp_path):
    from storage import DamagedDatabaseError
    path = tmp_path / "d.db"
    before = _damage(path)
    with pytest.raises(DamagedDatabaseError, match="damaged"):
        open_database(path)
    assert path.read_bytes() == before


def answer_restore(monkeypatch) -> list[str]:
    """Answer every message box with "Restore the latest backup" (it must
    offer it); returns the texts the boxes said, as they come."""
    from PySide6.QtWidgets import QMessageBox

    asked: list[str] = []

    def click_restore(box):
        asked.append(box.text())
        [restore] = [b for b in box.buttons() if b.text() == "Restore the latest backup"]
        box.clickedButton = lambda: restore
        return 0
    monkeypatch.setattr(QMessageBox, "exec", click_restore)
    return asked


def _damaged_after_a_backup(tmp_path) -> tuple:
    """``d.db`` with one article, backed up, then damaged: its path and its
    damaged bytes."""
    path = tmp_path / "d.db"
    db = open_database(path)
    articles.add_article(db, title="Safe", text="Backed up article.")
    take_backup(db, path)
    db.close()
    return path, _damage(path)


def test_the_window_offers_the_latest_backup_for_a_damaged_database(tmp_path, qtbot,
                                                                    monkeypatch):
    from desktop.gui.app import open_or_choose
    path, damaged_bytes = _damaged_after_a_backup(tmp_path)
    answer_restore(monkeypatch)
    db, opened = open_or_choose(path)
    assert opened == path
    assert [a["title"] for a in articles.list_articles(db)] == ["Safe"]
    [kept] = tmp_path.glob("d.db.damaged-*")
    assert kept.read_bytes() == damaged_bytes


def test_a_start_up_restore_that_fails_puts_the_damaged_database_back_and_says_so(
        tmp_path, qtbot, monkeypatch):
    """The restore offered at start-up fails (a full disk): the damaged file
    is back where it was, unchanged, the failure is told, and the choice
    is offered again; no exception stops the start-up."""
    from PySide6.QtWidgets import QMessageBox

    from desktop.gui import app
    path, damaged_bytes = _damaged_after_a_backup(tmp_path)

    def full(*args, **kwargs):
        raise sqlite3.OperationalError("database or disk is full")
    monkeypatch.setattr(app, "restore_backup", full)
    asked: list[str] = []

    def restore_once(box):
        asked.append(box.text())
        offered = [b for b in box.buttons() if b.text() == "Restore the latest backup"]
        box.clickedButton = lambda: offered[0] if offered and len(asked) == 1 else None
        return 0
    monkeypatch.setattr(QMessageBox, "exec", restore_once)
    assert app.open_or_choose(path) == (None, None)
    assert "database or disk is full" in asked[1] and "not replaced" in asked[1]
    assert "damaged" in asked[2]            # offered again
    assert path.read_bytes() == damaged_bytes
    assert not list(tmp_path.glob("d.db.damaged-*"))


def _backed_up_and_lost(tmp_path, how: str):
    """A database with a tagged article and a backup, then emptied to 0 bytes
    (a failed copy, a sync client) or removed; its path."""
    path = tmp_path / "lost.db"
    db = open_database(path)
    article_id, _ = articles.add_article(db, title="Safe", text="Backed up article.")
    tag_id = tags.create_tag(db, "Kept", "#336699")
    passages.add_passage(db, article_id=article_id, tag_id=tag_id, start=0, end=6,
                         analyst="a")
    take_backup(db, path)
    db.close()
    for side in ("-wal", "-shm"):
        path.with_name(path.name + side).unlink(missing_ok=True)
    if how == "empty":
        path.write_bytes(b"")
    else:
        path.unlink()
    return path


@pytest.mark.parametrize("how", ["empty", "missing"])
def test_a_lost_database_with_backups_is_never_started_afresh_silently(tmp_path, how):
    from storage import LostDatabaseError
    path = _backed_up_and_lost(tmp_path, how)
    with pytest.raises(LostDatabaseError, match="backup of it is beside it"):
        open_database(path)
    # nothing was written: no schema in the empty file, no file made
    assert (path.read_bytes() == b"") if how == "empty" else not path.exists()
    # asked for, a new database is made there (the backups stay)
    db = open_database(path, despite_backups=True)
    assert articles.article_count(db) == 0
    db.close()
    assert len(list_backups(path)) == 1


def test_an_empty_sqlite_file_with_backups_is_never_started_afresh_silently(tmp_path, capsys):
    """Where a database with backups was, an SQLite file holding nothing (a
    restore or copy that failed partway) is refused like a 0-byte one: the
    command line says so in one line, and a new database is made there
    only when asked."""
    from desktop.cli import main
    from storage import LostDatabaseError
    path = _backed_up_and_lost(tmp_path, "missing")
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA user_version = 0")      # a file SQLite made, with no table
    conn.close()
    empty = path.read_bytes()
    with pytest.raises(LostDatabaseError, match="backup of it is beside it"):
        open_database(path)
    assert main(["stats", "--db", str(path)]) != 0
    assert "empty SQLite file" in capsys.readouterr().err
    assert path.read_bytes() == empty            # nothing was written
    db = open_database(path, despite_backups=True)
    assert articles.article_count(db) == 0
    db.close()


@pytest.mark.parametrize("how", ["empty", "missing"])
def test_the_window_offers_the_backup_of_a_lost_database(tmp_path, qtbot, monkeypatch, how):
    from desktop.gui.app import open_or_choose
    path = _backed_up_and_lost(tmp_path, how)
    asked = answer_restore(monkeypatch)
    db, opened = open_or_choose(path)
    assert opened == path and "beside it" in asked[0]
    assert passages.passage_count(db) == 1
    db.close()


def test_the_window_starts_a_new_database_where_one_was_lost_only_when_asked(
        tmp_path, qtbot, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    from desktop.gui.app import open_or_choose
    path = _backed_up_and_lost(tmp_path, "empty")

    def start_anew(box):
        [new] = [b for b in box.buttons() if b.text() == "Start a new database"]
        box.clickedButton = lambda: new
        return 0
    monkeypatch.setattr(QMessageBox, "exec", start_anew)
    db, opened = open_or_choose(path)
    assert opened == path and articles.article_count(db) == 0
    # the lost database's backups are kept aside: the new one's own
    # backups would push them out of the rotation one by one
    for _ in range(3):
        take_backup(db, path, keep=2)
    db.close()
    [aside] = tmp_path.glob("lost.db.backups.lost-*")
    [old] = aside.glob("*.db")
    copy = open_database(old)
    assert passages.passage_count(copy) == 1
    copy.close()


def test_a_damaged_database_without_backups_is_not_told_to_restore_one(tmp_path):
    from storage import DamagedDatabaseError
    path = tmp_path / "d.db"
    _damage(path)
    with pytest.raises(DamagedDatabaseError, match="No backup of it was found"):
        open_database(path)


def test_damage_past_the_header_is_offered_the_latest_backup_too(tmp_path, monkeypatch,
                                                                 open_window):
    """Opening reads the header and schema only: a damaged ``meta`` page
    showed at start-up's first read as an uncaught error (no window, no
    dialog). It is offered the same way out as damage found at opening."""
    path = tmp_path / "m.db"
    db = open_database(path)
    articles.add_article(db, title="Safe", text="Backed up article.")
    take_backup(db, path)
    [(page,)] = db.execute("SELECT rootpage FROM sqlite_master WHERE name = 'meta'"
                           ).fetchall()
    [(size,)] = db.execute("PRAGMA page_size").fetchall()
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    data = bytearray(path.read_bytes())
    data[(page - 1) * size:page * size] = b"\xff" * size
    path.write_bytes(bytes(data))
    open_database(path).close()     # the header and schema still read

    asked = answer_restore(monkeypatch)
    window = open_window(path)       # (closed, its timers stopped, after the test)
    assert len(asked) == 1 and "damaged" in asked[0] and "malformed" in asked[0]
    assert [a["title"] for a in articles.list_articles(window.db)] == ["Safe"]
    assert len(list(tmp_path.glob("m.db.damaged-*"))) == 1


def test_the_command_line_refuses_a_lost_database_and_restores_it(tmp_path, capsys):
    from desktop.cli import main
    path = _backed_up_and_lost(tmp_path, "missing")
    assert main(["stats", "--db", str(path)]) != 0
    assert "dossier restore" in capsys.readouterr().err     # not "dossier import makes one"
    path.write_bytes(b"")
    assert main(["stats", "--db", str(path)]) != 0
    assert "backup of it is beside it" in capsys.readouterr().err
    assert path.read_bytes() == b""             # a reading command wrote nothing
    assert main(["restore", "--db", str(path)]) == 0
    db = open_database(path)
    assert passages.passage_count(db) == 1
    db.close()


def test_a_database_opened_through_a_symlink_is_measured_and_set_aside_where_it_lies(
        tmp_path):
    from storage.backup import database_bytes, set_aside
    real = tmp_path / "disk" / "real.db"
    real.parent.mkdir()
    link = tmp_path / "d.db"
    link.symlink_to(real)
    db = open_database(link)
    db.execute("PRAGMA wal_autocheckpoint = 0")      # the log keeps what is written
    for number in range(20):
        articles.add_article(db, title=f"A{number}", text="Some text. " * 200 + str(number))
    wal = real.with_name("real.db-wal")
    assert database_bytes(link) == real.stat().st_size + wal.stat().st_size
    db.close()
    aside = set_aside(link)
    assert aside.parent == real.parent and aside.exists() and not real.exists()
    assert link.is_symlink()          # a restore writes the file through it again


def _unusable_backup(tmp_path, what: str):
    """A file offered to a restore that cannot replace a database: one from a
    newer Dossier, another program's SQLite file, an empty SQLite file."""
    path = tmp_path / f"{what}.db"
    if what == "newer":
        db = open_database(path)
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
        db.close()
    else:
        conn = sqlite3.connect(path)
        conn.execute("CREATE TABLE x (a)" if what == "foreign" else "PRAGMA user_version = 0")
        conn.commit()
        conn.close()
    return path


def _ours(tmp_path):
    path = tmp_path / "d.db"
    db = open_database(path)
    articles.add_article(db, title="Mine", text="The analyst's own work.")
    db.close()
    return path


@pytest.mark.parametrize("what", ["newer", "foreign", "empty"])
def test_the_command_line_refuses_a_file_it_cannot_restore_before_touching_the_database(
        tmp_path, capsys, what):
    from desktop.cli import main
    path = _ours(tmp_path)
    assert main(["restore", str(_unusable_backup(tmp_path, what)), "--db", str(path)]) != 0
    assert "cannot be restored" in capsys.readouterr().err
    assert list_backups(path) == []             # no before-restore copy either
    assert not list(tmp_path.glob("d.db.damaged-*"))
    db = open_database(path)
    assert [a["title"] for a in articles.list_articles(db)] == ["Mine"]
    db.close()


@pytest.mark.parametrize("what", ["newer", "foreign"])
def test_the_window_refuses_a_file_it_cannot_restore_and_goes_on(open_window, tmp_path,
                                                               monkeypatch, what):
    from PySide6.QtWidgets import QMessageBox
    path = _ours(tmp_path)
    window = open_window(path)
    shown = []
    monkeypatch.setattr(QMessageBox, "exec", lambda box: shown.append(box.text()) or 0)
    window.restore(_unusable_backup(tmp_path, what))
    assert len(shown) == 1
    assert "cannot be restored" in shown[0] and "was not replaced" in shown[0]
    assert [a["title"] for a in articles.list_articles(window.db)] == ["Mine"]
    assert list_backups(path) == []


def test_backups_named_in_the_future_do_not_push_out_the_new_one(tmp_path):
    """Backups taken while the clock ran ahead say 2099: a new backup sorted
    behind them was deleted by the rotation as soon as it was written."""
    import shutil

    path = tmp_path / "d.db"
    db = open_database(path)
    articles.add_article(db, title="Old", text="Before the clock was set right.")
    first = take_backup(db, path, keep=3)
    folder = first.parent
    for n in range(3):
        shutil.copy(first, folder / f"d-2099010{n + 1}-120000-000000.db")
    first.unlink()
    (folder / "d-20990101-120080-000000.db").write_bytes(b"")    # not a time: by its date
    articles.add_article(db, title="New", text="Work worth keeping.")
    new = take_backup(db, path, keep=3)
    db.close()
    assert new.exists()
    listed = list_backups(path)
    assert listed[0].path == new
    assert len(listed) == 3                      # the future-named ones went first
    copy = open_database(new)
    assert articles.article_count(copy) == 2
    copy.close()
