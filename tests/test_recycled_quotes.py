"""Recycled quotes: linking the same or reworded words across articles."""

from __future__ import annotations

from desktop.analysis.recycled import QuoteText, find_links, sentences
from storage import open_database, quotes


def test_sentences_skip_short_fragments():
    assert sentences("Yes. This is a long enough sentence here.\n\n“And another one "
                     "that is long.") == ["This is a long enough sentence here.",
                                          "And another one that is long."]


def test_reworded_quote_by_the_same_speaker_is_linked():
    a = QuoteText(1, 10, "Cybersecurity is a serious threat to state security due to its "
                         "subtle, shadowy nature,", "Thong Mengdavid")
    b = QuoteText(2, 20, "Cybersecurity is a significant concern for national security due "
                         "to its covert and elusive nature.", "Thong Mengdavid")
    [(first, second, score)] = find_links([a], [a, b])
    assert (first, second) == (1, 2) and 60 <= score < 88


def test_reworded_words_in_another_mouth_are_not_linked_but_copies_are():
    a = QuoteText(1, 10, "Cybersecurity is a serious threat to state security due to its "
                         "subtle, shadowy nature,", "Thong Mengdavid")
    reworded = QuoteText(2, 20, "Cybersecurity is a significant concern for national "
                                "security due to its covert and elusive nature.", "Someone Else")
    copied = QuoteText(3, 30, "Cybersecurity is a serious threat to state security due to "
                              "its subtle and shadowy nature.", "Someone Else")
    assert [(x, y) for x, y, _ in find_links([a], [a, reworded, copied])] == [(1, 3)]


def test_quotes_in_the_same_article_are_not_linked():
    a = QuoteText(1, 10, "The same words said twice in one article today.", "X")
    b = QuoteText(2, 10, "The same words said twice in one article today.", "X")
    assert find_links([a], [a, b]) == []


def test_seed_quotes_of_thong_mengdavid_are_linked_across_three_articles(analysed_db_path):
    db = open_database(analysed_db_path)
    links = quotes.links_for_article(db, 1)
    texts = {q["id"]: q["text"] for q in quotes.all_quotes(db, article_id=1)}
    threat = next(i for i, t in texts.items() if t.startswith("Cybersecurity is a serious"))
    assert {link["article_id"] for link in links[threat]} == {2, 3}
    assert max(link["score"] for link in links[threat]) == 100.0
    linked_speakers = {link["speaker"] for ls in links.values() for link in ls}
    assert linked_speakers == {"Thong Mengdavid"}


def test_speakers_are_counted_across_the_corpus(analysed_db_path):
    db = open_database(analysed_db_path)
    by_name = {s["speaker"]: s for s in quotes.speakers(db)}
    assert (by_name["Thong Mengdavid"]["quote_count"],
            by_name["Thong Mengdavid"]["article_count"]) == (5, 3)
    assert by_name["Neth Savoeun"]["quote_count"] == 5
    assert by_name["National Police social media post"]["speaker_kind"] == "document"


def _pairs(db) -> list[tuple[int, int, float]]:
    return sorted(db.execute("SELECT quote_id, other_quote_id, score FROM quote_links"))


def test_each_link_is_stored_once_and_read_from_both_ends(analysed_db_path):
    db = open_database(analysed_db_path)
    pairs = _pairs(db)
    assert pairs and all(newer > older for newer, older, _ in pairs)
    # the older article's quote is only ever ``other_quote_id``, yet it lists
    # its links as the newer one does
    seen = {}
    for article_id in (1, 2, 3):
        for quote_id, links in quotes.links_for_article(db, article_id).items():
            for link in links:
                seen[(quote_id, link["other_quote_id"])] = link["score"]
    assert seen == {**{(a, b): s for a, b, s in pairs}, **{(b, a): s for a, b, s in pairs}}


def test_links_stored_both_ways_by_schema_23_are_kept_once(analysed_db_path):
    """Migration 0024 on a file whose links were written both ways."""
    import sqlite3

    from storage.schema import SCHEMA_VERSION

    db = open_database(analysed_db_path)
    pairs = _pairs(db)
    before = {a: quotes.links_for_article(db, a) for a in (1, 2, 3)}
    db.close()
    conn = sqlite3.connect(analysed_db_path)
    with conn:      # back to schema 23's table, as 0002 made it
        conn.execute("DROP TABLE quote_links")
        conn.execute("""CREATE TABLE quote_links (
            quote_id INTEGER REFERENCES quotes(id) ON DELETE CASCADE,
            other_quote_id INTEGER REFERENCES quotes(id) ON DELETE CASCADE,
            score FLOAT NOT NULL, PRIMARY KEY (quote_id, other_quote_id))""")
        conn.executemany("INSERT INTO quote_links VALUES (?, ?, ?)",
                         [row for a, b, s in pairs for row in ((a, b, s), (b, a, s))])
        conn.execute("DELETE FROM _sqlite_migrations WHERE name = '0024_quote_links_once'")
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION - 1}")
    conn.close()
    db = open_database(analysed_db_path)
    assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert _pairs(db) == pairs
    assert {a: quotes.links_for_article(db, a) for a in (1, 2, 3)} == before


def test_candidates_come_from_the_next_longest_words_when_the_longest_find_none(
        analysed_db_path):
    """The candidate search asks for the three longest words first and for
    the next three only if those find too few: a quote whose longest words
    are nowhere still finds the one holding its next ones."""
    db = open_database(analysed_db_path)
    threat = next(q for q in quotes.all_quotes(db, article_id=1)
                  if q["text"].startswith("Cybersecurity is a serious"))
    text = "Quxxxxxxxxxxxxxxa quyyyyyyyyyyyyyyb quzzzzzzzzzzzzzzc: cybersecurity serious threat"
    found = quotes.recycling_candidates(db, text, article_id=99, limit=40)
    assert threat["id"] in {row["id"] for row in found}
