"""Who is coding: the analyst's name in the status bar (plain data in).

Every passage records the analyst who made it, so the name in use should
be in sight — above all when several analysts code the same corpus and
their agreement is measured. A click asks to change it (``clicked``; the
window opens Preferences).
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QToolButton


class AnalystLabel(QToolButton):
    """"Analyst: NAME", flat, in the status bar."""

    clicked_to_change = Signal()

    def __init__(self, name: str = "", parent=None):
        super().__init__(parent)
        self.setAutoRaise(True)
        self.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.setToolTip("Passages you tag are recorded under this name; click to change it "
                        "(File → Preferences)")
        self.clicked.connect(self.clicked_to_change)
        self.set_analyst(name)

    def set_analyst(self, name: str) -> None:
        """Show ``name`` (plain text: a name is never markup)."""
        self.name = name
        self.setText(f"Analyst: {name}")
        self.setAccessibleName(f"Analyst: {name}")
