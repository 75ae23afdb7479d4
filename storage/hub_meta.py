"""The meta keys that say whether a file is, or was, a team hub's — readable
without :mod:`storage.hub_sync` and the PostgreSQL driver it loads (a
file's opening asks them)."""

from __future__ import annotations

from sqlite_utils import Database

from storage.database import get_meta

#: The hub's address (without password) while the file syncs with one.
HUB_URL = "hub_url"
#: Set when a file leaves its hub ("address, when"): it cannot join one again.
HUB_LEFT = "hub_left"


def on_a_team_hub(db: Database) -> bool:
    """Whether the file syncs with a team hub, or did: its codebook and
    corpus are (were) the team's, not Dossier's shipped ones."""
    return bool(get_meta(db, HUB_URL) or get_meta(db, HUB_LEFT))
