"""News from the web: `dossier import https://…`, a .txt of URLs, and
`dossier feeds add|list|fetch`, against pages and feeds served by a local
HTTP server on 127.0.0.1 (never the real network): metadata stored,
duplicates by URL and by content, robots.txt, a polite per-host delay,
failures per URL, nothing half-stored."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from desktop.importers import web
from storage import articles, feeds, open_database

DOSSIER = [sys.executable, "-m", "desktop.cli"]

STORY = ("Cambodian police raided a compound in {place} on Monday and freed {n} workers "
         "from Vietnam, Indonesia and Kenya, officials said. Officers from Interpol took "
         "part in the operation, which followed months of complaints from families. The "
         "company that ran the compound denied any wrongdoing in a statement on Tuesday, "
         "and prosecutors said the managers would be charged with human trafficking.")


def page(title: str, place: str, n: int, *, author="Sok Chea", date="2024-06-17") -> str:
    return f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title}</title>
<meta property="og:title" content="{title}">
<meta property="og:site_name" content="Mekong Ledger">
<meta name="author" content="{author}">
<meta property="article:published_time" content="{date}T08:30:00+07:00">
</head><body><nav><a href="/">Home</a> <a href="/politics">Politics</a></nav>
<article><h1>{title}</h1><p>{STORY.format(place=place, n=n)}</p>
<p>The raid in {place} was the {n}th this year, the ministry said in a press release.</p>
</article><footer>Copyright 2024 Mekong Ledger</footer></body></html>"""


RSS = """<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>
<title>Mekong Ledger – Crime</title><link>http://{host}/</link><description>x</description>
<item><title>Raid in Kampot</title><link>http://{host}/news/kampot.html</link>
<pubDate>Mon, 17 Jun 2024 08:30:00 +0700</pubDate><author>Sok Chea</author></item>
<item><title>Raid in Bavet</title><link>/news/bavet.html</link>
<pubDate>Tue, 18 Jun 2024 09:00:00 +0700</pubDate></item>
<item><title>Secret</title><link>http://{host}/private/secret.html</link></item>
<item><title>Gone</title><link>http://{host}/news/gone.html</link></item>
</channel></rss>"""

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Ledger Atom</title>
<id>urn:x</id><updated>2024-06-19T00:00:00Z</updated>
<entry><title>Raid in Poipet</title><link href="http://{host}/news/poipet.html"/>
<id>urn:1</id><updated>2024-06-19T10:00:00Z</updated>
<author><name>Keo Vanna</name></author></entry>
</feed>"""


class Site:
    """A little news site on 127.0.0.1: what it serves and when it was asked."""

    def __init__(self):
        self.requests: list[tuple[float, str]] = []
        self.pages = {
            "/robots.txt": ("text/plain", "User-agent: *\nDisallow: /private/\n"),
            "/news/kampot.html": ("text/html", page("Raid in Kampot frees workers",
                                                    "Kampot", 214)),
            "/news/bavet.html": ("text/html", page("Raid in Bavet frees workers", "Bavet", 87,
                                                   author="Lim Dara", date="2024-06-18")),
            "/news/poipet.html": ("text/html", page("Raid in Poipet", "Poipet", 402)),
            # the Kampot story again at another address: a content duplicate
            "/mirror/kampot.html": ("text/html", page("Raid in Kampot frees workers",
                                                      "Kampot", 214)),
            "/private/secret.html": ("text/html", page("Secret", "Secret", 1)),
            "/news/empty.html": ("text/html", "<html><head><title>x</title></head>"
                                                  "<body><div></div></body></html>"),
            "/news/old": ("redirect", "/news/kampot.html"),
            "/go/secret": ("redirect", "/private/secret.html"),
            "/news/nav.html": ("text/html", "<html><head><title>Nothing</title></head>"
                                            "<body><nav>Home</nav></body></html>"),
        }

    def serve(self):
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                site.requests.append((time.monotonic(), self.path))
                kind, body = site.pages.get(self.path, (None, None))
                if kind == "redirect":
                    self.send_response(301)
                    self.send_header("Location", body)
                    self.end_headers()
                    return
                if kind is None:
                    self.send_error(404, "Not Found")
                    return
                if kind == "error":               # ("error", "503"): that HTTP error
                    self.send_error(int(body))
                    return
                if kind == "broken":    # the connection breaks off mid-answer
                    self.send_response(200)
                    self.send_header("Content-Type", "application/rss+xml")
                    self.send_header("Transfer-Encoding", "chunked")
                    self.end_headers()
                    self.wfile.write(b"%x\r\n" % 4000 + body.encode())   # 4,000 promised
                    self.close_connection = True
                    return
                # ("text/html; charset=windows-1250", page): sent in that charset
                charset = kind.partition("charset=")[2] or "utf-8"
                data = body.replace("{host}", site.host).encode(charset)
                self.send_response(200)
                self.send_header("Content-Type", kind if "charset=" in kind
                                 else f"{kind}; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.host = f"127.0.0.1:{self.server.server_port}"
        self.pages["/feed.xml"] = ("application/rss+xml", RSS.replace("{host}", self.host))
        self.pages["/atom.xml"] = ("application/atom+xml", ATOM.replace("{host}", self.host))
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def url(self, path: str) -> str:
        return f"http://{self.host}{path}"

    def asked(self, path: str) -> int:
        return sum(1 for _, p in self.requests if p == path)


@pytest.fixture
def site():
    served = Site().serve()
    yield served
    served.server.shutdown()
    served.server.server_close()


def fast():
    return web.Fetcher(delay=0.0)


def test_a_page_is_stored_with_its_url_outlet_author_and_date(site, db):
    report = web.import_urls(db, [site.url("/news/kampot.html")], fetcher=fast())
    [(label, article_id)] = report.added
    stored = articles.get_article(db, article_id)
    assert label == site.url("/news/kampot.html")
    assert (stored["url"], stored["source"], stored["author"], stored["published"],
            stored["title"]) == (site.url("/news/kampot.html"), "Mekong Ledger", "Sok Chea",
                                 "2024-06-17", "Raid in Kampot frees workers")
    assert stored["text"].startswith("Cambodian police raided a compound in Kampot")


@pytest.mark.parametrize("charset, words", [
    ("windows-1250", "Policja w Łodzi zatrzymała podejrzanych o pranie pieniędzy"),
    ("windows-1251", "Полиция задержала подозреваемых в отмывании денег"),
], ids=["windows-1250", "windows-1251"])
def test_a_page_whose_charset_only_its_server_names_is_read_in_it(site, db, charset, words):
    """A page without a <meta> charset, its charset in the Content-Type
    header only (as many servers send it): a Polish page came in as
    “£odzi … zatrzyma³a”, a Russian one was refused as “an encoding Dossier
    does not read”."""
    body = ("<html><head><title>Raid</title></head><body><article>"
            + "".join(f"<p>{words}, {n}.</p>" for n in range(6)) + "</article></body></html>")
    site.pages["/news/elsewhere.html"] = (f"text/html; charset={charset}", body)
    report = web.import_urls(db, [site.url("/news/elsewhere.html")], fetcher=fast())
    [(_label, article_id)] = report.added
    assert words in articles.get_article(db, article_id)["text"]


def test_duplicates_by_url_are_not_downloaded_and_by_content_not_stored(site, db):
    web.import_urls(db, [site.url("/news/kampot.html")], fetcher=fast())
    before = site.asked("/news/kampot.html")
    report = web.import_urls(db, [site.url("/news/kampot.html#comments"),
                                  site.url("/mirror/kampot.html"),
                                  site.url("/news/old")], fetcher=fast())
    assert site.asked("/news/kampot.html") == before + 1   # only through the redirect
    assert [label for label, _ in report.duplicates] == [
        site.url("/news/kampot.html"), site.url("/mirror/kampot.html"),
        site.url("/news/old")]
    assert report.added == [] and articles.article_count(db) == 1


def test_robots_txt_is_respected_and_failures_are_reported_per_url(site, db):
    report = web.import_urls(db, [site.url("/private/secret.html"),
                                  site.url("/news/gone.html"),
                                  site.url("/news/empty.html"),
                                  "ftp://example.org/x",
                                  site.url("/news/bavet.html")], fetcher=fast())
    reasons = dict(report.skipped)
    assert reasons == {
        site.url("/private/secret.html"):
            f"robots.txt of http://{site.host} does not allow fetching it",
        site.url("/news/gone.html"): "HTTP 404 Not Found",
        site.url("/news/empty.html"): "no article text found in the page",
        "ftp://example.org/x": "not an http:// or https:// address"}
    assert site.asked("/private/secret.html") == 0
    assert site.asked("/robots.txt") == 1
    assert [a["title"] for a in articles.list_articles(db)] == ["Raid in Bavet frees workers"]


def test_robots_txt_holds_for_dot_segments_double_slashes_and_redirects(site, db):
    """The server reads /news/../private/x as /private/x: so does robots.txt
    (a new user's walk fetched a disallowed page through such a feed link)."""
    sneaky = [f"http://{site.host}/news/../private/secret.html",
              f"http://{site.host}//private/secret.html",
              f"http://{site.host}/news/%2e%2e/private/secret.html",
              site.url("/go/secret")]
    report = web.import_urls(db, sneaky + [site.url("/news/nav.html")], fetcher=fast())
    reasons = dict(report.skipped)
    # (reported under the address as the server reads it)
    assert reasons[site.url("/private/secret.html")] == \
        f"robots.txt of http://{site.host} does not allow fetching it"
    assert reasons[site.url("/go/secret")] == (
        f"redirected to {site.url('/private/secret.html')}, which robots.txt of "
        f"http://{site.host} does not allow fetching")
    assert site.asked("/private/secret.html") == 0
    assert not any("/private/" in path for _, path in site.requests)
    # a page with no article (a menu) is not stored as one
    assert reasons[site.url("/news/nav.html")] == \
        "no article text found in the page (only “Home”)"
    assert articles.list_articles(db) == []


def test_a_robots_txt_that_moves_is_followed_and_obeyed(site, db):
    site.pages["/rules.txt"] = site.pages["/robots.txt"]
    site.pages["/robots.txt"] = ("redirect", "/rules.txt")
    report = web.import_urls(db, [site.url("/private/secret.html"),
                                  site.url("/news/bavet.html")], fetcher=fast())
    assert dict(report.skipped) == {site.url("/private/secret.html"):
                                    f"robots.txt of http://{site.host} does not allow "
                                    f"fetching it"}
    assert [a["title"] for a in articles.list_articles(db)] == ["Raid in Bavet frees workers"]


def test_one_host_gets_one_request_per_delay(site, db):
    fetcher = web.Fetcher(delay=0.25)
    web.import_urls(db, [site.url(p) for p in ("/news/kampot.html", "/news/bavet.html",
                                               "/news/poipet.html")], fetcher=fetcher)
    times = [at for at, _ in site.requests]
    assert len(times) == 4                                 # robots.txt and three pages
    gaps = [b - a for a, b in zip(times, times[1:])]
    assert min(gaps) >= 0.24, gaps


def test_a_failure_while_storing_leaves_nothing_half_stored(site, db, monkeypatch):
    from desktop import near_duplicates

    def broken(*args, **options):
        raise RuntimeError("disk on fire")
    monkeypatch.setattr(near_duplicates, "link_fingerprint", broken)
    with pytest.raises(RuntimeError):
        web.import_urls(db, [site.url("/news/kampot.html")], fetcher=fast())
    assert articles.article_count(db) == 0


def test_feeds_are_followed_fetched_and_their_pages_imported(site, db):
    feed, created = feeds.add_feed(db, site.url("/feed.xml"))
    assert created and feeds.add_feed(db, site.url("/feed.xml"))[1] is False
    feeds.add_feed(db, site.url("/atom.xml"))
    feeds.add_feed(db, site.url("/missing.xml"))
    progress = []
    report = web.fetch_feeds(db, fetcher=fast(),
                             on_progress=lambda done, total: progress.append((done, total)))
    assert dict(report.feeds) == {site.url("/feed.xml"): "4 entries",
                                  site.url("/atom.xml"): "1 entry",
                                  site.url("/missing.xml"): "HTTP 404 Not Found"}
    stored = {a["url"]: a for a in articles.list_articles(db)}
    assert set(stored) == {site.url("/news/kampot.html"), site.url("/news/bavet.html"),
                           site.url("/news/poipet.html")}
    bavet = stored[site.url("/news/bavet.html")]        # a relative link in the feed
    # the site's own name, as a page imported by its URL gets, not the feed's
    assert (bavet["source"], bavet["author"], bavet["published"]) == (
        "Mekong Ledger", "Lim Dara", "2024-06-18")
    assert stored[site.url("/news/poipet.html")]["source"] == "Mekong Ledger"
    assert set(dict(report.skipped)) == {site.url("/missing.xml"),
                                         site.url("/private/secret.html"),
                                         site.url("/news/gone.html")}
    assert progress[-1] == (8, 8)
    listed = {f["url"]: f for f in feeds.list_feeds(db)}
    assert listed[site.url("/feed.xml")]["title"] == "Mekong Ledger – Crime"
    assert listed[site.url("/missing.xml")]["status"] == "failed: HTTP 404 Not Found"
    # fetched again: nothing downloaded twice
    pages = site.asked("/news/kampot.html")
    again = web.fetch_feeds(db, fetcher=fast())
    assert site.asked("/news/kampot.html") == pages and again.added == []
    # (the three stored, the one robots.txt forbids and the 404: all remembered)
    assert again.already_fetched == 5 and again.duplicates == []


def test_a_connection_that_breaks_off_is_a_failure_of_that_feed_tried_again_later(
        site, db):
    site.pages["/broken.xml"] = ("broken", '<?xml version="1.0"?><rss version="2.0">')
    site.pages["/robots.txt"] = ("broken", "User-agent: *\n")
    feeds.add_feed(db, site.url("/broken.xml"))
    feeds.add_feed(db, site.url("/atom.xml"))
    report = web.fetch_feeds(db, fetcher=fast())
    broke = "the connection broke off (IncompleteRead)"
    assert dict(report.feeds) == {site.url("/broken.xml"): broke,
                                  site.url("/atom.xml"): "1 entry"}
    assert [a["url"] for a in articles.list_articles(db)] == [site.url("/news/poipet.html")]
    # a failure that may pass: the next fetch asks again
    asked = site.asked("/broken.xml")
    web.fetch_feeds(db, fetcher=fast())
    assert site.asked("/broken.xml") == asked + 1
    # a page read by its address, and a feed being added, fail the same way
    assert dict(web.import_urls(db, [site.url("/broken.xml")], fetcher=fast()).skipped) == {
        site.url("/broken.xml"): broke}
    with pytest.raises(web.FetchError, match="broke off"):
        web.check_feed(site.url("/broken.xml"), fetcher=fast())


def test_a_malformed_address_is_skipped_on_its_own_and_refused_as_a_feed(site, db):
    bad = "http://[oops/story"
    report = web.import_urls(db, [bad, site.url("/news/bavet.html")], fetcher=fast())
    assert dict(report.skipped) == {bad: "not a valid web address"}
    assert [a["url"] for a in articles.list_articles(db)] == [site.url("/news/bavet.html")]
    # such an address is refused as a feed; one followed already (stored by
    # an older version) fails on its own, the other feeds are fetched
    with pytest.raises(feeds.FeedError, match="not a valid web address"):
        feeds.add_feed(db, "http://[oops/feed.xml")
    with pytest.raises(feeds.FeedError, match="not a valid web address"):
        feeds.add_feed(db, "http://example.org:port/feed.xml")
    db.execute("INSERT INTO feeds (url, added_at) VALUES ('http://[oops/feed.xml', '')")
    feeds.add_feed(db, site.url("/atom.xml"))
    report = web.fetch_feeds(db, fetcher=fast())
    assert dict(report.feeds)["http://[oops/feed.xml"] == "not a valid web address"
    assert dict(report.feeds)[site.url("/atom.xml")] == "1 entry"


def test_cancel_stops_between_pages(site, db):
    done = []
    report = web.import_urls(db, [site.url("/news/kampot.html"), site.url("/news/bavet.html")],
                             fetcher=fast(), on_progress=lambda d, t: done.append(d),
                             is_cancelled=lambda: bool(done))
    assert report.cancelled and len(report.added) == 1


@pytest.mark.slow
def test_the_command_line_imports_urls_and_url_lists_and_follows_feeds(site, tmp_path):
    database = str(tmp_path / "web.db")
    listing = tmp_path / "urls.txt"
    listing.write_text(f"# today's reading\n{site.url('/news/bavet.html')}\n\n"
                       f"{site.url('/news/gone.html')}\n", "utf-8")
    run = subprocess.run([*DOSSIER, "import", site.url("/news/kampot.html"), str(listing),
                          "--db", database, "--delay", "0"],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 1, run.stderr
    assert f"imported {site.url('/news/kampot.html')} as article 1" in run.stdout
    assert f"imported {site.url('/news/bavet.html')} as article 2" in run.stdout
    assert f"skipped {site.url('/news/gone.html')}: HTTP 404 Not Found" in run.stderr
    assert "2 imported, 0 already present, 1 skipped" in run.stdout
    # the run's pages are one change: one undo takes both, one redo brings them back
    for verb, left in (("undo", 0), ("redo", 2)):
        replayed = subprocess.run([*DOSSIER, verb, "--db", database], capture_output=True,
                                  text=True, timeout=120)
        assert replayed.returncode == 0, replayed.stderr
        assert "2 articles" in replayed.stdout
        assert open_database(Path(database)).execute(
            "SELECT count(*) FROM articles").fetchone()[0] == left

    def dossier(*args):
        return subprocess.run([*DOSSIER, "feeds", *args, "--db", database],
                              capture_output=True, text=True, timeout=120)
    assert dossier("add", site.url("/atom.xml")).stdout.strip() == \
        f"following {site.url('/atom.xml')}"
    assert dossier("add", "not a url").returncode == 2
    page = dossier("add", site.url("/news/kampot.html"))     # a page, not a feed
    assert page.returncode == 2 and "not an RSS or Atom feed" in page.stderr
    named = dossier("add", site.url("/news/kampot.html"), "--title", "Kampot")
    assert named.returncode == 2 and "not an RSS or Atom feed" in named.stderr
    assert dossier("list").stdout.count("\n") == 1           # the Atom feed alone
    fetched = dossier("fetch", "--delay", "0")
    assert fetched.returncode == 0, fetched.stderr
    assert f"feed {site.url('/atom.xml')}: 1 entry" in fetched.stdout
    assert "1 imported" in fetched.stdout
    listed = dossier("list")
    assert listed.stdout.startswith(f"{site.url('/atom.xml')}\tLedger Atom\t")
    db = open_database(tmp_path / "web.db")
    try:
        assert articles.article_count(db) == 3
    finally:
        db.close()
    assert dossier("remove", site.url("/atom.xml")).returncode == 0
    assert dossier("list").stdout == ""


def test_a_text_file_that_is_not_only_urls_is_an_article(tmp_path):
    path = tmp_path / "note.txt"
    path.write_text("Read https://example.org/a later.\nhttps://example.org/b\n", "utf-8")
    assert web.url_list(path) is None
    assert web.split_sources([str(path), "https://example.org/c"]) == (
        ["https://example.org/c"], [str(path)])


def test_a_page_naming_no_site_takes_the_feeds_title(site, db):
    """Without og:site_name the feed's title names the outlet (by its URL
    alone, the site's address would)."""
    site.pages["/news/plain.html"] = ("text/html", page(
        "Raid in Kep frees workers", "Kep", 12).replace(
        '<meta property="og:site_name" content="Mekong Ledger">\n', ""))
    site.pages["/plain.xml"] = ("application/rss+xml", RSS.replace("{host}", site.host)
                                .replace("/news/kampot.html", "/news/plain.html"))
    web.fetch_feeds(db, [site.url("/plain.xml")], fetcher=fast())
    stored = {a["url"]: a for a in articles.list_articles(db)}
    assert stored[site.url("/news/plain.html")]["source"] == "Mekong Ledger – Crime"
    assert stored[site.url("/news/bavet.html")]["source"] == "Mekong Ledger"


def test_feeds_add_refuses_a_non_web_address_without_making_a_database(tmp_path, capsys):
    from desktop.cli import main

    path = tmp_path / "never.db"
    assert main(["feeds", "add", "ftp://example.org/feed", "--db", str(path)]) == 2
    assert "is not a web address" in capsys.readouterr().err
    assert not path.exists()
