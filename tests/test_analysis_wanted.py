"""What is pending for analysis without scanning the corpus (issue 16):
``analysis_wanted`` follows articles and their analyses (migration 0029),
and the analysis service scans every article only at its first run."""

from __future__ import annotations

import sqlite3

import pytest

from desktop.analysis_service import AnalysisPool
from storage import analyses, articles, journal, open_database
from storage.schema import ANALYSIS_WANTED_TRIGGERS, SCHEMA_VERSION


def wanted(db) -> list[int]:
    return [r[0] for r in db.execute("SELECT article_id FROM analysis_wanted ORDER BY 1")]


def analyse(db, article_id: int, pipeline: str = "p", version: str = "1") -> None:
    digest = articles.get_article(db, article_id)["text_hash"]
    assert analyses.save_analysis(db, article_id=article_id, text_hash=digest,
                                  pipeline=pipeline, pipeline_version=version,
                                  degraded=False, entities=[], quotes=[])


def test_wanted_follows_articles_and_the_service_s_looks(db):
    first, _ = articles.add_article(db, title="A", text="First text.")
    second, _ = articles.add_article(db, title="B", text="Second text.")
    assert wanted(db) == [first, second]
    analyse(db, first)
    # an analysis of an older text does not count
    assert analyses.save_analysis(db, article_id=second, text_hash="old", pipeline="p",
                                  pipeline_version="1", degraded=False, entities=[],
                                  quotes=[]) is None
    # a look takes out what is no longer pending: the table is what changed
    assert analyses.pending_among_wanted(db, "p", "1") == [second]
    assert wanted(db) == [second]
    with journal.step(db, "Edit text"):
        articles.replace_article_text(db, first, "First text, corrected.")
    assert wanted(db) == [first, second]
    with journal.step(db, "Delete"):
        articles.delete_articles(db, [second])
    assert wanted(db) == [first]
    assert analyses.pending_among_wanted(db, "p", "1") == [first] == \
        analyses.pending_article_ids(db, "p", "1")


def test_a_text_changed_back_leaves_at_the_next_look(db):
    """The edit is undone: the article has its analysed text again."""
    article_id, _ = articles.add_article(db, title="A", text="Some text.")
    analyse(db, article_id)
    assert analyses.pending_among_wanted(db, "p", "1") == [] and wanted(db) == []
    with journal.step(db, "Edit text"):
        articles.replace_article_text(db, article_id, "Some other text.")
    journal.undo(db, origin="")
    assert wanted(db) == [article_id]
    assert analyses.pending_among_wanted(db, "p", "1") == [] and wanted(db) == []


def test_what_another_pipeline_analysed_stays_wanted(db):
    """A team hub's analysis by another pipeline (or version) does not take
    the article out: this pipeline still analyses it."""
    article_id, _ = articles.add_article(db, title="A", text="Some text.")
    analyse(db, article_id, pipeline="other")
    assert analyses.pending_among_wanted(db, "p", "1") == [article_id]
    assert analyses.pending_among_wanted(db, "other", "1") == []
    assert wanted(db) == []       # the other pipeline's look took it out…
    # …and a writer keeps what it has not analysed (``also``)
    assert analyses.pending_among_wanted(db, "p", "1", also=[article_id]) == [article_id]
    analyse(db, article_id)
    assert analyses.pending_among_wanted(db, "p", "1", also=[article_id]) == []


def test_migration_0029_makes_the_table_and_its_triggers(tmp_path):
    path = tmp_path / "old.db"
    db = open_database(path)
    articles.add_article(db, title="A", text="Waiting text.")
    db.close()
    conn = sqlite3.connect(path)
    with conn:      # back to schema 28
        for trigger in ANALYSIS_WANTED_TRIGGERS:
            conn.execute("DROP TRIGGER " + trigger.split()[2])
        conn.execute("DROP TABLE analysis_wanted")
        conn.execute("DELETE FROM _sqlite_migrations WHERE name = '0029_analysis_wanted'")
        conn.execute("PRAGMA user_version = 28")
    conn.close()
    db = open_database(path)
    assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert wanted(db) == []       # what is pending now: the service's first scan
    added, _ = articles.add_article(db, title="C", text="New text.")
    assert wanted(db) == [added]


@pytest.mark.slow
def test_the_service_scans_the_corpus_at_its_first_run_only(
        seeded_db_path, monkeypatch):
    scans = []
    full_scan = analyses.pending_article_ids
    monkeypatch.setattr(analyses, "pending_article_ids",
                        lambda *args: scans.append(args) or full_scan(*args))
    db = open_database(seeded_db_path)
    seeds = [text for (text,) in db.execute("SELECT text FROM articles ORDER BY id")]
    with db.atomic():       # more than two batches of a worker
        copies = [articles.add_article(db, title=f"Copy {i}",
                                       text=seeds[i % 5] + f"\n\nUpdate {i}.")[0]
                  for i in range(25)]
        # pending from before migration 0029: not in analysis_wanted
        db.execute("DELETE FROM analysis_wanted")
    every = {r[0] for r in db.execute("SELECT id FROM articles")}
    analysed: list[int] = []
    pool = AnalysisPool(seeded_db_path, processes=1,
                        on_event=lambda kind, data: analysed.append(data)
                        if kind == "article" else None)
    try:
        # the first run is cancelled after its first batch: the rest is
        # left for the next run, though not in analysis_wanted
        pool.analyse(lambda: bool(analysed))
        first = set(analysed)
        assert len(scans) == 1 and set(copies[-3:]) < every - first and not wanted(db)
        added, _ = articles.add_article(db, title="New", text="A new article arrives.")
        analysed.clear()
        assert pool.analyse() == len(every - first) + 1
        assert set(analysed) == (every - first) | {added}
        assert len(scans) == 1       # the second run read what changed
        assert pool.analyse() == 0
    finally:
        pool.close()
    assert analyses.pending_article_ids(db, *_pipeline(db)) == []


def _pipeline(db) -> tuple[str, str]:
    return db.execute("SELECT pipeline, pipeline_version FROM analyses LIMIT 1").fetchone()
