"""The ``dossier`` command: the GUI by default, subcommands for scripting.

Every subcommand takes ``--db PATH``. Errors are one line on stderr and a
non-zero exit status; a failing command leaves stored data untouched.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from widgets.wording import corrections_carried, counted

EXIT_OK, EXIT_PROBLEMS, EXIT_ERROR = 0, 1, 2


class CommandError(Exception):
    """A command cannot proceed; the message is shown as one line."""


def check_output_folder(path: Path) -> None:
    """:class:`CommandError` unless ``path``'s folder exists (and is one)."""
    folder = path.parent
    if folder.exists() and not folder.is_dir():
        raise CommandError(f"{folder} is a file, not a folder")
    if not folder.is_dir():
        raise CommandError(f"folder {folder} does not exist")


#: The largest row id SQLite can store (a signed 64-bit integer).
MAX_ROW_ID = 2**63 - 1


def row_id(value: str, *, listed_by: str = "dossier list") -> int:
    """An argparse ``type`` for ids (articles, passages, tags): a whole number
    from 1 to :data:`MAX_ROW_ID`. Anything else is a one-line usage error —
    a larger number would otherwise reach SQLite and end in an
    OverflowError traceback. ``listed_by`` is the command that shows the ids
    (``functools.partial(row_id, listed_by="dossier history")`` for steps)."""
    import argparse

    try:
        number = int(value.strip(), 10)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{value!r} is not an id (a whole number; see `{listed_by}`)") from None
    if not 1 <= number <= MAX_ROW_ID:
        raise argparse.ArgumentTypeError(
            f"{value} is not an id: ids run from 1 to {MAX_ROW_ID:,} (see `{listed_by}`)")
    return number


def _seconds(value: str) -> float:
    """An argparse ``type``: a positive number of seconds (at most a day)."""
    import argparse
    import math

    try:
        seconds = float(value)
    except ValueError:
        seconds = math.nan
    if not 0 < seconds <= 86400:
        raise argparse.ArgumentTypeError(f"{value!r} is not a number of seconds "
                                         f"(more than 0, at most 86400)")
    return seconds


def whole_number(low: int, high: int):
    """An argparse ``type``: a whole number from ``low`` to ``high`` (a count
    of processes, a limit); anything else a one-line usage error, not a run
    with a nonsensical count (``--processes -3`` analysed nothing and
    succeeded; a huge one started without end)."""
    import argparse

    def parse(value: str) -> int:
        try:
            number = int(value.strip(), 10)
        except ValueError:
            number = None
        if number is None or not low <= number <= high:
            raise argparse.ArgumentTypeError(
                f"{value!r} is not a whole number from {low} to {high:,}")
        return number
    return parse


#: The most analysis processes ``dossier analyse`` starts (each loads the
#: spaCy pipeline in memory of its own).
MAX_PROCESSES = 32


def _database_path(args) -> Path:
    from desktop.data_location import default_database_path

    return Path(args.db) if args.db else default_database_path()


def _database(args, *, create: bool, writes: bool = False):
    """The database of ``--db``, opened (read-only if its file is write-
    protected: then ``writes`` — the command changes it — is refused)."""
    from storage import DatabaseError, is_read_only, open_database
    from storage.database import backups_beside

    path = _database_path(args)
    lost = not path.exists() and backups_beside(path)
    if not create and not path.exists() and not lost:
        raise CommandError(f"no database at {path} (dossier import FILE --db {path} makes one "
                           f"with the articles of FILE; so does opening it in the window)")
    try:
        # a lost database (its backups beside it) raises LostDatabaseError,
        # which names them and dossier restore
        db = open_database(path, create=create or bool(lost))
    except DatabaseError as error:
        raise CommandError(str(error)) from error
    from desktop.leftovers import clean_leftovers
    clean_leftovers(path)
    if is_read_only(db):
        if writes:
            db.close()
            raise CommandError(_read_only_message(path, args))
        return db
    from desktop.first_run import ensure_codebook
    ensure_codebook(db)
    return db


def _read_only_message(path: Path, args) -> str:
    return (f"{path} is read-only (you cannot write to the file or its folder), and "
            f"`dossier {args.command}` would change it; list, stats, quotes and export "
            f"still work, or copy the file somewhere you can write to")


def _database_failure(error: Exception, args) -> str | None:
    """A one-line message for an SQLite error met while a command ran (a
    damaged page, a write-protected file), or None for anything else."""
    import sqlite3

    from storage.database import is_damage

    if not isinstance(error, sqlite3.DatabaseError):
        return None
    path = _database_path(args)
    text = str(error)
    if "readonly" in text or "read-only" in text:
        return _read_only_message(path, args)
    if is_damage(error):
        return (f"{path} is damaged ({text}); nothing was changed. See its backups with "
                f"`dossier backups --db {_quoted(path)}` and restore the newest good one "
                f"with `dossier restore --db {_quoted(path)}` (the damaged file is kept)")
    return None


#: Commands that commit as they go (an article at a time, a round of a
#: sync): a lock met midway leaves what was committed before it.
_COMMITS_AS_IT_GOES = {"analyse": "the articles analysed before stay",
                       "hub sync": "what was synced before stays"}


def _is_busy(error: Exception) -> bool:
    """Whether ``error`` is SQLite's "database is locked": another
    connection held the write lock longer than the busy timeout.

    Read from the error code (SQLITE_BUSY, SQLITE_LOCKED and their extended
    codes) where SQLite gave one; from the message otherwise."""
    import sqlite3

    if not isinstance(error, sqlite3.OperationalError):
        return False
    code = getattr(error, "sqlite_errorcode", None)
    if code is not None:
        return code & 0xFF in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)
    return "database is locked" in str(error) or "database table is locked" in str(error)


def _busy_message(args) -> str:
    """The one line for a command that met another writer's lock."""
    command = " ".join(filter(None, (args.command, getattr(args, "hub_command", None))))
    kept = _COMMITS_AS_IT_GOES.get(command)
    then = f"{kept}; run it again to go on" if kept else "nothing was changed, try again"
    return (f"{_database_path(args)} is busy: another Dossier window or command is "
            f"writing to it; {then}")


def _quoted(path: Path) -> str:
    import shlex

    return shlex.quote(str(path))


def _progress_bar(description: str, unit: str = "article"):
    from tqdm import tqdm

    bar = tqdm(total=0, desc=description, unit=unit, file=sys.stderr,
               disable=None)

    def update(done: int, total: int) -> None:
        # update() by the difference keeps tqdm's rate and ETA right
        bar.total = total
        bar.update(done - bar.n)
    return bar, update


def cmd_import(args) -> int:
    from desktop.importers import import_files, split_projects
    from desktop.importers.web import split_sources

    urls, paths = split_sources(args.paths)
    missing = [p for p in paths if not Path(p).exists()]
    db = _database(args, create=True, writes=True)
    # projects (given, or in a folder given) are imported whole, after the articles
    projects, paths = split_projects(Path(p) for p in paths)
    bar, update = _progress_bar("Importing")
    from storage import journal
    from storage.articles import article_count
    before = article_count(db)
    # a step a file, a chunk of rows, a page and a project (a stop keeps what
    # was committed), all of this run's origin: ``dossier undo`` undoes them
    # together
    origin = journal.new_origin(journal.IMPORT_RUN)
    try:
        with bar:
            report = import_files(db, [p for p in paths if p.exists()],
                                  update=args.update, on_progress=update, origin=origin)
    except KeyboardInterrupt:
        # what was committed stays; say so, and how to go on or take it back
        kept = article_count(db) - before
        print(f"dossier: interrupted — {counted(kept, 'article')} stored before the stop "
              f"stay; run the same import again to go on where it stopped, or "
              f"`dossier undo` to take them out", file=sys.stderr)
        raise
    if urls:
        from desktop.cli_feeds import import_web
        import_web(db, urls, args.delay, report, origin)
    report.skipped[:0] = [(p, "only http:// and https:// addresses are fetched"
                           if "://" in str(p) else "no such file or folder") for p in missing]
    for project in projects:
        _import_project(db, project, report, origin)
    limit = None if args.verbose else LISTED
    _listed([f"imported {path} as article {article_id}"
             for path, article_id in report.added], limit, "imported")
    _listed([f"already present: {path} (article {article_id})"
             for path, article_id in report.duplicates], limit, "already present")
    for path, article_id, counts in report.updated:
        corrections = corrections_carried(counts)
        print(f"updated article {article_id} from {path}: {counted(counts['kept'], 'passage')} in "
              f"place, {counts['moved']} moved, {counts['orphaned']} no longer found "
              f"(kept, anchor=orphaned)" + (f"; {corrections}" if corrections else ""))
    _listed([f"article {article_id} is similar to article {other_id} "
             f"(similarity {score:.2f})" for article_id, other_id, score in report.similar],
            limit, "similar pairs")
    for path, note in report.notes:
        print(f"note: {path}: {note}", file=sys.stderr)
    for path, reason in report.skipped:
        print(f"skipped {path}: {reason}", file=sys.stderr)
    for path, count in report.unlisted:
        print(f"skipped {count} more rows of {path} (not listed)", file=sys.stderr)
    print(report.summary())
    return EXIT_PROBLEMS if report.skipped_count() else EXIT_OK


#: Lines of one kind ``dossier import`` lists before it counts the rest
#: (a batch file of 20,000 rows is not 20,000 lines on the terminal).
LISTED = 50


def _listed(lines: list[str], limit: int | None, what: str) -> None:
    """Print ``lines``, the first ``limit`` of them and then how many more."""
    for line in lines[:limit]:
        print(line)
    if limit is not None and len(lines) > limit:
        print(f"… and {len(lines) - limit:,} more {what} (--verbose lists every one)")


def _import_project(db, path: Path, report, origin: str = "") -> None:
    """Import one REFI-QDA project (a journal step of ``origin``), merging
    its articles into ``report``."""
    from desktop.refi_qda.import_project import QdpxError, import_qdpx

    try:
        project = import_qdpx(db, path, origin=origin)
    except QdpxError as error:
        report.skipped.append((str(path), str(error)))
        return
    report.added += [(f"{path}: {name}", i) for name, i in project.articles_added]
    report.duplicates += [(f"{path}: {name}", i) for name, i in project.articles_existing]
    report.skipped += [(f"{path}: {what}", why) for what, why in project.skipped]
    for line in project.warnings:
        print(f"warning: {path}: {line}", file=sys.stderr)
    for what, why in project.renamed:
        print(f"renamed in {path}: {what}: {why}")
    for what, why in project.not_imported:
        print(f"not imported from {path}: {what}: {why}")
    print(f"{path}: {project.summary()}")


class _CtrlC:
    """While entered (in the main thread): the first Ctrl+C only sets
    :meth:`is_set`, so that a long run stops between articles and keeps
    what it did; a second one interrupts at once."""

    def __init__(self):
        self.pressed = False
        self._previous = None

    def is_set(self) -> bool:
        return self.pressed

    def _handle(self, signum, frame) -> None:
        if self.pressed:
            raise KeyboardInterrupt
        self.pressed = True
        print("\nstopping after the articles being analysed (Ctrl+C again stops at once)",
              file=sys.stderr)

    def __enter__(self):
        import signal
        import threading

        if threading.current_thread() is threading.main_thread():
            self._previous = signal.signal(signal.SIGINT, self._handle)
        return self

    def __exit__(self, *exc) -> None:
        import signal

        if self._previous is not None:
            signal.signal(signal.SIGINT, self._previous)


def _analysed_again(db, args) -> list[int] | None:
    """The articles ``--again`` analyses again (every article when no id is
    given), or None: only those not yet analysed. Unknown ids are refused."""
    from storage.analyses import article_ids

    if not args.again:
        if args.ids:
            raise CommandError("article ids go with --again (without it, every article "
                               "not yet analysed is analysed)")
        return None
    found = article_ids(db, args.ids or None)
    missing = sorted(set(args.ids) - set(found))
    if missing:
        raise CommandError("there is no article " + ", ".join(map(str, missing))
                           + "; nothing analysed")
    return found


def cmd_analyse(args) -> int:
    from desktop.analysis_service import AnalysisPool

    db = _database(args, create=False, writes=True)  # checked, migrated, codebook in place
    try:
        again = _analysed_again(db, args)
    finally:
        db.close()
    pool = AnalysisPool(_database_path(args), args.pipeline, processes=args.processes)
    ctrl_c = _CtrlC()
    try:
        info = pool.load()
        for warning in info["warnings"]:
            print(f"warning: {warning}", file=sys.stderr)
        bar, update = _progress_bar(f"Analysing ({info['name']} {info['version']})")
        pool.on_event = lambda kind, data: update(*data) if kind == "progress" else None
        with bar, ctrl_c:
            done = pool.analyse(ctrl_c.is_set, again=again)
    finally:
        pool.close()
    again_word = " again" if again is not None else ""
    if ctrl_c.pressed:
        # each result is committed as it comes: what was analysed stays
        print(f"dossier: interrupted — {counted(done, 'article')} analysed{again_word} "
              f"before the stop {'is' if done == 1 else 'are'} kept"
              + ("" if again_word else "; run dossier analyse again to go on"),
              file=sys.stderr)
        return 130
    print(f"analysed {counted(done, 'article')}{again_word} with {info['name']} "
          f"{info['version']}")
    return EXIT_OK


def _export_filter(args, db):
    from datetime import date

    from storage import articles, tags
    from storage.export_selection import PassageFilter

    for name in args.tag:
        if not name.strip() or not tags.find_tag(db, name):   # blank: find_tag refuses it
            raise CommandError(f"there is no tag called {name!r}")
    if args.analyst:
        from storage.export_selection import analysts

        known = analysts(db)
        for name in args.analyst:
            if name not in known:
                raise CommandError(f"no passage was tagged by {name!r} (analysts: "
                                   + (", ".join(known) or "none yet") + ")")
    for article_id in args.article:
        if articles.get_article(db, article_id) is None:
            raise CommandError(f"there is no article {article_id}")
    for value in (args.since, args.until):
        try:
            value and date.fromisoformat(value)
        except ValueError as error:
            raise CommandError(f"{value!r} is not a date like 2024-06-13") from error
    if args.tag and not args.without_sub_tags:
        chosen = [tags.find_tag(db, name)["id"] for name in args.tag]
        below = sorted(tags.get_tag(db, i)["name"]
                       for i in tags.descendant_ids(db, chosen) - set(chosen))
        if below:     # say so: a parent tag stands for the tags under it
            print(f"with the tags under them: {', '.join(below)} "
                  f"(--without-sub-tags leaves them out)", file=sys.stderr)
    # the stored names: export_selection matches names with SQLite's NOCASE,
    # which folds A–Z only ("économie" is "Économie" only here)
    stored_tags = tuple(tags.find_tag(db, name)["name"] for name in args.tag)
    return PassageFilter(tags=stored_tags, article_ids=tuple(args.article),
                         since=args.since, until=args.until, date_of=args.date_of,
                         analysts=tuple(args.analyst),
                         include_children=not args.without_sub_tags)


def _export_format(args) -> str:
    """``--format``, or the format the output's extension names; refused
    when the two disagree (a CSV written into ``report.xlsx`` does not open
    in the program its name promises)."""
    from desktop.exporters.base import is_stdout
    from desktop.exporters.registry import FORMATS, format_for

    named = None if is_stdout(args.output) else format_for(args.output)
    if args.format is None:
        if named is None:
            raise CommandError(f"say which format with --format ({', '.join(FORMATS)}): "
                               f"{args.output} names none by its extension")
        return named
    # .json is also what a JSON Lines file is often called
    lines_as_json = args.format == "jsonl" and Path(args.output).suffix.lower() == ".json"
    if named is not None and named != args.format and not lines_as_json:
        raise CommandError(f"the extension of {args.output} names the {named} format, but "
                           f"--format {args.format} was asked: rename the file, or leave "
                           f"--format out to write {named}")
    return args.format


def cmd_export(args) -> int:
    from desktop.exporters import ExportOptions, export_passages
    from desktop.exporters.base import is_stdout

    args.format = _export_format(args)
    db = _database(args, create=False)
    chosen = _export_filter(args, db)
    output = Path(args.output)
    check_output_folder(output)
    options = ExportOptions(bom=args.bom, **({"title": args.title} if args.title else {}))
    try:
        result = export_passages(db, output, args.format, filter=chosen, options=options)
    except OSError as error:
        raise CommandError(f"cannot write {output}: {error.strerror or error}") from error
    for warning in result.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    print(f"exported {counted(result.count, 'passage')} to "
          + ("standard output" if is_stdout(args.output) else str(output)),
          file=sys.stderr if is_stdout(args.output) else sys.stdout)
    return EXIT_OK


def cmd_list(args) -> int:
    from storage import article_query

    db = _database(args, create=False)
    try:
        query = article_query.ArticleQuery(since=args.since or "", until=args.until or "",
                                           undated=args.undated)
        total = article_query.count_articles(db, query)
        listed = article_query.article_page(db, query, 0, max(total, 1))
        left_out = article_query.undated_left_out(db, query)
    except article_query.SearchError as error:
        raise CommandError(str(error)) from error
    rows = [{k: a[k] for k in ("id", "title", "source", "published", "passage_count")}
            for a in listed]
    if left_out:
        print(f"left out {counted(left_out, 'undated article')} (list them with --undated)",
              file=sys.stderr)
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return EXIT_OK
    for row in rows:
        meta = " · ".join(x for x in (row["source"], row["published"]) if x)
        print(f"{row['id']:>5}  {counted(row['passage_count'], 'passage'):>12}  {row['title']}"
              + (f"  ({meta})" if meta else ""))
    return EXIT_OK


QUOTE_COLUMNS = ("article_id", "article_title", "start", "end", "text", "kind", "speaker",
                 "speaker_kind", "cue", "method", "corrected", "original_speaker")


def cmd_quotes(args) -> int:
    from storage import quotes

    if args.speaker is not None and not args.speaker.strip():
        # an empty name matched no speaker: "no quotes yet", though there were
        raise CommandError("--speaker needs a name (leave it out for every speaker's quotes)")
    db = _database(args, create=False)
    _say_merged(db, args.speaker)
    rows = [{"key": quotes.quote_key(q["text_hash"], q["start"], q["end"]),
             **{k: q[k] for k in QUOTE_COLUMNS}, "to_check": quotes.to_check(q)}
            for q in quotes.all_quotes(db, speaker=args.speaker)]
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return EXIT_OK
    if not rows:    # say why, rather than print nothing
        print(_no_quotes(db, args.speaker), file=sys.stderr)
    # the speaker column as wide as the longest name, up to 40 (longer ones cut)
    width = min(40, max((len(row["speaker"] or "—") for row in rows), default=1))
    for row in rows:
        text = " ".join(row["text"].split())
        text = text if len(text) <= 90 else text[:89] + "…"
        speaker = row["speaker"] or "—"
        speaker = speaker if len(speaker) <= width else speaker[:width - 1] + "…"
        mark = "?" if row["to_check"] else " "
        print(f"{row['article_id']:>5}  {row['kind']:<8} {row['method'] or '—':<10} {mark} "
              f"{speaker:<{width}}  “{text}”")
    return EXIT_OK


def _say_merged(db, speaker: str | None) -> None:
    """Say (on stderr) that ``speaker`` was merged into another name, whose
    quotes are what it stands for now."""
    from storage.entity_index import entity_key
    from storage.speaker_corrections import resolve

    shown = resolve(db, speaker)
    if speaker and shown and entity_key(shown.strip()) != entity_key(speaker.strip()):
        print(f"“{speaker}” was merged into “{shown}”: {shown}'s quotes", file=sys.stderr)


def _no_quotes(db, speaker: str | None) -> str:
    from storage.stats import counts

    if speaker:
        return f"no quote of {speaker!r} (`dossier quotes` lists every speaker's)"
    found = counts(db)
    if not found["articles"]:
        return "no articles yet: `dossier import FILE` brings some in"
    waiting = found["articles"] - found["analysed_articles"]
    if waiting:
        return (f"no quotes yet: {waiting} of {counted(found['articles'], 'article')} "
                f"not analysed (`dossier analyse` analyses them)")
    return f"no quotes in the {counted(found['articles'], 'article')}"


def cmd_autotag(args) -> int:
    from desktop import autotag
    from storage import articles, tags

    db = _database(args, create=False, writes=not args.dry_run)
    tag = tags.find_tag(db, args.tag) if args.tag.strip() else None
    if tag is None:
        raise CommandError(f"there is no tag called {args.tag!r}")
    if not tag.get("codable", 1):       # refused as the window refuses it
        raise CommandError(f"“{tag['name']}” is a category: it groups tags and is not used "
                           "for tagging. Nothing was tagged. To tag with it, right-click it "
                           "in the window's codebook and tick “Use for tagging”.")
    if args.article is not None and articles.get_article(db, args.article) is None:
        raise CommandError(f"there is no article {args.article}")
    mode, query = next((mode, value) for mode, value in (
        (autotag.REGEX, args.pattern), (autotag.PHRASE, args.phrase),
        (autotag.SPEAKER, args.speaker), (autotag.ENTITY, args.entity)) if value is not None)
    if mode == autotag.SPEAKER:
        _say_merged(db, query)
    request = autotag.AutoTagRequest(tag["id"], mode, query, article_id=args.article,
                                     ignore_case=not args.case_sensitive,
                                     extent=args.extent, analyst=args.analyst)
    try:
        already: list[int] = []
        found = autotag.find_candidates(db, request, time_limit=args.time_limit,
                                        already=already)
    except autotag.AutoTagError as error:
        raise CommandError(str(error)) from error
    if len(found) > args.max and not args.dry_run:
        # a pattern that matches far more than meant ('.', '[a-z]') would
        # otherwise bury the codebook in thousands of one-letter passages
        raise CommandError(f"this would tag {len(found):,} passages, more than --max "
                           f"{args.max:,}; look with --dry-run, then raise --max if meant")
    if not args.dry_run:
        changed: list[dict] = []
        try:
            autotag.insert_passages(db, request, found, args.analyst, changed=changed)
        except autotag.AutoTagError as error:   # every article changed since the search
            raise CommandError(str(error)) from error
        if changed:     # another writer changed some articles since the search
            print(autotag.changed_message(changed), file=sys.stderr)
            found = [c for c in found if c not in changed]
    for c in found:
        text = " ".join(c["text"].split())
        text = text if len(text) <= 80 else text[:79] + "…"
        print(f"{c['article_id']:>5}  {c['start']:>6}–{c['end']:<6} “{text}”")
    verb = "would tag" if args.dry_run else "tagged"
    print(f"{verb} {counted(len(found), 'passage')} as “{tag['name']}”"
          + (f" ({counted(already[0], 'match', 'matches')} tagged so already)"
             if already and already[0] else ""))
    return EXIT_OK


def cmd_codebook(args) -> int:
    from desktop.codebook_files import (export_codebook, format_of, import_lines,
                                        read_codebook_file)
    from desktop.codebook_json import CodebookFileError
    from desktop.exporters.base import is_stdout
    from storage.codebook import apply_codebook
    from storage.tags import TagError

    # a codebook goes into a new file too, before its first article
    db = _database(args, create=args.action == "import", writes=args.action == "import")
    path = Path(args.file)
    if args.action == "export":
        check_output_folder(path)
        try:
            count = export_codebook(db, path, args.format or format_of(path))
        except CodebookFileError as error:
            raise CommandError(str(error)) from error
        except OSError as error:
            raise CommandError(f"cannot write {path}: {error.strerror or error}") from error
        print(f"exported {counted(count, 'tag')} to "
              + ("standard output" if is_stdout(args.file) else str(path)),
              file=sys.stderr if is_stdout(args.file) else sys.stdout)
        return EXIT_OK
    if not path.is_file():
        raise CommandError(f"no codebook file at {path}")
    try:
        found = read_codebook_file(path)
        result = apply_codebook(db, found.entries)
    except (CodebookFileError, TagError) as error:
        raise CommandError(f"{path}: {error}") from error
    summary, details = import_lines(result, found.skipped, found.renamed)
    for line in details:
        print(line)
    print(summary)
    return EXIT_OK


def cmd_stats(args) -> int:
    from storage import stats

    print(json.dumps(stats.counts(_database(args, create=False)), indent=2))
    return EXIT_OK


def cmd_gui(args) -> int:
    import os

    if sys.platform.startswith("linux") and not (
            os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
            or os.environ.get("QT_QPA_PLATFORM")):
        raise CommandError("no display to open the window on (run it in a desktop "
                           "session, or under xvfb-run); the subcommands work without one")
    from desktop.gui.app import run_gui

    return run_gui(db_path=Path(args.db) if args.db else None,
                   pipeline=args.pipeline)


def _options_parser(parser: argparse.ArgumentParser, *, default,
                    pipeline: bool = True) -> argparse.ArgumentParser:
    """Add ``--db`` (and ``--pipeline``) to ``parser`` with ``default``."""
    parser.add_argument("--db", metavar="PATH", default=default,
                        help="the database file (default: in the per-user data folder)")
    if pipeline:
        parser.add_argument("--pipeline", metavar="NAME_OR_PATH", default=default,
                            help="spaCy pipeline to use instead of the default")
    return parser


def build_parser() -> argparse.ArgumentParser:
    # The top-level parser sets the defaults (None); the subcommands' copies of
    # --db and --pipeline default to SUPPRESS, so ``dossier --db X import …``
    # keeps X: argparse lets a subparser's default overwrite what the parent
    # parsed, which once sent such an import into the default database.
    top = _options_parser(argparse.ArgumentParser(add_help=False), default=None)
    common = _options_parser(argparse.ArgumentParser(add_help=False),
                             default=argparse.SUPPRESS, pipeline=False)
    pipeline = argparse.ArgumentParser(add_help=False)
    pipeline.add_argument("--pipeline", metavar="NAME_OR_PATH", default=argparse.SUPPRESS,
                          help="spaCy pipeline to use instead of the default")

    parser = argparse.ArgumentParser(
        prog="dossier", parents=[top],
        description="Dossier: read news articles with entities and quotes "
                    "highlighted, tag passages, export them. "
                    "Without a command, opens the window.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("import", parents=[common],
                       help="import articles (.txt .md .html .docx .pdf .eml, and .csv "
                            ".json .jsonl with one article a row), folders of them, "
                            "REFI-QDA projects (.qdpx), or web pages (https://… or "
                            "a .txt listing URLs)")
    p.add_argument("paths", nargs="+", metavar="PATH")
    p.add_argument("--update", action="store_true",
                   help="a changed version of an article already imported (same URL, "
                        "else same path in the folder imported, else file name) replaces "
                        "its text; passages follow their words")
    p.add_argument("--delay", type=float, default=1.0, metavar="SECONDS",
                   help="web pages (https://… or a .txt of URLs): the least time between "
                        "two requests to one site (default 1)")
    p.add_argument("-v", "--verbose", action="store_true",
                   help=f"list every article imported, already present or similar "
                        f"(default: the first {LISTED} of each, then a count)")
    p.set_defaults(func=cmd_import)

    p = sub.add_parser("analyse", parents=[common, pipeline],
                       help="run entity and quote analysis on articles not yet analysed "
                            "(--again: on articles analysed already too)",
                       description="Analyse (entities, quotes, speakers) the articles not "
                                   "yet analysed with this pipeline, or with --again the "
                                   "given articles, or every article, whether analysed or "
                                   "not: each new result replaces the pipeline's earlier "
                                   "one; speaker and entity corrections still apply. "
                                   "Ctrl+C stops after the articles being analysed and "
                                   "keeps every result stored.")
    p.add_argument("ids", metavar="ARTICLE_ID", type=row_id, nargs="*",
                   help="--again: only these articles (ids from `dossier list`)")
    p.add_argument("--again", action="store_true",
                   help="analyse again articles analysed already (the given ones, or all)")
    p.add_argument("--processes", type=whole_number(1, MAX_PROCESSES), metavar="N", default=None,
                   help="worker processes, each with its own pipeline (default: one "
                        "per core, up to 4)")
    p.set_defaults(func=cmd_analyse)

    from desktop.exporters.registry import FORMATS

    p = sub.add_parser("export", parents=[common], help="export tagged passages",
                       description="Export tagged passages. Formats: " + "; ".join(
                           f"{f.name}: {f.purpose}" for f in FORMATS.values()))
    p.add_argument("--format", choices=tuple(FORMATS),
                   help="the format (default: the one FILE's extension names)")
    p.add_argument("-o", "--output", required=True, metavar="FILE",
                   help="the file to write (a symbolic link is written through to its "
                        "target; - is standard output; FIFOs and devices are refused)")
    p.add_argument("--tag", metavar="NAME", action="append", default=[],
                   help="only passages with this tag or a tag under it (repeatable)")
    p.add_argument("--without-sub-tags", action="store_true",
                   help="--tag: only the named tags, not the tags under them")
    p.add_argument("--article", metavar="ID", type=row_id, action="append", default=[],
                   help="only this article (repeatable; ids from `dossier list`)")
    p.add_argument("--since", metavar="YYYY-MM-DD", help="from this day (inclusive)")
    p.add_argument("--until", metavar="YYYY-MM-DD", help="up to this day (inclusive)")
    p.add_argument("--date-of", choices=("published", "tagged"), default="published",
                   help="the date --since/--until apply to: the article's published date "
                        "(default; undated articles are then left out, and counted) or "
                        "when the passage was tagged")
    p.add_argument("--analyst", metavar="NAME", action="append", default=[],
                   help="only passages tagged by this analyst (repeatable)")
    p.add_argument("--bom", action="store_true",
                   help="csv: start with a UTF-8 byte-order mark (for Excel)")
    p.add_argument("--title", help="html/pdf/qdpx: the report or project title")
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("list", parents=[common], help="list articles")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.add_argument("--undated", action="store_true",
                   help="only articles without a published date")
    p.add_argument("--since", metavar="YYYY-MM-DD", help="published from this day")
    p.add_argument("--until", metavar="YYYY-MM-DD", help="published up to this day")
    p.set_defaults(func=cmd_list)

    p = sub.add_parser("quotes", parents=[common], help="list quotes with their speakers")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.add_argument("--speaker", metavar="NAME", help="only this speaker's quotes")
    p.set_defaults(func=cmd_quotes)

    p = sub.add_parser("autotag", parents=[common],
                       help="tag every match of a pattern or phrase, every quote of a "
                            "speaker or every mention of an entity")
    p.add_argument("--tag", metavar="NAME", required=True, help="the tag to give them")
    what = p.add_mutually_exclusive_group(required=True)
    what.add_argument("--pattern", metavar="REGEX", help="a Python regular expression")
    what.add_argument("--phrase", metavar="TEXT", help="a phrase, matched literally")
    what.add_argument("--speaker", metavar="NAME", help="the speaker's spoken quotes")
    what.add_argument("--entity", metavar="NAME", help="mentions of this entity")
    p.add_argument("--article", metavar="ID", type=row_id,
                   help="only this article (default: every article)")
    p.add_argument("--case-sensitive", action="store_true",
                   help="--pattern/--phrase: match case exactly (default: ignore case)")
    p.add_argument("--extent", choices=("match", "sentence", "paragraph"), default="match",
                   help="tag each match (default), or its whole sentence or paragraph")
    p.add_argument("--dry-run", action="store_true", help="print what would be tagged")
    p.add_argument("--time-limit", metavar="SECONDS", type=_seconds, default=None,
                   help="--pattern/--phrase: stop with an error when the pattern runs "
                        "longer than this on one article (default 5)")
    p.add_argument("--max", metavar="N", type=whole_number(1, 10_000_000), default=5000,
                   help="refuse to tag more than N passages at once (default 5000)")
    p.add_argument("--analyst", metavar="NAME", default="dossier autotag",
                   help="the analyst recorded on the new passages")
    p.set_defaults(func=cmd_autotag)

    p = sub.add_parser("codebook", parents=[common],
                       help="export the codebook (tags, colours, descriptions, keys, parents) "
                            "to JSON, a REFI-QDA codebook (.qdc) or CSV (Taguette), or import "
                            "one: missing "
                            "tags are created, existing ones take its colours and descriptions")
    p.add_argument("action", choices=("export", "import"))
    p.add_argument("file", metavar="FILE",
                   help="the file to write or read: .qdc is a REFI-QDA codebook, .csv "
                        "a CSV codebook (name, description, color, parent), anything "
                        "else JSON")
    p.add_argument("--format", choices=("json", "qdc", "csv"),
                   help="export: the format (default: by FILE's extension, else json)")
    p.set_defaults(func=cmd_codebook)

    p = sub.add_parser("stats", parents=[common], help="print counts as JSON")
    p.set_defaults(func=cmd_stats)

    import importlib
    for name in SUBCOMMAND_MODULES:
        importlib.import_module(name).add_parser(sub, common)
    return parser


#: Modules that each add their own subcommands: ``add_parser(sub, common)``
#: adds the parser(s) and sets ``func`` (which may raise :class:`CommandError`).
SUBCOMMAND_MODULES: list[str] = [
    "desktop.cli_tags",
    "desktop.cli_journal",
    "desktop.cli_backups",
    "desktop.cli_agreement",
    "desktop.cli_merge",
    "desktop.cli_assign",
    "desktop.cli_feeds",
    "desktop.cli_hub",
]


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    func = getattr(args, "func", cmd_gui)
    try:
        return func(args)
    except CommandError as error:
        print(f"dossier: error: {error}", file=sys.stderr)
        return EXIT_ERROR
    except BrokenPipeError:
        # output piped into a command that stopped reading (| head): not an error
        # worth a traceback; point stdout at devnull so the exit flush is quiet
        # (before ``except Exception``, which would otherwise take it)
        import os
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_PROBLEMS
    except Exception as error:
        if _is_busy(error):
            # as `import` does for a file it could not store: exit 1, try again
            print(f"dossier: error: {_busy_message(args)}", file=sys.stderr)
            return EXIT_PROBLEMS
        message = _database_failure(error, args)
        if message is None:
            raise
        print(f"dossier: error: {message}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("dossier: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    # run as the imported module, so subcommand modules' CommandError (from
    # desktop.cli) is the class main() catches, not a copy in __main__
    from desktop.cli import main as _main
    sys.exit(_main())
