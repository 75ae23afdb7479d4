"""The window's side of the analysis service: start, pause, resume and
cancel, analysing articles again, the status-bar progress, the pipeline's
banner, and each analysed article published as a change (the reader
re-reads the article it shows).
"""

from __future__ import annotations

from desktop.gui.controller import Controller
from desktop.gui.workers import AnalysisProcess
from storage.changes import ANALYSIS, ARTICLES, TEXT, Changes
from widgets.plain_text import plain_warning
from widgets.wording import counted


class AnalysisController(Controller):
    """Analysis controls and what the service's events change on screen."""

    WIDGETS = ("pipeline_label", "progress_bar", "pause_button", "cancel_button",
               "degraded_banner", "article_list")

    def __init__(self, window, state, ops, *, pipeline: str | None = None):
        super().__init__(window, state, ops)
        self._analysis_paused = False
        #: the articles asked to be analysed again and not analysed since, in
        #: the order asked: a pause's cancel drops them from the service's run,
        #: Resume asks for them again (they are not pending: their text is)
        self._again: list[int] = []
        self.pipeline = pipeline
        self.process: AnalysisProcess | None = None
        for widget in self._analysis_widgets():
            widget.hide()

    def connect_signals(self) -> None:
        self.cancel_button.clicked.connect(self.cancel_analysis)
        self.pause_button.toggled.connect(self.pause_analysis)
        self.article_list.analyseAgainRequested.connect(self.analyse_again)

    def start_process(self) -> AnalysisProcess:
        """A (new) analysis process on the window's database file."""
        self.process = AnalysisProcess(self.db_path, self.pipeline or self.preferences.pipeline,
                                       self.window)
        worker = self.process.worker
        worker.pipelineLoaded.connect(self._pipeline_loaded)
        worker.progress.connect(self._analysis_progress)
        worker.articlesAnalysed.connect(self._articles_analysed)
        worker.finished.connect(self._analysis_finished)
        worker.failed.connect(self._analysis_failed)
        return self.process

    def _analysis_widgets(self) -> tuple:
        return self.progress_bar, self.pause_button, self.cancel_button

    def on_changes(self, changes: Changes) -> None:
        """New or changed text of this window's making is analysed (another
        program's is analysed by that program)."""
        if changes.touches(TEXT, ARTICLES) and not changes.foreign:
            self.start_analysis()

    def start_analysis(self) -> None:
        """Analyse whatever is pending, unless the analyst paused analysis."""
        if not self._analysis_paused:
            self.process.request()

    def analyse_again(self, article_ids: list[int] | None = None) -> None:
        """Analyse these articles (default: the one shown) again although
        analysed already — after a pipeline upgrade, or to see the latest
        attribution rules on them; the new result replaces the old, and the
        analysts' speaker and entity corrections apply to it as they did.
        An analyst asking for it resumes a paused analysis."""
        ids = list(article_ids or ([self.current_id] if self.current_id is not None else []))
        if not ids:
            self.statusBar().showMessage("Open an article first, then analyse it again.", 4000)
            return
        if self._analysis_paused:
            self.pause_analysis(False)
        self._again += [i for i in ids if i not in self._again]
        self.process.request(again=ids)
        self.statusBar().showMessage(f"Analysing {counted(len(ids), 'article')} again…", 5000)

    def pause_analysis(self, paused: bool) -> None:
        """Pause after the current batch (results so far are stored), or
        resume: what is pending, and what a pause stopped of an "Analyse
        again" (the service's run of it was cancelled)."""
        self._analysis_paused = paused
        self.pause_button.setChecked(paused)
        self.pause_button.setText("Resume" if paused else "Pause")
        self.progress_bar.setFormat(("Paused %v/%m" if paused else "Analysing %v/%m"))
        if paused:
            self.process.worker.cancel()
        else:
            self.start_analysis()
            if self._again:     # what the pause stopped of an "Analyse again"
                self.process.request(again=list(self._again))

    def cancel_analysis(self) -> None:
        """Stop analysing; what is left is analysed at the next start or import."""
        self.pause_button.blockSignals(True)
        self._analysis_paused = False
        self.pause_button.setChecked(False)
        self.pause_button.setText("Pause")
        self.pause_button.blockSignals(False)
        self.progress_bar.setFormat("Analysing %v/%m")
        self._again.clear()     # a cancel drops an "Analyse again" (pending text stays)
        self.process.worker.cancel()
        for widget in self._analysis_widgets():
            widget.hide()

    def _pipeline_loaded(self, name: str, version: str, degraded: bool, warnings: list) -> None:
        self.pipeline_label.setText(f"Pipeline: {name} {version}"
                                    + (" — entities degraded" if degraded else ""))
        if warnings:
            self.degraded_banner.setText("\n".join(warnings))
            self.degraded_banner.show()

    def _analysis_progress(self, done: int, total: int) -> None:
        busy = done < total
        for widget in self._analysis_widgets():
            widget.setVisible(busy)
        self.progress_bar.setRange(0, max(total, 1))
        self.progress_bar.setValue(done)

    def _articles_analysed(self, article_ids: list[int]) -> None:
        if self._again:
            done = set(article_ids)
            self._again = [i for i in self._again if i not in done]
        self.ops.publish(Changes.of(ANALYSIS, article_ids=article_ids))

    def _analysis_finished(self, done: int) -> None:
        if not self._analysis_paused:   # a paused run keeps its bar and Resume
            for widget in self._analysis_widgets():
                widget.hide()
        if done:   # the speakers, and the shown article's recycled-quote links, are new
            self.ops.publish(Changes.of(ANALYSIS))
            # never over a message still showing (what an edit or an import
            # did): the analysis's end is the bar going away
            if not self.statusBar().currentMessage():
                self.statusBar().showMessage(f"Analysed {counted(done, 'article')}.", 5000)

    def _analysis_failed(self, message: str) -> None:
        # the failed run is over, as a cancel ends one: a later Resume does
        # not bring back an "Analyse again" that may be what failed
        self._again.clear()
        for widget in self._analysis_widgets():
            widget.hide()
        self.pipeline_label.setText("Analysis failed")
        plain_warning(self.window, "Analysis failed",
                      f"Entities and quotes could not be computed:\n{message}")
