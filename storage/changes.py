"""What an operation changed: the one message every panel refreshes from.

Each write (a journal step, its undo or redo, a step another process
committed, an import, an analysis run) reports a :class:`Changes`. The
window publishes it on one signal; each area looks at the kinds and ids it
cares about and updates only that, instead of re-reading everything.
"""

from __future__ import annotations

from dataclasses import dataclass, field

#: The kinds of change; a panel tests ``changes.touches(PASSAGES)``.
PASSAGES = "passages"      # passages added, removed, re-tagged, noted, re-anchored
TAGS = "tags"              # the codebook: names, colours, parents, keys
ARTICLE = "article"        # an article's details (title, source, date …)
TEXT = "text"              # an article's text
ARTICLES = "articles"      # articles added or deleted
REVIEW = "review"          # review status
MEMO = "memo"              # an article's memo
ENTITIES = "entities"      # the analyst's entity corrections
SPEAKERS = "speakers"      # the analyst's speaker and quote corrections
ANALYSIS = "analysis"      # analysis results (entities, quotes) stored for articles
ASSIGNMENTS = "assignments"  # which analyst codes which article

ALL_KINDS = frozenset({PASSAGES, TAGS, ARTICLE, TEXT, ARTICLES, REVIEW, MEMO,
                       ENTITIES, SPEAKERS, ANALYSIS, ASSIGNMENTS})


@dataclass(frozen=True)
class Changes:
    """The kinds of data an operation changed and the ids it touched.

    ``article_ids`` are the articles whose rows or children (passages, memo,
    review, analysis) changed; an empty ``article_ids`` with a kind set means
    "not known per article" (refresh that kind everywhere). ``foreign`` is
    true when the change was committed by another process or window.
    ``name`` is the journal step's name, when there is one. ``extra`` holds
    what an operation hands on besides (e.g. the rows a journal step wrote,
    :data:`CARRIED`, so that the window need not read them back)."""

    kinds: frozenset[str] = frozenset()
    article_ids: frozenset[int] = frozenset()
    passage_ids: frozenset[int] = frozenset()
    tag_ids: frozenset[int] = frozenset()
    foreign: bool = False
    name: str = ""
    extra: dict = field(default_factory=dict, compare=False, hash=False)

    @classmethod
    def of(cls, *kinds: str, article_ids=(), passage_ids=(), tag_ids=(),
           foreign: bool = False, name: str = "") -> "Changes":
        """A Changes of the given kinds and ids (any iterables)."""
        unknown = set(kinds) - ALL_KINDS
        if unknown:
            raise ValueError(f"unknown kinds of change: {sorted(unknown)}")
        return cls(frozenset(kinds), frozenset(article_ids), frozenset(passage_ids),
                   frozenset(tag_ids), foreign, name)

    def touches(self, *kinds: str) -> bool:
        """True if any of ``kinds`` changed."""
        return not self.kinds.isdisjoint(kinds)

    def touches_article(self, article_id: int | None) -> bool:
        """True if this may concern ``article_id`` (an unknown set concerns all)."""
        return bool(self.kinds) and (not self.article_ids or article_id in self.article_ids)

    def __bool__(self) -> bool:
        return bool(self.kinds)

    def within(self, other: "Changes") -> bool:
        """True if every kind and id of this change is in ``other`` (an
        unknown set of articles is within an unknown set only)."""
        return (self.kinds <= other.kinds and self.passage_ids <= other.passage_ids
                and self.tag_ids <= other.tag_ids
                and (not other.article_ids if not self.article_ids
                     else self.article_ids <= other.article_ids or not other.article_ids))

    def __or__(self, other: "Changes") -> "Changes":
        """Both changes; an unknown set of articles (kinds, no ids) on either
        side stays unknown (it concerns every article). The rows one side
        carries (:data:`CARRIED`) stay only if the other side adds nothing
        to it: they are then still the whole of what changed."""
        unknown = any(c.kinds and not c.article_ids for c in (self, other))
        extra = {k: v for k, v in {**self.extra, **other.extra}.items() if k not in CARRIED}
        for carrier, rest in ((self, other), (other, self)):
            if rest.within(carrier):
                extra.update((k, v) for k, v in carrier.extra.items() if k in CARRIED)
        return Changes(self.kinds | other.kinds,
                       frozenset() if unknown else self.article_ids | other.article_ids,
                       self.passage_ids | other.passage_ids, self.tag_ids | other.tag_ids,
                       self.foreign or other.foreign, self.name or other.name, extra)


NOTHING = Changes()

#: Keys of ``Changes.extra`` that describe all of a change (the passages a
#: journal step wrote, the moves of tags' passage counts): kept by ``|``
#: only when the other side adds nothing.
CARRIED = frozenset({"passages", "tag_counts"})
