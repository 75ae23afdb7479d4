"""The garbage collector in the window's process.

Python's collector now and then makes a full pass over every object the
process holds, on whichever thread allocates at that moment: in the window's
process (~70,000 objects once the window is built) such a pass took 22-58 ms
of the GUI thread, measured on 2 cores with the 100k benchmark corpus open.
:func:`leave_start_up_out_of_collections` leaves what start-up made out of
later passes; :func:`collect_everything` is the full pass a restore needs.
"""

from __future__ import annotations

import gc


def leave_start_up_out_of_collections() -> None:
    """Leave what start-up made (modules, Qt wrappers, the window) out of
    every later pass of the garbage collector: ``gc.collect()`` then
    ``gc.freeze()``, once the window is shown.

    A full pass over the window's process walks ~70,000 objects and took
    22-58 ms on the GUI thread (measured on 2 cores with the 100k corpus
    open): a stall whenever Python decided to make one. After the freeze a
    pass walks only what was made since. Objects frozen here that become
    cyclic garbage later are never collected (start-up objects live as long
    as the window); a restore, which needs an old connection collected,
    calls :func:`collect_everything` first."""
    gc.collect()
    gc.freeze()


def collect_everything() -> None:
    """A full collection, frozen objects included (then frozen again, if
    they were): a connection left in a reference cycle is closed now."""
    frozen = gc.get_freeze_count() > 0
    gc.unfreeze()
    gc.collect()
    if frozen:
        gc.freeze()
