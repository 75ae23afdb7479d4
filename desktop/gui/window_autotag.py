"""The main window's Edit → Auto-tag…: the dialog, its previews (the whole
corpus searched in a worker) and the passages stored in a worker as one
undoable step.

A mixin of :class:`desktop.gui.main_window.MainWindow`: its methods use the
window's widgets, connection and helpers.
"""

from __future__ import annotations

import logging

from desktop import autotag
from desktop.gui import commands
from desktop.gui.autotag_dialog import AutoTagDialog
from desktop.gui.workers import Task
from storage import articles

log = logging.getLogger(__name__)


class AutoTagActions:
    """Auto-tag: the dialog, its previews, and storing what it found."""

    def open_auto_tag(self) -> AutoTagDialog:
        """Edit → Auto-tag…: a non-modal dialog whose previews this window
        computes and whose "Tag N passages" it makes one undoable step."""
        if self.autotag_dialog is not None:
            self.autotag_dialog.reject()
        article = articles.get_article(self.db, self.current_id) if self.current_id else None
        dialog = AutoTagDialog(self._tags, {"id": article["id"], "title": article["title"]}
                               if article else None, self)
        dialog.previewRequested.connect(lambda request: self.preview_auto_tag(dialog, request))
        dialog.stopRequested.connect(self._stop_auto_tag_preview)
        dialog.tagRequested.connect(self.auto_tag)
        dialog.showRequested.connect(self.go_to_quote)
        dialog.finished.connect(lambda _result: self._auto_tag_closed(dialog))
        self.autotag_dialog = dialog
        dialog.open()
        self.refresh_completions()      # speakers and entities to pick from
        return dialog

    def _auto_tag_closed(self, dialog: AutoTagDialog) -> None:
        self._stop_auto_tag_preview()
        if self.autotag_dialog is dialog:
            self.autotag_dialog = None
        dialog.deleteLater()

    def _stop_auto_tag_preview(self) -> None:
        if self._autotag_task is not None:
            self._autotag_task.cancel()
            self._autotag_task = None

    def preview_auto_tag(self, dialog: AutoTagDialog,
                         request: autotag.AutoTagRequest) -> Task | None:
        """Candidates for ``request``, always in a worker (its own
        connection, articles read in batches): a pattern runs with a time
        limit per article and never on the GUI thread, and the dialog's Stop
        drops the search at once (the worker ends within the time limit)."""
        self._stop_auto_tag_preview()
        from storage import open_database

        db_path = self.db_path

        def work(on_progress, is_cancelled):
            db = open_database(db_path)
            try:
                return autotag.find_candidates(db, request, on_progress=on_progress,
                                               is_cancelled=is_cancelled)
            finally:
                db.close()

        task = Task(work, self)
        self._tasks.append(task)
        self._autotag_task = task

        def current() -> bool:
            if task in self._tasks:
                self._tasks.remove(task)
            is_current = task is self._autotag_task and self.autotag_dialog is dialog
            if task is self._autotag_task:
                self._autotag_task = None
            return is_current

        task.progress.connect(lambda done, total: task is self._autotag_task
                              and self.autotag_dialog is dialog
                              and dialog.show_progress(done, total))
        task.succeeded.connect(lambda rows: current() and dialog.show_candidates(request, rows))
        task.failed.connect(lambda message: current() and dialog.show_error(message, request))
        task.start()
        return task

    def auto_tag(self, request: autotag.AutoTagRequest, candidates: list[dict]) -> Task | None:
        """Tag every candidate as one undoable step. The passages are stored
        in a worker (its own connection, one transaction, a progress dialog
        whose Cancel stores nothing); the stored rows come back through the
        task's signal and become the undo command."""
        tag = next((t for t in self._tags if t["id"] == request.tag_id), None)
        if tag is None or not candidates:
            return None
        from storage import open_database

        count = len(candidates)
        what = f"{count} passage{'s' if count != 1 else ''}"
        db_path, analyst = self.db_path, self.preferences.analyst
        text, origin = f"Auto-tag {what} as “{tag['name']}”", self.journal_origin

        def work(on_progress, is_cancelled):
            db = open_database(db_path)
            try:
                return autotag.insert_passages(db, request, candidates, analyst,
                                               on_progress=on_progress,
                                               is_cancelled=is_cancelled,
                                               step_name=text, origin=origin)
            except autotag.AutoTagCancelled:
                return None
            finally:
                db.close()

        def stored(step) -> None:
            if step is None:
                self.statusBar().showMessage("Auto-tag cancelled; nothing was tagged.", 6000)
                return
            if self.run_command(commands.StoredPassages(
                    self, text, step.id, article_id=request.article_id,
                    result=step.changes), "Auto-tag"):
                self.statusBar().showMessage(f"Tagged {what} as “{tag['name']}”.", 5000)

        return self._run_task(f"Tagging {what}", work, stored)
