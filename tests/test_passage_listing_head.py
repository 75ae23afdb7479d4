"""The Passages workspace's list read through its head (storage.passage_listing):
each filter alone and in pairs, on a generated corpus where common filters
take the walk along an index and rare ones the read-and-sort, answers exactly
what a plain Python filter of the stored facts answers — the first ids, every
page across the head's end, the count (from the head, or counted), the ids
"Export these…" takes — and a text edit leaves the old analysis's quotes out
of the speaker filter."""

from __future__ import annotations

import hashlib
import random
from datetime import date, timedelta

import pytest

from storage import articles, entity_index, journal, passages, review, tags
from storage.passage_listing import (PassageListing, PassageQuery, _head_query,
                                     count_passages, first_ids, passage_ids,
                                     passage_position)

ANALYSTS = ("ana", "bo", "chea")
SOURCES = ("Reuters", "reuters", "AP", None)
DATES = (None, "2022-05-01", "2023-01-01", "2023-03-31T10:00", "2023-04-01", "2024-02-29")
HEAD = 4


def _text(i: int) -> str:
    return " ".join(f"w{i}x{k}" for k in range(40)) + "."


@pytest.fixture
def corpus(db):
    """60 articles, 400 passages (a common tag with a child, a rare tag,
    three analysts, ties on start), review marks, and quotes of "Sok" in
    current and stale analyses. Returns the facts to filter in Python."""
    rng = random.Random(17)
    facts = {"articles": {}, "passages": {}}
    for i in range(60):
        source, published = SOURCES[i % 4], DATES[i % 6]
        article_id, _ = articles.add_article(db, title=f"Story {i:02}", text=_text(i),
                                             source=source, published=published)
        facts["articles"][article_id] = {"source": source, "published": published or "",
                                         "review": "new"}
    ids = sorted(facts["articles"])
    for article_id, status in zip(ids[::7], ("done", "in progress") * 5):
        review.set_review_status(db, article_id, status)
        facts["articles"][article_id]["review"] = status
    common = tags.find_tag(db, "Cybercrime")["id"]
    child = tags.create_tag(db, "Scams", "#123456")
    tags.set_parent(db, child, common)
    rare = tags.find_tag(db, "Drugs")["id"]
    rare_child = tags.create_tag(db, "Pills", "#654321")
    tags.set_parent(db, rare_child, rare)
    others = [t["id"] for t in tags.list_tags(db)
              if t["id"] not in (common, child, rare, rare_child)]
    facts["tags"] = {"common": common, "child": child, "rare": rare, "rare_child": rare_child}
    for n, analyst in enumerate(ANALYSTS):
        ranges = []
        for k in range(140 - 20 * n):
            article_id = rng.choice(ids)
            word = rng.randrange(30)
            start = len(" ".join(f"w{article_id}x{j}" for j in range(word))) + (1 if word else 0)
            tag_id = (rare if k % 60 == 0 else rare_child if k % 60 == 30 else rng.choice(
                [common] * 4 + [child] * 2 + others))
            ranges.append({"article_id": article_id, "tag_id": tag_id, "start": start,
                           "end": start + 5 + rng.randrange(12)})
        ranges.sort(key=lambda r: r["article_id"])
        for r, passage_id in zip(ranges, passages.add_passages(db, ranges, analyst=analyst)):
            facts["passages"][passage_id] = {**r, "analyst": analyst}
    # quotes of "Sok": in a current analysis of every 3rd article, and in a
    # stale one (of an older text) of every 5th, which must not count
    with journal.unrecorded(db):
        for article_id in ids:
            current = db.execute("SELECT text_hash FROM articles WHERE id = ?",
                                 [article_id]).fetchone()[0]
            for hash_, every in ((current, 3), (hashlib.sha256(b"old").hexdigest(), 5)):
                if article_id % every:
                    continue
                analysis = db.execute(
                    "INSERT INTO analyses (article_id, text_hash, pipeline, pipeline_version, "
                    "degraded, created_at) VALUES (?, ?, ?, '1', 0, '2024-01-01')",
                    [article_id, hash_, f"p{every}"]).lastrowid
                for start in (0, 100, 200):
                    db.execute("INSERT INTO quotes (analysis_id, start, end, text, kind, speaker,"
                               " speaker_kind) VALUES (?, ?, ?, 'q', 'direct', ?, 'person')",
                               [analysis, start, start + 40, ("Sok", "SOK", "Dara")[start // 100]])
        # the per-article summaries, as storing an analysis refreshes them
        entity_index.refresh_articles(db, ids)
    facts["sok"] = {p for p, r in facts["passages"].items() if r["article_id"] % 3 == 0
                    and any(r["start"] < s + 40 and r["end"] > s for s in (0, 100))}
    return facts


def _expected(facts, q: PassageQuery) -> list[int]:
    """The query's list, filtered and ordered (article order) in Python."""
    t = facts["tags"]
    admitted_tags = None
    if q.tag_id is not None:
        children = {t["common"]: t["child"], t["rare"]: t["rare_child"]}
        admitted_tags = {q.tag_id} | ({children[q.tag_id]} if q.tag_children
                                      and q.tag_id in children else set())
    after = q.until and (date.fromisoformat(q.until) + timedelta(days=1)).isoformat()

    def dated(published: str) -> bool:     # undated articles are left out of a range
        return bool(published) and (not q.since or published >= q.since) and (
            not after or published < after)

    def keep(passage_id, r) -> bool:
        a = facts["articles"][r["article_id"]]
        return ((admitted_tags is None or r["tag_id"] in admitted_tags)
                and (not q.analyst or r["analyst"] == q.analyst)
                and (not q.analysts or r["analyst"] in q.analysts)
                and (not q.source or (a["source"] or "").lower() == q.source.lower())
                and (not (q.since or q.until) or dated(a["published"]))
                and (not q.review or a["review"] in {"new": ("new",), "done": ("done",),
                                                     "not done": ("new", "in progress")}[q.review])
                and (not q.speaker or passage_id in facts["sok"]))
    kept = [(r["article_id"], r["start"], p) for p, r in facts["passages"].items() if keep(p, r)]
    return [p for *_, p in sorted(kept, reverse=q.is_descending)]


def _queries(facts) -> list[PassageQuery]:
    t = facts["tags"]
    single = [{}, {"tag_id": t["common"]}, {"tag_id": t["common"], "tag_children": False},
              {"tag_id": t["child"]}, {"tag_id": t["rare"]},
              {"tag_id": t["rare"], "tag_children": False}, {"analyst": "bo"},
              {"source": "REUTERS"}, {"source": "AP"}, {"since": "2023-01-01"},
              {"until": "2023-03-31"}, {"since": "2023-03-31", "until": "2023-03-31"},
              {"review": "new"}, {"review": "done"}, {"review": "not done"},
              {"speaker": "sok"}, {"analysts": ("chea",)}, {"analysts": ("ana", "chea")}]
    pairs = [{**a, **b} for i, a in enumerate(single[1:]) for b in single[i + 2:]
             if not set(a) & set(b)]
    return [PassageQuery(**values, descending=descending)
            for values in single + pairs for descending in (None, True)]


def test_every_filter_reads_the_same_list_through_its_head(db, corpus):
    used = set()
    for q in _queries(corpus):
        expected = _expected(corpus, q)
        sql, _ = _head_query(db, q, HEAD)
        used.add(next((index for index in ("passages_by_article_span", "passages_by_analyst",
                                           "passages_by_tag_article") if index in sql), "plain")
                 + ("+articles" if "articles_filter_values" in sql else "")
                 + ("+tags" if "p.tag_id IN (?, ?" in sql else ""))
        for limit in (1, HEAD, 50, 1000):
            assert first_ids(db, q, limit) == expected[:limit], (q, limit)
        listing = PassageListing(db, q, head=HEAD)
        short = len(expected) < HEAD or not q.is_filtered()
        assert listing.known_count() == (len(expected) if short else None), q
        assert listing.lower_bound() == (len(expected) if short else HEAD), q
        pages = listing.page(0, 2) + listing.page(2, 3) + listing.page(5, 1000)
        assert [r["id"] for r in pages] == expected, q
        assert listing.count() == count_passages(db, q) == len(expected), q
        assert passage_ids(db, q) == expected, q          # what "Export these…" takes
        for row, passage_id in list(enumerate(expected))[::9]:
            assert listing.position(passage_id) == row == passage_position(db, q, passage_id)
        assert [listing.position(i, within=2) for i in expected[:3]] == [0, 1, None][
            :len(expected)], q
    gone = PassageQuery(tag_id=9999)                   # a tag deleted meanwhile
    assert first_ids(db, gone, HEAD) == [] and PassageListing(db, gone).known_count() == 0
    # the walks, the tag index and the plain read were each taken
    assert {"passages_by_article_span+tags", "passages_by_analyst", "passages_by_tag_article",
            "passages_by_tag_article+tags", "passages_by_tag_article+articles",
            "passages_by_article_span+articles", "passages_by_analyst+articles",
            "plain"} <= used, used


def test_a_rows_article_columns_come_with_it(db, corpus):
    q = PassageQuery(source="reuters", since="2023-01-01")
    rows = PassageListing(db, q, head=HEAD).page(0, 1000)
    assert rows and [r["id"] for r in rows] == _expected(corpus, q)
    for row in rows:
        stored = db.execute("SELECT title, published, source, review_status FROM articles "
                            "WHERE id = ?", [row["article_id"]]).fetchone()
        assert (row["title"], row["published"], row["source"], row["review_status"]) == stored
        assert row["tag"] == tags.get_tag(db, row["tag_id"])["name"]


def test_other_orders_read_the_head_of_the_full_order(db, corpus):
    for sort in ("date", "title", "tag", "analyst", "tagged", "note", "text"):
        for values in ({}, {"tag_id": corpus["tags"]["common"]}, {"source": "AP"}):
            q = PassageQuery(sort=sort, **values)
            everything = passage_ids(db, q)
            listing = PassageListing(db, q, head=HEAD)
            assert [r["id"] for r in listing.page(0, 3) + listing.page(3, 1000)] == everything
            assert listing.count() == len(everything)
            # a sort of every passage keeps one page of them, a walk a thousand
            assert PassageListing(db, q).head_size == (1000 if sort == "tagged" else 100)


def test_the_speaker_filter_follows_the_articles_text(db, corpus):
    q = PassageQuery(speaker="Sok")
    assert passage_ids(db, q) == _expected(corpus, q) != []
    article_id = next(corpus["passages"][p]["article_id"] for p in passage_ids(db, q))
    with journal.unrecorded(db):        # the text changed: its analysis is stale
        db.execute("UPDATE articles SET text_hash = 'edited' WHERE id = ?", [article_id])
    left = [p for p in _expected(corpus, q) if corpus["passages"][p]["article_id"] != article_id]
    assert passage_ids(db, q) == left == [r["id"] for r in PassageListing(
        db, q, head=HEAD).page(0, 1000)]


def test_dates_to_the_calendars_last_day_and_the_none_source(db):
    """As the article list's: a range with no end used "9" as its upper
    bound (the years 9000-9999 left out), ``To 9999-12-31`` raised
    OverflowError (its day after is past the calendar), and "(none)", the
    source of the Overview's column of articles without one, found none."""
    tag = tags.find_tag(db, "Drugs")["id"]
    found = {}
    for i, (name, source, published) in enumerate((
            ("a", "VOD", "2024-06-03"), ("b", None, "9500-01-01"), ("c", "", "9999-12-31"),
            ("d", "VOD", "9999-12-31T23:59"))):
        article_id, _ = articles.add_article(db, title=name, text=_text(i), source=source,
                                             published=published)
        found[name] = passages.add_passage(db, article_id=article_id, tag_id=tag, start=0,
                                           end=4, analyst="ana")

    def listed(**fields) -> list[str]:
        q = PassageQuery(**fields)
        ids = passage_ids(db, q)
        assert count_passages(db, q) == len(ids)
        assert [r["id"] for r in PassageListing(db, q, head=2).page(0, 10)] == ids
        return sorted(name for name, i in found.items() if i in ids)
    assert listed(since="2024-01-01") == ["a", "b", "c", "d"]
    assert listed(since="9999-12-01", until="9999-12-31") == ["c", "d"]
    assert listed(until="9999-12-31") == ["a", "b", "c", "d"]
    assert listed(until="9999-12-31", date_of="tagged") == ["a", "b", "c", "d"]
    assert listed(source="(none)") == ["b", "c"]
    assert listed(source="vod") == ["a", "d"]
