"""Exit 0 if Qt can open a window on this display, 1 if its platform plugin
cannot load (typically missing XCB libraries); used by ``make run``."""

from __future__ import annotations

import os
import subprocess
import sys

PROBE = "from PySide6.QtGui import QGuiApplication; QGuiApplication([])"


def main() -> int:
    if os.environ.get("QT_QPA_PLATFORM") or not (
            os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        return 0  # nothing to check: offscreen, or no display at all
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
