"""Where Dossier keeps its data: the per-user data folder from QStandardPaths."""

from __future__ import annotations

from pathlib import Path

APP_NAME = "Dossier"
DATABASE_NAME = "dossier.db"


def data_folder() -> Path:
    """The per-user data folder, e.g. ``~/.local/share/Dossier`` on Linux."""
    from PySide6.QtCore import QCoreApplication, QStandardPaths

    if not QCoreApplication.applicationName() or \
            QCoreApplication.applicationName() != APP_NAME:
        QCoreApplication.setApplicationName(APP_NAME)
    location = QStandardPaths.writableLocation(
        QStandardPaths.StandardLocation.AppDataLocation)
    return Path(location)


def default_database_path() -> Path:
    """The database used when ``--db`` is not given."""
    return data_folder() / DATABASE_NAME
