"""``dossier tag add|list`` and ``dossier delete``: the codebook and the
articles from a script.

``tag add`` creates a tag (so that ``dossier autotag`` has one to use
without a codebook import); ``tag list`` prints the codebook, nested
(a category marked as one);
``delete ID…`` deletes articles with their passages, in one transaction.
Each is one journal step (``dossier undo`` takes it back).
"""

from __future__ import annotations

import json

from desktop.cli import EXIT_OK, CommandError, _database, row_id
from widgets.wording import counted


def cmd_tag_add(args) -> int:
    from storage import tags

    db = _database(args, create=False)
    parent = None
    if args.parent is not None:
        # a blank name is no tag's: find_tag would refuse it with a TagError
        parent = tags.find_tag(db, args.parent) if args.parent.strip() else None
        if parent is None:
            raise CommandError(f"there is no tag called {args.parent!r} (--parent)")
    colour = args.color or tags.unused_colour(t["color"] for t in tags.list_tags(db))
    from storage import journal

    try:
        with journal.step(db, f"New tag “{args.name.strip()}”", analyst="dossier tag add"):
            tag_id = tags.create_tag(db, args.name, colour,
                                     description=args.description or "")
            if parent is not None:
                tags.set_parent(db, tag_id, parent["id"])
    except tags.TagError as error:
        raise CommandError(str(error)) from error
    tag = tags.get_tag(db, tag_id)
    under = f" under “{parent['name']}”" if parent else ""
    key = f", key {tag['shortcut']}" if tag["shortcut"] else ""
    print(f"created tag {tag_id} “{tag['name']}” ({tag['color']}{key}){under}")
    return EXIT_OK


def _nested(rows: list[dict]) -> list[tuple[int, dict]]:
    """``(depth, tag)`` in tree order: each tag followed by its children.
    A tag whose parent is missing, or whose parent would close a loop (a
    file damaged by an older merge can hold one), is listed at the top:
    every tag is listed once."""
    by_parent: dict[int | None, list[dict]] = {}
    ids = {r["id"] for r in rows}
    placed: dict[int, int | None] = {}
    for row in rows:
        parent = row["parent_id"] if row["parent_id"] in ids else None
        above = parent
        while above is not None and above != row["id"]:
            above = placed.get(above)
        placed[row["id"]] = parent = None if above == row["id"] else parent
        by_parent.setdefault(parent, []).append(row)
    out: list[tuple[int, dict]] = []

    def walk(parent, depth):
        for row in by_parent.get(parent, []):
            out.append((depth, row))
            walk(row["id"], depth + 1)
    walk(None, 0)
    return out


def cmd_tag_list(args) -> int:
    from storage import tags

    rows = tags.list_tags(_database(args, create=False))
    names = {r["id"]: r["name"] for r in rows}
    if args.json:
        print(json.dumps([{"id": r["id"], "name": r["name"], "color": r["color"],
                           "key": r["shortcut"], "description": r["description"],
                           "parent": names.get(r["parent_id"]),
                           "passages": r["passage_count"], "codable": bool(r["codable"])}
                          for r in rows],
                         ensure_ascii=False, indent=2))
        return EXIT_OK
    for depth, row in _nested(rows):
        key = str(row["shortcut"]) if row["shortcut"] else "-"
        category = "" if row["codable"] else "  (category: not used for tagging)"
        print(f"{row['id']:>5}  {key}  {row['color']}  {row['passage_count']:>6} passages  "
              f"{'  ' * depth}{row['name']}{category}")
    return EXIT_OK


def cmd_delete(args) -> int:
    from storage.articles import ArticleError, delete_articles

    db = _database(args, create=False)
    from storage import journal

    try:
        with journal.step(db, f"Delete {counted(len(set(args.ids)), 'article')}",
                          analyst="dossier delete"):
            counts = delete_articles(db, args.ids)
    except ArticleError as error:
        raise CommandError(str(error)) from error
    print(f"deleted {counted(counts['articles'], 'article')} and "
          f"{counted(counts['passages'], 'passage')}")
    return EXIT_OK


def add_parser(sub, common) -> None:
    """Add ``tag`` (with ``add`` and ``list``) and ``delete``."""
    p = sub.add_parser("tag", parents=[common], help="create or list tags (the codebook)")
    actions = p.add_subparsers(dest="tag_action", metavar="ACTION", required=True)
    a = actions.add_parser("add", parents=[common], help="create a tag")
    a.add_argument("name", metavar="NAME")
    a.add_argument("--color", "--colour", metavar="#RRGGBB",
                   help="its colour (default: the one least like the other tags')")
    a.add_argument("--parent", metavar="NAME", help="the tag it sits under")
    a.add_argument("--description", metavar="TEXT", help="what the tag is for")
    a.set_defaults(func=cmd_tag_add)
    a = actions.add_parser("list", parents=[common],
                           help="list the tags, children under their parent")
    a.add_argument("--json", action="store_true", help="print JSON")
    a.set_defaults(func=cmd_tag_list)

    p = sub.add_parser("delete", parents=[common],
                       help="delete articles with their passages (ids from `dossier list`)")
    p.add_argument("ids", metavar="ID", type=row_id, nargs="+")
    p.set_defaults(func=cmd_delete)
