"""Snapshots of stored rows, and putting them back: the storage side of undo.

An undoable change takes a snapshot of the rows it is about to touch, makes
the change with the ordinary storage functions, and on undo writes the
snapshot back — the same rows with the same ids and timestamps, so that the
database is exactly as it was. Every restore is one transaction.
"""

from __future__ import annotations

from sqlite_utils import Database

from storage import similarity

#: Every column of a passage row, in table order.
PASSAGE_COLUMNS = ("id", "article_id", "tag_id", "start", "end", "text", "prefix",
                   "suffix", "note", "analyst", "created_at", "updated_at", "anchor")

#: Every column of a tag row.
TAG_COLUMNS = ("id", "name", "color", "shortcut", "description", "created_at",
               "parent_id")

#: The article columns an analyst may change (besides the text).
ARTICLE_DETAIL_COLUMNS = ("title", "source", "author", "published", "url")

#: The passage columns that re-anchoring changes when an article's text changes.
ANCHOR_COLUMNS = ("id", "start", "end", "prefix", "suffix", "anchor", "updated_at")


def _columns_sql(columns) -> str:
    return ", ".join(f'"{c}"' for c in columns)


def _upsert(db: Database, table: str, columns: tuple[str, ...], row: dict) -> None:
    names = _columns_sql(columns)
    marks = ", ".join("?" for _ in columns)
    updates = ", ".join(f'"{c}" = excluded."{c}"' for c in columns if c != "id")
    db.execute(f"INSERT INTO {table} ({names}) VALUES ({marks}) "
               f"ON CONFLICT(id) DO UPDATE SET {updates}", [row[c] for c in columns])


# -- passages -----------------------------------------------------------
#: Ids per ``IN (…)`` list: SQLite caps the parameters of one statement.
IDS_PER_QUERY = 5000


def passage_rows(db: Database, passage_ids) -> list[dict]:
    """Full rows of the given passages (those that exist), by id."""
    ids = sorted(set(passage_ids))
    rows: list[dict] = []
    for first in range(0, len(ids), IDS_PER_QUERY):
        chunk = ids[first:first + IDS_PER_QUERY]
        marks = ", ".join("?" for _ in chunk)
        rows += db.query(f"SELECT {_columns_sql(PASSAGE_COLUMNS)} FROM passages "
                         f"WHERE id IN ({marks}) ORDER BY id", chunk)
    return rows


def tag_passage_rows(db: Database, tag_id: int) -> list[dict]:
    """Full rows of every passage of one tag."""
    return list(db.query(f"SELECT {_columns_sql(PASSAGE_COLUMNS)} FROM passages "
                         "WHERE tag_id = ? ORDER BY id", [tag_id]))


def restore_passages(db: Database, rows: list[dict]) -> None:
    """Write passage rows back exactly: re-inserted if deleted, else overwritten."""
    with db.atomic():
        for row in rows:
            _upsert(db, "passages", PASSAGE_COLUMNS, row)


def remove_passages(db: Database, passage_ids) -> None:
    """Delete passages by id (one transaction; thousands at a time for an
    auto-tag's undo, so a few statements rather than one per passage)."""
    ids = list(passage_ids)
    with db.atomic():
        for first in range(0, len(ids), IDS_PER_QUERY):
            chunk = ids[first:first + IDS_PER_QUERY]
            db.execute(f"DELETE FROM passages WHERE id IN ({', '.join('?' for _ in chunk)})",
                       chunk)


# -- tags ---------------------------------------------------------------
def tag_row(db: Database, tag_id: int) -> dict | None:
    """The full row of one tag, or None."""
    rows = list(db.query(f"SELECT {_columns_sql(TAG_COLUMNS)} FROM tags WHERE id = ?",
                         [tag_id]))
    return rows[0] if rows else None


def tag_rows(db: Database, tag_ids) -> list[dict]:
    """Full rows of the given tags (those that exist), in the order given."""
    rows = [tag_row(db, tag_id) for tag_id in tag_ids]
    return [row for row in rows if row]


def child_tag_ids(db: Database, tag_ids) -> list[int]:
    """Ids of the tags whose parent is one of ``tag_ids``."""
    ids = list(tag_ids)
    if not ids:
        return []
    marks = ", ".join("?" for _ in ids)
    return [r[0] for r in db.execute(
        f"SELECT id FROM tags WHERE parent_id IN ({marks}) ORDER BY id", ids)]


def restore_tag(db: Database, row: dict, passages: list[dict] = ()) -> None:
    """Put a tag row back (re-created if deleted), then its passage rows."""
    with db.atomic():
        _upsert(db, "tags", TAG_COLUMNS, row)
        for passage in passages:
            _upsert(db, "passages", PASSAGE_COLUMNS, passage)


def restore_tags(db: Database, rows: list[dict], passages: list[dict] = ()) -> None:
    """Put several tag rows (and then passage rows) back, in one transaction."""
    with db.atomic():
        for row in rows:
            _upsert(db, "tags", TAG_COLUMNS, row)
        for passage in passages:
            _upsert(db, "passages", PASSAGE_COLUMNS, passage)


def remove_tag(db: Database, tag_id: int) -> None:
    """Delete a tag that has no passages (the database refuses otherwise)."""
    with db.atomic():
        db.execute("DELETE FROM tags WHERE id = ?", [tag_id])


# -- articles -----------------------------------------------------------
def article_details(db: Database, article_id: int) -> dict:
    """The editable details of an article, exactly as stored."""
    row = db.execute(f"SELECT {_columns_sql(ARTICLE_DETAIL_COLUMNS)} FROM articles "
                     "WHERE id = ?", [article_id]).fetchone()
    if row is None:
        raise ValueError(f"There is no article {article_id}.")
    return dict(zip(ARTICLE_DETAIL_COLUMNS, row))


def restore_article_details(db: Database, article_id: int, details: dict) -> None:
    """Write an article's details back exactly (NULLs included)."""
    columns = [c for c in ARTICLE_DETAIL_COLUMNS if c in details]
    with db.atomic():
        db.execute("UPDATE articles SET " + ", ".join(f'"{c}" = ?' for c in columns)
                   + " WHERE id = ?", [details[c] for c in columns] + [article_id])


def article_text_state(db: Database, article_id: int) -> dict:
    """An article's text and hash with its passages' anchoring columns."""
    row = db.execute("SELECT text, text_hash FROM articles WHERE id = ?",
                     [article_id]).fetchone()
    if row is None:
        raise ValueError(f"There is no article {article_id}.")
    anchors = list(db.query(f"SELECT {_columns_sql(ANCHOR_COLUMNS)} FROM passages "
                            "WHERE article_id = ? ORDER BY id", [article_id]))
    return {"text": row[0], "text_hash": row[1], "passages": anchors}


def restore_article_text_state(db: Database, article_id: int, state: dict) -> None:
    """Put back an article's text and where each of its passages sat, at once."""
    with db.atomic():
        db.execute("UPDATE articles SET text = ?, text_hash = ? WHERE id = ?",
                   [state["text"], state["text_hash"], article_id])
        similarity.forget(db, article_id)
        for passage in state["passages"]:
            db.execute("UPDATE passages SET " + ", ".join(
                f'"{c}" = ?' for c in ANCHOR_COLUMNS if c != "id") + " WHERE id = ?",
                [passage[c] for c in ANCHOR_COLUMNS if c != "id"] + [passage["id"]])


# -- entity corrections ---------------------------------------------------
#: The columns of the two tables of entity corrections.
ENTITY_CANON_COLUMNS = ("id", "name", "label", "created_at")
ENTITY_ALIAS_COLUMNS = ("key", "label", "name", "canon_id")


def entity_corrections(db: Database) -> dict:
    """Every canonical entity and alias row (the analyst's few, not the corpus)."""
    return {"canon": list(db.query(f"SELECT {_columns_sql(ENTITY_CANON_COLUMNS)} "
                                   "FROM entity_canon ORDER BY id")),
            "aliases": list(db.query(f"SELECT {_columns_sql(ENTITY_ALIAS_COLUMNS)} "
                                     "FROM entity_aliases ORDER BY key, label"))}


def restore_entity_corrections(db: Database, state: dict) -> None:
    """Put the entity corrections back exactly as in ``state`` (one transaction)."""
    with db.atomic():
        db.execute("DELETE FROM entity_aliases")
        db.execute("DELETE FROM entity_canon")
        for table, columns, rows in (("entity_canon", ENTITY_CANON_COLUMNS, state["canon"]),
                                     ("entity_aliases", ENTITY_ALIAS_COLUMNS,
                                      state["aliases"])):
            marks = ", ".join("?" for _ in columns)
            for row in rows:
                db.execute(f"INSERT INTO {table} ({_columns_sql(columns)}) VALUES ({marks})",
                           [row[c] for c in columns])


# -- articles -------------------------------------------------------------
def article_rows(db: Database, article_ids) -> list[dict]:
    """Full rows of the given articles (text, memo and review status
    included), by id."""
    ids = sorted(set(article_ids))
    marks = ", ".join("?" for _ in ids)
    return list(db.query(f"SELECT * FROM articles WHERE id IN ({marks}) ORDER BY id", ids))


def article_passage_rows(db: Database, article_ids) -> list[dict]:
    """Full rows of every passage of the given articles."""
    ids = sorted(set(article_ids))
    marks = ", ".join("?" for _ in ids)
    return list(db.query(f"SELECT {_columns_sql(PASSAGE_COLUMNS)} FROM passages "
                         f"WHERE article_id IN ({marks}) ORDER BY id", ids))


def restore_articles(db: Database, rows: list[dict], passages: list[dict]) -> None:
    """Put deleted articles back with their passages (one transaction). Their
    passage counts are refilled by the triggers as the passages go back; the
    analyses and similarity links, deleted with them, are made again by the
    next analysis run and import."""
    with db.atomic():
        for row in rows:
            db.table("articles").insert({**row, "passage_count": 0})
        for row in passages:
            _upsert(db, "passages", PASSAGE_COLUMNS, row)
