"""Article → Edit text…: a word added inside a tagged passage keeps the
passage on its words, and what the save did stays on the status line when
the article's analysis ends behind it."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer

from storage import articles, open_database, passages
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
