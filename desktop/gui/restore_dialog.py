"""File → Restore from backup…: pick one of the database's backups."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QLabel, QListWidget,
                               QListWidgetItem, QVBoxLayout)

from storage.backup import Backup


class RestoreDialog(QDialog):
    """Lists backups newest first; ``chosen()`` is the selected one."""

    def __init__(self, backups: list[Backup], parent=None):
        super().__init__(parent)
        self.setWindowTitle("Restore from backup")
        self.resize(520, 360)
        layout = QVBoxLayout(self)
        note = QLabel("Restoring replaces the current database with the backup. The "
                      "current state is backed up first, so this can be undone by "
                      "restoring that backup (a damaged database is kept aside instead). "
                      "The backup is checked before it is restored.")
        note.setWordWrap(True)
        layout.addWidget(note)
        self.list = QListWidget()
        for backup in backups:
            when = backup.taken_at.astimezone().strftime("%Y-%m-%d %H:%M:%S")
            item = QListWidgetItem(f"{when}   ({backup.size / 1024:.0f} KB)   {backup.path.name}")
            item.setData(Qt.ItemDataRole.UserRole, backup)
            self.list.addItem(item)
        if backups:
            self.list.setCurrentRow(0)
        else:
            self.list.addItem("No backups yet.")
            self.list.setEnabled(False)
        layout.addWidget(self.list)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Restore")
        buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(bool(backups))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.list.itemDoubleClicked.connect(self.accept)
        layout.addWidget(buttons)

    def chosen(self) -> Backup | None:
        item = self.list.currentItem()
        return item.data(Qt.ItemDataRole.UserRole) if item else None
