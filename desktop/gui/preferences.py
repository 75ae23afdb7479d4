"""User preferences (analyst name, spaCy pipeline, backups) kept in
QSettings, and the dialog that edits them."""

from __future__ import annotations

import getpass
import hashlib
import os
import time
from functools import cache
from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLineEdit, QSpinBox

from storage.backup import DEFAULT_MAX_BYTES


@cache
def _os_user() -> str:
    """The system user name (looked up once: every tag asks for it)."""
    try:
        return getpass.getuser()
    except Exception:  # no user name in the environment or password database
        return os.environ.get("USER") or "analyst"


class Preferences:
    """Typed access to Dossier's QSettings."""

    #: how long the analyst's name read from the settings is used without
    #: reading it again (another Dossier process may change it)
    ANALYST_KEPT_S = 1.0

    def __init__(self, settings: QSettings | None = None):
        self.settings = settings or QSettings()
        self._analyst: str | None = None
        self._analyst_read_at = 0.0

    @property
    def analyst(self) -> str:
        """The analyst's name: read from the settings at most once in
        :attr:`ANALYST_KEPT_S`, and again after it is set here (a tag saved
        asked the settings three times)."""
        now = time.monotonic()
        if self._analyst is None or now - self._analyst_read_at > self.ANALYST_KEPT_S:
            value = str(self.settings.value("analyst/name", "") or "").strip()
            self._analyst, self._analyst_read_at = value or _os_user(), now
        return self._analyst

    @analyst.setter
    def analyst(self, name: str) -> None:
        self.settings.setValue("analyst/name", name.strip())
        self._analyst = None

    @property
    def pipeline(self) -> str | None:
        value = str(self.settings.value("analysis/pipeline", "") or "").strip()
        return value or None

    @pipeline.setter
    def pipeline(self, name: str | None) -> None:
        self.settings.setValue("analysis/pipeline", (name or "").strip())

    def folder(self, purpose: str) -> Path:
        """The folder a file was last chosen in for ``purpose`` ("import",
        "export"): the next dialog opens there, if it still exists, else in
        the home folder."""
        value = str(self.settings.value(f"folders/{purpose}", "") or "")
        return Path(value) if value and Path(value).is_dir() else Path.home()

    @staticmethod
    def _exit_backup_key(db_path) -> str:
        digest = hashlib.sha1(str(Path(db_path).resolve()).encode("utf-8")).hexdigest()
        return f"backup/exit_failed/{digest[:16]}"

    def note_exit_backup_failure(self, db_path, text: str) -> None:
        """The exit backup of ``db_path`` failed (``text`` says when and why):
        said at its next opening, as the window was gone by then."""
        self.settings.setValue(self._exit_backup_key(db_path), text)
        self.settings.sync()

    def take_exit_backup_failure(self, db_path) -> str:
        """What :meth:`note_exit_backup_failure` noted for ``db_path`` ("" if
        nothing), forgotten once read."""
        key = self._exit_backup_key(db_path)
        text = str(self.settings.value(key, "") or "")
        if text:
            self.settings.remove(key)
        return text

    def remember_folder(self, purpose: str, path) -> None:
        """Remember ``path``'s folder (``path`` itself if it is one) for ``purpose``."""
        path = Path(path)
        self.settings.setValue(f"folders/{purpose}",
                               str(path if path.is_dir() else path.parent))


    @property
    def backup_minutes(self) -> int:
        """Minutes between automatic backups (0: only on exit)."""
        return as_int(self.settings.value("backup/every_minutes", 30), 30)

    @backup_minutes.setter
    def backup_minutes(self, minutes: int) -> None:
        self.settings.setValue("backup/every_minutes", int(minutes))

    @property
    def backups_kept(self) -> int:
        return max(1, as_int(self.settings.value("backup/kept", 10), 10))

    @backups_kept.setter
    def backups_kept(self, count: int) -> None:
        self.settings.setValue("backup/kept", int(count))

    @property
    def backups_max_gb(self) -> int:
        """How much disk the backups may take together, in GB (the oldest
        go first; the newest two are always kept)."""
        default = DEFAULT_MAX_BYTES // 1024**3
        return max(1, as_int(self.settings.value("backup/max_gb", default), default))

    @backups_max_gb.setter
    def backups_max_gb(self, gigabytes: int) -> None:
        self.settings.setValue("backup/max_gb", int(gigabytes))

    @property
    def backups_max_bytes(self) -> int:
        return self.backups_max_gb * 1024**3


def as_int(value, default=None):
    """A settings value as an int, or ``default`` if it is not one."""
    try:
        return int(value)
    except (TypeError, ValueError, OverflowError):
        return default


class PreferencesDialog(QDialog):
    """Edits the analyst name and the spaCy pipeline."""

    def __init__(self, preferences: Preferences, parent=None):
        super().__init__(parent)
        self.setWindowTitle("Preferences")
        self.preferences = preferences
        form = QFormLayout(self)
        self.analyst = QLineEdit(preferences.analyst)
        self.analyst.setToolTip("Recorded with every passage you tag")
        self.pipeline = QLineEdit(preferences.pipeline or "")
        self.pipeline.setPlaceholderText("default: en_core_web_sm")
        self.pipeline.setToolTip("An installed spaCy pipeline package or a path to one; "
                                 "used from the next start")
        self.backup_minutes = QSpinBox()
        self.backup_minutes.setRange(0, 24 * 60)
        self.backup_minutes.setSuffix(" min")
        self.backup_minutes.setSpecialValueText("only on exit")
        self.backup_minutes.setValue(preferences.backup_minutes)
        self.backups_kept = QSpinBox()
        self.backups_kept.setRange(1, 1000)
        self.backups_kept.setValue(preferences.backups_kept)
        form.addRow("Analyst name:", self.analyst)
        form.addRow("spaCy pipeline:", self.pipeline)
        form.addRow("Back up every:", self.backup_minutes)
        form.addRow("Backups kept:", self.backups_kept)
        self.backups_max_gb = QSpinBox()
        self.backups_max_gb.setRange(1, 100_000)
        self.backups_max_gb.setSuffix(" GB")
        self.backups_max_gb.setValue(preferences.backups_max_gb)
        self.backups_max_gb.setToolTip("The oldest backups are deleted beyond this; the "
                                       "newest two are always kept")
        form.addRow("Backups use at most:", self.backups_max_gb)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def accept(self) -> None:
        self.preferences.analyst = self.analyst.text()
        self.preferences.pipeline = self.pipeline.text()
        self.preferences.backup_minutes = self.backup_minutes.value()
        self.preferences.backups_kept = self.backups_kept.value()
        self.preferences.backups_max_gb = self.backups_max_gb.value()
        super().accept()
