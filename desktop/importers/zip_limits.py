"""What a ZIP archive (a Word .docx; a REFI-QDA .qdpx may use it too) may
cost before anything in it is read.

A small archive can inflate to gigabytes: a 2.1 MB .docx whose XML inflated
to 650 MB took 7.7 GB of memory to import. :func:`check_zip` looks only at
the central directory — member count, each member's declared uncompressed
size and compression ratio, and their total — and refuses the archive
before a byte is decompressed. The declared sizes can be trusted as upper
bounds: :mod:`zipfile` never returns more than a member's declared size
(a member that inflates further fails its CRC check). Plain Python, no Qt.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass

MB = 1024 * 1024


class ZipLimitError(ValueError):
    """The archive would cost more than its limits; one line for the user."""


@dataclass(frozen=True)
class ZipLimits:
    """Limits for one archive. The ratio is checked only on members larger
    than ``ratio_floor`` (tiny files compress absurdly well and cost nothing)."""

    max_members: int = 10_000
    max_member_bytes: int = 100 * MB
    max_total_bytes: int = 200 * MB
    max_ratio: float = 100.0
    ratio_floor: int = 1 * MB


#: The limits for a Word document (see docs/notes/hostile-input.md): real
#: .docx XML compresses 5–20 times; pictures are stored as they are.
WORD_LIMITS = ZipLimits(max_members=5_000, max_member_bytes=100 * MB,
                        max_total_bytes=200 * MB, max_ratio=100.0)


def _size(count: int) -> str:
    return f"{count / MB:,.0f} MB" if count >= MB else f"{count:,} bytes"


def check_zip(archive: zipfile.ZipFile, limits: ZipLimits = ZipLimits()) -> None:
    """Raise :class:`ZipLimitError` if ``archive`` exceeds ``limits``."""
    members = archive.infolist()
    if len(members) > limits.max_members:
        raise ZipLimitError(f"too many files inside ({len(members):,}; the limit is "
                            f"{limits.max_members:,})")
    total = 0
    for member in members:
        size = member.file_size
        if size > limits.ratio_floor and size > limits.max_ratio * max(1, member.compress_size):
            raise ZipLimitError(
                f"{member.filename} would inflate {size / max(1, member.compress_size):,.0f} "
                f"times (to {_size(size)}; the limit is {limits.max_ratio:g} times): "
                f"a ZIP bomb, not a document")
        if size > limits.max_member_bytes:
            raise ZipLimitError(
                f"{member.filename} would inflate to {_size(size)} (the limit is "
                f"{_size(limits.max_member_bytes)} a file)")
        total += size
        if total > limits.max_total_bytes:
            raise ZipLimitError(f"its contents would inflate to more than "
                                f"{_size(limits.max_total_bytes)} (the limit)")
