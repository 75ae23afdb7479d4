"""Importing every supported format from real files: stored text, metadata,
and the report, including broken and hostile files."""

from __future__ import annotations

import csv
import json
import sqlite3
import zipfile

import pytest

from desktop import near_duplicates
from desktop.importers import file_bytes, import_files
from desktop.importers.drafts import iso_date
from storage import articles, open_database

from document_files import (SECOND, STORY, WEB_PAGE, email_bytes, pdf_bytes, write_docx,
                            write_encrypted_docx)


def only_article(db, report):
    assert report.skipped == [] and len(report.added) == 1, report
    return articles.get_article(db, report.added[0][1])


def reasons(report) -> dict[str, str]:
    return {label.rsplit("/", 1)[-1]: reason for label, reason in report.skipped}


# -- web pages ---------------------------------------------------------------

def test_web_page_body_and_metadata_without_navigation_ads_or_related(tmp_path, db):
    path = tmp_path / "police.html"
    path.write_text(WEB_PAGE, encoding="utf-8")
    article = only_article(db, import_files(db, [path]))
    assert article["title"] == "Cambodia and Australia deepen police cooperation"
    assert article["source"] == "The Phnom Penh Post"
    assert article["author"] == "Hin Pisei"
    assert article["published"] == "2024-06-17"
    assert article["url"] == "https://www.phnompenhpost.com/national/police-cooperation"
    assert article["filename"] == "police.html"
    assert article["text"].startswith(STORY + "\n\n" + SECOND + "\n\n“Both sides")
    for furniture in ("Subscribe", "Home", "Hun Sen", "BYD", "Related", "Copyright"):
        assert furniture not in article["text"]


def test_web_page_in_cp1252_declared_in_meta(tmp_path, db):
    page = WEB_PAGE.replace('charset="utf-8"', 'charset="windows-1252"')
    path = tmp_path / "legacy.htm"
    path.write_bytes(page.encode("cp1252"))
    assert "“Both sides" in only_article(db, import_files(db, [path]))["text"]


@pytest.mark.parametrize("label", ["iso-8859-1", "latin1"])
def test_web_page_declared_latin1_or_ascii_keeps_its_windows_1252_quotes(tmp_path, db,
                                                                          label):
    # browsers read these labels as windows-1252 (WHATWG), and pages rely on it
    page = WEB_PAGE.replace('charset="utf-8"', f'charset="{label}"')
    path = tmp_path / "legacy.htm"
    path.write_bytes(page.encode("cp1252"))
    assert "“Both sides" in only_article(db, import_files(db, [path]))["text"]


def test_web_page_without_a_body_is_skipped(tmp_path, db):
    path = tmp_path / "empty.html"
    path.write_text("<html><head><title>Nothing here</title></head></html>", "utf-8")
    report = import_files(db, [path])
    assert reasons(report) == {"empty.html": "no article text found in the page"}
    assert articles.article_count(db) == 0


# -- Word --------------------------------------------------------------------

def test_docx_paragraphs_heading_and_table(tmp_path, db):
    path = write_docx(tmp_path / "briefing.docx", [STORY, "", SECOND],
                      heading="Police cooperation deepens",
                      table=[["Country", "Officers trained"], ["Cambodia", "120"]])
    article = only_article(db, import_files(db, [path]))
    assert article["title"] == "Police cooperation deepens"
    assert article["text"] == (f"{STORY}\n\n{SECOND}\n\nCountry | Officers trained\n\n"
                               "Cambodia | 120")
    assert article["filename"] == "briefing.docx"


def test_docx_title_property_wins(tmp_path, db):
    path = write_docx(tmp_path / "t.docx", [STORY], title="From the properties")
    assert only_article(db, import_files(db, [path]))["title"] == "From the properties"


def test_broken_and_protected_word_files_are_skipped(tmp_path, db):
    with zipfile.ZipFile(tmp_path / "archive.docx", "w") as archive:
        archive.writestr("notes.txt", "a zip file, but not a Word document")
    good = write_docx(tmp_path / "good.docx", [STORY])
    (tmp_path / "truncated.docx").write_bytes(good.read_bytes()[:600])
    write_encrypted_docx(tmp_path / "locked.docx")
    (tmp_path / "text.docx").write_text("plain text with a .docx name", "utf-8")
    report = import_files(db, [tmp_path])
    assert reasons(report) == {
        "archive.docx": "not a Word .docx file (a ZIP archive without a Word document in it)",
        "truncated.docx": "damaged .docx (incomplete ZIP archive)",
        "locked.docx": "password-protected Word document",
        "text.docx": "not a Word .docx file"}
    assert [label.rsplit("/", 1)[-1] for label, _ in report.added] == ["good.docx"]


# -- PDF ---------------------------------------------------------------------

def test_pdf_text_layer_over_two_pages(tmp_path, db):
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf_bytes([["Police seize drugs in Phnom Penh.", "Second line."],
                                ["Page two continues the story."]],
                               title="Drug seizure report"))
    article = only_article(db, import_files(db, [path]))
    assert article["title"] == "Drug seizure report"
    # reflowed (tests/test_pdf_reflow.py): the two lines are one paragraph
    assert article["text"] == ("Police seize drugs in Phnom Penh. Second line.\n\n"
                               "Page two continues the story.")


def test_broken_protected_and_scanned_pdfs_are_skipped(tmp_path, db):
    whole = pdf_bytes([["Police seize drugs in Phnom Penh."]])
    (tmp_path / "truncated.pdf").write_bytes(whole[: len(whole) // 2])
    (tmp_path / "locked.pdf").write_bytes(pdf_bytes([["Secret text."]], password="pw"))
    (tmp_path / "scan.pdf").write_bytes(pdf_bytes([[]]))
    (tmp_path / "fake.pdf").write_text("I am not a PDF", "utf-8")
    report = import_files(db, [tmp_path])
    assert reasons(report) == {
        "truncated.pdf": "incomplete PDF (no end-of-file marker: truncated?)",
        "locked.pdf": "password-protected PDF",
        "scan.pdf": "the PDF has no text layer (a scan? run OCR first)",
        "fake.pdf": "not a PDF file"}
    assert articles.article_count(db) == 0


def test_a_pdf_encrypted_only_against_printing_opens(tmp_path, db):
    path = tmp_path / "restricted.pdf"
    path.write_bytes(pdf_bytes([["Police seize drugs in Phnom Penh."]], password="",
                               owner_password="owner"))
    assert only_article(db, import_files(db, [path]))["text"] == \
        "Police seize drugs in Phnom Penh."


def test_a_pdf_is_read_as_pdf_whatever_its_name(tmp_path, db):
    path = tmp_path / "download.txt"
    path.write_bytes(pdf_bytes([["Police seize drugs in Phnom Penh."]]))
    assert only_article(db, import_files(db, [path]))["text"] == \
        "Police seize drugs in Phnom Penh."


# -- e-mail ------------------------------------------------------------------

def test_eml_subject_sender_date_and_plain_text(tmp_path, db):
    path = tmp_path / "newsletter.eml"
    path.write_bytes(email_bytes(
        subject="Fwd: Cambodia and Australia deepen police cooperation",
        sender="The Phnom Penh Post <news@phnompenhpost.com>",
        date="Mon, 17 Jun 2024 08:30:00 +0700", text=f"{STORY}\n\n{SECOND}\n",
        html=f"<p>{STORY}</p>"))
    article = only_article(db, import_files(db, [path]))
    assert article["title"] == "Cambodia and Australia deepen police cooperation"
    assert article["source"] == "The Phnom Penh Post"
    assert article["published"] == "2024-06-17"
    assert article["text"] == f"{STORY}\n\n{SECOND}"


@pytest.mark.parametrize("charset", ["iso-8859-1", "us-ascii"])
def test_eml_labelled_latin1_or_ascii_keeps_its_windows_1252_punctuation(tmp_path, db,
                                                                         charset):
    body = "The minister said “we will not back down” — the police didn’t comment."
    path = tmp_path / "m.eml"
    path.write_bytes(b"From: Desk <desk@example.org>\r\nSubject: Raid\r\nMIME-Version: 1.0\r\n"
                     b"Content-Type: text/plain; charset=" + charset.encode() + b"\r\n"
                     b"Content-Transfer-Encoding: 8bit\r\n\r\n" + body.encode("cp1252")
                     + b"\r\n")
    assert only_article(db, import_files(db, [path]))["text"] == body


def test_eml_naming_no_charset_keeps_its_accents(tmp_path, db):
    """A text part with 8-bit bytes and no charset was taken for ASCII: every
    accent became U+FFFD. It is read as a file is (UTF-8, else detected)."""
    body = "Police in Phnom Penh said the café owner, Sokhà, was not charged."
    path = tmp_path / "m.eml"
    path.write_bytes(b"From: Desk <desk@example.org>\r\nSubject: Raid\r\nMIME-Version: 1.0\r\n"
                     b"Content-Type: text/plain\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
                     + body.encode("utf-8") + b"\r\n")
    assert only_article(db, import_files(db, [path]))["text"] == body


def test_html_only_eml_is_turned_into_text(tmp_path, db):
    path = tmp_path / "html.eml"
    path.write_bytes(email_bytes(subject="Alert", sender="alerts@example.org",
                                 date="Tue, 18 Jun 2024 10:00:00 +0000",
                                 html=f"<html><body><p>{STORY}</p><p>{SECOND}</p>"
                                      "</body></html>"))
    article = only_article(db, import_files(db, [path]))
    assert article["text"] == f"{STORY}\n\n{SECOND}"
    assert article["source"] == "alerts@example.org"


def test_a_text_file_named_eml_is_skipped(tmp_path, db):
    path = tmp_path / "notes.eml"
    path.write_text("just some notes\nwithout headers", "utf-8")
    assert reasons(import_files(db, [path])) == {
        "notes.eml": "not an e-mail message (no headers)"}


# -- batch files ---------------------------------------------------------------

def test_csv_with_field_name_variants_row_problems_and_in_file_duplicates(tmp_path, db):
    path = tmp_path / "scrape.csv"
    path.write_text(
        "headline;content;publishedAt;outlet;link\n"
        f"First story;\"{STORY}\n\nWith; a second paragraph.\";2024-06-13T08:00:00Z;"
        "Khmer Times;https://example.org/1\n"
        ";;2024-06-14;Nobody;https://example.org/empty\n"
        f"Copy;\"{STORY}\n\nWith; a second paragraph.\";;;\n"
        f"Second story;{SECOND};13 June 2024;AKP;https://example.org/2\n",
        encoding="utf-8")
    report = import_files(db, [path])
    assert [label.rsplit("/", 1)[-1] for label, _ in report.added] == [
        "scrape.csv (row 2)", "scrape.csv (row 5)"]
    assert reasons(report) == {"scrape.csv (row 3)": "no article text"}
    assert [label.rsplit("/", 1)[-1] for label, _ in report.duplicates] == [
        "scrape.csv (row 4)"]
    first = articles.get_article(db, report.added[0][1])
    assert (first["title"], first["source"], first["published"], first["url"],
            first["filename"]) == ("First story", "Khmer Times", "2024-06-13",
                                   "https://example.org/1", "scrape.csv")
    assert first["text"] == f"{STORY}\n\nWith; a second paragraph."
    assert articles.get_article(db, report.added[1][1])["published"] == "2024-06-13"


@pytest.mark.parametrize("delimiter", [",", ";"])
def test_csv_written_by_excel_or_python_keeps_quoted_words_and_paragraphs(tmp_path, db,
                                                                          delimiter):
    # csv.writer quotes as Excel does: "" for a quote inside a quoted field;
    # titles holding the separator are quoted too
    rows = [(f"Cambodia{delimiter} Australia agree on police training", "2024-06-13",
             'The minister said "we will act" on Monday.\n\nCritics were unconvinced.'),
            (f"Talks end{delimiter} envoy hopeful", "2024-06-14",
             'The envoy called the talks "productive" in a statement.\n\n'
             'More talks follow in July.')]
    path = tmp_path / "articles.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, delimiter=delimiter)
        writer.writerow(["title", "published", "text"])
        writer.writerows(rows)
    report = import_files(db, [path])
    assert report.skipped == []
    stored = [articles.get_article(db, i) for _, i in report.added]
    assert [(a["title"], a["published"], a["text"]) for a in stored] == rows


def test_csv_without_a_text_column_is_skipped_whole(tmp_path, db):
    path = tmp_path / "links.csv"
    path.write_text("title,url\nA story,https://example.org/a\n", "utf-8")
    report = import_files(db, [path])
    assert reasons(report) == {"links.csv": "no text column (looked for text, content, "
                                            "body, …; the columns are: title, url)"}
    assert articles.article_count(db) == 0


def test_html_in_a_row_keeps_text_before_a_block_apart_from_it(tmp_path, db):
    path = tmp_path / "rows.csv"
    path.write_text('title,content\nRaid,"By Jane Doe<p>Police said 312 workers were freed.</p>'
                    'Officials said:<ul><li>three arrested</li><li>two charged</li></ul>"\n',
                    encoding="utf-8")
    assert only_article(db, import_files(db, [path]))["text"] == (
        "By Jane Doe\n\nPolice said 312 workers were freed.\n\nOfficials said:\n\n"
        "three arrested\n\ntwo charged")


def test_newsapi_json_and_jsonl(tmp_path, db):
    (tmp_path / "newsapi.json").write_text(json.dumps({"status": "ok", "articles": [{
        "source": {"id": None, "name": "Khmer Times"}, "author": "Sok Chan",
        "title": "Police training", "url": "https://example.org/kt",
        "publishedAt": "2024-06-13T08:00:00Z",
        "content": f"<p>{STORY}</p><p>{SECOND}</p>"}]}), "utf-8")
    (tmp_path / "feed.jsonl").write_text(
        json.dumps({"title": "Line one", "body": "Text of the first line article.",
                    "date": 1718236800, "link": "https://example.org/l1"}) + "\n\n" +
        json.dumps({"title": "Line two", "text": "Text of the second line article.",
                    "authors": ["A. Writer", "B. Writer"]}) + "\n", "utf-8")
    report = import_files(db, [tmp_path])
    assert report.skipped == []
    rows = {a["title"]: a for a in (articles.get_article(db, i) for _, i in report.added)}
    kt = rows["Police training"]
    assert (kt["source"], kt["author"], kt["published"], kt["url"]) == (
        "Khmer Times", "Sok Chan", "2024-06-13", "https://example.org/kt")
    assert kt["text"] == f"{STORY}\n\n{SECOND}"
    assert rows["Line one"]["published"] == "2024-06-13"
    assert rows["Line one"]["url"] == "https://example.org/l1"
    assert rows["Line two"]["author"] == "A. Writer, B. Writer"


def test_a_bad_line_of_a_batch_file_is_skipped_on_its_own(tmp_path, db):
    path = tmp_path / "feed.jsonl"
    path.write_text(json.dumps({"text": "A good first article."}) + "\n{not json\n"
                    + json.dumps({"text": "A good third article."}) + "\n", "utf-8")
    report = import_files(db, [path])
    assert reasons(report) == {"feed.jsonl (line 2)": "line 2 is not valid JSON "
                                                      "(Expecting property name enclosed in "
                                                      "double quotes at column 2)"}
    assert articles.article_count(db) == 2


def test_a_file_whose_first_line_is_not_json_is_not_jsonl(tmp_path, db):
    path = tmp_path / "feed.jsonl"
    path.write_text("title,text\n" + json.dumps({"text": "A good article."}) + "\n", "utf-8")
    report = import_files(db, [path])
    assert reasons(report) == {"feed.jsonl": "line 1 is not valid JSON "
                                             "(Expecting value at column 1)"}
    assert articles.article_count(db) == 0


def test_a_failure_mid_file_rolls_the_whole_file_back(tmp_path, db, monkeypatch):
    path = tmp_path / "feed.json"
    path.write_text(json.dumps([{"text": f"Article number {n} about police."}
                                for n in range(3)]), "utf-8")
    other = tmp_path / "other.txt"
    other.write_text("Another article entirely.", "utf-8")
    real, calls = near_duplicates.link_fingerprint, []

    def failing(db, article_id, found, **options):
        calls.append(article_id)
        if len(calls) == 2:
            raise sqlite3.OperationalError("disk I/O error")
        return real(db, article_id, found, **options)

    monkeypatch.setattr(near_duplicates, "link_fingerprint", failing)
    report = import_files(db, [path, other])
    assert reasons(report) == {"feed.json": "could not be stored (disk I/O error)"}
    assert [a["title"] for a in articles.list_articles(db)] == ["Another article entirely"]
    assert db.execute("SELECT count(*) FROM article_fingerprints").fetchone()[0] == 1


def test_cancel_within_a_batch_file_keeps_the_files_before_it(tmp_path, db):
    (tmp_path / "a.txt").write_text("The first file is imported.", "utf-8")
    (tmp_path / "b.json").write_text(json.dumps(
        [{"text": f"Row {n} of a long feed."} for n in range(250)]), "utf-8")
    cancelled = {"now": False}
    report = import_files(db, [tmp_path], is_cancelled=lambda: cancelled["now"],
                          on_progress=lambda done, total: cancelled.update(now=True))
    assert report.cancelled and "(cancelled; what was imported before the cancel is kept" \
        in report.summary()
    assert [a["title"] for a in articles.list_articles(db)] == ["The first file is imported"]


# -- encodings, sizes, kinds -----------------------------------------------------

@pytest.mark.parametrize("name, data", [
    ("utf8-bom.txt", "\ufeffCafé “Sokha” costs €5.\r\nLine two.".encode("utf-8")),
    ("utf16.txt", "Café “Sokha” costs €5.\r\nLine two.".encode("utf-16")),
    ("utf16le.txt", "Café “Sokha” costs €5.\r\nLine two.".encode("utf-16-le")),
    ("cp1252.txt", "Café “Sokha” costs €5.\r\nLine two.".encode("cp1252")),
])
def test_encodings_are_detected_and_line_endings_normalised(tmp_path, db, name, data):
    (tmp_path / name).write_bytes(data)
    article = only_article(db, import_files(db, [tmp_path / name]))
    assert article["text"] == "Café “Sokha” costs €5.\nLine two."


def test_latin1_text(tmp_path, db):
    text = "Le ministre a visité Phnom Penh à la fin de l'année; coût: 5 £, señor."
    (tmp_path / "latin1.txt").write_bytes(text.encode("latin-1"))
    assert only_article(db, import_files(db, [tmp_path / "latin1.txt"]))["text"] == text


def test_markdown_front_matter_and_heading(tmp_path, db):
    path = tmp_path / "note.md"
    path.write_text("---\nsource: Khmer Times\ndate: 13 June 2024\nauthor: Sok Chan\n---\n"
                    "# Police training deepens\n\nThe **AFP** trains officers.\n", "utf-8")
    article = only_article(db, import_files(db, [path]))
    assert (article["title"], article["source"], article["published"], article["author"],
            article["text"]) == ("Police training deepens", "Khmer Times", "2024-06-13",
                                 "Sok Chan", "The **AFP** trains officers.")


def test_oversized_binary_and_unsupported_files(tmp_path, db, monkeypatch):
    monkeypatch.setattr(file_bytes, "MAX_ARTICLE_BYTES", 1024)
    (tmp_path / "big.txt").write_text("word " * 1000, "utf-8")
    (tmp_path / "noise.txt").write_bytes(bytes(range(256)) * 3)
    (tmp_path / "photo.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 50)
    report = import_files(db, [tmp_path / "big.txt", tmp_path / "noise.txt",
                               tmp_path / "photo.png"])
    assert reasons(report) == {
        "big.txt": "too large: 0.0 MB, the limit is 0.000976562 MB",
        "noise.txt": "binary file, not text",
        "photo.png": "unsupported file type .png (Dossier imports .txt .md .markdown "
                     ".html .htm .xhtml .docx .pdf .eml .csv .json .jsonl .ndjson)"}


def test_folders_are_read_recursively_without_hidden_lock_or_foreign_files(tmp_path, db):
    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / "a" / "b" / "deep.md").write_text("Deep in the folder tree.", "utf-8")
    (tmp_path / "top.txt").write_text("At the top of the folder.", "utf-8")
    (tmp_path / "photo.png").write_bytes(b"\x89PNG")
    (tmp_path / ".hidden.txt").write_text("A hidden file.", "utf-8")
    (tmp_path / "~$draft.docx").write_bytes(b"lock")
    report = import_files(db, [tmp_path])
    assert report.skipped == []
    assert sorted(a["title"] for a in articles.list_articles(db)) == [
        "At the top of the folder", "Deep in the folder tree"]


@pytest.mark.parametrize("raw, expected", [
    ("2024-06-13", "2024-06-13"), ("2024-06-13T23:30:00Z", "2024-06-13"),
    ("Thu, 13 Jun 2024 08:00:00 +0700", "2024-06-13"), ("June 13, 2024", "2024-06-13"),
    (1718236800, "2024-06-13"), (1718236800000, "2024-06-13"),
    ("yesterday", None), ("", None), (None, None), ("13/45/2024", None)])
def test_iso_dates(raw, expected):
    assert iso_date(raw) == expected


def test_a_folders_files_of_other_kinds_are_counted_not_passed_over_silently(tmp_path, db):
    folder = tmp_path / "desk"
    (folder / "sub").mkdir(parents=True)
    (folder / "a.txt").write_text("Police seized drugs at the port.", "utf-8")
    (folder / "b.xyz").write_text("?", "utf-8")
    (folder / "sub" / "photo.JPG").write_bytes(b"\xff\xd8")
    (folder / ".hidden.xyz").write_text("?", "utf-8")
    (folder / "README").write_text("notes", "utf-8")
    report = import_files(db, [folder])
    assert len(report.added) == 1 and report.skipped == []
    assert report.notes == [(str(folder), "3 files of kinds Dossier does not read left out "
                                          "(.jpg, .xyz, no extension)")]


def test_the_first_import_after_an_upgrade_names_its_preparing_stage(tmp_path):
    """Fingerprinting the stored articles (once, after an upgrade) was shown
    as "Importing articles: 50,500 of 100,000" for a 20,000-row file."""
    from desktop.importers import import_files
    from desktop.importers.run import IMPORTING, PREPARING

    db = open_database(tmp_path / "up.db")
    folder = tmp_path / "old"
    folder.mkdir()
    for i in range(3):
        (folder / f"old{i}.txt").write_text(f"Stored before the upgrade, article {i}.",
                                            encoding="utf-8")
    import_files(db, [folder])
    db.conn.execute("DELETE FROM article_fingerprints")     # as an older Dossier left them
    new = tmp_path / "new.txt"
    new.write_text("A new article about a seizure at the port.", encoding="utf-8")
    seen, stage = [], [None]
    import_files(db, [new], on_stage=lambda now: stage.__setitem__(0, now),
                 on_progress=lambda done, total: seen.append((stage[0], done, total)))
    assert (PREPARING, 3, 3) in seen
    assert seen[-1] == (IMPORTING, 1, 1)
    db.close()
