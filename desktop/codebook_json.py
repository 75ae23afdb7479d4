"""Codebook files: JSON written and read, entries checked before anything is
stored.

The file is ``{"dossier_codebook": 1, "tags": [entry, …]}`` (entries as in
:mod:`storage.codebook`; a category has ``"codable": false``, which an
older Dossier ignores); a plain list of entries — like
``resources/default_tags.json`` — is read too. Plain Python, no Qt.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from storage.tags import name_key

FORMAT_VERSION = 1
_COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")


class CodebookFileError(ValueError):
    """The file is not a codebook Dossier can read; the message says why."""


def codebook_json(entries: list[dict]) -> str:
    return json.dumps({"dossier_codebook": FORMAT_VERSION, "tags": entries},
                      ensure_ascii=False, indent=2) + "\n"


def replace_file(path: Path, data: bytes) -> None:
    """Write ``data`` through a temporary file renamed into place, so a
    failed write never leaves half a codebook; ``-`` is standard output, a
    symbolic link is written through, a FIFO or device is refused
    (:func:`desktop.exporters.base.write_file`)."""
    from desktop.exporters.base import write_file

    write_file(path, lambda temporary: temporary.write_bytes(data))


def write_codebook(path: Path, entries: list[dict]) -> None:
    replace_file(path, codebook_json(entries).encode("utf-8"))


def parse_codebook(text: str) -> list[dict]:
    """The checked entries of a codebook file's text."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise CodebookFileError(f"not JSON ({error.msg}, line {error.lineno})") from None
    if isinstance(data, dict):
        if data.get("dossier_codebook") not in (None, FORMAT_VERSION):
            raise CodebookFileError(
                f"codebook format {data['dossier_codebook']!r} is newer than this Dossier")
        data = data.get("tags")
    if not isinstance(data, list):
        raise CodebookFileError("expected a list of tags (or {\"tags\": [...]})")
    return check_entries(data)


def check_entries(data: list) -> list[dict]:
    """Entries checked and cleaned (names, colours, keys, parents), from
    any file format; :class:`CodebookFileError` names the first mistake."""
    entries, names = [], set()
    for number, item in enumerate(data, 1):
        if not isinstance(item, dict):
            raise CodebookFileError(f"tag {number} is not an object")
        name = " ".join(str(item.get("name") or "").split())
        if not name:
            raise CodebookFileError(f"tag {number} has no name")
        if name_key(name) in names:     # (any case, any Unicode form: one tag)
            raise CodebookFileError(f"“{name}” is listed twice")
        names.add(name_key(name))
        color = item.get("color")       # none: an existing tag keeps its own
        if color is not None and (not isinstance(color, str) or not _COLOR.match(color)):
            raise CodebookFileError(f"“{name}”: the colour {json.dumps(color)} is not a "
                                    "colour like #a1b2c3")
        entry = {"name": name, "color": color.lower() if color else None}
        if "description" in item:
            if not isinstance(item["description"], (str, type(None))):
                raise CodebookFileError(f"“{name}”: the description is not text")
            entry["description"] = item["description"] or ""
        shortcut = item.get("shortcut")
        if shortcut is not None and (not isinstance(shortcut, int) or isinstance(
                shortcut, bool) or not 1 <= shortcut <= 9):
            raise CodebookFileError(f"“{name}”: key {shortcut!r} is not 1–9")
        entry["shortcut"] = shortcut
        if "parent" in item:
            parent = item["parent"]
            if parent is not None and not isinstance(parent, str):
                raise CodebookFileError(f"“{name}”: the parent is not a tag name")
            entry["parent"] = " ".join(parent.split()) if parent else None
        if "codable" in item:       # false: a category (groups tags, not used for tagging)
            if not isinstance(item["codable"], bool):
                raise CodebookFileError(f"“{name}”: codable is not true or false")
            if not item["codable"]:
                entry["codable"] = False
        entries.append(entry)
    return entries


def read_codebook(path: Path) -> list[dict]:
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise CodebookFileError(f"cannot read {path}: {error}") from None
    return parse_codebook(text)
