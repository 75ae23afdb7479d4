"""Preferences: the analyst's name is read from the settings at most once a
second (each tag saved asks for it), and again once it is changed."""

from __future__ import annotations

from PySide6.QtCore import QSettings

from desktop.gui.preferences import Preferences


class CountedSettings:
    """QSettings that counts what is read of it."""

    def __init__(self, settings: QSettings):
        self.settings, self.reads = settings, 0

    def value(self, *args):
        self.reads += 1
        return self.settings.value(*args)

    def setValue(self, key, value):
        self.settings.setValue(key, value)


def test_the_analyst_is_read_once_and_again_after_a_change(tmp_path, monkeypatch):
    import desktop.gui.preferences as module

    clock = [100.0]
    monkeypatch.setattr(module.time, "monotonic", lambda: clock[0])
    settings = QSettings(str(tmp_path / "prefs.ini"), QSettings.Format.IniFormat)
    settings.setValue("analyst/name", "  ana ")
    counted = CountedSettings(settings)
    preferences = Preferences(counted)
    assert [preferences.analyst for _ in range(3)] == ["ana"] * 3
    assert counted.reads == 1
    preferences.analyst = "bo"
    assert preferences.analyst == "bo" and preferences.analyst == "bo"
    assert counted.reads == 2
    assert Preferences(settings).analyst == "bo"          # stored, not only kept
    settings.setValue("analyst/name", "cy")              # another Dossier renamed the analyst
    assert preferences.analyst == "bo"
    clock[0] += Preferences.ANALYST_KEPT_S + 0.1          # read again a moment later
    assert preferences.analyst == "cy" and counted.reads == 3
    preferences.analyst = ""
    assert preferences.analyst                              # the system user's name
