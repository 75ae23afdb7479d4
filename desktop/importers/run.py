"""Importing files and folders: the entry point the GUI and the command line
call. Each file is one transaction — all its articles or none — and a file
that cannot be used is skipped with its reason while the rest go in."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from sqlite_utils import Database

from desktop import near_duplicates
from desktop.importers.article_text import finish
from desktop.importers.dispatch import SUPPORTED_SUFFIXES, read_entries
from desktop.importers.drafts import ImportProblem
from storage import articles

#: How often (in rows of a batch file) a running import checks for Cancel.
_CANCEL_CHECK_ROWS = 100


class _Cancelled(Exception):
    pass


@dataclass
class ImportReport:
    """What an import did, file by file (batch rows labelled ``file (row N)``)."""

    added: list[tuple[str, int]] = field(default_factory=list)
    duplicates: list[tuple[str, int]] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    #: (new article id, similar article id, score) for each link made.
    similar: list[tuple[int, int, float]] = field(default_factory=list)
    #: with ``update``: (label, article id, re-anchoring counts) per article
    #: whose text was replaced by a newer version of its file
    updated: list[tuple[str, int, dict]] = field(default_factory=list)
    cancelled: bool = False

    def summary(self) -> str:
        text = (f"{len(self.added)} imported, {len(self.duplicates)} already "
                f"present, {len(self.skipped)} skipped")
        if self.updated:
            text += f", {len(self.updated)} updated"
        flagged = len({new for new, _, _ in self.similar})
        if flagged:
            text += f", {flagged} similar to other articles"
        return text + (" (cancelled)" if self.cancelled else "")


def _wanted(path: Path, root: Path) -> bool:
    hidden = any(part.startswith((".", "~$")) for part in path.relative_to(root).parts)
    return not hidden and path.suffix.lower() in SUPPORTED_SUFFIXES and path.is_file()


def collect_files(paths: Iterable[Path]) -> tuple[list[Path], list[tuple[str, str]]]:
    """Expand folders (recursively, in name order) into files of the supported
    kinds, leaving hidden files and Word lock files (``~$…``) out; files named
    one by one are all kept. Returns the files and ``(path, reason)`` for
    paths that do not exist."""
    files, problems = [], []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(p for p in path.rglob("*") if _wanted(p, path)))
        elif path.is_file():
            files.append(path)
        else:
            problems.append((str(path), "no such file or folder"))
    return files, problems


def _store_file(db: Database, path: Path, report: ImportReport,
                is_cancelled: Callable[[], bool] | None, update: bool = False) -> None:
    """Store one file's articles in one transaction; the report is updated
    only once it has committed."""
    entries = read_entries(path)
    if not entries:
        raise ImportProblem("no articles in the file")
    added, duplicates, skipped, similar, updated = [], [], [], [], []
    with db.atomic():
        for number, (label, entry) in enumerate(entries, 1):
            if is_cancelled and number % _CANCEL_CHECK_ROWS == 0 and is_cancelled():
                raise _Cancelled
            try:
                if isinstance(entry, ImportProblem):
                    raise entry
                draft = finish(entry, filename=path.name if len(entries) == 1 else None)
            except ImportProblem as problem:
                skipped.append((label, str(problem)))
                continue
            earlier = articles.find_earlier_version(
                db, url=draft.url, filename=path.name if len(entries) == 1 else None,
                text=draft.text) if update else None
            if earlier is not None:
                counts = articles.replace_article_text(db, earlier, draft.text)
                links = near_duplicates.link_similar(db, earlier, draft.text)
                similar.extend((earlier, other, score) for other, score in links)
                updated.append((label, earlier, counts))
                continue
            article_id, created = articles.add_article(
                db, title=draft.title, text=draft.text, filename=path.name,
                **draft.metadata())
            if created:
                added.append((label, article_id))
                links = near_duplicates.link_similar(db, article_id, draft.text)
                similar.extend((article_id, other, score) for other, score in links)
            else:
                duplicates.append((label, article_id))
    if len(entries) == 1 and skipped:
        skipped = [(str(path), skipped[0][1])]
    report.added += added
    report.duplicates += duplicates
    report.skipped += skipped
    report.similar += similar
    report.updated += updated


def import_files(db: Database, paths: Iterable[Path], *,
                 on_progress: Callable[[int, int], None] | None = None,
                 is_cancelled: Callable[[], bool] | None = None,
                 update: bool = False) -> ImportReport:
    """Import files and folders of any supported kind into ``db``.

    With ``update``, a file whose article is already stored (same URL, or
    same file name for a one-article file) but whose text changed replaces
    that article's text, and its passages are re-anchored
    (:func:`storage.articles.replace_article_text`) instead of a second
    article being added.

    Articles stored before near-duplicate fingerprints existed are
    fingerprinted first. Cancelling stops between files (or within a batch
    file, which is then rolled back whole); what was imported stays.
    """
    files, problems = collect_files(Path(p) for p in paths)
    report = ImportReport(skipped=problems)
    near_duplicates.fingerprint_missing(db, is_cancelled=is_cancelled)
    for number, path in enumerate(files, 1):
        if is_cancelled and is_cancelled():
            report.cancelled = True
            break
        try:
            _store_file(db, path, report, is_cancelled, update)
        except ImportProblem as problem:
            report.skipped.append((str(path), str(problem)))
        except _Cancelled:
            report.cancelled = True
            break
        except sqlite3.Error as error:
            report.skipped.append((str(path), f"could not be stored ({error})"))
        if on_progress:
            on_progress(number, len(files))
    return report
