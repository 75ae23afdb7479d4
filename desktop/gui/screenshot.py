"""``python -m desktop.gui.screenshot OUT.png [--theme light|dark] [--workspace]``:
the main window on the seeds, with a few tagged passages (or, with
``--workspace``, the Passages workspace over more of them), captured from
the screen (run under xvfb-run).

Used for the README's screenshot (light) and to look at the app as a user
does. Its settings live in the temporary folder: never the user's session,
theme or zoom.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Slot


class _Receiver(QObject):
    def __init__(self, callback):
        super().__init__()
        self.callback = callback

    @Slot()
    def fire(self, *_args) -> None:
        self.callback()


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m desktop.gui.screenshot")
    parser.add_argument("out", nargs="?", default="screenshot.png", type=Path)
    parser.add_argument("--theme", choices=("light", "dark"), default="light")
    parser.add_argument("--workspace", action="store_true",
                        help="show the Passages workspace (more passages tagged)")
    args = parser.parse_args(argv)
    out = args.out
    from PySide6.QtCore import QSettings

    from desktop.gui.app import application, prepare_window
    from desktop.gui.preferences import Preferences
    from storage import articles, passages, tags

    app = application()
    folder = Path(tempfile.mkdtemp(prefix="dossier-shot-"))
    settings = QSettings(str(folder / "settings.ini"), QSettings.Format.IniFormat)
    settings.setValue("view/theme", args.theme)
    window = prepare_window(folder / "dossier.db", preferences=Preferences(settings))
    db = window.db
    first = articles.first_article(db)
    article = (first["id"], first["text"])
    by_name = {t["name"]: t["id"] for t in tags.list_tags(db)}
    for phrase, tag, note in (
            ("more support for the training of the Kingdom’s police officers",
             "Training & capacity building", ""),
            ("fight against cybercrime", "Cybercrime", ""),
            ("congratulated Cambodia on its removal from the Financial Action Task Force "
             "(FATF) grey list for money laundering", "Money laundering",
             "Check the FATF plenary date")):
        start = article[1].find(phrase)
        if start >= 0:
            passages.add_passage(db, article_id=article[0], tag_id=by_name[tag], start=start,
                                 end=start + len(phrase), analyst="analyst", note=note)
    if args.workspace:
        _tag_across_the_seeds(db, by_name)
    window.refresh_articles(select=article[0])
    window.refresh_passages()
    window.resize(1500, 900)
    window.show()

    def shoot() -> None:
        window.show_article(article[0])
        if args.workspace:
            from PySide6.QtCore import Qt
            window.workspace.show()
            window.resizeDocks([window.workspace.dock], [480], Qt.Orientation.Vertical)
        app.processEvents()
        screen = window.screen()
        image = screen.grabWindow(0, window.frameGeometry().x(), window.frameGeometry().y(),
                                  window.frameGeometry().width(), window.frameGeometry().height())
        if image.isNull():
            image = window.grab()
        image.save(str(out))
        print(f"saved {out}")
        window.close()

    # a receiver living in the GUI thread, so the slot runs there
    receiver = _Receiver(lambda: QTimer.singleShot(500, shoot))
    window.analysis.worker.finished.connect(receiver.fire)
    window.analysis.worker.failed.connect(receiver.fire)
    return app.exec()


def _tag_across_the_seeds(db, by_name: dict) -> None:
    """A few passages in every seed, by two analysts, some with notes, and a
    sub-tag, so the Passages workspace has something to show."""
    from storage import articles, passages, tags

    scams = tags.create_tag(db, "Online crime", "#9141ac")
    tags.set_parent(db, scams, by_name["Cybercrime"])
    by_name["Online crime"] = scams
    wanted = (("Sar Sokha", "Diplomacy", "ana", "Deputy PM since 2023"),
              ("online crime", "Online crime", "bo", "compare with the UNODC figures"),
              ("online fraud", "Online crime", "bo", ""),
              ("cybersecurity", "Online crime", "ana", ""),
              ("cybercrime", "Cybercrime", "ana", ""),
              ("training", "Training & capacity building", "bo", ""),
              ("Australian Federal Police", "Law enforcement cooperation", "ana",
               "AFP liaison office?"),
              ("drug", "Drugs", "bo", ""), ("trafficking", "Trafficking", "ana", ""))
    for article_id, text in articles.article_texts(db):
        for phrase, tag, analyst, note in wanted:
            start = text.find(phrase)
            if start < 0:
                continue
            # the whole sentence around the phrase
            stop = text.rfind(". ", 0, start)
            begin = max(stop + 2 if stop >= 0 else 0, text.rfind("\n", 0, start) + 1)
            end = text.find(". ", start)
            end = len(text) if end < 0 else end + 1
            passages.add_passage(db, article_id=article_id, tag_id=by_name[tag],
                                 start=begin, end=min(end, begin + 220), analyst=analyst,
                                 note=note)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
