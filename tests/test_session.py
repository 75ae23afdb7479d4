"""Session restore: the window driven with mouse and keys, closed, and a new
window on the same database put back as it was — asserted on the values
stored in QSettings (the ``preferences`` fixture's own INI file)."""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QEvent, QPoint, QPointF, QSettings, Qt
from PySide6.QtGui import QGuiApplication, QMouseEvent
from PySide6.QtWidgets import QApplication, QMainWindow

from desktop.gui.session import database_group
from storage import journal, open_database


def drag(qtbot, widget, start: QPoint, end: QPoint) -> None:
    """Press, move with the button held, release (QTest moves without buttons)."""
    qtbot.mousePress(widget, Qt.MouseButton.LeftButton, pos=start)
    to = QPointF(end)
    QApplication.sendEvent(widget, QMouseEvent(
        QEvent.Type.MouseMove, to, widget.mapToGlobal(to), Qt.MouseButton.NoButton,
        Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier))
    qtbot.mouseRelease(widget, Qt.MouseButton.LeftButton, pos=end)


def click_row(qtbot, article_list, row: int) -> None:
    rect = article_list.visualRect(article_list.list_model.index(row))
    qtbot.mouseClick(article_list.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def click_tab(qtbot, tabs, index: int) -> None:
    bar = tabs.tabBar()
    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(index).center())


def reopen(window, open_window, db_path):
    window.close()
    window.db.close()
    return open_window(db_path)


def test_session_comes_back_as_it_was(open_window, analysed_db_path, preferences, qtbot):
    window = open_window(analysed_db_path)
    # the third article, with the article list hidden (F9)
    click_row(qtbot, window.article_list, 2)
    assert window.current_id == 3
    qtbot.keyClick(window, Qt.Key.Key_F9)
    assert window.left_tabs.isHidden()
    # as small as the window goes: the offscreen screen is 800 px wide and
    # Qt keeps a restored window on it, so a wider one would come back narrower
    qtbot.wait(50)    # the layout's minimum size for this article and panels
    window.resize(100, 620)
    qtbot.waitUntil(lambda: window.height() == 620)
    size = window.size()
    # a taller codebook: drag the handle between it and the side tabs
    handle = window.side_splitter.handle(1)
    top = window.side_splitter.sizes()[0]
    middle = handle.rect().center()
    drag(qtbot, handle, middle, middle + QPoint(0, 70))
    side_sizes = window.side_splitter.sizes()
    assert side_sizes[0] == top + 70
    # the Quotes tab, and quotes not highlighted
    click_tab(qtbot, window.side_tabs, 2)
    qtbot.mouseClick(window.legend.checkbox("QUOTES"), Qt.MouseButton.LeftButton)
    assert window.legend.hidden() == {"QUOTES"}
    # scrolled down with the keyboard, to the middle of the text
    window.view.setFocus()
    qtbot.keyClick(window.view, Qt.Key.Key_PageDown)
    scrolled = window.view.verticalScrollBar().value()
    assert 0 < scrolled < window.view.verticalScrollBar().maximum()
    position = window.view.top_position()
    window.close()

    settings = preferences.settings
    group = database_group(analysed_db_path)
    assert int(settings.value(f"{group}/article")) == 3
    assert int(settings.value(f"{group}/offset")) == position[0] > 0
    assert [int(s) for s in settings.value("splitters/side_splitter")] == side_sizes
    assert len(settings.value("splitters/main_splitter")) == 3
    assert settings.value("panels/articles") in (False, "false")
    assert settings.value("panels/side") in (True, "true")
    assert int(settings.value("tabs/side_tabs")) == 2
    assert settings.value("view/hidden_highlights") in (["QUOTES"], "QUOTES")
    assert QByteArray(settings.value("window/geometry")).size() > 0

    again = reopen(window, open_window, analysed_db_path)
    assert again.current_id == 3
    assert again.left_tabs.isHidden()
    assert not again.view_menu.panel_actions["articles"].isChecked()
    assert again.side_tabs.currentIndex() == 2
    assert again.legend.hidden() == {"QUOTES"}
    assert not again.legend.checkbox("QUOTES").isChecked()
    assert again.size() == size
    qtbot.waitUntil(lambda: again.side_splitter.sizes() == side_sizes, timeout=3000)
    qtbot.waitUntil(lambda: again.view.verticalScrollBar().value() == scrolled, timeout=3000)
    assert again.view.top_position() == position
    # the panel comes back with its key
    qtbot.keyClick(again, Qt.Key.Key_F9)
    assert not again.left_tabs.isHidden()


def test_reading_position_survives_another_width(open_window, analysed_db_path,
                                                 preferences, qtbot):
    """Saved as an offset, not pixels: at another width (other line breaks)
    the line being read is still the one at the top."""
    window = open_window(analysed_db_path)
    window.resize(1900, 700)
    qtbot.waitUntil(lambda: window.width() == 1900)
    window.view.setFocus()
    qtbot.keyClick(window.view, Qt.Key.Key_PageDown)
    offset, pixels = window.view.top_position()
    assert offset > 0
    width = window.view.viewport().width()
    window.close()
    window.db.close()
    preferences.settings.remove("window/geometry")     # the next window is narrower
    again = open_window(analysed_db_path)
    assert again.view.viewport().width() < width - 100
    qtbot.waitUntil(lambda: again.view.verticalScrollBar().value() > 0, timeout=3000)
    qtbot.wait(400)    # the second, settling restore
    line = again.view.cursorRect(again.view._cursor_for(offset, offset))
    # at the top, or as far below it as the view's top was above the line
    # (in the space between two paragraphs)
    assert 0 <= line.top() + 2 and line.top() <= max(0, -pixels) + 2


def test_hidden_article_list_and_its_shortcut(open_window, analysed_db_path, preferences,
                                              qtbot):
    window = open_window(analysed_db_path)
    qtbot.keyClick(window, Qt.Key.Key_F9)
    assert window.left_tabs.isHidden()
    again = reopen(window, open_window, analysed_db_path)
    assert again.left_tabs.isHidden()
    # Ctrl+L goes to the list, so it shows it again
    qtbot.keyClick(again, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert not again.left_tabs.isHidden()
    assert again.view_menu.panel_actions["articles"].isChecked()
    # saved while hidden (its width 0), it comes back as wide as on a first start
    assert again.splitter.sizes()[0] == 300


def test_side_panels_hidden_at_quit_come_back_with_room(open_window, analysed_db_path,
                                                        preferences, qtbot):
    window = open_window(analysed_db_path)
    qtbot.keyClick(window, Qt.Key.Key_F9, Qt.KeyboardModifier.ShiftModifier)
    assert window.side_splitter.isHidden()
    again = reopen(window, open_window, analysed_db_path)
    assert again.side_splitter.isHidden() and again.splitter.sizes()[2] == 0
    qtbot.keyClick(again, Qt.Key.Key_F9, Qt.KeyboardModifier.ShiftModifier)
    qtbot.waitUntil(lambda: again.tag_panel.isVisible())
    assert again.splitter.sizes()[2] == 400 and again.tag_panel.width() > 300


def test_last_article_is_per_database(open_window, analysed_db_path, tmp_path, preferences,
                                      qtbot):
    window = open_window(analysed_db_path)
    click_row(qtbot, window.article_list, 3)
    assert window.current_id == 4
    window.close()
    window.db.close()
    other_path = tmp_path / "other" / "dossier.db"
    other_path.parent.mkdir()
    other_path.write_bytes(analysed_db_path.read_bytes())
    other = open_window(other_path)
    assert other.current_id == 1          # nothing remembered for this file
    again = open_window(analysed_db_path)
    assert again.current_id == 4


def test_deleted_last_article_falls_back_to_the_first(open_window, analysed_db_path,
                                                      preferences, qtbot):
    window = open_window(analysed_db_path)
    click_row(qtbot, window.article_list, 4)
    assert window.current_id == 5
    window.close()
    window.db.close()
    db = open_database(analysed_db_path)
    with journal.step(db, "Delete article"):
        db.execute("DELETE FROM articles WHERE id = 5")
    db.close()
    again = open_window(analysed_db_path)
    assert again.current_id == 1
    assert again.view.toPlainText().startswith("Cambodia asked Australia")


def test_damaged_settings_are_ignored(open_window, analysed_db_path, preferences, qtbot):
    settings = preferences.settings
    group = database_group(analysed_db_path)
    for key, value in (("window/geometry", "not a geometry"),
                       ("window/state", QByteArray(b"\x00garbage")),
                       ("splitters/main_splitter", ["a", "b"]),
                       ("splitters/side_splitter", [10]),
                       ("tabs/side_tabs", 99), ("tabs/left_tabs", "x"),
                       ("panels/articles", "perhaps"), ("view/zoom", "huge"),
                       ("view/hidden_highlights", 7), ("view/theme", "purple"),
                       (f"{group}/article", "three"), (f"{group}/offset", -5)):
        settings.setValue(key, value)
    settings.sync()
    window = open_window(analysed_db_path)
    assert window.current_id == 1
    assert not window.left_tabs.isHidden()
    assert window.side_tabs.currentIndex() == 0
    assert window.view.zoom() == 100
    assert window.legend.hidden() == set()
    assert window.themes.choice == "system"
    assert min(window.splitter.sizes()) > 0


def test_corrupt_settings_file_is_ignored(open_window, analysed_db_path, tmp_path, qtbot):
    from desktop.gui.preferences import Preferences

    path = tmp_path / "broken.ini"
    path.write_bytes(b"[window]\ngeometry=@ByteArray(\xff\xfe\x00\x01)\n[\x00\x01\n"
                     b"splitters\\main_splitter=1, 2, 3, 4, 5\n")
    from desktop.gui.app import prepare_window

    window = prepare_window(analysed_db_path, analyse=False,
                            preferences=Preferences(QSettings(str(path),
                                                              QSettings.Format.IniFormat)))
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    assert window.current_id == 1
    window.close()
    window.db.close()


def test_geometry_off_every_screen_comes_back_on_screen(open_window, analysed_db_path,
                                                        preferences, qtbot):
    # a geometry saved on a monitor that is no longer there
    probe = QMainWindow()
    probe.resize(700, 500)
    probe.move(6000, 4000)
    preferences.settings.setValue("window/geometry", probe.saveGeometry())
    probe.deleteLater()
    window = open_window(analysed_db_path)
    frame = window.frameGeometry()
    screen = QGuiApplication.primaryScreen().availableGeometry()
    # the title bar is on the screen (the window may be wider than the
    # 800 px offscreen screen: its minimum width is more)
    assert screen.contains(frame.topLeft() + QPoint(40, 10))
    assert window.height() == 500      # the saved size, not the default 860


def test_a_first_start_fits_a_laptop_screen(seeded_db_path, preferences, qtbot, monkeypatch):
    """On a 1366×768 laptop (its free area 1366×728) the first window is
    sized and centred within it, before it is shown — 1400×860 put the
    status bar (analysis progress, Pause, Cancel) off the screen."""
    from PySide6.QtCore import QRect

    from desktop.gui import session
    from desktop.gui.app import application, prepare_window

    class Laptop:
        @staticmethod
        def availableGeometry():
            return QRect(0, 0, 1366, 728)

    class Screens:
        @staticmethod
        def primaryScreen():
            return Laptop()

        screenAt = session.QGuiApplication.screenAt

    application()
    monkeypatch.setattr(session, "QGuiApplication", Screens)
    window = prepare_window(seeded_db_path, preferences=preferences)
    qtbot.addWidget(window)
    try:
        assert window.width() <= 1366 - 16 and window.height() <= 728 - 48
        assert window.width() > 1300                 # no smaller than it needs to be
        frame = window.frameGeometry()
        assert QRect(0, 0, 1366, 728).contains(frame.center())
    finally:
        window.close()
        window.db.close()


def test_a_first_start_gives_the_list_and_the_panels_room_and_fits_a_small_screen(
        open_window, seeded_db_path, qtbot):
    window = open_window(seeded_db_path)
    qtbot.keyClick(window.article_list, Qt.Key.Key_Down)   # seed 001: similar articles shown
    assert window.similar_bar.isVisible()
    # every panel's minimum together still fits a 1024-pixel-wide screen
    assert window.minimumSizeHint().width() <= 1024
    window.resize(1500, 900)
    window.session.restore_splitters()          # no saved sizes: the first-start widths
    left, centre, right = window.splitter.sizes()
    assert (left, right) == (300, 400) and centre > 700


def test_the_workspace_comes_back_open_where_it_was_left(open_window, seeded_db_path,
                                                         qtbot):
    """Open at close, the Passages workspace is open again with the window
    (it was made after the window's state was put back, and stayed hidden)."""
    from storage import open_database, passages, tags

    db = open_database(seeded_db_path)
    passages.add_passage(db, article_id=2, tag_id=tags.list_tags(db)[0]["id"], start=0,
                         end=12, analyst="ana")
    db.close()
    window = open_window(seeded_db_path)
    qtbot.keyClick(window, Qt.Key.Key_W, Qt.KeyboardModifier.ControlModifier
                   | Qt.KeyboardModifier.ShiftModifier)
    qtbot.waitUntil(window.workspace.is_shown, timeout=3000)
    again = reopen(window, open_window, seeded_db_path)
    qtbot.waitUntil(again.workspace.is_shown, timeout=3000)
    assert again.dockWidgetArea(again.workspace.dock) == Qt.DockWidgetArea.BottomDockWidgetArea
    # and read: its list shows the corpus's passage
    qtbot.waitUntil(lambda: again.workspace.widget.count_label.text().startswith(
        "1 passage"), timeout=3000)
    # floating, it comes back floating, and read too
    again.workspace.dock.setFloating(True)
    floating = reopen(again, open_window, seeded_db_path)
    qtbot.waitUntil(floating.workspace.is_shown, timeout=3000)
    assert floating.workspace.dock.isFloating()
    qtbot.waitUntil(lambda: floating.workspace.widget.count_label.text().startswith(
        "1 passage"), timeout=3000)
    again = floating
    # closed at quit, it stays closed
    again.workspace.dock.hide()
    third = reopen(again, open_window, seeded_db_path)
    qtbot.wait(50)
    assert not third.workspace.is_shown()
