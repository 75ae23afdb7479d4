"""The current article's quotes: text, kind and speaker; click to select."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHeaderView, QTreeWidget, QTreeWidgetItem
from widgets.plain_text import plain_tooltip

SPAN_ROLE = Qt.ItemDataRole.UserRole


class QuotePanel(QTreeWidget):
    """Quotes in text order; emits ``spanActivated(start, end)``."""

    spanActivated = Signal(int, int)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setRootIsDecorated(False)
        self.setHeaderLabels(["Quote", "Kind", "Speaker"])
        self.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.itemClicked.connect(self._activate)
        self.itemActivated.connect(self._activate)

    def set_quotes(self, quotes: list[dict]) -> None:
        self.clear()
        for quote in quotes:
            text = " ".join(quote["text"].split())
            item = QTreeWidgetItem([f"“{text}”", quote.get("kind") or "",
                                    quote.get("speaker") or "—"])
            item.setData(0, SPAN_ROLE, (quote["start"], quote["end"]))
            item.setToolTip(0, plain_tooltip(text[:600]))
            self.addTopLevelItem(item)

    def _activate(self, item, _column=0) -> None:
        self.spanActivated.emit(*item.data(0, SPAN_ROLE))
