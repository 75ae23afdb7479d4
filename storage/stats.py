"""Counts of what a database holds, for ``dossier stats``."""

from __future__ import annotations

from sqlite_utils import Database

from storage import quotes
from storage.analyses import CURRENT_ANALYSES


def counts(db: Database) -> dict:
    """Articles, analysed articles, tags, passages, entities and quotes
    (the quotes ``dossier quotes`` and the Quotes tab list: as the analyst
    corrected them, :func:`storage.quotes.quote_count`)."""
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
        # the analysis's raw quotes would count those marked "not a quote"
        # and miss those marked by hand
        "quotes": quotes.quote_count(db),
    }
