"""The team hub's schema on PostgreSQL (15 or newer): every SQL statement the
hub server runs that is not a sync query (those are in ``storage.hub_sync``).

Everything lives in the schema ``dossier_hub``:

- ``steps``: one row per pushed journal step, keyed by the step's uuid (so a
  step pushed twice is stored once) with ``seq``, the server-side order in
  which steps were pushed. A trigger takes a transaction-level advisory lock
  before it draws ``seq``, so pushes commit in ``seq`` order and a client
  reading "steps after N" never skips one that commits late.
- ``changes``: the rows each step changed, before/after as JSONB with
  references as uuids (``article_uuid``, ``tag_uuid``, …), never local ids.
  Inserting a change *applies* it to the current-state table of its kind,
  as the pushing role — so row-level security on the state tables decides
  whether a step is accepted, whoever connects and however. An update
  applies only the fields it changed (version 4), so two members changing
  different fields of one row both keep theirs. A change of a passage
  records the passage's owner (``passage_owner``, version 5): blind coding
  shows it to that owner whoever pushed it (a lead's move of Ana's passage
  reaches Ana) and hides it from the others (Ana's deletion from Bob).
  A passage a lead inserts under another member's analyst name is that
  member's (version 6): a lead's undo of deleting Ana's article gives Ana
  her passages back. A member's first change of her own review status
  claims her analyst name as her first passage would (version 7), when the
  step says she made it (version 9: ``local_analyst``, the journal step's
  analyst; a colleague's status set by a member claims nothing). Two
  tags never share a name (version 8): a tag a change names as another
  tag already is (ignoring case) gets the first free "name (2)", "name (3)"…
- ``articles``, ``tags``, ``passages``, ``entity_canon``, ``entity_aliases``,
  ``assignments``: the current state, keyed by uuid (aliases by key +
  label, assignments by article uuid + analyst), for a new
  member's first sync (a snapshot, not a replay of every step).
- ``analyses``: entities and quotes keyed by text hash + pipeline + version,
  so one analyst's spaCy run serves everyone.
- ``settings``: ``blind`` = ``on`` hides others' passages (and the changes
  of them, whoever made those) from analysts until a lead reveals them.
- ``members`` (version 2): the analyst name each login codes under, taken
  from its first passage (or, version 7, its first review status, one the
  step says it set itself: version 9). Another login's passages are refused under that
  name, so no member codes as another (agreement counts coders by name);
  a passage keeps its analyst for good, and only the analyst who made it
  changes its note (a lead may move, re-anchor, re-tag or delete it). Leads may
  push passages under any name: uploading a file coded by several people
  before the hub, and recording consensus.

Roles: ``dossier_lead``, ``dossier_analyst``, ``dossier_viewer`` (NOLOGIN
groups); :func:`add_member_sql` creates a login role in one of them.
"""

from __future__ import annotations

SCHEMA = "dossier_hub"
ROLES = ("lead", "analyst", "viewer")
#: The state tables, in the order a snapshot applies them (parents first).
STATE_TABLES = ("articles", "tags", "entity_canon", "entity_aliases", "assignments",
                "passages")
#: Bumped when this file's schema changes; stored in ``settings``
#: (:func:`upgrade_statements` brings an older hub up to it).
HUB_VERSION = "9"


def group_role(role: str) -> str:
    """The PostgreSQL group role of a Dossier role."""
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}")
    return f"dossier_{role}"


_ROLES_SQL = """
DO $$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'dossier_viewer') THEN
    CREATE ROLE dossier_viewer NOLOGIN; END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'dossier_analyst') THEN
    CREATE ROLE dossier_analyst NOLOGIN IN ROLE dossier_viewer; END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'dossier_lead') THEN
    CREATE ROLE dossier_lead NOLOGIN IN ROLE dossier_analyst; END IF;
END $$;
"""

_STATE_TABLE = """
CREATE TABLE dossier_hub.{table} (
    key text PRIMARY KEY,
    data jsonb NOT NULL,
    owner text NOT NULL DEFAULT current_user,
    seq bigint NOT NULL DEFAULT 0
)"""

_FUNCTIONS_SQL = """
CREATE FUNCTION dossier_hub.is_lead() RETURNS boolean LANGUAGE sql STABLE AS
  $$ SELECT pg_has_role(current_user, 'dossier_lead', 'member') $$;
CREATE FUNCTION dossier_hub.is_writer() RETURNS boolean LANGUAGE sql STABLE AS
  $$ SELECT pg_has_role(current_user, 'dossier_analyst', 'member') $$;
CREATE FUNCTION dossier_hub.blind() RETURNS boolean LANGUAGE sql STABLE
  SECURITY DEFINER SET search_path = dossier_hub, pg_temp AS
  $$ SELECT coalesce((SELECT value = 'on' FROM dossier_hub.settings WHERE key = 'blind'),
                     false) $$;
-- whether the current role may read passages owned by ``owner``
CREATE FUNCTION dossier_hub.can_see(owner text) RETURNS boolean LANGUAGE sql STABLE AS
  $$ SELECT owner = current_user OR dossier_hub.is_lead() OR NOT dossier_hub.blind() $$;
-- whether a row exists, whatever the current role may see (a refused
-- delete is told from one of a row already gone)
CREATE FUNCTION dossier_hub.row_exists(tbl text, k text) RETURNS boolean LANGUAGE plpgsql
  STABLE SECURITY DEFINER SET search_path = dossier_hub, pg_temp AS $$
BEGIN
@EXISTS@
  RETURN false;
END $$;

-- steps: seq drawn under a lock held to commit, so seq order is commit order
CREATE FUNCTION dossier_hub.step_seq() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_advisory_xact_lock(hashtext('dossier_hub.push'));
  NEW.seq := nextval('dossier_hub.step_order');
  NEW.analyst := current_user;
  NEW.pushed_at := clock_timestamp();
  RETURN NEW;
END $$;

-- only a lead changes an article's text (analysts: memo, review status)
CREATE FUNCTION dossier_hub.article_text_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF (NEW.data->>'text') IS DISTINCT FROM (OLD.data->>'text')
     AND NOT dossier_hub.is_lead() THEN
    RAISE EXCEPTION 'Dossier hub: only a lead changes an article''s text'
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN NEW;
END $$;

-- leads may re-anchor or move others' passages, not take them over
CREATE FUNCTION dossier_hub.passage_owner_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.owner := OLD.owner;
  RETURN NEW;
END $$;

@CODERS@
CREATE FUNCTION dossier_hub.notify_step() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('dossier_hub', NEW.seq::text || ' ' || NEW.analyst);
  RETURN NULL;
END $$;

CREATE FUNCTION dossier_hub.analysis_seq() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_advisory_xact_lock(hashtext('dossier_hub.push'));
  NEW.seq := nextval('dossier_hub.analysis_order');
  NEW.owner := current_user;
  RETURN NEW;
END $$;
"""

# version 4: a change applies only the fields it changed (see _APPLY_BRANCH);
# CREATE OR REPLACE, so that an upgrade replaces the functions of version 3
_CHANGES_SQL = """
-- an update of a row deleted on the hub meanwhile (the pusher had not
-- pulled the deletion) is neither applied nor stored: applied, it would
-- bring the row back as the pusher's; stored, members would apply it. The
-- pusher is told (a NOTICE naming the step) and its next pull deletes it.
CREATE OR REPLACE FUNCTION dossier_hub.change_seq() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  SELECT seq INTO NEW.seq FROM dossier_hub.steps WHERE uuid = NEW.step_uuid;
  NEW.owner := current_user;
  IF NEW.before IS NOT NULL AND NEW.after IS NOT NULL
     AND NOT dossier_hub.row_exists(NEW.tbl, NEW.row_key) THEN
    RAISE NOTICE 'Dossier hub: step % changed a row of % deleted on the hub',
      NEW.step_uuid, NEW.tbl;
    RETURN NULL;
  END IF;
  -- (version 7) a member's change of her review status before her first
  -- passage claims the analyst name it is under, as that passage would:
  -- the row-level security of assignments then knows the name as hers.
  -- Never another login's own name (a status set under it stays refused),
  -- and (version 9) only when the step says that name made it: a status a
  -- member sets under a colleague's name claims nothing (and is refused)
  IF NEW.tbl = 'assignments' AND NEW.before IS NOT NULL AND NEW.after IS NOT NULL
     AND dossier_hub.is_writer() AND NOT dossier_hub.is_lead()
     AND NOT EXISTS (SELECT 1 FROM pg_roles r WHERE r.rolname = NEW.after->>'analyst'
                     AND r.rolname <> session_user)
     AND NEW.after->>'analyst' = (SELECT s.local_analyst FROM dossier_hub.steps s
                                  WHERE s.uuid = NEW.step_uuid) THEN
    PERFORM dossier_hub.claim_analyst_name(NEW.after->>'analyst');
  END IF;
  -- (version 8) the members' files cannot hold two tags of one name: a tag
  -- inserted or renamed to another's name (two leads, neither having pulled
  -- the other's) gets a free one, stored so, and every file pulls it so
  IF NEW.tbl = 'tags' AND NEW.after ? 'name' AND (NEW.before IS NULL
     OR NEW.before->>'name' IS DISTINCT FROM NEW.after->>'name') THEN
    NEW.after := jsonb_set(NEW.after, '{name}',
      to_jsonb(dossier_hub.free_tag_name(NEW.row_key, NEW.after->>'name')));
  END IF;
  -- (version 5) blind coding shows a change of a passage to whoever owns the
  -- passage, not to whoever pushed it; the pusher sees the row if the change
  -- can be accepted (a lead sees every one, an analyst changes only hers)
  NEW.passage_owner := CASE WHEN NEW.tbl = 'passages' THEN coalesce(
    (SELECT p.owner FROM dossier_hub.passages p WHERE p.key = NEW.row_key),
    dossier_hub.coder_login(coalesce(NEW.after, NEW.before)->>'analyst')) END;
  RETURN NEW;
END $$;

-- a change applies itself to its state table, as the role that pushed it:
-- row-level security there accepts or refuses the whole step (one branch
-- of static statements per table: their plans are kept, where EXECUTE
-- would plan each statement again for every row)
CREATE OR REPLACE FUNCTION dossier_hub.apply_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE n bigint;
BEGIN
@APPLY@
  RAISE EXCEPTION 'Dossier hub: unknown table %', NEW.tbl;
END $$;
"""

# version 2: who codes under which name (see the module docstring)
_CODERS_SQL = """
-- the analyst name of the connected login: the one it has, or ``name``
-- claimed now; NULL when another login codes under ``name`` (runs as the
-- hub's owner: members are written only here)
CREATE FUNCTION dossier_hub.claim_analyst_name(name text) RETURNS text LANGUAGE plpgsql
  SECURITY DEFINER SET search_path = dossier_hub, pg_temp AS $$
DECLARE mine text;
BEGIN
  SELECT analyst INTO mine FROM dossier_hub.members WHERE login = session_user;
  IF mine IS NOT NULL THEN
    RETURN mine;
  END IF;
  IF EXISTS (SELECT 1 FROM dossier_hub.members WHERE analyst = name) THEN
    RETURN NULL;
  END IF;
  INSERT INTO dossier_hub.members (login, analyst) VALUES (session_user, name);
  RETURN name;
END $$;

CREATE FUNCTION dossier_hub.passage_coder_guard() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE claimed text;
BEGIN
  IF TG_OP = 'UPDATE' THEN
    IF (NEW.data->>'analyst') IS DISTINCT FROM (OLD.data->>'analyst') THEN
      RAISE EXCEPTION 'Dossier hub: a passage keeps the analyst who coded it'
        USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF OLD.owner <> current_user
       AND (NEW.data->>'note') IS DISTINCT FROM (OLD.data->>'note') THEN
      RAISE EXCEPTION 'Dossier hub: only % changes the note on a passage % coded',
        OLD.data->>'analyst', OLD.data->>'analyst'
        USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
  END IF;
  IF dossier_hub.is_lead() THEN
    RETURN NEW;
  END IF;
  claimed := dossier_hub.claim_analyst_name(coalesce(NEW.data->>'analyst', ''));
  IF claimed IS NULL THEN
    RAISE EXCEPTION 'Dossier hub: another member codes as "%" on this hub; choose your own name',
      NEW.data->>'analyst' USING ERRCODE = 'insufficient_privilege';
  ELSIF claimed IS DISTINCT FROM coalesce(NEW.data->>'analyst', '') THEN
    RAISE EXCEPTION 'Dossier hub: % codes as "%" on this hub, not as "%"',
      current_user, claimed, NEW.data->>'analyst' USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN NEW;
END $$;
"""

# version 3: a passage's tag and article are the hub's
_REFERENCES_SQL = """
-- whether the hub has, or had, row ``k`` of ``tbl`` (deleted since, its
-- last state is in the history, from which members' files take it)
CREATE FUNCTION dossier_hub.known_row(tbl text, k text) RETURNS boolean LANGUAGE sql
  STABLE SECURITY DEFINER SET search_path = dossier_hub, pg_temp AS $$
  SELECT k IS NOT NULL AND (dossier_hub.row_exists(tbl, k) OR EXISTS (
    SELECT 1 FROM dossier_hub.changes c WHERE c.tbl = known_row.tbl AND c.row_key = k))
$$;

-- a passage under a tag, or on an article, the hub never had (a tag only the
-- coder's file holds) would reach every member's file without it: refused
CREATE FUNCTION dossier_hub.passage_refs_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NOT dossier_hub.known_row('tags', NEW.data->>'tag_uuid') THEN
    RAISE EXCEPTION 'Dossier hub: this passage''s tag is not in the team''s codebook; a lead adds tags on this hub'
      USING ERRCODE = 'foreign_key_violation';
  END IF;
  IF NOT dossier_hub.known_row('articles', NEW.data->>'article_uuid') THEN
    RAISE EXCEPTION 'Dossier hub: this passage''s article is not on this hub; a lead adds articles'
      USING ERRCODE = 'foreign_key_violation';
  END IF;
  RETURN NEW;
END $$;
"""
_REFERENCES_TRIGGER = """CREATE TRIGGER passages_refs_guard BEFORE INSERT OR UPDATE
        ON dossier_hub.passages FOR EACH ROW EXECUTE FUNCTION dossier_hub.passage_refs_guard()"""

_MEMBERS_TABLE = ("CREATE TABLE dossier_hub.members (login text PRIMARY KEY, "
                  "analyst text NOT NULL UNIQUE)")
_CODER_TRIGGER = """CREATE TRIGGER passages_coder_guard BEFORE INSERT OR UPDATE
        ON dossier_hub.passages FOR EACH ROW EXECUTE FUNCTION dossier_hub.passage_coder_guard()"""
# members: read by everyone; written only by claim_analyst_name, as the
# hub's owner (row-level security on, not forced: the owner writes)
_MEMBERS_SECURITY = [
    "ALTER TABLE dossier_hub.members ENABLE ROW LEVEL SECURITY",
    "CREATE POLICY members_select ON dossier_hub.members FOR SELECT USING (true)",
    "REVOKE ALL ON dossier_hub.members FROM PUBLIC",
    "GRANT SELECT ON dossier_hub.members TO dossier_viewer",
]

_TABLES_SQL = [
    "CREATE SCHEMA dossier_hub",
    "CREATE TABLE dossier_hub.settings (key text PRIMARY KEY, value text NOT NULL)",
    "CREATE SEQUENCE dossier_hub.step_order",
    "CREATE SEQUENCE dossier_hub.analysis_order",
    """CREATE TABLE dossier_hub.steps (
        uuid uuid PRIMARY KEY,
        seq bigint NOT NULL UNIQUE,
        name text NOT NULL,
        analyst text NOT NULL,
        local_analyst text NOT NULL DEFAULT '',
        kind text NOT NULL,
        created_at text NOT NULL,
        pushed_at timestamptz NOT NULL)""",
    """CREATE TABLE dossier_hub.changes (
        step_uuid uuid NOT NULL REFERENCES dossier_hub.steps ON DELETE CASCADE,
        n integer NOT NULL,
        seq bigint NOT NULL,
        tbl text NOT NULL,
        row_key text NOT NULL,
        before jsonb,
        after jsonb,
        owner text NOT NULL,
        passage_owner text,
        PRIMARY KEY (step_uuid, n))""",
    "CREATE INDEX changes_by_seq ON dossier_hub.changes (seq)",
    "CREATE INDEX changes_by_row ON dossier_hub.changes (tbl, row_key, seq)",
    *[_STATE_TABLE.format(table=t) for t in STATE_TABLES],
    "CREATE INDEX passages_by_owner ON dossier_hub.passages (owner)",
    """CREATE TABLE dossier_hub.analyses (
        text_hash text NOT NULL,
        pipeline text NOT NULL,
        pipeline_version text NOT NULL,
        degraded boolean NOT NULL,
        entities jsonb NOT NULL,
        quotes jsonb NOT NULL,
        owner text NOT NULL,
        seq bigint NOT NULL UNIQUE,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (text_hash, pipeline, pipeline_version))""",
    _MEMBERS_TABLE,
]

_TRIGGERS_SQL = [
    """CREATE TRIGGER steps_seq BEFORE INSERT ON dossier_hub.steps
        FOR EACH ROW EXECUTE FUNCTION dossier_hub.step_seq()""",
    """CREATE TRIGGER steps_notify AFTER INSERT ON dossier_hub.steps
        FOR EACH ROW EXECUTE FUNCTION dossier_hub.notify_step()""",
    """CREATE TRIGGER changes_seq BEFORE INSERT ON dossier_hub.changes
        FOR EACH ROW EXECUTE FUNCTION dossier_hub.change_seq()""",
    """CREATE TRIGGER changes_apply AFTER INSERT ON dossier_hub.changes
        FOR EACH ROW EXECUTE FUNCTION dossier_hub.apply_change()""",
    """CREATE TRIGGER articles_text_guard BEFORE UPDATE ON dossier_hub.articles
        FOR EACH ROW EXECUTE FUNCTION dossier_hub.article_text_guard()""",
    """CREATE TRIGGER passages_owner_guard BEFORE UPDATE ON dossier_hub.passages
        FOR EACH ROW EXECUTE FUNCTION dossier_hub.passage_owner_guard()""",
    """CREATE TRIGGER analyses_seq BEFORE INSERT ON dossier_hub.analyses
        FOR EACH ROW EXECUTE FUNCTION dossier_hub.analysis_seq()""",
    _CODER_TRIGGER,
    _REFERENCES_TRIGGER,
]

#: Who may write what: (table, command, USING/WITH CHECK expression).
_POLICIES = [
    ("steps", "SELECT", "true"),
    ("steps", "INSERT", "analyst = current_user AND dossier_hub.is_writer()"),
    # (a change pushed before version 5 without passage_owner: by its pusher)
    ("changes", "SELECT", "tbl <> 'passages' OR "
                          "dossier_hub.can_see(coalesce(passage_owner, owner))"),
    ("changes", "INSERT", "owner = current_user AND dossier_hub.is_writer()"),
    ("articles", "SELECT", "true"),
    ("articles", "INSERT", "dossier_hub.is_lead()"),
    ("articles", "UPDATE", "dossier_hub.is_writer()"),
    ("articles", "DELETE", "dossier_hub.is_lead()"),
    ("tags", "SELECT", "true"),
    ("tags", "INSERT", "dossier_hub.is_lead()"),
    ("tags", "UPDATE", "dossier_hub.is_lead()"),
    ("tags", "DELETE", "dossier_hub.is_lead()"),
    ("entity_canon", "SELECT", "true"),
    ("entity_canon", "ALL", "dossier_hub.is_writer()"),
    ("entity_aliases", "SELECT", "true"),
    ("entity_aliases", "ALL", "dossier_hub.is_writer()"),
    # leads assign articles; analysts set their own review status of them
    ("assignments", "SELECT", "true"),
    ("assignments", "INSERT", "dossier_hub.is_lead()"),
    ("assignments", "UPDATE", "dossier_hub.is_lead() OR (dossier_hub.is_writer() "
                              "AND data->>'analyst' = dossier_hub.member_name())"),
    ("assignments", "DELETE", "dossier_hub.is_lead()"),
    ("passages", "SELECT", "dossier_hub.can_see(owner)"),
    # (a lead's passage under a member's name is that member's: coder_login)
    ("passages", "INSERT", "owner = dossier_hub.coder_login(data->>'analyst') "
                           "AND dossier_hub.is_writer()"),
    ("passages", "UPDATE", "(owner = current_user AND dossier_hub.is_writer()) "
                           "OR dossier_hub.is_lead()"),
    # a lead deletes others' passages: deleting an article deletes its passages
    # (a policy cannot tell the step's other changes, and the lead could
    # delete the whole article anyway)
    ("passages", "DELETE", "(owner = current_user AND dossier_hub.is_writer()) "
                           "OR dossier_hub.is_lead()"),
    ("analyses", "SELECT", "true"),
    ("analyses", "INSERT", "owner = current_user AND dossier_hub.is_writer()"),
    ("settings", "SELECT", "true"),
    ("settings", "ALL", "dossier_hub.is_lead()"),
]


def _policy_sql(table: str, command: str, expression: str, number: int) -> str:
    name = f"{table}_{command.lower()}_{number}"
    if command == "INSERT":
        clause = f"WITH CHECK ({expression})"
    elif command == "SELECT" or command == "DELETE":
        clause = f"USING ({expression})"
    else:
        clause = f"USING ({expression}) WITH CHECK ({expression})"
    return f"CREATE POLICY {name} ON dossier_hub.{table} FOR {command} {clause}"


_EXISTS_BRANCH = """  IF tbl = '{t}' THEN
    RETURN EXISTS (SELECT 1 FROM dossier_hub.{t} WHERE key = k);
  END IF;"""

# (an upsert is not INSERT … ON CONFLICT: that checks the INSERT policy on an
# update too). An update merges into the row only the fields it changed
# (those whose ``after`` differs from its ``before``): two members changing
# different fields of one row (a memo, a review status; a lead's move, the
# coder's note) both keep theirs, and the guards below see only what this
# change changed. An insert (no ``before``) writes the whole row.
_APPLY_BRANCH = """  IF NEW.tbl = '{t}' THEN
    IF NEW.after IS NULL THEN
      DELETE FROM dossier_hub.{t} WHERE key = NEW.row_key;
      GET DIAGNOSTICS n = ROW_COUNT;
      IF n = 0 AND dossier_hub.row_exists(NEW.tbl, NEW.row_key) THEN
        RAISE EXCEPTION 'Dossier hub: % may not delete this row of %', current_user, NEW.tbl
          USING ERRCODE = 'insufficient_privilege';
      END IF;
    ELSE
      UPDATE dossier_hub.{t} SET data = CASE WHEN NEW.before IS NULL THEN NEW.after
          ELSE data || dossier_hub.changed_fields(NEW.before, NEW.after) END,
        seq = NEW.seq WHERE key = NEW.row_key;
      GET DIAGNOSTICS n = ROW_COUNT;
      IF n = 0 THEN
        IF dossier_hub.row_exists(NEW.tbl, NEW.row_key) THEN
          RAISE EXCEPTION 'Dossier hub: % may not change this row of %', current_user, NEW.tbl
            USING ERRCODE = 'insufficient_privilege';
        END IF;
        IF NEW.before IS NULL THEN      -- an update never recreates a deleted row
          INSERT INTO dossier_hub.{t} (key, data, seq, owner)
            VALUES (NEW.row_key, NEW.after, NEW.seq, {owner});
        END IF;
      END IF;
    END IF;
    RETURN NULL;
  END IF;"""

#: A name for tag ``k`` no other tag on the hub has (version 8): ``name``
#: itself if free, else the first free "name (2)", "name (3)"… Compared as
#: lower case (a file's codebook refuses two names differing in case only).
_FREE_TAG_NAME_SQL = """
CREATE OR REPLACE FUNCTION dossier_hub.free_tag_name(k text, name text) RETURNS text
  LANGUAGE plpgsql STABLE AS $$
DECLARE candidate text := name; n integer := 1;
BEGIN
  WHILE EXISTS (SELECT 1 FROM dossier_hub.tags t WHERE t.key <> k
                AND lower(t.data->>'name') = lower(candidate)) LOOP
    n := n + 1;
    candidate := name || ' (' || n || ')';
  END LOOP;
  RETURN candidate;
END $$;
"""

#: Version 8: tags a hub holds under one name (pushed before version 8 by two
#: leads) are told apart as a pushed step would: each but the first in the
#: hub's order gets a free name, by one step (of the hub's owner) that
#: members pull like any other, so that every file renames the same tags.
#: The hub's order is that of the tags' inserts (the seq of a tag's last
#: insert, then its key), the one files already used to tell them apart
#: (hub_sync._Applier._later_named): ordered by a tag's last change instead,
#: a tag recoloured since would swap names with the one files renamed.
#: Row-level security as in :data:`_PASSAGE_OWNER_SQL` (the owner writes a
#: step and applies its changes here only).
_DUPLICATE_TAGS_SQL = [
    "ALTER TABLE dossier_hub.steps NO FORCE ROW LEVEL SECURITY",
    "ALTER TABLE dossier_hub.changes NO FORCE ROW LEVEL SECURITY",
    "ALTER TABLE dossier_hub.tags NO FORCE ROW LEVEL SECURITY",
    """DO $$ DECLARE r record; step uuid := gen_random_uuid(); n integer := 0;
    BEGIN
      FOR r IN WITH ins AS (
          SELECT t.key, t.data, coalesce((SELECT max(c.seq) FROM dossier_hub.changes c
            WHERE c.tbl = 'tags' AND c.row_key = t.key AND c.before IS NULL), 0) AS at
          FROM dossier_hub.tags t)
        SELECT i.key, i.data FROM ins i WHERE EXISTS (
          SELECT 1 FROM ins o WHERE lower(o.data->>'name') = lower(i.data->>'name')
          AND (o.at, o.key) < (i.at, i.key)) ORDER BY i.at, i.key LOOP
        IF n = 0 THEN
          INSERT INTO dossier_hub.steps (uuid, seq, name, analyst, kind, created_at, pushed_at)
            VALUES (step, 0, 'Tags of one name told apart', '', 'do',
                    to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"+00:00"'), now());
        END IF;
        INSERT INTO dossier_hub.changes (step_uuid, n, seq, tbl, row_key, before, after, owner)
          VALUES (step, n, 0, 'tags', r.key, r.data, jsonb_set(r.data, '{name}',
                  to_jsonb(dossier_hub.free_tag_name(r.key, r.data->>'name'))), '');
        n := n + 1;
      END LOOP;
    END $$""",
    "ALTER TABLE dossier_hub.steps FORCE ROW LEVEL SECURITY",
    "ALTER TABLE dossier_hub.changes FORCE ROW LEVEL SECURITY",
    "ALTER TABLE dossier_hub.tags FORCE ROW LEVEL SECURITY",
]


#: The fields of a row that a change changed (version 4).
_CHANGED_FIELDS_SQL = """
CREATE OR REPLACE FUNCTION dossier_hub.changed_fields(before jsonb, after jsonb)
  RETURNS jsonb LANGUAGE sql IMMUTABLE AS $$
  SELECT coalesce(jsonb_object_agg(k, v), '{}'::jsonb) FROM jsonb_each(after) AS e(k, v)
  WHERE before IS NULL OR before->k IS DISTINCT FROM v
$$;
"""


#: The analyst name of the connected login (version 4): the one it claimed
#: (``members``), or before its first passage its login name.
_MEMBER_NAME_SQL = """
CREATE OR REPLACE FUNCTION dossier_hub.member_name() RETURNS text LANGUAGE sql STABLE AS $$
  SELECT coalesce((SELECT analyst FROM dossier_hub.members WHERE login = session_user),
                  session_user::text)
$$;
"""
#: The policies version 4 changed, by table and command.
_V4_POLICIES = (("assignments", "UPDATE"), ("passages", "DELETE"))
#: The policies version 5 changed (changes of passages seen by the passage's owner).
_V5_POLICIES = (("changes", "SELECT"),)
#: The policies version 6 changed (a lead inserts a passage as its coder's).
_V6_POLICIES = (("passages", "INSERT"),)

#: The login owning a passage coded under ``analyst`` that the connected
#: role inserts (version 6): for a lead, the member who codes under that name
#: (a lead's undo of deleting Ana's article gives Ana her passages back, so
#: her note stays hers and blind coding shows them to her); else, or when no
#: member codes under it, the connected role. An analyst's passage under
#: another's name is refused by passage_coder_guard.
_CODER_LOGIN_SQL = """
CREATE OR REPLACE FUNCTION dossier_hub.coder_login(analyst text) RETURNS text
  LANGUAGE sql STABLE AS $$
  SELECT coalesce(CASE WHEN dossier_hub.is_lead() THEN
    (SELECT m.login FROM dossier_hub.members m WHERE m.analyst = coder_login.analyst) END,
    current_user::text)
$$;
"""


def _altered_policies(which: tuple[tuple[str, str], ...]) -> list[str]:
    """ALTER POLICY statements giving an older hub the policies ``which``
    (table, command) of :data:`_POLICIES` (named by their place in the list)."""
    out = []
    for number, (table, command, expression) in enumerate(_POLICIES):
        if (table, command) in which:
            using = (f"WITH CHECK ({expression})" if command == "INSERT" else
                     f"USING ({expression})" + (f" WITH CHECK ({expression})"
                                                if command in ("UPDATE", "ALL") else ""))
            out.append(f"ALTER POLICY {table}_{command.lower()}_{number} "
                       f"ON dossier_hub.{table} {using}")
    return out


#: Version 5: every change of a passage already on the hub gets the passage's
#: owner (its row's, or for a passage deleted since the login that last
#: inserted it, or the pusher). Run by the hub's owner, whom forced
#: row-level security would hold to the policies (no UPDATE policy on
#: ``changes``): forced again, in the same transaction, once it is done.
_PASSAGE_OWNER_SQL = [
    "ALTER TABLE dossier_hub.changes ADD COLUMN passage_owner text",
    "ALTER TABLE dossier_hub.changes NO FORCE ROW LEVEL SECURITY",
    "ALTER TABLE dossier_hub.passages NO FORCE ROW LEVEL SECURITY",
    """UPDATE dossier_hub.changes c SET passage_owner = coalesce(
         (SELECT p.owner FROM dossier_hub.passages p WHERE p.key = c.row_key),
         (SELECT i.owner FROM dossier_hub.changes i WHERE i.tbl = 'passages'
          AND i.row_key = c.row_key AND i.before IS NULL ORDER BY i.seq DESC LIMIT 1),
         c.owner)
       WHERE c.tbl = 'passages'""",
    "ALTER TABLE dossier_hub.changes FORCE ROW LEVEL SECURITY",
    "ALTER TABLE dossier_hub.passages FORCE ROW LEVEL SECURITY",
]


#: Version 6: a passage a lead inserted under the name a member codes under
#: (a lead's undo of deleting the member's article) is given back to that
#: member, with the changes of it (whose passage_owner blind coding reads).
#: The guards would keep the owner (passage_owner_guard) or refuse a passage
#: under a tag the hub had before version 3 (passage_refs_guard): off for
#: this one statement. Row-level security as in :data:`_PASSAGE_OWNER_SQL`.
_CODER_OWNER_SQL = [
    "ALTER TABLE dossier_hub.changes NO FORCE ROW LEVEL SECURITY",
    "ALTER TABLE dossier_hub.passages NO FORCE ROW LEVEL SECURITY",
    "ALTER TABLE dossier_hub.passages DISABLE TRIGGER USER",
    """UPDATE dossier_hub.passages p SET owner = m.login FROM dossier_hub.members m
       WHERE m.analyst = p.data->>'analyst' AND p.owner <> m.login
       AND EXISTS (SELECT 1 FROM pg_roles r WHERE r.rolname = p.owner
                   AND pg_has_role(r.oid, 'dossier_lead', 'member'))""",
    "ALTER TABLE dossier_hub.passages ENABLE TRIGGER USER",
    """UPDATE dossier_hub.changes c SET passage_owner = p.owner FROM dossier_hub.passages p
       WHERE c.tbl = 'passages' AND c.row_key = p.key
       AND c.passage_owner IS DISTINCT FROM p.owner""",
    "ALTER TABLE dossier_hub.changes FORCE ROW LEVEL SECURITY",
    "ALTER TABLE dossier_hub.passages FORCE ROW LEVEL SECURITY",
]


def _changes_sql() -> str:
    """The functions by which a pushed change applies itself (version 4),
    records the owner of the passage it changes (version 5) and gives a
    passage a lead inserts to its coder (version 6)."""
    return (_CHANGED_FIELDS_SQL + _MEMBER_NAME_SQL + _CODER_LOGIN_SQL + _FREE_TAG_NAME_SQL
            + _CHANGES_SQL.replace(
        "@APPLY@", "\n".join(_APPLY_BRANCH.format(t=t, owner=_inserted_owner(t))
                             for t in STATE_TABLES)))


def _inserted_owner(table: str) -> str:
    """The owner a change inserting a row of ``table`` gives it: a passage's
    coder's login (:data:`_CODER_LOGIN_SQL`), else the pusher."""
    return ("dossier_hub.coder_login(NEW.after->>'analyst')" if table == "passages"
            else "current_user")


def _functions_sql() -> str:
    return (_FUNCTIONS_SQL.replace("@CODERS@", _CODERS_SQL + _REFERENCES_SQL)
            .replace("@EXISTS@", "\n".join(_EXISTS_BRANCH.format(t=t) for t in STATE_TABLES))
            + _changes_sql())


def init_statements(*, blind: bool = False) -> list[str]:
    """Every statement creating a hub, in order (run in one transaction by
    a superuser or the database's owner)."""
    tables = ["steps", "changes", *STATE_TABLES, "analyses", "settings"]
    statements = [_ROLES_SQL, *_TABLES_SQL, _functions_sql(), *_TRIGGERS_SQL]
    for table in tables:
        statements.append(f"ALTER TABLE dossier_hub.{table} ENABLE ROW LEVEL SECURITY")
        statements.append(f"ALTER TABLE dossier_hub.{table} FORCE ROW LEVEL SECURITY")
    statements += [_policy_sql(t, c, e, i) for i, (t, c, e) in enumerate(_POLICIES)]
    statements += _MEMBERS_SECURITY
    statements += [
        "GRANT USAGE ON SCHEMA dossier_hub TO dossier_viewer",
        "GRANT SELECT ON ALL TABLES IN SCHEMA dossier_hub TO dossier_viewer",
        "GRANT INSERT ON dossier_hub.steps, dossier_hub.changes, dossier_hub.analyses "
        "TO dossier_analyst",
        "GRANT INSERT, UPDATE, DELETE ON " + ", ".join(f"dossier_hub.{t}" for t in STATE_TABLES)
        + " TO dossier_analyst",
        "GRANT INSERT, UPDATE, DELETE ON dossier_hub.settings TO dossier_lead",
        "GRANT USAGE ON ALL SEQUENCES IN SCHEMA dossier_hub TO dossier_analyst",
        "REVOKE ALL ON SCHEMA dossier_hub FROM PUBLIC",
        "INSERT INTO dossier_hub.settings (key, value) VALUES ('version', %(version)s), "
        "('blind', %(blind)s)",
    ]
    return statements


#: The hub's schema version.
VERSION_SQL = "SELECT value FROM dossier_hub.settings WHERE key = 'version'"


def upgrade_statements(version: str) -> list[str]:
    """The statements bringing a hub of schema ``version`` up to
    :data:`HUB_VERSION` (run in one transaction by the hub's owner); empty
    when it is up to date. Version 1 → 2 adds ``members``, filled with the
    one analyst name each login's passages carry (a login that pushed under
    several names claims one at its next passage). Version 2 → 3 refuses
    passages whose tag or article the hub never had (those it took already
    stay; members' files leave them out and say so). Version 3 → 4 applies
    an update to only the fields it changed, and never to a row deleted on
    the hub (the rows stay as they are); an analyst sets only her own
    review status; a lead deletes others' passages (with their article).
    Version 4 → 5 records on each change of a passage the passage's owner
    (the history already there included), whom blind coding shows it to.
    Version 5 → 6 gives a passage a lead inserts under a member's analyst
    name to that member, those already on the hub included. Version 6 → 7
    lets a member's first review status claim her analyst name. Version 7 →
    8 gives a tag named as another tag a free name, those already on the
    hub included (:data:`_DUPLICATE_TAGS_SQL`). Version 8 → 9 lets a review
    status claim only the name of the analyst the step says made it (the
    names claimed already stay)."""
    if version == HUB_VERSION:
        return []
    if version not in [str(n) for n in range(1, int(HUB_VERSION))]:
        raise ValueError(f"unknown hub schema version {version!r}")
    older = int(version)
    statements = []
    if older < 2:
        statements += [
            _MEMBERS_TABLE,
            _CODERS_SQL,
            _CODER_TRIGGER,
            *_MEMBERS_SECURITY,
            """INSERT INTO dossier_hub.members (login, analyst)
               SELECT owner, min(data->>'analyst') FROM dossier_hub.passages
               GROUP BY owner HAVING count(DISTINCT data->>'analyst') = 1
               ON CONFLICT DO NOTHING""",
        ]
    if older < 3:
        statements += [_REFERENCES_SQL, _REFERENCES_TRIGGER]
    # (the version 4 policies call member_name(), which _changes_sql makes)
    if older < 5:
        statements += _PASSAGE_OWNER_SQL
    # (_changes_sql, run by every upgrade, holds versions 7, 8 and 9's changes)
    return statements + [
        _changes_sql(),
        *(_CODER_OWNER_SQL if older < 6 else ()),
        *_altered_policies(_V4_POLICIES if older < 4 else ()),
        *_altered_policies(_V5_POLICIES if older < 5 else ()),
        *_altered_policies(_V6_POLICIES if older < 6 else ()),
        *(_DUPLICATE_TAGS_SQL if older < 8 else ()),
        f"UPDATE dossier_hub.settings SET value = '{HUB_VERSION}' WHERE key = 'version'",
    ]


def init_parameters(*, blind: bool = False) -> dict:
    """The parameters of :func:`init_statements`' last statement."""
    return {"version": HUB_VERSION, "blind": "on" if blind else "off"}


#: Whether a hub exists in the database.
HUB_EXISTS_SQL = "SELECT to_regclass('dossier_hub.steps') IS NOT NULL"


def add_member_sql(role: str) -> tuple[str, str]:
    """The statements (formatted with psycopg.sql: identifier ``{name}``,
    literal ``{password}``) creating a login role in a Dossier role, or
    updating an existing one's password and role."""
    group = group_role(role)
    create = ("CREATE ROLE {name} LOGIN PASSWORD {password} IN ROLE " + group)
    update = ("ALTER ROLE {name} LOGIN PASSWORD {password}; "
              "REVOKE dossier_lead, dossier_analyst, dossier_viewer FROM {name}; "
              "GRANT " + group + " TO {name}")
    return create, update


#: Whether a role exists.
ROLE_EXISTS_SQL = "SELECT 1 FROM pg_roles WHERE rolname = %s"
#: Take away a member's login (their passages and history stay).
REMOVE_MEMBER_SQL = ("ALTER ROLE {name} NOLOGIN; "
                     "REVOKE dossier_lead, dossier_analyst, dossier_viewer FROM {name}")
#: Blind coding on or off (a lead only; off = reveal everyone's passages).
SET_BLIND_SQL = ("INSERT INTO dossier_hub.settings (key, value) VALUES ('blind', %s) "
                 "ON CONFLICT (key) DO UPDATE SET value = excluded.value")
#: Which Dossier role the current login has.
MY_ROLE_SQL = """SELECT CASE WHEN pg_has_role(current_user, 'dossier_lead', 'member') THEN 'lead'
    WHEN pg_has_role(current_user, 'dossier_analyst', 'member') THEN 'analyst'
    WHEN pg_has_role(current_user, 'dossier_viewer', 'member') THEN 'viewer' END"""
