"""Auto-tag tags the whole sentence or paragraph around each match when
asked (dialog and CLI); the dialog remembers its tag, mode, scope and
extent, and Esc in its query field does not close it."""

from __future__ import annotations

from PySide6.QtCore import Qt

from desktop import autotag
from desktop.autotag import extent_around
from desktop.cli import main
from storage import open_database, tags

from tests.test_autotag_gui import choose, open_dialog, stored

TEXT = ("Police met on Monday. They agreed on cybercrime training, and on more "
        "cybercrime work! Nothing else.\n\nA second paragraph about cybercrime.")


def test_extent_around_a_match():
    start = TEXT.index("cybercrime")
    assert TEXT[slice(*extent_around(TEXT, start, start + 10, "sentence"))] == (
        "They agreed on cybercrime training, and on more cybercrime work!")
    assert TEXT[slice(*extent_around(TEXT, start, start + 10, "paragraph"))] == (
        "Police met on Monday. They agreed on cybercrime training, and on more "
        "cybercrime work! Nothing else.")
    last = TEXT.rindex("cybercrime")
    assert TEXT[slice(*extent_around(TEXT, last, last + 10, "sentence"))] == (
        "A second paragraph about cybercrime.")


def test_two_matches_in_one_sentence_make_one_passage(db):
    from storage import articles
    article_id, _ = articles.add_article(db, title="T", text=TEXT)
    tag_id = tags.find_tag(db, "Cybercrime")["id"]
    found = autotag.find_candidates(db, autotag.AutoTagRequest(
        tag_id, autotag.PHRASE, "cybercrime", extent="sentence"))
    assert [c["text"] for c in found] == [
        "They agreed on cybercrime training, and on more cybercrime work!",
        "A second paragraph about cybercrime."]


def test_cli_extent_paragraph(seeded_db_path, capsys):
    assert main(["autotag", "--tag", "Cybercrime", "--phrase", "cybercrime", "--extent",
                 "paragraph", "--article", "1", "--db", str(seeded_db_path)]) == 0
    out = capsys.readouterr().out
    db = open_database(seeded_db_path)
    text = db.execute("SELECT text FROM articles WHERE id = 1").fetchone()[0]
    rows = db.execute("SELECT start, end FROM passages").fetchall()
    assert rows and "tagged" in out
    for start, end in rows:                     # whole paragraphs
        assert start == 0 or text[start - 1] == "\n"
        assert end == len(text) or text[end] == "\n"


def test_cli_run_again_says_its_matches_are_tagged_already(seeded_db_path, capsys):
    """A second run said "tagged 0 passages", not why."""
    argv = ["autotag", "--tag", "Cybercrime", "--phrase", "cybercrime", "--article", "1",
            "--db", str(seeded_db_path)]
    assert main(argv) == 0
    first = capsys.readouterr().out.splitlines()[-1]
    assert first.startswith("tagged ") and "already" not in first
    count = int(first.split()[1])
    assert main(argv) == 0
    again = capsys.readouterr().out.splitlines()[-1]
    assert again == (f"tagged 0 passages as “Cybercrime” ({count} "
                     f"match{'es' if count != 1 else ''} tagged so already)")


def test_dialog_tags_sentences_remembers_and_esc_keeps_it_open(qtbot, open_window,
                                                                analysed_db_path):
    window = open_window(analysed_db_path)
    qtbot.waitUntil(lambda: window.current_id == 1)
    dialog = open_dialog(qtbot, window)
    choose(qtbot, dialog.tag_box, "Key quote")
    choose(qtbot, dialog.extent_box, "its whole sentence")
    dialog.query_edit.setFocus()
    qtbot.keyClicks(dialog.query_edit, "cybercrime")
    qtbot.keyClick(dialog.query_edit, Qt.Key.Key_Escape)
    assert dialog.isVisible() and dialog.query_edit.text() == ""
    qtbot.keyClicks(dialog.query_edit, "cybercrime")
    qtbot.waitUntil(lambda: dialog.tag_button.isEnabled(), timeout=10000)
    qtbot.mouseClick(dialog.tag_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.autotag_dialog is None)
    qtbot.waitUntil(lambda: bool(stored(analysed_db_path, "Key quote")), timeout=10000)
    db = open_database(analysed_db_path)
    text = db.execute("SELECT text FROM articles WHERE id = 1").fetchone()[0]
    for _, start, end, passage, _ in stored(analysed_db_path, "Key quote"):
        assert "cybercrime" in passage.lower() and len(passage) > len("cybercrime") + 10
        assert passage.rstrip()[-1] in ".!?”\"’" or end == len(text) or text[end] == "\n"
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    window.view.setFocus()
    again = open_dialog(qtbot, window)
    assert again.tag_box.currentText() == "Key quote"
    assert again.extent_box.currentData() == "sentence"
    assert again.mode_box.currentData() == "phrase" and again.article_button.isChecked()
