"""An item view's open editor, kept before its rows are read again.

Qt drops an item view's open editors, and what was typed in them, when its
model is reset or its rows are refilled: a view about to be refilled calls
:func:`commit_open_editor` first, so the edit goes through the model as if
the analyst had pressed Enter.
"""

from __future__ import annotations

from PySide6.QtWidgets import QAbstractItemDelegate, QAbstractItemView


def commit_open_editor(view: QAbstractItemView, column: int) -> None:
    """Commit and close the editor open on the current row's ``column`` of
    ``view``, if one is."""
    index = view.currentIndex()
    if view.state() != QAbstractItemView.State.EditingState or not index.isValid():
        return
    editor = view.indexWidget(index.siblingAtColumn(column))
    if editor is not None:
        view.commitData(editor)
        view.closeEditor(editor, QAbstractItemDelegate.EndEditHint.NoHint)
