"""Batch files of many articles, as scrapers and news APIs export them:
.csv (comma, semicolon or tab separated, with a header row; quotes doubled
inside quoted fields, as Excel and Python's csv write them), .json (a
list of objects, or an object holding one under "articles", "items",
"data", …) and .jsonl (one object a line).

Fields are matched by name, ignoring case, spaces, ``_`` and ``-``, with
the variants in :data:`FIELDS` (``content``/``body`` for the text,
``publishedAt``/``pubDate`` for the date, ``link`` for the URL, NewsAPI's
``source: {"name": …}`` …). HTML in the text field is turned into text.

Batch files are *streamed*: CSV and JSONL row by row (any size; memory
does not grow with the file), a JSON array read whole up to
:data:`~desktop.importers.file_bytes.MAX_BATCH_BYTES` (use JSONL beyond).
Each reader returns :class:`BatchRows`: an estimate of the row count (for
progress) and an iterator of ``(label, draft or problem)``. A file that
cannot be parsed at all, or that has no text field, is skipped whole; a
row without text, with invalid JSON or with something that is not text
(an unpaired surrogate) is reported as skipped on its own
(``feed.csv (row 7)``) and the other rows go in. The importer commits
rows in chunks (:mod:`desktop.importers.run`).
"""

from __future__ import annotations

import codecs
import csv
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from desktop.codebook_csv import recognise_header
from desktop.importers.drafts import ArticleDraft, ImportProblem, day_first, iso_date
from desktop.importers import file_bytes
from desktop.importers.file_bytes import decode_text, read_bytes

#: How much of a file decides its encoding and CSV dialect.
_HEAD_BYTES = 64 * 1024
_BLOCK = 1024 * 1024

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


@lru_cache(maxsize=4096)
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


def draft_from_record(record: dict, *, dayfirst: bool | None = None) -> ArticleDraft:
    """One article from a row or object; :class:`ImportProblem` if it has no
    text. ``dayfirst``: how the file writes numeric dates (:func:`day_first`)."""
    from desktop.importers.web_page import fragment_text, looks_like_html

    keys = {_key(k): k for k in record}
    text = _as_text(_field(record, "text", keys))
    if not text:
        raise ImportProblem("no article text")
    if looks_like_html(text):
        text = fragment_text(text)
    raw_date = _field(record, "published", keys)
    draft = ArticleDraft(
        text=text, title=_as_text(_field(record, "title", keys)),
        source=_as_text(_field(record, "source", keys)),
        author=_as_text(_field(record, "author", keys)),
        published=iso_date(raw_date if isinstance(raw_date, (int, float))
                            else _as_text(raw_date), dayfirst=dayfirst),
        url=_as_text(_field(record, "url", keys)))
    if draft.published is None and str(raw_date or "").strip():
        draft.unread_date = str(raw_date).strip()[:40]
    draft.check_text()
    return draft


def _has_text_field(names) -> bool:
    return any(_key(n) in FIELDS["text"] for n in names)


@dataclass
class BatchRows:
    """The rows of a batch file: ``total`` (an estimate, for progress),
    ``entries``, an iterator of ``(label, draft or problem)`` read lazily,
    and ``notes`` on what reading changed in the file (stray NULs dropped)."""

    total: int
    entries: Iterator[Entry]
    notes: list[str] = field(default_factory=list)

    def __iter__(self):
        return iter(self.entries)


class RowRecord:
    """A row not yet made into an article draft: its record (an object, or
    the text of a JSON line) and how its file writes dates. Made into one
    by :func:`resolve` where the rows are prepared — for a large file, the
    importer's second process, so the writer's core does not parse them."""

    __slots__ = ("record", "dayfirst", "line")

    def __init__(self, record, dayfirst: bool | None = None, *, line: int = 0):
        self.record, self.dayfirst, self.line = record, dayfirst, line

    def draft(self) -> ArticleDraft:
        """The row's draft; :class:`ImportProblem` when it cannot be one."""
        record = self.record
        if self.line:
            record = _json_record(record, self.line)
        if not isinstance(record, dict):
            raise ImportProblem("not an object with fields")
        return draft_from_record(record, dayfirst=self.dayfirst)


def resolve(entry):
    """A batch row's draft or problem (:class:`RowRecord` made into one);
    any other entry as it is."""
    if isinstance(entry, RowRecord):
        try:
            return entry.draft()
        except ImportProblem as problem:
            return problem
    return entry


def _entry(label: str, record, dayfirst: bool | None = None) -> Entry:
    if not isinstance(record, dict):
        return label, ImportProblem("not an object with fields")
    return label, RowRecord(record, dayfirst)


def _entries(path: Path, unit: str, records) -> Iterator[Entry]:
    for number, record in records:
        yield _entry(f"{path} ({unit} {number})", record)


def _batch_text(path: Path, notes: list[str]) -> str:
    return decode_text(read_bytes(path, file_bytes.MAX_BATCH_BYTES), notes).lstrip("\ufeff")


def _encoding(path: Path, count: bytes | None = None) -> tuple[str, int, int]:
    """The codec a streamed batch file is read with, how many times
    ``count`` occurs in it (its lines, for a JSONL file's row estimate), and
    how many stray NUL bytes its lines are read without (as
    :func:`~desktop.importers.file_bytes.decode_text` drops them: at most
    :data:`~desktop.importers.file_bytes.STRAY_NUL_SHARE` of the file).

    A BOM decides; else UTF-8 if the whole file decodes as UTF-8 (checked
    block by block, never holding the file); else what
    :func:`~desktop.importers.file_bytes.decode_text` finds in the head.
    Binary and empty files raise :class:`ImportProblem`.
    """
    try:
        with path.open("rb") as handle:
            head = handle.read(_HEAD_BYTES)
            if not head.strip():
                raise ImportProblem("empty file")
            for bom, codec in ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
                               (codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
                               (codecs.BOM_UTF16_BE, "utf-16")):
                if head.startswith(bom):
                    _refuse_binary(head, codec)
                    return codec, 0, 0
            handle.seek(0)
            decoder = codecs.getincrementaldecoder("utf-8")()
            found = nuls = size = 0
            # (more NULs than stray ones in the head: UTF-16 without a BOM)
            utf8 = b"\x00" not in head or file_bytes.few_nuls(head.count(b"\x00"), len(head))
            while block := handle.read(_BLOCK):
                if count:
                    found += block.count(count)
                nuls += block.count(b"\x00")
                size += len(block)
                if utf8:
                    try:
                        decoder.decode(block)
                    except UnicodeDecodeError:
                        utf8 = False
            if utf8:
                decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        utf8 = False
    except OSError as error:
        raise ImportProblem(f"cannot be read: {error.strerror or error}") from error
    dropped = nuls if file_bytes.few_nuls(nuls, size) else 0
    if nuls and not dropped:
        utf8 = False
    if dropped:
        head = head.replace(b"\x00", b"")
    if utf8:
        _refuse_binary(head, "utf-8", dropped)
        return "utf-8", found, dropped
    import charset_normalizer

    best = charset_normalizer.from_bytes(head, cp_isolation=file_bytes._CANDIDATES).best()
    if best is None:
        raise file_bytes.undecodable(head)
    _refuse_binary(head, best.encoding, dropped)
    return best.encoding, found, dropped


def _refuse_binary(head: bytes, codec: str, dropped_nuls: int = 0) -> None:
    if file_bytes.looks_binary(head.decode(codec, "ignore"), dropped_nuls):
        raise ImportProblem("binary file, not text")


def _open_text(path: Path, codec: str):
    try:
        return path.open(encoding=codec, newline="")
    except OSError as error:
        raise ImportProblem(f"cannot be read: {error.strerror or error}") from error


def read_csv(path: Path) -> BatchRows:
    """Rows of a CSV file with a header, streamed; labels count rows as a
    spreadsheet does (the header is row 1)."""
    codec, _, dropped = _encoding(path)
    # article texts are long: the default limit (128 KiB a field) is too small
    csv.field_size_limit(file_bytes.MAX_BATCH_BYTES)
    with _open_text(path, codec) as handle:
        sample = handle.read(20000).lstrip("\ufeff").replace("\x00", "")
    dialects = [csv.excel, csv.excel_tab]
    try:
        dialects.insert(0, _sniffed_dialect(sample))
    except csv.Error:
        pass
    headers = []
    for dialect in dialects:
        with _open_text(path, codec) as handle:
            first = next(csv.reader(_no_bom(handle), dialect=dialect), [])
        headers.append(first)
        if (what := recognise_header(first)) is not None:
            raise ImportProblem(f"not articles: {what}")
        if _has_text_field(first):
            break
    else:
        names = ", ".join(h for h in headers[0] if h) or "none"
        raise ImportProblem(f"no text column (looked for {', '.join(FIELDS['text'][:3])}, "
                            f"…; the columns are: {names})")
    with _open_text(path, codec) as handle:
        rows = csv.reader(_no_bom(handle), dialect=dialect)
        header = next(rows, [])
        dated = [i for i, name in enumerate(header) if _key(name) in FIELDS["published"]]
        total = 0

        def dates():    # rows counted for progress; the date columns read on the way
            nonlocal total
            for row in rows:
                total += 1
                yield from (row[i] for i in dated if i < len(row))
        dayfirst = day_first(dates())      # (streamed: memory stays flat)
    return BatchRows(total, _csv_rows(path, codec, dialect, dayfirst), _nul_notes(dropped))


def _sniffed_dialect(sample: str) -> type[csv.Dialect]:
    """The dialect of a CSV whose head is ``sample``: the separator, quote
    character and spacing the sniffer guesses, with Excel's quoting rules.

    The sniffer guesses ``doublequote=False`` unless some line of the sample
    has a doubled quote right between two separators; read that way, a
    ``""`` inside a quoted text (how Excel and Python's csv write a quote)
    ends the field, and the article is cut at its first line break. Excel,
    LibreOffice and Python's csv double quotes (RFC 4180): that rule is kept.
    Raises :class:`csv.Error` when the sample has no recognisable separator."""
    guess = csv.Sniffer().sniff(sample, delimiters=",;\t|")

    class Sniffed(csv.excel):
        delimiter = guess.delimiter
        quotechar = guess.quotechar or '"'
        skipinitialspace = guess.skipinitialspace
    return Sniffed


def _nul_notes(dropped: int) -> list[str]:
    return [file_bytes.nul_note(dropped)] if dropped else []


def _no_bom(handle):
    """The lines of ``handle`` without a BOM or stray NULs (which
    :func:`_encoding` let through only when few)."""
    first = True
    for line in handle:
        if first:
            line, first = line.lstrip("\ufeff"), False
        yield line.replace("\x00", "") if "\x00" in line else line


def _csv_rows(path: Path, codec: str, dialect, dayfirst: bool | None = None
              ) -> Iterator[Entry]:
    with _open_text(path, codec) as handle:
        reader = csv.DictReader(_no_bom(handle), dialect=dialect)
        number = 1
        try:
            for number, row in enumerate(reader, 2):
                yield _entry(f"{path} (row {number})",
                             {k: v for k, v in row.items() if k is not None}, dayfirst)
        except csv.Error as error:
            raise ImportProblem(f"not valid CSV near line {reader.line_num}: {error}"
                                ) from error
        except UnicodeDecodeError as error:
            raise ImportProblem(f"damaged text after row {number} ({error.reason})"
                                ) from error


def read_json(path: Path) -> BatchRows:
    """Objects of a JSON file: a list, an object holding a list, or one
    article. Read whole, so limited to ``MAX_BATCH_BYTES`` (use JSONL for
    bigger exports)."""
    notes = []
    try:
        data = json.loads(_batch_text(path, notes))
    except json.JSONDecodeError as error:
        raise ImportProblem(f"not valid JSON ({error.msg.removesuffix(' at')} at line "
                            f"{error.lineno}, column {error.colno})") from error
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
    return BatchRows(len(data), _json_items(path, data), notes)


def _json_items(path: Path, data: list) -> Iterator[Entry]:
    dayfirst = day_first(value for record in data if isinstance(record, dict)
                         for key, value in record.items() if _key(key) in FIELDS["published"])
    for number in range(len(data)):
        record, data[number] = data[number], None   # let stored rows go
        yield _entry(f"{path} (item {number + 1})", record, dayfirst)


def read_json_lines(path: Path) -> BatchRows:
    """One JSON object a line, streamed. A first line that is not JSON
    skips the file (it is not JSONL); a later invalid line is skipped on
    its own."""
    codec, lines, dropped = _encoding(path, b"\n")
    rows = _json_lines(path, codec)
    first = next(rows, None)
    if first is None:
        raise ImportProblem("no articles in the file")
    if isinstance(first[1], _NotJson):
        raise ImportProblem(str(first[1]))

    def entries():
        yield first
        yield from rows
    return BatchRows(max(lines, 1), entries(), _nul_notes(dropped))


class _NotJson(ImportProblem):
    pass


def _json_record(line: str, number: int):
    """The value on JSON line ``number``; :class:`_NotJson` if it is not JSON."""
    try:
        return json.loads(line)
    except json.JSONDecodeError as error:
        raise _NotJson(f"line {number} is not valid JSON "
                       f"({error.msg.removesuffix(' at')} at column {error.colno})"
                       ) from None
    except RecursionError:
        raise ImportProblem("nested too deeply") from None


def _json_lines(path: Path, codec: str) -> Iterator[Entry]:
    """Each line's ``(label, row)``: the first one read here (a first line
    that is not JSON means the file is not JSONL), the others as
    :class:`RowRecord` of their text, read where they are prepared."""
    with _open_text(path, codec) as handle:
        number = 0
        first = True
        try:
            for number, line in enumerate(_no_bom(handle), 1):
                if not line.strip():
                    continue
                label = f"{path} (line {number})"
                if first:
                    first = False
                    try:
                        yield _entry(label, _json_record(line, number))
                    except ImportProblem as problem:
                        yield label, problem
                    continue
                yield label, RowRecord(line, line=number)
        except UnicodeDecodeError as error:
            raise ImportProblem(f"damaged text after line {number} ({error.reason})"
                                ) from error
