"""Projects as files: File → New database…, Open database…, Open Recent, the
window title naming the project, and deleting articles from the list.

A project is one database file. Opening another one opens a window on it
(its own session: last article, reading position, sort order and search
mode are kept per file by :mod:`desktop.gui.session`) and closes this one,
so nothing of one study leaks into the other. A new database starts with
the default codebook and, if the analyst chooses, the five sample articles
(or empty). The recent files are kept in the settings, newest first.

Deleting articles (the list's context menu) is one undoable step:
:class:`desktop.gui.commands.DeleteArticles`.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox

from desktop.gui import commands
from widgets.passage_menu import ask_plain_question

log = logging.getLogger(__name__)

RECENT_KEY = "files/recent"
RECENT_MAX = 8
FILE_FILTER = "Dossier database (*.db *.sqlite);;All files (*)"
#: Windows opened from another one, kept alive until they close.
_WINDOWS: list = []


def recent_files(settings) -> list[Path]:
    """The databases opened lately, newest first (missing files left out)."""
    value = settings.value(RECENT_KEY) or []
    items = value if isinstance(value, (list, tuple)) else [value]
    return [Path(p) for p in items if isinstance(p, str) and p and Path(p).exists()]


def remember(settings, path: Path) -> None:
    """Put ``path`` first in the recent files."""
    path = Path(path).resolve()
    items = [str(path)] + [str(p) for p in recent_files(settings) if p.resolve() != path]
    settings.setValue(RECENT_KEY, items[:RECENT_MAX])


def project_name(path: Path) -> str:
    """What the title bar calls a database: its file name without suffix."""
    return Path(path).stem


def create_database(path: Path, *, with_samples: bool) -> None:
    """A new database file with the default codebook and, if asked, the
    sample articles (else marked seeded, so they never arrive later)."""
    from desktop.first_run import ensure_codebook, ensure_seeded
    from storage import open_database
    from storage.database import set_meta

    db = open_database(path)
    try:
        ensure_codebook(db)
        if with_samples:
            ensure_seeded(db)
        else:
            set_meta(db, "seeded", "1")
    finally:
        db.close()


class ProjectFiles(QObject):
    """The File menu's database entries and the window's title."""

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        settings = window.preferences.settings
        remember(settings, window.db_path)
        window.setWindowTitle(f"{project_name(window.db_path)} — Dossier")
        window.setWindowFilePath(str(window.db_path))
        menu = window.menuBar().actions()[0].menu()       # File
        first = menu.actions()[0] if menu.actions() else None
        self.new_action = QAction("&New database…", window)
        self.new_action.setShortcut(QKeySequence("Ctrl+Shift+N"))
        self.new_action.triggered.connect(lambda: self.new_database())
        self.open_action = QAction("&Open database…", window)
        self.open_action.setShortcut(QKeySequence(QKeySequence.StandardKey.Open))
        self.open_action.triggered.connect(lambda: self.open_database())
        self.recent_menu = menu.addMenu("Open &Recent")
        self.recent_menu.aboutToShow.connect(self._fill_recent)
        for action in (self.new_action, self.open_action, self.recent_menu.menuAction()):
            menu.insertAction(first, action)
        if first is not None:
            menu.insertSeparator(first)
        window.addActions([self.new_action, self.open_action])
        window.article_list.deleteRequested.connect(self.delete_articles)

    # -- projects ----------------------------------------------------------
    def _fill_recent(self) -> None:
        self.recent_menu.clear()
        for path in recent_files(self.window.preferences.settings):
            action = self.recent_menu.addAction(f"{project_name(path)}  —  {path}")
            action.setEnabled(path.resolve() != self.window.db_path.resolve())
            action.triggered.connect(lambda _c=False, p=path: self.switch_to(p))
        if not self.recent_menu.actions():
            self.recent_menu.addAction("(none yet)").setEnabled(False)

    def _lost_backups_set_aside(self, path: Path) -> bool:
        """Where backups of an earlier database of that name lie (the file
        deleted or moved, its ``.backups`` folder left), a new database is
        started only when the analyst says so, those backups kept aside as
        ``<name>.backups.lost-<date>`` (as the start-up's "Start a new
        database" does): opening refuses such a place, lest a lost database
        be replaced by an empty one unnoticed. Whether to go on."""
        from storage.backup import set_backups_aside
        from storage.database import backups_beside

        found = backups_beside(path)
        if not found:
            return True
        if not ask_plain_question(
                self.window, "New database",
                f"{found} backup{'s' if found != 1 else ''} of an earlier {path.name} "
                f"{'lie' if found != 1 else 'lies'} beside it, in {path.name}.backups. Start a "
                f"new database there? Those backups are kept aside, in "
                f"{path.name}.backups.lost-<date>; File → Restore from backup… no longer "
                "lists them."):
            return False
        set_backups_aside(path)
        return True

    def new_database(self, path: Path | None = None, *, with_samples: bool | None = None):
        """Create a database file and open it; asks for the file and whether
        to start with the sample articles unless told."""
        if path is None:
            chosen, _ = QFileDialog.getSaveFileName(self.window, "New Dossier database",
                                                    str(self.window.db_path.parent /
                                                        "study.db"), FILE_FILTER)
            if not chosen:
                return None
            path = Path(chosen)
            if not path.suffix:
                path = path.with_suffix(".db")
        if path.exists():
            QMessageBox.warning(self.window, "New database",
                                f"{path} already exists. Open it with Open database….")
            return None
        if not self._lost_backups_set_aside(path):
            return None
        if with_samples is None:
            box = QMessageBox(QMessageBox.Icon.Question, "New database",
                              "Start with the five sample articles (Cambodia–Australia "
                              "police cooperation), or empty?", parent=self.window)
            box.setTextFormat(Qt.TextFormat.PlainText)
            empty = box.addButton("Empty", QMessageBox.ButtonRole.AcceptRole)
            box.addButton("With sample articles", QMessageBox.ButtonRole.AcceptRole)
            box.addButton(QMessageBox.StandardButton.Cancel)
            box.exec()
            if box.clickedButton() not in box.buttons()[:2]:
                return None
            with_samples = box.clickedButton() is not empty
        try:
            create_database(path, with_samples=with_samples)
        except Exception as error:     # a folder we cannot write, a full disk …
            log.exception("could not create %s", path)
            QMessageBox.warning(self.window, "New database",
                                f"Could not create {path}: {error}")
            return None
        return self.switch_to(path)

    def open_database(self, path: Path | None = None):
        """Open another database file (asks for it unless given)."""
        if path is None:
            chosen, _ = QFileDialog.getOpenFileName(self.window, "Open Dossier database",
                                                    str(self.window.db_path.parent),
                                                    FILE_FILTER)
            if not chosen:
                return None
            path = Path(chosen)
        return self.switch_to(path)

    def switch_to(self, path: Path):
        """A window on ``path`` (its own session), then this one closes.
        Returns the new window, or None if the file could not be opened."""
        from desktop.gui.app import prepare_window

        window = self.window
        if Path(path).resolve() == window.db_path.resolve():
            return window
        reader = window.controllers.reader
        unsaved = dict(reader.unsaved_memos)
        if not reader.may_leave("Open another database"):
            return window
        other = prepare_window(Path(path), preferences=window.preferences,
                               analyse=getattr(window, "analyse_on_start", True))
        if other is None:       # (the error was shown) staying: memos given up wait again
            reader.take_back_unsaved(unsaved)
            return None
        other.log_path = window.log_path
        _WINDOWS.append(other)
        other.destroyed.connect(lambda *_: _WINDOWS.remove(other) if other in _WINDOWS
                                else None)
        other.show()
        if window.close():
            # gone, not hidden: each database opened in a session kept its
            # window, its connection and that connection's page cache (up to
            # 64 MB) until the application quit
            window.db.close()
            window.deleteLater()
        app = QApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(other.db.close)
        return other

    # -- articles ------------------------------------------------------------
    def delete_articles(self, article_ids: list[int]) -> bool:
        """Delete articles with their passages, undoably."""
        ids = [i for i in article_ids if i is not None]
        if not ids:
            return False
        text = "Delete article" if len(ids) == 1 else f"Delete {len(ids)} articles"
        if not self.window.run_command(commands.DeleteArticles(self.window.controllers.history, text, ids),
                                       text):
            return False
        self.window.statusBar().showMessage(
            f"{text}: done, with its passages. Ctrl+Z brings it back.", 6000)
        return True
