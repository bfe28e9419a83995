"""The DuckDB warehouse: the one writer, read-only readers, and atomic publishing.

DuckDB allows one writing process or many read-only ones, never both. So the
file researchers open (`shingikai.duckdb`) is never opened for writing: ingest
writes into a staging copy beside it, one transaction per document, and
publishes by an atomic rename. A reader keeps the snapshot it opened; a new
connection sees the new data; a killed ingest leaves the published file as the
last complete run left it.
"""

from __future__ import annotations

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
from models.records import TABLE_RECORDS, Extraction
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


def load(con: duckdb.DuckDBPyConnection, extraction: Extraction) -> None:
    """Replace one document's rows in one transaction (and any older version at the same path)."""
    load_many(con, [extraction])


def load_many(con: duckdb.DuckDBPyConnection, extractions: list[Extraction]) -> None:
    """Replace the rows of several documents in one transaction: each document whole, or none.

    Rows go in as one Arrow table per warehouse table (row-by-row inserts are far slower).
    """
    if not extractions:
        return
    docs = [e.document for e in extractions]
    con.execute("BEGIN TRANSACTION")
    try:
        stale = [
            r[0]
            for r in con.execute(
                "SELECT document_id FROM documents WHERE source_path IN (SELECT unnest(?::VARCHAR[])) "
                "OR document_id IN (SELECT unnest(?::VARCHAR[]))",
                [[d.source_path for d in docs], [d.document_id for d in docs]],
            ).fetchall()
        ]
        # new documents have nothing to replace: skip the deletes (most of a nightly run)
        for table in DOCUMENT_TABLES if stale else []:
            con.execute(
                f"DELETE FROM {table} WHERE document_id IN (SELECT unnest(?::VARCHAR[]))", [stale]
            )
        merged: dict[str, list[dict]] = {}
        for extraction in extractions:
            for table, table_rows in extraction.table_rows().items():
                merged.setdefault(table, []).extend(table_rows)
        for table in DOCUMENT_TABLES:
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
        self.db.parent.mkdir(parents=True, exist_ok=True)
        self._lock_fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(self._lock_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(self._lock_fd)
            self._lock_fd = None
            raise WarehouseBusy(
                f"another ingest is writing {self.db} (lock {self.lock_path}); wait for it to finish"
            ) from None
        # a staging file left by a killed run may hold unpublished work: start from the published copy
        for leftover in (self.path, Path(str(self.path) + ".wal")):
            leftover.unlink(missing_ok=True)
        # a run killed mid-publish leaves its half-written copy: never published, safe to remove under the lock
        for leftover in self.db.parent.glob(self.db.name + ".publish-*"):
            leftover.unlink(missing_ok=True)
        if self.db.exists():
            shutil.copyfile(self.db, self.path)
        self.con = duckdb.connect(str(self.path))
        apply_schema(self.con)
        return self

    def publish(self) -> None:
        """Make everything loaded so far visible to new readers, atomically."""
        assert self.con is not None
        self.con.execute("CHECKPOINT")
        tmp = self.db.with_name(self.db.name + f".publish-{os.getpid()}")
        shutil.copyfile(self.path, tmp)
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
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
