"""Background work for the GUI: spaCy analysis in a process of its own
(:mod:`desktop.analysis_service`), one-off tasks (export, import) in their
own threads, each with its own database connection; results, progress and
errors arrive through Qt signals.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import traceback
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, QProcess, QProcessEnvironment, QThread, Signal

log = logging.getLogger(__name__)


class AnalysisSignals(QObject):
    """What the window hears of analysis (the service's events as signals)."""

    pipelineLoaded = Signal(str, str, bool, list)   # name, version, degraded, warnings
    progress = Signal(int, int)
    #: ids of articles analysed and stored (those that came together)
    articlesAnalysed = Signal(list)
    finished = Signal(int)
    failed = Signal(str)

    def __init__(self, cancel: Callable[[], None], parent=None):
        super().__init__(parent)
        self.cancel = cancel


class AnalysisProcess(QObject):
    """Runs :mod:`desktop.analysis_service` in a process of its own.

    Started at the first :meth:`request`; the process keeps its pipeline
    loaded between requests. Its events arrive on the GUI thread through
    the QProcess's pipe and are re-emitted by :attr:`worker`; the window's
    process never imports spaCy nor waits for it. A process that dies is
    reported through ``failed`` and started again at the next request.
    """

    #: stderr lines kept to explain a crash
    STDERR_LINES = 20
    STOPPING = "dossierStopping"

    def __init__(self, db_path: Path, configured: str | None, parent=None, *,
                 processes: int | None = None):
        super().__init__(parent)
        self.db_path, self.configured, self.processes = Path(db_path), configured, processes
        self.worker = AnalysisSignals(self.cancel, self)
        self.info: dict | None = None       # the service's "pipeline" event
        self.process: QProcess | None = None
        self._stderr: list[str] = []

    def _start(self) -> QProcess:
        process = QProcess(self)
        arguments = ["-m", "desktop.analysis_service", str(self.db_path)]
        if self.configured:
            arguments += ["--pipeline", self.configured]
        if self.processes:
            arguments += ["--processes", str(self.processes)]
        environment = QProcessEnvironment.systemEnvironment()
        root = str(Path(__file__).resolve().parent.parent)
        path = environment.value("PYTHONPATH")
        environment.insert("PYTHONPATH", root + (os.pathsep + path if path else ""))
        process.setProcessEnvironment(environment)
        process.readyReadStandardOutput.connect(lambda: self._read_events(process))
        process.readyReadStandardError.connect(lambda: self._read_errors(process))
        process.finished.connect(lambda code, status: self._ended(process, code, status))
        process.errorOccurred.connect(lambda error: self._error(process, error))
        self._stderr = []
        process.start(sys.executable, arguments)
        self.process = process
        return process

    def _send(self, command: str, **data) -> None:
        if self.process is not None:
            self.process.write(json.dumps({"cmd": command, **data}).encode() + b"\n")

    def request(self, again: list[int] | None = None) -> None:
        """Analyse whatever is pending — or, with ``again``, these articles
        although analysed already — after the current run, if any."""
        if self.process is None:
            self._start()
        self._send("analyse", **({"again": list(again)} if again else {}))

    def cancel(self) -> None:
        """Stop the current run after the articles being stored; dropped
        requests made before the cancel."""
        self._send("cancel")

    def stop(self, wait_ms: int = 5000) -> None:
        """End the process and its workers (asked, then terminated, then killed)."""
        process, self.process = self.process, None
        if process is None:
            return
        process.setProperty(self.STOPPING, True)
        if process.state() != QProcess.ProcessState.NotRunning:
            process.write(b'{"cmd": "quit"}\n')
            process.closeWriteChannel()
            if not process.waitForFinished(wait_ms):
                process.terminate()
                if not process.waitForFinished(3000):
                    process.kill()
                    process.waitForFinished(3000)

    # -- from the process ----------------------------------------------
    def _read_events(self, process: QProcess) -> None:
        """The events the service wrote. The articles of one batch come
        together: they are announced together, with the progress after
        them once (one refresh of the window for the batch, not two per
        article)."""
        analysed: list[int] = []
        progress: tuple[int, int] | None = None

        def flush() -> None:
            nonlocal progress
            if analysed:
                self.worker.articlesAnalysed.emit(list(analysed))
                analysed.clear()
            if progress is not None:
                self.worker.progress.emit(*progress)
                progress = None

        while process.canReadLine():
            line = bytes(process.readLine()).decode("utf-8", "replace").strip()
            try:
                event = json.loads(line)
            except ValueError:
                log.warning("analysis service said: %s", line)
                continue
            kind = event.pop("event", None)
            if kind == "progress":
                progress = (event["done"], event["total"])
                continue
            if kind == "article":
                analysed.append(event["id"])
                continue
            flush()
            if kind == "pipeline":
                self.info = event
                self.worker.pipelineLoaded.emit(event["name"], event["version"],
                                                event["degraded"], event["warnings"])
            elif kind == "finished":
                self.worker.finished.emit(event["done"])
            elif kind == "failed":
                if process.property(self.STOPPING):
                    # the window is closing (or starting over): a modal
                    # warning now would hold its close (a test's teardown) for good
                    log.warning("analysis failed while stopping: %s", event["message"])
                else:
                    self.worker.failed.emit(event["message"])
        flush()

    def _read_errors(self, process: QProcess) -> None:
        text = bytes(process.readAllStandardError()).decode("utf-8", "replace")
        for line in text.splitlines():
            log.info("analysis service: %s", line)
        self._stderr = (self._stderr + text.splitlines())[-self.STDERR_LINES:]

    def _ended(self, process: QProcess, code: int, status) -> None:
        try:
            self._read_events(process)
        except RuntimeError:    # its C++ object is gone: the window is being torn down
            return
        if process is self.process:
            self.process = None
        if process.property(self.STOPPING):
            return
        last = next((line for line in reversed(self._stderr) if line.strip()), "")
        how = ("crashed" if status == QProcess.ExitStatus.CrashExit
               else f"stopped (exit code {code})")
        self.worker.failed.emit(f"The analysis process {how}." + (f" {last}" if last else ""))

    def _error(self, process: QProcess, error) -> None:
        if error == QProcess.ProcessError.FailedToStart:
            if process is self.process:
                self.process = None
            self.worker.failed.emit(f"The analysis process could not start: "
                                    f"{process.errorString()}")


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
    ``failed`` (the exception itself is kept in :attr:`error`).
    """

    progress = Signal(int, int)
    succeeded = Signal(object)
    failed = Signal(str)

    def __init__(self, function: Callable, parent=None):
        super().__init__(parent)
        self.function = function
        self._cancelled = False
        self.error: Exception | None = None
        self.thread = _CallThread(self._run)

    def start(self) -> None:
        self.thread.start()

    def cancel(self) -> None:
        self._cancelled = True

    def is_cancelled(self) -> bool:
        return self._cancelled

    def wait(self, ms: int = 30000) -> bool:
        return self.thread.wait(ms)

    def _run(self) -> None:
        try:
            result = self.function(self.progress.emit, lambda: self._cancelled)
        except Exception as error:
            log.error("background task failed: %s", traceback.format_exc())
            self.error = error
            self.failed.emit(str(error) or type(error).__name__)
        else:
            self.succeeded.emit(result)
