"""Dossier on a 100,000-article corpus: the figures of issue 6, and the bars.

Generates the corpus first if needed (:mod:`benchmarks.corpus`), then
measures on this machine, headless (``QT_QPA_PLATFORM=offscreen``):

- cold start: a new process runs ``prepare_window`` on the corpus as
  ``dossier`` does and reports once the window is shown and has processed its
  events (:mod:`benchmarks.startup_probe`); the time counts from the spawn,
  Python's own start and the Qt import included;
- opening an article with its highlights (``MainWindow.show_article`` plus
  the paint that follows);
- searching, filtering and sorting the list (``MainWindow.apply_query``:
  count, first page, the current article re-selected or the first hit opened);
- saving a tag through the window (``tag_selection``: the passage is
  committed with ``synchronous=FULL``, then the side panels are refreshed),
  and the storage call alone;
- exporting every passage to CSV;
- analysis: new articles analysed by the window's analysis service (its
  worker processes), against bare ``nlp.pipe`` of spaCy's stock pipeline
  (the same package, without the pipes Dossier does not run) over the same
  texts in a fresh process, with ``n_process=1`` (the issue's ratio) and
  with as many processes as Dossier used, right after each run — and,
  apart, against bare ``nlp.pipe`` of Dossier's own pipeline (its attribute
  ruler answered from tables), the service's own cost; a 5 ms QTimer on the
  GUI thread records the longest gap meanwhile;
- peak memory of the window process on the corpus.

The database file is read through once before anything is measured
(:func:`read_through`), so that every part measures Dossier with the file
in the OS cache, as on the machine of an analyst who has been working on
it, not the disk: on a virtual machine just started, or after the host
dropped its cache, a tag save waited for the disk and its median doubled.
How long that read took (``corpus.read_s``) tells how cold the file was.

Usage: ``python -m benchmarks.scale [--articles N] [--json] [--only PART]
[--per-query] [--repeat K]`` (``--only`` repeatable: measure only those parts). The test
articles and passages it adds are deleted again.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def _stats(samples_ms: list[float]) -> dict:
    ordered = sorted(samples_ms)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {"n": len(ordered), "median_ms": round(statistics.median(ordered), 1),
            "p95_ms": round(p95, 1), "max_ms": round(ordered[-1], 1)}


def read_through(path: Path, chunk: int = 1 << 20) -> float:
    """Read the database file (and its write-ahead log) once, so that the
    OS has it cached; the seconds it took (under a second for 1.8 GB
    already cached, tens of seconds from a cold disk)."""
    began = time.perf_counter()
    for part in (path, path.with_name(path.name + "-wal")):
        if part.exists():
            with open(part, "rb", buffering=0) as file:
                while file.read(chunk):
                    pass
    return round(time.perf_counter() - began, 1)


def _forget_journal_statistics(path: Path) -> None:
    """As a corpus is generated: no planner statistics for the journal
    tables (:func:`benchmarks.corpus.forget_journal_statistics`), for a
    corpus generated before that rule."""
    import sqlite3

    from benchmarks.corpus import forget_journal_statistics

    conn = sqlite3.connect(path)
    try:
        forget_journal_statistics(conn)
    finally:
        conn.close()


def _vm(field: str) -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return round(int(line.split()[1]) / 1024)
    return 0


def _analysis_processes(path: Path) -> list[int]:
    """Pids of analysis services (and their workers) still at work on ``path``."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if "analysis_service" in command and str(path) in command or (
                "multiprocessing" in command and "spawn_main" in command):
            found.append(int(entry.name))
    return found


def _wait_for_quiet(path: Path, timeout_s: float = 30) -> None:
    """Until the analysis a probe started has stopped (its window is gone,
    but its service finishes loading spaCy first): each cold start begins on
    an idle machine, not beside the last one's spaCy import."""
    deadline = time.time() + timeout_s
    while _analysis_processes(path) and time.time() < deadline:
        time.sleep(0.1)


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _analysis_cpu(window) -> dict[str, float]:
    """CPU seconds used so far by the window's process (every thread), the
    analysis service (its writer) and the service's worker processes."""
    service = window.analysis.process.processId()
    workers = [int(p) for p in Path(f"/proc/{service}/task/{service}/children")
               .read_text().split()]
    return {"window": time.process_time(), "writer": _cpu_seconds(service),
            "workers": sum(_cpu_seconds(pid) for pid in workers)}


def _wait_for_workers(app, service: int, count: int, timeout_s: float = 120) -> None:
    """Until the analysis service has ``count`` worker processes and none of
    them has used CPU for half a second (their pipelines are loaded)."""
    deadline, last, still_since = time.time() + timeout_s, None, time.time()
    while time.time() < deadline:
        app.processEvents()
        try:
            workers = [int(p) for p in Path(f"/proc/{service}/task/{service}/children")
                       .read_text().split()]
            used = sum(_cpu_seconds(pid) for pid in workers)
        except OSError:
            workers, used = [], None
        if len(workers) < count or used != last:
            last, still_since = used, time.time()
        elif time.time() - still_since > 0.5:
            return
        # look again in 50 ms, handling events meanwhile: a plain sleep here
        # was itself a 50 ms gap in the GUI thread's timer ticks
        again = time.perf_counter() + 0.05
        while time.perf_counter() < again:
            app.processEvents()
            time.sleep(0.001)
    raise TimeoutError("the analysis workers did not load")


def cold_start(path: Path, runs: int = 5) -> dict:
    """Spawn-to-usable times of fresh processes (the file is in the page
    cache after the first run; the first run is reported on its own)."""
    times, rss, probe = [], [], None
    for _ in range(runs):
        _wait_for_quiet(path)
        started = time.time()
        out = subprocess.run([sys.executable, "-m", "benchmarks.startup_probe", str(path)],
                             capture_output=True, text=True, check=True,
                             env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
        probe = json.loads(out.stdout.strip().splitlines()[-1])
        times.append((probe["usable_at"] - started) * 1000)
        rss.append(probe["VmHWM"])
    _wait_for_quiet(path)
    watch = subprocess.run([sys.executable, "-m", "benchmarks.startup_probe", str(path),
                            "--watch", "4"], capture_output=True, text=True, check=True)
    _wait_for_quiet(path)
    watched = json.loads(watch.stdout.strip().splitlines()[-1])
    return {"first_ms": round(times[0]), **_stats(times), "listed_rows": probe["listed"],
            "total": probe["total"], "rss_at_start_mb": max(rss),
            "stall_while_spacy_loads_ms": watched["max_gap_ms"],
            "rss_after_4s_mb": watched["after_VmHWM"]}


def _timed(app, function) -> float:
    """Milliseconds of ``function`` and of the events it leaves — three rounds:
    a layout that changes sizes posts another request, handled in the next."""
    started = time.perf_counter()
    function()
    for _ in range(3):
        app.processEvents()
    return (time.perf_counter() - started) * 1000


def machine_pace(loops: int = 1_000_000, runs: int = 3) -> float:
    """Milliseconds of a fixed pure-Python loop (the fastest of ``runs``):
    the machine's pace when a part is measured. On a shared host it swings
    by half from one quarter-hour to the next, and every figure with it;
    printed beside the tag saves, a run can be read against another."""
    best = float("inf")
    for _ in range(runs):
        began = time.perf_counter()
        for _ in range(loops):
            pass
        best = min(best, time.perf_counter() - began)
    return round(best * 1000, 1)


def _settle(app, ms: float = 50) -> None:
    """Handle events for ``ms`` — an analyst's pause between two actions, so
    that one action's late layout is not counted in the next."""
    deadline = time.perf_counter() + ms / 1000
    while time.perf_counter() < deadline:
        app.processEvents()


def open_articles(app, window, ids: list[int]) -> dict:
    return _stats([_timed(app, lambda i=i: window.show_article(i)) for i in ids])


def queries(app, window, runs: list[dict], per_query: list | None = None) -> dict:
    """Times of ``apply_query`` for each run (from the unfiltered list) —
    the list, its first hit opened and its events handled — and, apart,
    until the hit count is exact (a long list is counted in a worker); with
    ``per_query``, each run and its time are appended to it."""
    model = window.article_list.list_model
    base = window.article_filters.values()
    samples, counted = [], []
    for values in runs:
        began = time.perf_counter()
        samples.append(_timed(app, lambda v=values: window.apply_query({**base, **v})))
        _wait(app, model.total_is_exact, 30)
        counted.append((time.perf_counter() - began) * 1000)
        if per_query is not None:
            per_query.append((values, round(samples[-1], 1)))
        window.apply_query(base)
        _settle(app)
    return {**_stats(samples), "count_exact": _stats(counted)}


def search_runs(rng: random.Random) -> list[dict]:
    """The searches measured: words, phrases, prefixes, OR, rare and absent
    words, names; the first six also under each other sort order."""
    from benchmarks.corpus import FIRST, LAST

    searches = ["police", "cybercrime", '"transnational crime"', '"money laundering"',
                "cyber*", "traffick*", "extradition", "Interpol", "Cambodia OR Thailand",
                "scam compound", "telecom fraud", "memorandum understanding", "sanction*",
                "nonexistentword", "DSR-0" + str(rng.randint(10000, 99999))]
    searches += [f'"{rng.choice(FIRST)} {rng.choice(LAST)}"' for _ in range(15)]
    runs = [{"search": s} for s in searches]
    runs += [{"search": s, "sort": sort} for s in searches[:6]
             for sort in ("published", "title", "passages")]
    return runs


def filter_runs(rng: random.Random, db, tag_ids: list[int]) -> list[dict]:
    """The filters and sorts measured: each tag, six sources, four half-years,
    five entities, eight speakers, combinations, each sort order."""
    from benchmarks.corpus import FIRST, LAST, SOURCES

    speakers = [r[0] for r in db.execute(
        "SELECT speaker FROM quotes WHERE speaker IS NOT NULL AND id % 997 = 0 LIMIT 8")]
    filters = [{"tag_id": t} for t in tag_ids]
    filters += [{"source": s} for s in SOURCES[:6]]
    filters += [{"since": f"{y}-01-01", "until": f"{y}-06-30"} for y in (2015, 2018, 2021, 2024)]
    filters += [{"entity": e} for e in ("Interpol", "Australia", "Thailand", "ASEAN",
                                         f"{rng.choice(FIRST)} {rng.choice(LAST)}")]
    filters += [{"speaker": s} for s in speakers]
    filters += [{"search": "police", "tag_id": tag_ids[0], "source": SOURCES[0]},
                {"search": "cyber*", "since": "2019-01-01", "until": "2020-12-31",
                 "sort": "published"}]
    filters += [{"sort": s} for s in ("published", "title", "source", "passages")]
    return filters


def corpus_entity_lists(db, runs: int = 5) -> dict:
    """The Entities tab's query (``entity_index.corpus_entities``, as the window
    reads it in its worker): each label group, all labels, and name searches."""
    from desktop.gui.corpus_controller import CORPUS_ENTITIES_SHOWN
    from storage.entity_index import LABEL_GROUPS, corpus_entities

    asks = [{"labels": list(labels)} for labels in LABEL_GROUPS.values()]
    asks += [{"labels": None}, {"labels": None, "search": "sok"},
             {"labels": ["PERSON"], "search": "an"}]
    samples = []
    for _ in range(runs):
        for ask in asks:
            began = time.perf_counter()
            corpus_entities(db, limit=CORPUS_ENTITIES_SHOWN, **ask)
            samples.append((time.perf_counter() - began) * 1000)
    return _stats(samples)


def tag_save_rounds(app, window, db, rounds: int, articles: int, saves: int = 60
                    ) -> tuple[dict, dict]:
    """``rounds`` rounds of :func:`tag_saves` (``saves`` of the ``articles`` each) in one
    window: the window's and storage's figures over every save, and each
    round's own p95 (``rounds_p95_ms``). A p95 of 60 saves is their fourth
    largest: one minute of a busy host moves it by a millisecond, where the
    p95 of 1,200 hardly moves."""
    gui_all, storage_all, per_round = [], [], []
    for _ in range(rounds):
        gui, storage = tag_saves(app, window, db, random.sample(range(1, articles + 1), saves),
                                 samples=True)
        gui_all += gui
        storage_all += storage
        per_round.append(_stats(gui)["p95_ms"])
    return dict(_stats(gui_all), rounds_p95_ms=per_round), _stats(storage_all)


def tag_saves(app, window, db, ids: list[int], *, samples: bool = False):
    """Tag a random selection of each article in ``ids`` through the window
    (a tag key's path), and the same through storage alone; their
    :func:`_stats` (with ``samples``, the milliseconds themselves)."""
    from storage import passages

    tag_ids = [t["id"] for t in window.state.tags]
    gui, storage, made = [], [], []
    for article_id in ids:
        window.article_list.select_article(article_id)
        _settle(app)
        text = window.view.article_text()
        start = random.randrange(0, max(1, len(text) - 80))
        window.view.select_range(start, start + 60)
        # the analyst sees the selection before pressing the key: its
        # painting (and a scroll to it) is the selecting's, not the save's
        _settle(app)
        before = {p["id"] for p in passages.passages_for_article(db, article_id)}
        gui.append(_timed(app, lambda: window.tag_selection(random.choice(tag_ids))))
        made += [p["id"] for p in passages.passages_for_article(db, article_id)
                 if p["id"] not in before]
        began = time.perf_counter()
        made.append(passages.add_passage(db, article_id=article_id,
                                         tag_id=random.choice(tag_ids), start=start,
                                         end=start + 40, analyst="bench"))
        storage.append((time.perf_counter() - began) * 1000)
    with db.atomic():
        for passage_id in made:
            passages.delete_passage(db, passage_id)
    return (gui, storage) if samples else (_stats(gui), _stats(storage))


def export_csv(db) -> dict:
    from desktop.exporters import export_passages

    with tempfile.TemporaryDirectory() as folder:
        began = time.perf_counter()
        result = export_passages(db, Path(folder) / "all.csv", "csv")
        seconds = time.perf_counter() - began
    return {"passages": result.count, "seconds": round(seconds, 1),
            "passages_per_s": round(result.count / seconds)}


def _wait(app, predicate, timeout_s: float, failed: list | None = None, *,
          every_ms: int = 1, quit_on=None) -> None:
    """Until ``predicate()``, in Qt's event loop as the window waits (idle
    in the loop between events), looking every ``every_ms`` — or, with
    ``quit_on`` (a signal), when it fires, and every half second for the
    deadline. (A loop of ``processEvents`` and 1 ms sleeps counted its own
    CPU as the window's: a third of it during an analysis; a look every
    20 ms still cost the window's process 8 ms of CPU a second, 1.4 ms per
    1,000 words analysed, and took it from the workers.)"""
    from PySide6.QtCore import QEventLoop, Qt, QTimer

    deadline = time.time() + timeout_s
    loop, check = QEventLoop(), QTimer()
    check.setInterval(500 if quit_on is not None else every_ms)

    def look():
        if predicate() or failed or time.time() > deadline:
            loop.quit()
    check.timeout.connect(look)
    if quit_on is not None:
        # queued: the slot that makes ``predicate()`` true runs first
        quit_on.connect(look, Qt.ConnectionType.QueuedConnection)
    check.start()
    if not (predicate() or failed):
        loop.exec()
    check.stop()
    if quit_on is not None:
        quit_on.disconnect(look)
    if failed:
        raise RuntimeError(f"analysis failed: {failed[0]}")
    if not predicate():
        raise TimeoutError("analysis did not finish")


def _watch_stalls(clock, over_ms: float) -> None:
    """A thread that prints the GUI thread's stack (to stderr) whenever its
    5 ms timer has not ticked for ``over_ms`` (``DOSSIER_STALL_STACKS=40``)."""
    import threading
    import traceback

    gui = threading.get_ident()

    def watch():
        seen = None
        while True:
            time.sleep(0.003)
            if clock.elapsed() > over_ms:
                start = time.perf_counter() - clock.elapsed() / 1000
                if seen is None or abs(start - seen) > 0.004:
                    seen = start
                    frame = sys._current_frames().get(gui)
                    print(f"--- GUI thread {clock.elapsed()} ms without a tick:\n"
                          + "".join(traceback.format_stack(frame, limit=14)),
                          file=sys.stderr, flush=True)
    threading.Thread(target=watch, daemon=True).start()


def analysis(app, window, db, texts: list[str], repeat: int = 1) -> dict:
    """Dossier's analysis service vs bare nlp.pipe over the same texts, with
    the GUI stall; ``repeat`` runs, medians reported."""
    from PySide6.QtCore import QElapsedTimer, QTimer

    from desktop.analysis_service import default_processes, worker_niceness
    from storage import articles, journal

    finished = []
    worker = window.analysis.worker
    worker.finished.connect(lambda done: finished.append(done))
    failed: list[str] = []
    worker.failed.connect(failed.append)
    clock, gaps = QElapsedTimer(), []
    timer = QTimer()
    timer.setInterval(5)
    # each gap, and the GUI thread's own CPU time in it (the rest it waited:
    # for a core, or for the GIL)
    cpu = [time.thread_time()]
    working: dict[int, float] = {}

    def tick():
        gap, now = clock.restart(), time.thread_time()
        gaps.append(gap)
        working[len(gaps) - 1] = (now - cpu[0]) * 1000
        cpu[0] = now
    timer.timeout.connect(tick)
    clock.start()
    timer.start()
    if os.environ.get("DOSSIER_STALL_STACKS"):     # where the GUI thread is during a stall
        _watch_stalls(clock, float(os.environ["DOSSIER_STALL_STACKS"]))
    window.start_analysis()       # the service loads the pipeline; nothing is pending
    _wait(app, lambda: finished, 300, failed, quit_on=worker.finished)
    processes = default_processes()
    # the other workers start once the first has loaded: measured loaded, as
    # they are a few seconds after the window opened
    _wait_for_workers(app, window.analysis.process.processId(), processes)
    load_stall = max(gaps)
    words = sum(len(t.split()) for t in texts)
    rates, stalls, analysed, bare, stall_working = [], [], [], [], []
    cpu_runs: list[dict] = []
    for run in range(repeat):
        marked = [t.replace("Reference BENCH-", f"Reference BENCH{run}-") for t in texts]
        ids = [articles.add_article(db, title=f"Benchmark article {i}", text=text)[0]
               for i, text in enumerate(marked)]
        finished.clear()
        gaps.clear()
        working.clear()
        cpu[0] = time.thread_time()
        clock.restart()
        used = _analysis_cpu(window)
        began = time.perf_counter()
        window.start_analysis()
        _wait(app, lambda: finished, 1200, failed, quit_on=worker.finished)
        rates.append(words / (time.perf_counter() - began))
        cpu_runs.append({part: round((seconds - used[part]) * 1e6 / words, 1)
                         for part, seconds in _analysis_cpu(window).items()})
        stalls.append(max(gaps))
        longest = gaps.index(max(gaps))
        stall_working.append(round(working.get(longest, 0.0)))
        analysed.append(finished[0])
        with journal.step(db, "Delete benchmark articles"):
            for article_id in ids:
                db.execute("DELETE FROM articles WHERE id = ?", [article_id])
        # side by side: bare spaCy right after each run, on the same texts
        bare.append(_bare_in_fresh_process(texts, processes))
    timer.stop()
    bare_1 = statistics.median(b["n_process_1"] for b in bare)
    bare_n = statistics.median(b[f"n_process_{processes}"] for b in bare)
    own_n = statistics.median(b[f"n_process_{processes}_own_pipeline"] for b in bare)
    dossier = statistics.median(rates)
    return {"articles": len(texts), "words": words, "analysed": analysed,
            "runs": repeat, "processes": processes, "niceness": worker_niceness(),
            "dossier_words_per_s": round(dossier),
            "dossier_runs_words_per_s": [round(r) for r in rates],
            "bare_words_per_s": round(bare_1), "bare_same_processes_words_per_s": round(bare_n),
            "ratio": round(dossier / bare_1, 2),
            "ratio_same_processes": round(dossier / bare_n, 2),
            # the service against bare nlp.pipe of its own pipeline: what
            # Dossier adds to the pipeline (quotes, speakers, storage, window)
            "bare_own_pipeline_same_processes_words_per_s": round(own_n),
            "ratio_own_pipeline_same_processes": round(dossier / own_n, 2),
            "fresh_process_words_per_s": bare,
            "cpu_ms_per_1000_words": {part: statistics.median(r[part] for r in cpu_runs)
                                      for part in cpu_runs[0]},
            # CPU, not wall time: what Dossier spends on a word against bare
            # spaCy with as many processes, each pair run one after the other
            # (the machine's speed moves wall-clock rates by ±25 % between
            # minutes; CPU per word far less)
            "cpu_ratio_runs": [round(b[f"cpu_ms_per_1000_words_{processes}"] / sum(r.values()), 2)
                               for r, b in zip(cpu_runs, bare)],
            "cpu_ratio_own_pipeline_runs": [
                round(b[f"cpu_ms_per_1000_words_{processes}_own_pipeline"] / sum(r.values()), 2)
                for r, b in zip(cpu_runs, bare)],
            "max_gui_stall_ms": max(stalls), "gui_stall_runs_ms": stalls,
            "gui_thread_working_in_stall_ms": stall_working,
            "stall_while_pipeline_loads_ms": load_stall,
            "pipes": list(window.analysis.info["pipes"])}


def _bare_in_fresh_process(texts: list[str], processes: int) -> dict:
    """Bare nlp.pipe with n_process 1 and ``processes``, in a process of its
    own (as Dossier's analysis runs in processes of their own): spaCy's
    worker processes are forked, and a fork must not inherit an open SQLite
    connection (its exit would checkpoint and remove the parent's WAL)."""
    with tempfile.TemporaryDirectory() as folder:
        data = Path(folder) / "texts.json"
        data.write_text(json.dumps(texts))
        out = subprocess.run([sys.executable, "-m", "benchmarks.scale", "--bare", str(data),
                              "--processes", str(processes)],
                             capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def bare_throughput(texts: list[str], processes: int = 2) -> dict:
    """Words per second of bare nlp.pipe (Dossier's batch size) with spaCy's
    stock pipeline — the package as ``spacy.load`` gives it, without the
    pipes Dossier does not run — with one process and with ``processes``;
    and, with ``processes``, of Dossier's own pipeline (its attribute ruler
    answered from tables: the same annotations), so that the service's own
    cost shows apart. As nice as Dossier's workers: on a machine busy with
    other work, a niced process gets less CPU, and the comparison is of
    spaCy with Dossier, not of two priorities."""
    from desktop.analysis.pipeline import load_pipeline
    from desktop.analysis_jobs import BATCH_SIZE

    from desktop.analysis_service import worker_niceness

    os.nice(worker_niceness())      # on equal terms with Dossier's workers
    stock, own = load_pipeline(stock=True).nlp, load_pipeline().nlp
    words = sum(len(t.split()) for t in texts)
    rates: dict[str, list[float]] = {}
    cpu: dict[str, list[float]] = {}
    for nlp, count, name in ((stock, 1, ""), (stock, processes, ""),
                             (own, processes, "_own_pipeline"), (stock, 1, "")):
        used = _own_and_children_cpu()
        began = time.perf_counter()
        for _doc in nlp.pipe(texts, batch_size=BATCH_SIZE, n_process=count):
            pass
        rates.setdefault(f"n_process_{count}{name}", []).append(
            words / (time.perf_counter() - began))
        # spaCy's worker processes have ended (joined) when the pipe is done
        cpu.setdefault(f"cpu_ms_per_1000_words_{count}{name}", []).append(
            (_own_and_children_cpu() - used) * 1e6 / words)
    return {**{key: round(statistics.mean(values)) for key, values in rates.items()},
            **{key: round(statistics.mean(values), 1) for key, values in cpu.items()}}


def _own_and_children_cpu() -> float:
    """CPU seconds of this process and of its ended children."""
    import resource

    return sum(usage.ru_utime + usage.ru_stime for usage in (
        resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)))


#: The parts of the benchmark, for ``--only``.
PARTS = ("cold_start", "open_article", "queries", "tag_save", "export", "analysis")


def run(articles: int, folder: Path, analyse_articles: int = 150,
        only: tuple[str, ...] = PARTS, per_query: list | None = None,
        repeat: int = 1, tag_rounds: int = 1) -> dict:
    from desktop.gui.app import application

    from benchmarks.corpus import corpus_path
    from desktop.gui.collector import leave_start_up_out_of_collections
    from desktop.gui.main_window import MainWindow
    from storage import open_database

    path = corpus_path(articles, folder)
    if not path.exists():   # generated in its own process: not in this one's peak memory
        subprocess.run([sys.executable, "-m", "benchmarks.corpus", "--articles",
                        str(articles), "--folder", str(folder)], check=True)
    _forget_journal_statistics(path)
    results = {"corpus": {"articles": articles, "file_mb": round(path.stat().st_size / 1e6),
                          "read_s": read_through(path)}}
    if "cold_start" in only:
        results["cold_start"] = cold_start(path)

    random.seed(6)
    app = application()     # as the window's process has it (name, style sheet)
    db = open_database(path)
    window = MainWindow(db, path, analyse=False)
    window.resize(1400, 860)
    window.show()
    app.processEvents()
    leave_start_up_out_of_collections()     # as the window's process does (run_gui)
    sample = random.sample(range(1, articles + 1), 200)
    if "open_article" in only:
        results["open_article"] = open_articles(app, window, sample)

    if "queries" in only:
        tag_ids = [t["id"] for t in window.state.tags]
        results["search"] = queries(app, window, search_runs(random), per_query)
        results["filter_and_sort"] = queries(app, window, filter_runs(random, db, tag_ids),
                                             per_query)
        results["entity_filter_common"] = queries(app, window, [{"entity": "Cambodia"}] * 9,
                                                  per_query)
        results["corpus_entities"] = corpus_entity_lists(db)

    if "tag_save" in only:
        pace_before = machine_pace()
        if tag_rounds > 1:
            gui, storage = tag_save_rounds(app, window, db, tag_rounds, articles)
        else:
            gui, storage = tag_saves(app, window, db, random.sample(range(1, articles + 1), 60))
        results["tag_save_window"] = gui
        results["tag_save_storage"] = storage
        results["machine_pace_ms"] = [pace_before, machine_pace()]
    results["rss_window_open_mb"] = _vm("VmHWM")
    if "export" in only:
        results["export_csv"] = export_csv(db)

    if "analysis" in only:
        texts = [t.replace("Reference DSR-", "Reference BENCH-") for (t,) in db.execute(
            "SELECT text FROM articles WHERE id % 661 = 0 LIMIT ?", [analyse_articles])]
        results["analysis"] = analysis(app, window, db, texts, repeat)
        results["rss_peak_with_spacy_mb"] = _vm("VmHWM")
    window.analysis.stop()
    return results


BARS = [
    ("Window usable after a cold start", lambda r: r["cold_start"]["median_ms"], "ms",
     "< 1500 ms", lambda v: v < 1500),
    ("Open an article with highlights, p95", lambda r: r["open_article"]["p95_ms"], "ms",
     "< 50 ms", lambda v: v < 50),
    ("Search, p95", lambda r: r["search"]["p95_ms"], "ms", "< 100 ms", lambda v: v < 100),
    ("Filter and sort, p95", lambda r: r["filter_and_sort"]["p95_ms"], "ms", "< 100 ms",
     lambda v: v < 100),
    ("Entity filter in 80% of articles, p95", lambda r: r["entity_filter_common"]["p95_ms"],
     "ms", "< 100 ms", lambda v: v < 100),
    ("Corpus entity list, p95", lambda r: r["corpus_entities"]["p95_ms"], "ms", "< 100 ms",
     lambda v: v < 100),
    ("Save a tag (window), p95", lambda r: r["tag_save_window"]["p95_ms"], "ms", "< 5 ms",
     lambda v: v < 5),
    ("Longest GUI stall during analysis", lambda r: r["analysis"]["max_gui_stall_ms"], "ms",
     "≤ 100 ms", lambda v: v <= 100),
    ("Analysis vs bare spaCy", lambda r: r["analysis"]["ratio"], "×", "≥ 0.9×",
     lambda v: v >= 0.9),
    ("Peak RSS, 100k database open", lambda r: r["rss_window_open_mb"], "MB", "< 600 MB",
     lambda v: v < 600),
]


def table(r: dict) -> str:
    lines = ["| measure | measured | bar | met |", "|---|---|---|---|"]
    for name, get, unit, bar, ok in BARS:
        try:
            value = get(r)
        except KeyError:        # a part left out with --only
            continue
        lines.append(f"| {name} | {value} {unit} | {bar} | {'yes' if ok(value) else '**no**'} |")
    lines.append("")
    for describe in _DESCRIPTIONS:
        try:
            lines.append(describe(r))
        except KeyError:
            continue
    return "\n".join(lines)


def _describe_analysis(a: dict) -> str:
    n = a["processes"]
    return (
        f"Analysis: {a['articles']} articles, {a['words']:,} words, {a['runs']} run(s), "
        f"medians; Dossier (service, {n} worker process(es), niceness {a['niceness']}) "
        f"{a['dossier_words_per_s']:,} "
        f"words/s (runs {a['dossier_runs_words_per_s']}); bare nlp.pipe in a fresh process, as nice, "
        f"n_process=1 {a['bare_words_per_s']:,} words/s (ratio {a['ratio']}), "
        f"n_process={n} {a['bare_same_processes_words_per_s']:,} words/s (ratio "
        f"{a['ratio_same_processes']}); against bare nlp.pipe of Dossier's own pipeline, "
        f"n_process={n}: {a.get('bare_own_pipeline_same_processes_words_per_s', '?')} words/s "
        f"(ratio {a.get('ratio_own_pipeline_same_processes', '?')}); GUI stall per run {a['gui_stall_runs_ms']} ms "
        f"(the GUI thread working {a.get('gui_thread_working_in_stall_ms', '?')} ms of it); "
        f"CPU per 1,000 words: {a.get('cpu_ms_per_1000_words', '?')} ms; bare spaCy's CPU "
        f"per word over Dossier's, run by run: {a.get('cpu_ratio_runs', '?')} (of its own "
        f"pipeline: {a.get('cpu_ratio_own_pipeline_runs', '?')}); "
        f"pipes {', '.join(a['pipes'])}; longest GUI gap while the pipeline loads "
        f"{a['stall_while_pipeline_loads_ms']} ms.")


_DESCRIPTIONS = [
    lambda r: (
        f"Corpus: {r['corpus']['articles']:,} articles, {r['corpus']['file_mb']:,} MB, "
        f"read through first in {r['corpus']['read_s']} s."),
    lambda r: (
        f"Cold start: first run {r['cold_start']['first_ms']} ms, median "
        f"{r['cold_start']['median_ms']} ms, p95 {r['cold_start']['p95_ms']} ms over "
        f"{r['cold_start']['n']} runs; {r['cold_start']['listed_rows']} of "
        f"{r['cold_start']['total']:,} rows loaded; longest event-loop gap while the worker "
        f"imports spaCy {r['cold_start']['stall_while_spacy_loads_ms']} ms."),
    lambda r: (
        f"Open article: median {r['open_article']['median_ms']} ms. Search: median "
        f"{r['search']['median_ms']} ms ({r['search']['n']} queries; exact hit count "
        f"median {r['search']['count_exact']['median_ms']} ms, p95 "
        f"{r['search']['count_exact']['p95_ms']} ms). Filter/sort: median "
        f"{r['filter_and_sort']['median_ms']} ms ({r['filter_and_sort']['n']}; exact count "
        f"p95 {r['filter_and_sort']['count_exact']['p95_ms']} ms); an entity in "
        f"80% of articles (Cambodia): p95 {r['entity_filter_common']['p95_ms']} ms; the "
        f"corpus entity list: median {r['corpus_entities']['median_ms']} ms, p95 "
        f"{r['corpus_entities']['p95_ms']} ms."),
    lambda r: (
        (f"Tag save: {len(r['tag_save_window']['rounds_p95_ms'])} rounds of 60 saves in one "
         f"window, p95 over all {r['tag_save_window']['n']:,} (each round's own p95: "
         f"{', '.join(map(str, r['tag_save_window']['rounds_p95_ms']))} ms); "
         if 'rounds_p95_ms' in r['tag_save_window'] else "Tag save: ")
        + f"window median {r['tag_save_window']['median_ms']} ms; storage alone "
        f"median {r['tag_save_storage']['median_ms']} ms, p95 "
        f"{r['tag_save_storage']['p95_ms']} ms; the machine's pace (a fixed Python loop, "
        f"before and after the saves): {r['machine_pace_ms'][0]} and "
        f"{r['machine_pace_ms'][1]} ms."),
    lambda r: (
        f"Export CSV: {r['export_csv']['passages']:,} passages in "
        f"{r['export_csv']['seconds']} s = {r['export_csv']['passages_per_s']:,} passages/s."),
    lambda r: _describe_analysis(r["analysis"]),
    lambda r: (
        f"Peak RSS: {r['rss_window_open_mb']} MB with the window on the corpus, "
        f"{r['rss_peak_with_spacy_mb']} MB at the end (spaCy runs in the analysis "
        f"processes, not in the window's); a fresh start "
        f"{r['cold_start']['rss_at_start_mb']} MB."),
]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--folder", type=Path, default=Path("/tmp/dossier-bench"))
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--only", action="append", choices=PARTS,
                        help="measure only this part (repeatable); default: all")
    parser.add_argument("--per-query", action="store_true",
                        help="also print the time of each search and filter run")
    parser.add_argument("--repeat", type=int, default=1,
                        help="analysis runs (each side by side with bare spaCy); medians")
    parser.add_argument("--rounds", type=int, default=1,
                        help="tag saves: rounds of 60 in one window, the p95 over all")
    parser.add_argument("--bare", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--processes", type=int, default=2, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.bare:
        print(json.dumps(bare_throughput(json.loads(args.bare.read_text()), args.processes)))
        return 0
    per_query = [] if args.per_query else None
    results = run(args.articles, args.folder, only=tuple(args.only or PARTS),
                  per_query=per_query, repeat=args.repeat, tag_rounds=args.rounds)
    for values, ms in per_query or []:
        print(f"{ms:8.1f} ms  {json.dumps(values)}")
    print(json.dumps(results, indent=2) if args.json else table(results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
