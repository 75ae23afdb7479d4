"""File → Adjudicate…: walk the disagreements of two analysts and settle
each into the consensus layer (issue 18).

Choose the two analysts, every article they coded, the current one or the
articles of the current list (say, "Assigned to me": a reliability sample), the
shortest difference worth a decision, and **Find disagreements** (the
agreement report's diagnosis rows, computed in a worker). Then, with the keyboard
(:class:`widgets.adjudication_view.AdjudicationView`): **A** / **B** take one
analyst's tags over the span, **H** both, **N** neither; Shift/Ctrl+arrows
adjust the span first. Each decision is one undoable step of the window's
journal ("Adjudicate …": consensus passages with ``decided_by`` = the
analyst in Preferences, see :mod:`storage.consensus`); **Ctrl+Z** here
undoes the dialog's last decision. The dialog does not block the window:
its labels and progress are re-checked against the consensus stored
whenever the window publishes a change (an Edit → Undo or Redo there, a
colleague's change), so they never claim a decision that is not stored.
An article's text edited after Find (Edit text…, another window, an
``import --update``): its items, adjusted spans and decisions follow their
words as its passages do (:func:`desktop.agreement.adjudication.follow`);
one whose words are gone says so and decides nothing until Find is pressed
again, or a later text (the edit undone) has its words again where it last
found them — no decision is written at offsets into an older text.
**Accept where they agree** makes every span both analysts tagged alike
consensus (in the chosen articles), in one step written in a worker.
"""

from __future__ import annotations

from dataclasses import dataclass

import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (QComboBox, QDialog, QHBoxLayout, QLabel, QPushButton,
                               QSpinBox, QVBoxLayout)

from desktop.agreement.adjudication import Followed, anchor, anchor_items, follow_into
from desktop.gui import commands
from desktop.gui.workers import Task
from storage.changes import ARTICLES, PASSAGES, TEXT
from widgets.adjudication_view import AdjudicationView
from widgets.wording import counted

#: characters of context shown either side of a disagreement
CONTEXT = 300


@dataclass
class Decision:
    """One decision taken in the dialog, and whether it is stored now."""

    index: int                                  # of the disagreement decided
    choice: str                                 # "a", "b", "both", "neither"
    command: commands.StorageCommand | None     # its step (None: it wrote nothing)
    article_id: int
    #: the span decided, followed into the article's text now (``gone``:
    #: its words are not in it; an undo of the edit may bring them back)
    span: Followed
    tag_ids: tuple[int, ...]
    #: whether the consensus holds it now: an undo (here or in the window),
    #: a colleague's deletion takes it back, a redo brings it back
    stored: bool = True


class AdjudicationDialog(QDialog):
    """Decide the disagreements of two analysts one by one."""

    def __init__(self, window, analysts: list[str], parent=None):
        super().__init__(parent or window)
        self.window = window
        self.setWindowTitle("Adjudicate disagreements")
        self.items: list = []
        #: each item's words, followed into its article's text now (None: the
        #: article was gone at Find; ``gone``: the words are not in the text now)
        self.anchors: list[Followed | None] = []
        #: each listed article's text that the offsets held here are into
        #: (kept whole: an edit's stretch is told from it, as for passages)
        self._texts: dict[int, str | None] = {}
        #: article id → the indices of its items
        self._by_article: dict[int, list[int]] = {}
        self.index = 0
        self.decisions: dict[int, str] = {}
        #: the spans moved with Shift/Ctrl+arrows, by item index
        self.spans: dict[int, Followed] = {}
        #: the decisions in the order taken, stored now or not (a redo in
        #: the window may store an undone one again)
        self.history: list[Decision] = []
        #: the (A, B) the items were found for: the boxes may have changed since
        self.found_pair: tuple[str, str] = ("", "")
        self.task: Task | None = None
        self.first_box, self.second_box = QComboBox(), QComboBox()
        names = [a for a in analysts]
        for box, pick in ((self.first_box, 0), (self.second_box, 1)):
            box.addItems(names)
            if len(names) > pick:
                box.setCurrentIndex(pick)
        self.scope_box = QComboBox()
        # as the agreement report's default: an article only one of them
        # coded is not yet a disagreement
        self.scope_box.addItem("Articles both coded", "both")
        self.scope_box.addItem("Every article either coded", "all")
        self.scope_box.addItem("The current article", "current")
        if window.query.is_filtered():      # e.g. "Assigned to me": a sample
            self.scope_box.addItem("Articles in the current list", "list")
        self.min_length = QSpinBox()
        self.min_length.setRange(1, 10_000)
        self.min_length.setPrefix("at least ")

        def suffix(n: int) -> None:      # "at least 1 character", not "1 characters"
            self.min_length.setSuffix(" character" if n == 1 else " characters")
        suffix(self.min_length.value())
        self.min_length.valueChanged.connect(suffix)
        self.min_length.setToolTip("Leave out differences shorter than this (boundaries a "
                                   "character or two apart)")
        self.find_button = QPushButton("&Find disagreements")
        self.find_button.clicked.connect(self.find)
        self.agree_button = QPushButton("Accept where they &agree")
        self.agree_button.clicked.connect(self.accept_agreements)
        top = QHBoxLayout()
        for widget in (QLabel("A:"), self.first_box, QLabel("B:"), self.second_box,
                       self.scope_box, self.min_length):
            top.addWidget(widget)
        top.addStretch(1)
        actions = QHBoxLayout()
        actions.addWidget(self.find_button)
        actions.addWidget(self.agree_button)
        actions.addStretch(1)
        self.status = QLabel()
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        self.status.setWordWrap(True)
        self.view = AdjudicationView()
        self.view.decided.connect(self.decide)
        self.view.stepped.connect(self.step)
        self.view.spanAdjusted.connect(self.adjust)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(actions)
        layout.addWidget(self.status)
        layout.addWidget(self.view, 1)
        QShortcut(QKeySequence("Ctrl+Z"), self, self.undo_last)
        # the window stays usable beside the dialog: its undo, redo and
        # changes (and colleagues') may take back what was decided here
        window.ops.changed.connect(self._consensus_changed)
        self.resize(820, 560)

    # -- the analysts' disagreements ----------------------------------------
    def pair(self) -> tuple[str, str]:
        return self.first_box.currentText(), self.second_box.currentText()

    def find(self) -> Task | None:
        """Compute the disagreements of the chosen pair in a worker."""
        first, second = self.pair()
        if not first or not second or first == second:
            self.status.setText("Choose two different analysts.")
            return None
        if self.task is not None:
            return None
        from desktop.agreement.adjudication import disagreements_between
        from storage import open_database

        db_path = self.window.db_path
        article_ids = self._scope_ids()
        if article_ids is False:
            return None
        min_length = self.min_length.value()
        both_coded = self.scope_box.currentData() == "both"

        def work(on_progress, is_cancelled):
            db = open_database(db_path, create=False)
            try:
                items = disagreements_between(db, first, second,
                                              article_ids=_ids(db, article_ids),
                                              min_length=min_length, both_coded=both_coded,
                                              on_progress=on_progress,
                                              is_cancelled=is_cancelled)
                return items, *anchor_items(db, items)
            finally:
                db.close()

        self.task = Task(work, self)
        self.task.succeeded.connect(lambda found: self._found(*found, (first, second)))
        self.task.failed.connect(self._failed)
        self.find_button.setEnabled(False)
        self.status.setText(f"Looking for the disagreements of {first} and {second}…")
        self.task.start()
        return self.task

    def _failed(self, message: str) -> None:
        self.task = None
        self.find_button.setEnabled(True)
        self.agree_button.setEnabled(True)
        self.status.setText(f"That did not work; nothing changed: {message}")

    def _found(self, items, anchors, texts, pair: tuple[str, str]) -> None:
        """Show the first of the ``items`` found for ``pair`` (A, B), with
        their words and the texts their offsets are into (see
        :func:`~desktop.agreement.adjudication.anchor_items`)."""
        self.task = None
        self.find_button.setEnabled(True)
        self.items, self.index = list(items), 0
        self._texts = dict(texts)
        self.anchors = [None if found is None else Followed(found, self._texts[item.article_id])
                        for item, found in zip(items, anchors)]
        self._by_article = {}
        for index, item in enumerate(self.items):
            self._by_article.setdefault(item.article_id, []).append(index)
        self.decisions.clear()
        self.spans.clear()
        self.history.clear()
        # the pair of the worker's query, not the boxes', which the user may
        # have changed while it ran or may change before the next Find
        first, second = self.found_pair = pair
        self.status.setText(f"{counted(len(self.items), 'disagreement')} of {first} and {second}.")
        self._show()
        self.view.setFocus()

    def _show_progress(self) -> None:
        """"3 of 13 disagreements of ana and ben decided"."""
        first, second = self.found_pair
        self.status.setText(f"{len(self.decisions):,} of "
                            f"{counted(len(self.items), 'disagreement')} of {first} and "
                            f"{second} decided.")

    def _span(self, index: int) -> tuple[int, int]:
        """Item ``index``'s span (as adjusted), in its article's text now
        (call :meth:`_follow_text` first; not for an item whose words are
        gone)."""
        found = self.spans.get(index)
        if found is None or found.gone:     # (gone: the item's own span, found)
            found = self.anchors[index]
        return found.anchor.start, found.anchor.end

    def _lost(self, index: int) -> bool:
        """Whether item ``index``'s words are not in its article's text now
        (call :meth:`_follow_text` first)."""
        return self.anchors[index] is None or self.anchors[index].gone

    def _show(self) -> None:
        if not self.items:
            self.view.show_message("No disagreements: nothing to decide.")
            return
        item = self.items[self.index]
        text = self._follow_text(item.article_id)
        if text is None or self._lost(self.index):
            self.view.show_message(
                f"Disagreement {self.index + 1} of {len(self.items)} — {item.title}: "
                + _gone(text is None) + " Press Find disagreements to find them again.",
                index=self.index, total=len(self.items))
            return
        start, end = self._span(self.index)
        first, second = self.found_pair
        self.view.show_item({
            "index": self.index, "total": len(self.items), "title": item.title,
            "start": start, "end": end, "before": text[max(0, start - CONTEXT):start],
            "span": text[start:end], "after": text[end:end + CONTEXT],
            "first": first, "second": second,
            "first_tags": [n for _, n in item.first], "second_tags": [n for _, n in item.second],
            "decisions": self._choices(self.index)})

    def _choices(self, index: int) -> list[str]:
        """The decisions taken on item ``index`` and stored now, each once, in
        the order taken: a later one adds to the earlier ones (it writes
        its tags beside theirs), so the label names them all."""
        return list(dict.fromkeys(d.choice for d in self.history
                                  if d.index == index and d.stored))

    def _rebuild_decisions(self) -> None:
        """Each item's decision: the last one taken on it that is stored."""
        self.decisions = {d.index: d.choice for d in self.history if d.stored}

    def _is_stored(self, decision: Decision) -> bool:
        """Whether the consensus holds ``decision`` now, over its words
        where they are now (gone words: it cannot be said to be)."""
        from storage import consensus

        if decision.span.gone:
            return False
        span = decision.span.anchor
        return consensus.decision_stored(self.window.db, article_id=decision.article_id,
                                         start=span.start, end=span.end,
                                         tag_ids=decision.tag_ids)

    def _follow_text(self, article_id: int) -> str | None:
        """The article's text now, with every offset held here for it (its
        items, adjusted spans, decisions) brought into it: if the text
        changed since they were taken (here or elsewhere, whether or not a
        change was published), each follows its words as the passages did
        (:func:`~desktop.agreement.adjudication.follow_into`, from the text
        they were last found in: words the edit did not touch stay on them);
        one whose words are gone is flagged so, its last place kept (an undo
        of the edit finds it there again). None if the article is gone."""
        from storage import articles

        article = articles.get_article(self.window.db, article_id)
        if article is None:
            return None
        text, old = article["text"], self._texts.get(article_id)
        if text == old:
            return old      # (the text kept, not a copy of it per decision)
        for index in self._by_article.get(article_id, ()):
            if self.anchors[index] is not None:
                self.anchors[index] = follow_into(self.anchors[index], text)
            if index in self.spans:
                self.spans[index] = follow_into(self.spans[index], text)
        for decision in self.history:
            if decision.article_id == article_id:
                decision.span = follow_into(decision.span, text)
        self._texts[article_id] = text
        return text

    def _consensus_changed(self, changes) -> None:
        """The window published a change (its own, an undo or redo from its
        Edit menu, a colleague's): follow an edit of a listed article's
        text, re-check the decisions it may concern against the consensus
        stored, and if any came or went or moved, say so in the progress
        and the label."""
        if not self.items or not changes.touches(PASSAGES, TEXT, ARTICLES):
            return
        moved = False
        if changes.touches(TEXT, ARTICLES):
            # an unknown set of articles: the one shown and those decided
            # now, the others when shown or decided (_follow_text checks)
            concerned = (changes.article_ids & self._by_article.keys() if changes.article_ids
                         else {self.items[self.index].article_id}
                         | {d.article_id for d in self.history})
            for article_id in concerned:
                self._follow_text(article_id)
            moved = self.items[self.index].article_id in concerned
        for decision in self.history:
            if decision.tag_ids and changes.touches_article(decision.article_id):
                stored = self._is_stored(decision)
                moved |= stored != decision.stored
                decision.stored = stored
        if moved:
            self._rebuild_decisions()
            if self.history:
                self._show_progress()
            self._show()

    def step(self, delta: int) -> None:
        if self.items:
            self.index = max(0, min(len(self.items) - 1, self.index + delta))
            self._show()

    def _current_text(self) -> str | None:
        """The current item's article text now, its offsets followed into
        it; None if its article or its words are gone since Find (a decision
        there would land on other words), and the status says so and to
        find again."""
        text = self._follow_text(self.items[self.index].article_id)
        if text is not None and not self._lost(self.index):
            return text
        self.status.setText(_gone(text is None) + " Nothing was decided: press Find "
                            "disagreements to find them again.")
        self._show()
        return None

    def adjust(self, start_delta: int, end_delta: int) -> None:
        """Move the current span's start or end (kept inside the article and
        at least one character long)."""
        if not self.items:
            return
        text = self._current_text()
        if text is None:
            return
        start, end = self._span(self.index)
        start = max(0, min(start + start_delta, end - 1))
        end = min(len(text), max(end + end_delta, start + 1))
        self.spans[self.index] = Followed(anchor(text, start, end), text)
        self._show()

    # -- decisions -----------------------------------------------------------
    def decide(self, choice: str) -> bool:
        """Settle the current disagreement (one undoable step), then go to
        the next one."""
        if not self.items:
            return False
        from desktop.agreement.adjudication import tags_for
        from storage import consensus

        item = self.items[self.index]
        article_text = self._current_text()
        if article_text is None:
            return False
        start, end = self._span(self.index)
        words = article_text[start:end]
        tag_ids = tags_for(item, choice)
        decider = self.window.preferences.analyst
        command = None
        if tag_ids:
            names = ", ".join(n for t, n in item.first + item.second if t in tag_ids)
            text = f"Adjudicate {start}–{end} of article {item.article_id}: {names}"
            command = commands.Change(
                _host(self.window), text,
                # words: refused in its transaction if the text changed meanwhile
                lambda db: consensus.decide(db, article_id=item.article_id, start=start,
                                            end=end, tag_ids=tag_ids, decided_by=decider,
                                            words=words),
                article_id=item.article_id, kinds=frozenset({commands.PASSAGES}))
            if not self.window.run_command(command, "Adjudicate"):
                return False
            if not shiboken6.isValid(command):
                command = None      # it changed nothing (consensus already): no step
        self.history.append(Decision(self.index, choice, command, item.article_id,
                                     Followed(anchor(article_text, start, end), article_text),
                                     tuple(tag_ids)))
        self._rebuild_decisions()
        self._show_progress()
        if self.index + 1 < len(self.items):
            self.index += 1
        self._show()
        self.view.setFocus()
        return True

    def done(self, result: int) -> None:
        """Closing stops the work under way (an accept rolls back)."""
        if self.task is not None:
            self.task.cancel()
            self.task.wait(60000)
        super().done(result)

    def undo_last(self) -> None:
        """Undo the dialog's last decision still stored (its journal step, if
        it wrote one: the step stays in the history, for the window's Redo)."""
        if not self.history:
            return
        decision = next((d for d in reversed(self.history) if d.stored), None)
        if decision is None:
            self.status.setText("None of the decisions taken here is stored now: "
                                "nothing to undo.")
            return
        command, stack = decision.command, self.window.undo_stack
        if command is not None:
            if stack.index() == 0 or stack.command(stack.index() - 1) is not command:
                self.status.setText("The last decision is no longer the window's last "
                                    "change: undo it from the Edit menu.")
                return
            stack.undo()        # its published changes mark it not stored
            if decision.stored:
                return          # the journal refused (the window says why)
        else:
            self.history.remove(decision)   # it wrote nothing: only forgotten
        self._rebuild_decisions()
        self._show_progress()
        self.index = decision.index
        self._show()
        self.view.setFocus()

    def _scope_ids(self):
        """The articles of the chosen scope: None for all, the list's query
        (its ids are read in the worker), False if the current article is
        chosen and none is open."""
        if self.scope_box.currentData() == "list":
            return self.window.query
        if self.scope_box.currentData() != "current":
            return None
        if self.window.current_id is None:
            self.status.setText("No article is open.")
            return False
        return [self.window.current_id]

    def accept_agreements(self) -> Task | None:
        """Every span the two analysts tagged alike (in the chosen articles)
        becomes consensus: one journal step, written in a worker, then on
        the window's undo stack."""
        first, second = self.pair()
        if not first or not second or first == second:
            self.status.setText("Choose two different analysts.")
            return None
        article_ids = self._scope_ids()
        if article_ids is False or self.task is not None:
            return None
        from storage import consensus, journal, open_database

        window = self.window
        db_path, origin = window.db_path, window.journal_origin
        decider = window.preferences.analyst
        text = f"Accept where {first} and {second} agree"

        def work(on_progress, is_cancelled):
            def progress(done: int, total: int) -> None:
                if is_cancelled():
                    raise Stopped()
                on_progress(done, total)

            db = open_database(db_path, create=False)
            try:
                with journal.step(db, text, analyst=decider, origin=origin) as step:
                    count = consensus.accept_agreements(db, first, second, decided_by=decider,
                                                        article_ids=_ids(db, article_ids),
                                                        on_progress=progress)
                return count, step
            except Stopped:
                return None
            finally:
                db.close()

        def stored(result) -> None:
            self.task = None
            self.agree_button.setEnabled(True)
            if result is None:
                self.status.setText("Stopped; nothing was accepted.")
                return
            count, step = result
            if step.changes and not window.run_command(commands.StoredPassages(
                    _host(window), text, step.id, result=step.changes), "Accept agreements"):
                return
            self.status.setText(f"{counted(count, 'agreed span')} "
                                f"{'is' if count == 1 else 'are'} consensus.")

        self.task = Task(work, self)
        self.task.succeeded.connect(stored)
        self.task.failed.connect(self._failed)
        self.task.progress.connect(lambda done, total: self.status.setText(
            f"Accepting where {first} and {second} agree… {done:,} of {total:,}"))
        self.agree_button.setEnabled(False)
        self.status.setText(f"Accepting where {first} and {second} agree…")
        self.task.start()
        return self.task


def _gone(article_deleted: bool) -> str:
    """Why an item found can no longer be decided."""
    if article_deleted:
        return "This article was deleted since the disagreements were found."
    return ("This disagreement's words were changed since the disagreements were "
            "found (here or elsewhere): it can no longer be found in the text.")


def _host(window):
    """Who the window's undoable commands report to: its history controller."""
    return window.controllers.history


def _ids(db, scope):
    """Article ids of a scope from :meth:`AdjudicationDialog._scope_ids`."""
    if scope is None or isinstance(scope, list):
        return scope
    from storage import article_query

    return article_query.first_ids(db, scope, 1 << 62)


class Stopped(Exception):
    """The dialog was closed while it accepted agreements: the step rolls back."""


def open_adjudication(window) -> AdjudicationDialog:
    """Open the dialog for the main window's database (the one call the
    main window makes)."""
    from storage.consensus import CONSENSUS
    from storage.export_selection import analysts

    names = [a for a in analysts(window.db) if a != CONSENSUS]
    dialog = AdjudicationDialog(window, names)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.show()
    return dialog
