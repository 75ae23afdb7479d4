"""The undo history: the QUndoStack of :mod:`desktop.gui.commands`, Edit →
Undo / Redo, and each change, undo and redo published as a
:class:`storage.changes.Changes` on the window's one changes signal.

Commands talk to their *host* — this controller — through ``db``,
:meth:`HistoryController.command_done` and
:meth:`HistoryController.command_failed`.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QTimer
from PySide6.QtGui import QKeySequence, QUndoCommand, QUndoStack

from desktop.gui import commands
from desktop.gui.controller import Controller
from storage.changes import Changes

log = logging.getLogger(__name__)


def command_changes(command: commands.StorageCommand) -> Changes:
    """What a command (its change, undo or redo) changed, as a Changes: its
    kinds, its article, and the passages and tags it names."""
    article_id = command.article_id
    passage_ids = [row["id"] for row in getattr(command, "rows", []) or []
                   if isinstance(row, dict) and "id" in row]
    if isinstance(command, commands.ChangePassage):
        passage_ids = [command.passage_id]
    return Changes.of(*command.changes,
                      article_ids=[article_id] if article_id is not None else [],
                      passage_ids=passage_ids,
                      tag_ids=getattr(command, "tag_ids", []) or [],
                      name=QUndoCommand.text(command))


class HistoryController(Controller):
    """Undoable changes: run, undo, redo, and what they changed."""

    def __init__(self, window, state, ops):
        super().__init__(window, state, ops)
        self.undo_stack = QUndoStack(self)
        self.undo_action = self.undo_stack.createUndoAction(self, "&Undo")
        self.undo_action.setShortcuts([QKeySequence("Ctrl+Z")])
        self.redo_action = self.undo_stack.createRedoAction(self, "&Redo")
        self.redo_action.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])

    def add_to_menu(self, edit_menu) -> None:
        """Edit → Undo / Redo, naming what they will undo or redo."""
        edit_menu.addAction(self.undo_action)
        edit_menu.addAction(self.redo_action)

    def run_command(self, command: commands.StorageCommand, title: str) -> bool:
        """Make an undoable change; pushed on the undo stack only if it worked."""
        if self.ops.guard(title, lambda: command.first_apply() or True) is None:
            return False
        self.undo_stack.push(command)   # already applied: its first redo does nothing
        self.command_done(command)
        return True

    def command_done(self, command: commands.StorageCommand) -> None:
        """Show the result of a change, an undo or a redo: the reader goes to
        the article it concerns, and the change is published."""
        article_id = command.article_id
        if article_id is not None and article_id != self.current_id:
            self.window.article_list.select_article(article_id)   # shows it as stored now
        self.ops.publish(command_changes(command))

    def command_failed(self, command: commands.StorageCommand, error: Exception) -> None:
        """An undo or redo the database refused: the history no longer matches
        the stored data, so it is cleared (nothing half-done is kept)."""
        log.warning("%s could not be undone/redone: %s", command.text(), error)
        QTimer.singleShot(0, self.undo_stack.clear)
        self.controllers.passages.refresh_passages()
        self.statusBar().showMessage(
            f"“{command.text()}” could not be undone or redone ({error}); the data was "
            "changed elsewhere meanwhile. The undo history was cleared.", 10000)
