"""A .docx whose XML inflates to hundreds of megabytes (the attack: 2.1 MB
inflating to 650 MB took 7.7 GB) is refused before it is decompressed:
``dossier import`` as a real process skips it with a reason and stays
small; ordinary .docx files still import."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from desktop.importers.zip_limits import ZipLimitError, ZipLimits, check_zip

ROOT = Path(__file__).resolve().parent.parent


def dossier(*args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-m", "desktop", *args], env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=300)


def _word_file(path: Path, paragraph: str = "Police in Phnom Penh arrested three men.") -> None:
    import docx

    document = docx.Document()
    document.add_paragraph(paragraph)
    document.save(str(path))


def _inflated(source: Path, target: Path, megabytes: int) -> None:
    """``source`` with its word/document.xml padded (white space inside the
    body) to ``megabytes`` MB, written in a stream: a real ZIP bomb."""
    with zipfile.ZipFile(source) as original, \
            zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as bomb:
        for member in original.infolist():
            data = original.read(member)
            if member.filename != "word/document.xml":
                bomb.writestr(member, data)
                continue
            head, tail = data.split(b"<w:body>", 1)
            with bomb.open("word/document.xml", "w", force_zip64=True) as out:
                out.write(head + b"<w:body>")
                chunk = b" " * (1024 * 1024)
                for _ in range(megabytes):
                    out.write(chunk)
                out.write(tail)


def test_a_docx_bomb_is_refused_before_it_is_inflated(tmp_path):
    plain = tmp_path / "plain.docx"
    _word_file(plain)
    bomb = tmp_path / "bomb.docx"
    _inflated(plain, bomb, 650)
    assert bomb.stat().st_size < 3 * 1024 * 1024
    # the import's own peak: measured by a fresh parent whose only child it
    # is (this test process's children include every earlier test's)
    measured = subprocess.run([sys.executable, "-c", (
        "import resource, subprocess, sys; "
        "subprocess.run(sys.argv[1:], capture_output=True); "
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"),
        sys.executable, "-m", "desktop", "import", str(bomb), str(plain), "--db",
        str(tmp_path / "peak.db")], env=dict(os.environ, PYTHONPATH=str(ROOT)), cwd=ROOT,
        capture_output=True, text=True, timeout=300)
    peak_kb = before = int(measured.stdout.split()[-1])
    done = dossier("import", str(bomb), str(plain), "--db", str(tmp_path / "d.db"))
    assert done.returncode == 1, done.stderr
    assert "skipped" in done.stderr and "bomb.docx" in done.stderr
    assert "a ZIP bomb" in done.stderr and "Traceback" not in done.stderr
    assert f"imported {plain}" in done.stdout          # the rest of the import goes on
    assert max(before, peak_kb) < 400 * 1024, f"peak {peak_kb / 1024:.0f} MB"


def test_a_large_but_ordinary_docx_still_imports(tmp_path):
    path = tmp_path / "long.docx"
    import docx

    document = docx.Document()
    for number in range(800):
        document.add_paragraph(f"Paragraph {number}: the court in Phnom Penh heard "
                               f"witness {number} on the scam compound raid.")
    document.save(str(path))
    done = dossier("import", str(path), "--db", str(tmp_path / "d.db"))
    assert done.returncode == 0, done.stderr


def _archive(members: dict[str, bytes]) -> zipfile.ZipFile:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return zipfile.ZipFile(io.BytesIO(buffer.getvalue()))


@pytest.mark.parametrize("limits,members,message", [
    (ZipLimits(max_members=2), {"a": b"1", "b": b"2", "c": b"3"}, "too many files"),
    (ZipLimits(max_member_bytes=1000, ratio_floor=10**9), {"a": os.urandom(2000)},
     "would inflate to 2,000 bytes"),
    (ZipLimits(max_total_bytes=3000), {"a": os.urandom(2000), "b": os.urandom(2000)},
     "more than 3,000 bytes"),
    (ZipLimits(ratio_floor=1000), {"a": b"\0" * 200_000}, "times"),
])
def test_each_limit(limits, members, message):
    with pytest.raises(ZipLimitError, match=message):
        check_zip(_archive(members), limits)


def test_within_limits_passes():
    check_zip(_archive({"a": os.urandom(5000), "tiny.xml": b" " * 100_000}),
              ZipLimits(ratio_floor=1024 * 1024))
