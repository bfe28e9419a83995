"""Prefect orchestration of the shingikai library: the only package that imports Prefect.

- `flows.launch`: `run_ingest`, the command line's way into the ingest flow: plans, starts
  Prefect's API and the extraction workers in the background, runs the flow, shuts down cleanly.
- `flows.ingest`: the ingest flow (extract new documents in batch tasks, each committing its batch
  to the lake).
- `flows.server`: Prefect's temporary API server, started without importing Prefect.
- `flows.local_server`: the local API server the first run starts and later runs reuse
  (`shingikai server status|start|stop`), also without importing Prefect.
- `flows.nightly`: the nightly flow (fetch, then ingest), `run_fetch` and `serve_nightly`.
- `flows.runners`: where the extraction tasks run (threads here, or a Dask cluster).
"""

import os

# Prefect runs a temporary API on this machine when no server is configured; it has nothing to
# report home. Set before any module of this package imports Prefect.
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
# That temporary API takes 8-16 s to start here, longer on a busy machine: Prefect's default wait
# (20 s) made `make run` fail under load. Prefect reads this when first imported.
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
