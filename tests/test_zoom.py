"""Text zoom: Ctrl++ / Ctrl+= / Ctrl+− / Ctrl+0 on the window and Ctrl+wheel
on the reader; bounded, stored in the settings, and passage bars stay under
their words."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QApplication

from test_main_window import assert_bar_painted, select_with_keys
from widgets.article_view import ZOOM_MAX, ZOOM_MIN

CTRL = Qt.KeyboardModifier.ControlModifier


def stored_zoom(preferences) -> int:
    return int(preferences.settings.value("view/zoom"))


def test_zoom_keys_change_the_reader_and_are_stored(open_window, analysed_db_path,
                                                     preferences, qtbot):
    window = open_window(analysed_db_path)
    view = window.view
    size = view.text_point_size()
    quotes_size = window.quote_panel.font().pointSizeF()

    assert window.view_menu.zoom_button.isHidden()            # 100 %: nothing to say
    qtbot.keyClick(window, Qt.Key.Key_Plus, CTRL)
    assert view.zoom() == 110 == stored_zoom(preferences)
    assert view.text_point_size() == size * 1.1
    assert not window.view_menu.zoom_button.isHidden()
    assert window.view_menu.zoom_button.text() == "Zoom 110 %"
    assert window.quote_panel.font().pointSizeF() == quotes_size * 1.1
    qtbot.keyClick(window, Qt.Key.Key_Equal, CTRL)     # Ctrl+= without Shift
    assert view.zoom() == 125 == stored_zoom(preferences)
    qtbot.keyClick(window, Qt.Key.Key_Minus, CTRL)
    assert view.zoom() == 110 == stored_zoom(preferences)
    qtbot.mouseClick(window.view_menu.zoom_button, Qt.MouseButton.LeftButton)
    assert view.zoom() == 100 and window.view_menu.zoom_button.isHidden()
    qtbot.keyClick(window, Qt.Key.Key_Plus, CTRL)
    qtbot.keyClick(window, Qt.Key.Key_0, CTRL)
    assert view.zoom() == 100 == stored_zoom(preferences)
    assert view.text_point_size() == size
    assert window.quote_panel.font().pointSizeF() == quotes_size

    for _ in range(20):
        qtbot.keyClick(window, Qt.Key.Key_Plus, CTRL)
    assert view.zoom() == ZOOM_MAX == stored_zoom(preferences) == 300
    assert view.text_point_size() == size * 3
    for _ in range(30):
        qtbot.keyClick(window, Qt.Key.Key_Minus, CTRL)
    assert view.zoom() == ZOOM_MIN == stored_zoom(preferences) == 60

    # kept for the next window
    qtbot.keyClick(window, Qt.Key.Key_Plus, CTRL)
    window.close()
    window.db.close()
    again = open_window(analysed_db_path)
    assert again.view.zoom() == 67
    assert abs(again.view.text_point_size() - size * 0.67) < 1e-6


def test_ctrl_wheel_zooms_the_reader(open_window, analysed_db_path, preferences, qtbot):
    window = open_window(analysed_db_path)
    view = window.view

    def wheel(delta: int, modifiers=CTRL) -> None:
        where = QPointF(view.viewport().rect().center())
        QApplication.sendEvent(view.viewport(), QWheelEvent(
            where, QPointF(view.viewport().mapToGlobal(where)), QPoint(0, 0),
            QPoint(0, delta), Qt.MouseButton.NoButton, modifiers,
            Qt.ScrollPhase.NoScrollPhase, False))

    wheel(120)
    assert view.zoom() == 110 == stored_zoom(preferences)
    wheel(120)
    wheel(-120)
    assert view.zoom() == 110
    for _ in range(40):
        wheel(-120)
    assert view.zoom() == ZOOM_MIN
    # a plain wheel scrolls and does not zoom
    view.set_zoom(200)
    wheel(-120, Qt.KeyboardModifier.NoModifier)
    assert view.zoom() == 200
    assert view.verticalScrollBar().value() > 0


def test_passage_bar_stays_under_its_words_when_zoomed(open_window, analysed_db_path,
                                                       qtbot):
    window = open_window(analysed_db_path)
    view = window.view
    text = view.article_text()
    start = text.index("Neth Savoeun")
    select_with_keys(qtbot, view, start, len("Neth Savoeun"))
    qtbot.keyClick(view, Qt.Key.Key_1)
    color = window.state.tags[0]["color"]

    for key in (Qt.Key.Key_Plus, Qt.Key.Key_Plus, Qt.Key.Key_Plus, Qt.Key.Key_Minus):
        qtbot.keyClick(window, key, CTRL)
        view.select_range(start, start + 12)
        bars = [rect for rect, _, _ in view.passage_bars()]
        first = view.cursorRect(view._cursor_for(start, start))
        last = view.cursorRect(view._cursor_for(start + 12, start + 12))
        # from the first letter to the last (on one line or wrapped over
        # two), each bar just under its line of text
        assert abs(bars[0].left() - first.left()) <= 2
        assert first.bottom() <= bars[0].top() <= first.bottom() + 6
        assert abs(bars[-1].right() - last.left()) <= 2
        assert last.bottom() <= bars[-1].top() <= last.bottom() + 6
        assert_bar_painted(view, color)
    assert view.zoom() == 125


def test_shortcuts_sheet_lists_the_view_keys(open_window, analysed_db_path, qtbot):
    window = open_window(analysed_db_path)
    qtbot.keyClick(window, Qt.Key.Key_F1)
    rows = window.shortcuts_sheet.rows()
    for what, keys in (("Zoom in", "Ctrl++, Ctrl+="), ("Zoom out", "Ctrl+-"),
                       ("Actual size", "Ctrl+0"), ("Article list", "F9"),
                       ("Codebook and side panels", "Shift+F9")):
        assert ("View", what, keys) in rows
    window.shortcuts_sheet.close()
