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
