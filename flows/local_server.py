"""A local Prefect API server that the first run starts and later runs reuse (issue 24).

Without a configured server (`PREFECT_API_URL`) every `shingikai ingest` used to start its own
temporary server: 8-16 s on an idle machine, a minute or more on a loaded one, every time. Now
the first run starts one detached from itself, on 127.0.0.1, with its own Prefect home (its
database) under the user's state folder, and writes where it is to a small state file; later
runs find it there, check that it is still the same server and healthy, and use it at once.

The state folder is $SHINGIKAI_STATE_DIR, else $XDG_STATE_HOME/shingikai, else
~/.local/state/shingikai; the server's files are in its `prefect-server/`:

- `server.json`: pid, port, URL, Prefect's version and when it started;
- `server.lock`: held while a run decides whether to reuse, replace or start the server, so two
  runs starting together start one server;
- `in-use.lock`: every run using the server holds it shared; the server's idle watch and
  `shingikai server stop` take it exclusively, so neither ends a server a run is using;
- `last-used`: touched by each run; the server ends itself after SHINGIKAI_SERVER_IDLE_MINUTES
  (default 60, 0: never) with no run;
- `server.log`, and `home/` (its PREFECT_HOME).

State is stale, and the server replaced, when its process is gone, when the pid now belongs to
another program, when the port is no longer that process's, when it runs another Prefect
version, or when it has not answered within the start-up timeout. `SHINGIKAI_PREFECT_SERVER=
temporary` (or `ingest --temporary-server`) keeps the old way: a server for this run only, which
the tests and CI use so that nothing outlives them.

This module does not import Prefect.
"""

from __future__ import annotations

import contextlib
import fcntl
import http.client
import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from flows.server import ServerStartError, free_port, server_env, startup_timeout, uvicorn_args

MODE_ENV = "SHINGIKAI_PREFECT_SERVER"  # "reuse" (the default) or "temporary"
IDLE_ENV = "SHINGIKAI_SERVER_IDLE_MINUTES"
DEFAULT_IDLE_MINUTES = 60.0
MARKER = "shingikai-prefect-server"

# The detached server: uvicorn serving Prefect's API, with a thread that ends it once no run has
# used it for the idle time and none holds `in-use.lock`. Its first arguments are the state folder
# and the idle seconds; the marker in this text tells `ps` (and `_ours`) what the process is.
SERVE = """# shingikai-prefect-server
import fcntl, os, runpy, signal, sys, threading, time
folder, idle = sys.argv[1], float(sys.argv[2])
started = time.time()
def watch():
    while True:
        time.sleep(max(1.0, min(60.0, idle / 4)))
        try:
            last = max(started, os.stat(os.path.join(folder, "last-used")).st_mtime)
        except OSError:
            last = started
        if time.time() - last < idle:
            continue
        fd = os.open(os.path.join(folder, "in-use.lock"), os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            continue
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(10)
        os._exit(1)
if idle > 0:
    threading.Thread(target=watch, daemon=True).start()
sys.argv = ["uvicorn", *sys.argv[3:]]
runpy.run_module("uvicorn", run_name="__main__", alter_sys=True)
"""


def reuse_wanted() -> bool:
    """False when the run should keep Prefect's old way, a server of its own (SHINGIKAI_PREFECT_SERVER)."""
    return os.environ.get(MODE_ENV, "reuse").strip().lower() not in ("temporary", "off", "0", "no")


def state_dir() -> Path:
    """The folder of the reused server's files."""
    base = os.environ.get("SHINGIKAI_STATE_DIR")
    if base:
        return Path(base).expanduser() / "prefect-server"
    xdg = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(xdg).expanduser() / "shingikai" / "prefect-server"


def idle_seconds() -> float:
    try:
        minutes = float(os.environ.get(IDLE_ENV, DEFAULT_IDLE_MINUTES))
    except ValueError:
        minutes = DEFAULT_IDLE_MINUTES
    return max(0.0, minutes * 60)


def prefect_version() -> str:
    from importlib.metadata import version

    return version("prefect")


@dataclass
class State:
    """What `server.json` holds."""

    pid: int
    port: int
    prefect: str
    started: float  # time.time()

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api"


def _read_state(folder: Path) -> State | None:
    try:
        data = json.loads((folder / "server.json").read_text(encoding="utf-8"))
        return State(
            int(data["pid"]), int(data["port"]), str(data["prefect"]), float(data["started"])
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _write_state(folder: Path, state: State) -> None:
    tmp = folder / "server.json.tmp"
    tmp.write_text(json.dumps(asdict(state)), encoding="utf-8")
    tmp.replace(folder / "server.json")


def _ours(state: State, folder: Path) -> bool:
    """True when `state.pid` is still this folder's server (a pid is reused once its process ends)."""
    import psutil

    try:
        args = psutil.Process(state.pid).cmdline()
    except psutil.Error:
        return False
    return _alive(state.pid) and any(MARKER in a for a in args) and str(folder) in args


def _listening(state: State) -> bool:
    """True when the server's own process holds its port (not another program since)."""
    import psutil

    try:
        conns = psutil.Process(state.pid).net_connections(kind="tcp")
    except psutil.Error:
        return False
    return any(
        c.status == psutil.CONN_LISTEN and c.laddr and c.laddr.port == state.port for c in conns
    )


def healthy(url: str, timeout: float = 5.0) -> bool:
    """True when Prefect's API at `url` answers its health check (http.client: no import cost)."""
    host_port = url.split("//", 1)[1].split("/", 1)[0]
    host, _, port = host_port.partition(":")
    conn = http.client.HTTPConnection(host, int(port or 80), timeout=timeout)
    try:
        conn.request("GET", "/api/health")
        return conn.getresponse().status == 200
    except (OSError, http.client.HTTPException):
        return False
    finally:
        conn.close()


def _touch(folder: Path) -> None:
    with contextlib.suppress(OSError):
        (folder / "last-used").touch()


@contextlib.contextmanager
def _locked(path: Path, how: int) -> Any:
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, how)
        yield fd
    finally:
        os.close(fd)


def _end(pid: int, wait: float = 10.0) -> None:
    """SIGTERM, then SIGKILL after `wait` s (the caller has checked it is our server)."""
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        if not _alive(pid):
            return
        time.sleep(0.1)
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)


def _alive(pid: int) -> bool:
    import psutil

    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE  # a zombie has ended
    except psutil.Error:
        return False


def _spawn(folder: Path) -> State:
    """Start the server detached (its own session: Ctrl-C of a run does not reach it)."""
    home = folder / "home"
    home.mkdir(parents=True, exist_ok=True)
    port = free_port()
    with (folder / "server.log").open("ab") as log:
        proc = subprocess.Popen(
            [sys.executable, "-c", SERVE, str(folder), str(idle_seconds()), *uvicorn_args(port)],
            env=server_env(PREFECT_HOME=str(home)),
            cwd=home,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    state = State(proc.pid, port, prefect_version(), time.time())
    _write_state(folder, state)
    return state


def _status(state: State | None, folder: Path) -> str:
    """ "healthy", "starting" (ours, young, not answering yet), or why the state is stale."""
    if state is None:
        return "none"
    if not _ours(state, folder):
        return "gone"
    if state.prefect != prefect_version():
        return "another Prefect version"
    if healthy(state.api_url) and _listening(state):
        return "healthy"
    if time.time() - state.started < startup_timeout():
        return "starting"
    return "not answering"


class ReusedServer:
    """This run's use of the local server: found healthy, awaited while another run starts it, or
    started now; `stop` only lets go of it (the server stays for the next run)."""

    def __init__(self, folder: Path | None = None) -> None:
        self.folder = folder or state_dir()
        self.folder.mkdir(parents=True, exist_ok=True)
        self.started_here = False
        self.reused = False
        # held shared until `stop`: neither the idle watch nor `server stop` ends it meanwhile
        self._in_use: int | None = os.open(
            self.folder / "in-use.lock", os.O_RDWR | os.O_CREAT, 0o600
        )
        fcntl.flock(self._in_use, fcntl.LOCK_SH)
        _touch(self.folder)
        with _locked(self.folder / "server.lock", fcntl.LOCK_EX):
            state = _read_state(self.folder)
            status = _status(state, self.folder)
            if state is not None and status in ("healthy", "starting"):
                self.state = state
                self.reused = status == "healthy"
            else:
                if state is not None and status != "gone":
                    _end(state.pid)  # ours, but of another version or hung
                self.state = _spawn(self.folder)
                self.started_here = True

    @property
    def api_url(self) -> str:
        return self.state.api_url

    def wait(self, timeout: float | None = None) -> str:
        """Block until the server answers; its API URL. A server that exits while starting (its
        port taken meanwhile) is started again, once per exit."""
        timeout = startup_timeout() if timeout is None else timeout
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if healthy(self.api_url, timeout=2):
                return self.api_url
            if not _alive(self.state.pid):
                with _locked(self.folder / "server.lock", fcntl.LOCK_EX):
                    current = _read_state(self.folder)
                    if (
                        current is not None
                        and current.pid != self.state.pid
                        and _ours(current, self.folder)
                    ):
                        self.state = current  # another run replaced it already
                    else:
                        self.state = _spawn(self.folder)
                        self.started_here = True
                continue
            time.sleep(0.1)
        raise ServerStartError(
            f"the local Prefect server did not answer within {timeout:g} s (see "
            f"{self.folder / 'server.log'}; `shingikai server stop` ends it, "
            "SHINGIKAI_PREFECT_SERVER=temporary starts one for each run instead)"
        )

    def stop(self) -> None:
        """Let go of the server (it stays up for the next run)."""
        _touch(self.folder)
        if self._in_use is not None:
            os.close(self._in_use)
            self._in_use = None


@dataclass
class Report:
    """What `shingikai server status` says."""

    folder: Path
    status: str
    state: State | None
    in_use: bool

    def lines(self) -> list[str]:
        if self.state is None or self.status in ("none", "gone"):
            return [f"no local Prefect server running (state in {self.folder})"]
        age = time.time() - self.state.started
        return [
            f"local Prefect server: {self.status}, {self.state.api_url}, pid {self.state.pid}, "
            f"Prefect {self.state.prefect}, up {age / 60:.0f} min"
            + (", in use by a run" if self.in_use else ""),
            f"state and log in {self.folder}",
        ]


def _in_use(folder: Path) -> bool:
    fd = os.open(folder / "in-use.lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return True
    finally:
        os.close(fd)
    return False


def status(folder: Path | None = None) -> Report:
    folder = folder or state_dir()
    if not folder.exists():
        return Report(folder, "none", None, False)
    state = _read_state(folder)
    return Report(folder, _status(state, folder), state, _in_use(folder))


class ServerInUse(RuntimeError):
    """`server stop` without --force while a run uses the server."""


def start(folder: Path | None = None) -> ReusedServer:
    """Start (or find) the server and wait until it answers (`shingikai server start`)."""
    server = ReusedServer(folder)
    try:
        server.wait()
    finally:
        server.stop()
    return server


def stop(folder: Path | None = None, force: bool = False) -> State | None:
    """End the server and forget its state; the state it had (None: none was running)."""
    folder = folder or state_dir()
    if not folder.exists():
        return None
    with _locked(folder / "server.lock", fcntl.LOCK_EX):
        state = _read_state(folder)
        if state is None:
            return None
        running = _ours(state, folder)
        if running and not force and _in_use(folder):
            raise ServerInUse(
                f"the local Prefect server (pid {state.pid}) is in use by a run: "
                "stop it when the run ends, or use --force"
            )
        if running:
            _end(state.pid)
        with contextlib.suppress(FileNotFoundError):
            (folder / "server.json").unlink()
    return state if running else None
