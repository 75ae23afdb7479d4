"""The Passages workspace on the 100k benchmark corpus: how long a filter
change takes, from the new query to the first page shown.

A filter change is what :meth:`WorkspaceController.refresh` does: build a
:class:`storage.passage_listing.PassageListing` (the list's first 1,000 ids
in one walk of its order, and the count when the list is shorter), read the
first page, reset the table's model with the count or "1,000+" and paint it;
a longer list is then counted in a worker on its own connection (as the
controller's ``ops.query``, started once the list is painted), timed apart
(``count_*``: from the change until the exact count is known). ``cpu_*`` is
the GUI thread's own CPU time for the change (``time.thread_time``): what the
change costs whatever else the machine runs, close to its wall time on an
idle machine (the corpus is in the OS's cache after the warm-up). ``sql_*``
figures are the listing and the first page alone, the others include the
table's reset and a full paint. Each filter below is applied ``--rounds``
times (after one warm-up), alternating with the unfiltered list so that every
measurement is a change; sort changes are timed apart.

The corpus is never written: it is copied first (``--db`` names a copy to
use as it is; opening it migrates it, e.g. adds the workspace's indexes, once
and before any timing).

Usage: ``python -m benchmarks.passages_workspace [--db COPY] [--rounds N]``
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import tempfile
import threading
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

CORPUS = Path("/tmp/dossier-bench/corpus-100000.db")


def _filters(db) -> dict[str, list[dict]]:
    """Filter changes by kind, with values taken from the corpus."""
    tag_ids = [r[0] for r in db.execute("SELECT id FROM tags ORDER BY id")]
    analysts = [r[0] for r in db.execute(
        "SELECT analyst FROM passages GROUP BY analyst ORDER BY count(*) DESC")]
    sources = [r[0] for r in db.execute(
        "SELECT source FROM articles WHERE source IS NOT NULL GROUP BY source "
        "ORDER BY count(*) DESC LIMIT 3")]
    speakers = [r[0] for r in db.execute(
        "SELECT min(speaker) FROM article_speakers GROUP BY lower(speaker) "
        "ORDER BY count(*) DESC LIMIT 3")]
    middle = db.execute("SELECT id FROM articles ORDER BY id LIMIT 1 OFFSET 50000"
                        ).fetchone()[0]
    return {
        "tag (with sub-tags)": [{"tag_id": t} for t in tag_ids],
        "tag alone": [{"tag_id": t, "tag_children": False} for t in tag_ids[:3]],
        "analyst": [{"analyst": a} for a in analysts],
        "tag + analyst": [{"tag_id": t, "analyst": analysts[0]} for t in tag_ids[:3]],
        "source": [{"source": s} for s in sources],
        "published dates": [{"since": "2023-01-01", "until": "2023-03-31"},
                            {"since": "2024-01-01"}, {"until": "2022-12-31"}],
        "review status": [{"review": "new"}, {"review": "done"}],
        "note words": [{"note": "police"}, {"note": "verify*"}],
        "this article": [{"article_id": middle}],
        "speaker": [{"speaker": s} for s in speakers],
    }


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def measure(db_path: Path, rounds: int) -> dict:
    from desktop.gui.app import application

    from storage import open_database
    from storage.passage_listing import PassageListing, PassageQuery, count_passages
    from widgets.passage_workspace import PassageSource, PassageWorkspace

    app = application()     # as the window's process has it (name, style sheet)
    db = open_database(db_path)     # migrated here, before any timing
    widget = PassageWorkspace()
    widget.resize(1200, 700)
    widget.show()
    app.processEvents()

    storage_times: dict[str, list[float]] = {}
    count_times: dict[str, list[float]] = {}
    cpu_times: dict[str, list[float]] = {}
    kind_now = [""]
    counting: list[threading.Thread] = []

    def count_in_worker(listing, started: float, timed: bool) -> None:
        """The controller's worker: its own connection, the count handed back."""
        def work() -> None:
            own = open_database(db_path)
            try:
                count = count_passages(own, listing.query)
            finally:
                own.close()
            listing.set_count(count)
            if timed:
                count_times.setdefault(kind_now[0], []).append(
                    (time.perf_counter() - started) * 1000)
        thread = threading.Thread(target=work)
        counting.append(thread)
        thread.start()

    def change(values: dict) -> float:
        while counting:                         # the last change's count is in
            counting.pop().join()
        started, cpu_started = time.perf_counter(), time.thread_time()
        listing = PassageListing(db, PassageQuery(**values))   # as the controller reads
        first = listing.page(0, widget.model.PAGE)
        read = time.perf_counter()
        source = PassageSource(count=listing.count, page=lambda o, n: first if o == 0
                               else listing.page(o, n))
        known = listing.known_count()
        widget.set_source(source, listing.lower_bound(), exact=known is not None)
        widget.table.viewport().repaint()       # the first page shown and painted
        shown = time.perf_counter()
        if values:
            cpu_times.setdefault(kind_now[0], []).append(
                (time.thread_time() - cpu_started) * 1000)
        if known is None:                       # then counted (the controller's timer)
            count_in_worker(listing, started, bool(values))
        if values:
            storage_times.setdefault(kind_now[0], []).append((read - started) * 1000)
            if known is not None:
                count_times.setdefault(kind_now[0], []).append((read - started) * 1000)
        return (shown - started) * 1000

    results: dict[str, dict] = {}
    every: list[float] = []
    sql_every: list[float] = []
    count_every: list[float] = []
    cpu_every: list[float] = []
    for kind, choices in _filters(db).items():
        kind_now[0] = kind
        times: list[float] = []
        for values in choices:
            change(values)                      # warm-up
            change({})
            for _ in range(rounds):
                times.append(change(values))
                change({})
        while counting:
            counting.pop().join()
        every += times
        read = storage_times[kind][-len(times):]
        counted = count_times[kind][-len(times):]
        cpu = cpu_times[kind][-len(times):]
        results[kind] = {"n": len(times), "p50_ms": round(statistics.median(times), 1),
                         "p95_ms": round(_percentile(times, 0.95), 1),
                         "max_ms": round(max(times), 1),
                         "sql_p50_ms": round(statistics.median(read), 1),
                         "sql_p95_ms": round(_percentile(read, 0.95), 1),
                         "count_p50_ms": round(statistics.median(counted), 1),
                         "cpu_p50_ms": round(statistics.median(cpu), 1),
                         "cpu_p95_ms": round(_percentile(cpu, 0.95), 1)}
        sql_every += read
        count_every += counted
        cpu_every += cpu
    sorts: dict[str, float] = {}
    for sort in ("date", "title", "tag", "analyst", "tagged", "note", "text"):
        change({"sort": sort})
        times = [change({"sort": sort}) for _ in range(max(1, rounds // 2))]
        sorts[sort] = round(statistics.median(times), 1)
    while counting:
        counting.pop().join()
    return {"passages": count_passages(db), "filter_changes": len(every),
            "p50_ms": round(statistics.median(every), 1),
            "p95_ms": round(_percentile(every, 0.95), 1),
            "p95_without_speaker_ms": round(_percentile(_without(results, every), 0.95), 1),
            "sql_p50_ms": round(statistics.median(sql_every), 1),
            "sql_p95_ms": round(_percentile(sql_every, 0.95), 1),
            "sql_p95_without_speaker_ms": round(_percentile(
                _without(results, sql_every), 0.95), 1),
            "cpu_p50_ms": round(statistics.median(cpu_every), 1),
            "cpu_p95_ms": round(_percentile(cpu_every, 0.95), 1),
            "cpu_p95_without_speaker_ms": round(_percentile(
                _without(results, cpu_every), 0.95), 1),
            "count_p50_ms": round(statistics.median(count_every), 1),
            "count_p95_ms": round(_percentile(count_every, 0.95), 1),
            "by_filter": results, "sort_change_p50_ms": sorts}


def _without(results: dict, every: list[float]) -> list[float]:
    """``every`` without the speaker filter's times (they come last)."""
    return every[:len(every) - results["speaker"]["n"]]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", type=Path, help="a copy of the corpus to use as it is")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    folder = None
    path = args.db
    if path is None:
        folder = Path(tempfile.mkdtemp(prefix="dossier-workspace-bench-"))
        path = folder / "corpus.db"
        shutil.copy(CORPUS, path)
    try:
        print(json.dumps(measure(path, args.rounds), indent=2))
    finally:
        if folder is not None:
            shutil.rmtree(folder)


if __name__ == "__main__":
    main()
