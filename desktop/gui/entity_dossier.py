"""The entity dossier's controller: reads one entity's page
(:func:`desktop.dossier_pages.build`, in the window's read process), shows
it in :class:`widgets.entity_page.EntityPage`, and carries out what the
analyst asks there — open an article or a quote, list the entity's
articles, open a companion's page, and merge accepted alias suggestions
through the window's undoable entity merge (a journal step named “Merge N
entities into …”).

Reachable from Go → Entity dossier (Ctrl+Shift+D: the entity at the caret in
the reader, else the one selected in the corpus Entities tab) and from the
Entities tab's context menu (Dossier…).
"""

from __future__ import annotations

import functools

from PySide6.QtCore import QObject

from desktop.dossier_pages import build, merge_refs, merged_label
from widgets.entity_page import EntityPage


class EntityDossierController(QObject):
    """Opens dossier pages and acts on what they ask."""

    def __init__(self, window, menu):
        super().__init__(window)
        self.window = window
        self.page: EntityPage | None = None
        self.dossier: dict | None = None
        self.action = window._action(menu, "Entity &dossier…", self.open_current,
                                     "Ctrl+Shift+D")
        window.entities_view.dossierRequested.connect(
            lambda row: self.open(row["name"], row["label"], row.get("canon_id")))
        window.passage_visibility.changed.connect(lambda _shown: self._reread())

    def _reread(self) -> None:
        """View → Passages changed: an open page lists the passages shown now."""
        if self.page is not None and self.page.isVisible() and self.dossier is not None:
            self.open(self.dossier["name"], self._label(), self.dossier.get("canon_id"))

    def _label(self) -> str | None:
        """The label the open page is of: a canonical entity's, or an
        Entities row's (None: a page by name, whatever the label)."""
        dossier = self.dossier or {}
        if dossier.get("canon_id") is not None or dossier.get("labels"):
            return dossier["label"]
        return None

    def _list_articles(self) -> None:
        """"List its articles": the page's entity, of its label if it has one."""
        if self.dossier is not None:
            self.window.show_entity_articles(self.dossier["name"], self._label())

    def open_current(self) -> bool:
        """The dossier of the entity at the reader's caret, else of the one
        selected in the corpus Entities tab, else of the name selected in
        the text (one the pipeline missed)."""
        window = self.window
        entity = window.view.entity_at_caret() if window.view.hasFocus() else None
        if entity is None and window.left_tabs.currentWidget() is window.entities_view:
            rows = window.entities_view.selected_rows()
            entity = rows[0] if rows else None
        if entity is None:
            entity = window.view.entity_at_caret()
        selected = window.view.selection_range()
        if entity is None and selected and selected[1] - selected[0] <= 80:
            # a name the pipeline did not mark: its page, by that name
            text = " ".join(window.view.article_text()[selected[0]:selected[1]].split())
            entity = {"name": text} if text else None
        if entity is None:
            window.statusBar().showMessage(
                "Put the caret on an entity in the text (F4 steps through them), or select "
                "one in the Entities tab (Ctrl+Shift+E), then press Ctrl+Shift+D.", 6000)
            return False
        # a row of the Entities tab is the entity of its label (and id, if merged)
        row = "mentions" in entity
        self.open(entity.get("name") or entity["text"], entity.get("label") if row else None,
                  entity.get("canon_id") if row else None)
        return True

    def open(self, name: str, label: str | None = None, canon_id: int | None = None):
        """The page of the entity ``name``; with ``label``, the entity a list
        showed: the canonical entity ``canon_id``, else that name of that
        label as analysed (``storage.entity_dossier.identity``)."""
        if self.page is None:
            self.page = EntityPage(self.window)
            self.page.articleActivated.connect(self._show_article)
            self.page.quoteActivated.connect(self.window.go_to_quote)
            self.page.entityActivated.connect(
                lambda ref: self.open(ref["name"], ref["label"], ref.get("canon_id")))
            self.page.filterRequested.connect(lambda _name: self._list_articles())
            self.page.mergeRequested.connect(self.merge)
        self.page.setWindowTitle(f"Dossier — {name} (reading…)")
        self.page.show()
        self.page.raise_()

        def show(dossier: dict) -> None:
            self.dossier = dossier
            if self.page is not None:
                self.page.set_dossier(dossier)
        analysts = self.window.query.analysts
        read = functools.partial(build, name=name, analysts=analysts, label=label,
                                 canon_id=canon_id)
        return self.window.ops.query(read, show).named("entity dossier").in_process().run()

    def _show_article(self, article_id: int) -> None:
        self.window.left_tabs.setCurrentWidget(self.window.articles_box)
        if not self.window.article_list.select_article(article_id):
            self.window.show_article(article_id)

    def merge(self, chosen: list[dict]) -> bool:
        """Merge the accepted suggestions into the page's entity (undoable),
        then read the page again."""
        if self.dossier is None or not chosen:
            return False
        dossier = self.dossier
        done = self.window.merge_entities(merge_refs(dossier, chosen), dossier["name"],
                                          merged_label(dossier, chosen))
        if done:
            self.window.refresh_corpus_entities()
            self.open(dossier["name"], self._label(), dossier.get("canon_id"))
        return done
