"""The warehouse's one loader, its writers and its readers.

The warehouse is a DuckLake (`shingikai.warehouse.lake`): a catalog plus Parquet files, where every
commit is a snapshot. `load_many` replaces a batch of documents in one transaction, so a reader
sees each document whole or not at all, and retries the transaction when its commit collides with
another writer's. The DDL's keys and CHECKs, which DuckLake does not take, are checked here
(`constraints`). `memory_warehouse` is a plain in-memory DuckDB with the full DDL (tests, `extract`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pyarrow as pa

from models import DDL_PATH, VIEWS_PATH
from models.records import TABLE_RECORDS, Extraction
from shingikai.paths import DEFAULT_DB as DEFAULT_DB  # re-exported: warehouse.DEFAULT_DB
from shingikai.warehouse import lake
from shingikai.warehouse.constraints import check_rows

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


def apply_schema(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(DDL_PATH.read_text(encoding="utf-8"))
    if VIEWS_PATH.exists():
        con.execute(VIEWS_PATH.read_text(encoding="utf-8"))


def connect_readonly(db: Path | str, at: str | int | None = None) -> duckdb.DuckDBPyConnection:
    """A researcher's connection: read-only, on the latest snapshot (or the one `at`), never
    blocking or blocked by ingest."""
    return lake.connect(db, read_only=True, at=at)


def memory_warehouse() -> duckdb.DuckDBPyConnection:
    """An empty warehouse in memory (tests, `extract`)."""
    con = duckdb.connect(":memory:")
    apply_schema(con)
    return con


def known_documents(db: Path | str) -> dict[str, tuple[str, str]]:
    """document_id -> (extractor_version, source_path) in the latest snapshot."""
    if not lake.location(db).exists():
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

    The transaction runs again when its commit collides with another writer's; every run first
    deletes what the batch replaces (an earlier version at the same path, or the same document a
    collided run already committed), so each document ends up loaded exactly once.
    """
    if extractions:
        lake.retrying(lambda: _load_once(con, extractions))


def _load_once(con: duckdb.DuckDBPyConnection, extractions: list[Extraction]) -> None:
    """Rows go in as one Arrow table per warehouse table (row-by-row inserts are far slower)."""
    docs = [e.document for e in extractions]
    merged: dict[str, list[dict]] = {}
    for extraction in extractions:
        for table, table_rows in extraction.table_rows().items():
            merged.setdefault(table, []).extend(table_rows)
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
        for table in DOCUMENT_TABLES:
            table_rows = merged.get(table) or []
            if not table_rows:
                continue
            columns = _columns(table)
            arrow = pa.Table.from_pylist(table_rows).select(columns)
            con.register("_rows", arrow)
            try:
                check_rows(con, table, "_rows", existing=table)
                cols = ", ".join(f'"{c}"' for c in columns)
                con.execute(f"INSERT INTO {table} ({cols}) SELECT {cols} FROM _rows")
            finally:
                con.unregister("_rows")
        lake.before_commit()
        con.execute("COMMIT")
    except BaseException:
        lake.rollback(con)
        raise


def _columns(table: str) -> list[str]:
    return [f.name for f in dataclasses.fields(TABLE_RECORDS[table])]


class Writer:
    """A writing session on the lake: `with Writer(db) as w: load_many(w.con, ...)`.

    Each `load_many` commits its own snapshot, visible to readers at once; there is nothing to
    publish and no lock to hold, so several writers (processes or machines) may load at once.
    A killed writer leaves the lake as its last commit left it.
    """

    con: duckdb.DuckDBPyConnection  # open between __enter__ and __exit__

    def __init__(self, db: Path | str):
        self.db = db

    def __enter__(self) -> Writer:
        self.con = lake.writer(self.db)
        return self

    def __exit__(self, *exc: object) -> None:
        self.con.close()


@contextmanager
def readonly(db: Path | str, at: str | int | None = None) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only connection to the latest snapshot (or the one `at`), closed on exit."""
    con = connect_readonly(db, at=at)
    try:
        yield con
    finally:
        con.close()
