"""Files Dossier ships: icons and the default tag set.

Read them with :func:`path` so they are found whether Dossier runs from a
checkout or an installed wheel.
"""

from importlib.resources import files
from pathlib import Path


def path(name: str) -> Path:
    """The filesystem path of a shipped resource, e.g. ``"default_tags.json"``."""
    return Path(str(files(__name__).joinpath(name)))
