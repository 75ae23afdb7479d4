"""The bar above the article list: a search box and where it looks (the
articles' text, the analyst's notes and memos, or both), filters (tag, entity,
speaker, source, dates or undated, review status), the sort order and the hit count.

Plain data out: :attr:`ArticleFilters.queryChanged` carries a dict with the
fields of :class:`storage.article_query.ArticleQuery` (this module imports
nothing from storage). Typing in a text box waits a moment before asking
(so a search runs once per pause, not per key); Enter asks at once.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QSize, Qt, QTimer, Signal
from PySide6.QtWidgets import (QCheckBox, QComboBox, QCompleter, QFormLayout, QFrame,
                               QHBoxLayout, QLabel, QLineEdit, QScrollArea, QSizePolicy,
                               QToolButton, QVBoxLayout, QWidget)

from widgets.passage_menu import color_icon
from widgets.problem_label import ProblemLabel

#: (label, sort name) in the order offered
SORTS = (("Imported", "imported"), ("Date", "published"), ("Title", "title"),
         ("Source", "source"), ("Tagged passages", "passages"))
#: Which way each sort runs unless reversed (newest and most tagged first).
NATURAL_DESCENDING = {"published", "passages"}
#: (label, review filter) in the order offered; "" lists every article.
REVIEW_CHOICES = (("Any status", ""), ("New", "new"), ("In progress", "in progress"),
                  ("Done", "done"), ("Not done", "not done"))
#: (label, search scope, tooltip)
SEARCH_SCOPES = (("Text", "text", "Search the articles' titles and texts"),
                 ("Notes", "notes", "Search your article memos and passage notes"),
                 ("Both", "all", "Search texts, memos and passage notes"))

DEBOUNCE_MS = 250


def name_completer(names: list[str], parent, on_pick=None) -> QCompleter:
    """A completer offering ``names`` that contain what was typed, any case;
    ``on_pick()`` runs when one is chosen."""
    completer = QCompleter(names, parent)
    completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
    completer.setFilterMode(Qt.MatchFlag.MatchContains)
    completer.setMaxVisibleItems(12)
    if on_pick is not None:
        # after the completer has put the name in the field
        completer.activated.connect(lambda _text: QTimer.singleShot(0, on_pick))
    return completer


def show_hit_count(label, shown: int, noun: str, filtered: bool, exact: bool = True) -> None:
    """"N nouns (match)" on ``label``; with ``exact`` False, "N+ …" while the
    rest is counted (said in its tooltip)."""
    one = shown == 1 and exact
    label.setText(f"{shown:,}{'' if exact else '+'} {noun if one else noun + 's'}"
                  + ((" matches" if one else " match") if filtered else ""))
    label.setToolTip("" if exact else "Counting the rest…")


def fill_tag_combo(combo, tags: list[dict], chosen) -> int:
    """Fill a tag chooser: "Any tag", then the codebook as a tree (indented,
    with each tag's colour), ``chosen`` kept current if it is still there.
    Returns its index (-1: gone, "Any tag" current)."""
    combo.clear()
    combo.addItem("Any tag", None)
    for depth, tag in tree_order(tags):
        combo.addItem(color_icon(tag["color"]), "    " * depth + tag["name"], tag["id"])
    index = combo.findData(chosen)
    combo.setCurrentIndex(max(index, 0))
    return index


def tree_order(tags: list[dict]) -> list[tuple[int, dict]]:
    """``(depth, tag)``: each tag followed by the tags under it (``parent_id``),
    siblings in the order given; a tag whose parent is missing is at the top."""
    def key(tag):
        return tag.get("id", tag.get("name"))
    ids = {key(t) for t in tags}
    children: dict = {}
    for tag in tags:
        parent = tag.get("parent_id")
        children.setdefault(parent if parent in ids else None, []).append(tag)
    out: list[tuple[int, dict]] = []
    seen: set = set()

    def walk(parent, depth):
        for tag in children.get(parent, []):
            if key(tag) not in seen:
                seen.add(key(tag))
                out.append((depth, tag))
                walk(key(tag), depth + 1)
    walk(None, 0)
    return out


class _FiltersArea(QScrollArea):
    """The filters: whole where there is room (a scroll area's own size
    hint fell 2 px short, and showed a scroll bar), scrolled where not."""

    def sizeHint(self) -> QSize:
        hint = super().sizeHint()
        if self.widget() is not None:
            hint.setHeight(self.widget().sizeHint().height() + 2 * self.frameWidth())
        return hint

    def eventFilter(self, watched, event) -> bool:
        # the filters' own layout changed (shown, polished): a new size hint
        if watched is self.widget() and event.type() == QEvent.Type.LayoutRequest:
            self.updateGeometry()
        return super().eventFilter(watched, event)


class ArticleFilters(QWidget):
    """Search, filter and sort controls for the article list."""

    queryChanged = Signal(dict)

    def __init__(self, parent=None):
        super().__init__(parent)
        self._shown_tags: list[tuple] | None = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(DEBOUNCE_MS)
        self._timer.timeout.connect(self._emit)

        self.search = QLineEdit()
        self.search.setPlaceholderText('Search — words, "a phrase", prefix*')
        self.search.setClearButtonEnabled(True)
        self.search.setToolTip('All words must occur (title or text). "Quotes" find a '
                               'phrase, a trailing * a prefix (cyber*), OR either term, '
                               'a leading - leaves out (Sokha -Kheng).')
        self.filters_button = QToolButton()
        self.filters_button.setText("Filters")
        self.filters_button.setCheckable(True)
        self.filters_button.setToolTip("Filter by tag, entity, speaker, source, date and "
                                       "review status")
        self.scope = QComboBox()
        for label, scope, tip in SEARCH_SCOPES:
            self.scope.addItem(label, scope)
            self.scope.setItemData(self.scope.count() - 1, tip, Qt.ItemDataRole.ToolTipRole)
        self.scope.setToolTip("Where the search looks: article texts, your notes and "
                              "memos, or both")
        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.addWidget(self.search, 1)
        top.addWidget(self.scope)
        top.addWidget(self.filters_button)

        self.tag = QComboBox()
        self.tag.addItem("Any tag", None)
        self.tag_children = QCheckBox("and the tags under it")
        self.tag_children.setChecked(True)
        self.tag_children.setToolTip("A tag stands for itself and every tag under it in "
                                     "the codebook; untick for the tag alone")
        self.entity = QLineEdit()
        self.entity.setPlaceholderText("e.g. Interpol")
        self.speaker = QLineEdit()
        self.speaker.setPlaceholderText("e.g. Sar Sokha")
        self.source = QLineEdit()
        self.source.setPlaceholderText("e.g. Khmer Times")
        # the left pane can be narrow: a field holds its format, the dash
        # between them says from and to (placeholders saying so were cut)
        self.since = QLineEdit()
        self.since.setPlaceholderText("YYYY-MM-DD")
        self.since.setToolTip("Published on or after this day (YYYY-MM-DD)")
        self.until = QLineEdit()
        self.until.setPlaceholderText("YYYY-MM-DD")
        self.until.setToolTip("Published on or before this day (YYYY-MM-DD)")
        self.analyst = ""
        self.assigned = QCheckBox("Assigned to me")
        self.assigned.setToolTip("Only the articles assigned to you (dossier assign)")
        self.review = QComboBox()
        for label, value in REVIEW_CHOICES:
            self.review.addItem(label, value)
        self.undated = QCheckBox("Undated")
        self.undated.setToolTip("Only articles without a published date (set one with "
                                "Edit details…, F2)")
        dates = QHBoxLayout()
        dates.addWidget(self.since, 1)
        dates.addWidget(QLabel("–"))
        dates.addWidget(self.until, 1)
        self.clear_button = QToolButton()
        self.clear_button.setText("Clear filters")
        self.clear_button.clicked.connect(self.clear)
        self.panel = QWidget()
        form = QFormLayout(self.panel)
        form.setContentsMargins(0, 0, 0, 0)
        for box in (self.tag_children, self.undated, self.assigned):
            # as wide as its words, not the row (a click past them did nothing)
            box.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Fixed)
        form.addRow("Tag", self.tag)
        form.addRow("", self.tag_children)
        form.addRow("Entity", self.entity)
        form.addRow("Speaker", self.speaker)
        form.addRow("Source", self.source)
        form.addRow("Published", dates)
        form.addRow("", self.undated)
        form.addRow("Review", self.review)
        form.addRow("", self.assigned)
        form.addRow("", self.clear_button)
        # in a scroll area that may shrink: on a short screen (1366×768 with
        # the workspace docked) the open filters left the list 72 px, about
        # one row; now they scroll, and the list keeps a few rows
        self.panel_area = _FiltersArea()
        self.panel_area.setWidget(self.panel)
        self.panel.installEventFilter(self.panel_area)
        self.panel_area.setWidgetResizable(True)
        self.panel_area.setFrameShape(QFrame.Shape.NoFrame)
        self.panel_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.panel_area.setSizePolicy(QSizePolicy.Policy.Preferred,
                                      QSizePolicy.Policy.Maximum)
        self.panel_area.hide()
        self.filters_button.toggled.connect(self.panel_area.setVisible)

        self.sort = QComboBox()
        for label, name in SORTS:
            self.sort.addItem(label, name)
        self.sort.setToolTip("Order of the list")
        self.reverse = QToolButton()
        self.reverse.setCheckable(True)
        self.reverse.setToolTip("Reverse the order")
        self.count_label = QLabel()
        self.count_label.setTextFormat(Qt.TextFormat.PlainText)
        #: "3 undated left out": a date range never drops articles silently
        self.undated_label = QLabel()
        self.undated_label.setTextFormat(Qt.TextFormat.PlainText)
        self.undated_label.setWordWrap(True)     # the left pane can be narrow
        self.undated_label.setToolTip("Articles without a published date are outside "
                                      "any date range; tick Undated to list them")
        self.undated_label.hide()
        bottom = QHBoxLayout()
        bottom.setContentsMargins(0, 0, 0, 0)
        bottom.addWidget(self.count_label, 1)
        bottom.addWidget(QLabel("Sort"))
        bottom.addWidget(self.sort)
        bottom.addWidget(self.reverse)

        self.error_label = ProblemLabel()
        self.error_label.hide()

        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addLayout(top)
        layout.addWidget(self.panel_area)
        layout.addLayout(bottom)
        # on a line of its own: beside the count and the sort, both were cut
        layout.addWidget(self.undated_label)
        layout.addWidget(self.error_label)

        for box in (self.search, self.entity, self.speaker, self.source, self.since,
                    self.until):
            box.textEdited.connect(lambda _text: self._timer.start())
            box.returnPressed.connect(self._emit)
            box.installEventFilter(self)      # Esc empties it
        # the clear button empties the box without textEdited
        self.search.textChanged.connect(lambda text: None if text else self._timer.start())
        self.tag.currentIndexChanged.connect(lambda _i: self._emit())
        self.review.currentIndexChanged.connect(lambda _i: self._emit())
        self.tag_children.toggled.connect(
            lambda _on: self._emit() if self.tag.currentData() is not None else None)
        self.undated.toggled.connect(self._undated_toggled)
        self.assigned.toggled.connect(lambda _on: self._emit())
        self.scope.currentIndexChanged.connect(
            lambda _i: self._emit() if self.search.text().strip() else None)
        self.sort.currentIndexChanged.connect(lambda _i: self._emit())
        self.reverse.toggled.connect(lambda _on: self._emit())
        self._update_arrow()

    # -- data in -------------------------------------------------------
    def set_tags(self, tags: list[dict]) -> None:
        """The codebook, for the tag filter (keeps the chosen tag if it still exists)."""
        shown = [(t["id"], t["name"], t["color"], t.get("parent_id")) for t in tags]
        if shown == self._shown_tags:
            return
        self._shown_tags = shown
        chosen = self.tag.currentData()
        self.tag.blockSignals(True)
        index = fill_tag_combo(self.tag, tags, chosen)
        self.tag.blockSignals(False)
        if chosen is not None and index < 0:
            self._emit()

    def set_completions(self, names: dict[str, list[str]]) -> None:
        """Names the entity, speaker and source fields offer while typing
        (``{"entity": […], "speaker": […], "source": […]}``): any part of a
        name, any case; picking one applies the filter."""
        for field, box in (("entity", self.entity), ("speaker", self.speaker),
                           ("source", self.source)):
            if field in names:
                box.setCompleter(name_completer(names[field], box, self._emit))

    def set_hit_count(self, shown: int, filtered: bool, exact: bool = True) -> None:
        """"N articles (match)"; with ``exact`` False, "N+ …" while counting."""
        show_hit_count(self.count_label, shown, "article", filtered, exact)

    def set_undated_left_out(self, count: int) -> None:
        """Say how many undated articles the date range leaves out (0: nothing)."""
        self.undated_label.setText(
            f"{count:,} undated left out (tick Undated to list them)" if count else "")
        self.undated_label.setVisible(bool(count))

    def _undated_toggled(self, on: bool) -> None:
        for box in (self.since, self.until):
            box.setEnabled(not on)
        self._emit()

    def show_error(self, message: str) -> None:
        self.error_label.setText(message)
        self.error_label.setVisible(bool(message))

    def set_search(self, text: str) -> None:
        """Type ``text`` into the search box and search at once."""
        self.search.setText(text)
        self._emit()

    def set_entity(self, name: str) -> None:
        """Filter by the entity ``name`` at once (the filters shown)."""
        self.entity.setText(name)
        self.filters_button.setChecked(True)
        self._emit()

    def set_filters(self, values: dict) -> None:
        """Set some filters at once (keys of :meth:`values`: ``tag_id``,
        ``tag_children``, ``entity``, ``speaker``, ``source``, ``since``,
        ``until``), keep the others, show the filters and ask once."""
        boxes = {"entity": self.entity, "speaker": self.speaker, "source": self.source,
                 "since": self.since, "until": self.until}
        for field, value in values.items():
            if field == "tag_id":
                self.tag.blockSignals(True)
                self.tag.setCurrentIndex(max(0, self.tag.findData(value)))
                self.tag.blockSignals(False)
            elif field == "tag_children":
                self.tag_children.blockSignals(True)     # asked once, below
                self.tag_children.setChecked(bool(value))
                self.tag_children.blockSignals(False)
            elif field in boxes:
                boxes[field].setText(value or "")
            else:
                raise ValueError(f"no filter called {field!r}")
        self.filters_button.setChecked(True)
        self._emit()

    def clear(self) -> None:
        """Empty every filter (not the search box) and ask again."""
        for box in (self.entity, self.speaker, self.source, self.since, self.until):
            box.clear()
        for combo in (self.tag, self.review):
            combo.blockSignals(True)
            combo.setCurrentIndex(0)
            combo.blockSignals(False)
        self.undated.blockSignals(True)
        self.undated.setChecked(False)
        self.undated.blockSignals(False)
        for box in (self.since, self.until):
            box.setEnabled(True)
        self.assigned.blockSignals(True)
        self.assigned.setChecked(False)
        self.assigned.blockSignals(False)
        self._emit()

    def set_analyst(self, name: str) -> None:
        """Whose assignments "Assigned to me" shows."""
        changed = name != self.analyst
        self.analyst = name
        if changed and self.assigned.isChecked():
            self._emit()

    # -- data out ------------------------------------------------------
    def values(self) -> dict:
        """The query, as the keyword arguments of ``ArticleQuery``."""
        sort = self.sort.currentData()
        natural = sort in NATURAL_DESCENDING
        return {"search": self.search.text().strip(), "tag_id": self.tag.currentData(),
                "tag_children": self.tag_children.isChecked(),
                "entity": self.entity.text().strip(), "speaker": self.speaker.text().strip(),
                "source": self.source.text().strip(),
                "since": "" if self.undated.isChecked() else self.since.text().strip(),
                "until": "" if self.undated.isChecked() else self.until.text().strip(),
                "undated": self.undated.isChecked(), "review": self.review.currentData(),
                "assigned_to": self.analyst if self.assigned.isChecked() else "",
                "search_in": self.scope.currentData(), "sort": sort,
                "descending": natural != self.reverse.isChecked()}

    def _update_arrow(self) -> None:
        descending = self.values()["descending"]
        self.reverse.setText("↓" if descending else "↑")
        self.reverse.setToolTip("Descending — click for ascending" if descending
                                else "Ascending — click for descending")

    def eventFilter(self, watched, event) -> bool:
        """Esc in a field that holds text empties it and lists again at
        once (an open completion list takes its Esc first)."""
        kind = event.type()
        if (kind in (QEvent.Type.ShortcutOverride, QEvent.Type.KeyPress)
                and event.key() == Qt.Key.Key_Escape and not event.modifiers()
                and isinstance(watched, QLineEdit) and watched.text()
                and not (watched.completer() and watched.completer().popup().isVisible())):
            event.accept()      # claimed from the window's shortcuts
            if kind == QEvent.Type.KeyPress:
                watched.clear()
                self._timer.stop()
                self._emit()
            return True
        return super().eventFilter(watched, event)

    def _emit(self) -> None:
        self._timer.stop()
        self._update_arrow()
        self.queryChanged.emit(self.values())
