"""Nothing lost, round two (issue 14): backups of a damaged database never
replace good ones, damage is reported at once (CLI, window start-up, the
window's background check), restores from paths with ``#``/``?``/``%``,
non-regular and read-only database files, an unwritable data folder, and
leftovers of killed exports and backups. Black box where it can be: the
``dossier`` command in a subprocess, real damaged files, real kills."""

from __future__ import annotations

import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from storage import articles, open_database
from storage.backup import (backup_folder, list_backups, newest_good_backup, restore_backup,
                            take_backup)
from storage.database import check_file, file_uri

ROOT = Path(__file__).resolve().parent.parent
PAGE = 4096


def dossier(*args: str, env: dict | None = None, timeout: float = 120):
    """Run ``python -m desktop ARGS``; returns the completed process."""
    environment = dict(os.environ, PYTHONPATH=str(ROOT), **(env or {}))
    return subprocess.run([sys.executable, "-m", "desktop", *map(str, args)], env=environment,
                          capture_output=True, text=True, timeout=timeout)


def python(code: str, env: dict | None = None, **kwargs) -> subprocess.Popen:
    environment = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(ROOT),
                       **(env or {}))
    return subprocess.Popen([sys.executable, "-c", textwrap.dedent(code)], env=environment,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            **kwargs)


def seeded(path: Path, count: int = 300) -> Path:
    """A real database: the codebook, the seeds and ``count`` articles."""
    from desktop.first_run import ensure_codebook, ensure_seeded

    db = open_database(path)
    ensure_codebook(db)
    ensure_seeded(db)
    rng = random.Random(7)
    words = "police europol court laundering border smuggling network said".split()
    for i in range(count):
        text = " ".join(rng.choice(words) for _ in range(300))
        articles.add_article(db, title=f"Article {i}", text=f"{i}. {text}.")
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    return path


def overwrite_pages(path: Path, pages: int = 40) -> None:
    """Random bytes over ``pages`` pages in the middle of the articles' table
    and indexes (where the texts are: the rest of the file is mostly the
    change journal, which reading the corpus never touches)."""
    with sqlite3.connect(path) as conn:
        numbers = sorted(n for (n,) in conn.execute(
            "SELECT pageno FROM dbstat WHERE name = 'articles' OR "
            "(name LIKE 'articles_by_%' AND name != 'articles_by_uuid')"))
    middle = len(numbers) // 2
    rng = random.Random(14)
    with open(path, "r+b") as file:
        for page in numbers[max(0, middle - pages // 2):middle + pages // 2]:
            file.seek((page - 1) * PAGE)
            file.write(rng.randbytes(PAGE))


def zero_header(path: Path) -> None:
    with open(path, "r+b") as file:
        file.write(bytes(100))


def assert_one_line_error(result, *words: str) -> None:
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("dossier: error:"), result.stderr
    for word in words:
        assert word in lines[0], lines[0]


# -- 1. backups of a damaged database ----------------------------------------

@pytest.mark.slow
def test_ten_exit_backups_of_a_damaged_database_keep_the_last_good_one(tmp_path):
    path = seeded(tmp_path / "dossier.db")
    db = open_database(path)
    take_backup(db, path)
    db.close()
    [good] = list_backups(path)
    overwrite_pages(path)
    # ten sessions of the window, each closed (the exit backup)
    code = f"""
        from pathlib import Path
        from desktop.gui.app import application, prepare_window
        app = application()
        for _ in range(10):
            window = prepare_window(Path({str(path)!r}), analyse=False)
            window.show()
            app.processEvents()
            window.close()
            window.db.close()
        print("closed ten times")
    """
    out, err = python(code).communicate(timeout=300)
    assert "closed ten times" in out, err
    assert [b.path for b in list_backups(path)] == [good.path]
    # ten more through the command line
    for _ in range(10):
        result = dossier("backup", "--db", path)
        assert_one_line_error(result, "damaged")
    assert [b.path for b in list_backups(path)] == [good.path]
    assert check_file(good.path) == []
    assert not list(backup_folder(path).glob("*.partial"))


def test_a_copy_that_fails_its_check_is_dropped_and_prunes_nothing(tmp_path, monkeypatch):
    import storage.backup as backup

    path = seeded(tmp_path / "d.db", count=5)
    db = open_database(path)
    made = [take_backup(db, path, keep=3) for _ in range(3)]
    monkeypatch.setattr(backup, "integrity_problems",
                        lambda conn, limit=10: ["page 7: btree damaged"]
                        if conn is not db.conn else [])
    with pytest.raises(backup.BackupError, match="failed its check"):
        take_backup(db, path, keep=3)
    assert [b.path for b in list_backups(path)] == made[::-1]
    assert not list(backup_folder(path).iterdir()) or all(
        p.suffix == ".db" for p in backup_folder(path).iterdir())


# -- 2. damage reported at once ------------------------------------------------

# ``list`` reads the damaged pages; ``stats`` counts from small indexes that
# may lie elsewhere (the zeroed-header test below covers it)
@pytest.mark.parametrize("command", ["list"])
def test_cli_reports_a_damaged_database_in_one_line(tmp_path, command):
    path = seeded(tmp_path / "dossier.db")
    overwrite_pages(path)
    before = path.read_bytes()
    result = dossier(command, "--db", path)
    assert_one_line_error(result, "damaged", "dossier restore")
    assert path.read_bytes() == before


def test_a_zeroed_header_with_backups_is_damaged_and_restored_from_the_cli(tmp_path):
    path = seeded(tmp_path / "dossier.db", count=20)
    assert dossier("backup", "--db", path).returncode == 0
    zero_header(path)
    damaged = path.read_bytes()
    result = dossier("stats", "--db", path)
    assert_one_line_error(result, "damaged", "Restore a backup")
    listing = dossier("backups", "--db", path)
    assert listing.returncode == 0 and " ok " in listing.stdout
    result = dossier("restore", "--db", path)
    assert result.returncode == 0, result.stderr
    assert "damaged file is kept" in result.stdout
    [kept] = tmp_path.glob("dossier.db.damaged-*")
    assert kept.read_bytes() == damaged
    stats = dossier("stats", "--db", path)
    assert stats.returncode == 0 and '"articles": 25' in stats.stdout, stats.stdout


def test_dossier_restore_that_fills_the_disk_puts_the_damaged_database_back(tmp_path):
    """``dossier restore`` over a damaged database on a disk that fills
    while the backup is written (the process's files capped at a third of
    the database: writes fail as on a full disk): one line and exit 2, the
    damaged file back where it was, unchanged, and the next command still
    finds it damaged rather than starting an empty database there."""
    import resource

    path = tmp_path / "dossier.db"
    db = open_database(path)
    for number in range(30):
        articles.add_article(db, title=f"A{number}", text=f"{number} " + "Some text. " * 6000)
    take_backup(db, path)
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    with open(path, "r+b") as file:      # page 3, a table's root: the check finds it
        file.seek(2 * PAGE)
        file.write(b"\xab" * PAGE)
    damaged = path.read_bytes()
    assert check_file(path)
    limit = len(damaged) // 3

    def cap():
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    result = subprocess.run(
        [sys.executable, "-m", "desktop", "restore", "--db", str(path)],
        env=dict(os.environ, PYTHONPATH=str(ROOT), PYTHONDONTWRITEBYTECODE="1"),
        preexec_fn=cap, capture_output=True, text=True, timeout=120)
    assert_one_line_error(result, "nothing was restored")
    assert path.read_bytes() == damaged
    left = {p.name for p in tmp_path.iterdir()} - {"dossier.db-wal", "dossier.db-shm"}
    assert left == {"dossier.db", "dossier.db.backups"}     # no journal, copy nor damaged-…
    assert_one_line_error(dossier("stats", "--db", path), "damaged", "Restore a backup")


def test_dossier_restore_with_no_room_for_the_copy_before_it_says_so_in_one_line(tmp_path):
    """The disk fills while ``dossier restore`` copies the sound database it
    keeps before replacing it: one line and exit 2, the database unchanged."""
    import resource

    path = seeded(tmp_path / "dossier.db", count=100)
    backup = backup_folder(path) / "chosen.db"
    backup.parent.mkdir()
    shutil.copyfile(path, backup)
    before = path.read_bytes()
    limit = len(before) // 3

    def cap():
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    result = subprocess.run(
        [sys.executable, "-m", "desktop", "restore", str(backup), "--db", str(path)],
        env=dict(os.environ, PYTHONPATH=str(ROOT), PYTHONDONTWRITEBYTECODE="1"),
        preexec_fn=cap, capture_output=True, text=True, timeout=120)
    assert_one_line_error(result, "kept before a restore", "nothing was restored")
    assert path.read_bytes() == before


def test_a_zeroed_header_without_backups_is_not_a_dossier_database(tmp_path):
    path = tmp_path / "other.db"
    path.write_bytes(bytes(8192))
    assert_one_line_error(dossier("stats", "--db", path), "not a Dossier database")


def test_window_start_up_offers_the_backup_of_a_zeroed_header(tmp_path, qtbot,
                                                              monkeypatch):
    from desktop.gui.app import open_or_choose
    from tests.test_backups import answer_restore

    path = seeded(tmp_path / "d.db", count=10)
    db = open_database(path)
    take_backup(db, path)
    db.close()
    zero_header(path)
    shown = answer_restore(monkeypatch)
    db, opened = open_or_choose(path)
    assert "damaged" in shown[0]
    assert articles.article_count(db) == 15
    assert len(list(tmp_path.glob("d.db.damaged-*"))) == 1
    db.close()


def test_start_up_skips_a_damaged_backup_for_the_newest_good_one(tmp_path):
    path = seeded(tmp_path / "d.db", count=10)
    db = open_database(path)
    good = take_backup(db, path)
    time.sleep(0.01)
    newer = take_backup(db, path)
    db.close()
    overwrite_pages(newer, pages=4)
    assert newest_good_backup(path).path == good


@pytest.mark.slow
def test_the_window_finds_damage_in_the_background_and_restores(tmp_path, qtbot,
                                                                preferences):
    from PySide6.QtWidgets import QMessageBox

    from desktop.gui.app import application, prepare_window

    path = seeded(tmp_path / "dossier.db")
    assert dossier("backup", "--db", path).returncode == 0
    overwrite_pages(path)
    damaged = path.read_bytes()
    application()
    window = prepare_window(path, analyse=False, preferences=preferences)
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.health.damageFound, timeout=30000) as found:
        window.show()
    problems, backup = found.args
    assert problems and Path(backup) == list_backups(path)[0].path
    box = window.health.box
    assert isinstance(box, QMessageBox) and "damaged" in box.text()
    [restore] = [b for b in box.buttons() if b.text() == "Restore the newest good backup"]
    restore.click()
    qtbot.waitUntil(lambda: "Restored" in window.statusBar().currentMessage(), timeout=30000)
    assert check_file(path) == []
    assert articles.article_count(window.db) == 305
    [kept] = tmp_path.glob("dossier.db.damaged-*")
    assert kept.read_bytes() == damaged
    window.close()
    window.db.close()


def test_a_scheduled_backup_that_meets_damage_reports_it(tmp_path, qtbot, preferences):
    from desktop.gui.app import application, prepare_window

    path = seeded(tmp_path / "dossier.db")
    application()
    window = prepare_window(path, analyse=False, preferences=preferences)
    qtbot.addWidget(window)
    qtbot.waitUntil(lambda: window.health.task is not None
                    and not window.health.task.thread.isRunning(), timeout=30000)
    assert not window.health.reported
    overwrite_pages(path)
    with qtbot.waitSignal(window.health.damageFound, timeout=30000):
        window.back_up_in_background()
    assert list_backups(path) == []
    window.health.box.close()
    window.close()
    window.db.close()


# -- 3. file: URIs escaped ----------------------------------------------------

@pytest.mark.parametrize("name", ["case #12", "what?", "100% sure", "a%20b#c?d=e"])
def test_restore_from_a_path_with_uri_characters(tmp_path, name):
    folder = tmp_path / name
    folder.mkdir()
    path = seeded(folder / f"{name}.db", count=10)
    assert dossier("backup", "--db", path).returncode == 0
    db = open_database(path)
    articles.add_article(db, title="Later", text="Written after the backup.")
    db.close()
    result = dossier("restore", "--db", path)
    assert result.returncode == 0, result.stderr
    stats = dossier("stats", "--db", path)
    assert '"articles": 15' in stats.stdout, (stats.stdout, stats.stderr)
    # and in-process, straight through the storage function
    [backup] = [b for b in list_backups(path) if "before-restore" not in b.path.name]
    restore_backup(backup.path, path)
    assert articles.article_count(open_database(path)) == 15
    assert sorted(p.name for p in tmp_path.iterdir()) == [name]  # no stray file made


def test_restoring_twice_does_not_bring_back_what_the_first_restore_left(tmp_path):
    """The first restore keeps a copy of what it replaced ("before-restore");
    the newest backup a second restore takes is still the real one."""
    path = seeded(tmp_path / "twice.db", count=10)
    assert dossier("backup", "--db", path).returncode == 0
    db = open_database(path)
    articles.add_article(db, title="Later", text="Written after the backup.")
    db.close()
    for _ in range(2):
        result = dossier("restore", "--db", path)
        assert result.returncode == 0, result.stderr
        assert articles.article_count(open_database(path)) == 15
    assert "before-restore" not in newest_good_backup(path).path.name


def test_file_uri_escapes_reserved_characters(tmp_path):
    uri = file_uri(tmp_path / "a#b?c%d e.db", mode="ro")
    assert uri.endswith("/a%23b%3Fc%25d%20e.db?mode=ro")


# -- 4. non-regular database paths ------------------------------------------

def test_dev_null_is_refused_before_anything_is_written():
    before = set(os.listdir("/dev"))
    for command in ("stats", "import"):
        args = [command, "--db", "/dev/null"] + (["/nonexistent"] if command == "import"
                                                 else [])
        assert_one_line_error(dossier(*args), "not a regular file")
    assert set(os.listdir("/dev")) == before          # no /dev/null-journal made


def test_a_fifo_is_refused_without_hanging(tmp_path):
    fifo = tmp_path / "pipe.db"
    os.mkfifo(fifo)
    assert_one_line_error(dossier("list", "--db", fifo, timeout=30), "not a regular file")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pipe.db"]


# -- 5. read-only database, unwritable data folder ----------------------------

@pytest.fixture
def read_only_db(tmp_path):
    path = seeded(tmp_path / "colleague.db", count=10)
    db = open_database(path)
    db.execute("PRAGMA journal_mode = DELETE")   # as a colleague would send it
    db.close()
    path.chmod(0o444)
    yield path
    path.chmod(0o644)


def test_cli_reads_a_read_only_file_and_refuses_changes_clearly(read_only_db):
    before = read_only_db.read_bytes()
    result = dossier("list", "--db", read_only_db)
    assert result.returncode == 0 and "Article 9" in result.stdout, result.stderr
    assert '"articles": 15' in dossier("stats", "--db", read_only_db).stdout
    result = dossier("autotag", "--db", read_only_db, "--tag", "Europol", "--phrase", "police")
    assert_one_line_error(result, "read-only", "autotag")
    dry = dossier("autotag", "--db", read_only_db, "--tag", "Europol", "--phrase", "police",
                  "--dry-run")
    assert dry.returncode in (0, 2) and "Traceback" not in dry.stderr
    assert_one_line_error(dossier("import", "--db", read_only_db, __file__), "read-only")
    assert read_only_db.read_bytes() == before


def test_the_window_opens_a_read_only_file_with_a_banner(read_only_db):
    code = f"""
        import sqlite3
        from PySide6.QtCore import Qt
        from PySide6.QtTest import QTest
        from PySide6.QtWidgets import QMessageBox
        from desktop.gui.app import application, prepare_window
        from desktop.gui.error_reporting import ErrorReporter
        warnings = []
        QMessageBox.exec = lambda box: warnings.append((box.windowTitle(), box.text()))
        app = application()
        window = prepare_window({str(read_only_db)!r})
        window.show()
        app.processEvents()
        print("banner:", window.read_only_banner.text())
        print("articles:", window.article_list.list_model.rowCount())
        window.article_list.select_article(1)
        app.processEvents()
        window.view.select_range(0, 12)
        QTest.keyClick(window.view, Qt.Key.Key_1)        # tag the selection
        app.processEvents()
        print("warning:", " | ".join(warnings[-1]))
        reporter = ErrorReporter()                        # a write outside the guard
        try:
            with window.db.atomic():
                window.db.execute("DELETE FROM articles")
        except sqlite3.OperationalError as error:
            reporter.handle(type(error), error, None)
        app.processEvents()
        print("box:", reporter.last_box.windowTitle(), "|", reporter.last_box.text())
        print("analysis started:", window.analysis.process is not None)
        window.close()
        print("backups:", window.controllers.backups._changed_since_backup())
    """
    before = read_only_db.read_bytes()
    process = python(code)
    out, err = process.communicate(timeout=120)
    assert process.returncode == 0, err
    assert "banner: Read-only: you cannot write to" in out
    assert "articles: 15" in out
    assert "warning: Tag passage | This database is open read-only" in out, out
    assert "box: Read-only database | This database is open read-only" in out
    assert "analysis started: False" in out
    assert "backups: False" in out
    assert read_only_db.read_bytes() == before
    assert not backup_folder(read_only_db).exists()


def test_an_unwritable_data_folder_with_db_elsewhere(tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the data folder's parent should be")
    env = {"XDG_DATA_HOME": str(blocker / "share")}
    path = seeded(tmp_path / "elsewhere.db", count=3)
    result = dossier("stats", "--db", path, env=env)
    assert result.returncode == 0 and '"articles": 8' in result.stdout, result.stderr
    assert_one_line_error(dossier("stats", env=env), "no database at")
    assert_one_line_error(dossier("import", __file__, env=env), "cannot create the folder")
    code = """
        from desktop.data_location import data_folder
        from desktop.gui.error_reporting import configure_logging
        print("log:", configure_logging(data_folder()))
    """
    out, err = python(code, env=env).communicate(timeout=60)
    assert "log: " in out and "Dossier-log-" in out, err


# -- 6. leftovers of killed exports and backups --------------------------------

def _wait_for(process: subprocess.Popen, line: str) -> None:
    assert process.stdout.readline().strip() == line, process.stderr.read()


def test_leftovers_of_a_killed_export_and_backup_are_cleaned_at_the_next_start(tmp_path):
    path = seeded(tmp_path / "dossier.db", count=5)
    out = tmp_path / "exports"
    out.mkdir()
    data = tmp_path / "data"
    env = {"XDG_DATA_HOME": str(data)}
    hanging_export = f"""
        import time
        from desktop.exporters import registry
        from storage import open_database
        class Hang:
            def load_writer(self):
                def write(temp, job):
                    temp.write_text("half")
                    print("writing", flush=True)
                    time.sleep(600)
                return write
        registry.FORMATS["hang"] = Hang()
        registry.export_passages(open_database({str(path)!r}), {str(out / 'x.csv')!r}, "hang")
    """
    hanging_backup = f"""
        import time
        from pathlib import Path
        from storage.backup import backup_folder, held_while_written
        folder = backup_folder({str(path)!r})
        folder.mkdir(exist_ok=True)
        with held_while_written(folder / "dossier-{{}}.db.partial".format(__import__("os").getpid())):
            print("writing", flush=True)
            time.sleep(600)
    """
    killed = [python(hanging_export, env), python(hanging_backup, env)]
    alive = [python(hanging_export, env), python(hanging_backup, env)]
    try:
        for process in killed + alive:
            _wait_for(process, "writing")
        for process in killed:
            os.kill(process.pid, signal.SIGKILL)
            process.wait()
        leftovers = sorted(out.glob(".dossier-export-*")) + sorted(
            backup_folder(path).glob("*.db.partial"))
        assert len(leftovers) == 4
        old = time.time() - 3600
        for leftover in leftovers:
            os.utime(leftover, (old, old))
        unrelated = out / "notes.partial"
        unrelated.write_text("the analyst's own")
        os.utime(unrelated, (old, old))
        # the next start (a second Dossier, while the live ones still write)
        assert dossier("stats", "--db", path, env=env).returncode == 0
        remaining = sorted(out.glob(".dossier-export-*")) + sorted(
            backup_folder(path).glob("*.db.partial"))
        assert len(remaining) == 2           # the live writers' files
        assert unrelated.exists()
        assert all(str(p.pid) in q.name for p, q in zip(alive[1:], remaining[1:]))
    finally:
        for process in killed + alive:
            if process.poll() is None:
                process.kill()
            process.wait()
    assert dossier("stats", "--db", path, env=env).returncode == 0
    for leftover in list(out.glob(".dossier-export-*")) + list(
            backup_folder(path).glob("*.db.partial")):
        os.utime(leftover, (old, old))
    assert dossier("stats", "--db", path, env=env).returncode == 0
    assert not list(out.glob(".dossier-export-*"))
    assert not list(backup_folder(path).glob("*.db.partial"))


def test_a_failed_check_leaves_no_partial_file(tmp_path):
    path = seeded(tmp_path / "d.db", count=5)
    overwrite_pages(path, pages=4)
    db = sqlite3.connect(path)
    with pytest.raises(Exception):
        from sqlite_utils import Database
        take_backup(Database(db), path)
    db.close()
    assert not list(backup_folder(path).glob("*"))


def test_the_window_refuses_to_restore_a_damaged_backup(tmp_path, qtbot, preferences,
                                                       monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    from desktop.gui.app import application, prepare_window
    from desktop.gui.database_health import CHECK_MINUTES

    path = seeded(tmp_path / "dossier.db", count=10)
    db = open_database(path)
    backup = take_backup(db, path)
    db.close()
    overwrite_pages(backup, pages=4)
    application()
    window = prepare_window(path, analyse=False, preferences=preferences)
    qtbot.addWidget(window)
    assert window.health.timer.interval() == CHECK_MINUTES * 60_000
    shown = []
    monkeypatch.setattr(QMessageBox, "exec", lambda box: shown.append(box.text()) or 0)
    before = articles.article_count(window.db)
    articles.add_article(window.db, title="After", text="Written after the backup.")
    window.restore(backup)
    assert shown and "is damaged" in shown[0]
    assert articles.article_count(window.db) == before + 1      # nothing replaced
    assert not list(tmp_path.glob("dossier.db.damaged-*"))
    window.close()
    window.db.close()
