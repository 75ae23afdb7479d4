"""What the corpus holds on one entity, for its dossier page.

An entity is looked up as the corpus list, a page's companions or the reader
give it: a canonical entity's id, a name and label, or a name (:func:`identity`);
its keys (:func:`storage.entity_index.filter_keys`) are its own and, if the
analyst merged it with others, every alias's. A merged (canonical) entity's
articles are those whose analysis has one of its aliases, key and label (as
the corpus Entities list counts them: a namesake of another label the
analyst did not merge is not it); an entity not merged is found by name,
whatever its label, and in the text where the pipeline missed it. From the
articles' current analyses and the summaries:

- :func:`identity`: the canonical entity (if merged) and every surface it
  goes by, with mention and article counts;
- :func:`mentions`: the articles mentioning it (newest first, at most
  ``limit``) with their text and the mentions' code-point offsets — the
  roles and titles around them are read from these by
  ``desktop.analysis.entity_profile`` (no spaCy at view time);
- :func:`quotes_by`: its quotes (it as the speaker), and :func:`quotes_in`
  every quote of some articles — both as the analyst corrected them;
- :func:`article_count` and :func:`months_mentioning` (over every article
  mentioning it), :func:`articles_per_month`, :func:`companions` (entities
  in the same articles, a merged one under its canonical name and id) and
  :func:`passages_on` (passages overlapping a mention or one of its quotes);
- :func:`alias_candidates`: entities of the same kind sharing a word with
  it, for ``desktop.analysis.entity_profile.alias_suggestions`` to judge.
"""

from __future__ import annotations

import re

from sqlite_utils import Database

from storage.article_query import analyst_clause, search_matches, search_words
from storage.entity_index import canon_keys, entity_key, entity_rows, filter_keys
from storage.schema import ARTICLES_FTS, current_analysis_sql
from storage.speaker_corrections import corrected_quotes_sql, current_select


def _marks(values) -> str:
    return ", ".join("?" for _ in values)


def keys_of(db: Database, name: str) -> list[str]:
    """The entity's keys: its own and its merged aliases'."""
    return filter_keys(db, name)


def identity(db: Database, name: str, label: str | None = None,
             canon_id: int | None = None) -> dict:
    """``{"name", "label", "canon_id", "keys", "surfaces": [{"name", "label",
    "mentions", "articles"}]}`` — the canonical name and label if merged,
    else the most mentioned surface's. A canonical entity's surfaces are
    its aliases (key and label), not a same-named entity of another label
    the analyst did not merge into it.

    The entity as a list showed it (the corpus Entities list, a page's
    companions): ``canon_id``, that canonical entity, not another of the
    same name; ``label`` without ``canon_id``, that surface as analysed,
    of that label only (``labels``) — or the canonical entity it has been
    merged into since. A name alone is the canonical entity called so (or
    with that alias), else that name whatever its label."""
    name = name.strip()
    if canon_id is not None and not _canon_exists(db, canon_id):
        # gone since the list showed it (joined into a namesake, unmerged,
        # undone): the entity of that name and label, as a row without one
        canon_id = None
    if canon_id is None and label:
        canon_id = _labelled_canon(db, name, label)
        if canon_id is None and _analysed(db, name, label):
            surfaces = list(db.query(
                "SELECT name, label, mentions, articles FROM entity_counts "
                "WHERE key = ? AND label = ?", [entity_key(name), label]))
            return {"name": surfaces[0]["name"], "label": label, "canon_id": None,
                    "keys": [entity_key(name)], "labels": (label,), "surfaces": surfaces}
    if canon_id is None:
        canon_id = _named_canon(db, name)
    if canon_id is not None:
        return _canonical(db, canon_id)
    keys = keys_of(db, name)
    surfaces = list(db.query(
        f"SELECT name, label, mentions, articles FROM entity_counts "
        f"WHERE key IN ({_marks(keys)}) ORDER BY mentions DESC, name", keys))
    first = surfaces[0] if surfaces else {"name": name, "label": ""}
    return {"name": first["name"] if first["name"].lower() == name.lower() else name,
            "label": first["label"], "canon_id": None, "keys": keys, "surfaces": surfaces}


def _analysed(db: Database, name: str, label: str) -> bool:
    """Whether the analyses have the surface ``name`` of ``label``."""
    return db.execute("SELECT 1 FROM entity_counts WHERE key = ? AND label = ?",
                      [entity_key(name), label]).fetchone() is not None


def _canon_exists(db: Database, canon_id: int) -> bool:
    """Whether the canonical entity is still there (a page may outlive an unmerge)."""
    return db.execute("SELECT 1 FROM entity_canon WHERE id = ?",
                      [canon_id]).fetchone() is not None


def _labelled_canon(db: Database, name: str, label: str) -> int | None:
    """The canonical entity the surface ``name`` of ``label`` is an alias of;
    else, when the analyses have no such surface, the (first) canonical
    entity of that name and label; else None."""
    row = db.execute("SELECT canon_id FROM entity_aliases WHERE key = ? AND label = ?",
                     [entity_key(name), label]).fetchone()
    if row is not None:
        return row[0]
    if _analysed(db, name, label):
        return None
    row = db.execute("SELECT id FROM entity_canon WHERE lower(name) = lower(?) AND label = ? "
                     "ORDER BY id LIMIT 1", [name, label]).fetchone()
    return row[0] if row else None


def _named_canon(db: Database, name: str) -> int | None:
    """The (first) canonical entity called ``name``, else the (first) one
    of which ``name`` is an alias; None if none."""
    row = db.execute(
        "SELECT id FROM (SELECT id, 0 AS rank FROM entity_canon WHERE lower(name) = lower(?) "
        "UNION SELECT canon_id, 1 FROM entity_aliases WHERE key = lower(?)) "
        "ORDER BY rank, id LIMIT 1", [name, name]).fetchone()
    return row[0] if row else None


def _canonical(db: Database, canon_id: int) -> dict:
    """:func:`identity` of the canonical entity ``canon_id``: its keys are
    its aliases' and its own name's (as a speaker or in the text), its
    surfaces its aliases (key and label) alone."""
    name, label = db.execute("SELECT name, label FROM entity_canon WHERE id = ?",
                             [canon_id]).fetchone()
    keys = sorted(set(canon_keys(db, canon_id)) | {entity_key(name)})
    surfaces = list(db.query(
        "SELECT c.name, c.label, c.mentions, c.articles FROM entity_counts c "
        "JOIN entity_aliases x ON x.key = c.key AND x.label = c.label "
        "WHERE x.canon_id = ? ORDER BY c.mentions DESC, c.name", [canon_id]))
    return {"name": name, "label": label, "canon_id": canon_id, "keys": keys,
            "surfaces": surfaces}


def _name_spans(db: Database, article_id: int, text: str,
                names) -> list[tuple[int, int, str]]:
    """Where the full-text index finds the names in the article's text, as
    it finds them for :func:`article_count` (case and accents folded, words
    joined by any punctuation or space: “Sar\nSokha”, “Sar-Sokha”); a name
    inside another's match is part of that one span."""
    phrases = _phrases(names)
    if not phrases:
        return []
    return [(start, end, text[start:end])
            for start, end in search_matches(db, article_id, " OR ".join(phrases))]


def mentions(db: Database, keys: list[str], names: list[str] = (),
             limit: int = 300, canon_id: int | None = None, labels=()) -> list[dict]:
    """Per article mentioning the entity (newest first): ``{"article_id",
    "title", "published", "source", "text", "spans": [(start, end, text)]}``.

    An article mentions it when its current analysis has an entity with one
    of ``keys``, or — where the pipeline missed or mislabelled the name — its
    text holds one of ``names`` as a phrase (the full-text index): the same
    articles :func:`article_count` counts. The spans are the analysis's
    entities and the names' phrases in the text. Of the canonical entity
    ``canon_id``, only its aliases (key and label) count, and ``names`` are
    not looked for (see :func:`_mentioning`); with ``labels``, only
    mentions of those labels, and ``names`` are not looked for either."""
    sql, params = _mentioning(keys, names, canon_id, labels)
    if not sql:
        return []
    ids = [r[0] for r in db.execute(
        f"SELECT * FROM ({sql}) ORDER BY 1 DESC LIMIT ?", params + [limit])]
    found = []
    for article_id in ids:
        row = db.execute("SELECT id, title, published, source, text FROM articles "
                         "WHERE id = ?", [article_id]).fetchone()
        spans = [tuple(r) for r in db.execute(
            f"""SELECT e.start, e."end", e.text FROM entities e
                WHERE e.analysis_id = {current_analysis_sql('?')}
                AND lower(e.text) IN ({_marks(keys)}){_own_label(canon_id)}
                {f"AND e.label IN ({_marks(labels)})" if labels else ""}
                ORDER BY e.start""",
            [article_id] + keys + ([canon_id] if canon_id is not None else [])
            + list(labels))]
        searched = names if not labels else ()
        for span in _name_spans(db, article_id, row[4], searched):
            if not any(s < span[1] and span[0] < e for s, e, _ in spans):
                spans.append(span)
        found.append({"article_id": row[0], "title": row[1], "published": row[2],
                      "source": row[3], "text": row[4], "spans": sorted(spans)})
    return found


def quotes_in(db: Database, ids: list[int]) -> list[dict]:
    """Every quote of these articles' current analyses, as the analyst
    corrected them (:func:`storage.speaker_corrections.corrected_quotes_sql`):
    ``{"article_id", "title", "start", "end", "text", "speaker", "kind"}``."""
    if not ids:
        return []
    current = current_select(f"a.id IN ({_marks(ids)})")
    return list(db.query(
        f"""SELECT cq.article_id, cq.article_title AS title, cq.start, cq."end", cq.text,
                   cq.speaker, cq.kind FROM ({corrected_quotes_sql(current)}) cq
            ORDER BY cq.article_id DESC, cq.start""", ids * 2))


def quotes_by(db: Database, keys: list[str], limit: int = 300) -> list[dict]:
    """The entity's quotes in the articles' current analyses, as the analyst
    corrected them (speakers set or merged, "not a quote" left out — as the
    Speakers tab and the speaker filter read them): ``{"article_id",
    "title", "published", "start", "end", "text", "kind"}``, newest first."""
    if not keys:
        return []
    # the articles quoting it, from the corrected summary behind the speaker
    # filter, so that only their analyses are read
    quoting = (f"a.id IN (SELECT s.article_id FROM article_speakers s "
               f"WHERE lower(s.speaker) IN ({_marks(keys)}))")
    quotes = corrected_quotes_sql(current_select(quoting))
    return list(db.query(
        f"""SELECT cq.article_id, cq.article_title AS title, a.published, cq.start,
                   cq."end", cq.text, cq.kind
            FROM ({quotes}) cq JOIN articles a ON a.id = cq.article_id
            WHERE lower(cq.speaker) IN ({_marks(keys)})
            ORDER BY cq.article_id DESC, cq.start LIMIT ?""", keys * 3 + [limit]))


def _phrases(names) -> list[str]:
    """Each name as an FTS5 phrase (its words), empty ones left out."""
    phrases = ['"' + " ".join(search_words(name)) + '"' for name in names]
    return [p for p in phrases if p != '""']


def _canons(canon_id: int | None) -> tuple[int, ...]:
    """``canon_id`` as :func:`storage.entity_index.entity_rows` takes it."""
    return () if canon_id is None else (canon_id,)


def _own_label(canon_id: int | None, alias: str = "e") -> str:
    """`` AND`` (one ``?``: ``canon_id``) an entity row of ``alias`` is one of the
    canonical entity's aliases, key and label; nothing for an entity not merged."""
    if canon_id is None:
        return ""
    return (f" AND EXISTS (SELECT 1 FROM entity_aliases x WHERE x.canon_id = ? "
            f"AND x.key = lower({alias}.text) AND x.label = {alias}.label)")


def _mentioning(keys: list[str], names, canon_id: int | None = None,
                labels=()) -> tuple[str, list]:
    """SQL (and its parameters) of the ids of every article that
    :func:`mentions` would list, not only the newest: an entity of one of
    ``keys`` in its analysis, or one of ``names`` in its text.

    Of the canonical entity ``canon_id``: an entity of one of its aliases,
    key and label, as the corpus Entities list counts it; and its names in
    the text (where the pipeline missed them: a minister's roles are read
    there), but not in an article where one of its names is an entity of
    another label not merged into it (“Sokha”, a company, beside “Sokha”
    merged into “Sar Sokha”): the text cannot tell which is meant. With
    ``labels`` (an entity not merged, of those labels only) the names are
    not looked for."""
    parts, params = [], []
    if keys:
        rows, params = entity_rows(keys, _canons(canon_id), labels)
        parts.append(f"SELECT ae.article_id FROM {rows}")
    namesake = ""
    if canon_id is not None and keys:
        marks = ", ".join("?" for _ in keys)
        namesake = (f" AND rowid NOT IN (SELECT ae.article_id FROM article_entities ae "
                    f"WHERE lower(ae.name) IN ({marks}) AND NOT EXISTS (SELECT 1 FROM "
                    f"entity_aliases x WHERE x.key = lower(ae.name) AND x.label = ae.label "
                    f"AND x.canon_id = ?))")
    for phrase in _phrases(names if not labels else ()):
        parts.append(f"SELECT rowid FROM {ARTICLES_FTS} WHERE {ARTICLES_FTS} MATCH ?"
                     + namesake)
        params.append(f"text : {phrase}")
        if namesake:
            params += list(keys) + [canon_id]
    return " UNION ".join(parts), params


def article_count(db: Database, keys: list[str], names=(),
                  canon_id: int | None = None, labels=()) -> int:
    """How many articles mention the entity (see :func:`mentions`), all of
    them — the page reads the newest ``limit`` only."""
    sql, params = _mentioning(keys, names, canon_id, labels)
    return db.execute(f"SELECT count(*) FROM ({sql})", params).fetchone()[0] if sql else 0


def months_mentioning(db: Database, keys: list[str], names=(),
                      canon_id: int | None = None, labels=()) -> list[dict]:
    """``{"month", "articles"}`` of every article mentioning the entity
    (undated left out) — the whole corpus, not the page's newest articles."""
    sql, params = _mentioning(keys, names, canon_id, labels)
    if not sql:
        return []
    return list(db.query(
        f"SELECT month, count(*) AS articles FROM article_periods WHERE article_id "
        f"IN ({sql}) AND month IS NOT NULL GROUP BY month ORDER BY month", params))


def articles_per_month(db: Database, ids: list[int]) -> list[dict]:
    """``{"month", "articles"}`` of these articles' publication (undated left out)."""
    if not ids:
        return []
    return list(db.query(
        f"SELECT month, count(*) AS articles FROM article_periods WHERE article_id "
        f"IN ({_marks(ids)}) AND month IS NOT NULL GROUP BY month ORDER BY month", ids))


def companions(db: Database, keys: list[str], ids: list[int], limit: int = 15,
               canon_id: int | None = None, labels=()) -> list[dict]:
    """Entities in the same articles (people, organisations, places), as
    the corpus Entities list names them: ``{"name", "label", "canon_id",
    "articles"}``, most shared articles first. A merged entity is one row
    (its canonical name, label and id; its articles counted once), an
    entity as analysed one row per name and label (``canon_id`` None) — so
    that :func:`identity` of a row is the entity listed. The entity itself
    is left out: of the canonical entity ``canon_id``, its aliases (key and
    label; a namesake of another label is a companion); with ``labels``,
    its key of those labels; else its keys whatever their label."""
    if not ids:
        return []
    if canon_id is not None:
        itself, params = "k.id IS ?", [canon_id]
    else:
        itself = f"k.id IS NULL AND lower(ae.name) IN ({_marks(keys)})"
        params = list(keys)
        if labels:
            itself += f" AND ae.label IN ({_marks(labels)})"
            params += list(labels)
    return list(db.query(
        f"""SELECT coalesce(k.name, min(ae.name)) AS name,
                   coalesce(k.label, ae.label) AS label, k.id AS canon_id,
                   count(DISTINCT ae.article_id) AS articles
            FROM article_entities ae
            LEFT JOIN entity_aliases x ON x.key = lower(ae.name) AND x.label = ae.label
            LEFT JOIN entity_canon k ON k.id = x.canon_id
            WHERE ae.article_id IN ({_marks(ids)})
            AND coalesce(k.label, ae.label) IN ('PERSON', 'ORG', 'GPE', 'LOC', 'NORP', 'FAC')
            AND NOT ({itself})
            GROUP BY k.id, CASE WHEN k.id IS NULL THEN lower(ae.name) END,
                     CASE WHEN k.id IS NULL THEN ae.label END
            ORDER BY articles DESC, name LIMIT ?""",
        ids + params + [limit]))


def passages_on(db: Database, spans_by_article: dict[int, list[tuple[int, int]]],
                analysts: tuple[str, ...] = ()) -> list[dict]:
    """Passages overlapping any of the given spans (mentions, quotes):
    ``{"id", "article_id", "title", "start", "end", "text", "note", "analyst",
    "tag", "color"}``; ``analysts``: only theirs (blind coding)."""
    whose, whose_params = analyst_clause(analysts)
    found = []
    for article_id, spans in spans_by_article.items():
        for row in db.query(
                f"""SELECT p.id, p.article_id, a.title, p.start, p."end", p.text, p.note,
                   p.analyst, t.name AS tag, t.color FROM passages p
                   JOIN tags t ON t.id = p.tag_id JOIN articles a ON a.id = p.article_id
                   WHERE p.article_id = ?{whose} ORDER BY p.start""",
                [article_id] + whose_params):
            if any(row["start"] < end and start < row["end"] for start, end in spans):
                found.append(row)
    return found


_WORD = re.compile(r"[^\W\d_]{3,}")


def alias_candidates(db: Database, name: str, label: str, keys: list[str],
                     limit: int = 200) -> list[dict]:
    """Entities of ``label`` (PERSON and ORG are also matched across each
    other) sharing a word of three letters or more with ``name``, not
    already among ``keys``: ``{"key", "name", "label", "mentions", "canon_id"}``."""
    words = sorted({w.lower() for w in _WORD.findall(name)})
    if not words:
        return []
    labels = ["PERSON", "ORG"] if label in ("PERSON", "ORG") else [label]
    likes = " OR ".join("c.key LIKE ?" for _ in words)
    return list(db.query(
        f"""SELECT c.key, c.name, c.label, c.mentions,
                   (SELECT x.canon_id FROM entity_aliases x
                    WHERE x.key = c.key AND x.label = c.label) AS canon_id
            FROM entity_counts c WHERE c.label IN ({_marks(labels)}) AND ({likes})
            AND c.key NOT IN ({_marks(keys)}) ORDER BY c.mentions DESC LIMIT ?""",
        labels + [f"%{w}%" for w in words] + keys + [limit]))
