"""The article list: title, source and date, and the number of tagged
passages, for a list of plain article dicts."""

from __future__ import annotations

from PySide6.QtCore import QAbstractListModel, QModelIndex, QRect, QSize, Qt, Signal
from PySide6.QtGui import QFont, QPalette
from PySide6.QtWidgets import QListView, QStyle, QStyledItemDelegate
from widgets.plain_text import plain_tooltip

ID_ROLE = Qt.ItemDataRole.UserRole + 1
META_ROLE = Qt.ItemDataRole.UserRole + 2
COUNT_ROLE = Qt.ItemDataRole.UserRole + 3


def meta_line(article: dict) -> str:
    """"source · date" (or the file name when neither is known)."""
    parts = [article.get("source"), article.get("published")]
    line = " · ".join(p for p in parts if p)
    return line or article.get("filename") or ""


def header_line(article: dict) -> str:
    """Everything known about where an article came from: "source · date ·
    by author · URL · file name", for the header above the text."""
    parts = [article.get("source"), article.get("published"),
             f"by {article['author']}" if article.get("author") else None,
             article.get("url"), article.get("filename")]
    return " · ".join(p for p in parts if p)


class ArticleListModel(QAbstractListModel):
    """Articles as rows; data comes from plain dicts."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self._rows: list[dict] = []

    def set_articles(self, articles: list[dict]) -> None:
        self.beginResetModel()
        self._rows = list(articles)
        self.endResetModel()

    def row_of(self, article_id: int) -> int | None:
        return next((i for i, a in enumerate(self._rows) if a["id"] == article_id), None)

    def article(self, row: int) -> dict:
        return self._rows[row]

    def set_passage_count(self, article_id: int, count: int) -> None:
        row = self.row_of(article_id)
        if row is not None:
            self._rows[row]["passage_count"] = count
            index = self.index(row)
            self.dataChanged.emit(index, index, [COUNT_ROLE])

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        article = self._rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return article["title"]
        if role == Qt.ItemDataRole.ToolTipRole:
            return plain_tooltip(article["title"])
        if role == ID_ROLE:
            return article["id"]
        if role == META_ROLE:
            return meta_line(article)
        if role == COUNT_ROLE:
            return article.get("passage_count", 0)
        return None


class ArticleDelegate(QStyledItemDelegate):
    """Two lines (bold title, grey metadata) and a passage-count badge."""

    PADDING = 6

    def sizeHint(self, option, index) -> QSize:
        height = option.fontMetrics.height()
        return QSize(200, 2 * height + 3 * self.PADDING)

    def paint(self, painter, option, index) -> None:
        painter.save()
        style = option.widget.style() if option.widget else None
        selected = option.state & QStyle.StateFlag.State_Selected
        if style:
            style.drawPrimitive(QStyle.PrimitiveElement.PE_PanelItemViewItem,
                                option, painter, option.widget)
        group = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        rect = option.rect.adjusted(self.PADDING, self.PADDING // 2,
                                    -self.PADDING, -self.PADDING // 2)
        count = index.data(COUNT_ROLE) or 0
        metrics = option.fontMetrics
        badge_width = metrics.horizontalAdvance(str(count)) + 12 if count else 0
        line = metrics.height()
        title_rect = QRect(rect.left(), rect.top() + self.PADDING // 2,
                           rect.width() - badge_width - 4, line)
        bold = QFont(option.font)
        bold.setBold(True)
        painter.setFont(bold)
        painter.setPen(option.palette.color(group))
        title = painter.fontMetrics().elidedText(index.data(), Qt.TextElideMode.ElideRight,
                                                 title_rect.width())
        painter.drawText(title_rect, Qt.AlignmentFlag.AlignLeft, title)
        painter.setFont(option.font)
        meta_rect = QRect(rect.left(), title_rect.bottom() + 3, rect.width(), line)
        if not selected:
            painter.setPen(option.palette.color(QPalette.ColorRole.PlaceholderText))
        painter.drawText(meta_rect, Qt.AlignmentFlag.AlignLeft,
                         metrics.elidedText(index.data(META_ROLE) or "",
                                            Qt.TextElideMode.ElideRight, rect.width()))
        if count:
            badge = QRect(rect.right() - badge_width, title_rect.top(), badge_width, line)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(option.palette.color(QPalette.ColorRole.Mid))
            painter.drawRoundedRect(badge, line / 2, line / 2)
            painter.setPen(option.palette.color(QPalette.ColorRole.Base))
            painter.drawText(badge, Qt.AlignmentFlag.AlignCenter, str(count))
        painter.restore()


class ArticleList(QListView):
    """Keyboard-navigable article list; emits the current article's id."""

    articleSelected = Signal(int)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.list_model = ArticleListModel(self)
        self.setModel(self.list_model)
        self.setItemDelegate(ArticleDelegate(self))
        self.setUniformItemSizes(True)
        self.setAlternatingRowColors(True)
        self.selectionModel().currentChanged.connect(self._current_changed)

    def set_articles(self, articles: list[dict], current: int | None = None) -> None:
        self.list_model.set_articles(articles)
        if current is not None:
            self.select_article(current)

    def select_article(self, article_id: int) -> None:
        row = self.list_model.row_of(article_id)
        if row is not None:
            self.setCurrentIndex(self.list_model.index(row))

    def current_article_id(self) -> int | None:
        index = self.currentIndex()
        return index.data(ID_ROLE) if index.isValid() else None

    def _current_changed(self, current, _previous) -> None:
        if current.isValid():
            self.articleSelected.emit(current.data(ID_ROLE))
