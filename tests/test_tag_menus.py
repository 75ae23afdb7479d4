"""The tag menus of the reader and the Passages tab ("Tag selection as",
"Re-tag as"): nested as the codebook is, a category a submenu of its tags
and never an action (tagging with it is refused), the passage's own tag
left out of "Re-tag as"."""

from __future__ import annotations

from PySide6.QtWidgets import QMenu

from widgets.passage_menu import add_tag_actions

TAGS = [
    {"id": 1, "name": "Crime types", "color": "#888888", "codable": 0, "parent_id": None},
    {"id": 2, "name": "Scam compounds", "color": "#aa0000", "codable": 1, "parent_id": 1,
     "shortcut": 1},
    {"id": 3, "name": "Forced labour", "color": "#00aa00", "codable": 1, "parent_id": 2},
    {"id": 4, "name": "Diplomacy", "color": "#0000aa", "codable": 1, "parent_id": None},
    {"id": 5, "name": "Empty category", "color": "#888888", "codable": 0, "parent_id": None},
    {"id": 6, "name": "Orphan", "color": "#123456", "codable": 1, "parent_id": 99},
]


def shape(menu: QMenu) -> list:
    """The menu as text: an action's label, a submenu as (label, [its shape])."""
    out = []
    for action in menu.actions():
        if action.isSeparator():
            continue
        label = action.text().split("\t")[0]
        out.append((label, shape(action.menu())) if action.menu() else label)
    return out


def test_tags_nest_as_the_codebook_and_categories_are_no_action(qtbot):
    picked = []
    menu = QMenu()
    add_tag_actions(menu, TAGS, picked.append)
    assert shape(menu) == [
        ("Crime types", [("Scam compounds", ["Scam compounds", "Forced labour"])]),
        "Diplomacy", "Orphan"]
    scam = menu.actions()[0].menu().actions()[0].menu()
    scam.actions()[0].trigger()
    scam.actions()[-1].trigger()
    assert picked == [2, 3]


def test_retag_leaves_out_the_passages_own_tag_but_keeps_the_tags_below(qtbot):
    menu = QMenu()
    add_tag_actions(menu, TAGS, lambda _id: None, exclude=2)
    assert shape(menu) == [("Crime types", [("Scam compounds", ["Forced labour"])]),
                           "Diplomacy", "Orphan"]
