"""A synthetic corpus for the scale benchmarks: 100,000 articles with analyses
and 200,000 tagged passages, generated in a few minutes on 2 cores.

How: the paragraphs of the seeds and of the quote test articles (about 300)
are each rewritten into a few *variants* with other people's names (every
PERSON entity the real pipeline finds is swapped for a name drawn from 60 × 60
first and last names). Only these variants — some 1,200 paragraphs — are run
through Dossier's real analysis (spaCy, quotes, speakers). An article is 10–16
random variants plus a unique reference line; its entities and quotes are the
variants' results shifted to where each variant sits in it, stored exactly as
``analyse_pending`` would store them (same pipeline name and version, so nothing
is pending when the window opens). Passages are random sentences of random
articles with one of the nine default tags. Each variant's quote is one
group of recycled quotes across the articles quoting the variant.

Everything goes in with plain ``executemany`` in one transaction, through the
real schema and its triggers (FTS, passage counts); the per-article entity
and speaker summaries are then filled at once (``storage.entity_index.rebuild``). The file is kept out of git
(default ``/tmp/dossier-bench/corpus-100000.db``); it is reused when present.

Usage: ``python -m benchmarks.corpus [--articles N] [--passages N] [--out PATH]``
"""

from __future__ import annotations

import argparse
import random
import re
import sqlite3
import sys
import time
from dataclasses import asdict
from pathlib import Path

from sqlite_utils import Database

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_FOLDER = Path("/tmp/dossier-bench")

FIRST = ("Anna Boris Chen Dara Elif Farah Goran Hana Ivan Jana Kiri Lina Malik Nadia Omar "
         "Pich Quang Rosa Sami Tara Umar Vera Wei Xenia Yusuf Zara Arun Bopha Carlos Dina "
         "Emre Fiona Gita Hugo Irina Jonas Kosal Leila Mateo Nika Oskar Priya Rithy Sofia "
         "Tomas Uma Vannak Wanda Ximena Yara Zoltan Amir Bella Chandra Dmitri Eva Felix "
         "Grace Hiroshi Ines").split()
LAST = ("Abbott Bui Chea Dubois Eriksen Fernandes Gruber Hakimi Ito Jensen Kim Lim Mendes "
        "Nguyen Okafor Petrov Quispe Rahman Sok Tanaka Ueda Varga Wong Xu Yilmaz Zhang "
        "Andersson Baptiste Costa Diallo Evans Fischer Garcia Horvat Iqbal Johansson Keo "
        "Larsen Moreau Novak Ortiz Pham Rossi Silva Thach Uddin Vo Weber Yamamoto Zuniga "
        "Ahmed Brown Chan Douglas Ek Ford Gill Hoang Ivanova").split()
SOURCES = ("Khmer Times", "The Phnom Penh Post", "Bangkok Post", "The Diplomat",
           "ABC News", "Reuters", "Nikkei Asia", "Radio Free Asia", "VOD English",
           "South China Morning Post", "The Irrawaddy", "Channel NewsAsia")
ANALYSTS = ("ana", "ben", "chea", "dana")


def _paragraphs() -> list[str]:
    files = sorted((ROOT / "seeds").glob("*.txt")) + sorted(
        (ROOT / "tests" / "data" / "quotes").glob("*.txt"))
    found = []
    for path in files:
        for paragraph in path.read_text("utf-8").split("\n"):
            paragraph = paragraph.strip()
            if len(paragraph.split()) >= 12:
                found.append(paragraph)
    return found


def _variants(loaded, paragraphs: list[str], per_paragraph: int, rng: random.Random):
    """Each paragraph with other names, analysed: ``(text, entities, quotes)``."""
    from desktop.analysis.analyse import analyse_texts

    people = [sorted({e.text for e in a.entities if e.label == "PERSON"}, key=len, reverse=True)
              for a in analyse_texts(loaded, paragraphs, batch_size=64)]
    texts = []
    for paragraph, names in zip(paragraphs, people):
        texts.append(paragraph)
        for _ in range(per_paragraph - 1):
            text = paragraph
            for name in names:
                text = re.sub(rf"\b{re.escape(name)}\b",
                              f"{rng.choice(FIRST)} {rng.choice(LAST)}", text)
            texts.append(text)
    results = analyse_texts(loaded, texts, batch_size=64)
    return [(text, [asdict(e) for e in r.entities], [asdict(q) for q in r.quotes])
            for text, r in zip(texts, results)]


def _sentence_spans(text: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in re.finditer(r"[^.!?\n]{30,}[.!?]", text)]


def generate(path: Path, *, articles: int, passages: int, seed: int = 6) -> dict:
    """Write the corpus to ``path`` (which must not exist); returns counts and timings."""
    from desktop.analysis.analyse import result_version
    from desktop.analysis.pipeline import load_pipeline
    from desktop.first_run import ensure_codebook
    from storage import open_database
    from storage.analyses import ENTITY_FIELDS, QUOTE_FIELDS
    from storage.articles import text_hash
    from storage.database import set_meta
    from storage.entity_index import rebuild
    from storage.quotes import wording_key

    rng = random.Random(seed)
    started = time.perf_counter()
    loaded = load_pipeline()
    version = result_version(loaded)
    variants = _variants(loaded, _paragraphs(), 4, rng)
    analysed_at = time.perf_counter()

    db = open_database(path)
    ensure_codebook(db)
    set_meta(db, "seeded", "1")
    tag_ids = [r[0] for r in db.execute("SELECT id FROM tags ORDER BY id")]
    db.close()
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode = OFF")
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute("PRAGMA cache_size = -400000")
    now = "2025-01-01T00:00:00+00:00"
    quote_groups: dict[tuple[int, int], list[int]] = {}
    entity_id = quote_id = 0
    conn.execute("BEGIN")
    # generated rows, not an analyst's changes: written unrecorded by the
    # change journal (storage.journal.unrecorded's step 0)
    conn.execute("INSERT OR REPLACE INTO journal_open (id, step_id) VALUES (1, 0)")
    article_rows, analysis_rows, entity_rows, quote_rows = [], [], [], []

    def flush():
        conn.executemany("INSERT INTO articles (id, title, text, text_hash, source, author, "
                         "published, filename, imported_at) VALUES (?,?,?,?,?,?,?,?,?)",
                         article_rows)
        conn.executemany("INSERT INTO analyses (id, article_id, text_hash, pipeline, "
                         "pipeline_version, degraded, created_at) VALUES (?,?,?,?,?,0,?)",
                         analysis_rows)
        conn.executemany(f"INSERT INTO entities (id, analysis_id, {', '.join(ENTITY_FIELDS)}) "
                         "VALUES (?,?,?,?,?,?)", entity_rows)
        conn.executemany(f"INSERT INTO quotes (id, analysis_id, {', '.join(QUOTE_FIELDS)}) "
                         f"VALUES ({', '.join('?' * (len(QUOTE_FIELDS) + 2))})", quote_rows)
        for rows in (article_rows, analysis_rows, entity_rows, quote_rows):
            rows.clear()

    lengths = []
    for article_id in range(1, articles + 1):
        chosen = rng.sample(range(len(variants)), rng.randint(10, 16))
        pieces, offset = [], 0
        for index in chosen:
            text, entities, quotes = variants[index]
            for e in entities:
                entity_id += 1
                entity_rows.append((entity_id, article_id, e["start"] + offset,
                                    e["end"] + offset, e["label"], e["text"]))
            for n, q in enumerate(quotes):
                quote_id += 1
                shifted = dict(q, start=q["start"] + offset, end=q["end"] + offset)
                for key in ("speaker_start", "speaker_end"):
                    if shifted.get(key) is not None:
                        shifted[key] += offset
                quote_rows.append((quote_id, article_id,
                                   *(shifted.get(k) for k in QUOTE_FIELDS)))
                if q["kind"] in ("direct", "partial"):
                    quote_groups.setdefault((index, n), []).append(quote_id)
            pieces.append(text)
            offset += len(text) + 2
        body = "\n\n".join(pieces) + f"\n\nReference DSR-{article_id:06d}."
        lengths.append(len(body.split()))
        first = variants[chosen[0]][0].split()
        title = " ".join(first[:rng.randint(6, 11)]).rstrip(",.;:") + f" ({article_id})"
        year = rng.randint(2014, 2025)
        published = (None if rng.random() < 0.05 else
                     f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}")
        article_rows.append((article_id, title, body, text_hash(body), rng.choice(SOURCES),
                             f"{rng.choice(FIRST)} {rng.choice(LAST)}", published,
                             f"synthetic-{article_id:06d}.txt", now))
        analysis_rows.append((article_id, article_id, text_hash(body), loaded.name, version,
                              now))
        if article_id % 5000 == 0:
            flush()
            print(f"  {article_id} articles", file=sys.stderr, flush=True)
    flush()
    articles_at = time.perf_counter()

    grouped = []        # one group of each variant's quote (migration 0028)
    for (index, n), ids in quote_groups.items():
        wording = wording_key(variants[index][2][n]["text"])
        grouped += [(quote_id, ids[0], 100.0, wording) for quote_id in ids]
    conn.executemany("INSERT INTO quote_groups (quote_id, group_id, score, wording) "
                     "VALUES (?,?,?,?)", sorted(grouped))

    texts = {}
    passage_rows = []
    for _ in range(passages):
        article_id = rng.randint(1, articles)
        if article_id not in texts:
            texts[article_id] = conn.execute("SELECT text FROM articles WHERE id = ?",
                                             [article_id]).fetchone()[0]
        text = texts[article_id]
        start, end = rng.choice(_sentence_spans(text) or [(0, min(len(text), 40))])
        passage_rows.append((article_id, rng.choice(tag_ids), start, end, text[start:end],
                             text[max(0, start - 40):start], text[end:end + 40],
                             rng.choice(ANALYSTS), now, now))
        if len(texts) > 20000:
            texts.clear()
    conn.executemany("INSERT INTO passages (article_id, tag_id, start, end, text, prefix, "
                     "suffix, analyst, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?)",
                     passage_rows)
    conn.execute("DELETE FROM journal_open")
    conn.execute("COMMIT")
    # the per-article entity and speaker summaries (and the corpus counts),
    # which analyse_pending keeps article by article: without them the
    # entity and speaker filters would be measured on empty tables
    rebuild(Database(conn))
    summarised_at = time.perf_counter()
    conn.execute("ANALYZE")
    # ... but not of the journal: it holds a handful of rows now and grows
    # with every change, and a planner told "9 rows" scans it (a tag save's
    # journal step then read every change ever recorded: 2 ms at 10,000).
    # An analyst's file has no statistics at all, so these tables are left
    # to the planner's defaults, as there.
    forget_journal_statistics(conn)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.close()
    finished = time.perf_counter()
    return {"articles": articles, "passages": passages, "variants": len(variants),
            "entities": entity_id, "quotes": quote_id, "grouped_quotes": len(grouped),
            "mean_words": round(sum(lengths) / len(lengths)),
            "analyse_variants_s": round(analysed_at - started, 1),
            "insert_articles_s": round(articles_at - analysed_at, 1),
            "summaries_s": round(summarised_at - articles_at, 1),
            "total_s": round(finished - started, 1),
            "size_mb": round(path.stat().st_size / 1e6)}


def forget_journal_statistics(conn: sqlite3.Connection) -> int:
    """Delete the planner statistics of the journal tables (see
    :func:`generate`); how many rows. A corpus generated before they were
    left out kept "1 step, 9 changes" while the benchmarks filled the
    journal: the window's look at another process's commit then scanned
    all 115,000 steps (5 ms on the GUI thread, every checkpoint)."""
    with conn:
        return conn.execute("DELETE FROM sqlite_stat1 WHERE tbl LIKE 'journal%'").rowcount


def corpus_path(articles: int = 100_000, folder: Path = DEFAULT_FOLDER) -> Path:
    return folder / f"corpus-{articles}.db"


def ensure_corpus(articles: int = 100_000, passages: int | None = None,
                  folder: Path = DEFAULT_FOLDER) -> Path:
    """The corpus file for ``articles``, generated first if missing."""
    path = corpus_path(articles, folder)
    if not path.exists():
        folder.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(path.name + ".partial")
        for leftover in folder.glob(partial.name + "*"):
            leftover.unlink()
        print(f"generating {path} …", file=sys.stderr, flush=True)
        report = generate(partial, articles=articles,
                          passages=passages if passages is not None else 2 * articles)
        partial.rename(path)
        print(report, file=sys.stderr, flush=True)
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--passages", type=int, default=None)
    parser.add_argument("--folder", type=Path, default=DEFAULT_FOLDER)
    args = parser.parse_args(argv)
    print(ensure_corpus(args.articles, args.passages, args.folder))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
