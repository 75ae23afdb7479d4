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


def test_the_passages_rows_keep_their_measures_and_measure_again_in_a_new_font(qtbot):
    """The Passages list keeps each cell's measured size (its first row is
    measured at each tag saved): its rows are as tall, and a column fitted
    to its contents as wide, as roomy rows measured anew; a larger font
    (the reader's zoom followed) makes taller rows."""
    listed = PassageList()
    qtbot.addWidget(listed)
    rows = [{"id": i, "tag": "Cybercrime", "color": "#2ecc71", "text": f"passage {i} words",
             "note": "a longer note " * i, "analyst": "ana", "start": i, "end": i + 5}
            for i in (1, 2)]
    listed.resize(500, 300)
    listed.show()

    def measures():
        listed.set_passages(rows, [])
        listed.doItemsLayout()
        QApplication.processEvents()
        return (listed.visualItemRect(listed.topLevelItem(0)).height(),
                [listed.sizeHintForColumn(c) for c in range(3)])

    kept = listed.itemDelegate()
    first = measures()
    assert measures() == first                   # measured, then kept
    listed.setItemDelegate(row_style.RoomyRows(listed))
    assert measures() == first                   # as measured anew
    listed.setItemDelegate(kept)
    font = listed.font()
    font.setPointSizeF(font.pointSizeF() * 2)
    listed.setFont(font)
    rows.append(dict(rows[0], id=3, start=50, end=55))
    taller = measures()
    assert taller[0] > first[0] and taller[1][0] > first[1][0]
