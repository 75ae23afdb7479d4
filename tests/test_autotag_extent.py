"""Auto-tag tags the whole sentence or paragraph around each match when
asked (dialog and CLI); the dialog remembers its tag, mode, scope and
extent, and Esc in its query field does not close it."""

from __future__ import annotations

from pathlib import Path

import pytest
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


def _sentence_of(text: str, word: str) -> str:
    """The sentence of ``text`` around the first ``word``."""
    start = text.index(word)
    return text[slice(*extent_around(text, start, start + len(word), "sentence"))]


#: (text, a word in it, the sentence around the word): a full stop after an
#: abbreviation or initials, or before a lower-case word, ends none
OVER_ABBREVIATIONS = [
    ("Police came. Mr. Sokha said the scam hub was closed. Nobody believed it.", "scam",
     "Mr. Sokha said the scam hub was closed."),
    ("It began in May. U.S. officials said the scam hub was closed. Then it reopened.",
     "scam", "U.S. officials said the scam hub was closed."),
    ("No. He met Sen. Ted Cruz and Gov. Jeb Bush on Dec. 5 about it. Later more.", "Cruz",
     "He met Sen. Ted Cruz and Gov. Jeb Bush on Dec. 5 about it."),
    ("Before. President George W. Bush met Dr. Lim at 4 p.m. on Monday. After.", "Bush",
     "President George W. Bush met Dr. Lim at 4 p.m. on Monday."),
    ("Before. It sits at 115 Spring St. in SoHo, e.g. near the U.K. consulate. After.",
     "SoHo", "It sits at 115 Spring St. in SoHo, e.g. near the U.K. consulate."),
    ("Before. It was far from No. 1 in the polls, vs. last year etc. and so on. After.",
     "polls", "It was far from No. 1 in the polls, vs. last year etc. and so on."),
    ("Before. They came over the years . . . journalists left … and then came back. After.",
     "journalists", "They came over the years . . . journalists left … and then came back."),
]
#: ... but initials before a sentence opener, "No." before a word, "?", "!",
#: closing quotes and a spaced ellipsis's last stop still end one
AT_REAL_ENDS = [
    ("Trump would ban Muslims from entering the U.S. The minister said no to that.",
     "minister", "The minister said no to that."),
    ("Trump would ban Muslims from entering the U.S. The minister said no to that.",
     "ban", "Trump would ban Muslims from entering the U.S."),
    ("He got a standing O. Then he left the stage.", "left", "Then he left the stage."),
    ("Is it the death knell? No. But it is harmful, he said.", "harmful",
     "But it is harmful, he said."),
    ("They met in Springfield, Ill. Others stayed home.", "Others", "Others stayed home."),
    ("“Is it over?” he asked. “Not yet!” Silence fell.", "Not", "“Not yet!”"),
    ("“Is it over?” he asked. “Never.” Silence fell.", "Never", "“Never.”"),
    ("It was the end of the combat. . . . If you walk down the street, you see it.", "walk",
     "If you walk down the street, you see it."),
]


def test_sentence_runs_over_abbreviations_and_still_ends_at_real_ends():
    """A full stop ended the sentence after any abbreviation ("Mr.", "U.S.",
    "W.") and before a lower-case word: the passage lost its start. Real
    ends ("the U.S. The", "No. But", "?", "!", closing quotes) stay ends."""
    wrong = [(text, word, _sentence_of(text, word), sentence)
             for text, word, sentence in OVER_ABBREVIATIONS + AT_REAL_ENDS
             if _sentence_of(text, word) != sentence]
    assert wrong == []


def test_sentence_extent_keeps_the_title_in_the_stored_passage(db):
    """"Mr. Sokha said …" was tagged as "Sokha said …"."""
    from storage import articles
    articles.add_article(db, title="T", text=(
        "Police came. Mr. Sokha said the scam hub was closed. Nobody believed it."))
    tag_id = tags.find_tag(db, "Cybercrime")["id"]
    request = autotag.AutoTagRequest(tag_id, autotag.PHRASE, "scam hub", extent="sentence")
    found = autotag.find_candidates(db, request)
    autotag.insert_passages(db, request, found, "ana")
    assert [row[0] for row in db.execute("SELECT text FROM passages")] == [
        "Mr. Sokha said the scam hub was closed."]


POLNEAR = Path(__file__).resolve().parents[2] / "shared" / "quotes-dev" / "polnear"


@pytest.mark.skipif(not POLNEAR.is_dir(), reason="the shared PolNeAR articles are not here")
def test_polnear_sentences_keep_their_titles_and_initials():
    """In 100 real news articles, the sentence around the word after "Sen.",
    "Gov.", "Mr.", "Dr.", "U.S." or a middle initial holds that abbreviation
    (over 150 of them: the rule before cut every one of them off)."""
    import regex
    abbreviation = regex.compile(r"(?<=\s)(?:Sen|Gov|Mr|Dr|U\.S|[A-Z])\. (?=\w)")
    checked = 0
    for path in sorted(POLNEAR.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        for found in abbreviation.finditer(text):
            if text[found.end()].islower() or text[found.end():].startswith(
                    ("The ", "He ", "While ")):       # a real sentence end
                continue
            start, end = extent_around(text, found.end(), found.end() + 1, "sentence")
            assert start <= found.start(), (path.name, text[start:end])
            checked += 1
    assert checked > 150


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
