"""Backups and disk space: a byte budget on top of the count kept, and no
backup that would fill the disk (older backups make room, never the newest)."""

from __future__ import annotations

import shutil
from collections import namedtuple

import pytest

from storage import articles, open_database
from storage import backup as backups
from storage.backup import (BackupError, database_bytes, list_backups, make_room, prune,
                            take_backup)

Usage = namedtuple("Usage", "total used free")


def _database(tmp_path):
    path = tmp_path / "d.db"
    db = open_database(path)
    articles.add_article(db, title="One", text="First article. " * 2000)
    return db, path


def test_the_byte_budget_drops_the_oldest_but_keeps_two(tmp_path):
    db, path = _database(tmp_path)
    made = [take_backup(db, path, keep=10) for _ in range(5)]
    size = list_backups(path)[0].size
    removed = prune(path, 10, max_bytes=3 * size)
    assert removed == made[:2]                       # the two oldest
    assert [b.path for b in list_backups(path)] == made[:1:-1]
    # a budget smaller than one copy still leaves the two newest
    prune(path, 10, max_bytes=1)
    assert [b.path for b in list_backups(path)] == made[:2:-1]
    # take_backup applies it too
    take_backup(db, path, keep=10, max_bytes=1)
    assert len(list_backups(path)) == 2


def test_a_backup_that_would_fill_the_disk_first_deletes_older_ones(tmp_path, monkeypatch):
    db, path = _database(tmp_path)
    made = [take_backup(db, path, keep=10) for _ in range(4)]
    size = list_backups(path)[0].size
    needed = database_bytes(path)
    reserve = max(backups.FREE_RESERVE_BYTES, needed)
    # room for the copy and the reserve only once two old copies are gone
    free = needed + reserve - 2 * size + 1
    removed = make_room(path, needed, free=free)
    assert removed == made[:2]                       # oldest first, newest untouched
    assert [b.path for b in list_backups(path)] == made[:1:-1]


def test_no_room_even_then_refuses_and_deletes_nothing(tmp_path, monkeypatch):
    db, path = _database(tmp_path)
    made = [take_backup(db, path, keep=10) for _ in range(3)]
    monkeypatch.setattr(shutil, "disk_usage", lambda _folder: Usage(10**9, 10**9, 4096))
    with pytest.raises(BackupError, match="not enough free disk space"):
        take_backup(db, path)
    assert [b.path for b in list_backups(path)] == made[::-1]   # all still there
    assert not list(backups.backup_folder(path).glob("*.partial"))
    assert articles.article_count(db) == 1           # the database is untouched and usable
    articles.add_article(db, title="Two", text="Second.")
    assert articles.article_count(db) == 2


def test_plenty_of_room_deletes_nothing(tmp_path):
    db, path = _database(tmp_path)
    take_backup(db, path)
    assert make_room(path, database_bytes(path), free=10**12) == []


def test_the_budget_is_a_preference_the_window_backs_up_with(open_window, seeded_db_path,
                                                              preferences, qtbot, monkeypatch):
    from PySide6.QtCore import Qt

    from desktop.gui.preferences import PreferencesDialog

    dialog = PreferencesDialog(preferences)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert dialog.backups_max_gb.value() == backups.DEFAULT_MAX_BYTES // 1024**3
    dialog.backups_max_gb.selectAll()
    qtbot.keyClicks(dialog.backups_max_gb, "3")
    qtbot.keyClick(dialog.backups_max_gb, Qt.Key.Key_Return)     # the default button: OK
    assert preferences.backups_max_gb == 3
    assert preferences.backups_max_bytes == 3 * 1024**3

    window = open_window(seeded_db_path)
    asked = []
    real = backups.take_backup
    monkeypatch.setattr(backups, "take_backup",
                        lambda *a, **k: asked.append(k["max_bytes"]) or real(*a, **k))
    window.controllers.backups._state_at_backup = None     # as after a change
    window.controllers.backups.back_up_on_exit()
    assert asked == [3 * 1024**3]
    assert list_backups(seeded_db_path)


def test_the_backup_a_restore_will_use_is_never_deleted_to_make_room(tmp_path, monkeypatch):
    db, path = _database(tmp_path)
    made = [take_backup(db, path, keep=10) for _ in range(4)]
    oldest, size = made[0], list_backups(path)[0].size
    needed = database_bytes(path)
    free = needed + max(backups.FREE_RESERVE_BYTES, needed) - size + 1   # one copy must go
    assert make_room(path, needed, free=free, spare=oldest) == [made[1]]
    # the byte budget spares it too: the state before a restore of the oldest
    take_backup(db, path, keep=10, max_bytes=1, spare=oldest, label="before-restore")
    left = [b.path for b in list_backups(path)]
    assert oldest in left and len(left) == 3          # the two newest and the spared one


def test_dossier_restore_of_the_oldest_backup_under_a_tight_budget(tmp_path, monkeypatch,
                                                                   capsys):
    from desktop.cli import main

    db, path = _database(tmp_path)
    made = [take_backup(db, path, keep=10) for _ in range(3)]
    articles.add_article(db, title="Later", text="Written after the backups.")
    db.close()
    monkeypatch.setattr(backups, "DEFAULT_MAX_BYTES", 1)
    monkeypatch.setattr(backups.take_backup, "__kwdefaults__",
                        {**backups.take_backup.__kwdefaults__, "max_bytes": 1})
    assert main(["restore", "--db", str(path), str(made[0])]) == 0
    assert "restored" in capsys.readouterr().out
    db = open_database(path)
    assert [a["title"] for a in articles.list_articles(db)] == ["One"]


def test_a_restore_with_no_room_to_keep_a_sound_database_is_refused_before_it_starts(
        open_window, seeded_db_path, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    db = open_database(seeded_db_path)
    backup = take_backup(db, seeded_db_path)
    db.close()
    window = open_window(seeded_db_path)
    articles.add_article(window.db, title="After", text="Written after the backup.")
    process = window.controllers.analysis.process
    monkeypatch.setattr(shutil, "disk_usage", lambda _folder: Usage(10**12, 10**12, 1024))
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "exec", lambda box: shown.append(box.text()))
    window.restore(backup)
    assert len(shown) == 1 and "not enough free disk space" in shown[0].lower()
    assert "damaged" not in shown[0] and "damaged" not in window.statusBar().currentMessage()
    assert not list(seeded_db_path.parent.glob("dossier.db.damaged-*"))
    assert articles.article_count(window.db) == 6          # not replaced, still open
    assert window.controllers.analysis.process is process  # nothing was stopped


def test_dossier_restore_with_no_room_to_keep_a_sound_database_is_refused(
        tmp_path, monkeypatch, capsys):
    from desktop.cli import main

    db, path = _database(tmp_path)
    backup = take_backup(db, path)
    articles.add_article(db, title="Later", text="Written after the backup.")
    db.close()
    monkeypatch.setattr(shutil, "disk_usage", lambda _folder: Usage(10**12, 10**12, 1024))
    assert main(["restore", "--db", str(path), str(backup)]) != 0
    assert "not enough free disk space" in capsys.readouterr().err
    assert not list(tmp_path.glob("d.db.damaged-*"))
    db = open_database(path)
    assert articles.article_count(db) == 2
    db.close()


def test_a_damaged_database_deletes_no_backup_to_make_room(tmp_path, monkeypatch):
    from storage.database import DamagedDatabaseError
    from tests.test_safe_backups import overwrite_pages, seeded

    path = seeded(tmp_path / "dossier.db")
    db = open_database(path)
    good = [take_backup(db, path) for _ in range(4)]
    db.close()
    overwrite_pages(path)
    size, needed = list_backups(path)[0].size, database_bytes(path)
    # room for the copy only once two older backups are gone
    free = needed + max(backups.FREE_RESERVE_BYTES, needed) - 2 * size + 1
    monkeypatch.setattr(shutil, "disk_usage", lambda _folder: Usage(10**12, 10**12, free))
    db = open_database(path)
    with pytest.raises(DamagedDatabaseError):
        take_backup(db, path)                  # the exit backup, dossier backup
    db.close()
    assert [b.path for b in list_backups(path)] == good[::-1]
