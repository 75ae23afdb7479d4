"""Light and dark themes: the analyst's choice (System / Light / Dark, kept
in QSettings), the system's colour scheme (followed live through
QStyleHints.colorSchemeChanged), and the application palette built from
:mod:`widgets.palette`'s schemes.

Qt only changes its own palette on platforms whose theme supports dark mode;
Dossier sets the palette itself so that the dark theme looks the same
everywhere and its hand-painted colours (highlights, bars, banners) match.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QActionGroup, QColor, QPalette
from PySide6.QtWidgets import QApplication, QStyleFactory

from widgets import palette

#: The choices, in menu order, with their menu texts.
CHOICES = {"system": "Follow the &system", "light": "&Light", "dark": "&Dark"}
SETTING = "view/theme"

#: Native styles that ignore the application palette; dark needs Fusion there.
_PALETTE_BLIND_STYLES = {"windowsvista", "macos"}


def stored_choice(settings) -> str:
    """The stored theme choice; anything unknown (or damaged) is "system"."""
    value = settings.value(SETTING, "system")
    return value if isinstance(value, str) and value in CHOICES else "system"


def scheme_for(choice: str, system: Qt.ColorScheme) -> palette.Scheme:
    """The scheme a choice means, given the system's colour scheme."""
    if choice == "system":
        choice = "dark" if system == Qt.ColorScheme.Dark else "light"
    return palette.SCHEMES.get(choice, palette.LIGHT)


def qpalette(scheme: palette.Scheme) -> QPalette:
    """A QPalette from a scheme's ``ui`` roles (``"Group:Role"`` for a
    group other than all of them)."""
    result = QPalette()
    for key, color in scheme.ui.items():
        group_name, _, role_name = key.rpartition(":")
        role = getattr(QPalette.ColorRole, role_name)
        if group_name:
            result.setColor(getattr(QPalette.ColorGroup, group_name), role, QColor(color))
        else:
            result.setColor(role, QColor(color))
    return result


class ThemeController(QObject):
    """Applies the chosen theme to the application and keeps following the
    system; ``schemeChanged`` tells the window to repaint its hand-coloured
    parts."""

    schemeChanged = Signal(object)

    def __init__(self, settings, parent=None):
        super().__init__(parent)
        self.settings = settings
        self.app = QApplication.instance()
        hints = self.app.styleHints()
        self._system = hints.colorScheme()
        hints.colorSchemeChanged.connect(self.system_changed)
        self.scheme = palette.LIGHT
        self.actions: dict[str, object] = {}

    @property
    def choice(self) -> str:
        return stored_choice(self.settings)

    def set_choice(self, choice: str) -> None:
        """Store and apply System, Light or Dark."""
        if choice not in CHOICES:
            raise ValueError(f"no theme called {choice!r}")
        self.settings.setValue(SETTING, choice)
        self.apply()

    def system_changed(self, scheme: Qt.ColorScheme) -> None:
        """The desktop switched between light and dark. A closed window's
        controller (one left after switching databases) stays out of it: the
        palette is the application's, and the open window decides."""
        self._system = scheme
        window = self.parent()
        if hasattr(window, "isVisible") and not window.isVisible():
            return
        if self.choice == "system":
            self.apply()

    def apply(self) -> palette.Scheme:
        """Set the application palette for the current choice; emits
        ``schemeChanged`` with the scheme the window should paint in."""
        choice = self.choice
        scheme = scheme_for(choice, self._system)
        system_dark = self._system == Qt.ColorScheme.Dark
        if scheme.dark or system_dark:
            # our own palette: dark, or light on a dark desktop
            if self.app.style().name().lower() in _PALETTE_BLIND_STYLES:
                self.app.setStyle(QStyleFactory.create("Fusion"))
            self.app.setPalette(qpalette(scheme))
        else:
            self.app.setPalette(QPalette())   # the platform's own light palette
        self.scheme = scheme
        for name, action in self.actions.items():
            action.setChecked(name == choice)
        self.schemeChanged.emit(scheme)
        return scheme

    def add_menu(self, menu) -> QActionGroup:
        """View → Theme: the three choices as radio items."""
        group = QActionGroup(self)
        choice = self.choice
        for name, text in CHOICES.items():
            action = menu.addAction(text)
            action.setCheckable(True)
            action.setChecked(name == choice)
            action.setData(name)
            action.triggered.connect(lambda _=False, n=name: self.set_choice(n))
            group.addAction(action)
            self.actions[name] = action
        return group
