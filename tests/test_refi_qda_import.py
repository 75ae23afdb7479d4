"""REFI-QDA import: a round trip through an empty database, a foreign
project, hostile archives, cancelling, and ``dossier import`` of a .qdpx."""

from __future__ import annotations

import json
import re
import zipfile

import pytest

from desktop.cli import main
from desktop.exporters.base import xml_safe
from desktop.refi_qda.import_project import ImportCancelled, QdpxError, import_qdpx
from storage import articles, open_database, passages, tags

from export_fixtures import (TRICKY_TEXT, add_joined_consensus, export_qdpx,  # noqa: F401
                             read_qdpx, tricky, tricky_db_path, validate_qde)


def test_round_trip_into_an_empty_database(tricky, tmp_path):
    path = export_qdpx(tricky, tmp_path)
    target = open_database(tmp_path / "fresh.db")
    report = import_qdpx(target, path)
    assert (len(report.articles_added), report.passages_added, report.skipped) == (3, 7, [])

    def article_rows(db):
        return sorted((a["title"], a["text"], a["published"], a["source"], a["url"])
                      for a in (articles.get_article(db, r["id"])
                                for r in articles.list_articles(db)))

    def tag_rows(db):
        return {(t["name"], t["color"], t["description"]) for t in tags.list_tags(db)}

    def passage_rows(db, clean_notes=False):
        return sorted((p["article_title"], p["start"], p["end"], p["text"], p["tag"],
                       xml_safe(p["note"]) if clean_notes else p["note"], p["analyst"],
                       p["created_at"]) for p in passages.export_rows(db))

    assert article_rows(target) == article_rows(tricky)
    # the whole codebook comes in, used or not, as it was
    assert tag_rows(target) == tag_rows(tricky)
    # notes lose XML-illegal characters (one space each), nothing else
    assert passage_rows(target) == passage_rows(tricky, clean_notes=True)

    again = import_qdpx(target, path)
    assert (again.passages_added, again.passages_existing, len(again.articles_existing)) == (
        0, 7, 3)
    target.close()


def _times_set_apart(db) -> dict[str, tuple[str, str]]:
    """Give every passage a creation time and a later, different last-change
    time (a note edited weeks after tagging); uuid → (created, updated)."""
    from storage import journal

    with journal.step(db, "Test: set times"):
        db.execute("UPDATE passages SET created_at = printf('2024-01-%02dT03:04:05+00:00', id), "
                   "updated_at = printf('2024-03-%02dT10:20:30+00:00', id)")
    return {r["uuid"]: (r["created_at"], r["updated_at"])
            for r in db.query("SELECT uuid, created_at, updated_at FROM passages")}


def test_a_round_trip_keeps_when_each_passage_was_last_changed(tricky, tmp_path):
    """The import stored its own time as every passage's last change,
    though the selection's modifiedDateTime carried the real one."""
    times = _times_set_apart(tricky)
    target = open_database(tmp_path / "fresh.db")
    import_qdpx(target, export_qdpx(tricky, tmp_path))
    assert {r["uuid"]: (r["created_at"], r["updated_at"]) for r in target.query(
        "SELECT uuid, created_at, updated_at FROM passages")} == times


def test_a_round_trip_keeps_who_decided_a_consensus_passage(tricky, tmp_path):
    """The selection's creatingUser says only "consensus": the deciders were
    lost, and came back as decided_by None."""
    from storage import consensus

    joined = add_joined_consensus(tricky)
    start = TRICKY_TEXT.index("Arabic greeting")
    single = consensus.add_consensus(tricky, article_id=1, tag_id=tags.find_tag(
        tricky, "Key quote")["id"], start=start, end=start + 15, decided_by="erin")
    passages.set_note(tricky, single, "agreed after a call")
    path = export_qdpx(tricky, tmp_path)
    validate_qde(read_qdpx(path)[0])
    target = open_database(tmp_path / "fresh.db")
    import_qdpx(target, path)

    def decided(db):
        return {r["uuid"]: (r["analyst"], r["decided_by"]) for r in db.query(
            "SELECT uuid, analyst, decided_by FROM passages")}

    assert decided(target) == decided(tricky)
    after = {r["uuid"]: (r["analyst"], r["decided_by"], r["note"]) for r in target.query(
        "SELECT uuid, analyst, decided_by, note FROM passages")}
    uuid = {r["id"]: r["uuid"] for r in tricky.query("SELECT id, uuid FROM passages")}
    # the deciders line stays out of the notes
    assert after[uuid[joined]] == ("consensus", "carla; dan", "")
    assert after[uuid[single]] == ("consensus", "erin", "agreed after a call")


def _zip(path, project: str, files: dict[str, bytes] | None = None):
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("project.qde", project)
        for name, data in (files or {}).items():
            archive.writestr(name, data)
    return path


FOREIGN = """<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="From elsewhere">
  <Users><User guid="{AD68FBE7-E1EE-4A82-A279-23CC698C89EB}" name="Sam"/></Users>
  <CodeBook><Codes>
    <Code guid="5215cc69-b628-4e02-afb9-9beeaee55808" name="Topics" isCodable="false">
      <Code guid="d7aa29da-519b-4946-9b90-253b6db8fd0a" name="Economy" isCodable="true" color="#FF0"/>
    </Code>
    <Code guid="0dcef2f5-e55c-49da-8c33-9b0803c7aeb4" name="Health" isCodable="true"/>
  </Codes></CodeBook>
  <Sources>
    <TextSource guid="11111111-2222-3333-4444-555555555555" name="Inline text">
      <PlainTextContent>Jobs and taxes. Doctors too.</PlainTextContent>
      <PlainTextSelection guid="21111111-2222-3333-4444-555555555555" startPosition="0"
          endPosition="14" creatingUser="AD68FBE7-E1EE-4A82-A279-23CC698C89EB">
        <Description>a memo on the selection</Description>
        <Coding guid="31111111-2222-3333-4444-555555555555">
          <CodeRef targetGUID="{D7AA29DA-519B-4946-9B90-253B6DB8FD0A}"/>
        </Coding>
      </PlainTextSelection>
      <PlainTextSelection guid="41111111-2222-3333-4444-555555555555" startPosition="16"
          endPosition="999"><Coding guid="51111111-2222-3333-4444-555555555555">
          <CodeRef targetGUID="0dcef2f5-e55c-49da-8c33-9b0803c7aeb4"/></Coding>
      </PlainTextSelection>
    </TextSource>
    <TextSource guid="61111111-2222-3333-4444-555555555555" name="Escaping" plainTextPath="internal://../../etc/passwd"/>
    <TextSource guid="71111111-2222-3333-4444-555555555555" name="Missing" plainTextPath="internal://nothere.txt"/>
    <TextSource guid="81111111-2222-3333-4444-555555555555" name="Upper" plainTextPath="internal://ABC.TXT">
      <Coding guid="91111111-2222-3333-4444-555555555555">
        <CodeRef targetGUID="0dcef2f5-e55c-49da-8c33-9b0803c7aeb4"/></Coding>
    </TextSource>
    <PictureSource guid="a1111111-2222-3333-4444-555555555555" name="photo.jpg" path="internal://x.jpg"/>
  </Sources>
</Project>"""


def test_a_foreign_project_imports_what_it_can(db, tmp_path):
    path = _zip(tmp_path / "foreign.qdpx", FOREIGN, {
        "Sources/ABC.TXT": "\ufeffWhole document\r\ncoded.".encode("utf-8"),
        "../outside.txt": b"never read", "/etc/absolute.txt": b"never read"})
    report = import_qdpx(db, path)
    assert [name for name, _ in report.articles_added] == ["Inline text", "Upper"]
    assert report.tags_added == ["Topics", "Economy", "Health"]   # the folder too
    assert tags.find_tag(db, "Economy")["parent_id"] == tags.find_tag(db, "Topics")["id"]
    assert tags.find_tag(db, "Economy")["color"] == "#ffff00"
    rows = {p["text"]: p for p in passages.export_rows(db)}
    assert rows["Jobs and taxes"]["analyst"] == "Sam"
    assert rows["Jobs and taxes"]["note"] == "a memo on the selection"
    assert rows["Whole document\ncoded."]["tag"] == "Health"  # whole-source coding, LF only
    reasons = " | ".join(f"{what}: {why}" for what, why in report.skipped)
    assert "unsafe source path" in reasons and "missing from the archive" in reasons
    assert "outside the article" in reasons and "only text sources" in reasons
    assert report.passages_added == 2


def _labelled(tmp_path, text: str, start: int, end: int):
    """A project laid out like the REFI-QDA standard's own examples: the
    selection's name is a label, not its text."""
    project = f"""<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="Standard example" origin="ATLAS.ti">
  <CodeBook><Codes>
    <Code guid="d342cd5e-52d1-4894-a342-7d42ed947797" name="English Collection 1" isCodable="true"/>
  </Codes></CodeBook>
  <Sources>
    <TextSource guid="acd630d1-1dde-4661-ac92-79d8bf18ff86" name="English Document 1"
        plainTextPath="internal://acd630d1-1dde-4661-ac92-79d8bf18ff86.txt">
      <PlainTextSelection guid="a16d789e-00ce-4b18-b4e5-c1540c7fec5f" name="English Quote 1"
          startPosition="{start}" endPosition="{end}">
        <Coding guid="3e8f98d8-7cd3-466a-98d0-02ce028fd49a">
          <CodeRef targetGUID="d342cd5e-52d1-4894-a342-7d42ed947797"/></Coding>
      </PlainTextSelection>
    </TextSource>
  </Sources>
</Project>"""
    return _zip(tmp_path / "standard.qdpx", project, {
        "sources/acd630d1-1dde-4661-ac92-79d8bf18ff86.txt": text.encode("utf-8")})


@pytest.mark.parametrize("text", [
    "A short English document about breakfast and coffee in the morning.",
    "A café document about breakfast and coffee in the morning.",      # UTF-8 bytes differ
])
def test_a_selection_named_with_a_label_is_placed_by_its_positions(db, tmp_path, text):
    report = import_qdpx(db, _labelled(tmp_path, text, 2, 16))
    rows = [(p["start"], p["end"], p["text"]) for p in passages.export_rows(db)]
    assert rows == [(2, 16, text[2:16])] and report.skipped == []
    assert report.warnings == ["“English Document 1”: 1 selection placed by position alone, "
                               "its name is not its text (“English Quote 1”)"]


def test_a_labelled_selection_whose_readings_disagree_is_reported_not_stored(db, tmp_path):
    # after the emoji, code points and UTF-16 units point at different words
    text = "\U0001F694 Police freed 312 workers on Tuesday."
    report = import_qdpx(db, _labelled(tmp_path, text, 9, 21))
    assert passages.passage_count(db) == 0
    (what, why), = report.skipped
    assert what == "selection 9–21 in “English Document 1”"
    assert "English Quote 1" in why and "different words" in why and "not stored" in why


@pytest.mark.parametrize("label", ["Source", "Author", "URL", "Published"])
@pytest.mark.parametrize("memo", ["{label}: a phone call with the deputy\nCheck Monday.",
                                  "{label}: a phone call with the deputy"])
def test_a_memo_starting_with_a_label_comes_back_as_the_memo(tmp_path, label, memo):
    """An article with no metadata whose memo starts "Source: …" used to come
    back with its source set and that line gone from the memo."""
    from storage import review

    memo = memo.format(label=label)
    db = open_database(tmp_path / "a.db")
    article_id, _ = articles.add_article(db, title="No metadata", text="Plain words here.")
    review.set_memo(db, article_id, memo)
    fresh = open_database(tmp_path / "b.db")
    import_qdpx(fresh, export_qdpx(db, tmp_path))
    [back] = fresh.execute("SELECT id, source, author, url, published FROM articles").fetchall()
    assert back[1:] == (None, None, None, None)
    assert review.memo(fresh, back[0]) == memo


def test_a_text_ending_in_blank_space_comes_back_exactly(tmp_path):
    """A text corrected in Edit text may end in a line break; the import
    stripped it, so the article came back with another hash."""
    db = open_database(tmp_path / "a.db")
    tag = tags.create_tag(db, "T", "#123456")
    article_id, _ = articles.add_article(db, title="t", text="Plain words here.")
    articles.replace_article_text(db, article_id, "Plain words here.\n \n")
    passages.add_passage(db, article_id=article_id, tag_id=tag, start=6, end=19,
                         analyst="ana")
    fresh = open_database(tmp_path / "b.db")
    import_qdpx(fresh, export_qdpx(db, tmp_path))

    def rows(database):
        return (database.execute("SELECT text, text_hash FROM articles").fetchall(),
                database.execute('SELECT start, "end" FROM passages').fetchall())

    assert rows(fresh) == rows(db)


#: A note whose blank space is part of it: an indented list ending in a line break.
SPACED_NOTE = "  - first point\n  - second point\n"


def _noted_db(path, note: str, *, decided_by: str | None = None):
    """A database with one passage carrying ``note`` (a consensus passage
    when ``decided_by`` is given)."""
    from storage import consensus

    db = open_database(path)
    article_id, _ = articles.add_article(db, title="t", text="Police raided the compound.")
    tag = tags.create_tag(db, "Raid", "#123456")
    if decided_by:
        passage = consensus.add_consensus(db, article_id=article_id, tag_id=tag, start=7,
                                          end=26, decided_by=decided_by)
        passages.set_note(db, passage, note)
    else:
        passages.add_passage(db, article_id=article_id, tag_id=tag, start=7, end=26,
                             analyst="ana", note=note)
    return db


def test_a_note_keeps_its_blank_space_through_a_round_trip(tmp_path):
    """The import stripped every note: an indented list came back with its
    first line pulled left and its last line break gone."""
    db = _noted_db(tmp_path / "a.db", SPACED_NOTE)
    fresh = open_database(tmp_path / "b.db")
    import_qdpx(fresh, export_qdpx(db, tmp_path))
    assert fresh.execute("SELECT note FROM passages").fetchall() == [(SPACED_NOTE,)]


def test_a_note_kept_in_the_description_loses_only_the_deciders_line(tmp_path):
    """A coding memo read from the selection's Description (no Note: as
    another tool keeps it) drops Dossier's deciders line, and nothing of
    the note around it."""
    db = _noted_db(tmp_path / "a.db", SPACED_NOTE, decided_by="carla; dan")
    path = export_qdpx(db, tmp_path)
    with zipfile.ZipFile(path) as archive:
        files = {name: archive.read(name) for name in archive.namelist()}
    qde = files.pop("project.qde").decode("utf-8")
    # the same project without its Notes: the note is only in the Description
    qde = re.sub(r"<Notes>.*</Notes>|<NoteRef [^>]*/>", "", qde, flags=re.S)
    assert "Dossier-decided-by: " in qde and "<Note " not in qde
    fresh = open_database(tmp_path / "b.db")
    import_qdpx(fresh, _zip(tmp_path / "described.qdpx", qde, files))
    assert fresh.execute("SELECT note, decided_by FROM passages").fetchall() == [
        (SPACED_NOTE, "carla; dan")]
    # blank space alone is still no note
    blank = open_database(tmp_path / "c.db")
    import_qdpx(blank, _zip(tmp_path / "blank.qdpx",
                            FOREIGN.replace("a memo on the selection", " \n\t ")))
    assert {p["text"]: p["note"] for p in passages.export_rows(blank)}["Jobs and taxes"] == ""


def test_a_note_keeps_its_blank_space_through_a_merge_of_a_qdpx(tmp_path):
    from desktop.merge_files import merge_file

    path = export_qdpx(_noted_db(tmp_path / "a.db", SPACED_NOTE), tmp_path)
    ours = open_database(tmp_path / "ours.db")
    merge_file(ours, path, analyst="me")
    assert ours.execute("SELECT note FROM passages").fetchall() == [(SPACED_NOTE,)]


def _one_source(tmp_path, origin: str, description: str):
    project = f"""<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="p" origin="{origin}"><Sources>
  <TextSource guid="11111111-2222-3333-4444-555555555555" name="One">
    <Description>{description}</Description>
    <PlainTextContent>Plain words here.</PlainTextContent>
  </TextSource></Sources></Project>"""
    return _zip(tmp_path / f"{len(list(tmp_path.iterdir()))}.qdpx", project)


@pytest.mark.parametrize("origin,description,metadata,memo", [
    # another tool's file memo is the memo, whatever its first lines say
    ("QualCoder 3.5", "Published: last week\nSource: a call", {},
     "Published: last week\nSource: a call"),
    ("QualCoder 3.5", "Source: Test Wire", {}, "Source: Test Wire"),
    # an older Dossier's export (a blank line before the memo) as before
    ("Dossier 0.1.0", "Source: Test Wire\nPublished: 2024-05-01\n\nMemo line",
     {"source": "Test Wire", "published": "2024-05-01"}, "Memo line"),
    ("Dossier 0.1.0", "Source: Test Wire", {"source": "Test Wire"}, ""),
    # not delimited as Dossier writes it, or not a date: all memo
    ("Dossier 0.1.0", "Source: a call\nCheck Monday.", {}, "Source: a call\nCheck Monday."),
    ("Dossier 0.1.0", "Published: last week\n\nCheck.", {},
     "Published: last week\n\nCheck."),
])
def test_only_a_block_dossier_wrote_becomes_metadata(tmp_path, origin, description,
                                                     metadata, memo):
    from storage import review

    db = open_database(tmp_path / "a.db")
    import_qdpx(db, _one_source(tmp_path, origin, description))
    [article] = [articles.get_article(db, r["id"]) for r in articles.list_articles(db)]
    got = {key: article[key] for key in ("source", "author", "url", "published")
           if article[key] is not None}
    assert (got, review.memo(db, article["id"])) == (metadata, memo)


def test_bad_files_are_refused_with_a_message(db, tmp_path):
    not_zip = tmp_path / "not.qdpx"
    not_zip.write_bytes(b"hello")
    with pytest.raises(QdpxError, match="not a REFI-QDA project"):
        import_qdpx(db, not_zip)
    with pytest.raises(QdpxError, match="no project.qde"):
        with zipfile.ZipFile(tmp_path / "empty.qdpx", "w") as archive:
            archive.writestr("readme.txt", "x")
        import_qdpx(db, tmp_path / "empty.qdpx")
    bomb = '<?xml version="1.0"?><!DOCTYPE p [<!ENTITY a "aaaa">]><Project name="x">&a;</Project>'
    with pytest.raises(QdpxError, match="DOCTYPE"):
        import_qdpx(db, _zip(tmp_path / "bomb.qdpx", bomb))
    with pytest.raises(QdpxError, match="well-formed"):
        import_qdpx(db, _zip(tmp_path / "broken.qdpx", "<Project"))
    assert articles.article_count(db) == 0


def test_a_cancelled_import_stores_nothing(tricky, tmp_path):
    path = export_qdpx(tricky, tmp_path)
    target = open_database(tmp_path / "fresh.db")
    calls = iter([False, True])
    with pytest.raises(ImportCancelled):
        import_qdpx(target, path, is_cancelled=lambda: next(calls))
    assert articles.article_count(target) == 0 and passages.passage_count(target) == 0
    target.close()


def run_cli(capsys, *argv):
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def test_import_a_refi_qda_project(tricky_db_path, tmp_path, capsys):
    project = tmp_path / "project.qdpx"
    assert run_cli(capsys, "export", "--format", "qdpx", "-o", str(project),
               "--db", str(tricky_db_path))[0] == 0
    validate_qde(read_qdpx(project)[0])
    fresh = tmp_path / "fresh.db"
    status, out, err = run_cli(capsys, "import", str(project), "--db", str(fresh))
    assert status == 0, err
    assert "7 passages imported" in out and "3 imported" in out
    db = open_database(fresh)
    assert passages.passage_count(db) == 7
    db.close()
    # a broken project is named among the skipped files, with exit status 1
    broken = tmp_path / "broken.qdpx"
    broken.write_bytes(b"not a zip")
    status, out, err = run_cli(capsys, "import", str(broken), "--db", str(fresh))
    assert status == 1 and "broken.qdpx" in err and "not a REFI-QDA project" in err
    status, out, _ = run_cli(capsys, "stats", "--db", str(fresh))
    assert json.loads(out)["passages"] == 7


@pytest.mark.parametrize("value, stored, written", [
    ("2026-12-02T04:18:37+00:00Z", "2026-12-02T04:18:37+00:00", "2026-12-02T04:18:37Z"),
    ("2026-12-02T04:18:37Z", "2026-12-02T04:18:37+00:00", "2026-12-02T04:18:37Z"),
    ("2026-12-02T06:18:37.123+02:00", "2026-12-02T04:18:37+00:00", "2026-12-02T04:18:37Z"),
    ("2026-12-02T04:18:37", "2026-12-02T04:18:37+00:00", "2026-12-02T04:18:37Z"),
    ("yesterday", None, None), ("", None, None), (None, None, None),
    # .NET's DateTime.MinValue: the year was written "1", not schema-valid
    ("0001-01-01T00:00:00", "0001-01-01T00:00:00+00:00", "0001-01-01T00:00:00Z"),
    ("0999-12-31T23:59:59Z", "0999-12-31T23:59:59+00:00", "0999-12-31T23:59:59Z"),
])
def test_timestamps_are_read_leniently_and_written_as_xs_datetime(value, stored, written):
    from desktop.refi_qda.timestamps import stored_timestamp, xml_timestamp

    assert stored_timestamp(value) == stored
    assert xml_timestamp(value) == written


#: An NVivo/MAXQDA-style project: a code called "Other" in two places of the
#: tree, one coding of each.
SAME_NAME_TEXT = "Police raided the compound. The victims were trafficked from Thailand."
SAME_NAME = """<?xml version="1.0" encoding="UTF-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="p" origin="NVivo 14">
 <Users><User guid="00000000-0000-0000-0000-0000000000aa" name="ana"/></Users>
 <CodeBook><Codes>
  <Code guid="00000000-0000-0000-0000-000000000001" name="Crime" isCodable="true" color="#ff0000">
   <Code guid="00000000-0000-0000-0000-000000000002" name="Other" isCodable="true" color="#00ff00"/>
  </Code>
  <Code guid="00000000-0000-0000-0000-000000000003" name="Victims" isCodable="true" color="#0000ff">
   <Code guid="00000000-0000-0000-0000-000000000004" name="Other" isCodable="true" color="#00ffff"/>
  </Code>
 </Codes></CodeBook>
 <Sources>
  <TextSource guid="00000000-0000-0000-0000-0000000000b1" name="doc">
   <PlainTextContent>{text}</PlainTextContent>
   <PlainTextSelection guid="00000000-0000-0000-0000-0000000000c1" name="raided the compound" startPosition="7" endPosition="26" creatingUser="00000000-0000-0000-0000-0000000000aa">
    <Coding guid="00000000-0000-0000-0000-0000000000d1"><CodeRef targetGUID="00000000-0000-0000-0000-000000000002"/></Coding>
   </PlainTextSelection>
   <PlainTextSelection guid="00000000-0000-0000-0000-0000000000c2" name="trafficked from Thailand" startPosition="45" endPosition="69" creatingUser="00000000-0000-0000-0000-0000000000aa">
    <Coding guid="00000000-0000-0000-0000-0000000000d2"><CodeRef targetGUID="00000000-0000-0000-0000-000000000004"/></Coding>
   </PlainTextSelection>
  </TextSource>
 </Sources>
</Project>""".format(text=SAME_NAME_TEXT)


def _filed(db) -> list[tuple[str, str, str | None]]:
    """Each passage's words, tag and the tag's parent, in text order."""
    return [tuple(r) for r in db.execute(
        "SELECT p.text, t.name, par.name FROM passages p JOIN tags t ON t.id = p.tag_id "
        "LEFT JOIN tags par ON par.id = t.parent_id ORDER BY p.start")]


def test_codes_of_one_name_under_two_parents_stay_two_tags(tmp_path):
    """Victims/Other was read as Crime/Other again: one tag held both codes'
    codings, under Crime, and a re-export wrote one code."""
    assert SAME_NAME_TEXT[7:26] == "raided the compound"
    assert SAME_NAME_TEXT[45:69] == "trafficked from Thailand"
    db = open_database(tmp_path / "a.db")
    report = import_qdpx(db, _zip(tmp_path / "nvivo.qdpx", SAME_NAME))
    assert _filed(db) == [("raided the compound", "Other", "Crime"),
                          ("trafficked from Thailand", "Other (2)", "Victims")]
    assert report.tags_added == ["Crime", "Other", "Victims", "Other (2)"]
    assert "renamed code “Other” in “Victims”: another code called “Other” is in “Crime”; " \
           "this one comes in as “Other (2)”" in report.detail_lines()
    assert report.skipped == []
    # the second tag keeps the code's GUID, so the same file again adds nothing
    again = import_qdpx(db, tmp_path / "nvivo.qdpx")
    assert (again.tags_added, again.passages_added, again.passages_existing) == ([], 0, 2)
    # Dossier's export writes both codes, and a new database keeps them apart
    fresh = open_database(tmp_path / "b.db")
    import_qdpx(fresh, export_qdpx(db, tmp_path))
    assert _filed(fresh) == _filed(db)


def test_a_code_named_like_a_tag_elsewhere_in_the_tree_here_is_a_tag_of_its_own(tmp_path):
    """Imported into a file that already has Crime/Other, the project's
    Victims/Other codings were filed under Crime/Other (tags were looked up
    by name only)."""
    db = open_database(tmp_path / "a.db")
    crime = tags.create_tag(db, "Crime", "#ff0000")
    other = tags.create_tag(db, "Other", "#00ff00")
    tags.set_parent(db, other, crime)
    # the project's Crime/Other is ours by name and place; its Victims/Other is not
    only_victims = re.sub(r'<Code guid="[^"]*01" .*?</Code>\n', "", SAME_NAME, flags=re.S)
    assert 'name="Crime"' not in only_victims
    report = import_qdpx(db, _zip(tmp_path / "victims.qdpx", only_victims))
    assert _filed(db) == [("trafficked from Thailand", "Other (2)", "Victims")]
    assert report.tags_added == ["Victims", "Other (2)"]
    assert "renamed code “Other” in “Victims”: the tag “Other” here is another one " \
           "(in “Crime”); this code comes in as “Other (2)”" in report.detail_lines()
    # both codes: Crime/Other is the tag here, Victims/Other the one just made
    report = import_qdpx(db, _zip(tmp_path / "both.qdpx", SAME_NAME))
    assert _filed(db) == [("raided the compound", "Other", "Crime"),
                          ("trafficked from Thailand", "Other (2)", "Victims")]
    assert report.tags_added == [] and report.passages_existing == 1


def test_a_tag_renamed_and_moved_since_its_export_is_still_its_code(tmp_path):
    """Tags were matched by name alone: a tag renamed here after the export
    came back a second time under its old name, with every passage again."""
    db = _noted_db(tmp_path / "a.db", "")
    path = export_qdpx(db, tmp_path)
    raid = tags.find_tag(db, "Raid")["id"]
    tags.rename_tag(db, raid, "Police raid")
    tags.set_parent(db, raid, tags.create_tag(db, "Operations", "#00aa00"))
    report = import_qdpx(db, path)
    assert (report.tags_added, report.passages_added, report.passages_existing) == ([], 0, 1)
    assert _filed(db) == [("raided the compound", "Police raid", "Operations")]


def test_a_merge_of_a_project_with_one_name_under_two_parents_keeps_two_tags(tmp_path):
    """A merge reads the .qdpx through the import: both codings landed under
    Crime/Other; the new name is said as a note, not as something skipped."""
    from desktop.merge_files import merge_file

    ours = open_database(tmp_path / "ours.db")
    report = merge_file(ours, _zip(tmp_path / "nvivo.qdpx", SAME_NAME), analyst="me")
    assert _filed(ours) == [("raided the compound", "Other", "Crime"),
                            ("trafficked from Thailand", "Other (2)", "Victims")]
    assert any("comes in as “Other (2)”" in line for line in report.notes)
    assert report.skipped == []
