"""Files: importing articles (dialogs, drag and drop onto the window,
REFI-QDA projects) and exporting passages, each a write in a worker with
a cancellable progress dialog (:mod:`desktop.gui.operations`).
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QFileDialog

from desktop.gui import commands
from desktop.gui.controller import Controller
from storage import article_query, journal
from storage.changes import ARTICLES, PASSAGES, TAGS, Changes
from widgets.wording import counted

log = logging.getLogger(__name__)

#: How many articles the export dialog offers to pick from (the list's first).
EXPORT_CHOICES = 2000


def _imported_changes(kinds: set[str], article_ids, select: int | None) -> Changes:
    """What an import changed; ``select``: the article the list should open."""
    return Changes(frozenset(kinds), frozenset(article_ids), extra={"select": select})


class FilesController(Controller):
    """Importing articles and projects, exporting passages."""

    def connect_signals(self) -> None:
        self.window.setAcceptDrops(True)  # files and folders dropped on it are imported
        self.window.installEventFilter(self)

    def wait_for_running_write(self) -> bool:
        """True (and said) when an import, a merge, an auto-tag or an
        import's undo is still running: a second one beside it lost a whole
        file, or a chunk of one, to "database is locked" (the interop walk)."""
        why = ("An import, a merge or an auto-tag is still running: wait for it to end "
               "(or cancel it), then try again. Nothing else was started."
               if self.ops.long_write_running() else self.controllers.history.busy())
        if why:
            self.statusBar().showMessage(why, 10000)
        return bool(why)

    def _status(self, text: str) -> None:
        self.statusBar().showMessage(text, 8000)

    def _report(self, title: str, message: str, problems: list[str],
                short: list[str] | None = None, heading: str = "Skipped") -> None:
        self.ops.report(title, message, problems, short, status=self._status,
                        heading=heading)

    def import_files(self) -> None:
        from desktop.importers.dispatch import SUPPORTED_SUFFIXES

        patterns = " ".join(f"*{suffix}" for suffix in SUPPORTED_SUFFIXES)
        files, _ = QFileDialog.getOpenFileNames(
            self.window, "Import articles", str(self.preferences.folder("import")),
            f"Articles and projects ({patterns} *.qdpx);;REFI-QDA project (*.qdpx);;"
            "All files (*)")
        if files:
            self.preferences.remember_folder("import", files[0])
            self.import_paths([Path(f) for f in files])

    def import_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self.window, "Import a folder of articles",
                                                  str(self.preferences.folder("import")))
        if folder:
            # the next dialog opens beside it: the next delivery is a sibling
            self.preferences.remember_folder("import", Path(folder).parent)
            self.import_paths([Path(folder)])

    def import_paths(self, paths: list[Path]):
        """Import files and folders (Import files…, Import folder…, a drop):
        their articles, then each REFI-QDA project among them (given, or in
        a folder), one after another, as File → Import REFI-QDA project…"""
        from desktop.importers import import_files, split_projects
        from desktop.importers.run import IMPORTING, import_name

        if self.wait_for_running_write():
            return None
        projects, paths = split_projects(paths)
        name = import_name(paths) if paths else ""
        # a run of its own: a window killed mid-import leaves steps that
        # `dossier undo` takes back together, not one file per command
        origin = journal.own_import_run(self.controllers.history.journal_origin)

        def then(report=None) -> None:
            if report is not None:
                self._imported(report, name)
                if report.cancelled:      # Cancel stops the folder's projects too
                    projects.clear()
            if projects:
                self.import_refi_qda(projects.pop(0), then=then)
        if not paths:
            return then()
        # progress counts articles: one a file, one a row of a .csv/.json/.jsonl;
        # up to CHUNK_ROWS articles are one step, which Ctrl+Z undoes
        stage = [IMPORTING]     # set by the worker, read by the dialog's text
        return self.ops.hold(self.ops.write(lambda db, **progress: import_files(
            db, paths, one_step=name, origin=origin, on_stage=lambda now: stage.__setitem__(
                0, now), **progress), then).with_progress(
            "Importing", describe=lambda done, total: f"{stage[0]}: "
                                                      f"{done:,} of {total:,}").run())

    def _imported(self, report, name: str = "Import") -> None:
        first_new = report.added[0][1] if report.added else None
        # a Taguette document export brings its highlights and their tags:
        # the codebook, counts and passages refresh as after a project
        kinds = {ARTICLES, TAGS, PASSAGES} if report.coded else {ARTICLES}
        touched = {article_id for _label, article_id in report.added} | set(report.coded)
        self.ops.publish(_imported_changes(kinds, touched, first_new))
        # one step, or a step a file and a chunk of rows: Ctrl+Z undoes them
        # together, in a worker (500 articles took 110–123 ms to undo)
        step, history = report.step, self.controllers.history
        steps = [step.id] if step is not None and step.changes else report.steps
        if steps:
            history.push_stored(commands.StoredSteps(history, name, steps,
                                                     kinds=frozenset(kinds)))
        notes = "".join(f" {Path(path).name}: {note}." for path, note in report.notes[:3])
        self._report("Import", report.summary() + "." + notes,
                     [f"{path}: {reason}" for path, reason in report.skipped],
                     [f"{Path(path).name}: {reason}" for path, reason in report.skipped])

    # -- drag and drop onto the window -------------------------------------------
    def _dropped_paths(self, event) -> list[Path]:
        mime = event.mimeData()
        urls = mime.urls() if mime.hasUrls() else []
        return [Path(url.toLocalFile()) for url in urls if url.isLocalFile()]

    def eventFilter(self, watched, event) -> bool:
        kind = event.type()
        if watched is not self.window or kind not in (QEvent.Type.DragEnter,
                                                      QEvent.Type.DragMove, QEvent.Type.Drop):
            return False
        paths = self._dropped_paths(event)
        if not paths:
            event.ignore()
            return True
        event.acceptProposedAction()
        if kind == QEvent.Type.Drop:
            self.import_paths(paths)
        return True

    # -- other databases and reports ---------------------------------------------------
    def merge_from(self, path=None):
        """File → Merge from… (:mod:`desktop.gui.merge_action`)."""
        from desktop.gui.merge_action import merge_from
        if self.wait_for_running_write():
            return None
        return self.ops.hold(merge_from(self.window, path))

    def open_agreement_report(self):
        """File → Agreement report… (imported late: it brings numpy)."""
        from desktop.gui.agreement_dialog import open_agreement_report
        return open_agreement_report(self.window)

    # -- REFI-QDA projects and exports ----------------------------------------------
    def import_refi_qda(self, path: Path | None = None, *, then=None):
        """Import a .qdpx project (asks for the file unless given) in the
        background; ``then()`` after it was reported (the next project of a
        drop)."""
        from desktop.refi_qda.import_project import ImportCancelled, import_qdpx

        if self.wait_for_running_write():
            return None
        if path is None:
            chosen, _ = QFileDialog.getOpenFileName(
                self.window, "Import a REFI-QDA project", str(self.preferences.folder("import")),
                "REFI-QDA project (*.qdpx);;All files (*)")
            if not chosen:
                return None
            path = Path(chosen)
            self.preferences.remember_folder("import", path)
        def imported(report) -> None:
            self._project_imported(report)
            if then is not None:
                then()
        origin = self.controllers.history.journal_origin
        return self.ops.hold(self.ops.write(
            lambda db, **progress: import_qdpx(db, path, origin=origin, **progress),
            imported).with_progress("Importing project").cancelled_by(
            ImportCancelled, then=lambda: self.statusBar().showMessage(
                "Import cancelled; nothing was stored.", 6000)).run())

    def _project_imported(self, report) -> None:
        first = report.articles_added[0][1] if report.articles_added else None
        self.ops.publish(_imported_changes({ARTICLES, TAGS, PASSAGES},
                                           (i for _label, i in report.articles_added), first))
        if report.step is not None and report.step.changes:
            # undone in a worker: a project may hold thousands of codings
            history = self.controllers.history
            history.push_stored(commands.StoredSteps(
                history, report.step.name, [report.step.id],
                kinds=frozenset({ARTICLES, TAGS, PASSAGES})))
        # warnings, skipped items and what Dossier does not keep, each line
        # saying which it is
        self._report("Import REFI-QDA project", report.summary() + ".", report.detail_lines(),
                     heading="Details")

    def export_passages(self, path: Path | None = None):
        """Export with the dialog's choices, or everything to ``path`` if given."""
        from desktop.gui.export_dialog import ExportDialog, ExportRequest
        from storage.export_selection import analysts

        if path is not None:
            return self.run_export(ExportRequest.for_path(Path(path)))
        # the dialog offers the list's articles (its search, filters and
        # order), at most EXPORT_CHOICES of them: never the whole corpus
        ids = article_query.id_set(self.db, self.query)
        model = self.window.article_list.list_model
        listed = ((model.total() if model.total_is_exact() else None, *ids)
                  if ids is not None else None)
        request = ExportDialog.ask(self.window, tags=self._tags,
                                   articles=article_query.article_page(
                                       self.db, self.query, 0, EXPORT_CHOICES),
                                   analysts=analysts(self.db), current_article=self.current_id,
                                   folder=self.preferences.folder("export"),
                                   shown_analysts=self.query.analysts, listed=listed)
        if request is None:
            return None
        self.preferences.remember_folder("export", request.path)
        return self.run_export(request)

    def run_export(self, request):
        """Run an :class:`~desktop.gui.export_dialog.ExportRequest` in the background."""
        from desktop.exporters import ExportCancelled, export_passages

        def work(db, **progress):
            return export_passages(db, request.path, request.fmt, filter=request.filter,
                                   options=request.options, **progress)

        def done(result) -> None:
            # an export's warnings are notes (undated articles left out, an
            # orphaned passage), not rows skipped
            self._report("Export", f"Exported {counted(result.count, 'passage')} to "
                         f"{request.path}.", result.warnings, heading="Please note")

        return self.ops.write(work, done).with_progress("Exporting").cancelled_by(
            ExportCancelled, then=lambda: self.statusBar().showMessage(
                "Export cancelled; no file was written.", 6000)).run()
