"""The ingest flow: extract each new document as a task, load it into the lake.

The flow only wires library steps together: `shingikai.discover.plan_ingest` decides what is
new, the `extract-document` task runs `shingikai.sandbox.extract_in_sandbox` (pure extraction
from `extractors`, in a bounded worker process), and loading happens in the flow's process,
a batch per transaction, each commit a snapshot of the lake that readers see at once
(`shingikai.warehouse`).
"""

from __future__ import annotations

import sys
import time
from logging import Logger, LoggerAdapter
from pathlib import Path
from typing import Any

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE

from extractors.reading import Limits
from flows.runners import make_task_runner, task_runner_is_local, use_local_api_unless_configured
from models.records import Extraction
from shingikai import warehouse
from shingikai.discover import Plan, SourceFile, plan_ingest
from shingikai.ingest import Summary, load_batch, record_without_extraction
from shingikai.paths import DEFAULT_RAW
from shingikai.sandbox import extract_in_sandbox, warm


@task(name="extract-document", cache_policy=NO_CACHE, persist_result=False)
def extract_document(
    path: str,
    source_path: str,
    limits: Limits,
    source_url: str | None = None,
    document_id: str | None = None,
) -> Extraction:
    """Read and extract one document, in a child process bounded in time and memory."""
    return extract_in_sandbox(
        Path(path), source_path, limits, source_url=source_url, document_id=document_id
    )


@flow(name="shingikai-ingest", log_prints=True, persist_result=False)
def ingest_flow(
    paths: list[str],
    db: str = str(warehouse.DEFAULT_DB),
    force: bool = False,
    limits: Limits | None = None,
    batch: int = 8,
    plan: Plan | None = None,
) -> Summary:
    """Ingest council documents under `paths` into the warehouse at `db`.

    `plan`: the plan `run_ingest` already made for these paths, so no file is hashed twice.
    """
    logger = get_run_logger()
    started = time.monotonic()
    if plan is None:
        plan = plan_ingest(paths, db, force)
    else:
        started -= plan.seconds  # the planning done before the flow counts too
    summary = Summary.of_plan(plan, db)
    todo = plan.to_extract
    logger.info("%d files found, %d to extract, %d unchanged", plan.seen, len(todo), plan.skipped)
    if plan.todo:
        if todo and task_runner_is_local():
            warm()  # load GiNZA once here, before the extraction tasks fork from this process
        with warehouse.Writer(db) as writer:
            record_without_extraction(writer.con, plan.without_extraction, summary)
            _extract_and_load(writer, todo, limits or Limits(), summary, batch, logger)
    summary.seconds = time.monotonic() - started
    for line in summary.lines():
        logger.info(line)
    return summary


def _extract_and_load(
    writer: warehouse.Writer,
    todo: list[SourceFile],
    limits: Limits,
    summary: Summary,
    batch: int,
    logger: Logger | LoggerAdapter[Any],
) -> None:
    """Extract `todo` a batch of tasks at a time; load each batch in one commit."""
    for start in range(0, len(todo), batch):
        chunk = todo[start : start + batch]
        futures = [
            extract_document.submit(str(f.path), f.source_path, limits, f.source_url, f.document_id)
            for f in chunk
        ]
        extractions = [future.result() for future in futures]
        for f, extraction in zip(chunk, load_batch(writer.con, chunk, extractions), strict=True):
            summary.add(f, extraction)
        logger.info(
            "extracted and committed %d/%d documents", min(start + batch, len(todo)), len(todo)
        )


def run_ingest(
    paths: list[str],
    db: str,
    force: bool = False,
    limits: Limits | None = None,
    dask: str | None = None,
    workers: int = 2,
) -> Summary:
    """Plan, then run the flow only if there is something to extract.

    Uses Prefect's temporary local API unless a server is configured. `dask`: run the
    extraction tasks on Dask ("local" for a temporary cluster of `workers`, or a scheduler address).
    """
    use_local_api_unless_configured()
    plan = plan_ingest(paths, db, force)
    if not plan.to_extract:
        # nothing to extract: no orchestration to start (a nightly no-op costs only the hashing)
        summary = Summary.of_plan(plan, db)
        if plan.todo:  # locations of known bytes, unreadable files: a quick write, no Prefect
            with warehouse.Writer(db) as writer:
                record_without_extraction(writer.con, plan.todo, summary)
        return summary
    runner = make_task_runner(dask, workers)
    run = ingest_flow.with_options(task_runner=runner) if runner is not None else ingest_flow
    return run(paths=paths, db=db, force=force, limits=limits, plan=plan)


if __name__ == "__main__":
    result = run_ingest(sys.argv[1:] or [str(DEFAULT_RAW)], str(warehouse.DEFAULT_DB))
    print("\n".join(result.lines()))
