"""Imported by each worker of a local Dask cluster when it starts (`distributed`'s worker preload).

A Dask worker used to load GiNZA when its first extraction task arrived, after the cluster,
Prefect's flow run and the task had all started, so every worker's first task waited
~4 s (an idle machine) to 50 s (a loaded one) for the model. Here the load starts with the
worker, in a thread, so it overlaps the cluster's and the flow's own start-up; the first task
then waits only for what is left (`shingikai.sandbox.warm` holds a lock until it is done).
The thread keeps the worker's event loop free, so the worker registers with the scheduler at
once. A worker forked from the extraction fork server (`flows.runners`) has the model, and
Prefect with the ingest flow's module, loaded already: the thread finds nothing left to do.
"""

from __future__ import annotations

import threading
from typing import Any

# What a local cluster's fork server loads besides GiNZA (`flows.runners`): Dask's worker and
# the ingest flow's module with Prefect, so that a forked worker has nothing left to import.
FORK_SERVER_PRELOAD = ("distributed", "flows.ingest")


def dask_setup(worker: Any) -> None:
    """`distributed` calls this once in each worker process, as the worker starts."""
    from shingikai.sandbox import warm

    threading.Thread(target=warm, daemon=True, name="shingikai-warm").start()
