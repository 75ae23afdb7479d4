"""Text analysis (spaCy entities, direct quotes) as plain Python.

Nothing in this package imports Qt or the storage layer, so the same code
runs in a GUI worker thread, the command line and tests.
"""
