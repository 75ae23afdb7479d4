"""``dossier hub …``: set up a team hub on PostgreSQL and sync with it
(``storage.hub_schema``, ``storage.hub_sync``).

- ``hub init URL [--blind]``: schema, roles and row-level security (run as
  the database's superuser or owner); ``hub upgrade URL``: an existing
  hub's schema brought up to this Dossier's (the same person);
- ``hub add-analyst NAME --role lead|analyst|viewer --url URL``: a login
  role (password from ``--password-env VAR``, asked, or generated and
  printed once); ``hub remove-analyst NAME --url URL``; ``hub blind on|off``;
- ``hub connect postgresql://NAME@host/db --db LOCAL.db``: join (first sync:
  corpus, codebook, passages, analysis results, with progress);
- ``hub sync --db LOCAL.db``: push the local steps not yet pushed, pull the
  others'; ``hub status``; ``hub disconnect`` (the file keeps everything and
  syncs no more).

The analyst's password comes from ``$DOSSIER_HUB_PASSWORD``, the system
keyring, or a prompt (then kept in the keyring where there is one).
"""

from __future__ import annotations

import getpass
import os
import secrets
import sys
from widgets.wording import counted


def _hub():
    from storage import hub_sync
    return hub_sync


def _connect(url: str, *, ask: bool = True):
    from desktop.cli import CommandError
    from desktop.hub_credentials import get_password, remember

    hub_sync = _hub()
    try:
        hub_sync.check_address(url)     # before a password is asked for it
    except hub_sync.HubError as error:
        raise CommandError(str(error)) from error
    public = hub_sync.strip_password(url)
    password = hub_sync.password_in(url)
    if password is not None:
        remember(public, password)      # where passwords go: the file keeps the address only
    else:
        password = get_password(public)
    if password is None and public == url and ask and sys.stdin.isatty() \
            and "host=" not in url:
        password = getpass.getpass(f"Password for {public}: ")
        remember(public, password)
    try:
        return hub_sync.connect(url, password=password)
    except hub_sync.HubError as error:
        raise CommandError(str(error)) from error


def _local(args):
    from desktop.cli import CommandError, _database_path
    from storage import DatabaseError, open_database

    try:
        return open_database(_database_path(args))
    except DatabaseError as error:
        raise CommandError(str(error)) from error


def _progress(what: str, done: int, total: int) -> None:
    if sys.stderr.isatty() or os.environ.get("DOSSIER_PROGRESS"):
        print(f"\r{what}: {done:,}/{total:,}", end="\n" if done >= total else "",
              file=sys.stderr, flush=True)


def _report(result) -> None:
    print(f"pushed {counted(result.pushed, 'step')}"
          + (f" ({result.duplicates} already on the hub)" if result.duplicates else "")
          + f", pulled {result.pulled}; analysis results: {result.analyses_pushed} sent, "
          f"{result.analyses_pulled} received")
    for line in result.refused:
        print(f"refused by the hub: {line}")
    for line in result.conflicts:
        print(f"conflict: {line}")


def cmd_init(args) -> int:
    from desktop.cli import CommandError

    hub_sync = _hub()
    conn = _connect(args.url)
    try:
        hub_sync.init_hub(conn, blind=args.blind)
    except hub_sync.HubError as error:
        raise CommandError(str(error)) from error
    except Exception as error:     # psycopg.Error: no rights, an old server …
        raise CommandError(f"Cannot create the hub: {str(error).strip()}") from error
    version = conn.info.server_version
    if version < 150000:
        print(f"warning: PostgreSQL {version // 10000} is older than 15", file=sys.stderr)
    print(f"hub created ({'blind coding on' if args.blind else 'blind coding off'})")
    return 0


def cmd_upgrade(args) -> int:
    from desktop.cli import CommandError

    hub_sync = _hub()
    conn = _connect(args.url)
    try:
        before, now = hub_sync.upgrade_hub(conn)
    except hub_sync.HubError as error:
        raise CommandError(str(error)) from error
    except Exception as error:     # psycopg.Error: not the owner …
        raise CommandError(f"Cannot upgrade the hub: {str(error).strip()}") from error
    print(f"hub schema {before} is up to date" if before == now
          else f"hub schema upgraded from {before} to {now}")
    return 0


def cmd_add_analyst(args) -> int:
    from desktop.cli import CommandError

    password = os.environ.get(args.password_env) if args.password_env else None
    generated = False
    if password is None:
        if sys.stdin.isatty():
            password = getpass.getpass(f"Password for {args.name} (empty: generate one): ")
        if not password:
            password, generated = secrets.token_urlsafe(15), True
    conn = _connect(args.url)
    try:
        created = _hub().add_member(conn, args.name, args.role, password)
    except Exception as error:
        raise CommandError(f"Cannot add {args.name}: {str(error).strip()}") from error
    print(f"{'created' if created else 'updated'} {args.name} as {args.role}")
    if generated:
        print(f"password (give it to {args.name}, it is not shown again): {password}")
    return 0


def cmd_remove_analyst(args) -> int:
    from desktop.cli import CommandError

    try:
        _hub().remove_member(_connect(args.url), args.name)
    except Exception as error:
        raise CommandError(f"Cannot remove {args.name}: {str(error).strip()}") from error
    print(f"{args.name} can no longer log in; their passages and history stay")
    return 0


def cmd_blind(args) -> int:
    from desktop.cli import CommandError

    try:
        _hub().set_blind(_connect(args.url), args.state == "on")
    except Exception as error:
        message = str(error).strip()
        if "permission denied" in message:
            message = "only a lead turns blind coding on or off (use a lead's URL)"
        raise CommandError(f"Cannot change blind coding: {message}") from error
    print(f"blind coding {args.state}")
    return 0


def cmd_connect(args) -> int:
    from desktop.cli import CommandError, _database_path

    hub_sync = _hub()
    db = _local(args)
    was = hub_sync.other_member(db, args.url)
    if was and not args.switch_member:
        raise CommandError(
            f"this file is connected to the hub as {was}; signing it in as "
            f"{hub_sync.member_in(args.url)} would send {was}'s changes not yet sent as "
            f"{hub_sync.member_in(args.url)}'s. Use {hub_sync.member_in(args.url)}'s own "
            f"file, or --switch-member if this file is to be theirs from now on")
    conn = _connect(args.url)
    role = hub_sync.my_role(conn)
    if role is None:
        raise CommandError(f"{conn.info.user} is not a member of this hub")
    try:
        result = hub_sync.first_sync(db, conn, args.url, on_progress=_progress)
    except hub_sync.HubError as error:
        raise CommandError(str(error)) from error
    hub_sync.adopt_file(db, _database_path(args))
    counts = hub_sync.local_counts(db)
    print(f"connected as {conn.info.user} ({role}): {counts['articles']} articles, "
          f"{counts['tags']} tags, {counts['passages']} passages")
    _report(result)
    return 0


def cmd_sync(args) -> int:
    from desktop.cli import EXIT_PROBLEMS, CommandError, _database_path
    from storage.database import get_meta

    hub_sync = _hub()
    db = _local(args)
    url = args.url or get_meta(db, hub_sync.HUB_URL)
    if not url:
        raise CommandError("this file is not connected to a hub (dossier hub connect URL)")
    path = _database_path(args)
    original = hub_sync.copied_from(db, path)
    if original and not args.this_copy:
        raise CommandError(
            f"this file is a copy of {original} (or was moved from there), which syncs with "
            f"the hub; syncing the copy too would push its changes to the team as the same "
            f"member. Nothing was synced. If this copy should sync too (its changes then reach "
            f"the team, as from another computer of the same member), run "
            f"dossier hub sync --this-copy")
    hub_sync.adopt_file(db, path)
    try:
        result = hub_sync.sync(db, _connect(url), on_progress=_progress)
    except hub_sync.HubError as error:
        waiting = counted(hub_sync.waiting(db), "change")
        raise CommandError(f"{error} ({waiting} waiting)") from error
    _report(result)
    if result.refused:
        # the refused steps stay in this file only: not a success
        print(f"{counted(len(result.refused), 'step')} refused by the hub: "
              f"{'it stays' if len(result.refused) == 1 else 'they stay'} in this file only",
              file=sys.stderr)
        return EXIT_PROBLEMS
    return 0


def cmd_disconnect(args) -> int:
    from desktop.cli import CommandError
    from storage.database import get_meta

    hub_sync = _hub()
    db = _local(args)
    url = get_meta(db, hub_sync.HUB_URL)
    if not url:
        raise CommandError("this file is not connected to a hub")
    waiting = hub_sync.waiting(db)
    if waiting and not args.drop_unsent:
        raise CommandError(
            f"{counted(waiting, 'change')} of this file never reached the hub; run "
            f"dossier hub sync first, or --drop-unsent to keep them in this file only")
    hub_sync.disconnect(db)
    from desktop import hub_credentials
    hub_credentials.forget(url)
    print(f"disconnected from {url}: this file keeps everything and syncs no more"
          + (f" ({counted(waiting, 'change')} never sent "
             f"{'stays' if waiting == 1 else 'stay'} in it only)" if waiting else ""))
    return 0


def cmd_status(args) -> int:
    from storage.database import get_meta

    hub_sync = _hub()
    db = _local(args)
    from desktop.cli import _database_path

    url = get_meta(db, hub_sync.HUB_URL)
    if not url:
        left = get_meta(db, hub_sync.HUB_LEFT)
        print("hub: not connected" + (
            f"; this file left {left}: what it holds stays in it only" if left else ""))
        return 0
    refused = hub_sync.refused(db)
    print(f"hub: {hub_sync.strip_password(url)}; "
          f"{counted(hub_sync.waiting(db), 'change')} waiting; "
          f"last hub step applied: {get_meta(db, hub_sync.LAST_SEQ, '0')}"
          + (f"; {counted(len(refused), 'step')} refused by the hub, in this file only"
             if refused else ""))
    for name, why in refused[-10:]:
        print(f"refused: “{name}”: {why}")
    original = hub_sync.copied_from(db, _database_path(args))
    if original:
        print(f"not syncing: this file is a copy of {original} (dossier hub sync --this-copy "
              f"lets it sync too)")
    return 0


def add_parser(sub, common) -> None:
    hub = sub.add_parser("hub", help="a team hub on PostgreSQL: set up, connect, sync")
    hub_sub = hub.add_subparsers(dest="hub_command", metavar="HUB_COMMAND", required=True)

    p = hub_sub.add_parser("init", help="create the hub's schema, roles and row-level security")
    p.add_argument("url", metavar="URL", help="postgresql://admin@host/db")
    p.add_argument("--blind", action="store_true",
                   help="blind coding: others' passages unreadable until a lead reveals them")
    p.set_defaults(func=cmd_init)

    p = hub_sub.add_parser("upgrade", help="bring an existing hub's schema up to this "
                           "Dossier's (run as the hub's owner)")
    p.add_argument("url", metavar="URL", help="postgresql://admin@host/db")
    p.set_defaults(func=cmd_upgrade)

    p = hub_sub.add_parser("add-analyst", help="create a member's login role")
    p.add_argument("name", metavar="NAME")
    p.add_argument("--role", choices=("lead", "analyst", "viewer"), default="analyst")
    p.add_argument("--url", required=True, help="the admin's postgresql:// URL")
    p.add_argument("--password-env", metavar="VAR",
                   help="read the new password from this environment variable")
    p.set_defaults(func=cmd_add_analyst)

    p = hub_sub.add_parser("remove-analyst", help="take away a member's login")
    p.add_argument("name", metavar="NAME")
    p.add_argument("--url", required=True, help="the admin's postgresql:// URL")
    p.set_defaults(func=cmd_remove_analyst)

    p = hub_sub.add_parser("blind", help="blind coding on, or off (reveals every passage)")
    p.add_argument("state", choices=("on", "off"))
    p.add_argument("--url", required=True, help="a lead's postgresql:// URL")
    p.set_defaults(func=cmd_blind)

    p = hub_sub.add_parser("connect", parents=[common],
                           help="join a hub: first sync of corpus, codebook and passages")
    p.add_argument("url", metavar="URL", help="postgresql://NAME@host/db")
    p.add_argument("--switch-member", action="store_true",
                   help="the file is connected as another member: make it this one's")
    p.set_defaults(func=cmd_connect)

    p = hub_sub.add_parser("sync", parents=[common],
                           help="push local changes not yet pushed, pull the others'")
    p.add_argument("--url", help="override the hub URL stored in the file")
    p.add_argument("--this-copy", action="store_true",
                   help="this file is a copy (or was moved): let it sync too, its changes "
                        "reaching the team")
    p.set_defaults(func=cmd_sync)

    p = hub_sub.add_parser("disconnect", parents=[common],
                           help="stop syncing this file with its hub (it keeps everything)")
    p.add_argument("--drop-unsent", action="store_true",
                   help="disconnect even though some changes never reached the hub")
    p.set_defaults(func=cmd_disconnect)

    p = hub_sub.add_parser("status", parents=[common], help="hub URL and changes waiting")
    p.set_defaults(func=cmd_status)
