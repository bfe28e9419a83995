"""The nightly Prefect flows: fetch new documents (`shingikai.fetch`), ingest them, then tidy the
lake's files (`shingikai.warehouse.lake.maintain`).

`run_fetch` runs the fetch flow once (`shingikai fetch`); `serve_nightly` registers the nightly
flow as a cron-scheduled deployment and runs it (`shingikai serve`, one machine);
`deploy_nightly` deploys it to a Prefect `process` work pool (`shingikai deploy`) and
`start_worker` starts the worker that runs it there (`shingikai worker`).
"""

from __future__ import annotations

import contextlib
import io
import os
import sys
from pathlib import Path
from typing import Any

from prefect import Flow, flow, get_run_logger
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
from shingikai.warehouse.lake import location, maintain, single_file


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

    Under `shingikai serve` or a work pool's worker, anyone who can reach the Prefect API can
    start a run with their own parameters: they are checked against the roots and warehouses
    the operator gave (`serve`, `shingikai worker`) before anything is done.

    A municipality whose index or documents could not be fetched does not stop the others, but
    the run then ends Failed ("Partly failed" when something else was fetched or loaded), with
    the reason as the state's message: a night that quietly fetched nothing would otherwise
    look Completed in the Prefect UI for as long as nobody reads its logs.
    """
    roots = operators_roots()
    if roots is not None:
        run_parameters.check(
            roots,
            sources=sources,
            raw=raw,
            db=db,
            dbs=run_parameters.dbs_from_env(),
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


def operators_roots() -> list[Path] | None:
    """The roots the operator allowed (run_parameters), or None for a person running the flow.

    A run of a deployment is never a person's own: without the operator's lists in its
    environment (a `prefect worker` started without them) it is refused rather than let write
    wherever its parameters say."""
    roots = run_parameters.roots_from_env()
    if roots is None:
        from prefect.runtime import deployment

        if deployment.id is not None:
            raise run_parameters.ParameterRefused(
                f"run refused: no allowed roots in this worker's environment "
                f"({run_parameters.ROOTS_ENV}): start the worker with `shingikai worker "
                f"--pool POOL --allow-root DIR [--allow-db DB]`"
            )
    return roots


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


DESCRIPTION = "Fetch new council documents, then ingest them into the warehouse."


def allow(parameters: dict[str, Any], roots: list[Path], dbs: list[str] | None) -> None:
    """Check the schedule's own parameters as its runs will be checked, then put the operator's
    lists in this process's environment, from where the runs it starts read them."""
    # the digest's paths are checked apart (issue 21)
    paths = {k: parameters[k] for k in ("watch", "digest") if k in parameters}
    run_parameters.check(roots, dbs=dbs, **{k: v for k, v in parameters.items() if k not in paths})
    check_paths(roots, **paths)
    run_parameters.to_env(roots, dbs)


def serve_nightly(
    name: str,
    cron: str,
    timezone: str,
    parameters: dict[str, Any],
    roots: list[Path],
    dbs: list[str] | None = None,
) -> None:
    """Serve the nightly flow as a Prefect deployment on a cron schedule (blocks).

    Runs may only use paths inside `roots` and, when given, only the warehouses `dbs` (passed
    to the runs through the environment).
    """
    check_server()
    allow(parameters, roots, dbs)
    nightly_flow.serve(
        name=name,
        schedule=Cron(cron, timezone=timezone),
        parameters=parameters,
        description=DESCRIPTION,
    )


ROOT = Path(__file__).resolve().parent.parent  # the checkout the worker loads the flow from
ENTRYPOINT = "flows/nightly.py:nightly_flow"


class WrongPool(ValueError):
    """The work pool named exists but is not a `process` pool."""


# What a run's job variables may not set on a pool `deploy` creates: through them, whoever can
# reach the API could give a run its own environment (the operator's allowed warehouses
# included) or its own command.
LOCKED: dict[str, Any] = {"command": None, "env": {}, "working_dir": None}


def locked_process_template() -> dict[str, Any]:
    """Prefect's base job template for a process pool, with `command`, `env` and `working_dir`
    fixed (the worker's own: `python -m prefect.engine`, its environment, the pull step's
    folder) and no other job variable accepted: the server refuses a run that sets one."""
    from prefect.workers.process import ProcessWorker

    template = ProcessWorker.get_default_base_job_template()
    for key, value in LOCKED.items():
        template["variables"]["properties"].pop(key, None)
        template["job_configuration"][key] = value
    template["variables"]["additionalProperties"] = False
    return template


def ensure_process_pool(pool: str) -> str:
    """Create the `process` work pool `pool` unless it exists; what was found, for the operator."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.actions import WorkPoolCreate
    from prefect.exceptions import ObjectNotFound

    with get_client(sync_client=True) as client:
        try:
            found = client.read_work_pool(pool)
        except ObjectNotFound:
            template = locked_process_template()
            client.create_work_pool(
                WorkPoolCreate(name=pool, type="process", base_job_template=template)
            )
            return "created"
    if found.type != "process":
        raise WrongPool(
            f"work pool {pool!r} is a {found.type!r} pool: the nightly flow runs on a "
            "`process` pool (give another --pool)"
        )
    open_to_runs = set(LOCKED) & set(
        found.base_job_template.get("variables", {}).get("properties", {})
    )
    if open_to_runs:
        return (
            f"existing; its runs may set {', '.join(sorted(open_to_runs))} through job "
            "variables, which a pool created by `shingikai deploy` does not let them"
        )
    return "existing"


def deploy_nightly(
    pool: str, name: str, cron: str, timezone: str, parameters: dict[str, Any]
) -> str:
    """Deploy the nightly flow to the `process` work pool `pool` (created if missing) on a cron
    schedule; returns what was done, for the operator.

    The code is this checkout, loaded where it is (a `set_working_directory` pull step, nothing
    downloaded), so the worker must run on a machine with the same checkout at the same path.
    Which roots and warehouses the runs may use is not part of the deployment, which anyone who
    can reach the API can change: the worker's environment says it (`shingikai worker`).
    """
    check_server()
    made = ensure_process_pool(pool)
    loaded = nightly_flow.from_source(str(ROOT), entrypoint=ENTRYPOINT)
    assert isinstance(loaded, Flow)  # called outside an event loop: the flow, not a coroutine
    with contextlib.redirect_stdout(io.StringIO()):  # Prefect's table of one row: said below
        deployment_id = loaded.deploy(
            name=name,
            work_pool_name=pool,
            schedule=Cron(cron, timezone=timezone),
            parameters=parameters,
            description=DESCRIPTION,
            build=False,
            push=False,
            print_next_steps=False,
            ignore_warnings=True,
        )
    return (
        f"deployed {nightly_flow.name}/{name} ({deployment_id}) to the process work pool "
        f"{pool!r} ({made}), schedule {cron!r} ({timezone}); runs start when a worker polls the pool: "
        f"shingikai worker --pool {pool} --allow-root DIR [--allow-db DB]"
    )


def start_worker(pool: str, roots: list[Path], dbs: list[str] | None, name: str | None) -> None:
    """Become `prefect worker start --pool POOL --type process`, with the operator's roots and
    warehouses in its environment: every run it executes inherits them and checks its
    parameters against them (`nightly_flow`)."""
    for db in dbs or []:
        location(db)  # SingleFileWarehouse for a .duckdb file: a run could never write it
    check_server()
    found = ensure_process_pool(pool)  # else `prefect worker` would make one runs may reconfigure
    if found not in ("created", "existing"):
        print(f"note: work pool {pool!r}: {found}", file=sys.stderr)
    run_parameters.to_env(roots, dbs)
    prefect = Path(sys.executable).with_name("prefect")
    cmd = [str(prefect), "worker", "start", "--pool", pool, "--type", "process"]
    os.execv(prefect, [*cmd, *(["--name", name] if name else [])])


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
