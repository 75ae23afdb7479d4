"""``python -m desktop.gui.overview_screenshots --corpus DB --out docs``: the
pictures of issue 20, captured under xvfb-run — the Overview
(``overview.png``) and a network (``network.png``) on a corpus (a copy of
the benchmark corpus: it is migrated on open), and the dossier page of
“Sar Sokha” on the seeds, analysed here (``entity.png``).

Settings live in a temporary folder: never the user's session or theme.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path


def _wait(app, condition, timeout: float = 120.0) -> None:
    end = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > end:
            raise TimeoutError("gave up waiting")
        app.processEvents()
        time.sleep(0.02)


def _window(db_path: Path, *, analyse: bool):
    from PySide6.QtCore import QSettings

    from desktop.gui.app import prepare_window
    from desktop.gui.preferences import Preferences

    folder = Path(tempfile.mkdtemp(prefix="dossier-overview-shot-"))
    settings = QSettings(str(folder / "settings.ini"), QSettings.Format.IniFormat)
    settings.setValue("view/theme", "light")
    window = prepare_window(db_path or folder / "dossier.db", analyse=analyse,
                            preferences=Preferences(settings))
    window.resize(1400, 860)
    window.show()
    return window


def overview_shots(app, corpus: Path, out: Path, since: str) -> None:
    window = _window(corpus, analyse=False)
    if since:
        window.article_filters.set_filters({"since": since})
    view = window.overview.show()
    view.resize(1250, 700)

    def counted() -> bool:
        return view.status.text().startswith("Counted")
    _wait(app, counted)
    view.show_chart("time")
    _wait(app, counted)
    app.processEvents()
    view.grab().save(str(out / "overview.png"))
    view.show_chart("speaker_network")
    _wait(app, counted)
    app.processEvents()
    view.grab().save(str(out / "network.png"))
    print(f"saved {out / 'overview.png'} and {out / 'network.png'}")
    window.close()


def entity_shot(app, out: Path) -> None:
    window = _window(None, analyse=True)
    from storage import articles, passages, stats
    _wait(app, lambda: stats.counts(window.db)["analysed_articles"] >= 5, timeout=300)
    phrase = "Minister of Interior Sar Sokha will lead a delegation"
    article_id, text = next((i, t) for i, t in articles.article_texts(window.db) if phrase in t)
    start = text.find(phrase)
    passages.add_passage(window.db, article_id=article_id, tag_id=6, start=start,
                         end=start + len(phrase), analyst="analyst", note="Who leads?")
    dossiers = window.overview.dossiers
    dossiers.open("Sar Sokha")
    _wait(app, lambda: dossiers.page.name == "Sar Sokha")
    # accept the suggestion “Sokha” (PERSON), as an analyst would
    chosen = [s for s in dossiers.dossier["suggestions"] if s["label"] == "PERSON"]
    dossiers.page.name = ""
    dossiers.merge(chosen)
    _wait(app, lambda: dossiers.page.name == "Sar Sokha")
    app.processEvents()
    dossiers.page.grab().save(str(out / "entity.png"))
    print(f"saved {out / 'entity.png'}")
    window.close()


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m desktop.gui.overview_screenshots")
    parser.add_argument("--corpus", type=Path, help="a corpus for the Overview and network")
    parser.add_argument("--since", default="", help="list only articles published since")
    parser.add_argument("--out", type=Path, default=Path("docs"))
    args = parser.parse_args(argv)
    from desktop.gui.app import application

    app = application()
    if args.corpus:
        overview_shots(app, args.corpus, args.out, args.since)
    entity_shot(app, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
