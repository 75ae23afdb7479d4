"""Dossier's few touches on the platform style, without a style sheet.

An application-wide Qt style sheet routes every widget's painting through
Qt's style-sheet style: with one rule for tree rows, repainting the
Passages list after a tag was saved took 1.5 ms instead of 0.9. The same
touches are made here in code:

- :func:`roomy` gives an item view's rows 2 px above and below their text
  (what ``QTreeView::item { padding: 2px 0; }`` did);
- :func:`selection_palette` is the reader's selection colour (what the
  ``QTextEdit { selection-… }`` rule did), the same in light and dark;
- :func:`muted` greys a label's secondary text in the current theme's
  colour (``color: palette(placeholder-text)`` froze the colour of the
  palette the label was made under: light grey on dark, 1.3:1).
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QAbstractItemView, QStyledItemDelegate, QWidget

#: pixels added above and below an item view's row
ROW_PADDING = 2
#: Counts in a column: right-aligned, and centred in the row like the
#: other columns' text (right alone put them at the top of a roomy row)
NUMBER_ALIGNMENT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
SELECTION_BACKGROUND = "#3584e4"
SELECTION_TEXT = "#ffffff"


class RoomyRows(QStyledItemDelegate):
    """An item view's own delegate, its rows a little taller. Only
    ``sizeHint`` is Python; painting stays in Qt (a Python ``QProxyStyle``
    made every style call of every widget cross into Python: slower than
    the style sheet)."""

    def sizeHint(self, option, index):
        result = super().sizeHint(option, index)
        result.setHeight(result.height() + 2 * ROW_PADDING)
        return result


def set_apart(item, column: int = 0) -> None:
    """An item's text in italics: a row that is not what its neighbours are
    (a category among tags, a description among speakers' names)."""
    font = item.font(column)
    font.setItalic(True)
    item.setFont(column, font)


def muted(widget: QWidget) -> QWidget:
    """``widget``'s text in the palette's placeholder colour (secondary
    text: a caption, a hint), following the palette when the theme changes."""
    widget.setForegroundRole(QPalette.ColorRole.PlaceholderText)
    return widget


def roomy(view: QAbstractItemView) -> QAbstractItemView:
    """Give ``view`` roomy rows (its delegate is replaced); returns it."""
    view.setItemDelegate(RoomyRows(view))
    return view


def selection_palette() -> QPalette:
    """The reader's selection colours, in every state, and nothing else: as
    a widget's palette, its other roles still follow the application's
    (light or dark)."""
    result = QPalette()
    result.setColor(QPalette.ColorRole.Highlight, QColor(SELECTION_BACKGROUND))
    result.setColor(QPalette.ColorRole.HighlightedText, QColor(SELECTION_TEXT))
    return result
