"""Importing files and folders: the entry point the GUI and the command line
call.

A file of one article (text, page, Word, PDF, e-mail) is one transaction.
A batch file (.csv, .json, .jsonl) is streamed and committed in chunks of
:data:`CHUNK_ROWS` rows (:data:`BIG_CHUNK_ROWS` in a file of
:data:`BIG_IMPORT_ROWS` or more): a crash or a kill keeps every committed chunk and
never half a row, and importing the same file again continues where it
stopped (rows already stored are recognised by their text's hash and
reported as already present). A file, or a row, that cannot be used is
skipped with its reason while the rest go in.

Progress counts articles: one a single file, one a row of a batch file
(rows are counted before the import starts).
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable, Iterable
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path

from sqlite_utils import Database

from desktop import near_duplicates
from desktop.importers import batch_files
from desktop.importers.article_text import finish
from desktop.importers.dispatch import BATCH, SUPPORTED_SUFFIXES, open_entries
from desktop.importers.drafts import ImportProblem
from storage import articles, full_text, journal, similarity
from storage.database import use_bulk_cache
from storage.durability import commits_without_fsync
from widgets.wording import counted

#: Rows of a batch file committed together.
CHUNK_ROWS = 500
#: The stages :func:`import_files` names to ``on_stage``.
PREPARING = "Preparing the duplicate check of the stored articles (once)"
IMPORTING = "Importing articles"
#: ... in a file of at least :data:`BIG_IMPORT_ROWS` rows. Each chunk's
#: commit writes to the log every page its rows changed, and twenty LSH
#: bucket rows an article land at random keys: once the corpus holds
#: tens of thousands of articles a 500-row chunk changed most of the
#: bucket table's pages, written again at every chunk. On the 100,000-row
#: benchmark, run alternately: 1,074 rows/s with 500-row chunks, 1,204
#: with 2,000 (the writer's CPU 77.9 → 68.4 s, system time 16.1 → 11.0 s).
BIG_CHUNK_ROWS = 2000
BIG_IMPORT_ROWS = 20_000
#: How often (in rows of a batch file) a running import checks for Cancel
#: and reports progress.
_CANCEL_CHECK_ROWS = 100
#: Batch files of at least this many rows are prepared (text cleaned,
#: fingerprinted) in a second process while this one writes, on a machine
#: with more than one core.
PARALLEL_ROWS = 2000
#: Chunks the second process may prepare ahead of the writer: enough that
#: neither waits for the other when one chunk costs more than the next.
_AHEAD = 3
#: The first rows the second process prepares, before whole chunks.
_FIRST_ROWS = 50
#: Log pages (4 KiB) a large import lets pile up before they are copied into
#: the file (SQLite's default is 1,000, about one chunk of rows).
_CHECKPOINT_PAGES = 16_000
#: Skipped rows listed one by one per file; beyond, they are only counted
#: (a million rows without text must not cost a million report lines).
MAX_LISTED_SKIPS = 1000


class _Cancelled(Exception):
    pass


@dataclass
class ImportReport:
    """What an import did, file by file (batch rows labelled ``file (row N)``)."""

    added: list[tuple[str, int]] = field(default_factory=list)
    duplicates: list[tuple[str, int]] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    #: (new article id, most similar article id, score), one per new article
    #: linked to others; ``links`` counts every link made.
    similar: list[tuple[int, int, float]] = field(default_factory=list)
    links: int = 0
    #: with ``update``: (label, article id, re-anchoring counts) per article
    #: whose text was replaced by a newer version of its file
    updated: list[tuple[str, int, dict]] = field(default_factory=list)
    #: (file, how many) skipped rows beyond :data:`MAX_LISTED_SKIPS` a file
    unlisted: list[tuple[str, int]] = field(default_factory=list)
    #: (label, note) for what a reader changed in a file it imported (e.g.
    #: stray NUL bytes dropped)
    notes: list[tuple[str, str]] = field(default_factory=list)
    #: the article of each passage stored from another tool's codings (a
    #: Taguette document export; the reader's note says how many)
    coded: list[int] = field(default_factory=list)
    #: articles stored undated because their date could not be read, and
    #: the first few of those dates (a count, not a list: a million rows)
    unread_dates: int = 0
    unread_examples: list[str] = field(default_factory=list)
    cancelled: bool = False
    #: with ``one_step`` (:func:`import_files`): the journal step holding the
    #: whole import and what it changed, or None (a larger import, a step a chunk)
    step: object = None
    #: with ``one_step``, a larger import: the ids of its steps (a file, a
    #: chunk of rows), which ``storage.journal.undo_steps`` undoes together
    steps: list[int] = field(default_factory=list)

    def skipped_count(self) -> int:
        """Skipped files and rows, listed or not."""
        return len(self.skipped) + sum(n for _, n in self.unlisted)

    def summary(self) -> str:
        text = (f"{len(self.added):,} imported, {len(self.duplicates):,} already "
                f"present, {self.skipped_count():,} skipped")
        if self.updated:
            text += f", {len(self.updated):,} updated"
        flagged = len({new for new, _, _ in self.similar})
        if flagged:
            text += f", {flagged:,} similar to other articles"
        if self.unread_dates:
            examples = ", ".join(f"“{d}”" for d in self.unread_examples)
            text += (f", {counted(self.unread_dates, 'date')} not read (stored undated: "
                     f"{examples}{', …' if self.unread_dates > len(self.unread_examples) else ''})")
        text += "".join(f", {count}" for count in self.more_counts())
        return text + (" (cancelled; what was imported before the cancel is kept: undo "
                       "takes it out, importing the same files again adds the rest)"
                       if self.cancelled and self.added else
                       " (cancelled)" if self.cancelled else "")

    def more_counts(self) -> list[str]:
        """Counts a kind of import adds to :meth:`summary` (none here)."""
        return []


@dataclass
class _Pending:
    """One transaction's outcome, added to the report once it has committed."""

    added: list = field(default_factory=list)
    duplicates: list = field(default_factory=list)
    skipped: list = field(default_factory=list)
    similar: list = field(default_factory=list)
    links: int = 0
    updated: list = field(default_factory=list)
    notes: list = field(default_factory=list)
    coded: list = field(default_factory=list)
    unread_dates: list = field(default_factory=list)

    def commit_to(self, report: ImportReport, listed_skips: int = 0) -> int:
        report.notes += self.notes
        report.added += self.added
        report.duplicates += self.duplicates
        report.similar += self.similar
        report.links += self.links
        report.updated += self.updated
        report.coded += self.coded
        report.unread_dates += len(self.unread_dates)
        report.unread_examples += self.unread_dates[:max(0, 3 - len(report.unread_examples))]
        room = max(0, MAX_LISTED_SKIPS - listed_skips)
        report.skipped += self.skipped[:room]
        return len(self.skipped)


def _found(path: Path, root: Path, suffixes) -> bool:
    """Whether a file met walking folder ``root`` is taken: one of
    ``suffixes`` (any case; None: any), not hidden, not a Word lock file
    (``~$…``)."""
    hidden = any(part.startswith((".", "~$")) for part in path.relative_to(root).parts)
    return (not hidden and (suffixes is None or path.suffix.lower() in suffixes)
            and path.is_file())


#: A REFI-QDA project: imported whole (its codebook, sources and codings,
#: :mod:`desktop.refi_qda.import_project`), not as an article.
PROJECT_SUFFIX = ".qdpx"


def split_projects(paths: Iterable[Path]) -> tuple[list[Path], list[Path]]:
    """The REFI-QDA projects among ``paths`` — given one by one, or found in
    a folder given (recursively, in name order, hidden ones left out) — and
    the paths left for :func:`import_files` (a folder stays: its articles
    are collected there, its projects not)."""
    projects, rest = [], []
    for path in map(Path, paths):
        if path.is_dir():
            projects += sorted(p for p in path.rglob("*")
                               if _found(p, path, (PROJECT_SUFFIX,)))
            rest.append(path)
        elif path.suffix.lower() == PROJECT_SUFFIX and path.is_file():
            projects.append(path)
        else:
            rest.append(path)
    return projects, rest


def collect_files(paths: Iterable[Path], left_out: list[tuple[str, str]] | None = None,
                  relative: dict[Path, str] | None = None
                  ) -> tuple[list[Path], list[tuple[str, str]]]:
    """Expand folders (recursively, in name order) into files of the supported
    kinds, leaving hidden files and Word lock files (``~$…``) out; files named
    one by one are all kept. Returns the files and ``(path, reason)`` for
    paths that do not exist; ``left_out``, if given, gets ``(folder, note)``
    for a folder's files of other kinds (REFI-QDA projects aside: they are
    imported whole), which are not problems but were silently passed over.
    ``relative``, if given, gets each file's :func:`relative_path`."""
    files, problems = [], []
    for path in paths:
        if path.is_dir():
            found = sorted(p for p in path.rglob("*") if _found(p, path, SUPPORTED_SUFFIXES))
            files.extend(found)
            if relative is not None:
                for p in found:
                    relative.setdefault(p, relative_path(p, path))
            if left_out is not None:
                other = [p for p in path.rglob("*")
                         if _found(p, path, None) and p.suffix.lower() not in
                         SUPPORTED_SUFFIXES + (PROJECT_SUFFIX,)]
                if other:
                    kinds = sorted({p.suffix.lower() or "no extension" for p in other})
                    left_out.append((str(path), (
                        f"{len(other)} file{'s' if len(other) != 1 else ''} of kinds Dossier "
                        f"does not read left out ({', '.join(kinds[:6])}"
                        f"{', …' if len(kinds) > 6 else ''})")))
        elif path.is_file():
            files.append(path)
            if relative is not None:
                relative.setdefault(path, relative_path(path, path.parent))
        else:
            problems.append((str(path), "no such file or folder"))
    return files, problems


def relative_path(path: Path, root: Path) -> str:
    """Where ``path`` lies in the folder ``root`` that was imported, '/'-separated
    whatever the system (``2024/brief.txt``): stored with the article, so
    that importing the same tree again — from wherever it is now — finds
    the article each file gave (``--update``)."""
    return path.relative_to(root).as_posix()


def prepare(entries: list[tuple[str, object]], *,
            filename: str | None = None) -> list[tuple[str, object, object]]:
    """The CPU-only half of storing: each ``(label, draft or problem)`` as
    ``(label, finished draft or problem, fingerprint)``; picklable both ways,
    so a second process can do it while the first one writes. ``filename``
    (a one-article file's name) may date an article nothing else dates."""
    prepared = []
    for label, entry in entries:
        entry = batch_files.resolve(entry)
        if isinstance(entry, ImportProblem):
            prepared.append((label, entry, None))
            continue
        try:
            draft = finish(entry, filename=filename)
            draft.check_text()
        except ImportProblem as problem:
            prepared.append((label, problem, None))
            continue
        prepared.append((label, draft, near_duplicates.text_fingerprint(draft.text)))
    return prepared


@dataclass
class _Versions:
    """What the files of an ``update`` import may replace by their path or
    name: never an article the same import stored (ids from ``first_new``
    on) or replaced already — two files of one name in two folders are two
    articles."""

    first_new: int
    replaced: set[int] = field(default_factory=set)
    #: the paths of this import's files (:func:`relative_path`): an article
    #: from one of them is that file's, never another's of its name (a new
    #: 2025/brief.txt took the article of 2024/brief.txt, imported too)
    paths: frozenset[str] = frozenset()

    def taken(self, article_id: int) -> bool:
        """Whether this import stored or replaced ``article_id`` already."""
        return article_id >= self.first_new or article_id in self.replaced


def _same_file_version(db: Database, filename: str, file_path: str | None, text: str,
                       versions: _Versions) -> tuple[int | None, str | None]:
    """The article a file's ``text`` is a newer version of: the article(s)
    from the file at the same ``file_path`` in the folder imported
    (:func:`relative_path`), else — articles imported before paths were
    stored, or a file moved since — those of the same bare name; it must be
    the only one, not stored or replaced by this import, and its text a
    near-duplicate of ``text``. Otherwise ``(None, why not)`` (None when no
    article has the path or name, or the text is stored already)."""
    at = articles.articles_at(db, filename, file_path) if file_path else []
    found = at or articles.articles_named(db, filename, besides=versions.paths)
    if not found or articles.find_by_hash(db, articles.text_hash(text)) is not None:
        return None, None
    new = "stored as a new article: "
    if len(found) > 1:
        return None, (f"{new}several articles came from files at {file_path} (--update "
                      f"replaces by path only when one article has it)" if at else
                      f"{new}several articles came from files named {filename} (--update "
                      f"replaces by file name only when one article has it)")
    [(other, old_text)] = found
    if versions.taken(other):
        return None, (f"{new}article {other} came from another file "
                      f"{f'at {file_path}' if at else f'named {filename}'} in this import")
    share = near_duplicates.text_likeness(old_text, text)
    if share < near_duplicates.THRESHOLD:
        same = "path" if at and file_path != filename else "name"
        return None, (f"{new}article {other}, from a file of the same {same}, has other text "
                      f"({share:.0%} of their words shared; --update replaces a text by a "
                      f"revision of it)")
    return other, None


def store_draft(db: Database, label: str, draft, pending: _Pending, *,
                filename: str | None = None, file_path: str | None = None,
                update: bool = False, same_file: bool = True,
                prepared: tuple | None = None, run: _RunIds | None = None,
                versions: _Versions | None = None) -> None:
    """Store one article draft in the caller's transaction: finished,
    checked, deduplicated by text hash (or, with ``update``, replacing an
    earlier version with the same URL, or with ``same_file`` the one of the
    same file path or name, as :func:`_same_file_version` and ``versions``
    allow: else a note says why not), fingerprinted and linked to similar
    articles; stored with its file's ``filename`` and ``file_path``
    (:func:`relative_path`). A draft that cannot be used is recorded in
    ``pending.skipped``. ``prepared`` is
    ``(finished draft, fingerprint, found)`` when :func:`prepare` ran
    already; ``found`` is ``(row, text hash, links)`` when a
    :class:`~desktop.near_duplicates.RunLinker` found the row's links too
    (``run`` turns its rows into article ids), else None."""
    found_links = None
    if prepared is None:
        [(_, draft, found)] = prepare([(label, draft)],
                                      filename=filename if same_file else None)
    else:
        draft, found, found_links = prepared
    if isinstance(draft, ImportProblem):
        pending.skipped.append((label, str(draft)))
        return
    pending.notes.extend((label, note) for note in draft.notes)
    earlier = articles.find_earlier_version(
        db, url=draft.url, text=draft.text) if update else None
    by_file = update and earlier is None and same_file and filename
    if by_file:
        versions = versions or _Versions(similarity.next_article_id(db))
        earlier, why_not = _same_file_version(db, filename, file_path, draft.text, versions)
        if why_not:
            pending.notes.append((label, why_not))
    if earlier is not None:
        # (found by its file: the file's path is stored, the next update
        # finds the article by it)
        counts = articles.replace_article_text(db, earlier, draft.text,
                                               file_path=file_path if by_file else None)
        if versions is not None:
            versions.replaced.add(earlier)
        _linked(pending, earlier, near_duplicates.link_fingerprint(db, earlier, found))
        pending.updated.append((label, earlier, counts))
        return
    row, digest, links = found_links or (None, None, None)
    article_id, created = articles.store_article(
        db, title=draft.title, text=draft.text, filename=filename or None,
        file_path=file_path, digest=digest, **draft.metadata())
    if created:
        pending.added.append((label, article_id))
        if draft.unread_date:
            pending.unread_dates.append(draft.unread_date)
        if links is None or run is None:
            links = near_duplicates.link_fingerprint(db, article_id, found, new=True)
        else:
            links = near_duplicates.store_found(db, article_id, found, run.resolve(links))
        if run is not None and row is not None:
            run.stored(row, article_id)
        _linked(pending, article_id, links)
    else:
        pending.duplicates.append((label, article_id))
    if draft.codings:
        _store_codings(db, label, article_id, draft, pending)


class _RunIds:
    """The writer's half of a :class:`~desktop.near_duplicates.RunLinker`:
    the article id each of the last ``window`` rows of the run was stored as
    (the linker names older rows by their article ids)."""

    def __init__(self, window: int):
        self.window = window
        self.ids: dict[int, int] = {}

    def stored(self, row: int, article_id: int) -> None:
        self.ids[row] = article_id
        if len(self.ids) > 2 * self.window:     # rows ascend: the oldest first
            for old in list(islice(self.ids, len(self.ids) - self.window)):
                del self.ids[old]

    def resolve(self, links: list[tuple[int, float]]) -> list[tuple[int, float]]:
        """``links`` with the run's rows (``-(row + 1)``) turned into their
        article ids (a row that was not stored, being a copy of an earlier
        one, left out)."""
        resolved = []
        for other, score in links:
            if other < 0:
                other = self.ids.get(-other - 1)
                if other is None:
                    continue
            resolved.append((other, score))
        return resolved


#: who coded a passage another tool's file does not name a coder for
CODED_ELSEWHERE = "imported"


def _store_codings(db: Database, label: str, article_id: int, draft, pending: _Pending
                   ) -> None:
    """The passages another tool coded in the file (``draft.codings``),
    each anchored in the text as stored by its words and their context —
    never at an offset that holds other words — with its tags (made when
    missing). One already stored (same tag and range) is not stored again;
    one whose words are not found is reported, not guessed."""
    from desktop.importers.article_text import normalise
    from storage import passages, tags
    from storage.anchoring import reanchor

    have = {(p["tag_id"], p["start"], p["end"])
            for p in passages.passages_for_article(db, article_id)}
    for coding in draft.codings:
        place = reanchor(draft.text, start=coding.start, exact=coding.exact,
                         prefix=coding.prefix, suffix=coding.suffix) or reanchor(
            draft.text, start=coding.start, exact=normalise(coding.exact),
            prefix=normalise(coding.prefix), suffix=normalise(coding.suffix))
        if place is None:
            pending.skipped.append((label, f"a highlight (“{coding.exact[:60]}”) whose words "
                                           f"are not in the text as stored was left out"))
            continue
        for name in coding.tags:
            tag = tags.find_tag(db, name)
            tag_id = tag["id"] if tag else tags.create_tag(
                db, name, tags.unused_colour(t["color"] for t in tags.list_tags(db)))
            if (tag_id, *place) in have:
                continue
            try:
                passages.add_passage(db, article_id=article_id, tag_id=tag_id,
                                     start=place[0], end=place[1], analyst=CODED_ELSEWHERE)
            except passages.PassageError as error:
                pending.skipped.append((label, f"a highlight (“{coding.exact[:60]}”): {error}"))
                continue
            have.add((tag_id, *place))
            pending.coded.append(article_id)


def _linked(pending: _Pending, article_id: int, links: list[tuple[int, float]]) -> None:
    if links:
        pending.similar.append((article_id, *links[0]))
        pending.links += len(links)


@contextmanager
def _import_step(db: Database, name: str, report: ImportReport, origin: str | None):
    """A journal step of an import (a file, a chunk of rows); with
    ``origin`` (the window's larger import), of that origin and kept in
    ``report.steps`` once committed."""
    with journal.step(db, name, origin=origin or "") as step:
        yield step
    if origin is not None and step.changes:
        report.steps.append(step.id)


def _store_single(db: Database, path: Path, entries, report: ImportReport,
                  update: bool, origin: str | None = None,
                  versions: _Versions | None = None, file_path: str | None = None) -> None:
    """One file of one article, in one transaction (``versions``: what an
    ``update`` import may replace by file path or name; ``file_path``: the
    file's :func:`relative_path`)."""
    pending = _Pending()
    with _import_step(db, f"Import {path.name}", report, origin):
        for label, entry in entries:
            if isinstance(entry, ImportProblem):
                pending.skipped.append((str(path), str(entry)))
                continue
            store_draft(db, label, entry, pending, filename=path.name, file_path=file_path,
                        update=update, versions=versions)
    pending.skipped = [(str(path), reason) for _, reason in pending.skipped]
    pending.commit_to(report)


class _Progress:
    def __init__(self, total: int, on_progress: Callable[[int, int], None] | None):
        self.done, self.total, self.callback = 0, total, on_progress

    def step(self, count: int = 1) -> None:
        self.done += count
        self.total = max(self.total, self.done)
        if self.callback:
            self.callback(self.done, self.total)


def _exit_with_parent(parent: int) -> None:
    """In the preparing process: leave as soon as the importer is gone (a
    killed import must not leave a process behind)."""
    import threading
    import time

    def watch():
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(0)
    threading.Thread(target=watch, daemon=True).start()


#: the preparing process's :class:`~desktop.near_duplicates.RunLinker`
_linker = None


def _start_preparing(parent: int, uri: str | None, below: int, window: int) -> None:
    """The preparing process's start: watch the importer, and open the
    database (``uri``, reading) to find each row's near-duplicates there;
    without it (a database in memory, or one it cannot open), the writer
    finds them itself."""
    global _linker
    _exit_with_parent(parent)
    if uri is None:
        return
    try:
        linking = Database(sqlite3.connect(uri, uri=True, timeout=5))
        use_bulk_cache(linking)
        _linker = near_duplicates.RunLinker(linking, below, window=window)
    except sqlite3.Error:
        _linker = None


def _prepare_linked(entries: list, first_row: int) -> list:
    """:func:`prepare`, then each row's ``(row, text hash, links)`` from the
    process's :class:`~desktop.near_duplicates.RunLinker` (None without
    one: the writer links the row)."""
    global _linker
    prepared = []
    for row, (label, draft, found) in enumerate(prepare(entries), start=first_row):
        links = None
        if _linker is not None and not isinstance(draft, ImportProblem):
            digest = articles.text_hash(draft.text)
            try:
                links = (row, digest, _linker.links(row, digest, found))
            except sqlite3.Error:
                # from here on the writer links every row itself, as it
                # does without this process (and so misses nothing)
                _linker = None
        prepared.append((label, draft, found, links))
    return prepared


def _linking_uri(db: Database) -> str | None:
    """A reading URI of ``db``'s file, or None for a database in memory."""
    from storage.database import database_file, file_uri
    path = database_file(db)
    return file_uri(path, mode="ro") if path else None


def _prepared_rows(iterator, parallel: bool, linking: tuple | None = None):
    """``(label, finished draft or problem, fingerprint, found links)`` for
    each row; with ``parallel``, rows are prepared :data:`CHUNK_ROWS` at a
    time in a second process, up to :data:`_AHEAD` chunks ahead of the writer, which also
    finds their near-duplicates when given ``linking`` (the database's
    reading URI and the first id of the run). A reading error is raised
    where it happened, after the rows before it."""
    if not parallel:
        for item in iterator:
            yield from ((*one, None) for one in prepare([item]))
        return
    import multiprocessing
    from collections import deque
    from concurrent.futures import ProcessPoolExecutor

    failure = []
    in_flight = deque()
    uri, below, window = linking or (None, 0, 0)
    rows = 0
    pool = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"),
                               initializer=_start_preparing,
                               initargs=(os.getpid(), uri, below, window))
    finished = False
    try:
        def submit(size: int = CHUNK_ROWS) -> None:
            nonlocal rows
            if failure:
                return
            batch = []
            try:
                batch.extend(islice(iterator, size))
            except Exception as error:   # raised below, after the rows before it
                failure.append(error)
            if batch:
                in_flight.append(pool.submit(_prepare_linked, batch, rows))
                rows += len(batch)
        # a small first batch: the writer starts once the process is up
        # and these few rows are ready, not a whole chunk later
        submit(_FIRST_ROWS)
        for _ in range(_AHEAD):
            submit()
        while in_flight:
            chunk = in_flight.popleft().result()
            submit()
            yield from chunk
        finished = True
    finally:
        # a cancel or an error: the chunks prepared ahead are not waited
        # for, the process is; once every row is read, its exit (half a
        # second freeing the linker's window) is not
        pool.shutdown(wait=not finished, cancel_futures=True)
    if failure:
        raise failure[0]


def chunk_rows(expected: int) -> int:
    """Rows a transaction of a batch file of ``expected`` rows: :data:`CHUNK_ROWS`,
    or :data:`BIG_CHUNK_ROWS` from :data:`BIG_IMPORT_ROWS` rows on."""
    return BIG_CHUNK_ROWS if expected >= BIG_IMPORT_ROWS else CHUNK_ROWS


def linker_window(chunk: int = CHUNK_ROWS) -> int:
    """How many of the run's newest rows the second process's linker holds:
    :data:`~desktop.near_duplicates.RUN_WINDOW`, and never fewer than the
    rows that may not be committed yet when it links a row — the batches in
    flight (the first small one and :data:`_AHEAD` chunks), the one the
    writer is taking rows from, the writer's open transaction of ``chunk``
    rows — and a chunk to spare; older rows it asks of the file."""
    return max(near_duplicates.RUN_WINDOW,
               _FIRST_ROWS + (_AHEAD + 2) * CHUNK_ROWS + chunk)


def _store_batch(db: Database, path: Path, rows, report: ImportReport,
                 is_cancelled: Callable[[], bool] | None, update: bool,
                 progress: _Progress, origin: str | None = None,
                 file_path: str | None = None) -> None:
    """A batch file's rows, :func:`chunk_rows` a transaction, each stored with
    the file's ``file_path`` (:func:`relative_path`); the report takes each
    chunk once it has committed. A reading error stops the file
    after the rows before it (raised as :class:`ImportProblem`)."""
    expected = getattr(rows, "total", 0)
    report.notes += [(str(path), note) for note in getattr(rows, "notes", ())]
    chunk = chunk_rows(expected)
    parallel = expected >= PARALLEL_ROWS and (os.cpu_count() or 1) > 1
    # the second process finds near-duplicates too, unless the import
    # replaces texts (then the writer knows which article a row becomes)
    run = None
    linking = None
    if parallel and not update:
        uri = _linking_uri(db)
        if uri is not None:
            window = linker_window(chunk)
            run = _RunIds(window)
            linking = (uri, similarity.next_article_id(db), window)
    iterator = _prepared_rows(iter(rows), parallel, linking)
    listed = seen = 0
    failure = None
    finished = False
    try:
        while not finished:
            pending = _Pending()
            # one journal step a chunk: undo takes back the last chunk; its
            # articles are indexed for search in one statement at its end
            # (indexed one by one, SQLite's FTS5 writes the index out at
            # every statement: a third of the writer's time)
            # (not when texts are replaced: a replaced article must be indexed)
            with _import_step(db, f"Import {path.name} from row {seen + 1}", report, origin), \
                    full_text.filled_after(db, "articles", similarity.next_article_id(db)) \
                    if not update else nullcontext():
                for _ in range(chunk):
                    try:
                        label, draft, found, found_links = next(iterator)
                    except StopIteration:
                        finished = True
                        break
                    except ImportProblem as problem:
                        failure, finished = problem, True
                        break
                    except (MemoryError, RecursionError, ValueError, OSError,
                            BrokenProcessPool) as error:
                        failure = ImportProblem(f"cannot be read ({type(error).__name__}: "
                                                f"{error})")
                        finished = True
                        break
                    seen += 1
                    if seen % _CANCEL_CHECK_ROWS == 0:
                        if is_cancelled and is_cancelled():
                            raise _Cancelled
                        progress.step(_CANCEL_CHECK_ROWS)
                    try:
                        store_draft(db, label, None, pending, filename=path.name,
                                    file_path=file_path, update=update, same_file=False,
                                    prepared=(draft, found, found_links), run=run)
                    except (ValueError, UnicodeError) as error:
                        pending.skipped.append((label, f"could not be stored ({error})"))
            listed += pending.commit_to(report, listed)
    finally:
        iterator.close()      # stops the second process
    progress.step(seen % _CANCEL_CHECK_ROWS + max(0, expected - seen))
    if listed > MAX_LISTED_SKIPS:
        report.unlisted.append((str(path), listed - MAX_LISTED_SKIPS))
    if failure is not None:
        where = f"after {counted(seen, 'row')}, which were kept" if seen else "no rows read"
        raise ImportProblem(f"{failure} ({where})")
    if seen == 0:
        raise ImportProblem("no articles in the file")


def _open_all(files: list[Path], relative: dict[Path, str]) -> tuple[list, int]:
    """Each file with its rows (batch files, counted now) or None and its
    path in the folder imported (``relative``, else its name), and the
    number of articles expected in all."""
    opened, total = [], 0
    for path in files:
        place = relative.get(path, path.name)
        if path.suffix.lower() in BATCH:
            try:
                is_batch, rows = open_entries(path)
            except ImportProblem as problem:
                opened.append((path, problem, place))
                total += 1
                continue
            opened.append((path, (is_batch, rows), place))
            total += getattr(rows, "total", 1) if is_batch else 1
        else:
            opened.append((path, None, place))
            total += 1
    return opened, total


def import_name(paths: list[Path]) -> str:
    """The name of an import of ``paths`` as the journal and Undo say it."""
    return f"Import {Path(paths[0]).name}" if len(paths) == 1 else \
        f"Import {len(paths)} files and folders"


def import_files(db: Database, paths: Iterable[Path], *,
                 on_progress: Callable[[int, int], None] | None = None,
                 is_cancelled: Callable[[], bool] | None = None,
                 update: bool = False, one_step: str | None = None,
                 origin: str = "",
                 on_stage: Callable[[str], None] | None = None) -> ImportReport:
    """Import files and folders of any supported kind into ``db``.

    Each article is stored with its file's name and its path in the folder
    given (:func:`relative_path`; a file given alone: its name).
    ``on_progress(done, total)`` counts articles (a batch file's rows one by
    one). With ``update``, a file whose article is already stored (same URL,
    or, for a one-article file, the same path in the folder given — else,
    for articles stored before paths were, or a file moved, the same file
    name — held by that article alone, stored before this import, with a
    near-duplicate text) but whose text changed replaces that article's
    text, and its passages are re-anchored
    (:func:`storage.articles.replace_article_text`) instead of a second
    article being added.

    Articles stored before near-duplicate fingerprints existed (or with an
    older method) are fingerprinted first. Cancelling stops between files,
    or within a batch file after its last committed chunk; what was
    committed stays.

    ``one_step`` (the window's import, undone with one Ctrl+Z): an import
    of at most :data:`CHUNK_ROWS` articles is one journal step of that name
    and ``origin`` (``report.step``); a larger one keeps a step a file and
    a chunk, so that a kill keeps what was committed, each of ``origin``
    (``report.steps``: undone together by ``storage.journal.undo_steps``).
    ``origin`` alone (``dossier import``: ``storage.journal.IMPORT_RUN``):
    a step a file and a chunk, each of ``origin``, which ``dossier undo``
    undoes together.

    ``on_stage(name)`` names what ``on_progress`` counts from then on:
    :data:`PREPARING` (the stored articles' fingerprints, once after an
    upgrade: 100,000 of them were shown as "Importing articles: 50,500 of
    100,000" for a 20,000-row file), then :data:`IMPORTING`.
    """
    left_out: list[tuple[str, str]] = []
    relative: dict[Path, str] = {}
    files, problems = collect_files((Path(p) for p in paths), left_out, relative)
    report = ImportReport(skipped=problems, notes=left_out)
    # (after an upgrade, every stored article once: progress shows it)
    if on_stage:
        on_stage(PREPARING)
    near_duplicates.fingerprint_missing(db, is_cancelled=is_cancelled,
                                        on_progress=on_progress)
    if on_stage:
        on_stage(IMPORTING)
    opened, total = _open_all(files, relative)
    if one_step and total <= CHUNK_ROWS:
        with journal.step(db, one_step, origin=origin) as step:
            _import_opened(db, opened, total, report, on_progress, is_cancelled, update)
        report.step = step
        return report
    _import_opened(db, opened, total, report, on_progress, is_cancelled, update,
                   origin if one_step or origin else None)
    return report


def _import_opened(db: Database, opened, total: int, report: ImportReport,
                   on_progress, is_cancelled, update: bool,
                   origin: str | None = None) -> None:
    """Store the articles of :func:`_open_all`'s files into ``report``.
    An import of more than :data:`CHUNK_ROWS` articles commits without
    waiting for the disk (:func:`storage.durability.commits_without_fsync`):
    a power cut may take back its last chunks, which the same import then
    adds again, as it does after a kill."""
    if total <= CHUNK_ROWS:
        _store_opened(db, opened, total, report, on_progress, is_cancelled, update, origin)
        return
    use_bulk_cache(db)
    with commits_without_fsync(db, checkpoint_pages=_CHECKPOINT_PAGES):
        _store_opened(db, opened, total, report, on_progress, is_cancelled, update, origin)


def _store_opened(db: Database, opened, total: int, report: ImportReport,
                  on_progress, is_cancelled, update: bool, origin: str | None) -> None:
    progress = _Progress(total, on_progress)
    versions = _Versions(similarity.next_article_id(db),
                         paths=frozenset(place for _, _, place in opened)) if update else None
    for path, rows, place in opened:
        if is_cancelled and is_cancelled():
            report.cancelled = True
            break
        before = progress.done
        try:
            if isinstance(rows, ImportProblem):
                raise rows
            is_batch, rows = rows if rows is not None else open_entries(path)
            if is_batch:
                _store_batch(db, path, rows, report, is_cancelled, update, progress, origin,
                             place)
            else:
                _store_single(db, path, rows, report, update, origin, versions, place)
        except ImportProblem as problem:
            report.skipped.append((str(path), str(problem)))
        except _Cancelled:
            report.cancelled = True
            break
        except sqlite3.Error as error:
            report.skipped.append((str(path), f"could not be stored ({error})"))
        if progress.done == before:
            progress.step()
    if not report.cancelled and progress.done < progress.total:
        progress.step(progress.total - progress.done)
