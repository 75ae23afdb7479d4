"""The database file: noticing other writers' commits (published as a
foreign change that leaves the reader where it is), scheduled, on-demand
and on-exit backups (from a worker's own connection), and restoring one.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QDialog

from desktop.gui.controller import Controller
from storage.changes import ALL_KINDS, Changes
from storage.database import database_version

log = logging.getLogger(__name__)

#: How often the window looks for commits by other windows or commands.
EXTERNAL_CHECK_MS = 2000


class BackupsController(Controller):
    """Other writers' commits, backups and restoring one."""

    def __init__(self, window, state, ops):
        super().__init__(window, state, ops)
        self._state_at_backup: tuple[int, int] | None = self._state_if_backed_up()
        self.backup_timer = QTimer(self)
        self.backup_timer.timeout.connect(self.back_up_in_background)
        self._schedule_backups()
        # another window or a dossier command writing to the same file
        self._data_version = database_version(self.db)
        self.external_timer = QTimer(self)
        self.external_timer.timeout.connect(self.check_external_changes)
        self.external_timer.start(EXTERNAL_CHECK_MS)

    def stop(self) -> None:
        self.backup_timer.stop()
        self.external_timer.stop()

    def check_external_changes(self) -> bool:
        """Publish a foreign change if another connection committed since the
        last look (``PRAGMA data_version``: a cheap counter, no query of the
        data); the reader stays where the analyst was reading."""
        version = database_version(self.db)
        if version == self._data_version:
            return False
        self._data_version = version
        with self.controllers.reader.keeping_position():
            self.ops.publish(Changes.of(*ALL_KINDS, foreign=True))
        return True

    def _schedule_backups(self) -> None:
        minutes = self.preferences.backup_minutes
        if minutes > 0:
            self.backup_timer.start(minutes * 60_000)
        else:
            self.backup_timer.stop()

    def back_up_in_background(self):
        """A scheduled backup from the worker's own connection."""
        from storage.backup import take_backup

        db_path, keep = self.db_path, self.preferences.backups_kept
        return self.ops.query(lambda db: take_backup(db, db_path, keep=keep),
                              self._backup_done).failure(
            lambda error: self._backup_done(None, str(error))).named("backup").run()

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

    def _backup_done(self, path, message: str = "") -> None:
        if path:
            # the worker's own copy shows up in data_version: remember it as seen
            self._state_at_backup = (self.db.conn.total_changes, database_version(self.db))
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
                take_backup(self.db, self.db_path, keep=self.preferences.backups_kept)
        except Exception:   # never keep the analyst from quitting
            log.exception("backup on exit failed")

    def restore_from_backup(self) -> None:
        from desktop.gui.restore_dialog import RestoreDialog
        from storage.backup import list_backups

        dialog = RestoreDialog(list_backups(self.db_path), self.window)
        if dialog.exec() == QDialog.DialogCode.Accepted and dialog.chosen():
            self.restore(dialog.chosen().path)

    def restore(self, backup: Path) -> None:
        """Replace the database by ``backup`` (backing up the current state first)."""
        from storage import open_database
        from storage.backup import restore_backup, take_backup

        controllers = self.controllers
        controllers.reader.flush_edits()
        controllers.analysis.process.stop()
        self.ops.cancel_all()
        take_backup(self.db, self.db_path, keep=self.preferences.backups_kept + 1,
                    label="before-restore")
        self.db.close()
        restore_backup(backup, self.db_path)
        self.window.db = open_database(self.db_path)
        self._data_version = database_version(self.db)
        self.state.article_id = None
        controllers.history.undo_stack.clear()   # the history was of the replaced database
        controllers.analysis.start_process()
        self.ops.publish(Changes.of(*ALL_KINDS))   # every panel re-reads; analysis starts
        self.statusBar().showMessage(f"Restored {backup.name}.", 8000)
