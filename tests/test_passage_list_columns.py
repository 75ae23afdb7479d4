"""The Passages tab's columns in a narrow panel: the passage's words take the
room, the note keeps a share while any passage has a note, and a width the
analyst drags stays."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication

from widgets.passage_list import PassageList

LONG = ("more support for the training of the Kingdom's police officers in the fight "
        "against cybercrime, which is on the rise across Asia")


def passage(i: int, note: str = "") -> dict:
    return {"id": i, "tag": "Training & capacity building", "color": "#2ecc71",
            "text": LONG, "note": note, "analyst": "a", "start": i * 10, "end": i * 10 + 9}


def shown(qtbot, passages, width=380) -> PassageList:
    view = PassageList()
    qtbot.addWidget(view)
    view.resize(width, 300)
    view.show()
    qtbot.waitExposed(view)
    view.set_passages(passages, [])
    QApplication.processEvents()
    return view


def widths(view) -> tuple[int, int, int]:
    return tuple(view.header().sectionSize(c) for c in (0, 1, view.NOTE_COLUMN))


def test_the_passage_takes_the_room_while_no_passage_has_a_note(qtbot):
    view = shown(qtbot, [passage(1), passage(2)])
    tag, words, note = widths(view)
    room = view.viewport().width()
    # (the tag's name takes up to TAG_SHARE: the passage still has the most)
    assert words >= room - tag - note - 2 and words > 0.45 * room and words > tag
    assert note == view.EMPTY_NOTE_WIDTH


def test_a_note_gets_a_share_and_loses_it_with_the_last_note(qtbot):
    view = shown(qtbot, [passage(1), passage(2, "Check the FATF plenary date")])
    tag, words, note = widths(view)
    room = view.viewport().width()
    assert abs(note - int(room * view.NOTE_SHARE)) <= 1 and words > note
    view.resize(700, 300)
    QApplication.processEvents()
    assert abs(widths(view)[2] - int(view.viewport().width() * view.NOTE_SHARE)) <= 1
    view.set_passages([passage(1), passage(2)], [])
    assert widths(view)[2] == view.EMPTY_NOTE_WIDTH


def test_a_width_the_analyst_drags_is_kept(qtbot):
    view = shown(qtbot, [passage(1, "a note")])
    header = view.header()
    edge = header.sectionViewportPosition(view.NOTE_COLUMN) + header.sectionSize(
        view.NOTE_COLUMN) - 1
    y = header.height() // 2
    before = header.sectionSize(view.NOTE_COLUMN)

    def mouse(kind, x, buttons):
        QApplication.sendEvent(header.viewport(), QMouseEvent(
            kind, QPointF(x, y), header.viewport().mapToGlobal(QPointF(x, y)),
            Qt.MouseButton.LeftButton, buttons, Qt.KeyboardModifier.NoModifier))
    qtbot.mouseMove(header.viewport(), QPoint(edge, y))
    mouse(QEvent.Type.MouseButtonPress, edge, Qt.MouseButton.LeftButton)
    mouse(QEvent.Type.MouseMove, edge + 40, Qt.MouseButton.LeftButton)
    mouse(QEvent.Type.MouseButtonRelease, edge + 40, Qt.MouseButton.NoButton)
    dragged = header.sectionSize(view.NOTE_COLUMN)
    assert dragged == before + 40
    view.resize(600, 300)
    view.set_passages([passage(1), passage(2)], [])      # no note left
    QApplication.processEvents()
    assert header.sectionSize(view.NOTE_COLUMN) == dragged


def test_the_tag_column_shows_short_names_whole_and_long_ones_within_its_share(qtbot):
    view = shown(qtbot, [dict(passage(1), tag="Money laundering")])
    name = view.fontMetrics().horizontalAdvance("Money laundering")
    assert widths(view)[0] > name + view.iconSize().width()          # whole
    view.set_passages([passage(1)], [])               # "Training & capacity building"
    assert widths(view)[0] == int(view.viewport().width() * view.TAG_SHARE)
    view.set_passages([dict(passage(1), tag="Drugs")], [])
    assert widths(view)[0] == view.TAG_WIDTH


def test_the_analyst_column_fits_names_that_arrive_later(qtbot):
    view = shown(qtbot, [dict(passage(1), analyst="a"), dict(passage(2), analyst="b")])
    assert not view.isColumnHidden(view.ANALYST_COLUMN)
    view.set_passages([dict(passage(1), analyst="a"), dict(passage(2), analyst="consensus")],
                      [])
    name = view.fontMetrics().horizontalAdvance("consensus")
    assert view.header().sectionSize(view.ANALYST_COLUMN) > name


def test_the_tag_column_fits_the_codebook_and_keeps_its_width_when_a_tag_is_saved(qtbot):
    """Sized by the codebook's names, not by those an article happens to
    list: saving a passage under its longest name moves no column."""
    codebook = [{"id": 1, "name": "Drugs"}, {"id": 2, "name": "Money laundering"},
                {"id": 3, "name": "A category whose name is long", "codable": 0}]
    view = shown(qtbot, [])
    view.set_passages([dict(passage(1), tag="Drugs")], codebook)
    QApplication.processEvents()
    name = view.fontMetrics().horizontalAdvance("Money laundering")
    before = widths(view)
    assert before[0] > name + view.iconSize().width()    # the longest name tags use, whole
    view.set_passages([dict(passage(1), tag="Drugs"),
                       dict(passage(2), tag="Money laundering")], codebook)
    QApplication.processEvents()
    assert widths(view) == before


def test_the_passage_column_takes_the_room_the_others_leave(qtbot):
    """Whatever changes the other columns or the list's inner width: an
    analyst column appearing, a scroll bar, the list shown again."""
    view = shown(qtbot, [passage(1)])
    header = view.header()

    def room_left() -> int:
        return view.viewport().width() - sum(
            header.sectionSize(c) for c in (0, view.NOTE_COLUMN, view.ANALYST_COLUMN)
            if not header.isSectionHidden(c))

    assert header.sectionSize(view.PASSAGE_COLUMN) == room_left() > 0
    view.set_passages([passage(1), dict(passage(2), analyst="b")], [])    # a second analyst
    QApplication.processEvents()
    assert not view.isColumnHidden(view.ANALYST_COLUMN)
    assert header.sectionSize(view.PASSAGE_COLUMN) == room_left()
    wide = view.viewport().width()
    view.set_passages([dict(passage(i), analyst="ab"[i % 2]) for i in range(1, 60)], [])
    QApplication.processEvents()
    assert view.viewport().width() < wide                        # a scroll bar took room
    assert header.sectionSize(view.PASSAGE_COLUMN) == room_left()
    view.set_passages([passage(1)], [])                          # one analyst again
    QApplication.processEvents()
    assert view.isColumnHidden(view.ANALYST_COLUMN)
    assert header.sectionSize(view.PASSAGE_COLUMN) == room_left()
    view.hide()
    view.set_passages([passage(1), dict(passage(2), analyst="b")], [])    # while hidden
    view.show()
    qtbot.waitExposed(view)
    assert not view.isColumnHidden(view.ANALYST_COLUMN)
    assert header.sectionSize(view.PASSAGE_COLUMN) == room_left()


def test_in_a_list_too_narrow_for_every_column_the_passage_keeps_some_words(qtbot):
    """The list scrolls sideways rather than cut the Passage column to nothing."""
    view = shown(qtbot, [passage(1, note="a note")], width=700)
    view.resize(140, 300)                                   # in one step
    QApplication.processEvents()
    assert view.header().sectionSize(view.PASSAGE_COLUMN) == view.MIN_PASSAGE_WIDTH
    assert view.horizontalScrollBar().maximum() > 0


def test_the_analyst_column_follows_the_analysts_the_list_may_show(qtbot):
    """set_analysts: with several (the file's), the column is shown even for
    one analyst's passages; its width is fitted once, kept when the analyst
    drags it, and showing or hiding it is not taken for a drag."""
    view = shown(qtbot, [passage(1)], width=900)
    column = view.ANALYST_COLUMN
    header = view.header()
    assert view.isColumnHidden(column)
    view.set_analysts(["a", "consensus"])
    assert not view.isColumnHidden(column)
    assert header.sectionSize(column) > view.fontMetrics().horizontalAdvance("consensus")
    view.set_analysts(["a"])                     # one analyst after all: hidden
    assert view.isColumnHidden(column)
    view.set_analysts(["a", "a much longer name"])
    fitted = header.sectionSize(column)
    assert fitted > view.fontMetrics().horizontalAdvance("a much longer name")
    header.resizeSection(column, 70)             # the analyst's drag
    view.set_analysts(["a", "b"])
    view.set_analysts(["a"])
    view.set_analysts(["a", "yet another longer name"])
    assert header.sectionSize(column) == 70


def test_a_passage_of_a_new_analyst_fits_the_column_again_once(qtbot):
    view = shown(qtbot, [passage(1)])
    view.set_analysts(["a", "b"])
    header = view.header()
    before = header.sectionSize(view.ANALYST_COLUMN)
    view.set_passages([passage(1), dict(passage(2), analyst="a newcomer's long name")], [])
    grown = header.sectionSize(view.ANALYST_COLUMN)
    assert grown > before
    view.set_passages([passage(1), dict(passage(2), analyst="a newcomer's long name"),
                       dict(passage(3), analyst="b")], [])
    assert header.sectionSize(view.ANALYST_COLUMN) == grown


def test_a_row_added_leaves_the_column_titles_unpainted_and_a_column_change_repaints_them(
        qtbot):
    """The header is not repainted for rows laid out (each tag saved did),
    but is for what it shows: a column shown, a title, a width; and it looks
    as a plain tree's header looks."""
    from PySide6.QtCore import QEvent, QObject
    from PySide6.QtWidgets import QTreeWidget

    class Paints(QObject):
        count = 0
        rects: list = []

        def eventFilter(self, _obj, event):
            if event.type() == QEvent.Type.Paint:
                Paints.count += 1
                Paints.rects.append(event.rect())
            return False

    view = shown(qtbot, [passage(1)])
    header = view.header()
    counter = Paints()
    header.viewport().installEventFilter(counter)
    QApplication.processEvents()
    Paints.count = 0
    for n in range(2, 5):                        # rows inserted, as tags are saved
        view.set_passages([passage(i) for i in range(1, n + 1)], [])
        QApplication.processEvents()
        assert view.topLevelItemCount() == n
    assert Paints.count == 0
    view.set_analysts(["a", "b"])                 # a column shown
    qtbot.waitUntil(lambda: Paints.count > 0, timeout=2000)
    Paints.count = 0
    view.setHeaderLabels(["Code", "Passage", "Note", "Analyst"])   # a title
    qtbot.waitUntil(lambda: Paints.count > 0, timeout=2000)
    Paints.count = 0
    Paints.rects = []
    header.resizeSection(view.NOTE_COLUMN, header.sectionSize(view.NOTE_COLUMN) + 30)
    qtbot.waitUntil(lambda: Paints.count > 0, timeout=2000)
    # all of it (scrolled to its right end, a resize otherwise left old edges)
    assert any(rect.contains(header.viewport().rect()) for rect in Paints.rects)
    # drawn as a plain tree's header: the same titles and widths, the same pixels
    plain = QTreeWidget()
    qtbot.addWidget(plain)
    plain.setRootIsDecorated(False)
    plain.setFont(view.font())
    plain.setHeaderLabels(["Code", "Passage", "Note", "Analyst"])
    plain.header().setStretchLastSection(False)
    for column in range(4):
        plain.header().resizeSection(column, header.sectionSize(column))
    plain.resize(view.size())
    plain.show()
    qtbot.waitExposed(plain)
    QApplication.processEvents()
    width = sum(header.sectionSize(c) for c in range(4))
    assert header.viewport().grab().toImage().copy(0, 0, width, header.height()) == \
        plain.header().viewport().grab().toImage().copy(0, 0, width, header.height())


def test_the_analyst_column_holds_each_name_whole_at_every_size(qtbot):
    """As wide as Qt measures the names' cells (sizeHintForColumn), at the
    sizes the reader's zoom gives: a width from rounded advances came a
    pixel short at some sizes, and a name was drawn cut ("Wolfgang Amade…")."""
    from PySide6.QtGui import QFont

    names = ["Wolfgang Amadeus", "Maria Schmidt", "Dr. Ingrid Holm", "consensus", "ana"]
    view = shown(qtbot, [dict(passage(i + 1), analyst=name) for i, name in enumerate(names)],
                 width=1200)
    for size in (8, 9, 9.9, 10, 10.8, 11, 12, 13.5, 14, 16):
        font = QFont(view.font())
        font.setPointSizeF(size)
        view.setFont(font)
        view.set_analysts(names)
        QApplication.processEvents()
        assert not view.isColumnHidden(view.ANALYST_COLUMN)
        assert view.header().sectionSize(view.ANALYST_COLUMN) >= \
            view.sizeHintForColumn(view.ANALYST_COLUMN), size


def test_in_a_narrow_list_a_long_analyst_name_is_cut_not_the_passages_words(qtbot):
    """The Analyst column takes at most ANALYST_SHARE of the list (a side
    panel on a 1366-pixel screen gave a long name 123 of its 394 pixels and
    the passage 74), and gets its whole width back when the list widens."""
    name = "Wolfgang Amadeus Mozart"
    view = shown(qtbot, [dict(passage(1), analyst=name)], width=400)
    view.set_analysts([name, "ana"])
    QApplication.processEvents()
    header = view.header()
    assert not view.isColumnHidden(view.ANALYST_COLUMN)
    assert header.sectionSize(view.ANALYST_COLUMN) <= \
        int(view.viewport().width() * view.ANALYST_SHARE)
    assert name in view.topLevelItem(0).toolTip(view.ANALYST_COLUMN)    # read whole there
    view.resize(1400, 300)
    qtbot.waitUntil(lambda: header.sectionSize(view.ANALYST_COLUMN)
                    >= view.sizeHintForColumn(view.ANALYST_COLUMN), timeout=2000)


def test_a_row_inserted_repaints_the_rows_from_it_down_and_the_list_shows_what_it_holds(
        qtbot):
    """A tag saved inserts a row: the rows above it are not repainted (their
    text was laid out again at each tag saved), and what the screen shows is
    what a full repaint draws — inserted first, in the middle or last, and in
    a list scrolled down, where a row inserted above the view moves them all."""
    from PySide6.QtCore import QObject

    class Paints(QObject):
        rects: list = []

        def eventFilter(self, _obj, event):
            if event.type() == QEvent.Type.Paint:
                Paints.rects.append(event.rect())
            return False

    def spaced(ids):
        return [dict(passage(i), start=i * 10, end=i * 10 + 9) for i in sorted(ids)]

    def on_screen(view):
        QApplication.processEvents()
        viewport = view.viewport()
        at = viewport.mapTo(view.window(), QPoint(0, 0))
        return view.screen().grabWindow(view.window().winId(), at.x(), at.y(),
                                        viewport.width(), viewport.height()).toImage()

    ids = {2 * i for i in range(1, 9)}           # room between them
    view = shown(qtbot, spaced(ids), width=380)
    counter = Paints()
    view.viewport().installEventFilter(counter)
    for new in (5, 1, 40):                       # in the middle, first, last
        QApplication.processEvents()
        Paints.rects = []
        ids.add(new)
        view.set_passages(spaced(ids), [])
        QApplication.processEvents()
        row = sorted(ids).index(new)
        top = view.visualItemRect(view.topLevelItem(row)).top()
        assert Paints.rects and min(r.top() for r in Paints.rects) >= top
        assert on_screen(view) == view.viewport().grab().toImage()
    # scrolled down: a row inserted above the rows in view moves them all
    ids |= {100 + i for i in range(30)}
    view.set_passages(spaced(ids), [])
    view.verticalScrollBar().setValue(view.verticalScrollBar().maximum() // 2)
    for new in (3, 99, 200):                     # above the view, in it, below it
        QApplication.processEvents()
        ids.add(new)
        view.set_passages(spaced(ids), [])
        assert on_screen(view) == view.viewport().grab().toImage()
