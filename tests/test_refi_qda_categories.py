"""REFI-QDA categories (``isCodable="false"``) through Dossier and back:
QualCoder's own files (tests/data/interop/qualcoder, see its README) come in
with their category a category, a category with codings (which other tools
may write) becomes a tag so no coding is lost, and the ``.qdpx``, ``.qdc``
and JSON exports say ``isCodable="false"`` / ``"codable": false`` again —
the XML valid against the standard's schemas. Real SQLite files."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pytest

from desktop.codebook_files import export_codebook, read_codebook_file
from desktop.refi_qda import NAMESPACE
from desktop.refi_qda.codebook import CODEBOOK_NAMESPACE
from desktop.refi_qda.import_project import import_qdpx
from storage import open_database, passages, tags
from storage.codebook import apply_codebook
from tests.export_fixtures import export_qdpx, read_qdpx, validate_qde
from tests.test_codebook_qdc import validate_qdc

QUALCODER = Path(__file__).resolve().parent / "data" / "interop" / "qualcoder"
EXPECTED = json.loads((QUALCODER / "expected.json").read_text(encoding="utf-8"))
CATEGORY = EXPECTED["categories"][0]["name"]            # "Crime types"
CODES = {code["name"] for code in EXPECTED["codes"]}
Q, C = f"{{{NAMESPACE}}}", f"{{{CODEBOOK_NAMESPACE}}}"


@pytest.fixture
def fresh(tmp_path):
    db = open_database(tmp_path / "categories.db")
    yield db
    db.close()


def codable(db) -> dict[str, int]:
    return {t["name"]: t["codable"] for t in tags.list_tags(db)}


def is_codable(root, prefix: str) -> dict[str, str]:
    return {c.get("name"): c.get("isCodable") for c in root.iter(prefix + "Code")}


@pytest.mark.parametrize("name", ["made_by_qualcoder.qdpx", "made_by_qualcoder_maxqda_crlf.qdpx"])
def test_qualcoders_category_comes_in_as_a_category(fresh, name):
    report = import_qdpx(fresh, QUALCODER / name)
    assert codable(fresh) == {CATEGORY: 0, **{code: 1 for code in CODES}}
    assert tags.find_tag(fresh, CATEGORY)["shortcut"] is None      # keys are for tagging
    assert report.passages_added == 7 and report.warnings == []


def test_qualcoders_codebook_file_brings_its_category_as_a_category(fresh):
    found = read_codebook_file(QUALCODER / "Codebook-made_by_qualcoder.qdc")
    assert [e["name"] for e in found.entries if e.get("codable") is False] == [CATEGORY]
    apply_codebook(fresh, found.entries)
    assert codable(fresh) == {CATEGORY: 0, **{code: 1 for code in CODES}}


def test_a_round_trip_keeps_the_category_a_category(fresh, tmp_path):
    import_qdpx(fresh, QUALCODER / "made_by_qualcoder.qdpx")

    project, _ = read_qdpx(export_qdpx(fresh, tmp_path))
    validate_qde(project)
    root = ET.fromstring(project)
    assert is_codable(root, Q) == {CATEGORY: "false", **{code: "true" for code in CODES}}
    [category] = [c for c in root.iter(Q + "Code") if c.get("name") == CATEGORY]
    assert [c.get("name") for c in category.findall(Q + "Code")] == ["Fraud & scams"]
    # and into another database: still a category, still holding its codes
    back = open_database(tmp_path / "back.db")
    import_qdpx(back, export_qdpx(fresh, tmp_path, "again.qdpx"))
    assert codable(back) == codable(fresh)
    assert tags.find_tag(back, "Fraud & scams")["parent_id"] == tags.find_tag(back, CATEGORY)["id"]
    back.close()

    qdc = tmp_path / "codebook.qdc"
    export_codebook(fresh, qdc)
    validate_qdc(qdc.read_bytes())
    assert is_codable(ET.fromstring(qdc.read_bytes()), C) == {
        CATEGORY: "false", **{code: "true" for code in CODES}}

    as_json = tmp_path / "codebook.json"
    export_codebook(fresh, as_json)
    entries = {e["name"]: e for e in json.loads(as_json.read_text("utf-8"))["tags"]}
    assert entries[CATEGORY]["codable"] is False
    assert all("codable" not in entries[code] for code in CODES)
    other = open_database(tmp_path / "other.db")
    apply_codebook(other, read_codebook_file(as_json).entries)
    assert codable(other) == codable(fresh)
    other.close()


# Another tool's project whose category holds a coding of its own.
CODED_CATEGORY = """<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="Coded category">
  <CodeBook><Codes>
    <Code guid="5215cc69-b628-4e02-afb9-9beeaee55808" name="Topics" isCodable="false">
      <Code guid="d7aa29da-519b-4946-9b90-253b6db8fd0a" name="Economy" isCodable="true"/>
    </Code>
    <Code guid="0dcef2f5-e55c-49da-8c33-9b0803c7aeb4" name="Places" isCodable="false"/>
  </Codes></CodeBook>
  <Sources>
    <TextSource guid="11111111-2222-3333-4444-555555555555" name="Inline text">
      <PlainTextContent>Jobs and taxes. Doctors too.</PlainTextContent>
      <PlainTextSelection guid="21111111-2222-3333-4444-555555555555" startPosition="0"
          endPosition="14" name="Jobs and taxes">
        <Coding guid="31111111-2222-3333-4444-555555555555">
          <CodeRef targetGUID="5215cc69-b628-4e02-afb9-9beeaee55808"/></Coding>
        <Coding guid="41111111-2222-3333-4444-555555555555">
          <CodeRef targetGUID="d7aa29da-519b-4946-9b90-253b6db8fd0a"/></Coding>
      </PlainTextSelection>
    </TextSource>
  </Sources>
</Project>"""


def test_a_category_with_codings_becomes_a_tag_and_keeps_them(fresh, tmp_path):
    path = tmp_path / "coded.qdpx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("project.qde", CODED_CATEGORY)
    report = import_qdpx(fresh, path)
    assert report.passages_added == 2
    assert sorted((p["tag"], p["text"]) for p in passages.export_rows(fresh)) == [
        ("Economy", "Jobs and taxes"), ("Topics", "Jobs and taxes")]
    assert codable(fresh) == {"Topics": 1, "Economy": 1, "Places": 0}
    assert report.warnings == [("the category “Topics” has codings in the file: it was made "
                                "a tag used for tagging, so that they are kept")]
