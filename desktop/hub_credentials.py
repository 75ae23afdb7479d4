"""The hub password: in the system keyring (the ``keyring`` package), never
in a file. Where no keyring exists (a headless server, a minimal desktop),
it is kept in memory for the session only and asked again next time.
Qt-free: the CLI and the window's dialog both use it.
"""

from __future__ import annotations

import os

SERVICE = "dossier-hub"
#: Passwords given this session, for machines without a keyring.
_SESSION: dict[str, str] = {}


def _keyring():
    try:
        import keyring
        from keyring.backends import fail

        backend = keyring.get_keyring()
        if isinstance(backend, fail.Keyring) or "fail" in type(backend).__module__ \
                or "null" in type(backend).__module__:
            return None
        return keyring
    except Exception:   # no backend, a broken D-Bus session: no keyring
        return None


def has_keyring() -> bool:
    """Whether a system keyring can store the password."""
    return _keyring() is not None


def get_password(url: str) -> str | None:
    """The password for ``url`` (without its password): this session's, the
    keyring's, or ``$DOSSIER_HUB_PASSWORD``; None if none is known."""
    if url in _SESSION:
        return _SESSION[url]
    backend = _keyring()
    if backend is not None:
        try:
            found = backend.get_password(SERVICE, url)
        except Exception:
            found = None
        if found:
            return found
    return os.environ.get("DOSSIER_HUB_PASSWORD") or None


def remember(url: str, password: str) -> bool:
    """Keep ``password`` for this session and, where one exists, in the
    keyring; True if the keyring stored it."""
    _SESSION[url] = password
    backend = _keyring()
    if backend is None:
        return False
    try:
        backend.set_password(SERVICE, url, password)
        return True
    except Exception:
        return False


def forget(url: str) -> None:
    """Drop the password of ``url`` (a wrong one, or leaving the hub)."""
    _SESSION.pop(url, None)
    backend = _keyring()
    if backend is not None:
        try:
            backend.delete_password(SERVICE, url)
        except Exception:
            pass
