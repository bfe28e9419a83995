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
from shingikai.run_parameters import ROOTS_ENV, ParameterRefused
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


def _serve(tmp_path: Path, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_API")}
    clean.update(PREFECT_HOME=str(tmp_path / "prefect_home"), **env)
    # a valid sources file, so that serve gets as far as looking for its Prefect server
    (tmp_path / "sources.toml").write_text(
        '[[source]]\nname = "sample"\nindex_url = "http://127.0.0.1:9/index.html"\n',
        encoding="utf-8",
    )
    return subprocess.run(
        [str(BIN / "shingikai"), "serve", "--sources", str(tmp_path / "sources.toml")],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=90,
    )


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
