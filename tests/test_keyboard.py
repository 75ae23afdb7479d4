"""Keyboard-first reading: stepping through passages, quotes and entities,
tagging what the caret is on, the review keys, the shortcuts sheet."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence

from storage import analyses, passages
from tests.test_main_window import click_at, select_with_keys

CTRL, SHIFT = Qt.KeyboardModifier.ControlModifier, Qt.KeyboardModifier.ShiftModifier


def test_f3_steps_through_quotes_and_a_digit_tags_the_quote(open_window, analysed_db_path,
                                                            qtbot):
    window = open_window(analysed_db_path)
    quotes = sorted(analyses.latest_analysis(window.db, 1)["quotes"],
                    key=lambda q: (q["start"], q["end"]))
    assert len(quotes) >= 2
    qtbot.keyClick(window.view, Qt.Key.Key_F3)
    assert window.view.selection_range() == (quotes[0]["start"], quotes[0]["end"])
    qtbot.keyClick(window.view, Qt.Key.Key_F3)
    assert window.view.selection_range() == (quotes[1]["start"], quotes[1]["end"])
    qtbot.keyClick(window.view, Qt.Key.Key_F3, SHIFT)
    assert window.view.selection_range() == (quotes[0]["start"], quotes[0]["end"])
    qtbot.keyClick(window.view, Qt.Key.Key_F3, SHIFT)        # wraps to the last one
    assert window.view.selection_range() == (quotes[-1]["start"], quotes[-1]["end"])
    assert window.statusBar().currentMessage().startswith(
        f"Quote {len(quotes)} of {len(quotes)}: ")            # and says so
    qtbot.keyClick(window.view, Qt.Key.Key_9)
    [row] = passages.passages_for_article(window.db, 1)
    assert (row["start"], row["end"], row["tag"]) == (quotes[-1]["start"], quotes[-1]["end"],
                                                       "Key quote")


def test_f4_steps_through_entities_and_caret_in_an_entity_tags_it(open_window,
                                                                  analysed_db_path, qtbot):
    window = open_window(analysed_db_path)
    entities = sorted(analyses.latest_analysis(window.db, 1)["entities"],
                      key=lambda e: (e["start"], e["end"]))
    qtbot.keyClick(window.view, Qt.Key.Key_F4)
    qtbot.keyClick(window.view, Qt.Key.Key_F4)
    assert window.view.selection_range() == (entities[1]["start"], entities[1]["end"])
    assert window.statusBar().currentMessage().startswith(
        f"Entity 2 of {len(entities)}: {entities[1]['text']} ({entities[1]['label']})")

    # accept an entity as a passage: caret inside it (outside any quote), press a key
    text = window.view.article_text()
    person = text.index("Neth Savoeun")
    click_at(qtbot, window.view, person + 3)
    assert window.view.selection_range() is None
    qtbot.keyClick(window.view, Qt.Key.Key_6)
    [row] = passages.passages_for_article(window.db, 1)
    assert (row["text"], row["tag"]) == ("Neth Savoeun", "Diplomacy")


def test_ctrl_brackets_step_through_passages(open_window, analysed_db_path, qtbot):
    window = open_window(analysed_db_path)
    text = window.view.article_text()
    for words in ("Phnom Penh", "Neth Savoeun"):
        select_with_keys(qtbot, window.view, text.index(words), len(words))
        qtbot.keyClick(window.view, Qt.Key.Key_2)
    first, second = sorted((text.index(w), text.index(w) + len(w))
                           for w in ("Phnom Penh", "Neth Savoeun"))
    click_at(qtbot, window.view, 0)
    qtbot.keyClick(window.view, Qt.Key.Key_BracketRight, CTRL)
    assert window.view.selection_range() == first
    qtbot.keyClick(window.view, Qt.Key.Key_BracketRight, CTRL)
    assert window.view.selection_range() == second
    qtbot.keyClick(window.view, Qt.Key.Key_BracketLeft, CTRL)
    assert window.view.selection_range() == first


def test_ctrl_brackets_reach_every_passage_on_the_same_words(open_window, analysed_db_path,
                                                             qtbot):
    """One quote tagged twice, and two passages starting at one word: each is
    stepped to in turn, forwards and back, and the status line counts it."""
    window = open_window(analysed_db_path)
    text = window.view.article_text()
    start = text.index("Neth Savoeun")
    spans = [(start, start + 12), (start, start + 12), (start, start + 4)]
    for (begin, end), key in zip(spans, (Qt.Key.Key_2, Qt.Key.Key_3, Qt.Key.Key_2)):
        select_with_keys(qtbot, window.view, begin, end - begin)
        qtbot.keyClick(window.view, key)
    shown = window.view.navigable("passage")
    assert len(shown) == 3
    click_at(qtbot, window.view, 0)
    reached = []
    for _ in range(3):
        qtbot.keyClick(window.view, Qt.Key.Key_BracketRight, CTRL)
        reached.append(window.statusBar().currentMessage().split(":")[0])
        assert window.view.selection_range() in spans
    assert reached == ["Passage 1 of 3", "Passage 2 of 3", "Passage 3 of 3"]
    assert window.view.selection_range() == (start, start + 12)
    backwards = []
    for _ in range(3):
        qtbot.keyClick(window.view, Qt.Key.Key_BracketLeft, CTRL)
        backwards.append(window.statusBar().currentMessage().split(":")[0])
    assert backwards == ["Passage 2 of 3", "Passage 1 of 3", "Passage 3 of 3"]


def test_no_quotes_says_so(open_window, tmp_path, qtbot):
    from tests.test_main_window import database_with

    window = open_window(database_with(tmp_path, "Plain", "No quotes here at all."))
    qtbot.keyClick(window.view, Qt.Key.Key_F3)
    assert window.view.selection_range() is None
    assert "no quotes" in window.statusBar().currentMessage()


def test_ctrl_f_focuses_the_article_search(open_window, analysed_db_path, qtbot):
    window = open_window(analysed_db_path)
    window.focus_speakers()                      # even from another tab
    field = window.article_filters.search
    field.setText("old query")
    window.view.setFocus()
    qtbot.keyClick(window.view, Qt.Key.Key_F, CTRL)
    assert window.left_tabs.currentWidget() is window.articles_box
    assert field.hasFocus() and field.selectedText() == "old query"


def test_esc_in_the_article_search_empties_it_and_lists_every_article(open_window,
                                                                     seeded_db_path, qtbot):
    window = open_window(seeded_db_path)
    field = window.article_filters.search
    model = window.article_list.list_model
    qtbot.keyClick(window.view, Qt.Key.Key_F, CTRL)
    qtbot.keyClicks(field, "Sokha")
    qtbot.keyClick(field, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: 0 < model.rowCount() < 5, timeout=5000)
    qtbot.keyClick(field, Qt.Key.Key_Escape)
    assert field.text() == ""
    qtbot.waitUntil(lambda: model.rowCount() == 5, timeout=5000)
    assert field.hasFocus()         # a second Esc is the window's, as before
    qtbot.keyClick(field, Qt.Key.Key_Escape)
    assert model.rowCount() == 5


def test_shortcuts_sheet_lists_every_action_shortcut(open_window, analysed_db_path, qtbot):
    window = open_window(analysed_db_path)
    qtbot.keyClick(window.view, Qt.Key.Key_F1)
    sheet = window.shortcuts_sheet
    assert sheet.isVisible()
    shown = {keys for _group, _what, keys in sheet.rows()}
    actions = [a for a in window.findChildren(QAction) if a.shortcuts()]
    assert len(actions) >= 20
    for action in actions:
        keys = ", ".join(k.toString(QKeySequence.SequenceFormat.NativeText)
                         for k in action.shortcuts())
        assert keys in shown, action.text()
    rows = sheet.rows()
    assert ("Edit", "Undo", "Ctrl+Z") in rows
    assert ("Go", "Next quote", "F3") in rows
    assert ("Tags", "Tag the selection as “Cybercrime”", "1") in rows
    sheet.close()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    qtbot.keyClicks(window.view, "?")
    assert window.shortcuts_sheet.isVisible()


def test_review_mark_is_painted_in_the_article_list(open_window, analysed_db_path, qtbot):
    from widgets.review_status import MARK_COLORS

    window = open_window(analysed_db_path)
    qtbot.keyClick(window.view, Qt.Key.Key_3, CTRL)          # article 1 done
    window.article_list.select_article(2)
    qtbot.keyClick(window.view, Qt.Key.Key_2, CTRL)          # article 2 in progress
    lst = window.article_list
    image = lst.viewport().grab().toImage()
    ratio = image.devicePixelRatio()

    def mark(row: int):
        rect = lst.visualRect(lst.model().index(row, 0))
        return image.pixelColor(int((rect.left() + 1) * ratio),
                                int(rect.center().y() * ratio)).name()
    assert mark(0) == MARK_COLORS["done"]
    assert mark(1) == MARK_COLORS["in progress"]
    assert mark(2) not in MARK_COLORS.values()
    # and in words, not colour alone
    from widgets.article_list import META_ROLE
    metas = [lst.model().index(row, 0).data(META_ROLE) for row in range(3)]
    # (the seeds' file names are only ids: nothing follows the status)
    assert metas[0].split(" · ")[0] == "✓ done"
    assert metas[1].split(" · ")[0] == "◐ in progress"
    assert "done" not in metas[2] and "progress" not in metas[2]
    assert [a["review_status"] for a in __import__("storage").articles.list_articles(
        window.db)] == ["done", "in progress", "new", "new", "new"]


def test_undo_and_redo_keys_with_nothing_to_do_say_so(open_window, seeded_db_path, qtbot):
    """Ctrl+Z with nothing to undo said nothing at all; it says so now, and
    with something to undo it still undoes (no ambiguous key)."""
    window = open_window(seeded_db_path)
    window.view.setFocus()
    qtbot.keyClick(window.view, Qt.Key.Key_Z, CTRL)
    assert window.statusBar().currentMessage() == "Nothing to undo."
    qtbot.keyClick(window.view, Qt.Key.Key_Y, CTRL)
    assert window.statusBar().currentMessage() == "Nothing to redo."
    select_with_keys(qtbot, window.view, 0, 8)
    qtbot.keyClick(window.view, Qt.Key.Key_1)
    qtbot.waitUntil(lambda: passages.passage_count(window.db) == 1, timeout=3000)
    qtbot.keyClick(window.view, Qt.Key.Key_Z, CTRL)
    qtbot.waitUntil(lambda: passages.passage_count(window.db) == 0, timeout=3000)
    qtbot.keyClick(window.view, Qt.Key.Key_Z, CTRL | SHIFT)
    qtbot.waitUntil(lambda: passages.passage_count(window.db) == 1, timeout=3000)
    assert window.statusBar().currentMessage() != "Nothing to redo."


def test_a_tag_key_on_blank_space_says_to_select_words(open_window, analysed_db_path,
                                                       qtbot, monkeypatch):
    """Only the blank line between two paragraphs selected: the tag key
    showed “Range 167–167 is outside the article”, which it was not."""
    from desktop.gui import operations

    boxes = []
    monkeypatch.setattr(operations, "plain_message",
                        lambda _w, title, text, *_: boxes.append(text))
    window = open_window(analysed_db_path)
    gap = window.view.article_text().index("\n\n")
    select_with_keys(qtbot, window.view, gap, 2)
    qtbot.keyClick(window.view, Qt.Key.Key_1)
    assert passages.passages_for_article(window.db, 1) == [] and boxes == []
    assert window.statusBar().currentMessage().startswith("Select some text first")


def test_a_tag_key_in_the_codebook_tags_the_readers_selection(open_window, analysed_db_path,
                                                             qtbot):
    """The codebook's heading says “select text, then press the key”, and
    its Key column shows the keys: pressed there, a key did nothing and
    said nothing."""
    window = open_window(analysed_db_path)
    text = window.view.article_text()
    start = text.index("Neth Savoeun")
    select_with_keys(qtbot, window.view, start, 12)
    tree = window.tag_panel.tree
    item = tree.topLevelItem(5)
    qtbot.mouseClick(tree.viewport(), Qt.MouseButton.LeftButton,
                     pos=tree.visualItemRect(item).center())
    assert tree.hasFocus()
    qtbot.keyClick(tree, Qt.Key.Key_6)
    [stored] = passages.passages_for_article(window.db, 1)
    key_six = next(t for t in window.state.tags if t["shortcut"] == 6)
    assert (stored["start"], stored["end"], stored["tag_id"]) == (start, start + 12,
                                                                    key_six["id"])
    window.view.select_range(start, start)          # nothing selected: said so
    qtbot.keyClick(tree, Qt.Key.Key_6)
    assert window.statusBar().currentMessage().startswith("Select some text first")
