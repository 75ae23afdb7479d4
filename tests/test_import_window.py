"""Importing and article details in the real window: drag-and-drop of files
and folders, the import report, the details dialog, similar articles."""

from __future__ import annotations

from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QMessageBox

from storage import articles, open_database
from widgets.article_details_dialog import ArticleDetailsDialog
from widgets.article_list import META_ROLE

from document_files import STORY, WEB_PAGE, write_docx
from tests.test_interop_files import QUALCODER


def stored_articles(db_path) -> dict[str, dict]:
    db = open_database(db_path)
    try:
        return {a["title"]: a for a in articles.list_articles(db)}
    finally:
        db.close()


def drop_on(widget, paths=(), text=None) -> tuple[bool, bool]:
    """Drag ``paths`` (or plain text) over ``widget`` and drop them; returns
    whether the enter and the drop were accepted."""
    mime = QMimeData()
    if paths:
        mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    if text:
        mime.setText(text)
    actions = Qt.DropAction.CopyAction
    try:   # PySide6 6.12 takes a QPointF, 6.11 (the pinned one) a QPoint
        enter = QDragEnterEvent(QPointF(20, 20), actions, mime, Qt.MouseButton.LeftButton,
                                Qt.KeyboardModifier.NoModifier)
    except TypeError:
        enter = QDragEnterEvent(QPoint(20, 20), actions, mime, Qt.MouseButton.LeftButton,
                                Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(widget, enter)
    drop = QDropEvent(QPointF(20, 20), actions, mime, Qt.MouseButton.LeftButton,
                      Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(widget, drop)
    return enter.isAccepted(), drop.isAccepted()


def no_analysis(window) -> list:
    """Record analysis requests instead of loading spaCy in these tests."""
    requests = []
    window.analysis.request = lambda: requests.append(True)
    return requests


def test_dropping_files_and_a_folder_on_the_text_imports_them(open_window, seeded_db_path,
                                                             tmp_path, qtbot):
    window = open_window(seeded_db_path)
    requests = no_analysis(window)
    (tmp_path / "page.html").write_text(WEB_PAGE, "utf-8")
    write_docx(tmp_path / "memo.docx", ["Memo text about the AFP training programme."],
               heading="AFP training memo")
    folder = tmp_path / "clippings"
    folder.mkdir()
    (folder / "one.txt").write_text("Police seize drugs in Sihanoukville.", "utf-8")

    assert window.acceptDrops()  # drops on widgets that take none reach the window
    accepted = drop_on(window.view.viewport(),
                       [tmp_path / "page.html", tmp_path / "memo.docx", folder])
    assert accepted == (True, True)
    qtbot.waitUntil(lambda: window.article_list.list_model.rowCount() == 8, timeout=10000)

    stored = stored_articles(seeded_db_path)
    page = stored["Cambodia and Australia deepen police cooperation"]
    assert (page["source"], page["published"], page["filename"]) == (
        "The Phnom Penh Post", "2024-06-17", "page.html")
    assert {"AFP training memo", "Police seize drugs in Sihanoukville"} <= set(stored)
    # the first new article is shown, its metadata in the list and the header
    assert window.current_id == page["id"]
    model = window.article_list.list_model
    assert model.index(model.row_of(page["id"])).data(META_ROLE) == \
        "The Phnom Penh Post · 2024-06-17"
    assert "by Hin Pisei" in window.meta_label.text()
    assert requests  # the new articles go to the background analysis


def test_dropping_text_that_is_not_a_file_is_refused(open_window, seeded_db_path):
    window = open_window(seeded_db_path)
    assert drop_on(window, text="just some text") == (False, False)
    assert window.article_list.list_model.rowCount() == 5


def test_skipped_files_are_listed_with_reasons(open_window, seeded_db_path, tmp_path,
                                               qtbot, monkeypatch):
    window = open_window(seeded_db_path)
    no_analysis(window)
    shown = []
    monkeypatch.setattr(QMessageBox, "exec", lambda box: shown.append(box.text()))
    folder = tmp_path / "dropped"       # (not the folder holding the database)
    folder.mkdir()
    (folder / "good.txt").write_text(STORY, "utf-8")
    (folder / "broken.pdf").write_bytes(b"%PDF-1.7 truncated")
    (folder / "scan.tiff").write_bytes(b"II*\x00")
    drop_on(window, [folder])
    qtbot.waitUntil(lambda: bool(shown), timeout=10000)
    assert shown == ["1 imported, 0 already present, 1 skipped. dropped: 1 file of kinds "
                     "Dossier does not read left out (.tiff).\n\nSkipped:\n"
                     "broken.pdf: incomplete PDF (no end-of-file marker: truncated?)"]
    assert window.article_list.list_model.rowCount() == 6


def test_edit_details_dialog_saves_metadata_not_text(open_window, seeded_db_path, qtbot):
    window = open_window(seeded_db_path)
    qtbot.keyClick(window.article_list, Qt.Key.Key_Down)
    assert window.current_id == 2
    text_before = window.view.article_text()
    qtbot.mouseClick(window.details_button, Qt.MouseButton.LeftButton)
    dialog = window.findChild(ArticleDetailsDialog)
    qtbot.waitExposed(dialog)
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)

    title = dialog.fields["title"]
    title.selectAll()
    qtbot.keyClicks(title, "Cambodia and Australia agree on cybercrime training")
    qtbot.keyClicks(dialog.fields["source"], "The Phnom Penh Post")
    qtbot.keyClicks(dialog.fields["author"], "Hin Pisei")
    qtbot.keyClicks(dialog.fields["published"], "17 June")
    assert not ok.isEnabled() and "YYYY-MM-DD" in dialog.problem.text()
    dialog.fields["published"].clear()
    qtbot.keyClicks(dialog.fields["published"], "2024-06-17")
    qtbot.keyClicks(dialog.fields["url"], "https://www.phnompenhpost.com/x")
    assert ok.isEnabled()
    qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)

    after = stored_articles(seeded_db_path)
    row = after["Cambodia and Australia agree on cybercrime training"]
    assert (row["id"], row["source"], row["author"], row["published"], row["url"]) == (
        2, "The Phnom Penh Post", "Hin Pisei", "2024-06-17", "https://www.phnompenhpost.com/x")
    db = open_database(seeded_db_path)
    assert articles.get_article(db, 2)["text"] == text_before
    db.close()
    assert window.title_label.text() == "Cambodia and Australia agree on cybercrime training"
    assert window.meta_label.text().startswith("The Phnom Penh Post · 2024-06-17 · by Hin Pisei")


def test_similar_articles_are_shown_and_lead_to_each_other(open_window, seeded_db_path, qtbot):
    window = open_window(seeded_db_path)
    qtbot.keyClick(window.article_list, Qt.Key.Key_Down)  # seed 001
    bar = window.similar_bar
    assert bar.isVisible()
    # the whole title is in the tooltip; the button shows what fits
    assert len(bar.buttons) == 2
    button = next(b for b in bar.buttons if "<qt>Cambodia Seeks to Enhance" in b.toolTip())
    assert button.text().startswith("Cambodia Seeks")
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert window.current_id == 5
    assert window.title_label.text().startswith("Cambodia Seeks to Enhance")
    [button] = window.similar_bar.buttons
    assert button.toolTip().startswith("<qt>Cambodia and Australia agreed to deepen")
    assert button.text().startswith("Cambodia and Aus") and button.text().endswith("…")
    qtbot.keyClick(window.article_list, Qt.Key.Key_Up)  # seed 003: no near-duplicate
    assert not window.similar_bar.isVisible()


def test_many_similar_articles_fold_into_a_menu(qtbot):
    from widgets.similar_articles import SimilarArticles

    bar = SimilarArticles()
    qtbot.addWidget(bar)
    bar.set_articles([{"id": i, "title": f"Story {i} & more", "source": None,
                       "published": None, "score": 0.5} for i in range(1, 6)])
    assert [b.text() for b in bar.buttons] == ["Story 1 && more", "Story 2 && more",
                                               "Story 3 && more", "2 more"]
    with qtbot.waitSignal(bar.articleActivated) as activated:
        bar.buttons[-1].menu().actions()[1].trigger()
    assert activated.args == [5]


def test_similar_article_buttons_shrink_with_the_reader_and_cut_their_titles(qtbot):
    from widgets.similar_articles import MIN_BUTTON_WIDTH, SimilarArticles

    bar = SimilarArticles()
    qtbot.addWidget(bar)
    title = "Cambodia and Australia agreed to deepen cooperation against cybercrime"
    bar.set_articles([{"id": i, "title": title, "source": None, "published": None,
                       "score": 0.5} for i in range(1, 4)])
    bar.show()
    wide = bar.sizeHint().width()
    # three long titles must not hold the reader (and the window) wide
    assert bar.minimumSizeHint().width() < 4 * MIN_BUTTON_WIDTH + 150 < wide
    bar.resize(360, bar.sizeHint().height())
    qtbot.waitUntil(lambda: all(b.text().endswith("…") for b in bar.buttons))
    assert all(b.width() < 120 for b in bar.buttons)
    bar.resize(wide, bar.sizeHint().height())
    qtbot.waitUntil(lambda: bar.buttons[0].text() == "Cambodia and Australia agreed to deepen…")


def test_a_refi_qda_project_dropped_alone_or_in_a_folder_is_imported_whole(
        open_window, seeded_db_path, tmp_path, qtbot, monkeypatch):
    """A .qdpx among dropped files (or in a dropped folder) is a project: its
    codebook, sources and codings come in, as File → Import REFI-QDA
    project… brings them — not "unsupported file type"."""
    import shutil

    from storage import passages, tags

    window = open_window(seeded_db_path)
    no_analysis(window)
    shown = []
    monkeypatch.setattr(QMessageBox, "exec", lambda box: shown.append(box.text()))
    before = len(tags.list_tags(window.db))
    drop_on(window, [QUALCODER / "made_by_qualcoder.qdpx"])
    qtbot.waitUntil(lambda: window.article_list.list_model.rowCount() > 5, timeout=20000)
    assert passages.passage_count(window.db) > 0
    assert len(tags.list_tags(window.db)) > before
    assert not any("unsupported" in text for text in shown)
    coded = passages.passage_count(window.db)

    # a folder: its article and the project in it (a re-export of Dossier's)
    folder = tmp_path / "delivery"
    folder.mkdir()
    (folder / "note.txt").write_text(STORY, "utf-8")
    shutil.copy(QUALCODER / "dossier_via_qualcoder_reexport.qdpx", folder / "coded.qdpx")
    rows = window.article_list.list_model.rowCount()
    drop_on(window, [folder])
    # the .txt and the project's sources listed (after the project, the last)
    qtbot.waitUntil(lambda: window.article_list.list_model.rowCount() > rows + 1,
                    timeout=20000)
    assert passages.passage_count(window.db) > coded
    assert "note.txt" in {a["filename"] for a in stored_articles(seeded_db_path).values()}


def test_an_import_in_the_window_is_undone_and_redone_with_the_keys(
        open_window, seeded_db_path, tmp_path, qtbot):
    """Importing is one step of the window's history: Ctrl+Z takes the new
    articles out again, Ctrl+Shift+Z brings them back."""
    from tests.test_speaker_corrections_gui import activate

    window = open_window(seeded_db_path)
    no_analysis(window)
    folder = tmp_path / "clippings"
    folder.mkdir()
    (folder / "one.txt").write_text("Police seize drugs in Sihanoukville.", "utf-8")
    (folder / "two.txt").write_text("Customs find cash at the border in Poipet.", "utf-8")
    drop_on(window, [folder])
    qtbot.waitUntil(lambda: window.article_list.list_model.rowCount() == 7, timeout=10000)
    assert window.undo_stack.undoText() == "Import clippings"
    activate(qtbot, window)
    window.view.setFocus()
    qtbot.keyClick(window.view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: window.article_list.list_model.rowCount() == 5, timeout=5000)
    assert len(stored_articles(seeded_db_path)) == 5
    qtbot.keyClick(window.view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier
                   | Qt.KeyboardModifier.ShiftModifier)
    qtbot.waitUntil(lambda: window.article_list.list_model.rowCount() == 7, timeout=5000)
    assert {"Police seize drugs in Sihanoukville",
            "Customs find cash at the border in Poipet"} <= set(stored_articles(seeded_db_path))


def test_a_dropped_taguette_document_refreshes_the_codebook_at_once(
        open_window, seeded_db_path, qtbot, monkeypatch):
    """Taguette's document export brings highlights and their tags: the
    codebook lists the new tags with their counts and the article's passages
    show as soon as the import reports — not after a restart — and Ctrl+Z
    takes them out of the codebook again."""
    from tests.test_interop_files import TAGUETTE
    from tests.test_speaker_corrections_gui import activate

    window = open_window(seeded_db_path)
    no_analysis(window)
    monkeypatch.setattr(QMessageBox, "exec", lambda box: None)

    def codebook() -> dict[str, int]:
        return {t["name"]: t["passage_count"] for t in window.tag_panel.tags()}

    assert "Scam compounds" not in codebook() and codebook()["Key quote"] == 0
    drop_on(window, [TAGUETTE / "taguette_document.html"])
    qtbot.waitUntil(lambda: window.article_list.list_model.rowCount() == 6, timeout=10000)
    qtbot.waitUntil(lambda: "Scam compounds" in codebook(), timeout=5000)
    assert {name: codebook()[name] for name in ("Scam compounds", "Crypto laundering",
                                                "Claim to verify", "Key quote")} == {
        "Scam compounds": 1, "Crypto laundering": 1, "Claim to verify": 1, "Key quote": 1}
    # the new article is open, its four highlights listed in the Passages tab
    qtbot.waitUntil(lambda: len(window.passage_list.passages()) == 4, timeout=5000)

    activate(qtbot, window)
    window.view.setFocus()
    qtbot.keyClick(window.view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: "Scam compounds" not in codebook(), timeout=5000)
    assert codebook()["Key quote"] == 0


def test_a_second_import_waits_for_the_first_instead_of_breaking_it(
        open_window, seeded_db_path, tmp_path, qtbot):
    """A drop or Ctrl+I while an import runs started a second writer beside
    it: the first lost its whole file, or a chunk of rows, to "database is
    locked" (the interop walk). It is refused, said, and works afterwards."""
    window = open_window(seeded_db_path)
    no_analysis(window)
    files = window.controllers.files
    first, second = tmp_path / "first", tmp_path / "second"
    for folder, count in ((first, 40), (second, 3)):
        folder.mkdir()
        for number in range(count):
            (folder / f"{number}.txt").write_text(
                f"{folder.name} article {number}: police in Poipet seized cash.", "utf-8")
    task = files.import_paths([first])
    assert task is not None
    assert files.import_paths([second]) is None
    assert "still running" in window.statusBar().currentMessage()
    assert files.merge_from(tmp_path / "other.db") is None
    # nor an auto-tag, which writes in a worker too
    from desktop import autotag

    request = autotag.AutoTagRequest(tag_id=window.state.tags[0]["id"], mode="phrase",
                                     query="police")
    candidates = autotag.find_candidates(window.db, request)
    assert candidates and window.controllers.autotag.auto_tag(request, candidates) is None
    qtbot.waitUntil(lambda: task not in window.ops.tasks, timeout=20000)
    assert window.article_list.list_model.rowCount() == 5 + 40
    files.import_paths([second])
    qtbot.waitUntil(lambda: window.article_list.list_model.rowCount() == 5 + 43,
                    timeout=20000)


def _folder_with_a_project(tmp_path):
    """Thirty articles and a QualCoder project in one folder."""
    import shutil

    folder = tmp_path / "delivery"
    folder.mkdir()
    for n in range(30):
        (folder / f"note{n}.txt").write_text(STORY + f" number {n}", "utf-8")
    shutil.copy(QUALCODER / "dossier_via_qualcoder_reexport.qdpx", folder / "coded.qdpx")
    return folder


def _slowly(monkeypatch):
    import time

    from desktop.importers import run
    store = run._store_single

    def slow(*args, **kwargs):
        time.sleep(0.05)
        return store(*args, **kwargs)
    monkeypatch.setattr(run, "_store_single", slow)


def _passage_count(path) -> int:
    from storage import passages

    db = open_database(path)
    try:
        return passages.passage_count(db)
    finally:
        db.close()


def test_cancel_of_a_folders_articles_stops_its_projects_too(
        open_window, seeded_db_path, tmp_path, qtbot, monkeypatch):
    """Cancel while the folder's articles are imported: its REFI-QDA project
    is not imported after them (it was, codebook and codings)."""
    window = open_window(seeded_db_path)
    no_analysis(window)
    monkeypatch.setattr(QMessageBox, "exec", lambda box: None)
    before = _passage_count(seeded_db_path)
    _slowly(monkeypatch)
    task = window.controllers.files.import_paths([_folder_with_a_project(tmp_path)])
    task.cancel()                       # the progress dialog's Cancel
    qtbot.waitUntil(lambda: task not in window.ops.tasks, timeout=20000)
    qtbot.wait(50)
    assert window.ops.tasks == []       # no project import started
    assert _passage_count(seeded_db_path) == before


def test_a_window_closed_during_a_folders_import_imports_no_project_after(
        open_window, seeded_db_path, tmp_path, qtbot, monkeypatch):
    """Closed (or another database opened) during the articles: the project's
    import, chained after them, wrote into the file the analyst had left."""
    window = open_window(seeded_db_path)
    no_analysis(window)
    monkeypatch.setattr(QMessageBox, "exec", lambda box: None)
    before = _passage_count(seeded_db_path)
    _slowly(monkeypatch)
    window.controllers.files.import_paths([_folder_with_a_project(tmp_path)])
    qtbot.wait(300)
    window.close()
    assert not window.isVisible()
    qtbot.wait(300)
    assert window.ops.tasks == []
    assert _passage_count(seeded_db_path) == before


def test_a_merge_that_ends_after_a_restore_tells_nothing_and_leaves_no_undo(
        open_window, seeded_db_path, tmp_path, qtbot, monkeypatch):
    """File → Merge from…, then Restore from backup before it ends: the file
    restored holds no merge, so no report says it does and Undo offers none."""
    import shutil

    from desktop.gui import merge_action
    from storage import journal
    from storage.backup import list_backups, take_backup

    colleague = tmp_path / "colleague.db"
    shutil.copy(seeded_db_path, colleague)
    other = open_database(colleague)
    with journal.step(other, "Add articles"):
        for n in range(40):
            articles.add_article(other, title=f"Colleague {n}",
                                 text=f"Colleague article {n} about police in Poipet.")
    other.close()
    told = []
    monkeypatch.setattr(merge_action, "_tell",
                        lambda window, icon, title, text, details: told.append(title))
    monkeypatch.setattr(QMessageBox, "exec", lambda box: None)
    window = open_window(seeded_db_path)
    no_analysis(window)
    take_backup(window.db, seeded_db_path)
    [backup] = list_backups(seeded_db_path)
    window.controllers.files.merge_from(colleague)
    window.restore(backup.path, checked=True)
    qtbot.waitUntil(lambda: not window.ops.tasks, timeout=20000)
    qtbot.wait(200)
    assert articles.article_count(window.db) == 5           # the file restored
    assert told == [] and window.undo_stack.count() == 0
