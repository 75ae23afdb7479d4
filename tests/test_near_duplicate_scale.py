"""Near-duplicate detection at scale: signatures stored once and compared
without re-reading texts, and bounded work per article on a corpus where
most articles are wire copies of a few stories (every copy in the same LSH
buckets: the hard case)."""

from __future__ import annotations

import json
import random
import time

import pytest

from desktop import near_duplicates
from desktop.importers import import_files, run
from storage import similarity

STORIES = [
    ("Kampot", "Sok Chea", "Interpol", "Sihanoukville", "Golden Fortune", "Vietnam", "Kenya",
     "214", "31"),
    ("Bavet", "Lim Dara", "Europol", "Svay Rieng", "Jin Bei", "Indonesia", "Uganda",
     "87", "12"),
    ("Poipet", "Keo Vanna", "Aseanapol", "Banteay Meanchey", "Crown Resort", "Laos",
     "Ethiopia", "402", "56"),
    ("Koh Kong", "Chan Sothy", "UNODC", "Thailand", "Huione Pay", "Myanmar", "Nigeria",
     "1,180", "9"),
]


def story_text(number: int, story: int, rng: random.Random) -> str:
    place, officer, agency, province, company, country, other, freed, held = STORIES[story]
    body = (f"police in {place} raided the {company} compound in {province} on the first "
            f"day of the week and freed {freed} workers from {country} and {other}, "
            f"{officer} said. officers from {agency} took part. {officer} told reporters "
            f"that {held} managers were detained and phones seized. the {company} group "
            f"denied any wrongdoing in a statement. prosecutors in {province} will charge "
            f"the managers with trafficking, according to {officer}.")
    outlet = rng.choice(["Reuters", "AFP", "Khmer Times", "VOD", "Kyodo", "Xinhua"])
    return (f"{outlet.upper()} — filed by our correspondent, dispatch {number}.\n\n"
            f"{body}\n\nreporting by {rng.choice(['Anna', 'Boris', 'Chen'])} "
            f"{rng.choice(['Lee', 'Ito', 'Roy'])}; copy {number}.")


def wire_file(path, count: int) -> dict[int, int]:
    """``count`` wire copies of :data:`STORIES` as JSONL at ``path``; the
    story of each row."""
    rng = random.Random(5)
    story_of = {}
    with path.open("w", encoding="utf-8") as out:
        for n in range(count):
            story = n % len(STORIES)
            story_of[n] = story
            out.write(json.dumps({"title": f"Raid {n}", "text": story_text(n, story, rng),
                                  "url": f"https://example.org/{n}"}) + "\n")
    return story_of


@pytest.mark.slow
def test_thousands_of_wire_copies_cost_the_same_per_article_and_are_linked(
        tmp_path, db, monkeypatch):
    # the writer finds the links itself here (one process, as for a small
    # file), so that its look-ups can be counted
    monkeypatch.setattr(run, "PARALLEL_ROWS", 10**9)
    count = 3000
    path = tmp_path / "wire.jsonl"
    story_of = wire_file(path, count)
    members, compared = [], []
    real_members, real_signatures = similarity.bucket_members, similarity.signatures

    def counting_members(db, buckets, cap, *, exclude):
        found = real_members(db, buckets, cap, exclude=exclude)
        members.append(len(found))
        return found

    def counting_signatures(db, ids, method):
        compared.append(len(ids))
        return real_signatures(db, ids, method)

    def no_texts(db, ids):
        raise AssertionError("a candidate's text was read")

    monkeypatch.setattr(similarity, "bucket_members", counting_members)
    monkeypatch.setattr(similarity, "signatures", counting_signatures)
    monkeypatch.setattr(similarity, "texts", no_texts)
    stamps = []
    report = import_files(db, [path], on_progress=lambda done, total: stamps.append(
        (done, time.perf_counter())))
    assert len(report.added) == count and not report.skipped

    # bounded: whatever the bucket sizes (750 copies a story), a fixed number
    # of rows and signatures per article
    assert max(members) <= near_duplicates.BANDS * near_duplicates.BUCKET_CAP
    assert max(compared) <= near_duplicates.MAX_CANDIDATES
    assert members[-1] >= 0.75 * near_duplicates.BANDS * near_duplicates.BUCKET_CAP  # full
    # the last thousand rows cost about what the second thousand did
    rate = {done: at for done, at in stamps}
    second, last = rate[2000] - rate[1000], rate[3000] - rate[2000]
    assert last < 2.5 * second, (second, last)

    # every copy is linked to copies of its own story, never to another story
    ids = {i: n for n, (_, i) in enumerate(report.added)}
    pairs = db.execute("SELECT article_id, other_id, score FROM similar_articles").fetchall()
    assert pairs and all(story_of[ids[a]] == story_of[ids[b]] for a, b, _ in pairs)
    linked = {a for a, _, _ in pairs} | {b for _, b, _ in pairs}
    assert len(linked) == count
    per_article = {}
    for a, b, _ in pairs:
        per_article[a] = per_article.get(a, 0) + 1
        per_article[b] = per_article.get(b, 0) + 1
    assert report.links == len(pairs)
    assert max(n for n in per_article.values()) <= 3 * near_duplicates.MAX_CANDIDATES


@pytest.mark.slow
def test_the_second_process_finds_the_links_the_writer_would(tmp_path, monkeypatch):
    """A large file's rows are linked by the preparing process (a
    RunLinker): the same pairs and scores as the writer finds alone, at a
    cost that does not grow along the file — also once rows leave the
    linker's window (held to its least here) and are asked of the file."""
    from storage import open_database
    path = tmp_path / "wire.jsonl"
    wire_file(path, 4000)
    # an earlier corpus: the first 600 rows, stored by an import of their own
    (tmp_path / "earlier.jsonl").write_text(
        "".join(path.read_text("utf-8").splitlines(keepends=True)[:600]), "utf-8")
    monkeypatch.setattr(near_duplicates, "RUN_WINDOW", 1)   # 3,050 rows: 350 leave it
    found = {}
    for way in ("writer", "second process"):
        db = open_database(tmp_path / f"{way}.db")
        import_files(db, [tmp_path / "earlier.jsonl"])
        stamps = []
        with monkeypatch.context() as patched:
            if way == "writer":
                patched.setattr(run, "PARALLEL_ROWS", 10**9)
            else:       # the writer must not look any link up
                patched.setattr(similarity, "bucket_members", None)
            report = import_files(db, [path], on_progress=lambda done, total: stamps.append(
                (done, time.perf_counter())))
        assert len(report.added) == 3400 and len(report.duplicates) == 600
        found[way] = (db.execute("SELECT article_id, other_id, score FROM similar_articles "
                                 "ORDER BY 1, 2").fetchall(), report.links, report.similar)
        db.close()
        rate = {done: at for done, at in stamps}
        assert rate[4000] - rate[3000] < 2.5 * (rate[2000] - rate[1000])
    assert found["writer"] == found["second process"]
    assert len(found["writer"][0]) > 3400


def _story(n: int) -> str:
    return (f"Police in Town{n} said Officer{n} met Agent{n} from Agency{n} about "
            f"Case{n}, Boat{n}, Port{n}, Camp{n} and Bank{n}.")


def _copy_after(tmp_path, original: int, rows: int):
    """A file of ``rows`` distinct stories, then a copy of story ``original``."""
    lines = [{"title": f"Story {n}", "text": _story(n)} for n in range(rows)]
    lines.append({"title": "Copy", "text": _story(original) + " Reporting by Reuters."})
    path = tmp_path / "run.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in lines), "utf-8")
    return path


def test_a_copy_of_a_row_that_left_the_linker_s_window_is_still_linked(tmp_path, db,
                                                                      monkeypatch):
    monkeypatch.setattr(near_duplicates, "RUN_WINDOW", 1)   # held to its least: 3,050 rows
    report = import_files(db, [_copy_after(tmp_path, 0, 3200)])
    first, copy = report.added[0][1], report.added[-1][1]
    assert db.execute("SELECT article_id, other_id FROM similar_articles").fetchall() == [
        (first, copy)]


def test_the_window_outlasts_the_writer_s_lag_behind_the_linker(tmp_path, db, monkeypatch):
    """The writer as far behind as it can be (slow through its first chunk,
    so the second process links every batch in flight meanwhile): a row
    leaving the linker's window is committed by then, and a copy found just
    after is linked (with a window one chunk too small, it was not: a
    review)."""
    monkeypatch.setattr(near_duplicates, "RUN_WINDOW", 1)
    held = run.linker_window()
    real, stored = run.store_draft, []

    def slow_store(*args, **kwargs):
        stored.append(1)
        if len(stored) <= run.CHUNK_ROWS:
            time.sleep(0.005)
        return real(*args, **kwargs)
    monkeypatch.setattr(run, "store_draft", slow_store)
    # row 10 leaves the window as row held + 10 is linked; the copy comes next
    report = import_files(db, [_copy_after(tmp_path, 10, held + 11)])
    original, copy = report.added[10][1], report.added[-1][1]
    assert db.execute("SELECT article_id, other_id FROM similar_articles").fetchall() == [
        (original, copy)]


def test_an_article_deleted_elsewhere_during_an_import_is_not_linked(tmp_path, monkeypatch):
    """The second process finds links up to three chunks ahead; an article
    another process deletes meanwhile is left out, not a failed chunk."""
    from storage import articles as stored, journal, open_database
    db = open_database(tmp_path / "x.db")
    wire_file(tmp_path / "early.jsonl", 20)
    import_files(db, [tmp_path / "early.jsonl"])
    wire_file(tmp_path / "big.jsonl", 2400)      # (its first 20 rows: the same texts)
    real, steps = run._import_step, []

    def step(db_, name, report, origin):
        steps.append(name)
        if len(steps) == 2:      # between the first chunk and the second
            other = open_database(tmp_path / "x.db")
            with journal.step(other, "Delete"):
                stored.delete_articles(other, list(range(1, 21)))
            other.close()
        return real(db_, name, report, origin)
    monkeypatch.setattr(run, "_import_step", step)
    report = import_files(db, [tmp_path / "big.jsonl"])
    assert not report.skipped and len(report.added) == 2380
    assert not db.execute("SELECT 1 FROM similar_articles WHERE article_id <= 20 "
                          "OR other_id <= 20").fetchall()


def test_the_run_linker_holds_a_window_of_rows_however_long_the_file(tmp_path, db):
    linker = near_duplicates.RunLinker(db, similarity.next_article_id(db), window=300)
    rng = random.Random(4)
    for row in range(2000):
        text = story_text(row, row % len(STORIES), rng) + f" Item{row} Place{row} Word{row}."
        linker.links(row, f"digest {row}", near_duplicates.text_fingerprint(text))
    assert len(linker._signatures) == len(linker._digests) == 300
    assert sum(len(band) for band in linker._bands) <= 300 * near_duplicates.BANDS


def test_the_run_linker_reads_a_bounded_number_of_rows_a_row(tmp_path, db, monkeypatch):
    wire_file(tmp_path / "wire.jsonl", 900)
    import_files(db, [tmp_path / "wire.jsonl"])       # 225 copies of each story
    read, compared = [], []
    real_members, real_signatures = similarity.earlier_bucket_members, similarity.signatures
    monkeypatch.setattr(similarity, "earlier_bucket_members", lambda *a, **k: read.append(
        len(real_members(*a, **k))) or real_members(*a, **k))
    monkeypatch.setattr(similarity, "signatures", lambda db, ids, method: compared.append(
        len(ids)) or real_signatures(db, ids, method))
    linker = near_duplicates.RunLinker(db, similarity.next_article_id(db))
    rng = random.Random(9)
    links = [linker.links(row, f"digest {row}", near_duplicates.text_fingerprint(
        story_text(1000 + row, row % len(STORIES), rng))) for row in range(200)]
    assert max(read) <= near_duplicates.BANDS * near_duplicates.BUCKET_CAP
    assert max(compared) <= near_duplicates.MAX_CANDIDATES
    assert all(links) and all(0.3 <= score <= 1 for row in links for _, score in row)
    # a text already stored, or met earlier in the run, is not linked again
    stored = db.execute("SELECT text_hash FROM articles LIMIT 1").fetchone()[0]
    assert linker.links(500, stored, None) is None
    assert linker.links(501, "digest 3", None) is None


def test_scores_are_exact_jaccard_of_the_salient_tokens(tmp_path, db):
    rng = random.Random(1)
    texts = [story_text(n, n % 2, rng) for n in range(6)]
    (tmp_path / "w.jsonl").write_text("".join(json.dumps({"text": t}) + "\n"
                                              for t in texts), "utf-8")
    report = import_files(db, [tmp_path / "w.jsonl"])
    stored = dict(db.execute("SELECT id, text FROM articles"))
    for a, b, score in db.execute("SELECT article_id, other_id, score FROM similar_articles"):
        exact = near_duplicates.jaccard(near_duplicates.salient_tokens(stored[a]),
                                        near_duplicates.salient_tokens(stored[b]))
        assert score == round(exact, 3)
    assert report.links == similarity.pair_count(db) > 0


def test_a_long_article_is_compared_by_its_bottom_k_estimate():
    tokens_a = {f"name{n}" for n in range(1000)}
    tokens_b = {f"name{n}" for n in range(500, 1500)}    # true Jaccard 1/3
    a, b = near_duplicates.fingerprint(tokens_a), near_duplicates.fingerprint(tokens_b)
    assert len(a.signature) == near_duplicates.SIGNATURE_SIZE
    [estimate] = near_duplicates.similarities(a.signature, [b.signature.tobytes()])
    assert abs(estimate - 1 / 3) < 0.1
    [same] = near_duplicates.similarities(a.signature, [a.signature.tobytes()])
    assert same == 1.0
