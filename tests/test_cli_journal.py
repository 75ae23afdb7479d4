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
