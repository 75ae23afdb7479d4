"""How long each Overview chart takes on the benchmark corpus (issue 20).

``python -m benchmarks.overview_charts --db /tmp/overview-bench/corpus.db``
(a copy of /tmp/dossier-bench/corpus-100000.db: opening it migrates it).
Each chart's query runs ``--runs`` times, unfiltered and under a few list
filters; the p95 and the worst run are printed. The GUI-thread side (the
charts drawn from the rows, with the counts read in a worker) is measured
by ``--gui``: the longest gap between timer ticks on the GUI thread while
every chart is read and drawn.
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
    """The Overview's refresh as the window runs it: ``compute`` in a worker
    thread (own connection), the charts drawn on the GUI thread; a 5 ms
    timer on the GUI thread records the longest gap between its ticks."""
    import os

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QElapsedTimer, QTimer
    from PySide6.QtWidgets import QApplication

    from desktop.gui.overview_controller import compute
    from desktop.gui.workers import Task
    from widgets.overview_window import OverviewWindow

    app = QApplication.instance() or QApplication([])
    open_database(args.db).close()          # migrated before timing
    window = OverviewWindow()
    window.show()
    for qname, query in QUERIES.items():
        for options in ({"unit": "month", "fold": False, "mode": "article"},
                        {"unit": "week", "fold": True, "mode": "overlap"}):
            gaps, clock, last = [], QElapsedTimer(), [0]
            clock.start()

            def tick():
                now = clock.elapsed()
                gaps.append(now - last[0])
                last[0] = now
            timer = QTimer()
            timer.timeout.connect(tick)
            timer.start(5)
            result, draw = {}, {}

            def work(_progress, _cancelled, query=query, options=options):
                db = open_database(args.db)
                try:
                    return compute(db, query, options)
                finally:
                    db.close()
            task = Task(work)
            task.succeeded.connect(result.update)
            task.failed.connect(lambda message: result.update(error=message))
            started = time.perf_counter()
            task.start()
            while not result:
                app.processEvents()
                time.sleep(0.001)
            counted = time.perf_counter() - started
            for name, data in result["charts"].items():
                start = time.perf_counter()
                window.set_chart(name, data)
                app.processEvents()
                draw[name] = (time.perf_counter() - start) * 1000
            total = time.perf_counter() - started
            timer.stop()
            task.wait()
            # the window counts the chart shown, then each chart as its tab
            # is shown: a chart appears after its own count and drawing
            appears = {n: result["seconds"][n] * 1000 + draw[n] for n in draw}
            slowest = max(appears, key=appears.get)
            over = [f"{n} {appears[n] / 1000:.1f} s" for n in appears if appears[n] >= 1000]
            print(f"{qname:14} {options['unit']:5} {options['mode']:8} slowest chart "
                  f"{slowest} {appears[slowest]:5.0f} ms; over 1 s: {', '.join(over) or 'none'}; "
                  f"longest GUI-thread gap {max(gaps, default=0)} ms; slowest drawing "
                  f"{max(draw.values()):.0f} ms ({max(draw, key=draw.get)})", flush=True)
            del total, counted
    return 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", required=True)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--only", default="")
    parser.add_argument("--gui", action="store_true",
                        help="measure the GUI thread while every chart is read and drawn")
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
