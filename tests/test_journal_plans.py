"""The journal's reads find a step's rows by its index, whatever statistics
SQLite holds: statistics taken while the journal was small (``PRAGMA
optimize`` runs ANALYZE now and then) planned a scan of all of it, and its
rows hold whole article texts (23 ms on the GUI thread at 7,000 rows)."""

from __future__ import annotations

from storage import articles, journal, open_database, passages, tags


def _plans(db, statements: list[str]) -> list[str]:
    """The query plan lines of each traced SELECT that reads the journal."""
    found = []
    for sql in statements:
        if sql.lstrip().upper().startswith("SELECT") and "journal_changes" in sql:
            found += [row[3] for row in db.execute("EXPLAIN QUERY PLAN " + sql)]
    return found


def test_what_steps_changed_is_read_by_the_index_under_stale_statistics(tmp_path):
    db = open_database(tmp_path / "plans.db")
    article_id, _ = articles.add_article(db, title="One", text="Police seized cash in Phnom Penh.")
    tag_id = tags.create_tag(db, "Cash", "#aa0000")
    db.execute("ANALYZE")           # the journal is small now: its statistics say so
    first = journal.last_step_id(db)
    for n in range(60):             # then it grows
        articles.add_article(db, title=f"A{n}", text=f"Article number {n} about fraud. " * 20)
        passages.add_passage(db, article_id=article_id, tag_id=tag_id, start=0, end=6,
                             analyst=f"a{n}")
    statements: list[str] = []
    db.conn.set_trace_callback(statements.append)
    changes = journal.changes_since(db, first, exclude_origin="elsewhere")
    with journal.step(db, "Tag") as step:
        passages.add_passage(db, article_id=article_id, tag_id=tag_id, start=7, end=13,
                             analyst="b")
    db.conn.set_trace_callback(None)
    assert len(changes.article_ids) == 61 and step.changes.extra["passages"]
    plans = _plans(db, statements)
    assert plans and not [p for p in plans if p.startswith("SCAN journal_changes")]
