"""Line breaks in exchanged text, and what they do to positions.

Tools disagree on whether CRLF is one character or two, so sources are
exchanged with LF only, and positions are moved to match: dropping the CR
of each CRLF shifts every later position left by one; a lone CR becomes an
LF in place.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Callable


def normalise_line_breaks(text: str) -> tuple[str, Callable[[int], int]]:
    """``text`` with LF line breaks, and a function mapping an offset in
    ``text`` to the same place in the result."""
    dropped = [m.start() for m in re.finditer("\r\n", text)] if "\r" in text else []
    if not dropped:
        return text.replace("\r", "\n"), lambda offset: offset
    clean = text.replace("\r\n", "\n").replace("\r", "\n")
    return clean, lambda offset: offset - bisect_left(dropped, offset)
