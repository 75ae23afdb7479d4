"""Named entities from a spaCy ``Doc`` as plain, storable values."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Entity:
    """A named entity: ``text[start:end]`` (code points) with its label."""

    start: int
    end: int
    label: str
    text: str


def entities_from_doc(doc: Any) -> list[Entity]:
    """The document's entities, in text order, with surrounding space trimmed."""
    found = []
    text = doc.text   # built from the tokens on every access: once, not per entity
    for ent in doc.ents:
        start, end = ent.start_char, ent.end_char
        surface = text[start:end]
        stripped = surface.strip()
        if not stripped:
            continue
        start += len(surface) - len(surface.lstrip())
        end = start + len(stripped)
        found.append(Entity(start, end, ent.label_, stripped))
    return found
