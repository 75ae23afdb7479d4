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
    from PySide6.QtCore import QMarginsF, QUrl
    from PySide6.QtGui import QPageLayout, QPageSize, QPdfWriter, QTextDocument

    ensure_gui_application()
    document_html, count = render(job, images=True)
    job.progress.check()
    writer = QPdfWriter(str(path))
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
    del writer  # finishes the file
    return ExportResult(count)
