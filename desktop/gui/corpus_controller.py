"""The corpus-wide panels: the Speakers tab and the Entities tab (read in
workers, only while shown), and the analyst's entity merges and label
corrections (undoable).
"""

from __future__ import annotations

from PySide6.QtCore import QTimer

from desktop.gui import commands
from desktop.gui.controller import Controller
from storage import entity_corrections, entity_index, quotes
from storage.changes import ANALYSIS, ENTITIES, SPEAKERS, Changes

#: How many corpus entities the Entities tab lists (the most mentioned).
CORPUS_ENTITIES_SHOWN = 1000


class CorpusController(Controller):
    """The Speakers and Entities tabs and the entity corrections."""

    WIDGETS = ("left_tabs", "speakers_view", "entities_view", "article_filters", "articles_box")

    def connect_signals(self) -> None:
        self.left_tabs.currentChanged.connect(lambda _index: self.refresh_speakers())
        self.left_tabs.currentChanged.connect(lambda _index: self.refresh_corpus_entities())
        self.speakers_view.speakerSelected.connect(self.show_speaker)
        self.speakers_view.quoteActivated.connect(self.controllers.reader.go_to_quote)
        entities = self.entities_view
        entities.queryChanged.connect(lambda _query: self.refresh_corpus_entities())
        entities.mergeRequested.connect(self.merge_entities)
        entities.labelCorrectionRequested.connect(self.correct_entity_label)
        entities.unmergeRequested.connect(self.unmerge_entity)
        entities.showArticlesRequested.connect(self.show_entity_row_articles)

    def on_changes(self, changes: Changes) -> None:
        if changes.touches(ENTITIES):
            self.refresh_corpus_entities()
        # a finished analysis run (not each article of it), or the speakers
        if changes.touches(SPEAKERS) or (changes.touches(ANALYSIS) and not changes.article_ids):
            self.refresh_speakers()

    def focus_speakers(self) -> None:
        self.window.view_menu.show_panel("articles", True)
        self.left_tabs.setCurrentWidget(self.speakers_view)
        self.speakers_view.speakers.setFocus()

    def refresh_speakers(self):
        """Re-read the corpus-wide speakers — only while their tab is shown,
        and in a worker: it is a query over every quote (about 2 s on
        100,000 articles), which neither start-up nor the GUI thread waits for."""
        if self.left_tabs.currentWidget() is not self.speakers_view:
            return None
        self.speakers_view.show_counting()
        return self.ops.query(quotes.speakers,
                              self.speakers_view.set_speakers).named("speakers").run()

    def focus_corpus_entities(self) -> None:
        self.left_tabs.setCurrentWidget(self.entities_view)
        self.entities_view.tree.setFocus()

    def refresh_corpus_entities(self):
        """Re-read the corpus entities — only while their tab is shown, in a
        worker (a few ms on 100,000 articles from ``entity_counts``, but a
        busy disk or another writer must not freeze the window)."""
        if self.left_tabs.currentWidget() is not self.entities_view:
            return None
        query = self.entities_view.query()

        def read(db):
            return entity_index.corpus_entities(db, labels=query["labels"],
                                                search=query["search"],
                                                limit=CORPUS_ENTITIES_SHOWN)

        def show(rows):
            if self.entities_view.query() == query:   # else a newer read is coming
                self.entities_view.set_entities(
                    rows, limited=len(rows) >= CORPUS_ENTITIES_SHOWN)
        return self.ops.query(read, show).named("corpus entities").run()

    def _correct_entities(self, title: str, text: str, change) -> bool:
        return self.run_command(commands.CorrectEntities(self.controllers.history, text,
                                                         change), title)

    def merge_entities(self, rows: list[dict], name: str, label: str) -> bool:
        """One canonical entity of ``rows`` (undoable). Refused by the file
        (busy, locked, full), the dialog comes back with the name and label
        chosen."""
        done = self._correct_entities(
            "Merge entities", f"Merge {len(rows)} entities into “{name}”",
            lambda db: entity_corrections.merge_entities(db, rows, name, label))
        if not done and self.ops.refusal_may_pass():
            QTimer.singleShot(0, lambda: self.entities_view.ask_merge_again(rows, (name, label)))
        return done

    def correct_entity_label(self, row: dict, label: str) -> bool:
        return self._correct_entities(
            "Correct label", f"Label “{row['name']}” as {label}",
            lambda db: entity_corrections.correct_label(db, row, label))

    def unmerge_entity(self, canon_id: int) -> bool:
        return self._correct_entities("Unmerge entity", "Unmerge entity",
                                      lambda db: entity_corrections.unmerge(db, canon_id))

    def show_entity_articles(self, name: str, label: str | None = None) -> None:
        """Filter the article list by an entity (and all its aliases): with
        ``label``, the entity of that name and label (“Sokha (ORG)”, which
        the filter shows and the analyst may edit), not its namesakes of
        other labels; else by the name, whatever its label."""
        self.article_filters.set_entity(entity_index.labelled_name(name, label))
        self.left_tabs.setCurrentWidget(self.articles_box)

    def show_entity_row_articles(self, row: dict) -> None:
        """The articles of an Entities tab row: its name and label (a merged
        or corrected entity's name and label are its canonical entity's)."""
        self.show_entity_articles(row["name"], row["label"])

    def show_speaker(self, speaker: str) -> None:
        rows = list(quotes.all_quotes(self.db, speaker=speaker, kinds=quotes.SPOKEN))
        self.speakers_view.set_quotes(speaker, rows)
