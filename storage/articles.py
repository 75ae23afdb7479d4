"""Articles: adding (deduplicated by content hash), reading and listing."""

from __future__ import annotations

import hashlib
from collections.abc import Container, Iterator
from datetime import date

from sqlite_utils import Database

from storage import journal
from storage import row_ids, similarity, speaker_corrections, stable_ids
from storage.anchoring import changed_stretch, follow, merge_edits
from storage.database import utc_now
from storage.new_ids import new_uuid
from storage.passages import CONTEXT_CHARS

#: Columns a caller may set besides title and text. ``filename`` is the bare
#: name of the file an article came from, ``file_path`` its path relative to
#: the folder imported (migration 0034).
METADATA_FIELDS = ("source", "author", "published", "url", "filename", "file_path")

#: Columns the analyst may edit after import (never the text).
EDITABLE_FIELDS = ("title", "source", "author", "published", "url")


class ArticleError(ValueError):
    """An article change was refused; the message is meant for the user."""


class TextChangedMeanwhile(ArticleError):
    """A corrected text was refused: the text it was typed on was changed
    elsewhere meanwhile, at the same place (:func:`merge_edits` could not
    keep both). Nothing was changed."""


def text_hash(text: str) -> str:
    """The SHA-256 hex digest of ``text`` encoded as UTF-8."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def stored_source(source: str | None) -> str | None:
    """``source`` as an article stores it: without the whitespace around it
    (``str.strip``), NULL for none or blank — as an import and an edit store
    it, and as the source filter compares it with what was typed."""
    return (source.strip() or None) if isinstance(source, str) else source


def trim_stored_sources(db: Database) -> int:
    """Store every article's source trimmed (:func:`stored_source`), and the
    sources the change journal's images of articles recorded too; returns
    the number of articles changed. Migration 0037's work, inside its
    transaction with the journal's step 0 open, so the rewrite is no step
    of an analyst's. ``article_periods`` and ``tag_totals`` follow by their
    triggers.

    The journal's images are trimmed as well: an undo or redo first checks
    that each row still holds what the step left there, and an import that
    left " VOD " would otherwise be refused for ever ("changed by someone
    else since"). Undoing an old step that had " VOD " before it now puts
    back "VOD". A file none of whose articles holds a spaced source is
    left as it is, journal included: it is looked at through an index,
    while the journal of a large import holds every article's whole text
    (read in full, 100,000 articles' images would make the first opening
    take minutes). An image there with a spaced source is of an article
    edited since, and only the undo of that edit puts it back."""
    # Python's strip, as imports and edits trim: SQLite's trim() takes
    # spaces only unless told every other kind of blank
    db.conn.create_function("dossier_stored_source", 1, stored_source, deterministic=True)
    changed = db.execute("UPDATE articles SET source = dossier_stored_source(source) "
                         "WHERE source IS NOT dossier_stored_source(source)").rowcount
    if not changed:
        return 0
    for image in ("before", "after"):
        source = f"json_extract({image}, '$.source')"
        db.execute(f"UPDATE journal_changes SET {image} = "
                   f"json_set({image}, '$.source', dossier_stored_source({source})) "
                   f"WHERE tbl = 'articles' AND {image} IS NOT NULL "
                   f"AND {source} IS NOT dossier_stored_source({source})")
    return changed


def find_by_hash(db: Database, digest: str) -> int | None:
    """The id of the article whose text has hash ``digest``, if any."""
    row = db.execute(
        "SELECT id FROM articles WHERE text_hash = ?", [digest]
    ).fetchone()
    return row[0] if row else None


def add_article(db: Database, *, title: str, text: str, stable_id: str | None = None,
                **metadata) -> tuple[int, bool]:
    """Store an article unless the same text is already stored.

    Returns ``(article_id, created)``; ``created`` is False when an article
    with identical text existed (its id is returned and nothing is written).
    ``stable_id``: the article's id where it comes from (a REFI-QDA
    source's GUID), kept as its ``uuid`` if no row has it
    (:func:`storage.stable_ids.kept`).
    """
    unknown = set(metadata) - set(METADATA_FIELDS)
    if unknown:
        raise TypeError(f"unknown article fields: {sorted(unknown)}")
    if not text.strip():
        raise ValueError("an article needs some text")
    with journal.recorded(db, "Import article"):
        return store_article(db, title=title, text=text, stable_id=stable_id, **metadata)


def store_article(db: Database, *, title: str, text: str, digest: str | None = None,
                  stable_id: str | None = None, **metadata) -> tuple[int, bool]:
    """:func:`add_article` inside the caller's open journal step, without
    checks of its own beyond the hash: the batch importer's path (hundreds
    of rows a step). ``text`` must not be blank; ``metadata`` keys are
    :data:`METADATA_FIELDS`; ``digest`` is :func:`text_hash` of ``text``
    when the caller made it already (the importer's second process does).
    The row's ``uuid`` is given here, sparing the trigger's second write of
    every new row. A text already stored is found by the insert itself
    (the hash's unique index), so a new article costs one statement."""
    digest = digest or text_hash(text)
    row = {"title": title, "text": text, "text_hash": digest, "imported_at": utc_now()}
    if journal.ready(db):     # (a database mid-migration has no uuid column yet)
        row["uuid"] = (stable_ids.kept(db, "articles", stable_id) if stable_id
                       else new_uuid())
    if isinstance(metadata.get("source"), str):
        # stored trimmed, as an edit stores it: the source filter trims what
        # is typed and compares it with the stored value, so " VOD" could
        # never be listed by source, nor "  " as "(none)"
        metadata["source"] = metadata["source"].strip()
    row.update({k: v for k, v in metadata.items() if v and k in METADATA_FIELDS})
    cursor = db.conn.execute(row_ids.insert_sql(db, "articles", row)
                             + " ON CONFLICT(text_hash) DO NOTHING", list(row.values()))
    if cursor.rowcount == 0:
        return find_by_hash(db, digest), False
    return cursor.lastrowid, True


def get_article(db: Database, article_id: int) -> dict | None:
    """One article with all its columns, or None."""
    rows = list(db.query("SELECT * FROM articles WHERE id = ?", [article_id]))
    return rows[0] if rows else None


def list_articles(db: Database) -> list[dict]:
    """Every article's id, title, metadata and passage count, oldest first.

    The text is not loaded. For the command line; the window reads pages
    (:mod:`storage.article_query`).
    """
    return list(db.query(
        """
        SELECT a.id, a.title, a.source, a.author, a.published, a.url,
               a.filename, a.imported_at, a.review_status, a.passage_count
        FROM articles a
        ORDER BY a.id
        """
    ))


def article_count(db: Database) -> int:
    """How many articles are stored."""
    return db.execute("SELECT count(*) FROM articles").fetchone()[0]


def has_articles(db: Database) -> bool:
    """Whether any article is stored (cheaper than counting them)."""
    return db.execute("SELECT 1 FROM articles LIMIT 1").fetchone() is not None


def first_article(db: Database) -> dict | None:
    """The first stored article (lowest id) with its ``id`` and ``text``, or None."""
    row = db.execute("SELECT id, text FROM articles ORDER BY id LIMIT 1").fetchone()
    return {"id": row[0], "text": row[1]} if row else None


def article_texts(db: Database) -> Iterator[tuple[int, str]]:
    """``(id, text)`` of every article, oldest first, read as they are used
    (for tools that look for words in every text, as the screenshot scripts
    do)."""
    yield from db.execute("SELECT id, text FROM articles ORDER BY id")


def find_earlier_version(db: Database, *, url: str | None, text: str) -> int | None:
    """An article that a re-imported text is a newer version of: the same URL
    but different text. None if the text is already stored or no such
    article exists. (A file without a URL is matched by its path, else its
    name: :func:`articles_at`, :func:`articles_named`, which the importer
    weighs.)"""
    if not url or find_by_hash(db, text_hash(text)) is not None:
        return None
    row = db.execute("SELECT id FROM articles WHERE url = ? ORDER BY id DESC LIMIT 1",
                     [url]).fetchone()
    return row[0] if row else None


def articles_named(db: Database, filename: str, *, limit: int = 2,
                   besides: Container[str] = frozenset()) -> list[tuple[int, str]]:
    """``(id, text)`` of at most ``limit`` articles imported from a file named
    ``filename``, whatever its folder, oldest first — but none from a file at
    one of the paths ``besides`` (the files of the import asking: such an
    article is its own file's, not another's of the same name)."""
    ids = []
    for article_id, path in db.execute(
            "SELECT id, file_path FROM articles WHERE filename = ? ORDER BY id", [filename]):
        if path is None or path not in besides:
            ids.append(article_id)
            if len(ids) == limit:
                break
    return [(i, db.execute("SELECT text FROM articles WHERE id = ?", [i]).fetchone()[0])
            for i in ids]


def articles_at(db: Database, filename: str, file_path: str, *, limit: int = 2
                ) -> list[tuple[int, str]]:
    """``(id, text)`` of at most ``limit`` articles imported from the file at
    ``file_path`` (relative to the folder imported; ``filename`` its last
    part, which the index is keyed by first), oldest first. Articles
    imported before paths were stored have none and are never found here."""
    return db.execute("SELECT id, text FROM articles WHERE filename = ? AND file_path = ? "
                      "ORDER BY id LIMIT ?", [filename, file_path, limit]).fetchall()


def replace_article_text(db: Database, article_id: int, text: str, *,
                         file_path: str | None = None, edited_from: str | None = None) -> dict:
    """Give an article new text and re-anchor its passages, in one transaction.
    ``file_path``: where the new text's file lies now, relative to the folder
    imported (a file of the article's name: ``--update``), stored with it.
    ``edited_from``: the text ``text`` was typed on; if the stored one is no
    longer it (corrected elsewhere meanwhile), both corrections are kept
    where they lie apart (``counts["merged"]`` is then True), else
    :class:`TextChangedMeanwhile` is raised and nothing changes.

    A passage the edit did not touch stays on its words
    (:func:`storage.anchoring.outside_edit`); others move to where their
    exact text (with the best-matching context) now is; one whose words
    were edited inside it follows the edit, its text
    updated (:func:`storage.anchoring.follow_edit`); those whose text is gone
    keep their old offsets and are flagged ``orphaned``. The article's
    near-duplicate fingerprint and links are dropped (see
    :func:`storage.similarity.forget`). The speaker corrections of quotes the
    edit did not touch, or edited inside as passages are followed, are copied
    to the new text (:func:`storage.speaker_corrections.carry_over`). Returns counts
    ``{"kept", "moved", "orphaned"}`` of passages, and
    ``{"corrections_kept", "corrections_dropped"}`` of speaker corrections
    when the old text had any.
    """
    if not text.strip():
        raise ValueError("an article needs some text")
    counts = {"kept": 0, "moved": 0, "orphaned": 0}
    with journal.recorded(db, "Edit article text"):
        row = db.execute("SELECT text, text_hash FROM articles WHERE id = ?",
                         [article_id]).fetchone()
        before, before_hash = row if row else (None, None)
        if edited_from is not None and before is not None and before != edited_from:
            merged = merge_edits(edited_from, text, before)
            if merged is None:
                raise TextChangedMeanwhile(
                    "The text was changed elsewhere while you edited it — another window, "
                    "a colleague or an import — at the place you corrected.")
            if merged != text:
                text, counts["merged"] = merged, True
        digest = text_hash(text)
        other = find_by_hash(db, digest)
        if other is not None and other != article_id:
            raise ValueError(f"article {other} already has exactly this text")
        stretch = changed_stretch(before, text) if before is not None else None
        db.execute("UPDATE articles SET text = ?, text_hash = ?, "
                   "file_path = coalesce(?, file_path) WHERE id = ?",
                   [text, digest, file_path, article_id])
        similarity.forget(db, article_id)
        if stretch is not None:
            # (after the new hash is stored: the triggers summarise its speakers)
            kept, dropped = speaker_corrections.carry_over(db, article_id, before_hash,
                                                           digest, stretch)
            if kept or dropped:
                counts.update(corrections_kept=kept, corrections_dropped=dropped)
        now = utc_now()
        rows = db.execute("SELECT id, start, end, text, prefix, suffix FROM passages "
                          "WHERE article_id = ?", [article_id]).fetchall()
        for passage_id, start, end, exact, prefix, suffix in rows:
            # (an orphan's offsets point into an older text: never followed)
            found = follow(stretch, text, start=start, end=end, exact=exact, prefix=prefix,
                           suffix=suffix,
                           here=stretch is not None and before[start:end] == exact)
            if found is None:
                db.execute("UPDATE passages SET anchor = 'orphaned', updated_at = ? "
                           "WHERE id = ?", [now, passage_id])
                counts["orphaned"] += 1
                continue
            new_start, new_end = found
            moved = (new_start, new_end) != (start, end)
            db.execute(
                "UPDATE passages SET start = ?, end = ?, text = ?, prefix = ?, suffix = ?, "
                "anchor = ?, updated_at = ? WHERE id = ?",
                [new_start, new_end, text[new_start:new_end],
                 text[max(0, new_start - CONTEXT_CHARS):new_start],
                 text[new_end:new_end + CONTEXT_CHARS], "moved" if moved else "ok", now,
                 passage_id])
            counts["moved" if moved else "kept"] += 1
    return counts


def update_details(db: Database, article_id: int, **details: str | None) -> dict:
    """Change an article's title, source, author, published date or URL.

    One transaction; the text (and so every offset into it) is never
    touched. ``published`` must be an ISO date (YYYY-MM-DD) or empty; empty
    values are stored as NULL; the title may not be empty. Returns the
    updated article.
    """
    unknown = set(details) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"not editable: {sorted(unknown)}")
    values = {k: (v or "").strip() or None for k, v in details.items()}
    if "title" in values and not values["title"]:
        raise ArticleError("An article needs a title.")
    if values.get("published"):
        try:
            values["published"] = date.fromisoformat(values["published"]).isoformat()
        except ValueError:
            raise ArticleError(f"“{values['published']}” is not a date like 2024-06-17."
                               ) from None
    with journal.recorded(db, "Edit article details"):
        if get_article(db, article_id) is None:
            raise ArticleError(f"There is no article {article_id}.")
        if values:
            db.table("articles").update(article_id, values)
    return get_article(db, article_id)


def delete_articles(db: Database, article_ids) -> dict:
    """Delete articles with their passages (and everything stored for them:
    analyses, memo, similarity links …) in one transaction, a journal step
    (undo puts the articles and passages back; analyses are made again).

    Unknown ids are refused before anything is deleted. Returns
    ``{"articles": n, "passages": m}``.
    """
    ids = sorted({int(i) for i in article_ids})
    if not ids:
        return {"articles": 0, "passages": 0}
    marks = ", ".join("?" for _ in ids)
    with journal.recorded(db, "Delete articles"):
        found = {r[0] for r in db.execute(
            f"SELECT id FROM articles WHERE id IN ({marks})", ids)}
        missing = [i for i in ids if i not in found]
        if missing:
            raise ArticleError("There is no article " + ", ".join(map(str, missing)) + ".")
        removed = db.execute(f"DELETE FROM passages WHERE article_id IN ({marks})",
                             ids).rowcount
        db.execute(f"DELETE FROM articles WHERE id IN ({marks})", ids)
    return {"articles": len(ids), "passages": removed}
