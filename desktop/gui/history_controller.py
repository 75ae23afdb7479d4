"""The undo history: the QUndoStack of :mod:`desktop.gui.commands`, Edit →
Undo / Redo, and each change, undo and redo published as a
:class:`storage.changes.Changes` on the window's one changes signal.

Commands talk to their *host* — this controller — through ``db``,
``journal_origin``, ``preferences``, :meth:`HistoryController.command_done`
and :meth:`HistoryController.command_failed`.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QTimer
from PySide6.QtGui import QKeySequence, QShortcut, QUndoCommand, QUndoStack

from desktop.gui import commands
from desktop.gui.controller import Controller
from storage import journal
from storage.changes import Changes

log = logging.getLogger(__name__)


def command_changes(command: commands.StorageCommand) -> Changes:
    """What a command (its change, undo or redo) changed: the journal's
    ``Changes`` of the step (``command.result``: kinds, articles, passages,
    tags), with the command's own kinds and article added."""
    article_id = command.article_id
    own = Changes.of(*command.changes,
                     article_ids=[article_id] if article_id is not None else [],
                     name=QUndoCommand.text(command))
    result = getattr(command, "result", None)
    return own | result if isinstance(result, Changes) and result else own


class HistoryController(Controller):
    """Undoable changes: run, undo, redo, and what they changed."""

    def __init__(self, window, state, ops):
        super().__init__(window, state, ops)
        #: this window's origin in the change journal: its own undo history
        self.journal_origin = journal.new_origin()
        self.undo_stack = QUndoStack(self)
        self.undo_action = self.undo_stack.createUndoAction(self, "&Undo")
        self.undo_action.setShortcuts([QKeySequence("Ctrl+Z")])
        self.redo_action = self.undo_stack.createRedoAction(self, "&Redo")
        #: whether the last undo or redo was refused by the journal (its
        #: message then stays in the status bar, not "Undid …")
        self.last_refused = False
        self.redo_action.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
        self._refusals: list = []
        #: the undo or redo of an import running in a worker ("the undo of
        #: “…”"), or "": meanwhile other changes, undos and redos are refused
        self.replaying = ""
        #: changes made meanwhile, put on the stack when it has ended
        self._held: list[commands.StorageCommand] = []

    def refuse_when(self, check) -> None:
        """Before every change: ``check(command)`` returns why it is refused
        (shown in the status bar; nothing is stored) or None. Controllers
        put their rules here — e.g. the codebook's: no tagging with a
        category, whichever way the tagging was asked for."""
        self._refusals.append(check)

    def add_to_menu(self, edit_menu) -> None:
        """Edit → Undo / Redo, naming what they will undo or redo."""
        edit_menu.addAction(self.undo_action)
        edit_menu.addAction(self.redo_action)
        # their keys with nothing to undo or redo say so (a disabled
        # action's key did nothing at all): keys of their own, enabled
        # only while the action is not
        stack = self.undo_stack
        for action, word, changed in ((self.undo_action, "undo", stack.canUndoChanged),
                                      (self.redo_action, "redo", stack.canRedoChanged)):
            for keys in action.shortcuts():
                shortcut = QShortcut(keys, self.window)
                shortcut.setEnabled(not action.isEnabled())
                shortcut.activated.connect(
                    lambda w=word: self.statusBar().showMessage(f"Nothing to {w}.", 3000))
                changed.connect(lambda can, s=shortcut: s.setEnabled(not can))

    def run_command(self, command: commands.StorageCommand, title: str, *,
                    go_to_article: bool = True) -> bool:
        """Make an undoable change; pushed on the undo stack only if it worked
        (and only tried if no :meth:`refuse_when` check refuses it). The
        reader goes to the change's article (an adjudication shows its
        decision) unless ``go_to_article`` is false: a note committed by the
        click that opened the next article, or edited in the workspace, leaves
        the reader where the analyst is. Undo and redo show the article."""
        self.ops.last_refusal = None    # (a refusal below is not the file's)
        for check in [lambda given: not given.ALREADY_STORED and self.busy(),
                      *self._refusals]:
            refusal = check(command)
            if refusal:
                self.statusBar().showMessage(refusal, 10000)
                return False
        if self.ops.guard(title, lambda: command.first_apply() or True) is None:
            return False
        # read before the push: the stack deletes a command that changed
        # nothing (obsolete) or merged into the one before it
        article_id, changes = command.article_id, command_changes(command)
        self.push(command)   # already applied: its first redo does nothing
        self._show(article_id if go_to_article else None, changes)
        return True

    def push_stored(self, command: commands.StorageCommand) -> None:
        """Put on the undo stack a change a worker already stored and the
        window already showed (an import): nothing is applied or published."""
        command.first_apply()
        self.push(command)

    def busy(self) -> str:
        """Why a change, an undo or a redo must wait now ("" if it need
        not): an import's undo or redo running in a worker holds the write
        lock, and the stack's order must stay the journal's."""
        return (f"Wait: {self.replaying} is still running. Nothing was changed."
                if self.replaying else "")

    def push(self, command: commands.StorageCommand) -> None:
        """Put an applied change on the undo stack — once the undo or redo
        of an import running in a worker has ended, if one is (a push
        meanwhile would delete the command being undone, or be undone
        itself when the stack's index is put back after a refusal)."""
        if self.replaying:
            self._held.append(command)
        else:
            self.undo_stack.push(command)

    def _release_held(self) -> None:
        held, self._held = self._held, []
        for command in held:
            self.undo_stack.push(command)

    def command_done(self, command: commands.StorageCommand) -> None:
        """Show the result of a change, an undo or a redo: the reader goes to
        the article it concerns, and the change is published."""
        self.last_refused = False
        self._show(command.article_id, command_changes(command))

    def _show(self, article_id: int | None, changes: Changes) -> None:
        if article_id is not None and article_id != self.current_id:
            self.window.article_list.select_article(article_id)   # shows it as stored now
        self.ops.publish(changes)

    def replay_steps(self, command: commands.StoredSteps, *, backwards: bool) -> None:
        """Undo or redo ``command``'s steps in a worker (``journal.undo_steps``
        / ``redo_steps``: one transaction, all or nothing), behind a modal
        progress dialog whose Cancel leaves everything as it was; then the
        change is published, or the refusal shown and the stack put back."""
        name = QUndoCommand.text(command)
        replay = journal.undo_steps if backwards else journal.redo_steps
        step_ids, origin, analyst = command.step_ids, self.journal_origin, command._analyst()

        def op(db, on_progress, is_cancelled):
            return replay(db, step_ids, name=name, origin=origin, analyst=analyst,
                          on_progress=on_progress, is_cancelled=is_cancelled)

        def replayed(changes: Changes) -> None:
            self.replaying = ""
            command.result = changes
            self.command_done(command)
            self.statusBar().showMessage(f"{'Undid' if backwards else 'Redid'}: {name}.", 5000)
            self._release_held()

        def refused(error: Exception) -> None:
            self.replaying = ""
            command.refused(backwards=backwards)
            self.command_failed(command, error)     # puts the stack's index back, then:
            QTimer.singleShot(0, self._release_held)

        verb = "Undoing" if backwards else "Redoing"
        self.replaying = f"the {'undo' if backwards else 'redo'} of “{name}”"
        self.ops.write(op, replayed).with_progress(
            f"{verb} “{name}”", describe=lambda done, total: (
                f"{verb} “{name}”: step {done:,} of {total:,}")).failure(refused).modal().run()

    def command_failed(self, command: commands.StorageCommand, error: Exception) -> None:
        """An undo or redo the journal refused (someone else changed the same
        rows since): nothing changed, so the stack's position is put back and
        the step stays where it was in the history; the message names it."""
        self.last_refused = True
        log.warning("%s could not be undone/redone: %s", QUndoCommand.text(command), error)
        stack, moved = self.undo_stack, getattr(command, "refused_move", 0)
        QTimer.singleShot(0, lambda: stack.setIndex(stack.index() - moved))
        self.statusBar().showMessage(str(error), 15000)
