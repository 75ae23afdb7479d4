"""Speaker corrections (issue 15): setting a quote's speaker, "not a quote",
marking a passage as a quote and merging speakers are read back everywhere
quotes and speakers are read (an article's quotes, all quotes, the Speakers
list, the speaker filter's summary, auto-tag by speaker, ``dossier quotes
--json``), survive re-analysis by the real pipeline, and undo/redo through
the journal. Real SQLite files (the analysed seeds)."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from storage import analyses, articles, journal, open_database, passages, quotes, tags
from storage import speaker_corrections as sc
from storage.article_query import ArticleQuery, count_articles
from storage.autotag_queries import speaker_quotes
from storage.changes import SPEAKERS


@pytest.fixture
def adb(analysed_db_path):
    db = open_database(analysed_db_path)
    yield db
    db.close()


def _quote(db, speaker, index=0):
    return [q for q in quotes.all_quotes(db) if q["speaker"] == speaker][index]


def _speakers(db) -> dict[str, int]:
    return {s["speaker"]: s["quote_count"] for s in quotes.speakers(db)}


def _summary(db) -> Counter:
    return Counter({(r[0], r[1].lower()): r[2] for r in db.execute(
        "SELECT article_id, speaker, quotes FROM article_speakers")})


def _expected_summary(db) -> Counter:
    found = Counter()
    for q in quotes.all_quotes(db):
        if q["speaker"]:
            found[(q["article_id"], q["speaker"].lower())] += 1
    return found


def _filter(db, speaker):
    return count_articles(db, ArticleQuery(speaker=speaker))


def test_set_speaker_is_read_everywhere_and_undone(adb):
    quote = _quote(adb, "Am Sam Ath")
    before = _speakers(adb)
    sc.set_speaker(adb, quote["article_id"], quote["start"], quote["end"], "Chak Sopheap",
                   sc.PERSON, analyst="ana")
    shown = analyses.latest_analysis(adb, quote["article_id"])["quotes"]
    fixed = next(q for q in shown if q["start"] == quote["start"])
    assert (fixed["speaker"], fixed["speaker_kind"], fixed["method"], fixed["corrected"],
            fixed["original_speaker"]) == ("Chak Sopheap", "person", "corrected", True,
                                           "Am Sam Ath")
    assert not quotes.to_check(fixed)
    assert "Am Sam Ath" not in _speakers(adb) and _speakers(adb)["Chak Sopheap"] == 1
    assert _filter(adb, "Chak Sopheap") == 1 and _filter(adb, "Am Sam Ath") == 0
    assert _summary(adb) == _expected_summary(adb)
    assert [q["start"] for q in speaker_quotes(adb, "chak sopheap")] == [quote["start"]]
    [row] = quotes.all_quotes(adb, speaker="Chak Sopheap")
    assert row["corrected"] and row["id"] == quote["id"]

    step = journal.undoable(adb)
    assert step["name"] == "Set speaker “Chak Sopheap”"
    undone = journal.undo(adb)
    assert undone.changes.touches(SPEAKERS) and quote["article_id"] in undone.changes.article_ids
    assert _speakers(adb) == before and _filter(adb, "Am Sam Ath") == 1
    assert _summary(adb) == _expected_summary(adb)
    journal.redo(adb)
    assert _speakers(adb)["Chak Sopheap"] == 1 and _filter(adb, "Chak Sopheap") == 1


def test_not_a_quote_and_mark_as_quote(adb):
    quote = _quote(adb, "interior ministry")
    article_id = quote["article_id"]
    count = len(list(quotes.all_quotes(adb, article_id=article_id)))
    sc.mark_not_quote(adb, article_id, quote["start"], quote["end"])
    left = list(quotes.all_quotes(adb, article_id=article_id))
    assert len(left) == count - 1 and quote["start"] not in {q["start"] for q in left}
    assert "interior ministry" not in _speakers(adb)
    assert _filter(adb, "interior ministry") == 0

    text = articles.get_article(adb, article_id)["text"]
    start = text.index("Sokha")
    sc.mark_as_quote(adb, article_id, start, start + 20, "Sar Sokha", sc.PERSON)
    added = [q for q in quotes.all_quotes(adb, article_id=article_id) if q["start"] == start]
    assert added == [pytest.approx(added[0])]
    assert (added[0]["id"], added[0]["text"], added[0]["speaker"], added[0]["kind"],
            added[0]["corrected"]) == (None, text[start:start + 20], "Sar Sokha",
                                       "direct", True)
    reader = analyses.latest_analysis(adb, article_id)["quotes"]
    assert any(q["start"] == start and q["speaker"] == "Sar Sokha" for q in reader)
    assert _filter(adb, "Sar Sokha") == 1 and _summary(adb) == _expected_summary(adb)
    # unmarking a passage the analyst marked forgets it
    sc.mark_not_quote(adb, article_id, start, start + 20)
    assert not any(q["start"] == start for q in quotes.all_quotes(adb, article_id=article_id))
    with pytest.raises(sc.SpeakerError):
        sc.mark_as_quote(adb, article_id, 0, len(text) + 5, "X")
    with pytest.raises(sc.SpeakerError):
        sc.set_speaker(adb, article_id, quote["start"], quote["end"], "  ")


def test_merge_speakers_across_the_corpus_and_undo(adb):
    sc.merge_speakers(adb, ["press release", "press release from the ministry"],
                      "press release from the ministry")
    listed = _speakers(adb)
    assert "press release" not in listed and listed["press release from the ministry"] == 4
    assert _filter(adb, "press release from the ministry") == 2
    assert len(list(quotes.all_quotes(adb, speaker="press release from the ministry"))) == 4
    # the merged-away name stands for the name it is shown as now, in the
    # list's filter, the quotes and auto-tag (it found nothing: walk S)
    assert _filter(adb, "press release") == 2
    assert len(list(quotes.all_quotes(adb, speaker="Press release"))) == 4
    assert (len(speaker_quotes(adb, "press release"))
            == len(speaker_quotes(adb, "press release from the ministry")) > 0)
    assert _summary(adb) == _expected_summary(adb)
    # a name merged into one that is merged again follows it
    sc.merge_speakers(adb, ["press release from the ministry", "interior ministry"],
                      "Interior Ministry", sc.ORGANISATION)
    listed = {s["speaker"]: s for s in quotes.speakers(adb)}
    assert listed["Interior Ministry"]["quote_count"] == 5
    assert listed["Interior Ministry"]["speaker_kind"] == "organisation"
    assert sc.resolve(adb, "Press Release") == "Interior Ministry"
    journal.undo(adb)
    journal.undo(adb)
    assert _speakers(adb)["press release"] == 2 and _filter(adb, "press release") == 1
    assert _summary(adb) == _expected_summary(adb)
    with pytest.raises(sc.SpeakerError):
        sc.merge_speakers(adb, ["Sokha"], "sokha")


def test_a_second_merge_into_the_same_speaker_is_undone_and_redone(adb):
    """The merged speaker's own row was deleted and inserted again by each
    merge: undoing (or redoing) the second was refused on the alias' UNIQUE
    although nobody had changed anything."""
    def aliases():
        return adb.execute("SELECT * FROM speaker_aliases ORDER BY id").fetchall()

    sc.merge_speakers(adb, ["press release"], "Interior Ministry", sc.ORGANISATION)
    after_first = aliases()
    sc.merge_speakers(adb, ["Am Sam Ath"], "Interior Ministry", sc.ORGANISATION)
    after_second = aliases()
    journal.undo(adb)
    assert aliases() == after_first
    journal.redo(adb)
    assert aliases() == after_second
    assert sc.resolve(adb, "Am Sam Ath") == sc.resolve(adb, "press release") \
        == "Interior Ministry"
    assert _summary(adb) == _expected_summary(adb)


def test_corrections_survive_reanalysis(adb, pipeline):
    from desktop.analysis_jobs import analyse_pending

    quote = _quote(adb, "Am Sam Ath")
    sc.set_speaker(adb, quote["article_id"], quote["start"], quote["end"], "Chak Sopheap")
    sc.merge_speakers(adb, ["press release", "press release from the ministry"],
                      "press release from the ministry")
    text = articles.get_article(adb, quote["article_id"])["text"]
    marked = text.index("Cambodia")
    sc.mark_as_quote(adb, quote["article_id"], marked, marked + 200, "Neth Savoeun")
    wrong = _quote(adb, "interior ministry")
    sc.mark_not_quote(adb, wrong["article_id"], wrong["start"], wrong["end"])
    adb.execute("DELETE FROM analyses")          # re-analysis from scratch
    adb.conn.commit()
    assert analyse_pending(adb, pipeline) == 5
    assert _speakers(adb)["Chak Sopheap"] == 1 and "Am Sam Ath" not in _speakers(adb)
    assert _speakers(adb)["press release from the ministry"] == 4
    assert "interior ministry" not in _speakers(adb)
    assert [q["speaker"] for q in quotes.all_quotes(adb, article_id=quote["article_id"])
            if q["start"] == marked] == ["Neth Savoeun"]
    assert _summary(adb) == _expected_summary(adb)
    # an edit across the quote's first words: its correction no longer applies
    text = articles.get_article(adb, quote["article_id"])["text"]
    edge = quote["start"] + 5
    articles.replace_article_text(adb, quote["article_id"],
                                  text[:edge - 10] + "(edited) " + text[edge:])
    assert not any(q["corrected"] and q["speaker"] == "Chak Sopheap"
                   for q in quotes.all_quotes(adb))
    assert _summary(adb) == _expected_summary(adb)


def _recut(db, quote) -> None:
    """Store a newer analysis of ``quote``'s article whose quotes are the
    current ones, ``quote`` cut one character shorter (as a new pipeline
    version may cut it)."""
    article_id = quote["article_id"]
    current = analyses.latest_analysis(db, article_id)
    found = []
    for row in db.query("SELECT * FROM quotes WHERE analysis_id = (SELECT max(id) FROM "
                        "analyses WHERE article_id = ?)", [article_id]):
        row = {k: row[k] for k in analyses.QUOTE_FIELDS}
        if (row["start"], row["end"]) == (quote["start"], quote["end"]):
            row["end"], row["text"] = row["end"] - 1, row["text"][:-1]
        found.append(row)
    text_hash = articles.get_article(db, article_id)["text_hash"]
    analyses.save_analysis(db, article_id=article_id, text_hash=text_hash,
                           pipeline=current["pipeline"],
                           pipeline_version=current["pipeline_version"] + ".next",
                           degraded=False, entities=[], quotes=found)


def _free_passage(db, article_id, length=20) -> int:
    """The start of ``length`` characters of the article no quote touches."""
    taken = [(q["start"], q["end"]) for q in quotes.all_quotes(db, article_id=article_id)]
    text = articles.get_article(db, article_id)["text"]
    return next(start for start in range(0, len(text) - length, 10)
                if all(end <= start or start + length <= begin for begin, end in taken))


def _corrections(db) -> list[tuple]:
    return db.execute('SELECT id, text_hash, start, "end", is_quote, marked, speaker '
                      "FROM quote_corrections ORDER BY id").fetchall()


def test_edit_text_far_from_a_corrected_quote_keeps_the_correction(adb, pipeline):
    """A line appended to the article dropped every Set speaker, Not a quote
    and Mark as quote of it: they were keyed by the old text's hash."""
    from desktop.analysis_jobs import analyse_articles

    quote = _quote(adb, "Am Sam Ath")
    article_id = quote["article_id"]
    sc.set_speaker(adb, article_id, quote["start"], quote["end"], "Chak Sopheap")
    wrong = [q for q in quotes.all_quotes(adb, article_id=article_id)
             if q["speaker"] == "Neth Savoeun" and q["kind"] == "direct"][0]
    sc.mark_not_quote(adb, article_id, wrong["start"], wrong["end"])
    marked = _free_passage(adb, article_id)
    sc.mark_as_quote(adb, article_id, marked, marked + 20, "Sar Sokha")
    before = _corrections(adb)
    text = articles.get_article(adb, article_id)["text"]

    counts = articles.replace_article_text(adb, article_id, text + "\nOne line added.")
    assert (counts["corrections_kept"], counts["corrections_dropped"]) == (3, 0)
    assert (counts["kept"], counts["moved"], counts["orphaned"]) == (0, 0, 0)
    # the analyst's quote shows at once, the others with the new analysis
    assert [q["speaker"] for q in quotes.all_quotes(adb, article_id=article_id)] \
        == ["Sar Sokha"]
    assert _summary(adb) == _expected_summary(adb)
    analyse_articles(adb, pipeline, [article_id])
    shown = {q["start"]: q for q in quotes.all_quotes(adb, article_id=article_id)}
    assert (shown[quote["start"]]["speaker"], shown[quote["start"]]["corrected"]) \
        == ("Chak Sopheap", True)
    assert wrong["start"] not in shown
    assert shown[marked]["speaker"] == "Sar Sokha"
    assert _speakers(adb)["Chak Sopheap"] == 1 and "Am Sam Ath" not in _speakers(adb)
    assert _summary(adb) == _expected_summary(adb)
    # one step: undo leaves the corrections as they were
    assert journal.undoable(adb)["name"] == "Edit article text"
    journal.undo(adb)
    assert _corrections(adb) == before
    assert _summary(adb) == _expected_summary(adb)
    journal.redo(adb)
    assert _speakers(adb)["Chak Sopheap"] == 1


def test_an_edit_rewriting_most_of_a_corrected_quote_drops_it_until_the_words_are_back(adb):
    """The edit's own quote, rewritten but for its first and last letters
    ("close relationship" → "cooperation and a partnership"), is cut anew by
    the next analysis: its correction is not carried (and said);
    the other quotes' are, moved with their words. Typing the old words back
    finds the dropped correction again."""
    quote = _quote(adb, "Am Sam Ath")
    article_id = quote["article_id"]
    sc.set_speaker(adb, article_id, quote["start"], quote["end"], "Chak Sopheap")
    first = min(quotes.all_quotes(adb, article_id=article_id), key=lambda q: q["start"])
    sc.set_speaker(adb, article_id, first["start"], first["end"], "Sar Sokha")
    text = articles.get_article(adb, article_id)["text"]
    assert first["text"] == "close relationship"

    edited = text[:first["start"]] + "cooperation and a partnership" + text[first["end"]:]
    shift = len(edited) - len(text)
    counts = articles.replace_article_text(adb, article_id, edited)
    assert (counts["corrections_kept"], counts["corrections_dropped"]) == (1, 1)
    new_hash = articles.get_article(adb, article_id)["text_hash"]
    assert [(c["start"], c["speaker"]) for c in sc.quote_corrections(adb, new_hash)] \
        == [(quote["start"] + shift, "Chak Sopheap")]
    assert edited[quote["start"] + shift:quote["end"] + shift] == quote["text"]
    # the old text typed back: both corrections apply again, at once
    articles.replace_article_text(adb, article_id, text)
    shown = {q["start"]: q["speaker"] for q in quotes.all_quotes(adb, article_id=article_id)}
    assert (shown[quote["start"]], shown[first["start"]]) == ("Chak Sopheap", "Sar Sokha")
    assert _summary(adb) == _expected_summary(adb)


def test_a_typo_fixed_inside_corrected_quotes_keeps_their_corrections_at_the_new_span(
        adb, pipeline):
    """A typo fixed inside a quote ("confidnce" → "confidence") dropped the
    speaker the analyst had set on it, and one fixed inside a passage marked
    as a quote unmarked it, while the passages on those words followed the
    fix. They follow it now (start kept, end moved by the letter added),
    and the new analysis cuts the quote at exactly that span, so the speaker
    set applies to it. Undo of each fix brings the corrections back as they
    were."""
    from desktop.analysis_jobs import analyse_articles

    article_id = _quote(adb, "Am Sam Ath")["article_id"]
    text = articles.get_article(adb, article_id)["text"]
    assert text.count("public confidence") == text.count("the training of") == 1
    # (a line added too: the text fixed is new, not the seed's analysed one)
    typos = text.replace("public confidence", "public confidnce").replace(
        "the training of", "the traning of") + "\n\nThis story was updated."
    articles.replace_article_text(adb, article_id, typos)
    analyse_articles(adb, pipeline, [article_id])
    quote = _quote(adb, "Am Sam Ath")
    assert "confidnce" in quote["text"]
    sc.set_speaker(adb, article_id, quote["start"], quote["end"], "Chak Sopheap")
    marked = typos.index("more support")
    marked_end = typos.index("officers", marked) + len("officers")
    sc.mark_as_quote(adb, article_id, marked, marked_end, "Sar Sokha")
    before = _corrections(adb)

    fixed = typos.replace("confidnce", "confidence")
    counts = articles.replace_article_text(adb, article_id, fixed)
    assert (counts["corrections_kept"], counts["corrections_dropped"]) == (2, 0)
    text = fixed.replace("traning", "training")
    counts = articles.replace_article_text(adb, article_id, text)
    assert (counts["corrections_kept"], counts["corrections_dropped"]) == (2, 0)
    new_hash = articles.get_article(adb, article_id)["text_hash"]
    assert [(c["start"], c["end"], c["is_quote"], c["speaker"])
            for c in sc.quote_corrections(adb, new_hash)] == [
        (marked, marked_end + 1, 1, "Sar Sokha"),
        (quote["start"] + 1, quote["end"] + 2, 1, "Chak Sopheap")]
    # the analyst's quote shows at once, the speaker set with the new analysis
    [shown] = quotes.all_quotes(adb, article_id=article_id)
    assert (shown["text"], shown["speaker"]) == (
        "more support for the training of the Kingdom’s police officers", "Sar Sokha")
    analyse_articles(adb, pipeline, [article_id])
    shown = {q["start"]: q for q in quotes.all_quotes(adb, article_id=article_id)}
    am = shown[quote["start"] + 1]
    assert (am["end"], am["speaker"], am["corrected"]) \
        == (quote["end"] + 2, "Chak Sopheap", True)
    assert "public confidence" in am["text"]
    assert shown[marked]["speaker"] == "Sar Sokha"
    assert _speakers(adb)["Chak Sopheap"] == 1 and "Am Sam Ath" not in _speakers(adb)
    assert _summary(adb) == _expected_summary(adb)

    assert journal.undoable(adb)["name"] == "Edit article text"
    journal.undo(adb)
    journal.undo(adb)
    assert articles.get_article(adb, article_id)["text"] == typos
    assert _corrections(adb) == before
    shown = {q["start"]: q["speaker"] for q in quotes.all_quotes(adb, article_id=article_id)}
    assert (shown[quote["start"]], shown[marked]) == ("Chak Sopheap", "Sar Sokha")
    assert _summary(adb) == _expected_summary(adb)


def test_a_correction_removed_after_a_typo_fix_stays_removed_when_the_typo_is_typed_back(adb):
    """The typo fix carries a mark to the fixed text; cleared there, it came
    back when the typo was typed back: the typo'd text's own row, on the
    words the edit changed, was never deleted. A speaker changed there
    comes back as changed. One journal step each: undo restores it."""
    article_id = _quote(adb, "Am Sam Ath")["article_id"]
    text = articles.get_article(adb, article_id)["text"]
    start = text.index("more support")
    end = text.index("officers", start) + len("officers")
    sc.mark_as_quote(adb, article_id, start, end, "Sar Sokha")
    fixed = text.replace("the training of", "the trainings of")
    articles.replace_article_text(adb, article_id, fixed)
    sc.clear_correction(adb, article_id, start, end + 1)
    before = _corrections(adb)

    _typed_back_forgets_and_undo_brings_back(adb, article_id, text, before)
    # marked again, under another name: the typo typed back keeps that name
    sc.mark_as_quote(adb, article_id, start, end + 1, "Neth Savoeun")
    articles.replace_article_text(adb, article_id, text)
    assert [(q["start"], q["end"], q["speaker"]) for q in
            quotes.all_quotes(adb, article_id=article_id) if q["corrected"]] \
        == [(start, end, "Neth Savoeun")]
    assert _summary(adb) == _expected_summary(adb)


def _typed_back_forgets_and_undo_brings_back(adb, article_id: int, text: str,
                                             before) -> None:
    """The old ``text`` typed back: no correction comes back (the counts
    agree), and undoing that edit restores the corrections ``before`` it."""
    articles.replace_article_text(adb, article_id, text)
    assert not [q for q in quotes.all_quotes(adb, article_id=article_id) if q["corrected"]]
    assert not _corrections(adb)
    assert _summary(adb) == _expected_summary(adb)
    journal.undo(adb)
    assert _corrections(adb) == before


def test_a_correction_removed_after_an_edit_stays_removed_when_the_edit_is_reverted(adb):
    """A mark carried to the edited text and cleared there came back when the
    old text was typed back: that text's own older row was never deleted.
    The edit's one journal step records the delete: undo brings it back."""
    article_id = _quote(adb, "Am Sam Ath")["article_id"]
    marked = _free_passage(adb, article_id)
    sc.mark_as_quote(adb, article_id, marked, marked + 20, "Sar Sokha")
    text = articles.get_article(adb, article_id)["text"]
    articles.replace_article_text(adb, article_id, "NEW. " + text)
    assert [q["speaker"] for q in quotes.all_quotes(adb, article_id=article_id)
            if q["corrected"]] == ["Sar Sokha"]
    sc.clear_correction(adb, article_id, marked + 5, marked + 25)
    before = _corrections(adb)

    _typed_back_forgets_and_undo_brings_back(adb, article_id, text, before)
    journal.redo(adb)
    assert not _corrections(adb)


def test_import_update_keeps_the_speaker_corrections_and_says_so(tmp_path, capsys):
    """``dossier import --update`` re-anchors as Edit text… does: a corrected
    speaker whose words the new version kept stays, moved with them."""
    from desktop.cli import main

    source = tmp_path / "story.txt"
    source.write_text('Police met. "We freed 300 people," Neth Savoeun said.', "utf-8")
    db_path = str(tmp_path / "r.db")
    assert main(["import", str(source), "--db", db_path]) == 0
    db = open_database(db_path)
    start = articles.get_article(db, 1)["text"].index("We freed")
    sc.mark_as_quote(db, 1, start, start + 20, "Neth Savoeun")
    db.close()
    source.write_text('UPDATED. Police met. "We freed 300 people," Neth Savoeun said.', "utf-8")
    capsys.readouterr()
    assert main(["import", "--update", str(source), "--db", db_path]) == 0
    assert "; 1 speaker correction kept, 0 no longer apply" in capsys.readouterr().out
    db = open_database(db_path)
    [quote] = quotes.all_quotes(db, article_id=1)
    assert (quote["start"], quote["text"], quote["speaker"]) \
        == (start + 9, "We freed 300 people,", "Neth Savoeun")
    db.close()


def test_the_reader_gets_the_marked_quotes_of_a_text_not_analysed_yet(seeded_db_path):
    """``latest_analysis`` said None — nothing to show — while the Speakers
    tab, the filter and ``dossier quotes`` counted the analyst's quote."""
    db = open_database(seeded_db_path)
    assert analyses.latest_analysis(db, 1) is None
    sc.mark_as_quote(db, 1, 10, 40, "Jane Marker")
    shown = analyses.latest_analysis(db, 1)
    assert (shown["pipeline"], shown["entities"]) == (None, [])
    assert [(q["start"], q["end"], q["speaker"], q["corrected"]) for q in shown["quotes"]] \
        == [(10, 40, "Jane Marker", True)]
    assert [q["speaker"] for q in quotes.all_quotes(db, article_id=1)] == ["Jane Marker"]
    journal.undo(db)
    assert analyses.latest_analysis(db, 1) is None
    db.close()


def test_a_speaker_set_on_a_quote_cut_differently_since_no_longer_applies(adb):
    """It came back as a quote the analyst marked: the same words listed
    twice, once under each speaker."""
    quote = _quote(adb, "Am Sam Ath")
    article_id = quote["article_id"]
    sc.set_speaker(adb, article_id, quote["start"], quote["end"], "Chak Sopheap")
    marked = _free_passage(adb, article_id)
    sc.mark_as_quote(adb, article_id, marked, marked + 20, "Neth Savoeun")
    # a speaker set on a passage the analyst marked keeps it the analyst's quote
    sc.set_speaker(adb, article_id, marked, marked + 20, "Sar Sokha")
    tagged = passages.add_passage(adb, article_id=article_id, tag_id=tags.list_tags(adb)[0]["id"],
                                  start=quote["start"], end=quote["start"] + 10, analyst="a")
    _recut(adb, quote)

    shown = [(q["start"], q["end"], q["speaker"], q["corrected"])
             for q in quotes.all_quotes(adb, article_id=article_id)]
    assert [row for row in shown if row[0] == quote["start"]] == [
        (quote["start"], quote["end"] - 1, "Am Sam Ath", False)]
    assert (marked, marked + 20, "Sar Sokha", True) in shown
    reader = analyses.latest_analysis(adb, article_id)["quotes"]
    assert [q["speaker"] for q in reader if q["start"] == quote["start"]] == ["Am Sam Ath"]
    assert "Chak Sopheap" not in _speakers(adb) and _filter(adb, "Chak Sopheap") == 0
    assert _summary(adb) == _expected_summary(adb)
    # the Passages workspace's speaker filter agrees (it listed the passage
    # under both speakers)
    from storage.passage_listing import PassageQuery, passage_ids
    assert tagged not in passage_ids(adb, PassageQuery(speaker="Chak Sopheap"))
    assert tagged in passage_ids(adb, PassageQuery(speaker="Am Sam Ath"))


def test_the_migration_tells_speakers_set_from_passages_marked(adb, analysed_db_path):
    """Migration 0033 on a database whose corrections were stored alike:
    the journal's step names say which each was, else the stored analyses
    (a quote there: a speaker set); older steps still undo."""
    from storage.schema import SCHEMA_VERSION

    recut, other = _quote(adb, "Am Sam Ath"), _quote(adb, "interior ministry")
    article_id = recut["article_id"]
    sc.set_speaker(adb, article_id, recut["start"], recut["end"], "Chak Sopheap")
    marked = _free_passage(adb, article_id)
    sc.mark_as_quote(adb, article_id, marked, marked + 20, "Mao Sreyleak")
    mark_step = journal.last_step_id(adb)
    free = _free_passage(adb, other["article_id"])
    with journal.unrecorded(adb):       # corrections the journal no longer names
        text_hash = articles.get_article(adb, other["article_id"])["text_hash"]
        for start, end, speaker in ((other["start"], other["end"], "Pich Rithy"),
                                    (free, free + 20, "Ouk Bopha")):
            adb.execute('INSERT INTO quote_corrections (article_id, text_hash, start, "end", '
                        "speaker, speaker_kind, created_at) VALUES (?, ?, ?, ?, ?, 'person', "
                        "'2024-01-01')", [other["article_id"], text_hash, start, end, speaker])
    _recut(adb, recut)
    # back to the shape Dossier left before 0033: no column, nor its triggers
    with adb.atomic():
        for (name,) in adb.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' "
                                   "AND sql LIKE '%marked%'").fetchall():
            adb.execute(f'DROP TRIGGER "{name}"')
        adb.execute("ALTER TABLE quote_corrections DROP COLUMN marked")
        adb.execute("UPDATE journal_changes SET before = json_remove(before, '$.marked'), "
                    "after = json_remove(after, '$.marked') WHERE tbl = 'quote_corrections'")
        journal.retrack_all(adb)
        adb.execute("DELETE FROM _sqlite_migrations "
                    "WHERE name = '0033_quote_corrections_marked'")
        adb.execute("PRAGMA user_version = 32")
    adb.close()

    db = open_database(analysed_db_path)
    try:
        assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert {r[0]: r[1] for r in db.execute(
            "SELECT speaker, marked FROM quote_corrections")} == {
            "Chak Sopheap": 0, "Mao Sreyleak": 1, "Pich Rithy": 0, "Ouk Bopha": 1}
        shown = {q["speaker"] for q in quotes.all_quotes(db)}
        assert {"Mao Sreyleak", "Pich Rithy", "Ouk Bopha"} <= shown
        assert "Chak Sopheap" not in shown
        assert _summary(db) == _expected_summary(db)
        # a step recorded before the column existed still undoes
        journal.undo(db, step_id=mark_step)
        assert "Mao Sreyleak" not in {q["speaker"] for q in quotes.all_quotes(db)}
        assert _summary(db) == _expected_summary(db)
    finally:
        db.close()


def test_cli_quotes_json_says_corrected(adb, analysed_db_path, capsys):
    from desktop.cli import main

    quote = _quote(adb, "Am Sam Ath")
    sc.set_speaker(adb, quote["article_id"], quote["start"], quote["end"], "Chak Sopheap")
    assert main(["quotes", "--json", "--db", str(analysed_db_path)]) == 0
    rows = json.loads(capsys.readouterr().out)
    row = next(r for r in rows if r["start"] == quote["start"]
               and r["article_id"] == quote["article_id"])
    assert (row["speaker"], row["corrected"], row["original_speaker"], row["to_check"]) == (
        "Chak Sopheap", True, "Am Sam Ath", False)
    assert row["key"] == quotes.quote_key(quote["text_hash"], quote["start"], quote["end"])
    assert sum(r["corrected"] for r in rows) == 1


def test_writes_outside_a_step_are_refused(adb):
    import sqlite3

    with pytest.raises(sqlite3.DatabaseError):
        adb.execute("INSERT INTO speaker_aliases (alias, speaker, created_at) "
                    "VALUES ('x', 'y', 'z')")


def test_a_scare_quote_given_a_speaker_is_someones_words(adb):
    article = articles.get_article(adb, 1)
    start = article["text"].index("Cambodia")
    analyses.save_analysis(adb, article_id=1, text_hash=article["text_hash"],
                           pipeline="test", pipeline_version="1", degraded=False,
                           entities=[], quotes=[{"start": start, "end": start + 8,
                                                 "text": "Cambodia", "kind": "scare",
                                                 "speaker_kind": "unknown"}])
    assert [q["kind"] for q in quotes.all_quotes(adb, article_id=1)] == ["scare"]
    before = _speakers(adb)
    sc.set_speaker(adb, 1, start, start + 8, "Keo Sophal")
    [quote] = quotes.all_quotes(adb, article_id=1)
    assert (quote["kind"], quote["speaker"]) == ("direct", "Keo Sophal")
    assert _speakers(adb) == {**before, "Keo Sophal": 1} and _filter(adb, "Keo Sophal") == 1


def test_the_command_line_says_a_merged_name_stands_for_another(adb, analysed_db_path,
                                                                 capsys):
    from desktop.cli import main

    sc.merge_speakers(adb, ["press release"], "press release from the ministry")
    assert main(["quotes", "--db", str(analysed_db_path), "--speaker", "Press release"]) == 0
    out, err = capsys.readouterr()
    assert ("“Press release” was merged into “press release from the ministry”: "
            "press release from the ministry's quotes") in err
    assert out.count("press release from the ministry") == 4
    assert main(["autotag", "--db", str(analysed_db_path), "--tag", "Key quote",
                 "--speaker", "press release", "--dry-run"]) == 0
    out, err = capsys.readouterr()
    assert "was merged into" in err and "would tag 0 passages" not in out
    # spaces around a name are no merge
    assert main(["quotes", "--db", str(analysed_db_path), "--speaker",
                 " press release from the ministry "]) == 0
    assert "merged" not in capsys.readouterr().err
    assert sc.resolve(adb, "  press release ") == "press release from the ministry"


def test_a_speakers_kind_is_the_one_most_of_its_quotes_give(adb):
    """One quote whose speaker was set with the kind "organisation" made the
    speaker's row read "organisation" for all of its quotes (min() of the
    kinds)."""
    row = next(s for s in quotes.speakers(adb)
               if s["speaker_kind"] == "person" and s["quote_count"] >= 2)
    quote = _quote(adb, row["speaker"])
    sc.set_speaker(adb, quote["article_id"], quote["start"], quote["end"], row["speaker"],
                   sc.ORGANISATION)
    again = {s["speaker"]: s for s in quotes.speakers(adb)}[row["speaker"]]
    assert again["quote_count"] == row["quote_count"] and again["speaker_kind"] == "person"


def test_dossier_undo_of_a_merge_says_what_changed(adb, analysed_db_path, capsys):
    """It said "0 passages, 0 articles and 0 tags concerned"."""
    from desktop.cli import main

    with journal.step(adb, "Merge speakers"):
        sc.merge_speakers(adb, ["press release"], "press release from the ministry")
    assert main(["undo", "--db", str(analysed_db_path)]) == 0
    out = capsys.readouterr().out
    assert "the speaker and quote corrections changed" in out and "0 passages" not in out
    assert "press release" in _speakers(adb)


@pytest.mark.parametrize("kinds, expected", [
    ("ppouuu", "person"),        # unknown is no kind: the known one most given wins
    ("uuuod", "organisation"),   # a tie between known kinds: person, organisation, document
    ("oop", "organisation"), ("po", "person"), ("dd", "document"), ("uu", "unknown")])
def test_the_most_given_kind_of_a_speakers_quotes(kinds, expected):
    import sqlite3

    from storage.quotes import _MOST_GIVEN_KIND

    names = dict(p="person", o="organisation", d="document", u="unknown")
    db = sqlite3.connect(":memory:")
    db.execute("CREATE TABLE q (speaker_kind TEXT)")
    db.executemany("INSERT INTO q VALUES (?)", [(names[k],) for k in kinds])
    assert db.execute(f"SELECT {_MOST_GIVEN_KIND} FROM q").fetchone()[0] == expected
