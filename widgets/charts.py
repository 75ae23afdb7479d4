"""Charts drawn with Qt's own graphics scene: horizontal bars, stacked
columns over time, and heat maps — each mark clickable, with its exact
numbers as a tooltip, and saved as PNG or SVG (:func:`save_scene`).

Plain data in (lists and dicts), one signal out: :attr:`ChartView.markActivated`
carries the key of the mark clicked (or chosen with Enter: ←/→ step through
the marks). Colour is never alone: bars carry their label and number, series
in stacked columns have their own fill pattern and a legend, heat-map cells
print their count.

A chart is built in slices of :data:`SLICE` seconds on the GUI thread (the
event loop runs between them) with the view's painting held until the last
one, so that a large chart never stalls the window; :meth:`ChartView.when_drawn`
runs a callback once it is complete.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from functools import lru_cache
from pathlib import Path

from PySide6.QtCore import QEvent, QRectF, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QImage, QPainter, QPen
from PySide6.QtSvg import QSvgGenerator
from PySide6.QtWidgets import (QGraphicsItem, QGraphicsScene, QGraphicsSimpleTextItem,
                               QGraphicsView, QToolTip)

from widgets.palette import contrast_ratio, mix

#: Fill patterns, one per series after the first (solid), so that series
#: differ by more than their colour.
PATTERNS = (Qt.BrushStyle.SolidPattern, Qt.BrushStyle.BDiagPattern,
            Qt.BrushStyle.Dense4Pattern, Qt.BrushStyle.CrossPattern,
            Qt.BrushStyle.FDiagPattern, Qt.BrushStyle.HorPattern,
            Qt.BrushStyle.DiagCrossPattern, Qt.BrushStyle.VerPattern,
            Qt.BrushStyle.Dense6Pattern)


#: How long a chart is built at a time before the event loop runs again (s).
SLICE = 0.006


def pattern_for(index: int) -> Qt.BrushStyle:
    return PATTERNS[index % len(PATTERNS)]


def save_scene(scene: QGraphicsScene, path: str | Path, *, background: str = "#ffffff",
               scale: float = 2.0) -> Path:
    """Write the scene's items as a PNG (``scale`` pixels per unit) or, for a
    ``.svg`` path, as SVG. Returns the path."""
    path = Path(path)
    rect = scene.itemsBoundingRect().adjusted(-10, -10, 10, 10)
    if path.suffix.lower() == ".svg":
        generator = QSvgGenerator()
        generator.setFileName(str(path))
        generator.setSize(QSize(int(rect.width()), int(rect.height())))
        generator.setViewBox(QRectF(0, 0, rect.width(), rect.height()))
        generator.setTitle("Dossier chart")
        painter = QPainter(generator)
        painter.fillRect(QRectF(0, 0, rect.width(), rect.height()), QColor(background))
        scene.render(painter, QRectF(0, 0, rect.width(), rect.height()), rect)
        painter.end()
        return path
    image = QImage(int(rect.width() * scale), int(rect.height() * scale),
                   QImage.Format.Format_ARGB32)
    image.fill(QColor(background))
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
    scene.render(painter, QRectF(0, 0, image.width(), image.height()), rect)
    painter.end()
    if not image.save(str(path)):
        raise OSError(f"Could not write {path}")
    return path


class Mark:
    """A bar, a segment or a cell: where it is, its key for the click, its
    tooltip and fill. Marks are painted together by one :class:`_MarksLayer`
    (thousands of items would stall the GUI thread while being made)."""

    __slots__ = ("rect", "key", "tip", "brush", "pen")

    def __init__(self, rect: QRectF, key, tip: str, color: str,
                 pattern=Qt.BrushStyle.SolidPattern, outline: str = "#00000000"):
        self.rect, self.key, self.tip = rect, key, tip
        self.brush, self.pen = _brush(color, pattern), _pen(outline)

    def toolTip(self) -> str:
        return self.tip

    def sceneBoundingRect(self) -> QRectF:
        return self.rect


@lru_cache(maxsize=512)
def _brush(color: str, pattern) -> QBrush:
    return QBrush(QColor(color), pattern)


@lru_cache(maxsize=128)
def _pen(color: str) -> QPen:
    return QPen(QColor(color), 0.8)


class _MarksLayer(QGraphicsItem):
    """Paints a chart's marks in one item."""

    def __init__(self, marks: list[Mark]):
        super().__init__()
        self.marks = marks
        self._bounds = QRectF()
        self._grouped = None
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemUsesExtendedStyleOption)

    def update_bounds(self) -> None:
        self.prepareGeometryChange()
        if not self.marks:
            self._bounds = QRectF()
            return
        rects = [m.rect.getCoords() for m in self.marks]
        left, top = min(r[0] for r in rects), min(r[1] for r in rects)
        right, bottom = max(r[2] for r in rects), max(r[3] for r in rects)
        self._bounds = QRectF(left - 1, top - 1, right - left + 2, bottom - top + 2)

    def boundingRect(self) -> QRectF:
        return self._bounds

    def paint(self, painter, option, _widget=None) -> None:
        # axis-aligned rectangles: antialiasing only blurs them, and with the
        # fill patterns it made painting a full chart cost 20-70 ms; marks of
        # one fill are drawn by one call
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        exposed = option.exposedRect
        whole = exposed.contains(self._bounds)
        for brush, pen, rects in self._groups():
            painter.setBrush(brush)
            painter.setPen(pen)
            for rect in rects:
                if whole or exposed.intersects(rect):
                    painter.drawRect(rect)

    def _groups(self) -> list:
        if self._grouped is None or self._grouped[0] != len(self.marks):
            groups: dict = {}
            for mark in self.marks:
                key = (id(mark.brush), id(mark.pen))
                if key not in groups:
                    groups[key] = (mark.brush, mark.pen, [])
                groups[key][2].append(mark.rect)
            self._grouped = (len(self.marks), list(groups.values()))
        return self._grouped[1]


class ChartView(QGraphicsView):
    """A chart on a scene of its own; subclasses fill it from plain data."""

    markActivated = Signal(object)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setScene(QGraphicsScene(self))
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.text_color, self.background = "#202020", "#ffffff"
        self.marks: list[Mark] = []
        self._current = -1
        self._focus_frame = None
        self._building: Iterator | None = None
        self._after: list[Callable] = []

    def set_colors(self, text: str, background: str) -> None:
        """The theme's text and background (the next drawing uses them)."""
        self.text_color, self.background = text, background
        self.setBackgroundBrush(QColor(background))

    # -- building in slices ---------------------------------------------
    def _draw(self, steps: Iterator) -> None:
        """Build a chart from ``steps`` (a generator that yields now and
        then) in slices of :data:`SLICE` s, painting held until it is done;
        a newer chart replaces one still being built."""
        self._building = steps
        self.setUpdatesEnabled(False)
        self._continue(steps)

    def _continue(self, steps: Iterator) -> None:
        if steps is not self._building:
            return                       # replaced by a newer chart
        deadline = time.perf_counter() + SLICE
        for _ in steps:
            if time.perf_counter() > deadline:
                QTimer.singleShot(0, self, lambda: self._continue(steps))
                return
        self._done()

    def _done(self) -> None:
        self._building = None
        self.setUpdatesEnabled(True)
        self.viewport().update()
        callbacks, self._after = self._after, []
        for callback in callbacks:
            callback()

    @property
    def drawing(self) -> bool:
        """True while a chart is still being built."""
        return self._building is not None

    def when_drawn(self, callback: Callable) -> None:
        """Call ``callback`` once the chart being built is complete (now if it is)."""
        if self._building is None:
            callback()
        else:
            self._after.append(callback)

    def finish_drawing(self) -> None:
        """Build the rest of the chart now (before saving or grabbing it)."""
        steps = self._building
        if steps is not None:
            for _ in steps:
                pass
            self._done()

    def _clear(self) -> QGraphicsScene:
        scene = self.scene()
        scene.clear()
        self.marks, self._current, self._focus_frame = [], -1, None
        self._layer = _MarksLayer(self.marks)
        scene.addItem(self._layer)
        return scene

    def _begin(self, title: str, empty: bool) -> float | None:
        """Clear the chart and draw its title; the y its marks start at, or
        None (and "nothing to count" drawn) when there is nothing to draw."""
        self._clear()
        y0 = 0.0
        if title:
            self._text(title, 0, 0, bold=True)
            y0 = 28
        if empty:
            self._text("Nothing to count in the listed articles.", 0, y0)
            self._finish()
            return None
        return y0

    def _text(self, text: str, x: float, y: float, *, bold=False, size: float | None = None,
              color: str | None = None) -> QGraphicsSimpleTextItem:
        item = self.scene().addSimpleText(text)
        font = QFont(item.font())
        if bold:
            font.setBold(True)
        if size:
            font.setPointSizeF(size)
        item.setFont(font)
        item.setBrush(QColor(color or self.text_color))
        item.setPos(x, y)
        return item

    def _add_mark(self, mark: Mark) -> Mark:
        self.marks.append(mark)
        return mark

    def _finish(self) -> None:
        if getattr(self, "_layer", None) is not None:
            self._layer.update_bounds()
        self.scene().setSceneRect(self.scene().itemsBoundingRect().adjusted(-8, -8, 8, 8))

    def mark_with_key(self, key) -> Mark | None:
        return next((m for m in self.marks if m.key == key), None)

    def mark_at(self, point) -> Mark | None:
        """The mark under a viewport point."""
        scene_point = self.mapToScene(point)
        for mark in reversed(self.marks):
            if mark.rect.contains(scene_point):
                return mark
        return None

    def viewportEvent(self, event) -> bool:
        if event.type() == QEvent.Type.ToolTip:
            mark = self.mark_at(event.pos())
            if mark is not None:
                QToolTip.showText(event.globalPos(), mark.tip, self)
                return True
        return super().viewportEvent(event)

    def mousePressEvent(self, event) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            mark = self.mark_at(event.position().toPoint())
            if mark is not None:
                self._select(self.marks.index(mark))
                self.markActivated.emit(mark.key)
                event.accept()
                return
        super().mousePressEvent(event)

    def _select(self, index: int) -> None:
        if not self.marks:
            return
        self._current = index % len(self.marks)
        mark = self.marks[self._current]
        if self._focus_frame is None:
            self._focus_frame = self.scene().addRect(QRectF(), QPen(QColor(self.text_color), 2))
            self._focus_frame.setZValue(10)
        self._focus_frame.setRect(mark.rect.adjusted(-2, -2, 2, 2))
        self.ensureVisible(mark.rect)
        self.setToolTip(mark.toolTip())

    def keyPressEvent(self, event) -> None:
        key = event.key()
        if key in (Qt.Key.Key_Right, Qt.Key.Key_Down, Qt.Key.Key_Left, Qt.Key.Key_Up):
            step = 1 if key in (Qt.Key.Key_Right, Qt.Key.Key_Down) else -1
            self._select(self._current + step if self._current >= 0 else 0)
            return
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and 0 <= self._current < len(self.marks):
            self.markActivated.emit(self.marks[self._current].key)
            return
        super().keyPressEvent(event)

    def save(self, path: str | Path) -> Path:
        self.finish_drawing()
        return save_scene(self.scene(), path, background=self.background)


def readable_on(color: str, background: str) -> str:
    """``color`` darkened or lightened until it reads on ``background`` (3:1)."""
    other = "#ffffff" if contrast_ratio("#ffffff", background) > 4 else "#000000"
    result = color
    for step in range(1, 8):
        if contrast_ratio(result, background) >= 3:
            break
        result = mix(color, other, 1 - step / 10)
    return result


class BarChart(ChartView):
    """Horizontal bars: ``set_bars([{"label", "value", "color", "key", "tip"}],
    title=…)``, largest first as given."""

    ROW = 22

    def set_bars(self, bars: list[dict], *, title: str = "", unit: str = "") -> None:
        self._draw(self._bars(bars, title, unit))

    def _bars(self, bars: list[dict], title: str, unit: str) -> Iterator:
        y = self._begin(title, not bars)
        if y is None:
            return
        label_width = max(self._text_width(b["label"]) for b in bars) + 10
        top = max(b["value"] for b in bars) or 1
        width = 420.0
        for bar in bars:
            self._text(bar["label"], 0, y + 3)
            length = max(2.0, width * bar["value"] / top)
            color = readable_on(bar.get("color") or "#6b8fd6", self.background)
            tip = bar.get("tip") or f"{bar['label']}: {bar['value']:,} {unit}".strip()
            self._add_mark(Mark(QRectF(label_width, y + 2, length, self.ROW - 5),
                                bar["key"], tip, color, outline=self.text_color))
            self._text(f"{bar['value']:,}", label_width + length + 6, y + 3)
            y += self.ROW
            yield
        self._finish()

    def _text_width(self, text: str) -> float:
        item = QGraphicsSimpleTextItem(text)
        return item.boundingRect().width()


class StackedColumns(ChartView):
    """Columns over periods, one stacked segment per series:
    ``set_data(periods, series=[{"key", "name", "color"}], values={(period,
    series key): n})``. A segment's key is ``(period, series key)``."""

    def set_data(self, periods: list[str], series: list[dict], values: dict, *,
                 title: str = "", unit: str = "passages") -> None:
        self._draw(self._columns(periods, series, values, title, unit))

    def _columns(self, periods: list[str], series: list[dict], values: dict, title: str,
                 unit: str) -> Iterator:
        y0 = self._begin(title, not periods or not values)
        if y0 is None:
            return
        totals = {p: sum(values.get((p, s["key"]), 0) for s in series) for p in periods}
        top = max(totals.values()) or 1
        height = 260.0
        column = max(4.0, min(28.0, 900.0 / len(periods)))
        base = y0 + height + 10
        axis = self.scene().addLine(40, base, 40 + column * len(periods), base,
                                    QPen(QColor(self.text_color)))
        axis.setZValue(1)
        for tick in (0, top // 2, top):
            ty = base - height * tick / top
            self._text(f"{tick:,}", 0, ty - 8, size=7)
        every = max(1, round(len(periods) / 12))
        colors = [readable_on(s["color"], self.background) for s in series]
        for index, period in enumerate(periods):
            x = 40 + index * column
            y = base
            for number, s in enumerate(series):
                n = values.get((period, s["key"]), 0)
                if not n:
                    continue
                h = height * n / top
                color = colors[number]
                tip = (f"{s['name']}, {period}: {n:,} {unit}"
                       f" (of {totals[period]:,} that period)")
                self._add_mark(Mark(QRectF(x + 1, y - h, column - 2, h), (period, s["key"]),
                                    tip, color, pattern_for(number), outline=color))
                y -= h
            if index % every == 0:
                label = self._text(period, x, base + 4, size=7)
                label.setRotation(45)
            yield
        legend_x = 60 + column * len(periods)
        for number, s in enumerate(series):
            ly = y0 + number * 20
            swatch = self.scene().addRect(QRectF(legend_x, ly + 2, 14, 14),
                                          QPen(QColor(self.text_color), 0.6),
                                          QBrush(QColor(readable_on(s["color"], self.background)),
                                                 pattern_for(number)))
            swatch.setToolTip(s["name"])
            self._text(s["name"], legend_x + 20, ly + 1)
        self._finish()


class HeatMap(ChartView):
    """Rows × columns of counts: ``set_data(rows=[{"key", "label", "color"}],
    columns=[{"key", "label"}], values={(row key, column key): n})``. A cell
    is shaded in its row's colour by its share of the largest count and
    prints the count; its key is ``(row key, column key)``."""

    CELL_W, CELL_H = 64.0, 24.0

    def set_data(self, rows: list[dict], columns: list[dict], values: dict, *,
                 title: str = "", unit: str = "passages") -> None:
        self._draw(self._cells(rows, columns, values, title, unit))

    def _cells(self, rows: list[dict], columns: list[dict], values: dict, title: str,
               unit: str) -> Iterator:
        y0 = self._begin(title, not rows or not columns or not values)
        if y0 is None:
            return
        top = max(values.values()) or 1
        label_width = max(QGraphicsSimpleTextItem(r["label"]).boundingRect().width()
                          for r in rows) + 12
        header = y0 + 90
        for j, column in enumerate(columns):
            label = self._text(column["label"][:28], label_width + j * self.CELL_W + 8,
                               header - 6, size=8)
            label.setRotation(-45)
        for i, row in enumerate(rows):
            y = header + i * self.CELL_H
            self._text(row["label"], 0, y + 4)
            for j, column in enumerate(columns):
                n = values.get((row["key"], column["key"]), 0)
                x = label_width + j * self.CELL_W
                share = n / top
                fill = mix(row.get("color") or "#6b8fd6", self.background,
                           0.15 + 0.85 * share) if n else self.background
                tip = f"{row['label']} × {column['label']}: {n:,} {unit}"
                self._add_mark(Mark(QRectF(x, y, self.CELL_W - 2, self.CELL_H - 2),
                                    (row["key"], column["key"]), tip, fill,
                                    outline=mix(self.text_color, self.background, 0.3)))
                if n:
                    ink = "#000000" if contrast_ratio("#000000", fill) >= \
                        contrast_ratio("#ffffff", fill) else "#ffffff"
                    self._text(f"{n:,}", x + 6, y + 4, color=ink, size=8)
                yield
        self._finish()
