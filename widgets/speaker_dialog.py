"""The dialog that names a speaker: for "Set speaker…", "Mark as quote…"
and "Merge speakers…". An editable list of names (the article's people and
organisations, or the speakers being merged) and the speaker's kind; typing
a name the list does not hold is fine. Plain data in, ``chosen()`` out."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QComboBox, QCompleter, QDialog, QDialogButtonBox, QFormLayout, QLabel,
                               QVBoxLayout)

#: The kinds of speaker offered, as stored.
KINDS = ("person", "organisation")


class SpeakerDialog(QDialog):
    """``names`` are ``(name, kind)`` pairs, offered in order; ``current``
    is filled in first. ``chosen()`` is ``(name, kind)`` after OK."""

    def __init__(self, title: str, prompt: str, names: list[tuple[str, str]],
                 current: str = "", kind: str = "person", parent=None, *,
                 guess_kind: Callable[[str], str] | None = None):
        super().__init__(parent)
        self.setWindowTitle(title)
        self._kinds = {name: k for name, k in names}
        #: the kind of a typed name no one listed (until the analyst picks one)
        self._guess = guess_kind or (lambda _name: KINDS[0])
        self._kind_picked = False
        layout = QVBoxLayout(self)
        label = QLabel(prompt)
        label.setTextFormat(Qt.TextFormat.PlainText)
        label.setWordWrap(True)
        layout.addWidget(label)
        form = QFormLayout()
        self.name = QComboBox()
        self.name.setEditable(True)
        self.name.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.name.addItems([name for name, _kind in names])
        # a popup of matching names, so that Enter on a full name is OK at
        # once (inline completion swallows the first Enter)
        self.name.completer().setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        self.name.completer().setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.name.setCurrentText(current)
        self.name.lineEdit().selectAll()
        self.name.currentTextChanged.connect(self._name_changed)
        self.kind = QComboBox()
        self.kind.addItems(KINDS + tuple(sorted({k for _n, k in names} - set(KINDS))))
        self.kind.setCurrentText(kind if kind in self._all_kinds() else KINDS[0])
        self.kind.activated.connect(self._picked)
        form.addRow("&Speaker:", self.name)
        form.addRow("&Kind:", self.kind)
        layout.addLayout(form)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self._name_changed(self.name.currentText())

    def _picked(self, _index: int) -> None:
        self._kind_picked = True

    def _name_changed(self, text: str) -> None:
        self.ok_button.setEnabled(bool(text.strip()))
        if self._kinds.get(text) in self._all_kinds():
            self.kind.setCurrentText(self._kinds[text])
        elif text.strip() and not self._kind_picked:
            # a typed name keeps no listed speaker's kind ("document" of a
            # press release for "Ministry of Interior")
            guessed = self._guess(text)
            if guessed in self._all_kinds():
                self.kind.setCurrentText(guessed)

    def _all_kinds(self) -> list[str]:
        return [self.kind.itemText(i) for i in range(self.kind.count())]

    def chosen(self) -> tuple[str, str]:
        return " ".join(self.name.currentText().split()), self.kind.currentText()
