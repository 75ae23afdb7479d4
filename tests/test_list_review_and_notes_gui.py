"""The article list filtered by review status and searched in the analyst's
own words (issue 7), driven with mouse and keys in the real window; every
check reads what was stored."""

from __future__ import annotations

from PySide6.QtCore import Qt

from storage import open_database, passages, review
from tests.test_article_list_gui import big_database
from tests.test_notes import open_memo, stored_memo, tag_and_write_note
from widgets.memo_editor import SAVE_DELAY_MS

CTRL = Qt.KeyboardModifier.ControlModifier


def listed(window) -> list[int]:
    model = window.article_list.list_model
    while model.canFetchMore():
        model.fetchMore()
    return [model.article(r)["id"] for r in range(model.rowCount())]


def stored_statuses(db_path) -> dict[int, str]:
    db = open_database(db_path)
    try:
        return dict(db.execute("SELECT id, review_status FROM articles").fetchall())
    finally:
        db.close()


def choose(qtbot, combo, label: str) -> None:
    """Pick an item of a closed combo box with the arrow keys."""
    combo.setFocus()
    target = combo.findText(label)
    assert target >= 0
    while combo.currentIndex() != target:
        key = Qt.Key.Key_Down if combo.currentIndex() < target else Qt.Key.Key_Up
        qtbot.keyClick(combo, key)


def test_review_filter_lists_and_follows_ctrl_3_and_undo(open_window, tmp_path, qtbot):
    path = big_database(tmp_path, 12)
    window = open_window(path)
    bar = window.article_filters
    qtbot.keyClick(window.view, Qt.Key.Key_3, CTRL)           # article 1: done
    assert stored_statuses(path)[1] == "done"

    qtbot.mouseClick(bar.filters_button, Qt.MouseButton.LeftButton)
    choose(qtbot, bar.review, "Not done")
    not_done = sorted(i for i, s in stored_statuses(path).items() if s != "done")
    assert listed(window) == not_done == list(range(2, 13))
    assert bar.count_label.text() == "11 articles match"
    assert window.current_id == 2                             # the first left is opened

    qtbot.keyClick(window.view, Qt.Key.Key_3, CTRL)           # 2 done: it leaves the list
    assert stored_statuses(path)[2] == "done"
    assert listed(window) == list(range(3, 13)) and window.current_id == 3
    assert bar.count_label.text() == "10 articles match"
    assert window.review_label.text().startswith("Review: 2 of 12")  # the progress count

    qtbot.keyClick(window.view, Qt.Key.Key_Z, CTRL)           # undo: it comes back
    assert stored_statuses(path)[2] == "new"
    assert listed(window) == list(range(2, 13)) and window.current_id == 2

    choose(qtbot, bar.review, "Done")
    assert listed(window) == [1]
    qtbot.keyClick(window.view, Qt.Key.Key_2, CTRL)           # in progress: leaves "Done"
    assert stored_statuses(path)[1] == "in progress" and listed(window) == []
    assert window.title_label.text() == "No article matches"
    choose(qtbot, bar.review, "In progress")
    assert listed(window) == [1]
    qtbot.mouseClick(bar.clear_button, Qt.MouseButton.LeftButton)
    assert len(listed(window)) == 12 and bar.review.currentText() == "Any status"


def search_notes(qtbot, window, words: str, scope: str = "Notes") -> None:
    bar = window.article_filters
    choose(qtbot, bar.scope, scope)
    bar.search.setFocus()
    bar.search.selectAll()
    qtbot.keyClicks(bar.search, words)
    qtbot.keyClick(bar.search, Qt.Key.Key_Return)


def test_a_memo_typed_in_the_window_is_found_by_a_notes_search(open_window, analysed_db_path,
                                                               qtbot):
    window = open_window(analysed_db_path)
    qtbot.keyClick(window.view, Qt.Key.Key_Down, Qt.KeyboardModifier.AltModifier)
    assert window.current_id == 2
    memo = open_memo(window)
    qtbot.keyClicks(memo, "Ask the ministry for the raid figures")
    qtbot.waitUntil(lambda: "raid figures" in stored_memo(analysed_db_path, 2),
                    timeout=SAVE_DELAY_MS * 6)

    search_notes(qtbot, window, "ministry figures")
    assert listed(window) == [2] and window.current_id == 2
    assert window.side_tabs.tabText(window.side_tabs.indexOf(memo)) == "Memo ✓ search"
    assert window.view.search_matches() == []                # the text was not searched
    search_notes(qtbot, window, "ministry figures", "Text")  # not in any article's text
    assert listed(window) == []
    search_notes(qtbot, window, "ministr*", "Both")
    db = open_database(analysed_db_path)
    in_text = {r[0] for r in db.execute(
        "SELECT rowid FROM articles_fts WHERE articles_fts MATCH 'ministr*'")}
    db.close()
    assert set(listed(window)) == in_text | {2}


def test_a_passage_note_is_found_and_undoing_it_removes_the_hit(open_window, analysed_db_path,
                                                                qtbot):
    window = open_window(analysed_db_path)
    tag_and_write_note(qtbot, window, "venue of the ceasefire talks")
    search_notes(qtbot, window, "ceasefire")
    assert listed(window) == [1] and window.current_id == 1
    assert window.passage_list.note_matches() == [1]          # the note itself is marked
    qtbot.keyClick(window.view, Qt.Key.Key_Z, CTRL)           # undo the note
    assert passages.get_passage(window.db, 1)["note"] == ""
    assert listed(window) == []                               # the hit is gone
    qtbot.keyClick(window.view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier
                   | Qt.KeyboardModifier.ShiftModifier)       # redo brings it back
    assert listed(window) == [1]
    db = open_database(analysed_db_path)
    db.execute("INSERT INTO passage_notes_fts (passage_notes_fts) VALUES ('integrity-check')")
    assert review.memo(db, 1) == ""
    db.close()
