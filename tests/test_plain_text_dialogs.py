"""Data is never rendered as markup: a tag named ``<b>x</b><img src=x>``
(and passages, file names and entity names like it) shows literally in
every kind of dialog — a warning box, a label in a dialog, a tooltip, a
standard input dialog's label — driven through the real window."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import Qt as GuiQt
from PySide6.QtGui import QTextDocument
from PySide6.QtWidgets import QApplication, QInputDialog, QLabel, QMessageBox

from storage import tags
from widgets.passage_menu import ask_note
from widgets.tag_panel import DeleteTagDialog, MergeTagDialog

HOSTILE = "<b>x</b><img src=x>"


def shown_as_written(tooltip: str) -> str:
    """What Qt displays for a tooltip string (rich text if it looks like it)."""
    document = QTextDocument()
    if GuiQt.mightBeRichText(tooltip):
        document.setHtml(tooltip)
    else:
        document.setPlainText(tooltip)
    return document.toPlainText()


def test_a_warning_box_shows_the_tag_name_as_text(open_window, analysed_db_path, qtbot,
                                                   monkeypatch):
    boxes = []

    def record(box):
        label = box.findChild(QLabel, "qt_msgbox_label")
        boxes.append((box.text(), box.textFormat(), label.textFormat()))
        return QMessageBox.StandardButton.Ok
    monkeypatch.setattr(QMessageBox, "exec", record)
    window = open_window(analysed_db_path)
    window.create_tag(HOSTILE)
    assert tags.find_tag(window.db, HOSTILE) is not None
    window.create_tag(HOSTILE)                       # a second one: refused
    assert len(boxes) == 1
    text, box_format, label_format = boxes[0]
    assert HOSTILE in text
    assert box_format == label_format == Qt.TextFormat.PlainText

    # a codebook file with the name in it: the import's warning too
    broken = analysed_db_path.parent / f"{HOSTILE.replace('/', '_')}.json"
    broken.write_text("not json", "utf-8")
    assert not window.import_codebook(broken)
    assert boxes[-1][1] == Qt.TextFormat.PlainText and "<b>x<" in boxes[-1][0]


def test_dialog_labels_and_tooltips_show_the_tag_name_as_text(open_window, analysed_db_path,
                                                              qtbot):
    window = open_window(analysed_db_path)
    window.create_tag(HOSTILE)
    tag = dict(tags.find_tag(window.db, HOSTILE), passage_count=0)
    others = [t for t in window.state.tags if t["id"] != tag["id"]]
    for dialog in (DeleteTagDialog(tag, others, window), MergeTagDialog(tag, others, window)):
        qtbot.addWidget(dialog)
        labels = [label for label in dialog.findChildren(QLabel) if HOSTILE in label.text()]
        assert labels and all(label.textFormat() == Qt.TextFormat.PlainText
                              for label in labels)
    # the codebook's tooltip for the tag
    tree = window.tag_panel.tree
    items = [tree.topLevelItem(i) for i in range(tree.topLevelItemCount())]
    item = next(i for i in items if i.text(0).startswith(HOSTILE))
    assert shown_as_written(item.toolTip(0)) == HOSTILE


def test_the_note_dialog_shows_the_passage_words_as_text(qtbot):
    seen = []

    def look_and_close():
        dialog = next(w for w in QApplication.topLevelWidgets()
                      if isinstance(w, QInputDialog) and w.isVisible())
        seen.extend((label.text(), label.textFormat())
                    for label in dialog.findChildren(QLabel) if HOSTILE in label.text())
        dialog.setTextValue("checked")
        dialog.accept()
    QTimer.singleShot(200, look_and_close)
    assert ask_note(None, {"text": HOSTILE, "note": ""}) == "checked"
    assert seen and all(fmt == Qt.TextFormat.PlainText for _, fmt in seen)


def test_entity_tooltips_are_plain(qtbot):
    from widgets.corpus_entities import CorpusEntitiesView

    view = CorpusEntitiesView({"People": ("PERSON",)}, ["PERSON"])
    qtbot.addWidget(view)
    view.set_entities([{"id": 1, "name": HOSTILE, "label": "PERSON", "mentions": 3,
                         "articles": 2, "canon_id": 1, "aliases": "<i>y</i>"}])
    item = view.tree.topLevelItem(0)
    assert shown_as_written(item.toolTip(0)).startswith(HOSTILE + " — <i>y</i>")
