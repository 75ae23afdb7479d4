"""File → Import from web… and File → Feeds…: pages by URL and RSS/Atom
feeds, fetched in a worker with progress and cancel
(:mod:`desktop.importers.web` does the fetching, politely).

Self-contained: :func:`install` adds the two menu actions to the window's
File menu; the window provides ``db``, ``ops`` (the operations helper) and
its files controller (the ordinary import report and refresh).
"""

from __future__ import annotations

import shiboken6
from PySide6.QtCore import Qt, Slot
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QHBoxLayout, QLabel, QLineEdit,
                               QListWidget, QListWidgetItem, QMessageBox, QPlainTextEdit,
                               QPushButton, QVBoxLayout)

from storage import feeds
from widgets.plain_text import plain_message

#: Seconds between two requests to one site (tests set it to 0).
DELAY = 1.0


def _describe(done: int, total: int) -> str:
    return f"Fetching pages: {done:,} of {total:,}"


def _web_task(window, title: str, name: str, fetch) -> object | None:
    """Run ``fetch(db, fetcher, on_progress, is_cancelled, origin)`` in a
    worker with its own connection, as the window's one long write (None, and
    said, while another runs: started beside it, one failed on the busy file);
    the result is reported as an import, its pages one step of the history
    called ``name``."""
    from desktop.importers.web import Fetcher
    from storage import journal

    files = window.controllers.files
    if files.wait_for_running_write():
        return None
    # a run of its own, as a file import's: `dossier undo` takes it back whole
    origin = journal.own_import_run(window.controllers.history.journal_origin)

    def work(db, *, on_progress, is_cancelled):
        return fetch(db, Fetcher(delay=DELAY), on_progress, is_cancelled, origin)
    return window.ops.hold(window.ops.write(
        work, lambda report: files._imported(report, name)).with_progress(
        title, describe=_describe).run())


class WebImportDialog(QDialog):
    """Web addresses to import, one a line."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setWindowTitle("Import from web")
        layout = QVBoxLayout(self)
        label = QLabel("Web addresses of articles, one a line (http:// or https://). "
                       "Each site's robots.txt is respected and it gets at most one "
                       "request a second.")
        label.setWordWrap(True)
        label.setTextFormat(Qt.TextFormat.PlainText)
        layout.addWidget(label)
        self.edit = QPlainTextEdit()
        self.edit.setPlaceholderText("https://www.example.com/news/article.html")
        layout.addWidget(self.edit)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Import")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.edit.textChanged.connect(self._check)
        self._check()
        self.resize(560, 300)

    def urls(self) -> list[str]:
        from desktop.importers.web import is_url

        return [line.strip() for line in self.edit.toPlainText().splitlines()
                if is_url(line)]

    def _check(self) -> None:
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(bool(self.urls()))


class FeedsDialog(QDialog):
    """The feeds followed: add, remove, fetch now."""

    def __init__(self, window):
        super().__init__(window)
        self.window_ = window
        self.setWindowTitle("Feeds")
        layout = QVBoxLayout(self)
        self.list = QListWidget()
        layout.addWidget(self.list)
        #: what to do, while no feed is followed (an empty list says nothing)
        self.empty_hint = QLabel(
            "No feeds followed yet. Paste a news site's RSS or Atom address below and "
            "press Add; Fetch now imports the articles it lists (each page once, "
            "politely, as robots.txt allows).")
        self.empty_hint.setWordWrap(True)
        layout.addWidget(self.empty_hint)
        row = QHBoxLayout()
        self.url_edit = QLineEdit()
        self.url_edit.setPlaceholderText("RSS or Atom feed address (https://…)")
        self.url_edit.returnPressed.connect(self.add)
        self.add_button = QPushButton("&Add")
        self.add_button.clicked.connect(self.add)
        row.addWidget(self.url_edit)
        row.addWidget(self.add_button)
        layout.addLayout(row)
        buttons = QHBoxLayout()
        self.remove_button = QPushButton("&Remove")
        self.remove_button.clicked.connect(self.remove)
        self.fetch_button = QPushButton("&Fetch now")
        self.fetch_button.clicked.connect(self.fetch)
        close = QPushButton("Close")
        close.clicked.connect(self.accept)
        buttons.addWidget(self.remove_button)
        buttons.addStretch()
        buttons.addWidget(self.fetch_button)
        buttons.addWidget(close)
        layout.addLayout(buttons)
        self.refresh()
        self.resize(640, 360)

    def refresh(self) -> None:
        self.list.clear()
        for feed in feeds.list_feeds(self.window_.db):
            when = feed["fetched_at"] or "never fetched"
            text = f"{feed['title'] or feed['url']}\n{feed['url']} · {when}"
            if feed["status"]:
                text += f" · {feed['status']}"
            item = QListWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, feed["url"])
            self.list.addItem(item)
        has = self.list.count() > 0
        self.empty_hint.setVisible(not has)
        self.fetch_button.setEnabled(has)
        self.remove_button.setEnabled(has)
        if has:
            self.list.setCurrentRow(0)

    def add(self) -> None:
        """Follow the typed address once a worker has read it as a feed (a page
        that is not one is refused now, not at every fetch after)."""
        from desktop.importers.web import Fetcher, check_feed

        window = self.window_
        try:
            url = feeds.web_address(self.url_edit.text())
        except feeds.FeedError as error:
            self._warn(str(error))
            return
        if feeds.get_feed(window.db, url) is not None:
            self.url_edit.clear()
            return
        self.add_button.setEnabled(False)
        self.add_button.setText("Checking…")

        # the dialog may be closed before the feed is read: the feed is
        # followed all the same, and the dialog, if still open, shows it
        def added(title: str | None) -> None:
            feeds.add_feed(window.db, url, title)
            if shiboken6.isValid(self):
                self._checked()
                self.url_edit.clear()
                self.refresh()
            else:
                window.statusBar().showMessage(f"Following {title or url}.", 5000)

        def refused(error: Exception) -> None:
            if shiboken6.isValid(self):
                self._checked()
                self._warn(f"{url}: {error}. Nothing was added.")
            else:
                plain_message(window, "Feeds", f"{url}: {error}. Nothing was added.")
        window.ops.query(lambda _db: check_feed(url, fetcher=Fetcher(delay=DELAY)),
                         added).named("reading the feed").failure(refused).run()

    def _checked(self) -> None:
        self.add_button.setEnabled(True)
        self.add_button.setText("&Add")

    def _warn(self, message: str) -> None:
        box = QMessageBox(QMessageBox.Icon.Warning, "Feeds", message, parent=self)
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.open()

    def remove(self) -> None:
        item = self.list.currentItem()
        if item is not None:
            feeds.remove_feed(self.window_.db, item.data(Qt.ItemDataRole.UserRole))
            self.refresh()

    def fetch(self):
        """Fetch every feed in the background; the list shows the outcome."""
        from desktop.importers.web import fetch_feeds

        task = _web_task(self.window_, "Fetching feeds", "Fetch feeds",
                         lambda db, fetcher, on_progress, is_cancelled, origin: fetch_feeds(
                             db, fetcher=fetcher, on_progress=on_progress,
                             is_cancelled=is_cancelled, origin=origin))
        if task is not None:
            # a method of the dialog, not a lambda: dropped if it is closed before
            task.succeeded.connect(self._fetched)
        return task

    @Slot(object)
    def _fetched(self, _report) -> None:
        self.refresh()


def import_from_web(window):
    """Ask for URLs, then fetch and import them in the background."""
    from desktop.importers.web import import_urls

    dialog = WebImportDialog(window)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

    def start():
        urls = dialog.urls()
        window._web_task = _web_task(
            window, "Importing from the web", "Import from the web",
            lambda db, fetcher, on_progress, is_cancelled, origin: import_urls(
                db, urls, fetcher=fetcher, on_progress=on_progress,
                is_cancelled=is_cancelled, origin=origin))
    dialog.accepted.connect(start)
    dialog.open()
    return dialog


def show_feeds(window) -> FeedsDialog:
    dialog = FeedsDialog(window)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.open()
    return dialog


def install(window, file_menu) -> None:
    """Add File → Import from web… (Ctrl+Shift+U) and File → Feeds…."""
    action = file_menu.addAction("Import from &web…")
    action.setShortcut(QKeySequence("Ctrl+Shift+U"))
    action.triggered.connect(lambda: import_from_web(window))
    file_menu.addAction("Fee&ds…").triggered.connect(lambda: show_feeds(window))
