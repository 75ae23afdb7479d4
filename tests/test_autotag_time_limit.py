"""Catastrophic regular expressions in auto-tag: a pattern that backtracks
for ever is stopped after its time limit — ``dossier autotag`` as a real
process exits with a clear error, and the window, whose "This article"
preview used to run on the GUI thread and freeze it for good, stays
responsive, shows the error, and can stop a search from the dialog."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from PySide6.QtCore import QElapsedTimer, Qt, QTimer

from desktop import autotag
from desktop.first_run import ensure_codebook
from storage import articles, open_database, tags

ROOT = Path(__file__).resolve().parent.parent
#: ``regex`` copes with the attack's ``(a+)+$``; ``(a|a)+$`` still explodes
#: (2^32 ways to split 32 a's) in ``re`` and ``regex`` alike.
EXPLODING = r"(a|a)+$"
TEXT = ("Police in Phnom Penh said the cybercrime ring was broken up.\n"
        + "a" * 32 + "!\nThe cybercrime unit thanked its partners.\n")


@pytest.fixture
def hostile_db(tmp_path) -> Path:
    path = tmp_path / "hostile.db"
    db = open_database(path, create=True)
    ensure_codebook(db)
    articles.add_article(db, title="Ring broken up", text=TEXT)
    articles.add_article(db, title="Second", text="Another cybercrime story.")
    db.close()
    return path


def dossier(*args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-m", "desktop", *args], env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=timeout)


def passage_count(path: Path) -> int:
    db = open_database(path)
    try:
        return db.execute("SELECT count(*) FROM passages").fetchone()[0]
    finally:
        db.close()


def test_the_cli_stops_an_exploding_pattern_with_a_clear_error(hostile_db):
    started = time.monotonic()
    done = dossier("autotag", "--tag", "Cybercrime", "--pattern", EXPLODING,
                   "--time-limit", "1", "--db", str(hostile_db))
    elapsed = time.monotonic() - started
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    assert "ran for more than 1 s on article 1" in done.stderr
    assert "simplify it" in done.stderr
    assert elapsed < 30
    assert passage_count(hostile_db) == 0
    # --article too
    done = dossier("autotag", "--tag", "Cybercrime", "--pattern", EXPLODING,
                   "--article", "1", "--dry-run", "--time-limit", "0.5", "--db", str(hostile_db))
    assert done.returncode == 2 and "ran for more than 0.5 s" in done.stderr
    assert autotag.TIME_LIMIT == 5.0                    # the default, documented


def test_the_attack_pattern_itself_now_finishes(hostile_db):
    """``(a+)+$`` on 32 a's ran ``re`` until Ctrl-C; ``regex`` answers at once."""
    done = dossier("autotag", "--tag", "Cybercrime", "--pattern", r"(a+)+$",
                   "--dry-run", "--time-limit", "2", "--db", str(hostile_db), timeout=30)
    assert done.returncode == 0, done.stderr
    assert "would tag 0 passages" in done.stdout


def test_ordinary_patterns_keep_re_syntax(hostile_db):
    db = open_database(hostile_db)
    tag_id = tags.find_tag(db, "Cybercrime")["id"]
    found = autotag.find_candidates(db, autotag.AutoTagRequest(
        tag_id, autotag.REGEX, r"(?P<w>cyber\w+)\b(?=\s)"), time_limit=1)
    assert [c["text"] for c in found] == ["cybercrime", "cybercrime", "cybercrime"]
    with pytest.raises(autotag.AutoTagError, match="not a valid regular expression"):
        autotag.compile_pattern(autotag.REGEX, "cyber(")
    db.close()


def _open_dialog(qtbot, window):
    qtbot.keyClick(window.view, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier
                   | Qt.KeyboardModifier.ShiftModifier)
    qtbot.waitUntil(lambda: window.autotag_dialog is not None
                    and window.autotag_dialog.isVisible())
    return window.autotag_dialog


def _longest_gap_while(qtbot, condition, timeout: int) -> float:
    """Run the event loop until ``condition``; the longest pause between two
    ticks of a 10 ms timer, in ms (how long the GUI thread was held)."""
    clock, gaps = QElapsedTimer(), []
    clock.start()
    timer = QTimer()
    timer.setInterval(10)
    timer.timeout.connect(lambda: (gaps.append(clock.restart())))
    timer.start()
    try:
        qtbot.waitUntil(condition, timeout=timeout)
    finally:
        timer.stop()
    return max(gaps, default=0)


def test_this_article_preview_runs_off_the_gui_thread_and_stops(
        qtbot, open_window, hostile_db, monkeypatch):
    monkeypatch.setattr(autotag, "TIME_LIMIT", 2.0)
    window = open_window(hostile_db)
    qtbot.waitUntil(lambda: window.current_id == 1)
    dialog = _open_dialog(qtbot, window)
    assert dialog.article_button.isChecked()            # "This article"
    dialog.mode_box.setCurrentIndex(dialog.mode_box.findData(autotag.REGEX))
    qtbot.keyClicks(dialog.query_edit, EXPLODING)
    qtbot.keyClick(dialog.query_edit, Qt.Key.Key_Return)
    assert dialog.stop_button.isVisible() and dialog.count_label.text() == "Searching…"
    gap = _longest_gap_while(
        qtbot, lambda: "ran for more than 2 s" in dialog.count_label.text(), timeout=30000)
    assert gap < 500, f"the GUI thread was held {gap} ms"
    assert not dialog.tag_button.isEnabled() and not dialog.stop_button.isVisible()

    # Stop from the dialog: the answer comes at once, the dialog stays open
    qtbot.keyClick(dialog.query_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(dialog.stop_button.isVisible)
    qtbot.mouseClick(dialog.stop_button, Qt.MouseButton.LeftButton)
    assert dialog.count_label.text() == "Search stopped."
    assert dialog.isVisible() and window.controllers.autotag._autotag_task is None
    # Escape stops a running search before it closes the dialog
    qtbot.keyClick(dialog.query_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(dialog.stop_button.isVisible)
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert dialog.isVisible() and dialog.count_label.text() == "Search stopped."

    # an ordinary pattern afterwards works as before
    dialog.query_edit.clear()
    qtbot.keyClicks(dialog.query_edit, r"cyber\w+")
    qtbot.keyClick(dialog.query_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(dialog.tag_button.isEnabled, timeout=10000)
    assert dialog.count_label.text() == "2 passages to tag in 1 article."
    qtbot.mouseClick(dialog.tag_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: passage_count(hostile_db) == 2, timeout=10000)
