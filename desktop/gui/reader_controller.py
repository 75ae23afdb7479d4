"""The reader: the article shown (header, text with highlights, similar
articles, review status, memo, the Entities and Quotes tabs), editing its
details and text, and keeping the reader where the analyst was when others
change data.
"""

from __future__ import annotations

from contextlib import contextmanager

from PySide6.QtCore import QPoint, Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialog

from desktop.gui import commands
from desktop.gui.controller import Controller
from storage import (analyses, article_query, articles, entity_corrections, passages, quotes,
                     review, similarity)
from storage.anchoring import changed_stretch, merge_edits, outside_edit
from storage.changes import ANALYSIS, ARTICLE, ENTITIES, MEMO, REVIEW, TEXT, Changes
from widgets.article_details_dialog import ArticleDetailsDialog
from widgets.article_list import header_line
from widgets.passage_menu import ask_plain_question
from widgets.plain_text import plain_message
from widgets.text_offsets import OffsetMap
from widgets.wording import corrections_carried, counted


class ReaderController(Controller):
    """The article in the reader, and what edits it."""

    WIDGETS = ("view", "title_label", "meta_label", "legend", "similar_bar", "review_box",
               "details_button", "memo_editor", "side_tabs", "entity_panel", "quote_panel",
               "passage_list", "article_list")

    def connect_signals(self) -> None:
        #: memos whose saving failed (the file busy, the disk full), by
        #: article: kept until the database takes them
        self.unsaved_memos: dict[int, str] = {}
        #: the stored memo the editor's typing began on, by article (the
        #: one shown, and those waiting in unsaved_memos): a save carries it,
        #: so that a memo changed elsewhere meanwhile is merged, not overwritten
        self.memo_typed_on: dict[int, str] = {}
        self.article_list.articleSelected.connect(self.show_article)
        self.memo_editor.memoEdited.connect(self.save_memo)
        self.similar_bar.articleActivated.connect(self.article_list.select_article)
        self.details_button.clicked.connect(self.edit_article_details)
        self.review_box.statusChosen.connect(self.set_review_status)
        self.legend.hiddenChanged.connect(self.view.set_hidden_keys)
        self.entity_panel.spanActivated.connect(self.go_to_span)
        self.quote_panel.spanActivated.connect(self.go_to_span)
        self.quote_panel.linkActivated.connect(self.go_to_quote)

    # -- showing an article ------------------------------------------------
    def show_article(self, article_id: int) -> None:
        article = articles.get_article(self.db, article_id)
        if article is None:
            return
        self.state.article_id = article_id
        self._article_tools_enabled(True)
        self.title_label.setText(article["title"])
        self.review_box.set_status(article["review_status"])
        unsaved = self.unsaved_memos.get(article_id)
        self.memo_editor.set_memo(article_id, article["memo"] if unsaved is None else unsaved,
                                  unsaved=unsaved is not None)
        # (after set_memo: the memo it saved first keeps its own until stored)
        self.memo_typed_on = {other: memo for other, memo in self.memo_typed_on.items()
                              if other in self.unsaved_memos}
        if unsaved is None:
            self.memo_typed_on[article_id] = article["memo"]
        self.similar_bar.set_articles(similarity.similar_to(self.db, article_id))
        self._update_meta(article, self._show_text(article))
        self._show_note_matches(article["memo"])

    def _show_text(self, article: dict) -> dict | None:
        """``article``'s text in the reader with its highlights and passages
        (and the Entities, Quotes and Passages tabs); its latest analysis."""
        article_id = article["id"]
        analysis = analyses.latest_analysis(self.db, article_id)
        entities = self._corrected(analysis)
        found = self._with_links(article_id, analysis["quotes"]) if analysis else []
        rows = passages.passages_for_article(self.db, article_id,
                                             analysts=self.query.analysts)
        self.view.set_tags(self._tags)
        self.view.set_article(article["text"], entities=entities, quotes=found, passages=rows)
        if self.query.searches_text():
            self.view.set_search_matches(
                article_query.search_matches(self.db, article_id, self.query.search))
        self._show_analysis_panels(entities, found)
        self.controllers.passages.show_analysts()
        self.passage_list.set_passages(rows, self._tags)
        return analysis

    def show_nothing(self) -> None:
        """No article to show: the list is empty (or nothing matches)."""
        self.state.article_id = None
        self._article_tools_enabled(False)     # nothing is shown to edit
        self.memo_editor.set_memo(None, "")
        self._show_memo_mark("")
        if self.query.is_filtered():
            self.title_label.setText("No article matches")
            self.meta_label.setText("Change the search or the filters above the list.")
        else:
            self.title_label.setText("No articles yet")
            self.meta_label.setText("Import articles with File → Import (Ctrl+I), or drop "
                                    "files or folders on this window.")
        self.similar_bar.set_articles([])
        self.view.set_article("")
        self._show_analysis_panels([], [])
        self.passage_list.set_analysts([])
        self.passage_list.set_passages([], self._tags)

    def _article_tools_enabled(self, enabled: bool) -> None:
        """The review chooser and Edit details… act on the article shown."""
        self.review_box.setEnabled(enabled)
        self.details_button.setEnabled(enabled)

    def _show_note_matches(self, memo: str) -> None:
        """When the search looks in notes: the current article's notes (and
        memo) that it matched are marked."""
        matched, memo_matched = set(), False
        if self.query.searches_notes() and self.current_id is not None:
            matched, memo_matched = article_query.note_matches(self.db, self.current_id,
                                                               self.query.search)
        self.passage_list.set_note_matches(matched)
        self._show_memo_mark(memo, matched=memo_matched)

    def _corrected(self, analysis: dict | None) -> list[dict]:
        """The analysis's entities with the analyst's merges and labels applied."""
        if not analysis:
            return []
        return entity_corrections.corrected_entities(self.db, analysis["entities"])

    def _with_links(self, article_id: int, rows: list[dict]) -> list[dict]:
        """Quotes with ``also_in``: where else the same words were quoted
        (the quote's group), each with how alike its words are, most alike
        first."""
        # RapidFuzz costs the window's start 36 ms: brought in when needed
        from desktop.analysis.recycled import similarity

        links = quotes.links_for_article(self.db, article_id)
        return [{**q, "also_in": sorted(
                    ({**link, "score": similarity(q["text"], link["text"])}
                     for link in links.get(q["id"], [])),
                    key=lambda link: -link["score"]),
                 # a group read to its limit: there may be more
                 "also_in_more": len(links.get(q["id"], [])) >= quotes.RECURRENCES_SHOWN}
                for q in rows]

    def _update_meta(self, article: dict, analysis: dict | None) -> None:
        parts = [header_line(article) or "source unknown"]
        if analysis and analysis["pipeline"]:    # (not the analyst's quotes alone)
            version = analysis["pipeline_version"].split("+")[0]   # not Dossier's own part
            parts.append(f"entities by {analysis['pipeline']} {version}"
                         + (" (degraded)" if analysis["degraded"] else ""))
        else:
            parts.append("not analysed yet")
        self.meta_label.setText(" · ".join(parts))

    def _show_analysis_panels(self, entities: list[dict], quotes: list[dict]) -> None:
        self.legend.set_labels({e["label"] for e in entities})
        self.entity_panel.set_entities(entities)
        self.quote_panel.set_quotes(quotes)
        self.side_tabs.setTabText(1, f"Entities ({len(entities)})")
        self.side_tabs.setTabText(2, f"Quotes ({len(quotes)})")

    def article_analysed(self, article_id: int) -> None:
        """The current article's analysis (or its corrections) changed: its
        highlights, panels and header line again."""
        if article_id != self.current_id:
            return
        analysis = analyses.latest_analysis(self.db, article_id)
        # none (its text not analysed yet, the analyst's last marked quote
        # undone): nothing may stay highlighted that is no longer stored
        found = self._with_links(article_id, analysis["quotes"]) if analysis else []
        entities = self._corrected(analysis)
        self.view.set_analysis(entities, found)
        self._show_analysis_panels(entities, found)
        self._update_meta(articles.get_article(self.db, article_id), analysis)

    def go_to_span(self, start: int, end: int) -> None:
        self.view.select_range(start, end)
        self.view.setFocus()

    def go_to_quote(self, article_id: int, start: int, end: int) -> None:
        """Open an article (if needed) and select a span in it."""
        if article_id != self.current_id:
            self.article_list.select_article(article_id)
        if article_id == self.current_id:
            self.go_to_span(start, end)

    @contextmanager
    def keeping_position(self):
        """The reader's scroll position and selection as they were after the
        block (for changes made elsewhere). When the block showed the
        article's text as edited elsewhere, the words at the reader's top
        edge stay there and the selection stays on its words (it is dropped
        when the edit touched them)."""
        scroll = self.view.verticalScrollBar().value()
        selected = self.view.selection_range()
        article = self.current_id
        text = self.view.article_text() if article is not None else ""
        top = self._line_at_top() if article is not None else (0, 0)
        try:
            yield
        finally:
            if self.current_id == article:
                edited = article is not None and self.view.article_text() != text
                if edited:
                    stretch = changed_stretch(text, self.view.article_text())
                    selected = selected and outside_edit(stretch, start=selected[0],
                                                         end=selected[1])
                if selected:
                    self.view.select_range(*selected)
                self.view.verticalScrollBar().setValue(scroll)
                if edited:
                    self._keep_at_top(top, stretch)

    def _line_at_top(self) -> tuple[int, int]:
        """The code-point offset of the character at the reader's top edge,
        and the top of its line (in viewport pixels)."""
        position = self.view.cursorForPosition(QPoint(0, 0)).position()
        offset = OffsetMap(self.view.article_text()).from_utf16(position)
        return offset, self.view.vertical_span(offset, offset + 1)[0]

    def _keep_at_top(self, top: tuple[int, int], stretch: tuple[int, int, int]) -> None:
        """Scroll so that the words at the top edge before the text was
        edited (``top``, from :meth:`_line_at_top`) are there again: an
        edit above them moved them down or up by what it added or removed."""
        offset, y = top
        moved = outside_edit(stretch, start=offset, end=offset + 1)
        offset = moved[0] if moved else stretch[0]     # (inside the edit: where it begins)
        bar = self.view.verticalScrollBar()
        bar.setValue(bar.value() + self.view.vertical_span(offset, offset + 1)[0] - y)

    def on_changes(self, changes: Changes) -> None:
        """Re-read what the change did to the article shown; nothing at all
        when it concerns another article."""
        article_id = self.current_id
        if article_id is None or not changes.touches_article(article_id):
            return
        if changes.touches(MEMO):
            # another window's, a colleague's (hub), or an undo or redo
            self._memo_changed(article_id)
        if changes.foreign:       # as little as possible under the analyst's eyes
            if changes.touches(ARTICLE, TEXT, REVIEW):
                article = articles.get_article(self.db, article_id)
                if article is None:
                    return
                self.title_label.setText(article["title"])
                self.review_box.set_status(article["review_status"])
                if changes.touches(TEXT) and article["text"] != self.view.article_text():
                    # tagging and Edit text… go by the text shown: never an old one
                    with self.keeping_position():
                        self._update_meta(article, self._show_text(article))
                    return
            if changes.touches(ARTICLE, TEXT, ANALYSIS, ENTITIES):
                self.article_analysed(article_id)
            return
        if changes.touches(ARTICLE, TEXT):
            # the analyst's own Edit text…, its undo or redo: the same words
            # stay at the reader's top (it went back to the article's start)
            with self.keeping_position():
                self.show_article(article_id)
            return
        if changes.touches(REVIEW):
            try:
                self.review_box.set_status(review.review_status(self.db, article_id))
            except review.ReviewError:
                pass
        if changes.touches(ENTITIES, ANALYSIS):
            self.article_analysed(article_id)

    def _memo_changed(self, article_id: int) -> None:
        """The article's stored memo changed, not by the editor's own save
        (save_memo is not published): the editor shows it, unless typing
        waits to be saved — that typing is kept, and its save merges the
        two (see :meth:`save_memo`)."""
        memo = review.memo(self.db, article_id)
        if not self.memo_editor.pending() and article_id not in self.unsaved_memos:
            self.memo_typed_on[article_id] = memo
            self.memo_editor.show_stored(article_id, memo)
        self._show_note_matches(memo)

    # -- review status and memo ----------------------------------------------
    def set_review_status(self, status: str) -> None:
        """Set the current article's review status (undoable)."""
        if self.current_id is None:
            return
        if review.review_status(self.db, self.current_id) != status:
            self.run_command(commands.SetReviewStatus(self.controllers.history,
                                                      self.current_id, status),
                             "Review status")
        self.statusBar().showMessage(f"Marked as {status}.", 3000)

    def flush_edits(self) -> bool:
        """Save anything typed but not yet stored (the memo, and memos whose
        saving failed before); before closing the window or showing another
        article. False if some memo still could not be saved."""
        self.memo_editor.flush()
        for article_id, text in list(self.unsaved_memos.items()):
            if article_id != self.memo_editor.article_id:
                self.save_memo(article_id, text)
        return not self.unsaved_memos

    def may_leave(self, doing: str) -> bool:
        """Before closing the window (``doing``: "Close", "Open another
        database", …): everything typed is saved, or the analyst, told
        which memo could not be, chooses to go on without it."""
        if self.flush_edits():
            return True
        titles = [(articles.get_article(self.db, i) or {}).get("title") or f"article {i}"
                  for i in self.unsaved_memos]
        if not ask_plain_question(
                self.window, "Memo not saved",
                f"The memo on “{titles[0]}”" + (f" and {len(titles) - 1} more"
                                                 if len(titles) > 1 else "")
                + " could not be saved (the message before said why). "
                f"{doing} anyway and lose it? Choose No to stay: it is kept in the Memo tab "
                "and saved when the database takes it."):
            return False
        # given up: not tried (nor asked about) again by the closing that follows
        self.unsaved_memos.clear()
        self.memo_editor.forget_pending()
        return True

    def take_back_unsaved(self, memos: dict[int, str]) -> None:
        """Memos given up for leaving (see :meth:`may_leave`) when the
        window stays after all (another database failed to open): they
        wait to be saved again, and are asked about again."""
        self.unsaved_memos.update(memos)
        for article_id in memos:
            self.memo_editor.keep_unsaved(article_id)

    def save_memo(self, article_id: int, text: str) -> None:
        """Store an article's memo (one transaction per save), undoably.

        Not through :meth:`run_command`: a save may come while another
        article is being shown (the editor saves before it switches), and
        must not bring the reader back to this one; undo and redo do."""
        history = self.controllers.history
        command = commands.SetMemo(history, article_id, text, self.memo_typed_on.get(article_id))
        applied = self._guard("Save memo", self._apply_memo, command)
        if applied is None:
            # kept, never passing for saved: shown again with its article,
            # saved by the next leaving of it, or asked about at closing
            self.unsaved_memos[article_id] = text
            self.memo_editor.keep_unsaved(article_id)
            return
        if isinstance(applied, review.MemoChangedMeanwhile):
            self._keep_both_memos(article_id, text, applied.stored)
            return
        self.unsaved_memos.pop(article_id, None)
        self.memo_typed_on[article_id] = command.stored
        history.push(command)   # merged into the last save if it is this memo's
        if command.stored != text:
            self.statusBar().showMessage(
                "The memo was changed elsewhere while you typed it: both changes are kept.",
                10000)
        if article_id == self.current_id:
            # (the change made elsewhere, merged in, shown)
            self.memo_editor.show_stored(article_id, command.stored)
            self._show_memo_mark(command.stored)

    @staticmethod
    def _apply_memo(command: commands.SetMemo):
        """Store a memo save: True, or the refusal when the memo was changed
        elsewhere at the place typed (not an error to show: nothing typed is
        lost, see :meth:`_keep_both_memos`)."""
        try:
            command.first_apply()
        except review.MemoChangedMeanwhile as conflict:
            return conflict
        return True

    def _keep_both_memos(self, article_id: int, typed: str, stored: str) -> None:
        """The memo was changed elsewhere at the place the analyst typed (no
        one can say which words should win): the memo saved holds both, the
        one stored first and the analyst's below it, and the analyst is told
        to tidy it up."""
        self.memo_typed_on[article_id] = stored
        both = f"{stored.rstrip()}\n\n{typed}" if stored.strip() else typed
        self.save_memo(article_id, both)
        self.statusBar().showMessage(
            "The memo was changed elsewhere while you typed it, at the same place: both "
            "versions are kept in it, yours last.", 15000)

    def _show_memo_mark(self, memo: str, *, matched: bool = False) -> None:
        """The Memo tab says whether the article has a memo (and whether the
        search matched it)."""
        self.side_tabs.setTabText(self.side_tabs.indexOf(self.memo_editor),
                                  "Memo ✓ search" if matched
                                  else "Memo •" if memo.strip() else "Memo")

    # -- details and text ----------------------------------------------------
    def edit_article_details(self, *, article_id: int | None = None,
                             typed: dict | None = None) -> None:
        """Edit an article's metadata (the current one's) in a dialog; on OK
        the fields the analyst changed are saved — not the others, which a
        colleague may have changed meanwhile. A save the file refuses (busy,
        full) brings the dialog back with what was typed."""
        article_id = self.current_id if article_id is None else article_id
        article = articles.get_article(self.db, article_id) if article_id else None
        if article is None:
            self.statusBar().showMessage("Open an article first.", 4000)
            return
        dialog = ArticleDetailsDialog(dict(article, **(typed or {})), self.window)
        opened = {key: (article.get(key) or "").strip() for key in dialog.values()}
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(
            lambda: self._save_details(article["id"], opened, dialog.values()))
        dialog.open()

    def _save_details(self, article_id: int, opened: dict, values: dict) -> None:
        changed = {key: value for key, value in values.items() if value != opened.get(key)}
        if not changed:
            return
        if self.run_command(commands.EditDetails(self.controllers.history, article_id, changed),
                            "Edit article details"):
            self.statusBar().showMessage("Article details saved.", 4000)
        elif self.ops.refusal_may_pass():      # (after the error) offered again as typed
            QTimer.singleShot(0, lambda: self.edit_article_details(article_id=article_id,
                                                                   typed=values))

    def edit_article_text(self) -> None:
        """Article → Edit text…: the text of the article shown when the
        dialog opened is corrected — that article's, even if another opened
        meanwhile (this one deleted elsewhere, say: the corrected text went
        to the article opened in its place). A save the file refuses (busy
        with another writer, a full disk) brings the dialog back with the
        text as typed; an article gone meanwhile leaves it on the clipboard.
        A correction saved elsewhere while the dialog was open is kept with
        the analyst's where the two lie apart; where they meet, the
        analyst's version goes to the clipboard and the dialog opens again
        on the text as it is now."""
        from widgets.text_edit_dialog import TextEditDialog

        article_id = self.current_id
        # the stored text, not the one shown: another window may have just
        # corrected it, and saving over it would undo that correction
        article = articles.get_article(self.db, article_id) if article_id is not None else None
        if article is None:
            return
        base = text = article["text"]       # base: the text the dialog is typed on
        while True:
            dialog = TextEditDialog("Edit article text", text, self.window)
            try:
                if dialog.exec() != QDialog.DialogCode.Accepted:
                    return
                text = dialog.text()
            finally:
                # a child of the window: each Edit text… kept its dialog,
                # and the article's whole text in it, as long as the window
                dialog.deleteLater()
            if text == base:        # nothing typed: nothing to save, whatever came meanwhile
                return
            now = articles.get_article(self.db, article_id)
            if now is None:
                QApplication.clipboard().setText(text)
                plain_message(self.window, "Edit article text",
                              "This article was deleted meanwhile, in another window or by "
                              "a colleague: the text was not saved. It is on the clipboard.")
                return
            if now["text"] != base and merge_edits(base, text, now["text"]) is None:
                base = self._changed_meanwhile(text, now["text"])
                text = base
                continue
            if self._save_text(article_id, text, edited_from=base) is not None:
                return
            if isinstance(self.ops.last_refusal, articles.TextChangedMeanwhile):
                now = articles.get_article(self.db, article_id)     # (saved in between)
                if now is None:
                    return
                QApplication.clipboard().setText(text)
                base = text = now["text"]
            elif not self.ops.refusal_may_pass():
                return

    def _changed_meanwhile(self, typed: str, stored: str) -> str:
        """The analyst's corrected text meets a correction saved elsewhere
        while the dialog was open: theirs to the clipboard, said; the stored
        text, to open the dialog on again."""
        QApplication.clipboard().setText(typed)
        plain_message(self.window, "Edit article text",
                      "The text was changed elsewhere while you edited it — in another "
                      "window, by a colleague or an import — at the place you corrected. "
                      "Nothing was saved. Your version is on the clipboard; the text opens "
                      "again as it is now.")
        return stored

    def replace_article_text(self, text: str) -> dict | None:
        """Store corrected text of the article shown, re-anchor its passages,
        re-analyse; the passages' counts, or None if nothing was stored."""
        if self.current_id is None:
            return None
        return self._save_text(self.current_id, text) or None

    def _save_text(self, article_id: int, text: str, *,
                   edited_from: str | None = None) -> dict | None:
        """Store ``text`` as ``article_id``'s (typed on ``edited_from``, see
        :func:`storage.articles.replace_article_text`): the passages' counts
        ({} when it is the text stored already), None if the change was
        refused (the error was shown)."""
        stored = articles.get_article(self.db, article_id)
        if stored is not None and text == stored["text"]:
            return {}
        command = commands.ReplaceText(self.controllers.history, article_id, text, edited_from)
        if not self.run_command(command, "Edit article text"):
            return None
        counts = command.counts
        merged = (" with the correction saved elsewhere meanwhile"
                  if counts.get("merged") else "")
        message = (f"Text saved{merged}: {counted(counts['kept'], 'passage')} in place, "
                   f"{counts['moved']} moved, {counts['orphaned']} no longer found "
                   "(kept, marked ⚠)")
        corrections = corrections_carried(counts)
        message += f"; {corrections}." if corrections else "."
        self.statusBar().showMessage(message, 10000)
        return counts
