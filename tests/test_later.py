"""desktop.gui.later: a function run some time later on the event loop,
through one reusable timer."""

from __future__ import annotations

import time

from PySide6.QtCore import QObject

from desktop.gui.later import Later


def test_a_function_runs_once_that_much_later(qtbot):
    parent = QObject()
    later = Later(parent)
    ran: list[float] = []
    began = time.monotonic()
    later(0.05, lambda: ran.append(time.monotonic() - began))
    qtbot.waitUntil(lambda: bool(ran), timeout=2000)
    qtbot.wait(120)
    assert len(ran) == 1
    assert ran[0] >= 0.045


def test_called_again_before_it_ran_only_the_new_call_runs_at_the_new_time(qtbot):
    parent = QObject()
    later = Later(parent)
    ran: list[tuple[str, float]] = []
    later(0.03, lambda: ran.append(("first", time.monotonic())))
    qtbot.wait(10)
    again = time.monotonic()
    later(0.15, lambda: ran.append(("second", time.monotonic())))
    qtbot.waitUntil(lambda: bool(ran), timeout=2000)
    qtbot.wait(200)
    assert [name for name, _ in ran] == ["second"]
    assert ran[0][1] - again >= 0.14
    # the same timer serves the next call (one per window, whatever the files)
    timers = parent.findChildren(type(later._timer))
    later(0.01, lambda: ran.append(("third", time.monotonic())))
    qtbot.waitUntil(lambda: len(ran) == 2, timeout=2000)
    assert parent.findChildren(type(later._timer)) == timers and len(timers) == 1


def test_once_its_owner_is_deleted_nothing_is_scheduled_and_nothing_raises(qtbot):
    import shiboken6

    parent = QObject()
    later = Later(parent)
    shiboken6.delete(parent)
    ran: list[int] = []
    later(0.01, lambda: ran.append(1))       # a commit's poke after the window went
    qtbot.wait(60)
    assert ran == []


def test_the_window_keeps_one_timer_for_every_file_it_opens(open_window, seeded_db_path,
                                                             tmp_path, qtbot):
    import shutil

    from storage import open_database

    window = open_window(seeded_db_path)
    later = window._later
    for n in range(3):
        copy = tmp_path / f"copy{n}.db"
        shutil.copy(seeded_db_path, copy)
        window.db_path = copy
        window.db = open_database(copy)
    assert window._later is later
    assert window.db._wal_syncer._schedule is later
