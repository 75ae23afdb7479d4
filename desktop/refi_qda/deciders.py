"""Who decided a consensus passage, carried through a REFI-QDA project.

A consensus passage (analyst ``consensus``, see :mod:`storage.consensus`)
names in ``decided_by`` everyone who decided a part of it (``carla; dan``).
REFI-QDA has one ``creatingUser`` per selection, which is ``consensus``, so
Dossier writes the deciders as a line of the selection's ``Description``
(:data:`MARK` and the names as an ASCII-only JSON string, so that any name
survives), the way orphaned passages are marked
(:mod:`desktop.refi_qda.orphans`). Importing the project into Dossier reads
it back and keeps it out of the passage's note; other tools show the line in
the coding memo. Plain Python.
"""

from __future__ import annotations

import json

from desktop.refi_qda.orphans import marked_value

#: Starts the line of a consensus selection's Description naming its deciders.
MARK = "Dossier-decided-by: "


def deciders_line(decided_by: str) -> str:
    """The Description line naming a consensus passage's deciders."""
    return f"{MARK}{json.dumps(decided_by, ensure_ascii=True)}"


def deciders_from_description(description: str | None) -> str | None:
    """The ``decided_by`` a Description carries (as :func:`deciders_line`
    writes it), or None when it carries none or a damaged one."""
    found = marked_value(description, MARK)
    return found.strip() if isinstance(found, str) and found.strip() else None


def without_deciders(text: str) -> str:
    """``text`` (a note read from a Description) without the deciders line:
    it is Dossier's mark, not what the analysts wrote. Only that line goes,
    with the line break the export joined it on with
    (:func:`desktop.refi_qda.export.selection_description`): the note
    around it keeps its blank space, as written."""
    if MARK not in text:
        return text
    lines = text.splitlines(keepends=True)
    kept = "".join(line for line in lines if not line.startswith(MARK))
    if lines[-1].startswith(MARK) and kept.endswith("\n"):
        kept = kept[:-1]        # the break before the (last) deciders line
    return kept
