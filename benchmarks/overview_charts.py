"""How long each Overview chart takes on the benchmark corpus (issue 20).

``python -m benchmarks.overview_charts --db /tmp/overview-bench/corpus.db``
(a copy of /tmp/dossier-bench/corpus-100000.db: opening it migrates it).
Each chart's query runs ``--runs`` times, unfiltered and under a few list
filters; the p95 and the worst run are printed. The GUI-thread side (the
charts drawn from the rows, with the counts read in the window's read
process) is measured by ``--gui``: each chart counted as the window counts
a tab, then drawn; the longest gap between timer ticks on the GUI thread.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time

from storage import open_database, overview
from storage.article_query import ArticleQuery

CHARTS = {
    "tags over time (month)": lambda db, q: overview.tags_over_time(db, q),
    "tags over time (week, folded)": lambda db, q: overview.tags_over_time(
        db, q, period="week", fold=True),
    "tags x sources": lambda db, q: overview.tags_by_source(db, q),
    "tags x analysts": lambda db, q: overview.tags_by_analyst(db, q),
    "co-occurrence (article)": lambda db, q: overview.tag_cooccurrence(db, q),
    "co-occurrence (overlap)": lambda db, q: overview.tag_cooccurrence(db, q, mode="overlap"),
    "top speakers": lambda db, q: overview.top_speakers(db, q),
    "top speakers (tag 1)": lambda db, q: overview.top_speakers(db, q, tag_id=1),
    "top speakers (a month)": lambda db, q: overview.top_speakers(
        db, q, period=("month", "2020-06")),
    "top entities": lambda db, q: overview.top_entities(db, q),
    "top entities (a month)": lambda db, q: overview.top_entities(
        db, q, period=("month", "2020-06")),
    "network speakers-entities": lambda db, q: overview.speaker_entity_edges(db, q),
    "network entity co-occurrence": lambda db, q: overview.entity_cooccurrence_edges(db, q),
}

QUERIES = {
    "unfiltered": ArticleQuery(),
    "tag 1": ArticleQuery(tag_id=1),
    "search cyber*": ArticleQuery(search="cyber*"),
    "2020": ArticleQuery(since="2020-01-01", until="2020-12-31"),
}


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def gui(args) -> int:
    """The Overview as the window runs it: each chart counted by ``compute``
    in the read process (:mod:`desktop.read_process`, a connection per
    count), a worker thread waiting for it, then drawn on the GUI thread; a
    5 ms timer on the GUI thread records the longest gap between its ticks,
    while counting and while drawing. ``--in-thread`` counts in the worker
    thread itself, as the window did before the read process (the worker
    then holds the GIL in Python code)."""
    import os

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QElapsedTimer, QTimer
    from desktop.gui.app import application

    from desktop.gui.workers import Task
    from desktop.overview_counts import compute
    from desktop.read_process import ReadProcess
    from widgets.overview_window import CHARTS as TABS, OverviewWindow

    app = application()     # as the window's process has it (name, style sheet)
    open_database(args.db).close()          # migrated before timing
    window = OverviewWindow()
    window.show()
    reads = ReadProcess()
    reads.start()
    worst_gap = 0
    for qname, query in QUERIES.items():
        for options in ({"unit": "month", "fold": False, "mode": "article"},
                        {"unit": "week", "fold": True, "mode": "overlap"}):
            gaps, clock, last = {"count": [0], "draw": [0]}, QElapsedTimer(), [0]
            phase, chart_gaps = ["count"], {}
            # the GUI thread's own CPU time during the longest gap: the rest of
            # it was spent waiting (for a core, or for the GIL)
            working, cpu = [0, 0.0], [time.thread_time()]
            clock.start()

            def tick():
                now, used = clock.elapsed(), time.thread_time()
                gap = now - last[0]
                gaps[phase[0]].append(gap)
                if gap > working[0]:
                    working[:] = [gap, (used - cpu[0]) * 1000]
                if phase[0] == "count":
                    chart_gaps[phase[1]] = max(chart_gaps.get(phase[1], 0), gap)
                last[0], cpu[0] = now, used
            timer = QTimer()
            timer.timeout.connect(tick)
            timer.start(5)
            appears, draw = {}, {}
            for name, _title, _kind in TABS:
                result = {}

                def work(_progress, _cancelled, query=query, options=options, name=name):
                    if not args.in_thread:
                        return reads.call(args.db, compute, query, options, only=(name,))
                    db = open_database(args.db)
                    try:
                        return compute(db, query, options, only=(name,))
                    finally:
                        db.close()
                task = Task(work)
                task.succeeded.connect(result.update)
                task.failed.connect(lambda message, result=result: result.update(error=message))
                phase[:] = ["count", name]
                started = time.perf_counter()
                task.start()
                while not result:
                    app.processEvents()
                    time.sleep(0.001)
                if "error" in result:
                    raise RuntimeError(result["error"])
                phase[:] = ["draw", name]
                start = time.perf_counter()
                window.show_chart(name)
                window.set_chart(name, result["charts"][name])
                app.processEvents()
                while getattr(window.views[name], "drawing", False):   # built in slices
                    app.processEvents()
                    time.sleep(0.001)
                app.processEvents()                 # its painting
                draw[name] = (time.perf_counter() - start) * 1000
                appears[name] = (time.perf_counter() - started) * 1000
                task.wait()
            timer.stop()
            slowest = max(appears, key=appears.get)
            over = [f"{n} {appears[n] / 1000:.1f} s" for n in appears if appears[n] >= 1000]
            counting, drawing = max(gaps["count"]), max(gaps["draw"])
            worst_gap = max(worst_gap, counting, drawing)
            print(f"{qname:14} {options['unit']:5} {options['mode']:8} slowest chart "
                  f"{slowest} {appears[slowest]:5.0f} ms; over 1 s: {', '.join(over) or 'none'}; "
                  f"longest GUI-thread gap {max(counting, drawing)} ms (counting {counting} "
                  f"[{max(chart_gaps, key=chart_gaps.get, default='')}], drawing {drawing}; "
                  f"GUI thread working {working[1]:.0f} ms of it); "
                  f"slowest drawing {max(draw.values()):.0f} ms "
                  f"({max(draw, key=draw.get)})", flush=True)
    reads.close()
    print(f"longest GUI-thread gap: {worst_gap} ms")
    return 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", required=True)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--only", default="")
    parser.add_argument("--gui", action="store_true",
                        help="measure the GUI thread while every chart is read and drawn")
    parser.add_argument("--in-thread", action="store_true",
                        help="with --gui: count in a worker thread, not the read process")
    args = parser.parse_args(argv)
    if args.gui:
        return gui(args)
    started = time.perf_counter()
    db = open_database(args.db)
    print(f"opened (and migrated) in {time.perf_counter() - started:.1f} s")
    worst = 0.0
    for qname, query in QUERIES.items():
        for cname, chart in CHARTS.items():
            if args.only and args.only not in cname:
                continue
            times = []
            for _ in range(args.runs):
                if hasattr(overview, "forget_ids"):   # (absent before the shared id set)
                    overview.forget_ids(db)           # each tab counts on its own connection
                start = time.perf_counter()
                rows = chart(db, query)
                times.append((time.perf_counter() - start) * 1000)
            worst = max(worst, p95(times))
            print(f"{qname:14} {cname:32} p95 {p95(times):7.0f} ms  median "
                  f"{statistics.median(times):6.0f} ms  rows {len(rows)}", flush=True)
    print(f"worst p95: {worst:.0f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
