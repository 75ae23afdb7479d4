"""The database file: noticing other writers' commits (published as a
foreign change that leaves the reader where it is), scheduled, on-demand
and on-exit backups (from a worker's own connection), and restoring one.
A backup that finds the database damaged hands the damage to the window's
:class:`~desktop.gui.database_health.DatabaseHealth` (``window.health``); a
restore over a damaged database keeps it aside instead of backing it up. A
read-only database (``window.read_only``) is never backed up.
"""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QDialog

from desktop.gui.collector import collect_everything
from desktop.gui.controller import Controller
from desktop.gui.error_reporting import READ_ONLY_TEXT
from storage import DamagedDatabaseError, analyses, articles, journal
from storage.changes import ALL_KINDS, ANALYSIS, Changes
from storage.database import database_version
from widgets.plain_text import plain_message

log = logging.getLogger(__name__)

#: How often the window looks for commits by other windows or commands (a
#: cheap PRAGMA; the journal is read only when something was committed).
EXTERNAL_CHECK_MS = 500


class BackupsController(Controller):
    """Other writers' commits, backups and restoring one."""

    def __init__(self, window, state, ops):
        super().__init__(window, state, ops)
        self._state_at_backup: tuple[int, int] | None = self._state_if_backed_up()
        self.backup_timer = QTimer(self)
        self.backup_timer.timeout.connect(self.back_up_in_background)
        self._schedule_backups()
        # another window or a dossier command writing to the same file
        self._remember_file_state()
        self.external_timer = QTimer(self)
        self.external_timer.timeout.connect(self.check_external_changes)
        self.external_timer.start(EXTERNAL_CHECK_MS)
        # once the window is up: the exit backup that failed last time
        QTimer.singleShot(0, self, self.tell_of_failed_exit_backup)

    def stop(self) -> None:
        self.backup_timer.stop()
        self.external_timer.stop()

    def check_external_changes(self) -> bool:
        """Publish what other connections committed since the last look.

        ``PRAGMA data_version`` says cheaply whether anyone committed; the
        journal's steps since the last one seen (not this window's own) say
        exactly what changed, published as foreign changes: panels update
        only that, and the reader stays where the analyst was reading.
        Analyses (the analysis service, ``dossier analyse``) write no step:
        the analyses stored since the last look say which articles they
        were for, published as ANALYSIS of those articles — the reader
        re-reads its article only when it is one of them (once for every
        article when more than a thousand were analysed). A commit that
        is neither (a recycled quote's links) is not published.

        A restore by another program (``dossier restore``) replaced the
        whole database: the window then starts over on it as after its own
        restore (:meth:`_take_up_restored`)."""
        version = database_version(self.db)
        if version == self._data_version:
            return False
        if self._restored_elsewhere():
            self._stop_work_on_file()
            self._take_up_restored(keep_article=True)
            self.statusBar().showMessage(
                "The database was restored from a backup by another program: everything "
                "shown is re-read, and Undo starts afresh.", 12000)
            return True
        self._data_version = version
        last = journal.last_step_id(self.db)
        changes = journal.changes_since(self.db, self._last_step,
                                        exclude_origin=self.controllers.history.journal_origin)
        self._last_step = last
        self._highest_step = journal.highest_step_id(self.db)
        self._last_analysis, analysed = analyses.analysed_since(self.db, self._last_analysis)
        if analysed is None:
            changes |= Changes.of(ANALYSIS, foreign=True)
        elif analysed:
            changes |= Changes.of(ANALYSIS, article_ids=analysed, foreign=True)
        if changes:
            with self.controllers.reader.keeping_position():
                self.ops.publish(changes)
        return True

    def _remember_file_state(self) -> None:
        """Note the file as it is now: what the next look for other writers'
        commits compares with."""
        from storage.backup import restore_mark

        self._data_version = database_version(self.db)
        self._last_step = journal.last_step_id(self.db)
        self._highest_step = journal.highest_step_id(self.db)
        self._last_analysis = analyses.last_analysis_id(self.db)
        self._restore_mark = restore_mark(self.db)

    def _restored_elsewhere(self) -> bool:
        """True if another program restored a backup into the file since the
        last look: a new restore mark, or a journal whose highest step id
        ever given is below one already seen (a restore that wrote no mark;
        the newest step still there goes down when a step that changed
        nothing is deleted: a memo typed and erased back)."""
        from storage.backup import restore_mark

        return (restore_mark(self.db) != self._restore_mark
                or journal.highest_step_id(self.db) < self._highest_step)

    def _stop_work_on_file(self) -> None:
        """Stop what works on the file through connections of its own before
        it is replaced (or once another program replaced it): the analysis
        process, the workers (their results dropped) and the team hub's sync
        (which would sync the replaced database's state)."""
        self.controllers.analysis.process.stop()
        self.ops.cancel_all()
        hub = getattr(self.window, "hub", None)
        if hub is not None:
            hub.stop()

    def _take_up_restored(self, *, keep_article: bool) -> None:
        """Start over on a database just replaced by a backup (the window's
        connection open on it, :meth:`_stop_work_on_file` done): the undo
        history (of the replaced database) is dropped, the analysis process
        and the hub's sync start again, and every panel re-reads.
        ``keep_article``: the reader stays on its article if the restored
        database has it (else the list's first opens)."""
        self._remember_file_state()
        article_id = self.state.article_id
        if not keep_article or article_id is None \
                or articles.get_article(self.db, article_id) is None:
            self.state.article_id = None
        self.controllers.history.undo_stack.clear()
        self.controllers.analysis.start_process()
        hub = getattr(self.window, "hub", None)
        if hub is not None:
            hub.resume()        # if the file restored is a hub's: guarded, syncing again
        self.ops.publish(Changes.of(*ALL_KINDS))   # every panel re-reads; analysis starts

    def _schedule_backups(self) -> None:
        minutes = self.preferences.backup_minutes
        if minutes > 0 and not getattr(self.window, "read_only", False):
            self.backup_timer.start(minutes * 60_000)
        else:
            self.backup_timer.stop()

    def back_up_in_background(self):
        """A scheduled backup from the worker's own connection."""
        from storage import open_database
        from storage.backup import newest_good_backup, take_backup

        db_path, keep = self.db_path, self.preferences.backups_kept
        max_bytes = self.preferences.backups_max_bytes

        def damaged(error):
            # no backup written, none pruned; look for the good one here, not
            # on the GUI thread (a check reads every page of each backup tried)
            return error, newest_good_backup(db_path)

        def work(path):
            try:
                db = open_database(path)
            except DamagedDatabaseError as error:
                return damaged(error)
            try:
                return take_backup(db, path, keep=keep, max_bytes=max_bytes)
            except DamagedDatabaseError as error:
                return damaged(error)
            finally:
                db.close()

        # what the copy may hold: the state as the worker starts
        before = self._state_now()
        return self.ops.query(work, lambda path: self._backup_done(path, "", before)).failure(
            lambda error: self._backup_done(None, str(error))).on_path().named("backup").run()

    def _state_now(self) -> tuple[int, int]:
        """The database's state as this window can tell it cheaply: its own
        connection's changes and the commits of any other."""
        return (self.db.conn.total_changes, database_version(self.db))

    def _state_if_backed_up(self) -> tuple[int, int] | None:
        """The database state now, if its newest backup is newer than its last
        write (files' modification times); else None (changes not backed up)."""
        from storage.backup import list_backups

        backups = list_backups(self.db_path)
        written = [p.stat().st_mtime for p in (self.db_path,
                   self.db_path.with_name(self.db_path.name + "-wal")) if p.exists()]
        if backups and written and backups[0].path.stat().st_mtime >= max(written):
            return self._state_now()
        return None

    def _changed_since_backup(self) -> bool:
        """True unless the newest backup was taken after the last change by
        this window or any other connection (so an exit after only reading
        does not copy a large database again)."""
        from storage.backup import list_backups

        if getattr(self.window, "read_only", False):
            return False
        return not list_backups(self.db_path) or self._state_now() != self._state_at_backup

    def _backup_done(self, path, message: str = "",
                     before: tuple[int, int] | None = None) -> None:
        """A background backup ended: ``path`` written (``before``: the
        state as it began), or the damage found, or it failed (``message``)."""
        if isinstance(path, tuple):         # (DamagedDatabaseError, newest good backup)
            error, backup = path
            log.error("backup refused: %s", error)
            self.statusBar().showMessage("Not backed up: the database is damaged.", 8000)
            health = getattr(self.window, "health", None)
            if health is not None:
                health.report([str(error)], backup.path if backup else None)
            return
        if path:
            # backed up only if nothing was committed since the copy began (the
            # worker's connection only reads): work saved meanwhile may not be
            # in the copy, and the exit backup must then be taken
            if before is not None and self._state_now() == before:
                self._state_at_backup = before
            self.statusBar().showMessage(f"Backed up to {path.name}.", 4000)
        else:
            log.warning("backup failed: %s", message)
            self.statusBar().showMessage(f"Backup failed: {message}", 8000)

    def back_up_now(self) -> None:
        self.back_up_in_background()

    def back_up_on_exit(self) -> None:
        """The exit backup, if anything changed since the last one; never raises."""
        from storage.backup import take_backup

        try:
            if self._changed_since_backup():
                take_backup(self.db, self.db_path, keep=self.preferences.backups_kept,
                            max_bytes=self.preferences.backups_max_bytes)
        except Exception as error:   # never keep the analyst from quitting
            log.exception("backup on exit failed")
            if isinstance(error, DamagedDatabaseError):
                return      # damage is told at the next opening anyway (its health check)
            # the window is gone: said when this database is opened next
            when = datetime.now().strftime("%d %B %Y, %H:%M")
            self.preferences.note_exit_backup_failure(
                self.db_path, f"{when}: {str(error) or type(error).__name__}")

    def tell_of_failed_exit_backup(self) -> None:
        """Say, once, that the backup when this database was last closed
        failed (only the log knew: a read-only folder, a full disk)."""
        failure = self.preferences.take_exit_backup_failure(self.db_path)
        if failure:
            when, _, why = failure.partition(": ")
            plain_message(
                self.window, "Last backup failed",
                f"When Dossier closed on {when}, backing up {self.db_path.name} failed: "
                f"{why}\n\nThe database itself is as you left it; only that backup is "
                "missing. Free some space or make the backup folder writable, then "
                "File → Back up now takes one.", "warning")

    def restore_from_backup(self) -> None:
        from desktop.gui.restore_dialog import RestoreDialog
        from storage.backup import list_backups

        dialog = RestoreDialog(list_backups(self.db_path), self.window)
        try:
            chosen = dialog.chosen() if dialog.exec() == QDialog.DialogCode.Accepted else None
        finally:
            dialog.deleteLater()    # (a child of the window: not kept after it closes)
        if chosen:
            self.restore(chosen.path)

    def restore(self, backup: Path, *, checked: bool = False) -> None:
        """Replace the database by ``backup`` (backing up the current state
        first, or keeping a damaged database aside as ``<name>.damaged-<time>``).
        ``checked``: the backup was just checked for damage (else it is
        checked here); that it is a Dossier database this version reads is
        checked here in any case, before anything is stopped or written.
        Refused for a read-only database. Should the restore fail, the
        window goes on with the file as it was (:meth:`_reopen_after_failure`)."""
        from storage import open_database
        from storage.backup import (BEFORE_RESTORE, BackupError, check_backup, restore_backup,
                                    set_aside, take_backup)

        if getattr(self.window, "read_only", False):
            # its file cannot be replaced (and it is never backed up)
            plain_message(self.window, "Restore from backup", READ_ONLY_TEXT, "warning")
            return
        try:
            check_backup(backup, sound=checked)
            damaged = self._damaged_without_room(backup)
        except BackupError as error:
            self._tell_not_restored(error)
            return
        self.controllers.reader.flush_edits()
        self._stop_work_on_file()
        # a damage check has a connection of its own to the file too
        health = getattr(self.window, "health", None)
        if health is not None and health.task is not None:
            health.task.wait()
        before = aside = None
        closed = False
        try:
            try:
                before = None if damaged else take_backup(
                    self.db, self.db_path, label=BEFORE_RESTORE, spare=backup,
                    keep=self.preferences.backups_kept + 1,
                    max_bytes=self.preferences.backups_max_bytes)
            except DamagedDatabaseError:      # kept aside instead (any other error refuses)
                before = None
            self.db.close()
            closed = True
            # a connection an error left in a reference cycle (a traceback's
            # frames) is closed now, not at the collector's next pass: the file
            # then has no open connection, and no log, when it is moved or
            # replaced (frozen objects too: see app.leave_start_up_out_of_collections)
            collect_everything()
            if before is None:
                aside = set_aside(self.db_path)
                log.warning("damaged database kept as %s", aside)
            restore_backup(backup, self.db_path, checked=True)
            self.window.db = open_database(self.db_path)
        except Exception as error:
            log.exception("restoring %s failed", backup)
            self._reopen_after_failure(closed=closed, aside=aside, before=before)
            self._tell_not_restored(error)
            return
        self._take_up_restored(keep_article=False)
        self.statusBar().showMessage(f"Restored {backup.name}." + (
            f" The damaged database is kept as {aside.name}." if aside else ""), 12000)

    def _damaged_without_room(self, backup: Path) -> bool:
        """Before a restore stops anything: False if the disk has room for
        the copy of the database a restore keeps (``backup`` spared); True
        if it has none but the database is damaged (set aside, not copied);
        else :class:`~storage.backup.NoRoomError`, nothing deleted."""
        from storage.backup import NoRoomError, check_room
        from storage.database import integrity_problems

        try:
            check_room(self.db_path, spare=backup)
        except NoRoomError:
            if not integrity_problems(self.db.conn):
                raise
            return True
        return False

    def _reopen_after_failure(self, *, closed: bool, aside: Path | None,
                              before: Path | None) -> None:
        """After a restore that failed: the window on its file as it was,
        never on a closed connection (``closed``: the restore had closed it).
        A failed write of the backup's content was rolled back by SQLite; a
        damaged file set aside (``aside``) is put back in its place, without
        any journal the restore left there (:func:`~storage.backup.put_back`);
        a file that cannot be opened after all gets back the state ``before``
        the restore, as backed up. The work stopped for the restore starts
        again; the undo history holds, as the database is the one it was
        made on."""
        from storage import DatabaseError, open_database
        from storage.backup import put_back, restore_backup

        if aside is not None:
            put_back(aside, self.db_path)
        if closed:
            try:
                self.window.db = open_database(self.db_path)
            except DatabaseError:
                if before is None:
                    raise
                restore_backup(before, self.db_path, checked=True)
                self.window.db = open_database(self.db_path)
        self._remember_file_state()
        self.controllers.analysis.start_process()
        hub = getattr(self.window, "hub", None)
        if hub is not None:
            hub.resume()
        self.ops.publish(Changes.of(*ALL_KINDS))   # every panel re-reads

    def _tell_not_restored(self, error: Exception) -> None:
        """Say why a restore did not happen."""
        text = (str(error) or type(error).__name__).rstrip(".")
        plain_message(self.window, "Backup not restored",
                      f"{text[:1].upper()}{text[1:]}. The database was not replaced.",
                      "warning")
