"""REFI-QDA codebook (.qdc) export and import: desktop.refi_qda.codebook,
``dossier codebook`` and File → Export/Import codebook, on real database
files; the written XML is checked against the codebook schema of the
standard (tests/data/Codebook.xsd, transcribed from REFI-QDA 1.5 §5.2)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from desktop.cli import main
from desktop.codebook_files import read_codebook_file
from desktop.codebook_json import CodebookFileError
from desktop.refi_qda.codebook import CODEBOOK_NAMESPACE, parse_qdc, qdc_xml
from storage import journal, open_database, tags
from storage.codebook import apply_codebook
from tests.test_undo import stored_state, undo

DATA = Path(__file__).resolve().parent / "data"
C = f"{{{CODEBOOK_NAMESPACE}}}"


def validate_qdc(xml: bytes) -> None:
    from lxml import etree

    schema = etree.XMLSchema(etree.parse(str(DATA / "Codebook.xsd")))
    assert schema.validate(etree.fromstring(xml)), schema.error_log


def tree(db) -> list[tuple]:
    """Every tag as (name, colour, description, parent's name), by name."""
    return [tuple(r) for r in db.execute(
        "SELECT t.name, t.color, t.description, p.name FROM tags t "
        "LEFT JOIN tags p ON p.id = t.parent_id ORDER BY t.name")]


def run(capsys, *argv):
    status = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return status, out, err


@pytest.fixture
def nested(db):
    """The default codebook with a two-level family under Diplomacy."""
    diplomacy = tags.find_tag(db, "Diplomacy")["id"]
    visits = tags.create_tag(db, "State visits", "#123456",
                             description="Who went where, <when> & “why”")
    tags.set_parent(db, visits, diplomacy)
    tags.set_parent(db, tags.create_tag(db, "Royal visits", "#abcdef"), visits)
    return db


# A codebook in the style other tools write: prefixed namespace, braces
# around some GUIDs, #rgb colours, code folders that are not codable,
# nesting, a colourless code, a nameless one, a name repeated under another
# parent, and Sets.
OTHER_TOOL = """<?xml version="1.0" encoding="utf-8"?>
<qda:CodeBook xmlns:qda="urn:QDA-XML:codebook:1.0"
    xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" origin="Some QDA tool 12">
  <qda:Codes>
    <qda:Code guid="{5215CC69-B628-4E02-AFB9-9BEEAEE55808}" name="Topics" isCodable="false">
      <qda:Code guid="d7aa29da-519b-4946-9b90-253b6db8fd0a" name="Economy" isCodable="true"
                color="#ff0">
        <qda:Description>Anything about jobs or taxes or business</qda:Description>
        <qda:Code guid="{0dcef2f5-e55c-49da-8c33-9b0803c7aeb4}" name="  Jobs  " isCodable="true"
                  color="#33CC33"/>
      </qda:Code>
      <qda:Code guid="9fa9bcb7-5b59-47a9-8c3e-f65cffdc7520" name="diplomacy" isCodable="true">
        <qda:Description>Talks between governments</qda:Description>
      </qda:Code>
    </qda:Code>
    <qda:Code guid="7c108712-b650-4892-ac0b-fc9a10190c3b" name="" isCodable="false">
      <qda:Code guid="12365523-1035-4afa-9e7b-281fe0bc51c5" name="Liberals" isCodable="true"
                color="#0000ff"/>
    </qda:Code>
    <qda:Code guid="22365523-1035-4afa-9e7b-281fe0bc51c5" name="ECONOMY" isCodable="true"
              color="#000000">
      <qda:Code guid="32365523-1035-4afa-9e7b-281fe0bc51c5" name="Taxes" isCodable="true"
                color="#aa0000"/>
    </qda:Code>
  </qda:Codes>
  <qda:Sets>
    <qda:Set guid="42365523-1035-4afa-9e7b-281fe0bc51c5" name="Important">
      <qda:MemberCode guid="12365523-1035-4afa-9e7b-281fe0bc51c5"/>
    </qda:Set>
  </qda:Sets>
</qda:CodeBook>
"""


def test_round_trip_into_an_empty_database(nested, tmp_path, capsys):
    path = tmp_path / "codebook.qdc"
    status, out, _ = run(capsys, "codebook", "export", path, "--db", tmp_path / "new.db")
    assert status == 0 and out.strip() == f"exported 11 tags to {path}"
    xml = path.read_bytes()
    assert xml.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n<CodeBook xmlns="urn:QDA')
    validate_qdc(xml)

    empty = open_database(tmp_path / "empty.db")      # no default codebook
    assert tree(empty) == []
    found = read_codebook_file(path)
    assert found.skipped == []
    result = apply_codebook(empty, found.entries)
    assert len(result["created"]) == 11 and result["updated"] == []
    assert tree(empty) == tree(nested)
    assert ("Royal visits", "#abcdef", "", "State visits") in tree(empty)
    # the same file again changes nothing
    assert apply_codebook(empty, read_codebook_file(path).entries) == {
        "created": [], "updated": []}
    empty.close()


def test_nesting_guids_and_xml_safety(nested, tmp_path):
    tags.describe_tag(nested, tags.find_tag(nested, "Drugs")["id"],
                      description="Control\x0bcharacter", shortcut=None)
    xml = qdc_xml(nested)
    validate_qdc(xml)
    import xml.etree.ElementTree as ET

    root = ET.fromstring(xml)
    [diplomacy] = [c for c in root.find(C + "Codes") if c.get("name") == "Diplomacy"]
    [visits] = diplomacy.findall(C + "Code")
    assert visits.get("name") == "State visits" and visits.get("color") == "#123456"
    assert visits.find(C + "Description").text == "Who went where, <when> & “why”"
    assert [c.get("name") for c in visits.findall(C + "Code")] == ["Royal visits"]
    assert all(c.get("isCodable") == "true" for c in root.iter(C + "Code"))
    assert b"\x0b" not in xml
    # GUIDs: stable across exports, one per tag, the same as in a .qdpx export
    guids = re.findall(rb'guid="([^"]+)"', xml)
    assert len(set(guids)) == 11 and re.findall(rb'guid="([^"]+)"', qdc_xml(nested)) == guids
    from desktop.exporters.identifiers import StableIds

    # the tag's own uuid: the same GUID from every copy of this codebook
    visits_id = tags.find_tag(nested, "State visits")["id"]
    assert visits.get("guid") == StableIds(nested).tag(visits_id) == \
        nested.execute("SELECT uuid FROM tags WHERE id = ?", [visits_id]).fetchone()[0]


def test_the_standards_own_example_is_valid_and_imports(db):
    """Annex A.1 of REFI-QDA 1.5, verbatim: checks the transcribed schema too."""
    example = b"""<?xml version="1.0" encoding="UTF-8"?>
<CodeBook xmlns="urn:QDA-XML:codebook:1.0" xmlns:qda="urn:QDA-XML:codebook:1.0"
xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="urn:QDA-
XML:codebook:1.0 http://schema.qdasoftware.org/versions/Codebook/v1.0/Codebook.xsd">
<Codes>
<Code guid="{5215cc69-b628-4e02-afb9-9beeaee55808}" name="Topics" isCodable="false">
</Code>
<Code guid="{d7aa29da-519b-4946-9b90-253b6db8fd0a}" name="Economy" isCodable="true"
color="#ffff00">
<Description>Anything about jobs or taxes or business</Description>
</Code> <Code guid="{0dcef2f5-e55c-49da-8c33-9b0803c7aeb4}" name="Health care"
isCodable="true" color="#33cc33">
<Description>Health care issues, doctor, patients, etc.</Description>
</Code>
</Codes>
</CodeBook>"""
    validate_qdc(example)
    result = apply_codebook(db, parse_qdc(example).entries)
    assert result["created"] == ["Topics", "Economy", "Health care"]
    assert tags.find_tag(db, "Economy")["color"] == "#ffff00"


def test_a_codebook_written_by_another_tool(db, tmp_path, capsys):
    keys = {t["name"]: t["shortcut"] for t in tags.list_tags(db)}
    diplomacy_color = tags.find_tag(db, "Diplomacy")["color"]
    path = tmp_path / "other.QDC"
    path.write_text(OTHER_TOOL, "utf-8")
    status, out, _ = run(capsys, "codebook", "import", path, "--db", tmp_path / "new.db")
    assert status == 0, out
    lines = out.splitlines()
    assert lines[-1] == "6 tags created, 1 updated, 2 skipped"
    assert [line for line in lines if line.startswith("created")] == [
        "created tag “Topics”", "created tag “Economy”", "created tag “Jobs”",
        "created tag “Liberals”", "created tag “ECONOMY (2)”", "created tag “Taxes”"]
    assert "updated tag “Diplomacy”" in lines
    assert any(line.startswith("skipped nameless code") for line in lines)
    # the same name under another parent is another code, not the first one again
    assert "renamed code “ECONOMY” at the top: another code called “Economy” is in " \
           "“Topics”; this one comes in as “ECONOMY (2)”" in lines
    assert "skipped sets: Dossier has no sets of codes; not imported" in lines

    rows = {r[0]: r[1:] for r in tree(db)}
    assert rows["Topics"][2] is None                         # a folder: a top-level tag
    assert rows["Economy"] == ("#ffff00", "Anything about jobs or taxes or business",
                               "Topics")                     # #rgb widened
    assert rows["Jobs"] == ("#33cc33", "", "Economy")         # name trimmed, colour lowered
    assert rows["Taxes"][2] == "ECONOMY (2)"                 # under its own “ECONOMY”
    assert rows["Liberals"][2] is None                       # its nameless folder is gone
    # merged by name: the existing tag keeps its name, key and colour (none given)
    assert rows["Diplomacy"] == (diplomacy_color, "Talks between governments", "Topics")
    assert tags.find_tag(db, "Diplomacy")["shortcut"] == keys["Diplomacy"]
    assert "ECONOMY" not in rows and len(rows) == 9 + 6


@pytest.mark.parametrize("content, message", [
    (b"<CodeBook xmlns='urn:QDA-XML:codebook:1.0'><Codes><Code guid='x' name='A'",
     "not well-formed"),
    (b"""<?xml version="1.0"?><!DOCTYPE CodeBook [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<CodeBook><Codes><Code guid="1" name="&x;" isCodable="true"/></Codes></CodeBook>""",
     "DOCTYPE"),
    ("""<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE CodeBook [<!ENTITY a "aaaa">]>
<CodeBook><Codes><Code guid="1" name="&a;" isCodable="true"/></Codes></CodeBook>"""
     .encode("utf-16"), "DOCTYPE"),
    (b"<CodeBook><Codes><Code name='&undefined;'/></Codes></CodeBook>", "not well-formed"),
    (b"<Project xmlns='urn:QDA-XML:project:1.0'/>", "not a REFI-QDA <CodeBook>"),
    (b"<CodeBook><Codes/></CodeBook>", "holds no codes"),
    (b"\xff\xfe\x00garbage", "not well-formed"),
])
def test_malformed_files_change_nothing(db, tmp_path, capsys, content, message):
    path = tmp_path / "bad.qdc"
    path.write_bytes(content)
    with pytest.raises(CodebookFileError, match=message):
        read_codebook_file(path)
    before = tree(db)
    status, _, err = run(capsys, "codebook", "import", path, "--db", tmp_path / "new.db")
    assert status == 2 and message in err
    assert tree(db) == before


def test_the_files_tree_wins_and_cannot_make_a_loop(nested, tmp_path):
    # stored: Diplomacy > State visits > Royal visits; the file turns it round.
    # Each code's parent is set in file order (parents first), so the tags
    # the file names form its own tree and no loop can arise.
    path = tmp_path / "turned.qdc"
    path.write_text(f"""<CodeBook xmlns="{CODEBOOK_NAMESPACE}"><Codes>
      <Code guid="2" name="Royal visits" isCodable="true">
        <Code guid="3" name="Diplomacy" isCodable="true"/></Code></Codes></CodeBook>""",
                    "utf-8")
    result = apply_codebook(nested, read_codebook_file(path).entries)
    assert result == {"created": [], "updated": ["Royal visits", "Diplomacy"]}
    parents = {r[0]: r[3] for r in tree(nested)}
    assert (parents["Royal visits"], parents["Diplomacy"], parents["State visits"]) == (
        None, "Royal visits", "Diplomacy")


def test_cli_export_format_option_and_empty_codebook(db, tmp_path, capsys):
    db_path = tmp_path / "new.db"
    out_path = tmp_path / "book.xml"
    status, out, _ = run(capsys, "codebook", "export", out_path, "--format", "qdc",
                         "--db", db_path)
    assert status == 0 and out_path.read_bytes().startswith(b'<?xml')
    validate_qdc(out_path.read_bytes())
    with journal.step(db, "Delete every tag"):
        db.execute("DELETE FROM tags")
    status, _, err = run(capsys, "codebook", "export", tmp_path / "none.qdc", "--db", db_path)
    assert status == 2 and "no tags" in err and not (tmp_path / "none.qdc").exists()


def test_import_and_export_through_the_file_menu_then_undo(
        open_window, analysed_db_path, qtbot, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QFileDialog

    window = open_window(analysed_db_path)
    file_menu = window.menuBar().actions()[0].menu()

    def action(text: str):
        return next(a for a in file_menu.actions() if a.text() == text)

    # export: the .qdc filter picks the format (and adds the extension)
    exported = tmp_path / "exported"
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        lambda *a, **k: (str(exported), "REFI-QDA codebook (*.qdc)"))
    action("Export &codebook…").trigger()
    validate_qdc((tmp_path / "exported.qdc").read_bytes())
    # a name typed with .json is JSON whatever the filter
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        lambda *a, **k: (str(tmp_path / "b.json"), "REFI-QDA codebook (*.qdc)"))
    action("Export &codebook…").trigger()
    assert (tmp_path / "b.json").read_text("utf-8").startswith('{')

    path = tmp_path / "other.qdc"
    path.write_text(OTHER_TOOL.replace("""  <qda:Sets>
    <qda:Set guid="42365523-1035-4afa-9e7b-281fe0bc51c5" name="Important">
      <qda:MemberCode guid="12365523-1035-4afa-9e7b-281fe0bc51c5"/>
    </qda:Set>
  </qda:Sets>
""", "").replace('name=""', 'name="Parties"').replace('name="ECONOMY"', 'name="Tax"'),
        "utf-8")
    offered = []

    def open_name(_parent, _title, _folder, filters):
        offered.append(filters)
        return str(path), ""
    monkeypatch.setattr(QFileDialog, "getOpenFileName", open_name)
    before = stored_state(analysed_db_path)
    action("Import c&odebook…").trigger()
    assert "*.qdc" in offered[0] and "*.json" in offered[0]
    db = open_database(analysed_db_path)
    try:
        rows = {r[0]: r[1:] for r in tree(db)}
    finally:
        db.close()
    assert rows["Taxes"][2] == "Tax" and rows["Liberals"][2] == "Parties"
    assert rows["Economy"][2] == "Topics" and rows["Diplomacy"][2] == "Topics"
    assert window.statusBar().currentMessage() == (
        "Codebook imported: 7 tags created, 1 updated.")
    assert window.undo_action.text() == "&Undo Import codebook other.qdc"

    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    window.view.setFocus()
    undo(qtbot, window)
    assert stored_state(analysed_db_path) == before
    db = open_database(analysed_db_path)
    try:
        names = {r[0] for r in tree(db)}
    finally:
        db.close()
    assert not names & {"Topics", "Economy", "Jobs", "Parties", "Liberals", "Tax", "Taxes"}


def test_a_project_export_nests_codes_with_the_same_guids(nested, tmp_path):
    import xml.etree.ElementTree as ET

    from desktop.refi_qda import NAMESPACE
    from export_fixtures import export_qdpx, read_qdpx, validate_qde

    project, _ = read_qdpx(export_qdpx(nested, tmp_path))
    validate_qde(project)
    P = f"{{{NAMESPACE}}}"
    codes = ET.fromstring(project).find(f"{P}CodeBook/{P}Codes")
    [diplomacy] = [c for c in codes if c.get("name") == "Diplomacy"]
    [visits] = diplomacy.findall(P + "Code")
    assert [c.get("name") for c in visits.findall(P + "Code")] == ["Royal visits"]
    qdc_guids = {c.get("name"): c.get("guid") for c in ET.fromstring(qdc_xml(nested)).iter(
        C + "Code")}
    assert {c.get("name"): c.get("guid") for c in codes.iter(P + "Code")} == qdc_guids
    assert b"ns0:" not in project and b"ns0:" not in qdc_xml(nested)
