"""The full-text indexes that triggers keep (FTS5, external content), and
filling them in one statement when many rows are inserted at once.

Each insert trigger below indexes one new row (migrations 0001 and later
create them); inserting tens of thousands of rows through them costs about
twice as much as inserting the rows alone and then indexing them all in
one ``INSERT … SELECT``. :func:`filled_after` does that inside the caller's
transaction: the table's insert triggers are set aside, the rows inserted,
the index filled with exactly the rows the triggers would have indexed
(their own condition), and the triggers put back — all or nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlite_utils import Database

#: Per table: (its insert trigger, the FTS table, the indexed columns, the
#: trigger's condition on the new row — "" for every row).
INSERT_TRIGGERS: dict[str, list[tuple[str, str, str, str]]] = {
    "articles": [("articles_fts_insert", "articles_fts", "title, text", ""),
                 ("memos_fts_insert", "memos_fts", "memo", "memo != ''")],
    "passages": [("passage_notes_fts_insert", "passage_notes_fts", "note", "note != ''")],
    "quotes": [("quotes_fts_insert", "quotes_fts", "text", "")],
}


@contextmanager
def filled_after(db: Database, table: str, first_id: int) -> Iterator[None]:
    """Rows of ``table`` with ids from ``first_id`` on, inserted inside the
    block, are indexed once at its end rather than one by one (inside an
    open transaction: the triggers are back before it commits)."""
    if not db.conn.in_transaction:
        raise RuntimeError("full_text.filled_after runs inside a transaction")
    saved = []
    for trigger, fts, columns, condition in INSERT_TRIGGERS.get(table, []):
        row = db.execute("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?",
                         [trigger]).fetchone()
        if row is not None:
            saved.append((row[0], fts, columns, condition))
            db.execute(f'DROP TRIGGER "{trigger}"')
    yield
    for statement, fts, columns, condition in saved:
        where = f" AND {condition}" if condition else ""
        db.execute(f'INSERT INTO "{fts}" (rowid, {columns}) SELECT id, {columns} '
                   f'FROM "{table}" WHERE id >= ?{where}', [first_id])
        db.execute(statement)
