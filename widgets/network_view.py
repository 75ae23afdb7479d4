"""A network drawn in a graphics scene: nodes at given positions (laid out
elsewhere, e.g. by networkx in a worker), edges as lines whose width is
their weight. Drag a node to move it (its edges follow); click it (without
dragging) to emit :attr:`NetworkView.nodeActivated` with its key.

Plain data in: ``set_graph(nodes, edges, positions)`` where a node is
``{"key", "label", "kind", "color", "size"}`` (kind "speaker" is drawn as a
square, anything else as a circle — shape and label, not colour alone;
two nodes of one name are labelled with their kinds, :func:`shown_names`),
an edge ``{"a", "b", "weight"}`` and positions ``{key: (x, y)}`` in [-1, 1].
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

from PySide6.QtCore import QLineF, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetricsF, QPen
from PySide6.QtWidgets import (QGraphicsEllipseItem, QGraphicsItem, QGraphicsLineItem,
                               QGraphicsRectItem)

from widgets.charts import ChartView, readable_on
from widgets.palette import mix

#: Half the height of the drawing (positions in [-1, 1] are scaled by it).
SPREAD = 380.0
#: The widest the drawing gets, as a multiple of its height (a wide panel
#: is used across, not only its left square)
MAX_ASPECT = 2.4
#: The nodes' labels' size (points).
LABEL_POINTS = 8


def fitted(positions: dict, half_width: float, half_height: float) -> dict:
    """``positions`` stretched to fill ``[-half_width, half_width] ×
    [-half_height, half_height]``: a layout that uses part of its square (a
    few components packed at the top, say) is spread over the whole panel."""
    if not positions:
        return {}
    xs = [x for x, _ in positions.values()]
    ys = [y for _, y in positions.values()]
    cx, cy = (min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2
    sx = (max(xs) - min(xs)) / 2 or 1.0
    sy = (max(ys) - min(ys)) / 2 or 1.0
    return {key: ((x - cx) / sx * half_width, (y - cy) / sy * half_height)
            for key, (x, y) in positions.items()}


def spread_apart(boxes: dict, *, gap: float = 3.0, rounds: int = 40) -> dict:
    """Vertical shifts that take overlapping boxes apart: ``boxes`` are
    ``{key: (left, top, right, bottom)}`` (a node and its label, which
    stands right of it); returns ``{key: dy}``. Boxes that overlap are
    pushed up and down by half the overlap each, round after round, until
    none overlaps or ``rounds`` are done: a layout's positions stay, but a
    label no longer lies under another node or label."""
    shift = {key: 0.0 for key in boxes}
    for _ in range(rounds):
        moved = False
        order = sorted(boxes, key=lambda k: boxes[k][1] + shift[k])
        for i, upper in enumerate(order):
            left, top, right, bottom = boxes[upper]
            top, bottom = top + shift[upper], bottom + shift[upper]
            for lower in order[i + 1:]:
                l2, t2, r2, b2 = boxes[lower]
                t2, b2 = t2 + shift[lower], b2 + shift[lower]
                if t2 >= bottom + gap:
                    break           # sorted by top: no later box reaches up here
                if r2 <= left or l2 >= right:
                    continue
                half = (bottom + gap - t2) / 2
                shift[upper] -= half
                shift[lower] += half
                top, bottom = top - half, bottom - half
                moved = True
        if not moved:
            break
    return shift


def shown_names(nodes: list[dict]) -> dict:
    """The text drawn beside each node: its label, followed by its kind
    ("Cambodia (GPE)", "Cambodia (ORG)") where another node drawn has the
    same name (any case) — an entity found under two labels is two nodes,
    told apart otherwise only by colour and hover. A name drawn once stays
    bare."""
    drawn = Counter(node["label"].casefold() for node in nodes)
    shown = {}
    for node in nodes:
        name, kind = node["label"], node.get("kind")
        shown[node["key"]] = f"{name} ({kind})" if kind and drawn[name.casefold()] > 1 else name
    return shown


class _NodeShape:
    """What a node item adds to its Qt shape: its key, edges and label."""

    def _setup(self, key, tip: str) -> None:
        self.key = key
        self.edges: list[tuple[QGraphicsLineItem, str]] = []
        self.setToolTip(tip)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsMovable)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemSendsGeometryChanges)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setZValue(2)

    def itemChange(self, change, value):
        if change == QGraphicsItem.GraphicsItemChange.ItemPositionHasChanged:
            centre = self.sceneBoundingRect().center()
            for line, end in self.edges:
                current = line.line()
                if end == "a":
                    line.setLine(QLineF(centre, current.p2()))
                else:
                    line.setLine(QLineF(current.p1(), centre))
        return super().itemChange(change, value)


class SquareNode(_NodeShape, QGraphicsRectItem):
    def __init__(self, rect, key, tip):
        super().__init__(rect)
        self._setup(key, tip)


class RoundNode(_NodeShape, QGraphicsEllipseItem):
    def __init__(self, rect, key, tip):
        super().__init__(rect)
        self._setup(key, tip)


class NetworkView(ChartView):
    """Nodes and weighted edges; click a node to filter, drag to rearrange."""

    nodeActivated = Signal(object)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.nodes: dict = {}
        #: node key → its label (the name a click filters by)
        self.labels: dict = {}
        self._pressed = None
        self.setDragMode(ChartView.DragMode.NoDrag)

    def set_graph(self, nodes: list[dict], edges: list[dict], positions: dict, *,
                  title: str = "", note: str = "") -> None:
        self._draw(self._graph(nodes, edges, positions, title, note))

    def _graph(self, nodes: list[dict], edges: list[dict], positions: dict, title: str,
               note: str) -> Iterator:
        scene = self._clear()
        self.nodes = {}
        self.labels = {n["key"]: n["label"] for n in nodes}
        view = self.viewport().size()
        aspect = view.width() / view.height() if view.height() > 0 else 1.0
        wide = SPREAD * min(max(aspect, 1.0), MAX_ASPECT)
        if title:
            self._text(title, -wide, -SPREAD - 60, bold=True)
        if note:
            self._text(note, -wide, -SPREAD - 38, size=8)
        if not nodes:
            self._text("Nothing to draw for the listed articles.", -wide, -SPREAD)
            self._finish()
            return
        top = max((e["weight"] for e in edges), default=1) or 1
        edge_color = mix(self.text_color, self.background, 0.45)
        # labels stand right of their node: room for them on the right
        placed = fitted({n["key"]: positions.get(n["key"], (0.0, 0.0)) for n in nodes},
                        wide * 0.9, SPREAD)
        centres = {key: QPointF(x - wide * 0.1, y) for key, (x, y) in placed.items()}
        # each node with its label (right of it): moved apart where they overlap
        metrics = QFontMetricsF(self._label_font())
        shown = shown_names(nodes)
        boxes = {}
        for node in nodes:
            radius, centre = 5 + 10 * node.get("size", 0.3), centres[node["key"]]
            half = max(radius, metrics.height() / 2)
            boxes[node["key"]] = (centre.x() - radius, centre.y() - half,
                                  centre.x() + radius + 2 + metrics.horizontalAdvance(
                                      shown[node["key"]]), centre.y() + half)
        for key, dy in spread_apart(boxes).items():
            centres[key] = QPointF(centres[key].x(), centres[key].y() + dy)
        lines = []
        for edge in edges:
            if edge["a"] not in centres or edge["b"] not in centres:
                continue
            line = scene.addLine(QLineF(centres[edge["a"]], centres[edge["b"]]),
                                 QPen(QColor(edge_color), 0.6 + 5 * edge["weight"] / top))
            # its ends named as drawn: "Cambodia (GPE)" where two nodes share a name
            line.setToolTip(f"{shown[edge['a']]} — {shown[edge['b']]}: {edge['weight']:,} "
                            f"{edge.get('unit', '')}".strip())
            line.setZValue(0)
            lines.append((line, edge))
            yield
        for node in nodes:
            radius = 5 + 10 * node.get("size", 0.3)
            centre = centres[node["key"]]
            rect = QRectF(-radius, -radius, 2 * radius, 2 * radius)
            kind = SquareNode if node.get("kind") == "speaker" else RoundNode
            item = kind(rect, node["key"], node.get("tip", node["label"]))
            item.setPos(centre)
            item.setBrush(QBrush(QColor(readable_on(node.get("color") or "#6b8fd6",
                                                    self.background))))
            item.setPen(QPen(QColor(self.text_color), 1))
            scene.addItem(item)
            label = self._text(shown[node["key"]], radius + 2, -8, size=LABEL_POINTS)
            label.setParentItem(item)
            self.nodes[node["key"]] = item
            yield
        for line, edge in lines:
            self.nodes[edge["a"]].edges.append((line, "a"))
            self.nodes[edge["b"]].edges.append((line, "b"))
        self._finish()
        self.fit()

    def _label_font(self) -> QFont:
        font = QFont(self.scene().font())       # as the labels' text items have it
        font.setPointSizeF(LABEL_POINTS)
        return font

    def fit(self) -> None:
        """Show the whole graph (never enlarged beyond its natural size)."""
        self.resetTransform()
        rect = self.scene().sceneRect()
        view = self.viewport().rect()
        if rect.width() > view.width() or rect.height() > view.height():
            self.fitInView(rect, Qt.AspectRatioMode.KeepAspectRatio)

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self.nodes:
            self.fit()

    def keyPressEvent(self, event) -> None:
        """←/→ step through the nodes (largest first), Enter filters by one."""
        key = event.key()
        order = list(self.nodes)
        if order and key in (Qt.Key.Key_Right, Qt.Key.Key_Down, Qt.Key.Key_Left, Qt.Key.Key_Up):
            step = 1 if key in (Qt.Key.Key_Right, Qt.Key.Key_Down) else -1
            self._current = (self._current + step) % len(order) if self._current >= 0 else 0
            node = self.nodes[order[self._current]]
            self.scene().clearSelection()
            if self._focus_frame is None:
                self._focus_frame = self.scene().addRect(QRectF(), QPen(QColor(self.text_color), 2))
                self._focus_frame.setZValue(10)
            self._focus_frame.setRect(node.sceneBoundingRect().adjusted(-3, -3, 3, 3))
            self.ensureVisible(node)
            self.setToolTip(node.toolTip())
            return
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and 0 <= self._current < len(order):
            self.nodeActivated.emit(order[self._current])
            return
        super().keyPressEvent(event)

    def current_key(self):
        order = list(self.nodes)
        return order[self._current] if 0 <= self._current < len(order) else None

    def node_position(self, key) -> QPointF:
        return self.nodes[key].sceneBoundingRect().center()

    def _node_at(self, event):
        items = self.items(event.position().toPoint())
        # a node's own shape first, before another node's label lying over it
        for item in items:
            if isinstance(item, _NodeShape):
                return item
        for item in items:
            while item is not None and not isinstance(item, _NodeShape):
                item = item.parentItem()
            if item is not None:
                return item
        return None

    def mousePressEvent(self, event) -> None:
        node = self._node_at(event)
        self._pressed = (node, event.position()) if node is not None else None
        super(ChartView, self).mousePressEvent(event)   # QGraphicsView's: drag

    def mouseReleaseEvent(self, event) -> None:
        super(ChartView, self).mouseReleaseEvent(event)
        if self._pressed and event.button() == Qt.MouseButton.LeftButton:
            node, where = self._pressed
            if (event.position() - where).manhattanLength() < 4:
                self.nodeActivated.emit(node.key)
        self._pressed = None
