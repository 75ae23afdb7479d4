"""Adjudication (issue 18): the consensus layer in storage, and the dialog
walking a small constructed set of disagreements with the keyboard — each
decision stored as consensus passages with who decided, each undoable."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from desktop.agreement.adjudication import disagreements_between, tags_for
from storage import articles, consensus, journal, open_database, passages, tags
from storage.export_selection import PassageFilter, selected_passages

ME = "Test Analyst"
TEXT = "x" * 400
#: words of their own at every offset: a span found in them can be found
#: again after an edit (in "x" * 400 any 50 x's are everywhere)
WORDS = ("The port authority said on Monday that customs officers had seized four containers "
         "of counterfeit medicine bound for Phnom Penh, and that two shipping agents were "
         "questioned. Police in Sihanoukville confirmed the arrests late in the evening. "
         "A spokesman declined to say whether the cargo was linked to the fraud case opened "
         "in March against a local importer, citing the investigation.")


def _build(path, text=TEXT):
    """Article A (``text``): ana Drugs [0,100), ben Drugs [50,150); article
    B: ana Cybercrime [0,20), ben Drugs [0,20)."""
    db = open_database(path)
    drugs = tags.find_tag(db, "Drugs")["id"]
    cyber = tags.find_tag(db, "Cybercrime")["id"]
    with journal.step(db, "Import"):
        first, _ = articles.add_article(db, title="First", text=text)
        second, _ = articles.add_article(db, title="Second", text="y" * 200)
    for analyst, article, tag, start, end in (
            ("ana", first, drugs, 0, 100), ("ben", first, drugs, 50, 150),
            ("ana", second, cyber, 0, 20), ("ben", second, drugs, 0, 20)):
        passages.add_passage(db, article_id=article, tag_id=tag, start=start, end=end,
                             analyst=analyst)
    db.close()
    return {"first": first, "second": second, "drugs": drugs, "cyber": cyber}


def _consensus(db):
    return sorted((p["article_id"], p["tag"], p["start"], p["end"], p["analyst"])
                  for p in selected_passages(db, PassageFilter(analysts=("consensus",))))


def test_disagreements_and_consensus_in_storage(seeded_db_path):
    ids = _build(seeded_db_path)
    db = open_database(seeded_db_path)
    try:
        found = disagreements_between(db, "ana", "ben")
        assert [(d.article_id, d.start, d.end, [n for _, n in d.first],
                 [n for _, n in d.second]) for d in found] == [
            (ids["first"], 0, 50, ["Drugs"], []),
            (ids["first"], 100, 150, [], ["Drugs"]),
            (ids["second"], 0, 20, ["Cybercrime"], ["Drugs"])]
        assert tags_for(found[2], "both") == [ids["cyber"], ids["drugs"]]
        assert tags_for(found[2], "neither") == []
        assert consensus.accept_agreements(db, "ana", "ben", decided_by=ME) == 1
        # deciding the piece next to the agreed span joins it into one passage
        consensus.decide(db, article_id=ids["first"], start=0, end=50,
                         tag_ids=tags_for(found[0], "a"), decided_by=ME)
        assert _consensus(db) == [(ids["first"], "Drugs", 0, 100, "consensus")]
        [row] = [p for p in passages.passages_for_article(db, ids["first"],
                                                          analysts=("consensus",))]
        assert row["decided_by"] == ME
        # and an export of the consensus says who decided (docs/adjudication.md)
        import csv

        from desktop.exporters import export_passages

        out = seeded_db_path.parent / "consensus.csv"
        export_passages(db, out, "csv", filter=PassageFilter(analysts=("consensus",)))
        with out.open(encoding="utf-8-sig", newline="") as handle:
            assert [r["decided_by"] for r in csv.DictReader(handle)] == [ME]
        # the agreement report can take the consensus as an analyst
        against = [(d.article_id, d.start, d.end, d.first, d.second)
                   for d in disagreements_between(db, "ana", "consensus")]
        assert against == [(ids["second"], 0, 20, [(ids["cyber"], "Cybercrime")], [])]
    finally:
        db.close()


def _open_adjudication(window):
    """File → Adjudicate disagreements…: the dialog it opens."""
    from desktop.gui.adjudication_dialog import AdjudicationDialog

    [action] = [a for a in window.menuBar().actions()[0].menu().actions()
                if a.text() == "A&djudicate disagreements…"]
    action.trigger()
    return next(w for w in window.findChildren(AdjudicationDialog) if w.isVisible())


def test_by_default_an_article_only_one_analyst_coded_is_no_disagreement(
        open_window, seeded_db_path, qtbot):
    """As the agreement report's default (the team walk found 11 here, 7
    there): "Articles both coded"; "Every article either coded" adds those
    only one of them coded, for the adjudicator to decide."""
    ids = _build(seeded_db_path)
    db = open_database(seeded_db_path)
    passages.add_passage(db, article_id=1, tag_id=ids["drugs"], start=0, end=30,
                         analyst="ana")                # a seed article only ana coded
    db.close()
    window = open_window(seeded_db_path)
    dialog = _open_adjudication(window)
    assert dialog.scope_box.currentText() == "Articles both coded"
    dialog.find()
    qtbot.waitUntil(lambda: dialog.task is None and bool(dialog.items), timeout=20000)
    assert len(dialog.items) == 3
    dialog.scope_box.setCurrentIndex(dialog.scope_box.findData("all"))
    dialog.find()
    qtbot.waitUntil(lambda: dialog.task is None and len(dialog.items) == 4, timeout=20000)
    assert 1 in {item.article_id for item in dialog.items}


def test_dialog_walks_decides_and_undoes(open_window, seeded_db_path, qtbot):
    ids = _build(seeded_db_path)
    window = open_window(seeded_db_path)
    dialog = _open_adjudication(window)
    assert dialog.pair() == ("ana", "ben")
    task = dialog.find()
    qtbot.waitUntil(lambda: len(dialog.items) == 3 and dialog.task is None, timeout=20000)
    del task
    view = dialog.view
    assert "Disagreement 1 of 3" in view.position.text()
    assert view.first_label.text() == "A — ana: Drugs"
    assert view.second_label.text() == "B — ben: no tag"
    dialog.agree_button.click()                       # [50, 100) is agreed
    qtbot.waitUntil(lambda: dialog.task is None, timeout=20000)
    assert dialog.status.text() == "1 agreed span is consensus."
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_A)                # ana's Drugs over [0, 50)
    assert "Disagreement 2 of 3" in view.position.text()
    qtbot.keyClick(view, Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier)  # start 101
    qtbot.keyClick(view, Qt.Key.Key_Left, Qt.KeyboardModifier.ControlModifier)  # end 149
    assert "characters 101–149" in view.position.text()
    qtbot.keyClick(view, Qt.Key.Key_B)                # ben's Drugs over [101, 149)
    assert "Disagreement 3 of 3" in view.position.text()
    qtbot.keyClick(view, Qt.Key.Key_H)                # both tags over [0, 20)
    assert view.decision_label.text() == "Decided: both."
    db = window.db
    assert _consensus(db) == [
        (ids["first"], "Drugs", 0, 100, "consensus"),
        (ids["first"], "Drugs", 101, 149, "consensus"),
        (ids["second"], "Cybercrime", 0, 20, "consensus"),
        (ids["second"], "Drugs", 0, 20, "consensus")]
    assert {p["decided_by"] for p in selected_passages(
        db, PassageFilter(analysts=("consensus",)))} == {ME}
    # previous / next with the arrows, without deciding
    qtbot.keyClick(view, Qt.Key.Key_Left)
    assert "Disagreement 2 of 3" in view.position.text()
    assert view.decision_label.text() == "Decided: ben's tags."
    qtbot.keyClick(view, Qt.Key.Key_Right)
    # Ctrl+Z in the dialog: the last two decisions are undone, in order
    qtbot.keyClick(dialog, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert _consensus(db) == [(ids["first"], "Drugs", 0, 100, "consensus"),
                              (ids["first"], "Drugs", 101, 149, "consensus")]
    assert view.decision_label.text() == "Not decided yet."
    qtbot.keyClick(dialog, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert _consensus(db) == [(ids["first"], "Drugs", 0, 100, "consensus")]
    assert "Disagreement 2 of 3" in view.position.text()
    # neither writes nothing, but counts as decided
    qtbot.keyClick(view, Qt.Key.Key_N)
    assert _consensus(db) == [(ids["first"], "Drugs", 0, 100, "consensus")]
    assert dialog.decisions == {0: "a", 1: "neither"}
    dialog.close()


@pytest.mark.parametrize("choice", ["a", "b"])
def test_undo_of_a_decision_from_the_journal(seeded_db_path, choice):
    ids = _build(seeded_db_path)
    db = open_database(seeded_db_path)
    try:
        [item, *_] = disagreements_between(db, "ana", "ben")
        origin = journal.new_origin()
        with journal.step(db, "Adjudicate", analyst=ME, origin=origin):
            consensus.decide(db, article_id=item.article_id, start=item.start, end=item.end,
                             tag_ids=tags_for(item, choice), decided_by=ME)
        expected = [(ids["first"], "Drugs", 0, 50, "consensus")] if choice == "a" else []
        assert _consensus(db) == expected
        if expected:
            journal.undo(db, origin=origin)
            assert _consensus(db) == []
    finally:
        db.close()


def test_scope_and_minimum_length(open_window, seeded_db_path, qtbot):
    from desktop.gui.adjudication_dialog import AdjudicationDialog

    ids = _build(seeded_db_path)
    db = open_database(seeded_db_path)
    assert len(disagreements_between(db, "ana", "ben", min_length=21)) == 2   # not [0, 20)
    db.close()
    window = open_window(seeded_db_path)
    window.article_list.select_article(ids["second"])
    qtbot.waitUntil(lambda: window.current_id == ids["second"])
    dialog = AdjudicationDialog(window, ["ana", "ben"])
    qtbot.addWidget(dialog)
    # before a search: no claim that there is nothing to decide
    assert "Find disagreements" in dialog.view.position.text()
    assert dialog.min_length.text() == "at least 1 character"
    dialog.min_length.setValue(3)
    assert dialog.min_length.text() == "at least 3 characters"
    dialog.min_length.setValue(1)
    dialog.scope_box.setCurrentIndex(dialog.scope_box.findData("current"))
    dialog.find()
    qtbot.waitUntil(lambda: dialog.task is None and bool(dialog.items), timeout=20000)
    assert [(d.article_id, d.start, d.end) for d in dialog.items] == [(ids["second"], 0, 20)]
    # the current list's articles: a search that finds only the first one
    window.article_filters.search.setText("First")
    window.apply_query(window.article_filters.values())
    assert window.query.is_filtered()
    listed = AdjudicationDialog(window, ["ana", "ben"])
    qtbot.addWidget(listed)
    listed.scope_box.setCurrentIndex(listed.scope_box.findData("list"))
    listed.find()
    qtbot.waitUntil(lambda: listed.task is None and bool(listed.items), timeout=20000)
    assert {d.article_id for d in listed.items} == {ids["first"]}


def test_blank_agreements_and_decisions_write_nothing(db):
    """Two passages overlapping only in white space agree on nothing worth
    keeping; a decision over blank space writes nothing."""
    drugs = tags.find_tag(db, "Drugs")["id"]
    with journal.step(db, "Import"):
        article, _ = articles.add_article(db, title="Spaces", text="alpha   beta gamma")
    passages.add_passage(db, article_id=article, tag_id=drugs, start=0, end=7, analyst="ana")
    passages.add_passage(db, article_id=article, tag_id=drugs, start=6, end=12, analyst="ben")
    assert consensus.agreed_spans(db, "ana", "ben") == [(article, drugs, 6, 7)]
    assert consensus.accept_agreements(db, "ana", "ben", decided_by=ME) == 0
    assert consensus.decide(db, article_id=article, start=5, end=8, tag_ids=[drugs],
                            decided_by=ME) == []
    # edges trimmed: " beta " becomes "beta"
    [passage_id] = consensus.decide(db, article_id=article, start=7, end=13,
                                    tag_ids=[drugs], decided_by=ME)
    assert passages.get_passage(db, passage_id)["text"] == "beta"
    assert _consensus(db) == [(article, "Drugs", 8, 12, "consensus")]


def test_a_decision_on_words_no_longer_in_the_text_writes_nothing(db):
    """The words the lead saw are checked in the decision's own transaction:
    a text edited elsewhere a moment before would put the decision on
    other words at the same offsets."""
    drugs = tags.find_tag(db, "Drugs")["id"]
    with journal.step(db, "Import"):
        article, _ = articles.add_article(db, title="Port", text=WORDS)
    with journal.step(db, "Edit article text"):
        articles.replace_article_text(db, article, "Update: " + WORDS)
    with pytest.raises(passages.PassageError), journal.step(db, "Adjudicate"):
        consensus.decide(db, article_id=article, start=0, end=50, tag_ids=[drugs],
                         decided_by=ME, words=WORDS[:50])
    assert _consensus(db) == []
    with journal.step(db, "Adjudicate"):
        consensus.decide(db, article_id=article, start=8, end=58, tag_ids=[drugs],
                         decided_by=ME, words=WORDS[:50])
    assert _consensus(db) == [(article, "Drugs", 8, 58, "consensus")]


def test_only_the_disputed_span_is_marked_from_one_disagreement_to_the_next(qtbot):
    """The yellow mark is the span's alone, on every disagreement shown (a
    merged format once spread over the whole excerpt from the second on)."""
    from PySide6.QtGui import QTextCursor

    from widgets.adjudication_view import AdjudicationView

    view = AdjudicationView()
    qtbot.addWidget(view)

    def item(index, before, span, after):
        return {"index": index, "total": 3, "title": "T", "start": 10, "end": 20,
                "before": before, "span": span, "after": after, "first": "ana",
                "second": "ben", "first_tags": ["Drugs"], "second_tags": [],
                "decisions": []}

    for index, (before, span, after) in enumerate([("Before one ", "disputed", " after."),
                                                  ("Second context ", "span", " and more."),
                                                  ("Third ", "words", " end.")]):
        view.show_item(item(index, before, span, after))
        [mark] = view.text.extraSelections()
        assert (mark.cursor.selectionStart(), mark.cursor.selectionEnd()) == (
            len(before), len(before) + len(span))
        block = view.text.document().begin()
        while block.isValid():      # nothing yellow in the text itself
            for fragment in (it.fragment() for it in _fragments(block)):
                assert fragment.charFormat().background().style() == Qt.BrushStyle.NoBrush
            block = block.next()
        cursor = QTextCursor(view.text.document())
        assert cursor.charFormat().background().style() == Qt.BrushStyle.NoBrush


def _fragments(block):
    it = block.begin()
    while not it.atEnd():
        yield it
        it += 1


def test_decisions_only_white_space_apart_make_one_consensus_passage(db):
    """A span's edge space is trimmed off; the next decision, beginning after
    that space, still joins it (a new user's walk found "provide" 28–35 and
    "more support…" 36–98 stored apart)."""
    text = "Cambodia asked Australia to provide more support for the training."
    article, _ = articles.add_article(db, title="t", text=text)
    tag = tags.find_tag(db, "Drugs")["id"]
    at = text.index("provide")
    with journal.step(db, "Adjudicate"):
        consensus.decide(db, article_id=article, start=at, end=at + len("provide "),
                         tag_ids=[tag], decided_by=ME)
    with journal.step(db, "Adjudicate"):
        consensus.decide(db, article_id=article, start=at + len("provide "),
                         end=text.index(" for"), tag_ids=[tag], decided_by=ME)
    assert [(p["start"], p["end"], p["text"]) for p in selected_passages(
        db, PassageFilter(analysts=("consensus",)))] == [
        (at, text.index(" for"), "provide more support")]
    # a word between them still keeps them apart
    with journal.step(db, "Adjudicate"):
        consensus.decide(db, article_id=article, start=text.index("the training"),
                         end=len(text) - 1, tag_ids=[tag], decided_by=ME)
    assert len(list(selected_passages(db, PassageFilter(analysts=("consensus",))))) == 2


def test_a_decision_that_changes_nothing_is_not_an_error(open_window, seeded_db_path, qtbot):
    """Deciding a span that is consensus already changes nothing: the undo
    stack drops (deletes) such a command, which was then read after the
    push — a crash on the second run of a new user's walk."""
    ids = _build(seeded_db_path)
    window = open_window(seeded_db_path)
    dialog = _open_adjudication(window)
    dialog.find()
    qtbot.waitUntil(lambda: len(dialog.items) == 3 and dialog.task is None, timeout=20000)
    view = dialog.view
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_A)                # ana's Drugs over [0, 50)
    assert dialog.status.text() == "1 of 3 disagreements of ana and ben decided."
    steps = window.undo_stack.count()
    qtbot.keyClick(view, Qt.Key.Key_Left)
    qtbot.keyClick(view, Qt.Key.Key_A)                # the same again: nothing changes
    assert window.undo_stack.count() == steps
    assert _consensus(window.db) == [(ids["first"], "Drugs", 0, 50, "consensus")]
    assert "Disagreement 2 of 3" in view.position.text()
    assert dialog.status.text() == "1 of 3 disagreements of ana and ben decided."


def test_no_decision_lands_on_words_changed_since_the_disagreements_were_found(
        open_window, seeded_db_path, qtbot):
    """The article's text corrected after Find by a colleague, before the
    window has read it (no change published yet): a decision was written at
    the old offsets, on other words; an article deleted elsewhere made
    Shift+arrow raise. A decision now lands on the words found, wherever
    they are now; where they are gone, or the article is, it says so and to
    find again."""
    ids = _build(seeded_db_path, WORDS)
    window = open_window(seeded_db_path)
    dialog = _open_adjudication(window)
    dialog.find()
    qtbot.waitUntil(lambda: len(dialog.items) == 3 and dialog.task is None, timeout=20000)
    assert dialog.items[0].article_id == ids["first"]

    def colleague_edits(text):
        other = open_database(seeded_db_path)
        with journal.step(other, "Edit article text"):
            articles.replace_article_text(other, ids["first"], text)
        other.close()

    colleague_edits("Update: " + WORDS)
    dialog.view.setFocus()
    qtbot.keyClick(dialog.view, Qt.Key.Key_A)          # take the first analyst's tags
    before = [(ids["first"], "Drugs", 8, 58, "consensus")]
    assert _consensus(window.db) == before
    assert "(characters 108–158)" in dialog.view.position.text()
    colleague_edits("Update: " + WORDS[:100] + "-- a sentence rewritten --" + WORDS[150:])
    qtbot.keyClick(dialog.view, Qt.Key.Key_B)          # its words are gone
    assert _consensus(window.db) == before
    assert "can no longer be found" in dialog.status.text()
    assert "Find disagreements" in dialog.status.text()
    assert "can no longer be found" in dialog.view.position.text()
    other = open_database(seeded_db_path)
    with journal.step(other, "Delete article"):
        articles.delete_articles(other, [ids["first"]])
    other.close()
    window.check_external_changes()
    dialog.adjust(1, 0)                                  # Shift+Right
    assert "deleted" in dialog.status.text()
    dialog.find()                                        # found again: decisions work
    qtbot.waitUntil(lambda: dialog.task is None and dialog.items
                    and dialog.items[0].article_id != ids["first"], timeout=20000)
    qtbot.keyClick(dialog.view, Qt.Key.Key_A)
    assert _consensus(window.db) != before


def test_changing_the_pair_after_find_keeps_the_labels_true(open_window, seeded_db_path,
                                                            qtbot):
    """The items found are ana's and ben's until Find is pressed again: B
    switched to cleo meanwhile must not credit ben's tags to cleo, in the
    labels or in the status, and B still takes ben's tags."""
    ids = _build(seeded_db_path)
    db = open_database(seeded_db_path)
    passages.add_passage(db, article_id=ids["first"], tag_id=ids["cyber"], start=0, end=5,
                         analyst="cleo")
    db.close()
    window = open_window(seeded_db_path)
    dialog = _open_adjudication(window)
    assert dialog.pair() == ("ana", "ben")
    dialog.find()
    qtbot.waitUntil(lambda: dialog.task is None and len(dialog.items) == 3, timeout=20000)
    dialog.second_box.setFocus()
    qtbot.keyClick(dialog.second_box, Qt.Key.Key_Down)   # B: cleo, Find not pressed
    assert dialog.pair() == ("ana", "cleo")
    view = dialog.view
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_Right)               # ana's and ben's item 2
    assert (view.first_label.text(), view.second_label.text()) == ("A — ana: no tag",
                                                                   "B — ben: Drugs")
    qtbot.keyClick(view, Qt.Key.Key_B)
    assert _consensus(window.db) == [(ids["first"], "Drugs", 100, 150, "consensus")]
    assert dialog.status.text() == "1 of 3 disagreements of ana and ben decided."
    # Find again: now cleo's
    dialog.find()
    qtbot.waitUntil(lambda: dialog.task is None and dialog.found_pair == ("ana", "cleo"),
                    timeout=20000)
    assert view.second_label.text().startswith("B — cleo: ")


def test_a_second_decision_on_an_item_and_its_undo_say_what_is_stored(open_window,
                                                                       seeded_db_path, qtbot):
    """A, then N on the same item: ana's Drugs stays stored (a second
    decision adds to the first), so the label names both; Ctrl+Z takes
    back the "neither" only, and the label goes back to A's, not to "Not
    decided yet" while ana's Drugs is stored."""
    ids, window, dialog = _three_found(open_window, seeded_db_path, qtbot)
    view = dialog.view
    qtbot.keyClick(view, Qt.Key.Key_A)          # ana's Drugs over [0, 50): written
    qtbot.keyClick(view, Qt.Key.Key_Left)
    qtbot.keyClick(view, Qt.Key.Key_N)          # "neither" writes nothing
    qtbot.keyClick(view, Qt.Key.Key_Left)
    stored = [(ids["first"], "Drugs", 0, 50, "consensus")]
    assert _consensus(window.db) == stored
    assert view.decision_label.text() == (
        "Decided: ana's tags, then neither — a later decision adds to the earlier ones, "
        "it does not replace them.")
    qtbot.keyClick(dialog, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert _consensus(window.db) == stored
    assert view.decision_label.text() == "Decided: ana's tags."
    assert dialog.status.text() == "1 of 3 disagreements of ana and ben decided."
    qtbot.keyClick(dialog, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert _consensus(window.db) == []
    assert view.decision_label.text() == "Not decided yet."
    assert dialog.status.text() == "0 of 3 disagreements of ana and ben decided."


def test_a_join_keeps_who_decided_each_part_and_when_it_began(db):
    """carla decides "one", dan "two" next to it: the joined consensus
    passage names both (dan last: he wrote it) and keeps carla's time."""
    x = tags.create_tag(db, "X", "#ff0000")
    with journal.step(db, "Import"):
        article, _ = articles.add_article(db, title="A", text="one two three four")

    def decide(start, end, who):
        with journal.step(db, "Adjudicate", analyst=who):
            consensus.decide(db, article_id=article, start=start, end=end, tag_ids=[x],
                             decided_by=who)
        return db.execute("SELECT start, end, decided_by, created_at FROM passages "
                          "WHERE analyst = 'consensus'").fetchall()

    decide(0, 3, "carla")
    carlas_time = "2024-05-01T09:00:00+00:00"     # earlier: not "now" again
    with journal.step(db, "Back-date"):
        db.execute("UPDATE passages SET created_at = ? WHERE analyst = 'consensus'",
                   [carlas_time])
    assert decide(4, 7, "dan") == [(0, 7, "carla; dan", carlas_time)]
    assert decide(8, 13, "dan") == [(0, 13, "carla; dan", carlas_time)]
    assert decide(14, 18, "carla") == [(0, 18, "dan; carla", carlas_time)]
    # the export says so too
    [row] = selected_passages(db, PassageFilter(analysts=("consensus",)))
    assert row["decided_by"] == "dan; carla"
    journal.undo(db)                                   # carla's last decision
    assert db.execute("SELECT start, end, decided_by, created_at FROM passages WHERE "
                      "analyst = 'consensus'").fetchall() == [(0, 13, "carla; dan",
                                                               carlas_time)]


def _press(widget, qtbot, key, modifiers=Qt.KeyboardModifier.NoModifier):
    """A key in ``widget``'s window, made the active one first (as the
    analyst's click on it would): its shortcuts answer only there."""
    widget.window().activateWindow()
    qtbot.waitUntil(widget.window().isActiveWindow, timeout=5000)
    qtbot.keyClick(widget, key, modifiers)


def _three_found(open_window, seeded_db_path, qtbot, text=TEXT):
    """The window on :func:`_build`'s file (its first article's ``text``),
    the dialog open with its three disagreements found and its view
    focused: ``(ids, window, dialog)``."""
    ids = _build(seeded_db_path, text)
    window = open_window(seeded_db_path)
    dialog = _open_adjudication(window)
    dialog.find()
    qtbot.waitUntil(lambda: dialog.task is None and len(dialog.items) == 3, timeout=20000)
    dialog.view.setFocus()
    return ids, window, dialog


def test_an_undo_or_redo_in_the_window_shows_in_the_dialog(open_window, seeded_db_path,
                                                           qtbot):
    """The dialog does not block the window: Edit → Undo there took a
    decision back while the dialog still said "Decided: ana's tags.", "1 of
    3 … decided", and its Ctrl+Z then said to undo it from the Edit menu.
    Its labels now follow the window's undo and redo."""
    ids, window, dialog = _three_found(open_window, seeded_db_path, qtbot)
    view = dialog.view
    qtbot.keyClick(view, Qt.Key.Key_A)          # ana's Drugs over [0, 50)
    qtbot.keyClick(view, Qt.Key.Key_B)          # ben's Drugs over [100, 150)
    assert dialog.status.text() == "2 of 3 disagreements of ana and ben decided."
    ctrl, shift = Qt.KeyboardModifier.ControlModifier, Qt.KeyboardModifier.ShiftModifier
    in_window = window.article_list
    _press(in_window, qtbot, Qt.Key.Key_Z, ctrl)     # Edit → Undo there: ben's Drugs
    assert _consensus(window.db) == [(ids["first"], "Drugs", 0, 50, "consensus")]
    assert dialog.status.text() == "1 of 3 disagreements of ana and ben decided."
    _press(view, qtbot, Qt.Key.Key_Left)
    assert "Disagreement 2 of 3" in view.position.text()
    assert view.decision_label.text() == "Not decided yet."
    _press(in_window, qtbot, Qt.Key.Key_Z, ctrl)     # and ana's Drugs
    assert _consensus(window.db) == []
    assert dialog.status.text() == "0 of 3 disagreements of ana and ben decided."
    _press(view, qtbot, Qt.Key.Key_Left)
    assert view.decision_label.text() == "Not decided yet."
    # the dialog's Ctrl+Z has nothing left to undo, and says so truly
    _press(view, qtbot, Qt.Key.Key_Z, ctrl)
    assert "Edit menu" not in dialog.status.text()
    assert "nothing to undo" in dialog.status.text()
    _press(in_window, qtbot, Qt.Key.Key_Z, ctrl | shift)     # Edit → Redo: ana's again
    assert _consensus(window.db) == [(ids["first"], "Drugs", 0, 50, "consensus")]
    assert view.decision_label.text() == "Decided: ana's tags."
    assert dialog.status.text() == "1 of 3 disagreements of ana and ben decided."
    # and, stored again, it is the dialog's to undo again
    _press(view, qtbot, Qt.Key.Key_Z, ctrl)
    assert _consensus(window.db) == []
    assert view.decision_label.text() == "Not decided yet."
    assert dialog.status.text() == "0 of 3 disagreements of ana and ben decided."


def test_a_decision_deleted_elsewhere_is_no_longer_said_decided(open_window, seeded_db_path,
                                                                qtbot):
    """A colleague (another window, ``dossier``) deletes the consensus
    passage a decision wrote: the dialog no longer counts it decided."""
    ids, window, dialog = _three_found(open_window, seeded_db_path, qtbot)
    view = dialog.view
    qtbot.keyClick(view, Qt.Key.Key_A)          # ana's Drugs over [0, 50)
    qtbot.keyClick(view, Qt.Key.Key_Left)
    assert view.decision_label.text() == "Decided: ana's tags."
    other = open_database(seeded_db_path)
    [passage] = passages.passages_for_article(other, ids["first"], analysts=("consensus",))
    with journal.step(other, "Delete passage"):
        passages.delete_passage(other, passage["id"])
    other.close()
    window.check_external_changes()
    assert _consensus(window.db) == []
    assert view.decision_label.text() == "Not decided yet."
    assert dialog.status.text() == "0 of 3 disagreements of ana and ben decided."


def _edit_text(window, article_id, text):
    """Edit → Edit text… of ``article_id``: ``text`` stored, its passages
    re-anchored, the change published (as the window does it)."""
    window.show_article(article_id)
    assert window.replace_article_text(text) is not None


def test_a_decision_after_an_edit_in_front_of_its_span_lands_on_the_words_found(
        open_window, seeded_db_path, qtbot):
    """Text added in front of a found span (Edit text…, another window, an
    import --update) moves its words 8 characters on: the decision was
    refused until Find was pressed again, the label still said 0–50. The
    dialog now follows the edit, as the passages do."""
    ids, window, dialog = _three_found(open_window, seeded_db_path, qtbot, WORDS)
    view = dialog.view
    _edit_text(window, ids["first"], "Update: " + WORDS)
    assert "(characters 8–58)" in view.position.text()
    assert view.text.toPlainText().startswith("Update: The port authority")
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_A)            # ana's Drugs over the same words
    assert _consensus(window.db) == [(ids["first"], "Drugs", 8, 58, "consensus")]
    [stored] = passages.passages_for_article(window.db, ids["first"], analysts=("consensus",))
    assert stored["text"] == WORDS[:50]
    assert dialog.status.text() == "1 of 3 disagreements of ana and ben decided."
    assert "(characters 108–158)" in view.position.text()   # the next one followed too
    qtbot.keyClick(view, Qt.Key.Key_B)
    assert (ids["first"], "Drugs", 108, 158, "consensus") in _consensus(window.db)


def test_a_decision_stays_decided_when_the_text_changes_in_front_of_it(
        open_window, seeded_db_path, qtbot):
    """A decided span whose words an edit moved: its consensus passage moved
    with them, but the dialog checked the old offsets and said "Not
    decided yet", "0 of 3 … decided"; and back after the edit's undo."""
    ids, window, dialog = _three_found(open_window, seeded_db_path, qtbot, WORDS)
    view = dialog.view
    qtbot.keyClick(view, Qt.Key.Key_A)            # ana's Drugs over [0, 50)
    qtbot.keyClick(view, Qt.Key.Key_Left)
    _edit_text(window, ids["first"], "Update: " + WORDS)
    assert _consensus(window.db) == [(ids["first"], "Drugs", 8, 58, "consensus")]
    assert "(characters 8–58)" in view.position.text()
    assert view.decision_label.text() == "Decided: ana's tags."
    assert dialog.status.text() == "1 of 3 disagreements of ana and ben decided."
    _press(window.article_list, qtbot, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert window.db.execute("SELECT text FROM articles WHERE id = ?",
                             [ids["first"]]).fetchone()[0] == WORDS    # the edit undone
    assert "(characters 0–50)" in view.position.text()
    assert view.decision_label.text() == "Decided: ana's tags."
    assert dialog.status.text() == "1 of 3 disagreements of ana and ben decided."


def test_an_item_whose_words_were_rewritten_says_so_and_offers_find_again(
        open_window, seeded_db_path, qtbot):
    """The words of a found span rewritten: it cannot be followed. The
    dialog showed the old offsets over the new words; it now says so,
    decides nothing there, still follows the items the edit left alone,
    and Find finds them all again."""
    ids, window, dialog = _three_found(open_window, seeded_db_path, qtbot, WORDS)
    view = dialog.view
    lede = "Customs officers at the port seized containers, the authority said."
    _edit_text(window, ids["first"], lede + WORDS[50:])
    assert "can no longer be found" in view.position.text()
    assert "Find disagreements" in view.position.text()
    assert not view.buttons["a"].isEnabled()
    assert view.buttons["next"].isEnabled()       # the others can still be reached
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_A)
    assert _consensus(window.db) == []
    qtbot.keyClick(view, Qt.Key.Key_Right)         # the second one's words are intact
    shift = len(lede) - 50
    assert f"(characters {100 + shift}–{150 + shift})" in view.position.text()
    qtbot.keyClick(view, Qt.Key.Key_B)
    [stored] = passages.passages_for_article(window.db, ids["first"], analysts=("consensus",))
    assert (stored["start"], stored["text"]) == (100 + shift, WORDS[100:150])
    dialog.find_button.click()                     # found again: nothing lost any more
    qtbot.waitUntil(lambda: dialog.task is None, timeout=20000)
    assert "can no longer be found" not in view.position.text()


def test_a_word_fixed_next_to_a_span_leaves_its_decision_on_the_words_found(
        open_window, seeded_db_path, qtbot):
    """An article repeating its lede (as scraped articles often do): a word
    fixed just after a found span, outside every passage, left the passages
    on their words, but the dialog moved the item onto the repeated copy
    (found by its words and context alone) and B wrote consensus there. The
    dialog now follows an edit as the passages do: words the edit did not
    touch stay on them."""
    repeated = WORDS + "\n\n" + WORDS
    ids, window, dialog = _three_found(open_window, seeded_db_path, qtbot, repeated)
    assert (dialog.items[1].start, dialog.items[1].end) == (100, 150)   # ben's Drugs only
    at = repeated.index("Police")           # just after that span, in no passage
    assert 150 <= at < 190
    _edit_text(window, ids["first"], repeated[:at] + "The police" + repeated[at + 6:])
    ben = passages.passages_for_article(window.db, ids["first"], analysts=("ben",))
    assert [(p["start"], p["end"]) for p in ben] == [(50, 150)]        # the passages stay
    view = dialog.view
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_Right)          # the second disagreement
    assert "(characters 100–150)" in view.position.text()
    qtbot.keyClick(view, Qt.Key.Key_B)              # ben's Drugs
    assert _consensus(window.db) == [(ids["first"], "Drugs", 100, 150, "consensus")]


def test_undoing_an_edit_that_rewrote_a_decided_span_shows_it_decided_again(
        open_window, seeded_db_path, qtbot):
    """A decided span's words rewritten, then the edit undone (Ctrl+Z in the
    window): text and consensus passage were back exactly, but the dialog
    had let go of the span when its words went, and still said they could
    no longer be found, "0 of 3 … decided", and its Ctrl+Z that nothing was
    stored. It now keeps where the words last were and finds them there
    again."""
    ids, window, dialog = _three_found(open_window, seeded_db_path, qtbot, WORDS)
    view = dialog.view
    qtbot.keyClick(view, Qt.Key.Key_A)            # ana's Drugs over [0, 50)
    qtbot.keyClick(view, Qt.Key.Key_Left)         # back to it
    assert dialog.status.text() == "1 of 3 disagreements of ana and ben decided."
    lede = "Customs officers at the port seized containers, the authority said."
    _edit_text(window, ids["first"], lede + WORDS[50:])
    assert "can no longer be found" in view.position.text()
    assert dialog.status.text() == "0 of 3 disagreements of ana and ben decided."
    ctrl = Qt.KeyboardModifier.ControlModifier
    _press(window.article_list, qtbot, Qt.Key.Key_Z, ctrl)       # Edit → Undo there
    assert window.db.execute("SELECT text FROM articles WHERE id = ?",
                             [ids["first"]]).fetchone()[0] == WORDS     # the edit undone
    assert _consensus(window.db) == [(ids["first"], "Drugs", 0, 50, "consensus")]
    assert "(characters 0–50)" in view.position.text()
    assert view.decision_label.text() == "Decided: ana's tags."
    assert dialog.status.text() == "1 of 3 disagreements of ana and ben decided."
    _press(view, qtbot, Qt.Key.Key_Z, ctrl)       # the dialog's undo: the decision
    assert _consensus(window.db) == []
    assert view.decision_label.text() == "Not decided yet."
    assert dialog.status.text() == "0 of 3 disagreements of ana and ben decided."
