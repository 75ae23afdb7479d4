"""``dossier assign``: which analyst codes which article.

``dossier assign --analyst A,B --article 3 --article 4`` assigns articles;
``--sample N`` assigns N random articles none of them has yet to all of
them (a reliability sample for ``dossier agreement``); ``--remove`` takes
articles away; ``--progress`` (or no articles) prints each analyst's
progress: assigned, coded, in progress, done.
"""

from __future__ import annotations

import json
from contextlib import nullcontext

from widgets.wording import counted


def cmd_assign(args) -> int:
    from desktop.cli import EXIT_OK, CommandError, _database
    from storage import assignments, journal

    if args.remove and (args.sample or not args.article):
        # a sample is drawn among articles none of them has: nothing to take away
        raise CommandError("--remove takes away the articles named with --article ID"
                           + (", not a --sample" if args.sample else ""))
    db = _database(args, create=False)
    names = [a.strip() for a in (args.analyst or "").split(",") if a.strip()]
    try:
        if args.article or args.sample:
            if not names:
                raise CommandError("name the analyst(s) with --analyst A[,B]")
            if args.remove:
                assignments.unassign(db, args.article, names)
                print(f"took {counted(len(set(args.article)), 'article')} away from "
                      + ", ".join(names))
            else:
                ids = list(args.article)
                # both: one step, so that a refused sample leaves the articles
                # unassigned too (each alone is a step named by storage)
                both = journal.step(db, f"Assign {counted(len(set(ids)), 'article')} and a "
                                    f"sample of {args.sample} to " + ", ".join(names))
                with both if args.article and args.sample else nullcontext():
                    if args.article:
                        assignments.assign(db, args.article, names)
                    if args.sample:
                        ids += assignments.assign_sample(db, names, args.sample,
                                                         seed=args.seed)
                print(f"assigned {counted(len(set(ids)), 'article')} to " + ", ".join(names))
    except assignments.AssignmentError as error:
        raise CommandError(str(error)) from error
    rows = assignments.progress(db)
    if names:
        rows = [r for r in rows if r["analyst"] in names]
    if args.json:
        print(json.dumps(rows, indent=2, ensure_ascii=False))
    elif not (args.article or args.sample) or args.progress:
        for r in rows:
            print(f"{r['analyst']:<20} {r['assigned']:>6} assigned  {r['coded']:>6} coded  "
                  f"{r['in_progress']:>6} in progress  {r['done']:>6} done")
    return EXIT_OK


def _sample_size(value: str) -> int:
    """``--sample``: a whole number of articles, 1 or more; anything else is
    a one-line usage error before anything is assigned."""
    import argparse

    try:
        number = int(value.strip(), 10)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{value!r} is not a number of articles (a whole number)") from None
    if number < 1:
        raise argparse.ArgumentTypeError(f"a sample of {number} articles: give 1 or more")
    return number


def add_parser(sub, common) -> None:
    """Add ``dossier assign``."""
    from desktop.cli import row_id

    p = sub.add_parser("assign", parents=[common],
                       help="assign articles to analysts, or show each analyst's progress")
    p.add_argument("--analyst", metavar="A[,B]", help="the analyst(s), comma-separated")
    p.add_argument("--article", metavar="ID", type=row_id, action="append", default=[],
                   help="an article to assign (repeatable)")
    p.add_argument("--sample", metavar="N", type=_sample_size, default=0,
                   help="assign N random articles none of them has yet, to all of them")
    p.add_argument("--seed", type=int, default=None, help="--sample: the random seed")
    p.add_argument("--remove", action="store_true", help="take the --article(s) away")
    p.add_argument("--progress", action="store_true", help="print each analyst's progress")
    p.add_argument("--json", action="store_true", help="print the progress as JSON")
    p.set_defaults(func=cmd_assign)
