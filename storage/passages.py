"""Tagged passages: add, re-tag, annotate, delete, list and export rows.

A passage is a character range ``[start, end)`` in Python code points into
the stored article text. It also keeps its exact text and up to
:data:`CONTEXT_CHARS` characters either side, so that it can be re-anchored
if the article text ever changes.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

from sqlite_utils import Database

from storage import journal, row_ids, stable_ids
from storage.database import chunks, utc_now
from storage.export_selection import PassageFilter, selected_passages
from storage.new_ids import new_uuid

CONTEXT_CHARS = 40

#: Columns of :func:`export_rows`, in order.
EXPORT_COLUMNS = ("passage_id", "article_id", "article_title", "tag", "start",
                  "end", "text", "note", "analyst", "created_at", "anchor")


class PassageError(ValueError):
    """A passage change was refused; the message is meant for the user."""


#: the stable id is made here, not by the ``passages_uuid`` trigger (which
#: fills it only when missing): that trigger's UPDATE would rewrite the new
#: row and journal it a second time on every tag saved
_INSERT_COLUMNS = ("article_id", "tag_id", "start", "end", "text", "prefix", "suffix",
                   "note", "analyst", "created_at", "updated_at", "uuid")


def _store(db: Database, values: list, stable_id: str | None = None) -> int:
    """Insert one passage row (``values`` in :data:`_INSERT_COLUMNS` order,
    without the uuid); its id. ``stable_id``: see :func:`add_passage`."""
    has_uuid = getattr(db, "_passages_have_uuid", None)
    if has_uuid is None:
        has_uuid = any(row[1] == "uuid" for row in db.execute("PRAGMA table_info(passages)"))
        db._passages_have_uuid = has_uuid
    if has_uuid:
        made = stable_ids.kept(db, "passages", stable_id) if stable_id else new_uuid()
        return db.execute(row_ids.insert_sql(db, "passages", _INSERT_COLUMNS),
                          [*values, made]).lastrowid
    # a database still at a schema without stable ids (a migration's or a
    # test's older file): the trigger-less old way
    return db.execute(row_ids.insert_sql(db, "passages", _INSERT_COLUMNS[:-1]),
                      values).lastrowid


def _article_text(db: Database, article_id: int) -> str:
    row = db.execute("SELECT text FROM articles WHERE id = ?", [article_id]).fetchone()
    if row is None:
        raise PassageError(f"There is no article {article_id}.")
    return row[0]


def _insert(db: Database, text: str, *, article_id: int, tag_id: int, start: int, end: int,
            analyst: str, note: str = "", created_at: str | None = None,
            updated_at: str | None = None, stable_id: str | None = None) -> int:
    """Check one range against its article's ``text`` and store it; the new id."""
    if not (0 <= start < end <= len(text)):
        raise PassageError(f"Range {start}–{end} is outside the article (0–{len(text)}).")
    if not text[start:end].strip():
        raise PassageError("Only blank space is selected.")
    now = utc_now()
    try:
        return _store(db, [
            article_id, tag_id, start, end, text[start:end],
            text[max(0, start - CONTEXT_CHARS):start], text[end:end + CONTEXT_CHARS],
            note, analyst, created_at or now, updated_at or now], stable_id)
    except sqlite3.IntegrityError as error:
        # (the article was read just before: the tag is what is gone)
        if "FOREIGN KEY" in str(error) and db.execute(
                "SELECT 1 FROM tags WHERE id = ?", [tag_id]).fetchone() is None:
            raise PassageError(
                "This tag no longer exists: it was deleted or merged into another (in "
                "another window, or by a colleague). Nothing was saved; pick another "
                "tag.") from error
        raise


def same_passage(db: Database, *, article_id: int, tag_id: int, start: int, end: int,
                 analyst: str) -> int | None:
    """The id of ``analyst``'s passage of this article with this tag and
    exactly this range, if there is one (the same selection tagged again
    would store its copy: counted twice, exported twice)."""
    row = db.execute(
        'SELECT id FROM passages WHERE article_id = ? AND start = ? AND "end" = ? '
        "AND tag_id = ? AND analyst = ? LIMIT 1",
        [article_id, start, end, tag_id, analyst]).fetchone()
    return row[0] if row else None


def add_passage(db: Database, *, article_id: int, tag_id: int, start: int,
                end: int, analyst: str, note: str = "",
                created_at: str | None = None, updated_at: str | None = None,
                stable_id: str | None = None, expected: str | None = None,
                decided_by: str | None = None) -> int:
    """Tag ``text[start:end]`` of an article; returns the new passage id.

    The range is checked against the stored text, and the exact text with
    its context is stored with it, in one transaction. ``created_at`` and
    ``updated_at`` keep the times a passage imported from elsewhere was
    made and last changed there (default: now);
    ``stable_id`` its id there (a REFI-QDA selection's GUID), kept as its
    ``uuid`` if no passage has it (:func:`storage.stable_ids.kept`).
    ``expected``: the words the analyst selected; refused when the stored
    text has others there (it was edited elsewhere since it was shown).
    ``decided_by``: who decided an imported consensus passage
    (:mod:`storage.consensus`).
    """
    with journal.recorded(db, "Tag passage", analyst=analyst):
        text = _article_text(db, article_id)
        if expected is not None and text[start:end] != expected:
            raise PassageError(
                "The article's text was changed meanwhile (in another window, or by a "
                "colleague): nothing was tagged. Select the words again in the text as "
                "it is now.")
        passage_id = _insert(db, text, article_id=article_id,
                             tag_id=tag_id, start=start, end=end, analyst=analyst, note=note,
                             created_at=created_at, updated_at=updated_at, stable_id=stable_id)
        _set_deciders(db, passage_id, decided_by)
        return passage_id


def _set_deciders(db: Database, passage_id: int, decided_by: str | None) -> None:
    """Name who decided a just-stored consensus passage (nothing if None)."""
    if decided_by:
        db.execute("UPDATE passages SET decided_by = ? WHERE id = ?", [decided_by, passage_id])


def add_passages(db: Database, ranges: list[dict], *, analyst: str,
                 on_progress: Callable[[int, int], None] | None = None,
                 every: int = 500) -> list[int]:
    """Tag many ranges (``article_id, tag_id, start, end``) in one
    transaction, with :func:`add_passage`'s checks; returns the new ids in
    the order of ``ranges``. Consecutive ranges of one article read its
    text once. ``on_progress(done, total)`` is called every ``every``
    passages and at the end; an exception it raises (a cancel) or a refused
    range rolls back every passage of the call."""
    ids: list[int] = []
    article_id, text = None, ""
    with journal.recorded(db, "Tag passages", analyst=analyst):
        for done, r in enumerate(ranges, 1):
            if r["article_id"] != article_id:
                article_id, text = r["article_id"], _article_text(db, r["article_id"])
            ids.append(_insert(db, text, article_id=article_id, tag_id=r["tag_id"],
                               start=r["start"], end=r["end"], analyst=analyst))
            if on_progress and (done % every == 0 or done == len(ranges)):
                on_progress(done, len(ranges))
    return ids


def _update(db: Database, passage_id: int, column: str, value) -> None:
    with journal.recorded(db, "Edit passage"):
        changed = db.execute(
            f"UPDATE passages SET {column} = ?, updated_at = ? WHERE id = ?",
            [value, utc_now(), passage_id],
        ).rowcount
        if not changed:
            raise PassageError(f"There is no passage {passage_id}.")


def set_note(db: Database, passage_id: int, note: str) -> None:
    """Replace a passage's note."""
    _update(db, passage_id, "note", note)


def _refuse_copy(db: Database, passage_id: int, *, tag_id: int | None = None,
                 start: int | None = None, end: int | None = None) -> None:
    """:class:`PassageError` if the passage, given this tag or range, would
    be a copy of another of its analyst's (counted and exported twice)."""
    row = db.execute('SELECT article_id, tag_id, start, "end", analyst FROM passages '
                     "WHERE id = ?", [passage_id]).fetchone()
    if row is None:
        return
    article_id, old_tag, old_start, old_end, analyst = row
    twin = same_passage(db, article_id=article_id, tag_id=old_tag if tag_id is None else tag_id,
                        start=old_start if start is None else start,
                        end=old_end if end is None else end, analyst=analyst)
    if twin is not None and twin != passage_id:
        raise PassageError("The same words are tagged so already (passage "
                           f"{twin}); nothing was changed.")


def retag_passage(db: Database, passage_id: int, tag_id: int) -> None:
    """Move a passage to another tag (refused if that tag is a category, or
    if that makes it a copy of another passage of its analyst's)."""
    _refuse_category(db, tag_id)
    _refuse_copy(db, passage_id, tag_id=tag_id)
    _update(db, passage_id, "tag_id", tag_id)


def delete_passage(db: Database, passage_id: int) -> None:
    """Delete one passage."""
    with journal.recorded(db, "Delete passage"):
        db.execute("DELETE FROM passages WHERE id = ?", [passage_id])


def set_range(db: Database, passage_id: int, start: int, end: int) -> None:
    """Move a passage's boundaries to ``text[start:end]`` of its article (its
    text and context follow), in one transaction (a journal step)."""
    with journal.recorded(db, "Adjust passage boundaries"):
        row = db.execute("SELECT article_id FROM passages WHERE id = ?",
                         [passage_id]).fetchone()
        if row is None:
            raise PassageError(f"There is no passage {passage_id}.")
        text = _article_text(db, row[0])
        if not (0 <= start < end <= len(text)):
            raise PassageError(f"Range {start}–{end} is outside the article (0–{len(text)}).")
        if not text[start:end].strip():
            raise PassageError("Only blank space is selected.")
        _refuse_copy(db, passage_id, start=start, end=end)
        db.execute(
            "UPDATE passages SET start = ?, end = ?, text = ?, prefix = ?, suffix = ?, "
            "anchor = 'ok', updated_at = ? WHERE id = ?",
            [start, end, text[start:end], text[max(0, start - CONTEXT_CHARS):start],
             text[end:end + CONTEXT_CHARS], utc_now(), passage_id])


def delete_passages(db: Database, passage_ids) -> int:
    """Delete many passages in one transaction (a journal step); returns how
    many were deleted."""
    ids = [int(i) for i in passage_ids]
    with journal.recorded(db, "Delete passages"):
        return sum(db.execute(f"DELETE FROM passages WHERE id IN "
                              f"({', '.join('?' * len(chunk))})", chunk).rowcount
                   for chunk in chunks(ids))


def retag_passages(db: Database, passage_ids, tag_id: int) -> int:
    """Move many passages to one tag in one transaction (a journal step);
    returns how many moved. Refused, as :func:`retag_passage` is, if the tag
    is a category, or if one would become a copy of another passage of its
    analyst's — already under that tag, or moved there with it."""
    ids = [int(i) for i in passage_ids]
    with journal.recorded(db, "Re-tag passages"):
        _refuse_category(db, tag_id)
        _refuse_copies(db, ids, tag_id)
        now = utc_now()
        return sum(db.execute(f"UPDATE passages SET tag_id = ?, updated_at = ? WHERE id IN "
                              f"({', '.join('?' * len(chunk))})", [tag_id, now, *chunk]
                              ).rowcount for chunk in chunks(ids))


def _refuse_category(db: Database, tag_id: int) -> None:
    """:class:`PassageError` if there is no tag ``tag_id``, or if it is a
    category (``codable`` 0: it groups tags and is not used for tagging —
    the window refuses tagging with one, and re-tagging is tagging)."""
    row = db.execute("SELECT name, codable FROM tags WHERE id = ?", [tag_id]).fetchone()
    if row is None:
        raise PassageError(f"There is no tag {tag_id}.")
    if not row[1]:
        raise PassageError(f"“{row[0]}” is a category: it groups tags and is not used for "
                           "tagging. Nothing was re-tagged.")


def _refuse_copies(db: Database, ids: list[int], tag_id: int) -> None:
    """:class:`PassageError` if moving passages ``ids`` to ``tag_id`` makes
    two passages of one analyst on the same words and tag."""
    moved: dict[tuple, int] = {}
    for chunk in chunks(ids):
        for passage_id, *words in db.execute(
                f'SELECT id, article_id, start, "end", analyst FROM passages WHERE id IN '
                f"({', '.join('?' * len(chunk))})", chunk):
            twin = moved.setdefault(tuple(words), passage_id)
            if twin != passage_id:
                raise PassageError(f"Passages {twin} and {passage_id} are the same words of "
                                   "one analyst: under one tag they would be counted and "
                                   "exported twice; nothing was changed.")
    chosen = set(ids)
    for passage_id, *words in db.execute(
            'SELECT id, article_id, start, "end", analyst FROM passages WHERE tag_id = ?',
            [tag_id]):
        if passage_id not in chosen and tuple(words) in moved:
            raise PassageError("The same words are tagged so already (passage "
                               f"{passage_id}); nothing was changed.")


def get_passage(db: Database, passage_id: int) -> dict | None:
    """One passage with its tag's name and colour, or None."""
    rows = list(db.query(
        _PASSAGE_SELECT + " WHERE p.id = ?", [passage_id]))
    return rows[0] if rows else None


_PASSAGE_SELECT = """
    SELECT p.id, p.article_id, p.tag_id, t.name AS tag, t.color, p.start,
           p.end, p.text, p.note, p.analyst, p.created_at, p.updated_at, p.anchor,
           p.decided_by
    FROM passages p JOIN tags t ON t.id = p.tag_id
"""


def passages_for_article(db: Database, article_id: int, *,
                         analysts: tuple[str, ...] = ()) -> list[dict]:
    """An article's passages in text order, with tag name and colour.
    ``analysts``: only theirs (blind coding); empty: everybody's."""
    whose = ""
    if analysts:
        whose = f" AND p.analyst IN ({', '.join('?' * len(analysts))})"
    return list(db.query(
        _PASSAGE_SELECT + f" WHERE p.article_id = ?{whose} ORDER BY p.start, p.end, p.id",
        [article_id, *analysts]))


def add_orphaned_passage(db: Database, *, article_id: int, tag_id: int, text: str,
                         prefix: str, suffix: str, analyst: str, note: str = "",
                         created_at: str | None = None, updated_at: str | None = None,
                         stable_id: str | None = None,
                         decided_by: str | None = None) -> int | None:
    """Store a passage whose words are no longer in its article's text (as
    a REFI-QDA project Dossier wrote carries it): ``anchor = 'orphaned'``,
    its exact text and context as they were, its range 0–0 (there is no
    place for it in the text). None, and nothing stored, if the article
    already has an orphaned passage of this analyst with this tag and text.
    ``created_at``, ``updated_at``, ``stable_id`` and ``decided_by``: as in
    :func:`add_passage`."""
    with journal.recorded(db, "Import orphaned passage", analyst=analyst):
        _article_text(db, article_id)
        if db.execute("SELECT 1 FROM passages WHERE article_id = ? AND tag_id = ? AND "
                      "text = ? AND anchor = 'orphaned' AND analyst = ?",
                      [article_id, tag_id, text, analyst]).fetchone():
            return None
        now = utc_now()
        passage_id = _store(db, [article_id, tag_id, 0, 0, text, prefix, suffix, note,
                                 analyst, created_at or now, updated_at or now], stable_id)
        db.execute("UPDATE passages SET anchor = 'orphaned' WHERE id = ?", [passage_id])
        _set_deciders(db, passage_id, decided_by)
        return passage_id


def find_passage(db: Database, *, article_id: int, tag_id: int, start: int,
                 end: int) -> int | None:
    """The id of the passage with exactly this article, tag and range, if any."""
    row = db.execute(
        "SELECT id FROM passages WHERE article_id = ? AND tag_id = ? AND start = ? "
        "AND end = ? ORDER BY id LIMIT 1", [article_id, tag_id, start, end]).fetchone()
    return row[0] if row else None


def export_rows(db: Database, *, tag: str | None = None):
    """Yield one dict per passage (columns :data:`EXPORT_COLUMNS`).

    Ordered by article then position; ``tag`` keeps only that tag's
    passages (case-insensitive name). Richer filters:
    :func:`storage.export_selection.selected_passages`.
    """
    chosen = PassageFilter(tags=(tag,) if tag is not None else ())
    for row in selected_passages(db, chosen):
        yield {column: row[column] for column in EXPORT_COLUMNS}


def passage_count(db: Database) -> int:
    """How many passages are stored."""
    return db.execute("SELECT count(*) FROM passages").fetchone()[0]
