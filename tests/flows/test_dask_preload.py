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

    from flows.runners import _LOCAL_ADDRESSES, commits_in_flow

    cases = [
        (ThreadPoolTaskRunner(max_workers=2), False),  # the tasks commit, in this process
        (DaskTaskRunner(cluster_class="distributed.LocalCluster"), True),
        (DaskTaskRunner(address="tcp://192.0.2.1:8786"), False),  # workers elsewhere commit
    ]
    for runner, expected in cases:
        _runner_in_flow(monkeypatch, runner)
        assert commits_in_flow() is expected, runner
    monkeypatch.setattr("flows.runners._LOCAL_ADDRESSES", {*_LOCAL_ADDRESSES, "tcp://127.0.0.1:9"})
    _runner_in_flow(monkeypatch, DaskTaskRunner(address="tcp://127.0.0.1:9"))
    assert commits_in_flow() is True  # the cluster this run started early, reached by address


@pytest.mark.slow
def test_the_cluster_started_early_is_the_runs_and_is_closed_after_it(monkeypatch):
    """`--dask local` starts its cluster while the run starts (`start_local_cluster`): the
    task runner reaches it by address, with its workers forked with the model; the flow's
    process commits; `close_local_clusters` stops it."""
    import sys

    from distributed import Client

    from flows.runners import (
        close_local_clusters,
        commits_in_flow,
        make_task_runner,
        start_local_cluster,
    )

    start_local_cluster(2, None)
    try:
        runner = make_task_runner("local", 2)
        assert runner is not None and runner.address  # type: ignore[attr-defined]
        _runner_in_flow(monkeypatch, runner)
        assert commits_in_flow() is True
        with Client(runner.address) as client:  # type: ignore[attr-defined]
            client.wait_for_workers(2, timeout=300)
            loaded = set(client.run(lambda: "extractors.nlp" in sys.modules).values())
        assert loaded == {True}
        # a second run in this process starts its own cluster: the early one was handed over
        assert make_task_runner("local", 2).cluster_kwargs["n_workers"] == 2  # type: ignore[union-attr]
    finally:
        close_local_clusters()
    with pytest.raises(OSError):
        with Client(runner.address, timeout=2):  # type: ignore[attr-defined]
            pass
