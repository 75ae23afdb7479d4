"""The analysis service: spaCy analysis in processes of its own, so the
window's process never shares its GIL (nor its CPU time) with spaCy.

``python -m desktop.analysis_service DB [--pipeline P] [--processes N]``
reads commands from stdin, one JSON object a line — ``{"cmd": "analyse"}``
(what is pending), ``{"cmd": "analyse", "again": [ID, …]}`` (these articles,
analysed already or not), ``{"cmd": "cancel"}``, ``{"cmd": "quit"}`` (end of
input quits too) — and
writes events to stdout, one JSON object a line: ``pipeline`` (name,
version, degraded, warnings, pipes), ``progress`` (done, total), ``article``
(id), ``finished`` (done) and ``failed`` (message). The window's side is
:class:`desktop.gui.workers.AnalysisProcess`; ``dossier analyse`` uses
:class:`AnalysisPool` directly.

:class:`AnalysisPool` hands batches of pending articles (id, text, text
hash) to worker processes (``spawn``ed, niced below the window, all started
as soon as the first has loaded its pipeline); each loads the pipeline once
and sends back, per batch, its results as plain rows ready to store
(:func:`desktop.analysis_jobs.prepare`: entities, quotes, speakers — no
``Doc`` is ever pickled). The service process is the one writer: it stores
each batch in one transaction and links its recycled quotes
(:func:`desktop.analysis_jobs.store_batch`) while the workers go on with the
next, so no worker ever waits for a lock or a disk. No Qt here.
"""

from __future__ import annotations

import argparse
import collections
import ctypes
import json
import logging
import math
import multiprocessing
import multiprocessing.connection
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


def default_processes(cpu_count: int | None = None) -> int:
    """Worker processes for this machine: one per core, up to
    :data:`MAX_PROCESSES`. Measured on 2 cores (150 articles of the 100k
    corpus, workers loaded): two niced workers analyse 1.9× as fast as one,
    and the window's event loop never waits more than ~50 ms (its process
    idles while analysis runs)."""
    return max(1, min(cpu_count or os.cpu_count() or 1, MAX_PROCESSES))


def _nicer_by(niceness: int) -> None:
    """Run this process at ``niceness`` (not below what it inherited): the
    window's service is as nice as its workers already, and a worker is not
    made nicer again."""
    try:
        os.nice(max(0, niceness - os.nice(0)))
    except OSError:
        pass


#: Linux's ``prctl`` option naming the signal a process gets when its parent ends.
_PR_SET_PDEATHSIG = 1


def _end_with_parent(parent: int) -> None:
    """Have the kernel kill this worker the moment ``parent`` (the service,
    or ``dossier analyse``) ends, however it ends. A worker busy with a
    batch, niced below everything else on a loaded machine, would otherwise
    notice only when it next uses its pipe — seconds or minutes later, while
    holding a pipeline's memory. Linux only (elsewhere the closed pipe still
    ends it); the signal follows the *thread* that started the worker, and
    pools are made and run on their process's main thread."""
    if not sys.platform.startswith("linux"):
        return
    try:
        if ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL) != 0:
            return      # refused (a sandbox): the closed pipe still ends it, later
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:      # it ended before the request was made
        os._exit(0)


class WorkerDied(RuntimeError):
    """A worker process ended while analysing (killed, out of memory …)."""


def _worker_main(configured: str | None, conn, cancelled, parent: int) -> None:
    """One worker process: load the pipeline, then analyse the batches of
    articles (``{"id", "text", "text_hash"}`` each) that arrive on ``conn``
    until ``None`` arrives or the service is gone, sending back each batch's
    results ready to store (:func:`desktop.analysis_jobs.prepare`). A worker
    has no database connection: it never waits for a lock or a disk."""
    from desktop.analysis.pipeline import load_pipeline
    from desktop.analysis_jobs import pipeline_fields, prepare

    _end_with_parent(parent)
    _nicer_by(worker_niceness())
    # Ctrl+C in a terminal reaches every process of the group: the service
    # (``dossier analyse``) stops the workers by its cancel event, so that
    # what they analysed is stored — a worker killed by it would lose it
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        try:
            loaded = load_pipeline(configured)
        except Exception as error:
            conn.send(("error", f"{type(error).__name__}: {error}"))
            return
        conn.send(("loaded", {"name": loaded.name, "version": loaded.version,
                              "degraded": loaded.degraded,
                              "warnings": list(loaded.warnings),
                              "pipes": list(loaded.nlp.pipe_names)}))
        pipeline = pipeline_fields(loaded)
        while (batch := conn.recv()) is not None:
            prepared: list[dict] = []
            if not cancelled.is_set():      # one sent before a cancel is skipped
                try:
                    prepared = list(prepare(loaded, batch, is_cancelled=cancelled.is_set))
                except Exception as error:
                    log.error("analysis of %s failed: %s", [a["id"] for a in batch],
                              traceback.format_exc())
                    conn.send(("error", f"{type(error).__name__}: {error}"))
                    continue
            conn.send(("results", (pipeline, prepared)))
    except (EOFError, OSError):
        return      # the service is gone (its end of the pipe closed): so is this


def batch_size(waiting: int, workers: int) -> int:
    """How many of the ``waiting`` articles the next batch takes: up to
    :data:`desktop.analysis_jobs.BATCH_SIZE`, fewer as the queue runs out
    (half of each worker's share: two batches are in flight to each), so
    that no worker is left with two full batches while the others have
    finished — on two cores that tail left one idle for up to 16 articles."""
    from desktop.analysis_jobs import BATCH_SIZE

    return max(1, min(BATCH_SIZE, math.ceil(waiting / (2 * max(1, workers)))))


class _Worker:
    """A worker process and the service's end of its pipe: the batches it
    was sent and has not answered yet, and whether its pipeline is loaded."""

    def __init__(self, context, name: str, configured: str | None, cancelled):
        self.conn, theirs = context.Pipe()
        self.process = context.Process(target=_worker_main, name=name,
                                       args=(configured, theirs, cancelled, os.getpid()),
                                       daemon=True)
        self.process.start()
        theirs.close()      # a worker that dies closes the pipe: never a half message waited for
        self.in_flight = 0      # batches sent, not answered yet
        self.answered = 0       # batches answered
        self.ready = False

    def died(self) -> WorkerDied:
        self.process.join(1)
        return WorkerDied(f"analysis process {self.process.name} stopped "
                          f"(exit code {self.process.exitcode})")


class AnalysisPool:
    """Worker processes analysing the pending articles of one database, and
    the one writer that stores what they send back.

    ``on_event(kind, data)`` receives ``("pipeline", info)``,
    ``("progress", (done, total))`` and ``("article", id)`` (once the
    article's result is committed). The first worker is started by
    :meth:`load`, the others as soon as it has loaded its pipeline (so that
    they are ready when a run begins); all are kept, pipeline loaded, until
    :meth:`close`. Each worker has a pipe of its own: one that dies is
    noticed at once, and never leaves a half-written message behind.
    """

    def __init__(self, db_path: Path, configured: str | None = None, *,
                 processes: int | None = None,
                 on_event: Callable[[str, object], None] = lambda kind, data: None):
        self.db_path, self.configured = Path(db_path), configured
        self.limit = processes or default_processes()
        self.on_event = on_event
        self.info: dict | None = None
        self._context = multiprocessing.get_context("spawn")
        self._cancelled = self._context.Event()
        self._workers: list[_Worker] = []
        self._db = None
        #: the pending articles the last run did not analyse (None before
        #: the first run: that run scans every article)
        self._left: set[int] | None = None

    # -- workers -------------------------------------------------------
    def _start_workers(self, count: int) -> None:
        while len(self._workers) < count:
            self._workers.append(_Worker(self._context,
                                         f"dossier-analysis-{len(self._workers) + 1}",
                                         self.configured, self._cancelled))

    def _next(self, timeout: float = 0.1) -> tuple[_Worker, str, object] | None:
        """The next message of a worker, or None after a short wait; raises
        :class:`WorkerDied` for a worker that ended."""
        by_conn = {w.conn: w for w in self._workers}
        by_sentinel = {w.process.sentinel: w for w in self._workers}
        ready = multiprocessing.connection.wait([*by_conn, *by_sentinel], timeout)
        for handle in ready:
            if handle in by_conn:
                worker = by_conn[handle]
                try:
                    kind, data = worker.conn.recv()
                except (EOFError, OSError):
                    raise worker.died() from None
                if kind == "loaded":
                    worker.ready = True
                return worker, kind, data
        for handle in ready:        # ended, and nothing more to read from it
            raise by_sentinel[handle].died()
        return None

    def load(self, is_cancelled: Callable[[], bool] = lambda: False) -> dict | None:
        """Start one worker and wait until its pipeline is loaded; then start
        the others (they load meanwhile, niced, and announce nothing). None
        when ``is_cancelled()`` first (a quit while the pipeline loads —
        seconds — is not kept waiting for it)."""
        self._start_workers(1)
        while self.info is None:
            if is_cancelled():
                return None
            message = self._next()
            if message is None:
                continue
            _worker, kind, data = message
            if kind == "error":
                raise RuntimeError(data)
            if kind == "loaded":
                self.info = data
                self.on_event("pipeline", data)
                self._start_workers(self.limit)
        return self.info

    def wait_until_loaded(self, timeout: float = 120.0) -> None:
        """Until every worker has loaded its pipeline (:meth:`load` returns
        as soon as the first has)."""
        self.load()
        deadline = time.monotonic() + timeout
        while not all(w.ready for w in self._workers):
            if time.monotonic() > deadline:
                raise TimeoutError("the analysis workers did not load")
            message = self._next()
            if message is not None and message[1] == "error":
                raise RuntimeError(message[2])

    def _database(self):
        """The writer's connection, opened at the first run and kept."""
        from storage import open_database

        if self._db is None:
            self._db = open_database(self.db_path, create=False)
        return self._db

    # -- a run ---------------------------------------------------------
    def pending(self) -> list[int]:
        """Article ids not analysed in their current text by this pipeline:
        at the pool's first run, from a scan of every article; then from
        the articles added or changed since (``analysis_wanted``) and those
        the pool's earlier runs left (cancelled)."""
        from desktop.analysis.analyse import result_version
        from desktop.analysis.pipeline import LoadedPipeline
        from storage import analyses

        info = self.load()
        version = result_version(LoadedPipeline(None, info["name"], info["version"]))
        if self._left is None:
            return analyses.pending_article_ids(self._database(), info["name"], version)
        return analyses.pending_among_wanted(self._database(), info["name"], version,
                                             self._left)

    def analyse(self, is_cancelled: Callable[[], bool] = lambda: False, *,
                again: list[int] | None = None) -> int:
        """Analyse every pending article — or, with ``again``, those
        articles whether analysed already or not (their new result replaces
        the pipeline's earlier one, :func:`storage.analyses.save_analyses`;
        the analysts' corrections apply to it as to the old) — and return
        how many were analysed.

        The workers analyse; this process reads their articles and stores
        each batch they send back in one transaction, then links its
        recycled quotes (:func:`desktop.analysis_jobs.store_batch`) — one
        writer, so no worker ever waits for the database. A cancel stops
        every worker after the article it is analysing; what was analysed
        is stored. Raises :class:`WorkerDied` or ``RuntimeError`` when a
        worker fails.
        """
        from desktop.analysis_jobs import read_batch, store_batch

        self._cancelled.clear()
        if self.load(is_cancelled) is None:
            return 0
        pending = self.pending() if again is None else list(again)
        if again is None:
            self._left = set(pending)     # until each is stored
        db = self._database()
        total, done = len(pending), 0
        self.on_event("progress", (0, total))
        waiting = collections.deque(pending)
        stopping = False
        while waiting or any(w.in_flight for w in self._workers):
            # two batches a loaded worker ahead, no more: a cancel drops the rest
            for worker in self._workers:
                while waiting and not stopping and worker.ready and worker.in_flight < 2:
                    # (never more than are waiting)
                    batch = [waiting.popleft()
                             for _ in range(batch_size(len(waiting), len(self._workers)))]
                    try:
                        worker.conn.send(read_batch(db, batch))
                    except OSError:
                        raise worker.died() from None
                    worker.in_flight += 1
            if not stopping and is_cancelled():
                stopping = True
                self._cancelled.set()
                waiting.clear()
            message = self._next()
            if message is None:
                continue
            worker, kind, data = message
            if kind == "results":
                worker.in_flight -= 1
                worker.answered += 1
                pipeline, results = data
                for article_id in store_batch(db, pipeline, results) if results else []:
                    if self._left is not None:
                        self._left.discard(article_id)
                    done += 1
                    self.on_event("article", article_id)
                    self.on_event("progress", (done, total))
            elif kind == "error":       # instead of the batch's results
                worker.in_flight = max(0, worker.in_flight - 1)
                self._cancelled.set()
                self._drain()
                raise RuntimeError(data)
        self._cancelled.clear()
        return done

    def _drain(self) -> None:
        """Wait (briefly) for the batches in flight after a failure."""
        deadline = time.monotonic() + 10
        while any(w.in_flight for w in self._workers) and time.monotonic() < deadline:
            message = self._next()
            if message is not None and message[1] in ("results", "error"):
                message[0].in_flight = max(0, message[0].in_flight - 1)

    def close(self, timeout: float = 5.0) -> None:
        """Stop the workers: ask, then wait, then terminate — a worker still
        loading its pipeline at once (it would read the request only once
        loaded, seconds later, and holds nothing: no database, no batch)."""
        self._cancelled.set()
        for worker in self._workers:
            if not worker.ready and worker.in_flight == 0 and worker.process.is_alive():
                worker.process.terminate()
                continue
            try:
                worker.conn.send(None)
            except OSError:
                pass        # it ended already
        deadline = time.monotonic() + timeout
        for worker in self._workers:
            worker.process.join(max(0.0, deadline - time.monotonic()))
        for worker in self._workers:
            if worker.process.is_alive():
                worker.process.terminate()
                worker.process.join(2)
            worker.conn.close()
        self._workers.clear()
        if self._db is not None:
            self._db.close()
            self._db = None


# -- the service process ---------------------------------------------------
class _Commands:
    """Reads stdin in a thread: a cancel takes effect at once, even while
    the main thread is busy with a run; end of input means quit."""

    def __init__(self, stream):
        self.queue: queue.Queue = queue.Queue()
        self.generation = 0          # bumped by each cancel
        self.cancelled = threading.Event()
        #: set by a quit (or the end of input) and never cleared: a run
        #: that begins after it — its cancel cleared for it — stops at once
        self.quitting = threading.Event()
        threading.Thread(target=self._read, args=(stream,), daemon=True).start()

    def _read(self, stream) -> None:
        for line in stream:
            try:
                message = json.loads(line)
                command = message.get("cmd")
            except (ValueError, AttributeError):
                continue
            if command == "cancel":
                self.generation += 1
                self.cancelled.set()
            elif command == "analyse":
                again = message.get("again")
                again = [int(i) for i in again] if isinstance(again, list) else None
                self.queue.put(("analyse", self.generation, again))
            elif command == "quit":
                break
        self.quitting.set()
        self.cancelled.set()
        self.queue.put(("quit", None, None))

    def stopped(self) -> bool:
        """Whether the run going on is to stop: cancelled, or quitting."""
        return self.cancelled.is_set() or self.quitting.is_set()


def one_run(again: list[int] | None, waiting: queue.Queue,
            generation: int) -> tuple[list[int], bool]:
    """A request (``again``: articles to analyse again; None: what is
    pending) and the requests of the same generation waiting behind it, as
    one run: the articles to analyse again (each once, in the order asked)
    and whether what is pending is analysed too. Takes those requests off
    ``waiting``."""
    pending, ids = again is None, list(dict.fromkeys(again or []))
    while not waiting.empty():
        command, its_generation, its_again = waiting.queue[0]
        if command != "analyse" or its_generation != generation:
            break
        waiting.get()
        if its_again is None:
            pending = True
        else:
            ids += [i for i in its_again if i not in ids]
    return ids, pending


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

    # the window's service stores what the workers send (the writer) and
    # links recycled quotes: as nice as they are, so that the window's
    # thread, waking for an event, takes a core from any of them at once —
    # at the window's priority the writer held a core the window waited for
    _nicer_by(worker_niceness())
    commands = _Commands(commands_in)
    pool = AnalysisPool(db_path, configured, processes=processes, on_event=forward)
    try:
        while True:
            command, generation, again = commands.queue.get()
            if command == "quit":
                return 0
            if generation != commands.generation:
                continue        # requested before a cancel: dropped with it
            again, pending = one_run(again, commands.queue, generation)
            commands.cancelled.clear()
            try:
                # the articles asked for again first, then what is pending
                # (an import meanwhile); one "finished" for both
                done = pool.analyse(commands.stopped, again=again) if again else 0
                if pending and not commands.stopped():
                    done += pool.analyse(commands.stopped)
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
