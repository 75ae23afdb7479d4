"""The current article's quotes grouped by speaker, with the articles each
quote recurs in ("also in"). Click a quote to select it in the text; press
1–9 on it to tag it; activate an "also in" line to jump there."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHeaderView, QTreeWidget, QTreeWidgetItem

from widgets.plain_text import plain_tooltip

SPAN_ROLE = Qt.ItemDataRole.UserRole
LINK_ROLE = Qt.ItemDataRole.UserRole + 1

UNATTRIBUTED = "Unattributed"
NOT_SPEECH = "Scare quotes and titles"


def quote_group(quote: dict) -> str:
    """The heading a quote is listed under."""
    if quote.get("kind") in ("scare", "title"):
        return NOT_SPEECH
    return quote.get("speaker") or UNATTRIBUTED


class QuotePanel(QTreeWidget):
    """Emits intents for quotes; shows plain dicts."""

    spanActivated = Signal(int, int)
    #: another article's copy of a quote: article id, start, end
    linkActivated = Signal(int, int, int)
    #: digit 1–9 pressed on a quote: digit, start, end
    quoteTagRequested = Signal(int, int, int)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setHeaderLabels(["Quote", "Kind"])
        self.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.header().setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.itemClicked.connect(self._activate)
        self.itemActivated.connect(self._activate)

    def set_quotes(self, quotes: list[dict]) -> None:
        self.clear()
        groups: dict[str, list[dict]] = {}
        for quote in quotes:
            groups.setdefault(quote_group(quote), []).append(quote)
        order = sorted(groups, key=lambda g: (g in (UNATTRIBUTED, NOT_SPEECH), g == NOT_SPEECH,
                                              -len(groups[g]), g))
        for name in order:
            members = groups[name]
            kind = members[0].get("speaker_kind")
            label = f"{name} ({kind})" if kind and kind != "unknown" and \
                name not in (UNATTRIBUTED, NOT_SPEECH) else name
            group = QTreeWidgetItem([label, str(len(members))])
            self.addTopLevelItem(group)
            for quote in members:
                group.addChild(self._quote_item(quote))
            group.setExpanded(name != NOT_SPEECH)

    def _quote_item(self, quote: dict) -> QTreeWidgetItem:
        text = " ".join(quote["text"].split())
        item = QTreeWidgetItem([f"“{text}”", quote.get("kind") or ""])
        item.setData(0, SPAN_ROLE, (quote["start"], quote["end"]))
        cue = f" ({quote['cue']})" if quote.get("cue") else ""
        item.setToolTip(0, plain_tooltip(f"{quote.get('speaker') or 'No speaker'}{cue}: "
                                         f"{text[:600]}"))
        for link in quote.get("also_in", []):
            child = QTreeWidgetItem([f"also in: {link['article_title']}",
                                     f"{link['score']:.0f}%"])
            child.setData(0, LINK_ROLE, (link["article_id"], link["start"], link["end"]))
            child.setToolTip(0, plain_tooltip(f"The same or nearly the same words in "
                                              f"“{link['article_title']}”"))
            item.addChild(child)
        return item

    def _activate(self, item, _column=0) -> None:
        link = item.data(0, LINK_ROLE)
        if link:
            self.linkActivated.emit(*link)
            return
        span = item.data(0, SPAN_ROLE)
        if span:
            self.spanActivated.emit(*span)

    def keyPressEvent(self, event) -> None:
        item = self.currentItem()
        span = item.data(0, SPAN_ROLE) if item else None
        text = event.text()
        if span and len(text) == 1 and text in "123456789":
            self.quoteTagRequested.emit(int(text), *span)
            return
        super().keyPressEvent(event)
