"""One entity's dossier page: the names it goes by, the roles and titles the
articles give it, its quotes, its articles over time, the entities it appears
with, the passages analysts tagged on it, and alias suggestions to accept.

Plain data in (:meth:`EntityPage.set_dossier`, a dict built by
``desktop.gui.entity_dossier``); signals out: :attr:`articleActivated`,
:attr:`quoteActivated`, :attr:`entityActivated` (open that entity's page),
:attr:`filterRequested` (list its articles) and :attr:`mergeRequested` (the
ticked suggestions — nothing is merged until the analyst asks).
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (QGridLayout, QGroupBox, QHBoxLayout, QLabel, QListWidget,
                               QListWidgetItem, QPushButton, QVBoxLayout, QWidget)

from widgets.charts import BarChart
from widgets.passage_menu import color_icon
from widgets.wording import counted

DATA = Qt.ItemDataRole.UserRole
QUOTE_MARKS = '“”"\' '


def fill_list(widget: QListWidget, items: list[tuple[str, object]], empty: str,
              tips=None) -> None:
    widget.clear()
    for index, (text, data) in enumerate(items):
        item = QListWidgetItem(text)
        item.setData(DATA, data)
        if tips:
            item.setToolTip(tips[index])
        widget.addItem(item)
    if not items:
        item = QListWidgetItem(empty)
        item.setFlags(Qt.ItemFlag.NoItemFlags)
        widget.addItem(item)


def _box(title: str, widget: QWidget, *extra: QWidget) -> QGroupBox:
    box = QGroupBox(title)
    layout = QVBoxLayout(box)
    layout.setContentsMargins(6, 4, 6, 6)
    layout.addWidget(widget)
    for other in extra:
        layout.addWidget(other)
    return box


class EntityPage(QWidget):
    """The dossier of one person, organisation or place."""

    articleActivated = Signal(int)
    quoteActivated = Signal(int, int, int)
    #: a companion: ``{"name", "label", "canon_id"}``, the entity its row lists
    entityActivated = Signal(dict)
    filterRequested = Signal(str)
    mergeRequested = Signal(list)

    def __init__(self, parent=None):
        super().__init__(parent, Qt.WindowType.Window)
        self.resize(1150, 760)
        self.title = QLabel()
        self.title.setTextFormat(Qt.TextFormat.PlainText)
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 1.5)
        font.setBold(True)
        self.title.setFont(font)
        self.summary = QLabel()
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        self.summary.setWordWrap(True)
        self.list_button = QPushButton("List its articles")
        self.list_button.setToolTip("Filter the article list by this entity and its aliases")
        self.list_button.clicked.connect(lambda: self.filterRequested.emit(self.name))
        self.names = QListWidget()
        self.roles = QListWidget()
        self.suggestions = QListWidget()
        self.suggestions.setToolTip("Names that may be this entity: tick and merge; nothing "
                                    "is merged unless you ask")
        self.merge_button = QPushButton("Merge the ticked names into this entity…")
        self.merge_button.clicked.connect(self._merge)
        self.companions = QListWidget()
        self.timeline = BarChart()
        self.timeline.setMinimumHeight(160)
        self.quotes = QListWidget()
        self.quotes.setWordWrap(True)
        self.articles = QListWidget()
        self.passages = QListWidget()
        self.passages.setWordWrap(True)

        header = QHBoxLayout()
        header.addWidget(self.title, 1)
        header.addWidget(self.list_button)
        grid = QGridLayout()
        grid.addWidget(_box("Names and aliases", self.names), 0, 0)
        grid.addWidget(_box("Roles and titles in the articles", self.roles), 1, 0)
        grid.addWidget(_box("May be the same entity", self.suggestions, self.merge_button), 2, 0)
        grid.addWidget(_box("Appears with (articles)", self.companions), 3, 0)
        grid.addWidget(_box("Articles per month", self.timeline), 0, 1)
        grid.addWidget(_box("Quotes", self.quotes), 1, 1)
        grid.addWidget(_box("Articles", self.articles), 2, 1)
        grid.addWidget(_box("Passages tagged on it", self.passages), 3, 1)
        grid.setColumnStretch(0, 2)
        grid.setColumnStretch(1, 3)
        layout = QVBoxLayout(self)
        layout.addLayout(header)
        layout.addWidget(self.summary)
        layout.addLayout(grid, 1)

        self.articles.itemActivated.connect(
            lambda item: item.data(DATA) is not None and self.articleActivated.emit(item.data(DATA)))
        self.quotes.itemActivated.connect(self._quote)
        self.passages.itemActivated.connect(self._quote)
        self.companions.itemActivated.connect(
            lambda item: item.data(DATA) and self.entityActivated.emit(item.data(DATA)))
        self.timeline.markActivated.connect(lambda _key: self.filterRequested.emit(self.name))
        QShortcut(QKeySequence("Ctrl+W"), self, self.close)
        self.name = ""

    def set_dossier(self, data: dict) -> None:
        """``data``: ``name``, ``label``, ``surfaces`` [{name, label, mentions,
        articles}], ``roles`` [(role, n)], ``quotes`` (by it) and
        ``quotes_about`` (mentioning it) [{article_id, title, start, end, text,
        speaker}], ``months`` [{month, articles}], ``articles``
        [{article_id, title, published, source}] (the newest; ``article_total``
        counts them all, as ``months`` does), ``companions`` [{name,
        label, canon_id, articles}], ``passages`` [{article_id, start, end, text, tag,
        color, analyst, note}], ``suggestions`` [{name, label, mentions}]."""
        self.name = data["name"]
        self.setWindowTitle(f"Dossier — {data['name']}")
        self.title.setText(f"{data['name']}  ({data.get('label') or 'entity'})")
        total, read = data.get("article_total", len(data["articles"])), len(data["articles"])
        newest = (f" — the newest {read:,} are read for its roles, quotes, companions "
                  "and passages below" if total > read else "")
        self.summary.setText(
            f"{counted(total, 'article')}{newest} · "
            f"{counted(len(data['quotes']), 'quote')} by it, "
            f"{len(data.get('quotes_about', [])):,} mentioning it · "
            f"{counted(len(data['passages']), 'tagged passage')} · goes by "
            f"{counted(len(data['surfaces']), 'name')}")
        fill_list(self.names, [(f"{s['name']} — {s['label']}, {counted(s['mentions'], 'mention')}"
                                f" in {counted(s['articles'], 'article')}", s["name"])
                               for s in data["surfaces"]], "No mention in the analyses")
        fill_list(self.roles, [(f"{role} ({n}×)", role) for role, n in data["roles"]],
                  "No title or role found next to its name")
        self.suggestions.clear()
        for s in data["suggestions"]:
            item = QListWidgetItem(f"{s['name']} — {s['label']}, "
                                   f"{counted(s['mentions'], 'mention')}")
            item.setData(DATA, s)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
            self.suggestions.addItem(item)
        self.merge_button.setEnabled(bool(data["suggestions"]))
        # the row's name, label and canonical id: its page is the entity listed,
        # not a namesake of another label nor another entity of that name
        fill_list(self.companions, [(f"{c['name']} ({c['label']}) — "
                                     f"{counted(c['articles'], 'article')}",
                                     {"name": c["name"], "label": c["label"],
                                      "canon_id": c.get("canon_id")})
                                    for c in data["companions"]], "None")
        self.timeline.set_bars([{"label": m["month"], "value": m["articles"], "key": m["month"],
                                 "color": "#5b8bd9",
                                 "tip": f"{m['month']}: {counted(m['articles'], 'article')}"}
                                for m in data["months"]], unit="articles")
        quotes = [(f"“{q['text'].strip(QUOTE_MARKS)}” — {q['title']}",
                   (q["article_id"], q["start"], q["end"])) for q in data["quotes"]]
        quotes += [(f"About it, {q.get('speaker') or 'unattributed'}: "
                    f"“{q['text'].strip(QUOTE_MARKS)}” — {q['title']}",
                    (q["article_id"], q["start"], q["end"]))
                   for q in data.get("quotes_about", [])]
        fill_list(self.quotes, quotes, "No quote by it or mentioning it")
        fill_list(self.articles, [(f"{a.get('published') or 'undated'} · {a['title']}"
                                   + (f" · {a['source']}" if a.get("source") else ""),
                                   a["article_id"]) for a in data["articles"]], "No article")
        self.passages.clear()
        for p in data["passages"]:
            item = QListWidgetItem(color_icon(p["color"]),
                                   f"{p['tag']}: “{p['text']}” — {p['analyst']}")
            item.setData(DATA, (p["article_id"], p["start"], p["end"]))
            item.setToolTip(p.get("note") or p["title"])
            self.passages.addItem(item)
        if not data["passages"]:
            fill_list(self.passages, [], "No tagged passage on it")

    def ticked(self) -> list[dict]:
        return [self.suggestions.item(i).data(DATA) for i in range(self.suggestions.count())
                if self.suggestions.item(i).checkState() == Qt.CheckState.Checked]

    def _merge(self) -> None:
        chosen = self.ticked()
        if chosen:
            self.mergeRequested.emit(chosen)

    def _quote(self, item) -> None:
        data = item.data(DATA)
        if data:
            self.quoteActivated.emit(*data)

    def role_texts(self) -> list[str]:
        return [self.roles.item(i).data(DATA) for i in range(self.roles.count())
                if self.roles.item(i).data(DATA)]
