"""The "Similar articles" row above the text: one button per article linked
as a near-duplicate, emitting its id when clicked. Hidden when there are none."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QToolButton, QWidget

from widgets.plain_text import plain_tooltip

#: How much of a title a button shows.
TITLE_CHARS = 48


def _button_text(title: str) -> str:
    short = title if len(title) <= TITLE_CHARS else title[:TITLE_CHARS - 1].rstrip() + "…"
    return short.replace("&", "&&")  # a literal ampersand, not a mnemonic


class SimilarArticles(QWidget):
    """Buttons for similar articles (dicts with id, title, source, published, score)."""

    articleActivated = Signal(int)

    def __init__(self, parent=None):
        super().__init__(parent)
        self._layout = QHBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setSpacing(4)
        label = QLabel("Similar articles:")
        label.setStyleSheet("color: palette(placeholder-text);")
        self._layout.addWidget(label)
        self._layout.addStretch(1)
        self.buttons: list[QToolButton] = []
        self.hide()

    def set_articles(self, articles: list[dict]) -> None:
        for button in self.buttons:
            button.deleteLater()
        self.buttons = []
        for article in articles:
            button = QToolButton(self)
            button.setText(_button_text(article["title"]))
            details = " · ".join(str(x) for x in (article.get("source"),
                                                  article.get("published")) if x)
            button.setToolTip(plain_tooltip(
                f"{article['title']}\n{details}\nsimilarity {article['score']:.0%}".replace(
                    "\n\n", "\n")))
            button.setCursor(Qt.CursorShape.PointingHandCursor)
            button.clicked.connect(lambda _=False, i=article["id"]: self.articleActivated.emit(i))
            self._layout.insertWidget(self._layout.count() - 1, button)
            self.buttons.append(button)
        self.setVisible(bool(articles))
