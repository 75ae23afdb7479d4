"""The HTML importer keeps U+200D ZERO WIDTH JOINER (emoji sequences),
U+200C ZERO WIDTH NON-JOINER (Persian spelling) and the other invisible
format characters (direction marks and isolates, soft hyphens), which
trafilatura drops."""

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


HEBREW = ("\u05d4\u05de\u05e9\u05d8\u05e8\u05d4 \u05e9\u05d7\u05e8\u05e8\u05d4 312\u200f "
          "\u05e2\u05d5\u05d1\u05d3\u05d9\u05dd \u2067ACME Ltd.\u2069 \u05d1\u05e2\u05d9\u05e8")
ARABIC = "\u0627\u0644\u0639\u062f\u062f \u061c312\u061c \u202bJane \u202c\u200e"
FILLER = "Police said on Tuesday that the raid freed workers held for months near the port."


def test_direction_marks_and_isolates_survive_html_import_soft_hyphens_do_not(tmp_path, db):
    """Direction marks keep Hebrew and Arabic lines with numbers in order; a
    soft hyphen is only a hyphenation hint: kept, “Hyphen\u00adation” was two
    words for the search and auto-tag."""
    # the same marks as characters and as references, as pages write them
    referenced = (HEBREW.replace("\u200f", "&rlm;").replace("\u2067", "&#x2067;")
                  .replace("\u2069", "&#8297;"))
    page = (f"<html><head><meta charset='utf-8'><title>T</title></head><body><article>"
            f"<p>{FILLER}</p><p>{HEBREW}</p><p>{referenced}</p><p>{ARABIC}</p>"
            f"<p>Hyphen&shy;ation and hyphen\u00adation in a {FILLER.lower()}</p>"
            f"</article></body></html>")
    path = tmp_path / "rtl.html"
    path.write_text(page, encoding="utf-8")
    text = articles.get_article(db, import_files(db, [path]).added[0][1])["text"]
    assert text.count(HEBREW) == 2 and ARABIC.strip() in text
    assert "Hyphenation and hyphenation" in text and "\u00ad" not in text
