"""The Passages workspace in the window: a dock beside the reader (View →
Passages workspace, Ctrl+Shift+W; below the reader at first, movable,
floatable) listing every passage of the corpus.

The controller owns the :class:`widgets.passage_workspace.PassageWorkspace`,
reads its rows through :mod:`storage.passage_listing` (a count and the first
page per filter change, later pages as the table scrolls) and turns its
requests into the window's undoable commands: a note edit and a re-tag or
deletion of many passages are each one step of the window's undo history.
After any change, undo or redo (the undo stack's index moves) the list is
read again, keeping its place; "This article only" follows the article the
reader shows (the window state's ``article`` event); filtered by speaker, also when an analysis
lands or a text or speaker is changed elsewhere (the filter reads quotes). "Export these…" exports exactly the passages
listed, through the window's background export.

Blind coding holds here as in the rest of the window: the list, its count,
its analyst box and so what can be selected, re-tagged, deleted or exported
are only the passages of the analysts the window shows
(:class:`desktop.gui.passage_visibility.PassageVisibility`), read again from
the top when that choice changes.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import shiboken6
from PySide6.QtCore import QObject, Qt, QTimer, Slot
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QApplication, QDockWidget, QFileDialog

from desktop.gui import commands
from storage import export_selection, passage_listing, passages, tags
from storage.article_query import SearchError
from storage.changes import (ANALYSIS, ARTICLE, ARTICLES, PASSAGES, REVIEW, SPEAKERS, TAGS,
                             TEXT)
from widgets.passage_workspace import PassageSource, PassageWorkspace
from widgets.wording import STILL_SHOWN

SHORTCUT = "Ctrl+Shift+W"


class WorkspaceController(QObject):
    """Builds the workspace tab and keeps it in step with the database."""

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.widget = PassageWorkspace()
        #: the query of the list shown: the last one that worked
        self.query = passage_listing.PassageQuery(analysts=window.query.analysts)
        #: the query the filters ask for, to be listed at the next read (a
        #: refused one never becomes :attr:`query`); None: :attr:`query`
        self._wanted: passage_listing.PassageQuery | None = None
        #: whether the filters show a query that was refused (said beside them)
        self._refused = False
        self._stale = True
        self._read_pending = False
        self._names_read = False
        # a dock beside the reader (below it at first; it can be moved,
        # tabbed or floated, and the window's saved state remembers where)
        self.dock = QDockWidget("Passages workspace", window)
        self.dock.setObjectName("workspace_dock")
        self.dock.setWidget(self.widget)
        self.dock.setToolTip("Every passage of the corpus: filter, sort, re-tag, annotate, "
                             f"export ({SHORTCUT})")
        # made after the session put the window's state back: where the
        # analyst left it (shown, floating, moved) if that state has it
        if not window.restoreDockWidget(self.dock):
            window.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.dock)
            self.dock.hide()
        self.dock.visibilityChanged.connect(self._visibility_changed)
        self.action = QAction("Passages &workspace", window)
        self.action.setShortcut(QKeySequence(SHORTCUT))
        self.action.triggered.connect(self.show)
        window.view_menu.menu.addAction(self.action)
        window.addAction(self.action)

        w = self.widget
        w.queryChanged.connect(self.apply_query)
        w.passageActivated.connect(self.open_passage)
        w.noteEdited.connect(self.set_note)
        w.retagRequested.connect(self.retag)
        w.deleteRequested.connect(self.delete)
        w.exportRequested.connect(lambda: self.export_listed())
        # "This article only" is the reader's article, however it was opened:
        # followed through the window's state, not the article list (Enter on a
        # passage here, an entity dossier's link open articles the list may
        # not show — its search hides them — and the list's was listed then)
        w.set_current_article(window.state.article_id)
        window.state.events.article.connect(self._reader_article_changed)
        # a method of this QObject (not a lambda): disconnected when the
        # window (and with it the controller) is deleted
        window.undo_stack.indexChanged.connect(self._history_moved)
        # changes made by other windows, commands or a hub sync move no undo
        # stack here: the list showed (and its editor offered) stale notes
        window.ops.changed.connect(self._foreign_changes)
        window.passage_visibility.changed.connect(self._shown_analysts_changed)
        # restored floating, the dock was shown before it was listened to:
        # read it once the window is up
        QTimer.singleShot(0, self, self._shown_at_start)

    @Slot()
    def _shown_at_start(self) -> None:
        if shiboken6.isValid(self.window) and self.dock.isVisible():
            self._visibility_changed(True)

    # -- showing -------------------------------------------------------
    @Slot(int)
    def _history_moved(self, _index: int) -> None:
        """A change, an undo or a redo: the list is read again — once the
        event that made it is over (a note typed in the table is stored from
        inside the table's commit of its editor: read again there, the list
        dropped the editor under Qt and the analyst's place with it). Hidden,
        it is only marked to be read when shown (no event for each tag saved)."""
        if shiboken6.isValid(self.dock) and not self.is_shown():
            self._stale = True
            return
        if not self._read_pending:     # one read for the changes of one event
            self._read_pending = True
            QTimer.singleShot(0, self, self._read_again)

    @Slot(object)
    def _foreign_changes(self, changes) -> None:
        """A change the undo stack did not report (another window's, a hub
        sync's, an analysis landing): the list is read again if it may be
        concerned."""
        if changes.foreign and changes.touches(PASSAGES, TAGS, ARTICLE, ARTICLES, REVIEW):
            self._history_moved(0)
        elif self.query.speaker.strip() and changes.touches(ANALYSIS, SPEAKERS, TEXT):
            # the speaker filter reads the quotes of the current analysis and
            # the speaker corrections: a text edited, an analysis landing (the
            # window's own too: it moves no undo stack) or a speaker corrected
            # elsewhere adds or drops passages although none changed
            self._history_moved(0)

    def _reader_article_changed(self, article_id: int | None) -> None:
        """The reader shows another article (None: none)."""
        if shiboken6.isValid(self.widget):      # (a plain callback: may outlive it)
            self.widget.set_current_article(article_id)

    @Slot(tuple)
    def _shown_analysts_changed(self, _shown: tuple) -> None:
        """View → Passages changed whose passages the window shows: the list
        is read again from the top (its place may be a passage now hidden)."""
        if shiboken6.isValid(self.window):
            self.refresh(keep=False)

    @Slot()
    def _read_again(self) -> None:
        self._read_pending = False
        # not while the window is being destroyed, its history emptied with it
        if shiboken6.isValid(self.window):
            self.refresh()

    def show(self) -> None:
        """Bring the workspace up (or, shown and focused already, put it
        away: the same key toggles), its table focused."""
        if self.is_shown() and self.widget.isAncestorOf(QApplication.focusWidget()):
            self.dock.hide()
            self.window.view.setFocus()
            return
        self.dock.show()
        self.dock.raise_()
        self.widget.table.setFocus()

    def is_shown(self) -> bool:
        return self.dock.isVisible()

    def _visibility_changed(self, visible: bool) -> None:
        if visible and not self._names_read:     # sources and speakers to offer
            from storage.completions import all_names

            self._names_read = True
            self.window.ops.query(all_names, self.widget.set_completions).named(
                "workspace completions").run()
        if visible and self._stale:
            self.widget.set_current_article(self.window.current_id)
            self.refresh(keep=False)

    def apply_query(self, values: dict) -> None:
        """A filter or the order changed: count and show the first page."""
        try:
            query = passage_listing.PassageQuery(**values, analysts=self.window.query.analysts)
        except ValueError as error:
            self._refused = True
            self.widget.show_error(f"{error} {STILL_SHOWN}")
            return
        self._wanted = query
        self.refresh(keep=False)

    def refresh(self, *, keep: bool = True) -> None:
        """Read the list again (after a change: keeping its place) — with
        the query the filters ask for, if any: refused (a bad date, a reversed
        range), the list and :attr:`query` stay the last that worked. While
        the workspace is hidden, only note that it must be read when shown."""
        if not self.is_shown() or not self.window.isVisible():   # closed: its db too
            self._stale = True
            return
        self._stale = False
        wanted, self._wanted = self._wanted, None
        shown = self.window.query.analysts      # blind coding: whose passages
        query = replace(wanted or self.query, analysts=shown)
        db = self.window.db
        self.widget.set_tags(self.window.state.tags or tags.list_tags(db))
        if not keep:
            self.widget.set_analysts([name for name in export_selection.analysts(db)
                                      if not shown or name in shown])
            # an analyst chosen in the box and now hidden has left it: the
            # list is no longer narrowed to them (it would list nothing)
            query = replace(query, analyst=self.widget.values()["analyst"])
        try:
            listing = passage_listing.PassageListing(db, query)
            if keep and listing.known_count() is None and \
                    self.widget.model.rowCount() > listing.lower_bound():
                listing.count()     # scrolled past the head: its place needs the count
        except SearchError as error:
            self._refused = self._refused or wanted is not None
            self.widget.show_error(f"{error} {STILL_SHOWN}")
            return
        self.query = query
        if wanted is not None:
            self._refused = False
        self.widget.show_error("")
        self._show_listing(listing, keep=keep)
        self.widget.set_undated_left_out(0)
        if query.date_of == "published" and (query.since or query.until):
            # what the range leaves out is said, as the article list does
            self.window.ops.query(lambda db: passage_listing.undated_left_out(db, query),
                                  lambda n: self.query is query
                                  and self.widget.set_undated_left_out(n)
                                  ).named("undated passages").run()

    def _show_listing(self, listing: passage_listing.PassageListing, *, keep: bool) -> None:
        """Show a query's list; a long one's count is read in a worker, so the
        first rows appear without waiting for it ("1,000+ passages" meanwhile;
        a list replaced before its count started is not counted)."""
        source = PassageSource(count=listing.count, page=listing.page)
        known = listing.known_count()
        self.widget.set_source(source, listing.lower_bound(), keep=keep,
                               exact=known is not None)
        if known is None:
            query = listing.query

            def counted(count: int) -> None:
                listing.set_count(count)
                self.widget.set_total(source, count)

            def count() -> None:
                if self.widget.model.is_showing(source):    # not if replaced by now
                    self.window.ops.query(lambda db: passage_listing.count_passages(db, query),
                                          counted).named("passage count").run()
            # once the rows are painted: the worker's start (its own connection)
            # would otherwise take its time from the paint (not at all once the
            # controller is gone with its window)
            QTimer.singleShot(0, self, count)

    # -- acting --------------------------------------------------------
    def open_passage(self, passage_id: int) -> None:
        """Show the passage in the reader, selected."""
        passage = passages.get_passage(self.window.db, passage_id)
        if passage is None:
            return
        window = self.window
        if passage["article_id"] != window.current_id and not \
                window.article_list.select_article(passage["article_id"]):
            window.show_article(passage["article_id"])    # not in the filtered list
        window.go_to_passage(passage_id)

    def set_note(self, passage_id: int, note: str) -> None:
        """A note typed in the table (offered again in a dialog if its
        saving is refused)."""
        self.window.controllers.passages.note_edited_in_place(passage_id, note)

    def retag(self, passage_ids: list[int], tag_id: int) -> None:
        name = self.window.controllers.codebook._tag_name(tag_id)
        text = (f"Re-tag passage as “{name}”" if len(passage_ids) == 1
                else f"Re-tag {len(passage_ids)} passages as “{name}”")
        if self.window.run_command(commands.ChangePassages(
                self.window.controllers.history, text, list(passage_ids),
                lambda db, ids: passages.retag_passages(db, ids, tag_id), tag_id=tag_id),
                "Re-tag passages"):
            self.window.statusBar().showMessage(f"{text}. Ctrl+Z undoes it.", 5000)

    def delete(self, passage_ids: list[int]) -> None:
        text = ("Delete passage" if len(passage_ids) == 1
                else f"Delete {len(passage_ids)} passages")
        if self.window.run_command(commands.DeletePassages(self.window.controllers.history, text, passage_ids),
                                   "Delete passages"):
            self.window.statusBar().showMessage(f"{text}: done. Ctrl+Z brings them back.",
                                                5000)

    def export_listed(self, path: Path | None = None):
        """Export exactly the passages listed (asks for the file unless given)
        — after a refused filter, those of the last filter that worked, as
        the list shows them, and said so."""
        from desktop.exporters import FORMATS, format_for
        from desktop.gui.export_dialog import ExportRequest
        from storage.export_selection import PassageFilter

        ids = passage_listing.passage_ids(self.window.db, self.query)
        if not ids:
            self.window.statusBar().showMessage("No passages are listed.", 4000)
            return None
        # the filters show a query that was refused: what they say is not
        # what is listed (nor exported)
        which = " of the last filter that worked" if self._refused else ""
        if path is None:
            filters = {f.file_filter(): f for f in FORMATS.values()}
            chosen, kind = QFileDialog.getSaveFileName(
                self.window, f"Export {len(ids):,} passages{which}",
                str(self.window.preferences.folder("export") / "passages.csv"),
                ";;".join(filters))
            if not chosen:
                return None
            path = Path(chosen)
            self.window.preferences.remember_folder("export", path)
            fmt = filters.get(kind)
            if fmt is not None and format_for(path) is None:
                # a name typed without an ending: the type chosen in the
                # dialog says the format (it was written as CSV)
                path = path.with_name(path.name + fmt.suffixes[0])
        if which:
            self.window.statusBar().showMessage(
                f"Exporting the {len(ids):,} passages listed{which}.", 6000)
        request = ExportRequest.for_path(path)
        request.filter = PassageFilter(passage_ids=tuple(ids))
        return self.window.run_export(request)
