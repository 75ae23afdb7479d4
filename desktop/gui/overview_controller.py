"""The Overview's controller: counts what the article list shows
(:func:`desktop.overview_counts.compute`, in the window's read process, so
the counting never holds the GUI's GIL), draws the charts in
:class:`widgets.overview_window.OverviewWindow`, and turns a click on a mark
into the article list's filters.

Wired into the main window by one line (``OverviewController(self)``): it
adds Go → Overview (Ctrl+Shift+O) and follows the list's query and theme.
"""

from __future__ import annotations

import functools
import logging
import time
from datetime import date

from PySide6.QtCore import QObject, QTimer

from desktop.gui.entity_dossier import EntityDossierController
from desktop.overview_counts import compute
from storage import overview
from storage.article_query import NO_SOURCE
from storage.changes import (ANALYSIS, ARTICLE, ARTICLES, ENTITIES, PASSAGES, SPEAKERS, TAGS,
                             Changes)
from widgets.overview_window import OverviewWindow

log = logging.getLogger(__name__)

#: After a change the analyst made, the shown chart is counted again this
#: long after the last of a burst of changes.
CHANGE_DELAY_MS = 400


def counts_change(changes: Changes) -> bool:
    """True if ``changes`` may change what the Overview counts: passages and
    the codebook (the tag charts), articles and their details (sources,
    dates), the entities and speakers (the analyst's corrections), and an
    analysis — once a run of this window is over (its article-by-article
    results would count again for every batch), or as soon as another
    window's results are read."""
    if changes.touches(PASSAGES, TAGS, ARTICLES, ARTICLE, ENTITIES, SPEAKERS):
        return True
    return changes.touches(ANALYSIS) and (changes.foreign or not changes.article_ids)


def within_dates(bounds: tuple[str, str], query) -> tuple[str, str]:
    """The days of a period (``bounds``, first and last) that the list's
    ``query`` already shows: a column counts only those, and a click must
    narrow the list, never widen its dates to the whole period."""
    since, until = bounds
    if _day(query.since):
        since = max(since, _day(query.since))
    if _day(query.until):
        until = min(until, _day(query.until))
    return since, until


def _day(value: str) -> str:
    """``value`` as YYYY-MM-DD (the list also takes 20240617), or "" if it is
    no date (a filter being typed): the bounds are compared as text."""
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError:
        return ""


class OverviewController(QObject):
    """Go → Overview: the window of charts, kept in step with the list."""

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.view: OverviewWindow | None = None
        self._generation = 0
        self._drawn: set[str] = set()
        self.last_seconds: dict = {}
        go_menu = next(a.menu() for a in window.menuBar().actions()
                       if a.text().replace("&", "") == "Go")
        self.action = window._action(go_menu, "&Overview (charts, networks)", self.show,
                                     "Ctrl+Shift+O")
        self.dossiers = EntityDossierController(window, go_menu)
        window.article_filters.queryChanged.connect(lambda _values: self.refresh())
        # View → Passages (blind coding): the charts count only the passages shown
        window.passage_visibility.changed.connect(lambda _shown: self.refresh())
        # a change the analyst made (tagging, a merge, its undo): count again,
        # once per burst of changes
        self._changed = QTimer(self)
        self._changed.setSingleShot(True)
        self._changed.setInterval(CHANGE_DELAY_MS)
        self._changed.timeout.connect(self.refresh)
        window.undo_stack.indexChanged.connect(lambda _index: self._changed.start())
        # … and what the analyst did not do here: another window's tagging, a
        # hub sync, an analysis landing. The window's own operations arrive
        # both ways; the one timer makes them a single count.
        window.ops.changed.connect(self._on_changes)
        window.themes.schemeChanged.connect(lambda _scheme: self.refresh())

    def _on_changes(self, changes: Changes) -> None:
        """Count again (once per burst) when ``changes`` may move a chart."""
        if counts_change(changes):
            self._changed.start()

    def show(self) -> OverviewWindow:
        if self.view is None:
            self.window.ops.read_process.start()    # while the window is built
            self.view = OverviewWindow(self.window)
            self.view.optionsChanged.connect(lambda _options: self.refresh())
            self.view.refreshRequested.connect(self.refresh)
            self.view.markActivated.connect(self.activate)
            self.view.tabs.currentChanged.connect(
                lambda _index: self._count(self.view.current_name()))
        self.view.show()
        self.view.raise_()
        self.view.activateWindow()
        self.refresh()
        return self.view

    def refresh(self):
        """Count again for the list's current query: the chart shown now (in
        a worker); the others when their tab is shown."""
        if self.view is None or not self.view.isVisible():
            return None
        scheme = self.window.themes.scheme
        self.view.set_colors(scheme.text if scheme.dark else "#202020",
                             scheme.base if scheme.dark else "#ffffff")
        self._generation += 1
        self._drawn = set()
        return self._count(self.view.current_name())

    def _count(self, name: str):
        if self.view is None or name in self._drawn:
            return None
        self._drawn.add(name)
        generation, query, options = self._generation, self.window.query, self.view.options()
        self.view.set_status("Counting…")
        started = time.perf_counter()

        def show(result: dict) -> None:
            if generation != self._generation or self.view is None:
                return          # a newer count is on its way
            for chart, data in result["charts"].items():
                self.view.set_chart(chart, data)
            self.last_seconds.update(result["seconds"])
            view = self.view

            def drawn():    # (a chart counted for a tab no longer shown says nothing)
                if generation == self._generation and view.current_name() == name:
                    view.set_status(f"Counted in {time.perf_counter() - started:.1f} s")
            view.when_drawn(name, drawn)
        def failed(error: Exception) -> None:
            if generation == self._generation and self.view is not None:
                self._drawn.discard(name)       # counted again at the next refresh
                self.view.set_status(f"Counting failed: {error}")
        count = functools.partial(compute, query=query, options=options, only=(name,))
        return self.window.ops.query(count, show).named("overview").in_process() \
            .failure(failed).run()

    def activate(self, chart: str, key) -> None:
        """Narrow the article list to what the clicked mark counts."""
        values: dict = {}
        note = ""
        if chart == "time":
            period, tag_id = key
            options = self.view.options()
            if options.get("dated_by") == "tagged":
                values = {"tag_id": tag_id}
                note = ("The list filters by publication date, not tagging date: it shows "
                        "the tag's articles.")
            else:
                since, until = within_dates(overview.period_bounds(options["unit"], period),
                                            self.window.query)
                values = {"tag_id": tag_id, "since": since, "until": until}
        elif chart == "sources":
            tag_id, source = key
            # the "(none)" column: a filter of its own (an empty one is no filter)
            values = {"tag_id": tag_id, "source": source or NO_SOURCE}
        elif chart == "analysts":
            values = {"tag_id": key[0]}
            note = "The list has no analyst filter: it shows the tag's articles."
        elif chart == "cooccurrence":
            values = {"tag_id": key[0]}
            note = "The list filters by one tag: it shows the first tag's articles."
        elif chart == "speakers":
            values = {"speaker": key}
        elif chart == "entities":
            values = {"entity": key}
        elif chart in ("speaker_network", "entity_network"):
            kind = key[0]
            label = self.view.views[chart].labels[key]
            values = {"speaker": label} if kind == "speaker" else {"entity": label}
        if "tag_id" in values:
            # the mark counted the tag's own passages, or (folded) its
            # children's too: the list's tag filter must take the same
            values["tag_children"] = bool(self.view.options().get("fold"))
        if values:
            self.window.article_filters.set_filters(values)
            self.window.left_tabs.setCurrentWidget(self.window.articles_box)
        if note:
            self.window.statusBar().showMessage(note, 6000)
