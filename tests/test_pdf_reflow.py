"""PDF text reflowed into paragraphs at import: lines joined, hyphenation at
line ends undone, running headers/footers and page numbers dropped, a
paragraph mended over a page break; the stored text is what the reader
shows, so a passage tagged on it keeps its offsets."""

from __future__ import annotations

from desktop.importers import import_files
from desktop.importers.pdf_reflow import reflow
from storage import passages, tags

from document_files import pdf_bytes

HEADER = "The Phnom Penh Post - Special report on police cooperation"
PAGES = [
    [HEADER,
     "Cambodia and Australia agreed on Thursday to deepen their coop-",
     "eration against transnational crime, with Australia pledging",
     "cybercrime training for Cambodian police officers this year.",
     "Minister of Interior Sar Sokha led the delegation to Canberra.",
     "Page 1 of 3"],
    [HEADER,
     "The two sides signed a memorandum on the Indo-",
     "Pacific region and on joint investigations, which officials said",
     "would begin before the end of the year in both countries and",
     "Page 2 of 3"],
    [HEADER,
     "cover online scams, money laundering and human trafficking.",
     "Next steps",
     "A working group will meet in Phnom Penh in September to agree",
     "on the first cases, the ministry said in a statement on Friday.",
     "3"],
]

EXPECTED = (
    "Cambodia and Australia agreed on Thursday to deepen their cooperation against "
    "transnational crime, with Australia pledging cybercrime training for Cambodian "
    "police officers this year. Minister of Interior Sar Sokha led the delegation to "
    "Canberra.\n\n"
    "The two sides signed a memorandum on the Indo-Pacific region and on joint "
    "investigations, which officials said would begin before the end of the year in "
    "both countries and cover online scams, money laundering and human trafficking.\n\n"
    "Next steps\n\n"
    "A working group will meet in Phnom Penh in September to agree on the first cases, "
    "the ministry said in a statement on Friday.")


def test_reflow_of_page_texts():
    assert reflow(["\n".join(lines) for lines in PAGES]) == EXPECTED


def test_a_single_page_keeps_its_blank_line_paragraphs_and_short_lines():
    assert reflow(["First paragraph, one line.\n\nSecond paragraph."]) == (
        "First paragraph, one line.\n\nSecond paragraph.")
    # one page: nothing counts as a repeated header
    body = ("The police said on Monday that the two forces would share intelligence on\n"
            "online scam compounds and train officers together from next month on.")
    assert reflow(["Police report\n" + body]) == (
        "Police report\n\n" + body.replace("\n", " "))


def test_imported_pdf_is_stored_reflowed_and_passages_keep_their_place(tmp_path, db):
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf_bytes(PAGES, title="Police cooperation deepens"))
    report = import_files(db, [path])
    assert not report.skipped
    article_id = report.added[0][1]
    stored = db.execute("SELECT text FROM articles WHERE id = ?", [article_id]).fetchone()[0]
    assert stored == EXPECTED
    assert "Page 2" not in stored and "Special report" not in stored
    start = stored.index("cooperation against")
    passage_id = passages.add_passage(db, article_id=article_id,
                                      tag_id=tags.find_tag(db, "Diplomacy")["id"],
                                      start=start, end=start + 11, analyst="a")
    assert passages.get_passage(db, passage_id)["text"] == "cooperation"
