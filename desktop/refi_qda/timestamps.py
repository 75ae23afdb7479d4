"""Timestamps in REFI-QDA files: read leniently, written strictly.

The schema types ``creationDateTime`` and ``modifiedDateTime`` as
``xs:dateTime``. Tools write it several ways: ``2024-06-13T09:00:00Z``,
with an offset, with fractions, without a zone — and QualCoder appends a
``Z`` to a time that already has an offset (``…+00:00Z``, not a valid
``xs:dateTime``), which it does to the times Dossier gave it. Coming in,
every such form is read and stored as Dossier stores times (UTC,
``2024-06-13T09:00:00+00:00``; a time without zone is taken as UTC); a
value that is no time at all is dropped (the passage gets the import time).
Going out, times are written as ``2024-06-13T09:00:00Z``.
"""

from __future__ import annotations

import re
from datetime import datetime, timezone

_DOUBLE_ZONE = re.compile(r"([+-]\d{2}:?\d{2})Z$")


def parse_timestamp(value: str | None) -> datetime | None:
    """The aware UTC time ``value`` means, or None if it is not a time."""
    value = (value or "").strip()
    if not value:
        return None
    value = _DOUBLE_ZONE.sub(r"\1", value)          # QualCoder's "+00:00Z"
    if value.endswith(("Z", "z")):
        value = value[:-1] + "+00:00"
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    try:
        return moment.astimezone(timezone.utc)
    except (OverflowError, ValueError):
        return None


def stored_timestamp(value: str | None) -> str | None:
    """``value`` as Dossier stores times (``…+00:00``, seconds), or None."""
    moment = parse_timestamp(value)
    return moment.isoformat(timespec="seconds") if moment else None


def xml_timestamp(value: str | None) -> str | None:
    """``value`` (any form :func:`parse_timestamp` reads) as a valid
    ``xs:dateTime`` in UTC with ``Z``; None if it is not a time."""
    moment = parse_timestamp(value)
    # the year by hand: strftime's %Y is not zero-padded on Linux ("1-01-01"
    # for .NET's DateTime.MinValue), and xs:dateTime wants four digits
    return f"{moment.year:04d}-{moment:%m-%dT%H:%M:%S}Z" if moment else None
