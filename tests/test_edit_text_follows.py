"""Article → Edit text…: a word added inside a tagged passage keeps the
passage on its words, and what the save did stays on the status line when
the article's analysis ends behind it."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt, QTimer

from storage import articles, journal, open_database, passages
from tests.test_undo import tag_words


def edit_text(window, new_text: str) -> None:
    """Open Edit text… and save ``new_text`` as an analyst would."""
    def in_dialog() -> None:
        from widgets.text_edit_dialog import TextEditDialog
        dialog = window.findChild(TextEditDialog)
        dialog.editor.setPlainText(new_text)
        dialog.accept()
    QTimer.singleShot(200, in_dialog)
    window.edit_text_action.trigger()


def test_a_word_added_inside_a_passage_keeps_it_on_its_words(open_window, analysed_db_path,
                                                             qtbot):
    window = open_window(analysed_db_path)
    old_text = window.view.article_text()
    end = old_text.index(".", old_text.index("Neth Savoeun")) + 1
    sentence = old_text[old_text.index("Neth Savoeun"):end]
    words = sentence.split()
    assert len(words) >= 5
    tag_words(qtbot, window, sentence, Qt.Key.Key_9)
    edited = " ".join(words[:3] + ["(corrected)"] + words[3:])
    edit_text(window, old_text.replace(sentence, edited))
    [row] = passages.passages_for_article(window.db, 1)
    assert row["anchor"] != "orphaned" and row["text"] == edited
    assert window.view.passage_ranges_shown() == [(row["start"], row["end"])]
    message = window.statusBar().currentMessage()
    assert message.startswith("Text saved:") and "0 no longer found" in message
    # the dialog is gone with its text (each edit kept one, a child of the window)
    from PySide6.QtCore import QCoreApplication, QEvent

    from widgets.text_edit_dialog import TextEditDialog
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    assert window.findChildren(TextEditDialog) == []
    # the article's analysis ends behind the edit: its note does not hide it
    window.controllers.analysis.process.worker.finished.emit(1)
    assert window.statusBar().currentMessage() == message
    window.statusBar().clearMessage()
    window.controllers.analysis.process.worker.finished.emit(1)
    assert window.statusBar().currentMessage() == "Analysed 1 article."


def test_edit_text_starts_from_the_text_another_window_just_corrected(open_window,
                                                                      analysed_db_path, qtbot):
    window = open_window(analysed_db_path)
    old = window.view.article_text()
    other = open_database(analysed_db_path)
    articles.replace_article_text(other, 1, "UPDATED: " + old)
    other.close()
    opened = []

    def in_dialog() -> None:     # the analyst adds a word at the end, and saves
        from widgets.text_edit_dialog import TextEditDialog
        dialog = window.findChild(TextEditDialog)
        opened.append(dialog.text())
        dialog.editor.moveCursor(dialog.editor.textCursor().MoveOperation.End)
        dialog.editor.insertPlainText(" (fixed)")
        dialog.accept()
    QTimer.singleShot(200, in_dialog)
    # before the window's next look for other windows' commits
    window.edit_text_action.trigger()
    assert opened == ["UPDATED: " + old]
    assert articles.get_article(window.db, 1)["text"] == "UPDATED: " + old + " (fixed)"


def type_in_edit_text(window, qtbot, keys: str = "", *, at_start: bool = False) -> None:
    """Open Edit text…, type ``keys`` at the text's end (or start), and Save."""
    def in_dialog() -> None:
        from widgets.text_edit_dialog import TextEditDialog
        dialog = window.findChild(TextEditDialog)
        qtbot.keyClick(dialog.editor, Qt.Key.Key_Home if at_start else Qt.Key.Key_End,
                       Qt.KeyboardModifier.ControlModifier)
        if keys:
            qtbot.keyClicks(dialog.editor, keys)
        dialog.accept()
    QTimer.singleShot(200, in_dialog)
    window.edit_text_action.trigger()


def _open_article_with_no_break_spaces(window) -> int:
    [article_id] = [i for i, text in articles.article_texts(window.db) if "\xa0" in text][:1]
    window.article_list.select_article(article_id)
    return article_id


def test_edit_text_saved_unchanged_keeps_no_break_spaces_and_writes_no_step(
        open_window, seeded_db_path, qtbot):
    window = open_window(seeded_db_path)
    article_id = _open_article_with_no_break_spaces(window)
    before = articles.get_article(window.db, article_id)["text"]
    step = journal.last_step_id(window.db)
    type_in_edit_text(window, qtbot)
    assert articles.get_article(window.db, article_id)["text"] == before
    assert journal.last_step_id(window.db) == step


def test_a_typo_fixed_elsewhere_keeps_no_break_spaces_and_passages_on_them(
        open_window, seeded_db_path, qtbot):
    window = open_window(seeded_db_path)
    article_id = _open_article_with_no_break_spaces(window)
    text = window.view.article_text()
    space = text.index("\xa0")
    start, end = text.rindex(" ", 0, space - 20) + 1, text.index(" ", space + 5)
    window.view.select_range(start, end)
    qtbot.keyClick(window.view, Qt.Key.Key_1)
    type_in_edit_text(window, qtbot, "X", at_start=True)
    assert articles.get_article(window.db, article_id)["text"] == "X" + text
    [row] = passages.passages_for_article(window.db, article_id)
    assert row["anchor"] != "orphaned" and row["text"] == text[start:end]


def test_paragraph_and_line_separators_survive_an_edit_elsewhere(open_window, seeded_db_path,
                                                                  qtbot):
    text = ("Phnom\xa0Penh, 3 June.\u2029A paragraph ended by U+2029;\u2028a line broken "
            "by U+2028,\ta tab and 👮\u200d♀️.\n\nThe last paragraph.")
    db = open_database(seeded_db_path)
    article_id, _ = articles.add_article(db, title="Separators", text=text)
    db.close()
    window = open_window(seeded_db_path)
    window.article_list.select_article(article_id)
    type_in_edit_text(window, qtbot, " (fixed)")
    assert articles.get_article(window.db, article_id)["text"] == text + " (fixed)"


def test_the_lede_stays_when_the_next_paragraph_is_corrected_and_undone(open_window,
                                                                       seeded_db_path, qtbot):
    window = open_window(seeded_db_path)
    window.article_list.select_article(1)
    text = window.view.article_text()
    lede = text[:text.index("\n")]
    window.view.select_range(0, len(lede))
    qtbot.keyClick(window.view, Qt.Key.Key_1)
    [tagged] = passages.passages_for_article(window.db, 1)
    assert text[len(lede):].startswith("\n\nThe request")
    edit_text(window, text.replace("\n\nThe request", "\n\nThis request", 1))
    assert "0 no longer found" in window.statusBar().currentMessage()
    [row] = passages.passages_for_article(window.db, 1)
    assert (row["start"], row["end"], row["text"], row["anchor"]) == (0, len(lede), lede, "ok")
    window.undo_action.trigger()
    assert passages.passages_for_article(window.db, 1) == [tagged]
    window.redo_action.trigger()
    assert passages.passages_for_article(window.db, 1) == [row]


def _word_at_top(view) -> int:
    return view._offsets.from_utf16(view.cursorForPosition(QPoint(0, 0)).position())


def _at_top(view, offset: int) -> bool:
    """Whether the line holding ``offset`` is the reader's top line (the
    highlights of a stale analysis gone, the lines may wrap elsewhere)."""
    top, bottom = view.vertical_span(offset, offset + 1)
    return top <= 0 < bottom


def test_edit_text_and_its_undo_and_redo_keep_the_words_at_the_readers_top(
        open_window, analysed_db_path, qtbot):
    """A word fixed below the reader's top edge: after Save, Ctrl+Z and
    Ctrl+Shift+Z the words at the top edge before each are there still (the
    reader went back to the article's start each time)."""
    window = open_window(analysed_db_path)
    view = window.view
    text = view.article_text()
    bar = view.verticalScrollBar()
    view.setFixedHeight(120)
    qtbot.waitUntil(lambda: bar.maximum() > 0, timeout=5000)
    bar.setValue(bar.maximum() // 2)
    below = text.index(" ", len(text) - 40)
    edited = text[:below] + " indeed" + text[below:]
    for act, shown in ((lambda: edit_text(window, edited), edited),
                       (window.undo_action.trigger, text),
                       (window.redo_action.trigger, edited)):
        top = _word_at_top(view)
        assert top > 0 and _at_top(view, top)
        act()
        qtbot.waitUntil(lambda shown=shown: view.article_text() == shown, timeout=5000)
        qtbot.wait(100)         # (the highlights of its analysis, if current, after)
        assert _at_top(view, top)
