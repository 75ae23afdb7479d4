"""Agreement report over a real database: what storage.agreement_data reads,
``dossier agreement`` (table, --json, --tag, --article, --diagnosis CSV)
and its errors."""

from __future__ import annotations

import csv
import json

import pytest

from desktop.agreement.measures import cohen_kappa
from desktop.agreement.report import agreement_report
from desktop.cli import main
from storage import articles, journal, open_database, passages, tags
from storage.agreement_data import ALL_ARTICLES, CODED_BY_ANY, agreement_data, analysts


def run(capsys, *argv):
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def _code(db_path):
    """ana and ben code article 1 with Drugs at [0,100) and [50,150);
    ana also tags article 2 [0,20) Cybercrime, which ben leaves alone;
    chea has one passage that is orphaned (left out)."""
    db = open_database(db_path)
    drugs, cyber = tags.find_tag(db, "Drugs")["id"], tags.find_tag(db, "Cybercrime")["id"]
    passages.add_passage(db, article_id=1, tag_id=drugs, start=0, end=100, analyst="ana")
    passages.add_passage(db, article_id=1, tag_id=drugs, start=50, end=150, analyst="ben")
    passages.add_passage(db, article_id=2, tag_id=cyber, start=0, end=20, analyst="ana")
    orphan = passages.add_passage(db, article_id=1, tag_id=drugs, start=0, end=10,
                                  analyst="chea")
    with journal.step(db, "Orphan a passage"):
        db.execute("UPDATE passages SET anchor = 'orphaned' WHERE id = ?", [orphan])
    lengths = {a: len(articles.get_article(db, a)["text"]) for a in (1, 2)}
    db.close()
    return lengths


def test_storage_reads_spans_and_code_point_lengths(db):
    text = "Café 🚢 crew — arrested. " * 4
    first, _ = articles.add_article(db, title="one", text=text)
    second, _ = articles.add_article(db, title="two", text="plain text here")
    tag = tags.find_tag(db, "Drugs")["id"]
    passages.add_passage(db, article_id=first, tag_id=tag, start=5, end=6, analyst="b")
    passages.add_passage(db, article_id=second, tag_id=tag, start=0, end=5, analyst="a")
    passages.add_passage(db, article_id=second, tag_id=tag, start=0, end=5, analyst="z")
    # by default only articles both coded: here none, and both are named
    none = agreement_data(db, ["a", "b"])
    assert none.article_ids == [] and none.left_out == {first: ["b"], second: ["a"]}
    data = agreement_data(db, ["a", "b"], scope=CODED_BY_ANY)
    assert data.article_ids == sorted([first, second]) and data.left_out == {}
    assert dict(zip(data.article_ids, data.lengths)) == {first: len(text), second: 15}
    assert data.tags == [{"id": tag, "name": "Drugs"}]
    assert sorted(data.rows) == sorted([(first, 1, tag, 5, 6), (second, 0, tag, 0, 5)])
    everything = agreement_data(db, ["a", "b"], scope=ALL_ARTICLES)
    assert len(everything.article_ids) == db.execute("SELECT count(*) FROM articles").fetchone()[0]
    assert agreement_data(db, ["a", "b"], article_ids=[second, 99999]).article_ids == [second]
    assert [a["analyst"] for a in analysts(db)] == ["a", "b", "z"]


def test_cli_compares_the_articles_all_of_them_coded_and_names_the_rest(seeded_db_path,
                                                                          capsys):
    lengths = _code(seeded_db_path)
    status, out, err = run(capsys, "agreement", "--analysts", "ana,ben", "--json",
                           "--db", str(seeded_db_path))
    assert status == 0, err
    report = json.loads(out)
    # article 2 only ana coded: ben has not said it has no Cybercrime
    assert report["articles"] == 1 and report["characters"] == lengths[1]
    assert report["left_out"] == [{"article_id": 2, "coded_by": ["ana"]}]
    assert [row["tag"] for row in report["tags"]] == ["Drugs"]
    assert report["passages"] == {"ana": 1, "ben": 1}
    table = run(capsys, "agreement", "--analysts", "ana,ben", "--db", str(seeded_db_path))[1]
    assert "Left out, not coded by all of them: article 2 (ana only)." in table


def test_cli_json_gives_every_measure_per_tag_and_overall(seeded_db_path, capsys):
    lengths = _code(seeded_db_path)
    status, out, err = run(capsys, "agreement", "--analysts", "ana,ben", "--json",
                           "--coded-by-any", "--db", str(seeded_db_path))
    assert status == 0, err
    report = json.loads(out)
    assert report["articles"] == 2 and report["characters"] == lengths[1] + lengths[2]
    assert report["passages"] == {"ana": 2, "ben": 1}
    rows = {row["tag"]: row for row in report["tags"]}
    assert set(rows) == {"Cybercrime", "Drugs"}
    for row in [*rows.values(), report["overall"]]:
        assert {"alpha_char", "u_alpha", "bu_alpha", "cu_alpha", "kappa_presence",
                "percent_agreement"} <= set(row)
    n = lengths[1] + lengths[2]
    drugs = cohen_kappa([[n - 150, 50], [50, 50]])
    assert rows["Drugs"]["kappa_char"] == pytest.approx(drugs, abs=1e-6)
    # both coded Drugs in article 1 and not in 2; Cybercrime only ana, in 2
    assert rows["Drugs"]["percent_agreement"] == 1.0
    assert rows["Drugs"]["kappa_presence"] == 1.0
    assert rows["Cybercrime"]["percent_agreement"] == 0.5
    assert rows["Cybercrime"]["kappa_presence"] == 0.0
    assert rows["Cybercrime"]["alpha_char"] < 0.1


def test_cli_filters_by_tag_and_article(seeded_db_path, capsys):
    lengths = _code(seeded_db_path)
    out = run(capsys, "agreement", "--analysts", "ana,ben", "--json", "--tag", "drugs",
              "--article", "1", "--db", str(seeded_db_path))[1]
    report = json.loads(out)
    assert [row["tag"] for row in report["tags"]] == ["Drugs"]
    assert report["characters"] == lengths[1]
    n = lengths[1]
    assert report["tags"][0]["kappa_char"] == pytest.approx(
        cohen_kappa([[n - 150, 50], [50, 50]]), abs=1e-6)
    # a tag asked for that nobody used: a row of undefined measures, not zeros
    out = run(capsys, "agreement", "--analysts", "ana,ben", "--json", "--tag", "Diplomacy",
              "--db", str(seeded_db_path))[1]
    row = json.loads(out)["tags"][0]
    assert row["tag"] == "Diplomacy" and row["alpha_char"] is None and row["u_alpha"] is None


def test_cli_table_and_diagnosis_csv(seeded_db_path, tmp_path, capsys):
    _code(seeded_db_path)
    target = tmp_path / "diagnosis.csv"
    status, out, err = run(capsys, "agreement", "--analysts", "ana,ben", "--diagnosis",
                           str(target), "--coded-by-any", "--db", str(seeded_db_path))
    assert status == 0
    assert "alpha_char" in out and "Drugs" in out and "not chance-corrected" in out
    assert "3 diagnosis rows" in err
    with open(target, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [r["row"] for r in rows] == ["tag", "tag", "overall", "scope", "diagnosis",
                                        "diagnosis", "diagnosis"]
    # each figure with its reading, and the scope to report them with
    assert {r["reading"] for r in rows[:3]} <= {"reliable", "tentative", "not reliable",
                                                "nothing to compare"} and rows[2]["reading"]
    assert rows[3]["tag"].startswith("2 articles, ") and "passages: ana " in rows[3]["tag"]
    diagnosis = [(r["article_id"], r["start"], r["end"], r["tags: ana"], r["tags: ben"])
                 for r in rows if r["row"] == "diagnosis"]
    assert diagnosis == [("1", "0", "50", "Drugs", "—"), ("1", "100", "150", "—", "Drugs"),
                         ("2", "0", "20", "Cybercrime", "—")]
    db = open_database(seeded_db_path)
    assert rows[4]["text"] == " ".join(articles.get_article(db, 1)["text"][:50].split())
    assert not list(tmp_path.glob("*.partial"))


@pytest.mark.parametrize("argv,message", [
    (["--analysts", "ana"], "at least two analysts"),
    (["--analysts", "ana,nobody"], "no passages by 'nobody'"),
    (["--analysts", "ana,ben", "--tag", "No such"], "no tag called"),
    (["--analysts", "ana,ben", "--tag", " "], "no tag called ' '"),
    (["--analysts", "ana,ben", "--article", "999"], "no article 999"),
])
def test_cli_errors_are_one_line(seeded_db_path, capsys, argv, message):
    _code(seeded_db_path)
    status, out, err = run(capsys, "agreement", *argv, "--db", str(seeded_db_path))
    assert status == 2 and message in err and out == ""


def test_lengths_read_beside_the_passages_or_on_the_same_connection(db, monkeypatch):
    """The articles' lengths come from a second, read-only connection in a
    thread; without one (in memory, or it cannot open) from the first."""
    import sqlite3

    from storage import agreement_data as module

    first, _ = articles.add_article(db, title="one", text="Café 🚢 crew")
    expected = db.execute(module.ALL_LENGTHS).fetchall()
    assert (first, 11) in expected
    assert module._beside(db.conn, module.ALL_LENGTHS)() == expected
    memory = sqlite3.connect(":memory:")
    memory.execute("CREATE TABLE articles (id INTEGER PRIMARY KEY, text TEXT)")
    memory.execute("INSERT INTO articles VALUES (7, 'abc')")
    assert module._beside(memory, module.ALL_LENGTHS)() == [(7, 3)]

    def refuse(*args, **kwargs):
        raise sqlite3.OperationalError("unable to open database file")
    monkeypatch.setattr(module.sqlite3, "connect", refuse)
    assert module._beside(db.conn, module.ALL_LENGTHS)() == expected


def test_diagnosis_csv_neutralises_formulas(db, tmp_path):
    from desktop.agreement.report import agreement_report, write_csv

    article, _ = articles.add_article(db, title="=HYPERLINK(1)",
                                      text="=SUM(A1:A3) was written on a whiteboard.")
    tag = tags.find_tag(db, "Drugs")["id"]
    passages.add_passage(db, article_id=article, tag_id=tag, start=0, end=11, analyst="a")
    passages.add_passage(db, article_id=article, tag_id=tag, start=0, end=20, analyst="b")
    passages.add_passage(db, article_id=article, tag_id=tag, start=25, end=30, analyst="a")
    target = tmp_path / "d.csv"
    assert write_csv(db, agreement_report(db, ["a", "b"]), target) == 2
    with open(target, newline="", encoding="utf-8") as handle:
        rows = [r for r in csv.DictReader(handle) if r["row"] == "diagnosis"]
    assert {r["article_title"] for r in rows} == {"'=HYPERLINK(1)"}
    assert not target.read_bytes().startswith(b"\xef\xbb\xbf")   # scripts: no BOM


def test_a_pooled_reading_says_which_tags_it_hides():
    """0.830 overall read "reliable" while two of three tags were under
    .667 (a team walk): the overall reading says so."""
    from desktop.agreement.report import pooled_reading

    rows = [{"reading": "reliable"}, {"reading": "not reliable"}, {"reading": "not reliable"}]
    assert pooled_reading(0.830, rows) == "reliable pooled; 2 of 3 tags not reliable"
    rows[1]["reading"] = "tentative"
    assert pooled_reading(0.830, rows) == "reliable pooled; 1 of 3 tags not reliable, 1 tentative"
    assert pooled_reading(0.7, [{"reading": "tentative"}, {"reading": "reliable"}]) == \
        "tentative"
    assert pooled_reading(None, rows) == "nothing to compare"


def test_each_row_is_read_in_words_by_krippendorffs_thresholds(seeded_db_path, capsys):
    from desktop.agreement.report import reading

    assert [reading(a) for a in (0.95, 0.800, 0.7999, 0.667, 0.5, -0.2, None)] == [
        "reliable", "reliable", "tentative", "tentative", "not reliable", "not reliable",
        "nothing to compare"]
    _code(seeded_db_path)
    report = json.loads(run(capsys, "agreement", "--analysts", "ana,ben", "--json",
                            "--db", str(seeded_db_path))[1])
    assert all(row["reading"] == reading(row["alpha_char"]) for row in report["tags"])
    assert report["overall"]["reading"].startswith(reading(report["overall"]["alpha_char"]))
    table = run(capsys, "agreement", "--analysts", "ana,ben", "--db", str(seeded_db_path))[1]
    assert table.splitlines()[0].split()[-1] == "reading" and "-0.000" not in table


def test_a_tag_named_twice_or_used_by_nobody_leaves_the_overall_row_alone(seeded_db_path,
                                                                           capsys):
    """`--tag Drugs --tag drugs` is one tag; Diplomacy, which neither used,
    gets its row ("nothing to compare") but is not pooled into the overall
    row, and the scope line says so: the overall figures are those of the
    tags they used, whichever tags are named."""
    _code(seeded_db_path)
    every = ["agreement", "--analysts", "ana,ben", "--json", "--coded-by-any",
             "--db", str(seeded_db_path)]
    used = json.loads(run(capsys, *every)[1])
    assert [r["tag"] for r in used["tags"]] == ["Cybercrime", "Drugs"]
    named = json.loads(run(capsys, *every, "--tag", "Drugs", "--tag", "Cybercrime",
                           "--tag", "Diplomacy", "--tag", "drugs")[1])
    assert [r["tag"] for r in named["tags"]] == ["Drugs", "Cybercrime", "Diplomacy"]
    assert named["tags"][2]["alpha_char"] is None
    assert named["overall"] == used["overall"]
    assert (named["unpooled"], used["unpooled"]) == (["Diplomacy"], [])
    out = run(capsys, *[a for a in every if a != "--json"], "--tag", "Drugs",
              "--tag", "Diplomacy")[1]
    assert "Not in the overall row, used by none of them here: Diplomacy." in out


def test_a_tag_nobody_used_is_not_counted_in_the_overall_reading(seeded_db_path):
    """"1 of 2 tags not reliable" stays so when a tag neither used is named:
    it is not pooled, so not one of the tags the reading counts."""
    db = open_database(seeded_db_path)
    drugs, cyber, diplomacy = (tags.find_tag(db, n)["id"]
                               for n in ("Drugs", "Cybercrime", "Diplomacy"))
    with journal.step(db, "Tag", analyst="ana"):
        passages.add_passage(db, article_id=1, tag_id=drugs, start=0, end=400, analyst="ana")
        passages.add_passage(db, article_id=1, tag_id=drugs, start=2, end=400, analyst="ben")
        passages.add_passage(db, article_id=1, tag_id=cyber, start=500, end=520, analyst="ana")
        passages.add_passage(db, article_id=1, tag_id=cyber, start=540, end=560, analyst="ben")
    used = agreement_report(db, ["ana", "ben"], tag_ids=[drugs, cyber])
    named = agreement_report(db, ["ana", "ben"], tag_ids=[drugs, cyber, diplomacy])
    assert "1 of 2 tags not reliable" in used.overall["reading"]
    assert named.overall == used.overall and named.unpooled == ["Diplomacy"]
