"""The agreement report's table and bar chart (plain data in).

:class:`AgreementView` shows one row per tag and an overall row, one column
per measure, and under it a horizontal bar per tag for the measure chosen
(clicking a column's heading or a cell chooses it). Values arrive as plain
dicts; ``None`` (undefined) shows as "—" with no bar. Bars are drawn with
QPainter on a scale from -1 to 1, with marks at Krippendorff's thresholds
(.667, the lowest acceptable for tentative conclusions, and .800).
"""

from __future__ import annotations

from PySide6.QtCore import QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QPainter, QPalette, QPen
from PySide6.QtWidgets import (QAbstractItemView, QFrame, QHeaderView, QScrollArea,
                               QSizePolicy, QSplitter, QTableWidget, QTableWidgetItem,
                               QVBoxLayout, QWidget)

#: Krippendorff's (2019) thresholds: .800 to rely on, .667 for tentative conclusions.
THRESHOLDS = (0.667, 0.800)


def format_value(value) -> str:
    """Three decimals, or "—" for undefined (never "−0.000")."""
    if value is None:
        return "—"
    return f"{value:.3f}" if round(value, 3) != 0 else "0.000"


class AgreementChart(QWidget):
    """Horizontal bars, one per tag, for one measure (-1 … 1)."""

    BAR = 18
    GAP = 6

    def __init__(self, parent=None):
        super().__init__(parent)
        self.rows: list[tuple[str, float | None]] = []
        self.title = ""
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Minimum)

    def set_bars(self, title: str, rows: list[tuple[str, float | None]]) -> None:
        """``rows`` of ``(label, value or None)``."""
        self.title, self.rows = title, list(rows)
        self.updateGeometry()
        self.update()

    def sizeHint(self) -> QSize:
        return QSize(480, 28 + len(self.rows) * (self.BAR + self.GAP))

    def minimumSizeHint(self) -> QSize:
        return self.sizeHint()

    def paintEvent(self, _event) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        palette = self.palette()
        text = palette.color(QPalette.ColorRole.WindowText)
        metrics = painter.fontMetrics()
        label_width = min(max((metrics.horizontalAdvance(label) for label, _ in self.rows),
                              default=0) + 12, self.width() // 3)
        value_width = metrics.horizontalAdvance("-0.000") + 10
        left, right = label_width, self.width() - value_width
        if right - left < 40:
            return
        zero = left + (right - left) / 2

        def x_of(value: float) -> float:
            return zero + max(-1.0, min(1.0, value)) * (right - left) / 2

        painter.setPen(text)
        painter.drawText(QRectF(0, 0, self.width(), 20), Qt.AlignmentFlag.AlignLeft
                         | Qt.AlignmentFlag.AlignVCenter, self.title)
        top = 24
        bottom = top + len(self.rows) * (self.BAR + self.GAP)
        grid = QColor(text)
        grid.setAlpha(70)
        for mark in (-1.0, 0.0, *THRESHOLDS, 1.0):
            painter.setPen(QPen(grid, 1, Qt.PenStyle.DashLine if mark in THRESHOLDS
                                else Qt.PenStyle.SolidLine))
            painter.drawLine(int(x_of(mark)), top - 2, int(x_of(mark)), bottom)
        highlight = palette.color(QPalette.ColorRole.Highlight)
        for n, (label, value) in enumerate(self.rows):
            y = top + n * (self.BAR + self.GAP)
            painter.setPen(text)
            painter.drawText(QRectF(0, y, label_width - 6, self.BAR),
                             Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                             metrics.elidedText(label, Qt.TextElideMode.ElideRight,
                                                label_width - 6))
            if value is not None:
                color = QColor(highlight)
                if value < THRESHOLDS[0]:
                    color.setAlpha(120)           # below what one may rely on
                painter.setPen(Qt.PenStyle.NoPen)
                painter.setBrush(color)
                x = x_of(value)
                painter.drawRect(QRectF(min(zero, x), y + 2, abs(x - zero), self.BAR - 4))
            painter.setPen(text)
            painter.drawText(QRectF(right + 6, y, value_width, self.BAR),
                             Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                             format_value(value))
        painter.end()


class AgreementView(QWidget):
    """The table of measures per tag and the chart of the chosen measure."""

    measureChosen = Signal(str)

    def __init__(self, measures: list[str], headings: dict[str, str],
                 explanations: dict[str, str], parent=None):
        super().__init__(parent)
        self.measures, self.headings = list(measures), dict(headings)
        self.rows: list[dict] = []
        self.overall: dict = {}
        self.measure = self.measures[0]
        #: the last column: each row's ``reading`` in words, when it has one
        self.table = QTableWidget(0, len(self.measures) + 2)
        self.table.setHorizontalHeaderLabels(["Tag", *(self.headings.get(m, m)
                                                       for m in self.measures), "Reading"])
        for column, key in enumerate(self.measures, 1):
            self.table.horizontalHeaderItem(column).setToolTip(explanations.get(key, key))
        self.table.horizontalHeaderItem(len(self.measures) + 1).setToolTip(
            explanations.get("reading", ""))
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(
            0, QHeaderView.ResizeMode.Stretch)
        self.table.horizontalHeader().sectionClicked.connect(self._column_chosen)
        self.table.currentCellChanged.connect(lambda _r, column, *_: self._column_chosen(column))
        self.chart = AgreementChart()
        scroll = QScrollArea()
        scroll.setWidget(self.chart)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.table)
        splitter.addWidget(scroll)
        splitter.setChildrenCollapsible(False)
        splitter.setSizes([300, 260])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(splitter)

    def set_report(self, rows: list[dict], overall: dict) -> None:
        """``rows``: one dict per tag with ``tag`` and each measure;
        ``overall``: the same for all tags together."""
        self.rows, self.overall = list(rows), dict(overall)
        self.table.setRowCount(0)
        for row in [*self.rows, self.overall] if self.overall else self.rows:
            r = self.table.rowCount()
            self.table.insertRow(r)
            name = QTableWidgetItem(row.get("tag", ""))
            if row is self.overall:
                font = name.font()
                font.setBold(True)
                name.setFont(font)
            self.table.setItem(r, 0, name)
            for column, key in enumerate(self.measures, 1):
                item = QTableWidgetItem(format_value(row.get(key)))
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(r, column, item)
            self.table.setItem(r, len(self.measures) + 1,
                               QTableWidgetItem(row.get("reading") or ""))
        self.table.resizeColumnsToContents()
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self._update_chart()

    def choose_measure(self, key: str) -> None:
        """Chart ``key`` (one of the measures)."""
        if key in self.measures and key != self.measure:
            self.measure = key
            self._update_chart()
            self.measureChosen.emit(key)

    def _column_chosen(self, column: int) -> None:
        if 1 <= column <= len(self.measures):
            self.choose_measure(self.measures[column - 1])

    def _update_chart(self) -> None:
        bars = [(row["tag"], row.get(self.measure)) for row in self.rows]
        if self.overall:
            bars.append((self.overall.get("tag", "overall"), self.overall.get(self.measure)))
        self.chart.set_bars(self.headings.get(self.measure, self.measure), bars)
