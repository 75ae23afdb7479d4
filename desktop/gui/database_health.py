"""The window's watch over its database file: damage found at once, and a
banner when the file is read-only.

:class:`DatabaseHealth` runs ``PRAGMA quick_check`` off the GUI thread (its
own read-only connection, in a :class:`~desktop.gui.workers.Task`) as the
window opens, every :data:`CHECK_MINUTES` minutes, and whenever a backup
finds the database damaged. Damage is reported once, in a dialog that
offers to restore the newest good backup; the damaged file is kept aside as
``<name>.damaged-<time>``, never deleted.

:func:`watch_database` attaches both to a window without touching
:mod:`desktop.gui.main_window`.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QLabel, QMessageBox, QToolBar

from desktop.gui.workers import Task
from storage.database import summary

log = logging.getLogger(__name__)

#: How often the open database is checked for damage.
CHECK_MINUTES = 30

READ_ONLY_BANNER = ("Read-only: you cannot write to {path} (the file or its folder is "
                    "write-protected), so tagging, notes, imports, analysis and backups are "
                    "off. Reading, searching and exports work. To work on it, copy the file "
                    "somewhere you can write to and open the copy.")


def check_database(db_path: Path) -> tuple[list[str], Path | None]:
    """What ``quick_check`` finds wrong with ``db_path`` and, if anything,
    the newest backup that passes its own check (any thread)."""
    from storage.backup import newest_good_backup
    from storage.database import check_file

    problems = check_file(db_path)
    if not problems:
        return [], None
    backup = newest_good_backup(db_path)
    return problems, backup.path if backup else None


class DatabaseHealth(QObject):
    """Checks the window's database for damage in the background."""

    #: the problems found (first few), the newest good backup or "" if none
    damageFound = Signal(list, str)
    checked = Signal()

    def __init__(self, window, *, minutes: int = CHECK_MINUTES):
        super().__init__(window)
        self.window = window
        self.reported = False
        self.task: Task | None = None
        self.box: QMessageBox | None = None
        self.timer = QTimer(self)
        self.timer.timeout.connect(self.check)
        self.timer.start(minutes * 60_000)

    def stop(self) -> None:
        """No more checks; wait for a running one (the window is closing)."""
        self.timer.stop()
        if self.task is not None:
            self.task.wait()

    def check(self) -> Task | None:
        """Start a check unless one is running or damage was already reported."""
        if self.reported or (self.task is not None and self.task.thread.isRunning()):
            return None
        db_path = Path(self.window.db_path)
        task = Task(lambda _progress, _cancelled: check_database(db_path), self)
        task.succeeded.connect(self._checked)
        task.failed.connect(lambda message: log.warning("damage check failed: %s", message))
        self.task = task
        task.start()
        return task

    def _checked(self, result) -> None:
        problems, backup = result
        self.checked.emit()
        if problems:
            self.report(problems, backup)

    def report(self, problems: list[str], backup: Path | None) -> None:
        """Tell the analyst at once (once) and offer the newest good backup."""
        if self.reported:
            return
        self.reported = True
        self.timer.stop()
        path = self.window.db_path
        log.error("database %s is damaged: %s", path, "; ".join(problems))
        self.damageFound.emit(list(problems), str(backup or ""))
        self.window.statusBar().showMessage("The database is damaged.")
        text = (f"The database {path} is damaged ({summary(problems)}).\n\n"
                "Changes made now may be lost, and backups of a damaged file are not "
                "kept. ")
        if backup is not None:
            text += (f"Restore its newest good backup, {backup.name}? The damaged file is "
                     f"kept beside it as {path.name}.damaged-<time>.")
        else:
            text += "None of its backups passes the check either; keep the file and "
            text += "ask for help before changing anything."
        box = QMessageBox(QMessageBox.Icon.Critical, "Database damaged", text,
                          parent=self.window)
        box.setTextFormat(Qt.TextFormat.PlainText)
        restore = (box.addButton("Restore the newest good backup",
                                 QMessageBox.ButtonRole.AcceptRole) if backup else None)
        box.addButton("Not now", QMessageBox.ButtonRole.RejectRole)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.buttonClicked.connect(
            lambda button: self._restore(backup) if button is restore else None)
        self.box = box
        box.open()

    def _restore(self, backup: Path) -> None:
        self.window.restore(backup, checked=True)
        self.reported = False          # the restored file is watched again
        self.timer.start()


def add_read_only_banner(window) -> QLabel:
    """A bar across the top of ``window`` saying why changes are off."""
    bar = QToolBar("Read-only", window)
    bar.setObjectName("readOnlyBanner")
    bar.setMovable(False)
    bar.setFloatable(False)
    label = QLabel(READ_ONLY_BANNER.format(path=window.db_path))
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(True)
    label.setObjectName("readOnlyText")
    label.setStyleSheet("QLabel { padding: 6px; background: #fff3cd; color: #533f03; }")
    bar.addWidget(label)
    window.addToolBar(Qt.ToolBarArea.TopToolBarArea, bar)
    window.read_only_banner = label
    return label


def watch_database(window, *, read_only: bool) -> DatabaseHealth:
    """Attach the damage check (first run as the event loop starts) and, for
    a read-only database, the banner; backups are off for it."""
    health = DatabaseHealth(window)
    window.health = health
    window.read_only = read_only
    if read_only:
        add_read_only_banner(window)
        window.backup_timer.stop()
    QTimer.singleShot(0, health.check)
    return health
