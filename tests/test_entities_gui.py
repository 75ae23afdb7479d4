"""The Entities tab (issue 7): merge aliases and correct a label with mouse and
keys, undo and redo them, show an entity's articles — then read what was
stored, and what the reader and the per-article panel show."""

from __future__ import annotations

from PySide6.QtCore import Qt

from storage import open_database
from tests.test_undo import pick_from_next_menu, right_click

CTRL, SHIFT = Qt.KeyboardModifier.ControlModifier, Qt.KeyboardModifier.ShiftModifier


def stored_corrections(db_path) -> list[tuple]:
    """(canonical name, label, sorted aliases) as stored, on a fresh connection."""
    db = open_database(db_path)
    try:
        return [(name, label, tuple(sorted(
                    (k, lab) for k, lab in db.execute(
                        "SELECT key, label FROM entity_aliases WHERE canon_id = ?", [i]))))
                for i, name, label in db.execute(
                    "SELECT id, name, label FROM entity_canon ORDER BY id")]
    finally:
        db.close()


def stored_article_ids(db_path, keys: list[str]) -> set[int]:
    db = open_database(db_path)
    try:
        marks = ", ".join("?" for _ in keys)
        return {r[0] for r in db.execute(
            f"SELECT DISTINCT article_id FROM article_entities WHERE lower(name) IN ({marks})",
            keys)}
    finally:
        db.close()


def activate(qtbot, window) -> None:
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)   # shortcuts fire in the active window only
    window.view.setFocus()


def open_entities_tab(qtbot, window):
    activate(qtbot, window)
    qtbot.keyClick(window.view, Qt.Key.Key_E, CTRL | SHIFT)
    view = window.entities_view
    assert window.left_tabs.currentWidget() is view
    qtbot.waitUntil(lambda: view.tree.topLevelItemCount() > 0, timeout=5000)
    return view


def shown(view) -> list[tuple]:
    return [(view.tree.topLevelItem(i).text(0), view.tree.topLevelItem(i).text(1))
            for i in range(view.tree.topLevelItemCount())]


def search(qtbot, view, text: str) -> None:
    view.search.setFocus()
    view.search.selectAll()
    qtbot.keyClicks(view.search, text)
    qtbot.keyClick(view.search, Qt.Key.Key_Return)


def choose_group_and_search(qtbot, view, group: str, text: str) -> None:
    """The label group chosen with the arrow keys, then ``text`` searched."""
    view.group.setFocus()
    while view.group.currentText() != group:
        qtbot.keyClick(view.group, Qt.Key.Key_Down)
    search(qtbot, view, text)


def click_row(qtbot, view, name: str, label: str, modifier=Qt.KeyboardModifier.NoModifier):
    row = shown(view).index((name, label))
    item = view.tree.topLevelItem(row)
    rect = view.tree.visualItemRect(item)
    qtbot.mouseClick(view.tree.viewport(), Qt.MouseButton.LeftButton, modifier, rect.center())
    return item


def test_merge_with_mouse_and_keys_then_undo_redo_and_show_articles(
        open_window, analysed_db_path, qtbot):
    window = open_window(analysed_db_path)
    view = open_entities_tab(qtbot, window)
    assert ("Sokha", "PERSON") in shown(view)               # People by default
    assert ("Sar Sokha", "ORG") not in shown(view)
    choose_group_and_search(qtbot, view, "All labels", "sokha")
    qtbot.waitUntil(lambda: set(shown(view)) == {("Sokha", "PERSON"), ("Sokha", "ORG"),
                                                 ("Sokha", "GPE"), ("Sar Sokha", "ORG"),
                                                 ("Sar Sokha", "GPE")})
    assert not view.merge_button.isEnabled()
    click_row(qtbot, view, "Sokha", "PERSON")
    click_row(qtbot, view, "Sar Sokha", "ORG", CTRL)
    click_row(qtbot, view, "Sar Sokha", "GPE", CTRL)
    assert view.merge_button.isEnabled()
    qtbot.mouseClick(view.merge_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.dialog is not None and view.dialog.isVisible())
    dialog = view.dialog
    assert dialog.name.currentText() == "Sar Sokha"          # the longest name first
    dialog.label.setFocus()
    while dialog.label.currentText() != "PERSON":
        qtbot.keyClick(dialog.label, Qt.Key.Key_Up)
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.dialog is None)

    merged = [("Sar Sokha", "PERSON", (("sar sokha", "GPE"), ("sar sokha", "ORG"),
                                        ("sokha", "PERSON")))]
    assert stored_corrections(analysed_db_path) == merged
    qtbot.waitUntil(lambda: set(shown(view)) == {("Sar Sokha", "PERSON"), ("Sokha", "ORG"),
                                                 ("Sokha", "GPE")})
    assert window.undo_action.text() == "&Undo Merge 3 entities into “Sar Sokha”"

    activate(qtbot, window)
    qtbot.keyClick(window.view, Qt.Key.Key_Z, CTRL)
    assert stored_corrections(analysed_db_path) == []
    qtbot.waitUntil(lambda: ("Sokha", "PERSON") in shown(view))
    qtbot.keyClick(window.view, Qt.Key.Key_Z, CTRL | SHIFT)
    assert stored_corrections(analysed_db_path) == merged
    qtbot.waitUntil(lambda: ("Sar Sokha", "PERSON") in shown(view))

    # Enter on the merged entity lists the articles of every alias
    item = view.tree.findItems("Sar Sokha", Qt.MatchFlag.MatchExactly)[0]
    view.tree.setCurrentItem(item)
    view.tree.setFocus()
    qtbot.keyClick(view.tree, Qt.Key.Key_Return)
    assert window.left_tabs.currentWidget() is window.articles_box
    assert window.article_filters.entity.text() == "Sar Sokha (PERSON)"
    expected = stored_article_ids(analysed_db_path, ["sar sokha", "sokha"])
    model = window.article_list.list_model
    qtbot.waitUntil(lambda: model.rowCount() == len(expected))
    assert {model.article(i)["id"] for i in range(model.rowCount())} == expected
    assert expected > stored_article_ids(analysed_db_path, ["sar sokha"])

    # the per-article panel groups the aliases under the canonical name
    person = next(window.entity_panel.topLevelItem(i)
                  for i in range(window.entity_panel.topLevelItemCount())
                  if window.entity_panel.topLevelItem(i).text(0) == "PERSON")
    names = [person.child(i).text(0) for i in range(person.childCount())]
    assert "Sar Sokha" in names and "Sokha" not in names


def test_correct_a_label_from_the_context_menu(open_window, analysed_db_path, qtbot):
    window = open_window(analysed_db_path)
    view = open_entities_tab(qtbot, window)
    choose_group_and_search(qtbot, view, "Organisations", "Sar Sokha")
    qtbot.waitUntil(lambda: shown(view) == [("Sar Sokha", "ORG")])
    item = view.tree.topLevelItem(0)
    pick_from_next_menu(["&Correct label…"])
    right_click(view.tree.viewport(), view.tree.visualItemRect(item).center())
    qtbot.waitUntil(lambda: view.dialog is not None and view.dialog.isVisible())
    dialog = view.dialog
    dialog.label.setFocus()
    while dialog.label.currentText() != "PERSON":
        qtbot.keyClick(dialog.label, Qt.Key.Key_Up)
    qtbot.keyClick(dialog.label, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: view.dialog is None)

    assert stored_corrections(analysed_db_path) == [
        ("Sar Sokha", "PERSON", (("sar sokha", "ORG"),))]
    qtbot.waitUntil(lambda: shown(view) == [])             # no longer an organisation
    # the article that had it as ORG shows it as PERSON, in the reader and the panel
    db = open_database(analysed_db_path)
    [(article_id,)] = db.execute("SELECT article_id FROM article_entities "
                                 "WHERE name = 'Sar Sokha' AND label = 'ORG'").fetchall()
    db.close()
    window.article_list.select_article(article_id)
    qtbot.waitUntil(lambda: window.current_id == article_id)
    fixed = [e for e in window.view._entities
             if e["text"] == "Sar Sokha" and e["original_label"] == "ORG"]
    assert fixed and {e["label"] for e in fixed} == {"PERSON"}
    person = window.entity_panel.findItems("PERSON", Qt.MatchFlag.MatchExactly)[0]
    assert "Sar Sokha" in [person.child(i).text(0) for i in range(person.childCount())]
    activate(qtbot, window)
    qtbot.keyClick(window.view, Qt.Key.Key_Z, CTRL)
    assert stored_corrections(analysed_db_path) == []
    assert any(e["label"] == "ORG" for e in window.view._entities if e["text"] == "Sar Sokha")


def merge_sar_sokha(db_path) -> None:
    """“Sar Sokha” (ORG and GPE, as spaCy labelled him on the seeds) and
    “Sokha” (PERSON) merged into “Sar Sokha”, a PERSON; “Sokha” ORG (a
    company's name) and GPE stay as analysed."""
    from storage import entity_corrections

    db = open_database(db_path)
    entity_corrections.merge_entities(db, [
        {"canon_id": None, "key": key, "original_label": label, "name": name, "label": label}
        for key, label, name in (("sar sokha", "ORG", "Sar Sokha"),
                                 ("sar sokha", "GPE", "Sar Sokha"),
                                 ("sokha", "PERSON", "Sokha"))], "Sar Sokha", "PERSON")
    db.close()


def stored_labelled_ids(db_path, key: str, label: str) -> set[int]:
    """The articles whose analysis has the entity ``key`` labelled ``label``."""
    db = open_database(db_path)
    try:
        return {r[0] for r in db.execute(
            "SELECT DISTINCT article_id FROM article_entities WHERE lower(name) = ? "
            "AND label = ?", [key, label])}
    finally:
        db.close()


def listed_ids(window) -> set[int]:
    model = window.article_list.list_model
    return {model.article(i)["id"] for i in range(model.rowCount())}


def test_show_articles_of_an_unmerged_namesake_lists_its_label_only(
        open_window, analysed_db_path, qtbot):
    """“Show articles” of “Sokha — ORG” (a company) while “Sokha” (PERSON)
    is merged into “Sar Sokha” sent the name alone: the list showed Sar
    Sokha's 3 articles where the row says 1."""
    merge_sar_sokha(analysed_db_path)
    window = open_window(analysed_db_path)
    view = open_entities_tab(qtbot, window)
    choose_group_and_search(qtbot, view, "All labels", "sokha")
    qtbot.waitUntil(lambda: set(shown(view)) == {("Sar Sokha", "PERSON"), ("Sokha", "ORG"),
                                                 ("Sokha", "GPE")})
    model = window.article_list.list_model
    for name, label, key in (("Sokha", "ORG", "sokha"), ("Sokha", "GPE", "sokha")):
        window.left_tabs.setCurrentWidget(view)
        item = click_row(qtbot, view, name, label)
        row_count = item.data(3, Qt.ItemDataRole.DisplayRole)
        pick_from_next_menu(["&Show articles"])
        right_click(view.tree.viewport(), view.tree.visualItemRect(item).center())
        qtbot.waitUntil(lambda: window.left_tabs.currentWidget() is window.articles_box)
        expected = stored_labelled_ids(analysed_db_path, key, label)
        qtbot.waitUntil(lambda: listed_ids(window) == expected)
        assert model.rowCount() == row_count == len(expected) == 1
        assert window.article_filters.entity.text() == f"{name} ({label})"

    # the merged entity, with Enter: its aliases, of their own labels
    window.left_tabs.setCurrentWidget(view)
    qtbot.waitUntil(lambda: ("Sar Sokha", "PERSON") in shown(view))
    item = click_row(qtbot, view, "Sar Sokha", "PERSON")
    row_count = item.data(3, Qt.ItemDataRole.DisplayRole)
    qtbot.keyClick(view.tree, Qt.Key.Key_Return)
    assert window.article_filters.entity.text() == "Sar Sokha (PERSON)"
    expected = (stored_labelled_ids(analysed_db_path, "sar sokha", "ORG")
                | stored_labelled_ids(analysed_db_path, "sar sokha", "GPE")
                | stored_labelled_ids(analysed_db_path, "sokha", "PERSON"))
    qtbot.waitUntil(lambda: listed_ids(window) == expected)
    assert model.rowCount() == row_count == len(expected)

    # the filter stays text: a plain name typed there filters by name, any label
    box = window.article_filters.entity
    box.setFocus()
    box.selectAll()
    qtbot.keyClicks(box, "Sokha")
    qtbot.keyClick(box, Qt.Key.Key_Return)
    by_name = stored_article_ids(analysed_db_path, ["sokha", "sar sokha"])
    qtbot.waitUntil(lambda: listed_ids(window) == by_name)
    assert len(by_name) > len(stored_labelled_ids(analysed_db_path, "sokha", "ORG"))
    box.selectAll()
    qtbot.keyClick(box, Qt.Key.Key_Delete)
    qtbot.keyClick(box, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: model.rowCount() == 5)         # every seed
