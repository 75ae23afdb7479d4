"""Near-duplicates: fingerprints at import, links between similar articles,
and editing an article's details."""

from __future__ import annotations

import json
import sqlite3
import zlib

import numpy as np
import pytest

from desktop import near_duplicates
from desktop.first_run import ensure_seeded
from desktop.importers import import_files
from storage import articles, journal, open_database, similarity
from storage.articles import ArticleError
from storage.schema import FOLD_BUCKET_SQL, SCHEMA_VERSION

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
    # (the fingerprint's trigger found them by their key; the others stay)
    assert db.execute("SELECT count(DISTINCT article_id), count(*) FROM lsh_buckets"
                      ).fetchone() == (4, 4 * near_duplicates.BANDS)


def stored_buckets(db, article_id) -> tuple[list[int], list[int]]:
    """An article's ``lsh_buckets`` rows in band order, and the list its
    fingerprint's row keeps."""
    rows = [r[0] for r in db.execute(
        "SELECT bucket FROM lsh_buckets WHERE article_id = ? ORDER BY band", [article_id])]
    kept = db.execute("SELECT buckets FROM article_fingerprints WHERE article_id = ?",
                      [article_id]).fetchone()
    return rows, json.loads(kept[0]) if kept else None


def test_buckets_are_signed_32_bit_and_kept_with_the_fingerprint(db):
    ensure_seeded(db)
    text = articles.get_article(db, 1)["text"]
    found = near_duplicates.text_fingerprint(text)
    assert stored_buckets(db, 1) == (found.buckets, found.buckets)
    assert len(found.buckets) == near_duplicates.BANDS
    assert all(-2**31 <= b < 2**31 for b in found.buckets)
    # the same two minima make the same bucket; the order matters
    first, second = np.array([7, 2**32 - 1], np.uint64), np.array([9, 3], np.uint64)
    assert near_duplicates.bucket_of(first, second) != near_duplicates.bucket_of(second, first)


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
    assert stored_buckets(db, s004) == ([], None)
    assert near_duplicates.link_similar(db, s004, other_story)[0][0] == s003
    assert ids_similar_to(db, s004) == [s003] and ids_similar_to(db, s001) == [s002]
    new = near_duplicates.text_fingerprint(other_story).buckets
    assert stored_buckets(db, s004) == (new, new)
    # fingerprinted again in place: the old buckets go, by the trigger
    near_duplicates.link_similar(db, s004, articles.get_article(db, s001)["text"])
    old = near_duplicates.text_fingerprint(articles.get_article(db, s001)["text"]).buckets
    assert stored_buckets(db, s004) == (old, old)
    assert db.execute("SELECT count(*) FROM lsh_buckets").fetchone()[0] \
        == 5 * near_duplicates.BANDS


def test_the_migration_s_fold_is_bucket_of_at_the_extremes():
    conn = sqlite3.connect(":memory:")
    top = 2**32 - 1
    for first, second in [(0, 0), (top, top), (top, 0), (0, top), (2**31, 12345),
                          (3_000_000_000, 4_000_000_000)]:
        wide = np.array([(first << 32) | second], np.uint64).view(np.int64)[0].item()
        [(folded,)] = conn.execute(f"SELECT {FOLD_BUCKET_SQL} FROM (SELECT ? AS bucket)",
                                   [wide])
        assert [folded] == near_duplicates.bucket_of(np.array([first], np.uint64),
                                                     np.array([second], np.uint64))


def test_migration_0030_folds_64_bit_buckets_into_the_same_32_bit_ones(tmp_path):
    path = tmp_path / "old.db"
    db = open_database(path)
    ensure_seeded(db)
    texts = {i: articles.get_article(db, i)["text"] for i in range(1, 6)}
    db.close()
    conn = sqlite3.connect(path)
    with conn:      # back to schema 29: 64-bit buckets (first minimum high), an
        # index by article, a foreign key, no list kept with the fingerprint
        conn.execute("DROP TRIGGER lsh_buckets_gone")
        conn.execute("DROP TABLE lsh_buckets")
        conn.execute("""CREATE TABLE lsh_buckets (band INTEGER NOT NULL,
            bucket INTEGER NOT NULL,
            article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
            PRIMARY KEY (band, bucket, article_id)) WITHOUT ROWID""")
        conn.execute("CREATE INDEX lsh_buckets_by_article ON lsh_buckets (article_id)")
        conn.execute("ALTER TABLE article_fingerprints DROP COLUMN buckets")
        for article_id, text in texts.items():
            tokens = near_duplicates.salient_tokens(text)
            crcs = np.array([zlib.crc32(t.encode()) for t in tokens], np.uint64)
            hashes = np.unique(((crcs * near_duplicates._MIX_A + near_duplicates._MIX_B)
                                >> np.uint64(32)).astype(np.uint32))
            pairs = near_duplicates.band_minima(hashes)
            wide = ((pairs[:, 0] << np.uint64(32)) | pairs[:, 1]).view(np.int64).tolist()
            conn.executemany("INSERT INTO lsh_buckets VALUES (?, ?, ?)",
                             [(band, b, article_id) for band, b in enumerate(wide)])
        conn.execute("DELETE FROM _sqlite_migrations WHERE name = '0030_compact_lsh_buckets'")
        conn.execute("PRAGMA user_version = 29")
    conn.close()
    db = open_database(path)
    assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    for article_id, text in texts.items():
        new = near_duplicates.text_fingerprint(text).buckets
        assert stored_buckets(db, article_id) == (new, new)
    assert db.execute("SELECT count(*) FROM sqlite_master WHERE name = "
                      "'lsh_buckets_by_article'").fetchone()[0] == 0
    assert "REFERENCES" not in db.execute(
        "SELECT sql FROM sqlite_master WHERE name = 'lsh_buckets'").fetchone()[0]
    # a copy of a migrated article still finds it; a deletion still clears
    copy = texts[3] + "\n\nAnother outlet's closing line, with Phnom Penh named."
    (tmp_path / "copy.txt").write_text(copy, "utf-8")
    report = import_files(db, [tmp_path / "copy.txt"])
    [(_, other, score)] = report.similar
    assert other == 3 and score > 0.9
    with journal.step(db, "Delete article"):
        db.execute("DELETE FROM articles WHERE id = 2")
    assert stored_buckets(db, 2) == ([], None)


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
