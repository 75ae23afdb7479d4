"""Merging a colleague's database (storage.merge, ``dossier merge``): what
comes in, what matches, what conflicts; twice adds nothing; nothing of
either side is lost; the other file is not touched."""

from __future__ import annotations

import hashlib
import sqlite3
import shutil

import pytest
from PySide6.QtCore import Qt

from desktop.cli import main
from storage import articles, journal, open_database, passages, tags
from storage.merge import MergeError, merge_database


def _digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def two_databases(seeded_db_path, tmp_path):
    """Ours and a colleague's copy of the same seeded database, coded apart."""
    theirs_path = tmp_path / "colleague" / "dossier.db"
    theirs_path.parent.mkdir()
    shutil.copy(seeded_db_path, theirs_path)
    ours = open_database(seeded_db_path)
    drugs = tags.find_tag(ours, "Drugs")["id"]
    passages.add_passage(ours, article_id=1, tag_id=drugs, start=0, end=10, analyst="ana")
    passages.add_passage(ours, article_id=2, tag_id=drugs, start=5, end=15, analyst="ana",
                         note="ours")
    ours.close()

    theirs = open_database(theirs_path)
    drugs = tags.find_tag(theirs, "Drugs")["id"]
    passages.add_passage(theirs, article_id=1, tag_id=drugs, start=0, end=10, analyst="ana")
    passages.add_passage(theirs, article_id=2, tag_id=drugs, start=5, end=15, analyst="ana",
                         note="theirs")
    passages.add_passage(theirs, article_id=1, tag_id=drugs, start=20, end=40, analyst="ben",
                         note="ben's note")
    new_tag = tags.create_tag(theirs, "Smuggling", "#112233")
    tags.set_parent(theirs, new_tag, drugs)
    tags.recolour_tag(theirs, tags.find_tag(theirs, "Cybercrime")["id"], "#000000")
    article, _ = articles.add_article(theirs, title="Only theirs",
                                      text="A boat was stopped at the border.", url="https://x/1")
    passages.add_passage(theirs, article_id=article, tag_id=new_tag, start=2, end=6,
                         analyst="ben")
    # an article they changed: same URL as one of ours, other text
    ours_db = open_database(seeded_db_path)
    articles.update_details(ours_db, 3, url="https://x/3")
    ours_db.close()
    articles.add_article(theirs, title="Edited", text="Another version entirely.",
                         url="https://x/3")
    theirs.close()
    return seeded_db_path, theirs_path


def test_merge_brings_in_what_is_missing_and_reports_conflicts(two_databases):
    ours_path, theirs_path = two_databases
    before = _digest(theirs_path)
    db = open_database(ours_path)
    count = db.execute("SELECT count(*) FROM articles").fetchone()[0]
    report = merge_database(db, theirs_path)
    assert (report.articles_added, report.articles_matched) == (2, count)
    assert report.tags_added == 1 and report.passages_added == 2
    assert report.passages_matched == 2
    assert any("Cybercrime" in c and "#000000" in c for c in report.conflicts)
    assert any("their note differs" in c for c in report.conflicts)
    assert any("same URL" in c for c in report.conflicts)
    assert report.changes.touches("passages", "articles", "tags")

    smuggling = tags.find_tag(db, "Smuggling")
    assert smuggling["parent_id"] == tags.find_tag(db, "Drugs")["id"]
    assert tags.find_tag(db, "Cybercrime")["color"] != "#000000"     # ours kept
    rows = db.execute("SELECT analyst, start, end, note FROM passages WHERE article_id = 1 "
                      "ORDER BY start").fetchall()
    assert rows == [("ana", 0, 10, ""), ("ben", 20, 40, "ben's note")]
    assert db.execute("SELECT note FROM passages WHERE article_id = 2").fetchall() == [("ours",)]
    only = db.execute("SELECT id FROM articles WHERE title = 'Only theirs'").fetchone()[0]
    [(text,)] = db.execute("SELECT p.text FROM passages p WHERE article_id = ?", [only])
    assert text == "boat"
    assert db.execute("SELECT count(*) FROM articles WHERE url = 'https://x/3'").fetchone()[0] == 2
    assert _digest(theirs_path) == before                  # theirs untouched

    # merging again adds nothing
    again = merge_database(db, theirs_path)
    assert (again.articles_added, again.tags_added, again.passages_added) == (0, 0, 0)
    assert again.passages_matched == 4 and again.articles_matched == count + 2
    assert not again.changes


def test_merge_fills_an_empty_note_and_counts_it(two_databases):
    ours_path, theirs_path = two_databases
    db = open_database(ours_path)
    [(passage,)] = db.execute("SELECT id FROM passages WHERE article_id = 2").fetchall()
    passages.set_note(db, passage, "")
    report = merge_database(db, theirs_path)
    assert report.notes_added == 1
    assert db.execute("SELECT note FROM passages WHERE article_id = 2").fetchall() == [
        ("theirs",)]


def test_cli_merge_twice(two_databases, capsys):
    ours_path, theirs_path = two_databases
    assert main(["merge", str(theirs_path), "--db", str(ours_path)]) == 0
    out = capsys.readouterr().out
    assert "2 passages added" in out and "conflict: tag “Cybercrime”" in out
    assert main(["merge", str(theirs_path), "--db", str(ours_path)]) == 0
    out = capsys.readouterr().out
    assert "0 articles added" in out and "0 passages added, 4 already here" in out


@pytest.mark.parametrize("make,message", [
    (lambda p: None, "no database at"),
    (lambda p: p.write_text("not a database, just text " * 100), "not a Dossier database"),
])
def test_merge_refuses_what_is_not_a_dossier_database(db, tmp_path, make, message):
    other = tmp_path / "other.db"
    make(other)
    before = db.execute("SELECT count(*) FROM passages").fetchone()[0]
    with pytest.raises(MergeError, match=message):
        merge_database(db, other)
    assert db.execute("SELECT count(*) FROM passages").fetchone()[0] == before


def test_merge_refuses_this_very_database(seeded_db_path):
    db = open_database(seeded_db_path)
    with pytest.raises(MergeError, match="this database"):
        merge_database(db, seeded_db_path)


def test_merge_from_the_file_menu(open_window, two_databases, qtbot, monkeypatch):
    from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox

    from storage.backup import list_backups

    ours_path, theirs_path = two_databases
    window = open_window(ours_path)
    before = window.article_list.list_model.rowCount()
    monkeypatch.setattr(QFileDialog, "getOpenFileName",
                        staticmethod(lambda *a, **k: (str(theirs_path), "")))
    [action] = [a for a in window.menuBar().actions()[0].menu().actions()
                if a.text() == "&Merge from…"]
    action.trigger()

    def report_box():
        return next((w for w in QApplication.topLevelWidgets()
                     if isinstance(w, QMessageBox) and w.objectName() == "mergeReport"
                     and w.isVisible()), None)

    qtbot.waitUntil(lambda: report_box() is not None, timeout=20000)
    box = report_box()
    assert "2 passages added" in box.text() and "Merged dossier.db" in box.windowTitle()
    assert "conflict: tag “Cybercrime”" in box.detailedText()
    qtbot.waitUntil(lambda: window.article_list.list_model.rowCount() == before + 2,
                    timeout=5000)
    assert any("before-merge" in b.path.name for b in list_backups(ours_path))
    box.accept()
    # the merge is the window's own step: Ctrl+Z takes it back, Ctrl+Shift+Z
    # brings it again (in a worker, as an import's)
    from storage import passages as stored

    merged = stored.passage_count(window.db)
    assert window.undo_stack.undoText() == "Merge dossier.db"
    from tests.test_speaker_corrections_gui import activate

    activate(qtbot, window)
    window.view.setFocus()
    qtbot.keyClick(window.view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: window.article_list.list_model.rowCount() == before, timeout=10000)
    assert stored.passage_count(window.db) == merged - 2
    qtbot.keyClick(window.view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier
                   | Qt.KeyboardModifier.ShiftModifier)
    qtbot.waitUntil(lambda: window.article_list.list_model.rowCount() == before + 2,
                    timeout=10000)
    assert stored.passage_count(window.db) == merged


def test_an_article_without_text_is_skipped_and_said(two_databases):
    from storage import journal

    ours_path, theirs_path = two_databases
    theirs = open_database(theirs_path)
    with journal.unrecorded(theirs):        # what add_article would refuse
        theirs.execute("INSERT INTO articles (title, text, text_hash, imported_at) "
                       "VALUES ('Blank', '   ', 'blank-hash', '2026-01-01')")
    theirs.close()
    db = open_database(ours_path)
    report = merge_database(db, theirs_path)
    assert any("“Blank”: no text" in s for s in report.skipped)
    assert report.articles_added == 2


def test_a_merge_is_one_undoable_step(two_databases):
    from storage import journal

    ours_path, theirs_path = two_databases
    db = open_database(ours_path)
    counts = [db.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
              for t in ("articles", "tags", "passages")]
    report = merge_database(db, theirs_path, analyst="ana")
    assert report.passages_added == 2
    [last] = journal.history(db, limit=1)
    assert last["name"] == "Merge dossier.db"
    journal.undo(db)
    assert [db.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
            for t in ("articles", "tags", "passages")] == counts


def test_a_merged_passage_exports_with_the_same_ids_from_either_file(two_databases,
                                                                     tmp_path):
    """A passage, its tag and article carry one id in every copy: W3C
    annotation ids and REFI-QDA GUIDs from two analysts' files join (a new
    user's walk: they differed, so annotations could not be matched)."""
    import json
    import zipfile

    ours_path, theirs_path = two_databases
    ours = open_database(ours_path)
    merge_database(ours, theirs_path, analyst="me")
    ours.close()

    def exported(path, name):
        w3c, qdpx = tmp_path / f"{name}.jsonld", tmp_path / f"{name}.qdpx"
        assert main(["export", "--format", "w3c", "-o", str(w3c), "--db", str(path)]) == 0
        assert main(["export", "--format", "qdpx", "-o", str(qdpx), "--db", str(path)]) == 0
        notes = {a["body"][1]["value"]: a["id"] for a in json.loads(w3c.read_text())["first"]
                 ["items"] if len(a["body"]) > 1}
        with zipfile.ZipFile(qdpx) as archive:
            project = archive.read("project.qde").decode()
        return notes, project

    mine, our_project = exported(ours_path, "ours")
    theirs, their_project = exported(theirs_path, "theirs")
    assert mine["ben's note"] == theirs["ben's note"]
    ben = open_database(theirs_path).execute(
        "SELECT uuid FROM passages WHERE note = ?", ["ben's note"]).fetchone()[0]
    assert theirs["ben's note"] == f"urn:uuid:{ben}"
    assert f'guid="{ben}"' in our_project and f'guid="{ben}"' in their_project


def test_merge_keeps_their_categories_categories(two_databases):
    """A category of theirs (REFI-QDA's isCodable="false") comes in as a
    category; a tag that is a category on one side only is ours, said."""
    ours_path, theirs_path = two_databases
    theirs = open_database(theirs_path)
    folder = tags.create_tag(theirs, "Crime types", "#445566", codable=False)
    tags.set_codable(theirs, tags.find_tag(theirs, "Diplomacy")["id"], False)
    theirs.close()
    db = open_database(ours_path)
    report = merge_database(db, theirs_path)
    assert tags.find_tag(db, "Crime types")["codable"] == 0
    assert tags.find_tag(db, "Smuggling")["codable"] == 1
    assert tags.find_tag(db, "Diplomacy")["codable"] == 1          # ours kept …
    assert any("Diplomacy" in c and "category there" in c for c in report.conflicts)   # … said
    assert folder


def test_a_conflict_on_one_passage_says_what_differs_note_included(seeded_db_path, tmp_path):
    """Bob, in a copy, moved ana's passage and rewrote its note while she
    changed hers: the conflict said "another tag, range or analyst", and
    never that the notes differ."""
    ours = open_database(seeded_db_path)
    tag_id = tags.find_tag(ours, "Cybercrime")["id"]
    passage_id = passages.add_passage(ours, article_id=1, tag_id=tag_id, start=10, end=40,
                                      analyst="ana", note="ana's note")
    ours.close()
    copy = tmp_path / "bob.db"
    shutil.copy(seeded_db_path, copy)
    bob = open_database(copy)
    with journal.step(bob, "Move and note"):
        bob.execute("UPDATE passages SET start = 12, note = 'bob rewrote it' WHERE id = ?",
                    [passage_id])
    bob.close()
    ours = open_database(seeded_db_path)
    passages.set_note(ours, passage_id, "ana changed her note")
    report = merge_database(ours, copy, analyst="ana")
    [conflict] = [c for c in report.conflicts if f"passage {passage_id}" in c]
    assert "range 12–40 (ours 10–40)" in conflict and "'bob rewrote it'" in conflict
    assert "tag" not in conflict and "analyst" not in conflict
    ours.close()


def test_merge_keeps_who_decided_a_consensus_passage(two_databases):
    """A consensus passage of theirs came in without ``decided_by``: who
    settled it was lost. It comes with it now; a file from before the
    column (0018) merges with none."""
    from storage import consensus

    ours_path, theirs_path = two_databases
    theirs = open_database(theirs_path)
    drugs = tags.find_tag(theirs, "Drugs")["id"]
    consensus.decide(theirs, article_id=3, start=4, end=20, tag_ids=[drugs], decided_by="chea")
    theirs.close()
    db = open_database(ours_path)
    merge_database(db, theirs_path)
    assert db.execute("SELECT decided_by FROM passages WHERE analyst = 'consensus'"
                      ).fetchall() == [("chea",)]
    db.close()
    # an older file: the same passages, no decided_by column
    older = theirs_path.with_name("older.db")
    shutil.copy(theirs_path, older)
    conn = sqlite3.connect(older)
    for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' "
                                "AND tbl_name = 'passages'").fetchall():
        conn.execute(f"DROP TRIGGER {name}")     # they name every column
    conn.execute("ALTER TABLE passages DROP COLUMN decided_by")
    conn.commit()
    conn.close()
    fresh = open_database(ours_path.with_name("fresh.db"))
    report = merge_database(fresh, older)
    assert report.passages_added == 5
    assert fresh.execute("SELECT decided_by FROM passages WHERE analyst = 'consensus'"
                         ).fetchall() == [(None,)]


def test_a_tag_named_in_another_unicode_form_there_is_the_same_tag(seeded_db_path, tmp_path):
    """A colleague's “Économie” written decomposed (NFD, as a Mac may) came
    in as a second tag that looks the same as ours."""
    import unicodedata

    db = open_database(seeded_db_path)
    ours = tags.create_tag(db, "Économie", "#123456")
    db.close()
    copy = tmp_path / "ben.db"
    shutil.copy(seeded_db_path, copy)
    ben = open_database(copy)
    with journal.unrecorded(ben):    # as an older Dossier stored it
        ben.execute("UPDATE tags SET name = ?, uuid = NULL WHERE id = ?",
                    [unicodedata.normalize("NFD", "ÉCONOMIE"), ours])
    passage = passages.add_passage(ben, article_id=1, tag_id=ours, start=0, end=10,
                                   analyst="ben")
    uuid = ben.execute("SELECT uuid FROM passages WHERE id = ?", [passage]).fetchone()[0]
    ben.close()
    db = open_database(seeded_db_path)
    before = db.execute("SELECT count(*) FROM tags").fetchone()[0]
    merge_database(db, copy)
    assert db.execute("SELECT count(*) FROM tags").fetchone()[0] == before
    assert db.execute("SELECT tag_id FROM passages WHERE uuid = ?", [uuid]).fetchone()[0] == ours
    db.close()


def test_a_renamed_tag_and_a_new_tag_of_its_old_name_stay_two_tags(seeded_db_path, tmp_path):
    """They renamed Drugs “Narcotics” (same stable id) and made a new tag
    “Drugs”: both their tags' passages landed under our Drugs, with a colour
    conflict that was the new tag's. Now the new one comes in as “Drugs (2)”,
    said; merging again adds nothing."""
    copy = tmp_path / "ben.db"
    shutil.copy(seeded_db_path, copy)
    ben = open_database(copy)
    old = tags.find_tag(ben, "Drugs")["id"]
    tags.rename_tag(ben, old, "Narcotics")
    new = tags.create_tag(ben, "Drugs", "#0000ff")
    renamed = passages.add_passage(ben, article_id=1, tag_id=old, start=0, end=10,
                                   analyst="ben")
    fresh = passages.add_passage(ben, article_id=2, tag_id=new, start=0, end=7, analyst="ben")
    uuids = {i: ben.execute("SELECT uuid FROM passages WHERE id = ?", [i]).fetchone()[0]
             for i in (renamed, fresh)}
    ben.close()
    db = open_database(seeded_db_path)
    drugs = tags.find_tag(db, "Drugs")
    report = merge_database(db, copy)
    added = tags.find_tag(db, "Drugs (2)")
    assert added is not None and added["color"] == "#0000ff"

    def tag_of(passage):
        return db.execute("SELECT tag_id FROM passages WHERE uuid = ?",
                          [uuids[passage]]).fetchone()[0]
    assert tag_of(renamed) == drugs["id"] and tag_of(fresh) == added["id"]
    assert "tag “Drugs” is called “Narcotics” there; ours kept" in report.conflicts
    assert "tag “Drugs”: two tags there — their “Narcotics” is ours, their other “Drugs” " \
        "is a tag of its own, added as “Drugs (2)”" in report.conflicts
    assert not any("colour" in c for c in report.conflicts), report.conflicts
    again = merge_database(db, copy)
    assert again.tags_added == again.passages_added == 0
    db.close()


def test_merge_brings_their_assignments_and_statuses(two_databases):
    """Their assignments were left behind (who codes which article, and how
    far each got). They come in now, through the articles matched or added;
    a status both sides have differently is ours kept, said; undo takes
    them back exactly and redo brings them again."""
    from desktop.merge_files import summary
    from storage import assignments

    ours_path, theirs_path = two_databases
    db = open_database(ours_path)
    assignments.assign(db, [3], ["ana"])
    assignments.set_status(db, 3, "ana", "in progress")
    db.close()
    theirs = open_database(theirs_path)
    only_theirs = theirs.execute("SELECT id FROM articles WHERE title = 'Only theirs'"
                                 ).fetchone()[0]
    assignments.assign(theirs, [1, 2, 3, only_theirs], ["ben"])
    assignments.assign(theirs, [3], ["ana"])
    assignments.set_status(theirs, 1, "ben", "done")
    assignments.set_status(theirs, 3, "ana", "done")
    theirs.close()

    db = open_database(ours_path)

    def rows():
        return db.execute("SELECT a.title, s.analyst, s.status, s.assigned_at FROM assignments s "
                          "JOIN articles a ON a.id = s.article_id ORDER BY 1, 2").fetchall()
    before = rows()
    report = merge_database(db, theirs_path, analyst="me")
    added = db.execute("SELECT id FROM articles WHERE title = 'Only theirs'").fetchone()[0]
    assert assignments.analysts_of(db, 1) == [{"analyst": "ben", "status": "done"}]
    assert assignments.analysts_of(db, 2) == [{"analyst": "ben", "status": "new"}]
    assert assignments.analysts_of(db, 3) == [{"analyst": "ana", "status": "in progress"},
                                              {"analyst": "ben", "status": "new"}]
    assert assignments.analysts_of(db, added) == [{"analyst": "ben", "status": "new"}]
    assert report.assignments_added == 4 and "4 assignments added" in summary(report)
    assert "article 3: ana marked it “done” there, “in progress” here; ours kept" \
        in report.conflicts
    after = rows()
    journal.undo(db)
    assert rows() == before
    journal.redo(db)
    assert rows() == after
    assert merge_database(db, theirs_path).assignments_added == 0
    db.close()
