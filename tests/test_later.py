"""desktop.gui.later: a function run some time later on the event loop,
through one reusable timer per function."""

from __future__ import annotations

import time

from PySide6.QtCore import QObject

from desktop.gui.later import Later


def test_a_function_runs_once_that_much_later(qtbot):
    later = Later(QObject())
    ran: list[float] = []
    began = time.monotonic()
    later(0.05, lambda: ran.append(time.monotonic() - began))
    qtbot.waitUntil(lambda: bool(ran), timeout=2000)
    qtbot.wait(120)
    assert len(ran) == 1
    assert ran[0] >= 0.045


def test_scheduled_again_before_it_ran_it_runs_once_at_the_new_time(qtbot):
    parent = QObject()
    later = Later(parent)
    ran: list[float] = []

    def function():
        ran.append(time.monotonic())

    later(0.03, function)
    qtbot.wait(10)
    again = time.monotonic()
    later(0.15, function)
    qtbot.waitUntil(lambda: bool(ran), timeout=2000)
    qtbot.wait(200)
    assert len(ran) == 1
    assert ran[0] - again >= 0.14
    # one timer for the function, kept for its next time
    later(0.01, function)
    qtbot.waitUntil(lambda: len(ran) == 2, timeout=2000)
    assert len(later._timers) == 1


def test_two_functions_each_run(qtbot):
    later = Later(QObject())
    ran: list[str] = []
    later(0.02, lambda: ran.append("a"))
    later(0.04, lambda: ran.append("b"))
    qtbot.waitUntil(lambda: len(ran) == 2, timeout=2000)
    assert ran == ["a", "b"]
