"""``dossier import FOLDER`` with a REFI-QDA project in it: the project is
imported whole (codebook, sources, codings) beside the folder's articles,
not left out without a word; :func:`desktop.importers.split_projects`
finds projects given one by one or in a folder, hidden ones left out."""

from __future__ import annotations

import shutil
from pathlib import Path

from desktop.cli import main
from desktop.importers import split_projects
from storage import open_database, passages
from tests.test_interop_files import QUALCODER

STORY = "Police in Kampot seized 40 kg of methamphetamine on Monday, officials said.\n"


def test_projects_given_or_in_a_folder_are_split_from_the_articles(tmp_path):
    folder = tmp_path / "in"
    (folder / "sub").mkdir(parents=True)
    (folder / ".hidden").mkdir()
    for name in ("sub/b.qdpx", "a.QDPX", ".hidden/c.qdpx", "x.txt"):
        (folder / name).write_text("x", "utf-8")
    alone = tmp_path / "alone.qdpx"
    alone.write_text("x", "utf-8")
    text = tmp_path / "t.txt"
    text.write_text("x", "utf-8")
    assert split_projects([alone, folder, text]) == (
        [alone, folder / "a.QDPX", folder / "sub" / "b.qdpx"], [folder, text])


def test_a_folder_import_brings_the_project_in_it(tmp_path, capsys):
    folder = tmp_path / "delivery"
    folder.mkdir()
    (folder / "note.txt").write_text(STORY, "utf-8")
    shutil.copy(QUALCODER / "made_by_qualcoder.qdpx", folder / "coded.qdpx")
    path = str(tmp_path / "p.db")
    assert main(["import", str(folder), "--db", path]) == 0
    out = capsys.readouterr().out
    assert "note.txt as article" in out and "coded.qdpx: " in out
    db = open_database(path)
    try:
        assert passages.passage_count(db) > 0
        titles = {t for (t,) in db.execute("SELECT title FROM articles")}
        assert len(titles) >= 2
    finally:
        db.close()
