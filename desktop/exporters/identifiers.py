"""Stable identifiers for exported objects.

Each database gets a random project UUID once (kept in its ``meta``
table); an object's identifier is a UUID 5 of that and the object's kind
and key, so exporting the same database again gives the same ids, and two
databases never share one. Articles are keyed by their text hash, the rest
by their id (users by their name).
"""

from __future__ import annotations

import uuid

from sqlite_utils import Database

from storage.export_selection import project_guid


class StableIds:
    """``ids.of("passage", 12)`` → the same UUID string on every export."""

    def __init__(self, db: Database):
        self.project = uuid.UUID(project_guid(db))

    def of(self, kind: str, key) -> str:
        return str(uuid.uuid5(self.project, f"{kind}:{key}"))

    def article_iri(self, article: dict) -> str:
        """The article's URL when known, else a URN of its text hash."""
        return article.get("url") or f"urn:dossier:article:{article['text_hash']}"
