"""The window's read process (``desktop.read_process``): heavy reads (the
Overview's counts) run in a child process on a connection of their own, so
their Python work never holds the GUI process's GIL."""

from __future__ import annotations

import os
import signal

import pytest

from desktop.overview_counts import compute
from desktop.read_process import ReadProcess, ReadProcessStopped
from storage import open_database, passages
from storage.article_query import ArticleQuery


def _pid_and_articles(db, prefix: str = "") -> tuple[int, str]:
    return os.getpid(), f"{prefix}{db['articles'].count}"


def _refuse(db, message):
    raise ValueError(message)


@pytest.fixture
def reads():
    process = ReadProcess()
    yield process
    process.close()


def test_a_read_runs_in_another_process_on_the_file(reads, seeded_db_path):
    pid, articles = reads.call(seeded_db_path, _pid_and_articles, prefix="n=")
    assert pid != os.getpid()
    assert articles == "n=5"
    # the same child serves the next read
    assert reads.call(seeded_db_path, _pid_and_articles)[0] == pid


def test_what_the_read_raised_is_raised_to_the_caller(reads, seeded_db_path):
    with pytest.raises(ValueError, match="no such chart"):
        reads.call(seeded_db_path, _refuse, "no such chart")


def test_a_killed_child_is_reported_and_the_next_read_starts_another(reads, seeded_db_path):
    pid, _ = reads.call(seeded_db_path, _pid_and_articles)
    os.kill(pid, signal.SIGKILL)
    with pytest.raises(ReadProcessStopped):
        reads.call(seeded_db_path, _pid_and_articles)
    again, articles = reads.call(seeded_db_path, _pid_and_articles)
    assert again != pid and articles == "5"


def test_overview_counts_in_the_process_equal_the_counts_here(reads, seeded_db_path):
    db = open_database(seeded_db_path)
    for article_id, tag_id in ((1, 1), (2, 1), (3, 6)):
        passages.add_passage(db, article_id=article_id, tag_id=tag_id, start=0, end=10,
                             analyst="ana")
    options = {"unit": "month", "fold": False, "mode": "overlap"}
    query = ArticleQuery(tag_id=1)
    here = compute(db, query, options)
    db.close()
    there = reads.call(seeded_db_path, compute, query, options)
    assert there["charts"] == here["charts"]
    assert there["charts"]["sources"]["values"]       # (the tag's passages were counted)


def _overview_status(qtbot, window, starts: str) -> str:
    """Open the Overview with Ctrl+Shift+O; its status line once it starts
    with ``starts``."""
    from PySide6.QtCore import Qt

    qtbot.keyClick(window, Qt.Key.Key_O,
                   Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    status = window.overview.view.status
    qtbot.waitUntil(lambda: status.text().startswith(starts), timeout=20000)
    return status.text()


def test_the_overview_still_counts_when_the_read_process_cannot(qtbot, open_window,
                                                                seeded_db_path, monkeypatch):
    """No process to count in (it could not start, or died): the Overview
    counts in the window's worker thread instead of showing nothing."""
    def broken(self, *_args, **_kwargs):
        raise ReadProcessStopped("no process here")
    monkeypatch.setattr(ReadProcess, "call", broken)
    _overview_status(qtbot, open_window(seeded_db_path), "Counted")


def test_a_count_that_fails_says_so_in_the_overview(qtbot, open_window, seeded_db_path,
                                                    monkeypatch):
    def refused(self, *_args, **_kwargs):
        raise ValueError("the counts could not be read")
    monkeypatch.setattr(ReadProcess, "call", refused)
    status = _overview_status(qtbot, open_window(seeded_db_path), "Counting failed")
    assert "could not be read" in status
