"""Light and dark themes: the View menu's choice changes the application
palette, the reader's colours stay readable (WCAG contrast of the colours
actually set and painted), the system's scheme is followed, and the choice
is stored for the next window."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

from test_main_window import assert_bar_painted, select_with_keys
from widgets import palette

Role = QPalette.ColorRole


@pytest.fixture(autouse=True)
def light_again():
    """The application palette is global: back to the platform's afterwards."""
    yield
    app = QApplication.instance()
    if app is not None:
        app.setPalette(QPalette())


def name(color: QColor) -> str:
    return color.name()


def app_color(role) -> str:
    return name(QApplication.instance().palette().color(role))


def readable_formats(view, spans) -> list[tuple[str, str, float]]:
    """``(foreground, background, contrast)`` of the character at the start
    of each span, as the reader formats it."""
    text = name(view.palette().color(Role.Text))
    found = []
    for start, _end in spans:
        fmt = view.format_at(start)
        foreground = name(fmt.foreground().color()) if fmt.hasProperty(
            fmt.Property.ForegroundBrush) else text
        background = name(fmt.background().color())
        found.append((foreground, background, palette.contrast_ratio(foreground, background)))
    return found


def test_every_hand_coloured_pair_is_readable_in_both_schemes():
    for scheme in (palette.LIGHT, palette.DARK):
        text = scheme.text
        for label, color in scheme.entity_colors.items():
            assert palette.contrast_ratio(text, color) >= 4.5, (scheme.name, label)
            # an entity inside a quote: quote text over the entity colour
            assert palette.contrast_ratio(scheme.quote_foreground, color) >= 4, (
                scheme.name, label)
        assert palette.contrast_ratio(scheme.quote_foreground, scheme.quote_background) >= 7
        assert palette.contrast_ratio(scheme.search_foreground or text,
                                      scheme.search_background) >= 7
        assert palette.contrast_ratio(scheme.legend_text, scheme.passages_key) >= 4.5
        assert palette.contrast_ratio(scheme.banner_foreground, scheme.banner_background) >= 7
    for role in ("Text", "WindowText", "ButtonText", "ToolTipText"):
        background = {"Text": "Base", "WindowText": "Window", "ButtonText": "Button",
                      "ToolTipText": "ToolTipBase"}[role]
        assert palette.contrast_ratio(palette.DARK.ui[role], palette.DARK.ui[background]) >= 7
    # the article list's passage-count badge: Base text on Mid
    assert palette.contrast_ratio(palette.DARK.ui["Base"], palette.DARK.ui["Mid"]) >= 4.5
    # every colour offered to new tags makes a visible bar on the dark reader
    from storage.tags import TAG_COLOURS
    for color in TAG_COLOURS + ("#000000", "#202020"):
        assert palette.contrast_ratio(palette.DARK.bar_color(color), palette.DARK.base) >= 3
        assert palette.LIGHT.bar_color(color) == color


def test_dark_theme_from_the_view_menu(open_window, analysed_db_path, preferences, qtbot):
    window = open_window(analysed_db_path)
    view = window.view
    light_window = app_color(Role.Window)
    text = view.article_text()
    start = text.index("Neth Savoeun")
    select_with_keys(qtbot, view, start, len("Neth Savoeun"))
    qtbot.keyClick(view, Qt.Key.Key_1)          # a passage, for its bar

    window.themes.actions["dark"].trigger()     # View → Theme → Dark
    QApplication.processEvents()    # the palette reaches widgets by event, before any paint

    assert preferences.settings.value("view/theme") == "dark"
    assert window.themes.actions["dark"].isChecked()
    assert app_color(Role.Window) == palette.DARK.ui["Window"] != light_window
    assert palette.luminance(app_color(Role.Base)) < 0.05
    # the reader's own colours, as Qt paints them
    reader_text, reader_base = (name(view.palette().color(r)) for r in (Role.Text, Role.Base))
    assert reader_base == palette.DARK.base
    assert palette.contrast_ratio(reader_text, reader_base) >= 7
    entities = [(e["start"], e["end"]) for e in view._entities]
    quotes = [(q["start"], q["end"]) for q in view._quotes]
    assert entities and quotes
    for foreground, background, contrast in readable_formats(view, entities + quotes):
        assert contrast >= 4.5, (foreground, background)
    person = next(e for e in view._entities if e["label"] == "PERSON")
    assert view.format_at(person["start"]).background().color() == QColor(
        palette.DARK.entity_colors["PERSON"])
    # an entity's colour really on screen: pixels along its top edge
    view.select_range(person["start"], person["end"])
    view.moveCursor(view.textCursor().MoveOperation.Left)   # caret before it, no selection
    first = view.cursorRect(view._cursor_for(person["start"], person["start"]))
    last = view.cursorRect(view._cursor_for(person["end"], person["end"]))
    image = view.viewport().grab().toImage()
    ratio = image.devicePixelRatio()
    painted = {name(image.pixelColor(int(x * ratio), int((first.top() + 2) * ratio)))
               for x in range(first.left() + 3, last.left() - 1)}
    assert palette.DARK.entity_colors["PERSON"] in painted
    # the passage bar, lightened if the tag colour is too dark for the background
    bar_color = palette.DARK.bar_color(window.state.tags[0]["color"])
    assert_bar_painted(view, bar_color)
    assert palette.contrast_ratio(bar_color, reader_base) >= 3
    # the legend's toggles and the banner use the dark scheme too
    assert palette.DARK.entity_colors["PERSON"] in window.legend.checkbox("PERSON").styleSheet()
    assert palette.DARK.banner_background in window.degraded_banner.styleSheet()

    # the choice is kept: the next window opens dark
    window.close()
    window.db.close()
    QApplication.instance().setPalette(QPalette())
    again = open_window(analysed_db_path)
    assert again.themes.choice == "dark"
    assert again.themes.actions["dark"].isChecked()
    assert app_color(Role.Window) == palette.DARK.ui["Window"]
    assert again.view.scheme() is palette.DARK

    again.themes.actions["light"].trigger()
    assert preferences.settings.value("view/theme") == "light"
    assert app_color(Role.Window) == light_window
    assert again.view.format_at(person["start"]).background().color() == QColor(
        palette.ENTITY_COLORS["PERSON"])


def test_system_scheme_is_followed_unless_a_theme_is_chosen(open_window, analysed_db_path,
                                                           qtbot):
    window = open_window(analysed_db_path)
    hints = QApplication.instance().styleHints()
    assert window.themes.choice == "system"
    light_window = app_color(Role.Window)

    hints.colorSchemeChanged.emit(Qt.ColorScheme.Dark)    # the desktop goes dark
    assert app_color(Role.Window) == palette.DARK.ui["Window"]
    assert window.view.scheme() is palette.DARK
    hints.colorSchemeChanged.emit(Qt.ColorScheme.Light)
    assert app_color(Role.Window) == light_window
    assert window.view.scheme() is palette.LIGHT

    window.themes.actions["light"].trigger()
    hints.colorSchemeChanged.emit(Qt.ColorScheme.Dark)
    # chosen Light on a dark desktop: Dossier's own light palette
    assert app_color(Role.Window) == palette.LIGHT.ui["Window"]
    assert window.view.scheme() is palette.LIGHT
    hints.colorSchemeChanged.emit(Qt.ColorScheme.Light)


def test_zoom_survives_a_theme_change(open_window, analysed_db_path, qtbot):
    """A style sheet restyles every widget on a palette change, putting back
    fonts it saved: the zoom must not go with them."""
    window = open_window(analysed_db_path)
    for _ in range(3):
        qtbot.keyClick(window, Qt.Key.Key_Plus, Qt.KeyboardModifier.ControlModifier)
    assert window.view.zoom() == 150
    size, quotes = window.view.text_point_size(), window.quote_panel.font().pointSizeF()
    for choice in ("dark", "light"):
        window.themes.actions[choice].trigger()
        assert window.view.text_point_size() == size
        assert window.quote_panel.font().pointSizeF() == quotes


def test_problem_texts_stay_readable_when_the_theme_turns_dark(qtbot):
    from PySide6.QtGui import QColor, QPalette

    from widgets.palette import contrast_ratio
    from widgets.problem_label import ProblemLabel

    label = ProblemLabel("Cannot search for that")
    qtbot.addWidget(label)
    for window_colour in ("#ffffff", "#2d2e31"):
        palette = QPalette(label.palette())
        palette.setColor(QPalette.ColorRole.Window, QColor(window_colour))
        label.setPalette(palette)
        shown = label.styleSheet().removeprefix("color: ").rstrip(";")
        assert contrast_ratio(shown, window_colour) >= 4.5, (shown, window_colour)


def test_dark_entity_colours_keep_the_labels_apart():
    """Labels an analyst reads side by side never share a dark tint."""
    def distance(a, b):         # "redmean": roughly how different they look
        (r1, g1, b1), (r2, g2, b2) = palette._channels(a), palette._channels(b)
        mean = (r1 + r2) / 2
        return ((2 + mean / 256) * (r1 - r2) ** 2 + 4 * (g1 - g2) ** 2
                + (2 + (255 - mean) / 256) * (b1 - b2) ** 2) ** 0.5

    apart = ("PERSON", "ORG", "GPE", "LOC", "NORP", "DATE", "CARDINAL")
    dark = {label: palette.DARK.entity_color(label) for label in apart}
    closest = min((distance(dark[a], dark[b]), a, b) for a in apart for b in apart if a < b)
    assert closest[0] >= 40, closest        # a 30 % mix put PERSON and NORP 18 apart
    assert set(palette.DARK.entity_colors) == set(palette.ENTITY_COLORS)


def test_grey_captions_made_under_the_light_theme_are_readable_in_the_dark(
        open_window, analysed_db_path, qtbot):
    """The line under the title (and the other grey captions) were styled
    with the palette they were made under: after a switch to dark they were
    light grey on dark grey, 1.3:1. Measured on the painted pixels."""
    from PySide6.QtGui import QImage

    def painted_contrast(label) -> float:
        image = label.grab().toImage().convertToFormat(QImage.Format.Format_RGB32)
        background = image.pixelColor(0, 0).name()
        colours = {image.pixelColor(x, y).name() for x in range(0, image.width(), 1)
                   for y in range(image.height())}
        return max(palette.contrast_ratio(c, background) for c in colours)

    window = open_window(analysed_db_path)
    window.themes.set_choice("light")
    label = window.meta_label
    qtbot.waitUntil(lambda: bool(label.text()))
    assert painted_contrast(label) >= 3        # the platform's own placeholder grey
    window.themes.set_choice("dark")
    qtbot.wait(20)
    assert painted_contrast(label) >= 4.5
