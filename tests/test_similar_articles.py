"""Near-duplicates: fingerprints at import, links between similar articles,
and editing an article's details."""

from __future__ import annotations

import pytest

from desktop import near_duplicates
from desktop.first_run import ensure_seeded
from desktop.importers import import_files
from storage import articles, journal, similarity
from storage.articles import ArticleError

from conftest import SEEDS


def ids_similar_to(db, article_id):
    return [row["id"] for row in similarity.similar_to(db, article_id)]


def test_seeds_001_and_004_are_linked_as_the_same_story(db):
    report = ensure_seeded(db)
    by_file = {label.rsplit("/", 1)[-1][:3]: i for label, i in report.added}
    s001, s002, s004 = by_file["001"], by_file["002"], by_file["004"]
    assert s004 in ids_similar_to(db, s001) and s001 in ids_similar_to(db, s004)
    # 002 previews the same visit and reuses a paragraph of 001; the other
    # seeds are different stories on the same subject and stay unlinked
    assert set(ids_similar_to(db, s001)) == {s002, s004}
    assert similarity.pair_count(db) == 2
    assert {(new, other) for new, other, _ in report.similar} == {(s002, s001), (s004, s001)}
    [row] = [r for r in similarity.similar_to(db, s004)]
    assert row["title"].startswith("Cambodia and Australia agreed") and 0.3 <= row["score"] < 1


def test_a_reworded_copy_is_linked_to_the_original(tmp_path, db):
    original = next(SEEDS.glob("000_*.txt")).read_text("utf-8")
    copy = original.replace("Cambodia asked Australia", "Phnom Penh has asked Canberra")
    copy = copy.replace("\n\n", "\n\nMeanwhile, ", 3)
    (tmp_path / "a.txt").write_text(original, "utf-8")
    (tmp_path / "b.txt").write_text(copy, "utf-8")
    report = import_files(db, [tmp_path])
    (_, first), (_, second) = report.added
    [(new, other, score)] = report.similar
    assert (new, other) == (second, first) and score > 0.9
    assert "1 similar to other articles" in report.summary()


def test_articles_stored_before_fingerprints_are_fingerprinted_at_the_next_import(tmp_path,
                                                                                     db):
    seeds = sorted(SEEDS.glob("*.txt"))
    from desktop.importers.article_text import clean_article
    for path in seeds[:2]:
        article = clean_article(path.read_text("utf-8"))
        articles.add_article(db, title=article.title, text=article.text)
    assert similarity.unfingerprinted(db, near_duplicates.METHOD) == [1, 2]
    report = import_files(db, [seeds[4]])  # 004, the same story as 001 (id 2)
    assert similarity.unfingerprinted(db, near_duplicates.METHOD) == []
    assert ids_similar_to(db, report.added[0][1]) == [2]


def test_short_texts_are_not_linked(tmp_path, db):
    (tmp_path / "a.txt").write_text("Police seize drugs.", "utf-8")
    (tmp_path / "b.txt").write_text("Police seize drugs again.", "utf-8")
    report = import_files(db, [tmp_path])
    assert len(report.added) == 2 and report.similar == []


def test_candidates_come_from_the_bucket_key_newest_first_without_a_scan_or_sort(db):
    statements = []
    db.conn.set_trace_callback(statements.append)
    similarity.bucket_members(db, [11, 22, 33], 16, exclude=1)
    db.conn.set_trace_callback(None)
    [sql] = [s for s in statements if "lsh_buckets" in s]
    plan = " ".join(str(row) for row in db.execute("EXPLAIN QUERY PLAN " + sql))
    assert plan.count("SEARCH lsh_buckets USING PRIMARY KEY (band=? AND bucket=?)") == 3
    assert "SCAN lsh_buckets" not in plan and "TEMP B-TREE" not in plan


def test_deleting_an_article_deletes_its_links(db):
    ensure_seeded(db)
    with journal.step(db, "Delete article"):
        db.execute("DELETE FROM articles WHERE id = 5")
    assert similarity.pair_count(db) == 1
    assert db.execute("SELECT count(*) FROM lsh_buckets WHERE article_id = 5"
                      ).fetchone()[0] == 0


# -- editing details -----------------------------------------------------------

def test_update_details_changes_metadata_never_the_text(db):
    ensure_seeded(db)
    before = articles.get_article(db, 1)
    after = articles.update_details(db, 1, title=" Police ask for training ",
                                    source="Khmer Times", author="", published="2024-03-08",
                                    url="https://example.org/x")
    assert (after["title"], after["source"], after["author"], after["published"],
            after["url"]) == ("Police ask for training", "Khmer Times", None, "2024-03-08",
                              "https://example.org/x")
    assert (after["text"], after["text_hash"], after["filename"]) == (
        before["text"], before["text_hash"], before["filename"])


@pytest.mark.parametrize("change, message", [
    ({"title": "  "}, "An article needs a title."),
    ({"published": "13 June"}, "“13 June” is not a date like 2024-06-17."),
])
def test_update_details_refuses_bad_values_and_changes_nothing(db, change, message):
    ensure_seeded(db)
    before = articles.get_article(db, 1)
    with pytest.raises(ArticleError, match=message):
        articles.update_details(db, 1, source="Changed", **change)
    assert articles.get_article(db, 1) == before


def test_update_details_of_a_missing_article(db):
    with pytest.raises(ArticleError, match="There is no article 99"):
        articles.update_details(db, 99, title="x")
    with pytest.raises(TypeError):
        articles.update_details(db, 1, text="never")


def _seed_ids(db):
    report = ensure_seeded(db)
    return {label.rsplit("/", 1)[-1][:3]: i for label, i in report.added}


def test_a_changed_text_loses_its_old_links_and_is_linked_anew(db):
    ids = _seed_ids(db)
    s001, s002, s003, s004 = ids["001"], ids["002"], ids["003"], ids["004"]
    other_story = articles.get_article(db, s003)["text"] + "\n\nA later paragraph."
    articles.replace_article_text(db, s004, other_story)
    assert s004 not in ids_similar_to(db, s001)      # no longer the same story
    assert similarity.unfingerprinted(db, near_duplicates.METHOD) == [s004]
    assert near_duplicates.link_similar(db, s004, other_story)[0][0] == s003
    assert ids_similar_to(db, s004) == [s003] and ids_similar_to(db, s001) == [s002]


def test_editing_a_text_in_the_window_relinks_it_and_undo_brings_the_links_back(
        open_window, seeded_db_path, qtbot):
    from PySide6.QtCore import Qt

    window = open_window(seeded_db_path)
    pairs = set(window.db.execute("SELECT article_id, other_id FROM similar_articles"))
    assert len(pairs) == 2
    (low, high), _ = sorted(pairs)
    window.show_article(high)
    window.replace_article_text("An unrelated note about the weather in Hobart, "
                                "with Tasmania, Launceston, Devonport and Burnie "
                                "named, and Bass Strait, Cradle Mountain, Bruny Island.")
    assert set(window.db.execute("SELECT article_id, other_id FROM similar_articles")) \
        == pairs - {(low, high)}
    qtbot.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert set(window.db.execute("SELECT article_id, other_id FROM similar_articles")) == pairs
