"""The team hub under load, on a throwaway PostgreSQL cluster
(tests/hub_server.py; Debian's PostgreSQL 15).

``analysts``: ``--analysts`` simulated analysts (default 20), each in its
own thread with its own local file and connections, each adding
``--passages`` passages (default 1,000) as one journal step per passage, in
rounds of ``--per-round`` (default 50); after each round it syncs (push,
then pull) and for ``--pause`` seconds (default 0: as fast as it can) pulls
whenever the hub NOTIFYs, as the window's worker does. For every step: the
time from its push (the hub's ``pushed_at``)
until every other analyst's file holds it.

``first-sync``: a lead uploads a corpus file (``--corpus``, e.g. the 100k
benchmark corpus — copied first, never written), then a new member's first
sync (corpus, codebook, passages; analysis results over ``--analyses`` of
the articles) is timed.

Usage: ``python -m benchmarks.hub_sync analysts [--analysts 20 --passages 1000]``
       ``python -m benchmarks.hub_sync first-sync --corpus PATH [--analyses 2000]``
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import tempfile
import threading
import time
from pathlib import Path

from storage import hub_sync, journal, open_database, passages
from storage.database import get_meta, write_transaction


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


def bench_analysts(analysts: int, per_analyst: int, per_round: int, pause: float = 0.0) -> dict:
    folder = Path(tempfile.mkdtemp(prefix="dossier-hub-bench-"))
    names = [f"analyst{i:02d}" for i in range(analysts)]
    server = _server_and_hub([("lead", "lead"), *[(n, "analyst") for n in names]])
    try:
        lead_path = _seeded_lead(folder)
        lead = open_database(lead_path)
        hub_sync.first_sync(lead, hub_sync.connect(server.url("lead", "pw-lead")),
                            server.url("lead", "pw-lead"))
        dbs = {}
        for name in names:
            dbs[name] = open_database(folder / f"{name}.db")
            hub_sync.first_sync(dbs[name], hub_sync.connect(server.url(name, f"pw-{name}")),
                                server.url(name, f"pw-{name}"))
            dbs[name].close()
        #: per analyst: (wall time, hub seq applied) after each sync
        seen: dict[str, list[tuple[float, int]]] = {n: [] for n in names}
        errors: list[str] = []
        all_pushed = threading.Event()
        total_steps = analysts * per_analyst

        def analyst(name: str) -> None:
            try:
                db = open_database(folder / f"{name}.db")
                url = server.url(name, f"pw-{name}")
                conn, listener = hub_sync.connect(url), hub_sync.connect(url)
                hub_sync.listen(listener)
                articles = [r[0] for r in db.execute("SELECT id FROM articles")]
                tag_id = db.execute("SELECT id FROM tags ORDER BY id LIMIT 1").fetchone()[0]
                made = 0
                while made < per_analyst:
                    with write_transaction(db):
                        for _ in range(min(per_round, per_analyst - made)):
                            with journal.step(db, "Tag passage", analyst=name, origin=name):
                                passages.add_passage(db, article_id=articles[made % len(articles)],
                                                     tag_id=tag_id, start=made % 300,
                                                     end=made % 300 + 8, analyst=name)
                            made += 1
                    hub_sync.sync(db, conn)
                    seen[name].append((time.time(), int(get_meta(db, hub_sync.LAST_SEQ))))
                    # between rounds (an analyst reading): pull on each NOTIFY
                    until = time.time() + max(pause, 0.2)
                    while time.time() < until:
                        if any(True for _ in listener.notifies(
                                timeout=max(0.01, until - time.time()), stop_after=1)):
                            hub_sync.sync(db, conn)
                            seen[name].append((time.time(),
                                               int(get_meta(db, hub_sync.LAST_SEQ))))
                # keep pulling on NOTIFY until every step is here
                while not all_pushed.is_set() or \
                        int(get_meta(db, hub_sync.LAST_SEQ)) < last_seq[0]:
                    for _ in listener.notifies(timeout=0.5, stop_after=1):
                        pass
                    hub_sync.sync(db, conn)
                    seen[name].append((time.time(), int(get_meta(db, hub_sync.LAST_SEQ))))
                db.close()
            except Exception as error:   # noqa: BLE001 - reported below
                errors.append(f"{name}: {error!r}")

        last_seq = [0]
        started = time.time()
        threads = [threading.Thread(target=analyst, args=(n,)) for n in names]
        # the last step's seq, once every analyst's pushes are in
        with hub_sync.connect(server.url("lead", "pw-lead")) as watcher:
            for t in threads:
                t.start()
            while True:
                count, top = watcher.execute(
                    "SELECT count(*), coalesce(max(seq), 0) FROM dossier_hub.steps "
                    "WHERE analyst <> 'lead'").fetchone()
                if count >= total_steps or errors:
                    last_seq[0] = top
                    all_pushed.set()
                    break
                time.sleep(0.2)
            for t in threads:
                t.join()
            elapsed = time.time() - started
            pushed = {seq: (at.timestamp(), analyst) for seq, at, analyst in watcher.execute(
                "SELECT seq, pushed_at, analyst FROM dossier_hub.steps WHERE analyst <> 'lead'")}
        if errors:
            raise RuntimeError("; ".join(errors[:3]))
        latency = []
        for seq, (at, author) in pushed.items():
            times = []
            for name in names:
                if name == author:
                    continue
                times.append(next(t for t, s in seen[name] if s >= seq) - at)
            latency.append(max(times))
        check = open_database(folder / f"{names[0]}.db")
        visible = check.execute("SELECT count(*) FROM passages").fetchone()[0]
        return {"analysts": analysts, "passages_each": per_analyst, "per_round": per_round,
                "pause_s": pause,
                "steps": total_steps, "wall_s": round(elapsed, 1),
                "steps_per_s": round(total_steps / elapsed, 1),
                "passages_in_one_file": visible,
                "visible_to_all_after_push": _percentiles(latency)}
    finally:
        server.close()
        shutil.rmtree(folder, ignore_errors=True)


def bench_first_sync(corpus: Path, analyses: int) -> dict:
    folder = Path(tempfile.mkdtemp(prefix="dossier-hub-bench-", dir="/tmp"))
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
        # only the first N analyses go up (all 100k with their entities and
        # quotes would be a measurement of its own)
        keep = lead.execute("SELECT id FROM analyses ORDER BY id LIMIT 1 OFFSET ?",
                            [max(analyses - 1, 0)]).fetchone()
        cutoff = keep[0] if keep and analyses else 0
        url = server.url("lead", "pw-lead")
        t = time.time()
        conn = hub_sync.connect(url)
        hub_sync._upload(lead, conn, "lead", None)
        upload_s = time.time() - t
        t = time.time()
        _push_some_analyses(lead, conn, cutoff)
        analyses_up_s = time.time() - t
        member = open_database(folder / "newcomer.db")
        t = time.time()
        result = hub_sync.first_sync(member, hub_sync.connect(server.url("newcomer",
                                                                          "pw-newcomer")),
                                     server.url("newcomer", "pw-newcomer"))
        first_sync_s = time.time() - t
        got = {t: member.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
               for t in ("articles", "tags", "passages", "analyses")}
        return {"corpus": str(corpus), "lead_counts": counts, "copy_s": round(copy_s, 1),
                "open_and_migrate_s": round(migrate_s, 1),
                "upload_s": round(upload_s, 1), "analyses_uploaded": analyses if cutoff else 0,
                "analyses_upload_s": round(analyses_up_s, 1),
                "first_sync_s": round(first_sync_s, 1), "newcomer_counts": got,
                "analyses_pulled": result.analyses_pulled}
    finally:
        server.close()
        shutil.rmtree(folder, ignore_errors=True)


def _push_some_analyses(lead, conn, cutoff: int) -> None:
    """Push the analyses up to id ``cutoff``."""
    original = lead.execute
    result = hub_sync.SyncResult()

    class Limited:
        def __getattr__(self, name):
            return getattr(lead, name)

        def execute(self, statement, params=()):
            if statement.startswith("SELECT id, text_hash, pipeline"):
                statement = statement.replace("WHERE id > ?", f"WHERE id > ? AND id <= {cutoff}")
            return original(statement, params)

    hub_sync.push_analyses(Limited(), conn, result)


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
    p.add_argument("--analyses", type=int, default=2000)
    args = parser.parse_args()
    if args.what == "analysts":
        out = bench_analysts(args.analysts, args.passages, args.per_round, args.pause)
    else:
        out = bench_first_sync(args.corpus, args.analyses)
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
