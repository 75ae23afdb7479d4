"""The Overview's counts (issue 20, storage.overview): passages per period
per tag, tags × sources and analysts, tag co-occurrence, top speakers and
entities, restricted to the article list's query; the summary table
``article_periods`` follows edits — real SQLite files, small data."""

from __future__ import annotations

import pytest

from storage import articles, journal, open_database, overview, passages, tags
from storage.article_query import ArticleQuery, article_page


@pytest.fixture
def corpus(tmp_path):
    db = open_database(tmp_path / "dossier.db")
    ids = [articles.add_article(db, title=f"A{i}", text=f"Text number {i} about crime.",
                                published=published, source=source)[0]
           for i, (published, source) in enumerate([
               ("2024-06-03", "Khmer Times"), ("2024-06-20", "Khmer Times"),
               ("2024-07-01", "VOD"), (None, "VOD")])]
    drugs = tags.create_tag(db, "Drugs", "#aa0000")
    cyber = tags.create_tag(db, "Cyber", "#0000aa")
    scams = tags.create_tag(db, "Scams", "#00aa00")
    tags.set_parent(db, scams, cyber)

    def tag(article, tag_id, start, end, analyst="ana"):
        passages.add_passage(db, article_id=ids[article], tag_id=tag_id, start=start,
                             end=end, analyst=analyst)
    tag(0, drugs, 0, 4)
    tag(0, cyber, 2, 8)          # overlaps the Drugs passage
    tag(1, drugs, 0, 4, "bo")
    tag(1, scams, 10, 14, "bo")  # same article, no overlap
    tag(2, scams, 0, 4)
    tag(3, drugs, 0, 4)          # undated
    yield db, ids, {"drugs": drugs, "cyber": cyber, "scams": scams}
    db.close()


def test_passages_per_month_and_week_per_tag(corpus):
    db, ids, t = corpus
    rows = overview.tags_over_time(db)
    assert {(r["period"], r["tag_id"]): r["passages"] for r in rows} == {
        ("2024-06", t["drugs"]): 2, ("2024-06", t["cyber"]): 1,
        ("2024-06", t["scams"]): 1, ("2024-07", t["scams"]): 1}
    folded = overview.tags_over_time(db, fold=True)
    assert {(r["period"], r["tag_id"]): r["passages"] for r in folded} == {
        ("2024-06", t["drugs"]): 2, ("2024-06", t["cyber"]): 2, ("2024-07", t["cyber"]): 1}
    weeks = {r["period"] for r in overview.tags_over_time(db, period="week")}
    assert weeks == {"2024-06-03", "2024-06-17", "2024-07-01"}      # Mondays
    assert overview.period_bounds("month", "2024-06") == ("2024-06-01", "2024-06-30")
    assert overview.period_bounds("week", "2024-06-17") == ("2024-06-17", "2024-06-23")



def test_the_columns_of_the_calendars_last_month_and_week_filter_the_list(corpus):
    """An article dated 9999-12-31 (a common "no date" placeholder) has a
    column 9999-12; clicking it raised ValueError (year 10000) in
    period_bounds, and the list was not filtered."""
    db, ids, t = corpus
    articles.update_details(db, ids[2], published="9999-12-31")
    month = {r["period"] for r in overview.tags_over_time(db)} - {"2024-06"}
    week = {r["period"] for r in overview.tags_over_time(db, period="week")} - {
        "2024-06-03", "2024-06-17"}
    assert (month, week) == ({"9999-12"}, {"9999-12-27"})
    assert overview.period_bounds("month", "9999-12") == ("9999-12-01", "9999-12-31")
    assert overview.period_bounds("week", "9999-12-27") == ("9999-12-27", "9999-12-31")
    for unit, key in (("month", "9999-12"), ("week", "9999-12-27")):
        since, until = overview.period_bounds(unit, key)
        query = ArticleQuery(tag_id=t["scams"], since=since, until=until)
        assert [r["id"] for r in article_page(db, query, 0, 10)] == [ids[2]]


def test_the_passages_of_undated_articles_are_counted_and_said(corpus):
    """The time chart leaves undated articles out, and says how many
    passages that leaves out."""
    from desktop.overview_counts import compute

    db, ids, t = corpus
    assert overview.undated_passages(db) == 1
    assert overview.undated_passages(db, ArticleQuery(source="Khmer Times")) == 0
    chart = compute(db, ArticleQuery(), {}, only=("time",))["charts"]["time"]
    assert chart["title"].endswith("— 1 passage of undated articles not shown (Dated by: "
                                   "tagging shows every passage)")
    shown = compute(db, ArticleQuery(source="Khmer Times"), {}, only=("time",))
    assert "undated" not in shown["charts"]["time"]["title"]


def test_passages_per_month_and_week_of_tagging(corpus, time_zone):
    """Dated by tagging, every passage counts — undated articles' too — in
    the period it was made, and the list's query still applies."""
    from desktop.overview_counts import compute

    time_zone("UTC")
    db, ids, t = corpus
    with journal.step(db, "Date the passages"):
        db.execute("UPDATE passages SET created_at = '2025-03-04T10:00:00Z' "
                   "WHERE analyst = 'bo'")
        db.execute("UPDATE passages SET created_at = '2025-02-27T23:59:59Z' "
                   "WHERE analyst = 'ana'")
    rows = overview.tags_over_time(db, dated_by="tagged")
    assert {(r["period"], r["tag_id"]): r["passages"] for r in rows} == {
        ("2025-02", t["drugs"]): 2, ("2025-02", t["cyber"]): 1, ("2025-02", t["scams"]): 1,
        ("2025-03", t["drugs"]): 1, ("2025-03", t["scams"]): 1}
    weeks = {r["period"] for r in overview.tags_over_time(db, period="week", dated_by="tagged")}
    assert weeks == {"2025-02-24", "2025-03-03"}        # Mondays
    vod = overview.tags_over_time(db, ArticleQuery(source="VOD"), dated_by="tagged")
    assert [(r["period"], r["tag_id"], r["passages"]) for r in vod] == [
        ("2025-02", t["drugs"], 1), ("2025-02", t["scams"], 1)]
    chart = compute(db, ArticleQuery(), {"dated_by": "tagged"}, only=("time",))
    assert chart["charts"]["time"]["title"] == "Tagged passages per month of tagging"
    published = compute(db, ArticleQuery(), {}, only=("time",))["charts"]["time"]["title"]
    assert published.endswith("(Dated by: tagging shows every passage)")



def test_the_periods_of_tagging_are_the_analysts(corpus, time_zone):
    """Tagged at 03:00 on Monday 3 March in Phnom Penh (Sunday 2 March, 20:00
    UTC): of March's first full week there, not of the week before."""
    db, ids, t = corpus
    time_zone("Asia/Phnom_Penh")
    with journal.step(db, "Date the passages"):
        db.execute("UPDATE passages SET created_at = '2025-03-02T20:00:00+00:00'")
    weeks = {r["period"] for r in overview.tags_over_time(db, period="week", dated_by="tagged")}
    assert weeks == {"2025-03-03"}
    with journal.step(db, "Date the passages"):
        db.execute("UPDATE passages SET created_at = '2025-02-28T20:00:00+00:00'")  # 1 March
    months = {r["period"] for r in overview.tags_over_time(db, dated_by="tagged")}
    assert months == {"2025-03"}

def test_counts_follow_the_article_list_query(corpus):
    db, ids, t = corpus
    only_vod = ArticleQuery(source="VOD")
    assert {(r["source"], r["tag_id"]): r["passages"]
            for r in overview.tags_by_source(db, only_vod)} == {
        ("VOD", t["scams"]): 1, ("VOD", t["drugs"]): 1}
    assert {(r["analyst"], r["tag_id"]): r["passages"]
            for r in overview.tags_by_analyst(db, ArticleQuery(since="2024-06-10"))} == {
        ("bo", t["drugs"]): 1, ("bo", t["scams"]): 1, ("ana", t["scams"]): 1}
    july = overview.tags_over_time(db, ArticleQuery(search="number 2"))
    assert [(r["period"], r["tag_id"]) for r in july] == [("2024-07", t["scams"])]


def test_tag_cooccurrence_by_article_or_overlap(corpus):
    db, ids, t = corpus
    pair = tuple(sorted((t["drugs"], t["cyber"])))
    by_article = {(r["tag_a"], r["tag_b"]): r["count"] for r in overview.tag_cooccurrence(db)}
    assert by_article == {pair: 1, tuple(sorted((t["drugs"], t["scams"]))): 1}
    overlap = {(r["tag_a"], r["tag_b"]): r["count"]
               for r in overview.tag_cooccurrence(db, mode="overlap")}
    assert overlap == {pair: 1}
    folded = overview.tag_cooccurrence(db, fold=True)    # Scams is under Cyber
    assert {(r["tag_a"], r["tag_b"]): r["count"] for r in folded} == {pair: 2}


def test_article_periods_follow_edits_and_deletes(corpus):
    db, ids, t = corpus
    articles.update_details(db, ids[3], published="2023-01-15", source="Reuters")
    row = db.execute("SELECT month, week, source FROM article_periods WHERE article_id = ?",
                     [ids[3]]).fetchone()
    assert row == ("2023-01", "2023-01-09", "Reuters")
    assert ("2023-01", t["drugs"]) in {(r["period"], r["tag_id"])
                                       for r in overview.tags_over_time(db)}


def test_top_speakers_and_entities_from_the_summaries(corpus):
    db, ids, t = corpus
    with db.atomic():
        db.execute("INSERT INTO article_speakers (article_id, speaker, quotes) VALUES "
                   "(?, 'Sar Sokha', 3), (?, 'sar sokha', 1), (?, 'Kao Kim Hourn', 2)",
                   [ids[0], ids[2], ids[2]])
        db.execute("INSERT INTO article_entities (article_id, name, label, mentions) VALUES "
                   "(?, 'Interpol', 'ORG', 4), (?, 'Cambodia', 'GPE', 1), "
                   "(?, 'Cambodia', 'GPE', 2)", [ids[0], ids[0], ids[2]])
    assert overview.top_speakers(db)[0] == {"speaker": "Sar Sokha", "quotes": 4, "articles": 2}
    assert [r["speaker"] for r in overview.top_speakers(db, ArticleQuery(source="VOD"))] == [
        "Kao Kim Hourn", "sar sokha"]
    # articles with a Cyber passage, or one below it (Scams): articles 0, 1, 2
    assert overview.top_speakers(db, tag_id=t["cyber"])[0]["quotes"] == 4
    assert overview.top_speakers(db, period=("month", "2024-07"))[0]["speaker"] == "Kao Kim Hourn"
    assert [(r["name"], r["mentions"]) for r in overview.top_entities(db)] == [
        ("Interpol", 4), ("Cambodia", 3)]
    assert [(r["name"], r["mentions"]) for r in overview.top_entities(
        db, period=("month", "2024-07"))] == [("Cambodia", 2)]


def test_a_name_found_under_two_labels_is_two_network_nodes(corpus, monkeypatch):
    """spaCy often finds a name under two labels (Cambodia as GPE and ORG):
    the networks keyed their nodes on the name alone, so Cambodia got an
    edge to itself, two edges to Interpol and the sum of both counts."""
    from desktop.overview_counts import compute

    db, ids, t = corpus
    with db.atomic():
        for article_id in ids[:3]:
            db.execute("INSERT INTO article_entities (article_id, name, label, mentions) "
                       "VALUES (?, 'Cambodia', 'GPE', 1), (?, 'cambodia', 'ORG', 1), "
                       "(?, 'Interpol', 'ORG', 1)", [article_id] * 3)
    net = compute(db, ArticleQuery(), {}, only=("entity_network",))["charts"]["entity_network"]
    pairs = [frozenset((e["a"], e["b"])) for e in net["edges"]]
    assert all(len(pair) == 2 for pair in pairs) and len(set(pairs)) == len(pairs) == 3
    assert sorted(n["tip"] for n in net["nodes"]) == [
        "Cambodia (GPE): 6 articles in the network",
        "Interpol (ORG): 6 articles in the network",
        "cambodia (ORG): 6 articles in the network"]

    monkeypatch.setattr(overview, "speaker_entity_edges", lambda db, query: [
        {"speaker": "Sar Sokha", "entity": "Cambodia", "label": "GPE", "weight": 2},
        {"speaker": "Sar Sokha", "entity": "Cambodia", "label": "ORG", "weight": 1}])
    net = compute(db, ArticleQuery(), {}, only=("speaker_network",))["charts"]["speaker_network"]
    assert len({frozenset((e["a"], e["b"])) for e in net["edges"]}) == 2
    assert sorted(n["tip"] for n in net["nodes"]) == [
        "Cambodia (GPE): 2 mentions in the network",
        "Cambodia (ORG): 1 mentions in the network",
        "Sar Sokha (speaker): 3 mentions in the network"]
