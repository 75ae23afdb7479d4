"""The SQLite store: schema, refusal of foreign files, articles, tags, passages."""

from __future__ import annotations

import sqlite3

import pytest

from storage import (NewerDatabaseError, NotADossierDatabaseError, analyses, articles,
                     open_database, passages, review, tags)
from storage.database import APPLICATION_ID
from storage.schema import MIGRATIONS, SCHEMA_VERSION


def test_new_database_has_schema_version_wal_and_foreign_keys(tmp_path):
    db = open_database(tmp_path / "a.db")
    assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert db.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert {"articles", "tags", "passages", "analyses", "entities", "quotes"} <= set(
        db.table_names())


def test_reopening_applies_no_migration_twice(tmp_path):
    open_database(tmp_path / "a.db").close()
    db = open_database(tmp_path / "a.db")
    names = [r[0] for r in db.execute("SELECT name FROM _sqlite_migrations")]
    assert len(names) == len(set(names)) == len(MIGRATIONS.applied(db))
    assert not MIGRATIONS.pending(db)
    # numbers may skip one taken by another branch; the last is the version
    assert names[-1].startswith(f"{SCHEMA_VERSION:04d}_")


def test_text_file_is_refused_and_left_untouched(tmp_path):
    path = tmp_path / "notes.db"
    path.write_bytes(b"these are my notes, not a database\n" * 10)
    before = path.read_bytes()
    with pytest.raises(NotADossierDatabaseError):
        open_database(path)
    assert path.read_bytes() == before
    assert not (tmp_path / "notes.db-wal").exists()


def test_other_sqlite_database_is_refused(tmp_path):
    path = tmp_path / "other.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE things (x)")
    conn.commit()
    conn.close()
    with pytest.raises(NotADossierDatabaseError, match="not a Dossier database"):
        open_database(path)


def test_database_from_newer_dossier_is_refused(tmp_path):
    path = tmp_path / "future.db"
    open_database(path).close()
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(NewerDatabaseError, match="newer version"):
        open_database(path)


def test_same_text_is_stored_once(db):
    first, created = articles.add_article(db, title="A", text="Same words.")
    again, created_again = articles.add_article(db, title="B", text="Same words.")
    assert created and not created_again and first == again
    assert articles.article_count(db) == 1


def test_passage_keeps_exact_text_and_context(db):
    text = "x" * 50 + "the tagged words" + "y" * 50
    article_id, _ = articles.add_article(db, title="T", text=text)
    tag_id = tags.find_tag(db, "Cybercrime")["id"]
    pid = passages.add_passage(db, article_id=article_id, tag_id=tag_id, start=50, end=66,
                               analyst="ana", note="why")
    row = db.execute("SELECT text, prefix, suffix, analyst, note FROM passages WHERE id=?",
                     [pid]).fetchone()
    assert row == ("the tagged words", "x" * 40, "y" * 40, "ana", "why")


@pytest.mark.parametrize("start,end", [(-1, 3), (3, 3), (5, 2), (0, 999)])
def test_passage_outside_the_text_is_refused(db, start, end):
    article_id, _ = articles.add_article(db, title="T", text="short text")
    tag_id = tags.list_tags(db)[0]["id"]
    with pytest.raises(passages.PassageError):
        passages.add_passage(db, article_id=article_id, tag_id=tag_id, start=start, end=end,
                             analyst="a")
    assert passages.passage_count(db) == 0


def test_a_passage_on_words_the_stored_text_no_longer_has_there_is_refused(db):
    article_id, _ = articles.add_article(db, title="T", text="UPDATED: Cambodia asked")
    tag_id = tags.list_tags(db)[0]["id"]
    # offsets taken on the text as it was before another window's edit
    with pytest.raises(passages.PassageError, match="changed meanwhile"):
        passages.add_passage(db, article_id=article_id, tag_id=tag_id, start=0, end=14,
                             analyst="a", expected="Cambodia asked")
    assert passages.passage_count(db) == 0
    passages.add_passage(db, article_id=article_id, tag_id=tag_id, start=9, end=23,
                         analyst="a", expected="Cambodia asked")
    assert [p["text"] for p in passages.passages_for_article(db, article_id)] == [
        "Cambodia asked"]


def test_overlapping_passages_are_allowed(db):
    article_id, _ = articles.add_article(db, title="T", text="one two three four")
    first, second = (t["id"] for t in tags.list_tags(db)[:2])
    passages.add_passage(db, article_id=article_id, tag_id=first, start=0, end=7, analyst="a")
    passages.add_passage(db, article_id=article_id, tag_id=second, start=4, end=13, analyst="a")
    assert [(p["start"], p["end"]) for p in passages.passages_for_article(db, article_id)] == [
        (0, 7), (4, 13)]


def test_tag_names_are_unique_and_colours_checked(db):
    with pytest.raises(tags.TagError, match="already exists"):
        tags.create_tag(db, "cybercrime", "#112233")
    with pytest.raises(tags.TagError, match="colour"):
        tags.create_tag(db, "New", "red")
    tag_id = tags.create_tag(db, "  Scam   compounds ", "#112233")
    assert tags.get_tag(db, tag_id)["name"] == "Scam compounds"
    with pytest.raises(tags.TagError):
        tags.rename_tag(db, tag_id, "Drugs")


def test_default_tags_have_keys_one_to_nine(db):
    assert [t["shortcut"] for t in tags.list_tags(db)] == list(range(1, 10))


def _two_passages(db):
    article_id, _ = articles.add_article(db, title="T", text="alpha beta gamma")
    drugs, diplomacy = tags.find_tag(db, "Drugs")["id"], tags.find_tag(db, "Diplomacy")["id"]
    for start, end in ((0, 5), (6, 10)):
        passages.add_passage(db, article_id=article_id, tag_id=drugs, start=start, end=end,
                             analyst="a")
    return drugs, diplomacy


def test_deleting_a_tag_can_move_its_passages(db):
    drugs, diplomacy = _two_passages(db)
    assert tags.delete_tag(db, drugs, move_passages_to=diplomacy) == 2
    assert tags.get_tag(db, drugs) is None
    assert {r["tag"] for r in passages.export_rows(db)} == {"Diplomacy"}


def test_deleting_a_tag_can_delete_its_passages(db):
    drugs, _ = _two_passages(db)
    assert tags.delete_tag(db, drugs) == 2
    assert passages.passage_count(db) == 0


def test_a_tag_with_passages_cannot_vanish_behind_their_back(db):
    drugs, _ = _two_passages(db)
    with pytest.raises(sqlite3.IntegrityError):
        with db.atomic():
            db.execute("DELETE FROM tags WHERE id = ?", [drugs])
    assert passages.passage_count(db) == 2


def test_analysis_of_outdated_text_is_not_stored(db):
    article_id, _ = articles.add_article(db, title="T", text="Some text.")
    stored = analyses.save_analysis(
        db, article_id=article_id, text_hash="not-the-hash", pipeline="p",
        pipeline_version="1", degraded=False, entities=[], quotes=[])
    assert stored is None
    assert analyses.latest_analysis(db, article_id) is None
    assert analyses.pending_article_ids(db, "p", "1") == [article_id]


def test_a_new_analysis_of_a_text_replaces_those_it_supersedes(db):
    """An analysis under a newer analysis version (or pipeline) left the old
    one in the file: every bump doubled the analyses, and readers had to
    skip the old quotes. A degraded result never replaces a trained one."""
    article_id, _ = articles.add_article(db, title="T", text="Sok said “yes”.")
    digest = articles.get_article(db, article_id)["text_hash"]
    quote = {"start": 10, "end": 13, "text": "yes", "kind": "direct", "speaker": "Sok",
             "speaker_kind": "person", "method": "cue"}

    def store(version, degraded=False):
        return analyses.save_analysis(
            db, article_id=article_id, text_hash=digest, pipeline="p",
            pipeline_version=version, degraded=degraded, entities=[], quotes=[quote])

    def kept():
        return [r[0] for r in db.execute("SELECT id FROM analyses ORDER BY id")]

    old = store("3.8.0+dossier.7")
    degraded = store("blank", degraded=True)
    assert kept() == [old, degraded]
    new = store("3.8.0+dossier.8")
    assert kept() == [new]
    assert db.execute("SELECT count(*) FROM quotes").fetchone()[0] == 1
    again = store("blank", degraded=True)
    assert kept() == [new, again]
    assert analyses.latest_analysis(db, article_id)["pipeline_version"] == "3.8.0+dossier.8"


def test_tag_counts_follow_every_passage_change(db):
    def counts():
        return {t["name"]: t["passage_count"] for t in tags.list_tags(db)
                if t["passage_count"]}

    def true_counts():
        return {name: n for name, n in db.execute(
            "SELECT t.name, count(*) FROM passages p JOIN tags t ON t.id = p.tag_id "
            "GROUP BY t.id")}

    drugs, diplomacy = _two_passages(db)
    assert counts() == true_counts() == {"Drugs": 2}
    first = passages.export_rows(db).__next__()["passage_id"]
    passages.retag_passage(db, first, diplomacy)
    assert counts() == true_counts() == {"Drugs": 1, "Diplomacy": 1}
    passages.delete_passage(db, first)
    assert counts() == true_counts() == {"Drugs": 1}
    tags.delete_tag(db, drugs, move_passages_to=diplomacy)
    assert counts() == true_counts() == {"Diplomacy": 1}


def test_describe_tag_sets_description_and_swaps_keys(db):
    from storage.tags import TagError, describe_tag, find_tag, tag_with_shortcut

    drugs, diplomacy = find_tag(db, "Drugs"), find_tag(db, "Diplomacy")
    assert tag_with_shortcut(db, drugs["shortcut"])["id"] == drugs["id"]
    swapped = describe_tag(db, diplomacy["id"], description="  Talks between states. ",
                           shortcut=drugs["shortcut"])
    assert swapped == drugs["id"]
    assert find_tag(db, "Diplomacy")["shortcut"] == drugs["shortcut"]
    assert find_tag(db, "Diplomacy")["description"] == "Talks between states."
    assert find_tag(db, "Drugs")["shortcut"] == diplomacy["shortcut"]
    # its own key again, then no key at all: nobody else changes
    assert describe_tag(db, diplomacy["id"], description="x",
                        shortcut=drugs["shortcut"]) is None
    assert describe_tag(db, diplomacy["id"], description="", shortcut=None) is None
    assert find_tag(db, "Diplomacy")["shortcut"] is None
    assert find_tag(db, "Drugs")["shortcut"] == diplomacy["shortcut"]
    with pytest.raises(TagError, match="not a key"):
        describe_tag(db, diplomacy["id"], description="", shortcut=10)
    with pytest.raises(TagError, match="no tag"):
        describe_tag(db, 999, description="", shortcut=None)


def test_merge_tags_moves_passages_and_folds_twins(db):
    from storage import articles, passages
    from storage.tags import TagError, find_tag, get_tag, merge_tags

    article_id, _ = articles.add_article(db, title="t", text="alpha beta gamma delta")
    drugs, traff = find_tag(db, "Drugs")["id"], find_tag(db, "Trafficking")["id"]
    add = lambda tag, start, end, note="": passages.add_passage(  # noqa: E731
        db, article_id=article_id, tag_id=tag, start=start, end=end, analyst="a", note=note)
    only_source = add(drugs, 0, 5)
    twin_source = add(drugs, 6, 10, "from drugs")
    twin_target = add(traff, 6, 10, "from trafficking")
    quiet_twin = add(drugs, 11, 16)
    quiet_target = add(traff, 11, 16, "kept")
    tags.set_parent(db, tags.find_tag(db, "Diplomacy")["id"], drugs)

    assert merge_tags(db, drugs, traff) == {"moved": 1, "merged": 2}
    assert get_tag(db, drugs) is None
    assert get_tag(db, traff)["passage_count"] == 3
    assert passages.get_passage(db, only_source)["tag"] == "Trafficking"
    assert passages.get_passage(db, twin_source) is None
    assert passages.get_passage(db, quiet_twin) is None
    assert passages.get_passage(db, twin_target)["note"] == "from trafficking\nfrom drugs"
    assert passages.get_passage(db, quiet_target)["note"] == "kept"
    assert find_tag(db, "Diplomacy")["parent_id"] == traff
    with pytest.raises(TagError, match="itself"):
        merge_tags(db, traff, traff)
    with pytest.raises(TagError, match="must exist"):
        merge_tags(db, drugs, traff)


def test_merge_tags_never_folds_another_analysts_passage(db):
    """Ben's passage (or adjudication's consensus one) at the span of Ana's
    is Ben's coding: it moves to the target tag, it is not dropped."""
    from storage import articles, passages
    from storage.tags import find_tag, merge_tags

    article_id, _ = articles.add_article(db, title="t", text="alpha beta gamma delta")
    drugs, traff = find_tag(db, "Drugs")["id"], find_tag(db, "Trafficking")["id"]
    bens = passages.add_passage(db, article_id=article_id, tag_id=drugs, start=6, end=10,
                                analyst="Ben", note="Ben's reading")
    decided = passages.add_passage(db, article_id=article_id, tag_id=drugs, start=11,
                                   end=16, analyst="consensus")
    anas = [passages.add_passage(db, article_id=article_id, tag_id=traff, start=s, end=e,
                                 analyst="Ana") for s, e in ((6, 10), (11, 16))]
    assert merge_tags(db, drugs, traff) == {"moved": 2, "merged": 0}
    rows = {p["id"]: (p["tag"], p["analyst"], p["note"])
            for p in passages.passages_for_article(db, article_id)}
    assert rows[bens] == ("Trafficking", "Ben", "Ben's reading")
    assert rows[decided][:2] == ("Trafficking", "consensus")
    assert all(rows[i][2] == "" for i in anas)       # no note folded into Ana's


def test_set_parent_refuses_loops(db):
    from storage.tags import TagError, ancestor_ids, find_tag, list_tags, set_parent

    drugs, cyber, key = (find_tag(db, n)["id"] for n in ("Drugs", "Cybercrime", "Key quote"))
    set_parent(db, drugs, cyber)
    set_parent(db, key, drugs)
    assert ancestor_ids(db, key) == {key, drugs, cyber}
    assert {t["id"]: t["parent_id"] for t in list_tags(db)}[key] == drugs
    with pytest.raises(TagError, match="loop"):
        set_parent(db, cyber, key)
    with pytest.raises(TagError, match="loop"):
        set_parent(db, cyber, cyber)
    with pytest.raises(TagError, match="no tag"):
        set_parent(db, cyber, 999)
    set_parent(db, drugs, None)
    assert find_tag(db, "Drugs")["parent_id"] is None
    assert find_tag(db, "Cybercrime")["parent_id"] is None


def test_a_passage_is_not_retagged_or_moved_onto_a_copy_of_another(db):
    """Re-tagging, or moving the bounds, onto the same words, tag and
    analyst as another passage made a copy (counted and exported twice)."""
    article_id, _ = articles.add_article(db, title="T", text="Police seized drugs at the port.")
    drugs = tags.create_tag(db, "Narcotics", "#112233")
    port = tags.create_tag(db, "Port", "#445566")
    first = passages.add_passage(db, article_id=article_id, tag_id=drugs, start=0, end=6,
                                 analyst="ana")
    second = passages.add_passage(db, article_id=article_id, tag_id=port, start=0, end=6,
                                  analyst="ana")
    other = passages.add_passage(db, article_id=article_id, tag_id=drugs, start=7, end=13,
                                 analyst="ana")
    with pytest.raises(passages.PassageError, match="tagged so already"):
        passages.retag_passage(db, second, drugs)
    with pytest.raises(passages.PassageError, match="tagged so already"):
        passages.set_range(db, other, 0, 6)
    assert passages.get_passage(db, second)["tag_id"] == port
    assert passages.get_passage(db, other)["start"] == 7
    theirs = passages.add_passage(db, article_id=article_id, tag_id=port, start=7, end=13,
                                  analyst="bo")
    passages.retag_passage(db, theirs, drugs)     # another analyst's: not a copy
    assert passages.same_passage(db, article_id=article_id, tag_id=drugs, start=0, end=6,
                                 analyst="ana") == first
    # many at once (the Passages workspace): refused the same, nothing moved
    with pytest.raises(passages.PassageError, match="tagged so already"):
        passages.retag_passages(db, [second, other], drugs)
    assert passages.get_passage(db, second)["tag_id"] == port
    third = tags.create_tag(db, "Seizure", "#778899")
    with pytest.raises(passages.PassageError, match="counted and exported twice"):
        passages.retag_passages(db, [first, second], third)   # copies of each other there
    assert passages.get_passage(db, first)["tag_id"] == drugs
    assert passages.retag_passages(db, [second], third) == 1


def test_a_memo_save_keeps_a_change_made_meanwhile_or_is_refused(db):
    """A memo save carries the memo it was typed on: one changed elsewhere
    meanwhile is merged where the two changes lie apart, and the save is
    refused (nothing changed) where they meet — never silently overwritten."""
    article_id, _ = articles.add_article(db, title="T", text="Some words.")
    review.set_memo(db, article_id, "Check the date.")
    review.set_memo(db, article_id, "Source: AKP. Check the date.")      # elsewhere
    stored = review.set_memo(db, article_id, "Check the date. Ask the embassy.",
                             typed_on="Check the date.")
    assert stored == review.memo(db, article_id) == "Source: AKP. Check the date. Ask the embassy."
    with pytest.raises(review.MemoChangedMeanwhile) as refused:
        review.set_memo(db, article_id, "Source: Xinhua. Check the date.",
                        typed_on="Check the date.")
    assert refused.value.stored == review.memo(db, article_id) == stored
    assert review.set_memo(db, article_id, "whatever") == "whatever"    # nothing typed on


def test_a_passage_is_not_retagged_to_a_category(db):
    """Tagging with a category (a tag that only groups tags) is refused;
    re-tagging to one was stored."""
    article_id, _ = articles.add_article(db, title="T", text="Police seized drugs at the port.")
    drugs = tags.create_tag(db, "Narcotics", "#112233")
    group = tags.create_tag(db, "Crime types", "#445566", codable=False)
    passage = passages.add_passage(db, article_id=article_id, tag_id=drugs, start=0, end=6,
                                   analyst="ana")
    with pytest.raises(passages.PassageError, match="“Crime types” is a category"):
        passages.retag_passage(db, passage, group)
    with pytest.raises(passages.PassageError, match="“Crime types” is a category"):
        passages.retag_passages(db, [passage], group)
    assert passages.get_passage(db, passage)["tag_id"] == drugs
