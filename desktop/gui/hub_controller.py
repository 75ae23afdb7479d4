"""The team hub in the window: File → Connect to team hub…, a worker that
syncs in the background, and the status bar's "hub: synced / N changes
waiting / offline".

Self-contained: :func:`install` adds the menu action and the status label
to a main window (one line there). The worker runs the sync loop
(``desktop.hub_loop``: push as soon as the file changes, pull when the hub
NOTIFYs, every 30 s anyway, offline retries) in its own thread with its own
SQLite and PostgreSQL connections; File → Sync with team hub now or a click
on the status label wakes it.

What it pulls is committed from its own connection: when a sync brought
something, the window reads it at once (:meth:`check_external_changes`,
not at its next look every 500 ms), and the
:attr:`HubController.changesArrived` signal carries the
:class:`storage.changes.Changes` for panels that listen to it.

The password is kept in the system keyring (``desktop.hub_credentials``);
where there is none it is asked once per session and kept in memory only.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QObject, Qt, QThread, Signal
from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit,
                               QMessageBox, QProgressDialog, QVBoxLayout)

from desktop import hub_credentials
from desktop.hub_loop import SyncLoop

log = logging.getLogger(__name__)


class _LoopThread(QThread):
    def __init__(self, target) -> None:
        super().__init__()
        self._target = target

    def run(self) -> None:
        self._target()


def hub_url(address: str, user: str) -> str:
    """``postgresql://user@host[:port]/db`` from what the dialog was given
    (an address with or without ``postgresql://`` and a user name)."""
    address = address.strip()
    if "://" not in address:
        address = "postgresql://" + address
    scheme, rest = address.split("://", 1)
    host = rest.split("@", 1)[1] if "@" in rest.split("/", 1)[0] else rest
    return f"{scheme}://{user.strip()}@{host}" if user.strip() else f"{scheme}://{rest}"


class HubDialog(QDialog):
    """Hub address, user name and password (plain text fields; the password
    is never shown or written to a file)."""

    def __init__(self, parent=None, *, url: str = "", keyring: bool = True):
        super().__init__(parent)
        self.setWindowTitle("Connect to team hub")
        layout = QVBoxLayout(self)
        intro = QLabel("Your team lead gives you the hub's address, your user name and "
                       "a password. Your work stays in this file; the hub shares it.")
        intro.setWordWrap(True)
        intro.setTextFormat(Qt.TextFormat.PlainText)
        layout.addWidget(intro)
        form = QFormLayout()
        self.address = QLineEdit()
        self.address.setPlaceholderText("hub.example.org/dossier")
        self.user = QLineEdit()
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        if url:
            scheme, rest = url.split("://", 1) if "://" in url else ("postgresql", url)
            user, _, host = rest.rpartition("@")
            self.address.setText(host)
            self.user.setText(user)
        form.addRow("Hub &address:", self.address)
        form.addRow("&User:", self.user)
        form.addRow("&Password:", self.password)
        layout.addLayout(form)
        where = ("The password is kept in the system keyring." if keyring else
                 "This system has no keyring: the password is kept only until Dossier closes.")
        note = QLabel(where)
        note.setWordWrap(True)
        layout.addWidget(note)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Connect")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def url(self) -> str:
        return hub_url(self.address.text(), self.user.text())


class HubWorker(QObject):
    """The sync loop (``desktop.hub_loop.SyncLoop``) in its own thread, its
    callbacks as signals."""

    status = Signal(str, int)          # "synced" | "waiting" | "offline" | "syncing", waiting
    synced = Signal(object)            # a hub_sync.SyncResult
    failed = Signal(str)

    def __init__(self, db_path: Path, url: str, password: str | None):
        super().__init__()
        self.loop = SyncLoop(db_path, url, password, on_status=self.status.emit,
                             on_synced=self.synced.emit, on_failed=self.failed.emit)
        self.thread = _LoopThread(self.loop.run)

    def start(self) -> None:
        self.thread.start()

    def sync_now(self) -> None:
        self.loop.wake()

    def stop(self, wait_ms: int = 10000) -> None:
        self.loop.stop()
        self.thread.wait(wait_ms)


class HubController(QObject):
    """The hub's menu actions, status label and worker for one window."""

    changesArrived = Signal(object)    # storage.changes.Changes of pulled steps

    def __init__(self, window) -> None:
        super().__init__(window)
        self.window = window
        self.worker: HubWorker | None = None
        self.label = QLabel("")
        self.label.setToolTip("Team hub: click to sync now")
        self.label.mousePressEvent = lambda _event: self.sync_now()
        window.statusBar().addPermanentWidget(self.label)
        self.last_result = None
        #: steps the hub refused this session (they stay in this file only)
        self.refused = 0
        #: the window has closed (see :meth:`close`)
        self.closed = False

    # -- menu -----------------------------------------------------------------
    def install_actions(self, menu, before=None) -> None:
        from PySide6.QtGui import QAction

        connect = QAction("Connect to team &hub…", self.window)
        connect.triggered.connect(self.connect_dialog)
        sync = QAction("S&ync with team hub now", self.window)
        sync.setShortcut("Ctrl+Shift+Y")
        sync.triggered.connect(self.sync_now)
        self.sync_action = sync
        leave = QAction("&Disconnect from team hub…", self.window)
        leave.triggered.connect(self.disconnect_dialog)
        self.disconnect_action = leave
        # offered only while this file has a hub
        menu.aboutToShow.connect(lambda: leave.setEnabled(bool(self.stored_url())))
        for action in (connect, sync, leave):
            if before is not None:
                menu.insertAction(before, action)
            else:
                menu.addAction(action)

    def stored_url(self) -> str | None:
        from storage import hub_sync
        from storage.database import get_meta

        return get_meta(self.window.db, hub_sync.HUB_URL)

    def resume(self) -> None:
        """At start: a file connected to a hub syncs again if its password is
        known (keyring); otherwise the status says how to sign in."""
        url = self.stored_url()
        if not url:
            return
        self.guard()
        if not self._this_file_syncs():
            return
        password = hub_credentials.get_password(url)
        if password is None:
            self.label.setText("hub: sign in (File → Connect to team hub…)")
            return
        self.start_worker(url, password)

    def _this_file_syncs(self) -> bool:
        """Whether this file may sync: a copy of the file that syncs (or the
        file moved) asks first — a copy would push its own changes to the
        team as the same member."""
        from storage import hub_sync

        db, path = self.window.db, self.window.db_path
        original = hub_sync.copied_from(db, path)
        if original:
            box = QMessageBox(
                QMessageBox.Icon.Question, "A copy of a hub file",
                f"This file is a copy of {original} (or was moved from there), which syncs "
                f"with the team hub. If this copy syncs too, its changes go to the whole team "
                f"as the same member, as from another computer.\n\nShould this copy sync?",
                parent=self.window)
            box.setTextFormat(Qt.TextFormat.PlainText)
            take_over = box.addButton("Sync this copy", QMessageBox.ButtonRole.AcceptRole)
            box.setDefaultButton(box.addButton("Not now", QMessageBox.ButtonRole.RejectRole))
            box.exec()
            if box.clickedButton() is not take_over:
                self.label.setText("hub: not syncing (a copy)")
                return False
        hub_sync.adopt_file(db, path)
        return True

    def guard(self) -> None:
        """Refuse in the window what the hub would refuse from this member's
        role (``storage.hub_sync.guard_local_edits``)."""
        from storage import hub_sync
        from storage.database import get_meta

        db = self.window.db
        role = get_meta(db, hub_sync.ROLE) or None
        analyst = getattr(getattr(self.window, "preferences", None), "analyst", "") or ""
        # (the guard is the connection's: a file restored from a backup has a new one)
        if (db, role, analyst) != getattr(self, "_guarded", None):
            hub_sync.guard_local_edits(db, role, analyst)
            self._guarded = (db, role, analyst)

    def connect_dialog(self) -> bool:
        dialog = HubDialog(self.window, url=self.stored_url() or "",
                           keyring=hub_credentials.has_keyring())
        try:
            if dialog.exec() != QDialog.DialogCode.Accepted:
                return False
            url, password = dialog.url(), dialog.password.text()
        finally:
            # a child of the window: kept, it held the typed password as long
            dialog.deleteLater()
        return self.connect_to(url, password)

    def connect_to(self, url: str, password: str) -> bool:
        """Sign in; on a file not yet connected, the first sync (with
        progress, in a worker); then background sync."""
        from desktop.gui.workers import Task
        from storage import hub_sync, open_database

        was = hub_sync.other_member(self.window.db, url)
        if was:
            member = hub_sync.member_in(url)
            box = QMessageBox(
                QMessageBox.Icon.Warning, "Another member",
                f"This file is connected to the team hub as {was}. Signed in as {member}, "
                f"{was}'s changes not yet sent would go up as {member}'s.\n\nMake this "
                f"file {member}'s from now on?", parent=self.window)
            box.setTextFormat(Qt.TextFormat.PlainText)
            switch = box.addButton(f"Make it {member}'s", QMessageBox.ButtonRole.AcceptRole)
            box.setDefaultButton(box.addButton(QMessageBox.StandardButton.Cancel))
            box.exec()
            if box.clickedButton() is not switch:
                return False
        first = self.stored_url() != url
        db_path = self.window.db_path
        self.stop()

        def work(progress, _cancelled):
            conn = hub_sync.connect(url, password=password)
            try:
                if hub_sync.my_role(conn) is None:
                    raise hub_sync.HubError(f"{conn.info.user} is not a member of this hub.")
                db = open_database(db_path)
                try:
                    # signing in here makes this file the one that syncs
                    if first:
                        result = hub_sync.first_sync(
                            db, conn, url, on_progress=lambda _w, d, t: progress(d, t))
                        hub_sync.adopt_file(db, db_path)
                        return result
                    hub_sync.adopt_file(db, db_path)
                    return hub_sync.sync(db, conn)
                finally:
                    db.close()
            finally:
                conn.close()

        dialog = QProgressDialog("Syncing with the team hub…", "", 0, 0, self.window)
        dialog.setCancelButton(None)
        # the file takes the hub's copy meanwhile: no edits, no closing the window
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setMinimumDuration(300)
        task = Task(work, self)
        outcome: dict = {}
        task.progress.connect(lambda d, t: (dialog.setMaximum(t), dialog.setValue(d)))
        task.succeeded.connect(lambda r: outcome.setdefault("result", r))
        task.failed.connect(lambda m: outcome.setdefault("error", m))
        task.start()
        while task.thread.isRunning() or not outcome:
            from PySide6.QtWidgets import QApplication
            QApplication.processEvents()
            task.thread.wait(20)
        dialog.close()
        if self.closed:         # closed meanwhile all the same (the session ending)
            return False
        if "error" in outcome:
            box = QMessageBox(QMessageBox.Icon.Warning, "Team hub", outcome["error"],
                              QMessageBox.StandardButton.Ok, self.window)
            box.setTextFormat(Qt.TextFormat.PlainText)      # never rich text from a server
            self.error_box = box
            box.open()
            return False
        hub_credentials.remember(hub_sync.strip_password(url), password)
        self._synced(outcome["result"])
        if hasattr(self.window, "check_external_changes"):
            self.window.check_external_changes()
        self.start_worker(hub_sync.strip_password(url), password)
        return True

    def disconnect_dialog(self) -> bool:
        """Stop syncing this file, after saying what that means."""
        from storage import hub_sync

        url = self.stored_url()
        if not url:
            return False
        waiting = hub_sync.waiting(self.window.db)
        unsent = (f"\n\n{waiting} change{'s' if waiting != 1 else ''} of yours never "
                  f"reached the hub and will stay in this file only (Cancel, then File → "
                  f"Sync with team hub now, to send them first)." if waiting else "")
        box = QMessageBox(
            QMessageBox.Icon.Question, "Disconnect from the team hub",
            f"Stop syncing this file with the team hub at {url}?\n\nThe file keeps "
            f"everything it holds, the team's work included, and becomes a file of its own: "
            f"it cannot join the hub again (a file joins a hub only when new and empty)."
            + unsent, parent=self.window)
        box.setTextFormat(Qt.TextFormat.PlainText)
        leave = box.addButton("Disconnect", QMessageBox.ButtonRole.DestructiveRole)
        box.setDefaultButton(box.addButton(QMessageBox.StandardButton.Cancel))
        box.exec()
        if box.clickedButton() is not leave:
            return False
        self.leave_hub()
        return True

    def leave_hub(self) -> None:
        """Stop the worker and make this file one of its own (not named
        ``disconnect``: that is QObject's, for signals)."""
        from storage import hub_sync

        url = self.stored_url()
        self.stop()
        hub_sync.disconnect(self.window.db)
        if url:
            hub_credentials.forget(url)
        self._guarded = (self.window.db, None, "")
        self.refused = 0
        self.label.setText("")
        self.window.statusBar().showMessage(
            "Disconnected from the team hub: this file keeps everything and syncs no more.",
            10000)

    # -- worker ---------------------------------------------------------------
    def start_worker(self, url: str, password: str | None) -> None:
        self.stop()
        if self.closed:         # (a first sync that ended after its window closed)
            return
        self.worker = HubWorker(self.window.db_path, url, password)
        self.worker.status.connect(self._status)
        self.worker.synced.connect(self._synced)
        self.worker.failed.connect(
            lambda m: self.window.statusBar().showMessage(f"Team hub: {m}", 15000))
        self.worker.start()

    def sync_now(self) -> None:
        if self.worker is not None:
            self.worker.sync_now()

    def stop(self) -> None:
        if self.worker is not None:
            self.worker.stop()
            self.worker = None

    def close(self) -> None:
        """The window is closing: no more syncs, none started after."""
        self.closed = True
        self.stop()

    def _status(self, state: str, waiting: int) -> None:
        text = {"synced": "hub: synced", "syncing": "hub: syncing…",
                "offline": "hub: offline"}.get(state, "hub:")
        if waiting and state != "synced":
            text += f" — {waiting} change{'s' if waiting != 1 else ''} waiting"
        if self.refused:
            text += f" — {self.refused} refused, in this file only"
        self.label.setText(text)

    def _synced(self, result) -> None:
        if self.closed:     # a sync that ended after its window closed (its file may be too)
            return
        self.last_result = result
        self.guard()
        if result.changes:
            # shown now, not at the window's next look for others' commits
            if result.pulled and hasattr(self.window, "check_external_changes"):
                self.window.check_external_changes()
            self.changesArrived.emit(result.changes)
        notes = [*(f"refused: {r}" for r in result.refused), *result.conflicts]
        if notes:
            more = f" (and {len(notes) - 1} more: Help → Show log)" if len(notes) > 1 else ""
            self.window.statusBar().showMessage("Team hub: " + notes[0] + more, 30000)
            for note in notes:
                log.warning("team hub: %s", note)
        if result.refused:
            # said until the window closes: the refused steps stay in this
            # file only (the hub never takes them)
            self.refused += len(result.refused)
            self._status("synced", 0)


def install(window) -> HubController:
    """Add the hub to ``window``: File menu actions (before its backup
    actions), the status label; resume syncing a connected file."""
    controller = HubController(window)
    file_menu = next((a.menu() for a in window.menuBar().actions()
                      if a.text().replace("&", "") == "File"), None)
    if file_menu is not None:
        backup = next((a for a in file_menu.actions() if "Back up" in a.text()), None)
        controller.install_actions(file_menu, before=backup)
        if backup is not None:
            file_menu.insertSeparator(backup)
    controller.resume()
    return controller
