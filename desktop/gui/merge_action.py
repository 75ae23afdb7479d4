"""File → Merge from…: a colleague's Dossier database (or a .qdpx project,
:mod:`desktop.merge_files`) merged into this one.

The merge (:func:`storage.merge.merge_database`, one journal step of the
window's, so Ctrl+Z — or ``dossier undo`` — takes it back) runs in a worker
on its own connection, after a backup labelled ``before-merge`` (a large
merge is worth a copy); the window then shows what the step changed, and a
message lists what came in, what matched and every conflict (plain text:
names come from another file).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QMessageBox

from desktop.gui.workers import Task


def merge_from(window, path: str | Path | None = None) -> Task | None:
    """Ask for the other database (unless ``path``) and merge it in."""
    if path is None:
        path, _ = QFileDialog.getOpenFileName(
            window, "Merge a colleague's Dossier database or project",
            str(window.preferences.folder("import")),
            "Dossier databases and REFI-QDA projects (*.db *.qdpx);;All files (*)")
        if not path:
            return None
        window.preferences.remember_folder("import", path)
    path = Path(path)
    db_path, keep = window.db_path, window.preferences.backups_kept
    max_bytes = window.preferences.backups_max_bytes
    analyst = window.preferences.analyst
    history = window.controllers.history
    origin = history.journal_origin     # the window's step: Ctrl+Z undoes it

    def work(_progress, _cancelled):
        from storage import open_database
        from storage.backup import take_backup
        from desktop.merge_files import merge_file

        db = open_database(db_path)
        try:
            take_backup(db, db_path, keep=keep, label="before-merge", max_bytes=max_bytes)
            return merge_file(db, path, analyst=analyst, origin=origin)
        finally:
            db.close()

    task = Task(work, window)
    window.ops.tasks.append(task)
    generation = window.ops.generation      # (see Operations.generation)
    window.statusBar().showMessage(f"Merging {path.name}…")

    def finished() -> None:
        if task in window.ops.tasks:
            window.ops.tasks.remove(task)
        window.statusBar().clearMessage()

    def succeeded(report) -> None:
        from desktop.gui import commands
        from desktop.merge_files import summary
        finished()
        if window.ops.generation != generation:     # closed, or its file restored
            return
        if report.step_id is not None and report.changes:
            window.ops.publish(report.changes)
            # undone and redone in a worker, as an import: a merge may
            # bring thousands of passages
            history.push_stored(commands.StoredSteps(
                history, f"Merge {path.name}", [report.step_id],
                kinds=report.changes.kinds))
        _tell(window, QMessageBox.Icon.Information, f"Merged {path.name}",
              summary(report), "\n".join(
                  [f"conflict: {c}" for c in report.conflicts]
                  + [f"skipped: {s}" for s in report.skipped]
                  + [f"note: {n}" for n in report.notes]))

    def failed(message: str) -> None:
        finished()
        if window.ops.generation != generation:
            return
        _tell(window, QMessageBox.Icon.Warning, "Merge failed",
              f"{path.name} was not merged; nothing changed.\n\n{message}", "")

    task.succeeded.connect(succeeded)
    task.failed.connect(failed)
    task.start()
    return task


def _tell(window, icon, title: str, text: str, details: str) -> QMessageBox:
    box = QMessageBox(icon, title, text, QMessageBox.StandardButton.Ok, window)
    box.setTextFormat(Qt.TextFormat.PlainText)
    if details:
        box.setDetailedText(details)
    box.setObjectName("mergeReport")
    box.open()
    return box
