"""Importing the documents analysts have into Dossier.

One module per kind of file, each plain Python (no Qt) turning a file into
:class:`~desktop.importers.drafts.ArticleDraft` objects:

- ``plain_text``: .txt and .md
- ``web_page``: saved web pages (.html, .htm), via trafilatura
- ``word_document``: .docx, via python-docx
- ``pdf_document``: .pdf text layers, via pypdf
- ``email_message``: .eml, via the standard library
- ``batch_files``: .csv, .json and .jsonl exports of scrapers and news APIs,
  streamed row by row
- ``web``: pages by URL and RSS/Atom feeds, fetched politely (robots.txt,
  a per-host delay)

``dispatch`` picks the reader by suffix and sniffed content, ``article_text``
decides the stored text and title, ``file_bytes`` reads and decodes files, and
``run`` imports files and folders (:func:`import_files`), one transaction per
file (500 rows a transaction for batch files), returning an :class:`ImportReport`.
"""

from desktop.importers.drafts import ArticleDraft, ImportProblem  # noqa: F401
from desktop.importers.run import (  # noqa: F401
    ImportReport, collect_files, import_files, split_projects)
