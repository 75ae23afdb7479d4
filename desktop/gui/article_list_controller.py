"""The article list: its query (search, filters, order), the rows read a
page at a time, which article is current, the review marks and progress,
and the names offered by the filter fields.
"""

from __future__ import annotations

import dataclasses

from PySide6.QtWidgets import QAbstractItemView

from desktop.gui.controller import Controller
from storage import article_query, articles, review
from storage.article_listing import ArticleListing
from storage.changes import (ANALYSIS, ARTICLE, ARTICLES, ENTITIES, MEMO, PASSAGES, REVIEW,
                             TAGS, TEXT, Changes)
from widgets.article_list import ID_ROLE, REVIEW_ROLE, RowSource
from widgets.review_status import ReviewMarkDelegate, progress_text
from widgets.wording import STILL_SHOWN

#: After a new search, filter or order, the current article's row is
#: looked for at once among the list's first rows; after a new order, also
#: further down, in a worker, the reader keeping it (see refresh_articles).
KEEP_CURRENT_WITHIN = 1000


class ArticleListController(Controller):
    """The list of articles, its query and the current row."""

    WIDGETS = ("article_list", "article_filters", "review_label", "left_tabs", "articles_box")

    def connect_signals(self) -> None:
        self.article_filters.queryChanged.connect(self.apply_query)
        self.article_filters.filters_button.toggled.connect(
            lambda shown: self.refresh_completions() if shown else None)
        self.article_list.list_model.totalChanged.connect(
            lambda total, exact: self.article_filters.set_hit_count(
                total, self.query.is_filtered(), exact))

    def _show_listing(self, listing: ArticleListing) -> None:
        """Show a query's list; a long one's count is read in a worker, so the
        first rows and the article appear without waiting for it."""
        source = RowSource(count=listing.count, page=listing.page, position=listing.position)
        known = listing.known_count()
        self.article_list.set_source(source, total=listing.lower_bound(),
                                     exact=known is not None)
        if known is None:
            query = listing.query

            def counted(count: int) -> None:
                listing.set_count(count)
                self.article_list.list_model.set_total(source, count)
            self.ops.query(lambda db: article_query.count_articles(db, query),
                           counted).named("article count").run()
        self.article_filters.set_undated_left_out(0)
        if (dated := listing.query).since or dated.until:   # say what the range left out
            self.ops.query(lambda db: article_query.undated_left_out(db, dated),
                           lambda n: self.query is dated
                           and self.article_filters.set_undated_left_out(n)
                           ).named("undated count").run()

    def apply_query(self, values: dict) -> None:
        """Search, filter or sort the article list (from the filter bar)."""
        try:
            query = article_query.ArticleQuery(**{"analysts": self.query.analysts, **values})
        except ValueError as error:
            self.article_filters.show_error(f"{error} {STILL_SHOWN}")
            return
        previous, self.state.query = self.query, query
        # another order of the same articles keeps the one being read
        same = dataclasses.replace(query, sort=previous.sort,
                                   descending=previous.descending) == previous
        if not self.refresh_articles(same_articles=same):
            self.state.query = previous
        self.state.selected_tags = {self.query.tag_id} if self.query.tag_id else set()

    def refresh_articles(self, select: int | None = None, *, keep_current: bool = False,
                         same_articles: bool = False) -> bool:
        """Re-read the list (a page of it) and keep or pick the current article.

        With ``keep_current`` (another program's change) the reader keeps its
        article even if the list no longer has it near the top. With
        ``same_articles`` (a new order of the same list) the reader keeps its
        article however far down it is listed now, and its row is found in a
        worker. Otherwise an article not among the first rows (a new search
        or filter; one marked done under "Not done") gives way to the list's
        first.
        Returns False (and leaves the list as it was) if the query cannot run.
        """
        try:
            self._show_listing(ArticleListing(self.db, self.query))
        except article_query.SearchError as error:
            self.article_filters.show_error(f"{error} {STILL_SHOWN}")
            return False
        self.article_filters.show_error("")
        model = self.article_list.list_model
        if select is not None and self.article_list.select_article(select):
            return True
        # the article being read stays current if the new list has it near
        # the top; otherwise the list's first article opens. After another
        # program's change the reader is not told to show it again: it
        # already shows it, and updates only what the change concerns (a
        # re-shown article is a stall of tens of milliseconds for nothing)
        if self.current_id is not None:
            self.article_list.blockSignals(keep_current)
            try:
                kept = self.article_list.select_article(self.current_id,
                                                        within=KEEP_CURRENT_WITHIN)
            finally:
                self.article_list.blockSignals(False)
            if kept:
                return True
        if (keep_current or same_articles) and self.current_id is not None and \
                articles.get_article(self.db, self.current_id) is not None:
            # still stored: the reader keeps it, wherever it is listed (a new
            # order put it past the first rows: the analyst goes on reading
            # it, not the list's first article), and it already shows it
            if not keep_current:
                self._select_far_row(self.current_id)
            return True
        if model.rowCount():
            self.article_list.select_article(model.article(0)["id"])
            return True
        self.controllers.reader.show_nothing()
        return True

    def _select_far_row(self, article_id: int) -> None:
        """Find the row of ``article_id``, listed past the first rows, in a
        worker, and make it the list's current row (the reader shows it
        already); said in the status bar."""
        query = self.query

        def found(row: int | None) -> None:
            model = self.article_list.list_model
            if self.query is not query or self.current_id != article_id:
                return          # another list or article by now
            if row is None:     # it was not in the list before the sort either
                self.statusBar().showMessage(
                    "The article you are reading is not in this list (it was opened "
                    "from elsewhere, or left the list's filter).", 8000)
                return
            if row >= model.rowCount():
                return          # the list shrank meanwhile
            index = model.index(row)
            if index.data(ID_ROLE) != article_id:
                return          # the list changed meanwhile
            self.article_list.blockSignals(True)    # the reader shows it already
            try:
                self.article_list.setCurrentIndex(index)
            finally:
                self.article_list.blockSignals(False)
            self.article_list.scrollTo(index, QAbstractItemView.ScrollHint.PositionAtCenter)
            self.statusBar().showMessage(
                f"The article you are reading stays open: row {row + 1:,} of this list.", 8000)
        self.ops.query(lambda db: article_query.article_position(db, query, article_id),
                       found).named("row of the article read").run()

    def step_article(self, step: int) -> None:
        model = self.article_list.list_model
        row = model.row_of(self.current_id) if self.current_id is not None else -1
        row = max(0, min(model.total() - 1, (row if row is not None else -1) + step))
        while row >= model.rowCount() and model.canFetchMore():
            model.fetchMore()       # the next article may be past the rows loaded
        row = min(row, model.rowCount() - 1)
        if model.rowCount():
            self.article_list.select_article(model.article(row)["id"])

    def refresh_completions(self):
        """Entity, speaker and source names for the filter fields (and the
        auto-tag dialog), read in a worker when the Filters panel opens."""
        from storage.completions import all_names

        def show(names: dict) -> None:
            self.article_filters.set_completions(names)
            dialog = self.controllers.autotag.autotag_dialog
            if dialog is not None:
                dialog.set_completions(names)
        return self.ops.query(all_names, show).named("completions").run()

    def focus_article_list(self) -> None:
        self.window.view_menu.show_panel("articles", True)
        self.left_tabs.setCurrentWidget(self.articles_box)
        self.article_list.setFocus()

    # -- review marks ----------------------------------------------------------
    def show_review_marks(self) -> None:
        """A mark per row of the article list: amber in progress, green done.
        The status comes with each listed row (no read of every article)."""
        inner = self.article_list.itemDelegate()
        self.article_list.setItemDelegate(ReviewMarkDelegate(
            inner, lambda status: status, REVIEW_ROLE, self.article_list))
        self.review_changed()

    def review_changed(self, article_ids=(), *, in_worker: bool = False) -> None:
        """Show review status changes: those articles' list marks and the
        progress count — counted in a worker when ``in_worker`` (another
        program's change: a count over every article, 6-40 ms on 100,000,
        is not worth a stall while the analyst works)."""
        for article_id in article_ids:
            try:
                status = review.review_status(self.db, article_id)
            except review.ReviewError:
                status = None
            if status:
                self.article_list.list_model.set_review_status(article_id, status)
        if in_worker:
            self.ops.query(review.review_progress, lambda counts: self.review_label.setText(
                progress_text(counts))).named("review progress").run()
        else:
            self.review_label.setText(progress_text(review.review_progress(self.db)))

    # -- changes ----------------------------------------------------------------
    #: Articles whose passage counts a change updates row by row; beyond,
    #: the list is read again (one page) instead.
    RECOUNT_AT_MOST = 1000

    def _recount(self, article_ids) -> None:
        """The passage counts of these articles' rows (a merge, a pull,
        another program's change: the current article's is the Passages
        tab's)."""
        if not article_ids:
            return
        if len(article_ids) > self.RECOUNT_AT_MOST:
            self.refresh_articles(keep_current=True)
            return
        model = self.article_list.list_model
        for article_id, count in article_query.passage_counts(
                self.db, article_ids, self.query.analysts).items():
            model.set_passage_count(article_id, count)

    def _list_concerned(self, changes: Changes) -> bool:
        """Whether ``changes`` may change which rows the list has, or their text."""
        query = self.query
        if changes.touches(ARTICLES, ARTICLE):
            return True     # rows in or out, or a title, source or date
        if changes.touches(TEXT) and (query.search or not changes.article_ids):
            return True     # the search may find the new text, or no longer
        if changes.touches(PASSAGES, TAGS) and (not changes.article_ids
                                                or query.searches_notes()):
            return True     # counts of every row, or a note in or out of the search
        if changes.foreign and changes.touches(PASSAGES) and (
                query.sort == "passages" or query.tag_id is not None):
            return True     # another's passages move rows, or in and out of the filter
        if changes.touches(REVIEW) and query.review:
            return True     # an article may enter or leave the filtered list
        if changes.touches(MEMO) and query.searches_notes():
            return True
        if changes.touches(ENTITIES) and query.entity:
            return True     # the filter's aliases changed
        return changes.touches(ANALYSIS) and changes.foreign and bool(
            query.entity or query.speaker)

    def on_changes(self, changes: Changes) -> None:
        if self._list_concerned(changes):
            if changes.foreign:
                self.refresh_articles(keep_current=True)
            else:
                # the article the change was made to (an undo may bring it back)
                only = next(iter(changes.article_ids)) if len(changes.article_ids) == 1 \
                    else self.current_id
                self.refresh_articles(select=changes.extra.get("select", only))
        elif changes.touches(PASSAGES):
            self._recount(changes.article_ids - {self.current_id})
        if changes.touches(REVIEW, ARTICLES):
            self.review_changed(changes.article_ids if changes.touches(REVIEW) else (),
                                in_worker=changes.foreign)
