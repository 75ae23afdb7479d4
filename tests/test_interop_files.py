"""Files made by other tools (QualCoder 4.0, Taguette 1.5.2; tests/data/interop/,
see its README): every one is imported, and offsets, texts, codes, memos and
what was not brought in are checked against expected.json — never a passage
on the wrong words."""

from __future__ import annotations

import html
import json
import re
import shutil
import zipfile
from pathlib import Path

import pytest

from desktop.cli import main
from desktop.codebook_files import read_codebook_file
from desktop.refi_qda.import_project import import_qdpx
from desktop.refi_qda.positions import comparable, name_matches
from storage import articles, open_database, passages, review, tags
from storage.codebook import apply_codebook

INTEROP = Path(__file__).resolve().parent / "data" / "interop"
QUALCODER = INTEROP / "qualcoder"
TAGUETTE = INTEROP / "taguette"
EXPECTED = json.loads((QUALCODER / "expected.json").read_text(encoding="utf-8"))
SAME_PROJECT = ["made_by_qualcoder.qdpx", "made_by_qualcoder_maxqda_crlf.qdpx",
                "qc_amp_malformed_annotation.qdpx"]


@pytest.fixture
def fresh(tmp_path):
    db = open_database(tmp_path / "interop.db")
    yield db
    db.close()


def _passages(db):
    return sorted((p["tag"], p["start"], p["end"], p["text"]) for p in passages.export_rows(db))


@pytest.mark.parametrize("name", SAME_PROJECT)
def test_qualcoder_project_lands_every_coding_on_its_words(fresh, name):
    report = import_qdpx(fresh, QUALCODER / name)
    (title, article_id), = report.articles_added
    article = articles.get_article(fresh, article_id)
    assert title == EXPECTED["source"]["name"]
    # (without the file's last line break, as a .txt import stores it)
    assert article["text"] == EXPECTED["source"]["text_lf_no_bom"].rstrip()
    # every coding at the code-point span QualCoder's own database gives it
    assert _passages(fresh) == sorted(
        (c["code"], *c["code_point_start_end"], c["text"]) for c in EXPECTED["codings"])
    for coding in EXPECTED["codings"]:
        start, end = coding["code_point_start_end"]
        assert article["text"][start:end] == coding["text"]
    assert report.passages_added == 7 and report.skipped == []
    # QualCoder counted UTF-16 units: 6 of 7 sit after an emoji
    assert sum(report.readings.values()) == 7 and report.readings["code points"] == 1
    assert "; the positions of 6 codings read as UTF-16 units" in report.summary()
    # the coding memo, kept in the selection's Description
    notes = {p["text"]: p["note"] for p in passages.export_rows(fresh)}
    assert notes["freed 312 workers"] == EXPECTED["codings"][1]["memo"]
    assert sum(1 for note in notes.values() if note) == 1
    # the file memo became the article memo
    assert review.memo(fresh, article_id) == EXPECTED["source"]["memo"]


@pytest.mark.parametrize("name", SAME_PROJECT[:2])
def test_qualcoder_codes_keep_their_tree_and_the_rest_is_reported(fresh, name):
    report = import_qdpx(fresh, QUALCODER / name)
    by_name = {t["name"]: t for t in tags.list_tags(fresh)}
    for code in EXPECTED["codes"]:
        tag = by_name[code["name"]]
        assert tag["color"] == code["color"].lower()
        assert (tag["description"] or "") == code["memo"]
        parent = code["parent_code"] or code["category"]
        assert tag["parent_id"] == (by_name[parent]["id"] if parent else None)
    category = EXPECTED["categories"][0]
    assert by_name[category["name"]]["description"] == category["memo"]
    assert by_name[category["name"]]["parent_id"] is None
    assert set(report.tags_added) == {c["name"] for c in EXPECTED["codes"]} | {category["name"]}
    lines = "\n".join(report.detail_lines())
    assert EXPECTED["annotations"][0]["memo"] in lines and "annotation" in lines
    assert f"journal “{EXPECTED['journals'][0]['name']}”" in lines
    assert EXPECTED["project_memo"] in lines
    assert report.warnings == []


def test_a_malformed_qualcoder_project_imports_what_it_can_and_says_what_not(fresh):
    report = import_qdpx(fresh, QUALCODER / "qc_amp_malformed_annotation.qdpx")
    warning, = report.warnings
    assert "not well-formed" in warning and "line 65" in warning and "recovery" in warning
    lines = "\n".join(report.detail_lines())
    assert "annotation (its text damaged in the file)" in lines
    assert "R note" not in lines and "R&D" not in lines
    assert report.passages_added == 7
    assert len(tags.list_tags(fresh)) == 5


def test_a_project_qualcoder_made_from_a_dossier_export(fresh):
    path = QUALCODER / "dossier_via_qualcoder_reexport.qdpx"
    report = import_qdpx(fresh, path)
    assert report.skipped == [] and report.passages_added == 57
    assert any("1 control character" in w for w in report.warnings)
    # every passage holds the words QualCoder named its selection with
    project = zipfile.ZipFile(path).read("project.qde").decode("utf-8")
    names = sorted(comparable(n) for n in re.findall(
        r'<PlainTextSelection [^>]*?name="([^"]*)"', project.replace("\x0c", " ")))
    names = [html.unescape(n) for n in names]
    assert len(names) == 57
    left = list(names)      # Dossier's export cut long names after 60 characters with "…"
    for row in passages.export_rows(fresh):
        match = next(n for n in left if name_matches(n, row["text"]))
        left.remove(match)
    assert left == []
    # QualCoder's "…+00:00Z" times come in as Dossier stores times
    created = [p["created_at"] for p in passages.export_rows(fresh)]
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00", c) for c in created)
    assert "2026-12-02T04:18:37+00:00" in created
    # the codebook's nesting came along
    by_name = {t["name"]: t for t in tags.list_tags(fresh)}
    assert by_name["Scam compounds"]["parent_id"] == by_name["Online scams"]["id"]
    assert by_name["Online scams"]["parent_id"] == by_name["Cybercrime"]["id"]


def test_a_selection_whose_name_is_not_its_text_is_placed_by_its_sources_reading(
        fresh, tmp_path):
    """A name no reading's text is (a label, or edited) tells nothing: the
    selection is placed by the reading the source's other selections
    matched (UTF-16 units, after an emoji here), and the report says so."""
    source = QUALCODER / "made_by_qualcoder.qdpx"
    target = tmp_path / "edited.qdpx"
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w") as new:
        for info in old.infolist():
            data = old.read(info)
            if info.filename == "project.qde":
                data = data.replace(b'name="family reunited"', b'name="family divided"')
            new.writestr(info, data)
    report = import_qdpx(fresh, target)
    assert report.passages_added == 7 and report.skipped == []
    assert _passages(fresh) == sorted(
        (c["code"], *c["code_point_start_end"], c["text"]) for c in EXPECTED["codings"])
    assert report.warnings == [f"“{EXPECTED['source']['name']}”: 1 selection placed by "
                               "position alone, its name is not its text (“family divided”)"]


def _utf16_project(path, text: str, fragments: list[str]):
    """A project QualCoder would write of ``text``: one selection named
    with its words for each fragment, positions counted in UTF-16 units."""
    def units(index):
        return len(text[:index].encode("utf-16-le")) // 2

    selections = []
    for number, fragment in enumerate(fragments):
        start = text.index(fragment)
        selections.append(
            f'<PlainTextSelection guid="00000000-0000-4000-8000-{number:012d}" '
            f'name="{fragment}" startPosition="{units(start)}" '
            f'endPosition="{units(start + len(fragment))}">'
            f'<Coding guid="10000000-0000-4000-8000-{number:012d}"><CodeRef '
            'targetGUID="d342cd5e-52d1-4894-a342-7d42ed947797"/></Coding></PlainTextSelection>')
    project = (
        '<?xml version="1.0" encoding="utf-8"?><Project xmlns="urn:QDA-XML:project:1.0" '
        'name="p" origin="QualCoder 4.0"><CodeBook><Codes><Code '
        'guid="d342cd5e-52d1-4894-a342-7d42ed947797" name="C" isCodable="true"/></Codes>'
        '</CodeBook><Sources><TextSource guid="acd630d1-1dde-4661-ac92-79d8bf18ff86" '
        'name="doc" plainTextPath="internal://acd630d1-1dde-4661-ac92-79d8bf18ff86.txt">'
        + "".join(selections) + "</TextSource></Sources></Project>")
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("project.qde", project)
        archive.writestr("sources/acd630d1-1dde-4661-ac92-79d8bf18ff86.txt",
                         ("\ufeff" + text).encode("utf-8"))
    return path


@pytest.mark.parametrize("fragments, after", [
    (["beta", "epsilon", "Zeta", " iota"], 1),
    (["beta", "epsilon", "Zeta", "kappa", "!!"], 2),
], ids=["white space at an edge", "the same words one on"])
def test_a_selection_after_an_emoji_lands_on_its_characters_whatever_came_before(
        fresh, tmp_path, fragments, after):
    """Selections before the emoji read the same as code points and as
    UTF-16 units: they vote for both, so the selections after it carry the
    vote, and "!!" of "!!!" (the same words one code point on) lands where
    QualCoder put it. The drag selection " iota" is also "iota " one code
    point on, the same words once compared loosely: with the vote tied, the
    exact reading is taken, never the one off by one."""
    text = "Alpha beta gamma. Delta epsilon. Zeta eta. \U0001F694 Theta iota kappa lambda!!!"
    report = import_qdpx(fresh, _utf16_project(tmp_path / "qc.qdpx", text, fragments))
    got = sorted((p["start"], p["end"], p["text"]) for p in passages.export_rows(fresh))
    assert got == sorted((text.index(f), text.index(f) + len(f), f) for f in fragments)
    assert report.readings == {"code points": 3, "UTF-16 units": after}


@pytest.mark.parametrize("name, codes, nested", [
    ("qualcoder/Codebook-made_by_qualcoder.qdc", 5, True),
    ("qualcoder/Codebook-dossier_via_qualcoder.qdc", 13, True),
    ("taguette/taguette_codebook.qdc", 15, False),
    ("taguette/taguette_codebook.csv", 15, False),
    ("taguette/input_codebook_from_dossier_json.csv", 13, False),
])
def test_every_codebook_file_imports(fresh, name, codes, nested):
    found = read_codebook_file(INTEROP / name)
    result = apply_codebook(fresh, found.entries)
    assert len(result["created"]) == codes == len(tags.list_tags(fresh))
    assert any(t["parent_id"] for t in tags.list_tags(fresh)) == nested
    names = {t["name"] for t in tags.list_tags(fresh)}
    if "taguette" in name and "input" not in name:
        assert "Cybercrime.Online scams.Romance 💔" in names
    if name.endswith(".csv"):
        assert '🔍 Evidence "seized"' in names
        online = tags.find_tag(fresh, "Online scams")
        assert online["description"] == ("Scam compounds, romance/investment fraud.\n"
                                         "Second line of description.")


def test_a_flat_codebook_leaves_the_tree_alone(fresh):
    apply_codebook(fresh, read_codebook_file(
        QUALCODER / "Codebook-dossier_via_qualcoder.qdc").entries)
    before = {t["name"]: t["parent_id"] for t in tags.list_tags(fresh)}
    assert before["Scam compounds"] is not None
    for flat in ("taguette/taguette_codebook.qdc", "taguette/taguette_codebook.csv"):
        apply_codebook(fresh, read_codebook_file(INTEROP / flat).entries)
        after = {t["name"]: t["parent_id"] for t in tags.list_tags(fresh)}
        assert {n: p for n, p in after.items() if n in before} == before


def test_dossier_import_of_every_file_says_what_each_is(tmp_path, capsys):
    folder = tmp_path / "interop"
    shutil.copytree(INTEROP, folder)
    db = tmp_path / "cli.db"
    code = main(["import", "--db", str(db), *sorted(
        str(p) for p in folder.rglob("*") if p.is_file() and p.suffix not in (".md", ".json"))])
    out, err = capsys.readouterr()
    assert code == 1     # some files are not articles: each is named with its reason
    assert "taguette_highlights.csv: not articles: a Taguette highlights export" in err
    assert "taguette_codebook.csv: not articles: a Taguette codebook export" in err
    assert "input_codebook_from_dossier_json.csv: not articles: a codebook" in err
    assert "taguette_codebook.qdc: a REFI-QDA codebook" in err
    assert "taguette_project.sqlite3: an SQLite database" in err
    assert "interview_scam.txt as article" in out
    assert "not imported from" in out and "Field journal" in out
    assert "not well-formed" in err
    stored = open_database(db)
    try:
        texts = [a["title"] for a in articles.list_articles(stored)]
        # no highlight or codebook row became an article
        assert not any(t in texts for t in ("scam article,Scam compounds", "interesting"))
        # the project's codings (three exports of one project: one article) + Dossier's
        # + the four highlights of Taguette's document export
        assert passages.passage_count(stored) == 7 + 57 + 4
    finally:
        stored.close()


@pytest.mark.parametrize("project", SAME_PROJECT[:2])
def test_the_same_file_as_txt_and_through_a_project_is_one_article(fresh, project):
    """QualCoder keeps the file's last line break; a .txt import trims it:
    one article either way round, its codings on the same words."""
    from desktop.importers.run import import_files

    import_files(fresh, [QUALCODER / "interview_scam.txt"])
    report = import_qdpx(fresh, QUALCODER / project)
    assert report.articles_added == [] and len(report.articles_existing) == 1
    assert fresh.execute("SELECT count(*) FROM articles").fetchone()[0] == 1
    for coding in EXPECTED["codings"]:
        start, end = coding["code_point_start_end"]
        assert articles.get_article(fresh, 1)["text"][start:end] == coding["text"]
    assert report.passages_added == 7


def test_a_project_then_the_txt_is_one_article(fresh, tmp_path):
    from desktop.importers.run import import_files

    import_qdpx(fresh, QUALCODER / SAME_PROJECT[0])
    import_files(fresh, [QUALCODER / "interview_scam.txt"])
    assert fresh.execute("SELECT count(*) FROM articles").fetchone()[0] == 1


@pytest.mark.parametrize("text", [
    "Page one: the raid freed 312 workers.\n\x0cPage two: buses left at 03:00.\n",
    "\nThe raid freed 312 workers.\nBuses left at 03:00.\n",
    " \x07\nThe raid freed 312 workers.\x1b\nBuses left at 03:00.",
], ids=["form feed", "leading blank line", "controls at the start and inside"])
@pytest.mark.parametrize("txt_first", [True, False], ids=["txt first", "project first"])
def test_a_file_with_control_characters_or_leading_blank_lines_is_one_article(
        fresh, tmp_path, text, txt_first):
    """A .txt import reads control characters (a PDF conversion's form
    feeds) as spaces and drops blank space at the start; a project's source
    is stored the same way, its positions moved back by what was cut."""
    from desktop.importers.run import import_files

    txt = tmp_path / "interview.txt"
    txt.write_bytes(("\ufeff" + text).encode("utf-8"))
    project = _utf16_project(tmp_path / "p.qdpx", text, ["freed 312 workers"])
    if txt_first:
        import_files(fresh, [txt])
    report = import_qdpx(fresh, project)
    if not txt_first:
        import_files(fresh, [txt])
    assert fresh.execute("SELECT count(*) FROM articles").fetchone()[0] == 1
    assert report.passages_added == 1 and report.skipped == []
    [row] = passages.export_rows(fresh)
    stored = articles.get_article(fresh, row["article_id"])["text"]
    assert stored[row["start"]:row["end"]] == row["text"] == "freed 312 workers"
    assert stored == stored.strip() and "\x0c" not in stored and "\x07" not in stored


def test_taguettes_document_export_brings_its_highlights_as_passages(tmp_path, capsys):
    """Taguette has no project export with offsets but this HTML: its
    highlights were imported as [tag] markers in the article's text."""
    path = TAGUETTE / "taguette_document.html"
    assert main(["import", str(path), "--db", str(tmp_path / "t.db")]) == 0
    out, err = capsys.readouterr()
    assert "its 4 highlights kept as passages" in err
    stored = open_database(tmp_path / "t.db")
    try:
        [article] = articles.list_articles(stored)
        text = articles.get_article(stored, article["id"])["text"]
        assert "[" not in text and "Scam compounds in Sihanoukville" in text
        found = {(p["text"], p["tag"], p["analyst"]) for p in
                 passages.passages_for_article(stored, article["id"])}
        assert found == {
            ("scam compound", "Scam compounds", "imported"),
            ("laundered money through crypto wallets", "Crypto laundering", "imported"),
            ("=SUM(A1:A9)", "Claim to verify", "imported"),
            ("We will keep working with our Australian partners against cybercrime,",
             "Key quote", "imported")}
        for p in passages.passages_for_article(stored, article["id"]):
            assert text[p["start"]:p["end"]] == p["text"]        # the stored offsets hold
    finally:
        stored.close()
    assert main(["import", str(path), "--db", str(tmp_path / "t.db")]) == 0   # again: none
    stored = open_database(tmp_path / "t.db")
    assert passages.passage_count(stored) == 4
    stored.close()


def test_a_taguette_highlight_over_two_paragraphs_and_two_tags(tmp_path, capsys):
    page = tmp_path / "doc.html"
    page.write_text(
        '<html><head><style>.taglist {}</style></head><body><h1>notes</h1>'
        '<p>Police said the <span class="highlight">raid freed</span></p>'
        '<p><span class="highlight">312 workers</span><span class="taglist"> [Raids, '
        'Trafficking]</span> on Tuesday, and the <span class="highlight">court</span>'
        '<span class="taglist"> [Courts]</span> sat.</p></body></html>', "utf-8")
    db_path = tmp_path / "t.db"
    assert main(["import", str(page), "--db", str(db_path)]) == 0
    stored = open_database(db_path)
    try:
        [article] = articles.list_articles(stored)
        text = articles.get_article(stored, article["id"])["text"]
        assert text == "Police said the raid freed\n\n312 workers on Tuesday, and the court sat."
        assert article["title"] == "notes"
        found = sorted((p["text"], p["tag"]) for p in
                       passages.passages_for_article(stored, article["id"]))
        assert found == [("court", "Courts"), ("raid freed\n\n312 workers", "Raids"),
                         ("raid freed\n\n312 workers", "Trafficking")]
    finally:
        stored.close()
