"""Merge a colleague's Dossier database into this one.

Articles are matched by the hash of their text, tags by stable id (a
``uuid`` column, when both databases have one) and then by name (ignoring
case) — but a tag of ours that one of theirs is by stable id is not also
another of theirs by name (renamed there, and a new tag given the old
name): that one comes in as a tag of its own, “Name (2)”, said as a
conflict — passages by (article, tag, range, analyst). What matches is not
copied again, so merging the same file twice adds nothing the second time.
Nothing is lost on either side: this database's tags, colours, notes,
memos and assignments are kept; the other's are added where they are
missing, and every difference that cannot be settled without a person is
reported as a conflict (a tag of the same name with another colour or
parent; an article with the same URL or file name whose text differs,
which comes in as an article of its own; a note or memo both sides wrote
differently; an assignment both sides have, with another status).

Stable ids (the journal's ``uuid`` columns) are used where both sides have
them: a tag or passage with the same uuid is the same one even if renamed
or moved (a difference is a conflict, ours kept), and an article with the
same uuid but other text is an article one side edited (a conflict; theirs
comes in as an article of its own). Rows that come in keep their uuid
unless ours already uses it, and a consensus passage who decided it
(``decided_by``).

The other file is opened read-only and never changed. The merge is one
journal step (one transaction, undoable): a failure leaves this database as
it was.
"""

from __future__ import annotations

import sqlite3
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from sqlite_utils import Database

from storage import journal, row_ids
from storage.articles import METADATA_FIELDS, add_article
from storage.changes import Changes
from storage.database import APPLICATION_ID, database_file, utc_now
from storage.new_ids import new_uuid
from storage.schema import SCHEMA_VERSION
from storage.tags import free_name, name_key


class MergeError(ValueError):
    """The other file cannot be merged; the message is meant for the user."""


@dataclass
class MergeReport:
    """What came in, what matched, what conflicted."""

    articles_added: int = 0
    articles_matched: int = 0
    tags_added: int = 0
    tags_matched: int = 0
    passages_added: int = 0
    passages_matched: int = 0
    notes_added: int = 0
    memos_added: int = 0
    assignments_added: int = 0
    conflicts: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    #: what was worked around and kept (a .qdpx's damaged XML read by
    #: recovery, a selection placed by its position alone): said, not skipped
    notes: list[str] = field(default_factory=list)
    changes: Changes = field(default_factory=Changes)
    #: the journal step holding the merge (None until it committed)
    step_id: int | None = None


def _differences(mine: tuple, theirs: tuple, our_note: str | None,
                 their_note: str | None) -> str:
    """What differs between our passage ``mine`` and theirs, both keys
    ``(article, tag, start, end, analyst)``: "another tag, range 10–40 (ours
    12–40) and note 'theirs'" (it said "another tag, range or analyst",
    whatever differed, and never the note)."""
    found = []
    if mine[0] != theirs[0]:
        found.append("article")
    if mine[1] != theirs[1]:
        found.append("tag")
    if mine[2:4] != theirs[2:4]:
        found.append(f"range {theirs[2]}–{theirs[3]} (ours {mine[2]}–{mine[3]})")
    if mine[4] != theirs[4]:
        found.append(f"analyst {theirs[4]!r}")
    if (their_note or "") != (our_note or ""):
        found.append(f"note {their_note or ''!r}")
    return "another " + (", ".join(found[:-1]) + " and " + found[-1] if len(found) > 1
                         else found[0])


def _open_other(path: Path) -> sqlite3.Connection:
    if not path.is_file():
        raise MergeError(f"no database at {path}")
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        application_id = conn.execute("PRAGMA application_id").fetchone()[0]
        version = conn.execute("PRAGMA user_version").fetchone()[0]
    except sqlite3.DatabaseError as error:
        raise MergeError(f"{path} is not a Dossier database ({error})") from error
    if application_id != APPLICATION_ID:
        conn.close()
        raise MergeError(f"{path} is not a Dossier database")
    if version > SCHEMA_VERSION:
        conn.close()
        raise MergeError(f"{path} was written by a newer Dossier (schema {version}); "
                         "update Dossier first")
    conn.row_factory = sqlite3.Row
    return conn


def _columns(conn, table: str) -> set[str]:
    return {row[1] for row in conn.execute(f"PRAGMA table_info({table})")}


def _same_file(db: Database, path: Path) -> bool:
    own = database_file(db)
    return bool(own) and Path(own).resolve() == path.resolve()


def merge_database(db: Database, path: str | Path, *, analyst: str = "",
                   name: str | None = None, origin: str = "") -> MergeReport:
    """Merge the Dossier database at ``path`` into ``db``: one journal step
    named "Merge <file name>" (or "Merge ``name``"), made by ``analyst``
    (``origin``: the window's, whose undo history it joins)."""
    path = Path(path)
    if _same_file(db, path):
        raise MergeError("that is this database; choose a colleague's copy")
    other = _open_other(path)
    try:
        with journal.step(db, f"Merge {name or path.name}", analyst=analyst,
                          origin=origin) as step:
            report = _merge(db, other)
    finally:
        other.close()
    report.changes = step.changes
    report.step_id = step.id if step.changes else None     # (none left: nothing changed)
    return report


def _uuids(conn, table: str) -> dict[str, int]:
    """``{uuid: id}`` of a table, or {} when it has no uuid column."""
    if "uuid" not in _columns(conn, table):
        return {}
    return {u: i for i, u in conn.execute(
        f"SELECT id, uuid FROM {table} WHERE uuid IS NOT NULL").fetchall()}


def _merge(db: Database, other: sqlite3.Connection) -> MergeReport:
    report = MergeReport()
    touched_articles, touched_tags, new_passages = set(), set(), []
    tag_map = _merge_tags(db, other, report, touched_tags)
    article_map = _merge_articles(db, other, report, touched_articles)
    _merge_assignments(db, other, article_map, report)

    theirs = _columns(other, "passages")
    anchor = "anchor" if "anchor" in theirs else "'ok'"
    their_uuid = "uuid" if "uuid" in theirs else "NULL AS uuid"
    # who decided a consensus passage (0018); a file older than that has none
    decided_by = "decided_by" if "decided_by" in theirs else "NULL AS decided_by"
    our_uuids = _uuids(db.conn, "passages")
    ours, by_id, our_notes = {}, {}, {}
    for row in db.execute("SELECT id, article_id, tag_id, start, end, analyst, note "
                          "FROM passages").fetchall():
        ours[row[1:6]] = (row[0], row[6])
        by_id[row[0]] = row[1:6]
        our_notes[row[0]] = row[6]
    for p in other.execute(f"SELECT article_id, tag_id, start, end, text, prefix, suffix, "
                           f"note, analyst, created_at, updated_at, {anchor} AS anchor, "
                           f"{their_uuid}, {decided_by} FROM passages ORDER BY id"):
        article_id, tag_id = article_map.get(p["article_id"]), tag_map.get(p["tag_id"])
        if article_id is None or tag_id is None:
            report.skipped.append(f"a passage of their article {p['article_id']} "
                                  "whose article or tag did not come in")
            continue
        key = (article_id, tag_id, p["start"], p["end"], p["analyst"])
        same = our_uuids.get(p["uuid"]) if p["uuid"] else None
        if same is not None and by_id.get(same) != key:
            report.passages_matched += 1
            report.conflicts.append(f"passage {same}: the same passage has "
                                    f"{_differences(by_id[same], key, our_notes[same], p['note'])} "
                                    "there; ours kept")
            continue
        if key in ours:
            report.passages_matched += 1
            passage_id, note = ours[key]
            if p["note"] and p["note"] != note:
                if not note:
                    db.execute("UPDATE passages SET note = ?, updated_at = ? WHERE id = ?",
                               [p["note"], utc_now(), passage_id])
                    report.notes_added += 1
                    new_passages.append(passage_id)
                else:
                    report.conflicts.append(
                        f"passage {passage_id} ({p['analyst']}): their note differs, "
                        f"ours kept — theirs: {p['note']!r}")
            continue
        # their uuid, unless a passage here has it; else a new (time-ordered) one
        made = p["uuid"] if p["uuid"] and p["uuid"] not in our_uuids else new_uuid()
        passage_id = db.execute(
            row_ids.insert_sql(db, "passages", (
                "article_id", "tag_id", "start", "end", "text", "prefix", "suffix", "note",
                "analyst", "created_at", "updated_at", "anchor", "uuid", "decided_by")),
            [article_id, tag_id, p["start"], p["end"], p["text"], p["prefix"], p["suffix"],
             p["note"], p["analyst"], p["created_at"], p["updated_at"], p["anchor"],
             made, p["decided_by"]]).lastrowid
        our_uuids[made] = passage_id
        ours[key] = (passage_id, p["note"])
        new_passages.append(passage_id)
        touched_articles.add(article_id)
        report.passages_added += 1
    return report


def _merge_tags(db, other, report: MergeReport, touched: set) -> dict[int, int]:
    """Their tag ids → ours, adding the tags we lack (parents afterwards)."""
    theirs_cols = _columns(other, "tags")
    by_uuid = "uuid" in theirs_cols and "uuid" in _columns(db.conn, "tags")
    select = ["id", "name", "color", "description", "created_at"]
    select += [c for c in ("parent_id", "uuid", "codable") if c in theirs_cols]
    their_tags = [dict(r) for r in other.execute(f"SELECT {', '.join(select)} FROM tags")]
    our_cols = "id, name, color, parent_id, codable" + (", uuid" if by_uuid else "")
    our_tags = [dict(zip(our_cols.split(", "), r))
                for r in db.execute(f"SELECT {our_cols} FROM tags").fetchall()]
    our_by_name = {name_key(t["name"]): t for t in our_tags}
    our_by_uuid = {t["uuid"]: t for t in our_tags if by_uuid and t.get("uuid")}
    our_names = {t["id"]: t["name"] for t in our_tags}
    their_names = {t["id"]: t["name"] for t in their_tags}
    mapping: dict[int, int] = {}
    # by stable id first, for all of them: a tag they renamed holds our tag
    # before a new tag of theirs under its old name can take it by name
    by_id = {tag["id"]: our_by_uuid[tag["uuid"]] for tag in their_tags
             if by_uuid and tag.get("uuid") in our_by_uuid}
    held = {by_id[tag["id"]]["id"]: tag for tag in their_tags if tag["id"] in by_id}
    for tag in their_tags:
        ours, apart = by_id.get(tag["id"]), None
        if ours is None:
            ours = our_by_name.get(name_key(tag["name"]))
            if ours is not None and ours["id"] in held:
                # one tag of ours for two of theirs: this one comes in apart
                ours, apart = None, ours
        if ours is not None:
            held.setdefault(ours["id"], tag)
            mapping[tag["id"]] = ours["id"]
            report.tags_matched += 1
            if name_key(ours["name"]) != name_key(tag["name"]):
                report.conflicts.append(f"tag “{ours['name']}” is called “{tag['name']}” "
                                        "there; ours kept")
            if (ours["color"] or "").lower() != (tag["color"] or "").lower():
                report.conflicts.append(f"tag “{ours['name']}”: their colour {tag['color']}, "
                                        f"ours {ours['color']} kept")
            if bool(tag.get("codable", 1)) != bool(ours.get("codable", 1)):
                report.conflicts.append(
                    f"tag “{ours['name']}”: a {'tag' if tag.get('codable', 1) else 'category'} "
                    f"there, ours a {'tag' if ours.get('codable', 1) else 'category'} kept")
            their_parent = their_names.get(tag.get("parent_id"))
            our_parent = our_names.get(ours["parent_id"])
            if (their_parent and name_key(their_parent)) != (our_parent and name_key(our_parent)):
                report.conflicts.append(
                    f"tag “{ours['name']}”: their parent “{their_parent or '(none)'}”, "
                    f"ours “{our_parent or '(none)'}” kept")
            continue
        name = free_name(unicodedata.normalize("NFC", tag["name"]), our_by_name)
        row = {"name": name, "color": tag["color"],
               "description": tag["description"] or "", "created_at": tag["created_at"],
               "shortcut": None, "codable": 1 if tag.get("codable", 1) else 0}
        if by_uuid and tag.get("uuid") and tag["uuid"] not in our_by_uuid:
            row["uuid"] = tag["uuid"]
        row["id"] = row_ids.next_id(db, "tags")
        new_id = db.table("tags").insert(row).last_pk
        mapping[tag["id"]] = new_id
        our_names[new_id] = name
        our_by_name[name_key(name)] = {"id": new_id, "name": name, "color": tag["color"],
                                        "parent_id": None, "codable": row["codable"]}
        touched.add(new_id)
        report.tags_added += 1
        if apart is not None:
            report.conflicts.append(_two_tags_line(apart, held[apart["id"]], name))
    for tag in their_tags:       # parents of the tags that came in
        if mapping.get(tag["id"]) in touched and tag.get("parent_id") in mapping:
            db.execute("UPDATE tags SET parent_id = ? WHERE id = ?",
                       [mapping[tag["parent_id"]], mapping[tag["id"]]])
    return mapping


def _merge_assignments(db, other, article_map: dict[int, int], report: MergeReport) -> None:
    """Their assignments (which analyst codes which article, with that
    analyst's status) of the articles that came in or matched: those we
    lack are added with their status; where both have one, ours is kept and
    a different status is a conflict. A file older than assignments (0016)
    has none."""
    if other.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' "
                     "AND name = 'assignments'").fetchone() is None:
        return
    ours = {(a, n): s for a, n, s in db.execute(
        "SELECT article_id, analyst, status FROM assignments").fetchall()}
    added = []
    for row in other.execute("SELECT article_id, analyst, status, assigned_at "
                             "FROM assignments ORDER BY article_id, analyst"):
        article_id = article_map.get(row["article_id"])
        if article_id is None:      # their article did not come in (skipped, said)
            continue
        key = (article_id, row["analyst"])
        if key not in ours:
            ours[key] = row["status"]
            added.append((article_id, row["analyst"], row["status"], row["assigned_at"]))
        elif ours[key] != row["status"]:
            report.conflicts.append(
                f"article {article_id}: {row['analyst']} marked it “{row['status']}” there, "
                f"“{ours[key]}” here; ours kept")
    db.conn.executemany(row_ids.insert_sql(db, "assignments", (
        "article_id", "analyst", "status", "assigned_at"), verb="INSERT OR IGNORE"), added)
    report.assignments_added = len(added)


def _two_tags_line(ours: dict, holder: dict, added: str) -> str:
    """The conflict of a tag of theirs named as ``ours`` while another of
    theirs, ``holder``, is that tag by stable id (renamed there, and a new
    tag given the old name): it came in as ``added``."""
    return (f"tag “{ours['name']}”: two tags there — their “{holder['name']}” is ours, "
            f"their other “{ours['name']}” is a tag of its own, added as “{added}”")


def _merge_articles(db, other, report: MergeReport, touched: set) -> dict[int, int]:
    """Their article ids → ours, adding the articles we lack."""
    theirs_cols = _columns(other, "articles")
    extra = [c for c in ("memo", "review_status", "uuid") if c in theirs_cols]
    our_uuids = _uuids(db.conn, "articles")
    metadata = [c for c in METADATA_FIELDS if c in theirs_cols]
    our_by_url = {}
    for i, url, filename in db.execute(
            "SELECT id, url, filename FROM articles WHERE coalesce(url, '') != '' "
            "OR coalesce(filename, '') != ''").fetchall():
        for key in (("url", url), ("file", filename)):
            if key[1]:
                our_by_url.setdefault(key, i)
    mapping: dict[int, int] = {}
    for a in other.execute(f"SELECT id, title, text, text_hash, imported_at, "
                           f"{', '.join(metadata + extra) or 'NULL AS none'} FROM articles"):
        row = db.execute("SELECT id, memo FROM articles WHERE text_hash = ?",
                         [a["text_hash"]]).fetchone()
        if row is not None:
            mapping[a["id"]] = row[0]
            report.articles_matched += 1
            their_memo = a["memo"] if "memo" in extra else ""
            if their_memo and their_memo != row[1]:
                if not row[1]:
                    db.execute("UPDATE articles SET memo = ? WHERE id = ?", [their_memo, row[0]])
                    report.memos_added += 1
                    touched.add(row[0])
                else:
                    report.conflicts.append(f"article {row[0]}: their memo differs, ours kept")
            continue
        if not (a["text"] or "").strip():
            report.skipped.append(f"their article {a['id']} “{a['title']}”: no text")
            continue
        their_uuid = a["uuid"] if "uuid" in extra else None
        for key in (("uuid", their_uuid),
                    ("url", a["url"] if "url" in metadata else None),
                    ("file", a["filename"] if "filename" in metadata else None)):
            if key[0] == "uuid":
                if key[1] and key[1] in our_uuids:
                    report.conflicts.append(
                        f"article “{a['title']}”: our article {our_uuids[key[1]]} with "
                        "another text (edited on one side); added as an article of its own")
                    break
                continue
            if key[1] and key in our_by_url:
                report.conflicts.append(
                    f"article “{a['title']}”: same {'URL' if key[0] == 'url' else 'file name'} "
                    f"as our article {our_by_url[key]} but other text; added as an article "
                    "of its own")
                break
        article_id, _ = add_article(db, title=a["title"], text=a["text"],
                                    **{c: a[c] for c in metadata if a[c]})
        if "memo" in extra and a["memo"]:
            db.execute("UPDATE articles SET memo = ? WHERE id = ?", [a["memo"], article_id])
        if their_uuid and their_uuid not in our_uuids:
            db.execute("UPDATE articles SET uuid = ? WHERE id = ?", [their_uuid, article_id])
            our_uuids[their_uuid] = article_id
        if "review_status" in extra and a["review_status"]:
            db.execute("UPDATE articles SET review_status = ? WHERE id = ?",
                       [a["review_status"], article_id])
        mapping[a["id"]] = article_id
        touched.add(article_id)
        report.articles_added += 1
    return mapping
