"""`make run`'s Qt check runs even when QT_QPA_PLATFORM is set: a platform
that cannot load is reported (exit 1, so the Makefile installs the XCB
libraries), one that loads passes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _check(env_changes: dict) -> subprocess.CompletedProcess:
    import os

    env = {k: v for k, v in os.environ.items()
           if k not in ("QT_QPA_PLATFORM", "DISPLAY", "WAYLAND_DISPLAY")}
    env.update(env_changes)
    return subprocess.run([sys.executable, "-m", "desktop.qt_check"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


def test_a_platform_that_cannot_load_fails_the_check_even_when_set():
    result = _check({"QT_QPA_PLATFORM": "no-such-platform"})
    assert result.returncode == 1
    assert "platform plugin" in result.stderr


def test_a_platform_that_loads_passes():
    assert _check({"QT_QPA_PLATFORM": "offscreen"}).returncode == 0


def test_no_display_and_no_platform_is_left_to_dossier():
    assert _check({}).returncode == 0
