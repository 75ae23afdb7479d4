"""Stable identifiers for exported objects.

Articles, tags and passages have a ``uuid`` of their own, the same in every
copy of a row (a merged file, a team hub member's file): an export uses it,
so the same passage exported by two analysts has the same annotation id and
REFI-QDA GUID, and ids derived from it (a passage's coding, its note) are a
UUID 5 of it. Users are a UUID 5 of their name in one Dossier namespace. A
row without a uuid (none in a current database) and other objects (an
export's collection) fall back to a UUID 5 of this database's project UUID
(kept in ``meta``; a read-only file's is derived, not stored:
:func:`storage.export_selection.project_guid`) and their kind and key: the
same on every export of this database. Articles are then keyed by their text hash, the rest by their id.
"""

from __future__ import annotations

import uuid

from sqlite_utils import Database

from storage.export_selection import project_guid
from storage.tags import tag_uuids


#: The namespace of ids that are the same in every database (users).
DOSSIER_NAMESPACE = uuid.UUID("3f0c5c1e-7d4a-5b9e-9a61-4d2f6b8e0a17")


class StableIds:
    """``ids.of("collection", key)`` → the same UUID string on every export;
    ``ids.passage(row)``, ``ids.tag(tag_id)``, ``ids.article(article)`` →
    the row's own uuid."""

    def __init__(self, db: Database):
        self.db = db
        self.project = uuid.UUID(project_guid(db))
        self._tags: dict[int, str] | None = None

    def of(self, kind: str, key) -> str:
        return str(uuid.uuid5(self.project, f"{kind}:{key}"))

    @staticmethod
    def derived(base: str, kind: str) -> str:
        """An id made from another (a passage's coding, its note)."""
        return str(uuid.uuid5(uuid.UUID(base), kind))

    def passage(self, row: dict) -> str:
        """A passage row's id (``passage_uuid``, else from ``passage_id``)."""
        return row.get("passage_uuid") or self.of("passage", row["passage_id"])

    def tag(self, tag_id: int) -> str:
        if self._tags is None:
            self._tags = tag_uuids(self.db)
        return self._tags.get(tag_id) or self.of("tag", tag_id)

    def article(self, article: dict) -> str:
        return article.get("uuid") or self.of("article", article["text_hash"])

    @staticmethod
    def user(name: str) -> str:
        """An analyst's id: from the name alone, the same in every database."""
        return str(uuid.uuid5(DOSSIER_NAMESPACE, f"user:{name}"))

    def article_iri(self, article: dict) -> str:
        """The article's URL when known, else a URN of its text hash."""
        return article.get("url") or f"urn:dossier:article:{article['text_hash']}"
