"""Operations: how the window reads and writes the database, after Anki's
``aqt.operations``.

:class:`Operations` is the one object the controllers share for work on the
database:

- :meth:`Operations.query` / :meth:`Operations.write` build a
  :class:`QueryOp` / :class:`WriteOp`: ``op(db)`` runs in a worker thread on
  a connection of its own, opened from the database path and closed after;
  then ``success(result)`` runs on the GUI thread. ``with_progress(title)``
  adds a progress dialog whose Cancel asks the op to stop (the op is then
  called ``op(db, on_progress=…, is_cancelled=…)``); ``cancelled_by(Error,
  then=…)`` turns the op's own "cancelled" exception into a callback;
  ``failure(callback)`` replaces the default (an error dialog for writes, a
  log line for reads).
- ``in_process()`` runs a read in the window's read process instead
  (:mod:`desktop.read_process`): for reads whose Python work would hold the
  GIL long enough to stall the GUI thread (the Overview's counts). The op
  must then be picklable (a module-level function, or a
  ``functools.partial`` of one).
- :meth:`Operations.guard` runs a call on the GUI thread's connection and
  shows the analyst why it failed instead of crashing (the error dialog).
- :attr:`Operations.changed` is the window's one changes signal: every
  operation, undo and redo publishes its :class:`storage.changes.Changes`
  there (:meth:`publish`) and each controller updates what concerns it.
"""

from __future__ import annotations

import logging
import sqlite3
from concurrent.futures import CancelledError
from collections.abc import Callable
from pathlib import Path
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QApplication, QMessageBox, QProgressDialog, QWidget

from desktop.gui.workers import Task
from desktop.read_process import ReadProcess, ReadProcessStopped
from storage.articles import ArticleError
from storage.changes import Changes
from storage.passages import PassageError
from storage.review import ReviewError
from storage.tags import TagError
from widgets.plain_text import plain_message

log = logging.getLogger(__name__)

#: Errors whose message is meant for the analyst (a refused change).
USER_ERRORS: tuple[type[Exception], ...] = (TagError, PassageError, ArticleError, ReviewError,
                                            ValueError)

_CANCELLED = object()


def error_message(title: str, error: Exception) -> tuple[str, str]:
    """The icon ("warning" or "critical") and plain text an error dialog
    shows for ``error``."""
    if isinstance(error, USER_ERRORS):
        return "warning", str(error)
    if isinstance(error, sqlite3.OperationalError):
        if "locked" in str(error) or "busy" in str(error):
            return "warning", ("The database is busy: another Dossier window or a dossier "
                               "command is writing to it. Nothing was changed; try again "
                               "in a moment.")
        if "readonly" in str(error):
            from desktop.gui.error_reporting import READ_ONLY_TEXT
            return "warning", READ_ONLY_TEXT
        return "critical", f"The database refused the change: {error}"
    if isinstance(error, sqlite3.IntegrityError) and "FOREIGN KEY" in str(error):
        return "warning", (f"{title} was refused: something it refers to (a tag, an "
                           "article, a passage) was deleted or merged meanwhile, in another "
                           "window or by a colleague. Nothing was changed.")
    if isinstance(error, sqlite3.Error):
        return "critical", f"The database refused the change: {error}"
    return "warning", f"{title} failed: {str(error) or type(error).__name__}"


def show_error(parent: QWidget | None, title: str, error: Exception) -> None:
    """An error dialog (plain text, never rich text from data) for ``error``."""
    icon, text = error_message(title, error)
    if isinstance(error, sqlite3.Error):
        log.warning("%s failed: %s", title, error)
    plain_message(parent, title, text, icon)


class _BackgroundOp:
    """What :class:`QueryOp` and :class:`WriteOp` share: build, then :meth:`run`."""

    def __init__(self, ops: Operations, op: Callable, success: Callable | None = None):
        self._ops, self._op = ops, op
        self._success = success or (lambda _result: None)
        self._failure: Callable[[Exception], None] | None = None
        self._title: str | None = None
        self._on_progress: Callable[[int, int], None] | None = None
        self._describe: Callable[[int, int], str] | None = None
        self._progress_args = False
        self._cancel_errors: tuple[type[BaseException], ...] = ()
        self._own_connection = True
        self._in_process = False
        self._modal = False
        self._on_cancel: Callable[[], None] = lambda: None
        self.what = getattr(op, "__name__", "operation")

    def success(self, callback: Callable[[Any], None]) -> _BackgroundOp:
        """``callback(result)`` on the GUI thread once the op has returned."""
        self._success = callback
        return self

    def failure(self, callback: Callable[[Exception], None]) -> _BackgroundOp:
        """``callback(error)`` on the GUI thread if the op raised."""
        self._failure = callback
        return self

    def with_progress(self, title: str | None = None, *,
                      on_progress: Callable[[int, int], None] | None = None,
                      describe: Callable[[int, int], str] | None = None) -> _BackgroundOp:
        """Call the op with ``on_progress`` and ``is_cancelled``; show a
        progress dialog named ``title`` (its Cancel cancels the op; its text
        ``describe(done, total)`` as it runs, if given) and/or pass progress
        to ``on_progress(done, total)``."""
        self._title, self._on_progress, self._progress_args = title, on_progress, True
        self._describe = describe
        if title:
            self.what = title
        return self

    def cancelled_by(self, *errors: type[BaseException],
                     then: Callable[[], None] = lambda: None) -> _BackgroundOp:
        """The op raising one of ``errors`` means it was cancelled: ``then()``
        instead of the failure callback."""
        self._cancel_errors, self._on_cancel = errors, then
        return self

    def on_path(self) -> _BackgroundOp:
        """Call the op with the database *path* instead of a connection: it
        opens the file itself (a backup that must report a database too
        damaged to open)."""
        self._own_connection = False
        return self

    def in_process(self) -> _BackgroundOp:
        """Run the op in the window's read process (a picklable op; no
        progress or cancel inside it) instead of in this process."""
        self._in_process = True
        return self

    def modal(self) -> _BackgroundOp:
        """Make the progress dialog modal to the window: once it shows (after
        400 ms), nothing else is done in the window until the op ends (an
        undo of an import, which holds the write lock until it ends)."""
        self._modal = True
        return self

    def named(self, what: str) -> _BackgroundOp:
        """What the op is called in logs and error dialogs."""
        self.what = what
        return self

    def _default_failure(self, error: Exception) -> None:
        raise NotImplementedError

    def run(self) -> Task:
        """Start the op in a worker; returns its :class:`Task` (``cancel()``,
        ``wait()``)."""
        ops, op, cancel_errors = self._ops, self._op, self._cancel_errors
        db_path, progress_args = ops.db_path, self._progress_args
        generation = ops.generation

        own_connection, in_process = self._own_connection, self._in_process

        def work(on_progress, is_cancelled):
            from storage import open_database

            if in_process:
                try:
                    return ops.read_process.call(db_path, op)
                except CancelledError:          # the window closes, or restores
                    return _CANCELLED
                except (ReadProcessStopped, OSError) as error:
                    # no process to count in (it died, or could not start):
                    # the read is still made, here, as before the process
                    log.warning("the read process failed (%s); %s reads here", error,
                                self.what)
            db = open_database(db_path) if own_connection else None
            try:
                target = db if own_connection else db_path
                if progress_args:
                    return op(target, on_progress=on_progress, is_cancelled=is_cancelled)
                return op(target)
            except cancel_errors:
                return _CANCELLED
            finally:
                if db is not None:
                    db.close()

        task = Task(work, ops)
        ops.tasks.append(task)
        # after a modal dialog, the keys go back where they went before it
        focused = QApplication.focusWidget() if self._modal else None
        dialog = None
        if self._title:
            dialog = QProgressDialog(self._title, "Cancel", 0, 0, ops.parent_widget)
            dialog.setWindowTitle(self._title)
            dialog.setMinimumDuration(400)
            # shown after 400 ms even if the op says nothing until then (a
            # long first step): Qt starts its clock at the first value
            dialog.setValue(0)
            dialog.canceled.connect(task.cancel)
            if self._modal:
                dialog.setWindowModality(Qt.WindowModality.WindowModal)

        # whether the dialog showed (it hides itself at its last value)
        showed: list[bool] = []

        def progress(done: int, total: int) -> None:
            if dialog is not None:
                if dialog.isVisible():
                    showed.append(True)
                dialog.setMaximum(max(total, 1))
                dialog.setValue(done)
                if self._describe is not None:
                    dialog.setLabelText(self._describe(done, total))
            if self._on_progress is not None:
                self._on_progress(done, total)

        def finish() -> None:
            # a modal dialog that showed took the keys: they go back
            shown = bool(showed) or (dialog is not None and dialog.isVisible())
            if dialog is not None:
                dialog.reset()
                dialog.deleteLater()
            if self._modal and shown:
                _give_back_focus(ops.parent_widget, focused)
            if task in ops.tasks:
                ops.tasks.remove(task)

        def outlived() -> bool:
            """The window closed or restored its file since the op began
            (:meth:`Operations.cancel_all`): what it did is not the file's
            now, and nothing is chained or told after it."""
            if ops.generation == generation:
                return False
            log.info("%s ended after its window closed or restored: result dropped",
                     self.what)
            return True

        def succeeded(result) -> None:
            finish()
            if outlived():
                return
            if result is _CANCELLED:
                self._on_cancel()
            else:
                self._success(result)

        def failed(message: str) -> None:
            finish()
            if outlived():
                return
            error = task.error or RuntimeError(message)
            (self._failure or self._default_failure)(error)

        task.progress.connect(progress)
        task.succeeded.connect(succeeded)
        task.failed.connect(failed)
        task.start()
        return task

    run_in_background = run


def _give_back_focus(window: QWidget, focused: QWidget | None) -> None:
    """Activate ``window`` and give the keys back to ``focused`` if it still
    exists (an editor open before the dialog may have closed since)."""
    window.activateWindow()
    if focused is not None and shiboken6.isValid(focused) and focused.isVisible():
        focused.setFocus()


class QueryOp(_BackgroundOp):
    """A read in a worker; a failure is logged (the panel keeps what it showed)."""

    def _default_failure(self, error: Exception) -> None:
        log.warning("%s failed: %s", self.what, error)


class WriteOp(_BackgroundOp):
    """A write in a worker; a failure shows the error dialog."""

    def _default_failure(self, error: Exception) -> None:
        show_error(self._ops.parent_widget, self.what, error)


class Operations(QObject):
    """The window's operations on one database file (see the module doc)."""

    #: every operation's, undo's and redo's :class:`storage.changes.Changes`
    changed = Signal(object)

    def __init__(self, parent_widget: QWidget, db_path: Path | Callable[[], Path]):
        super().__init__(parent_widget)
        self.parent_widget = parent_widget
        self._db_path = db_path
        #: the workers running now (cancelled and waited for on close)
        self.tasks: list[Task] = []
        #: the process ``in_process()`` reads run in (started at the first)
        self.read_process = ReadProcess()
        #: the long write in a worker (an import, a merge, an auto-tag), if
        #: any: another waits for it (:meth:`long_write_running`)
        self._long_write: Task | None = None
        #: moved on by :meth:`cancel_all`: an op begun before gives no
        #: result after (a callback would chain more work on a window closed,
        #: or tell of work a restore replaced)
        self.generation = 0
        #: the error of the last change :meth:`guard` refused, or None
        self.last_refusal: Exception | None = None

    def hold(self, task: Task | None) -> Task | None:
        """Mark ``task`` as the long write running; returns it."""
        self._long_write = task
        return task

    def long_write_running(self) -> bool:
        """Whether the long write marked by :meth:`hold` still runs: a second
        one started beside it lost a whole import to "database is locked"."""
        return self._long_write is not None and self._long_write in self.tasks

    @property
    def db_path(self) -> Path:
        """The database file workers open (given, or read from a callable each
        time: the window may switch to another file)."""
        return Path(self._db_path() if callable(self._db_path) else self._db_path)

    def query(self, op: Callable, success: Callable[[Any], None] | None = None) -> QueryOp:
        """A read: ``op(db)`` in a worker, then ``success(result)``."""
        return QueryOp(self, op, success)

    def write(self, op: Callable, success: Callable[[Any], None] | None = None) -> WriteOp:
        """A write (or any long job): ``op(db)`` in a worker, then ``success(result)``."""
        return WriteOp(self, op, success)

    def guard(self, title: str, function: Callable, *args):
        """``function(*args)`` on the GUI thread; on a refused change the error
        dialog explains it and None is returned (the error kept in
        :attr:`last_refusal`)."""
        self.last_refusal = None
        try:
            return function(*args)
        except (*USER_ERRORS, sqlite3.Error) as error:
            self.last_refusal = error
            if isinstance(error, sqlite3.Error) and not isinstance(
                    error, sqlite3.OperationalError):
                log.exception("%s failed", title)
            # the status bar no longer shows the last success beside the error
            status_bar = getattr(self.parent_widget, "statusBar", None)
            if callable(status_bar):
                status_bar().showMessage(f"{title}: nothing was changed.", 10000)
            show_error(self.parent_widget, title, error)
        return None

    def refusal_may_pass(self) -> bool:
        """Whether the last change :meth:`guard` refused was refused by the
        file itself — busy with another writer, locked, full: the same
        change may pass later, so what the analyst typed is offered again
        (a name refused as taken is not: the dialog would only repeat)."""
        return isinstance(self.last_refusal, sqlite3.OperationalError)

    def publish(self, changes: Changes) -> None:
        """Tell every controller what an operation changed."""
        if changes:
            self.changed.emit(changes)

    def cancel_all(self, *, wait: bool = True) -> None:
        """Cancel the running workers (and wait for them: before closing, or
        before a restore replaces the file); their results are dropped (see
        :attr:`generation`); the read process ends (a later read starts it
        again)."""
        self.generation += 1
        self.read_process.close()
        for task in list(self.tasks):
            task.cancel()
            if wait:
                task.wait()

    def report(self, title: str, message: str, problems: list[str],
               short: list[str] | None = None, *, status=None,
               heading: str = "Skipped") -> None:
        """``status(message)`` (a status-bar message), or a warning box naming
        the first dozen problems (``short`` forms if given) under ``heading``,
        with all of them in its details."""
        if not problems:
            if status is not None:
                status(message)
            return
        lines = short or problems
        shown = lines[:12] + ([f"… and {len(lines) - 12} more"] if len(lines) > 12 else [])
        box = QMessageBox(QMessageBox.Icon.Warning, title,
                          message + f"\n\n{heading}:\n" + "\n".join(shown),
                          parent=self.parent_widget)
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setDetailedText("\n".join(problems))
        box.exec()
