"""The pages of rows a lazy list model has read (the article list, the
Passages workspace): read a page at a time from the model's row source, at
most a few kept, the least recently used dropped first, so a list of
200,000 rows holds a few hundred in memory."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterator


class PageCache:
    """At most ``keep`` pages of ``size`` rows, by page number."""

    def __init__(self, size: int, keep: int):
        self.size, self.keep = size, keep
        self._pages: OrderedDict[int, list[dict]] = OrderedDict()
        #: row id → (page number, index in the page), of the pages kept: a
        #: tag saved finds its article's row without walking 800 rows
        self._where: dict[int, tuple[int, int]] = {}

    def page(self, number: int, read: Callable[[int, int], list[dict]]) -> list[dict]:
        """Page ``number``: kept, or ``read(offset, limit)`` now (and kept)."""
        rows = self._pages.get(number)
        if rows is None:
            rows = read(number * self.size, self.size)
            self._pages[number] = rows
            self._where.update((row["id"], (number, i)) for i, row in enumerate(rows))
            while len(self._pages) > self.keep:
                dropped, old = self._pages.popitem(last=False)
                for row in old:
                    if self._where.get(row["id"], (None,))[0] == dropped:
                        del self._where[row["id"]]
        else:
            self._pages.move_to_end(number)
        return rows

    def clear(self) -> None:
        self._pages.clear()
        self._where.clear()

    def find(self, row_id: int) -> tuple[int, dict] | None:
        """``(row number in the list, row)`` of the kept row with this id."""
        where = self._where.get(row_id)
        if where is None:
            return None
        number, i = where
        return number * self.size + i, self._pages[number][i]

    def items(self) -> Iterator[tuple[int, list[dict]]]:
        """``(page number, rows)`` of the pages kept."""
        return iter(list(self._pages.items()))

    def values(self) -> Iterator[list[dict]]:
        return iter(list(self._pages.values()))
