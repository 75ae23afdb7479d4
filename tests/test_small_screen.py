"""At 1280×720 with fonts at 150 %, the window fits (nothing holds it wider or
taller), the reader shows more than five lines, and the Passages workspace
can be shown beside it and still fits."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QApplication


@pytest.fixture
def large_font(qapp):
    font = qapp.font()
    bigger = type(font)(font)
    bigger.setPointSizeF(font.pointSizeF() * 1.5)
    qapp.setFont(bigger)
    yield
    qapp.setFont(font)


def test_fits_1280_by_720_at_150_percent(large_font, open_window, seeded_db_path, qtbot):
    window = open_window(seeded_db_path)
    assert window.minimumSizeHint().width() <= 1280
    assert window.minimumSizeHint().height() <= 720
    window.resize(1280, 720)
    qtbot.waitUntil(lambda: (window.width(), window.height()) == (1280, 720), timeout=3000)
    line = window.view.fontMetrics().lineSpacing()
    assert window.view.viewport().height() > 5 * line
    window.workspace.show()
    QApplication.processEvents()
    assert (window.width(), window.height()) == (1280, 720)
    assert window.workspace.widget.table.isVisible()
    assert window.view.viewport().height() > 2 * line
