"""Names offered while the analyst types a filter or an auto-tag query:
entities (with the canonical names of merged ones), speakers and sources,
the most frequent first and at most :data:`LIMIT` of each.

Read from the corpus summaries (``entity_counts``, ``entity_canon``,
``article_speakers``) and the source index, never from the analyses
themselves; still a few hundred milliseconds on 100,000 articles, so the
window reads them in a worker.
"""

from __future__ import annotations

from sqlite_utils import Database

#: At most this many names of each kind.
LIMIT = 5000


def entity_names(db: Database, limit: int = LIMIT) -> list[str]:
    """Entity names by mentions, canonical names of merged entities first."""
    canon = [r[0] for r in db.execute("SELECT name FROM entity_canon ORDER BY name")]
    found = [r[0] for r in db.execute(
        "SELECT name FROM entity_counts ORDER BY mentions DESC LIMIT ?", [limit])]
    return _distinct(canon + found)[:limit]


def speaker_names(db: Database, limit: int = LIMIT) -> list[str]:
    """Speakers by the number of articles quoting them."""
    return [r[0] for r in db.execute(
        "SELECT min(speaker) FROM article_speakers GROUP BY lower(speaker) "
        "ORDER BY count(*) DESC, min(speaker) LIMIT ?", [limit])]


def source_names(db: Database, limit: int = LIMIT) -> list[str]:
    """Sources by the number of their articles (from the source index)."""
    return [r[0] for r in db.execute(
        "SELECT min(source) FROM articles INDEXED BY articles_by_source "
        "WHERE ifnull(source, '') != '' GROUP BY ifnull(source, '') COLLATE NOCASE "
        "ORDER BY count(*) DESC LIMIT ?", [limit])]


def all_names(db: Database) -> dict[str, list[str]]:
    """``{"entity": …, "speaker": …, "source": …}``."""
    return {"entity": entity_names(db), "speaker": speaker_names(db),
            "source": source_names(db)}


def _distinct(names: list[str]) -> list[str]:
    """Each name once, whatever its case, in the order first seen."""
    seen: set[str] = set()
    return [n for n in names if not (n.casefold() in seen or seen.add(n.casefold()))]
