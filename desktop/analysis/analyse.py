"""Running a loaded pipeline over texts: entities, and quotes with their
speakers, per text."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from desktop.analysis.attribution import attribute_quotes
from desktop.analysis.entities import Entity, entities_from_doc
from desktop.analysis.pipeline import LoadedPipeline
from desktop.analysis.quotes import Quote, find_quotes


#: Bumped whenever Dossier's own analysis (entity clean-up, quote finding,
#: attribution) changes its output, so stored results are recomputed.
ANALYSIS_VERSION = 6


def result_version(loaded: LoadedPipeline) -> str:
    """The version stored with results: the pipeline's and Dossier's analysis."""
    return f"{loaded.version}+dossier.{ANALYSIS_VERSION}"


@dataclass
class Analysis:
    """What analysis found in one text."""

    entities: list[Entity]
    quotes: list[Quote]


def analyse_texts(loaded: LoadedPipeline, texts: Iterable[str], *,
                  batch_size: int = 16) -> Iterator[Analysis]:
    """Analyse ``texts`` lazily, in order, one :class:`Analysis` each."""
    for doc in loaded.nlp.pipe(texts, batch_size=batch_size):
        yield Analysis(entities_from_doc(doc), attribute_quotes(doc, find_quotes(doc.text)))


def analyse_text(loaded: LoadedPipeline, text: str) -> Analysis:
    """Analyse a single text."""
    return next(analyse_texts(loaded, [text]))
