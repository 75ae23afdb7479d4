"""Each article's review status (new / in progress / done) and its memo."""

from __future__ import annotations

from sqlite_utils import Database

from storage import journal
from storage.anchoring import merge_edits

#: The review statuses, in workflow order.
STATUSES = ("new", "in progress", "done")


class ReviewError(ValueError):
    """A review change was refused; the message is meant for the user."""


class MemoChangedMeanwhile(ReviewError):
    """A memo save was refused: the memo it was typed on was changed
    elsewhere meanwhile (another window, a colleague through the hub) at the
    same place, so :func:`merge_edits` could not keep both. ``stored`` is
    the memo as it is now; nothing was changed."""

    def __init__(self, message: str, stored: str):
        super().__init__(message)
        self.stored = stored


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


def set_memo(db: Database, article_id: int, text: str, *,
             typed_on: str | None = None) -> str:
    """Replace an article's memo (one transaction); returns the memo stored.

    ``typed_on``: the memo ``text`` was typed on. If the stored memo is no
    longer it (changed elsewhere meanwhile — the saves of a memo being typed
    are seconds apart, and a colleague's may come between), both changes are
    kept where they lie apart (the memo stored is then neither ``text`` nor
    the other), else :class:`MemoChangedMeanwhile` is raised and nothing
    changes: saving ``text`` as it is would silently drop the other's words.
    """
    with journal.recorded(db, "Edit memo"):
        row = db.execute("SELECT memo FROM articles WHERE id = ?", [article_id]).fetchone()
        if row is None:
            raise ReviewError(f"There is no article {article_id}.")
        stored = row[0] or ""
        if typed_on is not None and stored != typed_on:
            merged = merge_edits(typed_on, text, stored)
            if merged is None:
                raise MemoChangedMeanwhile(
                    "The memo was changed elsewhere while you typed it — in another window "
                    "or by a colleague — at the place you changed.", stored)
            text = merged
        db.execute("UPDATE articles SET memo = ? WHERE id = ?", [text, article_id])
    return text
