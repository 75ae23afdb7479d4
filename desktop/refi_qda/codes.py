"""Tags written as REFI-QDA ``<Code>`` elements, nested like the codebook
tree — shared by the project export (``.qdpx``) and the codebook export
(``.qdc``), which differ only in namespace.

Each tag is codable (``isCodable="true"``) but a category
(``tags.codable`` 0: a code folder, ``isCodable="false"``, as QualCoder's
categories come in); every one carries its colour (``#rrggbb``) and, when
it has one, its description. A tag whose parent is
among the written tags goes inside the parent's ``Code``; the others are
at the top. The GUID of a tag is :class:`~desktop.exporters.identifiers.StableIds`
``.of("tag", id)``: the same in every export of the same database.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import defaultdict

from desktop.exporters.base import xml_safe


def write_codes(codes: ET.Element, rows: list[dict], guids: dict[int, str],
                namespace: str | None) -> None:
    """Append one ``Code`` per tag row (``id, name, color, description,
    parent_id`` and ``codable``, 1 when missing) to the ``Codes`` element
    ``codes``, in the rows' order; element names in ``namespace`` (None:
    unqualified, for a document whose root declares its default namespace)."""
    code_tag, description_tag = (f"{{{namespace}}}{name}" if namespace else name
                                 for name in ("Code", "Description"))
    ids = {row["id"] for row in rows}
    under: dict[int | None, list[dict]] = defaultdict(list)
    for row in rows:
        under[row["parent_id"] if row.get("parent_id") in ids else None].append(row)
    placed: set[int] = set()

    def put(parent: ET.Element, row: dict) -> None:
        placed.add(row["id"])
        code = ET.SubElement(parent, code_tag, {
            "guid": guids[row["id"]], "name": xml_safe(row["name"]),
            "isCodable": "true" if row.get("codable", 1) else "false", "color": row["color"]})
        if row["description"]:
            ET.SubElement(code, description_tag).text = xml_safe(
                row["description"])
        for child in under[row["id"]]:
            if child["id"] not in placed:
                put(code, child)

    for row in under[None]:
        put(codes, row)
    for row in rows:            # tags in a parent loop (never stored, but never lost)
        if row["id"] not in placed:
            put(codes, row)
