"""``dossier agreement``: how far analysts agree, per tag and overall.

Prints ``alpha_char``, ``u_alpha``, ``bu_alpha``, ``cu_alpha``,
``kappa_presence`` and ``percent_agreement`` (and the per-character κ and
percentage) as a table or ``--json``; ``--diagnosis FILE.csv`` also writes
the measures and one row per disagreement.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from widgets.wording import counted


def cmd_agreement(args) -> int:
    from desktop.agreement.report import (AgreementError, agreement_report, format_table,
                                          write_csv)
    from desktop.cli import EXIT_OK, CommandError, _database, check_output_folder
    from storage import articles, tags
    from storage.agreement_data import ALL_ARTICLES, CODED_BY_ALL, CODED_BY_ANY
    from storage.export_selection import analysts

    names = [a.strip() for a in args.analysts.split(",") if a.strip()]
    db = _database(args, create=False)
    tag_ids = None
    if args.tag:
        tag_ids = []
        for name in args.tag:
            # a blank name is no tag's: find_tag would refuse it with a TagError
            tag = tags.find_tag(db, name) if name.strip() else None
            if tag is None:
                raise CommandError(f"there is no tag called {name!r}")
            tag_ids.append(tag["id"])
    for article_id in args.article:
        if articles.get_article(db, article_id) is None:
            raise CommandError(f"there is no article {article_id}")
    known = set(analysts(db))
    unknown = [n for n in names if n not in known]
    if unknown:
        raise CommandError("no passages by " + ", ".join(repr(n) for n in unknown)
                           + " (analysts: " + ", ".join(sorted(known)) + ")")
    diagnosis = Path(args.diagnosis) if args.diagnosis else None
    if diagnosis is not None:
        check_output_folder(diagnosis)
    try:
        report = agreement_report(db, names, article_ids=args.article or None, tag_ids=tag_ids,
                                  scope=(ALL_ARTICLES if args.all_articles else
                                         CODED_BY_ANY if args.coded_by_any else CODED_BY_ALL))
    except AgreementError as error:
        raise CommandError(str(error)) from error
    if diagnosis is not None:
        try:
            count = write_csv(db, report, diagnosis)
        except OSError as error:
            raise CommandError(f"cannot write {diagnosis}: {error.strerror or error}") from error
        print(f"wrote {counted(len(report.rows) + 1, 'measure row')} and "
              f"{counted(count, 'diagnosis row')} "
              f"to {diagnosis}", file=sys.stderr)
    if args.json:
        print(json.dumps(report.as_json(), ensure_ascii=False, indent=2))
    else:
        print(format_table(report))
    return EXIT_OK


def add_parser(sub, common) -> None:
    """Add ``dossier agreement``."""
    p = sub.add_parser(
        "agreement", parents=[common],
        help="how far analysts agree: Krippendorff's α per character, the unitizing "
             "uα/|uα/cuα, κ on tag presence, percentage agreement",
        description="Agreement between analysts who coded the same articles, per tag and "
                    "overall. Report alpha_char or u_alpha; percent_agreement is not "
                    "chance-corrected. By default the articles are those every one of the "
                    "analysts coded (the others are named as left out).")
    p.add_argument("--analysts", metavar="A,B[,C]", required=True,
                   help="two or more analysts, comma-separated, as recorded on passages")
    p.add_argument("--tag", metavar="NAME", action="append", default=[],
                   help="only this tag (repeatable; default: every tag they used)")
    from desktop.cli import row_id

    p.add_argument("--article", metavar="ID", type=row_id, action="append", default=[],
                   help="only this article (repeatable)")
    p.add_argument("--coded-by-any", action="store_true",
                   help="the articles any of them coded: what one has not coded counts as "
                        "'no tag' against the others' passages")
    p.add_argument("--all-articles", action="store_true",
                   help="every article in the database, coded or not (uncoded text counts "
                        "as agreement on 'no tag')")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.add_argument("--diagnosis", metavar="FILE.csv",
                   help="also write the measures and one 'diagnosis' row per disagreement "
                        "(article, span, each analyst's tags) as CSV")
    p.set_defaults(func=cmd_agreement)
