"""The "Similar articles" row above the text: one button per article linked
as a near-duplicate (the rest under a "more" menu), emitting its id when
clicked. Hidden when there are none."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QMenu, QSizePolicy, QToolButton, QWidget

from widgets.plain_text import plain_tooltip
from widgets.row_style import muted

#: How much of a title a button shows, and how many buttons before "more".
TITLE_CHARS = 40
MAX_BUTTONS = 3


def _button_text(title: str) -> str:
    short = title if len(title) <= TITLE_CHARS else title[:TITLE_CHARS - 1].rstrip() + "…"
    return short.replace("&", "&&")  # a literal ampersand, not a mnemonic


#: The narrowest a title button gets (the title is cut with "…" to fit).
MIN_BUTTON_WIDTH = 48


class _TitleButton(QToolButton):
    """A button showing as much of a title as fits: it shrinks with the
    reader instead of holding the window wide."""

    def __init__(self, title: str, parent=None):
        super().__init__(parent)
        self._title = title
        self.setText(_button_text(title))
        self._full_size = super().sizeHint()     # what the whole (short) title needs
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self.setMinimumWidth(MIN_BUTTON_WIDTH)

    def sizeHint(self) -> QSize:
        return self._full_size

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        room = max(0, event.size().width() - 12)
        short = self.fontMetrics().elidedText(self._title, Qt.TextElideMode.ElideRight, room)
        self.setText(_button_text(short if len(short) < len(self._title) else self._title))


class SimilarArticles(QWidget):
    """Buttons for similar articles (dicts with id, title, source, published, score)."""

    articleActivated = Signal(int)

    def __init__(self, parent=None):
        super().__init__(parent)
        self._layout = QHBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setSpacing(4)
        label = QLabel("Similar articles:")
        muted(label)
        self._layout.addWidget(label)
        self._layout.addStretch(1)
        self.buttons: list[QToolButton] = []
        self.hide()

    def set_articles(self, articles: list[dict]) -> None:
        for button in self.buttons:
            # out of the row now: deleted later, the old buttons stayed in
            # the layout beside the new ones until the event loop came back
            # (a grab, or any wait for events in between, showed both sets)
            self._layout.removeWidget(button)
            button.hide()
            button.deleteLater()
        self.buttons = []
        for article in articles[:MAX_BUTTONS]:
            button = _TitleButton(article["title"], self)
            button.setToolTip(plain_tooltip(_description(article)))
            button.setCursor(Qt.CursorShape.PointingHandCursor)
            button.clicked.connect(lambda _=False, i=article["id"]: self.articleActivated.emit(i))
            self._add(button)
        if len(articles) > MAX_BUTTONS:
            more = QToolButton(self)
            more.setText(f"{len(articles) - MAX_BUTTONS} more")
            more.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
            menu = QMenu(more)
            for article in articles[MAX_BUTTONS:]:
                action = menu.addAction(_button_text(article["title"]))
                action.setToolTip(plain_tooltip(_description(article)))
                action.triggered.connect(
                    lambda _=False, i=article["id"]: self.articleActivated.emit(i))
            more.setMenu(menu)
            self._add(more)
        self.setVisible(bool(articles))

    def _add(self, button: QToolButton) -> None:
        self._layout.insertWidget(self._layout.count() - 1, button)
        self.buttons.append(button)


def _description(article: dict) -> str:
    details = " · ".join(str(x) for x in (article.get("source"), article.get("published"))
                         if x)
    return "\n".join(x for x in (article["title"], details,
                                 f"similarity {article['score']:.0%}") if x)
