"""Entities across the corpus: people, organisations and places with mention
and article counts; merge aliases, correct a label, show an entity's articles.

Plain rows in (as ``storage.entity_index.corpus_entities`` gives them),
intents out: the view never reads or writes the database.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QDialog, QDialogButtonBox,
                               QFormLayout, QHBoxLayout, QHeaderView, QLabel, QLineEdit,
                               QMenu, QToolButton, QTreeWidget, QTreeWidgetItem, QVBoxLayout,
                               QWidget)

from widgets.palette import entity_color
from widgets.passage_menu import color_icon
from widgets.plain_text import plain_tooltip
from widgets.row_style import NUMBER_ALIGNMENT, muted, roomy

ROW_ROLE = Qt.ItemDataRole.UserRole
SEARCH_DEBOUNCE_MS = 250
NAME, LABEL, MENTIONS, ARTICLES = range(4)


class _Item(QTreeWidgetItem):
    """Sorts the count columns as numbers."""

    def __lt__(self, other) -> bool:
        column = self.treeWidget().sortColumn() if self.treeWidget() else 0
        if column in (MENTIONS, ARTICLES):
            return (self.data(column, Qt.ItemDataRole.DisplayRole)
                    < other.data(column, Qt.ItemDataRole.DisplayRole))
        return self.text(column).lower() < other.text(column).lower()


class EntityDialog(QDialog):
    """The name and label of a merged entity, or just a corrected label."""

    def __init__(self, title: str, labels: list[str], label: str, *,
                 names: list[str] | None = None, about: str = "", parent=None):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setMinimumWidth(440)       # the title bar cuts a long title: ``about`` says it
        form = QFormLayout()
        self.name = None
        if names is not None:
            self.name = QComboBox()
            self.name.setEditable(True)
            self.name.addItems(names)
            form.addRow("&Name:", self.name)
        self.label = QComboBox()
        self.label.addItems(labels)
        self.label.setCurrentIndex(max(0, self.label.findText(label)))
        form.addRow("&Label:", self.label)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText("Merge" if names is not None else "Correct")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        if names is not None:
            about = (about + "\n\n" if about else "") + (
                "They become one entity, under the name below; their articles all "
                "match it in the entity filter.")
        if about:
            note = QLabel(about)
            note.setTextFormat(Qt.TextFormat.PlainText)
            note.setWordWrap(True)
            layout.addWidget(note)
        layout.addLayout(form)
        layout.addWidget(buttons)

    def values(self) -> tuple[str, str]:
        name = self.name.currentText().strip() if self.name is not None else ""
        return name, self.label.currentText()


class CorpusEntitiesView(QWidget):
    """The Entities tab of the left column."""

    #: {"labels": [...] or None, "search": str}
    queryChanged = Signal(dict)
    #: entity rows, canonical name, label
    mergeRequested = Signal(list, str, str)
    #: entity row, new label
    labelCorrectionRequested = Signal(dict, str)
    #: canonical entity id
    unmergeRequested = Signal(int)
    #: the entity row whose articles are asked for (its name and label, and
    #: ``canon_id`` of a merged or corrected entity: not a namesake's)
    showArticlesRequested = Signal(dict)
    #: an entity row whose dossier page is asked for
    dossierRequested = Signal(dict)

    def __init__(self, groups: dict[str, tuple], labels: list[str], parent=None):
        super().__init__(parent)
        self._labels = list(labels)
        self.dialog: EntityDialog | None = None
        self.group = QComboBox()
        for name, group_labels in groups.items():
            self.group.addItem(name, list(group_labels))
        self.group.addItem("All labels", None)
        self.search = QLineEdit()
        self.search.setPlaceholderText("Find an entity")
        self.search.setClearButtonEnabled(True)
        self.merge_button = QToolButton()
        self.merge_button.setText("Merge…")
        self.merge_button.setToolTip("Make the selected entities one (aliases)")
        self.merge_button.clicked.connect(self.ask_merge)
        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.addWidget(self.group, 1)
        top.addWidget(self.merge_button)

        self.tree = roomy(QTreeWidget())
        self.tree.setRootIsDecorated(False)
        # short headers: the tab is narrow; the tooltips say what they count
        self.tree.setHeaderLabels(["Entity", "Label", "Ment.", "Art."])
        self.tree.headerItem().setToolTip(MENTIONS, "Mentions in the corpus")
        self.tree.headerItem().setToolTip(ARTICLES, "Articles that mention it")
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.tree.setSortingEnabled(True)
        self.tree.sortByColumn(MENTIONS, Qt.SortOrder.DescendingOrder)
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(NAME, QHeaderView.ResizeMode.Stretch)
        for column in (LABEL, MENTIONS, ARTICLES):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.tree.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.tree.customContextMenuRequested.connect(self._context_menu)
        self.tree.itemActivated.connect(self._activated)
        self.tree.itemSelectionChanged.connect(self._update_buttons)
        self.caption = QLabel()
        self.caption.setTextFormat(Qt.TextFormat.PlainText)
        muted(self.caption)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.search)
        layout.addWidget(self.tree, 1)
        layout.addWidget(self.caption)

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(SEARCH_DEBOUNCE_MS)
        self._timer.timeout.connect(self._emit_query)
        self.search.textChanged.connect(lambda _text: self._timer.start())
        self.search.returnPressed.connect(self._emit_query)
        self.group.currentIndexChanged.connect(lambda _i: self._emit_query())
        self._update_buttons()

    # -- data in -------------------------------------------------------
    def query(self) -> dict:
        return {"labels": self.group.currentData(), "search": self.search.text().strip()}

    def set_entities(self, rows: list[dict], *, limited: bool = False) -> None:
        """Show ``rows``; keeps the selection of entities still listed."""
        chosen = {self._identity(r) for r in self.selected_rows()}
        self.tree.setSortingEnabled(False)
        self.tree.clear()
        for row in rows:
            item = _Item([row["name"], row["label"], "", ""])
            item.setData(MENTIONS, Qt.ItemDataRole.DisplayRole, row["mentions"])
            item.setData(ARTICLES, Qt.ItemDataRole.DisplayRole, row["articles"])
            item.setData(NAME, ROW_ROLE, row)
            item.setIcon(NAME, color_icon(entity_color(row["label"])))
            for column in (MENTIONS, ARTICLES):
                item.setTextAlignment(column, NUMBER_ALIGNMENT)
            if row.get("canon_id") is not None:
                item.setToolTip(NAME, plain_tooltip(f"{row['name']} — {row['aliases']} "
                                                   "merged or corrected name(s)"))
                font = item.font(NAME)
                font.setBold(True)
                item.setFont(NAME, font)
            self.tree.addTopLevelItem(item)
            item.setSelected(self._identity(row) in chosen)
        self.tree.setSortingEnabled(True)
        labels = self.group.currentData()   # one label: its column says nothing
        self.tree.setColumnHidden(LABEL, labels is not None and len(labels) == 1)
        shown = f"{len(rows):,} entit{'y' if len(rows) == 1 else 'ies'}"
        self.caption.setText(shown + (" (the most mentioned; search to find others)"
                                      if limited else ""))
        self._update_buttons()

    # -- selection -----------------------------------------------------
    @staticmethod
    def _identity(row: dict) -> tuple:
        if row.get("canon_id") is not None:
            return ("canon", row["canon_id"])
        return ("surface", row["key"], row["original_label"])

    def selected_rows(self) -> list[dict]:
        return [item.data(NAME, ROW_ROLE) for item in self.tree.selectedItems()]

    def select_entity(self, name: str, label: str | None = None) -> bool:
        """Add the row called ``name`` (and ``label``) to the selection."""
        for i in range(self.tree.topLevelItemCount()):
            item = self.tree.topLevelItem(i)
            row = item.data(NAME, ROW_ROLE)
            if row["name"] == name and (label is None or row["label"] == label):
                item.setSelected(True)
                return True
        return False

    def _update_buttons(self) -> None:
        self.merge_button.setEnabled(len(self.tree.selectedItems()) >= 2)

    # -- intents -------------------------------------------------------
    def _emit_query(self) -> None:
        self._timer.stop()
        self.queryChanged.emit(self.query())

    def _activated(self, item, _column=0) -> None:
        self.showArticlesRequested.emit(item.data(NAME, ROW_ROLE))

    def _context_menu(self, position) -> None:
        item = self.tree.itemAt(position)
        if item is None:
            return
        if not item.isSelected():
            self.tree.setCurrentItem(item)
        menu = self.context_menu(item.data(NAME, ROW_ROLE))
        menu.popup(self.tree.viewport().mapToGlobal(position))

    def context_menu(self, row: dict) -> QMenu:
        """The menu of an entity row: show its articles, correct, merge, unmerge."""
        menu = QMenu(self)
        menu.addAction("&Show articles", lambda: self.showArticlesRequested.emit(row))
        menu.addAction("&Dossier…", lambda: self.dossierRequested.emit(row))
        menu.addAction("&Correct label…", lambda: self.ask_label(row))
        merge = menu.addAction("&Merge…", self.ask_merge)
        merge.setEnabled(len(self.tree.selectedItems()) >= 2)
        if row.get("canon_id") is not None:
            menu.addAction("&Unmerge", lambda: self.unmergeRequested.emit(row["canon_id"]))
        return menu

    def _open(self, dialog: EntityDialog, accepted) -> EntityDialog:
        """Open ``dialog`` window-modal (not blocking); ``accepted`` on OK."""
        self.dialog = dialog

        def finished(result: int) -> None:
            self.dialog = None
            dialog.deleteLater()
            if result == QDialog.DialogCode.Accepted:
                accepted(*dialog.values())
        dialog.finished.connect(finished)
        dialog.open()
        return dialog

    def ask_merge(self) -> EntityDialog | None:
        """The merge dialog for the selected rows."""
        return self.ask_merge_again(self.selected_rows())

    def ask_merge_again(self, rows: list[dict], typed: tuple[str, str] | None = None
                        ) -> EntityDialog | None:
        """The merge dialog for ``rows``; ``typed``: the name and label
        chosen before (a merge the file refused, offered again)."""
        if len(rows) < 2:
            return None
        # the longest, most mentioned name first: usually the full one
        names = list(dict.fromkeys(([typed[0]] if typed else []) + [r["name"] for r in sorted(
            rows, key=lambda r: (-len(r["name"]), -r["mentions"]))]))
        listed = "\n".join(f"• {r['name']} ({r['label']}, {r['mentions']:,} "
                           f"mention{'s' if r['mentions'] != 1 else ''})" for r in rows[:12])
        more = f"\n… and {len(rows) - 12} more" if len(rows) > 12 else ""
        dialog = EntityDialog(f"Merge {len(rows)} entities", self._labels,
                              typed[1] if typed else rows[0]["label"], names=names,
                              about=f"Merging:\n{listed}{more}", parent=self)

        def accepted(name: str, label: str) -> None:
            if name:
                self.mergeRequested.emit(rows, name, label)
        return self._open(dialog, accepted)

    def ask_label(self, row: dict) -> EntityDialog:
        articles = row.get("articles")
        where = f" in {articles:,} article{'s' if articles != 1 else ''}" if articles else ""
        dialog = EntityDialog(
            f"Correct the label of “{row['name']}”", self._labels, row["label"],
            about=f"“{row['name']}” is labelled {row['label']}{where}. Every mention with "
                  "this text takes the label you choose; re-analysis keeps it.",
            parent=self)

        def accepted(_name: str, label: str) -> None:
            if label != row["label"]:
                self.labelCorrectionRequested.emit(row, label)
        return self._open(dialog, accepted)
