"""Syncing the local change journal with a team hub on PostgreSQL (Qt-free).

The local SQLite file stays the analyst's working copy; the hub
(``storage.hub_schema``) holds every pushed step in one order and the
current state of the shared corpus.

- :func:`push` sends the journal's steps not yet pushed, oldest first, up to
  50 a PostgreSQL transaction in one pipeline. The step's uuid is the hub's
  primary key, so
  a step pushed again after a crash (the hub committed, the local mark did
  not) is recognised and not stored twice. Local ids inside rows are
  translated to uuids (``article_id`` → ``article_uuid`` …). A step the
  hub's row-level security refuses is marked refused and reported; it stays
  in the local file.
- :func:`pull` reads the steps others pushed after the last one applied
  (``meta.hub_last_seq``) and applies each as a journal step of kind
  ``pulled`` (``journal.PulledSteps``: in bulk, 500 a transaction) with
  origin ``hub:<step uuid>`` — never in a window's undo —
  and the new ``hub_last_seq`` in the same SQLite transaction: a kill
  mid-pull rolls back both. An update applies only the fields it changed;
  a field that a later hub step changed again is skipped (the later one is
  applied, or is this analyst's own): the hub's order decides, field by
  field, the later write wins, the earlier stays in the history.
- Conflicts: a tag the hub named apart (version 8: another tag had its
  name) takes the hub's name here when a pull brings the other, or reaches
  this file's own step (:meth:`_Applier._make_room`); a tag deleted on the
  hub while local passages use it is kept, renamed "… (deleted on hub)" —
  the passages stay, flagged by it; a tag put under a category deleted on
  the hub meanwhile goes to the top level
  (the codebook stays a tree, ``tags.parent_id`` has no foreign key), and
  so does one moved under a tag a colleague had put under it meanwhile
  (:class:`_Codebook`: the move later in the hub's order would close a
  loop, in every file, the mover's and a new member's too). An
  article's text changed by a pulled step re-anchors the local passages
  that step did not move (``storage.anchoring``), orphans flagged.
- Blind coding: the hub shows an analyst only her own passages and the
  changes of them. When it shows more (blind coding off, or she is made a
  lead), :func:`_catch_up_revealed` brings the file's passages in line with
  the hub's, as one pulled step: the changes hidden meanwhile were pulled
  as steps without them.
- :func:`first_sync` (joining) copies the hub's current state — corpus,
  codebook, passages, entity corrections, analysis results — in one
  repeatable-read snapshot, with progress; on an empty hub it uploads the
  local corpus instead (the lead who starts the hub).
- :func:`push_analyses` / :func:`pull_analyses`: entities and quotes keyed
  by text hash + pipeline + version, so others skip spaCy for those texts.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import re
from pathlib import Path
import time
from collections.abc import Callable
from urllib.parse import unquote, urlsplit
from contextlib import nullcontext
from dataclasses import dataclass, field

import psycopg
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict, make_conninfo
from psycopg.types.json import Jsonb
from sqlite_utils import Database

from storage import full_text, hub_schema, journal, row_ids
from storage.anchoring import reanchor
from storage.articles import stored_source
from storage.changes import ALL_KINDS, Changes
from storage.durability import commits_without_fsync
from storage.hub_meta import HUB_LEFT, HUB_URL
from storage.database import get_meta, set_meta, utc_now, write_transaction
from storage.tags import ancestor_ids, find_tag, name_key

Progress = Callable[[str, int, int], None] | None


def _not_pipeline_noise(record: logging.LogRecord) -> bool:
    """psycopg logs a warning when a pipeline ends after the hub refused a
    step in it; the refusal itself is raised, handled and said (the steps go
    again one at a time), so that line on stderr was only noise."""
    return not record.getMessage().startswith("error ignored terminating")


logging.getLogger("psycopg").addFilter(_not_pipeline_noise)


#: References inside journaled rows: local id column → the table it points at.
REFERENCES: dict[str, dict[str, str]] = {
    "passages": {"article_id": "articles", "tag_id": "tags"},
    "tags": {"parent_id": "tags"},
    "entity_aliases": {"canon_id": "entity_canon"},
    "assignments": {"article_id": "articles"},
}
#: Tables without a uuid: the hub-side columns that key a row.
KEYED: dict[str, tuple[str, ...]] = {
    "entity_aliases": ("key", "label"),
    "assignments": ("article_uuid", "analyst"),
}
#: Columns never sent (derived locally, or the local id itself).
LOCAL_ONLY = {"id", "passage_count"}
LAST_SEQ, ANALYSIS_SEQ, ANALYSES_PUSHED = (
    "hub_last_seq", "hub_analysis_seq", "hub_analyses_pushed")
#: Steps per pull transaction (``$DOSSIER_HUB_BATCH`` for tests).
BATCH = int(os.environ.get("DOSSIER_HUB_BATCH", "500"))
#: Steps per push transaction (``$DOSSIER_HUB_PUSH_BATCH`` for tests).
PUSH_BATCH = int(os.environ.get("DOSSIER_HUB_PUSH_BATCH", "50"))
DELETED_MARK = " (deleted on hub)"


def free_tag_name(name: str, taken: set[str]) -> str:
    """``name``, or the first "name (2)", "name (3)"… whose
    :func:`storage.tags.name_key` is not in ``taken`` (the rule by which
    the hub tells two tags of one name apart: hub_schema.free_tag_name)."""
    candidate, n = name, 1
    while name_key(candidate) in taken:
        n += 1
        candidate = f"{name} ({n})"
    return candidate


def flagged(name: str) -> str:
    """A tag's name marked as deleted on the hub (once: a flagged tag
    deleted again keeps its one mark)."""
    return name if name.endswith(DELETED_MARK) else name + DELETED_MARK


#: The file that syncs with the hub (its resolved path, set when it joined):
#: a copy of it — a backup, an experiment, a colleague's copy — carries the
#: same hub address and member and would push its own changes as that
#: member, so a copy does not sync until someone says it should.
HUB_FILE = "hub_file"
#: Whether the hub had blind coding on at the last pull ("on"/"off").
BLIND = "hub_blind"
#: The changes the hub dropped for rows deleted there, heard in a push and not
#: yet dealt with here (JSON ``[[step uuid, table], …]``): kept with the marks
#: of the pushed steps, taken up by :func:`_delete_gone` at the next push if
#: the hub went away first — their steps are pushed, the hub never says it again.
GONE = "hub_gone"


def copied_from(db: Database, path: str | Path) -> str | None:
    """The path of the file that syncs with the hub, if ``db`` (at
    ``path``) is a copy of it or was moved; None if it is that file (or
    joined before the path was kept)."""
    stored = get_meta(db, HUB_FILE)
    if not stored or not get_meta(db, HUB_URL):
        return None
    return None if Path(stored) == Path(path).resolve() else stored


def adopt_file(db: Database, path: str | Path) -> None:
    """Let the file at ``path`` sync (after joining, for a file that joined
    before the path was kept, or when the analyst says a copy should sync
    too — then it is one more replica of the member, as on another
    computer)."""
    _set_meta(db, HUB_FILE, str(Path(path).resolve()))


class HubError(Exception):
    """A hub operation failed; the message is meant for the user."""


class HubOffline(HubError):
    """The hub cannot be reached (or went away mid-sync); nothing was lost."""


@dataclass
class SyncResult:
    """What a sync did: steps pushed and pulled, steps the hub refused (with
    its message), conflicts met, and the :class:`Changes` to show."""

    pushed: int = 0
    duplicates: int = 0
    pulled: int = 0
    refused: list[str] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)
    changes: Changes = field(default_factory=Changes)
    analyses_pushed: int = 0
    analyses_pulled: int = 0
    #: the hub's last step now applied here (``meta.hub_last_seq``) after the pull
    last_seq: int = 0
    #: (wall-clock time, hub seq) as each pulled batch was committed
    applied: list = field(default_factory=list)
    #: a sync with a ``limit`` left steps to push or pull: sync again
    more: bool = False
    #: wall-clock times of the sync (set by whoever runs it: desktop.hub_loop)
    timings: dict = field(default_factory=dict)


#: What a member's role may not change, in the words the window's guard
#: uses (see :func:`guard_statements`).
VIEWERS_ONLY_READ = "Viewers of this team hub do not change anything."
ONLY_A_LEAD = {"tags": "Only a lead changes the codebook on this team hub.",
               "articles": "Only a lead adds, deletes or edits the text of articles on this "
                           "team hub.",
               "assignments": "Only a lead assigns articles on this team hub."}
OWN_PASSAGES_ONLY = "On this team hub you change only your own passages."
OWN_STATUS_ONLY = "On this team hub you set only your own review status."
_STAYS = " (this step stays in this file only)"


def refusal_text(message: str) -> str:
    """PostgreSQL's refusal in words an analyst reads: what this member's
    role may not change, as the window says it before a push."""
    if message.startswith("permission denied for table steps"):   # a viewer's login
        return VIEWERS_ONLY_READ + _STAYS
    found = (re.match(r'new row violates row-level security policy for table "(\w+)"', message)
             or re.match(r"Dossier hub: \S+ may not (?:change|delete) this row of (\w+)",
                         message))
    if found:
        table = found.group(1)
        if table == "assignments" and " may not change " in message:
            return OWN_STATUS_ONLY + _STAYS     # an analyst's status of another's
        return (ONLY_A_LEAD.get(table) or (OWN_PASSAGES_ONLY if table == "passages" else
                                           f"your role on this hub may not change {table}.")
                ) + _STAYS
    return message


# -- connections ------------------------------------------------------------
def connect(url: str, *, password: str | None = None, timeout: int = 10) -> psycopg.Connection:
    """A connection to the hub (``password`` overrides one in the URL)."""
    options = {"connect_timeout": timeout, "application_name": "dossier", "autocommit": True}
    if password is not None:
        options["password"] = password
    check_address(url)
    try:
        return psycopg.connect(url, **options)
    except psycopg.OperationalError as error:
        raise HubOffline(connection_problem(str(error).strip())) from error
    except psycopg.ProgrammingError as error:   # libpq could not parse the address
        raise HubError(address_problem(url)) from error


def check_address(url: str) -> None:
    """:class:`HubError` unless libpq reads ``url`` as a connection address
    (before a password is asked for it, or a connection tried)."""
    try:
        conninfo_to_dict(url)
    except psycopg.ProgrammingError as error:
        raise HubError(address_problem(url)) from error


def address_problem(url: str) -> str:
    """Why libpq could not read ``url`` as a hub address, in words. ``url``
    is repeated only when it cannot hold a password (no member part, no
    ``password=``); libpq's message never is (it quotes the token it
    stumbled on, which may be the password)."""
    shown = "The hub address" if {"@", "=", "?"} & set(url) else url
    if "://" not in url and "=" in url:
        return ("The hub's connection settings are not valid key=value pairs "
                "(host=HOST dbname=DATABASE user=MEMBER).")
    if url.startswith(("postgresql://", "postgres://")):
        return (f"{shown} is not a valid postgresql:// address: write it "
                f"postgresql://MEMBER@HOST/DATABASE, with a space or % in it written "
                f"%20 or %25, and after ? only PostgreSQL's own settings.")
    return f"{shown} is not a postgresql:// address: write it postgresql://MEMBER@HOST/DATABASE."


def connection_problem(message: str) -> str:
    """What went wrong connecting, in words: a refused password or a missing
    one is not an unreachable hub."""
    refused = re.search(r'password authentication failed for user "([^"]+)"', message)
    if refused:
        return (f"The hub refused the password of {refused.group(1)} (password "
                f"authentication failed); the hub itself was reached.")
    if "no password supplied" in message:
        return ("The hub needs a password: sign in from the window (File → Connect to team "
                "hub…), or set DOSSIER_HUB_PASSWORD for the command line.")
    return f"Cannot reach the hub: {message}"


#: The channel the hub NOTIFYs on when a step is pushed (payload: its seq and
#: the pusher's login; see :func:`notified`).
CHANNEL = "dossier_hub"


def listen(conn: psycopg.Connection) -> psycopg.Connection:
    """Make ``conn`` (autocommit, used for nothing else) receive the hub's
    notifications: ``conn.notifies(timeout=…)`` yields one per pushed step."""
    conn.execute(f"LISTEN {CHANNEL}")
    return conn


def _set_meta(db: Database, key: str, value: str) -> None:
    """``set_meta`` only if the value changes: a sync that finds nothing new
    commits nothing (each commit of the local file costs an fsync)."""
    if get_meta(db, key) != value:
        set_meta(db, key, value)


def notified(listener: psycopg.Connection, timeout: float) -> tuple[bool, int]:
    """Wait up to ``timeout`` s for the hub's notifications on ``listener``
    and take every one already queued: (whether another member pushed, the
    highest seq announced). The payload is ``seq`` and the pusher's login
    (``seq`` alone from a hub made before it carried the login: taken as
    another member's)."""
    me, others, top = listener.info.user, False, 0
    messages = list(listener.notifies(timeout=timeout, stop_after=1))
    if messages:
        messages += listener.notifies(timeout=0)
    for message in messages:
        seq, _, who = message.payload.partition(" ")
        top = max(top, int(seq) if seq.isdigit() else 0)
        others = others or who != me
    return others, top


def strip_password(url: str) -> str:
    """``url`` without a password (what is stored in the local file): none
    in a URI's user part or query (``?password=``), nor a key=value
    ``password``; a URI stays a URI (its member is read from it)."""
    if "://" not in url:
        try:
            params = conninfo_to_dict(url)
        except psycopg.ProgrammingError:
            return url          # not a connection string: nothing to keep secret in it
        return make_conninfo(**{k: v for k, v in params.items() if k != "password"}) \
            if "password" in params else url
    # cut and joined as typed: re-encoding the address would change it
    # (urlunsplit drops an empty host's "//", urlencode turns %20 into +)
    scheme, _, rest = url.partition("://")
    netloc = urlsplit(url).netloc
    rest = rest[len(netloc):] if rest.startswith(netloc) else rest
    if "@" in netloc:
        userinfo, host = netloc.rsplit("@", 1)
        netloc = f"{userinfo.split(':', 1)[0]}@{host}"
    path, question, query = rest.partition("?")
    query, hash_, fragment = query.partition("#")
    kept = "&".join(p for p in query.split("&")
                    if unquote(p.partition("=")[0]) != "password")
    return (f"{scheme}://{netloc}{path}" + (f"?{kept}" if kept else "")
            + f"{hash_}{fragment}")


def password_in(url: str) -> str | None:
    """The password a hub address carries (user part, query or key=value),
    or None."""
    try:
        return conninfo_to_dict(url).get("password")
    except psycopg.ProgrammingError:
        return None


def forget_stored_password(db: Database) -> None:
    """A file connected by an earlier Dossier may hold its hub address with
    the password in it: stored again without (at its next sync)."""
    stored = get_meta(db, HUB_URL)
    if stored and strip_password(stored) != stored:
        set_meta(db, HUB_URL, strip_password(stored))


def member_in(url: str) -> str:
    """The member (login) a hub address signs in as, or "" if it names none."""
    if "://" not in url:
        return ""
    rest = url.split("://", 1)[1].split("/", 1)[0]
    return rest.split("@", 1)[0].split(":", 1)[0] if "@" in rest else ""


def other_member(db: Database, url: str) -> str | None:
    """The member this file is connected as, if ``url`` signs in as another
    one (its changes not yet sent would then go up as the other's)."""
    stored = get_meta(db, HUB_URL)
    if not stored:
        return None
    before, now = member_in(stored), member_in(url)
    return before if before and now and before != now else None


def init_hub(conn: psycopg.Connection, *, blind: bool = False) -> None:
    """Create the hub's schema, roles and row-level security (one transaction)."""
    with conn.transaction():
        if conn.execute(hub_schema.HUB_EXISTS_SQL).fetchone()[0]:
            raise HubError("This database already holds a Dossier hub.")
        statements = hub_schema.init_statements(blind=blind)
        for statement in statements[:-1]:
            conn.execute(statement)
        conn.execute(statements[-1], hub_schema.init_parameters(blind=blind))


def upgrade_hub(conn: psycopg.Connection) -> tuple[str, str]:
    """Bring the hub's schema up to this Dossier's (one transaction, run by
    the hub's owner); ``(version before, version now)``."""
    with conn.transaction():
        if not conn.execute(hub_schema.HUB_EXISTS_SQL).fetchone()[0]:
            raise HubError("This database holds no Dossier hub.")
        before = conn.execute(hub_schema.VERSION_SQL).fetchone()[0]
        try:
            statements = hub_schema.upgrade_statements(before)
        except ValueError as error:
            raise HubError(f"This hub's schema is newer than this Dossier ({before}).") \
                from error
        for statement in statements:
            conn.execute(statement)
    return before, hub_schema.HUB_VERSION


def add_member(conn: psycopg.Connection, name: str, role: str, password: str) -> bool:
    """Create (or update) login role ``name`` in Dossier role ``role``;
    True if it was created."""
    create, update = hub_schema.add_member_sql(role)
    with conn.transaction():
        exists = conn.execute(hub_schema.ROLE_EXISTS_SQL, [name]).fetchone()
        statement = update if exists else create
        for part in statement.split("; "):
            conn.execute(sql.SQL(part).format(name=sql.Identifier(name),
                                              password=sql.Literal(password)))
    return not exists


def remove_member(conn: psycopg.Connection, name: str) -> None:
    """Take away ``name``'s login; their passages and history stay."""
    with conn.transaction():
        for part in hub_schema.REMOVE_MEMBER_SQL.split("; "):
            conn.execute(sql.SQL(part).format(name=sql.Identifier(name)))


def set_blind(conn: psycopg.Connection, blind: bool) -> None:
    """Blind coding on, or off (reveals everyone's passages); a lead only."""
    with conn.transaction():
        conn.execute(hub_schema.SET_BLIND_SQL, ["on" if blind else "off"])


def my_role(conn: psycopg.Connection) -> str | None:
    """``lead``, ``analyst``, ``viewer`` or None for the connected login."""
    return conn.execute(hub_schema.MY_ROLE_SQL).fetchone()[0]


#: How long a connection's role is taken as known before asking again (s).
ROLE_KEPT_S = 30.0


def _role_of(conn: psycopg.Connection) -> str:
    """:func:`my_role` asked at most every :data:`ROLE_KEPT_S` seconds per
    connection (a sync every second would otherwise ask every time)."""
    asked = getattr(conn, "_dossier_role", None)
    if asked is None or time.monotonic() - asked[1] > ROLE_KEPT_S:
        asked = (my_role(conn) or "", time.monotonic())
        conn._dossier_role = asked
    return asked[0]


# -- translating rows -------------------------------------------------------
def row_key(table: str, state: dict) -> str:
    """The hub's key of a row (in the hub's form): its uuid, or for a table
    without one its :data:`KEYED` columns."""
    if table in KEYED:
        return "\x1f".join(str(state[c]) for c in KEYED[table])
    return state["uuid"]


class _Uuids:
    """Local id → uuid, also for rows deleted since (from the journal)."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.cache: dict[tuple[str, int], str | None] = {}

    def __call__(self, table: str, row_id: int | None) -> str | None:
        if row_id is None:
            return None
        key = (table, row_id)
        if key not in self.cache:
            row = self.db.execute(f'SELECT uuid FROM "{table}" WHERE id = ?', [row_id]).fetchone()
            if row is None:
                row = self.db.execute(
                    "SELECT coalesce(json_extract(after, '$.uuid'), "
                    "json_extract(before, '$.uuid')) FROM journal_changes "
                    "WHERE tbl = ? AND row_id = ? ORDER BY id DESC LIMIT 1",
                    [table, row_id]).fetchone()
            self.cache[key] = row[0] if row else None
        return self.cache[key]


def to_hub(table: str, state: dict | None, uuids: _Uuids) -> dict | None:
    """A local row's state as the hub stores it: no local ids, references
    as uuids."""
    if state is None:
        return None
    out = {k: v for k, v in state.items() if k not in LOCAL_ONLY}
    for column, other in REFERENCES.get(table, {}).items():
        if column in out:
            out[column.removesuffix("_id") + "_uuid"] = uuids(other, out.pop(column))
    return out


def local_counts(db: Database) -> dict[str, int]:
    """Articles, tags and passages in the local file (for a report)."""
    return {t: db.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
            for t in ("articles", "tags", "passages")}


# -- refusing locally what the hub would refuse ---------------------------------
ROLE = "hub_role"


def _refuse(name: str, event: str, table: str, message: str, when: str = "") -> str:
    message = message.replace("'", "''")
    return (f'CREATE TEMP TRIGGER "hub_guard_{name}" BEFORE {event} ON main."{table}" '
            f"{when} BEGIN SELECT RAISE(ABORT, '{message}'); END")


def guard_statements(role: str | None, analyst: str,
                     columns: dict[str, list[str]] | None = None) -> list[str]:
    """TEMP triggers refusing, on one connection, the edits the hub refuses
    for ``role`` (``analyst``: the name on this analyst's passages;
    ``columns``: each table's journaled columns — an UPDATE of a derived
    column, such as a tag's passage count, is not an edit)."""
    if role is None:
        return []
    columns = columns or {}
    who = analyst.replace("'", "''")
    if role == "lead":      # a lead moves others' passages, their notes are theirs
        # a consensus passage is its decider's; a joined one ("carla; dan")
        # the last one's, who wrote it — its owner on the hub
        owner = "coalesce(old.decided_by, old.analyst)"
        return [_refuse("passages_note", "UPDATE OF note", "passages",
                        "On this team hub only the analyst who coded a passage changes "
                        "its note.", f"WHEN {owner} IS NOT '{who}' "
                        f"AND substr({owner}, -{len(analyst) + 2}) IS NOT '; {who}' "
                        "AND new.note IS NOT old.note")]

    def update(table: str) -> str:
        names = [c for c in columns.get(table, []) if c not in ("id", "uuid")]
        return "UPDATE OF " + ", ".join(f'"{c}"' for c in names) if names else "UPDATE"

    statements = []
    if role == "viewer":
        for table in hub_schema.STATE_TABLES:
            for event in ("INSERT", update(table), "DELETE"):
                statements.append(_refuse(f"{table}_{event.split()[0].lower()}", event, table,
                                          VIEWERS_ONLY_READ))
        return statements
    codebook, articles = ONLY_A_LEAD["tags"], ONLY_A_LEAD["articles"]
    assigning, others = ONLY_A_LEAD["assignments"], OWN_PASSAGES_ONLY
    for event in ("INSERT", update("tags"), "DELETE"):
        statements.append(_refuse(f"tags_{event.split()[0].lower()}", event, "tags", codebook))
    statements += [
        _refuse("articles_insert", "INSERT", "articles", articles),
        _refuse("articles_delete", "DELETE", "articles", articles),
        _refuse("articles_text", "UPDATE OF text", "articles", articles,
                "WHEN new.text IS NOT old.text"),
        _refuse("assignments_insert", "INSERT", "assignments", assigning),
        _refuse("assignments_delete", "DELETE", "assignments", assigning),
        _refuse("assignments_status", update("assignments"), "assignments", OWN_STATUS_ONLY,
                f"WHEN old.analyst IS NOT '{who}'"),
        _refuse("passages_update", update("passages"), "passages", others,
                f"WHEN old.analyst IS NOT '{who}'"),
        _refuse("passages_delete", "DELETE", "passages", others,
                f"WHEN old.analyst IS NOT '{who}'"),
    ]
    return statements


def guard_local_edits(db: Database, role: str | None, analyst: str) -> None:
    """Make ``db``'s connection (the window's) refuse at once what the hub
    would refuse from this member, instead of the hub refusing it at the
    next push. Syncing uses connections of its own, never guarded."""
    for (name,) in db.execute("SELECT name FROM sqlite_temp_master WHERE type = 'trigger' "
                              "AND name LIKE 'hub_guard_%'").fetchall():
        db.execute(f'DROP TRIGGER temp."{name}"')
    tables = set(db.table_names())
    for statement in guard_statements(role, analyst, journal._tracked_columns(db)):
        table = statement.split(' ON main."', 1)[1].split('"', 1)[0]
        if table in tables:
            db.execute(statement)


# -- leaving -----------------------------------------------------------------
#: What the local file keeps of its hub (meta keys).
HUB_META = (HUB_URL, HUB_FILE, ROLE, LAST_SEQ, ANALYSIS_SEQ, ANALYSES_PUSHED, BLIND, GONE)


def disconnect(db: Database) -> int:
    """Make ``db`` a file of its own again: it forgets its hub (address,
    member, role, how far it synced) and its connection stops refusing what
    the hub would; everything in it stays, pulled work included. Returns the
    number of local changes never sent (they stay in this file only). The
    file cannot join a hub again (a first sync wants an empty file)."""
    never_sent = waiting(db)
    left = f"{get_meta(db, HUB_URL) or 'a hub'}, {utc_now()[:10]}"
    with write_transaction(db):
        db.execute(f"DELETE FROM meta WHERE key IN ({', '.join('?' for _ in HUB_META)})",
                   list(HUB_META))
        set_meta(db, HUB_LEFT, left)
    guard_local_edits(db, None, "")
    return never_sent


# -- push -------------------------------------------------------------------
def waiting(db: Database) -> int:
    """The number of local steps not yet pushed."""
    return db.execute(
        "SELECT count(*) FROM journal_steps WHERE pushed_at IS NULL AND kind IN "
        "('do', 'undo', 'redo') AND origin NOT LIKE 'hub:%'").fetchone()[0]


def refused(db: Database) -> list[tuple[str, str]]:
    """The local steps the hub refused whose changes this file still holds,
    oldest first: ``(name, why)`` (they stay in this file only). A refused
    step (or redo) whose step is undone since, or redone since (its redo
    counts instead), or a refused undo whose step is done again, no longer
    makes the file differ from the team's."""
    return [(name, mark.split(": ", 1)[-1]) for name, mark in db.execute(
        "SELECT s.name, s.pushed_at FROM journal_steps s "
        "LEFT JOIN journal_steps t ON t.id = s.target_id "
        "WHERE s.pushed_at LIKE 'refused%' AND CASE s.kind "
        "WHEN 'do' THEN s.state = 'done' WHEN 'redo' THEN t.state = 'done' "
        "WHEN 'undo' THEN t.state = 'undone' ELSE 1 END "
        # a step redone since counts by its redo (refused or taken)
        "AND (s.kind = 'undo' OR NOT EXISTS (SELECT 1 FROM journal_steps r "
        "WHERE r.kind = 'redo' AND r.target_id = coalesce(s.target_id, s.id) "
        "AND r.id > s.id)) ORDER BY s.id")]


#: How a step is marked that is never pushed: the undo of a step the hub
#: refused takes back what only this file had.
KEPT_LOCAL = "local"


def _undoes_refused(db: Database, steps: list[dict], refused_now: set[int]) -> list[dict]:
    """The undo steps among ``steps`` that take back a change the hub
    refused: the last step that made it (the step itself, or its latest
    redo before the undo) was refused — before, or (``refused_now``) in
    this push. An undo of a redo the hub took is pushed."""
    found = []
    for s in steps:
        if s["kind"] != "undo" or s.get("target_id") is None:
            continue
        row = db.execute(
            "SELECT id, pushed_at FROM journal_steps WHERE (id = ? OR (kind = 'redo' AND "
            "target_id = ?)) AND id < ? ORDER BY id DESC LIMIT 1",
            [s["target_id"], s["target_id"], s["id"]]).fetchone()
        if row is not None and (row[0] in refused_now
                                or (row[1] or "").startswith("refused")):
            found.append(s)
    return found


_UNPUSHED = ("SELECT id, uuid, name, analyst, kind, created_at, target_id, merge_key "
             "FROM journal_steps "
             "WHERE pushed_at IS NULL AND kind IN ('do', 'undo', 'redo') "
             "AND origin NOT LIKE 'hub:%' ORDER BY id LIMIT ?")


def _take_steps(db: Database, limit: int) -> list[dict]:
    """The oldest steps not yet pushed, with their rows. A step that may
    still grow (a memo step with a ``merge_key``) has it cleared in the same
    write transaction, so it can no longer grow behind the push's back; the
    others are read without taking the file's write lock (a committed step
    without a merge key never changes), so the push does not wait for the
    analyst's next commit."""
    if not waiting(db):
        return []
    uuids = _Uuids(db)
    steps = [dict(zip(("id", "uuid", "name", "analyst", "kind", "created_at", "target_id",
                       "merge_key"), r)) for r in db.execute(_UNPUSHED, [limit])]
    if any(s["merge_key"] is not None for s in steps):
        with write_transaction(db):
            steps = [dict(zip(("id", "uuid", "name", "analyst", "kind", "created_at",
                               "target_id"), r)) for r in db.execute(_UNPUSHED, [limit])]
            db.execute("UPDATE journal_steps SET merge_key = NULL WHERE id IN "
                       f"({','.join('?' * len(steps))})", [s["id"] for s in steps])
            return _with_rows(db, steps, uuids)
    return _with_rows(db, steps, uuids)


def _with_rows(db: Database, steps: list[dict], uuids: _Uuids) -> list[dict]:
    """Each step with the rows it changed, as the hub stores them."""
    for s in steps:
        s.pop("merge_key", None)
        s["changes"] = []
        for table, before, after in db.execute(
                "SELECT tbl, before, after FROM journal_changes WHERE step_id = ? "
                "ORDER BY id", [s["id"]]):
            if table not in hub_schema.STATE_TABLES:
                continue        # a table the hub does not share (yet): stays local
            b = to_hub(table, json.loads(before) if before else None, uuids)
            a = to_hub(table, json.loads(after) if after else None, uuids)
            s["changes"].append((table, row_key(table, a or b), b, a))
    return steps


def _mark(db: Database, marks: list[tuple[str, int]], gone: set[tuple[str, str]]) -> None:
    """Mark steps pushed (or refused, or kept local); in the same
    transaction keep what the hub said it dropped in them (``gone``,
    :data:`GONE`), so the rows are deleted here even if the hub goes away
    (or the process is killed) before this push gets to it."""
    if marks:
        with write_transaction(db):
            db.conn.executemany("UPDATE journal_steps SET pushed_at = ? WHERE id = ?", marks)
            stored = _stored_gone(db)
            if not gone <= stored:
                set_meta(db, GONE, json.dumps(sorted(stored | gone)))
        marks.clear()


def _stored_gone(db: Database) -> set[tuple[str, str]]:
    """The dropped changes :data:`GONE` keeps."""
    return {(u, t) for u, t in json.loads(get_meta(db, GONE) or "[]")}


_INSERT_STEP = ("INSERT INTO dossier_hub.steps (uuid, seq, name, analyst, local_analyst, kind, "
                "created_at, pushed_at) VALUES (%s, 0, %s, '', %s, %s, %s, now()) "
                "ON CONFLICT (uuid) DO NOTHING RETURNING seq")
# (a step pushed again after a crash: its rows are there too, and skipped —
# never applied twice, the apply trigger runs only for rows inserted)
_INSERT_CHANGE = ("INSERT INTO dossier_hub.changes (step_uuid, n, seq, tbl, row_key, before, "
                  "after, owner) VALUES (%s, %s, 0, %s, %s, %s, %s, '') ON CONFLICT DO NOTHING")


def _change_rows(s: dict) -> list[tuple]:
    return [(s["uuid"], n, t, k, Jsonb(b) if b is not None else None,
             Jsonb(a) if a is not None else None) for n, (t, k, b, a) in enumerate(s["changes"])]


def _push_many(conn: psycopg.Connection, steps: list[dict], result: SyncResult) -> None:
    """Store steps and their rows (inside the caller's transaction) in one
    pipeline: everything is sent before any answer is awaited, so the push
    holds the hub's order lock for one round trip, not two a step."""
    cursors = []
    with conn.pipeline():
        for s in steps:
            cursor = conn.cursor()
            cursor.execute(_INSERT_STEP, [s["uuid"], s["name"], s["analyst"], s["kind"],
                                          s["created_at"]])
            cursors.append(cursor)
            if s["changes"]:
                conn.cursor().executemany(_INSERT_CHANGE, _change_rows(s))
    for cursor in cursors:
        if cursor.fetchone() is None:
            result.duplicates += 1      # pushed before a crash: already there
        else:
            result.pushed += 1


def _push_one(conn: psycopg.Connection, s: dict, result: SyncResult) -> None:
    """Store one step and its rows (inside the caller's transaction)."""
    stored = conn.execute(_INSERT_STEP, [s["uuid"], s["name"], s["analyst"], s["kind"],
                                         s["created_at"]]).fetchone()
    if stored is None:
        result.duplicates += 1      # pushed before a crash: already there
        return
    with conn.cursor() as cursor:
        cursor.executemany(_INSERT_CHANGE, _change_rows(s))
    result.pushed += 1


def push(db: Database, conn: psycopg.Connection, *, result: SyncResult | None = None,
         on_progress: Progress = None, per_transaction: int = 0,
         limit: int = 0) -> SyncResult:
    """Push every local step not yet pushed, oldest first (see the module
    docstring): up to ``per_transaction`` steps in one PostgreSQL
    transaction; if the hub refuses one, that group is pushed again one step
    a transaction, so only the refused step is refused. ``limit``: stop
    after about that many steps (``result.more`` says some wait). Raises
    :class:`HubOffline` if the hub goes away; what was pushed by then stays
    pushed (and marked), the rest goes next time."""
    result = result or SyncResult()
    per_transaction = per_transaction or PUSH_BATCH
    total = waiting(db)
    done = 0
    # (a push the hub left midway may have left some: dealt with below)
    gone: set[tuple[str, str]] = _stored_gone(db)
    heard = _hear_gone(gone)
    conn.add_notice_handler(heard)
    try:
        while True:
            steps = _take_steps(db, per_transaction)
            if not steps:
                break
            marks: list[tuple[str, int]] = []
            taken = len(steps)
            # an undo of a refused step takes back what the hub never had:
            # kept here, not pushed (the hub refused it as well)
            local = _undoes_refused(db, steps, set())
            if local:
                marks += [(f"{KEPT_LOCAL} {utc_now()}: undoes a step the hub refused", s["id"])
                          for s in local]
                steps = [s for s in steps if s not in local]
            try:
                attempt = SyncResult()
                with conn.transaction():
                    _push_many(conn, steps, attempt)
                result.pushed += attempt.pushed
                result.duplicates += attempt.duplicates
                marks += [(utc_now(), s["id"]) for s in steps]
            except psycopg.OperationalError:
                raise
            except psycopg.DatabaseError:
                refused_now: set[int] = set()
                for s in steps:
                    if _undoes_refused(db, [s], refused_now):
                        marks.append((f"{KEPT_LOCAL} {utc_now()}: undoes a step the hub "
                                      "refused", s["id"]))
                        continue
                    try:
                        with conn.transaction():
                            _push_one(conn, s, result)
                        marks.append((utc_now(), s["id"]))
                    except psycopg.OperationalError:
                        _mark(db, marks, gone)
                        raise
                    except psycopg.DatabaseError as error:
                        message = refusal_text(str(error).strip().splitlines()[0])
                        result.refused.append(f"“{s['name']}”: {message}")
                        marks.append((f"refused {utc_now()}: {message}", s["id"]))
                        refused_now.add(s["id"])
            _mark(db, marks, gone)
            done += taken
            if on_progress:
                on_progress("Pushing", done, total)
            if limit and done >= limit:
                result.more = result.more or waiting(db) > 0
                break
        _delete_gone(db, conn, gone, result)
    except psycopg.OperationalError as error:
        raise HubOffline(f"The hub went away while pushing: {str(error).strip()}") from error
    finally:
        conn.remove_notice_handler(heard)
        _report_gone(db, gone, result)
    return result


#: What the hub says of a change to a row deleted there (hub_schema.change_seq).
_GONE = re.compile(r"Dossier hub: step (\S+) changed a row of (\w+) deleted on the hub")
_ROW_NAMES = {"passages": "passage", "articles": "article", "tags": "tag"}


def _hear_gone(gone: set[tuple[str, str]]) -> Callable:
    """A notice handler adding to ``gone`` each (step uuid, table) whose
    change of a row deleted on the hub meanwhile the hub did not apply."""
    def heard(notice: psycopg.errors.Diagnostic) -> None:
        found = _GONE.match(notice.message_primary or "")
        if found:
            gone.add((found.group(1), found.group(2)))
    return heard


def _delete_gone(db: Database, conn: psycopg.Connection, gone: set[tuple[str, str]],
                 result: SyncResult) -> None:
    """Delete here, as one pulled step, the rows the hub did not change
    because they were deleted there (``gone``): a pull that came while this
    file's change of one waited kept it, and no later pull deletes it. A row
    a step not pushed yet still changes stays: that step goes next. Then
    :data:`GONE` is forgotten, in the same transaction."""
    uuids = {u for u, _ in gone}
    if not uuids:
        return
    rows = db.execute(
        "SELECT DISTINCT c.tbl, c.row_id FROM journal_changes c JOIN journal_steps s "
        "ON s.id = c.step_id WHERE s.uuid IN (SELECT value FROM json_each(?)) "
        "AND c.before IS NOT NULL AND c.after IS NOT NULL", [json.dumps(sorted(uuids))]
    ).fetchall()
    tables, unpushed, ids = {t for _, t in gone}, _unpushed_fields(db), _Uuids(db)
    keys = [(t, ids(t, r)) for t, r in rows if t in tables and (t, r) not in unpushed]
    keys = [(t, k) for t, k in keys if k and not conn.execute(
        "SELECT dossier_hub.row_exists(%s, %s)", [t, k]).fetchone()[0]]
    if not keys:
        _forget_gone(db)
        return
    applier = _Applier(db, conn, result)
    with write_transaction(db):
        marker = journal.new_origin()
        with journal.step(db, "Rows deleted on the hub", analyst="", origin=f"hub:{marker}",
                          kind=journal.PULLED, step_uuid=marker) as deleted:
            for table, key in sorted(keys, key=lambda tk: -_ORDER.get(tk[0], 9)):
                applier.delete(table, key)
        db.execute("UPDATE journal_steps SET pushed_at = 'pulled' WHERE id = ?", [deleted.id])
        _forget_gone(db)
    result.changes = result.changes | dataclasses.replace(deleted.changes, foreign=True)


def _forget_gone(db: Database) -> None:
    """Forget :data:`GONE` (dealt with), committing only if it was there."""
    if get_meta(db, GONE) is not None:
        with write_transaction(db):
            db.execute("DELETE FROM meta WHERE key = ?", [GONE])


def _report_gone(db: Database, gone: set[tuple[str, str]], result: SyncResult) -> None:
    """Say which pushed steps changed a row deleted on the hub meanwhile:
    those changes were not applied, and :func:`_delete_gone` deleted the
    row here too (a step the hub refused in the end is not named)."""
    for step_uuid, table in sorted(gone):
        row = db.execute("SELECT name FROM journal_steps WHERE uuid = ? AND pushed_at IS NOT "
                         "NULL AND pushed_at NOT LIKE 'refused%'", [step_uuid]).fetchone()
        if row:
            what = _ROW_NAMES.get(table, f"row of {table}")
            result.conflicts.append(
                f"“{row[0]}” changed a {what} deleted on the hub meanwhile: that change is "
                f"not applied, and the {what} goes from this file too.")
    gone.clear()


# -- pull -------------------------------------------------------------------
def _local_columns(db: Database, table: str) -> list[str]:
    cache = db.__dict__.setdefault("_hub_columns", {})
    if table not in cache:
        cache[table] = [r[1] for r in db.execute(f'PRAGMA table_info("{table}")')]
    return cache[table]


#: The hub's changes of tags that place a tag (an insert, a parent changed)
#: or delete one, up to a seq, in the hub's order (the fields the hub applies).
_PLACEMENTS = """SELECT seq, row_key, before IS NULL, after IS NULL, after->>'parent_uuid'
    FROM dossier_hub.changes WHERE tbl = 'tags' AND seq <= %s AND (before IS NULL
      OR after IS NULL OR (after ? 'parent_uuid'
                           AND before->'parent_uuid' IS DISTINCT FROM after->'parent_uuid'))
    ORDER BY seq, n"""


class _Codebook:
    """Which moves of tags, in the hub's order, would close a loop.

    The hub applies each change's changed field: Lea puts X under Y, Leo
    (not having pulled that) Y under X, and the hub's state holds both. The
    rule every file follows: the hub's changes of tags are replayed in its
    order, and a move that would put a tag under itself (under a tag that
    is, by then, below it) is void — the tag goes to the top level. Whether
    a move is void depends on the hub's history alone, not on when or in
    how many batches a file pulls, so every file reaches the same tree: the
    files of others (the pulled move is void), the mover's (which applied
    its move first: put right when the pull reaches it) and a new member's
    (the hub's current parents, less the void ones). A move under a tag
    deleted by then is void too: a pull puts the tag at the top level for
    good (:meth:`_Applier.parent`), and a restored parent (a lead's undo)
    does not take it back, in a new member's file either. So with the tags
    under a tag when it is deleted: a file applying the delete lifts them,
    and so does every file at that step of the hub's order (:attr:`orphaned`),
    one that pulls the undo with the delete included (it applies neither)."""

    def __init__(self, void: set[tuple[int, str]] | None = None,
                 lifted: set[str] | None = None,
                 under_deleted: set[str] | None = None,
                 orphaned: dict[int, dict[str, str]] | None = None) -> None:
        #: (seq, tag uuid) of each void move
        self.void = void or set()
        #: by the seq of a tag's delete, the tags it lifts (uuid → its uuid)
        self.orphaned = orphaned or {}
        #: tags whose current place on the hub is a void move: at the top
        self.lifted = lifted or set()
        #: tags whose void move was under a tag deleted by then (not a loop)
        self.under_deleted = under_deleted or set()

    @classmethod
    def read(cls, conn: psycopg.Connection, upto: int) -> _Codebook:
        """The void moves in the hub's history up to seq ``upto``."""
        parents: dict[str, str | None] = {}
        void: set[tuple[int, str]] = set()
        lifted: set[str] = set()
        # tags deleted by then (a parent deleted, then inserted again by an
        # undo, is out of it again; one not inserted yet is not in it)
        gone: set[str] = set()
        under_deleted: set[str] = set()
        orphaned: dict[int, dict[str, str]] = {}
        for seq, key, inserted, deleted, parent in conn.execute(_PLACEMENTS, [upto]):
            if deleted:
                parents.pop(key, None)
                lifted.discard(key)
                gone.add(key)
                for child in [c for c, p in parents.items() if p == key]:
                    parents[child] = None
                    lifted.add(child)
                    under_deleted.add(child)
                    orphaned.setdefault(seq, {})[child] = key
                continue
            if not inserted and key not in parents:
                continue        # the hub never recreates a deleted row by an update
            gone.discard(key)
            if parent in gone:
                under_deleted.add(key)
            if parent in gone or key in ancestor_chain(parents, parent):
                void.add((seq, key))
                lifted.add(key)
                parent = None
            else:
                lifted.discard(key)
            parents[key] = parent
        return cls(void, lifted, under_deleted, orphaned)

    def void_at(self, seq: int) -> set[str]:
        """The tags whose move by the hub's step ``seq`` is void."""
        return {key for at, key in self.void if at == seq}


def ancestor_chain(parents: dict[str, str | None], start: str | None) -> set[str]:
    """``start`` and every tag above it in ``parents`` (tag → parent); a
    parent the map lacks (deleted) ends the chain."""
    seen: set[str] = set()
    while start is not None and start not in seen:
        seen.add(start)
        start = parents.get(start)
    return seen


def _moves_tags(by_seq: dict[int, list]) -> bool:
    """Whether pulled changes (``by_seq``) put a tag under another or delete
    one (only then can one close a loop, or lift a tag: :class:`_Codebook`)."""
    return any(table == "tags" and (after is None or after.get("parent_uuid")
                                    and (fields is None or "parent_uuid" in fields))
               for changes in by_seq.values() for table, _, after, fields, *_ in changes)


class _Applier:
    """Writes hub rows into the local file (inside an open step or an
    unrecorded transaction), resolving uuids to local ids and fetching rows
    the local file lacks from the hub's current state."""

    def __init__(self, db: Database, conn: psycopg.Connection, result: SyncResult) -> None:
        self.db, self.conn, self.result = db, conn, result
        self.ids: dict[tuple[str, str], int] = {}
        self.text_changed: set[int] = set()
        self.passages_written: set[int] = set()
        #: tags moved under a tag deleted by then (:attr:`_Codebook.under_deleted`)
        self.under_deleted: set[str] = set()
        #: tags under a temporary name (:meth:`_make_room`): local id → name before
        self.temporary: dict[int, str] = {}
        self._hub_version: int | None = None

    def local_id(self, table: str, key: str) -> int | None:
        if (table, key) in self.ids:
            return self.ids[(table, key)]
        if table in KEYED:
            where, values = [], []
            for column, value in zip(KEYED[table], key.split("\x1f")):
                if column.endswith("_uuid"):
                    local = column.removesuffix("_uuid") + "_id"
                    value = self.local_id(REFERENCES[table][local], value)
                    if value is None:
                        return None
                    column = local
                where.append(f'"{column}" = ?')
                values.append(value)
            row = self.db.execute(f'SELECT rowid FROM "{table}" WHERE {" AND ".join(where)}',
                                  values).fetchone()
        else:
            row = self.db.execute(f'SELECT id FROM "{table}" WHERE uuid = ?', [key]).fetchone()
        if row is None:
            return None
        self.ids[(table, key)] = row[0]
        return row[0]

    def _hub_row(self, table: str, key: str) -> tuple[dict | None, bool]:
        """The hub's row ``key``: ``(its data, True)``; deleted there, ``(its
        last known state, False)``; never there, ``(None, False)``."""
        row = self.conn.execute(sql.SQL("SELECT data FROM dossier_hub.{} WHERE key = %s")
                                .format(sql.Identifier(table)), [key]).fetchone()
        if row is not None:
            return row[0], True
        row = self.conn.execute(
            "SELECT before FROM dossier_hub.changes WHERE tbl = %s AND row_key = %s "
            "AND before IS NOT NULL ORDER BY seq DESC LIMIT 1", [table, key]).fetchone()
        return (row[0] if row else None), False

    def resolve(self, table: str, key: str | None) -> int | None:
        """The local id of a referenced row, fetched from the hub if missing
        (its current state, or — deleted there — its last known one)."""
        if key is None:
            return None
        found = self.local_id(table, key)
        if found is not None:
            return found
        data, current = self._hub_row(table, key)
        if data is None:
            return None
        if not current:
            if table == "tags":
                data = {**data, "name": flagged(data["name"])}
                self.result.conflicts.append(
                    f"The tag “{data['name'].removesuffix(DELETED_MARK)}” was deleted on the "
                    f"hub; passages with it stay, under “{data['name']}”.")
        return self.upsert(table, key, data)

    def parent(self, key: str, parent: str | None, name: str | None = None) -> int | None:
        """The local id of the tag that tag ``key`` (named ``name``, if the
        pulled row says) goes under: its ``parent`` — or the top level when
        the hub deleted that parent (a lead put the tag under a category
        another deleted meanwhile): the parent is not brought back, as
        deleting a tag lifts the children it had; said."""
        if parent is None:
            return None
        found = self.local_id("tags", parent)
        if found is not None:
            return found
        data, current = self._hub_row("tags", parent)
        if current or data is None:
            return self.resolve("tags", parent)
        self._said_lifted(name or self._tag_name(key), data.get("name", ""))
        return None

    def _tag_name(self, key: str) -> str:
        """A tag's name, from the local file or else the hub."""
        row = self.db.execute("SELECT name FROM tags WHERE uuid = ?", [key]).fetchone()
        if row:
            return row[0]
        data, _ = self._hub_row("tags", key)
        return (data or {}).get("name", "")

    def _said_lifted(self, child: str, parent: str) -> None:
        self.result.conflicts.append(
            f"The tag “{child}” was put under “{parent.removesuffix(DELETED_MARK)}”, deleted "
            "on the hub meanwhile: it stays, at the top level of the codebook.")

    def said_looped(self, key: str, parent: str | None) -> None:
        """Say that tag ``key``, moved under tag ``parent``, stays at the top
        (``parent`` was deleted by then, if :attr:`under_deleted` names it)."""
        if key in self.under_deleted:
            self._said_lifted(self._tag_name(key), self._tag_name(parent or ""))
            return
        self.result.conflicts.append(
            f"The tag “{self._tag_name(key).removesuffix(DELETED_MARK)}” was moved under "
            f"“{self._tag_name(parent or '').removesuffix(DELETED_MARK)}”, which a colleague "
            "had put under it meanwhile: it stays, at the top level of the codebook.")

    def own_move(self, key: str, parent: str | None,
                 void: bool) -> tuple[int, int | None] | None:
        """This file's own move of tag ``key`` under ``parent``, pulled back
        from the hub: ``(the tag's id, the tag it goes under)`` where the
        hub's order puts it and the file does not have it — at the top if
        the move is void (a colleague's earlier move made it a loop), else
        under ``parent`` (where :meth:`break_own_loop` may have lifted it
        from before it was pushed); None if the file has it there."""
        local = self.local_id("tags", key)
        target = None if void else self.local_id("tags", parent) if parent else None
        if local is None or (parent and not void and target is None):
            return None         # gone here, or its parent is: nothing to put right
        now = self.db.execute("SELECT parent_id FROM tags WHERE id = ?", [local]).fetchone()[0]
        return None if now == target else (local, target)

    def break_own_loop(self, tag_id: int, unpushed: dict) -> None:
        """A pulled move just put tag ``tag_id`` under a tag that this
        analyst, in a step not pushed yet, had put under it: a loop here.
        That step goes to the hub later, where it is the move that closes
        the loop (:class:`_Codebook`): its tag goes to the top level now, as
        it will everywhere (the newest such step's, if several). A loop made
        with one of this file's pushed steps is left to the pull, which
        reaches that step next."""
        parent = self.db.execute("SELECT parent_id FROM tags WHERE id = ?",
                                 [tag_id]).fetchone()[0]
        chain = ancestor_ids(self.db, parent)
        if tag_id not in chain:
            return
        own = [t for t in chain if ("tags", t) in unpushed and _own_field(unpushed, t)]
        if not own:
            return
        newest = self.db.execute(
            "SELECT c.row_id FROM journal_changes c JOIN journal_steps s ON s.id = c.step_id "
            "WHERE c.tbl = 'tags' AND s.pushed_at IS NULL AND s.kind IN ('do', 'undo', 'redo') "
            "AND s.origin NOT LIKE 'hub:%' AND json_extract(c.before, '$.parent_id') IS NOT "
            f"json_extract(c.after, '$.parent_id') AND c.row_id IN ({','.join('?' * len(own))}) "
            "ORDER BY c.id DESC LIMIT 1", own).fetchone()
        newest = newest[0] if newest else own[0]
        key, under = self.db.execute(
            "SELECT t.uuid, p.uuid FROM tags t JOIN tags p ON p.id = t.parent_id "
            "WHERE t.id = ?", [newest]).fetchone()
        self.db.execute("UPDATE tags SET parent_id = NULL WHERE id = ?", [newest])
        self.said_looped(key, under)

    def local_state(self, table: str, data: dict, key: str | None = None) -> dict:
        """``data`` (a hub row, or some fields of one) as the local columns
        hold it: references resolved to local ids (a tag's parent by
        :meth:`parent`, ``key`` naming the tag)."""
        columns = set(_local_columns(self.db, table)) - LOCAL_ONLY
        out = {k: v for k, v in data.items() if k in columns}
        for column, other in REFERENCES.get(table, {}).items():
            ref = column.removesuffix("_id") + "_uuid"
            if ref not in data:
                continue
            if table == "tags" and column == "parent_id" and key is not None:
                out[column] = self.parent(key, data[ref], data.get("name"))
            else:
                out[column] = self.resolve(other, data[ref])
        if table == "articles" and "source" in out:
            # a hub holds sources as older files pushed them (" VOD "):
            # stored trimmed here, as the source filter compares them
            out["source"] = stored_source(out["source"])
        return out

    def _adopt(self, table: str, key: str, state: dict) -> int | None:
        """A local row that is the same one under another uuid (a tag of the
        same name, an article with the same text): it takes the hub's uuid.
        A tag only if the hub never had its uuid (a joining file's own tag,
        or one not pushed yet): a tag the hub has is another tag of the
        team's, which the hub named apart (:meth:`_make_room`)."""
        if table == "tags" and "name" in state:
            tag = find_tag(self.db, state["name"])
            if tag is None or (tag["uuid"] and self._hub_row("tags", tag["uuid"])[0]
                               is not None):
                return None
            return tag["id"]
        if table == "articles" and "text_hash" in state:
            row = self.db.execute("SELECT id FROM articles WHERE text_hash = ?",
                                  [state["text_hash"]]).fetchone()
            return row[0] if row else None
        return None

    def _later_named(self, keys: list[str]) -> str | None:
        """Of tags ``keys`` holding one name on a hub from before version 8,
        the one the hub inserted last (it gives way, in every file and in
        the hub's upgrade: hub_schema._DUPLICATE_TAGS_SQL)."""
        row = self.conn.execute(
            "SELECT row_key FROM dossier_hub.changes WHERE tbl = 'tags' AND row_key = ANY(%s) "
            "AND before IS NULL ORDER BY seq DESC, row_key DESC LIMIT 1", [keys]).fetchone()
        return row[0] if row else max(keys)

    def _say(self, line: str) -> None:
        """Report ``line`` once (two tags making room may meet twice in a sync)."""
        if line not in self.result.conflicts:
            self.result.conflicts.append(line)

    def _said_renamed(self, old: str, new: str, tag_id: int | None = None) -> None:
        """Say that tag ``tag_id`` (here ``old``) takes its hub name ``new``:
        from the name it had before a temporary one (:meth:`_make_room`)."""
        old = self.temporary.pop(tag_id, old)
        if old != new:
            self._say(f"The tag “{old}” is called “{new}” on the hub: another tag of the "
                      "team's codebook has its name (two tags cannot share one).")

    def said_temporary(self) -> None:
        """Say the tags still under a temporary name at the end of a pull
        (none, when the hub's names reached the file)."""
        for tag_id in list(self.temporary):
            row = self.db.execute("SELECT name FROM tags WHERE id = ?", [tag_id]).fetchone()
            if row:
                self._said_renamed(row[0], row[0], tag_id)
        self.temporary.clear()

    def _tells_apart(self) -> bool:
        """Whether the hub gives a tag pushed under a taken name a free one
        (version 8 or later)."""
        if self._hub_version is None:
            self._hub_version = int(self.conn.execute(hub_schema.VERSION_SQL).fetchone()[0])
        return self._hub_version >= 8

    def _local_name(self, tag_id: int) -> str:
        return self.db.execute("SELECT name FROM tags WHERE id = ?", [tag_id]).fetchone()[0]

    def _said_apart(self, old: str, new: str) -> None:
        self._say(
            f"Two tags were called “{old}”: one is “{new}” in this file (a hub made "
            "before Dossier told them apart holds both under one name: its owner's "
            "`dossier hub upgrade` renames them so everywhere).")

    def _make_room(self, key: str, local: int | None, name: str) -> str:
        """The name tag ``key`` (local id ``local``, if here) takes, ``name``
        as the hub says, when another local tag has that name (as the
        codebook compares names: storage.tags.name_key) — the file cannot
        hold both. The other gives way, said: to its name on the hub (which
        renamed it when it was pushed after this one, version 8), or to a
        free name (a tag the hub never had). On a hub from before version
        8 holding both under that name, the one inserted later there does."""
        other = find_tag(self.db, name)
        if other is None or other["id"] == local:
            return name
        # tag ``key`` leaves its local name for ``name``: that one is free
        taken = {name_key(n) for i, n in self.db.execute("SELECT id, name FROM tags")
                 if i not in (other["id"], local)} | {name_key(name)}
        data, current = (self._hub_row("tags", other["uuid"]) if other["uuid"]
                         else (None, False))
        if current and name_key(data["name"]) == name_key(name) \
                and self._later_named([key, other["uuid"]]) == key:
            taken = {name_key(n) for i, n in self.db.execute("SELECT id, name FROM tags")
                     if i != local}
            new = free_tag_name(name, taken)
            if local is None or new != self._local_name(local):
                self._said_apart(name, new)
            return new
        if current and name_key(data["name"]) not in taken:
            new = data["name"]
            self._said_renamed(other["name"], new, other["id"])
        elif current and self._tells_apart():
            # its hub name is held here by a tag this pull renames later: a
            # temporary name meanwhile, the rename to the hub's said then
            new = free_tag_name(other["name"], taken)
            self.temporary.setdefault(other["id"], other["name"])
        else:
            new = free_tag_name(other["name"], taken)
            self._said_apart(other["name"], new)
        self.db.execute("UPDATE tags SET name = ? WHERE id = ?", [new, other["id"]])
        return name

    def _anchor(self, state: dict) -> None:
        """A passage arriving for an article whose text is not the one it
        was tagged on (edited since, here or there): re-anchored on arrival,
        flagged orphaned if its words are gone."""
        from storage.passages import CONTEXT_CHARS

        if "start" not in state:
            return
        row = self.db.execute(
            "SELECT substr(text, ? + 1, ? - ?) IS ? FROM articles WHERE id = ?",
            [state["start"], state["end"], state["start"], state.get("text"),
             state.get("article_id")]).fetchone()
        if row is None or row[0]:
            return          # no such article, or the words are where they were tagged
        text = self.db.execute("SELECT text FROM articles WHERE id = ?",
                               [state["article_id"]]).fetchone()[0]
        found = reanchor(text, start=state["start"], exact=state.get("text") or "",
                         prefix=state.get("prefix") or "", suffix=state.get("suffix") or "")
        if found is None:
            state["anchor"] = "orphaned"
            self.result.conflicts.append(
                f"The passage “{(state.get('text') or '')[:40]}” lost its words in an edited "
                "text: kept, flagged orphaned.")
            return
        start, end = found
        state.update(start=start, end=end, prefix=text[max(0, start - CONTEXT_CHARS):start],
                     suffix=text[end:end + CONTEXT_CHARS], anchor="moved")

    def _unplaceable(self, table: str, data: dict, state: dict) -> bool:
        """Whether ``data`` is a passage whose tag or article the hub never
        had (a hub before version 3 took one from a file holding a tag of
        its own): left out and reported — stored, it would stop every
        member's pull, as a passage needs both."""
        if table != "passages":
            return False
        missing = [name for name in ("tag", "article")
                   if f"{name}_uuid" in data and state.get(f"{name}_id") is None]
        if missing:
            self.result.conflicts.append(
                f"A passage by {data.get('analyst') or 'someone'} "
                f"(“{(data.get('text') or '')[:40]}”) is on the hub with a "
                f"{' and an '.join(missing)} the hub never had: left out of this file.")
        return bool(missing)

    def _with_local(self, table: str, local: int, state: dict) -> dict:
        """``state`` (some fields of a passage) completed from the local row,
        so that a move arriving alone is checked against the local text."""
        if table != "passages" or "start" not in state:
            return state
        names = ("article_id", "start", "end", "text", "prefix", "suffix")
        row = self.db.execute(f'SELECT {", ".join(f"{chr(34)}{c}{chr(34)}" for c in names)} '
                              "FROM passages WHERE id = ?", [local]).fetchone()
        return {**dict(zip(names, row)), **state}

    def upsert(self, table: str, key: str, data: dict,
               fields: set[str] | None = None) -> int | None:
        """Make the local row ``key`` hold ``data`` — only its ``fields``
        (hub keys) if given and the row is here, the others staying as they
        are; returns its local id (None: a passage that cannot be placed,
        :meth:`_unplaceable`)."""
        local = self.local_id(table, key)
        if fields is not None and local is not None:
            data = {k: v for k, v in data.items() if k in fields}
        state = self.local_state(table, data, key)
        if self._unplaceable(table, data, state):
            return None
        if table == "passages":
            if fields is not None and local is not None:
                state = self._with_local(table, local, state)
            self._anchor(state)
        if local is None and table not in KEYED:
            local = self._adopt(table, key, state)
        if table == "tags" and "name" in state:
            state["name"] = self._make_room(key, local, state["name"])
        if table == "articles" and local is not None and "text" in state:
            old = self.db.execute("SELECT text FROM articles WHERE id = ?", [local]).fetchone()
            if old and old[0] != state["text"]:
                self.text_changed.add(local)
        if local is None:
            names = list(state)
            local = self.db.execute(row_ids.insert_sql(self.db, table, names),
                                    [state[c] for c in names]).lastrowid
        elif state:
            where = "rowid = ?"
            self.db.execute(
                f'UPDATE "{table}" SET {", ".join(f"{chr(34)}{c}{chr(34)} = ?" for c in state)} '
                f"WHERE {where}", [*state.values(), local])
        self.ids[(table, key)] = local
        if table == "passages" and "start" in state:
            self.passages_written.add(local)    # placed by this step: not re-anchored
        return local

    def insert_new(self, table: str, rows: list[tuple[str, dict]]) -> None:
        """Rows ``(key, data)`` of a ``table`` that was empty when the first
        sync began: there is nothing to match them with, so nothing is looked
        up — they are inserted together (a table with an ``id`` gives them
        the next ids in turn, remembered for the rows that refer to them),
        and inserted passages are checked against their articles' texts in
        one query afterwards (re-anchored where the words moved)."""
        if not rows:
            return
        has_id = "id" in _local_columns(self.db, table)
        next_id = row_ids.next_id(self.db, table)
        first = next_id
        groups: dict[tuple[str, ...], list[tuple]] = {}
        names = self._names_apart(rows) if table == "tags" else {}
        for key, data in rows:
            state = self.local_state(table, data, key)
            if key in names:
                state["name"] = names[key]
            if self._unplaceable(table, data, state):
                continue
            if has_id:
                state["id"] = next_id
                self.ids[(table, key)] = next_id
            else:       # (ids never given twice: a keyed table's rowids too)
                state["rowid"] = next_id
            next_id += 1
            groups.setdefault(tuple(state), []).append(tuple(state.values()))
        for names, values in groups.items():
            self.db.conn.executemany(
                f'INSERT INTO "{table}" ({", ".join(f"{chr(34)}{c}{chr(34)}" for c in names)}) '
                f'VALUES ({", ".join("?" * len(names))})', values)
        if table == "passages" and has_id:
            for pid, *values in self.db.execute(
                    "SELECT p.id, p.article_id, p.start, p.end, p.text, p.prefix, p.suffix "
                    "FROM passages p JOIN articles a ON a.id = p.article_id "
                    "WHERE p.id BETWEEN ? AND ? "
                    "AND substr(a.text, p.start + 1, p.end - p.start) IS NOT p.text",
                    [first, next_id - 1]).fetchall():
                state = dict(zip(("article_id", "start", "end", "text", "prefix", "suffix"),
                                 values))
                self._anchor(state)
                self.db.execute(
                    "UPDATE passages SET start = ?, end = ?, prefix = ?, suffix = ?, "
                    "anchor = ? WHERE id = ?", [state["start"], state["end"], state["prefix"],
                                                state["suffix"], state.get("anchor", "ok"),
                                                pid])

    def _names_apart(self, rows: list[tuple[str, dict]]) -> dict[str, str]:
        """Tags among ``rows`` (a snapshot's, into an empty codebook) that a
        hub from before version 8 holds under one name: each but the first
        the hub inserted gets a free name here (as :meth:`_make_room` and
        the hub's upgrade do), said. By tag uuid."""
        by_name: dict[str, list[str]] = {}
        for key, data in rows:
            by_name.setdefault(name_key(data["name"]), []).append(key)
        names = {key: data["name"] for key, data in rows}
        if all(len(keys) == 1 for keys in by_name.values()):
            return {}
        taken = set(by_name)
        out: dict[str, str] = {}
        for keys in (k for k in by_name.values() if len(k) > 1):
            while len(keys) > 1:
                later = self._later_named(keys)
                keys.remove(later)
                out[later] = free_tag_name(names[later], taken)
                taken.add(name_key(out[later]))
                self._said_apart(names[later], out[later])
        return out

    def delete(self, table: str, key: str) -> None:
        local = self.local_id(table, key)
        if local is None:
            return
        if table == "tags" and self.db.execute(
                "SELECT 1 FROM passages WHERE tag_id = ? LIMIT 1", [local]).fetchone():
            name = self.db.execute("SELECT name FROM tags WHERE id = ?", [local]).fetchone()[0]
            marked = flagged(name)
            if marked != name:
                self.db.execute("UPDATE tags SET name = ? WHERE id = ?", [marked, local])
            self.result.conflicts.append(
                f"The tag “{name.removesuffix(DELETED_MARK)}” was deleted on the hub while "
                f"passages here use it: they stay, under “{marked}”.")
            return
        if table == "tags":
            self._lift_children(local)
        if table in KEYED:
            self.db.execute(f'DELETE FROM "{table}" WHERE rowid = ?', [local])
        else:
            self.db.execute(f'DELETE FROM "{table}" WHERE id = ?', [local])
        self.ids.pop((table, key), None)

    def _lift_children(self, tag_id: int) -> None:
        """Tags still under tag ``tag_id``, which a pulled step deletes, go
        to the top level (``tags.parent_id`` has no foreign key: left, they
        would name a tag that is gone). The deleting file lifted the
        children it knew of in the same step; these were put under it
        elsewhere meanwhile: said."""
        children = self.db.execute("SELECT id, name FROM tags WHERE parent_id = ?",
                                   [tag_id]).fetchall()
        if not children:
            return
        parent = self.db.execute("SELECT name FROM tags WHERE id = ?", [tag_id]).fetchone()[0]
        self.db.execute("UPDATE tags SET parent_id = NULL WHERE parent_id = ?", [tag_id])
        for _, name in children:
            self._said_lifted(name, parent)

    def reanchor_others(self) -> None:
        """Passages of articles whose text a pulled step changed, not moved
        by that step: re-anchored on the new text, orphans flagged."""
        from storage.passages import CONTEXT_CHARS

        now = utc_now()
        for article_id in self.text_changed:
            text = self.db.execute("SELECT text FROM articles WHERE id = ?",
                                   [article_id]).fetchone()[0]
            for pid, start, end, exact, prefix, suffix in self.db.execute(
                    "SELECT id, start, end, text, prefix, suffix FROM passages "
                    "WHERE article_id = ?", [article_id]).fetchall():
                if pid in self.passages_written:
                    continue
                found = reanchor(text, start=start, exact=exact, prefix=prefix, suffix=suffix)
                if found is None:
                    self.db.execute("UPDATE passages SET anchor = 'orphaned', updated_at = ? "
                                    "WHERE id = ?", [now, pid])
                    self.result.conflicts.append(
                        f"The passage “{exact[:40]}” lost its words in a text edited on the "
                        "hub: kept, flagged orphaned.")
                    continue
                s, e = found
                self.db.execute(
                    "UPDATE passages SET start = ?, end = ?, prefix = ?, suffix = ?, anchor = ?, "
                    "updated_at = ? WHERE id = ?",
                    [s, e, text[max(0, s - CONTEXT_CHARS):s], text[e:e + CONTEXT_CHARS],
                     "moved" if (s, e) != (start, end) else "ok", now, pid])
        self.text_changed.clear()


#: Blind for this member, and how many steps there are after a seq (one round trip).
_PULL_STATUS = ("SELECT dossier_hub.blind() AND NOT dossier_hub.is_lead(), "
                "(SELECT count(*) FROM dossier_hub.steps WHERE seq > %s)")
_STEPS_AFTER = ("SELECT uuid::text, seq, name, analyst, local_analyst, kind "
                "FROM dossier_hub.steps WHERE seq > %s ORDER BY seq LIMIT %s")
# per change: the fields an update changed (NULL: an insert or a delete,
# the whole row), whether a later insert or delete replaced the whole row,
# the fields later updates changed, and who made the latest later change
# (the later write wins field by field; fields computed inline, so that a
# hub not yet upgraded serves this Dossier too)
_CHANGES_BETWEEN = """SELECT c.seq, c.tbl, c.row_key, c.after,
    CASE WHEN c.before IS NOT NULL AND c.after IS NOT NULL THEN ARRAY(
      SELECT e.k FROM jsonb_each(c.after) AS e(k, v) WHERE c.before->e.k IS DISTINCT FROM e.v)
    END AS fields,
    EXISTS (SELECT 1 FROM dossier_hub.changes l WHERE l.tbl = c.tbl AND l.row_key = c.row_key
            AND l.seq > c.seq AND (l.before IS NULL OR l.after IS NULL)) AS superseded,
    ARRAY(SELECT DISTINCT e.k FROM dossier_hub.changes l, jsonb_each(l.after) AS e(k, v)
          WHERE l.tbl = c.tbl AND l.row_key = c.row_key AND l.seq > c.seq
          AND l.before IS NOT NULL AND l.before->e.k IS DISTINCT FROM e.v) AS later,
    (SELECT s.analyst FROM dossier_hub.changes l JOIN dossier_hub.steps s ON s.uuid = l.step_uuid
     WHERE l.tbl = c.tbl AND l.row_key = c.row_key AND l.seq > c.seq
     ORDER BY l.seq DESC LIMIT 1) AS by
    FROM dossier_hub.changes c WHERE c.seq > %s AND c.seq <= %s ORDER BY c.seq, c.n"""
#: Tables applied parents first, children deleted first.
_ORDER = {t: i for i, t in enumerate(hub_schema.STATE_TABLES)}


def pull(db: Database, conn: psycopg.Connection, *, result: SyncResult | None = None,
         on_progress: Progress = None, batch: int = BATCH, limit: int = 0) -> SyncResult:
    """Apply the steps others pushed since the last pull (see the module
    docstring); ``result.changes`` says what changed locally. ``limit``:
    stop after about that many steps (``result.more`` says some wait)."""
    result = result or SyncResult()
    try:
        blind, total = conn.execute(_PULL_STATUS, [int(get_meta(db, LAST_SEQ, "0"))]).fetchone()
        _catch_up_revealed(db, conn, result, blind)
        done = 0
        while total:
            last = int(get_meta(db, LAST_SEQ, "0"))
            with conn.transaction():
                steps = conn.execute(_STEPS_AFTER, [last, batch]).fetchall()
                if not steps:
                    break
                rows = conn.execute(_CHANGES_BETWEEN, [last, steps[-1][1]]).fetchall()
                by_seq: dict[int, list] = {}
                for seq, *change in rows:
                    by_seq.setdefault(seq, []).append(tuple(change))
                _apply_steps(db, conn, steps, by_seq, result)
            done += len(steps)
            result.applied.append((time.time(), steps[-1][1]))
            if on_progress:
                on_progress("Pulling", done, total)
            if len(steps) < batch:
                break           # the last batch: no need to ask again
            if limit and done >= limit:
                result.more = True
                break
        result.last_seq = int(get_meta(db, LAST_SEQ, "0"))
    except psycopg.OperationalError as error:
        raise HubOffline(f"The hub went away while pulling: {str(error).strip()}") from error
    return result


#: Passages read from the hub, and compared with the file's, at a time in a
#: reveal (:func:`_catch_up_revealed`).
REVEAL_BATCH = 2000


def _catch_up_revealed(db: Database, conn: psycopg.Connection, result: SyncResult,
                       blind: bool) -> None:
    """Blind coding turned off by a lead since the last pull, or this member
    allowed to see every passage now (made a lead); ``blind``: is it on for
    this member now. The changes it hid (others' passages, and changes of
    them) were pulled as steps without them, so the local passages are
    brought in line with the hub's current state, as one pulled step:
    those the file lacks are copied, those it has take the hub's fields
    that differ (a move, a note), and those the hub had and no longer has
    are deleted. What this analyst changed in steps not pushed yet stays
    (it goes up next and wins, as in :func:`_apply_change`). Both sides
    are read :data:`REVEAL_BATCH` passages at a time, in one snapshot of
    the hub: a big hub is never held in memory at once."""
    was_blind = get_meta(db, BLIND, "off") == "on"
    if blind or not was_blind:
        _set_meta(db, BLIND, "on" if blind else "off")
        return
    applier = _Applier(db, conn, result)
    conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
    try:
        with write_transaction(db):
            unpushed = _unpushed_fields(db)
            last_id = db.execute("SELECT ifnull(max(id), 0) FROM passages").fetchone()[0]
            marker = journal.new_origin()
            with journal.step(db, "Passages revealed by the lead", analyst="",
                              origin=f"hub:{marker}", kind=journal.PULLED,
                              step_uuid=marker) as revealed:
                _take_hub_passages(db, conn, applier, unpushed)
                _delete_passages_gone(db, conn, applier, unpushed, last_id)
            db.execute("UPDATE journal_steps SET pushed_at = 'pulled' WHERE id = ?",
                       [revealed.id])
            set_meta(db, BLIND, "off")
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK") if not conn.closed else None
        raise
    result.changes = result.changes | dataclasses.replace(revealed.changes, foreign=True)


def _take_hub_passages(db: Database, conn: psycopg.Connection, applier: _Applier,
                       unpushed: dict) -> None:
    """Every passage the hub has, read through a server-side cursor
    :data:`REVEAL_BATCH` at a time, into the file: copied if it lacks it,
    else the fields that differ and this analyst has not changed since."""
    uuids = _Uuids(db)
    with conn.cursor(name="dossier_reveal") as cursor:
        cursor.itersize = REVEAL_BATCH
        cursor.execute("SELECT key, data FROM dossier_hub.passages")
        while rows := cursor.fetchmany(REVEAL_BATCH):
            here = _local_passages(db, [key for key, _ in rows], uuids)
            for key, data in rows:
                if key not in here:
                    applier.upsert("passages", key, data)
                    continue
                row_id, state = here[key]
                own = unpushed.get(("passages", row_id), set())
                if own is None:
                    continue        # inserted or deleted here, not pushed yet
                differ = {k for k, v in data.items() if k in state and state[k] != v} - own
                if differ:
                    applier.upsert("passages", key, data, differ)


def _delete_passages_gone(db: Database, conn: psycopg.Connection, applier: _Applier,
                          unpushed: dict, last_id: int) -> None:
    """The file's passages (up to ``last_id``: those it had before the
    reveal), :data:`REVEAL_BATCH` at a time, that the hub had and no longer
    has: deleted, unless a step not pushed yet changed them."""
    after = 0
    while rows := db.execute("SELECT id, uuid FROM passages WHERE id > ? AND id <= ? "
                             "ORDER BY id LIMIT ?", [after, last_id, REVEAL_BATCH]).fetchall():
        after = rows[-1][0]
        ids = {key: row_id for row_id, key in rows}
        on_hub = {key for (key,) in conn.execute(
            "SELECT key FROM dossier_hub.passages WHERE key = ANY(%s)", [list(ids)])}
        for key in _deleted_on_hub(conn, [key for key in ids if key not in on_hub]):
            if ("passages", ids[key]) not in unpushed:
                applier.delete("passages", key)


def _local_passages(db: Database, keys: list[str],
                    uuids: _Uuids) -> dict[str, tuple[int, dict]]:
    """The local passages of uuids ``keys`` by uuid: each one's id and its
    state as the hub stores it (references as uuids), to be compared with
    the hub's."""
    cursor = db.execute("SELECT * FROM passages WHERE uuid IN (SELECT value FROM json_each(?))",
                        [json.dumps(keys)])
    names = [d[0] for d in cursor.description]
    out = {}
    for row in cursor.fetchall():
        state = dict(zip(names, row))
        out[state["uuid"]] = (state["id"], to_hub("passages", state, uuids))
    return out


def _deleted_on_hub(conn: psycopg.Connection, keys: list[str]) -> list[str]:
    """Which of the passages ``keys`` (none of them on the hub now) the hub
    had: deleted there. The others never reached it (refused, or not
    pushed yet) and stay."""
    if not keys:
        return []
    return [key for (key,) in conn.execute(
        "SELECT DISTINCT row_key FROM dossier_hub.changes WHERE tbl = 'passages' "
        "AND row_key = ANY(%s)", [keys])]


def _apply_steps(db: Database, conn: psycopg.Connection, steps, by_seq, result) -> None:
    """One SQLite transaction: each hub step as a local ``pulled`` step (its
    own uuid, so it is recognised), and the new last sequence number."""
    applier = _Applier(db, conn, result)
    codebook = _Codebook.read(conn, steps[-1][1]) if _moves_tags(by_seq) else _Codebook()
    applier.under_deleted = codebook.under_deleted
    with write_transaction(db):
        # rows this analyst changed and has not pushed yet: theirs will be the
        # later write on the hub, so the local row keeps the fields they changed
        unpushed = _unpushed_fields(db)
        # this analyst's own steps (or pulled before a crash): one query
        known = _known_steps(db, [s[0] for s in steps])
        db.execute("PRAGMA defer_foreign_keys = ON")
        batch = journal.PulledSteps(db)
        for step_uuid, seq, name, analyst, local_analyst, kind in steps:
            void = codebook.void_at(seq)
            orphans = codebook.orphaned.get(seq, {})
            if step_uuid in known:
                _settle_own_moves(applier, batch, unpushed, name, by_seq.get(seq, []), void)
                _settle_own_names(applier, batch, unpushed, by_seq.get(seq, []))
                _settle_orphans(applier, batch, unpushed, orphans)
                continue
            changes = sorted(by_seq.get(seq, []), key=lambda c: (
                c[2] is None, _ORDER.get(c[0], 9) * (-1 if c[2] is None else 1)))
            with batch.step(name, analyst=local_analyst or analyst,
                            origin=f"hub:{step_uuid}", step_uuid=step_uuid):
                for change in changes:
                    _apply_change(applier, unpushed, name, analyst, change, void)
                _lift_orphans(applier, unpushed, orphans)
                applier.reanchor_others()
            result.pulled += 1
        applier.said_temporary()
        changes = batch.finish()
        set_meta(db, LAST_SEQ, str(steps[-1][1]))
    result.changes = result.changes | changes


def _settle_own_moves(applier: _Applier, batch: journal.PulledSteps, unpushed: dict,
                      name: str, changes: list, void: set[str]) -> None:
    """This file's own step ``name``, reached by the pull (not applied: the
    file holds it): the tags it moved go where the hub's order puts them
    (:meth:`_Applier.own_move`; to the top level, said, for a move ``void``
    names), unless a later step moves them again — as one pulled step,
    written only if the file changes."""
    moves = [(key, after["parent_uuid"], applier.own_move(key, after["parent_uuid"],
                                                         key in void))
             for table, key, after, fields, superseded, later, _ in changes
             if table == "tags" and after is not None and "parent_uuid" in after
             and not superseded and (fields is None or "parent_uuid" in fields)
             and "parent_uuid" not in later
             and not _own_field(unpushed, applier.local_id("tags", key))]
    moves = [(key, parent, placed) for key, parent, placed in moves if placed]
    if not moves:
        return
    marker = journal.new_origin()
    with batch.step("Tags placed in the hub's order", analyst="", origin=f"hub:{marker}",
                    step_uuid=marker):
        for key, parent, (tag_id, under) in moves:
            applier.db.execute("UPDATE tags SET parent_id = ? WHERE id = ?", [under, tag_id])
            if under is None:
                applier.said_looped(key, parent)


def _orphans_here(applier: _Applier, unpushed: dict, orphans: dict[str, str]) -> list[int]:
    """Of the tags a delete at this step of the hub's order lifts
    (``orphans``: child uuid → deleted tag's uuid, :attr:`_Codebook.orphaned`),
    the local ids of those the file still has under that tag: the delete was
    not applied here (a later undo in the same pull restores the tag, and
    neither is applied; or it is this file's own, a move under the tag
    pulled after it). Not one this analyst moved since (not pushed yet: that
    goes up next and wins)."""
    found = []
    for child, parent in orphans.items():
        local, under = applier.local_id("tags", child), applier.local_id("tags", parent)
        if local is None or under is None or _own_field(unpushed, local):
            continue
        if applier.db.execute("SELECT parent_id FROM tags WHERE id = ?",
                              [local]).fetchone()[0] == under:
            found.append(local)
    return found


def _lift_orphans(applier: _Applier, unpushed: dict, orphans: dict[str, str]) -> None:
    """The tags a delete at this step lifts go to the top level here too
    (:func:`_orphans_here`), as in every file that applied the delete."""
    for local in _orphans_here(applier, unpushed, orphans):
        applier.db.execute("UPDATE tags SET parent_id = NULL WHERE id = ?", [local])


def _settle_orphans(applier: _Applier, batch: journal.PulledSteps, unpushed: dict,
                    orphans: dict[str, str]) -> None:
    """This file's own delete of a tag, reached by the pull (not applied:
    the file holds it): :func:`_lift_orphans`, as one pulled step, written
    only if the file changes."""
    if not orphans or not _orphans_here(applier, unpushed, orphans):
        return
    marker = journal.new_origin()
    with batch.step("Tags placed in the hub's order", analyst="", origin=f"hub:{marker}",
                    step_uuid=marker):
        _lift_orphans(applier, unpushed, orphans)


def _settle_own_names(applier: _Applier, batch: journal.PulledSteps, unpushed: dict,
                      changes: list) -> None:
    """This file's own step, reached by the pull (not applied: the file holds
    it): a tag it named as another tag of the hub is named takes the free
    name the hub gave it (version 8), said — unless a later step names it
    again, or this analyst has since (not pushed yet: that goes up next). As
    one pulled step, written only if the file changes."""
    names = []
    for table, key, after, fields, superseded, later, _ in changes:
        if (table != "tags" or after is None or "name" not in after or superseded
                or "name" in later or (fields is not None and "name" not in fields)):
            continue
        local = applier.local_id("tags", key)
        own = unpushed.get(("tags", local), set())
        if local is None or own is None or "name" in own:
            continue
        now = applier.db.execute("SELECT name FROM tags WHERE id = ?", [local]).fetchone()[0]
        if now != after["name"]:
            names.append((key, local, now, after["name"]))
    if not names:
        return
    marker = journal.new_origin()
    with batch.step("Tags named as on the hub", analyst="", origin=f"hub:{marker}",
                    step_uuid=marker):
        for key, local, old, new in names:
            new = applier._make_room(key, local, new)
            if new != old:
                applier.db.execute("UPDATE tags SET name = ? WHERE id = ?", [new, local])
                applier._said_renamed(old, new, local)


def _own_field(unpushed: dict, tag_id: int | None) -> bool:
    """Whether a step not pushed yet moved tag ``tag_id`` (its move wins)."""
    fields = unpushed.get(("tags", tag_id), set())
    return fields is None or "parent_uuid" in fields


def _apply_change(applier: _Applier, unpushed: dict, name: str, analyst: str,
                  change: tuple, void: set[str] = frozenset()) -> None:
    """One pulled change of step ``name`` by ``analyst``, field by field: a
    field a later hub step changed again is left to it (the later write
    wins; a later insert or delete takes the whole row), and so is one this
    analyst changed in a step not pushed yet (``unpushed``: theirs goes up
    next and wins); the earlier write stays in the hub's history. A move of
    a tag in ``void`` would close a loop (:class:`_Codebook`): the tag goes
    to the top level instead, said."""
    table, key, after, fields, superseded, later, by = change
    result = applier.result
    kept = set(after or ()) if fields is None else set(fields)
    if superseded or (fields and not kept - set(later)):
        mine = by is not None and by == applier.conn.info.user
        if mine or table == "tags":
            result.conflicts.append(
                f"“{name}” by {analyst} was replaced by a later change "
                f"({'yours' if mine else 'by ' + by}); it stays in the hub's history.")
        return
    kept -= set(later)
    own = unpushed.get((table, applier.local_id(table, key)), set())
    if own is None or own and (after is None or kept & own):
        result.conflicts.append(
            f"“{name}” by {analyst} changed a row you changed since; yours "
            "goes to the hub next and wins, theirs stays in its history.")
        if own is None or after is None:
            return
    kept -= own
    if after is None:
        applier.delete(table, key)
        return
    moved = table == "tags" and "parent_uuid" in kept and after.get("parent_uuid")
    if moved and key in void:
        applier.said_looped(key, after["parent_uuid"])
        after, moved = {**after, "parent_uuid": None}, False
    whole = fields is None and not later and not own
    local = applier.upsert(table, key, after, None if whole else kept)
    if moved and local is not None:
        applier.break_own_loop(local, unpushed)


def _hub_field(table: str, column: str) -> str:
    """The hub's name of a local column (a reference carries a uuid)."""
    return column.removesuffix("_id") + "_uuid" if column in REFERENCES.get(table, {}) \
        else column


def _unpushed_fields(db: Database) -> dict[tuple[str, int], set[str] | None]:
    """The rows this analyst changed in steps not pushed yet, with the
    fields (hub names) those steps changed; None: inserted or deleted, the
    whole row is theirs."""
    found: dict[tuple[str, int], set[str] | None] = {}
    for table, row_id, before, after in db.execute(
            "SELECT c.tbl, c.row_id, c.before, c.after FROM journal_changes c "
            "JOIN journal_steps s ON s.id = c.step_id WHERE s.pushed_at IS NULL "
            "AND s.kind IN ('do', 'undo', 'redo') AND s.origin NOT LIKE 'hub:%'"):
        row = (table, row_id)
        if before is None or after is None or (row in found and found[row] is None):
            found[row] = None
            continue
        b, a = json.loads(before), json.loads(after)
        found[row] = found.get(row, set()) | {
            _hub_field(table, k) for k in a.keys() | b.keys() if a.get(k) != b.get(k)}
    return found


def _known_steps(db: Database, uuids: list[str]) -> set[str]:
    """Which of ``uuids`` the local journal already holds."""
    found: set[str] = set()
    for i in range(0, len(uuids), 500):
        part = uuids[i:i + 500]
        found.update(r[0] for r in db.execute(
            f"SELECT uuid FROM journal_steps WHERE uuid IN ({','.join('?' * len(part))})",
            part))
    return found


# -- analyses ---------------------------------------------------------------
#: Analysis results per PostgreSQL transaction (push) and per local one (pull).
ANALYSIS_BATCH = 500


def push_analyses(db: Database, conn: psycopg.Connection, result: SyncResult,
                  on_progress: Progress = None, *, up_to: int | None = None) -> None:
    """Send analyses stored since the last push (any already on the hub for
    the same text and pipeline are left as they are), :data:`ANALYSIS_BATCH`
    a PostgreSQL transaction; the local mark moves after each commit, so a
    kill sends again only what was not marked (and the hub ignores those
    it has). ``up_to``: only analyses up to that local id (a benchmark)."""
    from storage.analyses import ENTITY_FIELDS, QUOTE_FIELDS

    last = int(get_meta(db, ANALYSES_PUSHED, "0"))
    limit = up_to if up_to is not None else db.execute(
        "SELECT ifnull(max(id), 0) FROM analyses").fetchone()[0]
    total = db.execute("SELECT count(*) FROM analyses WHERE id > ? AND id <= ?",
                       [last, limit]).fetchone()[0]
    done = 0
    while True:
        rows = db.execute("SELECT id, text_hash, pipeline, pipeline_version, degraded "
                          "FROM analyses WHERE id > ? AND id <= ? ORDER BY id LIMIT ?",
                          [last, limit, ANALYSIS_BATCH]).fetchall()
        if not rows:
            break
        first, final = rows[0][0], rows[-1][0]
        entities = _grouped(db.execute(
            f"SELECT analysis_id, {', '.join(ENTITY_FIELDS)} FROM entities "
            "WHERE analysis_id BETWEEN ? AND ? ORDER BY analysis_id, id", [first, final]),
            ENTITY_FIELDS)
        quotes = _grouped(db.execute(
            f"SELECT analysis_id, {', '.join(QUOTE_FIELDS)} FROM quotes "
            "WHERE analysis_id BETWEEN ? AND ? ORDER BY analysis_id, id", [first, final]),
            QUOTE_FIELDS)
        with conn.transaction(), conn.cursor() as cursor:
            cursor.executemany(
                "INSERT INTO dossier_hub.analyses (text_hash, pipeline, pipeline_version, "
                "degraded, entities, quotes, owner, seq) VALUES (%s, %s, %s, %s, %s, %s, '', 0) "
                "ON CONFLICT DO NOTHING RETURNING seq",
                [(digest, pipeline, version, bool(degraded),
                  Jsonb(entities.get(analysis_id, [])), Jsonb(quotes.get(analysis_id, [])))
                 for analysis_id, digest, pipeline, version, degraded in rows],
                returning=True)
            while True:
                result.analyses_pushed += cursor.rowcount > 0
                if not cursor.nextset():
                    break
        last = final
        set_meta(db, ANALYSES_PUSHED, str(last))
        done += len(rows)
        if on_progress:
            on_progress("Analysis results up", done, total)


def _grouped(rows, fields: tuple[str, ...]) -> dict[int, list[dict]]:
    """Rows ``(analysis_id, *fields)`` as lists of dicts per analysis."""
    out: dict[int, list[dict]] = {}
    for analysis_id, *values in rows:
        out.setdefault(analysis_id, []).append(dict(zip(fields, values)))
    return out


def pull_analyses(db: Database, conn: psycopg.Connection, result: SyncResult,
                  on_progress: Progress = None) -> None:
    """Store the hub's analyses of texts the local file has and lacks an
    analysis of (by that pipeline and version): read through a server-side
    cursor, stored :data:`ANALYSIS_BATCH` a local transaction together with
    how far the pull got (a kill loses no more than one batch's work)."""
    last = int(get_meta(db, ANALYSIS_SEQ, "0"))
    total = conn.execute("SELECT count(*) FROM dossier_hub.analyses WHERE seq > %s",
                         [last]).fetchone()[0]
    if not total:
        return          # nothing new: nothing read, nothing committed
    done = 0
    with conn.cursor(name="dossier_analyses") as cursor, conn.transaction():
        cursor.itersize = ANALYSIS_BATCH
        cursor.execute("SELECT text_hash, pipeline, pipeline_version, degraded, entities, "
                       "quotes, seq FROM dossier_hub.analyses WHERE seq > %s ORDER BY seq",
                       [last])
        while rows := cursor.fetchmany(ANALYSIS_BATCH):
            result.analyses_pulled += _store_analyses(db, rows)
            done += len(rows)
            if on_progress:
                on_progress("Analysis results", done, total)
    if result.analyses_pulled:
        from storage.changes import ANALYSIS
        result.changes = result.changes | Changes.of(ANALYSIS, foreign=True)


def _store_analyses(db: Database, rows: list) -> int:
    """One local transaction: each hub analysis for every local article of
    its text without one of that pipeline and version (entities and quotes
    in a few statements, the articles' entity and speaker summaries
    refreshed together), and the marks of how far the pull got."""
    from storage import entity_index
    from storage.analyses import ENTITY_FIELDS, QUOTE_FIELDS

    digests = sorted({r[0] for r in rows})
    stored = 0
    with write_transaction(db):
        articles: dict[str, list[int]] = {}
        have: set[tuple] = set()
        for i in range(0, len(digests), 500):
            part = digests[i:i + 500]
            marks = ",".join("?" * len(part))
            found = db.execute(f"SELECT id, text_hash FROM articles WHERE text_hash IN ({marks})",
                               part).fetchall()
            for article_id, digest in found:
                articles.setdefault(digest, []).append(article_id)
            ids = ",".join(str(r[0]) for r in found)
            have.update(db.execute(
                "SELECT article_id, text_hash, pipeline, pipeline_version FROM analyses "
                f"WHERE article_id IN ({ids})").fetchall())
        entities, quotes, touched = [], [], []
        now = utc_now()
        for digest, pipeline, version, degraded, found, said, _seq in rows:
            for article_id in articles.get(digest, []):
                if (article_id, digest, pipeline, version) in have:
                    continue
                have.add((article_id, digest, pipeline, version))
                analysis_id = db.execute(
                    "INSERT INTO analyses (article_id, text_hash, pipeline, pipeline_version, "
                    "degraded, created_at) VALUES (?, ?, ?, ?, ?, ?)",
                    [article_id, digest, pipeline, version, int(degraded), now]).lastrowid
                entities.extend((analysis_id, *(e[k] for k in ENTITY_FIELDS)) for e in found)
                quotes.extend((analysis_id, *(q.get(k) for k in QUOTE_FIELDS)) for q in said)
                touched.append(article_id)
                stored += 1
        db.conn.executemany(
            f"INSERT INTO entities (analysis_id, {', '.join(ENTITY_FIELDS)}) "
            f"VALUES ({', '.join('?' * (len(ENTITY_FIELDS) + 1))})", entities)
        first_quote = db.execute("SELECT ifnull(max(id), 0) + 1 FROM quotes").fetchone()[0]
        # many quotes (a first sync): indexed together, not one by one
        with full_text.filled_after(db, "quotes", first_quote) if len(quotes) > 1000 \
                else nullcontext():
            db.conn.executemany(
                f"INSERT INTO quotes (analysis_id, {', '.join(QUOTE_FIELDS)}) "
                f"VALUES ({', '.join('?' * (len(QUOTE_FIELDS) + 1))})", quotes)
        entity_index.refresh_articles(db, touched)
        set_meta(db, ANALYSIS_SEQ, str(rows[-1][-1]))
        # what was just stored came from the hub: not pushed back
        set_meta(db, ANALYSES_PUSHED, str(db.execute(
            "SELECT ifnull(max(id), 0) FROM analyses").fetchone()[0]))
    return stored


# -- sync and first sync ----------------------------------------------------
def sync(db: Database, conn: psycopg.Connection, *, on_progress: Progress = None,
         limit: int = 0) -> SyncResult:
    """Push, then pull (steps, then analysis results). ``limit``: push and
    pull about that many steps at most (the sync loop's rounds, so that
    neither waits long behind the other); ``result.more`` says some wait."""
    with commits_without_fsync(db):
        return _sync(db, conn, on_progress, limit)


def _sync(db: Database, conn: psycopg.Connection, on_progress: Progress,
          limit: int) -> SyncResult:
    result = SyncResult()
    forget_stored_password(db)
    _set_meta(db, ROLE, _role_of(conn))
    push(db, conn, result=result, on_progress=on_progress, limit=limit)
    try:
        push_analyses(db, conn, result)
    except psycopg.OperationalError as error:
        raise HubOffline(str(error).strip()) from error
    result.timings["pushed"] = time.time()
    pull(db, conn, result=result, on_progress=on_progress, limit=limit)
    try:
        pull_analyses(db, conn, result, on_progress)
    except psycopg.OperationalError as error:
        raise HubOffline(str(error).strip()) from error
    return result


def _local_rows(db: Database, table: str):
    columns = [c for c in journal._tracked_columns(db)[table]]
    return columns, db.execute(
        f"SELECT {', '.join(f'{chr(34)}{c}{chr(34)}' for c in columns)} FROM \"{table}\"")


def _upload(db: Database, conn: psycopg.Connection, analyst: str, on_progress: Progress) -> int:
    """An empty hub: the local corpus, codebook and passages go up as one
    step (so the first member's file becomes everyone's start)."""
    uuids = _Uuids(db)
    step_uuid = journal.new_origin()
    total = sum(db.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0]
                for t in hub_schema.STATE_TABLES)
    done = 0
    with conn.transaction():
        conn.execute(_INSERT_STEP, [step_uuid, "Upload the corpus to the hub", analyst, "do",
                                    utc_now()])
        n = 0
        with conn.cursor() as cursor:
            for table in hub_schema.STATE_TABLES:
                columns, rows = _local_rows(db, table)
                batch = []
                for row in rows:
                    state = to_hub(table, dict(zip(columns, row)), uuids)
                    batch.append((step_uuid, n, table, row_key(table, state), None, Jsonb(state)))
                    n += 1
                    if len(batch) >= 1000:
                        cursor.executemany(_INSERT_CHANGE, batch)
                        done += len(batch)
                        batch.clear()
                        if on_progress:
                            on_progress("Uploading", done, total)
                cursor.executemany(_INSERT_CHANGE, batch)
                done += len(batch)
        seq = conn.execute("SELECT seq FROM dossier_hub.steps WHERE uuid = %s",
                           [step_uuid]).fetchone()[0]
    with write_transaction(db):
        db.execute("UPDATE journal_steps SET pushed_at = ? WHERE pushed_at IS NULL",
                   [f"in upload {step_uuid}"])
        set_meta(db, LAST_SEQ, str(seq))
    return n


def first_sync(db: Database, conn: psycopg.Connection, url: str, *,
               on_progress: Progress = None) -> SyncResult:
    """Join a hub: on an empty hub, upload the local corpus; otherwise copy
    the hub's current state (one consistent snapshot) into the local file,
    then push what the file had of its own and pull analysis results."""
    result = SyncResult()
    try:
        empty = conn.execute("SELECT NOT EXISTS (SELECT 1 FROM dossier_hub.steps)").fetchone()[0]
    except psycopg.OperationalError as error:
        raise HubOffline(f"The hub went away during the first sync: {str(error).strip()}") \
            from error
    left = get_meta(db, HUB_LEFT)
    if left and not empty:
        # joined again, what it did meanwhile would stay in it alone,
        # silently (an empty hub takes the whole file: a moved server)
        raise HubError(f"This file left a team hub ({left}) and cannot join one again: "
                       "its own work since would never reach the team. Join with a new "
                       "file, and bring this one's work in with File → Merge from….")
    set_meta(db, HUB_URL, strip_password(url))
    set_meta(db, ROLE, my_role(conn) or "")
    try:
        if empty:
            has_local = db.execute("SELECT EXISTS (SELECT 1 FROM articles)").fetchone()[0]
            if has_local:
                _upload(db, conn, conn.info.user, on_progress)
                push_analyses(db, conn, result, on_progress)
            if left:
                with write_transaction(db):
                    db.execute("DELETE FROM meta WHERE key = ?", [HUB_LEFT])
            return result
        # what the file held before joining stays local (a new member's
        # file is normally empty): it is not replayed onto the hub
        with write_transaction(db):
            db.execute("UPDATE journal_steps SET pushed_at = 'before joining' "
                       "WHERE pushed_at IS NULL")
        with commits_without_fsync(db):
            _snapshot(db, conn, result, on_progress)
        _leave_out_unused_own_tags(db, conn, result)
        sync_result = sync(db, conn, on_progress=on_progress)
    except psycopg.OperationalError as error:
        raise HubOffline(f"The hub went away during the first sync: {str(error).strip()}") \
            from error
    except psycopg.DatabaseError as error:
        raise HubError("The hub refused the first sync (an empty hub takes its corpus from a "
                       f"lead): {str(error).strip().splitlines()[0]}") from error
    sync_result.changes = Changes(ALL_KINDS, foreign=True, name="First sync with the hub")
    sync_result.conflicts = result.conflicts + sync_result.conflicts
    return sync_result


def _leave_out_unused_own_tags(db: Database, conn: psycopg.Connection,
                               result: SyncResult) -> None:
    """Tags the file had before joining that the team's codebook lacks and
    nothing uses (a new file's shipped tags, one the lead renamed or
    deleted): the codebook is the hub's, and the hub refuses a passage
    under a tag it never had. Used ones stay (their passages with them)."""
    team = {key for (key,) in conn.execute("SELECT key FROM dossier_hub.tags")}
    gone: list[str] = []
    while True:         # a parent is unused once its unused children are gone
        unused = [(tag_id, name) for tag_id, uuid, name in db.execute(
            "SELECT t.id, t.uuid, t.name FROM tags t "
            "WHERE NOT EXISTS (SELECT 1 FROM passages p WHERE p.tag_id = t.id) "
            "AND NOT EXISTS (SELECT 1 FROM tags c WHERE c.parent_id = t.id)")
            if uuid not in team]
        if not unused:
            break
        with journal.unrecorded(db):
            db.conn.executemany("DELETE FROM tags WHERE id = ?", [(i,) for i, _ in unused])
        gone += [name for _, name in unused]
    if gone:
        result.conflicts.append(
            f"{len(gone)} tag{'s' if len(gone) != 1 else ''} this file had, unused and not in "
            f"the team's codebook, left out: {', '.join(sorted(gone))}.")


#: Rows read from the hub and written locally at a time in a first sync.
SNAPSHOT_BATCH = 2000


def _snapshot(db: Database, conn: psycopg.Connection, result: SyncResult,
              on_progress: Progress) -> None:
    """The hub's current state into the local file, unrecorded (it is the
    starting point, nobody's undoable change): rows matched by uuid."""
    conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
    try:
        seq = conn.execute("SELECT coalesce(max(seq), 0) FROM dossier_hub.steps").fetchone()[0]
        counts = {t: conn.execute(sql.SQL("SELECT count(*) FROM dossier_hub.{}")
                                  .format(sql.Identifier(t))).fetchone()[0]
                  for t in hub_schema.STATE_TABLES}
        total, done = sum(counts.values()), 0
        applier = _Applier(db, conn, result)
        parents: list[tuple[str, str]] = []
        with journal.unrecorded(db):
            for table in hub_schema.STATE_TABLES:
                # a new member's file is empty: its rows need no matching,
                # and its full-text indexes are filled once at the end
                empty = not db.execute(f'SELECT EXISTS (SELECT 1 FROM "{table}")').fetchone()[0]
                indexing = full_text.filled_after(db, table, 1) if empty else nullcontext()
                with indexing, conn.cursor(name=f"snapshot_{table}") as cursor:
                    cursor.itersize = SNAPSHOT_BATCH
                    cursor.execute(sql.SQL("SELECT key, data FROM dossier_hub.{} ORDER BY seq")
                                   .format(sql.Identifier(table)))
                    while rows := cursor.fetchmany(SNAPSHOT_BATCH):
                        for i, (key, data) in enumerate(rows):
                            if table == "tags" and data.get("parent_uuid"):
                                parents.append((key, data["parent_uuid"]))
                                rows[i] = (key, {**data, "parent_uuid": None})
                        if empty:
                            applier.insert_new(table, rows)
                        else:
                            for key, data in rows:
                                applier.upsert(table, key, data)
                        done += len(rows)
                        if on_progress:
                            on_progress("First sync", done, total)
            codebook = _Codebook.read(conn, seq) if parents else _Codebook()
            applier.under_deleted = codebook.under_deleted
            for key, parent in parents:
                if key in codebook.lifted:      # the hub holds a loop: broken as a pull does
                    applier.said_looped(key, parent)
                    continue
                db.execute("UPDATE tags SET parent_id = ? WHERE id = ?",
                           [applier.parent(key, parent), applier.local_id("tags", key)])
            set_meta(db, LAST_SEQ, str(seq))
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK") if not conn.closed else None
        raise
