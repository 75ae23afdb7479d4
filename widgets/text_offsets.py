"""Converting between Python code-point offsets and Qt's UTF-16 positions.

Dossier stores offsets as Python string indices (code points). Qt text
cursors count UTF-16 code units, so every character outside the Basic
Multilingual Plane (emoji, some CJK, historic scripts) counts twice in Qt.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right


class OffsetMap:
    """Maps offsets of one text between code points and UTF-16 units."""

    def __init__(self, text: str):
        self.length = len(text)
        # code-point indices of astral characters, in order
        self._astral = [i for i, c in enumerate(text) if ord(c) > 0xFFFF] \
            if any(ord(c) > 0xFFFF for c in text) else []
        # their UTF-16 positions
        self._astral_utf16 = [i + n for n, i in enumerate(self._astral)]

    def to_utf16(self, offset: int) -> int:
        """The UTF-16 position of code-point ``offset``."""
        return offset + bisect_left(self._astral, offset)

    def from_utf16(self, position: int) -> int:
        """The code-point offset at UTF-16 ``position``.

        A position inside a surrogate pair maps to the start of its character.
        """
        before = bisect_right(self._astral_utf16, position - 1)
        # astral characters that start before `position` and end after it
        if before and self._astral_utf16[before - 1] + 1 == position:
            return self._astral[before - 1]
        return position - before
