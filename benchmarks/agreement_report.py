"""The agreement report for three analysts over the 100,000-article corpus.

Works on a copy of the benchmark corpus (``make bench-corpus``; 200,000
passages by one set of analysts). Three analysts' codings are derived from
those passages with a fixed seed — each analyst keeps most of them, moves
some boundaries by a few characters, re-tags a few, drops some and adds a
few of their own — so the report has real disagreements to measure. Then:

- ``report``: :func:`desktop.agreement.report.agreement_report` (SQL read,
  measures) for the three analysts, every article any of them coded, every
  tag — run in a worker thread while the main thread ticks every 5 ms and
  records its longest gap (what the window's GUI thread would feel);
- ``read`` and ``measure``: the two halves of it, timed apart;
- ``diagnosis``: the CSV with one row per disagreement.

Usage: ``python -m benchmarks.agreement_report [--source DB] [--work DB]``
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import threading
import time
from pathlib import Path

ANALYSTS = ("coder-a", "coder-b", "coder-c")
SOURCE = Path("/tmp/dossier-bench/corpus-100000.db")
WORK = Path("/tmp/agreement-bench/corpus.db")


def derive_codings(db, *, seed: int = 18) -> int:
    """Give each of :data:`ANALYSTS` a perturbed copy of every passage
    already stored; returns the passages added (none if already done)."""
    if db.execute("SELECT 1 FROM passages WHERE analyst = ? LIMIT 1",
                  [ANALYSTS[0]]).fetchone():
        return 0
    base = db.execute("SELECT p.article_id, p.tag_id, p.start, p.end, length(a.text) "
                      "FROM passages p JOIN articles a ON a.id = p.article_id "
                      "ORDER BY p.id").fetchall()
    tag_ids = [r[0] for r in db.execute("SELECT id FROM tags")]
    rng = random.Random(seed)
    rows = []
    for analyst in ANALYSTS:
        for article_id, tag_id, start, end, length in base:
            roll = rng.random()
            if roll < 0.08:                      # missed it
                continue
            if roll < 0.13:                      # another tag
                tag_id = rng.choice(tag_ids)
            if rng.random() < 0.35:              # boundaries a few characters off
                start = max(0, start + rng.randint(-12, 12))
                end = min(length, max(start + 1, end + rng.randint(-12, 12)))
            rows.append((article_id, tag_id, start, end, analyst))
            if rng.random() < 0.04:              # one of their own nearby
                s = rng.randrange(max(1, length - 80))
                rows.append((article_id, rng.choice(tag_ids), s, min(length, s + 60), analyst))
    from storage import journal

    with journal.unrecorded(db):        # a generated benchmark corpus, not a change
        db.execute("CREATE TEMP TABLE derived (article_id INT, tag_id INT, start INT, "
                   "end INT, analyst TEXT)")
        db.conn.executemany("INSERT INTO temp.derived VALUES (?, ?, ?, ?, ?)", rows)
        db.execute(
            "INSERT INTO passages (article_id, tag_id, start, end, text, prefix, suffix, note, "
            "analyst, created_at, updated_at) "
            "SELECT d.article_id, d.tag_id, d.start, d.end, "
            "substr(a.text, d.start + 1, d.end - d.start), '', '', '', d.analyst, "
            "'2026-01-01T00:00:00+00:00', '2026-01-01T00:00:00+00:00' "
            "FROM temp.derived d JOIN articles a ON a.id = d.article_id")
        db.execute("DROP TABLE temp.derived")
    return len(rows)


def _in_thread(function):
    """Run ``function`` in a worker thread; the main thread ticks every
    5 ms meanwhile. Returns (result, seconds, CPU seconds of the process,
    longest main-thread gap)."""
    box: dict = {}

    def work():
        try:
            box["result"] = function()
        except BaseException as error:          # reported by the caller
            box["error"] = error

    worker = threading.Thread(target=work)
    started, cpu = time.perf_counter(), time.process_time()
    worker.start()
    last, longest = started, 0.0
    while worker.is_alive():
        time.sleep(0.005)
        now = time.perf_counter()
        longest, last = max(longest, now - last), now
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    if "error" in box:
        raise box["error"]
    return box["result"], elapsed, cpu, longest


def main(argv=None) -> int:
    from desktop.agreement.measures import measure
    from desktop.agreement.report import _codings, agreement_report, write_csv
    from storage import open_database
    from storage.agreement_data import agreement_data

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=SOURCE)
    parser.add_argument("--work", type=Path, default=WORK)
    parser.add_argument("--no-diagnosis", action="store_true")
    args = parser.parse_args(argv)
    if not args.work.exists():
        if not args.source.exists():
            parser.error(f"no corpus at {args.source} (make bench-corpus)")
        args.work.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(args.source, args.work)
    db = open_database(args.work)
    started = time.perf_counter()
    added = derive_codings(db)
    figures: dict = {"derived_passages": added,
                     "derive_seconds": round(time.perf_counter() - started, 1)}
    figures["passages_per_analyst"] = dict(db.execute(
        "SELECT analyst, count(*) FROM passages WHERE analyst IN (?, ?, ?) GROUP BY analyst",
        ANALYSTS).fetchall())
    db.close()

    def report():
        own = open_database(args.work)          # the worker's own connection
        try:
            return agreement_report(own, list(ANALYSTS))
        finally:
            own.close()

    # the same ticking with nothing to compete with: what the machine's
    # load alone does to a 5 ms timer
    _, _, _, idle_gap = _in_thread(lambda: time.sleep(3))
    figures["idle_longest_gap_ms"] = round(idle_gap * 1000, 1)
    result, seconds, cpu, gap = _in_thread(report)
    figures["report_seconds"] = round(seconds, 2)
    figures["report_cpu_seconds"] = round(cpu, 2)
    figures["load_average_1min"] = round(os.getloadavg()[0], 1)
    figures["main_thread_longest_gap_ms"] = round(gap * 1000, 1)
    figures["articles"], figures["characters"] = result.articles, result.characters
    figures["overall"] = result.overall

    db = open_database(args.work)
    started, cpu = time.perf_counter(), time.process_time()
    data = agreement_data(db, list(ANALYSTS))
    figures["read_seconds"] = round(time.perf_counter() - started, 2)
    figures["read_cpu_seconds"] = round(time.process_time() - cpu, 2)
    started, cpu = time.perf_counter(), time.process_time()
    measure(_codings(data))
    figures["measure_seconds"] = round(time.perf_counter() - started, 2)
    figures["measure_cpu_seconds"] = round(time.process_time() - cpu, 2)
    if not args.no_diagnosis:
        target = args.work.with_name("agreement-diagnosis.csv")
        started = time.perf_counter()
        figures["diagnosis_rows"] = write_csv(db, result, target)
        figures["diagnosis_seconds"] = round(time.perf_counter() - started, 1)
    db.close()
    print(json.dumps(figures, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
