"""The main window's side of the analysis service: start, pause, resume and
cancel, and what its events change on screen (progress bar, banner, the
article's highlights once it is analysed).

A mixin of :class:`desktop.gui.main_window.MainWindow`: its methods use the
window's widgets, connection and helpers.
"""

from __future__ import annotations

from widgets.plain_text import plain_warning

from storage import analyses, articles


class AnalysisActions:
    """Analysis controls and what the service's events change on screen."""

    def start_analysis(self) -> None:
        """Analyse whatever is pending, unless the analyst paused analysis."""
        if not self._analysis_paused:
            self.analysis.request()

    def pause_analysis(self, paused: bool) -> None:
        """Pause after the current batch (results so far are stored), or resume."""
        self._analysis_paused = paused
        self.pause_button.setChecked(paused)
        self.pause_button.setText("Resume" if paused else "Pause")
        self.progress_bar.setFormat(("Paused %v/%m" if paused else "Analysing %v/%m"))
        if paused:
            self.analysis.worker.cancel()
        else:
            self.start_analysis()

    def cancel_analysis(self) -> None:
        """Stop analysing; what is left is analysed at the next start or import."""
        self.pause_button.blockSignals(True)
        self._analysis_paused = False
        self.pause_button.setChecked(False)
        self.pause_button.setText("Pause")
        self.pause_button.blockSignals(False)
        self.progress_bar.setFormat("Analysing %v/%m")
        self.analysis.worker.cancel()
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

    def _article_analysed(self, article_id: int) -> None:
        if article_id != self.current_id:
            return
        analysis = analyses.latest_analysis(self.db, article_id)
        if analysis:
            found = self._with_links(article_id, analysis["quotes"])
            entities = self._corrected(analysis)
            self.view.set_analysis(entities, found)
            self._show_analysis_panels(entities, found)
            self._update_meta(articles.get_article(self.db, article_id), analysis)

    def _analysis_finished(self, done: int) -> None:
        if not self._analysis_paused:   # a paused run keeps its bar and Resume
            for widget in self._analysis_widgets():
                widget.hide()
        self.refresh_speakers()
        if done and self.current_id is not None:
            self._article_analysed(self.current_id)   # recycled-quote links are new
        if done:
            self.statusBar().showMessage(f"Analysed {done} article(s).", 5000)

    def _analysis_failed(self, message: str) -> None:
        for widget in self._analysis_widgets():
            widget.hide()
        self.pipeline_label.setText("Analysis failed")
        plain_warning(self, "Analysis failed",
                      f"Entities and quotes could not be computed:\n{message}")
