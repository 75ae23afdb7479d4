"""An entity's dossier (issue 20): roles and titles read from the stored
text around its mentions (plain Python), alias suggestions only merged when
the analyst accepts them (one undoable journal step), and the page for
“Sar Sokha” on the analysed seeds: his roles, articles and — once “Sokha”
is accepted as an alias — the quotes about him."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from desktop.analysis import entity_profile as ep
from storage import open_database


def _one_article_each(db, entities, text: str = "{name} spoke ({i}).") -> None:
    """An article for each ``(name, label)``, naming it (``text``), with
    that entity as the analyses found it."""
    from storage import articles

    for i, (name, label) in enumerate(entities):
        article_id = articles.add_article(db, title=f"A{i}",
                                          text=text.format(name=name, i=i))[0]
        db.execute("INSERT INTO article_entities (article_id, name, label, mentions) "
                   "VALUES (?, ?, ?, 1)", [article_id, name, label])


def test_roles_before_after_and_inside_the_name():
    text = ("A delegation led by Deputy Prime Minister and Minister of Interior Sar Sokha "
            "arrived. Sar Sokha met Andrew Giles, Australia's Minister for Immigration, "
            "on Monday. In Phnom Penh Sar Sokha spoke.")
    spans = [(m, m + 9, "Sar Sokha") for m in range(len(text)) if text.startswith("Sar Sokha", m)]
    giles = text.index("Andrew Giles")
    assert ep.roles([{"text": text, "spans": spans}]) == [
        ("Deputy Prime Minister", 1), ("Minister of Interior", 1)]   # "Phnom Penh" is no role
    assert ep.roles([{"text": text, "spans": [(giles, giles + 12, "Andrew Giles")]}]) == [
        ("Australia's Minister for Immigration", 1)]
    assert ep.title_in_surface("Deputy Prime Minister Sar Sokha") == "Deputy Prime Minister"
    assert ep.title_in_surface("Sar Sokha") == ""


def test_a_name_word_spacy_left_out_of_the_mention_is_not_taken_for_the_title():
    """spaCy took only "Sokha" of "Minister of Interior Sar Sokha": "Sar",
    a word of the entity's other mention, is the name's (the team walk saw
    "Minister of Interior Sar (3×)")."""
    text = "Minister of Interior Sar Sokha will lead. Sar Sokha said so."
    sokha = text.index("Sokha")
    full = text.index("Sar Sokha", sokha)
    assert ep.roles([{"text": text, "spans": [(sokha, sokha + 5, "Sokha"),
                                              (full, full + 9, "Sar Sokha")]}]) == [
        ("Minister of Interior", 1)]
    # a title word next to the name stays the title's
    text = "the Interior Minister Sokha said"
    at = text.index("Sokha")
    assert ep.roles([{"text": text, "spans": [(at, at + 5, "Sokha")]}]) == [
        ("Interior Minister", 1)]


def test_alias_suggestions_set_titles_aside():
    assert ep.same_entity("Sokha", "Sar Sokha")
    assert ep.same_entity("Deputy Prime Minister Sar Sokha", "Sar Sokha")
    assert not ep.same_entity("Sar Kheng", "Sar Sokha")
    assert not ep.same_entity("Minister", "Sar Sokha")
    found = ep.alias_suggestions("Sar Sokha", [{"name": "Sokha"}, {"name": "Sar Kheng"},
                                               {"name": "Minister of Interior Sar Sokha"}])
    assert [f["name"] for f in found] == ["Sokha", "Minister of Interior Sar Sokha"]


def _items(widget):
    return [widget.item(i).text() for i in range(widget.count())]


@pytest.mark.slow
def test_sar_sokha_page_roles_articles_and_accepting_an_alias(qtbot, open_window,
                                                              analysed_db_path):
    window = open_window(analysed_db_path)
    # opened from his name in the text (spaCy calls him an organisation): the
    # page by name, whatever the label, finds his roles in the text too (an
    # Entities row's page is that row's entity alone: see the namesake test)
    db = open_database(analysed_db_path)
    article_id = db.execute("SELECT id FROM articles WHERE text LIKE "
                            "'%Minister of Interior Sar Sokha will lead%'").fetchone()[0]
    db.close()
    window.article_list.select_article(article_id)
    qtbot.waitUntil(lambda: window.current_id == article_id, timeout=5000)
    start = window.view.article_text().index("Sar Sokha will lead")
    window.view.select_range(start, start + len("Sar Sokha"))
    window.view.setFocus()
    qtbot.keyClick(window.view, Qt.Key.Key_D,
                   Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    dossiers = window.overview.dossiers
    page = dossiers.page
    assert page is not None and page.isVisible()
    qtbot.waitUntil(lambda: page.name == "Sar Sokha", timeout=10000)
    roles = page.role_texts()
    assert "Minister of Interior" in roles and "Deputy Prime Minister" in roles
    articles = _items(page.articles)
    assert any("Cambodia Seeks to Enhance Immigration" in a for a in articles)
    # counts read as English: “1 article”, never “1 articles”
    names = _items(page.names)
    assert any(n.endswith(" in 1 article") for n in names)
    assert not any(" 1 articles" in n or " 1 mentions" in n for n in names)
    assert page.summary.text().startswith(f"{len(articles)} articles · ")
    assert any("Minister of Interior Sar Sokha will lead" in a for a in articles)
    assert not any(t.startswith("About it") for t in _items(page.quotes))
    # “Sokha” is offered, not merged
    suggestions = [page.suggestions.item(i).data(Qt.ItemDataRole.UserRole)["name"]
                   for i in range(page.suggestions.count())]
    assert "Sokha" in suggestions
    db = open_database(analysed_db_path)
    assert db.execute("SELECT count(*) FROM entity_aliases").fetchone()[0] == 0
    # tick “Sokha” (PERSON) with the keyboard and merge
    row = next(i for i in range(page.suggestions.count())
               if page.suggestions.item(i).data(Qt.ItemDataRole.UserRole)["label"] == "PERSON")
    page.suggestions.setFocus()
    page.suggestions.setCurrentRow(row)
    qtbot.keyClick(page.suggestions, Qt.Key.Key_Space)
    assert [s["name"] for s in page.ticked()] == ["Sokha"]
    qtbot.mouseClick(page.merge_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: any(t.startswith("About it") for t in _items(page.quotes)),
                    timeout=10000)
    aliases = db.execute("SELECT x.key, k.name FROM entity_aliases x JOIN entity_canon k "
                         "ON k.id = x.canon_id ORDER BY x.key, x.label").fetchall()
    assert ("sokha", "Sar Sokha") in aliases and ("sar sokha", "Sar Sokha") in aliases
    step = db.execute("SELECT name FROM journal_steps ORDER BY id DESC LIMIT 1").fetchone()[0]
    assert step.startswith("Merge") and "Sar Sokha" in step
    assert "Sokha" in " ".join(_items(page.names))
    # a quote about him opens in the reader
    quote_row = next(i for i, t in enumerate(_items(page.quotes)) if t.startswith("About it"))
    article_id = page.quotes.item(quote_row).data(Qt.ItemDataRole.UserRole)[0]
    page.quotes.setCurrentRow(quote_row)
    page.quotes.setFocus()
    qtbot.keyClick(page.quotes, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.current_id == article_id, timeout=5000)
    # the merge is one undoable step
    window.undo_stack.undo()
    assert db.execute("SELECT count(*) FROM entity_aliases").fetchone()[0] == 0
    db.close()


@pytest.mark.slow
def test_the_dossier_of_the_entity_at_the_readers_caret(qtbot, open_window, analysed_db_path):
    window = open_window(analysed_db_path)
    window.article_list.select_article(5)
    qtbot.waitUntil(lambda: window.current_id == 5, timeout=5000)
    dossiers = window.overview.dossiers
    text = window.view.article_text()
    # “Sar Sokha” selected where the pipeline did not mark it: his page by that name
    start = text.index("Sar Sokha")
    assert not any(e["start"] <= start < e["end"] for e in window.view._entities)
    window.view.select_range(start, start + len("Sar Sokha"))
    window.view.setFocus()
    qtbot.keyClick(window.view, Qt.Key.Key_D,
                   Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    qtbot.waitUntil(lambda: dossiers.page is not None and dossiers.page.name == "Sar Sokha",
                    timeout=10000)
    page = dossiers.page
    assert "Minister of Interior" in page.role_texts()
    # the caret on an entity (Andrew Giles, a PERSON here)
    window.windowHandle().requestActivate()     # the page had become the active window
    qtbot.waitUntil(window.isActiveWindow, timeout=5000)
    entity = next(e for e in window.view._entities if e["text"] == "Andrew Giles")
    window.view.select_range(entity["start"], entity["start"])
    window.view.setFocus()
    qtbot.keyClick(window.view, Qt.Key.Key_D,
                   Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    qtbot.waitUntil(lambda: page.name == "Andrew Giles", timeout=10000)
    assert "Australia's Minister for Immigration" in page.role_texts()
    # the page's button lists the entity's articles
    qtbot.mouseClick(page.list_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.query.entity == "Andrew Giles", timeout=5000)


def test_the_page_counts_every_article_though_it_reads_the_newest(analysed_db_path,
                                                                  monkeypatch):
    """The page read the newest 300 articles and gave their count and months
    as the entity's (on 100,000 articles, “300 articles” for 27,476, and
    1 article in a month that had 192)."""
    from desktop import dossier_pages
    from storage import entity_dossier

    db = open_database(analysed_db_path)
    name, total = db.execute(
        "SELECT min(name), count(DISTINCT article_id) AS n FROM article_entities "
        "GROUP BY lower(name) ORDER BY n DESC LIMIT 1").fetchone()
    assert total >= 2
    read = entity_dossier.mentions
    monkeypatch.setattr(entity_dossier, "mentions",
                        lambda db, keys, names=(), limit=300, **kw: read(db, keys, names, 1, **kw))
    page = dossier_pages.build(db, name)
    assert len(page["articles"]) == 1 and page["article_total"] == total
    dated = db.execute(
        "SELECT count(*) FROM article_periods WHERE month IS NOT NULL AND article_id IN "
        "(SELECT article_id FROM article_entities WHERE lower(name) = lower(?))",
        [name]).fetchone()[0]
    assert sum(m["articles"] for m in page["months"]) == dated
    db.close()


def _said(page) -> set[tuple[int, int]]:
    return {(q["article_id"], q["start"]) for q in page["quotes"]}


def test_the_page_follows_the_analysts_quote_and_speaker_corrections(analysed_db_path):
    """The page listed quotes by the analysis' own speaker: after “Set
    speaker”, “Not a quote” or a speaker merge the old speaker kept them
    and the new one did not get them (the Speakers tab and the speaker
    filter follow the corrections)."""
    from desktop import dossier_pages
    from storage import entity_dossier, speaker_corrections

    db = open_database(analysed_db_path)
    given, unquoted, merged = db.execute(
        'SELECT n.article_id, q.start, q."end" FROM quotes q JOIN analyses n '
        "ON n.id = q.analysis_id WHERE q.speaker = 'Thong Mengdavid' AND q.kind = 'direct' "
        "ORDER BY n.article_id, q.start LIMIT 3").fetchall()
    assert {given[:2], unquoted[:2], merged[:2]} <= _said(
        dossier_pages.build(db, "Thong Mengdavid"))

    speaker_corrections.set_speaker(db, *given, "Neth Savoeun")
    speaker_corrections.mark_not_quote(db, *unquoted)
    thong = _said(dossier_pages.build(db, "Thong Mengdavid"))
    assert given[:2] not in thong and unquoted[:2] not in thong and merged[:2] in thong
    assert given[:2] in _said(dossier_pages.build(db, "Neth Savoeun"))
    assert unquoted[1] not in {q["start"] for q in entity_dossier.quotes_in(db, [unquoted[0]])}

    speaker_corrections.merge_speakers(db, ["Thong Mengdavid"], "Neth Savoeun")
    assert not dossier_pages.build(db, "Thong Mengdavid")["quotes"]
    assert merged[:2] in _said(dossier_pages.build(db, "Neth Savoeun"))
    db.close()


def test_the_page_lists_every_article_it_counts_whatever_joins_the_names_words(tmp_path):
    """The count and the months took the full-text index's phrase match
    (“Sar\\nSokha”, “Sar-Sokha”, accents folded) but the list kept only the
    exact spelling: “3 articles”, 1 listed."""
    from desktop import dossier_pages
    from storage import articles, entity_dossier

    db = open_database(tmp_path / "x.db")
    texts = ("Minister Sar Sokha said on Monday it was fine.",
             "The minister, Sar\nSokha, spoke at length.",
             "Deputy Prime Minister Sar-Sokha arrived.",
             "Sâr Sokhà was not there.")
    for month, text in enumerate(texts, start=5):
        articles.add_article(db, title="T", text=text, published=f"2024-{month:02}-02")
    articles.add_article(db, title="Sar Sokha in the title only", text="Nobody.")
    page = dossier_pages.build(db, "Sar Sokha")
    assert page["article_total"] == len(page["articles"]) == 4
    assert sum(m["articles"] for m in page["months"]) == 4
    spans = {a["article_id"]: a["spans"]
             for a in entity_dossier.mentions(db, page["keys"], ["Sar Sokha"])}
    assert [spans[i][0][2] for i in (1, 2, 3, 4)] == [
        "Sar Sokha", "Sar\nSokha", "Sar-Sokha", "Sâr Sokhà"]
    db.close()


def test_a_name_with_decomposed_accents_has_its_mentions_marked(tmp_path):
    """A name found in a text stored with letter + combining mark (macOS
    files, PDFs) was searched as “Sa r Sokha”: its articles listed, no span."""
    import unicodedata

    from storage import entity_dossier

    db = open_database(tmp_path / "x.db")
    name = unicodedata.normalize("NFD", "Sâr Sokhà")
    _one_article_each(db, ((name, "PERSON"),), "Minister {name} spoke ({i}).")
    mentioned = entity_dossier.mentions(db, [name.lower()], [name])
    assert [a["spans"] for a in mentioned] == [[(9, 20, name)]]
    db.close()


def test_a_merged_entitys_names_are_its_aliases_not_a_namesake_of_another_label(tmp_path):
    """The page of “Sar Sokha” (merged with “Sokha”, a PERSON) listed
    “Sokha — ORG”, a company the analyst never merged into him."""
    from storage import entity_corrections, entity_dossier

    db = open_database(tmp_path / "x.db")
    _one_article_each(db, (("Sar Sokha", "PERSON"), ("Sokha", "PERSON"), ("Sokha", "ORG")),
                      "Text {i} about {name}.")
    entity_corrections.merge_entities(db, [
        {"canon_id": None, "key": name.lower(), "original_label": "PERSON", "name": name,
         "label": "PERSON"} for name in ("Sar Sokha", "Sokha")], "Sar Sokha", "PERSON")
    for name in ("Sar Sokha", "Sokha"):
        ident = entity_dossier.identity(db, name)
        assert (ident["name"], ident["label"]) == ("Sar Sokha", "PERSON")
        assert sorted((s["name"], s["label"]) for s in ident["surfaces"]) == [
            ("Sar Sokha", "PERSON"), ("Sokha", "PERSON")]
    db.close()


def test_a_merged_entitys_articles_months_and_companions_leave_out_a_namesake(tmp_path):
    """The page of “Sar Sokha” (merged with “Sokha”, a PERSON) counted,
    dated and listed the articles of “Sokha”, a company never merged into
    him, and took its companions for his: 3 articles where the corpus
    Entities list says 2."""
    from desktop import dossier_pages
    from storage import articles, entity_corrections, entity_index

    db = open_database(tmp_path / "x.db")
    rows = (("Sar Sokha", "PERSON", "2024-05-02"), ("Sokha", "PERSON", "2024-06-02"),
            ("Sokha", "ORG", "2024-07-02"))
    for i, (name, label, published) in enumerate(rows):
        article_id = articles.add_article(db, title=f"A{i}", text=f"Text {i} about {name}.",
                                          published=published)[0]
        for entity, kind in ((name, label), (f"Companion {i}", "ORG")):
            db.execute("INSERT INTO article_entities (article_id, name, label, mentions) "
                       "VALUES (?, ?, ?, 1)", [article_id, entity, kind])
    entity_corrections.merge_entities(db, [
        {"canon_id": None, "key": name.lower(), "original_label": "PERSON", "name": name,
         "label": "PERSON"} for name in ("Sar Sokha", "Sokha")], "Sar Sokha", "PERSON")
    listed = {r["name"]: r["articles"] for r in entity_index.corpus_entities(db)}
    page = dossier_pages.build(db, "Sar Sokha")
    assert page["article_total"] == listed["Sar Sokha"] == 2
    assert [a["title"] for a in page["articles"]] == ["A1", "A0"]
    assert page["months"] == [{"month": "2024-05", "articles": 1},
                              {"month": "2024-06", "articles": 1}]
    assert sorted(c["name"] for c in page["companions"]) == ["Companion 0", "Companion 1"]
    # an entity not merged is still found by name, whatever its label
    assert dossier_pages.build(db, "Companion 2")["article_total"] == 1
    db.close()


def test_the_dossier_of_an_unmerged_namesake_is_its_own_page(qtbot, open_window,
                                                             analysed_db_path):
    """“Dossier…” on “Sokha — ORG” (a company) while “Sokha” (PERSON) is
    merged into “Sar Sokha” opened Sar Sokha's page: the tab sent the name
    alone. The page is now that entity of that label, counts the articles
    its row counts, and lists them."""
    from tests.test_entities_gui import (click_row, listed_ids, merge_sar_sokha,
                                         open_entities_tab, search, shown,
                                         stored_labelled_ids)
    from tests.test_undo import pick_from_next_menu, right_click

    merge_sar_sokha(analysed_db_path)
    window = open_window(analysed_db_path)
    view = open_entities_tab(qtbot, window)
    view.group.setCurrentIndex(view.group.findText("All labels"))
    search(qtbot, view, "sokha")
    qtbot.waitUntil(lambda: ("Sokha", "ORG") in shown(view))
    item = click_row(qtbot, view, "Sokha", "ORG")
    row_count = item.data(3, Qt.ItemDataRole.DisplayRole)
    pick_from_next_menu(["&Dossier…"])
    right_click(view.tree.viewport(), view.tree.visualItemRect(item).center())
    dossiers = window.overview.dossiers
    qtbot.waitUntil(lambda: dossiers.dossier is not None, timeout=10000)
    page = dossiers.page
    expected = stored_labelled_ids(analysed_db_path, "sokha", "ORG")
    assert (dossiers.dossier["name"], dossiers.dossier["label"]) == ("Sokha", "ORG")
    assert {a["article_id"] for a in dossiers.dossier["articles"]} == expected
    assert page.summary.text().startswith(f"{row_count} article · ")
    assert _items(page.names) == ["Sokha — ORG, 1 mention in 1 article"]
    qtbot.mouseClick(page.list_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.article_filters.entity.text() == "Sokha (ORG)")
    qtbot.waitUntil(lambda: listed_ids(window) == expected)


def test_a_merged_entitys_page_keeps_its_roles_passages_and_companions(analysed_db_path):
    """The page of “Sar Sokha” merged with “Sokha” (PERSON), as the README's
    picture shows it: his roles and the passage tagged on him are read where
    the pipeline missed his name (found in the text, as before the merge),
    and his companions are every other entity of his articles (none was:
    the test of what is “itself” read the aliases' own name column)."""
    from desktop.dossier_pages import build
    from desktop.gui.entity_dossier import merge_refs, merged_label
    from storage import entity_corrections, journal, passages

    db = open_database(analysed_db_path)
    phrase = "Minister of Interior Sar Sokha will lead a delegation"
    article_id, text = next((i, t) for i, t in db.execute("SELECT id, text FROM articles")
                            if phrase in t)
    start = text.index(phrase)
    tagged = passages.add_passage(db, article_id=article_id, tag_id=6, start=start,
                                  end=start + len(phrase), analyst="analyst")
    page = build(db, "Sar Sokha")
    chosen = [s for s in page["suggestions"] if s["label"] == "PERSON"]
    with journal.step(db, "Merge"):
        entity_corrections.merge_entities(db, merge_refs(page, chosen), page["name"],
                                          merged_label(page, chosen))
    merged = build(db, "Sar Sokha")
    assert merged["canon_id"] is not None
    assert merged["article_total"] == page["article_total"]
    assert "Minister of Interior" in {role for role, _count in merged["roles"]}
    assert tagged in {p["id"] for p in merged["passages"]}
    assert ("Australia", "GPE") in {(c["name"], c["label"]) for c in merged["companions"]}
    db.close()



def _companion_row(page, text: str) -> int:
    return next(i for i, t in enumerate(_items(page.companions)) if t.startswith(text))


def _companions_db(path):
    """Hun Sen's articles: one with “Sokha”, a company (in another article
    too), one with “Sokha” and one with “Sar Sokha”, both PERSONs merged
    into “Sar Sokha” (PERSON)."""
    from desktop.first_run import ensure_codebook
    from storage import articles, entity_corrections

    db = open_database(path)
    ensure_codebook(db)
    for i, others in enumerate(((("Sokha", "ORG"),), (("Sokha", "PERSON"),),
                                (("Sar Sokha", "PERSON"),))):
        names = " and ".join(name for name, _label in others)
        article_id = articles.add_article(db, title=f"A{i}",
                                          text=f"Hun Sen met {names} on day {i}.")[0]
        for name, label in (("Hun Sen", "PERSON"),) + others:
            db.execute("INSERT INTO article_entities (article_id, name, label, mentions) "
                       "VALUES (?, ?, ?, 1)", [article_id, name, label])
    article_id = articles.add_article(db, title="A3", text="Sokha posted results.")[0]
    db.execute("INSERT INTO article_entities (article_id, name, label, mentions) "
               "VALUES (?, 'Sokha', 'ORG', 1)", [article_id])
    entity_corrections.merge_entities(db, [
        {"canon_id": None, "key": name.lower(), "original_label": "PERSON", "name": name,
         "label": "PERSON"} for name in ("Sar Sokha", "Sokha")], "Sar Sokha", "PERSON")
    db.close()


def _shared(item) -> int:
    """The count of shared articles a companion's item shows."""
    return int(item.text().rsplit("— ", 1)[1].split()[0])


def test_a_companion_opens_the_page_of_the_entity_listed(qtbot, open_window, tmp_path):
    """Activating “Sokha (ORG) — 1 article” among Hun Sen's companions sent
    the name alone: the page opened was “Sar Sokha”, the PERSON “Sokha” is
    merged into. The page is now the one listed (a merged entity by its id,
    listed once, under its name and label), and it shares with the first
    page as many articles as the list said."""
    _companions_db(tmp_path / "x.db")
    window = open_window(tmp_path / "x.db")
    dossiers = window.overview.dossiers
    dossiers.open("Hun Sen")
    qtbot.waitUntil(lambda: dossiers.dossier is not None, timeout=10000)
    page, first = dossiers.page, dossiers.dossier
    first_ids = {a["article_id"] for a in first["articles"]}
    assert [t.rsplit(" — ", 1)[0] for t in _items(page.companions)] == [
        "Sar Sokha (PERSON)", "Sokha (ORG)"]

    # a double click on the company
    item = page.companions.item(_companion_row(page, "Sokha (ORG) — "))
    where, shared = page.companions.visualItemRect(item).center(), _shared(item)
    dossiers.dossier = None
    qtbot.mouseClick(page.companions.viewport(), Qt.MouseButton.LeftButton, pos=where)
    qtbot.mouseDClick(page.companions.viewport(), Qt.MouseButton.LeftButton, pos=where)
    qtbot.waitUntil(lambda: dossiers.dossier is not None, timeout=10000)
    opened = dossiers.dossier
    assert (opened["name"], opened["label"], opened["canon_id"]) == ("Sokha", "ORG", None)
    assert [(s["name"], s["label"]) for s in opened["surfaces"]] == [("Sokha", "ORG")]
    assert opened["article_total"] == 2
    assert len({a["article_id"] for a in opened["articles"]} & first_ids) == shared == 1

    # Enter on the merged entity, from the first page again
    dossiers.open("Hun Sen")
    qtbot.waitUntil(lambda: dossiers.dossier is not None
                    and dossiers.dossier["name"] == "Hun Sen", timeout=10000)
    row = _companion_row(page, "Sar Sokha (PERSON) — ")
    shared = _shared(page.companions.item(row))
    page.companions.setFocus()
    page.companions.setCurrentRow(row)
    dossiers.dossier = None
    qtbot.keyClick(page.companions, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dossiers.dossier is not None, timeout=10000)
    opened = dossiers.dossier
    assert (opened["name"], opened["label"]) == ("Sar Sokha", "PERSON")
    assert opened["canon_id"] is not None
    assert sorted((s["name"], s["label"]) for s in opened["surfaces"]) == [
        ("Sar Sokha", "PERSON"), ("Sokha", "PERSON")]
    assert len({a["article_id"] for a in opened["articles"]} & first_ids) == shared == 2


def test_two_merged_entities_of_one_name_and_label_open_their_own_pages(
        qtbot, open_window, tmp_path):
    """Two canonical entities “Sar Sokha” (PERSON), as a hub pull may bring
    them (two analysts merged apart; a local merge now joins them): the
    Entities tab sent a row's name and label, and both rows opened the
    first one's page. Each row's page is now its own, with its row's
    count and aliases."""
    from storage import entity_corrections, entity_index, journal

    db = open_database(tmp_path / "x.db")
    _one_article_each(db, (("Sar Sokha", "ORG"), ("Sokha", "PERSON"),
                           ("Samdech Kralahom", "PERSON")))
    first = entity_corrections.merge_entities(db, [
        {"canon_id": None, "key": name.lower(), "original_label": label, "name": name,
         "label": label} for name, label in (("Sar Sokha", "ORG"), ("Sokha", "PERSON"))],
        "Sar Sokha", "PERSON")
    # the other analyst's, as a pull writes it: rows, no merge
    with journal.step(db, "Pull"):
        second = db.table("entity_canon").insert(
            {"name": "Sar Sokha", "label": "PERSON", "created_at": "2024-01-01"}).last_pk
        db.execute("INSERT INTO entity_aliases (key, label, name, canon_id) VALUES "
                   "('samdech kralahom', 'PERSON', 'Samdech Kralahom', ?)", [second])
    rows = {r["canon_id"]: r for r in entity_index.corpus_entities(db)}
    db.close()
    window = open_window(tmp_path / "x.db")
    dossiers = window.overview.dossiers
    for canon, aliases in ((second, 1), (first, 2)):
        dossiers.dossier = None
        window.entities_view.dossierRequested.emit(rows[canon])
        qtbot.waitUntil(lambda: dossiers.dossier is not None, timeout=10000)
        assert dossiers.dossier["canon_id"] == canon
        assert dossiers.dossier["article_total"] == rows[canon]["articles"] == aliases
        assert len(dossiers.dossier["surfaces"]) == aliases


def test_a_page_of_a_merged_entity_gone_since_keeps_its_label(tmp_path):
    """A page (or Entities row) holds its merged entity's id: merged away
    since (joined into a namesake, unmerged, undone), the page read again
    was the first entity of that name, of any label — "Sokha" the company
    for "Sokha" the person."""
    from storage.entity_corrections import merge_entities
    from storage.entity_dossier import identity
    from storage.entity_index import corpus_entities

    db = open_database(tmp_path / "x.db")
    _one_article_each(db, (("Sokha Corp", "ORG"), ("Sokha Group", "ORG"),
                           ("Mr Sokha", "PERSON"), ("Dr Sokha", "PERSON")))
    rows = {(r["name"], r["label"]): r for r in corpus_entities(db, limit=10_000)}
    merge_entities(db, [rows["Sokha Corp", "ORG"], rows["Sokha Group", "ORG"]], "Sokha", "ORG")
    person = merge_entities(db, [rows["Mr Sokha", "PERSON"], rows["Dr Sokha", "PERSON"]],
                            "Sokha", "PERSON")
    assert identity(db, "Sokha", "PERSON", canon_id=person)["label"] == "PERSON"
    gone = identity(db, "Sokha", "PERSON", canon_id=person + 100)
    assert (gone["label"], gone["canon_id"]) == ("PERSON", person)
