"""Child process of :mod:`benchmarks.scale`: start Dossier's window on a
database exactly as ``dossier`` does (analysis on), and print one JSON line
once it is shown, has painted and answers events: the wall-clock time then,
the article count listed, memory, and the longest event-loop gap in the
following seconds (while the analysis worker imports spaCy).

Usage: ``python -m benchmarks.startup_probe DB [--watch SECONDS]``
"""

from __future__ import annotations

import json
import os
import sys
import time


def _rss_mb() -> dict:
    fields = {}
    with open("/proc/self/status") as status:
        for line in status:
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                fields[key] = round(int(value.split()[0]) / 1024)
    return fields


def main() -> int:
    from pathlib import Path

    db_path = Path(sys.argv[1])
    watch = float(sys.argv[3]) if len(sys.argv) > 3 and sys.argv[2] == "--watch" else 0.0
    from PySide6.QtCore import QElapsedTimer, QTimer

    from desktop.gui.app import application, prepare_window

    app = application()
    window = prepare_window(db_path)
    window.show()
    app.processEvents()
    usable = time.time()
    report = {"usable_at": usable, "listed": window.article_list.list_model.rowCount(),
              "total": window.article_list.list_model.total(),
              "current": window.current_id, **_rss_mb()}
    if not watch:
        print(json.dumps(report), flush=True)
        os._exit(0)
    clock, gaps = QElapsedTimer(), []
    clock.start()
    timer = QTimer()
    timer.setInterval(5)

    def tick() -> None:
        gaps.append(clock.restart())
    timer.timeout.connect(tick)
    timer.start()

    def stop() -> None:
        # measured before quitting: quit() closes the window, whose exit
        # backup is not part of start-up
        timer.stop()
        report["max_gap_ms"] = max(gaps) if gaps else None
        app.quit()
    QTimer.singleShot(int(watch * 1000), stop)
    app.exec()
    report.update({f"after_{k}": v for k, v in _rss_mb().items()})
    print(json.dumps(report), flush=True)
    os._exit(0)


if __name__ == "__main__":
    raise SystemExit(main())
