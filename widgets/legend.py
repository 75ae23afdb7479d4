"""The legend: one coloured toggle per entity label, plus quotes and passages."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QCheckBox, QLabel, QSizePolicy, QWidget

from widgets import palette
from widgets.flow_layout import FlowLayout

#: Entity labels always listed, in this order; others follow alphabetically.
COMMON_LABELS = ("PERSON", "ORG", "GPE", "LOC", "NORP", "DATE")

_LABEL_NAMES = {palette.QUOTES_KEY: "Quotes", palette.PASSAGES_KEY: "Passages"}


class Legend(QWidget):
    """Toggles for highlight kinds; emits the set of hidden keys."""

    hiddenChanged = Signal(set)

    def __init__(self, parent=None):
        super().__init__(parent)
        # toggles wrap onto a second line rather than hold the reader wide
        self._layout = FlowLayout(self)
        self._layout.setContentsMargins(6, 2, 6, 2)
        self._layout.addWidget(QLabel("Show:"))
        policy = QSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        policy.setHeightForWidth(True)
        self.setSizePolicy(policy)
        self._boxes: dict[str, QCheckBox] = {}
        self._hidden: set[str] = set()
        self._scheme = palette.LIGHT
        self.set_labels([])

    def hidden(self) -> set[str]:
        return set(self._hidden)

    def checkbox(self, key: str) -> QCheckBox | None:
        return self._boxes.get(key)

    def set_hidden(self, keys) -> None:
        """Hide these keys (e.g. as the last session left them); emits
        ``hiddenChanged`` once if that changes anything."""
        hidden = {str(key) for key in keys}
        if hidden == self._hidden:
            return
        self._hidden = hidden
        for key, box in self._boxes.items():
            box.blockSignals(True)
            box.setChecked(key not in hidden)
            box.blockSignals(False)
        self.hiddenChanged.emit(set(self._hidden))

    def set_scheme(self, scheme: palette.Scheme) -> None:
        """Colour the toggles as the reader colours what they stand for."""
        self._scheme = scheme
        for key, box in self._boxes.items():
            self._style_box(key, box)

    def set_labels(self, labels) -> None:
        """Show toggles for these entity labels (plus the common ones)."""
        present = set(labels)
        ordered = [label for label in COMMON_LABELS] + sorted(present - set(COMMON_LABELS))
        keys = ordered + [palette.QUOTES_KEY, palette.PASSAGES_KEY]
        if keys == list(self._boxes):
            return          # the same toggles: no new layout of the window
        for key, box in list(self._boxes.items()):
            if key not in keys:
                self._layout.removeWidget(box)
                box.hide()          # at once: deleteLater waits for the event loop
                box.deleteLater()
                del self._boxes[key]
        for index, key in enumerate(keys):
            box = self._boxes.get(key) or self._make_box(key)
            self._layout.insertWidget(1 + index, box)
        self._boxes = {key: self._boxes[key] for key in keys}    # in the order shown

    def _make_box(self, key: str) -> QCheckBox:
        box = QCheckBox(_LABEL_NAMES.get(key, key))
        self._style_box(key, box)
        box.setChecked(key not in self._hidden)
        box.setToolTip(f"Highlight {_LABEL_NAMES.get(key, key + ' entities').lower()}")
        box.toggled.connect(lambda checked, k=key: self._toggle(k, checked))
        self._boxes[key] = box
        return box

    def _style_box(self, key: str, box: QCheckBox) -> None:
        scheme = self._scheme
        color = (scheme.quote_background if key == palette.QUOTES_KEY else
                 scheme.passages_key if key == palette.PASSAGES_KEY else
                 scheme.entity_color(key))
        box.setStyleSheet(f"QCheckBox {{ background: {color}; border-radius: 3px;"
                          f" padding: 1px 4px; color: {scheme.legend_text}; }}")

    def _toggle(self, key: str, checked: bool) -> None:
        if checked:
            self._hidden.discard(key)
        else:
            self._hidden.add(key)
        self.hiddenChanged.emit(set(self._hidden))
