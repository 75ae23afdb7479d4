"""``dossier history``, ``undo`` and ``redo`` as a user runs them."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

from storage import journal, open_database, passages, tags


def dossier(*args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "desktop", *args], capture_output=True,
                          text=True, timeout=120)


def test_history_undo_and_redo_from_the_command_line(tmp_path, seeded_template):
    path = tmp_path / "cli.db"
    shutil.copy(seeded_template, path)
    db = open_database(path)
    tag = tags.list_tags(db)[0]
    with journal.step(db, "Rename tag “Fraud”", analyst="ana", origin="window"):
        tags.rename_tag(db, tag["id"], "Fraud")
    db.close()

    listed = dossier("history", "--db", str(path), "--json")
    assert listed.returncode == 0, listed.stderr
    assert json.loads(listed.stdout)[0]["name"] == "Rename tag “Fraud”"

    undone = dossier("undo", "--db", str(path))
    assert undone.returncode == 0, undone.stderr
    assert tags.get_tag(open_database(path), tag["id"])["name"] == tag["name"]
    assert dossier("redo", "--db", str(path)).returncode == 0
    assert tags.get_tag(open_database(path), tag["id"])["name"] == "Fraud"


def test_undo_over_a_later_change_is_refused_with_the_steps_name(tmp_path, seeded_template):
    path = tmp_path / "cli.db"
    shutil.copy(seeded_template, path)
    db = open_database(path)
    article_id = db.execute("SELECT min(id) FROM articles").fetchone()[0]
    with journal.step(db, "Tag passage", origin="window"):
        passage = passages.add_passage(db, article_id=article_id,
                                       tag_id=tags.list_tags(db)[0]["id"], start=0, end=12,
                                       analyst="ana")
    with journal.step(db, "Edit note", origin="other window"):
        passages.set_note(db, passage, "keep me")
    first = journal.history(db)[1]["id"]
    db.close()
    refused = dossier("undo", "--step", str(first), "--db", str(path))
    assert refused.returncode == 2
    assert "Tag passage" in refused.stderr and "Traceback" not in refused.stderr
    assert passages.get_passage(open_database(path), passage)["note"] == "keep me"
    assert dossier("undo", "--db", str(tmp_path / "missing.db")).returncode == 2


def test_undoing_what_later_rows_depend_on_is_refused_without_a_traceback(
        tmp_path, seeded_template):
    """A new tag that passages were tagged with since (the foreign keys are
    checked at the commit, after the rows were written back)."""
    path = tmp_path / "cli.db"
    shutil.copy(seeded_template, path)
    db = open_database(path)
    with journal.step(db, "New tag “Economy”", origin="window"):
        tag_id = tags.create_tag(db, "Economy", "#123456")
    made = journal.history(db)[0]["id"]
    with journal.step(db, "Tag passage", origin="other window"):
        passages.add_passage(db, article_id=1, tag_id=tag_id, start=0, end=8, analyst="ben")
    db.close()
    refused = dossier("undo", "--step", str(made), "--db", str(path))
    assert refused.returncode == 2, refused.stderr
    assert "Cannot undo “New tag “Economy”" in refused.stderr
    assert "Traceback" not in refused.stderr
    db = open_database(path)
    assert tags.find_tag(db, "Economy") and passages.passage_count(db) == 1


def test_step_numbers_that_name_no_undoable_step_say_why(tmp_path, seeded_template):
    path = tmp_path / "cli.db"
    shutil.copy(seeded_template, path)
    db = open_database(path)
    with journal.step(db, "Rename tag “Fraud”", origin="window"):
        tags.rename_tag(db, tags.list_tags(db)[0]["id"], "Fraud")
    newest = journal.history(db)[0]["id"]
    db.close()
    for number, says in (("0", "0 is not an id: ids run from 1"),
                         ("999999", "There is no step 999999")):
        refused = dossier("undo", "--step", number, "--db", str(path))
        assert refused.returncode == 2 and says in refused.stderr, refused.stderr
    assert tags.find_tag(open_database(path), "Fraud")        # step 0 undid nothing
    assert dossier("undo", "--step", str(newest), "--db", str(path)).returncode == 0
    again = dossier("undo", "--step", str(newest), "--db", str(path))
    assert again.returncode == 2 and "is undone already" in again.stderr
    for limit in ("0", "-3"):
        listed = dossier("history", "--limit", limit, "--db", str(path))
        assert listed.returncode == 2 and "must be 1 or more" in listed.stderr
