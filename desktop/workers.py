"""Background work for the GUI: spaCy analysis and one-off tasks (export,
import) in their own threads, each with its own database connection;
results, progress and errors arrive through Qt signals.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, QThread, Signal, Slot

log = logging.getLogger(__name__)


class AnalysisWorker(QObject):
    """Loads the spaCy pipeline once, then analyses pending articles on request.

    Lives in its own QThread (see :class:`AnalysisThread`); spaCy is
    imported in that thread, so the window never waits for it.
    """

    pipelineLoaded = Signal(str, str, bool, list)   # name, version, degraded, warnings
    progress = Signal(int, int)
    articleAnalysed = Signal(int)
    finished = Signal(int)
    failed = Signal(str)

    def __init__(self, db_path: Path, configured: str | None):
        super().__init__()
        self.db_path, self.configured = db_path, configured
        self._loaded = None
        self._cancelled = False

    def cancel(self) -> None:
        self._cancelled = True

    @Slot()
    def analyse(self) -> None:
        from desktop.analysis.pipeline import load_pipeline
        from desktop.analysis_jobs import analyse_pending
        from storage import open_database

        self._cancelled = False
        try:
            if self._loaded is None:
                self._loaded = load_pipeline(self.configured)
                loaded = self._loaded
                self.pipelineLoaded.emit(loaded.name, loaded.version, loaded.degraded,
                                         list(loaded.warnings))
            db = open_database(self.db_path)
            try:
                done = analyse_pending(db, self._loaded, on_progress=self.progress.emit,
                                       on_article=self.articleAnalysed.emit,
                                       is_cancelled=lambda: self._cancelled)
            finally:
                db.close()
        except Exception as error:  # reported to the user, never lost
            log.exception("analysis failed")
            self.failed.emit(f"{type(error).__name__}: {error}")
            return
        self.finished.emit(done)


class AnalysisThread(QObject):
    """Owns the analysis worker and its thread."""

    requested = Signal()

    def __init__(self, db_path: Path, configured: str | None, parent=None):
        super().__init__(parent)
        self.thread = QThread()
        self.thread.setObjectName("dossier-analysis")
        self.worker = AnalysisWorker(db_path, configured)
        self.worker.moveToThread(self.thread)
        self.requested.connect(self.worker.analyse)
        self.thread.start()

    def request(self) -> None:
        """Analyse whatever is pending (queued behind a running analysis)."""
        self.requested.emit()

    def stop(self, wait_ms: int = 30000) -> None:
        self.worker.cancel()
        self.thread.quit()
        self.thread.wait(wait_ms)


class _CallThread(QThread):
    def __init__(self, target: Callable[[], None]):
        super().__init__()
        self._target = target

    def run(self) -> None:
        self._target()


class Task(QObject):
    """A one-off function run in its own thread.

    ``function(on_progress, is_cancelled)`` runs in the thread; its return
    value arrives through ``succeeded``, an exception's message through
    ``failed``.
    """

    progress = Signal(int, int)
    succeeded = Signal(object)
    failed = Signal(str)

    def __init__(self, function: Callable, parent=None):
        super().__init__(parent)
        self.function = function
        self._cancelled = False
        self.thread = _CallThread(self._run)

    def start(self) -> None:
        self.thread.start()

    def cancel(self) -> None:
        self._cancelled = True

    def wait(self, ms: int = 30000) -> bool:
        return self.thread.wait(ms)

    def _run(self) -> None:
        try:
            result = self.function(self.progress.emit, lambda: self._cancelled)
        except Exception as error:
            log.error("background task failed: %s", traceback.format_exc())
            self.failed.emit(str(error) or type(error).__name__)
        else:
            self.succeeded.emit(result)
