"""``Later``: run a function some time from now on the window's event loop,
for code that must not import Qt (:class:`storage.durability.WalSyncer`'s
``schedule``).

Each function keeps one timer, started again each time: a
``QTimer.singleShot`` made a timer object per call, 0.05-0.1 ms inside a
tag save (the syncer schedules its wake after each commit)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer


class Later:
    """``later(seconds, function)``: ``function()`` that much later. A
    function scheduled again before it ran runs once, at the new time."""

    def __init__(self, parent: QObject):
        self._parent = parent
        self._timers: dict[Callable[[], None], QTimer] = {}

    def __call__(self, seconds: float, function: Callable[[], None]) -> None:
        timer = self._timers.get(function)
        if timer is None:
            timer = self._timers[function] = QTimer(self._parent)
            timer.setSingleShot(True)
            timer.timeout.connect(function)
        timer.start(round(seconds * 1000))
