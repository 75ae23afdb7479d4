"""Passages of the article shown: tagging the selection (a tag key, the
codebook, a quote), notes, re-tagging and deleting (each undoable), the
Passages tab and going to a passage in the text.
"""

from __future__ import annotations

from PySide6.QtCore import Qt

from desktop.gui import commands
from desktop.gui.controller import Controller
from desktop.gui.reading_friction import ADJUST_SHORTCUT
from storage import export_selection, passages
from storage.changes import PASSAGES, TAGS, Changes
from widgets.passage_menu import ask_note, confirm_delete_passage


class PassagesController(Controller):
    """Tagging and the current article's passages."""

    WIDGETS = ("view", "passage_list", "article_list", "side_tabs", "tag_panel", "quote_panel")
    #: the analysts last shown (see show_analysts)
    _analysts: frozenset[str] = frozenset()

    def connect_signals(self) -> None:
        view = self.view
        view.tagKeyPressed.connect(self.tag_with_key)
        view.tagRequested.connect(self.tag_selection)
        view.emptySelectionKey.connect(
            lambda: self.statusBar().showMessage("Select some text first, then press a tag key.", 4000))
        view.passageNoteRequested.connect(self.edit_note)
        view.passageRetagRequested.connect(self.retag)
        view.passageDeleteRequested.connect(self.delete_passage)
        self.tag_panel.applyRequested.connect(self.tag_selection)
        self.tag_panel.tagKeyPressed.connect(self.tag_with_key)
        plist = self.passage_list
        plist.passageActivated.connect(self.go_to_passage)
        plist.noteRequested.connect(self.edit_note)
        plist.noteEdited.connect(self.note_edited_in_place)
        plist.retagRequested.connect(self.retag)
        plist.deleteRequested.connect(self.delete_passage)
        self.quote_panel.quoteTagRequested.connect(self.tag_quote)

    def tag_with_key(self, key: int) -> None:
        tag = next((t for t in self._tags if t["shortcut"] == key), None)
        if tag is None:
            self.statusBar().showMessage(f"No tag has the key {key}.", 4000)
            return
        self.tag_selection(tag["id"])

    def tag_selection(self, tag_id: int) -> None:
        selected = self.view.selection_range()
        if self.current_id is None or selected is None:
            self.statusBar().showMessage("Select some text first, then pick a tag.", 4000)
            return
        start, end = self._trim(*selected)
        if start >= end:        # (the blank between two paragraphs)
            self.statusBar().showMessage(
                "Select some text first (the selection is only blank space), then pick a tag.",
                4000)
            return
        tag = next(t for t in self._tags if t["id"] == tag_id)
        if passages.same_passage(
                self.db, article_id=self.current_id, tag_id=tag_id, start=start, end=end,
                analyst=self.preferences.analyst) is not None:
            self.statusBar().showMessage(
                f"These words are tagged “{tag['name']}” already; nothing was added.", 5000)
            return
        if self.run_command(commands.AddPassages(
                self.controllers.history, f"Tag as “{tag['name']}”", [dict(
                    article_id=self.current_id, tag_id=tag_id, start=start, end=end,
                    # refused if the stored text differs from the one shown
                    expected=self.view.article_text()[start:end])],
                self.preferences.analyst, article_id=self.current_id), "Tag passage"):
            self.statusBar().showMessage(
                f"Tagged {end - start} characters as “{tag['name']}”.", 5000)

    def tag_quote(self, digit: int, start: int, end: int) -> None:
        """Tag a whole quote with the tag on key ``digit``."""
        self.view.select_range(start, end)
        self.tag_with_key(digit)

    def _trim(self, start: int, end: int) -> tuple[int, int]:
        """Drop white space at the edges of a selection."""
        text = self.view.article_text()
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        return start, end

    def refresh_passages(self, *, tags_changed: bool = True) -> None:
        """Re-read the current article's passages and the counts after a change."""
        if tags_changed:
            self.controllers.codebook.refresh_tags()
        if self.current_id is None:
            return
        self.show_analysts()
        self._show_passages(passages.passages_for_article(self.db, self.current_id,
                                                          analysts=self.query.analysts))

    def _show_passages(self, rows: list[dict]) -> None:
        self.view.set_passages(rows)
        self.passage_list.set_passages(rows, self._tags)
        self.article_list.list_model.set_passage_count(self.current_id, len(rows))

    def on_changes(self, changes: Changes) -> None:
        """The shown article's passages again, if the change concerns them
        (the codebook controller has updated the tags already). A change of
        passages only that carries their rows (``extra["passages"]``, see
        :func:`storage.journal.step_changes`) is applied to the rows shown,
        with nothing read back."""
        carried = changes.extra.get("passages")
        if changes.touches(PASSAGES) and (carried is None or any(
                row is None or (row.get("analyst") or "") not in self._analysts
                for row in carried.values())):
            self.show_analysts()    # on any article: one may have come, or gone
        if not (changes.touches(PASSAGES, TAGS) and changes.touches_article(self.current_id)):
            return
        if carried is not None and not changes.touches(TAGS) and not self.query.analysts:
            # the Passages tab shows the current article's passages (the
            # reader fills it when it opens one)
            self._show_passages(self._applied(self.passage_list.passages(), carried))
        else:
            self.refresh_passages(tags_changed=False)

    def show_analysts(self) -> None:
        """The analysts whose passages the window may show (the file's, or
        those View → Passages chose), read a seek per analyst: with several,
        the Passages tab names who coded each passage, on every article."""
        self._analysts = frozenset(export_selection.analysts(self.db,
                                                             among=self.query.analysts))
        self.passage_list.set_analysts(self._analysts)

    def _applied(self, shown: list[dict], carried: dict[int, dict | None]) -> list[dict]:
        """``shown`` with the ``carried`` rows put in (None: deleted), in
        the order :func:`storage.passages.passages_for_article` gives."""
        rows = [row for row in shown if row["id"] not in carried]
        for row in carried.values():
            if row is not None and row["article_id"] == self.current_id:
                tag = self.state.tag(row["tag_id"]) or {}
                rows.append(dict(row, tag=tag.get("name", ""), color=tag.get("color", "")))
        return sorted(rows, key=lambda r: (r["start"], r["end"], r["id"]))

    def edit_note(self, passage_id: int, typed: str | None = None) -> None:
        """The note dialog; a note whose saving is refused (the file busy
        with another writer, a full disk) comes back in it as typed, after
        the error — never lost to the refusal."""
        while (passage := passages.get_passage(self.db, passage_id)) is not None:
            note = ask_note(self.window, passage, typed)
            if note is None or self.set_note(passage_id, note):
                return
            typed = note

    def note_edited_in_place(self, passage_id: int, note: str) -> None:
        """A note typed in the Passages tab: if saving it is refused, the
        dialog offers it again (the list shows the stored note)."""
        if not self.set_note(passage_id, note):
            self.edit_note(passage_id, note)
            self.refresh_passages(tags_changed=False)   # a note dropped: the stored one

    def set_note(self, passage_id: int, note: str) -> bool:
        """Store a passage's note; False if the change was refused (the
        error was shown), True if it is stored or there was nothing to do."""
        passage = passages.get_passage(self.db, passage_id)
        if passage is None or passage["note"] == note:
            return True
        if not self.run_command(commands.ChangePassage(
                self.controllers.history, "Edit note", passage_id,
                lambda db, pid: passages.set_note(db, pid, note),
                article_id=passage["article_id"]), "Edit note", go_to_article=False):
            return False
        self.statusBar().showMessage(
            ("Note saved." if note.strip() else "Note removed.") + " Ctrl+Z undoes it.", 5000)
        return True

    def retag(self, passage_id: int, tag_id: int) -> None:
        passage = passages.get_passage(self.db, passage_id)
        if passage is None:
            return
        name = self.state.tag_name(tag_id)
        if self.run_command(commands.ChangePassage(
                self.controllers.history, f"Re-tag passage as “{name}”",
                passage_id, lambda db, pid: passages.retag_passage(db, pid, tag_id),
                article_id=passage["article_id"], tag_id=tag_id), "Re-tag passage"):
            self.statusBar().showMessage(f"Re-tagged as “{name}”. Ctrl+Z undoes it.", 5000)

    def delete_passage(self, passage_id: int) -> None:
        passage = passages.get_passage(self.db, passage_id)
        if passage and confirm_delete_passage(self.window, passage):
            if self.run_command(commands.DeletePassage(self.controllers.history, passage_id,
                                                       article_id=passage["article_id"]),
                                "Delete passage"):
                self.statusBar().showMessage(
                    f"Deleted the “{passage['tag']}” passage. Ctrl+Z brings it back.", 5000)

    def focus_passages(self) -> None:
        """The Passages tab, a passage current (see :meth:`_passage_to_focus`):
        ↑/↓ go through them, Enter shows one in the text, F2 edits its note,
        Delete deletes it."""
        self.window.view_menu.show_panel("side", True)
        self.side_tabs.setCurrentWidget(self.passage_list)
        plist = self.passage_list
        chosen = self._passage_to_focus()
        if chosen is not None:
            plist.setCurrentItem(plist.topLevelItem(plist.passage_ids().index(chosen)))
        plist.setFocus()

    def _passage_to_focus(self) -> int | None:
        """The passage on the words selected in the reader (the analyst's
        own, newest first: the one just tagged), else the current one, else
        the analyst's first, else the first. (The first row was taken: tag,
        Ctrl+Shift+P, F2 wrote the note on a colleague's passage.)"""
        ids = self.passage_list.passage_ids()
        if not ids:
            return None
        rows = {p["id"]: p for p in self.passage_list.passages()}
        me = self.preferences.analyst
        selected = self.view.selection_range()
        if selected is not None:
            span = self._trim(*selected)
            on_it = [i for i in ids if (rows[i]["start"], rows[i]["end"]) == span]
            mine = [i for i in on_it if rows[i].get("analyst") == me]
            if on_it:
                return max(mine or on_it)
        current = self.passage_list.currentItem()
        if current is not None:
            return current.data(0, Qt.ItemDataRole.UserRole)
        return next((i for i in ids if rows[i].get("analyst") == me), ids[0])

    def go_to_passage(self, passage_id: int) -> None:
        passage = passages.get_passage(self.db, passage_id)
        if passage and passage["article_id"] == self.current_id:
            if passage["anchor"] == "orphaned":
                self.statusBar().showMessage(
                    "This passage's words are no longer in the article as they were (its "
                    "text was edited); it is kept with its text and note. Select its words "
                    f"and press {ADJUST_SHORTCUT} to put it on them again.", 10000)
                return
            self.controllers.reader.go_to_span(passage["start"], passage["end"])
