"""Imported by each worker of a local Dask cluster when it starts (`distributed`'s worker preload).

A Dask worker used to load GiNZA when its first extraction task arrived, after the cluster,
Prefect's flow run and the task had all started, so every worker's first task waited
~4 s (an idle machine) to 50 s (a loaded one) for the model. Here the load starts with the
worker, in a thread, so it overlaps the cluster's and the flow's own start-up; the first task
then waits only for what is left (`shingikai.sandbox.warm` holds a lock until it is done).
The thread keeps the worker's event loop free, so the worker registers with the scheduler at
once. A worker forked from the extraction fork server (`flows.runners`) has the model loaded
already; the thread then imports the ingest flow's module (Prefect, ~2 s) before the first
task needs it.
"""

from __future__ import annotations

import threading
from typing import Any


def dask_setup(worker: Any) -> None:
    """`distributed` calls this once in each worker process, as the worker starts."""
    threading.Thread(target=_warm, daemon=True, name="shingikai-warm").start()


def _warm() -> None:
    from shingikai.sandbox import warm

    warm()
    import flows.ingest  # noqa: F401 - Prefect and the task's module, before the first task
