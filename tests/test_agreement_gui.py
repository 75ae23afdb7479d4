"""The agreement report window, driven like a user would: opened from the
File menu, analysts ticked, Compute clicked, the table and chart read, the
CSV exported; the numbers are the CLI's."""

from __future__ import annotations

import csv
import json

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QFileDialog

from desktop.cli import main
from desktop.gui.agreement_dialog import AgreementDialog, _checked
from storage import open_database, passages, tags
from widgets.agreement_view import AgreementView


def _code(db_path):
    db = open_database(db_path)
    drugs, cyber = tags.find_tag(db, "Drugs")["id"], tags.find_tag(db, "Cybercrime")["id"]
    for analyst, start, end in (("ana", 0, 100), ("ben", 50, 150), ("chea", 0, 120)):
        passages.add_passage(db, article_id=1, tag_id=drugs, start=start, end=end,
                             analyst=analyst)
    passages.add_passage(db, article_id=2, tag_id=cyber, start=0, end=20, analyst="ana")
    passages.add_passage(db, article_id=3, tag_id=cyber, start=5, end=30, analyst="ben")
    db.close()


def _cli_report(db_path, capsys, analysts):
    assert main(["agreement", "--analysts", analysts, "--json", "--db", str(db_path)]) == 0
    return json.loads(capsys.readouterr().out)


def _tick(widget, prefix: str, state=Qt.CheckState.Checked) -> None:
    for i in range(widget.count()):
        if widget.item(i).text().startswith(prefix):
            widget.item(i).setCheckState(state)
            return
    raise AssertionError(f"no item {prefix!r}")


def _cell(dialog, row: int, column: int) -> str:
    return dialog.view.table.item(row, column).text()


def test_report_window_from_the_menu_matches_the_cli(open_window, seeded_db_path, qtbot,
                                                     capsys, tmp_path, monkeypatch):
    _code(seeded_db_path)
    expected = _cli_report(seeded_db_path, capsys, "ana,ben")
    window = open_window(seeded_db_path)
    [action] = [a for a in window.menuBar().actions()[0].menu().actions()
                if a.text() == "A&greement report…"]
    action.trigger()
    dialog = next(w for w in QApplication.topLevelWidgets()
                  if isinstance(w, AgreementDialog) and w.isVisible())
    qtbot.waitUntil(lambda: dialog.analyst_list.count() == 3, timeout=10000)
    # three analysts: all ticked at first; untick chea
    assert dialog.compute_button.isEnabled()
    _tick(dialog.analyst_list, "chea", Qt.CheckState.Unchecked)
    qtbot.mouseClick(dialog.compute_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.report is not None, timeout=20000)
    qtbot.waitUntil(lambda: dialog.compute_button.isEnabled(), timeout=5000)

    table = dialog.view.table
    assert table.rowCount() == 2     # Drugs, (overall): Cybercrime only in articles left out
    headings = [table.horizontalHeaderItem(c).text() for c in range(table.columnCount())]
    rows = {r["tag"]: r for r in [*expected["tags"], expected["overall"]]}
    for r in range(table.rowCount()):
        tag = _cell(dialog, r, 0)
        for column, key in enumerate(dialog.view.measures, 1):
            value = rows[tag][key]
            assert _cell(dialog, r, column) == ("—" if value is None else f"{value:.3f}"), \
                (tag, headings[column])
    assert "not chance-corrected" in dialog.status.text()
    # articles 2 and 3 were coded by one of them only: left out, and named
    assert dialog.scope_box.currentText() == "Articles all of them coded"
    assert ("Left out, not coded by all of them: article 2 (ana only) and article 3 "
            "(ben only).") in dialog.status.text()

    # clicking a column's heading charts that measure
    column = dialog.view.measures.index("u_alpha") + 1
    table.horizontalHeader().sectionClicked.emit(column)
    assert dialog.view.chart.title == "uα"
    assert [label for label, _ in dialog.view.chart.rows] == ["Drugs", "(overall)"]

    target = tmp_path / "agreement"
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        staticmethod(lambda *a, **k: (str(target), "CSV files (*.csv)")))
    qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    written = tmp_path / "agreement.csv"
    qtbot.waitUntil(lambda: written.exists() and dialog.task is None, timeout=20000)
    assert written.read_bytes().startswith(b"\xef\xbb\xbf")     # for Excel
    with open(written, newline="", encoding="utf-8-sig") as handle:
        kinds = [row["row"] for row in csv.DictReader(handle)]
    assert kinds[:2] == ["tag", "overall"] and kinds.count("diagnosis") == 2
    assert "2 disagreements" in dialog.status.text()
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert not dialog.isVisible()


def _coded_and_open(seeded_db_path, qtbot, capsys):
    """Three analysts' coding (:func:`_code`), the command line's report of
    it, and the Agreement window open on the file as ana: ``(expected,
    dialog)``."""
    _code(seeded_db_path)
    expected = _cli_report(seeded_db_path, capsys, "ana,ben,chea")
    db = open_database(seeded_db_path)
    dialog = AgreementDialog(seeded_db_path, tags.list_tags(db), me="ana")
    db.close()
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.analyst_list.count() == 3, timeout=10000)
    return expected, dialog


def test_three_analysts_and_a_tag_with_the_keyboard(seeded_db_path, qtbot, capsys):
    expected, dialog = _coded_and_open(seeded_db_path, qtbot, capsys)
    _tick(dialog.tag_list, "Drugs")
    qtbot.keyClick(dialog, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: dialog.report is not None, timeout=20000)
    assert dialog.view.table.rowCount() == 2          # Drugs and overall
    drugs = next(r for r in expected["tags"] if r["tag"] == "Drugs")
    column = dialog.view.measures.index("alpha_char") + 1
    assert _cell(dialog, 0, column) == f"{drugs['alpha_char']:.3f}"


def test_fewer_than_two_analysts_cannot_compute(db, tmp_path, qtbot):
    passages.add_passage(db, article_id=_article(db), tag_id=tags.find_tag(db, "Drugs")["id"],
                         start=0, end=4, analyst="solo")
    dialog = AgreementDialog(tmp_path / "new.db", tags.list_tags(db), me="solo")
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.analyst_list.count() == 1, timeout=10000)
    assert not dialog.compute_button.isEnabled()
    assert "two or more analysts" in dialog.status.text()


def _article(db) -> int:
    from storage import articles

    return articles.add_article(db, title="t", text="some text here")[0]


@pytest.mark.parametrize("rows", [[{"tag": "A", "alpha_char": None, "u_alpha": 0.5}]])
def test_view_shows_undefined_as_a_dash(qtbot, rows):
    view = AgreementView(["alpha_char", "u_alpha"], {"u_alpha": "uα"}, {})
    qtbot.addWidget(view)
    view.set_report(rows, {"tag": "(overall)", "alpha_char": -0.25, "u_alpha": 1.0})
    assert view.table.item(0, 1).text() == "—" and view.table.item(1, 1).text() == "-0.250"
    assert view.chart.rows == [("A", None), ("(overall)", -0.25)]
    view.show()
    qtbot.waitExposed(view)
    view.chart.repaint()                               # paints without a value


def test_status_bar_names_the_analyst_and_a_click_changes_it(open_window, seeded_db_path,
                                                             preferences, qtbot):
    from PySide6.QtCore import QTimer

    from desktop.gui.preferences import PreferencesDialog

    preferences.analyst = "ana"
    window = open_window(seeded_db_path)
    label = window.analyst_label
    assert label.text() == "Analyst: ana" and label.isVisible()

    def rename() -> None:
        dialog = next(w for w in QApplication.topLevelWidgets()
                      if isinstance(w, PreferencesDialog) and w.isVisible())
        dialog.analyst.setText("<b>ben</b>")
        dialog.accept()

    QTimer.singleShot(200, rename)
    qtbot.mouseClick(label, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: label.text() == "Analyst: <b>ben</b>", timeout=5000)
    assert preferences.analyst == "<b>ben</b>"


def test_after_an_adjudication_the_coders_are_ticked_not_the_consensus(seeded_db_path,
                                                                       qtbot):
    """The consensus is ana's and ben's settled coding, not a third coder:
    ticked by default it would be pooled in with them and would narrow
    "coded by all" to the articles it touches. It stays tickable by hand."""
    from storage import consensus, journal

    db = open_database(seeded_db_path)
    drugs = tags.find_tag(db, "Drugs")["id"]
    for analyst, article, start, end in (("ana", 1, 0, 100), ("ben", 1, 50, 150),
                                         ("ana", 2, 0, 40), ("ben", 2, 10, 40)):
        passages.add_passage(db, article_id=article, tag_id=drugs, start=start, end=end,
                             analyst=analyst)
    with journal.step(db, "Adjudicate", analyst="ana"):
        consensus.decide(db, article_id=1, start=0, end=150, tag_ids=[drugs],
                         decided_by="ana")
    codebook = tags.list_tags(db)
    db.close()
    dialog = AgreementDialog(seeded_db_path, codebook, me="ana")
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.analyst_list.count() == 3, timeout=10000)
    assert _checked(dialog.analyst_list) == ["ana", "ben"]
    qtbot.keyClick(dialog, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: dialog.report is not None, timeout=20000)
    assert (dialog.report.analysts, dialog.report.articles) == (["ana", "ben"], 2)

    # comparing the coders with the consensus is still one key press away
    row = next(i for i in range(dialog.analyst_list.count())
               if dialog.analyst_list.item(i).text().startswith("consensus"))
    dialog.analyst_list.setFocus()
    dialog.analyst_list.setCurrentRow(row)
    qtbot.keyClick(dialog.analyst_list, Qt.Key.Key_Space)
    assert _checked(dialog.analyst_list) == ["ana", "ben", "consensus"]
    dialog.report = None
    qtbot.keyClick(dialog, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: dialog.report is not None, timeout=20000)
    assert (dialog.report.analysts, dialog.report.articles) == (
        ["ana", "ben", "consensus"], 1)


def test_ticking_a_tag_nobody_used_keeps_the_overall_row_and_says_so(seeded_db_path,
                                                                     qtbot, capsys):
    expected, dialog = _coded_and_open(seeded_db_path, qtbot, capsys)
    for name in ("Drugs", "Cybercrime", "Diplomacy"):        # Diplomacy: nobody's
        _tick(dialog.tag_list, name)
    qtbot.keyClick(dialog, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: dialog.report is not None, timeout=20000)
    assert dialog.report.overall == expected["overall"]
    # Cybercrime too: only in articles 2 and 3, which are left out
    assert "Not in the overall row, used by none of them here: Cybercrime, Diplomacy." in \
        dialog.status.text()
