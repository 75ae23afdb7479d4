"""Errors: a rotating log file in the data folder (or, if that folder cannot
be written, in the system's temporary folder), and a dialog (instead of a
closed window) for any unexpected exception, from any thread. A write refused
because the database is open read-only is explained as such, not as an
unexpected error."""

from __future__ import annotations

import logging
import logging.handlers
import os
import sqlite3
import sys
import tempfile
import threading
import traceback
from pathlib import Path

from PySide6.QtCore import QObject, Qt, Signal, Slot
from PySide6.QtWidgets import (QApplication, QDialog, QDialogButtonBox, QMessageBox,
                               QPlainTextEdit, QVBoxLayout)

LOG_NAME = "dossier.log"
LOG_BYTES = 1_000_000
LOG_FILES_KEPT = 5

log = logging.getLogger("dossier")

READ_ONLY = "read-only"
READ_ONLY_TEXT = ("This database is open read-only: you cannot write to its file (or its "
                  "folder), so the change was not made. Reading, searching and exporting "
                  "work. To work on it, copy the file somewhere you can write to and open "
                  "the copy (dossier --db COPY).")


def _log_handler(folder: Path) -> tuple[Path, logging.Handler | None]:
    path = folder / LOG_NAME
    root = logging.getLogger()
    if any(getattr(h, "baseFilename", None) == str(path) for h in root.handlers):
        return path, None
    folder.mkdir(parents=True, exist_ok=True)
    return path, logging.handlers.RotatingFileHandler(
        path, maxBytes=LOG_BYTES, backupCount=LOG_FILES_KEPT, encoding="utf-8")


def fallback_log_folder() -> Path:
    """Where the log goes when the data folder cannot be written."""
    user = getattr(os, "getuid", lambda: os.environ.get("USERNAME", "user"))()
    return Path(tempfile.gettempdir()) / f"Dossier-log-{user}"


def configure_logging(folder: Path) -> Path:
    """Log INFO and above to ``folder/dossier.log`` (rotating), warnings to
    stderr; returns the log file's path, in :func:`fallback_log_folder` if
    ``folder`` cannot be written."""
    try:
        path, handler = _log_handler(folder)
    except OSError:
        path, handler = _log_handler(fallback_log_folder())
    root = logging.getLogger()
    if handler is not None:
        handler.setFormatter(logging.Formatter(
            "%(asctime)s %(levelname)s %(name)s [%(threadName)s]: %(message)s"))
        root.addHandler(handler)
    root.setLevel(logging.INFO)
    return path


class ErrorReporter(QObject):
    """Turns uncaught exceptions into a log entry and a dialog on the GUI thread."""

    reported = Signal(str, str)   # summary, details

    def __init__(self, log_path: Path | None = None):
        super().__init__()
        self.log_path = log_path
        self.shown = 0
        self.last_box: QMessageBox | None = None
        self.reported.connect(self._show, Qt.ConnectionType.QueuedConnection)

    def install(self) -> None:
        sys.excepthook = self.handle
        threading.excepthook = lambda args: self.handle(args.exc_type, args.exc_value,
                                                        args.exc_traceback)

    def handle(self, exc_type, exc_value, exc_traceback) -> None:
        if issubclass(exc_type, KeyboardInterrupt):
            sys.__excepthook__(exc_type, exc_value, exc_traceback)
            return
        if issubclass(exc_type, sqlite3.OperationalError) and "readonly" in str(exc_value):
            log.warning("change refused, the database is read-only: %s", exc_value)
            self.reported.emit(READ_ONLY, "")
            return
        details = "".join(traceback.format_exception(exc_type, exc_value, exc_traceback))
        log.error("unexpected error\n%s", details)
        self.reported.emit(f"{exc_type.__name__}: {exc_value}", details)

    @Slot(str, str)
    def _show(self, summary: str, details: str) -> None:
        self.shown += 1
        if QApplication.instance() is None:
            return
        if summary == READ_ONLY:
            box = QMessageBox(QMessageBox.Icon.Information, "Read-only database",
                              READ_ONLY_TEXT, parent=QApplication.activeWindow())
            box.setTextFormat(Qt.TextFormat.PlainText)
            box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            self.last_box = box
            box.open()
            return
        box = QMessageBox(QMessageBox.Icon.Critical, "Unexpected error",
                          "Dossier ran into an unexpected error. Your tags are saved as you "
                          "make them, and the window stays open.\n\n" + summary,
                          parent=QApplication.activeWindow())
        box.setTextFormat(Qt.TextFormat.PlainText)
        if self.log_path:
            details += f"\nLogged to {self.log_path}"
        box.setDetailedText(details)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.last_box = box      # a parentless box needs an owner to stay alive
        box.open()


class LogDialog(QDialog):
    """The end of the log file, read-only."""

    LINES = 500

    def __init__(self, path: Path, parent=None):
        super().__init__(parent)
        self.setWindowTitle(f"Log — {path}")
        self.resize(900, 500)
        layout = QVBoxLayout(self)
        self.text = QPlainTextEdit()
        self.text.setReadOnly(True)
        self.text.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        try:
            lines = path.read_text("utf-8", errors="replace").splitlines()[-self.LINES:]
        except OSError as error:
            lines = [f"(no log yet: {error.strerror})"]
        self.text.setPlainText("\n".join(lines))
        self.text.moveCursor(self.text.textCursor().MoveOperation.End)
        layout.addWidget(self.text)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
