"""The analyst corrects who said what (issue 15): "Set speaker…" and "Not a
quote" on a quote (reader context menu, Quotes tab: F2 / right-click), "Mark
as quote…" on a selection (reader context menu), "Merge speakers…" on two or
more speakers in the Speakers tab (right-click, Ctrl+M). Each is one
undoable step (Ctrl+Z) made by ``storage.speaker_corrections``; they are
applied when reading, so they survive re-analysis.

A controller of the main window (:mod:`desktop.gui.controller`): it listens
to the views' intents, asks for a name in a
:class:`widgets.speaker_dialog.SpeakerDialog` (opened, not exec'd:
:attr:`dialog` is the open one) and runs the change as a ``commands.Change``
through the history controller. When a step (or its undo/redo, or another
window's) touches speakers, it re-reads the reader's quotes, the selected
speaker's quotes and a list filtered by speaker (the Speakers tab itself is
the corpus controller's).
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable

from PySide6.QtCore import QTimer

from desktop.gui import commands
from desktop.gui.controller import Controller
from desktop.gui.operations import show_error
from storage import journal
from storage import speaker_corrections as corrections
from storage.changes import SPEAKERS, Changes
from widgets.quote_panel import NOT_A_QUOTE, SET_SPEAKER
from widgets.plain_text import plain_message
from widgets.speaker_dialog import SpeakerDialog

class MergeCancelled(Exception):
    """The analyst cancelled a merge of speakers: it is rolled back."""


#: Entity labels offered as speakers, and the kind of speaker each is.
SPEAKER_LABELS = {"PERSON": corrections.PERSON, "ORG": corrections.ORGANISATION}


class SpeakerCorrections(Controller):
    """Turns quote and speaker correction intents into undoable steps."""

    WIDGETS = ("view", "quote_panel", "speakers_view")

    def __init__(self, window, state, ops):
        super().__init__(window, state, ops)
        self.dialog: SpeakerDialog | None = None

    def connect_signals(self) -> None:
        self.view.quoteCorrectionRequested.connect(self.request)
        self.quote_panel.quoteCorrectionRequested.connect(self.request)
        self.speakers_view.mergeRequested.connect(self.ask_merge)

    # -- intents -------------------------------------------------------------
    def _quote_at(self, start: int, end: int) -> dict | None:
        return next((q for q in self.view._quotes
                     if q["start"] == start and q["end"] == end), None)

    def _article_names(self) -> list[tuple[str, str]]:
        """The current article's people and organisations (as corrected),
        in text order, each once."""
        return speaker_choices(self.view._entities)

    def request(self, what: str, start: int, end: int) -> None:
        """A correction asked for on ``start``-``end`` of the current article."""
        article_id = self.current_id
        if article_id is None:
            return
        if what == NOT_A_QUOTE:
            self._run("Not a quote", "Not a quote", article_id,
                      lambda db: corrections.mark_not_quote(db, article_id, start, end,
                                                             analyst=self._analyst()))
            return
        overlapping = next((q for q in self.view._quotes if q["start"] < end
                            and start < q["end"] and (q["start"], q["end"]) != (start, end)),
                           None) if what != SET_SPEAKER else None
        if overlapping is not None:
            # two quotes over the same words would both be shown, listed and
            # exported, each with its speaker
            said = f" (said by {overlapping['speaker']})" if overlapping.get("speaker") else ""
            plain_message(self.window, "Mark as quote",
                          f"The selection overlaps the quote “{_short(overlapping['text'])}”"
                          f"{said}. Select text outside it, or right-click that quote to set "
                          f"its speaker or mark it as not a quote.", "information")
            return
        quote = self._quote_at(start, end) if what == SET_SPEAKER else None
        current = (quote or {}).get("speaker") or ""
        kind = (quote or {}).get("speaker_kind") or corrections.PERSON
        names = self._article_names()
        if current and current not in dict(names):
            names.insert(0, (current, kind))
        title = "Set speaker" if what == SET_SPEAKER else "Mark as quote"
        # the dialog says which words it is about (it covers the reader)
        words = _short(self.view.article_text()[start:end], 120)
        prompt = (f"Who said “{words}”? Pick one of the article's people and "
                  "organisations, or type a name." if what == SET_SPEAKER else
                  f"Mark “{words}” as a quote of:")
        store = (corrections.set_speaker if what == SET_SPEAKER
                 else corrections.mark_as_quote)

        def done(name: str, chosen_kind: str) -> None:
            text = (f"Set speaker “{name}”" if what == SET_SPEAKER
                    else f"Mark as quote of “{name}”")
            if not self._run(title, text, article_id,
                             lambda db: store(db, article_id, start, end, name, chosen_kind,
                                              analyst=self._analyst())) \
                    and self.ops.refusal_may_pass():
                # refused (a busy file): the dialog comes back with the name typed
                QTimer.singleShot(0, lambda: self._ask(title, prompt, names, name,
                                                       chosen_kind, done))
        self._ask(title, prompt, names, current, kind, done)

    def ask_merge(self, names: list[str], typed: tuple[str, str] | None = None) -> None:
        """Merge the speakers ``names`` into one, named in the dialog
        (``typed``: the name and kind chosen before, offered again after a
        merge the file refused)."""
        if len(names) < 2:
            return
        rows = {r["speaker"]: r.get("speaker_kind") for r in
                self.speakers_view._speaker_rows}
        offered = [(name, rows.get(name) or corrections.PERSON) for name in names]
        current, kind = typed or (max(names, key=len), offered[0][1])

        def done(name: str, kind: str) -> None:
            self.merge_in_worker(names, name, kind, refused=lambda: QTimer.singleShot(
                0, lambda: self.ask_merge(names, (name, kind))))
        self._ask("Merge speakers", f"Show {len(names)} speakers as one, across the "
                  "corpus, under the name:", offered, current, kind, done)

    def merge_in_worker(self, names: list[str], name: str, kind: str, *,
                        refused: Callable[[], None] | None = None):
        """Merge speakers in a worker, behind a modal progress dialog, then
        put the step on the undo stack to be undone and redone in a worker
        too: the derived per-article speakers of every quote concerned are
        rewritten (two speakers with 9,902 and 9,884 quotes: 10 s to merge,
        4–6 s to undo or redo on 100,000 articles — the window froze that
        long). Cancel takes effect when the database has done its part:
        the step is then rolled back. A merge the file refused (busy,
        locked, full) is explained, then ``refused()``."""
        history = self.controllers.history
        text = f"Merge {len(names)} speakers into “{name}”"
        if self.controllers.files.wait_for_running_write():
            return None     # an import, merge or auto-tag writes: one long write at a time
        analyst, origin = self._analyst(), history.journal_origin

        def op(db, on_progress, is_cancelled):
            with journal.step(db, text, analyst=analyst, origin=origin) as step:
                corrections.merge_speakers(db, names, name, kind, analyst=analyst)
                if is_cancelled():
                    raise MergeCancelled
            return step

        def merged(step) -> None:
            if not step.changes:
                self.window.statusBar().showMessage(f"{text}: nothing to change.", 5000)
                return
            changes = Changes.of(SPEAKERS, name=text) | step.changes
            self.ops.publish(changes)
            history.push_stored(commands.StoredSteps(history, text, [step.id],
                                                     kinds=frozenset({SPEAKERS})))
            self.window.statusBar().showMessage(f"{text}. Ctrl+Z undoes it.", 5000)

        title = f"Merging speakers into “{name}”"

        def failed(error: Exception) -> None:
            show_error(self.window, title, error)
            if refused is not None and isinstance(error, sqlite3.OperationalError):
                refused()

        return self.ops.hold(self.ops.write(op, merged).with_progress(title).failure(
            failed).cancelled_by(
            MergeCancelled, then=lambda: self.window.statusBar().showMessage(
                "Merge cancelled; nothing was changed.", 6000)).modal().named(
            "merge speakers").run())

    # -- helpers ---------------------------------------------------------------
    def _analyst(self) -> str:
        """The analyst a correction is stored under (Preferences)."""
        return self.preferences.analyst or ""

    def _ask(self, title, prompt, names, current, kind, done) -> None:
        if self.dialog is not None:
            self.dialog.reject()
        dialog = SpeakerDialog(title, prompt, names, current, kind, self.window,
                               guess_kind=_kind_of_typed_name)
        self.dialog = dialog
        dialog.accepted.connect(lambda: done(*dialog.chosen()))
        dialog.finished.connect(lambda _result: self._closed(dialog))
        dialog.open()
        dialog.name.setFocus()

    def _closed(self, dialog) -> None:
        if self.dialog is dialog:
            self.dialog = None
        dialog.deleteLater()

    def _run(self, title: str, text: str, article_id: int | None, change) -> bool:
        command = commands.Change(self.controllers.history, text, change,
                                  article_id=article_id, kinds=frozenset({SPEAKERS}))
        done = self.run_command(command, title)
        if done:        # said, as a tag save is ("Tagged … as …")
            self.window.statusBar().showMessage(f"{text}. Ctrl+Z undoes it.", 5000)
        return done

    def on_changes(self, changes: Changes) -> None:
        """Speakers changed (a correction, its undo or redo, another
        window's): the reader's quotes, the selected speaker's quotes and a
        list filtered by speaker anew."""
        if not changes.touches(SPEAKERS):
            return
        if self.current_id is not None and changes.touches_article(self.current_id):
            self.controllers.reader.article_analysed(self.current_id)
        speaker = self.speakers_view.current_speaker()
        if speaker:
            self.controllers.corpus.show_speaker(speaker)
        if self.query.speaker:      # articles may enter or leave the filtered list
            self.controllers.articles.refresh_articles(keep_current=True)


def speaker_choices(entities: list[dict]) -> list[tuple[str, str]]:
    """``(name, kind)`` of the people and organisations among ``entities``
    (as corrected), in text order, each once — a possessive's name without
    its "'s" ("Donald Trump's" was offered beside "Donald Trump")."""
    found: dict[str, str] = {}
    for entity in entities:
        kind = SPEAKER_LABELS.get(entity["label"])
        if kind:
            name = _POSSESSIVE.sub("", (entity.get("name") or entity["text"]).strip())
            if name:
                found.setdefault(name, kind)
    return list(found.items())


_POSSESSIVE = re.compile(r"[’']s?$")


def _kind_of_typed_name(name: str) -> str:
    """A typed speaker's kind: an organisation when a word of it names one
    ("Ministry of Interior", "Thai police"), else a person."""
    from desktop.analysis.attribution import ORGANISATION_HEADS

    words = {w.lower() for w in name.split()}
    return "organisation" if words & set(ORGANISATION_HEADS) else "person"


def _short(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 1] + "…"
