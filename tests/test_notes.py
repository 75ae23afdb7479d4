"""The article memo (saved as you type, never lost) and passage notes edited
in place, driven with the keyboard; assertions on the stored rows."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialog

from storage import articles, journal, open_database, passages, review, tags
from tests.test_main_window import select_with_keys
from tests.test_undo import pick_from_next_menu, right_click
from widgets.memo_editor import SAVE_DELAY_MS


def stored_memo(db_path, article_id: int) -> str:
    db = open_database(db_path)
    try:
        return review.memo(db, article_id)
    finally:
        db.close()


def open_memo(window):
    window.side_tabs.setCurrentWidget(window.memo_editor)
    window.memo_editor.setFocus()
    return window.memo_editor


def test_memo_is_saved_once_after_typing_stops(open_window, analysed_db_path, qtbot):
    window = open_window(analysed_db_path)
    memo = open_memo(window)
    saves = []
    memo.memoEdited.connect(lambda article_id, text: saves.append((article_id, text)))
    qtbot.keyClicks(memo, "Check the FATF date")
    assert stored_memo(analysed_db_path, 1) == ""          # not on every keystroke
    qtbot.waitUntil(lambda: stored_memo(analysed_db_path, 1) == "Check the FATF date",
                    timeout=SAVE_DELAY_MS * 6)
    assert saves == [(1, "Check the FATF date")]             # one save for the burst
    assert window.side_tabs.tabText(window.side_tabs.indexOf(memo)) == "Memo •"

    # another article shows its own (empty) memo; back again shows the saved one
    qtbot.keyClick(window.view, Qt.Key.Key_Down, Qt.KeyboardModifier.AltModifier)
    assert window.current_id == 2 and memo.toPlainText() == ""
    qtbot.keyClick(window.view, Qt.Key.Key_Up, Qt.KeyboardModifier.AltModifier)
    assert memo.toPlainText() == "Check the FATF date"


def test_memo_typed_just_before_switching_article_is_kept(open_window, analysed_db_path,
                                                          qtbot):
    window = open_window(analysed_db_path)
    memo = open_memo(window)
    qtbot.keyClicks(memo, "source is a press release")
    assert memo.pending()
    qtbot.keyClick(memo, Qt.Key.Key_Down, Qt.KeyboardModifier.AltModifier)
    assert window.current_id == 2
    assert stored_memo(analysed_db_path, 1) == "source is a press release"
    assert stored_memo(analysed_db_path, 2) == ""


def tag_and_write_note(qtbot, window, note: str) -> None:
    """Tag "Phnom Penh" with key 6, then write ``note`` on that passage in
    place (right-click → Edit note…, type, Enter) and wait until it is stored."""
    text = window.view.article_text()
    select_with_keys(qtbot, window.view, text.index("Phnom Penh"), 10)
    qtbot.keyClick(window.view, Qt.Key.Key_6)
    plist = window.passage_list
    item = plist.topLevelItem(0)
    pick_from_next_menu(["Edit note…"])
    right_click(plist.viewport(), plist.visualItemRect(item).center())
    qtbot.waitUntil(lambda: plist.state() == plist.State.EditingState)
    editor = QApplication.focusWidget()
    qtbot.keyClicks(editor, note)
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: passages.get_passage(window.db, 1)["note"] == note)


def test_memo_typed_just_before_closing_is_kept(open_window, analysed_db_path, qtbot):
    window = open_window(analysed_db_path)
    memo = open_memo(window)
    qtbot.keyClicks(memo, "last thought")
    window.close()
    assert stored_memo(analysed_db_path, 1) == "last thought"


def test_passage_note_edited_in_place_from_the_context_menu(open_window, analysed_db_path,
                                                            qtbot):
    window = open_window(analysed_db_path)
    tag_and_write_note(qtbot, window, "venue of the talks")
    assert window.undo_action.text() == "&Undo Edit note"


def test_memo_writing_is_one_undo_step_from_anywhere(open_window, analysed_db_path, qtbot):
    window = open_window(analysed_db_path)
    memo = open_memo(window)
    qtbot.keyClicks(memo, "Check the FATF date")
    qtbot.waitUntil(lambda: stored_memo(analysed_db_path, 1) == "Check the FATF date",
                    timeout=SAVE_DELAY_MS * 6)
    qtbot.keyClicks(memo, " and the MoU")               # a second save of the same memo
    qtbot.waitUntil(lambda: not memo.pending(), timeout=SAVE_DELAY_MS * 6)
    assert stored_memo(analysed_db_path, 1) == "Check the FATF date and the MoU"
    assert window.undo_action.text() == "&Undo Edit memo"
    # on to the next article and into the reader: the window's Ctrl+Z goes
    # back to article 1 and takes the whole stretch of writing back
    qtbot.keyClick(memo, Qt.Key.Key_Down, Qt.KeyboardModifier.AltModifier)
    window.view.setFocus()
    qtbot.keyClick(window.view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert stored_memo(analysed_db_path, 1) == ""
    assert window.current_id == 1 and memo.toPlainText() == ""
    assert window.side_tabs.tabText(window.side_tabs.indexOf(memo)) == "Memo"
    qtbot.keyClick(window.view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier
                   | Qt.KeyboardModifier.ShiftModifier)
    assert stored_memo(analysed_db_path, 1) == "Check the FATF date and the MoU"
    assert memo.toPlainText() == "Check the FATF date and the MoU"


def test_ctrl_z_in_a_memo_with_nothing_typed_undoes_the_windows_last_change(
        open_window, analysed_db_path, qtbot):
    """In a memo just opened, Ctrl+Z went to the editor's own (empty) undo:
    nothing happened and nothing was said. It is the window's Undo then."""
    window = open_window(analysed_db_path)
    window.view.select_range(0, 8)
    window.view.setFocus()
    qtbot.keyClick(window.view, Qt.Key.Key_1)
    assert passages.passages_for_article(window.db, 1)
    memo = open_memo(window)
    qtbot.keyClick(memo, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert passages.passages_for_article(window.db, 1) == []
    qtbot.keyClicks(memo, "To check")                    # typing: the memo's own undo
    qtbot.keyClick(memo, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert memo.toPlainText() == "" and passages.passages_for_article(window.db, 1) == []


def test_a_memo_typed_and_erased_leaves_no_undo_of_someone_elses_change(
        open_window, analysed_db_path, qtbot):
    """Typed, saved, erased back to what it was and saved again: the merged
    step changed nothing and is gone, and so is its Edit → Undo entry —
    Ctrl+Z then undid the next step anyone made (here a colleague's rename)."""
    window = open_window(analysed_db_path)
    memo = open_memo(window)
    qtbot.keyClicks(memo, "draft")
    qtbot.waitUntil(lambda: stored_memo(analysed_db_path, 1) == "draft",
                    timeout=SAVE_DELAY_MS * 6)
    for _ in "draft":
        qtbot.keyClick(memo, Qt.Key.Key_Backspace)
    qtbot.waitUntil(lambda: not memo.pending() and stored_memo(analysed_db_path, 1) == "",
                    timeout=SAVE_DELAY_MS * 6)
    assert not window.undo_stack.canUndo()
    colleague = open_database(analysed_db_path)
    tag_id = colleague.execute("SELECT id FROM tags ORDER BY id").fetchone()[0]
    with journal.step(colleague, "Rename tag", origin="colleague"):
        tags.rename_tag(colleague, tag_id, "Colleague's name")
    colleague.close()
    window.view.setFocus()
    qtbot.keyClick(window.view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    check = open_database(analysed_db_path)
    assert tags.get_tag(check, tag_id)["name"] == "Colleague's name"
    check.close()


def test_leaving_the_memo_saves_it(open_window, analysed_db_path, qtbot):
    window = open_window(analysed_db_path)
    memo = open_memo(window)
    qtbot.keyClicks(memo, "ask the embassy")
    assert memo.pending()
    window.view.setFocus()
    qtbot.waitUntil(lambda: not memo.hasFocus())
    assert not memo.pending() and stored_memo(analysed_db_path, 1) == "ask the embassy"


def test_a_memo_changed_elsewhere_shows_in_the_memo_tab_and_typing_adds_to_it(
        open_window, analysed_db_path, qtbot):
    """A colleague's memo (another window, a hub sync) was not shown, and
    the analyst's typing then saved over it: only the new words were left.
    Here it comes with a text correction (whose refresh returned early)."""
    window = open_window(analysed_db_path)
    memo = open_memo(window)
    text = window.view.article_text()
    other = open_database(analysed_db_path)
    review.set_memo(other, 1, "colleague's memo")
    articles.replace_article_text(other, 1, "Breaking: " + text)
    other.close()
    assert window.controllers.backups.check_external_changes()
    assert memo.toPlainText() == "colleague's memo"
    assert window.side_tabs.tabText(window.side_tabs.indexOf(memo)) == "Memo •"
    memo.moveCursor(memo.textCursor().MoveOperation.End)
    qtbot.keyClicks(memo, " and mine")
    qtbot.waitUntil(lambda: not memo.pending(), timeout=SAVE_DELAY_MS * 6)
    assert stored_memo(analysed_db_path, 1) == "colleague's memo and mine"


def test_a_memo_changed_elsewhere_while_the_analyst_types_keeps_both(
        open_window, analysed_db_path, qtbot):
    """The colleague's memo arrives between two saves of the analyst's
    typing: apart, both changes are merged; at the same place, both versions
    are kept, the analyst's last, and shown."""
    window = open_window(analysed_db_path)
    memo = open_memo(window)
    qtbot.keyClicks(memo, "Check the date.")
    qtbot.waitUntil(lambda: not memo.pending(), timeout=SAVE_DELAY_MS * 6)
    qtbot.keyClicks(memo, " Ask the embassy.")
    assert memo.pending()
    other = open_database(analysed_db_path)
    review.set_memo(other, 1, "Source: AKP. Check the date.")
    other.close()
    assert window.controllers.backups.check_external_changes()
    assert memo.toPlainText() == "Check the date. Ask the embassy."    # typing kept
    memo.flush()
    merged = "Source: AKP. Check the date. Ask the embassy."
    assert stored_memo(analysed_db_path, 1) == merged
    assert memo.toPlainText() == merged
    qtbot.keyClicks(memo, " Call back.")           # typed on the merged memo
    other = open_database(analysed_db_path)
    review.set_memo(other, 1, "Source: AKP. Check the date. Ask the embassy. Done.")
    other.close()
    assert window.controllers.backups.check_external_changes()
    memo.flush()
    both = ("Source: AKP. Check the date. Ask the embassy. Done.\n\n"
            "Source: AKP. Check the date. Ask the embassy. Call back.")
    assert stored_memo(analysed_db_path, 1) == both
    assert memo.toPlainText() == both and not memo.pending()
    assert "both versions" in window.statusBar().currentMessage()


def test_tab_leaves_the_memo_and_writes_nothing_in_it(open_window, analysed_db_path, qtbot):
    """Tabbing through the window must not trap the focus in the memo and
    store tab characters the analyst never sees (a keyboard user's walk)."""
    window = open_window(analysed_db_path)
    memo = open_memo(window)
    qtbot.keyClicks(memo, "ask the embassy")
    qtbot.keyClick(memo, Qt.Key.Key_Tab)
    qtbot.waitUntil(lambda: not memo.hasFocus())
    assert stored_memo(analysed_db_path, 1) == "ask the embassy"
    memo.setFocus()
    qtbot.keyClick(memo, Qt.Key.Key_Backtab, Qt.KeyboardModifier.ShiftModifier)
    qtbot.waitUntil(lambda: not memo.hasFocus())
    assert "\t" not in memo.toPlainText()


def test_no_article_listed_leaves_nothing_to_write_in(open_window, analysed_db_path, qtbot):
    window = open_window(analysed_db_path)
    bar = window.article_filters
    bar.search.setFocus()
    qtbot.keyClicks(bar.search, "nonexistentword")
    qtbot.keyClick(bar.search, Qt.Key.Key_Return)
    assert window.current_id is None
    memo = window.memo_editor
    assert not memo.isEnabled() and memo.toPlainText() == "" and memo.article_id is None
    assert not window.review_box.isEnabled() and not window.details_button.isEnabled()
    bar.search.clear()                                 # all articles again
    qtbot.waitUntil(lambda: window.current_id is not None)
    assert memo.isEnabled() and window.review_box.isEnabled()


def tag_then_go_to_passages(qtbot, window):
    """Tag "Phnom Penh" with key 6 by keyboard, then Ctrl+Shift+P to the
    Passages tab; returns the passage list."""
    text = window.view.article_text()
    select_with_keys(qtbot, window.view, text.index("Phnom Penh"), 10)
    qtbot.keyClick(window.view, Qt.Key.Key_6)
    ctrl_shift = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    qtbot.keyClick(window.view, Qt.Key.Key_P, ctrl_shift)          # to the Passages tab
    return window.passage_list


def test_a_passage_note_by_keyboard_alone(open_window, analysed_db_path, qtbot, monkeypatch):
    asked = []
    monkeypatch.setattr("desktop.gui.passages_controller.confirm_delete_passage",
                        lambda _parent, passage: asked.append(passage["id"]) or True)
    window = open_window(analysed_db_path)
    plist = tag_then_go_to_passages(qtbot, window)
    assert plist.hasFocus() and plist.currentItem() is plist.topLevelItem(0)
    qtbot.keyClick(plist, Qt.Key.Key_F2)              # F2 is Edit details… elsewhere
    qtbot.waitUntil(lambda: plist.state() == plist.State.EditingState)
    assert window.findChild(QDialog) is None or not window.findChild(QDialog).isVisible()
    editor = QApplication.focusWidget()
    qtbot.keyClicks(editor, "where the talks were held")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: passages.get_passage(window.db, 1)["note"]
                    == "where the talks were held")
    tip = plist.topLevelItem(0).toolTip(plist.NOTE_COLUMN)
    assert "where the talks were held" in tip                  # the whole note on hover
    # the row just annotated stays current: F2 again fixes a typo in the note
    # (not the article's Edit details…), Delete then deletes that passage
    qtbot.waitUntil(lambda: plist.state() != plist.State.EditingState)
    assert plist.currentItem() is plist.topLevelItem(0)
    qtbot.keyClick(plist, Qt.Key.Key_F2)
    qtbot.waitUntil(lambda: plist.state() == plist.State.EditingState)
    editor = QApplication.focusWidget()
    editor.selectAll()
    qtbot.keyClicks(editor, "where the talks took place")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: passages.get_passage(window.db, 1)["note"]
                    == "where the talks took place")
    assert not any(d.isVisible() for d in window.findChildren(QDialog))
    qtbot.waitUntil(lambda: plist.state() != plist.State.EditingState)
    qtbot.keyClick(plist, Qt.Key.Key_Delete)
    qtbot.waitUntil(lambda: passages.get_passage(window.db, 1) is None)
    assert asked == [1]


def _coded(db_path, *coded: tuple[int, int, str]) -> tuple[int, list[int]]:
    """Passages of 8 characters under the seeded file's first tag, one per
    ``(article_id, start, analyst)``: the tag's id and the passages' ids."""
    from storage import tags

    db = open_database(db_path)
    tag_id = tags.list_tags(db)[0]["id"]
    ids = [passages.add_passage(db, article_id=article_id, tag_id=tag_id, start=start,
                                end=start + 8, analyst=analyst)
           for article_id, start, analyst in coded]
    db.close()
    return tag_id, ids


def _analyst_column_on(window, qtbot, article_id: int, rows: int):
    """The window's Passages list once it shows ``article_id``'s ``rows``
    passages, and its Analyst column's index."""
    plist = window.passage_list
    window.article_list.select_article(article_id)
    qtbot.waitUntil(lambda: window.current_id == article_id
                    and plist.topLevelItemCount() == rows)
    return plist, plist.ANALYST_COLUMN


def test_the_passages_tab_names_the_analyst_when_there_are_several(open_window,
                                                                      seeded_db_path, qtbot):
    """Two analysts' copies of a passage would otherwise be two identical
    rows. In a file several analysts coded, the Analyst column is there on
    every article, fitted to their names: it does not come and go from
    article to article, nor when a tag is saved on a colleague's article
    (which moved every column, inside the save)."""
    _coded(seeded_db_path, (1, 0, "ana"), (1, 0, "benedetta"), (2, 0, "ana"))
    window = open_window(seeded_db_path)
    plist, column = _analyst_column_on(window, qtbot, 1, 2)
    header = plist.header()
    assert not plist.isColumnHidden(column)
    assert sorted(plist.topLevelItem(i).text(column) for i in range(2)) == ["ana", "benedetta"]
    assert header.sectionSize(column) > plist.fontMetrics().horizontalAdvance("benedetta")
    widths = [header.sectionSize(c) for c in range(header.count())]
    window.article_list.select_article(2)         # one analyst's article of the same file
    qtbot.waitUntil(lambda: plist.topLevelItemCount() == 1)
    assert not plist.isColumnHidden(column)
    assert [header.sectionSize(c) for c in range(header.count())] == widths
    # the window's analyst tags ana's article: a row more, no column moved
    # but the Analyst column's, once, for a name it had not shown
    text = window.view.article_text()
    select_with_keys(qtbot, window.view, text.index(" ") + 1, 6)
    qtbot.keyClick(window.view, Qt.Key.Key_1)
    qtbot.waitUntil(lambda: plist.topLevelItemCount() == 2)
    me = window.preferences.analyst
    assert me in {plist.topLevelItem(i).text(column) for i in range(2)}
    assert header.sectionSize(column) >= plist.fontMetrics().horizontalAdvance(me)
    widths = [header.sectionSize(c) for c in range(header.count())]
    select_with_keys(qtbot, window.view, text.index(" ") + 1, 6)
    qtbot.keyClick(window.view, Qt.Key.Key_2)
    qtbot.waitUntil(lambda: plist.topLevelItemCount() == 3)
    assert [header.sectionSize(c) for c in range(header.count())] == widths
    stored = passages.passages_for_article(window.db, 2)
    assert sorted(p["analyst"] for p in stored) == sorted(["ana", me, me])
    # only ana's passages shown (View → Passages): one analyst, no column
    window.passage_visibility.set_mode("chosen", ["ana"])
    qtbot.waitUntil(lambda: plist.topLevelItemCount() == 1)
    assert plist.isColumnHidden(column)


def test_the_analyst_column_goes_with_the_last_passage_of_the_second_analyst(
        open_window, seeded_db_path, qtbot, monkeypatch):
    """Deleting a colleague's last passage (the Delete key in the Passages
    tab) leaves one analyst in the file: the column goes at once. Undone, it
    comes back; a list with no article shows none."""
    monkeypatch.setattr("desktop.gui.passages_controller.confirm_delete_passage",
                        lambda _parent, _passage: True)
    _coded(seeded_db_path, (1, 0, "ana"), (1, 10, "ben"))
    window = open_window(seeded_db_path)
    plist, column = _analyst_column_on(window, qtbot, 1, 2)
    assert not plist.isColumnHidden(column)
    row = next(i for i in range(2) if plist.topLevelItem(i).text(column) == "ben")
    plist.setFocus()
    plist.setCurrentItem(plist.topLevelItem(row))
    qtbot.keyClick(plist, Qt.Key.Key_Delete)
    qtbot.waitUntil(lambda: plist.topLevelItemCount() == 1)
    assert [p["analyst"] for p in passages.passages_for_article(window.db, 1)] == ["ana"]
    assert plist.isColumnHidden(column)
    qtbot.keyClick(window.view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: plist.topLevelItemCount() == 2)
    assert not plist.isColumnHidden(column)
    window.article_list.select_article(2)         # no passages, a file of two analysts
    qtbot.waitUntil(lambda: window.current_id == 2)
    assert plist.topLevelItemCount() == 0 and not plist.isColumnHidden(column)
    window.controllers.reader.show_nothing()
    assert plist.isColumnHidden(column)


def test_the_analyst_column_follows_changes_to_other_articles(open_window, seeded_db_path,
                                                              qtbot):
    """Another program takes away the second analyst's passages on another
    article (or brings a second analyst in): the column of the article shown
    goes (or comes) with that commit, not at the next article opened."""
    from storage import journal

    tag_id, (_anas, bens) = _coded(seeded_db_path, (1, 0, "ana"), (2, 0, "ben"))
    window = open_window(seeded_db_path)
    plist, column = _analyst_column_on(window, qtbot, 1, 1)
    assert not plist.isColumnHidden(column)        # ben coded article 2
    other = open_database(seeded_db_path)
    with journal.step(other, "Delete passage", analyst="ben", origin="another window"):
        passages.delete_passage(other, bens)
    assert window.check_external_changes()
    assert window.current_id == 1
    assert plist.isColumnHidden(column)
    with journal.step(other, "Tag passage", analyst="chea", origin="another window"):
        passages.add_passage(other, article_id=3, tag_id=tag_id, start=0, end=8,
                             analyst="chea")
    other.close()
    assert window.check_external_changes()
    assert window.current_id == 1
    assert not plist.isColumnHidden(column)


def test_a_file_one_analyst_coded_shows_no_analyst_column(open_window, seeded_db_path,
                                                          qtbot):
    _coded(seeded_db_path, (1, 0, "ana"))
    plist, column = _analyst_column_on(open_window(seeded_db_path), qtbot, 1, 1)
    assert plist.isColumnHidden(column)


def test_a_note_being_typed_is_saved_when_another_article_is_clicked(
        open_window, analysed_db_path, qtbot):
    """Clicking another article while a note is typed saves the note and
    opens that article at the first click (the note's save used to take
    the reader back to the note's article: a second click was needed)."""
    from tests.test_session import click_row

    window = open_window(analysed_db_path)
    first = window.current_id
    text = window.view.article_text()
    plist = tag_then_go_to_passages(qtbot, window)
    qtbot.keyClick(plist, Qt.Key.Key_F2)
    qtbot.waitUntil(lambda: plist.state() == plist.State.EditingState)
    qtbot.keyClicks(QApplication.focusWidget(), "check the date")
    click_row(qtbot, window.article_list, 2)
    other = window.article_list.list_model.article(2)["id"]
    assert other != first
    qtbot.waitUntil(lambda: passages.get_passage(window.db, 1)["note"] == "check the date")
    qtbot.wait(50)                          # the save's refresh has run
    assert window.current_id == other
    assert window.article_list.currentIndex().row() == 2
    assert window.view.article_text() != text
    # the save is one undo step, and its undo shows the note's article
    window.undo_action.trigger()
    qtbot.waitUntil(lambda: passages.get_passage(window.db, 1)["note"] in ("", None))
    assert window.current_id == first


def _typing_a_note(qtbot, window, words: str):
    plist = tag_then_go_to_passages(qtbot, window)
    qtbot.keyClick(plist, Qt.Key.Key_F2)
    qtbot.waitUntil(lambda: plist.state() == plist.State.EditingState)
    editor = QApplication.focusWidget()
    qtbot.keyClicks(editor, words)
    return plist, editor


def test_a_note_being_typed_is_kept_when_alt_down_opens_the_next_article(
        open_window, analysed_db_path, qtbot):
    """Go → Next article from the note's editor: the list is refilled with
    the next article's passages, and the editor went with what was typed."""
    window = open_window(analysed_db_path)
    first = window.current_id
    plist, editor = _typing_a_note(qtbot, window, "ask the prosecutor")
    qtbot.keyClick(editor, Qt.Key.Key_Down, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: window.current_id != first)
    qtbot.waitUntil(lambda: passages.get_passage(window.db, 1)["note"] == "ask the prosecutor")
    qtbot.wait(50)                          # the save's refresh has run
    assert plist.state() != plist.State.EditingState
    assert window.current_id != first       # the next article stays open


def test_a_note_being_typed_is_kept_when_a_colleague_changes_the_articles_passages(
        open_window, analysed_db_path, qtbot):
    """Another window deletes another passage of the article meanwhile: the
    list is refilled when that change is seen, the note stored first."""
    window = open_window(analysed_db_path)
    article = window.current_id
    other = open_database(analysed_db_path)
    tag_id = other.execute("SELECT id FROM tags ORDER BY id LIMIT 1").fetchone()[0]
    theirs = passages.add_passage(other, article_id=article, tag_id=tag_id, start=0, end=4,
                                  analyst="colleague")
    window.controllers.backups.check_external_changes()
    qtbot.waitUntil(lambda: theirs in window.passage_list.passage_ids())
    plist, editor = _typing_a_note(qtbot, window, "date not confirmed")
    mine = next(i for i in plist.passage_ids() if i != theirs)
    passages.delete_passage(other, theirs)
    other.close()
    window.controllers.backups.check_external_changes()
    qtbot.waitUntil(lambda: theirs not in plist.passage_ids())
    qtbot.waitUntil(lambda: passages.get_passage(window.db, mine)["note"] == "date not confirmed")
