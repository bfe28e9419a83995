"""The choice of Prefect task runner for the extraction tasks."""

from __future__ import annotations

from prefect_dask import DaskTaskRunner


def make_task_runner(address: str | None, workers: int) -> DaskTaskRunner | None:
    """A DaskTaskRunner: a temporary local cluster ("local") or an existing scheduler address."""
    if not address:
        return None
    if address == "local":
        return DaskTaskRunner(
            cluster_class="distributed.LocalCluster",
            cluster_kwargs={
                "n_workers": workers,
                "threads_per_worker": 1,
                "processes": True,
                "dashboard_address": None,
            },
        )
    return DaskTaskRunner(address=address)
