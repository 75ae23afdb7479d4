"""A step that changed a few passages hands their rows and the tags' count
moves to the window (``Changes.extra``), and the window applies them with
nothing read back: tagging reads neither the article's passages nor the
codebook again."""

from __future__ import annotations

from PySide6.QtCore import Qt

from storage import articles, journal, open_database, passages, tags
from test_main_window import select_with_keys


def _db(tmp_path):
    db = open_database(tmp_path / "carry.db")
    article_id, _ = articles.add_article(db, title="One", text="Police seized cash in Phnom Penh.")
    first = tags.create_tag(db, "Cash", "#aa0000")
    second = tags.create_tag(db, "Place", "#0000aa")
    return db, article_id, first, second


def test_a_step_carries_the_rows_it_wrote_and_the_count_moves(tmp_path):
    db, article_id, cash, place = _db(tmp_path)
    with journal.step(db, "Tag") as step:
        passage_id = passages.add_passage(db, article_id=article_id, tag_id=cash,
                                          start=14, end=18, analyst="a")
    row = step.changes.extra["passages"][passage_id]
    assert (row["article_id"], row["tag_id"], row["start"], row["end"], row["text"]) == \
        (article_id, cash, 14, 18, "cash")
    assert step.changes.extra["tag_counts"] == {cash: 1}

    with journal.step(db, "Re-tag") as step:
        passages.retag_passage(db, passage_id, place)
    assert step.changes.extra["passages"][passage_id]["tag_id"] == place
    assert step.changes.extra["tag_counts"] == {cash: -1, place: 1}

    undone = journal.undo(db)       # the undo is a step too: it carries its rows
    assert undone.changes.extra["passages"][passage_id]["tag_id"] == cash
    assert undone.changes.extra["tag_counts"] == {cash: 1, place: -1}

    with journal.step(db, "Delete") as step:
        passages.delete_passage(db, passage_id)
    assert step.changes.extra["passages"] == {passage_id: None}
    assert step.changes.extra["tag_counts"] == {cash: -1}


def test_a_big_step_carries_no_rows(tmp_path):
    db, article_id, cash, _ = _db(tmp_path)
    with journal.step(db, "Tag many") as step:
        for start in range(journal.ROWS_CARRIED + 1):
            passages.add_passage(db, article_id=article_id, tag_id=cash, start=0,
                                 end=6 + start % 2, analyst=f"a{start}")
    assert "passages" not in step.changes.extra
    assert len(step.changes.passage_ids) == journal.ROWS_CARRIED + 1


def test_tagging_in_the_window_reads_nothing_back(open_window, analysed_db_path, qtbot):
    window = open_window(analysed_db_path)
    text = window.view.article_text()
    start = text.index("Neth Savoeun")
    select_with_keys(qtbot, window.view, start, len("Neth Savoeun"))
    statements: list[str] = []
    window.db.conn.set_trace_callback(statements.append)
    try:
        qtbot.keyClick(window.view, Qt.Key.Key_1)
        qtbot.keyClick(window.view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    finally:
        window.db.conn.set_trace_callback(None)
    reads = [s for s in statements if s.lstrip().upper().startswith("SELECT")
             and ("FROM passages p" in s or "FROM tags t" in s)]
    assert reads == [], "\n".join(" ".join(s.split())[:90] for s in statements)
    # and what is shown is what is stored, tagged then untagged
    assert window.passage_list.passages() == []
    assert window.view.passage_ranges_shown() == []
    assert window.tag_panel.tree.topLevelItem(0).text(2) == "0"

    select_with_keys(qtbot, window.view, start, len("Neth Savoeun"))
    qtbot.keyClick(window.view, Qt.Key.Key_1)
    stored = passages.passages_for_article(window.db, window.current_id)
    assert [(p["tag"], p["color"], p["text"]) for p in window.passage_list.passages()] == \
        [(p["tag"], p["color"], p["text"]) for p in stored] == \
        [("Cybercrime", tags.find_tag(window.db, "Cybercrime")["color"], "Neth Savoeun")]
    assert window.view.passage_ranges_shown() == [(start, start + 12)]
    assert window.tag_panel.tree.topLevelItem(0).text(2) == "1"
    assert window.article_list.list_model.article(0)["passage_count"] == 1


def test_with_an_analyst_filter_the_window_reads_again(open_window, tmp_path, qtbot):
    """Showing some analysts' passages only: the carried rows and counts
    (everybody's) would be wrong, so the window reads them again."""
    db = open_database(tmp_path / "blind.db")
    article_id, _ = articles.add_article(db, title="One", text="Police seized cash in Phnom Penh.")
    tag_id = tags.create_tag(db, "Cash", "#aa0000", shortcut=1)
    passages.add_passage(db, article_id=article_id, tag_id=tag_id, start=0, end=6,
                         analyst="someone else")
    db.close()
    window = open_window(tmp_path / "blind.db")
    window.passage_visibility.set_mode("chosen", chosen=("someone else",))
    assert window.query.analysts == ("someone else",)
    text = window.view.article_text()
    select_with_keys(qtbot, window.view, text.index("cash"), 4)
    qtbot.keyClick(window.view, Qt.Key.Key_1)
    assert [p["analyst"] for p in passages.passages_for_article(window.db, article_id)] == \
        ["someone else", "Test Analyst"]            # stored …
    cash = next(t for t in window.state.tags if t["id"] == tag_id)
    assert cash["passage_count"] == 1               # … but not shown: not theirs
    assert [p["analyst"] for p in window.passage_list.passages()] == ["someone else"]


def test_or_keeps_the_carried_rows_only_when_the_other_side_adds_nothing():
    from storage.changes import ARTICLE, PASSAGES, Changes

    step = Changes(frozenset({PASSAGES}), frozenset({1}), frozenset({7}), frozenset({2}),
                   extra={"passages": {7: None}, "tag_counts": {2: -1}, "select": 1})
    own = Changes.of(PASSAGES, article_ids=[1])
    assert (own | step).extra == step.extra == (step | own).extra
    more = Changes.of(PASSAGES, ARTICLE, article_ids=[1])      # adds a kind
    assert (more | step).extra == {"select": 1}
    everywhere = Changes.of(PASSAGES)                           # every article
    assert (everywhere | step).extra == {"select": 1}
