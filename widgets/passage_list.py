"""The current article's tagged passages: tag, text, note; click to jump.

The note is edited in place: double-click it (or Edit note… in the context
menu), type, press Enter; ``noteEdited`` carries the new note.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (QAbstractItemView, QHeaderView, QMenu, QTreeWidget,
                               QTreeWidgetItem)

from widgets.passage_menu import add_passage_actions, color_icon
from widgets.plain_text import plain_tooltip


class PassageList(QTreeWidget):
    """Emits intents for passages; shows plain data."""

    passageActivated = Signal(int)
    noteRequested = Signal(int)
    retagRequested = Signal(int, int)
    deleteRequested = Signal(int)
    #: a note edited in place: passage id, new note
    noteEdited = Signal(int, str)

    NOTE_COLUMN = 2

    def __init__(self, parent=None):
        super().__init__(parent)
        self._passages: dict[int, dict] = {}
        self._tags: list[dict] = []
        self.setRootIsDecorated(False)
        self.setHeaderLabels(["Tag", "Passage", "Note"])
        self.header().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.DefaultContextMenu)
        self.itemClicked.connect(self._activate)
        self.itemActivated.connect(self._activate)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.itemDoubleClicked.connect(self._double_clicked)
        self.itemChanged.connect(self._item_changed)

    def set_passages(self, passages: list[dict], tags: list[dict]) -> None:
        self._tags = list(tags)
        self._passages = {p["id"]: p for p in passages}
        self.blockSignals(True)   # filling the list is not an edit
        self.clear()
        for passage in passages:
            snippet = " ".join(passage["text"].split())
            orphaned = passage.get("anchor") == "orphaned"
            item = QTreeWidgetItem([passage["tag"], ("⚠ " if orphaned else "") + snippet,
                                    passage.get("note") or ""])
            item.setIcon(0, color_icon(passage["color"]))
            item.setData(0, Qt.ItemDataRole.UserRole, passage["id"])
            item.setToolTip(1, plain_tooltip(
                ("These words are no longer in the article (its text was changed); the "
                 "passage is kept.\n\n" if orphaned else "") + snippet[:500]))
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsEditable)
            item.setToolTip(self.NOTE_COLUMN, "Double-click to edit the note")
            self.addTopLevelItem(item)
        self.blockSignals(False)

    def set_note_matches(self, passage_ids: set[int]) -> None:
        """Mark the notes a search matched (bold, with a tooltip)."""
        for index in range(self.topLevelItemCount()):
            item = self.topLevelItem(index)
            matched = item.data(0, Qt.ItemDataRole.UserRole) in passage_ids
            font = item.font(self.NOTE_COLUMN)
            font.setBold(matched)
            self.blockSignals(True)   # marking is not an edit
            item.setFont(self.NOTE_COLUMN, font)
            item.setToolTip(self.NOTE_COLUMN, "The search matched this note — double-click "
                            "to edit it" if matched else "Double-click to edit the note")
            self.blockSignals(False)

    def note_matches(self) -> list[int]:
        """The passages whose note is marked as matched."""
        return [self.topLevelItem(i).data(0, Qt.ItemDataRole.UserRole)
                for i in range(self.topLevelItemCount())
                if self.topLevelItem(i).font(self.NOTE_COLUMN).bold()]

    def passage_ids(self) -> list[int]:
        return [self.topLevelItem(i).data(0, Qt.ItemDataRole.UserRole)
                for i in range(self.topLevelItemCount())]

    def _activate(self, item, _column=0) -> None:
        self.passageActivated.emit(item.data(0, Qt.ItemDataRole.UserRole))

    def edit_note_in_place(self, passage_id: int) -> None:
        """Open the note cell of a passage for typing."""
        for index in range(self.topLevelItemCount()):
            item = self.topLevelItem(index)
            if item.data(0, Qt.ItemDataRole.UserRole) == passage_id:
                self.setCurrentItem(item)
                self.editItem(item, self.NOTE_COLUMN)
                return

    def _double_clicked(self, item, column: int) -> None:
        if column == self.NOTE_COLUMN:
            self.editItem(item, column)

    def _item_changed(self, item, column: int) -> None:
        passage = self._passages.get(item.data(0, Qt.ItemDataRole.UserRole))
        if column == self.NOTE_COLUMN and passage is not None:
            note = item.text(column)
            if note != (passage.get("note") or ""):
                # after the editor has finished committing: the receiver
                # refills this list, which must not happen inside the commit
                QTimer.singleShot(0, lambda: self.noteEdited.emit(passage["id"], note))

    def _current_passage(self) -> dict | None:
        item = self.currentItem()
        return self._passages.get(item.data(0, Qt.ItemDataRole.UserRole)) if item else None

    def contextMenuEvent(self, event) -> None:
        item = self.itemAt(event.pos())
        if item is None:
            return
        self.setCurrentItem(item)
        menu = QMenu(self)
        add_passage_actions(menu, self._current_passage(), self._tags,
                            on_note=self.edit_note_in_place,
                            on_retag=self.retagRequested.emit,
                            on_delete=self.deleteRequested.emit)
        menu.exec(event.globalPos())
        menu.deleteLater()

    def keyPressEvent(self, event) -> None:
        passage = self._current_passage()
        if passage and event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
            self.deleteRequested.emit(passage["id"])
            return
        super().keyPressEvent(event)
