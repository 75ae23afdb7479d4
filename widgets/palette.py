"""Colours for highlights: displaCy's entity palette and the quote style."""

from __future__ import annotations

ENTITY_COLORS = {
    "PERSON": "#aa9cfc", "ORG": "#7aecec", "GPE": "#feca74", "LOC": "#ff9561",
    "NORP": "#c887fb", "DATE": "#bfe1d9", "TIME": "#bfe1d9",
    "MONEY": "#e4e7d2", "QUANTITY": "#e4e7d2", "ORDINAL": "#e4e7d2",
    "CARDINAL": "#e4e7d2", "PERCENT": "#e4e7d2",
}
OTHER_ENTITY_COLOR = "#dddddd"

#: Quoted speech: a pale blue wash and dark blue italic text, so that an
#: entity's background inside a quote still shows.
QUOTE_BACKGROUND = "#e6eefb"
QUOTE_FOREGROUND = "#1d3f7a"

#: What the article list's search matched: a highlighter yellow over any
#: entity or quote colour.
SEARCH_BACKGROUND = "#ffe135"

#: Line height (percent) leaving room for stacked passage bars.
LINE_HEIGHT_PERCENT = 135

#: Legend keys that are not entity labels.
QUOTES_KEY = "QUOTES"
PASSAGES_KEY = "PASSAGES"


def entity_color(label: str) -> str:
    """The displaCy colour for an entity label."""
    return ENTITY_COLORS.get(label, OTHER_ENTITY_COLOR)
