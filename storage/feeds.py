"""News feeds the analyst follows: adding, listing, removing, and recording
each fetch's outcome. The fetching itself is :mod:`desktop.importers.web`."""

from __future__ import annotations

from sqlite_utils import Database

from storage.database import utc_now


class FeedError(ValueError):
    """A feed change was refused; the message is meant for the user."""


def web_address(url: str) -> str:
    """``url`` without blanks around it; :class:`FeedError` unless it is an
    http(s) address."""
    url = url.strip()
    if not url.lower().startswith(("http://", "https://")):
        raise FeedError(f"“{url}” is not a web address (http:// or https://).")
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
