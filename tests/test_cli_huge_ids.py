"""Ids beyond SQLite's range on the command line: ``--article
1180591620717411303424`` gave an OverflowError traceback; now every option
that takes an id answers with one clear usage line (real processes)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from export_fixtures import tricky_db_path  # noqa: F401

ROOT = Path(__file__).resolve().parent.parent


def dossier(*args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-m", "desktop", *args], env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=60)


COMMANDS = [("autotag", "--tag", "Key quote", "--phrase", "minister", "--dry-run"),
            ("export", "--format", "csv", "-o", "{out}")]


@pytest.mark.parametrize("command", COMMANDS, ids=["autotag", "export"])
@pytest.mark.parametrize("value", ["1180591620717411303424", str(2**63), "-3", "0",
                                   "12abc", "1e9"])
def test_an_id_out_of_range_is_a_usage_error(tricky_db_path, tmp_path, command, value):
    out = tmp_path / "out.csv"
    args = [a.format(out=out) for a in command]
    done = dossier(*args, "--article", value, "--db", str(tricky_db_path))
    assert done.returncode == 2
    assert "Traceback" not in done.stderr and "OverflowError" not in done.stderr
    assert "argument --article: " in done.stderr and "not an id" in done.stderr
    assert not out.exists()


@pytest.mark.parametrize("command", COMMANDS, ids=["autotag", "export"])
def test_the_largest_id_is_simply_not_there(tricky_db_path, tmp_path, command):
    args = [a.format(out=tmp_path / "out.csv") for a in command]
    done = dossier(*args, "--article", str(2**63 - 1), "--db", str(tricky_db_path))
    assert done.returncode == 2 and "there is no article 9223372036854775807" in done.stderr
    done = dossier(*args, "--article", " 2 ", "--db", str(tricky_db_path))
    assert done.returncode == 0, done.stderr


def test_delete_of_a_huge_id_is_a_usage_error(tricky_db_path):
    """`dossier delete 99999999999999999999` ended in an OverflowError
    traceback: its ids are checked as every other command's are."""
    done = dossier("delete", "99999999999999999999", "--db", str(tricky_db_path))
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "not an id" in done.stderr


@pytest.mark.parametrize("command,option,listed_by", [
    (("undo",), "--step", "dossier history"),
    (("agreement", "--analysts", "ana,ben"), "--article", "dossier list"),
], ids=["undo", "agreement"])
@pytest.mark.parametrize("value", ["99999999999999999999", "0", "x"])
def test_undo_step_and_agreement_article_out_of_range_are_usage_errors(
        tricky_db_path, command, option, listed_by, value):
    """`undo --step` and `agreement --article` took any int: a huge one ended
    in an OverflowError traceback."""
    done = dossier(*command, option, value, "--db", str(tricky_db_path))
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert f"argument {option}: " in done.stderr and "not an id" in done.stderr
    assert f"see `{listed_by}`)" in done.stderr


@pytest.mark.parametrize("args", [("analyse", "--processes", "-3"),
                                  ("analyse", "--processes", "99999999999999999999"),
                                  ("autotag", "--tag", "Key quote", "--phrase", "minister",
                                   "--max", "-1")],
                         ids=["negative processes", "huge processes", "negative max"])
def test_a_count_out_of_range_is_a_usage_error(tricky_db_path, args):
    """``--processes -3`` analysed nothing and exited 0, a huge one started
    without end; ``--max -1`` refused every match oddly."""
    done = dossier(*args, "--db", str(tricky_db_path))
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert f"argument {args[-2]}: " in done.stderr and "is not a whole number from 1" \
        in done.stderr
