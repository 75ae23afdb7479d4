"""Undoable changes: one ``QUndoCommand`` per change an analyst makes.

Each command calls storage functions only. The first time, :meth:`apply`
makes the change with the ordinary storage function (tagging, re-tagging,
renaming …) and records snapshots before and after (``storage.snapshots``);
undo writes the "before" snapshot back, redo the "after" one — the same rows,
same ids, same timestamps. The window pushes a command only after its first
:meth:`apply` succeeded (see :meth:`MainWindow.run_command`), so a refused
change never enters the history.

A command talks to its *host* (the main window) through two methods:
``host.command_done(command)`` to refresh the views after a change, undo or
redo, and ``host.command_failed(command, error)`` when an undo or redo was
refused by the database (another program changed the same rows meanwhile).
"""

from __future__ import annotations

from PySide6.QtGui import QUndoCommand

from desktop import near_duplicates
from storage import articles, codebook, passages, review, snapshots, tags

#: What a command changed, so the window refreshes only that.
PASSAGES, TAGS, ARTICLE, TEXT, REVIEW = "passages", "tags", "article", "text", "review"
ENTITIES, MEMO = "entities", "memo"


class StorageCommand(QUndoCommand):
    """Base class: ``apply`` once, then ``restore_after`` / ``restore_before``."""

    #: what this kind of command changes (a subset of the names above)
    changes: frozenset[str] = frozenset({PASSAGES, TAGS})

    def __init__(self, host, text: str, *, article_id: int | None = None):
        super().__init__(text)
        self.host = host
        self.article_id = article_id
        self._applied = False

    @property
    def db(self):
        return self.host.db

    # subclasses implement these three
    def apply(self) -> None:
        """Make the change the first time (raises if storage refuses)."""
        raise NotImplementedError

    def restore_before(self) -> None:
        raise NotImplementedError

    def restore_after(self) -> None:
        raise NotImplementedError

    def first_apply(self) -> None:
        self.apply()
        self._applied = True

    def redo(self) -> None:
        if self._applied:          # pushed right after first_apply: already done
            self._applied = False
            return
        self._run(self.restore_after)

    def undo(self) -> None:
        self._run(self.restore_before)

    def _run(self, step) -> None:
        try:
            step()
        except Exception as error:   # the stack must not crash the window
            self.host.command_failed(self, error)
            return
        self.host.command_done(self)


class AddPassages(StorageCommand):
    """Tag one or more ranges; undo deletes exactly these passages."""

    def __init__(self, host, text: str, ranges: list[dict], analyst: str, *,
                 article_id: int | None = None):
        super().__init__(host, text, article_id=article_id)
        self.ranges, self.analyst = list(ranges), analyst
        self.rows: list[dict] = []

    def apply(self) -> None:
        with self.db.atomic():
            ids = [passages.add_passage(self.db, analyst=self.analyst, **r)
                   for r in self.ranges]
        self.rows = snapshots.passage_rows(self.db, ids)

    @property
    def passage_ids(self) -> list[int]:
        return [row["id"] for row in self.rows]

    def restore_before(self) -> None:
        snapshots.remove_passages(self.db, self.passage_ids)

    def restore_after(self) -> None:
        snapshots.restore_passages(self.db, self.rows)


class StoredPassages(AddPassages):
    """Passages a worker already stored in one transaction (auto-tag): the
    command starts from their rows, handed over through the worker's
    signal; undo deletes exactly these, redo writes them back."""

    def __init__(self, host, text: str, rows: list[dict], *, article_id: int | None = None):
        super().__init__(host, text, [], "", article_id=article_id)
        self.rows = list(rows)

    def apply(self) -> None:
        """Nothing to do: the rows are stored already."""


class DeletePassage(StorageCommand):
    """Delete one passage; undo re-inserts the same row (same id)."""

    def __init__(self, host, passage_id: int, *, article_id: int | None = None):
        super().__init__(host, "Delete passage", article_id=article_id)
        self.passage_id = passage_id
        self.rows: list[dict] = []

    def apply(self) -> None:
        self.rows = snapshots.passage_rows(self.db, [self.passage_id])
        passages.delete_passage(self.db, self.passage_id)

    def restore_before(self) -> None:
        snapshots.restore_passages(self.db, self.rows)

    def restore_after(self) -> None:
        snapshots.remove_passages(self.db, [self.passage_id])


class SnapshotCommand(StorageCommand):
    """A change whose undo and redo write back a snapshot taken by
    :meth:`take` before and after :meth:`change`, with :meth:`put`."""

    def take(self):
        raise NotImplementedError

    def put(self, state) -> None:
        raise NotImplementedError

    def change(self) -> None:
        raise NotImplementedError

    def apply(self) -> None:
        self.before = self.take()
        self.change()
        self.after = self.take()

    def restore_before(self) -> None:
        self.put(self.before)

    def restore_after(self) -> None:
        self.put(self.after)


class ChangePassage(SnapshotCommand):
    """A note edit or a re-tag of one passage."""

    def __init__(self, host, text: str, passage_id: int, change, *,
                 article_id: int | None = None):
        super().__init__(host, text, article_id=article_id)
        self.passage_id, self._change = passage_id, change

    def take(self) -> list[dict]:
        return snapshots.passage_rows(self.db, [self.passage_id])

    def put(self, rows: list[dict]) -> None:
        snapshots.restore_passages(self.db, rows)

    def change(self) -> None:
        self._change(self.db, self.passage_id)


class ChangePassages(ChangePassage):
    """One change to many passages (a re-tag in the Passages workspace),
    made by ``change(db, ids)`` in one transaction; one undo step."""

    def take(self) -> list[dict]:
        return snapshots.passage_rows(self.db, self.passage_id)

    def change(self) -> None:
        self._change(self.db, list(self.passage_id))


class DeletePassages(StorageCommand):
    """Delete many passages in one transaction; undo re-inserts the same rows."""

    def __init__(self, host, text: str, passage_ids: list[int], *,
                 article_id: int | None = None):
        super().__init__(host, text, article_id=article_id)
        self.passage_ids = list(passage_ids)
        self.rows: list[dict] = []

    def apply(self) -> None:
        self.rows = snapshots.passage_rows(self.db, self.passage_ids)
        passages.delete_passages(self.db, self.passage_ids)

    def restore_before(self) -> None:
        snapshots.restore_passages(self.db, self.rows)

    def restore_after(self) -> None:
        snapshots.remove_passages(self.db, self.passage_ids)


class DeleteArticles(StorageCommand):
    """Delete articles with their passages; undo puts the same rows back
    (their analysis runs again: ``TEXT``)."""

    changes = frozenset({ARTICLE, PASSAGES, TEXT})

    def __init__(self, host, text: str, article_ids: list[int]):
        super().__init__(host, text)
        self.article_ids = list(article_ids)
        self.rows: list[dict] = []
        self.passages: list[dict] = []

    def apply(self) -> None:
        self.rows = snapshots.article_rows(self.db, self.article_ids)
        self.passages = snapshots.article_passage_rows(self.db, self.article_ids)
        articles.delete_articles(self.db, self.article_ids)

    def restore_before(self) -> None:
        snapshots.restore_articles(self.db, self.rows, self.passages)

    def restore_after(self) -> None:
        articles.delete_articles(self.db, self.article_ids)


class CreateTag(StorageCommand):
    """A new tag; undo deletes it (it has no passages yet)."""

    changes = frozenset({TAGS})

    def __init__(self, host, name: str, color: str, **options):
        super().__init__(host, f"New tag “{name}”")
        self.name, self.color, self.options = name, color, options
        self.row: dict | None = None

    def apply(self) -> None:
        tag_id = tags.create_tag(self.db, self.name, self.color, **self.options)
        self.row = snapshots.tag_row(self.db, tag_id)

    def restore_before(self) -> None:
        snapshots.remove_tag(self.db, self.row["id"])

    def restore_after(self) -> None:
        snapshots.restore_tag(self.db, self.row)


class ChangeTags(StorageCommand):
    """Any change to tags and their passages — rename, recolour, describe,
    delete, merge: the affected tags and their passages are snapshotted
    before and after; undo and redo write the snapshots back (a tag that
    no longer exists in a snapshot is deleted, after its passages)."""

    def __init__(self, host, text: str, tag_ids: list[int], change):
        super().__init__(host, text)
        self.tag_ids, self.change = list(tag_ids), change
        self.before: dict = {}
        self.after: dict = {}

    def _snapshot(self, child_ids: list[int]) -> dict:
        return {"tags": snapshots.tag_rows(self.db, self.tag_ids),
                "children": snapshots.tag_rows(self.db, child_ids),
                "passages": [p for tag_id in self.tag_ids
                             for p in snapshots.tag_passage_rows(self.db, tag_id)]}

    def apply(self) -> None:
        children = [c for c in snapshots.child_tag_ids(self.db, self.tag_ids)
                    if c not in self.tag_ids]
        before = self._snapshot(children)
        self.change(self.db)
        self.before, self.after = before, self._snapshot(children)

    def _write(self, state: dict, other: dict) -> None:
        present = {row["id"] for row in state["tags"]}
        kept_passages = {p["id"] for p in state["passages"]}
        with self.db.atomic():
            snapshots.remove_passages(self.db, [p["id"] for p in other["passages"]
                                                if p["id"] not in kept_passages
                                                and p["tag_id"] not in present])
            snapshots.restore_tags(self.db, state["tags"] + state["children"],
                                   state["passages"])
            for row in other["tags"]:
                if row["id"] not in present:
                    snapshots.remove_tag(self.db, row["id"])

    def restore_before(self) -> None:
        self._write(self.before, self.after)

    def restore_after(self) -> None:
        self._write(self.after, self.before)


class ImportCodebook(StorageCommand):
    """Codebook entries merged into the tags: every tag row is snapshotted
    before and after; undo deletes the tags the import created (they have
    no passages yet) and writes the old rows back."""

    changes = frozenset({TAGS})

    def __init__(self, host, text: str, entries: list[dict]):
        super().__init__(host, text)
        self.entries = entries
        self.before: list[dict] = []
        self.after: list[dict] = []
        self.result: dict = {}

    def _rows(self) -> list[dict]:
        return snapshots.tag_rows(self.db, [t["id"] for t in tags.list_tags(self.db)])

    def apply(self) -> None:
        before = self._rows()
        self.result = codebook.apply_codebook(self.db, self.entries)
        self.before, self.after = before, self._rows()

    def restore_before(self) -> None:
        kept = {row["id"] for row in self.before}
        with self.db.atomic():
            snapshots.restore_tags(self.db, self.before)
            for row in self.after:
                if row["id"] not in kept:
                    snapshots.remove_tag(self.db, row["id"])

    def restore_after(self) -> None:
        snapshots.restore_tags(self.db, self.after)


class EditDetails(SnapshotCommand):
    """Title, source, author, date, URL of one article."""

    changes = frozenset({ARTICLE})

    def __init__(self, host, article_id: int, values: dict):
        super().__init__(host, "Edit article details", article_id=article_id)
        self.values = values

    def take(self) -> dict:
        return snapshots.article_details(self.db, self.article_id)

    def put(self, details: dict) -> None:
        snapshots.restore_article_details(self.db, self.article_id, details)

    def change(self) -> None:
        articles.update_details(self.db, self.article_id, **self.values)


class ReplaceText(SnapshotCommand):
    """New article text with its passages re-anchored; undo puts back the
    old text and every passage's old offsets, context and anchor."""

    changes = frozenset({TEXT, PASSAGES, TAGS})

    def __init__(self, host, article_id: int, text: str):
        super().__init__(host, "Edit article text", article_id=article_id)
        self.text = text
        self.counts: dict = {}

    def take(self) -> dict:
        return snapshots.article_text_state(self.db, self.article_id)

    def put(self, state: dict) -> None:
        snapshots.restore_article_text_state(self.db, self.article_id, state)
        near_duplicates.link_similar(self.db, self.article_id, state["text"])

    def change(self) -> None:
        self.counts = articles.replace_article_text(self.db, self.article_id, self.text)
        near_duplicates.link_similar(self.db, self.article_id, self.text)


class SetReviewStatus(StorageCommand):
    """An article's review status."""

    changes = frozenset({REVIEW})

    def __init__(self, host, article_id: int, status: str):
        super().__init__(host, f"Mark article {status}", article_id=article_id)
        self.status = status
        self.before = ""

    def apply(self) -> None:
        self.before = review.review_status(self.db, self.article_id)
        review.set_review_status(self.db, self.article_id, self.status)

    def restore_before(self) -> None:
        review.set_review_status(self.db, self.article_id, self.before)

    def restore_after(self) -> None:
        review.set_review_status(self.db, self.article_id, self.status)


class SetMemo(StorageCommand):
    """An article's memo as saved after a pause in typing. Consecutive saves
    of the same article's memo merge into one step, so one undo takes back
    a whole stretch of writing, not the last half-second of it."""

    changes = frozenset({MEMO})
    #: :meth:`QUndoCommand.id` of memo saves (merging needs one)
    ID = 7001

    def __init__(self, host, article_id: int, text: str):
        super().__init__(host, "Edit memo", article_id=article_id)
        self.before, self.text = "", text

    def id(self) -> int:
        return self.ID

    def mergeWith(self, other) -> bool:
        if not isinstance(other, SetMemo) or other.article_id != self.article_id:
            return False
        self.text = other.text
        return True

    def apply(self) -> None:
        self.before = review.memo(self.db, self.article_id)
        review.set_memo(self.db, self.article_id, self.text)

    def restore_before(self) -> None:
        review.set_memo(self.db, self.article_id, self.before)

    def restore_after(self) -> None:
        review.set_memo(self.db, self.article_id, self.text)


class CorrectEntities(SnapshotCommand):
    """A merge, unmerge or label correction of corpus entities: the analyst's
    entity corrections (a few rows, never the analyses) are snapshotted
    before and after; ``change(db)`` is a ``storage.entity_corrections`` call."""

    changes = frozenset({ENTITIES})

    def __init__(self, host, text: str, change):
        super().__init__(host, text)
        self._change = change

    def take(self) -> dict:
        return snapshots.entity_corrections(self.db)

    def put(self, state: dict) -> None:
        snapshots.restore_entity_corrections(self.db, state)

    def change(self) -> None:
        self._change(self.db)
