"""New stable ids: time-ordered UUIDs (RFC 9562, version 7).

A row's ``uuid`` is kept in a unique index. Random (version 4) ids put each
new row's entry on a random page of that index: with 200,000 passages, a
tag saved read one or two index pages from disk whenever the file was not
in the system's cache, the journal step's own uuid as many again. A
version 7 id starts with the time in milliseconds, so new rows go to the
index's last page, which is already in memory. They are UUIDs like any
other for REFI-QDA, the team hub and merges; they show when the row was
made, as its ``created_at`` does already.

Ids made by one process in one millisecond count up (the 12 bits after the
version hold a counter that starts at a random value), so they stay in the
order they were made.
"""

from __future__ import annotations

import os
import threading
import time
import uuid

_lock = threading.Lock()
_last_ms = 0
_counter = 0


def new_uuid() -> str:
    """A new version 7 UUID, as a lower-case hyphenated string."""
    global _last_ms, _counter
    with _lock:
        ms = time.time_ns() // 1_000_000
        if ms > _last_ms:
            _last_ms, _counter = ms, int.from_bytes(os.urandom(2), "big") & 0x7FF
        else:                       # the same millisecond (or the clock went back)
            _counter += 1
            if _counter > 0xFFF:    # 4,096 ids in one millisecond: borrow the next
                _last_ms, _counter = _last_ms + 1, 0
        ms, counter = _last_ms, _counter
    value = (ms & 0xFFFF_FFFF_FFFF) << 80 | 0x7 << 76 | counter << 64
    value |= 0b10 << 62 | int.from_bytes(os.urandom(8), "big") & (2**62 - 1)
    return str(uuid.UUID(int=value))
