"""The compare view (issue 18): View → Passages → Compare analysts in lanes
(Ctrl+Shift+L) paints each analyst's passages in a lane of their own beside
the reader, at the height of their text; blind coding leaves only one's own
lane."""

from __future__ import annotations

from PySide6.QtCore import Qt

from desktop.gui.compare_lanes import lanes_of
from storage import open_database, passages, tags

ME = "Test Analyst"


def test_lanes_of_groups_by_analyst_consensus_last():
    rows = [{"analyst": "consensus", "start": 0, "end": 5, "color": "#111111", "tag": "A"},
            {"analyst": "ben", "start": 1, "end": 4, "color": "#222222", "tag": "B"},
            {"analyst": "Ana", "start": 2, "end": 3, "color": "#333333", "tag": "A"},
            {"analyst": "ben", "start": 0, "end": 0, "color": "#222222", "tag": "B",
             "anchor": "orphaned"}]
    assert lanes_of(rows) == [("Ana", [(2, 3, "#333333", "A")]),
                              ("ben", [(1, 4, "#222222", "B")]),
                              ("consensus", [(0, 5, "#111111", "A")])]


def test_lanes_beside_the_reader(open_window, seeded_db_path, qtbot):
    db = open_database(seeded_db_path)
    drugs = tags.find_tag(db, "Drugs")["id"]
    text = db.execute("SELECT text FROM articles WHERE id = 1").fetchone()[0]
    late = len(text) - 40
    passages.add_passage(db, article_id=1, tag_id=drugs, start=0, end=30, analyst="ana")
    passages.add_passage(db, article_id=1, tag_id=drugs, start=late, end=late + 30,
                         analyst="ben")
    passages.add_passage(db, article_id=1, tag_id=drugs, start=0, end=30, analyst=ME)
    db.close()
    window = open_window(seeded_db_path)
    window.resize(1200, 500)
    window.article_list.select_article(1)
    qtbot.waitUntil(lambda: window.current_id == 1)
    compare = window.passage_visibility.compare
    assert compare.lanes is None
    qtbot.keyClick(window, Qt.Key.Key_L,
                   Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    lanes = compare.lanes
    assert lanes is not None and lanes.isVisible()
    assert [name for name, _ in lanes.lanes] == ["ana", "ben", ME]
    bars = {name: rect for name, rect, _c, _t in lanes.bars()}
    # one lane each, left to right; ben's passage (at the end) lower than ana's
    assert bars["ana"].left() < bars["ben"].left() < bars[ME].left()
    assert bars["ben"].top() > bars["ana"].bottom()
    assert bars["ana"].top() == bars[ME].top()
    # the lanes follow the reader's scrolling
    window.view.verticalScrollBar().setValue(window.view.verticalScrollBar().maximum())
    scrolled = {name: rect for name, rect, _c, _t in lanes.bars()}
    assert window.view.verticalScrollBar().maximum() > 0
    assert scrolled["ana"].top() < bars["ana"].top()
    # blind coding: only my lane
    window.passage_visibility.set_mode("mine")
    assert [name for name, _ in lanes.lanes] == [ME]
    window.passage_visibility.set_mode("all")
    assert [name for name, _ in lanes.lanes] == ["ana", "ben", ME]
    # a new passage appears in its lane at once
    window.view.select_range(40, 60)
    window.view.setFocus()
    qtbot.keyClick(window.view, Qt.Key.Key_1)
    assert len(dict(lanes.lanes)[ME]) == 2
    compare.action.trigger()
    assert not lanes.isVisible()
    assert window.preferences.settings.value("passages/lanes") in (False, "false")
