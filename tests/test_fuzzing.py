"""Property-based tests over arbitrary text: the quote finder, attribution,
import clean-up, offsets, passages and exports never crash, keep offsets
inside the text, and round-trip exactly."""

from __future__ import annotations

import csv
import json
import re
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from desktop.analysis.attribution import attribute_quotes
from desktop.analysis.quotes import find_quotes
from desktop.exporters import export_passages
from desktop.exporters.tabular import neutralise_formula
from desktop.first_run import ensure_codebook
from desktop.importers.article_text import clean_article, normalise
from desktop.importers.drafts import ImportProblem
from storage import articles, open_database, passages, tags
from widgets.text_offsets import OffsetMap

# Text rich in what breaks parsers: quote marks, apostrophes, line breaks,
# emoji (astral), right-to-left script, control characters.
TRICKY = st.lists(
    st.one_of(
        st.sampled_from(list("“”‘’\"' \n.,;:—-–!?«»")),
        st.sampled_from(["said", "he", "Sokha", "Sar", "the", "post", "according to", "\n\n"]),
        st.sampled_from(["😀", "🚓", "𝔸", "ש", "ل", "\u200f", "\x0b", "\x1f", "\ufeff",
                         "\r", "\t", "\u2028", "<b>", "&amp;"]),
        st.characters(codec="utf-8")),
    max_size=120).map("".join)

FAST = settings(max_examples=150, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])


@FAST
@given(TRICKY)
def test_quote_finder_never_crashes_and_stays_inside_the_text(text):
    quotes = find_quotes(text)
    previous_end = -1
    for quote in quotes:
        assert 0 <= quote.start < quote.end <= len(text)
        assert text[quote.start:quote.end] == quote.text
        assert quote.start > previous_end          # ordered, never overlapping
        previous_end = quote.end
        assert quote.kind in ("direct", "title", "fragment")


@FAST
@given(TRICKY)
def test_attribution_with_the_degraded_pipeline_keeps_mentions_inside(text):
    nlp = _blank()
    doc = nlp(text)
    for quote in attribute_quotes(doc, find_quotes(text)):
        if quote.speaker_start is not None:
            assert 0 <= quote.speaker_start < quote.speaker_end <= len(text)
        assert quote.kind in ("direct", "title", "partial", "scare")


_NLP = []


def _blank():
    from desktop.analysis.pipeline import blank_pipeline
    if not _NLP:
        _NLP.append(blank_pipeline().nlp)
    return _NLP[0]


@FAST
@given(TRICKY)
def test_normalise_is_idempotent_and_leaves_no_carriage_returns(text):
    once = normalise(text)
    assert normalise(once) == once
    assert "\r" not in once


@FAST
@given(TRICKY)
def test_clean_article_gives_text_or_a_reason(text):
    try:
        article = clean_article(text)
    except ImportProblem as problem:
        assert str(problem)
    else:
        assert article.text.strip() and article.title is not None


@FAST
@given(TRICKY, st.data())
def test_offsets_convert_both_ways(text, data):
    offsets = OffsetMap(text)
    offset = data.draw(st.integers(0, len(text)))
    utf16 = offsets.to_utf16(offset)
    assert utf16 == len(text[:offset].encode("utf-16-le")) // 2
    assert offsets.from_utf16(utf16) == offset


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(TRICKY.filter(lambda t: t.strip()), TRICKY), min_size=1,
                max_size=4))
@pytest.mark.slow
def test_passages_round_trip_through_csv_and_jsonl(items):
    with tempfile.TemporaryDirectory() as folder:
        db = open_database(Path(folder) / "f.db")
        ensure_codebook(db)
        tag_id = tags.list_tags(db)[0]["id"]
        expected = []
        for number, (passage_text, note) in enumerate(items):
            text = f"Article {number}: " + passage_text + " end."
            article_id, _ = articles.add_article(db, title=f"T{number}", text=text)
            start = text.index(passage_text)
            if not passage_text.strip():
                continue
            passages.add_passage(db, article_id=article_id, tag_id=tag_id, start=start,
                                 end=start + len(passage_text), analyst="a", note=note)
            expected.append((passage_text, note))
        for fmt in ("csv", "jsonl"):
            out = Path(folder) / f"out.{fmt}"
            export_passages(db, out, fmt)
            if fmt == "csv":
                with out.open(encoding="utf-8", newline="") as handle:
                    rows = list(csv.DictReader(handle))
            else:
                rows = [json.loads(line) for line in
                        out.read_text("utf-8").split("\n") if line]
            if fmt == "csv":   # formula-like cells are neutralised, nothing else changes
                wanted = [(neutralise_formula(t), neutralise_formula(n)) for t, n in expected]
            else:
                wanted = expected
            assert [(r["text"], r["note"]) for r in rows] == wanted
        db.close()


IMPORT_SUFFIXES = [".txt", ".md", ".html", ".csv", ".json", ".jsonl", ".eml", ".pdf",
                   ".docx"]


def _file_contents():
    """Bytes that are sometimes well-formed for their kind and often not."""
    text = TRICKY
    return st.one_of(
        st.binary(max_size=400),
        text.map(lambda t: t.encode("utf-8")),
        text.map(lambda t: t.encode("utf-16")),
        st.tuples(text, text).map(lambda p: f"title,text\n\"{p[0]}\",\"{p[1]}\"\n".encode()),
        st.tuples(text, text).map(lambda p: json.dumps([{"title": p[0], "text": p[1]}])
                                  .encode()),
        text.map(lambda t: f"<html><head><title>{t}</title></head><body><article><p>{t}"
                           f"</p></article></body></html>".encode("utf-8", "replace")),
        text.map(lambda t: f"From: a@b.c\nSubject: {t[:20]}\n\n{t}".encode("utf-8",
                                                                           "replace")),
        st.just(b"%PDF-1.4\n%broken"),
        st.just(b"PK\x03\x04not really a docx"))


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(IMPORT_SUFFIXES), _file_contents()),
                min_size=1, max_size=5))
@pytest.mark.slow
def test_importing_arbitrary_files_never_crashes_and_accounts_for_each(files):
    from desktop.importers import import_files

    with tempfile.TemporaryDirectory() as folder:
        paths = []
        for number, (suffix, data) in enumerate(files):
            path = Path(folder) / f"file{number}{suffix}"
            path.write_bytes(data)
            paths.append(path)
        db = open_database(Path(folder) / "fuzz.db")
        report = import_files(db, paths)
        accounted = {re.sub(r" \((?:row|item|line) \d+\)$", "", p)
                     for p, _ in report.added + report.duplicates + report.skipped}
        assert {str(p) for p in paths} <= accounted
        assert all(reason for _, reason in report.skipped)
        for row in db.query("SELECT text, title FROM articles"):
            assert row["text"].strip() and "\r" not in row["text"]
            assert row["title"] is not None
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        db.close()
