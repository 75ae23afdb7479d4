"""Reading REFI-QDA XML from other programs safely, and the small helpers
both readers (project ``.qdpx``, codebook ``.qdc``) share.

:func:`parse_untrusted` builds an ElementTree from bytes with expat and
refuses any document type declaration — so no entity is ever declared,
expanded or fetched (no external entities, no "billion laughs"), whatever
the file's encoding (a byte search for ``<!DOCTYPE`` misses UTF-16).
Element names are looked up by local name: tools differ in namespaces
(the codebook one, the project one, or none).

:class:`XmlStream` reads a large document (a ``.qdpx``'s ``project.qde``)
incrementally with lxml's ``iterparse``, so the caller handles each part
as it is read and throws it away: no DOCTYPE (refused at the first
element), no entity resolved, nothing fetched, elements at most 256 deep
(libxml2's own limit without ``huge_tree``). Characters XML cannot hold
(raw control characters, which QualCoder writes into attributes) are read
as spaces and counted. A document that is not well-formed can be read
again in recovery mode (``recover=True``): the errors are kept, with their
lines, so the caller can leave out what they touch.
"""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET
from xml.parsers import expat

from lxml import etree


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


_ILLEGAL_BYTES = bytes(range(0x20)).translate(None, b"\t\n\r")
_TO_SPACE = bytes.maketrans(_ILLEGAL_BYTES, b" " * len(_ILLEGAL_BYTES))


class ControlCharacters(io.RawIOBase):
    """A byte stream of UTF-8 XML with every control character XML 1.0
    forbids (``\\x00``–``\\x1f`` but tab, LF and CR) turned into a space,
    counted in :attr:`replaced`. A UTF-16 document is passed through as it
    is (its bytes are not characters one by one)."""

    def __init__(self, raw):
        self._raw = raw
        self._head = raw.read(4)
        self._wide = self._head[:2] in (b"\xff\xfe", b"\xfe\xff") or (
            len(self._head) >= 2 and 0 in self._head[:2])
        self.replaced = 0

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        head, self._head = self._head, b""
        data = head + self._raw.read(size if size is None or size < 0
                                     else max(size - len(head), 0))
        if self._wide:
            return data
        clean = data.translate(_TO_SPACE)
        if clean != data:
            self.replaced += sum(1 for a, b in zip(data, clean) if a != b)
        return clean


class XmlStream:
    """``(event, element)`` pairs (``start`` and ``end``) of an untrusted XML
    byte stream, read incrementally; :class:`UnsafeXmlError` for a DOCTYPE,
    a document too deep, or (unless ``recover``) one not well-formed.

    After iterating: :attr:`errors` (``(line, message)`` of each error
    recovered from) and :attr:`replaced` (control characters read as
    spaces)."""

    def __init__(self, raw, *, recover: bool = False):
        self._stream = ControlCharacters(raw)
        self._recover = recover
        self.errors: list[tuple[int, str]] = []
        self.replaced = 0

    def __iter__(self):
        context = etree.iterparse(
            self._stream, events=("start", "end"), resolve_entities=False, no_network=True,
            load_dtd=False, huge_tree=False, remove_comments=True, remove_pis=True,
            recover=self._recover)
        first = True
        try:
            for event, element in context:
                if first:
                    info = element.getroottree().docinfo
                    if info.doctype or info.internalDTD is not None:
                        _refuse()
                    first = False
                yield event, element
        except etree.XMLSyntaxError as error:
            if "depth" in str(error).lower():
                raise UnsafeXmlError("its elements are nested more than 256 levels deep; "
                                     "refused") from None
            message = re.sub(r" \(<string>, line \d+\)$", "", str(error))
            raise UnsafeXmlError(f"it is not well-formed XML: {message}") from None
        finally:
            self.replaced = self._stream.replaced
        if first:
            raise UnsafeXmlError("it holds no XML element")
        self.errors = [(entry.line, entry.message) for entry in context.error_log
                       if entry.level_name in ("ERROR", "FATAL")]
