"""spaCy training data: a ``DocBin`` (``.spacy``) for ``spacy train``.

Each article with at least one exported passage becomes one ``Doc``,
tokenised by ``spacy.blank("en")`` (no trained model needed). Its passages
are spans in ``doc.spans["dossier"]`` labelled with the tag name — set
``spans_key = "dossier"`` in a spancat config — made with
``doc.char_span(start, end, alignment_mode="expand")``, so a passage that
starts or ends inside a token grows to whole tokens; one that cannot be
aligned at all is left out and named in the export's warnings.

``doc.ents`` holds the entities of the article's stored analysis (there is
no accept/reject step for entities yet, so these are the pipeline's, not
an analyst's, judgement); overlapping ones are resolved with
``spacy.util.filter_spans`` (longest first). ``doc.user_data`` keeps
``dossier_article_id`` and ``dossier_title``.
"""

from __future__ import annotations

from itertools import groupby
from pathlib import Path

from desktop.exporters.base import ExportJob, ExportResult
from storage import analyses, articles
from storage.export_selection import selected_passages
from widgets.wording import counted

SPANS_KEY = "dossier"


def article_doc(nlp, article: dict, rows: list[dict], entities: list[dict],
                warnings: list[str]):
    """One article as a Doc with its passages as spans and entities as ents."""
    from spacy.util import filter_spans

    doc = nlp.make_doc(article["text"])
    spans = []
    orphans = [row for row in rows if row.get("anchor") == "orphaned"]
    if orphans:
        warnings.append(f"{counted(len(orphans), 'orphaned passage')} in "
                        f"“{article['title']}” left out: their words are no longer in the "
                        "article text")
    for row in rows:
        if row.get("anchor") == "orphaned":
            continue
        span = doc.char_span(row["start"], row["end"], label=row["tag"],
                             alignment_mode="expand")
        if span is None:
            warnings.append(f"passage {row['passage_id']} in “{article['title']}” "
                            f"({row['start']}–{row['end']}) does not align with tokens; "
                            "left out")
        else:
            spans.append(span)
    doc.spans[SPANS_KEY] = spans
    ents = [doc.char_span(e["start"], e["end"], label=e["label"], alignment_mode="expand")
            for e in entities]
    doc.ents = filter_spans([e for e in ents if e is not None])
    doc.user_data["dossier_article_id"] = article["id"]
    doc.user_data["dossier_title"] = article["title"]
    return doc, len(spans)


def write_docbin(path: Path, job: ExportJob) -> ExportResult:
    import spacy
    from spacy.tokens import DocBin

    nlp = spacy.blank("en")
    docbin = DocBin(attrs=["ORTH", "ENT_IOB", "ENT_TYPE"], store_user_data=True)
    warnings: list[str] = []
    count = 0
    selected = selected_passages(job.db, job.filter)
    for article_id, group in groupby(selected, key=lambda row: row["article_id"]):
        rows = list(group)
        article = articles.get_article(job.db, article_id)
        analysis = analyses.latest_analysis(job.db, article_id)
        doc, aligned = article_doc(nlp, article, rows,
                                   analysis["entities"] if analysis else [], warnings)
        docbin.add(doc)
        count += aligned
        job.progress.step(len(rows))
    path.write_bytes(docbin.to_bytes())
    return ExportResult(count, warnings)
