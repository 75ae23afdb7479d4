"""The Overview's charts for a report, over exactly the exported passages:
tagged passages per month of publication (stacked columns per tag) and tags
× sources — as SVG written in plain Python (no Qt: the HTML report stays
Qt-free) and as HTML tables of the same numbers, so that nothing is told by
colour alone (each tag is also named in the legend and the tables).

The PDF report rasterises the same SVG (Qt's rich text shows images, not
inline SVG): :func:`charts` gives each chart's SVG by name.
"""

from __future__ import annotations

import html
from collections import Counter

from storage.overview import one_spelling

#: The most recent months drawn, and the sources tabulated.
MONTHS, SOURCES = 36, 12


def _e(value) -> str:
    return html.escape(str(value if value is not None else ""))


def summarise(rows: list[dict]) -> dict:
    """Counts over exported passage rows (``tag``, ``tag_color``,
    ``article_published``, ``article_source``): per (month, tag), per
    (tag, source), and the tags in order of first appearance."""
    months: Counter = Counter()
    sources: Counter = Counter()
    tags: dict[str, str] = {}
    for row in rows:
        tags.setdefault(row["tag"], row["tag_color"])
        published = (row.get("article_published") or "")[:7]
        if len(published) == 7 and published[4] == "-":
            months[(published, row["tag"])] += 1
        sources[(row["tag"], (row.get("article_source") or "").strip() or "(no source)")] += 1
    return {"months": months, "sources": _one_per_source(sources), "tags": tags}


def _one_per_source(sources: Counter) -> Counter:
    """``(tag, source)`` counts with a source's spellings that differ only by
    case ("VOD", "vod") summed under one, as the window's Tags × sources
    and its source filter take them (:func:`storage.overview.one_spelling`)."""
    rows = [(source, tag, n) for (tag, source), n in sources.items()]
    return Counter({(r["tag_id"], r["source"]): r["passages"] for r in one_spelling(rows)})


def time_svg(summary: dict, width: int = 720, height: int = 260) -> str:
    """Stacked columns of passages per month and tag, with a legend."""
    periods = sorted({p for p, _ in summary["months"]})[-MONTHS:]
    tags = list(summary["tags"])
    legend_h = 18 * len(tags)
    total_h = height + 60 + legend_h
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{total_h}" '
           f'viewBox="0 0 {width} {total_h}" font-family="DejaVu Sans, Arial, sans-serif" '
           f'font-size="10">',
           f'<rect width="{width}" height="{total_h}" fill="#ffffff"/>']
    if not periods:
        out.append('<text x="10" y="20">No dated passages.</text></svg>')
        return "\n".join(out)
    totals = {p: sum(summary["months"][(p, t)] for t in tags) for p in periods}
    top = max(totals.values()) or 1
    plot_w = width - 60
    column = plot_w / len(periods)
    base = height
    out.append(f'<line x1="50" y1="{base}" x2="{50 + plot_w}" y2="{base}" stroke="#444"/>')
    for tick in (0, top):
        y = base - (height - 20) * tick / top
        out.append(f'<text x="45" y="{y + 3:.1f}" text-anchor="end">{tick}</text>')
    every = max(1, round(len(periods) / 12))
    for i, period in enumerate(periods):
        x, y = 50 + i * column, base
        for tag in tags:
            n = summary["months"][(period, tag)]
            if not n:
                continue
            h = (height - 20) * n / top
            y -= h
            out.append(f'<rect x="{x + 1:.1f}" y="{y:.1f}" width="{max(1.0, column - 2):.1f}" '
                       f'height="{h:.1f}" fill="{_e(summary["tags"][tag])}" stroke="#333" '
                       f'stroke-width="0.3"><title>{_e(tag)}, {period}: {n}</title></rect>')
        if i % every == 0:
            out.append(f'<text x="{x + column / 2:.1f}" y="{base + 14}" '
                       f'text-anchor="middle">{period}</text>')
    for j, tag in enumerate(tags):
        y = height + 36 + 18 * j
        out.append(f'<rect x="50" y="{y - 10}" width="12" height="12" '
                   f'fill="{_e(summary["tags"][tag])}" stroke="#333"/>'
                   f'<text x="68" y="{y}">{_e(tag)}</text>')
    out.append("</svg>")
    return "\n".join(out)


def sources_table(summary: dict) -> str:
    """Tags × sources as an HTML table of counts (the sources with most passages)."""
    per_source: Counter = Counter()
    for (_tag, source), n in summary["sources"].items():
        per_source[source] += n
    sources = [s for s, _ in per_source.most_common(SOURCES)]
    if not sources:
        return ""
    cell = 'style="border: 1px solid #bbb; padding: 2px 6px; text-align: right;"'
    head = "".join(f'<th {cell}>{_e(s)}</th>' for s in sources)
    body = []
    for tag, color in summary["tags"].items():
        counts = "".join(f'<td {cell}>{summary["sources"][(tag, s)] or ""}</td>'
                         for s in sources)
        body.append(f'<tr><th style="border: 1px solid #bbb; padding: 2px 6px; '
                    f'text-align: left; border-left: 6px solid {_e(color)};">{_e(tag)}</th>'
                    f'{counts}</tr>')
    return (f'<table style="border-collapse: collapse; font-size: small;">'
            f'<tr><th {cell}>Tag \\ source</th>{head}</tr>{"".join(body)}</table>')


def months_table(summary: dict) -> str:
    """Passages per month and tag as an HTML table (the numbers of the chart)."""
    periods = sorted({p for p, _ in summary["months"]})[-MONTHS:]
    if not periods:
        return ""
    cell = 'style="border: 1px solid #bbb; padding: 2px 4px; text-align: right;"'
    rows = [f'<tr><th {cell}>Month</th>' + "".join(f'<th {cell}>{_e(t)}</th>'
                                                   for t in summary["tags"]) + "</tr>"]
    for period in periods:
        rows.append(f'<tr><td {cell}>{period}</td>' + "".join(
            f'<td {cell}>{summary["months"][(period, t)] or ""}</td>'
            for t in summary["tags"]) + "</tr>")
    return f'<table style="border-collapse: collapse; font-size: small;">{"".join(rows)}</table>'


def charts(rows: list[dict]) -> dict[str, str]:
    """name → SVG of each chart over these passage rows."""
    return {"overview-time.svg": time_svg(summarise(rows))}


def section(rows: list[dict], *, images: bool = False) -> str:
    """The report's overview section: the chart (inline SVG, or with
    ``images`` an ``<img>`` naming :func:`charts`' key) and both tables."""
    summary = summarise(rows)
    chart = ('<img src="overview-time.svg" width="640">' if images
             else time_svg(summary))
    return "\n".join([
        '<h2>Overview of the exported passages</h2>',
        '<p style="color: #666;">Passages per month of the article\'s publication '
        f'(the last {MONTHS} months), per tag; then per tag and source.</p>',
        f'<div>{chart}</div>', months_table(summary), '<p></p>', sources_table(summary)])
