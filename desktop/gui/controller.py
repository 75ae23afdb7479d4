"""The base of the main window's controllers.

A controller is one area of the window (the reader, the article list, the
codebook …): it receives its widgets, the window's Qt-free
:class:`desktop.window_state.WindowState` and the shared
:class:`desktop.gui.operations.Operations`, makes its own signal
connections in :meth:`Controller.connect_signals`, and updates its widgets from the
one changes signal in :meth:`Controller.on_changes`, looking only at the
kinds and ids that concern it.
"""

from __future__ import annotations

from PySide6.QtCore import QObject

from storage.changes import Changes


class Controller(QObject):
    """One area of the main window (see the module doc).

    ``WIDGETS`` names the window's widgets the controller works with; they
    become attributes of the controller. The window itself is kept only as
    the parent of dialogs and for the shared database connection, status
    bar and preferences.
    """

    #: the window's widgets this controller uses (attribute names)
    WIDGETS: tuple[str, ...] = ()

    def __init__(self, window, state, ops):
        super().__init__(window)
        self.window, self.state, self.ops = window, state, ops
        for name in self.WIDGETS:
            setattr(self, name, getattr(window, name))
        ops.changed.connect(self.on_changes)

    # -- shared services -------------------------------------------------
    @property
    def db(self):
        """The GUI thread's connection (replaced when a backup is restored)."""
        return self.window.db

    @property
    def db_path(self):
        return self.window.db_path

    @property
    def preferences(self):
        return self.window.preferences

    @property
    def current_id(self) -> int | None:
        """The article in the reader."""
        return self.state.article_id

    @property
    def query(self):
        """The article list's query."""
        return self.state.query

    @property
    def _tags(self) -> list[dict]:
        """The codebook as listed."""
        return self.state.tags

    @property
    def controllers(self):
        """The window's other controllers (for the few direct hand-overs)."""
        return self.window.controllers

    def statusBar(self):
        return self.window.statusBar()

    def run_command(self, command, title: str, **options) -> bool:
        """An undoable change (see :class:`desktop.gui.history_controller.HistoryController`)."""
        return self.controllers.history.run_command(command, title, **options)

    def _guard(self, title: str, function, *args):
        return self.ops.guard(title, function, *args)

    # -- to override -----------------------------------------------------
    def connect_signals(self) -> None:
        """Connect the widgets' signals (called once every controller exists)."""

    def on_changes(self, changes: Changes) -> None:
        """Update what ``changes`` concerns (the window's one changes signal)."""
