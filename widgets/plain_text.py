"""Keeping untrusted text literal where Qt would guess it is HTML.

Qt shows tooltips and some labels as rich text when the string merely
looks like markup; article text, titles and notes must never be interpreted.
"""

from __future__ import annotations

import html


def plain_tooltip(text: str) -> str:
    """A tooltip string that Qt renders as exactly ``text``."""
    return "<qt>" + html.escape(text).replace("\n", "<br/>") + "</qt>"
