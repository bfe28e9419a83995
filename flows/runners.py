"""Where the flows run: Prefect's local defaults, and the task runner for the extraction tasks."""

from __future__ import annotations

import os
from typing import Any

from prefect.context import FlowRunContext
from prefect.task_runners import TaskRunner


def use_local_api_unless_configured() -> None:
    """Quiet logs, and Prefect's temporary local API when no server is configured (PREFECT_API_URL)."""
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    os.environ.setdefault("PREFECT_SERVER_ALLOW_EPHEMERAL_MODE", "true")


def make_task_runner(address: str | None, workers: int) -> TaskRunner[Any] | None:
    """None (Prefect's thread pool), or a DaskTaskRunner: a temporary local cluster ("local")
    or an existing scheduler address."""
    if not address:
        return None
    from prefect_dask import DaskTaskRunner  # loads dask: only when asked for

    if address == "local":
        return DaskTaskRunner(
            cluster_class="distributed.LocalCluster",
            cluster_kwargs={
                "n_workers": workers,
                "threads_per_worker": 1,
                "processes": True,
                "dashboard_address": None,
                # each worker starts loading GiNZA as it starts, not at its first task
                "preload": ["flows.dask_preload"],
            },
        )
    return DaskTaskRunner(address=address)


def task_runner_is_local() -> bool:
    """True unless the running flow's tasks run on other processes (a Dask cluster)."""
    ctx = FlowRunContext.get()
    runner = getattr(ctx, "task_runner", None) if ctx else None
    return runner is None or type(runner).__name__ == "ThreadPoolTaskRunner"
