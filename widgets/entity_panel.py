"""The current article's entities, grouped by label, with mention counts.

An entity's ``name`` (the canonical name the analyst merged it under, if
given) groups its aliases in one row; activating a row selects its next
mention in the text.
"""

from __future__ import annotations

from collections import defaultdict

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHeaderView, QTreeWidget, QTreeWidgetItem

from widgets.palette import entity_color
from widgets.passage_menu import color_icon
from widgets.row_style import roomy

SPANS_ROLE = Qt.ItemDataRole.UserRole


class EntityPanel(QTreeWidget):
    """Entities by label; emits ``spanActivated(start, end)``."""

    spanActivated = Signal(int, int)

    def __init__(self, parent=None):
        super().__init__(parent)
        roomy(self)
        self.setHeaderLabels(["Entity", "Mentions"])
        self.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.header().setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self._next: dict[str, int] = {}
        self.itemClicked.connect(self._activate)
        self.itemActivated.connect(self._activate)

    def set_entities(self, entities: list[dict]) -> None:
        self.clear()
        self._next.clear()
        by_label: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
        for entity in entities:
            name = entity.get("name") or entity["text"]
            by_label[entity["label"]][name].append((entity["start"], entity["end"]))
        for label in sorted(by_label, key=lambda k: (-sum(map(len, by_label[k].values())), k)):
            mentions = by_label[label]
            group = QTreeWidgetItem([label, str(sum(map(len, mentions.values())))])
            group.setIcon(0, color_icon(entity_color(label)))
            group.setFirstColumnSpanned(False)
            self.addTopLevelItem(group)
            for text, spans in sorted(mentions.items(), key=lambda kv: (-len(kv[1]), kv[0])):
                spans.sort()
                child = QTreeWidgetItem([text, str(len(spans))])
                child.setData(0, SPANS_ROLE, spans)
                group.addChild(child)
            group.setExpanded(label in ("PERSON", "ORG", "GPE"))

    def _activate(self, item, _column=0) -> None:
        spans = item.data(0, SPANS_ROLE)
        if not spans:
            return
        key = f"{item.parent().text(0)}:{item.text(0)}"
        index = self._next.get(key, 0) % len(spans)
        self._next[key] = index + 1
        self.spanActivated.emit(*spans[index])
