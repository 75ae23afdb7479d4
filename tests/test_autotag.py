"""Auto-tag candidates (desktop.autotag) on the analysed seeds."""

from __future__ import annotations

import re
import unicodedata

import pytest

from desktop.autotag import (ENTITY, PHRASE, REGEX, SPEAKER, AutoTagError, AutoTagRequest,
                             changed_message, find_candidates, insert_passages,
                             passage_ranges)
from storage import articles, open_database, passages, quotes, tags


@pytest.fixture
def analysed(analysed_db_path):
    database = open_database(analysed_db_path)
    yield database
    database.close()


def tag_id(db, name="Cybercrime") -> int:
    return tags.find_tag(db, name)["id"]


def texts(db) -> dict[int, str]:
    return {r["id"]: r["text"] for r in db.query("SELECT id, text FROM articles")}


def test_speaker_quotes_across_three_articles(analysed):
    found = find_candidates(analysed, AutoTagRequest(tag_id(analysed), SPEAKER,
                                                     "thong  MENGDAVID"))
    assert len(found) == 5
    assert sorted({c["article_id"] for c in found}) == [1, 2, 3]
    assert [(c["article_id"], c["start"]) for c in found] == sorted(
        (c["article_id"], c["start"]) for c in found)
    stored = texts(analysed)
    spoken = {(q["article_id"], q["start"], q["end"]) for q in quotes.all_quotes(
        analysed, speaker="Thong Mengdavid", kinds=quotes.SPOKEN)}
    assert {(c["article_id"], c["start"], c["end"]) for c in found} == spoken
    for c in found:
        assert stored[c["article_id"]][c["start"]:c["end"]] == c["text"]
        assert set(c) >= {"article_id", "article_title", "start", "end", "text"}


def test_entity_mentions_match_case_insensitively(analysed):
    found = find_candidates(analysed, AutoTagRequest(tag_id(analysed), ENTITY, "phnom penh"))
    assert [c["article_id"] for c in found] == [1, 5]
    stored = texts(analysed)
    for c in found:
        assert c["text"] == "Phnom Penh" == stored[c["article_id"]][c["start"]:c["end"]]
        assert stored[c["article_id"]][c["start"] - len(c["before"]):c["start"]] == c["before"]
        assert stored[c["article_id"]][c["end"]:].startswith(c["after"])
    one = find_candidates(analysed, AutoTagRequest(tag_id(analysed), ENTITY, "Phnom Penh",
                                                   article_id=5))
    assert [c["article_id"] for c in one] == [5]


def test_entity_mentions_include_the_aliases_merged_with_it(analysed):
    from storage.entity_corrections import merge_entities
    from storage.entity_index import corpus_entities

    def mentions(name):
        return {(c["article_id"], c["text"]) for c in find_candidates(
            analysed, AutoTagRequest(tag_id(analysed), ENTITY, name))}

    sokha, sar_sokha = mentions("Sokha"), mentions("Sar Sokha")
    assert sokha and sar_sokha and not sokha & sar_sokha
    refs = [r for r in corpus_entities(analysed, limit=10_000)
            if r["name"] in ("Sokha", "Sar Sokha")]
    merge_entities(analysed, refs, "Sar Sokha", "PERSON")
    # the merged entity's mentions are its aliases' (as the article filter finds them)
    assert mentions("Sar Sokha") == mentions("sokha") == sokha | sar_sokha


def test_regex_counts_and_case_option(analysed):
    tid = tag_id(analysed)
    found = find_candidates(analysed, AutoTagRequest(tid, REGEX, r"cyber\w+"))
    assert len(found) == 17
    assert [c["article_id"] for c in found].count(1) == 6
    assert {c["text"].lower() for c in found} == {"cybercrime", "cybersecurity",
                                                  "cybercrimes"}
    sensitive = find_candidates(analysed, AutoTagRequest(tid, REGEX, r"cyber\w+",
                                                         ignore_case=False))
    assert len(sensitive) == 17 - sum(len(re.findall(r"Cyber\w+", t))
                                      for t in texts(analysed).values())
    assert all(c["text"].startswith("cyber") for c in sensitive)
    one = find_candidates(analysed, AutoTagRequest(tid, REGEX, r"cyber\w+", article_id=4))
    assert [(c["article_id"], c["text"]) for c in one] == [(4, "cybercrime")]


def test_regex_reads_the_corpus_in_batches(analysed, monkeypatch):
    from storage import autotag_queries

    sizes = []
    original = autotag_queries.article_batches

    def small_batches(db, **kwargs):
        for batch in original(db, **{**kwargs, "batch_size": 2}):
            sizes.append(len(batch))
            yield batch
    monkeypatch.setattr(autotag_queries, "article_batches", small_batches)
    progress = []
    found = find_candidates(analysed, AutoTagRequest(tag_id(analysed), REGEX, r"cyber\w+"),
                            on_progress=lambda done, total: progress.append((done, total)))
    assert len(found) == 17 and sizes == [2, 2, 1]
    assert progress == [(2, 5), (4, 5), (5, 5)]


def test_phrase_is_literal_and_spans_line_breaks(db):
    from storage import articles

    article_id, _ = articles.add_article(
        db, title="t", text="The Phnom\nPenh office (a.k.a. HQ) and phnom penh again.")
    tid = tag_id(db)
    found = find_candidates(db, AutoTagRequest(tid, PHRASE, "Phnom Penh"))
    assert [c["text"] for c in found] == ["Phnom\nPenh", "phnom penh"]
    assert [c["text"] for c in find_candidates(
        db, AutoTagRequest(tid, PHRASE, "(a.k.a. HQ)"))] == ["(a.k.a. HQ)"]
    assert find_candidates(db, AutoTagRequest(tid, PHRASE, "a.k.a", article_id=article_id))
    assert find_candidates(db, AutoTagRequest(tid, PHRASE, "phnom PENH",
                                              ignore_case=False)) == []


#: a phrase's letters, stored decomposed (NFD: accents as combining marks,
#: as macOS files and some PDFs keep them) and precomposed (NFC)
ACCENTED = "Le café de Phnôm Pénh. Le CAFÉ ferme. Việt Nam, cafe, Ångström, 한국."


@pytest.mark.parametrize("stored", ["NFD", "NFC"])
@pytest.mark.parametrize("typed", ["NFD", "NFC"])
def test_a_phrase_finds_accented_words_typed_and_stored_in_either_form(db, stored, typed):
    text = unicodedata.normalize(stored, ACCENTED)
    article_id, _ = articles.add_article(db, title="accents", text=text)
    tid = tag_id(db)

    def found(phrase, **options):
        return [c["text"] for c in find_candidates(db, AutoTagRequest(
            tid, PHRASE, unicodedata.normalize(typed, phrase), article_id=article_id,
            **options))]

    café = unicodedata.normalize(stored, "café")
    assert found("café") == [café, unicodedata.normalize(stored, "CAFÉ")]
    assert found("café", ignore_case=False) == [café]
    assert found("Phnôm Pénh") == [unicodedata.normalize(stored, "Phnôm Pénh")]
    assert found("Việt Nam") == [unicodedata.normalize(stored, "Việt Nam")]
    assert found("Ångström") == [unicodedata.normalize(stored, "Ångström")]
    assert found("한국") == [unicodedata.normalize(stored, "한국")]   # Hangul: jamo in NFD
    # offsets are code points into the stored text, never normalised
    for c in find_candidates(db, AutoTagRequest(tid, PHRASE, "café", article_id=article_id)):
        assert text[c["start"]:c["end"]] == c["text"]
    # an unaccented phrase is another word, in either form
    assert found("cafe", ignore_case=False) == ["cafe"]


def test_a_phrase_matches_the_other_spellings_of_a_letter_with_two_marks(db):
    """"ệ" is one code point, or e with a dot below and a circumflex in
    either order, or "ê" or "ẹ" with the other mark: the same letter."""
    spellings = ["\u1ec7", "e\u0323\u0302", "e\u0302\u0323", "\u00ea\u0323", "\u1eb9\u0302"]
    text = " ".join(f"Vi{s}t" for s in spellings) + " Vi\u00eat Vi\u1eb9t"
    article_id, _ = articles.add_article(db, title="viet", text=text)
    found = find_candidates(db, AutoTagRequest(tag_id(db), PHRASE, "Việt",
                                               article_id=article_id))
    assert [c["text"] for c in found] == [f"Vi{s}t" for s in spellings]


def test_a_pattern_match_never_cuts_a_letter_from_its_combining_marks(db):
    text = "Un cafe\u0301 noir, un cafe cre\u0300me."
    article_id, _ = articles.add_article(db, title="nfd", text=text)
    tid = tag_id(db)

    def found(pattern):
        return [c["text"] for c in find_candidates(db, AutoTagRequest(
            tid, REGEX, pattern, article_id=article_id))]

    assert found("caf[ée]") == ["cafe\u0301", "cafe"]
    assert found(r"cr\w") == ["cre\u0300"]
    assert found("\u0300") == ["e\u0300"]      # a mark alone takes its letter


def test_skips_spans_already_tagged_with_the_same_tag(analysed):
    tid, other = tag_id(analysed), tag_id(analysed, "Key quote")
    request = AutoTagRequest(tid, REGEX, r"cyber\w+", analyst="a")
    first = find_candidates(analysed, request)
    c = first[0]
    passages.add_passage(analysed, article_id=c["article_id"], tag_id=tid, start=c["start"],
                         end=c["end"], analyst="a")
    # another tag at the same offsets, and this tag over a wider span, do not count
    passages.add_passage(analysed, article_id=first[1]["article_id"], tag_id=other,
                         start=first[1]["start"], end=first[1]["end"], analyst="a")
    passages.add_passage(analysed, article_id=first[2]["article_id"], tag_id=tid,
                         start=first[2]["start"] - 1, end=first[2]["end"], analyst="a")
    again = find_candidates(analysed, request)
    assert again == first[1:]


def test_a_colleagues_passages_do_not_hide_matches_from_another_analyst(analysed):
    tid = tag_id(analysed)
    alice = AutoTagRequest(tid, REGEX, r"cyber\w+", analyst="Alice")
    first = find_candidates(analysed, alice)
    insert_passages(analysed, alice, first[:5], "Alice")
    bob = AutoTagRequest(tid, REGEX, r"cyber\w+", analyst="Bob")
    already: list[int] = []
    assert find_candidates(analysed, bob, already=already) == first and already == [0]
    insert_passages(analysed, bob, first, "Bob")
    assert find_candidates(analysed, bob) == []
    assert find_candidates(analysed, alice) == first[5:]
    # a request that names no analyst leaves out nobody's; the insert still
    # leaves out what the analyst it tags as has, so no copy is stored
    anyone = AutoTagRequest(tid, REGEX, r"cyber\w+")
    assert find_candidates(analysed, anyone) == first
    insert_passages(analysed, anyone, first, "Alice")
    counts = dict(analysed.execute(
        "SELECT analyst, count(*) FROM passages WHERE tag_id = ? GROUP BY analyst", [tid]))
    assert counts == {"Alice": len(first), "Bob": len(first)}


def test_matches_whose_article_changed_since_the_preview_are_left_out_and_counted(db):
    tid = tag_id(db)
    text = "The scam hub was raided. Another scam was found."
    changed_id = articles.add_article(db, title="changed", text=text)[0]
    kept_id = articles.add_article(db, title="kept", text=text + " Kept.")[0]
    request = AutoTagRequest(tid, PHRASE, "scam", analyst="Bob")
    found = find_candidates(db, request)                   # the preview
    assert len(found) == 4
    articles.replace_article_text(db, changed_id, "NEW LEAD. " + text)
    changed: list[dict] = []
    step = insert_passages(db, request, found, "Bob", changed=changed,
                           step_name=lambda n: f"Auto-tag {n} passages")
    stored = [tuple(r) for r in db.execute("SELECT article_id, text FROM passages")]
    assert sorted(stored) == [(kept_id, "scam"), (kept_id, "scam")]
    assert [c["article_id"] for c in changed] == [changed_id, changed_id]
    assert step.name == "Auto-tag 2 passages"
    assert changed_message(changed).startswith("2 passages were not tagged: the text of "
                                               "their article changed since the search")
    # a new preview finds them where the words are now
    again = find_candidates(db, request)
    assert [(c["article_id"], c["text"]) for c in again] == [(changed_id, "scam")] * 2
    # the same word moved to the old offsets by an edit is another occurrence
    articles.replace_article_text(db, changed_id, "Old lead gone scam.")
    assert again[0]["start"] == 14
    with pytest.raises(AutoTagError, match="2 passages were not tagged"):
        insert_passages(db, request, again, "Bob")           # all changed: nothing stored
    assert len(stored) == db.execute("SELECT count(*) FROM passages").fetchone()[0]


def test_ranges_add_as_passages(analysed):
    tid = tag_id(analysed)
    request = AutoTagRequest(tid, SPEAKER, "Thong Mengdavid", analyst="a")
    for r in passage_ranges(request, find_candidates(analysed, request)):
        passages.add_passage(analysed, analyst="a", **r)
    assert tags.get_tag(analysed, tid)["passage_count"] == 5
    assert find_candidates(analysed, request) == []


@pytest.mark.parametrize("mode,query,message", [
    (REGEX, "cyber(", "not a valid regular expression"),
    (REGEX, "  ", "Type what to look for"),
    (PHRASE, "", "Type what to look for"),
    (SPEAKER, " ", "Type a name"),
    ("colour", "x", "Unknown auto-tag mode"),
])
def test_bad_requests_say_why(db, mode, query, message):
    with pytest.raises(AutoTagError, match=message):
        find_candidates(db, AutoTagRequest(tag_id(db), mode, query))


def test_blank_matches_are_left_out(db):
    from storage import articles

    articles.add_article(db, title="t", text="one  two\n\nthree")
    assert find_candidates(db, AutoTagRequest(tag_id(db), REGEX, r"\s*")) == []
    assert [c["text"] for c in find_candidates(
        db, AutoTagRequest(tag_id(db), REGEX, r"\s*t\w+\s*"))] == ["two", "three"]
