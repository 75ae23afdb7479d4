"""Blind coding (issue 18): View → Passages "mine only" hides the other
analysts' passages, notes and counts in every place the window shows them —
the reader's bars, the Passages tab, the codebook's counts, the article
list's counts, the tag filter, the note search, the Overview's charts, an
entity dossier's passages — and in the export dialog's default;
"everyone's" shows them again. Storage reads first, then the window
driven with the keyboard and the menu."""

from __future__ import annotations

from storage import articles, entity_dossier, open_database, overview, passages, tags
from storage.article_query import ArticleQuery, article_page, count_articles, passage_counts
from storage.export_selection import PassageFilter, selected_passages

ME = "Test Analyst"       # the analyst of the ``preferences`` fixture


def _code(db_path):
    """Article 1: mine (Drugs) and ana's (Drugs, with a note); article 2: only
    ana's (Cybercrime)."""
    db = open_database(db_path)
    drugs, cyber = tags.find_tag(db, "Drugs")["id"], tags.find_tag(db, "Cybercrime")["id"]
    mine = passages.add_passage(db, article_id=1, tag_id=drugs, start=0, end=30, analyst=ME)
    hers = passages.add_passage(db, article_id=1, tag_id=drugs, start=40, end=80,
                                analyst="ana", note="smuggling route")
    other = passages.add_passage(db, article_id=2, tag_id=cyber, start=0, end=20,
                                 analyst="ana")
    db.close()
    return {"mine": mine, "hers": hers, "other": other, "drugs": drugs, "cyber": cyber}


def _counts(rows):
    return {r["id"]: r["passage_count"] for r in rows}


def test_storage_reads_filter_by_analyst(seeded_db_path):
    ids = _code(seeded_db_path)
    db = open_database(seeded_db_path)
    try:
        everyone = [p["id"] for p in passages.passages_for_article(db, 1)]
        assert everyone == [ids["mine"], ids["hers"]]
        assert [p["id"] for p in passages.passages_for_article(db, 1, analysts=(ME,))] \
            == [ids["mine"]]
        by_tag = {t["name"]: t["passage_count"] for t in tags.list_tags(db, analysts=(ME,))}
        assert by_tag["Drugs"] == 1 and by_tag["Cybercrime"] == 0
        assert {t["name"]: t["passage_count"] for t in tags.list_tags(db)}["Cybercrime"] == 1
        blind = ArticleQuery(analysts=(ME,))
        rows = _counts(article_page(db, blind, 0, 100))
        assert rows[1] == 1 and rows[2] == 0
        # a row's count read again after a change, as the page has it
        assert passage_counts(db, [1, 2], (ME,)) == {1: 1, 2: 0}
        assert passage_counts(db, [1, 2]) == {1: 2, 2: 1}
        assert _counts(article_page(db, ArticleQuery(), 0, 100))[1] == 2
        # the tag filter and the note search see only my passages
        assert count_articles(db, ArticleQuery(tag_id=ids["cyber"])) == 1
        assert count_articles(db, ArticleQuery(tag_id=ids["cyber"], analysts=(ME,))) == 0
        notes = ArticleQuery(search="smuggling", search_in="notes")
        assert count_articles(db, notes) == 1
        assert count_articles(db, ArticleQuery(search="smuggling", search_in="notes",
                                               analysts=(ME,))) == 0
        # exports select by analyst
        assert [p["passage_id"] for p in selected_passages(db, PassageFilter(analysts=(ME,)))] \
            == [ids["mine"]]
    finally:
        db.close()


def _shown(window):
    """What the window shows of passages, everywhere."""
    model = window.article_list.list_model
    counts = {model.article(r)["id"]: model.article(r)["passage_count"]
              for r in range(model.rowCount())}
    codebook = {t["name"]: t["passage_count"] for t in window.tag_panel.tags()}
    return {"reader": sorted(p["id"] for p in window.view._shown_passages()),
            "tab": sorted(window.passage_list.passage_ids()),
            "codebook": (codebook["Drugs"], codebook["Cybercrime"]),
            "list": (counts[1], counts[2])}


def test_mine_only_hides_others_everywhere_and_everyones_shows_them(
        open_window, seeded_db_path, qtbot, monkeypatch):
    from PySide6.QtCore import Qt

    from desktop.gui.export_dialog import ExportDialog

    ids = _code(seeded_db_path)
    window = open_window(seeded_db_path)
    window.article_list.select_article(1)
    qtbot.waitUntil(lambda: window.current_id == 1)
    before = _shown(window)
    assert before == {"reader": [ids["mine"], ids["hers"]], "tab": [ids["mine"], ids["hers"]],
                      "codebook": (2, 1), "list": (2, 1)}
    # Ctrl+Shift+B: mine only
    qtbot.keyClick(window, Qt.Key.Key_B,
                   Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert window.passage_visibility.mode == "mine"
    assert _shown(window) == {"reader": [ids["mine"]], "tab": [ids["mine"]],
                              "codebook": (1, 0), "list": (1, 0)}
    assert window.passage_visibility.label.text() == "Blind coding: only your passages"
    # the tag filter: ana's Cybercrime article is not found by it
    window.article_filters.tag.setCurrentIndex(window.article_filters.tag.findData(ids["cyber"]))
    qtbot.waitUntil(lambda: window.query.tag_id == ids["cyber"])
    assert window.article_list.list_model.rowCount() == 0
    window.article_filters.tag.setCurrentIndex(0)
    qtbot.waitUntil(lambda: window.query.tag_id is None)
    assert window.query.analysts == (ME,)          # the filter bar kept blind mode
    # the export dialog starts with my passages only, and says so
    seen = {}

    def fake_exec(dialog):
        seen["filter"] = dialog.request().filter
        seen["said"] = dialog.blind_label.text() if dialog.blind_label.isVisibleTo(dialog) \
            else ""
        return 0
    monkeypatch.setattr(ExportDialog, "exec", fake_exec)
    window.export_passages()
    assert seen["filter"].analysts == (ME,)
    assert "only the passages of Test Analyst" in seen["said"]
    # remembered for the next window
    assert window.preferences.settings.value("passages/show") == "mine"
    # everyone's again, from the menu
    window.passage_visibility.actions["all"].trigger()
    window.article_list.select_article(1)
    qtbot.waitUntil(lambda: window.current_id == 1)
    assert _shown(window) == before
    window.export_passages()
    assert seen["filter"].analysts == () and seen["said"] == ""


def test_chosen_analysts(open_window, seeded_db_path, qtbot):
    ids = _code(seeded_db_path)
    window = open_window(seeded_db_path)
    window.passage_visibility.set_mode("chosen", ["ana"])
    window.article_list.select_article(1)
    qtbot.waitUntil(lambda: window.current_id == 1)
    assert _shown(window) == {"reader": [ids["hers"]], "tab": [ids["hers"]],
                              "codebook": (1, 1), "list": (1, 1)}


def _dated(db_path, ids):
    """Publication dates (for the Overview's periods) and ana's Cybercrime
    passage overlapping her Drugs one in article 1 (tags together)."""
    db = open_database(db_path)
    articles.update_details(db, 1, published="2024-05-02", source="VOD")
    articles.update_details(db, 2, published="2024-06-03", source="VOD")
    ids["hers_cyber"] = passages.add_passage(db, article_id=1, tag_id=ids["cyber"], start=45,
                                             end=60, analyst="ana")
    db.close()


def test_overview_counts_and_dossier_passages_are_blind_too(seeded_db_path):
    ids = _code(seeded_db_path)
    _dated(seeded_db_path, ids)
    db = open_database(seeded_db_path)
    everyone, blind = ArticleQuery(), ArticleQuery(analysts=(ME,))
    drugs, cyber = ids["drugs"], ids["cyber"]

    def per_tag(rows, key="passages"):
        found: dict = {}
        for row in rows:
            found[row["tag_id"]] = found.get(row["tag_id"], 0) + row[key]
        return found
    try:
        assert per_tag(overview.tags_over_time(db, everyone)) == {drugs: 2, cyber: 2}
        assert per_tag(overview.tags_over_time(db, blind)) == {drugs: 1}
        assert per_tag(overview.tags_by_source(db, everyone)) == {drugs: 2, cyber: 2}
        assert per_tag(overview.tags_by_source(db, blind)) == {drugs: 1}
        assert {(r["analyst"], r["tag_id"]) for r in overview.tags_by_analyst(db, blind)} \
            == {(ME, drugs)}
        for mode in overview.COOCCURRENCE_MODES:
            assert len(overview.tag_cooccurrence(db, everyone, mode=mode)) == 1, mode
            assert overview.tag_cooccurrence(db, blind, mode=mode) == [], mode
            assert overview.tag_cooccurrence(db, blind, mode=mode, fold=True) == [], mode
        # the speakers of a tag's articles: the tag as I applied it
        assert overview.top_speakers(db, blind, tag_id=cyber) == []
        # an entity's page lists the passages on its mentions: mine only
        on = {1: [(0, 100)]}
        assert sorted(p["id"] for p in entity_dossier.passages_on(db, on)) \
            == sorted([ids["mine"], ids["hers"], ids["hers_cyber"]])
        assert [p["id"] for p in entity_dossier.passages_on(db, on, (ME,))] == [ids["mine"]]
    finally:
        db.close()


def test_overview_charts_follow_view_passages(open_window, seeded_db_path, qtbot):
    from PySide6.QtCore import Qt

    ids = _code(seeded_db_path)
    _dated(seeded_db_path, ids)
    window = open_window(seeded_db_path)
    qtbot.keyClick(window, Qt.Key.Key_O,
                   Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    view = window.overview.view
    chart = view.views["time"]

    def counted():
        return view.status.text().startswith("Counted")
    qtbot.waitUntil(lambda: counted() and chart.mark_with_key(("2024-06", ids["cyber"]))
                    is not None, timeout=20000)
    window.passage_visibility.actions["mine"].trigger()       # View → Passages → Mine only
    qtbot.waitUntil(lambda: counted() and chart.mark_with_key(("2024-06", ids["cyber"]))
                    is None, timeout=20000)
    assert chart.mark_with_key(("2024-05", ids["drugs"])) is not None
    assert chart.mark_with_key(("2024-05", ids["cyber"])) is None
    window.passage_visibility.actions["all"].trigger()
    qtbot.waitUntil(lambda: counted() and chart.mark_with_key(("2024-06", ids["cyber"]))
                    is not None, timeout=20000)


def test_deleting_a_tag_unused_by_the_analysts_shown_asks_about_the_others(
        open_window, seeded_db_path, qtbot, monkeypatch):
    """Only one's own passages shown: a tag one never used counts 0 in the
    codebook, and deleting it asked only "Delete the tag?" before deleting a
    colleague's passages under it. Now it says so; No keeps everything."""
    db = open_database(seeded_db_path)
    drugs = tags.find_tag(db, "Drugs")["id"]
    theirs = [passages.add_passage(db, article_id=a, tag_id=drugs, start=0, end=10,
                                   analyst="colleague") for a in (1, 2, 3)]
    db.close()
    window = open_window(seeded_db_path)
    window.passage_visibility.set_mode("mine")          # View → Passages → only mine
    asked, answers = [], [True, False]
    import desktop.gui.codebook_controller as codebook_controller
    import widgets.tag_panel as tag_panel
    for module in (tag_panel, codebook_controller):
        monkeypatch.setattr(module, "ask_plain_question",
                            lambda parent, title, text: asked.append(text) or answers.pop(0))
    window.tag_panel.ask_delete(drugs)
    assert len(asked) == 2 and "3 passages of analysts not shown" in asked[1]
    assert tags.get_tag(window.db, drugs) is not None
    assert all(passages.get_passage(window.db, i) is not None for i in theirs)
    answers[:] = [True, True]                             # asked again: yes, both times
    window.tag_panel.ask_delete(drugs)
    assert tags.get_tag(window.db, drugs) is None
    assert all(passages.get_passage(window.db, i) is None for i in theirs)


def test_the_passages_workspace_lists_and_acts_on_the_analysts_shown_only(
        open_window, seeded_db_path, qtbot, tmp_path):
    """Mine only: the Passages workspace listed every analyst's passages with
    their notes, and "Export these…" exported them. Now its list, its
    analyst box, a select-all delete and its export keep to the analysts
    shown, and it is read again when that choice changes."""
    import csv

    from PySide6.QtCore import Qt

    ids = _code(seeded_db_path)
    window = open_window(seeded_db_path)
    keys = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    qtbot.keyClick(window, Qt.Key.Key_B, keys)                     # mine only
    qtbot.keyClick(window, Qt.Key.Key_W, keys)                     # the workspace
    controller = window.workspace
    widget = controller.widget
    qtbot.waitUntil(controller.is_shown, timeout=3000)

    def listed():
        return sorted(widget.model.passage(r)["id"] for r in range(widget.model.rowCount()))

    def offered():
        return [widget.analyst.itemData(i) for i in range(widget.analyst.count())]
    assert listed() == [ids["mine"]]
    assert offered() == ["", ME]
    target = tmp_path / "these.csv"
    task = controller.export_listed(target)
    assert task.wait(10000)
    qtbot.waitUntil(target.exists, timeout=10000)
    with target.open(encoding="utf-8-sig") as handle:
        assert [int(r["passage_id"]) for r in csv.DictReader(handle)] == [ids["mine"]]
    # every row selected and deleted: only mine go
    widget.table.setFocus()
    qtbot.keyClick(widget.table, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(widget.table, Qt.Key.Key_Delete)
    db = window.db
    assert passages.get_passage(db, ids["mine"]) is None
    assert passages.get_passage(db, ids["hers"]) is not None
    assert passages.get_passage(db, ids["other"]) is not None
    qtbot.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    # everyone's, the workspace shown: read again at once, ana offered again
    window.passage_visibility.actions["all"].trigger()
    assert listed() == sorted(ids[k] for k in ("mine", "hers", "other"))
    assert sorted(offered()) == ["", "Test Analyst", "ana"]
    # ana chosen in the box, then mine only: she leaves the box and the list
    widget.analyst.setCurrentIndex(widget.analyst.findData("ana"))
    qtbot.waitUntil(lambda: listed() == [ids["hers"], ids["other"]], timeout=3000)
    window.passage_visibility.actions["mine"].trigger()
    assert listed() == [ids["mine"]] and widget.analyst.currentData() == ""
