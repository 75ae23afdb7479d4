"""Shared fixtures: isolated Qt settings, the real spaCy pipeline, and
databases seeded (and analysed) once per session, copied per test."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

# Headless, on a desktop-sized screen (the offscreen default is 800 x 800,
# smaller than any analyst's): windows get the room they would have.
_SCREEN = Path(__file__).resolve().parent / "data" / "offscreen-screen.json"
if os.environ.get("QT_QPA_PLATFORM", "offscreen") == "offscreen":
    os.environ["QT_QPA_PLATFORM"] = f"offscreen:configfile={_SCREEN}"

# The per-user data folder (desktop.data_location) and settings (QSettings)
# of every test, and of the subprocesses it starts, are throwaway ones: never
# the real user's (windows started in subprocesses wrote their reading
# positions into ~/.config).
import tempfile  # noqa: E402

os.environ["XDG_DATA_HOME"] = tempfile.mkdtemp(prefix="dossier-test-data-")
os.environ["XDG_CONFIG_HOME"] = tempfile.mkdtemp(prefix="dossier-test-config-")

import pytest  # noqa: E402
import shiboken6  # noqa: E402

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


@pytest.fixture(scope="session", autouse=True)
def isolated_qt_settings(tmp_path_factory):
    """QSettings and QStandardPaths never touch the real user's files."""
    from PySide6.QtCore import QSettings, QStandardPaths

    QStandardPaths.setTestModeEnabled(True)
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope,
                      str(tmp_path_factory.mktemp("settings")))


@pytest.fixture(scope="session")
def pipeline():
    """The real English pipeline (en_core_web_sm or its re-upload)."""
    from desktop.analysis.pipeline import load_pipeline

    loaded = load_pipeline()
    assert not loaded.degraded, loaded.warnings
    return loaded


def _seeded(path: Path):
    from desktop.first_run import ensure_codebook, ensure_seeded
    from storage import open_database

    db = open_database(path)
    ensure_codebook(db)
    ensure_seeded(db)
    return db


@pytest.fixture(scope="session")
def seeded_template(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("template") / "seeded.db"
    _seeded(path).close()
    return path


@pytest.fixture(scope="session")
def analysed_template(tmp_path_factory, pipeline) -> Path:
    from desktop.analysis_jobs import analyse_pending

    path = tmp_path_factory.mktemp("template") / "analysed.db"
    db = _seeded(path)
    assert analyse_pending(db, pipeline) == 5
    db.close()
    return path


def _copy(template: Path, folder: Path) -> Path:
    target = folder / "dossier.db"
    shutil.copy(template, target)
    return target


@pytest.fixture
def seeded_db_path(seeded_template, tmp_path) -> Path:
    """A database file with the codebook and the five seeds, not analysed."""
    return _copy(seeded_template, tmp_path)


@pytest.fixture
def analysed_db_path(analysed_template, tmp_path) -> Path:
    """A database file with the seeds analysed by the real pipeline."""
    return _copy(analysed_template, tmp_path)


@pytest.fixture
def db(tmp_path):
    """A new, empty Dossier database (schema and default tags)."""
    from desktop.first_run import ensure_codebook
    from storage import open_database

    database = open_database(tmp_path / "new.db")
    ensure_codebook(database)
    yield database
    database.close()


@pytest.fixture
def preferences(tmp_path):
    from PySide6.QtCore import QSettings

    from desktop.gui.preferences import Preferences

    prefs = Preferences(QSettings(str(tmp_path / "prefs.ini"), QSettings.Format.IniFormat))
    prefs.analyst = "Test Analyst"
    return prefs


@pytest.fixture
def open_window(qtbot, preferences):
    """Open a main window on a database file; closed after the test."""
    windows = []

    def opener(db_path: Path, *, analyse: bool = False):
        from desktop.gui.app import application, prepare_window

        application()
        window = prepare_window(db_path, analyse=analyse, preferences=preferences)
        window.show()
        qtbot.waitExposed(window)
        # shortcuts only fire in the active window
        window.windowHandle().requestActivate()
        qtbot.waitUntil(lambda: window.isActiveWindow(), timeout=5000)
        windows.append(window)
        return window

    yield opener
    for window in windows:
        if shiboken6.isValid(window):      # (deleted when another database was opened)
            window.close()
            window.deleteLater()
        window.db.close()


@pytest.fixture(scope="session")
def hub_server():
    """A throwaway PostgreSQL cluster for the team-hub tests (tests/hub_server.py)."""
    from tests.hub_server import HubServer

    server = HubServer()
    yield server
    server.close()


def pytest_collection_modifyitems(config, items):
    """The slowest tests first: run in parallel (``make test`` uses
    pytest-xdist), a long test picked up last would finish alone while the
    other worker sits idle."""
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)


@pytest.fixture
def time_zone(monkeypatch):
    """Sets the process's local time zone (``TZ``) for one test."""
    import time

    def set_zone(name: str) -> None:
        monkeypatch.setenv("TZ", name)
        time.tzset()
    yield set_zone
    monkeypatch.undo()
    time.tzset()
