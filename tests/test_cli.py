"""The dossier command line, run in-process on real database files."""

from __future__ import annotations

import csv
import json

import pytest

from desktop.cli import main
from storage import articles, open_database, passages, tags

from conftest import SEEDS


def run(capsys, *argv):
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def test_import_list_and_stats(tmp_path, capsys):
    db_path = str(tmp_path / "cli.db")
    status, out, _ = run(capsys, "import", str(SEEDS), "--db", db_path)
    assert status == 0 and "5 imported" in out
    status, out, _ = run(capsys, "list", "--json", "--db", db_path)
    listed = json.loads(out)
    assert [a["id"] for a in listed] == [1, 2, 3, 4, 5]
    assert set(listed[0]) == {"id", "title", "source", "published", "passage_count"}
    assert listed[4]["published"] == "2024-06-13"
    status, out, _ = run(capsys, "stats", "--db", db_path)
    assert json.loads(out) == {"articles": 5, "analysed_articles": 0, "tags": 9,
                               "passages": 0, "entities": 0, "quotes": 0}


@pytest.mark.slow
def test_analyse_then_stats_counts_entities_and_quotes(seeded_db_path, capsys):
    status, out, _ = run(capsys, "analyse", "--db", str(seeded_db_path))
    assert status == 0 and "analysed 5 articles" in out
    stats = json.loads(run(capsys, "stats", "--db", str(seeded_db_path))[1])
    assert stats["analysed_articles"] == 5
    assert stats["entities"] > 100 and stats["quotes"] >= 15
    # a second run finds nothing left to do
    assert "analysed 0 articles" in run(capsys, "analyse", "--db", str(seeded_db_path))[1]


def test_stats_counts_the_quotes_as_corrected_like_dossier_quotes(analysed_db_path, capsys):
    """A quote marked "not a quote" is not counted, quotes marked by hand
    are: the number `dossier quotes` and the Quotes tab list."""
    from storage import speaker_corrections

    db = open_database(analysed_db_path)
    raw = db.execute("SELECT count(*) FROM quotes").fetchone()[0]
    first = db.execute("SELECT a.id, q.start, q.end FROM quotes q JOIN analyses n "
                       "ON n.id = q.analysis_id JOIN articles a ON a.id = n.article_id "
                       "ORDER BY a.id, q.start LIMIT 1").fetchone()
    speaker_corrections.mark_not_quote(db, *first, analyst="A")
    speaker_corrections.mark_as_quote(db, 1, 0, 10, "Someone", analyst="A")
    speaker_corrections.mark_as_quote(db, 1, 20, 30, "Someone", analyst="A")
    db.close()
    status, out, _ = run(capsys, "quotes", "--json", "--db", str(analysed_db_path))
    listed = len(json.loads(out))
    assert status == 0 and listed == raw - 1 + 2
    stats = json.loads(run(capsys, "stats", "--db", str(analysed_db_path))[1])
    assert stats["quotes"] == listed


def test_the_quote_count_follows_every_kind_of_correction(analysed_db_path):
    """storage.stats counts the corrected quotes without listing them: the
    count must stay the number of rows `dossier quotes` lists."""
    from storage import quotes, speaker_corrections, stats

    db = open_database(analysed_db_path)
    raw = db.execute("SELECT count(*) FROM quotes").fetchone()[0]
    first, second, third = [tuple(r) for r in db.execute(
        "SELECT a.id, q.start, q.end FROM quotes q JOIN analyses n ON n.id = q.analysis_id "
        "JOIN articles a ON a.id = n.article_id ORDER BY a.id, q.start LIMIT 3")]
    speaker_corrections.mark_not_quote(db, *first, analyst="A")                 # -1
    speaker_corrections.set_speaker(db, *second, "Jane Doe", analyst="A")       # 0
    speaker_corrections.mark_as_quote(db, *third, "Jane Doe", analyst="A")      # 0: there
    speaker_corrections.mark_as_quote(db, 2, 0, 10, "Someone", analyst="A")     # +1
    unanalysed, _ = articles.add_article(db, title="new", text="“Words,” she said.")
    speaker_corrections.mark_as_quote(db, unanalysed, 0, 8, "Someone", analyst="A")  # +1
    listed = len(list(quotes.all_quotes(db)))
    assert listed == raw + 1
    assert stats.counts(db)["quotes"] == listed
    assert quotes.quote_count(db) == listed
    db.close()


def _tag_two(db_path):
    db = open_database(db_path)
    text = articles.get_article(db, 1)["text"]
    start = text.index("Neth Savoeun")
    passages.add_passage(db, article_id=1, tag_id=tags.find_tag(db, "Diplomacy")["id"],
                         start=start, end=start + 12, analyst="ana", note='says "hi",\nok')
    passages.add_passage(db, article_id=2, tag_id=tags.find_tag(db, "Cybercrime")["id"],
                         start=0, end=8, analyst="bo")
    db.close()
    return text, start


def test_export_csv_and_jsonl(seeded_db_path, tmp_path, capsys):
    text, start = _tag_two(seeded_db_path)
    out_csv = tmp_path / "out.csv"
    status, out, _ = run(capsys, "export", "--format", "csv", "-o", str(out_csv),
                         "--db", str(seeded_db_path))
    assert status == 0 and "exported 2" in out
    with out_csv.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [r["tag"] for r in rows] == ["Diplomacy", "Cybercrime"]
    first = rows[0]
    assert (first["article_id"], first["start"], first["end"]) == ("1", str(start), str(start + 12))
    assert first["text"] == text[start:start + 12] == "Neth Savoeun"
    assert first["note"] == 'says "hi",\nok' and first["analyst"] == "ana"
    assert {"article_title", "created_at"} <= set(first)

    out_jsonl = tmp_path / "out.jsonl"
    run(capsys, "export", "--format", "jsonl", "-o", str(out_jsonl), "--tag", "cybercrime",
        "--db", str(seeded_db_path))
    [row] = [json.loads(line) for line in out_jsonl.read_text("utf-8").splitlines()]
    assert (row["tag"], row["start"], row["end"], row["text"]) == ("Cybercrime", 0, 8, "Cambodia")


@pytest.mark.parametrize("argv,message", [
    (["list"], "no database at"),
    (["export", "--format", "csv", "-o", "x.csv"], "no database at"),
])
def test_missing_database_is_an_error(tmp_path, capsys, argv, message):
    status, _, err = run(capsys, *argv, "--db", str(tmp_path / "missing.db"))
    assert status == 2 and message in err and len(err.strip().splitlines()) == 1
    assert "dossier import FILE --db" in err          # and how to make one
    assert not (tmp_path / "missing.db").exists()


def test_not_a_database_is_an_error_and_untouched(tmp_path, capsys):
    path = tmp_path / "thesis.docx"
    path.write_bytes(b"PK\x03\x04 pretend word file" * 50)
    before = path.read_bytes()
    for argv in (["list"], ["stats"], ["import", str(SEEDS)], ["analyse"]):
        status, _, err = run(capsys, *argv, "--db", str(path))
        assert status == 2 and "not a Dossier database" in err
    assert path.read_bytes() == before


@pytest.mark.parametrize("argv", [
    ["tag", "add", "Busy"],
    ["delete", "1"],
    ["autotag", "--tag", "Drugs", "--phrase", "Cambodia"],
    ["codebook", "import", "{codebook}"],
])
def test_a_busy_database_is_one_line_and_the_command_works_once_free(
        seeded_db_path, tmp_path, capsys, monkeypatch, argv):
    import sqlite3

    import storage.database

    codebook = tmp_path / "codebook.csv"
    codebook.write_text("name,description,color,parent\nBusy,,,\n", "utf-8")
    argv = [arg.format(codebook=codebook) for arg in argv]
    db = str(seeded_db_path)
    stats = run(capsys, "stats", "--db", db)[1]
    monkeypatch.setattr(storage.database, "BUSY_TIMEOUT_SECONDS", 0.2)
    other = sqlite3.connect(seeded_db_path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")      # a window or another dossier run writing
    try:
        status, _, err = run(capsys, *argv, "--db", db)
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert status == 1 and err == (
        f"dossier: error: {db} is busy: another Dossier window or command is writing to "
        f"it; nothing was changed, try again\n")
    assert run(capsys, "stats", "--db", db)[1] == stats
    assert run(capsys, *argv, "--db", db)[0] == 0


def test_a_busy_database_met_midway_through_analyse_keeps_what_was_stored(
        seeded_db_path, capsys, monkeypatch):
    import sqlite3

    import desktop.analysis_service

    class LockedMidway:
        """A pool whose writer meets another's lock after storing some
        articles (the real error, from a real second writer)."""

        def __init__(self, *args, **kwargs):
            pass

        def load(self):
            return {"warnings": [], "name": "test", "version": "0"}

        def analyse(self, *args, **kwargs):
            holder = sqlite3.connect(seeded_db_path, isolation_level=None)
            writer = sqlite3.connect(seeded_db_path, timeout=0)
            holder.execute("BEGIN IMMEDIATE")
            try:
                writer.execute("BEGIN IMMEDIATE")
            finally:
                holder.execute("ROLLBACK")
                holder.close()
                writer.close()

        def close(self):
            pass

    monkeypatch.setattr(desktop.analysis_service, "AnalysisPool", LockedMidway)
    status, _, err = run(capsys, "analyse", "--db", str(seeded_db_path))
    assert status == 1 and err.endswith(
        "is busy: another Dossier window or command is writing to it; the articles "
        "analysed before stay; run it again to go on\n")


def test_import_with_skipped_files_exits_non_zero(tmp_path, capsys):
    (tmp_path / "bad.txt").write_bytes(b"\xff\xfe\x00\x00")
    status, out, err = run(capsys, "import", str(tmp_path / "bad.txt"),
                           str(tmp_path / "nope.txt"), "--db", str(tmp_path / "x.db"))
    assert status == 1
    assert "skipped" in err and "nope.txt: no such file or folder" in err


def test_export_unknown_tag_is_an_error(seeded_db_path, tmp_path, capsys):
    status, _, err = run(capsys, "export", "--format", "csv", "-o", str(tmp_path / "x.csv"),
                         "--tag", "Nonsense", "--db", str(seeded_db_path))
    assert status == 2 and "no tag called" in err
    assert not (tmp_path / "x.csv").exists()


def test_quotes_json_lists_every_quote_with_its_speaker(analysed_db_path, capsys):
    status, out, _ = run(capsys, "quotes", "--json", "--db", str(analysed_db_path))
    assert status == 0
    rows = json.loads(out)
    assert set(rows[0]) == {"key", "article_id", "article_title", "start", "end", "text",
                            "kind", "speaker", "speaker_kind", "cue", "method", "to_check",
                            "corrected", "original_speaker"}
    assert not any(r["corrected"] for r in rows)      # nothing corrected yet
    assert {r["method"] for r in rows if r["speaker"]} <= {"cue", "pronoun", "inherited",
                                                          "guessed"}
    assert all(r["to_check"] == (r["method"] != "cue") for r in rows
               if r["kind"] == "direct")
    db = open_database(analysed_db_path)
    for row in rows:
        assert articles.get_article(db, row["article_id"])["text"][row["start"]:row["end"]] \
            == row["text"]
    spoken = [r for r in rows if r["kind"] == "direct"]
    assert len(spoken) == 17
    by_speaker = {r["text"][:32]: (r["speaker"], r["speaker_kind"], r["cue"]) for r in spoken}
    assert by_speaker["It may affect social order, or e"] == ("Am Sam Ath", "person", "said")
    assert by_speaker["Both sides also agreed on the ne"] == (
        "press release from the ministry", "document", "said")
    status, out, _ = run(capsys, "quotes", "--speaker", "Am Sam Ath", "--db",
                         str(analysed_db_path))
    assert out.count("Am Sam Ath") == 1
    # the plain list: kind, method, the to-check mark, speakers in one column
    status, out, _ = run(capsys, "quotes", "--db", str(analysed_db_path))
    lines = out.splitlines()
    assert len(lines) == len(rows)
    assert len({line.index("“") for line in lines}) == 1       # the quotes line up
    for line, row in zip(lines, rows):
        fields = line.split()
        assert fields[1:3] == [row["kind"], row["method"] or "—"]
        assert (line.split(row["method"] or "—", 1)[1].lstrip(" ")[0] == "?") \
            == row["to_check"]


def test_cli_quotes_speaker_ignores_surrounding_spaces(analysed_db_path, capsys):
    """The window's filters strip a typed name; ``--speaker "Am Sam Ath "``
    (a name pasted with its space) listed no quote."""
    status, out, err = run(capsys, "quotes", "--json", "--speaker", " Am Sam Ath ",
                           "--db", str(analysed_db_path))
    assert status == 0, err
    assert [r["speaker"] for r in json.loads(out)] == ["Am Sam Ath"]


@pytest.mark.parametrize("speaker", ["--speaker=", "--speaker=  "])
def test_quotes_of_an_empty_speaker_ask_for_a_name(seeded_db_path, capsys, speaker):
    status, out, err = run(capsys, "quotes", speaker, "--db", str(seeded_db_path))
    assert status == 2 and out == "" and err == (
        "dossier: error: --speaker needs a name (leave it out for every speaker's quotes)\n")


def test_gui_without_a_display_says_so(monkeypatch, capsys):
    for name in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr("sys.platform", "linux")
    status, _, err = run(capsys)
    assert status == 2 and "no display" in err


def test_import_of_mixed_formats_names_each_skipped_file_and_exits_1(tmp_path, capsys):
    from document_files import WEB_PAGE, write_docx

    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "page.html").write_text(WEB_PAGE, "utf-8")
    write_docx(folder / "memo.docx", ["Memo about the AFP training programme."])
    (folder / "feed.csv").write_text("title,body\nOne,First row text.\nTwo,\n", "utf-8")
    (folder / "broken.pdf").write_bytes(b"%PDF-1.7 cut off")
    for seed in sorted(SEEDS.glob("00[14]_*.txt")):
        (folder / seed.name).write_bytes(seed.read_bytes())
    db_path = str(tmp_path / "cli.db")
    status, out, err = run(capsys, "import", str(folder), "--db", db_path)
    assert status == 1
    assert err.splitlines() == [
        f"skipped {folder / 'broken.pdf'}: incomplete PDF (no end-of-file marker: truncated?)",
        f"skipped {folder / 'feed.csv'} (row 3): no article text"]
    assert "article 2 is similar to article 1 (similarity 0.36)" in out
    assert out.splitlines()[-1] == ("5 imported, 0 already present, 2 skipped, "
                                    "1 similar to other articles")
    listed = json.loads(run(capsys, "list", "--json", "--db", db_path)[1])
    assert {a["title"] for a in listed} >= {
        "Cambodia and Australia deepen police cooperation", "One",
        "Memo about the AFP training programme"}


def test_output_into_a_closed_pipe_ends_quietly(analysed_db_path):
    """``dossier quotes | head``: the reader stops early (here at once: ``true``
    reads nothing); no traceback, exit status 1 (problems)."""
    import os
    import subprocess
    import sys

    shell = subprocess.run(
        f"{sys.executable} -m desktop quotes --db {analysed_db_path} | true; "
        "echo status=${PIPESTATUS[0]}", shell=True, executable="/bin/bash",
        capture_output=True, text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    assert "Traceback" not in shell.stderr and "BrokenPipe" not in shell.stderr
    assert "status=1" in shell.stdout


def test_empty_answers_say_why(tmp_path, capsys):
    """`dossier quotes` before any analysis, `feeds list` with none followed
    and an ftp:// address printed nothing, or "no such file", and exited 0."""
    db_path = str(tmp_path / "d.db")
    run(capsys, "import", str(SEEDS), "--db", db_path)
    status, out, err = run(capsys, "quotes", "--db", db_path)
    assert status == 0 and out == ""
    assert "5 of 5 articles not analysed" in err and "dossier analyse" in err
    status, out, err = run(capsys, "quotes", "--speaker", "Nobody Here", "--db", db_path)
    assert "no quote of 'Nobody Here'" in err
    status, out, err = run(capsys, "feeds", "list", "--db", db_path)
    assert status == 0 and out == "" and "dossier feeds add URL" in err
    status, out, err = run(capsys, "import", "ftp://example.org/a.txt", "--db", db_path)
    assert "only http:// and https:// addresses" in out + err


def test_a_broken_json_file_is_named_with_its_line_and_column(tmp_path, capsys):
    bad = tmp_path / "bad.json"
    bad.write_text('{"text": "unterminated\n', "utf-8")
    status, out, err = run(capsys, "import", str(bad), "--db", str(tmp_path / "d.db"))
    assert status != 0
    assert "not valid JSON (Invalid control character at line 1, column 23)" in out + err
