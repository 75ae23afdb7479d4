"""The ``dossier`` command: the GUI by default, subcommands for scripting.

Every subcommand takes ``--db PATH``. Errors are one line on stderr and a
non-zero exit status; a failing command leaves stored data untouched.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

EXIT_OK, EXIT_PROBLEMS, EXIT_ERROR = 0, 1, 2


class CommandError(Exception):
    """A command cannot proceed; the message is shown as one line."""


def _database(args, *, create: bool):
    from desktop.data_location import default_database_path
    from storage import DatabaseError, open_database

    path = Path(args.db) if args.db else default_database_path()
    if not create and not path.exists():
        raise CommandError(f"no database at {path}")
    try:
        db = open_database(path, create=create)
    except DatabaseError as error:
        raise CommandError(str(error)) from error
    from desktop.first_run import ensure_codebook
    ensure_codebook(db)
    return db


def _progress_bar(description: str):
    from tqdm import tqdm

    bar = tqdm(total=0, desc=description, unit="article", file=sys.stderr,
               disable=None)

    def update(done: int, total: int) -> None:
        bar.total = total
        bar.n = done
        bar.refresh()
    return bar, update


def cmd_import(args) -> int:
    from desktop.importers import import_files

    missing = [p for p in args.paths if not Path(p).exists()]
    db = _database(args, create=True)
    report = import_files(db, [Path(p) for p in args.paths if Path(p).exists()])
    report.skipped[:0] = [(p, "no such file or folder") for p in missing]
    for path, article_id in report.added:
        print(f"imported {path} as article {article_id}")
    for path, article_id in report.duplicates:
        print(f"already present: {path} (article {article_id})")
    for article_id, other_id, score in report.similar:
        print(f"article {article_id} is similar to article {other_id} "
              f"(similarity {score:.2f})")
    for path, reason in report.skipped:
        print(f"skipped {path}: {reason}", file=sys.stderr)
    print(report.summary())
    return EXIT_PROBLEMS if report.skipped else EXIT_OK


def cmd_analyse(args) -> int:
    from desktop.analysis.pipeline import load_pipeline
    from desktop.analysis_jobs import analyse_pending

    db = _database(args, create=False)
    loaded = load_pipeline(args.pipeline)
    for warning in loaded.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    bar, update = _progress_bar(f"Analysing ({loaded.name} {loaded.version})")
    with bar:
        done = analyse_pending(db, loaded, on_progress=update)
    print(f"analysed {done} article(s) with {loaded.name} {loaded.version}")
    return EXIT_OK


def cmd_export(args) -> int:
    from desktop.exporting import export_passages
    from storage import tags

    db = _database(args, create=False)
    if args.tag and not tags.find_tag(db, args.tag):
        raise CommandError(f"there is no tag called {args.tag!r}")
    output = Path(args.output)
    if not output.parent.is_dir():
        raise CommandError(f"folder {output.parent} does not exist")
    try:
        count = export_passages(db, output, args.format, tag=args.tag)
    except OSError as error:
        raise CommandError(f"cannot write {output}: {error.strerror}") from error
    print(f"exported {count} passage(s) to {output}")
    return EXIT_OK


def cmd_list(args) -> int:
    from storage import articles

    rows = [{k: a[k] for k in ("id", "title", "source", "published", "passage_count")}
            for a in articles.list_articles(_database(args, create=False))]
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return EXIT_OK
    for row in rows:
        meta = " · ".join(x for x in (row["source"], row["published"]) if x)
        print(f"{row['id']:>5}  {row['passage_count']:>4} passages  {row['title']}"
              + (f"  ({meta})" if meta else ""))
    return EXIT_OK


def cmd_stats(args) -> int:
    from storage import stats

    print(json.dumps(stats.counts(_database(args, create=False)), indent=2))
    return EXIT_OK


def cmd_gui(args) -> int:
    from desktop.app import run_gui

    return run_gui(db_path=Path(args.db) if args.db else None,
                   pipeline=args.pipeline)


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--db", metavar="PATH",
                        help="the database file (default: in the per-user data folder)")
    pipeline = argparse.ArgumentParser(add_help=False)
    pipeline.add_argument("--pipeline", metavar="NAME_OR_PATH",
                          help="spaCy pipeline to use instead of the default")

    parser = argparse.ArgumentParser(
        prog="dossier", parents=[common, pipeline],
        description="Dossier: read news articles with entities and quotes "
                    "highlighted, tag passages, export them. "
                    "Without a command, opens the window.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("import", parents=[common],
                       help="import articles (.txt .md .html .docx .pdf .eml, and .csv "
                            ".json .jsonl with one article a row) or folders of them")
    p.add_argument("paths", nargs="+", metavar="PATH")
    p.set_defaults(func=cmd_import)

    p = sub.add_parser("analyse", parents=[common, pipeline],
                       help="run entity and quote analysis on articles not yet analysed")
    p.set_defaults(func=cmd_analyse)

    p = sub.add_parser("export", parents=[common], help="export tagged passages")
    p.add_argument("--format", choices=("csv", "jsonl"), required=True)
    p.add_argument("-o", "--output", required=True, metavar="FILE")
    p.add_argument("--tag", metavar="NAME", help="only passages with this tag")
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("list", parents=[common], help="list articles")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=cmd_list)

    p = sub.add_parser("stats", parents=[common], help="print counts as JSON")
    p.set_defaults(func=cmd_stats)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    func = getattr(args, "func", cmd_gui)
    try:
        return func(args)
    except CommandError as error:
        print(f"dossier: error: {error}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("dossier: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
