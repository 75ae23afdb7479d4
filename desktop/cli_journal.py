"""``dossier history`` and ``dossier undo`` / ``dossier redo``: the change
journal from the command line (``storage.journal``).

``history`` lists the newest steps (who, when, what, how many rows);
``undo`` takes back the newest step still in effect (or ``--step ID``) and
``redo`` puts back the one most recently undone — each refused, changing
nothing, when someone changed the same rows since. A ``dossier import`` run
stored in several steps (a file, a chunk of 500 rows each) is undone and
redone whole, in one transaction (``storage.journal.run_of``).
"""

from __future__ import annotations

import argparse
import json
import re
from types import SimpleNamespace

from widgets.wording import counted


def cmd_history(args) -> int:
    from desktop.cli import _database
    from storage import journal

    db = _database(args, create=False)
    steps = journal.history(db, limit=args.limit)
    if args.json:
        print(json.dumps(steps, ensure_ascii=False, indent=2))
        return 0
    # --limit counts lines: a run of many steps is one line, so read on
    # until as many lines are there (or the journal's start)
    fetched = args.limit
    while len(_runs(steps, journal)) <= args.limit and len(steps) == fetched:
        fetched *= 4
        steps = journal.history(db, limit=fetched)
    for group in _runs(steps, journal)[:args.limit]:
        if len(group) > 1 or (group[0]["origin"] or "").startswith(
                (journal.IMPORT_RUN, journal.RUN_UNDONE)):
            # the whole run, not the part of it within the steps read
            group = [s for s in journal.history(db, origin=group[0]["origin"],
                                                limit=1_000_000)
                     if s["state"] == group[0]["state"]]
        s = group[0]
        state = "" if s["state"] == journal.DONE else f" [{s['state']}]"
        who = f" by {s['analyst']}" if s["analyst"] else ""
        rows = sum(step["rows"] for step in group)
        if len(group) == 1:
            print(f"{s['id']:>6}  {s['created_at']}  {s['name']}{who} "
                  f"({counted(rows, 'row')}){state}")
            continue
        # one run of `dossier import` (or its undo): a step a file or chunk,
        # undone and redone together — one line, not one a file
        first, last = group[-1], group[0]
        print(f"{last['id']:>6}  {last['created_at']}  {len(group)} steps "
              f"{first['id']}–{last['id']} of one run: {first['name']} … "
              f"{last['name']}{who} ({counted(rows, 'row')}){state}")
    return 0


def _runs(steps: list[dict], journal) -> list[list[dict]]:
    """``steps`` (newest first) with the neighbouring steps of one import
    run, or of one run's undo, in a group each; every other step alone."""
    groups: list[list[dict]] = []
    for step in steps:
        origin = step["origin"] or ""
        in_run = origin.startswith((journal.IMPORT_RUN, journal.RUN_UNDONE))
        if (in_run and groups and groups[-1][0]["origin"] == origin
                and groups[-1][0]["state"] == step["state"]):
            groups[-1].append(step)
        else:
            groups.append([step])
    return groups


def _replay(args, action) -> int:
    from desktop.cli import CommandError, _database
    from storage import journal

    db = _database(args, create=False)
    try:
        step = action(db, journal)
    except journal.JournalError as error:
        raise CommandError(str(error)) from error
    # the rows the step concerns: an undone merge's passages, and the articles
    # and tags they sit in (not articles and tags of its own making)
    changes = step.changes
    if changes.passage_ids or changes.article_ids or changes.tag_ids:
        print(f"{step.name}: {counted(len(changes.passage_ids), 'passage')}, "
              f"{counted(len(changes.article_ids), 'article')} and "
              f"{counted(len(changes.tag_ids), 'tag')} concerned")
    else:   # a speaker merge concerns none of them ("0 passages … concerned")
        words = [KIND_WORDS[kind] for kind in sorted(changes.kinds) if kind in KIND_WORDS]
        print(f"{step.name}: {' and '.join(words) or 'nothing'} changed")
    return 0


#: What a step changed, in words, when it concerns no passage, article or tag.
KIND_WORDS = {"speakers": "the speaker and quote corrections",
              "entities": "the entity corrections", "review": "a review status",
              "memo": "a memo", "article": "an article's details",
              "text": "an article's text", "assignments": "the assignments",
              "tags": "the codebook", "articles": "the articles",
              "passages": "the passages"}


def cmd_undo(args) -> int:
    def undo(db, journal):
        if args.step is None:
            run = journal.run_of(db, journal.undoable(db))
            if len(run) > 1:
                return _replay_run(db, journal, run, "undo", args)
        return journal.undo(db, step_id=args.step, analyst=args.analyst or "")
    return _replay(args, undo)


def cmd_redo(args) -> int:
    def redo(db, journal):
        run = journal.undone_run(db)
        if len(run) > 1:
            return _replay_run(db, journal, run, "redo", args)
        return journal.redo(db, analyst=args.analyst or "")
    return _replay(args, redo)


def _replay_run(db, journal, run: list[int], verb: str, args) -> SimpleNamespace:
    """Undo or redo the steps of one ``dossier import`` run (a file, a chunk
    of rows, a page, a project each) together, in one transaction, with a
    progress bar; the undo steps share an origin of their own, so that redo
    puts back what they took, no more."""
    from desktop.cli import _progress_bar

    name = _run_name(journal.step_names(db, run))
    bar, update = _progress_bar(f"{verb.capitalize()}ing {name}", unit="step")
    with bar:
        if verb == "undo":
            changes = journal.undo_steps(db, run, name=name, analyst=args.analyst or "",
                                         origin=journal.new_origin(journal.RUN_UNDONE),
                                         on_progress=update)
        else:
            changes = journal.redo_steps(db, run, name=name, analyst=args.analyst or "",
                                         on_progress=update)
    return SimpleNamespace(name=f"{verb.capitalize()} “{name}”", changes=changes)


def _run_name(names: list[str]) -> str:
    """An import run's name from its steps' ("Import news.jsonl from row
    501", "Import a.txt"): "Import news.jsonl", or the first and how many
    more."""
    files = list(dict.fromkeys(re.sub(r" from row [\d,]+$", "", name) for name in names))
    more = len(files) - 1
    return files[0] + (f" and {counted(more, 'more file')}" if more else "")


def _at_least_one(text: str) -> int:
    """``--limit``: a whole number of steps, one or more."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more, not {value}")
    return value


def add_parser(sub, common) -> None:
    from functools import partial

    from desktop.cli import row_id

    p = sub.add_parser("history", parents=[common],
                       help="list the newest changes in the journal (each one undoable step)")
    p.add_argument("--limit", type=_at_least_one, default=30, metavar="N",
                   help="how many lines (default 30; an import run is one; --json: steps)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=cmd_history)

    p = sub.add_parser("undo", parents=[common],
                       help="undo the newest change still in effect (a whole import run; "
                            "or --step ID); refused, changing nothing, if its rows were "
                            "changed since")
    p.add_argument("--step", type=partial(row_id, listed_by="dossier history"), metavar="ID",
                   help="the step to undo (see history)")
    p.add_argument("--analyst", metavar="NAME", help="recorded on the undo step")
    p.set_defaults(func=cmd_undo)

    p = sub.add_parser("redo", parents=[common], help="redo the change most recently undone")
    p.add_argument("--analyst", metavar="NAME", help="recorded on the redo step")
    p.set_defaults(func=cmd_redo)
