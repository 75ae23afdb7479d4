"""The article list as SQL (issue 6): FTS5 search kept in sync by triggers,
filters, sort orders, hit counts, positions, passage counts, and migration
0005 on an older database — real SQLite files, small data."""

from __future__ import annotations

import pytest

from storage import analyses, articles, journal, open_database, passages, review, tags
from storage.article_listing import ArticleListing
from storage.article_query import (ArticleQuery, SearchError, article_page,
                                   article_position, count_articles, fts_expression,
                                   search_matches)


@pytest.fixture
def db(tmp_path):
    db = open_database(tmp_path / "dossier.db")
    yield db
    db.close()


def _add(db, title, text, **meta):
    return articles.add_article(db, title=title, text=text, **meta)[0]


def _ids(db, query, limit=100):
    return [row["id"] for row in article_page(db, query, 0, limit)]


def test_words_phrases_prefixes_and_or(db):
    a = _add(db, "Police cooperation", "Cambodia and Australia fight transnational crime.")
    b = _add(db, "Scam compounds", "Cybercrime rings moved across the border. Crime pays.")
    c = _add(db, "Trade talks", "Ministers discussed crime transnationally, and trade.")
    assert _ids(db, ArticleQuery(search="crime")) == [a, b, c]
    assert _ids(db, ArticleQuery(search='"transnational crime"')) == [a]
    assert _ids(db, ArticleQuery(search="transnational*")) == [a, c]
    assert _ids(db, ArticleQuery(search="cyber*")) == [b]
    assert _ids(db, ArticleQuery(search="police trade")) == []          # all words must occur
    assert _ids(db, ArticleQuery(search="police OR trade")) == [a, c]
    assert _ids(db, ArticleQuery(search="POLICE")) == [a]               # case folded, title too
    assert count_articles(db, ArticleQuery(search="crime")) == 3


def test_a_minus_leaves_out_what_holds_a_word_or_phrase(db):
    """"Sokha -Kheng" was read as Sokha and Kheng: no article."""
    a = _add(db, "Sokha alone", "Sar Sokha spoke about police cooperation.")
    b = _add(db, "Both", "Sar Sokha met Sar Kheng at the ministry.")
    c = _add(db, "Kheng alone", "Sar Kheng and the joint teams.")
    assert _ids(db, ArticleQuery(search="Sokha -Kheng")) == [a]
    assert _ids(db, ArticleQuery(search='Sar -"Sar Kheng"')) == [a]
    assert _ids(db, ArticleQuery(search="Sokha OR joint -ministry")) == [a, c]
    assert _ids(db, ArticleQuery(search="-Kheng Sokha")) == [a]       # anywhere in the line
    assert _ids(db, ArticleQuery(search="Sar a-hyphen")) == []        # a hyphen inside: a word
    assert fts_expression("-Kheng") is None        # no expression of one document…
    assert _ids(db, ArticleQuery(search="-Kheng")) == [a]      # …but the list leaves out
    assert ArticleQuery(search="-Kheng").is_filtered()
    assert fts_expression('police -"joint teams" -x*') == \
        '("police") NOT ("joint teams" OR "x"*)'
    assert search_matches(db, a, "Sokha -Kheng") == [(4, 9)]
    assert search_matches(db, b, "Sokha -Kheng") == []


def test_a_left_out_term_leaves_out_the_article_not_one_of_its_documents(db):
    """Searching text and notes, an article whose text holds the left-out
    word came back through a note that holds the other word only."""
    both = _add(db, "Both", "Sar Sokha met Sar Kheng at the ministry.")
    alone = _add(db, "Alone", "Sar Sokha spoke about police cooperation.")
    tag_id = tags.create_tag(db, "Seen", "#123456")
    passages.add_passage(db, article_id=both, tag_id=tag_id, start=0, end=9,
                         analyst="ana", note="Sokha was there")
    for scope in ("all", "notes", "text"):
        query = ArticleQuery(search="Sokha -Kheng", search_in=scope)
        assert _ids(db, query) == ([alone] if scope != "notes" else [both]), scope
    memo_only = _add(db, "Memo", "Nothing of either here.")
    review.set_memo(db, memo_only, "Kheng called")
    assert _ids(db, ArticleQuery(search="-Kheng", search_in="all")) == [alone]


def test_any_typed_text_is_a_valid_search(db):
    _add(db, "One", "Some text with (brackets) and a-hyphen and AND NOT near.")
    for typed in ['"', "(", "AND", "NOT x", "a:b", "*", '"unclosed phrase', "OR", "—",
                  "near(", "x OR OR y", "^start", "-", "x -", "- x", '-"', "x -(", "x --y",
                  "OR -x", "x OR -y"]:
        count_articles(db, ArticleQuery(search=typed))        # never a syntax error
    assert fts_expression("  ") is None and fts_expression('"" * —') is None
    assert fts_expression('cyber* "joint teams" OR police') == \
        '"cyber"* "joint teams" OR "police"'


def test_the_index_follows_inserts_updates_and_deletes(db):
    a = _add(db, "Before", "The original words about smuggling.")
    assert _ids(db, ArticleQuery(search="smuggling")) == [a]
    articles.replace_article_text(db, a, "New words about extradition.")
    assert _ids(db, ArticleQuery(search="smuggling")) == []
    assert _ids(db, ArticleQuery(search="extradition")) == [a]
    articles.update_details(db, a, title="Renamed headline")
    assert _ids(db, ArticleQuery(search="renamed")) == [a]
    assert _ids(db, ArticleQuery(search="before")) == []
    with journal.step(db, "Delete article"):
        db.execute("DELETE FROM articles WHERE id = ?", [a])
    assert _ids(db, ArticleQuery(search="extradition")) == []
    assert db.execute("INSERT INTO articles_fts (articles_fts) VALUES ('integrity-check')")


def test_search_matches_are_code_point_ranges_of_the_text(db):
    text = "Phnôm Pénh 👮 police met; the police-led “cyber” unit. Cybercrime."
    a = _add(db, "Title", text)
    ranges = search_matches(db, a, "police cyber*")
    assert [text[s:e] for s, e in ranges] == ["police", "police", "cyber", "Cybercrime"]
    assert [text[s:e] for s, e in search_matches(db, a, "phnom")] == ["Phnôm"]
    assert search_matches(db, a, "") == [] and search_matches(db, a, "absent") == []


def test_a_word_copied_from_a_decomposed_text_finds_and_marks_it(db):
    """Accents stored as letter + combining mark (macOS files, PDFs): the
    word selected in such a text and pasted into the search is found, in
    the text, the memo and the notes, and marked whole in the reader."""
    import unicodedata

    from storage import review
    from storage.article_query import note_matches

    text = unicodedata.normalize("NFD", "Le résumé du député à Genève.")
    a = _add(db, "NFD", text)
    copied = text[3:11]
    assert copied == unicodedata.normalize("NFD", "résumé") != "résumé"
    assert _ids(db, ArticleQuery(search=copied)) == [a]
    assert _ids(db, ArticleQuery(search="résumé")) == [a]               # typed, composed
    assert _ids(db, ArticleQuery(search=f'"{text[12:26]}"')) == [a]     # "du député à"
    assert [text[s:e] for s, e in search_matches(db, a, copied)] == [copied]
    review.set_memo(db, a, text)
    assert _ids(db, ArticleQuery(search=copied, search_in="notes")) == [a]
    assert note_matches(db, a, copied) == (set(), True)


@pytest.mark.parametrize("text,word", [("中国政府表示将加强监管。", "政府"),
                                       ("日本政府は声明を発表した。", "声明"),
                                       ("รัฐบาลกัมพูชาประกาศวันนี้", "กัมพูชา"),
                                       ("ព្រះរាជាណាចក្រកម្ពុជា", "កម្ពុជា")])
def test_a_word_inside_a_run_of_text_written_without_spaces_is_found(db, text, word):
    """Chinese, Japanese, Thai, Khmer: FTS5 indexes a run of such text as one
    token (or cuts it at vowel signs), so the word alone found nothing."""
    from storage import review
    from storage.article_query import note_matches

    a = _add(db, "Title", text)
    _add(db, "Other", "Nothing here. 中国 กัม ពុជា")
    assert _ids(db, ArticleQuery(search=word)) == [a]
    assert _ids(db, ArticleQuery(search=f'"{word}"')) == [a]
    assert count_articles(db, ArticleQuery(search=word)) == 1
    assert _ids(db, ArticleQuery(search=f"-{word}")) == [a + 1]
    assert [text[s:e] for s, e in search_matches(db, a, word)] == [word]   # the word marked
    review.set_memo(db, a, text)
    assert _ids(db, ArticleQuery(search=word, search_in="notes")) == [a]
    assert note_matches(db, a, word) == (set(), True)


@pytest.mark.parametrize("text,word", [("2024年5月10日，政府发布通知。", "5月"),
                                       ("iPhone手机销量下降。", "手机"),
                                       ("A股市场大幅上涨。", "股市")])
def test_a_word_inside_a_run_beginning_with_a_digit_or_latin_letter_is_found(
        db, monkeypatch, text, word):
    """FTS5 indexes “2024年5月10日” or “iPhone手机销量下降” as one token
    beginning with a digit or a Latin letter: such runs were not looked
    inside, so 5月 or 手机 found nothing in them. A Latin word still goes to
    the index alone (the vocabulary is not read) and finds what it found."""
    from storage import search_runs
    from storage.article_query import note_matches

    a = _add(db, "Title", text)
    other = _add(db, "Other", "Nothing here: iPhone 5 手 机 股")
    assert _ids(db, ArticleQuery(search=word)) == [a]
    assert _ids(db, ArticleQuery(search=f'"{word}"')) == [a]
    assert count_articles(db, ArticleQuery(search=word)) == 1
    assert _ids(db, ArticleQuery(search=f"-{word}")) == [other]
    assert [text[s:e] for s, e in search_matches(db, a, word)] == [word]
    review.set_memo(db, a, text)
    assert _ids(db, ArticleQuery(search=word, search_in="notes")) == [a]
    assert note_matches(db, a, word) == (set(), True)
    looked_up = []
    inside_runs = search_runs.inside_runs
    monkeypatch.setattr(search_runs, "inside_runs",
                        lambda db_, w: looked_up.append(w) or inside_runs(db_, w))
    assert _ids(db, ArticleQuery(search="iPhone")) == [other]       # the whole token only
    prefixed = [a, other] if text.startswith("iPhone") else [other]
    assert _ids(db, ArticleQuery(search="iphone*")) == prefixed
    assert looked_up == []


def test_a_word_inside_too_many_runs_says_how_to_narrow_it(db, monkeypatch):
    from storage import search_runs

    monkeypatch.setattr(search_runs, "MAX_TOKENS", 2)
    for text in ("中国政府表示", "日本政府说", "政府工作报告"):
        _add(db, "T", text)
    with pytest.raises(SearchError, match="“政府” is inside more than 2 different runs"):
        count_articles(db, ArticleQuery(search="政府"))
    assert _ids(db, ArticleQuery(search="政府*")) == [3]         # the runs beginning with it
    assert _ids(db, ArticleQuery(search="中国政府")) == [1]


def test_a_words_expansion_is_worked_out_once_until_the_file_changes(db, tmp_path,
                                                                      monkeypatch):
    """The list, its count and the reader's marks of each article opened
    asked for it again: on 100,000 Chinese articles 2.3 s each, on the
    window's thread. Worked out once; a change (this window's step, another
    connection's commit) makes it anew."""
    from storage import search_runs

    calls = []
    expanded = search_runs._expanded
    monkeypatch.setattr(search_runs, "_expanded",
                        lambda db_, word: calls.append(word) or expanded(db_, word))
    a = _add(db, "T", "中国政府表示")
    query = ArticleQuery(search="政府")
    assert _ids(db, query) == [a] and count_articles(db, query) == 1
    assert [s for s, _e in search_matches(db, a, "政府")] == [2]
    assert calls == ["政府"]
    b = _add(db, "T", "日本政府说")                      # this connection's step
    assert _ids(db, query) == [a, b] and calls == ["政府"] * 2
    other = open_database(tmp_path / "dossier.db")     # another's commit
    c = _add(other, "T", "政府工作报告")
    other.close()
    assert _ids(db, query) == [a, b, c] and calls == ["政府"] * 3


def test_a_file_with_too_many_runs_to_read_says_how_to_search_them(db, monkeypatch):
    """Reading the runs' vocabulary costs ~0.2 s a million: a file holding
    more than MAX_VOCABULARY of them gets a message, and the prefix form."""
    from storage import search_runs

    monkeypatch.setattr(search_runs, "MAX_VOCABULARY", 2)
    for text in ("中国政府表示", "日本政府说", "政府工作报告"):
        _add(db, "T", text)
    with pytest.raises(SearchError, match="too much text written without spaces.*“政府\\*”"):
        count_articles(db, ArticleQuery(search="政府"))
    assert _ids(db, ArticleQuery(search="政府*")) == [3]
    monkeypatch.setattr(search_runs, "MAX_VOCABULARY", 3)
    _add(db, "T", "English only")                      # (a change: read again)
    assert count_articles(db, ArticleQuery(search="政府")) == 3


def test_the_runs_beginning_with_a_digit_or_latin_letter_count_towards_the_cap(
        db, monkeypatch):
    """They are read as well, so the file's MAX_VOCABULARY counts them: one
    run beginning with a Chinese character and two with a digit or a
    Latin letter are three runs."""
    from storage import search_runs

    monkeypatch.setattr(search_runs, "MAX_VOCABULARY", 2)
    for text in ("中国政府表示", "2024年政府换届", "iPhone手机"):
        _add(db, "T", text)
    with pytest.raises(SearchError, match="too much text written without spaces"):
        count_articles(db, ArticleQuery(search="政府"))
    assert _ids(db, ArticleQuery(search="2024*")) == [2]      # the index alone
    monkeypatch.setattr(search_runs, "MAX_VOCABULARY", 3)
    _add(db, "T", "English only")                      # (a change: read again)
    assert _ids(db, ArticleQuery(search="政府")) == [1, 2]


def test_runs_beginning_with_a_digit_are_not_read_behind_too_much_latin_text(
        db, monkeypatch):
    """Finding them walks the tokens below U+0E00 (Latin words, figures)
    and every occurrence of each: beyond MAX_OTHER_WORDS occurrences
    (counted from the indexes' totals) or MAX_OTHER_TOKENS tokens that
    would stall, so only the runs beginning with a character of those
    scripts are looked inside, as before."""
    from storage import search_runs

    monkeypatch.setattr(search_runs, "MAX_OTHER_WORDS", 4)
    a = _add(db, "T", "中国5月表示")
    b = _add(db, "T", "2024年5月表示")
    assert _ids(db, ArticleQuery(search="5月")) == [a, b]
    _add(db, "T", "Five Latin words, no more")
    assert search_runs._occurrences(db) == 3 + 1 + 1 + 5      # the titles' “T” too
    assert _ids(db, ArticleQuery(search="5月")) == [a]
    monkeypatch.setattr(search_runs, "MAX_OTHER_WORDS", 100)
    monkeypatch.setattr(search_runs, "MAX_OTHER_TOKENS", 8)
    _add(db, "T", "Six")                               # (a change: read again)
    assert _ids(db, ArticleQuery(search="5月")) == [a, b]     # 8 tokens below U+0E00
    _add(db, "T", "Seven")
    assert _ids(db, ArticleQuery(search="5月")) == [a]        # 9


def test_a_word_inside_a_run_is_found_in_a_read_only_file(tmp_path):
    path = tmp_path / "ro.db"
    db = open_database(path)
    a = _add(db, "T", "中国政府表示")
    db.close()
    db = open_database(path, read_only=True)
    assert _ids(db, ArticleQuery(search="政府")) == [a]
    db.close()


def test_sort_orders_and_their_directions(db):
    rows = [("Bravo", "2021-05-01", "Reuters"), ("alpha", None, "ABC"),
            ("Charlie", "2019-01-01", None), ("delta", "2023-12-31", "abc")]
    ids = [_add(db, title, f"text {title}", published=published, source=source)
           for title, published, source in rows]
    tag = tags.create_tag(db, "T", "#112233")
    for _ in range(2):
        passages.add_passage(db, article_id=ids[2], tag_id=tag, start=0, end=4, analyst="a")
    passages.add_passage(db, article_id=ids[0], tag_id=tag, start=0, end=4, analyst="a")
    assert _ids(db, ArticleQuery()) == ids
    assert _ids(db, ArticleQuery(sort="title")) == [ids[1], ids[0], ids[2], ids[3]]
    assert _ids(db, ArticleQuery(sort="title", descending=True)) == \
        [ids[3], ids[2], ids[0], ids[1]]
    assert _ids(db, ArticleQuery(sort="published")) == [ids[3], ids[0], ids[2], ids[1]]
    assert _ids(db, ArticleQuery(sort="source")) == [ids[2], ids[1], ids[3], ids[0]]
    assert _ids(db, ArticleQuery(sort="passages")) == [ids[2], ids[0], ids[3], ids[1]]
    for sort in ("imported", "published", "title", "source", "passages"):
        for descending in (False, True):
            query = ArticleQuery(sort=sort, descending=descending)
            order = _ids(db, query)
            assert [article_position(db, query, i) for i in order] == [0, 1, 2, 3]


def test_pages_and_positions_with_filters(db):
    ids = [_add(db, f"Article {i:03}", f"Story {i} about {'police' if i % 3 else 'trade'}.",
                published=f"2020-01-{1 + i % 28:02}") for i in range(120)]
    query = ArticleQuery(search="police", sort="published", descending=False)
    expected = sorted((i for n, i in enumerate(ids) if n % 3),
                      key=lambda i: (f"2020-01-{1 + (i - ids[0]) % 28:02}", i))
    assert count_articles(db, query) == 80
    pages = article_page(db, query, 0, 50) + article_page(db, query, 50, 50)
    assert [r["id"] for r in pages] == expected
    assert "text" not in pages[0]
    assert article_position(db, query, expected[63]) == 63
    assert article_position(db, query, ids[0]) is None          # filtered out


def test_filters_by_tag_entity_speaker_source_and_dates(db):
    a = _add(db, "A", "Text A.", source="Khmer Times", published="2024-03-05")
    b = _add(db, "B", "Text B.", source="khmer times", published="2024-07-01")
    c = _add(db, "C", "Text C.", source="Reuters")
    tag = tags.create_tag(db, "Drugs", "#112233")
    passages.add_passage(db, article_id=b, tag_id=tag, start=0, end=4, analyst="x")
    for article_id, entity, speaker in ((a, "Interpol", "Sar Sokha"), (c, "interpol", None)):
        article = articles.get_article(db, article_id)
        analyses.save_analysis(
            db, article_id=article_id, text_hash=article["text_hash"], pipeline="p",
            pipeline_version="1", degraded=False,
            entities=[{"start": 0, "end": 4, "label": "ORG", "text": entity}],
            quotes=[{"start": 0, "end": 4, "text": "Text", "kind": "direct",
                     "speaker": speaker, "speaker_kind": "person"}])

    def ids(**fields):
        query = ArticleQuery(**fields)
        found = _ids(db, query)
        assert count_articles(db, query) == len(found)
        return found
    assert ids(tag_id=tag) == [b]
    assert ids(entity="INTERPOL") == [a, c]
    assert ids(speaker="sar sokha") == [a]
    assert ids(source="Khmer Times") == [a, b]
    assert ids(since="2024-03-05", until="2024-06-30") == [a]
    assert ids(since="2024-01-01") == [a, b]                     # undated drop out
    assert ids(until="2024-07-01") == [a, b]                     # inclusive
    assert ids(source="khmer times", entity="interpol") == [a]
    assert not ArticleQuery().is_filtered() and ArticleQuery(source="x").is_filtered()
    articles.replace_article_text(db, c, "Text C, rewritten.")   # its analysis is stale
    assert ids(entity="interpol") == [a]
    with pytest.raises(SearchError, match="not a date"):
        count_articles(db, ArticleQuery(since="last week"))



def test_a_date_range_reaches_the_calendars_last_day(db):
    """``To 9999-12-31`` (the date a placeholder gives) raised OverflowError
    (its next day is past the calendar), and a range with no end left out
    every article of the years 9000-9999."""
    a = _add(db, "A", "Text A.", published="2024-06-03")
    b = _add(db, "B", "Text B.", published="9999-12-31")
    c = _add(db, "C", "Text C.", published="9999-12-31T23:59:59")
    assert _ids(db, ArticleQuery(since="9999-12-01", until="9999-12-31")) == [b, c]
    assert _ids(db, ArticleQuery(since="2024-01-01")) == [a, b, c]
    assert count_articles(db, ArticleQuery(until="9999-12-31")) == 3


def test_a_reversed_date_range_says_so(db):
    """From later than To listed “0 articles” without a word, as if the
    search had found nothing (the Passages workspace said why)."""
    _add(db, "A", "Text A.", published="2024-06-03")
    with pytest.raises(SearchError, match="From 2024-07-01 is after To 2024-06-01"):
        count_articles(db, ArticleQuery(since="2024-07-01", until="2024-06-01"))
    assert count_articles(db, ArticleQuery(since="2024-06-03", until="2024-06-03")) == 1


def test_the_source_filter_none_lists_the_articles_without_a_source(db):
    """An empty source filter is no filter: "(none)", as the Overview labels
    the column of articles without a source, lists those."""
    a = _add(db, "A", "Text A.", source="VOD")
    b = _add(db, "B", "Text B.")
    c = _add(db, "C", "Text C.", source="")
    assert _ids(db, ArticleQuery(source="(none)")) == [b, c]
    assert count_articles(db, ArticleQuery(source="(none)")) == 2
    assert _ids(db, ArticleQuery(source="vod")) == [a]


@pytest.mark.parametrize("common_from", [0, 10**9])   # tested per article, or read first
def test_a_merged_entitys_filter_leaves_out_a_namesake_of_another_label(db, monkeypatch,
                                                                       common_from):
    """“List its articles” of “Sar Sokha” (merged with “Sokha”, a PERSON)
    also listed “Sokha”, a company never merged into him: 3 articles where
    his dossier page and the corpus Entities list count 2."""
    from desktop import dossier_pages
    from storage import entity_corrections, entity_index

    monkeypatch.setattr(entity_index, "COMMON_ENTITY_ARTICLES", common_from)
    ids = []
    for i, (name, label) in enumerate((("Sar Sokha", "PERSON"), ("Sokha", "PERSON"),
                                       ("Sokha", "ORG"))):
        ids.append(_add(db, f"A{i}", f"Text {i} about {name}."))
        db.execute("INSERT INTO article_entities (article_id, name, label, mentions) "
                   "VALUES (?, ?, ?, 1)", [ids[-1], name, label])
    entity_corrections.merge_entities(db, [
        {"canon_id": None, "key": name.lower(), "original_label": "PERSON", "name": name,
         "label": "PERSON"} for name in ("Sar Sokha", "Sokha")], "Sar Sokha", "PERSON")
    listed = {r["name"]: r["articles"] for r in entity_index.corpus_entities(db)}
    for descending in (False, True):
        query = ArticleQuery(entity="sar sokha", descending=descending)
        assert sorted(_ids(db, query)) == ids[:2]
        assert count_articles(db, query) == listed["Sar Sokha"] == 2
        assert dossier_pages.build(db, "Sar Sokha")["article_total"] == 2
        assert [article_position(db, query, i) for i in _ids(db, query)] == [0, 1]
        assert article_position(db, query, ids[2]) is None
    # a typed name that is no merged entity's filters by name, any label
    assert _ids(db, ArticleQuery(entity="Sokha")) == ids


@pytest.mark.parametrize("common_from", [0, 10**9])   # tested per article, or read first
def test_a_name_with_its_label_filters_that_entity_as_the_entities_tab_counts_it(
        db, monkeypatch, common_from):
    """The Entities tab sent “Sokha” for its row “Sokha — ORG” (a company)
    while “Sokha” (PERSON) was merged into “Sar Sokha”: the list showed the
    3 articles of every “Sokha” and “Sar Sokha” where the row says 1. It
    now writes “Sokha (ORG)”, which is that entity only — merged, as
    analysed or with its label corrected — as the tab counts it."""
    from storage import entity_corrections, entity_index

    monkeypatch.setattr(entity_index, "COMMON_ENTITY_ARTICLES", common_from)
    rows = (("Sar Sokha", "PERSON"), ("Sokha", "PERSON"), ("Sokha", "ORG"), ("Kheng", "GPE"),
            ("Kheng", "ORG"), ("Party (CPP)", "ORG"))
    ids = {}
    for i, (name, label) in enumerate(rows):
        ids[name, label] = _add(db, f"A{i}", f"Text {i} about {name}.")
        db.execute("INSERT INTO article_entities (article_id, name, label, mentions) "
                   "VALUES (?, ?, ?, 1)", [ids[name, label], name, label])
    entity_corrections.merge_entities(db, [
        {"canon_id": None, "key": name.lower(), "original_label": "PERSON", "name": name,
         "label": "PERSON"} for name in ("Sar Sokha", "Sokha")], "Sar Sokha", "PERSON")
    entity_corrections.correct_label(db, {"canon_id": None, "key": "kheng",
                                          "original_label": "GPE", "name": "Kheng",
                                          "label": "GPE"}, "PERSON")
    listed = {(r["name"], r["label"]): r["articles"] for r in entity_index.corpus_entities(db)}
    expected = {"Sokha (ORG)": [ids["Sokha", "ORG"]],
                "Sar Sokha (PERSON)": sorted([ids["Sar Sokha", "PERSON"],
                                              ids["Sokha", "PERSON"]]),
                "Kheng (PERSON)": [ids["Kheng", "GPE"]],      # its label corrected
                "Kheng (ORG)": [ids["Kheng", "ORG"]]}
    for text, found in expected.items():
        name, label = text[:-1].split(" (")
        assert listed[name, label] == len(found)
        for descending in (False, True):
            query = ArticleQuery(entity=text, descending=descending)
            assert sorted(_ids(db, query)) == found, text
            assert count_articles(db, query) == len(found)
            assert [article_position(db, query, i) for i in _ids(db, query)] == list(
                range(len(found)))
    outside = ids["Sokha", "PERSON"]
    assert article_position(db, ArticleQuery(entity="Sokha (ORG)"), outside) is None
    # an alias with its label: the entity it was merged into
    assert _ids(db, ArticleQuery(entity="Sokha (PERSON)")) == expected["Sar Sokha (PERSON)"]
    # no entity of that name and label: the text is a name
    assert _ids(db, ArticleQuery(entity="Party (CPP)")) == [ids["Party (CPP)", "ORG"]]
    assert _ids(db, ArticleQuery(entity="Sokha (GPE)")) == []
    assert _ids(db, ArticleQuery(entity="kheng  (ORG) ")) == expected["Kheng (ORG)"]
    # a plain name that is no merged entity's: every label and alias, as before
    assert _ids(db, ArticleQuery(entity="Sokha")) == sorted(
        ids[name, label] for name, label in rows[:3])


def test_passage_counts_follow_every_change(db):
    a = _add(db, "A", "Some text here.")
    b = _add(db, "B", "Other text here.")
    tag = tags.create_tag(db, "T", "#112233")
    other = tags.create_tag(db, "U", "#445566")
    first = passages.add_passage(db, article_id=a, tag_id=tag, start=0, end=4, analyst="x")
    passages.add_passage(db, article_id=a, tag_id=other, start=5, end=9, analyst="x")
    passages.add_passage(db, article_id=b, tag_id=tag, start=0, end=5, analyst="x")

    def counts():
        return {r["id"]: r["passage_count"] for r in article_page(db, ArticleQuery(), 0, 10)}
    assert counts() == {a: 2, b: 1}
    passages.delete_passage(db, first)
    assert counts() == {a: 1, b: 1}
    tags.delete_tag(db, other)
    assert counts() == {a: 0, b: 1}
    assert [r["passage_count"] for r in articles.list_articles(db)] == [0, 1]


def test_migration_0005_indexes_the_articles_already_stored(tmp_path):
    from test_backups import _old_schema_database

    path = tmp_path / "old.db"
    _old_schema_database(path)                 # schema 1: one article, one passage
    db = open_database(path)
    [old] = _ids(db, ArticleQuery(search='"old article text"'))
    assert article_page(db, ArticleQuery(), 0, 1)[0]["passage_count"] == 1
    new = articles.add_article(db, title="New", text="A text stored after the migration.")[0]
    assert _ids(db, ArticleQuery(search="text")) == [old, new]


def _corpus_with_workflow(db, count=90):
    """``count`` articles with sources, dates, review statuses, tags, memos
    and notes; returns, per article id, what a brute-force filter needs."""
    from storage import review

    tag_ids = [tags.create_tag(db, name, "#445566") for name in ("Alpha", "Beta")]
    facts = {}
    for i in range(count):
        words = ("police raid" if i % 3 == 0 else "trade talks") + (" border" if i % 4 else "")
        article_id = _add(db, f"Item {i:03}", f"Story {i}: {words}.",
                          source=("Reuters", "Khmer Times", None)[i % 3],
                          published=None if i % 10 == 9 else f"20{10 + i % 12}-0{1 + i % 9}-15")
        status = review.STATUSES[i % 3 if i % 5 else 2]
        review.set_review_status(db, article_id, status)
        memo = "check the ledger" if i % 7 == 0 else ""
        review.set_memo(db, article_id, memo)
        tagged = set()
        for n in range(i % 4):
            tag_id = tag_ids[n % 2]
            note = "ledger entry" if (i + n) % 5 == 0 else ""
            passages.add_passage(db, article_id=article_id, tag_id=tag_id, start=n,
                                 end=n + 3, analyst="x", note=note)
            tagged.add(tag_id)
        facts[article_id] = {"words": words, "source": ("Reuters", "Khmer Times", None)[i % 3],
                             "status": status, "tags": tagged, "memo": memo,
                             "notes": {"ledger entry" for n in range(i % 4)
                                       if (i + n) % 5 == 0}}
    return tag_ids, facts


def test_every_filter_combination_agrees_with_brute_force(db):
    """Counts, pages (all sort orders, both directions) and positions — the
    fast paths (a set counted alone, capped positions) included — agree with
    filtering and sorting the facts in Python."""
    import itertools

    tag_ids, facts = _corpus_with_workflow(db)
    listed = {r["id"]: r for r in article_page(db, ArticleQuery(), 0, 1000)}
    searches = [("", "text"), ("police", "text"), ("ledger", "notes"), ("ledger", "all"),
                ("border", "all")]

    def keep(article_id, search, scope, tag_id, source, review):
        f = facts[article_id]
        if search:
            in_text = search in f["words"]
            in_notes = search in f["memo"] or any(search in n for n in f["notes"])
            if not {"text": in_text, "notes": in_notes, "all": in_text or in_notes}[scope]:
                return False
        if tag_id is not None and tag_id not in f["tags"]:
            return False
        if source and f["source"] != source:
            return False
        if review == "not done":
            return f["status"] != "done"
        return not review or f["status"] == review

    keys = {"imported": lambda r: r["id"], "published": lambda r: r["published"] or "",
            "title": lambda r: r["title"].lower(), "source": lambda r: (r["source"] or "").lower(),
            "passages": lambda r: r["passage_count"]}
    checked = 0
    for (search, scope), tag_id, source, review in itertools.product(
            searches, [None, tag_ids[1]], ["", "Reuters"], ["", "done", "not done"]):
        expected_ids = [i for i in facts if keep(i, search, scope, tag_id, source, review)]
        for sort in ("imported", "title", "passages"):
            query = ArticleQuery(search=search, search_in=scope, tag_id=tag_id, source=source,
                                 review=review, sort=sort)
            expected = sorted(expected_ids, key=lambda i: (keys[sort](listed[i]), i),
                              reverse=query.is_descending)
            assert count_articles(db, query) == len(expected), query
            assert _ids(db, query) == expected, query
            for row, article_id in list(enumerate(expected))[::7]:
                assert article_position(db, query, article_id) == row
                assert article_position(db, query, article_id, within=row + 1) == row
                assert article_position(db, query, article_id, within=row) is None
            left_out = next((i for i in facts if i not in expected), None)
            if left_out is not None:
                assert article_position(db, query, left_out) is None
                assert article_position(db, query, left_out, within=1000) is None
            # the listing answers the same from its head of 4 ids, and beyond it
            listing = ArticleListing(db, query, head=4)
            assert listing.known_count() == (
                len(expected) if len(expected) < 4 or not query.is_filtered() else None)
            assert listing.lower_bound() == (listing.known_count() or min(len(expected), 4))
            assert [r["id"] for r in listing.page(0, 2) + listing.page(2, 100)] == expected
            assert [listing.position(i) for i in expected] == list(range(len(expected)))
            assert [listing.position(i, within=3) for i in expected[:4]] == [0, 1, 2, None][
                :len(expected)]
            if left_out is not None:
                assert listing.position(left_out) is None
            assert listing.count() == len(expected) == listing.known_count()
            checked += 1
    assert checked == 5 * 2 * 2 * 3 * 3


def test_review_filter_follows_status_changes(db):
    from storage import review

    a, b, c = (_add(db, t, f"Text {t}.") for t in "ABC")
    assert _ids(db, ArticleQuery(review="new")) == [a, b, c]
    review.set_review_status(db, b, "done")
    review.set_review_status(db, c, "in progress")
    assert _ids(db, ArticleQuery(review="done")) == [b]
    assert _ids(db, ArticleQuery(review="not done")) == [a, c]
    assert count_articles(db, ArticleQuery(review="in progress")) == 1
    assert ArticleQuery(review="done").is_filtered()
    with pytest.raises(ValueError, match="review must be"):
        ArticleQuery(review="finished")


def test_notes_and_memos_are_searchable_and_kept_current(db):
    from storage import review
    from storage.article_query import note_matches

    tag = tags.create_tag(db, "Drugs", "#112233")
    a = _add(db, "A", "Nothing about it here.")
    b = _add(db, "B", "Nor here.")
    review.set_memo(db, a, "Ask the ministry about the Phnôm Pénh figures")
    pid = passages.add_passage(db, article_id=b, tag_id=tag, start=0, end=3, analyst="x",
                               note="ministry denies")
    notes = ArticleQuery(search="ministry", search_in="notes")
    assert _ids(db, notes) == [a, b] and count_articles(db, notes) == 2
    assert _ids(db, ArticleQuery(search="ministry")) == []          # not in the texts
    assert _ids(db, ArticleQuery(search="phnom penh", search_in="all")) == [a]  # folded
    assert note_matches(db, b, "ministry") == ({pid}, False)
    assert note_matches(db, a, "ministry") == (set(), True)
    passages.set_note(db, pid, "confirmed")                          # the index follows
    review.set_memo(db, a, "")
    assert _ids(db, notes) == []
    assert _ids(db, ArticleQuery(search="confirmed", search_in="notes")) == [b]
    passages.delete_passage(db, pid)
    assert _ids(db, ArticleQuery(search="confirmed", search_in="notes")) == []
    review.set_memo(db, a, "ministry memo")
    passages.add_passage(db, article_id=a, tag_id=tag, start=0, end=3, analyst="x",
                         note="ministry note")
    with journal.step(db, "Delete article"):                       # passages cascade
        db.execute("DELETE FROM articles WHERE id = ?", [a])
    assert _ids(db, notes) == []
    # the external-content indexes hold exactly the non-empty notes and memos
    db.execute("INSERT INTO passage_notes_fts (passage_notes_fts) VALUES ('integrity-check')")
    db.execute("INSERT INTO memos_fts (memos_fts) VALUES ('integrity-check')")


def test_migration_0009_indexes_notes_and_memos_already_stored(tmp_path):
    from test_backups import _old_schema_database

    path = tmp_path / "old.db"
    _old_schema_database(path)                 # schema 1: one article, one passage
    raw = __import__("sqlite3").connect(path)
    raw.execute("UPDATE passages SET note = 'an older note'")
    raw.commit()
    raw.close()
    db = open_database(path)
    [old] = _ids(db, ArticleQuery(search="older", search_in="notes"))
    assert count_articles(db, ArticleQuery(search="note", search_in="all")) == 1
    db.close()
