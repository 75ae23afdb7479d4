"""Analyse again from the window: the article list's context menu and
Article → Analyse again send the analysis service the articles to analyse
although analysed already (``{"cmd": "analyse", "again": [ids]}``); the
new result replaces the old, the other articles are left alone. The
service's merging of requests waiting behind one another is checked
apart, without a process; the window's tests run the real service and
pipeline on the analysed seeds."""

from __future__ import annotations

import io
import queue

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from desktop.analysis_service import _Commands, one_run
from tests.test_analyse_again import analysis_ids


def test_requests_waiting_behind_one_another_make_one_run():
    waiting: queue.Queue = queue.Queue()
    for request in [("analyse", 3, [2, 7]), ("analyse", 3, None), ("analyse", 3, [7, 9]),
                    ("analyse", 4, [11]), ("analyse", 3, [12])]:
        waiting.put(request)
    # each article once, in the order asked; a plain request adds what is
    # pending; a request after a cancel (another generation) waits its turn
    assert one_run([5, 2], waiting, 3) == ([5, 2, 7, 9], True)
    assert list(waiting.queue) == [("analyse", 4, [11]), ("analyse", 3, [12])]
    assert one_run(None, queue.Queue(), 0) == ([], True)


def test_the_service_reads_the_articles_of_an_analyse_command():
    commands = _Commands(io.StringIO(
        '{"cmd": "analyse"}\n{"cmd": "analyse", "again": [4, "5"]}\n'
        '{"cmd": "analyse", "again": "all"}\nnot json\n{"cmd": "cancel"}\n'
        '{"cmd": "analyse", "again": [1]}\n'))
    read = [commands.queue.get(timeout=5) for _ in range(5)]
    assert read == [("analyse", 0, None), ("analyse", 0, [4, 5]), ("analyse", 0, None),
                    ("analyse", 1, [1]), ("quit", None, None)]


def _wait_finished(qtbot, window) -> list[int]:
    finished: list[int] = []
    window.analysis.worker.finished.connect(finished.append)
    qtbot.waitUntil(lambda: bool(finished), timeout=120000)
    return finished


def test_an_article_analysed_again_from_the_list_context_menu(
        open_window, analysed_db_path, qtbot):
    before = analysis_ids(analysed_db_path)
    window = open_window(analysed_db_path)
    listing = window.article_list
    target = listing.list_model.article(1)["id"]
    rect = listing.visualRect(listing.list_model.index(1))
    chosen = []

    def choose():
        menu = QApplication.activePopupWidget()
        if menu is None:
            QTimer.singleShot(50, choose)
            return
        [action] = [a for a in menu.actions() if a.text() == "Analyse again"]
        chosen.append(action.text())
        action.trigger()
        menu.close()
    QTimer.singleShot(50, choose)
    listing.customContextMenuRequested.emit(rect.center())
    assert chosen == ["Analyse again"]
    assert window.statusBar().currentMessage() == "Analysing 1 article again…"
    assert _wait_finished(qtbot, window) == [1]
    after = analysis_ids(analysed_db_path)
    # a new result replaced the old one; every other article kept its own
    assert len(after[target]) == 1 and after[target][0] > max(
        i for ids in before.values() for i in ids)
    assert {a: ids for a, ids in after.items() if a != target} == \
        {a: ids for a, ids in before.items() if a != target}


def test_the_article_shown_analysed_again_from_the_article_menu(
        open_window, analysed_db_path, qtbot):
    before = analysis_ids(analysed_db_path)
    window = open_window(analysed_db_path)
    window.article_list.select_article(3)
    qtbot.waitUntil(lambda: window.current_id == 3)
    assert window.analyse_again_action.text() == "&Analyse again"
    window.analyse_again_action.trigger()
    assert _wait_finished(qtbot, window) == [1]
    after = analysis_ids(analysed_db_path)
    assert after[3] != before[3] and len(after[3]) == 1
    assert after[1] == before[1]
    # the reader shows the new result's highlights as it did the old
    qtbot.waitUntil(lambda: bool(window.view._entities), timeout=5000)


def test_analyse_again_with_no_article_open_says_what_to_do(open_window, seeded_db_path,
                                                             qtbot):
    window = open_window(seeded_db_path)
    qtbot.keyClicks(window.article_filters.search, "zzqxwv")   # matches nothing
    qtbot.waitUntil(lambda: window.current_id is None)
    window.analyse_again_action.trigger()
    assert window.statusBar().currentMessage() == \
        "Open an article first, then analyse it again."
    assert window.analysis.process is None          # no service started for nothing


def test_resume_goes_on_with_an_analyse_again_that_was_paused(
        open_window, analysed_db_path, qtbot):
    """Pause cancels the service's run; Resume asked only for what is
    pending, and the articles asked for again were analysed already: most
    of them were never analysed again, silently."""
    before = analysis_ids(analysed_db_path)
    window = open_window(analysed_db_path)
    worker = window.analysis.worker
    ids = sorted(before)
    assert len(ids) > 2
    finished = []
    worker.finished.connect(finished.append)
    with qtbot.waitSignal(worker.progress, timeout=120000):     # the run began
        window.controllers.analysis.analyse_again(ids)
    window.pause_button.click()
    assert window.pause_button.text() == "Resume"
    qtbot.waitUntil(lambda: bool(finished), timeout=60000)
    paused = analysis_ids(analysed_db_path)
    assert [a for a in ids if paused[a] == before[a]], "the pause stopped nothing"
    window.pause_button.click()
    assert window.pause_button.text() == "Pause"
    qtbot.waitUntil(lambda: len(finished) == 2, timeout=120000)
    after = analysis_ids(analysed_db_path)
    assert [a for a in ids if after[a] == before[a]] == []
    # each article once: those analysed before the pause were not asked again
    assert sum(finished) == len(ids)
