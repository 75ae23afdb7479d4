"""The HTML report as a PDF, laid out and printed by Qt.

``QTextDocument.setHtml`` + ``QPdfWriter`` (QtGui; PySide6-Essentials has
both, no QtPrintSupport needed), A4 with 15 mm margins. Qt needs an
application object for fonts: inside the GUI there is one; elsewhere (the
command line) :func:`ensure_gui_application` makes a ``QApplication`` on
the ``offscreen`` platform, so no display is needed (a QApplication rather
than a bare QGuiApplication, so that widgets can still be made later in
the same process). Painting on a
``QPdfWriter`` is allowed outside the GUI thread, so the export runs in a
worker like every other format.

The PDF is laid out into memory and written to the file by Python: a
``QPdfWriter`` given a file name ignores write errors (a full disk gave a
truncated PDF and a reported success), whereas Python's ``write`` raises
``OSError``, so the export fails and leaves no file like every other format.
"""

from __future__ import annotations

import sys
from pathlib import Path

from desktop.exporters.base import ExportJob, ExportResult
from desktop.exporters.html_report import render


def ensure_gui_application() -> None:
    """Create an offscreen QApplication unless one exists already."""
    from PySide6.QtWidgets import QApplication

    if QApplication.instance() is None:
        # kept alive for the rest of the process
        ensure_gui_application.app = QApplication(
            [sys.argv[0] if sys.argv else "dossier", "-platform", "offscreen"])


def _chart_images(job: ExportJob) -> dict:
    """name → QImage of each overview chart of the exported passages."""
    from PySide6.QtCore import QByteArray
    from PySide6.QtGui import QColor, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    from desktop.exporters.report_charts import charts
    from storage.export_selection import selected_passages

    images = {}
    for name, svg in charts(list(selected_passages(job.db, job.filter))).items():
        renderer = QSvgRenderer(QByteArray(svg.encode("utf-8")))
        size = renderer.defaultSize() * 3
        image = QImage(size, QImage.Format.Format_ARGB32)
        image.fill(QColor("#ffffff"))
        painter = QPainter(image)
        renderer.render(painter)
        painter.end()
        images[name] = image
    return images


def write_pdf(path: Path, job: ExportJob) -> ExportResult:
    """Lay the HTML report out as an A4 PDF and write it to ``path``."""
    data, count = _render_pdf(job)
    job.progress.check()
    # written from Python so that a short write (disk full) raises OSError
    with path.open("wb") as handle:
        handle.write(data)
    return ExportResult(count)


def _render_pdf(job: ExportJob) -> tuple[bytes, int]:
    """The report's PDF bytes (laid out in memory) and its passage count.

    Rendered into a ``QBuffer`` rather than a file because ``QPdfWriter``
    does not report failed writes to a file. A report of 5,000 passages is
    a PDF of about 1.6 MB, so holding it in memory costs little.
    """
    from PySide6.QtCore import QBuffer, QIODevice, QMarginsF, QUrl
    from PySide6.QtGui import QPageLayout, QPageSize, QPdfWriter, QTextDocument

    ensure_gui_application()
    document_html, count = render(job, images=True)
    job.progress.check()
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    writer = QPdfWriter(buffer)
    writer.setTitle(job.options.title)
    writer.setCreator("Dossier")
    writer.setResolution(300)
    writer.setPageLayout(QPageLayout(QPageSize(QPageSize.PageSizeId.A4),
                                     QPageLayout.Orientation.Portrait,
                                     QMarginsF(15, 15, 15, 15),
                                     QPageLayout.Unit.Millimeter))
    document = QTextDocument()
    if job.options.charts:       # the overview's charts, rasterised from their SVG
        for name, image in _chart_images(job).items():
            document.addResource(QTextDocument.ResourceType.ImageResource, QUrl(name), image)
    document.setHtml(document_html)
    document.print_(writer)
    del writer  # finishes the PDF (its trailer) in the buffer
    data = bytes(buffer.data())
    buffer.close()
    return data, count
