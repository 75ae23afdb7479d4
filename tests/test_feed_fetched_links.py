"""A feed fetch never downloads again a page it already dealt with: every
entry link's outcome is remembered (``fetched_links``: stored, a duplicate —
by the address it redirects to, or by its text — or refused for good), and
the next fetch skips it without a request and counts it ("5 entries already
fetched"). A failure that may pass (HTTP 503, 429) is tried again; deleting
the article a link became lets it be fetched again; importing a page by its
address fetches it whatever is remembered. Pages and feeds come from the
local server of :mod:`test_web_import` (127.0.0.1), which counts requests."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from test_web_import import Site, fast, page

from desktop.cli import main
from desktop.gui import web_import
from desktop.importers import web
from storage import articles, feeds, open_database

ENTRIES = ("/news/kampot.html",     # stored
           "/news/old",             # redirects to kampot: a duplicate by its final address
           "/mirror/kampot.html",   # kampot's text at another address: a duplicate by text
           "/news/nav.html",        # a menu, no article: refused
           "/news/gone.html",       # 404: refused
           "/news/busy.html")       # 503: may pass, tried again


def rss(host: str, paths) -> str:
    items = "".join(f"<item><title>{p}</title><link>http://{host}{p}</link></item>"
                    for p in paths)
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
            f"<title>Ledger</title><link>http://{host}/</link><description>x</description>"
            f"{items}</channel></rss>")


@pytest.fixture
def site():
    served = Site().serve()
    served.pages["/news/busy.html"] = ("error", "503")
    served.pages["/links.xml"] = ("application/rss+xml", rss(served.host, ENTRIES))
    yield served
    served.server.shutdown()
    served.server.server_close()


def asked(site) -> dict[str, int]:
    return {path: site.asked(path) for path in ENTRIES}


def fetched_again(site, db):
    """Fetch the feed once more: its report, and how many times each entry's
    page was requested by that fetch."""
    before = asked(site)
    report = web.fetch_feeds(db, [site.url("/links.xml")], fetcher=fast())
    after = asked(site)
    return report, {path: after[path] - before[path] for path in ENTRIES}


def test_a_second_fetch_requests_no_page_the_first_dealt_with(site, db):
    first = web.fetch_feeds(db, [site.url("/links.xml")], fetcher=fast())
    assert [url for url, _ in first.added] == [site.url("/news/kampot.html")]
    assert [url for url, _ in first.duplicates] == [site.url("/news/old"),
                                                    site.url("/mirror/kampot.html")]
    assert [url for url, _ in first.skipped] == [site.url(p) for p in (
        "/news/nav.html", "/news/gone.html", "/news/busy.html")]
    assert first.already_fetched == 0
    second, requests = fetched_again(site, db)
    assert requests == {
        "/news/kampot.html": 0, "/news/old": 0, "/mirror/kampot.html": 0,
        "/news/nav.html": 0, "/news/gone.html": 0, "/news/busy.html": 1}
    assert second.already_fetched == 5
    assert second.skipped == [(site.url("/news/busy.html"), "HTTP 503 Service Unavailable")]
    assert second.added == second.duplicates == []
    assert second.summary() == ("0 imported, 0 already present, 1 skipped, "
                                "5 entries already fetched")
    assert articles.article_count(db) == 1


def test_what_became_of_each_link_is_remembered(site, db):
    web.fetch_feeds(db, [site.url("/links.xml")], fetcher=fast())
    kampot = articles.list_articles(db)[0]["id"]
    remembered = {p: feeds.fetched_link(db, site.url(p)) for p in ENTRIES}
    assert {p: (row["outcome"], row["article_id"]) if row else None
            for p, row in remembered.items()} == {
        "/news/kampot.html": ("stored", kampot), "/news/old": ("duplicate", kampot),
        "/mirror/kampot.html": ("duplicate", kampot), "/news/nav.html": ("refused", None),
        "/news/gone.html": ("refused", None), "/news/busy.html": None}
    assert remembered["/news/old"]["final_url"] == site.url("/news/kampot.html")
    assert remembered["/news/gone.html"]["reason"] == "HTTP 404 Not Found"


@pytest.mark.parametrize("status", ["503", "429"])
def test_a_failure_that_may_pass_is_tried_at_every_fetch(site, db, status):
    site.pages["/news/busy.html"] = ("error", status)
    web.fetch_feeds(db, [site.url("/links.xml")], fetcher=fast())
    web.fetch_feeds(db, [site.url("/links.xml")], fetcher=fast())
    assert site.asked("/news/busy.html") == 2
    site.pages["/news/busy.html"] = ("text/html", page("Raid in Kep", "Kep", 12))
    third = web.fetch_feeds(db, [site.url("/links.xml")], fetcher=fast())
    assert [url for url, _ in third.added] == [site.url("/news/busy.html")]


def test_what_http_errors_are_remembered():
    assert [status for status in (400, 401, 403, 404, 408, 410, 425, 429, 451, 500, 503)
            if web.lasting_status(status)] == [400, 401, 403, 404, 410, 451]


def test_a_link_whose_article_was_deleted_is_fetched_again(site, db):
    web.fetch_feeds(db, [site.url("/links.xml")], fetcher=fast())
    kampot = articles.list_articles(db)[0]["id"]
    articles.delete_articles(db, [kampot])
    assert feeds.fetched_link(db, site.url("/news/kampot.html"))["article_id"] is None
    again, requests = fetched_again(site, db)
    # the article and its two duplicates are fetched again; the refusals are not
    assert requests == {
        "/news/kampot.html": 2, "/news/old": 1, "/mirror/kampot.html": 1,
        "/news/nav.html": 0, "/news/gone.html": 0, "/news/busy.html": 1}
    assert [url for url, _ in again.added] == [site.url("/news/kampot.html")]
    assert again.already_fetched == 2


def test_a_page_imported_by_its_address_is_fetched_whatever_is_remembered(site, db):
    """The user's explicit request wins; what it gives is remembered."""
    web.fetch_feeds(db, [site.url("/links.xml")], fetcher=fast())
    before = site.asked("/news/nav.html")
    report = web.import_urls(db, [site.url("/news/nav.html")], fetcher=fast())
    assert site.asked("/news/nav.html") == before + 1 and report.already_fetched == 0
    assert report.skipped == [(site.url("/news/nav.html"),
                               "no article text found in the page (only “Home”)")]
    # a page first imported by its address is not downloaded by a feed after
    web.import_urls(db, [site.url("/news/poipet.html")], fetcher=fast())
    site.pages["/links.xml"] = ("application/rss+xml",
                                rss(site.host, ENTRIES + ("/news/poipet.html",)))
    fetched = web.fetch_feeds(db, [site.url("/links.xml")], fetcher=fast())
    assert site.asked("/news/poipet.html") == 1 and fetched.already_fetched == 6


def test_the_command_line_says_how_many_entries_were_already_fetched(site, tmp_path,
                                                                     capsys):
    database = str(tmp_path / "cli.db")
    assert main(["feeds", "add", site.url("/links.xml"), "--db", database,
                 "--no-check"]) == 0
    main(["feeds", "fetch", "--db", database, "--delay", "0"])
    capsys.readouterr()
    assert main(["feeds", "fetch", "--db", database, "--delay", "0"]) == 1   # the 503
    out = capsys.readouterr().out
    assert out.splitlines()[-1] == ("0 imported, 0 already present, 1 skipped, "
                                    "5 entries already fetched")
    assert "already present:" not in out


def test_the_feeds_dialog_says_how_many_entries_were_already_fetched(
        open_window, seeded_db_path, site, qtbot, monkeypatch):
    """(A feed with nothing refused: a refusal is reported in a message box.)"""
    monkeypatch.setattr(web_import, "DELAY", 0.0)
    site.pages["/two.xml"] = ("application/rss+xml",
                              rss(site.host, ["/news/kampot.html", "/news/old"]))
    db = open_database(seeded_db_path)
    feeds.add_feed(db, site.url("/two.xml"))
    db.close()
    window = open_window(seeded_db_path)
    window.analysis.request = lambda: None
    dialog = web_import.show_feeds(window)
    messages = []
    for _ in range(2):
        task = dialog.fetch()
        qtbot.waitUntil(lambda task=task: task not in window.ops.tasks, timeout=60000)
        messages.append(window.statusBar().currentMessage())
    assert messages == ["1 imported, 1 already present, 0 skipped.",
                        ("0 imported, 0 already present, 0 skipped, "
                         "2 entries already fetched.")]
    assert site.asked("/news/kampot.html") == 2 and site.asked("/news/old") == 1
    assert dialog.list.item(0).data(Qt.ItemDataRole.UserRole) == site.url("/two.xml")
