"""The Overview: charts and networks of what the article list shows.

One tab per chart — tags over time, tags × sources, tags × analysts, tag
co-occurrence, speakers quoted most, entities mentioned most, and the two
networks. Plain data in (:meth:`OverviewWindow.set_chart` with what
``desktop.gui.overview_controller`` computed), signals out:
:attr:`optionsChanged` (period unit, dated by publication or tagging, fold child
tags, co-occurrence mode),
:attr:`markActivated` (chart name, the mark's key) and :attr:`saveRequested`.
Ctrl+S saves the shown chart (PNG or SVG); Ctrl+Tab changes tab; F5 counts again.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (QCheckBox, QComboBox, QFileDialog, QHBoxLayout, QLabel,
                               QMessageBox, QPushButton, QTabWidget, QVBoxLayout, QWidget)

from widgets.charts import BarChart, HeatMap, StackedColumns
from widgets.network_view import NetworkView
from widgets.row_style import muted

#: (name, tab title, view class) in tab order.
CHARTS = (("time", "Over time", StackedColumns),
          ("sources", "Tags × sources", HeatMap),
          ("analysts", "Tags × analysts", HeatMap),
          ("cooccurrence", "Co-occurrence", HeatMap),
          ("speakers", "Speakers", BarChart),
          ("entities", "Entities", BarChart),
          ("speaker_network", "Speakers ↔ entities", NetworkView),
          ("entity_network", "Entity network", NetworkView))


class OverviewWindow(QWidget):
    """Tabs of charts over the current article list, with their options."""

    optionsChanged = Signal(dict)
    markActivated = Signal(str, object)
    refreshRequested = Signal()

    def __init__(self, parent=None):
        super().__init__(parent, Qt.WindowType.Window)
        self.setWindowTitle("Dossier — Overview")
        self.resize(1100, 720)
        self.unit = QComboBox()
        self.unit.addItem("Months", "month")
        self.unit.addItem("Weeks", "week")
        self.dated_by = QComboBox()
        self.dated_by.addItem("publication", "published")
        self.dated_by.addItem("tagging", "tagged")
        self.dated_by.setToolTip("Over time: count a passage in the period its article was "
                                 "published, or in the period it was tagged")
        self.fold = QCheckBox("Count child tags under their parent")
        self.mode = QComboBox()
        self.mode.addItem("Tags in the same article", "article")
        self.mode.addItem("Passages that overlap", "overlap")
        self.mode.setToolTip("How the co-occurrence of two tags is counted")
        self.status = QLabel()
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        self.save_button = QPushButton("Save image…")
        self.save_button.setToolTip("Save the chart shown as PNG or SVG (Ctrl+S)")
        self.save_button.clicked.connect(self.ask_save)
        refresh = QPushButton("Refresh")
        refresh.setToolTip("Count again (F5)")
        refresh.clicked.connect(self.refreshRequested)
        controls = QHBoxLayout()
        for widget in (QLabel("Periods"), self.unit, QLabel("dated by"), self.dated_by,
                       self.fold, QLabel("Co-occurrence"), self.mode):
            controls.addWidget(widget)
        controls.addStretch(1)
        controls.addWidget(self.status)
        controls.addWidget(refresh)
        controls.addWidget(self.save_button)
        self.tabs = QTabWidget()
        self.views = {}
        for name, title, kind in CHARTS:
            view = kind()
            view.setObjectName(f"overview_{name}")
            self.views[name] = view
            self.tabs.addTab(view, title)
            if isinstance(view, NetworkView):
                view.nodeActivated.connect(lambda key, n=name: self.markActivated.emit(n, key))
            else:
                view.markActivated.connect(lambda key, n=name: self.markActivated.emit(n, key))
        hint = QLabel("Click a bar, cell or node (or ←/→ then Enter) to list the articles "
                      "it counts; hover for the numbers; drag nodes to rearrange.")
        hint.setTextFormat(Qt.TextFormat.PlainText)
        muted(hint)
        layout = QVBoxLayout(self)
        layout.addLayout(controls)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(hint)
        self.unit.currentIndexChanged.connect(lambda _i: self._emit())
        self.dated_by.currentIndexChanged.connect(lambda _i: self._emit())
        self.fold.toggled.connect(lambda _on: self._emit())
        self.mode.currentIndexChanged.connect(lambda _i: self._emit())
        QShortcut(QKeySequence.StandardKey.Save, self, self.ask_save)
        QShortcut(QKeySequence("F5"), self, self.refreshRequested.emit)
        self.tabs.currentChanged.connect(lambda _i: self.tabs.currentWidget().setFocus())

    # -- data in -------------------------------------------------------
    def options(self) -> dict:
        return {"unit": self.unit.currentData(), "fold": self.fold.isChecked(),
                "mode": self.mode.currentData(), "dated_by": self.dated_by.currentData()}

    def set_colors(self, text: str, background: str) -> None:
        for view in self.views.values():
            view.set_colors(text, background)

    def set_status(self, text: str) -> None:
        self.status.setText(text)

    def set_chart(self, name: str, data: dict) -> None:
        """Draw one chart: ``data`` holds the keyword arguments of its view's
        ``set_bars`` / ``set_data`` / ``set_graph``."""
        view = self.views[name]
        if isinstance(view, NetworkView):
            view.set_graph(**data)
        elif isinstance(view, BarChart):
            view.set_bars(**data)
        else:
            view.set_data(**data)

    def when_drawn(self, name: str, callback) -> None:
        """Call ``callback`` once chart ``name`` is drawn (charts are built
        in slices, the window running between them)."""
        self.views[name].when_drawn(callback)

    def show_chart(self, name: str) -> None:
        self.tabs.setCurrentWidget(self.views[name])

    def current_name(self) -> str:
        return CHARTS[self.tabs.currentIndex()][0]

    # -- out -----------------------------------------------------------
    def _emit(self) -> None:
        self.optionsChanged.emit(self.options())

    def ask_save(self) -> None:
        name = self.current_name()
        path, _ = QFileDialog.getSaveFileName(
            self, "Save chart", f"{name}.png", "PNG image (*.png);;SVG drawing (*.svg)")
        if not path:
            return
        if not path.lower().endswith((".png", ".svg")):
            path += ".png"
        try:
            self.views[name].save(path)
        except OSError as error:
            box = QMessageBox(QMessageBox.Icon.Warning, "Save chart",
                              f"The chart could not be saved:\n{error}", parent=self)
            box.setTextFormat(Qt.TextFormat.PlainText)
            box.exec()
