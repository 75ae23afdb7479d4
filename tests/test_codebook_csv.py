"""Codebook CSV (the one codebook format Taguette reads): export, import,
the CLI and the codebook dialog's file filters, on real files."""

from __future__ import annotations

import csv
import io

import pytest

from desktop.cli import main
from desktop.codebook_csv import parse_codebook_csv, recognise_header
from desktop.codebook_files import FILTERS, format_of, read_codebook_file
from desktop.codebook_json import CodebookFileError
from storage import open_database, tags
from storage.codebook import apply_codebook, codebook_entries


def run(capsys, *argv):
    status = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return status, out, err


def test_export_is_utf8_with_bom_and_round_trips(db, tmp_path, capsys):
    diplomacy = tags.find_tag(db, "Diplomacy")["id"]
    child = tags.create_tag(db, "=Visits, \"state\"", "#123456",
                            description="Line one\nline two 🔍")
    tags.set_parent(db, child, diplomacy)
    db_path = tmp_path / "new.db"
    path = tmp_path / "codebook.csv"
    status, out, _ = run(capsys, "codebook", "export", path, "--db", db_path)
    assert status == 0 and "exported 10 tags" in out
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbfname,description,color,parent\r\n")
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    row = next(r for r in rows if "Visits" in r["name"])
    # a spreadsheet would run "=…" as a formula: an apostrophe, taken off on import
    assert row == {"name": "'=Visits, \"state\"", "description": "Line one\nline two 🔍",
                   "color": "#123456", "parent": "Diplomacy"}
    other = open_database(tmp_path / "other.db")
    apply_codebook(other, read_codebook_file(path).entries)
    def rows(database):
        return sorted((e["name"], e["color"], e["description"], e["parent"])
                      for e in codebook_entries(database))

    assert rows(other) == rows(open_database(db_path))     # keys are not in the CSV
    assert ("=Visits, \"state\"", "#123456", "Line one\nline two 🔍", "Diplomacy") in rows(other)
    other.close()


@pytest.mark.parametrize("text", ["'-isms' and other suffixes", "''=A1", "'@home", "'plain",
                                  "-5 degrees", "it's"])
def test_a_real_leading_apostrophe_survives_the_round_trip(tmp_path, text):
    """A description or name starting with an apostrophe and then = + - @
    used to lose the apostrophe on import."""
    from desktop.codebook_files import export_codebook

    db = open_database(tmp_path / "a.db")
    tags.create_tag(db, text, "#123456", description=text)
    export_codebook(db, tmp_path / "cb.csv")
    other = open_database(tmp_path / "b.db")
    apply_codebook(other, read_codebook_file(tmp_path / "cb.csv").entries)
    assert [(e["name"], e["description"]) for e in codebook_entries(other)] == [(text, text)]
    db.close()
    other.close()


def test_taguette_columns_and_a_cli_import(db, tmp_path, capsys):
    path = tmp_path / "taguette.csv"
    path.write_text("\ufefftag,description,number of highlights,number of documents\r\n"
                    "Diplomacy,New words,3,1\r\nBrand new,,0,0\r\n", encoding="utf-8")
    db_path = tmp_path / "cli.db"
    open_database(db_path).close()
    status, out, _ = run(capsys, "codebook", "import", path, "--db", db_path)
    assert status == 0 and "1 tag created, 1 updated" in out
    stored = open_database(db_path)
    assert tags.find_tag(stored, "Diplomacy")["description"] == "New words"
    assert tags.find_tag(stored, "Brand new") is not None
    stored.close()


def test_an_empty_description_cell_keeps_the_tags_own(db, tmp_path, capsys):
    """A CSV always has the column: an empty cell gives no description, and
    the existing tag's stays (the report said "updated" and it was gone)."""
    ours = tags.find_tag(db, "Drugs")["description"]
    assert ours
    path = tmp_path / "colleague.csv"
    path.write_text("name,description,color\nDrugs,,#000000\nDiplomacy,,\n", encoding="utf-8")
    result = apply_codebook(db, read_codebook_file(path).entries)
    assert result == {"created": [], "updated": ["Drugs"]}
    assert tags.find_tag(db, "Drugs")["description"] == ours
    assert tags.find_tag(db, "Drugs")["color"] == "#000000"
    assert tags.find_tag(db, "Diplomacy")["description"]


@pytest.mark.parametrize("text, message", [
    ("colour\n#123456\n", "no column naming the tags"),
    ("name,color\nA,#12345\n", "not a colour like #a1b2c3"),
    ("name\nA\na\n", "listed twice"),
    ("name,description\r\n", "holds no tags"),
    ("name,description\r\n,orphan description\r\n", "has no name"),
])
def test_bad_csv_codebooks_are_refused(text, message):
    with pytest.raises(CodebookFileError, match=message):
        parse_codebook_csv(text)


def test_a_taguette_highlights_export_is_no_codebook(tmp_path, capsys):
    """Its tag column would have made a codebook of one tag per highlight;
    ``dossier import`` already refused it as articles."""
    from pathlib import Path

    highlights = Path(__file__).resolve().parents[2] / "shared" / "interop" / "taguette" \
        / "taguette_highlights.csv"
    if not highlights.exists():
        highlights = tmp_path / "taguette_highlights.csv"
        highlights.write_text("id,document,tag,content\r\n1,Doc,Scam compounds,words\r\n",
                              encoding="utf-8")
    db_path = tmp_path / "cli.db"
    open_database(db_path).close()
    status, out, err = run(capsys, "codebook", "import", highlights, "--db", db_path)
    assert status == 2 and "Taguette highlights export" in err and "created" not in out
    stored = open_database(db_path)
    assert tags.find_tag(stored, "Scam compounds") is None
    stored.close()


def test_the_dialog_offers_csv_and_recognises_the_extension():
    assert "*.csv" in FILTERS["csv"]
    assert format_of("x.CSV") == "csv" and format_of("x.qdc") == "qdc"


def test_batch_import_says_what_a_codebook_or_highlights_csv_is():
    assert "Taguette highlights" in recognise_header(["id", "document", "tag", "content"])
    assert "Taguette codebook" in recognise_header(
        ["tag", "description", "number of highlights", "number of documents"])
    assert "a codebook" in recognise_header(["name", "description", "color", "parent"])
    assert recognise_header(["title", "content", "tag"]) is None     # articles with a tag
    assert recognise_header(["name", "text"]) is None


def test_the_file_menu_exports_and_imports_csv(open_window, analysed_db_path, tmp_path,
                                                monkeypatch):
    from pathlib import Path

    from PySide6.QtWidgets import QFileDialog

    window = open_window(analysed_db_path)
    file_menu = window.menuBar().actions()[0].menu()

    def action(text: str):
        return next(a for a in file_menu.actions() if a.text() == text)

    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (
        str(tmp_path / "for-taguette"), FILTERS["csv"]))
    action("Export &codebook…").trigger()
    written = (tmp_path / "for-taguette.csv").read_bytes()
    assert written.startswith(b"\xef\xbb\xbfname,description,color,parent\r\n")

    taguette = (Path(__file__).resolve().parent / "data" / "interop" / "taguette"
                / "taguette_codebook.csv")
    offered = []

    def open_name(_parent, _title, _folder, filters):
        offered.append(filters)
        return str(taguette), ""
    monkeypatch.setattr(QFileDialog, "getOpenFileName", open_name)
    action("Import c&odebook…").trigger()
    assert "*.csv" in offered[0] and FILTERS["csv"] in offered[0]
    db = open_database(analysed_db_path)
    try:
        assert tags.find_tag(db, "Cybercrime.Online scams.Romance 💔") is not None
        assert tags.find_tag(db, "interesting")["description"] == "Further review required"
    finally:
        db.close()
    assert window.statusBar().currentMessage().startswith("Codebook imported: 6 tags created")
