"""Where an export may go: ``dossier export`` and ``dossier codebook export``
run as real processes onto a FIFO, a symbolic link, a device, a folder and
``-``. A FIFO or device is refused and left as it was (it used to be
replaced by a regular file), a link is written through to its target and
stays a link, ``-`` is standard output."""

from __future__ import annotations

import csv
import io
import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from export_fixtures import tricky, tricky_db_path  # noqa: F401

ROOT = Path(__file__).resolve().parent.parent


def dossier(*args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-m", "desktop", *args], env=env, cwd=ROOT,
                          capture_output=True, timeout=timeout)


def leftovers(folder: Path) -> list[str]:
    return [p.name for p in folder.iterdir() if p.name.startswith(".dossier-export-")]


@pytest.mark.parametrize("command", [("export", "--format", "csv", "-o"),
                                     ("codebook", "export")])
def test_a_fifo_is_refused_and_left_a_fifo(tricky_db_path, tmp_path, command):
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    done = dossier(*command, str(fifo), "--db", str(tricky_db_path))
    assert done.returncode == 2
    err = done.stderr.decode()
    assert "FIFO" in err and "not a regular file" in err and "Traceback" not in err
    assert stat.S_ISFIFO(fifo.lstat().st_mode)
    assert leftovers(tmp_path) == []


def test_a_device_is_refused(tricky_db_path, tmp_path):
    done = dossier("export", "--format", "jsonl", "-o", "/dev/null",
                   "--db", str(tricky_db_path))
    assert done.returncode == 2
    assert b"character device" in done.stderr and b"Traceback" not in done.stderr
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)
    assert not [p for p in os.listdir("/dev") if p.startswith(".dossier-export-")]


def test_a_folder_is_refused(tricky_db_path, tmp_path):
    done = dossier("export", "--format", "csv", "-o", str(tmp_path),
                   "--db", str(tricky_db_path))
    assert done.returncode == 2 and b"is a folder" in done.stderr
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize("command,read", [
    (("export", "--format", "csv", "-o"),
     lambda path: list(csv.DictReader(path.open(encoding="utf-8", newline="")))),
    (("codebook", "export"), lambda path: json.loads(path.read_text("utf-8"))["tags"]),
])
def test_a_symbolic_link_is_written_through(tricky_db_path, tmp_path, command, read):
    real_folder = tmp_path / "real"
    real_folder.mkdir()
    target = real_folder / "target.out"
    target.write_text("old contents\n")
    target.chmod(0o600)
    link = tmp_path / "link.out"
    link.symlink_to(target)
    done = dossier(*command, str(link), "--db", str(tricky_db_path))
    assert done.returncode == 0, done.stderr.decode()
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert len(read(target)) >= 2
    assert stat.S_IMODE(target.stat().st_mode) == 0o600       # permissions kept
    assert leftovers(tmp_path) == [] and leftovers(real_folder) == []


def test_a_dangling_link_creates_its_target(tricky_db_path, tmp_path):
    target = tmp_path / "new.csv"
    link = tmp_path / "link.csv"
    link.symlink_to(target)
    done = dossier("export", "--format", "csv", "-o", str(link), "--db", str(tricky_db_path))
    assert done.returncode == 0, done.stderr.decode()
    assert link.is_symlink() and target.is_file() and "passage_id" in target.read_text()


@pytest.mark.parametrize("name", ["-", "/dev/stdout"])
def test_dash_is_standard_output(tricky_db_path, tmp_path, name):
    done = dossier("export", "--format", "csv", "-o", name, "--db", str(tricky_db_path))
    assert done.returncode == 0, done.stderr.decode()
    rows = list(csv.DictReader(io.StringIO(done.stdout.decode("utf-8"), newline="")))
    assert len(rows) == 7 and rows[0]["passage_id"]
    assert b"exported 7 passages to standard output" in done.stderr
    assert not Path(ROOT / "-").exists()
    codebook = dossier("codebook", "export", "-", "--db", str(tricky_db_path))
    assert codebook.returncode == 0
    assert json.loads(codebook.stdout)["tags"]


def test_stdout_into_a_pipe_is_not_replaced(tricky_db_path):
    """As root, ``-o /dev/stdout`` used to replace /dev/stdout itself."""
    before = os.lstat("/dev/stdout")
    done = dossier("export", "--format", "jsonl", "-o", "/dev/stdout",
                   "--db", str(tricky_db_path))
    assert done.returncode == 0, done.stderr.decode()
    assert len(done.stdout.decode().splitlines()) == 7
    after = os.lstat("/dev/stdout")
    assert stat.S_ISLNK(after.st_mode) and after.st_ino == before.st_ino


def test_binary_formats_reach_standard_output_whole(tricky_db_path):
    import zipfile

    done = dossier("export", "--format", "xlsx", "-o", "-", "--db", str(tricky_db_path))
    assert done.returncode == 0, done.stderr.decode()
    assert "xl/workbook.xml" in zipfile.ZipFile(io.BytesIO(done.stdout)).namelist()


def _articles_in(path: Path) -> int:
    import sqlite3

    conn = sqlite3.connect(path)
    try:
        return conn.execute("SELECT count(*) FROM articles").fetchone()[0]
    finally:
        conn.close()


@pytest.mark.parametrize("command", [("export", "--format", "csv", "-o"),
                                     ("codebook", "export")])
@pytest.mark.parametrize("through_link", [False, True])
def test_the_database_itself_is_refused_and_kept(tricky_db_path, tmp_path, command,
                                                 through_link):
    """``-o corpus.db --db corpus.db`` used to replace the corpus with the export."""
    before = _articles_in(tricky_db_path)
    target = tricky_db_path
    if through_link:
        target = tmp_path / "link.csv"
        target.symlink_to(tricky_db_path)
    done = dossier(*command, str(target), "--db", str(tricky_db_path))
    assert done.returncode == 2
    err = done.stderr.decode()
    assert "is the database being exported" in err and "Traceback" not in err
    assert _articles_in(tricky_db_path) == before
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize("companion", ["-wal", "-shm", "-journal", " (hard link)"])
def test_the_database_journal_files_are_refused(tricky, tricky_db_path, tmp_path, companion):
    """What the window's export runs: the database's journal files (even
    when SQLite has not made them yet) and a hard link to it are refused
    too, for passages and for the codebook."""
    from desktop.codebook_files import export_codebook
    from desktop.exporters import export_passages
    from desktop.exporters.base import ExportTargetError

    if companion == " (hard link)":
        target = tmp_path / "same.csv"
        os.link(tricky_db_path, target)
    else:
        target = Path(f"{tricky_db_path}{companion}")
    existed = target.exists()
    with pytest.raises(ExportTargetError, match="is the database being exported"):
        export_passages(tricky, target, "csv")
    with pytest.raises(ExportTargetError, match="is the database being exported"):
        export_codebook(tricky, target, "json")
    assert target.exists() == existed
    assert tricky.execute("SELECT count(*) FROM articles").fetchone()[0] > 0
