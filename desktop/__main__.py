"""``python -m desktop`` runs the ``dossier`` command."""

import sys

from desktop.cli import main

if __name__ == "__main__":      # (not when a spawned child imports it)
    sys.exit(main())
