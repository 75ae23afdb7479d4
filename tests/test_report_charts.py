"""The Overview's charts in the HTML and PDF reports (issue 20): an SVG of
passages per month per tag and tables of the same numbers, over exactly the
exported passages; the PDF shows the chart as an image."""

from __future__ import annotations

import re
from xml.etree import ElementTree

from desktop.exporters import ExportOptions, export_passages
from desktop.exporters.report_charts import summarise, time_svg
from storage.export_selection import PassageFilter

from export_fixtures import tricky, tricky_db_path  # noqa: F401


def test_summary_and_svg_count_what_is_given():
    rows = [{"tag": "Drugs", "tag_color": "#aa0000", "article_published": "2024-06-03",
             "article_source": "VOD"},
            {"tag": "Drugs", "tag_color": "#aa0000", "article_published": "2024-06-20",
             "article_source": None},
            {"tag": "Cyber", "tag_color": "#0000aa", "article_published": "2024-07-01",
             "article_source": "VOD"},
            {"tag": "Cyber", "tag_color": "#0000aa", "article_published": None,
             "article_source": "VOD"}]
    summary = summarise(rows)
    assert summary["months"] == {("2024-06", "Drugs"): 2, ("2024-07", "Cyber"): 1}
    assert summary["sources"][("Cyber", "VOD")] == 2
    assert summary["sources"][("Drugs", "(no source)")] == 1
    svg = time_svg(summary)
    root = ElementTree.fromstring(svg)
    titles = [t.text for t in root.iter("{http://www.w3.org/2000/svg}title")]
    assert titles == ["Drugs, 2024-06: 2", "Cyber, 2024-07: 1"]
    texts = [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert "Drugs" in texts and "Cyber" in texts          # a legend, not colour alone


def test_a_source_spelled_in_two_cases_is_one_column_as_in_the_window():
    """"VOD", "vod" and " VOD " are one source for the window's Tags ×
    sources and its source filter: one column in the report too."""
    rows = [{"tag": "Drugs", "tag_color": "#aa0000", "article_published": None,
             "article_source": source} for source in ("VOD", "vod", " VOD ", "Reuters")]
    assert summarise(rows)["sources"] == {("Drugs", "VOD"): 3, ("Drugs", "Reuters"): 1}


def test_html_report_opens_with_the_charts_of_the_selection(tricky, tmp_path):
    plain = tmp_path / "plain.html"
    export_passages(tricky, plain, "html")
    assert "<svg" not in plain.read_text("utf-8")
    path = tmp_path / "charts.html"
    export_passages(tricky, path, "html", options=ExportOptions(charts=True))
    page = path.read_text("utf-8")
    assert "Overview of the exported passages" in page
    svg = re.search(r"<svg.*?</svg>", page, re.S).group(0)
    ElementTree.fromstring(svg)
    # only the exported tag's passages are counted
    tag = tricky.execute("SELECT name FROM tags WHERE passage_count > 0 ORDER BY id").fetchone()[0]
    only = tmp_path / "only.html"
    export_passages(tricky, only, "html", filter=PassageFilter(tags=(tag,)),
                    options=ExportOptions(charts=True))
    overview = only.read_text("utf-8").split("<h2", 2)[1]
    others = [r[0] for r in tricky.execute(
        "SELECT name FROM tags WHERE passage_count > 0 AND name != ?", [tag])]
    assert tag in overview and not any(f">{o}<" in overview for o in others)


def test_pdf_report_shows_the_chart_as_an_image(tricky, tmp_path, qapp):
    from pypdf import PdfReader

    path = tmp_path / "charts.pdf"
    export_passages(tricky, path, "pdf", options=ExportOptions(charts=True, title="Review"))
    reader = PdfReader(path)
    text = " ".join(" ".join(page.extract_text().split()) for page in reader.pages)
    assert "Overview of the exported passages" in text
    assert sum(len(page.images) for page in reader.pages) >= 1
