"""The window's web import: File → Import from web… takes URLs typed in a
dialog, File → Feeds… adds a feed and fetches it in the background; both
against a local HTTP server on 127.0.0.1."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox, QMessageBox

from desktop.gui import web_import
from storage import articles, feeds, open_database

from test_web_import import Site


@pytest.fixture
def site():
    served = Site().serve()
    yield served
    served.server.shutdown()
    served.server.server_close()


def stored_urls(db_path) -> set[str]:
    db = open_database(db_path)
    try:
        return {a["url"] for a in articles.list_articles(db)}
    finally:
        db.close()


def menu_action(window, text):
    for top in window.menuBar().actions():
        for action in top.menu().actions():
            if action.text().replace("&", "") == text:
                return action
    raise AssertionError(f"no menu item {text}")


def test_import_from_web_fetches_the_typed_urls_in_the_background(
        open_window, seeded_db_path, site, qtbot, monkeypatch):
    monkeypatch.setattr(web_import, "DELAY", 0.0)
    window = open_window(seeded_db_path)
    window.analysis.request = lambda: None
    menu_action(window, "Import from web…").trigger()
    dialog = window.findChild(web_import.WebImportDialog)
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    assert not ok.isEnabled()                       # nothing typed yet
    qtbot.keyClicks(dialog.edit, site.url("/news/kampot.html"))
    qtbot.keyClick(dialog.edit, Qt.Key.Key_Return)
    qtbot.keyClicks(dialog.edit, "not a url")
    qtbot.keyClick(dialog.edit, Qt.Key.Key_Return)
    qtbot.keyClicks(dialog.edit, site.url("/news/bavet.html"))
    assert dialog.urls() == [site.url("/news/kampot.html"), site.url("/news/bavet.html")]
    qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window._web_task not in window.ops.tasks, timeout=60000)
    assert {site.url("/news/kampot.html"), site.url("/news/bavet.html")} <= \
        stored_urls(seeded_db_path)
    assert "2 imported" in window.statusBar().currentMessage()


def test_the_feeds_dialog_adds_a_feed_and_fetches_it(open_window, seeded_db_path, site,
                                                     qtbot, monkeypatch):
    monkeypatch.setattr(web_import, "DELAY", 0.0)
    window = open_window(seeded_db_path)
    window.analysis.request = lambda: None
    menu_action(window, "Feeds…").trigger()
    dialog = window.findChild(web_import.FeedsDialog)
    assert dialog.list.count() == 0 and not dialog.fetch_button.isEnabled()
    assert dialog.empty_hint.isVisible() and "RSS or Atom" in dialog.empty_hint.text()
    # a page that is not a feed is refused when it is added
    qtbot.keyClicks(dialog.url_edit, site.url("/news/kampot.html"))
    qtbot.keyClick(dialog.url_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.findChild(QMessageBox) is not None, timeout=20000)
    refusal = dialog.findChild(QMessageBox)
    assert "not an RSS or Atom feed" in refusal.text() and feeds.list_feeds(window.db) == []
    refusal.close()
    refusal.deleteLater()
    dialog.url_edit.clear()
    qtbot.keyClicks(dialog.url_edit, site.url("/atom.xml"))
    qtbot.keyClick(dialog.url_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: feeds.list_feeds(window.db) != [], timeout=20000)
    assert [f["url"] for f in feeds.list_feeds(window.db)] == [site.url("/atom.xml")]
    assert dialog.list.count() == 1 and "never fetched" in dialog.list.item(0).text()
    assert not dialog.empty_hint.isVisible()
    qtbot.mouseClick(dialog.fetch_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "1 entry" in dialog.list.item(0).text(), timeout=60000)
    assert dialog.list.item(0).text().startswith("Ledger Atom")
    assert site.url("/news/poipet.html") in stored_urls(seeded_db_path)
    qtbot.mouseClick(dialog.remove_button, Qt.MouseButton.LeftButton)
    assert feeds.list_feeds(window.db) == [] and dialog.list.count() == 0
    assert dialog.empty_hint.isVisible()


@pytest.fixture
def unexpected_errors(monkeypatch):
    """Exceptions that reached the event loop (the window shows them as
    "Unexpected error"), collected."""
    import sys

    errors: list = []
    monkeypatch.setattr(sys, "excepthook", lambda *exc: errors.append(exc[1]))
    return errors


@pytest.fixture
def slow_feed(site, monkeypatch) -> str:
    """The address of a feed of two pages, fetched a request every 0.4 s
    (time to close a dialog meanwhile)."""
    from test_feed_fetched_links import rss

    site.pages["/two.xml"] = ("application/rss+xml",
                              rss(site.host, ["/news/kampot.html", "/news/bavet.html"]))
    monkeypatch.setattr(web_import, "DELAY", 0.4)
    return site.url("/two.xml")


@pytest.mark.qt_no_exception_capture
def test_the_feeds_dialog_closed_during_a_fetch_says_nothing_wrong(
        open_window, seeded_db_path, site, slow_feed, qtbot, monkeypatch, unexpected_errors):
    import shiboken6

    monkeypatch.setattr(QMessageBox, "exec", lambda box: None)
    db = open_database(seeded_db_path)
    feeds.add_feed(db, slow_feed)
    db.close()
    window = open_window(seeded_db_path)
    window.analysis.request = lambda: None
    dialog = web_import.show_feeds(window)
    task = dialog.fetch()
    dialog.accept()                                 # Close, before the fetch ends
    qtbot.waitUntil(lambda: not shiboken6.isValid(dialog), timeout=5000)
    qtbot.waitUntil(lambda: task not in window.ops.tasks, timeout=60000)
    qtbot.wait(100)
    assert unexpected_errors == []
    assert stored_urls(seeded_db_path) >= {site.url("/news/kampot.html")}


@pytest.mark.qt_no_exception_capture
def test_a_feed_added_just_before_the_dialog_closes_is_followed(
        open_window, seeded_db_path, slow_feed, qtbot, unexpected_errors):
    import shiboken6

    window = open_window(seeded_db_path)
    window.analysis.request = lambda: None
    dialog = web_import.show_feeds(window)
    dialog.url_edit.setText(slow_feed)
    dialog.add()                                    # "Checking…"
    dialog.accept()                                 # Close
    qtbot.waitUntil(lambda: not shiboken6.isValid(dialog), timeout=5000)
    qtbot.waitUntil(lambda: not window.ops.tasks, timeout=60000)
    qtbot.wait(100)
    assert unexpected_errors == []
    assert [f["url"] for f in feeds.list_feeds(window.db)] == [slow_feed]


def _import_from_web(window, qtbot, urls: list[str]) -> None:
    menu_action(window, "Import from web…").trigger()
    dialog = window.findChild(web_import.WebImportDialog)
    dialog.edit.setPlainText("\n".join(urls))
    qtbot.mouseClick(dialog.buttons.button(QDialogButtonBox.StandardButton.Ok),
                     Qt.MouseButton.LeftButton)


def test_an_import_from_the_web_is_one_step_of_the_history(
        open_window, seeded_db_path, site, qtbot, monkeypatch):
    """Ctrl+Z takes back the pages an import from the web stored, together,
    as it does a file import's (they were not in the history at all)."""
    monkeypatch.setattr(web_import, "DELAY", 0.0)
    window = open_window(seeded_db_path)
    window.analysis.request = lambda: None
    before = articles.article_count(window.db)
    _import_from_web(window, qtbot, [site.url("/news/kampot.html"),
                                     site.url("/news/bavet.html")])
    qtbot.waitUntil(lambda: window._web_task not in window.ops.tasks, timeout=60000)
    assert articles.article_count(window.db) == before + 2
    assert window.undo_action.text() == "&Undo Import from the web"
    window.undo_action.trigger()
    qtbot.waitUntil(lambda: articles.article_count(window.db) == before, timeout=10000)
    assert not stored_urls(seeded_db_path) & {site.url("/news/kampot.html"),
                                               site.url("/news/bavet.html")}


def test_an_import_from_the_web_waits_for_the_long_write_running(
        open_window, seeded_db_path, site, qtbot, monkeypatch):
    """Begun beside a file import (one transaction of up to 500 articles), its
    first page waited for the lock and the whole web import failed."""
    import threading

    monkeypatch.setattr(web_import, "DELAY", 0.0)
    window = open_window(seeded_db_path)
    window.analysis.request = lambda: None
    release = threading.Event()
    long_write = window.ops.hold(window.ops.write(lambda db: release.wait(10)).run())
    _import_from_web(window, qtbot, [site.url("/news/kampot.html")])
    assert window._web_task is None
    assert "still running" in window.statusBar().currentMessage()
    release.set()
    qtbot.waitUntil(lambda: long_write not in window.ops.tasks, timeout=10000)
    _import_from_web(window, qtbot, [site.url("/news/kampot.html")])
    qtbot.waitUntil(lambda: window._web_task not in window.ops.tasks, timeout=60000)
    assert site.url("/news/kampot.html") in stored_urls(seeded_db_path)
