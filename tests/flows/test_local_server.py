"""The local Prefect server that the first run starts and later runs reuse (issue 24).

Most tests serve a stand-in API (tests/flows/fake_prefect_api.py) through the real detached
launcher, so that the state file, the locks, stale state and the idle watch are checked in
seconds; the last one runs `shingikai ingest` twice against the real Prefect server.
Every test has a state folder of its own and stops what it started.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from flows import local_server
from flows.local_server import ReusedServer, State
from tests.conftest import ROOT, SAMPLES

FAKE_APP_DIR = Path(__file__).resolve().parent


def fake_uvicorn_args(port: int) -> list[str]:
    return [
        "--app-dir",
        str(FAKE_APP_DIR),
        "fake_prefect_api:app",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--log-level",
        "error",
        "--lifespan",
        "off",
    ]


def _alive(pid: int) -> bool:
    return local_server._alive(pid)


def _wait_gone(pid: int, timeout: float = 20) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not _alive(pid):
            return True
        time.sleep(0.1)
    return False


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A state folder of the test's own, the reused server wanted, the stand-in API served."""
    monkeypatch.setenv("SHINGIKAI_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.setenv("SHINGIKAI_PREFECT_SERVER", "reuse")
    monkeypatch.setenv("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "60")
    monkeypatch.setattr(local_server, "uvicorn_args", fake_uvicorn_args)
    where = local_server.state_dir()
    try:
        yield where
    finally:
        local_server.stop(where, force=True)


def _use(folder: Path) -> ReusedServer:
    server = ReusedServer(folder)
    server.wait(60)
    return server


def test_the_first_run_starts_it_and_later_runs_reuse_it(folder: Path):
    first = _use(folder)
    first.stop()  # lets go: the server stays up
    assert first.started_here and not first.reused
    assert _alive(first.state.pid)
    assert local_server.status(folder).status == "healthy"

    later = _use(folder)
    later.stop()
    assert later.reused and not later.started_here
    assert (later.state.pid, later.api_url) == (first.state.pid, first.api_url)


def test_two_runs_starting_together_start_one_server(folder: Path):
    servers: list[ReusedServer] = []

    def run() -> None:
        servers.append(_use(folder))

    threads = [threading.Thread(target=run) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(90)
    for s in servers:
        s.stop()
    assert len(servers) == 3
    assert len({s.state.pid for s in servers}) == 1
    assert sum(s.started_here for s in servers) == 1


def _foreign_health_server() -> tuple[subprocess.Popen[bytes], int]:
    """Another program answering /api/health 200 on some port (as one that took a freed port)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    proc = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", *fake_uvicorn_args(port)[:3]]
        + ["--host", "127.0.0.1", "--port", str(port), "--log-level", "error"],
    )
    deadline = time.monotonic() + 30
    while not local_server.healthy(f"http://127.0.0.1:{port}/api", timeout=1):
        assert time.monotonic() < deadline, "the foreign server did not start"
        time.sleep(0.1)
    return proc, port


def test_stale_state_of_a_dead_server_whose_port_another_program_took_is_replaced(folder: Path):
    folder.mkdir(parents=True)
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    foreign, port = _foreign_health_server()
    try:
        stale = State(gone.pid, port, local_server.prefect_version(), time.time() - 10)
        local_server._write_state(folder, stale)
        assert local_server.status(folder).status == "gone"

        server = _use(folder)
        server.stop()
        assert server.started_here and not server.reused
        assert server.state.port != port and server.state.pid != gone.pid
        assert local_server._read_state(folder) == server.state
        assert foreign.poll() is None  # another program's process is never touched
    finally:
        foreign.terminate()
        foreign.wait(10)


def test_a_pid_reused_by_another_program_is_not_taken_for_the_server(folder: Path):
    folder.mkdir(parents=True)
    other = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
    try:
        local_server._write_state(
            folder, State(other.pid, 1, local_server.prefect_version(), time.time())
        )
        server = _use(folder)
        server.stop()
        assert server.started_here and server.state.pid != other.pid
        local_server.stop(folder)
        assert other.poll() is None  # not ours: neither replaced nor stopped
    finally:
        other.kill()
        other.wait()


def test_a_hung_server_or_one_of_another_prefect_version_is_ended_and_replaced(folder: Path):
    first = _use(folder)
    first.stop()
    # the same server recorded as another Prefect version: replaced, the old process ended
    local_server._write_state(
        folder, State(first.state.pid, first.state.port, "0.0.1", time.time())
    )
    second = _use(folder)
    second.stop()
    assert second.started_here and second.state.pid != first.state.pid
    assert _wait_gone(first.state.pid, 15)

    # ours, alive, but not answering on the port recorded, past the start-up timeout: hung
    hung = State(second.state.pid, second.state.port + 1, second.state.prefect, time.time() - 300)
    local_server._write_state(folder, hung)
    assert local_server.status(folder).status == "not answering"
    third = _use(folder)
    third.stop()
    assert third.started_here and third.state.pid != second.state.pid
    assert _wait_gone(second.state.pid, 15)


def test_stop_ends_it_but_not_while_a_run_uses_it(folder: Path):
    server = _use(folder)  # not let go: a run still using it
    try:
        with pytest.raises(local_server.ServerInUse):
            local_server.stop(folder)
        assert _alive(server.state.pid)
    finally:
        server.stop()
    stopped = local_server.stop(folder)
    assert stopped is not None and stopped.pid == server.state.pid
    assert _wait_gone(server.state.pid, 15)
    assert not (folder / "server.json").exists()
    assert local_server.status(folder).status == "none"
    assert local_server.stop(folder) is None  # nothing left to stop


def test_it_ends_itself_when_idle_but_not_while_in_use(
    folder: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv(local_server.IDLE_ENV, str(1.5 / 60))  # 1.5 s
    server = _use(folder)
    time.sleep(4)
    assert _alive(server.state.pid), "ended while a run held it"
    server.stop()
    assert _wait_gone(server.state.pid, 20), "an idle server went on running"
    assert local_server.status(folder).status == "gone"


def test_opting_out_gives_the_run_a_temporary_server_and_leaves_no_state(
    folder: Path, monkeypatch: pytest.MonkeyPatch
):
    import flows.launch as launch
    from extractors.reading import Limits

    started: list[str] = []

    class Recorder:
        def __init__(self) -> None:
            started.append("temporary")

    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    monkeypatch.setattr(launch, "configured_api_url", lambda: None)
    monkeypatch.setattr(launch, "TemporaryServer", Recorder)
    launch.Background(temporary=True).start(Limits(), 1, local=False)  # --temporary-server
    monkeypatch.setenv("SHINGIKAI_PREFECT_SERVER", "temporary")
    launch.Background().start(Limits(), 1, local=False)
    assert started == ["temporary", "temporary"]
    assert not folder.exists()

    from shingikai.cli.main import build_parser

    args = build_parser().parse_args(["ingest", "x", "--temporary-server"])
    assert args.temporary_server is True
    assert build_parser().parse_args(["ingest", "x"]).temporary_server is False


@pytest.mark.slow
def test_ingest_reuses_the_real_server_and_server_stop_ends_it(tmp_path: Path):
    """Two `shingikai ingest` runs without PREFECT_API_URL: the second finds the first's server."""
    env = {
        **os.environ,
        "SHINGIKAI_STATE_DIR": str(tmp_path / "state"),
        "SHINGIKAI_PREFECT_SERVER": "reuse",
        "SHINGIKAI_TIMINGS": "1",
    }
    env.pop("PREFECT_API_URL", None)

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        run = subprocess.run(
            [sys.executable, "-m", "shingikai.cli", *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-3000:]
        return run

    try:
        first = cli("ingest", str(SAMPLES), "--db", str(tmp_path / "a.ducklake"))
        assert "API ready (local server started)" in first.stderr
        status = cli("server", "status").stdout
        pid = int(re.search(r"pid (\d+)", status).group(1))  # type: ignore[union-attr]
        assert "healthy" in status and _alive(pid)

        second = cli("ingest", str(SAMPLES), "--db", str(tmp_path / "b.ducklake"))
        assert "API ready (local server reused)" in second.stderr
        assert "Traceback" not in second.stderr and "Error logging to API" not in second.stderr
        assert f"pid {pid}" in cli("server", "status").stdout

        assert f"pid {pid}" in cli("server", "stop").stdout
        assert _wait_gone(pid, 20)
        assert "no local Prefect server running" in cli("server", "status").stdout
    finally:
        subprocess.run(
            [sys.executable, "-m", "shingikai.cli", "server", "stop", "--force"],
            cwd=ROOT,
            env=env,
            capture_output=True,
        )


def test_fetch_runs_its_flow_on_the_reused_server_unless_told_otherwise(
    folder: Path, monkeypatch: pytest.MonkeyPatch
):
    """`shingikai fetch` (flows.nightly.run_fetch) ran on Prefect's own temporary server each
    time; now its flow run points Prefect at the local server, as ingest does."""
    from prefect.settings import PREFECT_API_URL

    from flows.runners import reused_api_unless_configured

    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    monkeypatch.setattr("flows.server.configured_api_url", lambda: None)
    before = PREFECT_API_URL.value()
    with reused_api_unless_configured():
        url = PREFECT_API_URL.value()
    state = local_server._read_state(folder)
    assert state is not None and url == state.api_url
    assert PREFECT_API_URL.value() == before

    monkeypatch.setenv("SHINGIKAI_PREFECT_SERVER", "temporary")
    local_server.stop(folder)
    with reused_api_unless_configured():
        assert PREFECT_API_URL.value() == before
    assert local_server._read_state(folder) is None


def test_the_server_command_starts_reports_and_stops_it(
    folder: Path, capsys: pytest.CaptureFixture[str]
):
    from shingikai.cli.main import main

    assert main(["server", "status"]) == 0
    assert "no local Prefect server running" in capsys.readouterr().out
    assert main(["server", "start"]) == 0
    started = capsys.readouterr().out
    state = local_server._read_state(folder)
    assert state is not None and f"started: {state.api_url} (pid {state.pid})" in started
    assert main(["server", "start"]) == 0
    assert f"already running: {state.api_url}" in capsys.readouterr().out
    assert main(["server", "status"]) == 0
    assert f"healthy, {state.api_url}, pid {state.pid}" in capsys.readouterr().out

    held = ReusedServer(folder)  # a run using it: stop refuses, one line, status 1
    try:
        assert main(["server", "stop"]) == 1
        assert "in use by a run" in capsys.readouterr().err
    finally:
        held.stop()
    assert main(["server", "stop"]) == 0
    assert f"stopped the local Prefect server (pid {state.pid})" in capsys.readouterr().out
    assert _wait_gone(state.pid, 15)
