"""The main window: article list, reader, codebook and side panels, menus.

It wires widgets (plain data in, signals out) to storage functions on the
GUI thread's own connection; spaCy, imports and exports run in workers.
Construction, the article list and reader, tagging, review status, notes,
the keyboard and undo live here; the rest is in mixins, one module each:
:mod:`desktop.gui.window_corpus` (speakers, corpus entities),
:mod:`desktop.gui.window_autotag`, :mod:`desktop.gui.window_codebook`,
:mod:`desktop.gui.window_analysis`, :mod:`desktop.gui.window_files` (import,
export) and :mod:`desktop.gui.window_backups` (other writers, backups).
"""

from __future__ import annotations

import logging
import re
import sqlite3
from pathlib import Path

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence, QUndoStack
from PySide6.QtWidgets import (QDialog, QHBoxLayout, QLabel, QMainWindow, QMessageBox,
                               QProgressBar, QProgressDialog, QSplitter, QTabWidget,
                               QToolButton, QVBoxLayout, QWidget)

from desktop.gui import commands
from desktop.gui.autotag_dialog import AutoTagDialog
from desktop.gui.preferences import Preferences, PreferencesDialog
from desktop.gui.session import Session
from desktop.gui.themes import ThemeController
from desktop.gui.view_menu import ViewMenu
from desktop.gui.window_analysis import AnalysisActions
from desktop.gui.window_autotag import AutoTagActions
from desktop.gui.window_backups import BackupActions
from desktop.gui.window_codebook import CodebookActions
from desktop.gui.window_corpus import CorpusActions
from desktop.gui.window_files import FileActions
from desktop.gui.workers import AnalysisProcess, Task
from storage import (analyses, article_query, articles, entity_corrections, entity_index, journal,
                     passages, quotes, review, similarity, tags)
from storage.article_listing import ArticleListing
from storage.database import database_version
from storage.passages import PassageError
from storage.review import ReviewError
from storage.tags import TagError
from widgets.analyst_label import AnalystLabel
from widgets.article_details_dialog import ArticleDetailsDialog
from widgets.article_filters import ArticleFilters
from widgets.article_list import REVIEW_ROLE, ArticleList, RowSource, header_line
from widgets.article_view import ArticleView
from widgets.corpus_entities import CorpusEntitiesView
from widgets.entity_panel import EntityPanel
from widgets.legend import Legend
from widgets.memo_editor import MemoEditor
from widgets.passage_list import PassageList
from widgets.plain_text import plain_critical, plain_warning
from widgets.passage_menu import ask_note, confirm_delete_passage
from desktop.gui.speaker_corrections import SpeakerCorrections
from storage.changes import SPEAKERS
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


class MainWindow(CorpusActions, AutoTagActions, CodebookActions, AnalysisActions,
                 FileActions, BackupActions, QMainWindow):
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
        #: this window's origin in the change journal: its own undo history
        self.journal_origin = journal.new_origin()
        self.query = article_query.ArticleQuery()
        self._analysis_paused = False
        self.setWindowTitle("Dossier")
        self.resize(1400, 860)
        self.setAcceptDrops(True)  # files and folders dropped on the window are imported
        self._build_widgets()
        self._build_menus()
        self._build_status_bar()
        self._connect()
        self.speaker_corrections = SpeakerCorrections(self)   # issue 15
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

    def open_agreement_report(self):
        """File → Agreement report… (imported late: it brings numpy)."""
        from desktop.gui.agreement_dialog import open_agreement_report
        return open_agreement_report(self)

    def merge_from(self, path=None):
        """File → Merge from… (desktop.gui.merge_action)."""
        from desktop.gui.merge_action import merge_from
        return merge_from(self, path)

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        self._action(file_menu, "&Import files…", self.import_files, "Ctrl+I")
        self._action(file_menu, "Import &folder…", self.import_folder, "Ctrl+Shift+I")
        self._action(file_menu, "Import &REFI-QDA project…", lambda: self.import_refi_qda())
        from desktop.gui import web_import
        web_import.install(self, file_menu)
        self.export_action = self._action(file_menu, "&Export tagged passages…",
                                          lambda: self.export_passages(), "Ctrl+E")
        self._action(file_menu, "Export &codebook…", lambda: self.export_codebook())
        self._action(file_menu, "Import c&odebook…", lambda: self.import_codebook())
        self._action(file_menu, "A&greement report…", self.open_agreement_report)
        self._action(file_menu, "&Merge from…", lambda: self.merge_from())
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
        from desktop.gui.assign_action import add_assignment_actions
        add_assignment_actions(self, article_menu)
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
        self.pipeline_label.setTextFormat(Qt.TextFormat.PlainText)   # the name is data
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
        self.analyst_label = AnalystLabel(self.preferences.analyst)
        self.article_filters.set_analyst(self.preferences.analyst)
        self.analyst_label.clicked_to_change.connect(self.edit_preferences)
        status.addPermanentWidget(self.analyst_label)
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
        self.article_filters.filters_button.toggled.connect(
            lambda shown: self.refresh_completions() if shown else None)
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

    def refresh_completions(self) -> Task:
        """Entity, speaker and source names for the filter fields (and the
        auto-tag dialog), read in a worker when the Filters panel opens."""
        from storage.completions import all_names

        def show(names: dict) -> None:
            self.article_filters.set_completions(names)
            if self.autotag_dialog is not None:
                self.autotag_dialog.set_completions(names)
        return self._read_in_worker("completions", all_names, show)

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

    def focus_passages(self) -> None:
        """The Passages tab, its first passage current: ↑/↓ go through them,
        Enter shows one in the text, F2 edits its note, Delete deletes it."""
        self.view_menu.show_panel("side", True)
        self.side_tabs.setCurrentWidget(self.passage_list)
        plist = self.passage_list
        if plist.currentItem() is None and plist.topLevelItemCount():
            plist.setCurrentItem(plist.topLevelItem(0))
        plist.setFocus()

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
        if SPEAKERS in changes:
            self.speaker_corrections.changed()
        if commands.ENTITIES in changes:
            self.refresh_corpus_entities()
            if self.query.entity:   # the filter's aliases changed
                self.refresh_articles(select=self.current_id)
            if self.current_id is not None:
                self._article_analysed(self.current_id)

    def command_failed(self, command: commands.StorageCommand, error: Exception) -> None:
        """An undo or redo the journal refused (someone else changed the same
        rows since): nothing changed, so the stack's position is put back and
        the step stays where it was in the history; the message names it."""
        log.warning("%s could not be undone/redone: %s", command.text(), error)
        stack, moved = self.undo_stack, getattr(command, "refused_move", 0)
        QTimer.singleShot(0, lambda: stack.setIndex(stack.index() - moved))
        self.statusBar().showMessage(str(error), 15000)

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
            plain_warning(self, title, str(error))
        except sqlite3.OperationalError as error:
            log.warning("%s failed: %s", title, error)
            if "locked" in str(error) or "busy" in str(error):
                plain_warning(self, title, "The database is busy: another Dossier window "
                              "or a dossier command is writing to it. Nothing was "
                              "changed; try again in a moment.")
            elif "readonly" in str(error):
                from desktop.gui.error_reporting import READ_ONLY_TEXT
                plain_warning(self, title, READ_ONLY_TEXT)
            else:
                plain_critical(self, title, f"The database refused the change: {error}")
        except sqlite3.Error as error:
            log.exception("%s failed", title)
            plain_critical(self, title, f"The database refused the change: {error}")
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
        self.run_command(commands.ChangePassage(
            self, f"Re-tag passage as “{self._tag_name(tag_id)}”", passage_id,
            lambda db, pid: passages.retag_passage(db, pid, tag_id),
            article_id=passage["article_id"]), "Re-tag passage")

    def delete_passage(self, passage_id: int) -> None:
        passage = passages.get_passage(self.db, passage_id)
        if passage and confirm_delete_passage(self, passage):
            self.run_command(commands.DeletePassage(self, passage_id,
                                                    article_id=passage["article_id"]),
                             "Delete passage")

    # -- workers and article details -------------------------------------
    def _run_task(self, title: str, function, on_success, describe=None) -> Task:
        """Run ``function`` in a worker with a cancellable progress dialog;
        ``describe(done, total)``, if given, is the dialog's text as it runs."""
        dialog = QProgressDialog(title, "Cancel", 0, 0, self)
        dialog.setWindowTitle(title)
        dialog.setMinimumDuration(400)
        task = Task(function, self)
        self._tasks.append(task)

        def progress(done: int, total: int) -> None:
            dialog.setMaximum(max(total, 1))
            dialog.setValue(done)
            if describe:
                dialog.setLabelText(describe(done, total))

        def finish() -> None:
            dialog.reset()
            dialog.deleteLater()
            if task in self._tasks:
                self._tasks.remove(task)

        def failed(message: str) -> None:
            finish()
            plain_warning(self, title, f"{title} failed: {message}")

        task.progress.connect(progress)
        task.succeeded.connect(lambda result: (finish(), on_success(result)))
        task.failed.connect(failed)
        dialog.canceled.connect(task.cancel)
        task.start()
        return task

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

    # -- misc ----------------------------------------------------------
    def _apply_scheme(self, scheme) -> None:
        """Repaint what Dossier colours by hand in the new theme's colours."""
        self.view.set_scheme(scheme)
        self.legend.set_scheme(scheme)
        self.degraded_banner.setStyleSheet(scheme.banner_style())

    def edit_preferences(self) -> None:
        if PreferencesDialog(self.preferences, self).exec():
            self._schedule_backups()
            self.analyst_label.set_analyst(self.preferences.analyst)
            self.article_filters.set_analyst(self.preferences.analyst)

    def show_log(self) -> None:
        from desktop.data_location import data_folder
        from desktop.gui.error_reporting import LOG_NAME, LogDialog

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
