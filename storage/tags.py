"""Tags (the codebook): create, rename, recolour, describe, merge, delete,
list with counts.

A tag is *codable* (``tags.codable`` 1: passages are tagged with it) or a
*category* (0: REFI-QDA's ``isCodable="false"``, QualCoder's categories),
which groups tags in the codebook and is not used for tagging; a category
gets no key 1–9 when it is created. :func:`set_codable` turns one into the
other."""

from __future__ import annotations

import re
import unicodedata

from sqlite_utils import Database

from storage import journal, row_ids, stable_ids
from storage.database import utc_now

_COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")


class TagError(ValueError):
    """A tag change was refused; the message is meant for the user."""


def _clean_name(name: str) -> str:
    """``name`` as stored: spaces collapsed, NFC (an "é" typed on a Mac, or
    read from its files, is two code points until composed)."""
    name = unicodedata.normalize("NFC", " ".join(name.split()))
    if not name:
        raise TagError("A tag needs a name.")
    return name


def name_key(name: str) -> str:
    """What two tag names must share to be the same tag: their cleaned NFC
    form, case-folded (beyond A–Z, which is all SQLite's NOCASE folds)."""
    return _clean_name(name).casefold()


def free_name(name: str, taken) -> str:
    """``name``, or if ``taken`` (the names in use, as :func:`name_key`
    gives them) holds it, the first free “name (2)”, “name (3)”… — how a
    second tag of a name comes in (a merge, a REFI-QDA import), since tag
    names are unique."""
    free, n = name, 1
    while name_key(free) in taken:
        n += 1
        free = f"{name} ({n})"
    return free


def find_tag_by_uuid(db: Database, stable_id: str | None) -> dict | None:
    """The tag whose stable id is ``stable_id`` (as stored: lower case,
    hyphenated), or None."""
    if not stable_id:
        return None
    rows = list(db.query("SELECT * FROM tags WHERE uuid = ?", [stable_id]))
    return rows[0] if rows else None


def _check_color(color: str) -> str:
    if not _COLOR.match(color):
        raise TagError(f"{color!r} is not a colour like #a1b2c3.")
    return color.lower()


#: Colours a new tag may get: saturated enough for a bar under the text, and
#: far apart (the default codebook's among them).
TAG_COLOURS = ("#e01b24", "#1c71d8", "#2ec27e", "#ff7800", "#9141ac", "#f5c211",
               "#0f9d9a", "#ed5aa6", "#c64600", "#5e5c64", "#986a44", "#00a6d6",
               "#7bb800", "#a51d2d", "#6c71c4", "#d33682", "#1a5fb4", "#26a269",
               "#b5835a")


def _distance(a: str, b: str) -> float:
    """How far apart two colours look ("redmean", a cheap perceptual distance)."""
    r1, g1, b1 = (int(a[i:i + 2], 16) for i in (1, 3, 5))
    r2, g2, b2 = (int(b[i:i + 2], 16) for i in (1, 3, 5))
    mean = (r1 + r2) / 2
    return ((2 + mean / 256) * (r1 - r2) ** 2 + 4 * (g1 - g2) ** 2
            + (2 + (255 - mean) / 256) * (b1 - b2) ** 2) ** 0.5


def unused_colour(used) -> str:
    """Of :data:`TAG_COLOURS`, the one that looks least like any colour in
    ``used`` (the codebook's), so a new tag is never mistaken for another."""
    used = [c.lower() for c in used if c and _COLOR.match(c)]
    if not used:
        return TAG_COLOURS[0]
    return max(TAG_COLOURS, key=lambda c: min(_distance(c, u) for u in used))


def list_tags(db: Database, *, analysts: tuple[str, ...] = ()) -> list[dict]:
    """Every tag with its passage count, parent and ``codable`` (1, or 0 for a
    category), in shortcut then name order.
    ``analysts``: ``passage_count`` counts only their passages (blind coding);
    empty: everybody's (the stored count)."""
    count, params = "t.passage_count", []
    if analysts:
        count = ("(SELECT count(*) FROM passages p WHERE p.tag_id = t.id AND p.analyst IN "
                 f"({', '.join('?' * len(analysts))})) AS passage_count")
        params = list(analysts)
    return list(db.query(
        f"""
        SELECT t.id, t.name, t.color, t.shortcut, t.description, {count},
               t.parent_id, t.codable
        FROM tags t
        ORDER BY t.shortcut IS NULL, t.shortcut, t.name COLLATE NOCASE
        """, params
    ))


def tag_uuids(db: Database) -> dict[int, str]:
    """Each tag's stable id (its ``uuid``, the same in every copy of the
    codebook: merged files, the team hub), by local id."""
    return {tag_id: key for tag_id, key in db.execute("SELECT id, uuid FROM tags")
            if key}


def get_tag(db: Database, tag_id: int) -> dict | None:
    """One tag, or None."""
    rows = list(db.query("SELECT * FROM tags WHERE id = ?", [tag_id]))
    return rows[0] if rows else None


def find_tag(db: Database, name: str) -> dict | None:
    """The tag called ``name`` (any case, any Unicode form), or None.
    Compared in Python: a codebook holds tens of tags, not thousands."""
    key = name_key(name)
    return next((row for row in db.query("SELECT * FROM tags ORDER BY id")
                 if name_key(row["name"]) == key), None)


def _free_shortcut(db: Database) -> int | None:
    used = {r[0] for r in db.execute(
        "SELECT shortcut FROM tags WHERE shortcut IS NOT NULL")}
    return next((n for n in range(1, 10) if n not in used), None)


def create_tag(db: Database, name: str, color: str, *, description: str = "",
               shortcut: int | None = None, codable: bool = True,
               stable_id: str | None = None) -> int:
    """Create a tag and return its id; it gets the first free key 1–9.
    ``codable=False``: a category (no key unless ``shortcut`` gives one).
    ``stable_id``: its id where it comes from (a REFI-QDA code's GUID),
    kept as its ``uuid`` if no tag has it (:func:`storage.stable_ids.kept`)."""
    name, color = _clean_name(name), _check_color(color)
    with journal.recorded(db, f"New tag “{name}”"):
        if find_tag(db, name):
            raise TagError(f"A tag called “{name}” already exists.")
        if shortcut is None and codable:
            shortcut = _free_shortcut(db)
        row = {"name": name, "color": color, "shortcut": shortcut,
               "description": description, "created_at": utc_now()}
        if not codable:
            row["codable"] = 0
        if stable_id:
            row["uuid"] = stable_ids.kept(db, "tags", stable_id)
        row["id"] = row_ids.next_id(db, "tags")
        return db.table("tags").insert(row).last_pk


def rename_tag(db: Database, tag_id: int, name: str) -> None:
    """Give a tag a new, unique name."""
    name = _clean_name(name)
    with journal.recorded(db, f"Rename tag “{name}”"):
        other = find_tag(db, name)
        if other and other["id"] != tag_id:
            raise TagError(f"A tag called “{name}” already exists.")
        db.execute("UPDATE tags SET name = ? WHERE id = ?", [name, tag_id])


def recolour_tag(db: Database, tag_id: int, color: str) -> None:
    """Give a tag a new colour (``#rrggbb``)."""
    color = _check_color(color)
    with journal.recorded(db, "Recolour tag"):
        db.execute("UPDATE tags SET color = ? WHERE id = ?", [color, tag_id])


def set_codable(db: Database, tag_id: int, codable: bool) -> None:
    """Make a tag one passages are tagged with (``codable``) or a category
    that only groups tags (not ``codable``). Its passages, if it has any,
    stay as they are either way."""
    name = "Use tag for tagging" if codable else "Make tag a category"
    with journal.recorded(db, name):
        if not db.execute("UPDATE tags SET codable = ? WHERE id = ?",
                          [1 if codable else 0, tag_id]).rowcount:
            raise TagError(f"There is no tag {tag_id}.")


def tag_with_shortcut(db: Database, shortcut: int) -> dict | None:
    """The tag on key ``shortcut`` (1–9), or None."""
    rows = list(db.query("SELECT * FROM tags WHERE shortcut = ? ORDER BY id LIMIT 1",
                         [shortcut]))
    return rows[0] if rows else None


def describe_tag(db: Database, tag_id: int, *, description: str,
                 shortcut: int | None) -> int | None:
    """Set a tag's description and key (1–9, or None for no key).

    If another tag has that key, the two swap keys (the other gets this
    tag's old key, possibly none); returns that other tag's id, or None.
    """
    if shortcut is not None and not 1 <= shortcut <= 9:
        raise TagError(f"{shortcut} is not a key from 1 to 9.")
    with journal.recorded(db, "Edit tag"):
        tag = get_tag(db, tag_id)
        if tag is None:
            raise TagError(f"There is no tag {tag_id}.")
        other = tag_with_shortcut(db, shortcut) if shortcut is not None else None
        other_id = other["id"] if other and other["id"] != tag_id else None
        if other_id is not None:
            db.execute("UPDATE tags SET shortcut = ? WHERE id = ?",
                       [tag["shortcut"], other_id])
        db.execute("UPDATE tags SET description = ?, shortcut = ? WHERE id = ?",
                   [description.strip(), shortcut, tag_id])
    return other_id


def ancestor_ids(db: Database, tag_id: int | None) -> set[int]:
    """``tag_id`` and every tag above it (its parent, the parent's parent …)."""
    seen: set[int] = set()
    while tag_id is not None and tag_id not in seen:
        seen.add(tag_id)
        row = db.execute("SELECT parent_id FROM tags WHERE id = ?", [tag_id]).fetchone()
        tag_id = row[0] if row else None
    return seen


def subtree_sql(chosen: str) -> str:
    """A SELECT of the ids ``chosen`` (a SELECT of tag ids) selects and of
    every tag below them; UNION (not UNION ALL) stops at a loop."""
    return (f"WITH RECURSIVE subtree(id) AS ({chosen} UNION SELECT t.id FROM tags t "
            f"JOIN subtree s ON t.parent_id = s.id) SELECT id FROM subtree")


def descendant_ids(db: Database, tag_ids) -> set[int]:
    """``tag_ids`` and the ids of every tag below them (children, their
    children …): what a tag filter that includes sub-tags admits."""
    ids = [int(i) for i in tag_ids]
    if not ids:
        return set()
    marks = ", ".join("?" for _ in ids)
    return {r[0] for r in db.execute(
        subtree_sql(f"SELECT id FROM tags WHERE id IN ({marks})"), ids)}


def set_parent(db: Database, tag_id: int, parent_id: int | None) -> None:
    """Place a tag under another (None: at the top); loops are refused."""
    with journal.recorded(db, "Move tag"):
        tag = get_tag(db, tag_id)
        if tag is None:
            raise TagError(f"There is no tag {tag_id}.")
        if parent_id is not None:
            parent = get_tag(db, parent_id)
            if parent is None:
                raise TagError(f"There is no tag {parent_id}.")
            if tag_id in ancestor_ids(db, parent_id):
                raise TagError(f"“{parent['name']}” cannot hold “{tag['name']}”: "
                               "that would make a loop.")
        db.execute("UPDATE tags SET parent_id = ? WHERE id = ?", [parent_id, tag_id])


def set_details(db: Database, tag_id: int, *, description: str, shortcut: int | None,
                parent_id: int | None) -> int | None:
    """A tag's description, key and parent in one transaction (both or
    neither: :func:`describe_tag`, then :func:`set_parent`). Returns the id
    of the tag that gave up the key, or None."""
    with db.atomic():
        other_id = describe_tag(db, tag_id, description=description, shortcut=shortcut)
        set_parent(db, tag_id, parent_id)
    return other_id


def delete_tag(db: Database, tag_id: int, *, move_passages_to: int | None = None) -> int:
    """Delete a tag and deal with its passages in the same transaction.

    With ``move_passages_to`` its passages are re-tagged to that tag (one
    the same analyst has there already at the same range is folded into it,
    as :func:`merge_tags` does); without, they are deleted. Returns how many
    passages were affected.
    """
    if move_passages_to == tag_id:
        raise TagError("Cannot move passages to the tag being deleted.")
    with journal.recorded(db, "Delete tag"):
        if move_passages_to is not None:
            if get_tag(db, move_passages_to) is None:
                raise TagError("The tag to move passages to does not exist.")
            affected = sum(_move_passages(db, tag_id, move_passages_to))
        else:
            affected = db.execute(
                "DELETE FROM passages WHERE tag_id = ?", [tag_id]).rowcount
        db.execute("UPDATE tags SET parent_id = NULL WHERE parent_id = ?", [tag_id])
        db.execute("DELETE FROM tags WHERE id = ?", [tag_id])
    return affected


def _move_passages(db: Database, source_id: int, target_id: int) -> tuple[int, int]:
    """Re-tag tag ``source_id``'s passages to ``target_id`` (inside the
    caller's step), folding each one that the same analyst has at exactly
    that range under the target already: it is deleted, its note (if any,
    and not there yet) appended to the target passage's note, so that no
    passage is counted or exported twice. Returns ``(folded, moved)``."""
    now = utc_now()
    twins = list(db.execute(
        """
        SELECT s.id, s.note, t.id, t.note FROM passages s
        JOIN passages t ON t.tag_id = ? AND t.article_id = s.article_id
             AND t.start = s.start AND t.end = s.end AND t.analyst IS s.analyst
        WHERE s.tag_id = ?
        GROUP BY s.id
        """, [target_id, source_id]))
    for source_passage, source_note, target_passage, target_note in twins:
        source_note, target_note = source_note or "", target_note or ""
        if source_note.strip() and source_note.strip() not in target_note:
            note = f"{target_note}\n{source_note}" if target_note.strip() else source_note
            db.execute("UPDATE passages SET note = ?, updated_at = ? WHERE id = ?",
                       [note, now, target_passage])
        db.execute("DELETE FROM passages WHERE id = ?", [source_passage])
    moved = db.execute("UPDATE passages SET tag_id = ?, updated_at = ? WHERE tag_id = ?",
                       [target_id, now, source_id]).rowcount
    return len(twins), moved


def _take_place_of(db: Database, target_id: int, source_id: int) -> None:
    """Before ``source_id`` is merged into ``target_id``: a target below the
    source moves up to the source's parent. Left where it was, it would keep
    the deleted source as its parent (an id a later tag may get) or, once the
    source's children move under it, become its own ancestor (a loop)."""
    if source_id in ancestor_ids(db, get_tag(db, target_id)["parent_id"]):
        db.execute("UPDATE tags SET parent_id = (SELECT parent_id FROM tags WHERE id = ?) "
                   "WHERE id = ?", [source_id, target_id])


def merge_tags(db: Database, source_id: int, target_id: int) -> dict:
    """Merge tag ``source_id`` into ``target_id`` in one transaction.

    The source's passages move to the target, except one at exactly the
    range of the same analyst's target passage in the same article: that one
    is dropped, its note (if any, and different) appended to the target
    passage's note. (Another analyst's passage at that range is that
    analyst's coding — and a ``consensus`` one adjudication's —: it moves,
    never folded into someone else's.) The
    source's child tags become the target's; a target below the source first
    takes the source's place (its parent); the source is deleted.
    Returns ``{"moved": n, "merged": n}``.
    """
    if source_id == target_id:
        raise TagError("A tag cannot be merged into itself.")
    with journal.recorded(db, "Merge tags"):
        if get_tag(db, source_id) is None or get_tag(db, target_id) is None:
            raise TagError("Both tags must exist to merge them.")
        merged, moved = _move_passages(db, source_id, target_id)
        _take_place_of(db, target_id, source_id)
        db.execute("UPDATE tags SET parent_id = ? WHERE parent_id = ? AND id != ?",
                   [target_id, source_id, target_id])
        db.execute("DELETE FROM tags WHERE id = ?", [source_id])
    return {"moved": moved, "merged": merged}


def ensure_tags(db: Database, tags: list[dict]) -> int:
    """Create each ``{"name", "color", "description"}`` tag that is missing
    (``"codable": False`` in one: a category; ``"uuid"``: its stable id).

    Returns how many were created. Used to install the default codebook.
    """
    created = 0
    with journal.recorded(db, "Create tags"):
        for tag in tags:
            if not find_tag(db, tag["name"]):
                create_tag(db, tag["name"], tag["color"],
                           description=tag.get("description", ""),
                           codable=tag.get("codable", True), stable_id=tag.get("uuid"))
                created += 1
    return created
