"""What the main window is showing, as a plain-Python evented object.

:class:`WindowState` holds the current article, the article list's query,
the codebook (the tags, as the panels show them), the tags selected as
filters and the analyst. Setting one emits an event when the value really
changed; the window's controllers subscribe to the events they care about
(``state.events.article.connect(callback)``), in the manner of napari's
evented models. No Qt: tests drive it without a window.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

log = logging.getLogger(__name__)


class Event:
    """One event: callbacks connected to it are called, in order, with the
    new value when it is emitted. A callback that raises is logged and the
    others still run (one broken panel must not stop the rest)."""

    def __init__(self, name: str):
        self.name = name
        self._callbacks: list[Callable[[Any], None]] = []

    def connect(self, callback: Callable[[Any], None]) -> Callable[[Any], None]:
        """Call ``callback(value)`` at each emission; returns it (a decorator too)."""
        if callback not in self._callbacks:
            self._callbacks.append(callback)
        return callback

    def disconnect(self, callback: Callable[[Any], None]) -> None:
        """Stop calling ``callback`` (nothing if it was not connected)."""
        if callback in self._callbacks:
            self._callbacks.remove(callback)

    def emit(self, value: Any) -> None:
        for callback in list(self._callbacks):
            try:
                callback(value)
            except Exception:
                log.exception("a %s callback failed", self.name)


class Events:
    """The events of a :class:`WindowState`, one attribute each."""

    NAMES = ("article", "query", "tags", "selected_tags", "analyst")

    def __init__(self):
        for name in self.NAMES:
            setattr(self, name, Event(name))


class WindowState:
    """The window's state: what is shown and for whom.

    - ``article_id``: the article in the reader (None: none);
    - ``query``: the article list's search, filters and order (any object,
      a ``storage.article_query.ArticleQuery`` in the window);
    - ``tags``: the codebook's tags as listed (dicts with ``id``, ``name``,
      ``shortcut`` …);
    - ``selected_tags``: ids of the tags the analyst picked (a filter);
    - ``analyst``: who is working.
    """

    def __init__(self, *, query: Any = None, analyst: str = ""):
        self.events = Events()
        self._article_id: int | None = None
        self._query = query
        self._tags: list[dict] = []
        self._selected_tags: frozenset[int] = frozenset()
        self._analyst = analyst

    def _set(self, name: str, value: Any) -> bool:
        if getattr(self, "_" + name) == value:
            return False
        setattr(self, "_" + name, value)
        getattr(self.events, "article" if name == "article_id" else name).emit(value)
        return True

    @property
    def article_id(self) -> int | None:
        return self._article_id

    @article_id.setter
    def article_id(self, value: int | None) -> None:
        self._set("article_id", value)

    @property
    def query(self) -> Any:
        return self._query

    @query.setter
    def query(self, value: Any) -> None:
        self._set("query", value)

    @property
    def tags(self) -> list[dict]:
        return self._tags

    @tags.setter
    def tags(self, value: list[dict]) -> None:
        # a re-read codebook is announced even when equal: counts live in it
        self._tags = list(value)
        self.events.tags.emit(self._tags)

    @property
    def selected_tags(self) -> frozenset[int]:
        return self._selected_tags

    @selected_tags.setter
    def selected_tags(self, value) -> None:
        self._set("selected_tags", frozenset(value))

    @property
    def analyst(self) -> str:
        return self._analyst

    @analyst.setter
    def analyst(self, value: str) -> None:
        self._set("analyst", value)

    def tag(self, tag_id: int) -> dict | None:
        """The listed tag with ``tag_id``, or None."""
        return next((t for t in self._tags if t["id"] == tag_id), None)

    def tag_on_key(self, key: int) -> dict | None:
        """The listed tag on the shortcut ``key``, or None."""
        return next((t for t in self._tags if t.get("shortcut") == key), None)

    def tag_name(self, tag_id: int, default: str = "tag") -> str:
        tag = self.tag(tag_id)
        return tag["name"] if tag else default
