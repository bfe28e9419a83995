"""The nightly Prefect flows: fetch new documents (`shingikai.fetch`), ingest them, then tidy the
lake's files (`shingikai.warehouse.lake.maintain`).

`run_fetch` runs the fetch flow once (`shingikai fetch`); `serve_nightly` registers the nightly
flow as a cron-scheduled deployment (`shingikai serve`).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from prefect import flow, get_run_logger
from prefect.schedules import Cron
from prefect.states import Failed, State

from flows.digest import check_paths, digest_flow
from flows.ingest import ingest_flow
from flows.runners import reused_api_unless_configured, use_local_api_unless_configured
from shingikai import run_parameters
from shingikai.digest import DIGEST_DIR
from shingikai.fetch import (
    DEFAULT_RAW,
    DEFAULT_SOURCES,
    DOWNLOAD_DEADLINE_S,
    FetchSummary,
    fetch_all,
    load_sources,
)
from shingikai.ingest import Summary
from shingikai.warehouse import DEFAULT_DB
from shingikai.warehouse.lake import maintain, single_file


@flow(name="shingikai-fetch", log_prints=True, persist_result=False)
def fetch_flow(
    sources: str = str(DEFAULT_SOURCES),
    raw: str = str(DEFAULT_RAW),
    delay: float = 1.0,
    retries: int = 3,
    backoff: float = 1.0,
    timeout: float = 30.0,
    deadline: float = DOWNLOAD_DEADLINE_S,
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
        deadline=deadline,
        log=logger.info,
    )
    for line in summary.lines():
        (logger.error if line.startswith("  failed: ") else logger.info)(line)
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
    watch: str | None = None,
    digest: str = str(DIGEST_DIR),
) -> dict | State:
    """Fetch, then ingest everything under `raw` (incremental: unchanged files are skipped);
    with a `watch` list, then write the night's digest into `digest` (flows.digest).

    Under `shingikai serve`, anyone who can reach the Prefect API can start a run with their own
    parameters: they are checked against the roots `serve` was given before anything is done.

    A municipality whose index or documents could not be fetched does not stop the others, but
    the run then ends Failed ("Partly failed" when something else was fetched or loaded), with
    the reason as the state's message: a night that quietly fetched nothing would otherwise
    look Completed in the Prefect UI for as long as nobody reads its logs.
    """
    roots = run_parameters.roots_from_env()
    if roots is not None:
        run_parameters.check(
            roots,
            sources=sources,
            raw=raw,
            db=db,
            delay=delay,
            retries=retries,
            backoff=backoff,
            timeout=timeout,
        )
        check_paths(roots, watch=watch, digest=digest if watch else None)  # issue 21
    fetched = fetch_flow(
        sources=sources, raw=raw, delay=delay, retries=retries, backoff=backoff, timeout=timeout
    )
    ingested = ingest_flow(paths=[raw], db=db)
    result = {"fetch": fetched.lines(), "ingest": ingested.lines()}
    if ingested.new and single_file(db) is None:
        tidied = maintain(
            db
        )  # the night's batches merged into few files; killed runs' leftovers gone
        result["maintain"] = [
            f"data files: {tidied.files_before} -> {tidied.files_after}, deleted: {tidied.removed}"
        ]
    if watch:  # issue 21: what is new tonight, for the watch list
        result["digest"] = digest_flow(db=db, watch=watch, out=digest)
    return final_state(fetched, ingested, result)


def failures(fetched: FetchSummary, ingested: Summary) -> list[str]:
    """What went wrong in a night that makes it Failed: a fetch that failed, or no new file loaded."""
    reasons = [f"fetch failed: {url}: {why}" for url, why in fetched.failed]
    if ingested.new and ingested.failed == ingested.new:
        reasons.append(
            f"none of the {ingested.new} new files could be loaded: "
            + "; ".join(f"{path} ({status}: {error})" for path, status, error in ingested.failures)
        )
    return reasons


def final_state(fetched: FetchSummary, ingested: Summary, result: dict) -> dict | State:
    """The night's result, or a Failed state whose message (shown in the UI) says what failed."""
    reasons = failures(fetched, ingested)
    if not reasons:
        return result
    logger = get_run_logger()
    for reason in reasons:
        logger.error(reason)
    worked = fetched.downloaded + fetched.unchanged + ingested.new - ingested.failed
    more = f" (and {len(reasons) - 3} more: see the run's logs)" if len(reasons) > 3 else ""
    return Failed(
        name="Partly failed" if worked else "Failed",
        message="; ".join(reasons[:3]) + more,
        data=result,
    )


class NoServer(RuntimeError):
    """`serve` needs a Prefect server that schedules runs; there is none to talk to."""


def check_server(timeout: float = 10.0) -> str:
    """The API URL of a reachable Prefect server, or NoServer: without one, `serve` would wait forever."""
    import httpx
    from prefect.settings import PREFECT_API_URL

    url = PREFECT_API_URL.value()
    if not url:
        raise NoServer(
            "serve needs a Prefect server that schedules runs: start one with "
            "`prefect server start` and set PREFECT_API_URL (e.g. http://127.0.0.1:4200/api)"
        )
    from prefect.settings import PREFECT_API_AUTH_STRING

    secret = PREFECT_API_AUTH_STRING.value()
    user, _, password = secret.get_secret_value().partition(":") if secret else ("", "", "")
    try:
        httpx.get(
            f"{url.rstrip('/')}/health", timeout=timeout, auth=(user, password) if secret else None
        ).raise_for_status()
    except httpx.HTTPError as exc:
        raise NoServer(
            f"no Prefect server answers at PREFECT_API_URL={url} ({type(exc).__name__}: {exc}): "
            "start it with `prefect server start`, or correct the URL"
        ) from None
    return url


def serve_nightly(
    name: str, cron: str, timezone: str, parameters: dict[str, Any], roots: list[Path]
) -> None:
    """Serve the nightly flow as a Prefect deployment on a cron schedule (blocks).

    Runs may only use paths inside `roots` (passed to the runs through the environment).
    """
    check_server()
    # the schedule's own parameters must pass too (the digest's paths: issue 21)
    paths = {k: parameters[k] for k in ("watch", "digest") if k in parameters}
    run_parameters.check(roots, **{k: v for k, v in parameters.items() if k not in paths})
    check_paths(roots, **paths)
    os.environ[run_parameters.ROOTS_ENV] = os.pathsep.join(map(str, roots))
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
    deadline: float = DOWNLOAD_DEADLINE_S,
) -> FetchSummary:
    """Run the fetch flow once, on the configured server, else the local one runs reuse."""
    use_local_api_unless_configured()
    with reused_api_unless_configured():
        return fetch_flow(
            sources=sources,
            raw=raw,
            delay=delay,
            retries=retries,
            backoff=backoff,
            timeout=timeout,
            deadline=deadline,
        )
