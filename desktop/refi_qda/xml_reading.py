"""Reading REFI-QDA XML from other programs safely, and the small helpers
both readers (project ``.qdpx``, codebook ``.qdc``) share.

:func:`parse_untrusted` builds an ElementTree from bytes with expat and
refuses any document type declaration — so no entity is ever declared,
expanded or fetched (no external entities, no "billion laughs"), whatever
the file's encoding (a byte search for ``<!DOCTYPE`` misses UTF-16).
Element names are looked up by local name: tools differ in namespaces
(the codebook one, the project one, or none).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from xml.parsers import expat


class UnsafeXmlError(ValueError):
    """The XML is malformed or declares a DOCTYPE; the message says which."""


def _refuse(*_args) -> None:
    raise UnsafeXmlError("it declares a DOCTYPE or entities; refused")


def _name(expat_name: str) -> str:
    # expat gives "uri}local" with namespace_separator="}"; ElementTree wants "{uri}local"
    return "{" + expat_name if "}" in expat_name else expat_name


def parse_untrusted(data: bytes) -> ET.Element:
    """The root element of ``data``; :class:`UnsafeXmlError` if the XML is
    not well-formed or has a DOCTYPE (entity declarations need one)."""
    builder = ET.TreeBuilder()
    parser = expat.ParserCreate(namespace_separator="}")
    parser.StartDoctypeDeclHandler = _refuse
    parser.EntityDeclHandler = _refuse
    parser.ExternalEntityRefHandler = _refuse
    parser.StartElementHandler = lambda tag, attributes: builder.start(
        _name(tag), {_name(key): value for key, value in attributes.items()})
    parser.EndElementHandler = lambda tag: builder.end(_name(tag))
    parser.CharacterDataHandler = builder.data
    parser.buffer_text = True
    try:
        parser.Parse(data, True)
    except expat.ExpatError as error:
        raise UnsafeXmlError(f"it is not well-formed XML: {error}") from None
    return builder.close()


def local(tag: str) -> str:
    """``Code`` for ``{urn:QDA-XML:codebook:1.0}Code`` (and for ``Code``)."""
    return tag.rsplit("}", 1)[-1]


def children(element, name: str) -> list:
    return [child for child in element if local(child.tag) == name]


def child_text(element, name: str) -> str | None:
    found = children(element, name)
    return found[0].text or "" if found else None


def color(value: str | None, fallback: str | None) -> str | None:
    """``#rrggbb`` in lower case (``#rgb`` widened), else ``fallback``."""
    value = (value or "").strip().lower()
    if re.fullmatch(r"#[0-9a-f]{6}", value):
        return value
    if re.fullmatch(r"#[0-9a-f]{3}", value):
        return "#" + "".join(c * 2 for c in value[1:])
    return fallback


def guid(value: str | None) -> str:
    """A GUID without braces, lower case (tools write both forms)."""
    return (value or "").strip().strip("{}").lower()
