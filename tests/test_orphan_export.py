"""Orphaned passages (their words gone from a changed article) in exports:
flagged and never at stale offsets past the end of the source — .qdpx (an
empty selection at 0–0 with a Description), W3C (quote only, no position,
``dossier:anchor``), CSV (``anchor``) — or left out of the spaCy export
with a count; and a round trip of our own .qdpx keeps them. Run with the
real ``dossier`` command on real files."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from desktop.first_run import ensure_codebook
from storage import articles, open_database, passages, tags

ROOT = Path(__file__).resolve().parent.parent
OLD = ("The minister said the joint task force arrested forty suspects in a scam compound "
       "near the border on Friday, and that the raid was the biggest this year by far. "
       "Police in Phnom Penh thanked their Australian partners.")
NEW = "Police in Phnom Penh thanked their Australian partners."
NS = {"q": "urn:QDA-XML:project:1.0"}


def dossier(*args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-m", "desktop", *args], env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=180)


@pytest.fixture
def orphan_db(tmp_path) -> Path:
    path = tmp_path / "orphans.db"
    db = open_database(path, create=True)
    ensure_codebook(db)
    article_id, _ = articles.add_article(db, title="Raid", text=OLD)
    tag_id = tags.find_tag(db, "Key quote")["id"]
    for words in ("the biggest this year", "Australian partners"):
        start = OLD.index(words)
        passages.add_passage(db, article_id=article_id, tag_id=tag_id, start=start,
                             end=start + len(words), analyst="ana",
                             note="check" if words.startswith("the") else "")
    counts = articles.replace_article_text(db, article_id, NEW)
    assert counts["orphaned"] == 1
    orphan = db.execute("SELECT start, end FROM passages WHERE anchor = 'orphaned'").fetchone()
    assert orphan[0] > len(NEW)                   # stale offsets, past the end
    db.close()
    return path


def stored(path: Path) -> list[tuple]:
    db = open_database(path)
    try:
        return [tuple(r) for r in db.execute(
            "SELECT p.text, p.start, p.end, p.anchor, p.note, a.text FROM passages p "
            "JOIN articles a ON a.id = p.article_id ORDER BY p.text")]
    finally:
        db.close()


def test_qdpx_flags_the_orphan_and_a_round_trip_keeps_it(orphan_db, tmp_path):
    out = tmp_path / "project.qdpx"
    done = dossier("export", "--format", "qdpx", "-o", str(out), "--db", str(orphan_db))
    assert done.returncode == 0, done.stderr
    assert "1 orphaned passage" in done.stderr
    with zipfile.ZipFile(out) as archive:
        project = archive.read("project.qde")
        source_text = next(archive.read(n) for n in archive.namelist()
                           if n.startswith("sources/")).decode("utf-8")
    root = etree.fromstring(project)
    schema = etree.XMLSchema(etree.parse(str(ROOT / "tests" / "data" / "Project-mrt2019.xsd")))
    assert schema.validate(root), schema.error_log
    selections = root.findall(".//q:PlainTextSelection", NS)
    assert len(selections) == 2
    for selection in selections:
        assert 0 <= int(selection.get("startPosition")) <= int(selection.get("endPosition")) \
            <= len(source_text)
    [orphan] = [s for s in selections if s.find("q:Description", NS) is not None]
    assert (orphan.get("startPosition"), orphan.get("endPosition")) == ("0", "0")
    assert "no longer in this text" in orphan.find("q:Description", NS).text

    again = tmp_path / "again.db"
    done = dossier("import", str(out), "--db", str(again))
    assert done.returncode == 0, done.stderr
    rows = stored(again)
    assert [(r[0], r[3]) for r in rows] == [("Australian partners", "ok"),
                                            ("the biggest this year", "orphaned")]
    ok = rows[0]
    assert ok[5][ok[1]:ok[2]] == "Australian partners"
    assert rows[1][4] == "check"                        # the orphan's note came too
    # importing the same project again adds nothing
    done = dossier("import", str(out), "--db", str(again))
    assert len(stored(again)) == 2


def test_a_round_trip_keeps_when_the_orphan_was_made_and_last_changed(orphan_db, tmp_path):
    from desktop.exporters import export_passages
    from desktop.refi_qda.import_project import import_qdpx
    from storage import journal

    db = open_database(orphan_db)
    with journal.step(db, "Test: set times"):
        db.execute("UPDATE passages SET created_at = '2024-01-02T03:04:05+00:00', "
                   "updated_at = '2024-02-03T04:05:06+00:00'")
    export_passages(db, tmp_path / "project.qdpx", "qdpx")
    again = open_database(tmp_path / "again.db")
    import_qdpx(again, tmp_path / "project.qdpx")
    assert [tuple(r) for r in again.execute(
        "SELECT anchor, created_at, updated_at FROM passages ORDER BY anchor")] == [
        ("ok", "2024-01-02T03:04:05+00:00", "2024-02-03T04:05:06+00:00"),
        ("orphaned", "2024-01-02T03:04:05+00:00", "2024-02-03T04:05:06+00:00")]


def test_w3c_gives_the_orphan_its_quote_but_no_position(orphan_db, tmp_path):
    out = tmp_path / "notes.jsonld"
    done = dossier("export", "--format", "w3c", "-o", str(out), "--db", str(orphan_db))
    assert done.returncode == 0, done.stderr
    assert "1 orphaned passage" in done.stderr
    data = json.loads(out.read_text("utf-8"))
    items = {item["target"]["selector"][0]["exact"]: item for item in data["first"]["items"]}
    orphan, ok = items["the biggest this year"], items["Australian partners"]
    assert orphan["dossier:anchor"] == "orphaned" and ok["dossier:anchor"] == "moved"
    assert [s["type"] for s in orphan["target"]["selector"]] == ["TextQuoteSelector"]
    position = ok["target"]["selector"][1]
    assert NEW[position["start"]:position["end"]] == "Australian partners"
    assert data["@context"][1]["dossier"]


def test_spacy_leaves_the_orphan_out_and_says_so(orphan_db, tmp_path):
    out = tmp_path / "train.spacy"
    done = dossier("export", "--format", "spacy", "-o", str(out), "--db", str(orphan_db))
    assert done.returncode == 0, done.stderr
    assert "1 orphaned passage in “Raid” left out" in done.stderr
    import spacy
    from spacy.tokens import DocBin

    [doc] = DocBin().from_bytes(out.read_bytes()).get_docs(spacy.blank("en").vocab)
    assert [span.text for span in doc.spans["dossier"]] == ["Australian partners"]


def test_csv_marks_the_orphan(orphan_db, tmp_path):
    out = tmp_path / "p.csv"
    assert dossier("export", "--format", "csv", "-o", str(out),
                   "--db", str(orphan_db)).returncode == 0
    rows = list(csv.DictReader(out.open(encoding="utf-8", newline="")))
    assert {r["text"]: r["anchor"] for r in rows} == {"the biggest this year": "orphaned",
                                                      "Australian partners": "moved"}


def test_two_analysts_orphans_of_the_same_words_both_come_back(tmp_path):
    """Two analysts' passages on the same words, both orphaned by a text
    change: a round trip through .qdpx kept one (the other "already
    present")."""
    from desktop.refi_qda.import_project import import_qdpx

    db = open_database(tmp_path / "two.db", create=True)
    ensure_codebook(db)
    article_id, _ = articles.add_article(db, title="Raid", text=OLD)
    tag_id = tags.find_tag(db, "Key quote")["id"]
    start = OLD.index("the biggest this year")
    for analyst in ("ana", "bob"):
        passages.add_passage(db, article_id=article_id, tag_id=tag_id, start=start,
                             end=start + len("the biggest this year"), analyst=analyst)
    assert articles.replace_article_text(db, article_id, NEW)["orphaned"] == 2
    out = tmp_path / "project.qdpx"
    from desktop.exporters import export_passages
    export_passages(db, out, "qdpx")
    target = open_database(tmp_path / "again.db", create=True)
    report = import_qdpx(target, out)
    assert (report.passages_added, report.passages_existing) == (2, 0)
    assert sorted(target.execute("SELECT analyst, anchor FROM passages")) == [
        ("ana", "orphaned"), ("bob", "orphaned")]
    assert import_qdpx(target, out).passages_existing == 2
