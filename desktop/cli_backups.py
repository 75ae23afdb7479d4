"""``dossier backups``, ``dossier backup`` and ``dossier restore``: the
database's backups from the command line (the same ones the window takes on
exit and on schedule, in ``<database>.backups/``).

``backups`` lists them, each checked with ``PRAGMA quick_check``; ``backup``
takes one now; ``restore`` puts the newest good one (or the one named) in
place of the database. Before a restore the current database is backed up,
or, if it is damaged, kept aside as ``<name>.damaged-<time>``: nothing is
ever deleted.
"""

from __future__ import annotations

from pathlib import Path

from desktop.cli import EXIT_OK, EXIT_PROBLEMS, CommandError, _database, _database_path


def cmd_backups(args) -> int:
    from storage.backup import backup_folder, list_backups
    from storage.database import check_file

    path = _database_path(args)
    backups = list_backups(path)
    if not backups:
        print(f"no backups of {path} (they would be in {backup_folder(path)})")
        return EXIT_OK
    damaged = 0
    for backup in backups:
        problems = check_file(backup.path)
        damaged += bool(problems)
        state = f"DAMAGED ({problems[0]})" if problems else "ok"
        when = backup.taken_at.astimezone().strftime("%Y-%m-%d %H:%M:%S")
        print(f"{when}  {backup.size / 1024:>10,.0f} KB  {state:<4}  {backup.path}")
    return EXIT_PROBLEMS if damaged else EXIT_OK


def cmd_backup(args) -> int:
    from storage import DatabaseError
    from storage.backup import take_backup

    db = _database(args, create=False)
    try:
        target = take_backup(db, _database_path(args))
    except DatabaseError as error:
        raise CommandError(str(error)) from error
    except OSError as error:
        raise CommandError(f"cannot write the backup: {error.strerror or error}") from error
    finally:
        db.close()
    print(f"backed up to {target}")
    return EXIT_OK


def cmd_restore(args) -> int:
    import sqlite3

    from storage import DatabaseError, open_database
    from storage.backup import (BackupError, check_backup, newest_good_backup, put_back,
                                restore_backup)
    from storage.database import check_file

    path = _database_path(args)
    if args.file:
        chosen = Path(args.file)
        if not chosen.is_file():
            raise CommandError(f"no backup at {chosen}")
    else:
        newest = newest_good_backup(path)
        if newest is None:
            raise CommandError(f"no good backup of {path}")
        chosen = newest.path
    try:        # before the database is touched: a file that cannot replace it changes nothing
        check_backup(chosen, sound=not args.file)
    except BackupError as error:
        raise CommandError(str(error)) from error
    try:
        kept, aside = _set_current_aside(path, check_file(path) if path.exists() else [], chosen)
    except BackupError as error:     # no room for the copy, say: the database is left alone
        raise CommandError(f"{error}; nothing was restored") from error
    except (sqlite3.Error, OSError) as error:    # the disk filled while it was copied
        raise CommandError(f"the copy of {path} kept before a restore could not be written "
                           f"({error}); nothing was restored") from error
    try:
        restore_backup(chosen, path, checked=True)
    except (sqlite3.Error, OSError, DatabaseError) as error:
        # a full disk, say: the file set aside goes back, without the
        # journal the failed write left (SQLite would apply it to that file)
        if aside is not None:
            put_back(aside, path)
        raise CommandError(f"{chosen.name} could not be written in place of {path} "
                           f"({error}); nothing was restored") from error
    try:
        open_database(path, create=False).close()
    except DatabaseError as error:
        raise CommandError(str(error)) from error
    print(f"restored {path} from {chosen}" + (f"; {kept}" if kept else ""))
    return EXIT_OK


def _set_current_aside(path: Path, problems: list[str], chosen: Path) -> tuple[str, Path | None]:
    """Keep the database about to be replaced: a damaged one renamed beside
    it, a sound one as a backup labelled ``before-restore`` (which never
    deletes ``chosen``, the backup about to be restored). Returns what was
    done, in words, and the damaged file's new name (None if it was backed
    up instead). Raises :class:`~storage.backup.BackupError` (nothing
    changed) if that backup cannot be written although the database is
    sound (no room for it)."""
    from storage import DamagedDatabaseError, DatabaseError, open_database
    from storage.backup import BEFORE_RESTORE, DEFAULT_KEEP, set_aside, take_backup

    if not path.exists():
        return "", None
    if problems:
        aside = set_aside(path)
        return f"the damaged file is kept as {aside}", aside
    try:
        db = open_database(path, create=False)
    except DatabaseError:
        aside = set_aside(path)
        return f"the file that could not be opened is kept as {aside}", aside
    try:
        before = take_backup(db, path, keep=DEFAULT_KEEP + 1, label=BEFORE_RESTORE,
                             spare=chosen)
    except DamagedDatabaseError:
        db.close()
        aside = set_aside(path)
        return f"the damaged file is kept as {aside}", aside
    finally:
        db.close()
    return f"the state before is backed up as {before}", None


def add_parser(sub, common) -> None:
    p = sub.add_parser("backups", parents=[common],
                       help="list the database's backups, each checked for damage")
    p.set_defaults(func=cmd_backups)
    p = sub.add_parser("backup", parents=[common], help="back the database up now")
    p.set_defaults(func=cmd_backup)
    p = sub.add_parser("restore", parents=[common],
                       help="replace the database by its newest good backup (or FILE); "
                            "the current one is backed up first, or kept aside if damaged")
    p.add_argument("file", nargs="?", metavar="FILE", help="the backup to restore")
    p.set_defaults(func=cmd_restore)
