"""The analysis queue at scale (issue 6): stopping and resuming where it
stopped, recycled quotes linked batch by batch against a bounded number of
candidates."""

from __future__ import annotations

from desktop import analysis_jobs
from desktop.analysis_jobs import analyse_pending
from storage import analyses, articles, open_database, quotes


def test_a_stopped_run_resumes_where_it_stopped(seeded_db_path, pipeline):
    db = open_database(seeded_db_path)
    seen = []
    done = analyse_pending(db, pipeline, on_article=seen.append,
                           is_cancelled=lambda: len(seen) >= 2)
    assert done == 2
    db.close()
    db = open_database(seeded_db_path)                        # "after a restart"
    again = []
    assert analyse_pending(db, pipeline, on_article=again.append) == 3
    assert sorted(seen + again) == [1, 2, 3, 4, 5] and not set(seen) & set(again)
    assert analyse_pending(db, pipeline) == 0


def test_quotes_are_linked_batch_by_batch(seeded_db_path, pipeline, monkeypatch):
    monkeypatch.setattr(analysis_jobs, "BATCH_SIZE", 2)
    db = open_database(seeded_db_path)
    assert analyse_pending(db, pipeline) == 5
    links = quotes.links_for_article(db, 1)
    texts = {q["id"]: q["text"] for q in quotes.all_quotes(db, article_id=1)}
    threat = next(i for i, t in texts.items() if t.startswith("Cybersecurity is a serious"))
    assert {link["article_id"] for link in links[threat]} == {2, 3}
    # stored both ways: the later article links back
    back = quotes.links_for_article(db, 3)
    assert any(link["article_id"] == 1 for ls in back.values() for link in ls)


def test_candidates_are_bounded_and_come_from_other_articles(analysed_db_path):
    db = open_database(analysed_db_path)
    [quote] = [q for q in quotes.all_quotes(db, article_id=1)
               if q["text"].startswith("Cybersecurity is a serious")]
    found = quotes.recycling_candidates(db, quote["text"], 1, quote["speaker"], limit=2)
    assert 0 < len(found) <= 4 and all(c["article_id"] != 1 for c in found)
    assert quotes.recycling_candidates(db, "a an the of", 1) == []


def test_candidates_of_a_batch_are_those_of_each_quote(analysed_db_path):
    db = open_database(analysed_db_path)
    spoken = [(q["text"], q["article_id"], q["speaker"])
              for q in quotes.all_quotes(db, kinds=quotes.SPOKEN)]
    assert len(spoken) > 10 and len({s for _, _, s in spoken if s}) > 3
    together = quotes.recycling_candidates_many(db, spoken, limit=3)
    alone = [quotes.recycling_candidates(db, t, a, s, limit=3) for t, a, s in spoken]
    assert together == alone and any(together)


def test_speaker_candidates_are_the_newest_quotes_of_that_speaker(tmp_path):
    db = open_database(tmp_path / "speaker.db")
    stored = []
    for n in range(5):
        text = f"Statement number {n} on border security cooperation."
        article_id, _ = articles.add_article(db, title=f"Article {n}", text=f"“{text}” she said.")
        hash_ = articles.get_article(db, article_id)["text_hash"]
        analyses.save_analysis(
            db, article_id=article_id, text_hash=hash_, pipeline="test", pipeline_version="1",
            degraded=False, entities=[],
            quotes=[{"start": 1, "end": 1 + len(text), "text": text, "kind": "direct",
                     "speaker": "Jane Doe" if n != 3 else "John Roe",
                     "speaker_kind": "person"}])
        stored.append(article_id)
    # words too short to probe the text index: only the speaker finds candidates
    found = quotes.recycling_candidates(db, "a an of", 0, "jane doe", limit=2)
    assert [c["article_id"] for c in found] == [stored[4], stored[2]]
