"""The team hub in the window: the connect dialog, the first sync, the
background worker (push at once, pull on NOTIFY), the status bar."""

from __future__ import annotations

import itertools
import shutil
import time

import psycopg
import pytest
from PySide6.QtCore import Qt

from desktop import hub_credentials
from desktop.gui.hub_controller import HubDialog, hub_url
from storage import hub_sync, journal, open_database, passages

from tests.hub_server import copy_settled

_numbers = itertools.count()


@pytest.fixture
def gui_hub(hub_server, tmp_path, seeded_template, monkeypatch):
    monkeypatch.setattr(hub_credentials, "_keyring", lambda: None)
    monkeypatch.setattr(hub_credentials, "_SESSION", {})
    name = f"gui_hub_{next(_numbers)}"
    with psycopg.connect(hub_server.admin_url("postgres"), autocommit=True) as admin:
        admin.execute(f"CREATE DATABASE {name}")
    with hub_sync.connect(hub_server.admin_url(name)) as admin:
        hub_sync.init_hub(admin)
        hub_sync.add_member(admin, "lea", "lead", "pw-lea")
        hub_sync.add_member(admin, "ana", "analyst", "pw-ana")
    lead_path = tmp_path / "lea.db"
    shutil.copy(seeded_template, lead_path)
    lead = open_database(lead_path)
    lea_url = hub_server.url("lea", "pw-lea", name)
    hub_sync.first_sync(lead, hub_sync.connect(lea_url), lea_url)
    return name, lead, lea_url


def _ana_connected(open_window, tmp_path, hub_server, name):
    """A window on a new file ana.db, signed in to the hub as ana:
    ``(window, path, url)``."""
    path = tmp_path / "ana.db"
    window = open_window(path)
    url = f"postgresql://ana@127.0.0.1:{hub_server.port}/{name}"
    assert window.hub.connect_to(url, "pw-ana")
    return window, path, url


def test_hub_url_from_the_dialog_fields():
    assert hub_url("hub.example.org/dossier", "ana") == "postgresql://ana@hub.example.org/dossier"
    assert hub_url("postgresql://x@h:5433/db", "ana") == "postgresql://ana@h:5433/db"


def test_the_connect_dialog_is_not_kept_with_the_password_typed(open_window, seeded_db_path,
                                                                 monkeypatch):
    """File → Connect to team hub…, a password typed, then Cancel: nothing
    is connected, and the dialog (a child of the window) is gone with the
    password in it."""
    from PySide6.QtCore import QCoreApplication, QEvent
    from PySide6.QtWidgets import QDialog

    window = open_window(seeded_db_path)

    def exec_(dialog):
        dialog.password.setText("pw-ana")
        return QDialog.DialogCode.Rejected
    monkeypatch.setattr(HubDialog, "exec", exec_)
    assert window.hub.connect_dialog() is False
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    assert window.findChildren(HubDialog) == []


@pytest.mark.slow
def test_connect_from_the_window_then_see_each_others_passages(qtbot, open_window, tmp_path,
                                                              hub_server, gui_hub):
    name, lead, lea_url = gui_hub
    window = open_window(tmp_path / "ana.db")
    assert window.hub.label.text() == ""
    assert any("Connect to team" in a.text() for a in window.menuBar().actions()[0].menu()
               .actions())
    dialog = HubDialog(window)
    qtbot.addWidget(dialog)
    qtbot.keyClicks(dialog.address, f"127.0.0.1:{hub_server.port}/{name}")
    qtbot.keyClicks(dialog.user, "ana")
    qtbot.keyClicks(dialog.password, "pw-ana")
    assert dialog.password.echoMode() == dialog.password.EchoMode.Password
    assert window.hub.connect_to(dialog.url(), dialog.password.text())
    qtbot.waitUntil(lambda: window.hub.label.text() == "hub: synced", timeout=10000)
    # the seeded file adopted the hub's articles and tags (same texts, same names)
    assert {r[0] for r in window.db.execute("SELECT uuid FROM articles")} == \
        {r[0] for r in lead.execute("SELECT uuid FROM articles")}

    # the lead tags and pushes: the window's file has it within 2 s (NOTIFY)
    article_id = lead.execute("SELECT id FROM articles ORDER BY id LIMIT 1").fetchone()[0]
    tag_id = lead.execute("SELECT id FROM tags ORDER BY id LIMIT 1").fetchone()[0]
    with journal.step(lead, "Tag passage", analyst="lea", origin="lea"):
        passages.add_passage(lead, article_id=article_id, tag_id=tag_id, start=0, end=10,
                             analyst="lea")
    shown: list[tuple[float, object]] = []
    window.ops.changed.connect(lambda c: shown.append((time.monotonic(), c)))
    hub_sync.sync(lead, hub_sync.connect(lea_url))
    pushed = time.monotonic()
    qtbot.waitUntil(lambda: window.db.execute(
        "SELECT count(*) FROM passages WHERE analyst = 'lea'").fetchone()[0] == 1, timeout=2000)
    assert time.monotonic() - pushed < 2.0
    # … and the window shows it: the panels are told, as a colleague's change
    qtbot.waitUntil(lambda: any(c.foreign and c.passage_ids for _t, c in shown), timeout=2000)
    when = next(t for t, c in shown if c.foreign and c.passage_ids)
    assert when - pushed < 2.0
    lea_passage = window.db.execute("SELECT id FROM passages WHERE analyst = 'lea'").fetchone()[0]
    assert lea_passage in next(c for _t, c in shown if c.passage_ids).passage_ids

    # the analyst tags in the window's file: pushed at once, the lead pulls it
    with journal.step(window.db, "Tag passage", analyst="ana", origin=window.journal_origin):
        passages.add_passage(window.db, article_id=window.db.execute(
            "SELECT id FROM articles ORDER BY id LIMIT 1").fetchone()[0],
            tag_id=window.db.execute("SELECT id FROM tags ORDER BY id LIMIT 1").fetchone()[0],
            start=20, end=30, analyst=window.preferences.analyst)
    qtbot.waitUntil(lambda: hub_sync.waiting(window.db) == 0, timeout=5000)
    hub_sync.sync(lead, hub_sync.connect(lea_url))
    assert lead.execute("SELECT count(*) FROM passages WHERE analyst = ?",
                        [window.preferences.analyst]).fetchone()[0] == 1

    # offline: the changes queue and the status says so; back online they go up
    hub_server.stop()
    try:
        with journal.step(window.db, "Edit note", analyst="ana", origin=window.journal_origin):
            window.db.execute("UPDATE passages SET note = 'offline note' WHERE analyst = ?",
                              [window.preferences.analyst])
        qtbot.waitUntil(lambda: window.hub.label.text().startswith("hub: offline")
                        and "1 change waiting" in window.hub.label.text(), timeout=15000)
    finally:
        hub_server.start()
    qtbot.mouseClick(window.hub.label, Qt.MouseButton.LeftButton)   # sync now
    qtbot.waitUntil(lambda: window.hub.label.text() == "hub: synced", timeout=15000)
    hub_sync.sync(lead, hub_sync.connect(lea_url))
    assert lead.execute("SELECT note FROM passages WHERE analyst = ?",
                        [window.preferences.analyst]).fetchone()[0] == "offline note"
    # the password is kept for the session only (no keyring here), never in the file
    assert hub_credentials._SESSION
    assert b"pw-ana" not in (tmp_path / "ana.db").read_bytes()


def test_a_connected_file_resumes_syncing_when_opened_again(qtbot, open_window, tmp_path,
                                                           hub_server, gui_hub):
    name, lead, lea_url = gui_hub
    window, path, url = _ana_connected(open_window, tmp_path, hub_server, name)
    window.close()
    # a new session without a keyring: asked again (the status says how)
    hub_credentials._SESSION.clear()
    again = open_window(path)
    assert again.hub.label.text().startswith("hub: sign in")
    assert again.hub.worker is None
    # with the password known (the keyring's, here this session's), it syncs at once
    hub_credentials.remember(url, "pw-ana")
    third = open_window(path)
    qtbot.waitUntil(lambda: third.hub.label.text() == "hub: synced", timeout=10000)


def test_a_copy_of_a_connected_file_asks_before_it_syncs(qtbot, open_window, tmp_path,
                                                        hub_server, gui_hub, monkeypatch):
    """A copy (an experiment, a backup) carries the hub address and member:
    opened, it asks; "Not now" leaves it unsynced (a new user's walk: a
    copy's deletion reached every file of the team)."""
    from PySide6.QtWidgets import QMessageBox

    name, lead, lea_url = gui_hub
    window, path, url = _ana_connected(open_window, tmp_path, hub_server, name)
    window.close()
    copy = copy_settled(path, tmp_path / "ana-experiment.db")
    asked = []

    def answer(box, button):
        asked.append(box.text())
        box.exec = lambda: None
        chosen = next(b for b in box.buttons() if b.text() == button)
        monkeypatch.setattr(box, "clickedButton", lambda: chosen)

    real_exec = QMessageBox.exec
    monkeypatch.setattr(QMessageBox, "exec", lambda box: answer(box, "Not now"))
    opened = open_window(copy)
    assert asked and f"This file is a copy of {path.resolve()}" in asked[0]
    assert opened.hub.worker is None and opened.hub.label.text() == "hub: not syncing (a copy)"
    opened.close()
    monkeypatch.setattr(QMessageBox, "exec", lambda box: answer(box, "Sync this copy"))
    taken = open_window(copy)
    qtbot.waitUntil(lambda: taken.hub.label.text() == "hub: synced", timeout=10000)
    taken.close()
    monkeypatch.setattr(QMessageBox, "exec", real_exec)
    asked.clear()
    again = open_window(copy)                       # asked once: it syncs now
    qtbot.waitUntil(lambda: again.hub.label.text() == "hub: synced", timeout=10000)
    assert not asked


def test_a_wrong_password_says_so_in_plain_text_and_keeps_nothing(qtbot, open_window, tmp_path,
                                                                  hub_server, gui_hub):
    name, _lead, _url = gui_hub
    window = open_window(tmp_path / "ana.db")
    url = f"postgresql://ana@127.0.0.1:{hub_server.port}/{name}"
    assert not window.hub.connect_to(url, "<b>wrong</b>")
    box = window.hub.error_box
    assert box.isVisible() and box.textFormat() == Qt.TextFormat.PlainText
    assert "password authentication failed" in box.text()
    box.close()
    assert window.hub.worker is None and not hub_credentials._SESSION
    assert window.hub.stored_url() is None


def test_the_window_refuses_at_once_what_the_hub_would_refuse(qtbot, open_window, tmp_path,
                                                             hub_server, gui_hub, monkeypatch):
    from desktop.gui import operations

    shown: list[str] = []
    monkeypatch.setattr(operations, "plain_message",
                        lambda _w, _t, text, *_icon: shown.append(text))
    name, lead, lea_url = gui_hub
    window, _path, url = _ana_connected(open_window, tmp_path, hub_server, name)
    qtbot.waitUntil(lambda: window.hub.label.text() == "hub: synced", timeout=10000)
    tag_id, tag_name = window.db.execute("SELECT id, name FROM tags ORDER BY id LIMIT 1"
                                         ).fetchone()
    window.rename_tag(tag_id, "Renamed by an analyst")
    assert shown and "Only a lead changes the codebook" in shown[-1]
    assert window.db.execute("SELECT name FROM tags WHERE id = ?", [tag_id]).fetchone()[0] == \
        tag_name
    assert hub_sync.waiting(window.db) == 0
    # the lead's passage (pulled) cannot be changed here either
    with journal.step(lead, "Tag passage", analyst="lea", origin="lea"):
        passages.add_passage(lead, article_id=lead.execute(
            "SELECT id FROM articles ORDER BY id LIMIT 1").fetchone()[0],
            tag_id=lead.execute("SELECT id FROM tags ORDER BY id LIMIT 1").fetchone()[0],
            start=0, end=10, analyst="lea")
    hub_sync.sync(lead, hub_sync.connect(lea_url))
    qtbot.waitUntil(lambda: window.db.execute(
        "SELECT count(*) FROM passages WHERE analyst = 'lea'").fetchone()[0] == 1, timeout=5000)
    with pytest.raises(Exception, match="only your own passages"):
        with journal.step(window.db, "Edit note", analyst="x", origin=window.journal_origin):
            window.db.execute("UPDATE passages SET note = 'mine now' WHERE analyst = 'lea'")


def test_steps_the_hub_refused_stay_said_in_the_hub_label(open_window, seeded_db_path):
    """A merge the hub refused said so for 15 s, then "hub: synced" again,
    although its steps stay in this file only (a new user's walk)."""
    window = open_window(seeded_db_path)
    result = hub_sync.SyncResult(pushed=1, refused=[
        "“Merge carl.db”: your role on this hub may not add or change tags (this step "
        "stays in this file only)", "“Tag passage”: Dossier hub: ana may not change this"])
    window.hub._synced(result)
    message = window.statusBar().currentMessage()
    assert message.startswith("Team hub: refused: “Merge carl.db”: your role")
    assert message.endswith("(and 1 more: Help → Show log)")
    assert window.hub.label.text() == "hub: synced — 2 refused, in this file only"
    window.hub._status("syncing", 0)
    assert window.hub.label.text() == "hub: syncing… — 2 refused, in this file only"


def test_a_sync_ending_after_its_window_closed_reads_nothing(open_window, seeded_db_path):
    """A sync that ends after its window closed (another database opened:
    the old file closed at once) is dropped, not read from the closed file."""
    window = open_window(seeded_db_path)
    window.hub.close()
    window.db.close()
    window.hub._synced(hub_sync.SyncResult(pushed=1, refused=["“Tag passage”: refused"]))
    assert window.hub.refused == 0


def test_signing_a_file_in_as_another_member_asks_first(qtbot, open_window, tmp_path,
                                                       hub_server, gui_hub, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    from storage.database import get_meta

    name, lead, lea_url = gui_hub
    window, path, url = _ana_connected(open_window, tmp_path, hub_server, name)
    asked = []

    def cancel(box):
        asked.append(box.text())
        monkeypatch.setattr(box, "clickedButton", lambda: None)

    monkeypatch.setattr(QMessageBox, "exec", cancel)
    assert not window.hub.connect_to(f"postgresql://lea@127.0.0.1:{hub_server.port}/{name}",
                                     "pw-lea")
    assert asked and asked[0].startswith("This file is connected to the team hub as ana.")
    assert get_meta(window.db, hub_sync.HUB_URL) == url           # still ana's


def test_file_disconnect_from_team_hub_asks_then_the_file_is_its_own(
        qtbot, open_window, tmp_path, hub_server, gui_hub, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    name, lead, lea_url = gui_hub
    window, path, url = _ana_connected(open_window, tmp_path, hub_server, name)
    qtbot.waitUntil(lambda: window.hub.label.text() == "hub: synced", timeout=10000)
    file_menu = next(a.menu() for a in window.menuBar().actions()
                     if a.text().replace("&", "") == "File")
    file_menu.aboutToShow.emit()
    leave = window.hub.disconnect_action
    assert leave in file_menu.actions() and leave.isEnabled()
    asked = []

    def answer(box, button):
        asked.append(box.text())
        box.exec = lambda: None
        chosen = next(b for b in box.buttons() if b.text().replace("&", "") == button)
        monkeypatch.setattr(box, "clickedButton", lambda: chosen)

    monkeypatch.setattr(QMessageBox, "exec", lambda box: answer(box, "Cancel"))
    leave.trigger()
    assert asked and f"Stop syncing this file with the team hub at {url}?" in asked[0]
    assert window.hub.worker is not None and window.hub.stored_url() == url
    monkeypatch.setattr(QMessageBox, "exec", lambda box: answer(box, "Disconnect"))
    leave.trigger()
    assert window.hub.worker is None and window.hub.stored_url() is None
    assert window.hub.label.text() == ""
    assert "syncs no more" in window.statusBar().currentMessage()
    file_menu.aboutToShow.emit()
    assert not leave.isEnabled()
    # opened again, the file does not try to sync
    window.close()
    again = open_window(path)
    assert again.hub.worker is None and again.hub.label.text() == ""


def test_a_window_closed_during_its_first_sync_starts_no_sync_after(
        qtbot, open_window, tmp_path, hub_server, gui_hub, monkeypatch):
    """Closing the window while the first sync runs (the session ending):
    the sync finishes in its thread, and no background sync starts after
    for a window that is gone."""
    from PySide6.QtCore import QTimer

    name, _lead, _lea_url = gui_hub
    window = open_window(tmp_path / "ana.db")
    first_sync = hub_sync.first_sync

    def slow_first_sync(*args, **kwargs):
        time.sleep(0.6)
        return first_sync(*args, **kwargs)
    monkeypatch.setattr(hub_sync, "first_sync", slow_first_sync)
    QTimer.singleShot(150, window.close)
    url = f"postgresql://ana@127.0.0.1:{hub_server.port}/{name}"
    assert window.hub.connect_to(url, "pw-ana") is False
    assert not window.isVisible()
    assert window.hub.worker is None


def test_a_backup_restored_syncs_again_through_new_connections(
        qtbot, open_window, tmp_path, hub_server, gui_hub):
    """Restore from backup replaces the file: the hub's sync stops before
    (its connection went on syncing the file set aside) and starts again on
    the restored file, whose connection refuses what the hub would."""
    from storage.backup import list_backups

    name, _lead, _lea_url = gui_hub
    window, path, _url = _ana_connected(open_window, tmp_path, hub_server, name)
    qtbot.waitUntil(lambda: window.hub.label.text() == "hub: synced", timeout=10000)
    before = window.hub.worker
    assert window.back_up_in_background().wait(10000)
    [backup] = list_backups(path)
    window.restore(backup.path)
    assert not before.thread.isRunning()
    assert window.hub.worker is not None and window.hub.worker is not before
    assert window.db.execute("SELECT count(*) FROM sqlite_temp_master WHERE type = 'trigger' "
                             "AND name LIKE 'hub_guard_%'").fetchone()[0] > 0
    qtbot.waitUntil(lambda: window.hub.label.text() == "hub: synced", timeout=10000)
