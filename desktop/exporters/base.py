"""What every exporter shares: the job it is given, progress and
cancellation, its result, and making text safe for XML.

Exporters are plain Python (no Qt, except the PDF report): each is a
function ``write(path, job) -> ExportResult`` that writes one file at
``path`` (a temporary file that the registry renames into place).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlite_utils import Database

from storage.export_selection import PassageFilter, count_passages


class ExportCancelled(Exception):
    """The user cancelled; nothing was written."""


@dataclass(frozen=True)
class ExportOptions:
    """Choices that only some formats use."""

    #: CSV: start with a UTF-8 byte-order mark, so Excel reads UTF-8.
    bom: bool = False
    #: HTML/PDF report: the heading.
    title: str = "Tagged passages"
    #: HTML/PDF report: open with the Overview's charts of the exported
    #: passages (desktop.exporters.report_charts).
    charts: bool = False


@dataclass
class ExportResult:
    """How many passages went out, and anything the user should know."""

    count: int
    warnings: list[str] = field(default_factory=list)


class Progress:
    """Counts exported passages, reports progress, raises on cancel."""

    EVERY = 50

    def __init__(self, total: int, on_progress: Callable[[int, int], None] | None,
                 is_cancelled: Callable[[], bool] | None):
        self.total, self.done = total, 0
        self._on_progress, self._is_cancelled = on_progress, is_cancelled

    def check(self) -> None:
        """Raise :class:`ExportCancelled` if the user cancelled."""
        if self._is_cancelled and self._is_cancelled():
            raise ExportCancelled()

    def step(self, count: int = 1) -> None:
        before, self.done = self.done, self.done + count
        if self.done // self.EVERY != before // self.EVERY or self.done >= self.total:
            self.check()
            if self._on_progress:
                self._on_progress(min(self.done, self.total), self.total)


@dataclass
class ExportJob:
    """One export: the database, what to take from it, and how."""

    db: Database
    filter: PassageFilter = PassageFilter()
    options: ExportOptions = ExportOptions()
    on_progress: Callable[[int, int], None] | None = None
    is_cancelled: Callable[[], bool] | None = None

    def __post_init__(self) -> None:
        self.progress = Progress(count_passages(self.db, self.filter),
                                 self.on_progress, self.is_cancelled)


# Characters XML 1.0 (and so XLSX) cannot hold, not even escaped.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def xml_safe(text: str | None) -> str:
    """``text`` with each XML-illegal character replaced by one space.

    One character for one keeps every code-point offset valid: a passage
    at ``[start, end)`` is still at ``[start, end)`` in the cleaned text.
    """
    return _XML_ILLEGAL.sub(" ", text or "")


def tint(color: str, strength: float = 0.3) -> str:
    """``#rrggbb`` mixed with white: ``strength`` 1 is the colour, 0 white."""
    channels = [int(color[i:i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{round(255 - (255 - c) * strength):02x}" for c in channels)
