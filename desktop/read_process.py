"""A process of its own for the window's heavy reads.

A read in a worker *thread* still runs its Python work (fetching rows,
shaping them, the garbage collector walking what they allocated, a network
layout) under the GUI process's GIL: the GUI thread then waits for it, and
the window stalls for tens of milliseconds although no work of its own is
slow. :class:`ReadProcess` runs such reads in one child process instead
(``multiprocessing``, started with *spawn*, so nothing of Qt is inherited),
started at the first call and kept for the next ones; the caller (a worker
thread of the window) waits for the result with the GIL released.

``call(db_path, function, *args, **kwargs)`` opens the database in the
child, runs ``function(db, *args, **kwargs)``, closes it and returns the
result. The function must be importable (a module-level function) and its
arguments and result picklable. Plain Python: no Qt.
"""

from __future__ import annotations

import multiprocessing
import threading
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any


class ReadProcessStopped(RuntimeError):
    """The child process ended (killed, or out of memory) during a read."""


def _run(db_path: str, function: Callable, args: tuple, kwargs: dict) -> Any:
    """In the child: the read on a connection of its own."""
    from storage import open_database

    db = open_database(db_path)
    try:
        return function(db, *args, **kwargs)
    finally:
        db.close()


def _ready() -> bool:
    """In the child: imports what reads need, so the first one starts at once."""
    import storage  # noqa: F401
    return True


class ReadProcess:
    """One child process for reads (see the module doc). Thread-safe."""

    def __init__(self) -> None:
        self._pool: ProcessPoolExecutor | None = None
        self._lock = threading.Lock()

    def _executor(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._pool is None:
                self._pool = ProcessPoolExecutor(
                    max_workers=1, mp_context=multiprocessing.get_context("spawn"))
            return self._pool

    def start(self) -> None:
        """Start the child now (it imports the storage layer), so that the
        first :meth:`call` does not wait for it."""
        self._executor().submit(_ready)

    def call(self, db_path: str | Path, function: Callable, *args, **kwargs) -> Any:
        """``function(db, *args, **kwargs)`` in the child on ``db_path``;
        blocks the calling thread (not the GIL) until it returns, and
        re-raises what it raised."""
        pool = self._executor()
        try:
            return pool.submit(_run, str(db_path), function, args, kwargs).result()
        except BrokenProcessPool as error:
            with self._lock:            # started again at the next call
                if self._pool is pool:
                    self._pool = None
            raise ReadProcessStopped(
                "The process that counts for the window stopped; try again.") from error

    @property
    def running(self) -> bool:
        """Whether the child has been started (and not closed)."""
        return self._pool is not None

    def close(self) -> None:
        """Cancel the reads not yet started and let the child end after the
        running one (a later :meth:`call` starts a new child)."""
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)
