"""Codebooks as CSV — the one codebook format Taguette reads — and telling
Taguette's own CSV exports apart from article batches.

Written: ``name,description,color,parent``, UTF-8 with a byte-order mark
(without it Taguette's charset detection reads UTF-8 as MacRoman, and
Excel as the local code page), CRLF rows, RFC 4180 quoting; one row per
tag in the codebook panel's order; ``parent`` is the parent tag's name
(Taguette ignores the columns it does not know). A name or description a
spreadsheet would run as a formula (``=``, ``+``, ``-``, ``@``, tab, CR
first, maybe after apostrophes) gets a leading apostrophe, taken off again
on import, so ``'-isms'`` comes back with its own apostrophe.

Read: a header row naming the tag's column ``name``, ``tag`` or ``path``
(Taguette's three), and optionally ``description``, ``color``/``colour``
and ``parent`` (any case, any order); other columns — Taguette's counts
of highlights and documents — are ignored. Entries are checked like a
JSON codebook (:func:`desktop.codebook_json.check_entries`): a tag listed
twice or a colour that is not ``#rrggbb`` refuses the whole file. Without
a ``parent`` column tags stay where they are in the tree. Taguette writes
hierarchy as dots in the name (``Cybercrime.Online scams``); such names
are kept as they are.

:func:`recognise_header` names a CSV that is a codebook or Taguette's
highlights export, so ``dossier import`` says what the file is instead of
importing its rows as articles.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from desktop.codebook_json import CodebookFileError, check_entries, replace_file

COLUMNS = ("name", "description", "color", "parent")
NAME_COLUMNS = ("name", "tag", "path")
MAX_CSV_BYTES = 20 * 1024 * 1024
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _escaped(value: str) -> bool:
    """Whether ``value`` is apostrophes (maybe none) then a formula start:
    what :func:`_cell` prefixes, so that :func:`_uncell` is its inverse (a
    real ``'-isms'`` goes out as ``''-isms'`` and comes back whole)."""
    return value.lstrip("'").startswith(_FORMULA_STARTS)


def _cell(value: str | None) -> str:
    """``value`` with an apostrophe before it if a spreadsheet would run it
    as a formula (or it already starts with apostrophes before one)."""
    value = value or ""
    return "'" + value if _escaped(value) else value


def _uncell(value: str | None) -> str:
    """A cell read back: the apostrophe :func:`_cell` added taken off."""
    value = value or ""
    return value[1:] if value.startswith("'") and _escaped(value) else value


def codebook_csv(entries: list[dict]) -> bytes:
    """The entries (:func:`storage.codebook.codebook_entries`) as CSV bytes."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for entry in entries:
        writer.writerow([_cell(entry["name"]), _cell(entry.get("description")),
                         entry.get("color") or "", _cell(entry.get("parent"))])
    return out.getvalue().encode("utf-8-sig")


def write_codebook_csv(path: Path, entries: list[dict]) -> None:
    replace_file(path, codebook_csv(entries))


def _column(fields: dict[str, str], *names: str) -> str | None:
    return next((fields[n] for n in names if n in fields), None)


def parse_codebook_csv(text: str) -> list[dict]:
    """The checked entries of a codebook CSV's text."""
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff"), newline=""))
    try:
        header = next(reader, None)
        rows = list(reader)
    except csv.Error as error:
        raise CodebookFileError(f"not valid CSV near line {reader.line_num}: {error}") from None
    fields = {(name or "").strip().lower(): index for index, name in enumerate(header or [])}
    if {"id", "document", "tag", "content"} <= set(fields):
        # one row per highlight: its tag names would become the codebook, but
        # each tag once per highlight (refused as listed twice, or worse, not)
        raise CodebookFileError("this is a Taguette highlights export (id, document, tag, "
                                "content), not a codebook; export the codebook from "
                                "Taguette (Project → Export codebook → CSV) and import that")
    name_at = _column(fields, *NAME_COLUMNS)
    if name_at is None:
        raise CodebookFileError("no column naming the tags (name, tag or path) in the first row")
    description_at = _column(fields, "description")
    color_at = _column(fields, "color", "colour")
    parent_at = _column(fields, "parent")

    def get(row, index):
        return row[index] if index is not None and index < len(row) else None

    items = []
    for row in rows:
        if not any(cell.strip() for cell in row):
            continue
        item = {"name": _uncell(get(row, name_at))}
        if description_at is not None:
            item["description"] = _uncell(get(row, description_at))
        color = (get(row, color_at) or "").strip()
        item["color"] = color or None
        if parent_at is not None:
            item["parent"] = _uncell(get(row, parent_at)).strip() or None
        items.append(item)
    if not items:
        raise CodebookFileError("it holds no tags (no row under the header)")
    return check_entries(items)


def read_codebook_csv(path: Path) -> list[dict]:
    try:
        with Path(path).open("rb") as handle:
            data = handle.read(MAX_CSV_BYTES + 1)
    except OSError as error:
        raise CodebookFileError(f"cannot read {path}: {error.strerror or error}") from None
    if len(data) > MAX_CSV_BYTES:
        raise CodebookFileError(f"{Path(path).name} is too large for a codebook")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise CodebookFileError(f"{Path(path).name} is not UTF-8 text") from None
    return parse_codebook_csv(text)


def recognise_header(names) -> str | None:
    """What a CSV with these column names is, when it is not a batch of
    articles but a codebook or Taguette's highlights; None otherwise."""
    columns = {(name or "").strip().lower() for name in names}
    if {"id", "document", "tag", "content"} <= columns:
        return ("a Taguette highlights export (id, document, tag, content): it holds the "
                "highlighted words but not where they are, so it cannot become articles or "
                "passages; import the documents themselves, and the codebook with "
                "“dossier codebook import” (CSV or .qdc)")
    if "tag" in columns and ("number of highlights" in columns
                             or "number of documents" in columns):
        return ("a Taguette codebook export; import it with File → Import codebook… or "
                "“dossier codebook import FILE”")
    if (columns & set(NAME_COLUMNS)) and columns <= {*COLUMNS, *NAME_COLUMNS, "colour"}:
        return ("a codebook (tag names and descriptions); import it with "
                "File → Import codebook… or “dossier codebook import FILE”")
    return None
