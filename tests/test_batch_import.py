"""Big batch files: streamed row by row, committed in chunks (a SIGKILL
keeps every committed chunk and never half a row; the same import run
again continues), rows that are not text skipped on their own, progress
in rows, and a progress bar with rate and ETA on the command line."""

from __future__ import annotations

import csv
import fcntl
import json
import os
import pty
import signal
import sqlite3
import struct
import subprocess
import sys
import termios
import time
import tracemalloc
from pathlib import Path

import pytest

from desktop.importers import import_files
from desktop.importers.run import CHUNK_ROWS, MAX_LISTED_SKIPS
from storage import articles

DOSSIER = [sys.executable, "-m", "desktop.cli"]


def news_rows(count: int, start: int = 0) -> list[dict]:
    return [{"title": f"Raid number {n} in Kampot", "content":
             f"Police in Kampot Province said on Monday that raid {n} freed {n % 90 + 3} "
             f"workers held by a Sihanoukville compound run by Company {n}. "
             f"Officers from Phnom Penh and Interpol took part.",
             "url": f"https://example.org/news/{n}", "source": {"name": "Khmer Times"},
             "author": "Sok Chea", "publishedAt": "2024-06-13T08:00:00Z"}
            for n in range(start, start + count)]


def write_jsonl(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), "utf-8")
    return path


def test_rows_are_committed_in_chunks_and_progress_counts_rows(tmp_path, db):
    path = write_jsonl(tmp_path / "feed.jsonl", news_rows(1200))
    (tmp_path / "note.txt").write_text("A single article file, counted as one.", "utf-8")
    commits, seen = [], []
    db.conn.set_trace_callback(lambda sql: commits.append(sql) if sql.strip().upper()
                               in ("COMMIT", "RELEASE SAVEPOINT") or
                               sql.startswith("RELEASE") else None)
    report = import_files(db, [path, tmp_path / "note.txt"],
                          on_progress=lambda done, total: seen.append((done, total)))
    db.conn.set_trace_callback(None)
    assert len(report.added) == 1201 and articles.article_count(db) == 1201
    assert seen[-1] == (1201, 1201) and all(total == 1201 for _, total in seen)
    assert [done for done, _ in seen] == sorted(done for done, _ in seen)
    assert len(seen) >= 12           # every 100 rows, not once a file
    assert len(commits) >= 1200 // CHUNK_ROWS


def test_a_big_file_commits_in_bigger_chunks_each_a_journal_step(tmp_path, db,
                                                                 monkeypatch):
    from desktop import near_duplicates
    from desktop.importers import run
    from storage import journal

    monkeypatch.setattr(near_duplicates, "RUN_WINDOW", 1)    # the window at its least
    assert run.chunk_rows(run.BIG_IMPORT_ROWS - 1) == CHUNK_ROWS
    assert run.chunk_rows(run.BIG_IMPORT_ROWS) == run.BIG_CHUNK_ROWS > CHUNK_ROWS
    monkeypatch.setattr(run, "BIG_IMPORT_ROWS", 2000)
    monkeypatch.setattr(run, "BIG_CHUNK_ROWS", 1000)
    path = write_jsonl(tmp_path / "feed.jsonl", news_rows(2500))
    report = import_files(db, [path])
    assert len(report.added) == 2500 and articles.article_count(db) == 2500
    assert [step["name"] for step in journal.history(db)][:3] == [
        f"Import feed.jsonl from row {row}" for row in (2001, 1001, 1)]
    # the linker's window covers the writer's bigger open chunk
    assert run.linker_window(1000) - run.linker_window(CHUNK_ROWS) == 1000 - CHUNK_ROWS


def test_a_large_import_commits_without_fsync_and_puts_the_settings_back(tmp_path, db):
    path = write_jsonl(tmp_path / "news.jsonl", news_rows(CHUNK_ROWS + 100))
    before = [db.execute(f"PRAGMA {name}").fetchone()[0]
              for name in ("synchronous", "wal_autocheckpoint")]
    during = set()
    import_files(db, [path], on_progress=lambda done, total: during.add(tuple(
        db.execute(f"PRAGMA {name}").fetchone()[0]
        for name in ("synchronous", "wal_autocheckpoint"))))
    assert before == [2, 1000]       # FULL: an analyst's change waits for the disk
    assert (1, 16_000) in during     # NORMAL, and the log copied in less often
    assert [db.execute(f"PRAGMA {name}").fetchone()[0]
            for name in ("synchronous", "wal_autocheckpoint")] == before
    # a small import keeps waiting for the disk
    during.clear()
    import_files(db, [write_jsonl(tmp_path / "few.jsonl", news_rows(5, start=10_000))],
                 on_progress=lambda done, total: during.add(
                     db.execute("PRAGMA synchronous").fetchone()[0]))
    assert during == {2}


def test_a_large_import_is_searchable_row_by_row_and_later_articles_too(tmp_path, db):
    # (its chunks are indexed for search in one statement each)
    import_files(db, [write_jsonl(tmp_path / "news.jsonl", news_rows(CHUNK_ROWS + 100))])
    found = lambda query: db.execute(  # noqa: E731
        "SELECT count(*) FROM articles_fts WHERE articles_fts MATCH ?", [query]).fetchone()[0]
    assert found("kampot") == CHUNK_ROWS + 100
    assert found('"company 537"') == found('"raid number 12"') == 1
    db.execute("INSERT INTO articles_fts (articles_fts) VALUES ('integrity-check')")
    articles.add_article(db, title="Later", text="A raid in Battambang freed 40 workers.")
    assert found("battambang") == 1


def test_an_update_import_replaces_a_text_met_earlier_in_the_same_chunk(tmp_path, db):
    rows = [{"title": f"T{n}", "text": f"Story number {n} about floods in Kampot, officials said.",
             "url": f"https://e.org/{n}"} for n in range(10)]
    rows.append({"title": "T3", "text": "Story number 3 revised: zebras in Battambang, "
                                        "officials said.", "url": "https://e.org/3"})
    report = import_files(db, [write_jsonl(tmp_path / "f.jsonl", rows)], update=True)
    assert (len(report.added), len(report.updated), report.skipped) == (10, 1, [])
    found = lambda query: db.execute(  # noqa: E731
        "SELECT count(*) FROM articles_fts WHERE articles_fts MATCH ?", [query]).fetchone()[0]
    assert found("zebras") == 1 and found("floods") == 9
    db.execute("INSERT INTO articles_fts (articles_fts) VALUES ('integrity-check')")


def test_cancel_keeps_the_committed_chunks(tmp_path, db):
    path = write_jsonl(tmp_path / "feed.jsonl", news_rows(1500))
    # the count sees the running chunk's rows: Cancel comes in the second chunk
    report = import_files(db, [path], is_cancelled=lambda: articles.article_count(db) >= 600)
    assert report.cancelled
    assert articles.article_count(db) == CHUNK_ROWS == len(report.added)


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.slow
def test_a_killed_import_keeps_whole_chunks_and_the_same_import_continues(tmp_path):
    from benchmarks.import_speed import generate

    path = generate(tmp_path / "news.jsonl", 3000, wire=0.3)
    database = tmp_path / "kill.db"
    process = subprocess.Popen([*DOSSIER, "import", str(path), "--db", str(database)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    stored = 0
    while time.monotonic() < deadline and process.poll() is None:
        if database.exists():
            try:
                with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as look:
                    stored = look.execute("SELECT count(*) FROM articles").fetchone()[0]
            except sqlite3.OperationalError:
                stored = 0
        if stored >= CHUNK_ROWS:
            break
        time.sleep(0.02)
    assert process.poll() is None, "the import finished before it could be killed"
    helpers = _children(process.pid)        # the process preparing rows
    assert helpers
    process.send_signal(signal.SIGKILL)
    process.wait()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(_alive(pid) for pid in helpers):
        time.sleep(0.1)
    assert not [pid for pid in helpers if _alive(pid)], "a helper process outlived the kill"

    with sqlite3.connect(database) as look:
        assert look.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        kept = look.execute("SELECT count(*) FROM articles").fetchone()[0]
        assert kept >= CHUNK_ROWS and kept % CHUNK_ROWS == 0 and kept < 3000
        # never half a row: each stored article has its fingerprint and its search entry
        assert look.execute("SELECT count(*) FROM article_fingerprints").fetchone()[0] == kept
        assert look.execute("SELECT count(*) FROM articles_fts").fetchone()[0] == kept

    again = subprocess.run([*DOSSIER, "import", str(path), "--db", str(database)],
                           capture_output=True, text=True, timeout=600)
    assert again.returncode == 0, again.stderr
    assert f"{3000 - kept:,} imported" in again.stdout.splitlines()[-1]
    assert f"{kept:,} already present" in again.stdout.splitlines()[-1]
    with sqlite3.connect(database) as look:
        assert look.execute("SELECT count(*) FROM articles").fetchone()[0] == 3000
        assert look.execute("SELECT count(DISTINCT url) FROM articles").fetchone()[0] == 3000
        assert look.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_a_lone_surrogate_skips_its_row_and_the_batch_goes_on(tmp_path):
    first = tmp_path / "a.jsonl"
    lines = [json.dumps(row) for row in news_rows(3)]
    lines[1] = lines[1].replace("Police in", "Police \\ud800 in")
    first.write_text("\n".join(lines) + "\n", "utf-8")
    second = write_jsonl(tmp_path / "b.jsonl", news_rows(2, start=10))
    database = tmp_path / "s.db"
    result = subprocess.run([*DOSSIER, "import", str(first), str(second), "--db",
                             str(database)], capture_output=True, text=True, timeout=300)
    assert "Traceback" not in result.stderr
    assert result.returncode == 1
    assert (f"skipped {first} (line 2): the text holds an unpaired surrogate (U+D800), "
            "which is not text") in result.stderr
    assert "4 imported, 0 already present, 1 skipped" in result.stdout
    with sqlite3.connect(database) as look:
        urls = [row[0] for row in look.execute("SELECT url FROM articles ORDER BY id")]
    assert urls == [f"https://example.org/news/{n}" for n in (0, 2, 10, 11)]


def test_a_surrogate_in_the_title_of_a_csv_row_is_skipped_too(tmp_path, db):
    path = tmp_path / "feed.json"
    path.write_text('[{"title": "Bad \\udc00 title", "text": "Police raided a compound."},'
                    ' {"title": "Good", "text": "Police raided another compound."}]', "utf-8")
    report = import_files(db, [path])
    assert [label.rsplit(" ", 2)[-2:] for label, _ in report.skipped] == [["(item", "1)"]]
    assert "title holds an unpaired surrogate (U+DC00)" in report.skipped[0][1]
    assert [a["title"] for a in articles.list_articles(db)] == ["Good"]


@pytest.mark.slow
def test_a_huge_csv_of_skipped_rows_is_streamed_in_little_memory(tmp_path, db):
    path = tmp_path / "empty-rows.csv"
    rows = 60_000
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["title", "text", "url"])
        for n in range(rows):
            writer.writerow([f"Row {n}", "", f"https://example.org/{n}"])
        writer.writerow(["Last", "The only row with text: police raided a compound.", ""])
    tracemalloc.start()
    try:
        report = import_files(db, [path])
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(report.added) == 1
    assert report.skipped_count() == rows
    assert len(report.skipped) == MAX_LISTED_SKIPS
    assert report.unlisted == [(str(path), rows - MAX_LISTED_SKIPS)]
    assert f"{rows:,} skipped" in report.summary()
    # streamed, the peak is ~2 MB whatever the file's length (25,000 to
    # 200,000 rows measured); every skip listed costs 9.5 MB here, the rows
    # held as entries ~30 MB
    assert peak < 5 * 2**20, f"peak {peak / 2**20:.0f} MB"


def test_jsonl_is_streamed_with_line_numbers_and_a_blank_line_is_not_a_row(tmp_path, db):
    path = tmp_path / "feed.jsonl"
    path.write_text(json.dumps(news_rows(1)[0]) + "\n\n   \n" + json.dumps({"title": "x"})
                    + "\n", "utf-8")
    report = import_files(db, [path])
    assert len(report.added) == 1
    assert report.skipped == [(f"{path} (line 4)", "no article text")]


def test_the_command_line_shows_a_progress_bar_with_rate_and_eta(tmp_path):
    path = write_jsonl(tmp_path / "feed.jsonl", news_rows(1500))
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 120, 0, 0))
    process = subprocess.Popen([*DOSSIER, "import", str(path), "--db",
                                str(tmp_path / "bar.db")],
                               stdout=subprocess.DEVNULL, stderr=slave)
    os.close(slave)
    output = b""
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:
            break
        if not chunk:
            break
        output += chunk
    assert process.wait(timeout=300) == 0
    frames = output.decode("utf-8", "replace").replace("\r", "\n").splitlines()
    final = [f for f in frames if "1500/1500" in f]
    assert final and "Importing: 100%" in final[-1] and "article/s" in final[-1]
    assert any("/1500 [" in f and "<" in f for f in frames)   # elapsed<remaining


def test_the_window_s_import_dialog_counts_rows_of_a_batch_file(open_window, seeded_db_path,
                                                                  tmp_path, qtbot,
                                                                  monkeypatch):
    from PySide6.QtWidgets import QProgressDialog

    from desktop.importers import run

    monkeypatch.setattr(run, "PARALLEL_ROWS", 1000)   # the helper process, from a QThread
    labels = []
    real = QProgressDialog.setLabelText
    monkeypatch.setattr(QProgressDialog, "setLabelText",
                        lambda self, text: (labels.append(text), real(self, text)))
    window = open_window(seeded_db_path)
    window.analysis.request = lambda: None
    path = write_jsonl(tmp_path / "feed.jsonl", news_rows(1200))
    task = window.import_paths([path])
    qtbot.waitUntil(lambda: task not in window.ops.tasks, timeout=60000)
    assert articles.article_count(window.db) == 1205
    assert "Importing articles: 100 of 1,200" in labels
    assert labels[-1] == "Importing articles: 1,200 of 1,200"


def test_the_command_lists_fifty_of_each_kind_then_counts(tmp_path, capsys):
    """A new user's walk: a 3,000-row file printed 3,000 "imported" lines."""
    from desktop.cli import main

    path = write_jsonl(tmp_path / "feed.jsonl", news_rows(120))
    db_path = tmp_path / "d.db"
    assert main(["import", str(path), "--db", str(db_path)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert sum(line.startswith("imported ") for line in out) == 50
    assert "… and 70 more imported (--verbose lists every one)" in out
    assert main(["import", str(path), "--db", str(db_path), "--verbose"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert sum(line.startswith("already present: ") for line in out) == 120


def test_ctrl_c_says_what_was_kept_and_how_to_go_on(tmp_path):
    """A new user's walk: after Ctrl+C only "dossier: interrupted" was said."""
    from benchmarks.import_speed import generate

    path = generate(tmp_path / "news.jsonl", 3000, wire=0.3)
    database = tmp_path / "stop.db"
    # as at a terminal: a job started in the background by a shell without
    # job control (a CI script's `cmd &`) inherits SIGINT ignored, and Python
    # then never raises KeyboardInterrupt
    process = subprocess.Popen([*DOSSIER, "import", str(path), "--db", str(database)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                               preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    deadline, stored = time.monotonic() + 120, 0
    while time.monotonic() < deadline and process.poll() is None and stored < CHUNK_ROWS:
        if database.exists():
            try:
                with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as look:
                    stored = look.execute("SELECT count(*) FROM articles").fetchone()[0]
            except sqlite3.OperationalError:
                pass
        time.sleep(0.02)
    assert process.poll() is None, "the import finished before it could be stopped"
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 130
    with sqlite3.connect(database) as look:
        kept = look.execute("SELECT count(*) FROM articles").fetchone()[0]
    assert f"interrupted — {kept:,} articles stored before the stop stay; run the same " \
           f"import again to go on where it stopped" in err
