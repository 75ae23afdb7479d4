"""Reading a REFI-QDA project (``.qdpx``) into the database.

What comes in: each ``TextSource`` as an article (text from its internal
``sources/`` file or its ``PlainTextContent``; title from its name;
source/author/published/URL from a Description written by Dossier), each
``Code`` used by a coding as a tag (name, colour — ``#rgb`` is widened,
none gets a colour from the default palette — and description; nested
codes are flattened; a tag that already exists by name keeps its own
colour), and each ``Coding`` of a ``PlainTextSelection`` as a passage
(positions in code points, end exclusive; analyst from the coding's or
selection's ``creatingUser``; note from the ``Note``\\ s its ``NoteRef``\\ s
point to, else its ``Description``). A coding of a whole source becomes a
passage over the whole article. Other source kinds (PDF, pictures, audio,
video) are skipped and named in the report.

Safety: the archive is read in memory and never extracted; a source is only
looked up as ``sources/<name>`` where ``internal://<name>`` is one plain
file name (no folders, no ``..``, no absolute path), so nothing can reach
outside the archive; sizes are capped; XML with a DOCTYPE (entity tricks) is
refused. Articles already stored (same text) and passages already stored
(same article, tag and range) are not added twice. Everything is stored in
one transaction: a failed or cancelled import stores nothing.

Line breaks: CRLF/CR become LF and positions move with them
(:mod:`desktop.refi_qda.line_breaks`); a leading BOM is dropped.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlite_utils import Database

from desktop.refi_qda.export import METADATA_LABELS
from desktop.refi_qda.line_breaks import normalise_line_breaks
from desktop.refi_qda.orphans import orphan_from_description
from desktop.refi_qda.xml_reading import (UnsafeXmlError, child_text, children, color, guid,
                                          local, parse_untrusted)
from storage import articles, journal, passages, tags
from storage.passages import PassageError
from storage.tags import TagError

MAX_SOURCE_BYTES = 20 * 1024 * 1024
MAX_PROJECT_BYTES = 200 * 1024 * 1024
DEFAULT_ANALYST = "imported"
_SAFE_NAME = re.compile(r"^[^/\\:]+$")


class QdpxError(Exception):
    """The file cannot be imported at all; the message is one line for the user."""


class ImportCancelled(Exception):
    """The user cancelled; nothing was stored."""


@dataclass
class QdpxReport:
    """What a project import did."""

    articles_added: list[tuple[str, int]] = field(default_factory=list)
    articles_existing: list[tuple[str, int]] = field(default_factory=list)
    tags_added: list[str] = field(default_factory=list)
    passages_added: int = 0
    passages_existing: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)

    def summary(self) -> str:
        return (f"{len(self.articles_added)} article(s) imported, "
                f"{len(self.articles_existing)} already present, "
                f"{len(self.tags_added)} new tag(s), {self.passages_added} passage(s) "
                f"imported, {self.passages_existing} already present, "
                f"{len(self.skipped)} item(s) skipped")


class _Archive:
    """A .qdpx opened in memory: the project XML and its internal sources."""

    def __init__(self, path: Path):
        try:
            self.zip = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, OSError) as error:
            raise QdpxError(f"{path.name} is not a REFI-QDA project (.qdpx): {error}") from error
        # only plain relative names are ever looked up
        self.entries = {info.filename.lower(): info for info in self.zip.infolist()
                        if not info.is_dir() and not info.filename.startswith(("/", "\\"))
                        and ".." not in re.split(r"[/\\]", info.filename)}
        self.path = path

    def read(self, name: str, limit: int) -> bytes | None:
        info = self.entries.get(name.lower())
        if info is None:
            return None
        if info.file_size > limit:
            raise QdpxError(f"{name} in {self.path.name} is too large")
        with self.zip.open(info) as handle:
            data = handle.read(limit + 1)
        if len(data) > limit:
            raise QdpxError(f"{name} in {self.path.name} is too large")
        return data

    def project(self):
        names = [n for n in self.entries if "/" not in n and n.endswith(".qde")]
        if not names:
            raise QdpxError(f"{self.path.name} holds no project.qde")
        name = "project.qde" if "project.qde" in names else names[0]
        try:
            return parse_untrusted(self.read(name, MAX_PROJECT_BYTES))
        except UnsafeXmlError as error:
            raise QdpxError(f"{name} in {self.path.name}: {error}") from error

    def internal_text(self, reference: str) -> str:
        """The text of ``internal://<name>``, from ``sources/<name>``."""
        name = reference[len("internal://"):]
        if not _SAFE_NAME.match(name) or name in (".", ".."):
            raise ValueError(f"unsafe source path {reference!r}")
        data = self.read(f"sources/{name}", MAX_SOURCE_BYTES)
        if data is None:
            raise ValueError(f"{reference} is missing from the archive")
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError as error:
            raise ValueError(f"{reference} is not UTF-8") from error


class _Importer:
    def __init__(self, db: Database, archive: _Archive, report: QdpxReport):
        self.db, self.archive, self.report = db, archive, report
        root = archive.project()
        if local(root.tag) != "Project":
            raise QdpxError(f"{archive.path.name}: the XML root is not a REFI-QDA Project")
        self.root = root
        self.users = {guid(u.get("guid")): u.get("name") or u.get("id") or DEFAULT_ANALYST
                      for u in root.iter() if local(u.tag) == "User"}
        self.codes = {guid(c.get("guid")): c for c in root.iter() if local(c.tag) == "Code"}
        self.notes = {guid(n.get("guid")): n for notes in children(root, "Notes")
                      for n in children(notes, "Note")}
        self.tag_ids: dict[str, int | None] = {}

    # -- tags ----------------------------------------------------------
    def tag_id(self, code_guid: str) -> int | None:
        if code_guid in self.tag_ids:
            return self.tag_ids[code_guid]
        code = self.codes.get(code_guid)
        tag_id = None
        if code is None:
            self.report.skipped.append((f"code {code_guid}", "not in the codebook"))
        else:
            name = code.get("name") or "Unnamed code"
            existing = tags.find_tag(self.db, name) if name.strip() else None
            if existing:
                tag_id = existing["id"]
            else:
                fallback = tags.unused_colour(t["color"] for t in tags.list_tags(self.db))
                try:
                    tag_id = tags.create_tag(self.db, name, color(code.get("color"), fallback),
                                             description=child_text(code, "Description") or "")
                    self.report.tags_added.append(name)
                except TagError as error:
                    self.report.skipped.append((f"code “{name}”", str(error)))
        self.tag_ids[code_guid] = tag_id
        return tag_id

    # -- notes ---------------------------------------------------------
    def note_text(self, element) -> str:
        texts = []
        for ref in children(element, "NoteRef"):
            note = self.notes.get(guid(ref.get("targetGUID")))
            if note is None:
                continue
            text = child_text(note, "PlainTextContent")
            if text is None and (note.get("plainTextPath") or "").startswith("internal://"):
                try:
                    text = self.archive.internal_text(note.get("plainTextPath"))
                except ValueError:
                    text = None
            if text and text.strip():
                texts.append(text.strip())
        if texts:
            return "\n\n".join(texts)
        return (child_text(element, "Description") or "").strip()

    # -- sources -------------------------------------------------------
    def source_text(self, source) -> str:
        path = source.get("plainTextPath")
        if path:
            if not path.startswith("internal://"):
                raise ValueError(f"external source {path!r} is not imported")
            return self.archive.internal_text(path)
        content = child_text(source, "PlainTextContent")
        if content is None:
            raise ValueError("no text (neither plainTextPath nor PlainTextContent)")
        return content

    def import_source(self, source) -> None:
        name = source.get("name") or "Untitled"
        try:
            raw = self.source_text(source).lstrip("\ufeff")
        except ValueError as error:
            self.report.skipped.append((f"source “{name}”", str(error)))
            return
        text, position = normalise_line_breaks(raw)
        if not text.strip():
            self.report.skipped.append((f"source “{name}”", "no text"))
            return
        metadata = {}
        labels = {label.lower(): key for key, label in METADATA_LABELS.items()}
        for line in (child_text(source, "Description") or "").splitlines():
            label, _, value = line.partition(": ")
            if label.strip().lower() in labels and value.strip():
                metadata[labels[label.strip().lower()]] = value.strip()
        article_id, created = articles.add_article(self.db, title=name, text=text, **metadata)
        (self.report.articles_added if created else self.report.articles_existing).append(
            (name, article_id))
        for selection in children(source, "PlainTextSelection"):
            if self.import_orphan(selection, name, article_id):
                continue
            try:
                start = position(int(selection.get("startPosition")))
                end = position(int(selection.get("endPosition")))
            except (TypeError, ValueError):
                self.report.skipped.append((f"selection in “{name}”", "positions are not numbers"))
                continue
            self.codings(selection, name, article_id, start, end,
                         selection.get("creatingUser"), selection.get("creationDateTime"))
        self.codings(source, name, article_id, 0, len(text), source.get("creatingUser"),
                     source.get("creationDateTime"))

    def import_orphan(self, selection, name: str, article_id: int) -> bool:
        """A selection Dossier exported as an orphaned passage
        (:mod:`desktop.refi_qda.orphans`): stored orphaned again, with its
        words and context, instead of being skipped. False for any other."""
        found = orphan_from_description(child_text(selection, "Description"))
        if found is None:
            return False
        note = self.note_text(selection) if children(selection, "Coding") else ""
        for coding in children(selection, "Coding"):
            refs = children(coding, "CodeRef")
            tag_id = self.tag_id(guid(refs[0].get("targetGUID"))) if refs else None
            if tag_id is None:
                continue
            analyst = self.users.get(guid(coding.get("creatingUser")
                                          or selection.get("creatingUser")), DEFAULT_ANALYST)
            added = passages.add_orphaned_passage(
                self.db, article_id=article_id, tag_id=tag_id, analyst=analyst, note=note,
                created_at=coding.get("creationDateTime") or selection.get("creationDateTime"),
                **found)
            if added is None:
                self.report.passages_existing += 1
            else:
                self.report.passages_added += 1
        return True

    def codings(self, element, name: str, article_id: int, start: int, end: int,
                user: str | None, created: str | None) -> None:
        note = self.note_text(element) if children(element, "Coding") else ""
        for coding in children(element, "Coding"):
            refs = children(coding, "CodeRef")
            tag_id = self.tag_id(guid(refs[0].get("targetGUID"))) if refs else None
            if tag_id is None:
                continue
            if passages.find_passage(self.db, article_id=article_id, tag_id=tag_id,
                                     start=start, end=end):
                self.report.passages_existing += 1
                continue
            analyst = self.users.get(guid(coding.get("creatingUser") or user), DEFAULT_ANALYST)
            try:
                passages.add_passage(self.db, article_id=article_id, tag_id=tag_id, start=start,
                                     end=end, analyst=analyst, note=note,
                                     created_at=coding.get("creationDateTime") or created)
                self.report.passages_added += 1
            except PassageError as error:
                self.report.skipped.append((f"selection {start}–{end} in “{name}”", str(error)))

    def sources(self):
        for sources in children(self.root, "Sources"):
            yield from sources


def import_qdpx(db: Database, path: str | Path, *,
                on_progress: Callable[[int, int], None] | None = None,
                is_cancelled: Callable[[], bool] | None = None) -> QdpxReport:
    """Import a .qdpx project; raises :class:`QdpxError` if it cannot be read
    and :class:`ImportCancelled` if cancelled (then nothing is stored)."""
    path = Path(path)
    report = QdpxReport()
    archive = _Archive(path)
    with archive.zip:
        importer = _Importer(db, archive, report)
        sources = list(importer.sources())
        with journal.step(db, f"Import {path.name}"):
            for done, source in enumerate(sources, 1):
                if is_cancelled and is_cancelled():
                    raise ImportCancelled()
                if local(source.tag) == "TextSource":
                    importer.import_source(source)
                else:
                    report.skipped.append((f"{local(source.tag)} “{source.get('name') or ''}”",
                                           "only text sources are imported"))
                if on_progress:
                    on_progress(done, len(sources))
    return report
