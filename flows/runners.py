"""Where the flows run: Prefect's local defaults, and the task runner for the extraction tasks."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
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
    or an existing scheduler address."""
    if not address:
        return None
    from prefect_dask import DaskTaskRunner  # loads dask: only when asked for

    if address == "local":
        fork_dask_workers_from_the_fork_server()
        return DaskTaskRunner(
            cluster_class="distributed.LocalCluster",
            cluster_kwargs={
                "n_workers": workers,
                "threads_per_worker": 1,
                "processes": True,
                "dashboard_address": None,
                # each worker starts loading GiNZA as it starts, not at its first task
                "preload": ["flows.dask_preload"],
                # forked from a fork server started before the run chose its Prefect API: the
                # worker's environment is the fork server's, so the API is handed over here
                "env": {k: os.environ[k] for k in ("PREFECT_API_URL",) if os.environ.get(k)},
            },
        )
    return DaskTaskRunner(address=address)


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
