"""The change journal, Qt-free: steps, undo/redo, conflicts with other writers."""

from __future__ import annotations

import json
import shutil
import sqlite3

import pytest

from storage import (articles, entity_corrections, journal, open_database, passages, review,
                     tags)
from storage.changes import ARTICLE, ARTICLES, ENTITIES, MEMO, PASSAGES, REVIEW, TAGS, TEXT
from storage.schema import SCHEMA_VERSION


@pytest.fixture
def db_path(tmp_path, seeded_template):
    path = tmp_path / "j.db"
    shutil.copy(seeded_template, path)
    return path


@pytest.fixture
def db(db_path):
    return open_database(db_path)


def analyst_tables(db) -> dict:
    """Every row of every table an analyst can change, in full."""
    tables = [t for (t,) in db.execute("SELECT tbl FROM journal_tracked ORDER BY tbl")]
    assert {"articles", "tags", "passages", "entity_canon", "entity_aliases"} <= set(tables)
    return {t: db.execute(f'SELECT rowid, * FROM "{t}" ORDER BY rowid').fetchall()
            for t in tables}


def entity(name: str, label: str) -> dict:
    """An entity of the corpus list, as the entity panel hands it over."""
    return {"key": name.lower(), "original_label": label, "name": name, "label": label}


def first_article(db) -> tuple[int, str]:
    return db.execute("SELECT id, text FROM articles ORDER BY id LIMIT 1").fetchone()


def tag_id(db, name="Police cooperation") -> int:
    return db.execute("SELECT id FROM tags ORDER BY id LIMIT 1").fetchone()[0]


def tag_once(db, origin="A", analyst="ana", start=0, end=20) -> int:
    article_id, _ = first_article(db)
    with journal.step(db, "Tag passage", analyst=analyst, origin=origin):
        return passages.add_passage(db, article_id=article_id, tag_id=tag_id(db),
                                    start=start, end=end, analyst=analyst)


def test_a_write_outside_a_step_is_refused(db):
    with pytest.raises(Exception, match="outside a journal step"):
        db.execute("UPDATE tags SET name = 'x' WHERE id = 1")
    with pytest.raises(Exception, match="outside a journal step"):
        db.execute("DELETE FROM articles")


def test_a_step_records_each_row_it_changed_once_with_before_and_after(db):
    with journal.step(db, "Rename and recolour", analyst="ana", origin="A") as step:
        tags.rename_tag(db, tag_id(db), "Renamed")
        tags.recolour_tag(db, tag_id(db), "#123456")
    rows = db.execute("SELECT tbl, row_id, before, after FROM journal_changes "
                      "WHERE step_id = ?", [step.id]).fetchall()
    assert len(rows) == 1
    table, row_id, before, after = rows[0]
    assert (table, row_id) == ("tags", tag_id(db))
    assert '"Renamed"' in after and '"#123456"' in after and '"Renamed"' not in before
    assert step.changes.kinds == {TAGS} and step.changes.tag_ids == {tag_id(db)}
    assert journal.history(db, limit=1)[0]["name"] == "Rename and recolour"


def test_a_step_that_changes_nothing_leaves_no_history(db):
    before = journal.last_step_id(db)
    with journal.step(db, "Nothing", origin="A"):
        pass
    assert journal.last_step_id(db) == before


def test_a_failed_step_writes_nothing(db):
    before = analyst_tables(db)
    steps = journal.last_step_id(db)
    with pytest.raises(RuntimeError):
        with journal.step(db, "Half", origin="A"):
            tags.rename_tag(db, tag_id(db), "Half-way")
            raise RuntimeError("boom")
    assert analyst_tables(db) == before
    assert journal.last_step_id(db) == steps
    assert not db.execute("SELECT * FROM journal_open").fetchall()


@pytest.mark.parametrize("change", [
    "tag", "note", "retag", "delete_passage", "rename", "delete_tag", "merge_tags",
    "details", "text", "review", "memo", "entity_merge", "import"])
def test_undo_then_redo_restores_every_analyst_table_exactly(db, change):
    article_id, text = first_article(db)
    passage = tag_once(db)
    first, second = [r[0] for r in db.execute("SELECT id FROM tags ORDER BY id LIMIT 2")]
    before = analyst_tables(db)
    with journal.step(db, change, analyst="ana", origin="A") as step:
        if change == "tag":
            passages.add_passage(db, article_id=article_id, tag_id=second, start=30,
                                 end=60, analyst="ana")
        elif change == "note":
            passages.set_note(db, passage, "a note")
        elif change == "retag":
            passages.retag_passage(db, passage, second)
        elif change == "delete_passage":
            passages.delete_passage(db, passage)
        elif change == "rename":
            tags.rename_tag(db, first, "Renamed")
        elif change == "delete_tag":
            tags.delete_tag(db, first, move_passages_to=second)
        elif change == "merge_tags":
            tags.merge_tags(db, first, second)
        elif change == "details":
            articles.update_details(db, article_id, title="New title", published="2024-01-02")
        elif change == "text":
            articles.replace_article_text(db, article_id, "Prefix. " + text)
        elif change == "review":
            review.set_review_status(db, article_id, "done")
        elif change == "memo":
            review.set_memo(db, article_id, "my memo")
        elif change == "entity_merge":
            entity_corrections.merge_entities(
                db, [entity("Sokha", "PERSON"), entity("Sar Sokha", "PERSON")], "Sar Sokha",
                "PERSON")
        elif change == "import":
            articles.add_article(db, title="New", text="A new article about fraud.")
    after = analyst_tables(db)
    assert after != before and step.changes
    undone = journal.undo(db, origin="A")
    assert analyst_tables(db) == before
    assert undone.changes.kinds == step.changes.kinds
    journal.redo(db, origin="A")
    assert analyst_tables(db) == after
    journal.undo(db, origin="A")
    assert analyst_tables(db) == before


def test_changes_say_what_kind_of_data_changed(db):
    article_id, text = first_article(db)
    expectations = [
        (lambda: review.set_memo(db, article_id, "m"), {MEMO}),
        (lambda: review.set_review_status(db, article_id, "done"), {REVIEW}),
        (lambda: articles.update_details(db, article_id, title="T"), {ARTICLE}),
        (lambda: articles.replace_article_text(db, article_id, text + " More."), {TEXT}),
        (lambda: articles.add_article(db, title="N", text="Another one."), {ARTICLES}),
        (lambda: entity_corrections.merge_entities(
            db, [entity("A", "ORG"), entity("B", "ORG")], "A", "ORG"),
         {ENTITIES}),
    ]
    for make, kinds in expectations:
        with journal.step(db, "x", origin="A") as step:
            make()
        assert step.changes.kinds == kinds
        assert not step.changes.article_ids or article_id in step.changes.article_ids \
            or ARTICLES in kinds
    passage = tag_once(db)
    with journal.step(db, "note", origin="A") as step:
        passages.set_note(db, passage, "n")
    assert step.changes.kinds == {PASSAGES} and step.changes.passage_ids == {passage}
    assert step.changes.article_ids == {article_id}


# -- other writers -----------------------------------------------------------
def test_undo_of_a_rename_keeps_the_note_another_window_wrote_meanwhile(db, db_path):
    """The lost update of issue 13: a rename's undo wiped a note written since."""
    passage = tag_once(db, origin="B")
    with journal.step(db, "Rename tag “Narcotics”", origin="A"):
        tags.rename_tag(db, tag_id(db), "Narcotics")
    other = open_database(db_path)
    with journal.step(other, "Edit note", origin="B"):
        passages.set_note(other, passage, "written by another analyst")
    journal.undo(db, origin="A")
    assert db.execute("SELECT note FROM passages WHERE id = ?", [passage]).fetchone()[0] \
        == "written by another analyst"
    assert db.execute("SELECT name FROM tags WHERE id = ?", [tag_id(db)]).fetchone()[0] \
        != "Narcotics"


def test_a_step_that_changed_nothing_leaves_the_redo_alone(db):
    """A merge of a file holding nothing new is a step of the window's that
    changes nothing: it must not end what the window can redo (Ctrl+Shift+Z
    then failed with "nothing to redo")."""
    passage = tag_once(db, origin="A")
    journal.undo(db, origin="A")
    with journal.step(db, "Merge colleague.db", origin="A"):
        pass
    journal.redo(db, origin="A")
    assert db.execute("SELECT count(*) FROM passages WHERE id = ?", [passage]).fetchone()[0] == 1
    # a step that changes something still ends it
    journal.undo(db, origin="A")
    tag_once(db, origin="A", start=30, end=40)
    with pytest.raises(journal.NothingToUndo):
        journal.redo(db, origin="A")


def test_undo_over_another_writers_change_to_the_same_row_is_refused(db, db_path):
    passage = tag_once(db)
    with journal.step(db, "Edit note", origin="A"):
        passages.set_note(db, passage, "mine")
    other = open_database(db_path)
    with journal.step(other, "Edit note", origin="B"):
        passages.set_note(other, passage, "theirs")
    before = analyst_tables(db)
    with pytest.raises(journal.JournalConflict, match="Edit note") as error:
        journal.undo(db, origin="A")
    assert "changed by someone else" in str(error.value)
    assert analyst_tables(db) == before
    # the refused step is still the one to undo once the other change is undone
    journal.undo(other, origin="B")
    journal.undo(db, origin="A")
    assert db.execute("SELECT note FROM passages WHERE id = ?", [passage]).fetchone()[0] == ""


def test_a_refusal_names_a_long_title_or_passage_cut_after_a_whole_word():
    """"…in the fight against transnational crime" showed as "…in the f”"."""
    title = ("Cambodia and Australia agreed to deepen cooperation in the fight against "
             "transnational crime")
    said = journal._describe("articles", json.dumps({"title": title}), 4)
    assert said == ("the article “Cambodia and Australia agreed to deepen cooperation in "
                    "the…”")
    assert journal._describe("passages", json.dumps({"text": "short words"}), 1) == \
        "the passage “short words”"


def test_undo_of_a_tag_deleted_elsewhere_is_refused(db, db_path):
    passage = tag_once(db, origin="A")
    other = open_database(db_path)
    with journal.step(other, "Delete passage", origin="B"):
        passages.delete_passage(other, passage)
    before = analyst_tables(db)
    with pytest.raises(journal.JournalConflict, match="Tag passage"):
        journal.undo(db, origin="A")
    assert analyst_tables(db) == before


def test_undo_of_a_rename_after_the_tag_was_merged_elsewhere_is_refused(db, db_path):
    first, second = [r[0] for r in db.execute("SELECT id FROM tags ORDER BY id LIMIT 2")]
    tag_once(db, origin="A")
    with journal.step(db, "Rename tag", origin="A"):
        tags.rename_tag(db, first, "Fraud")
    other = open_database(db_path)
    with journal.step(other, "Merge tags", origin="B"):
        tags.merge_tags(other, first, second)
    before = analyst_tables(db)
    with pytest.raises(journal.JournalConflict, match="Rename tag"):
        journal.undo(db, origin="A")
    assert analyst_tables(db) == before


def test_undo_of_a_tag_after_the_text_was_edited_elsewhere_is_refused(db, db_path):
    article_id, text = first_article(db)
    tag_once(db, origin="A", start=0, end=20)
    other = open_database(db_path)
    with journal.step(other, "Edit article text", origin="B"):
        articles.replace_article_text(other, article_id, "New opening. " + text)
    before = analyst_tables(db)
    with pytest.raises(journal.JournalConflict):
        journal.undo(db, origin="A")
    assert analyst_tables(db) == before


def test_undo_of_a_text_edit_is_refused_when_passages_were_tagged_on_the_new_text(
        db, db_path):
    """An undo that would leave another writer's passage at wrong offsets."""
    article_id, text = first_article(db)
    with journal.step(db, "Edit article text", origin="A"):
        articles.replace_article_text(db, article_id, "New opening. " + text)
    other = open_database(db_path)
    with journal.step(other, "Tag passage", origin="B"):
        passages.add_passage(other, article_id=article_id, tag_id=tag_id(other), start=0,
                             end=11, analyst="bo")
    before = analyst_tables(db)
    with pytest.raises(journal.JournalConflict, match="New opening"):
        journal.undo(db, origin="A")
    assert analyst_tables(db) == before


def test_undo_of_an_import_never_deletes_passages_tagged_since(db, db_path):
    with journal.step(db, "Import", origin="A"):
        new_id, _ = articles.add_article(db, title="New", text="Money laundering in Macau.")
    other = open_database(db_path)
    with journal.step(other, "Tag", origin="B"):
        passages.add_passage(other, article_id=new_id, tag_id=tag_id(other), start=0,
                             end=5, analyst="bo")
    before = analyst_tables(db)
    with pytest.raises(journal.JournalConflict):
        journal.undo(db, origin="A")
    assert analyst_tables(db) == before


def test_steps_of_other_origins_are_read_with_what_they_changed(db, db_path):
    seen = journal.last_step_id(db)
    passage = tag_once(db, origin="A")
    other = open_database(db_path)
    with journal.step(other, "Edit note", origin="B"):
        passages.set_note(other, passage, "x")
    foreign = journal.steps_since(db, seen, exclude_origin="A")
    assert [s["name"] for s in foreign] == ["Edit note"]
    assert foreign[0]["changes"].foreign and foreign[0]["changes"].passage_ids == {passage}


def test_what_many_steps_of_others_changed_is_read_at_once(db, db_path):
    seen = journal.last_step_id(db)
    tag_once(db, origin="A")
    other = open_database(db_path)
    first = tag_once(other, origin="B", start=30, end=40)
    second = tag_once(other, origin="B", start=50, end=60)
    article_id, _ = first_article(db)
    changes = journal.changes_since(db, seen, exclude_origin="A")
    assert changes.foreign and changes.kinds == {PASSAGES}
    assert changes.passage_ids == {first, second} and changes.article_ids == {article_id}
    # a step of no article in particular (a tag renamed) concerns every article,
    # as when the steps' changes are joined one by one
    with journal.step(other, "Rename tag", origin="B"):
        tags.rename_tag(other, tag_id(other), "Renamed")
    changes = journal.changes_since(db, seen, exclude_origin="A")
    assert changes.kinds == {PASSAGES, TAGS} and not changes.article_ids
    one_by_one = journal.steps_since(db, seen, exclude_origin="A")
    joined = one_by_one[0]["changes"] | one_by_one[1]["changes"] | one_by_one[2]["changes"]
    assert (joined.kinds, joined.article_ids, joined.passage_ids, joined.tag_ids) == \
        (changes.kinds, changes.article_ids, changes.passage_ids, changes.tag_ids)


def test_pulled_steps_are_journal_steps_recorded_in_one_transaction(db):
    from storage.database import write_transaction

    article_id, _ = first_article(db)
    with write_transaction(db):
        batch = journal.PulledSteps(db)
        with batch.step("Tag passage", analyst="bo", origin="hub:x1", step_uuid="u-1"):
            pid = passages.add_passage(db, article_id=article_id, tag_id=tag_id(db), start=0,
                                       end=10, analyst="bo")
        with batch.step("Edit note", analyst="bo", origin="hub:x2", step_uuid="u-2"):
            passages.set_note(db, pid, "pulled")
        changes = batch.finish()
    assert changes.foreign and changes.passage_ids == {pid}
    steps = db.execute("SELECT id, uuid, kind, pushed_at FROM journal_steps "
                       "WHERE uuid IN ('u-1', 'u-2') ORDER BY id").fetchall()
    assert [(u, k, p) for _, u, k, p in steps] == [("u-1", "pulled", "pulled"),
                                                   ("u-2", "pulled", "pulled")]
    # each step holds its own before and after of the row, as journal.step records them
    (b1, a1), = db.execute("SELECT before, after FROM journal_changes WHERE step_id = ?",
                           [steps[0][0]]).fetchall()
    (b2, a2), = db.execute("SELECT before, after FROM journal_changes WHERE step_id = ?",
                           [steps[1][0]]).fetchall()
    assert b1 is None and '"note":""' in a1 and b2 == a1 and '"note":"pulled"' in a2
    assert not db.execute("SELECT 1 FROM journal_open").fetchone()
    # never in anyone's undo history
    with pytest.raises(journal.NothingToUndo):
        journal.undo(db, origin="hub:x2")


# -- history ------------------------------------------------------------------
def test_each_origin_undoes_its_own_steps_in_order(db):
    tag_once(db, origin="A", start=0, end=10)
    tag_once(db, origin="B", start=20, end=30)
    tag_once(db, origin="A", start=40, end=50)
    assert journal.undo(db, origin="A").changes.passage_ids
    assert journal.undoable(db, "A")["name"] == "Tag passage"
    starts = sorted(r[0] for r in db.execute("SELECT start FROM passages"))
    assert 0 in starts and 20 in starts and 40 not in starts


def test_a_new_step_ends_what_could_be_redone(db):
    tag_once(db, origin="A")
    journal.undo(db, origin="A")
    assert journal.redoable(db, "A") is not None
    tag_once(db, origin="A", start=30, end=40)
    assert journal.redoable(db, "A") is None
    with pytest.raises(journal.NothingToUndo):
        journal.redo(db, origin="A")


def test_consecutive_memo_saves_are_one_step(db):
    article_id, _ = first_article(db)
    for text in ("a", "ab", "abc"):
        with journal.step(db, "Edit memo", origin="A", merge_key=f"memo:{article_id}"):
            review.set_memo(db, article_id, text)
    journal.undo(db, origin="A")
    assert review.memo(db, article_id) == ""
    journal.redo(db, origin="A")
    assert review.memo(db, article_id) == "abc"


def test_a_step_id_is_never_given_again(db):
    """A memo typed and erased back is a merged step that changed nothing,
    deleted when it ends: its id must not go to the next step anyone makes
    (a window's Undo still held it, and undid a colleague's change)."""
    article_id, _ = first_article(db)
    memo_before = review.memo(db, article_id)
    for text in (memo_before + "draft thought", memo_before):
        with journal.step(db, "Edit memo", origin="A", merge_key=f"memo:{article_id}") as memo:
            review.set_memo(db, article_id, text)
    assert journal.step_state(db, memo.id) is None
    with journal.step(db, "Rename tag", origin="B") as colleague:
        tags.rename_tag(db, tag_id(db), "Colleague's name")
    assert colleague.id > memo.id
    with pytest.raises(journal.NothingToUndo, match=f"no step {memo.id}"):
        journal.undo(db, origin="A", step_id=memo.id)


def test_step_ids_are_never_given_again_after_the_migration(db_path):
    db = open_database(db_path)
    tag_once(db, origin="A")
    newest = journal.last_step_id(db)
    db.close()
    conn = sqlite3.connect(db_path)
    with conn:      # back to schema 31
        conn.execute("DROP TRIGGER journal_last_step_kept")
        conn.execute("DROP TABLE journal_last_step")
        conn.execute("DELETE FROM _sqlite_migrations "
                     "WHERE name = '0032_step_ids_never_reused'")
        conn.execute("PRAGMA user_version = 31")
    conn.close()
    db = open_database(db_path)
    assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    article_id, _ = first_article(db)
    memo_before = review.memo(db, article_id)
    with journal.step(db, "Edit memo", origin="A", merge_key="memo") as gone:
        review.set_memo(db, article_id, memo_before + "typed")
    with journal.step(db, "Edit memo", origin="A", merge_key="memo"):
        review.set_memo(db, article_id, memo_before)     # erased: the step is gone
    assert gone.id == newest + 1 and journal.step_state(db, gone.id) is None
    assert tag_once(db, origin="B", start=30, end=40)
    assert journal.last_step_id(db) == newest + 2


def test_undo_or_redo_by_id_of_another_origins_step_is_refused(db):
    """A window undoes and redoes its own steps (and its own import runs) by
    id; another origin's step named by id is refused, changing nothing,
    unless asked for (``dossier undo --step`` has no origin: any step)."""
    tag_once(db, origin="B")
    theirs = journal.last_step_id(db)
    with pytest.raises(journal.ForeignStep, match="made elsewhere"):
        journal.undo(db, origin="A", step_id=theirs)
    assert journal.step_state(db, theirs) == journal.DONE
    run = journal.own_import_run("A")
    tag_once(db, origin=run, start=30, end=40)
    own_run = journal.last_step_id(db)
    journal.undo(db, origin="A", step_id=own_run)
    journal.redo(db, origin="A", target_id=own_run)
    journal.undo(db, step_id=theirs)                  # the command line: anyone's
    with pytest.raises(journal.ForeignStep):
        journal.redo(db, origin="A", target_id=theirs)
    journal.redo(db, origin="A", target_id=theirs, any_origin=True)
    assert journal.step_state(db, theirs) == journal.DONE


def test_undo_cost_follows_the_rows_the_step_changed(db):
    """Renaming a tag with thousands of passages changes one row; so does its undo."""
    article_id, text = first_article(db)
    with journal.step(db, "Many", origin="A"):
        passages.add_passages(db, [{"article_id": article_id, "tag_id": tag_id(db),
                                    "start": i % 50, "end": i % 50 + 5} for i in range(3000)],
                              analyst="ana")
    with journal.step(db, "Rename", origin="A") as step:
        tags.rename_tag(db, tag_id(db), "Big tag")
    undone = journal.undo(db, origin="A")
    assert db.execute("SELECT count(*) FROM journal_changes WHERE step_id IN (?, ?)",
                      [step.id, undone.id]).fetchone()[0] == 2


def test_undo_and_redo_keep_text_past_a_nul_character(db):
    """SQLite's json_extract ends a string at a NUL: an undone note holding
    one came back as the words before it."""
    article_id, _ = first_article(db)
    tag_id = tags.find_tag(db, "Drugs")["id"]
    passage_id = passages.add_passage(db, article_id=article_id, tag_id=tag_id, start=0,
                                      end=5, analyst="a")
    long_note = "Source said:\x00 " + "the rest of a long note " * 4000
    passages.set_note(db, passage_id, long_note)
    tags.rename_tag(db, tag_id, "Drugs\x00 and more")
    passages.set_note(db, passage_id, "second thought")
    journal.undo(db)
    assert passages.get_passage(db, passage_id)["note"] == long_note
    before = analyst_tables(db)
    journal.undo(db)                              # the rename
    journal.redo(db)
    assert tags.get_tag(db, tag_id)["name"] == "Drugs\x00 and more"
    assert analyst_tables(db) == before
    journal.redo(db)
    assert passages.get_passage(db, passage_id)["note"] == "second thought"
