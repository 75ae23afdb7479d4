"""Reliability in the window: busy databases, restoring backups, the error
dialog and the log."""

from __future__ import annotations

import logging
import os
import resource
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox

from desktop.gui.error_reporting import ErrorReporter, LogDialog, configure_logging
from storage import articles, journal, open_database, passages
from storage.backup import list_backups, take_backup


def _locked(path):
    """Another writer holding the write lock (as a long import or undo does)."""
    other = sqlite3.connect(path)
    other.execute("BEGIN IMMEDIATE")
    return other


def _impatient_window(open_window, path, monkeypatch):
    """A window on ``path`` that waits 0.1 s for a lock (not 10 s), and the
    texts of the message boxes it shows (collected, not shown)."""
    window = open_window(path)
    window.db.execute("PRAGMA busy_timeout = 100")
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "exec", lambda box: shown.append(box.text()))
    return window, shown


def test_a_locked_database_gets_a_clear_message_and_nothing_is_lost(
        open_window, analysed_db_path, qtbot, monkeypatch):
    window, shown = _impatient_window(open_window, analysed_db_path, monkeypatch)
    other = _locked(analysed_db_path)         # another writer holds the lock
    window.view.select_range(0, 8)
    qtbot.keyClick(window.view, Qt.Key.Key_1)
    assert shown and "busy" in shown[0] and "Nothing was changed" in shown[0]
    other.rollback()
    qtbot.keyClick(window.view, Qt.Key.Key_1)   # once free, the same key works
    other.close()
    assert passages.passage_count(window.db) == 1


def test_the_window_waits_two_seconds_for_another_writer_not_ten(
        open_window, analysed_db_path, qtbot, monkeypatch):
    """A long command holding the lock (an import, an undo) froze the window
    for 10 s at a tag key; it now waits a short while, then says the file
    is busy, and the key works again once the lock is free."""
    import time

    from storage.database import WINDOW_BUSY_TIMEOUT_SECONDS

    window = open_window(analysed_db_path)
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "exec", lambda box: shown.append(box.text()))
    other = _locked(analysed_db_path)
    window.view.select_range(0, 8)
    began = time.monotonic()
    qtbot.keyClick(window.view, Qt.Key.Key_1)
    waited = time.monotonic() - began
    assert WINDOW_BUSY_TIMEOUT_SECONDS - 0.2 <= waited < WINDOW_BUSY_TIMEOUT_SECONDS + 2
    assert shown and "busy" in shown[0] and "Nothing was changed" in shown[0]
    other.rollback()
    other.close()
    qtbot.keyClick(window.view, Qt.Key.Key_1)
    assert passages.passage_count(window.db) == 1


def test_a_note_refused_by_a_busy_database_is_offered_again_as_typed(
        open_window, analysed_db_path, qtbot, monkeypatch):
    window, _shown = _impatient_window(open_window, analysed_db_path, monkeypatch)
    window.view.select_range(0, 8)
    qtbot.keyClick(window.view, Qt.Key.Key_1)
    [row] = passages.passages_for_article(window.db, window.current_id)
    other = _locked(analysed_db_path)
    typed = "A long note the analyst would hate to type twice. " * 40
    offered = []

    def ask(parent, passage, typed_before=None):
        offered.append(typed_before)
        if len(offered) == 1:
            return typed                 # OK: refused, the lock is held
        other.rollback()                 # the other writer is done
        return typed_before              # OK again on the text offered
    monkeypatch.setattr("desktop.gui.passages_controller.ask_note", ask)
    window.passage_list.noteRequested.emit(row["id"])
    other.close()
    assert offered == [None, typed]
    assert passages.get_passage(window.db, row["id"])["note"] == typed

    # typed in the Passages tab itself: refused, then offered in the dialog
    other = _locked(analysed_db_path)
    offered.clear()

    def ask_again(parent, passage, typed_before=None):
        offered.append(typed_before)
        other.rollback()
        return typed_before
    monkeypatch.setattr("desktop.gui.passages_controller.ask_note", ask_again)
    window.passage_list.noteEdited.emit(row["id"], "Edited in place")
    other.close()
    assert offered == ["Edited in place"]
    assert passages.get_passage(window.db, row["id"])["note"] == "Edited in place"


def _memo_refused(window, qtbot, path, words: str):
    """``words`` typed in the current article's memo while another writer
    holds the file, and the save tried: ``(the memo editor, that writer)``."""
    editor = window.memo_editor
    other = _locked(path)
    window.side_tabs.setCurrentWidget(editor)
    editor.setFocus()
    qtbot.keyClicks(editor, words)
    editor.flush()
    return editor, other


def test_a_memo_refused_by_a_busy_database_is_kept_and_saved_later(
        open_window, analysed_db_path, qtbot, monkeypatch):
    window, errors = _impatient_window(open_window, analysed_db_path, monkeypatch)
    first = window.current_id
    editor, other = _memo_refused(window, qtbot, analysed_db_path, "Check the second source")
    assert editor.pending() and len(errors) == 1  # refused: still waiting, not "saved"
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    for widget in (window.view, editor, window.view):   # not retried at each click
        widget.setFocus()
        qtbot.waitUntil(widget.hasFocus, timeout=3000)
    assert len(errors) == 1 and editor.pending()
    # another article is shown meanwhile: the memo is kept, not dropped
    second = window.article_list.list_model.article(1)["id"]
    window.article_list.select_article(second)
    assert editor.article_id == second
    asked = []
    monkeypatch.setattr("desktop.gui.reader_controller.ask_plain_question",
                        lambda parent, title, text: asked.append(text) or False)
    window.close()                              # still busy: the analyst is asked, stays
    assert window.isVisible() and asked and "could not be saved" in asked[0]
    other.rollback()
    other.close()
    window.article_list.select_article(first)   # shown again as typed, then saved
    assert editor.toPlainText() == "Check the second source"
    window.article_list.select_article(second)
    assert articles.get_article(window.db, first)["memo"] == "Check the second source"
    assert window.controllers.reader.flush_edits()
    # given up once, a memo is not asked about again by the closing that follows
    other = _locked(analysed_db_path)
    editor.setFocus()
    qtbot.keyClicks(editor, " again")
    editor.flush()
    monkeypatch.setattr("desktop.gui.reader_controller.ask_plain_question",
                        lambda parent, title, text: asked.append(text) or True)
    asked.clear()
    assert window.controllers.reader.may_leave("Open another database")
    assert len(asked) == 1 and not editor.pending()
    assert window.controllers.reader.may_leave("Close") and len(asked) == 1
    other.rollback()
    other.close()


def test_restore_from_backup_brings_back_the_old_state(open_window, analysed_db_path):
    window = open_window(analysed_db_path)
    window.view.select_range(0, 8)
    window.tag_with_key(1)
    task = window.back_up_in_background()
    assert task.wait(10000)
    QApplication.processEvents()
    [backup] = list_backups(analysed_db_path)
    with journal.step(window.db, "Delete passages and articles"):
        window.db.execute("DELETE FROM passages")
        window.db.execute("DELETE FROM articles WHERE id > 1")
    window.refresh_articles()
    assert window.article_list.list_model.rowCount() == 1

    window.restore(backup.path)
    assert window.article_list.list_model.rowCount() == 5
    assert passages.passage_count(window.db) == 1
    assert articles.article_count(window.db) == 5
    labels = [b.path.name for b in list_backups(analysed_db_path)]
    assert any("before-restore" in name for name in labels)


def test_file_restore_restores_the_backup_chosen_and_keeps_no_dialog(
        open_window, analysed_db_path, qtbot, monkeypatch):
    """File → Restore from backup…: the backup picked in the dialog is
    restored, and the dialog (a child of the window) is not kept after."""
    from PySide6.QtCore import QCoreApplication, QEvent

    from desktop.gui.restore_dialog import RestoreDialog

    window = open_window(analysed_db_path)
    task = window.back_up_in_background()
    assert task.wait(10000)
    QApplication.processEvents()
    with journal.step(window.db, "Delete articles"):
        window.db.execute("DELETE FROM articles WHERE id > 1")
    window.refresh_articles()

    def exec_(dialog):
        qtbot.keyClick(dialog.list, Qt.Key.Key_Home)        # the newest backup
        return QDialog.DialogCode.Accepted
    monkeypatch.setattr(RestoreDialog, "exec", exec_)
    window.controllers.backups.restore_from_backup()
    assert articles.article_count(window.db) == 5
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    assert window.findChildren(RestoreDialog) == []


def test_a_restore_by_another_program_starts_the_window_over_on_the_restored_file(
        open_window, seeded_db_path, capsys):
    from desktop.cli import main as dossier

    db = open_database(seeded_db_path)
    backup = take_backup(db, seeded_db_path)
    articles.add_article(db, title="Later", text="Written after the backup.")
    db.close()
    window = open_window(seeded_db_path)
    window.article_list.select_article(2)
    window.view.select_range(0, 8)
    window.tag_with_key(1)                       # undoable, in the replaced database
    assert window.controllers.history.undo_stack.count() == 1
    assert window.article_list.list_model.rowCount() == 6
    # the analyst runs dossier restore in a terminal, the window still open:
    # the restored journal is older than the steps the window has seen
    assert dossier(["restore", str(backup), "--db", str(seeded_db_path)]) == 0
    assert window.check_external_changes()
    assert window.article_list.list_model.rowCount() == 5
    assert window.controllers.history.undo_stack.count() == 0   # nothing to undo there
    assert window.state.article_id == 2                          # still reading it
    assert window.view.passage_ranges_shown() == []
    assert not window.check_external_changes()      # taken up once, not at every look


def test_a_memo_typed_and_erased_back_is_not_taken_for_a_restore(
        open_window, analysed_db_path, qtbot):
    """Its journal step, which changed nothing, is deleted: the newest step
    went back below one the window had seen, which it took for a restore by
    another program — Undo wiped, the analysis and the hub started over."""
    from desktop.gui import commands
    from tests.test_notes import open_memo, stored_memo
    from widgets.memo_editor import SAVE_DELAY_MS

    def another_program_commits():      # (the analysis service: no journal step)
        other = sqlite3.connect(analysed_db_path)
        other.execute("INSERT OR REPLACE INTO meta (key, value) "
                      "VALUES ('probe', hex(randomblob(4)))")
        other.commit()
        other.close()

    window = open_window(analysed_db_path)
    window.run_command(commands.SetReviewStatus(window.controllers.history, 1, "done"), "x")
    memo = open_memo(window)
    qtbot.keyClicks(memo, "draft")
    qtbot.waitUntil(lambda: stored_memo(analysed_db_path, 1) == "draft",
                    timeout=SAVE_DELAY_MS * 6)
    another_program_commits()
    window.check_external_changes()             # sees the memo's step
    for _ in "draft":
        qtbot.keyClick(memo, Qt.Key.Key_Backspace)
    qtbot.waitUntil(lambda: not memo.pending() and stored_memo(analysed_db_path, 1) == "",
                    timeout=SAVE_DELAY_MS * 6)
    another_program_commits()
    window.check_external_changes()
    assert "restored from a backup" not in window.statusBar().currentMessage()
    assert window.undo_stack.count() == 1       # the review status, still undoable


def test_a_memo_being_typed_when_another_program_restores_is_kept(
        open_window, seeded_db_path, qtbot, capsys):
    """The window starts over on a file another program restored: a memo
    typed and not yet stored is stored there, not dropped with the panels
    it re-reads."""
    from desktop.cli import main as dossier
    from storage import review

    db = open_database(seeded_db_path)
    backup = take_backup(db, seeded_db_path)
    db.close()
    window = open_window(seeded_db_path)
    window.article_list.select_article(2)
    editor = window.memo_editor
    window.side_tabs.setCurrentWidget(editor)
    editor.setFocus()
    qtbot.keyClicks(editor, "Ask the ministry")
    assert editor.pending()                      # typed, not yet stored
    assert dossier(["restore", str(backup), "--db", str(seeded_db_path)]) == 0
    assert window.check_external_changes()
    assert editor.toPlainText() == "Ask the ministry"
    assert review.memo(window.db, 2) == "Ask the ministry"     # stored in the restored file


def test_a_read_only_database_is_neither_restored_nor_backed_up(open_window, seeded_db_path,
                                                               monkeypatch):
    db = open_database(seeded_db_path)
    backup = take_backup(db, seeded_db_path)
    articles.add_article(db, title="Later", text="Written after the backup.")
    db.close()
    seeded_db_path.chmod(0o444)     # no write bit for anyone: read-only even for root
    before = seeded_db_path.read_bytes()
    window = open_window(seeded_db_path)
    assert window.read_only
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "exec", lambda box: shown.append(box.text()))
    window.restore(backup)
    assert len(shown) == 1 and "open read-only" in shown[0]
    assert [b.path for b in list_backups(seeded_db_path)] == [backup]   # no before-restore
    assert seeded_db_path.read_bytes() == before
    assert articles.article_count(window.db) == 6                        # still usable


@pytest.mark.parametrize("state", ["sound", "damaged"])
def test_a_restore_that_fails_leaves_the_window_on_its_file(open_window, seeded_db_path,
                                                           monkeypatch, state):
    from storage import backup as backups
    from storage.database import DamagedDatabaseError

    db = open_database(seeded_db_path)
    backup = take_backup(db, seeded_db_path)
    db.close()
    window = open_window(seeded_db_path)
    window.article_list.select_article(2)
    window.view.select_range(0, 8)
    window.tag_with_key(1)
    if state == "damaged":          # the file is set aside before the backup is written
        def damaged(*args, **kwargs):
            raise DamagedDatabaseError("dossier.db is damaged")
        monkeypatch.setattr(backups, "take_backup", damaged)

    def no_room(*args, **kwargs):
        raise sqlite3.OperationalError("database or disk is full")
    monkeypatch.setattr(backups, "restore_backup", no_room)
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "exec", lambda box: shown.append(box.text()))
    window.restore(backup)
    assert len(shown) == 1 and "disk is full" in shown[0] and "not replaced" in shown[0]
    assert passages.passage_count(window.db) == 1      # the window's file, open, as it was
    assert not list(seeded_db_path.parent.glob("dossier.db.damaged-*"))
    assert window.controllers.history.undo_stack.count() == 1     # its history holds
    window.controllers.history.undo_stack.undo()                  # and acts on the file
    assert passages.passage_count(window.db) == 0
    assert window.analysis.process is not None


def _damaged_with_a_backup(path: Path) -> int:
    """A database of 30 articles at ``path``, backed up, then one page of
    article 16's text overwritten (the 29 others still read); its size."""
    db = open_database(path)
    for number in range(30):
        articles.add_article(db, title=f"A{number}", text=f"{number} " + "Some text. " * 20000)
    take_backup(db, path)
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    data = bytearray(path.read_bytes())
    page = (data.find(b"15 Some text. Some") // 4096 + 3) * 4096     # an overflow page
    data[page:page + 4096] = b"\xab" * 4096
    Path(os.path.realpath(path)).write_bytes(bytes(data))
    return len(data)


_RESTORE_IN_A_CHILD = """
import sys
from pathlib import Path
from storage.backup import restore_backup
restore_backup(Path(sys.argv[1]), sys.argv[2], checked=True)
"""


def _restore_on_a_full_disk(limit: int):
    """A ``restore_backup`` that runs the real one in a process whose files
    cannot grow past ``limit`` bytes: its writes fail partway, as on a full
    disk (``disk I/O error``)."""
    root = Path(__file__).resolve().parent.parent

    def cap():
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    def restore(backup, db_path, *, checked=False):
        run = subprocess.run(
            [sys.executable, "-c", _RESTORE_IN_A_CHILD, str(backup), str(db_path)],
            env=dict(os.environ, PYTHONDONTWRITEBYTECODE="1", PYTHONPATH=str(root)),
            preexec_fn=cap, capture_output=True, text=True, timeout=120)
        if run.returncode:
            raise sqlite3.OperationalError(run.stderr.strip().splitlines()[-1])
    return restore


@pytest.mark.parametrize("through", ["path", "symlink"])
def test_a_restore_that_fills_the_disk_gives_back_the_damaged_database_intact(
        open_window, tmp_path, monkeypatch, through):
    """The backup's content fails to be written partway: the damaged file
    (29 of its 30 articles readable) is back where it was, not truncated by
    the journal of the half-written copy, and the window is on it."""
    from desktop.gui import backups_controller
    from storage import backup as backups

    real = tmp_path / "disk" / "d.db"
    real.parent.mkdir()
    path = real
    if through == "symlink":
        path = tmp_path / "link.db"
        path.symlink_to(real)
    size = _damaged_with_a_backup(path)
    window = open_window(path)
    shown: list[str] = []
    monkeypatch.setattr(backups_controller, "plain_message",
                        lambda parent, title, text, *args, **kwargs: shown.append(text))
    monkeypatch.setattr(backups, "restore_backup", _restore_on_a_full_disk(size // 3))
    [backup] = list_backups(path)
    window.controllers.backups.restore(backup.path)
    assert len(shown) == 1 and "not replaced" in shown[0]
    assert window.db.execute("SELECT count(*) FROM articles").fetchone()[0] == 30
    assert real.stat().st_size >= size
    left = {p.name for p in real.parent.iterdir()} - {"d.db", "d.db-wal", "d.db-shm"}
    assert left <= {"d.db.backups"}        # no journal, partial copy nor damaged-…
    assert through == "path" or path.is_symlink()


def test_closing_the_window_takes_a_backup(open_window, analysed_db_path):
    window = open_window(analysed_db_path)
    window.close()
    assert len(list_backups(analysed_db_path)) == 1


def test_unexpected_errors_are_logged_and_shown_not_fatal(qtbot, tmp_path):
    log_path = configure_logging(tmp_path)
    reporter = ErrorReporter(log_path)
    try:
        raise ValueError("something odd <b>here</b>")
    except ValueError as error:
        with qtbot.waitSignal(reporter.reported, timeout=2000):
            reporter.handle(type(error), error, error.__traceback__)
    qtbot.waitUntil(lambda: reporter.shown == 1)
    box = next(w for w in QApplication.topLevelWidgets()
               if isinstance(w, QMessageBox) and w.isVisible())
    assert box.textFormat() == Qt.TextFormat.PlainText
    assert "something odd <b>here</b>" in box.text()
    box.close()
    for handler in logging.getLogger().handlers:
        handler.flush()
    assert "ValueError: something odd" in log_path.read_text("utf-8")
    dialog = LogDialog(log_path)
    assert "ValueError: something odd" in dialog.text.toPlainText()


def test_editing_the_text_keeps_passages_on_their_words(open_window, analysed_db_path,
                                                        qtbot):
    window = open_window(analysed_db_path)
    text = window.view.article_text()
    start = text.index("Peter Sykora")
    window.view.select_range(start, start + 12)
    window.tag_with_key(6)
    window.view.select_range(0, 8)
    window.tag_with_key(1)
    counts = window.replace_article_text("Correction appended first. " +
                                         text.replace("Cambodia asked", "Phnom Penh asked", 1))
    assert counts == {"kept": 0, "moved": 1, "orphaned": 1}
    new_start = window.view.article_text().index("Peter Sykora")
    assert window.view.passage_ranges_shown() == [(new_start, new_start + 12)]
    items = [window.passage_list.topLevelItem(i).text(1)
             for i in range(window.passage_list.topLevelItemCount())]
    assert "⚠ Cambodia" in items


def test_a_change_by_another_process_shows_up_in_the_window(open_window, analysed_db_path,
                                                            capsys):
    from desktop.cli import main as dossier

    window = open_window(analysed_db_path)
    assert not window.check_external_changes()          # nothing new yet
    window.view.select_range(300, 310)
    window.view.verticalScrollBar().setValue(200)
    source = analysed_db_path.parent / "new.txt"
    source.write_text("A brand new article about a money laundering ring.", "utf-8")
    assert dossier(["import", str(source), "--db", str(analysed_db_path)]) == 0
    assert window.check_external_changes()
    assert window.article_list.list_model.rowCount() == 6
    assert window.view.verticalScrollBar().value() == 200   # the reader did not jump
    assert window.view.selection_range() == (300, 310)
    other = open_database(analysed_db_path)      # another window or analyst
    with journal.step(other, "Tag passage", analyst="other", origin="other window"):
        passages.add_passage(other, article_id=1, tag_id=1, start=0, end=8, analyst="other")
    other.close()
    assert window.check_external_changes()
    assert window.view.passage_ranges_shown() == [(0, 8)]


def test_no_second_exit_backup_when_nothing_changed(open_window, analysed_db_path, qtbot):
    window = open_window(analysed_db_path)
    task = window.back_up_in_background()
    assert task.wait(10000)
    qtbot.waitUntil(lambda: window.controllers.backups._state_at_backup is not None, timeout=5000)
    window.close()
    assert len(list_backups(analysed_db_path)) == 1     # reading only: no new copy

    reader = open_window(analysed_db_path)             # a new window that only reads
    reader.close()
    assert len(list_backups(analysed_db_path)) == 1

    again = open_window(analysed_db_path)
    again.view.select_range(0, 8)
    again.tag_with_key(1)
    again.close()
    assert len(list_backups(analysed_db_path)) == 2     # a change: a new copy


def test_work_saved_while_a_backup_is_copied_is_backed_up_on_exit(open_window, seeded_db_path,
                                                                  qtbot, monkeypatch):
    import threading

    from storage import backup as backups

    window = open_window(seeded_db_path)
    copied, go_on = threading.Event(), threading.Event()
    take_backup_now = backups.take_backup

    def slow_take_backup(*args, **kwargs):     # the copy is made, the worker ends later
        target = take_backup_now(*args, **kwargs)
        copied.set()
        go_on.wait(10)
        return target

    monkeypatch.setattr(backups, "take_backup", slow_take_backup)
    task = window.back_up_in_background()
    assert copied.wait(10)
    articles.add_article(window.db, title="Typed during the backup", text="Not in the copy.")
    go_on.set()
    assert task.wait(10000)
    qtbot.waitUntil(lambda: "Backed up" in window.statusBar().currentMessage(), timeout=5000)
    window.close()                                           # the exit backup
    newest = open_database(list_backups(seeded_db_path)[0].path, read_only=True)
    titles = [a["title"] for a in articles.list_articles(newest)]
    newest.close()
    assert "Typed during the backup" in titles


def test_tagging_with_a_tag_merged_away_elsewhere_says_so_in_words(
        open_window, analysed_db_path, qtbot, monkeypatch):
    from storage import tags

    window = open_window(analysed_db_path)
    window.statusBar().showMessage("Tagged 8 characters as “Cybercrime”.")
    shown = []
    monkeypatch.setattr(QMessageBox, "exec", lambda box: shown.append(box.text()))
    other = open_database(analysed_db_path)       # another window merges key 1's tag away
    first = tags.tag_with_shortcut(other, 1)
    into = next(t for t in tags.list_tags(other) if t["id"] != first["id"] and t["codable"])
    tags.merge_tags(other, first["id"], into["id"])
    other.close()
    window.view.select_range(0, 8)
    qtbot.keyClick(window.view, Qt.Key.Key_1)
    assert shown and "no longer exists" in shown[0] and "FOREIGN KEY" not in shown[0]
    assert "Tagged" not in window.statusBar().currentMessage()
    assert passages.passage_count(window.db) == 0


def test_a_failed_exit_backup_is_told_at_the_next_opening(open_window, analysed_db_path,
                                                          qtbot, monkeypatch):
    """The exit backup runs after the window is gone: its failure (a full
    disk, a read-only folder) was only in the log."""
    from storage.backup import BackupError

    window = open_window(analysed_db_path)
    window.view.select_range(0, 8)
    window.tag_with_key(1)                       # something to back up

    import storage.backup
    taken = storage.backup.take_backup

    def refuse(*args, **kwargs):
        raise BackupError("the disk must keep 512 MB free; 40 MB are")
    monkeypatch.setattr("storage.backup.take_backup", refuse)
    window.close()
    assert list_backups(analysed_db_path) == []
    shown = []
    monkeypatch.setattr(QMessageBox, "exec", lambda box: shown.append(box.text()))
    again = open_window(analysed_db_path)
    qtbot.waitUntil(lambda: bool(shown), timeout=3000)
    assert "backing up" in shown[0] and "512 MB" in shown[0]
    monkeypatch.setattr("storage.backup.take_backup", taken)     # space was freed
    again.close()
    third = open_window(analysed_db_path)         # said once
    QApplication.processEvents()
    assert len(shown) == 1
    third.close()


def test_a_window_kept_open_at_close_still_syncs_and_checks_the_file(open_window,
                                                                     analysed_db_path,
                                                                     monkeypatch):
    """The analyst asked to stay (a memo could not be saved): the team hub's
    sync and the damage check go on; they stop only when the window closes."""
    window = open_window(analysed_db_path)
    stopped = []

    class Worker:       # a hub's sync thread, as the hub controller holds it
        def stop(self):
            stopped.append("hub")

    window.hub.worker = Worker()
    reader = window.controllers.reader
    monkeypatch.setattr(reader, "may_leave", lambda doing: False)
    window.close()
    assert window.isVisible()
    assert stopped == [] and window.hub.worker is not None
    assert window.health.timer.isActive()
    monkeypatch.setattr(reader, "may_leave", lambda doing: True)
    window.close()
    assert not window.isVisible()
    assert stopped == ["hub"] and window.hub.worker is None
    assert not window.health.timer.isActive()


def _edit_text_with(monkeypatch, steps):
    """Article → Edit text… dialogs that each run ``steps.pop(0)(dialog)``
    (it types, or does what happens meanwhile) and are accepted; the texts
    each dialog opened with are returned."""
    import widgets.text_edit_dialog as text_edit_dialog
    opened = []

    def exec_(dialog):
        opened.append(dialog.text())
        steps.pop(0)(dialog)
        return QDialog.DialogCode.Accepted
    monkeypatch.setattr(text_edit_dialog.TextEditDialog, "exec", exec_)
    return opened


def test_edited_text_refused_by_a_busy_file_comes_back_as_typed(
        open_window, analysed_db_path, qtbot, monkeypatch):
    window, shown = _impatient_window(open_window, analysed_db_path, monkeypatch)
    article = window.current_id
    text = window.view.article_text()
    corrected = "Correction: " + text
    other = _locked(analysed_db_path)

    def free_the_file(dialog):
        other.rollback()
        other.close()
    opened = _edit_text_with(monkeypatch, [
        lambda dialog: dialog.editor.setPlainText(corrected), free_the_file])
    window.edit_text_action.trigger()
    assert shown and "busy" in shown[0]
    assert opened == [text, corrected]      # offered again, as typed
    assert articles.get_article(window.db, article)["text"] == corrected


def test_edited_text_never_goes_to_another_article(open_window, analysed_db_path, qtbot,
                                                   monkeypatch):
    """The article is deleted elsewhere while its text is edited: the window
    opens another, and the corrected text went to that one."""
    window, shown = _impatient_window(open_window, analysed_db_path, monkeypatch)
    first = window.current_id
    texts = dict(window.db.execute("SELECT id, text FROM articles").fetchall())

    def deleted_meanwhile(dialog):
        dialog.editor.setPlainText("My corrected text.")
        other = open_database(analysed_db_path)
        with journal.step(other, "Delete article"):
            articles.delete_articles(other, [first])
        other.close()
        window.controllers.backups.check_external_changes()
        assert window.current_id != first
    _edit_text_with(monkeypatch, [deleted_meanwhile])
    window.edit_text_action.trigger()
    assert shown and "deleted meanwhile" in shown[0]
    assert QApplication.clipboard().text() == "My corrected text."
    assert dict(window.db.execute("SELECT id, text FROM articles").fetchall()) == {
        i: t for i, t in texts.items() if i != first}


def test_a_memo_given_up_for_another_database_that_fails_to_open_waits_again(
        open_window, analysed_db_path, tmp_path, qtbot, monkeypatch):
    """The analyst agreed to lose an unsaved memo to open another file, and
    that file would not open: the window stays, and so does the memo — asked
    about again, saved once the file is free."""
    window, shown = _impatient_window(open_window, analysed_db_path, monkeypatch)
    article = window.current_id
    editor, other = _memo_refused(window, qtbot, analysed_db_path, "Check the court record")
    assert editor.pending() and window.controllers.reader.unsaved_memos
    asked = []
    monkeypatch.setattr("desktop.gui.reader_controller.ask_plain_question",
                        lambda parent, title, text: asked.append(text) or True)
    not_a_database = tmp_path / "notes.db"
    not_a_database.write_text("not a database")
    assert window.project_files.switch_to(not_a_database) is None
    assert len(asked) == 1 and window.isVisible()
    assert editor.pending() and window.controllers.reader.unsaved_memos
    other.rollback()
    other.close()
    monkeypatch.setattr("desktop.gui.reader_controller.ask_plain_question",
                        lambda parent, title, text: asked.append(text) or False)
    assert window.controllers.reader.may_leave("Close")     # saved now, nothing to ask
    assert len(asked) == 1
    assert articles.get_article(window.db, article)["memo"] == "Check the court record"


def _details_dialog(window, qtbot):
    from widgets.article_details_dialog import ArticleDetailsDialog

    qtbot.waitUntil(lambda: any(d.isVisible()
                                for d in window.findChildren(ArticleDetailsDialog)))
    return next(d for d in window.findChildren(ArticleDetailsDialog) if d.isVisible())


def test_article_details_refused_by_a_busy_file_come_back_as_typed(
        open_window, analysed_db_path, qtbot, monkeypatch):
    window, shown = _impatient_window(open_window, analysed_db_path, monkeypatch)
    article = window.current_id
    other = _locked(analysed_db_path)
    window.controllers.reader.edit_article_details()
    dialog = _details_dialog(window, qtbot)
    dialog.fields["author"].setText("Hin Pisei")
    dialog.accept()
    assert shown and "busy" in shown[0]
    again = _details_dialog(window, qtbot)           # offered again, as typed
    assert again is not dialog and again.fields["author"].text() == "Hin Pisei"
    other.rollback()
    other.close()
    again.accept()
    assert articles.get_article(window.db, article)["author"] == "Hin Pisei"


def test_article_details_save_only_what_the_analyst_changed(
        open_window, analysed_db_path, qtbot):
    """A colleague sets the URL while the dialog is open; OK with the author
    changed wrote every field back, the URL as it was when the dialog opened."""
    window = open_window(analysed_db_path)
    article = window.current_id
    window.controllers.reader.edit_article_details()
    dialog = _details_dialog(window, qtbot)
    other = open_database(analysed_db_path)
    articles.update_details(other, article, url="https://example.org/story")
    other.close()
    dialog.fields["author"].setText("Hin Pisei")
    dialog.accept()
    stored = articles.get_article(window.db, article)
    assert stored["author"] == "Hin Pisei" and stored["url"] == "https://example.org/story"


def test_a_tag_name_or_description_refused_by_a_busy_file_comes_back_as_typed(
        open_window, analysed_db_path, qtbot, monkeypatch):
    from storage import tags as tag_store
    from widgets import tag_panel

    window, shown = _impatient_window(open_window, analysed_db_path, monkeypatch)
    drugs = tag_store.find_tag(window.db, "Drugs")["id"]
    other = _locked(analysed_db_path)
    offered = []

    def get_text(parent, title, label, text=""):
        offered.append(text)
        if len(offered) == 2:            # offered again: the file is free by now
            other.rollback()
        return ("Narcotics", True) if len(offered) < 3 else ("", False)
    monkeypatch.setattr(tag_panel.QInputDialog, "getText", get_text)
    window.tag_panel.ask_rename(drugs)
    qtbot.waitUntil(lambda: len(offered) == 2)
    assert shown and "busy" in shown[0]
    assert offered == ["Drugs", "Narcotics"]               # as typed, the second time
    qtbot.waitUntil(lambda: tag_store.get_tag(window.db, drugs)["name"] == "Narcotics")

    other = _locked(analysed_db_path)
    shown.clear()
    dialog = window.tag_panel.ask_details(drugs)
    dialog.description.setPlainText("Trafficking of controlled substances, not their use.")
    dialog.accept()
    qtbot.waitUntil(lambda: window.tag_panel.details_dialog is not None
                    and window.tag_panel.details_dialog is not dialog)
    assert shown and "busy" in shown[0]
    again = window.tag_panel.details_dialog
    assert again.description.toPlainText() == ("Trafficking of controlled substances, "
                                               "not their use.")
    other.rollback()
    other.close()
    again.accept()
    qtbot.waitUntil(lambda: (tag_store.get_tag(window.db, drugs)["description"] or "")
                    .startswith("Trafficking"))


def test_a_speaker_refused_by_a_busy_file_comes_back_as_typed(
        open_window, analysed_db_path, qtbot, monkeypatch):
    from widgets.quote_panel import SET_SPEAKER

    window, shown = _impatient_window(open_window, analysed_db_path, monkeypatch)
    quote = next(q for a in range(1, 6) if window.show_article(a) is None
                 for q in window.view._quotes)
    speakers = window.controllers.speakers
    speakers.request(SET_SPEAKER, quote["start"], quote["end"])
    dialog = speakers.dialog
    dialog.name.setCurrentText("Deputy Minister Somchai")
    other = _locked(analysed_db_path)
    dialog.accept()
    assert shown and "busy" in shown[0]
    qtbot.waitUntil(lambda: speakers.dialog is not None and speakers.dialog is not dialog)
    assert speakers.dialog.chosen()[0] == "Deputy Minister Somchai"
    other.rollback()
    other.close()
    speakers.dialog.accept()
    qtbot.waitUntil(lambda: any(q.get("speaker") == "Deputy Minister Somchai"
                                for q in window.view._quotes), timeout=5000)


def test_an_entity_merge_refused_by_a_busy_file_comes_back_as_chosen(
        open_window, analysed_db_path, qtbot, monkeypatch):
    from tests.test_entities_gui import (click_row, open_entities_tab, search,
                                         stored_corrections)

    window, shown = _impatient_window(open_window, analysed_db_path, monkeypatch)
    view = open_entities_tab(qtbot, window)
    view.group.setCurrentText("All labels")
    search(qtbot, view, "sokha")
    qtbot.waitUntil(lambda: view.tree.topLevelItemCount() == 5)
    click_row(qtbot, view, "Sokha", "PERSON")
    click_row(qtbot, view, "Sar Sokha", "ORG", Qt.KeyboardModifier.ControlModifier)
    qtbot.mouseClick(view.merge_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.dialog is not None and view.dialog.isVisible())
    dialog = view.dialog
    dialog.name.setCurrentText("Sar Sokha, minister")
    dialog.label.setCurrentText("ORG")
    other = _locked(analysed_db_path)
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert shown and "busy" in shown[0]
    assert stored_corrections(analysed_db_path) == []
    qtbot.waitUntil(lambda: view.dialog is not None and view.dialog is not dialog)
    again = view.dialog
    assert again.values() == ("Sar Sokha, minister", "ORG")      # as chosen, the second time
    other.rollback()
    other.close()
    qtbot.mouseClick(again.ok_button, Qt.MouseButton.LeftButton)
    assert [c[:2] for c in stored_corrections(analysed_db_path)] == [
        ("Sar Sokha, minister", "ORG")]


def test_a_speaker_merge_refused_by_a_busy_file_comes_back_as_typed(
        open_window, analysed_db_path, qtbot, monkeypatch):
    """Merged in a worker (its own connection): refused there, the dialog
    comes back with the name typed."""
    import storage.database
    from tests.test_speaker_corrections_gui import stored

    monkeypatch.setattr(storage.database, "BUSY_TIMEOUT_SECONDS", 0.2)
    window, shown = _impatient_window(open_window, analysed_db_path, monkeypatch)
    speakers = window.controllers.speakers
    merged = ["press release", "press release from the ministry"]
    speakers.ask_merge(merged)
    dialog = speakers.dialog
    dialog.name.setCurrentText("Ministry press office")
    other = _locked(analysed_db_path)
    dialog.accept()
    qtbot.waitUntil(lambda: speakers.dialog is not None and speakers.dialog is not dialog,
                    timeout=10000)
    assert shown and "busy" in shown[0]
    assert stored(analysed_db_path)[1] == []
    assert speakers.dialog.chosen()[0] == "Ministry press office"
    other.rollback()
    other.close()
    speakers.dialog.accept()
    qtbot.waitUntil(lambda: {alias for alias, speaker in stored(analysed_db_path)[1]
                             if speaker == "Ministry press office"} >= set(merged),
                    timeout=10000)


def test_a_refusal_of_the_window_not_the_file_is_not_offered_again(
        open_window, analysed_db_path, qtbot, monkeypatch):
    """Only a change the file refused comes back as typed: a refusal before
    the file is asked (an undo still running) does not, whatever the file
    refused before it."""
    from storage import tags as tag_store
    from widgets import tag_panel

    window, shown = _impatient_window(open_window, analysed_db_path, monkeypatch)
    drugs = tag_store.find_tag(window.db, "Drugs")["id"]
    window.ops.last_refusal = sqlite3.OperationalError("database is locked")   # earlier
    window.controllers.history.replaying = "the undo of “Import”"
    offered = []
    monkeypatch.setattr(tag_panel.QInputDialog, "getText",
                        lambda parent, title, label, text="": (offered.append(text)
                                                               or ("Narcotics", True)))
    window.tag_panel.ask_rename(drugs)
    qtbot.wait(50)
    assert offered == ["Drugs"]
    assert "still running" in window.statusBar().currentMessage()
    assert tag_store.get_tag(window.db, drugs)["name"] == "Drugs"


def test_a_correction_saved_elsewhere_while_editing_is_kept_with_the_analysts(
        open_window, analysed_db_path, qtbot, monkeypatch):
    """Another window corrects the text while Edit text… is open, at another
    place: the analyst's save keeps both corrections (it used to save the
    text the dialog opened with, wiping the other one out)."""
    window, shown = _impatient_window(open_window, analysed_db_path, monkeypatch)
    article = window.current_id
    text = articles.get_article(window.db, article)["text"]

    def corrected_meanwhile(dialog):
        dialog.editor.setPlainText(text + " (fixed)")
        other = open_database(analysed_db_path)
        articles.replace_article_text(other, article, "UPDATED: " + text)
        other.close()
    _edit_text_with(monkeypatch, [corrected_meanwhile])
    window.edit_text_action.trigger()
    assert shown == []
    assert articles.get_article(window.db, article)["text"] == "UPDATED: " + text + " (fixed)"
    assert "with the correction saved elsewhere meanwhile" in \
        window.statusBar().currentMessage()


def test_a_correction_saved_elsewhere_at_the_same_place_loses_neither(
        open_window, analysed_db_path, qtbot, monkeypatch):
    """Both corrections change the same words: nothing is saved over the
    other's, the analyst's version goes to the clipboard (said), and the
    dialog opens again on the text as it now is."""
    window, shown = _impatient_window(open_window, analysed_db_path, monkeypatch)
    article = window.current_id
    text = articles.get_article(window.db, article)["text"]

    def corrected_meanwhile(dialog):
        dialog.editor.setPlainText("Mine: " + text)
        other = open_database(analysed_db_path)
        articles.replace_article_text(other, article, "Theirs: " + text)
        other.close()
    opened = _edit_text_with(monkeypatch, [corrected_meanwhile, lambda dialog: None])
    window.edit_text_action.trigger()
    assert shown and "at the place you corrected" in shown[0] and "clipboard" in shown[0]
    assert QApplication.clipboard().text() == "Mine: " + text
    assert opened == [text, "Theirs: " + text]
    assert articles.get_article(window.db, article)["text"] == "Theirs: " + text


def test_edit_text_saved_unchanged_after_a_correction_elsewhere_says_nothing_saved(
        open_window, analysed_db_path, qtbot, monkeypatch):
    """Save pressed with nothing typed while another window corrected the
    text: nothing is written and the status line does not say "Text saved"."""
    window, shown = _impatient_window(open_window, analysed_db_path, monkeypatch)
    article = window.current_id
    text = articles.get_article(window.db, article)["text"]
    window.statusBar().clearMessage()

    def corrected_meanwhile(dialog):
        other = open_database(analysed_db_path)
        articles.replace_article_text(other, article, "UPDATED: " + text)
        other.close()
    _edit_text_with(monkeypatch, [corrected_meanwhile])
    window.edit_text_action.trigger()
    assert articles.get_article(window.db, article)["text"] == "UPDATED: " + text
    assert not window.statusBar().currentMessage().startswith("Text saved")
    assert "Edit article text" not in window.undo_action.text()
