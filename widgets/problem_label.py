"""A label for a problem the user must see (a search that cannot run, a
date that is not a date): plain text in a red that stays readable on the
light and the dark theme, re-chosen whenever the palette changes."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import QLabel

from widgets.palette import contrast_ratio

#: Red on a light background, and on a dark one (WCAG ≥ 4.5 on each).
PROBLEM_ON_LIGHT = "#a51d2d"
PROBLEM_ON_DARK = "#ff7b72"


class ProblemLabel(QLabel):
    """A word-wrapped plain-text label in the theme's problem red."""

    def __init__(self, text: str = "", parent=None):
        super().__init__(text, parent)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setWordWrap(True)
        self._recolour()

    def changeEvent(self, event) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:
            self._recolour()

    def colour(self) -> str:
        """The red that reads best on the window's background now."""
        background = self.palette().window().color().name()
        return max((PROBLEM_ON_LIGHT, PROBLEM_ON_DARK),
                   key=lambda red: contrast_ratio(red, background))

    def _recolour(self) -> None:
        colour = self.colour()
        if self.styleSheet() != f"color: {colour};":
            self.setStyleSheet(f"color: {colour};")
