"""The Qt part of Dossier: the window, its controllers, dialogs and workers.

Everything that imports PySide6 lives here (import-linter keeps it so); the
rest of ``desktop/`` — analysis, importers, exporters, REFI-QDA, the command
line — runs without Qt.
"""
