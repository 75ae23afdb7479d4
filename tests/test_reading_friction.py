"""Friction a new user hit, driven with keys and mouse: a click in the
Passages tab keeps the focus there (F2 edits the note, not the article's
title); mouse selections snap to whole words unless Alt is held; a
passage's boundaries moved to the selection (Ctrl+Alt+B), undoably; undo
and redo replace the status message they made stale."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest

from desktop.gui.reading_friction import snapped
from storage import articles, open_database, passages, tags


def test_snapped_moves_out_to_word_edges():
    text = "Police cooperation against crime."
    assert snapped(text, 8, 22) == (7, 26)          # "ooperation agai" → words
    assert snapped(text, 7, 18) == (7, 18)          # already whole
    assert snapped(text, 0, 3) == (0, 6)


def test_snapped_keeps_combining_marks_and_vowel_signs_in_their_words():
    text = "Le cafe\u0301 de la gare"                      # "café", its accent combining
    assert snapped(text, 1, 5) == (0, 8)
    assert snapped(text, 4, 7) == (3, 8)                  # never between e and its accent
    hindi = "पुलिस ने कहा"                                  # vowel signs (categories Mn, Mc)
    assert snapped(hindi, 1, 3) == (0, 5)
    thai = "ตำรวจ กล่าว"                                  # a tone mark (Mn)
    assert snapped(thai, 7, 8) == (6, 11)
    persian = "می\u200cخواهم گفت"                       # a zero-width non-joiner inside
    assert snapped(persian, 1, 2) == (0, 8)


def _tag_one(window):
    text = window.view.article_text()
    start = text.index("Australia")
    tag_id = tags.find_tag(window.db, "Diplomacy")["id"]
    pid = passages.add_passage(window.db, article_id=window.current_id, tag_id=tag_id,
                               start=start, end=start + 9, analyst="a")
    window.refresh_passages()
    return pid, start


def _press_and_drag(view, start: int, end: int, modifier=Qt.KeyboardModifier.NoModifier):
    """Drag over the text from code point ``start`` to ``end``, ``modifier``
    held when the button is released."""
    a = view.cursorRect(view._cursor_for(start, start)).center()
    b = view.cursorRect(view._cursor_for(end, end)).center()
    viewport = view.viewport()
    QTest.mousePress(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, a)
    QTest.mouseMove(viewport, QPoint((a.x() + b.x()) // 2, b.y()))
    QTest.mouseMove(viewport, b)
    QTest.mouseRelease(viewport, Qt.MouseButton.LeftButton, modifier, b)


def test_a_click_in_the_passages_tab_keeps_the_focus_and_f2_edits_the_note(
        open_window, seeded_db_path, qtbot):
    window = open_window(seeded_db_path)
    pid, start = _tag_one(window)
    title = articles.get_article(window.db, window.current_id)["title"]
    window.focus_passages()
    plist = window.passage_list
    item = plist.topLevelItem(0)
    rect = plist.visualItemRect(item)
    QTest.mouseClick(plist.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.waitUntil(lambda: window.view.selection_range() == (start, start + 9), timeout=3000)
    assert plist.hasFocus()
    qtbot.keyClick(plist, Qt.Key.Key_F2)
    editor = plist.focusWidget()
    assert editor is not plist
    qtbot.keyClicks(editor, "a note, not a title")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: passages.get_passage(window.db, pid)["note"]
                    == "a note, not a title", timeout=3000)
    assert articles.get_article(window.db, window.current_id)["title"] == title


def test_tag_then_the_passages_tab_makes_the_new_passage_current_not_the_first(
        open_window, seeded_db_path, qtbot):
    """Tag, Ctrl+Shift+P, F2: the note went on the list's first passage — on
    a team's file, usually a colleague's."""
    window = open_window(seeded_db_path)
    colleagues, _ = _tag_one(window)              # analyst "a", early in the text
    text = window.view.article_text()
    start = text.rindex("Australia")              # later: the list's second row
    assert start > text.index("Australia")
    window.view.select_range(start, start + len("Australia"))
    qtbot.keyClick(window.view, Qt.Key.Key_1)
    [mine] = [p["id"] for p in passages.passages_for_article(window.db, window.current_id)
              if p["id"] != colleagues]
    qtbot.keyClick(window, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier
                   | Qt.KeyboardModifier.ShiftModifier)
    plist = window.passage_list
    assert plist.hasFocus() and plist.passage_ids().index(mine) > 0
    assert plist.currentItem().data(0, Qt.ItemDataRole.UserRole) == mine
    qtbot.keyClick(plist, Qt.Key.Key_F2)
    qtbot.keyClicks(plist.focusWidget(), "my note")
    qtbot.keyClick(plist.focusWidget(), Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: passages.get_passage(window.db, mine)["note"] == "my note",
                    timeout=3000)
    assert passages.get_passage(window.db, colleagues)["note"] == ""


def test_mouse_selections_snap_to_words_and_alt_keeps_the_range(open_window, seeded_db_path,
                                                                qtbot):
    window = open_window(seeded_db_path)
    view = window.view
    text = view.article_text()
    start = text.index("Australia") + 2                 # "stralia to provi"
    _press_and_drag(view, start, start + 16)
    qtbot.waitUntil(lambda: view.selection_range() is not None
                    and view.selection_range()[0] == start - 2, timeout=3000)
    s, e = view.selection_range()
    assert text[s:e] == "Australia to provide"
    cursor = view.textCursor()     # (a press inside a selection would drag it)
    cursor.clearSelection()
    view.setTextCursor(cursor)
    _press_and_drag(view, start, start + 16, Qt.KeyboardModifier.AltModifier)
    qtbot.wait(50)
    s, e = view.selection_range()
    assert (s, e) == (start, start + 16)


def test_passage_boundaries_move_to_the_selection_and_back(open_window, seeded_db_path, qtbot):
    window = open_window(seeded_db_path)
    pid, start = _tag_one(window)
    window.focus_passages()
    window.passage_list.setCurrentItem(window.passage_list.topLevelItem(0))
    text = window.view.article_text()
    wider = text.index("Cambodia asked Australia")
    window.view.select_range(wider, wider + len("Cambodia asked Australia"))
    qtbot.keyClick(window, Qt.Key.Key_B, Qt.KeyboardModifier.ControlModifier
                   | Qt.KeyboardModifier.AltModifier)
    stored = passages.get_passage(window.db, pid)
    assert (stored["start"], stored["text"]) == (wider, "Cambodia asked Australia")
    assert window.undo_stack.undoText() == "Adjust passage boundaries"
    qtbot.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    stored = passages.get_passage(window.db, pid)
    assert (stored["start"], stored["end"], stored["text"]) == (start, start + 9, "Australia")


def test_passage_boundaries_set_to_blank_space_say_what_to_do(open_window, seeded_db_path,
                                                               qtbot, monkeypatch):
    """Only a space selected: Ctrl+Alt+B showed “Range 9–9 is outside the
    article” (it was not) instead of what to select."""
    from desktop.gui import operations

    boxes = []
    monkeypatch.setattr(operations, "plain_message",
                        lambda _w, title, text, *_: boxes.append(text))
    window = open_window(seeded_db_path)
    pid, start = _tag_one(window)
    window.focus_passages()
    window.passage_list.setCurrentItem(window.passage_list.topLevelItem(0))
    space = window.view.article_text().index(" ", start + 9)
    window.view.select_range(space, space + 1)
    qtbot.keyClick(window, Qt.Key.Key_B, Qt.KeyboardModifier.ControlModifier
                   | Qt.KeyboardModifier.AltModifier)
    assert boxes == [] and "only blank space" in window.statusBar().currentMessage()
    assert passages.get_passage(window.db, pid)["start"] == start


def test_undo_replaces_the_message_it_made_stale(open_window, seeded_db_path, qtbot):
    window = open_window(seeded_db_path)
    view = window.view
    text = view.article_text()
    start = text.index("Australia")
    view.select_range(start, start + 9)
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_1)
    assert window.statusBar().currentMessage().startswith("Tagged 9 characters")
    qtbot.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert window.statusBar().currentMessage() == "Undid: Tag as “Cybercrime”."
    qtbot.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier
                   | Qt.KeyboardModifier.ShiftModifier)
    assert window.statusBar().currentMessage() == "Redid: Tag as “Cybercrime”."


def test_a_word_with_a_combining_accent_is_selected_and_tagged_whole(open_window,
                                                                     seeded_db_path, qtbot):
    text = "Le cafe\u0301 de la gare ferme. Les policiers ont arre\u0302te\u0301 un suspect."
    db = open_database(seeded_db_path)
    article_id, _ = articles.add_article(db, title="Accents", text=text)
    db.close()
    window = open_window(seeded_db_path)
    window.article_list.select_article(article_id)
    view = window.view
    _press_and_drag(view, 1, text.index("cafe") + 2)       # from "Le" into "café"
    qtbot.waitUntil(lambda: view.selection_range() == (0, 8), timeout=3000)
    qtbot.keyClick(view, Qt.Key.Key_1)
    [row] = passages.passages_for_article(window.db, article_id)
    assert row["text"] == "Le cafe\u0301"
