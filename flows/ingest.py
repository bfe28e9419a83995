"""The ingest flow: extract the planned documents in batches; each batch commits itself to the lake.

One Prefect task per batch of documents (`extract-batch`): each document of the batch is
extracted in the worker pool (`shingikai.sandbox`, bounded in time and memory), then the task
commits the batch to the warehouse, a DuckLake, in one transaction (`shingikai.ingest.commit_batch`):
one snapshot, which readers see at once, whole. Several tasks commit at the same time; a commit
that collides with another is retried. The task run is named after the documents it held and
leaves a table artifact with each one's status; it returns only each document's outcome.
Batches are cut by bytes, largest documents first (`plan_batches`).

On a Dask cluster at an address the same tasks run on the cluster's workers and commit from
there (a lake with a PostgreSQL catalog and shared data files serves workers on several
machines). With `--dask local` the tasks run here, as with the local runner, and the local
cluster's workers are their extraction pool (`flows.runners.start_local_cluster`); a flow given
a DaskTaskRunner of its own local cluster has its tasks only extract, and commits each batch
as it comes back (`flows.runners.commits_in_flow`).

Each batch links its own consultations among themselves and notes its local governments in the
lake (`pending_links`); the flow relinks their histories with everything loaded once, in the
run's last commit (`warehouse.relink_pending`), and first thing, what a stopped run left noted.

`flows.launch.run_ingest` is the command line's way in: it plans, starts Prefect's API and
the worker pool in the background, runs this flow and shuts everything down.
"""

# No `from __future__ import annotations` here: Prefect validates the flow's parameters with
# pydantic, which must resolve `Plan` also where a deployment loads the flow from its entrypoint.

import itertools
import queue
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TypeVar

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE
from prefect.futures import PrefectFuture

from extractors.reading import Limits
from flows.runners import (
    commits_in_flow,
    extracts_on_local_cluster,
    local_cluster_client,
    task_runner_is_local,
)
from models.records import Extraction
from models.vocab import Status
from shingikai import warehouse
from shingikai.discover import Plan, SourceFile, plan_ingest
from shingikai.ingest import Loaded, Summary, commit_batch, record_without_extraction, repair_links
from shingikai.progress import progress_for
from shingikai.sandbox import (
    DEFAULT_MEMORY_BYTES,
    SandboxJob,
    default_workers,
    extract_many_in_sandbox,
    failed,
)
from shingikai.sandbox import start_pool as start_worker_pool

MAX_BATCH = 200
R = TypeVar("R")


def plan_batches(files: list[SourceFile], workers: int) -> list[list[SourceFile]]:
    """The documents in batches, largest first, about four batches' worth of bytes per worker.

    Bytes stand in for extraction time (a PDF takes about as long per byte as a text file), so
    a large PDF gets a batch of its own while small texts share one (at most MAX_BATCH), and
    the largest go first so that no worker is left with a long one at the end.
    """
    sizes = {id(f): _size(f.path) for f in files}
    ordered = sorted(files, key=lambda f: sizes[id(f)], reverse=True)
    budget = max(1, sum(sizes.values()) // (4 * max(1, workers)))
    out: list[list[SourceFile]] = []
    chunk: list[SourceFile] = []
    chunk_bytes = 0
    for f in ordered:
        if chunk and (chunk_bytes + sizes[id(f)] > budget or len(chunk) >= MAX_BATCH):
            out.append(chunk)
            chunk, chunk_bytes = [], 0
        chunk.append(f)
        chunk_bytes += sizes[id(f)]
    if chunk:
        out.append(chunk)
    return out


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:  # gone since planning: extraction will say so
        return 0


def batch_name(files: list[SourceFile]) -> str:
    """The task run's name: which documents it held."""
    if len(files) == 1:
        return f"extract {files[0].source_path}"
    return f"extract {files[0].source_path} … {files[-1].source_path} ({len(files)} docs)"


def _extract_all(files: list[SourceFile], limits: Limits) -> list[Extraction]:
    """Each file of a batch extracted in one worker of the pool (or of the local Dask cluster
    of `--dask local`), one after the other."""
    jobs = [SandboxJob(f.path, f.source_path, f.source_url, f.document_id) for f in files]
    try:
        cluster = local_cluster_client()
        if cluster is not None:
            extractions: list[Extraction] = cluster.submit(
                extract_many_in_sandbox, jobs, limits, pure=False
            ).result()
            return extractions
        return extract_many_in_sandbox(jobs, limits)
    except Exception as exc:  # e.g. the workers could not start: each one fails with the reason
        return [
            failed(
                f.path,
                f.source_path,
                Status.FAILED,
                f"extraction could not run ({type(exc).__name__}: {str(exc)[:200]}); please report it",
                f.source_url,
                f.document_id,
            )
            for f in files
        ]


@task(name="extract-batch", cache_policy=NO_CACHE, persist_result=False)
def extract_batch(
    files: list[SourceFile], limits: Limits, db: str, commit: bool = True
) -> list[Loaded] | list[Extraction]:
    """Extract each document of a batch in the worker pool, commit the batch to the lake at `db`;
    record each one's status as an artifact. Without `commit`: the extractions, for the flow's
    process to commit (a local cluster, `_extract_and_commit`)."""
    extractions = _extract_all(files, limits)
    if not commit:
        return extractions
    loaded = commit_batch(db, files, extractions)
    report_batch(files, loaded)
    return loaded


def report_batch(files: list[SourceFile], loaded: list[Loaded]) -> None:
    """Each document's status, as a table artifact of the batch's task (or of the flow)."""
    create_table_artifact(
        table=[
            {
                "document": f.source_path,
                "status": o.status,
                "consultations": o.consultations,
                "error": o.error or "",
            }
            for f, o in zip(files, loaded, strict=True)
        ],
        description=batch_name(files),
    )


def stream_as_completed(
    submit: Callable[[list[SourceFile]], PrefectFuture[R]],
    chunks: Iterable[list[SourceFile]],
    window: int,
) -> Iterator[tuple[list[SourceFile], R]]:
    """Each batch with its outcomes as soon as it is done, with up to `window` batches in flight.

    The next batch is submitted before a finished one is handed over, so a slow batch holds up
    nothing but itself, and only `window` batches are ever submitted and not yet counted.
    """
    done: queue.Queue[tuple[list[SourceFile], PrefectFuture[R]]] = queue.Queue()

    def launch(chunk: list[SourceFile]) -> None:
        submit(chunk).add_done_callback(lambda future: done.put((chunk, future)))

    upcoming = iter(chunks)
    in_flight = 0
    for chunk in itertools.islice(upcoming, window):
        launch(chunk)
        in_flight += 1
    while in_flight:
        chunk, future = done.get()
        in_flight -= 1
        following = next(upcoming, None)
        if following is not None:
            launch(following)
            in_flight += 1
        yield chunk, future.result()


# Plans made before the flow started, by key. A plan lists every file: for a few thousand
# files it is far over what Prefect accepts as a flow run's parameters (512 KiB serialised),
# so the flow is given the key of a plan held in this process, never the plan itself.
_PLANS: dict[str, Plan] = {}


def hand_over(plan: Plan) -> str:
    """Keep a plan for the next `ingest_flow` run in this process; its key is the parameter."""
    key = uuid.uuid4().hex
    _PLANS[key] = plan
    return key


@flow(name="shingikai-ingest", persist_result=False)
def ingest_flow(
    paths: list[str],
    db: str = str(warehouse.DEFAULT_DB),
    force: bool = False,
    limits: Limits | None = None,
    workers: int | None = None,
    plan_key: str | None = None,
) -> Summary:
    """Ingest council documents under `paths` into the warehouse at `db`.

    `plan_key`: names the plan `flows.launch.run_ingest` already made in this process for
    these paths (see `hand_over`), so no file is hashed twice; without it, or for a key this
    process does not hold, the flow plans itself (the nightly flow).
    """
    logger = get_run_logger()
    started = time.monotonic()
    limits = limits or Limits()
    workers = workers or default_workers()
    plan = _PLANS.pop(plan_key, None) if plan_key else None
    if plan is None:
        plan = plan_ingest(paths, db, force)
    else:
        started -= plan.seconds  # the planning done before the flow counts too
    summary = Summary.of_plan(plan, db)
    logger.info(
        "%d files found, %d to extract, %d unchanged", plan.seen, len(plan.to_extract), plan.skipped
    )
    todo = plan.to_extract
    if plan.todo:
        if todo and task_runner_is_local() and not extracts_on_local_cluster():
            # (a no-op when the launcher started it already)
            start_worker_pool(limits.memory_bytes or DEFAULT_MEMORY_BYTES, workers)
        # a new lake is created, with its schema, here: not by the first tasks at once; when
        # this process commits the batches, they reuse this writer (opening a lake takes ~0.5 s)
        here = task_runner_is_local() or commits_in_flow()
        with warehouse.reused_writer(db) if here else warehouse.Writer(db) as writer:
            warehouse.relink_pending(writer.con)  # histories a stopped run left pending, first
            record_without_extraction(writer.con, plan.without_extraction, summary)
        try:
            _extract_and_commit(db, todo, limits, summary, workers)
            # each batch linked its own consultations and noted its local governments: their
            # histories with everything loaded are set once, in the run's last commit
            with warehouse.reused_writer(db) as writer:
                warehouse.relink_pending(writer.con)
                # counted here, on the open lake: the command line need not open it again
                row = writer.con.execute(
                    "SELECT count(*) FROM documents WHERE duplicate_of IS NOT NULL"
                ).fetchone()
                summary.copies = int(row[0]) if row else 0
        finally:
            warehouse.close_reused_writers()
    else:
        repair_links(db)
    summary.seconds = time.monotonic() - started
    create_markdown_artifact(
        markdown="\n\n".join(summary.lines()), description="what this ingest did"
    )
    return summary


def _extract_and_commit(
    db: str, todo: list[SourceFile], limits: Limits, summary: Summary, workers: int
) -> None:
    """Extract `todo` in batch tasks, each committing its own batch; count each batch as it ends.

    On a temporary local cluster the tasks only extract and this process commits each batch as
    it comes back (`flows.runners.commits_in_flow`): its workers share this machine with it, and
    one process committing does it with one connection to the lake instead of one per worker.
    """
    sizes = {id(f): _size(f.path) for f in todo}
    progress = progress_for(len(todo), total_work=sum(sizes.values()))
    here = commits_in_flow()

    def submit(chunk: list[SourceFile]) -> PrefectFuture[list[Loaded] | list[Extraction]]:
        return extract_batch.with_options(task_run_name=batch_name(chunk)).submit(
            chunk, limits, db, commit=not here
        )

    try:
        chunks = plan_batches(todo, workers)
        for chunk, result in stream_as_completed(submit, chunks, window=2 * workers):
            if here:
                loaded = commit_batch(db, chunk, result)  # type: ignore[arg-type]
                report_batch(chunk, loaded)
            else:
                loaded = result  # type: ignore[assignment]
            failed_before = summary.failed
            for f, outcome in zip(chunk, loaded, strict=True):
                summary.add(f, outcome)
            progress.advance(
                len(chunk),
                failed=summary.failed - failed_before,
                work=sum(sizes[id(f)] for f in chunk),
            )
    finally:
        progress.close()
