"""The change journal: every analyst-facing change as one named step, with
undo, redo and "what changed" read from it.

How it works (sqlite.org's "Automatic Undo/Redo Using SQLite", Anki's
``transact``):

- A *step* is one transaction: ``with journal.step(db, "Rename tag “Drugs”",
  analyst=…) as step:``. It begins with ``BEGIN IMMEDIATE``, writes a row to
  ``journal_steps`` and marks itself open in ``journal_open``.
- Triggers on every journaled table (:data:`TRACKED`, and any table a later
  migration passes to :func:`track`) record, for each row the step touches,
  its state *before* the step's first change to it. A write to a journaled
  table while no step is open is refused by the trigger itself, so no write
  can forget to record itself.
- When the step ends, each touched row's state *after* is read once; rows
  whose state did not change are dropped. A step is thus the exact net set
  of rows it changed, each with its before and after (JSON objects of the
  row's journaled columns; NULL where the row did not exist).
- :func:`undo` replays a step backwards in a new step (kind ``undo``) and
  :func:`redo` forwards (kind ``redo``): each row must still hold what the
  step left there, or nothing changes and :class:`JournalConflict` names the
  step and the row. The undo or redo itself may change exactly the step's
  rows and no other (a cascade into another analyst's rows is a conflict
  too). Cost: proportional to the rows the step changed.
- :func:`step_changes` turns a step's rows into :class:`storage.changes.Changes`
  for the window; :func:`steps_since` reads the steps other processes
  committed, so a window learns exactly what they changed.

Each step carries a stable ``uuid``, and each journaled row a ``uuid``
column (where the table has an ``id``), so that steps can leave the machine
(a team hub syncs this journal).
"""

from __future__ import annotations

import json
import sqlite3
import uuid as uuid_module
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from sqlite_utils import Database

from storage import changes as kinds
from storage import row_ids
from storage.changes import Changes
from storage.database import utc_now, write_transaction
from storage.new_ids import new_uuid

#: Tables whose rows analysts change, and the columns left out of their
#: journal (derived ones, kept by triggers from other tables).
TRACKED: dict[str, tuple[str, ...]] = {
    "articles": ("passage_count",),
    "tags": ("passage_count",),
    "passages": (),
    "entity_canon": (),
    "entity_aliases": (),
}

#: The kind of each step: made by the analyst, an undo of one, a redo of one,
#: or pulled from a team hub.
DO, UNDO, REDO, PULLED = "do", "undo", "redo", "pulled"
#: The state of a ``do`` step: in effect, undone, or undone and no longer
#: redoable (a newer step from the same origin came after its undo).
DONE, UNDONE, DROPPED = "done", "undone", "dropped"

#: An SQL expression giving a random version-4 UUID string.
UUID_SQL = ("lower(hex(randomblob(4))) || '-' || lower(hex(randomblob(2))) || '-4' || "
            "substr(lower(hex(randomblob(2))), 2) || '-' || "
            "substr('89ab', 1 + (abs(random()) % 4), 1) || "
            "substr(lower(hex(randomblob(2))), 2) || '-' || lower(hex(randomblob(6)))")


class JournalError(Exception):
    """A journal operation cannot proceed; the message is meant for the user."""


class NothingToUndo(JournalError):
    """There is no step to undo (or redo)."""


class ForeignStep(JournalError):
    """An undo or redo by step id named a step of another origin than the
    caller's (:func:`owns`): refused, nothing changed."""


class JournalConflict(JournalError):
    """An undo or redo was refused: a row no longer holds what the step left
    there (someone else changed it since). Nothing was changed. The message
    names the change (``name``) and says why (``reason``)."""

    def __init__(self, verb: str, name: str, reason: str):
        super().__init__(f"Cannot {verb} “{name}”: {reason} Nothing was changed.")
        self.reason = reason


@dataclass
class Step:
    """An open (then committed) journal step; :attr:`changes` is filled when
    the step ends."""

    id: int
    uuid: str
    name: str
    analyst: str
    origin: str
    kind: str = DO
    changes: Changes = field(default_factory=Changes)


# -- schema ---------------------------------------------------------------
def create_journal(db: Database) -> None:
    """The journal's tables (called by migration 0011)."""
    db.execute("""CREATE TABLE journal_steps (
        id INTEGER PRIMARY KEY,
        uuid TEXT NOT NULL UNIQUE,
        name TEXT NOT NULL,
        analyst TEXT NOT NULL DEFAULT '',
        origin TEXT NOT NULL DEFAULT '',
        kind TEXT NOT NULL DEFAULT 'do',
        state TEXT NOT NULL DEFAULT 'done',
        target_id INTEGER REFERENCES journal_steps(id),
        merge_key TEXT,
        created_at TEXT NOT NULL,
        pushed_at TEXT)""")
    db.execute("CREATE INDEX journal_steps_by_origin ON journal_steps (origin, kind, state)")
    db.execute("CREATE INDEX journal_steps_by_target ON journal_steps (target_id)")
    db.execute("""CREATE TABLE journal_changes (
        id INTEGER PRIMARY KEY,
        step_id INTEGER NOT NULL REFERENCES journal_steps(id) ON DELETE CASCADE,
        tbl TEXT NOT NULL,
        row_id INTEGER NOT NULL,
        before TEXT,
        after TEXT,
        UNIQUE (step_id, tbl, row_id))""")
    # One row while a step is open (inside its transaction only): the
    # triggers read the step id from it, and refuse a write without it.
    db.execute("""CREATE TABLE journal_open (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        step_id INTEGER NOT NULL)""")
    db.execute("""CREATE TABLE journal_tracked (
        tbl TEXT PRIMARY KEY,
        columns TEXT NOT NULL)""")


def create_last_step(db: Database) -> None:
    """``journal_last_step``: the highest id of a step deleted (kept by a
    trigger on ``journal_steps``; called by migration 0032). New steps take
    the id after both it and the highest id still there
    (:data:`NEXT_STEP_ID_SQL`), so that an id is never given twice — not
    even that of a step deleted because it changed nothing. Kept at each
    delete, not at each insert: a tag save writes no page more for it."""
    db.execute("""CREATE TABLE journal_last_step (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        step_id INTEGER NOT NULL)""")
    db.execute("INSERT INTO journal_last_step (id, step_id) "
               "SELECT 1, ifnull(max(id), 0) FROM journal_steps")
    db.execute("""CREATE TRIGGER journal_last_step_kept AFTER DELETE ON journal_steps
        BEGIN UPDATE journal_last_step SET step_id = old.id WHERE step_id < old.id; END""")


#: The id of the next step: one more than any ever given (a plain rowid
#: would be one more than the highest still there).
NEXT_STEP_ID_SQL = ("(SELECT max(step_id, ifnull((SELECT max(id) FROM journal_steps), 0)) + 1 "
                    "FROM journal_last_step)")


def _next_step_id_sql(db: Database) -> str:
    """:data:`NEXT_STEP_ID_SQL`, or ``NULL`` (the next rowid) in a database
    built before migration 0032 (a test making an older schema writes steps
    in it before it is brought up to date)."""
    if not getattr(db, "_journal_last_step", False):
        if db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' "
                      "AND name = 'journal_last_step'").fetchone() is None:
            return "NULL"
        db._journal_last_step = True
    return NEXT_STEP_ID_SQL


def _table_columns(db: Database, table: str) -> list[str]:
    return [row[1] for row in db.execute(f'PRAGMA table_info("{table}")')]


def _row_json_sql(columns, alias: str) -> str:
    """``json_object('c', alias.c, …)``: one row's journaled state."""
    return "json_object(" + ", ".join(f"'{c}', {alias}.\"{c}\"" for c in columns) + ")"


def track(db: Database, table: str, exclude=()) -> None:
    """Journal ``table``: record every change to its rows in the open step
    (and refuse changes outside one). Call it from the migration that
    creates an analyst-editable table; calling it again (after a column was
    added) re-creates the triggers with the table's current columns. A table
    with an ``id`` gets a ``uuid`` column, filled for new rows."""
    columns = _table_columns(db, table)
    if "id" in columns and "uuid" not in columns:
        db.execute(f'ALTER TABLE "{table}" ADD COLUMN uuid TEXT')
        db.execute(f'UPDATE "{table}" SET uuid = {UUID_SQL}')
        db.execute(f'CREATE UNIQUE INDEX "{table}_by_uuid" ON "{table}" (uuid)')
        columns.append("uuid")
    if "uuid" in columns:
        db.execute(f'DROP TRIGGER IF EXISTS "{table}_uuid"')
        db.execute(f"""CREATE TRIGGER "{table}_uuid" AFTER INSERT ON "{table}"
            WHEN new.uuid IS NULL BEGIN
            UPDATE "{table}" SET uuid = {UUID_SQL} WHERE rowid = new.rowid; END""")
    journaled = [c for c in columns if c not in set(exclude)]
    refuse = (f"SELECT RAISE(ABORT, 'Dossier: a change to {table} outside a journal step') "
              "WHERE NOT EXISTS (SELECT 1 FROM journal_open);")
    # step 0: an unrecorded change (a migration filling a column, see
    # :func:`unrecorded`) is allowed but not journaled
    record = ("INSERT OR IGNORE INTO journal_changes (step_id, tbl, row_id, before) "
              f"SELECT step_id, '{table}', {{rowid}}, {{before}} FROM journal_open "
              "WHERE step_id > 0;")
    for event in ("insert", "update", "delete"):
        db.execute(f'DROP TRIGGER IF EXISTS "journal_{table}_{event}"')
    db.execute(f"""CREATE TRIGGER "journal_{table}_insert" AFTER INSERT ON "{table}" BEGIN
        {refuse} {record.format(rowid="new.rowid", before="NULL")} END""")
    of = ", ".join(f'"{c}"' for c in journaled)
    db.execute(f"""CREATE TRIGGER "journal_{table}_update" AFTER UPDATE OF {of} ON "{table}"
        BEGIN {refuse} {record.format(rowid="old.rowid",
                                      before=_row_json_sql(journaled, "old"))} END""")
    db.execute(f"""CREATE TRIGGER "journal_{table}_delete" AFTER DELETE ON "{table}" BEGIN
        {refuse} {record.format(rowid="old.rowid",
                                before=_row_json_sql(journaled, "old"))} END""")
    db.execute("INSERT INTO journal_tracked (tbl, columns) VALUES (?, ?) "
               "ON CONFLICT(tbl) DO UPDATE SET columns = excluded.columns",
               [table, json.dumps(journaled)])
    if row_ids.has_floor(db):
        row_ids.keep_floor(db, table)
    for cached in ("_journal_columns", "_journal_after_sql"):
        db.__dict__.pop(cached, None)


def retrack_all(db: Database) -> None:
    """Re-create the triggers of every journaled table with its current
    columns (after migrations, which may have added columns)."""
    for table, columns in db.execute("SELECT tbl, columns FROM journal_tracked").fetchall():
        if table not in db.table_names():
            continue
        excluded = [c for c in _table_columns(db, table) if c not in json.loads(columns)]
        keep_excluded = TRACKED.get(table, tuple(excluded))
        track(db, table, exclude=keep_excluded)


def _tracked_columns(db: Database) -> dict[str, list[str]]:
    cache = getattr(db, "_journal_columns", None)
    if cache is None:
        cache = {t: json.loads(c) for t, c in
                 db.execute("SELECT tbl, columns FROM journal_tracked").fetchall()}
        db._journal_columns = cache
    return cache


# -- steps ----------------------------------------------------------------
def new_origin(kind: str = "") -> str:
    """A fresh origin id: one per window or command, so each has its own
    undo; ``kind`` (:data:`IMPORT_RUN`) starts it."""
    return kind + str(uuid_module.uuid4())


#: The start of the origin of one ``dossier import`` run: its steps (a file,
#: a chunk of rows) are one change to undo and redo (:func:`run_of`).
IMPORT_RUN = "import:"
#: The start of the origin of the undo steps that took a run back together:
#: redo puts back what they undid, no more (:func:`undone_run`).
RUN_UNDONE = "run-undo:"


def own_import_run(origin: str) -> str:
    """A fresh origin for one import run of the window (or command) whose
    origin is ``origin``: its steps (a file, a chunk of rows) are one run that
    ``dossier undo`` takes back whole (:func:`run_of`) — after the window was
    killed mid-import too — and still that window's own
    (:func:`changes_since` and :func:`steps_since` leave them out with it)."""
    return f"{IMPORT_RUN}{origin}/{uuid_module.uuid4()}"


def _own_runs(origin: str) -> str:
    """The LIKE pattern of :func:`own_import_run`'s origins for ``origin``."""
    return f"{IMPORT_RUN}{origin}/%" if origin else ""


def step_names(db: Database, step_ids: list[int]) -> list[str]:
    """The names of these steps, in the order given."""
    names = dict(db.execute(
        "SELECT id, name FROM journal_steps WHERE id IN (SELECT value FROM json_each(?))",
        [json.dumps(step_ids)]).fetchall())
    return [names[step_id] for step_id in step_ids if step_id in names]


def run_of(db: Database, target: dict | None) -> list[int]:
    """The steps of ``target``'s import run (its origin starts with
    :data:`IMPORT_RUN`) still in effect, oldest first — to undo together,
    the undo steps of origin ``new_origin(RUN_UNDONE)``; ``[]`` for any
    other step."""
    if target is None or not target["origin"].startswith(IMPORT_RUN):
        return []
    return [row[0] for row in db.execute(
        "SELECT id FROM journal_steps INDEXED BY journal_steps_by_origin "
        "WHERE origin = ? AND kind = ? AND state = ? ORDER BY id",
        [target["origin"], DO, DONE])]


def undone_run(db: Database) -> list[int]:
    """What :func:`redo` would take, when the newest undo took back a run
    (its origin starts with :data:`RUN_UNDONE`): every step that undo took
    back and that is still undone, oldest first; ``[]`` otherwise. A step
    of the run undone on its own before (``dossier undo --step``) stays
    undone."""
    newest = redoable(db)
    if newest is None or not newest["undone_by"].startswith(RUN_UNDONE):
        return []
    return [row[0] for row in db.execute(
        "SELECT t.id FROM journal_steps s JOIN journal_steps t ON t.id = s.target_id "
        "WHERE s.origin = ? AND s.kind = ? AND s.state = ? AND t.state = ? ORDER BY t.id",
        [newest["undone_by"], UNDO, DONE, UNDONE])]


def ready(db: Database) -> bool:
    """Whether the database has the journal (migration 0011 applied)."""
    if getattr(db, "_journal_ready", False):
        return True
    ready = db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' "
                       "AND name = 'journal_open'").fetchone() is not None
    if ready:
        db._journal_ready = True
    return ready


def _open_step(db: Database) -> Step | None:
    return getattr(db, "_journal_step", None)


def _mergeable(db: Database, origin: str, merge_key: str | None) -> int | None:
    """The step a new one with ``merge_key`` continues: the newest step of the
    journal if it is this origin's, done, with the same key."""
    if not merge_key:
        return None
    row = db.execute("SELECT id, origin, merge_key, state, kind FROM journal_steps "
                     "ORDER BY id DESC LIMIT 1").fetchone()
    if row and row[1] == origin and row[2] == merge_key and row[3] == DONE and row[4] == DO:
        return row[0]
    return None


@contextmanager
def step(db: Database, name: str, *, analyst: str = "", origin: str = "",
         kind: str = DO, target_id: int | None = None,
         merge_key: str | None = None, step_uuid: str | None = None) -> Iterator[Step]:
    """One named, undoable change in one transaction.

    Everything written inside is recorded; when the block ends, the step's
    net changes are computed and available as ``step.changes``. If an
    exception leaves the block, nothing is written (the step included).
    Nested inside another open step (on this connection), it joins that step.
    ``merge_key``: consecutive steps of one origin with the same key are one
    step (a stretch of memo typing is one undo).
    """
    outer = _open_step(db)
    if outer is not None:
        with db.atomic():
            yield outer
        return
    if not ready(db):
        # a database still at an older schema (mid-migration, or a test
        # building one): it has no journal and no triggers yet
        with db.atomic():
            yield Step(0, "", name, analyst, origin, kind)
        return
    with write_transaction(db):
        reused = _mergeable(db, origin, merge_key) if kind == DO else None
        if reused is not None:
            step_id = reused
            step_uuid = db.execute("SELECT uuid FROM journal_steps WHERE id = ?",
                                   [step_id]).fetchone()[0]
        else:
            step_uuid = step_uuid or new_uuid()
            step_id = db.execute(
                "INSERT INTO journal_steps (id, uuid, name, analyst, origin, kind, target_id, "
                f"merge_key, created_at) VALUES ({_next_step_id_sql(db)}, ?, ?, ?, ?, ?, ?, ?, ?)",
                [step_uuid, name, analyst or "", origin or "", kind, target_id, merge_key,
                 utc_now()]).lastrowid
        # (a row left by a transaction that committed inside a step is stale:
        # this step holds the write lock now)
        db.execute("INSERT OR REPLACE INTO journal_open (id, step_id) VALUES (1, ?)",
                   [step_id])
        current = Step(step_id, step_uuid, name, analyst, origin, kind)
        db._journal_step = current
        try:
            yield current
            tables = _close(db, current)
            if kind == DO and origin and reused is None and tables:
                # a new step ends what could be redone from this origin (one
                # that changed nothing — a merge of a file holding nothing
                # new — is gone, and ends nothing)
                db.execute("UPDATE journal_steps INDEXED BY journal_steps_by_origin "
                           "SET state = ? WHERE origin = ? AND kind = ? AND state = ?",
                           [DROPPED, origin, DO, UNDONE])
        finally:
            db._journal_step = None
    current.changes = step_changes(db, current.id, name=name, tables=tables)


@contextmanager
def recorded(db: Database, name: str, **options) -> Iterator[Database]:
    """For storage functions that write: inside an open step, a savepoint of
    it; otherwise a step of its own named ``name``. Either way one
    transaction, journaled."""
    with step(db, name, **options):
        yield db


def _touched_tables(db: Database, step_id: int) -> list[str]:
    return [t for (t,) in db.execute(
        "SELECT DISTINCT tbl FROM journal_changes WHERE step_id = ?", [step_id])]


def _after_sql(db: Database) -> str:
    """One UPDATE filling the ``after`` state of every row a step touched,
    whatever its table (one statement, not one per journaled table)."""
    cache = getattr(db, "_journal_after_sql", None)
    if cache is None:
        branches = " ".join(
            f"""WHEN '{table}' THEN (SELECT {_row_json_sql(columns, 't')} FROM "{table}" t
                WHERE t.rowid = row_id)""" for table, columns in _tracked_columns(db).items())
        cache = f"UPDATE journal_changes SET after = CASE tbl {branches} END WHERE step_id = ?"
        db._journal_after_sql = cache
    return cache


def _close(db: Database, current: Step) -> list[str]:
    """Fill in each touched row's state after the step; drop unchanged rows;
    close the step. Returns the tables it still changes."""
    db.execute(_after_sql(db), [current.id])
    # INDEXED BY (here and below): the journal grows from nothing, so
    # statistics taken when it was small would plan a scan of all of it
    db.execute("DELETE FROM journal_changes INDEXED BY sqlite_autoindex_journal_changes_1 "
               "WHERE step_id = ? AND before IS after", [current.id])
    db.execute("DELETE FROM journal_open")
    tables = _touched_tables(db, current.id)
    if current.kind == DO and not tables:
        # nothing changed: no step in the history (its id is not given
        # again: journal_last_step)
        db.execute("DELETE FROM journal_steps WHERE id = ?", [current.id])
    return tables


class PulledSteps:
    """Many steps pulled from a team hub, written inside the caller's write
    transaction with a few statements each (:func:`step` costs about twenty:
    a savepoint, a merge check, the after state table by table, its
    :class:`Changes`). Each is a journal step like any other — its own row
    in ``journal_steps`` (kind ``pulled``, the hub step's uuid, marked
    pushed), every row it changed recorded by the triggers with its before
    and after — never undoable here, never pushed back. An exception
    inside leaves the whole transaction to be rolled back by the caller.

    ``with batch.step(name, analyst=…, origin=…, step_uuid=…):`` writes one;
    :meth:`finish` drops unchanged rows and returns the batch's
    :class:`Changes` (foreign), read for all its steps at once."""

    def __init__(self, db: Database) -> None:
        if not db.conn.in_transaction:
            raise JournalError("Pulled steps are written inside a write transaction.")
        self.db = db
        self.first_id: int | None = None
        self.last_id: int | None = None

    @contextmanager
    def step(self, name: str, *, analyst: str, origin: str, step_uuid: str) -> Iterator[Step]:
        db = self.db
        step_id = db.execute(
            "INSERT INTO journal_steps (id, uuid, name, analyst, origin, kind, created_at, "
            f"pushed_at) VALUES ({_next_step_id_sql(db)}, ?, ?, ?, ?, ?, ?, 'pulled')",
            [step_uuid, name, analyst or "", origin, PULLED, utc_now()]).lastrowid
        db.execute("INSERT OR REPLACE INTO journal_open (id, step_id) VALUES (1, ?)", [step_id])
        current = Step(step_id, step_uuid, name, analyst, origin, PULLED)
        db._journal_step = current      # storage functions called inside join this step
        try:
            yield current
            db.execute(_after_sql(db), [step_id])
        finally:
            db._journal_step = None
            db.execute("DELETE FROM journal_open")
        self.first_id = step_id if self.first_id is None else self.first_id
        self.last_id = step_id

    def finish(self) -> Changes:
        if self.first_id is None:
            return Changes()
        self.db.execute("DELETE FROM journal_changes WHERE step_id BETWEEN ? AND ? "
                        "AND before IS after", [self.first_id, self.last_id])
        return steps_changes(self.db, self.first_id, self.last_id, foreign=True)


@contextmanager
def unrecorded(db: Database) -> Iterator[Database]:
    """A transaction whose writes to journaled tables are allowed but not
    journaled: only for schema migrations that fill a new column and for
    generated benchmark corpora — never for an analyst's change."""
    with write_transaction(db):
        db.execute("INSERT OR REPLACE INTO journal_open (id, step_id) VALUES (1, 0)")
        try:
            yield db
        finally:
            db.execute("DELETE FROM journal_open")


# -- what a step changed --------------------------------------------------
_DETAIL_COLUMNS = ("title", "source", "author", "published", "url", "filename")


def _differs(column: str) -> str:
    return f"json_extract(before, '$.{column}') IS NOT json_extract(after, '$.{column}')"


def step_changes(db: Database, step_id: int, *, name: str = "",
                 foreign: bool = False, tables: list[str] | None = None) -> Changes:
    """The :class:`Changes` of one committed step, from its rows (a few
    aggregate queries, whatever the number of rows). ``tables``: the tables
    it changed, when the caller knows them already."""
    return _changes_of(db, "step_id BETWEEN ? AND ?", [step_id, step_id], name, foreign,
                       tables, rows=True)


def steps_changes(db: Database, first_id: int, last_id: int, *, name: str = "",
                  foreign: bool = False) -> Changes:
    """The :class:`Changes` of the committed steps ``first_id`` to
    ``last_id``, read together (a few aggregate queries for them all)."""
    return _changes_of(db, "step_id BETWEEN ? AND ?", [first_id, last_id], name, foreign)


def changes_since(db: Database, after_id: int, *, exclude_origin: str = "") -> Changes:
    """What the steps committed after step ``after_id`` changed, except those
    of ``exclude_origin`` (and its :func:`own_import_run` runs), as one foreign :class:`Changes` (read together,
    however many steps — a sync may bring hundreds at once)."""
    return _changes_of(db, "step_id IN (SELECT id FROM journal_steps WHERE id > ? "
                       "AND origin != ? AND origin NOT LIKE ?)",
                       [after_id, exclude_origin, _own_runs(exclude_origin)], "", True)


#: ``journal_changes`` read by steps: by name, as statistics taken while the
#: journal was small would plan a scan of all of it (whole article texts
#: among its rows: 23 ms at 7,000 rows, against 3 ms by the index)
_BY_STEP = "journal_changes INDEXED BY sqlite_autoindex_journal_changes_1"

#: A step that changed at most this many passages hands their rows to the
#: window with its :class:`Changes` (``extra``: see :func:`_changes_of`).
ROWS_CARRIED = 50


def _changes_of(db: Database, steps: str, params: list, name: str, foreign: bool,
                tables: list[str] | None = None, *, rows: bool = False) -> Changes:
    """The :class:`Changes` of the steps whose ``journal_changes`` rows
    match the SQL condition ``steps`` (``tables``: the tables they changed,
    if known).

    ``rows`` (one step only): when the step changed at most
    :data:`ROWS_CARRIED` passages, ``extra["passages"]`` holds each one's
    row after the step (None: deleted) and ``extra["tag_counts"]`` the
    change of each tag's passage count — what the step wrote, so that the
    window need not read it back."""
    found: set[str] = set()
    article_ids: set[int] = set()
    passage_ids: set[int] = set()
    tag_ids: set[int] = set()
    extra: dict = {}
    if tables is None:
        tables = [t for (t,) in db.execute(
            f"SELECT DISTINCT tbl FROM {_BY_STEP} WHERE {steps}", params)]
    for table in tables:
        if table == "passages":
            found.add(kinds.PASSAGES)
            after_rows: dict[int, str | None] = {}
            counts: dict[int, int] = {}
            for row_id, *ids, after in db.execute(
                    "SELECT row_id, json_extract(before, '$.article_id'), "
                    "json_extract(after, '$.article_id'), json_extract(before, '$.tag_id'), "
                    "json_extract(after, '$.tag_id'), "
                    f"{'after' if rows else 'NULL'} FROM {_BY_STEP} "
                    f"WHERE {steps} AND tbl = 'passages'", params):
                passage_ids.add(row_id)
                article_ids.update(i for i in ids[:2] if i is not None)
                tag_ids.update(i for i in ids[2:] if i is not None)
                if rows:
                    after_rows[row_id] = after
                    for tag_id, sign in ((ids[2], -1), (ids[3], +1)):
                        if tag_id is not None:
                            counts[tag_id] = counts.get(tag_id, 0) + sign
            if rows and len(after_rows) <= ROWS_CARRIED:
                extra["passages"] = {row_id: json.loads(after) if after else None
                                     for row_id, after in after_rows.items()}
                extra["tag_counts"] = {t: n for t, n in counts.items() if n}
        elif table == "tags":
            found.add(kinds.TAGS)
            tag_ids.update(r for (r,) in db.execute(
                f"SELECT row_id FROM {_BY_STEP} WHERE {steps} "
                "AND tbl = 'tags'", params))
        elif table == "articles":
            # articles added or deleted: no need to compare their columns
            # (an import's rows hold whole texts, parsed for nothing)
            for (row_id,) in db.execute(
                    f"""SELECT row_id FROM {_BY_STEP} WHERE {steps}
                    AND tbl = 'articles' AND (before IS NULL OR after IS NULL)""", params):
                article_ids.add(row_id)
                found.add(kinds.ARTICLES)
            details = " OR ".join(_differs(c) for c in _DETAIL_COLUMNS)
            for row_id, text, memo, status, detail in db.execute(
                    f"""SELECT row_id, {_differs('text')},
                    {_differs('memo')}, {_differs('review_status')}, {details}
                    FROM {_BY_STEP} WHERE {steps} AND tbl = 'articles'
                    AND before IS NOT NULL AND after IS NOT NULL""", params):
                article_ids.add(row_id)
                for flag, kind in ((text, kinds.TEXT), (memo, kinds.MEMO),
                                   (status, kinds.REVIEW), (detail, kinds.ARTICLE)):
                    if flag:
                        found.add(kind)
        elif table in ("entity_canon", "entity_aliases"):
            found.add(kinds.ENTITIES)
        else:
            found.add(_OTHER_KINDS.get(table, kinds.ARTICLE))
            article_ids.update(r for (r,) in db.execute(
                "SELECT json_extract(coalesce(after, before), '$.article_id') "
                f"FROM {_BY_STEP} WHERE {steps} AND tbl = ?",
                [*params, table])
                if isinstance(r, int))
    if article_ids and not set(tables) <= {"passages", "articles"} and db.execute(
            f"""SELECT 1 FROM {_BY_STEP} WHERE {steps} GROUP BY step_id
            HAVING max(tbl IN ('passages', 'articles')
                       OR json_extract(coalesce(after, before), '$.article_id') IS NOT NULL) = 0
            LIMIT 1""", params).fetchone():
        # one of the steps concerns no article in particular (a tag, an
        # entity): as with ``Changes.__or__``, every article
        article_ids = set()
    return Changes(frozenset(found), frozenset(article_ids), frozenset(passage_ids),
                   frozenset(tag_ids), foreign, name, extra)


#: The kind of change of tables journaled by later migrations.
_OTHER_KINDS: dict[str, str] = {}


def register_kind(table: str, kind: str) -> None:
    """Say which kind of change (``storage.changes``) a journaled table's
    rows are, for :func:`step_changes`."""
    _OTHER_KINDS[table] = kind


def last_step_id(db: Database) -> int:
    """The id of the newest step in the journal (0 for none)."""
    return db.execute("SELECT ifnull(max(id), 0) FROM journal_steps").fetchone()[0]


def highest_step_id(db: Database) -> int:
    """The highest step id this journal ever gave (0 for none): unlike
    :func:`last_step_id`, it never goes down when a step that changed nothing
    is deleted — only when the whole file is replaced (a restore)."""
    return db.execute(f"SELECT {NEXT_STEP_ID_SQL} - 1").fetchone()[0] \
        if _next_step_id_sql(db) != "NULL" else last_step_id(db)


def steps_since(db: Database, after_id: int, *, exclude_origin: str = "") -> list[dict]:
    """Steps committed after step ``after_id``, oldest first, except those of
    ``exclude_origin`` (and its :func:`own_import_run` runs): ``{"id", "name", "analyst", "origin", "kind", "changes"}``.
    (A merged memo step keeps its id; it is read again when its rows change,
    through :func:`last_change_id`.)"""
    rows = db.execute("SELECT id, name, analyst, origin, kind FROM journal_steps "
                      "WHERE id > ? AND origin != ? AND origin NOT LIKE ? ORDER BY id",
                      [after_id, exclude_origin, _own_runs(exclude_origin)]).fetchall()
    return [{"id": r[0], "name": r[1], "analyst": r[2], "origin": r[3], "kind": r[4],
             "changes": step_changes(db, r[0], name=r[1], foreign=True)} for r in rows]


# -- undo and redo --------------------------------------------------------
def _cut(text: str, limit: int) -> str:
    """``text`` in one line, cut after a whole word with "…" when longer
    than ``limit`` ("…in the fight", not "…in the f")."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    head = text[:limit + 1]
    space = head.rfind(" ")
    return (head[:space] if space > limit // 2 else text[:limit]).rstrip(" ,;:") + "…"


def _describe(table: str, state: str | None, row_id: int) -> str:
    data = json.loads(state) if state else {}
    if table == "passages":
        text = _cut(data.get("text") or "", 40)
        return f"the passage “{text}”" if text else f"passage {row_id}"
    if table == "tags":
        return f"the tag “{data.get('name', row_id)}”"
    if table == "articles":
        return f"the article “{_cut(data.get('title') or str(row_id), 60)}”"
    return f"a row of {table}"


def _same_state(now: str | None, expected: str | None) -> bool:
    """Whether a row's current state is the one expected: the same JSON, or
    (for a step recorded before a column was added) the same values in every
    column the step recorded."""
    if now == expected:
        return True
    if now is None or expected is None:
        return False
    current, wanted = json.loads(now), json.loads(expected)
    return all(current.get(k) == v for k, v in wanted.items())


#: The order rows are written back in: parents inserted before their
#: children, children deleted before their parents (a tag's passages are a
#: RESTRICT reference, checked at once even with deferred foreign keys).
_PARENTS_FIRST = ("articles", "tags", "entity_canon", "entity_aliases", "passages")


def _table_order(tables) -> list[str]:
    known = [t for t in _PARENTS_FIRST if t in tables]
    return known + sorted(t for t in tables if t not in _PARENTS_FIRST)


def _conflicts(db: Database, table: str, columns, step_id: int, have: str) -> list:
    """Rows of ``table`` in step ``step_id`` whose current state is not
    ``have`` (the step's ``before`` or ``after`` column): one query."""
    found = db.execute(
        f"""SELECT c.row_id, c.{have}, {_row_json_sql(columns, 't')}, t.rowid
        FROM journal_changes c LEFT JOIN "{table}" t ON t.rowid = c.row_id
        WHERE c.step_id = ? AND c.tbl = ?
        AND (CASE WHEN t.rowid IS NULL THEN NULL ELSE {_row_json_sql(columns, 't')} END)
            IS NOT c.{have}""", [step_id, table]).fetchall()
    # a step recorded before a column was added matches on the columns it has
    return [(row_id, expected, now if present is not None else None)
            for row_id, expected, now, present in found
            if not _same_state(now if present is not None else None, expected)]


def _write_back(db: Database, table: str, columns, step_id: int, have: str,
                want: str, what: str) -> None:
    """One statement per kind of write: make every row of ``table`` in the
    step hold its ``want`` state — ``what`` is ``insert``, ``update`` or
    ``delete``."""
    rows = f"SELECT row_id FROM journal_changes WHERE step_id = {int(step_id)} AND tbl = ?"
    if what == "delete":
        db.execute(f'DELETE FROM "{table}" WHERE rowid IN ({rows} AND {want} IS NULL)',
                   [table])
        return
    names = ", ".join(f'"{c}"' for c in columns)
    values = ", ".join(f"json_extract(c.{want}, '$.\"{c}\"')" for c in columns)
    if what == "insert":
        key = "" if "id" in columns else "rowid, "
        key_value = "" if "id" in columns else "c.row_id, "
        db.execute(f"""INSERT INTO "{table}" ({key}{names})
            SELECT {key_value}{values} FROM journal_changes c
            WHERE c.step_id = ? AND c.tbl = ? AND c.{have} IS NULL AND c.{want} IS NOT NULL
            ORDER BY c.id""", [step_id, table])
    else:
        db.execute(f"""UPDATE "{table}" SET ({names}) = (
                SELECT {values} FROM journal_changes c
                WHERE c.step_id = ? AND c.tbl = ? AND c.row_id = "{table}".rowid)
            WHERE rowid IN ({rows} AND {have} IS NOT NULL AND {want} IS NOT NULL)""",
            [step_id, table, table])
    _write_back_nul(db, table, columns, step_id, want)


def _write_back_nul(db: Database, table: str, columns, step_id: int, want: str) -> None:
    """Text holding a NUL character, written back whole: SQLite's
    ``json_extract`` ends a string at its first NUL (an undone 100,000-
    character note came back as its first 12), so the few rows whose
    ``want`` image holds one (``\\u0000`` in the JSON) are set from the
    image read in Python."""
    for row_id, image in db.execute(
            f"SELECT row_id, {want} FROM journal_changes WHERE step_id = ? AND tbl = ? "
            f"AND {want} IS NOT NULL AND instr({want}, '\\u0000') > 0",
            [step_id, table]).fetchall():
        state = json.loads(image)
        whole = {c: v for c, v in state.items()
                 if c in columns and isinstance(v, str) and "\x00" in v}
        if whole:
            db.execute(f'UPDATE "{table}" SET '
                       + ", ".join(f'"{c}" = ?' for c in whole) + " WHERE rowid = ?",
                       [*whole.values(), row_id])


def _replay(db: Database, target: dict, *, backwards: bool, origin: str,
            analyst: str) -> Step:
    """Undo (``backwards``) or redo step ``target`` in a new step: check every
    row still holds what the step left (one query per table), then write the
    rows back with a few set-based statements per table."""
    columns = _tracked_columns(db)
    verb = "Undo" if backwards else "Redo"
    kind = UNDO if backwards else REDO
    have, want = ("after", "before") if backwards else ("before", "after")
    target_id = target["id"]
    tables = [t for (t,) in db.execute(
        "SELECT DISTINCT tbl FROM journal_changes WHERE step_id = ?", [target_id])]
    with step(db, f"{verb} “{target['name']}”", analyst=analyst, origin=origin,
              kind=kind, target_id=target_id) as current:
        db.execute("PRAGMA defer_foreign_keys = ON")
        for table in tables:
            conflicts = _conflicts(db, table, columns[table], target_id, have)
            if conflicts:
                row_id, expected, now = conflicts[0]
                raise JournalConflict(
                    verb.lower(), target["name"],
                    f"{_describe(table, expected or now, row_id)} was changed by someone "
                    "else since.")
        order = _table_order(tables)
        # a foreign key broken here, or at the commit where the deferred ones
        # are checked, is a refusal (undo/redo's _refused_if_depended_on)
        for table in order:
            _write_back(db, table, columns[table], target_id, have, want, "insert")
        for table in order:
            _write_back(db, table, columns[table], target_id, have, want, "update")
        for table in reversed(order):
            _write_back(db, table, columns[table], target_id, have, want, "delete")
        _check_only_expected(db, current.id, target_id, verb, target["name"])
        _check_text_passages(db, target_id, target["name"], verb)
        if "tags" in tables:
            _check_tag_parents(db, target_id, want, target["name"], verb)
    return current


def _check_tag_parents(db: Database, target_id: int, want: str, name: str,
                       verb: str) -> None:
    """Refuse an undo/redo that leaves a tag under a parent that no longer
    exists: ``tags.parent_id`` has no foreign key, and such a tag was placed
    there since (under a category the undo takes away) or its parent was
    deleted since (a move put back under it). Left dangling, it went
    silently under whichever tag took that id next."""
    stray = db.execute(
        f"""SELECT t.name, coalesce(json_extract(c.before, '$.name'),
                                    json_extract(c.after, '$.name'))
        FROM journal_changes c JOIN tags t ON t.parent_id = c.row_id
        WHERE c.step_id = ? AND c.tbl = 'tags' AND c.{want} IS NULL
        UNION ALL
        SELECT t.name, NULL FROM journal_changes c JOIN tags t ON t.rowid = c.row_id
        WHERE c.step_id = ? AND c.tbl = 'tags' AND t.parent_id IS NOT NULL
        AND NOT EXISTS (SELECT 1 FROM tags p WHERE p.id = t.parent_id)
        LIMIT 1""", [target_id, target_id]).fetchone()
    if stray:
        child, parent = stray
        reason = (f"the tag “{child}” was placed under “{parent}” since, and it would take "
                  f"“{parent}” away." if parent else
                  f"it would put the tag “{child}” under a tag deleted since.")
        raise JournalConflict(verb.lower(), name, reason)


def _check_only_expected(db: Database, step_id: int, target_id: int, verb: str,
                         name: str) -> None:
    """Refuse an undo/redo that changed a row the step never touched (a
    cascade into rows added since, e.g. another analyst's passage)."""
    stray = db.execute(
        "SELECT u.tbl, u.row_id, u.before FROM journal_changes u WHERE u.step_id = ? "
        "AND NOT EXISTS (SELECT 1 FROM journal_changes t WHERE t.step_id = ? "
        "AND t.tbl = u.tbl AND t.row_id = u.row_id) LIMIT 1",
        [step_id, target_id]).fetchone()
    if stray:
        table, row_id, before = stray
        raise JournalConflict(
            verb.lower(), name,
            f"it would also change {_describe(table, before, row_id)}, added or changed "
            "since.")


def _check_text_passages(db: Database, target_id: int, name: str, verb: str) -> None:
    """Refuse an undo/redo that changes an article's text under passages the
    step did not re-anchor (tagged since): they would sit at wrong offsets."""
    stray = db.execute(
        """SELECT p.text FROM journal_changes a JOIN passages p ON p.article_id = a.row_id
        WHERE a.step_id = ? AND a.tbl = 'articles' AND a.before IS NOT NULL
        AND a.after IS NOT NULL
        AND json_extract(a.before, '$.text') IS NOT json_extract(a.after, '$.text')
        AND NOT EXISTS (SELECT 1 FROM journal_changes c WHERE c.step_id = a.step_id
                        AND c.tbl = 'passages' AND c.row_id = p.rowid)
        LIMIT 1""", [target_id]).fetchone()
    if stray:
        raise JournalConflict(
            verb.lower(), name,
            f"the passage “{stray[0][:40]}” was tagged on the article's text since, and "
            "would no longer sit on its words.")


def _step_row(db: Database, where: str, params) -> dict | None:
    row = db.execute(f"SELECT id, name, analyst, origin, kind, state FROM journal_steps "
                     f"WHERE {where} ORDER BY id DESC LIMIT 1", params).fetchone()
    if row is None:
        return None
    return dict(zip(("id", "name", "analyst", "origin", "kind", "state"), row))


def step_state(db: Database, step_id: int) -> str | None:
    """Step ``step_id``'s state (:data:`DONE`, :data:`UNDONE`, :data:`DROPPED`),
    or None if there is no such step."""
    row = db.execute("SELECT state FROM journal_steps WHERE id = ?", [step_id]).fetchone()
    return row[0] if row else None


def undoable(db: Database, origin: str | None = None) -> dict | None:
    """The step :func:`undo` would undo (of ``origin``; of anyone if None)."""
    if origin is None:
        return _step_row(db, "kind = ? AND state = ?", [DO, DONE])
    return _step_row(db, "kind = ? AND state = ? AND origin = ?", [DO, DONE, origin])


def redoable(db: Database, origin: str | None = None) -> dict | None:
    """The step :func:`redo` would redo: the one most recently undone (by
    ``origin``) and not dropped by a newer step; ``undone_by`` is the origin
    of the undo step that undid it."""
    where = "s.kind = ? AND s.state = ?" + ("" if origin is None else " AND s.origin = ?")
    params = [UNDO, DONE] + ([] if origin is None else [origin])
    row = db.execute(
        f"SELECT t.id, t.name, t.analyst, t.origin, t.kind, t.state, s.origin "
        f"FROM journal_steps s JOIN journal_steps t ON t.id = s.target_id "
        f"WHERE {where} AND t.state = ? ORDER BY s.id DESC LIMIT 1",
        params + [UNDONE]).fetchone()
    if row is None:
        return None
    return dict(zip(("id", "name", "analyst", "origin", "kind", "state", "undone_by"), row))


def undo(db: Database, *, origin: str | None = None, analyst: str = "",
         step_id: int | None = None, any_origin: bool = False) -> Step:
    """Undo the newest step of ``origin`` (or step ``step_id``) in one
    transaction; returns the undo step (its ``changes`` say what changed).
    A step named by ``step_id`` must be ``origin``'s own (:func:`owns`)
    unless ``any_origin``. Raises :class:`NothingToUndo`,
    :class:`ForeignStep` or :class:`JournalConflict`."""
    if step_id is not None:
        target = _named_step(db, step_id, "undo")
        _refuse_foreign(target, origin, any_origin, "undo")
        if target["state"] != DONE:
            raise NothingToUndo(f"Step {step_id} (“{target['name']}”) is undone already.")
    else:
        target = undoable(db, origin)
        if target is None or target["state"] != DONE:
            raise NothingToUndo("There is nothing to undo.")
    with _refused_if_depended_on("undo", target["name"]), write_transaction(db):
        done = _replay(db, target, backwards=True, origin=origin or "", analyst=analyst)
        db.execute("UPDATE journal_steps SET state = ? WHERE id = ?", [UNDONE, target["id"]])
        db.execute("UPDATE journal_steps SET state = ? WHERE id = ?", [DONE, done.id])
    return done


def _named_step(db: Database, step_id: int, verb: str) -> dict:
    """The step ``step_id`` to undo or redo by number, or a message saying
    why there is none."""
    target = _step_row(db, "id = ?", [step_id])
    if target is None:
        raise NothingToUndo(f"There is no step {step_id} (see dossier history).")
    if target["kind"] != DO:
        raise NothingToUndo(f"Step {step_id} (“{target['name']}”) is itself an undo or a "
                            f"redo: {verb} the step it names instead.")
    return target


def owns(origin: str | None, step_origin: str) -> bool:
    """Whether a caller of origin ``origin`` may undo or redo by its id a
    step of origin ``step_origin``: its own steps and its own import runs
    (:func:`own_import_run`); any step for a caller without an origin (the
    command line's ``dossier undo --step``, which acts on the whole journal)
    or one taking back a run (:data:`RUN_UNDONE`: the steps :func:`run_of`
    named)."""
    if not origin or origin.startswith(RUN_UNDONE):
        return True
    return step_origin == origin or step_origin.startswith(f"{IMPORT_RUN}{origin}/")


def _refuse_foreign(target: dict, origin: str | None, any_origin: bool, verb: str) -> None:
    """Refuse to undo or redo by its id a step that is not ``origin``'s: a
    window's history holds ids of its own steps only, and an id naming
    someone else's step is a stale one (undoing it would take back their
    work)."""
    if not any_origin and not owns(origin, target["origin"]):
        raise ForeignStep(f"Cannot {verb} step {target['id']} (“{target['name']}”): it was "
                          "made elsewhere (another window or a dossier command). Nothing "
                          "was changed.")


@contextmanager
def _refused_if_depended_on(verb: str, name: str) -> Iterator[None]:
    """An undo or redo whose rows others added since depend on: SQLite checks
    the foreign keys at the commit (they are deferred while the rows are
    written back), which then rolls everything back; said as a refusal."""
    try:
        yield
    except sqlite3.IntegrityError as error:
        raise JournalConflict(
            verb, name, f"rows added since depend on what it would remove ({error}).") \
            from error


def redo(db: Database, *, origin: str | None = None, analyst: str = "",
         target_id: int | None = None, any_origin: bool = False) -> Step:
    """Redo the step most recently undone (by ``origin``), or step
    ``target_id`` if it is undone (and ``origin``'s own, :func:`owns`,
    unless ``any_origin``); returns the redo step. Raises
    :class:`NothingToUndo`, :class:`ForeignStep` or :class:`JournalConflict`."""
    if target_id is not None:
        target = _named_step(db, target_id, "redo")
        _refuse_foreign(target, origin, any_origin, "redo")
        if target["state"] != UNDONE:
            raise NothingToUndo(f"Step {target_id} (“{target['name']}”) is not undone: "
                                "there is nothing to redo.")
    else:
        target = redoable(db, origin)
        if target is None:
            raise NothingToUndo("There is nothing to redo.")
    with _refused_if_depended_on("redo", target["name"]), write_transaction(db):
        done = _replay(db, target, backwards=False, origin=origin or "", analyst=analyst)
        db.execute("UPDATE journal_steps SET state = ? WHERE id = ?", [DONE, target["id"]])
        # the undo step has been used: it is no longer what redo would take
        db.execute("UPDATE journal_steps SET state = ? WHERE kind = ? AND target_id = ?",
                   [DROPPED, UNDO, target["id"]])
    return done


def undo_steps(db: Database, step_ids: list[int], *, name: str, origin: str = "",
               analyst: str = "", on_progress: Callable[[int, int], None] | None = None,
               is_cancelled: Callable[[], bool] | None = None) -> Changes:
    """Undo several steps — an import stored a chunk at a time, ``name`` —
    newest first, in one transaction: all of them, or (on a conflict, a
    cancel) none. Each is undone as :func:`undo` undoes it, by a step of its
    own; one undone already (elsewhere) is left as it is. Returns what they
    changed together. Raises :class:`NothingToUndo`,
    :class:`JournalConflict` or :class:`StepsCancelled`."""
    return _replay_steps(db, sorted(step_ids, reverse=True), "undo", name, origin, analyst,
                         on_progress, is_cancelled)


def redo_steps(db: Database, step_ids: list[int], *, name: str, origin: str = "",
               analyst: str = "", on_progress: Callable[[int, int], None] | None = None,
               is_cancelled: Callable[[], bool] | None = None) -> Changes:
    """Redo the steps :func:`undo_steps` undid, oldest first, in one
    transaction (all or none); returns what they changed together."""
    return _replay_steps(db, sorted(step_ids), "redo", name, origin, analyst,
                         on_progress, is_cancelled)


class StepsCancelled(JournalError):
    """:func:`undo_steps` or :func:`redo_steps` was cancelled: nothing changed."""


def _replay_steps(db: Database, step_ids: list[int], verb: str, name: str, origin: str,
                  analyst: str, on_progress, is_cancelled) -> Changes:
    def stop_if_cancelled() -> None:
        if is_cancelled is not None and is_cancelled():
            raise StepsCancelled(f"{verb.capitalize()} of “{name}” cancelled; nothing was "
                                 "changed.")

    # steps another window or `dossier undo` undid (redid) already stay as
    # they are: refusing them as "undone already" jammed the window's Undo
    already = UNDONE if verb == "undo" else DONE
    states = dict(db.execute(
        "SELECT id, state FROM journal_steps WHERE id IN (SELECT value FROM json_each(?))",
        [json.dumps(step_ids)]).fetchall())
    step_ids = [i for i in step_ids if states.get(i) != already]
    changes = Changes()
    with _refused_if_depended_on(verb, name), write_transaction(db):
        for done, step_id in enumerate(step_ids):
            stop_if_cancelled()
            try:
                step = (undo(db, origin=origin, analyst=analyst, step_id=step_id)
                        if verb == "undo" else
                        redo(db, origin=origin, analyst=analyst, target_id=step_id))
            except JournalConflict as error:     # named by the whole change
                raise JournalConflict(verb, name, error.reason) from None
            changes |= step.changes
            if on_progress is not None:
                on_progress(done + 1, len(step_ids))
        stop_if_cancelled()         # (a cancel during the last step)
    return changes


# -- history --------------------------------------------------------------
def history(db: Database, *, limit: int = 50, origin: str | None = None) -> list[dict]:
    """The newest steps, newest first: id, uuid, name, analyst, origin, kind,
    state, created_at and the number of rows changed."""
    if limit < 1:
        raise ValueError(f"limit must be 1 or more, not {limit}")
    where, params = ("WHERE s.origin = ?", [origin]) if origin else ("", [])
    rows = db.execute(
        "SELECT s.id, s.uuid, s.name, s.analyst, s.origin, s.kind, s.state, s.created_at, "
        "(SELECT count(*) FROM journal_changes c WHERE c.step_id = s.id) "
        f"FROM journal_steps s {where} ORDER BY s.id DESC LIMIT ?", params + [limit])
    keys = ("id", "uuid", "name", "analyst", "origin", "kind", "state", "created_at", "rows")
    return [dict(zip(keys, row)) for row in rows]
