"""Start-up of the GUI: the QApplication, opening (or choosing) the
database, first-run seeding, and the main window.

Nothing here imports spaCy: the window is on screen before the analysis
worker has loaded the language pipeline.
"""

from __future__ import annotations

import logging
import sqlite3
import sys
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox

import resources
from desktop.data_location import APP_NAME, data_folder, default_database_path
from desktop.gui.error_reporting import ErrorReporter, configure_logging
from desktop.first_run import ensure_codebook, ensure_seeded
from desktop.gui.collector import leave_start_up_out_of_collections
from desktop.gui.main_window import MainWindow
from desktop.gui.preferences import Preferences
from storage import (DamagedDatabaseError, DatabaseError, LostDatabaseError, damage_reported,
                     is_read_only, open_database)
from storage.backup import (list_backups, newest_good_backup, put_back, restore_backup,
                            set_aside, set_backups_aside)

log = logging.getLogger(__name__)


def application(argv: list[str] | None = None) -> QApplication:
    """The QApplication, created once, named and styled."""
    app = QApplication.instance() or QApplication(argv or sys.argv[:1])
    app.setApplicationName(APP_NAME)
    app.setApplicationDisplayName(APP_NAME)
    app.setWindowIcon(QIcon(str(resources.path("icons/dossier.svg"))))
    # no application style sheet: it slows every widget's painting
    # (widgets.row_style makes its touches in code)
    return app


def open_or_choose(path: Path, parent=None, first_use=None):
    """Open ``path``; if it cannot be opened, explain and offer a way on.

    The choices: another file, and for a damaged database with backups, its
    newest good backup (the damaged file is kept beside it). ``first_use(db,
    path)``, if given, runs the first reads and writes of the database
    opened: damage it meets there is offered the same way out, and its
    result is returned in place of ``db``. Returns ``(db,
    path)`` or ``(None, None)`` if the user gives up.
    """
    afresh = False      # a new database where a lost one's backups lie: only when asked
    while True:
        try:
            db = open_database(path, despite_backups=afresh)
            if first_use is None:
                return db, path
            try:
                with damage_reported(db, path):
                    return first_use(db, path), path
            except BaseException:
                db.close()      # (closed already if damaged; a second close is nothing)
                raise
        except DatabaseError as error:
            backups = list_backups(path) if isinstance(error, DamagedDatabaseError) else []
            lost = isinstance(error, LostDatabaseError)
            # (said once: some errors say it themselves)
            unchanged = ("" if "nothing was changed" in str(error).lower()
                         else "\n\nNothing in that file was changed.")
            box = QMessageBox(QMessageBox.Icon.Critical, "Cannot open database",
                              f"{error}{unchanged}"
                              + (f" A new database there keeps those backups aside, in "
                                 f"{path.name}.backups.lost-<date>." if lost else ""),
                              parent=parent)
            box.setTextFormat(Qt.TextFormat.PlainText)
            restore = box.addButton("Restore the latest backup",
                                    QMessageBox.ButtonRole.AcceptRole) if backups else None
            other = box.addButton("Open another file…", QMessageBox.ButtonRole.AcceptRole)
            new = (box.addButton("Start a new database", QMessageBox.ButtonRole.DestructiveRole)
                   if lost else None)
            box.addButton(QMessageBox.StandardButton.Close)
            if restore is not None:
                box.setDefaultButton(restore)
            box.exec()
            if restore is not None and box.clickedButton() is restore:
                restore_newest_good(path, parent)
                continue
            if new is not None and box.clickedButton() is new:
                kept = set_backups_aside(path)
                log.warning("starting a new database at %s; the lost one's backups are in %s",
                            path, kept)
                afresh = True
                continue
            if box.clickedButton() is not other:
                return None, None
            chosen, _ = QFileDialog.getSaveFileName(
                parent, "Open or create a Dossier database", str(path.parent),
                "Dossier database (*.db *.sqlite);;All files (*)",
                options=QFileDialog.Option.DontConfirmOverwrite)
            if not chosen:
                return None, None
            path = Path(chosen)


def restore_newest_good(path: Path, parent=None) -> Path | None:
    """Restore the newest backup that passes its check (the damaged database
    kept aside); say so if none does. Returns the damaged file's new name."""
    QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
    try:
        backup = newest_good_backup(path)
    finally:
        QApplication.restoreOverrideCursor()
    if backup is None:
        box = QMessageBox(QMessageBox.Icon.Warning, "No good backup",
                          f"Every backup of {path} is damaged too; nothing was changed.",
                          parent=parent)
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.exec()
        return None
    return set_aside_and_restore(path, backup.path, parent)


def set_aside_and_restore(path: Path, backup: Path, parent=None) -> Path | None:
    """Keep a damaged database as ``<name>.damaged-<time>`` and restore
    ``backup``; returns the damaged file's new name. A restore that fails (a
    full disk) puts the damaged file back, says why, and returns None."""
    damaged = set_aside(path)
    try:
        restore_backup(backup, path)
    except (sqlite3.Error, OSError, DatabaseError) as error:
        log.exception("restoring %s failed", backup)
        put_back(damaged, path)
        text = (str(error) or type(error).__name__).rstrip(".")
        box = QMessageBox(QMessageBox.Icon.Warning, "Backup not restored",
                          f"{backup.name} could not be restored ({text}). The database "
                          f"was not replaced.", parent=parent)
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.exec()
        return None
    log.warning("restored %s from %s; damaged file kept as %s", path, backup, damaged)
    return damaged


def prepare_window(db_path: Path | None = None, *, pipeline: str | None = None,
                   analyse: bool = True, preferences: Preferences | None = None):
    """Open the database (seeding it on first run) and build the main window."""
    from desktop.gui.database_health import watch_database
    from desktop.leftovers import clean_leftovers

    def first_use(db, path: Path):
        # start-up's own first reads: damage in a page they read is offered
        # a backup, not a traceback. (The window is built after: a window
        # half built when damage stops it would keep its timers running on
        # the closed connection.)
        clean_leftovers(path)
        if not is_read_only(db):
            ensure_codebook(db)
            ensure_seeded(db)
        return db

    db, path = open_or_choose(db_path or default_database_path(), first_use=first_use)
    if db is None:
        return None
    read_only = is_read_only(db)
    window = MainWindow(db, path, preferences, pipeline=pipeline,
                        analyse=analyse and not read_only)
    watch_database(window, read_only=read_only)
    return window


def run_gui(db_path: Path | None = None, pipeline: str | None = None) -> int:
    """Run the application until its window closes; returns the exit status."""
    app = application()
    log_path = configure_logging(data_folder())
    if log_path.parent != data_folder():
        print(f"dossier: the data folder {data_folder()} cannot be written; logging to "
              f"{log_path}", file=sys.stderr)
    reporter = ErrorReporter(log_path)
    reporter.install()
    log.info("Dossier starting")
    window = prepare_window(db_path, pipeline=pipeline)
    if window is None:
        return 1
    window.log_path = log_path
    window.show()
    app.processEvents()         # (its first paint, before the freeze)
    leave_start_up_out_of_collections()
    status = app.exec()
    window.db.close()
    return status
