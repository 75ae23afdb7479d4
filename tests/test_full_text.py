"""Full-text indexes filled in one statement after a bulk insert
(storage.full_text) find what the triggers would have indexed, and the
triggers keep working afterwards."""

from __future__ import annotations

import pytest

from storage import full_text, journal, open_database
from storage.database import write_transaction

TEXTS = [("Harbour fraud", "Customs officers in Rotterdam seized cocaine.", ""),
         ("Macau casinos", "Money laundering through junket operators.", "follow the junkets"),
         ("Port strike", "Dockers in Antwerp stopped work over cocaine checks.", "")]


def _insert(db, rows) -> None:
    db.conn.executemany(
        "INSERT INTO articles (title, text, text_hash, imported_at, memo) VALUES (?, ?, ?, "
        "'2026-01-01', ?)", [(t, x, f"hash-{t}", m) for t, x, m in rows])


def _found(db) -> dict:
    return {term: sorted(r[0] for r in db.execute(
                f"SELECT rowid FROM {fts} WHERE {fts} MATCH ?", [term]))
            for fts, term in (("articles_fts", "cocaine"), ("articles_fts", "junket"),
                              ("articles_fts", "rotterdam"), ("memos_fts", "junkets"))}


@pytest.mark.parametrize("bulk", [False, True])
def test_filled_after_indexes_what_the_triggers_would(tmp_path, bulk):
    db = open_database(tmp_path / "a.db")
    with journal.unrecorded(db):
        if bulk:
            with full_text.filled_after(db, "articles", 1):
                _insert(db, TEXTS)
        else:
            _insert(db, TEXTS)
    ids = {t: i for i, t in db.execute("SELECT id, title FROM articles")}
    assert _found(db) == {"cocaine": sorted([ids["Harbour fraud"], ids["Port strike"]]),
                          "junket": [ids["Macau casinos"]], "rotterdam": [ids["Harbour fraud"]],
                          "junkets": [ids["Macau casinos"]]}
    # the triggers are back: a deleted and a new article are indexed as usual
    with journal.unrecorded(db):
        db.execute("DELETE FROM articles WHERE id = ?", [ids["Harbour fraud"]])
        _insert(db, [("Later", "Rotterdam again.", "")])
    assert [r[0] for r in db.execute(
        "SELECT rowid FROM articles_fts WHERE articles_fts MATCH 'rotterdam'")] == \
        [db.execute("SELECT id FROM articles WHERE title = 'Later'").fetchone()[0]]
    db.execute("INSERT INTO articles_fts (articles_fts, rank) VALUES ('integrity-check', 1)")
    names = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")}
    assert {"articles_fts_insert", "memos_fts_insert"} <= names


def test_a_failed_bulk_insert_leaves_the_triggers(tmp_path):
    db = open_database(tmp_path / "a.db")
    with pytest.raises(RuntimeError):
        with write_transaction(db):
            db.execute("INSERT OR REPLACE INTO journal_open (id, step_id) VALUES (1, 0)")
            with full_text.filled_after(db, "articles", 1):
                _insert(db, TEXTS)
                raise RuntimeError("killed")
    names = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")}
    assert "articles_fts_insert" in names
    assert db.execute("SELECT count(*) FROM articles").fetchone()[0] == 0
