"""New rows' uuids are time-ordered (version 7): a new passage's, article's
and journal step's entry goes to the end of its unique index, not to a
random page of it (storage.new_ids)."""

from __future__ import annotations

import threading
import time
import uuid

from storage import articles, journal, open_database, passages, tags
from storage.new_ids import new_uuid


def test_a_new_id_is_a_version_7_uuid_holding_the_time():
    before = time.time_ns() // 1_000_000
    made = uuid.UUID(new_uuid())
    after = time.time_ns() // 1_000_000
    assert made.version == 7
    assert made.variant == uuid.RFC_4122
    assert before <= made.int >> 80 <= after
    assert str(made) == str(made).lower()


def test_ids_made_one_after_another_count_up_and_never_repeat():
    made = [new_uuid() for _ in range(20_000)]   # many in each millisecond
    assert made == sorted(made)
    assert len(set(made)) == len(made)


def test_threads_making_ids_at_once_get_different_ones():
    made: list[list[str]] = [[] for _ in range(4)]

    def make(into: list[str]) -> None:
        into.extend(new_uuid() for _ in range(5_000))

    threads = [threading.Thread(target=make, args=(into,)) for into in made]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    every = [one for into in made for one in into]
    assert len(set(every)) == len(every)
    for into in made:
        assert into == sorted(into)


def test_new_rows_uuids_sort_in_the_order_the_rows_were_made(tmp_path):
    db = open_database(tmp_path / "ids.db")
    tag_id = tags.create_tag(db, "Ordered ids", "#336699")
    article_ids = [articles.add_article(db, title=f"A{n}", text=f"Article number {n} text.")[0]
                   for n in range(30)]
    passage_ids = [passages.add_passage(db, article_id=article_id, tag_id=tag_id, start=0,
                                        end=7, analyst="ana")
                   for article_id in article_ids]
    for table, ids in (("articles", article_ids), ("passages", passage_ids)):
        made = [db.execute(f"SELECT uuid FROM {table} WHERE id = ?", [row_id]).fetchone()[0]
                for row_id in ids]
        assert made == sorted(made), table
        assert {uuid.UUID(one).version for one in made} == {7}, table
    steps = [row[0] for row in db.execute("SELECT uuid FROM journal_steps ORDER BY id")]
    assert len(steps) >= 60
    assert steps == sorted(steps)
    assert journal.ready(db)


def test_a_stopped_or_backward_clock_still_gives_ids_in_order(monkeypatch):
    """The counter carries ids made in one millisecond, 4,096 and more of
    them (it borrows the next millisecond), and ids made after the clock
    went back still sort after the ones before."""
    from storage import new_ids

    now = [1_800_000_000_000 * 1_000_000]
    monkeypatch.setattr(new_ids.time, "time_ns", lambda: now[0])
    frozen = [new_uuid() for _ in range(10_000)]
    now[0] -= 5_000 * 1_000_000                   # five seconds back
    after = [new_uuid() for _ in range(100)]
    made = frozen + after
    assert made == sorted(made)
    assert len(set(made)) == len(made)
    stamps = [uuid.UUID(one).int >> 80 for one in made]
    assert stamps[0] == 1_800_000_000_000
    assert stamps[-1] - stamps[0] <= 4                  # borrowed a few milliseconds at most
    assert {uuid.UUID(one).version for one in made} == {7}


def test_consensus_and_merged_passages_get_time_ordered_ids(tmp_path):
    """Passages made by adjudication or by a merge (one that cannot keep
    its uuid) are version 7 too, not left to the trigger's random ones."""
    import shutil

    from storage import consensus
    from storage.merge import merge_database

    db = open_database(tmp_path / "ours.db")
    tag_id = tags.create_tag(db, "Ordered ids", "#336699")
    article_id = articles.add_article(db, title="A", text="Police seized a boat at dawn.")[0]
    made = consensus.add_consensus(db, article_id=article_id, tag_id=tag_id, start=0, end=6,
                                   decided_by="lead")
    assert uuid.UUID(db.execute("SELECT uuid FROM passages WHERE id = ?",
                                [made]).fetchone()[0]).version == 7
    db.close()
    theirs_path = tmp_path / "theirs.db"
    shutil.copy(tmp_path / "ours.db", theirs_path)
    theirs = open_database(theirs_path)
    theirs_passage = passages.add_passage(theirs, article_id=article_id, tag_id=tag_id,
                                          start=7, end=13, analyst="ben")
    with journal.step(theirs, "An old copy's passage, without a uuid"):
        theirs.execute("UPDATE passages SET uuid = NULL WHERE id = ?", [theirs_passage])
    assert theirs.execute("SELECT uuid FROM passages WHERE id = ?",
                          [theirs_passage]).fetchone()[0] is None
    theirs.close()
    db = open_database(tmp_path / "ours.db")
    merge_database(db, theirs_path)
    [merged] = [row[0] for row in db.execute(
        "SELECT uuid FROM passages WHERE analyst = 'ben'")]
    assert uuid.UUID(merged).version == 7
