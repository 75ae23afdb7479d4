"""Codebook JSON export and import: storage.codebook, desktop.codebook_json
and `dossier codebook`, on real database files."""

from __future__ import annotations

import json

import pytest

from desktop.cli import main
from desktop.codebook_files import export_codebook
from desktop.codebook_json import CodebookFileError, parse_codebook, read_codebook
from storage import open_database, tags
from storage.codebook import apply_codebook, codebook_entries
from storage.tags import TagError


def run(capsys, *argv):
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def tag_rows(db) -> list[tuple]:
    return [tuple(r) for r in db.execute(
        "SELECT t.name, t.color, t.description, t.shortcut, p.name FROM tags t "
        "LEFT JOIN tags p ON p.id = t.parent_id ORDER BY t.name")]


def test_round_trip_between_databases(db, tmp_path, capsys):
    diplomacy = tags.find_tag(db, "Diplomacy")["id"]
    visits = tags.create_tag(db, "State visits", "#123456", description="Who went where")
    tags.set_parent(db, visits, diplomacy)
    path = tmp_path / "codebook.json"
    status, out, _ = run(capsys, "codebook", "export", str(path), "--db", str(tmp_path / "new.db"))
    assert status == 0 and out.strip() == f"exported 10 tags to {path}"
    data = json.loads(path.read_text("utf-8"))
    assert data["dossier_codebook"] == 1 and len(data["tags"]) == 10
    assert {"name": "State visits", "color": "#123456", "description": "Who went where",
            "shortcut": None, "parent": "Diplomacy"} in data["tags"]
    assert read_codebook(path) == codebook_entries(db)

    other = tmp_path / "other.db"
    other_db = open_database(other)          # no default codebook: an empty one
    other_db.close()
    status, out, _ = run(capsys, "codebook", "import", str(path), "--db", str(other))
    # the CLI installs the default codebook first, so only the new tag is created
    assert status == 0 and "created tag “State visits”" in out
    assert out.splitlines()[-1] == "1 tag created, 0 updated"
    copied = open_database(other)
    assert tag_rows(copied) == tag_rows(db)
    # importing the same file again changes nothing
    assert apply_codebook(copied, read_codebook(path)) == {"created": [], "updated": []}
    copied.close()
    # a codebook goes into a new file too, before its first article (a new
    # user's walk: "no database at new.db")
    new = tmp_path / "new.db"
    status, out, _ = run(capsys, "codebook", "import", str(path), "--db", str(new))
    assert status == 0 and new.exists()
    assert tag_rows(open_database(new)) == tag_rows(db)


def test_import_updates_colours_descriptions_and_parents_and_keeps_keys(db):
    keys = {t["name"]: t["shortcut"] for t in tags.list_tags(db)}
    result = apply_codebook(db, parse_codebook(json.dumps([
        {"name": "drugs", "color": "#000000", "description": "Narcotics", "shortcut": 9},
        {"name": "Heroin", "color": "#111111", "shortcut": keys["Drugs"], "parent": "Drugs"},
    ])))
    assert result == {"created": ["Heroin"], "updated": ["Drugs"]}
    drugs, heroin = tags.find_tag(db, "Drugs"), tags.find_tag(db, "Heroin")
    assert (drugs["color"], drugs["description"], drugs["shortcut"]) == (
        "#000000", "Narcotics", keys["Drugs"])
    assert heroin["parent_id"] == drugs["id"]
    assert heroin["shortcut"] is None          # its key was taken, and 1–9 all are


def test_a_blank_description_in_an_exported_file_keeps_the_tags_own(db, tmp_path):
    """A JSON export writes "description": "" for every tag without one;
    importing it must not erase the coding rules written here."""
    colleague = open_database(tmp_path / "colleague.db")
    tags.create_tag(colleague, "Drugs", "#000000")
    tags.create_tag(colleague, "Diplomacy", tags.find_tag(db, "Diplomacy")["color"])
    export_codebook(colleague, tmp_path / "colleague.json")
    colleague.close()
    assert {e["description"] for e in read_codebook(tmp_path / "colleague.json")} == {""}
    ours = {t["name"]: t["description"] for t in tags.list_tags(db)}
    assert ours["Drugs"] and ours["Diplomacy"]

    result = apply_codebook(db, read_codebook(tmp_path / "colleague.json"))
    # only the colour changed: Diplomacy, the same but for its blank
    # description, is not reported updated
    assert result == {"created": [], "updated": ["Drugs"]}
    assert {t["name"]: t["description"] for t in tags.list_tags(db)} == ours
    assert tags.find_tag(db, "Drugs")["color"] == "#000000"


def test_a_colour_is_optional_and_a_new_tag_without_one_gets_an_unused_colour(db):
    before = {t["name"]: t["color"] for t in tags.list_tags(db)}
    result = apply_codebook(db, parse_codebook(json.dumps([
        {"name": "Cybercrime", "parent": "Drugs"},          # existing: only its parent
        {"name": "Online scams", "parent": "Cybercrime"}])))  # new: no colour given
    assert result == {"created": ["Online scams"], "updated": ["Cybercrime"]}
    after = {t["name"]: t for t in tags.list_tags(db)}
    assert after["Cybercrime"]["color"] == before["Cybercrime"]
    assert after["Cybercrime"]["parent_id"] == after["Drugs"]["id"]
    assert after["Online scams"]["color"] not in before.values()


def test_unused_colour_is_unlike_every_colour_taken():
    from storage.tags import TAG_COLOURS, unused_colour

    assert unused_colour([]) == TAG_COLOURS[0]
    taken = list(TAG_COLOURS[:9])
    assert unused_colour(taken) not in taken
    assert unused_colour(["#e01b24"]) != "#a51d2d"          # not the red's darker twin
    assert unused_colour(TAG_COLOURS) in TAG_COLOURS        # all taken: still a colour


@pytest.mark.parametrize("text,message", [
    ("{", "not JSON"),
    ('{"tags": 3}', "expected a list"),
    ('{"dossier_codebook": 7, "tags": []}', "newer than this Dossier"),
    ('[{"color": "#000000"}]', "tag 1 has no name"),
    ('[{"name": "A", "color": "red"}]', 'the colour "red" is not'),
    ('[{"name": "A", "color": "#000000"}, {"name": " a ", "color": "#000000"}]',
     "listed twice"),
    ('[{"name": "A", "color": "#000000", "shortcut": 12}]', "key 12 is not 1–9"),
    ('[{"name": "A", "color": "#000000", "parent": 3}]', "not a tag name"),
])
def test_bad_files_are_refused(text, message):
    with pytest.raises(CodebookFileError, match=message):
        parse_codebook(text)


def test_refused_imports_store_nothing(db, tmp_path, capsys):
    before = tag_rows(db)
    loop = [{"name": "A", "color": "#000000", "parent": "B"},
            {"name": "B", "color": "#000000", "parent": "A"}]
    with pytest.raises(TagError, match="loop"):
        apply_codebook(db, parse_codebook(json.dumps(loop)))
    with pytest.raises(TagError, match="not in the codebook"):
        apply_codebook(db, parse_codebook(json.dumps(
            [{"name": "C", "color": "#000000", "parent": "Nowhere"}])))
    assert tag_rows(db) == before

    db_path = str(tmp_path / "new.db")
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(loop), "utf-8")
    for argv, message in [
        (("import", str(bad)), "would make a loop"),
        (("import", str(tmp_path / "none.json")), "no codebook file at"),
        (("export", str(tmp_path / "no" / "x.json")), "does not exist"),
        (("export", str(bad / "x.json")), f"{bad} is a file, not a folder"),
    ]:
        status, out, err = run(capsys, "codebook", *argv, "--db", str(tmp_path / "new.db"))
        assert status == 2 and out == "" and err.count("\n") == 1 and message in err
    assert tag_rows(db) == before


def test_a_file_listing_one_name_in_two_unicode_forms_lists_it_twice(tmp_path):
    """A file holding “Société civile” composed and decomposed passed its
    check, and both lines then updated the one tag."""
    import unicodedata

    from desktop.codebook_json import CodebookFileError, check_entries

    with pytest.raises(CodebookFileError, match="listed twice"):
        check_entries([{"name": "Société civile"},
                       {"name": unicodedata.normalize("NFD", "SOCIÉTÉ civile")}])


def test_a_name_in_another_case_or_unicode_form_is_the_same_tag(db, tmp_path, capsys):
    """"by name, any case" beyond A–Z, and whatever the Unicode form: an
    "économie" updates "Économie", a decomposed (NFD, a Mac's) "Société
    civile" updates the one typed here instead of making a second tag that
    looks the same; a name is stored composed (NFC)."""
    import unicodedata

    tags.create_tag(db, "Économie", "#123456")
    tags.create_tag(db, "Société civile", "#123456")
    nfd = unicodedata.normalize("NFD", "Société civile")
    path = tmp_path / "cb.json"
    path.write_text(json.dumps([{"name": "économie", "color": "#abcdef"},
                                {"name": nfd, "color": "#abcdef"},
                                {"name": unicodedata.normalize("NFD", "Déjà vu")}]),
                    encoding="utf-8")
    before = len(tag_rows(db))
    status, _, err = run(capsys, "codebook", "import", str(path), "--db", str(tmp_path / "new.db"))
    assert status == 0, err
    rows = tag_rows(db)
    assert len(rows) == before + 1
    assert {r[0]: r[1] for r in rows}["Économie"] == "#abcdef"
    assert {r[0]: r[1] for r in rows}["Société civile"] == "#abcdef"
    assert "Déjà vu" in {r[0] for r in rows}                # stored NFC
    assert tags.find_tag(db, "ÉCONOMIE")["name"] == "Économie"
    with pytest.raises(TagError, match="already exists"):
        tags.create_tag(db, "économie", "#000000")
