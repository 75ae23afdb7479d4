"""Former home of the .txt importer, kept so that code written against it
(``from desktop.text_import import import_files``) keeps working while
other branches merge; the importers now live in :mod:`desktop.importers`.
"""

from desktop.importers.article_text import (  # noqa: F401
    clean_article,
    first_sentence,
    normalise,
    shorten,
)
from desktop.importers.drafts import ImportProblem  # noqa: F401
from desktop.importers.run import ImportReport, collect_files, import_files  # noqa: F401
