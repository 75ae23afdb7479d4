"""``Later``: run a function some time from now on the window's event loop,
for code that must not import Qt (:class:`storage.durability.WalSyncer`'s
``schedule``) — or soon, asked from another thread (its ``hand_over``).

One timer, started again each time: a ``QTimer.singleShot`` made a timer
object per call, 0.05-0.1 ms inside a tag save (the syncer schedules its
wake after each commit)."""

from __future__ import annotations

from collections.abc import Callable

import shiboken6
from PySide6.QtCore import QObject, QTimer, Signal, Slot


class _Relay(QObject):
    """Carries a function from any thread to the thread this object was
    made in (a signal emitted from another thread is queued to its
    receiver's). Without a parent: owned by its :class:`Later`, it is not
    deleted with the window while another thread may still emit."""

    carried = Signal(object)

    def __init__(self):
        super().__init__()
        self.carried.connect(self.run)

    @Slot(object)
    def run(self, function: Callable[[], None]) -> None:
        function()


class Later:
    """``later(seconds, function)``: ``function()`` that much later. For one
    caller at a time (the window's one syncer): a call before the last one
    ran replaces it. Once the timer's owner is gone (the window deleted),
    nothing is scheduled — the syncer's thread still syncs on its own
    clock; a commit does not fail for it."""

    def __init__(self, parent: QObject):
        self._timer = QTimer(parent)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._run)
        self._function: Callable[[], None] | None = None
        self._relay = _Relay()

    def __call__(self, seconds: float, function: Callable[[], None]) -> None:
        if not shiboken6.isValid(self._timer):
            return
        self._function = function
        self._timer.start(round(seconds * 1000))

    def _run(self) -> None:
        function, self._function = self._function, None
        if function is not None:
            function()

    def hand_over(self, function: Callable[[], None]) -> None:
        """``function()`` soon on the event loop, asked from any thread
        (the syncer's: the window's connection starts the log over). Once
        the event loop is gone, the function is dropped unrun."""
        self._relay.carried.emit(function)
