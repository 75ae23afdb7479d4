"""Recycled quotes: linking the same or reworded words across articles."""

from __future__ import annotations

from desktop.analysis.recycled import QuoteText, find_links, sentences, similarity
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
    assert max(similarity(texts[threat], link["text"]) for link in links[threat]) == 100.0
    linked_speakers = {link["speaker"] for ls in links.values() for link in ls}
    assert linked_speakers == {"Thong Mengdavid"}


def test_speakers_are_counted_across_the_corpus(analysed_db_path):
    db = open_database(analysed_db_path)
    by_name = {s["speaker"]: s for s in quotes.speakers(db)}
    assert (by_name["Thong Mengdavid"]["quote_count"],
            by_name["Thong Mengdavid"]["article_count"]) == (5, 3)
    assert by_name["Neth Savoeun"]["quote_count"] == 5
    assert by_name["National Police social media post"]["speaker_kind"] == "document"


def _groups(db) -> dict[int, set[int]]:
    groups: dict[int, set[int]] = {}
    for quote_id, group_id in db.execute("SELECT quote_id, group_id FROM quote_groups"):
        groups.setdefault(quote_id, set()).add(group_id)
    return groups


def _thong_cybersecurity(db) -> dict[int, int]:
    """Article → its quote of Thong Mengdavid on cybersecurity (the seeds
    quote it in articles 1, 2 and 3: copied, reworded, and copied together
    with his next statement)."""
    return {q["article_id"]: q["id"] for a in (1, 2, 3)
            for q in quotes.all_quotes(db, article_id=a)
            if q["text"].startswith("Cybersecurity is a")}


def test_a_recycled_statement_is_one_group_read_from_every_article(analysed_db_path):
    db = open_database(analysed_db_path)
    groups = _groups(db)
    threat = _thong_cybersecurity(db)
    assert set(threat) == {1, 2, 3}
    # one group, named by its first quote; the quotes that also hold his
    # next statement are in that one's group as well
    assert set.intersection(*(groups[q] for q in threat.values())) == {threat[1]}
    [australia] = [q["id"] for q in quotes.all_quotes(db, article_id=1)
                   if q["text"].startswith("Australia would be")]
    assert {q for q, g in groups.items() if australia in g} == {australia, threat[2], threat[3]}
    # each article's quote lists the quotes of its groups in other articles
    listed = {article_id: {link["other_quote_id"] for link in quotes.links_for_article(
        db, article_id)[quote_id]} for article_id, quote_id in threat.items()}
    assert listed == {1: {threat[2], threat[3]}, 2: {threat[1], australia, threat[3]},
                      3: {threat[1], australia, threat[2]}}
    # a quote alone in its group recurs nowhere
    members = [g for gs in groups.values() for g in gs]
    alone = {q for q, gs in groups.items() if all(members.count(g) == 1 for g in gs)}
    assert alone and not alone & {q for a in range(1, 6)
                                  for q in quotes.links_for_article(db, a)}


def test_links_of_a_large_group_are_the_newest_few(analysed_db_path):
    db = open_database(analysed_db_path)
    threat = _thong_cybersecurity(db)
    links = quotes.links_for_article(db, 1, limit=1)[threat[1]]
    assert [link["other_quote_id"] for link in links] == [max(threat.values())]


def test_a_word_for_word_copy_joins_the_group_by_its_wording(analysed_db_path, monkeypatch):
    """A copy differing in case, spacing and the marks around it is found
    by its wording: no candidate search, no comparison."""
    from desktop import analysis_jobs
    from storage import analyses, articles

    db = open_database(analysed_db_path)
    [threat] = [q for q in quotes.all_quotes(db, article_id=1)
                if q["text"].startswith("Cybersecurity is a serious")]
    assert quotes.wording_key(threat["text"]) == quotes.wording_key(
        "  “" + threat["text"].upper().replace(" ", "\n ") + ",”")
    copy = f"A wire copy. {threat['text']}"
    article_id, _ = articles.add_article(db, title="Copy", text=copy)
    start = copy.index(threat["text"])
    analysis = {"article_id": article_id, "text_hash": articles.get_article(db, article_id)[
        "text_hash"], "entities": [], "quotes": [{
            "start": start, "end": start + len(threat["text"]), "text": threat["text"],
            "kind": "direct", "speaker": "Someone Else", "speaker_start": None,
            "speaker_end": None, "speaker_kind": "person", "cue": "said",
            "method": "cue"}]}
    monkeypatch.setattr(analysis_jobs, "find_links", None)      # never called
    monkeypatch.setattr(quotes, "_probe", None)
    analyses.save_analyses(db, [analysis], pipeline="test", pipeline_version="1",
                           degraded=False)
    assert analysis_jobs.link_recycled_quotes(db, [article_id]) == 1
    [new] = quotes.all_quotes(db, article_id=article_id)
    assert _groups(db)[new["id"]] == _groups(db)[threat["id"]] == {threat["id"]}


def test_links_of_schema_27_become_groups(analysed_db_path):
    """Migration 0028 on a file whose recycled quotes were links per pair:
    quotes joined by links, directly or through others, share one group,
    named by the oldest; every spoken quote has its row and wording."""
    import sqlite3

    from storage.schema import SCHEMA_VERSION

    db = open_database(analysed_db_path)
    groups = _groups(db)
    spoken = {q["id"]: q["text"] for a in range(1, 6)
              for q in quotes.all_quotes(db, article_id=a, kinds=quotes.SPOKEN)}
    members: dict[int, set[int]] = {}
    for quote_id, in_groups in groups.items():
        for group in in_groups:
            members.setdefault(group, set()).add(quote_id)
    chains = [sorted(ids) for ids in members.values() if len(ids) > 1]
    # the two groups of Thong Mengdavid's statements share two quotes
    linked = set().union(*chains)
    [australia] = [q["id"] for q in quotes.all_quotes(db, article_id=1)
                   if q["text"].startswith("Australia would be")]
    assert len(chains) == 2 and linked == set(_thong_cybersecurity(db).values()) | {australia}
    db.close()
    conn = sqlite3.connect(analysed_db_path)
    with conn:      # back to schema 27: each group a chain of links, newer first
        conn.execute("DROP TABLE quote_groups")
        conn.execute("""CREATE TABLE quote_links (
            quote_id INTEGER NOT NULL REFERENCES quotes(id) ON DELETE CASCADE,
            other_quote_id INTEGER NOT NULL REFERENCES quotes(id) ON DELETE CASCADE,
            score FLOAT NOT NULL, PRIMARY KEY (quote_id, other_quote_id),
            CHECK (quote_id > other_quote_id)) WITHOUT ROWID""")
        conn.executemany("INSERT OR IGNORE INTO quote_links VALUES (?, ?, 90.0)",
                         [(b, a) for ids in chains for a, b in zip(ids, ids[1:])])
        conn.execute("DELETE FROM _sqlite_migrations WHERE name = '0028_quote_groups'")
        conn.execute("PRAGMA user_version = 27")
    conn.close()
    db = open_database(analysed_db_path)
    assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert "quote_links" not in db.table_names()
    assert _groups(db) == {quote_id: {min(linked)} if quote_id in linked else {quote_id}
                           for quote_id in spoken}
    assert dict(db.execute("SELECT quote_id, wording FROM quote_groups")) == {
        quote_id: quotes.wording_key(text) for quote_id, text in spoken.items()}


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
