"""Edit → Auto-tag…, driven with keys and clicks; assertions on the stored rows."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from storage import open_database
from tests.test_undo import redo, stored_state, undo


def stored(db_path, tag="Cybercrime") -> list[tuple]:
    db = open_database(db_path)
    try:
        return [tuple(r) for r in db.execute(
            "SELECT p.article_id, p.start, p.end, p.text, p.analyst FROM passages p "
            "JOIN tags t ON t.id = p.tag_id WHERE t.name = ? ORDER BY p.article_id, p.start",
            [tag])]
    finally:
        db.close()


def choose(qtbot, box, text: str) -> None:
    """Pick an entry of a combo box with the keyboard."""
    box.setFocus()
    while box.currentText() != text:
        before = box.currentIndex()
        qtbot.keyClick(box, Qt.Key.Key_Down)
        assert box.currentIndex() != before, f"{text!r} not in the list"


def wait_stored(qtbot, window, what: str, timeout: int = 10000) -> None:
    """The worker stored the passages and the undo step is there."""
    qtbot.waitUntil(lambda: window.undo_action.text() == f"&Undo Auto-tag {what}",
                    timeout=timeout)


def open_dialog(qtbot, window):
    qtbot.keyClick(window.view, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier
                   | Qt.KeyboardModifier.ShiftModifier)
    qtbot.waitUntil(lambda: window.autotag_dialog is not None
                    and window.autotag_dialog.isVisible())
    return window.autotag_dialog


def test_auto_tag_a_pattern_across_the_corpus_in_one_undoable_step(
        qtbot, open_window, analysed_db_path):
    window = open_window(analysed_db_path)
    qtbot.waitUntil(lambda: window.current_id == 1)
    before = stored_state(analysed_db_path)
    dialog = open_dialog(qtbot, window)
    assert window.autotag_action.shortcut().toString() == "Ctrl+Shift+A"
    choose(qtbot, dialog.tag_box, "Cybercrime")
    choose(qtbot, dialog.mode_box, "Regular expression")
    qtbot.mouseClick(dialog.corpus_button, Qt.MouseButton.LeftButton)
    assert dialog.corpus_button.isChecked()
    qtbot.keyClicks(dialog.query_edit, r"cyber\w+")
    qtbot.waitUntil(lambda: dialog.tag_button.isEnabled(), timeout=10000)
    assert dialog.count_label.text() == "17 passages to tag in 4 articles."
    assert dialog.tag_button.text() == "Tag 17 passages"
    assert dialog.preview.count() == 17
    assert dialog.preview.item(0).text().startswith("Cambodia asked Australia")
    assert "in the fight against [cybercrime], which is" in dialog.preview.item(0).text()
    assert stored(analysed_db_path) == []          # a preview stores nothing

    qtbot.mouseClick(dialog.tag_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.autotag_dialog is None)
    wait_stored(qtbot, window, "17 passages as “Cybercrime”")
    rows = stored(analysed_db_path)
    assert len(rows) == 17 and {r[0] for r in rows} == {1, 2, 3, 4}
    assert {r[3].lower() for r in rows} == {"cybercrime", "cybersecurity", "cybercrimes"}
    assert {r[4] for r in rows} == {"Test Analyst"}
    assert window.undo_action.text() == "&Undo Auto-tag 17 passages as “Cybercrime”"
    after = stored_state(analysed_db_path)

    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    window.view.setFocus()
    undo(qtbot, window)
    assert stored(analysed_db_path) == []
    assert stored_state(analysed_db_path) == before
    redo(qtbot, window)
    assert stored_state(analysed_db_path) == after


def test_auto_tag_a_speaker_in_the_current_article_skips_what_is_tagged(
        qtbot, open_window, analysed_db_path):
    window = open_window(analysed_db_path)
    qtbot.waitUntil(lambda: window.current_id == 1)
    dialog = open_dialog(qtbot, window)
    assert dialog.article_button.isChecked()        # the current article by default
    choose(qtbot, dialog.tag_box, "Key quote")
    choose(qtbot, dialog.mode_box, "Quotes of a speaker")
    qtbot.keyClicks(dialog.query_edit, "Thong Mengdavid")
    qtbot.keyClick(dialog.query_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.tag_button.isEnabled())
    count = int(dialog.tag_button.text().split()[1])
    assert count == 3 and dialog.count_label.text() == "3 passages to tag in 1 article."
    assert stored(analysed_db_path, "Key quote") == []   # Enter previews, never tags
    qtbot.mouseClick(dialog.tag_button, Qt.MouseButton.LeftButton)
    wait_stored(qtbot, window, "3 passages as “Key quote”")
    rows = stored(analysed_db_path, "Key quote")
    assert len(rows) == count and {r[0] for r in rows} == {1}

    # the same request again finds nothing left to tag
    window.activateWindow()             # the offscreen platform does not give it back
    qtbot.waitUntil(window.isActiveWindow)
    dialog = open_dialog(qtbot, window)
    choose(qtbot, dialog.tag_box, "Key quote")
    choose(qtbot, dialog.mode_box, "Quotes of a speaker")
    qtbot.keyClicks(dialog.query_edit, "Thong Mengdavid")
    qtbot.keyClick(dialog.query_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.count_label.text().startswith("Nothing to tag"))
    assert dialog.count_label.text() == \
        "Nothing to tag: every match (3 matches) has this tag already."
    assert not dialog.tag_button.isEnabled()
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: window.autotag_dialog is None)
    assert len(stored(analysed_db_path, "Key quote")) == count


def test_auto_tag_leaves_out_only_the_analysts_own_passages(
        qtbot, open_window, analysed_db_path):
    from desktop import autotag
    from storage import tags
    db = open_database(analysed_db_path)
    tag = tags.find_tag(db, "Key quote")["id"]
    colleague = autotag.AutoTagRequest(tag, autotag.SPEAKER, "Thong Mengdavid", article_id=1,
                                       analyst="Colleague")
    autotag.insert_passages(db, colleague, autotag.find_candidates(db, colleague),
                            "Colleague")
    db.close()
    window = open_window(analysed_db_path)
    qtbot.waitUntil(lambda: window.current_id == 1)
    dialog = open_dialog(qtbot, window)
    choose(qtbot, dialog.tag_box, "Key quote")
    choose(qtbot, dialog.mode_box, "Quotes of a speaker")
    qtbot.keyClicks(dialog.query_edit, "Thong Mengdavid")
    qtbot.keyClick(dialog.query_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.tag_button.isEnabled())
    assert dialog.count_label.text() == "3 passages to tag in 1 article."
    qtbot.mouseClick(dialog.tag_button, Qt.MouseButton.LeftButton)
    wait_stored(qtbot, window, "3 passages as “Key quote”")
    rows = stored(analysed_db_path, "Key quote")
    assert sorted(r[1:3] for r in rows if r[4] == "Test Analyst") == \
        sorted(r[1:3] for r in rows if r[4] == "Colleague") and len(rows) == 6


def test_matches_whose_article_changed_after_the_preview_are_left_out_and_told(
        qtbot, open_window, analysed_db_path, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    from storage import articles
    told = []
    monkeypatch.setattr(QMessageBox, "exec", lambda box: told.append(box.text()))
    window = open_window(analysed_db_path)
    qtbot.waitUntil(lambda: window.current_id == 1)
    dialog = open_dialog(qtbot, window)
    choose(qtbot, dialog.tag_box, "Cybercrime")
    choose(qtbot, dialog.mode_box, "Regular expression")
    qtbot.mouseClick(dialog.corpus_button, Qt.MouseButton.LeftButton)
    qtbot.keyClicks(dialog.query_edit, r"cyber\w+")
    qtbot.waitUntil(lambda: dialog.tag_button.isEnabled(), timeout=10000)
    assert dialog.tag_button.text() == "Tag 17 passages"
    db = open_database(analysed_db_path)       # a newer version of article 4 comes in
    articles.replace_article_text(db, 4, "Updated. " + articles.get_article(db, 4)["text"])
    db.close()
    qtbot.mouseClick(dialog.tag_button, Qt.MouseButton.LeftButton)
    wait_stored(qtbot, window, "16 passages as “Cybercrime”")
    rows = stored(analysed_db_path)
    assert len(rows) == 16 and 4 not in {r[0] for r in rows}
    assert {r[3].lower() for r in rows} <= {"cybercrime", "cybersecurity", "cybercrimes"}
    assert len(told) == 1 and told[0].startswith(
        "Tagged 16 passages as “Cybercrime”. 1 passage was not tagged: the text of its "
        "article changed since the search; search again to tag it where the words are now.")
    assert "Articles whose text changed:\n4: " in told[0]


def test_an_invalid_pattern_is_explained_and_nothing_is_tagged(
        qtbot, open_window, analysed_db_path):
    window = open_window(analysed_db_path)
    qtbot.waitUntil(lambda: window.current_id == 1)
    dialog = open_dialog(qtbot, window)
    choose(qtbot, dialog.mode_box, "Regular expression")
    qtbot.mouseClick(dialog.corpus_button, Qt.MouseButton.LeftButton)
    qtbot.keyClicks(dialog.query_edit, "cyber(")
    qtbot.waitUntil(lambda: "not a valid regular expression" in dialog.count_label.text(),
                    timeout=10000)
    assert not dialog.tag_button.isEnabled() and dialog.preview.count() == 0
    qtbot.keyClick(dialog.query_edit, Qt.Key.Key_Backspace)
    qtbot.waitUntil(lambda: dialog.tag_button.isEnabled(), timeout=10000)
    assert dialog.tag_button.text() == f"Tag {dialog.preview.count()} passages"
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: window.autotag_dialog is None)
    assert stored(analysed_db_path) == []


def test_every_field_of_the_dialog_has_its_alt_key(open_window, analysed_db_path, qtbot):
    window = open_window(analysed_db_path)
    dialog = open_dialog(qtbot, window)
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow)
    for key, field in ((Qt.Key.Key_T, dialog.tag_box), (Qt.Key.Key_Q, dialog.query_edit),
                       (Qt.Key.Key_F, dialog.mode_box), (Qt.Key.Key_Q, dialog.query_edit)):
        qtbot.keyClick(QApplication.focusWidget(), key, Qt.KeyboardModifier.AltModifier)
        qtbot.waitUntil(field.hasFocus)


def test_false_positives_are_unticked_and_a_match_can_be_looked_at(
        qtbot, open_window, analysed_db_path):
    window = open_window(analysed_db_path)
    dialog = open_dialog(qtbot, window)
    choose(qtbot, dialog.mode_box, "Regular expression")
    qtbot.mouseClick(dialog.corpus_button, Qt.MouseButton.LeftButton)
    qtbot.keyClicks(dialog.query_edit, r"cyber\w+")
    qtbot.waitUntil(lambda: dialog.tag_button.isEnabled(), timeout=10000)
    candidates = dialog.candidates
    preview = dialog.preview
    # the last match is in another article: double-click shows it there
    last = preview.item(preview.count() - 1)
    preview.scrollToItem(last)
    where = preview.visualItemRect(last).center()
    qtbot.mouseClick(preview.viewport(), Qt.MouseButton.LeftButton, pos=where)
    qtbot.mouseDClick(preview.viewport(), Qt.MouseButton.LeftButton, pos=where)
    far = candidates[-1]
    qtbot.waitUntil(lambda: window.current_id == far["article_id"])
    assert window.view.selection_range() == (far["start"], far["end"])
    # Space unticks the first two matches
    preview.setFocus()
    for row in (0, 1):
        preview.setCurrentRow(row)
        qtbot.keyClick(preview, Qt.Key.Key_Space)
    assert dialog.tag_button.text() == f"Tag {len(candidates) - 2} passages"
    qtbot.mouseClick(dialog.tag_button, Qt.MouseButton.LeftButton)
    wait_stored(qtbot, window, f"{len(candidates) - 2} passages as “Cybercrime”")
    rows = {(r[0], r[1], r[2]) for r in stored(analysed_db_path)}
    kept = {(c["article_id"], c["start"], c["end"]) for c in candidates[2:]}
    assert rows == kept


def test_a_speaker_to_auto_tag_is_picked_from_the_names_offered(open_window,
                                                              analysed_db_path, qtbot):
    window = open_window(analysed_db_path)
    dialog = open_dialog(qtbot, window)
    choose(qtbot, dialog.mode_box, "Quotes of a speaker")
    qtbot.mouseClick(dialog.corpus_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.query_edit.completer() is not None, timeout=5000)
    dialog.query_edit.setFocus()
    qtbot.keyClicks(dialog.query_edit, "thong")
    popup = dialog.query_edit.completer().popup()
    qtbot.waitUntil(popup.isVisible)
    qtbot.keyClick(popup, Qt.Key.Key_Down)
    qtbot.keyClick(popup, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.tag_button.isEnabled(), timeout=10000)
    assert dialog.query_edit.text() == "Thong Mengdavid"
    assert dialog.tag_button.text() == "Tag 5 passages"
    dialog.mode_box.setFocus()
    qtbot.keyClick(dialog.mode_box, Qt.Key.Key_Home)     # "Phrase": no names to offer
    assert dialog.query_edit.completer() is None
