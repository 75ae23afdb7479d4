"""Corpus entities (issue 7) and their fast filter (issue 6): the per-article
summary and corpus counts stay equal to the current analyses, merges and
label corrections change what is read (counts, filter, an article's
entities) and survive re-analysis by the real pipeline; the per-article
speakers of the speaker filter likewise; migrations 0008 and 0010 on a
schema-7 database. Real SQLite files."""

from __future__ import annotations

import sqlite3
from collections import Counter

import pytest

from storage import analyses, articles, journal, open_database
from storage.analyses import CURRENT_ANALYSES
from storage.article_query import ArticleQuery, article_page, count_articles
from storage.entity_corrections import (EntityError, correct_label, corrected_entities,
                                        list_corrections, merge_entities, unmerge)
from storage.entity_index import corpus_entities, entity_key


@pytest.fixture
def adb(analysed_db_path):
    db = open_database(analysed_db_path)
    yield db
    db.close()


def _expected_summary(db) -> Counter:
    """(article, key, label) → mentions, recomputed from the current analyses."""
    found = Counter()
    for article_id, text, label in db.execute(
            CURRENT_ANALYSES + "SELECT c.article_id, e.text, e.label FROM current c "
            "JOIN entities e ON e.analysis_id = c.analysis_id"):
        found[(article_id, entity_key(text), label)] += 1
    return found


def _expected_speakers(db) -> Counter:
    """(article, speaker key) → quotes, recomputed from the current analyses."""
    found = Counter()
    for article_id, speaker in db.execute(
            CURRENT_ANALYSES + "SELECT c.article_id, q.speaker FROM current c "
            "JOIN quotes q ON q.analysis_id = c.analysis_id WHERE q.speaker IS NOT NULL"):
        found[(article_id, entity_key(speaker))] += 1
    return found


def _assert_consistent(db) -> None:
    stored = Counter({(a, entity_key(n), lab): m for a, n, lab, m in db.execute(
        "SELECT article_id, name, label, mentions FROM article_entities")})
    assert stored == _expected_summary(db)
    speakers = Counter({(a, entity_key(s)): n for a, s, n in db.execute(
        "SELECT article_id, speaker, quotes FROM article_speakers")})
    assert speakers == _expected_speakers(db)
    totals = {(k, lab): (m, n) for k, lab, m, n in db.execute(
        "SELECT key, label, mentions, articles FROM entity_counts")}
    expected: dict = {}
    for (_article, key, label), mentions in stored.items():
        m, n = expected.get((key, label), (0, 0))
        expected[(key, label)] = (m + mentions, n + 1)
    assert totals == expected


def _row(db, name, label, **options) -> dict:
    [row] = [r for r in corpus_entities(db, limit=10_000, **options)
             if r["name"] == name and r["label"] == label]
    return row


def _ids(db, entity) -> list[int]:
    query = ArticleQuery(entity=entity)
    found = [r["id"] for r in article_page(db, query, 0, 100)]
    assert count_articles(db, query) == len(found)
    return found


def test_summary_and_counts_follow_analyses_text_edits_undo_and_deletes(adb):
    _assert_consistent(adb)
    assert _expected_speakers(adb)
    cambodia = _row(adb, "Cambodia", "GPE")
    assert cambodia["articles"] == 5 and cambodia["mentions"] == 20
    article_id = _ids(adb, "Cambodia")[0]
    quoting = ArticleQuery(speaker="THONG MENGDAVID")     # any case
    speaker_ids = [r["id"] for r in article_page(adb, quoting, 0, 10)]
    assert article_id in speaker_ids and count_articles(adb, quoting) == len(speaker_ids)
    articles.replace_article_text(adb, article_id, "A new text about Thailand.")
    _assert_consistent(adb)     # no current analysis: the article leaves the counts
    assert _row(adb, "Cambodia", "GPE")["articles"] == 4
    assert article_id not in _ids(adb, "Cambodia")
    assert count_articles(adb, quoting) == len(speaker_ids) - 1
    journal.undo(adb)
    _assert_consistent(adb)
    assert _row(adb, "Cambodia", "GPE") == cambodia
    assert [r["id"] for r in article_page(adb, quoting, 0, 10)] == speaker_ids
    with journal.step(adb, "Delete article"):
        adb.execute("DELETE FROM articles WHERE id = ?", [article_id])
    _assert_consistent(adb)
    assert _row(adb, "Cambodia", "GPE")["articles"] == 4


def test_merge_makes_one_entity_whose_filter_finds_every_alias(adb):
    sokha = _row(adb, "Sokha", "PERSON")
    sar_org = _row(adb, "Sar Sokha", "ORG")
    sar_gpe = _row(adb, "Sar Sokha", "GPE")
    articles_of = {name: set(_ids(adb, name)) for name in ("Sokha", "Sar Sokha")}
    assert articles_of["Sokha"] != articles_of["Sar Sokha"]
    with pytest.raises(EntityError):
        merge_entities(adb, [sokha], "Sar Sokha")
    canon = merge_entities(adb, [sokha, sar_org, sar_gpe], "Sar Sokha", "PERSON")

    merged = _row(adb, "Sar Sokha", "PERSON", labels=["PERSON"])
    assert merged["canon_id"] == canon and merged["aliases"] == 3
    assert merged["mentions"] == sokha["mentions"] + sar_org["mentions"] + sar_gpe["mentions"]
    union = articles_of["Sokha"] | articles_of["Sar Sokha"]
    assert merged["articles"] == len(union) < (sokha["articles"] + sar_org["articles"]
                                               + sar_gpe["articles"])
    names = {(r["name"], r["label"]) for r in corpus_entities(adb, limit=10_000)}
    assert ("Sokha", "PERSON") not in names and ("Sar Sokha", "ORG") not in names
    # the filter, by the canonical name or by any alias, finds every alias
    assert set(_ids(adb, "sar sokha")) == set(_ids(adb, "Sokha")) == union
    assert _row(adb, "Sar Sokha", "PERSON", search="sokh")["canon_id"] == canon
    assert not [r for r in corpus_entities(adb, labels=["ORG"], limit=10_000)
                if r["name"] == "Sar Sokha"]
    # merging the canonical entity with another keeps it and folds the rest in
    kang = _row(adb, "Kang", "PERSON")
    assert merge_entities(adb, [merged, kang], "Sar Sokha") == canon
    assert [c["name"] for c in list_corrections(adb)] == ["Sar Sokha"]
    assert len(list_corrections(adb)[0]["aliases"]) == 4

    unmerge(adb, canon)
    assert _row(adb, "Sokha", "PERSON") == sokha
    assert set(_ids(adb, "Sokha")) == articles_of["Sokha"]
    assert list_corrections(adb) == []


def test_label_correction_is_applied_when_reading(adb):
    sar_org = _row(adb, "Sar Sokha", "ORG")
    [article_id] = [a for a in _ids(adb, "Sar Sokha")
                    if any(e["text"] == "Sar Sokha" and e["label"] == "ORG"
                           for e in analyses.latest_analysis(adb, a)["entities"])]
    with pytest.raises(EntityError):
        correct_label(adb, sar_org, "NOT_A_LABEL")
    canon = correct_label(adb, sar_org, "PERSON")
    person = _row(adb, "Sar Sokha", "PERSON", labels=["PERSON"])
    assert person["canon_id"] == canon and person["mentions"] == sar_org["mentions"]
    entities = corrected_entities(adb, analyses.latest_analysis(adb, article_id)["entities"])
    fixed = [e for e in entities if e["text"] == "Sar Sokha" and e["original_label"] == "ORG"]
    assert fixed and all(e["label"] == "PERSON" for e in fixed)
    # the stored analysis is untouched: the correction is a reading
    assert adb.execute("SELECT count(*) FROM entities WHERE text = 'Sar Sokha' "
                       "AND label = 'PERSON'").fetchone()[0] == 0
    # the GPE surface of the same name joins the same entity when corrected
    assert correct_label(adb, _row(adb, "Sar Sokha", "GPE"), "PERSON") == canon
    assert _row(adb, "Sar Sokha", "PERSON")["aliases"] == 2
    # relabelling a canonical entity
    correct_label(adb, _row(adb, "Sar Sokha", "PERSON"), "ORG")
    assert _row(adb, "Sar Sokha", "ORG", labels=["ORG"])["canon_id"] == canon


def test_corrections_survive_reanalysis(adb, pipeline):
    from desktop.analysis_jobs import analyse_pending

    merge_entities(adb, [_row(adb, "Sokha", "PERSON"), _row(adb, "Sar Sokha", "ORG")],
                   "Sar Sokha", "PERSON")
    correct_label(adb, _row(adb, "Kingdom", "GPE"), "ORG")
    for article_id in _ids(adb, "Sokha"):      # every article with Sokha gets a new text
        text = articles.get_article(adb, article_id)["text"]
        articles.replace_article_text(adb, article_id, text + "\n\nSokha said nothing more.")
    assert analyse_pending(adb, pipeline) >= 2
    _assert_consistent(adb)
    merged = _row(adb, "Sar Sokha", "PERSON")
    assert merged["aliases"] == 2 and merged["mentions"] >= 9 + 2
    assert _row(adb, "Kingdom", "ORG")["canon_id"] is not None
    article_id = _ids(adb, "Sokha")[0]
    shown = corrected_entities(adb, analyses.latest_analysis(adb, article_id)["entities"])
    assert {e["name"] for e in shown
            if e["text"] == "Sokha" and e["original_label"] == "PERSON"} == {"Sar Sokha"}


def test_migrations_0008_and_0010_summarise_the_analyses_already_stored(tmp_path):
    from sqlite_utils import Database

    from storage.schema import MIGRATIONS, SCHEMA_VERSION

    path = tmp_path / "old.db"
    conn = sqlite3.connect(path)
    old = Database(conn)
    MIGRATIONS.apply(old, stop_before="0008_corpus_entities")
    old.execute("PRAGMA application_id = 1146049363")
    old.execute("PRAGMA user_version = 7")
    with old.atomic():
        article_id, _ = articles.add_article(old, title="Old", text="Interpol and Interpol.")
        text_hash = articles.get_article(old, article_id)["text_hash"]
        for pipeline, degraded, found, digest in (
                ("rules", 1, [("Interpol", "GPE")], text_hash),
                ("trained", 0, [("Interpol", "ORG"), ("INTERPOL", "ORG")], text_hash),
                ("stale", 0, [("Thailand", "GPE")], "an older text")):
            analysis_id = old.table("analyses").insert({
                "article_id": article_id, "text_hash": digest, "pipeline": pipeline,
                "pipeline_version": "1", "degraded": degraded, "created_at": "x"}).last_pk
            old.table("entities").insert_all(
                {"analysis_id": analysis_id, "start": 0, "end": 8, "label": label,
                 "text": text} for text, label in found)
            old.table("quotes").insert_all(
                {"analysis_id": analysis_id, "start": 0, "end": 8, "text": "Interpol",
                 "kind": "direct", "speaker": speaker, "speaker_kind": "person"}
                for speaker in {"rules": ["Ann Lee"], "trained": ["Bo Tan", "BO TAN"],
                                "stale": ["Cy Ng"]}[pipeline])
    conn.close()

    db = open_database(path)
    assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert [(r["key"], r["label"], r["mentions"], r["articles"])
            for r in corpus_entities(db)] == [("interpol", "ORG", 2, 1)]
    assert [r["id"] for r in article_page(db, ArticleQuery(entity="interpol"), 0, 5)] \
        == [article_id]
    assert count_articles(db, ArticleQuery(entity="Thailand")) == 0
    # 0010: the speakers of the current (trained) analysis, any case once
    assert list(db.execute("SELECT article_id, quotes FROM article_speakers")) == [
        (article_id, 2)]
    assert count_articles(db, ArticleQuery(speaker="bo tan")) == 1
    assert count_articles(db, ArticleQuery(speaker="Cy Ng")) == 0
    _assert_consistent(db)
    db.close()


@pytest.mark.parametrize("common_from", [0, 10**9])   # tested per article, or read first
def test_entity_filter_pages_counts_and_positions_agree(adb, monkeypatch, common_from):
    from storage import entity_index
    from storage.article_query import article_position

    monkeypatch.setattr(entity_index, "COMMON_ENTITY_ARTICLES", common_from)
    merge_entities(adb, [_row(adb, "Sokha", "PERSON"), _row(adb, "Sar Sokha", "ORG")],
                   "Sar Sokha", "PERSON")
    expected = {a for a, in adb.execute(
        "SELECT article_id FROM article_entities WHERE lower(name) IN ('sokha', 'sar sokha')")}
    for sort, descending in (("imported", False), ("imported", True), ("title", None)):
        query = ArticleQuery(entity="Sar Sokha", sort=sort, descending=descending)
        page = [r["id"] for r in article_page(adb, query, 0, 100)]
        assert set(page) == expected and count_articles(adb, query) == len(expected)
        assert [article_position(adb, query, a) for a in page] == list(range(len(page)))
        if sort == "imported":
            assert page == sorted(page, reverse=bool(descending))
    outside = next(a for a, in adb.execute("SELECT id FROM articles") if a not in expected)
    assert article_position(adb, ArticleQuery(entity="Sar Sokha"), outside) is None


def test_rebuild_refills_summaries_written_around(adb):
    from storage.entity_index import rebuild

    counts = list(adb.execute("SELECT * FROM entity_counts ORDER BY key, label"))
    with adb.atomic():      # as a bulk load leaves them: analyses, no summaries
        adb.execute("DELETE FROM article_entities")
        adb.execute("DELETE FROM article_speakers")
    assert count_articles(adb, ArticleQuery(speaker="Thong Mengdavid")) == 0
    rebuild(adb)
    _assert_consistent(adb)
    assert list(adb.execute("SELECT * FROM entity_counts ORDER BY key, label")) == counts
    assert count_articles(adb, ArticleQuery(speaker="Thong Mengdavid")) == 3


def test_completion_names_come_from_the_summaries(adb):
    from storage.completions import entity_names, source_names, speaker_names

    speakers = speaker_names(adb)
    assert speakers[0] == "Thong Mengdavid"             # quoted in the most articles
    assert len({s.lower() for s in speakers}) == len(speakers)
    assert "Cambodia" in entity_names(adb)
    canon = merge_entities(adb, [_row(adb, "Sokha", "PERSON"), _row(adb, "Sar Sokha", "ORG")],
                           "Deputy Prime Minister Sar Sokha")
    assert canon and entity_names(adb)[0] == "Deputy Prime Minister Sar Sokha"
    assert entity_names(adb, limit=3) == entity_names(adb)[:3]
    for n, source in enumerate(("Khmer Times", "Reuters", "reuters", "", None)):
        articles.add_article(adb, title=f"S{n}", text=f"Source test {n}.", source=source)
    assert source_names(adb)[:2] == ["Reuters", "Khmer Times"]   # most articles first
    assert "" not in source_names(adb) and None not in source_names(adb)


def _surfaces_db(path, surfaces):
    """A database whose article i has the entity ``surfaces[i]`` (name, label)."""
    db = open_database(path)
    for i, (name, label) in enumerate(surfaces):
        article_id = articles.add_article(db, title=f"A{i}", text=f"{name} spoke ({i}).")[0]
        db.execute("INSERT INTO article_entities (article_id, name, label, mentions) "
                   "VALUES (?, ?, ?, 1)", [article_id, name, label])
    return db


def test_a_merge_named_as_an_existing_entity_joins_it(tmp_path):
    """Merging names into “Sar Sokha” (PERSON) when an entity of that name
    and label existed made another: the Entities list showed two rows
    “Sar Sokha — PERSON” (a merged one and the surface as analysed, then
    two merged ones), the filter “Sar Sokha (PERSON)” read them as one and
    each dossier page as another. A merge (or a label correction) that
    names an entity as an existing one now joins it, as a label correction
    of an analysed surface already did: one row, one page, every alias."""
    from desktop.dossier_pages import build

    db = _surfaces_db(tmp_path / "x.db", (
        ("Sar Sokha", "ORG"), ("Sokha", "PERSON"), ("Sar Sokha", "PERSON"),
        ("Deputy Prime Minister Sar Sokha", "PERSON"), ("Minister Sar Sokha", "PERSON"),
        ("Samdech Sokha", "ORG"), ("Sokha Sar", "ORG")))
    first = merge_entities(db, [_row(db, "Sar Sokha", "ORG"), _row(db, "Sokha", "PERSON")],
                           "Sar Sokha", "PERSON")
    assert merge_entities(db, [_row(db, "Deputy Prime Minister Sar Sokha", "PERSON"),
                               _row(db, "Minister Sar Sokha", "PERSON")],
                          "sar sokha", "PERSON") == first
    # an entity merged under another label, then labelled as him, joins him too
    other = merge_entities(db, [_row(db, "Samdech Sokha", "ORG"), _row(db, "Sokha Sar", "ORG")],
                           "Sar Sokha", "ORG")
    assert correct_label(db, {"canon_id": other, "name": "Sar Sokha", "label": "ORG"},
                         "PERSON") == first
    [canon] = list_corrections(db)
    assert (canon["id"], canon["name"], canon["label"]) == (first, "sar sokha", "PERSON")
    assert len(canon["aliases"]) == 7
    [row] = [r for r in corpus_entities(db) if r["label"] == "PERSON"]
    assert (row["canon_id"], row["articles"]) == (first, 7)
    page = build(db, row["name"], label=row["label"], canon_id=row["canon_id"])
    assert page["article_total"] == 7 and len(page["surfaces"]) == 7
    assert set(_ids(db, "Sar Sokha (PERSON)")) == {a["article_id"] for a in page["articles"]}
    db.close()
