"""The window's process keeps the garbage collector's pauses short: a worker
allocating many rows must not hold the GIL (and the GUI thread) in long
collections (desktop.gui.app.quiet_garbage_collector, MainWindow's gc.freeze)."""

from __future__ import annotations

import gc

from desktop.gui import app as app_module
from storage import open_database


def test_application_raises_the_collectors_first_threshold(monkeypatch):
    before = gc.get_threshold()
    try:
        gc.set_threshold(700, 10, 10)
        app_module.application()
        assert gc.get_threshold() == (app_module.GC_FIRST_THRESHOLD, 20, 20)
    finally:
        gc.set_threshold(*before)


def test_window_freezes_what_start_up_made(qtbot, seeded_db_path):
    from desktop.gui.main_window import MainWindow

    gc.unfreeze()
    assert gc.get_freeze_count() == 0
    window = MainWindow(open_database(seeded_db_path), seeded_db_path, analyse=False)
    qtbot.addWidget(window)
    # the window's widgets, controllers and state are out of later collections
    assert gc.get_freeze_count() > 10_000
    gc.unfreeze()
