"""Review status (new / in progress / done): the chooser in the article
header, and a mark painted on each row of the article list.

Plain strings in, signals out; the statuses come from the caller.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QRect, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QComboBox, QStyledItemDelegate

#: The colour of each status's mark in the article list (None: no mark).
MARK_COLORS = {"new": None, "in progress": "#e5a50a", "done": "#26a269"}

#: Width in pixels of the mark at the left edge of a list row.
MARK_WIDTH = 5


class ReviewStatusBox(QComboBox):
    """Chooses an article's review status; emits ``statusChosen`` when the
    analyst picks one (not when :meth:`set_status` shows a stored one)."""

    statusChosen = Signal(str)

    def __init__(self, statuses: tuple[str, ...], parent=None):
        super().__init__(parent)
        for status in statuses:
            self.addItem(status.capitalize(), status)
        self.setToolTip("Review status of this article")
        self.activated.connect(lambda index: self.statusChosen.emit(self.itemData(index)))

    def set_status(self, status: str) -> None:
        index = self.findData(status)
        if index >= 0:
            self.setCurrentIndex(index)

    def status(self) -> str:
        return self.currentData()


class ReviewMarkDelegate(QStyledItemDelegate):
    """Paints another delegate's row, then a coloured strip at its left edge
    for articles in progress (amber) or done (green)."""

    def __init__(self, inner: QStyledItemDelegate, status_of: Callable[[object], str | None],
                 id_role: int, parent=None):
        super().__init__(parent)
        self.inner, self.status_of, self.id_role = inner, status_of, id_role

    def sizeHint(self, option, index):
        return self.inner.sizeHint(option, index)

    def paint(self, painter, option, index) -> None:
        self.inner.paint(painter, option, index)
        color = MARK_COLORS.get(self.status_of(index.data(self.id_role)) or "new")
        if color:
            painter.save()
            painter.fillRect(QRect(option.rect.left(), option.rect.top() + 2, MARK_WIDTH,
                                   option.rect.height() - 4), QColor(color))
            painter.restore()

    def helpEvent(self, event, view, option, index) -> bool:
        return self.inner.helpEvent(event, view, option, index)


def progress_text(counts: dict) -> str:
    """“Review: 12 of 40 done · 3 in progress” from :func:`storage.review.review_progress`."""
    # "Review:" — beside "Analysing 0/8" in the status bar, "0 of 8 done"
    # read as the analysis's progress
    text = f"Review: {counts.get('done', 0):,} of {counts.get('total', 0):,} done"
    if counts.get("in progress"):
        text += f" · {counts['in progress']:,} in progress"
    return text
