"""A readable report: HTML grouping passages by tag.

Tags come in codebook order, nested as in the codebook's tree (a tag's
sections under its parent's), each with its passages by article and
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
from pathlib import Path

from desktop.exporters import report_charts
from desktop.exporters.base import ExportJob, ExportResult, tint, xml_safe
from storage.export_selection import selected_passages, selected_tags
from storage.passages import CONTEXT_CHARS
from widgets.wording import counted

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
    who = _text(row["analyst"])
    if row.get("decided_by"):   # a consensus passage: who decided it
        who += f' (decided by {_text(row["decided_by"])})'
    parts.append(f'<p style="margin: 0 0 0 1em; color: #666; font-size: small;">'
                 f'{who} · {_text(row["created_at"])}</p></div>')
    return "\n".join(parts)


def tree_order(tags: list[dict]) -> list[tuple[int, dict]]:
    """``(depth, tag)`` with each tag followed by the tags under it, siblings
    in codebook order; a tag whose parent is not in ``tags`` is at the top."""
    ids = {t["id"] for t in tags}
    children: dict[int | None, list[dict]] = {}
    for tag in tags:
        parent = tag.get("parent_id")
        children.setdefault(parent if parent in ids else None, []).append(tag)
    out: list[tuple[int, dict]] = []
    seen: set[int] = set()

    def walk(parent, depth):
        for tag in children.get(parent, []):
            if tag["id"] not in seen:
                seen.add(tag["id"])
                out.append((depth, tag))
                walk(tag["id"], depth + 1)
    walk(None, 0)
    return out


def _heading(depth: int, tag: dict, own: int, total: int) -> str:
    level = min(2 + depth, 6)
    count = f"{own}" if own == total else f"{own} · {total} with the tags under it"
    border = 3 if depth == 0 else 2
    return (f'<h{level} style="border-bottom: {border}px solid {tag["color"]};'
            f' padding-bottom: 0.1em; margin-left: {depth * 1.5}em;">'
            f'{_text(tag["name"])} <span style="color: #666; font-weight: normal;">'
            f'({count})</span></h{level}>')


def render(job: ExportJob, *, images: bool = False) -> tuple[str, int]:
    """The report as one HTML document, and how many passages it shows.
    With ``job.options.charts``, an overview of the passages opens it (its
    chart inline SVG, or with ``images`` an ``<img>`` the PDF supplies).

    Sections follow the codebook's tree: a tag's passages, then a section
    for each tag under it (a heading a level down, indented); a parent
    without passages of its own still heads its children's sections."""
    tags = selected_tags(job.db, job.filter)
    ordered = tree_order(tags)
    rows = list(selected_passages(job.db, job.filter, who_said=True))
    rows_by_tag: dict[int, list[dict]] = {}
    for row in rows:
        rows_by_tag.setdefault(row["tag_id"], []).append(row)
    total = {}
    for depth, tag in reversed(ordered):     # children come after their parent
        below = [t for d, t in ordered if t.get("parent_id") == tag["id"]]
        total[tag["id"]] = (len(rows_by_tag.get(tag["id"], ()))
                            + sum(total[t["id"]] for t in below))
    count = sum(len(r) for r in rows_by_tag.values())
    title = _text(job.options.title)
    now = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    out = ['<!DOCTYPE html>', '<html lang="en"><head><meta charset="utf-8">',
           f'<title>{title}</title></head>', f'<body style="{_PAGE_STYLE}">',
           f'<h1>{title}</h1>',
           f'<p style="color: #666;">{counted(count, "passage")} · '
           f'{_text(job.filter.describe())} · exported {now}</p>']
    if job.options.charts and count:
        out.append(report_charts.section(rows, images=images))
    for depth, tag in ordered:
        if not total[tag["id"]]:
            continue
        group = rows_by_tag.get(tag["id"], [])
        out.append(_heading(depth, tag, len(group), total[tag["id"]]))
        if tag["description"]:
            out.append(f'<p style="color: #666; margin-left: {depth * 1.5}em;">'
                       f'<i>{_text(tag["description"])}</i></p>')
        for row in group:
            out.append(_passage(row))
            job.progress.step()
    if not count:
        out.append("<p>No passages match.</p>")
    out.append("</body></html>\n")
    return "\n".join(out), count


def write_html(path: Path, job: ExportJob) -> ExportResult:
    document, count = render(job)
    path.write_text(document, encoding="utf-8", newline="\n")
    return ExportResult(count)
