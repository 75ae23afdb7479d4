"""An article longer than spaCy's ``max_length`` (1,000,000 characters)
aborted every analysis run; now it is analysed in pieces cut at paragraph
boundaries, with entities and quotes at the right code-point offsets of the
whole text, in a batch with ordinary articles (the real pipeline)."""

from __future__ import annotations

import pytest

from desktop.analysis.analyse import CHUNK_CHARS, pieces
from desktop.analysis_jobs import analyse_articles
from storage import articles, open_database
from tests.conftest import SEEDS

PARAGRAPH = ("“We will not let criminals hide behind screens,” said Commissioner Neth "
             "Savoeun in Phnom Penh on Monday. The Australian Federal Police 🚔 sent "
             "two officers to Cambodia.")


def test_pieces_cut_at_paragraphs_and_cover_the_text():
    text = "\n\n".join(f"{n} " + PARAGRAPH for n in range(3000))
    parts = pieces(text, 10_000)
    assert "".join(piece for _, piece in parts) == text
    assert all(len(piece) <= 10_000 for _, piece in parts)
    assert all(text[offset:offset + len(piece)] == piece for offset, piece in parts)
    assert all(piece.endswith("\n\n") for _, piece in parts[:-1])
    # a single paragraph with no break at all is still cut
    assert [len(p) for _, p in pieces("x" * 25_000, 10_000)] == [10_000, 10_000, 5_000]


@pytest.mark.slow
def test_an_article_over_a_million_characters_is_analysed_with_the_others(
        tmp_path, pipeline):
    db = open_database(tmp_path / "long.db", create=True)
    seeds = sorted(SEEDS.glob("*.txt"))[:2]
    ids = [articles.add_article(db, title=p.stem, text=p.read_text("utf-8"))[0]
           for p in seeds[:1]]
    count = 1_000_000 // len(PARAGRAPH) + 200
    long_text = "\n\n".join(f"Paragraph {n}. {PARAGRAPH}" for n in range(count))
    long_text += "\n\nThe last line names Interpol in Lyon."
    assert len(long_text) > 1_000_000 and len(long_text) > 10 * CHUNK_CHARS
    ids.append(articles.add_article(db, title="Very long", text=long_text)[0])
    ids += [articles.add_article(db, title=p.stem, text=p.read_text("utf-8"))[0]
            for p in seeds[1:]]

    analysed = analyse_articles(db, pipeline, ids)
    assert analysed == ids                         # nothing stopped the run

    long_id = ids[1]
    entities = list(db.query(
        "SELECT e.start, e.end, e.text, e.label FROM entities e JOIN analyses an "
        "ON an.id = e.analysis_id WHERE an.article_id = ? ORDER BY e.start", [long_id]))
    quotes = list(db.query(
        "SELECT q.start, q.end, q.text, q.speaker FROM quotes q JOIN analyses an "
        "ON an.id = q.analysis_id WHERE an.article_id = ? ORDER BY q.start", [long_id]))
    assert all(long_text[e["start"]:e["end"]] == e["text"] for e in entities)
    assert all(long_text[q["start"]:q["end"]] == q["text"] for q in quotes)
    # every paragraph's quote is found (none spans a cut), up to the end
    assert len(quotes) == count
    assert quotes[-1]["start"] > 1_000_000
    assert {q["speaker"] for q in quotes} == {"Neth Savoeun"}
    assert any(e["text"] == "Lyon" and e["start"] > len(long_text) - 10 for e in entities)
    # the emoji (outside the BMP) does not shift offsets in later pieces
    assert sum(1 for e in entities if e["text"] == "Phnom Penh") >= count * 0.9
    for article_id in (ids[0], ids[2]):
        assert db.execute("SELECT count(*) FROM analyses WHERE article_id = ?",
                          [article_id]).fetchone()[0] == 1
    db.close()


def test_an_article_the_pipeline_fails_on_does_not_stop_the_batch(tmp_path, monkeypatch):
    """Whatever else makes spaCy raise on one text, the others are stored."""
    from desktop.analysis.pipeline import load_pipeline

    loaded = load_pipeline()
    poison = "This text makes the pipeline fail, whatever the reason."

    @__import__("spacy").Language.component("dossier_test_poison")
    def poison_component(doc):
        if doc.text == poison:
            raise ValueError("poisoned text")
        return doc
    loaded.nlp.add_pipe("dossier_test_poison", last=True)
    db = open_database(tmp_path / "p.db", create=True)
    texts = [p.read_text("utf-8") for p in sorted(SEEDS.glob("*.txt"))[:2]]
    ids = [articles.add_article(db, title=f"A{n}", text=t)[0]
           for n, t in enumerate([texts[0], poison, texts[1]])]
    assert analyse_articles(db, loaded, ids) == [ids[0], ids[2]]
    assert [r[0] for r in db.execute("SELECT article_id FROM analyses ORDER BY 1")] \
        == [ids[0], ids[2]]
    db.close()
