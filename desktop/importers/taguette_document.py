"""Taguette's HTML document export: the article, and its highlights as codings.

Taguette (1.5) exports a document as HTML: its name in an ``<h1>``, then the
document with each highlight wrapped in ``<span class="highlight">`` and,
after it, ``<span class="taglist"> [Tag A, Tag B]</span>`` naming its tags (a
highlight running over several elements is several ``highlight`` spans, the
tag list after the last). It has no other export that holds where its
highlights are (no REFI-QDA project; the highlights CSV has no offsets), so
this is how Taguette's coding comes into Dossier.

The text is read as the HTML importer reads a fragment (block elements make
paragraphs, white space tidied), with the tag lists left out; each
highlight is marked by two private-use characters while the text is made,
then found by them. A highlight becomes a coding that holds its exact words
and their context (:class:`Coding`), anchored again in the text as stored
(which drops a repeated title line, say), as any passage is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from desktop.importers.drafts import ArticleDraft, ImportProblem

#: Where a highlight opens and closes while the text is made (private use:
#: removed before anything is stored).
OPEN, CLOSE = "\ue000", "\ue001"
#: Where a tag list was: the highlight pieces before it are one highlight.
LISTED = "\ue002"
_TAGLIST = re.compile(r"<span[^>]*class=[\"']taglist[\"']", re.I)
_HIGHLIGHT = re.compile(r"<span[^>]*class=[\"']highlight[\"']", re.I)
#: context kept either side of a coding, as a passage keeps it
CONTEXT = 40


@dataclass(frozen=True)
class Coding:
    """One highlight: its words, their context and where they were found
    (``start``, in the text before :func:`~desktop.importers.article_text.finish`),
    and the names of its tags."""

    start: int
    exact: str
    prefix: str
    suffix: str
    tags: tuple[str, ...]


def is_taguette_document(html: str) -> bool:
    """Whether ``html`` is Taguette's export of a document with highlights
    (and holds none of the characters that mark them while it is read: a
    page that does is read as an ordinary page)."""
    return bool(_TAGLIST.search(html) and _HIGHLIGHT.search(html)) and not any(
        mark in html for mark in (OPEN, CLOSE, LISTED))


def read_taguette_document(html: str) -> ArticleDraft:
    """The article (named as Taguette named the document) with its
    highlights in ``codings``; the tag lists are not in its text."""
    from lxml import html as lxml_html
    from lxml.etree import ParserError

    from desktop.importers.web_page import element_text

    try:
        root = lxml_html.document_fromstring(html)
    except (ParserError, ValueError) as error:
        raise ImportProblem(f"not a readable HTML document ({error})") from error
    for element in list(root.iter("head")):
        element.drop_tree()
    body = root.find("body") if root.find("body") is not None else root
    title = None
    first = next(iter(body), None)
    if first is not None and first.tag == "h1":      # the name Taguette gave it
        title = " ".join(first.text_content().split()) or None
        first.drop_tree()
    tag_lists: list[tuple[str, ...]] = []
    for element in list(body.iter("span")):
        classes = (element.get("class") or "").split()
        if "taglist" in classes:
            tag_lists.append(_tag_names(element.text_content()))
            # where the list was: a highlight's pieces before it are its
            element.text, element[:] = LISTED, []
        elif "highlight" in classes:
            element.text = OPEN + (element.text or "")
            if len(element):
                element[-1].tail = (element[-1].tail or "") + CLOSE
            else:
                element.text += CLOSE
    marked = element_text(body)       # as the HTML importer reads a fragment
    text, spans = _unmarked(marked)
    codings = _codings(text, spans, tag_lists)
    if not text.strip():
        raise ImportProblem("no article text")
    notes = [f"a Taguette document: its {len(codings)} highlight"
             f"{'s' if len(codings) != 1 else ''} kept as passages, its [tag] markers left "
             f"out of the text"] if codings else []
    return ArticleDraft(text=text, title=title, codings=codings, notes=notes)


def _tag_names(listed: str) -> tuple[str, ...]:
    """``" [Tag A, Tag B]"`` → ``("Tag A", "Tag B")``."""
    inner = listed.strip()
    if inner.startswith("[") and inner.endswith("]"):
        inner = inner[1:-1]
    return tuple(name.strip() for name in inner.split(", ") if name.strip())


def _unmarked(marked: str) -> tuple[str, list[tuple[str, int]]]:
    """The text without the marks, and each mark (``OPEN``, ``CLOSE`` or
    the end of a tag list) with its offset in it. A mark between two
    spaces takes one of them with it (the text reads as if it were never
    there)."""
    out: list[str] = []
    spans: list[tuple[str, int]] = []
    skip_space = False
    for char in marked:
        if char in (OPEN, CLOSE, LISTED):
            spans.append((char, len(out)))
            skip_space = bool(out) and out[-1] in " \n"
            continue
        if skip_space and char == " ":
            skip_space = False
            continue
        skip_space = False
        out.append(char)
    return "".join(out), spans


def _codings(text: str, spans: list[tuple[str, int]],
             tag_lists: list[tuple[str, ...]]) -> list[Coding]:
    """Each highlight (its pieces up to the next tag list, as one range,
    trimmed of white space) with that list's tags."""
    codings: list[Coding] = []
    pieces: list[tuple[int, int]] = []
    opened = None
    lists = iter(tag_lists)
    for mark, offset in spans:
        if mark == OPEN:
            opened = offset
        elif mark == CLOSE and opened is not None:
            pieces.append((opened, offset))
            opened = None
        elif mark == LISTED:
            tags = next(lists, ())
            if pieces and tags:
                start, end = pieces[0][0], pieces[-1][1]
                while start < end and text[start].isspace():
                    start += 1
                while end > start and text[end - 1].isspace():
                    end -= 1
                if start < end:
                    codings.append(Coding(start, text[start:end],
                                          text[max(0, start - CONTEXT):start],
                                          text[end:end + CONTEXT], tags))
            pieces = []
    return codings
