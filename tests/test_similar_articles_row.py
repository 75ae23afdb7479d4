"""The "Similar articles" row above the reader (the widget): one button per linked
article, the rest under "more", replaced whole when another article opens."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QToolButton

from widgets.similar_articles import MAX_BUTTONS, SimilarArticles


def _articles(ids, title="Cambodia and Australia strengthen police cooperation"):
    return [{"id": i, "title": f"{title} {i}", "source": "Khmer Times",
             "published": "2024-03-09", "score": 0.9} for i in ids]


def _buttons_in_row(row: SimilarArticles) -> list[QToolButton]:
    layout = row.layout()
    found = [layout.itemAt(i).widget() for i in range(layout.count())]
    return [w for w in found if isinstance(w, QToolButton)]


def test_the_row_holds_only_the_new_articles_buttons_at_once(qtbot):
    """Another article's similar articles replace the buttons in the row
    before the event loop runs again: the old ones were only deleted later
    and, in between, both sets stood side by side, squeezing the row's
    label to "Similar" and every title to two letters on a 1366-pixel
    screen."""
    row = SimilarArticles()
    qtbot.addWidget(row)
    row.resize(900, 40)
    row.show()
    row.set_articles(_articles([2, 3, 4, 5, 6]))
    assert len(_buttons_in_row(row)) == MAX_BUTTONS + 1      # and "2 more"
    old = list(row.buttons)
    row.set_articles(_articles([7, 8]))
    in_row = _buttons_in_row(row)
    assert in_row == row.buttons and len(in_row) == 2
    assert not any(button.isVisible() for button in old)
    with qtbot.waitSignal(row.articleActivated) as clicked:
        qtbot.mouseClick(in_row[1], Qt.MouseButton.LeftButton)
    assert clicked.args == [8]


def test_no_similar_articles_hides_the_row(qtbot):
    row = SimilarArticles()
    qtbot.addWidget(row)
    row.show()
    row.set_articles(_articles([2]))
    assert row.isVisible()
    row.set_articles([])
    assert not row.isVisible() and _buttons_in_row(row) == []
