"""``dossier export`` in every format and with filters, run in-process on
real database files."""

from __future__ import annotations

import csv

import pytest

from desktop.cli import main

from export_fixtures import tricky_db_path  # noqa: F401


def run(capsys, *argv):
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


@pytest.mark.parametrize("fmt,suffix", [
    ("csv", "csv"), ("jsonl", "jsonl"), ("xlsx", "xlsx"), ("qdpx", "qdpx"),
    ("w3c", "jsonld"), ("spacy", "spacy"), ("html", "html"), ("pdf", "pdf")])
def test_every_format_from_the_command_line(tricky_db_path, tmp_path, capsys, fmt, suffix):
    out = tmp_path / f"out.{suffix}"
    status, printed, err = run(capsys, "export", "--format", fmt, "-o", str(out),
                               "--tag", "Key quote", "--tag", "cybercrime",
                               "--db", str(tricky_db_path))
    assert status == 0, err
    assert "exported 4 passages" in printed and out.stat().st_size > 0


def test_filters_on_the_command_line(tricky_db_path, tmp_path, capsys):
    out = tmp_path / "out.csv"

    def exported(*flags):
        status, _, err = run(capsys, "export", "--format", "csv", "-o", str(out), *flags,
                             "--db", str(tricky_db_path))
        assert status == 0, err
        with out.open(encoding="utf-8-sig", newline="") as handle:
            return [row["text"] for row in csv.DictReader(handle)]

    assert exported("--article", "2") == ["scam compound raid"]
    assert exported("--analyst", "bo") == ["scam compound raid"]
    assert exported("--since", "2024-07-01", "--until", "2024-12-31") == ["scam compound raid"]
    assert len(exported("--since", "2000-01-01", "--date-of", "tagged")) == 7
    assert exported("--until", "2000-01-01", "--date-of", "tagged") == []
    assert len(exported("--tag", "Key quote", "--article", "1", "--analyst", "ana")) == 3
    exported("--bom")
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")


@pytest.mark.parametrize("flags,message", [
    (["--since", "13/05/2024"], "not a date"),
    (["--article", "99"], "no article 99"),
    (["--tag", "Nonsense"], "no tag called"),
])
def test_bad_filters_are_errors(tricky_db_path, tmp_path, capsys, flags, message):
    out = tmp_path / "x.csv"
    status, _, err = run(capsys, "export", "--format", "csv", "-o", str(out), *flags,
                         "--db", str(tricky_db_path))
    assert status == 2 and message in err and not out.exists()


def test_the_format_follows_the_file_name_and_a_mismatch_is_refused(tricky_db_path, tmp_path,
                                                                    capsys):
    """Without --format the file's extension names it; a CSV asked into
    ``x.xlsx`` was written as CSV there without a word; an unknown
    analyst exported nothing without a word (an unknown tag was refused)."""
    book = tmp_path / "report.xlsx"
    status, printed, err = run(capsys, "export", "-o", str(book), "--db", str(tricky_db_path))
    assert status == 0, err
    assert "exported" in printed and book.read_bytes()[:2] == b"PK"

    wrong = tmp_path / "wrong.xlsx"
    status, _, err = run(capsys, "export", "--format", "csv", "-o", str(wrong),
                         "--db", str(tricky_db_path))
    assert status != 0 and "names the xlsx format" in err and not wrong.exists()

    status, _, err = run(capsys, "export", "-o", str(tmp_path / "notes.txt"),
                         "--db", str(tricky_db_path))
    assert status != 0 and "--format" in err

    status, _, err = run(capsys, "export", "--format", "xlsx", "-o", str(tmp_path / "b.json"),
                         "--db", str(tricky_db_path))
    assert status != 0 and "names the w3c format" in err

    lines = tmp_path / "rows.json"      # JSON Lines is often called .json
    status, _, err = run(capsys, "export", "--format", "jsonl", "-o", str(lines),
                         "--db", str(tricky_db_path))
    assert status == 0, err

    status, _, err = run(capsys, "export", "--format", "csv", "-o", str(tmp_path / "a.csv"),
                         "--analyst", "nobody", "--db", str(tricky_db_path))
    assert status != 0 and "no passage was tagged by 'nobody'" in err and "ana" in err


def test_export_tag_matches_a_name_in_another_case_beyond_a_to_z(seeded_db_path, tmp_path,
                                                                 capsys):
    """`--tag économie` finds the tag "Économie" (SQLite's NOCASE folds A–Z
    only) and exports its passages."""
    from storage import open_database, passages, tags

    db = open_database(seeded_db_path)
    tag_id = tags.create_tag(db, "Économie", "#123456")
    passages.add_passage(db, article_id=1, tag_id=tag_id, start=0, end=8, analyst="a")
    db.close()
    out = tmp_path / "out.csv"
    status, printed, err = run(capsys, "export", "--format", "csv", "-o", str(out),
                               "--tag", "économie", "--db", str(seeded_db_path))
    assert status == 0, err
    assert "exported 1 passage" in printed
