"""The main window and the database file: noticing other writers' commits,
scheduled and on-demand backups (from a worker's own connection), and
restoring one.

A mixin of :class:`desktop.gui.main_window.MainWindow`: its methods use the
window's widgets, connection and helpers.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtWidgets import QDialog

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
        if minutes > 0:
            self.backup_timer.start(minutes * 60_000)
        else:
            self.backup_timer.stop()

    def back_up_in_background(self) -> Task:
        """A scheduled backup from the worker's own connection."""
        from storage import open_database
        from storage.backup import take_backup

        db_path, keep = self.db_path, self.preferences.backups_kept

        def work(_progress, _cancelled):
            db = open_database(db_path)
            try:
                return take_backup(db, db_path, keep=keep)
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

        state = (self.db.conn.total_changes, database_version(self.db))
        return not list_backups(self.db_path) or state != self._state_at_backup

    def _backup_done(self, task: Task, path, message: str = "") -> None:
        if task in self._tasks:
            self._tasks.remove(task)
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

    def restore(self, backup: Path) -> None:
        """Replace the database by ``backup`` (backing up the current state first)."""
        from storage import open_database
        from storage.backup import restore_backup, take_backup

        self.flush_edits()
        self.analysis.stop()
        for task in list(self._tasks):
            task.cancel()
            task.wait()
        take_backup(self.db, self.db_path, keep=self.preferences.backups_kept + 1,
                    label="before-restore")
        self.db.close()
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
        self.statusBar().showMessage(f"Restored {backup.name}.", 8000)
