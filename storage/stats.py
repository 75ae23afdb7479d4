"""Counts of what a database holds, for ``dossier stats``."""

from __future__ import annotations

from sqlite_utils import Database

from storage.analyses import CURRENT_ANALYSES


def counts(db: Database) -> dict:
    """Articles, analysed articles, tags, passages, entities and quotes."""
    def one(sql: str) -> int:
        return db.execute(sql).fetchone()[0]

    shown = "(SELECT analysis_id FROM current)"
    return {
        "articles": one("SELECT count(*) FROM articles"),
        "analysed_articles": one(CURRENT_ANALYSES +
                                 "SELECT count(analysis_id) FROM current"),
        "tags": one("SELECT count(*) FROM tags"),
        "passages": one("SELECT count(*) FROM passages"),
        "entities": one(CURRENT_ANALYSES +
                        f"SELECT count(*) FROM entities WHERE analysis_id IN {shown}"),
        "quotes": one(CURRENT_ANALYSES +
                      f"SELECT count(*) FROM quotes WHERE analysis_id IN {shown}"),
    }
