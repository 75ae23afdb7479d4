"""The lazy article list and its search bar in the real window (issue 6):
pages fetched as the view needs them, never the whole corpus in memory;
search, filters, sort and hit count driven with keys; matches marked in the
reader; pause and resume of analysis."""

from __future__ import annotations

from PySide6.QtCore import Qt

from storage import article_query, articles, open_database, tags
from widgets.article_list import ArticleList, ArticleListModel, RowSource


def big_database(tmp_path, count: int = 2000):
    """``count`` articles (every 7th about smuggling); the seeds' meta is set
    so that the window does not add its five seed articles."""
    from storage.database import set_meta

    path = tmp_path / "big.db"
    db = open_database(path)
    with db.atomic():
        for i in range(count):
            topic = "smuggling" if i % 7 == 0 else "diplomacy"
            articles.add_article(db, title=f"Story {i:04}", text=f"Story {i} about {topic}.",
                                 source=("Reuters", "Khmer Times")[i % 2],
                                 published=f"{2000 + i % 25}-01-01")
        set_meta(db, "seeded", "1")
    db.close()
    return path


def sql_source(db, query=article_query.ArticleQuery()):
    return RowSource(count=lambda: article_query.count_articles(db, query),
                     page=lambda o, n: article_query.article_page(db, query, o, n),
                     position=lambda i, within=None: article_query.article_position(
                         db, query, i, within))


def _shown_list(qtbot, rows: list[dict], height: int = 300) -> ArticleList:
    """An article list of ``rows``, 260 px wide, on screen."""
    view = ArticleList()
    qtbot.addWidget(view)
    view.resize(260, height)
    view.set_source(RowSource.from_rows(rows))
    view.show()
    qtbot.waitExposed(view)
    return view


def test_the_model_reads_pages_and_never_holds_the_whole_corpus(tmp_path, qtbot):
    """Every row is known to the view at once; only pages asked for are
    read, and at most MAX_PAGES of them are held."""
    db = open_database(big_database(tmp_path))
    model = ArticleListModel()
    pages = []
    source = sql_source(db)
    model.set_source(RowSource(source.count, lambda o, n: pages.append(o) or source.page(o, n),
                               source.position))
    assert model.total() == 2000 and model.rowCount() == 2000 and not model.canFetchMore()
    assert model.cached_row_count() == 0                      # nothing read until shown
    assert model.index(5).data() == "Story 0005" and pages == [0]
    assert model.index(1999).data() == "Story 1999" and pages == [0, 1900]  # one page, not 20
    for row in range(0, 2000, 7):
        assert model.index(row).data() == f"Story {row:04}"
        assert model.cached_row_count() <= ArticleListModel.PAGE * ArticleListModel.MAX_PAGES
    assert model.cached_row_count() < 2000
    assert model.article(3)["title"] == "Story 0003"          # an evicted page is read again
    assert pages.count(0) == 2
    db.close()


def test_selecting_a_far_article_reads_only_its_page(tmp_path, qtbot):
    db = open_database(big_database(tmp_path))
    view = ArticleList()
    qtbot.addWidget(view)
    view.set_source(sql_source(db, article_query.ArticleQuery(sort="title",
                                                              descending=True)))
    with qtbot.waitSignal(view.articleSelected) as signal:
        assert view.select_article(1500)
    assert signal.args == [1500] and view.current_article_id() == 1500
    assert view.list_model.row_of(1500) == 500                # "Story 1499", descending
    assert view.list_model.cached_row_count() < 2000
    assert not view.select_article(99999)
    assert not view.select_article(2, within=1000)            # row 1997: too far to keep
    rows = view.list_model.rowCount()
    view.list_model.set_passage_count(1500, 4)                # repainted, not laid out
    assert view.list_model.rowCount() == rows
    assert view.list_model.article(view.list_model.row_of(1500))["passage_count"] == 4
    db.close()


def test_end_goes_to_the_last_article_not_the_last_loaded(tmp_path, qtbot):
    """End went to row 400 of 100,000: the rows loaded so far."""
    db = open_database(big_database(tmp_path))
    view = ArticleList()
    qtbot.addWidget(view)
    view.resize(300, 400)
    view.show()
    view.set_source(sql_source(db))
    view.setFocus()
    qtbot.waitUntil(lambda: view.current_article_id() is not None, timeout=3000)
    qtbot.keyClick(view, Qt.Key.Key_End)
    [last] = article_query.article_page(db, article_query.ArticleQuery(), 1999, 1)
    qtbot.waitUntil(lambda: view.current_article_id() == last["id"], timeout=3000)
    assert view.list_model.cached_row_count() < 2000          # only the pages shown are read
    qtbot.keyClick(view, Qt.Key.Key_Home)
    assert view.current_article_id() == 1
    bar = view.verticalScrollBar()                            # the whole list's scroll bar
    bar.setValue(bar.maximum() // 2)
    qtbot.waitUntil(lambda: view.indexAt(view.viewport().rect().center()).row() > 900,
                    timeout=3000)
    assert view.list_model.cached_row_count() < 2000
    db.close()


def test_a_list_counted_later_scrolls_to_its_lower_bound_then_to_the_end(tmp_path, qtbot):
    db = open_database(big_database(tmp_path))
    model = ArticleListModel()
    totals = []
    model.totalChanged.connect(lambda total, exact: totals.append((total, exact)))
    source = sql_source(db)
    model.set_source(source, 1000, exact=False)
    assert model.total() == 1000 and not model.total_is_exact()
    assert model.rowCount() == 1000                           # as far as is known
    assert not model.set_total(sql_source(db), 5)             # another list's count: ignored
    assert model.set_total(source, 2000) and model.rowCount() == 2000
    assert model.index(1999).data() == "Story 1999"
    assert totals == [(1000, False), (2000, True)]
    db.close()


def test_a_long_hit_list_is_shown_before_it_is_counted(open_window, tmp_path, qtbot):
    window = open_window(big_database(tmp_path))
    bar = window.article_filters
    model = window.article_list.list_model
    shown = []
    model.totalChanged.connect(lambda total, exact: shown.append((bar.count_label.text(),
                                                                  window.current_id)))
    bar.search.setFocus()
    qtbot.keyClicks(bar.search, "diplomacy")
    qtbot.keyClick(bar.search, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: model.total_is_exact(), timeout=5000)
    # the first rows and the label come at once (the head holds 1,000 of the
    # 1,714 hits), the exact count from a worker; the article never waits
    assert shown == [("1,000+ articles match", 1), ("1,714 articles match", 2)]
    assert window.current_id == 2 and model.total() == 1714


def test_search_box_filters_the_list_and_shows_the_hit_count(open_window, tmp_path, qtbot):
    window = open_window(big_database(tmp_path))
    bar = window.article_filters
    model = window.article_list.list_model
    assert model.rowCount() == model.total() == 2000
    assert bar.count_label.text() == "2,000 articles"
    bar.search.setFocus()
    qtbot.keyClicks(bar.search, "smugg*")
    qtbot.keyClick(bar.search, Qt.Key.Key_Return)
    assert model.total() == 286 and bar.count_label.text() == "286 articles match"
    assert window.current_id == 1                             # the first hit is opened
    text = window.view.article_text()
    assert [text[s:e] for s, e in window.view.search_matches()] == ["smuggling"]
    window.article_list.setFocus()
    qtbot.keyClick(window.article_list, Qt.Key.Key_Down)      # keys still move through hits
    assert window.current_id == 8
    assert window.view.search_matches()                       # and mark the new article
    bar.search.clear()                                        # the clear button: all again
    qtbot.waitUntil(lambda: model.total() == 2000, timeout=3000)
    assert window.current_id == 8 and window.view.search_matches() == []


def test_open_filters_on_a_short_window_scroll_and_leave_the_list_rows(
        open_window, tmp_path, qtbot):
    """At 1366×768 with Filters open and the workspace docked, the list was
    72 px — one row. The filters scroll; the list keeps three rows."""
    window = open_window(big_database(tmp_path, 300))
    bar, articles_list = window.article_filters, window.article_list
    window.resize(1400, 1000)
    qtbot.mouseClick(bar.filters_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(bar.panel.isVisible, timeout=3000)
    # room enough: the whole panel, no scroll bar
    qtbot.waitUntil(lambda: bar.panel_area.height() >= bar.panel.sizeHint().height(),
                    timeout=3000)
    # (the scroll bar follows at the area's next layout: on a busy machine
    # after the height does)
    qtbot.waitUntil(lambda: not bar.panel_area.verticalScrollBar().isVisible(), timeout=3000)
    window.resize(1366, 700)
    window.workspace.show()
    row = articles_list.sizeHintForRow(0)
    qtbot.waitUntil(lambda: articles_list.height() >= articles_list.MIN_ROWS * row - 4,
                    timeout=3000)
    assert bar.panel_area.height() < bar.panel.sizeHint().height()    # it scrolls instead


def test_filters_sort_and_a_bad_date(open_window, tmp_path, qtbot):
    window = open_window(big_database(tmp_path, 300))
    bar = window.article_filters
    model = window.article_list.list_model
    qtbot.mouseClick(bar.filters_button, Qt.MouseButton.LeftButton)
    assert bar.panel.isVisible()
    qtbot.keyClicks(bar.source, "reuters")
    qtbot.keyClick(bar.source, Qt.Key.Key_Return)
    assert model.total() == 150 and bar.count_label.text() == "150 articles match"
    qtbot.keyClicks(bar.since, "2024-01-01")
    qtbot.keyClick(bar.since, Qt.Key.Key_Return)
    assert model.total() == 6                                 # i % 25 == 24 and i even
    bar.sort.setCurrentIndex(bar.sort.findData("title"))
    titles = [model.article(r)["title"] for r in range(model.rowCount())]
    assert titles == sorted(titles)
    qtbot.mouseClick(bar.reverse, Qt.MouseButton.LeftButton)
    assert [model.article(r)["title"] for r in range(model.rowCount())] == titles[::-1]
    qtbot.keyClicks(bar.until, "soon")
    qtbot.keyClick(bar.until, Qt.Key.Key_Return)
    assert bar.error_label.isVisible() and "not a date" in bar.error_label.text()
    assert model.total() == 6                                 # the list stays as it was
    qtbot.mouseClick(bar.clear_button, Qt.MouseButton.LeftButton)
    assert model.total() == 300 and not bar.error_label.isVisible()


def test_tag_filter_and_nothing_found(open_window, analysed_db_path, qtbot):
    window = open_window(analysed_db_path)
    tag = tags.find_tag(window.db, "Diplomacy")
    window.view.select_range(0, 20)
    window.tag_selection(tag["id"])
    bar = window.article_filters
    bar.tag.setCurrentIndex(bar.tag.findData(tag["id"]))
    assert window.article_list.list_model.total() == 1
    assert window.article_list.list_model.article(0)["passage_count"] == 1
    bar.set_search("nonexistentword")
    assert window.article_list.list_model.total() == 0
    assert window.title_label.text() == "No article matches"
    assert window.current_id is None


def test_entity_and_speaker_filters_on_analysed_seeds(open_window, analysed_db_path):
    window = open_window(analysed_db_path)
    model = window.article_list.list_model
    window.apply_query({"speaker": "Thong Mengdavid"})
    assert model.total() == 3
    window.apply_query({"entity": "australia"})        # the entity's text, any case
    expected = {r[0] for r in window.db.execute(
        "SELECT n.article_id FROM entities e JOIN analyses n ON n.id = e.analysis_id "
        "WHERE e.text = 'Australia'")}
    assert len(expected) >= 3
    assert {model.article(r)["id"] for r in range(model.rowCount())} == expected


def test_pause_keeps_the_bar_and_resume_goes_on(open_window, seeded_db_path, qtbot):
    window = open_window(seeded_db_path)
    window.pause_analysis(True)
    assert window.pause_button.text() == "Resume" and window.controllers.analysis._analysis_paused
    window.start_analysis()                                   # paused: nothing requested
    window.pause_analysis(False)
    with qtbot.waitSignal(window.analysis.worker.finished, timeout=120000):
        pass
    assert window.pause_button.text() == "Pause"
    db = open_database(seeded_db_path)
    assert db.execute("SELECT count(DISTINCT article_id) FROM analyses").fetchone()[0] == 5
    db.close()


def test_a_speaker_is_picked_from_the_names_offered_while_typing(open_window,
                                                               analysed_db_path, qtbot):
    window = open_window(analysed_db_path)
    bar = window.article_filters
    qtbot.mouseClick(bar.filters_button, Qt.MouseButton.LeftButton)   # names read now
    qtbot.waitUntil(lambda: bar.speaker.completer() is not None, timeout=5000)
    bar.speaker.setFocus()
    qtbot.keyClicks(bar.speaker, "mengd")              # part of the name, any case
    popup = bar.speaker.completer().popup()
    qtbot.waitUntil(popup.isVisible)
    assert bar.speaker.completer().currentCompletion() == "Thong Mengdavid"
    qtbot.keyClick(popup, Qt.Key.Key_Down)
    qtbot.keyClick(popup, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.query.speaker == "Thong Mengdavid")
    model = window.article_list.list_model
    assert [model.article(r)["id"] for r in range(model.rowCount())] == [1, 2, 3]


def test_a_file_name_that_is_only_an_id_is_not_shown_as_the_articles_line():
    """A new user's walk: the seeds' rows read "000_526e701a0aba4176.txt"."""
    from widgets.article_list import meta_line

    assert meta_line({"filename": "000_526e701a0aba4176.txt"}) == ""
    assert meta_line({"filename": "interview-keo.txt"}) == "interview-keo.txt"
    assert meta_line({"filename": "000_526e701a0aba4176.txt", "source": "VOD",
                      "published": "2024-06-13"}) == "VOD · 2024-06-13"


def test_a_count_arriving_later_repaints_only_when_its_rows_show(qtbot):
    """A long list's exact count (from its worker) appends rows below those
    shown: the scroll bar grows, and the rows painted a moment before are
    not painted again (a table repaints its viewport at a new row count).
    Rows that do show are painted."""
    from PySide6.QtCore import QEvent, QObject

    rows = [dict(id=i, title=f"Story {i:04}", passage_count=0) for i in range(2000)]
    view = ArticleList()
    qtbot.addWidget(view)
    view.resize(300, 400)
    view.show()
    qtbot.waitExposed(view)

    class Paints(QObject):
        count = 0

        def eventFilter(self, _watched, event):
            if event.type() == QEvent.Type.Paint:
                Paints.count += 1
            return False
    paints = Paints()
    view.viewport().installEventFilter(paints)
    source = RowSource.from_rows(rows)
    view.set_source(source, total=1000, exact=False)
    qtbot.waitUntil(lambda: Paints.count > 0, timeout=3000)
    qtbot.wait(100)                       # the list shown and painted
    before, painted = view.verticalScrollBar().maximum(), Paints.count
    assert view.list_model.set_total(source, 2000)
    qtbot.wait(100)
    assert view.verticalScrollBar().maximum() > before and Paints.count == painted
    short = RowSource.from_rows(rows[:5])
    view.set_source(short, total=2, exact=False)
    qtbot.wait(100)
    painted = Paints.count
    assert view.list_model.set_total(short, 5)
    qtbot.waitUntil(lambda: Paints.count > painted, timeout=3000)


def test_rows_cut_for_one_font_are_cut_anew_when_the_font_changes(qtbot):
    """The delegate keeps the titles it cut to a row's width; after a zoom
    (a new font, the same width) a row is painted as a list made with that
    font paints it — not with a line cut for the old font."""
    from PySide6.QtGui import QFont

    title = "Interior ministry spokesman says border police seized 40 kg of methamphetamine"
    rows = [dict(id=1, title=title, source="Voice of America, Khmer service", published="2024-05-01",
                 passage_count=0)]

    def shown(font_size: int, view: ArticleList | None = None) -> tuple[ArticleList, object]:
        if view is None:
            view = _shown_list(qtbot, rows, 200)
        font = QFont(view.font())
        font.setPointSize(font_size)
        view.setFont(font)
        qtbot.wait(20)
        return view, view.viewport().grab().toImage()

    zoomed, small = shown(9)
    zoomed, big = shown(14, zoomed)
    _fresh, fresh_big = shown(14)
    assert small != big
    assert big == fresh_big


def test_a_rows_lines_are_laid_out_once_and_drawn_where_plain_text_would_be(qtbot):
    """A row repainted (a tag saved changes its count) draws the lines it
    laid out before (not cut and shaped again), and where a plain
    ``drawText`` of the cut line puts them."""
    from PySide6.QtGui import QFontMetrics, QImage, QPainter

    from widgets.article_list import ArticleDelegate, ID_ROLE

    rows = [dict(id=n, title=f"Border police seize {n} kg of methamphetamine near the river",
                 source=f"Agency {n}", published="2024-05-01", passage_count=n % 3)
            for n in range(1, 6)]
    view = _shown_list(qtbot, rows)
    qtbot.wait(20)
    delegate = view.itemDelegate()
    assert isinstance(delegate, ArticleDelegate)
    laid_out = dict(delegate._lines)
    assert len(laid_out) == 2 * len(rows)              # a title and a metadata line a row
    view.list_model.set_passage_count(view.list_model.index(2, 0).data(ID_ROLE), 7)
    view.viewport().repaint()
    assert all(delegate._lines[key] is line for key, line in laid_out.items())

    # the title of the first row, drawn as drawText draws the same cut line
    first = view.visualRect(view.list_model.index(0, 0))
    shot = view.viewport().grab().toImage().copy(first)
    bold = QFontMetrics(delegate._bold)
    pad = ArticleDelegate.PADDING
    width = first.width() - 2 * pad - delegate._badge_width(1) - 4
    cut = bold.elidedText(rows[0]["title"], Qt.TextElideMode.ElideRight, width)
    mine = QImage(shot.size(), shot.format())
    mine.fill(view.viewport().palette().base().color())
    painter = QPainter(mine)
    painter.setFont(delegate._bold)
    painter.setPen(view.palette().text().color())
    painter.drawText(pad, 2 * (pad // 2), width, delegate._line, Qt.AlignmentFlag.AlignLeft, cut)
    painter.end()
    title_band = (pad, 2 * (pad // 2), width, delegate._line)
    assert shot.copy(*title_band) == mine.copy(*title_band)


def test_a_row_is_painted_from_the_models_article_not_a_copy_through_qt(qtbot, monkeypatch):
    """The delegate reads a row's article from the model itself: asked
    through a Qt role, the article's dict was turned into a map and back
    (0.09 ms of a tag save's repaint of its row)."""
    from widgets.article_list import ArticleListModel, ROW_ROLE

    rows = [dict(id=n, title=f"Title {n}", source="Agency", published="2024-05-01",
                 passage_count=n) for n in range(1, 4)]
    asked: list[int] = []
    data = ArticleListModel.data

    def counted(self, index, role=Qt.ItemDataRole.DisplayRole):
        if role == ROW_ROLE:
            asked.append(index.row())
        return data(self, index, role)

    monkeypatch.setattr(ArticleListModel, "data", counted)
    view = _shown_list(qtbot, rows)
    painted = view.viewport().grab().toImage()
    assert asked == []
    assert view.list_model.shown_row(0)["title"] == "Title 1"
    assert view.list_model.shown_row(3) is None
    # the rows as drawn through the role look the same
    view.setItemDelegate(type(view.itemDelegate())(view))
    assert view.viewport().grab().toImage() == painted
    assert asked
