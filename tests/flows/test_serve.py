"""`shingikai serve` against a real `prefect server`: a run triggered through the API fetches and ingests."""

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
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

from shingikai.warehouse import connect_readonly
from tests.conftest import ROOT, SAMPLES

pytestmark = pytest.mark.slow  # a Prefect server and the nightly deployment

BIN = Path(sys.executable).parent


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


@pytest.mark.timeout(300)
def test_serve_runs_nightly_deployment(tmp_path):
    # a municipality's site: an index page linking one sample
    site = tmp_path / "site"
    site.mkdir()
    shutil.copy(SAMPLES / "kaedehara_2018_08_kaigiroku.txt", site / "kaigiroku.txt")
    (site / "index.html").write_text('<a href="kaigiroku.txt">会議録</a>', "utf-8")

    class Quiet(SimpleHTTPRequestHandler):
        def __init__(self, *a, **k):  # type: ignore[no-untyped-def]
            super().__init__(*a, directory=str(site), **k)

        def log_message(self, *a):  # type: ignore[no-untyped-def]
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Quiet)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    sources = tmp_path / "sources.json"
    sources.write_text(
        json.dumps(
            {
                "sources": [
                    {
                        "name": "kaedehara",
                        "index_url": f"http://127.0.0.1:{httpd.server_address[1]}/index.html",
                        "patterns": [r"\.txt$"],
                        "max_bytes": 1_000_000,
                    }
                ]
            }
        ),
        "utf-8",
    )
    raw, db = tmp_path / "raw", tmp_path / "w.ducklake"

    port = _free_port()
    api = f"http://127.0.0.1:{port}/api"
    env = {
        **os.environ,
        "PREFECT_HOME": str(tmp_path / "prefect_home"),
        "PREFECT_API_URL": api,
        "PREFECT_RUNNER_POLL_FREQUENCY": "1",
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_LOGGING_LEVEL": "WARNING",
    }
    env.pop("PREFECT_SERVER_ALLOW_EPHEMERAL_MODE", None)
    server_env = {k: v for k, v in env.items() if k != "PREFECT_API_URL"}
    server = subprocess.Popen(
        [str(BIN / "prefect"), "server", "start", "--host", "127.0.0.1", "--port", str(port)],
        env=server_env,
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    serve = None
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                if httpx.get(f"{api}/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert server.poll() is None, "prefect server exited"
            assert time.monotonic() < deadline, "prefect server did not become healthy"
            time.sleep(0.5)

        serve = subprocess.Popen(
            [
                str(BIN / "shingikai"),
                "serve",
                "--sources",
                str(sources),
                "--raw",
                str(raw),
                "--db",
                str(db),
                "--delay",
                "0",
                "--backoff",
                "0.1",
                "--cron",
                "0 2 * * *",
                "--timezone",
                "Asia/Tokyo",
            ],
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while True:
            r = httpx.get(f"{api}/deployments/name/shingikai-nightly/nightly", timeout=5)
            if r.status_code == 200:
                deployment = r.json()
                break
            assert serve.poll() is None, (
                serve.stderr.read().decode()[-2000:] if serve.stderr else "serve exited"
            )
            assert time.monotonic() < deadline, "deployment was not registered"
            time.sleep(0.5)
        sched = httpx.get(f"{api}/deployments/{deployment['id']}/schedules", timeout=5).json()
        assert sched and sched[0]["schedule"]["cron"] == "0 2 * * *"
        assert sched[0]["schedule"]["timezone"] == "Asia/Tokyo"

        run = httpx.post(
            f"{api}/deployments/{deployment['id']}/create_flow_run", json={}, timeout=10
        ).json()
        deadline = time.monotonic() + 150
        while True:
            state = httpx.get(f"{api}/flow_runs/{run['id']}", timeout=5).json()["state"]["type"]
            if state in ("COMPLETED", "FAILED", "CRASHED", "CANCELLED"):
                break
            assert time.monotonic() < deadline, f"flow run still {state}"
            time.sleep(1)
        assert state == "COMPLETED"
        con = connect_readonly(db)
        rows = con.execute("SELECT source_path, source_url, status FROM documents").fetchall()
        con.close()
        assert rows == [
            (
                "raw/kaedehara/kaigiroku.txt",
                f"http://127.0.0.1:{httpd.server_address[1]}/kaigiroku.txt",
                "ok",
            )
        ]

        # anyone on the machine can create a run through the API: paths outside the roots are refused
        outside = tmp_path.parent / f"{tmp_path.name}-outside"
        evil = {"raw": str(outside / "raw"), "db": str(outside / "w.ducklake")}
        run = httpx.post(
            f"{api}/deployments/{deployment['id']}/create_flow_run",
            json={"parameters": evil},
            timeout=10,
        ).json()
        deadline = time.monotonic() + 150
        while True:
            state = httpx.get(f"{api}/flow_runs/{run['id']}", timeout=5).json()["state"]
            if state["type"] in ("COMPLETED", "FAILED", "CRASHED", "CANCELLED"):
                break
            assert time.monotonic() < deadline, f"flow run still {state['type']}"
            time.sleep(1)
        assert state["type"] == "FAILED", state
        assert "outside the allowed roots" in (state.get("message") or ""), state
        assert not outside.exists()
    finally:
        if serve is not None:
            _stop(serve)
        _stop(server)
        httpd.shutdown()
        httpd.server_close()


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
