"""Publication dates found at import: datelines, "Published:" lines, file
names, .docx core properties, PDF metadata, e-mail headers; the undated
filter (article list, `dossier list --undated`) and the count of undated
passages a date range leaves out (list, export, the article list's bar)."""

from __future__ import annotations

import json
from datetime import datetime

import pytest
from PySide6.QtCore import Qt

from desktop.cli import main
from desktop.importers import import_files
from desktop.importers.dates import filename_date, metadata_date, text_date
from storage import article_query, articles, open_database, passages, tags
from storage.export_selection import PassageFilter, undated_left_out

from document_files import STORY, email_bytes, pdf_bytes, write_docx


@pytest.mark.parametrize("text, expected", [
    ("Phnom Penh, June 13, 2024: Cambodia and Australia agreed …", "2024-06-13"),
    ("JAKARTA — Friday, May 23, 2025 — Indonesian police said …", "2025-05-23"),
    ("JAKARTA — Friday, May 23, 2025\n\nIndonesian police said …", "2025-05-23"),
    ("PHNOM PENH (Reuters) - June 13, 2024 - Police …", "2024-06-13"),
    ("KUALA LUMPUR, Sept. 3, 2024 (Bernama) -- Police …", "2024-09-03"),
    ("Phnom Penh, 13 June 2024 — The ministry …", "2024-06-13"),
    ("By Hin Pisei\nPublished: 13 June 2024\nThe ministry …", "2024-06-13"),
    ("June 13, 2024 — The ministry said …", "2024-06-13"),
])
def test_datelines_and_published_lines(text, expected):
    assert text_date(text) == expected


@pytest.mark.parametrize("text", [
    "Cambodia and Australia agreed on June 13, 2024 to deepen cooperation.",
    "In June 13, 2024 something happened.",
    "Phnom Penh, February 30, 2024: no such day.",
    "Phnom Penh, 06/07/2024: day or month first?",
    "Phnom Penh, June 13, 1066: far too early.",
    "",
])
def test_no_date_unless_confident(text):
    assert text_date(text) is None


@pytest.mark.parametrize("name, expected", [
    ("2024-06-13-mou.pdf", "2024-06-13"), ("report_20240613.docx", "2024-06-13"),
    ("cambodia-13-June-2024.txt", "2024-06-13"), ("2024.06.13 police.txt", "2024-06-13"),
    ("scan_0001234.pdf", None), ("police 2024.txt", None), ("may-day.txt", None),
    ("526e701a20240613b.txt", None), ("x_20241313.txt", None),
])
def test_dates_in_file_names(name, expected):
    assert filename_date(name) == expected


def test_metadata_dates():
    assert metadata_date("D:20240613093000+07'00'") == "2024-06-13"
    assert metadata_date(datetime(2024, 6, 13, 9, 30)) == "2024-06-13"
    assert metadata_date(datetime(2013, 12, 23, 23, 15)) is None   # python-docx's template
    assert metadata_date("D:18000101") is None and metadata_date("junk") is None


def _published(db_path, name):
    db = open_database(db_path)
    row = db.execute("SELECT published FROM articles WHERE filename = ?", [name]).fetchone()
    return row[0]


def test_imported_files_are_dated_where_they_say(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "dateline.txt").write_text(
        "Police step up\n\nJAKARTA — Friday, May 23, 2025 — " + STORY, "utf-8")
    (folder / "2024-03-02 briefing.txt").write_text("Briefing\n\n" + STORY + " Two.",
                                                    "utf-8")
    (folder / "undated.txt").write_text("Nothing dated\n\n" + STORY + " Three.", "utf-8")
    word = write_docx(folder / "word.docx", [STORY + " Four."])
    import docx
    document = docx.Document(str(word))
    document.core_properties.created = datetime(2024, 1, 5, 10, 0)
    document.save(str(word))
    write_docx(folder / "template-dated.docx", [STORY + " Five."])   # 2013 template date
    (folder / "paper.pdf").write_bytes(pdf_bytes([[STORY[:60], "Six."]],
                                                 metadata={"/CreationDate": "D:20231109"}))
    (folder / "mail.eml").write_bytes(email_bytes(
        subject="Police news", sender="desk@example.org",
        date="Tue, 11 Jun 2024 08:00:00 +0700", text=STORY + " Seven."))
    (folder / "2024-03-02 but dateline.txt").write_text(
        "Both\n\nPhnom Penh, June 13, 2024: " + STORY + " Eight.", "utf-8")
    db = open_database(tmp_path / "d.db")
    report = import_files(db, [folder])
    assert not report.skipped and len(report.added) == 8
    found = {r["filename"]: r["published"] for r in db.query(
        "SELECT filename, published FROM articles")}
    assert found == {
        "dateline.txt": "2025-05-23", "2024-03-02 briefing.txt": "2024-03-02",
        "undated.txt": None, "word.docx": "2024-01-05", "template-dated.docx": None,
        "paper.pdf": "2023-11-09", "mail.eml": "2024-06-11",
        "2024-03-02 but dateline.txt": "2024-06-13"}     # the text wins over the name


def _two_articles_one_undated(db):
    one, _ = articles.add_article(db, title="Dated", text="Police met in June.",
                                  published="2024-06-13")
    two, _ = articles.add_article(db, title="Undated", text="Police met again.")
    tag_id = tags.find_tag(db, "Drugs")["id"]
    for article_id in (one, two, two):
        passages.add_passage(db, article_id=article_id, tag_id=tag_id, start=0, end=6,
                             analyst="a")
    return one, two


def test_undated_filter_and_counts(db):
    one, two = _two_articles_one_undated(db)
    undated = article_query.ArticleQuery(undated=True)
    assert article_query.count_articles(db, undated) == 1
    assert [r["id"] for r in article_query.article_page(db, undated, 0, 10)] == [two]
    ranged = article_query.ArticleQuery(since="2024-01-01")
    assert article_query.count_articles(db, ranged) == 1
    assert article_query.undated_left_out(db, ranged) == 1
    assert article_query.undated_left_out(db, article_query.ArticleQuery()) == 0
    assert undated_left_out(db, PassageFilter(since="2024-01-01")) == 2
    assert undated_left_out(db, PassageFilter(since="2024-01-01", tags=("Diplomacy",))) == 0
    assert undated_left_out(db, PassageFilter(since="2024-01-01", date_of="tagged")) == 0
    assert undated_left_out(db, PassageFilter()) == 0


def test_cli_list_undated_and_export_say_what_was_left_out(tmp_path, capsys):
    path = tmp_path / "c.db"
    db = open_database(path)
    from desktop.first_run import ensure_codebook
    ensure_codebook(db)
    one, two = _two_articles_one_undated(db)
    db.close()
    assert main(["list", "--undated", "--json", "--db", str(path)]) == 0
    assert [a["id"] for a in json.loads(capsys.readouterr().out)] == [two]
    assert main(["list", "--since", "2024-01-01", "--json", "--db", str(path)]) == 0
    out, err = capsys.readouterr()
    assert [a["id"] for a in json.loads(out)] == [one]
    assert "left out 1 undated article" in err
    assert main(["export", "--format", "csv", "-o", str(tmp_path / "o.csv"), "--since",
                 "2024-01-01", "--db", str(path)]) == 0
    out, err = capsys.readouterr()
    assert "exported 1 passage" in out
    assert "2 passages of undated articles were left out" in err


def test_article_list_undated_box_and_left_out_note(open_window, seeded_db_path, qtbot):
    db = open_database(seeded_db_path)       # seeds 1-4 have no date; 5 has a dateline
    articles.update_details(db, 1, published="2024-05-01")
    db.close()
    window = open_window(seeded_db_path)
    bar = window.article_filters
    bar.filters_button.click()
    bar.since.setFocus()
    qtbot.keyClicks(bar.since, "2000-01-01")
    qtbot.keyClick(bar.since, "\r")
    qtbot.waitUntil(lambda: bar.undated_label.isVisible(), timeout=5000)
    assert "3 undated left out" in bar.undated_label.text()
    assert window.article_list.list_model.rowCount() == 2
    qtbot.mouseClick(bar.undated, Qt.MouseButton.LeftButton)
    assert bar.undated.isChecked() and not bar.since.isEnabled()
    model = window.article_list.list_model
    qtbot.waitUntil(lambda: model.rowCount() == 3, timeout=5000)
    assert sorted(model.article(i)["id"] for i in range(3)) == [2, 3, 4]
    assert not bar.undated_label.isVisible()


@pytest.mark.parametrize("value, dayfirst, expected", [
    ("2024", None, None),                   # no day, no month: none is made up
    ("June 2024", None, None),
    ("2024-06", None, None),
    ("31/02/2024", None, None),
    ("03.06.2024", None, "2024-06-03"),     # dots: day first, as written where used
    ("01/06/2024", None, "2024-01-06"),     # slashes: month first unless the file says
    ("01/06/2024", True, "2024-06-01"),
    ("13/06/2024", None, "2024-06-13"),
    ("June 3, 2024", None, "2024-06-03"),
    ("Mon, 17 Jun 2024 08:30:00 +0700", None, "2024-06-17"),
])
def test_batch_dates_are_read_not_made_up(value, dayfirst, expected):
    from desktop.importers.drafts import iso_date
    assert iso_date(value, dayfirst=dayfirst) == expected


def test_a_csv_date_column_is_read_day_first_when_any_row_says_so(tmp_path):
    """A new user's walk: 01/06/2024 became 6 January in a file whose other
    rows (13/06/2024 …) are plainly day first."""
    path = tmp_path / "wire.csv"
    rows = ["title,date,text"] + [f"Story {day},{day:02d}/06/2024,Police said story {day} "
                                  f"was about a raid on a compound." for day in (1, 5, 13, 30)]
    rows.append("Story x,2024,Police said the last story had no day.")
    path.write_text("\n".join(rows) + "\n", "utf-8")
    db = open_database(tmp_path / "d.db")
    import_files(db, [path])
    dates = {a["title"]: a["published"] for a in articles.list_articles(db)}
    assert dates == {"Story 1": "2024-06-01", "Story 5": "2024-06-05",
                     "Story 13": "2024-06-13", "Story 30": "2024-06-30", "Story x": None}


def test_dates_that_cannot_be_read_are_counted_in_the_report(tmp_path):
    """Stored undated, as documented, but said (the interop walk: 31/02/2024,
    2024 and "not a date" went without a word)."""
    path = tmp_path / "wire.csv"
    rows = ["title,date,text", "Good,2024-06-13,Police raided a compound in Poipet.",
            "Bad day,31/02/2024,Customs found cash at the border.",
            "Year only,2024,A court heard the fraud case.",
            "Words,not a date,An envoy met the minister.",
            "No date,,The ministry issued a statement.",
            "More,32/13/2024,Officers arrested three suspects.",
            "Bad day,31/02/2024,Customs found cash at the border."]      # already present
    path.write_text("\n".join(rows) + "\n", "utf-8")
    db = open_database(tmp_path / "d.db")
    report = import_files(db, [path])
    assert report.unread_dates == 4 and report.unread_examples == ["31/02/2024", "2024",
                                                                   "not a date"]
    assert ", 4 dates not read (stored undated: “31/02/2024”, “2024”, “not a date”, …)" \
        in report.summary()
