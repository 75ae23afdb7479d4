"""Saved web pages (.html, .htm): the article body and its title, date,
author, outlet and URL from the page's metadata and markup, via
trafilatura, which leaves navigation, ads and "related" boxes out. Works
offline: nothing is fetched.

Format characters: trafilatura drops every character Python does not call
printable, which takes out U+200D ZERO WIDTH JOINER (it holds emoji
sequences such as 👨‍👩‍👧 together), U+200C ZERO WIDTH NON-JOINER (Persian,
Kurdish and Indic spelling: می‌خواهم), the direction marks, embeddings and
isolates that keep Hebrew or Arabic lines with numbers in order (RLM, LRM,
ALM, U+202A–202E, U+2066–2069): every character of Unicode category Cf.
They are swapped for placeholder characters absent from the page before
extraction and put back after it (:func:`_protect_joiners`). But the soft
hyphen (U+00AD, ``&shy;``), a hyphenation hint inside long words of German
or Dutch pages: kept, it split "Bundes\u00adregierung" for the search, the
entities and auto-tag; it goes, as trafilatura drops it."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from desktop.importers.article_text import paragraphs_text
from desktop.importers.drafts import ArticleDraft, ImportProblem, iso_date
from desktop.importers.file_bytes import decode_html, read_bytes

_MARKUP = re.compile(r"<\s*(html|body|head|p|div|article|br|!doctype)\b", re.I)
_BLOCKS = ("p", "div", "li", "br", "h1", "h2", "h3", "h4", "h5", "h6", "tr",
           "blockquote", "section", "article")


def read_web_page(path: Path) -> ArticleDraft:
    """One article from a saved web page (Taguette's export of a document:
    with its highlights, :mod:`desktop.importers.taguette_document`)."""
    from desktop.importers.taguette_document import (is_taguette_document,
                                                     read_taguette_document)

    html = decode_html(read_bytes(path))
    if is_taguette_document(html):
        return read_taguette_document(html)
    return extract_article(html)


#: HTML character references that may name an invisible format character:
#: those with a name (zero-width joiners, direction marks) and numeric ones
#: (decimal, hexadecimal).
_REFERENCE = re.compile(r"&(zwj|zwnj|lrm|rlm);|&#0*(\d{1,7});|&#x0*([0-9a-f]{1,6});",
                        re.I)
_NAMED = {"zwj": "\u200d", "zwnj": "\u200c", "lrm": "\u200e", "rlm": "\u200f"}
#: The format character not kept: the soft hyphen (see the module's docstring).
_DROPPED = "\u00ad"
#: Printable characters (Tangut ideographs) that stand in for a format
#: character while trafilatura runs; those a page does not contain are used.
_STAND_INS = tuple(chr(code) for code in range(0x17000, 0x17100))


def _format_character(match: re.Match) -> str:
    """The character a reference names when it is a format character
    (category Cf), else the reference as written (trafilatura reads it)."""
    name, decimal, hexadecimal = match.groups()
    if name:
        return _NAMED[name.lower()]
    code = int(decimal) if decimal else int(hexadecimal, 16)
    if code <= 0x10FFFF and unicodedata.category(chr(code)) == "Cf" \
            and chr(code) not in _DROPPED:
        return chr(code)
    return match.group()


def _protect_joiners(html: str) -> tuple[str, dict[str, str]]:
    """``html`` with each invisible format character (Unicode category Cf:
    joiners, direction marks and isolates … but the soft hyphen), written
    as a character or a reference, replaced by a stand-in absent from it,
    and the map from stand-in back to character."""
    html = _REFERENCE.sub(_format_character, html)
    back: dict[str, str] = {}
    free = (c for c in _STAND_INS if c not in html)
    # (the page's distinct characters: a set made in C, then a few hundred looked up)
    for character in sorted(c for c in set(html)
                            if unicodedata.category(c) == "Cf" and c not in _DROPPED):
        stand_in = next(free, None)
        if stand_in is None:
            break
        html = html.replace(character, stand_in)
        back[stand_in] = character
    return html, back


def _restore(text: str | None, back: dict[str, str]) -> str | None:
    if not text:
        return text
    for stand_in, joiner in back.items():
        text = text.replace(stand_in, joiner)
    return text


#: Fewer words than this in what the extractor found is no article.
MIN_WORDS = 12


def extract_article(html: str, *, url: str | None = None) -> ArticleDraft:
    """The main article of an HTML page, with the page's metadata."""
    if not _MARKUP.search(html[:20000]):
        raise ImportProblem("not an HTML page")
    import trafilatura

    html, back = _protect_joiners(html)
    document = trafilatura.bare_extraction(
        html, url=url, with_metadata=True, include_comments=False,
        include_tables=True, deduplicate=False,
        date_extraction_params={"extensive_search": False, "original_date": True})
    text = _restore((document.text if document is not None else None) or "", back)
    if len(text.split()) < MIN_WORDS:       # a menu ("Home"), a cookie banner: no article
        shown = f" (only “{' '.join(text.split())[:60]}”)" if text.strip() else ""
        raise ImportProblem(f"no article text found in the page{shown}")
    return ArticleDraft(
        text=paragraphs_text(text.split("\n")),
        title=_restore(document.title, back) or None,
        source=document.sitename or document.hostname or None,
        author=_restore(document.author, back) or None,
        published=iso_date(document.date),
        url=document.url or url or None)


def fragment_text(fragment: str) -> str:
    """Readable text of an HTML fragment (a feed's ``content`` field, an
    e-mail's HTML part): block elements become paragraphs."""
    from lxml import html as lxml_html
    from lxml.etree import ParserError

    try:
        root = lxml_html.fromstring(fragment)
    except (ParserError, ValueError):
        return fragment
    return element_text(root)


def element_text(root) -> str:
    """Readable text of a parsed (lxml) element, changed in place: scripts
    and styles dropped, block elements become paragraphs."""
    for element in list(root.iter("script", "style")):
        element.drop_tree()
    for element in root.iter(*_BLOCKS):
        # a break before the block too: text before it ("By Jane Doe<p>…")
        # is a paragraph of its own, not glued to the block's first word
        if element.tag != "br":
            element.text = "\n\n" + (element.text or "")
        element.tail = "\n\n" + (element.tail or "")
    return paragraphs_text(re.split(r"\n\s*\n", root.text_content()))


def looks_like_html(text: str) -> bool:
    """Whether a text field holds markup rather than plain text."""
    return bool(re.search(r"<\s*(p|br|div|/p|/div|a\s+href)\b", text[:5000], re.I))
