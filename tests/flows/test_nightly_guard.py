"""The nightly deployment obeys only what it was set up with (issue 13, finding 4).

A run created through the (unauthenticated) Prefect API with paths outside the roots `serve`
was given is refused before anything is fetched or written; `serve` without a Prefect server
that can schedule exits with an error instead of waiting forever. The end-to-end refusal
through a real server is in tests/test_serve.py.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from flows.nightly import nightly_flow
from shingikai import run_parameters
from shingikai.cli.main import _db_param
from shingikai.run_parameters import DBS_ENV, ROOTS_ENV, ParameterRefused
from tests.conftest import ROOT

BIN = Path(sys.executable).parent


@pytest.fixture
def served(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A data folder as `serve` would allow it, and a sources file inside it."""
    data = tmp_path / "data"
    (data / "raw").mkdir(parents=True)
    (data / "sources.toml").write_text("", "utf-8")
    monkeypatch.setenv(ROOTS_ENV, str(data))
    # run from inside the root, so that a location read as a relative path would pass the check
    monkeypatch.chdir(data)
    return data


def _params(data: Path, **over: object) -> dict:
    params = {
        "sources": str(data / "sources.toml"),
        "raw": str(data / "raw"),
        "db": str(data / "w.ducklake"),
    }
    params.update(over)
    return params


@pytest.mark.parametrize(
    "over, refused",
    [
        ({"raw": "/tmp/shingikai_guard_outside/raw"}, "raw='/tmp/shingikai_guard_outside/raw'"),
        (
            {"db": "/tmp/shingikai_guard_outside.ducklake"},
            "db='/tmp/shingikai_guard_outside.ducklake'",
        ),
        ({"sources": "/etc/passwd"}, "sources='/etc/passwd' is outside"),
        # a location the lake reads past its prefix: checked as the lake reads it (before: passed)
        (
            {"db": "ducklake:sqlite:/tmp/shingikai_guard_outside/x.ducklake"},
            "db='ducklake:sqlite:/tmp/shingikai_guard_outside/x.ducklake' is outside",
        ),
        (
            {"db": "sqlite:/tmp/shingikai_guard_outside/x.ducklake"},
            "db='sqlite:/tmp/shingikai_guard_outside/x.ducklake' is outside",
        ),
        (
            {"db": "postgres:dbname=x host=127.0.0.1 application_name=a.ducklake"},
            "is a PostgreSQL catalog",
        ),
        ({"db": "{data}/w.duckdb"}, "is not a .ducklake catalog"),
        ({"raw": "{data}/raw/../../elsewhere"}, "is outside the allowed roots"),
        ({"delay": -1.0}, "delay=-1.0 is outside 0..60"),
        ({"retries": 1000}, "retries=1000 is outside 0..10"),
    ],
)
def test_a_run_outside_the_roots_is_refused(served: Path, over: dict, refused: str):
    over = {k: v.format(data=served) if isinstance(v, str) else v for k, v in over.items()}
    with pytest.raises(ParameterRefused, match="run refused") as caught:
        nightly_flow.fn(**_params(served, **over))
    assert refused in str(caught.value)
    assert not Path("/tmp/shingikai_guard_outside").exists()
    assert sorted(p.name for p in served.iterdir()) == ["raw", "sources.toml"]


def test_a_link_inside_a_root_that_leads_out_is_refused(served: Path, tmp_path: Path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (served / "raw" / "escape").symlink_to(outside)
    with pytest.raises(ParameterRefused, match="outside the allowed roots"):
        nightly_flow.fn(**_params(served, raw=str(served / "raw" / "escape")))
    assert list(outside.iterdir()) == []


def _command(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_API")}
    clean.update(PREFECT_HOME=str(tmp_path / "prefect_home"), **env)
    # a valid sources file, so that the command gets as far as looking for its Prefect server
    (tmp_path / "sources.toml").write_text(
        '[[source]]\nname = "sample"\nindex_url = "http://127.0.0.1:9/index.html"\n',
        encoding="utf-8",
    )
    return subprocess.run(
        [str(BIN / "shingikai"), *args],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=90,
    )


def _serve(tmp_path: Path, **env: str) -> subprocess.CompletedProcess:
    return _command(tmp_path, "serve", "--sources", str(tmp_path / "sources.toml"), **env)


@pytest.mark.slow  # `shingikai serve` in a subprocess
def test_serve_without_a_server_exits_with_an_error(tmp_path: Path):
    run = _serve(tmp_path)
    assert run.returncode == 2, run.stderr[-2000:]
    assert "serve needs a Prefect server" in run.stderr and "PREFECT_API_URL" in run.stderr


@pytest.mark.slow  # `shingikai serve` in a subprocess
def test_serve_with_an_unreachable_server_exits_with_an_error(tmp_path: Path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again: nothing listens there
    run = _serve(tmp_path, PREFECT_API_URL=f"http://127.0.0.1:{port}/api")
    assert run.returncode == 2, run.stderr[-2000:]
    assert f"no Prefect server answers at PREFECT_API_URL=http://127.0.0.1:{port}/api" in run.stderr


# ---- the warehouses the operator allowed (issue 20: a work pool's worker, `serve --allow-db`)

PG = "postgres:dbname=lake host=127.0.0.1 port=5432 user=postgres"


@pytest.mark.parametrize(
    "db",
    [
        PG,
        "postgres:user=postgres host=127.0.0.1 dbname=lake port=5432",  # the same, reordered
        "ducklake:postgres:dbname=lake host=127.0.0.1 port=5432 user=postgres connect_timeout=5",
    ],
)
def test_an_allowed_postgres_lake_passes(served: Path, db: str):
    run_parameters.check([served], dbs=[PG], **_params(served, db=db))


@pytest.mark.parametrize(
    "db",
    [
        PG.replace("dbname=lake", "dbname=other"),
        PG.replace("port=5432", "port=5433"),
        "{data}/w.ducklake",  # inside the roots, but not listed: the list is all that is allowed
        "{data}/w.duckdb",
    ],
)
def test_a_warehouse_not_listed_is_refused(served: Path, db: str, monkeypatch: pytest.MonkeyPatch):
    db = db.format(data=served)
    with pytest.raises(ParameterRefused, match="not among the warehouses the operator allowed"):
        run_parameters.check([served], dbs=[PG], **_params(served, db=db))
    monkeypatch.setenv(DBS_ENV, PG)
    with pytest.raises(ParameterRefused, match="not among the warehouses"):
        nightly_flow.fn(**_params(served, db=db))
    assert sorted(p.name for p in served.iterdir()) == ["raw", "sources.toml"]


def test_a_listed_lake_is_the_same_through_a_link_or_a_prefix(served: Path, tmp_path: Path):
    lake = tmp_path / "lakes" / "w.ducklake"
    lake.parent.mkdir()
    (served / "lakes").symlink_to(lake.parent)
    for db in (str(served / "lakes" / "w.ducklake"), f"ducklake:sqlite:{lake}"):
        run_parameters.check([served], dbs=[str(lake)], **_params(served, db=db))


def test_a_deployed_run_without_the_operators_lists_is_refused(
    served: Path, monkeypatch: pytest.MonkeyPatch
):
    """A worker started without `shingikai worker` (no SHINGIKAI_ALLOWED_ROOTS): a run of a
    deployment is refused, not let write wherever its parameters say."""
    monkeypatch.delenv(ROOTS_ENV)
    monkeypatch.setenv("PREFECT__RUNTIME__DEPLOYMENT__ID", "6b3f5c3e-0000-4000-8000-000000000000")
    with pytest.raises(ParameterRefused, match="no allowed roots in this worker's environment"):
        nightly_flow.fn(**_params(served))
    assert sorted(p.name for p in served.iterdir()) == ["raw", "sources.toml"]


@pytest.mark.slow  # `shingikai worker` / `deploy` in a subprocess
@pytest.mark.parametrize(
    "args",
    [
        ["worker", "--pool", "p", "--allow-root", "."],
        ["deploy", "--pool", "p", "--sources", "{tmp}/sources.toml"],
    ],
)
def test_worker_and_deploy_without_a_server_exit_with_an_error(tmp_path: Path, args: list[str]):
    run = _command(tmp_path, *(a.format(tmp=tmp_path) for a in args))
    assert run.returncode == 2, run.stderr[-2000:]
    assert run.stderr.startswith("error: ") and len(run.stderr.splitlines()) == 1, run.stderr
    assert "PREFECT_API_URL" in run.stderr


@pytest.mark.slow  # `shingikai worker` in a subprocess
def test_a_worker_given_a_single_file_warehouse_exits_with_an_error(tmp_path: Path):
    run = _command(tmp_path, "worker", "--pool", "p", "--allow-root", ".", "--allow-db", "x.duckdb")
    assert run.returncode == 2, run.stderr[-2000:]
    assert run.stderr.startswith("error: ") and "single-file DuckDB warehouse" in run.stderr


@pytest.mark.parametrize(
    "given, expected",
    [
        ("w.ducklake", "{cwd}/w.ducklake"),
        ("ducklake:sqlite:lakes/w.ducklake", "ducklake:sqlite:{cwd}/lakes/w.ducklake"),
        (PG, PG),  # a conninfo is not a path: as written (host=/run//sock too)
        (
            "ducklake:postgres:host=/run//sock dbname=x",
            "ducklake:postgres:host=/run//sock dbname=x",
        ),
    ],
)
def test_an_allowed_warehouse_is_passed_on_as_the_operator_meant_it(
    given: str, expected: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """A worker's runs work in the checkout, not the operator's folder: a relative lake is made
    absolute where the operator named it."""
    monkeypatch.chdir(tmp_path)
    assert _db_param(given) == expected.format(cwd=tmp_path.resolve())
