"""Auto-tag stores its passages in a worker: one transaction, progress,
cancel (nothing stored), one undoable step — on a generated corpus of 2,000
articles, driven through Edit → Auto-tag…; assertions on the stored rows.
The GUI-thread stall is measured here and printed; the figure to quote
comes from ``python -m benchmarks.autotag_insert`` (a loaded 2-core test
machine makes a hard bound in a test unreliable)."""

from __future__ import annotations

import shutil
import sqlite3

import pytest
from PySide6.QtCore import Qt

from benchmarks.autotag_insert import PHRASE, GapMeter, generate_articles
from desktop import autotag
from storage import journal, open_database, passages, tags
from storage.passages import PassageError
from tests.test_autotag_gui import choose, open_dialog, wait_stored
from tests.test_undo import stored_state, undo

ARTICLES, PER_ARTICLE = 2000, 3
MATCHES = ARTICLES * PER_ARTICLE


@pytest.fixture(scope="session")
def corpus_template(tmp_path_factory):
    from desktop.first_run import ensure_codebook

    path = tmp_path_factory.mktemp("corpus") / "corpus.db"
    db = open_database(path)
    ensure_codebook(db)
    generate_articles(db, ARTICLES, per_article=PER_ARTICLE)
    db.close()
    return path


@pytest.fixture
def corpus_path(corpus_template, tmp_path):
    target = tmp_path / "dossier.db"
    shutil.copy(corpus_template, target)
    return target


def stored_count(db_path) -> int:
    db = open_database(db_path)
    try:
        return db.execute("SELECT count(*) FROM passages").fetchone()[0]
    finally:
        db.close()


def request_and_candidates(db):
    request = autotag.AutoTagRequest(tags.find_tag(db, "Cybercrime")["id"], autotag.PHRASE,
                                     PHRASE)
    return request, autotag.find_candidates(db, request)


def test_insert_passages_is_one_transaction_with_progress_and_cancel(corpus_path):
    db = open_database(corpus_path)
    request, candidates = request_and_candidates(db)
    assert len(candidates) == MATCHES
    seen = []
    with pytest.raises(autotag.AutoTagCancelled):
        autotag.insert_passages(db, request, candidates, "ana",
                                on_progress=lambda done, total: seen.append((done, total)),
                                is_cancelled=lambda: len(seen) >= 2)
    assert seen == [(500, MATCHES), (1000, MATCHES)]
    assert db.execute("SELECT count(*) FROM passages").fetchone()[0] == 0   # rolled back

    # one refused range refuses them all (blank space: the space after a match)
    blank = {"article_id": candidates[10]["article_id"], "start": candidates[10]["end"],
             "end": candidates[10]["end"] + 1, "text": " "}
    broken = candidates[:10] + [blank]
    with pytest.raises(PassageError, match="blank space"):
        autotag.insert_passages(db, request, broken, "ana")
    assert db.execute("SELECT count(*) FROM passages").fetchone()[0] == 0

    step = autotag.insert_passages(db, request, candidates, "ana", step_name="Auto-tag test")
    rows = [passages.get_passage(db, i) for i in sorted(step.changes.passage_ids)]
    assert len(rows) == MATCHES and journal.history(db, limit=1)[0]["name"] == "Auto-tag test" and {r["analyst"] for r in rows} == {"ana"}
    assert {r["text"].lower() for r in rows} == {PHRASE}
    first = passages.get_passage(db, rows[0]["id"])
    assert (first["start"], first["end"], first["text"]) == (
        candidates[0]["start"], candidates[0]["end"], candidates[0]["text"])
    assert tags.find_tag(db, "Cybercrime")["passage_count"] == MATCHES   # triggers ran
    db.close()


def test_storing_waits_for_another_writer_instead_of_failing(corpus_path):
    """A read-then-write transaction fails at once with "database is locked"
    while another connection writes; the auto-tag one waits its turn."""
    import threading

    db = open_database(corpus_path)
    request, candidates = request_and_candidates(db)
    blocker = sqlite3.connect(corpus_path, isolation_level=None, check_same_thread=False)
    blocker.execute("BEGIN IMMEDIATE")
    release = threading.Timer(0.5, blocker.rollback)
    release.start()
    try:
        step = autotag.insert_passages(db, request, candidates[:50], "ana")
    finally:
        release.join()
        blocker.close()
    assert len(step.changes.passage_ids) == 50
    db.close()


def test_auto_tag_thousands_through_the_dialog_in_a_worker_then_undo(
        qtbot, open_window, corpus_path, capsys):
    window = open_window(corpus_path)
    before = stored_state(corpus_path)
    dialog = open_dialog(qtbot, window)
    choose(qtbot, dialog.tag_box, "Cybercrime")
    qtbot.mouseClick(dialog.corpus_button, Qt.MouseButton.LeftButton)
    qtbot.keyClicks(dialog.query_edit, PHRASE)
    qtbot.waitUntil(lambda: dialog.tag_button.isEnabled(), timeout=30000)
    assert dialog.tag_button.text() == f"Tag {MATCHES} passages"

    with GapMeter() as meter:
        qtbot.mouseClick(dialog.tag_button, Qt.MouseButton.LeftButton)
        wait_stored(qtbot, window, f"{MATCHES} passages as “Cybercrime”", timeout=60000)
        longest = meter.stop()
    with capsys.disabled():
        print(f"\nauto-tag of {MATCHES} passages: longest GUI-thread gap {longest} ms")
    db = open_database(corpus_path)
    try:
        rows = list(db.execute("SELECT p.text, p.analyst, t.name FROM passages p "
                               "JOIN tags t ON t.id = p.tag_id"))
    finally:
        db.close()
    assert len(rows) == MATCHES
    assert {(text.lower(), analyst, tag) for text, analyst, tag in rows} == {
        (PHRASE, "Test Analyst", "Cybercrime")}
    assert window.undo_stack.count() == 1                        # one step

    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    window.view.setFocus()
    undo(qtbot, window)
    assert stored_count(corpus_path) == 0
    assert stored_state(corpus_path) == before


def test_cancel_while_storing_stores_nothing(qtbot, open_window, corpus_path):
    from PySide6.QtWidgets import QProgressDialog, QPushButton

    window = open_window(corpus_path)
    dialog = open_dialog(qtbot, window)
    choose(qtbot, dialog.tag_box, "Cybercrime")
    qtbot.mouseClick(dialog.corpus_button, Qt.MouseButton.LeftButton)
    qtbot.keyClicks(dialog.query_edit, PHRASE)
    qtbot.waitUntil(lambda: dialog.tag_button.isEnabled(), timeout=30000)

    # another connection holds the write lock, so the worker waits at its
    # first insert while the analyst clicks Cancel
    blocker = sqlite3.connect(corpus_path, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")
    try:
        qtbot.mouseClick(dialog.tag_button, Qt.MouseButton.LeftButton)
        def shown() -> list:
            return [p for p in window.findChildren(QProgressDialog) if p.isVisible()]
        qtbot.waitUntil(lambda: len(shown()) == 1, timeout=10000)
        [progress] = shown()
        assert progress.windowTitle() == f"Tagging {MATCHES} passages"
        cancel = progress.findChild(QPushButton)
        assert cancel.text() == "Cancel"
        qtbot.mouseClick(cancel, Qt.MouseButton.LeftButton)
    finally:
        blocker.rollback()
        blocker.close()
    qtbot.waitUntil(lambda: window.statusBar().currentMessage()
                    == "Auto-tag cancelled; nothing was tagged.", timeout=30000)
    assert stored_count(corpus_path) == 0
    assert window.undo_stack.count() == 0
