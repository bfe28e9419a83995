"""Run the ingest flow from the command line: start-up hidden behind work, and a clean end.

Order of a run:

1. discover the files; if any is surely new (a path the warehouse does not hold), find or
   start right away, in the background, Prefect's API server (unless one is configured,
   `PREFECT_API_URL`: the local server an earlier run left up, `flows.local_server`, or one
   for this run only) and the extraction workers (which load GiNZA);
2. hash and plan meanwhile; with nothing new or changed, stop here: no server, no workers;
3. import Prefect (also while the server starts), wait for the server, run
   `flows.ingest.ingest_flow` with the plan;
4. always, success or failure: stop the workers, let Prefect send its last logs and
   events, then stop a temporary server (the reused one stays up for the next run), so
   that nothing is left to print a traceback or "Error logging to API" at exit.

Prefect's console output is off unless `verbose` (the command prints its own summary and
progress); its logs still reach the API at WARNING and above, or INFO with `verbose`.
This module does not import Prefect until it has work for it.
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from extractors.reading import Limits
from flows.local_server import ReusedServer, reuse_wanted
from flows.server import ServerStartError as ServerStartError  # for the command line
from flows.server import TemporaryServer, configured_api_url
from shingikai import warehouse
from shingikai.discover import Plan, SourceFile, discover_all, plan
from shingikai.ingest import Summary, record_without_extraction, repair_links
from shingikai.progress import Steps

if TYPE_CHECKING:
    from prefect.task_runners import TaskRunner


def quiet_prefect(verbose: bool = False) -> None:
    """Prefect's console lines off (or all of them with `verbose`); set before Prefect is imported."""
    level = "INFO" if verbose else "WARNING"
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", level)
    os.environ.setdefault(
        "PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL", "INFO" if verbose else "CRITICAL"
    )
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    # a local Dask cluster's shutdown notes ("Worker process still alive ..., killing") likewise
    os.environ.setdefault("DASK_LOGGING__DISTRIBUTED", "info" if verbose else "error")


def start_pool(memory_bytes: int, workers: int | None) -> None:
    """Start the extraction workers (GiNZA loads in the background); imported only when needed."""
    from shingikai.sandbox import start_pool as start

    start(memory_bytes, workers)


def surely_new(files: list[SourceFile], db: Path, force: bool) -> bool:
    """True when some file will very likely be extracted, known before hashing anything:
    a location the warehouse does not hold yet (or --force)."""
    if force:
        return bool(files)
    located = warehouse.known_locations(db)
    if located:
        return any(f.location not in located for f in files)
    known_paths = {source_path for _, source_path in warehouse.known_documents(db).values()}
    return any(f.source_path not in known_paths for f in files)


class Background:
    """What the flow needs, started early: Prefect's API server and the extraction workers.

    The server is the local one later runs reuse (`flows.local_server`), or with `temporary`
    (SHINGIKAI_PREFECT_SERVER=temporary, `--temporary-server`) one for this run only.
    """

    def __init__(self, temporary: bool = False) -> None:
        self.server: TemporaryServer | ReusedServer | None = None
        self.api_url = configured_api_url()
        self.temporary = temporary or not reuse_wanted()
        self.started = False
        self.pool = False

    def start(
        self, limits: Limits, workers: int | None, local: bool, dask_local: bool = False
    ) -> None:
        if self.started:
            return
        self.started = True
        if self.api_url is None:
            self.server = TemporaryServer() if self.temporary else ReusedServer()
        if local:
            self.pool = True
            from shingikai.sandbox import DEFAULT_MEMORY_BYTES

            start_pool(limits.memory_bytes or DEFAULT_MEMORY_BYTES, workers)
        elif dask_local:
            # the local cluster starts now, its workers forked from the fork server (which
            # loads GiNZA meanwhile): the run's extraction pool (flows.runners)
            self.pool = True
            from flows.runners import start_local_cluster

            start_local_cluster(workers or 2)

    def starting(self) -> str:
        """What `start` set going, for the command's progress."""
        what = []
        if isinstance(self.server, ReusedServer) and not self.server.started_here:
            what.append("using the local Prefect server")
        elif self.server is not None:
            what.append("starting Prefect's API server")
        if self.pool:
            what.append("the extraction workers (they load GiNZA)")
        return " and ".join(what) or "using the configured Prefect server"

    def wait_for_api(self) -> str | None:
        """The API URL the flow should use (None: Prefect's own configuration)."""
        if self.server is not None:
            return self.server.wait()
        return None

    def stop(self) -> None:
        if "shingikai.sandbox" in sys.modules:
            from shingikai.sandbox import close_pools

            close_pools()
        if "flows.runners" in sys.modules:
            from flows.runners import close_local_clusters

            close_local_clusters()
        if "prefect" in sys.modules:
            _drain_prefect()
        if self.server is not None:
            self.server.stop()
            self.server = None


def _server_kind(server: TemporaryServer | ReusedServer | None) -> str:
    """Which server the run used, for its timing marks (the benchmark compares them)."""
    if server is None:
        return "configured server"
    if isinstance(server, TemporaryServer):
        return "temporary server"
    if server.reused:
        return "local server reused"
    return "local server started" if server.started_here else "local server, started by another run"


def _files(n: int) -> str:
    return f"{n} file" if n == 1 else f"{n} files"


def _workers_state() -> str:
    """Whether the local extraction workers have loaded GiNZA yet (for a step said again)."""
    if "shingikai.sandbox" not in sys.modules:
        return ""
    from shingikai.sandbox import pools_loading

    loading = pools_loading()
    if loading is None:
        return ""
    return "extraction workers loading GiNZA" if loading else "extraction workers ready"


def _drain_prefect() -> None:
    """Send Prefect's queued logs and events now, while its API is still up."""
    from prefect.events.worker import EventsWorker
    from prefect.logging.handlers import APILogWorker

    for service in (APILogWorker, EventsWorker):
        with contextlib.suppress(Exception):
            service.drain_all(timeout=10)


@contextlib.contextmanager
def _api(url: str | None) -> Iterator[None]:
    """Point Prefect at `url` for the duration (its settings were read when it was imported)."""
    if url is None:
        yield
        return
    from prefect.settings import PREFECT_API_URL, temporary_settings

    with temporary_settings(updates={PREFECT_API_URL: url}):
        yield


def run_ingest(
    paths: list[str],
    db: str,
    force: bool = False,
    limits: Limits | None = None,
    task_runner: TaskRunner[Any] | None = None,
    workers: int | None = None,
    verbose: bool = False,
    dask: str | None = None,
    steps: Steps | None = None,
    temporary_server: bool = False,
) -> Summary:
    """Ingest `paths` into the warehouse at `db` through the Prefect flow; see the module docstring.

    `dask` ("local" or a scheduler address) runs the extraction tasks on Dask, with `workers`
    workers in a local cluster (default 2), as does any other `task_runner`. Otherwise
    `workers` is the number of local extraction processes (default: one per CPU).
    `steps` (the command line's) hears of each step as it begins. Without a configured
    server the run uses the local one later runs reuse, or with `temporary_server` its own.
    """
    quiet_prefect(verbose)
    started = time.monotonic()
    marks = Marks(started)
    say = steps.step if steps is not None else lambda what: None
    if steps is not None:
        steps.detail = _workers_state
    limits = limits or Limits()
    local = task_runner is None and not dask
    background = Background(temporary_server)
    api_url_before = os.environ.get("PREFECT_API_URL")
    try:
        files, problems = discover_all(Path(p) for p in paths)
        if surely_new(files, Path(db), force):
            background.start(limits, workers, local, dask == "local")
            marks.add("server and workers starting")
            say(f"{_files(len(files))} found; {background.starting()}; checking which are new")
        elif files:
            say(f"{_files(len(files))} found; checking which are new or changed")
        todo, skipped = plan(files, Path(db), force)
        planned = Plan(
            seen=len(files),
            todo=todo,
            skipped=skipped,
            seconds=time.monotonic() - started,
            problems=problems,
        )
        marks.add(f"planned: {len(planned.to_extract)} of {len(files)} files to extract")
        if files:
            say(
                f"{len(planned.to_extract)} of {_files(len(files))} to extract, {skipped} unchanged"
            )
        if not planned.to_extract:
            # nothing to extract: no orchestration (a nightly no-op costs only the hashing)
            summary = Summary.of_plan(planned, db)
            if planned.todo:  # locations of known bytes, unreadable files: a quick write
                with warehouse.Writer(db) as writer:
                    warehouse.relink_pending(writer.con)  # what a stopped run left, first
                    record_without_extraction(writer.con, planned.todo, summary)
            else:  # histories a stopped run left pending, if any (else only a read)
                repair_links(db)
            return summary
        if not background.started:
            background.start(limits, workers, local, dask == "local")
            say(background.starting())
        say("loading Prefect")
        if background.server is not None:
            # Prefect, then the flow's Dask workers, find the server through the environment
            os.environ["PREFECT_API_URL"] = background.server.api_url
        from prefect.task_runners import ThreadPoolTaskRunner

        from flows.ingest import hand_over, ingest_flow
        from shingikai.sandbox import default_workers

        if dask == "local":
            # the batch tasks run here and extract on the local cluster Background started
            workers = workers or 2
        elif dask:
            from flows.runners import make_task_runner

            task_runner = make_task_runner(dask, workers or 2)
        marks.add("Prefect imported")
        if background.server is not None:
            say("waiting for Prefect's API server to answer")
        url = background.wait_for_api()
        marks.add(f"API ready ({_server_kind(background.server)})")
        say(f"extracting {_files(len(planned.to_extract))}")
        workers = workers or default_workers()
        # twice as many batch tasks as extraction processes: while one task commits its batch
        # (in this process) and reports to Prefect, another keeps that task's process busy;
        # with one task per process, each process idled through every commit of its task
        runner: TaskRunner[Any] = task_runner or ThreadPoolTaskRunner(max_workers=2 * workers)
        run = ingest_flow.with_options(task_runner=runner)
        with _api(url):
            summary = run(
                paths=paths,
                db=db,
                force=force,
                limits=limits,
                workers=workers,
                plan_key=hand_over(planned),
            )
        marks.add(f"flow done ({summary.seconds:.1f} s in the flow)")
        return summary
    finally:
        if "shingikai.sandbox" in sys.modules:
            from shingikai.sandbox import pools_ready_at

            for ready in pools_ready_at():
                marks.add("workers ready (GiNZA loaded)", at=ready)
        if background.started:
            say("stopping the extraction workers and Prefect")
        background.stop()
        marks.add("workers and server stopped")
        marks.report()
        if api_url_before is None:
            os.environ.pop("PREFECT_API_URL", None)


class Marks:
    """When each step of a run ended, printed to stderr if SHINGIKAI_TIMINGS is set (the benchmark)."""

    def __init__(self, started: float) -> None:
        self.started = started
        self.marks: list[tuple[float, str]] = []

    def add(self, what: str, at: float | None = None) -> None:
        self.marks.append(((at or time.monotonic()) - self.started, what))

    def report(self) -> None:
        if os.environ.get("SHINGIKAI_TIMINGS"):
            for seconds, what in sorted(self.marks):
                print(f"timing: {seconds:6.2f} s  {what}", file=sys.stderr)
