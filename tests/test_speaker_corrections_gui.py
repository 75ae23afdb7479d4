"""Speaker corrections in the window (issue 15), driven with mouse and keys:
set a quote's speaker from the reader's context menu, merge two speakers in
the Speakers tab, undo and redo both with Ctrl+Z / Ctrl+Shift+Z, re-analyse
with the real pipeline, and check the corrections hold in the reader, the
Quotes and Speakers tabs, an export and ``dossier quotes --json``; "Not a
quote" from the Quotes tab and "Mark as quote…" on a selection. Assertions
on what was stored."""

from __future__ import annotations

import csv
import json

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QTextCursor

from desktop.exporters import export_passages
from storage import open_database, quotes, tags
from storage import passages as stored_passages
from tests.test_main_window import select_with_keys
from tests.test_undo import pick_from_next_menu, right_click

CTRL = Qt.KeyboardModifier.ControlModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier


def stored(db_path) -> tuple[list, list]:
    db = open_database(db_path)
    try:
        return (list(db.execute('SELECT start, "end", is_quote, speaker, speaker_kind '
                                "FROM quote_corrections ORDER BY id")),
                list(db.execute("SELECT alias, speaker FROM speaker_aliases ORDER BY alias")))
    finally:
        db.close()


def correction_analysts(db_path) -> set[str]:
    """Who made the stored quote corrections (the window's analyst)."""
    db = open_database(db_path)
    try:
        return {a for (a,) in db.execute("SELECT analyst FROM quote_corrections")}
    finally:
        db.close()


def first_quote(db_path, speaker: str) -> dict:
    db = open_database(db_path)
    try:
        return next(q for q in quotes.all_quotes(db) if q["speaker"] == speaker)
    finally:
        db.close()


def activate(qtbot, window) -> None:
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)


def point_of(view, offset: int) -> QPoint:
    """Where the character at code-point ``offset`` is on screen."""
    cursor = QTextCursor(view.document())
    cursor.setPosition(view._offsets.to_utf16(offset))
    view.setTextCursor(cursor)
    view.ensureCursorVisible()
    rect = view.cursorRect(cursor)
    return QPoint(rect.x() + 2, rect.center().y())


def mark_cambodia_as_quote(qtbot, view) -> int:
    """Select 20 characters from "Cambodia" with the keys and right-click →
    Mark as quote… (the dialog then asks who said it); their start."""
    start = view.article_text().index("Cambodia")
    where = point_of(view, start + 3)
    select_with_keys(qtbot, view, start, 20)
    pick_from_next_menu(["Mark as &quote…"])
    right_click(view.viewport(), where)
    return start


def open_article(qtbot, window, article_id: int) -> None:
    window.article_list.select_article(article_id)
    qtbot.waitUntil(lambda: window.current_id == article_id and bool(window.view._quotes))


def reader_speaker(window, start: int) -> str | None:
    return next(q["speaker"] for q in window.view._quotes if q["start"] == start)


def quote_groups(window) -> list[str]:
    panel = window.quote_panel
    return [panel.topLevelItem(i).text(0) for i in range(panel.topLevelItemCount())]


def speakers_shown(window) -> dict[str, int]:
    tree = window.speakers_view.speakers
    return {tree.topLevelItem(i).text(0): int(tree.topLevelItem(i).text(2).replace(",", ""))
            for i in range(tree.topLevelItemCount())}


def click_speaker(qtbot, window, name: str, modifier=Qt.KeyboardModifier.NoModifier):
    tree = window.speakers_view.speakers
    item = tree.findItems(name, Qt.MatchFlag.MatchExactly)[0]
    tree.scrollToItem(item)
    qtbot.mouseClick(tree.viewport(), Qt.MouseButton.LeftButton, modifier,
                     tree.visualItemRect(item).center())


def answer_dialog(qtbot, window, name: str | None) -> str:
    """Type ``name`` (None: keep the one offered) in the open speaker dialog
    and press Enter; returns the name that was offered."""
    corrections = window.controllers.speakers
    qtbot.waitUntil(lambda: corrections.dialog is not None and corrections.dialog.isVisible())
    dialog = corrections.dialog
    offered = dialog.name.currentText()
    edit = dialog.name.lineEdit()
    if name is not None:
        edit.selectAll()
        qtbot.keyClicks(edit, name)
    qtbot.keyClick(edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: corrections.dialog is None)
    return offered


def test_correct_merge_undo_redo_and_reanalyse(open_window, analysed_db_path, qtbot,
                                               tmp_path, capsys):
    am = first_quote(analysed_db_path, "Am Sam Ath")
    window = open_window(analysed_db_path)
    view = window.view
    open_article(qtbot, window, am["article_id"])

    # 1. the reader's context menu on the quote: Set speaker…, a typed name
    pick_from_next_menu(["Set &speaker…"])
    right_click(view.viewport(), point_of(view, am["start"] + 5))
    assert answer_dialog(qtbot, window, "Chak Sopheap") == "Am Sam Ath"
    assert stored(analysed_db_path) == (
        [(am["start"], am["end"], 1, "Chak Sopheap", "person")], [])
    assert correction_analysts(analysed_db_path) == {"Test Analyst"}
    assert reader_speaker(window, am["start"]) == "Chak Sopheap"
    assert "Chak Sopheap (person)" in quote_groups(window)

    # 2. the Speakers tab: click, Ctrl+click, Ctrl+M, Enter
    activate(qtbot, window)
    qtbot.keyClick(view, Qt.Key.Key_S, CTRL | SHIFT)
    qtbot.waitUntil(lambda: "press release" in speakers_shown(window), timeout=5000)
    assert "Chak Sopheap" in speakers_shown(window)
    click_speaker(qtbot, window, "press release")
    click_speaker(qtbot, window, "press release from the ministry", CTRL)
    qtbot.keyClick(window.speakers_view.speakers, Qt.Key.Key_M, CTRL)
    assert answer_dialog(qtbot, window, None) == "press release from the ministry"
    # merged in a worker (seconds on a large corpus), then undoable
    qtbot.waitUntil(lambda: stored(analysed_db_path)[1] == [
        ("press release", "press release from the ministry")], timeout=10000)
    qtbot.waitUntil(lambda: not window.ops.tasks, timeout=10000)
    from desktop.gui.commands import StoredSteps
    stack = window.undo_stack
    assert isinstance(stack.command(stack.index() - 1), StoredSteps)   # undone in a worker
    qtbot.waitUntil(lambda: "press release" not in speakers_shown(window), timeout=5000)
    assert speakers_shown(window)["press release from the ministry"] == 4

    # 3. undo both (Ctrl+Z twice), then redo both
    activate(qtbot, window)
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_Z, CTRL)
    qtbot.waitUntil(lambda: stored(analysed_db_path)[1] == [], timeout=10000)
    qtbot.waitUntil(lambda: speakers_shown(window).get("press release") == 2, timeout=5000)
    qtbot.waitUntil(lambda: not window.controllers.history.replaying, timeout=10000)
    qtbot.keyClick(view, Qt.Key.Key_Z, CTRL)
    assert stored(analysed_db_path) == ([], [])
    assert reader_speaker(window, am["start"]) == "Am Sam Ath"
    qtbot.waitUntil(lambda: "Chak Sopheap" not in speakers_shown(window), timeout=5000)
    qtbot.keyClick(view, Qt.Key.Key_Z, CTRL | SHIFT)
    qtbot.keyClick(view, Qt.Key.Key_Z, CTRL | SHIFT)
    qtbot.waitUntil(lambda: bool(stored(analysed_db_path)[1]), timeout=10000)
    qtbot.waitUntil(lambda: not window.controllers.history.replaying, timeout=10000)
    assert stored(analysed_db_path) == (
        [(am["start"], am["end"], 1, "Chak Sopheap", "person")],
        [("press release", "press release from the ministry")])
    assert reader_speaker(window, am["start"]) == "Chak Sopheap"

    # 4. re-analyse every article with the real pipeline
    db = open_database(analysed_db_path)
    with db.conn:
        db.execute("DELETE FROM analyses")
    window.view.set_analysis([], [])          # only a re-read brings quotes back
    finished = []
    window.analysis.worker.finished.connect(finished.append)
    window.start_analysis()
    qtbot.waitUntil(lambda: bool(finished), timeout=120000)
    assert db.execute("SELECT count(DISTINCT article_id) FROM analyses").fetchone()[0] == 5
    # the reader shows the new analysis (its quotes were emptied before), corrected
    qtbot.waitUntil(lambda: bool(window.view._quotes), timeout=10000)
    assert reader_speaker(window, am["start"]) == "Chak Sopheap"
    assert "Chak Sopheap (person)" in quote_groups(window)
    window.refresh_speakers()
    qtbot.waitUntil(lambda: speakers_shown(window).get("press release from the ministry")
                    == 4 and "Chak Sopheap" in speakers_shown(window), timeout=5000)
    assert "press release" not in speakers_shown(window)
    assert "Am Sam Ath" not in speakers_shown(window)

    # the export and dossier quotes --json say the same
    from storage import journal
    with journal.step(db, "Tag"):
        stored_passages.add_passage(db, article_id=am["article_id"],
                                    tag_id=tags.list_tags(db)[0]["id"], start=am["start"],
                                    end=am["end"], analyst="ana")
    export_passages(db, tmp_path / "out.csv", "csv")
    [row] = list(csv.DictReader((tmp_path / "out.csv").read_text("utf-8").splitlines()))
    assert (row["speaker"], row["speaker_kind"]) == ("Chak Sopheap", "person")
    db.close()
    from desktop.cli import main
    assert main(["quotes", "--json", "--db", str(analysed_db_path)]) == 0
    rows = json.loads(capsys.readouterr().out)
    fixed = next(r for r in rows if r["article_id"] == am["article_id"]
                 and r["start"] == am["start"])
    assert (fixed["speaker"], fixed["corrected"]) == ("Chak Sopheap", True)
    assert {r["speaker"] for r in rows if r["original_speaker"] == "press release"} == {
        "press release from the ministry"}


def test_not_a_quote_from_the_quotes_tab_and_mark_a_selection(open_window, analysed_db_path,
                                                              qtbot):
    am = first_quote(analysed_db_path, "Am Sam Ath")
    window = open_window(analysed_db_path)
    view, panel = window.view, window.quote_panel
    open_article(qtbot, window, am["article_id"])
    # the Quotes tab: the quote's row, right-click → Not a quote
    window.side_tabs.setCurrentWidget(panel)
    group = panel.findItems("Am Sam Ath (person)", Qt.MatchFlag.MatchExactly)[0]
    item = group.child(0)
    panel.scrollToItem(item)
    qtbot.mouseClick(panel.viewport(), Qt.MouseButton.LeftButton,
                     pos=panel.visualItemRect(item).center())
    pick_from_next_menu(["Not a quote"])
    right_click(panel.viewport(), panel.visualItemRect(item).center())
    qtbot.waitUntil(lambda: stored(analysed_db_path)[0] != [])
    assert stored(analysed_db_path) == ([(am["start"], am["end"], 0, None, None)], [])
    assert correction_analysts(analysed_db_path) == {"Test Analyst"}
    assert not any(q["start"] == am["start"] for q in view._quotes)
    assert not any(g.startswith("Am Sam Ath") for g in quote_groups(window))

    # a selection in the reader → Mark as quote… → the article's person, by key
    start = mark_cambodia_as_quote(qtbot, view)
    corrections = window.controllers.speakers
    qtbot.waitUntil(lambda: corrections.dialog is not None and corrections.dialog.isVisible())
    names = [corrections.dialog.name.itemText(i)
             for i in range(corrections.dialog.name.count())]
    assert "Neth Savoeun" in names          # the article's people are offered
    answer_dialog(qtbot, window, "Neth Savoeun")
    assert stored(analysed_db_path)[0][-1] == (start, start + 20, 1, "Neth Savoeun", "person")
    assert correction_analysts(analysed_db_path) == {"Test Analyst"}
    assert reader_speaker(window, start) == "Neth Savoeun"
    activate(qtbot, window)
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_Z, CTRL)
    qtbot.keyClick(view, Qt.Key.Key_Z, CTRL)
    assert stored(analysed_db_path) == ([], [])
    assert reader_speaker(window, am["start"]) == "Am Sam Ath"


def test_f2_in_the_quotes_tab_sets_the_selected_quotes_speaker(open_window, analysed_db_path,
                                                                qtbot):
    """F2 is also the window's Edit details…: in the Quotes tab, with a quote
    selected, it is Set speaker… (two shortcuts on one key fired neither)."""
    am = first_quote(analysed_db_path, "Am Sam Ath")
    window = open_window(analysed_db_path)
    open_article(qtbot, window, am["article_id"])
    panel = window.quote_panel
    window.side_tabs.setCurrentWidget(panel)
    item = next(panel.topLevelItem(g).child(c) for g in range(panel.topLevelItemCount())
                for c in range(panel.topLevelItem(g).childCount())
                if panel.topLevelItem(g).child(c).data(0, Qt.ItemDataRole.UserRole)
                == (am["start"], am["end"]))
    panel.scrollToItem(item)
    qtbot.mouseClick(panel.viewport(), Qt.MouseButton.LeftButton,
                     pos=panel.visualItemRect(item).center())
    qtbot.keyClick(panel, Qt.Key.Key_F2)
    corrections = window.controllers.speakers
    qtbot.waitUntil(lambda: corrections.dialog is not None)
    from PySide6.QtWidgets import QLabel
    [prompt] = [label.text() for label in corrections.dialog.findChildren(QLabel)
                if label.text().startswith("Who said")]
    assert " ".join(am["text"].split())[:40] in prompt      # which quote it is about
    assert answer_dialog(qtbot, window, "Chak Sopheap") == "Am Sam Ath"
    assert stored(analysed_db_path)[0] == [(am["start"], am["end"], 1, "Chak Sopheap",
                                            "person")]
    assert window.statusBar().currentMessage() == \
        "Set speaker “Chak Sopheap”. Ctrl+Z undoes it."


def test_the_corrections_wait_for_a_quote_not_a_speakers_row(open_window, analysed_db_path,
                                                              qtbot):
    """On a speaker's row Set speaker… and Not a quote were offered and did
    nothing (F2 there, claimed by the panel and the window both, fired
    neither): they are disabled until a quote is picked."""
    am = first_quote(analysed_db_path, "Am Sam Ath")
    window = open_window(analysed_db_path)
    open_article(qtbot, window, am["article_id"])
    panel = window.quote_panel
    window.side_tabs.setCurrentWidget(panel)
    group = panel.topLevelItem(0)
    qtbot.mouseClick(panel.viewport(), Qt.MouseButton.LeftButton,
                     pos=panel.visualItemRect(group).center())
    assert panel.currentItem() is group
    assert not any(a.isEnabled() for a in panel.correction_actions)
    assert "select it below" in group.toolTip(0)
    from widgets.article_details_dialog import ArticleDetailsDialog
    qtbot.keyClick(panel, Qt.Key.Key_F2)        # not the window's Edit details…
    assert panel.currentItem() is group.child(0)
    assert not any(d.isVisible() for d in window.findChildren(ArticleDetailsDialog))
    assert all(a.isEnabled() for a in panel.correction_actions)


def test_a_typed_name_gets_its_own_kind_not_the_last_speakers(qtbot):
    """A new user's walk: "Ministry of Interior" typed over a press release
    was stored as a document."""
    from desktop.gui.speaker_corrections import _kind_of_typed_name
    from widgets.speaker_dialog import SpeakerDialog

    dialog = SpeakerDialog("Set speaker", "Who said it?",
                           [("press release", "document"), ("Sar Sokha", "person")],
                           "press release", "document", guess_kind=_kind_of_typed_name)
    qtbot.addWidget(dialog)
    dialog.show()
    edit = dialog.name.lineEdit()
    assert dialog.kind.currentText() == "document"
    edit.selectAll()
    qtbot.keyClicks(edit, "Ministry of Interior")
    assert dialog.chosen() == ("Ministry of Interior", "organisation")
    edit.selectAll()
    qtbot.keyClicks(edit, "Keo Sothea")
    assert dialog.chosen() == ("Keo Sothea", "person")
    # a kind the analyst picks stays theirs
    dialog.kind.setFocus()
    qtbot.keyClick(dialog.kind, Qt.Key.Key_Down)
    picked = dialog.kind.currentText()
    assert picked == "organisation"
    edit.selectAll()
    qtbot.keyClicks(edit, "Lim Dara")
    assert dialog.chosen() == ("Lim Dara", picked)


def test_mark_as_quote_over_part_of_a_quote_says_so_and_stores_nothing(
        open_window, analysed_db_path, qtbot, monkeypatch):
    """A new user's walk: a selection running into a quote was stored as a
    second quote over the same words, shown and exported twice."""
    from desktop.gui import speaker_corrections as module

    said: list[str] = []
    monkeypatch.setattr(module, "plain_message", lambda _w, _t, text, *_: said.append(text))
    am = first_quote(analysed_db_path, "Am Sam Ath")
    window = open_window(analysed_db_path)
    view = window.view
    open_article(qtbot, window, am["article_id"])
    text = view.article_text()
    start = text.rindex(" ", 0, am["start"] - 5)      # a few words before the quote
    # (what the reader's "Mark as quote…" on that selection asks for)
    from widgets.quote_panel import MARK_AS_QUOTE
    view.quoteCorrectionRequested.emit(MARK_AS_QUOTE, start, am["start"] + 10)
    qtbot.waitUntil(lambda: bool(said), timeout=5000)
    assert "The selection overlaps the quote “" in said[0] and "Am Sam Ath" in said[0]
    assert window.controllers.speakers.dialog is None
    assert stored(analysed_db_path) == ([], [])


def test_the_speakers_list_says_it_is_counting_not_that_there_are_none(qtbot):
    from widgets.speakers_view import SpeakersView

    view = SpeakersView()
    qtbot.addWidget(view)
    view.show_counting()
    assert view.caption.text().startswith("Counting the speakers")
    view.set_speakers([{"speaker": "Sar Sokha", "speaker_kind": "person", "quote_count": 1200,
                        "article_count": 3, "to_check": 0}])
    assert view.caption.text() == SpeakersView.CHOOSE
    assert view.speakers.topLevelItem(0).text(2) == "1,200"
    view.show_counting()                 # a refresh keeps the list and its caption
    assert view.caption.text() == SpeakersView.CHOOSE


def test_ctrl_m_with_one_speaker_selected_says_what_to_do(qtbot):
    """Ctrl+M with one speaker selected did nothing and said nothing."""
    from PySide6.QtWidgets import QToolTip

    from widgets.speakers_view import SpeakersView

    view = SpeakersView()
    qtbot.addWidget(view)
    view.show()
    view.activateWindow()
    qtbot.waitUntil(view.isActiveWindow)    # shortcuts fire in the active window only
    view.set_speakers([dict(speaker=name, speaker_kind="person", quote_count=2,
                            article_count=1, to_check=0) for name in ("Sokha", "Sar Sokha")])
    merged = []
    view.mergeRequested.connect(merged.append)
    first = view.speakers.topLevelItem(0)
    qtbot.mouseClick(view.speakers.viewport(), Qt.MouseButton.LeftButton,
                     pos=view.speakers.visualItemRect(first).center())
    view.speakers.setFocus()
    qtbot.keyClick(view.speakers, Qt.Key.Key_M, CTRL)
    assert merged == [] and QToolTip.text() == SpeakersView.MERGE_HINT
    second = view.speakers.topLevelItem(1)
    qtbot.mouseClick(view.speakers.viewport(), Qt.MouseButton.LeftButton, CTRL,
                     pos=view.speakers.visualItemRect(second).center())
    qtbot.keyClick(view.speakers, Qt.Key.Key_M, CTRL)
    assert merged == [["Sokha", "Sar Sokha"]]


def test_set_speaker_offers_a_possessives_name_once_without_its_s():
    """"Donald Trump's" was offered as a person beside "Donald Trump"."""
    from desktop.gui.speaker_corrections import speaker_choices

    entities = [dict(label="PERSON", text="Donald Trump"), dict(label="GPE", text="Iowa"),
                dict(label="PERSON", text="Donald Trump's"),
                dict(label="ORG", text="the Commerce Department’s"),
                dict(label="PERSON", text="Jones'", name="Ann Jones")]
    assert speaker_choices(entities) == [("Donald Trump", "person"),
                                         ("the Commerce Department", "organisation"),
                                         ("Ann Jones", "person")]


def test_edit_text_keeps_the_corrections_of_quotes_it_did_not_touch(open_window,
                                                                   analysed_db_path, qtbot):
    """Edit text… dropped every correction of the article and the status line
    spoke only of passages; Ctrl+Z alone brought them back. A letter typed
    inside a quote dropped that quote's correction too: it follows the
    letter now, as the passages do; a quote rewritten still loses it."""
    from storage import speaker_corrections as sc
    from tests.test_edit_text_follows import edit_text

    am = first_quote(analysed_db_path, "Am Sam Ath")
    db = open_database(analysed_db_path)
    sc.set_speaker(db, am["article_id"], am["start"], am["end"], "Chak Sopheap")
    first = min(quotes.all_quotes(db, article_id=am["article_id"]), key=lambda q: q["start"])
    sc.mark_not_quote(db, am["article_id"], first["start"], first["end"])
    db.close()
    before = stored(analysed_db_path)
    window = open_window(analysed_db_path)
    open_article(qtbot, window, am["article_id"])
    text = window.view.article_text()
    inside = first["start"] + 3
    edit_text(window, text[:inside] + "x" + text[inside:])    # one letter
    qtbot.waitUntil(lambda: window.statusBar().currentMessage().startswith("Text saved"))
    assert window.statusBar().currentMessage().endswith(
        "; 2 speaker corrections kept, 0 no longer apply.")
    corrections, _aliases = stored(analysed_db_path)
    assert corrections == before[0] + [
        (first["start"], first["end"] + 1, 0, None, None),
        (am["start"] + 1, am["end"] + 1, 1, "Chak Sopheap", "person")]
    activate(qtbot, window)
    window.view.setFocus()
    qtbot.keyClick(window.view, Qt.Key.Key_Z, CTRL)
    qtbot.waitUntil(lambda: window.view.article_text() == text)
    assert stored(analysed_db_path) == before
    assert reader_speaker(window, am["start"]) == "Chak Sopheap"

    window.statusBar().clearMessage()
    rewritten = "cooperation and a partnership"    # was "close relationship"
    edit_text(window, text[:first["start"]] + rewritten + text[first["end"]:])
    qtbot.waitUntil(lambda: window.statusBar().currentMessage().startswith("Text saved"))
    assert window.statusBar().currentMessage().endswith(
        "; 1 speaker correction kept, 1 no longer applies.")


def test_a_passage_marked_before_the_analysis_is_shown_and_undone(open_window, seeded_db_path,
                                                                  qtbot):
    """Mark as quote… on an article whose text was not analysed yet (an
    import being analysed, an edit being re-analysed) was stored and counted
    but the reader and the Quotes tab showed nothing: nothing to right-click
    for Not a quote, and the analyst marked it again."""
    window = open_window(seeded_db_path)
    view, panel = window.view, window.quote_panel
    window.article_list.select_article(1)
    qtbot.waitUntil(lambda: window.current_id == 1)
    start = mark_cambodia_as_quote(qtbot, view)
    answer_dialog(qtbot, window, "Jane Marker")
    assert stored(seeded_db_path)[0] == [(start, start + 20, 1, "Jane Marker", "person")]
    assert reader_speaker(window, start) == "Jane Marker"
    assert quote_groups(window) == ["Jane Marker (person)"]
    assert "not analysed yet" in window.meta_label.text()
    # it can be taken back from the Quotes tab like any quote
    window.side_tabs.setCurrentWidget(panel)
    item = panel.topLevelItem(0).child(0)
    panel.scrollToItem(item)
    qtbot.mouseClick(panel.viewport(), Qt.MouseButton.LeftButton,
                     pos=panel.visualItemRect(item).center())
    pick_from_next_menu(["Not a quote"])
    right_click(panel.viewport(), panel.visualItemRect(item).center())
    qtbot.waitUntil(lambda: stored(seeded_db_path)[0] == [])
    assert view._quotes == [] and quote_groups(window) == []
    # and Ctrl+Z puts it back in the reader
    activate(qtbot, window)
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_Z, CTRL)
    assert stored(seeded_db_path)[0] == [(start, start + 20, 1, "Jane Marker", "person")]
    assert reader_speaker(window, start) == "Jane Marker"
