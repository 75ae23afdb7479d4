"""The codebook panel's details dialog (description and key), driven with
keys and clicks; assertions on the stored tags, then undo and redo."""

from __future__ import annotations

from PySide6.QtCore import Qt

from storage import open_database
from tests.test_undo import check_undo_redo, stored_state


def stored_tags(db_path) -> dict[str, tuple]:
    db = open_database(db_path)
    try:
        return {r[0]: (r[1], r[2]) for r in db.execute(
            "SELECT name, description, shortcut FROM tags")}
    finally:
        db.close()


def select_tag(qtbot, panel, name: str) -> None:
    [item] = panel.tree.findItems(name, Qt.MatchFlag.MatchExactly)
    qtbot.mouseClick(panel.tree.viewport(), Qt.MouseButton.LeftButton,
                     pos=panel.tree.visualItemRect(item).center())
    assert panel.current_tag_id() == item.data(0, Qt.ItemDataRole.UserRole)


def open_details(qtbot, panel, name: str):
    select_tag(qtbot, panel, name)
    qtbot.mouseClick(panel.buttons["details"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.details_dialog is not None
                    and panel.details_dialog.isVisible())
    return panel.details_dialog


def test_describe_a_tag_and_take_another_tags_key(open_window, analysed_db_path, qtbot):
    window = open_window(analysed_db_path)
    panel = window.tag_panel
    first = stored_tags(analysed_db_path)
    drugs_key, diplomacy_key = first["Drugs"][1], first["Diplomacy"][1]
    assert drugs_key and diplomacy_key and drugs_key != diplomacy_key

    before = stored_state(analysed_db_path)
    dialog = open_details(qtbot, panel, "Diplomacy")
    assert dialog.key_box.currentData() == diplomacy_key
    dialog.description.selectAll()
    qtbot.keyClicks(dialog.description, "Talks between governments")
    dialog.key_box.setFocus()
    while dialog.key_box.currentData() != drugs_key:
        qtbot.keyClick(dialog.key_box, Qt.Key.Key_Down if dialog.key_box.currentData()
                       < drugs_key else Qt.Key.Key_Up)
    assert "swap with “Drugs”" in dialog.key_box.currentText()
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.details_dialog is None)

    after = stored_tags(analysed_db_path)
    assert after["Diplomacy"] == ("Talks between governments", drugs_key)
    assert after["Drugs"][1] == diplomacy_key
    [item] = panel.tree.findItems("Diplomacy", Qt.MatchFlag.MatchExactly)
    assert item.text(1) == str(drugs_key) and item.toolTip(0)
    check_undo_redo(qtbot, window, analysed_db_path, before,
                    "Edit details of “Diplomacy”")

    # the window's codebook (what the keys 1–9 tag with) has the new key
    assert next(t for t in window.state.tags if t["name"] == "Diplomacy")["shortcut"] == drugs_key


def test_no_key_and_cancel(open_window, analysed_db_path, qtbot):
    window = open_window(analysed_db_path)
    panel = window.tag_panel
    first = stored_tags(analysed_db_path)

    dialog = open_details(qtbot, panel, "Drugs")
    qtbot.keyClicks(dialog.description, "never stored")
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: panel.details_dialog is None)
    assert stored_tags(analysed_db_path) == first
    assert window.undo_stack.count() == 0

    dialog = open_details(qtbot, panel, "Drugs")
    dialog.key_box.setFocus()
    qtbot.keyClick(dialog.key_box, Qt.Key.Key_Home)
    assert dialog.key_box.currentData() == 0
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.details_dialog is None)
    after = stored_tags(analysed_db_path)
    assert after["Drugs"][1] is None
    assert {k: v for k, v in after.items() if k != "Drugs"} == {
        k: v for k, v in first.items() if k != "Drugs"}


def test_merge_two_tags_in_one_undoable_step(open_window, analysed_db_path, qtbot):
    from tests.test_undo import tag_words

    window = open_window(analysed_db_path)
    qtbot.waitUntil(lambda: window.current_id == 1)
    panel = window.tag_panel
    keys = stored_tags(analysed_db_path)
    drugs_key, traff_key = (Qt.Key(Qt.Key.Key_0 + keys[name][1])
                            for name in ("Drugs", "Trafficking"))
    tag_words(qtbot, window, "Cambodia", drugs_key)
    tag_words(qtbot, window, "Cambodia", traff_key)        # the same words, both tags
    tag_words(qtbot, window, "Australia", drugs_key)

    def passages_by_tag() -> list[tuple]:
        db = open_database(analysed_db_path)
        try:
            return [tuple(r) for r in db.execute(
                "SELECT t.name, p.text FROM passages p JOIN tags t ON t.id = p.tag_id "
                "ORDER BY p.start, t.name")]
        finally:
            db.close()
    assert sorted(passages_by_tag()) == [("Drugs", "Australia"), ("Drugs", "Cambodia"),
                                         ("Trafficking", "Cambodia")]

    before = stored_state(analysed_db_path)
    select_tag(qtbot, panel, "Drugs")
    qtbot.mouseClick(panel.buttons["merge"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.merge_dialog is not None and panel.merge_dialog.isVisible())
    dialog = panel.merge_dialog
    dialog.target.setFocus()
    while dialog.target.currentText() != "Trafficking":
        index = dialog.target.currentIndex()
        qtbot.keyClick(dialog.target, Qt.Key.Key_Down)
        assert dialog.target.currentIndex() != index
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.merge_dialog is None)

    assert sorted(passages_by_tag()) == [("Trafficking", "Australia"),
                                         ("Trafficking", "Cambodia")]
    assert "Drugs" not in stored_tags(analysed_db_path)
    assert not panel.tree.findItems("Drugs", Qt.MatchFlag.MatchExactly)
    [item] = panel.tree.findItems("Trafficking", Qt.MatchFlag.MatchExactly)
    assert item.text(2) == "2"
    check_undo_redo(qtbot, window, analysed_db_path, before,
                    "Merge “Drugs” into “Trafficking”")


def test_codebook_export_and_undoable_import(open_window, analysed_db_path, qtbot,
                                             tmp_path, monkeypatch):
    import json

    from PySide6.QtWidgets import QMessageBox

    window = open_window(analysed_db_path)
    exported = tmp_path / "codebook.json"
    assert window.export_codebook(exported)
    data = json.loads(exported.read_text("utf-8"))
    assert [t["name"] for t in data["tags"]] == [
        window.tag_panel.tree.topLevelItem(i).text(0)
        for i in range(window.tag_panel.tree.topLevelItemCount())]

    edited = tmp_path / "edited.json"
    data["tags"][0]["color"] = "#010203"
    data["tags"].append({"name": "Scam compounds", "color": "#445566",
                         "description": "Compounds", "parent": "Cybercrime"})
    edited.write_text(json.dumps(data), "utf-8")
    before = stored_state(analysed_db_path)
    assert window.import_codebook(edited)
    now = stored_tags(analysed_db_path)
    assert now["Scam compounds"][0] == "Compounds"
    [item] = window.tag_panel.tree.findItems(
        "Scam compounds", Qt.MatchFlag.MatchExactly | Qt.MatchFlag.MatchRecursive)
    assert item.parent().text(0) == "Cybercrime"          # shown under its parent
    db = open_database(analysed_db_path)
    first = db.execute("SELECT color FROM tags WHERE name = ?",
                       [data["tags"][0]["name"]]).fetchone()[0]
    parent = db.execute("SELECT p.name FROM tags t JOIN tags p ON p.id = t.parent_id "
                        "WHERE t.name = 'Scam compounds'").fetchone()[0]
    db.close()
    assert (first, parent) == ("#010203", "Cybercrime")
    check_undo_redo(qtbot, window, analysed_db_path, before, "Import codebook edited.json")

    warnings = []
    monkeypatch.setattr(QMessageBox, "exec", lambda box: warnings.append(box.text()))
    broken = tmp_path / "broken.json"
    broken.write_text('[{"name": "X", "color": "blue"}]', "utf-8")
    after = stored_state(analysed_db_path)
    assert not window.import_codebook(broken)
    assert warnings and 'the colour "blue"' in warnings[0]
    assert stored_state(analysed_db_path) == after


def test_place_a_tag_under_another_shows_a_tree_with_counts(open_window, analysed_db_path,
                                                            qtbot):
    from tests.test_undo import tag_words

    window = open_window(analysed_db_path)
    qtbot.waitUntil(lambda: window.current_id == 1)
    panel = window.tag_panel
    keys = stored_tags(analysed_db_path)
    tag_words(qtbot, window, "Cambodia", Qt.Key(Qt.Key.Key_0 + keys["Drugs"][1]))
    tag_words(qtbot, window, "Australia", Qt.Key(Qt.Key.Key_0 + keys["Cybercrime"][1]))
    assert not panel.tree.rootIsDecorated()

    before = stored_state(analysed_db_path)
    dialog = open_details(qtbot, panel, "Drugs")
    # Drugs cannot be put under itself
    assert dialog.parent_box.findText("Drugs") == -1
    dialog.parent_box.setFocus()
    while dialog.parent_box.currentText() != "Cybercrime":
        index = dialog.parent_box.currentIndex()
        qtbot.keyClick(dialog.parent_box, Qt.Key.Key_Down)
        assert dialog.parent_box.currentIndex() != index
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.details_dialog is None)

    db = open_database(analysed_db_path)
    parent = db.execute("SELECT p.name FROM tags t JOIN tags p ON p.id = t.parent_id "
                        "WHERE t.name = 'Drugs'").fetchone()
    db.close()
    assert parent == ("Cybercrime",)
    assert not panel.tree.findItems("Drugs", Qt.MatchFlag.MatchExactly)   # not top level
    [cyber] = panel.tree.findItems("Cybercrime", Qt.MatchFlag.MatchExactly)
    assert cyber.childCount() == 1 and cyber.child(0).text(0) == "Drugs"
    assert cyber.text(2) == "1 (2)" and cyber.child(0).text(2) == "1"
    assert panel.tree.rootIsDecorated() and cyber.isExpanded()

    # Cybercrime cannot now go under Drugs, which is below it
    dialog = open_details(qtbot, panel, "Cybercrime")
    assert dialog.parent_box.findText("Drugs") == -1
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: panel.details_dialog is None)

    check_undo_redo(qtbot, window, analysed_db_path, before, "Edit details of “Drugs”")


def test_f2_renames_and_delete_deletes_the_tag_selected_in_the_tree(open_window,
                                                                    analysed_db_path, qtbot,
                                                                    monkeypatch):
    window = open_window(analysed_db_path)
    panel = window.tag_panel
    monkeypatch.setattr("widgets.tag_panel.QInputDialog.getText",
                        lambda *a, **k: ("Narcotics", True))
    asked = []
    monkeypatch.setattr(panel, "ask_delete", asked.append)
    select_tag(qtbot, panel, "Drugs")
    qtbot.keyClick(panel.tree, Qt.Key.Key_F2)           # not Edit details… of the article
    assert stored_tags(analysed_db_path).get("Narcotics") is not None
    qtbot.keyClick(panel.tree, Qt.Key.Key_Delete)
    assert asked == [panel.current_tag_id()]


def test_counts_column_widens_when_a_count_grows(qtbot):
    from widgets.tag_panel import TagPanel

    panel = TagPanel()
    qtbot.addWidget(panel)
    panel.resize(400, 300)
    panel.show()
    tags = [{"id": 1, "name": "Fraud", "color": "#ff0000", "shortcut": 1, "description": "",
             "passage_count": 5, "parent_id": None}]
    panel.set_tags(tags)
    narrow = panel.tree.header().sectionSize(2)
    big = 123_456_789_012
    panel.set_tags([{**tags[0], "passage_count": big}])   # counts only: no rebuild
    assert panel.tree.topLevelItem(0).text(2) == "123,456,789,012"     # grouped, as everywhere
    metrics = panel.tree.fontMetrics()
    assert (panel.tree.header().sectionSize(2)
            >= metrics.horizontalAdvance("123,456,789,012") > narrow)


def test_a_count_as_long_as_the_last_is_not_measured_unless_digits_differ(qtbot,
                                                                          monkeypatch):
    """A tag saved changes a count; the column is measured again only when
    the count gets longer or shorter, or the font's digits are not all as
    wide (measured again when the font changes)."""
    from PySide6.QtGui import QFont, QFontMetrics

    from widgets.tag_panel import TagPanel

    panel = TagPanel()
    qtbot.addWidget(panel)
    panel.show()
    tag = {"id": 1, "name": "Fraud", "color": "#ff0000", "shortcut": 1, "description": "",
           "passage_count": 5, "parent_id": None}
    panel.set_tags([tag])
    fitted = []
    monkeypatch.setattr(panel, "_fit_counts", fitted.append)
    panel._even_digits = True
    panel.set_tags([{**tag, "passage_count": 6}])
    assert fitted == [] and panel.tree.topLevelItem(0).text(2) == "6"
    panel.set_tags([{**tag, "passage_count": 10}])
    assert fitted == ["10"]
    panel._even_digits = False                  # a font with digits of their own widths
    panel.set_tags([{**tag, "passage_count": 11}])
    assert fitted == ["10", "11"]
    font = QFont(panel.tree.font())
    font.setPointSizeF(font.pointSizeF() * 3)
    panel.set_tags([{**tag, "passage_count": 12_345}])
    panel.tree.setFont(font)                    # zoomed: the counts fitted anew
    assert panel._even_digits is None
    assert panel.tree.header().sectionSize(2) >= QFontMetrics(font).horizontalAdvance("12,345")


def test_counts_sit_in_the_middle_of_their_rows_like_the_names(qtbot):
    """Right-aligned counts are centred vertically too: right alone put them
    at the top of the roomy rows, a line above their tag's name and key."""
    from PySide6.QtCore import Qt

    from widgets.speakers_view import SpeakersView
    from widgets.tag_panel import TagPanel

    panel = TagPanel()
    qtbot.addWidget(panel)
    panel.set_tags([{"id": 1, "name": "Cash", "color": "#aa0000", "shortcut": 1,
                     "description": "", "passage_count": 3, "parent_id": None}])
    speakers = SpeakersView()
    qtbot.addWidget(speakers)
    speakers.set_speakers([{"speaker": "Sar Sokha", "speaker_kind": "person",
                            "quote_count": 3, "article_count": 2, "to_check": 0}])
    for item, column in ((panel.tree.topLevelItem(0), 2),
                         (speakers.speakers.topLevelItem(0), 2)):
        alignment = Qt.AlignmentFlag(item.textAlignment(column))
        assert alignment & Qt.AlignmentFlag.AlignRight
        assert alignment & Qt.AlignmentFlag.AlignVCenter


def test_the_tag_buttons_wait_for_a_tag_to_be_picked(open_window, analysed_db_path, qtbot):
    """The window opens with no tag picked: the buttons that act on one are
    disabled (clicked, they did nothing, saying nothing), New… is not."""
    window = open_window(analysed_db_path)
    panel = window.tag_panel
    assert panel.current_tag_id() is None
    assert [k for k, b in panel.buttons.items() if b.isEnabled()] == ["new"]
    assert "pick a tag" in panel.buttons["rename"].toolTip()
    select_tag(qtbot, panel, "Drugs")
    assert all(b.isEnabled() for b in panel.buttons.values())
    assert "pick a tag" not in panel.buttons["rename"].toolTip()


def test_the_codebook_shows_tags_that_loop_instead_of_hanging():
    """Two tags each other's parent (a file damaged by an older merge): Qt
    hung for good adding one under the other. The loop is cut: one tag at the
    top (the one that closes it), the other under it; a tag under a missing one is at the top. Run in
    a process of its own, so that a hang fails the test instead of the suite."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    code = (
        "from PySide6.QtWidgets import QApplication; app = QApplication([])\n"
        "from widgets.tag_panel import TagPanel\n"
        "tag = dict(color='#ff0000', shortcut=None, description='', passage_count=1)\n"
        "p = TagPanel(); p.set_tags([dict(tag, id=1, name='Fraud', parent_id=2),\n"
        "    dict(tag, id=2, name='Scams', parent_id=1), dict(tag, id=3, name='Orphan',\n"
        "    parent_id=99)])\n"
        "print(sorted(p.tree.topLevelItem(i).text(0) for i in range(p.tree.topLevelItemCount())),\n"
        "      p.tree.topLevelItem(0).child(0).text(0))\n")
    root = Path(__file__).resolve().parents[1]
    try:
        run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                             timeout=60, cwd=root,
                             env={**os.environ, "PYTHONPATH": str(root),
                                  "QT_QPA_PLATFORM": "offscreen"})
    except subprocess.TimeoutExpired:
        raise AssertionError("the codebook hangs on two tags that are each other's parent")
    assert run.stdout.split() == ["['Orphan',", "'Scams']", "Fraud"], run.stderr


def test_deleting_a_tag_and_moving_its_passages_folds_the_same_words_tagged_twice(
        seeded_db_path):
    """Delete tag → "Move them to:": a passage the same analyst has under the
    other tag already, at the same words, is folded into it (its note
    appended) instead of being counted and exported twice; another analyst's
    stays theirs."""
    from storage import passages, tags

    db = open_database(seeded_db_path)
    drugs, traff = tags.find_tag(db, "Drugs")["id"], tags.find_tag(db, "Trafficking")["id"]
    passages.add_passage(db, article_id=1, tag_id=traff, start=0, end=8, analyst="a",
                         note="kept")
    passages.add_passage(db, article_id=1, tag_id=drugs, start=0, end=8, analyst="a",
                         note="moved too")
    passages.add_passage(db, article_id=1, tag_id=drugs, start=0, end=8, analyst="b")
    assert tags.delete_tag(db, drugs, move_passages_to=traff) == 2
    rows = sorted(tuple(r) for r in db.execute(
        "SELECT analyst, note FROM passages WHERE tag_id = ?", [traff]))
    assert rows == [("a", "kept\nmoved too"), ("b", "")]
    assert tags.get_tag(db, traff)["passage_count"] == 2
    db.close()
