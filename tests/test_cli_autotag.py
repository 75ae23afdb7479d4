"""`dossier autotag` on real, analysed database files."""

from __future__ import annotations

import unicodedata

from desktop.cli import main
from storage import open_database, tags


def run(capsys, *argv):
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def stored_passages(db_path) -> list[tuple]:
    db = open_database(db_path)
    try:
        return [tuple(r) for r in db.execute(
            "SELECT p.article_id, t.name, p.start, p.end, p.text, p.analyst FROM passages p "
            "JOIN tags t ON t.id = p.tag_id ORDER BY p.article_id, p.start")]
    finally:
        db.close()


def test_autotag_speaker_stores_and_prints_each_passage(analysed_db_path, capsys):
    status, out, err = run(capsys, "autotag", "--tag", "key quote", "--speaker",
                           "Thong Mengdavid", "--analyst", "Ana", "--db", str(analysed_db_path))
    assert status == 0, err
    rows = stored_passages(analysed_db_path)
    assert len(rows) == 5 and {r[0] for r in rows} == {1, 2, 3}
    assert {r[1] for r in rows} == {"Key quote"} and {r[5] for r in rows} == {"Ana"}
    lines = out.splitlines()
    assert lines[-1] == "tagged 5 passages as “Key quote”"
    assert len(lines) == 6 and lines[0].split()[0] == "1"
    # a second run finds nothing new
    status, out, _ = run(capsys, "autotag", "--tag", "Key quote", "--speaker",
                         "Thong Mengdavid", "--analyst", "Ana", "--db", str(analysed_db_path))
    assert status == 0 and out.strip() == \
        "tagged 0 passages as “Key quote” (5 matches tagged so already)"
    assert len(stored_passages(analysed_db_path)) == 5


def test_autotag_tags_for_its_analyst_what_a_colleague_tagged(analysed_db_path, capsys):
    argv = ("autotag", "--tag", "Key quote", "--speaker", "Thong Mengdavid",
            "--db", str(analysed_db_path))
    assert run(capsys, *argv, "--analyst", "Ana")[0] == 0
    status, out, err = run(capsys, *argv, "--analyst", "Bo")
    assert status == 0, err
    assert out.splitlines()[-1] == "tagged 5 passages as “Key quote”"
    rows = stored_passages(analysed_db_path)
    assert sorted(r[2:4] for r in rows if r[5] == "Bo") == \
        sorted(r[2:4] for r in rows if r[5] == "Ana") and len(rows) == 10


def test_autotag_leaves_out_what_another_writer_changed_meanwhile(
        analysed_db_path, capsys, monkeypatch):
    from desktop import autotag
    from storage import articles
    search = autotag.find_candidates

    def then_article_4_changes(db, request, **options):
        found = search(db, request, **options)
        other = open_database(analysed_db_path)      # another writer, between the two
        articles.replace_article_text(other, 4, "Updated. " + articles.get_article(
            other, 4)["text"])
        other.close()
        return found

    monkeypatch.setattr(autotag, "find_candidates", then_article_4_changes)
    status, out, err = run(capsys, "autotag", "--tag", "Cybercrime", "--pattern", r"cyber\w+",
                           "--db", str(analysed_db_path))
    assert status == 0, err
    assert out.splitlines()[-1] == "tagged 16 passages as “Cybercrime”"
    assert err.startswith("1 passage was not tagged: the text of its article changed")
    rows = stored_passages(analysed_db_path)
    assert len(rows) == 16 and 4 not in {r[0] for r in rows}
    # every match changed: refused, nothing stored
    status, out, err = run(capsys, "autotag", "--tag", "Cybercrime", "--pattern", r"cyber\w+",
                           "--article", "4", "--db", str(analysed_db_path))
    assert status != 0 and "1 passage was not tagged" in err
    assert len(stored_passages(analysed_db_path)) == 16


def test_autotag_refuses_a_category_as_the_window_does(analysed_db_path, capsys):
    db = open_database(analysed_db_path)
    tags.create_tag(db, "Crime types", "#336699", codable=False)
    db.close()
    for extra in ((), ("--dry-run",)):
        status, out, err = run(capsys, "autotag", "--tag", "crime types", "--phrase", "police",
                               *extra, "--db", str(analysed_db_path))
        assert status == 2 and out == ""
        assert err == ("dossier: error: “Crime types” is a category: it groups tags and is "
                       "not used for tagging. Nothing was tagged. To tag with it, right-click "
                       "it in the window's codebook and tick “Use for tagging”.\n")
    assert stored_passages(analysed_db_path) == []


def test_autotag_dry_run_pattern_and_article(analysed_db_path, capsys):
    status, out, _ = run(capsys, "autotag", "--tag", "Cybercrime", "--pattern", r"cyber\w+",
                         "--dry-run", "--db", str(analysed_db_path))
    assert status == 0 and out.splitlines()[-1] == "would tag 17 passages as “Cybercrime”"
    assert stored_passages(analysed_db_path) == []
    status, out, _ = run(capsys, "autotag", "--tag", "Cybercrime", "--pattern", r"cyber\w+",
                         "--article", "4", "--db", str(analysed_db_path))
    assert status == 0 and "tagged 1 passage" in out
    assert [(r[0], r[4]) for r in stored_passages(analysed_db_path)] == [(4, "cybercrime")]
    status, out, _ = run(capsys, "autotag", "--tag", "Diplomacy", "--entity", "phnom penh",
                         "--db", str(analysed_db_path))
    assert status == 0 and "tagged 2 passages" in out


def test_autotag_case_sensitive_phrase(analysed_db_path, capsys):
    status, out, _ = run(capsys, "autotag", "--tag", "Cybercrime", "--phrase", "Cybersecurity",
                         "--case-sensitive", "--dry-run", "--db", str(analysed_db_path))
    loose = run(capsys, "autotag", "--tag", "Cybercrime", "--phrase", "Cybersecurity",
                "--dry-run", "--db", str(analysed_db_path))[1]
    count = int(out.splitlines()[-1].split()[2])
    assert status == 0 and 0 < count < int(loose.splitlines()[-1].split()[2])


def test_autotag_phrase_tags_words_stored_with_combining_accents(tmp_path, capsys):
    """A typed phrase finds the words of a text that keeps its accents as
    combining marks (NFD: macOS files, some PDFs); the passages stored are
    the stored text's, whole letters."""
    from storage import articles

    db_path = tmp_path / "nfd.db"
    db = open_database(db_path)
    text = unicodedata.normalize("NFD", "Le café de Phnôm Pénh. Le café ferme.")
    article_id, _ = articles.add_article(db, title="nfd", text=text)
    tags.create_tag(db, "Places", "#123456")
    db.close()
    status, out, _ = run(capsys, "autotag", "--tag", "Places", "--phrase", "café",
                         "--analyst", "A", "--db", str(db_path))
    assert status == 0 and out.splitlines()[-1] == "tagged 2 passages as “Places”"
    café = unicodedata.normalize("NFD", "café")
    assert [(r[2], r[3], r[4]) for r in stored_passages(db_path)] == [
        (3, 8, café), (text.index(café, 8), text.index(café, 8) + 5, café)]


def test_autotag_errors_are_one_line_and_store_nothing(analysed_db_path, tmp_path, capsys):
    db = str(analysed_db_path)
    for argv, message in [
        (("--tag", "Nope", "--pattern", "x", "--db", db), "there is no tag called 'Nope'"),
        (("--tag", "Cybercrime", "--pattern", "cyber(", "--db", db),
         "is not a valid regular expression"),
        (("--tag", "Cybercrime", "--pattern", "x", "--article", "99", "--db", db),
         "there is no article 99"),
        (("--tag", "Cybercrime", "--pattern", "x", "--db", str(tmp_path / "none.db")),
         "no database at"),
        # a runaway pattern: one passage per letter
        (("--tag", "Cybercrime", "--pattern", "[a-z]", "--db", db),
         "more than --max 5,000; look with --dry-run"),
        (("--tag", "Cybercrime", "--pattern", "cyber\\w+", "--max", "3", "--db", db),
         "this would tag 17 passages, more than --max 3"),
    ]:
        status, out, err = run(capsys, "autotag", *argv)
        assert status == 2 and out == ""
        assert err.count("\n") == 1 and err.startswith("dossier: error: ") and message in err
    assert stored_passages(analysed_db_path) == []
    check = open_database(analysed_db_path)
    assert all(t["passage_count"] == 0 for t in tags.list_tags(check))
    check.close()
