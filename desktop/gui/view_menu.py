"""The View menu: show or hide the article list and the side panels, text
zoom (Ctrl++ or Ctrl+=, Ctrl+−, Ctrl+0; Ctrl+wheel on the reader) and the
theme (System / Light / Dark)."""

from __future__ import annotations

from PySide6.QtCore import QObject
from PySide6.QtGui import QFont, QKeySequence
from PySide6.QtWidgets import QSplitter, QToolButton

from desktop.gui.session import FIRST_SIZES, ZOOM

#: (panel, menu text, key)
PANELS = (("articles", "&Article list", "F9"),
          ("side", "&Codebook and side panels", "Shift+F9"))


class ViewMenu(QObject):
    """Builds the View menu of a main window and carries out its choices."""

    def __init__(self, window, menu, themes):
        super().__init__(window)
        self.window, self.menu, self.themes = window, menu, themes
        #: what the panel toggles show or hide
        self.panels = {"articles": window.left_tabs, "side": window.side_splitter}
        self.panel_actions = {}
        for name, text, key in PANELS:
            action = menu.addAction(text)
            action.setCheckable(True)
            action.setChecked(True)
            action.setShortcut(QKeySequence(key))
            action.toggled.connect(lambda shown, n=name: self.show_panel(n, shown))
            self.panel_actions[name] = action
        menu.addSeparator()
        view = window.view
        self.zoom_in_action = self._zoom_action("Zoom &in", lambda: view.zoom_step(1),
                                                ("Ctrl++", "Ctrl+="))
        self.zoom_out_action = self._zoom_action("Zoom &out", lambda: view.zoom_step(-1),
                                                 ("Ctrl+-",))
        self.zoom_reset_action = self._zoom_action("&Actual size", lambda: view.set_zoom(100),
                                                   ("Ctrl+0",))
        menu.addSeparator()
        themes.add_menu(menu.addMenu("&Theme"))
        #: panels whose text follows the reader's zoom, with their own size
        self._followers = {widget: QFont(widget.font()).pointSizeF()
                           for widget in (window.passage_list, window.quote_panel)}
        view.zoomChanged.connect(self.zoomed)
        #: the zoom, in the status bar while it is not 100 % (click: back to 100 %)
        self.zoom_button = QToolButton()
        self.zoom_button.setAutoRaise(True)
        self.zoom_button.setToolTip("Text zoom — click for actual size (Ctrl+0)")
        self.zoom_button.clicked.connect(lambda: view.set_zoom(100))
        window.statusBar().addPermanentWidget(self.zoom_button)
        self._show_zoom(view.zoom())

    def _zoom_action(self, text: str, slot, keys: tuple[str, ...]):
        action = self.menu.addAction(text)
        action.triggered.connect(slot)
        action.setShortcuts([QKeySequence(key) for key in keys])
        return action

    def _follow(self, widget) -> None:
        size = self._followers[widget] * self.window.view.zoom() / 100
        if widget.font().pointSizeF() != size:
            font = QFont(widget.font())
            font.setPointSizeF(size)
            widget.setFont(font)

    def show_panel(self, name: str, shown: bool) -> None:
        """Show or hide the article list ("articles") or the codebook with
        the side tabs ("side"). A panel shown with no width (it was hidden
        when the session was saved) gets its first-start width back."""
        panel = self.panels[name]
        panel.setVisible(shown)
        if shown:
            self._give_room(panel)
        action = self.panel_actions[name]
        if action.isChecked() != shown:
            action.blockSignals(True)
            action.setChecked(shown)
            action.blockSignals(False)

    def _give_room(self, panel) -> None:
        splitter = panel.parentWidget()
        if not isinstance(splitter, QSplitter) or splitter.objectName() not in FIRST_SIZES:
            return
        index, sizes = splitter.indexOf(panel), splitter.sizes()
        if sizes[index] > 0:
            return
        wanted = FIRST_SIZES[splitter.objectName()][index] or 300
        donor = max((i for i in range(len(sizes)) if i != index), key=lambda i: sizes[i])
        given = min(wanted, sizes[donor] // 2)
        sizes[index], sizes[donor] = given, sizes[donor] - given
        splitter.setSizes(sizes)

    def zoomed(self, percent: int) -> None:
        """The reader's zoom changed: the passage and quote panels follow,
        and the zoom is kept for the next start."""
        for widget in self._followers:
            self._follow(widget)
        self.window.preferences.settings.setValue(ZOOM, percent)
        self._show_zoom(percent)

    def _show_zoom(self, percent: int) -> None:
        self.zoom_button.setText(f"Zoom {percent} %")
        self.zoom_button.setVisible(percent != 100)
