"""Dossier's touches on the platform style, made in code (no application
style sheet, which slowed every widget's painting)."""

from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QApplication, QTreeWidget, QTreeWidgetItem

from desktop.gui.app import application
from widgets import row_style
from widgets.article_view import ArticleView
from widgets.passage_list import PassageList


def _row_height(tree: QTreeWidget) -> int:
    tree.addTopLevelItem(QTreeWidgetItem(["Cybercrime", "a passage"]))
    tree.show()
    QApplication.processEvents()
    return tree.visualItemRect(tree.topLevelItem(0)).height()


def test_the_application_has_no_style_sheet(qtbot):
    assert application().styleSheet() == ""


def test_roomy_rows_are_two_pixels_taller_above_and_below(qtbot):
    plain, roomy = QTreeWidget(), row_style.roomy(QTreeWidget())
    qtbot.addWidget(plain)
    qtbot.addWidget(roomy)
    assert _row_height(roomy) == _row_height(plain) + 2 * row_style.ROW_PADDING
    listed = PassageList()
    qtbot.addWidget(listed)
    assert isinstance(listed.itemDelegate(), row_style.RoomyRows)


def test_the_reader_selects_in_its_own_colours_and_follows_the_theme_otherwise(qtbot):
    view = ArticleView()
    qtbot.addWidget(view)
    app = QApplication.instance()
    before = QPalette(app.palette())
    try:
        dark = QPalette(before)
        dark.setColor(QPalette.ColorRole.Base, "#1e1f22")
        app.setPalette(dark)
        QApplication.processEvents()
        colours = view.palette()
        assert colours.color(QPalette.ColorRole.Highlight).name() == row_style.SELECTION_BACKGROUND
        assert colours.color(QPalette.ColorRole.HighlightedText).name() == row_style.SELECTION_TEXT
        assert colours.color(QPalette.ColorRole.Base).name() == "#1e1f22"
    finally:
        app.setPalette(before)
