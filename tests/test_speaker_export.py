"""Exports say who said it (issue 15): in CSV, JSON Lines, XLSX, HTML and PDF
a passage that is a quote, lies in one or contains quotes carries the
speaker and speaker kind — as the analyst corrected them — and every row
the article's source, author, URL and date. Real SQLite file (the
analysed seeds), files read back."""

from __future__ import annotations

import csv
import json

import pytest

from desktop.exporters import ExportOptions, export_passages
from storage import articles, open_database, quotes, tags
from storage import passages as stored_passages
from storage import speaker_corrections as sc
from storage.export_selection import who_said_it


@pytest.fixture
def tagged(analysed_db_path):
    """The analysed seeds with three passages: a whole quote (corrected to
    another speaker), a few words inside a quote and a sentence with no
    quote, and article details filled in."""
    db = open_database(analysed_db_path)
    am = next(q for q in quotes.all_quotes(db) if q["speaker"] == "Am Sam Ath")
    release = next(q for q in quotes.all_quotes(db) if q["speaker"] == "press release")
    tag_id = tags.list_tags(db)[0]["id"]
    articles.update_details(db, am["article_id"], author="Sok Chea",
                            url="https://example.org/a", source="Khmer Times")
    sc.set_speaker(db, am["article_id"], am["start"], am["end"], "Chak Sopheap", sc.PERSON)
    whole = stored_passages.add_passage(db, article_id=am["article_id"], tag_id=tag_id,
                                        start=am["start"], end=am["end"], analyst="ana")
    part = stored_passages.add_passage(db, article_id=release["article_id"], tag_id=tag_id,
                                       start=release["start"] + 4, end=release["start"] + 20,
                                       analyst="ana")
    text = articles.get_article(db, am["article_id"])["text"]
    plain = stored_passages.add_passage(db, article_id=am["article_id"], tag_id=tag_id,
                                        start=0, end=text.index("\n"), analyst="ana")
    yield db, {"whole": whole, "part": part, "plain": plain}
    db.close()


EXPECTED = {"whole": ("Chak Sopheap", "person"), "part": ("press release", "document"),
            "plain": ("", "")}


def _by_id(rows, ids):
    names = {v: k for k, v in ids.items()}
    return {names[int(r["passage_id"])]: r for r in rows if int(r["passage_id"]) in names}


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_csv_and_jsonl_rows_say_who_said_it_and_where_from(tagged, tmp_path, fmt):
    db, ids = tagged
    path = tmp_path / f"out.{fmt}"
    export_passages(db, path, fmt)
    text = path.read_text(encoding="utf-8")
    rows = (list(csv.DictReader(text.splitlines())) if fmt == "csv"
            else [json.loads(line) for line in text.splitlines()])
    found = _by_id(rows, ids)
    for name, (speaker, kind) in EXPECTED.items():
        assert (found[name]["speaker"], found[name]["speaker_kind"]) == (speaker, kind)
    whole = found["whole"]
    assert (whole["article_source"], whole["article_author"], whole["article_url"]) == (
        "Khmer Times", "Sok Chea", "https://example.org/a")
    assert all("article_published" in r and "article_source" in r for r in rows)
    # undoing the correction shows the analysed speaker again
    from storage import journal
    while journal.undoable(db)["name"] != "Set speaker “Chak Sopheap”":
        journal.undo(db)
    journal.undo(db)
    export_passages(db, tmp_path / f"again.{fmt}", fmt)
    again = (tmp_path / f"again.{fmt}").read_text(encoding="utf-8")
    assert "Chak Sopheap" not in again


def test_xlsx_has_speaker_and_article_columns(tagged, tmp_path):
    from openpyxl import load_workbook

    db, ids = tagged
    export_passages(db, tmp_path / "out.xlsx", "xlsx")
    sheet = load_workbook(tmp_path / "out.xlsx")["Passages"]
    header = [c.value for c in sheet[1]]
    rows = [dict(zip(header, (c.value for c in row))) for row in sheet.iter_rows(min_row=2)]
    found = _by_id(rows, ids)
    for name, (speaker, kind) in EXPECTED.items():
        assert ((found[name]["speaker"] or ""), (found[name]["speaker_kind"] or "")) == (
            speaker, kind)
    assert found["whole"]["article_author"] == "Sok Chea"
    assert found["whole"]["article_url"] == "https://example.org/a"


def test_html_and_pdf_reports_say_who_said_it(tagged, tmp_path, qapp):
    from pypdf import PdfReader

    db, _ids = tagged
    export_passages(db, tmp_path / "out.html", "html")
    html = (tmp_path / "out.html").read_text(encoding="utf-8")
    assert "Said by:</i> Chak Sopheap (person)" in html
    assert "Said by:</i> press release (document)" in html
    assert "Sok Chea" in html and "https://example.org/a" in html
    assert html.count("Said by:") == 2
    export_passages(db, tmp_path / "out.pdf", "pdf", options=ExportOptions(title="Who"))
    text = " ".join(" ".join(page.extract_text().split())
                    for page in PdfReader(tmp_path / "out.pdf").pages)
    assert "Said by: Chak Sopheap (person)" in text and "Sok Chea" in text


def test_who_said_it_joins_several_speakers():
    spoken = [{"start": 10, "end": 20, "speaker": "A", "speaker_kind": "person"},
              {"start": 30, "end": 40, "speaker": "B", "speaker_kind": "organisation"},
              {"start": 50, "end": 60, "speaker": "A", "speaker_kind": "person"}]
    assert who_said_it(0, 100, spoken) == ("A; B", "person; organisation")
    assert who_said_it(12, 15, spoken) == ("A", "person")
    assert who_said_it(15, 35, spoken) == ("", "")      # overlapping two, containing none
