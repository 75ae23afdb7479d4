"""Where the reader draws tagged passages: one bar per line a passage
covers, under the text, in its tag's colour, stacked where passages overlap.

Plain geometry over a laid-out ``QTextDocument``: the reader
(:class:`widgets.article_view.ArticleView`) keeps the result until its
passages, text or layout change.
"""

from __future__ import annotations

from PySide6.QtCore import QRect
from PySide6.QtGui import QColor, QTextDocument

from widgets import palette
from widgets.text_offsets import OffsetMap

#: ``(rect in document coordinates, colour, passage id)``
Bar = tuple[QRect, QColor, int]


def covering(items: list[dict], offset: int) -> list[dict]:
    """The items (``start``/``end`` dicts) whose span holds ``offset``."""
    return [i for i in items if i["start"] <= offset < i["end"]]


def stack_levels(passages: list[dict]) -> list[int]:
    """A stacking level per passage (in text order) so that overlapping
    bars never coincide."""
    levels, ends = [], []       # ends[level] = end of the last passage there
    for passage in passages:
        level = next((i for i, end in enumerate(ends) if end <= passage["start"]),
                     len(ends))
        if level == len(ends):
            ends.append(0)
        ends[level] = passage["end"]
        levels.append(level)
    return levels


def document_bars(document: QTextDocument, offsets: OffsetMap, passages: list[dict],
                  scheme: palette.Scheme, known: dict | None = None) -> list[Bar]:
    """The bars of ``passages`` (code-point offsets, mapped to the
    document's UTF-16 positions by ``offsets``).

    ``known``: each passage's bars from an earlier call on the same layout,
    by passage id, range, colour and level; they are reused, and the dict is
    brought up to date (a tag saved lays out one passage, not all of them).
    """
    bars: list[Bar] = []
    fresh: dict = {}
    for passage, level in zip(passages, stack_levels(passages)):
        key = (passage["id"], passage["start"], passage["end"], passage["color"], level)
        if known is not None and key in known:
            fresh[key] = known[key]
            bars += known[key]
            continue
        first = len(bars)
        _passage_bars(document, offsets, passage, level, scheme, bars)
        fresh[key] = bars[first:]
    if known is not None:
        known.clear()
        known.update(fresh)
    return bars


def _passage_bars(document: QTextDocument, offsets: OffsetMap, passage: dict, level: int,
                  scheme: palette.Scheme, bars: list[Bar]) -> None:
    """Append one passage's bars (one per line it covers) to ``bars``."""
    color = QColor(scheme.bar_color(passage["color"]))
    start = offsets.to_utf16(passage["start"])
    end = offsets.to_utf16(passage["end"])
    block = document.findBlock(start)
    while block.isValid() and block.position() < end:
        layout, base = block.layout(), block.position()
        origin = layout.position()
        # from the line holding the start to the line holding the end, not
        # every line of a long paragraph
        first = layout.lineForTextPosition(max(0, start - base))
        for index in range(first.lineNumber() if first.isValid() else 0, layout.lineCount()):
            line = layout.lineAt(index)
            line_start = base + line.textStart()
            if line_start >= end:
                break
            a = max(start, line_start)
            b = min(end, line_start + line.textLength())
            if a >= b:
                continue
            x1 = line.cursorToX(a - base)[0]
            x2 = line.cursorToX(b - base)[0]
            y = origin.y() + line.y() + line.ascent() + line.descent() + 1 + 4 * level
            # both ends rounded (not the start and the width truncated,
            # which could leave the bar pixels short of its last letter)
            left, right = round(origin.x() + x1), round(origin.x() + x2)
            bars.append((QRect(left, int(y), max(1, right - left), 3), color,
                         passage["id"]))
        block = block.next()
