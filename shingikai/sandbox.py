"""Extract documents in worker processes, so that no single file can hang or exhaust the run.

Workers are forked by multiprocessing's fork server, which loads GiNZA once when it starts
(`shingikai.sandbox_preload`): every worker shares the loaded model and starts in
milliseconds, and none inherits the threads, signal handlers or log handlers of the process
that runs Prefect. Workers are reused. Each has an address-space limit and each document a
wall-clock limit; a document over either fails alone, with a reason that names the limit,
and its worker is replaced.

`start_pool` returns at once: GiNZA loads and the workers start in the background while the
caller does other work (planning, starting Prefect's API). `close_pools` stops every worker
(each finishes and exits on a message, a stuck one is killed); it also runs at exit.
"""

from __future__ import annotations

import atexit
import hashlib
import multiprocessing as mp
import os
import queue
import resource
import signal
import threading
import time
import traceback
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from extractors import extractor_version
from extractors.reading import Limits
from models.records import Document, Extraction
from models.vocab import Status
from shingikai.hashing import sha256_of

PRELOAD = "shingikai.sandbox_preload"
DEFAULT_MEMORY_BYTES = 6 * 1024**3


def default_workers() -> int:
    """One extraction worker per CPU this process may use (at most 8)."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        cpus = os.cpu_count() or 1
    return max(1, min(8, cpus))


def _worker(conn, memory_bytes: int | None) -> None:  # type: ignore[no-untyped-def]
    """A long-lived extractor: one document per message, until a None message or its parent goes away."""
    from extractors.pipeline import extract_bytes  # loaded already, by the fork server

    signal.signal(
        signal.SIGINT, signal.SIG_IGN
    )  # Ctrl-C is the parent's to handle: it stops the pool
    if memory_bytes:
        resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        if job is None:
            return
        path, source_path, limits, source_url = job
        try:
            data = Path(path).read_bytes()
        except OSError as exc:  # deleted or made unreadable since it was planned
            conn.send(("unreadable", unreadable_reason(exc)))
            continue
        try:
            conn.send(
                ("ok", extract_bytes(data, source_path, limits=limits, source_url=source_url))
            )
        except MemoryError:
            conn.send(("memory", None))
            return  # a process that ran out of memory is not trusted with the next document
        except BaseException as exc:
            if memory_bytes and (_out_of_memory(exc) or _near_limit(memory_bytes)):
                conn.send(("memory", None))
                return
            conn.send(("error", traceback.format_exc(limit=3)))


_PRELOAD_EXTRA: list[str] = []


def _context() -> mp.context.ForkServerContext:
    ctx = mp.get_context("forkserver")
    # read once, when the fork server starts: the main module (so no worker imports it again), GiNZA
    ctx.set_forkserver_preload(["__main__", PRELOAD, *_PRELOAD_EXTRA])
    return ctx


class _Worker:
    def __init__(self, memory_bytes: int | None):
        ctx = _context()
        self.conn, child = ctx.Pipe(duplex=True)
        self.proc = ctx.Process(
            target=_worker, args=(child, memory_bytes), daemon=True, name="shingikai-extract"
        )
        self.proc.start()
        child.close()
        self.jobs = 0

    def stop(self, wait: float = 0.0) -> None:
        """Ask the worker to exit (after its current document), wait up to `wait` s, then kill it."""
        if wait and self.proc.is_alive():
            try:
                self.conn.send(None)
            except (OSError, ValueError):
                pass
            self.proc.join(wait)
        if self.proc.is_alive():
            self.proc.kill()
        self.proc.join(5)
        self.conn.close()


# Documents sent to a worker beyond the one it runs: few enough that the messages fit in the
# pipe (the worker reads them only as it goes; this process must never block sending while the
# worker blocks sending a result), enough to cover a busy parent's pauses.
AHEAD = 8


class WorkerPool:
    """Extraction processes forked from the GiNZA-loaded fork server and reused.

    The workers start in a background thread; `run` waits for an idle one. A worker that
    times out, dies or runs out of memory is killed and replaced; every `recycle_after`
    documents a worker is replaced anyway, so memory stays flat.
    """

    def __init__(self, size: int, memory_bytes: int | None, recycle_after: int = 200):
        self.size = size
        self.memory_bytes = memory_bytes
        self.recycle_after = recycle_after
        self.idle: queue.Queue[_Worker | None] = queue.Queue()
        self._workers: set[_Worker] = set()
        self._lock = threading.Lock()
        self._closed = False
        self._start_error: BaseException | None = None
        self._started = threading.Event()
        self.ready_at: float | None = None  # time.monotonic() when every worker had started
        threading.Thread(target=self._start, daemon=True, name="shingikai-pool-start").start()

    def _start(self) -> None:
        try:
            for _ in range(self.size):
                self.idle.put(self._new_worker())
        except BaseException as exc:  # reported to every caller of run()
            self._start_error = exc
            self.idle.put(None)
        finally:
            self.ready_at = time.monotonic()
            self._started.set()

    def _new_worker(self) -> _Worker:
        worker = _Worker(self.memory_bytes)  # the first one waits for the fork server to load GiNZA
        with self._lock:
            if self._closed:
                worker.stop()
                raise RuntimeError("the extraction pool was closed")
            self._workers.add(worker)
        return worker

    def wait_started(self, timeout: float | None = None) -> bool:
        """Block until every worker has started (GiNZA loaded); False on timeout."""
        return self._started.wait(timeout)

    def run(
        self, path: Path, source_path: str, limits: Limits, source_url: str | None
    ) -> tuple[str, object, int | None]:
        """Extract one document in an idle worker: (kind, payload, exit code of a retired worker)."""
        return self.run_many([(path, source_path, source_url)], limits)[0]

    def run_many(
        self, jobs: list[tuple[Path, str, str | None]], limits: Limits
    ) -> list[tuple[str, object, int | None]]:
        """Extract documents (path, source_path, source_url) one after the other in one idle
        worker, each with its own time limit; the outcome of each, in order.

        The next documents (AHEAD) are sent before the worker has finished the one it has, so it
        never waits for this process to read a result and send more: small documents take a few
        milliseconds, and a parent busy committing (its threads taking turns for the GIL) left
        each worker waiting for its next document about a quarter of the time. A document's
        time limit runs from when this process read the result before it (at least the limit).
        A worker that times out, dies or runs out of memory is replaced; the documents it had
        been sent but not started go to the new one.
        """
        out: list[tuple[str, object, int | None]] = []
        worker: _Worker | None = self._take()
        pending = list(jobs)
        try:
            while pending and worker is not None:
                # the worker's share: up to the document after which it is recycled
                share = pending[: max(1, self.recycle_after - worker.jobs)]
                done, worker = self._run_share(worker, share, limits, out)
                pending = pending[done:]
            out.extend(("died", None, None) for _ in pending)  # the pool closed meanwhile
        finally:
            if worker is not None:
                self.idle.put(worker)
        return out

    def _take(self) -> _Worker:
        worker = self.idle.get()
        if worker is None:
            self.idle.put(None)  # every other caller fails the same way
            raise RuntimeError(f"extraction workers could not start: {self._start_error!r}")
        return worker

    def _run_share(
        self,
        worker: _Worker,
        share: list[tuple[Path, str, str | None]],
        limits: Limits,
        out: list[tuple[str, object, int | None]],
    ) -> tuple[int, _Worker | None]:
        """Run `share` on `worker`, one document ahead; how many documents ended (each appended
        to `out`) and the worker to go on with (a new one when this one was retired, None
        when the pool closed meanwhile)."""
        sent = 0
        done = 0
        kind = "ok"
        try:
            while done < len(share):
                while sent < len(share) and sent <= done + AHEAD:  # it never waits for one
                    path, source_path, source_url = share[sent]
                    worker.conn.send((str(path), source_path, limits, source_url))
                    sent += 1
                if worker.conn.poll(limits.timeout_s):
                    kind, payload = worker.conn.recv()
                else:
                    kind, payload = "timeout", None
                worker.jobs += 1
                out.append((kind, payload, None))
                done += 1
                if kind in ("timeout", "memory"):
                    break  # the worker goes; what it was sent next goes to the new one
        except (EOFError, OSError):
            kind = "died"
            out.append((kind, None, None))
            done += 1
        if (
            kind in ("timeout", "died", "memory")
            or worker.jobs >= self.recycle_after
            or not worker.proc.is_alive()
        ):
            self._retire(worker, wait=0.0 if kind in ("timeout", "died", "memory") else 1.0)
            if kind in ("timeout", "died", "memory"):
                out[-1] = (kind, out[-1][1], worker.proc.exitcode)
            try:
                return done, self._new_worker()
            except RuntimeError:  # closed while these documents ran: the rest cannot run
                out.extend(("died", None, None) for _ in share[done:])
                return len(share), None
        return done, worker

    def _retire(self, worker: _Worker, wait: float) -> None:
        with self._lock:
            self._workers.discard(worker)
        worker.stop(wait)

    def close(self, wait: float = 2.0) -> None:
        """Stop every worker: each exits when asked; one still busy after `wait` s is killed."""
        with self._lock:
            self._closed = True
            workers, self._workers = list(self._workers), set()
        for worker in workers:
            try:
                worker.conn.send(None)
            except (OSError, ValueError):
                pass
        for worker in workers:
            worker.stop(wait)


_POOLS: dict[int | None, WorkerPool] = {}
_POOLS_LOCK = threading.Lock()


def start_pool(memory_bytes: int | None, size: int | None = None) -> WorkerPool:
    """The process's pool of extraction workers for this memory limit, started if need be.

    Returns at once; the workers become available as GiNZA finishes loading.
    """
    with _POOLS_LOCK:
        if memory_bytes not in _POOLS:
            start_fork_server()
            _POOLS[memory_bytes] = WorkerPool(size or default_workers(), memory_bytes)
        return _POOLS[memory_bytes]


def start_fork_server(extra: tuple[str, ...] = (), anywhere: bool = False) -> None:
    """Start the fork server now, from the main thread, with Ctrl-C ignored for the moment it
    takes to spawn it: it inherits that, and Python then leaves Ctrl-C ignored in it. Returns
    at once: the server loads GiNZA (and the modules `extra`) in the background.

    A local Dask cluster forks its workers from this server too (`flows.runners`), with
    `extra` (Dask's worker, the flow's module) and `anywhere`: it must be running before the
    cluster starts.

    Ctrl-C on a terminal reaches the whole process group and is the command's to handle (it
    stops the pool); Python's fork server ignores it only once it has loaded GiNZA, so a
    Ctrl-C before that printed its KeyboardInterrupt traceback after the command's
    "interrupted". Off the main thread (which alone may change signal handling) the first
    worker starts the fork server as before.
    """
    from multiprocessing import forkserver

    _PRELOAD_EXTRA.extend(m for m in extra if m not in _PRELOAD_EXTRA)
    _context()  # the preload list
    if threading.current_thread() is not threading.main_thread():
        if anywhere:
            forkserver.ensure_running()
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        forkserver.ensure_running()
    finally:
        signal.signal(signal.SIGINT, previous)


def pools_loading() -> bool | None:
    """True while a started pool's workers are still starting (GiNZA loading); None: no pool."""
    with _POOLS_LOCK:
        pools = list(_POOLS.values())
    return any(p.ready_at is None for p in pools) if pools else None


def pools_ready_at() -> list[float]:
    """When each started pool had all its workers running (time.monotonic())."""
    with _POOLS_LOCK:
        return [p.ready_at for p in _POOLS.values() if p.ready_at is not None]


def close_pools() -> None:
    """Stop every extraction worker of this process (also run at exit)."""
    with _POOLS_LOCK:
        pools = list(_POOLS.values())
        _POOLS.clear()
    for p in pools:
        p.close()


atexit.register(close_pools)


_ALLOCATION_FAILED = (
    "failed to map segment",
    "cannot allocate memory",
    "bad_alloc",
    "out of memory",
)


def _out_of_memory(exc: BaseException) -> bool:
    e: BaseException | None = exc
    while e is not None:
        if isinstance(e, MemoryError) or any(s in str(e).lower() for s in _ALLOCATION_FAILED):
            return True
        e = e.__cause__ or e.__context__
    return False


def _near_limit(memory_bytes: int, slack: int = 64 * 1024**2) -> bool:
    """True when the address space is within `slack` of the limit: an allocation that failed there shows up
    as whatever error the library makes of it (SystemError, RuntimeError...), but the cause is the limit."""
    try:
        with open("/proc/self/status") as fh:
            size = next(int(line.split()[1]) * 1024 for line in fh if line.startswith("VmPeak:"))
    except (OSError, StopIteration, ValueError):
        return False
    return size + slack >= memory_bytes


def unreadable_reason(exc: OSError) -> str:
    """What to tell a person about a file that could not be read."""
    if isinstance(exc, FileNotFoundError):
        return "the file disappeared before it could be read (deleted or moved during the run): ingest again"
    if isinstance(exc, PermissionError):
        return (
            "the file cannot be read: permission denied (check its mode and owner, e.g. chmod a+r)"
        )
    return f"the file cannot be read: {exc.strerror or exc} (errno {exc.errno})"


# the extractor_version of a file that could not be read: no extractor ever saw its bytes, so the
# next ingest reads it again (a file that was read and failed to extract waits for a new version)
UNREAD = "unread"


def failed(
    path: Path,
    source_path: str,
    status: Status,
    error: str,
    source_url: str | None = None,
    document_id: str | None = None,
    *,
    unread: bool = False,
) -> Extraction:
    """The documents row of a file that failed; `document_id` as planned (the file may be gone).
    `unread`: the file itself could not be read (see UNREAD)."""
    try:
        size: int | None = path.stat().st_size
        if document_id is None:
            document_id = sha256_of(path)
    except OSError:
        size = None
        document_id = (
            document_id or hashlib.sha256(f"unreadable\0{path.absolute()}".encode()).hexdigest()
        )
    return Extraction(
        Document(
            document_id=document_id,
            source_path=source_path,
            file_type=None,
            encoding=None,
            status=status,
            error=error,
            doc_kind=None,
            municipality=None,
            n_pages=None,
            n_chars=None,
            extractor_version=UNREAD if unread else extractor_version(),
            ingested_at=datetime.now(UTC).replace(tzinfo=None),
            size_bytes=size,
            source_url=source_url,
        )
    )


_WARM = threading.Lock()


def warm() -> None:
    """Load GiNZA and the tokenizer in this process (the fork server, or a Dask worker's threads).

    Several threads may call this at once; the lock makes the first load the only one.
    """
    from extractors.nlp import nlp
    from extractors.normalize import _tokenizer

    with _WARM:
        nlp()
        _tokenizer()
        extractor_version()


def _in_thread(
    path: Path, source_path: str, limits: Limits, source_url: str | None, document_id: str | None
) -> Extraction:
    """Fallback inside a daemonic process (e.g. a Dask worker), which may not fork children:
    extract in a thread bounded in time only (no memory limit; a timed-out thread is abandoned)."""

    from extractors.pipeline import extract_bytes

    box: dict[str, object] = {}

    def run() -> None:
        try:
            data = Path(path).read_bytes()
        except OSError as exc:
            box["unreadable"] = unreadable_reason(exc)
            return
        try:
            box["ok"] = extract_bytes(data, source_path, limits=limits, source_url=source_url)
        except BaseException:
            box["error"] = traceback.format_exc(limit=3)

    t = threading.Thread(target=run, daemon=True, name=f"extract {source_path}")
    t.start()
    t.join(limits.timeout_s)
    if "ok" in box:
        return box["ok"]  # type: ignore[return-value]
    if "unreadable" in box:
        return failed(
            path,
            source_path,
            Status.FAILED,
            str(box["unreadable"]),
            source_url,
            document_id,
            unread=True,
        )
    if t.is_alive():
        error = f"extraction took longer than the limit of {limits.timeout_s:g} s and was stopped (raise --timeout to allow more)"
    else:
        err = str(box.get("error", "")).strip().splitlines()
        error = (
            f"extraction failed with an internal error: {err[-1] if err else ''} (please report it)"
        )
    return failed(path, source_path, Status.FAILED, error, source_url, document_id)


def extract_in_sandbox(
    path: Path,
    source_path: str,
    limits: Limits,
    *,
    source_url: str | None = None,
    memory_bytes: int | None = DEFAULT_MEMORY_BYTES,
    document_id: str | None = None,
) -> Extraction:
    """Extract one file in a worker; any failure is a `failed` row (with `document_id`, as planned)."""
    return extract_many_in_sandbox(
        [SandboxJob(path, source_path, source_url, document_id)], limits, memory_bytes=memory_bytes
    )[0]


@dataclass(frozen=True)
class SandboxJob:
    """A file to extract, as planned: where it is, its name in the warehouse, its id if known."""

    path: Path
    source_path: str
    source_url: str | None = None
    document_id: str | None = None


def extract_many_in_sandbox(
    jobs: list[SandboxJob], limits: Limits, *, memory_bytes: int | None = DEFAULT_MEMORY_BYTES
) -> list[Extraction]:
    """Extract files one after the other in one worker of the pool (`WorkerPool.run_many`: the
    worker never waits for the next file), each bounded alone; any failure is a `failed` row."""
    if getattr(limits, "memory_bytes", None):  # `shingikai ingest --max-memory-gb`
        memory_bytes = limits.memory_bytes
    if mp.current_process().daemon:  # e.g. a Dask worker, which may not start processes
        warm()
        return [
            _in_thread(j.path, j.source_path, limits, j.source_url, j.document_id) for j in jobs
        ]
    outcomes = start_pool(memory_bytes).run_many(
        [(j.path, j.source_path, j.source_url) for j in jobs], limits
    )
    return [
        _extraction(j, limits, memory_bytes, *outcome)
        for j, outcome in zip(jobs, outcomes, strict=True)
    ]


def _extraction(
    job: SandboxJob,
    limits: Limits,
    memory_bytes: int | None,
    kind: str,
    payload: object,
    exitcode: int | None,
) -> Extraction:
    """The extraction a worker sent, or the `failed` row saying why there is none."""
    if kind == "ok":
        assert isinstance(payload, Extraction)
        return payload
    if kind == "died" and memory_bytes:
        # under an address-space limit, a child that ends without a word failed to allocate
        kind = "memory"
    reasons = {
        "unreadable": (Status.FAILED, str(payload)),
        "timeout": (
            Status.FAILED,
            f"extraction took longer than the limit of {limits.timeout_s:g} s and was stopped (raise --timeout to allow more)",
        ),
        "memory": (
            Status.FAILED,
            f"extraction needed more memory than the limit of {(memory_bytes or 0) / 1024**3:.3g} GiB (raise --max-memory-gb to allow more)",
        ),
        "died": (
            Status.FAILED,
            f"the extracting process died (exit code {exitcode}), probably out of memory",
        ),
        "error": (
            Status.FAILED,
            f"extraction failed with an internal error: {str(payload).strip().splitlines()[-1] if payload else ''} (please report it)",
        ),
    }
    status, error = reasons[kind]
    return failed(
        job.path,
        job.source_path,
        status,
        error,
        job.source_url,
        job.document_id,
        unread=kind == "unreadable",
    )
