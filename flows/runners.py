"""Where the flows run: Prefect's local defaults, and the task runner for the extraction tasks."""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Iterator
from concurrent.futures import Future
from typing import Any

from prefect.context import FlowRunContext
from prefect.task_runners import TaskRunner


def use_local_api_unless_configured() -> None:
    """Quiet logs, and Prefect's temporary local API when no server is configured (PREFECT_API_URL)."""
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    os.environ.setdefault("PREFECT_SERVER_ALLOW_EPHEMERAL_MODE", "true")


@contextlib.contextmanager
def reused_api_unless_configured() -> Iterator[None]:
    """A flow run in this process on the local server later runs reuse (`flows.local_server`),
    unless a server is configured or the run opts out (SHINGIKAI_PREFECT_SERVER=temporary):
    then Prefect's own temporary one, as before."""
    from flows.local_server import ReusedServer, reuse_wanted
    from flows.server import configured_api_url

    if configured_api_url() is not None or not reuse_wanted():
        yield
        return
    from prefect.settings import PREFECT_API_URL, temporary_settings

    server = ReusedServer()
    try:
        with temporary_settings(updates={PREFECT_API_URL: server.wait()}):
            yield
    finally:
        server.stop()


def make_task_runner(address: str | None, workers: int) -> TaskRunner[Any] | None:
    """None (Prefect's thread pool), or a DaskTaskRunner: a temporary local cluster ("local"),
    the one `start_local_cluster` started for this run, or an existing scheduler address."""
    if not address:
        return None
    from prefect_dask import DaskTaskRunner  # loads dask: only when asked for

    if address == "local":
        early = _EARLY.pop(workers, None)
        if early is not None:  # reached by its address: the cluster stays this module's to close
            runner = DaskTaskRunner(address=early.result().scheduler_address)
            _LOCAL_ADDRESSES.add(runner.address or "")
            return runner
        fork_dask_workers_from_the_fork_server()
        return DaskTaskRunner(
            cluster_class="distributed.LocalCluster", cluster_kwargs=_local_cluster_kwargs(workers)
        )
    return DaskTaskRunner(address=address)


def _local_cluster_kwargs(workers: int, api_url: str | None = None) -> dict[str, Any]:
    api_url = api_url or os.environ.get("PREFECT_API_URL")
    return {
        "n_workers": workers,
        "threads_per_worker": 1,
        "processes": True,
        "dashboard_address": None,
        # each worker starts loading GiNZA as it starts, not at its first task
        "preload": ["flows.dask_preload"],
        # forked from a fork server started before the run chose its Prefect API: the
        # worker's environment is the fork server's, so the API is handed over here
        "env": {"PREFECT_API_URL": api_url} if api_url else {},
    }


# Local clusters `start_local_cluster` is starting for this process's next run, by size, and
# the scheduler addresses of those handed to a run.
_EARLY: dict[int, Future[Any]] = {}
_LOCAL_ADDRESSES: set[str] = set()


def start_local_cluster(workers: int, api_url: str | None) -> None:
    """Start the local cluster of `--dask local` now, in the background, while the run plans,
    imports Prefect and waits for its API (`flows.launch`); the flow then finds its workers
    registered instead of starting them itself (about 2 s of its time here). `close_local_clusters`
    stops it after the run."""
    from distributed import LocalCluster

    fork_dask_workers_from_the_fork_server()  # from the main thread, as the fork server wants
    future: Future[Any] = Future()

    def start() -> None:
        try:
            future.set_result(LocalCluster(**_local_cluster_kwargs(workers, api_url)))
        except BaseException as exc:  # the run reports it when it asks for the cluster
            future.set_exception(exc)

    _EARLY[workers] = future
    _STARTED.append(future)
    threading.Thread(target=start, daemon=True, name="shingikai-dask-cluster").start()


_STARTED: list[Future[Any]] = []


def close_local_clusters() -> None:
    """Stop the local clusters `start_local_cluster` started (the run is over)."""
    _EARLY.clear()
    _LOCAL_ADDRESSES.clear()
    while _STARTED:
        future = _STARTED.pop()
        try:
            future.result().close()
        except Exception:  # it never started: the run has said why
            pass


def fork_dask_workers_from_the_fork_server() -> None:
    """A local cluster's workers forked from the extraction fork server, which has GiNZA loaded.

    `distributed` spawned each worker as a fresh interpreter, which then imported the
    extractors and loaded GiNZA on its own: two workers on two cores loaded the model twice,
    competing with the flow's own start-up, and every first task waited for it (the main reason
    `--dask local` took many times the local runner's flow time, issue 24). Forked from the
    fork server (started early by `flows.launch`, or here), each worker starts with the model
    loaded and shares its memory, and with Prefect and the flow's module imported.
    """
    import dask

    from flows.dask_preload import FORK_SERVER_PRELOAD
    from shingikai.sandbox import start_fork_server

    start_fork_server(extra=FORK_SERVER_PRELOAD, anywhere=True)
    dask.config.set({"distributed.worker.multiprocessing-method": "forkserver"})


def task_runner_is_local() -> bool:
    """True unless the running flow's tasks run on other processes (a Dask cluster)."""
    ctx = FlowRunContext.get()
    runner = getattr(ctx, "task_runner", None) if ctx else None
    return runner is None or type(runner).__name__ == "ThreadPoolTaskRunner"


def commits_in_flow() -> bool:
    """True when the running flow's tasks run on a temporary local cluster (`--dask local`):
    they only extract, and the flow's process commits (`flows.ingest`). A cluster at an address
    (other machines, a lake with a PostgreSQL catalog) has each task commit its own batch."""
    ctx = FlowRunContext.get()
    runner = getattr(ctx, "task_runner", None) if ctx else None
    if type(runner).__name__ != "DaskTaskRunner":
        return False
    address = getattr(runner, "address", None)
    return not address or address in _LOCAL_ADDRESSES
