"""``dossier analyse --again [ARTICLE_ID ...]``: the given articles, or every
article, analysed again with the real pipeline although analysed already —
the new result replaces the pipeline's earlier one, the analysts' speaker
and entity corrections still apply, and Ctrl+C stops between articles
keeping what was stored. Two short articles (and six for Ctrl+C) in a real
database file in tmp_path; each run loads the pipeline in one worker
process (about 3 s)."""

from __future__ import annotations

import multiprocessing
import os
import signal

import pytest

from desktop import analysis_jobs, cli
from desktop.cli import main
from storage import analyses, open_database, quotes
from storage import speaker_corrections as sc
from storage.entity_corrections import correct_label, corrected_entities
from storage.entity_index import corpus_entities

ARTICLES = {
    "1-raid.txt": "Police free 200 workers in Sihanoukville\n\nPolice in Sihanoukville freed "
                "200 workers from a compound on Monday. \"The raids will continue until "
                "every compound is closed,\" Interior Minister Sar Kheng said in Phnom Penh. "
                "Interpol took part in the operation.\n",
    "2-pay.txt": "Workers say they were not paid\n\n\"We were not paid for months,\" said Lim "
               "Dara, a worker from Kampot. The company denied the claims in a statement "
               "issued in Phnom Penh on Tuesday.\n",
}


def imported(tmp_path, capsys, texts: dict[str, str]) -> str:
    """A database file holding ``texts`` (file name → text, imported in
    name order)."""
    folder = tmp_path / "articles"
    folder.mkdir()
    for name, text in texts.items():
        (folder / name).write_text(text, "utf-8")
    path = str(tmp_path / "again.db")
    assert main(["import", str(folder), "--db", path]) == 0
    capsys.readouterr()
    return path


def analyse(capsys, path: str, *options: str) -> tuple[int, str, str]:
    status = main(["analyse", *options, "--db", path, "--processes", "1"])
    out, err = capsys.readouterr()
    return status, out, err


def analysis_ids(path: str) -> dict[int, list[int]]:
    """Each article's stored analyses (ids)."""
    db = open_database(path)
    try:
        found: dict[int, list[int]] = {}
        for article_id, analysis_id in db.execute(
                "SELECT article_id, id FROM analyses ORDER BY article_id, id"):
            found.setdefault(article_id, []).append(analysis_id)
        return found
    finally:
        db.close()


@pytest.mark.slow
def test_the_given_articles_are_analysed_again_and_corrections_still_apply(
        tmp_path, capsys):
    path = imported(tmp_path, capsys, ARTICLES)
    assert analyse(capsys, path)[1].startswith("analysed 2 articles with ")
    assert analyse(capsys, path)[1].startswith("analysed 0 articles with ")
    before = analysis_ids(path)
    db = open_database(path)
    [said] = [q for q in quotes.all_quotes(db, article_id=1) if q["speaker"] == "Sar Kheng"]
    sc.set_speaker(db, 1, said["start"], said["end"], "Interior ministry",
                   sc.ORGANISATION)
    [kampot] = [r for r in corpus_entities(db, limit=1000)
                if r["name"] == "Kampot" and r["label"] == "ORG"]
    correct_label(db, kampot, "GPE")
    db.close()

    status, out, _ = analyse(capsys, path, "--again", "1")
    assert status == 0 and out.startswith("analysed 1 article again with ")
    after = analysis_ids(path)
    # a new result replaced the old one; the other article was left alone
    assert len(after[1]) == 1 and after[1][0] > max(before[1] + before[2])
    assert after[2] == before[2]
    db = open_database(path)
    try:
        assert [(q["speaker"], q["corrected"]) for q in quotes.all_quotes(db, article_id=1)
                if q["start"] == said["start"]] == [("Interior ministry", True)]
        assert "Interior ministry" in {s["speaker"] for s in quotes.speakers(db)}
        assert {(e["text"], e["label"]) for e in corrected_entities(
            db, analyses.latest_analysis(db, 2)["entities"])
                if e["text"] == "Kampot"} == {("Kampot", "GPE")}
    finally:
        db.close()


def test_ids_go_with_again_and_must_be_articles(tmp_path, capsys):
    path = imported(tmp_path, capsys, ARTICLES)
    status, _, err = analyse(capsys, path, "1")
    assert status == 2 and "article ids go with --again" in err
    status, _, err = analyse(capsys, path, "--again", "2", "7", "9")
    assert status == 2 and "there is no article 7, 9; nothing analysed" in err
    assert analysis_ids(path) == {}


def ctrl_c_after_first(monkeypatch) -> list[tuple[int, int]]:
    """The command line's progress bar made one that presses Ctrl+C once the
    first article is stored — SIGINT to this process and its worker
    processes, as a terminal sends it to the whole group; its updates."""
    updates = []

    def progress_bar(description):
        from contextlib import nullcontext

        def update(done, total):
            updates.append((done, total))
            if done == 1:
                for worker in multiprocessing.active_children():
                    os.kill(worker.pid, signal.SIGINT)
                os.kill(os.getpid(), signal.SIGINT)
        return nullcontext(), update
    monkeypatch.setattr(cli, "_progress_bar", progress_bar)
    return updates


@pytest.mark.slow
def test_every_article_is_analysed_again_and_ctrl_c_keeps_what_was_stored(
        tmp_path, capsys, monkeypatch):
    texts = {f"{n}-{name}": text.replace("Monday", f"day {n}").replace("Tuesday", f"day {n}")
             for n in range(3) for name, text in ARTICLES.items()}
    path = imported(tmp_path, capsys, texts)
    # one article a batch: the run stops after the batches already handed out
    monkeypatch.setattr(analysis_jobs, "BATCH_SIZE", 1)
    updates = ctrl_c_after_first(monkeypatch)
    status, out, err = analyse(capsys, path, "--again")
    kept = analysis_ids(path)
    assert status == 130 and out == ""
    assert 1 <= len(kept) < 6 and all(len(ids) == 1 for ids in kept.values())
    word = "article is" if len(kept) == 1 else "articles are"
    assert f"dossier: interrupted — {len(kept)} {word.split()[0]} analysed again before " \
           f"the stop {word.split()[1]} kept" in err
    assert updates[0] == (0, 6) and updates[-1] == (len(kept), 6)
    # the whole corpus again: those analysed before get a new result, replacing theirs
    monkeypatch.undo()                # (no Ctrl+C, eight articles a batch)
    status, out, _ = analyse(capsys, path, "--again")
    assert status == 0 and out.startswith("analysed 6 articles again with ")
    again = analysis_ids(path)
    assert sorted(again) == [1, 2, 3, 4, 5, 6]
    assert all(len(ids) == 1 for ids in again.values())
    assert all(again[a][0] > kept[a][0] for a in kept)
