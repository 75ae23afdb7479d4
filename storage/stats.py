"""Counts of what a database holds, for ``dossier stats``."""

from __future__ import annotations

from sqlite_utils import Database

# The analysis shown for each article: its newest of the current text.
_CURRENT_ANALYSES = """
    WITH current AS (
        SELECT max(n.id) AS id FROM analyses n
        JOIN articles a ON a.id = n.article_id AND a.text_hash = n.text_hash
        GROUP BY n.article_id)
"""


def counts(db: Database) -> dict:
    """Articles, analysed articles, tags, passages, entities and quotes."""
    def one(sql: str) -> int:
        return db.execute(sql).fetchone()[0]

    return {
        "articles": one("SELECT count(*) FROM articles"),
        "analysed_articles": one(_CURRENT_ANALYSES + "SELECT count(*) FROM current"),
        "tags": one("SELECT count(*) FROM tags"),
        "passages": one("SELECT count(*) FROM passages"),
        "entities": one(_CURRENT_ANALYSES +
                        "SELECT count(*) FROM entities WHERE analysis_id IN current"),
        "quotes": one(_CURRENT_ANALYSES +
                      "SELECT count(*) FROM quotes WHERE analysis_id IN current"),
    }
