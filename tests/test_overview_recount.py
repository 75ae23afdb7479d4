"""The Overview's shortcuts give exactly what a plain recount gives (issue 20):
the id set shared through ``temp.overview_ids``, the co-occurrence read from
the span index, the entities and speakers summed from their per-article code
lines (migration 0020), the networks counted in Python. Each chart's rows
are checked against counts made here in plain Python from the rows stored,
on a small random corpus (real SQLite), for several list filters (the
networks against their first single-join SQL, on the analysed seeds); and
the codes follow every change to
``article_entities`` and ``article_speakers`` (inserts, updates, deletes, an
article deleted, a rebuild)."""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from datetime import date, timedelta

import pytest

from storage import articles, entity_index, open_database, overview, passages, tags
from storage.article_query import ArticleQuery

SOURCES = ("Khmer Times", "VOD", "Reuters", None)
ANALYSTS = ("ana", "bo", "chea")
SURFACES = [("Sar Sokha", "PERSON"), ("sar sokha", "PERSON"), ("SAR SOKHA", "PERSON"),
            ("Sokha", "ORG"), ("Sokha", "PERSON"), ("Cambodia", "GPE"),
            ("cambodia", "GPE"), ("Interpol", "ORG"), ("Khmer", "NORP"),
            ("Mekong", "LOC"), ("2024", "DATE"), ("three", "CARDINAL"),
            ("Hun Manet", "PERSON"), ("Phnom Penh", "GPE"), ("Airport", "FAC")]
SPEAKERS = ("Sar Sokha", "sar sokha", "Kao Kim Hourn", "Touch Sokhak", "AFP")


@pytest.fixture
def corpus(tmp_path):
    """40 articles with dates (some none), sources, passages of four tags
    (one a child) by three analysts, overlapping or not, and entity and
    speaker summaries with case variants; the plain data as dicts too."""
    rng = random.Random(20)
    db = open_database(tmp_path / "dossier.db")
    ids, meta = [], {}
    for i in range(40):
        day = None if i % 9 == 0 else date(2023, 11, 1) + timedelta(days=rng.randrange(120))
        words = "zebrafish " if i % 3 else ""
        text = f"Article {i}: {words}" + "Some words about the case. " * 8
        source = SOURCES[i % len(SOURCES)]
        article_id = articles.add_article(db, title=f"A{i}", text=text, source=source,
                                          published=day.isoformat() if day else None)[0]
        ids.append(article_id)
        meta[article_id] = {"day": day, "source": source or "", "search": bool(words),
                            "length": len(text)}
    drugs = tags.create_tag(db, "Drugs", "#aa0000")
    cyber = tags.create_tag(db, "Cyber", "#0000aa")
    scams = tags.create_tag(db, "Scams", "#00aa00")
    fraud = tags.create_tag(db, "Fraud", "#aaaa00")
    tags.set_parent(db, scams, cyber)
    tag_ids = (drugs, cyber, scams, fraud)
    assert tag_ids == (1, 2, 3, 4)      # as QUERIES name them (Scams is below Cyber, 2)
    stored = []
    for analyst in ANALYSTS:
        ranges = []
        for _ in range(45):
            article_id = rng.choice(ids)
            start = rng.randrange(0, 150)
            ranges.append({"article_id": article_id, "tag_id": rng.choice(tag_ids),
                           "start": start, "end": start + rng.randrange(5, 60)})
        passages.add_passages(db, ranges, analyst=analyst)
        stored += [{**r, "analyst": analyst} for r in ranges]
    entities, speakers = [], []
    with db.atomic():
        for article_id in ids:
            seen = set()
            for name, label in rng.sample(SURFACES, rng.randrange(0, 9)):
                key = (name.lower(), label)
                if key in seen:      # one row per (key, label) and article, as analysed
                    continue
                seen.add(key)
                mentions = rng.randrange(1, 6)
                db.execute("INSERT INTO article_entities (article_id, name, label, mentions) "
                           "VALUES (?, ?, ?, ?)", [article_id, name, label, mentions])
                entities.append({"article_id": article_id, "name": name, "label": label,
                                 "mentions": mentions})
            for speaker in rng.sample(SPEAKERS, rng.randrange(0, 3)):
                quotes = rng.randrange(1, 4)
                db.execute("INSERT INTO article_speakers (article_id, speaker, quotes) "
                           "VALUES (?, ?, ?)", [article_id, speaker, quotes])
                speakers.append({"article_id": article_id, "speaker": speaker,
                                 "quotes": quotes})
    roots = {drugs: drugs, cyber: cyber, scams: cyber, fraud: fraud}
    yield db, {"ids": ids, "meta": meta, "passages": stored, "entities": entities,
               "speakers": speakers, "roots": roots, "tags": tag_ids}
    db.close()


def listed(data, *, tag_id=None, source=None, since=None, until=None, search=False):
    """The ids the list shows, worked out here from the data."""
    found = set()
    below = {t for t, root in data["roots"].items() if t == tag_id or root == tag_id}
    tagged = {p["article_id"] for p in data["passages"] if p["tag_id"] in below}
    for article_id, m in data["meta"].items():
        if tag_id is not None and article_id not in tagged:
            continue
        if source is not None and m["source"].lower() != source.lower():
            continue
        if (since or until) and (m["day"] is None or (since and m["day"] < since)
                                 or (until and m["day"] > until)):
            continue
        if search and not m["search"]:
            continue
        found.add(article_id)
    return found


QUERIES = {
    "unfiltered": (ArticleQuery(), {}),
    "tag": (ArticleQuery(tag_id=1), {"tag_id": 1}),
    "source": (ArticleQuery(source="VOD"), {"source": "VOD"}),
    "dates": (ArticleQuery(since="2023-12-01", until="2024-01-31"),
              {"since": date(2023, 12, 1), "until": date(2024, 1, 31)}),
    "search": (ArticleQuery(search="zebrafish"), {"search": True}),
    "search and tag": (ArticleQuery(search="zebrafish", tag_id=2),
                       {"search": True, "tag_id": 2}),
}


def _period(day: date, unit: str) -> str:
    if unit == "month":
        return day.strftime("%Y-%m")
    return (day - timedelta(days=day.weekday())).isoformat()


@pytest.mark.parametrize("name", list(QUERIES))
def test_passage_charts_match_a_recount(corpus, name):
    db, data = corpus
    query, filters = QUERIES[name]
    ids = listed(data, **filters)
    assert ids or name == "unfiltered"
    shown = [p for p in data["passages"] if p["article_id"] in ids]
    meta, roots = data["meta"], data["roots"]
    for fold in (False, True):
        tag_of = (lambda t: roots[t]) if fold else (lambda t: t)
        for unit in ("month", "week"):
            expected = Counter((_period(meta[p["article_id"]]["day"], unit), tag_of(p["tag_id"]))
                               for p in shown if meta[p["article_id"]]["day"])
            rows = overview.tags_over_time(db, query, period=unit, fold=fold)
            assert {(r["period"], r["tag_id"]): r["passages"] for r in rows} == expected
        expected = Counter((meta[p["article_id"]]["source"], tag_of(p["tag_id"])) for p in shown)
        rows = overview.tags_by_source(db, query, fold=fold)
        assert {(r["source"], r["tag_id"]): r["passages"] for r in rows} == expected
        expected = Counter((p["analyst"], tag_of(p["tag_id"])) for p in shown)
        rows = overview.tags_by_analyst(db, query, fold=fold)
        assert {(r["analyst"], r["tag_id"]): r["passages"] for r in rows} == expected
        # co-occurrence: articles having both tags; overlapping pairs of passages
        per_article = defaultdict(set)
        for p in shown:
            per_article[p["article_id"]].add(tag_of(p["tag_id"]))
        expected = Counter((a, b) for found in per_article.values()
                           for a in found for b in found if a < b)
        rows = overview.tag_cooccurrence(db, query, fold=fold)
        assert {(r["tag_a"], r["tag_b"]): r["count"] for r in rows} == expected
        expected = Counter()
        for a in shown:
            for b in shown:
                if (b["article_id"] == a["article_id"] and a["tag_id"] < b["tag_id"]
                        and b["start"] < a["end"] and a["start"] < b["end"]):
                    pair = tuple(sorted((tag_of(a["tag_id"]), tag_of(b["tag_id"]))))
                    if pair[0] != pair[1]:
                        expected[pair] += 1
        rows = overview.tag_cooccurrence(db, query, mode="overlap", fold=fold)
        assert {(r["tag_a"], r["tag_b"]): r["count"] for r in rows} == expected
        assert expected or name != "unfiltered"     # the random data has overlaps


def recount_entities(data, ids, labels=overview.NAMED, limit=20):
    totals: dict[tuple, list] = {}
    for e in data["entities"]:
        if e["article_id"] in ids and e["label"] in labels:
            total = totals.setdefault((e["name"].lower(), e["label"]), [e["name"], 0, 0])
            total[0] = min(total[0], e["name"])
            total[1] += e["mentions"]
            total[2] += 1
    best = sorted(totals.items(), key=lambda kv: (-kv[1][1], kv[0]))[:limit]
    return [{"name": n, "label": label, "mentions": m, "articles": a}
            for (_key, label), (n, m, a) in best]


def recount_speakers(data, ids, limit=20):
    totals: dict[str, list] = {}
    for s in data["speakers"]:
        if s["article_id"] in ids:
            total = totals.setdefault(s["speaker"].lower(), [s["speaker"], 0, 0])
            total[0] = min(total[0], s["speaker"])
            total[1] += s["quotes"]
            total[2] += 1
    best = sorted(totals.items(), key=lambda kv: (-kv[1][1], kv[0]))[:limit]
    return [{"speaker": n, "quotes": q, "articles": a} for _key, (n, q, a) in best]


@pytest.mark.parametrize("name", list(QUERIES))
def test_top_entities_and_speakers_match_a_recount(corpus, name, monkeypatch):
    db, data = corpus
    monkeypatch.setattr(overview, "CODE_ROWS", 3)     # parsed and added in many parts
    query, filters = QUERIES[name]
    ids = listed(data, **filters)
    december = {i for i in ids if data["meta"][i]["day"]
                and data["meta"][i]["day"].strftime("%Y-%m") == "2023-12"}

    def same(rows, field="name"):
        # unfiltered, the corpus totals entity_counts name an entity by the
        # first of its surfaces stored, not the least one (speaker_counts
        # follows the least spelling, as the filtered sums, since 0036)
        if name != "unfiltered":
            return rows
        return [{**r, field: r[field].lower()} for r in rows]
    assert same(overview.top_entities(db, query)) == same(recount_entities(data, ids))
    assert same(overview.top_entities(db, query, limit=3)) == \
        same(recount_entities(data, ids, limit=3))
    assert same(overview.top_entities(db, query, labels=("PERSON", "DATE"))) == \
        same(recount_entities(data, ids, labels=("PERSON", "DATE")))
    assert overview.top_entities(db, query, period=("month", "2023-12")) == \
        recount_entities(data, december)
    assert overview.top_speakers(db, query) == recount_speakers(data, ids)
    assert overview.top_speakers(db, query, period=("month", "2023-12")) == \
        recount_speakers(data, december)
    if name == "search":     # a broad list: more than half the corpus
        assert len(ids) > len(data["ids"]) / 2


def stored_codes(db, codes="article_entity_codes", surfaces="entity_surfaces") -> Counter:
    """What a codes table holds, as (article, surface…, count) rows."""
    named = {r[0]: tuple(r[1:]) for r in db.execute(f"SELECT * FROM {surfaces}")}
    found = Counter()
    for article_id, line in db.execute(f"SELECT article_id, codes FROM {codes}"):
        numbers = [int(n) for n in line.split()]
        for code, count in zip(numbers[0::2], numbers[1::2]):
            found[(article_id, *named[code], count)] += 1
    return found


def summaries(db, sql="SELECT article_id, name, label, mentions FROM article_entities"):
    return Counter(tuple(r) for r in db.execute(sql))


SPEAKERS_SQL = "SELECT article_id, speaker, quotes FROM article_speakers"


def speaker_codes(db) -> Counter:
    return stored_codes(db, "article_speaker_codes", "speaker_surfaces")


def test_entity_codes_follow_article_entities(corpus):
    db, data = corpus
    assert stored_codes(db) == summaries(db) and len(summaries(db)) > 50
    assert speaker_codes(db) == summaries(db, SPEAKERS_SQL) and len(data["speakers"]) > 20
    first, second = data["ids"][1], data["ids"][2]
    with db.atomic():
        db.execute("DELETE FROM article_speakers WHERE rowid = (SELECT min(rowid) FROM "
                   "article_speakers)")
        db.execute("UPDATE article_speakers SET quotes = quotes + 5 WHERE rowid = "
                   "(SELECT max(rowid) FROM article_speakers)")
        # one entry dropped from the middle, one changed, one added
        db.execute("DELETE FROM article_entities WHERE rowid = (SELECT rowid FROM "
                   "article_entities WHERE article_id = ? LIMIT 1 OFFSET 1)", [first])
        db.execute("UPDATE article_entities SET mentions = mentions + 10 WHERE rowid = "
                   "(SELECT min(rowid) FROM article_entities WHERE article_id = ?)", [second])
        db.execute("INSERT INTO article_entities (article_id, name, label, mentions) VALUES "
                   "(?, 'New Surface', 'ORG', 12)", [first])
    assert stored_codes(db) == summaries(db)
    before = db.execute("SELECT code FROM entity_surfaces WHERE name = 'New Surface'").fetchone()
    # an article's summary refilled (no analysis: emptied), articles deleted
    assert speaker_codes(db) == summaries(db, SPEAKERS_SQL)
    entity_index.refresh_article(db, second)
    articles.delete_articles(db, data["ids"][5:8])
    assert stored_codes(db) == summaries(db)
    assert speaker_codes(db) == summaries(db, SPEAKERS_SQL)
    assert db.execute("SELECT count(*) FROM article_entity_codes WHERE article_id = ?",
                      [second]).fetchone()[0] == 0
    # the charts read the codes: the top entities follow the changes
    ids = set(data["ids"]) - set(data["ids"][5:8])
    kept = [e for e in data["entities"] if e["article_id"] in ids]
    rows = overview.top_entities(db, ArticleQuery(search="article"), limit=100)
    assert sum(r["mentions"] for r in rows) == sum(
        r[0] for r in db.execute(
            f"SELECT mentions FROM article_entities WHERE label IN "
            f"({', '.join('?' for _ in overview.NAMED)})", overview.NAMED))
    assert kept and rows
    # a rebuild empties and refills everything (codes of surfaces are kept)
    entity_index.rebuild(db)
    assert stored_codes(db) == summaries(db)
    assert speaker_codes(db) == summaries(db, SPEAKERS_SQL)
    assert db.execute("SELECT code FROM entity_surfaces WHERE name = 'New Surface'"
                      ).fetchone() == before


def speaker_totals(db) -> dict:
    """``speaker_counts`` as a recount of ``article_speakers`` gives it: per
    key the least spelling, the quotes and the articles."""
    found: dict = {}
    for speaker, quotes in db.execute("SELECT speaker, quotes FROM article_speakers"):
        total = found.setdefault(speaker.lower(), [speaker, 0, 0])
        total[0] = min(total[0], speaker)
        total[1] += quotes
        total[2] += 1
    return {key: tuple(total) for key, total in found.items()}


def stored_totals(db) -> dict:
    return {r[0]: tuple(r[1:]) for r in db.execute(
        "SELECT key, name, quotes, articles FROM speaker_counts")}


def test_quoted_most_names_each_speaker_by_its_spelling_in_the_summaries(corpus):
    """The insert trigger kept the first spelling counted: a spelling gone
    from every article still named the speaker."""
    db, data = corpus
    assert stored_totals(db) == speaker_totals(db)
    rows = db.execute("SELECT rowid, article_id, speaker FROM article_speakers "
                      "WHERE lower(speaker) = 'sar sokha' ORDER BY rowid").fetchall()
    assert {r[2] for r in rows} == {"Sar Sokha", "sar sokha"}
    with db.atomic():       # the least spelling leaves article by article
        for rowid, _article, speaker in rows:
            if speaker == "Sar Sokha":
                db.execute("DELETE FROM article_speakers WHERE rowid = ?", [rowid])
                assert stored_totals(db) == speaker_totals(db)
        db.execute("INSERT INTO article_speakers (article_id, speaker, quotes) "
                   "VALUES (?, 'SAR SOKHA', 2)", [rows[0][1]])
    assert stored_totals(db)["sar sokha"][0] == "SAR SOKHA"
    assert stored_totals(db) == speaker_totals(db)
    articles.delete_articles(db, data["ids"][:10])
    entity_index.rebuild(db)
    assert stored_totals(db) == speaker_totals(db)


def test_overview_quoted_most_uses_the_merged_spelling(analysed_db_path):
    """A merge changing only the capitalisation showed the new name in the
    Speakers tab and the filtered Overview, the old one unfiltered."""
    from storage import journal, quotes
    from storage import speaker_corrections as sc

    db = open_database(analysed_db_path)
    merged = "Press Release from the Ministry"
    sc.merge_speakers(db, ["press release", "press release from the ministry"], merged,
                      "organisation")
    assert merged in {s["speaker"] for s in quotes.speakers(db)}
    unfiltered = {r["speaker"]: r["quotes"] for r in overview.top_speakers(db)}
    assert unfiltered[merged] == 4 and "press release from the ministry" not in unfiltered
    assert {r["speaker"] for r in overview.top_speakers(db, ArticleQuery(search="the"))} \
        >= {merged}
    journal.undo(db)
    assert "press release from the ministry" in {r["speaker"] for r in overview.top_speakers(db)}
    assert stored_totals(db) == speaker_totals(db)
    db.close()


def test_the_migration_names_each_speaker_by_its_spelling(analysed_db_path):
    """Files from before 0036 hold the first spelling counted: opening one
    sets every name from the summaries, and its triggers keep it."""
    import sqlite3

    from storage import speaker_corrections as sc
    from storage.schema import _OVERVIEW_SQL, SCHEMA_VERSION

    db = open_database(analysed_db_path)
    db.close()
    conn = sqlite3.connect(analysed_db_path)
    with conn:      # back to schema 35, its triggers and a name left behind
        for event in ("insert", "delete"):
            conn.execute(f"DROP TRIGGER article_speakers_counts_{event}")
        for statement in _OVERVIEW_SQL:
            if "article_speakers_counts_" in statement:
                conn.execute(statement)
        conn.execute("ALTER TABLE speaker_counts DROP COLUMN shown")
        conn.execute("UPDATE speaker_counts SET name = upper(name) WHERE key = 'am sam ath'")
        conn.execute("DELETE FROM _sqlite_migrations WHERE name = '0036_speaker_counts_spelling'")
        conn.execute("PRAGMA user_version = 35")
    conn.close()
    db = open_database(analysed_db_path)
    assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert stored_totals(db) == speaker_totals(db)
    assert stored_totals(db)["am sam ath"][0] == "Am Sam Ath"
    sc.merge_speakers(db, ["press release", "press release from the ministry"],
                      "Press Release from the Ministry")
    assert stored_totals(db) == speaker_totals(db)
    db.close()


def test_the_shared_id_set_follows_changes_on_the_same_connection(corpus):
    db, data = corpus
    query = ArticleQuery(source="VOD")
    first = overview.tags_by_source(db, query)
    vod = sorted(listed(data, source="VOD"))
    articles.update_details(db, vod[0], source="Reuters")
    again = overview.tags_by_source(db, query)
    moved = Counter(p["tag_id"] for p in data["passages"] if p["article_id"] == vod[0])
    assert moved, "the article moved had passages"
    assert sum(r["passages"] for r in again) == sum(r["passages"] for r in first) - sum(
        moved.values())


#: The networks' counts as one SQL join each (how they were first written):
#: the reference the faster reading must equal.
SPEAKER_ENTITY_SQL = """
    WITH arts AS (SELECT id FROM articles ORDER BY id DESC LIMIT 1000),
    cur AS (SELECT arts.id AS article_id, {current} AS analysis_id FROM arts)
    SELECT min(qu.speaker), min(e.text), e.label, count(*)
    FROM cur JOIN quotes qu ON qu.analysis_id = cur.analysis_id
    JOIN entities e ON e.analysis_id = cur.analysis_id
         AND e.start >= qu.start AND e."end" <= qu."end"
    WHERE qu.speaker IS NOT NULL AND e.label IN ({labels})
      AND lower(e.text) != lower(qu.speaker)
    GROUP BY lower(qu.speaker), lower(e.text), e.label"""
COOCCURRENCE_SQL = """
    WITH ents AS (SELECT e.article_id, lower(e.name) AS key, e.name, e.label
                  FROM article_entities e WHERE e.label IN ({labels})),
    best AS (SELECT key, label, min(name) AS name FROM ents GROUP BY key, label),
    kept AS (SELECT ents.article_id, best.key, best.label, best.name FROM ents
             JOIN best ON best.key = ents.key AND best.label = ents.label)
    SELECT x.name, x.label, y.name, y.label, count(DISTINCT x.article_id)
    FROM kept x JOIN kept y ON y.article_id = x.article_id
         AND (x.key < y.key OR (x.key = y.key AND x.label < y.label))
    GROUP BY x.key, x.label, y.key, y.label"""


def test_networks_match_one_join_on_the_analysed_seeds(analysed_db_path):
    from storage.schema import current_analysis_sql

    db = open_database(analysed_db_path)
    labels = ", ".join(f"'{label}'" for label in overview.NAMED)
    expected = Counter({(r[0], r[1], r[2]): r[3] for r in db.execute(SPEAKER_ENTITY_SQL.format(
        current=current_analysis_sql("arts.id"), labels=labels))})
    rows = overview.speaker_entity_edges(db)
    assert Counter({(r["speaker"], r["entity"], r["label"]): r["weight"]
                    for r in rows}) == expected
    assert len(rows) == len(expected) > 5
    # every entity of the seeds kept (fewer than ``top``): no tie decides
    assert db.execute("SELECT count(DISTINCT lower(name) || label) FROM article_entities"
                      ).fetchone()[0] < 500
    expected = Counter({(r[0], r[1], r[2], r[3]): r[4] for r in db.execute(
        COOCCURRENCE_SQL.format(labels=labels))})
    rows = overview.entity_cooccurrence_edges(db, top=500)
    assert Counter({(r["a"], r["a_label"], r["b"], r["b_label"]): r["weight"]
                    for r in rows}) == expected and len(rows) > 20
    two = overview.entity_cooccurrence_edges(db, top=500, min_articles=2)
    assert [r for r in rows if r["weight"] >= 2] == two
    # a filter: the network of one seed is that seed's pairs only
    first = db.execute("SELECT min(id) FROM articles").fetchone()[0]
    title = db.execute("SELECT title FROM articles WHERE id = ?", [first]).fetchone()[0]
    one = overview.entity_cooccurrence_edges(
        db, ArticleQuery(search=" ".join(title.split()[:3])), top=500)
    assert one and all(r["weight"] == 1 for r in one)
    db.close()


def test_the_speaker_network_follows_the_analysts_corrections(analysed_db_path):
    """The Speakers ↔ entities network drew the analysis's speakers: a
    speaker set, a merge or a quote marked "not a quote" changed the tabs,
    the charts and the exports, but not it."""
    from storage import quotes, speaker_corrections

    db = open_database(analysed_db_path)

    def edges() -> Counter:
        return Counter({(r["speaker"], r["entity"]): r["weight"]
                        for r in overview.speaker_entity_edges(db)})

    before = edges()
    (speaker, entity), weight = before.most_common(1)[0]
    quote = next(q for q in quotes.all_quotes(db) if q["speaker"] == speaker
                 and entity in q["text"])
    speaker_corrections.set_speaker(db, quote["article_id"], quote["start"], quote["end"],
                                    "Corrected Speaker", analyst="ana")
    after = edges()
    assert after[("Corrected Speaker", entity)] >= 1
    assert after[(speaker, entity)] < weight
    speaker_corrections.merge_speakers(db, ["Corrected Speaker"], "Merged Name",
                                       analyst="ana")
    merged = edges()
    assert merged[("Merged Name", entity)] == after[("Corrected Speaker", entity)]
    assert not [k for k in merged if k[0] == "Corrected Speaker"]
    speaker_corrections.mark_not_quote(db, quote["article_id"], quote["start"], quote["end"],
                                       analyst="ana")
    assert edges()[("Merged Name", entity)] == merged[("Merged Name", entity)] - 1
    db.close()


def _plain_totals(db) -> dict:
    """Passages per (kind, value, tag) counted from the rows, as the charts
    over time and by source count them for a filtered list."""
    found = Counter()
    for kind, column in (("month", "o.month"), ("week", "o.week"),
                         ("source", "ifnull(o.source, '')")):
        for value, tag_id, n in db.execute(
                f"SELECT {column}, p.tag_id, count(*) FROM passages p JOIN article_periods o "
                f"ON o.article_id = p.article_id WHERE {column} IS NOT NULL GROUP BY 1, 2"):
            found[(kind, value, tag_id)] = n
    return found


def _charted_totals(db) -> dict:
    found = Counter()
    for kind in ("month", "week"):
        for r in overview.tags_over_time(db, period=kind):
            found[(kind, r["period"], r["tag_id"])] = r["passages"]
    for r in overview.tags_by_source(db, sources=100):
        found[("source", r["source"], r["tag_id"])] = r["passages"]
    return found


def test_corpus_totals_follow_passages_and_articles(corpus):
    """The unfiltered charts over time and by source read ``tag_totals``
    (migration 0021): it follows passages added, retagged and deleted,
    articles redated, moved to another source, deleted, and undo."""
    from storage import journal

    db, data = corpus
    assert _charted_totals(db) == _plain_totals(db) and len(_plain_totals(db)) > 30
    ids = data["ids"]
    new = passages.add_passage(db, article_id=ids[4], tag_id=3, start=0, end=9, analyst="ana")
    passages.retag_passage(db, new, 4)
    first = db.execute("SELECT min(id) FROM passages WHERE article_id = ?", [ids[1]]).fetchone()[0]
    passages.delete_passage(db, first)
    articles.update_details(db, ids[2], published="2022-02-02", source="Elsewhere")
    articles.update_details(db, ids[3], published=None)          # now undated
    articles.update_details(db, ids[9], published="2024-03-03")  # dated now
    assert _charted_totals(db) == _plain_totals(db)
    articles.delete_articles(db, ids[10:14])
    assert _charted_totals(db) == _plain_totals(db)
    with journal.step(db, "Delete an article (its passages by cascade)"):
        tagged = db.execute("SELECT article_id FROM passages WHERE article_id > ? LIMIT 1",
                            [ids[14]]).fetchone()[0]
        db.execute("DELETE FROM articles WHERE id = ?", [tagged])
    assert db.execute("SELECT count(*) FROM passages WHERE article_id = ?",
                      [tagged]).fetchone()[0] == 0
    assert _charted_totals(db) == _plain_totals(db)
    journal.undo(db)
    journal.undo(db)             # the articles and their passages come back
    assert db.execute("SELECT count(*) FROM articles").fetchone()[0] == len(ids)
    assert _charted_totals(db) == _plain_totals(db)
    journal.undo(db)             # ids[9] undated again
    assert _charted_totals(db) == _plain_totals(db)


def test_corpus_totals_follow_a_random_run_of_single_passage_changes(corpus):
    """The triggers on ``passages`` (migration 0021): passages added,
    retagged, moved to another article (dated or not, another source) and
    deleted in a random order, each its own statement, leave ``tag_totals``
    equal to a recount, rows at zero aside."""
    from storage import journal

    db, data = corpus
    ids, rng = data["ids"], random.Random(32)
    mine = [row[0] for row in db.execute("SELECT id FROM passages")]
    for _ in range(300):
        action = rng.choice(("add", "add", "retag", "move", "delete"))
        with journal.step(db, action):
            if action == "add" or not mine:
                mine.append(passages.add_passage(
                    db, article_id=rng.choice(ids), tag_id=rng.choice((1, 2, 3, 4)),
                    start=rng.randrange(0, 100), end=rng.randrange(110, 160), analyst="ana"))
            elif action == "retag":
                db.execute("UPDATE passages SET tag_id = ? WHERE id = ?",
                           [rng.choice((1, 2, 3, 4)), rng.choice(mine)])
            elif action == "move":
                db.execute("UPDATE passages SET article_id = ? WHERE id = ?",
                           [rng.choice(ids), rng.choice(mine)])
            else:
                gone = mine.pop(rng.randrange(len(mine)))
                db.execute("DELETE FROM passages WHERE id = ?", [gone])
    stored = Counter({(kind, value, tag_id): n for kind, value, tag_id, n in db.execute(
        "SELECT kind, value, tag_id, passages FROM tag_totals WHERE passages != 0")})
    assert stored == _plain_totals(db) and len(stored) > 30


@pytest.mark.parametrize("name", ["unfiltered", "source", "dates"])
def test_blind_passage_charts_count_only_the_shown_analysts(corpus, name):
    """View → Passages showing one analyst (blind coding): every passage
    count is of that analyst's passages, with or without a filter (the
    corpus totals are not used then)."""
    from dataclasses import replace

    db, data = corpus
    query, filters = QUERIES[name]
    query = replace(query, analysts=(ANALYSTS[0],))
    ids = listed(data, **filters)
    shown = [p for p in data["passages"]
             if p["article_id"] in ids and p["analyst"] == ANALYSTS[0]]
    assert shown
    meta = data["meta"]
    expected = Counter((_period(meta[p["article_id"]]["day"], "month"), p["tag_id"])
                       for p in shown if meta[p["article_id"]]["day"])
    rows = overview.tags_over_time(db, query, period="month")
    assert {(r["period"], r["tag_id"]): r["passages"] for r in rows} == expected
    expected = Counter((meta[p["article_id"]]["source"], p["tag_id"]) for p in shown)
    rows = overview.tags_by_source(db, query)
    assert {(r["source"], r["tag_id"]): r["passages"] for r in rows} == expected
    assert {r["analyst"] for r in overview.tags_by_analyst(db, query)} == {ANALYSTS[0]}
    per_article = defaultdict(set)
    for p in shown:
        per_article[p["article_id"]].add(p["tag_id"])
    expected = Counter((a, b) for found in per_article.values()
                       for a in found for b in found if a < b)
    rows = overview.tag_cooccurrence(db, query)
    assert {(r["tag_a"], r["tag_b"]): r["count"] for r in rows} == expected
    expected = Counter((a["tag_id"], b["tag_id"]) for a in shown for b in shown
                       if b["article_id"] == a["article_id"] and a["tag_id"] < b["tag_id"]
                       and b["start"] < a["end"] and a["start"] < b["end"])
    rows = overview.tag_cooccurrence(db, query, mode="overlap")
    assert {(r["tag_a"], r["tag_b"]): r["count"] for r in rows} == expected


def _clicked_passages(db, tag_id: int, source: str) -> int:
    """The tag's passages in the articles a Tags × sources cell's click
    lists (tag + source filter, as ``OverviewController.activate`` sets)."""
    from storage.article_query import NO_SOURCE, id_set

    sql, params = id_set(db, ArticleQuery(tag_id=tag_id, source=source or NO_SOURCE))
    ids = [r[0] for r in db.execute(sql, params)]
    return db.execute(f"SELECT count(*) FROM passages WHERE tag_id = ? AND article_id IN "
                      f"({','.join(map(str, ids)) or 'NULL'})", [tag_id]).fetchone()[0]


@pytest.mark.parametrize("query", [ArticleQuery(), ArticleQuery(since="2024-01-01")],
                         ids=["unfiltered", "filtered"])
def test_a_source_spelled_in_two_cases_is_one_column_counting_what_its_click_lists(
        tmp_path, query):
    """"VOD" and "vod" were two columns, and the "VOD" cell's click listed
    the articles of both (the source filter ignores case): one column now,
    under the least spelling, for the corpus totals and a filtered list."""
    db = open_database(tmp_path / "x.db")
    tag = tags.create_tag(db, "Drugs", "#aa0000")
    for i, source in enumerate(("VOD", "vod", "VOD", "Vod", "Reuters", None)):
        article_id = articles.add_article(db, title=f"A{i}", text=f"Article {i} words " * 5,
                                          source=source, published="2024-06-01")[0]
        passages.add_passage(db, article_id=article_id, tag_id=tag, start=0, end=5,
                             analyst="ana")
    rows = overview.tags_by_source(db, query)
    assert {r["source"]: r["passages"] for r in rows} == {"VOD": 4, "Reuters": 1, "": 1}
    for row in rows:
        assert _clicked_passages(db, row["tag_id"], row["source"]) == row["passages"]
    db.close()


def test_a_source_imported_with_spaces_around_it_is_listed_by_its_cell(tmp_path):
    """A source stored as " VOD " was counted under "VOD" (and "  " under
    "(none)"), but the source filter, which trims what is typed and not
    what is stored, listed neither: sources are stored trimmed."""
    db = open_database(tmp_path / "x.db")
    tag = tags.create_tag(db, "Drugs", "#aa0000")
    for i, source in enumerate((" VOD ", "VOD", "   ")):
        article_id = articles.add_article(db, title=f"A{i}", text=f"Article {i} words " * 5,
                                          source=source, published="2024-06-01")[0]
        passages.add_passage(db, article_id=article_id, tag_id=tag, start=0, end=5,
                             analyst="ana")
    for query in (ArticleQuery(), ArticleQuery(since="2024-01-01")):
        rows = overview.tags_by_source(db, query)
        assert {r["source"]: r["passages"] for r in rows} == {"VOD": 2, "": 1}
        for row in rows:
            assert _clicked_passages(db, row["tag_id"], row["source"]) == row["passages"]
    db.close()


def test_sources_stored_with_spaces_are_trimmed_by_the_migration_and_listed_by_their_cell(
        tmp_path):
    """Files from before 0037 keep the sources older imports stored (" VOD "),
    counted under "VOD" but listed by neither the source filter nor the
    cell's click: opening one trims them. The rewrite is no analyst's step;
    an older step that recorded " VOD " is still undone, putting back "VOD"."""
    import sqlite3

    from storage import journal
    from storage.article_query import id_set
    from storage.schema import SCHEMA_VERSION

    path = tmp_path / "x.db"
    db = open_database(path)
    tag = tags.create_tag(db, "Drugs", "#aa0000")
    ids = []
    with journal.step(db, "Import 5 files", origin="import-old"):
        for i, source in enumerate((" VOD ", "VOD", "\tvod \n", "   ", " VOD")):
            article_id = articles.store_article(db, title=f"A{i}", text=f"Article {i} words " * 5,
                                                published="2024-06-01")[0]
            # as an import stored it before sources were trimmed
            db.execute("UPDATE articles SET source = ? WHERE id = ?", [source, article_id])
            ids.append(article_id)
    for article_id in ids:
        passages.add_passage(db, article_id=article_id, tag_id=tag, start=0, end=5,
                             analyst="ana")
    with journal.step(db, "Edit article details", origin="window-old") as edit:
        db.execute("UPDATE articles SET source = 'Reuters' WHERE id = ?", [ids[4]])
    with journal.step(db, "Import 1 file", origin="import-later"):
        untagged = articles.store_article(db, title="B", text="Untagged words " * 5)[0]
        db.execute("UPDATE articles SET source = ' AFP ' WHERE id = ?", [untagged])
    last_step = journal.last_step_id(db)
    db.close()
    conn = sqlite3.connect(path)
    with conn:      # back to schema 36
        conn.execute("DELETE FROM _sqlite_migrations WHERE name = '0037_sources_trimmed'")
        conn.execute("PRAGMA user_version = 36")
    conn.close()

    db = open_database(path)
    assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert [db.execute("SELECT source FROM articles WHERE id = ?", [i]).fetchone()[0]
            for i in ids] == ["VOD", "VOD", "vod", None, "Reuters"]
    sql, params = id_set(db, ArticleQuery(source="VOD"))
    assert sorted(r[0] for r in db.execute(sql, params)) == ids[:3]
    for query in (ArticleQuery(), ArticleQuery(since="2024-01-01")):
        rows = overview.tags_by_source(db, query)
        assert {r["source"]: r["passages"] for r in rows} == {"VOD": 3, "Reuters": 1, "": 1}
        for row in rows:
            assert _clicked_passages(db, row["tag_id"], row["source"]) == row["passages"]
    assert journal.last_step_id(db) == last_step
    assert journal.undoable(db, "window-old")["id"] == edit.id
    journal.undo(db, origin="window-old")
    assert db.execute("SELECT source FROM articles WHERE id = ?", [ids[4]]).fetchone()[0] \
        == "VOD"
    assert {r["source"]: r["passages"] for r in overview.tags_by_source(db)} == {"VOD": 4, "": 1}
    journal.undo(db, origin="import-later")     # its image held " AFP ": not refused
    assert db.execute("SELECT count(*) FROM articles WHERE id = ?", [untagged]).fetchone()[0] == 0
    db.close()
