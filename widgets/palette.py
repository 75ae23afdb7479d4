"""Colours Dossier paints by hand: displaCy's entity palette, the quote
style, and the light and dark schemes (:data:`LIGHT`, :data:`DARK`) that
keep every highlight, bar and banner readable on either background.

Plain Python (no Qt): the GUI turns a :class:`Scheme` into a QPalette.
"""

from __future__ import annotations

from dataclasses import dataclass, field

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


# -- light and dark schemes ---------------------------------------------
#: WCAG contrast a passage bar keeps against the reader's background (a bar
#: in a tag colour darker than that is lightened, in the dark scheme only).
BAR_MIN_CONTRAST = 3.0


def _channels(color: str) -> tuple[int, int, int]:
    value = color.lstrip("#")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


def mix(color: str, other: str, weight: float) -> str:
    """``weight`` of ``color`` and the rest of ``other``, as ``#rrggbb``."""
    return "#" + "".join(f"{round(a * weight + b * (1 - weight)):02x}"
                         for a, b in zip(_channels(color), _channels(other)))


def luminance(color: str) -> float:
    """WCAG relative luminance of ``#rrggbb``."""
    def linear(channel: int) -> float:
        c = channel / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (linear(c) for c in _channels(color))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(a: str, b: str) -> float:
    """WCAG contrast ratio of two ``#rrggbb`` colours (1 to 21)."""
    darker, lighter = sorted((luminance(a), luminance(b)))
    return (lighter + 0.05) / (darker + 0.05)


@dataclass(frozen=True)
class Scheme:
    """Every colour Dossier paints by hand, for one theme.

    ``ui`` maps QPalette role names to colours; empty means the platform's
    own palette (the light scheme on a light desktop).
    """

    name: str
    entity_colors: dict = field(default_factory=dict)
    other_entity: str = OTHER_ENTITY_COLOR
    quote_background: str = QUOTE_BACKGROUND
    quote_foreground: str = QUOTE_FOREGROUND
    search_background: str = SEARCH_BACKGROUND
    #: text colour inside search marks (None: the text keeps its colour)
    search_foreground: str | None = None
    passages_key: str = "#f0e0a0"
    #: text on the legend's coloured toggles
    legend_text: str = "#202020"
    banner_background: str = "#fff3bf"
    banner_foreground: str = "#5c4400"
    banner_border: str = "#e5c100"
    #: the reader's text and background (for contrast checks and bars)
    text: str = "#000000"
    base: str = "#ffffff"
    dark: bool = False
    ui: dict = field(default_factory=dict)

    def entity_color(self, label: str) -> str:
        return self.entity_colors.get(label, self.other_entity)

    def bar_color(self, color: str) -> str:
        """A tag colour as a passage bar: in the dark scheme, lightened
        until the bar stands out from the background."""
        if not self.dark:
            return color
        bar = color
        for step in range(1, 8):
            if contrast_ratio(bar, self.base) >= BAR_MIN_CONTRAST:
                break
            bar = mix(color, "#ffffff", 1 - step / 10)
        return bar

    def banner_style(self) -> str:
        return (f"background: {self.banner_background}; color: {self.banner_foreground};"
                f" border: 1px solid {self.banner_border}; padding: 6px; border-radius: 3px;")


#: The light scheme's palette when the desktop is dark but the analyst
#: chose Light (on a light desktop the platform's palette is kept).
_LIGHT_UI = {
    "Window": "#efefef", "WindowText": "#000000", "Base": "#ffffff",
    "AlternateBase": "#f7f7f7", "Text": "#000000", "PlaceholderText": "#6e6e6e",
    "Button": "#efefef", "ButtonText": "#000000", "ToolTipBase": "#ffffdc",
    "ToolTipText": "#000000", "Highlight": "#3584e4", "HighlightedText": "#ffffff",
    "Light": "#ffffff", "Midlight": "#cacaca", "Mid": "#b8b8b8", "Dark": "#9f9f9f",
    "Shadow": "#767676", "BrightText": "#ffffff", "Link": "#1a5fb4",
    "LinkVisited": "#813d9c", "Disabled:WindowText": "#8c8c8c",
    "Disabled:Text": "#8c8c8c", "Disabled:ButtonText": "#8c8c8c",
}

_DARK_BASE = "#1e1f22"
_DARK_TEXT = "#e6e6e6"
_DARK_UI = {
    "Window": "#2d2e31", "WindowText": _DARK_TEXT, "Base": _DARK_BASE,
    "AlternateBase": "#26272b", "Text": _DARK_TEXT, "PlaceholderText": "#a2a4ab",
    "Button": "#37383c", "ButtonText": _DARK_TEXT, "ToolTipBase": "#3a3b40",
    "ToolTipText": "#f2f2f2", "Highlight": "#3584e4", "HighlightedText": "#ffffff",
    "Light": "#4a4b50", "Midlight": "#3e3f44", "Mid": "#8a8c93", "Dark": "#18191b",
    "Shadow": "#0b0b0c", "BrightText": "#ff7b72", "Link": "#78aeff",
    "LinkVisited": "#c192ff", "Disabled:WindowText": "#7d7f86",
    "Disabled:Text": "#7d7f86", "Disabled:ButtonText": "#7d7f86",
    "Disabled:Base": "#26272b", "Disabled:Button": "#303135",
}

LIGHT = Scheme("light", entity_colors=dict(ENTITY_COLORS), ui=_LIGHT_UI)

#: Dark: deep tints of displaCy's hues under light text, chosen by hand so
#: that labels whose displaCy colours are near (PERSON lavender and NORP
#: violet, DATE and the numbers) stay apart once darkened — a plain 30 % mix
#: over the background made people and nationalities the same grey-purple.
_DARK_NUMBERS = "#46492e"
DARK_ENTITY_COLORS = {
    "PERSON": "#433a85", "ORG": "#15565a", "GPE": "#5c4616", "LOC": "#6a3220",
    "NORP": "#6a2a5e", "DATE": "#2c4d38", "TIME": "#2c4d38",
    **{label: _DARK_NUMBERS for label in ("MONEY", "QUANTITY", "ORDINAL", "CARDINAL",
                                          "PERCENT")},
}
#: The quote wash a deep blue under pale blue text; search marks stay
#: highlighter yellow with dark text.
DARK = Scheme(
    "dark", dark=True, text=_DARK_TEXT, base=_DARK_BASE, ui=_DARK_UI,
    entity_colors=dict(DARK_ENTITY_COLORS), other_entity="#444444",
    quote_background="#22324d", quote_foreground="#c4d8ff",
    search_background=SEARCH_BACKGROUND, search_foreground="#1a1a1a",
    passages_key=mix("#f0e0a0", _DARK_BASE, 0.35), legend_text=_DARK_TEXT,
    banner_background="#453a10", banner_foreground="#ffe9a3", banner_border="#8a7214")

SCHEMES = {"light": LIGHT, "dark": DARK}
