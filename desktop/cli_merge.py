"""``dossier merge FILE``: bring a colleague's Dossier database (or a .qdpx
project, see :mod:`desktop.merge_files`) into this one.

Articles matched by text, tags by stable id then name, passages by
(article, tag, range, analyst); merging the same file twice adds nothing.
Prints what came in, what matched and every conflict (ours kept).
"""

from __future__ import annotations

from pathlib import Path


def cmd_merge(args) -> int:
    from desktop.cli import EXIT_OK, CommandError, _database
    from desktop.merge_files import merge_file, summary
    from storage.merge import MergeError

    db = _database(args, create=False)
    try:
        report = merge_file(db, Path(args.file), analyst=args.analyst)
    except MergeError as error:
        raise CommandError(str(error)) from error
    for line in report.conflicts:
        print(f"conflict: {line}")
    for line in report.skipped:
        print(f"skipped: {line}")
    for line in report.notes:
        print(f"note: {line}")
    print(summary(report))
    return EXIT_OK


def add_parser(sub, common) -> None:
    """Add ``dossier merge``."""
    p = sub.add_parser(
        "merge", parents=[common],
        help="merge a colleague's Dossier database or .qdpx project into this one (articles by text, tags "
             "by name, passages by article, tag, range and analyst; twice adds nothing)")
    p.add_argument("file", metavar="FILE", help="the other Dossier database (.db) or a REFI-QDA project (.qdpx)")
    p.add_argument("--analyst", metavar="NAME", default="",
                   help="who merges (recorded on the journal step; dossier undo undoes it)")
    p.set_defaults(func=cmd_merge)
