"""Orphaned passages in a REFI-QDA project.

A passage whose words are no longer in its article's text (``anchor =
'orphaned'``, see :mod:`storage.anchoring`) has no place in the source: its
stored offsets are stale and may lie past the end. Dossier exports it as a
``PlainTextSelection`` at 0–0 whose ``Description`` says so in words, then
carries the passage's exact text and context on a line of its own
(:data:`MARK` and ASCII-only JSON), so that importing the project again —
into Dossier — brings it back orphaned instead of skipping it. Other tools
show the description and an empty selection. Plain Python.
"""

from __future__ import annotations

import json

#: Starts the machine-readable line of an orphaned selection's Description.
MARK = "Dossier-orphaned-passage: "


def orphan_description(row: dict) -> str:
    """The ``Description`` of an orphaned passage's selection."""
    words = " ".join(row["text"].split())
    words = words if len(words) <= 80 else words[:79] + "…"
    data = {"text": row["text"], "prefix": row["prefix"] or "", "suffix": row["suffix"] or ""}
    return (f"Orphaned passage: its words (“{words}”) are no longer in this text, so "
            f"the selection is empty (0–0).\n{MARK}{json.dumps(data, ensure_ascii=True)}")


#: What :func:`marked_value` gives for no line, or a damaged one.
_NONE = object()


def marked_value(description: str | None, mark: str):
    """The JSON value on the first line of ``description`` starting with
    ``mark`` (a Dossier line among the words of a selection's Description);
    :data:`_NONE` when there is none or it is damaged."""
    for line in (description or "").splitlines():
        if line.startswith(mark):
            try:
                return json.loads(line[len(mark):])
            except ValueError:
                return _NONE
    return _NONE


def orphan_from_description(description: str | None) -> dict | None:
    """``{"text", "prefix", "suffix"}`` if ``description`` is an orphaned
    passage's (as :func:`orphan_description` writes it), else None."""
    data = marked_value(description, MARK)
    if isinstance(data, dict) and isinstance(data.get("text"), str) and data["text"].strip():
        return {"text": data["text"], "prefix": str(data.get("prefix") or ""),
                "suffix": str(data.get("suffix") or "")}
    return None
