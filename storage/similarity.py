"""Near-duplicate bookkeeping: fingerprint buckets, candidates, similar pairs.

Only SQL lives here; the fingerprints themselves (MinHash bands) are
computed by :mod:`desktop.near_duplicates`. A pair of similar articles is
stored once, lower id first, and read from both sides.
"""

from __future__ import annotations

from sqlite_utils import Database

from storage.database import utc_now


def unfingerprinted(db: Database, method: str) -> list[int]:
    """Ids of articles without a fingerprint made by ``method``, oldest first."""
    return [row[0] for row in db.execute(
        """SELECT a.id FROM articles a
           LEFT JOIN article_fingerprints f ON f.article_id = a.id AND f.method = ?
           WHERE f.article_id IS NULL ORDER BY a.id""", [method])]


def store_fingerprint(db: Database, article_id: int, method: str,
                      buckets: list[int]) -> None:
    """Replace an article's fingerprint; ``buckets[i]`` is band ``i``'s bucket.

    An empty list records that the article was looked at but is too short
    to fingerprint.
    """
    with db.atomic():
        db.execute("DELETE FROM fingerprint_bands WHERE article_id = ?", [article_id])
        db.execute(
            "INSERT INTO article_fingerprints (article_id, method, created_at) "
            "VALUES (?, ?, ?) ON CONFLICT(article_id) DO UPDATE SET "
            "method = excluded.method, created_at = excluded.created_at",
            [article_id, method, utc_now()])
        db.conn.executemany(
            "INSERT INTO fingerprint_bands (article_id, band, bucket) VALUES (?, ?, ?)",
            [(article_id, band, bucket) for band, bucket in enumerate(buckets)])


def candidates(db: Database, article_id: int, limit: int) -> list[tuple[int, int]]:
    """Articles sharing at least one bucket with ``article_id``'s fingerprint.

    Returns ``(other_id, shared_bands)``, most shared first, at most ``limit``.
    Uses the (band, bucket) index: the cost grows with the size of the
    buckets, not of the corpus.
    """
    return [tuple(row) for row in db.execute(
        """SELECT o.article_id, count(*) AS shared
           FROM fingerprint_bands mine
           JOIN fingerprint_bands o ON o.band = mine.band AND o.bucket = mine.bucket
           WHERE mine.article_id = ? AND o.article_id != mine.article_id
           GROUP BY o.article_id ORDER BY shared DESC, o.article_id LIMIT ?""",
        [article_id, limit])]


def texts(db: Database, article_ids: list[int]) -> dict[int, str]:
    """The stored text of each of ``article_ids``."""
    marks = ",".join("?" * len(article_ids))
    return dict(db.execute(f"SELECT id, text FROM articles WHERE id IN ({marks})",
                           list(article_ids)).fetchall()) if article_ids else {}


def link(db: Database, article_id: int, other_id: int, score: float, method: str) -> None:
    """Record that two articles are similar (idempotent; the newer score wins)."""
    if article_id == other_id:
        raise ValueError("an article is not similar to itself")
    low, high = sorted((article_id, other_id))
    with db.atomic():
        db.execute(
            "INSERT INTO similar_articles (article_id, other_id, score, method, created_at) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT(article_id, other_id) DO UPDATE SET "
            "score = excluded.score, method = excluded.method",
            [low, high, score, method, utc_now()])


def forget(db: Database, article_id: int) -> None:
    """Drop an article's fingerprint and similar-article links: its text has
    changed, so they no longer describe it (they are made again from the new
    text by :func:`desktop.near_duplicates.link_similar`)."""
    with db.atomic():
        db.execute("DELETE FROM fingerprint_bands WHERE article_id = ?", [article_id])
        db.execute("DELETE FROM article_fingerprints WHERE article_id = ?", [article_id])
        db.execute("DELETE FROM similar_articles WHERE article_id = ? OR other_id = ?",
                   [article_id, article_id])


def similar_to(db: Database, article_id: int) -> list[dict]:
    """Articles linked as similar to ``article_id``: id, title, source,
    published and score, most similar first."""
    return list(db.query(
        """SELECT a.id, a.title, a.source, a.published, s.score
           FROM similar_articles s
           JOIN articles a ON a.id = CASE WHEN s.article_id = :id
                                          THEN s.other_id ELSE s.article_id END
           WHERE s.article_id = :id OR s.other_id = :id
           ORDER BY s.score DESC, a.id""", {"id": article_id}))


def pair_count(db: Database) -> int:
    """How many similar pairs are recorded."""
    return db.execute("SELECT count(*) FROM similar_articles").fetchone()[0]
