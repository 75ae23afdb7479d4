"""The main window's files: importing articles (dialogs, drag and drop,
REFI-QDA projects) and exporting passages, each in a worker with a
cancellable progress dialog.

A mixin of :class:`desktop.gui.main_window.MainWindow`: its methods use the
window's widgets, connection and helpers.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QMessageBox

from desktop.gui.workers import Task
from storage import article_query

log = logging.getLogger(__name__)

#: How many articles the export dialog offers to pick from (the list's first).
EXPORT_CHOICES = 2000


class FileActions:
    """Importing articles and projects, exporting passages."""

    def import_files(self) -> None:
        from desktop.importers.dispatch import SUPPORTED_SUFFIXES

        patterns = " ".join(f"*{suffix}" for suffix in SUPPORTED_SUFFIXES)
        files, _ = QFileDialog.getOpenFileNames(self, "Import articles", "",
                                                f"Articles ({patterns});;All files (*)")
        if files:
            self.import_paths([Path(f) for f in files])

    def import_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Import a folder of articles")
        if folder:
            self.import_paths([Path(folder)])

    def import_paths(self, paths: list[Path]) -> Task:
        from desktop.importers import import_files
        from storage import open_database

        db_path = self.db_path

        def work(on_progress, is_cancelled):
            db = open_database(db_path)
            try:
                return import_files(db, paths, on_progress=on_progress,
                                    is_cancelled=is_cancelled)
            finally:
                db.close()

        # progress counts articles: one a file, one a row of a .csv/.json/.jsonl
        return self._run_task("Importing", work, self._imported,
                              describe=lambda done, total: f"Importing articles: "
                                                           f"{done:,} of {total:,}")

    def _imported(self, report) -> None:
        first_new = report.added[0][1] if report.added else None
        self.refresh_articles(select=first_new)
        self.review_changed()
        self.start_analysis()
        notes = "".join(f" {Path(path).name}: {note}." for path, note in report.notes[:3])
        self._report("Import", report.summary() + "." + notes,
                     [f"{path}: {reason}" for path, reason in report.skipped],
                     [f"{Path(path).name}: {reason}" for path, reason in report.skipped])

    def _dropped_paths(self, event) -> list[Path]:
        mime = event.mimeData()
        urls = mime.urls() if mime.hasUrls() else []
        return [Path(url.toLocalFile()) for url in urls if url.isLocalFile()]

    def dragEnterEvent(self, event) -> None:
        if self._dropped_paths(event):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event) -> None:
        self.dragEnterEvent(event)

    def dropEvent(self, event) -> None:
        paths = self._dropped_paths(event)
        if not paths:
            event.ignore()
            return
        event.acceptProposedAction()
        self.import_paths(paths)

    def import_refi_qda(self, path: Path | None = None) -> Task | None:
        """Import a .qdpx project (asks for the file unless given) in the background."""
        from desktop.refi_qda.import_project import ImportCancelled, import_qdpx
        from storage import open_database

        if path is None:
            chosen, _ = QFileDialog.getOpenFileName(
                self, "Import a REFI-QDA project", str(Path.home()),
                "REFI-QDA project (*.qdpx);;All files (*)")
            if not chosen:
                return None
            path = Path(chosen)
        db_path = self.db_path

        def work(on_progress, is_cancelled):
            db = open_database(db_path)
            try:
                return import_qdpx(db, path, on_progress=on_progress, is_cancelled=is_cancelled)
            except ImportCancelled:
                return None
            finally:
                db.close()

        return self._run_task("Importing project", work, self._project_imported)

    def _project_imported(self, report) -> None:
        if report is None:
            self.statusBar().showMessage("Import cancelled; nothing was stored.", 6000)
            return
        self.refresh_tags()
        self.refresh_articles(select=report.articles_added[0][1] if report.articles_added
                              else None)
        self.review_changed()
        self.start_analysis()
        self._report("Import REFI-QDA project", report.summary() + ".", report.detail_lines())

    def _report(self, title: str, message: str, problems: list[str],
                short: list[str] | None = None) -> None:
        """A status-bar message, or a warning box naming the first dozen
        problems (``short`` forms if given) with all of them in its details."""
        if not problems:
            self.statusBar().showMessage(message, 8000)
            return
        lines = short or problems
        shown = lines[:12] + ([f"… and {len(lines) - 12} more"] if len(lines) > 12 else [])
        box = QMessageBox(QMessageBox.Icon.Warning, title,
                          message + "\n\nSkipped:\n" + "\n".join(shown), parent=self)
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setDetailedText("\n".join(problems))
        box.exec()

    def export_passages(self, path: Path | None = None) -> Task | None:
        """Export with the dialog's choices, or everything to ``path`` if given."""
        from desktop.gui.export_dialog import ExportDialog, ExportRequest
        from storage.export_selection import analysts

        if path is not None:
            return self.run_export(ExportRequest.for_path(Path(path)))
        # the dialog offers the list's articles (its search, filters and
        # order), at most EXPORT_CHOICES of them: never the whole corpus
        request = ExportDialog.ask(self, tags=self._tags,
                                   articles=article_query.article_page(
                                       self.db, self.query, 0, EXPORT_CHOICES),
                                   analysts=analysts(self.db), current_article=self.current_id,
                                   folder=Path.home())
        return self.run_export(request) if request else None

    def run_export(self, request) -> Task:
        """Run an :class:`~desktop.gui.export_dialog.ExportRequest` in the background."""
        from desktop.exporters import ExportCancelled, export_passages
        from storage import open_database

        db_path = self.db_path

        def work(on_progress, is_cancelled):
            db = open_database(db_path)
            try:
                return export_passages(db, request.path, request.fmt, filter=request.filter,
                                       options=request.options, on_progress=on_progress,
                                       is_cancelled=is_cancelled)
            except ExportCancelled:
                return None
            finally:
                db.close()

        def done(result) -> None:
            if result is None:
                self.statusBar().showMessage("Export cancelled; no file was written.", 6000)
            else:
                self._report("Export", f"Exported {result.count} passage(s) to "
                             f"{request.path}.", result.warnings)

        return self._run_task("Exporting", work, done)
