"""Edit → Auto-tag…: the dialog, its previews (the whole corpus searched in
a worker) and the passages stored in a worker as one undoable step.
"""

from __future__ import annotations

import logging

from desktop import autotag
from desktop.gui import commands
from desktop.gui.autotag_dialog import AutoTagDialog
from desktop.gui.controller import Controller
from storage import articles

log = logging.getLogger(__name__)


class AutoTagController(Controller):
    """Auto-tag: the dialog, its previews, and storing what it found."""

    def __init__(self, window, state, ops):
        super().__init__(window, state, ops)
        self.autotag_dialog: AutoTagDialog | None = None
        self._autotag_task = None

    def open_auto_tag(self) -> AutoTagDialog:
        """Edit → Auto-tag…: a non-modal dialog whose previews this window
        computes and whose "Tag N passages" it makes one undoable step."""
        if self.autotag_dialog is not None:
            self.autotag_dialog.reject()
        article = articles.get_article(self.db, self.current_id) if self.current_id else None
        dialog = AutoTagDialog(self._tags, {"id": article["id"], "title": article["title"]}
                               if article else None, self.window,
                               analyst=self.preferences.analyst)
        dialog.previewRequested.connect(lambda request: self.preview_auto_tag(dialog, request))
        dialog.stopRequested.connect(self._stop_auto_tag_preview)
        dialog.tagRequested.connect(self.auto_tag)
        dialog.showRequested.connect(self.controllers.reader.go_to_quote)
        dialog.finished.connect(lambda _result: self._auto_tag_closed(dialog))
        self.autotag_dialog = dialog
        dialog.open()
        self.controllers.articles.refresh_completions()   # speakers and entities to pick from
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

    def preview_auto_tag(self, dialog: AutoTagDialog, request: autotag.AutoTagRequest):
        """Candidates for ``request``, always in a worker (its own
        connection, articles read in batches): a pattern runs with a time
        limit per article and never on the GUI thread, and the dialog's Stop
        drops the search at once (the worker ends within the time limit)."""
        self._stop_auto_tag_preview()
        task = None

        def current() -> bool:
            is_current = task is self._autotag_task and self.autotag_dialog is dialog
            if task is self._autotag_task:
                self._autotag_task = None
            return is_current

        def progress(done: int, total: int) -> None:
            if task is self._autotag_task and self.autotag_dialog is dialog:
                dialog.show_progress(done, total)

        def find(db, **progress):
            already: list[int] = []
            rows = autotag.find_candidates(db, request, already=already, **progress)
            return rows, already[0] if already else 0

        task = self.ops.query(
            find, lambda found: current() and dialog.show_candidates(request, *found)).failure(
            lambda error: current() and dialog.show_error(
                str(error) or type(error).__name__, request)).with_progress(
            on_progress=progress).named("auto-tag preview").run()
        self._autotag_task = task
        return task

    def auto_tag(self, request: autotag.AutoTagRequest, candidates: list[dict]):
        """Tag every candidate as one undoable step. The passages are stored
        in a worker (its own connection, one transaction, a progress dialog
        whose Cancel stores nothing); the stored rows come back through the
        task's signal and become the undo command."""
        tag = next((t for t in self._tags if t["id"] == request.tag_id), None)
        if tag is None or not candidates:
            return None
        refusal = self.controllers.codebook.category_refusal([tag["id"]])
        if refusal:         # the worker stores at once: refused before it starts
            self.statusBar().showMessage(refusal, 10000)
            return None
        if self.controllers.files.wait_for_running_write():
            return None
        count = len(candidates)
        history = self.controllers.history
        analyst, origin = self.preferences.analyst, history.journal_origin

        def named(stored_count: int) -> str:
            return f"Auto-tag {_passages(stored_count)} as “{tag['name']}”"

        def work(db, **progress):
            changed: list[dict] = []
            step = autotag.insert_passages(db, request, candidates, analyst, **progress,
                                           step_name=named, origin=origin, changed=changed)
            return step, changed

        def stored(result) -> None:
            step, changed = result
            if self.run_command(commands.StoredPassages(
                    history, step.name, step.id, article_id=request.article_id,
                    result=step.changes), "Auto-tag"):
                self._say_stored(step.name.removeprefix("Auto-tag "), changed)

        return self.ops.hold(self.ops.write(work, stored).with_progress(
            f"Tagging {_passages(count)}").cancelled_by(
            autotag.AutoTagCancelled, then=lambda: self.statusBar().showMessage(
                "Auto-tag cancelled; nothing was tagged.", 6000)).run())

    def _say_stored(self, what: str, changed: list[dict]) -> None:
        """"Tagged …" in the status bar; candidates left out because their
        article's text changed since the preview are told in a warning box
        (a new preview lists them at their new places)."""
        message = f"Tagged {what}."
        if not changed:
            self.statusBar().showMessage(message, 5000)
            return
        problems = sorted({f"{c['article_id']}: {c['article_title'] or ''}" for c in changed})
        self.ops.report("Auto-tag", f"{message} {autotag.changed_message(changed)}",
                        problems, heading="Articles whose text changed")


def _passages(count: int) -> str:
    return f"{count} passage{'s' if count != 1 else ''}"
