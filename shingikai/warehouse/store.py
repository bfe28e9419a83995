"""The warehouse's one loader, its writers and its readers.

The warehouse is a DuckLake (`shingikai.warehouse.lake`): a catalog plus Parquet files, where every
commit is a snapshot. `load_many` replaces a batch of documents in one transaction, so a reader
sees each document whole or not at all, and retries the transaction when its commit collides with
another writer's. The DDL's keys and CHECKs, which DuckLake does not take, are checked here
(`constraints`). `memory_warehouse` is a plain in-memory DuckDB with the full DDL (tests, `extract`).

A `--db` path not ending in `.ducklake` (`lake.single_file`) is a single-file warehouse instead: the
same tables, views and loader in one DuckDB file, which plain DuckDB and `score.py` read as it is.
DuckDB lets one process at a time open such a file to write, and none to read meanwhile, so its
writers take turns (a lock file) and its readers wait for a writer's batch to end; it keeps no
snapshots. For one machine and small collections; the lake is the default.
"""

from __future__ import annotations

import dataclasses
import errno
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import duckdb
import pyarrow as pa

from models import DDL_PATH, VIEWS_PATH
from models.records import TABLE_RECORDS, DocumentLocation, Extraction, row
from shingikai.paths import DEFAULT_DB as DEFAULT_DB  # re-exported: warehouse.DEFAULT_DB
from shingikai.paths import default_db as default_db  # re-exported: warehouse.default_db
from shingikai.warehouse import history, lake
from shingikai.warehouse.constraints import check_rows
from shingikai.warehouse.corrections import apply_to_batch as apply_corrections
from shingikai.warehouse.derive import derive_batch, meeting_keys
from shingikai.warehouse.history import places_of

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
    "corrections",  # researchers' corrections as applied (shingikai.warehouse.corrections)
    "extracted_rows",
]


class WarehouseBusy(RuntimeError):
    """A single-file warehouse stayed held by a writer longer than a reader waits (a lake never
    blocks readers)."""


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
                "ingest again (the warehouse holds every batch committed before)",
            ) from exc
        e = e.__cause__ or e.__context__


class CatalogUnreachable(ConnectionError):
    """A lake's PostgreSQL catalog stopped answering (stopped, restarted, network gone) for longer
    than a batch waits for it: the operator's to fix; the batches committed before are whole."""


# what DuckDB and libpq say when the catalog's server is not there, or went away mid-session
_UNREACHABLE = (
    "unable to connect to postgres",
    "connection refused",
    "server closed the connection",
    "terminating connection",
    "no connection to the server",
    "could not connect to server",
    "connection to server",
    "ssl syscall error",
)


def catalog_unreachable(exc: BaseException) -> bool:
    """True when `exc` says the catalog's server could not be reached (worth waiting for)."""
    return lake.error_says(exc, _UNREACHABLE)


def apply_schema(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(DDL_PATH.read_text(encoding="utf-8"))
    if VIEWS_PATH.exists():
        con.execute(VIEWS_PATH.read_text(encoding="utf-8"))


def connect_readonly(db: Path | str, at: str | int | None = None) -> duckdb.DuckDBPyConnection:
    """A researcher's connection: read-only, on the latest snapshot (or the one `at`), never
    blocking or blocked by ingest (a single-file warehouse: waits for a writer's batch)."""
    path = lake.single_file(db)
    if path is None:
        return lake.connect(db, read_only=True, at=at)
    if at is not None:
        raise lake.SingleFileWarehouse(
            f"{path} is a single-file DuckDB warehouse, which keeps no snapshots: --at needs a lake"
        )
    if not path.exists():
        raise FileNotFoundError(
            f"no warehouse at {path.absolute()}: run `shingikai ingest` first, "
            "or name one with --db or $SHINGIKAI_DB"
        )
    return _single_file_reader(path)


# how long a reader of a single-file warehouse waits for a writer to let go of it
READER_WAIT_S = 120.0


def _single_file_reader(path: Path) -> duckdb.DuckDBPyConnection:
    """The file attached read-only, and in USE, to an in-memory DuckDB (as a lake is): a reader
    may then attach more, such as the file `export --format duckdb` writes."""
    deadline = time.monotonic() + READER_WAIT_S
    quoted = str(path.resolve()).replace("'", "''")
    while True:
        con = duckdb.connect()
        try:
            con.execute(f"ATTACH '{quoted}' AS warehouse (READ_ONLY)")
            con.execute("USE warehouse")
            return con
        except duckdb.IOException as exc:  # a writer holds the file ("Could not set lock")
            con.close()
            if "lock" not in str(exc).lower() or time.monotonic() > deadline:
                if "lock" in str(exc).lower():
                    raise WarehouseBusy(
                        f"ingest has been writing {path} for over {READER_WAIT_S:g} s; a "
                        "single-file warehouse cannot be read meanwhile (a lake can)"
                    ) from exc
                raise
            time.sleep(0.2)


def exists(db: Path | str) -> bool:
    """True when there is a warehouse at `db` (a lake's catalog, or a single file)."""
    path = lake.single_file(db)
    if path is not None:
        return path.exists()
    loc = lake.location(db)
    if not loc.postgres:
        return loc.exists()
    try:  # a PostgreSQL database holds a lake once a writer has created its catalog tables
        connect_readonly(db).close()
    except duckdb.InvalidInputException as exc:
        if "does not exist" in str(exc):
            return False
        raise
    return True


def memory_warehouse() -> duckdb.DuckDBPyConnection:
    """An empty warehouse in memory (tests, `extract`)."""
    con = duckdb.connect(":memory:")
    apply_schema(con)
    return con


def known_documents(db: Path | str) -> dict[str, tuple[str, str]]:
    """document_id -> (extractor_version, source_path) in the latest snapshot."""
    if not exists(db):
        return {}
    con = connect_readonly(db)
    try:
        rows = con.execute(
            "SELECT document_id, extractor_version, source_path FROM documents"
        ).fetchall()
    finally:
        con.close()
    return {r[0]: (r[1], r[2]) for r in rows}


def known_locations(db: Path | str) -> dict[tuple[str, str], str]:
    """(root, path) -> document_id of every location recorded in the latest snapshot."""
    if not exists(db):
        return {}
    con = connect_readonly(db)
    try:
        if not con.execute(
            "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'document_locations' "
            "AND database_name = current_database()"
        ).fetchall()[0][0]:
            return {}  # a warehouse from before locations were recorded
        rows = con.execute("SELECT root, path, document_id FROM document_locations").fetchall()
    finally:
        con.close()
    return {(r[0], r[1]): r[2] for r in rows}


def links_pending(db: Path | str) -> bool:
    """True when batches left consultation histories to relink (`pending_links`) in the
    latest snapshot: a run stopped before its last commit. Read-only, so a run with nothing
    to load opens no writer when there is nothing to put right."""
    if not exists(db):
        return False
    with readonly(db) as con:
        if not con.execute(
            "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'pending_links' "
            "AND database_name = current_database()"
        ).fetchall()[0][0]:
            return False  # a warehouse from before histories were relinked once per run
        return bool(con.execute("SELECT count(*) FROM pending_links").fetchall()[0][0])


def load(
    con: duckdb.DuckDBPyConnection,
    extraction: Extraction,
    locations: list[DocumentLocation] | None = None,
    *,
    link_later: bool = False,
) -> None:
    """Replace one document's rows in one transaction, and record where its file was found."""
    load_many(con, [extraction], locations, link_later=link_later)


def load_many(
    con: duckdb.DuckDBPyConnection,
    extractions: list[Extraction],
    locations: list[DocumentLocation] | None = None,
    *,
    link_later: bool = False,
) -> None:
    """Replace the rows of several documents in one transaction: each document whole, or none.

    The batch's consultations are linked among themselves; their histories with what is already
    loaded (`history`) are relinked in the same transaction, or with `link_later` only noted
    (`pending_links`) for `relink_pending`, which an ingest run calls once after its last batch:
    relinking at every batch re-read every loaded consultation of the batch's local governments.

    `locations` say where each file was found (see `document_locations`). A location that
    held other bytes before now points at the new document; an older document is deleted only
    when no location is left pointing at it, never because another file has the same name.
    A document loaded without locations (older warehouses, tests) is replaced, as before, by a
    new document with the same `source_path`.

    Writers on one machine take turns for the transaction (`lake.commit_turn`); it runs again
    when its commit still collides with another writer's (several machines); every run first
    deletes what the batch replaces (an earlier version, or the same document a collided run
    already committed), so each document ends up loaded exactly once.
    """
    locations = locations or []
    if extractions or locations:
        with lake.commit_turn(con):
            lake.retrying(lambda: _load_once(con, extractions, locations, link_later))


def relink_pending(con: duckdb.DuckDBPyConnection) -> int:
    """Relink the consultation histories that batches loaded with `link_later` left noted in
    `pending_links`, in one commit (none when nothing is noted); how many rows changed.

    An ingest calls it after its last batch, and first thing (a run stopped before its last
    commit left its places noted: its histories are put right by the next run, even one with
    nothing new to load)."""

    def once() -> int:
        con.execute("BEGIN TRANSACTION")
        try:
            places = history.pending_places(con)
            if not places:  # nothing to commit
                con.execute("ROLLBACK")
                return 0
            changed = history.relink(con, places)
            lake.before_commit()
            con.execute("COMMIT")
        except BaseException:
            lake.rollback(con)
            raise
        return changed

    with lake.commit_turn(con):
        return lake.retrying(once)


def _load_once(
    con: duckdb.DuckDBPyConnection,
    extractions: list[Extraction],
    locations: list[DocumentLocation],
    link_later: bool = False,
) -> None:
    """Rows go in as one Arrow table per warehouse table (row-by-row inserts are far slower),
    each checked against the DDL's keys and CHECKs first."""
    docs = [e.document for e in extractions]
    con.execute("BEGIN TRANSACTION")
    try:
        # new documents have nothing to replace: no deletes (most of a nightly run)
        existing, moved, shared = _replaced(con, locations, docs)
        # the meetings of documents replaced, removed or moved: their copies are ranked again
        old_keys = meeting_keys(con, sorted(set(existing) | moved))
        old_places = places_of(con, existing)  # their consultations' histories are relinked
        for table in DOCUMENT_TABLES if existing else []:
            con.execute(
                f"DELETE FROM {table} WHERE document_id IN (SELECT unnest(?::VARCHAR[]))",
                [existing],
            )
        merged: dict[str, list[dict]] = {}
        for extraction in extractions:
            for table, table_rows in extraction.table_rows().items():
                merged.setdefault(table, []).extend(table_rows)
        # researchers' corrections (data/corrections) replace the extracted values they name
        merged = apply_corrections(merged)
        merged["document_locations"] = [row(loc) for loc in locations]
        batch = {  # the rows going in, by table
            table: pa.Table.from_pylist(merged[table]).select(_columns(table))
            for table in [*DOCUMENT_TABLES, "document_locations"]
            if merged.get(table)
        }
        # copies of one meeting, incident types, consultation histories: set in the batch's rows, and in the rows of
        # loaded documents of the meetings it touches when they change
        batch = derive_batch(con, batch, old_keys, old_places)
        for table, arrow in batch.items():
            con.register("_rows", arrow)
            try:
                check_rows(
                    con,
                    table,
                    "_rows",
                    existing=table,
                    fresh_keys=FRESH_KEYS,
                    unshared_prefixes=not shared,
                )
                cols = ", ".join(f'"{c}"' for c in arrow.column_names)
                con.execute(f"INSERT INTO {table} ({cols}) SELECT {cols} FROM _rows")
            finally:
                con.unregister("_rows")
        if not link_later:
            history.relink_pending(con)
        lake.before_commit()
        con.execute("COMMIT")
    except BaseException:
        lake.rollback(con)
        raise


# Keys whose batch values no loaded row can hold once the batch has deleted what it replaces, so
# they are not looked up in the table (`check_rows`, a scan of each of its data files): every
# loaded document the batch brings is deleted with all its rows (a document's rows go in and out
# together, in one transaction), so no row keyed by one of its document_ids is left; and every
# location the batch records is freed first (`_replaced`).
FRESH_KEYS = (("document_id",), ("root", "path"))


def _replaced(
    con: duckdb.DuckDBPyConnection, locations: list[DocumentLocation], docs: list
) -> tuple[list[str], set[str], bool]:
    """Free the given locations; return the loaded documents to delete (those of the batch, and
    those left without any location), those that keep another location and stay (with
    `source_path` moved to one they keep), and whether a loaded document that stays shares the
    first 16 characters of a batch document's id (then ids made of them are checked against
    the tables: `check_rows`). One scan of `documents`, one of `document_locations` (more only
    when locations held other documents, or a file is replaced at the same path)."""
    ids = {d.document_id for d in docs}
    before: set[str] = set()
    if locations:
        con.register(
            "_keys",
            pa.table(
                {"root": [loc.root for loc in locations], "path": [loc.path for loc in locations]}
            ),
        )
        try:
            before = {
                r[0]
                for r in con.execute(
                    "SELECT DISTINCT document_id FROM document_locations "
                    "WHERE (root, path) IN (SELECT (root, path) FROM _keys)"  # twice as fast as a join
                ).fetchall()
            }
            if before:  # else no row holds them: nothing to delete
                con.execute(
                    "DELETE FROM document_locations USING _keys WHERE "
                    "document_locations.root = _keys.root AND document_locations.path = _keys.path"
                )
        finally:
            con.unregister("_keys")
    paths = sorted({d.source_path for d in docs})
    prefixes = sorted({i[:16] for i in ids})
    # the documents the batch may replace or leave without a location, and those sharing a prefix
    found = (
        dict(
            con.execute(
                "SELECT document_id, source_path FROM documents "
                "WHERE document_id IN (SELECT unnest($ids::VARCHAR[])) "
                "OR source_path IN (SELECT unnest($paths::VARCHAR[])) "
                "OR left(document_id, 16) IN (SELECT unnest($prefixes::VARCHAR[]))",
                {"ids": sorted(ids | before), "paths": paths, "prefixes": prefixes},
            ).fetchall()
        )
        if ids or before
        else {}
    )
    incoming = {loc.document_id for loc in locations}
    # documents loaded without locations, replaced by a new document at the same source_path
    at_paths = {d for d, p in found.items() if p in set(paths)} - before - incoming
    legacy = (
        at_paths
        - {
            r[0]
            for r in con.execute(
                "SELECT DISTINCT document_id FROM document_locations "
                "WHERE document_id IN (SELECT unnest(?::VARCHAR[]))",
                [sorted(at_paths)],
            ).fetchall()
        }
        if at_paths
        else set()
    )
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
    stale = (candidates - set(keep)) | ids
    existing = sorted(d for d in found if d in stale)
    shared = any(d not in stale and d[:16] in set(prefixes) for d in found)
    return existing, set(keep), shared


def _columns(table: str) -> list[str]:
    return [f.name for f in dataclasses.fields(TABLE_RECORDS[table])]


class Writer:
    """A writing session on the lake: `with Writer(db) as w: load_many(w.con, ...)`.

    Each `load_many` commits its own snapshot, visible to readers at once; there is nothing to
    publish and no lock to hold, so several writers (processes or machines) may load at once.
    A killed writer leaves the lake as its last commit left it.

    On a single-file warehouse the session holds `<file>.lock`: other writers wait their turn
    (the file takes one writing process), and the file is closed on exit so readers get in.
    """

    con: duckdb.DuckDBPyConnection  # open between __enter__ and __exit__

    def __init__(self, db: Path | str):
        self.db = db
        self._turn = ExitStack()  # holds a single file's lock for the session

    def __enter__(self) -> Writer:
        try:
            path = lake.single_file(self.db)
            if path is None:
                self.con = lake.writer(self.db)
            else:
                self._turn.enter_context(lake.held_lock(path.with_name(path.name + ".lock")))
                self.con = duckdb.connect(str(path))
                apply_schema(self.con)
        except BaseException as exc:
            self._turn.close()
            raise_if_out_of_space(exc, str(self.db))
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.con.close()
        self._turn.close()


# Lake writers kept open for the next batch of this process, by warehouse: opening one (loading
# the extensions, attaching the catalog) costs about 0.3 s, as much as committing a batch.
_IDLE: dict[str, list[Writer]] = {}
_IDLE_LOCK = threading.Lock()


@contextmanager
def reused_writer(db: Path | str) -> Iterator[Writer]:
    """A writer for one batch, reused by the next batch of this process (each thread gets its own
    while it holds it). A single-file warehouse gets a fresh one each time, so that its lock is
    held only for the batch. A writer whose batch failed is closed, not reused."""
    if lake.single_file(db) is not None:
        with Writer(db) as fresh:
            yield fresh
        return
    key = str(db)
    with _IDLE_LOCK:
        idle = _IDLE.get(key)
        writer = idle.pop() if idle else None
    if writer is None:
        writer = Writer(db).__enter__()
        # one thread: a batch's commit is small and runs beside the extraction workers, which
        # DuckDB's threads (one per core) only took CPU from (1.5 s of 2,000 small documents)
        writer.con.execute("SET threads = 1")
    try:
        yield writer
    except BaseException:
        writer.__exit__()
        raise
    with _IDLE_LOCK:
        _IDLE.setdefault(key, []).append(writer)


def close_reused_writers() -> None:
    """Close the writers kept for reuse (at the end of a run)."""
    with _IDLE_LOCK:
        writers = [w for idle in _IDLE.values() for w in idle]
        _IDLE.clear()
    for writer in writers:
        writer.__exit__()


@contextmanager
def readonly(db: Path | str, at: str | int | None = None) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only connection to the latest snapshot (or the one `at`), closed on exit."""
    con = connect_readonly(db, at=at)
    try:
        yield con
    finally:
        con.close()
