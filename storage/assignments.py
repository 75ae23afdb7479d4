"""Assignments: which analyst codes which article, and how far each got.

An article can be assigned to several analysts (the same articles coded
independently, for an agreement report) or split between them. Each
assignment carries that analyst's own review status. Every write is one
journal step (undoable) and returns the :class:`~storage.changes.Changes`
it made.
"""

from __future__ import annotations

import random

from sqlite_utils import Database

from storage import journal, row_ids
from storage.changes import ASSIGNMENTS, Changes
from storage.database import utc_now

# a step that changed assignments says so (storage.journal.step_changes)
journal.register_kind("assignments", ASSIGNMENTS)

#: An analyst's review status of an assigned article.
STATUSES = ("new", "in progress", "done")


class AssignmentError(ValueError):
    """An assignment was refused; the message is meant for the user."""


def _names(analysts) -> list[str]:
    names = list(dict.fromkeys(a.strip() for a in analysts if a and a.strip()))
    if not names:
        raise AssignmentError("name at least one analyst")
    return names


def _step_name(verb: str, ids: list[int], names: list[str]) -> str:
    what = f"article {ids[0]}" if len(ids) == 1 else f"{len(ids)} articles"
    return f"{verb} {what} {'to' if verb == 'Assign' else 'from'} {', '.join(names)}"


def assign(db: Database, article_ids, analysts, *, by: str = "") -> Changes:
    """Assign every article to every analyst (those already assigned stay
    as they are) in one journal step made by ``by``. Unknown article ids are
    refused, nothing written."""
    ids, names = sorted({int(i) for i in article_ids}), _names(analysts)
    if not ids:
        return Changes()
    with journal.step(db, _step_name("Assign", ids, names), analyst=by) as step:
        found = {r[0] for r in db.execute(
            "SELECT id FROM articles WHERE id IN (SELECT value FROM json_each(?))",
            [_json(ids)])}
        missing = [i for i in ids if i not in found]
        if missing:
            raise AssignmentError(f"there is no article {missing[0]}")
        now = utc_now()
        db.conn.executemany(
            row_ids.insert_sql(db, "assignments", ("article_id", "analyst", "status",
                                                   "assigned_at"), verb="INSERT OR IGNORE"),
            [(i, n, "new", now) for i in ids for n in names])
    return step.changes


def unassign(db: Database, article_ids, analysts, *, by: str = "") -> Changes:
    """Take the articles away from the analysts (their passages stay), in
    one journal step."""
    ids, names = sorted({int(i) for i in article_ids}), _names(analysts)
    if not ids:
        return Changes()
    with journal.step(db, _step_name("Unassign", ids, names), analyst=by) as step:
        db.conn.executemany("DELETE FROM assignments WHERE article_id = ? AND analyst = ?",
                            [(i, n) for i in ids for n in names])
    return step.changes


def assign_sample(db: Database, analysts, count: int, *, seed: int | None = None,
                  by: str = "") -> list[int]:
    """Assign ``count`` articles drawn at random among those none of the
    analysts has yet to *all* the analysts (a reliability sample); returns
    their ids."""
    names = _names(analysts)
    candidates = [r[0] for r in db.execute(
        "SELECT id FROM articles WHERE id NOT IN (SELECT article_id FROM assignments "
        f"WHERE analyst IN ({', '.join('?' for _ in names)})) ORDER BY id", names)]
    chosen = sorted(random.Random(seed).sample(candidates, min(count, len(candidates))))
    if chosen:
        assign(db, chosen, names, by=by)
    return chosen


def set_status(db: Database, article_id: int, analyst: str, status: str, *,
               by: str = "") -> Changes:
    """Set one analyst's review status of an article assigned to them, in a
    journal step made by ``by`` (who acted, not whose status it is: on a
    team hub only a status its own analyst sets claims her name)."""
    if status not in STATUSES:
        raise AssignmentError(f"status must be one of {', '.join(STATUSES)}")
    with journal.recorded(db, f"Mark article {article_id} {status} for {analyst}",
                          analyst=by):
        if not db.execute("UPDATE assignments SET status = ? WHERE article_id = ? "
                          "AND analyst = ?", [status, article_id, analyst]).rowcount:
            raise AssignmentError(f"article {article_id} is not assigned to {analyst}")
    return Changes.of(ASSIGNMENTS, article_ids=[article_id])


def analysts_of(db: Database, article_id: int) -> list[dict]:
    """The analysts an article is assigned to, with their status."""
    return [{"analyst": a, "status": s} for a, s in db.execute(
        "SELECT analyst, status FROM assignments WHERE article_id = ? ORDER BY analyst",
        [article_id])]


def progress(db: Database) -> list[dict]:
    """Per analyst: articles assigned, how many of them they have coded
    (at least one passage), and how many they marked in progress or done."""
    return [{"analyst": a, "assigned": n, "coded": c, "in_progress": p, "done": d}
            for a, n, c, p, d in db.execute(
                "SELECT s.analyst, count(*), "
                "  sum(EXISTS (SELECT 1 FROM passages p WHERE p.article_id = s.article_id "
                "              AND p.analyst = s.analyst)), "
                "  sum(s.status = 'in progress'), sum(s.status = 'done') "
                "FROM assignments s GROUP BY s.analyst ORDER BY s.analyst")]


def _json(values) -> str:
    import json

    return json.dumps(list(values))
