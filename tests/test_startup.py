"""Start-up: first-run seeding, spaCy off the GUI thread, and durability of
a tag when the process is killed right after saving it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

from PySide6.QtGui import QColor

from storage import journal, open_database
from widgets import palette

ROOT = Path(__file__).resolve().parent.parent


def test_first_run_seeds_five_articles_once(open_window, tmp_path):
    db_path = tmp_path / "fresh" / "dossier.db"
    window = open_window(db_path)
    assert window.article_list.list_model.rowCount() == 5
    titles = [window.article_list.list_model.article(i)["title"] for i in range(5)]
    assert titles[4].startswith("Cambodia Seeks to Enhance Immigration Management")
    with journal.step(window.db, "Delete articles"):
        window.db.execute("DELETE FROM articles")
    window.close()
    window.db.close()
    again = open_window(db_path)
    assert again.article_list.list_model.rowCount() == 0  # deleted seeds stay deleted
    assert again.title_label.text() == "No articles yet"


def test_background_analysis_highlights_the_open_article(open_window, seeded_db_path, qtbot):
    window = open_window(seeded_db_path, analyse=False)
    assert window.meta_label.text().endswith("not analysed yet")
    text = window.view.article_text()
    person = text.index("Neth Savoeun")
    assert window.view.format_at(person).background().color() != QColor(
        palette.ENTITY_COLORS["PERSON"])
    with qtbot.waitSignal(window.analysis.worker.finished, timeout=120000) as finished:
        window.start_analysis()
    assert finished.args == [5]
    qtbot.waitUntil(lambda: "en_core_web_sm" in window.meta_label.text(), timeout=5000)
    assert window.view.format_at(person).background().color() == QColor(
        palette.ENTITY_COLORS["PERSON"])
    assert "Pipeline: en_core_web_sm" in window.pipeline_label.text()
    panel = window.quote_panel
    assert sum(panel.topLevelItem(i).childCount() for i in range(panel.topLevelItemCount())) == 11
    assert window.side_tabs.tabText(1).startswith("Entities (")


def _run_python(code: str, **kwargs) -> subprocess.Popen:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(ROOT))
    return subprocess.Popen([sys.executable, "-c", textwrap.dedent(code)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            **kwargs)


def test_window_is_built_without_importing_spacy(tmp_path):
    code = f"""
        import sys
        from desktop.gui.app import application, prepare_window
        app = application()
        window = prepare_window({str(tmp_path / 'x.db')!r}, analyse=False)
        window.show()
        app.processEvents()
        print("spacy imported:", "spacy" in sys.modules)
        window.close()
    """
    out, err = _run_python(code).communicate(timeout=120)
    assert "spacy imported: False" in out, err


def test_a_window_a_test_starts_keeps_its_settings_out_of_the_users(tmp_path):
    """Windows started in subprocesses by the tests wrote their reading
    positions into the real user's settings (~/.config/…/Dossier.conf):
    the session's isolation (conftest) reaches only the test process."""
    code = f"""
        from PySide6.QtCore import QSettings
        from desktop.gui.app import application, prepare_window
        app = application()
        window = prepare_window({str(tmp_path / 'x.db')!r}, analyse=False)
        window.close()
        print("settings:", QSettings().fileName())
    """
    out, err = _run_python(code).communicate(timeout=120)
    [line] = [line for line in out.splitlines() if line.startswith("settings:")]
    settings = line.removeprefix("settings: ")
    assert not settings.startswith(str(Path.home() / ".config")), settings
    assert settings.startswith(os.environ.get("XDG_CONFIG_HOME", "(unset)")), settings


def test_a_tag_survives_sigkill_right_after_saving(seeded_db_path):
    code = f"""
        import sys
        from PySide6.QtCore import Qt
        from PySide6.QtTest import QTest
        from desktop.gui.app import application, prepare_window
        app = application()
        window = prepare_window({str(seeded_db_path)!r}, analyse=False)
        window.show()
        text = window.view.article_text()
        start = text.index("Phnom Penh")
        window.view.select_range(start, start + 10)
        QTest.keyClick(window.view, Qt.Key.Key_7)
        print("tagged", start, flush=True)
        sys.stdin.readline()   # wait here until killed
    """
    process = _run_python(code, stdin=subprocess.PIPE)
    line = process.stdout.readline()
    assert line.startswith("tagged"), process.stderr.read()
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    start = int(line.split()[1])
    db = open_database(seeded_db_path)
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    rows = db.execute("SELECT p.start, p.end, p.text, t.name FROM passages p "
                      "JOIN tags t ON t.id = p.tag_id").fetchall()
    assert rows == [(start, start + 10, "Phnom Penh", "Law enforcement cooperation")]
