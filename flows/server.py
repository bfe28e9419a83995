"""Prefect's API for one command-line run: the configured server, or a temporary one started early.

Without a configured server (`PREFECT_API_URL`, in the environment or the active Prefect
profile) Prefect starts a temporary one the first time a flow needs it, which takes 8-16 s
here, and nothing else happens meanwhile. `TemporaryServer` starts the same server (uvicorn
serving Prefect's app, no UI) before this process even imports Prefect, so that the start
overlaps planning, Prefect's own import and the extraction workers loading GiNZA; the run
then points Prefect at it. `stop` ends it quietly, after Prefect has sent its last logs.

This module does not import Prefect, so starting the server costs this process nothing.
"""

from __future__ import annotations

import importlib.util
import os
import socket
import subprocess
import sys
import tempfile
import time
import tomllib
from pathlib import Path


def configured_api_url() -> str | None:
    """The Prefect API this process is configured to use, if any (environment, then profile)."""
    if os.environ.get("PREFECT_API_URL"):
        return os.environ["PREFECT_API_URL"]
    home = Path(os.environ.get("PREFECT_HOME", Path.home() / ".prefect")).expanduser()
    profiles = Path(os.environ.get("PREFECT_PROFILES_PATH", home / "profiles.toml")).expanduser()
    try:
        data = tomllib.loads(profiles.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError):
        return None
    active = os.environ.get("PREFECT_PROFILE") or data.get("active", "ephemeral")
    url = data.get("profiles", {}).get(active, {}).get("PREFECT_API_URL")
    return str(url) if url else None


class ServerStartError(RuntimeError):
    """Prefect's temporary API server did not start."""


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# Runs uvicorn, and ends it when the process that started it is gone: a pipe from the parent is
# its standard input, and end of file there means the parent closed it (`stop`) or died, even by
# SIGKILL, which leaves no chance to clean up. Without this, every killed ingest left a server
# (~300 MB) running for good.
WITH_PARENT = """
import os, runpy, signal, sys, threading, time
def watch():
    sys.stdin.buffer.read()
    os.kill(os.getpid(), signal.SIGTERM)
    time.sleep(10)
    os._exit(1)
threading.Thread(target=watch, daemon=True).start()
sys.argv = ["uvicorn", *sys.argv[1:]]
runpy.run_module("uvicorn", run_name="__main__", alter_sys=True)
"""


def uvicorn_args(port: int) -> list[str]:
    """uvicorn's arguments to serve Prefect's API (no UI) on 127.0.0.1:`port`."""
    spec = importlib.util.find_spec("prefect")
    assert spec is not None and spec.origin is not None, "prefect is not installed"
    return [
        "--app-dir",
        str(Path(spec.origin).parent.parent),
        "--factory",
        "prefect.server.api.server:create_app",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--log-level",
        "error",
        "--lifespan",
        "on",
    ]


def server_env(**extra: str) -> dict[str, str]:
    """The server's environment: Prefect's ephemeral mode (only the services a run needs), no UI,
    no analytics, and never a configured API of its own."""
    env = {
        **os.environ,
        "PREFECT_UI_ENABLED": "0",
        "PREFECT__SERVER_EPHEMERAL": "1",
        "PREFECT__SERVER_FINAL": "1",
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        **extra,
    }
    env.pop("PREFECT_API_URL", None)
    return env


def startup_timeout() -> float:
    """How long a server may take to answer (Prefect's own setting, which the command raises)."""
    return float(os.environ.get("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", 90))


class TemporaryServer:
    """A Prefect API server in a subprocess, for this run only (what Prefect's ephemeral mode
    runs); it ends with this process, however this process ends."""

    def __init__(self) -> None:
        self._output = tempfile.TemporaryFile(mode="w+")
        self.proc: subprocess.Popen[bytes] | None = None
        self.port = 0
        self._launch()

    def _launch(self) -> None:
        if self.proc is not None and self.proc.stdin is not None:
            self.proc.stdin.close()  # a server that could not take its port has exited
        self.port = free_port()
        self.proc = subprocess.Popen(
            [sys.executable, "-c", WITH_PARENT, *uvicorn_args(self.port)],
            env=server_env(),
            stdin=subprocess.PIPE,  # held open until `stop`: see WITH_PARENT
            stdout=self._output,
            stderr=subprocess.STDOUT,
        )

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api"

    def wait(self, timeout: float | None = None) -> str:
        """Block until the server answers its health check; its API URL."""
        import httpx

        if timeout is None:
            timeout = startup_timeout()
        deadline = time.monotonic() + timeout
        with httpx.Client(timeout=5) as client:
            while time.monotonic() < deadline:
                assert self.proc is not None
                code = self.proc.poll()
                if code == 3:  # the port was taken meanwhile: another one
                    self._launch()
                elif code is not None:
                    raise ServerStartError(
                        f"Prefect's temporary API server exited with code {code}: {self._tail()}"
                    )
                try:
                    if client.get(f"{self.api_url}/health").status_code == 200:
                        return self.api_url
                except httpx.TransportError:
                    pass
                time.sleep(0.1)
        raise ServerStartError(
            f"Prefect's temporary API server did not start within {timeout:g} s (raise "
            f"PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS, or set PREFECT_API_URL): {self._tail()}"
        )

    def _tail(self) -> str:
        self._output.seek(0)
        return self._output.read()[-2000:].strip()

    def stop(self) -> None:
        """End the server (it finishes its requests first); quiet."""
        if self.proc is not None and self.proc.stdin is not None:
            self.proc.stdin.close()
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None
        self._output.close()
