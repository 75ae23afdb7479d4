"""The keyboard shortcuts sheet (F1): every shortcut the window has, from
rows of plain data ``(group, what, keys)`` gathered by the caller."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QHeaderView, QTreeWidget,
                               QTreeWidgetItem, QVBoxLayout)

from widgets.plain_text import plain_tooltip
from widgets.row_style import roomy


class ShortcutsSheet(QDialog):
    """A read-only table of shortcuts grouped by menu."""

    def __init__(self, rows: list[tuple[str, str, str]], parent=None):
        super().__init__(parent)
        self.setWindowTitle("Keyboard shortcuts")
        self.resize(760, 680)
        layout = QVBoxLayout(self)
        self.tree = roomy(QTreeWidget())
        self.tree.setHeaderLabels(["Action", "Keys"])
        self.tree.setUniformRowHeights(True)
        header = self.tree.header()
        header.setStretchLastSection(False)     # the descriptions get the room
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        groups: dict[str, QTreeWidgetItem] = {}
        for group, what, keys in rows:
            if group not in groups:
                groups[group] = QTreeWidgetItem([group, ""])
                self.tree.addTopLevelItem(groups[group])
                groups[group].setExpanded(True)
            item = QTreeWidgetItem([what, keys])
            item.setToolTip(0, plain_tooltip(what))            # in full, should the sheet be narrow
            groups[group].addChild(item)
        layout.addWidget(self.tree)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

    def rows(self) -> list[tuple[str, str, str]]:
        """What the sheet shows, as ``(group, what, keys)``."""
        return [(group.text(0), group.child(i).text(0), group.child(i).text(1))
                for group in (self.tree.topLevelItem(g)
                              for g in range(self.tree.topLevelItemCount()))
                for i in range(group.childCount())]
