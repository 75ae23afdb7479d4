"""News feeds the analyst follows: adding, listing, removing, and recording
each fetch's outcome; and the entry links already dealt with
(``fetched_links``), which a feed fetch does not download again. The
fetching itself is :mod:`desktop.importers.web`."""

from __future__ import annotations

import urllib.parse

from sqlite_utils import Database

from storage.database import utc_now


class FeedError(ValueError):
    """A feed change was refused; the message is meant for the user."""


def web_address(url: str) -> str:
    """``url`` without blanks around it; :class:`FeedError` unless it is an
    http(s) address naming a host (``http://[oops/feed``, ``http://x:port/``
    could never be fetched: every fetch of the feeds would fail on them)."""
    url = url.strip()
    if not url.lower().startswith(("http://", "https://")):
        raise FeedError(f"“{url}” is not a web address (http:// or https://).")
    try:
        parts = urllib.parse.urlsplit(url)
        valid = bool(parts.hostname) and (parts.port or 0) >= 0
    except ValueError:          # an unclosed [, a port that is no number
        valid = False
    if not valid:
        raise FeedError(f"“{url}” is not a valid web address.")
    return url


def add_feed(db: Database, url: str, title: str | None = None) -> tuple[dict, bool]:
    """Follow ``url`` (one transaction). Returns ``(feed, created)``;
    ``created`` is False when it was already followed."""
    url = web_address(url)
    with db.atomic():
        existing = get_feed(db, url)
        if existing is not None:
            return existing, False
        db.execute("INSERT INTO feeds (url, title, added_at) VALUES (?, ?, ?)",
                   [url, (title or "").strip() or None, utc_now()])
    return get_feed(db, url), True


def get_feed(db: Database, url: str) -> dict | None:
    """The feed with this URL, or None."""
    rows = list(db.query("SELECT * FROM feeds WHERE url = ?", [url.strip()]))
    return rows[0] if rows else None


def list_feeds(db: Database) -> list[dict]:
    """Every followed feed, in the order they were added."""
    return list(db.query("SELECT * FROM feeds ORDER BY id"))


def remove_feed(db: Database, url: str) -> bool:
    """Stop following a feed (its articles stay). Whether it was followed."""
    with db.atomic():
        return db.execute("DELETE FROM feeds WHERE url = ?", [url.strip()]).rowcount > 0


def record_fetch(db: Database, url: str, status: str, title: str | None = None) -> None:
    """Note when a feed was fetched and how it went (and its title, if the
    feed gave one and none was set)."""
    with db.atomic():
        db.execute("UPDATE feeds SET fetched_at = ?, status = ?, "
                   "title = coalesce(title, ?) WHERE url = ?",
                   [utc_now(), status, title, url.strip()])


def article_with_url(db: Database, urls: list[str]) -> int | None:
    """The id of an article stored with any of ``urls``, if any."""
    urls = [u for u in urls if u]
    if not urls:
        return None
    marks = ",".join("?" * len(urls))
    row = db.execute(f"SELECT id FROM articles WHERE url IN ({marks}) ORDER BY id LIMIT 1",
                     urls).fetchone()
    return row[0] if row else None


#: What became of a link: stored as a new article, found to be an article
#: already stored (by its address or its text), or refused for a reason
#: that asking again would not change (robots.txt, 404, no article text).
STORED, DUPLICATE, REFUSED = "stored", "duplicate", "refused"


def remember_link(db: Database, link: str, outcome: str, *, final_url: str | None = None,
                  article_id: int | None = None, reason: str | None = None) -> None:
    """Note what became of ``link`` (normalised by the caller), replacing
    what was noted before. Bookkeeping, not an analyst's change: no journal
    step (inside the caller's transaction when one is open, e.g. the step
    that stored the article, so that both are kept or neither)."""
    with db.atomic():
        db.execute("INSERT OR REPLACE INTO fetched_links (link, final_url, article_id, "
                   "outcome, reason, fetched_at) VALUES (?, ?, ?, ?, ?, ?)",
                   [link, final_url, article_id, outcome, reason, utc_now()])


def already_fetched(db: Database, link: str) -> bool:
    """Whether ``link`` was dealt with for good: refused, or stored (or a
    duplicate) as an article that still exists — deleting that article
    (which sets ``article_id`` to NULL) lets the link be fetched again."""
    row = db.execute("SELECT 1 FROM fetched_links WHERE link = ? AND "
                     "(outcome = ? OR article_id IS NOT NULL)", [link, REFUSED]).fetchone()
    return row is not None


def fetched_link(db: Database, link: str) -> dict | None:
    """What was noted about ``link``, or None."""
    rows = list(db.query("SELECT * FROM fetched_links WHERE link = ?", [link]))
    return rows[0] if rows else None
