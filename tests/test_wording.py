"""Counts as they read in the window and on the command line."""

from __future__ import annotations

from widgets.wording import counted


def test_one_is_singular_and_the_rest_plural():
    assert counted(1, "article") == "1 article"
    assert counted(0, "article") == "0 articles"
    assert counted(2, "orphaned passage") == "2 orphaned passages"


def test_thousands_are_separated_and_irregular_plurals_given():
    assert counted(12345, "passage") == "12,345 passages"
    assert counted(3, "entity", "entities") == "3 entities"
    assert counted(1, "entity", "entities") == "1 entity"


def test_a_hit_count_of_one_matches(qtbot):
    from PySide6.QtWidgets import QLabel

    from widgets.article_filters import show_hit_count

    label = QLabel()
    qtbot.addWidget(label)
    show_hit_count(label, 1, "article", filtered=True)
    assert label.text() == "1 article matches"
    show_hit_count(label, 2, "article", filtered=True)
    assert label.text() == "2 articles match"
    show_hit_count(label, 1000, "article", filtered=True, exact=False)
    assert label.text() == "1,000+ articles match"
