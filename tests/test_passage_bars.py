"""The reader's passage bars: measured once per passage while the layout
holds, and the same as measuring them all again."""

from __future__ import annotations

from PySide6.QtWidgets import QApplication

from widgets.article_view import ArticleView
from widgets.passage_bars import document_bars

TEXT = ("The National Police met the Australian Federal Police in Phnom Penh. " * 12
        + "\n\nA second paragraph about cybercrime and money laundering. " * 6)


def _passage(pid, start, end, color="#aa3355"):
    return {"id": pid, "start": start, "end": end, "color": color, "tag": "T"}


def _measured_afresh(view) -> list:
    return [(r.getRect(), c.rgba(), i) for r, c, i in document_bars(
        view.document(), view._offsets, view._shown_passages(), view.scheme())]


def _shown(view) -> list:
    return [(r.getRect(), c.rgba(), i) for r, c, i in view._document_bars()]


def test_bars_reused_across_a_tag_saved_equal_bars_measured_afresh(qtbot, monkeypatch):
    view = ArticleView()
    qtbot.addWidget(view)
    view.resize(500, 400)
    view.show()
    qtbot.waitExposed(view)
    first = [_passage(1, 4, 60), _passage(2, 30, 200, "#3355aa"), _passage(3, 500, 700)]
    view.set_article(TEXT, passages=first)
    QApplication.processEvents()
    assert _shown(view) == _measured_afresh(view)

    import widgets.passage_bars as bars_module
    measured = []
    real = bars_module._passage_bars
    monkeypatch.setattr(bars_module, "_passage_bars",
                        lambda d, o, p, *rest: measured.append(p["id"]) or real(d, o, p, *rest))
    # a new passage overlapping the first two: it and the ones whose level it
    # changes are measured; the third is reused
    view.set_passages(sorted(first + [_passage(4, 10, 40, "#33aa55")],
                             key=lambda p: p["start"]))         # in text order, as stored
    shown = _shown(view)
    assert sorted(measured) == [2, 4]     # 2 moved up a level; 1 and 3 are reused
    assert sorted(shown) == sorted(_measured_afresh(view))

    # a wider reader wraps lines anew: everything is measured again
    measured.clear()
    view.resize(700, 400)
    QApplication.processEvents()
    assert sorted(_shown(view)) == sorted(_measured_afresh(view))
    assert set(measured) == {1, 2, 3, 4}


def test_a_passage_saved_in_a_scrolled_reader_repaints_its_own_bars(qtbot):
    """Only the new passage's lines are repainted, where the scrolled reader
    shows them, and its bar is on screen there."""
    from PySide6.QtGui import QColor

    view = ArticleView()
    qtbot.addWidget(view)
    view.resize(500, 200)
    view.show()
    qtbot.waitExposed(view)
    kept = [_passage(1, 4, 60), _passage(3, 500, 700)]
    view.set_article(TEXT, passages=kept)
    view.select_range(900, 960)                       # scrolls down to it
    QApplication.processEvents()
    dy = view.verticalScrollBar().value()
    assert dy > 0
    viewport, updated = view.viewport(), []
    viewport.update = updated.append                  # what would be repainted
    try:
        view.set_passages(kept + [_passage(5, 900, 960, "#33aa55")])
    finally:
        del viewport.update
    new = [rect.translated(0, -dy) for rect, _c, i in view._document_bars() if i == 5]
    others = [rect.translated(0, -dy) for rect, _c, i in view._document_bars() if i != 5]
    assert new and all(any(region.contains(rect) for region in updated) for rect in new)
    assert not any(region.intersects(rect) for region in updated for rect in others)
    viewport.update()
    QApplication.processEvents()
    image = viewport.grab().toImage()
    ratio = image.devicePixelRatio()
    centre = new[0].center()
    assert image.pixelColor(int(centre.x() * ratio), int(centre.y() * ratio)) == QColor(
        view.scheme().bar_color("#33aa55"))


def test_a_passage_inside_a_long_paragraph_gets_one_bar_per_line_it_covers(qtbot):
    """Its bars start at its first line and end at its last, whatever the
    paragraph holds before and after it."""
    from PySide6.QtGui import QTextCursor

    view = ArticleView()
    qtbot.addWidget(view)
    view.resize(400, 700)
    view.show()
    qtbot.waitExposed(view)
    for start, end in ((300, 520), (0, 5), (812, 900)):     # mid-paragraph, first line, across
        view.set_article(TEXT, passages=[_passage(1, start, end)])
        QApplication.processEvents()
        cursor = QTextCursor(view.document())
        lines = set()
        for position in range(start, end):
            cursor.setPosition(position)
            if not TEXT[position].isspace() or position == start:
                lines.add(view.cursorRect(cursor).top())
        bars = view.passage_bars()
        assert len(bars) == len(lines) >= 1, (start, end)
        cursor.setPosition(start)
        assert abs(bars[0][0].left() - view.cursorRect(cursor).left()) <= 1


def _every_layout_keeps_its_glyphs(view) -> bool:
    block, kept = view.document().begin(), []
    while block.isValid():
        kept.append(block.layout().cacheEnabled())
        block = block.next()
    return len(kept) > 1 and all(kept)


def test_the_reader_keeps_each_paragraphs_shaped_glyphs_from_article_to_article(qtbot):
    """Qt shapes a paragraph's lines again at each paint and each measure
    of a bar unless its layout keeps them: a tag saved spent 0.2 ms there."""
    view = ArticleView()
    qtbot.addWidget(view)
    view.resize(500, 400)
    view.show()
    qtbot.waitExposed(view)
    view.set_article(TEXT, passages=[_passage(1, 4, 60)])
    QApplication.processEvents()
    assert _every_layout_keeps_its_glyphs(view)
    view.set_analysis([{"start": 4, "end": 19, "label": "ORG"}], [])   # formats again
    view.set_article(TEXT[::-1] + "\n\nand a third paragraph", passages=[])
    QApplication.processEvents()
    assert _every_layout_keeps_its_glyphs(view)
    assert _shown(view) == _measured_afresh(view)
