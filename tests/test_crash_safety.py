"""Crash safety: Dossier is SIGKILLed at random moments while an analyst tags
as fast as the window allows; every acknowledged tag must survive and the
database must stay intact."""

from __future__ import annotations

import os
import random
import select
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from storage import open_database

ROOT = Path(__file__).resolve().parent.parent
ROUNDS = 8

TAGGER = textwrap.dedent("""
    import random, sys
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest
    from desktop.gui.app import application, prepare_window
    app = application()
    window = prepare_window(sys.argv[1], analyse=False)
    window.show()
    rng = random.Random(int(sys.argv[2]))
    keys = [Qt.Key.Key_1, Qt.Key.Key_2, Qt.Key.Key_3, Qt.Key.Key_4, Qt.Key.Key_5]
    article_ids = [a["id"] for a in __import__("storage").articles.list_articles(window.db)]
    while True:
        window.article_list.select_article(rng.choice(article_ids))
        text = window.view.article_text()
        start = rng.randrange(0, len(text) - 40)
        end = start + rng.randrange(5, 40)
        window.view.select_range(start, end)
        start, end = window.view.selection_range()
        before = window.db.execute("SELECT max(id) FROM passages").fetchone()[0] or 0
        QTest.keyClick(window.view, rng.choice(keys))
        row = window.db.execute("SELECT id, article_id, start, end FROM passages "
                                "WHERE id > ?", [before]).fetchone()
        if row:   # the save returned: acknowledged to the analyst
            print("ACK", *row, flush=True)
        app.processEvents()
""")


@pytest.mark.slow
def test_acknowledged_tags_survive_sigkill(seeded_db_path):
    rng = random.Random(20261121)
    acknowledged = {}
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(ROOT))
    for round_number in range(ROUNDS):
        process = subprocess.Popen(
            [sys.executable, "-c", TAGGER, str(seeded_db_path), str(round_number)],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        first = process.stdout.readline()
        assert first.startswith("ACK"), process.stderr.read()
        lines = [first]
        deadline = time.monotonic() + rng.uniform(0.05, 1.0)
        while time.monotonic() < deadline:
            if select.select([process.stdout], [], [], 0.01)[0]:
                lines.append(process.stdout.readline())
        process.send_signal(signal.SIGKILL)
        rest, _ = process.communicate(timeout=30)
        lines += rest.splitlines()
        for line in lines:
            if line.startswith("ACK"):
                passage_id, article_id, start, end = map(int, line.split()[1:])
                acknowledged[passage_id] = (article_id, start, end)

        db = open_database(seeded_db_path)
        try:
            assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            stored = {r[0]: tuple(r[1:]) for r in db.execute(
                "SELECT id, article_id, start, end FROM passages")}
            texts_match = db.execute(
                "SELECT count(*) FROM passages p JOIN articles a ON a.id = p.article_id "
                "WHERE substr(a.text, p.start + 1, p.end - p.start) != p.text").fetchone()[0]
        finally:
            db.close()
        missing = {k: v for k, v in acknowledged.items() if stored.get(k) != v}
        assert not missing, f"round {round_number}: acknowledged tags lost: {missing}"
        assert texts_match == 0
    print(f"{len(acknowledged)} acknowledged tags over {ROUNDS} kills")
    assert len(acknowledged) > ROUNDS * 3
