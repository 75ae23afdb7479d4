"""Small things a new user hit while reading and tagging, fixed in one place:

- a click (or Enter) on a row of the article's Passages tab selects the
  passage in the text but leaves the focus in the list, so F2 then edits
  that passage's note and Delete deletes it (the text took the focus, and
  F2 edited the article's title);
- a selection made with the mouse snaps to whole words (Alt while
  releasing keeps the exact range), so "ooperation agains" never becomes
  a passage;
- Article → Set passage to selection (Ctrl+Alt+B) moves the passage
  current in the Passages tab to what is selected in the text: its
  boundaries adjusted, one undoable step;
- undo and redo say what they did in the status bar, replacing a message
  they made stale ("Tagged 25 characters as …" after that tag was undone).
"""

from __future__ import annotations

import unicodedata

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence

from desktop.gui import commands
from storage import passages

#: zero-width non-joiner and joiner: inside words of Persian, Indic scripts, emoji
_JOINERS = frozenset("\u200c\u200d")
ADJUST_SHORTCUT = "Ctrl+Alt+B"


def is_word(character: str) -> bool:
    """Whether ``character`` belongs to a word: a letter or digit, "_", a
    combining mark (an accent written after its letter, a vowel sign of
    Hindi or Thai, Arabic's vowel marks: ``\\w`` has none of them), or a
    zero-width joiner."""
    return (character.isalnum() or character == "_" or character in _JOINERS
            or unicodedata.category(character)[0] == "M")


def snapped(text: str, start: int, end: int) -> tuple[int, int]:
    """``start``/``end`` moved out to the edges of the words they cut."""
    while 0 < start < len(text) and is_word(text[start - 1]) and is_word(text[start]):
        start -= 1
    while 0 < end < len(text) and is_word(text[end - 1]) and is_word(text[end]):
        end += 1
    return start, end


class ReadingFriction(QObject):
    """Hooks the fixes above into the window."""

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        plist = window.passage_list
        plist.passageActivated.disconnect(window.go_to_passage)
        plist.passageActivated.connect(self.show_passage_keeping_focus)
        window.view.viewport().installEventFilter(self)
        self.adjust_action = QAction("Set &passage to selection", window)
        self.adjust_action.setShortcut(QKeySequence(ADJUST_SHORTCUT))
        self.adjust_action.setToolTip("Move the passage current in the Passages tab to the "
                                      "text selected")
        self.adjust_action.triggered.connect(self.adjust_passage)
        article_menu = next(a.menu() for a in window.menuBar().actions()
                            if a.text() == "&Article")
        article_menu.addAction(self.adjust_action)
        window.undo_action.triggered.connect(lambda: self._say_what_changed("Undid"))
        window.redo_action.triggered.connect(lambda: self._say_what_changed("Redid"))

    # -- the Passages tab ------------------------------------------------
    def show_passage_keeping_focus(self, passage_id: int) -> None:
        plist = self.window.passage_list
        had_focus = plist.hasFocus()
        self.window.go_to_passage(passage_id)
        if had_focus or plist.underMouse():
            plist.setFocus()

    # -- word snapping ----------------------------------------------------
    def eventFilter(self, watched, event) -> bool:
        if (event.type() == QEvent.Type.MouseButtonRelease
                and event.button() == Qt.MouseButton.LeftButton
                and not event.modifiers() & Qt.KeyboardModifier.AltModifier):
            QTimer.singleShot(0, self.snap_selection)   # after the view took the release
        return False

    def snap_selection(self) -> None:
        view = self.window.view
        selected = view.selection_range()
        if selected is None:
            return
        start, end = snapped(view.article_text(), *selected)
        if (start, end) != selected:
            view.select_range(start, end)

    # -- boundaries ---------------------------------------------------------
    def adjust_passage(self) -> bool:
        window = self.window
        item = window.passage_list.currentItem()
        selected = window.view.selection_range()
        if item is None or selected is None or window.current_id is None:
            window.statusBar().showMessage(
                "Pick the passage in the Passages tab, select its new extent in the text, "
                f"then {ADJUST_SHORTCUT}.", 6000)
            return False
        passage_id = item.data(0, Qt.ItemDataRole.UserRole)
        start, end = window.controllers.passages._trim(*selected)
        if start >= end:        # only blank space selected
            window.statusBar().showMessage(
                "The selection is only blank space: select the passage's new extent in the "
                f"text, then {ADJUST_SHORTCUT}.", 6000)
            return False
        done = window.run_command(commands.ChangePassage(
            window.controllers.history, "Adjust passage boundaries", passage_id,
            lambda db, pid: passages.set_range(db, pid, start, end),
            article_id=window.current_id), "Adjust passage")
        if done:
            window.statusBar().showMessage(
                f"Passage now {end - start} characters. Ctrl+Z puts it back.", 5000)
        return done

    # -- the status bar ----------------------------------------------------
    def _say_what_changed(self, verb: str) -> None:
        history = self.window.controllers.history
        # a refusal's message stays (nothing was undone); a worker undoing
        # an import says so when it has ended
        if history.last_refused or history.replaying:
            return
        stack = self.window.undo_stack
        text = stack.redoText() if verb == "Undid" else stack.undoText()
        # (the step's name may quote a tag: “Tag as “X”” would nest the marks)
        self.window.statusBar().showMessage(f"{verb}: {text}." if text else "", 5000)
