"""Compare view: each analyst's passages in a lane of their own, painted
beside the reader (issue 18). The lane order is in the widget's tooltip.

Plain data in: :meth:`AnalystLanes.set_lanes` takes ``[(analyst, [(start,
end, colour, tag name), …]), …]``; where a passage is on screen comes from
``vertical_span(start, end) -> (top, bottom)`` (the reader's
:meth:`~widgets.article_view.ArticleView.vertical_span`), asked at paint
time, so the lanes follow scrolling and zoom. Hovering a lane names the
analyst and the tags under the pointer.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QRect, QSize
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import QToolTip, QWidget

from widgets.plain_text import plain_tooltip

LANE_WIDTH, GAP = 12, 3


class AnalystLanes(QWidget):
    """Narrow columns, one per analyst, each a bar per passage."""

    def __init__(self, vertical_span: Callable[[int, int], tuple[int, int]], parent=None):
        super().__init__(parent)
        self.vertical_span = vertical_span
        self.lanes: list[tuple[str, list[tuple[int, int, str, str]]]] = []
        self.setMouseTracking(True)

    def set_lanes(self, lanes) -> None:
        self.lanes = [(name, list(spans)) for name, spans in lanes]
        self.setFixedWidth(self.sizeHint().width())
        self.setToolTip(plain_tooltip("Lanes, left to right: "
                                      + ", ".join(name for name, _ in self.lanes)))
        self.update()

    def sizeHint(self) -> QSize:
        return QSize(GAP + max(1, len(self.lanes)) * (LANE_WIDTH + GAP), 100)

    def bars(self) -> list[tuple[str, QRect, QColor, str]]:
        """``(analyst, rect, colour, tag)`` of every bar, in this widget's
        coordinates (``vertical_span`` gives them in this widget's y)."""
        found = []
        for lane, (name, spans) in enumerate(self.lanes):
            x = GAP + lane * (LANE_WIDTH + GAP)
            for start, end, color, tag in spans:
                top, bottom = self.vertical_span(start, end)
                found.append((name, QRect(x, top, LANE_WIDTH,
                                          max(2, bottom - top)), QColor(color), tag))
        return found

    def paintEvent(self, event) -> None:
        painter = QPainter(self)
        for _name, rect, color, _tag in self.bars():
            if rect.intersects(event.rect()):
                painter.fillRect(rect, color)
        painter.end()

    def lane_at(self, x: int) -> int | None:
        lane = (x - GAP) // (LANE_WIDTH + GAP)
        return lane if 0 <= lane < len(self.lanes) else None

    def mouseMoveEvent(self, event) -> None:
        point = event.position().toPoint()
        lane = self.lane_at(point.x())
        if lane is None:
            QToolTip.hideText()
            return
        name = self.lanes[lane][0]
        tags = sorted({tag for n, rect, _c, tag in self.bars()
                       if n == name and rect.top() <= point.y() <= rect.bottom()})
        QToolTip.showText(event.globalPosition().toPoint(),
                          plain_tooltip(name + (": " + ", ".join(tags) if tags else "")), self)
