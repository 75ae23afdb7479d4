"""Undoable changes: the window's ``QUndoCommand`` side of the change journal.

A command makes its change once, inside one journal step
(``storage.journal.step``), and remembers the step's id; undo and redo ask
the journal to replay that step (``journal.undo`` / ``journal.redo``), which
checks that every row still holds what the step left there and refuses
otherwise, changing nothing. The QUndoStack only orders the steps and names
them in the Edit menu; the rows, the conflicts and "what changed" are the
journal's (each command's :attr:`result` is the last ``Changes`` it made).

A command talks to its *host* (the window) through ``host.db``,
``host.journal_origin`` (this window's origin in the journal) and two
callbacks: ``host.command_done(command)`` after a change, undo or redo, and
``host.command_failed(command, error)`` when the journal refused an undo or
redo (someone else changed the same rows meanwhile).
"""

from __future__ import annotations

from PySide6.QtGui import QUndoCommand

from desktop import near_duplicates
from storage import articles, codebook, journal, passages, review, tags
from storage.changes import (ARTICLE, ENTITIES, MEMO, PASSAGES, REVIEW, TAGS, TEXT,
                             Changes)

__all__ = ["ARTICLE", "ENTITIES", "MEMO", "PASSAGES", "REVIEW", "TAGS", "TEXT"]


class StorageCommand(QUndoCommand):
    """Base class: :meth:`change` once inside a journal step; undo and redo
    replay that step."""

    #: what this kind of command changes (``storage.changes`` kinds), for
    #: views that refresh by kind before the journal's ``Changes`` arrive
    changes: frozenset[str] = frozenset({PASSAGES, TAGS})
    #: consecutive steps with the same key merge into one (memo typing)
    merge_key: str | None = None
    #: stored already, by a worker (``first_apply`` writes nothing)
    ALREADY_STORED = False

    def __init__(self, host, text: str, *, article_id: int | None = None):
        super().__init__(text)
        self.host = host
        self.article_id = article_id
        self.step_id: int | None = None
        self.result: Changes = Changes()
        self._applied = False

    @property
    def db(self):
        return self.host.db

    @property
    def origin(self) -> str:
        return getattr(self.host, "journal_origin", "")

    def _analyst(self) -> str:
        preferences = getattr(self.host, "preferences", None)
        return getattr(preferences, "analyst", "") or ""

    def change(self) -> None:
        """Make the change with storage functions (inside the step)."""
        raise NotImplementedError

    def tags_given(self) -> set[int]:
        """The tags this change gives passages (tagging, re-tagging): none."""
        return set()

    def replayed(self) -> None:
        """After an undo or redo: derived data to bring up to date (none)."""

    def first_apply(self) -> None:
        """Make the change the first time, as one journal step (raises if
        storage refuses; nothing is written then). A change that changed
        nothing is marked obsolete, so the stack drops it."""
        with journal.step(self.db, self.text(), analyst=self._analyst(), origin=self.origin,
                          merge_key=self.merge_key) as step:
            self.change()
        self.step_id, self.result = step.id, step.changes
        self._applied = True
        if not step.changes:
            self.setObsolete(True)

    def redo(self) -> None:
        if self._applied:          # pushed right after first_apply: already done
            self._applied = False
            return
        self._run(lambda: None if self._elsewhere(journal.DONE) else journal.redo(
            self.db, origin=self.origin, analyst=self._analyst(), target_id=self.step_id),
            moved=+1)

    def undo(self) -> None:
        self._run(lambda: None if self._elsewhere(journal.UNDONE) else journal.undo(
            self.db, origin=self.origin, analyst=self._analyst(), step_id=self.step_id),
            moved=-1)

    def _elsewhere(self, state: str) -> bool:
        """Whether the step is in ``state`` already — undone (redone) by
        ``dossier undo`` or another window: the stack then just follows
        (refusing it as "undone already" jammed the window's Undo and Redo)."""
        return journal.step_state(self.db, self.step_id) == state

    #: set after a refused undo/redo: the stack's call that puts its index
    #: back (see :meth:`_run`) must do nothing
    _put_back = False

    def _run(self, replay, *, moved: int = 0) -> None:
        if self._put_back:
            self._put_back = False
            return
        try:
            _not_while_replaying(self.host)
            done = replay()
            self.result = done.changes if done is not None else Changes()
            self.replayed()
        except Exception as error:   # the stack must not crash the window
            # nothing changed: the stack's index moves back where it was
            # (``host.command_failed`` does it, then this command is a no-op)
            self._put_back = True
            self.refused_move = moved
            self.host.command_failed(self, error)
            return
        self.host.command_done(self)


class Change(StorageCommand):
    """Any change made by ``change(db)`` (a call of storage functions)."""

    def __init__(self, host, text: str, change, *, article_id: int | None = None,
                 kinds: frozenset[str] | None = None):
        super().__init__(host, text, article_id=article_id)
        self._change = change
        if kinds is not None:
            self.changes = kinds

    def change(self) -> None:
        self._change(self.db)


class PassagesCommand(StorageCommand):
    """A change of passages only: a tag's passage count follows them (the
    codebook moves it), so no change of tags is announced."""

    changes = frozenset({PASSAGES})


class AddPassages(PassagesCommand):
    """Tag one or more ranges."""

    def __init__(self, host, text: str, ranges: list[dict], analyst: str, *,
                 article_id: int | None = None):
        super().__init__(host, text, article_id=article_id)
        self.ranges, self.analyst = list(ranges), analyst
        self.passage_ids: list[int] = []

    def change(self) -> None:
        self.passage_ids = [passages.add_passage(self.db, analyst=self.analyst, **r)
                            for r in self.ranges]

    def tags_given(self) -> set[int]:
        return {r["tag_id"] for r in self.ranges}


class StoredStep(StorageCommand):
    """Any change a worker already stored as journal step ``step_id`` (the
    passages of an auto-tag): undo and redo replay that step on the GUI
    thread; ``kinds`` say what it changes (default: the class's)."""

    ALREADY_STORED = True

    def __init__(self, host, text: str, step_id: int, *,
                 kinds: frozenset[str] | None = None, article_id: int | None = None,
                 result: Changes | None = None):
        super().__init__(host, text, article_id=article_id)
        if kinds is not None:
            self.changes = kinds
        self.step_id, self.result = step_id, result or Changes()

    def first_apply(self) -> None:
        """Nothing to do: the step is stored already."""
        self._applied = True


def _not_while_replaying(host) -> None:
    """Raise while an import's undo or redo runs in a worker (``host.busy``)."""
    reason = host.busy() if hasattr(host, "busy") else ""
    if reason:
        raise journal.JournalError(reason)


class StoredSteps(StorageCommand):
    """An import a worker already stored, as one journal step or several
    (more than 500 articles: a step a file and a chunk of rows; a REFI-QDA
    project is one): undone and redone together, all or nothing, in a
    worker (``host.replay_steps``) while a progress dialog holds the
    window (500 articles took 110–123 ms to undo: too long for the GUI
    thread)."""

    ALREADY_STORED = True

    def __init__(self, host, text: str, step_ids: list[int], *,
                 kinds: frozenset[str] | None = None):
        super().__init__(host, text)
        if kinds is not None:
            self.changes = kinds
        self.step_ids = list(step_ids)

    def first_apply(self) -> None:
        """Nothing to do: the steps are stored already."""
        self._applied = True

    def redo(self) -> None:
        if self._applied:
            self._applied = False
            return
        self._replay(backwards=False)

    def undo(self) -> None:
        self._replay(backwards=True)

    def _replay(self, *, backwards: bool) -> None:
        if self._put_back:          # the stack putting its index back
            self._put_back = False
            return
        try:
            _not_while_replaying(self.host)
        except journal.JournalError as error:
            self.refused(backwards=backwards)
            self.host.command_failed(self, error)
            return
        self.host.replay_steps(self, backwards=backwards)

    def refused(self, *, backwards: bool) -> None:
        """The worker's replay failed or was cancelled (nothing changed):
        the stack's index goes back, this command doing nothing then."""
        self._put_back = True
        self.refused_move = -1 if backwards else +1


class StoredPassages(StoredStep, PassagesCommand):
    """Passages a worker already stored as journal step ``step_id`` (auto-tag)."""


class DeletePassage(PassagesCommand):
    """Delete one passage."""

    def __init__(self, host, passage_id: int, *, article_id: int | None = None):
        super().__init__(host, "Delete passage", article_id=article_id)
        self.passage_id = passage_id

    def change(self) -> None:
        passages.delete_passage(self.db, self.passage_id)


class ChangePassage(PassagesCommand):
    """A note edit or a re-tag of one passage: ``change(db, passage_id)``."""

    def __init__(self, host, text: str, passage_id: int, change, *,
                 article_id: int | None = None, tag_id: int | None = None):
        super().__init__(host, text, article_id=article_id)
        #: the tag a re-tag gives (what :meth:`tags_given` says)
        self.tag_id = tag_id
        self.passage_id, self._change = passage_id, change

    def change(self) -> None:
        self._change(self.db, self.passage_id)

    def tags_given(self) -> set[int]:
        return {self.tag_id} if self.tag_id is not None else set()


class ChangePassages(PassagesCommand):
    """One change to many passages (a re-tag in the Passages workspace):
    ``change(db, ids)``, one journal step."""

    def __init__(self, host, text: str, passage_ids: list[int], change, *,
                 article_id: int | None = None, tag_id: int | None = None):
        super().__init__(host, text, article_id=article_id)
        #: the tag a re-tag gives (what :meth:`tags_given` says)
        self.tag_id = tag_id
        self.passage_ids, self._change = list(passage_ids), change

    def change(self) -> None:
        self._change(self.db, list(self.passage_ids))

    def tags_given(self) -> set[int]:
        return {self.tag_id} if self.tag_id is not None else set()


class DeletePassages(PassagesCommand):
    """Delete many passages, one journal step."""

    def __init__(self, host, text: str, passage_ids: list[int], *,
                 article_id: int | None = None):
        super().__init__(host, text, article_id=article_id)
        self.passage_ids = list(passage_ids)

    def change(self) -> None:
        passages.delete_passages(self.db, self.passage_ids)


class DeleteArticles(StorageCommand):
    """Delete articles with their passages, one journal step; undo puts the
    same rows back (their analysis runs again: ``TEXT``)."""

    changes = frozenset({ARTICLE, PASSAGES, TEXT})

    def __init__(self, host, text: str, article_ids: list[int]):
        # (its undo shows the first article brought back; the delete and its
        # redo find it gone and leave the reader where the list put it)
        super().__init__(host, text, article_id=article_ids[0] if article_ids else None)
        self.article_ids = list(article_ids)

    def change(self) -> None:
        articles.delete_articles(self.db, self.article_ids)


class CreateTag(StorageCommand):
    """A new tag; :attr:`row` is the stored tag."""

    changes = frozenset({TAGS})

    def __init__(self, host, name: str, color: str, **options):
        super().__init__(host, f"New tag “{name}”")
        self.name, self.color, self.options = name, color, options
        self.row: dict | None = None

    def change(self) -> None:
        tag_id = tags.create_tag(self.db, self.name, self.color, **self.options)
        self.row = tags.get_tag(self.db, tag_id)


class ChangeTags(StorageCommand):
    """Any change to tags and their passages — rename, recolour, describe,
    delete, merge — made by ``change(db)``; the journal records exactly the
    rows it changed (a rename: one row, however many passages the tag has)."""

    def __init__(self, host, text: str, tag_ids: list[int], change):
        super().__init__(host, text)
        self.tag_ids, self._change = list(tag_ids), change

    def change(self) -> None:
        self._change(self.db)


class ImportCodebook(StorageCommand):
    """Codebook entries merged into the tags; :attr:`result_counts` says how."""

    changes = frozenset({TAGS})

    def __init__(self, host, text: str, entries: list[dict]):
        super().__init__(host, text)
        self.entries = entries
        self.counts: dict = {}

    def change(self) -> None:
        self.counts = codebook.apply_codebook(self.db, self.entries)


class EditDetails(StorageCommand):
    """Title, source, author, date, URL of one article."""

    changes = frozenset({ARTICLE})

    def __init__(self, host, article_id: int, values: dict):
        super().__init__(host, "Edit article details", article_id=article_id)
        self.values = values

    def change(self) -> None:
        articles.update_details(self.db, self.article_id, **self.values)


class ReplaceText(StorageCommand):
    """New article text with its passages re-anchored (one step); undo puts
    back the old text and every passage's offsets, context and anchor, and
    is refused if passages were tagged on the new text since."""

    changes = frozenset({TEXT, PASSAGES, TAGS})

    def __init__(self, host, article_id: int, text: str, edited_from: str | None = None):
        super().__init__(host, "Edit article text", article_id=article_id)
        self.text_ = text
        self.edited_from = edited_from      # the text it was typed on
        self.counts: dict = {}

    def change(self) -> None:
        self.counts = articles.replace_article_text(self.db, self.article_id, self.text_,
                                                    edited_from=self.edited_from)

    def first_apply(self) -> None:
        super().first_apply()
        # (the text stored: a correction made elsewhere meanwhile may be in it)
        near_duplicates.link_similar(self.db, self.article_id,
                                     articles.get_article(self.db, self.article_id)["text"])

    def replayed(self) -> None:
        near_duplicates.link_similar(self.db, self.article_id,
                                     articles.get_article(self.db, self.article_id)["text"])


class SetReviewStatus(StorageCommand):
    """An article's review status."""

    changes = frozenset({REVIEW})

    def __init__(self, host, article_id: int, status: str):
        super().__init__(host, f"Mark article {status}", article_id=article_id)
        self.status = status

    def change(self) -> None:
        review.set_review_status(self.db, self.article_id, self.status)


class SetMemo(StorageCommand):
    """An article's memo as saved after a pause in typing. Consecutive saves
    of the same article's memo are one journal step (``merge_key``) and one
    stack entry, so one undo takes back a whole stretch of writing."""

    changes = frozenset({MEMO})
    #: :meth:`QUndoCommand.id` of memo saves (merging needs one)
    ID = 7001

    def __init__(self, host, article_id: int, text: str, typed_on: str | None = None):
        super().__init__(host, "Edit memo", article_id=article_id)
        self.text_ = text
        self.typed_on = typed_on        # the memo it was typed on
        #: the memo stored (with a change made elsewhere meanwhile, if any)
        self.stored = text
        self.merge_key = f"memo:{article_id}"

    def id(self) -> int:
        return self.ID

    def mergeWith(self, other) -> bool:
        # the journal merged the two saves into one step only if nothing else
        # was written between them; the stack follows it
        if not isinstance(other, SetMemo) or other.step_id != self.step_id:
            return False
        if journal.step_state(self.db, self.step_id) is None:
            # typed and erased back to what it was: the merged step changed
            # nothing and is gone from the journal, so the entry leaves the
            # stack (QUndoStack.push deletes a merged command made obsolete)
            self.setObsolete(True)
        return True

    def change(self) -> None:
        self.stored = review.set_memo(self.db, self.article_id, self.text_,
                                      typed_on=self.typed_on)


class CorrectEntities(Change):
    """A merge, unmerge or label correction of corpus entities:
    ``change(db)`` is a ``storage.entity_corrections`` call."""

    changes = frozenset({ENTITIES})

    def __init__(self, host, text: str, change):
        super().__init__(host, text, change)
