"""The keyboard: stepping through the passages, quotes and entities of the
text, Find (Ctrl+F), and the keyboard-shortcuts sheet built from the
window's actual actions and the codebook's tag keys.
"""

from __future__ import annotations

import re

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QWidget

from desktop.gui.controller import Controller

#: (menu text, what, step, key) for stepping through the text
STEPS = (("Next &passage", "passage", 1, "Ctrl+]"),
         ("Previous p&assage", "passage", -1, "Ctrl+["),
         ("Next &quote", "quote", 1, "F3"),
         ("Previous q&uote", "quote", -1, "Shift+F3"),
         ("Next &entity", "entity", 1, "F4"),
         ("Previous e&ntity", "entity", -1, "Shift+F4"))


def _menu_label(text: str) -> str:
    """A menu text without its mnemonic marks (``&&`` is a literal ``&``)."""
    return re.sub(r"&(.)", r"\1", text).split("\t")[0]


class KeyboardController(Controller):
    """Stepping through the text, Find, and the shortcuts sheet."""

    WIDGETS = ("view", "article_filters", "left_tabs", "articles_box")

    def __init__(self, window, state, ops):
        super().__init__(window, state, ops)
        #: the search box; whoever adds a search field sets ``search_target``
        #: to it and Ctrl+F focuses it
        self.search_target: QWidget | None = self.article_filters.search
        self.shortcuts_sheet = None

    def add_navigation_actions(self, menu, action) -> None:
        """The Go menu's stepping and Find actions (``action(menu, text,
        slot, key)`` makes one)."""
        menu.addSeparator()
        for text, kind, step, key in STEPS:
            action(menu, text, lambda _=False, k=kind, s=step: self.step_in_text(k, s), key)
        menu.addSeparator()
        self.focus_search_action = action(menu, "&Find…", self.focus_search,
                                          QKeySequence.StandardKey.Find)

    def step_in_text(self, kind: str, step: int) -> None:
        """Select the next/previous passage, quote or entity; 1–9 then tags it."""
        found = self.view.step_to(kind, step)
        self.view.setFocus()
        if found is None:
            self.statusBar().showMessage(f"This article has no {kind}s to go to.", 4000)
            return
        if kind == "entity":
            what = f"{found['text']} ({found['label']})"
        elif kind == "quote":
            what = found.get("speaker") or "no speaker found"
        else:
            what = found.get("tag") or kind
        items = self.view.navigable(kind)
        # "3 of 11": where the step landed, so a wrap from the last to the first shows
        where = f" {items.index(found) + 1} of {len(items)}" if found in items else ""
        self.statusBar().showMessage(
            f"{kind.capitalize()}{where}: {what} — press 1–9 to tag it.", 4000)

    def focus_search(self) -> None:
        """Focus the search field (``search_target``), with its text selected."""
        target = self.search_target
        if target is None:
            self.statusBar().showMessage("There is no search field yet.", 4000)
            return
        if target is self.article_filters.search:
            self.window.view_menu.show_panel("articles", True)
            self.left_tabs.setCurrentWidget(self.articles_box)
        target.setFocus(Qt.FocusReason.ShortcutFocusReason)
        if hasattr(target, "selectAll"):
            target.selectAll()

    def shortcut_rows(self) -> list[tuple[str, str, str]]:
        """Every shortcut of the window, from its actual actions, plus the
        tag keys of the codebook and the keys widgets handle themselves."""
        rows = []

        def walk(menu, group: str) -> None:
            for action in menu.actions():
                if action.menu():
                    walk(action.menu(), group)
                elif action.shortcuts():
                    keys = ", ".join(k.toString(QKeySequence.SequenceFormat.NativeText)
                                     for k in action.shortcuts())
                    rows.append((group, _menu_label(action.text()), keys))
        for top in self.window.menuBar().actions():
            if top.menu():
                walk(top.menu(), _menu_label(top.text()))
        rows += [("Tags", f"Tag the selection as “{t['name']}”", str(t["shortcut"]))
                 for t in self._tags if t.get("shortcut")]
        rows += [("In lists and text", what, keys) for what, keys in (
            ("Next / previous article in the list", "Up, Down"),
            ("Tag the quote or entity under the caret", "1–9"),
            ("Tag the selected quote in the Quotes tab", "1–9"),
            ("Delete the selected passage in the Passages tab", "Delete"),
            ("Edit the selected passage's note in the Passages tab",
             "F2, or double-click the note"),
            ("Set the speaker of the selected quote in the Quotes tab", "F2"),
            ("Merge the selected speakers in the Speakers tab", "Ctrl+M"),
            ("Empty the search or filter field being typed in", "Esc"))]
        return rows

    def show_shortcuts(self) -> None:
        from widgets.shortcuts_sheet import ShortcutsSheet

        self.shortcuts_sheet = ShortcutsSheet(self.shortcut_rows(), self.window)
        self.shortcuts_sheet.show()
