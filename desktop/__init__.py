"""Dossier, the desktop application: start-up, main window, command line,
analysis and import/export."""

__version__ = "0.1.0"
