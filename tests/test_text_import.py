"""Importing .txt articles: titles, page furniture, bad files."""

from __future__ import annotations

import pytest

from desktop.importers import import_files
from desktop.importers.article_text import clean_article, shorten
from storage import articles

from conftest import SEEDS


def test_headline_strip_and_related_news_are_removed_from_seed_004():
    raw = next(SEEDS.glob("004_*.txt")).read_text("utf-8")
    article = clean_article(raw)
    assert article.title == ("Cambodia Seeks to Enhance Immigration Management and Crime "
                             "Prevention with Australian Expertise")
    assert "|" not in article.text
    assert "Related News" not in article.text
    assert article.text.startswith("Phnom Penh, June 13, 2024:")
    assert article.published == "2024-06-13"


def test_title_is_the_first_sentence_trimmed():
    raw = next(SEEDS.glob("000_*.txt")).read_text("utf-8")
    title = clean_article(raw).title
    assert title.startswith("Cambodia asked Australia to provide more support")
    assert len(title) <= 101 and title.endswith("…")


def test_short_first_sentence_is_the_whole_title():
    assert clean_article("Police seize drugs. More text follows here.").title == "Police seize drugs"


def test_shorten_prefers_a_clause_boundary():
    sentence = "A" * 70 + ", which then goes on and on for a very long time indeed beyond the limit"
    assert shorten(sentence) == "A" * 70


def test_line_endings_and_bom_are_normalised(tmp_path, db):
    path = tmp_path / "crlf.txt"
    path.write_bytes("\ufeffFirst line.\r\n\r\nSecond line.\r\n".encode("utf-8"))
    report = import_files(db, [path])
    [(_, article_id)] = report.added
    assert articles.get_article(db, article_id)["text"] == "First line.\n\nSecond line."


def test_terminal_escapes_and_control_characters_do_not_reach_the_store(tmp_path, db):
    """A scraped or pasted text with colour codes and stray controls: the
    list and reader would show boxes and "[31m", a terminal would run them."""
    path = tmp_path / "pasted.txt"
    # short, so that its four escape sequences would once have made it "binary"
    rest = "Officers counted the cash, the court heard."
    path.write_text("Police \x1b[1mraid\x1b[0m casino\n\nThe \x1b[31mraid\x1b[0m found"
                    f"\x07 cash\x0band\tphones. {rest}\n", encoding="utf-8")
    report = import_files(db, [path])
    [(_, article_id)] = report.added
    article = articles.get_article(db, article_id)
    assert article["title"] == "Police raid casino"
    assert article["text"] == ("Police raid casino\n\nThe raid found  cash and\tphones. "
                               + rest.strip())


def test_bad_files_are_skipped_with_reasons_and_the_rest_imported(tmp_path, db):
    good = tmp_path / "good.txt"
    good.write_text("A perfectly good article about money laundering.", encoding="utf-8")
    (tmp_path / "binary.txt").write_bytes(b"\x00\x01\x02binary")
    (tmp_path / "empty.txt").write_text("   \n", encoding="utf-8")
    (tmp_path / "furniture.txt").write_text(
        "Home | World | Politics | Business | Sport | Culture | Opinion\n", encoding="utf-8")
    report = import_files(db, [tmp_path, tmp_path / "missing.txt"])
    reasons = {path.rsplit("/", 1)[-1]: reason for path, reason in report.skipped}
    assert reasons == {"binary.txt": "binary file, not text",
                       "empty.txt": "empty file",
                       "furniture.txt": "no article text",
                       "missing.txt": "no such file or folder"}
    assert [p.rsplit("/", 1)[-1] for p, _ in report.added] == ["good.txt"]
    assert articles.article_count(db) == 1


@pytest.mark.parametrize("codec,text", [
    ("cp1251", "Полиция освободила 312 работников из комплекса в Сиануквиле во вторник."),
    ("cp1256", "حررت الشرطة 312 عاملا من مجمع احتيال في سيهانوكفيل يوم الثلاثاء."),
    ("shift_jis", "警察は火曜日、シアヌークビルの詐欺施設から312人の労働者を解放した。"),
    ("gbk", "警方周二从西哈努克城的诈骗园区解救了312名工人。"),
    ("iso8859_7", "Η αστυνομία απελευθέρωσε 312 εργάτες από συγκρότημα απάτης την Τρίτη."),
])
def test_a_legacy_non_latin_text_file_is_refused_as_such_not_as_binary(tmp_path, db, codec,
                                                                        text):
    (tmp_path / "legacy.txt").write_bytes((text * 3).encode(codec))
    (tmp_path / "legacy.csv").write_bytes(f"title,text\nT,{text}\n".encode(codec))
    report = import_files(db, [tmp_path])
    reasons = {path.rsplit("/", 1)[-1]: reason for path, reason in report.skipped}
    assert set(reasons) == {"legacy.txt", "legacy.csv"}
    for reason in reasons.values():
        assert reason.startswith("text in an encoding Dossier does not read")
        assert reason.endswith("save it as UTF-8 and import it again")


def test_importing_the_same_file_twice_reports_a_duplicate(tmp_path, db):
    path = tmp_path / "a.txt"
    path.write_text("Same article text.", encoding="utf-8")
    import_files(db, [path])
    report = import_files(db, [path])
    assert report.added == [] and len(report.duplicates) == 1


def test_normalise_trims_spaces_and_byte_order_marks_at_the_edges_only():
    from desktop.importers.article_text import normalise
    assert normalise("\ufeff \n\ufeff\u00a0 Police said.\u2003\n\nMore.\n \ufeff\t") == \
        "Police said.\u2003\n\nMore."
    assert normalise(" \ufeff ") == ""
    assert normalise("a \ufeff b") == "a \ufeff b"
