"""Running a loaded pipeline over texts: entities, and quotes with their
speakers, per text.

A text longer than :data:`CHUNK_CHARS` (spaCy refuses texts over its
``max_length`` of 1,000,000 characters, and needs about 1 GB of memory per
100,000 for the parser) is analysed in pieces cut at paragraph boundaries
(else at a line break or a space), and each piece's entities and quotes are
shifted back to code-point offsets in the whole text. A quote running over
a cut is found in neither piece, and speakers are resolved within a piece.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace

from desktop.analysis.attribution import attribute_quotes
from desktop.analysis.entities import Entity, entities_from_doc
from desktop.analysis.pipeline import LoadedPipeline
from desktop.analysis.quotes import Quote, find_quotes


#: Bumped whenever Dossier's own analysis (entity clean-up, quote finding,
#: attribution) changes its output, so stored results are recomputed.
ANALYSIS_VERSION = 8


def result_version(loaded: LoadedPipeline) -> str:
    """The version stored with results: the pipeline's and Dossier's analysis."""
    return f"{loaded.version}+dossier.{ANALYSIS_VERSION}"


@dataclass
class Analysis:
    """What analysis found in one text."""

    entities: list[Entity]
    quotes: list[Quote]


#: Texts longer than this many characters are analysed in pieces.
CHUNK_CHARS = 100_000
_BREAKS = (re.compile(r"\n[ \t]*\n\s*"), re.compile(r"\n"), re.compile(r"\s"))


def pieces(text: str, limit: int = CHUNK_CHARS) -> list[tuple[int, str]]:
    """``(offset, piece)`` covering ``text`` in order, each piece at most
    ``limit`` characters, cut after the last paragraph break that fits
    (else line break, else white space, else anywhere)."""
    found, offset = [], 0
    while len(text) - offset > limit:
        window = text[offset:offset + limit]
        cut = 0
        for pattern in _BREAKS:
            ends = [m.end() for m in pattern.finditer(window, limit // 2)]
            if ends:
                cut = ends[-1]
                break
        cut = cut or limit
        found.append((offset, text[offset:offset + cut]))
        offset += cut
    found.append((offset, text[offset:]))
    return found


def _shifted(items: list, offset: int) -> list:
    if not offset:
        return items
    moved = []
    for item in items:
        changes = {"start": item.start + offset, "end": item.end + offset}
        for name in ("speaker_start", "speaker_end"):
            if getattr(item, name, None) is not None:
                changes[name] = getattr(item, name) + offset
        moved.append(replace(item, **changes))
    return moved


def analyse_texts(loaded: LoadedPipeline, texts: Iterable[str], *,
                  batch_size: int = 16) -> Iterator[Analysis]:
    """Analyse ``texts`` lazily, in order, one :class:`Analysis` each (a long
    text in :func:`pieces`, its offsets mapped back)."""
    def stream():
        for text in texts:
            parts = pieces(text)
            for number, (offset, piece) in enumerate(parts, 1):
                yield piece, (offset, number == len(parts))

    entities, quotes = [], []
    for doc, (offset, last) in loaded.nlp.pipe(stream(), batch_size=batch_size,
                                               as_tuples=True):
        entities += _shifted(entities_from_doc(doc), offset)
        quotes += _shifted(attribute_quotes(doc, find_quotes(doc.text)), offset)
        if last:
            yield Analysis(entities, quotes)
            entities, quotes = [], []


def analyse_text(loaded: LoadedPipeline, text: str) -> Analysis:
    """Analyse a single text."""
    return next(analyse_texts(loaded, [text]))
