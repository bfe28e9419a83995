"""Extract documents in worker processes, so that no single file can hang or exhaust the run.

Workers are forked once (GiNZA already loaded) and reused. Each has an
address-space limit and each document a wall-clock limit; a document over either
fails alone, with a reason that names the limit, and its worker is replaced.
"""

from __future__ import annotations

import multiprocessing as mp
import resource
import threading
import traceback
from datetime import UTC, datetime
from pathlib import Path

from extractors import extractor_version
from extractors.pipeline import document_id_of, extract_bytes
from extractors.reading import Limits
from models.records import Document, Extraction
from models.vocab import Status


def _worker(conn, memory_bytes: int | None) -> None:  # type: ignore[no-untyped-def]
    """A long-lived extractor: one document per message, until its parent goes away."""
    if memory_bytes:
        resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    while True:
        try:
            path, source_path, limits, source_url = conn.recv()
        except (EOFError, OSError, KeyboardInterrupt):
            return
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


class _Worker:
    def __init__(self, memory_bytes: int | None):
        ctx = mp.get_context("fork")
        self.conn, child = ctx.Pipe(duplex=True)
        self.proc = ctx.Process(target=_worker, args=(child, memory_bytes), daemon=True)
        self.proc.start()
        child.close()
        self.jobs = 0

    def stop(self) -> None:
        if self.proc.is_alive():
            self.proc.kill()
        self.proc.join(5)
        self.conn.close()


class WorkerPool:
    """Extraction processes forked once (GiNZA already loaded) and reused, one per core.

    A worker that times out, dies or runs out of memory is killed and replaced; every
    `recycle_after` documents a worker is replaced anyway, so memory stays flat.
    """

    def __init__(self, size: int, memory_bytes: int | None, recycle_after: int = 200):
        import queue

        self.memory_bytes = memory_bytes
        self.recycle_after = recycle_after
        self.idle: queue.Queue[_Worker] = queue.Queue()
        for _ in range(size):
            self.idle.put(_Worker(memory_bytes))

    def run(
        self, path: Path, source_path: str, limits: Limits, source_url: str | None
    ) -> tuple[str, object, int | None]:
        worker = self.idle.get()
        exitcode = None
        try:
            worker.conn.send((str(path), source_path, limits, source_url))
            if worker.conn.poll(limits.timeout_s):
                kind, payload = worker.conn.recv()
            else:
                kind, payload = "timeout", None
        except (EOFError, OSError):
            kind, payload = "died", None
        worker.jobs += 1
        if (
            kind in ("timeout", "died", "memory")
            or worker.jobs >= self.recycle_after
            or not worker.proc.is_alive()
        ):
            worker.stop()
            exitcode = worker.proc.exitcode
            worker = _Worker(self.memory_bytes)
        self.idle.put(worker)
        return kind, payload, exitcode


_POOLS: dict[int | None, WorkerPool] = {}
_POOLS_LOCK = threading.Lock()


def pool(memory_bytes: int | None) -> WorkerPool:
    """The process's pool of extraction workers for this memory limit."""
    import os

    with _POOLS_LOCK:
        if memory_bytes not in _POOLS:
            _POOLS[memory_bytes] = WorkerPool(max(1, min(2, os.cpu_count() or 1)), memory_bytes)
        return _POOLS[memory_bytes]


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


def failed(
    path: Path,
    source_path: str,
    status: Status,
    error: str,
    source_url: str | None = None,
    document_id: str | None = None,
) -> Extraction:
    """The documents row of a file that failed; `document_id` as planned (the file may be gone)."""
    try:
        size: int | None = path.stat().st_size
        if document_id is None:
            document_id = document_id_of(path.read_bytes())
    except OSError:
        size = None
        document_id = document_id or document_id_of(f"unreadable\0{path.absolute()}".encode())
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
            extractor_version=extractor_version(),
            ingested_at=datetime.now(UTC).replace(tzinfo=None),
            size_bytes=size,
            source_url=source_url,
        )
    )


_WARM = threading.Lock()


def warm() -> None:
    """Load GiNZA and the tokenizer once in the parent: forked children share them.

    Tasks call this from several threads at once; the lock makes the first load the only one.
    """
    from extractors import extractor_version
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
    import threading

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
        error = str(box["unreadable"])
    elif t.is_alive():
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
    memory_bytes: int | None = 6 * 1024**3,
    document_id: str | None = None,
) -> Extraction:
    """Extract one file in a worker; any failure is a `failed` row (with `document_id`, as planned)."""
    if getattr(limits, "memory_bytes", None):  # `shingikai ingest --max-memory-gb`
        memory_bytes = limits.memory_bytes
    warm()
    if mp.current_process().daemon:
        return _in_thread(path, source_path, limits, source_url, document_id)
    kind, payload, exitcode = pool(memory_bytes).run(path, source_path, limits, source_url)
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
    return failed(path, source_path, status, error, source_url, document_id)
