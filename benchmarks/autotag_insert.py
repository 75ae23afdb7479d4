"""Auto-tag across a generated corpus: how long the GUI thread stalls while
thousands of passages are stored.

Generates ``--articles`` articles of filler text (default 2,000), each with
the phrase ``--per-article`` times (default 3), opens the main window
headless and tags every match of the phrase, with a 5 ms QTimer on the GUI
thread recording the longest gap between its ticks:

- ``worker``: the window's way — :meth:`MainWindow.auto_tag` stores the
  passages in a worker (one transaction) and the undo step is made from the
  rows it hands back; measured from the call until the rows arrive, then
  the refresh of the window that follows, separately;
- ``inline``: the same passages stored on the GUI thread by an
  ``AddPassages`` command (what auto-tag did before), for comparison;

and how long Ctrl+Z (undo of the whole step, on the GUI thread) takes.

Usage: ``python -m benchmarks.autotag_insert [--articles N] [--per-article K]``
"""

from __future__ import annotations

import argparse
import json
import os
import random
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

PHRASE = "scam compound"
_WORDS = ("the minister said police court border online fraud network victims officials "
          "raid province workers rescued embassy suspects arrested report week").split()


def generate_articles(db, count: int, *, phrase: str = PHRASE, per_article: int = 3,
                      seed: int = 7) -> None:
    """``count`` articles of random words, each holding ``phrase``
    ``per_article`` times (in sentences of their own), in one transaction."""
    from storage import articles

    rng = random.Random(seed)
    with db.atomic():
        for number in range(count):
            paragraphs = []
            for paragraph in range(2 * per_article):
                words = " ".join(rng.choice(_WORDS) for _ in range(50))
                ending = f" Police raided a {phrase} there." if paragraph % 2 == 0 else ""
                paragraphs.append(words.capitalize() + "." + ending)
            articles.add_article(db, title=f"Generated report {number}",
                                 text=f"Report {number}.\n\n" + "\n\n".join(paragraphs))


class GapMeter:
    """The longest gap between the ticks of a 5 ms QTimer on the GUI
    thread, from :meth:`start` (or ``with``) on."""

    def __init__(self, interval_ms: int = 5):
        from PySide6.QtCore import QElapsedTimer, QTimer

        self.clock, self.gaps = QElapsedTimer(), []
        self.timer = QTimer()
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(lambda: self.gaps.append(self.clock.restart()))

    def start(self) -> GapMeter:
        self.gaps.clear()
        self.clock.start()
        self.timer.start()
        return self

    def lap(self) -> int:
        """The longest gap so far (counting the one still open), then start afresh."""
        longest = max(self.gaps + [self.clock.elapsed()])
        self.gaps.clear()
        self.clock.restart()
        return longest

    def stop(self) -> int:
        longest = self.lap()
        self.timer.stop()
        return longest

    def __enter__(self) -> GapMeter:
        return self.start()

    def __exit__(self, *_exc) -> None:
        self.timer.stop()

    @property
    def longest(self) -> int:
        return max(self.gaps, default=0)


def _wait(app, predicate, timeout_s: float = 300) -> None:
    deadline = time.time() + timeout_s
    while not predicate():
        if time.time() > deadline:
            raise TimeoutError("auto-tag did not finish")
        app.processEvents()
        time.sleep(0.001)


def run(articles: int, per_article: int) -> dict:
    from desktop import autotag
    from desktop.gui import commands
    from desktop.gui.app import application, prepare_window
    from desktop.first_run import ensure_codebook
    from storage import open_database, tags

    app = application()
    folder = Path(tempfile.mkdtemp(prefix="dossier-autotag-"))
    path = folder / "corpus.db"
    db = open_database(path)
    ensure_codebook(db)
    began = time.perf_counter()
    generate_articles(db, articles, per_article=per_article)
    generated_s = time.perf_counter() - began
    db.close()
    window = prepare_window(path, analyse=False)
    window.show()
    app.processEvents()
    tag_id = tags.find_tag(window.db, "Cybercrime")["id"]
    request = autotag.AutoTagRequest(tag_id, autotag.PHRASE, PHRASE)
    candidates = autotag.find_candidates(window.db, request)
    count = lambda: window.db.execute("SELECT count(*) FROM passages").fetchone()[0]  # noqa: E731

    meter = GapMeter().start()
    began = time.perf_counter()
    task = window.auto_tag(request, candidates)
    rows = []
    task.succeeded.connect(rows.append)
    _wait(app, lambda: rows)
    worker_ms, worker_s = meter.lap(), time.perf_counter() - began
    _wait(app, lambda: window.undo_stack.count() == 1)
    app.processEvents()
    refresh_ms = meter.lap()
    assert count() == len(candidates)
    began = time.perf_counter()
    window.undo_stack.undo()
    undo_s = time.perf_counter() - began
    app.processEvents()
    undo_ms = meter.lap()
    assert count() == 0

    began = time.perf_counter()
    window.run_command(commands.AddPassages(
        window, "inline", autotag.passage_ranges(request, candidates), "bench"), "inline")
    inline_s = time.perf_counter() - began
    app.processEvents()
    inline_ms = meter.stop()
    assert count() == len(candidates)
    window.close()
    window.db.close()
    return {"articles": articles, "passages": len(candidates),
            "generate_s": round(generated_s, 1),
            "worker_insert_s": round(worker_s, 2), "worker_max_gui_gap_ms": worker_ms,
            "refresh_after_insert_max_gui_gap_ms": refresh_ms,
            "undo_s": round(undo_s, 2), "undo_max_gui_gap_ms": undo_ms,
            "inline_insert_s": round(inline_s, 2), "inline_max_gui_gap_ms": inline_ms}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--per-article", type=int, default=3)
    args = parser.parse_args(argv)
    print(json.dumps(run(args.articles, args.per_article), indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
