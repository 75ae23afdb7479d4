"""Near-duplicate bookkeeping: signatures, LSH buckets, candidates, similar pairs.

Only SQL lives here; the fingerprints themselves (a signature of token
hashes, MinHash bands) are computed by :mod:`desktop.near_duplicates`. A
pair of similar articles is stored once, lower id first, and read from
both sides. Nothing here opens a transaction of its own except where
said: a batch import stores hundreds of articles in one.
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
                      signature: bytes | None, buckets: list[int], *,
                      new: bool = False) -> None:
    """Replace an article's fingerprint: its ``signature`` (None: too short
    to fingerprint, recorded as looked at) and ``buckets[i]``, band ``i``'s
    LSH bucket. ``new``: the article was stored in this transaction, so it
    has no fingerprint to drop. Runs in the caller's transaction.

    The buckets are kept in the fingerprint's row too (a JSON list), which
    is how a dropped fingerprint finds its ``lsh_buckets`` rows (a trigger):
    an index by article there cost a fifth of a batch import's bucket
    inserts."""
    execute = db.conn.execute
    if not new:
        execute("DELETE FROM article_fingerprints WHERE article_id = ?", [article_id])
    execute("INSERT INTO article_fingerprints "
            "(article_id, method, created_at, signature, buckets) VALUES (?, ?, ?, ?, ?)",
            [article_id, method, utc_now(), signature,
             "[" + ",".join(map(str, buckets)) + "]"])
    db.conn.executemany(
        "INSERT INTO lsh_buckets (band, bucket, article_id) VALUES (?, ?, ?)",
        [(band, bucket, article_id) for band, bucket in enumerate(buckets)])


_MEMBERS_SQL: dict[tuple[int, str], str] = {}


def _members_of(db: Database, buckets: list[int], cap: int, condition: str,
                value: int) -> list[tuple[int, int]]:
    """``(band, article_id)`` of the articles in each of ``buckets`` (band
    ``i``'s is ``buckets[i]``) meeting ``article_id {condition} value``, at
    most ``cap`` a bucket, the newest first. One statement of lookups in the
    ``lsh_buckets`` key, each stopping after ``cap`` rows: the cost is
    bounded however large a bucket grows (thousands of wire copies share
    all of theirs)."""
    if not buckets:
        return []
    sql = _MEMBERS_SQL.get((len(buckets), condition))
    if sql is None:
        part = ("SELECT * FROM (SELECT {band}, article_id FROM lsh_buckets "
                f"WHERE band = {{band}} AND bucket = ? AND article_id {condition} ? "
                "ORDER BY article_id DESC LIMIT ?)")
        sql = _MEMBERS_SQL[(len(buckets), condition)] = " UNION ALL ".join(
            part.format(band=band) for band in range(len(buckets)))
    params = []
    for bucket in buckets:
        params += (bucket, value, cap)
    return db.conn.execute(sql, params).fetchall()


def bucket_members(db: Database, buckets: list[int], cap: int, *,
                   exclude: int) -> list[int]:
    """The articles in each of ``buckets`` (band ``i``'s is ``buckets[i]``),
    at most ``cap`` a bucket, the newest first, ``exclude`` left out; an
    article appears once per bucket it shares."""
    return [article for _, article in _members_of(db, buckets, cap, "!=", exclude)]


def earlier_bucket_members(db: Database, buckets: list[int], cap: int, *,
                           below: int) -> list[tuple[int, int]]:
    """``(band, article_id)`` of the articles with an id under ``below`` in
    each of ``buckets``, at most ``cap`` a bucket, the newest first:
    :func:`bucket_members` for a batch import's second process, which knows
    the newest rows of its own run itself and asks the file for the rest."""
    return _members_of(db, buckets, cap, "<", below)


def existing_articles(db: Database, article_ids: list[int]) -> set[int]:
    """Those of ``article_ids`` that are stored."""
    if not article_ids:
        return set()
    marks = ",".join("?" * len(article_ids))
    return {row[0] for row in db.conn.execute(
        f"SELECT id FROM articles WHERE id IN ({marks})", list(article_ids))}


def has_buckets(db: Database) -> bool:
    """Whether any article has LSH buckets stored."""
    return db.execute("SELECT 1 FROM lsh_buckets LIMIT 1").fetchone() is not None


def next_article_id(db: Database) -> int:
    """One more than the highest article id stored (1 for none): the
    articles a batch import stores get ids from here on."""
    return db.execute("SELECT ifnull(max(id), 0) + 1 FROM articles").fetchone()[0]


def signatures(db: Database, article_ids: list[int], method: str) -> dict[int, bytes]:
    """The stored signature of each of ``article_ids`` made by ``method``
    (articles without one are left out)."""
    if not article_ids:
        return {}
    marks = ",".join("?" * len(article_ids))
    return dict(db.conn.execute(
        f"SELECT article_id, signature FROM article_fingerprints "
        f"WHERE article_id IN ({marks}) AND method = ? AND signature IS NOT NULL",
        [*article_ids, method]).fetchall())


def link_many(db: Database, article_id: int, links: list[tuple[int, float]],
              method: str) -> None:
    """Record ``(other_id, score)`` pairs as similar to ``article_id`` (see
    :func:`link`), in the caller's transaction."""
    now = utc_now()
    rows = []
    for other_id, score in links:
        if other_id == article_id:
            raise ValueError("an article is not similar to itself")
        low, high = sorted((article_id, other_id))
        rows.append((low, high, score, method, now))
    db.conn.executemany(
        "INSERT INTO similar_articles (article_id, other_id, score, method, created_at) "
        "VALUES (?, ?, ?, ?, ?) ON CONFLICT(article_id, other_id) DO UPDATE SET "
        "score = excluded.score, method = excluded.method", rows)


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
        # (its buckets go with it: a trigger)
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
