"""Where Dossier keeps its data: the per-user data folder.

The same folder Qt's ``QStandardPaths.AppDataLocation`` names for an
application called "Dossier" (``~/.local/share/Dossier`` on Linux), found
without importing Qt so that the command line stays Qt-free.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

APP_NAME = "Dossier"
DATABASE_NAME = "dossier.db"


def data_folder() -> Path:
    """The per-user data folder, e.g. ``~/.local/share/Dossier`` on Linux."""
    home = Path.home()
    if sys.platform == "win32":
        base = Path(os.environ.get("APPDATA") or home / "AppData" / "Roaming")
    elif sys.platform == "darwin":
        base = home / "Library" / "Application Support"
    else:
        base = Path(os.environ.get("XDG_DATA_HOME") or home / ".local" / "share")
    return base / APP_NAME


def default_database_path() -> Path:
    """The database used when ``--db`` is not given."""
    return data_folder() / DATABASE_NAME
