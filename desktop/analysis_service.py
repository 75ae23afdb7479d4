"""The analysis service: spaCy analysis in processes of its own, so the
window's process never shares its GIL (nor its CPU time) with spaCy.

``python -m desktop.analysis_service DB [--pipeline P] [--processes N]``
reads commands from stdin, one JSON object a line — ``{"cmd": "analyse"}``,
``{"cmd": "cancel"}``, ``{"cmd": "quit"}`` (end of input quits too) — and
writes events to stdout, one JSON object a line: ``pipeline`` (name,
version, degraded, warnings, pipes), ``progress`` (done, total), ``article``
(id), ``finished`` (done) and ``failed`` (message). The window's side is
:class:`desktop.gui.workers.AnalysisProcess`; ``dossier analyse`` uses
:class:`AnalysisPool` directly.

:class:`AnalysisPool` hands batches of pending article ids to worker
processes (``spawn``ed, niced below the window); each loads the pipeline
once, reads its articles and writes each result through its own database
connection (:func:`desktop.analysis_jobs.analyse_articles`: one transaction
per article, recycled quotes linked per batch), so only article ids cross
the process boundaries — no ``Doc`` is ever pickled. No Qt here.
"""

from __future__ import annotations

import argparse
import json
import logging
import math
import multiprocessing
import os
import queue
import signal
import sys
import threading
import time
import traceback
from collections.abc import Callable
from pathlib import Path

log = logging.getLogger(__name__)

#: Worker processes run this much nicer than the window, so that the
#: window always gets the CPU first when the analyst does something
#: (``DOSSIER_ANALYSIS_NICENESS`` overrides it).
WORKER_NICENESS = 10


def worker_niceness() -> int:
    """How much nicer than the window the workers run."""
    try:
        return int(os.environ.get("DOSSIER_ANALYSIS_NICENESS", WORKER_NICENESS))
    except ValueError:
        return WORKER_NICENESS
#: At most this many worker processes (each holds a pipeline in memory).
MAX_PROCESSES = 4
#: A second worker is only started for at least this many pending batches:
#: loading a pipeline costs about a second of CPU.
BATCHES_PER_EXTRA_PROCESS = 3
#: How often a waiting worker checks that the service is still there.
PARENT_CHECK_SECONDS = 1.0


def default_processes(cpu_count: int | None = None) -> int:
    """Worker processes for this machine: one per core, up to
    :data:`MAX_PROCESSES`. Measured on 2 cores (150 articles of the 100k
    corpus, workers loaded): two niced workers analyse 1.9× as fast as one,
    and the window's event loop never waits more than ~50 ms (its process
    idles while analysis runs)."""
    return max(1, min(cpu_count or os.cpu_count() or 1, MAX_PROCESSES))


def processes_for(pending_batches: int, limit: int) -> int:
    """How many workers a run of ``pending_batches`` batches is worth."""
    return max(1, min(limit, math.ceil(pending_batches / BATCHES_PER_EXTRA_PROCESS)))


class WorkerDied(RuntimeError):
    """A worker process ended while analysing (killed, out of memory …)."""


def _worker_main(db_path: str, configured: str | None, tasks, results, cancelled) -> None:
    """One worker process: load the pipeline, then analyse batches of ids
    from ``tasks`` until ``None`` arrives or the service is gone."""
    from desktop.analysis.pipeline import load_pipeline
    from desktop.analysis_jobs import analyse_articles
    from storage import open_database

    try:
        os.nice(worker_niceness())
    except OSError:
        pass
    parent = multiprocessing.parent_process()
    try:
        loaded = load_pipeline(configured)
        results.put(("loaded", {"name": loaded.name, "version": loaded.version,
                                "degraded": loaded.degraded,
                                "warnings": list(loaded.warnings),
                                "pipes": list(loaded.nlp.pipe_names)}))
        db = open_database(Path(db_path), create=False)
    except Exception as error:
        results.put(("error", f"{type(error).__name__}: {error}"))
        return
    try:
        while True:
            try:
                batch = tasks.get(timeout=PARENT_CHECK_SECONDS)
            except queue.Empty:
                if parent is not None and not parent.is_alive():
                    return      # the service was killed: never outlive it
                continue
            if batch is None:
                return
            if cancelled.is_set():      # queued before a cancel: skipped
                results.put(("batch", None))
                continue
            try:
                analyse_articles(db, loaded, batch,
                                 on_article=lambda i: results.put(("article", i)),
                                 is_cancelled=cancelled.is_set)
            except Exception as error:
                log.error("analysis of %s failed: %s", batch, traceback.format_exc())
                results.put(("error", f"{type(error).__name__}: {error}"))
            results.put(("batch", None))
    finally:
        db.close()


class AnalysisPool:
    """Worker processes analysing the pending articles of one database.

    ``on_event(kind, data)`` receives ``("pipeline", info)``,
    ``("progress", (done, total))`` and ``("article", id)``. Workers are
    started when a run needs them and kept, pipeline loaded, until
    :meth:`close`.
    """

    def __init__(self, db_path: Path, configured: str | None = None, *,
                 processes: int | None = None,
                 on_event: Callable[[str, object], None] = lambda kind, data: None):
        self.db_path, self.configured = Path(db_path), configured
        self.limit = processes or default_processes()
        self.on_event = on_event
        self.info: dict | None = None
        self._context = multiprocessing.get_context("spawn")
        self._tasks = self._context.Queue()
        self._results = self._context.Queue()
        self._cancelled = self._context.Event()
        self._workers: list = []

    # -- workers -------------------------------------------------------
    def _start_workers(self, count: int) -> None:
        while len(self._workers) < count:
            worker = self._context.Process(
                target=_worker_main, name=f"dossier-analysis-{len(self._workers) + 1}",
                args=(str(self.db_path), self.configured, self._tasks, self._results,
                      self._cancelled),
                daemon=True)
            worker.start()
            self._workers.append(worker)

    def _check_workers(self) -> None:
        for worker in self._workers:
            if worker.exitcode is not None:
                raise WorkerDied(f"analysis process {worker.name} stopped "
                                 f"(exit code {worker.exitcode})")

    def _next(self) -> tuple[str, object] | None:
        """The next message of a worker, or None after a short wait."""
        try:
            return self._results.get(timeout=0.1)
        except queue.Empty:
            self._check_workers()
            return None

    def load(self) -> dict:
        """Start one worker and wait until its pipeline is loaded."""
        self._start_workers(1)
        while self.info is None:
            message = self._next()
            if message is None:
                continue
            kind, data = message
            if kind == "error":
                raise RuntimeError(data)
            if kind == "loaded":
                self.info = data
                self.on_event("pipeline", data)
        return self.info

    # -- a run ---------------------------------------------------------
    def pending(self) -> list[int]:
        """Article ids not analysed in their current text by this pipeline."""
        from desktop.analysis.analyse import result_version
        from desktop.analysis.pipeline import LoadedPipeline
        from storage import analyses, open_database

        info = self.load()
        version = result_version(LoadedPipeline(None, info["name"], info["version"]))
        db = open_database(self.db_path, create=False)
        try:
            return analyses.pending_article_ids(db, info["name"], version)
        finally:
            db.close()

    def analyse(self, is_cancelled: Callable[[], bool] = lambda: False) -> int:
        """Analyse every pending article; returns how many were analysed.

        A cancel stops every worker after the article it is storing; raises
        :class:`WorkerDied` or ``RuntimeError`` when a worker fails.
        """
        from desktop.analysis_jobs import BATCH_SIZE

        self._cancelled.clear()
        pending = self.pending()
        batches = [pending[i:i + BATCH_SIZE] for i in range(0, len(pending), BATCH_SIZE)]
        self._start_workers(processes_for(len(batches), self.limit))
        total, done, queued = len(pending), 0, 0
        self.on_event("progress", (0, total))
        batches.reverse()
        stopping = False
        while batches or queued:
            # two batches a worker ahead, no more: a cancel drops the rest
            while batches and not stopping and queued < 2 * len(self._workers):
                self._tasks.put(batches.pop())
                queued += 1
            if not stopping and is_cancelled():
                stopping = True
                self._cancelled.set()
                batches.clear()
                queued -= self._take_back()
            message = self._next()
            if message is None:
                continue
            kind, data = message
            if kind == "article":
                done += 1
                self.on_event("article", data)
                self.on_event("progress", (done, total))
            elif kind == "batch":
                queued -= 1
            elif kind == "error":
                self._cancelled.set()
                self._drain(queued)
                raise RuntimeError(data)
        self._cancelled.clear()
        return done

    def _take_back(self) -> int:
        """Remove the batches no worker has taken yet; how many there were."""
        taken = 0
        while True:
            try:
                self._tasks.get_nowait()
            except queue.Empty:
                return taken
            taken += 1

    def _drain(self, queued: int) -> None:
        """Wait (briefly) for the batches in flight after a failure."""
        deadline = time.monotonic() + 10
        while queued > 0 and time.monotonic() < deadline:
            try:
                kind, _ = self._results.get(timeout=0.1)
            except queue.Empty:
                continue
            if kind in ("batch", "error"):
                queued -= 1

    def close(self, timeout: float = 5.0) -> None:
        """Stop the workers: ask, then wait, then terminate."""
        self._cancelled.set()
        for _ in self._workers:
            self._tasks.put(None)
        deadline = time.monotonic() + timeout
        for worker in self._workers:
            worker.join(max(0.0, deadline - time.monotonic()))
        for worker in self._workers:
            if worker.is_alive():
                worker.terminate()
                worker.join(2)
        self._workers.clear()


# -- the service process ---------------------------------------------------
class _Commands:
    """Reads stdin in a thread: a cancel takes effect at once, even while
    the main thread is busy with a run; end of input means quit."""

    def __init__(self, stream):
        self.queue: queue.Queue = queue.Queue()
        self.generation = 0          # bumped by each cancel
        self.cancelled = threading.Event()
        threading.Thread(target=self._read, args=(stream,), daemon=True).start()

    def _read(self, stream) -> None:
        for line in stream:
            try:
                command = json.loads(line).get("cmd")
            except (ValueError, AttributeError):
                continue
            if command == "cancel":
                self.generation += 1
                self.cancelled.set()
            elif command == "analyse":
                self.queue.put(("analyse", self.generation))
            elif command == "quit":
                break
        self.cancelled.set()
        self.queue.put(("quit", None))


def serve(db_path: Path, configured: str | None, processes: int | None,
          commands_in, events_out) -> int:
    """Answer commands until quit; returns the exit status."""
    def emit(event: str, **data) -> None:
        events_out.write(json.dumps({"event": event, **data}) + "\n")
        events_out.flush()

    def forward(kind: str, data) -> None:
        if kind == "pipeline":
            emit("pipeline", **data)
        elif kind == "progress":
            emit("progress", done=data[0], total=data[1])
        elif kind == "article":
            emit("article", id=data)

    commands = _Commands(commands_in)
    pool = AnalysisPool(db_path, configured, processes=processes, on_event=forward)
    try:
        while True:
            command, generation = commands.queue.get()
            if command == "quit":
                return 0
            if generation != commands.generation:
                continue        # requested before a cancel: dropped with it
            while not commands.queue.empty():    # requests made meanwhile: one run
                peek = commands.queue.queue[0]
                if peek[0] != "analyse" or peek[1] != generation:
                    break
                commands.queue.get()
            commands.cancelled.clear()
            try:
                done = pool.analyse(commands.cancelled.is_set)
            except Exception as error:
                log.error("analysis failed: %s", traceback.format_exc())
                emit("failed", message=str(error) if type(error) is RuntimeError
                     else f"{type(error).__name__}: {error}")
                pool.close()
                pool = AnalysisPool(db_path, configured, processes=processes,
                                    on_event=forward)
                continue
            emit("finished", done=done)
    finally:
        pool.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("db", type=Path)
    parser.add_argument("--pipeline", default=None)
    parser.add_argument("--processes", type=int, default=None)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    # the protocol owns the real stdout; anything else printed (by spaCy, a
    # library, a C extension) goes to stderr instead of corrupting it
    events_out = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    # a terminate from the window: unwind, so that the workers are stopped
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    return serve(args.db, args.pipeline, args.processes, sys.stdin, events_out)


if __name__ == "__main__":
    raise SystemExit(main())
