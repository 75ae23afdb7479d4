"""Quotes in the window: grouped by speaker, tagged with one key, recycled
quotes linked across articles, and the corpus-wide speakers view."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QTextCursor

from storage import open_database


def group(panel, title_start: str):
    for i in range(panel.topLevelItemCount()):
        item = panel.topLevelItem(i)
        if item.text(0).startswith(title_start):
            return item
    raise AssertionError(f"no group {title_start!r}")


def click(qtbot, tree, item):
    tree.scrollToItem(item)
    qtbot.mouseClick(tree.viewport(), Qt.MouseButton.LeftButton,
                     pos=tree.visualItemRect(item).center())


def passages_in(db_path):
    db = open_database(db_path)
    try:
        return db.execute("SELECT p.article_id, p.start, p.end, p.text, t.name FROM passages p "
                          "JOIN tags t ON t.id = p.tag_id").fetchall()
    finally:
        db.close()


def test_quotes_are_grouped_by_speaker(open_window, analysed_db_path):
    window = open_window(analysed_db_path)
    panel = window.quote_panel
    thong = group(panel, "Thong Mengdavid (person)")
    savoeun = group(panel, "Neth Savoeun (person)")
    assert (thong.childCount(), savoeun.childCount()) == (3, 5)
    assert group(panel, "National Police social media post (document)").childCount() == 2
    assert group(panel, "Am Sam Ath").childCount() == 1


def test_clicking_a_quote_selects_it_and_its_tooltip_names_the_speaker(open_window,
                                                                        analysed_db_path, qtbot):
    window = open_window(analysed_db_path)
    quote = group(window.quote_panel, "Am Sam Ath").child(0)
    click(qtbot, window.quote_panel, quote)
    start, end = window.view.selection_range()
    text = window.view.article_text()
    assert text[start:end].startswith("It may affect social order")
    assert "Am Sam Ath" in window.view.tooltip_html(start + 3)


def test_a_digit_with_the_caret_in_a_quote_tags_the_whole_quote(open_window, analysed_db_path,
                                                                 qtbot):
    window = open_window(analysed_db_path)
    view, text = window.view, window.view.article_text()
    start = text.index("There is a need for increased cooperation")
    cursor = QTextCursor(view.document())
    cursor.setPosition(start + 10)
    view.setTextCursor(cursor)
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_9)
    [(article_id, p_start, p_end, p_text, tag)] = passages_in(analysed_db_path)
    assert (article_id, p_start, tag) == (1, start, "Key quote")
    assert p_text == "There is a need for increased cooperation with international partners, " \
                     "so we can learn from their expertise,"
    assert text[p_start:p_end] == p_text


def test_a_digit_on_a_quote_in_the_panel_tags_it(open_window, analysed_db_path, qtbot):
    window = open_window(analysed_db_path)
    panel = window.quote_panel
    quote = group(panel, "National Police social media post").child(0)
    click(qtbot, panel, quote)
    qtbot.keyClick(panel, Qt.Key.Key_7)
    [(_, start, end, text, tag)] = passages_in(analysed_db_path)
    assert text.startswith("Savoeun expressed his appreciation") and tag == \
        "Law enforcement cooperation"


def test_recycled_quote_shows_also_in_and_jumps_there(open_window, analysed_db_path, qtbot):
    window = open_window(analysed_db_path)
    thong = group(window.quote_panel, "Thong Mengdavid")
    threat = next(thong.child(i) for i in range(thong.childCount())
                  if "serious threat" in thong.child(i).text(0))
    titles = [threat.child(i).text(0) for i in range(threat.childCount())]
    assert any(t.startswith("also in: Minister of Interior Sar Sokha") for t in titles)
    assert any(t.startswith("also in: Cambodia and Australia agreed") for t in titles)
    link = next(threat.child(i) for i in range(threat.childCount())
                if "Minister of Interior" in threat.child(i).text(0))
    threat.setExpanded(True)
    click(qtbot, window.quote_panel, link)
    assert window.current_id == 3
    start, end = window.view.selection_range()
    assert window.view.article_text()[start:end].startswith("Cybersecurity is a serious threat")
    offset = window.view.article_text().index("Cybersecurity is a serious threat")
    assert "also in: Cambodia asked Australia" in window.view.tooltip_html(offset + 2)


def test_speakers_view_lists_a_speakers_quotes_across_articles(open_window, analysed_db_path,
                                                               qtbot):
    window = open_window(analysed_db_path)
    window.focus_speakers()
    speakers = window.speakers_view.speakers
    qtbot.waitUntil(lambda: speakers.topLevelItemCount() > 0, timeout=5000)  # read in a worker
    names = [speakers.topLevelItem(i).text(0) for i in range(speakers.topLevelItemCount())]
    assert names[:2] == ["Neth Savoeun", "Thong Mengdavid"]
    item = speakers.topLevelItem(1)
    assert (item.text(2), item.text(3)) == ("5", "3")
    click(qtbot, speakers, item)
    quotes = window.speakers_view.quotes
    assert quotes.topLevelItemCount() == 5
    articles = {quotes.topLevelItem(i).text(1)[:20] for i in range(5)}
    assert len(articles) == 3
    last = quotes.topLevelItem(4)
    click(qtbot, quotes, last)
    assert window.current_id == 3
    start, end = window.view.selection_range()
    assert window.view.article_text()[start:end].startswith("Cybersecurity is a serious threat")


def test_a_statement_recurring_widely_says_only_the_newest_are_listed(qtbot):
    """A group read to its limit (a wire statement in a thousand articles):
    the Quotes tab says the newest are listed, the tooltip names five."""
    from widgets.article_view import TOOLTIP_LINKS, ArticleView
    from widgets.quote_panel import QuotePanel

    text = "He said: “We will not stop until the network is gone.”"
    start = text.index("“")
    links = [{"article_id": i, "article_title": f"Wire copy {i}", "start": 0, "end": 10,
              "score": 100.0} for i in range(20)]
    quote = {"id": 1, "start": start, "end": len(text), "text": text[start:],
             "kind": "direct", "speaker": "He", "also_in": links, "also_in_more": True}
    panel, view = QuotePanel(), ArticleView()
    qtbot.addWidget(panel)
    qtbot.addWidget(view)
    panel.set_quotes([quote])
    item = group(panel, "He").child(0)
    children = [item.child(i).text(0) for i in range(item.childCount())]
    assert children[:20] == [f"also in: Wire copy {i}" for i in range(20)]
    assert children[20:] == ["… the newest 20 shown"]
    view.set_article(text, quotes=[quote])
    tooltip = view.tooltip_html(start + 3)
    assert tooltip.count("also in:") == TOOLTIP_LINKS == 5
    assert "… and more in the Quotes tab" in tooltip
    # a short list is whole, and says nothing more
    panel.set_quotes([{**quote, "also_in": links[:3], "also_in_more": False}])
    assert group(panel, "He").child(0).childCount() == 3


def test_the_quotes_take_the_width_of_the_tab_and_the_kind_what_it_shows(qtbot):
    """The Quotes tab's kind column took half of the panel (a stretched
    last column), eliding the quotes and the titles they recur in."""
    from widgets.quote_panel import QuotePanel

    text = "“We will not stop until the network that trafficked them is gone,” he said."
    links = [{"article_id": 2, "article_title": "Interpol joins the raid on the compound",
              "start": 0, "end": 10, "score": 97.0}]
    panel = QuotePanel()
    qtbot.addWidget(panel)
    panel.resize(340, 400)
    panel.show()
    panel.set_quotes([{"id": 1, "start": 0, "end": 66, "text": text[:66], "kind": "direct",
                       "speaker": "He", "also_in": links, "also_in_more": False}])
    panel.expandAll()
    qtbot.waitUntil(lambda: panel.columnWidth(0) > 0)
    kind = panel.columnWidth(1)
    assert panel.columnWidth(0) > 2.5 * kind
    assert kind <= max(panel.header().sectionSizeHint(1), panel.sizeHintForColumn(1)) + 1
