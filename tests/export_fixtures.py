"""A database of awkward text for the export tests, and readers for the files.

Article 1 holds quotes, line breaks, an emoji outside the Basic
Multilingual Plane, Arabic and Hebrew, XML-illegal control characters
(\\x0b, \\x1f), would-be formulas and markup; article 2 another tag and
analyst; article 3 no passages and no date.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from desktop.first_run import ensure_codebook
from storage import articles, open_database, passages, tags

DATA = Path(__file__).resolve().parent / "data"

TRICKY_TEXT = (
    'The minister said "we will not back down",\nthen left 😀 the room.\n'
    "مرحبا بالعالم — Arabic greeting. שלום עולם in Hebrew.\n"
    "Ledger cell =SUM(A1:A9) and @handle and -5 and +7.\n"
    "Control\x0bcharacters\x1fhere.\n"
    "Markup <script>alert(1)</script> & more."
)
TRICKY_TITLE = 'Minister "quoted" <script>alert(1)</script>'
SECOND_TEXT = "Cambodian police arrested 12 suspects in a scam compound raid in Sihanoukville."


def _tag(db, name: str) -> int:
    return tags.find_tag(db, name)["id"]


def _add(db, article_id: int, text: str, fragment: str, tag: str, analyst: str,
         note: str = "") -> dict:
    start = text.index(fragment)
    passage_id = passages.add_passage(db, article_id=article_id, tag_id=_tag(db, tag),
                                      start=start, end=start + len(fragment),
                                      analyst=analyst, note=note)
    return {"id": passage_id, "start": start, "end": start + len(fragment), "text": fragment,
            "tag": tag, "analyst": analyst, "note": note, "article_id": article_id}


def make_tricky_db(path: Path) -> dict:
    """Fill a new database at ``path``; returns what was stored."""
    db = open_database(path)
    ensure_codebook(db)
    first, _ = articles.add_article(db, title=TRICKY_TITLE, text=TRICKY_TEXT,
                                    published="2024-05-01", source="Test Wire")
    second, _ = articles.add_article(db, title="Scam compound raid", text=SECOND_TEXT,
                                     published="2024-07-15",
                                     url="https://example.org/news/raid")
    third, _ = articles.add_article(db, title="Untagged, undated", text="Nothing tagged here.")
    stored = [
        _add(db, first, TRICKY_TEXT, 'said "we will not back down",\nthen left 😀', "Diplomacy",
             "ana", note='Check "exact" wording,\nsee =1+1 and \x0b.'),
        _add(db, first, TRICKY_TEXT, "مرحبا بالعالم", "Key quote", "ana", note="تحية"),
        _add(db, first, TRICKY_TEXT, "שלום עולם", "Key quote", "ana"),
        _add(db, first, TRICKY_TEXT, "=SUM(A1:A9)", "Claim to verify", "ana", note="@risky"),
        _add(db, first, TRICKY_TEXT, "Control\x0bcharacters\x1fhere", "Claim to verify", "ana"),
        _add(db, first, TRICKY_TEXT, "<script>alert(1)</script>", "Key quote", "ana",
             note="<b>bold?</b>"),
        _add(db, second, SECOND_TEXT, "scam compound raid", "Cybercrime", "bo"),
    ]
    db.close()
    return {"passages": stored, "article_ids": (first, second, third)}


def add_joined_consensus(db) -> int:
    """Two decisions (carla's, then dan's) on overlapping words of the
    second article, joined into one consensus passage; its id."""
    from storage import consensus

    article_id = db.execute("SELECT id FROM articles WHERE text = ?", [SECOND_TEXT]).fetchone()[0]
    start = SECOND_TEXT.index("arrested 12 suspects")
    consensus.add_consensus(db, article_id=article_id, tag_id=_tag(db, "Cybercrime"),
                            start=start, end=start + len("arrested 12 suspects"),
                            decided_by="carla")
    start = SECOND_TEXT.index("12 suspects in")
    return consensus.add_consensus(db, article_id=article_id, tag_id=_tag(db, "Cybercrime"),
                                   start=start, end=start + len("12 suspects in"),
                                   decided_by="dan")


@pytest.fixture
def tricky_db_path(tmp_path) -> Path:
    path = tmp_path / "tricky.db"
    make_tricky_db(path)
    return path


@pytest.fixture
def tricky(tricky_db_path):
    """An open connection to the tricky database."""
    db = open_database(tricky_db_path)
    yield db
    db.close()


def validate_qde(xml: bytes) -> None:
    """Assert ``xml`` is valid against the vendored REFI-QDA project schema."""
    from lxml import etree

    schema = etree.XMLSchema(etree.parse(str(DATA / "Project-mrt2019.xsd")))
    document = etree.fromstring(xml)
    assert schema.validate(document), schema.error_log


def read_qdpx(path: Path) -> tuple[bytes, dict[str, bytes]]:
    """``(project.qde, {entry name: bytes})`` of a .qdpx."""
    with zipfile.ZipFile(path) as archive:
        return archive.read("project.qde"), {n: archive.read(n) for n in archive.namelist()}


def export_qdpx(db, folder: Path, name: str = "project.qdpx", **kwargs) -> Path:
    """Export ``db`` as a .qdpx in ``folder``; returns its path."""
    from desktop.exporters import export_passages

    path = folder / name
    export_passages(db, path, "qdpx", **kwargs)
    return path
