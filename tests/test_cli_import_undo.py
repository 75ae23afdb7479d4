"""``dossier undo`` takes back a whole ``dossier import``, however many
steps it was stored in (a file, a chunk of 500 rows each), and ``dossier
redo`` puts it back: one run, one change."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from desktop.importers.run import CHUNK_ROWS
from storage import journal, open_database, passages, tags
from storage.articles import article_count


def dossier(*args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "desktop", *args], capture_output=True,
                          text=True, timeout=300)


def _feed(path, rows: int, place: str = "Sihanoukville") -> None:
    path.write_text("\n".join(json.dumps({
        "title": f"Seizure report {i}",
        "text": f"Customs officers in {place} port {i} seized {i + 3} kilograms of "
                f"methamphetamine hidden in a shipment of tea, police said on day {i}.",
        "url": f"https://example.org/{place}/{i}"}) for i in range(rows)), encoding="utf-8")


def test_an_import_of_several_chunks_is_undone_and_redone_whole(tmp_path):
    path = tmp_path / "team.db"
    feed = tmp_path / "news.jsonl"
    rows = 2 * CHUNK_ROWS + 200
    _feed(feed, rows)
    imported = dossier("import", str(feed), "--db", str(path))
    assert imported.returncode == 0, imported.stderr
    db = open_database(path)
    assert article_count(db) == rows
    steps = [s for s in journal.history(db, limit=20) if s["name"].startswith("Import news")]
    assert len(steps) == 3           # a chunk a step: a stop keeps what was committed
    assert len({s["origin"] for s in steps}) == 1
    assert steps[0]["origin"].startswith(journal.IMPORT_RUN)
    db.close()

    undone = dossier("undo", "--db", str(path))
    assert undone.returncode == 0, undone.stderr
    assert "Undo “Import news.jsonl”" in undone.stdout
    assert f"{rows:,} articles" in undone.stdout
    assert article_count(open_database(path)) == 0

    redone = dossier("redo", "--db", str(path))
    assert redone.returncode == 0, redone.stderr
    assert "Redo “Import news.jsonl”" in redone.stdout
    assert article_count(open_database(path)) == rows


def test_a_later_change_is_undone_first_and_each_run_is_its_own(tmp_path):
    path = tmp_path / "team.db"
    first, second = tmp_path / "first.jsonl", tmp_path / "second"
    _feed(first, CHUNK_ROWS + 10)
    second.mkdir()
    (second / "brief.txt").write_text("Police in Phnom Penh arrested two men on Friday.",
                                      encoding="utf-8")
    _feed(second / "more.jsonl", CHUNK_ROWS + 5, place="Koh Kong")
    assert dossier("import", str(first), "--db", str(path)).returncode == 0
    assert dossier("import", str(second), "--db", str(path)).returncode == 0
    db = open_database(path)
    total = article_count(db)
    assert total == 2 * CHUNK_ROWS + 16
    article_id = db.execute("SELECT min(id) FROM articles").fetchone()[0]
    tag_id = tags.list_tags(db)[0]["id"]     # the starter codebook's
    with journal.step(db, "Tag passage", origin="window"):
        passages.add_passage(db, article_id=article_id, tag_id=tag_id, start=0, end=8,
                             analyst="ana")
    db.close()

    # the newest change first: the passage, then the second run, whole
    assert "Undo “Tag passage”" in dossier("undo", "--db", str(path)).stdout
    undone = dossier("undo", "--db", str(path))
    assert undone.returncode == 0, undone.stderr
    assert "and 1 more file" in undone.stdout
    assert article_count(open_database(path)) == CHUNK_ROWS + 10
    # then the first run, whole
    assert dossier("undo", "--db", str(path)).returncode == 0
    assert article_count(open_database(path)) == 0
    # redo puts back the run undone last: the first
    assert dossier("redo", "--db", str(path)).returncode == 0
    assert article_count(open_database(path)) == CHUNK_ROWS + 10


def test_an_import_of_one_step_is_undone_as_before(tmp_path):
    path = tmp_path / "team.db"
    brief = tmp_path / "brief.txt"
    brief.write_text("Interpol said the network laundered money through casinos.",
                     encoding="utf-8")
    assert dossier("import", str(brief), "--db", str(path)).returncode == 0
    undone = dossier("undo", "--db", str(path))
    assert undone.returncode == 0, undone.stderr
    assert "Undo “Import brief.txt”" in undone.stdout
    assert article_count(open_database(path)) == 0


def test_redo_puts_back_what_the_run_undo_took_no_more(tmp_path):
    """A chunk undone on its own first (``--step``) stays undone when the
    rest of the run is undone and redone; a second redo brings it back."""
    path = tmp_path / "team.db"
    feed = tmp_path / "news.jsonl"
    _feed(feed, 2 * CHUNK_ROWS + 200)
    assert dossier("import", str(feed), "--db", str(path)).returncode == 0
    db = open_database(path)
    chunks = sorted(s["id"] for s in journal.history(db, limit=10)
                    if s["name"].startswith("Import news"))
    db.close()
    assert len(chunks) == 3
    assert dossier("undo", "--step", str(chunks[1]), "--db", str(path)).returncode == 0
    assert article_count(open_database(path)) == CHUNK_ROWS + 200
    assert dossier("undo", "--db", str(path)).returncode == 0
    assert article_count(open_database(path)) == 0
    redone = dossier("redo", "--db", str(path))
    assert redone.returncode == 0, redone.stderr
    assert f"{CHUNK_ROWS + 200:,} articles" in redone.stdout
    assert article_count(open_database(path)) == CHUNK_ROWS + 200
    assert dossier("redo", "--db", str(path)).returncode == 0
    assert article_count(open_database(path)) == 2 * CHUNK_ROWS + 200


def test_a_project_imported_in_the_same_run_is_undone_with_it(tmp_path):
    path = tmp_path / "team.db"
    feed = tmp_path / "news.jsonl"
    _feed(feed, CHUNK_ROWS + 20)
    project = Path(__file__).parent / "data" / "interop" / "qualcoder" / "made_by_qualcoder.qdpx"
    imported = dossier("import", str(feed), str(project), "--db", str(path))
    assert imported.returncode in (0, 1), imported.stderr
    db = open_database(path)
    assert article_count(db) > CHUNK_ROWS + 20         # the project's sources too
    run = {s["origin"] for s in journal.history(db, limit=10) if s["name"].startswith("Import")}
    db.close()
    assert len(run) == 1
    undone = dossier("undo", "--db", str(path))
    assert undone.returncode == 0, undone.stderr
    assert "and 1 more file" in undone.stdout
    assert article_count(open_database(path)) == 0


def test_history_shows_a_run_on_one_line(tmp_path, capsys):
    """A folder of files was a line a file in `dossier history` (a hundred
    files, a hundred lines), though undo takes the run back as one."""
    from desktop.cli import main

    path, folder = tmp_path / "team.db", tmp_path / "reports"
    folder.mkdir()
    for i in range(4):
        (folder / f"r{i}.txt").write_text(f"Report {i}\n\nPolice in district {i} seized "
                                          f"{i + 2} kilograms of drugs.", "utf-8")
    assert main(["import", str(folder), "--db", str(path)]) == 0
    assert main(["tag", "add", "Seizures", "--db", str(path)]) == 0
    capsys.readouterr()
    assert main(["history", "--db", str(path)]) == 0
    lines = capsys.readouterr().out.splitlines()
    [run] = [line for line in lines if "of one run" in line]
    assert "4 steps" in run and "Import r0.txt …" in run and "… Import r3.txt" in run
    assert not any("Import r1.txt" in line for line in lines)
    assert "Seizures" in lines[0]                     # newest first, on a line of its own
    assert main(["undo", "--db", str(path)]) == 0      # the tag
    assert main(["undo", "--db", str(path)]) == 0      # the run
    capsys.readouterr()
    assert main(["history", "--db", str(path)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert sum("of one run" in line for line in lines) == 2   # the run's undo, the run
    capsys.readouterr()
    assert main(["history", "--limit", "1", "--db", str(path)]) == 0
    lines = capsys.readouterr().out.splitlines()      # --limit counts lines, runs whole
    assert len(lines) == 1 and "4 steps" in lines[0] and "(4 rows)" in lines[0]


def test_a_window_import_cut_short_is_one_run_for_dossier_undo(tmp_path, capsys):
    """A window killed (or closed) mid-import left a step a chunk under its
    own origin: the window that could undo them was gone, and ``dossier
    undo`` took back one chunk (one file) a call. The window's import is a
    run of its own, still the window's (not published to it as foreign)."""
    from desktop.cli import main
    from desktop.importers import import_files

    path = tmp_path / "window.db"
    feed = tmp_path / "news.jsonl"
    _feed(feed, 3 * CHUNK_ROWS)
    db = open_database(path)
    from desktop.first_run import ensure_codebook
    ensure_codebook(db)                                 # as the window's file has
    window_origin = journal.new_origin()
    seen = journal.last_step_id(db)
    done = []
    import_files(db, [feed], one_step="Import news.jsonl",
                 origin=journal.own_import_run(window_origin),
                 on_progress=lambda n, total: done.append(n),
                 is_cancelled=lambda: bool(done) and done[-1] >= 2 * CHUNK_ROWS)
    kept = article_count(db)
    assert 0 < kept < 3 * CHUNK_ROWS                    # cut short after two chunks
    assert not journal.changes_since(db, seen, exclude_origin=window_origin)
    assert journal.changes_since(db, seen, exclude_origin=journal.new_origin())
    db.close()
    assert main(["undo", "--db", str(path)]) == 0
    assert f"{kept:,} articles" in capsys.readouterr().out
    assert article_count(open_database(path)) == 0
