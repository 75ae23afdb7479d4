"""The main window and the database file: noticing other writers' commits,
scheduled and on-demand backups (from a worker's own connection), and
restoring one. A backup that finds the database damaged hands the damage to
the window's :class:`~desktop.gui.database_health.DatabaseHealth`; a restore
over a damaged database keeps it aside instead of backing it up. A
read-only database is never backed up.

A mixin of :class:`desktop.gui.main_window.MainWindow`: its methods use the
window's widgets, connection and helpers.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QMessageBox

from desktop.gui.workers import AnalysisProcess, Task
from storage.database import database_version

log = logging.getLogger(__name__)


class BackupActions:
    """Other writers' commits, backups and restoring one."""

    def check_external_changes(self) -> bool:
        """Re-read what is shown if another connection committed since the last
        look (``PRAGMA data_version``: a cheap counter, no query of the data)."""
        version = database_version(self.db)
        if version == self._data_version:
            return False
        self._data_version = version
        scroll = self.view.verticalScrollBar().value()
        selected = self.view.selection_range()
        self.refresh_tags()
        self.refresh_articles()
        if self.current_id is not None:
            self._article_analysed(self.current_id)
            self.refresh_passages()
        # the reader stays where the analyst was reading
        if selected:
            self.view.select_range(*selected)
        self.view.verticalScrollBar().setValue(scroll)
        return True

    def _schedule_backups(self) -> None:
        minutes = self.preferences.backup_minutes
        if minutes > 0 and not getattr(self, "read_only", False):
            self.backup_timer.start(minutes * 60_000)
        else:
            self.backup_timer.stop()

    def back_up_in_background(self) -> Task:
        """A scheduled backup from the worker's own connection."""
        from storage import DamagedDatabaseError, open_database
        from storage.backup import newest_good_backup, take_backup

        db_path, keep = self.db_path, self.preferences.backups_kept

        def damaged(error):
            # no backup written, none pruned; look for the good one here, not
            # on the GUI thread (a check reads every page of each backup tried)
            return error, newest_good_backup(db_path)

        def work(_progress, _cancelled):
            try:
                db = open_database(db_path)
            except DamagedDatabaseError as error:
                return damaged(error)
            try:
                return take_backup(db, db_path, keep=keep)
            except DamagedDatabaseError as error:
                return damaged(error)
            finally:
                db.close()

        task = Task(work, self)
        self._tasks.append(task)
        task.succeeded.connect(lambda path: self._backup_done(task, path))
        task.failed.connect(lambda message: self._backup_done(task, None, message))
        task.start()
        return task

    def _state_if_backed_up(self) -> tuple[int, int] | None:
        """The database state now, if its newest backup is newer than its last
        write (files' modification times); else None (changes not backed up)."""
        from storage.backup import list_backups

        backups = list_backups(self.db_path)
        written = [p.stat().st_mtime for p in (self.db_path,
                   self.db_path.with_name(self.db_path.name + "-wal")) if p.exists()]
        if backups and written and backups[0].path.stat().st_mtime >= max(written):
            return (self.db.conn.total_changes, database_version(self.db))
        return None

    def _changed_since_backup(self) -> bool:
        """True unless the newest backup was taken after the last change by
        this window or any other connection (so an exit after only reading
        does not copy a large database again)."""
        from storage.backup import list_backups

        if getattr(self, "read_only", False):
            return False
        state = (self.db.conn.total_changes, database_version(self.db))
        return not list_backups(self.db_path) or state != self._state_at_backup

    def _backup_done(self, task: Task, path, message: str = "") -> None:
        if task in self._tasks:
            self._tasks.remove(task)
        if isinstance(path, tuple):         # (DamagedDatabaseError, newest good backup)
            error, backup = path
            log.error("backup refused: %s", error)
            self.statusBar().showMessage("Not backed up: the database is damaged.", 8000)
            health = getattr(self, "health", None)
            if health is not None:
                health.report([str(error)], backup.path if backup else None)
            return
        if path:
            # the worker's own copy shows up in data_version: remember it as seen
            self._state_at_backup = (self.db.conn.total_changes, database_version(self.db))
            self.statusBar().showMessage(f"Backed up to {path.name}.", 4000)
        else:
            log.warning("backup failed: %s", message)
            self.statusBar().showMessage(f"Backup failed: {message}", 8000)

    def back_up_now(self) -> None:
        self.back_up_in_background()

    def restore_from_backup(self) -> None:
        from desktop.gui.restore_dialog import RestoreDialog
        from storage.backup import list_backups

        dialog = RestoreDialog(list_backups(self.db_path), self)
        if dialog.exec() == QDialog.DialogCode.Accepted and dialog.chosen():
            self.restore(dialog.chosen().path)

    def restore(self, backup: Path, *, checked: bool = False) -> None:
        """Replace the database by ``backup`` (backing up the current state
        first, or keeping a damaged database aside as ``<name>.damaged-<time>``).
        ``checked``: the backup was just checked (else it is checked here)."""
        from storage import DamagedDatabaseError, open_database
        from storage.backup import BackupError, restore_backup, set_aside, take_backup
        from storage.database import check_file

        problems = [] if checked else check_file(backup)
        if problems:
            box = QMessageBox(QMessageBox.Icon.Warning, "Damaged backup",
                              f"{backup.name} is damaged ({problems[0]}); nothing was "
                              f"changed. Choose another backup.", parent=self)
            box.setTextFormat(Qt.TextFormat.PlainText)
            box.exec()
            return
        self.flush_edits()
        self.analysis.stop()
        for task in list(self._tasks):
            task.cancel()
            task.wait()
        try:
            take_backup(self.db, self.db_path, keep=self.preferences.backups_kept + 1,
                        label="before-restore")
            damaged = None
        except (DamagedDatabaseError, BackupError):
            damaged = True
        self.db.close()
        if damaged:
            damaged = set_aside(self.db_path)
            log.warning("damaged database kept as %s", damaged)
        restore_backup(backup, self.db_path)
        self.db = open_database(self.db_path)
        self.current_id = None
        self.undo_stack.clear()   # the history was of the replaced database
        self.refresh_tags()
        self.refresh_articles()
        self.refresh_speakers()
        self.review_changed()
        self.analysis = AnalysisProcess(self.db_path, self.preferences.pipeline, self)
        self._connect_analysis()
        self.start_analysis()
        self._data_version = database_version(self.db)
        self.statusBar().showMessage(f"Restored {backup.name}." + (
            f" The damaged database is kept as {damaged.name}." if damaged else ""), 12000)
