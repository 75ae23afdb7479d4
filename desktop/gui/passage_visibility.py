"""View → Passages: whose passages the window shows (blind coding, issue 18).

Three choices, kept in the preferences (QSettings ``passages/show`` and
``passages/analysts``) so the next session opens the same way:

- **Everyone's** — every analyst's passages;
- **Mine only (blind coding)** — only the passages of the analyst named in
  Preferences: others' passages, their notes and their counts are hidden;
- **Chosen analysts…** — the passages of the analysts ticked in a list.

The choice lives in the window's :class:`~storage.article_query.ArticleQuery`
(``analysts``), so every read that shows passages obeys it: the reader's
bars, the article's Passages tab, the codebook's counts, the list's passage
counts and badges, the tag filter, the note search and the Passages
workspace (its list, its count and its bulk actions). The export dialog
starts with the same analysts ticked, and says so. The same menu has the
compare view (:mod:`desktop.gui.compare_lanes`).
"""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QLabel, QListWidget,
                               QListWidgetItem, QVBoxLayout)

#: mode → menu text
MODES = {"all": "&Everyone's passages", "mine": "&Mine only (blind coding)",
         "chosen": "&Chosen analysts…"}
_MODE_KEY, _ANALYSTS_KEY = "passages/show", "passages/analysts"


def choose_analysts(parent, names: list[str], chosen: tuple[str, ...]) -> list[str] | None:
    """A list of analysts to tick; the ticked ones, or None if cancelled."""
    dialog = QDialog(parent)
    dialog.setWindowTitle("Show the passages of")
    layout = QVBoxLayout(dialog)
    layout.addWidget(QLabel("Show only the passages of these analysts:"))
    listing = QListWidget()
    for name in names:
        item = QListWidgetItem(name)
        item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
        item.setCheckState(Qt.CheckState.Checked if name in chosen else Qt.CheckState.Unchecked)
        listing.addItem(item)
    layout.addWidget(listing)
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                               | QDialogButtonBox.StandardButton.Cancel)
    buttons.accepted.connect(dialog.accept)
    buttons.rejected.connect(dialog.reject)
    layout.addWidget(buttons)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    return [listing.item(i).text() for i in range(listing.count())
            if listing.item(i).checkState() == Qt.CheckState.Checked]


class PassageVisibility(QObject):
    """Adds View → Passages to a main window and applies the choice."""

    changed = Signal(tuple)

    def __init__(self, window, view_menu):
        super().__init__(window)
        self.window = window
        self.settings = window.preferences.settings
        menu = view_menu.addMenu("&Passages")
        group = QActionGroup(self)
        self.actions: dict[str, QAction] = {}
        for mode, text in MODES.items():
            action = menu.addAction(text)
            action.setCheckable(True)
            group.addAction(action)
            action.triggered.connect(lambda _=False, m=mode: self._chosen_from_menu(m))
            self.actions[mode] = action
        self.actions["mine"].setShortcut(QKeySequence("Ctrl+Shift+B"))
        menu.addSeparator()
        from desktop.gui.compare_lanes import CompareLanes

        #: the compare view: a lane per analyst beside the reader
        self.compare = CompareLanes(window, menu)
        self.label = QLabel()
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        window.statusBar().addPermanentWidget(self.label)
        self.mode = str(self.settings.value(_MODE_KEY, "all") or "all")
        if self.mode not in MODES:
            self.mode = "all"
        stored = self.settings.value(_ANALYSTS_KEY, []) or []
        self.chosen = tuple([stored] if isinstance(stored, str) else stored)
        self.actions[self.mode].setChecked(True)
        self._apply(refresh=False)

    def analysts(self) -> tuple[str, ...]:
        """Whose passages are shown (empty: everybody's)."""
        if self.mode == "mine":
            return (self.window.preferences.analyst,)
        if self.mode == "chosen":
            return self.chosen
        return ()

    def is_blind(self) -> bool:
        return self.mode != "all"

    def _chosen_from_menu(self, mode: str) -> None:
        if mode == "chosen":
            from storage.export_selection import analysts

            picked = choose_analysts(self.window, analysts(self.window.db), self.chosen)
            if picked is None:
                self.actions[self.mode].setChecked(True)
                return
            self.set_mode("chosen", picked)
        else:
            self.set_mode(mode)

    def set_mode(self, mode: str, chosen=None) -> None:
        """Show everyone's (``all``), mine (``mine``) or the ``chosen``
        analysts' passages, remember it, and re-read what the window shows."""
        if mode not in MODES:
            raise ValueError(f"mode must be one of {sorted(MODES)}")
        if chosen is not None:
            self.chosen = tuple(chosen)
        if mode == "chosen" and not self.chosen:
            mode = "all"
        self.mode = mode
        self.actions[mode].setChecked(True)
        self.settings.setValue(_MODE_KEY, mode)
        self.settings.setValue(_ANALYSTS_KEY, list(self.chosen))
        self._apply()

    def analyst_changed(self) -> None:
        """The analyst in Preferences changed: "mine" now means them."""
        if self.mode == "mine":
            self._apply()

    def _apply(self, *, refresh: bool = True) -> None:
        window, shown = self.window, self.analysts()
        self.label.setText({"all": "", "mine": "Blind coding: only your passages",
                            "chosen": "Passages of " + ", ".join(shown)}[self.mode])
        self.label.setVisible(self.mode != "all")
        window.state.query = replace(window.query, analysts=shown)
        if refresh:
            window.refresh_tags()
            window.refresh_articles()
            if window.current_id is not None:
                window.show_article(window.current_id)
        self.changed.emit(shown)
