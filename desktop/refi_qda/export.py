"""Writing a REFI-QDA project (``.qdpx``) from the chosen passages.

Which articles go in: every article the filter's article-level part admits
(all of them without a filter), tagged or not; the codebook: every tag, or
the filter's tags, nested like the codebook tree (:mod:`desktop.refi_qda.codes`).
Children of ``Project`` follow the schema's order (Users, CodeBook,
Sources, Notes). GUIDs are stable per object across
exports (:mod:`desktop.exporters.identifiers`); a source file is named by
its TextSource's GUID.

Notes: a passage's note is written twice — as a ``Note`` its selection
points to with ``NoteRef`` (the standard's way) and as the selection's
``Description`` (where QualCoder and MAXQDA read a coding memo); the
article memo goes into the source's ``Description`` after the metadata
lines (``Source: …``), separated by a blank line. Times are written as
``xs:dateTime`` in UTC with ``Z`` (:mod:`desktop.refi_qda.timestamps`).

Text: sources are written as UTF-8 with LF line breaks, positions computed
on exactly that text (:mod:`desktop.refi_qda.line_breaks`); otherwise the
file holds the stored text unchanged. Names, descriptions and notes inside
the XML have XML-illegal control characters replaced by a space; the
source files keep them (they are legal in a text file), so positions and
text survive a round trip.

Orphaned passages (their words no longer in the text) are empty selections
at 0–0 flagged in their ``Description`` (:mod:`desktop.refi_qda.orphans`),
never selections at stale positions; the export's warnings count them.
A consensus passage's deciders (``decided_by``) are a line of its
selection's ``Description`` (:mod:`desktop.refi_qda.deciders`): its
``creatingUser`` can only say ``consensus``.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
import zipfile
from itertools import groupby
from pathlib import Path

from desktop import __version__
from desktop.exporters.base import ExportJob, ExportResult, xml_safe
from desktop.exporters.identifiers import StableIds
from desktop.refi_qda import NAMESPACE
from desktop.refi_qda.codes import write_codes
from desktop.refi_qda.deciders import deciders_line
from desktop.refi_qda.line_breaks import normalise_line_breaks
from desktop.refi_qda.orphans import orphan_description
from desktop.refi_qda.timestamps import xml_timestamp
from storage.database import utc_now
from storage.export_selection import selected_articles, selected_passages, selected_tags
from widgets.wording import counted

ET.register_namespace("", NAMESPACE)
SELECTION_NAME_LENGTH = 60
#: Article metadata written into a TextSource's Description, one "Label: value" a line.
METADATA_LABELS = {"source": "Source", "author": "Author", "published": "Published",
                   "url": "URL"}
#: The line that opens the article memo in a TextSource's Description, so
#: that a memo starting "Source: …" is never read back as metadata.
MEMO_HEADING = "Memo:"


def _el(parent, tag: str, **attributes) -> ET.Element:
    attrs = {k: xml_safe(str(v)) for k, v in attributes.items() if v not in (None, "")}
    if parent is None:
        return ET.Element(f"{{{NAMESPACE}}}{tag}", attrs)
    return ET.SubElement(parent, f"{{{NAMESPACE}}}{tag}", attrs)


def _text_el(parent, tag: str, text: str) -> ET.Element:
    element = _el(parent, tag)
    element.text = xml_safe(text)
    return element


def _selection_name(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= SELECTION_NAME_LENGTH else text[:SELECTION_NAME_LENGTH] + "…"


def source_description(article: dict) -> str:
    """A TextSource's Description: the article's metadata, one "Label: value"
    a line, then a blank line, :data:`MEMO_HEADING` and the article memo
    (the heading also when there is no metadata, so the memo's own first
    lines are never taken for metadata on import)."""
    metadata = "\n".join(f"{label}: {' '.join(str(article[key]).split())}"
                         for key, label in METADATA_LABELS.items() if article.get(key))
    memo = (article.get("memo") or "").strip()
    memo = f"{MEMO_HEADING}\n{memo}" if memo else ""
    return "\n\n".join(part for part in (metadata, memo) if part)


def selection_description(row: dict) -> str:
    """A passage's selection ``Description``: its note (where QualCoder and
    MAXQDA read a coding memo), or an orphaned passage's flag in its stead
    (the note is still its ``Note``); then, for a consensus passage, the
    line naming who decided it."""
    orphaned = row["anchor"] == "orphaned"
    parts = [orphan_description(row) if orphaned else row["note"] or ""]
    if row.get("decided_by"):
        parts.append(deciders_line(row["decided_by"]))
    return "\n".join(part for part in parts if part)


class _ProjectWriter:
    def __init__(self, job: ExportJob):
        self.job, self.ids = job, StableIds(job.db)
        self.root = _el(None, "Project", name=job.options.title, origin=f"Dossier {__version__}",
                        creationDateTime=xml_timestamp(utc_now()))
        self.users: dict[str, str] = {}
        self.notes: list[tuple[str, dict]] = []
        self.orphans = 0

    def user(self, analyst: str) -> str:
        if analyst not in self.users:
            self.users[analyst] = self.ids.user(analyst)
        return self.users[analyst]

    def codebook(self) -> dict[int, str]:
        tags = selected_tags(self.job.db, self.job.filter)
        guids = {t["id"]: self.ids.tag(t["id"]) for t in tags}
        if tags:
            write_codes(_el(_el(self.root, "CodeBook"), "Codes"), tags, guids, NAMESPACE)
        return guids

    def source(self, parent, article: dict, rows: list[dict], code_guids) -> bytes:
        guid = self.ids.article(article)
        text, position = normalise_line_breaks(article["text"])
        source = _el(parent, "TextSource", guid=guid, name=article["title"],
                     plainTextPath=f"internal://{guid}.txt",
                     creationDateTime=xml_timestamp(article["imported_at"]))
        description = source_description(article)
        if description:
            _text_el(source, "Description", description)
        for row in rows:
            if row["tag_id"] not in code_guids:
                continue
            orphaned = row["anchor"] == "orphaned"
            # an orphan's offsets are stale (maybe past the end): 0–0, flagged
            start, end = (0, 0) if orphaned else (position(row["start"]), position(row["end"]))
            user = self.user(row["analyst"])
            selection = _el(source, "PlainTextSelection",
                            guid=self.ids.passage(row),
                            name=_selection_name(row["text"] if orphaned else text[start:end]),
                            startPosition=start, endPosition=end, creatingUser=user,
                            creationDateTime=xml_timestamp(row["created_at"]),
                            modifyingUser=user,
                            modifiedDateTime=xml_timestamp(row["updated_at"]))
            description = selection_description(row)
            if description:
                _text_el(selection, "Description", description)
            if orphaned:
                self.orphans += 1
            coding = _el(selection, "Coding", guid=self.ids.derived(self.ids.passage(row),
                                                                     "coding"),
                         creatingUser=user, creationDateTime=xml_timestamp(row["created_at"]))
            _el(coding, "CodeRef", targetGUID=code_guids[row["tag_id"]])
            if row["note"]:
                note_guid = self.ids.derived(self.ids.passage(row), "note")
                _el(selection, "NoteRef", targetGUID=note_guid)
                self.notes.append((note_guid, row))
            self.job.progress.step()
        return text.encode("utf-8")

    def notes_element(self) -> None:
        if not self.notes:
            return
        notes = _el(self.root, "Notes")
        for guid, row in self.notes:
            note = _el(notes, "Note", guid=guid, name=f"Note on “{_selection_name(row['text'])}”",
                       creatingUser=self.users[row["analyst"]],
                       creationDateTime=xml_timestamp(row["created_at"]),
                       modifiedDateTime=xml_timestamp(row["updated_at"]))
            _text_el(note, "PlainTextContent", row["note"])

    def users_element(self) -> None:
        if not self.users:
            return
        users = _el(None, "Users")
        for name, guid in self.users.items():
            _el(users, "User", guid=guid, name=name)
        self.root.insert(0, users)  # Users come first


def write_qdpx(path: Path, job: ExportJob) -> ExportResult:
    writer = _ProjectWriter(job)
    code_guids = writer.codebook()
    by_article = {article_id: list(rows) for article_id, rows in groupby(
        selected_passages(job.db, job.filter), key=lambda row: row["article_id"])}
    files: list[tuple[str, bytes]] = []
    sources = None
    for article in selected_articles(job.db, job.filter):
        job.progress.check()
        if sources is None:
            sources = _el(writer.root, "Sources")
        rows = by_article.get(article["id"], [])
        files.append((writer.ids.article(article),
                      writer.source(sources, article, rows, code_guids)))
    writer.notes_element()
    writer.users_element()
    ET.indent(writer.root)
    project = ET.tostring(writer.root, encoding="utf-8", xml_declaration=True)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("project.qde", project)
        for guid, data in files:
            archive.writestr(f"sources/{guid}.txt", data)
    warnings = [f"{counted(writer.orphans, 'orphaned passage')} (their words are no longer in the "
                f"article) exported as empty selections at 0–0, flagged in their "
                f"Description"] if writer.orphans else []
    return ExportResult(job.progress.done, warnings)
