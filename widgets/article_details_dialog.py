"""The "Edit article details" dialog: title, source, author, published date
and URL of one article, as a dict in and a dict out (no SQL here)."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit,
                               QVBoxLayout, QWidget)

from widgets.problem_label import ProblemLabel

#: The editable fields and their labels, in form order.
FIELDS = (("title", "&Title"), ("source", "&Source (outlet)"), ("author", "&Author"),
          ("published", "&Published"), ("url", "&URL"))


def _plain(text: str) -> QLabel:
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.setWordWrap(True)
    return label


def date_problem(text: str) -> str | None:
    """Why ``text`` is not an acceptable published date (empty is fine)."""
    text = text.strip()
    if not text:
        return None
    try:
        date.fromisoformat(text)
    except ValueError:
        return "Write the date as YYYY-MM-DD, e.g. 2024-06-17, or leave it empty."
    return None


class ArticleDetailsDialog(QDialog):
    """Edit an article's metadata; the text itself is never editable here."""

    def __init__(self, details: dict, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Article details")
        self.setMinimumWidth(680)        # a headline fits, and is read from its start
        form = QFormLayout()
        self.fields: dict[str, QLineEdit] = {}
        for key, label in FIELDS:
            edit = QLineEdit(details.get(key) or "")
            edit.setCursorPosition(0)
            edit.setObjectName(key)
            self.fields[key] = edit
            form.addRow(label, edit)
        self.fields["published"].setPlaceholderText("YYYY-MM-DD")
        self.fields["url"].setPlaceholderText("https://…")
        form.addRow("Imported from", _plain(details.get("filename") or "—"))
        form.addRow("Imported at", _plain(details.get("imported_at") or "—"))
        self.problem = ProblemLabel()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.problem)
        layout.addWidget(self.buttons)
        for edit in self.fields.values():
            edit.textChanged.connect(self._validate)
        self._validate()

    def values(self) -> dict:
        """The edited fields, stripped; empty strings for cleared fields."""
        return {key: edit.text().strip() for key, edit in self.fields.items()}

    def _validate(self) -> None:
        values = self.values()
        problem = ("An article needs a title." if not values["title"]
                   else date_problem(values["published"]))
        self.problem.setText(problem or "")
        self.problem.setVisible(bool(problem))
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(not problem)
