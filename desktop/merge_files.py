"""Merge a colleague's work from a Dossier database or a REFI-QDA project
(.qdpx) — ``dossier merge FILE`` and File → Merge from… (issue 18).

A .qdpx is first imported into a new Dossier database in a temporary folder
(:func:`desktop.refi_qda.import_project.import_qdpx`, the project import's
checks and limits), which is then merged like any colleague's database
(:func:`storage.merge.merge_database`: articles by text, tags by name,
passages by article, tag, range and analyst) — so merging the same project
twice adds nothing, and the merge is one undoable journal step named after
the project file. What the project import skipped or could not keep is
added to the report's ``skipped`` lines.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from storage.merge import MergeError, MergeReport, merge_database
from widgets.wording import counted

#: File suffixes merged as REFI-QDA projects.
QDPX_SUFFIXES = (".qdpx",)


def summary(report: MergeReport) -> str:
    """A merge in one line, for the command line and the window."""
    return (f"{counted(report.articles_added, 'article')} added, "
            f"{report.articles_matched:,} matched; "
            f"{counted(report.tags_added, 'tag')} added, {report.tags_matched:,} matched; "
            f"{counted(report.passages_added, 'passage')} added, "
            f"{report.passages_matched:,} already here; "
            f"{counted(report.assignments_added, 'assignment')} added; "
            f"{counted(report.notes_added, 'note')} and {counted(report.memos_added, 'memo')} "
            f"filled in; {counted(len(report.conflicts), 'conflict')}, "
            f"{len(report.skipped):,} skipped")


def merge_file(db, path: str | Path, *, analyst: str = "", origin: str = "") -> MergeReport:
    """Merge ``path`` (a Dossier database, or a .qdpx project) into ``db``
    (``origin``: the journal origin of the window that asked)."""
    path = Path(path)
    if path.suffix.lower() not in QDPX_SUFFIXES:
        return merge_database(db, path, analyst=analyst, origin=origin)
    from desktop.refi_qda.import_project import QdpxError, import_qdpx
    from storage import open_database

    if not path.is_file():
        raise MergeError(f"no project at {path}")
    with tempfile.TemporaryDirectory(prefix="dossier-qdpx-") as folder:
        staged = Path(folder) / "project.db"
        project_db = open_database(staged)
        try:
            imported = import_qdpx(project_db, path)
        except QdpxError as error:
            raise MergeError(str(error)) from error
        finally:
            project_db.close()
        report = merge_database(db, staged, analyst=analyst, name=path.name, origin=origin)
    # kept, worked around (a damaged file read, a code given a free name): not "skipped"
    kept = len(imported.warnings) + len(imported.renamed)
    report.notes += imported.detail_lines()[:kept]
    report.skipped += imported.detail_lines()[kept:]
    return report
