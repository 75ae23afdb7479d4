"""The analyst's corrections of entities: merged aliases and corrected labels.

A canonical entity (``entity_canon``: name, label) groups surfaces as the
pipeline found them (``entity_aliases``: key + original label). Merging
``Sokha``, ``Sar Sokha`` and ``Deputy Prime Minister Sar Sokha`` makes one
canonical entity with three aliases; correcting ``Sar Sokha`` from ORG to
PERSON makes (or extends) a canonical ``Sar Sokha`` PERSON with the alias
(``sar sokha``, ORG). Nothing here touches the analyses: corrections are
applied when reading (:func:`corrected_entities`,
``storage.entity_index.corpus_entities``), so they survive re-analysis. A
merge or a correction naming an entity as an existing one (name and label)
joins it: the analyst tells entities apart by name and label alone.

An entity reference, as the corpus list gives it, is a dict with either
``canon_id`` or ``key`` + ``original_label`` (+ ``name``, ``label``).
"""

from __future__ import annotations

from sqlite_utils import Database

from storage import journal, row_ids
from storage.database import utc_now
from storage.entity_index import entity_key

#: Labels an analyst may choose when correcting one (spaCy's OntoNotes names).
NAMED_LABELS = ("PERSON", "ORG", "GPE", "LOC", "FAC", "NORP", "EVENT", "PRODUCT",
                "WORK_OF_ART", "LAW", "LANGUAGE")


class EntityError(ValueError):
    """A merge or correction that cannot be made; the message is for the user."""


def _add_aliases(db: Database, canon_id: int, surfaces) -> None:
    """Point (key, label, name) surfaces at ``canon_id`` (moving them if needed)."""
    for key, label, name in surfaces:
        db.execute(row_ids.insert_sql(db, "entity_aliases", ("key", "label", "name", "canon_id"))
                   + " ON CONFLICT (key, label) DO UPDATE "
                   "SET canon_id = excluded.canon_id", [key, label, name, canon_id])


def _new_canon(db: Database, name: str, label: str) -> int:
    return db.table("entity_canon").insert(
        {"id": row_ids.next_id(db, "entity_canon"), "name": name, "label": label,
         "created_at": utc_now()}).last_pk


def _surface(ref: dict) -> tuple[str, str, str]:
    return ref["key"], ref["original_label"], ref["name"]


def _namesakes(db: Database, name: str, label: str) -> list[int]:
    """The canonical entities called ``name`` (any case) of ``label``."""
    return [r[0] for r in db.execute(
        "SELECT id FROM entity_canon WHERE lower(name) = lower(?) AND label = ? ORDER BY id",
        [name, label])]


def _join_namesakes(db: Database, keep: int) -> None:
    """Fold into the canonical entity ``keep`` every other entity of its name
    and label: another canonical entity (two made apart, or pulled from a
    hub) and the surface as analysed (its key, of that label, not merged).

    The analyst sees an entity as its name and label — in the Entities
    list, the filter (“Sokha (ORG)”), the reader — so two of one name and
    label would be one entity to them, read as one by the filter and as
    two by the list and the dossier."""
    name, label = db.execute("SELECT name, label FROM entity_canon WHERE id = ?",
                             [keep]).fetchone()
    for other in _namesakes(db, name, label):
        if other != keep:
            db.execute("UPDATE entity_aliases SET canon_id = ? WHERE canon_id = ?",
                       [keep, other])
            db.execute("DELETE FROM entity_canon WHERE id = ?", [other])
    key = entity_key(name)
    analysed = db.execute(
        "SELECT name FROM entity_counts c WHERE c.key = ? AND c.label = ? AND NOT EXISTS "
        "(SELECT 1 FROM entity_aliases x WHERE x.key = c.key AND x.label = c.label)",
        [key, label]).fetchone()
    if analysed:
        _add_aliases(db, keep, [(key, label, analysed[0])])


def merge_entities(db: Database, refs: list[dict], name: str,
                   label: str | None = None) -> int:
    """Make one canonical entity called ``name`` of the entities ``refs``.

    A canonical entity among them is kept (the one already called ``name``,
    else the first), the others are folded into it; the label is ``label``,
    else that of the entity called ``name``, else the first's. An entity
    of that name and label not among ``refs`` joins it too, or is the one
    kept if none of them is merged (:func:`_join_namesakes`). Returns the
    canonical entity's id.
    """
    name = " ".join(name.split())
    if not name:
        raise EntityError("A merged entity needs a name.")
    if len(refs) < 2:
        raise EntityError("Select two or more entities to merge.")
    named = [r for r in refs if r["name"].lower() == name.lower()]
    label = label or (named or refs)[0]["label"]
    canons = [r["canon_id"] for r in refs if r.get("canon_id") is not None]
    named_canons = [r["canon_id"] for r in named if r.get("canon_id") is not None]
    with journal.recorded(db, "Merge entities"):
        keep = (named_canons or canons or _namesakes(db, name, label) or [None])[0]
        if keep is None:
            keep = _new_canon(db, name, label)
        else:
            db.execute("UPDATE entity_canon SET name = ?, label = ? WHERE id = ?",
                       [name, label, keep])
        for other in canons:
            if other != keep:
                db.execute("UPDATE entity_aliases SET canon_id = ? WHERE canon_id = ?",
                           [keep, other])
                db.execute("DELETE FROM entity_canon WHERE id = ?", [other])
        _add_aliases(db, keep, [_surface(r) for r in refs if r.get("canon_id") is None])
        _join_namesakes(db, keep)
    return keep


def unmerge(db: Database, canon_id: int) -> None:
    """Undo a canonical entity: its aliases are listed as analysed again."""
    with journal.recorded(db, "Unmerge entity"):
        db.execute("DELETE FROM entity_aliases WHERE canon_id = ?", [canon_id])
        db.execute("DELETE FROM entity_canon WHERE id = ?", [canon_id])


def correct_label(db: Database, ref: dict, label: str) -> int | None:
    """Give an entity another label. A canonical entity is relabelled (and
    joins the canonical entity of its name and ``label`` if there is one:
    :func:`_join_namesakes`); an entity as analysed joins the canonical
    entity of its name and ``label`` (made if needed, with the same surface
    under ``label`` if the pipeline also found it so). Returns the
    canonical id (None if nothing changed)."""
    if label not in NAMED_LABELS:
        raise EntityError(f"“{label}” is not an entity label.")
    with journal.recorded(db, "Correct entity label"):
        if ref.get("canon_id") is not None:
            db.execute("UPDATE entity_canon SET label = ? WHERE id = ?",
                       [label, ref["canon_id"]])
            name = db.execute("SELECT name FROM entity_canon WHERE id = ?",
                              [ref["canon_id"]]).fetchone()[0]
            # the older of the two is kept: its id is the one others know
            keep = _namesakes(db, name, label)[0]
            _join_namesakes(db, keep)
            return keep
        key, original, name = _surface(ref)
        if original == label:
            return None
        row = db.execute("SELECT id FROM entity_canon WHERE lower(name) = ? AND label = ? "
                         "ORDER BY id LIMIT 1", [key, label]).fetchone()
        canon_id = row[0] if row else _new_canon(db, name, label)
        surfaces = [(key, original, name)]
        if row is None and db.execute(
                "SELECT 1 FROM entity_counts c WHERE c.key = ? AND c.label = ? AND NOT EXISTS "
                "(SELECT 1 FROM entity_aliases x WHERE x.key = c.key AND x.label = c.label)",
                [key, label]).fetchone():
            surfaces.append((key, label, name))
        _add_aliases(db, canon_id, surfaces)
        _join_namesakes(db, canon_id)
    return canon_id


def list_corrections(db: Database) -> list[dict]:
    """Every canonical entity with its aliases (``key``, ``label``, ``name``)."""
    found = list(db.query("SELECT id, name, label, created_at FROM entity_canon "
                          "ORDER BY name COLLATE NOCASE, id"))
    aliases: dict[int, list] = {}
    for row in db.query("SELECT canon_id, key, label, name FROM entity_aliases "
                        "ORDER BY key, label"):
        aliases.setdefault(row.pop("canon_id"), []).append(row)
    for canon in found:
        canon["aliases"] = aliases.get(canon["id"], [])
    return found


def corrections_map(db: Database) -> dict[tuple[str, str], dict]:
    """(key, original label) → ``{"canon_id", "name", "label"}``."""
    return {(r["key"], r["alias_label"]): {"canon_id": r["canon_id"], "name": r["name"],
                                           "label": r["label"]}
            for r in db.query("SELECT x.key, x.label AS alias_label, k.id AS canon_id, "
                              "k.name, k.label FROM entity_aliases x "
                              "JOIN entity_canon k ON k.id = x.canon_id")}


def corrected_entities(db: Database, entities: list[dict]) -> list[dict]:
    """An article's entities as the analyst corrected them: each gains ``name``
    (the canonical name, else its text) and ``original_label``; ``label`` is
    the corrected label. Offsets and text are unchanged."""
    fixes = corrections_map(db)
    result = []
    for entity in entities:
        fix = fixes.get((entity_key(entity["text"]), entity["label"]))
        result.append({**entity, "original_label": entity["label"],
                       "name": fix["name"] if fix else entity["text"],
                       "label": fix["label"] if fix else entity["label"]})
    return result
