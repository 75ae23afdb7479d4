"""Categories in the window: the codebook shows one in italics with a
tooltip saying what it is; tagging with it — its key, the codebook's
Tag selection, Auto-tag — is refused with a status-bar message and nothing stored;
the tag's context menu turns "Use for tagging" off and on as one undoable
step. Driven with keys and clicks; assertions on the stored rows."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt

from desktop.refi_qda.import_project import import_qdpx
from storage import open_database, tags
from tests.test_autotag_gui import choose, open_dialog
from tests.test_codebook_gui import select_tag
from tests.test_undo import (
    check_undo_redo,
    pick_from_next_menu,
    right_click,
    stored_state,
    tag_words,
    undo,
)

QUALCODER = Path(__file__).resolve().parent / "data" / "interop" / "qualcoder"


def codable(db_path) -> dict[str, int]:
    db = open_database(db_path)
    try:
        return dict(db.execute("SELECT name, codable FROM tags").fetchall())
    finally:
        db.close()


def item_of(panel, name: str):
    [item] = panel.tree.findItems(name, Qt.MatchFlag.MatchExactly | Qt.MatchFlag.MatchRecursive)
    return item


def use_for_tagging(qtbot, panel, name: str) -> None:
    """Right-click the tag in the codebook and click "Use for tagging"."""
    item = item_of(panel, name)
    pick_from_next_menu(["Use for tagging"])
    right_click(panel.tree.viewport(), panel.tree.visualItemRect(item).center())


def test_a_qualcoder_category_is_shown_as_one_and_not_tagged_with(open_window,
                                                                   analysed_db_path, qtbot):
    db = open_database(analysed_db_path)
    import_qdpx(db, QUALCODER / "made_by_qualcoder.qdpx")
    db.close()
    window = open_window(analysed_db_path)
    panel = window.tag_panel
    category, code = item_of(panel, "Crime types"), item_of(panel, "Fraud & scams")
    assert category.font(0).italic() and not code.font(0).italic()
    assert "Category: groups tags; not used for tagging" in category.toolTip(0)
    assert "Category memo" in category.toolTip(0)            # its description still shown
    assert code.parent() is category

    before = stored_state(analysed_db_path)
    window.view.select_range(0, 20)
    select_tag(qtbot, panel, "Crime types")
    qtbot.mouseClick(panel.buttons["apply"], Qt.MouseButton.LeftButton)
    message = window.statusBar().currentMessage()
    assert message.startswith("“Crime types” is a category") and "Use for tagging" in message
    assert stored_state(analysed_db_path) == before
    assert window.undo_stack.count() == 0

    # allowed, it tags like any other tag
    use_for_tagging(qtbot, panel, "Crime types")
    qtbot.waitUntil(lambda: codable(analysed_db_path)["Crime types"] == 1)
    assert not item_of(panel, "Crime types").font(0).italic()
    window.view.select_range(0, 20)
    select_tag(qtbot, panel, "Crime types")
    qtbot.mouseClick(panel.buttons["apply"], Qt.MouseButton.LeftButton)
    assert len(stored_state(analysed_db_path)["passages"]) == len(before["passages"]) + 1


def test_making_a_category_refuses_its_key_and_undoes(open_window, analysed_db_path, qtbot):
    window = open_window(analysed_db_path)
    panel = window.tag_panel
    assert codable(analysed_db_path)["Cybercrime"] == 1        # key 1
    before = stored_state(analysed_db_path)

    use_for_tagging(qtbot, panel, "Cybercrime")
    qtbot.waitUntil(lambda: codable(analysed_db_path)["Cybercrime"] == 0)
    assert item_of(panel, "Cybercrime").font(0).italic()
    assert window.statusBar().currentMessage().startswith("“Cybercrime” is a category now")
    category = stored_state(analysed_db_path)

    tag_words(qtbot, window, "Neth Savoeun")                  # key 1: refused
    message = window.statusBar().currentMessage()
    assert message.startswith("“Cybercrime” is a category") and "Use for tagging" in message
    assert stored_state(analysed_db_path) == category
    assert window.undo_action.text() == "&Undo Make “Cybercrime” a category"

    # one step: Ctrl+Z makes it a tag again, Ctrl+Shift+Z a category
    check_undo_redo(qtbot, window, analysed_db_path, before, "Make “Cybercrime” a category")
    assert item_of(panel, "Cybercrime").font(0).italic()
    undo(qtbot, window)
    assert stored_state(analysed_db_path) == before
    assert not item_of(panel, "Cybercrime").font(0).italic()
    tag_words(qtbot, window, "Neth Savoeun")
    assert len(stored_state(analysed_db_path)["passages"]) == 1
    assert window.statusBar().currentMessage().startswith("Tagged ")


def test_auto_tag_with_a_category_is_refused(open_window, analysed_db_path, qtbot):
    db = open_database(analysed_db_path)
    tags.set_codable(db, tags.find_tag(db, "Cybercrime")["id"], False)
    db.close()
    window = open_window(analysed_db_path)
    qtbot.waitUntil(lambda: window.current_id == 1)
    before = stored_state(analysed_db_path)
    dialog = open_dialog(qtbot, window)
    choose(qtbot, dialog.tag_box, "Cybercrime")
    qtbot.keyClicks(dialog.query_edit, "cybercrime")
    qtbot.waitUntil(lambda: dialog.tag_button.isEnabled(), timeout=10000)
    qtbot.mouseClick(dialog.tag_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.statusBar().currentMessage().startswith(
        "“Cybercrime” is a category"))
    assert stored_state(analysed_db_path) == before
    assert window.undo_stack.count() == 0


def test_re_tagging_a_passage_as_a_category_is_refused(open_window, analysed_db_path, qtbot):
    """The reader's and the Passages tab's "Re-tag as" reach the same rule
    as tagging: a passage is not moved to a category."""
    window = open_window(analysed_db_path)
    tag_words(qtbot, window, "Neth Savoeun")                  # key 1: Cybercrime
    [(passage_id, *_)] = stored_state(analysed_db_path)["passages"]
    use_for_tagging(qtbot, window.tag_panel, "Drugs")         # Drugs: a category now
    qtbot.waitUntil(lambda: codable(analysed_db_path)["Drugs"] == 0)
    before = stored_state(analysed_db_path)
    drugs = tags.find_tag(window.db, "Drugs")["id"]
    window.passage_list.retagRequested.emit(passage_id, drugs)   # Re-tag as ▸ Drugs
    assert stored_state(analysed_db_path) == before
    assert window.statusBar().currentMessage().startswith("“Drugs” is a category")
    window.workspace.retag([passage_id], drugs)                # the Passages workspace
    assert stored_state(analysed_db_path) == before
