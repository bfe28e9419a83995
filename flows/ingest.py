"""The ingest flow: discover files, skip what is loaded, extract each new document, load.

The flow only wires steps together. Extraction is a task per document (pure,
from `extractors`); loading happens in the flow's process, one transaction per
batch, each commit a snapshot of the lake that readers see at once (`shingikai.warehouse`).
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE

from extractors.reading import Limits
from shingikai import warehouse
from shingikai.discover import SourceFile, Summary, discover, plan
from shingikai.sandbox import extract_in_sandbox, failed, warm


@task(name="extract-document", cache_policy=NO_CACHE, persist_result=False)
def extract_document(path: str, source_path: str, limits: Limits, source_url: str | None = None):  # type: ignore[no-untyped-def]
    """Read and extract one document, in a child process bounded in time and memory."""
    return extract_in_sandbox(Path(path), source_path, limits, source_url=source_url)


@flow(name="shingikai-ingest", log_prints=True, persist_result=False)
def ingest_flow(
    paths: list[str],
    db: str = str(warehouse.DEFAULT_DB),
    force: bool = False,
    limits: Limits | None = None,
    batch: int = 8,
) -> Summary:
    """Ingest council documents under `paths` into the warehouse at `db`."""
    logger = get_run_logger()
    started = time.monotonic()
    limits = limits or Limits()
    files = discover([Path(p) for p in paths])
    todo, skipped = plan(files, Path(db), force)
    summary = Summary(seen=len(files), skipped=skipped, db=str(db))
    logger.info("%d files found, %d to extract, %d unchanged", len(files), len(todo), skipped)
    if todo:
        if task_runner_is_local():
            warm()  # load GiNZA once here, before the extraction tasks fork from this process
        with warehouse.Writer(db) as writer:
            for start in range(0, len(todo), batch):
                chunk = todo[start : start + batch]
                futures = [
                    extract_document.submit(str(f.path), f.source_path, limits, f.source_url)
                    for f in chunk
                ]
                extractions = [future.result() for future in futures]
                for f, extraction in zip(
                    chunk, _load_batch(writer.con, chunk, extractions), strict=True
                ):
                    _count(summary, f, extraction)
                done = min(start + batch, len(todo))
                logger.info("extracted and committed %d/%d documents", done, len(todo))
    summary.seconds = time.monotonic() - started
    for line in summary.lines():
        logger.info(line)
    return summary


def _load_batch(con, files: list[SourceFile], extractions: list):  # type: ignore[no-untyped-def]
    """Load a batch in one transaction; if that fails, document by document, so one bad row fails one file."""
    try:
        warehouse.load_many(con, extractions)
        return extractions
    except Exception:
        pass
    loaded = []
    for f, extraction in zip(files, extractions, strict=True):
        try:
            warehouse.load(con, extraction)
        except Exception as exc:
            from models.vocab import Status

            extraction = failed(
                f.path,
                f.source_path,
                Status.FAILED,
                f"extracted but could not be loaded ({type(exc).__name__}: {str(exc)[:200]}); please report it",
                f.source_url,
            )
            warehouse.load(con, extraction)
        loaded.append(extraction)
    return loaded


def task_runner_is_local() -> bool:
    """True unless the flow's tasks run on other processes (a Dask cluster), which warm themselves."""
    from prefect.context import FlowRunContext

    ctx = FlowRunContext.get()
    runner = getattr(ctx, "task_runner", None) if ctx else None
    return runner is None or type(runner).__name__ == "ThreadPoolTaskRunner"


def _count(summary: Summary, f: SourceFile, extraction) -> None:  # type: ignore[no-untyped-def]
    doc = extraction.document
    summary.new += 1
    summary.by_status[doc.status] = summary.by_status.get(doc.status, 0) + 1
    if doc.status != "ok":
        summary.failed += 1
        summary.failures.append((f.source_path, doc.status, doc.error or ""))
    summary.consultations += len(extraction.consultations)


def run_ingest(
    paths: list[str], db: str, force: bool = False, limits: Limits | None = None, task_runner=None
) -> Summary:  # type: ignore[no-untyped-def]
    """Run the flow with Prefect's ephemeral API unless a server is configured.

    `task_runner` (e.g. a prefect_dask.DaskTaskRunner) runs the extraction tasks elsewhere.
    """
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    os.environ.setdefault("PREFECT_SERVER_ALLOW_EPHEMERAL_MODE", "true")
    started = time.monotonic()
    files = discover(Path(p) for p in paths)
    todo, skipped = plan(files, Path(db), force)
    if not todo:
        # nothing new or changed: no orchestration to start (a nightly no-op costs only the hashing)
        return Summary(
            seen=len(files), skipped=skipped, db=str(db), seconds=time.monotonic() - started
        )
    run = (
        ingest_flow.with_options(task_runner=task_runner)
        if task_runner is not None
        else ingest_flow
    )
    return run(paths=paths, db=db, force=force, limits=limits)


if __name__ == "__main__":
    result = run_ingest(sys.argv[1:] or ["data/raw"], str(warehouse.DEFAULT_DB))
    print("\n".join(result.lines()))
