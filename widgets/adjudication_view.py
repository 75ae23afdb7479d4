"""One disagreement of two analysts at a time, decided with the keyboard.

Plain data in (:meth:`AdjudicationView.show_item`), signals out; no storage.
Keys (the widget has the focus; the buttons say the same):

- **A** — the first analyst's tags; **B** — the second's; **H** — both;
  **N** — neither;
- **→ / ←** (or **J / K**) — next / previous disagreement;
- **Shift+← / Shift+→** — move the span's start; **Ctrl+← / Ctrl+→** — move
  its end (one character; with Alt as well, one word's worth: 5).
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QTextCursor
from PySide6.QtWidgets import (QHBoxLayout, QLabel, QPlainTextEdit, QPushButton, QTextEdit,
                               QVBoxLayout, QWidget)

from widgets.row_style import muted

#: key → decision
DECISION_KEYS = {Qt.Key.Key_A: "a", Qt.Key.Key_B: "b", Qt.Key.Key_H: "both",
                 Qt.Key.Key_N: "neither"}
#: decision → how it is said
DECISION_TEXT = {"a": "{first}'s tags", "b": "{second}'s tags", "both": "both",
                 "neither": "neither"}


def decision_text(decisions: list[str], names: dict) -> str:
    """What the label says of the decisions taken on an item: a second one
    adds to the first (it does not replace it), so both are named — "ana's
    tags, then neither" must not read as if ana's tags were gone."""
    if not decisions:
        return "Not decided yet."
    said = ", then ".join(DECISION_TEXT[d].format(**names) for d in decisions)
    if len(decisions) == 1:
        return f"Decided: {said}."
    return (f"Decided: {said} — a later decision adds to the earlier ones, it does not "
            "replace them.")


def _plain_label() -> QLabel:
    label = QLabel()
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(True)
    return label


class AdjudicationView(QWidget):
    """Shows a disagreement: where it is, its text in context with the span
    marked, each analyst's tags there, and the decision taken so far."""

    decided = Signal(str)            # one of "a", "b", "both", "neither"
    stepped = Signal(int)            # -1 previous, +1 next
    spanAdjusted = Signal(int, int)  # change of start, change of end

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.position = _plain_label()
        self.text = QPlainTextEdit()
        self.text.setReadOnly(True)
        self.text.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.first_label, self.second_label = _plain_label(), _plain_label()
        self.decision_label = _plain_label()
        self.buttons: dict[str, QPushButton] = {}
        row = QHBoxLayout()
        for key, text in (("previous", "◀ Previous (←)"), ("a", "A"), ("b", "B"),
                          ("both", "Both (H)"), ("neither", "Neither (N)"),
                          ("next", "Next (→) ▶")):
            button = QPushButton(text)
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            self.buttons[key] = button
            row.addWidget(button)
        self.buttons["previous"].clicked.connect(lambda: self.stepped.emit(-1))
        self.buttons["next"].clicked.connect(lambda: self.stepped.emit(1))
        for choice in ("a", "b", "both", "neither"):
            self.buttons[choice].clicked.connect(lambda _=False, c=choice: self.decided.emit(c))
        hint = QLabel("Keys: A, B, H (both), N (neither); → / ← next, previous; "
                      "Shift+← / Shift+→ move the start, Ctrl+← / Ctrl+→ the end.")
        muted(hint)
        hint.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.position)
        layout.addWidget(self.text, 1)
        layout.addWidget(self.first_label)
        layout.addWidget(self.second_label)
        layout.addWidget(self.decision_label)
        layout.addLayout(row)
        layout.addWidget(hint)
        # nothing looked for yet: not "none found"
        self.show_message("Choose two analysts, then Find disagreements.")

    def show_message(self, message: str, *, index: int | None = None,
                     total: int = 0) -> None:
        """Nothing to decide: say why. With ``index`` (of ``total``), the
        item shown cannot be decided but the others can still be reached
        with Previous and Next."""
        self.position.setText(message)
        self.text.setPlainText("")
        for label in (self.first_label, self.second_label, self.decision_label):
            label.setText("")
        for button in self.buttons.values():
            button.setEnabled(False)
        if index is not None:
            self.buttons["previous"].setEnabled(index > 0)
            self.buttons["next"].setEnabled(index + 1 < total)

    def show_item(self, item: dict) -> None:
        """``item``: ``index, total, title, before, span, after, first,
        second`` (analyst names), ``first_tags, second_tags`` (tag names),
        ``decisions`` (those taken on it, in order; empty if none)."""
        self.position.setText(f"Disagreement {item['index'] + 1} of {item['total']} — "
                              f"{item['title']} (characters {item['start']}–{item['end']})")
        before, span, after = item["before"], item["span"], item["after"]
        self.text.setPlainText(before + span + after)
        cursor = QTextCursor(self.text.document())
        cursor.setPosition(len(before))
        cursor.setPosition(len(before) + len(span), QTextCursor.MoveMode.KeepAnchor)
        # marked as an extra selection, not a format merged into the text:
        # a merged format stayed as the document's current one, and the
        # next disagreement's whole excerpt came out yellow
        marked = QTextEdit.ExtraSelection()
        marked.cursor = QTextCursor(cursor)
        marked.format.setBackground(QColor("#ffd54f"))
        marked.format.setForeground(QColor("#000000"))
        self.text.setExtraSelections([marked])
        self.text.setTextCursor(cursor)
        self.text.ensureCursorVisible()
        names = {"first": item["first"], "second": item["second"]}
        self.buttons["a"].setText(f"A: {item['first']}")
        self.buttons["b"].setText(f"B: {item['second']}")
        self.first_label.setText(f"A — {item['first']}: "
                                 + (", ".join(item["first_tags"]) or "no tag"))
        self.second_label.setText(f"B — {item['second']}: "
                                  + (", ".join(item["second_tags"]) or "no tag"))
        self.decision_label.setText(decision_text(item.get("decisions") or [], names))
        for key, button in self.buttons.items():
            button.setEnabled(True)
        self.buttons["previous"].setEnabled(item["index"] > 0)
        self.buttons["next"].setEnabled(item["index"] + 1 < item["total"])

    def keyPressEvent(self, event) -> None:
        key, mods = event.key(), event.modifiers()
        step = 5 if mods & Qt.KeyboardModifier.AltModifier else 1
        arrows = {Qt.Key.Key_Left: -1, Qt.Key.Key_Right: 1}
        if key in arrows and mods & Qt.KeyboardModifier.ShiftModifier:
            self.spanAdjusted.emit(arrows[key] * step, 0)
        elif key in arrows and mods & Qt.KeyboardModifier.ControlModifier:
            self.spanAdjusted.emit(0, arrows[key] * step)
        elif key in arrows:
            self.stepped.emit(arrows[key])
        elif key in (Qt.Key.Key_J, Qt.Key.Key_K) and not mods:
            self.stepped.emit(1 if key == Qt.Key.Key_J else -1)
        elif key in DECISION_KEYS and not (mods & ~Qt.KeyboardModifier.KeypadModifier):
            if self.buttons["a"].isEnabled():
                self.decided.emit(DECISION_KEYS[key])
        else:
            super().keyPressEvent(event)
