"""Preparing a database on first use: the default codebook and the seeds.

Plain Python (no Qt), so the GUI, the command line and tests share it.
"""

from __future__ import annotations

import json
import uuid
from typing import TYPE_CHECKING

from sqlite_utils import Database

import resources
import seeds
from storage import articles, journal, tags
from storage.database import get_meta, set_meta
from storage.hub_meta import on_a_team_hub

if TYPE_CHECKING:
    from desktop.importers import ImportReport


#: The shipped tags' uuids are made from their names in this namespace, so
#: that every new file gives "Drugs" the same one: exports of two analysts'
#: files, or of a file that imported another's REFI-QDA project, join on
#: ``tag_uuid`` for the shipped tags too (random ones matched in no copy).
DEFAULT_TAGS_NAMESPACE = uuid.UUID("6c1f4a52-3b0e-4d5f-9a57-0d0551e2a7b3")


def default_tags() -> list[dict]:
    """The shipped default tag set (name, colour, description, uuid)."""
    return [dict(tag, uuid=str(uuid.uuid5(DEFAULT_TAGS_NAMESPACE, tag["name"])))
            for tag in json.loads(resources.path("default_tags.json").read_text("utf-8"))]


def ensure_codebook(db: Database) -> None:
    """Install the default tags once per database — not in a file that is,
    or was, a team hub's: its codebook is the team's (the shipped tags would
    be tags only this file has, and the hub refuses passages under them)."""
    if get_meta(db, "default_tags_installed") or on_a_team_hub(db):
        return
    with journal.recorded(db, "Install the default tags"):
        tags.ensure_tags(db, default_tags())
        set_meta(db, "default_tags_installed", "1")


def ensure_seeded(db: Database) -> ImportReport | None:
    """Import the shipped seed articles into a database that never had them.

    Only an empty database is seeded, and only once: articles the analyst
    deletes later do not come back. (The importers are loaded only then:
    every other start goes without their 50 ms of imports.)
    """
    if get_meta(db, "seeded") or on_a_team_hub(db):
        return None
    from desktop.importers import import_files

    report = None
    if not articles.has_articles(db):
        report = import_files(db, seeds.seed_files())
    set_meta(db, "seeded", "1")
    return report
