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
