"""Start-up of the GUI: the QApplication, opening (or choosing) the
database, first-run seeding, and the main window.

Nothing here imports spaCy: the window is on screen before the analysis
worker has loaded the language pipeline.
"""

from __future__ import annotations

import logging
import sys
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox

import resources
from desktop.data_location import APP_NAME, data_folder, default_database_path
from desktop.gui.error_reporting import ErrorReporter, configure_logging
from desktop.first_run import ensure_codebook, ensure_seeded
from desktop.gui.main_window import MainWindow
from desktop.gui.preferences import Preferences
from storage import DamagedDatabaseError, DatabaseError, open_database
from storage.backup import list_backups, restore_backup

log = logging.getLogger(__name__)


def application(argv: list[str] | None = None) -> QApplication:
    """The QApplication, created once, named and styled."""
    app = QApplication.instance() or QApplication(argv or sys.argv[:1])
    app.setApplicationName(APP_NAME)
    app.setApplicationDisplayName(APP_NAME)
    app.setWindowIcon(QIcon(str(resources.path("icons/dossier.svg"))))
    style = resources.path("style.qss")
    if style.exists():
        app.setStyleSheet(style.read_text("utf-8"))
    return app


def open_or_choose(path: Path, parent=None):
    """Open ``path``; if it cannot be opened, explain and offer a way on.

    The choices: another file, and for a damaged database with backups, its
    latest backup (the damaged file is kept beside it). Returns
    ``(db, path)`` or ``(None, None)`` if the user gives up.
    """
    while True:
        try:
            return open_database(path), path
        except DatabaseError as error:
            backups = list_backups(path) if isinstance(error, DamagedDatabaseError) else []
            box = QMessageBox(QMessageBox.Icon.Critical, "Cannot open database",
                              f"{error}\n\nNothing in that file was changed.", parent=parent)
            box.setTextFormat(Qt.TextFormat.PlainText)
            restore = box.addButton("Restore the latest backup",
                                    QMessageBox.ButtonRole.AcceptRole) if backups else None
            other = box.addButton("Open another file…", QMessageBox.ButtonRole.AcceptRole)
            box.addButton(QMessageBox.StandardButton.Close)
            box.exec()
            if restore is not None and box.clickedButton() is restore:
                set_aside_and_restore(path, backups[0].path)
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


def set_aside_and_restore(path: Path, backup: Path) -> Path:
    """Keep a damaged database as ``<name>.damaged-<time>`` and restore ``backup``."""
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    damaged = path.with_name(f"{path.name}.damaged-{stamp}")
    path.replace(damaged)
    for suffix in ("-wal", "-shm"):
        side = path.with_name(path.name + suffix)
        if side.exists():
            side.replace(damaged.with_name(damaged.name + suffix))
    restore_backup(backup, path)
    log.warning("restored %s from %s; damaged file kept as %s", path, backup, damaged)
    return damaged


def prepare_window(db_path: Path | None = None, *, pipeline: str | None = None,
                   analyse: bool = True, preferences: Preferences | None = None):
    """Open the database (seeding it on first run) and build the main window."""
    db, path = open_or_choose(db_path or default_database_path())
    if db is None:
        return None
    ensure_codebook(db)
    ensure_seeded(db)
    return MainWindow(db, path, preferences, pipeline=pipeline, analyse=analyse)


def run_gui(db_path: Path | None = None, pipeline: str | None = None) -> int:
    """Run the application until its window closes; returns the exit status."""
    app = application()
    log_path = configure_logging(data_folder())
    reporter = ErrorReporter(log_path)
    reporter.install()
    log.info("Dossier starting")
    window = prepare_window(db_path, pipeline=pipeline)
    if window is None:
        return 1
    window.log_path = log_path
    window.show()
    status = app.exec()
    window.db.close()
    return status
