"""Merge from a .qdpx (issue 18): a colleague's REFI-QDA project comes in
like a colleague's database — what is new is added, what matches is not
copied again, merging twice adds nothing, and the merge is one undoable step
named after the project."""

from __future__ import annotations

import shutil

from desktop.cli import main
from desktop.merge_files import merge_file
from storage import journal, open_database, passages, tags
from storage.merge import MergeError


def _colleague_project(seeded_db_path, tmp_path):
    """A copy of the seeded database where ben tagged two passages, exported
    as a .qdpx."""
    theirs = tmp_path / "colleague.db"
    shutil.copy(seeded_db_path, theirs)
    db = open_database(theirs)
    drugs = tags.find_tag(db, "Drugs")["id"]
    passages.add_passage(db, article_id=1, tag_id=drugs, start=0, end=10, analyst="ben")
    passages.add_passage(db, article_id=2, tag_id=drugs, start=5, end=25, analyst="ben")
    db.close()
    project = tmp_path / "ben.qdpx"
    assert main(["export", "--format", "qdpx", "-o", str(project), "--db", str(theirs)]) == 0
    return project


def _bens(db):
    return sorted((r[0], r[1], r[2]) for r in db.execute(
        "SELECT article_id, start, end FROM passages WHERE analyst = 'ben'"))


def test_merge_a_qdpx_twice_adds_nothing_the_second_time(seeded_db_path, tmp_path, capsys):
    project = _colleague_project(seeded_db_path, tmp_path)
    capsys.readouterr()
    ours = open_database(seeded_db_path)
    try:
        articles_before = ours.execute("SELECT count(*) FROM articles").fetchone()[0]
        first = merge_file(ours, project, analyst="me")
        assert _bens(ours) == [(1, 0, 10), (2, 5, 25)]
        assert first.passages_added == 2 and first.articles_added == 0
        assert ours.execute("SELECT count(*) FROM articles").fetchone()[0] == articles_before
        [step] = journal.history(ours, limit=1)
        assert step["name"] == "Merge ben.qdpx"
        second = merge_file(ours, project, analyst="me")
        assert second.passages_added == 0 and second.articles_added == 0
        assert second.passages_matched >= 2
        assert _bens(ours) == [(1, 0, 10), (2, 5, 25)]
    finally:
        ours.close()
    # the command line takes the project too
    assert main(["merge", str(project), "--db", str(seeded_db_path)]) == 0
    assert "0 passages added" in capsys.readouterr().out


def test_a_broken_project_is_refused_and_nothing_changes(seeded_db_path, tmp_path):
    bad = tmp_path / "broken.qdpx"
    bad.write_bytes(b"not a zip file at all" * 50)
    ours = open_database(seeded_db_path)
    try:
        before = ours.execute("SELECT count(*) FROM passages").fetchone()[0]
        try:
            merge_file(ours, bad)
        except MergeError:
            pass
        else:
            raise AssertionError("a broken project was merged")
        assert ours.execute("SELECT count(*) FROM passages").fetchone()[0] == before
    finally:
        ours.close()


def test_what_a_merged_project_worked_around_is_a_note_not_a_skip(tmp_path, capsys):
    """A .qdpx whose damaged XML was read by recovery: its warning was
    listed (and counted) as skipped although everything it could was merged."""
    from pathlib import Path

    damaged = (Path(__file__).resolve().parent / "data" / "interop" / "qualcoder"
               / "qc_amp_malformed_annotation.qdpx")
    db_path = tmp_path / "ours.db"
    open_database(db_path).close()
    report = merge_file(open_database(db_path), damaged)
    [note] = report.notes
    assert "not well-formed" in note
    assert not any("not well-formed" in line for line in report.skipped)
    assert any("annotation" in line for line in report.skipped)     # not kept: skipped
    open_database(tmp_path / "again.db").close()
    capsys.readouterr()
    assert main(["merge", str(damaged), "--db", str(tmp_path / "again.db")]) == 0
    out = capsys.readouterr().out
    assert "note: " in out and "skipped: " in out

