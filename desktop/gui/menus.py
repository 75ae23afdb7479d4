"""The main window's menu bar: File, Edit, Article, Go, View and Help,
each action wired to the controller that does the work."""

from __future__ import annotations

from PySide6.QtGui import QKeySequence

from desktop.gui.adjudication_dialog import open_adjudication
from desktop.gui.passage_visibility import PassageVisibility
from desktop.gui.themes import ThemeController
from desktop.gui.view_menu import ViewMenu
from storage import review


def build_menus(window) -> None:
    """Add the menus to ``window`` (a :class:`desktop.gui.main_window.MainWindow`
    whose controllers are built); keeps the actions other parts use on it."""
    c, action = window.controllers, window._action
    file_menu = window.menuBar().addMenu("&File")
    action(file_menu, "&Import files…", c.files.import_files, "Ctrl+I")
    action(file_menu, "Import &folder…", c.files.import_folder, "Ctrl+Shift+I")
    action(file_menu, "Import &REFI-QDA project…", lambda: c.files.import_refi_qda())
    from desktop.gui import web_import
    web_import.install(window, file_menu)
    window.export_action = action(file_menu, "&Export tagged passages…",
                                lambda: c.files.export_passages(), "Ctrl+E")
    action(file_menu, "Export &codebook…", lambda: c.codebook.export_codebook())
    action(file_menu, "Import c&odebook…", lambda: c.codebook.import_codebook())
    action(file_menu, "A&greement report…", c.files.open_agreement_report)
    action(file_menu, "A&djudicate disagreements…", lambda: open_adjudication(window))
    action(file_menu, "&Merge from…", lambda: c.files.merge_from())
    file_menu.addSeparator()
    action(file_menu, "&Back up now", c.backups.back_up_now)
    action(file_menu, "&Restore from backup…", c.backups.restore_from_backup)
    file_menu.addSeparator()
    action(file_menu, "&Preferences…", window.edit_preferences,
           QKeySequence.StandardKey.Preferences)
    file_menu.addSeparator()
    action(file_menu, "&Quit", window.close, QKeySequence.StandardKey.Quit)
    window.edit_menu = window.menuBar().addMenu("&Edit")
    c.history.add_to_menu(window.edit_menu)
    window.edit_menu.addSeparator()
    window.autotag_action = action(window.edit_menu, "&Auto-tag…",
                                 lambda: c.autotag.open_auto_tag(), "Ctrl+Shift+A")
    article_menu = window.menuBar().addMenu("&Article")
    window.details_action = action(article_menu, "Edit &details…",
                                 c.reader.edit_article_details, "F2")
    window.edit_text_action = action(article_menu, "Edit &text…", c.reader.edit_article_text)
    window.analyse_again_action = action(article_menu, "&Analyse again",
                                         lambda: c.analysis.analyse_again())
    status_menu = article_menu.addMenu("&Review status")
    window.review_actions = {
        status: action(status_menu, f"Mark as {status}",
                       lambda _=False, s=status: c.reader.set_review_status(s), key)
        for status, key in zip(review.STATUSES, ("Ctrl+1", "Ctrl+2", "Ctrl+3"))}
    from desktop.gui.assign_action import add_assignment_actions
    add_assignment_actions(window, article_menu)
    go_menu = window.menuBar().addMenu("&Go")
    action(go_menu, "&Next article", lambda: c.articles.step_article(1), "Alt+Down")
    action(go_menu, "&Previous article", lambda: c.articles.step_article(-1), "Alt+Up")
    action(go_menu, "Article &list", c.articles.focus_article_list, "Ctrl+L")
    action(go_menu, "&Speakers", c.corpus.focus_speakers, "Ctrl+Shift+S")
    action(go_menu, "&Entities", c.corpus.focus_corpus_entities, "Ctrl+Shift+E")
    action(go_menu, "Article &text", window.view.setFocus, "Ctrl+T")
    action(go_menu, "This article's &passages", c.passages.focus_passages, "Ctrl+Shift+P")
    c.keyboard.add_navigation_actions(go_menu, action)
    window.themes = ThemeController(window.preferences.settings, window)
    window.view_menu = ViewMenu(window, window.menuBar().addMenu("&View"), window.themes)
    window.passage_visibility = PassageVisibility(window, window.view_menu.menu)  # blind coding
    help_menu = window.menuBar().addMenu("&Help")
    window.shortcuts_action = action(help_menu, "&Keyboard shortcuts",
                                     c.keyboard.show_shortcuts)
    window.shortcuts_action.setShortcuts([QKeySequence("F1"), QKeySequence("?")])
    action(help_menu, "Show &log", window.show_log)
    action(help_menu, "&About Dossier", window.about)
