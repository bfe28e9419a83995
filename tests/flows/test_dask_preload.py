"""A local Dask cluster's workers start loading GiNZA as they start, not at their first task."""

from __future__ import annotations

import threading

import pytest


def test_local_cluster_preloads_the_warm_up() -> None:
    from flows.runners import make_task_runner

    runner = make_task_runner("local", 2)
    assert runner is not None
    kwargs = runner.cluster_kwargs  # type: ignore[attr-defined]
    assert kwargs["preload"] == ["flows.dask_preload"], kwargs
    assert kwargs["n_workers"] == 2


def test_the_preload_warms_in_a_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    """`dask_setup` returns at once (the worker registers) while GiNZA loads beside it."""
    import shingikai.sandbox
    from flows.dask_preload import dask_setup

    release, called = threading.Event(), threading.Event()

    def slow_warm() -> None:
        called.set()
        release.wait(10)

    monkeypatch.setattr(shingikai.sandbox, "warm", slow_warm)
    dask_setup(worker=None)  # returns while the warm-up still runs
    assert called.wait(10), "dask_setup did not start the warm-up"
    warming = [t for t in threading.enumerate() if t.name == "shingikai-warm"]
    assert warming and warming[0].is_alive()
    release.set()
    warming[0].join(10)


@pytest.mark.slow
def test_local_cluster_workers_are_forked_from_the_fork_server_with_the_model() -> None:
    """Each worker of `--dask local` used to be a fresh interpreter that loaded GiNZA itself
    (twice on two cores, while the flow started); now the fork server, which loads it once,
    forks them: their parent is the fork server and the model is there before any task."""
    import os
    import sys
    from multiprocessing import forkserver

    from distributed import Client, LocalCluster

    from flows.runners import make_task_runner

    runner = make_task_runner("local", 2)
    assert runner is not None
    kwargs = dict(runner.cluster_kwargs)  # type: ignore[attr-defined]
    with LocalCluster(**kwargs) as cluster, Client(cluster) as client:
        parents = set(client.run(os.getppid).values())
        # (the fork server of a process whose pool started it earlier lacks Prefect, so only
        # the model, which every fork server loads, is asserted)
        loaded = set(client.run(lambda: "extractors.nlp" in sys.modules).values())
    assert parents == {forkserver._forkserver._forkserver_pid}, parents  # type: ignore[attr-defined]
    assert loaded == {True}


def _runner_in_flow(monkeypatch: pytest.MonkeyPatch, runner: object) -> None:
    """`flows.runners` sees `runner` as the running flow's task runner."""
    import types

    import flows.runners

    ctx = types.SimpleNamespace(task_runner=runner)
    monkeypatch.setattr(flows.runners.FlowRunContext, "get", classmethod(lambda cls: ctx))


def test_only_a_local_cluster_leaves_the_commits_to_the_flow(monkeypatch: pytest.MonkeyPatch):
    from prefect.task_runners import ThreadPoolTaskRunner
    from prefect_dask import DaskTaskRunner

    from flows.runners import commits_in_flow

    cases = [
        (ThreadPoolTaskRunner(max_workers=2), False),  # the tasks commit, in this process
        (DaskTaskRunner(cluster_class="distributed.LocalCluster"), True),
        (DaskTaskRunner(address="tcp://192.0.2.1:8786"), False),  # workers elsewhere commit
    ]
    for runner, expected in cases:
        _runner_in_flow(monkeypatch, runner)
        assert commits_in_flow() is expected, runner


# Run in a process of its own: a fork server started earlier in the test process (with Prefect,
# for the tests above) would be the one the cluster's workers come from.
POOL_SCRIPT = """
import json, sys
from pathlib import Path
from extractors.pipeline import extract_bytes
from extractors.reading import Limits
from flows.ingest import _extract_all
from flows.runners import (
    close_local_clusters, extracts_on_local_cluster, local_cluster_client, start_local_cluster,
)
from shingikai.discover import plan_ingest

raw, db = Path(sys.argv[1]), sys.argv[2]
out = {"before": [extracts_on_local_cluster(), local_cluster_client() is None]}
start_local_cluster(2)
try:
    out["during"] = extracts_on_local_cluster()
    client = local_cluster_client()
    client.wait_for_workers(2, timeout=300)
    out["modules"] = sorted(set(client.run(
        lambda: ("extractors.nlp" in sys.modules, "prefect" in sys.modules)
    ).values()))
    files = plan_ingest([str(raw)], db).to_extract
    (on_dask,) = _extract_all(files, Limits())
finally:
    close_local_clusters()
out["after"] = [extracts_on_local_cluster(), client.status]
here = extract_bytes(files[0].path.read_bytes(), files[0].source_path)
out["status"] = str(on_dask.document.status)
out["titles"] = [[c.title for c in on_dask.consultations], [c.title for c in here.consultations]]
print(json.dumps(out))
"""


@pytest.mark.slow
def test_the_local_cluster_is_an_extraction_pool_without_prefect(tmp_path):
    """`--dask local` starts its cluster as the run starts (`start_local_cluster`): its workers,
    forked with the model and without Prefect, extract what the flow's tasks hand them (the
    same extraction as in this process); `close_local_clusters` stops it."""
    import json
    import subprocess
    import sys

    from tests.conftest import ROOT, SAMPLES

    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "s.txt").write_bytes((SAMPLES / "shirasagidai_2023_toshin.txt").read_bytes())
    run = subprocess.run(
        [sys.executable, "-c", POOL_SCRIPT, str(raw), str(tmp_path / "w.ducklake")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    out = json.loads(run.stdout.strip().splitlines()[-1])
    assert out["before"] == [False, True] and out["during"] is True
    assert out["modules"] == [[True, False]]  # the model loaded, Prefect not imported
    assert out["after"] == [False, "closed"]
    assert out["status"] == "ok"
    on_dask, here = out["titles"]
    assert on_dask and on_dask == here
