"""The export dialog and the window's export and REFI-QDA import, driven
like a user would; assertions on the files written and the database."""

from __future__ import annotations

import json
from pathlib import Path

from PySide6.QtCore import QDate, Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialog, QDialogButtonBox

from desktop.gui.export_dialog import ExportDialog
from storage import articles, open_database, passages, tags

from export_fixtures import export_qdpx, tricky_db_path  # noqa: F401

TAGS = [{"name": "Cybercrime", "color": "#e01b24"}, {"name": "Key quote", "color": "#ed5aa6"}]
ARTICLES = [{"id": 1, "title": "First"}, {"id": 2, "title": "Second"}]


def tick(widget, text: str) -> None:
    [item] = widget.findItems(text, Qt.MatchFlag.MatchExactly)
    item.setCheckState(Qt.CheckState.Checked)


def test_dialog_turns_choices_into_a_request(qtbot, tmp_path):
    dialog = ExportDialog(TAGS, ARTICLES, ["ana", "bo"], current_article=2, folder=tmp_path)
    qtbot.addWidget(dialog)
    request = dialog.request()
    assert (request.fmt, request.path) == ("csv", tmp_path / "passages.csv")
    assert request.options.bom  # the dialog's CSV is for Excel
    assert request.filter.tags == () and request.filter.since is None

    dialog.set_format("xlsx")
    assert dialog.path_edit.text() == str(tmp_path / "passages.xlsx")
    assert not dialog.bom_check.isEnabled() and not dialog.title_edit.isEnabled()
    tick(dialog.tag_list, "Key quote")
    tick(dialog.article_list, "First")
    qtbot.mouseClick(dialog.current_button, Qt.MouseButton.LeftButton)  # unticks First
    dialog.since_check.setChecked(True)
    dialog.since_edit.setDate(QDate(2024, 5, 1))
    dialog.date_of_box.setCurrentIndex(dialog.date_of_box.findData("tagged"))
    dialog.analyst_box.setCurrentIndex(dialog.analyst_box.findData("bo"))
    request = dialog.request()
    assert request.fmt == "xlsx" and not request.options.bom
    assert request.filter.tags == ("Key quote",) and request.filter.article_ids == (2,)
    assert (request.filter.since, request.filter.until) == ("2024-05-01", None)
    assert request.filter.date_of == "tagged" and request.filter.analysts == ("bo",)

    dialog.set_format("html")
    dialog.title_edit.setText("Weekly")
    assert dialog.request().options.title == "Weekly"
    dialog.path_edit.setText("")
    assert not dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).isEnabled()


def test_export_through_the_dialog_from_the_window(open_window, tricky_db_path, qtbot, tmp_path):
    window = open_window(tricky_db_path)
    target = tmp_path / "key-quotes.jsonld"

    def fill_in() -> None:
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, ExportDialog)
        dialog.set_format("w3c")
        dialog.path_edit.setText(str(target))
        tick(dialog.tag_list, "Key quote")
        qtbot.mouseClick(dialog.buttons.button(QDialogButtonBox.StandardButton.Ok),
                         Qt.MouseButton.LeftButton)

    QTimer.singleShot(0, fill_in)
    window.export_action.trigger()
    qtbot.waitUntil(lambda: "Exported 3 passages" in window.statusBar().currentMessage(),
                    timeout=10000)
    items = json.loads(target.read_text("utf-8"))["first"]["items"]
    assert [i["body"][0]["value"] for i in items] == ["Key quote"] * 3
    assert not window.ops.tasks


def test_the_next_export_opens_in_the_folder_of_the_last(open_window, tricky_db_path, qtbot,
                                                        tmp_path):
    """The export dialog proposes the folder the analyst last exported to
    (kept in the preferences, so across sessions), not the home folder."""
    window = open_window(tricky_db_path)
    reports = tmp_path / "reports"
    reports.mkdir()
    proposed = []

    def export_to(name: str) -> None:
        dialog = QApplication.activeModalWidget()
        proposed.append(dialog.path_edit.text())
        dialog.path_edit.setText(str(reports / name))
        qtbot.mouseClick(dialog.buttons.button(QDialogButtonBox.StandardButton.Ok),
                         Qt.MouseButton.LeftButton)

    for name in ("first.csv", "second.csv"):
        QTimer.singleShot(0, lambda name=name: export_to(name))
        window.export_action.trigger()
        qtbot.waitUntil(lambda name=name: (reports / name).exists() and not window.ops.tasks,
                        timeout=10000)
    assert proposed[1] == str(reports / "passages.csv")
    assert window.preferences.folder("export") == reports
    # a folder since removed: the home folder again
    for name in ("first.csv", "second.csv"):
        (reports / name).unlink()
    reports.rmdir()
    assert window.preferences.folder("export") == Path.home()


def test_cancelling_the_dialog_exports_nothing(open_window, tricky_db_path, tmp_path):
    window = open_window(tricky_db_path)
    QTimer.singleShot(0, lambda: QApplication.activeModalWidget().reject())
    assert window.export_passages() is None
    assert not window.ops.tasks


def test_import_a_refi_qda_project_from_the_window(open_window, seeded_db_path, tricky_db_path,
                                                   qtbot, tmp_path):
    source = open_database(tricky_db_path)
    project = export_qdpx(source, tmp_path)
    source.close()
    window = open_window(seeded_db_path)
    before = window.article_list.list_model.rowCount()
    window.import_refi_qda(project)
    qtbot.waitUntil(lambda: window.article_list.list_model.rowCount() == before + 3,
                    timeout=10000)
    assert "7 passages imported" in window.statusBar().currentMessage()
    db = open_database(seeded_db_path)
    try:
        assert passages.passage_count(db) == 7
        assert tags.find_tag(db, "Key quote")["color"] == "#ed5aa6"
        titles = [a["title"] for a in articles.list_articles(db)]
        assert "Scam compound raid" in titles
    finally:
        db.close()
    # the first imported article is shown, with its passages
    assert window.current_id == before + 1
    assert window.title_label.text() == articles.get_article(window.db, before + 1)["title"]


def test_pdf_export_runs_in_the_background_task(open_window, tricky_db_path, qtbot, tmp_path):
    window = open_window(tricky_db_path)
    target = tmp_path / "report.pdf"
    window.export_passages(target)
    qtbot.waitUntil(lambda: "Exported 7 passages" in window.statusBar().currentMessage(),
                    timeout=15000)
    assert target.read_bytes().startswith(b"%PDF")


def test_an_existing_file_is_replaced_only_when_the_analyst_says_so(tmp_path, qtbot):
    """The path is filled in: pressing Export again must not silently
    overwrite yesterday's export (found by a new user's walk)."""
    from PySide6.QtWidgets import QMessageBox

    existing = tmp_path / "passages.csv"
    existing.write_text("yesterday's export", "utf-8")
    dialog = ExportDialog(TAGS, ARTICLES, ["ana", "bo"], folder=tmp_path)
    qtbot.addWidget(dialog)
    dialog.show()
    answers = []

    def answer(button_text: str) -> None:
        box = QApplication.activeModalWidget()
        assert isinstance(box, QMessageBox) and "passages.csv” already exists" in box.text()
        answers.append(button_text)
        chosen = next(b for b in box.buttons() if b.text().replace("&", "") == button_text)
        qtbot.mouseClick(chosen, Qt.MouseButton.LeftButton)

    QTimer.singleShot(0, lambda: answer("Cancel"))
    qtbot.mouseClick(dialog.buttons.button(QDialogButtonBox.StandardButton.Ok),
                     Qt.MouseButton.LeftButton)
    assert answers == ["Cancel"] and dialog.isVisible() and dialog.result() == 0
    QTimer.singleShot(0, lambda: answer("Replace"))
    qtbot.mouseClick(dialog.buttons.button(QDialogButtonBox.StandardButton.Ok),
                     Qt.MouseButton.LeftButton)
    assert answers == ["Cancel", "Replace"] and dialog.result() == QDialog.DialogCode.Accepted
    # a new name: no question
    fresh = ExportDialog(TAGS, ARTICLES, ["ana", "bo"], folder=tmp_path)
    qtbot.addWidget(fresh)
    fresh.path_edit.setText(str(tmp_path / "new.csv"))
    fresh.accept()
    assert fresh.result() == QDialog.DialogCode.Accepted and answers == ["Cancel", "Replace"]


def test_the_window_calls_an_exports_warnings_notes_not_skipped_rows(open_window, seeded_db_path,
                                                                       qtbot, tmp_path,
                                                                       monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    from desktop.gui.export_dialog import ExportRequest
    from storage.export_selection import PassageFilter

    db = open_database(seeded_db_path)
    tag_id = tags.find_tag(db, "Cybercrime")["id"]
    passages.add_passage(db, article_id=1, tag_id=tag_id, start=0, end=8, analyst="a")
    db.close()
    window = open_window(seeded_db_path)
    shown = []
    monkeypatch.setattr(QMessageBox, "exec", lambda box: shown.append(box.text()) or 0)
    request = ExportRequest.for_path(tmp_path / "dated.csv")
    request.filter = PassageFilter(since="2024-01-01")     # the seeds are undated
    task = window.controllers.files.run_export(request)
    assert task.wait(10000)
    qtbot.waitUntil(lambda: bool(shown), timeout=10000)
    assert "\n\nPlease note:\n1 passage of undated articles was left out" in shown[0]
    assert "Undated filter in the window, or `dossier list --undated`" in shown[0]


def test_a_missing_folder_is_said_in_the_dialog_with_the_choices_kept(tmp_path, qtbot):
    """The export failed after the dialog had closed: its choices were lost."""
    from PySide6.QtWidgets import QMessageBox

    dialog = ExportDialog(TAGS, ARTICLES, ["ana", "bo"], folder=tmp_path)
    qtbot.addWidget(dialog)
    dialog.show()
    said = []

    def close_box() -> None:
        box = QApplication.activeModalWidget()
        assert isinstance(box, QMessageBox)
        said.append(box.text())
        box.close()

    (tmp_path / "a file").write_text("x")
    locked = tmp_path / "locked"
    locked.mkdir()
    import desktop.gui.export_dialog as module

    real_access = module.os.access
    module.os.access = lambda p, mode: Path(p) != locked and real_access(p, mode)
    try:
        # (a format chosen, CSV, and a name ending in another's: a CSV file
        # named .xlsx was written, and called a success)
        for typed in (str(tmp_path / "nowhere" / "out.csv"), str(tmp_path),
                      str(tmp_path / "a file" / "out.csv"), str(locked / "out.csv"),
                      str(tmp_path / "out.xlsx")):
            dialog.path_edit.setText(typed)
            QTimer.singleShot(0, close_box)
            qtbot.mouseClick(dialog.buttons.button(QDialogButtonBox.StandardButton.Ok),
                             Qt.MouseButton.LeftButton)
            assert dialog.isVisible() and dialog.result() == 0
    finally:
        module.os.access = real_access
    assert said == [f"There is no folder {tmp_path / 'nowhere'}.",
                    f"{tmp_path} is a folder: add a file name.",
                    f"{tmp_path / 'a file'} is a file, not a folder.",
                    f"Dossier may not write in {locked}: choose another folder.",
                    "“out.xlsx” ends in .xlsx, the ending of Excel workbook, but the format "
                    "chosen is CSV: choose Excel workbook, or end the name in .csv."]


def test_with_a_filtered_list_the_export_takes_the_articles_it_shows(
        open_window, tricky_db_path, qtbot, tmp_path):
    """Ctrl+E with a filtered list exported every article's passages (only
    the list's first 2,000 could be ticked, and nothing ticked meant all)."""
    import csv

    window = open_window(tricky_db_path)
    everything = passages.passage_count(window.db)
    first = window.db.execute(
        "SELECT a.id, a.title FROM articles a WHERE EXISTS (SELECT 1 FROM passages p "
        "WHERE p.article_id = a.id) ORDER BY a.id LIMIT 1").fetchone()
    shown = window.db.execute("SELECT count(*) FROM passages WHERE article_id = ?",
                              [first[0]]).fetchone()[0]
    assert 0 < shown < everything
    window.apply_query({"tag_id": None, "search": f'"{first[1]}"', "search_in": "all"})
    assert window.article_list.list_model.total() == 1

    def export(to, *, whole: bool) -> int:
        def fill_in() -> None:
            dialog = QApplication.activeModalWidget()
            assert dialog.listed_check.isVisible() and dialog.listed_check.isChecked()
            assert "1 article the list shows" in dialog.listed_check.text()
            dialog.set_format("csv")
            dialog.path_edit.setText(str(to))
            if whole:
                dialog.listed_check.setChecked(False)
            qtbot.mouseClick(dialog.buttons.button(QDialogButtonBox.StandardButton.Ok),
                             Qt.MouseButton.LeftButton)
        QTimer.singleShot(0, fill_in)
        window.export_action.trigger()
        qtbot.waitUntil(lambda: to.exists() and not window.ops.tasks, timeout=10000)
        with to.open(encoding="utf-8-sig") as handle:
            return len(list(csv.DictReader(handle)))

    assert export(tmp_path / "listed.csv", whole=False) == shown
    assert export(tmp_path / "all.csv", whole=True) == everything
