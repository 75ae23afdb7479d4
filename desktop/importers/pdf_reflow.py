"""A PDF's text layer made into paragraphs, once, at import.

PDF text comes as lines, page by page, with the page furniture (running
headers and footers, page numbers) among them and words hyphenated at line
ends. :func:`reflow` drops the furniture, joins the lines of a paragraph
with spaces, undoes hyphenation at line ends and mends paragraphs that run
over a page break. The result is the stored text (what the reader shows),
so offsets into it never move afterwards.

Plain Python, with heuristics a reader of the page would agree with:

- a line repeated at the top or bottom of most pages (digits ignored, so
  "Page 3 of 9" and "The Post · 3" count as repeats) is furniture, and so is
  a bare page number ("7", "- 7 -", "Page 7", "7 / 12") there;
- a paragraph ends at a blank line, or at a line that ends a sentence and is
  clearly shorter than the text's usual line, or at a short line without a
  full stop followed by a capital (a heading);
- "trans-\\nnational" becomes "transnational" when the next line goes on in
  lower case; a hyphen before a capital ("Indo-\\nPacific") stays, without a
  space.
"""

from __future__ import annotations

import re
from collections import Counter
from statistics import median

_PAGE_NUMBER = re.compile(
    r"^(?:page\s*)?[-\u2013\u2014(\[]?\s*\d{1,4}\s*[-\u2013\u2014)\]]?"
    r"(?:\s*(?:of|/)\s*\d{1,4})?$", re.IGNORECASE)
_SENTENCE_END = re.compile(r"[.!?:;\u2026][\"'\u201d\u2019)\]]*$")
_BULLET = re.compile(r"^(?:[\u2022\u25aa\u2013\u2014*-]\s|\d{1,2}[.)]\s)")
#: How many lines at the top and at the bottom of a page may be furniture.
_EDGE = 2


def _key(line: str) -> str:
    return re.sub(r"\d+", "#", " ".join(line.lower().split()))


def _furniture(pages: list[list[str]]) -> set[str]:
    """Keys of lines repeated at the edges of at least half the pages (2+)."""
    if len(pages) < 2:
        return set()
    seen: Counter[str] = Counter()
    for lines in pages:
        edges = lines[:_EDGE] + lines[-_EDGE:]
        seen.update({_key(line) for line in edges if line})
    needed = max(2, (len(pages) + 1) // 2)
    return {key for key, count in seen.items() if count >= needed}


def _strip_page(lines: list[str], furniture: set[str]) -> list[str]:
    """A page's lines without its furniture at the top and the bottom."""
    def removable(line: str) -> bool:
        return _key(line) in furniture or bool(_PAGE_NUMBER.match(line))
    start, end = 0, len(lines)
    while start < min(end, _EDGE + 1) and (not lines[start] or removable(lines[start])):
        start += 1
    bottom = max(start, end - _EDGE - 1)
    while end > bottom and (not lines[end - 1] or removable(lines[end - 1])):
        end -= 1
    return lines[start:end]


def _join(left: str, right: str) -> str:
    """Two lines of one paragraph as one: hyphenation at the end undone."""
    if re.search(r"[^\W\d_]-$", left) and right[:1].isalpha():
        # "coop-|eration" was one word; "Indo-|Pacific" keeps its hyphen
        return (left[:-1] if right[:1].islower() else left) + right
    return f"{left} {right}"


def _paragraphs(lines: list[str], usual: float) -> list[str]:
    """Lines (a blank one is a break) joined into paragraphs."""
    out: list[str] = []
    current = ""
    for index, line in enumerate(lines):
        if not line:
            if current:
                out.append(current)
            current = ""
            continue
        following = next((x for x in lines[index + 1:index + 2]), "")
        ends_sentence = bool(_SENTENCE_END.search(line))
        short = len(line) < 0.8 * usual
        heading = (len(line) < 0.6 * usual and not ends_sentence
                   and following[:1].isupper())
        # a bullet, or a heading after a finished sentence, starts anew
        if current and (_BULLET.match(line) or (
                heading and _SENTENCE_END.search(current))):
            out.append(current)
            current = ""
        current = _join(current, line) if current else line
        if (ends_sentence and short) or heading:
            out.append(current)
            current = ""
    if current:
        out.append(current)
    return out


def reflow(pages: list[str]) -> str:
    """The pages' text as paragraphs separated by blank lines."""
    split = [[" ".join(line.split()) for line in page.replace("\x0c", "").split("\n")]
             for page in pages]
    furniture = _furniture([[line for line in lines if line] for lines in split])
    kept = [_strip_page(lines, furniture) for lines in split]
    lengths = [len(line) for lines in kept for line in lines if line]
    usual = median(lengths) if lengths else 0
    paragraphs: list[str] = []
    for lines in kept:
        page = _paragraphs(lines, usual)
        if not page:
            continue
        # a paragraph that runs over the page break: no full stop before it,
        # lower case after it
        if paragraphs and not _SENTENCE_END.search(paragraphs[-1]) and page[0][:1].islower():
            paragraphs[-1] = _join(paragraphs[-1], page.pop(0))
        paragraphs.extend(page)
    return "\n\n".join(paragraphs)
