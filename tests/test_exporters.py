"""Each export format, read back and checked against what is stored."""

from __future__ import annotations

import csv
import io
import json
import os

import pytest

from desktop.exporters import ExportCancelled, ExportOptions, export_passages, format_for
from desktop.exporters.base import xml_safe
from storage import articles
from storage.export_selection import PassageFilter

from export_fixtures import (SECOND_TEXT, TRICKY_TEXT, TRICKY_TITLE,  # noqa: F401
                             add_joined_consensus, tricky, tricky_db_path)


def export(db, tmp_path, fmt, name=None, **kwargs):
    path = tmp_path / (name or f"out.{fmt}")
    result = export_passages(db, path, fmt, **kwargs)
    return path, result


def test_format_for_file_names():
    assert format_for("a.CSV") == "csv" and format_for("a.ndjson") == "jsonl"
    assert format_for("x.qdpx") == "qdpx" and format_for("x.jsonld") == "w3c"
    assert format_for("x.spacy") == "spacy" and format_for("x.htm") == "html"
    assert format_for("x.txt") is None


def test_csv_quotes_newlines_formulas_and_code_points(tricky, tmp_path):
    path, result = export(tricky, tmp_path, "csv")
    raw = path.read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8"), newline="")))
    assert result.count == len(rows) == 7
    first = rows[0]
    assert first["text"] == 'said "we will not back down",\nthen left 😀'
    assert TRICKY_TEXT[int(first["start"]):int(first["end"])] == first["text"]
    assert first["note"] == 'Check "exact" wording,\nsee =1+1 and \x0b.'
    assert first["article_title"] == TRICKY_TITLE and first["article_published"] == "2024-05-01"
    by_text = {r["text"]: r for r in rows}
    # would-be formulas get an apostrophe; offsets still point at the real text
    formula = by_text["'=SUM(A1:A9)"]
    assert formula["note"] == "'@risky"
    assert TRICKY_TEXT[int(formula["start"]):int(formula["end"])] == "=SUM(A1:A9)"
    assert by_text["مرحبا بالعالم"]["note"] == "تحية"


def test_csv_with_bom_for_excel(tricky, tmp_path):
    path, _ = export(tricky, tmp_path, "csv", options=ExportOptions(bom=True))
    assert path.read_bytes().startswith(b"\xef\xbb\xbfpassage_id,")
    with path.open(encoding="utf-8-sig", newline="") as handle:
        assert len(list(csv.DictReader(handle))) == 7


def test_jsonl_keeps_every_value_exactly(tricky, tmp_path):
    path, _ = export(tricky, tmp_path, "jsonl", filter=PassageFilter(tags=("Claim to verify",)))
    rows = [json.loads(line) for line in path.read_text("utf-8").splitlines()]
    assert [r["text"] for r in rows] == ["=SUM(A1:A9)", "Control\x0bcharacters\x1fhere"]
    for row in rows:
        assert TRICKY_TEXT[row["start"]:row["end"]] == row["text"]
        assert isinstance(row["start"], int)


def test_xlsx_has_passages_and_tags_sheets(tricky, tmp_path):
    from openpyxl import load_workbook

    path, result = export(tricky, tmp_path, "xlsx")
    book = load_workbook(path)
    assert book.sheetnames == ["Passages", "Tags"]
    sheet = book["Passages"]
    header = [c.value for c in sheet[1]]
    rows = [dict(zip(header, (c.value for c in row))) for row in sheet.iter_rows(min_row=2)]
    assert result.count == len(rows) == 7
    by_start = {r["start"]: r for r in rows}
    formula = by_start[TRICKY_TEXT.index("=SUM")]
    # a string cell, not a formula, and not prefixed either
    assert formula["text"] == "=SUM(A1:A9)" and formula["note"] == "@risky"
    assert sheet.cell(rows.index(formula) + 2, header.index("text") + 1).data_type == "s"
    control = by_start[TRICKY_TEXT.index("Control")]
    assert control["text"] == "Control characters here"  # one space each: same length
    assert len(control["text"]) == control["end"] - control["start"]
    first = by_start[TRICKY_TEXT.index("said")]
    assert first["text"] == 'said "we will not back down",\nthen left 😀'
    assert first["note"] == 'Check "exact" wording,\nsee =1+1 and  .'
    # dates are Excel dates, not text: a day, and a time in UTC
    from datetime import date, datetime
    assert first["article_published"] == datetime(2024, 5, 1)    # openpyxl reads days back as midnight
    assert isinstance(first["created_at"], datetime)
    column = header.index("article_published") + 1
    assert sheet.cell(rows.index(first) + 2, column).number_format == "yyyy-mm-dd"
    assert date.today().year - first["created_at"].year <= 1
    tags_sheet = book["Tags"]
    tag_rows = {r[0].value: r for r in tags_sheet.iter_rows(min_row=2)}
    assert len(tag_rows) == 9
    assert [c.value for c in next(tags_sheet.iter_rows(max_row=1))] == [
        "tag", "parent", "color", "key", "description", "passages"]
    diplomacy = tag_rows["Diplomacy"]
    assert diplomacy[1].value is None                     # a top-level tag
    assert diplomacy[2].value == "#1c71d8"
    assert diplomacy[2].fill.start_color.rgb.endswith("1C71D8")
    assert diplomacy[5].value == 1


def test_w3c_annotations(tricky, tmp_path):
    path, result = export(tricky, tmp_path, "w3c", name="out.jsonld")
    data = json.loads(path.read_text("utf-8"))
    assert data["@context"][0] == "http://www.w3.org/ns/anno.jsonld"
    assert data["type"] == "AnnotationCollection" and data["total"] == result.count == 7
    items = data["first"]["items"]
    first = items[0]
    assert first["type"] == "Annotation" and first["id"].startswith("urn:uuid:")
    quote, position = first["target"]["selector"]
    assert quote["type"] == "TextQuoteSelector" and position["type"] == "TextPositionSelector"
    assert quote["exact"] == TRICKY_TEXT[position["start"]:position["end"]]
    assert quote["exact"].endswith("😀")  # positions are code points, not UTF-16 units
    assert TRICKY_TEXT[:position["start"]].endswith(quote["prefix"])
    assert TRICKY_TEXT[position["end"]:].startswith(quote["suffix"])
    # anchoring libraries of the Hypothesis lineage refuse prefixes/suffixes over 32
    quotes = [item["target"]["selector"][0] for item in items]
    assert all(len(q[side].encode("utf-16-le")) <= 64 for q in quotes
               for side in ("prefix", "suffix"))
    assert max(len(q["prefix"]) for q in quotes) == 32
    assert max(len(q["suffix"]) for q in quotes) == 32
    assert first["target"]["source"] == (
        f"urn:dossier:article:{articles.get_article(tricky, 1)['text_hash']}")
    assert first["body"] == [
        {"type": "TextualBody", "purpose": "tagging", "value": "Diplomacy"},
        {"type": "TextualBody", "purpose": "commenting", "format": "text/plain",
         "value": 'Check "exact" wording,\nsee =1+1 and \x0b.'}]
    assert first["creator"] == {"type": "Person", "name": "ana"}
    assert first["created"].startswith("20")
    last = items[-1]
    assert last["target"]["source"] == "https://example.org/news/raid"
    assert [b["purpose"] for b in last["body"]] == ["tagging"]
    # ids are stable across exports
    again, _ = export(tricky, tmp_path, "w3c", name="again.jsonld")
    assert [i["id"] for i in json.loads(again.read_text("utf-8"))["first"]["items"]] == [
        i["id"] for i in items]


def test_spacy_docbin_has_spans_and_entities(analysed_db_path, tmp_path):
    import spacy
    from spacy.tokens import DocBin

    from storage import open_database, passages, tags

    db = open_database(analysed_db_path)
    text = articles.get_article(db, 1)["text"]
    start = text.index("Neth Savoeun")
    passages.add_passage(db, article_id=1, tag_id=tags.find_tag(db, "Diplomacy")["id"],
                         start=start + 2, end=start + 12, analyst="ana")  # mid-token start
    path, result = export(db, tmp_path, "spacy")
    db.close()
    assert result.count == 1 and not result.warnings
    [doc] = DocBin().from_bytes(path.read_bytes()).get_docs(spacy.blank("en").vocab)
    assert doc.text == text and doc.user_data["dossier_article_id"] == 1
    [span] = doc.spans["dossier"]
    assert (span.label_, span.text, span.start_char) == ("Diplomacy", "Neth Savoeun", start)
    assert len(doc.ents) > 5 and "PERSON" in {e.label_ for e in doc.ents}
    assert all(a.end <= b.start for a, b in zip(doc.ents, doc.ents[1:]))


def test_spacy_docbin_keeps_astral_and_rtl_offsets(tricky, tmp_path):
    import spacy
    from spacy.tokens import DocBin

    path, result = export(tricky, tmp_path, "spacy")
    assert result.count == 7
    docs = list(DocBin().from_bytes(path.read_bytes()).get_docs(spacy.blank("en").vocab))
    assert [d.user_data["dossier_article_id"] for d in docs] == [1, 2]  # tagged articles only
    spans = {s.text: s for s in docs[0].spans["dossier"]}
    assert spans['said "we will not back down",\nthen left 😀'].label_ == "Diplomacy"
    assert spans["مرحبا بالعالم"].label_ == "Key quote"
    assert spans["שלום עולם"].start_char == TRICKY_TEXT.index("שלום")
    assert not docs[0].ents  # not analysed: no entities


def test_spacy_reports_passages_that_cannot_align():
    import spacy

    from desktop.exporters.spacy_docbin import article_doc

    warnings = []
    row = {"passage_id": 9, "start": 3, "end": 99, "tag": "Drugs"}
    doc, aligned = article_doc(spacy.blank("en"), {"id": 1, "title": "Short", "text": "Too short."},
                               [row], [], warnings)
    assert aligned == 0 and not doc.spans["dossier"]
    assert "passage 9" in warnings[0] and "Short" in warnings[0]


def test_w3c_names_who_decided_a_consensus_passage(tricky, tmp_path):
    """The creator says only "consensus"; who decided it was left out."""
    add_joined_consensus(tricky)
    path, _ = export(tricky, tmp_path, "w3c", name="out.jsonld")
    items = json.loads(path.read_text("utf-8"))["first"]["items"]
    [decided] = [i for i in items if i["creator"]["name"] == "consensus"]
    assert decided["dossier:decidedBy"] == "carla; dan"
    assert not [i for i in items if i is not decided and "dossier:decidedBy" in i]


def test_html_and_pdf_reports_name_who_decided_a_consensus_passage(tricky, tmp_path, qapp):
    from pypdf import PdfReader

    add_joined_consensus(tricky)
    page = export(tricky, tmp_path, "html")[0].read_text("utf-8")
    assert "consensus (decided by carla; dan) · " in page
    path, _ = export(tricky, tmp_path, "pdf")
    text = " ".join(" ".join(p.extract_text().split()) for p in PdfReader(path).pages)
    assert "consensus (decided by carla; dan)" in text


def test_html_report_groups_by_tag_and_escapes(tricky, tmp_path):
    path, result = export(tricky, tmp_path, "html", options=ExportOptions(title="Q2 <review>"))
    page = path.read_text("utf-8")
    assert result.count == 7
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<title>Q2 &lt;review&gt;</title>" in page
    assert "&lt;b&gt;bold?&lt;/b&gt;" in page
    assert "\x0b" not in page and "\x1f" not in page and "Control characters here" in page
    # codebook order: Cybercrime (key 1) … Claim to verify (8), Key quote (9)
    order = [page.index(f">{name} <span") for name in
             ("Cybercrime", "Diplomacy", "Claim to verify", "Key quote")]
    assert order == sorted(order)
    # the passage in context, with the note and the date
    assert ("The minister " in page and "said &quot;we will not back down&quot;,\nthen left 😀"
            in page and " the room." in page)
    assert "Check &quot;exact&quot; wording" in page and "2024-05-01" in page
    assert 'dir="rtl"' in page


def test_pdf_report(tricky, tmp_path, qapp):
    from pypdf import PdfReader

    path, result = export(tricky, tmp_path, "pdf", options=ExportOptions(title="Weekly review"))
    assert path.read_bytes().startswith(b"%PDF")
    assert result.count == 7
    text = " ".join(" ".join(page.extract_text().split()) for page in PdfReader(path).pages)
    for expected in ("Weekly review", "Diplomacy", "Scam compound raid", "scam compound raid",
                     "<script>alert(1)</script>", "Check \"exact\" wording"):
        assert expected in text


# Run in a child process: the file-size limit that stands for a full disk
# must not truncate the shared bytecode caches or font caches (hence -B and
# a private XDG_CACHE_HOME), and it is set only once everything is loaded.
_FULL_DISK_EXPORT = """
import json, resource, sys
from desktop.exporters import export_passages
from desktop.exporters.pdf_report import ensure_gui_application
from storage import open_database

ensure_gui_application()
db = open_database(sys.argv[1])
soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
resource.setrlimit(resource.RLIMIT_FSIZE, (int(sys.argv[3]), hard))
try:
    export_passages(db, sys.argv[2], "pdf")
    outcome = "exported"
except OSError as error:
    outcome = error.strerror
resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
print(json.dumps(outcome))
"""


def test_a_pdf_export_on_a_full_disk_fails_and_keeps_the_old_file(tricky_db_path, tmp_path):
    """QPdfWriter ignored failed writes: a disk that filled up mid-PDF gave a
    reported success and a truncated PDF renamed over the old file."""
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    target = tmp_path / "report.pdf"
    target.write_bytes(b"old")
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1", PYTHONPATH=str(root),
               XDG_CACHE_HOME=str(tmp_path / "cache"), QT_QPA_PLATFORM="offscreen")
    child = subprocess.run(
        [sys.executable, "-B", "-c", _FULL_DISK_EXPORT, str(tricky_db_path), str(target),
         "8000"], env=env, cwd=root, capture_output=True, text=True, timeout=120)
    assert child.returncode == 0, child.stderr
    assert json.loads(child.stdout.splitlines()[-1]) == "File too large"
    assert target.read_bytes() == b"old"
    assert not [name for name in os.listdir(tmp_path) if name.startswith(".dossier-export-")]


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "qdpx", "spacy", "html"])
def test_a_cancelled_export_leaves_no_file(tricky, tmp_path, fmt):
    target = tmp_path / f"out.{fmt}"
    target.write_bytes(b"old")
    with pytest.raises(ExportCancelled):
        export_passages(tricky, target, fmt, is_cancelled=lambda: True)
    assert target.read_bytes() == b"old"
    assert not [name for name in os.listdir(tmp_path) if name.startswith(".dossier-export-")]


def test_progress_is_reported(tricky, tmp_path):
    seen = []
    export(tricky, tmp_path, "jsonl", on_progress=lambda done, total: seen.append((done, total)))
    assert seen[-1] == (7, 7)


def test_xml_safe_keeps_length():
    assert xml_safe("a\x0bb\x1fc\x00d\ufffe") == "a b c d "
    assert xml_safe("tab\tnew\nline\rok") == "tab\tnew\nline\rok"


def test_filters_reach_every_format(tricky, tmp_path):
    only_bo = PassageFilter(analysts=("bo",))
    for fmt in ("csv", "jsonl", "xlsx", "w3c", "spacy", "html", "qdpx"):
        _, result = export(tricky, tmp_path, fmt, filter=only_bo)
        assert result.count == 1, fmt
    path, _ = export(tricky, tmp_path, "jsonl", filter=only_bo, name="bo.jsonl")
    assert json.loads(path.read_text("utf-8"))["text"] == "scam compound raid"
    assert SECOND_TEXT.index("scam compound raid") == json.loads(
        path.read_text("utf-8"))["start"]


def test_w3c_quote_context_counts_utf16_units_and_never_halves_a_character():
    from desktop.exporters.web_annotation import quote_context

    prefix, suffix = quote_context("x" * 40 + "😀" * 3 + "a" * 26, "b" * 29 + "😀" * 3)
    assert prefix == "😀" * 3 + "a" * 26         # 32 units: 3 × 2 + 26
    assert suffix == "b" * 29 + "😀"              # a second emoji would make 33
    assert quote_context("short", "") == ("short", "")


def test_rows_carry_stable_ids_that_join_copies(tricky, tmp_path):
    """Row numbers differ from copy to copy; the uuids and the text hash do
    not (house rule: rows that leave the machine carry stable ids)."""
    from openpyxl import load_workbook

    stored = {row["id"]: row for row in tricky.query(
        "SELECT p.id, p.uuid, a.uuid AS article_uuid, t.uuid AS tag_uuid, a.text_hash "
        "FROM passages p JOIN articles a ON a.id = p.article_id JOIN tags t ON t.id = p.tag_id")}
    csv_path, _ = export(tricky, tmp_path, "csv")
    jsonl_path, _ = export(tricky, tmp_path, "jsonl")
    xlsx_path, _ = export(tricky, tmp_path, "xlsx")
    with csv_path.open(encoding="utf-8", newline="") as handle:
        from_csv = list(csv.DictReader(handle))
    from_jsonl = [json.loads(line) for line in jsonl_path.read_text("utf-8").splitlines()]
    sheet = load_workbook(xlsx_path).worksheets[0]
    header = [cell.value for cell in sheet[1]]
    from_xlsx = [dict(zip(header, (c.value for c in row))) for row in sheet.iter_rows(min_row=2)]
    for rows in (from_csv, from_jsonl, from_xlsx):
        assert len(rows) == len(stored) == 7
        for row in rows:
            truth = stored[int(row["passage_id"])]
            assert row["passage_uuid"] == truth["uuid"] and len(truth["uuid"]) == 36
            assert row["article_uuid"] == truth["article_uuid"]
            assert row["tag_uuid"] == truth["tag_uuid"]
            assert row["article_hash"] == truth["text_hash"]


def test_xlsx_tags_sheet_keeps_the_codebook_tree(tricky, tmp_path):
    """A new user's walk: the Tags sheet had no parent, so the tree was lost."""
    from openpyxl import load_workbook

    from storage import tags

    parent = tags.find_tag(tricky, "Diplomacy")["id"]
    child = tags.create_tag(tricky, "State visits", "#123456")
    tags.set_parent(tricky, child, parent)
    path, _result = export(tricky, tmp_path, "xlsx")
    rows = {r[0].value: r[1].value for r in load_workbook(path)["Tags"].iter_rows(min_row=2)}
    assert rows["State visits"] == "Diplomacy" and rows["Diplomacy"] is None
