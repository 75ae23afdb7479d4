"""The export dialog: format, filters and file, returned as an ExportRequest.

Plain data in (tags, articles, analysts as dicts and strings), a request
out; no SQL here — the main window reads the database and runs the export
in a background task.
"""

from __future__ import annotations

import os

from dataclasses import dataclass, field, replace
from pathlib import Path

from PySide6.QtCore import QDate, Qt
from PySide6.QtGui import QColor, QIcon, QPixmap
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDateEdit, QDialog,
                               QDialogButtonBox, QFileDialog, QFormLayout, QHBoxLayout,
                               QLabel, QLineEdit, QListWidget, QListWidgetItem,
                               QMessageBox, QPushButton, QVBoxLayout, QWidget)

from desktop.exporters import FORMATS, ExportOptions, format_for
from storage.export_selection import PassageFilter
from widgets.article_filters import tree_order
from widgets.row_style import muted

#: Formats that use the title option.
TITLED = ("html", "pdf", "qdpx")


@dataclass
class ExportRequest:
    """What to export, how, and where."""

    path: Path
    fmt: str
    filter: PassageFilter = field(default_factory=PassageFilter)
    options: ExportOptions = field(default_factory=ExportOptions)

    @classmethod
    def for_path(cls, path: Path) -> "ExportRequest":
        """Everything, in the format the file name implies (CSV if none)."""
        fmt = format_for(path)
        if fmt is None:
            path, fmt = path.with_suffix(".csv"), "csv"
        return cls(Path(path), fmt)


def _swatch(color: str) -> QIcon:
    pixmap = QPixmap(12, 12)
    pixmap.fill(QColor(color))
    return QIcon(pixmap)


def _checkable_list(items: list[tuple[str, object, QIcon | None]]) -> QListWidget:
    widget = QListWidget()
    for text, data, icon in items:
        item = QListWidgetItem(text)
        item.setData(Qt.ItemDataRole.UserRole, data)
        item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
        item.setCheckState(Qt.CheckState.Unchecked)
        if icon is not None:
            item.setIcon(icon)
        widget.addItem(item)
    widget.setMaximumHeight(130)
    return widget


def checked(widget: QListWidget) -> list:
    """The data of every checked item."""
    return [widget.item(i).data(Qt.ItemDataRole.UserRole) for i in range(widget.count())
            if widget.item(i).checkState() == Qt.CheckState.Checked]


class ExportDialog(QDialog):
    """Choose a format, filters and a file; :meth:`request` has the result."""

    def __init__(self, tags: list[dict], articles: list[dict], analysts: list[str], *,
                 current_article: int | None = None, folder: Path | None = None,
                 shown_analysts: tuple[str, ...] = (), listed: tuple | None = None,
                 parent=None):
        super().__init__(parent)
        self.setWindowTitle("Export tagged passages")
        self.folder = folder or Path.home()
        self.format_box = QComboBox()
        for fmt in FORMATS.values():
            self.format_box.addItem(f"{fmt.label} — {fmt.purpose}", fmt.name)
        self.path_edit = QLineEdit(str(self.folder / "passages.csv"))
        self._replace_agreed: Path | None = None
        browse = QPushButton("Choose…")
        browse.clicked.connect(self.choose_file)
        path_row = QHBoxLayout()
        path_row.addWidget(self.path_edit, 1)
        path_row.addWidget(browse)

        self.tag_list = _checkable_list([("    " * depth + t["name"], t["name"],
                                          _swatch(t["color"]))
                                         for depth, t in tree_order(tags)])
        self.children_check = QCheckBox("A ticked tag includes the tags under it")
        self.children_check.setChecked(True)
        self.children_check.setToolTip("Untick to export only the ticked tags themselves")
        self.article_list = _checkable_list([(a["title"], a["id"], None) for a in articles])
        #: ``listed``: (how many, id SQL, its parameters) of the articles the
        #: filtered list shows — exported alone unless the analyst unticks
        #: it (Export with a filtered list exported the whole corpus)
        self._listed = listed
        shown = ("" if not listed or listed[0] is None
                 else f"{listed[0]:,} article " if listed[0] == 1
                 else f"{listed[0]:,} articles ")
        self.listed_check = QCheckBox(
            f"Only the {shown or 'articles '}the list shows (its search and filters); "
            "untick for every article" if listed else "")
        self.listed_check.setChecked(bool(listed))
        self.listed_check.setVisible(bool(listed))
        self.current_button = QPushButton("Current article only")
        self.current_button.clicked.connect(lambda: self._check_only(current_article))
        self.current_button.setVisible(current_article is not None)
        self.since_check, self.since_edit = QCheckBox("From"), self._date_edit()
        self.until_check, self.until_edit = QCheckBox("to"), self._date_edit()
        self.date_of_box = QComboBox()
        self.date_of_box.addItem("article published", "published")
        self.date_of_box.addItem("passage tagged", "tagged")
        dates = QHBoxLayout()
        for widget in (self.since_check, self.since_edit, self.until_check,
                       self.until_edit, QLabel("by date"), self.date_of_box):
            dates.addWidget(widget)
        dates.addStretch(1)
        self.since_check.toggled.connect(self.since_edit.setEnabled)
        self.until_check.toggled.connect(self.until_edit.setEnabled)
        self.analyst_box = QComboBox()
        self.analyst_box.addItem("Any analyst", None)
        for name in analysts:
            self.analyst_box.addItem(name, name)
        #: blind coding (View → Passages): the export starts with the
        #: passages the window shows, and says so
        self.blind_label = QLabel()
        self.blind_label.setTextFormat(Qt.TextFormat.PlainText)
        self.blind_label.setWordWrap(True)
        self.blind_label.setVisible(bool(shown_analysts))
        if shown_analysts:
            shown = tuple(shown_analysts)
            if len(shown) == 1:
                if self.analyst_box.findData(shown[0]) < 0:
                    self.analyst_box.addItem(shown[0], shown[0])
                self.analyst_box.setCurrentIndex(self.analyst_box.findData(shown[0]))
            else:
                self.analyst_box.addItem("Shown analysts: " + ", ".join(shown), shown)
                self.analyst_box.setCurrentIndex(self.analyst_box.count() - 1)
            self.blind_label.setText(
                "The window shows only the passages of " + ", ".join(shown)
                + " (View → Passages), so only theirs are exported. Choose “Any analyst” "
                  "to export everyone's.")
        self.bom_check = QCheckBox("Start with a byte-order mark, so Excel reads UTF-8")
        self.bom_check.setChecked(True)
        self.title_edit = QLineEdit(ExportOptions().title)
        self.charts_check = QCheckBox("Open the report with the Overview's charts")

        form = QFormLayout()
        form.addRow("Format", self.format_box)
        form.addRow("File", path_row)
        tags_box = QVBoxLayout()
        tags_box.addWidget(self.tag_list)
        tags_box.addWidget(self.children_check)
        form.addRow("Tags", tags_box)
        articles_box = QVBoxLayout()
        articles_box.addWidget(self.listed_check)
        articles_box.addWidget(self.article_list)
        articles_box.addWidget(self.current_button, 0, Qt.AlignmentFlag.AlignLeft)
        form.addRow("Articles", articles_box)
        form.addRow("Dates", dates)
        form.addRow("Analyst", self.analyst_box)
        form.addRow("", self.blind_label)
        form.addRow("CSV", self.bom_check)
        form.addRow("Title", self.title_edit)
        form.addRow("", self.charts_check)
        hint = QLabel("Nothing ticked in a list means all of them.")
        muted(hint)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Export")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(hint)
        layout.addWidget(self.buttons)
        self.format_box.currentIndexChanged.connect(self._format_changed)
        self.path_edit.textChanged.connect(self._update_ok)
        self._format_changed()

    @staticmethod
    def _date_edit() -> QDateEdit:
        edit = QDateEdit(QDate.currentDate())
        edit.setCalendarPopup(True)
        edit.setDisplayFormat("yyyy-MM-dd")
        edit.setEnabled(False)
        return edit

    def _check_only(self, article_id: int) -> None:
        for i in range(self.article_list.count()):
            item = self.article_list.item(i)
            item.setCheckState(Qt.CheckState.Checked
                               if item.data(Qt.ItemDataRole.UserRole) == article_id
                               else Qt.CheckState.Unchecked)

    def fmt(self) -> str:
        return self.format_box.currentData()

    def set_format(self, name: str) -> None:
        self.format_box.setCurrentIndex(self.format_box.findData(name))

    def _format_changed(self) -> None:
        fmt = FORMATS[self.fmt()]
        text = self.path_edit.text().strip()
        if text and format_for(text) != fmt.name:
            self.path_edit.setText(str(Path(text).with_suffix(fmt.suffixes[0])))
        self.bom_check.setEnabled(fmt.name == "csv")
        self.title_edit.setEnabled(fmt.name in TITLED)
        self.charts_check.setEnabled(fmt.name in ("html", "pdf"))
        self._update_ok()

    def _update_ok(self) -> None:
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(
            bool(self.path_edit.text().strip()))

    def choose_file(self) -> None:
        fmt = FORMATS[self.fmt()]
        chosen, _ = QFileDialog.getSaveFileName(self, "Export to", self.path_edit.text(),
                                                fmt.file_filter())
        if chosen:
            path = Path(chosen)
            if format_for(path) != fmt.name:
                path = path.with_suffix(fmt.suffixes[0])
            elif path.exists():
                self._replace_agreed = path       # the file dialog asked already
            self.path_edit.setText(str(path))

    def accept(self) -> None:
        """Export, after asking before an existing file is replaced (the
        path is filled in for the analyst: pressing Export twice must not
        silently overwrite the first export)."""
        path = Path(self.path_edit.text().strip()).expanduser()
        problem = self._path_problem(path)
        if problem:
            # said here, with the choices kept (the export failed after
            # the dialog had closed, its choices lost)
            box = QMessageBox(QMessageBox.Icon.Warning, "Export", problem, parent=self)
            box.setTextFormat(Qt.TextFormat.PlainText)
            box.exec()
            self.path_edit.setFocus()
            self.path_edit.selectAll()
            return
        if path.exists() and path != self._replace_agreed:
            box = QMessageBox(QMessageBox.Icon.Question, "Replace the file?",
                              f"“{path.name}” already exists in {path.parent}. Replace it?",
                              parent=self)
            box.setTextFormat(Qt.TextFormat.PlainText)
            replace = box.addButton("Replace", QMessageBox.ButtonRole.AcceptRole)
            box.setDefaultButton(box.addButton(QMessageBox.StandardButton.Cancel))
            box.exec()
            if box.clickedButton() is not replace:
                self.path_edit.setFocus()
                self.path_edit.selectAll()
                return
        super().accept()

    def _path_problem(self, path: Path) -> str | None:
        """What stops an export to ``path``, in words (None: nothing)."""
        if path.parent.exists() and not path.parent.is_dir():
            return f"{path.parent} is a file, not a folder."
        if not path.parent.is_dir():
            return f"There is no folder {path.parent}."
        if path.is_dir():
            return f"{path} is a folder: add a file name."
        if not os.access(path.parent, os.W_OK | os.X_OK):
            return f"Dossier may not write in {path.parent}: choose another folder."
        named, chosen = format_for(path), FORMATS[self.fmt()]
        if named is not None and named != chosen.name:
            # the file would be the chosen format under another's ending
            return (f"“{path.name}” ends in {path.suffix}, the ending of "
                    f"{FORMATS[named].label}, but the format chosen is {chosen.label}: "
                    f"choose {FORMATS[named].label}, or end the name in {chosen.suffixes[0]}.")
        return None

    def request(self) -> ExportRequest:
        """The choices made, as an export request."""
        analyst = self.analyst_box.currentData()
        chosen = PassageFilter(
            tags=tuple(checked(self.tag_list)),
            article_ids=tuple(checked(self.article_list)),
            since=(self.since_edit.date().toString("yyyy-MM-dd")
                   if self.since_check.isChecked() else None),
            until=(self.until_edit.date().toString("yyyy-MM-dd")
                   if self.until_check.isChecked() else None),
            date_of=self.date_of_box.currentData(),
            analysts=(tuple(analyst) if isinstance(analyst, (tuple, list))
                      else (analyst,) if analyst else ()),
            include_children=self.children_check.isChecked())
        if self._listed and self.listed_check.isChecked():
            count, sql, params = self._listed
            chosen = replace(chosen, article_sql=sql, article_sql_params=tuple(params),
                             listed=(f"the {count:,} articles the list showed"
                                     if count is not None else "the articles the list showed"))
        options = ExportOptions(bom=self.bom_check.isChecked() and self.fmt() == "csv",
                                title=self.title_edit.text().strip() or ExportOptions().title,
                                charts=self.charts_check.isChecked())
        return ExportRequest(Path(self.path_edit.text().strip()).expanduser(), self.fmt(),
                             chosen, options)

    @classmethod
    def ask(cls, parent: QWidget, **kwargs) -> ExportRequest | None:
        """Show the dialog; the request, or None if cancelled."""
        dialog = cls(parent=parent, **kwargs)
        return dialog.request() if dialog.exec() == QDialog.DialogCode.Accepted else None
