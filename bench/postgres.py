"""A throwaway PostgreSQL server on loopback, for the tests and benchmarks that need a lake with
a PostgreSQL catalog (Debian's `postgresql` package; `.ci/run` installs it). The cluster test
also stops it and starts it again in the middle of a run, to see what an outage does.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class PostgresServer:
    """A fresh cluster in a temporary folder with one database, `lake`, on a free loopback port."""

    def __init__(self) -> None:
        bins = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
        assert bins, "PostgreSQL is not installed: apt-get install postgresql (.ci/run does)"
        self.bindir = bins[-1].parent
        self.base = Path(tempfile.mkdtemp(prefix="shingikai-pg-"))
        self.as_user: list[str] = []
        if os.geteuid() == 0:  # initdb refuses to run as root: run the server as the postgres user
            shutil.chown(self.base, "postgres", "postgres")
            self.base.chmod(0o755)
            self.as_user = ["runuser", "-u", "postgres", "--"]
        self.data, self.port = self.base / "data", free_port()
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8")

    @property
    def catalog(self) -> str:
        """The lake's catalog, as `--db` takes it."""
        return f"postgres:dbname=lake host=127.0.0.1 port={self.port} user=postgres"

    def _run(self, tool: str, *args: str) -> None:
        cmd = [*self.as_user, str(self.bindir / tool), *args]
        subprocess.run(cmd, check=True, capture_output=True, timeout=120)

    def start(self) -> None:
        options = (
            f"-p {self.port} -k {self.base} -c listen_addresses=127.0.0.1 -c max_connections=50"
        )
        log = str(self.base / "log")
        self._run("pg_ctl", "-D", str(self.data), "-o", options, "-l", log, "-w", "start")

    def stop(self, mode: str = "immediate") -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop")

    def create_lake(self, name: str = "lake") -> None:
        self._run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", name)

    def remove(self) -> None:
        """Stop the server if it runs, and delete its files."""
        try:
            self.stop()
        except subprocess.CalledProcessError:
            pass  # already stopped
        shutil.rmtree(self.base, ignore_errors=True)


@contextmanager
def postgres_lake() -> Iterator[PostgresServer]:
    """A started server with an empty `lake` database, removed on exit."""
    server = PostgresServer()
    try:
        server.start()
        server.create_lake()
        yield server
    finally:
        server.remove()
