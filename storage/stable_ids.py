"""Stable ids brought in from elsewhere: a row that comes from another
tool's or another copy's file keeps the id it had there (a REFI-QDA
project's GUIDs, as a merged file's rows keep their uuid — see
:mod:`storage.merge`), so exports of both copies join on it. An id that is
not a UUID, or that this file already gives another row, is not kept: the
row gets a new one."""

from __future__ import annotations

import uuid

from sqlite_utils import Database

from storage.new_ids import new_uuid

#: the tables whose rows an import may bring with their own id
TABLES = ("articles", "tags", "passages")


def canonical(candidate: str | None) -> str | None:
    """``candidate`` as a lower-case hyphenated UUID (braces, upper case
    and missing hyphens are read), or None if it is not one."""
    if not candidate:
        return None
    try:
        return str(uuid.UUID(candidate.strip()))
    except ValueError:
        return None


def kept(db: Database, table: str, candidate: str | None) -> str:
    """The uuid for a new row of ``table`` that had ``candidate`` where it
    came from: ``candidate`` (canonical) if it is a UUID no row of the table
    has, else a new one (:func:`storage.new_ids.new_uuid`)."""
    if table not in TABLES:
        raise ValueError(f"no stable ids are brought into {table!r}")
    wanted = canonical(candidate)
    if wanted is not None and db.execute(
            f"SELECT 1 FROM {table} WHERE uuid = ?", [wanted]).fetchone() is None:
        return wanted
    return new_uuid()
