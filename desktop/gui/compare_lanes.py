"""View → Passages → Compare analysts in lanes: beside the reader, each
analyst's passages of the current article in a lane of their own
(:class:`widgets.analyst_lanes.AnalystLanes`), so where two analysts coded
differently shows at a glance (issue 18).

The lanes show the analysts whose passages the window shows (View →
Passages: in blind coding, only one's own lane). The choice is kept in the
preferences (``passages/lanes``). Built by
:class:`desktop.gui.passage_visibility.PassageVisibility`.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QHBoxLayout, QWidget

from widgets.analyst_lanes import AnalystLanes

_KEY = "passages/lanes"


def lanes_of(rows: list[dict]) -> list[tuple[str, list[tuple[int, int, str, str]]]]:
    """An article's passages as lanes: one per analyst (by name, the
    consensus last), each ``(start, end, colour, tag)``; orphaned passages
    are left out (they have no place in the text)."""
    lanes: dict[str, list] = {}
    for row in rows:
        if row.get("anchor") == "orphaned":
            continue
        lanes.setdefault(row["analyst"], []).append(
            (row["start"], row["end"], row["color"], row["tag"]))
    order = sorted(lanes, key=lambda name: (name == "consensus", name.casefold()))
    return [(name, lanes[name]) for name in order]


class CompareLanes(QObject):
    """The lanes beside a main window's reader, and the menu action."""

    def __init__(self, window, menu):
        super().__init__(window)
        self.window = window
        self.settings = window.preferences.settings
        self.lanes: AnalystLanes | None = None
        self.action = menu.addAction("Compare analysts in &lanes")
        self.action.setCheckable(True)
        self.action.setShortcut(QKeySequence("Ctrl+Shift+L"))
        self.action.toggled.connect(self.set_shown)
        if str(self.settings.value(_KEY, "false")).lower() == "true":
            self.action.setChecked(True)

    def _build(self) -> AnalystLanes:
        """Put the reader and the lanes side by side (once)."""
        view = self.window.view
        column = view.parentWidget().layout()
        index = column.indexOf(view)
        box = QWidget()
        row = QHBoxLayout(box)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(2)
        self.lanes = AnalystLanes(
            lambda start, end: tuple(v + view.viewport().y()
                                     for v in view.vertical_span(start, end)))
        column.insertWidget(index, box, 1)
        row.addWidget(self.lanes)
        row.addWidget(view, 1)
        box.show()                  # added to a layout already shown
        view.passagesShown.connect(self.refresh)
        view.verticalScrollBar().valueChanged.connect(lambda _v: self.lanes.update())
        view.document().documentLayout().documentSizeChanged.connect(
            lambda _s: self.lanes.update())
        view.viewport().installEventFilter(self)
        return self.lanes

    def eventFilter(self, watched, event) -> bool:
        if event.type() == QEvent.Type.Resize and self.lanes is not None:
            self.lanes.update()
        return False

    def set_shown(self, shown: bool) -> None:
        self.settings.setValue(_KEY, bool(shown))
        if shown and self.lanes is None:
            self._build()
        if self.lanes is not None:
            self.lanes.setVisible(shown)
        self.refresh()

    def refresh(self) -> None:
        """Re-read the current article's passages into the lanes."""
        if self.lanes is None or not self.action.isChecked():
            return
        from storage import passages

        window = self.window
        rows = [] if window.current_id is None else passages.passages_for_article(
            window.db, window.current_id, analysts=window.query.analysts)
        self.lanes.set_lanes(lanes_of(rows))
