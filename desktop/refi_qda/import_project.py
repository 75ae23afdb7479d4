"""Reading a REFI-QDA project (``.qdpx``) into the database.

What comes in: the codebook — every ``Code``, nested as in the file, code
folders (``isCodable="false"``, QualCoder's categories) as categories
(tags that hold the hierarchy and are not used for tagging), read like a
``.qdc`` (:func:`desktop.refi_qda.codebook.read_codes`); a category that
has codings in the file (QualCoder allows none, other tools may) becomes
an ordinary tag, so no coding is dropped, and the report says so;
a code is a tag already here when it has the tag's stable id as its GUID,
else its name where the tree agrees (:meth:`_Importer._tag_here`), and
that tag keeps its colour, description and place; a code whose name a tag
elsewhere in the tree has comes in as “Name (2)”, said in ``renamed``;
each ``TextSource`` as an article (text from its internal ``sources/``
file or its ``PlainTextContent``; title from its name; in a project
Dossier wrote (its ``origin``), source, author, published and URL from the
"Label: value" lines at the top of its ``Description`` and the memo after
them (:func:`dossier_description`); from any other tool the whole
Description — QualCoder's file memo — is the article memo); and each ``Coding`` of a
``PlainTextSelection`` as a passage (analyst from the coding's or
selection's ``creatingUser``; note from the ``Note``\\ s its ``NoteRef``\\ s
point to, else its ``Description``, where QualCoder and MAXQDA keep a
coding memo — kept as written, blank space included; created and last changed at the selection's
``creationDateTime`` and ``modifiedDateTime``, normalised by
:mod:`desktop.refi_qda.timestamps`; a consensus passage's deciders from the
line Dossier writes in the Description, :mod:`desktop.refi_qda.deciders`). A
coding of a whole source becomes a passage over the whole article.

Positions are checked, never trusted: each selection is placed by
:mod:`desktop.refi_qda.positions` (code points, UTF-16 units, CRLF counted
as one, UTF-8 bytes — the reading whose words are the selection's
``name``); a selection whose name is a label, not its text, is placed by
its positions alone and reported; one whose readings point at different
words with nothing to tell which is reported and not stored.

What is not brought in is reported by name: other source kinds (PDF,
pictures, audio, video), annotations (notes on a stretch of a source),
journals and other free notes, the project memo, cases, variables, sets,
links and graphs.

Safety and cost: the archive is never extracted; a source is only looked
up as ``sources/<name>`` where ``internal://<name>`` is one plain file name
(no folders, no ``..``, no absolute path); sizes and compression ratios are
checked before anything is inflated (:mod:`desktop.refi_qda.zip_limits`);
``project.qde`` is parsed incrementally, twice (codebook, users and notes
first; then one source at a time, each dropped once stored), so memory
stays about one source's worth; XML with a DOCTYPE is refused. Control
characters XML does not allow (QualCoder writes them into attributes) are
read as spaces. A ``project.qde`` that is not well-formed XML is read in
libxml2's recovery mode and the report says so, with the line; text on a
line with an error (a note, a memo) is left out, and the selections are
still checked against their words. Articles already stored (same text) and
passages already stored (same article, tag and range) are not added twice.
Everything is stored in one transaction: a failed or cancelled import
stores nothing.

Line breaks: CRLF/CR become LF (:mod:`desktop.refi_qda.line_breaks`); a
leading BOM is dropped. A source from another tool is then stored as a
.txt import stores the same file (:mod:`desktop.importers.article_text`):
control characters as spaces, no blank space at either end, positions
moved back by what was cut before the text.
"""

from __future__ import annotations

import re
import zipfile
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlite_utils import Database

from desktop.codebook_json import CodebookFileError
from desktop.refi_qda.codebook import read_codes
from desktop.refi_qda.deciders import deciders_from_description, without_deciders
from desktop.importers.article_text import controls_as_spaces, text_edges
from desktop.importers.drafts import iso_date
from desktop.refi_qda.export import MEMO_HEADING, METADATA_LABELS
from desktop.refi_qda.line_breaks import normalise_line_breaks
from desktop.refi_qda.orphans import MARK, orphan_from_description
from desktop.refi_qda.positions import (CODE_POINTS, Placed, SourcePositions, comparable,
                                        place_selections)
from desktop.refi_qda.timestamps import stored_timestamp
from desktop.refi_qda.xml_reading import (UnsafeXmlError, XmlStream, child_text, children,
                                          guid, local)
from desktop.refi_qda.zip_limits import (LimitedReader, ZipLimitError, check_archive,
                                         read_limited)
from storage import articles, journal, passages, review, tags
from storage.consensus import CONSENSUS
from storage.passages import PassageError
from storage.stable_ids import canonical
from storage.tags import TagError
from widgets.wording import counted

MAX_SOURCE_BYTES = 20 * 1024 * 1024
MAX_PROJECT_BYTES = 100 * 1024 * 1024
#: Selections and notes one project may hold (each costs a few rows and checks).
MAX_SELECTIONS = 500_000
MAX_NOTES = 500_000
DEFAULT_ANALYST = "imported"
_SAFE_NAME = re.compile(r"^[^/\\:]+$")
_SOURCE_KINDS = {"TextSource", "PDFSource", "PictureSource", "AudioSource", "VideoSource"}
_NOT_READ = {"Cases": "cases", "Variables": "variables", "Sets": "sets", "Links": "links",
             "Graphs": "graphs"}


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
    #: what could not be imported (a failure), with the reason
    skipped: list[tuple[str, str]] = field(default_factory=list)
    #: codes that came in under another name than the file's (what, why):
    #: another code or tag elsewhere in the tree has theirs
    renamed: list[tuple[str, str]] = field(default_factory=list)
    #: what the file holds that Dossier does not keep (no failure), with why
    not_imported: list[tuple[str, str]] = field(default_factory=list)
    #: how the selections' positions were counted: reading -> how many
    readings: Counter = field(default_factory=Counter)
    #: problems with the file itself that were worked around
    warnings: list[str] = field(default_factory=list)
    #: the journal step holding the whole import (``storage.journal.Step``)
    step: object = None

    def summary(self) -> str:
        text = (f"{counted(len(self.articles_added), 'article')} imported, "
                f"{len(self.articles_existing)} already present, "
                f"{counted(len(self.tags_added), 'new tag')}, "
                f"{counted(self.passages_added, 'passage')} imported, {self.passages_existing} already present, "
                f"{counted(len(self.skipped), 'item')} skipped")
        if self.not_imported:
            text += f", {counted(len(self.not_imported), 'item')} Dossier does not keep"
        other = {r: n for r, n in self.readings.items() if r != CODE_POINTS}
        if other:
            text += "".join(f"; the positions of {counted(count, 'coding')} read as {reading}"
                            for reading, count in sorted(other.items()))
        return text

    def detail_lines(self) -> list[str]:
        """One line per warning, skipped item and item not kept."""
        return (self.warnings
                + [f"renamed {what}: {why}" for what, why in self.renamed]
                + [f"skipped {what}: {why}" for what, why in self.skipped]
                + [f"not imported: {what}: {why}" for what, why in self.not_imported])


# -- the archive ---------------------------------------------------------------
class _Archive:
    """A .qdpx opened in place: the project XML and its internal sources."""

    def __init__(self, path: Path):
        try:
            self.zip = zipfile.ZipFile(path)
            check_archive(self.zip)
        except (zipfile.BadZipFile, OSError) as error:
            raise QdpxError(f"{path.name} is not a REFI-QDA project (.qdpx): {error}") from error
        except ZipLimitError as error:
            raise QdpxError(f"{path.name}: {error}") from error
        # only plain relative names are ever looked up
        self.entries = {info.filename.lower(): info for info in self.zip.infolist()
                        if not info.is_dir() and not info.filename.startswith(("/", "\\"))
                        and ".." not in re.split(r"[/\\]", info.filename)}
        self.path = path
        names = [n for n in self.entries if "/" not in n and n.endswith(".qde")]
        if not names:
            raise QdpxError(f"{path.name} holds no project.qde")
        self.project_name = "project.qde" if "project.qde" in names else names[0]
        try:        # refused before anything is inflated
            LimitedReader(self.zip, self.entries[self.project_name], MAX_PROJECT_BYTES).close()
        except ZipLimitError as error:
            raise QdpxError(f"{path.name}: {error}") from error
        except (RuntimeError, NotImplementedError, zipfile.BadZipFile) as error:
            # encrypted, or compressed in a way zipfile cannot read
            raise QdpxError(f"{path.name}: {self.project_name} cannot be read: {error}") from None

    def project_stream(self, *, recover: bool) -> XmlStream:
        reader = LimitedReader(self.zip, self.entries[self.project_name], MAX_PROJECT_BYTES)
        return XmlStream(reader, recover=recover)

    def internal_text(self, reference: str) -> str:
        """The text of ``internal://<name>``, from ``sources/<name>``."""
        name = reference[len("internal://"):]
        if not _SAFE_NAME.match(name) or name in (".", ".."):
            raise ValueError(f"unsafe source path {reference!r}")
        info = self.entries.get(f"sources/{name}".lower())
        if info is None:
            raise ValueError(f"{reference} is missing from the archive")
        try:
            data = read_limited(self.zip, info, MAX_SOURCE_BYTES)
        except ZipLimitError as error:
            raise ValueError(str(error)) from None
        except (zipfile.BadZipFile, OSError, EOFError, RuntimeError,
                NotImplementedError) as error:
            raise ValueError(f"{reference} cannot be read: {error}") from None
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError as error:
            raise ValueError(f"{reference} is not UTF-8") from error


# -- reading project.qde ----------------------------------------------------------
def _clear(element) -> None:
    """Free a handled element and the siblings before it (lxml keeps them)."""
    element.clear()
    parent = element.getparent()
    if parent is not None:
        while element.getprevious() is not None:
            del parent[0]


@dataclass
class _Note:
    guid: str
    name: str
    text: str | None
    path: str | None
    annotation: bool        # it holds a PlainTextSelection: a note on a stretch of text
    damaged: bool = False
    used: bool = False


@dataclass
class _Project:
    """What the first reading of project.qde gathered."""

    users: dict[str, str] = field(default_factory=dict)
    codebook: object = None          # QdcCodebook or None
    notes: dict[str, _Note] = field(default_factory=dict)
    memo: str | None = None
    #: the Project's ``origin`` ("Dossier 0.1.0", "QualCoder 3.5"…)
    origin: str = ""
    sources: int = 0
    selections: int = 0
    other_parts: Counter = field(default_factory=Counter)
    error_lines: set[int] = field(default_factory=set)
    recover: bool = False

    @property
    def from_dossier(self) -> bool:
        """Whether Dossier wrote the project (its ``origin`` says so)."""
        return self.origin.startswith("Dossier")


def _damaged(element, text: str | None, error_lines: set[int]) -> bool:
    """Whether a text element read in recovery mode was touched by an error:
    an error on one of its lines, or elements inside it."""
    if not error_lines:
        return False
    first = element.sourceline or 0
    last = first + (text or "").count("\n") + 1
    return any(first <= line <= last for line in error_lines) or len(element) > 0


def _text_child(element, name: str, error_lines: set[int]) -> tuple[str | None, bool]:
    found = children(element, name)
    if not found:
        return None, False
    text = "".join(found[0].itertext())
    return text, _damaged(found[0], text, error_lines)


def _first_pass(archive: _Archive, project: _Project) -> None:
    stream = archive.project_stream(recover=project.recover)
    path: list[str] = []
    for event, element in stream:
        name = local(element.tag)
        if event == "start":
            path.append(name)
            if len(path) == 1 and name != "Project":
                raise QdpxError(f"{archive.path.name}: the XML root is not a REFI-QDA Project")
            if len(path) == 1:
                project.origin = element.get("origin") or ""
            continue
        path.pop()
        depth = len(path)
        if depth == 2 and path[1] == "Users" and name == "User":
            project.users[guid(element.get("guid"))] = (
                element.get("name") or element.get("id") or DEFAULT_ANALYST)
            _clear(element)
        elif depth == 1 and name == "CodeBook":
            project.codebook = read_codes(element)
            _clear(element)
        elif depth == 2 and path[1] == "Notes" and name == "Note":
            text, damaged = _text_child(element, "PlainTextContent", project.error_lines)
            note = _Note(guid(element.get("guid")), element.get("name") or "", text,
                         element.get("plainTextPath"),
                         bool(children(element, "PlainTextSelection")), damaged)
            project.notes[note.guid] = note
            if len(project.notes) > MAX_NOTES:
                raise QdpxError(f"{archive.path.name} holds more than {MAX_NOTES:,} notes")
            _clear(element)
        elif depth == 2 and path[1] == "Sources" and name in _SOURCE_KINDS:
            project.sources += 1
            _clear(element)
        elif depth == 3 and path[1] == "Sources" and name == "PlainTextSelection":
            project.selections += 1
            if project.selections > MAX_SELECTIONS:
                raise QdpxError(f"{archive.path.name} holds more than {MAX_SELECTIONS:,} "
                                "selections")
        elif depth == 1 and name == "Description":
            text = "".join(element.itertext())
            if not _damaged(element, text, project.error_lines):
                project.memo = text
        elif depth == 1 and name in _NOT_READ:
            project.other_parts[name] = len(element)
            _clear(element)
    if stream.replaced:
        project.other_parts["control characters"] = stream.replaced
    project.error_lines |= {line for line, _ in stream.errors}


def _read_project(archive: _Archive, report: QdpxReport) -> _Project:
    project = _Project()
    try:
        _first_pass(archive, project)
        return project
    except UnsafeXmlError as error:
        if "well-formed" not in str(error):
            raise QdpxError(f"{archive.project_name} in {archive.path.name}: {error}") from None
        first_error = str(error)
    except (ZipLimitError, CodebookFileError) as error:
        raise QdpxError(f"{archive.path.name}: {error}") from None
    # not well-formed: read again in recovery mode, knowing where the errors are
    project = _Project(recover=True)
    try:
        _first_pass(archive, project)           # collects the error lines
        lines = set(project.error_lines)
        project = _Project(recover=True, error_lines=lines)
        _first_pass(archive, project)           # texts on those lines left out
    except (UnsafeXmlError, ZipLimitError, CodebookFileError) as error:
        raise QdpxError(f"{archive.project_name} in {archive.path.name}: {error}") from None
    if not project.sources and project.codebook is None:
        raise QdpxError(f"{archive.project_name} in {archive.path.name}: {first_error}")
    report.warnings.append(
        f"{archive.project_name} {first_error.removeprefix('it ')}; it was read in recovery "
        f"mode: notes and memos on {'line' if len(lines) == 1 else 'lines'} "
        f"{', '.join(map(str, sorted(lines)[:10]))} are left "
        "out, and every selection was checked against its text")
    return project


# -- storing ---------------------------------------------------------------------
class _Importer:
    def __init__(self, db: Database, archive: _Archive, project: _Project, report: QdpxReport):
        self.db, self.archive, self.project, self.report = db, archive, project, report
        self.tag_ids: dict[str, int | None] = {}
        self.source_notes: set[str] = set()     # notes a source points to (annotations)
        # article -> (tag, start, end, analyst) of its passages
        self.stored: dict[int, set[tuple[int, int, int, str]]] = {}
        self.categories: dict[int, str] = {}    # the file's codes that are categories here

    # -- the codebook --------------------------------------------------------------
    def import_codebook(self) -> None:
        codebook = self.project.codebook
        if codebook is None:
            return
        self.report.skipped += codebook.skipped
        self.report.renamed += codebook.renamed
        ids: dict[str, int] = {}        # the codes' names in the file -> their tags here
        # tags here that are one of the file's codes already (each is at most
        # one): those its codes are by stable id, before any is matched by
        # name, then each one matched or made
        held = {tag["id"] for tag in (tags.find_tag_by_uuid(self.db, canonical(entry.get("guid")))
                                      for entry in codebook.entries) if tag}
        for entry in codebook.entries:
            parent = ids.get(entry.get("parent") or "")
            existing = self._tag_here(entry, parent, held)
            if existing:
                held.add(existing["id"])
                ids[entry["name"]] = existing["id"]
                self._kept_as_here(entry, existing)
                if not existing["codable"]:
                    self.categories[existing["id"]] = existing["name"]
                continue
            name = self._free_name_here(entry)
            fallback = tags.unused_colour(t["color"] for t in tags.list_tags(self.db))
            codable = entry.get("codable", True)
            try:
                tag_id = tags.create_tag(self.db, name, entry["color"] or fallback,
                                         description=entry.get("description") or "",
                                         codable=codable, stable_id=entry.get("guid"))
            except TagError as error:
                self.report.skipped.append((f"code “{entry['name']}”", str(error)))
                continue
            held.add(tag_id)
            if not codable:
                self.categories[tag_id] = name
            ids[entry["name"]] = tag_id
            self.report.tags_added.append(name)
            if parent is not None:
                tags.set_parent(self.db, tag_id, parent)
        self.tag_ids = {code_guid: ids.get(name) for code_guid, name in codebook.guids.items()}

    def _tag_here(self, entry: dict, parent: int | None, held: set[int]) -> dict | None:
        """The tag here that the code ``entry`` is, or None (a new tag);
        ``parent``: the tag here its parent code is.

        By stable id first: a tag exported from here (or from a copy) keeps
        its GUID, wherever it was moved and whatever it was renamed to since.
        Then by name, unless another code of the file is that tag already
        (``held``) — in a flat file (no code inside another, as Taguette
        writes) or for a tag at the top here, whatever the file's tree says
        (the tag keeps its place); for a tag inside another here, only when
        the code is inside that same tag in the file: ``Victims/Other`` is
        not the ``Crime/Other`` here, and its codings must not be counted
        under Crime."""
        found = tags.find_tag_by_uuid(self.db, canonical(entry.get("guid")))
        if found is not None:
            return found
        found = tags.find_tag(self.db, entry["name"])
        if found is None or found["id"] in held:
            return None
        if "parent" not in entry or found["parent_id"] in (None, parent):
            return found
        return None

    def _free_name_here(self, entry: dict) -> str:
        """The name a new tag for ``entry`` takes: its own, or when a tag
        elsewhere in the tree here has it, the first free “name (2)”… —
        said in the report."""
        taken = {tags.name_key(t["name"]) for t in tags.list_tags(self.db)}
        name = tags.free_name(entry["name"], taken)
        if name != entry["name"]:
            holder = tags.find_tag(self.db, entry["name"])
            holder_parent = tags.get_tag(self.db, holder["parent_id"]) if holder else None
            where = f"in “{holder_parent['name']}”" if holder_parent else "at the top"
            in_file = f"in “{entry['parent']}”" if entry.get("parent") else "at the top"
            self.report.renamed.append((
                f"code “{entry['name']}” {in_file}",
                f"the tag “{holder['name'] if holder else entry['name']}” here is another one "
                f"({where}); this code comes in as “{name}”"))
        return name

    def _kept_as_here(self, entry: dict, here: dict) -> None:
        """A code whose name a tag here has: its passages go under that tag,
        which stays as it is here; say so when the project colours or
        describes it otherwise (nothing said it did)."""
        differ = []
        if entry.get("color") and entry["color"].lower() != (here["color"] or "").lower():
            differ.append(f"colour {entry['color']} (here {here['color']})")
        if (entry.get("description") or "").strip() not in ("", (here.get("description")
                                                                 or "").strip()):
            differ.append("description")
        if differ:
            self.report.not_imported.append((
                f"code “{entry['name']}”'s {' and '.join(differ)}",
                "a tag of that name is here already; its passages go under it, and it "
                "keeps its own colour and description"))

    def tag_id(self, code_guid: str) -> int | None:
        if code_guid not in self.tag_ids:
            self.report.skipped.append((f"code {code_guid}", "not in the codebook"))
            self.tag_ids[code_guid] = None
        return self.tag_ids[code_guid]

    def coded(self, tag_id: int) -> None:
        """A passage was stored with ``tag_id``: a category becomes a tag
        used for tagging (its codings are kept, never dropped)."""
        name = self.categories.pop(tag_id, None)
        if name is not None:
            tags.set_codable(self.db, tag_id, True)
            self.report.warnings.append(
                f"the category “{name}” has codings in the file: it was made a tag used "
                "for tagging, so that they are kept")

    # -- notes ---------------------------------------------------------------------
    def _note_text(self, note: _Note) -> str | None:
        if note.text is None and (note.path or "").startswith("internal://"):
            try:
                note.text = self.archive.internal_text(note.path).lstrip("\ufeff")
            except ValueError:
                return None
        return note.text

    def note_text(self, element) -> str:
        texts = []
        for ref in children(element, "NoteRef"):
            note = self.project.notes.get(guid(ref.get("targetGUID")))
            if note is None:
                continue
            note.used = True
            if note.damaged:
                self.report.skipped.append((f"note “{note.name or note.guid}”",
                                            "its text is damaged in the file"))
                continue
            text = self._note_text(note)
            if text and text.strip():      # blank space only is no note; a note is kept as written
                texts.append(text)
        if texts:
            return "\n\n".join(texts)
        text, damaged = _text_child(element, "Description", self.project.error_lines)
        note = "" if damaged else without_deciders(text or "")
        return note if note.strip() else ""

    def report_unused(self) -> None:
        """Name what the file holds that was not brought in."""
        for note in self.project.notes.values():
            if note.used:
                continue
            text = "" if note.damaged else comparable(self._note_text(note) or "")
            shown = (f"“{text[:60]}{'…' if len(text) > 60 else ''}”" if text
                     else "(its text damaged in the file)" if note.damaged else "(empty)")
            if note.annotation or note.guid in self.source_notes:
                self.report.not_imported.append(
                    (f"annotation {shown}", "Dossier has no annotations on a stretch of text; "
                     "tag the passage and give it a note instead"))
            else:
                label = f"journal “{note.name}”" if note.name else f"note {shown}"
                self.report.not_imported.append(
                    (label, "Dossier has no journals or free notes; not imported"))
        if self.project.memo and self.project.memo.strip():
            memo = comparable(self.project.memo)
            self.report.not_imported.append(
                (f"project memo “{memo[:60]}{'…' if len(memo) > 60 else ''}”",
                 "Dossier has no project memo; not imported"))
        for part, count in self.project.other_parts.items():
            if part == "control characters":
                self.report.warnings.append(
                    f"{counted(count, 'control character')} XML does not allow "
                    f"{'was' if count == 1 else 'were'} read as spaces")
            elif count:
                self.report.not_imported.append(
                    (f"{count} {_NOT_READ[part]}", "Dossier does not keep them"))

    # -- sources -------------------------------------------------------------------
    def source_text(self, source) -> str:
        path = source.get("plainTextPath")
        if path:
            if not path.startswith("internal://"):
                raise ValueError(f"external source {path!r} is not imported")
            return self.archive.internal_text(path)
        content, damaged = _text_child(source, "PlainTextContent", self.project.error_lines)
        if content is None:
            raise ValueError("no text (neither plainTextPath nor PlainTextContent)")
        if damaged:
            raise ValueError("its text is damaged in the file")
        return content

    def description(self, source) -> tuple[dict, str]:
        """The article metadata Dossier wrote at the top of a source's
        Description (:func:`dossier_description`), and the rest as a memo;
        from another tool's project, all of it is the memo."""
        text, damaged = _text_child(source, "Description", self.project.error_lines)
        if damaged:
            self.report.skipped.append((f"description of “{source.get('name') or ''}”",
                                        "its text is damaged in the file"))
            return {}, ""
        text = (text or "").strip()
        if not self.project.from_dossier:
            return {}, text
        return dossier_description(text)

    def import_source(self, source) -> None:
        name = source.get("name") or "Untitled"
        for ref in children(source, "NoteRef"):
            self.source_notes.add(guid(ref.get("targetGUID")))
        try:
            raw = self.source_text(source).lstrip("\ufeff")
        except ValueError as error:
            self.report.skipped.append((f"source “{name}”", str(error)))
            return
        text, position = normalise_line_breaks(raw)
        # A text an earlier import stored whole is matched whole, and so is a
        # Dossier project's (its text may start or end in blank space,
        # corrected in Edit text: stripped, it would come back with another
        # hash). Any other is stored as a .txt import stores the same file,
        # so that the file imported both ways is one article; each control
        # becomes one space, so positions only move by what is cut before
        # the text, as for the BOM.
        article_id = articles.find_by_hash(self.db, articles.text_hash(text))
        lead, kept = 0, len(text)
        if article_id is None and not self.project.from_dossier:
            text = controls_as_spaces(text)
            lead, kept = text_edges(text)
        if lead == kept or not text.strip():
            self.report.skipped.append((f"source “{name}”", "no text"))
            return
        metadata, memo = self.description(source)
        created = False
        if article_id is None:
            article_id, created = articles.add_article(
                self.db, title=name, text=text[lead:kept], stable_id=source.get("guid"),
                **metadata)
        (self.report.articles_added if created else self.report.articles_existing).append(
            (name, article_id))
        self.bring_memo(article_id, name, memo)
        self.selections(source, name, article_id, SourcePositions(raw, text, position),
                        lead, kept)
        self.codings(source, name, article_id, Placed(0, kept - lead, CODE_POINTS),
                     source.get("creatingUser"), source.get("creationDateTime"))

    def bring_memo(self, article_id: int, name: str, memo: str) -> None:
        if not memo:
            return
        current = review.memo(self.db, article_id)
        if not current.strip():
            review.set_memo(self.db, article_id, memo)
        elif comparable(current) != comparable(memo):
            self.report.not_imported.append(
                (f"description of “{name}”", "the article already has a memo; kept as it was"))

    def selections(self, source, name: str, article_id: int,
                   positions: SourcePositions, lead: int, kept: int) -> None:
        """Each coded selection of a source, placed (see
        :func:`place_selections`) and cut to ``lead``–``kept``, where the
        stored text starts and ends in the source's text, then moved back by
        ``lead`` (a selection only of the blank space before or after it is
        skipped, said)."""
        found, wanted = [], []
        for selection in children(source, "PlainTextSelection"):
            if self.import_orphan(selection, name, article_id):
                continue
            try:
                start = int(selection.get("startPosition"))
                end = int(selection.get("endPosition"))
            except (TypeError, ValueError):
                self.report.skipped.append((f"selection in “{name}”",
                                            "positions are not numbers"))
                continue
            found.append(selection)
            wanted.append((start, end, selection.get("name")))
        labels = []
        for selection, (start, end, _), place in zip(
                found, wanted, place_selections(positions, wanted)):
            if isinstance(place, str):
                self.report.skipped.append((f"selection {start}–{end} in “{name}”", place))
                continue
            if place.start >= kept or place.end <= lead:
                where = "after the text's end" if place.start >= kept else "before its start"
                self.report.skipped.append((f"selection {start}–{end} in “{name}”",
                                            f"only blank space {where}"))
                continue
            if place.label is not None:
                labels.append(place.label)
            place = Placed(max(place.start, lead) - lead, min(place.end, kept) - lead,
                           place.reading)
            self.codings(selection, name, article_id, place, selection.get("creatingUser"),
                         selection.get("creationDateTime"))
        if labels:
            self.report.warnings.append(
                f"“{name}”: {counted(len(labels), 'selection')} placed by position alone, "
                f"{'its name is not its' if len(labels) == 1 else 'their names are not their'}"
                f" text (“{labels[0]}”{', …' if len(labels) > 1 else ''})")

    def import_orphan(self, selection, name: str, article_id: int) -> bool:
        """A selection Dossier exported as an orphaned passage
        (:mod:`desktop.refi_qda.orphans`): stored orphaned again, with its
        words and context, instead of being skipped. False for any other."""
        found = orphan_from_description(child_text(selection, "Description"))
        if found is None:
            return False
        note = self.note_text(selection) if children(selection, "Coding") else ""
        if MARK in note:    # no note of its own: the Description is the orphan's mark
            note = ""
        own = selection.get("guid")      # the first passage's stable id, as in codings()
        for coding in children(selection, "Coding"):
            refs = children(coding, "CodeRef")
            tag_id = self.tag_id(guid(refs[0].get("targetGUID"))) if refs else None
            if tag_id is None:
                continue
            analyst = self.project.users.get(guid(coding.get("creatingUser")
                                                  or selection.get("creatingUser")),
                                             DEFAULT_ANALYST)
            created = stored_timestamp(coding.get("creationDateTime")
                                       or selection.get("creationDateTime"))
            added = passages.add_orphaned_passage(
                self.db, article_id=article_id, tag_id=tag_id, analyst=analyst, note=note,
                created_at=created, updated_at=modified_time(selection, created),
                stable_id=own or coding.get("guid"),
                decided_by=deciders(selection, analyst), **found)
            if added is None:
                self.report.passages_existing += 1
            else:
                own = None
                self.report.passages_added += 1
                self.coded(tag_id)
        return True

    def codings(self, element, name: str, article_id: int, place: Placed,
                user: str | None, created: str | None) -> None:
        codings = children(element, "Coding")
        note = self.note_text(element) if codings else ""
        # stable ids: a selection's GUID is its first passage's (as Dossier
        # exports it); a further coding's, or one of a whole source, its own
        own = element.get("guid") if local(element.tag) == "PlainTextSelection" else None
        # a selection's modifiedDateTime and Description are its coding's; a
        # whole source's are the document's, not its codings'
        of_selection = local(element.tag) == "PlainTextSelection"
        for coding in codings:
            refs = children(coding, "CodeRef")
            tag_id = self.tag_id(guid(refs[0].get("targetGUID"))) if refs else None
            if tag_id is None:
                continue
            analyst = self.project.users.get(guid(coding.get("creatingUser") or user),
                                             DEFAULT_ANALYST)
            if article_id not in self.stored:     # read once per article, not per coding
                self.stored[article_id] = {
                    (p["tag_id"], p["start"], p["end"], p["analyst"]) for p in
                    passages.passages_for_article(self.db, article_id)}
            # two analysts' codings of the same words are two passages (their
            # agreement); only the same analyst's again is already here
            if (tag_id, place.start, place.end, analyst) in self.stored[article_id]:
                self.report.passages_existing += 1
                continue
            made = stored_timestamp(coding.get("creationDateTime") or created)
            try:
                passages.add_passage(
                    self.db, article_id=article_id, tag_id=tag_id, start=place.start,
                    end=place.end, analyst=analyst, note=note, created_at=made,
                    updated_at=modified_time(element, made) if of_selection else None,
                    stable_id=own or coding.get("guid"),
                    decided_by=deciders(element, analyst) if of_selection else None)
            except PassageError as error:
                self.report.skipped.append(
                    (f"selection {place.start}–{place.end} in “{name}”", str(error)))
                continue
            own = None
            self.stored[article_id].add((tag_id, place.start, place.end, analyst))
            self.report.passages_added += 1
            self.coded(tag_id)
            self.report.readings[place.reading] += 1


def deciders(selection, analyst: str) -> str | None:
    """Who decided a consensus passage, as its selection's Description
    names them (:mod:`desktop.refi_qda.deciders`); None for any other
    analyst's passage, whose ``decided_by`` stays empty."""
    if analyst != CONSENSUS:
        return None
    return deciders_from_description(child_text(selection, "Description"))


def modified_time(element, created: str | None) -> str | None:
    """The stored form of ``element``'s ``modifiedDateTime`` (when the
    selection was last changed where it was exported), or None when it has
    none. Never earlier than ``created``: a file's clocks may disagree."""
    modified = stored_timestamp(element.get("modifiedDateTime"))
    if modified is None or created is None:
        return modified
    return max(modified, created)


def _metadata_line(line: str, found: dict) -> tuple[str, str] | None:
    """``(key, value)`` of a "Label: value" line Dossier writes, or None: an
    unknown or repeated label, or a published date the importers' date
    parser cannot read."""
    labels = {label.lower(): key for key, label in METADATA_LABELS.items()}
    label, separator, value = line.partition(": ")
    key = labels.get(label.strip().lower())
    if not separator or key is None or key in found:
        return None
    value = value.strip()
    if key == "published" and value:
        value = iso_date(value)
        if value is None:
            return None
    return key, value


def dossier_description(text: str) -> tuple[dict, str]:
    """``(metadata, memo)`` of a Description Dossier wrote
    (:func:`desktop.refi_qda.export.source_description`): leading "Label:
    value" lines, then the memo after :data:`MEMO_HEADING` (or, from a
    Dossier before the heading, after a blank line). Label lines followed by
    anything else were no metadata block: the whole text is the memo."""
    metadata, lines = {}, text.splitlines()
    count = 0
    while count < len(lines):
        found = _metadata_line(lines[count], metadata)
        if found is None:
            break
        if found[1]:
            metadata[found[0]] = found[1]
        count += 1
    rest = lines[count:]
    if rest and rest[0].strip() == MEMO_HEADING:
        return metadata, "\n".join(rest[1:]).strip()
    if rest and rest[0].strip():            # not delimited as Dossier writes it
        return {}, text
    while rest and not rest[0].strip():
        rest.pop(0)
    if rest and rest[0].strip() == MEMO_HEADING:
        rest.pop(0)
    return metadata, "\n".join(rest).strip()


def _sources(archive: _Archive, project: _Project):
    """Each element under ``Sources``, read one at a time (second pass)."""
    path: list[str] = []
    for event, element in archive.project_stream(recover=project.recover):
        if event == "start":
            path.append(local(element.tag))
            continue
        path.pop()
        if len(path) == 2 and path[1] == "Sources":
            yield element
            _clear(element)
        elif len(path) == 1 and local(element.tag) != "Sources":
            _clear(element)         # read in the first pass


def import_qdpx(db: Database, path: str | Path, *,
                on_progress: Callable[[int, int], None] | None = None,
                is_cancelled: Callable[[], bool] | None = None,
                origin: str = "") -> QdpxReport:
    """Import a .qdpx project, as one journal step of ``origin`` (the
    window's, so that its Ctrl+Z undoes it: ``report.step``); raises
    :class:`QdpxError` if it cannot be read and :class:`ImportCancelled` if
    cancelled (then nothing is stored)."""
    path = Path(path)
    report = QdpxReport()
    archive = _Archive(path)
    with archive.zip:
        project = _read_project(archive, report)
        importer = _Importer(db, archive, project, report)
        try:
            with journal.step(db, f"Import {path.name}", origin=origin) as step:
                importer.import_codebook()
                done = 0
                for source in _sources(archive, project):
                    if is_cancelled and is_cancelled():
                        raise ImportCancelled()
                    kind = local(source.tag)
                    if kind == "TextSource":
                        importer.import_source(source)
                    else:
                        report.skipped.append((f"{kind} “{source.get('name') or ''}”",
                                               "only text sources are imported"))
                    done += 1
                    if on_progress:
                        on_progress(done, project.sources)
                importer.report_unused()
        except (UnsafeXmlError, ZipLimitError) as error:
            raise QdpxError(f"{archive.project_name} in {path.name}: {error}") from None
    report.step = step
    return report

