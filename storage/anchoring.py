"""Re-anchoring passages when an article's text changes.

A passage keeps its exact text and some context either side (the W3C
TextQuoteSelector idea). In the new text it goes to the occurrence of its
exact text whose surroundings best match the old context, nearest its old
position on a tie. A passage whose text no longer occurs is *orphaned*:
kept, flagged, never dropped. So is a passage whose words now occur only in
other surroundings, however long it is: "Cambodia" deleted in one sentence
must not jump to another sentence's "Cambodia", and a quote whose sentence
was deleted must not move to the same words in another speaker's sentence.
An occurrence counts only if enough of its context matches: together, the
characters that match before and after it must be at least a quarter of
the stored context (:data:`CONTEXT_SHARE`; 20 of the usual 40 + 40), and
never fewer than :data:`MIN_CONTEXT` — an opening quotation mark and
",” he said" are not enough to tell two speakers' sentences apart.

When the article's old text is known too (an analyst's edit in Dossier),
a passage the edit did not touch stays on its words, moved by what the edit
added or removed before it (:func:`outside_edit`) — a lede at offset 0 has
no context before it, and a word fixed just after it left too little after
it to match — and a passage whose words were edited *inside* it — a typo fixed, a word added —
follows the edit (:func:`follow_edit`): the edit is the one stretch where
the old and new texts differ, and the passage keeps its first and last
words and at least half of its characters. An edit that crosses a
passage's edge, or rewrites most of it, still orphans it.
"""

from __future__ import annotations

import os


def _common_suffix(a: str, b: str) -> int:
    return len(os.path.commonprefix([a[::-1], b[::-1]]))


def _common_prefix(a: str, b: str) -> int:
    return len(os.path.commonprefix([a, b]))


#: Characters of matching context a candidate needs at least (or all the
#: stored context, when there is less).
MIN_CONTEXT = 8
#: The share of the stored context (prefix + suffix) that must match.
CONTEXT_SHARE = 0.25


def reanchor(new_text: str, *, start: int, exact: str, prefix: str, suffix: str
             ) -> tuple[int, int] | None:
    """The passage's ``(start, end)`` in ``new_text``, or None if it is gone
    (no occurrence of ``exact`` whose surroundings match the old context)."""
    if not exact:
        return None
    best, best_key = None, None
    available = len(prefix) + len(suffix)
    needed = max(min(MIN_CONTEXT, available), int(available * CONTEXT_SHARE))
    position = new_text.find(exact)
    while position >= 0:
        end = position + len(exact)
        before = _common_suffix(new_text[max(0, position - len(prefix)):position], prefix)
        after = _common_prefix(new_text[end:end + len(suffix)], suffix)
        key = (-(before + after), abs(position - start))
        if before + after >= needed and (best_key is None or key < best_key):
            best, best_key = (position, end), key
        position = new_text.find(exact, position + 1)
    return best


#: The share of a passage's characters an edit inside it must leave as they
#: were for the passage to follow the edit.
KEPT_SHARE = 0.5


def changed_stretch(old: str, new: str) -> tuple[int, int, int]:
    """``(begin, old_end, new_end)``: ``old[begin:old_end]`` became
    ``new[begin:new_end]`` and everything around it is the same (the
    longest common start and end; several edits in one save make one
    stretch from the first to the last)."""
    begin = _common_prefix(old, new)
    tail = _common_suffix(old[begin:], new[begin:])
    return begin, len(old) - tail, len(new) - tail


def merge_edits(base: str, mine: str, theirs: str) -> str | None:
    """Both corrections of ``base`` in one text — ``mine`` (typed in a
    dialog opened on ``base``) and ``theirs`` (saved elsewhere meanwhile) —
    when each changed a stretch apart from the other's (a character at
    least between them); None when they touch or overlap, where no one can
    say which words should win."""
    if theirs == base or mine == theirs:
        return mine
    if mine == base:
        return theirs
    b1, o1, n1 = changed_stretch(base, mine)
    b2, o2, n2 = changed_stretch(base, theirs)
    if o1 < b2:
        return base[:b1] + mine[b1:n1] + base[o1:b2] + theirs[b2:n2] + base[o2:]
    if o2 < b1:
        return base[:b2] + theirs[b2:n2] + base[o2:b1] + mine[b1:n1] + base[o1:]
    return None


def outside_edit(stretch: tuple[int, int, int], *, start: int, end: int
                 ) -> tuple[int, int] | None:
    """A range's ``(start, end)`` after the edit ``stretch`` (from
    :func:`changed_stretch`) when the edit lies wholly before or after it:
    its characters are the same, moved by what the edit added or removed
    before them. None when the edit touches the range."""
    begin, old_end, new_end = stretch
    if old_end <= start:
        return start + new_end - old_end, end + new_end - old_end
    if end <= begin:
        return start, end
    return None


def follow_edit(stretch: tuple[int, int, int], *, start: int, end: int
                ) -> tuple[int, int] | None:
    """A passage's ``(start, end)`` after the edit ``stretch`` (from
    :func:`changed_stretch`) when the edit lies inside it, its first and
    last characters untouched, and neither what it removed nor what it wrote
    is more than ``1 - KEPT_SHARE`` of the passage; otherwise None."""
    begin, old_end, new_end = stretch
    if not (start < begin and old_end < end):
        return None
    # what the edit removed or wrote, whichever is more, against the passage
    if max(old_end, new_end) - begin > (1 - KEPT_SHARE) * (end - start):
        return None
    return start, end + (new_end - old_end)


def follow(stretch: tuple[int, int, int] | None, new_text: str, *, start: int, end: int,
           exact: str, prefix: str, suffix: str, here: bool) -> tuple[int, int] | None:
    """Where a span's words are after an edit, by the one rule every span
    follows (passages, and the adjudication dialog's items and decisions):
    words the edit ``stretch`` did not touch stay on them, moved by what it
    added or removed before them (:func:`outside_edit`) — a word fixed next
    to a span can leave too little context to tell its words from a
    repeated copy (a lede scraped twice), where :func:`reanchor` alone would
    pick the copy; otherwise the occurrence whose context matches
    (:func:`reanchor`); otherwise, an edit inside the span that leaves most
    of it, the edit followed (:func:`follow_edit`). ``here``: whether
    ``start``-``end`` held ``exact`` in the text before the edit (an
    orphan's offsets point into an older text: only its words are looked
    for). None when the words are gone."""
    found = outside_edit(stretch, start=start, end=end) if here and stretch else None
    if found is None:
        found = reanchor(new_text, start=start, exact=exact, prefix=prefix, suffix=suffix)
    if found is None and here and stretch:
        found = follow_edit(stretch, start=start, end=end)
    return found
