"""Batch import speed (issue 16): Dossier's import of a scraper-shaped JSONL
beside a bare sqlite-utils insert (with FTS5) of the same rows, in the same
run, on the same machine.

The files are synthetic but news-shaped — ``title``, ``description``,
``content``, ``url``, ``source: {"name": …}``, ``author``, ``publishedAt``,
about 1.6 KB of text a row, as NewsAPI-style scrapers emit — and a share
of the rows are *wire copies*: an earlier story run again by another
outlet with its own first line, a sentence dropped and a new closing line
(the hard case for near-duplicate detection: every copy lands in the same
LSH buckets). Stories are built from the seeds' paragraphs with every
capitalised word replaced by a made-up name, so each story has its own
names and places.

Dossier's figure includes everything ``dossier import`` does for a batch
file: counting the rows, reading and cleaning each one, the text-hash
check, the insert (with its FTS5 triggers), fingerprinting and linking
near-duplicates, chunked commits. The bare figure is ``json.loads`` of each
line and ``Table.insert_all`` into a table with FTS5 triggers.

Usage: ``python -m benchmarks.import_speed [--rows 20000 100000] [--wire 0.3]
[--folder /tmp/dossier-bench]``; prints a table and the ratio.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_FOLDER = Path("/tmp/dossier-bench")
OUTLETS = ("Khmer Times", "The Phnom Penh Post", "Bangkok Post", "The Diplomat",
           "ABC News", "Reuters", "Nikkei Asia", "Radio Free Asia", "VOD English",
           "South China Morning Post", "The Irrawaddy", "Channel NewsAsia",
           "Associated Press", "Agence France-Presse", "Kyodo", "Xinhua")
_CAPITALISED = re.compile(r"(?<=[a-z,;:] )[A-Z][a-z]+")
_SYLLABLES = ("ka ri mo sa na te lo vi du pe ra so ki mu la ne ta ro bi ga ho "
              "ze fu chan phon sok vat kor").split()


def _paragraphs() -> list[str]:
    files = sorted((ROOT / "seeds").glob("*.txt")) + sorted(
        (ROOT / "tests" / "data" / "quotes").glob("*.txt"))
    found = []
    for path in files:
        for paragraph in path.read_text("utf-8").split("\n"):
            if len(paragraph.split()) >= 12:
                found.append(paragraph.strip())
    return found


def _name(rng: random.Random) -> str:
    return "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 3))).capitalize()


def _story(rng: random.Random, paragraphs: list[str], number: int) -> dict:
    names: dict[str, str] = {}

    def rename(match):
        word = match.group()
        if word not in names:
            names[word] = _name(rng)
        return names[word]
    body = [_CAPITALISED.sub(rename, p) for p in rng.sample(paragraphs, rng.randint(5, 8))]
    title = " ".join(rng.sample(list(names.values()) or ["Police"], min(3, len(names) or 1)))
    return {"title": f"{title} case: police say {rng.randint(2, 90)} held",
            "body": body, "number": number}


def _row(story: dict, rng: random.Random, number: int, copy: bool) -> dict:
    outlet = rng.choice(OUTLETS)
    body = list(story["body"])
    if copy:
        body.pop(rng.randrange(1, len(body)))
        body.insert(0, f"{outlet.upper()} — The following report was filed by our "
                       f"correspondent ({number}).")
        body.append(f"Reporting by {_name(rng)} {_name(rng)}; editing by {_name(rng)}.")
    else:
        body.append(f"Reference {number}.")
    text = "\n\n".join(body)
    day = 1 + number % 28
    return {"title": story["title"], "description": body[1][:160], "content": text,
            "url": f"https://{outlet.lower().replace(' ', '')}.example/news/{number}",
            "source": {"id": None, "name": outlet}, "author": f"{_name(rng)} {_name(rng)}",
            "publishedAt": f"2024-{1 + number % 12:02d}-{day:02d}T08:{number % 60:02d}:00Z"}


def generate(path: Path, rows: int, *, wire: float = 0.3, seed: int = 16) -> Path:
    """Write ``rows`` news rows to ``path`` (JSONL); ``wire`` of them are
    copies of an earlier story. Reused when present."""
    if path.exists():
        return path
    rng = random.Random(seed)
    paragraphs = _paragraphs()
    stories: list[dict] = []
    partial = path.with_suffix(".partial")
    with partial.open("w", encoding="utf-8") as out:
        for number in range(rows):
            copy = bool(stories) and rng.random() < wire
            if copy:
                # recent stories are copied most, as on a news day
                story = stories[max(0, len(stories) - 1 - int(rng.expovariate(1 / 20)))]
            else:
                story = _story(rng, paragraphs, number)
                stories.append(story)
            out.write(json.dumps(_row(story, rng, number, copy),
                                 ensure_ascii=False) + "\n")
    partial.rename(path)
    return path


def time_dossier(path: Path, db_path: Path) -> tuple[float, float, object]:
    """Wall and CPU seconds for Dossier's import of ``path`` into a new
    database, and its report."""
    from desktop.importers import import_files
    from storage import open_database

    db_path.unlink(missing_ok=True)
    db = open_database(db_path)
    started, cpu = time.perf_counter(), time.process_time()
    report = import_files(db, [path])
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    db.close()
    return elapsed, cpu, report


def time_bare(path: Path, db_path: Path) -> tuple[float, float]:
    """Wall and CPU seconds for json.loads + sqlite-utils insert_all with
    FTS5 triggers."""
    from sqlite_utils import Database

    db_path.unlink(missing_ok=True)
    db = Database(db_path)
    db.execute("PRAGMA journal_mode = WAL")
    table = db.table("articles")
    table.create({"id": int, "title": str, "text": str, "url": str, "source": str,
                  "author": str, "published": str}, pk="id")
    table.enable_fts(["title", "text"], create_triggers=True)
    started, cpu = time.perf_counter(), time.process_time()

    def rows():
        with path.open(encoding="utf-8") as handle:
            for line in handle:
                row = json.loads(line)
                yield {"title": row["title"], "text": row["content"], "url": row["url"],
                       "source": row["source"]["name"], "author": row["author"],
                       "published": row["publishedAt"]}
    table.insert_all(rows(), batch_size=500)
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    db.close()
    return elapsed, cpu


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[20_000, 100_000])
    parser.add_argument("--wire", type=float, default=0.3,
                        help="share of rows that are wire copies (default 0.3)")
    parser.add_argument("--folder", type=Path, default=DEFAULT_FOLDER)
    args = parser.parse_args(argv)
    args.folder.mkdir(parents=True, exist_ok=True)
    print("Wall-clock rows/s depend on what else the machine runs; CPU rows/s "
          "(process time) less so.")
    print(f"{'rows':>7} {'wire':>4} {'MB':>5} | {'dossier s':>9} {'rows/s':>6} "
          f"{'cpu r/s':>7} | {'bare s':>6} {'rows/s':>6} {'cpu r/s':>7} | {'ratio':>5} "
          f"{'cpu':>5} | {'similar':>7} {'links':>6}")
    for rows in args.rows:
        path = generate(args.folder / f"import-{rows}-wire{int(args.wire * 100)}.jsonl",
                        rows, wire=args.wire)
        bare, bare_cpu = time_bare(path, args.folder / "import-bare.db")
        dossier, cpu, report = time_dossier(path, args.folder / "import-dossier.db")
        stored = len(report.added)
        print(f"{rows:>7} {args.wire:>4.2f} {path.stat().st_size / 2**20:>5.1f} | "
              f"{dossier:>9.1f} {stored / dossier:>6.0f} {stored / cpu:>7.0f} | "
              f"{bare:>6.1f} {rows / bare:>6.0f} {rows / bare_cpu:>7.0f} | "
              f"{(stored / dossier) / (rows / bare):>5.2f} "
              f"{(stored / cpu) / (rows / bare_cpu):>5.2f} | "
              f"{len(report.similar):>7} {report.links:>6}", flush=True)
        if report.skipped_count():
            print(f"  skipped: {report.skipped_count()} {report.skipped[:3]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
