"""The session as the analyst left it, kept in QSettings: window geometry
and state, splitter sizes, current tabs, which panels are shown, hidden
highlight kinds, text zoom — and, per database file, the last article,
where in it the reader was scrolled, the list's sort order and where the
search looks.

Everything read back is checked: a value of the wrong type, an article that
is gone or a geometry off every screen is ignored and the default kept.
"""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path

from PySide6.QtCore import QByteArray, QEvent, QObject, QPoint, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QSplitter, QTabWidget

from desktop.gui.preferences import as_int

log = logging.getLogger(__name__)

#: Settings keys shared by every database.
GEOMETRY, WINDOW_STATE = "window/geometry", "window/state"
ZOOM, HIDDEN = "view/zoom", "view/hidden_highlights"
#: The reading position is restored again this long after the window is
#: shown, in case the window manager resized it meanwhile.
SETTLE_MS = 250

#: Widths on a first start (0: what is left), set once the window has its
#: real size — set before, QSplitter scales them to the unshown window's.
FIRST_SIZES = {"main_splitter": (300, 0, 400)}
#: Room left on a first start for the window's frame (width, height): its
#: borders and title bar, unknown until the window is shown.
FRAME_ALLOWANCE = (16, 48)


def database_group(db_path: Path) -> str:
    """The settings group of one database file (by its absolute path)."""
    resolved = str(Path(db_path).resolve())
    return "databases/" + hashlib.sha1(resolved.encode("utf-8")).hexdigest()[:16]


def _ints(value) -> list[int] | None:
    """A list of non-negative ints (INI files give a one-element list back
    as a plain string), or None."""
    items = value if isinstance(value, (list, tuple)) else [value]
    numbers = [as_int(item) for item in items]
    if not numbers or any(n is None or n < 0 for n in numbers):
        return None
    return numbers


def _bool(value) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    return None


def _strings(value) -> list[str]:
    if value is None:
        return []
    items = value if isinstance(value, (list, tuple)) else [value]
    return [item for item in items if isinstance(item, str) and item]


def _bytes(value) -> QByteArray | None:
    if isinstance(value, QByteArray):
        return value
    if isinstance(value, (bytes, bytearray)):
        return QByteArray(bytes(value))
    return None


class Session(QObject):
    """Saves the window's session on :meth:`save` and puts it back on
    :meth:`restore` (the reading position once the window is shown and the
    article's text laid out)."""

    def __init__(self, window, settings, *, keep_within: int | None = None):
        super().__init__(window)
        self.window, self.settings = window, settings
        #: the last article is reopened only among the list's first rows
        self.keep_within = keep_within
        self.group = database_group(window.db_path)
        self._position: tuple[int, int, int] | None = None   # article, offset, pixels
        self._restored_value: int | None = None

    # -- what is saved -------------------------------------------------
    def _splitters(self) -> list[QSplitter]:
        return [s for s in self.window.findChildren(QSplitter) if s.objectName()]

    def _tabs(self) -> list[QTabWidget]:
        return [t for t in self.window.findChildren(QTabWidget) if t.objectName()]

    def save(self) -> None:
        """Write the session; never raises (closing must not fail on it)."""
        try:
            self._save()
            self.settings.sync()
        except Exception:
            log.exception("could not save the session")

    def _save(self) -> None:
        window, settings = self.window, self.settings
        settings.setValue(GEOMETRY, window.saveGeometry())
        settings.setValue(WINDOW_STATE, window.saveState())
        for splitter in self._splitters():
            settings.setValue(f"splitters/{splitter.objectName()}", splitter.sizes())
        for tabs in self._tabs():
            settings.setValue(f"tabs/{tabs.objectName()}", tabs.currentIndex())
        for name, widget in window.view_menu.panels.items():
            settings.setValue(f"panels/{name}", not widget.isHidden())
        settings.setValue(ZOOM, window.view.zoom())
        settings.setValue(HIDDEN, sorted(window.legend.hidden()))
        settings.setValue(f"{self.group}/path", str(window.db_path))
        filters = window.article_filters      # the list's order and where search looks
        settings.setValue(f"{self.group}/sort", filters.sort.currentData())
        settings.setValue(f"{self.group}/reverse", filters.reverse.isChecked())
        settings.setValue(f"{self.group}/search_in", filters.scope.currentData())
        if window.current_id is not None:
            offset, pixels = window.view.top_position()
            settings.setValue(f"{self.group}/article", int(window.current_id))
            settings.setValue(f"{self.group}/offset", offset)
            settings.setValue(f"{self.group}/pixels", pixels)

    # -- putting it back -----------------------------------------------
    def restore(self) -> None:
        """Put the saved session back; every part falls back on its own."""
        for part in (self._restore_geometry, self._restore_layout, self._restore_view,
                     self._restore_order, self._restore_article):
            try:
                part()
            except Exception:   # a damaged settings file must not stop the start
                log.exception("could not restore part of the session")
        if self.window.isVisible():
            self._after_show()
        else:
            self.window.installEventFilter(self)

    def _restore_geometry(self) -> None:
        geometry = _bytes(self.settings.value(GEOMETRY))
        if geometry is not None and self.window.restoreGeometry(geometry):
            self._keep_on_screen()
        else:
            self._fit_first_start()
        state = _bytes(self.settings.value(WINDOW_STATE))
        if state is not None:
            self.window.restoreState(state)

    def _fit_first_start(self) -> None:
        """No saved geometry (a first start): the window's first size, made
        no larger than the primary screen's free area (on a 1366×768 laptop
        1400×860 put the status bar — analysis progress, Pause, Cancel — off
        the screen), and centred on it."""
        screen = QGuiApplication.primaryScreen()
        if screen is None:
            return
        available = screen.availableGeometry()
        window = self.window
        # the frame (title bar, borders) is not known before the window is
        # shown: leave room for a usual one
        window.resize(min(window.width(), available.width() - FRAME_ALLOWANCE[0]),
                      min(window.height(), available.height() - FRAME_ALLOWANCE[1]))
        frame = window.frameGeometry()
        frame.moveCenter(available.center())
        window.move(frame.topLeft())

    def _keep_on_screen(self) -> None:
        """Back on the primary screen, and no larger than it, if the title bar
        is on no screen now (a monitor unplugged, a smaller screen). Qt's
        restoreGeometry does most of this; this is the safety net."""
        window = self.window
        frame = window.frameGeometry()
        if QGuiApplication.screenAt(frame.topLeft() + QPoint(40, 10)) is not None:
            return
        screen = QGuiApplication.primaryScreen()
        if screen is None:
            return
        available = screen.availableGeometry()
        window.resize(min(window.width(), available.width()),
                      min(window.height(), available.height()))
        frame = window.frameGeometry()
        frame.moveCenter(available.center())
        window.move(frame.topLeft())

    def restore_splitters(self) -> None:
        """Splitter sizes — once the window has its real size: QSplitter
        spreads any difference from the saved total over the panels in
        proportion (a smaller screen shrinks them all alike)."""
        for splitter in self._splitters():
            sizes = _ints(self.settings.value(f"splitters/{splitter.objectName()}"))
            if sizes and len(sizes) == splitter.count() and sum(sizes) > 0:
                splitter.setSizes(sizes)
            elif splitter.objectName() in FIRST_SIZES:   # a first start: the panels'
                sizes = FIRST_SIZES[splitter.objectName()]  # widths, the rest to the reader
                rest = sum(splitter.sizes()) - sum(s for s in sizes if s)
                if rest > 0:
                    splitter.setSizes([s or rest for s in sizes])

    def _restore_layout(self) -> None:
        settings = self.settings
        for tabs in self._tabs():
            index = as_int(settings.value(f"tabs/{tabs.objectName()}"))
            if index is not None and 0 <= index < tabs.count():
                tabs.setCurrentIndex(index)
        for name in self.window.view_menu.panels:
            shown = _bool(settings.value(f"panels/{name}"))
            if shown is not None:
                self.window.view_menu.show_panel(name, shown)

    def _restore_view(self) -> None:
        zoom = as_int(self.settings.value(ZOOM))
        if zoom is not None:
            self.window.view.set_zoom(zoom)
        self.window.legend.set_hidden(_strings(self.settings.value(HIDDEN)))

    def _restore_order(self) -> None:
        """This database's sort order and search scope (the list re-read once)."""
        filters, settings = self.window.article_filters, self.settings
        changed = False
        for combo, key in ((filters.sort, "sort"), (filters.scope, "search_in")):
            index = combo.findData(settings.value(f"{self.group}/{key}"))
            if index >= 0 and index != combo.currentIndex():
                combo.blockSignals(True)
                combo.setCurrentIndex(index)
                combo.blockSignals(False)
                changed = True
        reverse = _bool(settings.value(f"{self.group}/reverse"))
        if reverse is not None and reverse != filters.reverse.isChecked():
            filters.reverse.blockSignals(True)
            filters.reverse.setChecked(reverse)
            filters.reverse.blockSignals(False)
            changed = True
        if changed:
            filters._update_arrow()
            self.window.apply_query(filters.values())

    def _restore_article(self) -> None:
        article = as_int(self.settings.value(f"{self.group}/article"))
        if article is None:
            return
        window = self.window
        if article != window.current_id:
            # a deleted article, or one far down the list, is not reopened
            window.article_list.select_article(article, within=self.keep_within)
            if window.current_id != article:
                return
        offset = as_int(self.settings.value(f"{self.group}/offset")) or 0
        pixels = as_int(self.settings.value(f"{self.group}/pixels")) or 0
        if offset > 0 or pixels != 0:
            self._position = (article, max(0, offset), max(-1000, min(pixels, 100_000)))

    def eventFilter(self, watched, event) -> bool:
        if watched is self.window and event.type() == QEvent.Type.Show:
            self.window.removeEventFilter(self)
            self._after_show()
        return False

    def _after_show(self) -> None:
        """What needs the window's final size: splitters, then the reading
        position (the text laid out at its final width)."""
        def now() -> None:
            try:
                self.restore_splitters()
            except Exception:
                log.exception("could not restore the splitters")
            self.restore_position()
        QTimer.singleShot(0, now)
        if self._position is not None:
            QTimer.singleShot(SETTLE_MS, self._settle_position)

    def restore_position(self) -> bool:
        """Scroll the reader back to where it was (once the text is laid out
        at the window's final width); False if another article is shown."""
        if self._position is None:
            return False
        article, offset, pixels = self._position
        view = self.window.view
        if self.window.current_id != article:
            self._position = None
            return False
        view.scroll_to_position(offset, pixels)
        self._restored_value = view.verticalScrollBar().value()
        return True

    def _settle_position(self) -> None:
        """Again, unless the analyst has scrolled since (the window manager
        may have resized the window after it was shown)."""
        view = self.window.view
        if self._restored_value is not None and \
                view.verticalScrollBar().value() == self._restored_value:
            self.restore_position()
        self._position = None
