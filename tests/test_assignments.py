"""Assignments (migration 0016_assignments): storage, ``dossier assign``,
and the article list's "Assigned to me" filter, ticked in the window."""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import Qt

from desktop.cli import main
from storage import assignments, open_database, passages, tags
from storage.article_query import ArticleQuery, count_articles, first_ids


def test_assign_unassign_status_and_progress(db):
    from storage import articles

    ids = [articles.add_article(db, title=f"a{i}", text=f"text number {i}")[0]
           for i in range(6)]
    changes = assignments.assign(db, ids[:3], ["ana", "ben"])
    assert changes.touches("assignments") and changes.article_ids == set(ids[:3])
    assignments.assign(db, ids[:3], ["ana"])                # again: nothing doubled
    assert db.execute("SELECT count(*) FROM assignments").fetchone()[0] == 6
    with pytest.raises(assignments.AssignmentError, match="no article 999"):
        assignments.assign(db, [ids[0], 999], ["chea"])
    assert db.execute("SELECT count(*) FROM assignments WHERE analyst = 'chea'"
                      ).fetchone()[0] == 0                  # refused whole
    passages.add_passage(db, article_id=ids[0], tag_id=tags.find_tag(db, "Drugs")["id"],
                         start=0, end=4, analyst="ana")
    assignments.set_status(db, ids[1], "ana", "done")
    assignments.unassign(db, [ids[2]], ["ben"])
    assert assignments.progress(db) == [
        {"analyst": "ana", "assigned": 3, "coded": 1, "in_progress": 0, "done": 1},
        {"analyst": "ben", "assigned": 2, "coded": 0, "in_progress": 0, "done": 0}]
    assert assignments.analysts_of(db, ids[0]) == [{"analyst": "ana", "status": "new"},
                                                   {"analyst": "ben", "status": "new"}]
    query = ArticleQuery(assigned_to="ben")
    assert query.is_filtered() and count_articles(db, query) == 2
    assert sorted(first_ids(db, query, 100)) == ids[:2]
    sample = assignments.assign_sample(db, ["ana", "ben"], 2, seed=1)
    assert len(sample) == 2 and not set(sample) & set(ids[:3])
    assert count_articles(db, ArticleQuery(assigned_to="ben")) == 4


def test_cli_assign_and_progress(seeded_db_path, capsys):
    db = str(seeded_db_path)
    assert main(["assign", "--analyst", "ana,ben", "--article", "1", "--article", "2",
                 "--db", db]) == 0
    assert "assigned 2 articles to ana, ben" in capsys.readouterr().out
    assert main(["assign", "--analyst", "ana", "--sample", "2", "--seed", "3", "--db", db]) == 0
    capsys.readouterr()
    assert main(["assign", "--json", "--db", db]) == 0
    rows = {r["analyst"]: r for r in json.loads(capsys.readouterr().out)}
    assert rows["ana"]["assigned"] == 4 and rows["ben"]["assigned"] == 2
    assert main(["assign", "--analyst", "ben", "--article", "2", "--remove", "--db", db]) == 0
    capsys.readouterr()
    assert main(["assign", "--db", db]) == 0
    out = capsys.readouterr().out
    assert "ben" in out and "1 assigned" in " ".join(out.split())
    assert main(["assign", "--article", "1", "--db", db]) == 2
    assert "--analyst" in capsys.readouterr().err


@pytest.mark.parametrize("argv,says", [
    (["--sample", "3"], "--remove takes away the articles named with --article ID, "
                        "not a --sample"),
    (["--article", "1", "--sample", "3"], "not a --sample"),
    ([], "--remove takes away the articles named with --article ID"),
])
def test_cli_remove_takes_only_named_articles_and_refuses_a_sample(seeded_db_path, capsys,
                                                                   argv, says):
    db = str(seeded_db_path)
    assert main(["assign", "--analyst", "ana", "--article", "1", "--db", db]) == 0
    capsys.readouterr()
    assert main(["assign", "--analyst", "ana", "--remove", *argv, "--db", db]) == 2
    out, err = capsys.readouterr()
    assert says in err and out == ""
    database = open_database(seeded_db_path)
    assert database.execute("SELECT article_id, analyst FROM assignments").fetchall() == [
        (1, "ana")]
    database.close()


def test_assigned_to_me_filter_in_the_window(open_window, seeded_db_path, preferences, qtbot):
    preferences.analyst = "ana"
    db = open_database(seeded_db_path)
    assignments.assign(db, [2, 4], ["ana"])
    assignments.assign(db, [1], ["ben"])
    db.close()
    window = open_window(seeded_db_path)
    filters = window.article_filters
    filters.filters_button.setChecked(True)
    filters.assigned.setFocus()
    qtbot.keyClick(filters.assigned, Qt.Key.Key_Space)
    assert filters.assigned.isChecked()
    qtbot.waitUntil(lambda: window.query.assigned_to == "ana", timeout=5000)
    model = window.article_list.list_model
    qtbot.waitUntil(lambda: model.rowCount() == 2, timeout=5000)
    qtbot.mouseClick(filters.clear_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.query.assigned_to == "", timeout=5000)
    assert not filters.assigned.isChecked()


def test_assign_from_the_article_menu_and_the_list_menu(open_window, seeded_db_path,
                                                        preferences, qtbot, monkeypatch):
    from PySide6.QtWidgets import QInputDialog

    from desktop.gui.assign_action import context_menu

    preferences.analyst = "ana"
    window = open_window(seeded_db_path)
    window.article_list.setFocus()
    qtbot.keyClick(window.article_list, Qt.Key.Key_Down)
    qtbot.waitUntil(lambda: window.current_id is not None, timeout=5000)
    article = window.current_id
    article_menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&Article")
    [mine] = [a for a in article_menu.actions() if a.text() == "Assign to &me"]
    mine.trigger()
    db = open_database(seeded_db_path)
    assert assignments.analysts_of(db, article) == [{"analyst": "ana", "status": "new"}]
    # the list's menu now offers to unassign, not to assign again
    texts = [a.text() for a in context_menu(window).actions()]
    assert "&Unassign from me" in texts and "Assign to &me" not in texts
    monkeypatch.setattr(QInputDialog, "getText",
                        staticmethod(lambda *a, **k: ("ben, chea", True)))
    [other] = [a for a in context_menu(window).actions() if a.text() == "Assign to &others…"]
    other.trigger()
    assert [a["analyst"] for a in assignments.analysts_of(db, article)] == ["ana", "ben",
                                                                             "chea"]
    [drop] = [a for a in context_menu(window).actions() if a.text() == "&Unassign from me"]
    drop.trigger()
    assert [a["analyst"] for a in assignments.analysts_of(db, article)] == ["ben", "chea"]
    db.close()


def test_assignments_are_journal_steps(db):
    from storage import articles, journal

    article = articles.add_article(db, title="t", text="some text")[0]
    changes = assignments.assign(db, [article], ["ana", "ben"], by="ana")
    assert changes.touches("assignments") and article in changes.article_ids
    [last] = journal.history(db, limit=1)
    assert last["name"] == f"Assign article {article} to ana, ben"
    journal.undo(db)
    assert assignments.analysts_of(db, article) == []
    with pytest.raises(Exception, match="outside a journal step"):
        db.execute("INSERT INTO assignments (article_id, analyst, status, assigned_at) "
                   "VALUES (?, 'x', 'new', '')", [article])


def test_cli_assign_refuses_a_sample_below_one_and_assigns_nothing(seeded_db_path, capsys,
                                                                    monkeypatch):
    """`--sample -1` is a usage error before anything is assigned (it assigned
    --article 2, then ended in a traceback); and a sample refused after the
    articles leaves them unassigned: both are one step."""
    db = str(seeded_db_path)
    for value in ("-1", "0", "two"):
        with pytest.raises(SystemExit) as refused:
            main(["assign", "--analyst", "zed", "--article", "2", "--sample", value,
                  "--db", db])
        assert refused.value.code == 2 and "--sample" in capsys.readouterr().err

    def refuse(*args, **kwargs):
        raise assignments.AssignmentError("refused")
    monkeypatch.setattr(assignments, "assign_sample", refuse)
    assert main(["assign", "--analyst", "zed", "--article", "2", "--sample", "1",
                 "--db", db]) == 2
    database = open_database(seeded_db_path)
    assert database.execute("SELECT article_id FROM assignments").fetchall() == []
    database.close()
