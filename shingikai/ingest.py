"""The ingest steps that `flows.ingest` orchestrates, without Prefect: load a batch, count it.

Order of one run: `shingikai.discover.plan_ingest` (what is new), `record_without_extraction`
(locations of bytes already loaded, rows for unreadable files), `shingikai.sandbox` (extract each
document in a bounded worker), `commit_batch` (the worker that extracted a batch commits it to the
lake, one snapshot, retried if it collides with another writer's commit; its consultations'
histories are only noted, `warehouse.relink_pending` sets them once at the end of the run),
`Summary.add` (what the run did, from each document's `Loaded` outcome: the extractions themselves
stay with the worker).
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from models.records import Extraction
from models.vocab import Status
from shingikai import warehouse
from shingikai.discover import Action, Plan, SourceFile, location_of
from shingikai.sandbox import failed


@dataclass(frozen=True)
class Loaded:
    """What the run needs to know of one loaded document (small: it travels from the worker)."""

    status: str
    error: str | None
    consultations: int

    @classmethod
    def of(cls, extraction: Extraction) -> Loaded:
        doc = extraction.document
        return cls(str(doc.status), doc.error, len(extraction.consultations))


@dataclass
class Summary:
    seen: int = 0
    new: int = 0
    skipped: int = 0
    failed: int = 0
    consultations: int = 0
    by_status: dict[str, int] = field(default_factory=dict)
    failures: list[tuple[str, str, str]] = field(default_factory=list)  # path, status, error
    located: int = 0  # files whose bytes were already loaded from another path: location recorded
    problems: list[tuple[str, str]] = field(default_factory=list)  # path, what was not followed
    seconds: float = 0.0
    db: str = ""
    # files recording a meeting another file records too, counted in the run's last commit
    # (None: not counted by the run; the command line then asks the warehouse)
    copies: int | None = None

    def lines(self) -> list[str]:
        out = [
            f"files seen: {self.seen}, new: {self.new}, skipped (unchanged): {self.skipped}, "
            f"failed: {self.failed}, consultations found: {self.consultations}",
        ]
        if self.located:
            out.append(f"same bytes as a loaded document, location recorded: {self.located}")
        if self.by_status:
            out.append(
                "status of new files: "
                + ", ".join(f"{k} {v}" for k, v in sorted(self.by_status.items()))
            )
        for path, status, error in self.failures:
            out.append(f"  {status}: {path}: {error}")
        if self.problems:
            out.append(f"not followed while discovering files: {len(self.problems)}")
            out += [f"  {reason}: {path}" for path, reason in self.problems]
        out.append(f"warehouse: {self.db} ({self.seconds:.1f} s)")
        return out

    @classmethod
    def of_plan(cls, plan: Plan, db: str) -> Summary:
        """The summary of a run before anything is extracted."""
        return cls(
            seen=plan.seen,
            skipped=plan.skipped,
            db=str(db),
            seconds=plan.seconds,
            problems=list(plan.problems),
        )

    def add(self, f: SourceFile, loaded: Loaded) -> None:
        """Count one loaded document."""
        self.new += 1
        self.by_status[loaded.status] = self.by_status.get(loaded.status, 0) + 1
        if loaded.status != Status.OK:
            self.failed += 1
            self.failures.append((f.source_path, loaded.status, loaded.error or ""))
        self.consultations += loaded.consultations


def record_without_extraction(
    con: duckdb.DuckDBPyConnection, files: list[SourceFile], summary: Summary
) -> None:
    """Load what needs no extraction, in one transaction: the locations of bytes already loaded
    (or extracted in this run) and a `failed` row for each file that cannot be read."""
    unreadable = [f for f in files if f.action == Action.UNREADABLE]
    rows = [
        failed(
            f.path,
            f.source_path,
            Status.FAILED,
            f.error or "",
            f.source_url,
            f.document_id,
            unread=True,
        )
        for f in unreadable
    ]
    try:
        warehouse.load_many(con, rows, [location_of(f) for f in files])
    except Exception as exc:
        warehouse.raise_if_out_of_space(exc)
        raise
    summary.located += len(files) - len(unreadable)
    for f, extraction in zip(unreadable, rows, strict=True):
        summary.add(f, Loaded.of(extraction))


def repair_links(db: str | Path) -> None:
    """For a run with nothing to load: relink the consultation histories a stopped run left
    pending (`warehouse.links_pending`), in one commit. Only a read when nothing is pending."""
    if warehouse.links_pending(db):
        with warehouse.Writer(db) as writer:
            warehouse.relink_pending(writer.con)


# how long a batch waits for a lake's catalog that stopped answering (a PostgreSQL restart)
CATALOG_WAIT_S = 120.0


def commit_batch(
    db: str | Path, files: list[SourceFile], extractions: list[Extraction]
) -> list[Loaded]:
    """Load a batch into the lake at `db` through a writer of this process: committed whole, in
    one snapshot (its own, or one with other batches of this process: see below).

    This is what each extraction task does with its batch, wherever it runs (a thread of the
    flow's process, or a Dask worker on another machine when the catalog is PostgreSQL), so
    the flow never holds the extractions; commits that collide are retried by the loader.

    The batches of one process commit one at a time, and a batch that finishes while another
    commits waits: the next commit takes every batch then waiting, in one transaction. A commit
    costs about as much for one batch as for several (a data file per table, the catalog's
    commit, the look-ups in the lake), so when commits cannot keep up with extraction (more
    workers than the committing process has cores to spare) they get fewer and larger instead
    of queueing, and there are fewer small files for every later reader; when they keep up,
    each batch is committed as soon as it is extracted, as before.

    A catalog that stops answering (a PostgreSQL server restarted) is waited for, up to
    CATALOG_WAIT_S, and the batch is loaded again through a new writer (loading replaces by
    document, so a commit that landed before the connection broke is not doubled); after
    that the batch fails with `warehouse.CatalogUnreachable`, and nothing of it is in the lake.
    """
    with _COMMITTERS_LOCK:
        committer = _COMMITTERS.setdefault(str(db), _Committer())
    mine = _Waiting(files, extractions)
    with committer.lock:
        committer.waiting.append(mine)
    with committer.turn:
        if not mine.done:  # else a commit that ended meanwhile took it
            with committer.lock:
                group, committer.waiting = committer.waiting, []
            _commit_group(db, group)
    if mine.error is not None:
        raise mine.error
    return mine.loaded


@dataclass
class _Waiting:
    """A batch waiting for this process's next commit, and then what became of it."""

    files: list[SourceFile]
    extractions: list[Extraction]
    done: bool = False
    loaded: list[Loaded] = field(default_factory=list)
    error: BaseException | None = None


class _Committer:
    """The batches of one warehouse waiting in this process, and the turn to commit them."""

    def __init__(self) -> None:
        self.turn = threading.Lock()  # held by the thread committing
        self.lock = threading.Lock()  # guards `waiting`
        self.waiting: list[_Waiting] = []


_COMMITTERS: dict[str, _Committer] = {}
_COMMITTERS_LOCK = threading.Lock()


def _commit_group(db: str | Path, group: list[_Waiting]) -> None:
    """Commit the batches of `group` in one transaction; each learns its outcomes or the error."""
    try:
        loaded = _commit(
            db, [f for w in group for f in w.files], [e for w in group for e in w.extractions]
        )
    except BaseException as exc:
        for w in group:
            w.error, w.done = exc, True
        return
    start = 0
    for w in group:
        w.loaded, w.done = loaded[start : start + len(w.files)], True
        start += len(w.files)


def _commit(db: str | Path, files: list[SourceFile], extractions: list[Extraction]) -> list[Loaded]:
    """`load_batch` through this process's writer, waiting for a catalog that stopped answering."""
    deadline = time.monotonic() + CATALOG_WAIT_S
    wait = 1.0
    while True:
        try:
            with warehouse.reused_writer(db) as writer:
                return [Loaded.of(e) for e in load_batch(writer.con, files, extractions)]
        except duckdb.Error as exc:
            if not warehouse.catalog_unreachable(exc):
                raise
            if time.monotonic() + wait > deadline:
                raise warehouse.CatalogUnreachable(
                    f"the warehouse's catalog stopped answering ({str(exc).splitlines()[0][:200]}): "
                    "the batches committed before are kept whole; run the same ingest again "
                    "once it answers"
                ) from None
        time.sleep(wait)
        wait = min(2 * wait, 10.0)


def load_batch(
    con: duckdb.DuckDBPyConnection, files: list[SourceFile], extractions: list[Extraction]
) -> list[Extraction]:
    """Load a batch in one transaction; if that fails, document by document, so one bad row fails one file.

    Returns what was loaded for each file: its extraction, or the failure recorded in its place.
    A full disk is no file's fault: it stops the run as `warehouse.OutOfSpace`.
    """
    try:
        warehouse.load_many(con, extractions, _locations(files, extractions), link_later=True)
        return extractions
    except Exception as exc:
        warehouse.raise_if_out_of_space(exc)
        if warehouse.catalog_unreachable(exc):
            raise  # no document's fault: the whole batch waits for the catalog (commit_batch)
    loaded = []
    for f, extraction in zip(files, extractions, strict=True):
        try:
            warehouse.load(con, extraction, _locations([f], [extraction]), link_later=True)
        except Exception as exc:
            warehouse.raise_if_out_of_space(exc)
            if warehouse.catalog_unreachable(exc):
                raise
            extraction = failed(
                f.path,
                f.source_path,
                Status.FAILED,
                f"extracted but could not be loaded ({type(exc).__name__}: {str(exc)[:200]}); please report it",
                f.source_url,
                f.document_id,
            )
            warehouse.load(con, extraction, _locations([f], [extraction]), link_later=True)
        loaded.append(extraction)
    return loaded


def _locations(files: list[SourceFile], extractions: list[Extraction]) -> list:
    """Where each file was found, pointing at the document actually extracted from it."""
    return [location_of(f, e.document.document_id) for f, e in zip(files, extractions, strict=True)]
