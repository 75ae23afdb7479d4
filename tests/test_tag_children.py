"""Tag filters include the tags under a tag by default, and say so: the
article list's tag filter, the export dialog, `dossier export --tag`; the
HTML/PDF report nests the sections of child tags under their parent."""

from __future__ import annotations

import csv

from PySide6.QtCore import QPoint, Qt

from desktop.cli import main
from desktop.exporters import ExportOptions, export_passages
from desktop.gui.export_dialog import ExportDialog
from storage import article_query, open_database, passages, tags
from storage.export_selection import PassageFilter, count_passages, selected_tags


def _tree(db):
    """Cybercrime > Scams > Pig butchering; one passage on each, article 1–3."""
    cyber = tags.find_tag(db, "Cybercrime")["id"]
    scams = tags.create_tag(db, "Scams", "#123456")
    pig = tags.create_tag(db, "Pig butchering", "#654321")
    tags.set_parent(db, scams, cyber)
    tags.set_parent(db, pig, scams)
    for article_id, tag_id in ((1, cyber), (2, scams), (3, pig)):
        passages.add_passage(db, article_id=article_id, tag_id=tag_id, start=0, end=8,
                             analyst="a")
    return cyber, scams, pig


def test_storage_filters_include_children_unless_told(seeded_db_path):
    db = open_database(seeded_db_path)
    cyber, scams, pig = _tree(db)
    assert tags.descendant_ids(db, [cyber]) == {cyber, scams, pig}
    assert tags.descendant_ids(db, [pig]) == {pig}
    assert count_passages(db, PassageFilter(tags=("cybercrime",))) == 3
    assert count_passages(db, PassageFilter(tags=("Scams",))) == 2
    assert count_passages(db, PassageFilter(tags=("Cybercrime",),
                                            include_children=False)) == 1
    assert {t["name"] for t in selected_tags(db, PassageFilter(tags=("Scams",)))} == {
        "Scams", "Pig butchering"}
    assert "with the tags under them" in PassageFilter(tags=("Scams",)).describe()
    q = article_query.ArticleQuery(tag_id=cyber)
    assert article_query.count_articles(db, q) == 3
    assert article_query.count_articles(
        db, article_query.ArticleQuery(tag_id=cyber, tag_children=False)) == 1


def test_cli_export_tag_includes_children_and_says_so(seeded_db_path, tmp_path, capsys):
    db = open_database(seeded_db_path)
    _tree(db)
    db.close()
    out = tmp_path / "o.csv"
    assert main(["export", "--format", "csv", "-o", str(out), "--tag", "Cybercrime",
                 "--db", str(seeded_db_path)]) == 0
    stdout, stderr = capsys.readouterr()
    assert "exported 3 passages" in stdout
    assert "with the tags under them: Pig butchering, Scams" in stderr
    with out.open(encoding="utf-8-sig") as handle:
        assert sorted(r["tag"] for r in csv.DictReader(handle)) == [
            "Cybercrime", "Pig butchering", "Scams"]
    assert main(["export", "--format", "csv", "-o", str(out), "--tag", "Cybercrime",
                 "--without-sub-tags", "--db", str(seeded_db_path)]) == 0
    assert "exported 1 passage" in capsys.readouterr().out


def test_html_report_nests_child_sections_under_their_parent(seeded_db_path, tmp_path):
    db = open_database(seeded_db_path)
    cyber, scams, pig = _tree(db)
    passages.delete_passage(db, db.execute(
        "SELECT id FROM passages WHERE tag_id = ?", [scams]).fetchone()[0])
    path = tmp_path / "r.html"
    result = export_passages(db, path, "html", filter=PassageFilter(tags=("Cybercrime",)),
                             options=ExportOptions(title="Nested"))
    page = path.read_text("utf-8")
    assert result.count == 2
    h_cyber = page.index("<h2", 0)
    assert ">Cybercrime <span" in page[h_cyber:page.index("</h2>", h_cyber)]
    assert "(1 · 2 with the tags under it)" in page
    # Scams has no passage of its own but heads Pig butchering's section
    h_scams = page.index(">Scams <span")
    h_pig = page.index(">Pig butchering <span")
    assert h_cyber < h_scams < h_pig
    assert page.rfind("<h3", 0, h_scams) > h_cyber and page.rfind("<h4", 0, h_pig) > h_scams
    assert "(0 · 1 with the tags under it)" in page


def test_export_dialog_tags_nested_and_children_box(qtbot, tmp_path):
    tree = [{"id": 1, "name": "Cybercrime", "color": "#e01b24", "parent_id": None},
            {"id": 2, "name": "Scams", "color": "#123456", "parent_id": 1},
            {"id": 3, "name": "Drugs", "color": "#2ec27e", "parent_id": None}]
    dialog = ExportDialog(tree, [], [], folder=tmp_path)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    texts = [dialog.tag_list.item(i).text() for i in range(dialog.tag_list.count())]
    assert texts == ["Cybercrime", "    Scams", "Drugs"]
    dialog.tag_list.item(0).setCheckState(Qt.CheckState.Checked)
    assert dialog.children_check.isChecked()
    assert dialog.request().filter.include_children
    box = dialog.children_check           # on its box, not the row's empty end
    qtbot.mouseClick(box, Qt.MouseButton.LeftButton, pos=QPoint(8, box.height() // 2))
    assert not dialog.request().filter.include_children
    assert dialog.request().filter.tags == ("Cybercrime",)


def test_article_list_tag_filter_includes_children(open_window, seeded_db_path, qtbot):
    db = open_database(seeded_db_path)
    cyber, _, _ = _tree(db)
    db.close()
    window = open_window(seeded_db_path)
    bar = window.article_filters
    qtbot.mouseClick(bar.filters_button, Qt.MouseButton.LeftButton)
    bar.tag.setFocus()
    index = bar.tag.findData(cyber)
    assert bar.tag.itemText(index + 1) == "    Scams"
    bar.tag.setCurrentIndex(index)
    model = window.article_list.list_model
    qtbot.waitUntil(lambda: model.rowCount() == 3, timeout=5000)
    assert "and the tags under it" in bar.tag_children.text()
    qtbot.mouseClick(bar.tag_children, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: model.rowCount() == 1, timeout=5000)
    assert model.article(0)["id"] == 1


def test_merging_a_tag_into_one_below_it_moves_that_one_up(seeded_db_path, capsys):
    """Crime > Fraud > Scams, Crime merged into Scams: Scams takes Crime's
    place and Fraud (Crime's child) goes under it — no loop, and every tag is
    still listed. Merged into its direct child, the child goes to the top
    instead of keeping the deleted tag's id, which a new tag could get."""
    db = open_database(seeded_db_path)
    crime = tags.create_tag(db, "Crime", "#111111")
    fraud = tags.create_tag(db, "Fraud", "#222222")
    scams = tags.create_tag(db, "Scams", "#333333")
    tags.set_parent(db, fraud, crime)
    tags.set_parent(db, scams, fraud)
    tags.merge_tags(db, crime, scams)
    assert tags.get_tag(db, scams)["parent_id"] is None
    assert tags.get_tag(db, fraud)["parent_id"] == scams
    tags.merge_tags(db, scams, fraud)                 # Fraud is now Scams's child
    assert tags.get_tag(db, fraud)["parent_id"] is None
    sport = tags.create_tag(db, "Sport", "#444444")   # the id Scams had
    assert tags.descendant_ids(db, [sport]) == {sport}
    db.close()
    capsys.readouterr()
    assert main(["tag", "list", "--db", str(seeded_db_path)]) == 0
    assert "Fraud" in capsys.readouterr().out
