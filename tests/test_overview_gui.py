"""The Overview window (issue 20): Ctrl+Shift+O opens it, its charts are
counted in a worker for the article list's query, and clicking a bar, a
cell or a node narrows the article list to what it counted; charts save as
PNG and SVG."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage

from storage import articles, open_database, passages

MONTHS = {1: ("2024-05-02", "Khmer Times"), 2: ("2024-06-03", "Khmer Times"),
          3: ("2024-06-20", "VOD"), 4: ("2024-06-21", "VOD"), 5: ("2024-06-13", "VOD")}


def _prepare(path):
    db = open_database(path)
    for article_id, (published, source) in MONTHS.items():
        articles.update_details(db, article_id, published=published, source=source)
    for article_id, tag_id in ((1, 1), (2, 1), (3, 1), (3, 6), (4, 6), (5, 6)):
        passages.add_passage(db, article_id=article_id, tag_id=tag_id, start=0, end=10,
                             analyst="ana")
    db.close()


def _listed(window) -> list[int]:
    model = window.article_list.list_model
    return sorted(model.article(i)["id"] for i in range(model.rowCount()))


def _open_overview(qtbot, window):
    qtbot.keyClick(window, Qt.Key.Key_O,
                   Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    controller = window.overview
    assert controller.view is not None and controller.view.isVisible()
    qtbot.waitUntil(lambda: controller.view.status.text().startswith("Counted"), timeout=20000)
    return controller.view


def _show(qtbot, overview, name):
    """Show a chart's tab: it is counted then (in a worker)."""
    overview.show_chart(name)
    qtbot.waitUntil(lambda: overview.status.text().startswith("Counted"), timeout=20000)
    return overview.views[name]


def _click(qtbot, view, mark_or_point):
    from PySide6.QtCore import QRectF
    rect = mark_or_point if isinstance(mark_or_point, QRectF) else \
        mark_or_point.sceneBoundingRect()
    point = view.mapFromScene(rect.center())
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=point)


def test_clicking_a_column_and_a_cell_narrows_the_list(qtbot, open_window, seeded_db_path):
    _prepare(seeded_db_path)
    window = open_window(seeded_db_path)
    overview = _open_overview(qtbot, window)
    time_chart = overview.views["time"]
    # June 2024, Diplomacy (tag 6): articles 3, 4 and 5
    mark = time_chart.mark_with_key(("2024-06", 6))
    assert mark is not None and "Diplomacy, 2024-06: 3 passages" in mark.toolTip()
    overview.show_chart("time")
    _click(qtbot, time_chart, mark)
    qtbot.waitUntil(lambda: _listed(window) == [3, 4, 5], timeout=5000)
    assert window.query.tag_id == 6 and window.query.since == "2024-06-01"
    assert window.query.until == "2024-06-30"
    # the overview follows the list: now only June's Diplomacy articles
    qtbot.waitUntil(lambda: time_chart.mark_with_key(("2024-05", 1)) is None
                    and overview.status.text().startswith("Counted"), timeout=20000)

    # tagging a passage (here with key 1, Cybercrime, in June's article 3) counts again
    window.view.select_range(20, 40)
    window.view.setFocus()
    qtbot.keyClick(window.view, Qt.Key.Key_1)
    qtbot.waitUntil(lambda: time_chart.mark_with_key(("2024-06", 1)) is not None and
                    "Cybercrime, 2024-06: 2 passages" in
                    time_chart.mark_with_key(("2024-06", 1)).toolTip(), timeout=20000)

    window.article_filters.clear()
    qtbot.waitUntil(lambda: len(_listed(window)) == 5, timeout=5000)
    qtbot.waitUntil(lambda: overview.views["time"].mark_with_key(("2024-05", 1)) is not None,
                    timeout=20000)
    heat = _show(qtbot, overview, "sources")
    cell = heat.mark_with_key((1, "Khmer Times"))
    assert "Cybercrime × Khmer Times: 2 passages" in cell.toolTip()
    _click(qtbot, heat, cell)
    qtbot.waitUntil(lambda: _listed(window) == [1, 2], timeout=5000)
    assert window.query.source == "Khmer Times" and window.query.tag_id == 1



def test_a_column_click_keeps_the_lists_narrower_dates(qtbot, open_window, seeded_db_path):
    """With the list "since 2024-06-15", June's Diplomacy segment counts
    articles 3 and 4; the click set the whole month and listed 5 as well."""
    _prepare(seeded_db_path)
    window = open_window(seeded_db_path)
    overview = _open_overview(qtbot, window)
    window.article_filters.set_filters({"since": "2024-06-15"})
    chart = overview.views["time"]
    qtbot.waitUntil(lambda: chart.mark_with_key(("2024-06", 6)) is not None and
                    "Diplomacy, 2024-06: 2 passages" in
                    chart.mark_with_key(("2024-06", 6)).toolTip(), timeout=20000)
    _click(qtbot, chart, chart.mark_with_key(("2024-06", 6)))
    qtbot.waitUntil(lambda: window.query.tag_id == 6, timeout=5000)
    assert (window.query.since, window.query.until) == ("2024-06-15", "2024-06-30")
    qtbot.waitUntil(lambda: _listed(window) == [3, 4], timeout=5000)


def test_a_column_click_takes_the_days_both_the_period_and_the_list_have():
    from types import SimpleNamespace
    from desktop.gui.overview_controller import within_dates
    june = ("2024-06-01", "2024-06-30")
    assert within_dates(june, SimpleNamespace(since="", until="")) == june
    assert within_dates(june, SimpleNamespace(since="2024-06-15", until="20240620")) == \
        ("2024-06-15", "2024-06-20")
    assert within_dates(june, SimpleNamespace(since="2024-01-01", until="2025-01-01")) == june
    assert within_dates(june, SimpleNamespace(since="2024-06-1", until="")) == june  # typing


def test_a_parent_tags_click_lists_only_what_it_counts(qtbot, open_window, seeded_db_path):
    """Unfolded, Cybercrime's June segment counts its own passages (articles
    2 and 3); the click left "and the tags under it" on and listed article 4,
    which has only a child tag. Folded, the child's article belongs."""
    from storage import tags
    _prepare(seeded_db_path)   # Cybercrime (1): articles 1 (May), 2, 3 (June)
    db = open_database(seeded_db_path)
    tags.set_parent(db, 9, 1)          # "Key quote" under Cybercrime
    passages.add_passage(db, article_id=4, tag_id=9, start=0, end=10, analyst="ana")
    db.close()
    window = open_window(seeded_db_path)
    overview = _open_overview(qtbot, window)
    chart = overview.views["time"]
    mark = chart.mark_with_key(("2024-06", 1))
    assert "Cybercrime, 2024-06: 2 passages" in mark.toolTip()
    _click(qtbot, chart, mark)
    qtbot.waitUntil(lambda: window.query.tag_id == 1, timeout=5000)
    assert not window.query.tag_children
    qtbot.waitUntil(lambda: _listed(window) == [2, 3], timeout=5000)

    window.article_filters.clear()
    overview.fold.setChecked(True)
    heat = _show(qtbot, overview, "sources")
    qtbot.waitUntil(lambda: heat.mark_with_key((1, "VOD")) is not None and
                    "Cybercrime × VOD: 2 passages" in heat.mark_with_key((1, "VOD")).toolTip(),
                    timeout=20000)
    _click(qtbot, heat, heat.mark_with_key((1, "VOD")))
    qtbot.waitUntil(lambda: window.query.tag_id == 1 and window.query.source == "VOD",
                    timeout=5000)
    assert window.query.tag_children
    qtbot.waitUntil(lambda: _listed(window) == [3, 4], timeout=5000)


def test_another_windows_tagging_is_counted_once_in_the_open_overview(
        qtbot, open_window, seeded_db_path):
    """A passage tagged in another window (read by check_external_changes)
    moved the article list but not the open charts until F5."""
    from storage import journal
    _prepare(seeded_db_path)
    window = open_window(seeded_db_path)
    overview = _open_overview(qtbot, window)
    chart = overview.views["time"]
    assert "Diplomacy, 2024-06: 3 passages" in chart.mark_with_key(("2024-06", 6)).toolTip()
    other = open_database(seeded_db_path)
    with journal.step(other, "Tag passage", analyst="bo", origin="another window"):
        passages.add_passage(other, article_id=3, tag_id=6, start=20, end=30, analyst="bo")
    other.close()
    counts = window.overview._generation
    assert window.check_external_changes()
    qtbot.waitUntil(lambda: "Diplomacy, 2024-06: 4 passages" in
                    chart.mark_with_key(("2024-06", 6)).toolTip(), timeout=20000)
    assert window.overview._generation == counts + 1      # one count for the burst


def test_the_overview_counts_again_for_changes_that_move_its_charts():
    from desktop.gui.overview_controller import counts_change
    from storage.changes import (ANALYSIS, ARTICLE, ENTITIES, MEMO, PASSAGES, REVIEW,
                                 SPEAKERS, TAGS, Changes)
    for kind in (PASSAGES, TAGS, ARTICLE, ENTITIES, SPEAKERS):
        assert counts_change(Changes.of(kind, article_ids=[1])), kind
    assert counts_change(Changes.of(ANALYSIS))                          # a run is over
    assert counts_change(Changes.of(ANALYSIS, article_ids=[1], foreign=True))  # another's
    assert not counts_change(Changes.of(ANALYSIS, article_ids=[1]))     # mid-run, here
    assert not counts_change(Changes.of(REVIEW, MEMO, article_ids=[1]))


def test_clicking_the_no_source_cell_lists_the_articles_without_a_source(
        qtbot, open_window, seeded_db_path):
    """The "(none)" column's cell set the source filter to "", which is no
    filter: the list showed the tag's articles of every source."""
    _prepare(seeded_db_path)
    db = open_database(seeded_db_path)
    articles.update_details(db, 1, source="")
    db.close()
    window = open_window(seeded_db_path)
    heat = _show(qtbot, _open_overview(qtbot, window), "sources")
    cell = heat.mark_with_key((1, ""))
    assert "Cybercrime × (none): 1 passages" in cell.toolTip()
    _click(qtbot, heat, cell)
    qtbot.waitUntil(lambda: window.query.tag_id == 1, timeout=5000)
    qtbot.waitUntil(lambda: _listed(window) == [1], timeout=5000)
    assert window.article_filters.source.text() == "(none)"


def test_dated_by_tagging_the_undated_seeds_fill_the_time_chart(qtbot, open_window,
                                                               seeded_db_path):
    """The seeds have no publication date: the time chart was empty on a
    first start. Dated by tagging, it counts when each passage was made."""
    from datetime import datetime, timezone

    db = open_database(seeded_db_path)
    for article_id, tag_id in ((1, 1), (2, 1), (3, 6)):
        passages.add_passage(db, article_id=article_id, tag_id=tag_id, start=0, end=10,
                             analyst="ana")
    db.close()
    window = open_window(seeded_db_path)
    overview = _open_overview(qtbot, window)
    time_chart = overview.views["time"]
    month = datetime.now(timezone.utc).strftime("%Y-%m")
    assert time_chart.mark_with_key((month, 1)) is None
    texts = [i.text() for i in time_chart.scene().items() if hasattr(i, "text")]
    assert any("3 passages of undated articles not shown" in t for t in texts)
    overview.dated_by.setFocus()
    qtbot.keyClick(overview.dated_by, Qt.Key.Key_Down)        # publication → tagging
    assert overview.options()["dated_by"] == "tagged"
    qtbot.waitUntil(lambda: time_chart.mark_with_key((month, 1)) is not None, timeout=20000)
    assert f"Cybercrime, {month}: 2 passages" in time_chart.mark_with_key((month, 1)).toolTip()
    # a click lists the tag's articles (the list has no tagging-date filter) and says so
    overview.show_chart("time")
    _click(qtbot, time_chart, time_chart.mark_with_key((month, 1)))
    qtbot.waitUntil(lambda: window.query.tag_id == 1, timeout=5000)
    assert window.query.since == "" and window.query.until == ""
    assert "not tagging date" in window.statusBar().currentMessage()


def test_keyboard_picks_a_mark_and_charts_save_as_png_and_svg(qtbot, open_window,
                                                               seeded_db_path, tmp_path):
    _prepare(seeded_db_path)
    window = open_window(seeded_db_path)
    overview = _open_overview(qtbot, window)
    heat = _show(qtbot, overview, "cooccurrence")
    assert heat.mark_with_key((1, 6)).toolTip().endswith(": 1 articles with both")
    heat.setFocus()
    qtbot.keyClick(heat, Qt.Key.Key_Right)
    first = heat.marks[0].key
    qtbot.keyClick(heat, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.query.tag_id == first[0], timeout=5000)
    for name in ("time", "sources", "speaker_network"):
        _show(qtbot, overview, name)
        png = overview.views[name].save(tmp_path / f"{name}.png")
        image = QImage(str(png))
        assert not image.isNull() and image.width() > 100
        svg = overview.views[name].save(tmp_path / f"{name}.svg")
        text = svg.read_text("utf-8")
        assert text.lstrip().startswith("<?xml") and "<svg" in text and text.rstrip().endswith("</svg>")
    from xml.etree import ElementTree
    ElementTree.parse(tmp_path / "sources.svg")      # well-formed


@pytest.mark.slow
def test_clicking_a_network_node_filters_by_that_entity(qtbot, open_window, analysed_db_path):
    window = open_window(analysed_db_path)
    overview = _open_overview(qtbot, window)
    network = _show(qtbot, overview, "speaker_network")
    assert network.nodes, "the seeds' quotes mention entities"
    key = next(k for k in network.nodes if k[0] == "entity")
    node = network.nodes[key]
    name = node.toolTip().split(" (")[0]
    _click(qtbot, network, node)
    qtbot.waitUntil(lambda: window.query.entity == name, timeout=5000)
    assert 0 < len(_listed(window)) <= 5
    # dragging moves the node without filtering
    before = network.node_position(key)
    start = network.mapFromScene(before)
    qtbot.mousePress(network.viewport(), Qt.MouseButton.LeftButton, pos=start)
    from PySide6.QtCore import QPoint
    from PySide6.QtGui import QMouseEvent
    from PySide6.QtCore import QPointF, QEvent
    end = start + QPoint(40, 30)
    move = QMouseEvent(QEvent.Type.MouseMove, QPointF(end), QPointF(network.viewport().mapToGlobal(end)),
                       Qt.MouseButton.LeftButton, Qt.MouseButton.LeftButton,
                       Qt.KeyboardModifier.NoModifier)
    from PySide6.QtWidgets import QApplication
    QApplication.sendEvent(network.viewport(), move)
    qtbot.mouseRelease(network.viewport(), Qt.MouseButton.LeftButton, pos=end)
    assert network.node_position(key) != before
    # the keyboard: → picks the largest node, Enter filters by it
    network.setFocus()
    qtbot.keyClick(network, Qt.Key.Key_Right)
    first = network.current_key()
    label, field = network.labels[first], "speaker" if first[0] == "speaker" else "entity"
    qtbot.keyClick(network, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: getattr(window.query, field) == label, timeout=5000)


def test_hover_gives_the_exact_numbers_and_dark_theme_stays_readable(qtbot):
    from PySide6.QtCore import QEvent, QPoint
    from PySide6.QtGui import QHelpEvent
    from PySide6.QtWidgets import QApplication, QToolTip

    from widgets.charts import BarChart, readable_on
    from widgets.palette import DARK, contrast_ratio

    chart = BarChart()
    qtbot.addWidget(chart)
    chart.set_colors(DARK.text, DARK.base)
    chart.set_bars([{"label": "Sar Sokha", "value": 1234, "key": "Sar Sokha",
                     "color": "#1e1f30"}, {"label": "Interpol", "value": 7, "key": "Interpol"}])
    chart.resize(700, 300)
    chart.show()
    qtbot.waitExposed(chart)
    mark = chart.mark_with_key("Sar Sokha")
    # a dark bar colour is lightened until it stands out from the dark background
    assert contrast_ratio(mark.brush.color().name(), DARK.base) >= 3
    assert readable_on("#ffffff", "#ffffff") != "#ffffff"
    point = chart.mapFromScene(mark.rect.center())
    QApplication.sendEvent(chart.viewport(), QHelpEvent(
        QEvent.Type.ToolTip, point, chart.viewport().mapToGlobal(point)))
    assert QToolTip.text() == "Sar Sokha: 1,234"
    QApplication.sendEvent(chart.viewport(), QHelpEvent(
        QEvent.Type.ToolTip, QPoint(2, 2), chart.viewport().mapToGlobal(QPoint(2, 2))))


def test_a_network_layout_fills_the_panel_it_is_drawn_in():
    """A layout that used part of its square (components packed at the top,
    a graph leaning left) is spread over the whole panel (a new user's walk:
    the entity network used the left 60 %)."""
    from widgets.network_view import fitted

    placed = fitted({"a": (-0.9, -0.8), "b": (0.1, -0.6), "c": (-0.4, -0.2)}, 700.0, 380.0)
    xs = sorted(x for x, _ in placed.values())
    ys = sorted(y for _, y in placed.values())
    assert (xs[0], xs[-1]) == pytest.approx((-700.0, 700.0))
    assert (ys[0], ys[-1]) == pytest.approx((-380.0, 380.0))
    assert fitted({"only": (0.3, 0.3)}, 700.0, 380.0) == {"only": (0.0, 0.0)}
    assert fitted({}, 1.0, 1.0) == {}


def test_nodes_whose_labels_overlap_are_moved_apart_and_the_others_stay():
    """The team walk saw "Thong Mengdavid" under the node "Cambodia" and
    "the Cambodian National Police" under "AFP": boxes (a node and its
    label) that overlap are moved apart vertically; one clear of the
    others does not move."""
    from widgets.network_view import spread_apart

    boxes = {"thong": (0, 0, 120, 16), "cambodia": (60, 4, 140, 20),
             "afp": (50, 10, 90, 26), "far": (500, 0, 600, 16)}
    shift = spread_apart(boxes)
    moved = {k: (l, t + shift[k], r, b + shift[k]) for k, (l, t, r, b) in boxes.items()}
    for a in moved:
        for b in moved:
            if a < b:
                la, ta, ra, ba = moved[a]
                lb, tb, rb, bb = moved[b]
                assert ra <= lb or rb <= la or ba <= tb or bb <= ta, (a, b)
    assert shift["far"] == 0
    assert max(abs(v) for v in shift.values()) < 40       # apart, not scattered


def test_two_nodes_of_one_name_are_labelled_with_their_labels_and_a_single_name_stays_bare(
        qtbot):
    """An entity found under two labels is two nodes (Cambodia as GPE and as
    ORG), drawn with the same name: only colour and hover told them apart.
    Each now shows its label; a name drawn once (Interpol) stays bare, and
    a click still filters by the name alone."""
    from widgets.network_view import NetworkView

    network = NetworkView()
    qtbot.addWidget(network)
    gpe, org, interpol = ("entity", "cambodia", "GPE"), ("entity", "cambodia", "ORG"), \
        ("entity", "interpol", "ORG")
    nodes = [{"key": gpe, "label": "Cambodia", "kind": "GPE", "size": 1.0},
             {"key": org, "label": "Cambodia", "kind": "ORG", "size": 0.5},
             {"key": interpol, "label": "Interpol", "kind": "ORG", "size": 0.8}]
    edges = [{"a": gpe, "b": interpol, "weight": 3}, {"a": org, "b": interpol, "weight": 1}]
    network.resize(900, 500)
    network.set_graph(nodes, edges, {gpe: (-0.5, 0.0), org: (-0.4, 0.1), interpol: (0.5, 0.0)})
    qtbot.waitUntil(lambda: len(network.nodes) == 3, timeout=5000)
    shown = {key: [child.text() for child in item.childItems()]
             for key, item in network.nodes.items()}
    assert shown == {gpe: ["Cambodia (GPE)"], org: ["Cambodia (ORG)"], interpol: ["Interpol"]}
    assert network.labels[gpe] == network.labels[org] == "Cambodia"
    # an edge's hover names its ends as they are drawn (both were "Cambodia — Interpol")
    from PySide6.QtWidgets import QGraphicsLineItem
    edges = sorted(item.toolTip() for item in network.scene().items()
                   if isinstance(item, QGraphicsLineItem))
    assert edges == ["Cambodia (GPE) — Interpol: 3", "Cambodia (ORG) — Interpol: 1"]
