"""Choosing what an export covers: filters by tag, article, date and analyst."""

from __future__ import annotations

import pytest

from storage import passages
from storage.export_selection import (PassageFilter, analysts, count_passages,
                                      project_guid, selected_articles, selected_passages,
                                      selected_tags)

from export_fixtures import tricky, tricky_db_path  # noqa: F401


def texts(db, **kwargs) -> list[str]:
    return [row["text"] for row in selected_passages(db, PassageFilter(**kwargs))]


def test_no_filter_selects_every_passage_in_article_order(tricky):
    rows = list(selected_passages(tricky))
    assert len(rows) == count_passages(tricky) == passages.passage_count(tricky) == 7
    assert [(r["article_id"], r["start"]) for r in rows] == sorted(
        (r["article_id"], r["start"]) for r in rows)
    assert {"prefix", "suffix", "tag_color", "article_published", "article_hash"} <= set(rows[0])


def test_filters_combine(tricky):
    assert texts(tricky, tags=("key QUOTE",)) == [
        "مرحبا بالعالم", "שלום עולם", "<script>alert(1)</script>"]
    assert len(texts(tricky, tags=("Key quote", "Cybercrime"))) == 4
    assert texts(tricky, article_ids=(2,)) == ["scam compound raid"]
    assert texts(tricky, analysts=("bo",)) == ["scam compound raid"]
    assert texts(tricky, analysts=("ana",), tags=("Cybercrime",)) == []
    # published dates, both ends inclusive
    assert len(texts(tricky, since="2024-05-01", until="2024-05-01")) == 6
    assert texts(tricky, since="2024-06-01") == ["scam compound raid"]
    assert texts(tricky, until="2024-04-30") == []
    # tagged dates: every passage was tagged today
    assert len(texts(tricky, since="2000-01-01", date_of="tagged")) == 7
    assert texts(tricky, until="2000-01-01", date_of="tagged") == []
    assert count_passages(tricky, PassageFilter(tags=("Key quote",), analysts=("ana",))) == 3


def test_the_tagged_dates_are_the_analysts_days(tricky, time_zone):
    """``dossier export --date-of tagged`` and the Export dialog compared the
    stored UTC time's day: tagged at 06:30 on 23 November in Phnom Penh
    (22 November 23:30 UTC) was not of the 23rd."""
    from storage import journal

    time_zone("Asia/Phnom_Penh")
    with journal.step(tricky, "Tagged in Phnom Penh"):
        tricky.execute("UPDATE passages SET created_at = '2026-11-22T23:30:00+00:00'")
    assert len(texts(tricky, since="2026-11-23", until="2026-11-23", date_of="tagged")) == 7
    assert texts(tricky, until="2026-11-22", date_of="tagged") == []
    assert texts(tricky, since="2026-11-24", date_of="tagged") == []


def test_articles_follow_only_the_article_level_filter(tricky):
    titles = [a["title"] for a in selected_articles(tricky)]
    assert len(titles) == 3 and titles[2] == "Untagged, undated"
    # a tag filter does not drop articles; a published range drops undated ones
    assert len(list(selected_articles(tricky, PassageFilter(tags=("Cybercrime",))))) == 3
    assert [a["id"] for a in selected_articles(tricky, PassageFilter(since="2024-01-01"))] == [1, 2]
    assert [a["id"] for a in selected_articles(tricky, PassageFilter(article_ids=(3,)))] == [3]


def test_tags_with_counts_and_analysts(tricky):
    every = selected_tags(tricky)
    assert len(every) == 9
    counts = {t["name"]: t["passage_count"] for t in every}
    assert counts["Key quote"] == 3 and counts["Drugs"] == 0
    only = selected_tags(tricky, PassageFilter(tags=("cybercrime",), analysts=("ana",)))
    assert [(t["name"], t["passage_count"]) for t in only] == [("Cybercrime", 0)]
    assert analysts(tricky) == ["ana", "bo"]


def test_project_guid_is_made_once(tricky):
    first = project_guid(tricky)
    assert project_guid(tricky) == first and len(first) == 36


def test_a_read_only_file_has_a_project_guid_it_does_not_store(tricky_db_path):
    """A read-only file never exported used to fail: project_guid wrote meta."""
    from storage import open_database
    from storage.database import get_meta

    guids = []
    for _ in range(2):
        read_only = open_database(tricky_db_path, read_only=True)
        guids.append(project_guid(read_only))
        assert get_meta(read_only, "project_guid") is None
        read_only.close()
    writable = open_database(tricky_db_path)
    # the same once the file can keep it, so its exports keep their ids
    assert guids[0] == guids[1] == project_guid(writable)
    assert get_meta(writable, "project_guid") == guids[0]
    writable.close()


def test_a_bad_date_field_is_refused():
    with pytest.raises(ValueError):
        PassageFilter(date_of="imported")


def test_two_filtered_lists_of_as_many_articles_have_distinct_collection_keys():
    from storage.export_selection import filter_key

    one = PassageFilter(article_sql="SELECT a.id FROM articles a WHERE a.source = ?",
                        article_sql_params=("VOA",), listed="the 2 articles the list showed")
    two = PassageFilter(article_sql="SELECT a.id FROM articles a WHERE a.source = ?",
                        article_sql_params=("RFA",), listed="the 2 articles the list showed")
    assert one.describe() == two.describe()
    assert filter_key(one) != filter_key(two)
    assert filter_key(PassageFilter(tags=("Drugs",))) == PassageFilter(tags=("Drugs",)).describe()


def test_analysts_are_found_by_seeks_and_ordered_as_sqlite_orders_them(tmp_path):
    """The same list as ``SELECT DISTINCT … ORDER BY analyst COLLATE NOCASE``
    (case apart, ties by the name), read a seek per analyst; ``among``
    keeps only those."""
    import random

    from storage import articles, open_database, tags

    db = open_database(tmp_path / "analysts.db")
    tag_id = tags.create_tag(db, "Analysts test", "#123456")
    article_id = articles.add_article(db, title="A", text="Some words to tag here.")[0]
    names = ["ana", "Ana", "bo", "", "Zoë", "zed", "ëlise", "B", "consensus"]
    rng = random.Random(5)
    for name in rng.choices(names, k=80):
        start = rng.randrange(0, 10)
        passages.add_passage(db, article_id=article_id, tag_id=tag_id, start=start,
                             end=start + 5, analyst=name)
    found = analysts(db)
    assert sorted(found) == sorted(set(found)) == sorted(
        r[0] for r in db.execute("SELECT DISTINCT analyst FROM passages"))
    nocase = [r[0] for r in db.execute(
        "SELECT DISTINCT analyst FROM passages ORDER BY analyst COLLATE NOCASE, analyst")]
    assert found == nocase
    assert analysts(db, among=("bo", "nobody", "Zoë")) == ["bo", "Zoë"]
    reads: list[str] = []
    db.conn.set_trace_callback(reads.append)
    analysts(db)
    db.conn.set_trace_callback(None)
    assert not any("DISTINCT" in r.upper() for r in reads)
    assert len(reads) == len(set(names)) + 1
