"""Uncertain attributions: stored with each quote (``quotes.method``), marked
in the reader, and listed first in the Quotes and Speakers tabs on request."""

from __future__ import annotations

from PySide6.QtCore import Qt

from storage import analyses, articles, quotes
from widgets.quote_panel import QuotePanel
from widgets.speakers_view import SpeakersView

TEXT = ("Police chief Neth Savoeun met officials on Monday.\n\n"
        "“We will act,” Savoeun said.\n\n“The raids go on,” he said.")


def _store(db, method_of_second: str) -> int:
    article_id, _ = articles.add_article(db, title="Raids", text=TEXT)
    text_hash = articles.get_article(db, article_id)["text_hash"]
    first, second = TEXT.index("We will act,"), TEXT.index("The raids go on,")
    analyses.save_analysis(
        db, article_id=article_id, text_hash=text_hash, pipeline="p", pipeline_version="1",
        degraded=False, entities=[],
        quotes=[{"start": first, "end": first + 12, "text": "We will act,", "kind": "direct",
                 "speaker": "Neth Savoeun", "speaker_kind": "person", "cue": "said",
                 "method": "cue"},
                {"start": second, "end": second + 16, "text": "The raids go on,",
                 "kind": "direct", "speaker": "Neth Savoeun", "speaker_kind": "person",
                 "cue": "said", "method": method_of_second}])
    return article_id


def test_the_method_is_stored_and_counted_per_speaker(db):
    article_id = _store(db, "pronoun")
    stored = analyses.latest_analysis(db, article_id)["quotes"]
    assert [q["method"] for q in stored] == ["cue", "pronoun"]
    [row] = quotes.speakers(db)
    assert (row["speaker"], row["quote_count"], row["to_check"]) == ("Neth Savoeun", 2, 1)
    rows = list(quotes.all_quotes(db, article_id=article_id))
    assert [quotes.to_check(r) for r in rows] == [False, True]
    assert quotes.quote_key(rows[0]["text_hash"], rows[0]["start"], rows[0]["end"]) \
        .endswith(f":{rows[0]['start']}-{rows[0]['end']}")


def test_speakers_tab_lists_speakers_and_quotes_to_check_first(qtbot):
    view = SpeakersView()
    qtbot.addWidget(view)
    view.show()
    view.set_speakers([
        {"speaker": "Sure Speaker", "speaker_kind": "person", "quote_count": 9,
         "article_count": 3, "to_check": 0},
        {"speaker": "Doubtful Speaker", "speaker_kind": "person", "quote_count": 2,
         "article_count": 1, "to_check": 2}])
    names = lambda: [view.speakers.topLevelItem(i).text(0)       # noqa: E731
                     for i in range(view.speakers.topLevelItemCount())]
    assert names() == ["Sure Speaker", "Doubtful Speaker"]
    view.set_quotes("Sure Speaker", [
        {"article_id": 1, "article_title": "A", "start": 0, "end": 5, "text": "sure one",
         "kind": "direct", "speaker": "Sure Speaker", "method": "cue"},
        {"article_id": 1, "article_title": "A", "start": 9, "end": 20, "text": "doubtful",
         "kind": "direct", "speaker": "Sure Speaker", "method": "guessed"}])
    view.check_first.setFocus()
    qtbot.keyClick(view.check_first, Qt.Key.Key_Space)
    assert view.check_first.isChecked()
    assert names() == ["Doubtful Speaker", "Sure Speaker"]
    assert view.speakers.topLevelItem(0).text(4) == "2"
    first = view.quotes.topLevelItem(0)
    assert first.text(0) == "? “doubtful”" and "guessed" in first.toolTip(0)
    assert "1 to check" in view.caption.text()
    qtbot.keyClick(view.check_first, Qt.Key.Key_Space)
    assert names() == ["Sure Speaker", "Doubtful Speaker"]


def test_quotes_tab_lists_quotes_to_check_first(qtbot):
    panel = QuotePanel()
    qtbot.addWidget(panel)
    panel.show()
    rows = [{"start": 0, "end": 4, "text": "a one", "kind": "direct", "speaker": "Ann",
             "speaker_kind": "person", "method": "cue"},
            {"start": 5, "end": 9, "text": "a two", "kind": "direct", "speaker": "Ann",
             "speaker_kind": "person", "method": "cue"},
            {"start": 10, "end": 14, "text": "b one", "kind": "direct", "speaker": "Bob",
             "speaker_kind": "person", "method": "cue"},
            {"start": 15, "end": 19, "text": "b two", "kind": "direct", "speaker": "Bob",
             "speaker_kind": "person", "method": "inherited"}]
    panel.set_quotes(rows)
    assert panel.topLevelItem(0).text(0).startswith("Ann")
    bob = panel.topLevelItem(1)
    assert bob.child(1).text(1) == "direct ?"
    assert "inherited" in bob.child(1).toolTip(0)
    panel.check_first_action.trigger()
    bob = panel.topLevelItem(0)
    assert bob.text(0).startswith("Bob") and bob.child(0).text(0) == "“b two”"


def test_the_reader_marks_an_uncertain_quote(open_window, analysed_db_path, qtbot):
    """The seeds' "“…,” he said" quotes are resolved pronouns: dotted underline
    and "? speaker to check" in the tooltip; a quote named by its cue has neither."""
    from PySide6.QtGui import QTextCharFormat, QTextCursor

    window = open_window(analysed_db_path)
    view = window.view
    spoken = [q for q in view._quotes if q.get("kind") in ("direct", "partial")]
    uncertain = next(q for q in spoken if q.get("method") == "pronoun")
    certain = next(q for q in spoken if q.get("method") == "cue")

    def underline(offset: int):
        cursor = QTextCursor(view.document())
        cursor.setPosition(view._offsets.to_utf16(offset + 2))
        return cursor.charFormat().underlineStyle()

    assert "? speaker to check" in view.tooltip_html(uncertain["start"] + 1)
    assert "speaker to check" not in view.tooltip_html(certain["start"] + 1)
    assert underline(uncertain["start"]) == QTextCharFormat.UnderlineStyle.DotLine
    assert underline(certain["start"]) != QTextCharFormat.UnderlineStyle.DotLine


def test_a_speaker_not_recognised_as_a_name_is_set_apart(qtbot):
    """"minister" across articles may be several people: the list says so
    (italic, tooltip) and so does the caption over its quotes."""
    view = SpeakersView()
    qtbot.addWidget(view)
    view.set_speakers([
        {"speaker": "minister", "speaker_kind": "unknown", "quote_count": 30,
         "article_count": 25, "to_check": 0},
        {"speaker": "Sar Sokha", "speaker_kind": "person", "quote_count": 3,
         "article_count": 2, "to_check": 0}])
    unnamed, named = (view.speakers.topLevelItem(i) for i in range(2))
    assert unnamed.font(0).italic() and not named.font(0).italic()
    assert "different people" in unnamed.toolTip(0)
    assert "different people" not in named.toolTip(0)
    view.set_quotes("minister", [
        {"article_id": 1, "article_title": "A", "start": 0, "end": 5, "text": "we act",
         "kind": "direct", "speaker": "minister", "method": "cue"}])
    assert "not recognised as a name" in view.caption.text()
    view.set_quotes("Sar Sokha", [
        {"article_id": 1, "article_title": "A", "start": 0, "end": 5, "text": "we act",
         "kind": "direct", "speaker": "Sar Sokha", "method": "cue"}])
    assert "not recognised" not in view.caption.text()
