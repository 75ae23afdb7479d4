"""Menus and small dialogs shared by every view that shows tagged passages."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import QDialog, QInputDialog, QMenu, QMessageBox, QWidget

from widgets.plain_text import plain_labels


#: the swatches made so far, by colour and size (a tag saved made its
#: Passages row's swatch anew: 0.05 ms of the save)
_SWATCHES: dict[tuple[str, int], QIcon] = {}


def color_icon(color: str, size: int = 14) -> QIcon:
    """A square swatch of ``color``, edged in half-transparent grey so that
    a dark tag colour still shows on a dark theme (and a pale one on light);
    made once per colour and size (a ``QIcon`` is shared, not copied)."""
    icon = _SWATCHES.get((color, size))
    if icon is None:
        icon = _SWATCHES[(color, size)] = _swatch(color, size)
    return icon


def _swatch(color: str, size: int) -> QIcon:
    pixmap = QPixmap(size, size)
    pixmap.fill(QColor(color))
    painter = QPainter(pixmap)
    painter.setPen(QColor(128, 128, 128, 160))
    painter.drawRect(0, 0, size - 1, size - 1)
    painter.end()
    return QIcon(pixmap)


def tag_label(tag: dict) -> str:
    """A tag's menu text, with its shortcut key when it has one."""
    name = tag["name"].replace("&", "&&")
    return f"{name}\t{tag['shortcut']}" if tag.get("shortcut") else name


def add_tag_actions(menu: QMenu, tags: list[dict], on_pick: Callable[[int], None],
                    exclude: int | None = None) -> None:
    """One action per tag (with colour swatch) calling ``on_pick(tag_id)``,
    nested as the codebook is: a tag with tags below it is a submenu (the
    tag itself first in it). A category (``codable`` 0) tags nothing: it is
    a submenu of its tags only, or left out when it has none."""
    ids = {tag["id"] for tag in tags}
    below: dict[int | None, list[dict]] = {}
    for tag in tags:
        parent = tag.get("parent_id")
        below.setdefault(parent if parent in ids else None, []).append(tag)

    def fill(into: QMenu, parent: int | None) -> None:
        for tag in below.get(parent, []):
            pickable = tag.get("codable", 1) and tag["id"] != exclude
            if below.get(tag["id"]):
                submenu = into.addMenu(color_icon(tag["color"]), tag_label(tag))
                if pickable:
                    _pick_action(submenu, tag, on_pick)
                    submenu.addSeparator()
                fill(submenu, tag["id"])
            elif pickable:
                _pick_action(into, tag, on_pick)
    fill(menu, None)
    if not tags:
        menu.addAction("(no tags yet)").setEnabled(False)


def _pick_action(menu: QMenu, tag: dict, on_pick: Callable[[int], None]) -> None:
    action = menu.addAction(color_icon(tag["color"]), tag_label(tag))
    action.triggered.connect(lambda _=False, tag_id=tag["id"]: on_pick(tag_id))


def add_passage_actions(menu: QMenu, passage: dict, tags: list[dict], *,
                        on_note: Callable[[int], None],
                        on_retag: Callable[[int, int], None],
                        on_delete: Callable[[int], None]) -> None:
    """Edit note / re-tag / delete actions for one passage."""
    snippet = passage["text"][:30] + ("…" if len(passage["text"]) > 30 else "")
    header = menu.addSection(f"{passage['tag']}: {snippet}".replace("&", "&&"))
    header.setEnabled(False)
    menu.addAction("Edit note…").triggered.connect(lambda: on_note(passage["id"]))
    retag = menu.addMenu("Re-tag as")
    add_tag_actions(retag, tags, lambda tag_id: on_retag(passage["id"], tag_id),
                    exclude=passage["tag_id"])
    menu.addAction("Delete passage").triggered.connect(lambda: on_delete(passage["id"]))


def ask_note(parent: QWidget, passage: dict, typed: str | None = None) -> str | None:
    """Ask for a passage's note; None if the user cancelled. ``typed``: a
    note whose saving failed, offered again as it was typed."""
    dialog = QInputDialog(parent)
    dialog.setWindowTitle("Passage note")
    dialog.setOption(QInputDialog.InputDialogOption.UsePlainTextEditForTextInput)
    label = f"Note on “{passage['text'][:60]}”:"
    if typed is not None:
        label = ("This note was not saved (the message before said why). OK tries again; "
                 "Cancel drops it.\n\n" + label)
    dialog.setLabelText(label)
    dialog.setTextValue(passage.get("note", "") if typed is None else typed)
    plain_labels(dialog)            # the passage's words are never rendered as markup
    return dialog.textValue() if dialog.exec() == QDialog.DialogCode.Accepted else None


def confirm_delete_passage(parent: QWidget, passage: dict) -> bool:
    """Ask before deleting a passage."""
    return ask_plain_question(
        parent, "Delete passage",
        f"Delete the passage tagged “{passage['tag']}”?\n\n{passage['text'][:200]}")


def ask_plain_question(parent: QWidget, title: str, text: str) -> bool:
    """A Yes/No question whose text is never interpreted as HTML."""
    box = QMessageBox(QMessageBox.Icon.Question, title, text,
                      QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                      parent)
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.setDefaultButton(QMessageBox.StandardButton.No)
    return box.exec() == QMessageBox.StandardButton.Yes
