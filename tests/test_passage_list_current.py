"""The Passages tab keeps its current row when the list is shown again: a
note saved rewrites the row in place; a list refilled (a passage deleted
elsewhere) keeps the same passage current."""

from __future__ import annotations

from PySide6.QtCore import Qt

from tests.test_passage_list_columns import shown


def passage(i: int, note: str = "") -> dict:
    return {"id": i, "tag": "Extradition", "color": "#3584e4", "text": f"words {i}",
            "note": note, "analyst": "a", "start": i * 10, "end": i * 10 + 7}


def current_id(view):
    item = view.currentItem()
    return item.data(0, Qt.ItemDataRole.UserRole) if item else None


def test_a_changed_note_rewrites_its_row_and_it_stays_current(qtbot):
    view = shown(qtbot, [passage(1), passage(2), passage(3)])
    view.setCurrentItem(view.topLevelItem(1))
    row = view.topLevelItem(1)
    view.set_passages([passage(1), passage(2, "check the date"), passage(3)], [])
    assert view.topLevelItem(1) is row and row.text(view.NOTE_COLUMN) == "check the date"
    assert current_id(view) == 2


def test_a_refilled_list_keeps_the_same_passage_current(qtbot):
    view = shown(qtbot, [passage(1), passage(2), passage(3)])
    view.setCurrentItem(view.topLevelItem(2))
    view.set_passages([passage(2), passage(3)], [])          # passage 1 deleted elsewhere
    assert view.passage_ids() == [2, 3] and current_id(view) == 3

