"""Reusable Qt widgets. They take plain data (dicts, lists, tuples) and emit
signals; none of them touches SQL or spaCy."""
