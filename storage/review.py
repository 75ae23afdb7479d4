"""Each article's review status (new / in progress / done) and its memo."""

from __future__ import annotations

from sqlite_utils import Database

from storage import journal
#: The review statuses, in workflow order.
STATUSES = ("new", "in progress", "done")


class ReviewError(ValueError):
    """A review change was refused; the message is meant for the user."""


def review_status(db: Database, article_id: int) -> str:
    """An article's review status."""
    row = db.execute("SELECT review_status FROM articles WHERE id = ?",
                     [article_id]).fetchone()
    if row is None:
        raise ReviewError(f"There is no article {article_id}.")
    return row[0]


def set_review_status(db: Database, article_id: int, status: str) -> None:
    """Set an article's review status (one of :data:`STATUSES`)."""
    if status not in STATUSES:
        raise ReviewError(f"{status!r} is not a review status ({', '.join(STATUSES)}).")
    with journal.recorded(db, f"Mark article {status}"):
        if not db.execute("UPDATE articles SET review_status = ? WHERE id = ?",
                          [status, article_id]).rowcount:
            raise ReviewError(f"There is no article {article_id}.")


def review_progress(db: Database) -> dict[str, int]:
    """How many articles have each status, and ``total``."""
    counts = {status: 0 for status in STATUSES}
    counts.update(db.execute("SELECT review_status, count(*) FROM articles "
                             "GROUP BY review_status").fetchall())
    counts["total"] = sum(counts[s] for s in STATUSES)
    return counts


def memo(db: Database, article_id: int) -> str:
    """An article's memo (empty if none)."""
    row = db.execute("SELECT memo FROM articles WHERE id = ?", [article_id]).fetchone()
    return row[0] if row else ""


def set_memo(db: Database, article_id: int, text: str) -> None:
    """Replace an article's memo (one transaction)."""
    with journal.recorded(db, "Edit memo"):
        if not db.execute("UPDATE articles SET memo = ? WHERE id = ?",
                          [text, article_id]).rowcount:
            raise ReviewError(f"There is no article {article_id}.")
