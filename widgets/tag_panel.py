"""The codebook panel: tags with colour, shortcut key and passage count,
and the dialogs to create, rename, recolour, describe, merge and delete them.

A category (a tag whose ``codable`` is 0: it groups tags and is not used
for tagging, as QualCoder's categories come in) is shown in italics with a
tooltip saying so; a tag's context menu has "Use for tagging" to turn one
into the other."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (QButtonGroup, QColorDialog, QComboBox, QDialog,
                               QDialogButtonBox, QFormLayout, QHBoxLayout, QHeaderView,
                               QInputDialog, QLabel, QMenu, QPlainTextEdit, QRadioButton,
                               QToolButton,
                               QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget)

from widgets.passage_menu import ask_plain_question, color_icon
from widgets.plain_text import plain_tooltip
from widgets.row_style import NUMBER_ALIGNMENT, roomy, set_apart
from widgets.wording import counted

class DeleteTagDialog(QDialog):
    """Asks what happens to a tag's passages: delete them or move them."""

    def __init__(self, tag: dict, others: list[dict], parent=None):
        super().__init__(parent)
        self.setWindowTitle("Delete tag")
        layout = QVBoxLayout(self)
        label = QLabel(f"The tag “{tag['name']}” has {tag['passage_count']:,} "
                       f"passage(s). What should happen to them?")
        label.setTextFormat(Qt.TextFormat.PlainText)
        label.setWordWrap(True)
        layout.addWidget(label)
        self.delete_radio = QRadioButton("Delete the passages too")
        self.move_radio = QRadioButton("Move them to:")
        self.target = QComboBox()
        for other in others:
            self.target.addItem(color_icon(other["color"]), other["name"], other["id"])
        group = QButtonGroup(self)
        group.addButton(self.delete_radio)
        group.addButton(self.move_radio)
        self.move_radio.setEnabled(bool(others))
        (self.move_radio if others else self.delete_radio).setChecked(True)
        row = QHBoxLayout()
        row.addWidget(self.move_radio)
        row.addWidget(self.target, 1)
        layout.addWidget(self.delete_radio)
        layout.addLayout(row)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Delete tag")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def move_to(self) -> int | None:
        return self.target.currentData() if self.move_radio.isChecked() else None


def placed_parents(tags: list[dict]) -> dict[int, int | None]:
    """Each tag's parent in the tree (None: at the top level). A parent that
    is missing, or that would close a loop (a file damaged by an older merge
    can hold one, and Qt hangs adding an item under its own child), is
    dropped: the tag that closes the loop, in list order, goes to the top."""
    known = {tag["id"] for tag in tags}
    placed: dict[int, int | None] = {}
    for tag in tags:
        parent = tag.get("parent_id") if tag.get("parent_id") in known else None
        above = parent
        while above is not None and above != tag["id"]:
            above = placed.get(above)
        placed[tag["id"]] = None if above == tag["id"] else parent
    return placed


def descendant_ids(tags: list[dict], tag_id: int) -> set[int]:
    """``tag_id`` and every tag below it, from the tags' ``parent_id``."""
    found, grew = {tag_id}, True
    while grew:
        more = {t["id"] for t in tags if t.get("parent_id") in found} - found
        found |= more
        grew = bool(more)
    return found


class TagDetailsDialog(QDialog):
    """A tag's description and key (1–9 or none); a key another tag has is
    offered as a swap."""

    def __init__(self, tag: dict, tags: list[dict], parent=None):
        super().__init__(parent)
        self.setWindowTitle(f"Details of “{tag['name']}”")
        self.description = QPlainTextEdit(tag.get("description") or "")
        self.description.setTabChangesFocus(True)
        self.key_box = QComboBox()
        self.key_box.addItem("No key", 0)
        holders = {t["shortcut"]: t for t in tags if t["shortcut"] and t["id"] != tag["id"]}
        for key in range(1, 10):
            other = holders.get(key)
            self.key_box.addItem(f"{key}  (swap with “{other['name']}”)" if other
                                 else str(key), key)
        self.key_box.setCurrentIndex(self.key_box.findData(tag["shortcut"] or 0))
        self.parent_box = QComboBox()
        self.parent_box.addItem("None (top level)", 0)
        below = descendant_ids(tags, tag["id"])
        for other in tags:
            if other["id"] not in below:
                self.parent_box.addItem(color_icon(other["color"]), other["name"], other["id"])
        self.parent_box.setCurrentIndex(
            max(0, self.parent_box.findData(tag.get("parent_id") or 0)))
        form = QFormLayout()
        form.addRow("&Description:", self.description)
        form.addRow("&Key:", self.key_box)
        form.addRow("&Under:", self.parent_box)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(buttons)
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)

    def values(self) -> tuple[str, int, int]:
        """(description, key, parent id) — 0 is no key, no parent."""
        return (self.description.toPlainText().strip(), self.key_box.currentData(),
                self.parent_box.currentData())


class MergeTagDialog(QDialog):
    """Which tag to merge a tag into."""

    def __init__(self, tag: dict, others: list[dict], parent=None):
        super().__init__(parent)
        self.setWindowTitle(f"Merge “{tag['name']}”")
        label = QLabel(f"Move the {counted(tag.get('passage_count', 0), 'passage')} of "
                       f"“{tag['name']}” "
                       "to the tag below and delete it. A passage the same analyst has "
                       "under the other tag at the same place is kept once, with both "
                       "notes; other analysts' passages all move.")
        label.setTextFormat(Qt.TextFormat.PlainText)
        label.setWordWrap(True)
        self.target = QComboBox()
        for other in others:
            self.target.addItem(color_icon(other["color"]), other["name"], other["id"])
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText("Merge")
        self.ok_button.setEnabled(bool(others))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form = QFormLayout()
        form.addRow("&Into:", self.target)
        layout = QVBoxLayout(self)
        layout.addWidget(label)
        layout.addLayout(form)
        layout.addWidget(buttons)


class TagPanel(QWidget):
    """Lists the codebook; emits what the analyst wants done with tags."""

    applyRequested = Signal(int)
    #: a tag key (1–9) pressed in the codebook: the reader's selection is
    #: tagged with that key's tag, as in the text (the heading says so)
    tagKeyPressed = Signal(int)
    #: a new tag's name (the window gives it a colour unlike the others)
    createRequested = Signal(str)
    renameRequested = Signal(int, str)
    recolourRequested = Signal(int, str)
    #: tag id, description, key (0: no key), parent tag id (0: top level)
    detailsRequested = Signal(int, str, int, int)
    #: the tag merged (it goes away), the tag it is merged into
    mergeRequested = Signal(int, int)
    #: tag id, and the tag to move its passages to (0: delete them)
    deleteRequested = Signal(int, int)
    #: tag id, and whether it is used for tagging (False: a category)
    codableRequested = Signal(int, bool)

    #: the tooltip of a category's name (before its description, if any)
    CATEGORY_TIP = "Category: groups tags; not used for tagging"

    def __init__(self, parent=None):
        super().__init__(parent)
        self._tags: list[dict] = []
        self._items: dict[int, QTreeWidgetItem] = {}
        #: the count each row shows, by tag id (compared without asking the rows)
        self._counts: dict[int, str] = {}
        #: whether the tree's font draws all digits as wide (None: not measured)
        self._even_digits: bool | None = None
        self.details_dialog: TagDetailsDialog | None = None
        self.merge_dialog: MergeTagDialog | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.tree = roomy(QTreeWidget())
        self.tree.setRootIsDecorated(False)   # until a tag has a parent
        self.tree.setHeaderLabels(["Tag", "Key", "Passages"])
        header = self.tree.header()
        header.setStretchLastSection(False)     # the names get the room, not the counts
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        # the key and counts columns are fitted when the codebook is rebuilt,
        # and the counts widened when a count needs it (_fit_counts): fitted
        # to their contents, every changed count measured every row again
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Interactive)
        self.tree.setUniformRowHeights(True)    # one line each: no row measured
        self.tree.itemActivated.connect(lambda item, _c: self.applyRequested.emit(
            item.data(0, Qt.ItemDataRole.UserRole)))
        self.tree.installEventFilter(self)      # F2 renames, Delete deletes
        self.tree.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.tree.customContextMenuRequested.connect(self._context_menu)
        layout.addWidget(self.tree)
        # two rows, so the panel (and the window) can be narrow
        rows = [QHBoxLayout(), QHBoxLayout()]
        self.buttons = {}
        for key, text, tip, slot in (
                ("apply", "Tag selection", "Tag the selected text with this tag (Enter)",
                 lambda: self._with_current(self.applyRequested.emit)),
                ("new", "New…", "Create a tag", self.ask_create),
                ("rename", "Rename…", "Rename the tag", lambda: self._with_current(self.ask_rename)),
                ("colour", "Colour…", "Change the tag's colour",
                 lambda: self._with_current(self.ask_recolour)),
                ("details", "Details…", "The tag's description and key",
                 lambda: self._with_current(self.ask_details)),
                ("merge", "Merge…", "Merge the tag into another one",
                 lambda: self._with_current(self.ask_merge)),
                ("delete", "Delete…", "Delete the tag", lambda: self._with_current(self.ask_delete))):
            button = QToolButton()
            button.setText(text)
            button.setToolTip(tip)
            button.clicked.connect(slot)
            rows[len(self.buttons) >= 4].addWidget(button)
            self.buttons[key] = button
        for row in rows:
            row.addStretch(1)
            layout.addLayout(row)
        # the buttons act on the tag picked in the list: without one they
        # are disabled (clicked, they did nothing, saying nothing)
        self._tips = {key: button.toolTip() for key, button in self.buttons.items()}
        self.tree.currentItemChanged.connect(lambda *_: self._enable_buttons())
        self._enable_buttons()

    def set_tags(self, tags: list[dict]) -> None:
        tags = list(tags)
        if self._shape(tags) == self._shape(self._tags) and self._items:
            self._tags = tags       # only counts changed (a tag saved): no rebuild
            parents = self._parents(tags)
            for tag in tags:
                text = self._count_text(tag, tags, parents)
                old = self._counts.get(tag["id"])
                if old != text:
                    self._counts[tag["id"]] = text
                    self._items[tag["id"]].setText(2, text)
                    if old is None or len(old) != len(text) or not self._digits_even():
                        self._fit_counts(text)
            return
        current = self.current_tag_id()
        self._tags = tags
        self.tree.clear()
        items: dict[int, QTreeWidgetItem] = {}
        self._items = items
        parents = self._parents(tags)
        self._counts = {tag["id"]: self._count_text(tag, tags, parents) for tag in tags}
        for tag in tags:
            item = QTreeWidgetItem([tag["name"], str(tag["shortcut"] or ""),
                                    self._counts[tag["id"]]])
            item.setIcon(0, color_icon(tag["color"]))
            item.setData(0, Qt.ItemDataRole.UserRole, tag["id"])
            item.setToolTip(0, plain_tooltip(tag.get("description") or tag["name"]))
            if not tag.get("codable", 1):
                self._show_as_category(item, tag)
            item.setTextAlignment(2, NUMBER_ALIGNMENT)
            items[tag["id"]] = item
        placed = placed_parents(tags)
        for tag in tags:   # in list order at every level
            parent = placed[tag["id"]]
            if parent is not None:
                items[parent].addChild(items[tag["id"]])
            else:
                self.tree.addTopLevelItem(items[tag["id"]])
        self.tree.setRootIsDecorated(any(item.childCount() for item in items.values()))
        self.tree.expandAll()
        self.tree.resizeColumnToContents(1)
        self.tree.resizeColumnToContents(2)
        if current in items:
            self.tree.setCurrentItem(items[current])

    def _digits_even(self) -> bool:
        """Whether the tree's font draws every digit as wide (most fonts do):
        a count then takes the room of the one it replaces if it is as long,
        and the column need not be measured again at each tag saved."""
        if self._even_digits is None:
            metrics = self.tree.fontMetrics()
            self._even_digits = len({metrics.horizontalAdvance(d) for d in "0123456789"}) == 1
        return self._even_digits

    def _fit_counts(self, text: str) -> None:
        """Widen the counts column if ``text`` no longer fits it."""
        needed = self.tree.fontMetrics().horizontalAdvance(text) + 16
        if needed > self.tree.header().sectionSize(2):
            self.tree.header().resizeSection(2, needed)

    @staticmethod
    def _shape(tags: list[dict]) -> list[tuple]:
        """Everything the tree shows of the codebook but the counts."""
        return [(t["id"], t["name"], t["color"], t["shortcut"], t.get("parent_id"),
                 t.get("description"), t.get("codable", 1)) for t in tags]

    @staticmethod
    def _parents(tags: list[dict]) -> set[int]:
        """The ids of the tags with a tag below them (once per refresh: asked
        of every tag, it cost 0.1 ms of each tag save in a 90-tag codebook)."""
        return {t["parent_id"] for t in tags if t.get("parent_id") is not None}

    @staticmethod
    def _count_text(tag: dict, tags: list[dict], parents: set[int]) -> str:
        """A tag's passages; a parent's (in ``parents``) also, in brackets,
        with all below it."""
        count = f"{tag.get('passage_count', 0):,}"
        if tag["id"] in parents:
            family = descendant_ids(tags, tag["id"])
            count += f" ({sum(t.get('passage_count', 0) for t in tags if t['id'] in family):,})"
        return count

    def tags(self) -> list[dict]:
        return list(self._tags)

    def _show_as_category(self, item: QTreeWidgetItem, tag: dict) -> None:
        """A category's row: its name in italics, a tooltip saying what it is."""
        set_apart(item)
        description = (tag.get("description") or "").strip()
        item.setToolTip(0, plain_tooltip(self.CATEGORY_TIP + (
            f"\n\n{description}" if description else "")))

    def tag_menu(self, tag_id: int) -> QMenu:
        """A tag's context menu: the buttons' actions (on the current tag),
        then "Use for tagging", checked unless the tag is a category."""
        menu = QMenu(self)
        for button in self.buttons.values():
            menu.addAction(button.text()).triggered.connect(button.click)
        menu.addSeparator()
        use = menu.addAction("Use for tagging")
        use.setCheckable(True)
        use.setChecked(bool(self._tag(tag_id).get("codable", 1)))
        use.triggered.connect(lambda checked: self.codableRequested.emit(tag_id, checked))
        return menu

    def _context_menu(self, pos) -> None:
        item = self.tree.itemAt(pos)
        if item is None:
            return
        self.tree.setCurrentItem(item)
        menu = self.tag_menu(item.data(0, Qt.ItemDataRole.UserRole))
        menu.exec(self.tree.viewport().mapToGlobal(pos))
        menu.deleteLater()

    #: keys of the tree and what they open for the current tag
    _TREE_KEYS = {Qt.Key.Key_F2: "ask_rename", Qt.Key.Key_Delete: "ask_delete"}

    def eventFilter(self, watched, event) -> bool:
        """F2 (Rename…) and Delete (Delete…) on the current tag: the tree
        claims F2 from the window's Edit details… while it has the focus.
        A tag key (1–9) tags the reader's selection (:attr:`tagKeyPressed`)."""
        if watched is self.tree and event.type() == QEvent.Type.FontChange:
            self._even_digits = None            # zoomed: measured again, and the
            self.tree.resizeColumnToContents(2)  # counts fitted to the new font
        if watched is self.tree and event.type() in (QEvent.Type.ShortcutOverride,
                                                     QEvent.Type.KeyPress):
            digit = event.key() - Qt.Key.Key_0
            if 1 <= digit <= 9 and not event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier:
                event.accept()      # (not the tree's type-ahead search)
                if event.type() == QEvent.Type.KeyPress:
                    self.tagKeyPressed.emit(digit)
                return True
            action = self._TREE_KEYS.get(event.key())
            if action and not event.modifiers() and self.current_tag_id() is not None:
                event.accept()
                if event.type() == QEvent.Type.KeyPress:
                    getattr(self, action)(self.current_tag_id())
                return True
        return super().eventFilter(watched, event)

    def _enable_buttons(self) -> None:
        picked = self.current_tag_id() is not None
        for key, button in self.buttons.items():
            if key != "new":
                button.setEnabled(picked)
                button.setToolTip(self._tips[key] if picked else
                                  f"{self._tips[key]} — pick a tag in the list first")

    def select_tag(self, tag_id: int) -> None:
        """Make a tag the current one (shown, with the keyboard focus)."""
        item = self._items.get(tag_id)
        if item is not None:
            self.tree.setCurrentItem(item)
            self.tree.scrollToItem(item)
            self.tree.setFocus()

    def current_tag_id(self) -> int | None:
        item = self.tree.currentItem()
        return item.data(0, Qt.ItemDataRole.UserRole) if item else None

    def _tag(self, tag_id: int) -> dict:
        return next(t for t in self._tags if t["id"] == tag_id)

    def _with_current(self, action) -> None:
        tag_id = self.current_tag_id()
        if tag_id is not None:
            action(tag_id)

    # dialogs: each ends in one signal
    # (``typed``: what the analyst typed before the change was refused, a
    # busy file say — offered again, never lost)
    def ask_create(self, *, typed: str = "") -> None:
        name, ok = QInputDialog.getText(self, "New tag", "Name of the new tag:", text=typed)
        if ok and name.strip():
            self.createRequested.emit(name.strip())

    def ask_rename(self, tag_id: int, *, typed: str | None = None) -> None:
        tag = self._tag(tag_id)
        name, ok = QInputDialog.getText(self, "Rename tag", "New name:",
                                        text=tag["name"] if typed is None else typed)
        if ok and name.strip() and name.strip() != tag["name"]:
            self.renameRequested.emit(tag_id, name.strip())

    def ask_recolour(self, tag_id: int) -> None:
        tag = self._tag(tag_id)
        color = QColorDialog.getColor(QColor(tag["color"]), self, f"Colour of {tag['name']}")
        if color.isValid():
            self.recolourRequested.emit(tag_id, color.name())

    def ask_details(self, tag_id: int, *, typed: tuple | None = None) -> TagDetailsDialog:
        """Opens the details dialog (window-modal, not blocking); OK emits
        detailsRequested if something changed. ``typed``: (description,
        key, parent) as typed before a refusal."""
        tag = self._tag(tag_id)
        shown = tag if typed is None else dict(
            tag, description=typed[0], shortcut=typed[1] or None, parent_id=typed[2] or None)
        dialog = TagDetailsDialog(shown, self._tags, self)
        self.details_dialog = dialog

        def finished(result: int) -> None:
            self.details_dialog = None
            dialog.deleteLater()
            description, key, parent = dialog.values()
            if result == QDialog.DialogCode.Accepted and (
                    description != (tag.get("description") or "")
                    or key != (tag["shortcut"] or 0)
                    or parent != (tag.get("parent_id") or 0)):
                self.detailsRequested.emit(tag_id, description, key, parent)
        dialog.finished.connect(finished)
        dialog.open()
        return dialog

    def ask_merge(self, tag_id: int) -> MergeTagDialog:
        """Opens the merge dialog (window-modal, not blocking); Merge emits
        mergeRequested."""
        dialog = MergeTagDialog(self._tag(tag_id),
                                [t for t in self._tags if t["id"] != tag_id], self)
        self.merge_dialog = dialog

        def finished(result: int) -> None:
            self.merge_dialog = None
            dialog.deleteLater()
            target = dialog.target.currentData()
            if result == QDialog.DialogCode.Accepted and target is not None:
                self.mergeRequested.emit(tag_id, target)
        dialog.finished.connect(finished)
        dialog.open()
        return dialog

    def ask_delete(self, tag_id: int) -> None:
        tag = self._tag(tag_id)
        if not tag.get("passage_count"):
            if ask_plain_question(self, "Delete tag", f"Delete the tag “{tag['name']}”?"):
                self.deleteRequested.emit(tag_id, 0)
            return
        dialog = DeleteTagDialog(tag, [t for t in self._tags if t["id"] != tag_id], self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.deleteRequested.emit(tag_id, dialog.move_to() or 0)
