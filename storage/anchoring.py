"""Re-anchoring passages when an article's text changes.

A passage keeps its exact text and some context either side (the W3C
TextQuoteSelector idea). In the new text it goes to the occurrence of its
exact text whose surroundings best match the old context, nearest its old
position on a tie. A passage whose text no longer occurs is *orphaned*:
kept, flagged, never dropped. So is a short passage whose words now occur
only in other surroundings: "Cambodia" deleted in one sentence must not
jump to another sentence's "Cambodia".
"""

from __future__ import annotations

import os


def _common_suffix(a: str, b: str) -> int:
    return len(os.path.commonprefix([a[::-1], b[::-1]]))


def _common_prefix(a: str, b: str) -> int:
    return len(os.path.commonprefix([a, b]))


#: Characters of matching context a candidate needs, unless the passage is
#: at least :data:`SELF_EVIDENT_LENGTH` long (long words are evidence enough).
MIN_CONTEXT = 8
SELF_EVIDENT_LENGTH = 30


def reanchor(new_text: str, *, start: int, exact: str, prefix: str, suffix: str
             ) -> tuple[int, int] | None:
    """The passage's ``(start, end)`` in ``new_text``, or None if it is gone."""
    if not exact:
        return None
    best, best_key = None, None
    position = new_text.find(exact)
    while position >= 0:
        end = position + len(exact)
        context = (_common_suffix(new_text[max(0, position - len(prefix)):position], prefix)
                   + _common_prefix(new_text[end:end + len(suffix)], suffix))
        key = (-context, abs(position - start))
        enough = context >= min(MIN_CONTEXT, len(prefix) + len(suffix)) \
            or len(exact) >= SELF_EVIDENT_LENGTH
        if enough and (best_key is None or key < best_key):
            best, best_key = (position, end), key
        position = new_text.find(exact, position + 1)
    return best
