"""Reads for auto-tagging: articles in batches, a speaker's quotes, an
entity's mentions, and the spans an analyst already tagged with a tag.

Only each article's current analysis counts (see
:data:`storage.analyses.CURRENT_ANALYSES`); an entity is found with the
aliases the analyst merged it with. Context is cut in SQL
(``substr`` counts code points), so no article text is loaded for quotes
and entities.
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlite_utils import Database

from storage.entity_index import filter_keys
from storage.quotes import SPOKEN, quotes_query
from storage.schema import current_analysis_sql

#: Characters of context either side of a candidate, for previews.
CONTEXT = 40

_CONTEXT_COLUMNS = f"""
    substr(a.text, max(1, {{start}} + 1 - {CONTEXT}), min({{start}}, {CONTEXT})) AS before,
    substr(a.text, {{end}} + 1, {CONTEXT}) AS after
"""


def article_batches(db: Database, *, article_id: int | None = None,
                    batch_size: int = 200) -> Iterator[list[dict]]:
    """Yield lists of ``{id, title, text}`` in id order, ``batch_size`` at a
    time (keyset paging: the corpus is never loaded at once)."""
    if article_id is not None:
        rows = list(db.query("SELECT id, title, text FROM articles WHERE id = ?",
                             [article_id]))
        if rows:
            yield rows
        return
    last = 0
    while True:
        rows = list(db.query(
            "SELECT id, title, text FROM articles WHERE id > ? ORDER BY id LIMIT ?",
            [last, batch_size]))
        if not rows:
            return
        yield rows
        last = rows[-1]["id"]


def speaker_quotes(db: Database, speaker: str, *,
                   article_id: int | None = None) -> list[dict]:
    """Spoken quotes of ``speaker`` (case-insensitive, as the analyst
    corrected and merged speakers; a name merged into another is that
    other's), as candidate rows ``article_id,
    article_title, start, end, text, before, after``."""
    from storage.speaker_corrections import resolve

    sql, params = quotes_query(speaker=resolve(db, speaker), article_id=article_id,
                               kinds=SPOKEN)
    return list(db.query(
        f"""SELECT q.article_id, q.article_title, q.start, q.end, q.text,
               {_CONTEXT_COLUMNS.format(start="q.start", end="q.end")}
        FROM ({sql}) q JOIN articles a ON a.id = q.article_id
        ORDER BY q.article_id, q.start, q.end""", params))


def entity_mentions(db: Database, name: str, *,
                    article_id: int | None = None) -> list[dict]:
    """Mentions of the entity ``name`` (case-insensitive) — and, if the
    analyst merged it with others, of every alias, as the article list's
    entity filter finds them — as candidate rows ``article_id,
    article_title, start, end, text, before, after``.

    The articles come from the entity index (``article_entities``), then
    each one's current analysis is read: no pass over the whole corpus."""
    keys = filter_keys(db, " ".join(name.split()))
    marks = ", ".join("?" for _ in keys)
    where, params = "", list(keys)
    if article_id is not None:
        where, params = " AND ae.article_id = ?", params + [article_id]
    return list(db.query(
        f"""
        SELECT DISTINCT a.id AS article_id, a.title AS article_title, e.start, e.end,
               substr(a.text, e.start + 1, e.end - e.start) AS text,
               {_CONTEXT_COLUMNS.format(start="e.start", end="e.end")}
        FROM (SELECT DISTINCT article_id FROM article_entities ae
              WHERE lower(ae.name) IN ({marks}){where}) listed
        JOIN articles a ON a.id = listed.article_id
        JOIN entities e ON e.analysis_id = {current_analysis_sql("a.id")}
        WHERE lower(e.text) IN ({marks})
        ORDER BY a.id, e.start, e.end
        """, params + list(keys)))


def tagged_spans(db: Database, tag_id: int, analyst: str, *,
                 article_id: int | None = None) -> set[tuple[int, int, int]]:
    """``(article_id, start, end)`` of every passage ``analyst`` tagged with
    this tag. A colleague's passages are not counted: each analyst codes
    the file on their own (agreement compares them; under blind coding
    they are not to be seen), as :func:`storage.passages.same_passage`
    counts a copy per analyst."""
    sql = "SELECT article_id, start, end FROM passages WHERE tag_id = ? AND analyst = ?"
    params = [tag_id, analyst]
    if article_id is not None:
        sql, params = sql + " AND article_id = ?", params + [article_id]
    return {tuple(row) for row in db.execute(sql, params)}


def article_text(db: Database, article_id: int) -> str:
    """One article's stored text ('' if there is no such article)."""
    row = db.execute("SELECT text FROM articles WHERE id = ?", [article_id]).fetchone()
    return row[0] if row else ""
