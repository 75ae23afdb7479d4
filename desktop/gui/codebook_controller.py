"""The codebook: create, rename, recolour, describe, merge and delete tags,
make one a category or use it for tagging again (each one undoable step),
the tag panel and every view of the tags, and codebook files (JSON,
REFI-QDA .qdc) exported and imported. Tagging with a category is refused
here, whichever way it was asked for (a key, the codebook, a menu).
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QFileDialog

from desktop.gui import commands
from desktop.gui.controller import Controller
from storage import tags
from storage.changes import PASSAGES, TAGS, Changes
from widgets.passage_menu import ask_plain_question
from widgets.plain_text import plain_warning
from widgets.wording import counted

log = logging.getLogger(__name__)


class CodebookController(Controller):
    """Undoable codebook changes, the views of the tags, and codebook files."""

    WIDGETS = ("tag_panel", "view", "article_filters")

    def __init__(self, window, state, ops):
        super().__init__(window, state, ops)
        state.events.tags.connect(self._show_tags)

    def connect_signals(self) -> None:
        panel = self.tag_panel
        panel.createRequested.connect(self.create_tag)
        panel.renameRequested.connect(self.rename_tag)
        panel.recolourRequested.connect(self.recolour_tag)
        panel.detailsRequested.connect(self.describe_tag)
        panel.mergeRequested.connect(self.merge_tags)
        panel.deleteRequested.connect(self.delete_tag)
        panel.codableRequested.connect(self.set_codable)
        self.controllers.history.refuse_when(self._refuse_tagging_with_a_category)

    def create_tag(self, name: str, color: str | None = None) -> None:
        """A new tag — by default in a colour unlike every other tag's — made
        the current tag of the codebook, ready for its key or colour."""
        color = color or tags.unused_colour(t["color"] for t in self._tags)
        command = commands.CreateTag(self.controllers.history, name, color)
        if self.run_command(command, "New tag"):
            self.tag_panel.select_tag(command.row["id"])
        elif self.ops.refusal_may_pass():   # (after the error) the name comes back as typed
            QTimer.singleShot(0, lambda: self.tag_panel.ask_create(typed=name))

    def _change_tags(self, title: str, text: str, tag_ids: list[int], change) -> bool:
        return self.run_command(commands.ChangeTags(self.controllers.history, text, tag_ids, change), title)

    def _tag_name(self, tag_id: int) -> str:
        return next((t["name"] for t in self._tags if t["id"] == tag_id), "tag")

    def rename_tag(self, tag_id: int, name: str) -> None:
        if not self._change_tags("Rename tag", f"Rename “{self._tag_name(tag_id)}” to “{name}”",
                                 [tag_id], lambda db: tags.rename_tag(db, tag_id, name)):
            self._offer_again(tag_id, lambda: self.tag_panel.ask_rename(tag_id, typed=name))

    def _offer_again(self, tag_id: int, ask) -> None:
        """A change the file refused (busy, full): its dialog comes back with
        what was typed, once the error is shown — if the tag is still there."""
        if self.ops.refusal_may_pass():
            QTimer.singleShot(0, lambda: ask() if self.state.tag(tag_id) else None)

    def recolour_tag(self, tag_id: int, color: str) -> None:
        self._change_tags("Tag colour", f"Recolour “{self._tag_name(tag_id)}”", [tag_id],
                          lambda db: tags.recolour_tag(db, tag_id, color))

    def describe_tag(self, tag_id: int, description: str, key: int, parent: int = 0) -> None:
        """A tag's description, key (0: none) and parent (0: top level); a tag
        that had the key swaps keys with it."""
        tag = tags.get_tag(self.db, tag_id)
        if tag is None:
            return
        other = tags.tag_with_shortcut(self.db, key) if key else None

        def change(db) -> None:
            tags.set_details(db, tag_id, description=description, shortcut=key or None,
                             parent_id=parent or None)
        if not self._change_tags(
                "Tag details", f"Edit details of “{tag['name']}”",
                [tag_id] + ([other["id"]] if other and other["id"] != tag_id else []), change):
            self._offer_again(tag_id, lambda: self.tag_panel.ask_details(
                tag_id, typed=(description, key, parent)))

    def set_codable(self, tag_id: int, codable: bool) -> None:
        """Use a tag for tagging, or make it a category (it groups tags and
        is not used for tagging): one undoable step."""
        name = self._tag_name(tag_id)
        text = f"Use “{name}” for tagging" if codable else f"Make “{name}” a category"
        if self._change_tags("Use for tagging", text, [tag_id],
                             lambda db: tags.set_codable(db, tag_id, codable)):
            self.statusBar().showMessage(
                (f"“{name}” is used for tagging now." if codable else
                 f"“{name}” is a category now: it groups tags and is not used for tagging.")
                + " Ctrl+Z undoes it.", 6000)

    def category_refusal(self, tag_ids) -> str | None:
        """Why tagging with ``tag_ids`` is refused — one of them is a
        category, as the codebook lists it — or None."""
        for tag_id in tag_ids:
            # the codebook as listed: re-read at every change of tags, here
            # or elsewhere (a tag save reads nothing back)
            tag = self.state.tag(tag_id) or tags.get_tag(self.db, tag_id)
            if tag is not None and not tag.get("codable", 1):
                return (f"“{tag['name']}” is a category: it groups tags and is not used "
                        "for tagging. Nothing was tagged. To tag with it, right-click it in "
                        "the codebook and tick “Use for tagging”.")
        return None

    def _refuse_tagging_with_a_category(self, command) -> str | None:
        given = command.tags_given()
        return self.category_refusal(given) if given else None

    def merge_tags(self, tag_id: int, into: int) -> None:
        """Merge a tag into another: one undoable step."""
        tag, target = tags.get_tag(self.db, tag_id), tags.get_tag(self.db, into)
        if tag is None or target is None:
            return
        self._change_tags("Merge tags", f"Merge “{tag['name']}” into “{target['name']}”",
                          [tag_id, into], lambda db: tags.merge_tags(db, tag_id, into))

    def export_codebook(self, path: Path | None = None) -> bool:
        """Write the codebook (File → Export codebook…) as JSON or as a
        REFI-QDA codebook (.qdc): the format by the extension of the name,
        else by the chosen file filter."""
        from desktop.codebook_files import (
            FILTERS,
            export_codebook,
            format_of,
            with_suffix,
        )
        from desktop.codebook_json import CodebookFileError

        fmt = format_of(path) if path is not None else None
        if path is None:
            chosen, chosen_filter = QFileDialog.getSaveFileName(
                self.window, "Export codebook",
                str(self.preferences.folder("export") / "codebook.json"),
                ";;".join(FILTERS.values()))
            if not chosen:
                return False
            self.preferences.remember_folder("export", chosen)
            # a name typed with .json or .qdc says the format; else the filter does
            fmt = format_of(Path(chosen), next(
                (f for f, text in FILTERS.items() if text == chosen_filter), "json"))
            path = with_suffix(Path(chosen), fmt)
        try:
            count = export_codebook(self.db, path, fmt)
        except (OSError, CodebookFileError) as error:
            plain_warning(self.window, "Export codebook", f"Cannot write {path}: {error}")
            return False
        self.statusBar().showMessage(f"Exported {count} tags to {path}.", 5000)
        return True

    def import_codebook(self, path: Path | None = None) -> bool:
        """Merge a JSON or REFI-QDA (.qdc) codebook into the tags, as one
        undoable step; what was created, updated and skipped is reported."""
        from desktop.codebook_files import FILTERS, import_lines, read_codebook_file
        from desktop.codebook_json import CodebookFileError

        if path is None:
            patterns = " ".join(f"*.{fmt}" for fmt in FILTERS)
            chosen, _ = QFileDialog.getOpenFileName(
                self.window, "Import codebook", str(self.preferences.folder("import")),
                ";;".join([f"Codebook ({patterns})", *FILTERS.values()]))
            if not chosen:
                return False
            path = Path(chosen)
            self.preferences.remember_folder("import", path)
        try:
            found = read_codebook_file(path)
        except CodebookFileError as error:
            plain_warning(self.window, "Import codebook", f"{Path(path).name}: {error}")
            return False
        command = commands.ImportCodebook(self.controllers.history, f"Import codebook {Path(path).name}",
                                          found.entries)
        if not self.run_command(command, "Import codebook"):
            return False
        summary, _details = import_lines(command.counts, found.skipped)
        self.ops.report("Import codebook", f"Codebook imported: {summary}.",
                        [f"{what}: {why}" for what, why in found.renamed + found.skipped],
                        status=lambda text: self.statusBar().showMessage(text, 8000))
        return True

    def delete_tag(self, tag_id: int, move_to: int) -> None:
        tag = tags.get_tag(self.db, tag_id)
        if tag is None:
            return
        # the codebook counts the passages of the analysts shown (blind
        # coding: one's own): deleting a tag none of them used deleted the
        # others' passages under it, asked only "Delete the tag?"
        hidden = tag["passage_count"] - (self.state.tag(tag_id) or {}).get("passage_count", 0)
        if not move_to and hidden > 0 and not ask_plain_question(
                self.window, "Delete tag",
                f"“{tag['name']}” also tags {counted(hidden, 'passage')} of analysts not "
                "shown (View → Passages). Deleting the tag deletes them too (Ctrl+Z "
                "brings them back). Delete it?"):
            return
        self._change_tags("Delete tag", f"Delete tag “{tag['name']}”",
                          [tag_id] + ([move_to] if move_to else []),
                          lambda db: tags.delete_tag(db, tag_id,
                                                     move_passages_to=move_to or None))

    def refresh_tags(self) -> None:
        """Re-read the codebook (names, keys, colours, passage counts)."""
        self.state.tags = tags.list_tags(self.db, analysts=self.query.analysts)

    def _show_tags(self, rows: list[dict]) -> None:
        self.tag_panel.set_tags(rows)
        self.view.set_tags(rows)
        self.article_filters.set_tags(rows)

    def on_changes(self, changes: Changes) -> None:
        """Passage counts and the tags themselves live in the codebook. A
        change of passages only that says how each tag's count moved
        (``extra["tag_counts"]``, see :func:`storage.journal.step_changes`)
        moves the listed counts, with nothing read back — unless the list
        counts some analysts' passages only."""
        counts = changes.extra.get("tag_counts")
        if (changes.touches(PASSAGES) and not changes.touches(TAGS) and counts is not None
                and not self.query.analysts):
            self.state.tags = [dict(t, passage_count=t["passage_count"] + counts[t["id"]])
                               if t["id"] in counts else t for t in self.state.tags]
        elif changes.touches(TAGS, PASSAGES):
            self.refresh_tags()
