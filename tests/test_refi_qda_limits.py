"""Hostile REFI-QDA files cost little and end in a clear message (issue 14):
a compression bomb, a position of 10^30, codes nested 5,000 deep — each as
the attack did it, through ``dossier`` in a real process where it can."""

from __future__ import annotations

import subprocess
import sys
import zipfile

import pytest

from desktop.codebook_json import CodebookFileError
from desktop.refi_qda import zip_limits
from desktop.refi_qda.codebook import parse_qdc
from desktop.refi_qda.import_project import QdpxError, import_qdpx
from storage import articles, open_database, passages

HEAD = ('<?xml version="1.0" encoding="utf-8"?>\n<Project xmlns="urn:QDA-XML:project:1.0" '
        'name="p"><CodeBook><Codes><Code guid="c0000000-0000-0000-0000-000000000001" '
        'name="Code" isCodable="true"/></Codes></CodeBook><Sources>')
SOURCE = ('<TextSource guid="a0000000-0000-0000-0000-000000000001" name="One">'
          '<PlainTextContent>Police from two countries met.</PlainTextContent>{selections}'
          '</TextSource>')
SELECTION = ('<PlainTextSelection guid="b0000000-0000-0000-0000-00000000000{n}" '
             'startPosition="{start}" endPosition="{end}"{name}><Coding '
             'guid="d0000000-0000-0000-0000-00000000000{n}"><CodeRef '
             'targetGUID="c0000000-0000-0000-0000-000000000001"/></Coding></PlainTextSelection>')
TAIL = "</Sources></Project>"


def _project(path, selections: str, tail: str = TAIL):
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("project.qde", HEAD + SOURCE.format(selections=selections) + tail)
    return path


_CHILD = """
import re, resource, sys
from desktop.cli import main
code = main(sys.argv[1:])
usage = resource.getrusage(resource.RUSAGE_SELF)
# VmHWM, not ru_maxrss: ru_maxrss keeps the forking parent's peak across exec
with open("/proc/self/status") as status:
    peak = re.search(r"VmHWM:\\s+(\\d+)", status.read()).group(1)
print("cpu-seconds", usage.ru_utime + usage.ru_stime, "peak-rss-kb", peak, file=sys.stderr)
sys.exit(code)
"""


def _run(*args, timeout=120):
    """``dossier ARGS`` in a child process: (exit code, stdout, stderr, the
    child's CPU seconds — wall time on this shared machine varies 5× —
    and its peak RSS in MB)."""
    done = subprocess.run([sys.executable, "-c", _CHILD, *map(str, args)],
                          capture_output=True, text=True, timeout=timeout)
    err, _, figures = done.stderr.rpartition("cpu-seconds ")
    cpu, _, peak = figures.partition(" peak-rss-kb ")
    return done.returncode, done.stdout, err, float(cpu or "nan"), int(peak or 0) / 1024


def _bomb(path, megabytes: int):
    filler = ("<!-- " + "x" * (1024 * 1024 - 10) + " -->\n").encode()
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED,
                         compresslevel=9) as archive:
        with archive.open("project.qde", "w", force_zip64=True) as handle:
            handle.write(HEAD.encode())
            for _ in range(megabytes):
                handle.write(filler)
            handle.write(TAIL.encode())
    return path


def test_a_project_inflating_to_150_mb_is_refused_at_once(tmp_path):
    path = _bomb(tmp_path / "bomb.qdpx", 150)
    assert path.stat().st_size < 400 * 1024
    code, _, err, seconds, peak = _run("import", path, "--db", tmp_path / "x.db")
    assert code == 1 and "project.qde would inflate to 150.0 MB (at most 100 MB)" in err
    assert "Traceback" not in err
    assert seconds < 10 and 0 < peak < 300     # 126 s and 6.7 GB before
    # under the size limit, but inflating 1,000 times: refused by the ratio
    code, _, err, _, _ = _run("import", _bomb(tmp_path / "small.qdpx", 20),
                              "--db", tmp_path / "x.db")
    assert code == 1 and "a compression bomb, not read" in err
    assert articles.article_count(open_database(tmp_path / "x.db")) == 0


def test_an_entry_that_outgrows_its_limit_is_stopped_while_read(tmp_path, monkeypatch):
    path = _project(tmp_path / "big.qdpx", "")
    db = open_database(tmp_path / "x.db")
    monkeypatch.setattr("desktop.refi_qda.import_project.MAX_PROJECT_BYTES", 100)
    with pytest.raises(QdpxError, match="would inflate to"):
        import_qdpx(db, path)
    info = zipfile.ZipFile(path).getinfo("project.qde")
    reader = zip_limits.LimitedReader(zipfile.ZipFile(path), info, 10 ** 6)
    reader._left = 50           # an entry claiming less than it holds
    with pytest.raises(zip_limits.ZipLimitError, match="inflates to more than"):
        while reader.read(16):
            pass
    assert articles.article_count(db) == 0
    db.close()


def test_absurd_positions_are_skipped_with_a_reason(tmp_path):
    selections = "".join(SELECTION.format(n=n, start=start, end=end, name=name) for n, (
        start, end, name) in enumerate([
            (0, 10 ** 30, ""), (-5, 3, ""), ("7" * 5000, 9, ""), (0, 6, ' name="Police"')], 1))
    path = _project(tmp_path / "huge.qdpx", selections)
    code, out, err, _, _ = _run("import", path, "--db", tmp_path / "x.db")
    assert code == 1 and "Traceback" not in err and "OverflowError" not in err
    assert "outside the article" in err and "positions are not numbers" in err
    db = open_database(tmp_path / "x.db")
    assert [p["text"] for p in passages.export_rows(db)] == ["Police"]
    db.close()


def _deep(depth: int, namespace: str) -> str:
    opening = "".join(f'<Code guid="c{n:07d}-0000-0000-0000-000000000000" name="Level {n}" '
                      'isCodable="true">' for n in range(depth))
    return (f'<?xml version="1.0"?><CodeBook xmlns="{namespace}"><Codes>'
            + opening + "</Code>" * depth + "</Codes></CodeBook>")


def test_a_codebook_5000_codes_deep_is_refused_with_a_message(tmp_path):
    path = tmp_path / "deep.qdc"
    path.write_text(_deep(5000, "urn:QDA-XML:codebook:1.0"), encoding="utf-8")
    open_database(tmp_path / "x.db").close()
    code, out, err, _, _ = _run("codebook", "import", path, "--db", tmp_path / "x.db")
    assert code == 2 and "nested more than 100 levels deep" in err
    assert "RecursionError" not in err and "Traceback" not in err
    # 100 levels are fine, read without recursion
    entries = parse_qdc(_deep(100, "urn:QDA-XML:codebook:1.0").encode()).entries
    assert len(entries) == 100 and entries[-1]["parent"] == "Level 98"
    with pytest.raises(CodebookFileError, match="nested more than 100"):
        parse_qdc(_deep(101, "urn:QDA-XML:codebook:1.0").encode())


def test_a_project_with_codes_5000_deep_is_refused_with_a_message(tmp_path):
    codebook = _deep(5000, "urn:QDA-XML:project:1.0").split("<Codes>", 1)[1]
    project = (HEAD.split("<CodeBook>")[0] + "<CodeBook><Codes>" + codebook.replace(
        "</CodeBook>", "</CodeBook><Sources>") + SOURCE.format(selections="") + TAIL)
    path = tmp_path / "deep.qdpx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("project.qde", project)
    db = open_database(tmp_path / "x.db")
    with pytest.raises(QdpxError, match="nested more than"):
        import_qdpx(db, path)
    assert articles.article_count(db) == 0
    db.close()


def test_an_encrypted_project_is_refused_with_a_message(tmp_path):
    path = _project(tmp_path / "locked.qdpx", "")
    data = bytearray(path.read_bytes())
    for header, flags in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):   # "encrypted" bit
        data[data.find(header) + flags] |= 1
    path.write_bytes(bytes(data))
    db = open_database(tmp_path / "x.db")
    with pytest.raises(QdpxError, match="project.qde cannot be read: .*encrypted"):
        import_qdpx(db, path)
    db.close()
