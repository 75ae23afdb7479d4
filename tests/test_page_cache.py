"""The pages a lazy list keeps, and finding a kept row by its id."""

from __future__ import annotations

from widgets.page_cache import PageCache


def _reader(reads: list):
    def read(offset: int, limit: int) -> list[dict]:
        reads.append(offset)
        return [{"id": 1000 + i, "n": i} for i in range(offset, offset + limit)]
    return read


def test_pages_are_read_once_and_the_oldest_dropped():
    reads: list[int] = []
    cache = PageCache(10, 2)
    read = _reader(reads)
    cache.page(0, read), cache.page(1, read), cache.page(0, read)
    cache.page(2, read)                 # drops page 1, the least recently used
    assert reads == [0, 10, 20]
    assert [number for number, _ in cache.items()] == [0, 2]


def test_a_kept_row_is_found_by_id_and_a_dropped_one_is_not():
    cache = PageCache(10, 2)
    read = _reader([])
    cache.page(0, read), cache.page(1, read)
    assert cache.find(1013) == (13, {"id": 1013, "n": 13})
    cache.page(2, read)                 # page 0 goes
    assert cache.find(1003) is None
    assert cache.find(1025)[0] == 25
    row = cache.find(1013)[1]
    row["n"] = "changed"                # the row itself, changed in place
    assert cache.page(1, read)[3]["n"] == "changed"
    cache.clear()
    assert cache.find(1013) is None
