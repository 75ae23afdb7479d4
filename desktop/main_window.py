"""The main window: article list, reader, codebook and side panels, menus.

It wires widgets (plain data in, signals out) to storage functions on the
GUI thread's own connection; spaCy, imports and exports run in workers.
"""

from __future__ import annotations

import logging
import re
import sqlite3
from pathlib import Path

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence, QUndoStack
from PySide6.QtWidgets import (QDialog, QFileDialog, QHBoxLayout, QLabel, QMainWindow,
                               QMessageBox, QProgressBar, QProgressDialog, QSplitter,
                               QTabWidget, QToolButton, QVBoxLayout, QWidget)

from desktop import autotag, commands
from desktop.autotag_dialog import AutoTagDialog
from desktop.preferences import Preferences, PreferencesDialog
from desktop.session import Session
from desktop.themes import ThemeController
from desktop.view_menu import ViewMenu
from desktop.workers import AnalysisProcess, Task
from storage import (analyses, article_query, articles, entity_corrections, entity_index,
                     passages, quotes, review, similarity, tags)
from storage.article_listing import ArticleListing
from storage.database import database_version
from storage.passages import PassageError
from storage.review import ReviewError
from storage.tags import TagError
from widgets.article_details_dialog import ArticleDetailsDialog
from widgets.article_filters import ArticleFilters
from widgets.article_list import REVIEW_ROLE, ArticleList, RowSource, header_line
from widgets.article_view import ArticleView
from widgets.corpus_entities import CorpusEntitiesView
from widgets.entity_panel import EntityPanel
from widgets.legend import Legend
from widgets.memo_editor import MemoEditor
from widgets.passage_list import PassageList
from widgets.passage_menu import ask_note, confirm_delete_passage
from widgets.quote_panel import QuotePanel
from widgets.review_status import ReviewMarkDelegate, ReviewStatusBox, progress_text
from widgets.similar_articles import SimilarArticles
from widgets.speakers_view import SpeakersView
from widgets.tag_panel import TagPanel

log = logging.getLogger(__name__)

#: How often the window looks for commits by other windows or commands.
EXTERNAL_CHECK_MS = 2000
#: After a new search, filter or order, the current article stays current
#: only if it is among the list's first rows (see refresh_articles).
KEEP_CURRENT_WITHIN = 1000
#: How many articles the export dialog offers to pick from (the list's first).
EXPORT_CHOICES = 2000
#: How many corpus entities the Entities tab lists (the most mentioned).
CORPUS_ENTITIES_SHOWN = 1000


def _plain_label(text: str = "", *, bold_size: float | None = None) -> QLabel:
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    if bold_size:
        font = label.font()
        font.setPointSizeF(font.pointSizeF() * bold_size)
        font.setBold(True)
        label.setFont(font)
    return label


def _menu_label(text: str) -> str:
    """A menu text without its mnemonic marks (``&&`` is a literal ``&``)."""
    return re.sub(r"&(.)", r"\1", text).split("\t")[0]


class MainWindow(QMainWindow):
    """Dossier's main window on one open database."""

    def __init__(self, db, db_path: Path, preferences: Preferences | None = None, *,
                 pipeline: str | None = None, analyse: bool = True):
        super().__init__()
        self.db, self.db_path = db, Path(db_path)
        self.preferences = preferences or Preferences()
        self.current_id: int | None = None
        self.log_path: Path | None = None
        self._tags: list[dict] = []
        self._tasks: list[Task] = []
        self.autotag_dialog: AutoTagDialog | None = None
        self._autotag_task: Task | None = None
        self.undo_stack = QUndoStack(self)
        self.query = article_query.ArticleQuery()
        self._analysis_paused = False
        self.setWindowTitle("Dossier")
        self.resize(1400, 860)
        self.setAcceptDrops(True)  # files and folders dropped on the window are imported
        self._build_widgets()
        self._build_menus()
        self._build_status_bar()
        self._connect()
        self.refresh_tags()
        self.refresh_articles()
        self.refresh_speakers()
        self._show_review_marks()
        self.analysis = AnalysisProcess(self.db_path, pipeline or self.preferences.pipeline,
                                       self)
        self._connect_analysis()
        self._state_at_backup: tuple[int, int] | None = self._state_if_backed_up()
        self.backup_timer = QTimer(self)
        self.backup_timer.timeout.connect(self.back_up_in_background)
        self._schedule_backups()
        # another window or a dossier command writing to the same file
        self._data_version = database_version(self.db)
        self.external_timer = QTimer(self)
        self.external_timer.timeout.connect(self.check_external_changes)
        self.external_timer.start(EXTERNAL_CHECK_MS)
        # the theme, and the session as the analyst left it
        self.themes.schemeChanged.connect(self._apply_scheme)
        self.themes.apply()
        self.session = Session(self, self.preferences.settings,
                               keep_within=KEEP_CURRENT_WITHIN)
        self.session.restore()
        if analyse:
            QTimer.singleShot(0, self.start_analysis)

    # -- construction --------------------------------------------------
    def _build_widgets(self) -> None:
        self.article_list = ArticleList()
        self.article_filters = ArticleFilters()
        self.articles_box = QWidget()
        articles_layout = QVBoxLayout(self.articles_box)
        articles_layout.setContentsMargins(0, 0, 0, 0)
        articles_layout.setSpacing(2)
        articles_layout.addWidget(self.article_filters)
        articles_layout.addWidget(self.article_list, 1)
        self.speakers_view = SpeakersView()
        self.left_tabs = QTabWidget()
        self.left_tabs.addTab(self.articles_box, "Articles")
        self.left_tabs.addTab(self.speakers_view, "Speakers")
        self.entities_view = CorpusEntitiesView(entity_index.LABEL_GROUPS,
                                                list(entity_corrections.NAMED_LABELS))
        self.left_tabs.addTab(self.entities_view, "Entities")
        self.left_tabs.setMinimumWidth(220)
        self.left_tabs.setObjectName("left_tabs")
        self.left_tabs.currentChanged.connect(lambda _index: self.refresh_speakers())
        self.left_tabs.currentChanged.connect(lambda _index: self.refresh_corpus_entities())

        self.title_label = _plain_label(bold_size=1.35)
        self.meta_label = _plain_label()
        self.meta_label.setStyleSheet("color: palette(placeholder-text);")
        self.degraded_banner = _plain_label()   # coloured by _apply_scheme
        self.degraded_banner.hide()
        self.legend = Legend()
        self.view = ArticleView()
        centre = QWidget()
        column = QVBoxLayout(centre)
        column.setContentsMargins(8, 6, 8, 0)
        for widget in (self.degraded_banner, self.title_label, self.meta_label,
                       self._build_article_tools(), self.legend):
            column.addWidget(widget)
        column.addWidget(self.view, 1)

        self.tag_panel = TagPanel()
        self.passage_list = PassageList()
        self.entity_panel = EntityPanel()
        self.quote_panel = QuotePanel()
        self.side_tabs = QTabWidget()
        self.side_tabs.setObjectName("side_tabs")
        self.side_tabs.addTab(self.passage_list, "Passages")
        self.side_tabs.addTab(self.entity_panel, "Entities")
        self.side_tabs.addTab(self.quote_panel, "Quotes")
        self.memo_editor = MemoEditor()
        self.memo_editor.memoEdited.connect(self.save_memo)
        self.side_tabs.addTab(self.memo_editor, "Memo")
        # two "Entities" tabs: the left one is the corpus's, this one the article's
        for tabs, tips in ((self.left_tabs, (
                "The article list: search, filters, sort (Ctrl+L)",
                "Every speaker in the corpus and their quotes (Ctrl+Shift+S)",
                "People, organisations and places across the corpus: merge aliases, "
                "correct labels, filter the list (Ctrl+Shift+E)")),
                           (self.side_tabs, (
                "This article's tagged passages (Ctrl+Shift+P)",
                "This article's entities, by label",
                "This article's quotes, by speaker",
                "A note on the whole article, saved as you type"))):
            for index, tip in enumerate(tips):
                tabs.setTabToolTip(index, tip)
        tags_box = QWidget()
        tags_layout = QVBoxLayout(tags_box)
        tags_layout.setContentsMargins(0, 0, 0, 0)
        tags_layout.addWidget(_plain_label("Tags — select text, then press the key"))
        tags_layout.addWidget(self.tag_panel)
        right = self.side_splitter = QSplitter(Qt.Orientation.Vertical)
        right.setObjectName("side_splitter")
        right.addWidget(tags_box)
        right.addWidget(self.side_tabs)
        right.setSizes([330, 470])

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setObjectName("main_splitter")
        for widget in (self.left_tabs, centre, right):
            self.splitter.addWidget(widget)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([300, 760, 380])
        self.setCentralWidget(self.splitter)

    def _build_article_tools(self) -> QWidget:
        """The row under the header: similar articles, and Edit details…."""
        self.similar_bar = SimilarArticles()
        self.similar_bar.articleActivated.connect(self.article_list.select_article)
        self.details_button = QToolButton()
        self.details_button.setText("Edit details…")
        self.details_button.setToolTip("Edit the title, source, author, date and URL (F2)")
        self.details_button.clicked.connect(self.edit_article_details)
        row = QWidget()
        layout = QHBoxLayout(row)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.similar_bar)
        layout.addStretch(1)
        self.review_box = ReviewStatusBox(review.STATUSES)
        self.review_box.statusChosen.connect(self.set_review_status)
        layout.addWidget(self.review_box)
        layout.addWidget(self.details_button)
        return row

    def _action(self, menu, text, slot, shortcut=None) -> QAction:
        action = menu.addAction(text)
        action.triggered.connect(slot)
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
        return action

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        self._action(file_menu, "&Import files…", self.import_files, "Ctrl+I")
        self._action(file_menu, "Import &folder…", self.import_folder, "Ctrl+Shift+I")
        self._action(file_menu, "Import &REFI-QDA project…", lambda: self.import_refi_qda())
        self.export_action = self._action(file_menu, "&Export tagged passages…",
                                          lambda: self.export_passages(), "Ctrl+E")
        self._action(file_menu, "Export &codebook…", lambda: self.export_codebook())
        self._action(file_menu, "Import c&odebook…", lambda: self.import_codebook())
        file_menu.addSeparator()
        self._action(file_menu, "&Back up now", self.back_up_now)
        self._action(file_menu, "&Restore from backup…", self.restore_from_backup)
        file_menu.addSeparator()
        self._action(file_menu, "&Preferences…", self.edit_preferences, QKeySequence.StandardKey.Preferences)
        file_menu.addSeparator()
        self._action(file_menu, "&Quit", self.close, QKeySequence.StandardKey.Quit)
        self._build_edit_menu()
        article_menu = self.menuBar().addMenu("&Article")
        self.details_action = self._action(article_menu, "Edit &details…",
                                           self.edit_article_details, "F2")
        self.edit_text_action = self._action(article_menu, "Edit &text…",
                                             self.edit_article_text)
        self._build_review_actions(article_menu)
        go_menu = self.menuBar().addMenu("&Go")
        self._action(go_menu, "&Next article", lambda: self.step_article(1), "Alt+Down")
        self._action(go_menu, "&Previous article", lambda: self.step_article(-1), "Alt+Up")
        self._action(go_menu, "Article &list", self.focus_article_list, "Ctrl+L")
        self._action(go_menu, "&Speakers", self.focus_speakers, "Ctrl+Shift+S")
        self._action(go_menu, "&Entities", self.focus_corpus_entities, "Ctrl+Shift+E")
        self._action(go_menu, "Article &text", self.view.setFocus, "Ctrl+T")
        self._action(go_menu, "This article's &passages", self.focus_passages, "Ctrl+Shift+P")
        self._build_navigation_actions(go_menu)
        self.themes = ThemeController(self.preferences.settings, self)
        self.view_menu = ViewMenu(self, self.menuBar().addMenu("&View"), self.themes)
        help_menu = self.menuBar().addMenu("&Help")
        self.shortcuts_action = self._action(help_menu, "&Keyboard shortcuts",
                                             self.show_shortcuts)
        self.shortcuts_action.setShortcuts([QKeySequence("F1"), QKeySequence("?")])
        self._action(help_menu, "Show &log", self.show_log)
        self._action(help_menu, "&About Dossier", self.about)

    def _build_status_bar(self) -> None:
        status = self.statusBar()
        self.pipeline_label = QLabel("Loading the language pipeline…")
        self.progress_bar = QProgressBar()
        self.progress_bar.setMaximumWidth(220)
        self.progress_bar.setFormat("Analysing %v/%m")
        self.cancel_button = QToolButton()
        self.cancel_button.setText("Cancel")
        self.cancel_button.setToolTip("Stop analysing; finished articles are kept")
        self.cancel_button.clicked.connect(self.cancel_analysis)
        self.pause_button = QToolButton()
        self.pause_button.setText("Pause")
        self.pause_button.setCheckable(True)
        self.pause_button.setToolTip("Pause analysing after the current batch; Resume "
                                     "goes on where it stopped (so does the next start)")
        self.pause_button.toggled.connect(self.pause_analysis)
        for widget in self._analysis_widgets():
            widget.hide()
        self.review_label = QLabel()
        self.review_label.setToolTip("Articles reviewed (Article → Review status)")
        status.addPermanentWidget(self.review_label)
        status.addPermanentWidget(self.pipeline_label)
        status.addPermanentWidget(self.progress_bar)
        status.addPermanentWidget(self.pause_button)
        status.addPermanentWidget(self.cancel_button)

    def _analysis_widgets(self) -> tuple:
        return self.progress_bar, self.pause_button, self.cancel_button

    def _connect(self) -> None:
        self.article_list.articleSelected.connect(self.show_article)
        self.article_filters.queryChanged.connect(self.apply_query)
        self.article_list.list_model.totalChanged.connect(
            lambda total, exact: self.article_filters.set_hit_count(
                total, self.query.is_filtered(), exact))
        view = self.view
        view.tagKeyPressed.connect(self.tag_with_key)
        view.tagRequested.connect(self.tag_selection)
        view.emptySelectionKey.connect(
            lambda: self.statusBar().showMessage("Select some text first, then press a tag key.", 4000))
        view.passageNoteRequested.connect(self.edit_note)
        view.passageRetagRequested.connect(self.retag)
        view.passageDeleteRequested.connect(self.delete_passage)
        self.legend.hiddenChanged.connect(view.set_hidden_keys)
        panel = self.tag_panel
        panel.applyRequested.connect(self.tag_selection)
        panel.createRequested.connect(self.create_tag)
        panel.renameRequested.connect(self.rename_tag)
        panel.recolourRequested.connect(self.recolour_tag)
        panel.detailsRequested.connect(self.describe_tag)
        panel.mergeRequested.connect(self.merge_tags)
        panel.deleteRequested.connect(self.delete_tag)
        plist = self.passage_list
        plist.passageActivated.connect(self.go_to_passage)
        plist.noteRequested.connect(self.edit_note)
        plist.noteEdited.connect(self.set_note)
        plist.retagRequested.connect(self.retag)
        plist.deleteRequested.connect(self.delete_passage)
        self.entity_panel.spanActivated.connect(self.go_to_span)
        self.quote_panel.spanActivated.connect(self.go_to_span)
        self.quote_panel.linkActivated.connect(self.go_to_quote)
        self.quote_panel.quoteTagRequested.connect(self.tag_quote)
        self.speakers_view.speakerSelected.connect(self.show_speaker)
        self.speakers_view.quoteActivated.connect(self.go_to_quote)
        entities = self.entities_view
        entities.queryChanged.connect(lambda _query: self.refresh_corpus_entities())
        entities.mergeRequested.connect(self.merge_entities)
        entities.labelCorrectionRequested.connect(self.correct_entity_label)
        entities.unmergeRequested.connect(self.unmerge_entity)
        entities.showArticlesRequested.connect(self.show_entity_articles)

    def _connect_analysis(self) -> None:
        worker = self.analysis.worker
        worker.pipelineLoaded.connect(self._pipeline_loaded)
        worker.progress.connect(self._analysis_progress)
        worker.articleAnalysed.connect(self._article_analysed)
        worker.finished.connect(self._analysis_finished)
        worker.failed.connect(self._analysis_failed)

    # -- articles ------------------------------------------------------
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
            self._read_in_worker("article count",
                                 lambda db: article_query.count_articles(db, query), counted)

    def apply_query(self, values: dict) -> None:
        """Search, filter or sort the article list (from the filter bar)."""
        try:
            query = article_query.ArticleQuery(**values)
        except ValueError as error:
            self.article_filters.show_error(str(error))
            return
        previous, self.query = self.query, query
        if not self.refresh_articles():
            self.query = previous

    def refresh_articles(self, select: int | None = None) -> bool:
        """Re-read the list (a page of it) and keep or pick the current article.

        Returns False (and leaves the list as it was) if the query cannot run.
        """
        try:
            self._show_listing(ArticleListing(self.db, self.query))
        except article_query.SearchError as error:
            self.article_filters.show_error(str(error))
            return False
        self.article_filters.show_error("")
        model = self.article_list.list_model
        if select is not None and self.article_list.select_article(select):
            return True
        # the article being read stays current if the new list has it near
        # the top; otherwise the list's first article opens
        if self.current_id is not None and self.article_list.select_article(
                self.current_id, within=KEEP_CURRENT_WITHIN):
            return True
        if model.rowCount():
            self.article_list.select_article(model.article(0)["id"])
            return True
        self.current_id = None
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
        self.passage_list.set_passages([], self._tags)
        return True

    def step_article(self, step: int) -> None:
        model = self.article_list.list_model
        row = model.row_of(self.current_id) if self.current_id is not None else -1
        row = max(0, min(model.rowCount() - 1, (row if row is not None else -1) + step))
        if model.rowCount():
            self.article_list.select_article(model.article(row)["id"])

    def show_article(self, article_id: int) -> None:
        article = articles.get_article(self.db, article_id)
        if article is None:
            return
        self.current_id = article_id
        self._article_tools_enabled(True)
        analysis = analyses.latest_analysis(self.db, article_id)
        self.title_label.setText(article["title"])
        self.review_box.set_status(article["review_status"])
        self.memo_editor.set_memo(article_id, article["memo"])
        self._update_meta(article, analysis)
        self.similar_bar.set_articles(similarity.similar_to(self.db, article_id))
        entities = self._corrected(analysis)
        found = self._with_links(article_id, analysis["quotes"]) if analysis else []
        rows = passages.passages_for_article(self.db, article_id)
        self.view.set_tags(self._tags)
        self.view.set_article(article["text"], entities=entities, quotes=found, passages=rows)
        if self.query.searches_text():
            self.view.set_search_matches(
                article_query.search_matches(self.db, article_id, self.query.search))
        self._show_analysis_panels(entities, found)
        self.passage_list.set_passages(rows, self._tags)
        self._show_note_matches(article["memo"])

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
        """Quotes with ``also_in``: where else the same words were quoted."""
        links = quotes.links_for_article(self.db, article_id)
        return [{**q, "also_in": links.get(q["id"], [])} for q in rows]

    def _update_meta(self, article: dict, analysis: dict | None) -> None:
        parts = [header_line(article) or "source unknown"]
        if analysis:
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

    def go_to_span(self, start: int, end: int) -> None:
        self.view.select_range(start, end)
        self.view.setFocus()

    def go_to_quote(self, article_id: int, start: int, end: int) -> None:
        """Open an article (if needed) and select a span in it."""
        if article_id != self.current_id:
            self.article_list.select_article(article_id)
        if article_id == self.current_id:
            self.go_to_span(start, end)

    def tag_quote(self, digit: int, start: int, end: int) -> None:
        """Tag a whole quote with the tag on key ``digit``."""
        self.view.select_range(start, end)
        self.tag_with_key(digit)

    def focus_article_list(self) -> None:
        self.view_menu.show_panel("articles", True)
        self.left_tabs.setCurrentWidget(self.articles_box)
        self.article_list.setFocus()

    def focus_speakers(self) -> None:
        self.view_menu.show_panel("articles", True)
        self.left_tabs.setCurrentWidget(self.speakers_view)
        self.speakers_view.speakers.setFocus()

    def _read_in_worker(self, what: str, read, show) -> Task:
        """``read(db)`` on a connection of its own in a worker, then ``show(rows)``
        on the GUI thread (nothing if it failed: logged)."""
        from storage import open_database

        db_path = self.db_path

        def work(_progress, _cancelled):
            db = open_database(db_path)
            try:
                return read(db)
            finally:
                db.close()

        task = Task(work, self)
        self._tasks.append(task)

        def done(rows) -> None:
            if task in self._tasks:
                self._tasks.remove(task)
            if rows is not None:
                show(rows)

        task.succeeded.connect(done)
        task.failed.connect(lambda message: (done(None), log.warning(
            "%s failed: %s", what, message)))
        task.start()
        return task

    def refresh_speakers(self) -> Task | None:
        """Re-read the corpus-wide speakers — only while their tab is shown,
        and in a worker: it is a query over every quote (about 2 s on
        100,000 articles), which neither start-up nor the GUI thread waits for."""
        if self.left_tabs.currentWidget() is not self.speakers_view:
            return None
        return self._read_in_worker("speakers", quotes.speakers,
                                    self.speakers_view.set_speakers)

    def focus_passages(self) -> None:
        """The Passages tab, its first passage current: ↑/↓ go through them,
        Enter shows one in the text, F2 edits its note, Delete deletes it."""
        self.view_menu.show_panel("side", True)
        self.side_tabs.setCurrentWidget(self.passage_list)
        plist = self.passage_list
        if plist.currentItem() is None and plist.topLevelItemCount():
            plist.setCurrentItem(plist.topLevelItem(0))
        plist.setFocus()

    def focus_corpus_entities(self) -> None:
        self.left_tabs.setCurrentWidget(self.entities_view)
        self.entities_view.tree.setFocus()

    def refresh_corpus_entities(self) -> Task | None:
        """Re-read the corpus entities — only while their tab is shown, in a
        worker (a few ms on 100,000 articles from ``entity_counts``, but a
        busy disk or another writer must not freeze the window)."""
        if self.left_tabs.currentWidget() is not self.entities_view:
            return None
        query = self.entities_view.query()

        def read(db):
            return entity_index.corpus_entities(db, labels=query["labels"],
                                                search=query["search"],
                                                limit=CORPUS_ENTITIES_SHOWN)

        def show(rows):
            if self.entities_view.query() == query:   # else a newer read is coming
                self.entities_view.set_entities(
                    rows, limited=len(rows) >= CORPUS_ENTITIES_SHOWN)
        return self._read_in_worker("corpus entities", read, show)

    def _correct_entities(self, title: str, text: str, change) -> bool:
        return self.run_command(commands.CorrectEntities(self, text, change), title)

    def merge_entities(self, rows: list[dict], name: str, label: str) -> bool:
        """One canonical entity of ``rows`` (undoable)."""
        return self._correct_entities(
            "Merge entities", f"Merge {len(rows)} entities into “{name}”",
            lambda db: entity_corrections.merge_entities(db, rows, name, label))

    def correct_entity_label(self, row: dict, label: str) -> bool:
        return self._correct_entities(
            "Correct label", f"Label “{row['name']}” as {label}",
            lambda db: entity_corrections.correct_label(db, row, label))

    def unmerge_entity(self, canon_id: int) -> bool:
        return self._correct_entities("Unmerge entity", "Unmerge entity",
                                      lambda db: entity_corrections.unmerge(db, canon_id))

    def show_entity_articles(self, name: str) -> None:
        """Filter the article list by an entity (and all its aliases)."""
        self.article_filters.set_entity(name)
        self.left_tabs.setCurrentWidget(self.articles_box)

    def show_speaker(self, speaker: str) -> None:
        rows = list(quotes.all_quotes(self.db, speaker=speaker, kinds=quotes.SPOKEN))
        self.speakers_view.set_quotes(speaker, rows)

    def go_to_passage(self, passage_id: int) -> None:
        passage = passages.get_passage(self.db, passage_id)
        if passage and passage["article_id"] == self.current_id:
            if passage["anchor"] == "orphaned":
                self.statusBar().showMessage("This passage's words are no longer in the "
                                             "article; it is kept with its text and note.", 6000)
                return
            self.go_to_span(passage["start"], passage["end"])

    def edit_article_text(self) -> None:
        from widgets.text_edit_dialog import TextEditDialog

        if self.current_id is None:
            return
        dialog = TextEditDialog("Edit article text", self.view.article_text(), self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.replace_article_text(dialog.text())

    def replace_article_text(self, text: str) -> dict | None:
        """Store corrected text, re-anchor the passages, re-analyse."""
        if text == self.view.article_text():
            return None
        command = commands.ReplaceText(self, self.current_id, text)
        if not self.run_command(command, "Edit article text"):
            return None
        counts = command.counts
        message = (f"Text saved: {counts['kept']} passage(s) in place, {counts['moved']} "
                   f"moved, {counts['orphaned']} no longer found (kept, marked ⚠).")
        self.statusBar().showMessage(message, 10000)
        return counts

    # -- keyboard ------------------------------------------------------
    #: (menu text, what, step, key) for stepping through the text
    STEPS = (("Next &passage", "passage", 1, "Ctrl+]"),
             ("Previous p&assage", "passage", -1, "Ctrl+["),
             ("Next &quote", "quote", 1, "F3"),
             ("Previous q&uote", "quote", -1, "Shift+F3"),
             ("Next &entity", "entity", 1, "F4"),
             ("Previous e&ntity", "entity", -1, "Shift+F4"))

    def _build_navigation_actions(self, menu) -> None:
        menu.addSeparator()
        for text, kind, step, key in self.STEPS:
            self._action(menu, text, lambda _=False, k=kind, s=step: self.step_in_text(k, s),
                         key)
        menu.addSeparator()
        #: the search box's action; whoever adds a search field sets
        #: ``search_target`` to it and Ctrl+F focuses it
        self.search_target: QWidget | None = self.article_filters.search
        self.focus_search_action = self._action(menu, "&Find…", self.focus_search,
                                                QKeySequence.StandardKey.Find)

    def step_in_text(self, kind: str, step: int) -> None:
        """Select the next/previous passage, quote or entity; 1–9 then tags it."""
        found = self.view.step_to(kind, step)
        self.view.setFocus()
        if found is None:
            self.statusBar().showMessage(f"This article has no {kind}s to go to.", 4000)
            return
        if kind == "entity":
            what = f"{found['text']} ({found['label']})"
        elif kind == "quote":
            what = found.get("speaker") or "no speaker found"
        else:
            what = found.get("tag") or kind
        items = self.view.navigable(kind)
        # "3 of 11": where the step landed, so a wrap from the last to the first shows
        where = f" {items.index(found) + 1} of {len(items)}" if found in items else ""
        self.statusBar().showMessage(
            f"{kind.capitalize()}{where}: {what} — press 1–9 to tag it.", 4000)

    def focus_search(self) -> None:
        """Focus the search field (``search_target``), with its text selected."""
        target = self.search_target
        if target is None:
            self.statusBar().showMessage("There is no search field yet.", 4000)
            return
        if target is self.article_filters.search:
            self.view_menu.show_panel("articles", True)
            self.left_tabs.setCurrentWidget(self.articles_box)
        target.setFocus(Qt.FocusReason.ShortcutFocusReason)
        if hasattr(target, "selectAll"):
            target.selectAll()

    def shortcut_rows(self) -> list[tuple[str, str, str]]:
        """Every shortcut of the window, from its actual actions, plus the
        tag keys of the codebook and the keys widgets handle themselves."""
        rows = []

        def walk(menu, group: str) -> None:
            for action in menu.actions():
                if action.menu():
                    walk(action.menu(), group)
                elif action.shortcuts():
                    keys = ", ".join(k.toString(QKeySequence.SequenceFormat.NativeText)
                                     for k in action.shortcuts())
                    rows.append((group, _menu_label(action.text()), keys))
        for top in self.menuBar().actions():
            if top.menu():
                walk(top.menu(), _menu_label(top.text()))
        rows += [("Tags", f"Tag the selection as “{t['name']}”", str(t["shortcut"]))
                 for t in self._tags if t.get("shortcut")]
        rows += [("In lists and text", what, keys) for what, keys in (
            ("Next / previous article in the list", "Up, Down"),
            ("Tag the quote or entity under the caret", "1–9"),
            ("Tag the selected quote in the Quotes tab", "1–9"),
            ("Delete the selected passage in the Passages tab", "Delete"),
            ("Edit the selected passage's note in the Passages tab",
             "F2, or double-click the note"))]
        return rows

    def show_shortcuts(self) -> None:
        from widgets.shortcuts_sheet import ShortcutsSheet

        self.shortcuts_sheet = ShortcutsSheet(self.shortcut_rows(), self)
        self.shortcuts_sheet.show()

    # -- review status -------------------------------------------------
    def _build_review_actions(self, menu) -> None:
        status_menu = menu.addMenu("&Review status")
        self.review_actions = {}
        for status, key in zip(review.STATUSES, ("Ctrl+1", "Ctrl+2", "Ctrl+3")):
            self.review_actions[status] = self._action(
                status_menu, f"Mark as {status}",
                lambda _=False, s=status: self.set_review_status(s), key)

    def _show_review_marks(self) -> None:
        """A mark per row of the article list: amber in progress, green done.
        The status comes with each listed row (no read of every article)."""
        inner = self.article_list.itemDelegate()
        self.article_list.setItemDelegate(ReviewMarkDelegate(
            inner, lambda status: status, REVIEW_ROLE, self.article_list))
        self.review_changed()

    def set_review_status(self, status: str) -> None:
        """Set the current article's review status (undoable)."""
        if self.current_id is None:
            return
        if review.review_status(self.db, self.current_id) != status:
            self.run_command(commands.SetReviewStatus(self, self.current_id, status),
                             "Review status")
        self.statusBar().showMessage(f"Marked as {status}.", 3000)

    def review_changed(self, article_id: int | None = None) -> None:
        """Show a review status change: the header, that article's list mark
        (``article_id``, default the current one), the progress count."""
        article_id = self.current_id if article_id is None else article_id
        if article_id is not None:
            try:
                status = review.review_status(self.db, article_id)
            except review.ReviewError:
                status = None
            if status:
                self.article_list.list_model.set_review_status(article_id, status)
                if article_id == self.current_id:
                    self.review_box.set_status(status)
        self.review_label.setText(progress_text(review.review_progress(self.db)))

    # -- undo and redo -------------------------------------------------
    def _build_edit_menu(self) -> None:
        """Edit → Undo / Redo, naming what they will undo or redo."""
        edit_menu = self.menuBar().addMenu("&Edit")
        self.undo_action = self.undo_stack.createUndoAction(self, "&Undo")
        self.undo_action.setShortcuts([QKeySequence("Ctrl+Z")])
        self.redo_action = self.undo_stack.createRedoAction(self, "&Redo")
        self.redo_action.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
        edit_menu.addAction(self.undo_action)
        edit_menu.addAction(self.redo_action)
        edit_menu.addSeparator()
        self.autotag_action = self._action(edit_menu, "&Auto-tag…",
                                           lambda: self.open_auto_tag(), "Ctrl+Shift+A")
        self.edit_menu = edit_menu

    def run_command(self, command: commands.StorageCommand, title: str) -> bool:
        """Make an undoable change; pushed on the undo stack only if it worked."""
        if self._guard(title, lambda: command.first_apply() or True) is None:
            return False
        self.undo_stack.push(command)   # already applied: its first redo does nothing
        self.command_done(command)
        return True

    def command_done(self, command: commands.StorageCommand) -> None:
        """Show the result of a change, an undo or a redo."""
        changes = command.changes
        article_id = command.article_id
        if article_id is not None and article_id != self.current_id:
            self.article_list.select_article(article_id)   # shows it as stored now
        if commands.ARTICLE in changes:
            self.refresh_articles(select=article_id)
            if article_id == self.current_id:
                self.show_article(article_id)
        if commands.TEXT in changes:
            if article_id == self.current_id:
                self.show_article(article_id)
            self.start_analysis()
        if commands.PASSAGES in changes or commands.TAGS in changes:
            self.refresh_passages()
            if self.query.searches_notes():   # a note may bring it into the list or out
                self.refresh_articles(select=article_id)
        if commands.TAGS in changes and article_id is None:
            self._refresh_all_counts()
        if commands.REVIEW in changes:
            if self.query.review:      # it may enter or leave the filtered list
                self.refresh_articles(select=article_id)
            self.review_changed(article_id)
        if commands.MEMO in changes:      # an undo or redo (see save_memo)
            memo = review.memo(self.db, article_id)
            if article_id == self.current_id:
                self.memo_editor.show_stored(article_id, memo)
                self._show_memo_mark(memo)
            if self.query.searches_notes():
                self.refresh_articles(select=article_id)
        if commands.ENTITIES in changes:
            self.refresh_corpus_entities()
            if self.query.entity:   # the filter's aliases changed
                self.refresh_articles(select=self.current_id)
            if self.current_id is not None:
                self._article_analysed(self.current_id)

    def command_failed(self, command: commands.StorageCommand, error: Exception) -> None:
        """An undo or redo the database refused: the history no longer matches
        the stored data, so it is cleared (nothing half-done is kept)."""
        log.warning("%s could not be undone/redone: %s", command.text(), error)
        QTimer.singleShot(0, self.undo_stack.clear)
        self.refresh_passages()
        self.statusBar().showMessage(
            f"“{command.text()}” could not be undone or redone ({error}); the data was "
            "changed elsewhere meanwhile. The undo history was cleared.", 10000)

    def flush_edits(self) -> None:
        """Save anything typed but not yet stored (the memo); before closing
        the window or showing another article."""
        self.memo_editor.flush()

    def save_memo(self, article_id: int, text: str) -> None:
        """Store an article's memo (one transaction per save), undoably.

        Not through :meth:`run_command`: a save may come while another
        article is being shown (the editor saves before it switches), and
        must not bring the reader back to this one; undo and redo do."""
        command = commands.SetMemo(self, article_id, text)
        if self._guard("Save memo", lambda: command.first_apply() or True) is None:
            return
        self.undo_stack.push(command)        # merged into the last save if it is this memo's
        if article_id == self.current_id:
            self._show_memo_mark(text)

    def _show_memo_mark(self, memo: str, *, matched: bool = False) -> None:
        """The Memo tab says whether the article has a memo (and whether the
        search matched it)."""
        self.side_tabs.setTabText(self.side_tabs.indexOf(self.memo_editor),
                                  "Memo ✓ search" if matched
                                  else "Memo •" if memo.strip() else "Memo")

    # -- tagging -------------------------------------------------------
    def _guard(self, title: str, function, *args):
        """Run a storage call; show the user why it failed instead of crashing."""
        try:
            return function(*args)
        except (TagError, PassageError, articles.ArticleError, ReviewError,
                ValueError) as error:
            QMessageBox.warning(self, title, str(error))
        except sqlite3.OperationalError as error:
            log.warning("%s failed: %s", title, error)
            if "locked" in str(error) or "busy" in str(error):
                QMessageBox.warning(self, title, "The database is busy: another Dossier window "
                                    "or a dossier command is writing to it. Nothing was "
                                    "changed; try again in a moment.")
            else:
                QMessageBox.critical(self, title, f"The database refused the change: {error}")
        except sqlite3.Error as error:
            log.exception("%s failed", title)
            QMessageBox.critical(self, title, f"The database refused the change: {error}")
        return None

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
        tag = next(t for t in self._tags if t["id"] == tag_id)
        if self.run_command(commands.AddPassages(
                self, f"Tag as “{tag['name']}”", [dict(
                    article_id=self.current_id, tag_id=tag_id, start=start, end=end)],
                self.preferences.analyst, article_id=self.current_id), "Tag passage"):
            self.statusBar().showMessage(
                f"Tagged {end - start} characters as “{tag['name']}”.", 5000)

    # -- auto-tag ------------------------------------------------------
    def open_auto_tag(self) -> AutoTagDialog:
        """Edit → Auto-tag…: a non-modal dialog whose previews this window
        computes and whose "Tag N passages" it makes one undoable step."""
        if self.autotag_dialog is not None:
            self.autotag_dialog.reject()
        article = articles.get_article(self.db, self.current_id) if self.current_id else None
        dialog = AutoTagDialog(self._tags, {"id": article["id"], "title": article["title"]}
                               if article else None, self)
        dialog.previewRequested.connect(lambda request: self.preview_auto_tag(dialog, request))
        dialog.tagRequested.connect(self.auto_tag)
        dialog.showRequested.connect(self.go_to_quote)
        dialog.finished.connect(lambda _result: self._auto_tag_closed(dialog))
        self.autotag_dialog = dialog
        dialog.open()
        return dialog

    def _auto_tag_closed(self, dialog: AutoTagDialog) -> None:
        if self._autotag_task is not None:
            self._autotag_task.cancel()
            self._autotag_task = None
        if self.autotag_dialog is dialog:
            self.autotag_dialog = None
        dialog.deleteLater()

    def preview_auto_tag(self, dialog: AutoTagDialog,
                         request: autotag.AutoTagRequest) -> Task | None:
        """Candidates for ``request``: at once for one article, in a worker
        (its own connection, articles read in batches) for the corpus."""
        if self._autotag_task is not None:
            self._autotag_task.cancel()
            self._autotag_task = None
        if request.article_id is not None:
            try:
                dialog.show_candidates(request, autotag.find_candidates(self.db, request))
            except autotag.AutoTagError as error:
                dialog.show_error(str(error), request)
            return None
        from storage import open_database

        db_path = self.db_path

        def work(on_progress, is_cancelled):
            db = open_database(db_path)
            try:
                return autotag.find_candidates(db, request, on_progress=on_progress,
                                               is_cancelled=is_cancelled)
            finally:
                db.close()

        task = Task(work, self)
        self._tasks.append(task)
        self._autotag_task = task

        def current() -> bool:
            if task in self._tasks:
                self._tasks.remove(task)
            is_current = task is self._autotag_task and self.autotag_dialog is dialog
            if task is self._autotag_task:
                self._autotag_task = None
            return is_current

        task.progress.connect(lambda done, total: task is self._autotag_task
                              and self.autotag_dialog is dialog
                              and dialog.show_progress(done, total))
        task.succeeded.connect(lambda rows: current() and dialog.show_candidates(request, rows))
        task.failed.connect(lambda message: current() and dialog.show_error(message, request))
        task.start()
        return task

    def auto_tag(self, request: autotag.AutoTagRequest, candidates: list[dict]) -> Task | None:
        """Tag every candidate as one undoable step. The passages are stored
        in a worker (its own connection, one transaction, a progress dialog
        whose Cancel stores nothing); the stored rows come back through the
        task's signal and become the undo command."""
        tag = next((t for t in self._tags if t["id"] == request.tag_id), None)
        if tag is None or not candidates:
            return None
        from storage import open_database

        count = len(candidates)
        what = f"{count} passage{'s' if count != 1 else ''}"
        db_path, analyst = self.db_path, self.preferences.analyst

        def work(on_progress, is_cancelled):
            db = open_database(db_path)
            try:
                return autotag.insert_passages(db, request, candidates, analyst,
                                               on_progress=on_progress,
                                               is_cancelled=is_cancelled)
            except autotag.AutoTagCancelled:
                return None
            finally:
                db.close()

        def stored(rows: list[dict] | None) -> None:
            if rows is None:
                self.statusBar().showMessage("Auto-tag cancelled; nothing was tagged.", 6000)
                return
            if self.run_command(commands.StoredPassages(
                    self, f"Auto-tag {what} as “{tag['name']}”", rows,
                    article_id=request.article_id), "Auto-tag"):
                self.statusBar().showMessage(f"Tagged {what} as “{tag['name']}”.", 5000)

        return self._run_task(f"Tagging {what}", work, stored)

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
            self.refresh_tags()
        if self.current_id is None:
            return
        rows = passages.passages_for_article(self.db, self.current_id)
        self.view.set_passages(rows)
        self.passage_list.set_passages(rows, self._tags)
        self.article_list.list_model.set_passage_count(self.current_id, len(rows))

    def refresh_tags(self) -> None:
        self._tags = tags.list_tags(self.db)
        self.tag_panel.set_tags(self._tags)
        self.view.set_tags(self._tags)
        self.article_filters.set_tags(self._tags)

    def edit_note(self, passage_id: int) -> None:
        passage = passages.get_passage(self.db, passage_id)
        note = ask_note(self, passage) if passage else None
        if note is not None:
            self.set_note(passage_id, note)

    def set_note(self, passage_id: int, note: str) -> None:
        passage = passages.get_passage(self.db, passage_id)
        if passage is None or passage["note"] == note:
            return
        self.run_command(commands.ChangePassage(
            self, "Edit note", passage_id, lambda db, pid: passages.set_note(db, pid, note),
            article_id=passage["article_id"]), "Edit note")

    def retag(self, passage_id: int, tag_id: int) -> None:
        passage = passages.get_passage(self.db, passage_id)
        if passage is None:
            return
        tag = next((t for t in self._tags if t["id"] == tag_id), None)
        self.run_command(commands.ChangePassage(
            self, f"Re-tag passage as “{tag['name']}”" if tag else "Re-tag passage", passage_id,
            lambda db, pid: passages.retag_passage(db, pid, tag_id),
            article_id=passage["article_id"]), "Re-tag passage")

    def delete_passage(self, passage_id: int) -> None:
        passage = passages.get_passage(self.db, passage_id)
        if passage and confirm_delete_passage(self, passage):
            self.run_command(commands.DeletePassage(self, passage_id,
                                                    article_id=passage["article_id"]),
                             "Delete passage")

    def create_tag(self, name: str, color: str | None = None) -> None:
        """A new tag — by default in a colour unlike every other tag's — made
        the current tag of the codebook, ready for its key or colour."""
        color = color or tags.unused_colour(t["color"] for t in self._tags)
        command = commands.CreateTag(self, name, color)
        if self.run_command(command, "New tag"):
            self.tag_panel.select_tag(command.row["id"])

    def _change_tags(self, title: str, text: str, tag_ids: list[int], change) -> bool:
        return self.run_command(commands.ChangeTags(self, text, tag_ids, change), title)

    def _tag_name(self, tag_id: int) -> str:
        return next((t["name"] for t in self._tags if t["id"] == tag_id), "tag")

    def rename_tag(self, tag_id: int, name: str) -> None:
        self._change_tags("Rename tag", f"Rename “{self._tag_name(tag_id)}” to “{name}”",
                          [tag_id], lambda db: tags.rename_tag(db, tag_id, name))

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
            with db.atomic():   # both or neither
                tags.describe_tag(db, tag_id, description=description, shortcut=key or None)
                tags.set_parent(db, tag_id, parent or None)
        self._change_tags("Tag details", f"Edit details of “{tag['name']}”",
                          [tag_id] + ([other["id"]] if other and other["id"] != tag_id else []),
                          change)

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
        from desktop.codebook_files import FILTERS, export_codebook, format_of, with_suffix
        from desktop.codebook_json import CodebookFileError

        fmt = format_of(path) if path is not None else None
        if path is None:
            chosen, chosen_filter = QFileDialog.getSaveFileName(
                self, "Export codebook", str(Path.home() / "codebook.json"),
                ";;".join(FILTERS.values()))
            if not chosen:
                return False
            # a name typed with .json or .qdc says the format; else the filter does
            fmt = format_of(Path(chosen), next(
                (f for f, text in FILTERS.items() if text == chosen_filter), "json"))
            path = with_suffix(Path(chosen), fmt)
        try:
            count = export_codebook(self.db, path, fmt)
        except (OSError, CodebookFileError) as error:
            QMessageBox.warning(self, "Export codebook", f"Cannot write {path}: {error}")
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
                self, "Import codebook", str(Path.home()),
                ";;".join([f"Codebook ({patterns})", *FILTERS.values()]))
            if not chosen:
                return False
            path = Path(chosen)
        try:
            found = read_codebook_file(path)
        except CodebookFileError as error:
            QMessageBox.warning(self, "Import codebook", f"{Path(path).name}: {error}")
            return False
        command = commands.ImportCodebook(self, f"Import codebook {Path(path).name}",
                                          found.entries)
        if not self.run_command(command, "Import codebook"):
            return False
        summary, _details = import_lines(command.result, found.skipped)
        self._report("Import codebook", f"Codebook imported: {summary}.",
                     [f"{what}: {why}" for what, why in found.skipped])
        return True

    def delete_tag(self, tag_id: int, move_to: int) -> None:
        tag = tags.get_tag(self.db, tag_id)
        if tag is None:
            return
        self._change_tags("Delete tag", f"Delete tag “{tag['name']}”",
                          [tag_id] + ([move_to] if move_to else []),
                          lambda db: tags.delete_tag(db, tag_id,
                                                     move_passages_to=move_to or None))

    def _refresh_all_counts(self) -> None:
        """Passage counts of the listed articles (after a codebook change): the
        lazy list re-reads its pages, nothing counts every article."""
        self.refresh_articles(select=self.current_id)

    # -- analysis ------------------------------------------------------
    def start_analysis(self) -> None:
        """Analyse whatever is pending, unless the analyst paused analysis."""
        if not self._analysis_paused:
            self.analysis.request()

    def pause_analysis(self, paused: bool) -> None:
        """Pause after the current batch (results so far are stored), or resume."""
        self._analysis_paused = paused
        self.pause_button.setChecked(paused)
        self.pause_button.setText("Resume" if paused else "Pause")
        self.progress_bar.setFormat(("Paused %v/%m" if paused else "Analysing %v/%m"))
        if paused:
            self.analysis.worker.cancel()
        else:
            self.start_analysis()

    def cancel_analysis(self) -> None:
        """Stop analysing; what is left is analysed at the next start or import."""
        self.pause_button.blockSignals(True)
        self._analysis_paused = False
        self.pause_button.setChecked(False)
        self.pause_button.setText("Pause")
        self.pause_button.blockSignals(False)
        self.progress_bar.setFormat("Analysing %v/%m")
        self.analysis.worker.cancel()
        for widget in self._analysis_widgets():
            widget.hide()

    def _pipeline_loaded(self, name: str, version: str, degraded: bool, warnings: list) -> None:
        self.pipeline_label.setText(f"Pipeline: {name} {version}"
                                    + (" — entities degraded" if degraded else ""))
        if warnings:
            self.degraded_banner.setText("\n".join(warnings))
            self.degraded_banner.show()

    def _analysis_progress(self, done: int, total: int) -> None:
        busy = done < total
        for widget in self._analysis_widgets():
            widget.setVisible(busy)
        self.progress_bar.setRange(0, max(total, 1))
        self.progress_bar.setValue(done)

    def _article_analysed(self, article_id: int) -> None:
        if article_id != self.current_id:
            return
        analysis = analyses.latest_analysis(self.db, article_id)
        if analysis:
            found = self._with_links(article_id, analysis["quotes"])
            entities = self._corrected(analysis)
            self.view.set_analysis(entities, found)
            self._show_analysis_panels(entities, found)
            self._update_meta(articles.get_article(self.db, article_id), analysis)

    def _analysis_finished(self, done: int) -> None:
        if not self._analysis_paused:   # a paused run keeps its bar and Resume
            for widget in self._analysis_widgets():
                widget.hide()
        self.refresh_speakers()
        if done and self.current_id is not None:
            self._article_analysed(self.current_id)   # recycled-quote links are new
        if done:
            self.statusBar().showMessage(f"Analysed {done} article(s).", 5000)

    def _analysis_failed(self, message: str) -> None:
        for widget in self._analysis_widgets():
            widget.hide()
        self.pipeline_label.setText("Analysis failed")
        QMessageBox.warning(self, "Analysis failed",
                            f"Entities and quotes could not be computed:\n{message}")

    # -- import and export ---------------------------------------------
    def _run_task(self, title: str, function, on_success) -> Task:
        """Run ``function`` in a worker with a cancellable progress dialog."""
        dialog = QProgressDialog(title, "Cancel", 0, 0, self)
        dialog.setWindowTitle(title)
        dialog.setMinimumDuration(400)
        task = Task(function, self)
        self._tasks.append(task)

        def progress(done: int, total: int) -> None:
            dialog.setMaximum(max(total, 1))
            dialog.setValue(done)

        def finish() -> None:
            dialog.reset()
            dialog.deleteLater()
            if task in self._tasks:
                self._tasks.remove(task)

        def failed(message: str) -> None:
            finish()
            QMessageBox.warning(self, title, f"{title} failed: {message}")

        task.progress.connect(progress)
        task.succeeded.connect(lambda result: (finish(), on_success(result)))
        task.failed.connect(failed)
        dialog.canceled.connect(task.cancel)
        task.start()
        return task

    def import_files(self) -> None:
        from desktop.importers.dispatch import SUPPORTED_SUFFIXES

        patterns = " ".join(f"*{suffix}" for suffix in SUPPORTED_SUFFIXES)
        files, _ = QFileDialog.getOpenFileNames(self, "Import articles", "",
                                                f"Articles ({patterns});;All files (*)")
        if files:
            self.import_paths([Path(f) for f in files])

    def import_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Import a folder of articles")
        if folder:
            self.import_paths([Path(folder)])

    def import_paths(self, paths: list[Path]) -> Task:
        from desktop.importers import import_files
        from storage import open_database

        db_path = self.db_path

        def work(on_progress, is_cancelled):
            db = open_database(db_path)
            try:
                return import_files(db, paths, on_progress=on_progress,
                                    is_cancelled=is_cancelled)
            finally:
                db.close()

        return self._run_task("Importing", work, self._imported)

    def _imported(self, report) -> None:
        first_new = report.added[0][1] if report.added else None
        self.refresh_articles(select=first_new)
        self.review_changed()
        self.start_analysis()
        self._report("Import", report.summary() + ".",
                     [f"{path}: {reason}" for path, reason in report.skipped],
                     [f"{Path(path).name}: {reason}" for path, reason in report.skipped])

    def _dropped_paths(self, event) -> list[Path]:
        mime = event.mimeData()
        urls = mime.urls() if mime.hasUrls() else []
        return [Path(url.toLocalFile()) for url in urls if url.isLocalFile()]

    def dragEnterEvent(self, event) -> None:
        if self._dropped_paths(event):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event) -> None:
        self.dragEnterEvent(event)

    def dropEvent(self, event) -> None:
        paths = self._dropped_paths(event)
        if not paths:
            event.ignore()
            return
        event.acceptProposedAction()
        self.import_paths(paths)

    def edit_article_details(self) -> None:
        """Edit the current article's metadata in a dialog; saved on OK."""
        article = articles.get_article(self.db, self.current_id) if self.current_id else None
        if article is None:
            self.statusBar().showMessage("Open an article first.", 4000)
            return
        dialog = ArticleDetailsDialog(article, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self._save_details(article["id"], dialog.values()))
        dialog.open()

    def _save_details(self, article_id: int, values: dict) -> None:
        if self.run_command(commands.EditDetails(self, article_id, values),
                            "Edit article details"):
            self.statusBar().showMessage("Article details saved.", 4000)

    def import_refi_qda(self, path: Path | None = None) -> Task | None:
        """Import a .qdpx project (asks for the file unless given) in the background."""
        from desktop.refi_qda.import_project import ImportCancelled, import_qdpx
        from storage import open_database

        if path is None:
            chosen, _ = QFileDialog.getOpenFileName(
                self, "Import a REFI-QDA project", str(Path.home()),
                "REFI-QDA project (*.qdpx);;All files (*)")
            if not chosen:
                return None
            path = Path(chosen)
        db_path = self.db_path

        def work(on_progress, is_cancelled):
            db = open_database(db_path)
            try:
                return import_qdpx(db, path, on_progress=on_progress, is_cancelled=is_cancelled)
            except ImportCancelled:
                return None
            finally:
                db.close()

        return self._run_task("Importing project", work, self._project_imported)

    def _project_imported(self, report) -> None:
        if report is None:
            self.statusBar().showMessage("Import cancelled; nothing was stored.", 6000)
            return
        self.refresh_tags()
        self.refresh_articles(select=report.articles_added[0][1] if report.articles_added
                              else None)
        self.review_changed()
        self.start_analysis()
        self._report("Import REFI-QDA project", report.summary() + ".",
                     [f"{what}: {why}" for what, why in report.skipped])

    def _report(self, title: str, message: str, problems: list[str],
                short: list[str] | None = None) -> None:
        """A status-bar message, or a warning box naming the first dozen
        problems (``short`` forms if given) with all of them in its details."""
        if not problems:
            self.statusBar().showMessage(message, 8000)
            return
        lines = short or problems
        shown = lines[:12] + ([f"… and {len(lines) - 12} more"] if len(lines) > 12 else [])
        box = QMessageBox(QMessageBox.Icon.Warning, title,
                          message + "\n\nSkipped:\n" + "\n".join(shown), parent=self)
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setDetailedText("\n".join(problems))
        box.exec()

    def export_passages(self, path: Path | None = None) -> Task | None:
        """Export with the dialog's choices, or everything to ``path`` if given."""
        from desktop.export_dialog import ExportDialog, ExportRequest
        from storage.export_selection import analysts

        if path is not None:
            return self.run_export(ExportRequest.for_path(Path(path)))
        # the dialog offers the list's articles (its search, filters and
        # order), at most EXPORT_CHOICES of them: never the whole corpus
        request = ExportDialog.ask(self, tags=self._tags,
                                   articles=article_query.article_page(
                                       self.db, self.query, 0, EXPORT_CHOICES),
                                   analysts=analysts(self.db), current_article=self.current_id,
                                   folder=Path.home())
        return self.run_export(request) if request else None

    def run_export(self, request) -> Task:
        """Run an :class:`~desktop.export_dialog.ExportRequest` in the background."""
        from desktop.exporters import ExportCancelled, export_passages
        from storage import open_database

        db_path = self.db_path

        def work(on_progress, is_cancelled):
            db = open_database(db_path)
            try:
                return export_passages(db, request.path, request.fmt, filter=request.filter,
                                       options=request.options, on_progress=on_progress,
                                       is_cancelled=is_cancelled)
            except ExportCancelled:
                return None
            finally:
                db.close()

        def done(result) -> None:
            if result is None:
                self.statusBar().showMessage("Export cancelled; no file was written.", 6000)
            else:
                self._report("Export", f"Exported {result.count} passage(s) to "
                             f"{request.path}.", result.warnings)

        return self._run_task("Exporting", work, done)

    # -- other writers -------------------------------------------------
    def check_external_changes(self) -> bool:
        """Re-read what is shown if another connection committed since the last
        look (``PRAGMA data_version``: a cheap counter, no query of the data)."""
        version = database_version(self.db)
        if version == self._data_version:
            return False
        self._data_version = version
        scroll = self.view.verticalScrollBar().value()
        selected = self.view.selection_range()
        self.refresh_tags()
        self.refresh_articles()
        if self.current_id is not None:
            self._article_analysed(self.current_id)
            self.refresh_passages()
        # the reader stays where the analyst was reading
        if selected:
            self.view.select_range(*selected)
        self.view.verticalScrollBar().setValue(scroll)
        return True

    # -- backups -------------------------------------------------------
    def _schedule_backups(self) -> None:
        minutes = self.preferences.backup_minutes
        if minutes > 0:
            self.backup_timer.start(minutes * 60_000)
        else:
            self.backup_timer.stop()

    def back_up_in_background(self) -> Task:
        """A scheduled backup from the worker's own connection."""
        from storage import open_database
        from storage.backup import take_backup

        db_path, keep = self.db_path, self.preferences.backups_kept

        def work(_progress, _cancelled):
            db = open_database(db_path)
            try:
                return take_backup(db, db_path, keep=keep)
            finally:
                db.close()

        task = Task(work, self)
        self._tasks.append(task)
        task.succeeded.connect(lambda path: self._backup_done(task, path))
        task.failed.connect(lambda message: self._backup_done(task, None, message))
        task.start()
        return task

    def _state_if_backed_up(self) -> tuple[int, int] | None:
        """The database state now, if its newest backup is newer than its last
        write (files' modification times); else None (changes not backed up)."""
        from storage.backup import list_backups

        backups = list_backups(self.db_path)
        written = [p.stat().st_mtime for p in (self.db_path,
                   self.db_path.with_name(self.db_path.name + "-wal")) if p.exists()]
        if backups and written and backups[0].path.stat().st_mtime >= max(written):
            return (self.db.conn.total_changes, database_version(self.db))
        return None

    def _changed_since_backup(self) -> bool:
        """True unless the newest backup was taken after the last change by
        this window or any other connection (so an exit after only reading
        does not copy a large database again)."""
        from storage.backup import list_backups

        state = (self.db.conn.total_changes, database_version(self.db))
        return not list_backups(self.db_path) or state != self._state_at_backup

    def _backup_done(self, task: Task, path, message: str = "") -> None:
        if task in self._tasks:
            self._tasks.remove(task)
        if path:
            # the worker's own copy shows up in data_version: remember it as seen
            self._state_at_backup = (self.db.conn.total_changes, database_version(self.db))
            self.statusBar().showMessage(f"Backed up to {path.name}.", 4000)
        else:
            log.warning("backup failed: %s", message)
            self.statusBar().showMessage(f"Backup failed: {message}", 8000)

    def back_up_now(self) -> None:
        self.back_up_in_background()

    def restore_from_backup(self) -> None:
        from desktop.restore_dialog import RestoreDialog
        from storage.backup import list_backups

        dialog = RestoreDialog(list_backups(self.db_path), self)
        if dialog.exec() == QDialog.DialogCode.Accepted and dialog.chosen():
            self.restore(dialog.chosen().path)

    def restore(self, backup: Path) -> None:
        """Replace the database by ``backup`` (backing up the current state first)."""
        from storage import open_database
        from storage.backup import restore_backup, take_backup

        self.flush_edits()
        self.analysis.stop()
        for task in list(self._tasks):
            task.cancel()
            task.wait()
        take_backup(self.db, self.db_path, keep=self.preferences.backups_kept + 1,
                    label="before-restore")
        self.db.close()
        restore_backup(backup, self.db_path)
        self.db = open_database(self.db_path)
        self.current_id = None
        self.undo_stack.clear()   # the history was of the replaced database
        self.refresh_tags()
        self.refresh_articles()
        self.refresh_speakers()
        self.review_changed()
        self.analysis = AnalysisProcess(self.db_path, self.preferences.pipeline, self)
        self._connect_analysis()
        self.start_analysis()
        self.statusBar().showMessage(f"Restored {backup.name}.", 8000)

    # -- misc ----------------------------------------------------------
    def _apply_scheme(self, scheme) -> None:
        """Repaint what Dossier colours by hand in the new theme's colours."""
        self.view.set_scheme(scheme)
        self.legend.set_scheme(scheme)
        self.degraded_banner.setStyleSheet(scheme.banner_style())

    def edit_preferences(self) -> None:
        if PreferencesDialog(self.preferences, self).exec():
            self._schedule_backups()

    def show_log(self) -> None:
        from desktop.error_reporting import LOG_NAME, LogDialog
        from desktop.data_location import data_folder

        LogDialog(self.log_path or data_folder() / LOG_NAME, self).exec()

    def about(self) -> None:
        from desktop import __version__
        box = QMessageBox(QMessageBox.Icon.Information, "About Dossier",
                          f"Dossier {__version__}\nA review bench for close reading of "
                          f"news coverage.\n\nDatabase: {self.db_path}", parent=self)
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.exec()

    def closeEvent(self, event) -> None:
        from storage.backup import take_backup

        self.flush_edits()
        self.session.save()
        # gone from the screen at once; stopping the analysis and the exit
        # backup (seconds for a very large database) happen behind it
        self.hide()
        self.backup_timer.stop()
        self.external_timer.stop()
        self.analysis.stop()
        for task in list(self._tasks):
            task.cancel()
            task.wait()
        try:
            if self._changed_since_backup():
                take_backup(self.db, self.db_path, keep=self.preferences.backups_kept)
        except Exception:   # never keep the analyst from quitting
            log.exception("backup on exit failed")
        super().closeEvent(event)
