"""An entity's dossier page as data: its names and aliases, roles, quotes
(by it and about it), articles per month, companions, the passages analysts
tagged on it and alias suggestions (``storage.entity_dossier`` for the rows,
``desktop.analysis.entity_profile`` for roles and suggestions); and the
entity references a merge of accepted suggestions takes.

Plain Python (no Qt): the window reads a page with :func:`build` in its read
process (:mod:`desktop.read_process`).
"""

from __future__ import annotations

from desktop.analysis import entity_profile
from storage import entity_dossier
from storage.entity_index import entity_key


def build(db, name: str, analysts: tuple[str, ...] = (), label: str | None = None,
          canon_id: int | None = None) -> dict:
    """Everything the page shows for the entity called ``name`` (in the read
    process); with ``label`` and ``canon_id`` (a row of the Entities tab or
    of a page's companions), the entity of that row: that canonical entity,
    else that name of that label as analysed, not a namesake
    (:func:`storage.entity_dossier.identity`); ``analysts``: whose passages
    it lists (blind coding: only theirs)."""
    ident = entity_dossier.identity(db, name, label, canon_id)
    keys, canon, labels = ident["keys"], ident["canon_id"], ident.get("labels", ())
    names = sorted({ident["name"]} | {s["name"] for s in ident["surfaces"]})
    # a merged entity is read through its aliases' keys and labels, not a
    # namesake of another label (``storage.entity_dossier._mentioning``)
    mentions = entity_dossier.mentions(db, keys, names, canon_id=canon, labels=labels)
    quotes = entity_dossier.quotes_by(db, keys)
    ids = [m["article_id"] for m in mentions]
    said = {(q["article_id"], q["start"]) for q in quotes}
    spans_in = {m["article_id"]: m["spans"] for m in mentions}
    about = [q for q in entity_dossier.quotes_in(db, ids)
             if (q["article_id"], q["start"]) not in said
             and any(q["start"] <= s and e <= q["end"] for s, e, _ in spans_in[q["article_id"]])]
    spans: dict[int, list] = {m["article_id"]: [(s, e) for s, e, _ in m["spans"]]
                              for m in mentions}
    for quote in quotes:
        spans.setdefault(quote["article_id"], []).append((quote["start"], quote["end"]))
    candidates = entity_dossier.alias_candidates(db, ident["name"], ident["label"], keys)
    own_names = [ident["name"]] + [s["name"] for s in ident["surfaces"]]
    suggestions = [c for c in candidates
                   if (ident["canon_id"] is None or c["canon_id"] != ident["canon_id"])
                   and any(entity_profile.same_entity(own, c["name"]) for own in own_names)]
    return {**ident,
            "roles": entity_profile.roles(mentions),
            "quotes": quotes,
            "quotes_about": about,
            # counted over every article; the lists below read the newest
            # ones only (``entity_dossier.mentions``' limit), and say so
            "article_total": entity_dossier.article_count(db, keys, names, canon_id=canon,
                                                          labels=labels),
            "months": entity_dossier.months_mentioning(db, keys, names, canon_id=canon,
                                                       labels=labels),
            "articles": [{k: m[k] for k in ("article_id", "title", "published", "source")}
                         for m in mentions],
            "companions": entity_dossier.companions(db, keys, ids, canon_id=canon,
                                                    labels=labels),
            "passages": entity_dossier.passages_on(db, spans, analysts),
            "suggestions": suggestions}


def merge_refs(dossier: dict, chosen: list[dict]) -> list[dict]:
    """Entity references (as ``storage.entity_corrections.merge_entities``
    takes them) for the page's entity and the accepted suggestions."""
    refs: list[dict] = []
    if dossier["canon_id"] is not None:
        refs.append({"canon_id": dossier["canon_id"], "name": dossier["name"],
                     "label": dossier["label"]})
    else:
        refs += [{"canon_id": None, "key": entity_key(s["name"]), "original_label": s["label"],
                  "name": s["name"], "label": s["label"]} for s in dossier["surfaces"]]
    seen_canons = {r["canon_id"] for r in refs if r["canon_id"] is not None}
    for c in chosen:
        if c.get("canon_id") is not None:
            if c["canon_id"] not in seen_canons:
                seen_canons.add(c["canon_id"])
                refs.append({"canon_id": c["canon_id"], "name": c["name"], "label": c["label"]})
        else:
            refs.append({"canon_id": None, "key": c["key"], "original_label": c["label"],
                         "name": c["name"], "label": c["label"]})
    return refs


def merged_label(dossier: dict, chosen: list[dict]) -> str:
    """The label of the merged entity: a canonical entity keeps its own; else
    the label most of the mentions have (spaCy may call a person an ORG)."""
    if dossier["canon_id"] is not None:
        return dossier["label"]
    mentions: dict[str, int] = {}
    for row in dossier["surfaces"] + chosen:
        mentions[row["label"]] = mentions.get(row["label"], 0) + row["mentions"]
    return max(mentions, key=lambda label: (mentions[label], label == dossier["label"]),
               default=dossier["label"])
