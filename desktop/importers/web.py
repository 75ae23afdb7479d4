"""Articles from the web: pages by URL (one by one, or a .txt list of
URLs) and RSS/Atom feeds (feedparser), each page's article read by
trafilatura (:func:`desktop.importers.web_page.extract_article`).

Politeness: robots.txt is asked before any request to a host
(``urllib.robotparser``; a robots.txt that cannot be read allows, as
crawlers do, unless it answers 401/403), and requests to one host are at
least :data:`DEFAULT_DELAY` seconds apart (configurable). Only http and
https; pages larger than :data:`MAX_PAGE_BYTES` are refused.

Each page is stored in its own transaction with its URL, outlet, author
and date — nothing half-stored — and deduplicated twice: by URL before it
is downloaded (the requested URL without its #fragment, and the URL after
redirects) and by text hash when stored. A failure is reported for its
URL and the others go on.

What became of each link is remembered (:func:`storage.feeds.remember_link`:
stored, a duplicate, or refused for a lasting reason — robots.txt, 404/410,
no article text, not HTML), and a feed fetch does not download a link it
remembers again (:func:`storage.feeds.already_fetched`): feeds are fetched
again and again, and their redirecting or refused links would be downloaded
each time. A failure that may pass (the network, a timeout, HTTP 5xx, 429)
is not remembered: the next fetch tries again. A page imported by its
address (``dossier import URL``, Import from web…) is fetched whatever is
remembered — the user asked for it — and what it gives is remembered.

Plain Python, no Qt; used by ``dossier import URL``, ``dossier feeds``
(:mod:`desktop.cli_feeds`) and the window's web import and Feeds dialogs.
"""

from __future__ import annotations

import http.client
import re
import time
import urllib.error
import urllib.parse
import urllib.request
import urllib.robotparser
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from email.message import Message
from pathlib import Path

from sqlite_utils import Database

from desktop.importers.drafts import ArticleDraft, ImportProblem, iso_date
from desktop.importers.file_bytes import decode_html
from desktop.importers.run import ImportReport, _Pending, store_draft
from desktop.importers.web_page import extract_article
from storage import feeds as feed_store
from storage import journal
from widgets.wording import counted

#: Seconds between two requests to the same host, by default.
DEFAULT_DELAY = 1.0
#: The largest page or feed downloaded.
MAX_PAGE_BYTES = 20 * 1024 * 1024
TIMEOUT = 30
USER_AGENT = "Dossier/1.0 (news reader for analysts; respects robots.txt)"


def is_url(text: str) -> bool:
    """Whether ``text`` is an http(s) address."""
    return str(text).strip().lower().startswith(("http://", "https://"))


def url_list(path: Path) -> list[str] | None:
    """The URLs of a .txt file that holds only URLs (one a line; blank lines
    and ``#`` comments allowed), else None: it is an article."""
    if path.suffix.lower() != ".txt":
        return None
    try:
        if path.stat().st_size > 5 * 1024 * 1024:
            return None
        lines = path.read_text("utf-8-sig").splitlines()
    except (OSError, UnicodeDecodeError):
        return None
    urls = [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]
    return urls if urls and all(is_url(u) and " " not in u for u in urls) else None


def split_sources(sources: Iterable[str]) -> tuple[list[str], list[str]]:
    """Command-line arguments split into URLs (given, or listed in a .txt of
    URLs) and the other paths."""
    urls, paths = [], []
    for source in sources:
        if is_url(source):
            urls.append(source.strip())
            continue
        listed = url_list(Path(source))
        if listed is None:
            paths.append(source)
        else:
            urls.extend(listed)
    return urls, paths


#: why a malformed address (``http://[oops/story``) is skipped
NOT_AN_ADDRESS = "not a valid web address"


class FetchError(Exception):
    """A URL could not be fetched; the message is one line for the user.
    ``lasting``: asking again would get the same answer (robots.txt, HTTP
    404, too large), so a feed fetch remembers it; otherwise (the network,
    a timeout, HTTP 5xx or 429) the next fetch tries again."""

    def __init__(self, message: str, *, lasting: bool = False):
        super().__init__(message)
        self.lasting = lasting


#: HTTP errors that may be different next time: a timeout, "too early",
#: "too many requests" (and every 5xx). Any other 4xx — 404, 410, 401, 403,
#: 451 … — is taken as the site's lasting answer.
PASSING_STATUSES = frozenset({408, 425, 429})


def lasting_status(status: int) -> bool:
    """Whether an HTTP error status is the site's lasting answer (a 4xx
    but those of :data:`PASSING_STATUSES`)."""
    return 400 <= status < 500 and status not in PASSING_STATUSES


@dataclass
class Fetched:
    url: str          # after redirects
    data: bytes
    content_type: str


class Fetcher:
    """HTTP GET with robots.txt and a per-host delay.

    ``delay`` is the least time between two requests to one host; ``clock``
    and ``sleep`` are for tests.
    """

    def __init__(self, *, delay: float = DEFAULT_DELAY, user_agent: str = USER_AGENT,
                 timeout: float = TIMEOUT, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep):
        self.delay, self.user_agent, self.timeout = delay, user_agent, timeout
        self.clock, self.sleep = clock, sleep
        self._last: dict[str, float] = {}
        self._robots: dict[str, urllib.robotparser.RobotFileParser | None] = {}

    @staticmethod
    def _host(url: str) -> str:
        parts = urllib.parse.urlsplit(url)
        return f"{parts.scheme}://{parts.netloc}".lower()

    def _wait_turn(self, host: str) -> None:
        last = self._last.get(host)
        if last is not None:
            wait = last + self.delay - self.clock()
            if wait > 0:
                self.sleep(wait)

    def _get(self, url: str, limit: int = MAX_PAGE_BYTES) -> Fetched:
        host = self._host(url)
        self._wait_turn(host)
        try:
            return self._request(url, limit)
        finally:
            # the delay counts from the end of a request: the host gets a rest
            self._last[host] = self.clock()

    def _request(self, url: str, limit: int) -> Fetched:
        request = urllib.request.Request(url, headers={
            "User-Agent": self.user_agent,
            "Accept": "text/html,application/xhtml+xml,application/rss+xml,"
                      "application/atom+xml,application/xml;q=0.9,*/*;q=0.5"})
        opener = urllib.request.build_opener(_RobotsRedirects(self))
        try:
            with opener.open(request, timeout=self.timeout) as response:
                data = response.read(limit + 1)
                final = response.geturl()
                content_type = response.headers.get("Content-Type", "")
        except urllib.error.HTTPError as error:
            raise FetchError(f"HTTP {error.code} {error.reason}",
                             lasting=lasting_status(error.code)) from None
        except urllib.error.URLError as error:
            raise FetchError(f"cannot be reached ({error.reason})") from None
        except http.client.HTTPException as error:
            # a connection cut mid-answer (IncompleteRead) or a garbled answer:
            # neither an OSError nor lasting, so tried again the next time
            raise FetchError(f"the connection broke off ({type(error).__name__})") from None
        except (TimeoutError, OSError, ValueError) as error:
            raise FetchError(f"cannot be fetched ({error})") from None
        if len(data) > limit:
            raise FetchError(f"larger than {limit // (1024 * 1024)} MB", lasting=True)
        if not is_url(final):
            raise FetchError(f"redirected away from the web ({final})", lasting=True)
        return Fetched(final, data, content_type)

    def allowed(self, url: str) -> bool:
        """Whether the host's robots.txt lets Dossier fetch ``url`` (read
        as the server reads it: ``/news/../private/x`` is ``/private/x``)."""
        url = normalise_url(url)
        host = self._host(url)
        if host not in self._robots:
            parser = urllib.robotparser.RobotFileParser(f"{host}/robots.txt")
            try:
                fetched = self._get(f"{host}/robots.txt", limit=512 * 1024)
                parser.parse(fetched.data.decode("utf-8", "replace").splitlines())
            except FetchError as error:
                text = str(error)
                if text.startswith(("HTTP 401", "HTTP 403")):
                    parser.disallow_all = True
                else:
                    parser.allow_all = True   # no robots.txt (404) or unreachable
            self._robots[host] = parser
        return self._robots[host].can_fetch(self.user_agent, url)

    def fetch(self, url: str) -> Fetched:
        """The document at ``url``; :class:`FetchError` when robots.txt
        forbids it, or it cannot be fetched."""
        if not is_url(url):
            raise FetchError("not an http:// or https:// address", lasting=True)
        try:
            url = normalise_url(url)
        except ValueError:
            raise FetchError(NOT_AN_ADDRESS, lasting=True) from None
        if not self.allowed(url):
            raise FetchError(f"robots.txt of {self._host(url)} does not allow fetching it",
                             lasting=True)
        return self._get(url)


class _RobotsRedirects(urllib.request.HTTPRedirectHandler):
    """Follows a redirect only where robots.txt allows fetching its target
    (``/news/old`` → ``/private/x`` is refused like ``/private/x``)."""

    def __init__(self, fetcher: Fetcher):
        super().__init__()
        self.fetcher = fetcher

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        newurl = normalise_url(urllib.parse.urljoin(req.full_url, newurl))
        reading_robots = urllib.parse.urlsplit(req.full_url).path == "/robots.txt"
        # (robots.txt itself may move: following it asks nothing of robots.txt)
        if not reading_robots and is_url(newurl) and not self.fetcher.allowed(newurl):
            raise FetchError(f"redirected to {newurl}, which robots.txt of "
                             f"{self.fetcher._host(newurl)} does not allow fetching",
                             lasting=True)
        return super().redirect_request(req, fp, code, msg, headers, newurl)


_DOT = re.compile(r"%2e", re.IGNORECASE)


def normalise_url(url: str) -> str:
    """``url`` as a server reads it: scheme and host in lower case, the
    path's ``.``/``..`` segments resolved (``%2e`` too) and repeated
    slashes made one — so ``/news/../private/x`` and ``//private/x`` are
    ``/private/x`` for robots.txt and for telling two addresses apart."""
    parts = urllib.parse.urlsplit(url)
    path = re.sub(r"/{2,}", "/", _DOT.sub(".", parts.path))
    kept: list[str] = []
    segments = path.split("/")
    for segment in segments:
        if segment == "..":
            if len(kept) > 1:
                kept.pop()
        elif segment != ".":
            kept.append(segment)
    path = "/".join(kept)
    if segments[-1] in (".", "..") and not path.endswith("/"):
        path += "/"
    if not path.startswith("/"):
        path = "/" + path
    return urllib.parse.urlunsplit((parts.scheme.lower(), parts.netloc.lower(), path,
                                    parts.query, parts.fragment))


def _clean_url(url: str) -> str:
    """``url`` normalised, without its fragment; :class:`FetchError` (lasting)
    if it is no valid address (``http://[oops/story``)."""
    try:
        return normalise_url(urllib.parse.urldefrag(url.strip())[0])
    except ValueError:      # urllib.parse: an unclosed [, a port that is no number
        raise FetchError(NOT_AN_ADDRESS, lasting=True) from None


@dataclass
class FeedItem:
    """A page to fetch, with what its feed said about it."""

    url: str
    title: str | None = None
    author: str | None = None
    published: str | None = None
    source: str | None = None
    summary: str | None = None


def _sent_charset(content_type: str) -> str | None:
    """The charset a Content-Type header names (``text/html; charset=…``)."""
    header = Message()
    header["Content-Type"] = content_type or "text/plain"
    return header.get_content_charset()


def _page_draft(fetched: Fetched, item: FeedItem) -> ArticleDraft:
    draft = extract_article(decode_html(fetched.data, _sent_charset(fetched.content_type)),
                            url=fetched.url)
    draft.url = item.url
    draft.title = draft.title or item.title
    draft.author = draft.author or item.author
    draft.published = draft.published or item.published
    # the outlet: the name the page declares for its site (as a page imported
    # by its URL gets), else the feed's title, else the site's address — so
    # that one site's pages share one source however they came in
    host = urllib.parse.urlsplit(fetched.url).netloc.lower()
    declared = draft.source if draft.source and draft.source.lower() not in (
        host, host.removeprefix("www.")) else None
    draft.source = declared or item.source or draft.source
    return draft


@dataclass
class WebReport(ImportReport):
    """An :class:`ImportReport` whose labels are URLs; ``feeds`` lists
    ``(feed url, outcome)`` for a feed fetch, ``already_fetched`` counts
    the entries it did not download because an earlier fetch dealt with
    them."""

    feeds: list[tuple[str, str]] = field(default_factory=list)
    already_fetched: int = 0

    def more_counts(self) -> list[str]:
        """The entries skipped as already fetched, when there are any."""
        if not self.already_fetched:
            return []
        return [f"{counted(self.already_fetched, 'entry', 'entries')} already fetched"]


def import_items(db: Database, items: list[FeedItem], *, fetcher: Fetcher | None = None,
                 report: WebReport | None = None,
                 on_progress: Callable[[int, int], None] | None = None,
                 is_cancelled: Callable[[], bool] | None = None,
                 progress_offset: int = 0, progress_total: int | None = None,
                 skip_fetched: bool = False, origin: str = "") -> WebReport:
    """Fetch and store each page, one transaction each (a journal step of
    ``origin``); pages already stored under their URL are not downloaded
    again, nor, with ``skip_fetched`` (a feed fetch), links remembered as
    dealt with (counted in ``report.already_fetched``). What becomes of each
    link is remembered."""
    fetcher = fetcher or Fetcher()
    report = report or WebReport()
    total = progress_total if progress_total is not None else len(items)
    seen: set[str] = set()
    for number, item in enumerate(items, 1):
        if is_cancelled and is_cancelled():
            report.cancelled = True
            break
        try:
            item.url = _clean_url(item.url)
            if item.url not in seen:
                seen.add(item.url)
                _import_item(db, item, fetcher, report, skip_fetched, origin)
        except FetchError as problem:   # a malformed address: skipped like a 404
            _skip(db, report, item.url, str(problem), lasting=problem.lasting)
        finally:
            if on_progress:
                on_progress(progress_offset + number, total)
    return report


def _import_item(db: Database, item: FeedItem, fetcher: Fetcher, report: WebReport,
                 skip_fetched: bool, origin: str = "") -> None:
    """One link (normalised): skipped if remembered (``skip_fetched``),
    found stored under its URL, or fetched and then stored, found a
    duplicate or refused — and what became of it remembered."""
    url = item.url
    if skip_fetched and feed_store.already_fetched(db, url):
        report.already_fetched += 1
        return
    existing = feed_store.article_with_url(db, [url])
    if existing is not None:
        _duplicate(db, report, url, url, existing)
        return
    fetched = None
    try:
        fetched = fetcher.fetch(url)
        draft = _page_draft(fetched, item)
    except (FetchError, ImportProblem) as problem:
        # (a page that is no article stays so; a fetch may fail for a while)
        lasting = problem.lasting if isinstance(problem, FetchError) else True
        _skip(db, report, url, str(problem), lasting=lasting,
              final_url=fetched.url if fetched else None)
        return
    except Exception as error:
        # a damaged page can make a parser raise anything (remembered: it
        # would again), a broken connection http.client's own (tried again)
        _skip(db, report, url, f"cannot be read ({type(error).__name__})",
              lasting=fetched is not None, final_url=fetched.url if fetched else None)
        return
    existing = feed_store.article_with_url(db, [fetched.url])
    if existing is not None:
        _duplicate(db, report, url, fetched.url, existing)
        return
    _store_page(db, url, fetched.url, draft, report, origin)


def _duplicate(db: Database, report: WebReport, url: str, final_url: str,
               article_id: int) -> None:
    """``url`` is the article ``article_id`` already stored (by its address)."""
    report.duplicates.append((url, article_id))
    feed_store.remember_link(db, url, feed_store.DUPLICATE, final_url=final_url,
                             article_id=article_id)


def _skip(db: Database, report: WebReport, url: str, reason: str, *, lasting: bool,
          final_url: str | None = None) -> None:
    """``url`` could not be imported; remembered as refused when ``lasting``
    (a failure that may pass is tried again next time)."""
    report.skipped.append((url, reason))
    if lasting:
        feed_store.remember_link(db, url, feed_store.REFUSED, final_url=final_url,
                                 reason=reason)


def _store_page(db: Database, url: str, final_url: str, draft: ArticleDraft,
                report: WebReport, origin: str = "") -> None:
    """Store a fetched page in one journal step, what became of its link
    remembered in the same transaction (both kept or neither)."""
    pending = _Pending()
    with journal.step(db, f"Import {url}", origin=origin) as step:
        store_draft(db, url, draft, pending, filename=None)
        if pending.added or pending.duplicates:
            outcome = feed_store.STORED if pending.added else feed_store.DUPLICATE
            [(_label, article_id)] = pending.added or pending.duplicates
            feed_store.remember_link(db, url, outcome, final_url=final_url,
                                     article_id=article_id)
        else:           # no article in it (too short …): refused, for good
            [(_label, reason)] = pending.skipped
            feed_store.remember_link(db, url, feed_store.REFUSED, final_url=final_url,
                                     reason=reason)
    pending.commit_to(report)
    if step.changes:        # undone with the import's other pages (report.steps)
        report.steps.append(step.id)


def import_urls(db: Database, urls: Iterable[str], **options) -> WebReport:
    """:func:`import_items` for plain URLs."""
    return import_items(db, [FeedItem(u) for u in urls], **options)


def feed_items(data: bytes, feed_url: str) -> tuple[str | None, list[FeedItem]]:
    """The title and entries of an RSS or Atom document; :class:`ImportProblem`
    if it is not a feed."""
    import feedparser

    parsed = feedparser.parse(data, response_headers={"content-location": feed_url})
    if not parsed.entries and (parsed.bozo or not parsed.feed):
        raise ImportProblem("not an RSS or Atom feed")
    title = parsed.feed.get("title") or None
    items = []
    for entry in parsed.entries:
        link = entry.get("link")
        if not link:
            continue
        link = urllib.parse.urljoin(feed_url, link)
        date = entry.get("published_parsed") or entry.get("updated_parsed")
        items.append(FeedItem(
            url=link, title=entry.get("title") or None, author=entry.get("author") or None,
            published=iso_date(time.strftime("%Y-%m-%d", date)) if date else None,
            source=title, summary=entry.get("summary") or None))
    return title, items


def check_feed(url: str, *, fetcher: Fetcher | None = None) -> str | None:
    """Fetch ``url`` once and read it as a feed: its title (None if it has
    none). Raises :class:`FetchError` (unreachable, refused, robots.txt) or
    :class:`ImportProblem` (not an RSS or Atom feed) — before it is followed,
    not at every fetch after."""
    title, _items = feed_items((fetcher or Fetcher()).fetch(url).data, url)
    return title


def fetch_feeds(db: Database, urls: list[str] | None = None, *,
                fetcher: Fetcher | None = None,
                on_progress: Callable[[int, int], None] | None = None,
                is_cancelled: Callable[[], bool] | None = None,
                origin: str = "") -> WebReport:
    """Fetch every followed feed (or those of ``urls``) and import the pages
    its entries link to, but for links an earlier fetch dealt with for good
    (not requested again: counted in ``already_fetched``). Progress counts
    the feeds first, then the pages; each page is a journal step of
    ``origin``."""
    fetcher = fetcher or Fetcher()
    report = WebReport()
    followed = urls if urls is not None else [f["url"] for f in feed_store.list_feeds(db)]
    found: list[FeedItem] = []
    for number, url in enumerate(followed, 1):
        if is_cancelled and is_cancelled():
            report.cancelled = True
            return report
        try:
            title, items = feed_items(fetcher.fetch(url).data, url)
        except (FetchError, ImportProblem) as problem:
            report.feeds.append((url, str(problem)))
            report.skipped.append((url, str(problem)))
            feed_store.record_fetch(db, url, f"failed: {problem}")
        else:
            entries = counted(len(items), "entry", "entries")
            report.feeds.append((url, entries))
            feed_store.record_fetch(db, url, entries, title)
            found.extend(items)
        if on_progress:
            on_progress(number, len(followed) + len(found))
    return import_items(db, found, fetcher=fetcher, report=report, on_progress=on_progress,
                        is_cancelled=is_cancelled, progress_offset=len(followed),
                        progress_total=len(followed) + len(found), skip_fetched=True,
                        origin=origin)
