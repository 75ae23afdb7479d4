"""The Dossier schema, as an ordered set of sqlite-utils migrations.

Every table is created with explicit columns, types, keys and defaults; no
insert ever defines a schema. To change the schema, append a migration and
let :data:`SCHEMA_VERSION` count it (written to ``PRAGMA user_version`` so that an
older Dossier can tell it is looking at a newer database).
"""

from __future__ import annotations

from sqlite_utils import Database, Migrations
from sqlite_utils.db import ForeignKey

MIGRATIONS = Migrations("dossier")



def _fk(table: str, column: str, other: str, on_delete: str) -> ForeignKey:
    return ForeignKey(
        table=table, column=column, other_table=other, other_column="id",
        on_delete=on_delete,
    )


@MIGRATIONS(name="0001_initial")
def initial_schema(db: Database) -> None:
    """Articles, tags, passages, stored analyses and a key/value table."""
    db.table("meta").create({"key": str, "value": str}, pk="key")

    db.table("articles").create(
        {
            "id": int,
            "title": str,
            "text": str,
            "text_hash": str,
            "source": str,
            "author": str,
            "published": str,
            "url": str,
            "filename": str,
            "imported_at": str,
        },
        pk="id",
        not_null={"title", "text", "text_hash", "imported_at"},
    )
    db.table("articles").create_index(["text_hash"], unique=True)

    db.table("tags").create(
        {
            "id": int,
            "name": str,
            "color": str,
            "shortcut": int,
            "description": str,
            "created_at": str,
        },
        pk="id",
        not_null={"name", "color", "description", "created_at"},
        defaults={"description": ""},
    )
    db.table("tags").create_index(["name"], unique=True)

    db.table("passages").create(
        {
            "id": int,
            "article_id": int,
            "tag_id": int,
            "start": int,
            "end": int,
            "text": str,
            "prefix": str,
            "suffix": str,
            "note": str,
            "analyst": str,
            "created_at": str,
            "updated_at": str,
        },
        pk="id",
        foreign_keys=[
            _fk("passages", "article_id", "articles", "CASCADE"),
            # A tag with passages is deleted only after its passages were
            # deleted or moved (storage.tags.delete_tag asks which).
            _fk("passages", "tag_id", "tags", "RESTRICT"),
        ],
        not_null={"article_id", "tag_id", "start", "end", "text", "prefix",
                  "suffix", "note", "analyst", "created_at", "updated_at"},
        defaults={"note": "", "prefix": "", "suffix": ""},
    )
    db.table("passages").create_index(["article_id", "start"])
    db.table("passages").create_index(["tag_id"])

    db.table("analyses").create(
        {
            "id": int,
            "article_id": int,
            "text_hash": str,
            "pipeline": str,
            "pipeline_version": str,
            "degraded": int,
            "created_at": str,
        },
        pk="id",
        foreign_keys=[_fk("analyses", "article_id", "articles", "CASCADE")],
        not_null={"article_id", "text_hash", "pipeline", "pipeline_version",
                  "degraded", "created_at"},
        defaults={"degraded": 0},
    )
    db.table("analyses").create_index(
        ["article_id", "pipeline", "pipeline_version", "text_hash"], unique=True
    )

    db.table("entities").create(
        {"id": int, "analysis_id": int, "start": int, "end": int,
         "label": str, "text": str},
        pk="id",
        foreign_keys=[_fk("entities", "analysis_id", "analyses", "CASCADE")],
        not_null={"analysis_id", "start", "end", "label", "text"},
    )
    db.table("entities").create_index(["analysis_id"])

    db.table("quotes").create(
        {
            "id": int,
            "analysis_id": int,
            "start": int,
            "end": int,
            "text": str,
            "kind": str,
            "speaker": str,
            "speaker_kind": str,
            "speaker_start": int,
            "speaker_end": int,
            "cue": str,
        },
        pk="id",
        foreign_keys=[_fk("quotes", "analysis_id", "analyses", "CASCADE")],
        not_null={"analysis_id", "start", "end", "text", "kind", "speaker_kind"},
        defaults={"speaker_kind": "unknown"},
    )
    db.table("quotes").create_index(["analysis_id"])


@MIGRATIONS(name="0002_quote_links")
def quote_links(db: Database) -> None:
    """Links between recycled quotes: the same or nearly the same words in
    two articles. One row per direction; both ends vanish with their quotes."""
    db.table("quote_links").create(
        {"quote_id": int, "other_quote_id": int, "score": float},
        pk=("quote_id", "other_quote_id"),
        foreign_keys=[
            ForeignKey(table="quote_links", column="quote_id", other_table="quotes",
                       other_column="id", on_delete="CASCADE"),
            ForeignKey(table="quote_links", column="other_quote_id", other_table="quotes",
                       other_column="id", on_delete="CASCADE"),
        ],
        not_null={"score"},
    )
    db.table("quote_links").create_index(["other_quote_id"])


@MIGRATIONS(name="0003_passage_anchor")
def passage_anchor(db: Database) -> None:
    """Whether a passage still sits on its text: ``ok``, ``moved`` (re-anchored
    after the article text changed) or ``orphaned`` (its text is gone; kept)."""
    db.table("passages").add_column("anchor", str, not_null_default="ok")


@MIGRATIONS(name="0004_similar_articles")
def similar_articles(db: Database) -> None:
    """Near-duplicate fingerprints (MinHash bands) and links between similar articles.

    ``article_fingerprints`` says which articles were fingerprinted and how;
    ``fingerprint_bands`` holds their locality-sensitive-hashing buckets, so
    candidates are found with an index lookup instead of comparing texts;
    ``similar_articles`` holds each similar pair once, lower id first.
    """
    db.table("article_fingerprints").create(
        {"article_id": int, "method": str, "created_at": str},
        pk="article_id",
        foreign_keys=[_fk("article_fingerprints", "article_id", "articles", "CASCADE")],
        not_null={"method", "created_at"},
    )
    db.table("fingerprint_bands").create(
        {"article_id": int, "band": int, "bucket": int},
        pk=("article_id", "band"),
        foreign_keys=[_fk("fingerprint_bands", "article_id", "articles", "CASCADE")],
        not_null={"article_id", "band", "bucket"},
    )
    db.table("fingerprint_bands").create_index(["band", "bucket"])

    db.table("similar_articles").create(
        {"article_id": int, "other_id": int, "score": float, "method": str,
         "created_at": str},
        pk=("article_id", "other_id"),
        foreign_keys=[_fk("similar_articles", "article_id", "articles", "CASCADE"),
                      _fk("similar_articles", "other_id", "articles", "CASCADE")],
        not_null={"article_id", "other_id", "score", "method", "created_at"},
    )
    db.table("similar_articles").create_index(["other_id"])


@MIGRATIONS(name="0005_workflow_review_memo_codebook")
def workflow(db: Database) -> None:
    """The analyst's working day: each article's review status (``new``,
    ``in progress``, ``done``) and memo, and a parent for each tag (the
    codebook as a hierarchy; NULL for a top-level tag)."""
    db.table("articles").add_column("review_status", str, not_null_default="new")
    db.table("articles").add_column("memo", str, not_null_default="")
    db.table("tags").add_column("parent_id", int)
    db.table("articles").create_index(["review_status"])


#: The full-text index over article titles and texts (FTS5, external content:
#: the text is stored once, in ``articles``). Diacritics are folded, so
#: "Phnom Penh" finds "Phnôm Pénh".
ARTICLES_FTS = "articles_fts"
QUOTES_FTS = "quotes_fts"
#: The analyst's own words, searchable (migration 0009): passage notes and
#: article memos. External content (the words stay in ``passages.note`` and
#: ``articles.memo``); only non-empty notes and memos are indexed.
NOTES_FTS = "passage_notes_fts"
MEMOS_FTS = "memos_fts"

def _passage_count_sql(table: str, key: str, trigger: str) -> list[str]:
    """Statements keeping ``<table>.passage_count`` equal to the number of
    passages whose ``<key>`` points at the row (insert, delete, move), and
    filling it for the rows already there."""
    return [
        f"""CREATE TRIGGER {trigger}_insert AFTER INSERT ON passages BEGIN
        UPDATE {table} SET passage_count = passage_count + 1 WHERE id = new.{key};
    END""",
        f"""CREATE TRIGGER {trigger}_delete AFTER DELETE ON passages BEGIN
        UPDATE {table} SET passage_count = passage_count - 1 WHERE id = old.{key};
    END""",
        f"""CREATE TRIGGER {trigger}_move AFTER UPDATE OF {key} ON passages
    WHEN new.{key} IS NOT old.{key} BEGIN
        UPDATE {table} SET passage_count = passage_count - 1 WHERE id = old.{key};
        UPDATE {table} SET passage_count = passage_count + 1 WHERE id = new.{key};
    END""",
        f"""UPDATE {table} SET passage_count =
        (SELECT count(*) FROM passages p WHERE p.{key} = {table}.id)""",
    ]


_CORPUS_SCALE_SQL = [
    # Search: articles_fts mirrors articles(title, text) through triggers.
    f"""CREATE VIRTUAL TABLE {ARTICLES_FTS} USING fts5(
        title, text, content='articles', content_rowid='id',
        tokenize='unicode61 remove_diacritics 2')""",
    f"""CREATE TRIGGER articles_fts_insert AFTER INSERT ON articles BEGIN
        INSERT INTO {ARTICLES_FTS} (rowid, title, text)
        VALUES (new.id, new.title, new.text);
    END""",
    f"""CREATE TRIGGER articles_fts_delete AFTER DELETE ON articles BEGIN
        INSERT INTO {ARTICLES_FTS} ({ARTICLES_FTS}, rowid, title, text)
        VALUES ('delete', old.id, old.title, old.text);
    END""",
    f"""CREATE TRIGGER articles_fts_update AFTER UPDATE OF title, text ON articles BEGIN
        INSERT INTO {ARTICLES_FTS} ({ARTICLES_FTS}, rowid, title, text)
        VALUES ('delete', old.id, old.title, old.text);
        INSERT INTO {ARTICLES_FTS} (rowid, title, text)
        VALUES (new.id, new.title, new.text);
    END""",
    f"INSERT INTO {ARTICLES_FTS} ({ARTICLES_FTS}) VALUES ('rebuild')",
    # Recycled-quote candidates: quotes_fts mirrors quotes(text).
    f"""CREATE VIRTUAL TABLE {QUOTES_FTS} USING fts5(
        text, content='quotes', content_rowid='id',
        tokenize='unicode61 remove_diacritics 2')""",
    f"""CREATE TRIGGER quotes_fts_insert AFTER INSERT ON quotes BEGIN
        INSERT INTO {QUOTES_FTS} (rowid, text) VALUES (new.id, new.text);
    END""",
    f"""CREATE TRIGGER quotes_fts_delete AFTER DELETE ON quotes BEGIN
        INSERT INTO {QUOTES_FTS} ({QUOTES_FTS}, rowid, text) VALUES ('delete', old.id, old.text);
    END""",
    f"""CREATE TRIGGER quotes_fts_update AFTER UPDATE OF text ON quotes BEGIN
        INSERT INTO {QUOTES_FTS} ({QUOTES_FTS}, rowid, text) VALUES ('delete', old.id, old.text);
        INSERT INTO {QUOTES_FTS} (rowid, text) VALUES (new.id, new.text);
    END""",
    f"INSERT INTO {QUOTES_FTS} ({QUOTES_FTS}) VALUES ('rebuild')",
    # The passage count per article, kept by triggers (sorting by it, and a
    # list row, then need no count over passages).
    *_passage_count_sql("articles", "article_id", "passages_count"),
    # Sorting the article list: one index per order (ties broken by id; the
    # expressions are exactly those storage.article_query orders by). Each
    # covers what a filter needs (the id), so a page is found without
    # reading the articles' rows, which hold their texts.
    "CREATE INDEX articles_by_id ON articles (id)",
    "CREATE INDEX articles_by_published ON articles (ifnull(published, ''), id)",
    "CREATE INDEX articles_by_title ON articles (title COLLATE NOCASE, id)",
    "CREATE INDEX articles_by_source ON articles (ifnull(source, '') COLLATE NOCASE, id)",
    "CREATE INDEX articles_by_passage_count ON articles (passage_count, id)",
    # Filtering it: by tag, entity and speaker.
    "CREATE INDEX passages_by_tag_article ON passages (tag_id, article_id)",
    "CREATE INDEX entities_by_text ON entities (text COLLATE NOCASE, analysis_id)",
    "CREATE INDEX quotes_by_speaker ON quotes (speaker COLLATE NOCASE, analysis_id)",
]


@MIGRATIONS(name="0006_corpus_scale")
def corpus_scale(db: Database) -> None:
    """What a corpus of 100,000 articles needs to stay fast.

    - ``articles_fts``: FTS5 over title and text, kept in sync by triggers
      and filled here for the articles already stored;
    - ``quotes_fts``: FTS5 over quote texts, so that recycled-quote linking
      compares a new quote with a few candidates instead of every quote;
    - ``articles.passage_count``, kept by triggers on ``passages``;
    - indexes for each sort order of the article list and for its filters.
    """
    db.table("articles").add_column("passage_count", int, not_null_default=0)
    for statement in _CORPUS_SCALE_SQL:
        db.execute(statement)


@MIGRATIONS(name="0007_tag_passage_count")
def tag_passage_count(db: Database) -> None:
    """``tags.passage_count``, kept by triggers on ``passages``: the codebook
    shows its counts without counting 200,000 passages after every tag."""
    db.table("tags").add_column("passage_count", int, not_null_default=0)
    for statement in _passage_count_sql("tags", "tag_id", "passages_tag_count"):
        db.execute(statement)


def current_analysis_sql(article_id: str) -> str:
    """A subquery: the id of the analysis shown for one article (as
    ``storage.analyses.CURRENT_ANALYSES`` picks it: of its current text,
    trained before degraded, newest first). ``article_id`` is an SQL
    expression — ``?``, a trigger's ``new.id`` or a column of the outer query
    (its own aliases are ones no caller uses)."""
    return f"""(SELECT cur_n.id FROM analyses cur_n
            JOIN articles cur_a ON cur_a.id = cur_n.article_id
            WHERE cur_n.article_id = {article_id} AND cur_n.text_hash = cur_a.text_hash
            ORDER BY cur_n.degraded, cur_n.id DESC LIMIT 1)"""


def article_entities_sql(article_id: str) -> str:
    """The INSERT filling ``article_entities`` for one article from its current
    analysis; ``article_id`` is an SQL expression (``?`` or ``new.id``)."""
    return f"""INSERT INTO article_entities (article_id, name, label, mentions)
        SELECT {article_id}, min(e.text), e.label, count(*) FROM entities e
        WHERE e.analysis_id = {current_analysis_sql(article_id)}
        GROUP BY lower(e.text), e.label"""


#: Every article's current analysis summarised at once (the CURRENT_ANALYSES
#: choice, written out here so that the migration does not depend on code
#: that may change later).
ALL_ARTICLE_ENTITIES_SQL = """INSERT INTO article_entities (article_id, name, label, mentions)
        SELECT c.article_id, min(e.text), e.label, count(*)
        FROM (SELECT a.id AS article_id,
                     (SELECT n.id FROM analyses n
                      WHERE n.article_id = a.id AND n.text_hash = a.text_hash
                      ORDER BY n.degraded, n.id DESC LIMIT 1) AS analysis_id
              FROM articles a) c
        JOIN entities e ON e.analysis_id = c.analysis_id
        GROUP BY c.article_id, lower(e.text), e.label"""

_CORPUS_ENTITIES_SQL = [
    ALL_ARTICLE_ENTITIES_SQL,
    """INSERT INTO entity_counts (key, label, name, mentions, articles)
        SELECT lower(name), label, min(name), sum(mentions), count(*)
        FROM article_entities GROUP BY lower(name), label""",
    "CREATE INDEX article_entities_by_article ON article_entities (article_id)",
    # the entity filter: the articles of one or more keys, from the index alone
    "CREATE INDEX article_entities_by_key ON article_entities (lower(name), article_id)",
    "CREATE INDEX entity_counts_by_mentions ON entity_counts (mentions DESC)",
    """CREATE TRIGGER article_entities_insert AFTER INSERT ON article_entities BEGIN
        INSERT INTO entity_counts (key, label, name, mentions, articles)
        VALUES (lower(new.name), new.label, new.name, new.mentions, 1)
        ON CONFLICT (key, label) DO UPDATE
        SET mentions = mentions + excluded.mentions, articles = articles + 1;
    END""",
    """CREATE TRIGGER article_entities_delete AFTER DELETE ON article_entities BEGIN
        UPDATE entity_counts SET mentions = mentions - old.mentions, articles = articles - 1
        WHERE key = lower(old.name) AND label = old.label;
        DELETE FROM entity_counts
        WHERE key = lower(old.name) AND label = old.label AND articles <= 0;
    END""",
    # a new text (an edit, or its undo) has another current analysis, or none
    f"""CREATE TRIGGER articles_text_hash_entities AFTER UPDATE OF text_hash ON articles
    WHEN new.text_hash IS NOT old.text_hash BEGIN
        DELETE FROM article_entities WHERE article_id = new.id;
        {article_entities_sql("new.id")};
    END""",
]


@MIGRATIONS(name="0008_corpus_entities")
def corpus_entities(db: Database) -> None:
    """Entities across the corpus, and the analyst's corrections of them.

    - ``article_entities``: per article, each entity of its current analysis
      once per (surface, label) with its mention count — refilled whenever the
      article's current analysis changes (``storage.entity_index``);
    - ``entity_counts``: per (key, label) the corpus totals, kept by triggers
      on ``article_entities`` (the corpus list reads a few hundred rows, not
      millions);
    - ``entity_canon`` and ``entity_aliases``: the analyst's canonical entities
      and the surfaces (key + label as analysed) that belong to each — merges
      and label corrections. They are applied when reading, never written into
      the analyses, so they survive re-analysis.

    A key is the surface text lower-cased by SQLite's ``lower()`` (ASCII, the
    same folding as ``COLLATE NOCASE``).
    """
    db.table("entity_canon").create(
        {"id": int, "name": str, "label": str, "created_at": str},
        pk="id", not_null={"name", "label", "created_at"})
    db.table("entity_aliases").create(
        {"key": str, "label": str, "name": str, "canon_id": int},
        pk=("key", "label"),
        foreign_keys=[_fk("entity_aliases", "canon_id", "entity_canon", "CASCADE")],
        not_null={"key", "label", "name", "canon_id"})
    db.table("entity_aliases").create_index(["canon_id"])
    db.table("article_entities").create(
        {"article_id": int, "name": str, "label": str, "mentions": int},
        foreign_keys=[_fk("article_entities", "article_id", "articles", "CASCADE")],
        not_null={"article_id", "name", "label", "mentions"})
    db.table("entity_counts").create(
        {"key": str, "label": str, "name": str, "mentions": int, "articles": int},
        pk=("key", "label"), not_null={"key", "label", "name", "mentions", "articles"})
    for statement in _CORPUS_ENTITIES_SQL:
        db.execute(statement)


def _own_words_sql(fts: str, table: str, column: str) -> list[str]:
    """An external-content FTS5 index over ``<table>.<column>`` holding only
    the rows where it is not empty, kept by triggers, filled for the rows
    already there. (A 'delete' must repeat exactly what was inserted, so each
    statement is guarded by the same emptiness test.)"""
    index_new = (f"INSERT INTO {fts} (rowid, {column}) "
                 f"SELECT new.id, new.{column} WHERE new.{column} != '';")
    drop_old = (f"INSERT INTO {fts} ({fts}, rowid, {column}) "
                f"SELECT 'delete', old.id, old.{column} WHERE old.{column} != '';")
    return [
        f"""CREATE VIRTUAL TABLE {fts} USING fts5(
        {column}, content='{table}', content_rowid='id',
        tokenize='unicode61 remove_diacritics 2')""",
        f"CREATE TRIGGER {fts}_insert AFTER INSERT ON {table} BEGIN {index_new} END",
        f"CREATE TRIGGER {fts}_delete AFTER DELETE ON {table} BEGIN {drop_old} END",
        f"""CREATE TRIGGER {fts}_update AFTER UPDATE OF {column} ON {table}
        BEGIN {drop_old} {index_new} END""",
        f"INSERT INTO {fts} (rowid, {column}) SELECT id, {column} FROM {table} "
        f"WHERE {column} != ''",
    ]


@MIGRATIONS(name="0009_note_search")
def note_search(db: Database) -> None:
    """Search in the analyst's own words: FTS5 over passage notes
    (``passage_notes_fts``) and article memos (``memos_fts``), so the article
    list finds articles by their memo or by a note on one of their passages."""
    for statement in (_own_words_sql(NOTES_FTS, "passages", "note")
                      + _own_words_sql(MEMOS_FTS, "articles", "memo")):
        db.execute(statement)


def article_speakers_sql(article_id: str) -> str:
    """The INSERT filling ``article_speakers`` for one article from its current
    analysis (chosen as in :func:`article_entities_sql`)."""
    return f"""INSERT INTO article_speakers (article_id, speaker, quotes)
        SELECT {article_id}, min(q.speaker), count(*) FROM quotes q
        WHERE q.speaker IS NOT NULL AND q.analysis_id = {current_analysis_sql(article_id)}
        GROUP BY lower(q.speaker)"""


#: Every article's speakers at once (written out, as in 0008).
ALL_ARTICLE_SPEAKERS_SQL = """INSERT INTO article_speakers (article_id, speaker, quotes)
        SELECT c.article_id, min(q.speaker), count(*)
        FROM (SELECT a.id AS article_id,
                     (SELECT n.id FROM analyses n
                      WHERE n.article_id = a.id AND n.text_hash = a.text_hash
                      ORDER BY n.degraded, n.id DESC LIMIT 1) AS analysis_id
              FROM articles a) c
        JOIN quotes q ON q.analysis_id = c.analysis_id
        WHERE q.speaker IS NOT NULL
        GROUP BY c.article_id, lower(q.speaker)"""

_ARTICLE_SPEAKERS_SQL = [
    ALL_ARTICLE_SPEAKERS_SQL,
    "CREATE INDEX article_speakers_by_article ON article_speakers (article_id)",
    # the speaker filter: the articles of a speaker, from the index alone
    "CREATE INDEX article_speakers_by_key ON article_speakers (lower(speaker), article_id)",
    f"""CREATE TRIGGER articles_text_hash_speakers AFTER UPDATE OF text_hash ON articles
    WHEN new.text_hash IS NOT old.text_hash BEGIN
        DELETE FROM article_speakers WHERE article_id = new.id;
        {article_speakers_sql("new.id")};
    END""",
]


@MIGRATIONS(name="0010_article_speakers")
def article_speakers(db: Database) -> None:
    """``article_speakers``: per article, each speaker of its current analysis
    once (any case) with its number of quotes — refilled with
    ``article_entities`` whenever the article's current analysis changes. The
    speaker filter of the article list reads it instead of every quote of the
    speaker (a frequent one has 11,000 on 100,000 articles)."""
    db.table("article_speakers").create(
        {"article_id": int, "speaker": str, "quotes": int},
        foreign_keys=[_fk("article_speakers", "article_id", "articles", "CASCADE")],
        not_null={"article_id", "speaker", "quotes"})
    for statement in _ARTICLE_SPEAKERS_SQL:
        db.execute(statement)


@MIGRATIONS(name="0011_journal")
def change_journal(db: Database) -> None:
    """The change journal (``storage.journal``): ``journal_steps`` (one row per
    named change, with a stable uuid), ``journal_changes`` (each row a step
    changed, before and after), ``journal_open`` and ``journal_tracked``;
    triggers on every table analysts edit; a ``uuid`` column on each of them,
    filled for the rows already there. Later migrations in the same run write
    unrecorded (``journal_open`` step 0, cleared by ``database._migrate``)."""
    from storage import journal

    journal.create_journal(db)
    for table, exclude in journal.TRACKED.items():
        journal.track(db, table, exclude=exclude)
    db.execute("INSERT INTO journal_open (id, step_id) VALUES (1, 0)")


@MIGRATIONS(name="0012_quote_attribution")
def quote_attribution(db: Database) -> None:
    """``quotes.method``: how the speaker was found — ``cue`` (named in the
    quote's sentence), ``pronoun`` (a pronoun or description resolved to an
    earlier mention), ``inherited`` (from the quote before), ``guessed`` (an
    earlier reporting sentence) — or NULL (no speaker, or analysed before
    this column: the analysis version went up, so those are redone)."""
    db.execute("ALTER TABLE quotes ADD COLUMN method TEXT")


@MIGRATIONS(name="0013_article_signatures")
def article_signatures(db: Database) -> None:
    """Near-duplicate fingerprints that are never recomputed from texts.

    - ``article_fingerprints.signature``: each article's signature (its
      smallest token hashes, packed uint32), stored once at import so that
      candidates are compared signature to signature;
    - ``lsh_buckets`` replaces ``fingerprint_bands``: one B-tree keyed
      (band, bucket, article_id) (WITHOUT ROWID), so a bucket's newest
      members are read from the key alone, newest first, and an insert
      touches one tree plus the by-article index that deletes use.

    Fingerprints of the earlier method have no signature: they are dropped
    and remade at the next import (the similar-article links already found
    are kept).
    """
    db.execute("DROP TABLE fingerprint_bands")
    db.execute("DELETE FROM article_fingerprints")
    db.table("article_fingerprints").add_column("signature", bytes)
    db.execute("""CREATE TABLE lsh_buckets (
        band INTEGER NOT NULL,
        bucket INTEGER NOT NULL,
        article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
        PRIMARY KEY (band, bucket, article_id)) WITHOUT ROWID""")
    db.execute("CREATE INDEX lsh_buckets_by_article ON lsh_buckets (article_id)")


@MIGRATIONS(name="0014_feeds")
def feeds(db: Database) -> None:
    """``feeds``: the RSS/Atom feeds the analyst follows (``dossier feeds``,
    the Feeds dialog): URL (unique), title, when added, and the outcome of
    the last fetch; ``articles.url`` gets an index, since fetched pages are
    deduplicated by URL before they are downloaded."""
    db.table("feeds").create(
        {"id": int, "url": str, "title": str, "added_at": str, "fetched_at": str,
         "status": str},
        pk="id", not_null={"url", "added_at"})
    db.table("feeds").create_index(["url"], unique=True)
    db.execute("CREATE INDEX IF NOT EXISTS articles_by_url ON articles (url)")



@MIGRATIONS(name="0015_workspace")
def workspace(db: Database) -> None:
    """Indexes for the Passages workspace (:mod:`storage.passage_listing`): an
    analyst's passages in article order, with their tag (the filter, a tag
    filter beside it and the default sort from one index: 50,000 of 200,000
    passages counted in milliseconds)."""
    db.execute("CREATE INDEX IF NOT EXISTS passages_by_analyst "
               "ON passages (analyst, article_id, start, tag_id)")


@MIGRATIONS(name="0016_assignments")
def assignments(db: Database) -> None:
    """Which analyst codes which article (issue 18): one row per (article,
    analyst), with that analyst's own review status of the article
    (``new``, ``in progress``, ``done``) and when it was assigned. The list's
    "assigned to me" filter reads the (analyst, article) index alone."""
    db.table("assignments").create(
        {"article_id": int, "analyst": str, "status": str, "assigned_at": str},
        pk=("article_id", "analyst"),
        foreign_keys=[_fk("assignments", "article_id", "articles", "CASCADE")],
        not_null={"article_id", "analyst", "status", "assigned_at"},
        defaults={"status": "new"})
    db.execute("CREATE INDEX assignments_by_analyst ON assignments (analyst, article_id)")
    from storage import journal

    # an analyst-facing table: every change a journal step (undoable)
    journal.track(db, "assignments")


def _article_period_sql(row: str) -> str:
    """``(article_id, month, week, source)`` of one articles row (``new`` or ``a``)."""
    day = f"date(substr({row}.published, 1, 10))"
    return (f"{row}.id, strftime('%Y-%m', {day}), date({day}, '-6 days', 'weekday 1'), "
            f"nullif(trim(ifnull({row}.source, '')), '')")


_OVERVIEW_SQL = [
    """CREATE TABLE article_periods (
        article_id INTEGER PRIMARY KEY REFERENCES articles (id) ON DELETE CASCADE,
        month TEXT, week TEXT, source TEXT)""",
    f"INSERT INTO article_periods (article_id, month, week, source) "
    f"SELECT {_article_period_sql('a')} FROM articles a",
    "CREATE INDEX article_periods_by_month ON article_periods (month, article_id)",
    f"""CREATE TRIGGER article_periods_insert AFTER INSERT ON articles BEGIN
        INSERT OR REPLACE INTO article_periods (article_id, month, week, source)
        VALUES ({_article_period_sql('new')});
    END""",
    f"""CREATE TRIGGER article_periods_update AFTER UPDATE OF published, source ON articles
    BEGIN
        INSERT OR REPLACE INTO article_periods (article_id, month, week, source)
        VALUES ({_article_period_sql('new')});
    END""",
    # tags × analysts from an index alone (the passages' rows hold texts)
    "CREATE INDEX passages_by_analyst_tag ON passages (analyst, tag_id, article_id)",
    # the entities of a filtered list summed from an index alone (3× faster)
    "CREATE INDEX article_entities_cover ON article_entities (article_id, label, name, mentions)",
    # overlapping passages found from an index alone
    'CREATE INDEX passages_by_article_span ON passages (article_id, start, "end", tag_id)',
    """CREATE TABLE speaker_counts (key TEXT PRIMARY KEY, name TEXT NOT NULL,
        quotes INTEGER NOT NULL, articles INTEGER NOT NULL)""",
    """INSERT INTO speaker_counts (key, name, quotes, articles)
        SELECT lower(speaker), min(speaker), sum(quotes), count(*) FROM article_speakers
        GROUP BY lower(speaker)""",
    "CREATE INDEX speaker_counts_by_quotes ON speaker_counts (quotes DESC)",
    """CREATE TRIGGER article_speakers_counts_insert AFTER INSERT ON article_speakers BEGIN
        INSERT INTO speaker_counts (key, name, quotes, articles)
        VALUES (lower(new.speaker), new.speaker, new.quotes, 1)
        ON CONFLICT (key) DO UPDATE
        SET quotes = quotes + excluded.quotes, articles = articles + 1;
    END""",
    """CREATE TRIGGER article_speakers_counts_delete AFTER DELETE ON article_speakers BEGIN
        UPDATE speaker_counts SET quotes = quotes - old.quotes, articles = articles - 1
        WHERE key = lower(old.speaker);
        DELETE FROM speaker_counts WHERE key = lower(old.speaker) AND articles <= 0;
    END""",
]


@MIGRATIONS(name="0017_overview")
def overview(db: Database) -> None:
    """What the Overview's charts count from (``storage.overview``):

    - ``article_periods``: each article's publication month and week and its
      source, kept by triggers on ``articles`` (charts over time join 200,000
      passages to this narrow table, not to the rows holding the texts);
    - ``speaker_counts``: per speaker (any case) the corpus's quotes and
      articles, kept by triggers on ``article_speakers`` (as
      ``entity_counts`` is on ``article_entities``);
    - indexes of passages by analyst and tag, and by article and span, and
      one covering ``article_entities`` by article.
    """
    for statement in _OVERVIEW_SQL:
        db.execute(statement)


@MIGRATIONS(name="0018_consensus")
def consensus(db: Database) -> None:
    """The consensus layer of adjudication (issue 18): a passage settled
    between analysts is stored with ``analyst = 'consensus'`` and
    ``passages.decided_by`` naming who decided it (NULL on every other
    passage). The column is journaled, like the rest of the passage, so each
    decision is an undoable step. (The reads of blind coding — counts and
    the tag filter per analyst — use 0017's ``passages_by_analyst_tag``.)"""
    db.execute("ALTER TABLE passages ADD COLUMN decided_by TEXT")
    from storage import journal

    journal.track(db, "passages", exclude=journal.TRACKED["passages"])


@MIGRATIONS(name="0019_speaker_corrections")
def speaker_corrections(db: Database) -> None:
    """The analyst's quote and speaker corrections (issue 15), applied when
    reading so that they survive re-analysis: ``quote_corrections`` (a
    quote's speaker set, a quote that is not one, a passage marked as a
    quote; keyed by article text hash + start-end) and ``speaker_aliases``
    (speakers merged across the corpus), both journaled. The triggers
    keeping ``article_speakers`` (the speaker filter) corrected, through undo
    too, were made here; 0033 makes them now (they read its column). See
    ``storage.speaker_corrections``."""
    from storage import speaker_corrections as corrections

    corrections.create_tables(db)



def _code_entry(code: str, count: str) -> str:
    """One entry of a codes line: " code count\\n" (decimal), delimited on
    both sides, so that ``replace`` of one entry can match no other entry
    and no two entries together."""
    return f"' ' || {code} || ' ' || {count} || char(10)"


def _per_article_codes_sql(summary: str, surfaces: str, codes: str, columns: tuple,
                           count: str, index: str) -> list[str]:
    """The statements making ``surfaces`` (a number per distinct value of
    ``columns`` in the per-article summary table ``summary``; never deleted,
    so codes stay) and ``codes`` (per article one line of " code count"
    entries, one per row of ``summary``), filling both and keeping ``codes``
    equal to ``summary`` by triggers."""
    names = ", ".join(columns)

    def match(row: str) -> str:
        return " AND ".join(f"s.{c} = {row}.{c}" for c in columns)

    # (no OR IGNORE or upsert here: a statement firing the trigger with a
    # conflict clause of its own — an upsert of speaker_aliases — overrides
    # theirs)
    def add(row: str) -> str:
        entry = f"""(SELECT {_code_entry('s.code', f'{row}.{count}')} FROM {surfaces} s
            WHERE {match(row)})"""
        return f"""INSERT INTO {surfaces} ({names})
            SELECT {", ".join(f"{row}.{c}" for c in columns)}
            WHERE NOT EXISTS (SELECT 1 FROM {surfaces} s WHERE {match(row)});
        UPDATE {codes} SET codes = codes || {entry} WHERE article_id = {row}.article_id;
        INSERT INTO {codes} (article_id, codes) SELECT {row}.article_id, {entry}
            WHERE NOT EXISTS (SELECT 1 FROM {codes} WHERE article_id = {row}.article_id);"""

    def drop(row: str) -> str:
        return f"""UPDATE {codes} SET codes = replace(codes, (
            SELECT {_code_entry('s.code', f'{row}.{count}')} FROM {surfaces} s
            WHERE {match(row)}), '')
        WHERE article_id = {row}.article_id;
        DELETE FROM {codes} WHERE article_id = {row}.article_id AND codes = '';"""

    return [
        f"""CREATE TABLE {surfaces} (code INTEGER PRIMARY KEY,
            {", ".join(f"{c} TEXT NOT NULL" for c in columns)}, UNIQUE ({names}))""",
        f"""CREATE TABLE {codes} (
            article_id INTEGER PRIMARY KEY REFERENCES articles (id) ON DELETE CASCADE,
            codes TEXT NOT NULL)""",
        f"INSERT INTO {surfaces} ({names}) SELECT DISTINCT {names} FROM {summary}",
        f"""INSERT INTO {codes} (article_id, codes)
            SELECT e.article_id, group_concat({_code_entry('s.code', f'e.{count}')}, '')
            FROM {summary} e INDEXED BY {index} JOIN {surfaces} s ON {match('e')}
            GROUP BY e.article_id""",
        f"CREATE TRIGGER {summary}_codes_insert AFTER INSERT ON {summary} BEGIN {add('new')} END",
        f"CREATE TRIGGER {summary}_codes_delete AFTER DELETE ON {summary} BEGIN {drop('old')} END",
        f"""CREATE TRIGGER {summary}_codes_update AFTER UPDATE ON {summary} BEGIN
            {drop('old')} {add('new')} END""",
    ]


@MIGRATIONS(name="0020_overview_codes")
def overview_codes(db: Database) -> None:
    """The entities and the speakers of any set of articles summed fast (the
    Overview's "mentioned most" and "quoted most" over a filtered list,
    ``storage.overview``):

    - ``entity_surfaces`` / ``speaker_surfaces``: a number (``code``) for
      each surface (and label) that ``article_entities`` / ``article_speakers``
      hold (exact text; never deleted, so codes stay);
    - ``article_entity_codes`` / ``article_speaker_codes``: per article one
      text of its rows there as " code mentions" (or " code quotes") lines,
      kept by triggers on the two summaries.

    Summing 65,000 articles then reads 65,000 short rows (numpy parses and
    adds them) instead of sorting 1.6 million index rows by name (2.5-3.3 s)
    or 360,000 speakers (0.8-1.9 s).
    """
    for statement in (
            _per_article_codes_sql("article_entities", "entity_surfaces",
                                   "article_entity_codes", ("name", "label"), "mentions",
                                   "article_entities_cover")
            + _per_article_codes_sql("article_speakers", "speaker_surfaces",
                                     "article_speaker_codes", ("speaker",), "quotes",
                                     "article_speakers_by_article")):
        db.execute(statement)


def _period_values(row: str) -> dict[str, str]:
    """The month, week and source value an articles row (``new``, ``old``)
    counts under in ``tag_totals`` — as ``article_periods`` holds them."""
    day = f"date(substr({row}.published, 1, 10))"
    return {"month": f"strftime('%Y-%m', {day})",
            "week": f"date({day}, '-6 days', 'weekday 1')",
            "source": f"trim(ifnull({row}.source, ''))"}


def _add_totals_sql(values: dict[str, str], source: str, sign: str) -> str:
    """Statements adding ``sign`` × the passages per tag that ``source``
    yields (``SELECT tag_id, n …``) under each of ``values``."""
    # (an update, then an insert of what is missing: no upsert in a trigger,
    # whose conflict clause the statement firing it may override)
    return "\n".join(
        f"""UPDATE tag_totals SET passages = passages + {sign} (SELECT t.n FROM ({source}) t
                WHERE t.tag_id = tag_totals.tag_id)
            WHERE kind = '{kind}' AND value = {value}
              AND tag_id IN (SELECT t.tag_id FROM ({source}) t);
        INSERT INTO tag_totals (kind, value, tag_id, passages)
            SELECT '{kind}', {value}, t.tag_id, {sign} t.n FROM ({source}) t
            WHERE {value} IS NOT NULL AND NOT EXISTS (SELECT 1 FROM tag_totals x
                WHERE x.kind = '{kind}' AND x.value = {value} AND x.tag_id = t.tag_id);"""
        for kind, value in values.items())


def _stored_values(article: str) -> dict[str, str]:
    """The month, week and source of a stored article (from ``article_periods``)."""
    return {kind: (f"(SELECT ifnull(source, '') FROM article_periods WHERE article_id = "
                   f"{article})" if kind == "source" else
                   f"(SELECT {kind} FROM article_periods WHERE article_id = {article})")
            for kind in ("month", "week", "source")}


def _one_passage(row: str) -> str:
    return f"SELECT {row}.tag_id AS tag_id, 1 AS n"


def _articles_passages(article: str) -> str:
    return (f"SELECT tag_id, count(*) AS n FROM passages WHERE article_id = {article} "
            f"GROUP BY tag_id")


_TAG_TOTALS_SQL = [
    """CREATE TABLE tag_totals (kind TEXT NOT NULL, value TEXT NOT NULL,
        tag_id INTEGER NOT NULL, passages INTEGER NOT NULL,
        PRIMARY KEY (kind, value, tag_id)) WITHOUT ROWID""",
    *(f"""INSERT INTO tag_totals (kind, value, tag_id, passages)
          SELECT '{kind}', {value}, p.tag_id, count(*) FROM passages p
          INDEXED BY passages_by_article_span
          JOIN article_periods o ON o.article_id = p.article_id
          WHERE {value} IS NOT NULL GROUP BY 2, 3"""
      for kind, value in (("month", "o.month"), ("week", "o.week"),
                          ("source", "ifnull(o.source, '')"))),
    # a passage added, removed or moved; a passage removed with its article
    # (the article's row is gone by then) was taken off before, below
    f"""CREATE TRIGGER passages_tag_totals_insert AFTER INSERT ON passages BEGIN
        {_add_totals_sql(_stored_values('new.article_id'), _one_passage('new'), '')}
    END""",
    f"""CREATE TRIGGER passages_tag_totals_delete AFTER DELETE ON passages
    WHEN EXISTS (SELECT 1 FROM articles WHERE id = old.article_id) BEGIN
        {_add_totals_sql(_stored_values('old.article_id'), _one_passage('old'), '-')}
    END""",
    f"""CREATE TRIGGER passages_tag_totals_update AFTER UPDATE OF article_id, tag_id ON passages
    BEGIN
        {_add_totals_sql(_stored_values('old.article_id'), _one_passage('old'), '-')}
        {_add_totals_sql(_stored_values('new.article_id'), _one_passage('new'), '')}
    END""",
    f"""CREATE TRIGGER articles_tag_totals_delete BEFORE DELETE ON articles BEGIN
        {_add_totals_sql(_period_values('old'), _articles_passages('old.id'), '-')}
    END""",
    f"""CREATE TRIGGER articles_tag_totals_update AFTER UPDATE OF published, source ON articles
    BEGIN
        {_add_totals_sql(_period_values('old'), _articles_passages('old.id'), '-')}
        {_add_totals_sql(_period_values('new'), _articles_passages('new.id'), '')}
    END""",
]


@MIGRATIONS(name="0021_tag_totals")
def tag_totals(db: Database) -> None:
    """``tag_totals``: the corpus's passages per tag and month, week or
    source of their article's publication (kind, value, tag_id), kept by
    triggers on ``passages`` and ``articles`` — what the Overview's charts
    over time and by source show for the unfiltered list, without sorting
    200,000 passages (0.3-1 s, more under load) each time. Zero counts may
    stay; readers skip them."""
    for statement in _TAG_TOTALS_SQL:
        db.execute(statement)


@MIGRATIONS(name="0022_workspace_head")
def workspace_head(db: Database) -> None:
    """Indexes that let the Passages workspace find a filtered list's first
    rows without reading every match (:func:`storage.passage_listing.first_ids`):

    - ``articles_filter_values``: each article's published date, source and
      review status by id (the columns, not the text between them), so a
      walk of the passages in article order tests a date range, source or
      status with one look-up in a narrow index;
    - ``passages_by_tag_article`` with the passage's start: a tag's
      passages in list order from the index alone;
    - ``quotes_by_speaker`` with each quote's span: the speaker filter finds
      the passages overlapping a speaker's quotes without reading a quote;
    - ``passages_by_created``: the order "time tagged" (newest first) read
      from an index, not by sorting every passage.

    Four indexes (two of them replacing narrower ones): about 2.5 s on
    100,000 articles, 200,000 passages and a million quotes."""
    for statement in (
            "CREATE INDEX articles_filter_values ON articles "
            "(id, published, source, review_status)",
            "DROP INDEX IF EXISTS passages_by_tag_article",
            "CREATE INDEX passages_by_tag_article ON passages (tag_id, article_id, start)",
            "DROP INDEX IF EXISTS quotes_by_speaker",
            'CREATE INDEX quotes_by_speaker ON quotes '
            '(speaker COLLATE NOCASE, analysis_id, start, "end")',
            "CREATE INDEX passages_by_created ON passages (created_at)"):
        db.execute(statement)


@MIGRATIONS(name="0023_unpushed_steps")
def unpushed_steps(db: Database) -> None:
    """The steps a team hub has not been sent yet, found without reading the
    whole journal: a team hub's sync worker asks whether any wait every time
    the file changes, and a file that follows a busy hub holds one journal
    step per change of every member (``storage.hub_sync.waiting``)."""
    db.execute("CREATE INDEX journal_steps_unpushed ON journal_steps (id) "
               "WHERE pushed_at IS NULL")


@MIGRATIONS(name="0024_quote_links_once")
def quote_links_once(db: Database) -> None:
    """Links between recycled quotes stored once per pair — the newer quote
    (the higher id) in ``quote_id`` — in a table clustered on that pair
    (``WITHOUT ROWID``), where 0002 stored each link both ways in a rowid
    table with two indexes: a new quote's links now add one entry to two
    b-trees instead of two rows to three (the analysis writer's largest
    write; issue 16). ``storage.quotes.links_for_article`` reads both ends."""
    db.execute("""CREATE TABLE quote_links_once (
        quote_id INTEGER NOT NULL REFERENCES quotes(id) ON DELETE CASCADE,
        other_quote_id INTEGER NOT NULL REFERENCES quotes(id) ON DELETE CASCADE,
        score FLOAT NOT NULL,
        PRIMARY KEY (quote_id, other_quote_id),
        CHECK (quote_id > other_quote_id)
    ) WITHOUT ROWID""")
    # each link was stored both ways: the newer-first rows in the primary
    # key's order, then any pair only the other way round
    db.execute("""INSERT INTO quote_links_once (quote_id, other_quote_id, score)
        SELECT quote_id, other_quote_id, score FROM quote_links
        WHERE quote_id > other_quote_id ORDER BY quote_id, other_quote_id""")
    db.execute("""INSERT OR IGNORE INTO quote_links_once (quote_id, other_quote_id, score)
        SELECT other_quote_id, quote_id, score FROM quote_links
        WHERE quote_id < other_quote_id""")
    db.execute("DROP TABLE quote_links")
    db.execute("ALTER TABLE quote_links_once RENAME TO quote_links")
    db.execute("CREATE INDEX quote_links_other ON quote_links (other_quote_id)")


@MIGRATIONS(name="0025_tag_codable")
def tag_codable(db: Database) -> None:
    """``tags.codable``: 1 for a tag passages are tagged with, 0 for a
    *category* — REFI-QDA's ``isCodable="false"``, QualCoder's categories —
    which groups tags in the codebook and is not used for tagging (the
    window refuses to tag with it; the analyst may turn it into an ordinary
    tag). Every tag already stored stays codable.

    The column is journaled like the tag's others (the triggers are made
    again with it). The tag states the journal recorded before the column
    existed get ``codable`` 1 — what those tags were — so that undoing or
    redoing an older step writes a value back, never NULL."""
    from storage import journal

    db.execute("ALTER TABLE tags ADD COLUMN codable INTEGER NOT NULL DEFAULT 1")
    for state in ("before", "after"):
        db.execute(f"UPDATE journal_changes SET {state} = json_set({state}, '$.codable', 1) "
                   f"WHERE tbl = 'tags' AND {state} IS NOT NULL")
    journal.track(db, "tags", exclude=journal.TRACKED["tags"])


@MIGRATIONS(name="0026_fetched_links")
def fetched_links(db: Database) -> None:
    """``fetched_links``: every entry link a feed fetch (or a page import)
    dealt with for good — keyed by the link as given, normalised — with the
    URL it ended at, what became of it (``stored``, ``duplicate`` of a
    stored article, ``refused`` for a reason that will not change) and the
    article it became or duplicated. A feed fetch skips such a link without
    a request, unless it was stored or a duplicate and that article has
    been deleted since (``ON DELETE SET NULL``). Bookkeeping, not journaled."""
    db.execute("""CREATE TABLE fetched_links (
        link TEXT PRIMARY KEY,
        final_url TEXT,
        article_id INTEGER REFERENCES articles(id) ON DELETE SET NULL,
        outcome TEXT NOT NULL CHECK (outcome IN ('stored', 'duplicate', 'refused')),
        reason TEXT,
        fetched_at TEXT NOT NULL)""")
    # (deleting an article finds its links by this index, not by a scan)
    db.execute("CREATE INDEX fetched_links_by_article ON fetched_links (article_id)")

@MIGRATIONS(name="0027_passage_index_prefixes")
def passage_index_prefixes(db: Database) -> None:
    """Drop two indexes of ``passages`` that are prefixes of wider ones made
    later: ``(article_id, start)`` of ``passages_by_article_span`` and
    ``(tag_id)`` of ``passages_by_tag_article``. Every query they served is
    served by the wider index; every passage written updated both — two of
    the ≈ 26 pages a tag save writes to the log."""
    db.execute('DROP INDEX IF EXISTS "idx_passages_article_id_start"')
    db.execute('DROP INDEX IF EXISTS "idx_passages_tag_id"')


@MIGRATIONS(name="0028_quote_groups")
def quote_groups(db: Database) -> None:
    """Recycled quotes in groups — ``quote_groups``: a row for each group a
    quote is in (``group_id``, the id of the group's first quote), with its
    ``score`` against the quote it joined by and its ``wording``
    (``storage.quotes.wording_key``, so that a word-for-word copy finds its
    groups by one index lookup) — instead of 0024's link per pair. A
    statement a wire service put in a thousand articles had each new quote
    compared with eighty others and stored ≈ 47 links, the analysis
    writer's largest cost (issue 16); a copy now stores one row. A quote
    joining two statements (reworded, or quoted together) is in both groups.

    The links already stored become groups: quotes joined by links, directly
    or through others, share the group of the oldest. Every spoken quote
    gets its row, so that later copies find it by its wording."""
    from storage.quotes import SPOKEN, wording_key

    db.execute("""CREATE TABLE quote_groups (
        quote_id INTEGER NOT NULL REFERENCES quotes(id) ON DELETE CASCADE,
        group_id INTEGER NOT NULL,
        score FLOAT NOT NULL,
        wording INTEGER NOT NULL,
        PRIMARY KEY (quote_id, group_id)
    ) WITHOUT ROWID""")
    parent: dict[int, int] = {}

    def root(quote_id: int) -> int:
        while parent.get(quote_id, quote_id) != quote_id:
            parent[quote_id] = parent.get(parent[quote_id], parent[quote_id])   # halving
            quote_id = parent[quote_id]
        return quote_id

    best: dict[int, float] = {}
    for newer, older, score in db.execute(
            "SELECT quote_id, other_quote_id, score FROM quote_links"):
        for end in (newer, older):
            best[end] = max(score, best.get(end, score))
        a, b = root(newer), root(older)
        if a != b:
            parent[max(a, b)] = min(a, b)       # the group is named by its oldest
    cursor = db.execute(f"SELECT id, text FROM quotes WHERE kind IN {SPOKEN!r} ORDER BY id")
    while rows := cursor.fetchmany(10_000):
        db.conn.executemany(
            "INSERT INTO quote_groups (quote_id, group_id, score, wording) VALUES (?, ?, ?, ?)",
            [(quote_id, root(quote_id), best.get(quote_id, 100.0), wording_key(text))
             for quote_id, text in rows])
    db.execute("DROP TABLE quote_links")
    db.execute("CREATE INDEX quote_groups_members ON quote_groups (group_id, quote_id)")
    db.execute("CREATE INDEX quote_groups_wording ON quote_groups (wording)")



#: Triggers keeping ``analysis_wanted`` (migration 0029): an article enters
#: when it is added or its text changes, and leaves when it is deleted; the
#: analysis service takes out the rows it finds analysed by its pipeline
#: (``storage.analyses.pending_among_wanted``).
ANALYSIS_WANTED_TRIGGERS = (
    """CREATE TRIGGER analysis_wanted_new AFTER INSERT ON articles BEGIN
        INSERT OR IGNORE INTO analysis_wanted (article_id) VALUES (new.id); END""",
    """CREATE TRIGGER analysis_wanted_text AFTER UPDATE OF text_hash ON articles
        WHEN new.text_hash IS NOT old.text_hash BEGIN
        INSERT OR IGNORE INTO analysis_wanted (article_id) VALUES (new.id); END""",
    """CREATE TRIGGER analysis_wanted_gone AFTER DELETE ON articles BEGIN
        DELETE FROM analysis_wanted WHERE article_id = old.id; END""",
)


@MIGRATIONS(name="0029_analysis_wanted")
def analysis_wanted(db: Database) -> None:
    """``analysis_wanted``: the articles added, or whose text changed, since
    the analysis service last looked — kept by triggers. The service scans
    every article for what is pending once, at its first run (≈ 110–410 ms
    on 100,000 articles, while its workers wait); each later run — after
    every import from a feed — reads this table instead, so its cost
    follows what changed, not the size of the corpus (issue 16). Empty
    here: what is pending now is found by that first scan."""
    db.execute("CREATE TABLE analysis_wanted (article_id INTEGER PRIMARY KEY)")
    for trigger in ANALYSIS_WANTED_TRIGGERS:
        db.execute(trigger)


#: A 64-bit LSH bucket (two 32-bit MinHash minima, the first in the high
#: half) as the signed 32-bit bucket :func:`desktop.near_duplicates.bucket_of`
#: makes of the same two minima (every product stays under 2⁶³).
FOLD_BUCKET_SQL = ("((((bucket >> 32) & 4294967295) * 1540483477 + (bucket & 4294967295))"
                   " & 4294967295) - 2147483648")

LSH_BUCKETS_GONE_TRIGGER = """CREATE TRIGGER lsh_buckets_gone AFTER DELETE ON article_fingerprints
    BEGIN DELETE FROM lsh_buckets WHERE article_id = old.article_id
        AND (band, bucket) IN (SELECT key, value FROM json_each(old.buckets)); END"""


@MIGRATIONS(name="0030_compact_lsh_buckets")
def compact_lsh_buckets(db: Database) -> None:
    """``lsh_buckets`` made cheaper to insert into (a batch import writes
    twenty rows an article, at random places of the key; at 100,000
    articles a chunk of 500 rows dirtied most of its leaf pages):

    - buckets are signed 32-bit (4 bytes in a record, not 8): the 64-bit
      ones are folded into them (:data:`FOLD_BUCKET_SQL`);
    - no foreign key to ``articles`` (checked at every insert) and no index
      by article (a second B-tree a row): an article's buckets are kept in
      ``article_fingerprints.buckets`` (a JSON list, band order) and a
      trigger deletes them by their key when the fingerprint goes — with
      its article (that key's cascade), or when its text changes.

    Measured on 2,000,000 bucket rows: a chunk's inserts and commit took
    446 ms, 248 ms after."""
    db.execute("ALTER TABLE article_fingerprints ADD COLUMN buckets TEXT")
    db.execute(f"""UPDATE article_fingerprints SET buckets = (
        SELECT json_group_array({FOLD_BUCKET_SQL}) FROM (
            SELECT bucket FROM lsh_buckets
            WHERE article_id = article_fingerprints.article_id ORDER BY band))""")
    # (rows of an article without a fingerprint would have nothing to
    # delete them by now; no path made such rows, but none is kept)
    db.execute("DELETE FROM lsh_buckets WHERE article_id NOT IN "
               "(SELECT article_id FROM article_fingerprints)")
    db.execute("""CREATE TABLE lsh_buckets_compact (
        band INTEGER NOT NULL,
        bucket INTEGER NOT NULL,
        article_id INTEGER NOT NULL,
        PRIMARY KEY (band, bucket, article_id)) WITHOUT ROWID""")
    db.execute(f"INSERT INTO lsh_buckets_compact (band, bucket, article_id) "
               f"SELECT band, {FOLD_BUCKET_SQL}, article_id FROM lsh_buckets "
               f"ORDER BY 1, 2, 3")
    db.execute("DROP TABLE lsh_buckets")
    db.execute("ALTER TABLE lsh_buckets_compact RENAME TO lsh_buckets")
    db.execute(LSH_BUCKETS_GONE_TRIGGER)


@MIGRATIONS(name="0031_group_speakers")
def group_speakers(db: Database) -> None:
    """Quotes whose cue names the speaker only by a party or a nationality
    ("“…,” the Republican said": a NORP entity inside the cue's mention, and
    that word the speaker) get the attribution method ``group``, to check
    (``desktop.analysis.attribution``), as a new analysis gives it: stored
    analyses said ``cue`` and were never marked. No re-analysis needed; the
    quotes looked at are those whose speaker is a NORP name of some article
    (through the speaker index: 0.3 s for 1 M quotes, 25 s scanning them)."""
    db.execute("""UPDATE quotes SET method = 'group'
        WHERE speaker COLLATE NOCASE IN (
            SELECT DISTINCT name FROM article_entities WHERE label = 'NORP')
          AND method IN ('cue', 'pronoun') AND speaker_kind = 'organisation'
          AND speaker_start IS NOT NULL AND EXISTS (
            SELECT 1 FROM entities e WHERE e.analysis_id = quotes.analysis_id
              AND e.label = 'NORP' AND e.start >= quotes.speaker_start
              AND e."end" <= quotes.speaker_end
              AND lower(trim(e.text)) = lower(trim(quotes.speaker)))""")


@MIGRATIONS(name="0032_step_ids_never_reused")
def step_ids_never_reused(db: Database) -> None:
    """A journal step id is never given again. A step that changes nothing
    is deleted when it ends (a stretch of memo typing erased back to what it
    was: its merged step); as a plain rowid its id then went to the next step
    anyone committed, and whatever still held it — a window's Edit → Undo,
    the id a window had polled up to, a ``dossier history`` listing read
    before — named that other step.

    ``journal_last_step`` holds the highest id of a step deleted, kept by a
    trigger; ``storage.journal`` gives each new step the id after it and
    after the highest still there. (Not
    ``AUTOINCREMENT``: adding it means rebuilding ``journal_steps``, and
    migrations run with foreign keys on, where dropping the old table
    cascades into ``journal_changes`` — every row image of the journal, too
    large to copy alongside.)"""
    from storage import journal

    journal.create_last_step(db)


@MIGRATIONS(name="0033_quote_corrections_marked")
def quote_corrections_marked(db: Database) -> None:
    """``quote_corrections.marked``: 1 where the analyst marked a passage as
    a quote, 0 where they set the speaker of the analysis' quote (or said it
    is not one). The two were stored alike, so a speaker set on a quote that
    a new analysis cut differently came back as a second quote over the same
    words. Backfilled from the journal's step names, else from the analyses
    stored; see ``storage.speaker_corrections.add_marked``."""
    from storage import speaker_corrections as corrections

    corrections.add_marked(db)


@MIGRATIONS(name="0034_article_file_paths")
def article_file_paths(db: Database) -> None:
    """``articles.file_path``: the path of the file an article came from,
    relative to the folder imported (``2024/brief.txt``, '/'-separated), or
    the file's name when the file was given alone; ``filename`` stays its
    bare name. ``dossier import --update`` finds the article a file replaces
    by it first, so two ``brief.txt`` in two folders each update their own
    article. Articles imported before keep NULL (matched by bare name, as
    then). One index, ``(filename, file_path)``, serves both look-ups (the
    bare name alone was found by reading the whole table). The column is
    journaled (``database._migrate`` re-creates the triggers); states the
    journal recorded before it read as NULL, what those articles hold."""
    db.execute("ALTER TABLE articles ADD COLUMN file_path TEXT")
    db.execute("CREATE INDEX articles_by_file ON articles (filename, file_path)")


@MIGRATIONS(name="0035_row_ids_never_reused")
def row_ids_never_reused(db: Database) -> None:
    """A journaled table never gives a row id twice: ``row_id_floor`` keeps
    the highest id deleted while it was the highest, and inserts take the id
    after both (:mod:`storage.row_ids`). Before, the newest passage deleted
    and a passage added by anyone else shared an id, and the delete's undo
    was refused. The floors start above every id the journal holds."""
    from storage import row_ids

    row_ids.create_floor(db)



#: The triggers keeping ``speaker_counts`` from 0036 on: besides the totals,
#: ``name`` — the speaker's spelling as ``min()`` over ``article_speakers``
#: gives it, as the filtered Overview sums it — and ``shown``, how many
#: article rows have that exact spelling. Only when the last of them goes is
#: the key's next spelling looked up (the key's rows read once, not on every
#: delete: re-summarising the 20,140 articles of "report" stays linear).
_SPEAKER_COUNTS_TRIGGERS = [
    """CREATE TRIGGER article_speakers_counts_insert AFTER INSERT ON article_speakers BEGIN
        INSERT INTO speaker_counts (key, name, quotes, articles, shown)
        VALUES (lower(new.speaker), new.speaker, new.quotes, 1, 1)
        ON CONFLICT (key) DO UPDATE
        SET quotes = quotes + excluded.quotes, articles = articles + 1,
            name = min(name, excluded.name),
            shown = CASE WHEN excluded.name < name THEN 1
                         WHEN excluded.name = name THEN shown + 1 ELSE shown END;
    END""",
    """CREATE TRIGGER article_speakers_counts_delete AFTER DELETE ON article_speakers BEGIN
        UPDATE speaker_counts SET quotes = quotes - old.quotes, articles = articles - 1,
            shown = shown - (name = old.speaker)
        WHERE key = lower(old.speaker);
        DELETE FROM speaker_counts WHERE key = lower(old.speaker) AND articles <= 0;
        UPDATE speaker_counts SET (name, shown) = (
            SELECT speaker, count(*) FROM article_speakers
            WHERE lower(speaker) = speaker_counts.key GROUP BY speaker ORDER BY speaker LIMIT 1)
        WHERE key = lower(old.speaker) AND shown <= 0;
    END""",
]


@MIGRATIONS(name="0036_speaker_counts_spelling")
def speaker_counts_spelling(db: Database) -> None:
    """``speaker_counts.name`` follows the spellings in ``article_speakers``:
    its insert trigger kept the first spelling a speaker was counted under,
    so a merge that only changed capitalisation ("press release from the
    ministry" → "Press Release from the Ministry") left the unfiltered
    Overview's "quoted most" with the old one. The triggers are made again
    (:data:`_SPEAKER_COUNTS_TRIGGERS`), ``shown`` added, and every name set
    from the speakers' rows."""
    db.execute("ALTER TABLE speaker_counts ADD COLUMN shown INTEGER NOT NULL DEFAULT 0")
    for event in ("insert", "delete"):
        db.execute(f"DROP TRIGGER IF EXISTS article_speakers_counts_{event}")
    for statement in _SPEAKER_COUNTS_TRIGGERS:
        db.execute(statement)
    db.execute("""CREATE TEMP TABLE speaker_spellings AS
        SELECT lower(speaker) AS key, speaker, count(*) AS n FROM article_speakers
        GROUP BY speaker""")
    db.execute("""UPDATE speaker_counts SET (name, shown) = (
        SELECT speaker, n FROM temp.speaker_spellings s WHERE s.key = speaker_counts.key
        ORDER BY speaker LIMIT 1)
        WHERE key IN (SELECT key FROM temp.speaker_spellings)""")
    db.execute("DROP TABLE temp.speaker_spellings")


@MIGRATIONS(name="0037_sources_trimmed")
def sources_trimmed(db: Database) -> None:
    """``articles.source`` stored without the whitespace around it, as
    imports and edits now store it: imports before that change kept
    " VOD ", which the Overview's Tags × sources counts under "VOD"
    (``article_periods`` and ``tag_totals`` trim) but the source filter —
    and so a click on that cell — never listed, comparing the stored
    value. A blank source becomes NULL ("(none)"). Not an analyst's step:
    the journal's step 0 is open (``database._migrate``); the journal's
    own images of articles are trimmed alike, so undoing an older step is
    not refused (:func:`storage.articles.trim_stored_sources`)."""
    from storage import articles

    articles.trim_stored_sources(db)


#: The number of migrations above; stored as ``PRAGMA user_version``.
SCHEMA_VERSION = len(MIGRATIONS._migrations)
