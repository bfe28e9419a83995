"""The nightly flow on a Prefect work pool, as run in production (issue 20): a real `prefect
server`, `shingikai deploy` to a `process` pool (created by it), `shingikai worker` (a `prefect
worker`) executing the runs. A run lands its document; a run whose parameters name a warehouse
the operator did not give the worker, even one inside the allowed folder, is refused and that
warehouse is never created, and a run that would set its own environment through job
variables is refused by the server. With a PostgreSQL lake allowed, a run lands its document
there.

The server, the site and the API helpers are test_serve's; docs/nightly.md §2 and
docs/cluster.md run the same commands.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench.postgres import postgres_lake
from shingikai import warehouse
from tests.conftest import ROOT
from tests.flows import test_serve
from tests.flows.test_serve import BIN, Api, _documents, _sources, _stop, _tail

# test_serve's fixtures: a `prefect server start` for this module, a municipality's site
prefect_server = test_serve.prefect_server
site = test_serve.site

pytestmark = pytest.mark.slow  # a Prefect server, a worker, and a run per check


def _deploy(env: dict, tmp_path: Path, pool: str, sources: Path, db: str) -> str:
    run = subprocess.run(
        [
            str(BIN / "shingikai"),
            "deploy",
            "--pool",
            pool,
            "--sources",
            str(sources),
            "--raw",
            str(tmp_path / "raw"),
            "--db",
            db,
            "--delay",
            "0",
            "--retries",
            "0",
            "--backoff",
            "0.1",
        ],
        env=env,
        cwd=tmp_path,  # not the checkout: the deployment names its code's folder itself
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    return run.stdout


def _worker(env: dict, tmp_path: Path, pool: str, *allow: str) -> subprocess.Popen:
    log = tmp_path / "worker.log"
    with log.open("wb") as out:
        return subprocess.Popen(
            [str(BIN / "shingikai"), "worker", "--pool", pool, *allow],
            env=env,
            cwd=tmp_path,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def _run(api: Api, deployment: dict, worker: subprocess.Popen, log: Path, **params) -> dict:
    try:
        state = api.final_state(api.start_run(deployment, params), timeout=240)
    except AssertionError as exc:
        raise AssertionError(f"{exc}\nworker log:\n{_tail(log)}") from None
    assert worker.poll() is None, f"the worker exited: {_tail(log)}"
    return state


@pytest.fixture
def pg_lake(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A PostgreSQL lake, created before the worker starts (its data files' folder is recorded
    in its catalog then, so the worker's environment needs no SHINGIKAI_DATA_PATH)."""
    with postgres_lake() as server:
        with monkeypatch.context() as m:
            m.setenv("SHINGIKAI_DATA_PATH", str(tmp_path / "pg-lake-files"))
            with warehouse.Writer(server.catalog):
                pass
        yield server.catalog


@pytest.mark.timeout(420)
def test_a_worker_runs_the_deployed_flow_on_allowed_warehouses_only(
    prefect_server, site, pg_lake, tmp_path
):
    api, env = prefect_server
    env = {**env, "PREFECT_WORKER_QUERY_SECONDS": "1"}
    sources = _sources(tmp_path / "sources.json", f"{site}/index.html")
    db = tmp_path / "w.ducklake"
    said = _deploy(env, tmp_path, "nightly-pool", sources, str(db))
    assert said.startswith("deployed shingikai-nightly/nightly (") and said.count("\n") == 1, said
    assert "to the process work pool 'nightly-pool' (created)" in said, said
    pool = api.call("GET", "/work_pools/nightly-pool")
    assert pool["type"] == "process", pool
    # a run may not set its own environment or command through job variables
    assert not {"env", "command", "working_dir"} & set(
        pool["base_job_template"]["variables"]["properties"]
    ), pool
    deployment = api.call("GET", "/deployments/name/shingikai-nightly/nightly")
    assert deployment["work_pool_name"] == "nightly-pool", deployment
    # the code is this checkout, where it is: nothing to download
    assert deployment["pull_steps"] == [
        {"prefect.deployments.steps.set_working_directory": {"directory": str(ROOT)}}
    ], deployment["pull_steps"]
    schedules = api.call("GET", f"/deployments/{deployment['id']}/schedules")
    assert [(s["schedule"]["cron"], s["schedule"]["timezone"]) for s in schedules] == [
        ("0 2 * * *", "Asia/Tokyo")
    ]

    log = tmp_path / "worker.log"
    allow = ["--allow-root", str(tmp_path), "--allow-db", str(db), "--allow-db", pg_lake]
    worker = _worker(env, tmp_path, "nightly-pool", *allow)
    try:
        state = _run(api, deployment, worker, log)
        assert state["type"] == "COMPLETED", (state, _tail(log))
        expected = [("raw/city0/kaigiroku.txt", f"{site}/kaigiroku.txt", "ok")]
        assert _documents(db) == expected

        # another warehouse, inside the allowed folder: not one the worker was given
        other = tmp_path / "other.ducklake"
        state = _run(api, deployment, worker, log, db=str(other))
        assert state["type"] == "FAILED", state
        message = state.get("message") or ""
        assert "run refused: db=" in message, state
        assert "not among the warehouses the operator allowed" in message, state
        assert not other.exists() and not other.with_name("other.ducklake.files").exists()

        # nor through the run's job variables: the server refuses the run (the worker's
        # environment would otherwise take them over its own)
        overlay = {"env": {"SHINGIKAI_ALLOWED_DBS": str(other)}}
        refused = api.client.post(
            f"{api.url}/deployments/{deployment['id']}/create_flow_run",
            json={"parameters": {"db": str(other)}, "job_variables": overlay},
        )
        assert refused.status_code == 422, refused.text
        assert "env" in refused.text, refused.text

        # the PostgreSQL lake the worker was given (the raw file is known: loaded, not fetched)
        state = _run(api, deployment, worker, log, db=pg_lake)
        assert state["type"] == "COMPLETED", (state, _tail(log))
        assert _documents(pg_lake) == expected
        assert list((tmp_path / "pg-lake-files").rglob("*.parquet"))
    finally:
        _stop(worker)
