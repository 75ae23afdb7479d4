"""A readable report: HTML grouping passages by tag.

Tags come in codebook order, each with its passages by article and
position: the article's title, published date, source, author and URL, the
passage in its context (the stored 40 characters either side, the passage
marked in a tint of the tag colour), who said it (a passage that is or
contains a quote: its speaker as corrected, and kind), the note, and who
tagged it when.

Everything from the database is untrusted and HTML-escaped (a title
``<script>`` shows as text); XML-illegal control characters become spaces.
Paragraphs whose text starts with a right-to-left letter are set
``dir="rtl"``. The markup keeps to inline styles that Qt's rich text also
understands, so the PDF report (:mod:`desktop.exporters.pdf_report`) lays
out this same HTML.
"""

from __future__ import annotations

import html
import unicodedata
from datetime import datetime, timezone
from itertools import groupby
from pathlib import Path

from desktop.exporters.base import ExportJob, ExportResult, tint, xml_safe
from storage.export_selection import selected_passages, selected_tags
from storage.passages import CONTEXT_CHARS

_PAGE_STYLE = ("font-family: 'DejaVu Sans', 'Segoe UI', Helvetica, Arial, sans-serif;"
               " color: #222; max-width: 52em; margin: 2em auto; line-height: 1.4;")


def _text(value) -> str:
    return html.escape(xml_safe(str(value if value is not None else "")))


def direction(text: str) -> str:
    """``rtl`` if the first strong character is right-to-left, else ``ltr``."""
    for char in text:
        kind = unicodedata.bidirectional(char)
        if kind in ("R", "AL"):
            return "rtl"
        if kind == "L":
            return "ltr"
    return "ltr"


def _passage(row: dict) -> str:
    before = ("…" if row["start"] > len(row["prefix"]) else "") + row["prefix"]
    after = row["suffix"] + ("…" if len(row["suffix"]) >= CONTEXT_CHARS else "")
    mark = tint(row["tag_color"], 0.35)
    meta = [_text(row["article_published"] or "date unknown")]
    for column in ("article_source", "article_author", "article_url"):
        if row.get(column):
            meta.append(_text(row[column]))
    if row.get("anchor") == "orphaned":
        meta.append("⚠ orphaned: these words are no longer in the article")
    parts = [
        '<div style="margin: 0 0 1.2em 0;">',
        f'<p style="margin: 0;"><b>{_text(row["article_title"])}</b>'
        f' <span style="color: #666;">· {" · ".join(meta)}</span></p>',
        f'<p dir="{direction(before + row["text"])}" style="margin: 0.3em 0 0.3em 1em;'
        f' white-space: pre-wrap;">{_text(before)}'
        f'<span style="background-color: {mark}; font-weight: bold;">{_text(row["text"])}'
        f'</span>{_text(after)}</p>',
    ]
    if row.get("speaker"):
        kind = f' ({_text(row["speaker_kind"])})' if row.get("speaker_kind") else ""
        parts.append(f'<p style="margin: 0 0 0 1em;"><i>Said by:</i> '
                     f'{_text(row["speaker"])}{kind}</p>')
    if row["note"]:
        parts.append(f'<p dir="{direction(row["note"])}" style="margin: 0 0 0 1em;'
                     f' white-space: pre-wrap;"><i>Note:</i> {_text(row["note"])}</p>')
    parts.append(f'<p style="margin: 0 0 0 1em; color: #666; font-size: small;">'
                 f'{_text(row["analyst"])} · {_text(row["created_at"])}</p></div>')
    return "\n".join(parts)


def render(job: ExportJob) -> tuple[str, int]:
    """The report as one HTML document, and how many passages it shows."""
    tags = [t for t in selected_tags(job.db, job.filter) if t["passage_count"]]
    order = {t["id"]: i for i, t in enumerate(tags)}
    rows = sorted(selected_passages(job.db, job.filter),
                  key=lambda r: (order.get(r["tag_id"], len(order)),))
    title = _text(job.options.title)
    now = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    out = ['<!DOCTYPE html>', '<html lang="en"><head><meta charset="utf-8">',
           f'<title>{title}</title></head>', f'<body style="{_PAGE_STYLE}">',
           f'<h1>{title}</h1>',
           f'<p style="color: #666;">{len(rows)} passage(s) · '
           f'{_text(job.filter.describe())} · exported {now}</p>']
    tag_by_id = {t["id"]: t for t in tags}
    for tag_id, group in groupby(rows, key=lambda r: r["tag_id"]):
        group = list(group)
        tag = tag_by_id[tag_id]
        out.append(f'<h2 style="border-bottom: 3px solid {tag["color"]};'
                   f' padding-bottom: 0.1em;">{_text(tag["name"])}'
                   f' <span style="color: #666; font-weight: normal;">({len(group)})</span></h2>')
        if tag["description"]:
            out.append(f'<p style="color: #666;"><i>{_text(tag["description"])}</i></p>')
        for row in group:
            out.append(_passage(row))
            job.progress.step()
    if not rows:
        out.append("<p>No passages match.</p>")
    out.append("</body></html>\n")
    return "\n".join(out), len(rows)


def write_html(path: Path, job: ExportJob) -> ExportResult:
    document, count = render(job)
    path.write_text(document, encoding="utf-8", newline="\n")
    return ExportResult(count)
