"""``python -m desktop`` runs the ``dossier`` command."""

import sys

from desktop.cli import main

sys.exit(main())
