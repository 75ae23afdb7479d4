"""How counts read, in the window and on the command line: "1 article",
"2 articles", "1,204 passages" — never "article(s)". Plain Python (the
command line uses it too)."""

from __future__ import annotations


def counted(count: int, noun: str, plural: str | None = None) -> str:
    """``count`` and ``noun``, plural unless the count is one; thousands
    separated. ``plural`` where adding "s" is wrong ("entity", "entities")."""
    return f"{count:,} {noun if count == 1 else plural or noun + 's'}"


#: Said after a filter that cannot run (a date that is none, a search FTS5
#: refuses): the list shown is still the one before it, not the typed one's.
STILL_SHOWN = "The list still shows the last filter that worked."
