"""The entity dossier's controller: reads one entity's page in a worker
(``storage.entity_dossier`` for the rows, ``desktop.analysis.entity_profile``
for roles and alias suggestions), shows it in :class:`widgets.entity_page.EntityPage`,
and carries out what the analyst asks there — open an article or a quote,
list the entity's articles, open a companion's page, and merge accepted
alias suggestions through the window's undoable entity merge (a journal
step named “Merge N entities into …”).

Reachable from Go → Entity dossier (Ctrl+Shift+D: the entity at the caret in
the reader, else the one selected in the corpus Entities tab) and from the
Entities tab's context menu (Dossier…).
"""

from __future__ import annotations

from PySide6.QtCore import QObject

from desktop.analysis import entity_profile
from storage import entity_dossier
from storage.entity_index import entity_key
from widgets.entity_page import EntityPage


def build(db, name: str, analysts: tuple[str, ...] = ()) -> dict:
    """Everything the page shows for the entity called ``name`` (in a worker);
    ``analysts``: whose passages it lists (blind coding: only theirs)."""
    ident = entity_dossier.identity(db, name)
    keys = ident["keys"]
    names = sorted({ident["name"]} | {s["name"] for s in ident["surfaces"]})
    mentions = entity_dossier.mentions(db, keys, names)
    quotes = entity_dossier.quotes_by(db, keys)
    ids = [m["article_id"] for m in mentions]
    said = {(q["article_id"], q["start"]) for q in quotes}
    spans_in = {m["article_id"]: m["spans"] for m in mentions}
    about = [q for q in entity_dossier.quotes_in(db, ids)
             if (q["article_id"], q["start"]) not in said
             and any(q["start"] <= s and e <= q["end"] for s, e, _ in spans_in[q["article_id"]])]
    spans: dict[int, list] = {m["article_id"]: [(s, e) for s, e, _ in m["spans"]]
                              for m in mentions}
    for quote in quotes:
        spans.setdefault(quote["article_id"], []).append((quote["start"], quote["end"]))
    candidates = entity_dossier.alias_candidates(db, ident["name"], ident["label"], keys)
    own_names = [ident["name"]] + [s["name"] for s in ident["surfaces"]]
    suggestions = [c for c in candidates
                   if (ident["canon_id"] is None or c["canon_id"] != ident["canon_id"])
                   and any(entity_profile.same_entity(own, c["name"]) for own in own_names)]
    return {**ident,
            "roles": entity_profile.roles(mentions),
            "quotes": quotes,
            "quotes_about": about,
            "months": entity_dossier.articles_per_month(db, ids),
            "articles": [{k: m[k] for k in ("article_id", "title", "published", "source")}
                         for m in mentions],
            "companions": entity_dossier.companions(db, keys, ids),
            "passages": entity_dossier.passages_on(db, spans, analysts),
            "suggestions": suggestions}


def merge_refs(dossier: dict, chosen: list[dict]) -> list[dict]:
    """Entity references (as ``storage.entity_corrections.merge_entities``
    takes them) for the page's entity and the accepted suggestions."""
    refs: list[dict] = []
    if dossier["canon_id"] is not None:
        refs.append({"canon_id": dossier["canon_id"], "name": dossier["name"],
                     "label": dossier["label"]})
    else:
        refs += [{"canon_id": None, "key": entity_key(s["name"]), "original_label": s["label"],
                  "name": s["name"], "label": s["label"]} for s in dossier["surfaces"]]
    seen_canons = {r["canon_id"] for r in refs if r["canon_id"] is not None}
    for c in chosen:
        if c.get("canon_id") is not None:
            if c["canon_id"] not in seen_canons:
                seen_canons.add(c["canon_id"])
                refs.append({"canon_id": c["canon_id"], "name": c["name"], "label": c["label"]})
        else:
            refs.append({"canon_id": None, "key": c["key"], "original_label": c["label"],
                         "name": c["name"], "label": c["label"]})
    return refs


def merged_label(dossier: dict, chosen: list[dict]) -> str:
    """The label of the merged entity: a canonical entity keeps its own; else
    the label most of the mentions have (spaCy may call a person an ORG)."""
    if dossier["canon_id"] is not None:
        return dossier["label"]
    mentions: dict[str, int] = {}
    for row in dossier["surfaces"] + chosen:
        mentions[row["label"]] = mentions.get(row["label"], 0) + row["mentions"]
    return max(mentions, key=lambda label: (mentions[label], label == dossier["label"]),
               default=dossier["label"])


class EntityDossierController(QObject):
    """Opens dossier pages and acts on what they ask."""

    def __init__(self, window, menu):
        super().__init__(window)
        self.window = window
        self.page: EntityPage | None = None
        self.dossier: dict | None = None
        self.action = window._action(menu, "Entity &dossier…", self.open_current,
                                     "Ctrl+Shift+D")
        window.entities_view.dossierRequested.connect(lambda row: self.open(row["name"]))
        window.passage_visibility.changed.connect(lambda _shown: self._reread())

    def _reread(self) -> None:
        """View → Passages changed: an open page lists the passages shown now."""
        if self.page is not None and self.page.isVisible() and self.dossier is not None:
            self.open(self.dossier["name"])

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
        self.open(entity.get("name") or entity["text"])
        return True

    def open(self, name: str):
        if self.page is None:
            self.page = EntityPage(self.window)
            self.page.articleActivated.connect(self._show_article)
            self.page.quoteActivated.connect(self.window.go_to_quote)
            self.page.entityActivated.connect(self.open)
            self.page.filterRequested.connect(self.window.show_entity_articles)
            self.page.mergeRequested.connect(self.merge)
        self.page.setWindowTitle(f"Dossier — {name} (reading…)")
        self.page.show()
        self.page.raise_()

        def show(dossier: dict) -> None:
            self.dossier = dossier
            if self.page is not None:
                self.page.set_dossier(dossier)
        analysts = self.window.query.analysts
        return self.window.ops.query(lambda db: build(db, name, analysts), show).named(
            "entity dossier").run()

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
            self.open(dossier["name"])
        return done
