"""The SQLite store: schema, migrations and every SQL statement Dossier runs.

Nothing here imports Qt or spaCy. Functions take an open
:class:`sqlite_utils.Database` (from :func:`storage.database.open_database`)
and plain Python values, and return plain dicts, so the GUI, the command line,
worker threads and tests all share them.
"""

from storage.database import (  # noqa: F401
    DamagedDatabaseError,
    DatabaseError,
    LostDatabaseError,
    NewerDatabaseError,
    NotADossierDatabaseError,
    NotARegularFileError,
    ReadOnlyDatabaseError,
    damage_reported,
    is_read_only,
    open_database,
)
