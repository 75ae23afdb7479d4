"""REFI-QDA export: valid against the vendored schema, positions in code
points on exactly the text written, stable GUIDs, normalised line breaks."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from desktop.exporters.base import xml_safe
from desktop.refi_qda import NAMESPACE
from desktop.refi_qda.line_breaks import normalise_line_breaks
from storage import articles, open_database, passages, tags
from storage.export_selection import PassageFilter

from export_fixtures import (export_qdpx, read_qdpx, tricky, tricky_db_path,  # noqa: F401
                             validate_qde)

Q = f"{{{NAMESPACE}}}"


def test_export_is_valid_and_positions_point_at_the_source_text(tricky, tmp_path):
    project, entries = read_qdpx(export_qdpx(tricky, tmp_path))
    validate_qde(project)
    root = ET.fromstring(project)
    assert [child.tag.removeprefix(Q) for child in root] == ["Users", "CodeBook", "Sources",
                                                            "Notes"]
    assert {u.get("name") for u in root.iter(Q + "User")} == {"ana", "bo"}
    codes = {c.get("name"): c for c in root.iter(Q + "Code")}
    assert len(codes) == 9 and codes["Diplomacy"].get("color") == "#1c71d8"
    assert codes["Diplomacy"].find(Q + "Description").text.startswith("Visits")
    sources = list(root.iter(Q + "TextSource"))
    assert len(sources) == 3  # every article, tagged or not
    notes = {n.get("guid"): n.find(Q + "PlainTextContent").text for n in root.iter(Q + "Note")}
    seen = 0
    for source in sources:
        path = source.get("plainTextPath")
        assert re.fullmatch(r"internal://[0-9a-f-]{36}\.txt", path)
        assert path.removeprefix("internal://") == source.get("guid") + ".txt"
        text = entries["sources/" + path.removeprefix("internal://")].decode("utf-8")
        for selection in source.iter(Q + "PlainTextSelection"):
            start, end = int(selection.get("startPosition")), int(selection.get("endPosition"))
            code = selection.find(f"{Q}Coding/{Q}CodeRef").get("targetGUID")
            assert code in {c.get("guid") for c in codes.values()}
            stored = [p for p in passages.passages_for_article(tricky, articles.find_by_hash(
                tricky, articles.text_hash(text))) if (p["start"], p["end"]) == (start, end)]
            assert stored and text[start:end] == stored[0]["text"]
            refs = selection.findall(Q + "NoteRef")
            assert [notes[r.get("targetGUID")] for r in refs] == (
                [xml_safe(stored[0]["note"])] if stored[0]["note"] else [])
            seen += 1
    assert seen == 7
    # the source file keeps control characters; the XML never holds them
    assert "Control\x0bcharacters\x1fhere" in entries[
        "sources/" + sources[0].get("guid") + ".txt"].decode("utf-8")
    assert b"\x0b" not in project and b"\x1f" not in project


def test_guids_are_stable_across_exports(tricky, tmp_path):
    def guids(path):
        return re.findall(rb'guid="([^"]+)"', read_qdpx(path)[0])

    first = guids(export_qdpx(tricky, tmp_path, "a.qdpx"))
    assert first == guids(export_qdpx(tricky, tmp_path, "b.qdpx"))
    assert len(set(first)) == len(first)


def test_filtered_export_is_still_valid(tricky, tmp_path):
    project, entries = read_qdpx(export_qdpx(tricky, tmp_path, filter=PassageFilter(
        tags=("Cybercrime",), article_ids=(2,))))
    validate_qde(project)
    root = ET.fromstring(project)
    assert [c.get("name") for c in root.iter(Q + "Code")] == ["Cybercrime"]
    assert len(list(root.iter(Q + "PlainTextSelection"))) == 1
    assert len([n for n in entries if n.startswith("sources/")]) == 1
    assert root.find(Q + "Notes") is None


def test_an_empty_database_exports_a_valid_project(tmp_path):
    db = open_database(tmp_path / "empty.db")
    project, entries = read_qdpx(export_qdpx(db, tmp_path))
    db.close()
    validate_qde(project)
    assert list(entries) == ["project.qde"]


def test_crlf_is_normalised_and_positions_follow(tmp_path):
    db = open_database(tmp_path / "crlf.db")
    text = "First line\r\nSecond line\r\nThird\rline end"
    article_id, _ = articles.add_article(db, title="CRLF", text=text)
    tag_id = tags.create_tag(db, "Lines", "#123456")
    start = text.index("Third")
    passages.add_passage(db, article_id=article_id, tag_id=tag_id, start=start,
                         end=start + len("Third\rline"), analyst="ana")
    project, entries = read_qdpx(export_qdpx(db, tmp_path))
    db.close()
    validate_qde(project)
    [source] = [v.decode("utf-8") for k, v in entries.items() if k.startswith("sources/")]
    assert source == "First line\nSecond line\nThird\nline end"
    selection = ET.fromstring(project).find(f".//{Q}PlainTextSelection")
    start, end = int(selection.get("startPosition")), int(selection.get("endPosition"))
    assert source[start:end] == "Third\nline"


def test_line_break_mapping():
    clean, position = normalise_line_breaks("a\r\nb\r\n\r\nc")
    assert clean == "a\nb\n\nc"
    assert [position(i) for i in (0, 1, 2, 3, 4, 6, 8, 9)] == [0, 1, 1, 2, 3, 4, 5, 6]


def test_notes_memos_and_times_as_qualcoder_and_maxqda_read_them(tricky, tmp_path):
    from storage import review

    first = 1
    review.set_memo(tricky, first, "Memo line one\nSource: not metadata")
    project, _ = read_qdpx(export_qdpx(tricky, tmp_path))
    validate_qde(project)
    root = ET.fromstring(project)
    source = next(root.iter(Q + "TextSource"))
    assert source.find(Q + "Description").text == (
        "Source: Test Wire\nPublished: 2024-05-01\n\nMemo:\nMemo line one\nSource: not metadata")
    described = {s.get("name"): s.find(Q + "Description") for s in root.iter(
        Q + "PlainTextSelection")}
    notes = {p["text"]: p["note"] for p in passages.export_rows(tricky)}
    with_note = [name for name, d in described.items() if d is not None]
    assert len(with_note) == sum(1 for n in notes.values() if n) == 4
    assert described["=SUM(A1:A9)"].text == "@risky"
    # every time is an xs:dateTime in UTC with Z (the schema check above
    # passes "+00:00" too, so look at the form)
    times = re.findall(rb'(?:creation|modified)DateTime="([^"]+)"', project)
    assert times and all(re.fullmatch(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", t) for t in times)
    # and back: the memo comes home, metadata stays metadata
    target = open_database(tmp_path / "back.db")
    from desktop.refi_qda.import_project import import_qdpx
    import_qdpx(target, export_qdpx(tricky, tmp_path, name="again.qdpx"))
    article_id = articles.find_by_hash(target, articles.get_article(tricky, first)["text_hash"])
    assert review.memo(target, article_id) == "Memo line one\nSource: not metadata"
    assert articles.get_article(target, article_id)["source"] == "Test Wire"
    target.close()


def test_a_qualcoder_round_trip_stays_schema_valid(tmp_path):
    """QualCoder's "…+00:00Z" times (not xs:dateTime) come in normalised and
    go out valid; its re-export of a Dossier project exports valid again."""
    from pathlib import Path

    from desktop.refi_qda.import_project import import_qdpx

    data = Path(__file__).resolve().parent / "data" / "interop" / "qualcoder"
    db = open_database(tmp_path / "qc.db")
    import_qdpx(db, data / "dossier_via_qualcoder_reexport.qdpx")
    import_qdpx(db, data / "made_by_qualcoder.qdpx")
    project, _ = read_qdpx(export_qdpx(db, tmp_path))
    validate_qde(project)
    assert b"+00:00Z" not in project
    root = ET.fromstring(project)
    codes = {c.get("name"): c for c in root.iter(Q + "Code")}
    # QualCoder's category holds its codes in the export again
    assert codes["Crime types"].find(Q + "Code").get("name") == "Fraud & scams"
    assert sum(1 for _ in root.iter(Q + "PlainTextSelection")) == 57 + 7
    db.close()


def test_a_passage_time_before_the_year_1000_stays_schema_valid(tmp_path):
    """A time another tool wrote as 0001-01-01 went out as "1-01-01T…Z"."""
    db = open_database(tmp_path / "a.db")
    tag = tags.create_tag(db, "T", "#123456")
    article_id, _ = articles.add_article(db, title="t", text="Hello world text.")
    passages.add_passage(db, article_id=article_id, tag_id=tag, start=0, end=5,
                         analyst="ana", created_at="0001-01-01T00:00:00+00:00")
    project, _ = read_qdpx(export_qdpx(db, tmp_path))
    validate_qde(project)
    assert b'creationDateTime="0001-01-01T00:00:00Z"' in project
