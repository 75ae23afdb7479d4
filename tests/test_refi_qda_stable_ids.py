"""Stable ids through REFI-QDA: an imported project's rows keep its GUIDs
(a Dossier export's are its rows' uuids), so exports of the two copies join
on them; a GUID this file already gives another row, or one that is not a
UUID, is not kept."""

from __future__ import annotations

import re
import uuid
from pathlib import Path

from desktop.codebook_files import read_codebook_file
from desktop.refi_qda.import_project import import_qdpx
from storage import articles, journal, open_database, passages, stable_ids, tags
from storage.codebook import apply_codebook

from export_fixtures import export_qdpx, read_qdpx, tricky, tricky_db_path  # noqa: F401

QUALCODER = Path(__file__).resolve().parent / "data" / "interop" / "qualcoder"


def _uuids(db, table: str, key: str) -> dict:
    return {row[0]: row[1] for row in db.execute(f"SELECT {key}, uuid FROM {table}")}


def _passage_uuids(db) -> dict:
    return {(row[0], row[1], row[2], row[3]): row[4] for row in db.execute(
        'SELECT a.text_hash, t.name, p.start, p."end", p.uuid FROM passages p '
        "JOIN articles a ON a.id = p.article_id JOIN tags t ON t.id = p.tag_id")}


def test_a_dossier_export_imported_elsewhere_keeps_every_rows_uuid(tricky, tmp_path):
    path = export_qdpx(tricky, tmp_path)
    target = open_database(tmp_path / "colleague.db")
    report = import_qdpx(target, path)
    assert report.passages_added == 7
    assert _uuids(target, "articles", "text_hash") == _uuids(tricky, "articles", "text_hash")
    theirs = _uuids(target, "tags", "name")
    assert {name: theirs[name] for name in theirs} == {
        name: value for name, value in _uuids(tricky, "tags", "name").items() if name in theirs}
    assert _passage_uuids(target) == _passage_uuids(tricky)
    # and an export of the copy gives the same GUIDs again
    again = export_qdpx(target, tmp_path, "again.qdpx")
    guids = re.compile(rb'<PlainTextSelection[^>]* guid="([^"]+)"')
    assert (sorted(guids.findall(read_qdpx(again)[0]))
            == sorted(guids.findall(read_qdpx(path)[0])))
    target.close()


def test_a_qualcoder_projects_guids_become_the_rows_uuids(tmp_path):
    source = QUALCODER / "made_by_qualcoder.qdpx"
    project = read_qdpx(source)[0].decode("utf-8")
    selections = {guid.lower() for guid in re.findall(
        r'<PlainTextSelection[^>]* guid="([^"]+)"', project)}
    db = open_database(tmp_path / "qc.db")
    import_qdpx(db, source)
    stored = [row[0] for row in db.execute("SELECT uuid FROM passages")]
    # every passage a selection's own GUID (each selection here has one coding)
    assert stored and len(set(stored)) == len(stored) and set(stored) <= selections
    sources = {guid.lower() for guid in re.findall(r'<TextSource[^>]* guid="([^"]+)"',
                                                   project)}
    assert {row[0] for row in db.execute("SELECT uuid FROM articles")} <= sources
    db.close()


def test_a_guid_another_row_has_is_not_kept(tricky, tmp_path):
    path = export_qdpx(tricky, tmp_path)
    target = open_database(tmp_path / "other.db")
    # a passage of this file's own already holds one of the project's GUIDs
    wanted = _passage_uuids(tricky)
    taken = next(iter(wanted.values()))
    article_id, _ = articles.add_article(target, title="Ours", text="Our own words here.")
    tag_id = tags.create_tag(target, "Ours", "#123456")
    ours = passages.add_passage(target, article_id=article_id, tag_id=tag_id, start=0,
                                end=3, analyst="me")
    with journal.recorded(target, "test: a passage with a colliding uuid"):
        target.execute("UPDATE passages SET uuid = ? WHERE id = ?", [taken, ours])
    report = import_qdpx(target, path)
    assert (report.passages_added, report.skipped) == (7, [])
    got = {key: value for key, value in _passage_uuids(target).items() if key in wanted}
    assert len(got) == 7
    assert [key for key in wanted if got[key] != wanted[key]] == [
        key for key in wanted if wanted[key] == taken]          # that one only: a new id
    assert taken not in got.values()
    assert target.execute("SELECT uuid FROM passages WHERE id = ?",
                          [ours]).fetchone()[0] == taken
    target.close()


def test_a_forgotten_rows_guid_is_kept_again(tricky, tmp_path):
    path = export_qdpx(tricky, tmp_path)
    db = open_database(tmp_path / "again.db")
    import_qdpx(db, path)
    before = _passage_uuids(db)
    with journal.recorded(db, "test: forget the passages"):
        db.execute("DELETE FROM passages")
    import_qdpx(db, path)
    assert _passage_uuids(db) == before
    db.close()


def test_kept_refuses_what_is_not_a_uuid_or_taken(tmp_path):
    db = open_database(tmp_path / "ids.db")
    tag_id = tags.create_tag(db, "Held", "#123456", stable_id="{0A1B2C3D-0000-4000-8000-00000000000F}")
    held = db.execute("SELECT uuid FROM tags WHERE id = ?", [tag_id]).fetchone()[0]
    assert held == "0a1b2c3d-0000-4000-8000-00000000000f"
    assert stable_ids.kept(db, "tags", held) != held
    assert uuid.UUID(stable_ids.kept(db, "tags", "not a guid"))
    assert stable_ids.kept(db, "passages", held) == held
    db.close()


def test_a_qdc_codebook_keeps_its_codes_guids(tmp_path):
    source = QUALCODER / "Codebook-made_by_qualcoder.qdc"
    codes = {match[1]: match[0].lower() for match in re.findall(
        r'<Code[^>]* guid="([^"]+)"[^>]* name="([^"]+)"',
        source.read_text(encoding="utf-8"))}
    db = open_database(tmp_path / "codebook.db")
    created = apply_codebook(db, read_codebook_file(source).entries)["created"]
    stored = _uuids(db, "tags", "name")
    assert created and all(stored[name] == codes[name] for name in created if name in codes)
    assert any(name in codes for name in created)
    db.close()


def _two_analysts_agreeing(path: Path):
    """A file where ana and bob tagged the same words with the same tag
    (their agreement), and bob one more passage."""
    from desktop.first_run import ensure_codebook

    db = open_database(path)
    ensure_codebook(db)
    with journal.step(db, "Code"):
        article, _ = articles.add_article(db, title="Raid", text="Police raided the port on "
                                       "Tuesday and seized 40 kg of heroin. " * 3)
        diplomacy, drugs = tags.find_tag(db, "Diplomacy")["id"], tags.find_tag(db, "Drugs")["id"]
        for analyst in ("ana", "bob"):
            passages.add_passage(db, article_id=article, tag_id=diplomacy, start=0, end=24,
                                 analyst=analyst, note=f"{analyst}'s note")
        passages.add_passage(db, article_id=article, tag_id=drugs, start=40, end=60,
                             analyst="bob")
    return db


def _coded(db) -> list[tuple]:
    return sorted(db.execute('SELECT p.uuid, p.analyst, t.name, p.start, p."end", p.note '
                             "FROM passages p JOIN tags t ON t.id = p.tag_id"))


def test_two_analysts_coding_the_same_words_both_come_back(tmp_path):
    """A project import kept one of two analysts' codings of the same words
    with the same tag ("1 already present"): exactly the passages where they
    agreed were lost, and their agreement fell. Both come back; importing
    the project again adds nothing."""
    source = _two_analysts_agreeing(tmp_path / "team.db")
    path = export_qdpx(source, tmp_path)
    target = open_database(tmp_path / "fresh.db")
    report = import_qdpx(target, path)
    assert (report.passages_added, report.passages_existing) == (3, 0)
    assert _coded(target) == _coded(source)
    again = import_qdpx(target, path)
    assert (again.passages_added, again.passages_existing) == (0, 3)
    assert len(_coded(target)) == 3


def test_the_shipped_tags_have_the_same_uuid_in_every_new_file(tmp_path):
    """Each new file gave the nine shipped tags random uuids, so no export
    of two files joined on them, even after one imported the other's project."""
    from desktop.first_run import default_tags, ensure_codebook

    files = [open_database(tmp_path / f"{name}.db") for name in ("one", "two")]
    for db in files:
        ensure_codebook(db)
    first, second = (_uuids(db, "tags", "name") for db in files)
    assert first == second and len(first) == len(default_tags())
    source = _two_analysts_agreeing(tmp_path / "team.db")
    import_qdpx(files[1], export_qdpx(source, tmp_path))
    # every passage came in under the tag of the same uuid: exports join on it

    def tag_of_passages(db) -> dict:
        return dict(db.execute("SELECT p.uuid, t.uuid FROM passages p "
                               "JOIN tags t ON t.id = p.tag_id"))
    assert tag_of_passages(files[1]) == tag_of_passages(source) != {}


def test_a_code_coloured_otherwise_than_the_tag_here_is_said(tmp_path):
    source = _two_analysts_agreeing(tmp_path / "team.db")
    tags.recolour_tag(source, tags.find_tag(source, "Drugs")["id"], "#00ff00")
    target = open_database(tmp_path / "fresh.db")
    from desktop.first_run import ensure_codebook
    ensure_codebook(target)
    report = import_qdpx(target, export_qdpx(source, tmp_path))
    [line] = [line for line in report.detail_lines() if "Drugs" in line]
    assert "colour #00ff00" in line and "keeps its own colour" in line
    assert tags.find_tag(target, "Drugs")["color"] != "#00ff00"


def test_a_read_only_file_exports_the_same_ids_every_time(tricky_db_path, tmp_path):
    """.qdpx, W3C and .qdc of a read-only file never exported before (these
    failed: "attempt to write a readonly database")."""
    import json

    from desktop.codebook_files import export_codebook
    from desktop.exporters import export_passages

    guids, collections = [], []
    for run in range(2):
        read_only = open_database(tricky_db_path, read_only=True)
        project, _ = read_qdpx(export_qdpx(read_only, tmp_path, f"p{run}.qdpx"))
        guids.append(sorted(set(re.findall(rb'guid="([^"]+)"', project, re.IGNORECASE))))
        w3c = tmp_path / f"a{run}.jsonld"
        assert export_passages(read_only, w3c, "w3c").count == 7
        collections.append(json.loads(w3c.read_text("utf-8"))["id"])
        assert export_codebook(read_only, tmp_path / f"c{run}.qdc") > 0
        read_only.close()
    assert guids[0] and guids[0] == guids[1]
    assert collections[0] == collections[1]
