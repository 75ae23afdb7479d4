"""Undo and redo: each change made through the window, then Ctrl+Z and
Ctrl+Shift+Z, with the whole stored state compared before and after."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt, QTimer
from PySide6.QtGui import QColor, QContextMenuEvent
from PySide6.QtWidgets import QApplication, QDialog

from storage import open_database, passages, tags
from tests.test_main_window import select_with_keys

CTRL, SHIFT = Qt.KeyboardModifier.ControlModifier, Qt.KeyboardModifier.ShiftModifier


def stored_state(db_path) -> dict:
    """Every row of the tables an analyst changes, read on a fresh connection."""
    db = open_database(db_path)
    try:
        return {table: [tuple(row) for row in db.execute(
                    f"SELECT * FROM {table} ORDER BY id").fetchall()]
                for table in ("articles", "tags", "passages")}
    finally:
        db.close()


def undo(qtbot, window) -> None:
    qtbot.keyClick(window.view, Qt.Key.Key_Z, CTRL)


def redo(qtbot, window) -> None:
    qtbot.keyClick(window.view, Qt.Key.Key_Z, CTRL | SHIFT)


def check_undo_redo(qtbot, window, db_path, before: dict, expected_text: str) -> dict:
    """The change is stored; Ctrl+Z restores ``before``; Ctrl+Shift+Z redoes it."""
    after = stored_state(db_path)
    assert after != before
    assert window.undo_action.text() == f"&Undo {expected_text}"
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)   # shortcuts fire in the active window only
    window.view.setFocus()
    undo(qtbot, window)
    assert stored_state(db_path) == before
    assert window.redo_action.text() == f"&Redo {expected_text}"
    redo(qtbot, window)
    assert stored_state(db_path) == after
    return after


def tag_words(qtbot, window, words: str, key=Qt.Key.Key_1) -> int:
    text = window.view.article_text()
    start = text.index(words)
    select_with_keys(qtbot, window.view, start, len(words))
    qtbot.keyClick(window.view, key)
    return start


def pick_from_next_menu(labels: list[str]) -> None:
    """When the next popup menu opens, trigger the action reached by ``labels``."""
    def pick() -> None:
        menu = QApplication.activePopupWidget()
        assert menu is not None, "no context menu opened"
        current = menu
        for label in labels:
            action = next(a for a in current.actions()
                          if a.text().replace("&&", "&").split("\t")[0] == label)
            if action.menu():
                current = action.menu()
            else:
                menu.close()
                action.trigger()
    QTimer.singleShot(200, pick)


def right_click(widget, pos: QPoint) -> None:
    """What the platform sends on a right click (QTest's clicks send none)."""
    QApplication.sendEvent(widget, QContextMenuEvent(QContextMenuEvent.Reason.Mouse, pos,
                                                     widget.mapToGlobal(pos)))


def test_tag_untag_undo_redo(open_window, analysed_db_path, qtbot):
    window = open_window(analysed_db_path)
    before = stored_state(analysed_db_path)
    tag_words(qtbot, window, "Neth Savoeun")
    after = check_undo_redo(qtbot, window, analysed_db_path, before, "Tag as “Cybercrime”")
    [row] = after["passages"]
    assert window.view.passage_ranges_shown() == [(row[3], row[4])]
    undo(qtbot, window)
    assert window.view.passage_ranges_shown() == []
    assert window.passage_list.topLevelItemCount() == 0
    assert window.article_list.list_model.article(0)["passage_count"] == 0


def test_an_undo_refused_over_a_change_elsewhere_says_so_not_undid(open_window,
                                                                      analysed_db_path, qtbot):
    """Someone else changed the passage since: Ctrl+Z changes nothing, and
    the status bar says why — it once said "Undid …" over the refusal (a
    new user's walk on a team hub)."""
    from storage import journal

    window = open_window(analysed_db_path)
    tag_words(qtbot, window, "Neth Savoeun")
    [passage] = stored_state(analysed_db_path)["passages"]
    other = open_database(analysed_db_path)          # another window, or the hub's pull
    with journal.step(other, "Edit note", analyst="lead"):
        passages.set_note(other, passage[0], "the lead's note")
    other.close()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    window.view.setFocus()
    undo(qtbot, window)
    db = open_database(analysed_db_path)
    assert passages.get_passage(db, passage[0])["note"] == "the lead's note"
    db.close()
    message = window.statusBar().currentMessage()
    assert message.startswith("Cannot undo “Tag as “Cybercrime””") and "Undid" not in message
    qtbot.waitUntil(lambda: window.undo_action.text() == "&Undo Tag as “Cybercrime”",
                    timeout=3000)


def test_a_step_undone_by_dossier_undo_does_not_jam_the_windows_undo(
        open_window, analysed_db_path, qtbot, capsys):
    """``dossier undo`` took back the window's newest step: the window's
    Ctrl+Z answered "undone already" for ever, and the steps below it could
    no longer be undone from the window, nor that one redone."""
    from desktop.cli import main

    window = open_window(analysed_db_path)
    tag_words(qtbot, window, "Neth Savoeun")
    [passage] = stored_state(analysed_db_path)["passages"]
    window.set_note(passage[0], "a note")
    assert main(["undo", "--db", str(analysed_db_path)]) == 0      # the note, elsewhere
    window.view.setFocus()
    undo(qtbot, window)               # the stack follows: the note is undone already
    assert window.undo_action.text() == "&Undo Tag as “Cybercrime”"
    undo(qtbot, window)               # and the tag below it can be undone
    assert stored_state(analysed_db_path)["passages"] == []
    redo(qtbot, window)
    redo(qtbot, window)               # the note comes back from the window too
    db = open_database(analysed_db_path)
    [row] = passages.passages_for_article(db, passage[1])
    db.close()
    assert row["note"] == "a note"


def test_note_in_place_retag_and_delete_undo_redo(open_window, analysed_db_path, qtbot,
                                                  monkeypatch):
    window = open_window(analysed_db_path)
    tag_words(qtbot, window, "Neth Savoeun")
    plist = window.passage_list

    # a note typed into the passage list itself
    before = stored_state(analysed_db_path)
    item = plist.topLevelItem(0)
    rect = plist.visualItemRect(item)
    note = QPoint(plist.header().sectionPosition(2) + 5, rect.center().y())
    qtbot.mouseClick(plist.viewport(), Qt.MouseButton.LeftButton, pos=note)
    qtbot.mouseDClick(plist.viewport(), Qt.MouseButton.LeftButton, pos=note)
    editor = QApplication.focusWidget()
    qtbot.keyClicks(editor, "ask the embassy")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: passages.get_passage(window.db, 1)["note"] == "ask the embassy")
    assert plist.topLevelItem(0).text(2) == "ask the embassy"
    assert window.statusBar().currentMessage() == "Note saved. Ctrl+Z undoes it."
    check_undo_redo(qtbot, window, analysed_db_path, before, "Edit note")

    # re-tag from the context menu of the passage list
    before = stored_state(analysed_db_path)
    item = plist.topLevelItem(0)
    pick_from_next_menu(["Re-tag as", "Drugs"])
    right_click(plist.viewport(), plist.visualItemRect(item).center())
    qtbot.waitUntil(lambda: passages.get_passage(window.db, 1)["tag"] == "Drugs")
    assert window.statusBar().currentMessage() == "Re-tagged as “Drugs”. Ctrl+Z undoes it."
    check_undo_redo(qtbot, window, analysed_db_path, before, "Re-tag passage as “Drugs”")

    # delete with the Delete key (the confirmation is answered yes)
    monkeypatch.setattr("desktop.gui.passages_controller.confirm_delete_passage", lambda *a: True)
    before = stored_state(analysed_db_path)
    plist.setFocus()
    plist.setCurrentItem(plist.topLevelItem(0))
    qtbot.keyClick(plist, Qt.Key.Key_Delete)
    assert stored_state(analysed_db_path)["passages"] == []
    assert window.statusBar().currentMessage().startswith("Deleted the “")
    assert window.statusBar().currentMessage().endswith("” passage. Ctrl+Z brings it back.")
    check_undo_redo(qtbot, window, analysed_db_path, before, "Delete passage")
    undo(qtbot, window)
    # the passage comes back with the same id, so the earlier steps still undo
    assert [r[0] for r in stored_state(analysed_db_path)["passages"]] == [1]
    undo(qtbot, window)
    undo(qtbot, window)
    assert passages.get_passage(window.db, 1)["note"] == ""
    undo(qtbot, window)
    assert stored_state(analysed_db_path)["passages"] == []


def test_undo_goes_back_to_the_article_it_changed(open_window, analysed_db_path, qtbot):
    window = open_window(analysed_db_path)
    tag_words(qtbot, window, "Neth Savoeun")
    window.article_list.select_article(3)
    undo(qtbot, window)
    assert window.current_id == 1
    assert stored_state(analysed_db_path)["passages"] == []
    assert window.article_list.list_model.article(0)["passage_count"] == 0


def test_tag_create_rename_recolour_undo_redo(open_window, analysed_db_path, qtbot,
                                              monkeypatch):
    window = open_window(analysed_db_path)
    panel = window.tag_panel
    answers = iter([("Scam compounds", True), ("Scam centres", True)])
    monkeypatch.setattr("widgets.tag_panel.QInputDialog.getText",
                        lambda *a, **k: next(answers))
    monkeypatch.setattr("widgets.tag_panel.QColorDialog.getColor",
                        lambda *a, **k: QColor("#123456"))

    before = stored_state(analysed_db_path)
    colours = {t["color"] for t in tags.list_tags(window.db)}
    qtbot.mouseClick(panel.buttons["new"], Qt.MouseButton.LeftButton)
    created = tags.find_tag(window.db, "Scam compounds")
    assert panel.current_tag_id() == created["id"]       # ready for its key or colour
    assert created["color"] not in colours              # never another tag's colour
    check_undo_redo(qtbot, window, analysed_db_path, before, "New tag “Scam compounds”")
    created = tags.find_tag(window.db, "Scam compounds")

    def select_tag(name: str) -> None:
        tree = panel.tree
        item = next(tree.topLevelItem(i) for i in range(tree.topLevelItemCount())
                    if tree.topLevelItem(i).text(0) == name)
        qtbot.mouseClick(tree.viewport(), Qt.MouseButton.LeftButton,
                         pos=tree.visualItemRect(item).center())

    before = stored_state(analysed_db_path)
    select_tag("Scam compounds")
    qtbot.mouseClick(panel.buttons["rename"], Qt.MouseButton.LeftButton)
    assert tags.get_tag(window.db, created["id"])["name"] == "Scam centres"
    check_undo_redo(qtbot, window, analysed_db_path, before,
                    "Rename “Scam compounds” to “Scam centres”")

    before = stored_state(analysed_db_path)
    select_tag("Diplomacy")
    qtbot.mouseClick(panel.buttons["colour"], Qt.MouseButton.LeftButton)
    assert tags.find_tag(window.db, "Diplomacy")["color"] == "#123456"
    check_undo_redo(qtbot, window, analysed_db_path, before, "Recolour “Diplomacy”")
    assert window.tag_panel.tree.findItems("Diplomacy", Qt.MatchFlag.MatchExactly)


def _delete_tag_through_panel(qtbot, window, monkeypatch, name: str, move_to: str | None):
    from widgets.tag_panel import DeleteTagDialog

    def answer(dialog) -> int:
        if move_to is None:
            dialog.delete_radio.setChecked(True)
        else:
            dialog.move_radio.setChecked(True)
            dialog.target.setCurrentIndex(dialog.target.findText(move_to))
        return QDialog.DialogCode.Accepted
    monkeypatch.setattr(DeleteTagDialog, "exec", answer)
    tree = window.tag_panel.tree
    [item] = tree.findItems(name, Qt.MatchFlag.MatchExactly)
    qtbot.mouseClick(tree.viewport(), Qt.MouseButton.LeftButton,
                     pos=tree.visualItemRect(item).center())
    qtbot.mouseClick(window.tag_panel.buttons["delete"], Qt.MouseButton.LeftButton)


def test_delete_tag_with_its_passages_undo_redo(open_window, analysed_db_path, qtbot,
                                                monkeypatch):
    window = open_window(analysed_db_path)
    tag_words(qtbot, window, "Neth Savoeun", Qt.Key.Key_1)
    tag_words(qtbot, window, "Phnom Penh", Qt.Key.Key_1)
    tag_words(qtbot, window, "Peter Sykora", Qt.Key.Key_6)
    before = stored_state(analysed_db_path)
    _delete_tag_through_panel(qtbot, window, monkeypatch, "Cybercrime", None)
    assert tags.find_tag(window.db, "Cybercrime") is None
    assert len(stored_state(analysed_db_path)["passages"]) == 1
    check_undo_redo(qtbot, window, analysed_db_path, before, "Delete tag “Cybercrime”")
    undo(qtbot, window)
    assert window.passage_list.topLevelItemCount() == 3
    assert window.article_list.list_model.article(0)["passage_count"] == 3


def test_delete_tag_moving_its_passages_undo_redo(open_window, analysed_db_path, qtbot,
                                                  monkeypatch):
    window = open_window(analysed_db_path)
    tag_words(qtbot, window, "Neth Savoeun", Qt.Key.Key_1)
    tag_words(qtbot, window, "Peter Sykora", Qt.Key.Key_6)
    before = stored_state(analysed_db_path)
    _delete_tag_through_panel(qtbot, window, monkeypatch, "Cybercrime", "Diplomacy")
    assert [p["tag"] for p in passages.passages_for_article(window.db, 1)] == [
        "Diplomacy", "Diplomacy"]
    check_undo_redo(qtbot, window, analysed_db_path, before, "Delete tag “Cybercrime”")


def test_article_details_undo_redo(open_window, analysed_db_path, qtbot):
    from widgets.article_details_dialog import ArticleDetailsDialog

    window = open_window(analysed_db_path)
    before = stored_state(analysed_db_path)
    qtbot.keyClick(window.view, Qt.Key.Key_F2)
    qtbot.waitUntil(lambda: window.findChild(ArticleDetailsDialog) is not None)
    dialog = window.findChild(ArticleDetailsDialog)
    title = dialog.fields["title"]
    title.selectAll()
    qtbot.keyClicks(title, "Police cooperation")
    dialog.fields["published"].clear()
    qtbot.keyClicks(dialog.fields["published"], "2024-06-17")
    qtbot.keyClick(title, Qt.Key.Key_Return)
    assert window.db.execute("SELECT title, published FROM articles WHERE id = 1"
                             ).fetchone() == ("Police cooperation", "2024-06-17")
    assert window.title_label.text() == "Police cooperation"
    check_undo_redo(qtbot, window, analysed_db_path, before, "Edit article details")
    undo(qtbot, window)
    assert window.title_label.text().startswith("Cambodia asked Australia")
    assert window.article_list.list_model.article(0)["title"].startswith("Cambodia asked")


def test_article_text_edit_undo_restores_text_and_anchors(open_window, analysed_db_path,
                                                          qtbot, monkeypatch):
    window = open_window(analysed_db_path)
    tag_words(qtbot, window, "Neth Savoeun")
    tag_words(qtbot, window, "Peter Sykora", Qt.Key.Key_6)
    old_text = window.view.article_text()
    # a new first sentence moves one passage; the other's words are gone
    new_text = "A new opening line.\n\n" + old_text.replace("Peter Sykora", "the envoy")

    def edit_in_dialog() -> None:
        from widgets.text_edit_dialog import TextEditDialog
        dialog = window.findChild(TextEditDialog)
        dialog.editor.setPlainText(new_text)
        dialog.accept()
    QTimer.singleShot(200, edit_in_dialog)
    before = stored_state(analysed_db_path)
    window.edit_text_action.trigger()
    rows = passages.passages_for_article(window.db, 1)
    assert [r["anchor"] for r in rows] == ["moved", "orphaned"]
    assert window.view.article_text() == new_text
    check_undo_redo(qtbot, window, analysed_db_path, before, "Edit article text")
    undo(qtbot, window)
    assert window.view.article_text() == old_text
    rows = passages.passages_for_article(window.db, 1)
    assert [(r["anchor"], old_text[r["start"]:r["end"]]) for r in rows] == [
        ("ok", "Neth Savoeun"), ("ok", "Peter Sykora")]


def test_review_status_from_keys_and_header_undo_redo(open_window, analysed_db_path, qtbot):
    window = open_window(analysed_db_path)
    assert window.review_label.text() == "Review: 0 of 5 done"
    before = stored_state(analysed_db_path)
    qtbot.keyClick(window.view, Qt.Key.Key_3, CTRL)
    assert window.db.execute("SELECT review_status FROM articles WHERE id = 1"
                             ).fetchone()[0] == "done"
    assert window.review_label.text() == "Review: 1 of 5 done"
    assert window.review_box.status() == "done"
    check_undo_redo(qtbot, window, analysed_db_path, before, "Mark article done")
    undo(qtbot, window)
    assert window.review_label.text() == "Review: 0 of 5 done"
    assert window.review_box.status() == "new"

    window.article_list.select_article(2)
    box = window.review_box
    box.setFocus()
    box.showPopup()
    qtbot.keyClick(box.view(), Qt.Key.Key_Down)
    qtbot.keyClick(box.view(), Qt.Key.Key_Return)
    assert window.db.execute("SELECT review_status FROM articles WHERE id = 2"
                             ).fetchone()[0] == "in progress"
    assert window.review_label.text() == "Review: 0 of 5 done · 1 in progress"
