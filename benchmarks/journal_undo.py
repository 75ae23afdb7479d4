"""Undo and redo cost with the change journal (issue 13's bars).

On a copy of the seeds with a tag holding ``--passages`` passages (default
20,000), measured ``--repeat`` times each, in storage (``storage.journal``,
what the window's Ctrl+Z runs on the GUI thread):

- rename that tag, undo the rename, redo it (bar: undo and redo < 50 ms;
  before the journal: undo 0.66–0.86 s, it rewrote every passage);
- an auto-tag step of ``--autotag`` passages (default 6,000): undo and redo
  (before: redo 250 ms);
- the journal's cost on a tag save: one passage tagged as a step vs. the
  same insert in a bare transaction.

Usage: ``python -m benchmarks.journal_undo [--passages N] [--autotag N] [--repeat K]``
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import tempfile
import time
from pathlib import Path


def _ms(action) -> float:
    start = time.perf_counter()
    action()
    return (time.perf_counter() - start) * 1000


def _ranges(db, count: int, tag_id: int, seed: int) -> list[dict]:
    rng = random.Random(seed)
    texts = db.execute("SELECT id, length(text) FROM articles").fetchall()
    out = []
    for _ in range(count):
        article_id, length = rng.choice(texts)
        start = rng.randrange(0, length - 40)
        out.append({"article_id": article_id, "tag_id": tag_id, "start": start,
                    "end": start + rng.randrange(5, 40)})
    return out


def run(passage_count: int, autotag_count: int, repeat: int) -> dict:
    from desktop.first_run import ensure_codebook, ensure_seeded
    from storage import journal, open_database, passages, tags

    folder = Path(tempfile.mkdtemp(prefix="dossier-journal-bench-"))
    db = open_database(folder / "bench.db")
    ensure_codebook(db)
    ensure_seeded(db)
    big, other = [t["id"] for t in tags.list_tags(db)[:2]]
    with journal.step(db, "Set-up", origin="bench"):
        passages.add_passages(db, _ranges(db, passage_count, big, 1), analyst="bench")
    # blank-space ranges are refused; keep the count honest
    stored = db.execute("SELECT count(*) FROM passages WHERE tag_id = ?", [big]).fetchone()[0]

    figures: dict[str, list[float]] = {k: [] for k in (
        "rename", "rename_undo", "rename_redo", "autotag_undo", "autotag_redo",
        "tag_save_step", "tag_save_bare")}
    for round_ in range(repeat):
        def rename():
            with journal.step(db, "Rename", origin="bench"):
                tags.rename_tag(db, big, f"Renamed {round_}")
        figures["rename"].append(_ms(rename))
        figures["rename_undo"].append(_ms(lambda: journal.undo(db, origin="bench")))
        figures["rename_redo"].append(_ms(lambda: journal.redo(db, origin="bench")))

        ranges = _ranges(db, autotag_count, other, 100 + round_)
        with journal.step(db, "Auto-tag", origin="bench"):
            passages.add_passages(db, ranges, analyst="bench")
        figures["autotag_undo"].append(_ms(lambda: journal.undo(db, origin="bench")))
        figures["autotag_redo"].append(_ms(lambda: journal.redo(db, origin="bench")))

        one = _ranges(db, 1, other, 999 + round_)[0]

        def in_step():
            with journal.step(db, "Tag", origin="bench"):
                passages.add_passage(db, analyst="bench", **one)
        figures["tag_save_step"].append(_ms(in_step))

        def bare():    # the same insert without a journal step (unrecorded)
            with journal.unrecorded(db):
                passages._insert(db, passages._article_text(db, one["article_id"]),
                                 analyst="bench", **one)
        figures["tag_save_bare"].append(_ms(bare))

    result = {"passages_on_renamed_tag": stored, "autotag_passages": autotag_count,
              "repeat": repeat}
    for name, values in figures.items():
        values.sort()
        result[name] = {"median_ms": round(statistics.median(values), 2),
                        "max_ms": round(values[-1], 2)}
    return result


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.journal_undo")
    parser.add_argument("--passages", type=int, default=20_000)
    parser.add_argument("--autotag", type=int, default=6_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    print(json.dumps(run(args.passages, args.autotag, args.repeat), indent=2))


if __name__ == "__main__":
    main()
