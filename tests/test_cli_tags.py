"""``dossier tag add|list`` and ``dossier delete``, in-process on real files."""

from __future__ import annotations

import json

from desktop.cli import main
from storage import articles, journal, open_database, passages, tags


def run(capsys, *argv):
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def test_tag_add_with_colour_parent_and_description(seeded_db_path, capsys):
    db = str(seeded_db_path)
    status, out, err = run(capsys, "tag", "add", "Online scams", "--color", "#123456",
                           "--parent", "cybercrime", "--description", "pig butchering",
                           "--db", db)
    assert status == 0, err
    assert "Online scams" in out and "under “Cybercrime”" in out
    database = open_database(seeded_db_path)
    tag = tags.find_tag(database, "online scams")
    assert tag["color"] == "#123456" and tag["description"] == "pig butchering"
    assert tag["parent_id"] == tags.find_tag(database, "Cybercrime")["id"]


def test_tag_add_picks_a_colour_and_refuses_duplicates_and_unknown_parents(
        seeded_db_path, capsys):
    db = str(seeded_db_path)
    assert run(capsys, "--db", db, "tag", "add", "Scams")[0] == 0
    database = open_database(seeded_db_path)
    colour = tags.find_tag(database, "Scams")["color"]
    assert colour.startswith("#") and len(colour) == 7
    status, _, err = run(capsys, "--db", db, "tag", "add", "scams")
    assert status == 2 and "already exists" in err
    status, _, err = run(capsys, "--db", db, "tag", "add", "X", "--parent", "Nope")
    assert status == 2 and "Nope" in err
    status, _, err = run(capsys, "--db", db, "tag", "add", "Y", "--color", "red")
    assert status == 2 and "colour" in err
    assert tags.find_tag(database, "X") is None and tags.find_tag(database, "Y") is None


def test_tag_list_json_and_text_nest_children(seeded_db_path, capsys):
    db = str(seeded_db_path)
    run(capsys, "tag", "add", "Scams", "--parent", "Cybercrime", "--db", db)
    status, out, _ = run(capsys, "tag", "list", "--json", "--db", db)
    listed = json.loads(out)
    assert status == 0 and len(listed) == 10
    scams = next(t for t in listed if t["name"] == "Scams")
    assert scams["parent"] == "Cybercrime" and scams["passages"] == 0
    status, out, _ = run(capsys, "tag", "list", "--db", db)
    lines = out.splitlines()
    parent = next(i for i, line in enumerate(lines) if line.endswith(" Cybercrime"))
    assert lines[parent + 1].endswith("    Scams")    # indented under its parent


def test_delete_removes_articles_with_their_passages(seeded_db_path, capsys):
    database = open_database(seeded_db_path)
    tag_id = tags.find_tag(database, "Drugs")["id"]
    for article_id in (2, 3, 3):
        passages.add_passage(database, article_id=article_id, tag_id=tag_id, start=0,
                             end=5, analyst="a")
    status, out, err = run(capsys, "delete", "2", "3", "--db", str(seeded_db_path))
    assert status == 0, err
    assert "deleted 2 articles and 3 passages" in out
    assert [a["id"] for a in articles.list_articles(database)] == [1, 4, 5]
    assert passages.passage_count(database) == 0
    assert tags.get_tag(database, tag_id)["passage_count"] == 0


def test_delete_of_an_unknown_id_deletes_nothing(seeded_db_path, capsys):
    status, _, err = run(capsys, "delete", "1", "99", "--db", str(seeded_db_path))
    assert status == 2 and "99" in err
    assert articles.article_count(open_database(seeded_db_path)) == 5


def test_tag_list_lists_every_tag_of_a_file_with_a_tag_loop(seeded_db_path, capsys):
    """A file damaged by an older merge (two tags each other's parent, one
    under a deleted tag): each tag is listed once, the loop cut at the top."""
    db = open_database(seeded_db_path)
    fraud = tags.create_tag(db, "Fraud", "#111111")
    scams = tags.create_tag(db, "Scams", "#222222")
    orphan = tags.create_tag(db, "Orphan", "#333333")
    with journal.unrecorded(db):       # what the merge bug left behind
        db.execute("UPDATE tags SET parent_id = ? WHERE id = ?", [scams, fraud])
        db.execute("UPDATE tags SET parent_id = ? WHERE id = ?", [fraud, scams])
        db.execute("UPDATE tags SET parent_id = 9999 WHERE id = ?", [orphan])
    db.close()
    status, out, _ = run(capsys, "tag", "list", "--db", str(seeded_db_path))
    names = [line.split("passages")[1].strip() for line in out.splitlines()]
    assert status == 0 and len(names) == 12
    assert {"Fraud", "Scams", "Orphan"} <= set(names)


def test_tag_add_with_a_blank_parent_is_a_one_line_error(seeded_db_path, capsys):
    """`--parent "  "` ended in a TagError traceback; `export --tag " "` too."""
    db = str(seeded_db_path)
    status, _, err = run(capsys, "tag", "add", "Scams", "--parent", "  ", "--db", db)
    assert status == 2 and "no tag called '  '" in err
    assert tags.find_tag(open_database(seeded_db_path), "Scams") is None
    status, _, err = run(capsys, "export", "-o", str(seeded_db_path.parent / "o.csv"),
                         "--tag", " ", "--db", db)
    assert status == 2 and "no tag called ' '" in err
