"""A read-only text view with text zoom and a reading position, the base of
the article reader (:class:`widgets.article_view.ArticleView`).

Zoom (Ctrl+wheel, :meth:`ReadingTextEdit.zoom_step`) changes the document's
font, never the widget's; the reading position is a code-point offset and a
pixel offset, so it survives a zoom, a resize or a restart.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QPoint, Qt, Signal
from PySide6.QtGui import QFont, QTextCursor
from PySide6.QtWidgets import QTextEdit

from widgets.text_offsets import OffsetMap

#: Text zoom steps in percent; :meth:`ReadingTextEdit.zoom_step` moves along them.
ZOOM_STEPS = (60, 67, 75, 80, 90, 100, 110, 125, 150, 175, 200, 250, 300)
ZOOM_MIN, ZOOM_MAX = ZOOM_STEPS[0], ZOOM_STEPS[-1]


class ReadingTextEdit(QTextEdit):
    """A QTextEdit with bounded text zoom and a reading position; subclasses
    set ``_text`` and ``_offsets`` (an :class:`OffsetMap` of it)."""

    #: the text zoom changed (percent), by Ctrl+wheel or :meth:`set_zoom`
    zoomChanged = Signal(int)

    def __init__(self, parent=None):
        super().__init__(parent)
        self._zoom = 100
        self._text = ""
        self._offsets = OffsetMap("")

    # -- zoom ----------------------------------------------------------
    def zoom(self) -> int:
        """The text zoom in percent (100: the default size)."""
        return self._zoom

    def set_zoom(self, percent: int) -> int:
        """Zoom the text to ``percent`` (clamped to ZOOM_MIN–ZOOM_MAX), keeping
        the line at the top of the view there; returns the zoom set."""
        percent = max(ZOOM_MIN, min(ZOOM_MAX, int(percent)))
        if percent == self._zoom:
            return percent
        top = self.top_position()
        self._zoom = percent
        self._apply_zoom()
        if top[0]:
            self.scroll_to_position(*top)
        self.zoomChanged.emit(percent)
        return percent

    def text_point_size(self) -> float:
        """The point size the text is shown in (the widget's font, zoomed)."""
        return self.document().defaultFont().pointSizeF()

    def _apply_zoom(self) -> None:
        """Zoom the document's font, not the widget's: a style sheet puts back
        a widget font it saved whenever it restyles (a theme change)."""
        font = QFont(self.font())
        font.setPointSizeF(self.font().pointSizeF() * self._zoom / 100)
        self.document().setDefaultFont(font)

    def changeEvent(self, event) -> None:
        super().changeEvent(event)   # QTextEdit gives the document the widget's font
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.ApplicationFontChange):
            self._apply_zoom()

    def zoom_step(self, step: int) -> int:
        """One step (``step`` 1 or -1) along ZOOM_STEPS from the current zoom."""
        if step > 0:
            target = next((z for z in ZOOM_STEPS if z > self._zoom), ZOOM_MAX)
        else:
            target = next((z for z in reversed(ZOOM_STEPS) if z < self._zoom), ZOOM_MIN)
        return self.set_zoom(target)

    def wheelEvent(self, event) -> None:
        """Ctrl+wheel zooms along ZOOM_STEPS (Qt's own zoom is unbounded)."""
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            delta = event.angleDelta().y()
            if delta:
                self.zoom_step(1 if delta > 0 else -1)
            event.accept()
            return
        super().wheelEvent(event)

    # -- reading position ----------------------------------------------
    def top_position(self) -> tuple[int, int]:
        """Where the reader is: ``(offset, pixels)`` — the code-point offset of
        the first character of the top visible line, and how many pixels of
        that line are scrolled out above the view (negative: the view's top is
        that many pixels above the line, in the space between paragraphs)."""
        if not self._text:
            return 0, 0
        cursor = self.cursorForPosition(QPoint(0, 0))
        cursor.movePosition(QTextCursor.MoveOperation.StartOfLine)
        rect = self.cursorRect(cursor)
        return self._offsets.from_utf16(cursor.position()), -rect.top()

    def scroll_to_position(self, offset: int, pixels: int = 0) -> None:
        """Scroll so that the line holding ``offset`` is at the top of the view
        (``pixels`` further down), as :meth:`top_position` reported it."""
        offset = max(0, min(int(offset), len(self._text)))
        cursor = QTextCursor(self.document())
        cursor.setPosition(self._offsets.to_utf16(offset))
        cursor.movePosition(QTextCursor.MoveOperation.StartOfLine)
        bar = self.verticalScrollBar()
        bar.setValue(bar.value() + self.cursorRect(cursor).top() + int(pixels))
