"""The DuckDB warehouse: the one writer, read-only readers, and atomic publishing.

DuckDB allows one writing process or many read-only ones, never both. So the
file researchers open (`shingikai.duckdb`) is never opened for writing: ingest
writes into a staging copy beside it, one transaction per document, and
publishes by an atomic rename. A reader keeps the snapshot it opened; a new
connection sees the new data; a killed ingest leaves the published file as the
last complete run left it.
"""

from __future__ import annotations

import errno
import fcntl
import os
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pyarrow as pa

from models import DDL_PATH, VIEWS_PATH
from models.records import TABLE_RECORDS, DocumentLocation, Extraction, row
from shingikai.paths import DEFAULT_DB as DEFAULT_DB  # re-exported: warehouse.DEFAULT_DB

# tables whose rows belong to one document, deleted and re-inserted together
DOCUMENT_TABLES = [
    "documents",
    "document_texts",
    "document_pages",
    "meetings",
    "attendees",
    "consultations",
    "contractors",
    "data_items",
    "consultation_conditions",
    "reports",
    "utterances",
    "evidence",
]


class WarehouseBusy(RuntimeError):
    """Another ingest holds the warehouse."""


class OutOfSpace(OSError):
    """The disk holding the warehouse is full: nothing more can be written until space is freed."""


def raise_if_out_of_space(exc: BaseException, where: str = "the warehouse") -> None:
    """Re-raise a write that failed for lack of disk space as OutOfSpace, whatever raised it."""
    e: BaseException | None = exc
    while e is not None:
        if (isinstance(e, OSError) and e.errno == errno.ENOSPC) or (
            "no space left on device" in str(e).lower()
        ):
            raise OutOfSpace(
                errno.ENOSPC,
                f"no space left on device while writing {where}: free some disk space and run "
                "ingest again (the published warehouse is unchanged since its last publish)",
            ) from exc
        e = e.__cause__ or e.__context__


def apply_schema(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(DDL_PATH.read_text(encoding="utf-8"))
    if VIEWS_PATH.exists():
        con.execute(VIEWS_PATH.read_text(encoding="utf-8"))


def connect_readonly(db: Path) -> duckdb.DuckDBPyConnection:
    """A researcher's connection: read-only, so it can never block or change ingest."""
    if not Path(db).exists():
        raise FileNotFoundError(f"no warehouse at {db}: run `shingikai ingest` first")
    return duckdb.connect(str(db), read_only=True)


def memory_warehouse() -> duckdb.DuckDBPyConnection:
    """An empty warehouse in memory (tests, `extract`)."""
    con = duckdb.connect(":memory:")
    apply_schema(con)
    return con


def known_documents(db: Path) -> dict[str, tuple[str, str]]:
    """document_id -> (extractor_version, source_path) of the published warehouse."""
    if not Path(db).exists():
        return {}
    con = connect_readonly(db)
    try:
        rows = con.execute(
            "SELECT document_id, extractor_version, source_path FROM documents"
        ).fetchall()
    finally:
        con.close()
    return {r[0]: (r[1], r[2]) for r in rows}


def known_locations(db: Path) -> dict[tuple[str, str], str]:
    """(root, path) -> document_id of every location recorded in the published warehouse."""
    if not Path(db).exists():
        return {}
    con = connect_readonly(db)
    try:
        if not con.execute(
            "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'document_locations'"
        ).fetchall()[0][0]:
            return {}  # a warehouse from before locations were recorded
        rows = con.execute("SELECT root, path, document_id FROM document_locations").fetchall()
    finally:
        con.close()
    return {(r[0], r[1]): r[2] for r in rows}


def load(
    con: duckdb.DuckDBPyConnection,
    extraction: Extraction,
    locations: list[DocumentLocation] | None = None,
) -> None:
    """Replace one document's rows in one transaction, and record where its file was found."""
    load_many(con, [extraction], locations)


def load_many(
    con: duckdb.DuckDBPyConnection,
    extractions: list[Extraction],
    locations: list[DocumentLocation] | None = None,
) -> None:
    """Replace the rows of several documents in one transaction: each document whole, or none.

    `locations` say where each file was found (see `document_locations`). A location that
    held other bytes before now points at the new document; an older document is deleted only
    when no location is left pointing at it, never because another file has the same name.
    A document loaded without locations (older warehouses, tests) is replaced, as before, by a
    new document with the same `source_path`. Rows go in as one Arrow table per warehouse
    table (row-by-row inserts are far slower).
    """
    locations = locations or []
    if not extractions and not locations:
        return
    docs = [e.document for e in extractions]
    con.execute("BEGIN TRANSACTION")
    try:
        stale = _replace_locations(con, locations, docs)
        stale |= {d.document_id for d in docs}
        # new documents have nothing to replace: skip the deletes (most of a nightly run)
        existing = (
            [
                r[0]
                for r in con.execute(
                    "SELECT document_id FROM documents WHERE document_id IN (SELECT unnest(?::VARCHAR[]))",
                    [sorted(stale)],
                ).fetchall()
            ]
            if stale
            else []
        )
        for table in DOCUMENT_TABLES if existing else []:
            con.execute(
                f"DELETE FROM {table} WHERE document_id IN (SELECT unnest(?::VARCHAR[]))",
                [existing],
            )
        merged: dict[str, list[dict]] = {}
        for extraction in extractions:
            for table, table_rows in extraction.table_rows().items():
                merged.setdefault(table, []).extend(table_rows)
        merged["document_locations"] = [row(loc) for loc in locations]
        for table in [*DOCUMENT_TABLES, "document_locations"]:
            table_rows = merged.get(table) or []
            if not table_rows:
                continue
            columns = _columns(table)
            arrow = pa.Table.from_pylist(table_rows).select(columns)
            con.register("_rows", arrow)
            cols = ", ".join(f'"{c}"' for c in columns)
            con.execute(f"INSERT INTO {table} ({cols}) SELECT {cols} FROM _rows")
            con.unregister("_rows")
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise


def _replace_locations(
    con: duckdb.DuckDBPyConnection, locations: list[DocumentLocation], docs: list
) -> set[str]:
    """Free the given locations; return the documents left without any location (to delete).

    Documents that keep another location stay, with `source_path` moved to one they keep.
    """
    before: set[str] = set()
    if locations:
        con.register(
            "_keys",
            pa.table(
                {"root": [loc.root for loc in locations], "path": [loc.path for loc in locations]}
            ),
        )
        before = {
            r[0]
            for r in con.execute(
                "SELECT DISTINCT document_id FROM document_locations JOIN _keys USING (root, path)"
            ).fetchall()
        }
        con.execute(
            "DELETE FROM document_locations USING _keys "
            "WHERE document_locations.root = _keys.root AND document_locations.path = _keys.path"
        )
        con.unregister("_keys")
    # documents loaded without locations, replaced by a new document at the same source_path
    legacy = (
        {
            r[0]
            for r in con.execute(
                "SELECT document_id FROM documents d WHERE source_path IN (SELECT unnest(?::VARCHAR[])) "
                "AND NOT EXISTS (SELECT 1 FROM document_locations l WHERE l.document_id = d.document_id)",
                [[d.source_path for d in docs]],
            ).fetchall()
        }
        if docs
        else set()
    )
    incoming = {loc.document_id for loc in locations}
    candidates = (before | legacy) - incoming
    keep = (
        {
            r[0]: r[1]
            for r in con.execute(
                "SELECT document_id, min(source_path) FROM document_locations "
                "WHERE document_id IN (SELECT unnest(?::VARCHAR[])) GROUP BY document_id",
                [sorted(candidates)],
            ).fetchall()
        }
        if candidates
        else {}
    )
    for document_id, source_path in keep.items():
        con.execute(
            "UPDATE documents SET source_path = ? WHERE document_id = ? AND source_path <> ?",
            [source_path, document_id, source_path],
        )
    return candidates - set(keep)


def _columns(table: str) -> list[str]:
    import dataclasses

    return [f.name for f in dataclasses.fields(TABLE_RECORDS[table])]


class Staging:
    """A writable copy of the warehouse, published atomically.

    Usage: `with Staging(db) as st: load(st.con, ...); st.publish()`.
    Holding a lock file keeps two ingests from writing at once.
    """

    def __init__(self, db: Path):
        self.db = Path(db)
        self.path = self.db.with_name(self.db.name + ".staging")
        self.lock_path = self.db.with_name(self.db.name + ".lock")
        self.con: duckdb.DuckDBPyConnection | None = None
        self._lock_fd: int | None = None

    def __enter__(self) -> Staging:
        self._lock_fd = self._lock()
        # a staging file left by a killed run may hold unpublished work: start from the published copy
        for leftover in (self.path, Path(str(self.path) + ".wal")):
            leftover.unlink(missing_ok=True)
        # a run killed mid-publish leaves its half-written copy: never published, safe to remove under the lock
        for leftover in self.db.parent.glob(self.db.name + ".publish-*"):
            leftover.unlink(missing_ok=True)
        try:
            if self.db.exists():
                shutil.copyfile(self.db, self.path)
            self.con = duckdb.connect(str(self.path))
            apply_schema(self.con)
        except BaseException as exc:
            self.__exit__()
            raise_if_out_of_space(exc, str(self.path))
            raise
        return self

    @staticmethod
    def check_free(db: Path) -> None:
        """Raise WarehouseBusy now if another ingest holds the warehouse (before any work starts)."""
        os.close(Staging(db)._lock())  # closing the descriptor releases the lock

    def _lock(self) -> int:
        """The lock file's descriptor, holding the lock; WarehouseBusy if another ingest has it."""
        self.db.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise WarehouseBusy(
                f"another ingest is writing {self.db} (lock {self.lock_path}); wait for it to finish"
            ) from None
        return fd

    def publish(self) -> None:
        """Make everything loaded so far visible to new readers, atomically."""
        assert self.con is not None
        tmp = self.db.with_name(self.db.name + f".publish-{os.getpid()}")
        try:
            self.con.execute("CHECKPOINT")
            shutil.copyfile(self.path, tmp)
            with open(tmp, "rb") as fh:
                os.fsync(fh.fileno())
        except BaseException as exc:
            tmp.unlink(missing_ok=True)
            raise_if_out_of_space(exc, str(tmp))
            raise
        if os.environ.get(
            "SHINGIKAI_TEST_SLOW_PUBLISH"
        ):  # tests: a window to kill the run mid-publish
            time.sleep(float(os.environ["SHINGIKAI_TEST_SLOW_PUBLISH"]))
        os.replace(tmp, self.db)
        _fsync_dir(self.db.parent)

    def __exit__(self, *exc: object) -> None:
        if self.con is not None:
            self.con.close()
            self.con = None
        for leftover in (self.path, Path(str(self.path) + ".wal")):
            leftover.unlink(missing_ok=True)
        if self._lock_fd is not None:
            fcntl.flock(self._lock_fd, fcntl.LOCK_UN)
            os.close(self._lock_fd)
            self._lock_fd = None


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextmanager
def readonly(db: Path, retries: int = 20) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only connection, retried briefly if a publish is renaming the file at that instant."""
    last: Exception | None = None
    for _ in range(retries):
        try:
            con = connect_readonly(db)
            break
        except duckdb.IOException as exc:
            last = exc
            time.sleep(0.05)
    else:
        raise last  # type: ignore[misc]
    try:
        yield con
    finally:
        con.close()
