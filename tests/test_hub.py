"""The team hub on a real, throwaway PostgreSQL cluster (tests/hub_server.py):
set-up, roles and row-level security, first sync, push and pull between
clients, exactly-once under kills and a stopped server, conflicts, shared
analysis results."""

from __future__ import annotations

import itertools
import re
import shutil
import uuid

import psycopg
import pytest
from psycopg.conninfo import conninfo_to_dict

from storage import (articles, consensus, hub_sync, journal, open_database, passages, review,
                     tags)
from storage.changes import PASSAGES

_numbers = itertools.count()


@pytest.fixture
def hub(hub_server):
    """A fresh hub database with a lead (lea) and two analysts (ana, bob)
    and a viewer (vic); returns a small helper."""
    # (this module is also imported as tests.test_hub, with a counter of its own)
    name = f"hub_{next(_numbers)}_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(hub_server.admin_url("postgres"), autocommit=True) as admin:
        admin.execute(f"CREATE DATABASE {name}")
    admin = hub_sync.connect(hub_server.admin_url(name))
    hub_sync.init_hub(admin)
    for member, role in (("lea", "lead"), ("ana", "analyst"), ("bob", "analyst"),
                         ("vic", "viewer")):
        hub_sync.add_member(admin, member, role, f"pw-{member}")

    class Hub:
        server = hub_server
        database = name
        admin_conn = admin

        @staticmethod
        def url(member: str) -> str:
            return hub_server.url(member, f"pw-{member}", name)

        @staticmethod
        def conn(member: str) -> psycopg.Connection:
            return hub_sync.connect(Hub.url(member))

    yield Hub
    admin.close()


@pytest.fixture
def lead_db(tmp_path, seeded_template, hub):
    """The lead's file (the seeded corpus and codebook), uploaded to the hub."""
    path = tmp_path / "lea.db"
    shutil.copy(seeded_template, path)
    db = open_database(path)
    hub_sync.first_sync(db, hub.conn("lea"), hub.url("lea"))
    return db


def member_db(tmp_path, hub, member: str):
    db = open_database(tmp_path / f"{member}.db")
    hub_sync.first_sync(db, hub.conn(member), hub.url(member))
    return db


def tag_passage(db, analyst: str, *, start: int = 0, end: int = 20, tag: str | None = None,
                article: int | None = None) -> int:
    article_id = article or db.execute("SELECT id FROM articles ORDER BY title LIMIT 1"
                                       ).fetchone()[0]
    tag_id = (db.execute("SELECT id FROM tags WHERE name = ?", [tag]).fetchone()[0] if tag
              else db.execute("SELECT id FROM tags ORDER BY name LIMIT 1").fetchone()[0])
    with journal.step(db, "Tag passage", analyst=analyst, origin=f"window-{analyst}"):
        return passages.add_passage(db, article_id=article_id, tag_id=tag_id, start=start,
                                    end=end, analyst=analyst)


def passage_set(db) -> set:
    return {(r[0], r[1], r[2], r[3], r[4]) for r in db.execute(
        "SELECT p.uuid, a.uuid, t.name, p.start, p.analyst FROM passages p "
        "JOIN articles a ON a.id = p.article_id JOIN tags t ON t.id = p.tag_id")}


def test_init_add_analyst_connect_tag_sync_and_see_each_other(tmp_path, hub, lead_db):
    ana, bob = member_db(tmp_path, hub, "ana"), member_db(tmp_path, hub, "bob")
    # the first sync brought the corpus and the codebook, by uuid
    for db in (ana, bob):
        assert {r[0] for r in db.execute("SELECT uuid FROM articles")} == \
            {r[0] for r in lead_db.execute("SELECT uuid FROM articles")}
        assert {r[0] for r in db.execute("SELECT name FROM tags")} == \
            {r[0] for r in lead_db.execute("SELECT name FROM tags")}
    ana_passage = tag_passage(ana, "ana", start=0, end=25)
    bob_passage = tag_passage(bob, "bob", start=30, end=60)
    assert hub_sync.waiting(ana) == 1
    first = hub_sync.sync(ana, hub.conn("ana"))
    assert (first.pushed, first.refused) == (1, [])
    second = hub_sync.sync(bob, hub.conn("bob"))
    assert (second.pushed, second.pulled) == (1, 1)
    assert second.changes.touches(PASSAGES) and second.changes.foreign
    hub_sync.sync(ana, hub.conn("ana"))
    hub_sync.sync(lead_db, hub.conn("lea"))
    assert passage_set(ana) == passage_set(bob) == passage_set(lead_db)
    assert len(passage_set(ana)) == 2
    # pulled steps are not in anyone's undo history, and never pushed back
    assert journal.undoable(bob, "window-bob")["id"] == bob.execute(
        "SELECT id FROM journal_steps WHERE origin = 'window-bob'").fetchone()[0]
    assert hub_sync.waiting(bob) == 0 and hub_sync.waiting(ana) == 0
    pulled = bob.execute("SELECT kind, origin FROM journal_steps WHERE kind = 'pulled'"
                         ).fetchall()
    assert pulled and all(o.startswith("hub:") for _, o in pulled)
    # the local ids differ, the rows are the same
    assert ana_passage and bob_passage
    again = hub_sync.sync(bob, hub.conn("bob"))
    assert (again.pushed, again.pulled) == (0, 0)


def test_the_server_refuses_a_change_to_another_analysts_passage(tmp_path, hub, lead_db):
    ana = member_db(tmp_path, hub, "ana")
    tag_passage(ana, "ana")
    hub_sync.sync(ana, hub.conn("ana"))
    key = ana.execute("SELECT uuid FROM passages").fetchone()[0]
    # bob connects with psql-like access, as his own role
    with hub.conn("bob") as bob:
        # a direct UPDATE: row-level security leaves him no row to update
        assert bob.execute("UPDATE dossier_hub.passages SET data = data || "
                           "'{\"note\": \"x\"}' WHERE key = %s RETURNING key",
                           [key]).fetchone() is None
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            with bob.transaction():
                bob.execute("INSERT INTO dossier_hub.steps (uuid, seq, name, analyst, kind, "
                            "created_at, pushed_at) VALUES (gen_random_uuid(), 0, 'x', '', "
                            "'do', '', now()) RETURNING uuid::text")
                step = bob.execute("SELECT uuid::text FROM dossier_hub.steps ORDER BY seq DESC "
                                   "LIMIT 1").fetchone()[0]
                bob.execute("INSERT INTO dossier_hub.changes (step_uuid, n, seq, tbl, row_key, "
                            "before, after, owner) VALUES (%s, 0, 0, 'passages', %s, NULL, "
                            "NULL, '')", [step, key])
        # nor can he pretend to be ana (a passage as she would push it)
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            bob.execute("INSERT INTO dossier_hub.passages (key, data, owner) "
                        "SELECT 'x', data, 'ana' FROM dossier_hub.passages WHERE key = %s",
                        [key])
        # an analyst does not change the codebook, a viewer writes nothing
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            bob.execute("INSERT INTO dossier_hub.tags (key, data) VALUES ('t', '{}')")
    with hub.conn("vic") as vic:
        assert vic.execute("SELECT count(*) FROM dossier_hub.passages").fetchone()[0] == 1
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            vic.execute("INSERT INTO dossier_hub.passages (key, data) VALUES ('v', '{}')")
    # the passage is untouched
    with hub.conn("ana") as conn:
        data = conn.execute("SELECT data FROM dossier_hub.passages WHERE key = %s",
                            [key]).fetchone()[0]
    assert data["note"] == ""


def test_a_forbidden_local_step_is_refused_by_the_hub_and_reported(tmp_path, hub, lead_db):
    ana = member_db(tmp_path, hub, "ana")
    tag_id = ana.execute("SELECT id FROM tags ORDER BY name LIMIT 1").fetchone()[0]
    tag_passage(ana, "ana", start=0, end=10)
    with journal.step(ana, "Rename tag", analyst="ana", origin="w"):
        tags.rename_tag(ana, tag_id, "Renamed by an analyst")
    tag_passage(ana, "ana", start=20, end=30)
    result = hub_sync.sync(ana, hub.conn("ana"))
    # the steps around it, pushed in the same group, are accepted
    assert result.pushed == 2 and len(result.refused) == 1
    assert "Rename tag" in result.refused[0]
    assert "row-level security" not in result.refused[0]
    assert hub_sync.waiting(ana) == 0
    with hub.conn("lea") as conn:
        names = {r[0]["name"] for r in conn.execute("SELECT data FROM dossier_hub.tags")}
    assert "Renamed by an analyst" not in names


def test_no_member_codes_under_another_members_name(tmp_path, hub, lead_db):
    ana, bob = member_db(tmp_path, hub, "ana"), member_db(tmp_path, hub, "bob")
    tag_passage(ana, "Ana Lopez", start=0, end=10)
    assert hub_sync.sync(ana, hub.conn("ana")).refused == []
    # bob's file names its passages "Ana Lopez": refused, so agreement
    # figures never count his coding as hers
    tag_passage(bob, "Ana Lopez", start=20, end=30)
    refused = hub_sync.sync(bob, hub.conn("bob")).refused
    assert len(refused) == 1 and "another member codes as" in refused[0]
    # under his own name he is accepted, and from then on codes only under it
    tag_passage(bob, "bob", start=40, end=50)
    assert hub_sync.sync(bob, hub.conn("bob")).refused == []
    tag_passage(bob, "Robert", start=60, end=70)
    refused = hub_sync.sync(bob, hub.conn("bob")).refused
    assert len(refused) == 1 and 'codes as "bob"' in refused[0]
    # ana cannot pass as someone else either
    tag_passage(ana, "bob", start=80, end=90)
    assert len(hub_sync.sync(ana, hub.conn("ana")).refused) == 1
    with hub.conn("lea") as conn:
        coded = {(r[0], r[1]) for r in conn.execute(
            "SELECT owner, data->>'analyst' FROM dossier_hub.passages")}
        assert coded == {("ana", "Ana Lopez"), ("bob", "bob")}
        assert dict(conn.execute("SELECT login, analyst FROM dossier_hub.members")
                    .fetchall()) == {"ana": "Ana Lopez", "bob": "bob"}


def test_a_lead_moves_others_passages_but_never_changes_their_notes(tmp_path, hub, lead_db):
    ana = member_db(tmp_path, hub, "ana")
    passage_id = tag_passage(ana, "ana")
    with journal.step(ana, "Edit note", analyst="ana", origin="w"):
        passages.set_note(ana, passage_id, "ana's reading")
    hub_sync.sync(ana, hub.conn("ana"))
    hub_sync.sync(lead_db, hub.conn("lea"))
    key = ana.execute("SELECT uuid FROM passages").fetchone()[0]
    mine = lead_db.execute("SELECT id FROM passages WHERE uuid = ?", [key]).fetchone()[0]
    # the lead's window refuses at once …
    hub_sync.guard_local_edits(lead_db, "lead", "lea")
    with pytest.raises(Exception, match="only the analyst who coded a passage"):
        with journal.step(lead_db, "Edit note", analyst="lea", origin="w"):
            passages.set_note(lead_db, mine, "the lead's words")
    # … and the hub refuses it from any client, while a re-anchoring passes
    with hub.conn("lea") as conn:
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="only ana changes"):
            conn.execute("UPDATE dossier_hub.passages SET data = data || "
                         "'{\"note\": \"x\"}' WHERE key = %s", [key])
    with hub.conn("lea") as conn:
        assert conn.execute("UPDATE dossier_hub.passages SET data = data || "
                            "'{\"start\": 1}' WHERE key = %s RETURNING key",
                            [key]).fetchone() == (key,)
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="keeps the analyst"):
            conn.execute("UPDATE dossier_hub.passages SET data = data || "
                         "'{\"analyst\": \"lea\"}' WHERE key = %s", [key])


def test_an_older_hub_is_upgraded_by_its_owner(tmp_path, hub, lead_db):
    ana = member_db(tmp_path, hub, "ana")
    tag_passage(ana, "Ana Lopez")
    hub_sync.sync(ana, hub.conn("ana"))
    admin = hub.admin_conn
    _back_to_version_4(admin)
    with admin.transaction():     # and on back to version 1's schema
        admin.execute("DROP TRIGGER passages_refs_guard ON dossier_hub.passages")
        admin.execute("DROP FUNCTION dossier_hub.passage_refs_guard()")
        admin.execute("DROP FUNCTION dossier_hub.known_row(text, text)")
        admin.execute("DROP TRIGGER passages_coder_guard ON dossier_hub.passages")
        admin.execute("DROP FUNCTION dossier_hub.passage_coder_guard()")
        admin.execute("DROP FUNCTION dossier_hub.claim_analyst_name(text)")
        admin.execute("DROP TABLE dossier_hub.members")
        admin.execute("UPDATE dossier_hub.settings SET value = '1' WHERE key = 'version'")
    assert hub_sync.upgrade_hub(admin) == ("1", "9")
    assert hub_sync.upgrade_hub(admin) == ("9", "9")
    # the history already there records whose passage each change changed
    assert admin.execute("SELECT DISTINCT passage_owner FROM dossier_hub.changes "
                         "WHERE tbl = 'passages'").fetchall() == [("ana",)]
    # the name ana's passages carry is hers: bob is refused it
    assert admin.execute("SELECT login, analyst FROM dossier_hub.members").fetchall() == [
        ("ana", "Ana Lopez")]
    bob = member_db(tmp_path, hub, "bob")
    tag_passage(bob, "Ana Lopez", start=30, end=40)
    assert len(hub_sync.sync(bob, hub.conn("bob")).refused) == 1


def _memo_and_status(tmp_path, hub, lead_db) -> tuple:
    """Ana writes a memo on an article while Bob marks it done, each in their
    file; both sync, Ana again. Returns the hub's row and Ana's memo."""
    ana, bob = member_db(tmp_path, hub, "ana"), member_db(tmp_path, hub, "bob")
    uuid = ana.execute("SELECT uuid FROM articles ORDER BY id LIMIT 1").fetchone()[0]
    review.set_memo(ana, ana.execute("SELECT id FROM articles WHERE uuid = ?",
                                     [uuid]).fetchone()[0], "ana's memo")
    review.set_review_status(bob, bob.execute("SELECT id FROM articles WHERE uuid = ?",
                                              [uuid]).fetchone()[0], "done")
    for db, member in ((ana, "ana"), (bob, "bob"), (ana, "ana")):
        assert hub_sync.sync(db, hub.conn(member)).refused == []
    with hub.conn("lea") as conn:
        data = conn.execute("SELECT data FROM dossier_hub.articles WHERE key = %s",
                            [uuid]).fetchone()[0]
    return data, ana.execute("SELECT memo, review_status FROM articles WHERE uuid = ?",
                             [uuid]).fetchone()


def test_two_members_changing_other_fields_of_one_article_both_keep_theirs(tmp_path, hub,
                                                                           lead_db):
    data, ana_row = _memo_and_status(tmp_path, hub, lead_db)
    assert (data["memo"], data["review_status"]) == ("ana's memo", "done")
    assert ana_row == ("ana's memo", "done")


def test_a_leads_text_edit_does_not_refuse_or_wipe_an_analysts_memo(tmp_path, hub, lead_db):
    ana = member_db(tmp_path, hub, "ana")
    uuid = ana.execute("SELECT uuid FROM articles ORDER BY id LIMIT 1").fetchone()[0]
    lead_id, text = lead_db.execute("SELECT id, text FROM articles WHERE uuid = ?",
                                    [uuid]).fetchone()
    articles.replace_article_text(lead_db, lead_id, text + " Corrected.")
    hub_sync.sync(lead_db, hub.conn("lea"))
    ana_id = ana.execute("SELECT id FROM articles WHERE uuid = ?", [uuid]).fetchone()[0]
    review.set_memo(ana, ana_id, "ana's memo")
    result = hub_sync.sync(ana, hub.conn("ana"))
    assert result.refused == []
    hub_sync.sync(lead_db, hub.conn("lea"))
    for db in (ana, lead_db):
        assert db.execute("SELECT memo, text FROM articles WHERE uuid = ?", [uuid]).fetchone() \
            == ("ana's memo", text + " Corrected.")


def test_a_source_a_hub_holds_with_spaces_is_stored_trimmed(tmp_path, hub, lead_db):
    """A hub keeps sources as older files pushed them (" VOD "): a pull and a
    first sync store them trimmed, as the source filter compares them (one
    with spaces was never listed by it)."""
    ana = member_db(tmp_path, hub, "ana")
    uuid = lead_db.execute("SELECT uuid FROM articles ORDER BY id LIMIT 1").fetchone()[0]
    with journal.step(lead_db, "Edit article details", analyst="lea", origin="window-lea"):
        # as a file from before sources were trimmed stored an edit
        lead_db.execute("UPDATE articles SET source = ' VOD ' WHERE uuid = ?", [uuid])
    hub_sync.sync(lead_db, hub.conn("lea"))
    assert hub.admin_conn.execute("SELECT data->>'source' FROM dossier_hub.articles "
                                  "WHERE key = %s", [uuid]).fetchone()[0] == " VOD "
    hub_sync.sync(ana, hub.conn("ana"))
    bob = member_db(tmp_path, hub, "bob")
    for db in (ana, bob):
        assert db.execute("SELECT source FROM articles WHERE uuid = ?",
                          [uuid]).fetchone()[0] == "VOD"


def _lead_moves_anas_passage(ana, hub, lead_db) -> tuple[int, str]:
    """Ana tags a passage (0–20) and syncs; the lead syncs and re-anchors it
    to 0–10 (not pushed). Returns (Ana's passage id, its uuid)."""
    passage_id = tag_passage(ana, "ana", start=0, end=20)
    hub_sync.sync(ana, hub.conn("ana"))
    hub_sync.sync(lead_db, hub.conn("lea"))
    key = ana.execute("SELECT uuid FROM passages").fetchone()[0]
    theirs = lead_db.execute("SELECT id FROM passages WHERE uuid = ?", [key]).fetchone()[0]
    with journal.step(lead_db, "Adjust", analyst="lea", origin="w"):
        passages.set_range(lead_db, theirs, 0, 10)
    return passage_id, key


def test_a_leads_move_and_the_coders_note_on_one_passage_both_stay(tmp_path, hub, lead_db):
    ana = member_db(tmp_path, hub, "ana")
    passage_id, key = _lead_moves_anas_passage(ana, hub, lead_db)
    with journal.step(ana, "Edit note", analyst="ana", origin="w"):
        passages.set_note(ana, passage_id, "ana's reading")
    assert hub_sync.sync(lead_db, hub.conn("lea")).refused == []
    assert hub_sync.sync(ana, hub.conn("ana")).refused == []
    hub_sync.sync(lead_db, hub.conn("lea"))
    for db in (ana, lead_db):
        assert db.execute('SELECT "end", note FROM passages WHERE uuid = ?', [key]).fetchone() \
            == (10, "ana's reading")


def test_a_version_3_hub_upgraded_keeps_both_of_two_changes_to_one_row(tmp_path, hub,
                                                                       lead_db):
    admin = hub.admin_conn
    _back_to_version_4(admin)
    with admin.transaction():     # and on back to version 3, whose changes replaced whole rows
        admin.execute("""CREATE OR REPLACE FUNCTION dossier_hub.apply_change() RETURNS trigger
            LANGUAGE plpgsql AS $$ BEGIN
              EXECUTE format('UPDATE dossier_hub.%I SET data = $1, seq = $2 WHERE key = $3',
                             NEW.tbl) USING NEW.after, NEW.seq, NEW.row_key;
              RETURN NULL; END $$""")
        admin.execute("DROP FUNCTION dossier_hub.changed_fields(jsonb, jsonb)")
        admin.execute("ALTER POLICY assignments_update_18 ON dossier_hub.assignments "
                      "USING (dossier_hub.is_writer()) WITH CHECK (dossier_hub.is_writer())")
        admin.execute("DROP FUNCTION dossier_hub.member_name()")
        admin.execute("ALTER POLICY passages_delete_23 ON dossier_hub.passages "
                      "USING (owner = current_user AND dossier_hub.is_writer())")
        admin.execute("UPDATE dossier_hub.settings SET value = '3' WHERE key = 'version'")
    assert hub_sync.upgrade_hub(admin) == ("3", "9")
    assert "member_name()" in admin.execute(
        "SELECT qual FROM pg_policies WHERE policyname = 'assignments_update_18'").fetchone()[0]
    assert "is_lead()" in admin.execute(
        "SELECT qual FROM pg_policies WHERE policyname = 'passages_delete_23'").fetchone()[0]
    data, ana_row = _memo_and_status(tmp_path, hub, lead_db)
    assert (data["memo"], data["review_status"]) == ("ana's memo", "done")


def test_a_passage_deleted_on_the_hub_is_not_brought_back_by_a_stale_change(tmp_path, hub,
                                                                          lead_db):
    ana = member_db(tmp_path, hub, "ana")
    passage_id = tag_passage(ana, "ana", start=0, end=20)
    hub_sync.sync(ana, hub.conn("ana"))
    hub_sync.sync(lead_db, hub.conn("lea"))
    key, article = ana.execute("SELECT p.uuid, a.uuid FROM passages p JOIN articles a "
                               "ON a.id = p.article_id").fetchone()
    with journal.step(ana, "Delete passage", analyst="ana", origin="w"):
        passages.delete_passage(ana, passage_id)
    hub_sync.sync(ana, hub.conn("ana"))
    # the lead, not synced since, edits the text: her file re-anchors the passage
    lead_article, text = lead_db.execute("SELECT id, text FROM articles WHERE uuid = ?",
                                         [article]).fetchone()
    articles.replace_article_text(lead_db, lead_article, "Corrected. " + text)
    result = hub_sync.sync(lead_db, hub.conn("lea"))
    assert result.refused == []
    assert any("changed a passage deleted on the hub meanwhile" in c for c in result.conflicts)
    hub_sync.sync(ana, hub.conn("ana"))
    with hub.conn("lea") as conn:
        assert conn.execute("SELECT count(*) FROM dossier_hub.passages WHERE key = %s",
                            [key]).fetchone()[0] == 0
        assert conn.execute("SELECT data->>'text' FROM dossier_hub.articles WHERE key = %s",
                            [article]).fetchone()[0] == "Corrected. " + text
    for db in (ana, lead_db):
        assert db.execute("SELECT count(*) FROM passages WHERE uuid = ?", [key]).fetchone()[0] \
            == 0


def test_a_change_the_hub_drops_for_a_deleted_passage_takes_the_passage_from_the_file(
        tmp_path, hub, lead_db, monkeypatch):
    """A pull between two pushes (the window's rounds) keeps the passage the
    lead's unpushed move waits on; the hub then drops the move: the
    passage goes from her file then, as the message says."""
    ana = member_db(tmp_path, hub, "ana")
    passage_id = tag_passage(ana, "ana", start=0, end=20)
    hub_sync.sync(ana, hub.conn("ana"))
    hub_sync.sync(lead_db, hub.conn("lea"))
    key = ana.execute("SELECT uuid FROM passages").fetchone()[0]
    with journal.step(ana, "Delete passage", analyst="ana", origin="w"):
        passages.delete_passage(ana, passage_id)
    hub_sync.sync(ana, hub.conn("ana"))
    tag_passage(lead_db, "lea", start=40, end=50)
    mine = lead_db.execute("SELECT id FROM passages WHERE uuid = ?", [key]).fetchone()[0]
    with journal.step(lead_db, "Adjust", analyst="lea", origin="w"):
        passages.set_range(lead_db, mine, 0, 10)
    monkeypatch.setattr(hub_sync, "PUSH_BATCH", 1)
    hub_sync.sync(lead_db, hub.conn("lea"), limit=1)
    result = hub_sync.sync(lead_db, hub.conn("lea"))
    assert any("goes from this file too" in c for c in result.conflicts)
    assert hub_sync.waiting(lead_db) == 0
    assert lead_db.execute("SELECT count(*) FROM passages WHERE uuid = ?", [key]).fetchone()[0] \
        == 0


def test_a_row_the_hub_dropped_a_change_of_goes_from_the_file_after_the_hub_went_away(
        tmp_path, hub, lead_db):
    """As above, but the connection to the hub is lost right after the
    dropped move is committed there (its step marked pushed here), before
    the push could delete the passage: the next sync deletes it, and says so."""
    ana = member_db(tmp_path, hub, "ana")
    passage_id, key = _lead_moves_anas_passage(ana, hub, lead_db)
    with journal.step(ana, "Delete passage", analyst="ana", origin="w"):
        passages.delete_passage(ana, passage_id)
    hub_sync.sync(ana, hub.conn("ana"))
    hub_sync.pull(lead_db, hub.conn("lea"))     # keeps the passage her move waits on
    tag_passage(lead_db, "lea", start=40, end=50)
    conn = hub.conn("lea")
    pid = conn.info.backend_pid

    def hub_goes_away(_what, done, _total) -> None:
        if done == 1:
            hub.admin_conn.execute("SELECT pg_terminate_backend(%s)", [pid])

    with pytest.raises(hub_sync.HubOffline):
        hub_sync.push(lead_db, conn, per_transaction=1, on_progress=hub_goes_away)
    assert hub_sync.waiting(lead_db) == 1       # the move went, the new passage waits
    result = hub_sync.sync(lead_db, hub.conn("lea"))
    assert result.pushed == 1
    assert any("goes from this file too" in c for c in result.conflicts)
    assert lead_db.execute("SELECT count(*) FROM passages WHERE uuid = ?", [key]).fetchone()[0] \
        == 0
    assert lead_db.execute("SELECT count(*) FROM passages WHERE analyst = 'lea'"
                           ).fetchone()[0] == 1
    assert hub_sync.sync(lead_db, hub.conn("lea")).conflicts == []


def test_a_lead_deletes_an_article_with_an_analysts_passage_everywhere(tmp_path, hub,
                                                                       lead_db):
    ana = member_db(tmp_path, hub, "ana")
    tag_passage(ana, "ana")
    hub_sync.sync(ana, hub.conn("ana"))
    hub_sync.sync(lead_db, hub.conn("lea"))
    uuid = ana.execute("SELECT a.uuid FROM passages p JOIN articles a ON a.id = p.article_id"
                       ).fetchone()[0]
    articles.delete_articles(lead_db, [lead_db.execute(
        "SELECT id FROM articles WHERE uuid = ?", [uuid]).fetchone()[0]])
    assert hub_sync.sync(lead_db, hub.conn("lea")).refused == []
    hub_sync.sync(ana, hub.conn("ana"))
    with hub.conn("lea") as conn:
        assert conn.execute("SELECT (SELECT count(*) FROM dossier_hub.articles WHERE key = %s), "
                            "(SELECT count(*) FROM dossier_hub.passages)", [uuid]).fetchone() \
            == (0, 0)
    assert ana.execute("SELECT (SELECT count(*) FROM articles WHERE uuid = ?), "
                       "(SELECT count(*) FROM passages)", [uuid]).fetchone() == (0, 0)


def _undo_of_deleting_anas_article(tmp_path, hub, lead_db) -> tuple:
    """Ana tags a passage; the lead deletes its article, syncs, undoes the
    deletion and syncs again; Ana syncs in between and after. Returns (ana,
    the passage's uuid, the article's uuid)."""
    ana = member_db(tmp_path, hub, "ana")
    tag_passage(ana, "ana")
    hub_sync.sync(ana, hub.conn("ana"))
    hub_sync.sync(lead_db, hub.conn("lea"))
    key, article = ana.execute("SELECT p.uuid, a.uuid FROM passages p JOIN articles a "
                               "ON a.id = p.article_id").fetchone()
    articles.delete_articles(lead_db, [lead_db.execute(
        "SELECT id FROM articles WHERE uuid = ?", [article]).fetchone()[0]])
    assert hub_sync.sync(lead_db, hub.conn("lea")).refused == []
    hub_sync.sync(ana, hub.conn("ana"))
    journal.undo(lead_db, any_origin=True)
    assert hub_sync.sync(lead_db, hub.conn("lea")).refused == []
    hub_sync.sync(ana, hub.conn("ana"))
    return ana, key, article


@pytest.mark.parametrize("blind", [False, True], ids=["open", "blind coding"])
def test_a_leads_undo_of_deleting_an_article_gives_the_analyst_her_passage_back(
        tmp_path, hub, lead_db, blind):
    hub_sync.set_blind(hub.conn("lea"), blind)
    ana, key, article = _undo_of_deleting_anas_article(tmp_path, hub, lead_db)
    assert hub.admin_conn.execute("SELECT owner FROM dossier_hub.passages WHERE key = %s",
                                  [key]).fetchone() == ("ana",)
    assert ana.execute("SELECT (SELECT count(*) FROM articles WHERE uuid = ?), "
                       "(SELECT count(*) FROM passages WHERE uuid = ?)",
                       [article, key]).fetchone() == (1, 1)
    # her note is hers to change again
    local = ana.execute("SELECT id FROM passages WHERE uuid = ?", [key]).fetchone()[0]
    with journal.step(ana, "Edit note", analyst="ana", origin="w"):
        passages.set_note(ana, local, "ana's reading")
    assert hub_sync.sync(ana, hub.conn("ana")).refused == []


def test_a_version_5_hub_upgraded_gives_a_leads_reinserted_passage_back_to_its_coder(
        tmp_path, hub, lead_db):
    ana, key, _ = _undo_of_deleting_anas_article(tmp_path, hub, lead_db)
    admin = hub.admin_conn
    with admin.transaction():     # as version 5 left it: the lead's
        admin.execute("ALTER TABLE dossier_hub.passages DISABLE TRIGGER USER")
        admin.execute("UPDATE dossier_hub.passages SET owner = 'lea' WHERE key = %s", [key])
        admin.execute("ALTER TABLE dossier_hub.passages ENABLE TRIGGER USER")
        admin.execute("UPDATE dossier_hub.changes SET passage_owner = 'lea' WHERE row_key = %s",
                      [key])
        admin.execute("ALTER POLICY passages_insert_21 ON dossier_hub.passages "
                      "WITH CHECK (owner = current_user AND dossier_hub.is_writer())")
        admin.execute("UPDATE dossier_hub.settings SET value = '5' WHERE key = 'version'")
    assert hub_sync.upgrade_hub(admin) == ("5", "9")
    assert admin.execute("SELECT owner FROM dossier_hub.passages WHERE key = %s",
                         [key]).fetchone() == ("ana",)
    assert admin.execute("SELECT DISTINCT passage_owner FROM dossier_hub.changes "
                         "WHERE row_key = %s", [key]).fetchall() == [("ana",)]
    assert "coder_login" in admin.execute(
        "SELECT with_check FROM pg_policies WHERE policyname = 'passages_insert_21'"
        ).fetchone()[0]


def _local_tag_passage(db, analyst: str, name: str, start: int) -> None:
    """A tag only this file holds (made here, the hub refusing it), and a
    passage under it."""
    with journal.step(db, f"Create tag {name}", analyst=analyst, origin=f"window-{analyst}"):
        tags.create_tag(db, name, "#123456")
    tag_passage(db, analyst, start=start, end=start + 10, tag=name)


def test_a_passage_under_a_tag_the_hub_never_had_stops_nobody(tmp_path, hub, lead_db):
    """A passage under a tag only its coder's file holds: the hub refuses
    it; and one an older hub took already is left out of the others' files,
    said, instead of failing every pull and every first sync for good
    (passages.tag_id NOT NULL)."""
    ana = member_db(tmp_path, hub, "ana")
    _local_tag_passage(ana, "ana", "Only mine", 0)
    result = hub_sync.sync(ana, hub.conn("ana"))
    assert len(result.refused) == 2                       # the tag, then the passage
    assert "not in the team's codebook" in result.refused[1]
    assert hub.admin_conn.execute("SELECT count(*) FROM dossier_hub.passages"
                                  ).fetchone()[0] == 0

    # a hub of version 2 took such a passage
    with hub.admin_conn.transaction():
        hub.admin_conn.execute("DROP TRIGGER passages_refs_guard ON dossier_hub.passages")
    _local_tag_passage(ana, "ana", "Mine too", 20)
    tag_passage(ana, "ana", start=40, end=50)            # and one under a team tag
    hub_sync.sync(ana, hub.conn("ana"))
    pulled = hub_sync.sync(lead_db, hub.conn("lea"))      # no IntegrityError
    assert any("the hub never had" in c for c in pulled.conflicts)
    assert {p[4] for p in passage_set(lead_db)} == {"ana"} and len(passage_set(lead_db)) == 1
    bob = member_db(tmp_path, hub, "bob")                 # a first sync too
    assert passage_set(bob) == passage_set(lead_db)
    assert "Mine too" not in {t["name"] for t in tags.list_tags(bob)}


def test_a_file_leaves_its_hub_and_keeps_everything(tmp_path, hub, lead_db):
    from storage.database import get_meta

    ana = member_db(tmp_path, hub, "ana")
    tag_passage(ana, "ana", start=0, end=10)
    hub_sync.sync(ana, hub.conn("ana"))
    hub_sync.sync(lead_db, hub.conn("lea"))       # lea's passage-to-be arrives
    tag_passage(lead_db, "lea", start=40, end=50)
    hub_sync.sync(lead_db, hub.conn("lea"))
    hub_sync.sync(ana, hub.conn("ana"))
    tag_passage(ana, "ana", start=20, end=30)     # never sent
    hub_sync.guard_local_edits(ana, "analyst", "ana")
    before = passage_set(ana)
    assert hub_sync.disconnect(ana) == 1
    assert passage_set(ana) == before and len(before) == 3
    assert all(get_meta(ana, key) is None for key in hub_sync.HUB_META)
    assert hub_sync.waiting(ana) == 1     # (kept as they were: nothing is lost)
    # a file of its own: lea's passage is ana's to change now
    [(theirs,)] = ana.execute("SELECT id FROM passages WHERE analyst = 'lea'").fetchall()
    with journal.step(ana, "Delete passage", analyst="ana", origin="w"):
        passages.delete_passage(ana, theirs)
    with hub.conn("lea") as conn:       # and the hub never hears of it
        assert conn.execute("SELECT count(*) FROM dossier_hub.passages").fetchone()[0] == 2


# -- exactly once ---------------------------------------------------------------
def many_steps(db, analyst: str, count: int) -> None:
    """``count`` one-passage steps (in one SQLite transaction, for speed)."""
    from storage.database import write_transaction

    article_ids = [r[0] for r in db.execute("SELECT id FROM articles ORDER BY id")]
    tag_id = db.execute("SELECT id FROM tags ORDER BY name LIMIT 1").fetchone()[0]
    with write_transaction(db):
        for i in range(count):
            with journal.step(db, f"Tag passage {i}", analyst=analyst, origin="bulk"):
                passages.add_passage(db, article_id=article_ids[i % len(article_ids)],
                                     tag_id=tag_id, start=i % 200, end=i % 200 + 5,
                                     analyst=analyst)


def cli(hub, member: str, path, *args: str):
    import os
    import subprocess
    import sys

    env = dict(os.environ, DOSSIER_HUB_PASSWORD=f"pw-{member}", DOSSIER_HUB_BATCH="20",
               DOSSIER_HUB_PUSH_BATCH="5",
               PYTHON_KEYRING_BACKEND="keyring.backends.null.Keyring")
    return subprocess.Popen([sys.executable, "-m", "desktop.cli", "hub", *args, "--db",
                             str(path)], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)


def wait_until(condition, timeout: float = 60.0) -> None:
    import time

    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.005)


def hub_count(hub, what: str) -> int:
    with hub.conn("lea") as conn:
        return conn.execute(what).fetchone()[0]


def test_a_kill_mid_push_and_mid_pull_loses_and_duplicates_nothing(tmp_path, hub, lead_db):
    import signal

    ana, bob = member_db(tmp_path, hub, "ana"), member_db(tmp_path, hub, "bob")
    count = 600
    many_steps(ana, "ana", count)
    ana.close()
    pushing = cli(hub, "ana", tmp_path / "ana.db", "sync")
    ana_steps = "SELECT count(*) FROM dossier_hub.steps WHERE analyst = 'ana'"
    wait_until(lambda: hub_count(hub, ana_steps) >= 50)
    pushing.send_signal(signal.SIGKILL)
    pushing.wait()
    killed_at = hub_count(hub, ana_steps)
    assert 0 < killed_at < count, "the kill should land mid-push"
    ana = open_database(tmp_path / "ana.db")
    hub_sync.sync(ana, hub.conn("ana"))
    assert hub_count(hub, ana_steps) == count
    assert hub_count(hub, "SELECT count(*) FROM dossier_hub.passages") == count
    assert hub_sync.waiting(ana) == 0

    # bob pulls them, killed mid-pull (20 steps a transaction here)
    bob.close()
    pulling = cli(hub, "bob", tmp_path / "bob.db", "sync")
    probe = open_database(tmp_path / "bob.db")

    def pulled() -> int:
        return probe.execute("SELECT count(*) FROM passages").fetchone()[0]

    wait_until(lambda: pulled() >= 100)
    pulling.send_signal(signal.SIGKILL)
    pulling.wait()
    assert 0 < pulled() < count, "the kill should land mid-pull"
    bob = open_database(tmp_path / "bob.db")
    hub_sync.sync(bob, hub.conn("bob"))
    assert pulled() == count
    assert passage_set(bob) == passage_set(ana)
    assert bob.execute("SELECT count(*), count(DISTINCT uuid) FROM journal_steps "
                       "WHERE kind = 'pulled'").fetchone() == (count, count)


def test_the_server_stopped_mid_sync_loses_and_duplicates_nothing(tmp_path, hub, lead_db):
    import threading

    ana = member_db(tmp_path, hub, "ana")
    count = 400
    many_steps(ana, "ana", count)
    conn = hub.conn("ana")
    failure: list[BaseException] = []

    def run() -> None:
        try:
            hub_sync.push(open_database(tmp_path / "ana.db"), conn, per_transaction=5)
        except BaseException as error:   # noqa: BLE001 - checked below
            failure.append(error)

    worker = threading.Thread(target=run)
    ana_steps = "SELECT count(*) FROM dossier_hub.steps WHERE analyst = 'ana'"
    worker.start()
    wait_until(lambda: hub_count(hub, ana_steps) >= 30)
    hub.server.stop()
    worker.join(60)
    assert failure and isinstance(failure[0], hub_sync.HubOffline)
    hub.server.start()
    stopped_at = hub_count(hub, ana_steps)
    assert 0 < stopped_at < count
    assert hub_sync.waiting(ana) >= count - stopped_at
    hub_sync.sync(ana, hub.conn("ana"))
    assert hub_count(hub, ana_steps) == count
    assert hub_count(hub, "SELECT count(*) FROM dossier_hub.passages") == count
    assert hub_sync.waiting(ana) == 0


# -- conflicts ----------------------------------------------------------------
def test_two_leads_rename_one_tag_the_later_write_wins_the_other_is_kept(tmp_path, hub,
                                                                         lead_db):
    hub_sync.add_member(hub.admin_conn, "leo", "lead", "pw-leo")
    leo = member_db(tmp_path, hub, "leo")
    name = lead_db.execute("SELECT name FROM tags ORDER BY name LIMIT 1").fetchone()[0]
    for db, new, who in ((lead_db, "Renamed by Lea", "lea"), (leo, "Renamed by Leo", "leo")):
        tag_id = db.execute("SELECT id FROM tags WHERE name = ?", [name]).fetchone()[0]
        with journal.step(db, f"Rename tag “{name}”", analyst=who, origin=who):
            tags.rename_tag(db, tag_id, new)
    hub_sync.sync(lead_db, hub.conn("lea"))
    later = hub_sync.sync(leo, hub.conn("leo"))
    assert any("replaced by a later change (yours)" in c for c in later.conflicts)
    earlier = hub_sync.sync(lead_db, hub.conn("lea"))
    assert earlier.pulled == 1
    for db in (lead_db, leo):
        names = {r[0] for r in db.execute("SELECT name FROM tags")}
        assert "Renamed by Leo" in names and "Renamed by Lea" not in names and name not in names
    # the hub keeps both renames in its history
    with hub.conn("lea") as conn:
        afters = [r[0]["name"] for r in conn.execute(
            "SELECT c.after FROM dossier_hub.changes c WHERE c.tbl = 'tags' AND "
            "c.before->>'name' = %s ORDER BY c.seq", [name])]
    assert afters == ["Renamed by Lea", "Renamed by Leo"]


def _codebook(db) -> set:
    """Each tag (uuid, name) with its passages' uuids: what must agree everywhere."""
    return {(key, name, tuple(sorted(p for (p,) in db.execute(
        "SELECT p.uuid FROM passages p WHERE p.tag_id = ?", [tag_id]))))
        for tag_id, key, name in db.execute("SELECT id, uuid, name FROM tags")}


def _hub_codebook(conn) -> set:
    """:func:`_codebook` as the hub holds it."""
    return {(key, data["name"], tuple(sorted(p for (p,) in conn.execute(
        "SELECT key FROM dossier_hub.passages WHERE data->>'tag_uuid' = %s", [key]))))
        for key, data in conn.execute("SELECT key, data FROM dossier_hub.tags")}


def test_a_tag_renamed_to_a_name_a_colleague_just_gave_a_tag_is_told_apart(tmp_path, hub,
                                                                           lead_db):
    """Lea makes a tag “Zeta” while Leo, not having pulled it, renames
    another tag to “Zeta”. The hub names Leo's “Zeta (2)”: Lea's syncs go
    on (they failed on the file's unique name), Leo keeps his tag (it took
    Lea's uuid) under that name, told, and every file is the hub's."""
    hub_sync.add_member(hub.admin_conn, "leo", "lead", "pw-leo")
    leo = member_db(tmp_path, hub, "leo")
    with journal.step(lead_db, "New tag “Zeta”", analyst="lea", origin="lea"):
        tags.create_tag(lead_db, "Zeta", "#aa0000")
    mine, old = leo.execute("SELECT uuid, name FROM tags WHERE codable = 1 ORDER BY name "
                            "LIMIT 1").fetchone()
    tag_passage(leo, "leo", tag=old)
    with journal.step(leo, "Rename tag “Zeta”", analyst="leo", origin="leo"):
        tags.rename_tag(leo, leo.execute("SELECT id FROM tags WHERE uuid = ?",
                                         [mine]).fetchone()[0], "Zeta")
    hub_sync.sync(lead_db, hub.conn("lea"))
    told = hub_sync.sync(leo, hub.conn("leo"))
    assert told.refused == [] and any("“Zeta (2)” on the hub" in c for c in told.conflicts)
    for _ in range(2):
        assert hub_sync.sync(lead_db, hub.conn("lea")).refused == []
    ana = member_db(tmp_path, hub, "ana")
    for db in (lead_db, leo, ana):
        assert db.execute("SELECT name FROM tags WHERE uuid = ?", [mine]).fetchone() == (
            "Zeta (2)",)
        assert _codebook(db) == _hub_codebook(hub.admin_conn)


def test_two_leads_making_tags_of_one_name_keep_both_with_their_passages(tmp_path, hub,
                                                                         lead_db):
    """Lea and Leo each make a tag “Fraud” offline and tag a passage with it.
    Both tags stay, the later pushed named “Fraud (2)” by the hub, each with
    its own passage, in every file and for a new member; a later rename
    reaches every file alike."""
    hub_sync.add_member(hub.admin_conn, "leo", "lead", "pw-leo")
    leo, ana = member_db(tmp_path, hub, "leo"), member_db(tmp_path, hub, "ana")
    for db, who in ((lead_db, "lea"), (leo, "leo")):
        with journal.step(db, "New tag “Fraud”", analyst=who, origin=who):
            tags.create_tag(db, "Fraud", "#aa0000")
    tag_passage(lead_db, "lea", start=0, end=10, tag="Fraud")
    tag_passage(leo, "leo", start=20, end=30, tag="Fraud")
    leos = leo.execute("SELECT uuid FROM tags WHERE name = 'Fraud'").fetchone()[0]
    for db, who in ((lead_db, "lea"), (leo, "leo"), (ana, "ana"), (lead_db, "lea")):
        assert hub_sync.sync(db, hub.conn(who)).refused == []
    bob = member_db(tmp_path, hub, "bob")
    with journal.step(lead_db, "Rename tag", analyst="lea", origin="lea"):
        tags.rename_tag(lead_db, lead_db.execute("SELECT id FROM tags WHERE name = 'Fraud'"
                                                 ).fetchone()[0], "Fraud (financial)")
    for db, who in ((lead_db, "lea"), (leo, "leo"), (ana, "ana"), (bob, "bob")):
        hub_sync.sync(db, hub.conn(who))
    team = _hub_codebook(hub.admin_conn)
    assert {(name, len(ps)) for _, name, ps in team if name.startswith("Fraud")} == {
        ("Fraud (financial)", 1), ("Fraud (2)", 1)}
    assert (leos, "Fraud (2)") in {(key, name) for key, name, _ in team}
    for db in (lead_db, leo, ana, bob):
        assert _codebook(db) == team


@pytest.mark.parametrize("leos", [["Fraud", "Fraud (2)"], ["fraud", "Fraud (2)"],
                                  ["Fraud (2)", "Fraud"]])
def test_tags_named_apart_on_a_current_hub_are_said_once_without_upgrade_advice(
        tmp_path, hub, lead_db, leos):
    """Lea pushes a tag “Fraud” while Leo makes “Fraud” and “Fraud (2)”
    offline. On a current hub his sync says each of his tags' hub name once,
    from the name he gave it — no temporary name, no advice to upgrade a
    hub that is up to date — and his file holds the hub's codebook."""
    hub_sync.add_member(hub.admin_conn, "leo", "lead", "pw-leo")
    leo = member_db(tmp_path, hub, "leo")
    with journal.step(lead_db, "New tag “Fraud”", analyst="lea", origin="lea"):
        tags.create_tag(lead_db, "Fraud", "#aa0000")
    with journal.step(leo, "New tags", analyst="leo", origin="leo"):
        for name in leos:
            tags.create_tag(leo, name, "#aa0000")
    hub_sync.sync(lead_db, hub.conn("lea"))
    said = hub_sync.sync(leo, hub.conn("leo")).conflicts
    assert len(said) == len(set(said)) and not [c for c in said if "upgrade" in c], said
    names = {n for (n,) in leo.execute("SELECT name FROM tags WHERE name LIKE 'fraud%'")}
    assert all(re.findall("“([^”]*)”", c)[0] in leos and re.findall("“([^”]*)”", c)[1]
               in names for c in said), said
    assert _codebook(leo) == _hub_codebook(hub.admin_conn)


def _back_to_version_7(admin) -> None:
    """The hub's schema as version 7 made it: a tag may take another's name."""
    from storage import hub_schema

    functions = hub_schema._changes_sql()
    start = functions.find("  -- (version 8)")
    end = functions.index("END IF;", start) + len("END IF;\n") if start >= 0 else 0
    with admin.transaction():
        admin.execute(functions[:start] + functions[end:])
        admin.execute("UPDATE dossier_hub.settings SET value = '7' WHERE key = 'version'")


def _two_leads_make_fraud(tmp_path, hub, lead_db, *, tagged: bool) -> tuple:
    """A version 7 hub; Lea (the lead file) and a second lead, Leo, each make
    a tag “Fraud” (and, ``tagged``, a passage with it) in their files:
    ``(leo's file, the uuid of Leo's tag)``."""
    _back_to_version_7(hub.admin_conn)
    hub_sync.add_member(hub.admin_conn, "leo", "lead", "pw-leo")
    leo = member_db(tmp_path, hub, "leo")
    for db, who in ((lead_db, "lea"), (leo, "leo")):
        with journal.step(db, "New tag “Fraud”", analyst=who, origin=who):
            tags.create_tag(db, "Fraud", "#aa0000")
        if tagged:
            tag_passage(db, who, start=0, end=10, tag="Fraud")
    return leo, leo.execute("SELECT uuid FROM tags WHERE name = 'Fraud'").fetchone()[0]


def test_a_hub_holding_two_tags_of_one_name_is_joined_and_its_upgrade_tells_them_apart(
        tmp_path, hub, lead_db):
    """A version 7 hub took two tags “Fraud” from two leads. Every file, a new
    member's too (its first sync failed on the file's unique name), holds
    the one the hub inserted later as “Fraud (2)”; the upgrade renames it so
    on the hub, by a step every file pulls."""
    leo, later = _two_leads_make_fraud(tmp_path, hub, lead_db, tagged=True)
    for db, who in ((lead_db, "lea"), (leo, "leo"), (lead_db, "lea")):
        assert hub_sync.sync(db, hub.conn(who)).refused == []
    assert hub.admin_conn.execute("SELECT count(*) FROM dossier_hub.tags WHERE "
                                  "data->>'name' = 'Fraud'").fetchone()[0] == 2
    ana = member_db(tmp_path, hub, "ana")
    for db in (lead_db, leo, ana):
        assert db.execute("SELECT name FROM tags WHERE uuid = ?", [later]).fetchone() == (
            "Fraud (2)",)
    assert hub_sync.upgrade_hub(hub.admin_conn) == ("7", "9")
    for db, who in ((lead_db, "lea"), (leo, "leo"), (ana, "ana")):
        hub_sync.sync(db, hub.conn(who))
        assert _codebook(db) == _hub_codebook(hub.admin_conn)
    assert (later, "Fraud (2)") in {(k, n) for k, n, _ in _hub_codebook(hub.admin_conn)}


def test_the_upgrade_renames_the_tag_files_renamed_though_the_other_changed_since(
        tmp_path, hub, lead_db):
    """A version 7 hub holds Lea's “Fraud” and Leo's, inserted later, which
    every file calls “Fraud (2)”; then Lea recolours hers. The upgrade
    renames Leo's, as the files did (the order of the tags' inserts, not of
    their last changes): every file, a new member's and the hub keep the
    names they had."""
    leo, later = _two_leads_make_fraud(tmp_path, hub, lead_db, tagged=False)
    for db, who in ((lead_db, "lea"), (leo, "leo")):
        hub_sync.sync(db, hub.conn(who))
    with journal.step(lead_db, "Recolour tag", analyst="lea", origin="lea"):
        tags.recolour_tag(lead_db, lead_db.execute("SELECT id FROM tags WHERE name = 'Fraud'"
                                                   ).fetchone()[0], "#00aa00")
    for db, who in ((lead_db, "lea"), (leo, "leo")):
        hub_sync.sync(db, hub.conn(who))
    before = _codebook(lead_db)
    assert hub_sync.upgrade_hub(hub.admin_conn) == ("7", "9")
    for db, who in ((lead_db, "lea"), (leo, "leo")):
        hub_sync.sync(db, hub.conn(who))
    ana = member_db(tmp_path, hub, "ana")
    for db in (lead_db, leo, ana):
        assert _codebook(db) == _hub_codebook(hub.admin_conn) == before
        assert db.execute("SELECT name FROM tags WHERE uuid = ?", [later]).fetchone() == (
            "Fraud (2)",)


def test_a_tag_deleted_while_someone_tagged_with_it_keeps_the_passages_flagged(
        tmp_path, hub, lead_db):
    ana = member_db(tmp_path, hub, "ana")
    name = lead_db.execute("SELECT name FROM tags WHERE passage_count = 0 ORDER BY name "
                           "LIMIT 1").fetchone()[0]
    tag_id = lead_db.execute("SELECT id FROM tags WHERE name = ?", [name]).fetchone()[0]
    with journal.step(lead_db, f"Delete tag “{name}”", analyst="lea", origin="lea"):
        tags.delete_tag(lead_db, tag_id)
    tag_passage(ana, "ana", tag=name)
    hub_sync.sync(lead_db, hub.conn("lea"))
    result = hub_sync.sync(ana, hub.conn("ana"))
    assert any("deleted on the hub" in c for c in result.conflicts)
    hub_sync.sync(lead_db, hub.conn("lea"))
    flagged = name + hub_sync.DELETED_MARK
    for db in (ana, lead_db):
        rows = db.execute("SELECT p.analyst FROM passages p JOIN tags t ON t.id = p.tag_id "
                          "WHERE t.name = ?", [flagged]).fetchall()
        assert rows == [("ana",)]
        assert db.execute("SELECT count(*) FROM tags WHERE name = ?", [name]).fetchone()[0] == 0



def _tags_without_parent(db) -> list[str]:
    """Tags whose parent_id names no tag (hidden, or shown at the wrong place)."""
    return [r[0] for r in db.execute(
        "SELECT t.name FROM tags t WHERE t.parent_id IS NOT NULL "
        "AND NOT EXISTS (SELECT 1 FROM tags p WHERE p.id = t.parent_id)")]


def test_a_tag_placed_under_a_category_deleted_meanwhile_goes_to_the_top_level(
        tmp_path, hub, lead_db):
    """Lea deletes a category while Leo puts a new tag and an existing one
    under it: after everyone's pulls, no file holds a tag under a deleted
    parent, nor the category back; both tags are at the top, and said."""
    hub_sync.add_member(hub.admin_conn, "leo", "lead", "pw-leo")
    with journal.step(lead_db, "New category", analyst="lea", origin="lea"):
        category = tags.create_tag(lead_db, "Category", "#123456", codable=False)
    hub_sync.sync(lead_db, hub.conn("lea"))
    leo = member_db(tmp_path, hub, "leo")
    with journal.step(lead_db, "Delete tag “Category”", analyst="lea", origin="lea"):
        tags.delete_tag(lead_db, category)
    hub_sync.sync(lead_db, hub.conn("lea"))
    theirs = leo.execute("SELECT id FROM tags WHERE name = 'Category'").fetchone()[0]
    moved = leo.execute("SELECT name FROM tags WHERE codable = 1 ORDER BY name LIMIT 1"
                        ).fetchone()[0]
    with journal.step(leo, "New tag “Child”", analyst="leo", origin="leo"):
        child = tags.create_tag(leo, "Child", "#654321")
        tags.set_parent(leo, child, theirs)
    with journal.step(leo, f"Move tag “{moved}”", analyst="leo", origin="leo"):
        tags.set_parent(leo, leo.execute("SELECT id FROM tags WHERE name = ?",
                                         [moved]).fetchone()[0], theirs)
    result = hub_sync.sync(leo, hub.conn("leo"))
    assert result.refused == []
    said = [c for c in result.conflicts if "Category" in c]
    assert said and all("top level" in c for c in said)
    pulled = hub_sync.sync(lead_db, hub.conn("lea"))
    assert pulled.refused == [] and any("top level" in c for c in pulled.conflicts)
    for db in (leo, lead_db, member_db(tmp_path, hub, "ana")):
        assert _tags_without_parent(db) == []
        assert db.execute("SELECT count(*) FROM tags WHERE name LIKE 'Category%'"
                          ).fetchone()[0] == 0
        assert db.execute("SELECT name, parent_id FROM tags WHERE name IN ('Child', ?) "
                          "ORDER BY name", [moved]).fetchall() == sorted(
            [("Child", None), (moved, None)])


def test_a_tag_put_under_a_category_deleted_then_restored_stays_at_the_top_everywhere(
        tmp_path, hub, lead_db):
    """Lea deletes a category while Leo puts a new tag under it, then undoes
    her deletion. The tag went to the top level in the files that pulled
    the move, and stays there in a new member's too (the restored category
    put it back under itself there), said as a deletion, not a loop."""
    hub_sync.add_member(hub.admin_conn, "leo", "lead", "pw-leo")
    with journal.step(lead_db, "New category", analyst="lea", origin="lea"):
        category = tags.create_tag(lead_db, "Category", "#123456", codable=False)
        # (a later tag keeps the category's id from being reused by "Child"
        # in Lea's file, which would refuse her undo)
        tags.create_tag(lead_db, "Spare", "#223456")
    hub_sync.sync(lead_db, hub.conn("lea"))
    leo = member_db(tmp_path, hub, "leo")
    with journal.step(lead_db, "Delete tag “Category”", analyst="lea", origin="lea"):
        tags.delete_tag(lead_db, category)
    hub_sync.sync(lead_db, hub.conn("lea"))
    with journal.step(leo, "New tag “Child”", analyst="leo", origin="leo"):
        child = tags.create_tag(leo, "Child", "#654321")
        tags.set_parent(leo, child, leo.execute("SELECT id FROM tags WHERE name = 'Category'"
                                                ).fetchone()[0])
    hub_sync.sync(leo, hub.conn("leo"))
    hub_sync.sync(lead_db, hub.conn("lea"))
    journal.undo(lead_db, origin="lea")
    hub_sync.sync(lead_db, hub.conn("lea"))
    hub_sync.sync(leo, hub.conn("leo"))
    ana = open_database(tmp_path / "ana.db")
    joined = hub_sync.first_sync(ana, hub.conn("ana"), hub.url("ana"))
    assert any("“Child” was put under “Category”, deleted" in c for c in joined.conflicts)
    for db in (lead_db, leo, ana):
        assert (_parents(db)["Child"], _parents(db)["Category"]) == (None, None)
    assert _parents(lead_db) == _parents(leo) == _parents(ana)


def test_a_tag_under_a_category_deleted_then_restored_is_at_the_top_in_every_file(
        tmp_path, hub, lead_db):
    """Lea puts X under a category; Leo, not having pulled that, deletes the
    category, then undoes it. Deleting a tag lifts the tags under it, in
    the hub's order: X is at the top level in Leo's file, in Bob's (which
    pulled the deletion and the undo apart), in Lea's (which pulled both at
    once, applying neither) and in a new member's."""
    hub_sync.add_member(hub.admin_conn, "leo", "lead", "pw-leo")
    _new_tags(lead_db, ["Category", "X", "Spare"])
    hub_sync.sync(lead_db, hub.conn("lea"))
    leo, bob = member_db(tmp_path, hub, "leo"), member_db(tmp_path, hub, "bob")
    _move(lead_db, "lea", "X", "Category")
    hub_sync.sync(lead_db, hub.conn("lea"))
    with journal.step(leo, "Delete tag “Category”", analyst="leo", origin="leo"):
        tags.delete_tag(leo, leo.execute("SELECT id FROM tags WHERE name = 'Category'"
                                         ).fetchone()[0])
    for db, who in ((leo, "leo"), (bob, "bob")):
        hub_sync.sync(db, hub.conn(who))
    journal.undo(leo, origin="leo")
    for db, who in ((leo, "leo"), (bob, "bob"), (lead_db, "lea")):
        hub_sync.sync(db, hub.conn(who))
    ana = member_db(tmp_path, hub, "ana")
    for db in (lead_db, leo, bob, ana):
        assert (_parents(db)["X"], _parents(db)["Category"]) == (None, None)


def _parents(db) -> dict[str, str | None]:
    """Each tag's name → the name of the tag it sits under (None: the top)."""
    return dict(db.execute("SELECT t.name, p.name FROM tags t "
                           "LEFT JOIN tags p ON p.id = t.parent_id").fetchall())


def _looped(db) -> list[str]:
    """Tags whose chain of parents comes back to them (no tree shows them)."""
    return sorted(t for t in (r[0] for r in db.execute("SELECT id FROM tags"))
                  if t in tags.ancestor_ids(db, db.execute(
                      "SELECT parent_id FROM tags WHERE id = ?", [t]).fetchone()[0]))


def _new_tags(db, names: list[str]) -> None:
    with journal.step(db, "New tags", analyst="lea", origin="lea"):
        for name in names:
            tags.create_tag(db, name, "#123456")


def _move(db, who: str, name: str, under: str) -> None:
    """``who`` puts tag ``name`` under tag ``under`` in file ``db``."""
    ids = dict(db.execute("SELECT name, id FROM tags WHERE name IN (?, ?)",
                          [name, under]).fetchall())
    with journal.step(db, f"Move tag “{name}”", analyst=who, origin=who):
        tags.set_parent(db, ids[name], ids[under])


def _loop_on_the_hub(tmp_path, hub, lead_db, then=hub_sync.sync):
    """Lea puts X under Y; Leo, who has not pulled that, puts Y under X;
    both sync (Leo: ``then``, a sync or only a pull). Returns Leo's file
    and the result of his ``then``."""
    hub_sync.add_member(hub.admin_conn, "leo", "lead", "pw-leo")
    _new_tags(lead_db, ["X", "Y"])
    hub_sync.sync(lead_db, hub.conn("lea"))
    leo = member_db(tmp_path, hub, "leo")
    _move(lead_db, "lea", "X", "Y")
    hub_sync.sync(lead_db, hub.conn("lea"))
    _move(leo, "leo", "Y", "X")
    return leo, then(leo, hub.conn("leo"))


_LOOP_SAID = ("The tag “Y” was moved under “X”, which a colleague had put under it "
              "meanwhile: it stays, at the top level of the codebook.")


def test_two_leads_moving_two_tags_under_each_other_leave_one_tree_everywhere(
        tmp_path, hub, lead_db):
    """The later move in the hub's order (Leo's) would close a loop: it is
    not applied in any file, Y stays at the top, X under it — in Lea's file,
    in Leo's (which made his move first), and said to both."""
    leo, result = _loop_on_the_hub(tmp_path, hub, lead_db)
    assert result.refused == [] and _LOOP_SAID in result.conflicts
    pulled = hub_sync.sync(lead_db, hub.conn("lea"))
    assert _LOOP_SAID in pulled.conflicts
    for db in (lead_db, leo):
        assert _looped(db) == []
        assert (_parents(db)["X"], _parents(db)["Y"]) == ("Y", None)
    assert _parents(leo) == _parents(lead_db)
    again = hub_sync.sync(leo, hub.conn("leo"))
    assert (again.pulled, _parents(leo)) == (0, _parents(lead_db))


def test_a_new_members_first_sync_breaks_a_loop_the_hub_holds_as_the_others_do(
        tmp_path, hub, lead_db):
    """The hub's current state holds X under Y and Y under X (it applies
    each change's field): a member joining then gets the tree the others
    have, Y at the top, said."""
    leo, _ = _loop_on_the_hub(tmp_path, hub, lead_db)
    with hub.conn("lea") as conn:
        assert conn.execute("SELECT count(*) FROM dossier_hub.tags WHERE data->>'parent_uuid' "
                            "IS NOT NULL AND data->>'name' IN ('X', 'Y')").fetchone()[0] == 2
    ana = open_database(tmp_path / "ana.db")
    joined = hub_sync.first_sync(ana, hub.conn("ana"), hub.url("ana"))
    assert _LOOP_SAID in joined.conflicts
    assert _looped(ana) == [] and _parents(ana) == _parents(leo)
    assert (_parents(ana)["X"], _parents(ana)["Y"]) == ("Y", None)


def test_a_move_made_while_a_sync_pulls_breaks_the_loop_a_pulled_move_makes_with_it(
        tmp_path, hub, lead_db):
    """Leo puts Y under X after his sync pushed, before it pulls Lea's X
    under Y: his file holds no loop meanwhile (his move, the later one on
    the hub, is the one left out, as it will be everywhere), and after the
    next syncs every file has X under Y, Y at the top."""
    leo, pulled = _loop_on_the_hub(tmp_path, hub, lead_db, then=hub_sync.pull)
    assert _LOOP_SAID in pulled.conflicts
    assert _looped(leo) == [] and (_parents(leo)["X"], _parents(leo)["Y"]) == ("Y", None)
    hub_sync.sync(leo, hub.conn("leo"))
    hub_sync.sync(lead_db, hub.conn("lea"))
    for db in (lead_db, leo, member_db(tmp_path, hub, "ana")):
        assert _looped(db) == [] and (_parents(db)["X"], _parents(db)["Y"]) == ("Y", None)


def test_three_leads_moving_three_tags_in_a_circle_leave_one_tree_everywhere(
        tmp_path, hub, lead_db):
    """Lea puts X under Y, Leo Y under Z, Lou Z under X, none having pulled
    the others' moves; they sync in that order. Lou's move, the last, would
    close the circle: Z stays at the top everywhere, Y under Z, X under Y."""
    for lead in ("leo", "lou"):
        hub_sync.add_member(hub.admin_conn, lead, "lead", f"pw-{lead}")
    _new_tags(lead_db, ["X", "Y", "Z"])
    hub_sync.sync(lead_db, hub.conn("lea"))
    leo, lou = member_db(tmp_path, hub, "leo"), member_db(tmp_path, hub, "lou")
    for db, who, name, under in ((lead_db, "lea", "X", "Y"), (leo, "leo", "Y", "Z"),
                                 (lou, "lou", "Z", "X")):
        _move(db, who, name, under)
    for db, who in ((lead_db, "lea"), (leo, "leo"), (lou, "lou"), (lead_db, "lea"),
                    (leo, "leo")):
        hub_sync.sync(db, hub.conn(who))
    for db in (lead_db, leo, lou, member_db(tmp_path, hub, "ana")):
        assert _looped(db) == []
        assert [_parents(db)[t] for t in "XYZ"] == ["Y", "Z", None]


def test_a_flagged_tag_deleted_again_keeps_one_mark(tmp_path):
    """A tag kept under “… (deleted on hub)” whose deletion arrives once
    more (walk T: the conflict read “X (deleted on hub) (deleted on hub)”):
    its name keeps one mark, and the conflict names the tag as the analyst
    knew it."""
    db = open_database(tmp_path / "ana.db")
    with journal.step(db, "Set up", analyst="ana"):
        tag_id = tags.create_tag(db, "Smuggling" + hub_sync.DELETED_MARK, "#c01c28")
        article_id, _ = articles.add_article(db, title="A",
                                             text="Police seized goods at the border.")
        passages.add_passage(db, article_id=article_id, tag_id=tag_id, start=0, end=6,
                             analyst="ana")
    uuid = db.execute("SELECT uuid FROM tags WHERE id = ?", [tag_id]).fetchone()[0]
    result = hub_sync.SyncResult()
    with journal.step(db, "Pulled", analyst="lea"):
        hub_sync._Applier(db, None, result).delete("tags", uuid)
    assert db.execute("SELECT name FROM tags WHERE id = ?", [tag_id]).fetchone()[0] == \
        "Smuggling" + hub_sync.DELETED_MARK
    assert result.conflicts == [
        "The tag “Smuggling” was deleted on the hub while passages here use it: they "
        "stay, under “Smuggling (deleted on hub)”."]


def test_text_edited_while_others_code_re_anchors_on_arrival(tmp_path, hub, lead_db):
    ana = member_db(tmp_path, hub, "ana")
    article_id, text = ana.execute("SELECT id, text FROM articles ORDER BY title LIMIT 1"
                                   ).fetchone()
    words = text[100:140]
    start = text.index(words)
    tag_passage(ana, "ana", start=start, end=start + len(words), article=article_id)
    # and one whose words the lead's edit removes
    gone = text[300:330]
    tag_passage(ana, "ana", start=300, end=330, article=article_id)
    lead_article = lead_db.execute(
        "SELECT id FROM articles WHERE text = ?", [text]).fetchone()[0]
    new_text = "EDITED LEAD PARAGRAPH.\n\n" + text[:300] + text[330:]
    with journal.step(lead_db, "Edit article text", analyst="lea", origin="lea"):
        articles.replace_article_text(lead_db, lead_article, new_text)
    hub_sync.sync(lead_db, hub.conn("lea"))
    hub_sync.sync(ana, hub.conn("ana"))
    hub_sync.sync(lead_db, hub.conn("lea"))
    for db in (ana, lead_db):
        current = db.execute("SELECT text FROM articles WHERE uuid = (SELECT uuid FROM articles "
                             "WHERE text = ?)", [new_text]).fetchone()[0]
        rows = {r[0]: r for r in db.execute(
            "SELECT text, start, end, anchor FROM passages WHERE analyst = 'ana'")}
        kept = rows[words]
        assert current[kept[1]:kept[2]] == words and kept[3] == "moved"
        assert rows[gone][3] == "orphaned"          # kept, flagged, never dropped


@pytest.mark.slow
def test_analysis_results_are_shared_by_text_hash(tmp_path, hub, analysed_template):
    from storage.analyses import latest_analysis, pending_article_ids

    path = tmp_path / "lea.db"
    shutil.copy(analysed_template, path)
    lead = open_database(path)
    hub_sync.first_sync(lead, hub.conn("lea"), hub.url("lea"))
    ana = member_db(tmp_path, hub, "ana")
    pipeline, version = lead.execute("SELECT pipeline, pipeline_version FROM analyses LIMIT 1"
                                     ).fetchone()
    assert pending_article_ids(ana, pipeline, version) == []     # nothing left for spaCy
    for uuid, lead_id in lead.execute("SELECT uuid, id FROM articles"):
        ana_id = ana.execute("SELECT id FROM articles WHERE uuid = ?", [uuid]).fetchone()[0]
        mine, theirs = latest_analysis(ana, ana_id), latest_analysis(lead, lead_id)
        assert mine["entities"] == theirs["entities"]
        assert [q["speaker"] for q in mine["quotes"]] == [q["speaker"] for q in theirs["quotes"]]


def test_blind_coding_hides_others_passages_until_a_lead_reveals_them(tmp_path, hub, lead_db):
    hub_sync.set_blind(hub.conn("lea"), True)
    ana, bob = member_db(tmp_path, hub, "ana"), member_db(tmp_path, hub, "bob")
    tag_passage(ana, "ana")
    tag_passage(bob, "bob", start=40, end=60)
    for db, member in ((ana, "ana"), (bob, "bob"), (ana, "ana"), (lead_db, "lea")):
        hub_sync.sync(db, hub.conn(member))
    assert {p[4] for p in passage_set(ana)} == {"ana"}
    assert {p[4] for p in passage_set(bob)} == {"bob"}
    assert {p[4] for p in passage_set(lead_db)} == {"ana", "bob"}
    with hub.conn("bob") as conn:      # not even with psql
        assert conn.execute("SELECT count(*) FROM dossier_hub.passages").fetchone()[0] == 1
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("UPDATE dossier_hub.settings SET value = 'off' WHERE key = 'blind'")
    hub_sync.set_blind(hub.conn("lea"), False)
    revealed = hub_sync.sync(ana, hub.conn("ana"))
    assert revealed.changes.touches(PASSAGES)
    assert passage_set(ana) == passage_set(lead_db)


@pytest.mark.parametrize("reveal", ["blind coding off", "made a lead"])
def test_what_blind_coding_hid_of_passages_a_file_had_reaches_it_on_reveal(
        tmp_path, hub, lead_db, reveal):
    ana, bob = member_db(tmp_path, hub, "ana"), member_db(tmp_path, hub, "bob")
    gone = tag_passage(ana, "ana", start=0, end=20)
    noted = tag_passage(ana, "ana", start=30, end=40)
    tag_passage(bob, "bob", start=50, end=60)
    for db, member in ((ana, "ana"), (bob, "bob"), (ana, "ana")):
        hub_sync.sync(db, hub.conn(member))
    keys = dict(ana.execute("SELECT id, uuid FROM passages").fetchall())
    assert len(passage_set(bob)) == 3
    hub_sync.set_blind(hub.conn("lea"), True)
    hub_sync.sync(bob, hub.conn("bob"))
    with journal.step(ana, "Delete passage", analyst="ana", origin="w"):
        passages.delete_passage(ana, gone)
    with journal.step(ana, "Edit note", analyst="ana", origin="w"):
        passages.set_note(ana, noted, "ana's reading")
    hub_sync.sync(ana, hub.conn("ana"))
    hub_sync.sync(bob, hub.conn("bob"))        # the steps come, without their passages
    assert len(passage_set(bob)) == 3
    if reveal == "made a lead":
        hub_sync.add_member(hub.admin_conn, "bob", "lead", "pw-bob")
    else:
        hub_sync.set_blind(hub.conn("lea"), False)
    revealed = hub_sync.sync(bob, hub.conn("bob"))
    assert revealed.changes.touches(PASSAGES)
    assert bob.execute("SELECT count(*) FROM passages WHERE uuid = ?",
                       [keys[gone]]).fetchone()[0] == 0
    assert bob.execute("SELECT note FROM passages WHERE uuid = ?",
                       [keys[noted]]).fetchone() == ("ana's reading",)
    assert passage_set(bob) == passage_set(ana)
    # one pulled step, never in an undo, nothing of it pushed back
    assert bob.execute("SELECT kind, pushed_at FROM journal_steps "
                       "WHERE name = 'Passages revealed by the lead'").fetchall() == [
        ("pulled", "pulled")]
    # the deletion and the note; the passages that did not change stay as they are
    assert bob.execute("SELECT count(*) FROM journal_changes c JOIN journal_steps s "
                       "ON s.id = c.step_id WHERE s.name = 'Passages revealed by the lead' "
                       "AND c.tbl = 'passages'").fetchone()[0] == 2
    assert hub_sync.sync(bob, hub.conn("bob")).pushed == 0


def _passage_reads(conn) -> list[int]:
    """Make ``conn`` record how many passages each read from the hub's
    ``passages`` table returns (its cursors, the server-side ones too)."""
    sizes: list[int] = []

    def recording(base):
        class Recording(base):
            def execute(self, query, *args, **kwargs):
                self._reads_passages = "FROM dossier_hub.passages" in str(query)
                return super().execute(query, *args, **kwargs)

            def _record(self, rows):
                if getattr(self, "_reads_passages", False):
                    sizes.append(len(rows))
                return rows

            def fetchall(self):
                return self._record(super().fetchall())

            def fetchmany(self, size=0):
                return self._record(super().fetchmany(size))
        return Recording

    conn.cursor_factory = recording(psycopg.Cursor)
    conn.server_cursor_factory = recording(psycopg.ServerCursor)
    return sizes


def test_a_reveal_reads_the_hub_a_chunk_at_a_time_and_misses_nothing(tmp_path, hub, lead_db,
                                                                     monkeypatch):
    """More passages than one chunk of the reveal (2 here), others' new,
    deleted and changed ones among them: the file ends with the hub's
    passages, read no more than a chunk at a time."""
    monkeypatch.setattr(hub_sync, "REVEAL_BATCH", 2)
    ana, bob = member_db(tmp_path, hub, "ana"), member_db(tmp_path, hub, "bob")
    gone = tag_passage(ana, "ana", start=0, end=20)
    noted = tag_passage(ana, "ana", start=30, end=40)
    for db, member in ((ana, "ana"), (bob, "bob")):
        hub_sync.sync(db, hub.conn(member))
    hub_sync.set_blind(hub.conn("lea"), True)
    hub_sync.sync(bob, hub.conn("bob"))
    for start in range(100, 160, 10):
        tag_passage(ana, "ana", start=start, end=start + 5)
    tag_passage(bob, "bob", start=50, end=60)
    with journal.step(ana, "Delete passage", analyst="ana", origin="w"):
        passages.delete_passage(ana, gone)
    with journal.step(ana, "Edit note", analyst="ana", origin="w"):
        passages.set_note(ana, noted, "ana's reading")
    for db, member in ((ana, "ana"), (bob, "bob"), (ana, "ana")):
        hub_sync.sync(db, hub.conn(member))
    assert len(passage_set(bob)) == 3                   # hers from before the blind, his
    hub_sync.set_blind(hub.conn("lea"), False)
    conn = hub.conn("bob")
    reads = _passage_reads(conn)
    assert hub_sync.sync(bob, conn).changes.touches(PASSAGES)
    hub_sync.sync(lead_db, hub.conn("lea"))
    assert passage_set(bob) == passage_set(lead_db) and len(passage_set(bob)) == 8
    assert bob.execute("SELECT count(*) FROM passages WHERE note = 'ana''s reading'"
                       ).fetchone()[0] == 1
    assert reads and max(reads) <= 2


def _blind_move_by_the_lead(tmp_path, hub, lead_db) -> tuple:
    """Blind coding on: Ana tags a passage (0–20), Bob joins, the lead
    re-anchors Ana's passage to 0–10 and pushes. Returns (ana, bob, key)."""
    hub_sync.set_blind(hub.conn("lea"), True)
    ana, bob = member_db(tmp_path, hub, "ana"), member_db(tmp_path, hub, "bob")
    _passage_id, key = _lead_moves_anas_passage(ana, hub, lead_db)
    hub_sync.sync(lead_db, hub.conn("lea"))
    return ana, bob, key


def test_a_leads_change_of_a_passage_reaches_its_coder_under_blind_coding(tmp_path, hub,
                                                                         lead_db):
    ana, bob, key = _blind_move_by_the_lead(tmp_path, hub, lead_db)
    hub_sync.sync(ana, hub.conn("ana"))
    hub_sync.sync(bob, hub.conn("bob"))
    assert ana.execute('SELECT "end" FROM passages WHERE uuid = ?', [key]).fetchone() == (10,)
    # the change is the passage's, not the lead's: still hidden from the others
    assert passage_set(bob) == set()
    with hub.conn("bob") as conn:
        assert conn.execute("SELECT count(*) FROM dossier_hub.changes "
                            "WHERE tbl = 'passages'").fetchone()[0] == 0


def _back_to_version_4(admin) -> None:
    """The hub's schema as version 4 made it: changes without the passage's
    owner, shown by their pusher's."""
    with admin.transaction():
        admin.execute("""CREATE OR REPLACE FUNCTION dossier_hub.change_seq() RETURNS trigger
            LANGUAGE plpgsql AS $$ BEGIN
              SELECT seq INTO NEW.seq FROM dossier_hub.steps WHERE uuid = NEW.step_uuid;
              NEW.owner := current_user;
              IF NEW.before IS NOT NULL AND NEW.after IS NOT NULL
                 AND NOT dossier_hub.row_exists(NEW.tbl, NEW.row_key) THEN
                RETURN NULL;
              END IF;
              RETURN NEW; END $$""")
        admin.execute("ALTER POLICY changes_select_2 ON dossier_hub.changes "
                      "USING (tbl <> 'passages' OR dossier_hub.can_see(owner))")
        admin.execute("ALTER TABLE dossier_hub.changes DROP COLUMN passage_owner")
        admin.execute("UPDATE dossier_hub.settings SET value = '4' WHERE key = 'version'")


def test_a_version_4_hub_upgraded_shows_a_leads_earlier_change_to_the_passages_coder(
        tmp_path, hub, lead_db):
    _back_to_version_4(hub.admin_conn)
    ana, bob, key = _blind_move_by_the_lead(tmp_path, hub, lead_db)
    assert hub_sync.upgrade_hub(hub.admin_conn) == ("4", "9")
    hub_sync.sync(ana, hub.conn("ana"))
    hub_sync.sync(bob, hub.conn("bob"))
    assert ana.execute('SELECT "end" FROM passages WHERE uuid = ?', [key]).fetchone() == (10,)
    assert passage_set(bob) == set()
    # row-level security is forced again on the tables the upgrade filled
    assert hub.admin_conn.execute(
        "SELECT bool_and(relforcerowsecurity) FROM pg_class WHERE oid IN "
        "('dossier_hub.changes'::regclass, 'dossier_hub.passages'::regclass)").fetchone()[0]


def test_only_a_lead_starts_an_empty_hub_with_a_corpus(tmp_path, hub, seeded_template):
    path = tmp_path / "ana.db"
    shutil.copy(seeded_template, path)
    ana = open_database(path)
    with pytest.raises(hub_sync.HubError, match="refused the first sync"):
        hub_sync.first_sync(ana, hub.conn("ana"), hub.url("ana"))
    with hub.conn("lea") as conn:
        assert conn.execute("SELECT count(*) FROM dossier_hub.articles").fetchone()[0] == 0


def test_assignments_go_through_the_hub(tmp_path, hub, lead_db):
    from storage import assignments

    ana = member_db(tmp_path, hub, "ana")
    lead_article, uuid = lead_db.execute("SELECT id, uuid FROM articles ORDER BY id LIMIT 1"
                                         ).fetchone()
    assignments.assign(lead_db, [lead_article], ["ana"], by="lea")
    hub_sync.sync(lead_db, hub.conn("lea"))
    hub_sync.sync(ana, hub.conn("ana"))
    ana_article = ana.execute("SELECT id FROM articles WHERE uuid = ?", [uuid]).fetchone()[0]
    assert [a["analyst"] for a in assignments.analysts_of(ana, ana_article)] == ["ana"]
    assignments.set_status(ana, ana_article, "ana", "done")
    # an analyst may not assign: refused by the hub
    other = ana.execute("SELECT id FROM articles WHERE id != ? LIMIT 1", [ana_article]
                        ).fetchone()[0]
    assignments.assign(ana, [other], ["bob"], by="ana")
    result = hub_sync.sync(ana, hub.conn("ana"))
    assert result.pushed == 1 and len(result.refused) == 1
    hub_sync.sync(lead_db, hub.conn("lea"))
    assert [(a["analyst"], a["status"]) for a in assignments.analysts_of(lead_db, lead_article)
            ] == [("ana", "done")]
    assert lead_db.execute("SELECT count(*) FROM assignments").fetchone()[0] == 1


def test_an_analyst_sets_only_her_own_review_status(tmp_path, hub, lead_db):
    from storage import assignments

    ana, bob = member_db(tmp_path, hub, "ana"), member_db(tmp_path, hub, "bob")
    lead_article, uuid = lead_db.execute("SELECT id, uuid FROM articles ORDER BY id LIMIT 1"
                                         ).fetchone()
    assignments.assign(lead_db, [lead_article], ["ana", "bob"], by="lea")
    hub_sync.sync(lead_db, hub.conn("lea"))
    for db, member in ((ana, "ana"), (bob, "bob")):
        hub_sync.sync(db, hub.conn(member))
    bob_article = bob.execute("SELECT id FROM articles WHERE uuid = ?", [uuid]).fetchone()[0]
    assignments.set_status(bob, bob_article, "ana", "done")     # ana's, not his
    assignments.set_status(bob, bob_article, "bob", "in progress")
    result = hub_sync.sync(bob, hub.conn("bob"))
    assert result.refused == ["“Mark article %d done for ana”: On this team hub you set only "
                              "your own review status. (this step stays in this file only)"
                              % bob_article]
    # his window refuses it at once
    hub_sync.guard_local_edits(bob, "analyst", "bob")
    with pytest.raises(Exception, match="only your own review status"):
        assignments.set_status(bob, bob_article, "ana", "new")
    # the lead sets anyone's
    assignments.set_status(lead_db, lead_article, "ana", "in progress")
    assert hub_sync.sync(lead_db, hub.conn("lea")).refused == []
    hub_sync.sync(ana, hub.conn("ana"))
    ana_article = ana.execute("SELECT id FROM articles WHERE uuid = ?", [uuid]).fetchone()[0]
    assert [(a["analyst"], a["status"]) for a in assignments.analysts_of(ana, ana_article)] \
        == [("ana", "in progress"), ("bob", "in progress")]


def _back_to_version_6(admin) -> None:
    """The hub's schema as version 6 made it: a review status claims no name."""
    with admin.transaction():
        admin.execute("""CREATE OR REPLACE FUNCTION dossier_hub.change_seq() RETURNS trigger
            LANGUAGE plpgsql AS $$ BEGIN
              SELECT seq INTO NEW.seq FROM dossier_hub.steps WHERE uuid = NEW.step_uuid;
              NEW.owner := current_user;
              IF NEW.before IS NOT NULL AND NEW.after IS NOT NULL
                 AND NOT dossier_hub.row_exists(NEW.tbl, NEW.row_key) THEN
                RAISE NOTICE 'Dossier hub: step % changed a row of % deleted on the hub',
                  NEW.step_uuid, NEW.tbl;
                RETURN NULL;
              END IF;
              NEW.passage_owner := CASE WHEN NEW.tbl = 'passages' THEN coalesce(
                (SELECT p.owner FROM dossier_hub.passages p WHERE p.key = NEW.row_key),
                dossier_hub.coder_login(coalesce(NEW.after, NEW.before)->>'analyst')) END;
              RETURN NEW; END $$""")
        admin.execute("UPDATE dossier_hub.settings SET value = '6' WHERE key = 'version'")


@pytest.mark.parametrize("made", ["new", "upgraded from version 6"])
def test_a_members_first_review_status_claims_her_analyst_name(tmp_path, hub, lead_db, made):
    """Ana codes as "Ana Lopez" (not her login): the lead assigns her an
    article under that name and she marks it done before coding anything.
    The hub takes it, and the name is hers from then on."""
    from storage import assignments

    if made != "new":
        _back_to_version_6(hub.admin_conn)
        assert hub_sync.upgrade_hub(hub.admin_conn) == ("6", "9")
    ana, bob = member_db(tmp_path, hub, "ana"), member_db(tmp_path, hub, "bob")
    lead_article, uuid = lead_db.execute("SELECT id, uuid FROM articles ORDER BY id LIMIT 1"
                                         ).fetchone()
    assignments.assign(lead_db, [lead_article], ["Ana Lopez"], by="lea")
    hub_sync.sync(lead_db, hub.conn("lea"))
    hub_sync.sync(ana, hub.conn("ana"))
    hub_sync.guard_local_edits(ana, "analyst", "Ana Lopez")
    ana_article = ana.execute("SELECT id FROM articles WHERE uuid = ?", [uuid]).fetchone()[0]
    assignments.set_status(ana, ana_article, "Ana Lopez", "done", by="Ana Lopez")
    assert hub_sync.sync(ana, hub.conn("ana")).refused == []
    hub_sync.sync(lead_db, hub.conn("lea"))
    assert [(a["analyst"], a["status"]) for a in assignments.analysts_of(lead_db, lead_article)
            ] == [("Ana Lopez", "done")]
    assert hub.admin_conn.execute("SELECT login, analyst FROM dossier_hub.members"
                                  ).fetchall() == [("ana", "Ana Lopez")]
    tag_passage(bob, "Ana Lopez", start=30, end=40)
    assert len(hub_sync.sync(bob, hub.conn("bob")).refused) == 1


def _claim_stands_alone(admin) -> None:
    """The hub's schema as version 8 made it: a review status claims the name
    it is under for whoever pushed it, whoever the step says made it."""
    from storage import hub_schema

    functions, cut = re.subn(r"\n\s*AND NEW\.after->>'analyst' = \(SELECT s\.local_analyst"
                             r".*?\)(?= THEN)", "", hub_schema._changes_sql(), flags=re.S)
    assert cut == 1
    with admin.transaction():
        admin.execute(functions)
        admin.execute("UPDATE dossier_hub.settings SET value = '8' WHERE key = 'version'")


def _push_status_as(conn, author: str, article_uuid: str, analyst: str, status: str) -> None:
    """What a member's psql can push: one step saying ``author`` made it,
    setting ``analyst``'s review status of an article."""
    from psycopg.types.json import Jsonb

    with conn.transaction():
        step = conn.execute(
            "INSERT INTO dossier_hub.steps (uuid, seq, name, analyst, local_analyst, kind, "
            "created_at, pushed_at) VALUES (gen_random_uuid(), 0, 'Mark', '', %s, 'do', '', "
            "now()) RETURNING uuid::text", [author]).fetchone()[0]
        row = conn.execute("SELECT key, data FROM dossier_hub.assignments WHERE "
                           "data->>'article_uuid' = %s AND data->>'analyst' = %s",
                           [article_uuid, analyst]).fetchone()
        conn.execute("INSERT INTO dossier_hub.changes (step_uuid, n, seq, tbl, row_key, "
                     "before, after, owner) VALUES (%s, 0, 0, 'assignments', %s, %s, %s, '')",
                     [step, row[0], Jsonb(row[1]), Jsonb({**row[1], "status": status})])


@pytest.mark.parametrize("made", ["new", "upgraded from version 8"])
def test_a_review_status_set_under_a_colleagues_name_claims_nothing(tmp_path, hub, lead_db,
                                                                      made):
    """Bob sets the review status of Ana's article under her name ("Ana
    Lopez", not a login) before Ana codes anything: by a `dossier` call that
    does not say who acted, by one that says it was him, and from psql. The
    hub claims her name for none of them (each is refused: he sets only his
    own status); Ana's own status claims it, and the lead sets anyone's
    without claiming a name."""
    from storage import assignments

    if made != "new":
        _claim_stands_alone(hub.admin_conn)
        assert hub_sync.upgrade_hub(hub.admin_conn) == ("8", "9")
    ana, bob = member_db(tmp_path, hub, "ana"), member_db(tmp_path, hub, "bob")
    lead_article, uuid = lead_db.execute("SELECT id, uuid FROM articles ORDER BY id LIMIT 1"
                                         ).fetchone()
    assignments.assign(lead_db, [lead_article], ["Ana Lopez", "bob"], by="lea")
    hub_sync.sync(lead_db, hub.conn("lea"))
    hub_sync.sync(bob, hub.conn("bob"))
    bob_article = bob.execute("SELECT id FROM articles WHERE uuid = ?", [uuid]).fetchone()[0]
    members = "SELECT login, analyst FROM dossier_hub.members ORDER BY login"

    refused = ("“Mark article {} {} for Ana Lopez”: On this team hub you set only your own "
               "review status. (this step stays in this file only)")
    assignments.set_status(bob, bob_article, "Ana Lopez", "done")
    assert hub_sync.sync(bob, hub.conn("bob")).refused == [refused.format(bob_article, "done")]
    assert hub.admin_conn.execute(members).fetchall() == []
    with hub.conn("bob") as conn:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            _push_status_as(conn, "bob", uuid, "Ana Lopez", "done")
    assert hub.admin_conn.execute(members).fetchall() == []
    assignments.set_status(bob, bob_article, "Ana Lopez", "in progress", by="bob")
    assert hub_sync.sync(bob, hub.conn("bob")).refused == [
        refused.format(bob_article, "in progress")]
    assert hub.admin_conn.execute(members).fetchall() == []

    # the lead's status of Ana's article is taken, and claims no name either
    assignments.set_status(lead_db, lead_article, "Ana Lopez", "in progress", by="lea")
    assert hub_sync.sync(lead_db, hub.conn("lea")).refused == []
    assert hub.admin_conn.execute(members).fetchall() == []
    # Ana's own claims her name, and her passages under it are taken
    hub_sync.sync(ana, hub.conn("ana"))
    ana_article = ana.execute("SELECT id FROM articles WHERE uuid = ?", [uuid]).fetchone()[0]
    assignments.set_status(ana, ana_article, "Ana Lopez", "done", by="Ana Lopez")
    tag_passage(ana, "Ana Lopez", article=ana_article)
    assert hub_sync.sync(ana, hub.conn("ana")).refused == []
    assert hub.admin_conn.execute(members).fetchall() == [("ana", "Ana Lopez")]
    hub_sync.sync(lead_db, hub.conn("lea"))
    assert [(a["analyst"], a["status"]) for a in assignments.analysts_of(lead_db, lead_article)
            ] == [("Ana Lopez", "done"), ("bob", "new")]


def test_a_row_level_security_refusal_is_said_in_words():
    said = hub_sync.refusal_text(
        'new row violates row-level security policy for table "tags"')
    assert said == ("Only a lead changes the codebook on this team hub. (this step stays in "
                    "this file only)")
    # the hub's own triggers, and a viewer's login, in the window's words
    assert hub_sync.refusal_text("Dossier hub: ana may not delete this row of passages") == \
        "On this team hub you change only your own passages. (this step stays in this file only)"
    assert hub_sync.refusal_text("Dossier hub: bob may not change this row of tags"
                                 ).startswith("Only a lead changes the codebook")
    assert hub_sync.refusal_text("permission denied for table steps").startswith(
        "Viewers of this team hub do not change anything.")
    assert hub_sync.refusal_text("something else") == "something else"


def test_a_wrong_or_missing_password_is_not_an_unreachable_hub():
    wrong = hub_sync.connection_problem(
        'connection failed: connection to server at "127.0.0.1", port 5 failed: FATAL:  '
        'password authentication failed for user "ana"')
    assert wrong.startswith("The hub refused the password of ana")
    assert "Cannot reach" not in wrong
    missing = hub_sync.connection_problem("connection failed: fe_sendauth: no password supplied")
    assert "DOSSIER_HUB_PASSWORD" in missing
    assert hub_sync.connection_problem("timeout expired").startswith("Cannot reach the hub:")


def test_the_member_an_address_signs_in_as():
    assert hub_sync.member_in("postgresql://ana:pw@127.0.0.1:5/hub") == "ana"
    assert hub_sync.member_in("postgresql://127.0.0.1/hub") == ""
    assert hub_sync.member_in("dbname=hub") == ""


@pytest.mark.parametrize("url", [
    "postgresql:///hub?host=/run/postgresql&user=ana&password=pw",     # a socket: no host part
    "postgresql://ana@db.example/hub?password=pw&options=-c%20statement_timeout%3D5000",
    "postgresql://ana:p%40ss@db.example:5432,db2.example:5433/hub?sslmode=require",
])
def test_the_address_stored_is_the_address_given_less_its_password(url):
    given = conninfo_to_dict(url)
    given.pop("password")
    stored = hub_sync.strip_password(url)
    assert conninfo_to_dict(stored) == given
    assert hub_sync.password_in(stored) is None


def test_a_file_that_left_its_hub_cannot_join_again(tmp_path, hub, lead_db):
    """What it did while on its own would stay in it alone, silently ("0
    changes waiting"): joining again is refused, saying what to do."""
    ana = member_db(tmp_path, hub, "ana")
    hub_sync.disconnect(ana)
    tag_passage(ana, "ana", start=0, end=10)
    with pytest.raises(hub_sync.HubError, match="left a team hub .* cannot join one again"):
        hub_sync.first_sync(ana, hub.conn("ana"), hub.url("ana"))
    assert hub_sync.waiting(ana) == 1 and not hub_sync.get_meta(ana, hub_sync.HUB_URL)


def test_a_members_file_gets_the_teams_codebook_not_the_shipped_one(tmp_path, hub, lead_db):
    """The window installs the shipped tags in a new file; in a file that
    joined a hub it must not: a lead renamed or deleted some, and tags only
    this file has take passages the hub refuses."""
    from desktop.first_run import ensure_codebook, ensure_seeded

    drugs = lead_db.execute("SELECT id FROM tags WHERE name = 'Drugs'").fetchone()[0]
    with journal.step(lead_db, "Rename tag", analyst="lea", origin="window-lea"):
        tags.rename_tag(lead_db, drugs, "Narcotics")
    hub_sync.sync(lead_db, hub.conn("lea"))
    ana = member_db(tmp_path, hub, "ana")
    team = {t["name"] for t in tags.list_tags(ana)}
    assert "Narcotics" in team and "Drugs" not in team
    ensure_codebook(ana)
    assert ensure_seeded(ana) is None
    assert {t["name"] for t in tags.list_tags(ana)} == team
    hub_sync.disconnect(ana)                  # nor once it has left
    ensure_codebook(ana)
    assert {t["name"] for t in tags.list_tags(ana)} == team

    # the window's way: a new file (the shipped tags made on its first
    # opening), then File → Connect: a shipped tag has the same uuid in
    # every file, so bob's "Drugs" is the team's, renamed by the lead; an
    # unused tag of his own the team lacks goes
    bob = open_database(tmp_path / "bob.db")
    ensure_codebook(bob)
    with journal.step(bob, "Create tag"):
        tags.create_tag(bob, "Bob's own", "#123456")
    assert "Drugs" in {t["name"] for t in tags.list_tags(bob)}
    joined = hub_sync.first_sync(bob, hub.conn("bob"), hub.url("bob"))
    assert {t["name"] for t in tags.list_tags(bob)} == team
    assert tags.tag_uuids(bob)[tags.find_tag(bob, "Narcotics")["id"]] == \
        tags.tag_uuids(lead_db)[drugs]
    assert any("left out: Bob's own" in c for c in joined.conflicts)


def test_a_file_that_left_its_hub_moves_to_a_new_empty_one(tmp_path, hub, lead_db):
    """A moved server: a lead's file that left one hub uploads itself to a
    new, empty one (the refusal to join again is for a hub with a history)."""
    hub_sync.disconnect(lead_db)
    name = f"{hub.database}_moved"
    with psycopg.connect(hub.server.admin_url("postgres"), autocommit=True) as admin:
        admin.execute(f"CREATE DATABASE {name}")
    with hub_sync.connect(hub.server.admin_url(name)) as admin:
        hub_sync.init_hub(admin)
        hub_sync.add_member(admin, "lea", "lead", "pw-lea")
        url = hub.server.url("lea", "pw-lea", name)
        hub_sync.first_sync(lead_db, hub_sync.connect(url), url)
        assert admin.execute("SELECT count(*) FROM dossier_hub.articles").fetchone()[0] == \
            lead_db.execute("SELECT count(*) FROM articles").fetchone()[0]
    assert not hub_sync.get_meta(lead_db, hub_sync.HUB_LEFT)


def test_a_viewers_change_is_refused_in_words(tmp_path, hub, lead_db):
    """A viewer's tag (from the command line, which the window's guard does
    not cover) was refused as "permission denied for table steps"."""
    vic = member_db(tmp_path, hub, "vic")
    tag_passage(vic, "vic")
    result = hub_sync.sync(vic, hub.conn("vic"))
    [said] = result.refused
    assert "Viewers of this team hub do not change anything." in said
    assert hub_sync.refused(vic) and hub_sync.waiting(vic) == 0


def test_undo_and_redo_of_a_refused_step_keep_the_count_of_refusals_true(tmp_path, hub,
                                                                          lead_db):
    """An analyst's tag rename is refused; its undo is kept local (the hub
    never had it), its redo is refused again and counted, and undoing that
    redo is kept local too: at each point `refused` lists only what the file
    still holds apart from the team's."""
    ana = member_db(tmp_path, hub, "ana")
    tag_id = ana.execute("SELECT id FROM tags ORDER BY name LIMIT 1").fetchone()[0]
    with journal.step(ana, "Rename tag", analyst="ana", origin="window-ana"):
        tags.rename_tag(ana, tag_id, "Renamed by an analyst")
    assert len(hub_sync.sync(ana, hub.conn("ana")).refused) == 1
    assert [name for name, _ in hub_sync.refused(ana)] == ["Rename tag"]
    journal.undo(ana)
    result = hub_sync.sync(ana, hub.conn("ana"))
    assert (result.pushed, result.refused) == (0, []) and hub_sync.refused(ana) == []
    journal.redo(ana)
    assert len(hub_sync.sync(ana, hub.conn("ana")).refused) == 1
    assert len(hub_sync.refused(ana)) == 1
    journal.undo(ana)
    result = hub_sync.sync(ana, hub.conn("ana"))
    assert (result.pushed, result.refused) == (0, []) and hub_sync.refused(ana) == []
    assert hub_sync.waiting(ana) == 0


def test_psycopgs_pipeline_end_warning_is_kept_off_the_log_and_its_others_are_not(caplog):
    """The hub's refusal of a pipelined step is raised and handled; psycopg's
    own "error ignored terminating" warning about the same refusal is noise."""
    import logging

    logger = logging.getLogger("psycopg")
    with caplog.at_level(logging.WARNING, logger="psycopg"):
        logger.warning("error ignored terminating %r: %s", "<Pipeline>", "refused")
        logger.warning("connection lost")
    assert [r.getMessage() for r in caplog.records if r.name == "psycopg"] == [
        "connection lost"]
    assert hub_sync._not_pipeline_noise in logger.filters


def test_a_pulled_passage_does_not_take_the_id_of_one_deleted_here(tmp_path, hub, lead_db):
    """Ana deletes her newest passage; bob's passage arrives by the next sync.
    It used to take the deleted passage's id, and ana's Ctrl+Z of the delete
    was refused as "changed by someone else since"."""
    ana, bob = member_db(tmp_path, hub, "ana"), member_db(tmp_path, hub, "bob")
    newest = tag_passage(ana, "ana", start=0, end=25)
    with journal.step(ana, "Delete passage", analyst="ana", origin="window-ana") as deleted:
        passages.delete_passage(ana, newest)
    tag_passage(bob, "bob", start=30, end=60)
    hub_sync.sync(bob, hub.conn("bob"))
    hub_sync.sync(ana, hub.conn("ana"))
    pulled = ana.execute("SELECT id FROM passages WHERE analyst = 'bob'").fetchone()[0]
    assert pulled != newest
    journal.undo(ana, origin="window-ana", step_id=deleted.id)
    assert {r[0] for r in ana.execute("SELECT analyst FROM passages")} == {"ana", "bob"}


def test_a_lead_changes_the_note_of_a_consensus_passage_she_joined_last(tmp_path,
                                                                         seeded_template):
    """A consensus passage two leads decided parts of, joined by the second
    (``decided_by`` "carla; dan"), is the second's on the hub (its owner):
    her window lets her change its note, and refuses the first, as the hub."""
    path = tmp_path / "lead.db"
    shutil.copy(seeded_template, path)
    db = open_database(path)
    article_id, text = db.execute("SELECT id, text FROM articles ORDER BY id").fetchone()
    tag_id = db.execute("SELECT id FROM tags ORDER BY id").fetchone()[0]
    first = text.index(" ", 20)
    consensus.decide(db, article_id=article_id, start=0, end=first, tag_ids=[tag_id],
                     decided_by="carla")
    joined = consensus.decide(db, article_id=article_id, start=first + 1, end=first + 30,
                              tag_ids=[tag_id], decided_by="dan")[0]
    assert db.execute("SELECT decided_by FROM passages WHERE id = ?",
                      [joined]).fetchone() == ("carla; dan",)
    hub_sync.guard_local_edits(db, "lead", "dan")
    with journal.step(db, "Edit note", analyst="dan", origin="w"):
        passages.set_note(db, joined, "settled")
    other = open_database(path)
    hub_sync.guard_local_edits(other, "lead", "carla")
    with pytest.raises(Exception, match="only the analyst who coded a passage"):
        with journal.step(other, "Edit note", analyst="carla", origin="w"):
            passages.set_note(other, joined, "carla's words")
