"""Categories in the codebook (``tags.codable`` 0: REFI-QDA's
``isCodable="false"``, QualCoder's categories) in storage: migration 0025 on
a database made before it, ``set_codable`` as one undoable journal step, and
what a codebook file does to a category (storage.codebook). On real SQLite
files."""

from __future__ import annotations

import json
import sqlite3

import pytest
from sqlite_utils import Database

from desktop.cli import main
from storage import articles, journal, open_database, passages, tags
from storage.codebook import apply_codebook, codebook_entries
from storage.database import APPLICATION_ID
from storage.schema import MIGRATIONS, SCHEMA_VERSION


def schema_24_database(path) -> Database:
    """A database as Dossier left it before migration 0025 (no ``codable``)."""
    old = Database(sqlite3.connect(path))
    with old.atomic():
        MIGRATIONS.apply(old, stop_before="0025_tag_codable")
        journal.retrack_all(old)
        old.execute("DELETE FROM journal_open")
        old.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        old.execute("PRAGMA user_version = 24")
    return old


def test_the_migration_keeps_every_tag_codable_and_older_steps_undoable(tmp_path):
    path = tmp_path / "old.db"
    old = schema_24_database(path)
    assert "codable" not in old.table("tags").columns_dict
    cyber = tags.create_tag(old, "Cybercrime", "#e01b24")
    drugs = tags.create_tag(old, "Drugs", "#9141ac")
    article_id, _ = articles.add_article(old, title="A", text="Scam compounds in Sihanoukville.")
    passages.add_passage(old, article_id=article_id, tag_id=cyber, start=0, end=14,
                         analyst="ana")
    tags.rename_tag(old, drugs, "Narcotics")
    rename = journal.last_step_id(old)
    old.conn.close()

    db = open_database(path)
    assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert {t["name"]: t["codable"] for t in tags.list_tags(db)} == {
        "Cybercrime": 1, "Narcotics": 1}
    assert db.table("tags").columns_dict["codable"] is int
    # the new column is journaled: making a category is one step, undone exactly
    tags.set_codable(db, drugs, False)
    step = journal.last_step_id(db)
    [(before, after)] = db.execute("SELECT json_extract(before, '$.codable'), "
                                   "json_extract(after, '$.codable') FROM journal_changes "
                                   "WHERE step_id = ?", [step]).fetchall()
    assert (before, after) == (1, 0)
    journal.undo(db, step_id=step)
    assert tags.get_tag(db, drugs)["codable"] == 1
    # a step recorded before the column existed still undoes (no NULL written back)
    journal.undo(db, step_id=rename)
    assert tags.get_tag(db, drugs)["name"] == "Drugs"
    assert tags.get_tag(db, drugs)["codable"] == 1
    db.close()


def test_set_codable_is_one_step_and_a_category_gets_no_key(db):
    drugs = tags.find_tag(db, "Drugs")
    first = journal.last_step_id(db)
    tags.set_codable(db, drugs["id"], False)
    assert journal.last_step_id(db) == first + 1
    assert tags.get_tag(db, drugs["id"])["codable"] == 0
    assert tags.get_tag(db, drugs["id"])["shortcut"] == drugs["shortcut"]   # kept
    tags.set_codable(db, drugs["id"], True)
    assert tags.get_tag(db, drugs["id"])["codable"] == 1

    topics = tags.create_tag(db, "Topics", "#123456", codable=False)
    assert tags.get_tag(db, topics)["shortcut"] is None
    assert {t["name"]: t["codable"] for t in tags.list_tags(db)}["Topics"] == 0


def test_a_codebook_file_creates_categories_but_never_changes_an_existing_tag(db, tmp_path):
    result = apply_codebook(db, [
        {"name": "Crime types", "color": None, "codable": False},
        {"name": "Fraud", "color": "#be81f7", "parent": "Crime types"},
        {"name": "Drugs", "color": None, "codable": False},     # exists, codable
    ])
    assert result["created"] == ["Crime types", "Fraud"]
    codable = {t["name"]: t["codable"] for t in tags.list_tags(db)}
    assert codable["Crime types"] == 0 and codable["Fraud"] == 1
    assert codable["Drugs"] == 1        # analysts keep tagging with it
    # and a file that lists a category as an ordinary code leaves it a category
    apply_codebook(db, [{"name": "Crime types", "color": None, "codable": True}])
    assert tags.find_tag(db, "Crime types")["codable"] == 0

    entries = {e["name"]: e for e in codebook_entries(db)}
    assert entries["Crime types"]["codable"] is False
    assert "codable" not in entries["Fraud"]          # ordinary tags: no key at all


def test_tag_list_marks_a_category(tmp_path, capsys):
    path = tmp_path / "cli.db"
    db = open_database(path)
    tags.create_tag(db, "Crime types", "#123456", codable=False)
    tags.create_tag(db, "Fraud", "#654321")
    db.close()
    assert main(["tag", "list", "--db", str(path)]) == 0
    names = {line.split("passages  ")[1] for line in capsys.readouterr().out.splitlines()}
    assert {"Fraud", "Crime types  (category: not used for tagging)"} <= names
    assert main(["tag", "list", "--json", "--db", str(path)]) == 0
    listed = {t["name"]: t["codable"] for t in json.loads(capsys.readouterr().out)}
    assert (listed["Crime types"], listed["Fraud"]) == (False, True)


def test_undoing_a_category_a_tag_was_placed_under_since_is_refused(db):
    """tags.parent_id has no foreign key: undoing "New tag" after a colleague
    put a tag under it left that tag under no tag, and the next tag created
    (taking the freed id) silently became its parent."""
    with journal.step(db, "New tag", origin="A"):
        category = tags.create_tag(db, "Regions", "#112233", codable=False)
    child = db.execute("SELECT id FROM tags WHERE codable = 1 ORDER BY id").fetchone()[0]
    with journal.step(db, "Move tag", origin="B"):             # a colleague, meanwhile
        tags.set_parent(db, child, category)
    with pytest.raises(journal.JournalConflict, match=f"“{tags.get_tag(db, child)['name']}” "
                       "was placed under “Regions” since"):
        journal.undo(db, origin="A")
    assert tags.get_tag(db, category)["name"] == "Regions"
    assert tags.get_tag(db, child)["parent_id"] == category


def test_redoing_a_tag_deletion_a_tag_was_placed_under_since_is_refused(db):
    with journal.step(db, "New tag", origin="A"):
        category = tags.create_tag(db, "Regions", "#112233", codable=False)
    with journal.step(db, "Delete tag", origin="A"):
        tags.delete_tag(db, category)
    journal.undo(db, origin="A")
    child = db.execute("SELECT id FROM tags WHERE codable = 1 ORDER BY id").fetchone()[0]
    with journal.step(db, "Move tag", origin="B"):
        tags.set_parent(db, child, category)
    with pytest.raises(journal.JournalConflict, match="was placed under “Regions” since"):
        journal.redo(db, origin="A")
    assert tags.get_tag(db, child)["parent_id"] == category


def test_redoing_a_move_under_a_tag_deleted_since_is_refused(db):
    with journal.step(db, "New tag", origin="B"):
        category = tags.create_tag(db, "Regions", "#112233", codable=False)
    child = db.execute("SELECT id FROM tags WHERE codable = 1 ORDER BY id").fetchone()[0]
    with journal.step(db, "Move tag", origin="A"):
        tags.set_parent(db, child, category)
    journal.undo(db, origin="A")
    with journal.step(db, "Delete tag", origin="B"):
        tags.delete_tag(db, category)
    with pytest.raises(journal.JournalConflict, match="under a tag deleted since"):
        journal.redo(db, origin="A")
    assert tags.get_tag(db, child)["parent_id"] is None
