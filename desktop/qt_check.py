"""Exit 0 if Qt can open a window on this display (or on the platform
``QT_QPA_PLATFORM`` names), 1 if its platform plugin cannot load (typically
missing XCB libraries); used by ``make run``, which then installs them."""

from __future__ import annotations

import os
import subprocess
import sys

PROBE = "from PySide6.QtGui import QGuiApplication; QGuiApplication([])"


def main() -> int:
    # A platform named in QT_QPA_PLATFORM is checked too (xcb named there needs
    # the same XCB libraries; skipping the check let Qt abort with a message
    # that did not say so). Without it and without a display there is nothing
    # to open a window on: `dossier` says so itself.
    if not (os.environ.get("QT_QPA_PLATFORM") or os.environ.get("DISPLAY")
            or os.environ.get("WAYLAND_DISPLAY")):
        return 0
    try:
        result = subprocess.run([sys.executable, "-c", PROBE], capture_output=True,
                                text=True, timeout=30)
    except subprocess.TimeoutExpired:
        return 0
    if result.returncode != 0:
        print("Qt cannot load its platform plugin:", result.stderr.strip().splitlines()[-1:],
              file=sys.stderr)
    return 0 if result.returncode == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
