"""The Qt bindings keep Python's reference counts: PySide6 6.12.0 on Python 3.11
dropped a reference to None on every call of a void Qt method, so a long
session (a few hundred articles opened) died with "deallocating None"."""

from __future__ import annotations

import sys

from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import QTextEdit


def test_void_qt_calls_do_not_drop_references_to_none(qtbot):
    edit = QTextEdit()
    qtbot.addWidget(edit)
    edit.setPlainText("hello world " * 20)
    cursor = QTextCursor(edit.document())
    before = sys.getrefcount(None)
    for _ in range(2000):
        cursor.setPosition(5)
        edit.setExtraSelections([])
    assert sys.getrefcount(None) - before > -100
