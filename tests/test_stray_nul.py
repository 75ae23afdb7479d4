"""A short UTF-8/ASCII .txt with a stray NUL byte was decoded as UTF-16
mojibake. Imported with the real ``dossier import`` command: the text stays
readable, the NUL is dropped with a note; real UTF-16 files (with and
without a BOM) still decode."""

from __future__ import annotations

import codecs
import os
import subprocess
import sys
from pathlib import Path

import pytest

from desktop.importers.file_bytes import decode_text
from storage import open_database

ROOT = Path(__file__).resolve().parent.parent
TEXT = "Police in Phnom Penh arrested three men on Tuesday."


def dossier(*args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-m", "desktop", *args], env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=120)


def stored_texts(db_path: Path) -> list[str]:
    db = open_database(db_path)
    try:
        return [row[0] for row in db.execute("SELECT text FROM articles ORDER BY id")]
    finally:
        db.close()


def test_a_short_text_with_one_nul_is_imported_readable(tmp_path):
    path = tmp_path / "short.txt"
    path.write_bytes(TEXT[:20].encode() + b"\x00" + TEXT[20:].encode())
    db_path = tmp_path / "d.db"
    done = dossier("import", str(path), "--db", str(db_path))
    assert done.returncode == 0, done.stderr
    assert "1 NUL byte removed" in done.stderr and "short.txt" in done.stderr
    assert stored_texts(db_path) == [TEXT]


@pytest.mark.parametrize("data,expected", [
    (b"caf\xc3\xa9 \x00au lait, served at 9 \x00 a.m. by the police canteen", "UTF-8"),
    (b"\xef\xbb\xbfBOM and a NUL\x00 in the middle of a longer line", "UTF-8 BOM"),
    (b"A\x00", "two bytes"),
])
def test_stray_nuls_are_dropped_with_a_note(data, expected):
    notes = []
    text = decode_text(data, notes)
    assert "\x00" not in text and len(notes) == 1, expected
    assert text.replace(" ", "").isprintable()


@pytest.mark.parametrize("codec,bom", [("utf-16-le", b""), ("utf-16-be", b""),
                                       ("utf-16-le", codecs.BOM_UTF16_LE),
                                       ("utf-16-be", codecs.BOM_UTF16_BE)])
def test_real_utf16_still_decodes(tmp_path, codec, bom):
    text = TEXT + "\nThe court in Phnom Penh will hear the case next month.\n"
    path = tmp_path / "wide.txt"
    path.write_bytes(bom + text.encode(codec))
    db_path = tmp_path / "d.db"
    done = dossier("import", str(path), "--db", str(db_path))
    assert done.returncode == 0, done.stderr
    assert "NUL" not in done.stderr
    assert stored_texts(db_path)[0].startswith("Police in Phnom Penh arrested")


def test_utf16_without_bom_in_a_non_latin_script_decodes():
    text = "金边警方周二逮捕了三名男子。法院下个月将审理此案。" * 3
    notes = []
    assert decode_text(text.encode("utf-16-le"), notes) == text and notes == []


def test_binary_with_many_nuls_is_still_refused():
    from desktop.importers.drafts import ImportProblem

    with pytest.raises(ImportProblem, match="binary"):
        decode_text(bytes(range(256)) * 8)


def test_a_utf8_file_with_one_latin1_byte_is_text_not_binary(tmp_path):
    """A new user's walk: a UTF-8 file with curly quotes and one Latin-1 "é"
    pasted in was refused as "binary file, not text"."""
    path = tmp_path / "mixed.txt"
    body = "“We will act,” the minister said at the café in Phnom Penh on Tuesday."
    path.write_bytes(body.encode() + " Le r".encode() + "é".encode("latin-1")
                     + "sumé ends here.".encode())
    db_path = tmp_path / "d.db"
    done = dossier("import", str(path), "--db", str(db_path))
    assert done.returncode == 0, done.stderr
    assert "1 byte not UTF-8 read as Windows-1252" in done.stderr
    assert stored_texts(db_path) == [body + " Le résumé ends here."]
    # a file in one single-byte encoding is still read as that
    assert decode_text("café “x” déjà vu".encode("cp1252")) == "café “x” déjà vu"


ROW = "Café owners “saw” the raid 🚔 in Sihanoukville; 312 workers were freed on Tuesday."


@pytest.mark.parametrize("kind", ["csv", "jsonl", "json"])
def test_a_batch_file_with_a_stray_nul_is_read_as_utf8_without_it(tmp_path, kind):
    """One NUL in a UTF-8 CSV or JSONL file made it be read as Windows-1252
    (every accent and emoji mojibake) or refused, where a .txt drops it."""
    import json

    from desktop.importers import import_files

    if kind == "csv":
        data = f'title,text\nRaid,"{ROW}"\nCourt,"A court\x00 in Phnom Penh ruled."\n'
    else:
        rows = [{"title": "Raid", "text": ROW},
                {"title": "Court", "text": "A court in Phnom Penh ruled."}]
        data = ("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\x00\n"
                if kind == "jsonl" else json.dumps(rows, ensure_ascii=False) + "\x00")
    path = tmp_path / f"rows.{kind}"
    path.write_bytes(data.encode("utf-8"))
    db = open_database(tmp_path / "d.db")
    report = import_files(db, [path])
    assert report.skipped == []
    assert [text for (text,) in db.execute("SELECT text FROM articles ORDER BY id")] == [
        ROW, "A court in Phnom Penh ruled."]
    assert report.notes == [(str(path), "1 NUL byte removed (a stray control character, "
                                        "not text)")]


def test_a_utf16_batch_file_without_a_bom_is_not_taken_for_stray_nuls(tmp_path):
    from desktop.importers import import_files

    path = tmp_path / "wide.csv"
    path.write_bytes(f'title,text\nRaid,"{TEXT}"\n'.encode("utf-16-le"))
    db = open_database(tmp_path / "d.db")
    report = import_files(db, [path])
    assert report.notes == [] and report.skipped == []
    assert db.execute("SELECT text FROM articles").fetchone()[0] == TEXT
