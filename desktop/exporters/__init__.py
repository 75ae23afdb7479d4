"""Exports of tagged passages, one module per format.

Use :func:`export_passages` with a format name from :data:`FORMATS`; the
filter is a :class:`storage.export_selection.PassageFilter`.
"""

from desktop.exporters.base import (  # noqa: F401
    ExportCancelled,
    ExportOptions,
    ExportResult,
)
from desktop.exporters.registry import FORMATS, export_passages, format_for  # noqa: F401
