"""REFI-QDA project exchange (``.qdpx``): export and import.

A ``.qdpx`` is a zip holding ``project.qde`` (XML in the namespace
:data:`NAMESPACE`, schema ``tests/data/Project-mrt2019.xsd``) and the
plain-text sources as ``sources/<GUID>.txt``, referenced from the XML as
``internal://<GUID>.txt``. Dossier maps articles to ``TextSource``, tags to
``Code`` (with colour and description), passages to ``PlainTextSelection``
with one ``Coding``, analysts to ``User`` and passage notes to ``Note``
elements referenced by ``NoteRef`` (and the selection's ``Description``).

Modules: ``export`` and ``import_project`` (projects), ``codebook`` and
``codes`` (codebooks), ``positions`` (where another tool's selection really
is), ``timestamps``, ``line_breaks``, ``xml_reading`` (untrusted XML, whole
or streamed) and ``zip_limits`` (what one archive may cost).
"""

NAMESPACE = "urn:QDA-XML:project:1.0"
