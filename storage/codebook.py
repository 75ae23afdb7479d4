"""The codebook as plain entries, for JSON export and import.

An entry is ``{"name", "color", "description", "shortcut", "parent"}``
(``color`` None: the file gave none);
``parent`` is the parent tag's *name* (or None), so a codebook moves between
databases whose ids differ. A category (a tag that groups tags and is not
used for tagging, :mod:`storage.tags`) has ``"codable": False`` too; an
entry without the key is an ordinary tag. Reading and writing files is done elsewhere
(:mod:`desktop.codebook_json`).
"""

from __future__ import annotations

from sqlite_utils import Database

from storage import journal
from storage import tags
from storage.tags import TagError


def codebook_entries(db: Database) -> list[dict]:
    """Every tag as an entry, in the codebook panel's order."""
    names = {r[0]: r[1] for r in db.execute("SELECT id, name FROM tags")}
    parents = {r[0]: r[1] for r in db.execute("SELECT id, parent_id FROM tags")}
    entries = []
    for t in tags.list_tags(db):
        entry = {"name": t["name"], "color": t["color"], "description": t["description"] or "",
                 "shortcut": t["shortcut"], "parent": names.get(parents[t["id"]])}
        if not t["codable"]:
            entry["codable"] = False
        entries.append(entry)
    return entries


def apply_codebook(db: Database, entries: list[dict]) -> dict:
    """Merge ``entries`` into the codebook, in one transaction.

    A tag that is missing (by name, any case) is created, with the entry's
    key if that key is free (else the first free one) and its colour (if
    the entry has none, one unlike the codebook's:
    :func:`storage.tags.unused_colour`); an entry with ``"codable": False``
    creates a category (without a key unless the entry gives a free one).
    An existing tag takes the entry's
    colour (if it has one) and description (when the entry has one: a
    blank one — every tag without one in a JSON export, an empty CSV
    cell — gives none and leaves the tag's own); it
    keeps its key, and stays codable or a category as it is: a file never
    stops analysts tagging with a tag they already use (nor makes a
    category of this codebook a tag) — the codebook's "Use for tagging"
    does. A
    ``parent`` given in the entry is set (a parent that would make a cycle
    is refused). A created tag keeps the entry's ``guid`` (a REFI-QDA
    code's) as its stable id when no tag has it. Returns
    ``{"created": [names], "updated": [names]}``.
    """
    created, updated = [], []
    with journal.recorded(db, "Import codebook"):
        for entry in entries:
            tag = tags.find_tag(db, entry["name"])
            if tag is None:
                shortcut = entry.get("shortcut")
                if shortcut is not None and tags.tag_with_shortcut(db, shortcut):
                    shortcut = None
                color = entry.get("color") or tags.unused_colour(
                    t["color"] for t in tags.list_tags(db))
                tags.create_tag(db, entry["name"], color,
                                description=entry.get("description") or "",
                                shortcut=shortcut, codable=entry.get("codable", True),
                                stable_id=entry.get("guid"))
                created.append(tags.find_tag(db, entry["name"])["name"])
                continue
            changed = False
            if entry.get("color") and entry["color"].lower() != tag["color"]:
                tags.recolour_tag(db, tag["id"], entry["color"])
                changed = True
            # a blank description is what files write for "none": it must
            # not erase the coding rule written here
            description = (entry.get("description") or "").strip()
            if description and description != (tag["description"] or ""):
                db.execute("UPDATE tags SET description = ? WHERE id = ?",
                           [description, tag["id"]])
                changed = True
            if changed:
                updated.append(tag["name"])
        for entry in entries:
            if "parent" not in entry:
                continue
            tag = tags.find_tag(db, entry["name"])
            parent = tags.find_tag(db, entry["parent"]) if entry["parent"] else None
            if entry["parent"] and parent is None:
                raise TagError(f"The parent “{entry['parent']}” of “{entry['name']}” "
                               "is not in the codebook.")
            parent_id = parent["id"] if parent else None
            if parent_id is not None and tag["id"] in tags.ancestor_ids(db, parent_id):
                raise TagError(f"“{entry['parent']}” cannot be the parent of "
                               f"“{entry['name']}”: that would make a loop.")
            if parent_id != tag["parent_id"]:
                db.execute("UPDATE tags SET parent_id = ? WHERE id = ?", [parent_id, tag["id"]])
                if tag["name"] not in created and tag["name"] not in updated:
                    updated.append(tag["name"])
    return {"created": created, "updated": updated}
