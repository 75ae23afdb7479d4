"""The HTML importer keeps U+200D ZERO WIDTH JOINER (emoji sequences) and
U+200C ZERO WIDTH NON-JOINER (Persian spelling), which trafilatura drops."""

from __future__ import annotations

from desktop.importers import import_files
from desktop.importers.web_page import extract_article
from storage import articles

FAMILY = "👨\u200d👩\u200d👧"
PERSIAN = "می\u200cخواهم"
BODY = ("The family {family} was reunited, and the officer wrote {persian} in the report; "
        "this paragraph is long enough for trafilatura to take it as the article body.")


def test_joiners_survive_as_characters_and_as_references(tmp_path, db):
    first = BODY.format(family=FAMILY, persian=PERSIAN)
    second = "Again: " + BODY.format(family="👨&zwj;👩&#8205;👧", persian="می&#x200C;خواهم")
    page = (f"<html><head><title>Reunited {FAMILY}</title></head><body><article>"
            f"<p>{first}</p><p>{second}</p></article></body></html>")
    path = tmp_path / "page.html"
    path.write_text(page, encoding="utf-8")
    report = import_files(db, [path])
    article = articles.get_article(db, report.added[0][1])
    assert article["text"].count(FAMILY) == 2 and article["text"].count(PERSIAN) == 2
    assert article["title"] == f"Reunited {FAMILY}"
    assert "\U00017000" not in article["text"]          # no stand-in left behind


def test_a_page_that_holds_the_stand_in_characters_keeps_them():
    page = (f"<html><body><article><p>Tangut \U00017000 and {FAMILY}: a paragraph long "
            "enough to be taken as the body of this article by trafilatura.</p>"
            "</article></body></html>")
    text = extract_article(page).text
    assert "Tangut \U00017000 and " + FAMILY in text
