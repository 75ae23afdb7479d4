"""The agreement report window: choose analysts, articles and tags, compute
in a worker with progress and cancel, read the table and the bar chart,
export a CSV with a "diagnosis" row per disagreement.

Self-contained: :func:`open_agreement_report` is the only thing the main
window calls. Every database read runs in a worker on a connection of its
own (listing the analysts scans the passages, which at 100,000 articles is
not instant); the report itself is :mod:`desktop.agreement.report`.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (QComboBox, QDialog, QFileDialog, QFormLayout, QHBoxLayout,
                               QLabel, QListWidget, QListWidgetItem, QProgressBar,
                               QPushButton, QVBoxLayout)

from desktop.agreement.measures import MEASURES
from desktop.agreement.report import EXPLANATIONS, HEADINGS, Cancelled
from desktop.gui.workers import Task
from widgets.agreement_view import AgreementView
from widgets.row_style import muted
from widgets.wording import counted

#: The scope box's choices.
CODED_BY_ALL, CODED, CURRENT_LIST, EVERY_ARTICLE = "coded by all", "coded", "list", "all"


def _checkable(widget: QListWidget, text: str, data, checked: bool) -> None:
    item = QListWidgetItem(text)
    item.setData(Qt.ItemDataRole.UserRole, data)
    item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
    item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
    widget.addItem(item)


def _checked(widget: QListWidget) -> list:
    return [widget.item(i).data(Qt.ItemDataRole.UserRole) for i in range(widget.count())
            if widget.item(i).checkState() == Qt.CheckState.Checked]


class AgreementDialog(QDialog):
    """The report window. ``tags`` are the codebook's (dicts with ``id`` and
    ``name``); ``query`` the article list's current filter, if any; ``me``
    the analyst using Dossier (ticked first)."""

    def __init__(self, db_path: Path, tags: list[dict], *, query=None, me: str | None = None,
                 parent=None):
        super().__init__(parent)
        self.setWindowTitle("Agreement between analysts")
        self.db_path, self.query, self.me = Path(db_path), query, me
        self.report = None
        self.task: Task | None = None
        self._tasks: list[Task] = []

        self.analyst_list = QListWidget()
        self.analyst_list.setMaximumHeight(110)
        self.analyst_list.itemChanged.connect(lambda _item: self._update_buttons())
        self.scope_box = QComboBox()
        self.scope_box.addItem("Articles all of them coded", CODED_BY_ALL)
        self.scope_box.addItem("Articles any of them coded (not coded counts as no tag)", CODED)
        if query is not None:
            self.scope_box.addItem("Articles in the current list", CURRENT_LIST)
        self.scope_box.addItem("All articles (uncoded text counts as agreeing)", EVERY_ARTICLE)
        self.tag_list = QListWidget()
        self.tag_list.setMaximumHeight(110)
        for tag in tags:
            _checkable(self.tag_list, tag["name"], tag["id"], False)
        form = QFormLayout()
        form.addRow("&Analysts", self.analyst_list)
        form.addRow("A&rticles", self.scope_box)
        form.addRow("&Tags", self.tag_list)
        hint = QLabel("No tag ticked means every tag they used. Tick two or more analysts.")
        muted(hint)

        self.compute_button = QPushButton("&Compute")
        self.compute_button.setDefault(True)
        self.compute_button.clicked.connect(self.compute)
        self.cancel_button = QPushButton("Stop")
        self.cancel_button.clicked.connect(self.cancel)
        self.progress = QProgressBar()
        self.progress.setTextVisible(False)
        self.status = QLabel("Loading the analysts…")
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        self.status.setWordWrap(True)
        run_row = QHBoxLayout()
        for widget in (self.compute_button, self.cancel_button, self.progress):
            run_row.addWidget(widget)

        self.view = AgreementView(list(MEASURES), HEADINGS, EXPLANATIONS)
        self.export_button = QPushButton("&Export CSV…")
        self.export_button.clicked.connect(lambda: self.export_csv())
        close = QPushButton("Close")
        close.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addWidget(self.export_button)
        buttons.addStretch(1)
        buttons.addWidget(close)

        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(hint)
        layout.addLayout(run_row)
        layout.addWidget(self.status)
        layout.addWidget(self.view, 1)
        layout.addLayout(buttons)
        QShortcut(QKeySequence("Ctrl+Return"), self, self.compute)
        self.resize(900, 860)
        self._busy(False)
        self._load_analysts()

    # -- background work ---------------------------------------------------

    def _run(self, function, done, what: str) -> Task:
        """``function(db, on_progress, is_cancelled)`` in a worker on its own
        connection; ``done(result)`` on the GUI thread."""
        from storage import open_database

        db_path = self.db_path

        def work(on_progress, is_cancelled):
            db = open_database(db_path, create=False)
            try:
                return function(db, on_progress, is_cancelled)
            finally:
                db.close()

        task = Task(work, self)
        self._tasks.append(task)

        def finished(result, failed: str | None = None) -> None:
            if task in self._tasks:
                self._tasks.remove(task)
            if task is self.task:
                self.task = None
                self._busy(False)
            if failed is not None:
                self.status.setText(f"{what} failed: {failed}")
            else:
                done(result)

        task.succeeded.connect(finished)
        task.failed.connect(lambda message: finished(None, message))
        task.progress.connect(self._progress)
        task.start()
        return task

    def _load_analysts(self) -> None:
        from storage.agreement_data import analysts
        from storage.consensus import CONSENSUS

        def show(rows) -> None:
            names = [r["analyst"] for r in rows]
            # the consensus is the coders' settled coding, not a coder of its
            # own: ticking it by default would pool it in with them (raising
            # the figures) and narrow "coded by all" to the articles it touches
            coders = [n for n in names if n != CONSENSUS]
            tick = set(coders) if 2 <= len(coders) <= 3 else {self.me} & set(coders)
            self.analyst_list.blockSignals(True)
            for row in rows:
                _checkable(self.analyst_list,
                           f"{row['analyst']} — {row['passages']:,} passages in "
                           f"{row['articles']:,} articles", row["analyst"],
                           row["analyst"] in tick)
            self.analyst_list.blockSignals(False)
            self.status.setText("" if len(names) >= 2 else
                                "Agreement needs passages by two or more analysts; "
                                f"this database has {len(names)}.")
            self._update_buttons()

        self.task = self._run(lambda db, *_: analysts(db), show, "Listing the analysts")
        self._busy(True)

    def compute(self) -> None:
        """Compute the report for what is chosen, in a worker."""
        if self.task is not None or not self.compute_button.isEnabled():
            return
        from desktop.agreement.report import agreement_report
        from storage import article_query
        from storage import agreement_data

        names = _checked(self.analyst_list)
        tag_ids = _checked(self.tag_list) or None
        scope = self.scope_box.currentData()
        query = self.query

        def work(db, on_progress, is_cancelled):
            article_ids = None
            if scope == CURRENT_LIST:
                article_ids = article_query.first_ids(db, query, 1 << 62)
            try:
                return agreement_report(
                    db, names, article_ids=article_ids, tag_ids=tag_ids,
                    scope={EVERY_ARTICLE: agreement_data.ALL_ARTICLES,
                           CODED: agreement_data.CODED_BY_ANY}.get(
                               scope, agreement_data.CODED_BY_ALL),
                    on_progress=on_progress, is_cancelled=is_cancelled)
            except Cancelled:
                return None

        self.status.setText("Computing…")
        self.task = self._run(work, self._show, "The report")
        self._busy(True)

    def _show(self, report) -> None:
        if report is None:
            self.status.setText("Stopped.")
            return
        self.report = report
        self.view.set_report(report.rows, report.overall)
        self.status.setText(
            f"{', '.join(report.analysts)}: {report.articles:,} articles, "
            f"{report.characters:,} characters; passages compared: "
            + ", ".join(f"{a} {n:,}" for a, n in report.passages.items())
            + ". Percent agreement is not chance-corrected; — means undefined."
            + "".join(" " + note for note in (report.left_out_note(), report.unpooled_note())
                      if note))
        self._update_buttons()

    def cancel(self) -> None:
        if self.task is not None:
            self.task.cancel()
            self.status.setText("Stopping…")

    def export_csv(self, path: str | Path | None = None) -> None:
        """Write the report and its diagnosis rows to a CSV (asks where)."""
        if self.report is None or self.task is not None:
            return
        if path is None:
            # the window's last export folder, when the dialog has a window
            preferences = getattr(self.parentWidget(), "preferences", None)
            folder = preferences.folder("export") if preferences else Path.home()
            path, _ = QFileDialog.getSaveFileName(
                self, "Export the agreement report", str(folder / "agreement.csv"),
                "CSV files (*.csv)")
            if not path:
                return
            if preferences:
                preferences.remember_folder("export", path)
        path = Path(path)
        if path.suffix.lower() != ".csv":
            path = path.with_suffix(".csv")
        from desktop.agreement.report import write_csv

        report = self.report

        def work(db, _progress, is_cancelled):
            try:
                return write_csv(db, report, path, is_cancelled=is_cancelled, bom=True)
            except Cancelled:
                return None

        def done(count) -> None:
            self.status.setText("Export stopped." if count is None else
                                f"Exported the measures and {counted(count, 'disagreement')} "
                                f"to {path}.")

        self.status.setText(f"Exporting to {path}…")
        self.task = self._run(work, done, "The export")
        self._busy(True)

    # -- state ---------------------------------------------------------------

    def _progress(self, done: int, total: int) -> None:
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(done)

    def _busy(self, busy: bool) -> None:
        self.progress.setVisible(busy)
        self.progress.setRange(0, 0)
        self.cancel_button.setVisible(busy)
        self._update_buttons()

    def _update_buttons(self) -> None:
        idle = self.task is None
        self.compute_button.setEnabled(idle and len(_checked(self.analyst_list)) >= 2)
        self.export_button.setEnabled(idle and self.report is not None)

    def reject(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        for task in list(self._tasks):
            task.wait(30000)
        super().reject()


def open_agreement_report(window) -> AgreementDialog:
    """Open the report window for the main window's database (the one call
    the main window makes)."""
    from storage import tags

    query = window.query if window.query.is_filtered() else None
    dialog = AgreementDialog(window.db_path, tags.list_tags(window.db), query=query,
                             me=window.preferences.analyst, parent=window)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.show()
    return dialog
