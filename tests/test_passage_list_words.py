"""The Passages tab holds only as much of a long passage's words as its
column can show: the cell looks the same, and a wider column shows more."""

from __future__ import annotations

from PySide6.QtWidgets import QApplication

from tests.test_passage_list_columns import shown
from widgets.passage_list import shown_words

PARAGRAPH = " ".join(
    ["Officers from the regional cybercrime unit said the network moved the money "
     "through shell companies and exchanges before it reached accounts abroad."] * 20)


def passage(i: int, text: str = PARAGRAPH) -> dict:
    return {"id": i, "tag": "Money laundering", "color": "#2ecc71", "text": text,
            "note": "", "analyst": "a", "start": i * 10, "end": i * 10 + len(text)}


def test_shown_words_cuts_only_what_cannot_show():
    assert shown_words("short words", 300, 3) == "short words"
    cut = shown_words("x" * 1000, 300, 3)
    assert cut == "x" * 101 + "…"


def test_a_long_passage_is_cut_and_its_cell_looks_the_same(qtbot):
    view = shown(qtbot, [passage(1), passage(2, "A short passage.")])
    item = view.topLevelItem(0)
    words = item.text(view.PASSAGE_COLUMN)
    assert words.endswith("…") and len(words) < 200 < len(PARAGRAPH)
    assert view.topLevelItem(1).text(view.PASSAGE_COLUMN) == "A short passage."
    cut = view.viewport().grab().toImage()
    view.blockSignals(True)
    item.setText(view.PASSAGE_COLUMN, PARAGRAPH)     # as the list held it before
    view.blockSignals(False)
    QApplication.processEvents()
    assert view.viewport().grab().toImage() == cut
    assert PARAGRAPH[:400] in item.toolTip(view.PASSAGE_COLUMN)


def test_a_wider_column_shows_more_words(qtbot):
    view = shown(qtbot, [passage(1)])
    before = len(view.topLevelItem(0).text(view.PASSAGE_COLUMN))
    view.resize(1600, 300)
    QApplication.processEvents()
    assert view.header().sectionSize(view.PASSAGE_COLUMN) > view.MIN_WORDS_WIDTH
    after = view.topLevelItem(0).text(view.PASSAGE_COLUMN)
    narrowest = min(view.fontMetrics().horizontalAdvance(c) for c in "il.,:;'|!")
    assert len(after) > before
    assert len(after) > view.header().sectionSize(view.PASSAGE_COLUMN) // narrowest


def test_a_smaller_font_cuts_the_rows_anew(qtbot):
    """The list follows the reader's zoom: rows cut for a big font show as
    many words as the column holds once the font is small again."""
    view = shown(qtbot, [passage(1)])
    font = view.font()
    font.setPointSizeF(font.pointSizeF() * 3)
    view.setFont(font)
    QApplication.processEvents()
    big = len(view.topLevelItem(0).text(view.PASSAGE_COLUMN))
    font.setPointSizeF(font.pointSizeF() / 5)
    view.setFont(font)
    QApplication.processEvents()
    narrowest = min(view.fontMetrics().horizontalAdvance(c) for c in "il.,:;'|!")
    small = view.topLevelItem(0).text(view.PASSAGE_COLUMN)
    assert len(small) > big and len(small) > view._words_width // narrowest
