"""``--db`` is honoured wherever it is written: before the subcommand or after.

``dossier --db X import …`` once imported into the default database in the
user's data folder (a subparser's default overwrote the parent's value).
The tests' data folder is a throwaway one (XDG_DATA_HOME, see conftest), so
the default database must never appear there.
"""

from __future__ import annotations

import json

import pytest

from desktop.cli import build_parser, main
from desktop.data_location import default_database_path
from storage import articles, open_database

from conftest import SEEDS

#: Each subcommand with the arguments it needs to run on the seeded database
#: (``{tmp}`` is a folder for its output). Every subcommand must be listed.
SUBCOMMAND_ARGS = {
    "import": [str(SEEDS / "000_526e701a0aba4176.txt")],
    "analyse": ["--processes", "1"],
    "export": ["--format", "csv", "-o", "{tmp}/out.csv"],
    "list": ["--json"],
    "quotes": ["--json"],
    "autotag": ["--tag", "Diplomacy", "--phrase", "Cambodia", "--dry-run"],
    "codebook": ["export", "{tmp}/codebook.json"],
    "stats": [],
    "tag": ["list", "--json"],
    "delete": ["5"],
    "history": [],
    "undo": [],
    "redo": [],
    "backups": [],
    "backup": [],
    "restore": [],
    "agreement": ["--analysts", "ana,bo"],
    "merge": ["{tmp}/other.db"],
    "assign": [],
    "feeds": ["list"],
    "hub": ["status"],
}

#: Subcommands run end to end below; the others are parsed only (analyse
#: loads spaCy; undo/redo/restore/merge/agreement/assign/backup need a
#: history, a file or options a seeded database has not).
RUN = sorted({"import", "export", "list", "quotes", "autotag", "codebook", "stats", "tag",
              "delete", "history", "backups", "feeds"})


def _subcommands() -> set[str]:
    parser = build_parser()
    action = next(a for a in parser._actions if a.dest == "command")
    return set(action.choices)


def _args(command: str, tmp_path) -> list[str]:
    return [a.replace("{tmp}", str(tmp_path)) for a in SUBCOMMAND_ARGS[command]]


def test_every_subcommand_is_covered():
    assert _subcommands() == set(SUBCOMMAND_ARGS)


@pytest.mark.parametrize("command", sorted(SUBCOMMAND_ARGS))
@pytest.mark.parametrize("where", ["before", "after"])
def test_db_is_parsed_before_and_after_the_subcommand(command, where, tmp_path):
    path = str(tmp_path / "chosen.db")
    rest = [command, *_args(command, tmp_path)]
    argv = ["--db", path, *rest] if where == "before" else [*rest, "--db", path]
    assert build_parser().parse_args(argv).db == path


def test_db_after_the_subcommand_wins_over_before(tmp_path):
    args = build_parser().parse_args(["--db", "a.db", "stats", "--db", "b.db"])
    assert args.db == "b.db"


def test_pipeline_before_analyse_is_kept():
    args = build_parser().parse_args(["--pipeline", "xx_model", "analyse"])
    assert args.pipeline == "xx_model"
    assert build_parser().parse_args(["analyse"]).pipeline is None
    assert build_parser().parse_args([]).db is None


@pytest.mark.parametrize("command", RUN)
@pytest.mark.parametrize("where", ["before", "after"])
def test_db_before_or_after_writes_only_there(command, where, seeded_db_path, tmp_path,
                                              capsys):
    assert not default_database_path().exists()
    rest = [command, *_args(command, tmp_path)]
    db = str(seeded_db_path)
    argv = ["--db", db, *rest] if where == "before" else [*rest, "--db", db]
    status = main(argv)
    out, err = capsys.readouterr()
    assert status == 0, err
    assert not default_database_path().exists(), "the default database was created"
    database = open_database(seeded_db_path)
    if command == "delete":
        assert articles.get_article(database, 5) is None
    elif command == "list":
        assert len(json.loads(out)) == 5
    elif command == "import":
        assert "already present" in out      # it looked in the seeded database
    database.close()


def test_import_with_db_first_imports_into_that_file(tmp_path, capsys):
    target = tmp_path / "new.db"
    status = main(["--db", str(target), "import", str(SEEDS)])
    assert status == 0, capsys.readouterr().err
    assert articles.article_count(open_database(target)) == 5
    assert not default_database_path().exists()
