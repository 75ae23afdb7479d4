"""What every exporter shares: the job it is given, progress and
cancellation, its result, and making text safe for XML.

Exporters are plain Python (no Qt, except the PDF report): each is a
function ``write(path, job) -> ExportResult`` that writes one file at
``path`` (a temporary file that the registry renames into place).

:func:`write_file` is how every export (and the codebook export) reaches
its target: ``-`` (or ``/dev/stdout``) is standard output, a symbolic
link is written through to its target (the link stays), a new or regular
file is replaced atomically, and anything else — a FIFO, a device, a
socket, a folder — is refused with :class:`ExportTargetError` before a
byte is written, instead of being replaced by a regular file. So is the
database being exported, or one of the files SQLite keeps beside it
(:data:`DATABASE_COMPANIONS`): written over, the corpus would be gone.
"""

from __future__ import annotations

import os
import re
import shutil
import stat
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from sqlite_utils import Database

from desktop import leftovers
from storage.export_selection import PassageFilter, count_passages


class ExportCancelled(Exception):
    """The user cancelled; nothing was written."""


@dataclass(frozen=True)
class ExportOptions:
    """Choices that only some formats use."""

    #: CSV: start with a UTF-8 byte-order mark, so Excel reads UTF-8.
    bom: bool = False
    #: HTML/PDF report: the heading.
    title: str = "Tagged passages"
    #: HTML/PDF report: open with the Overview's charts of the exported
    #: passages (desktop.exporters.report_charts).
    charts: bool = False


@dataclass
class ExportResult:
    """How many passages went out, and anything the user should know."""

    count: int
    warnings: list[str] = field(default_factory=list)


class Progress:
    """Counts exported passages, reports progress, raises on cancel."""

    EVERY = 50

    def __init__(self, total: int, on_progress: Callable[[int, int], None] | None,
                 is_cancelled: Callable[[], bool] | None):
        self.total, self.done = total, 0
        self._on_progress, self._is_cancelled = on_progress, is_cancelled

    def check(self) -> None:
        """Raise :class:`ExportCancelled` if the user cancelled."""
        if self._is_cancelled and self._is_cancelled():
            raise ExportCancelled()

    def step(self, count: int = 1) -> None:
        before, self.done = self.done, self.done + count
        if self.done // self.EVERY != before // self.EVERY or self.done >= self.total:
            self.check()
            if self._on_progress:
                self._on_progress(min(self.done, self.total), self.total)


@dataclass
class ExportJob:
    """One export: the database, what to take from it, and how."""

    db: Database
    filter: PassageFilter = PassageFilter()
    options: ExportOptions = ExportOptions()
    on_progress: Callable[[int, int], None] | None = None
    is_cancelled: Callable[[], bool] | None = None

    def __post_init__(self) -> None:
        self.progress = Progress(count_passages(self.db, self.filter),
                                 self.on_progress, self.is_cancelled)


# Characters XML 1.0 (and so XLSX) cannot hold, not even escaped.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def xml_safe(text: str | None) -> str:
    """``text`` with each XML-illegal character replaced by one space.

    One character for one keeps every code-point offset valid: a passage
    at ``[start, end)`` is still at ``[start, end)`` in the cleaned text.
    """
    return _XML_ILLEGAL.sub(" ", text or "")


def tint(color: str, strength: float = 0.3) -> str:
    """``#rrggbb`` mixed with white: ``strength`` 1 is the colour, 0 white."""
    channels = [int(color[i:i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{round(255 - (255 - c) * strength):02x}" for c in channels)


# -- where an export goes ---------------------------------------------------
#: Targets that mean standard output.
STDOUT_NAMES = ("-", "/dev/stdout")
#: Prefix of the temporary file an export is written to before it is renamed.
TEMP_PREFIX = ".dossier-export-"

_KINDS = ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a FIFO (named pipe)"),
          (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
          (stat.S_ISSOCK, "a socket"))

T = TypeVar("T")

#: What SQLite appends to a database's name for the files it keeps beside
#: it ("" is the database itself); an export replacing one of them loses
#: the corpus or its last committed changes.
DATABASE_COMPANIONS = ("", "-wal", "-shm", "-journal")


class ExportTargetError(OSError):
    """The export target cannot be written (not a regular file, no such
    folder); the message is one line for the user."""

    def __init__(self, message: str):
        super().__init__(message)
        self.strerror = message


def is_stdout(path: str | Path) -> bool:
    """Whether ``path`` means standard output (``-`` or ``/dev/stdout``)."""
    return str(path) in STDOUT_NAMES


def _is_database_file(real: Path, database: str | Path) -> bool:
    """Whether ``real`` (symbolic links resolved) is ``database`` or one of
    its :data:`DATABASE_COMPANIONS`, by name or as the same file (a hard
    link, or a link to the database)."""
    names = {str(database), os.path.realpath(database)}
    for name in names:
        for suffix in DATABASE_COMPANIONS:
            companion = name + suffix
            if str(real) == os.path.realpath(companion):
                return True
            try:
                if os.path.samefile(real, companion):
                    return True
            except OSError:         # either is missing: not the same file
                pass
    return False


def resolve_target(path: str | Path, database: str | Path | None = None) -> Path | None:
    """Where writing ``path`` really goes: None for standard output, else
    the path with every symbolic link resolved. Raises
    :class:`ExportTargetError` for an existing target that is not a
    regular file, for a missing folder, and for the file ``database`` (the
    database being exported, when given) or one of its journal files."""
    if is_stdout(path):
        return None
    path = Path(path)
    try:
        info = path.stat()                  # follows symbolic links
    except FileNotFoundError:
        info = None                         # new (or a link to a new file)
    except OSError as error:
        raise ExportTargetError(f"{path}: {error.strerror or error}") from error
    if info is not None and not stat.S_ISREG(info.st_mode):
        kind = next((name for test, name in _KINDS if test(info.st_mode)), "not a file")
        raise ExportTargetError(
            f"{path} is {kind}, not a regular file; exports are written only to new "
            f"or regular files (use - for standard output)")
    real = Path(os.path.realpath(path))
    if not real.parent.is_dir():
        raise ExportTargetError(f"folder {real.parent} does not exist")
    if database and _is_database_file(real, database):
        raise ExportTargetError(
            f"{path} is the database being exported (or one of its journal files); "
            f"writing the export there would replace the corpus: choose another file")
    return real


def write_file(path: str | Path, write: Callable[[Path], T],
               database: str | Path | None = None) -> T:
    """Call ``write(temporary_path)`` and put what it wrote at ``path``.

    The temporary file sits beside the real target (symbolic links
    resolved) and is renamed onto it, so a failed or cancelled write
    (``write`` raising) leaves no file and an existing one untouched; an
    existing file keeps its permissions. For standard output (see
    :data:`STDOUT_NAMES`) the bytes are copied there once complete.
    ``database`` (the file being exported) is refused as a target
    (:func:`resolve_target`).
    """
    real = resolve_target(path, database)
    fd, temp = tempfile.mkstemp(prefix=TEMP_PREFIX,
                                dir=real.parent if real is not None else None)
    if real is None:
        os.close(fd)
        held = None
    else:   # locked while written; a killed export's file is cleaned up later
        held = leftovers.hold(fd, real.parent)
    try:
        result = write(Path(temp))
        if real is None:
            with open(temp, "rb") as source:
                sys.stdout.flush()
                shutil.copyfileobj(source, sys.stdout.buffer)
                sys.stdout.buffer.flush()
            os.unlink(temp)
        else:
            try:
                mode = stat.S_IMODE(real.stat().st_mode)
            except FileNotFoundError:
                mode = 0o644
            os.chmod(temp, mode)
            os.replace(temp, real)
    except BaseException:
        if os.path.exists(temp):
            os.unlink(temp)
        raise
    finally:
        if held is not None:
            held.release()
    return result
