"""`shingikai serve` against a real `prefect server`: the schedule starts runs, runs fetch and ingest.

One server for the module (it takes 10-30 s to start on a loaded machine). Every call to its
API checks the status and says what the server answered: a server that is still busy (5xx,
no answer) is asked again until a deadline, anything else fails at once with its answer. Each
test waits for what it needs (the deployment registered, the run in a final state) with a
timeout, instead of assuming it is there.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

from shingikai.warehouse import connect_readonly
from tests.conftest import ROOT, SAMPLES

pytestmark = pytest.mark.slow  # a Prefect server and the nightly deployment

BIN = Path(sys.executable).parent
FINAL = ("COMPLETED", "FAILED", "CRASHED", "CANCELLED")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(10)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            proc.wait(5)


def _tail(path: Path) -> str:
    return path.read_text("utf-8", errors="replace")[-3000:] if path.exists() else ""


def wait_for(what: str, check: Callable[[], Any], timeout: float, every: float = 0.5) -> Any:
    """Call `check` until it returns something other than None; fail saying `what` after `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        got = check()
        if got is not None:
            return got
        assert time.monotonic() < deadline, f"{what}: nothing within {timeout:g} s"
        time.sleep(every)


class Api:
    """The server's REST API as the tests use it: every answer's status checked and reported."""

    def __init__(self, url: str, log: Path) -> None:
        self.url = url
        self.log = log
        self.client = httpx.Client(timeout=10)

    def call(
        self, method: str, path: str, body: Any = None, ok: tuple[int, ...] = (200, 201)
    ) -> Any:
        """The JSON answer; a busy server (5xx, no answer) is asked again for up to 60 s."""
        deadline = time.monotonic() + 60
        while True:
            try:
                r = self.client.request(method, f"{self.url}{path}", json=body)
            except httpx.TransportError as exc:
                answer = f"no answer ({type(exc).__name__}: {exc})"
            else:
                if r.status_code in ok:
                    return r.json()
                answer = f"HTTP {r.status_code}: {r.text[:1000]}"
                if r.status_code < 500:
                    raise AssertionError(f"{method} {path} -> {answer}")
            if time.monotonic() > deadline:
                raise AssertionError(f"{method} {path} -> {answer}\nserver log:\n{_tail(self.log)}")
            time.sleep(0.5)

    def deployment(self, name: str, serve: subprocess.Popen, serve_log: Path) -> dict:
        """The deployment once `serve` has registered it (404 until then)."""

        def registered() -> dict | None:
            assert serve.poll() is None, f"serve exited {serve.returncode}: {_tail(serve_log)}"
            try:
                return self.call("GET", f"/deployments/name/shingikai-nightly/{name}")
            except AssertionError as exc:
                if "HTTP 404" in str(exc):
                    return None
                raise

        return wait_for(f"deployment {name} registered by serve", registered, timeout=90)

    def start_run(self, deployment: dict, parameters: dict | None = None) -> str:
        """Create a run of `deployment` by hand; asked again if busy, never twice (one key)."""
        run = self.call(
            "POST",
            f"/deployments/{deployment['id']}/create_flow_run",
            {"parameters": parameters or {}, "idempotency_key": str(uuid.uuid4())},
        )
        assert "id" in run, f"create_flow_run answered without an id: {run}"
        return run["id"]

    def final_state(self, run_id: str, timeout: float) -> dict:
        """The run's state once final (COMPLETED, FAILED, CRASHED, CANCELLED)."""
        seen: list[str] = []

        def final() -> dict | None:
            state = self.call("GET", f"/flow_runs/{run_id}")["state"]
            seen.append(state["type"])
            return state if state["type"] in FINAL else None

        try:
            return wait_for(f"flow run {run_id} final", final, timeout, every=1)
        except AssertionError as exc:
            raise AssertionError(f"{exc} (last state {seen[-1:]})") from None


@pytest.fixture(scope="module")
def prefect_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Api, dict]]:
    """A `prefect server start` on a free local port; its API and the environment to reach it."""
    home = tmp_path_factory.mktemp("prefect")
    port = _free_port()
    api_url = f"http://127.0.0.1:{port}/api"
    env = {
        **os.environ,
        "PREFECT_HOME": str(home / "prefect_home"),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_LOGGING_LEVEL": "WARNING",
    }
    env.pop("PREFECT_API_URL", None)
    env.pop("PREFECT_SERVER_ALLOW_EPHEMERAL_MODE", None)
    log = home / "server.log"
    with log.open("wb") as out:
        server = subprocess.Popen(
            [str(BIN / "prefect"), "server", "start", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            cwd=home,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    api = Api(api_url, log)
    try:

        def healthy() -> bool | None:
            assert server.poll() is None, f"prefect server exited: {_tail(log)}"
            try:
                return httpx.get(f"{api_url}/health", timeout=2).status_code == 200 or None
            except httpx.HTTPError:
                return None

        wait_for("prefect server healthy", healthy, timeout=120)
        yield api, {**env, "PREFECT_API_URL": api_url, "PREFECT_RUNNER_POLL_FREQUENCY": "1"}
    finally:
        api.client.close()
        _stop(server)


@pytest.fixture
def site(tmp_path: Path) -> Iterator[str]:
    """A municipality's site on a local port: an index page linking one sample; its base URL."""
    root = tmp_path / "site"
    root.mkdir()
    shutil.copy(SAMPLES / "kaedehara_2018_08_kaigiroku.txt", root / "kaigiroku.txt")
    (root / "index.html").write_text('<a href="kaigiroku.txt">会議録</a>', "utf-8")

    class Quiet(SimpleHTTPRequestHandler):
        def __init__(self, *a, **k):  # type: ignore[no-untyped-def]
            super().__init__(*a, directory=str(root), **k)

        def log_message(self, *a):  # type: ignore[no-untyped-def]
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Quiet)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


def _sources(path: Path, *index_urls: str) -> Path:
    entries = [
        {"name": f"city{i}", "index_url": url, "patterns": [r"\.txt$"], "max_bytes": 1_000_000}
        for i, url in enumerate(index_urls)
    ]
    path.write_text(json.dumps({"sources": entries}), "utf-8")
    return path


def _serve(tmp_path: Path, env: dict, sources: Path, name: str, cron: str) -> subprocess.Popen:
    log = tmp_path / "serve.log"
    with log.open("wb") as out:
        return subprocess.Popen(
            [
                str(BIN / "shingikai"),
                "serve",
                "--sources",
                str(sources),
                "--raw",
                str(tmp_path / "raw"),
                "--db",
                str(tmp_path / "w.ducklake"),
                "--delay",
                "0",
                "--backoff",
                "0.1",
                "--retries",
                "0",
                "--cron",
                cron,
                "--timezone",
                "Asia/Tokyo",
                "--name",
                name,
            ],
            env=env,
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def _documents(db: Path) -> list[tuple]:
    con = connect_readonly(db)
    try:
        return con.execute("SELECT source_path, source_url, status FROM documents").fetchall()
    finally:
        con.close()


@pytest.mark.timeout(420)
def test_the_schedule_runs_the_nightly_flow(prefect_server, site, tmp_path):
    """The server's scheduler, not a hand, starts the run: due at the next minute, it completes
    and its document is in the warehouse (with SQLAlchemy 2.1 the scheduler created no run)."""
    api, env = prefect_server
    serve = _serve(
        tmp_path,
        env,
        _sources(tmp_path / "s.json", f"{site}/index.html"),
        "every-minute",
        "* * * * *",
    )
    try:
        deployment = api.deployment("every-minute", serve, tmp_path / "serve.log")
        schedules = api.call("GET", f"/deployments/{deployment['id']}/schedules")
        assert [s["schedule"]["cron"] for s in schedules] == ["* * * * *"], schedules

        def first_scheduled() -> dict | None:
            runs = api.call(
                "POST",
                "/flow_runs/filter",
                {
                    "deployments": {"id": {"any_": [deployment["id"]]}},
                    "sort": "EXPECTED_START_TIME_ASC",
                    "limit": 1,
                },
            )
            return runs[0] if runs else None

        # the scheduler looks at a new deployment within seconds; the run is due within a minute
        try:
            run = wait_for("a run created by the server's scheduler", first_scheduled, timeout=90)
        except AssertionError as exc:
            errors = [line for line in _tail(api.log).splitlines() if "Error" in line]
            raise AssertionError(f"{exc}; the server's errors: {errors[-5:]}") from None
        assert run["auto_scheduled"] is True, run
        state = api.final_state(run["id"], timeout=240)
        _stop(serve)  # before reading: the next minute's run must not be writing meanwhile
        assert state["type"] == "COMPLETED", state
        assert _documents(tmp_path / "w.ducklake") == [
            ("raw/city0/kaigiroku.txt", f"{site}/kaigiroku.txt", "ok")
        ]
    finally:
        _stop(serve)


@pytest.mark.timeout(420)
def test_serve_runs_nightly_deployment(prefect_server, site, tmp_path):
    """Runs created through the API: one fetches and ingests; one whose fetch fails ends Failed
    with the reason; one with paths outside the roots is refused."""
    api, env = prefect_server
    sources = _sources(tmp_path / "sources.json", f"{site}/index.html")
    serve = _serve(tmp_path, env, sources, "nightly", "0 2 * * *")
    try:
        deployment = api.deployment("nightly", serve, tmp_path / "serve.log")
        schedules = api.call("GET", f"/deployments/{deployment['id']}/schedules")
        assert [(s["schedule"]["cron"], s["schedule"]["timezone"]) for s in schedules] == [
            ("0 2 * * *", "Asia/Tokyo")
        ]

        state = api.final_state(api.start_run(deployment), timeout=240)
        assert state["type"] == "COMPLETED", state
        assert _documents(tmp_path / "w.ducklake") == [
            ("raw/city0/kaigiroku.txt", f"{site}/kaigiroku.txt", "ok")
        ]

        # one municipality's index page cannot be reached: the others are fetched, the run fails
        # partly and says why (the state's message is what the Prefect UI shows)
        unreachable = f"http://127.0.0.1:{_free_port()}/index.html"
        broken = _sources(tmp_path / "broken.json", f"{site}/index.html", unreachable)
        state = api.final_state(api.start_run(deployment, {"sources": str(broken)}), timeout=240)
        assert (state["type"], state["name"]) == ("FAILED", "Partly failed"), state
        assert f"fetch failed: {unreachable}" in state["message"], state

        # anyone on the machine can create a run through the API: paths outside the roots are refused
        outside = tmp_path.parent / f"{tmp_path.name}-outside"
        evil = {"raw": str(outside / "raw"), "db": str(outside / "w.ducklake")}
        state = api.final_state(api.start_run(deployment, evil), timeout=240)
        assert state["type"] == "FAILED", state
        assert "outside the allowed roots" in (state.get("message") or ""), state
        assert not outside.exists()
    finally:
        _stop(serve)


STARTS_A_SERVER = """
import sys, time
from flows.server import TemporaryServer
server = TemporaryServer()
server.wait(180)
print(server.proc.pid, flush=True)
time.sleep(600)
"""


def test_the_temporary_server_dies_with_the_process_that_started_it():
    """SIGKILL of an ingest leaves no chance to stop its temporary Prefect server; before, the
    server went on running (~300 MB, one per killed run). It must end within seconds."""
    parent = subprocess.Popen(
        [sys.executable, "-c", STARTS_A_SERVER], cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    try:
        assert parent.stdout is not None
        server_pid = int(parent.stdout.readline())
        os.kill(server_pid, 0)  # running
    finally:
        parent.kill()
        parent.wait(30)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:  # gone, or ended and not yet reaped by whoever adopted it (a zombie, state Z)
            if Path(f"/proc/{server_pid}/stat").read_text().split(") ")[1][0] == "Z":
                break
        except (FileNotFoundError, ProcessLookupError):
            break
        time.sleep(0.2)
    else:
        os.kill(server_pid, signal.SIGKILL)
        pytest.fail("the temporary server outlived the process that started it")
