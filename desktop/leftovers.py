"""Leftovers of killed work, cleaned up at the next start.

An export writes ``.dossier-export-*`` beside its target and renames it when
done; a backup writes ``*.db.partial`` in the backup folder. Killed halfway,
either stays forever. Each is held with an exclusive ``flock`` while written
(:func:`hold`, :func:`storage.backup.held_while_written`), so a second
Dossier starting meanwhile leaves it alone; a file is removed only if no
live process holds it and it is over a minute old. Export folders are
remembered in the data folder (``export-folders.txt``) so their leftovers
can be found; only files named as Dossier names its own are ever removed.
Qt-free: the window and the command line both call :func:`clean_leftovers`.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from desktop.data_location import data_folder
from storage.backup import clean_partial_backups, glob_escape, remove_if_stale

try:
    import fcntl
except ImportError:
    fcntl = None

log = logging.getLogger(__name__)

EXPORT_TEMP_PREFIX = ".dossier-export-"
EXPORT_FOLDERS = "export-folders.txt"


class Held:
    """A temporary export file's lock, released by :meth:`release`."""

    def __init__(self, fd: int | None):
        self.fd = fd

    def release(self) -> None:
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None


def _folders_file() -> Path:
    return data_folder() / EXPORT_FOLDERS


def remembered_folders() -> list[Path]:
    """The folders exports were written to (where leftovers may be)."""
    try:
        lines = _folders_file().read_text("utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return []
    return [Path(line) for line in dict.fromkeys(lines) if line.strip()]


def _remember(folders: list[Path]) -> None:
    try:
        _folders_file().parent.mkdir(parents=True, exist_ok=True)
        _folders_file().write_text("".join(f"{f}\n" for f in folders), "utf-8")
    except OSError as error:     # a data folder we cannot write: nothing remembered
        log.info("cannot remember export folders: %s", error)


def hold(fd: int, folder: Path) -> Held:
    """Keep the just-made temporary export file ``fd`` locked while it is
    written (until :meth:`Held.release`) and remember its folder. Where
    ``flock`` does not exist (Windows) ``fd`` is closed at once."""
    folder = Path(os.path.abspath(folder))
    known = remembered_folders()
    if folder not in known:
        _remember(known + [folder])
    if fcntl is None:
        os.close(fd)
        return Held(None)
    fcntl.flock(fd, fcntl.LOCK_EX)
    return Held(fd)


def clean_export_leftovers(folders: list[Path] | None = None) -> list[Path]:
    """Delete stale ``.dossier-export-*`` files in ``folders`` (default: the
    remembered ones); forgets folders left with none."""
    remembered = folders is None
    folders = remembered_folders() if folders is None else folders
    removed, still = [], []
    for folder in folders:
        try:
            found = list(folder.glob(glob_escape(EXPORT_TEMP_PREFIX) + "*"))
        except OSError:
            continue
        removed += [path for path in found if path.is_file() and remove_if_stale(path)]
        if any(path.exists() for path in found):
            still.append(folder)
    if remembered and still != folders:
        _remember(still)
    return removed


def clean_leftovers(db_path: Path) -> list[Path]:
    """At start-up: stale partial backups of ``db_path`` and temporary export
    files in the remembered export folders. Never raises."""
    removed: list[Path] = []
    for clean in (lambda: clean_partial_backups(db_path), clean_export_leftovers):
        try:
            removed += clean()
        except OSError as error:
            log.info("leftovers not cleaned: %s", error)
    for path in removed:
        log.info("removed a leftover of killed work: %s", path)
    return removed
