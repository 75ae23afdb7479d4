"""The article memo: a plain-text note on the whole article, saved as you type.

Typing restarts a short timer; when it runs out (or :meth:`MemoEditor.flush`
is called — when the editor loses the focus, before another article is
shown, before the window closes) ``memoEdited(article_id, text)`` is
emitted once. The widget stores nothing.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QTimer, Signal
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QPlainTextEdit

#: Milliseconds of quiet typing before the memo is saved.
SAVE_DELAY_MS = 500


class MemoEditor(QPlainTextEdit):
    """Edits one article's memo; emits ``memoEdited`` debounced."""

    memoEdited = Signal(int, str)

    def __init__(self, parent=None):
        super().__init__(parent)
        # Tab moves on, as everywhere in the window: typed into a memo saved
        # as you type, tab characters were stored unseen, and the focus trapped
        self.setTabChangesFocus(True)
        self.setPlaceholderText("Memo on this article: what it tells you, what to check, "
                                "how it fits — saved as you type.")
        self.article_id: int | None = None
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(SAVE_DELAY_MS)
        self.timer.timeout.connect(self.flush)
        self.textChanged.connect(self._typed)
        self._loading = False
        self._dirty = False
        self._refused = False

    def set_memo(self, article_id: int | None, text: str, *, unsaved: bool = False) -> None:
        """Show another article's memo (saving any pending edit first).
        ``unsaved``: ``text`` was typed but its saving failed; it waits to be
        saved again (the next :meth:`flush` emits it)."""
        self.flush()
        self._loading = True
        self.article_id = article_id
        self.setPlainText(text)
        self._loading = False
        self._dirty = unsaved and article_id is not None
        self._refused = False
        self.setEnabled(article_id is not None)

    def keep_unsaved(self, article_id: int) -> None:
        """Saving ``article_id``'s memo failed: while it is shown, it waits
        to be saved again (more typing, another article or closing retries
        it) instead of passing for saved."""
        if article_id == self.article_id:
            self._dirty = True
            # not retried at each focus change (an error box every time the
            # analyst clicks elsewhere while the disk stays full): typing,
            # another article or closing tries again
            self._refused = True

    def show_stored(self, article_id: int, text: str) -> None:
        """The memo as stored now (after an undo or redo, a change made
        elsewhere, a save merged with one): shown unless newer typing is
        waiting to be saved, which is never dropped. The cursor and the
        scroll position stay on their words (the analyst may be writing)."""
        if self._dirty or article_id != self.article_id or text == self.toPlainText():
            return
        position = _same_place(self.toPlainText(), text, self.textCursor().position())
        scroll = self.verticalScrollBar().value()
        self._loading = True
        self.setPlainText(text)
        self._loading = False
        cursor = self.textCursor()
        cursor.setPosition(position)
        self.setTextCursor(cursor)
        self.verticalScrollBar().setValue(scroll)

    def forget_pending(self) -> None:
        """The analyst gave up the typed text that could not be saved: it is
        no longer waiting (the text stays on screen until another article)."""
        self.timer.stop()
        self._dirty = self._refused = False

    def event(self, event) -> bool:
        """Undo / Redo keys with nothing to undo or redo in the memo's own
        typing are left to the window (its Edit → Undo): in a memo just
        opened, Ctrl+Z did nothing and said nothing."""
        if event.type() == QEvent.Type.ShortcutOverride:
            document = self.document()
            if ((event.matches(QKeySequence.StandardKey.Undo)
                 and not document.isUndoAvailable())
                    or (event.matches(QKeySequence.StandardKey.Redo)
                        and not document.isRedoAvailable())):
                event.ignore()
                return False
        return super().event(event)

    def focusOutEvent(self, event) -> None:
        """Leaving the memo saves it (an undo from elsewhere then finds it stored)."""
        if not self._refused:
            self.flush()
        super().focusOutEvent(event)

    def pending(self) -> bool:
        """Whether typed text is waiting to be saved."""
        return self._dirty

    def _typed(self) -> None:
        if not self._loading and self.article_id is not None:
            self._dirty, self._refused = True, False
            self.timer.start()

    def flush(self) -> None:
        """Emit the memo now if an edit is waiting."""
        self.timer.stop()
        if self._dirty:
            self._dirty = False
            self.memoEdited.emit(self.article_id, self.toPlainText())


def _same_place(old: str, new: str, position: int) -> int:
    """Where ``position`` in ``old`` is in ``new``: as far from the start
    when the change lies after it, as far from the end when it lies before
    (a change around it: its start). Positions count UTF-16 units, as Qt's
    cursor does, hence the texts compared encoded."""
    old16 = memoryview(old.encode("utf-16-le")).cast("H")
    new16 = memoryview(new.encode("utf-16-le")).cast("H")
    same_start = 0
    while (same_start < min(len(old16), len(new16))
           and old16[same_start] == new16[same_start]):
        same_start += 1
    if position <= same_start:
        return position
    return max(same_start, len(new16) - (len(old16) - position))
