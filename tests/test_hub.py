"""The team hub on a real, throwaway PostgreSQL cluster (tests/hub_server.py):
set-up, roles and row-level security, first sync, push and pull between
clients, exactly-once under kills and a stopped server, conflicts, shared
analysis results."""

from __future__ import annotations

import itertools
import shutil

import psycopg
import pytest

from storage import hub_sync, journal, open_database, passages, tags
from storage.changes import PASSAGES

_numbers = itertools.count()


@pytest.fixture
def hub(hub_server):
    """A fresh hub database with a lead (lea) and two analysts (ana, bob)
    and a viewer (vic); returns a small helper."""
    name = f"hub_{next(_numbers)}"
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
        # nor can he pretend to be ana
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            bob.execute("INSERT INTO dossier_hub.passages (key, data, owner) "
                        "VALUES ('x', '{}', 'ana')")
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
    with journal.step(ana, "Rename tag", analyst="ana", origin="w"):
        tags.rename_tag(ana, tag_id, "Renamed by an analyst")
    result = hub_sync.sync(ana, hub.conn("ana"))
    assert result.pushed == 0 and len(result.refused) == 1
    assert hub_sync.waiting(ana) == 0
    with hub.conn("lea") as conn:
        names = {r[0]["name"] for r in conn.execute("SELECT data FROM dossier_hub.tags")}
    assert "Renamed by an analyst" not in names
