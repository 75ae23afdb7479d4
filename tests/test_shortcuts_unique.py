"""No two of the window's actions answer the same key: Qt fires neither
when a shortcut is ambiguous, so the analyst's key would silently do nothing."""

from __future__ import annotations

from collections import defaultdict

from PySide6.QtGui import QAction


def test_every_window_shortcut_belongs_to_one_action(open_window, seeded_db_path):
    window = open_window(seeded_db_path)
    owners = defaultdict(set)
    for action in window.findChildren(QAction):
        if action.shortcutContext().name != "WindowShortcut":
            continue
        for key in action.shortcuts():
            if not key.isEmpty():
                owners[key.toString()].add(action.text().replace("&", ""))
    shared = {key: names for key, names in owners.items() if len(names) > 1}
    assert owners and not shared, shared
