"""The Auto-tag dialog: tag, what to look for, where, and a preview.

Plain data in (tags as dicts, the current article's id and title, the
analyst who tags: their passages, not a colleague's, count as tagged
already), an :class:`~desktop.autotag.AutoTagRequest` out through ``previewRequested``;
the main window searches (in a worker for the whole corpus) and hands the
candidates back with :meth:`AutoTagDialog.show_candidates`. Each listed
match can be unticked (a false positive is left out); double-clicking one
emits ``showRequested`` to see it in its article. "Tag N passages" emits
``tagRequested(request, candidates)`` — the window makes it one undoable
step — and closes the dialog. While a search runs, **Stop** (or Escape)
emits ``stopRequested`` and the dialog stays open. Each match can stand for
its whole sentence or paragraph ("Tag what"); the tag, mode, scope and
extent chosen are remembered for the next time (by the window); Esc in the
query field empties it rather than closing the dialog. No SQL here.
"""

from __future__ import annotations

import re

from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDialog, QFormLayout, QHBoxLayout,
                               QLabel, QLineEdit, QListWidget, QListWidgetItem, QPushButton,
                               QRadioButton, QVBoxLayout)

from desktop.autotag import (ENTITY, MATCH, PARAGRAPH, PHRASE, REGEX, SENTENCE, SPEAKER,
                             AutoTagRequest)
from widgets.article_filters import name_completer

#: How many candidates the preview lists (the count covers them all).
PREVIEW_ROWS = 200
#: Typing pauses this long before the preview is recomputed.
PREVIEW_DELAY_MS = 350

_MODES = ((PHRASE, "Phrase"), (REGEX, "Regular expression"),
          (SPEAKER, "Quotes of a speaker"), (ENTITY, "Mentions of an entity"))
_EXTENTS = ((MATCH, "the match itself"), (SENTENCE, "its whole sentence"),
            (PARAGRAPH, "its whole paragraph"))
_PLACEHOLDERS = {PHRASE: "e.g. transnational crime", REGEX: r"e.g. cyber\w+",
                 SPEAKER: "e.g. Sar Sokha", ENTITY: "e.g. Phnom Penh"}


def preview_line(candidate: dict) -> str:
    """``Title · …before[text]after…`` on one line."""
    def flat(text: str) -> str:
        return re.sub(r"\s+", " ", text)
    before, after = flat(candidate.get("before", "")), flat(candidate.get("after", ""))
    return (f"{candidate['article_title']} · …{before.lstrip()}[{flat(candidate['text'])}]"
            f"{after.rstrip()}…")


class AutoTagDialog(QDialog):
    previewRequested = Signal(object)       # AutoTagRequest
    tagRequested = Signal(object, list)     # AutoTagRequest, candidates
    showRequested = Signal(int, int, int)   # article id, start, end: a match in its text
    stopRequested = Signal()                # drop the search that is running

    def __init__(self, tags: list[dict], current_article: dict | None = None, parent=None,
                 *, analyst: str | None = None):
        super().__init__(parent)
        self._analyst = analyst
        self.setWindowTitle("Auto-tag")
        self.resize(760, 520)
        self._request: AutoTagRequest | None = None
        self._candidates: list[dict] = []
        self._searching = False
        self._names: dict[str, list[str]] = {}       # mode -> names to complete

        self.tag_box = QComboBox()
        for tag in tags:
            self.tag_box.addItem(tag["name"], tag["id"])
        self.mode_box = QComboBox()
        for mode, label in _MODES:
            self.mode_box.addItem(label, mode)
        self.query_edit = QLineEdit()
        self.query_edit.setClearButtonEnabled(True)
        self.ignore_case = QCheckBox("Ignore case")
        self.ignore_case.setChecked(True)
        query_row = QHBoxLayout()
        query_row.addWidget(self.query_edit, 1)
        query_row.addWidget(self.ignore_case)
        self.corpus_button = QRadioButton("Every article")
        self.article_button = QRadioButton(
            f"This article: {current_article['title']}" if current_article else "This article")
        self._article_id = current_article["id"] if current_article else None
        self.article_button.setEnabled(current_article is not None)
        (self.article_button if current_article else self.corpus_button).setChecked(True)
        scope_row = QHBoxLayout()
        scope_row.addWidget(self.corpus_button)
        scope_row.addWidget(self.article_button, 1)
        self.extent_box = QComboBox()
        for extent, label in _EXTENTS:
            self.extent_box.addItem(label, extent)
        self.extent_box.setToolTip("Tag each match, or the whole sentence or paragraph it "
                                   "is in (several matches there make one passage)")

        form = QFormLayout()
        form.addRow("&Tag:", self.tag_box)
        form.addRow("&Find:", self.mode_box)
        query_label = QLabel("&Query:")       # a row of widgets has no buddy of its own
        query_label.setBuddy(self.query_edit)
        form.addRow(query_label, query_row)
        form.addRow("In:", scope_row)
        extent_label = QLabel("Tag &what:")
        extent_label.setBuddy(self.extent_box)
        form.addRow(extent_label, self.extent_box)

        self.count_label = QLabel("Type what to look for.")
        self.count_label.setTextFormat(Qt.TextFormat.PlainText)
        self.count_label.setWordWrap(True)
        self.preview = QListWidget()
        self.preview.setWordWrap(True)
        self.preview.setAlternatingRowColors(True)
        self.preview.setToolTip("Untick a match to leave it out (Space); double-click "
                                "it to see it in its article")
        self.preview.itemChanged.connect(lambda _item: self._show_count())
        self.preview.itemActivated.connect(self._show_match)     # double-click, Enter

        # Not a QDialogButtonBox: it would make "Tag" the default button, and
        # Enter in the query field (which asks for a preview) would then tag
        # before the analyst has seen what.
        self.tag_button = QPushButton("Tag 0 passages")
        self.tag_button.setEnabled(False)
        self.cancel_button = QPushButton("Cancel")
        self.stop_button = QPushButton("&Stop search")
        self.stop_button.setToolTip("Stop the search that is running (Esc)")
        self.stop_button.hide()
        self.stop_button.clicked.connect(self.stop_search)
        for button in (self.tag_button, self.cancel_button, self.stop_button):
            button.setAutoDefault(False)
            button.setDefault(False)
        self.buttons = QHBoxLayout()
        self.buttons.addWidget(self.stop_button)
        self.buttons.addStretch(1)
        self.buttons.addWidget(self.cancel_button)
        self.buttons.addWidget(self.tag_button)
        self.cancel_button.clicked.connect(lambda: QDialog.reject(self))   # closes, always
        self.tag_button.clicked.connect(self._tag)

        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.count_label)
        layout.addWidget(self.preview, 1)
        layout.addLayout(self.buttons)

        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(PREVIEW_DELAY_MS)
        self.timer.timeout.connect(self.request_preview)
        self.query_edit.textChanged.connect(self._changed)
        self.query_edit.returnPressed.connect(self.request_preview)
        #: the choices remembered between uses (held by the window)
        self._memory: dict = (parent.__dict__.setdefault("autotag_memory", {})
                              if parent is not None else {})
        self._recall(current_article is not None)
        self.query_edit.installEventFilter(self)
        for box in (self.tag_box, self.mode_box, self.extent_box):
            box.currentIndexChanged.connect(self._changed)
        for button in (self.ignore_case, self.corpus_button, self.article_button):
            button.toggled.connect(self._changed)
        self.mode_box.currentIndexChanged.connect(self._mode_changed)
        self._mode_changed()
        self.query_edit.setFocus()

    # -- what the analyst asks for ---------------------------------------
    def request(self) -> AutoTagRequest:
        return AutoTagRequest(
            tag_id=self.tag_box.currentData(), mode=self.mode_box.currentData(),
            query=self.query_edit.text(),
            article_id=self._article_id if self.article_button.isChecked() else None,
            ignore_case=self.ignore_case.isChecked(), extent=self.extent_box.currentData(),
            analyst=self._analyst)

    # -- remembered from one use to the next ---------------------------------
    def _recall(self, has_article: bool) -> None:
        """The tag, mode, scope and extent chosen the last time (kept by the
        window, so each study's window remembers its own)."""
        memory = self._memory
        for box, key in ((self.tag_box, "tag"), (self.mode_box, "mode"),
                         (self.extent_box, "extent")):
            index = box.findData(memory.get(key))
            if index >= 0:
                box.setCurrentIndex(index)
        if memory.get("scope") == "corpus" or not has_article:
            self.corpus_button.setChecked(True)
        elif memory.get("scope") == "article":
            self.article_button.setChecked(True)

    def remember(self) -> None:
        self._memory.update(
            tag=self.tag_box.currentData(), mode=self.mode_box.currentData(),
            extent=self.extent_box.currentData(),
            scope="article" if self.article_button.isChecked() else "corpus")

    def done(self, result: int) -> None:
        self.remember()
        super().done(result)

    def eventFilter(self, watched, event) -> bool:
        """Esc in the query field empties it (or closes its list of names)
        instead of closing the dialog and losing the preview."""
        if (watched is self.query_edit and event.type() == QEvent.Type.KeyPress
                and event.key() == Qt.Key.Key_Escape):
            completer = self.query_edit.completer()
            if completer is not None and completer.popup().isVisible():
                return False
            self.query_edit.clear()
            return True
        return super().eventFilter(watched, event)

    def set_completions(self, names: dict[str, list[str]]) -> None:
        """Speaker and entity names the query field offers in those modes."""
        self._names = {SPEAKER: names.get("speaker", []), ENTITY: names.get("entity", [])}
        self._mode_changed()

    def _mode_changed(self) -> None:
        mode = self.mode_box.currentData()
        self.query_edit.setPlaceholderText(_PLACEHOLDERS[mode])
        self.ignore_case.setEnabled(mode in (PHRASE, REGEX))
        names = self._names.get(mode)
        self.query_edit.setCompleter(
            name_completer(names, self.query_edit, self.request_preview) if names else None)

    def _changed(self) -> None:
        """Inputs changed: the shown preview (or the running search) no longer applies."""
        if self._searching:
            self.stopRequested.emit()
            self._searching = False
            self.stop_button.hide()
        self._request, self._candidates = None, []
        self.tag_button.setEnabled(False)
        self.timer.start()

    def request_preview(self) -> None:
        self.timer.stop()
        request = self.request()
        if not request.query.strip():
            self.show_error("Type what to look for.")
            return
        if request.tag_id is None:
            self.show_error("The codebook has no tags; create one first.")
            return
        self._request = request
        self.count_label.setText("Searching…")
        self.preview.clear()
        self._searching = True
        self.stop_button.show()
        self.previewRequested.emit(request)

    def searching(self) -> bool:
        """Whether a search is running (asked for, not yet answered)."""
        return self._searching

    def stop_search(self) -> None:
        """Drop the running search: the dialog stays open, nothing is listed."""
        if not self.searching():
            return
        self.stopRequested.emit()
        self.show_error("Search stopped.")

    def reject(self) -> None:
        """Escape stops a running search first; a second Escape closes."""
        if self.searching():
            self.stop_search()
            return
        super().reject()

    # -- what the window hands back --------------------------------------
    def show_candidates(self, request: AutoTagRequest, candidates: list[dict],
                        already: int = 0) -> None:
        """The spans to tag; ``already``: how many matches have the tag."""
        if request != self._request:      # an answer to an earlier question
            return
        self._searching = False
        self.stop_button.hide()
        self._candidates = list(candidates)
        articles = len({c["article_id"] for c in candidates})
        count = len(candidates)
        matches = f"{already} match{'es' if already != 1 else ''}"
        text = (f"{count} passage{'s' if count != 1 else ''} to tag in {articles} "
                f"article{'s' if articles != 1 else ''}" if count else
                f"Nothing to tag: every match ({matches}) has this tag already" if already
                else "Nothing to tag: no match")
        if count and already:
            text += f" ({matches} more {'have' if already != 1 else 'has'} this tag already)"
        if count > PREVIEW_ROWS:
            text += f"; the first {PREVIEW_ROWS} are listed"
        self.count_label.setText(text + ".")
        self.preview.blockSignals(True)
        self.preview.clear()
        for candidate in candidates[:PREVIEW_ROWS]:
            item = QListWidgetItem(preview_line(candidate))
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked)
            self.preview.addItem(item)
        self.preview.blockSignals(False)
        self._show_count()

    def chosen(self) -> list[dict]:
        """The candidates to tag: all but those unticked in the preview."""
        left_out = {row for row in range(self.preview.count())
                    if self.preview.item(row).checkState() != Qt.CheckState.Checked}
        return [c for row, c in enumerate(self._candidates) if row not in left_out]

    def _show_count(self) -> None:
        count = len(self.chosen())
        self.tag_button.setText(f"Tag {count} passage{'s' if count != 1 else ''}")
        self.tag_button.setEnabled(count > 0)

    def _show_match(self, item) -> None:
        candidate = self._candidates[self.preview.row(item)]
        self.showRequested.emit(candidate["article_id"], candidate["start"], candidate["end"])

    def show_progress(self, done: int, total: int) -> None:
        self.count_label.setText(f"Searching… {done} of {total} articles")

    def show_error(self, message: str, request: AutoTagRequest | None = None) -> None:
        if request is not None and request != self._request:
            return
        self._request, self._candidates = None, []
        self._searching = False
        self.stop_button.hide()
        self.count_label.setText(message)
        self.preview.clear()
        self.tag_button.setText("Tag 0 passages")
        self.tag_button.setEnabled(False)

    @property
    def candidates(self) -> list[dict]:
        return list(self._candidates)

    def _tag(self) -> None:
        if self._request is None or not self.chosen():
            return
        request, candidates = self._request, self.chosen()
        self._request, self._candidates = None, []   # tagged once, never twice
        self.tag_button.setEnabled(False)
        self.tagRequested.emit(request, candidates)
        self.accept()
