"""The ingest flow: discover files, skip what is loaded, extract each new document, load, publish.

The flow only wires steps together. Extraction is a task per document (pure,
from `extractors`); loading happens in the flow's process, one transaction per
document, into a staging copy that is published atomically (`flows.warehouse`).
"""

from __future__ import annotations

import hashlib
import os
import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE

from extractors import extractor_version
from extractors.reading import Limits
from flows import warehouse
from flows.sandbox import extract_in_sandbox, failed, warm

SKIP_NAMES = {".DS_Store", "Thumbs.db", "README.md", "README.txt"}


@dataclass
class SourceFile:
    path: Path
    source_path: str  # as recorded: root name / path under the root
    document_id: str = ""
    source_url: str | None = None


@dataclass
class Summary:
    seen: int = 0
    new: int = 0
    skipped: int = 0
    failed: int = 0
    consultations: int = 0
    by_status: dict[str, int] = field(default_factory=dict)
    failures: list[tuple[str, str, str]] = field(default_factory=list)  # path, status, error
    seconds: float = 0.0
    db: str = ""

    def lines(self) -> list[str]:
        out = [
            f"files seen: {self.seen}, new: {self.new}, skipped (unchanged): {self.skipped}, "
            f"failed: {self.failed}, consultations found: {self.consultations}",
        ]
        if self.by_status:
            out.append(
                "status of new files: "
                + ", ".join(f"{k} {v}" for k, v in sorted(self.by_status.items()))
            )
        for path, status, error in self.failures:
            out.append(f"  {status}: {path}: {error}")
        out.append(f"warehouse: {self.db} ({self.seconds:.1f} s)")
        return out


def discover(paths: Iterable[Path]) -> list[SourceFile]:
    """Every regular file under the given paths (a file given directly counts too)."""
    found = []
    for root in paths:
        root = Path(root)
        if root.is_file():
            found.append(SourceFile(root, root.name))
            continue
        if not root.is_dir():
            raise FileNotFoundError(f"no such file or directory: {root}")
        for path in sorted(p for p in root.rglob("*") if p.is_file()):
            rel = path.relative_to(root)
            if (
                path.name in SKIP_NAMES
                or path.suffix == ".json"
                or any(part.startswith(".") for part in rel.parts)
            ):
                continue
            found.append(SourceFile(path, f"{root.resolve().name}/{rel.as_posix()}"))
    _attach_source_urls(found, paths)
    return found


def _attach_source_urls(found: list[SourceFile], paths: Iterable[Path]) -> None:
    """Record the URL each file was fetched from, read from the fetch ledger (flows.fetch)."""
    from flows.fetch import urls_by_path

    urls = urls_by_path(sorted({f.path.resolve().parent for f in found}))
    for f in found:
        f.source_url = urls.get(f.path.resolve(), f.source_url)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def plan(files: list[SourceFile], db: Path, force: bool = False) -> tuple[list[SourceFile], int]:
    """The files that need extracting, and how many are already loaded unchanged."""
    known = warehouse.known_documents(db)
    version = extractor_version()
    todo, skipped, seen_ids = [], 0, set()
    for f in files:
        f.document_id = sha256_of(f.path)
        loaded = known.get(f.document_id)
        if f.document_id in seen_ids or (
            not force and loaded and loaded[0] == version and loaded[1] == f.source_path
        ):
            skipped += 1
            continue
        seen_ids.add(f.document_id)
        todo.append(f)
    return todo, skipped


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
    publish_every: int = 200,
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
        with warehouse.Staging(Path(db)) as staging:
            loaded_since_publish = 0
            for start in range(0, len(todo), batch):
                chunk = todo[start : start + batch]
                futures = [
                    extract_document.submit(str(f.path), f.source_path, limits, f.source_url)
                    for f in chunk
                ]
                extractions = [future.result() for future in futures]
                for f, extraction in zip(chunk, _load_batch(staging.con, chunk, extractions)):
                    _count(summary, f, extraction)
                    loaded_since_publish += 1
                done = min(start + batch, len(todo))
                logger.info("extracted %d/%d documents", done, len(todo))
                if loaded_since_publish >= publish_every:
                    staging.publish()
                    loaded_since_publish = 0
            staging.publish()
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
    for f, extraction in zip(files, extractions):
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
