"""Adjudication (issue 18): the disagreements of two analysts, one by one,
and what each decision writes into the consensus layer.

Qt-free. :func:`disagreements_between` runs the agreement report for the two
analysts and turns its diagnosis rows (each a stretch of an article where
their tags differ) into :class:`Disagreement` items with tag ids; a
:data:`CHOICES` decision names the tags that become consensus there
(:func:`tags_for`), written by :func:`storage.consensus.decide`. An item
keeps its words and their context (:class:`Anchor`), as a passage does, so
that it follows an edit of its article's text (:func:`follow`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from desktop.agreement.report import AgreementError, agreement_report, diagnosis_rows
from storage.agreement_data import CODED_BY_ALL, CODED_BY_ANY
from storage.anchoring import changed_stretch, follow as follow_span
from storage.passages import CONTEXT_CHARS

#: The decisions: the first analyst's tags, the second's, both, neither.
CHOICES = ("a", "b", "both", "neither")


@dataclass
class Disagreement:
    """One stretch ``[start, end)`` of an article where the two analysts'
    tags differ; ``first`` and ``second``: their tags there, as
    ``(tag_id, name)``."""

    article_id: int
    title: str
    start: int
    end: int
    first: list[tuple[int, str]]
    second: list[tuple[int, str]]


def disagreements_between(db, first: str, second: str, *, article_ids=None, tag_ids=None,
                          min_length: int = 1, both_coded: bool = False,
                          on_progress: Callable[[int, int], None] | None = None,
                          is_cancelled: Callable[[], bool] | None = None
                          ) -> list[Disagreement]:
    """Every disagreement of ``first`` and ``second``, in article and text
    order (the agreement report's diagnosis rows); stretches shorter than
    ``min_length`` characters (boundaries a character or two apart) are
    left out. None at all: an empty list (no passages to compare is not an
    error here). ``both_coded``: only in articles both coded (the agreement
    report's default: an article only one has coded is not yet a
    disagreement); otherwise every article either coded, what one has not
    coded being the adjudicator's to decide (take the other's tags, or
    neither)."""
    try:
        report = agreement_report(db, [first, second], article_ids=article_ids,
                                  tag_ids=tag_ids,
                                  scope=CODED_BY_ALL if both_coded else CODED_BY_ANY,
                                  on_progress=on_progress,
                                  is_cancelled=is_cancelled)
    except AgreementError:
        if first.strip() == second.strip() or not first.strip() or not second.strip():
            raise
        return []
    ids = {t["name"]: t["id"] for t in report.data.tags}
    found = []
    for row in diagnosis_rows(db, report, context=0):
        if row["end"] - row["start"] < min_length:
            continue
        tags = list(row["tags"].values())
        found.append(Disagreement(row["article_id"], row["article_title"], row["start"],
                                  row["end"], [(ids[n], n) for n in tags[0]],
                                  [(ids[n], n) for n in tags[1]]))
    return found


def tags_for(item: Disagreement, choice: str) -> list[int]:
    """The tag ids a decision makes consensus over the item's span."""
    if choice not in CHOICES:
        raise ValueError(f"choice must be one of {CHOICES}, not {choice!r}")
    first = [t for t, _ in item.first]
    second = [t for t, _ in item.second]
    chosen = {"a": first, "b": second, "both": first + second, "neither": []}[choice]
    return list(dict.fromkeys(chosen))


@dataclass(frozen=True)
class Anchor:
    """``[start, end)`` of an article's text as a passage keeps it: its words
    (``exact``) and the characters either side, so that it can be found
    again once the text has changed."""

    start: int
    end: int
    exact: str
    prefix: str
    suffix: str


def anchor(text: str, start: int, end: int) -> Anchor:
    """``[start, end)`` of ``text`` with its words and context."""
    return Anchor(start, end, text[start:end], text[max(0, start - CONTEXT_CHARS):start],
                  text[end:end + CONTEXT_CHARS])


def anchor_items(db, items: list) -> tuple[list[Anchor | None], dict[int, str | None]]:
    """Each item's :class:`Anchor` in its article's text (None: the article
    is gone), and each article's text (None: gone) — the text the items'
    offsets are into, kept so that an edit's stretch can be told
    (:func:`follow`). Read where the items were found (the Find worker's
    connection): a large scope's texts are not read on the GUI thread."""
    from storage.articles import get_article

    anchors: list[Anchor | None] = [None] * len(items)
    texts: dict[int, str | None] = {}
    by_article: dict[int, list[int]] = {}
    for index, item in enumerate(items):
        by_article.setdefault(item.article_id, []).append(index)
    for article_id, indices in by_article.items():
        article = get_article(db, article_id)
        text = article["text"] if article else None
        texts[article_id] = text
        if text is not None:
            for index in indices:
                anchors[index] = anchor(text, items[index].start, items[index].end)
    return anchors, texts


def follow(anchored: Anchor, old: str, new: str) -> Anchor | None:
    """Where ``anchored``'s words — into ``old``, the article's text they
    were taken in — are in ``new`` (its text now), by the rule its passages
    followed the edit (:func:`storage.anchoring.follow`). None if they are
    gone (rewritten, or only in other surroundings)."""
    if new == old:
        return anchored
    start, end = anchored.start, anchored.end
    found = follow_span(changed_stretch(old, new), new, start=start, end=end,
                        exact=anchored.exact, prefix=anchored.prefix, suffix=anchored.suffix,
                        here=old[start:end] == anchored.exact)
    return None if found is None else anchor(new, *found)


@dataclass(frozen=True)
class Followed:
    """An :class:`Anchor` as followed through its article's texts: the last
    place its words were found (``anchor``), the text that place is into
    (``text``), and whether they are ``gone`` from the latest text. A gone
    one keeps its last place, so that a later text — the edit undone — can
    find it again."""

    anchor: Anchor
    text: str
    gone: bool = False


def follow_into(followed: Followed, text: str) -> Followed:
    """``followed`` brought into ``text`` (its article's text now), from its
    last place and the text of that place (:func:`follow`): found, its
    place there; gone, its last place kept and flagged gone."""
    moved = follow(followed.anchor, followed.text, text)
    if moved is not None:
        return Followed(moved, text)
    return followed if followed.gone else Followed(followed.anchor, followed.text, True)
