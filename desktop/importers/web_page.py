"""Saved web pages (.html, .htm): the article body and its title, date,
author, outlet and URL from the page's metadata and markup, via
trafilatura, which leaves navigation, ads and "related" boxes out. Works
offline: nothing is fetched."""

from __future__ import annotations

import re
from pathlib import Path

from desktop.importers.article_text import paragraphs_text
from desktop.importers.drafts import ArticleDraft, ImportProblem, iso_date
from desktop.importers.file_bytes import decode_html, read_bytes

_MARKUP = re.compile(r"<\s*(html|body|head|p|div|article|br|!doctype)\b", re.I)
_BLOCKS = ("p", "div", "li", "br", "h1", "h2", "h3", "h4", "h5", "h6", "tr",
           "blockquote", "section", "article")


def read_web_page(path: Path) -> ArticleDraft:
    """One article from a saved web page."""
    return extract_article(decode_html(read_bytes(path)))


def extract_article(html: str, *, url: str | None = None) -> ArticleDraft:
    """The main article of an HTML page, with the page's metadata."""
    if not _MARKUP.search(html[:20000]):
        raise ImportProblem("not an HTML page")
    import trafilatura

    document = trafilatura.bare_extraction(
        html, url=url, with_metadata=True, include_comments=False,
        include_tables=True, deduplicate=False,
        date_extraction_params={"extensive_search": False, "original_date": True})
    text = (document.text if document is not None else None) or ""
    if not text.strip():
        raise ImportProblem("no article text found in the page")
    return ArticleDraft(
        text=paragraphs_text(text.split("\n")),
        title=document.title or None,
        source=document.sitename or document.hostname or None,
        author=document.author or None,
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
    for element in root.iter("script", "style"):
        element.drop_tree()
    for element in root.iter(*_BLOCKS):
        element.tail = "\n\n" + (element.tail or "")
    return paragraphs_text(re.split(r"\n\s*\n", root.text_content()))


def looks_like_html(text: str) -> bool:
    """Whether a text field holds markup rather than plain text."""
    return bool(re.search(r"<\s*(p|br|div|/p|/div|a\s+href)\b", text[:5000], re.I))
