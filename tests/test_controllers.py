"""The window's parts after the split into controllers: the Qt-free state
object, the operations helper (workers with their own connection, success,
failure, cancel) and controllers refreshing only on the changes that
concern them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt

from desktop.window_state import WindowState
from storage import articles, journal, open_database, passages, tags
from storage.changes import MEMO, PASSAGES, Changes

ROOT = Path(__file__).resolve().parent.parent


# -- the state object ---------------------------------------------------------
def test_window_state_emits_an_event_only_when_a_value_changes():
    state = WindowState(query="all", analyst="ana")
    seen = []
    state.events.article.connect(lambda value: seen.append(("article", value)))
    state.events.query.connect(lambda value: seen.append(("query", value)))
    state.events.analyst.connect(lambda value: seen.append(("analyst", value)))
    state.events.selected_tags.connect(lambda value: seen.append(("tags", value)))
    state.article_id = 3
    state.article_id = 3             # the same: no event
    state.query = "all"              # the same: no event
    state.query = "drugs"
    state.analyst = "bo"
    state.selected_tags = [2, 1]
    state.selected_tags = {1, 2}     # the same set
    assert seen == [("article", 3), ("query", "drugs"), ("analyst", "bo"),
                    ("tags", frozenset({1, 2}))]
    assert state.article_id == 3 and state.query == "drugs"


def test_window_state_lists_the_codebook_and_survives_a_broken_callback():
    state = WindowState()
    heard = []
    state.events.tags.connect(lambda rows: 1 / 0)          # a broken panel …
    state.events.tags.connect(lambda rows: heard.append(len(rows)))
    state.tags = [{"id": 1, "name": "Drugs", "shortcut": 1},
                  {"id": 2, "name": "Fraud", "shortcut": None}]
    assert heard == [2]                                      # … does not stop the others
    assert state.tag_on_key(1)["name"] == "Drugs" and state.tag_on_key(2) is None
    assert state.tag_name(2) == "Fraud" and state.tag_name(9) == "tag"
    callback = heard.append
    state.events.tags.connect(callback)
    state.events.tags.disconnect(callback)
    state.tags = []
    assert heard == [2, 0]


def test_window_state_needs_no_qt():
    code = ("import sys, desktop.window_state as s; s.WindowState().article_id = 1; "
            "print(any(m.startswith('PySide6') for m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                         text=True, check=True).stdout.strip()
    assert out == "False"


# -- the operations helper ------------------------------------------------------
@pytest.fixture
def ops(qtbot, db, tmp_path):
    from PySide6.QtWidgets import QWidget

    from desktop.gui.operations import Operations

    parent = QWidget()
    qtbot.addWidget(parent)
    operations = Operations(parent, tmp_path / "new.db")
    yield operations
    operations.cancel_all()


def test_a_query_runs_on_its_own_connection_and_returns_to_success(ops, db, qtbot):
    threads, results = [], []

    def read(worker_db):
        import threading
        threads.append((threading.current_thread(), worker_db is db))
        return [t["name"] for t in tags.list_tags(worker_db)]

    task = ops.query(read, results.append).run()
    qtbot.waitUntil(lambda: bool(results), timeout=5000)
    import threading
    assert results[0] == [t["name"] for t in tags.list_tags(db)]
    assert threads[0][0] is not threading.main_thread() and threads[0][1] is False
    assert task not in ops.tasks                      # forgotten once done


def test_a_failed_write_calls_the_failure_callback_and_stores_nothing(ops, db, qtbot):
    with journal.step(db, "Add an article"):
        article_id, _new = articles.add_article(db, title="t", text="some text")
    tag_id = tags.list_tags(db)[0]["id"]
    errors, successes = [], []

    def write(worker_db):
        with journal.step(worker_db, "Tag passage", analyst="ana"):
            passages.add_passage(worker_db, article_id=article_id, tag_id=tag_id, start=0,
                                 end=4, analyst="ana")
            raise ValueError("refused half-way")

    ops.write(write, successes.append).failure(errors.append).run()
    qtbot.waitUntil(lambda: bool(errors), timeout=5000)
    assert isinstance(errors[0], ValueError) and str(errors[0]) == "refused half-way"
    assert successes == [] and passages.passages_for_article(db, article_id) == []


def test_a_write_without_failure_callback_shows_the_error_dialog(ops, qtbot, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    shown = []
    monkeypatch.setattr(QMessageBox, "exec",
                        lambda box: shown.append((box.windowTitle(), box.text())))

    def broken(_db):
        raise RuntimeError("disk on fire")

    ops.write(broken).named("Exporting").run()
    qtbot.waitUntil(lambda: bool(shown), timeout=5000)
    assert shown == [("Exporting", "Exporting failed: disk on fire")]


def test_cancel_stops_the_op_and_calls_the_cancel_callback(ops, qtbot):
    import threading

    class Stopped(Exception):
        pass

    started, cancelled, successes, errors = threading.Event(), [], [], []

    def long_job(_db, *, on_progress, is_cancelled):
        started.set()
        for step in range(10_000):
            on_progress(step, 10_000)
            if is_cancelled():
                raise Stopped()
            threading.Event().wait(0.001)
        return "finished"

    task = ops.write(long_job, successes.append).failure(errors.append).with_progress(
        "Working").cancelled_by(Stopped, then=lambda: cancelled.append(True)).run()
    assert started.wait(5)
    task.cancel()
    qtbot.waitUntil(lambda: bool(cancelled), timeout=5000)
    assert successes == [] and errors == [] and not ops.tasks


def test_publish_sends_only_real_changes(ops):
    heard = []
    ops.changed.connect(heard.append)
    ops.publish(Changes())
    ops.publish(Changes.of(MEMO, article_ids=[1]))
    assert [c.kinds for c in heard] == [frozenset({MEMO})]


# -- controllers and the one changes signal --------------------------------------
def _scrolled(qtbot, window) -> int:
    bar = window.view.verticalScrollBar()
    window.view.setFixedHeight(120)                 # room to scroll in a short seed
    qtbot.waitUntil(lambda: bar.maximum() > 0, timeout=5000)
    bar.setValue(bar.maximum() // 2)
    return bar.value()


def test_a_change_to_another_article_leaves_the_reader_untouched(open_window,
                                                                 analysed_db_path, qtbot):
    window = open_window(analysed_db_path)
    window.article_list.select_article(1)
    window.view.select_range(5, 20)
    scroll = _scrolled(qtbot, window)
    shown = []
    original = window.view.set_article
    window.view.set_article = lambda *a, **k: (shown.append(a), original(*a, **k))
    window.ops.publish(Changes.of(PASSAGES, MEMO, article_ids=[3], foreign=True))
    assert shown == []                                     # the text was not laid out again
    assert window.current_id == 1
    assert window.view.verticalScrollBar().value() == scroll
    assert window.view.selection_range() == (5, 20)


def test_another_programs_commit_keeps_the_reader_where_it_was(open_window,
                                                                analysed_db_path, qtbot):
    window = open_window(analysed_db_path)
    window.article_list.select_article(2)
    scroll = _scrolled(qtbot, window)
    other = open_database(analysed_db_path)
    tag_id = tags.list_tags(other)[0]["id"]
    with journal.step(other, "Tag passage", analyst="bo", origin="another window"):
        passages.add_passage(other, article_id=4, tag_id=tag_id, start=0, end=10, analyst="bo")
    other.close()
    assert window.check_external_changes()
    assert window.current_id == 2
    assert window.view.verticalScrollBar().value() == scroll
    tag_row = next(t for t in window.state.tags if t["id"] == tag_id)
    assert tag_row["passage_count"] == 1                   # the codebook did hear of it
    # and the list's row of that article counts it (a merge or a hub pull
    # left other rows' counts as they were)
    model = window.article_list.list_model
    assert model.article(model.row_of(4))["passage_count"] == 1


def _top_offset(view) -> int:
    """The code-point offset of the character at the reader's top edge."""
    return view._offsets.from_utf16(view.cursorForPosition(QPoint(0, 0)).position())


def _line_top(view, offset: int) -> int:
    """The top of the line holding ``offset``, in viewport pixels."""
    return view.vertical_span(offset, offset + 1)[0]


def test_a_text_edited_elsewhere_is_shown_and_tagged_where_the_analyst_reads(
        open_window, analysed_db_path, qtbot):
    window = open_window(analysed_db_path)
    window.article_list.select_article(1)
    view = window.view
    old = view.article_text()
    words = "police officers"
    view.select_range(old.index(words), old.index(words) + len(words))
    _scrolled(qtbot, window)
    top = _top_offset(view)
    assert top > 0
    line_top = _line_top(view, top)
    added = "UPDATED: a paragraph another window put at the top of the article.\n\n"
    other = open_database(analysed_db_path)
    articles.replace_article_text(other, 1, added + old)
    other.close()
    assert window.check_external_changes()
    assert view.article_text() == added + old
    # the words read and the words selected stay where they were (the
    # analysis, made for the old text, no longer marks entities: lines
    # may wrap elsewhere)
    assert _line_top(view, top + len(added)) == line_top
    start = old.index(words) + len(added)
    assert view.selection_range() == (start, start + len(words))
    qtbot.keyClick(view, Qt.Key.Key_1)
    [row] = passages.passages_for_article(window.db, 1)
    assert (row["start"], row["text"]) == (start, words)


def test_tagging_words_shown_before_an_edit_elsewhere_stores_nothing(
        open_window, seeded_db_path, qtbot, monkeypatch):
    refused = []
    monkeypatch.setattr("desktop.gui.operations.show_error",
                        lambda parent, title, error: refused.append(str(error)))
    window = open_window(seeded_db_path)
    window.controllers.backups.external_timer.stop()    # the edit stays unseen
    window.article_list.select_article(1)
    view = window.view
    old = view.article_text()
    other = open_database(seeded_db_path)
    articles.replace_article_text(other, 1, "UPDATED: " + old)
    other.close()
    # before the window's next look for other windows' commits
    view.select_range(old.index("Cambodia asked"), old.index("Cambodia asked") + 14)
    qtbot.keyClick(view, Qt.Key.Key_1)
    assert passages.passages_for_article(window.db, 1) == []
    assert len(refused) == 1 and "changed meanwhile" in refused[0]


def test_an_own_passage_updates_the_passages_but_not_the_list(open_window,
                                                              analysed_db_path, qtbot):
    window = open_window(analysed_db_path)
    refreshed = []
    articles = window.controllers.articles
    original = articles.refresh_articles
    articles.refresh_articles = lambda *a, **k: (refreshed.append(a), original(*a, **k))[1]
    window.view.select_range(0, 8)
    window.tag_with_key(1)
    assert len(passages.passages_for_article(window.db, window.current_id)) == 1
    assert window.passage_list.topLevelItemCount() == 1    # the passages controller heard it
    assert refreshed == []                                 # the list had nothing to re-read


def test_anothers_passages_reorder_a_list_sorted_by_passages(open_window, analysed_db_path,
                                                            qtbot):
    """Sorted by passages (or filtered by a tag), another program's passage
    may move a row, or bring it in: the list is read again, not recounted."""
    window = open_window(analysed_db_path)
    window.apply_query({**window.article_filters.values(), "sort": "passages",
                        "descending": True})
    model = window.article_list.list_model
    last = model.article(model.rowCount() - 1)["id"]
    other = open_database(analysed_db_path)
    tag_id = tags.list_tags(other)[0]["id"]
    with journal.step(other, "Tag passages", analyst="bo", origin="another window"):
        for start in (0, 20, 40):
            passages.add_passage(other, article_id=last, tag_id=tag_id, start=start,
                                 end=start + 10, analyst="bo")
    other.close()
    assert window.check_external_changes()
    assert model.article(0)["id"] == last


def test_another_program_deleting_the_article_shown_opens_the_first(open_window,
                                                                    analysed_db_path, qtbot):
    window = open_window(analysed_db_path)
    window.article_list.select_article(3)
    other = open_database(analysed_db_path)
    with journal.step(other, "Delete an article", origin="another window"):
        other.execute("DELETE FROM articles WHERE id = 3")
    other.close()
    assert window.check_external_changes()
    assert window.current_id is not None and window.current_id != 3
    assert window.title_label.text() != ""


def test_changes_joined_stay_unknown_per_article_when_one_side_is():
    one = Changes.of(PASSAGES, article_ids=[1])
    assert (one | Changes.of(MEMO, article_ids=[2])).article_ids == {1, 2}
    everywhere = one | Changes.of(MEMO)
    assert everywhere.kinds == {PASSAGES, MEMO} and everywhere.touches_article(7)
    assert (one | Changes()).article_ids == {1}


def _many_articles(db_path: Path, count: int) -> None:
    db = open_database(db_path)
    with journal.step(db, "Add articles"):
        for number in range(count):
            articles.add_article(db, title=f"Filler {number:04}",
                                 text=f"Filler article number {number} about nothing.")
    db.close()


def test_a_commit_elsewhere_reaches_the_window_without_moving_a_far_article(
        open_window, analysed_db_path, qtbot):
    """The current article far below row 1,000: another window's tag on it
    shows within a second, and the reader neither jumps nor changes article."""
    _many_articles(analysed_db_path, 1100)
    window = open_window(analysed_db_path)
    window.apply_query({"sort": "imported", "descending": True})   # the seeds come last
    far = 3
    assert window.article_list.list_model.row_of(far) > 1000
    window.article_list.select_article(far)
    assert window.current_id == far
    scroll = _scrolled(qtbot, window)
    other = open_database(analysed_db_path)
    tag_id = tags.list_tags(other)[0]["id"]
    with journal.step(other, "Tag passage", analyst="bo", origin="another window"):
        passages.add_passage(other, article_id=far, tag_id=tag_id, start=0, end=8,
                             analyst="bo")
    other.close()
    qtbot.waitUntil(lambda: window.view.passage_ranges_shown() == [(0, 8)], timeout=1000)
    assert window.current_id == far
    assert window.view.verticalScrollBar().value() == scroll


def test_a_new_order_keeps_the_article_read_when_it_lists_it_far_down(
        open_window, analysed_db_path, qtbot):
    """A sort that puts the article being read below row 1,000 leaves it in
    the reader (it opened the list's first article), and says so; the next
    article is the one after it in the new order. A search that leaves it
    out opens its first hit."""
    _many_articles(analysed_db_path, 1100)
    window = open_window(analysed_db_path)
    window.article_list.select_article(3)
    title = window.title_label.text()
    window.apply_query({"sort": "imported", "descending": True})   # the seeds come last
    model = window.article_list.list_model
    assert model.row_of(3, within=1000) is None
    assert window.current_id == 3 and window.title_label.text() == title
    row = model.row_of(3)
    qtbot.waitUntil(lambda: window.article_list.currentIndex().row() == row, timeout=5000)
    assert f"row {row + 1:,} of this list" in window.statusBar().currentMessage()
    assert window.current_id == 3 and window.title_label.text() == title
    window.controllers.articles.step_article(1)
    assert window.current_id == 2          # after 3, newest first
    window.apply_query({"search": "Filler"})
    assert window.current_id != 2 and window.title_label.text().startswith("Filler")
    # an article the list does not hold (opened from elsewhere: a dossier,
    # a link) stays in the reader through a sort, which says so
    window.controllers.reader.show_article(2)
    window.apply_query({"search": "Filler", "sort": "title"})
    assert window.current_id == 2
    qtbot.waitUntil(lambda: "not in this list" in window.statusBar().currentMessage(),
                    timeout=5000)


def _analysed_elsewhere(path, article_id: int) -> None:
    """Another process (the analysis service, ``dossier analyse``) stores an
    analysis of the article: no journal step, a commit."""
    from storage import analyses

    other = open_database(path)
    found = analyses.latest_analysis(other, article_id)
    text_hash = other.execute("SELECT text_hash FROM articles WHERE id = ?",
                              [article_id]).fetchone()[0]
    analyses.save_analysis(other, article_id=article_id, text_hash=text_hash,
                           pipeline="another", pipeline_version="1", degraded=False,
                           entities=found["entities"], quotes=found["quotes"])
    other.close()


def _reading_article_2(open_window, path, spied: str):
    """A window reading article 2, and the calls of its reader's ``spied``
    method from then on."""
    window = open_window(path)
    window.article_list.select_article(2)
    calls = []
    original = getattr(window.view, spied)
    setattr(window.view, spied, lambda *a, **k: (calls.append(a), original(*a, **k))[1])
    return window, calls


def test_another_process_analysing_other_articles_leaves_the_reader_alone(
        open_window, analysed_db_path, qtbot):
    window, shown = _reading_article_2(open_window, analysed_db_path, "set_analysis")
    _analysed_elsewhere(analysed_db_path, 4)
    assert window.check_external_changes()
    assert shown == []              # article 4 is not the one being read
    _analysed_elsewhere(analysed_db_path, 2)
    assert window.check_external_changes()
    assert len(shown) == 1          # the article shown: its highlights again
    assert not window.check_external_changes()      # nothing new since


def test_another_programs_new_article_does_not_redraw_the_article_read(
        open_window, analysed_db_path, qtbot):
    window, shown = _reading_article_2(open_window, analysed_db_path, "set_article")
    other = open_database(analysed_db_path)
    with journal.step(other, "Import", origin="a dossier command"):
        articles.add_article(other, title="Brand new", text="A new article arrived.")
    other.close()
    assert window.check_external_changes()
    assert window.article_list.list_model.rowCount() == 6      # the list has it
    assert window.current_id == 2 and window.article_list.current_article_id() == 2
    assert shown == []              # the reader was not redrawn for it


def test_another_programs_review_mark_reaches_the_progress_count(open_window,
                                                                 analysed_db_path, qtbot):
    from storage import review

    window = open_window(analysed_db_path)
    assert window.review_label.text() == "Review: 0 of 5 done"
    other = open_database(analysed_db_path)
    review.set_review_status(other, 4, "done")
    other.close()
    assert window.check_external_changes()
    qtbot.waitUntil(lambda: window.review_label.text() == "Review: 1 of 5 done", timeout=5000)
