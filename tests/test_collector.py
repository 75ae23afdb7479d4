"""The window's process leaves start-up's objects out of the garbage
collector's passes (``desktop.gui.collector``), and a restore can still
collect a connection left in a reference cycle. Run in a child process: a
freeze would otherwise last for the rest of the test session."""

from __future__ import annotations

import subprocess
import sys
import textwrap


def _run(code: str) -> str:
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True,
                          text=True, check=True, cwd=".").stdout.strip()


def test_start_up_is_left_out_and_a_full_collection_still_frees_cycles():
    out = _run("""
        import gc, sqlite3, weakref
        from desktop.gui.collector import (collect_everything,
                                           leave_start_up_out_of_collections)

        class Holder:
            pass

        holder = Holder()
        holder.me = holder                      # a cycle, as a traceback makes
        holder.conn = sqlite3.connect(":memory:")
        alive = weakref.ref(holder)
        leave_start_up_out_of_collections()
        frozen = gc.get_freeze_count()
        del holder
        gc.collect()
        kept = alive() is not None              # frozen: no pass frees it
        collect_everything()
        print(frozen > 0, kept, alive() is None, gc.get_freeze_count() > 0)
    """)
    assert out == "True True True True"


def test_a_full_collection_leaves_an_unfrozen_process_unfrozen():
    out = _run("""
        import gc
        from desktop.gui.collector import collect_everything
        collect_everything()
        print(gc.get_freeze_count())
    """)
    assert out == "0"
