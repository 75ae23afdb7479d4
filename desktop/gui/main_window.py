"""The main window: it builds the layout, the menus and the controllers.

Everything it does is done by a controller, one per area, each owning its
signal connections (:mod:`desktop.gui.controller`): reader, article list,
passages, codebook, corpus panels, files, analysis, auto-tag, backups,
history (undo), keyboard, overview. They share the Qt-free :class:`desktop.window_state.WindowState` (current
article, query, tags …) and the :class:`desktop.gui.operations.Operations`
(workers with their own connection, the error dialog, the one changes
signal every operation's :class:`storage.changes.Changes` is published on).
"""

from __future__ import annotations

import logging
from pathlib import Path
from types import SimpleNamespace

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (QHBoxLayout, QLabel, QMainWindow, QMessageBox, QProgressBar,
                               QSplitter, QTabWidget, QToolButton, QVBoxLayout, QWidget)

from desktop.gui import hub_controller
from desktop.gui.analysis_controller import AnalysisController
from desktop.gui.article_list_controller import KEEP_CURRENT_WITHIN, ArticleListController
from desktop.gui.autotag_controller import AutoTagController
from desktop.gui.backups_controller import BackupsController
from desktop.gui.codebook_controller import CodebookController
from desktop.gui.corpus_controller import CorpusController
from desktop.gui.files_controller import FilesController
from desktop.gui.history_controller import HistoryController
from desktop.gui.keyboard_controller import KeyboardController
from desktop.gui.later import Later
from desktop.gui.menus import build_menus
from desktop.gui.operations import Operations
from desktop.gui.overview_controller import OverviewController
from desktop.gui.passages_controller import PassagesController
from desktop.gui.preferences import Preferences, PreferencesDialog
from desktop.gui.reader_controller import ReaderController
from desktop.gui.session import Session
from desktop.gui.speaker_corrections import SpeakerCorrections
from desktop.gui.project_files import ProjectFiles
from desktop.gui.reading_friction import ReadingFriction
from desktop.gui.workspace_controller import WorkspaceController
from desktop.window_state import WindowState
from storage import (article_query, database, durability, entity_corrections,
                     entity_index, review)
from widgets.analyst_label import AnalystLabel
from widgets.article_filters import ArticleFilters
from widgets.article_list import ArticleList
from widgets.article_view import ArticleView
from widgets.corpus_entities import CorpusEntitiesView
from widgets.entity_panel import EntityPanel
from widgets.legend import Legend
from widgets.memo_editor import MemoEditor
from widgets.passage_list import PassageList
from widgets.quote_panel import QuotePanel
from widgets.review_status import ReviewStatusBox
from widgets.row_style import muted
from widgets.similar_articles import SimilarArticles
from widgets.speakers_view import SpeakersView
from widgets.tag_panel import TagPanel

log = logging.getLogger(__name__)

#: The window's public verbs and attributes (used by tests, the screenshot
#: script and benchmarks), each the named controller's (or the state's).
DELEGATED = {
    "reader": ("show_article", "replace_article_text", "set_review_status",
               "edit_article_details", "edit_article_text", "flush_edits", "go_to_quote",
               "go_to_span"),
    "articles": ("apply_query", "refresh_articles", "step_article", "refresh_completions",
                 "focus_article_list", "review_changed"),
    "passages": ("tag_with_key", "tag_selection", "refresh_passages", "set_note", "retag",
                 "delete_passage", "edit_note", "focus_passages", "go_to_passage", "tag_quote"),
    "codebook": ("create_tag", "rename_tag", "recolour_tag", "describe_tag", "merge_tags",
                 "delete_tag", "export_codebook", "import_codebook", "refresh_tags"),
    "corpus": ("focus_speakers", "focus_corpus_entities", "refresh_speakers",
               "refresh_corpus_entities", "merge_entities", "correct_entity_label",
               "unmerge_entity", "show_speaker", "show_entity_articles"),
    "files": ("import_files", "import_folder", "import_paths", "import_refi_qda",
              "export_passages", "run_export", "open_agreement_report", "merge_from"),
    "analysis": ("start_analysis", "pause_analysis", "cancel_analysis"),
    "autotag": ("open_auto_tag", "auto_tag", "preview_auto_tag", "autotag_dialog"),
    "backups": ("check_external_changes", "back_up_in_background", "back_up_now", "backup_timer",
                "restore", "restore_from_backup"),
    "history": ("run_command", "undo_stack", "undo_action", "redo_action", "journal_origin"),
    "keyboard": ("step_in_text", "focus_search", "shortcut_rows", "show_shortcuts",
                 "shortcuts_sheet", "search_target"),
}
_OWNER = {name: owner for owner, names in DELEGATED.items() for name in names}


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


class MainWindow(QMainWindow):
    """Dossier's main window on one open database."""

    def __init__(self, db, db_path: Path, preferences: Preferences | None = None, *,
                 pipeline: str | None = None, analyse: bool = True):
        super().__init__()
        self._db = None
        self._later = Later(self)       # the syncer's schedule, for every file opened
        self.db_path = Path(db_path)
        self.db = db
        self.preferences = preferences or Preferences()
        self.log_path: Path | None = None
        self.state = WindowState(query=article_query.ArticleQuery(),
                                 analyst=self.preferences.analyst)
        self.ops = Operations(self, lambda: self.db_path)
        self.setWindowTitle("Dossier")
        self.resize(1400, 860)
        self._build_widgets()
        self._build_status_bar()
        self._build_controllers(pipeline)
        build_menus(self)
        for widget in (self.analyst_label, self.review_label, self.pipeline_label,
                       self.progress_bar, self.pause_button,
                       self.cancel_button):   # after the View menu's zoom
            self.statusBar().addPermanentWidget(widget)
        for controller in vars(self.controllers).values():
            controller.connect_signals()
        c = self.controllers
        c.codebook.refresh_tags()
        c.articles.refresh_articles()
        c.corpus.refresh_speakers()
        c.articles.show_review_marks()
        c.analysis.start_process()
        # the theme, and the session as the analyst left it
        self.themes.schemeChanged.connect(self._apply_scheme)
        self.themes.apply()
        self.session = Session(self, self.preferences.settings,
                               keep_within=KEEP_CURRENT_WITHIN)
        self.session.restore()
        self.overview = OverviewController(self)   # Go → Overview, entity dossiers
        self.hub = hub_controller.install(self)   # File → Connect to team hub…, status
        self.analyse_on_start = analyse     # and so do windows opened from this one
        self.workspace = WorkspaceController(self)    # the Passages workspace dock
        self.project_files = ProjectFiles(self)       # New/Open database, title, delete
        self.reading_friction = ReadingFriction(self)  # focus, word snapping, boundaries
        if analyse:
            QTimer.singleShot(0, c.analysis.start_analysis)

    def _build_controllers(self, pipeline: str | None) -> None:
        """One controller per area; the order is the order they hear changes
        in (the codebook before the views that show tags)."""
        args = (self, self.state, self.ops)
        self.controllers = SimpleNamespace()
        c = self.controllers
        c.history = HistoryController(*args)
        c.codebook = CodebookController(*args)
        c.articles = ArticleListController(*args)
        c.reader = ReaderController(*args)
        c.passages = PassagesController(*args)
        c.corpus = CorpusController(*args)
        c.analysis = AnalysisController(*args, pipeline=pipeline)
        c.files = FilesController(*args)
        c.autotag = AutoTagController(*args)
        c.backups = BackupsController(*args)
        c.keyboard = KeyboardController(*args)
        c.speakers = SpeakerCorrections(*args)    # who said it, corrected (issue 15)

    def __getattr__(self, name: str):
        """The public verbs of :data:`DELEGATED`, carried out by controllers."""
        owner = _OWNER.get(name)
        controllers = self.__dict__.get("controllers")
        if owner is None or controllers is None:
            raise AttributeError(f"{type(self).__name__!s} has no attribute {name!r}")
        return getattr(getattr(controllers, owner), name)

    @property
    def current_id(self) -> int | None:
        """The article in the reader."""
        return self.state.article_id

    @property
    def query(self) -> article_query.ArticleQuery:
        """The article list's search, filters and order."""
        return self.state.query

    @property
    def analysis(self):
        """The analysis process (:class:`desktop.gui.workers.AnalysisProcess`)."""
        return self.controllers.analysis.process

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

        self.title_label = _plain_label(bold_size=1.35)
        self.meta_label = _plain_label()
        muted(self.meta_label)
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
        # a shorter window (the workspace docked below) takes its room from
        # the tabs, not the codebook whose keys the analyst tags by
        right.setStretchFactor(0, 0)
        right.setStretchFactor(1, 1)

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setObjectName("main_splitter")
        for widget in (self.left_tabs, centre, right):
            self.splitter.addWidget(widget)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([340, 720, 380])   # the lists' names need the room
        self.setCentralWidget(self.splitter)

    def _build_article_tools(self) -> QWidget:
        """The row under the header: similar articles, and Edit details…."""
        self.similar_bar = SimilarArticles()
        self.details_button = QToolButton()
        self.details_button.setText("Edit details…")
        self.details_button.setToolTip("Edit the title, source, author, date and URL (F2)")
        row = QWidget()
        layout = QHBoxLayout(row)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.similar_bar)
        layout.addStretch(1)
        self.review_box = ReviewStatusBox(review.STATUSES)
        layout.addWidget(self.review_box)
        layout.addWidget(self.details_button)
        return row

    def _action(self, menu, text, slot, shortcut=None) -> QAction:
        action = menu.addAction(text)
        action.triggered.connect(slot)
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
        return action

    def _build_status_bar(self) -> None:
        self.pipeline_label = QLabel("Loading the language pipeline…")
        self.pipeline_label.setTextFormat(Qt.TextFormat.PlainText)   # the name is data
        self.progress_bar = QProgressBar()
        self.progress_bar.setMaximumWidth(220)
        self.progress_bar.setFormat("Analysing %v/%m")
        self.cancel_button = QToolButton()
        self.cancel_button.setText("Cancel")
        self.cancel_button.setToolTip("Stop analysing; finished articles are kept")
        self.pause_button = QToolButton()
        self.pause_button.setText("Pause")
        self.pause_button.setCheckable(True)
        self.pause_button.setToolTip("Pause analysing after the current batch; Resume "
                                     "goes on where it stopped (so does the next start)")
        self.review_label = QLabel()
        self.review_label.setToolTip("Articles reviewed (Article → Review status)")
        self.analyst_label = AnalystLabel(self.preferences.analyst)
        self.article_filters.set_analyst(self.preferences.analyst)
        self.analyst_label.clicked_to_change.connect(self.edit_preferences)


    # -- misc ----------------------------------------------------------
    def _apply_scheme(self, scheme) -> None:
        """Repaint what Dossier colours by hand in the new theme's colours."""
        self.view.set_scheme(scheme)
        self.legend.set_scheme(scheme)
        self.degraded_banner.setStyleSheet(scheme.banner_style())

    def edit_preferences(self) -> None:
        if PreferencesDialog(self.preferences, self).exec():
            self.controllers.backups._schedule_backups()
            self.state.analyst = self.preferences.analyst
            self.analyst_label.set_analyst(self.preferences.analyst)
            self.article_filters.set_analyst(self.preferences.analyst)
            self.passage_visibility.analyst_changed()

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

    @property
    def db(self):
        """The window's connection: it commits without waiting for the disk
        (``storage.durability``; a background thread syncs each commit)."""
        return self._db

    @db.setter
    def db(self, db) -> None:
        if self._db is not None:
            durability.end_deferred_sync(self._db)
        self._db = db
        if db is not None:
            durability.defer_sync(db, self.db_path, schedule=self._later,
                                  hand_over=self._later.hand_over)
            database.wait_for_locks(db, database.WINDOW_BUSY_TIMEOUT_SECONDS)

    def closeEvent(self, event) -> None:
        c = self.controllers
        if not c.reader.may_leave("Close"):
            event.ignore()
            return
        self.session.save()
        # gone from the screen at once, with its own windows (the Overview, a
        # floating workspace, adjudication: left open on another database's
        # window, they wrote to this file); stopping the analysis and the
        # exit backup (seconds for a very large database) happen behind it
        self.hide()
        for child in self.findChildren(QWidget):
            if child.isWindow() and child.isVisible():
                child.close()
        # the team hub's sync and the damage check stop here, not at the Close
        # event: a window the analyst keeps open (a memo unsaved) goes on with both
        self.hub.close()
        if (health := getattr(self, "health", None)) is not None:
            health.stop()
        c.backups.stop()
        self.analysis.stop()
        self.ops.cancel_all()
        c.backups.back_up_on_exit()
        durability.end_deferred_sync(self.db)   # the last commits synced
        super().closeEvent(event)
