"""A throwaway PostgreSQL cluster for the team-hub tests.

``initdb`` in a temporary folder, ``postgres`` listening on 127.0.0.1 on a
free port with its unix socket in that folder; stopped (and the folder
removed) at the end. Run as root (a container, CI), the server runs as the
``postgres`` OS user, which PostgreSQL requires. The superuser ``postgres``
connects through the socket without a password; every other role over TCP
with its password (scram-sha-256), as analysts do.
"""

from __future__ import annotations

import glob
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path


def _binaries() -> Path | None:
    """The folder of PostgreSQL's server binaries (newest version), or None."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"),
                   key=lambda p: int(p.split("/")[4]) if p.split("/")[4].isdigit() else 0)
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).resolve().parent if initdb else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class HubServer:
    """One running cluster: :attr:`admin_url` (superuser, unix socket) and
    :meth:`url` for a role over TCP."""

    def __init__(self) -> None:
        self.bin = _binaries()
        if self.bin is None:
            raise RuntimeError("PostgreSQL is not installed (make test installs it)")
        self.folder = Path(tempfile.mkdtemp(prefix="dossier-pg-"))
        self.data = self.folder / "data"
        self.port = _free_port()
        self.process: subprocess.Popen | None = None
        self._user = "postgres" if os.geteuid() == 0 else None
        if self._user:
            os.chmod(self.folder, 0o755)
            shutil.chown(self.folder, self._user, self._user)
        subprocess.run([str(self.bin / "initdb"), "-D", str(self.data), "-U", "postgres",
                        "--auth-local=trust", "--auth-host=scram-sha-256", "-E", "UTF8",
                        "--no-sync", "--locale=C.UTF-8"],
                       check=True, capture_output=True, user=self._user)
        try:
            self.start()
            self._create_database()
        except BaseException:
            self.close()
            raise

    def start(self) -> None:
        """Start the server (again, after :meth:`stop`) and wait until it answers."""
        log = open(self.folder / "server.log", "ab")
        self.process = subprocess.Popen(
            [str(self.bin / "postgres"), "-D", str(self.data), "-p", str(self.port),
             "-c", "listen_addresses=127.0.0.1", "-c", f"unix_socket_directories={self.folder}",
             "-c", "fsync=off", "-c", "max_connections=100"],
            stdout=log, stderr=log, user=self._user, start_new_session=True)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError((self.folder / "server.log").read_text()[-2000:])
            if (self.folder / f".s.PGSQL.{self.port}").exists():
                import psycopg
                try:
                    psycopg.connect(self.admin_url("postgres"), connect_timeout=2).close()
                    return
                except psycopg.OperationalError:
                    pass    # "the database system is starting up"
            time.sleep(0.05)
        raise RuntimeError("PostgreSQL did not start in 30 s")

    def stop(self, *, fast: bool = True) -> None:
        """Stop the server (``fast``: abort open transactions, as a crash would
        for the clients)."""
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGINT if fast else signal.SIGTERM)
            self.process.wait(30)
        self.process = None

    def _create_database(self) -> None:
        import psycopg

        with psycopg.connect(self.admin_url("postgres"), autocommit=True) as conn:
            conn.execute("CREATE DATABASE hub")
            conn.execute("ALTER ROLE postgres PASSWORD 'admin-secret'")

    def admin_url(self, database: str = "hub") -> str:
        """The superuser's URL: the unix socket, no password."""
        return f"postgresql://postgres@/{database}?host={self.folder}&port={self.port}"

    def url(self, user: str, password: str | None = None, database: str = "hub") -> str:
        """A role's URL over TCP."""
        secret = f":{password}" if password else ""
        return f"postgresql://{user}{secret}@127.0.0.1:{self.port}/{database}"

    def close(self) -> None:
        """Stop the server and remove its folder."""
        self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)


def copy_settled(source: Path, target: Path) -> Path:
    """Copy a database file as a user would after Dossier closed it: its
    write-ahead log folded into the file first (a copy of the file alone
    would miss what is still in the log); returns ``target``."""
    from storage import open_database

    settled = open_database(source)
    settled.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    settled.close()
    shutil.copy(source, target)
    return target
