"""The nightly Prefect flows: fetch new documents (`shingikai.fetch`), then ingest them.

`run_fetch` runs the fetch flow once (`shingikai fetch`); `serve_nightly` registers the nightly
flow as a cron-scheduled deployment (`shingikai serve`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from prefect import flow, get_run_logger
from prefect.schedules import Cron

from flows.ingest import ingest_flow
from flows.runners import use_local_api_unless_configured
from shingikai.fetch import DEFAULT_RAW, DEFAULT_SOURCES, FetchSummary, fetch_all, load_sources
from shingikai.warehouse import DEFAULT_DB


@flow(name="shingikai-fetch", log_prints=True, persist_result=False)
def fetch_flow(
    sources: str = str(DEFAULT_SOURCES),
    raw: str = str(DEFAULT_RAW),
    delay: float = 1.0,
    retries: int = 3,
    backoff: float = 1.0,
    timeout: float = 30.0,
) -> FetchSummary:
    """Download new or changed documents listed by the sources file into `raw`."""
    logger = get_run_logger()
    summary = fetch_all(
        load_sources(Path(sources)),
        Path(raw),
        delay=delay,
        retries=retries,
        backoff=backoff,
        timeout=timeout,
        log=logger.info,
    )
    for line in summary.lines():
        logger.info(line)
    return summary


@flow(name="shingikai-nightly", log_prints=True, persist_result=False)
def nightly_flow(
    sources: str = str(DEFAULT_SOURCES),
    raw: str = str(DEFAULT_RAW),
    db: str = str(DEFAULT_DB),
    delay: float = 1.0,
    retries: int = 3,
    backoff: float = 1.0,
    timeout: float = 30.0,
) -> dict:
    """Fetch, then ingest everything under `raw` (incremental: unchanged files are skipped)."""
    fetched = fetch_flow(
        sources=sources, raw=raw, delay=delay, retries=retries, backoff=backoff, timeout=timeout
    )
    ingested = ingest_flow(paths=[raw], db=db)
    return {"fetch": fetched.lines(), "ingest": ingested.lines()}


def serve_nightly(name: str, cron: str, timezone: str, parameters: dict[str, Any]) -> None:
    """Serve the nightly flow as a Prefect deployment on a cron schedule (blocks)."""
    nightly_flow.serve(
        name=name,
        schedule=Cron(cron, timezone=timezone),
        parameters=parameters,
        description="Fetch new council documents, then ingest them into the warehouse.",
    )


def run_fetch(
    sources: str,
    raw: str,
    delay: float = 1.0,
    retries: int = 3,
    backoff: float = 1.0,
    timeout: float = 30.0,
) -> FetchSummary:
    """Run the fetch flow once, with Prefect's temporary local API unless a server is configured."""
    use_local_api_unless_configured()
    return fetch_flow(
        sources=sources, raw=raw, delay=delay, retries=retries, backoff=backoff, timeout=timeout
    )
