"""REFI-QDA codebook exchange (``.qdc``): the codebook written and read.

Writing: one XML file, ``<CodeBook origin="Dossier …">`` in the namespace
:data:`CODEBOOK_NAMESPACE` holding ``<Codes>``, every tag a ``Code`` nested
like the codebook tree (:mod:`desktop.refi_qda.codes`, the same GUIDs as a
``.qdpx`` export of the same database). It is valid against the codebook
schema of REFI-QDA 1.5, section 5.2 (``tests/data/Codebook.xsd``).

Reading: a ``.qdc`` from any tool — in the codebook namespace, the project
one or none; GUIDs with or without braces; ``#rgb`` or ``#rrggbb`` — becomes
codebook entries (:mod:`storage.codebook`: name, colour, description,
parent name) that :func:`storage.codebook.apply_codebook` merges by name.
Code folders (``isCodable="false"``, QualCoder's categories) become
categories — tags that hold the hierarchy and are not used for tagging
(``"codable": False`` in their entry; :mod:`storage.tags`). A code without a name is skipped
(its children move up to its parent); a code whose name was already read
under the same parent is skipped (merged by name: its children go under
the first one); one whose name was read under another parent (NVivo's and
MAXQDA's ``Crime/Other`` and ``Victims/Other``) is another code and comes
in under the first free name, “Other (2)” (a tag's name is unique), said
in ``renamed``. A code
without a colour leaves an existing tag's colour alone; a new tag gets one
from the default palette. ``Sets`` are not read (Dossier has none). What is
skipped is reported, with the reason. A flat file (no code inside another)
leaves existing tags where they are in the tree; a nested one places them
as it nests them. Codes nested more than :data:`MAX_CODE_DEPTH` levels
deep, or more than :data:`MAX_CODES` codes, are refused with a message
(the tree is walked without recursion).

Safety: the file is size-capped and parsed by
:func:`desktop.refi_qda.xml_reading.parse_untrusted` (any DOCTYPE refused,
so no entity is ever expanded or fetched); nothing is stored unless the
whole file was read.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

from sqlite_utils import Database

from desktop import __version__
from desktop.codebook_json import CodebookFileError, replace_file
from desktop.exporters.identifiers import StableIds
from desktop.refi_qda.codes import write_codes
from desktop.refi_qda.xml_reading import (UnsafeXmlError, child_text, children, color, guid,
                                          local, parse_untrusted)
from storage import tags

CODEBOOK_NAMESPACE = "urn:QDA-XML:codebook:1.0"
MAX_CODEBOOK_BYTES = 20 * 1024 * 1024
#: How deep codes may be nested, and how many there may be, in one file.
MAX_CODE_DEPTH = 100
MAX_CODES = 50_000


@dataclass
class QdcCodebook:
    """What a ``.qdc`` holds, as codebook entries, and what was left out."""

    entries: list[dict] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    #: codes that came in under another name (what, why), as
    #: ``("code “Other” in “Victims”", "… it comes in as “Other (2)”")``
    renamed: list[tuple[str, str]] = field(default_factory=list)
    #: each code's GUID (lower case, no braces) -> the tag name it became
    guids: dict[str, str] = field(default_factory=dict)


# -- writing ---------------------------------------------------------------
def qdc_xml(db: Database) -> bytes:
    """The whole codebook as ``.qdc`` XML (UTF-8, with declaration)."""
    rows = tags.list_tags(db)
    ids = StableIds(db)
    # unqualified names under an explicit xmlns: ET.register_namespace is
    # global (it would take the default prefix from the .qdpx project
    # namespace) and ET.tostring(default_namespace=) refuses plain attributes
    root = ET.Element("CodeBook", {"xmlns": CODEBOOK_NAMESPACE,
                                   "origin": f"Dossier {__version__}"})
    codes = ET.SubElement(root, "Codes")
    write_codes(codes, rows, {row["id"]: ids.tag(row["id"]) for row in rows}, None)
    ET.indent(root)
    return (b'<?xml version="1.0" encoding="UTF-8"?>\n'
            + ET.tostring(root, encoding="utf-8", xml_declaration=False) + b"\n")


def write_qdc(path: Path, db: Database) -> int:
    """Write the codebook to ``path``; returns how many tags went out.

    An empty codebook cannot be written: the schema wants at least one Code.
    """
    count = len(tags.list_tags(db))
    if not count:
        raise CodebookFileError("the codebook has no tags to export")
    replace_file(path, qdc_xml(db))
    return count


# -- reading ---------------------------------------------------------------
class _Reader:
    """Codes read into entries, the tree walked with a stack (no recursion:
    a file may nest codes thousands deep), refused beyond
    :data:`MAX_CODE_DEPTH` levels or :data:`MAX_CODES` codes."""

    def __init__(self):
        self.result = QdcCodebook()
        # (name key, parent's name key) -> the name that code came in as: a
        # code is another one's repeat only under the same parent
        self.placed: dict[tuple[str, str | None], str] = {}
        # name key -> (the name, its parent) of the entry that has it: every
        # name taken, the free names given here too
        self.taken: dict[str, tuple[str, str | None]] = {}
        self.count = 0

    def codes(self, top: list) -> None:
        """Read ``top`` (the ``Code`` elements under ``Codes``) and all below."""
        stack = [(element, None, "the codebook", 1) for element in reversed(top)]
        while stack:
            element, parent, path, depth = stack.pop()
            if depth > MAX_CODE_DEPTH:
                raise CodebookFileError(f"codes are nested more than {MAX_CODE_DEPTH} levels "
                                        "deep; refused")
            self.count += 1
            if self.count > MAX_CODES:
                raise CodebookFileError(f"it holds more than {MAX_CODES:,} codes; refused")
            here = self.code(element, parent, path)
            below = f"“{here}”" if here else path
            stack.extend((child, here, below, depth + 1)
                         for child in reversed(children(element, "Code")))

    def code(self, element, parent: str | None, path: str) -> str | None:
        """Read one code; the name its children go under.

        A code whose name was read before under the same parent is that
        code again (merged: its codes go under the first). Under another
        parent it is another code — NVivo's and MAXQDA's ``Crime/Other``
        and ``Victims/Other`` — and comes in under a free name, “Other (2)”
        (:func:`storage.tags.free_name`, as a merge names it), since a
        tag's name is unique: its codings never land under the first one."""
        name = " ".join((element.get("name") or "").split())
        label = f"code “{name}”" if name else f"nameless code in {path}"
        key = tags.name_key(name) if name else ""
        place = (key, tags.name_key(parent) if parent else None)
        if not name:
            self.result.skipped.append((label, "it has no name; its codes go one level up"))
            here = parent
        elif place in self.placed:
            here = self.placed[place]
            self.result.skipped.append(
                (label, f"a code called “{here}” was read before; its codes go under it"))
        else:
            here = self.placed[place] = tags.free_name(name, self.taken)
            if here != name:
                first, first_parent = self.taken[key]
                self.result.renamed.append((
                    f"{label} in “{parent}”" if parent else f"{label} at the top",
                    f"another code called “{first}” is "
                    f"{f'in “{first_parent}”' if first_parent else 'at the top'}; "
                    f"this one comes in as “{here}”"))
            self.taken[tags.name_key(here)] = (here, parent)
            entry = {"name": here, "color": color(element.get("color"), None),
                     "parent": parent, "codable": element.get("isCodable") != "false"}
            description = child_text(element, "Description")
            if description is not None:
                entry["description"] = description.strip()
            if element.get("guid"):     # kept as the new tag's stable id
                entry["guid"] = guid(element.get("guid"))
            self.result.entries.append(entry)
        if name and element.get("guid"):       # a nameless code tags nothing
            self.result.guids[guid(element.get("guid"))] = here
        return here


def read_codes(codebook) -> QdcCodebook:
    """The codes of a ``CodeBook`` element (from a ``.qdc`` or a ``.qdpx``)
    as entries; :class:`CodebookFileError` if nested too deep or too many.

    A file whose codes are all at the top level (a flat list, as Taguette
    writes) gives no ``parent``: importing it leaves tags where they are
    in the codebook, instead of moving nested ones to the top."""
    reader = _Reader()
    for codes in children(codebook, "Codes"):
        reader.codes(children(codes, "Code"))
    entries = reader.result.entries
    if all(entry["parent"] is None for entry in entries):
        for entry in entries:
            del entry["parent"]
    for entry in entries:
        if entry["codable"]:
            del entry["codable"]        # as in a JSON codebook: only categories say so
    return reader.result


def parse_qdc(data: bytes, source: str = "the file") -> QdcCodebook:
    """The entries of a ``.qdc``'s bytes; :class:`CodebookFileError` if it
    is not a REFI-QDA codebook (nothing is read in part)."""
    try:
        root = parse_untrusted(data)
    except UnsafeXmlError as error:
        raise CodebookFileError(f"{source}: {error}") from None
    if local(root.tag) != "CodeBook":
        raise CodebookFileError(f"{source}: the XML root is <{local(root.tag)}>, "
                                "not a REFI-QDA <CodeBook>")
    try:
        result = read_codes(root)
    except CodebookFileError as error:
        raise CodebookFileError(f"{source}: {error}") from None
    if children(root, "Sets"):
        result.skipped.append(("sets", "Dossier has no sets of codes; not imported"))
    if not result.entries:
        raise CodebookFileError(f"{source}: it holds no codes")
    return result


def read_qdc(path: Path) -> QdcCodebook:
    path = Path(path)
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_CODEBOOK_BYTES + 1)
    except OSError as error:
        raise CodebookFileError(f"cannot read {path}: {error.strerror or error}") from None
    if len(data) > MAX_CODEBOOK_BYTES:
        raise CodebookFileError(f"{path.name} is too large for a codebook")
    return parse_qdc(data, path.name)
