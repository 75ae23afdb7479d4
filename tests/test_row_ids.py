"""Row ids never given twice in a journaled table (``storage.row_ids``): a
deleted row's undo finds its id free whoever inserted since."""

from __future__ import annotations

import shutil
import sqlite3

import pytest

from storage import (articles, assignments, consensus, entity_corrections, journal, merge,
                     open_database, passages, speaker_corrections, tags)
from storage.schema import SCHEMA_VERSION


@pytest.fixture
def db_path(tmp_path, seeded_template):
    path = tmp_path / "ids.db"
    shutil.copy(seeded_template, path)
    return path


def first_article(db) -> tuple[int, str]:
    return db.execute("SELECT id, text FROM articles ORDER BY id LIMIT 1").fetchone()


def first_tag(db) -> int:
    return db.execute("SELECT id FROM tags ORDER BY id LIMIT 1").fetchone()[0]


def tag(db, origin: str, start: int, end: int, analyst: str = "ana") -> int:
    article_id, _ = first_article(db)
    with journal.step(db, "Tag passage", analyst=analyst, origin=origin):
        return passages.add_passage(db, article_id=article_id, tag_id=first_tag(db),
                                    start=start, end=end, analyst=analyst)


def test_undo_of_deleting_the_newest_passage_after_a_colleague_tagged_one(db_path):
    """The lost undo: window A deletes its newest passage, another process
    tags one (SQLite used to give it the same id), A's Ctrl+Z was refused as
    "changed by someone else since". Now both passages are there."""
    mine = open_database(db_path)
    newest = tag(mine, "A", 0, 20)
    with journal.step(mine, "Delete passage", origin="A") as deleted:
        passages.delete_passage(mine, newest)
    theirs = open_database(db_path)
    colleague = tag(theirs, "B", 30, 40, analyst="bo")
    assert colleague != newest
    journal.undo(mine, origin="A", step_id=deleted.id)
    assert passages.get_passage(mine, newest)["start"] == 0
    assert passages.get_passage(mine, colleague)["analyst"] == "bo"


def test_undo_of_deleting_the_newest_tag_after_another_window_made_one(db_path):
    mine = open_database(db_path)
    with journal.step(mine, "New tag", origin="A"):
        newest = tags.create_tag(mine, "Extradition", "#112233")
    with journal.step(mine, "Delete tag", origin="A") as deleted:
        tags.delete_tag(mine, newest)
    theirs = open_database(db_path)
    with journal.step(theirs, "New tag", origin="B"):
        other = tags.create_tag(theirs, "Asset seizure", "#445566")
    assert other != newest
    journal.undo(mine, origin="A", step_id=deleted.id)
    assert tags.get_tag(mine, newest)["name"] == "Extradition"
    assert tags.get_tag(mine, other)["name"] == "Asset seizure"


def test_an_undone_insert_gives_its_id_to_nobody_and_redo_puts_it_back(db_path):
    db = open_database(db_path)
    newest = tag(db, "A", 0, 20)
    journal.undo(db, origin="A")
    other = tag(db, "B", 30, 40)
    assert other > newest
    journal.redo(db, origin="A")
    assert passages.get_passage(db, newest)["start"] == 0


def test_deleting_older_rows_raises_no_floor_and_costs_no_gap(db_path):
    db = open_database(db_path)
    first, second = tag(db, "A", 0, 10), tag(db, "A", 20, 30)
    with journal.step(db, "Delete passage", origin="A"):
        passages.delete_passage(db, first)
    assert tag(db, "A", 40, 50) == second + 1


#: How far above each table's highest rowid the floors are set before each
#: write below: an id between the highest and the floor was given without it.
GAP = 1_000


def raise_floors(db) -> dict[str, int]:
    """Each journaled table's highest rowid, its floor set ``GAP`` above."""
    highest = {t: db.execute(f'SELECT ifnull(max(rowid), 0) FROM "{t}"').fetchone()[0]
               for (t,) in db.execute("SELECT tbl FROM journal_tracked").fetchall()}
    for table, high in highest.items():
        db.execute("INSERT INTO row_id_floor (tbl, high) VALUES (?, ?) "
                   "ON CONFLICT (tbl) DO UPDATE SET high = excluded.high", [table, high + GAP])
    db.conn.commit()
    return highest


def given_under_the_floor(db, highest: dict[str, int]) -> dict[str, int]:
    return {t: n for t, h in highest.items() if (n := db.execute(
        f'SELECT count(*) FROM "{t}" WHERE rowid > ? AND rowid <= ?',
        [h, h + GAP]).fetchone()[0])}


def given_above(db, highest: dict[str, int]) -> set[str]:
    return {t for t, h in highest.items()
            if db.execute(f'SELECT 1 FROM "{t}" WHERE rowid > ?', [h + GAP]).fetchone()}


def test_every_way_of_adding_rows_takes_the_next_id_above_the_floor(db_path, tmp_path):
    """Each storage function that inserts into a journaled table — tagging,
    tags, articles, consensus, assignments, speaker and entity corrections,
    merging another analyst's file — gives ids above the floor (an insert
    that forgot it would take the highest id + 1, as SQLite does)."""
    other = tmp_path / "colleague.db"
    shutil.copy(db_path, other)
    theirs = open_database(other)
    with journal.step(theirs, "New tag", origin="C"):
        their_tag = tags.create_tag(theirs, "Their tag", "#abcdef")
    article_id, _ = first_article(theirs)
    with journal.step(theirs, "Tag passage", origin="C"):
        passages.add_passage(theirs, article_id=article_id, tag_id=their_tag, start=5,
                             end=25, analyst="cy")
    assignments.assign(theirs, [article_id], ["cy"])
    theirs.close()

    db = open_database(db_path)
    article_id, _ = first_article(db)

    def new_tag():
        with journal.step(db, "New tag", origin="A"):
            tags.create_tag(db, "Fresh", "#010203")

    def new_article():
        with journal.step(db, "Import", origin="A"):
            articles.add_article(db, title="New one", text="Police met in Lyon on Monday.")

    entities = [
        {"key": "interpol", "original_label": "ORG", "name": "Interpol", "label": "ORG"},
        {"key": "icpo", "original_label": "ORG", "name": "ICPO", "label": "ORG"}]
    writes = [
        (("tags",), new_tag),
        (("passages",), lambda: tag(db, "A", 0, 20)),
        (("articles",), new_article),
        (("passages",), lambda: consensus.decide(
            db, article_id=article_id, start=40, end=60, tag_ids=[first_tag(db)],
            decided_by="lead")),
        (("assignments",), lambda: assignments.assign(db, [article_id], ["ana", "bo"])),
        (("quote_corrections",), lambda: speaker_corrections.set_speaker(
            db, article_id, 0, 15, "Jane Roe")),
        (("speaker_aliases",), lambda: speaker_corrections.merge_speakers(
            db, ["Jane Roe", "J. Roe"], "Jane Roe")),
        (("entity_canon", "entity_aliases"), lambda: entity_corrections.merge_entities(
            db, entities, "Interpol")),
        (("tags", "passages", "assignments"), lambda: merge.merge_database(
            db, other, analyst="ana")),
    ]
    for wrote, write in writes:
        highest = raise_floors(db)
        write()
        assert given_under_the_floor(db, highest) == {}, wrote
        assert set(wrote) <= given_above(db, highest), wrote


def test_the_migration_keeps_ids_the_journal_holds_from_being_given_again(db_path):
    """A file from before the floors (schema 34): its journal holds a passage
    deleted while newest; after the upgrade a new passage does not take its
    id, and the delete's undo works."""
    db = open_database(db_path)
    newest = tag(db, "A", 0, 20)
    with journal.step(db, "Delete passage", origin="A") as deleted:
        passages.delete_passage(db, newest)
    db.close()
    conn = sqlite3.connect(db_path)
    with conn:      # back to schema 34
        for (trigger,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' "
                                       "AND name LIKE '%row_id_floor'").fetchall():
            conn.execute(f'DROP TRIGGER "{trigger}"')
        conn.execute("DROP TABLE row_id_floor")
        conn.execute("DELETE FROM _sqlite_migrations WHERE name = '0035_row_ids_never_reused'")
        conn.execute("PRAGMA user_version = 34")
    conn.close()
    db = open_database(db_path)
    assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert tag(db, "B", 30, 40) == newest + 1
    journal.undo(db, origin="A", step_id=deleted.id)
    assert passages.get_passage(db, newest)["start"] == 0


def test_a_table_journaled_later_keeps_its_floor_too(db_path):
    db = open_database(db_path)
    with journal.unrecorded(db):
        db.execute("CREATE TABLE later_notes (id INTEGER PRIMARY KEY, body TEXT)")
        journal.track(db, "later_notes")
    with journal.step(db, "Notes", origin="A"):
        db.execute("INSERT INTO later_notes (body) VALUES ('one'), ('two')")
    with journal.step(db, "Delete note", origin="A"):
        db.execute("DELETE FROM later_notes WHERE id = 2")
    assert db.execute("SELECT high FROM row_id_floor WHERE tbl = 'later_notes'"
                      ).fetchone() == (2,)
