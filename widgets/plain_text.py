"""Keeping untrusted text literal where Qt would guess it is HTML.

Qt shows tooltips and some labels as rich text when the string merely
looks like markup; article text, titles and notes must never be interpreted.
"""

from __future__ import annotations

import html


def plain_tooltip(text: str) -> str:
    """A tooltip string that Qt renders as exactly ``text``."""
    return "<qt>" + html.escape(text).replace("\n", "<br/>") + "</qt>"


def plain_message(parent, title: str, text: str, icon: str = "warning") -> None:
    """A modal message box (``icon``: warning, critical or information) whose
    text is shown exactly as given: QMessageBox's static functions guess
    "rich text" from anything that looks like markup, so a tag named
    ``<b>x</b><img src=x>`` would be rendered (and an image fetched)."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QMessageBox

    icons = {"warning": QMessageBox.Icon.Warning, "critical": QMessageBox.Icon.Critical,
             "information": QMessageBox.Icon.Information}
    box = QMessageBox(icons[icon], title, text, QMessageBox.StandardButton.Ok, parent)
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.exec()


def plain_warning(parent, title: str, text: str) -> None:
    """:func:`plain_message` with the warning icon (QMessageBox.warning's place)."""
    plain_message(parent, title, text, "warning")


def plain_critical(parent, title: str, text: str) -> None:
    """:func:`plain_message` with the critical icon (QMessageBox.critical's place)."""
    plain_message(parent, title, text, "critical")


def plain_labels(dialog) -> None:
    """Make every QLabel inside ``dialog`` plain text (for the standard
    dialogs — QInputDialog — whose labels Qt would otherwise guess about)."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QLabel

    for label in dialog.findChildren(QLabel):
        label.setTextFormat(Qt.TextFormat.PlainText)
