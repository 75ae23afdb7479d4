"""W3C Web Annotation (JSON-LD): one annotation per passage.

The file is one ``AnnotationCollection`` whose embedded first (and only)
``AnnotationPage`` holds the annotations in ``items``, so it is a single
JSON-LD document using the standard context
``http://www.w3.org/ns/anno.jsonld``.

Each annotation targets the article — its URL when known, otherwise
``urn:dossier:article:<sha256 of the text>`` — with two selectors: a
``TextQuoteSelector`` (``exact`` is the stored passage text, ``prefix``
and ``suffix`` the nearest context, at most :data:`QUOTE_CONTEXT` characters
— counted as JavaScript counts them, in UTF-16 units, because the
Hypothesis lineage of anchoring libraries refuses a longer prefix or
suffix — cut from the stored 40) and a
``TextPositionSelector`` (``start``/``end`` in Unicode code points into
Dossier's stored article text, end exclusive, as the model requires). A
tool anchoring on a live web page should prefer the quote. The tag is a
``TextualBody`` with ``purpose: tagging``; a note is a second
``TextualBody`` with ``purpose: commenting``. ``creator`` is the analyst,
``created``/``modified`` the passage's timestamps, and ids are stable
``urn:uuid:`` URNs (see :mod:`desktop.exporters.identifiers`).

Each annotation also carries ``dossier:anchor`` (``ok``, ``moved`` or
``orphaned``; the collection's context adds the ``dossier:`` prefix), and a
consensus passage (``creator`` ``consensus``) ``dossier:decidedBy``: who
decided it, several names separated by ``; `` as in ``decided_by``. An
orphaned passage's words are no longer in the article and its offsets are
stale, so it gets the quote selector only, no position; the export's
warnings count them.
"""

from __future__ import annotations

import json
from pathlib import Path

from desktop import __version__
from desktop.exporters.base import ExportJob, ExportResult
from desktop.exporters.identifiers import StableIds
from storage.export_selection import filter_key, selected_passages
from widgets.wording import counted

CONTEXT = "http://www.w3.org/ns/anno.jsonld"
#: Dossier's own terms (``dossier:anchor``), after the W3C context.
DOSSIER_CONTEXT = {"dossier": "urn:dossier:terms#"}
#: The longest prefix and suffix written (UTF-16 units).
QUOTE_CONTEXT = 32


def _utf16_length(text: str) -> int:
    return len(text) + sum(1 for char in text if ord(char) > 0xFFFF)


def quote_context(prefix: str, suffix: str) -> tuple[str, str]:
    """The last and first characters of the stored context that fit in
    :data:`QUOTE_CONTEXT` UTF-16 units (never half a character)."""
    while _utf16_length(prefix) > QUOTE_CONTEXT:
        prefix = prefix[1:]
    while _utf16_length(suffix) > QUOTE_CONTEXT:
        suffix = suffix[:-1]
    return prefix, suffix


def annotation(row: dict, ids: StableIds) -> dict:
    """The Web Annotation for one selected passage row."""
    body = [{"type": "TextualBody", "purpose": "tagging", "value": row["tag"]}]
    if row["note"]:
        body.append({"type": "TextualBody", "purpose": "commenting",
                     "value": row["note"], "format": "text/plain"})
    source = ids.article_iri({"url": row["article_url"], "text_hash": row["article_hash"]})
    prefix, suffix = quote_context(row["prefix"] or "", row["suffix"] or "")
    selectors = [{"type": "TextQuoteSelector", "exact": row["text"],
                  "prefix": prefix, "suffix": suffix}]
    if row.get("anchor") != "orphaned":     # an orphan's offsets are stale: no position
        selectors.append({"type": "TextPositionSelector", "start": row["start"],
                          "end": row["end"]})
    found = {
        "id": f"urn:uuid:{ids.passage(row)}",
        "type": "Annotation",
        "motivation": "tagging" if not row["note"] else ["tagging", "commenting"],
        "created": row["created_at"],
        "modified": row["updated_at"],
        "creator": {"type": "Person", "name": row["analyst"]},
        "body": body,
        "target": {"source": source, "selector": selectors},
        # ok, moved (re-anchored after the text changed) or orphaned (its
        # words are no longer in the text)
        "dossier:anchor": row.get("anchor", "ok"),
    }
    if row.get("decided_by"):   # the creator says only "consensus"
        found["dossier:decidedBy"] = row["decided_by"]
    return found


def write_annotations(path: Path, job: ExportJob) -> ExportResult:
    ids = StableIds(job.db)
    items = []
    for row in selected_passages(job.db, job.filter):
        items.append(annotation(row, ids))
        job.progress.step()
    collection = {
        "@context": [CONTEXT, DOSSIER_CONTEXT],
        "id": f"urn:uuid:{ids.of('collection', filter_key(job.filter))}",
        "type": "AnnotationCollection",
        "label": f"Dossier passages ({job.filter.describe()})",
        "generator": {"type": "Software", "name": f"Dossier {__version__}"},
        "total": len(items),
        "first": {"type": "AnnotationPage", "startIndex": 0, "items": items},
    }
    with path.open("w", encoding="utf-8", newline="\n") as handle:
        json.dump(collection, handle, ensure_ascii=False, indent=2)
        handle.write("\n")
    orphans = sum(1 for item in items if item["dossier:anchor"] == "orphaned")
    warnings = [f"{counted(orphans, 'orphaned passage')} (their words are no longer in the "
                "article) "
                f"exported with their quote only, no position, marked "
                f"\"dossier:anchor\": \"orphaned\""] if orphans else []
    return ExportResult(len(items), warnings)
