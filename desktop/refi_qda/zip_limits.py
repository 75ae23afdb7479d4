"""What one REFI-QDA archive (``.qdpx``) may cost, checked before anything
is inflated.

A zip entry says how large it is once inflated (``file_size``) and how many
bytes it takes in the archive (``compress_size``). A small archive whose
``project.qde`` inflates to hundreds of megabytes (a "zip bomb") is refused
from those figures alone, and every read is counted as well, so an entry
that lies about its size is stopped at the limit all the same.

The limits (also in ``docs/notes/interop.md``):

- at most :data:`MAX_ENTRIES` entries in the archive;
- all entries together at most :data:`MAX_TOTAL_BYTES` inflated;
- an entry over :data:`RATIO_FLOOR_BYTES` inflated may not be more than
  :data:`MAX_RATIO` times its compressed size (text and XML compress 5–20
  times; a bomb 1,000 times and more);
- ``project.qde`` at most :data:`desktop.refi_qda.import_project.MAX_PROJECT_BYTES`,
  one source file at most ``MAX_SOURCE_BYTES`` (set by the importer).

(A helper of our own: the ``.docx`` importer may get a shared one.)
"""

from __future__ import annotations

import io
import zipfile

MAX_ENTRIES = 20_000
MAX_TOTAL_BYTES = 1024 * 1024 * 1024
MAX_RATIO = 100
RATIO_FLOOR_BYTES = 1024 * 1024


class ZipLimitError(ValueError):
    """The archive (or one entry) would cost more than the limits; the
    message says which limit and is one line for the user."""


def check_archive(archive: zipfile.ZipFile) -> None:
    """Refuse an archive with too many entries or too much inflated data."""
    infos = archive.infolist()
    if len(infos) > MAX_ENTRIES:
        raise ZipLimitError(f"it holds {len(infos):,} files (at most {MAX_ENTRIES:,} are read)")
    total = sum(info.file_size for info in infos)
    if total > MAX_TOTAL_BYTES:
        raise ZipLimitError(f"it would inflate to {total / 2**20:,.0f} MB "
                            f"(at most {MAX_TOTAL_BYTES // 2**20:,} MB)")


def check_entry(info: zipfile.ZipInfo, limit: int) -> None:
    """Refuse one entry larger than ``limit`` bytes inflated, or compressed
    suspiciously well."""
    if info.file_size > limit:
        raise ZipLimitError(f"{info.filename} would inflate to {info.file_size / 2**20:,.1f} MB "
                            f"(at most {limit / 2**20:,.0f} MB)")
    if (info.file_size > RATIO_FLOOR_BYTES
            and info.file_size > MAX_RATIO * max(info.compress_size, 1)):
        raise ZipLimitError(
            f"{info.filename} would inflate {info.file_size // max(info.compress_size, 1):,} "
            f"times (from {info.compress_size / 1024:,.0f} KB to "
            f"{info.file_size / 2**20:,.0f} MB; at most {MAX_RATIO} times): "
            "a compression bomb, not read")


class LimitedReader(io.RawIOBase):
    """A zip entry opened for reading, stopped with :class:`ZipLimitError`
    once more than ``limit`` bytes came out (whatever the entry claims)."""

    def __init__(self, archive: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int):
        check_entry(info, limit)
        self._handle = archive.open(info)
        self._left = limit
        self._name = info.filename
        self._limit = limit

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        size = self._left + 1 if size is None or size < 0 else min(size, self._left + 1)
        data = self._handle.read(size)
        self._left -= len(data)
        if self._left < 0:
            raise ZipLimitError(f"{self._name} inflates to more than "
                                f"{self._limit / 2**20:,.0f} MB")
        return data

    def close(self) -> None:
        self._handle.close()
        super().close()


def read_limited(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int) -> bytes:
    """The whole of one entry, refused beyond ``limit`` bytes or the ratio."""
    reader = LimitedReader(archive, info, limit)
    try:
        chunks = []
        while chunk := reader.read(1024 * 1024):
            chunks.append(chunk)
        return b"".join(chunks)
    finally:
        reader.close()
