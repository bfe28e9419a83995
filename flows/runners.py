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
    """None (Prefect's thread pool), or a DaskTaskRunner: a temporary local cluster ("local")
    or an existing scheduler address. (`shingikai ingest --dask local` uses neither: its tasks
    run in the flow's process and extract on a local cluster, `start_local_cluster`.)"""
    if not address:
        return None
    from prefect_dask import DaskTaskRunner  # loads dask: only when asked for

    if address == "local":
        fork_dask_workers_from_the_fork_server()
        return DaskTaskRunner(
            cluster_class="distributed.LocalCluster", cluster_kwargs=_local_cluster_kwargs(workers)
        )
    return DaskTaskRunner(address=address)


def _local_cluster_kwargs(workers: int, prefect: bool = True) -> dict[str, Any]:
    api_url = os.environ.get("PREFECT_API_URL") if prefect else None
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


class _Pool:
    """The local cluster `start_local_cluster` is starting, and a client of it once asked for."""

    def __init__(self) -> None:
        self.cluster: Future[Any] = Future()
        self.client: Any = None
        self.lock = threading.Lock()


_POOL: _Pool | None = None


def start_local_cluster(workers: int) -> None:
    """Start the local cluster of `--dask local` now, in the background, while the run plans,
    imports Prefect and waits for its API (`flows.launch`): its workers, forked from the fork
    server that loads GiNZA, are the run's extraction pool (`extract_on_local_cluster`).

    They run no Prefect: the batch tasks run in the flow's process, as with the local runner,
    and hand their documents to the cluster; the flow's process commits (one writer, the group
    commit). As Prefect tasks on the workers (a DaskTaskRunner) each worker had to import
    Prefect before its first task and run Prefect's task engine for each batch, and each task
    committed from its worker: `--dask local` took 2.1× the local runner's flow time.
    `close_local_clusters` stops it after the run."""
    global _POOL
    from distributed import LocalCluster

    fork_dask_workers_from_the_fork_server(prefect=False)  # from the main thread, as it wants
    pool = _POOL = _Pool()

    def start() -> None:
        try:
            pool.cluster.set_result(LocalCluster(**_local_cluster_kwargs(workers, prefect=False)))
        except BaseException as exc:  # the run reports it when it asks for the cluster
            pool.cluster.set_exception(exc)

    threading.Thread(target=start, daemon=True, name="shingikai-dask-cluster").start()


def extracts_on_local_cluster() -> bool:
    """True when this process's runs extract on the cluster `start_local_cluster` started."""
    return _POOL is not None


def local_cluster_client() -> Any:
    """A client of the cluster `start_local_cluster` started (waits for it to be up), or None."""
    pool = _POOL
    if pool is None:
        return None
    with pool.lock:
        if pool.client is None:
            from distributed import Client

            pool.client = Client(pool.cluster.result(), set_as_default=False)
        return pool.client


def close_local_clusters() -> None:
    """Stop the local cluster `start_local_cluster` started (the run is over)."""
    global _POOL
    pool, _POOL = _POOL, None
    if pool is None:
        return
    try:
        if pool.client is not None:
            pool.client.close()
        pool.cluster.result().close()
    except Exception:  # it never started: the run has said why
        pass


def fork_dask_workers_from_the_fork_server(prefect: bool = True) -> None:
    """A local cluster's workers forked from the extraction fork server, which has GiNZA loaded.

    `distributed` spawned each worker as a fresh interpreter, which then imported the
    extractors and loaded GiNZA on its own: two workers on two cores loaded the model twice,
    competing with the flow's own start-up, and every first task waited for it (the main reason
    `--dask local` took many times the local runner's flow time, issue 24). Forked from the
    fork server (started early by `flows.launch`, or here), each worker starts with the model
    loaded and shares its memory, and (`prefect`: its workers run Prefect's tasks) with Prefect
    and the flow's module imported.
    """
    import dask

    from flows.dask_preload import FORK_SERVER_PRELOAD
    from shingikai.sandbox import start_fork_server

    start_fork_server(extra=FORK_SERVER_PRELOAD if prefect else ("distributed",), anywhere=True)
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
    return type(runner).__name__ == "DaskTaskRunner" and not getattr(runner, "address", None)
