"""The team hub under load, on a throwaway PostgreSQL cluster
(tests/hub_server.py; Debian's PostgreSQL 15).

``analysts``: ``--analysts`` simulated analysts (default 20), each a
process of its own (as on its own machine, though here all share this
machine's cores) with its own local file, running the window's sync loop
(``desktop.hub_loop``) in a thread while it adds ``--passages`` passages
(default 1,000), one journal step (one commit) each, in rounds of
``--per-round`` (default 50) with ``--pause`` seconds between rounds
(default 0: as fast as it can, 50 ms between rounds). For every step and every other analyst:
the time from its local commit until that analyst's file holds it, the
slowest of them (in *all* other files), and the stages in between.

``first-sync``: a lead uploads a corpus file (``--corpus``, e.g. the 100k
benchmark corpus — copied first, never written), then a new member's first
sync (corpus, codebook, passages; analysis results over ``--analyses`` of
the articles, all of them by default) is timed, phase by phase.

Usage: ``python -m benchmarks.hub_sync analysts [--analysts 20 --passages 1000]``
       ``python -m benchmarks.hub_sync first-sync --corpus PATH [--analyses 100000]
       [--folder DIR]``
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

from storage import hub_sync, journal, open_database, passages


def _server_and_hub(members: list[tuple[str, str]]):
    import psycopg

    from tests.hub_server import HubServer

    server = HubServer()
    with psycopg.connect(server.admin_url("postgres"), autocommit=True) as admin:
        admin.execute("ALTER SYSTEM SET max_connections = 200")
    server.stop()
    server.start()
    with hub_sync.connect(server.admin_url()) as admin:
        hub_sync.init_hub(admin)
        for name, role in members:
            hub_sync.add_member(admin, name, role, f"pw-{name}")
    return server


def _percentiles(values: list[float]) -> dict:
    values = sorted(values)
    if not values:
        return {}
    at = lambda q: values[min(len(values) - 1, int(q * len(values)))]  # noqa: E731
    return {"median_s": round(statistics.median(values), 3), "p95_s": round(at(0.95), 3),
            "max_s": round(values[-1], 3), "n": len(values)}


def _seeded_lead(folder: Path) -> Path:
    from desktop.first_run import ensure_codebook, ensure_seeded

    path = folder / "lead.db"
    db = open_database(path)
    ensure_codebook(db)
    ensure_seeded(db)
    db.close()
    return path


def _analyst(name: str, path: str, url: str, per_analyst: int, per_round: int, pause: float,
             ready, go, last_seq, out: str) -> None:
    """One simulated analyst, in a process of its own (as on its own
    machine): the window's sync loop (``desktop.hub_loop``) in a thread, and
    the analyst tagging in the main thread, one journal step (one commit) a
    passage, ``per_round`` at a time, then ``pause`` seconds of reading."""
    from desktop.hub_loop import SyncLoop

    syncs: list[tuple] = []
    loop = SyncLoop(Path(path), url, None, on_synced=lambda r: syncs.append(
        (r.timings["woken"], r.timings["started"], r.timings["done"], r.last_seq,
         r.pushed, r.pulled, r.timings["pushed"], r.applied)))
    thread = threading.Thread(target=loop.run)
    thread.start()
    db = open_database(Path(path))
    articles = [r[0] for r in db.execute("SELECT id FROM articles")]
    tag_id = db.execute("SELECT id FROM tags ORDER BY id LIMIT 1").fetchone()[0]
    commits: list[tuple[str, float]] = []
    ready.release()
    go.wait()           # every analyst started (imports, files, connections) first
    made = 0
    while made < per_analyst:
        for _ in range(min(per_round, per_analyst - made)):
            with journal.step(db, "Tag passage", analyst=name, origin=name) as step:
                passages.add_passage(db, article_id=articles[made % len(articles)],
                                     tag_id=tag_id, start=made % 300, end=made % 300 + 8,
                                     analyst=name)
            commits.append((step.uuid, time.time()))
            made += 1
        # a breath between rounds even at full speed (a window does not
        # commit back to back for minutes; SQLite's lock is not fair)
        time.sleep(max(pause, 0.05))
    # keep syncing until every analyst's last step is here
    while not last_seq.value or not syncs or max(s[3] for s in syncs) < last_seq.value:
        time.sleep(0.1)
    loop.stop()
    thread.join()
    db.close()
    Path(out).write_text(json.dumps({"commits": commits, "syncs": syncs}))


def bench_analysts(analysts: int, per_analyst: int, per_round: int, pause: float = 0.0) -> dict:
    """``analysts`` processes tagging at once; for every step and every other
    analyst, the time from its local commit until that analyst's file holds
    it, and where that time went."""
    import multiprocessing

    folder = Path(tempfile.mkdtemp(prefix="dossier-hub-bench-"))
    names = [f"analyst{i:02d}" for i in range(analysts)]
    server = _server_and_hub([("lead", "lead"), *[(n, "analyst") for n in names]])
    try:
        lead_path = _seeded_lead(folder)
        lead = open_database(lead_path)
        hub_sync.first_sync(lead, hub_sync.connect(server.url("lead", "pw-lead")),
                            server.url("lead", "pw-lead"))
        for name in names:
            db = open_database(folder / f"{name}.db")
            hub_sync.first_sync(db, hub_sync.connect(server.url(name, f"pw-{name}")),
                                server.url(name, f"pw-{name}"))
            db.close()
        total_steps = analysts * per_analyst
        spawn = multiprocessing.get_context("spawn")
        last_seq = spawn.Value("q", 0)
        ready, go = spawn.Semaphore(0), spawn.Event()
        processes = [spawn.Process(target=_analyst, args=(
            n, str(folder / f"{n}.db"), server.url(n, f"pw-{n}"), per_analyst, per_round,
            pause, ready, go, last_seq, str(folder / f"{n}.json"))) for n in names]
        with hub_sync.connect(server.url("lead", "pw-lead")) as watcher:
            for process in processes:
                process.start()
            for _ in processes:
                ready.acquire()
            time.sleep(2)       # the processes' start-up work settles
            started = time.time()
            go.set()
            while True:
                count, top = watcher.execute(
                    "SELECT count(*), coalesce(max(seq), 0) FROM dossier_hub.steps "
                    "WHERE analyst <> 'lead'").fetchone()
                if count >= total_steps:
                    last_seq.value = top
                    break
                if any(p.exitcode not in (None, 0) for p in processes):
                    raise RuntimeError("a simulated analyst failed")
                time.sleep(0.2)
            for process in processes:
                process.join()
            elapsed = time.time() - started
            pushed = {uuid: (seq, at.timestamp(), analyst) for uuid, seq, at, analyst in
                      watcher.execute("SELECT uuid::text, seq, pushed_at, analyst "
                                      "FROM dossier_hub.steps WHERE analyst <> 'lead'")}
        runs = {n: json.loads((folder / f"{n}.json").read_text()) for n in names}
        check = open_database(folder / f"{names[0]}.db")
        visible = check.execute("SELECT count(*) FROM passages").fetchone()[0]
        twice = check.execute("SELECT count(*) - count(DISTINCT uuid) FROM passages"
                              ).fetchone()[0]
        return {"analysts": analysts, "passages_each": per_analyst, "per_round": per_round,
                "pause_s": pause, "steps": total_steps, "wall_s": round(elapsed, 1),
                "steps_per_s": round(total_steps / elapsed, 1),
                "passages_in_one_file": visible, "passages_twice": twice,
                **_latencies(runs, pushed)}
    finally:
        server.close()
        shutil.rmtree(folder, ignore_errors=True)


def _latencies(runs: dict, pushed: dict) -> dict:
    """From each analyst's commits and syncs: commit → in another analyst's
    file (each pair, and the slowest of the others), and its stages —
    commit → on the hub (the author's loop noticing and pushing), hub →
    the receiver's loop woken (NOTIFY, or the receiver still busy with its
    previous sync), woken → sync started, sync (push, pull, apply, commit)."""
    pair, to_all, from_push = [], [], []
    stages: dict[str, list[float]] = {"commit_to_hub": [], "hub_to_woken": [],
                                      "woken_to_sync": [], "sync_push": [],
                                      "sync_pull_apply": []}
    for author, run in runs.items():
        for uuid, committed in run["commits"]:
            seq, at, _who = pushed[uuid]
            stages["commit_to_hub"].append(at - committed)
            slowest = 0.0
            for name, other in runs.items():
                if name == author:
                    continue
                # the pulled batch that brought it, as it was committed
                woken, started, _done, _seq, _pushed, _pulled, push_done, applied = next(
                    s for s in other["syncs"] if s[3] >= seq)
                stored = next(t for t, top in applied if top >= seq)
                pair.append(stored - committed)
                slowest = max(slowest, stored - committed)
                stages["hub_to_woken"].append(max(0.0, woken - at))
                stages["woken_to_sync"].append(started - woken)
                stages["sync_push"].append(push_done - started)
                stages["sync_pull_apply"].append(stored - push_done)
            to_all.append(slowest)
            from_push.append(slowest - (at - committed))
    out = {"commit_to_each_other_file": _percentiles(pair),
           "commit_to_all_other_files": _percentiles(to_all),
           "push_to_all_other_files": _percentiles(from_push),
           "stages_median_p95_s": {k: [_percentiles(v).get("median_s"),
                                       _percentiles(v).get("p95_s")]
                                   for k, v in stages.items()}}
    syncs = [s for run in runs.values() for s in run["syncs"]]
    out["syncs"] = {"count": len(syncs),
                    "median_s": _percentiles([s[2] - s[1] for s in syncs]).get("median_s"),
                    "steps_pulled_median": statistics.median(s[5] for s in syncs)}
    return out


def bench_first_sync(corpus: Path, analyses: int, folder: Path | None = None) -> dict:
    """The lead uploads ``corpus`` (a copy) to an empty hub with ``analyses``
    of its analysis results; then a new member's first sync, timed by phase."""
    if folder is not None:
        folder.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix="dossier-hub-bench-", dir=folder))
    server = _server_and_hub([("lead", "lead"), ("newcomer", "analyst")])
    try:
        lead_path = folder / "lead.db"
        t = time.time()
        shutil.copy(corpus, lead_path)
        for suffix in ("-wal", "-shm"):
            if Path(str(corpus) + suffix).exists():
                shutil.copy(str(corpus) + suffix, str(lead_path) + suffix)
        copy_s = time.time() - t
        t = time.time()
        lead = open_database(lead_path)       # an older corpus is migrated (uuids)
        migrate_s = time.time() - t
        counts = {t: lead.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                  for t in ("articles", "tags", "passages", "analyses")}
        # the first N analyses go up (all of them: --analyses 100000)
        keep = lead.execute("SELECT id FROM analyses ORDER BY id LIMIT 1 OFFSET ?",
                            [max(analyses - 1, 0)]).fetchone()
        cutoff = keep[0] if keep and analyses else 0
        url = server.url("lead", "pw-lead")
        t = time.time()
        conn = hub_sync.connect(url)
        hub_sync._upload(lead, conn, "lead", None)
        upload_s = time.time() - t
        t = time.time()
        hub_sync.push_analyses(lead, conn, hub_sync.SyncResult(), up_to=cutoff)
        analyses_up_s = time.time() - t
        member = open_database(folder / "newcomer.db")
        phases: dict[str, list[float]] = {}

        def progress(what: str, done: int, total: int) -> None:
            now = time.time()
            phases.setdefault(what, [now, now, total])[1] = now
            if done == total or done % 20000 < 2000:
                print(f"{what}: {done:,} of {total:,}", file=sys.stderr, flush=True)

        t = time.time()
        result = hub_sync.first_sync(member, hub_sync.connect(server.url("newcomer",
                                                                          "pw-newcomer")),
                                     server.url("newcomer", "pw-newcomer"),
                                     on_progress=progress)
        first_sync_s = time.time() - t
        got = {t: member.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
               for t in ("articles", "tags", "passages", "analyses")}
        return {"corpus": str(corpus), "lead_counts": counts, "copy_s": round(copy_s, 1),
                "open_and_migrate_s": round(migrate_s, 1),
                "upload_s": round(upload_s, 1), "analyses_uploaded": analyses if cutoff else 0,
                "analyses_upload_s": round(analyses_up_s, 1),
                "first_sync_s": round(first_sync_s, 1),
                "first_sync_phases_s": {k: round(v[1] - v[0], 1) for k, v in phases.items()},
                "newcomer_counts": got,
                "analyses_pulled": result.analyses_pulled}
    finally:
        server.close()
        shutil.rmtree(folder, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="what", required=True)
    p = sub.add_parser("analysts")
    p.add_argument("--analysts", type=int, default=20)
    p.add_argument("--passages", type=int, default=1000)
    p.add_argument("--per-round", type=int, default=50)
    p.add_argument("--pause", type=float, default=0.0,
                   help="seconds between an analyst's rounds (pulling on NOTIFY meanwhile)")
    p = sub.add_parser("first-sync")
    p.add_argument("--corpus", type=Path, default=Path("/tmp/dossier-bench/corpus-100000.db"))
    p.add_argument("--analyses", type=int, default=100_000)
    p.add_argument("--folder", type=Path, default=None,
                   help="where the copies and files go (default: a temporary folder)")
    args = parser.parse_args()
    if args.what == "analysts":
        out = bench_analysts(args.analysts, args.passages, args.per_round, args.pause)
    else:
        out = bench_first_sync(args.corpus, args.analyses, args.folder)
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
