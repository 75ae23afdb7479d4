"""Batch files of many articles, as scrapers and news APIs export them:
.csv (comma, semicolon or tab separated, with a header row), .json (a
list of objects, or an object holding one under "articles", "items",
"data", …) and .jsonl (one object a line).

Fields are matched by name, ignoring case, spaces, ``_`` and ``-``, with
the variants in :data:`FIELDS` (``content``/``body`` for the text,
``publishedAt``/``pubDate`` for the date, ``link`` for the URL, NewsAPI's
``source: {"name": …}`` …). HTML in the text field is turned into text.

A batch file is one file for the all-or-nothing rule: a file that cannot
be parsed, or that has no text field, is skipped whole. A row without text
is reported as skipped on its own (``feed.csv (row 7)``) and the file's
other rows go in, together in one transaction.
"""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

from desktop.codebook_csv import recognise_header
from desktop.importers.drafts import ArticleDraft, ImportProblem, iso_date
from desktop.importers import file_bytes
from desktop.importers.file_bytes import decode_text, read_bytes

#: Accepted field names (compared after :func:`_key`), in order of preference.
FIELDS = {
    "text": ("text", "content", "body", "fulltext", "articletext", "articlebody",
             "maintext", "article", "story"),
    "title": ("title", "headline", "heading", "name"),
    "published": ("published", "publishedat", "date", "pubdate", "publicationdate",
                  "publishdate", "datepublish", "datepublished", "datetime", "time",
                  "createdat", "created"),
    "source": ("source", "sourcename", "outlet", "publisher", "sitename", "site",
               "publication", "domain", "sourcedomain"),
    "author": ("author", "authors", "byline", "creator", "writer"),
    "url": ("url", "link", "href", "uri", "permalink", "canonicalurl", "sourceurl"),
}
#: Keys under which a JSON object may hold the list of articles.
LIST_KEYS = ("articles", "items", "data", "results", "entries", "records",
             "documents", "docs", "posts", "news", "hits")

Entry = tuple[str, "ArticleDraft | ImportProblem"]


def _key(name: str) -> str:
    return re.sub(r"[\s_\-.]", "", str(name)).lower()


def _as_text(value) -> str | None:
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, dict):
        return _as_text(value.get("name") or value.get("title") or value.get("url"))
    if isinstance(value, list):
        parts = [_as_text(v) for v in value]
        return ", ".join(p for p in parts if p) or None
    return str(value).strip() or None


def _field(record: dict, field: str, keys: dict[str, str]):
    for name in FIELDS[field]:
        if name in keys:
            value = record[keys[name]]
            if value not in (None, "", [], {}):
                return value
    return None


def draft_from_record(record: dict) -> ArticleDraft:
    """One article from a row or object; :class:`ImportProblem` if it has no text."""
    from desktop.importers.web_page import fragment_text, looks_like_html

    keys = {_key(k): k for k in record}
    text = _as_text(_field(record, "text", keys))
    if not text:
        raise ImportProblem("no article text")
    if looks_like_html(text):
        text = fragment_text(text)
    raw_date = _field(record, "published", keys)
    return ArticleDraft(
        text=text, title=_as_text(_field(record, "title", keys)),
        source=_as_text(_field(record, "source", keys)),
        author=_as_text(_field(record, "author", keys)),
        published=iso_date(raw_date if isinstance(raw_date, (int, float))
                            else _as_text(raw_date)),
        url=_as_text(_field(record, "url", keys)))


def _has_text_field(names) -> bool:
    return any(_key(n) in FIELDS["text"] for n in names)


def _entries(path: Path, unit: str, records) -> list[Entry]:
    entries = []
    for number, record in records:
        label = f"{path} ({unit} {number})"
        if not isinstance(record, dict):
            entries.append((label, ImportProblem("not an object with fields")))
            continue
        try:
            entries.append((label, draft_from_record(record)))
        except ImportProblem as problem:
            entries.append((label, problem))
    return entries


def _batch_text(path: Path) -> str:
    return decode_text(read_bytes(path, file_bytes.MAX_BATCH_BYTES)).lstrip("\ufeff")


def read_csv(path: Path) -> list[Entry]:
    """Rows of a CSV file with a header; labels count rows as a spreadsheet
    does (the header is row 1)."""
    text = _batch_text(path)
    # article texts are long: the default limit (128 KiB a field) is too small
    csv.field_size_limit(file_bytes.MAX_BATCH_BYTES)
    dialects = [csv.excel, csv.excel_tab]
    try:
        dialects.insert(0, csv.Sniffer().sniff(text[:20000], delimiters=",;\t|"))
    except csv.Error:
        pass
    headers = []
    for dialect in dialects:
        reader = csv.DictReader(io.StringIO(text, newline=""), dialect=dialect)
        headers.append(reader.fieldnames or [])
        if (what := recognise_header(headers[-1])) is not None:
            raise ImportProblem(f"not articles: {what}")
        if _has_text_field(headers[-1]):
            break
    else:
        names = ", ".join(h for h in headers[0] if h) or "none"
        raise ImportProblem(f"no text column (looked for {', '.join(FIELDS['text'][:3])}, "
                            f"…; the columns are: {names})")
    try:
        rows = [(number, {k: v for k, v in row.items() if k is not None})
                for number, row in enumerate(reader, 2)]
    except csv.Error as error:
        raise ImportProblem(f"not valid CSV near line {reader.line_num}: {error}") from error
    return _entries(path, "row", rows)


def read_json(path: Path) -> list[Entry]:
    """Objects of a JSON file: a list, an object holding a list, or one article."""
    try:
        data = json.loads(_batch_text(path))
    except json.JSONDecodeError as error:
        raise ImportProblem(f"not valid JSON (line {error.lineno}: {error.msg})") from error
    if isinstance(data, dict):
        keys = {_key(k): k for k in data}
        held = next((data[keys[k]] for k in LIST_KEYS
                     if k in keys and isinstance(data[keys[k]], list)), None)
        if held is not None:
            data = held
        elif _has_text_field(data):
            data = [data]
        else:
            raise ImportProblem("no articles found (expected a list of objects with "
                                "a text field, or an object holding one under "
                                "\"articles\", \"items\" or \"data\")")
    if not isinstance(data, list):
        raise ImportProblem("no articles found (not a list of objects)")
    if not data:
        raise ImportProblem("no articles in the file")
    return _entries(path, "item", enumerate(data, 1))


def read_json_lines(path: Path) -> list[Entry]:
    """One JSON object a line; any invalid line skips the whole file."""
    records = []
    text = _batch_text(path)
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            records.append((number, json.loads(line)))
        except json.JSONDecodeError as error:
            raise ImportProblem(f"line {number} is not valid JSON ({error.msg})") from error
    if not records:
        raise ImportProblem("no articles in the file")
    return _entries(path, "line", records)
