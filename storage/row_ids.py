"""Row ids never given twice in a journaled table.

SQLite gives a new row the highest rowid + 1 (the tables have no
``AUTOINCREMENT``). Delete the newest passage, let anyone insert one (another
window, a ``dossier`` command, a hub pull), and both get the same id: the
journal then finds a stranger where the deleted row was, and the undo of the
delete is refused ("changed by someone else since") although nobody touched
it.

``row_id_floor`` keeps, per journaled table, the highest rowid ever deleted
while it was the table's highest (a trigger, so no delete can forget it).
Every insert into a journaled table takes :func:`next_id_sql` as its rowid:
one more than both that floor and the highest still there. Undo and redo
alone put a row back under its old id — the one the journal knows it by.

(Not ``AUTOINCREMENT``: adding it means rebuilding each table — the articles
with their texts — and migrations run with foreign keys on, where dropping
the old ``articles`` cascades into every passage.)
"""

from __future__ import annotations

from sqlite_utils import Database

#: The floors' table.
FLOOR = "row_id_floor"


def create_floor(db: Database) -> None:
    """The floors' table, each journaled table's floor set above every rowid
    its journal holds (rows deleted before: their undo must find their id
    free), and the triggers keeping them (called by migration 0035)."""
    db.execute(f"""CREATE TABLE {FLOOR} (
        tbl TEXT PRIMARY KEY,
        high INTEGER NOT NULL) WITHOUT ROWID""")
    db.execute(f"INSERT INTO {FLOOR} (tbl, high) "
               "SELECT tbl, max(row_id) FROM journal_changes GROUP BY tbl")
    for (table,) in db.execute("SELECT tbl FROM journal_tracked").fetchall():
        if table in db.table_names():
            keep_floor(db, table)


def keep_floor(db: Database, table: str) -> None:
    """(Re-)create the trigger raising ``table``'s floor when the row with its
    highest rowid is deleted (:func:`storage.journal.track` calls it for
    every journaled table once the floors exist). Other deletes cost one
    look-up of the highest rowid."""
    db.execute(f'DROP TRIGGER IF EXISTS "{table}_row_id_floor"')
    db.execute(f"""CREATE TRIGGER "{table}_row_id_floor" AFTER DELETE ON "{table}"
        WHEN old.rowid > ifnull((SELECT max(rowid) FROM "{table}"), 0) BEGIN
        INSERT INTO {FLOOR} (tbl, high) VALUES ('{table}', old.rowid)
        ON CONFLICT (tbl) DO UPDATE SET high = max(high, excluded.high); END""")


def has_floor(db: Database) -> bool:
    """Whether the database has the floors (not one of a schema before
    migration 0035, which a test making an older file writes in)."""
    known = db.__dict__.get("_row_id_floor")
    if known is None:
        known = db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' "
                           "AND name = ?", [FLOOR]).fetchone() is not None
        if known:      # a file gains the table, never loses it
            db._row_id_floor = known
    return known


def next_id_sql(db: Database, table: str) -> str:
    """An SQL expression giving ``table``'s next rowid (evaluated once per row
    inserted, also under ``executemany``); ``NULL`` — the next rowid as
    SQLite picks it — before migration 0035."""
    if not has_floor(db):
        return "NULL"
    return (f"(SELECT max(ifnull((SELECT max(rowid) FROM \"{table}\"), 0), "
            f"ifnull((SELECT high FROM {FLOOR} WHERE tbl = '{table}'), 0)) + 1)")


def next_id(db: Database, table: str) -> int:
    """``table``'s next rowid, for an insert that gives its ids itself (in the
    transaction of that insert)."""
    if not has_floor(db):
        return db.execute(f'SELECT ifnull(max(rowid), 0) + 1 FROM "{table}"').fetchone()[0]
    return db.execute("SELECT " + next_id_sql(db, table)).fetchone()[0]


def insert_sql(db: Database, table: str, columns, verb: str = "INSERT") -> str:
    """``INSERT INTO table (rowid, columns…) VALUES (next id, ?, …)``: one row
    of ``columns`` (given as parameters) under :func:`next_id_sql`; ``verb``
    may be ``INSERT OR IGNORE``."""
    names = ", ".join(f'"{c}"' for c in columns)
    marks = ", ".join("?" for _ in columns)
    return (f'{verb} INTO "{table}" (rowid, {names}) '
            f"VALUES ({next_id_sql(db, table)}, {marks})")
