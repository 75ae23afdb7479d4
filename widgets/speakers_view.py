"""Speakers across the corpus: each with quote and article counts and how
many of their quotes are to check (speaker found by a pronoun, inherited,
guessed or named only by a party or nationality); selecting one lists all their quotes, and activating a quote opens
it. *To check first* puts speakers with quotes to check, and those quotes,
first. Select two or more speakers (Ctrl/Shift+click) and *Merge
speakers…* (right-click, or Ctrl+M) to show them as one across the corpus."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (QCheckBox, QHeaderView, QLabel, QSplitter, QToolTip,
                               QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget)

from widgets.plain_text import plain_tooltip
from widgets.quote_panel import check_note, needs_check
from widgets.row_style import NUMBER_ALIGNMENT, roomy, set_apart
from widgets.wording import counted

QUOTE_ROLE = Qt.ItemDataRole.UserRole


#: Said of a speaker of kind ``unknown`` (a description such as "the
#: minister", or a name the pipeline did not recognise as one).
UNNAMED_NOTE = ("\n\nNot recognised as a name: a description such as “the minister”, "
                "or a name the pipeline missed. The same words in different articles may "
                "be different people. Correct a quote's speaker to name them.")


class SpeakersView(QWidget):
    """Plain rows in, intents out."""

    speakerSelected = Signal(str)
    #: article id, start, end
    quoteActivated = Signal(int, int, int)
    #: the selected speakers' names, to merge into one
    mergeRequested = Signal(list)

    def __init__(self, parent=None):
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.speakers = roomy(QTreeWidget())
        self.speakers.setRootIsDecorated(False)
        self.speakers.setHeaderLabels(["Speaker", "Kind", "Quotes", "Articles", "?"])
        self.speakers.headerItem().setToolTip(4, "Quotes to check: speakers found by a "
                                                 "pronoun, inherited, guessed or named "
                                                 "only by a party or nationality")
        self.speakers.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in (1, 2, 3, 4):
            self.speakers.header().setSectionResizeMode(
                column, QHeaderView.ResizeMode.ResizeToContents)
        # the names need the room in a side panel: the kind is in each name's
        # tooltip and the caption (its column stays, hidden, for the model's
        # order), and a name too long is cut in the middle, where "press
        # release" and "press release from the ministry" still differ
        self.speakers.setColumnHidden(1, True)
        self.speakers.header().setStretchLastSection(False)    # the name stretches
        self.speakers.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.speakers.currentItemChanged.connect(self._speaker_changed)
        self.speakers.setSelectionMode(QTreeWidget.SelectionMode.ExtendedSelection)
        self.merge_action = QAction("Merge speakers…", self.speakers)
        self.merge_action.setShortcut("Ctrl+M")
        self.merge_action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        self.merge_action.triggered.connect(self._merge)
        self.speakers.addAction(self.merge_action)
        self.speakers.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        self.quotes = roomy(QTreeWidget())
        self.quotes.setRootIsDecorated(False)
        self.quotes.setHeaderLabels(["Quote", "Article"])
        self.quotes.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.quotes.header().setSectionResizeMode(1, QHeaderView.ResizeMode.Interactive)
        self.quotes.header().setStretchLastSection(False)
        self.quotes.itemActivated.connect(self._quote_activated)
        self.quotes.itemClicked.connect(self._quote_activated)
        self.caption = QLabel(self.CHOOSE)
        self.caption.setTextFormat(Qt.TextFormat.PlainText)
        self.caption.setWordWrap(True)      # a long name in a narrow panel
        lower = QWidget()
        lower_layout = QVBoxLayout(lower)
        lower_layout.setContentsMargins(0, 0, 0, 0)
        lower_layout.addWidget(self.caption)
        lower_layout.addWidget(self.quotes)
        self.check_first = QCheckBox("To check first")
        self.check_first.setToolTip("List speakers with quotes to check, and those quotes, "
                                    "first: speakers found by a pronoun, inherited from "
                                    "the quote before, guessed or named only by a party "
                                    "or nationality")
        self.check_first.toggled.connect(self._resort)
        self._speaker_rows: list[dict] = []
        self._quote_rows: tuple[str, list[dict]] | None = None
        upper = QWidget()
        upper_layout = QVBoxLayout(upper)
        upper_layout.setContentsMargins(0, 0, 0, 0)
        upper_layout.addWidget(self.check_first)
        upper_layout.addWidget(self.speakers)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(upper)
        splitter.addWidget(lower)
        layout.addWidget(splitter)

    #: the caption while nobody is selected
    CHOOSE = "Select a speaker to list their quotes."
    COUNTING = "Counting the speakers of every quote… (seconds on a large corpus)"

    def show_counting(self) -> None:
        """The speakers are being counted: said while the list is empty (an
        empty list captioned “Select a speaker” read as “there are none”
        for 9–22 s on 100,000 articles)."""
        if self.speakers.topLevelItemCount() == 0:
            self.caption.setText(self.COUNTING)

    def set_speakers(self, rows: list[dict]) -> None:
        if self.caption.text() == self.COUNTING:
            self.caption.setText(self.CHOOSE if rows else "No quote has a speaker yet.")
        self._speaker_rows = list(rows)
        current = self.current_speaker()
        self.speakers.blockSignals(True)
        self.speakers.clear()
        self.speakers.blockSignals(False)
        if self.check_first.isChecked():    # stable: most quoted first among equals
            rows = sorted(rows, key=lambda r: -(r.get("to_check") or 0))
        for row in rows:
            item = QTreeWidgetItem([row["speaker"], row["speaker_kind"],
                                    f"{row['quote_count']:,}", f"{row['article_count']:,}",
                                    f"{row.get('to_check') or 0:,}"])
            item.setData(0, QUOTE_ROLE, row["speaker"])
            unnamed = row["speaker_kind"] == "unknown"
            item.setToolTip(0, plain_tooltip(
                f"{row['speaker']} ({row['speaker_kind']}): "
                f"{counted(row['quote_count'], 'quote')} in "
                f"{counted(row['article_count'], 'article')}"
                + (f", {row['to_check']:,} to check" if row.get("to_check") else "")
                + (UNNAMED_NOTE if unnamed else "")))
            if unnamed:     # not a name: set apart, as the tooltip says why
                set_apart(item)
            for column in (2, 3, 4):
                item.setTextAlignment(column, NUMBER_ALIGNMENT)
            self.speakers.addTopLevelItem(item)
            if row["speaker"] == current:
                self.speakers.setCurrentItem(item)

    def selected_speakers(self) -> list[str]:
        """The names of the selected speakers, in list order."""
        return [self.speakers.topLevelItem(i).data(0, QUOTE_ROLE)
                for i in range(self.speakers.topLevelItemCount())
                if self.speakers.topLevelItem(i).isSelected()]

    #: said where the list is when Ctrl+M finds fewer than two selected
    MERGE_HINT = "Select two or more speakers (Ctrl+click, Shift+click) to merge them."

    def _merge(self) -> None:
        names = self.selected_speakers()
        if len(names) >= 2:
            self.mergeRequested.emit(names)
            return
        item = self.speakers.currentItem()      # Ctrl+M did nothing, saying nothing
        spot = (self.speakers.visualItemRect(item).bottomLeft() if item is not None
                else self.speakers.viewport().rect().topLeft())
        QToolTip.showText(self.speakers.viewport().mapToGlobal(spot), self.MERGE_HINT,
                          self.speakers)

    def current_speaker(self) -> str | None:
        item = self.speakers.currentItem()
        return item.data(0, QUOTE_ROLE) if item else None

    def select_speaker(self, name: str) -> None:
        for i in range(self.speakers.topLevelItemCount()):
            item = self.speakers.topLevelItem(i)
            if item.data(0, QUOTE_ROLE) == name:
                self.speakers.setCurrentItem(item)
                return

    def set_quotes(self, speaker: str, rows: list[dict]) -> None:
        self._quote_rows = (speaker, list(rows))
        checks = sum(map(needs_check, rows))
        unnamed = any(r["speaker"] == speaker and r["speaker_kind"] == "unknown"
                      for r in self._speaker_rows)
        self.caption.setText(f"{counted(len(rows), 'quote')} by {speaker}"
                             + (" (not recognised as a name: perhaps several people)"
                                if unnamed else "")
                             + (f", {checks:,} to check" if checks else ""))
        self.quotes.clear()
        if self.check_first.isChecked():
            rows = sorted(rows, key=lambda r: not needs_check(r))
        for row in rows:
            text = " ".join(row["text"].split())
            mark = "? " if needs_check(row) else ""
            item = QTreeWidgetItem([f"{mark}“{text}”", row["article_title"]])
            item.setData(0, QUOTE_ROLE, (row["article_id"], row["start"], row["end"]))
            note = f"\n{check_note(row)}" if mark else ""
            item.setToolTip(0, plain_tooltip(text[:600] + note))
            item.setToolTip(1, plain_tooltip(row["article_title"]))
            self.quotes.addTopLevelItem(item)

    def _resort(self, _checked: bool = False) -> None:
        self.set_speakers(self._speaker_rows)
        if self._quote_rows is not None:
            self.set_quotes(*self._quote_rows)

    def _speaker_changed(self, current, _previous) -> None:
        if current is not None:
            self.speakerSelected.emit(current.data(0, QUOTE_ROLE))

    def _quote_activated(self, item, _column=0) -> None:
        self.quoteActivated.emit(*item.data(0, QUOTE_ROLE))
