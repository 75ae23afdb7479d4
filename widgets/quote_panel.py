"""The current article's quotes grouped by speaker, with the articles each
quote recurs in ("also in"). Click a quote to select it in the text; press
1–9 on it to tag it; activate an "also in" line to jump there. A quote whose
speaker is uncertain (no cue in its sentence) is marked "?"; right-click →
*List quotes to check first* puts them, and their speakers, first.
*Set speaker…* (F2) and *Not a quote* (right-click) ask the window to correct
the selected quote."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QHeaderView, QTreeWidget, QTreeWidgetItem

from widgets.plain_text import plain_tooltip
from widgets.row_style import roomy
from widgets.wording import counted

SPAN_ROLE = Qt.ItemDataRole.UserRole
LINK_ROLE = Qt.ItemDataRole.UserRole + 1

UNATTRIBUTED = "Unattributed"
NOT_SPEECH = "Scare quotes and titles"
SPOKEN_KINDS = ("direct", "partial")
#: The quote corrections a view can ask for (``quoteCorrectionRequested``).
SET_SPEAKER, NOT_A_QUOTE, MARK_AS_QUOTE = "set speaker", "not a quote", "mark as quote"
#: How an uncertain speaker was found (attribution's ``method``), as the
#: reader's tooltip says it; a cue in the quote's own sentence is certain.
UNCERTAIN_METHODS = {"pronoun": "a pronoun or description resolved to an earlier mention",
                     "inherited": "inherited from the quote before",
                     "guessed": "guessed from an earlier sentence",
                     "group": "named only by a group (a party, a nationality), not who"}


def needs_check(quote: dict) -> bool:
    """Whether a quote's speaker is worth a second look: someone's words with
    no speaker found, or a speaker found other than by a cue in its sentence."""
    return quote.get("kind", "direct") in SPOKEN_KINDS and (
        not quote.get("speaker") or quote.get("method") in UNCERTAIN_METHODS)


def check_note(quote: dict) -> str:
    """"? speaker to check: …" for an uncertain quote, else ""."""
    if not needs_check(quote):
        return ""
    how = UNCERTAIN_METHODS.get(quote.get("method"), "no speaker found")
    return f"? speaker to check: {how}"


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
    #: a correction of the selected quote: what (SET_SPEAKER, NOT_A_QUOTE), start, end
    quoteCorrectionRequested = Signal(str, int, int)

    def __init__(self, parent=None):
        super().__init__(parent)
        roomy(self)
        self.setHeaderLabels(["Quote", "Kind"])
        header = self.header()
        # the quotes take the room; the kind column only what it shows (a
        # stretched last section took half of the panel, eliding the quotes
        # and the titles of the articles they recur in)
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.itemClicked.connect(self._activate)
        self.itemActivated.connect(self._activate)
        self._quotes: list[dict] = []
        self.check_first_action = QAction("List quotes to check first", self)
        self.check_first_action.setCheckable(True)
        self.check_first_action.toggled.connect(lambda _on: self.set_quotes(self._quotes))
        self.addAction(self.check_first_action)
        # the corrections act on one quote: on a speaker's row they are
        # disabled (offered there, they did nothing; and F2, claimed by the
        # panel and the window both, fired neither)
        self.correction_actions: list[QAction] = []
        for text, what, key in (("Set speaker…", SET_SPEAKER, "F2"),
                                ("Not a quote", NOT_A_QUOTE, "")):
            action = QAction(text, self)
            action.setShortcut(key)
            action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
            action.triggered.connect(lambda _checked=False, w=what: self._correct(w))
            self.addAction(action)
            self.correction_actions.append(action)
        self.currentItemChanged.connect(lambda *_: self._enable_corrections())
        self._enable_corrections()
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)

    def _enable_corrections(self) -> None:
        on_a_quote = self._selected_span() is not None
        for action in self.correction_actions:
            action.setEnabled(on_a_quote)

    def set_quotes(self, quotes: list[dict]) -> None:
        self._quotes = list(quotes)
        self.clear()
        groups: dict[str, list[dict]] = {}
        for quote in quotes:
            groups.setdefault(quote_group(quote), []).append(quote)
        check_first = self.check_first_action.isChecked()
        if check_first:    # uncertain quotes first in each group, groups with more first
            for members in groups.values():
                members.sort(key=lambda q: not needs_check(q))
        order = sorted(groups, key=lambda g: (
            g == NOT_SPEECH,
            -sum(map(needs_check, groups[g])) if check_first else 0,
            g == UNATTRIBUTED, -len(groups[g]), g))
        for name in order:
            members = groups[name]
            kind = members[0].get("speaker_kind")
            label = f"{name} ({kind})" if kind and kind != "unknown" and \
                name not in (UNATTRIBUTED, NOT_SPEECH) else name
            # the group's row says what its number is (the column is the
            # quotes' kind below it)
            group = QTreeWidgetItem([label, counted(len(members), "quote")])
            group.setToolTip(0, plain_tooltip(
                f"{label}: {counted(len(members), 'quote')}. To correct one, select it "
                f"below and press F2 (Set speaker…) or right-click it; to merge two "
                f"speakers' names, use the Speakers tab."))
            self.addTopLevelItem(group)
            for quote in members:
                group.addChild(self._quote_item(quote))
            group.setExpanded(name != NOT_SPEECH)

    def _quote_item(self, quote: dict) -> QTreeWidgetItem:
        text = " ".join(quote["text"].split())
        uncertain = needs_check(quote)
        item = QTreeWidgetItem([f"“{text}”",
                                (quote.get("kind") or "") + (" ?" if uncertain else "")])
        item.setData(0, SPAN_ROLE, (quote["start"], quote["end"]))
        cue = f" ({quote['cue']})" if quote.get("cue") else ""
        note = f"\n{check_note(quote)}" if uncertain else ""
        item.setToolTip(0, plain_tooltip(f"{quote.get('speaker') or 'No speaker'}{cue}: "
                                         f"{text[:600]}{note}"))
        for link in quote.get("also_in", []):
            child = QTreeWidgetItem([f"also in: {link['article_title']}",
                                     f"{link['score']:.0f}%"])
            child.setData(0, LINK_ROLE, (link["article_id"], link["start"], link["end"]))
            child.setToolTip(0, plain_tooltip(f"The same or nearly the same words in "
                                              f"“{link['article_title']}”"))
            item.addChild(child)
        if quote.get("also_in_more"):
            shown = len(quote["also_in"])
            more = QTreeWidgetItem([f"… the newest {shown} shown", ""])
            more.setToolTip(0, f"These words recur in more articles; the newest {shown} "
                               f"are listed.")
            item.addChild(more)
        return item

    def _correct(self, what: str) -> None:
        span = self._selected_span()
        if span:
            self.quoteCorrectionRequested.emit(what, *span)

    def _activate(self, item, _column=0) -> None:
        link = item.data(0, LINK_ROLE)
        if link:
            self.linkActivated.emit(*link)
            return
        span = item.data(0, SPAN_ROLE)
        if span:
            self.spanActivated.emit(*span)

    def event(self, event) -> bool:
        """F2 sets the selected quote's speaker here, though the window uses
        F2 elsewhere (Edit details…): the panel claims the key while it has
        the focus and a quote is selected (two shortcuts on one key fire
        neither)."""
        if (event.type() == QEvent.Type.ShortcutOverride and event.key() == Qt.Key.Key_F2
                and not event.modifiers() and self.currentItem() is not None):
            event.accept()      # on a speaker's row too: not the window's Edit details…
            return True
        return super().event(event)

    def _selected_span(self) -> tuple[int, int] | None:
        item = self.currentItem()
        return item.data(0, SPAN_ROLE) if item else None

    def keyPressEvent(self, event) -> None:
        span = self._selected_span()
        if event.key() == Qt.Key.Key_F2 and not event.modifiers():
            if span:
                self._correct(SET_SPEAKER)
            elif self.currentItem() is not None and self.currentItem().childCount():
                # a speaker's row: its first quote, the next F2 corrects it
                self.currentItem().setExpanded(True)
                self.setCurrentItem(self.currentItem().child(0))
            return
        text = event.text()
        if span and len(text) == 1 and text in "123456789":
            self.quoteTagRequested.emit(int(text), *span)
            return
        super().keyPressEvent(event)
