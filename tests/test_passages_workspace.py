"""The Passages workspace (a dock beside the reader), driven with keys and
mouse on a real database: Ctrl+Shift+W shows it (and, pressed in it, hides it);
filters (a parent tag includes its children, with a switch), counts, sort
by a header click, Enter/double-click open the passage in the reader, a
note edited in place, multi-select re-tag and delete, each undoable with
the window's Ctrl+Z, and "Export these…" exporting exactly what is listed."""

from __future__ import annotations

import csv

import pytest
from PySide6.QtCore import QPoint, Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from storage import open_database, passages, tags
from storage.passage_listing import (PassageQuery, count_passages, first_ids, passage_ids,
                                     passage_page)
from tests.test_undo import pick_from_next_menu, right_click
from widgets.passage_workspace import ANALYST, ID_ROLE, NOTE, PASSAGE
from widgets.wording import STILL_SHOWN


def _stored(db_path):
    """Cybercrime > Scams; passages on articles 1-3 by two analysts."""
    db = open_database(db_path)
    cyber = tags.find_tag(db, "Cybercrime")["id"]
    drugs = tags.find_tag(db, "Drugs")["id"]
    scams = tags.create_tag(db, "Scams", "#123456")
    tags.set_parent(db, scams, cyber)
    ids = {}
    for name, article_id, tag_id, analyst, note in (
            ("a", 1, cyber, "ana", "check the date"), ("b", 2, scams, "bo", ""),
            ("c", 3, scams, "ana", "quote of the minister"), ("d", 3, drugs, "bo", "")):
        text = db.execute("SELECT text FROM articles WHERE id = ?", [article_id]).fetchone()[0]
        start = text.index(" ", 20) + 1
        ids[name] = passages.add_passage(db, article_id=article_id, tag_id=tag_id,
                                         start=start, end=start + 25, analyst=analyst,
                                         note=note)
    db.close()
    return ids, cyber, scams, drugs


@pytest.fixture
def workspace(open_window, seeded_db_path, qtbot):
    ids, cyber, scams, drugs = _stored(seeded_db_path)
    window = open_window(seeded_db_path)
    qtbot.keyClick(window, Qt.Key.Key_W, Qt.KeyboardModifier.ControlModifier
                   | Qt.KeyboardModifier.ShiftModifier)
    controller = window.workspace
    qtbot.waitUntil(controller.is_shown, timeout=3000)
    return window, controller, controller.widget, ids, (cyber, scams, drugs)


def _listed(widget) -> list[int]:
    model = widget.model
    return [model.passage(row)["id"] for row in range(model.rowCount())]


def test_storage_query_filters_and_sorts(seeded_db_path):
    ids, cyber, scams, drugs = _stored(seeded_db_path)
    db = open_database(seeded_db_path)
    assert count_passages(db) == 4
    assert count_passages(db, PassageQuery(tag_id=cyber)) == 3
    assert count_passages(db, PassageQuery(tag_id=cyber, tag_children=False)) == 1
    assert count_passages(db, PassageQuery(analyst="bo")) == 2
    assert count_passages(db, PassageQuery(note="minister")) == 1
    assert count_passages(db, PassageQuery(article_id=3)) == 2
    assert count_passages(db, PassageQuery(review="done")) == 0
    assert count_passages(db, PassageQuery(since="2024-06-01")) == 0   # seeds 1-4 undated
    rows = passage_page(db, PassageQuery(sort="tag"), 0, 10)
    assert [r["tag"] for r in rows] == ["Cybercrime", "Drugs", "Scams", "Scams"]
    assert passage_ids(db, PassageQuery(sort="analyst", descending=True))[:2] == sorted(
        [ids["b"], ids["d"]], reverse=True)
    assert [r["id"] for r in passage_page(db, PassageQuery(), 1, 2)] == [ids["b"], ids["c"]]


def test_the_note_filter_finds_a_word_inside_a_run_of_chinese_or_thai(seeded_db_path):
    """A word of Chinese or Thai inside a longer run of such text in a note:
    the article search in notes found it, the Passages filter listed 0 (it
    did not read the indexes' vocabulary). The count, the first rows and
    the ids "Export these…" takes agree with the article search."""
    from storage.article_query import ArticleQuery, count_articles

    ids, cyber, _scams, _drugs = _stored(seeded_db_path)
    db = open_database(seeded_db_path)
    chinese = passages.add_passage(db, article_id=2, tag_id=cyber, start=0, end=10,
                                   analyst="ana", note="备注：柬埔寨政府回应")
    thai = passages.add_passage(db, article_id=4, tag_id=cyber, start=0, end=10,
                                analyst="ana", note="หมายเหตุ รัฐบาลกัมพูชาตอบแล้ว")
    for word, passage_id, article_id in (("柬埔寨", chinese, 2), ("กัมพูชา", thai, 4)):
        query = PassageQuery(note=word)
        assert count_passages(db, query) == 1
        assert first_ids(db, query, 10) == passage_ids(db, query) == [passage_id]
        assert count_articles(db, ArticleQuery(search=word, search_in="notes")) == 1
        assert first_ids(db, PassageQuery(note=f"{word} -minister"), 10) == [passage_id]
    assert passage_ids(db, PassageQuery(note="回应 -柬埔寨")) == []      # left out inside a run too
    db.close()


def test_the_note_filter_finds_a_word_inside_a_run_beginning_with_a_digit_or_latin_letter(
        seeded_db_path):
    """“2024年5月开会” and “iPhone手机已售罄” are single tokens beginning with
    a digit or a Latin letter: the filter listed no passage for 5月 or 手机."""
    ids, cyber, _scams, _drugs = _stored(seeded_db_path)
    db = open_database(seeded_db_path)
    dated = passages.add_passage(db, article_id=2, tag_id=cyber, start=0, end=10,
                                 analyst="ana", note="2024年5月开会")
    brand = passages.add_passage(db, article_id=4, tag_id=cyber, start=0, end=10,
                                 analyst="ana", note="iPhone手机已售罄")
    for word, passage_id in (("5月", dated), ("手机", brand)):
        query = PassageQuery(note=word)
        assert count_passages(db, query) == 1
        assert first_ids(db, query, 10) == passage_ids(db, query) == [passage_id]
    assert passage_ids(db, PassageQuery(note="iPhone")) == []        # a Latin word: whole tokens
    db.close()


def test_keyboard_opens_workspace_and_filters_by_tag_and_note(workspace, qtbot):
    window, controller, widget, ids, (cyber, scams, drugs) = workspace
    assert widget.table.hasFocus()
    qtbot.keyClick(widget.table, Qt.Key.Key_W, Qt.KeyboardModifier.ControlModifier
                   | Qt.KeyboardModifier.ShiftModifier)
    qtbot.waitUntil(lambda: not controller.is_shown(), timeout=3000)
    qtbot.keyClick(window, Qt.Key.Key_W, Qt.KeyboardModifier.ControlModifier
                   | Qt.KeyboardModifier.ShiftModifier)
    qtbot.waitUntil(lambda: controller.is_shown() and widget.table.hasFocus(), timeout=3000)
    assert widget.count_label.text() == "4 passages"
    assert _listed(widget) == [ids["a"], ids["b"], ids["c"], ids["d"]]
    widget.tag.setFocus()
    widget.tag.setCurrentIndex(widget.tag.findData(cyber))
    qtbot.waitUntil(lambda: widget.count_label.text() == "3 passages match", timeout=3000)
    assert widget.tag.itemText(widget.tag.findData(scams)) == "    Scams"
    qtbot.mouseClick(widget.tag_children, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: _listed(widget) == [ids["a"]], timeout=3000)
    widget.tag.setCurrentIndex(0)
    widget.note.setFocus()
    qtbot.keyClicks(widget.note, "minister")
    qtbot.keyClick(widget.note, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: _listed(widget) == [ids["c"]], timeout=3000)
    widget.note.clear()
    qtbot.keyClick(widget.note, Qt.Key.Key_Return)
    qtbot.mouseClick(widget.this_article, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: widget.model.rowCount() == 1, timeout=3000)
    assert _listed(widget) == [ids["a"]]       # the reader shows article 1


def _menu_labels(menu) -> list:
    """A menu as text: an action's label (without its key), a submenu as
    (label, [its labels])."""
    return [(a.text().split("\t")[0], _menu_labels(a.menu())) if a.menu()
            else a.text().split("\t")[0] for a in menu.actions() if not a.isSeparator()]


def test_retag_menus_offer_no_category(workspace, qtbot, seeded_db_path):
    """A category (a tag not used for tagging) was offered by Re-tag as and
    the right-click menu, as the Passages tab's menu never does; now, as
    there, it is only a submenu of its tags, or left out."""
    window, _controller, widget, ids, (cyber, scams, drugs) = workspace
    other = open_database(seeded_db_path)
    tags.set_codable(other, tags.find_tag(other, "Diplomacy")["id"], False)
    tags.set_codable(other, cyber, False)
    other.close()
    assert window.controllers.backups.check_external_changes()
    qtbot.waitUntil(lambda: "Drugs" in _menu_labels(widget.retag_menu)
                    and "Diplomacy" not in _menu_labels(widget.retag_menu), timeout=3000)
    labels = _menu_labels(widget.retag_menu)
    assert ("Cybercrime", ["Scams"]) in labels
    table = widget.table
    table.setFocus()
    table.setCurrentIndex(widget.model.index(widget.model.row_of(ids["d"]), PASSAGE))
    shown = []

    def read_and_pick() -> None:
        menu = QApplication.activePopupWidget()
        [retag] = [a.menu() for a in menu.actions() if a.text().startswith("Re-tag")]
        shown.extend(_menu_labels(retag))
    QTimer.singleShot(100, read_and_pick)
    pick_from_next_menu(["Re-tag 1 passage(s) as", "Cybercrime", "Scams"])
    rect = table.visualRect(widget.model.index(widget.model.row_of(ids["d"]), PASSAGE))
    right_click(table.viewport(), rect.center())
    assert "Diplomacy" not in shown and ("Cybercrime", ["Scams"]) in shown
    assert passages.get_passage(window.db, ids["d"])["tag_id"] == scams


def test_header_click_sorts(workspace, qtbot):
    window, controller, widget, ids, _ = workspace
    header = widget.table.horizontalHeader()
    x = header.sectionViewportPosition(ANALYST) + 5
    QTest.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, header.height() // 2))
    qtbot.waitUntil(lambda: [widget.model.passage(r)["analyst"] for r in range(4)]
                    == ["ana", "ana", "bo", "bo"], timeout=3000)
    QTest.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, header.height() // 2))
    qtbot.waitUntil(lambda: widget.model.passage(0)["analyst"] == "bo", timeout=3000)


def test_enter_and_double_click_open_the_passage_in_the_reader(workspace, qtbot):
    window, controller, widget, ids, _ = workspace
    table = widget.table
    table.setFocus()
    qtbot.keyClick(table, Qt.Key.Key_Down)
    qtbot.keyClick(table, Qt.Key.Key_Down)          # passage c, article 3
    qtbot.keyClick(table, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.view.hasFocus(), timeout=3000)   # the reader beside it
    stored = passages.get_passage(window.db, ids["c"])
    assert window.current_id == 3
    assert window.view.selection_range() == (stored["start"], stored["end"])
    controller.show()
    row = widget.model.row_of(ids["b"])
    rect = table.visualRect(widget.model.index(row, PASSAGE))
    QTest.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    QTest.mouseDClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.waitUntil(lambda: window.current_id == 2 and window.view.hasFocus(), timeout=3000)


def test_note_edited_in_place_and_undone(workspace, qtbot):
    window, controller, widget, ids, _ = workspace
    table = widget.table
    table.setFocus()
    qtbot.keyClick(table, Qt.Key.Key_Down)          # passage b
    qtbot.keyClick(table, Qt.Key.Key_F2)
    qtbot.waitUntil(lambda: table.state() == table.State.EditingState, timeout=3000)
    focused = table.focusWidget()
    qtbot.keyClicks(focused, "needs a second source")
    qtbot.keyClick(focused, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: passages.get_passage(window.db, ids["b"])["note"]
                    == "needs a second source", timeout=3000)
    row = widget.model.row_of(ids["b"])
    qtbot.waitUntil(lambda: widget.model.index(row, NOTE).data() == "needs a second source",
                    timeout=3000)
    assert window.undo_stack.undoText() == "Edit note"
    # the analyst's place is kept: still on b, the table focused, ↓ goes on to c
    assert table.currentIndex().row() == row and table.hasFocus()
    qtbot.keyClick(table, Qt.Key.Key_Down)
    assert table.currentIndex().data(ID_ROLE) == ids["c"]
    window.undo_action.trigger()
    assert passages.get_passage(window.db, ids["b"])["note"] == ""


def test_multi_select_retag_and_delete_are_undoable(workspace, qtbot):
    window, controller, widget, ids, (cyber, scams, drugs) = workspace
    table = widget.table
    table.setFocus()
    qtbot.keyClick(table, Qt.Key.Key_Down)                                 # b
    qtbot.keyClick(table, Qt.Key.Key_Down, Qt.KeyboardModifier.ShiftModifier)  # b, c
    assert widget.selected_ids() == [ids["b"], ids["c"]]
    [action] = [a for a in widget.retag_menu.actions() if a.text().split("\t")[0] == "Drugs"]
    action.trigger()
    db = window.db
    assert {passages.get_passage(db, i)["tag_id"] for i in (ids["b"], ids["c"])} == {drugs}
    assert window.undo_stack.undoText() == "Re-tag 2 passages as “Drugs”"
    window.undo_action.trigger()
    assert {passages.get_passage(db, i)["tag_id"] for i in (ids["b"], ids["c"])} == {scams}
    # the list is read again once the undo's event is over, the selection kept
    qtbot.waitUntil(lambda: widget.model.index(widget.model.row_of(ids["b"]), 1).data()
                    == "Scams", timeout=3000)
    assert widget.selected_ids() == [ids["b"], ids["c"]]

    table.setFocus()
    qtbot.keyClick(table, Qt.Key.Key_Home, Qt.KeyboardModifier.ControlModifier)  # the top
    qtbot.keyClick(table, Qt.Key.Key_Down, Qt.KeyboardModifier.ShiftModifier)  # a, b
    qtbot.keyClick(table, Qt.Key.Key_Delete)
    assert passages.get_passage(db, ids["a"]) is None and passages.get_passage(db, ids["b"]) is None
    qtbot.waitUntil(lambda: widget.count_label.text() == "2 passages", timeout=3000)
    # the row after the deleted ones is current: Enter, F2 and Delete act on
    # it (there was no current row until an arrow key)
    assert table.currentIndex().data(ID_ROLE) == ids["c"]
    assert widget.selected_ids() == [ids["c"]]
    qtbot.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert passages.get_passage(db, ids["a"])["note"] == "check the date"
    qtbot.waitUntil(lambda: widget.count_label.text() == "4 passages", timeout=3000)
    assert table.currentIndex().data(ID_ROLE) == ids["c"]


def test_export_these_exports_exactly_the_listed(workspace, qtbot, tmp_path):
    window, controller, widget, ids, _ = workspace
    widget.analyst.setCurrentIndex(widget.analyst.findData("ana"))
    qtbot.waitUntil(lambda: widget.model.rowCount() == 2, timeout=3000)
    target = tmp_path / "these.csv"
    task = controller.export_listed(target)
    assert task.wait(10000)
    qtbot.waitUntil(target.exists, timeout=10000)
    with target.open(encoding="utf-8-sig") as handle:
        exported = sorted(int(r["passage_id"]) for r in csv.DictReader(handle))
    assert exported == sorted([ids["a"], ids["c"]])


@pytest.mark.parametrize("since, until", [("2026-13-45", ""), ("2025-02-01", "2025-01-01")])
def test_export_these_after_a_refused_filter_exports_the_list_shown(workspace, qtbot, tmp_path,
                                                                   since, until):
    """A bad date or a reversed range is refused ("The list still shows the
    last filter that worked"); Export these… then raised the unexpected-error
    dialog: the refused query had become the one exported."""
    window, controller, widget, ids, _ = workspace
    widget.analyst.setCurrentIndex(widget.analyst.findData("ana"))
    qtbot.waitUntil(lambda: widget.model.rowCount() == 2, timeout=3000)
    widget.until.setText(until)         # (set alone, a bound would list another list)
    widget.since.setFocus()
    qtbot.keyClicks(widget.since, since)
    qtbot.keyClick(widget.since, Qt.Key.Key_Return)
    qtbot.waitUntil(widget.error_label.isVisible, timeout=3000)
    assert widget.error_label.text().endswith(STILL_SHOWN)
    assert _listed(widget) == passage_ids(window.db, controller.query)
    target = tmp_path / "these.csv"
    task = controller.export_listed(target)
    assert window.statusBar().currentMessage() == \
        "Exporting the 2 passages listed of the last filter that worked."
    assert task.wait(10000)
    qtbot.waitUntil(target.exists, timeout=10000)
    with target.open(encoding="utf-8-sig") as handle:
        exported = sorted(int(r["passage_id"]) for r in csv.DictReader(handle))
    assert exported == sorted([ids["a"], ids["c"]])


def test_review_filters_either_way(seeded_db_path):
    from storage import review

    ids, *_ = _stored(seeded_db_path)
    db = open_database(seeded_db_path)
    review.set_review_status(db, 3, "done")
    review.set_review_status(db, 2, "in progress")
    assert sorted(passage_ids(db, PassageQuery(review="new"))) == [ids["a"]]
    assert sorted(passage_ids(db, PassageQuery(review="not done"))) == sorted(
        [ids["a"], ids["b"]])
    assert sorted(passage_ids(db, PassageQuery(review="done"))) == sorted([ids["c"], ids["d"]])


def _workspace_with_a_source(open_window, seeded_db_path, qtbot):
    """The window on the seeds, article 2 from "Khmer Times", its workspace
    shown once the names to offer are read."""
    from storage import articles

    db = open_database(seeded_db_path)
    articles.update_details(db, 2, source="Khmer Times")
    db.close()
    window = open_window(seeded_db_path)
    window.workspace.show()
    widget = window.workspace.widget
    qtbot.waitUntil(lambda: widget.source.completer() is not None, timeout=10000)
    return window, widget


def test_the_source_field_offers_the_corpus_sources(open_window, seeded_db_path, qtbot):
    window, widget = _workspace_with_a_source(open_window, seeded_db_path, qtbot)
    model = widget.source.completer().model()
    assert "Khmer Times" in [model.index(i, 0).data() for i in range(model.rowCount())]


def test_speaker_filter_lists_passages_overlapping_their_quotes(analysed_db_path):
    from storage.passage_listing import PassageListing

    db = open_database(analysed_db_path)
    quote = db.execute("SELECT q.start, q.end, q.speaker, a.article_id FROM quotes q "
                       "JOIN analyses a ON a.id = q.analysis_id WHERE q.speaker != '' "
                       "ORDER BY q.id LIMIT 1").fetchone()
    start, end, speaker, article_id = quote
    tag_id = tags.find_tag(db, "Key quote")["id"]
    inside = passages.add_passage(db, article_id=article_id, tag_id=tag_id, start=start,
                                  end=min(end, start + 12), analyst="a")
    text = db.execute("SELECT text FROM articles WHERE id = ?", [article_id]).fetchone()[0]
    quoted = {(s, e) for s, e in db.execute(
        "SELECT q.start, q.end FROM quotes q JOIN analyses a ON a.id = q.analysis_id "
        "WHERE a.article_id = ? AND lower(q.speaker) = lower(?)", [article_id, speaker])}
    free = next(i for i in range(0, len(text) - 5)
                if text[i:i + 5].strip() and all(not (s < i + 5 and e > i) for s, e in quoted))
    passages.add_passage(db, article_id=article_id, tag_id=tag_id, start=free, end=free + 5,
                         analyst="a")
    listing = PassageListing(db, PassageQuery(speaker=speaker.upper()))
    assert listing.count() == 1 == count_passages(db, PassageQuery(speaker=speaker))
    assert [r["id"] for r in listing.page(0, 10)] == [inside]


def test_speaker_filter_follows_the_analysts_corrections_and_merges(analysed_db_path):
    """As the reader, the Speakers tab, the article list and exports do: a
    speaker set on a quote, or a name merged into another, is the name the
    filter finds (found by a new user's walk: the old name still matched)."""
    from storage import journal, speaker_corrections

    db = open_database(analysed_db_path)
    start, end, speaker, article_id = db.execute(
        "SELECT q.start, q.end, q.speaker, a.article_id FROM quotes q "
        "JOIN analyses a ON a.id = q.analysis_id WHERE q.speaker != '' "
        "ORDER BY q.id LIMIT 1").fetchone()
    tag_id = tags.find_tag(db, "Key quote")["id"]
    inside = passages.add_passage(db, article_id=article_id, tag_id=tag_id, start=start,
                                  end=min(end, start + 12), analyst="a")
    with journal.step(db, "Set speaker"):
        speaker_corrections.set_speaker(db, article_id, start, end, "Police spokesman Chhay")
    assert passage_ids(db, PassageQuery(speaker="police spokesman chhay")) == [inside]
    assert inside not in passage_ids(db, PassageQuery(speaker=speaker))
    with journal.step(db, "Merge speakers"):
        speaker_corrections.merge_speakers(db, ["Police spokesman Chhay"], "Chhay Sokha")
    assert passage_ids(db, PassageQuery(speaker="Chhay Sokha")) == [inside]
    # the merged-away name is the name it is shown as now (it found nothing,
    # saying nothing: walk S)
    assert passage_ids(db, PassageQuery(speaker="Police spokesman Chhay")) == [inside]


def test_speaker_filter_counts_only_the_current_analysis(analysed_db_path):
    """Analysed again under a newer pipeline version, the quote is someone
    else's: the filter (and so "Export these…") listed the passage under the
    old name while an older result stayed in the file, shown nowhere. A
    result is replaced now; one not shown can still be there (a degraded
    pipeline's after a trained one's, a file from before): never counted."""
    from storage import analyses

    db = open_database(analysed_db_path)
    article_id, text_hash, pipeline, version = db.execute(
        "SELECT n.article_id, n.text_hash, n.pipeline, n.pipeline_version "
        "FROM analyses n JOIN quotes q ON q.analysis_id = n.id WHERE q.speaker != '' "
        "ORDER BY n.id LIMIT 1").fetchone()
    old = analyses.latest_analysis(db, article_id)
    quote = next(q for q in old["quotes"] if q["speaker"])
    old_name = quote["speaker"]
    inside = passages.add_passage(db, article_id=article_id,
                                  tag_id=tags.find_tag(db, "Key quote")["id"],
                                  start=quote["start"], end=quote["start"] + 8, analyst="a")
    assert passage_ids(db, PassageQuery(speaker=old_name)) == [inside]
    new_quotes = [{k: q[k] for k in analyses.QUOTE_FIELDS} for q in old["quotes"]]
    for q in new_quotes:
        if (q["speaker"] or "").lower() == old_name.lower():
            q["speaker"] = "Zed Newname"
    analyses.save_analyses(db, [{"article_id": article_id, "text_hash": text_hash,
                                 "entities": old["entities"], "quotes": new_quotes}],
                           pipeline=pipeline, pipeline_version=version + "-new",
                           degraded=False)
    assert passage_ids(db, PassageQuery(speaker="Zed Newname")) == [inside]
    assert passage_ids(db, PassageQuery(speaker=old_name)) == []
    assert count_passages(db, PassageQuery(speaker=old_name)) == 0
    # a degraded pipeline's result, stored after: kept, not shown
    analyses.save_analyses(db, [{"article_id": article_id, "text_hash": text_hash,
                                 "entities": old["entities"], "quotes": [
                                     {k: q[k] for k in analyses.QUOTE_FIELDS}
                                     for q in old["quotes"]]}],
                           pipeline="blank", pipeline_version="0", degraded=True)
    assert db.execute("SELECT count(*) FROM analyses WHERE article_id = ?",
                      [article_id]).fetchone()[0] == 2
    assert passage_ids(db, PassageQuery(speaker="Zed Newname")) == [inside]
    assert passage_ids(db, PassageQuery(speaker=old_name)) == []
    assert count_passages(db, PassageQuery(speaker=old_name)) == 0


def test_a_long_list_is_shown_at_once_and_counted_in_a_worker(open_window, seeded_db_path,
                                                                qtbot):
    """1,200 passages of one analyst: the first rows and "1,000+" come with
    the filter change, the exact count from a worker; scrolling then goes on
    past the first thousand."""
    db = open_database(seeded_db_path)
    tag_id = tags.find_tag(db, "Cybercrime")["id"]
    lengths = {r[0]: r[1] for r in db.execute("SELECT id, length(text) FROM articles")}
    ranges = [{"article_id": a, "tag_id": tag_id, "start": s, "end": s + 10}
              for a in sorted(lengths) for s in range(0, lengths[a] - 10, 5)][:1200]
    assert len(ranges) == 1200
    passages.add_passages(db, ranges, analyst="bulk")
    passages.add_passage(db, article_id=1, tag_id=tag_id, start=0, end=5, analyst="other")
    db.close()
    window = open_window(seeded_db_path)
    window.workspace.show()
    widget = window.workspace.widget
    qtbot.waitUntil(lambda: widget.count_label.text() == "1,201 passages", timeout=5000)
    shown = []
    widget.model.totalChanged.connect(
        lambda total, exact: shown.append((widget.count_label.text(), widget.model.rowCount())))
    widget.analyst.setCurrentIndex(widget.analyst.findData("bulk"))
    qtbot.waitUntil(lambda: widget.model.total_is_exact(), timeout=5000)
    assert shown == [("1,000+ passages match", 100), ("1,200 passages match", 100)]
    assert widget.count_label.toolTip() == ""
    model = widget.model
    while model.canFetchMore():
        model.fetchMore()
    assert model.rowCount() == 1200
    assert [model.passage(r)["id"] for r in range(1200)] == passage_ids(
        window.db, PassageQuery(analyst="bulk"))
    widget.analyst.setCurrentIndex(widget.analyst.findData("other"))
    qtbot.waitUntil(lambda: widget.count_label.text() == "1 passage matches", timeout=5000)
    assert shown[-1] == ("1 passage matches", 1)           # a short list: counted at once


def test_the_context_line_spaces_the_marks_only_where_the_text_does():
    from widgets.passage_workspace import context_line

    def line(prefix, text, suffix):
        return context_line({"prefix": prefix, "text": text, "suffix": suffix})

    assert line("The ", "Australia", "n Ambassador") == "…The «Australia»n Ambassador…"
    assert line("to ", "fight against cybercrime", ", which") == \
        "…to «fight against cybercrime», which…"
    assert line("“", "We will not tolerate,", "” he said") == "…“«We will not tolerate,»” he said…"
    assert line("said\n\n", "the post", "") == "…said «the post»"
    assert line("", "Opening words", " of it") == "«Opening words» of it…"


def test_export_these_takes_the_type_chosen_for_a_name_without_ending(workspace, qtbot,
                                                                      tmp_path, monkeypatch):
    from PySide6.QtWidgets import QFileDialog

    window, controller, widget, ids, _ = workspace
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(
        lambda *a, **k: (str(tmp_path / "week27"), "Excel workbook (*.xlsx)")))
    task = controller.export_listed()
    assert task.wait(10000)
    qtbot.waitUntil((tmp_path / "week27.xlsx").exists, timeout=10000)
    assert not (tmp_path / "week27.csv").exists()


def test_a_reversed_date_range_says_so(db):
    from storage.article_query import SearchError

    with pytest.raises(SearchError, match="From 2024-01-01 is after To 2023-01-01"):
        count_passages(db, PassageQuery(since="2024-01-01", until="2023-01-01"))
    assert count_passages(db, PassageQuery(since="2024-01-01", until="2024-01-01")) == 0


@pytest.mark.parametrize("zone, stored, day", [
    ("Asia/Phnom_Penh", "2026-11-22T23:30:00+00:00", "2026-11-23"),    # 06:30, UTC+7
    ("America/New_York", "2026-11-24T01:00:00+00:00", "2026-11-23"),   # 20:00, UTC-5
])
def test_the_tagged_range_is_in_the_analysts_days(seeded_db_path, time_zone, zone, stored,
                                                  day):
    """The range compared the stored UTC time's day: a passage tagged in the
    morning in Phnom Penh (or the evening in New York) was not of its day."""
    time_zone(zone)
    db = open_database(seeded_db_path)
    tag_id = tags.find_tag(db, "Drugs")["id"]
    pid = passages.add_passage(db, article_id=1, tag_id=tag_id, start=0, end=5,
                               analyst="ana", created_at=stored)
    that_day = PassageQuery(since=day, until=day, date_of="tagged")
    assert passage_ids(db, that_day) == [pid]
    assert passage_ids(db, PassageQuery(since=day, date_of="tagged")) == [pid]
    assert passage_ids(db, PassageQuery(until=day, date_of="tagged")) == [pid]
    before, after = ("2026-11-22", "2026-11-24")
    assert passage_ids(db, PassageQuery(until=before, date_of="tagged")) == []
    assert passage_ids(db, PassageQuery(since=after, date_of="tagged")) == []


def test_part_of_a_name_finding_nothing_says_a_whole_name_is_needed(open_window,
                                                                     seeded_db_path, qtbot):
    ids, *_ = _stored(seeded_db_path)
    window, widget = _workspace_with_a_source(open_window, seeded_db_path, qtbot)
    widget.source.setFocus()
    qtbot.keyClicks(widget.source, "khmer")
    qtbot.keyClick(widget.source, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: widget.error_label.isVisible(), timeout=5000)
    assert widget.error_label.text() == (
        "No source is called “khmer”: the source filter takes a whole name — pick one of "
        "those offered as you type.")
    widget.source.setText("khmer times")          # a whole name, in any case
    qtbot.keyClick(widget.source, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not widget.error_label.isVisible(), timeout=5000)
    assert widget.model.rowCount() == len([p for p in ids.values()
                                           if passages.get_passage(window.db, p)["article_id"] == 2])


def test_the_date_range_can_be_when_the_passage_was_tagged(open_window, seeded_db_path, qtbot):
    """"What was coded this week": the range on the day of tagging, not on
    the article's published date (the seeds have none)."""
    db = open_database(seeded_db_path)
    tag_id = tags.find_tag(db, "Drugs")["id"]
    made = {day: passages.add_passage(db, article_id=1, tag_id=tag_id, start=i * 10,
                                      end=i * 10 + 5, analyst="ana",
                                      created_at=f"2026-11-{day}T10:00:00+00:00")
            for i, day in enumerate(("20", "27", "30"))}
    db.close()
    week = PassageQuery(since="2026-11-24", until="2026-11-30", date_of="tagged")
    db = open_database(seeded_db_path)
    assert sorted(passage_ids(db, week)) == sorted([made["27"], made["30"]])
    assert passage_ids(db, PassageQuery(since="2026-11-24", date_of="published")) == []
    db.close()

    window = open_window(seeded_db_path)
    window.workspace.show()
    widget = window.workspace.widget
    widget.date_of.setCurrentIndex(widget.date_of.findData("tagged"))
    widget.since.setFocus()
    qtbot.keyClicks(widget.since, "2026-11-24")
    qtbot.keyClick(widget.since, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: widget.model.rowCount() == 2, timeout=5000)
    assert widget.count_label.text() == "2 passages match"
    assert not widget.undated_label.isVisible()
    widget.date_of.setCurrentIndex(widget.date_of.findData("published"))   # undated seeds
    qtbot.waitUntil(lambda: widget.model.rowCount() == 0, timeout=5000)
    # said, not silently dropped: every passage here is of an undated article
    qtbot.waitUntil(widget.undated_label.isVisible, timeout=5000)
    assert widget.undated_label.text() == "· 3 passages of undated articles left out"
    # a date that is none: said, and the list says it is the filter before
    widget.since.setFocus()
    widget.since.selectAll()
    qtbot.keyClicks(widget.since, "2026-13-45")
    qtbot.keyClick(widget.since, Qt.Key.Key_Return)
    qtbot.waitUntil(widget.error_label.isVisible, timeout=5000)
    assert widget.error_label.text().endswith(STILL_SHOWN)
    assert "2026-13-45" in widget.error_label.text()


def test_the_columns_fit_the_codebooks_names_and_keep_a_dragged_width(qtbot):
    """The Tag column is as wide as the codebook's longest name (the passage
    keeps most of the rest), the tag's full name is its tooltip, and a
    column the analyst widened keeps its width when the table is resized."""
    from PySide6.QtCore import QModelIndex

    from widgets.passage_workspace import ARTICLE, TAG, PassageSource, PassageWorkspace

    widget = PassageWorkspace()
    qtbot.addWidget(widget)
    widget.resize(1400, 500)
    widget.show()
    qtbot.waitExposed(widget)
    codebook = [{"id": 1, "name": "Cybercrime", "color": "#ff0000", "parent_id": None},
                {"id": 2, "name": "Training & capacity building", "color": "#00ff00",
                 "parent_id": None}]
    widget.set_tags(codebook)
    row = {"id": 7, "text": "more support for training", "prefix": "asked for ",
           "suffix": " of police", "tag": "Training & capacity building", "color": "#00ff00",
           "title": "Cambodia asked Australia", "published": None, "analyst": "ana",
           "note": "", "article_id": 1, "start": 0, "end": 25}
    widget.set_source(PassageSource.from_rows([row]), 1)
    header = widget.table.horizontalHeader()
    name = widget.table.fontMetrics().horizontalAdvance("Training & capacity building")
    assert header.sectionSize(TAG) > name + 16          # the name and its swatch
    assert header.sectionSize(PASSAGE) > widget.table.viewport().width() * 0.35
    index = widget.model.index(0, TAG, QModelIndex())
    assert "Training &amp; capacity building" in index.data(Qt.ItemDataRole.ToolTipRole)

    header.resizeSection(ARTICLE, 400)                # the analyst drags its edge
    tag_width = header.sectionSize(TAG)
    widget.resize(1100, 500)
    qtbot.waitUntil(lambda: widget.table.viewport().width() < 1100)
    assert header.sectionSize(ARTICLE) == 400
    assert header.sectionSize(TAG) == min(tag_width, int(widget.table.viewport().width() * 0.2))


def test_a_part_of_a_name_typed_before_the_names_are_read_gets_its_hint(qtbot):
    """The speaker names are read in a worker: a part of a name that found
    nothing before they arrived gets the whole-name hint when they do."""
    from widgets.passage_workspace import PassageSource, PassageWorkspace

    widget = PassageWorkspace()
    qtbot.addWidget(widget)
    widget.show()
    widget.speaker.setText("sokha")
    widget.set_source(PassageSource.from_rows([]), 0)
    assert not widget.error_label.isVisible()         # no names to tell by yet
    widget.set_completions({"speaker": ["Sar Sokha", "Neth Savoeun"]})
    assert widget.error_label.isVisible()
    assert widget.error_label.text().startswith("No speaker is called “sokha”")


def test_opening_the_workspace_leaves_the_whole_codebook_in_view(open_window, seeded_db_path,
                                                                 qtbot):
    """The dock below takes its height from the tabs, not from the codebook
    whose keys the analyst tags by (at 1500×900, 7 of 9 tags were left)."""
    window = open_window(seeded_db_path)
    window.resize(1500, 900)
    qtbot.waitUntil(lambda: window.height() == 900 or window.isMaximized(), timeout=3000)
    tree = window.tag_panel.tree
    last = tree.topLevelItem(tree.topLevelItemCount() - 1)
    assert tree.topLevelItemCount() == 9
    qtbot.keyClick(window, Qt.Key.Key_W, Qt.KeyboardModifier.ControlModifier
                   | Qt.KeyboardModifier.ShiftModifier)
    qtbot.waitUntil(window.workspace.is_shown, timeout=3000)
    qtbot.wait(50)
    assert window.workspace.dock.height() > 200
    assert tree.viewport().rect().contains(tree.visualItemRect(last))


def test_tab_and_shift_tab_leave_the_table_for_the_filters_and_buttons(workspace, qtbot):
    """By keyboard alone the filters and the buttons are reachable from the
    table (Tab moved from cell to cell and wrapped round, for ever)."""
    window, controller, widget, ids, _tags = workspace
    qtbot.waitUntil(lambda: widget.model.rowCount() == 4, timeout=3000)
    widget.table.setFocus()
    qtbot.keyClick(widget.table, Qt.Key.Key_Backtab, Qt.KeyboardModifier.ShiftModifier)
    before = QApplication.focusWidget()
    assert before is not widget.table and widget.isAncestorOf(before)
    widget.table.setFocus()
    qtbot.keyClick(widget.table, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is not widget.table


def test_ctrl_end_goes_to_the_last_passage_not_the_last_loaded(qtbot):
    """Ctrl+End went to row 199 of 200,019: the rows loaded so far."""
    from widgets.passage_workspace import PassageSource, PassageTable, PassageTableModel

    rows = [{"id": i, "tag": "Drugs", "title": f"Story {i}", "published": "", "analyst": "ana",
             "note": "", "text": f"passage {i}", "prefix": "", "suffix": "", "color": "#ff0000"}
            for i in range(1, 1001)]
    table = PassageTable()
    model = PassageTableModel(table)
    table.setModel(model)
    qtbot.addWidget(table)
    table.resize(500, 300)
    table.show()
    model.set_source(PassageSource.from_rows(rows))
    table.setFocus()
    table.setCurrentIndex(model.index(0, 1))
    qtbot.keyClick(table, Qt.Key.Key_End, Qt.KeyboardModifier.ControlModifier)
    assert model.rowCount() == 1000
    assert table.currentIndex().row() == 999
    assert table.currentIndex().data(ID_ROLE) == 1000


def test_a_tag_saved_while_the_workspace_is_hidden_is_listed_when_it_is_shown(workspace,
                                                                              qtbot):
    window, controller, widget, ids, _ = workspace
    before = set(_listed(widget))
    widget.table.setFocus()
    qtbot.keyClick(widget.table, Qt.Key.Key_W, Qt.KeyboardModifier.ControlModifier
                   | Qt.KeyboardModifier.ShiftModifier)          # put away
    qtbot.waitUntil(lambda: not controller.is_shown(), timeout=3000)
    view = window.view
    view.select_range(0, 12)
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_1)                          # the first tag's key
    article_id = window.state.article_id
    made = {p["id"] for p in passages.passages_for_article(window.db, article_id)} - before
    assert len(made) == 1
    qtbot.keyClick(window, Qt.Key.Key_W, Qt.KeyboardModifier.ControlModifier
                   | Qt.KeyboardModifier.ShiftModifier)          # shown again
    qtbot.waitUntil(controller.is_shown, timeout=3000)
    qtbot.waitUntil(lambda: made <= set(_listed(widget)), timeout=3000)


def _typing_a_note_in(qtbot, widget, passage_id: int, words: str):
    table = widget.table
    table.setFocus()
    table.setCurrentIndex(widget.model.index(widget.model.row_of(passage_id), 0))
    qtbot.keyClick(table, Qt.Key.Key_F2)
    qtbot.waitUntil(lambda: table.state() == table.State.EditingState, timeout=3000)
    editor = QApplication.focusWidget()
    editor.end(False)
    qtbot.keyClicks(editor, words)
    return editor


def test_this_article_only_is_the_readers_article_even_one_the_article_list_hides(
        workspace, qtbot):
    """A search hides article 3 from the article list; Enter on one of its
    passages here opens it in the reader. "This article only" then listed
    article 1's passages (the list's last choice), and F2, Delete, Re-tag and
    Export these… acted on them."""
    window, _controller, widget, ids, _tags = workspace
    search = window.article_filters.search
    search.setFocus()
    qtbot.keyClicks(search, "Savoeun")                      # article 1 only
    qtbot.keyClick(search, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.article_list.list_model.row_of(3) is None, timeout=3000)
    assert window.current_id == 1
    table = widget.table
    table.setFocus()
    table.setCurrentIndex(widget.model.index(widget.model.row_of(ids["d"]), PASSAGE))
    qtbot.keyClick(table, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.current_id == 3, timeout=3000)
    qtbot.mouseClick(widget.this_article, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: widget.model.rowCount() == 2, timeout=3000)
    assert set(_listed(widget)) == {ids["c"], ids["d"]}
    # a search nothing matches: the reader shows no article, and none's passages are listed
    search.setFocus()
    search.selectAll()
    qtbot.keyClicks(search, "zzqxwv")
    qtbot.keyClick(search, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.current_id is None, timeout=3000)
    qtbot.waitUntil(lambda: widget.model.rowCount() == 0, timeout=3000)
    qtbot.wait(50)
    assert _listed(widget) == []


def test_a_note_being_typed_in_the_workspace_is_kept_when_its_rows_are_read_again(
        workspace, qtbot):
    """"This article only", then Alt+Down from the note's editor: the rows
    were read again for the next article, the editor dropped with the note."""
    window, _controller, widget, ids, _tags = workspace
    window.article_list.select_article(3)
    qtbot.waitUntil(lambda: window.current_id == 3)
    widget.this_article.setChecked(True)
    qtbot.waitUntil(lambda: set(_listed(widget)) == {ids["c"], ids["d"]}, timeout=3000)
    editor = _typing_a_note_in(qtbot, widget, ids["d"], "typed in the workspace")
    qtbot.keyClick(editor, Qt.Key.Key_Down, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: window.current_id != 3, timeout=3000)
    qtbot.waitUntil(lambda: passages.get_passage(window.db, ids["d"])["note"]
                    == "typed in the workspace", timeout=3000)


def test_the_workspace_shows_a_colleagues_note_before_it_is_edited(
        workspace, qtbot, seeded_db_path):
    """A note changed by another window: the workspace showed the old one,
    and a note edited from it put the old words back over the colleague's."""
    window, _controller, widget, ids, _tags = workspace
    other = open_database(seeded_db_path)
    passages.set_note(other, ids["a"], "colleague: source is the AFP wire")
    other.close()
    assert window.check_external_changes()
    note = lambda: widget.model.index(widget.model.row_of(ids["a"]), 5).data(
        Qt.ItemDataRole.EditRole)
    qtbot.waitUntil(lambda: note() == "colleague: source is the AFP wire", timeout=3000)
    editor = _typing_a_note_in(qtbot, widget, ids["a"], "; ask the editor")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: passages.get_passage(window.db, ids["a"])["note"]
                    == "colleague: source is the AFP wire; ask the editor", timeout=3000)


def _a_passage_on_a_quote(db_path) -> tuple[int, str]:
    """A passage overlapping the first attributed quote: its article and speaker."""
    from storage import analyses

    db = open_database(db_path)
    article_id = db.execute(
        "SELECT n.article_id FROM analyses n JOIN quotes q ON q.analysis_id = n.id "
        "WHERE q.speaker != '' ORDER BY n.id LIMIT 1").fetchone()[0]
    quote = next(q for q in analyses.latest_analysis(db, article_id)["quotes"]
                 if q["speaker"])
    passages.add_passage(db, article_id=article_id, tag_id=tags.find_tag(db, "Key quote")["id"],
                         start=quote["start"], end=quote["start"] + 8, analyst="a")
    db.close()
    return article_id, quote["speaker"]


def _filtered_by_speaker(window, speaker: str, qtbot):
    window.workspace.show()
    widget = window.workspace.widget
    widget.speaker.setText(speaker)
    widget._emit()
    qtbot.waitUntil(lambda: widget.model.rowCount() == 1, timeout=5000)
    return widget


def test_a_speaker_filtered_list_follows_the_analysis_of_an_edited_text(
        open_window, analysed_db_path, qtbot):
    """Edit text drops the article's quotes until its new analysis lands; the
    list stayed empty once it had (the window's own analysis moves no undo
    stack)."""
    article_id, speaker = _a_passage_on_a_quote(analysed_db_path)
    window = open_window(analysed_db_path)
    window.article_list.select_article(article_id)
    qtbot.waitUntil(lambda: window.current_id == article_id)
    widget = _filtered_by_speaker(window, speaker, qtbot)
    finished = []
    window.analysis.worker.finished.connect(finished.append)
    text = window.view.article_text()       # a line added after the quote
    assert window.controllers.reader.replace_article_text(text + "\n\nEditor's note.")
    qtbot.waitUntil(lambda: bool(finished), timeout=120000)
    assert count_passages(window.db, PassageQuery(speaker=speaker)) == 1
    qtbot.waitUntil(lambda: widget.model.rowCount() == 1, timeout=5000)


def test_a_speaker_filtered_list_follows_another_windows_speaker_correction(
        open_window, analysed_db_path, qtbot):
    from storage import journal, speaker_corrections

    article_id, speaker = _a_passage_on_a_quote(analysed_db_path)
    window = open_window(analysed_db_path)
    widget = _filtered_by_speaker(window, speaker, qtbot)
    other = open_database(analysed_db_path)
    start, end = other.execute(
        "SELECT q.start, q.end FROM quotes q JOIN analyses n ON n.id = q.analysis_id "
        "WHERE n.article_id = ? AND q.speaker = ? ORDER BY q.start LIMIT 1",
        [article_id, speaker]).fetchone()
    with journal.step(other, "Set speaker", analyst="bo"):
        speaker_corrections.set_speaker(other, article_id, start, end, "Someone Else")
    other.close()
    assert window.check_external_changes()
    qtbot.waitUntil(lambda: widget.model.rowCount() == 0, timeout=5000)
