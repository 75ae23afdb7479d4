"""The five articles a new Dossier database starts with (Cambodia–Australia
police cooperation against cybercrime), loaded on first run."""

from importlib.resources import files
from pathlib import Path


def seed_files() -> list[Path]:
    """The shipped seed article files, in name order."""
    return sorted(Path(str(p)) for p in files(__name__).iterdir()
                  if p.name.endswith(".txt"))
