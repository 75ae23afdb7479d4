"""A dialog to correct an article's text (plain text in, plain text out)."""

from __future__ import annotations

import os

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QPlainTextEdit, QVBoxLayout


class TextEditDialog(QDialog):
    """Edits a text; ``text()`` is the result once accepted."""

    def __init__(self, title: str, text: str, parent=None):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.resize(760, 560)
        layout = QVBoxLayout(self)
        note = QLabel("Tagged passages follow their words into the new text; a passage "
                      "whose words are gone is kept and marked ⚠.")
        note.setWordWrap(True)
        layout.addWidget(note)
        self.editor = QPlainTextEdit()
        self.editor.setPlainText(text)
        layout.addWidget(self.editor)
        self._given, self._shown = text, self._typed()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def _typed(self) -> str:
        """The editor's text, its paragraph breaks as newlines.

        Not ``toPlainText()``: it turns no-break spaces into spaces and line
        separators (U+2028) into newlines, which would rewrite the article
        (and orphan the passages on those words) at any save."""
        return self.editor.document().toRawText().replace("\u2029", "\n")

    def text(self) -> str:
        """The text as edited: outside the stretch the analyst changed, the
        text given, character for character. The editor cannot tell a
        paragraph separator (U+2029) or a CR LF from a newline; they stay
        as they were unless the edit covers them."""
        typed = self._typed()
        if typed == self._shown:
            return self._given
        if len(self._shown) != len(self._given):   # (a CR LF shown as one break)
            return typed
        # each character shown stands for the one given at its offset
        begin = len(os.path.commonprefix([self._shown, typed]))
        tail = len(os.path.commonprefix([self._shown[begin:][::-1], typed[begin:][::-1]]))
        return (self._given[:begin] + typed[begin:len(typed) - tail]
                + self._given[len(self._given) - tail:])
