"""Re-anchoring needs the context too: on a real seed article, a quote whose
sentence was deleted used to move to the same words put in another
speaker's sentence, marked ``moved``; now it is orphaned (kept, flagged).
Driven through ``dossier import --update`` as a real process."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from storage import open_database, passages, tags

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "000_526e701a0aba4176.txt"
QUOTE = "Cybercrime is a serious threat to state security"
SENTENCE = ("“Cybersecurity is a serious threat to state security due to its subtle, "
            "shadowy nature,” he said.")
WORDS = "Cybersecurity is a serious threat to state security"


def dossier(*args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-m", "desktop", *args], env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=120)


def _imported_and_tagged(tmp_path: Path) -> tuple[Path, Path, int, str]:
    article = tmp_path / "article.txt"
    article.write_text(SEED.read_text("utf-8"), "utf-8")
    db_path = tmp_path / "d.db"
    assert dossier("import", str(article), "--db", str(db_path)).returncode == 0
    db = open_database(db_path)
    text = db.execute("SELECT text FROM articles").fetchone()[0]
    start = text.index(WORDS)
    pid = passages.add_passage(db, article_id=1, tag_id=tags.find_tag(db, "Key quote")["id"],
                               start=start, end=start + len(WORDS), analyst="ana")
    db.close()
    return article, db_path, pid, text


def _passage(db_path: Path, pid: int) -> tuple[dict, str]:
    db = open_database(db_path)
    try:
        return (passages.get_passage(db, pid),
                db.execute("SELECT text FROM articles WHERE id = 1").fetchone()[0])
    finally:
        db.close()


def test_a_quote_whose_sentence_was_deleted_does_not_move_to_another_speaker(tmp_path):
    article, db_path, pid, _ = _imported_and_tagged(tmp_path)
    original = article.read_text("utf-8")
    assert SENTENCE in original
    other_speaker = ("Neth Savoeun told reporters that “Cybersecurity is a serious threat "
                     "to state security in the whole region,” before he left.")
    changed = original.replace(SENTENCE + "\n", "").replace(
        "Thong Mengdavid, a research fellow", other_speaker + "\n\nThong Mengdavid, a "
        "research fellow")
    assert changed.count(WORDS) == 1
    article.write_text(changed, "utf-8")
    done = dossier("import", "--update", str(article), "--db", str(db_path))
    assert done.returncode == 0, done.stderr
    assert "0 moved, 1 no longer found" in done.stdout
    passage, _ = _passage(db_path, pid)
    assert passage["anchor"] == "orphaned" and passage["text"] == WORDS


def test_the_same_sentence_moved_by_an_edit_elsewhere_follows(tmp_path):
    article, db_path, pid, _ = _imported_and_tagged(tmp_path)
    original = article.read_text("utf-8")
    # a paragraph inserted before it, and the sentence's own ending reworded
    changed = original.replace(SENTENCE, "An added paragraph before the quote.\n\n"
                               + SENTENCE.replace("shadowy nature", "shadowy character"))
    article.write_text(changed, "utf-8")
    done = dossier("import", "--update", str(article), "--db", str(db_path))
    assert done.returncode == 0, done.stderr
    passage, text = _passage(db_path, pid)
    assert passage["anchor"] == "moved"
    assert text[passage["start"]:passage["end"]] == WORDS
    assert text[passage["start"] - 30:passage["start"]].endswith("before the quote.\n\n“")
