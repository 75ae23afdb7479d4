"""The real main window, driven with mouse and keys; assertions on the database."""

from __future__ import annotations

import csv

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QColor, QTextCursor

from storage import articles, open_database, passages, tags
from widgets import palette


def click_at(qtbot, view, offset: int) -> None:
    """Click just left of the character at code-point ``offset``."""
    cursor = QTextCursor(view.document())
    cursor.setPosition(view._offsets.to_utf16(offset))
    view.setTextCursor(cursor)
    view.ensureCursorVisible()
    rect = view.cursorRect(cursor)
    view.moveCursor(QTextCursor.MoveOperation.Start)  # the click must do the work
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton,
                     pos=QPoint(rect.x() + 1, rect.center().y()))


def select_with_keys(qtbot, view, start: int, length: int) -> None:
    click_at(qtbot, view, start)
    for _ in range(length):
        qtbot.keyClick(view, Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier)


def assert_bar_painted(view, color: str) -> None:
    """A passage bar in ``color`` is really on screen (pixels, not just state)."""
    bars = [rect for rect, c, _ in view.passage_bars() if c == QColor(color)]
    assert bars
    image = view.viewport().grab().toImage()
    ratio = image.devicePixelRatio()
    centre = bars[0].center()
    assert image.pixelColor(int(centre.x() * ratio), int(centre.y() * ratio)) == QColor(color)


def database_with(tmp_path, title: str, text: str):
    """A new database file holding one article (no seeds: it is not empty)."""
    db_path = tmp_path / "one-article.db"
    db = open_database(db_path)
    articles.add_article(db, title=title, text=text)
    db.close()
    return db_path


def stored_passages(db_path):
    db = open_database(db_path)
    try:
        return list(db.query("SELECT p.*, t.name AS tag FROM passages p "
                             "JOIN tags t ON t.id = p.tag_id ORDER BY p.id"))
    finally:
        db.close()


def test_window_opens_on_the_seeds(open_window, analysed_db_path):
    window = open_window(analysed_db_path)
    assert window.windowTitle() == "dossier — Dossier"   # the project: its file name
    assert window.article_list.list_model.rowCount() == 5
    assert window.current_id == 1
    assert window.view.toPlainText().startswith("Cambodia asked Australia")
    assert window.tag_panel.tree.topLevelItemCount() == 9


def test_select_press_key_saves_passage_and_survives_restart(open_window, analysed_db_path,
                                                              qtbot):
    window = open_window(analysed_db_path)
    text = window.view.article_text()
    start = text.index("Neth Savoeun")
    select_with_keys(qtbot, window.view, start, len("Neth Savoeun"))
    assert window.view.selection_range() == (start, start + 12)
    qtbot.keyClick(window.view, Qt.Key.Key_1)

    [row] = stored_passages(analysed_db_path)
    assert (row["article_id"], row["start"], row["end"]) == (1, start, start + 12)
    assert row["text"] == text[start:start + 12] == "Neth Savoeun"
    assert row["tag"] == "Cybercrime" and row["analyst"] == "Test Analyst"
    assert window.passage_list.topLevelItemCount() == 1
    assert window.tag_panel.tree.topLevelItem(0).text(2) == "1"
    assert window.article_list.list_model.article(0)["passage_count"] == 1

    window.close()
    window.db.close()
    again = open_window(analysed_db_path)
    assert again.current_id == 1
    assert again.view.passage_ranges_shown() == [(start, start + 12)]
    assert_bar_painted(again.view, tags.find_tag(again.db, "Cybercrime")["color"])


def test_tagging_after_an_emoji_stores_code_point_offsets(open_window, tmp_path, qtbot):
    text = "Scam ring 😀🚓 busted. Then the money laundering case began."
    db_path = database_with(tmp_path, "Emoji", text)
    window = open_window(db_path)
    start = text.index("money laundering")
    select_with_keys(qtbot, window.view, start, len("money laundering"))
    qtbot.keyClick(window.view, Qt.Key.Key_5)
    [row] = stored_passages(db_path)
    assert (row["start"], row["end"]) == (start, start + 16)
    assert row["text"] == text[row["start"]:row["end"]] == "money laundering"
    assert row["tag"] == "Money laundering"
    assert window.view.passage_ranges_shown() == [(start, start + 16)]
    [(bar, _, _)] = window.view.passage_bars()
    # the bar starts under "money", not two UTF-16 units further on
    word = window.view.cursorRect(window.view._cursor_for(start, start))
    assert abs(bar.left() - word.left()) <= 2


def test_tag_panel_button_tags_the_selection(open_window, analysed_db_path, qtbot):
    window = open_window(analysed_db_path)
    text = window.view.article_text()
    start = text.index("Phnom Penh")
    select_with_keys(qtbot, window.view, start, 10)
    item = window.tag_panel.tree.topLevelItem(5)
    assert item.text(0) == "Diplomacy"
    qtbot.mouseClick(window.tag_panel.tree.viewport(), Qt.MouseButton.LeftButton,
                     pos=window.tag_panel.tree.visualItemRect(item).center())
    qtbot.mouseClick(window.tag_panel.buttons["apply"], Qt.MouseButton.LeftButton)
    [row] = stored_passages(analysed_db_path)
    assert (row["tag"], row["text"]) == ("Diplomacy", "Phnom Penh")


def test_the_same_words_tagged_again_with_the_same_key_are_not_stored_twice(
        open_window, analysed_db_path, qtbot):
    """A second press stored an exact copy (counted twice, exported twice);
    the same words with another tag are a passage of their own."""
    window = open_window(analysed_db_path)
    start = window.view.article_text().index("Neth Savoeun")
    select_with_keys(qtbot, window.view, start, len("Neth Savoeun"))
    qtbot.keyClick(window.view, Qt.Key.Key_1)
    qtbot.keyClick(window.view, Qt.Key.Key_1)
    assert "already" in window.statusBar().currentMessage()
    assert window.view.selection_range() == (start, start + 12)
    qtbot.keyClick(window.view, Qt.Key.Key_2)
    assert sorted((r["tag"], r["start"]) for r in stored_passages(analysed_db_path)) == [
        ("Cybercrime", start), ("Training & capacity building", start)]
    assert window.passage_list.topLevelItemCount() == 2
    assert window.tag_panel.tree.topLevelItem(0).text(2) == "1"
    window.controllers.history.undo_stack.undo()
    assert [r["tag"] for r in stored_passages(analysed_db_path)] == ["Cybercrime"]


def test_digit_without_selection_saves_nothing(open_window, analysed_db_path, qtbot):
    window = open_window(analysed_db_path)
    click_at(qtbot, window.view, 10)
    qtbot.keyClick(window.view, Qt.Key.Key_2)
    assert stored_passages(analysed_db_path) == []
    assert "Select some text" in window.statusBar().currentMessage()


def test_entities_and_quotes_are_highlighted_and_legend_toggles(open_window, analysed_db_path):
    window = open_window(analysed_db_path)
    view, text = window.view, window.view.article_text()
    person = text.index("Neth Savoeun")
    assert view.format_at(person).background().color() == QColor(palette.ENTITY_COLORS["PERSON"])
    quote = text.index("Savoeun expressed his appreciation")
    assert view.format_at(quote + 20).fontItalic()
    # an entity inside a quote shows both
    inside = view.format_at(quote)
    assert inside.fontItalic()
    assert inside.background().color() == QColor(palette.ENTITY_COLORS["PERSON"])

    window.legend.checkbox("PERSON").setChecked(False)
    assert view.format_at(person).background().color() != QColor(palette.ENTITY_COLORS["PERSON"])
    window.legend.checkbox("QUOTES").setChecked(False)
    assert not view.format_at(quote + 20).fontItalic()


def test_tooltips_name_the_label_and_passage_note_as_text(open_window, analysed_db_path):
    window = open_window(analysed_db_path)
    text = window.view.article_text()
    start = text.index("Phnom Penh")
    db = window.db
    passages.add_passage(db, article_id=1, tag_id=tags.find_tag(db, "Drugs")["id"],
                         start=start, end=start + 10, analyst="ana",
                         note="<b>check</b> this")
    window.refresh_passages()
    tip = window.view.tooltip_html(start + 2)
    assert "<b>GPE</b>" in tip and "Drugs" in tip
    assert "&lt;b&gt;check&lt;/b&gt; this" in tip and "<b>check</b>" not in tip


def test_markup_in_an_article_shows_literally(open_window, tmp_path):
    text = "<script>alert('x')</script> and <b>not bold</b> & more"
    db_path = database_with(tmp_path, "<i>Markup</i>", text)
    window = open_window(db_path)
    assert window.view.toPlainText() == text
    assert window.title_label.text() == "<i>Markup</i>"
    assert window.title_label.textFormat() == Qt.TextFormat.PlainText
    assert not window.view.format_at(text.index("not bold")).font().bold()


def test_clicking_a_passage_selects_it_in_the_text(open_window, analysed_db_path, qtbot):
    window = open_window(analysed_db_path)
    text = window.view.article_text()
    start = text.rindex("quick reaction force")
    db = window.db
    passages.add_passage(db, article_id=1, tag_id=tags.find_tag(db, "Key quote")["id"],
                         start=start, end=start + 20, analyst="ana")
    window.refresh_passages()
    window.view.moveCursor(QTextCursor.MoveOperation.Start)
    item = window.passage_list.topLevelItem(0)
    qtbot.mouseClick(window.passage_list.viewport(), Qt.MouseButton.LeftButton,
                     pos=window.passage_list.visualItemRect(item).center())
    assert window.view.selection_range() == (start, start + 20)


def test_note_retag_and_delete_from_the_passage_list(open_window, analysed_db_path, qtbot,
                                                     monkeypatch):
    window = open_window(analysed_db_path)
    select_with_keys(qtbot, window.view, 0, 8)
    qtbot.keyClick(window.view, Qt.Key.Key_3)
    [row] = stored_passages(analysed_db_path)
    monkeypatch.setattr("desktop.gui.passages_controller.ask_note",
                        lambda parent, passage, typed=None: "a note")
    window.passage_list.noteRequested.emit(row["id"])
    window.passage_list.retagRequested.emit(row["id"], tags.find_tag(window.db, "Drugs")["id"])
    [row] = stored_passages(analysed_db_path)
    assert (row["note"], row["tag"]) == ("a note", "Drugs")
    assert window.passage_list.topLevelItem(0).text(2) == "a note"

    monkeypatch.setattr("desktop.gui.passages_controller.confirm_delete_passage", lambda *a: True)
    window.passage_list.setCurrentItem(window.passage_list.topLevelItem(0))
    qtbot.keyClick(window.passage_list, Qt.Key.Key_Delete)
    assert stored_passages(analysed_db_path) == []


def test_creating_and_renaming_tags_through_the_panel(open_window, analysed_db_path, qtbot,
                                                      monkeypatch):
    window = open_window(analysed_db_path)
    answers = iter([("Scam compounds", True), ("Scam centres", True)])
    monkeypatch.setattr("widgets.tag_panel.QInputDialog.getText",
                        lambda *a, **k: next(answers))
    qtbot.mouseClick(window.tag_panel.buttons["new"], Qt.MouseButton.LeftButton)
    created = tags.find_tag(window.db, "Scam compounds")
    assert created is not None and created["shortcut"] is None  # keys 1–9 are taken
    names = [window.tag_panel.tree.topLevelItem(i).text(0)
             for i in range(window.tag_panel.tree.topLevelItemCount())]
    assert "Scam compounds" in names
    window.tag_panel.tree.setCurrentItem(
        window.tag_panel.tree.topLevelItem(names.index("Scam compounds")))
    qtbot.mouseClick(window.tag_panel.buttons["rename"], Qt.MouseButton.LeftButton)
    assert tags.get_tag(window.db, created["id"])["name"] == "Scam centres"


def test_export_from_the_window_writes_the_passages(open_window, analysed_db_path, qtbot,
                                                    tmp_path):
    window = open_window(analysed_db_path)
    text = window.view.article_text()
    start = text.index("Peter Sykora")
    select_with_keys(qtbot, window.view, start, 12)
    qtbot.keyClick(window.view, Qt.Key.Key_6)
    target = tmp_path / "passages.csv"
    task = window.export_passages(target)
    with qtbot.waitSignal(task.succeeded, timeout=30000):   # its worker, on a busy machine
        pass
    with target.open(encoding="utf-8", newline="") as handle:
        [row] = list(csv.DictReader(handle))
    assert (row["tag"], row["text"], row["start"]) == ("Diplomacy", "Peter Sykora", str(start))
    assert row["article_title"].startswith("Cambodia asked Australia")


def test_keyboard_moves_between_articles(open_window, analysed_db_path, qtbot):
    window = open_window(analysed_db_path)
    window.article_list.setFocus()
    qtbot.keyClick(window.article_list, Qt.Key.Key_Down)
    assert window.current_id == 2
    window.view.setFocus()  # Alt+Down is a window shortcut, not the list's own key
    qtbot.keyClick(window.view, Qt.Key.Key_Down, Qt.KeyboardModifier.AltModifier)
    assert window.current_id == 3
    assert window.view.toPlainText().startswith("Minister of Interior Sar Sokha")


def test_legend_drops_labels_the_next_article_lacks(open_window, analysed_db_path, qtbot):
    window = open_window(analysed_db_path)
    assert window.legend.checkbox("MONEY") is not None      # seed 000 has money
    window.article_list.select_article(2)                    # seed 001 has none
    shown = [window.legend._layout.itemAt(i).widget()
             for i in range(window.legend._layout.count())]
    texts = [w.text() for w in shown if w is not None and w.isVisible()]
    assert "MONEY" not in texts and "Quotes" in texts
    money = [w for w in window.legend.findChildren(type(window.legend.checkbox("PERSON")))
             if w.text() == "MONEY"]
    assert all(not w.isVisible() for w in money)


def test_a_new_passage_repaints_its_bar_and_not_the_whole_reader(open_window, analysed_db_path,
                                                                 qtbot):
    from PySide6.QtCore import QEvent, QObject
    from PySide6.QtGui import QRegion

    window = open_window(analysed_db_path)
    view = window.view
    text = view.article_text()
    start = text.index("Peter Sykora")
    select_with_keys(qtbot, view, start, len("Peter Sykora"))

    class Painted(QObject):
        region = QRegion()

        def eventFilter(self, watched, event):
            if event.type() == QEvent.Type.Paint:
                Painted.region += event.region()
            return False

    painted = Painted()
    view.viewport().installEventFilter(painted)
    qtbot.keyClick(view, Qt.Key.Key_2)
    qtbot.waitUntil(lambda: not Painted.region.isEmpty())
    view.viewport().removeEventFilter(painted)
    [bar] = [rect for rect, _, pid in view.passage_bars()
             if pid == stored_passages(analysed_db_path)[0]["id"]]
    assert Painted.region.contains(bar)                    # the new bar is drawn …
    whole = view.viewport().rect()
    assert Painted.region.boundingRect().height() < whole.height() / 4   # … a strip only
    assert_bar_painted(view, palette.LIGHT.bar_color(window.state.tags[1]["color"]))


def test_a_new_passage_is_inserted_in_the_list_in_text_order(open_window, analysed_db_path,
                                                            qtbot):
    window = open_window(analysed_db_path)
    view, plist = window.view, window.passage_list
    text = view.article_text()
    for phrase, key in (("Peter Sykora", Qt.Key.Key_2), ("Neth Savoeun", Qt.Key.Key_1)):
        select_with_keys(qtbot, view, text.index(phrase), len(phrase))
        first = plist.topLevelItem(0)
        qtbot.keyClick(view, key)
    # Neth Savoeun comes first in the text: inserted above, the other row kept as it was
    assert [plist.topLevelItem(i).text(1) for i in range(2)] == ["Neth Savoeun", "Peter Sykora"]
    assert plist.topLevelItem(1) is first
    assert [p["text"] for p in stored_passages(analysed_db_path)] == ["Peter Sykora",
                                                                     "Neth Savoeun"]


RTL_TEXT = ("قالت الشرطة إن المشتبه بهم فروا من السوق بعد الحادث مساء الاثنين.\n\n"
            "The police said the suspects fled the market after the incident on Monday.")


def centre_of(view, offset: int) -> QPoint:
    """The viewport point in the middle of the character at ``offset``."""
    a, b = QTextCursor(view.document()), QTextCursor(view.document())
    a.setPosition(view._offsets.to_utf16(offset))
    b.setPosition(view._offsets.to_utf16(offset + 1))
    ra, rb = view.cursorRect(a), view.cursorRect(b)
    return QPoint((ra.center().x() + rb.center().x()) // 2, ra.center().y())


def _open_rtl_article(open_window, db_path):
    db = open_database(db_path)
    article_id, _ = articles.add_article(db, title="RTL", text=RTL_TEXT)
    db.close()
    window = open_window(db_path)
    window.article_list.select_article(article_id)
    return window, article_id


def test_the_character_under_the_pointer_in_right_to_left_text(open_window, seeded_db_path):
    window, _ = _open_rtl_article(open_window, seeded_db_path)
    view = window.view
    for word in ("المشتبه", "suspects"):
        start = RTL_TEXT.index(word)
        offsets = range(start, start + len(word))
        assert [view.offset_at(centre_of(view, i)) for i in offsets] == list(offsets), word


def test_a_right_click_on_the_last_letter_of_an_arabic_passage_offers_its_actions(
        open_window, seeded_db_path, qtbot):
    from PySide6.QtCore import QTimer
    from PySide6.QtGui import QContextMenuEvent
    from PySide6.QtWidgets import QApplication

    window, article_id = _open_rtl_article(open_window, seeded_db_path)
    view = window.view
    start = RTL_TEXT.index("المشتبه")
    end = start + len("المشتبه")
    view.select_range(start, end)
    qtbot.keyClick(view, Qt.Key.Key_1)
    assert len(passages.passages_for_article(window.db, article_id)) == 1
    view.select_range(0, 0)
    seen = []

    def look() -> None:
        menu = QApplication.activePopupWidget()
        seen.extend(action.text() for action in menu.actions())
        menu.close()
    QTimer.singleShot(200, look)
    # the event a right-click sends (QTest's click sends none offscreen)
    point = centre_of(view, end - 1)
    QApplication.sendEvent(view.viewport(), QContextMenuEvent(
        QContextMenuEvent.Reason.Mouse, point, view.viewport().mapToGlobal(point)))
    assert "Delete passage" in seen, seen
