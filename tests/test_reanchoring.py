"""Passages survive changes to their article's text."""

from __future__ import annotations

import pytest

from storage import articles, passages, tags
from storage.anchoring import merge_edits, reanchor

TEXT = ("The police said the raid was large. Later the police said the raid was "
        "the biggest this year.")


def _tagged(db, text, phrase, occurrence=0):
    article_id, _ = articles.add_article(db, title="T", text=text)
    start = -1
    for _ in range(occurrence + 1):
        start = text.index(phrase, start + 1)
    pid = passages.add_passage(db, article_id=article_id, tag_id=tags.list_tags(db)[0]["id"],
                               start=start, end=start + len(phrase), analyst="a")
    return article_id, pid


def test_inserted_text_moves_the_passage(db):
    article_id, pid = _tagged(db, TEXT, "the biggest this year")
    new = "BREAKING: " + TEXT
    assert articles.replace_article_text(db, article_id, new) == {
        "kept": 0, "moved": 1, "orphaned": 0}
    passage = passages.get_passage(db, pid)
    assert new[passage["start"]:passage["end"]] == "the biggest this year"
    assert passage["anchor"] == "moved"


def test_repeated_words_follow_their_own_context(db):
    article_id, pid = _tagged(db, TEXT, "the raid was", occurrence=1)   # "… the biggest"
    new = ("Later the police said the raid was the biggest this year. "
           "The police said the raid was large.")
    articles.replace_article_text(db, article_id, new)
    passage = passages.get_passage(db, pid)
    assert new[passage["end"]:].startswith(" the biggest")


def test_a_short_passage_does_not_jump_to_other_surroundings(db):
    article_id, pid = _tagged(db, "Cambodia asked for help. Later Cambodia agreed.", "Cambodia")
    articles.replace_article_text(db, article_id, "Phnom Penh asked for help. Later "
                                                  "Cambodia agreed.")
    assert passages.get_passage(db, pid)["anchor"] == "orphaned"


def test_removed_words_orphan_the_passage_but_keep_it(db):
    article_id, pid = _tagged(db, TEXT, "the biggest this year")
    counts = articles.replace_article_text(db, article_id, "A completely rewritten story.")
    assert counts == {"kept": 0, "moved": 0, "orphaned": 1}
    passage = passages.get_passage(db, pid)
    assert passage["anchor"] == "orphaned" and passage["text"] == "the biggest this year"
    [row] = list(passages.export_rows(db))
    assert row["anchor"] == "orphaned"


def test_unchanged_passages_stay_ok(db):
    article_id, pid = _tagged(db, TEXT, "The police")
    articles.replace_article_text(db, article_id, TEXT + " More follows.")
    assert passages.get_passage(db, pid)["anchor"] == "ok"


def test_the_first_and_last_sentences_stay_when_a_word_just_beside_them_is_fixed(db):
    text = ("Cambodia asked Australia for help.\n\nThe request was made on Monday. "
            "Officials welcomed it.")
    article_id, lede = _tagged(db, text, "Cambodia asked Australia for help.")
    _, last = _tagged(db, text, "Officials welcomed it.")
    # a word fixed 2 characters after the lede, one 3 characters before the last sentence
    new = text.replace("\n\nThe request", "\n\nThis request").replace("Monday.", "Monday!")
    assert articles.replace_article_text(db, article_id, new) == {
        "kept": 1, "moved": 1, "orphaned": 0}
    for pid, words in ((lede, "Cambodia asked Australia for help."),
                       (last, "Officials welcomed it.")):
        passage = passages.get_passage(db, pid)
        assert new[passage["start"]:passage["end"]] == passage["text"] == words
    assert passages.get_passage(db, lede)["start"] == 0


QUOTE = ("Officials said the network laundered money through casinos and property "
         "before the arrests in March.")


def test_a_word_added_inside_a_passage_keeps_it_and_its_new_words(db):
    """A typo fixed or a word added inside the passage (Edit text…): the
    passage follows its words, its stored text is the edited words, and
    undo gives back the old range and text."""
    from storage import journal

    phrase = "laundered money through casinos and property"
    article_id, pid = _tagged(db, QUOTE, phrase)
    new = QUOTE.replace("through casinos", "through two casinos")
    assert articles.replace_article_text(db, article_id, new) == {
        "kept": 0, "moved": 1, "orphaned": 0}
    passage = passages.get_passage(db, pid)
    assert passage["text"] == "laundered money through two casinos and property"
    assert new[passage["start"]:passage["end"]] == passage["text"]
    assert passage["anchor"] == "moved"
    journal.undo(db)
    passage = passages.get_passage(db, pid)
    assert passage["text"] == phrase and QUOTE[passage["start"]:passage["end"]] == phrase


def test_a_typo_fixed_inside_a_passage_keeps_its_range(db):
    text = QUOTE.replace("casinos", "casions")
    article_id, pid = _tagged(db, text, "laundered money through casions and property")
    articles.replace_article_text(db, article_id, QUOTE)
    passage = passages.get_passage(db, pid)
    assert passage["text"] == "laundered money through casinos and property"
    assert passage["anchor"] == "ok"


def test_an_edit_across_a_passage_edge_or_over_most_of_it_orphans_it(db):
    phrase = "laundered money through casinos"
    article_id, pid = _tagged(db, QUOTE, phrase)
    articles.replace_article_text(db, article_id,
                                  QUOTE.replace("casinos and property", "shell firms"))
    assert passages.get_passage(db, pid)["anchor"] == "orphaned"     # its last word went
    article_id, pid = _tagged(db, QUOTE + " Again.", phrase)
    articles.replace_article_text(db, article_id, QUOTE.replace(
        "money through casinos", "a fortune in crypto and gold coins") + " Again.")
    assert passages.get_passage(db, pid)["anchor"] == "orphaned"     # most of it rewritten


def test_an_orphan_is_never_moved_onto_words_a_later_edit_touches(db):
    """An orphan's offsets point into an older text: a later edit inside
    that stale range must not put it on whatever words are there now."""
    phrase = "laundered money through casinos"
    article_id, pid = _tagged(db, "Intro. " + QUOTE + " He declined to comment on the "
                              "case. He was reached by phone.", phrase)
    passages.set_note(db, pid, "important")
    text = articles.get_article(db, article_id)["text"]
    shorter = text.replace(QUOTE + " ", "")
    assert articles.replace_article_text(db, article_id, shorter)["orphaned"] == 1
    stale = passages.get_passage(db, pid)
    typo_at = stale["start"] + 5
    edited = shorter[:typo_at] + "X" + shorter[typo_at + 1:]
    assert articles.replace_article_text(db, article_id, edited)["orphaned"] == 1
    passage = passages.get_passage(db, pid)
    assert (passage["anchor"], passage["text"], passage["note"]) == (
        "orphaned", phrase, "important")


def test_a_long_paste_into_a_short_passage_orphans_it(db):
    article_id, pid = _tagged(db, QUOTE, "through casinos")
    articles.replace_article_text(db, article_id, QUOTE.replace(
        "through casinos", "through " + "a long pasted paragraph " * 20 + "casinos"))
    assert passages.get_passage(db, pid)["anchor"] == "orphaned"


def test_changed_stretch_finds_the_one_edited_stretch():
    from storage.anchoring import changed_stretch, follow_edit

    assert changed_stretch("abcdef", "abXYdef") == (2, 3, 4)
    assert changed_stretch("aaa", "aaaa") == (3, 3, 4)
    assert changed_stretch("same", "same") == (4, 4, 4)
    assert follow_edit((2, 3, 4), start=0, end=6) == (0, 7)
    assert follow_edit((2, 3, 4), start=2, end=6) is None     # the edit is at its edge


def test_a_span_beside_an_edit_stays_on_its_words_not_on_a_repeated_copy():
    """The one rule spans follow (passages, adjudication items): an edit
    next to a span leaves it on its own words, though the same words with
    the same near context come again later (a lede scraped twice)."""
    from storage.anchoring import changed_stretch, follow

    lede = "Police in Phnom Penh arrested four men on Monday. "
    old = lede + "The ministry said so. " + lede
    new = lede.replace("Monday", "Tuesday") + "The ministry said so. " + lede
    start = old.index("four")
    end = start + len("four men")
    moved = follow(changed_stretch(old, new), new, start=start, end=end, exact="four men",
                   prefix=old[max(0, start - 40):start], suffix=old[end:end + 40], here=True)
    assert moved == (start, end)
    # an orphan (offsets into an older text) is only looked for by its words
    assert follow(changed_stretch(old, new), new, start=0, end=4, exact="gone", prefix="",
                  suffix="", here=False) is None


def test_reanchor_without_the_words_is_none():
    assert reanchor("abc", start=0, exact="xyz", prefix="", suffix="") is None


def test_reimporting_a_changed_file_with_update_reanchors(tmp_path, capsys):
    from desktop.cli import main
    from storage import open_database

    source = tmp_path / "story.txt"
    source.write_text("Police met in Phnom Penh. The raid freed 300 people.", "utf-8")
    db_path = str(tmp_path / "r.db")
    assert main(["import", str(source), "--db", db_path]) == 0
    db = open_database(db_path)
    text = articles.get_article(db, 1)["text"]
    start = text.index("The raid freed")
    pid = passages.add_passage(db, article_id=1, tag_id=tags.list_tags(db)[0]["id"],
                               start=start, end=start + 14, analyst="a")
    db.close()
    source.write_text("UPDATED. Police met in Phnom Penh on Monday. The raid freed 300 "
                      "people.", "utf-8")
    capsys.readouterr()
    assert main(["import", "--update", str(source), "--db", db_path]) == 0
    out = capsys.readouterr().out
    assert "updated article 1" in out and "1 moved" in out
    db = open_database(db_path)
    assert articles.article_count(db) == 1
    passage = passages.get_passage(db, pid)
    new_text = articles.get_article(db, 1)["text"]
    assert new_text[passage["start"]:passage["end"]] == "The raid freed"
    assert passage["anchor"] == "moved"
    # without --update the changed file would have become a second article
    source.write_text("Yet another version of the story, entirely rewritten.", "utf-8")
    assert main(["import", str(source), "--db", db_path]) == 0
    assert articles.article_count(db) == 2


JUNE = "Police freed 312 workers from a scam compound in Sihanoukville on Tuesday, officials said."
JULY = ("A court in Phnom Penh sentenced three managers of an online fraud ring to ten years "
        "on Friday.")


def _story(folder, text):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "story.txt").write_text(text, "utf-8")
    return folder / "story.txt"


def test_update_keeps_two_files_of_one_name_in_two_folders_as_two_articles(tmp_path, capsys):
    from desktop.cli import main
    from storage import open_database

    _story(tmp_path / "in" / "june", JUNE)
    _story(tmp_path / "in" / "july", JULY)
    db_path = str(tmp_path / "r.db")
    assert main(["import", "--update", str(tmp_path / "in"), "--db", db_path]) == 0
    out, err = capsys.readouterr()
    assert "2 imported" in out and "updated" not in out
    assert "story.txt" not in err       # each file its own article: nothing to say
    db = open_database(db_path)
    assert sorted(text for _, text in articles.article_texts(db)) == sorted([JULY, JUNE])


def test_update_leaves_an_earlier_article_of_the_same_file_name_but_other_text(tmp_path,
                                                                                capsys):
    from desktop.cli import main
    from storage import open_database

    db_path = str(tmp_path / "r.db")
    assert main(["import", str(_story(tmp_path / "june", JUNE)), "--db", db_path]) == 0
    db = open_database(db_path)
    pid = passages.add_passage(db, article_id=1, tag_id=tags.list_tags(db)[0]["id"],
                               start=0, end=12, analyst="a")
    db.close()
    capsys.readouterr()
    assert main(["import", "--update", str(_story(tmp_path / "july", JULY)),
                 "--db", db_path]) == 0
    out, err = capsys.readouterr()
    assert "1 imported" in out and "updated" not in out
    assert "article 1, from a file of the same name, has other text" in err
    db = open_database(db_path)
    assert articles.get_article(db, 1)["text"] == JUNE
    assert passages.get_passage(db, pid)["anchor"] == "ok"
    assert articles.article_count(db) == 2


BRIEF_2024 = ("The ministry counted 1,200 people freed from scam compounds in 2024, most of "
              "them from Sihanoukville, and said 40 managers were charged.")
BRIEF_2025 = ("A new task force raided four casinos in Bavet in 2025; officials said the "
              "workers found there were sent home through Poipet within a week.")


def _tree(root, texts: dict[str, str]):
    """Files under ``root``: relative path → text."""
    for relative, text in texts.items():
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / relative).write_text(text, "utf-8")
    return root


def test_update_replaces_each_same_named_file_from_its_own_subfolder(tmp_path, capsys):
    """reports/2024/brief.txt and reports/2025/brief.txt: the same tree
    imported again with --update, from another place, updates each article
    from the file it came from."""
    from desktop.cli import main
    from storage import open_database

    db_path = str(tmp_path / "r.db")
    first = _tree(tmp_path / "desk" / "reports",
                  {"2024/brief.txt": BRIEF_2024, "2025/brief.txt": BRIEF_2025})
    assert main(["import", str(first), "--db", db_path]) == 0
    db = open_database(db_path)
    tag = tags.list_tags(db)[0]["id"]
    mine = [passages.add_passage(db, article_id=i, tag_id=tag, start=0, end=20, analyst="a")
            for i in (1, 2)]
    db.close()
    edited = {"2024/brief.txt": "UPDATED. " + BRIEF_2024,
              "2025/brief.txt": "CORRECTED. " + BRIEF_2025}
    again = _tree(tmp_path / "moved" / "reports", edited)
    capsys.readouterr()
    assert main(["import", "--update", str(again), "--db", db_path]) == 0
    out, err = capsys.readouterr()
    assert "0 imported" in out and "2 updated" in out
    assert "several articles" not in err
    db = open_database(db_path)
    assert articles.article_count(db) == 2
    assert [articles.get_article(db, i)["text"] for i in (1, 2)] == list(edited.values())
    for passage_id, words in zip(mine, (BRIEF_2024[:20], BRIEF_2025[:20])):
        passage = passages.get_passage(db, passage_id)
        assert (passage["text"], passage["anchor"]) == (words, "moved")
    assert [articles.get_article(db, i)["file_path"] for i in (1, 2)] == [
        "2024/brief.txt", "2025/brief.txt"]
    db.close()


def test_update_leaves_a_same_named_file_of_the_import_its_own_article(tmp_path, capsys):
    """A 2025/brief.txt added to a folder imported with 2024/brief.txt only:
    --update gave it the 2024 article (found by name; its text near enough),
    and the next update gave it back: the 2024 article is 2024/brief.txt's,
    imported too, and the new file a new article."""
    from desktop.cli import main
    from storage import open_database

    db_path = str(tmp_path / "r.db")
    folder = _tree(tmp_path / "reports", {"2024/brief.txt": BRIEF_2024})
    assert main(["import", str(folder), "--db", db_path]) == 0
    next_year = BRIEF_2024.replace("2024", "2025").replace("40", "65")   # near the same
    _tree(folder, {"2025/brief.txt": next_year})
    for _ in range(2):
        capsys.readouterr()
        assert main(["import", "--update", str(folder), "--db", db_path]) == 0
        db = open_database(db_path)
        assert articles.article_count(db) == 2
        assert articles.get_article(db, 1)["text"] == BRIEF_2024
        assert articles.get_article(db, 2)["file_path"] == "2025/brief.txt"
        db.close()


def schema_33_database(path):
    """A database as Dossier left it before migration 0034 (no ``file_path``)."""
    import sqlite3

    from sqlite_utils import Database

    from storage import journal
    from storage.database import APPLICATION_ID
    from storage.schema import MIGRATIONS

    old = Database(sqlite3.connect(path))
    with old.atomic():
        MIGRATIONS.apply(old, stop_before="0034_article_file_paths")
        journal.retrack_all(old)
        old.execute("DELETE FROM journal_open")
        old.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        old.execute("PRAGMA user_version = 33")
    return old


def test_the_migration_leaves_older_articles_without_a_path_and_their_steps_undoable(
        tmp_path):
    from storage import journal, open_database
    from storage.schema import SCHEMA_VERSION

    path = tmp_path / "old.db"
    old = schema_33_database(path)
    assert "file_path" not in old.table("articles").columns_dict
    articles.add_article(old, title="June", text=JUNE, filename="story.txt")
    imported = journal.last_step_id(old)
    old.conn.close()

    db = open_database(path)
    assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert articles.get_article(db, 1)["file_path"] is None
    assert db.execute("SELECT count(*) FROM sqlite_master WHERE type = 'index' "
                      "AND name = 'articles_by_file'").fetchone()[0] == 1
    # a step recorded before the column existed still undoes and redoes
    journal.undo(db, step_id=imported)
    assert articles.article_count(db) == 0
    journal.redo(db, target_id=imported)
    assert articles.get_article(db, 1)["file_path"] is None
    # the column is journaled: an article imported now comes back with its path
    articles.add_article(db, title="July", text=JULY, filename="story.txt",
                         file_path="july/story.txt")
    step = journal.last_step_id(db)
    journal.undo(db, step_id=step)
    journal.redo(db, target_id=step)
    assert articles.get_article(db, 2)["file_path"] == "july/story.txt"
    db.close()


def test_update_goes_by_bare_name_for_articles_stored_before_paths_then_by_path(tmp_path,
                                                                                capsys):
    """Articles imported before paths were stored (``file_path`` NULL) are
    matched by today's bare-name rule: the one story.txt is updated, the two
    brief.txt are left (ambiguous) and the files stored anew — with their
    paths, by which the next --update finds them."""
    from desktop.cli import main
    from storage import open_database

    path = tmp_path / "old.db"
    old = schema_33_database(path)
    for title, text, name in (("June", JUNE, "story.txt"), ("A", BRIEF_2024, "brief.txt"),
                              ("B", BRIEF_2025, "brief.txt")):
        articles.add_article(old, title=title, text=text, filename=name)
    old.conn.close()
    edited = {"june/story.txt": "UPDATED. " + JUNE,
              "2024/brief.txt": "UPDATED. " + BRIEF_2024,
              "2025/brief.txt": "UPDATED. " + BRIEF_2025}
    tree = _tree(tmp_path / "reports", edited)
    assert main(["import", "--update", str(tree), "--db", str(path)]) == 0
    out, err = capsys.readouterr()
    assert "2 imported" in out and "1 updated" in out
    assert err.count("several articles came from files named brief.txt") == 2
    db = open_database(path)
    assert articles.get_article(db, 1)["text"] == edited["june/story.txt"]
    # the article updated by its name now has its path too
    assert [articles.get_article(db, i)["file_path"] for i in (1, 2, 3, 4, 5)] == [
        "june/story.txt", None, None, "2024/brief.txt", "2025/brief.txt"]
    db.close()

    _tree(tree, {"2024/brief.txt": "AGAIN. " + BRIEF_2024,
                 "2025/brief.txt": "AGAIN. " + BRIEF_2025})
    assert main(["import", "--update", str(tree), "--db", str(path)]) == 0
    out, err = capsys.readouterr()
    assert "0 imported" in out and "2 updated" in out and "several" not in err
    db = open_database(path)
    assert [articles.get_article(db, i)["text"] for i in (2, 3, 4, 5)] == [
        BRIEF_2024, BRIEF_2025, "AGAIN. " + BRIEF_2024, "AGAIN. " + BRIEF_2025]
    db.close()


@pytest.mark.parametrize("mine, theirs, both", [
    ("The Police met in Lyon.", "The police met in Paris.", "The Police met in Paris."),
    ("The police met in Lyon on Monday.", "A police met in Lyon.",
     "A police met in Lyon on Monday."),
    ("The police met in Lyon.", "The police met in Lyon!", "The police met in Lyon!"),
    ("The police met in Lyon.", "The police met in Lyon.", "The police met in Lyon."),
])
def test_two_corrections_of_one_text_apart_are_both_kept(mine, theirs, both):
    assert merge_edits("The police met in Lyon.", mine, theirs) == both


@pytest.mark.parametrize("mine, theirs", [
    ("The police met in Lille.", "The police met in Paris."),     # one word, both
    ("The police met in Lyon", "The police met in Lyon!"),        # touching
    ("The police met in Lyons.", "The police met in Lyon!"),      # side by side
])
def test_two_corrections_at_one_place_are_not_merged(mine, theirs):
    assert merge_edits("The police met in Lyon.", mine, theirs) is None


def test_a_text_typed_on_an_older_text_keeps_a_correction_saved_meanwhile(db):
    article_id, _ = articles.add_article(db, title="T",
                                         text="The police met in Lyon. They spoke for an hour.")
    typed_on = articles.get_article(db, article_id)["text"]
    articles.replace_article_text(db, article_id, typed_on.replace("Lyon", "Paris"))
    counts = articles.replace_article_text(db, article_id, typed_on.replace("hour", "day"),
                                           edited_from=typed_on)
    assert counts["merged"] is True
    assert articles.get_article(db, article_id)["text"] == \
        "The police met in Paris. They spoke for an day."
    with pytest.raises(articles.TextChangedMeanwhile, match="at the place you corrected"):
        articles.replace_article_text(db, article_id, typed_on.replace("Lyon", "Nice"),
                                      edited_from=typed_on)
    assert articles.get_article(db, article_id)["text"] == \
        "The police met in Paris. They spoke for an day."
