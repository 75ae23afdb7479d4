"""Assigning the current article to analysts, from the Article menu and the
article list's context menu: "Assign to me", "Unassign from me",
"Assign to others…" (names, comma-separated). Each is one journal step
(:mod:`storage.assignments`, ``dossier undo`` undoes it); the list is re-read
when it shows only the analyst's assignments.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QInputDialog, QLineEdit, QMenu

from storage import assignments


def add_assignment_actions(window, menu: QMenu) -> None:
    """Add the actions to ``menu`` (the Article menu) and give the article
    list a context menu with them."""
    menu.addSeparator()
    for text, slot in _actions(window):
        menu.addAction(text).triggered.connect(slot)
    window.article_list.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
    window.article_list.customContextMenuRequested.connect(
        lambda position: context_menu(window).popup(
            window.article_list.viewport().mapToGlobal(position)))


def context_menu(window) -> QMenu:
    """The list's context menu for the current article."""
    menu = QMenu(window.article_list)
    current = window.current_id
    mine = current is not None and any(
        a["analyst"] == window.preferences.analyst
        for a in assignments.analysts_of(window.db, current))
    for text, slot in _actions(window):
        if (text.startswith("Assign to &me") and mine) or (
                text.startswith("&Unassign") and not mine):
            continue
        action = menu.addAction(text)
        action.triggered.connect(slot)
        action.setEnabled(current is not None)
    return menu


def _actions(window):
    return [("Assign to &me", lambda: assign(window, [window.preferences.analyst])),
            ("&Unassign from me", lambda: assign(window, [window.preferences.analyst],
                                                remove=True)),
            ("Assign to &others…", lambda: assign(window, None))]


def assign(window, analysts: list[str] | None, *, remove: bool = False) -> bool:
    """(Un)assign the current article; ``analysts`` None asks for names."""
    article_id = window.current_id
    if article_id is None:
        return False
    if analysts is None:
        current = ", ".join(a["analyst"] for a in assignments.analysts_of(window.db, article_id))
        text, ok = QInputDialog.getText(
            window, "Assign the article", "Analysts (comma-separated):",
            QLineEdit.EchoMode.Normal, current or window.preferences.analyst)
        if not ok:
            return False
        analysts = [a.strip() for a in text.split(",") if a.strip()]
        if not analysts:
            return False
    try:
        me = window.preferences.analyst
        if remove:
            assignments.unassign(window.db, [article_id], analysts, by=me)
        else:
            assignments.assign(window.db, [article_id], analysts, by=me)
    except assignments.AssignmentError as error:
        window.statusBar().showMessage(str(error), 5000)
        return False
    names = ", ".join(analysts)
    window.statusBar().showMessage(
        f"{'Unassigned from' if remove else 'Assigned to'} {names}.", 4000)
    if window.query.assigned_to:
        window.refresh_articles()
    return True
