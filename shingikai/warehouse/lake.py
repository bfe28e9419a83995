"""The warehouse as a DuckLake: a catalog database plus Parquet data files.

A warehouse is named by its catalog:
- a local file (`data/warehouse/shingikai.ducklake`, the default): a SQLite database, with the
  Parquet files in `<catalog>.files/` beside it. SQLite rather than a DuckDB catalog file because a
  DuckDB file takes one process at a time: with it a researcher could not even read while ingest
  writes, and two writers could never share the lake (measurements in bench/out/report.md).
- `postgres:dbname=... host=...`, for writers on several machines; the data path (shared storage)
  is given once, when the lake is created (`--data-path` or $SHINGIKAI_DATA_PATH), and kept in it.

Every commit is a snapshot. Readers attach READ_ONLY and read the latest snapshot (or one from the
past: `at=`), never blocked by writers; several writers commit their own batches and retry when
their commits collide (`retrying`). Nothing here is specific to the tables: the loader
(`store.load_many`) and the DDL (models/) stay the one source.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import random
import re
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import duckdb

from models import DDL_PATH, VIEWS_PATH
from shingikai.warehouse import extensions
from shingikai.warehouse.constraints import lake_ddl, scalar
from shingikai.warehouse.derive import derive
from shingikai.warehouse.readonly_files import ReadOnlyFiles

ALIAS = "lake"
PG_CONNECT_TIMEOUT_S = 15  # libpq's connect_timeout for a PostgreSQL catalog, unless given
SCHEMA_MESSAGE = "shingikai schema"
T = TypeVar("T")


class SingleFileWarehouse(ValueError):
    """A lake's feature (snapshots, time travel) was asked of a single-file DuckDB warehouse."""


@dataclass(frozen=True)
class Location:
    """Where a lake's catalog and data files are."""

    catalog: str  # what follows `ducklake:` in ATTACH
    data_path: str | None  # None: the one stored in the catalog
    path: Path | None = None  # the local catalog file; None for PostgreSQL

    @property
    def postgres(self) -> bool:
        return self.path is None

    def exists(self) -> bool:
        return self.path is None or self.path.exists()

    def __str__(self) -> str:
        return str(self.path) if self.path is not None else self.catalog


def is_duckdb_file(path: Path) -> bool:
    """True for a DuckDB database file (its header carries the magic bytes `DUCK` at offset 8)."""
    try:
        with open(path, "rb") as fh:
            return fh.read(12)[8:12] == b"DUCK"
    except OSError:
        return False


def is_sqlite_file(path: Path) -> bool:
    """True for a SQLite database file (a lake's catalog, whatever its name)."""
    try:
        with open(path, "rb") as fh:
            return fh.read(16) == b"SQLite format 3\x00"
    except OSError:
        return False


def single_file(db: str | Path | Location) -> Path | None:
    """The path when `db` names a single-file DuckDB warehouse, else None: a lake.

    A lake is named by a catalog ending in `.ducklake` (or an existing SQLite catalog of any
    name) or by a `postgres:` / `ducklake:` location; any other path is one DuckDB file, as every
    warehouse was before the lake (so `--db results.duckdb` or `--db out.db` still gives a file
    that plain DuckDB opens)."""
    if isinstance(db, Location):
        return None
    text = str(db)
    if text.startswith(("ducklake:", "postgres:", "postgresql:", "sqlite:")):
        return None
    path = Path(text)
    if path.suffix == ".ducklake" or is_sqlite_file(path):
        return None
    return path


def location(db: str | Path | Location, data_path: str | Path | None = None) -> Location:
    """The lake named by `db` (a catalog file path or `postgres:...`)."""
    if isinstance(db, Location):
        return db
    text = str(db).removeprefix("ducklake:")
    data_path = data_path or os.environ.get("SHINGIKAI_DATA_PATH") or None
    if text.startswith(("postgres:", "postgresql:")):
        conninfo = text.split(":", 1)[1]
        if "connect_timeout" not in conninfo:  # a server that never answers: an error, not a hang
            conninfo += f" connect_timeout={PG_CONNECT_TIMEOUT_S}"
        return Location("postgres:" + conninfo, _dir(data_path) if data_path else None, None)
    path = Path(text.removeprefix("sqlite:")).resolve()
    if single_file(path):
        raise SingleFileWarehouse(
            f"{path} is a single-file DuckDB warehouse, which keeps no snapshots; convert it to a "
            f"lake with `shingikai convert {path}` and use the .ducklake it writes"
        )
    return Location(f"sqlite:{path}", _dir(data_path or path.with_name(path.name + ".files")), path)


def _dir(path: str | Path) -> str:
    text = str(path)
    if "://" not in text:
        text = str(Path(text).resolve())
    return text.rstrip("/") + "/"


def _q(text: str) -> str:
    return text.replace("'", "''")


def connect(
    db: str | Path | Location,
    *,
    read_only: bool = False,
    at: str | int | None = None,
    create: bool = False,
    sealed: bool = False,
) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection with the lake attached as `lake` and in USE.

    `at` reads the lake as it was at a snapshot id or a timestamp (read-only). `create` makes a
    new lake when there is none (writers); readers of a missing lake get FileNotFoundError.
    `sealed` (read-only): the data files are reached only through a file system that cannot
    write or delete (`readonly_files`), for SQL the caller did not write (`query`). A data path
    on object storage (`s3://...`) cannot be sealed so; it stays as it is.
    """
    loc = location(db)
    if not loc.exists():
        if not create:
            raise FileNotFoundError(f"no warehouse at {loc}: run `shingikai ingest` first")
        _create_sqlite_catalog(loc)
    readonly = read_only or at is not None or sealed
    try:
        con = _attach(loc, readonly, at, sealed)
    except duckdb.Error as exc:
        if create or _NOT_MADE not in str(exc).lower():
            raise
        # an empty catalog: the first ingest stopped before DuckLake made its tables
    else:
        if create or at is not None or _has_tables(con):
            return con
        con.close()  # DuckLake's tables, but the first ingest stopped before the schema's
    finish(loc)
    return _attach(loc, readonly, at, sealed)


_NOT_MADE = "creating a new ducklake is explicitly disabled"


class UnfinishedLake(RuntimeError):
    """A lake whose creation stopped half-way (a first ingest killed) could not be finished."""


def finish(loc: Location) -> None:
    """Finish making a lake whose first ingest stopped half-way: after the catalog file was made
    but before DuckLake's tables or the schema's snapshot were committed. Every later command
    would otherwise fail ("Table with name documents does not exist"). Finishing is what the
    first writer would have done (`writer`), so two commands finishing at once are safe."""
    try:
        writer(loc).close()
    except (duckdb.Error, OSError) as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise UnfinishedLake(
            f"the warehouse {loc} was left unfinished by an ingest that stopped at its start, "
            f"and could not be finished here ({first}): run `shingikai ingest` where it can be "
            "written"
        ) from exc


def _has_tables(con: duckdb.DuckDBPyConnection) -> bool:
    """True when the attached lake has the schema's tables (committed in one snapshot)."""
    return bool(
        scalar(con, "SELECT count(*) FROM duckdb_tables() WHERE database_name = ?", [ALIAS])
    )


def _attach(
    loc: Location, readonly: bool, at: str | int | None, sealed: bool
) -> duckdb.DuckDBPyConnection:
    """A new connection with the lake at `loc` attached and in USE (see `connect`)."""
    names = (extensions.DUCKLAKE, extensions.POSTGRES if loc.postgres else extensions.SQLITE)
    data = loc.data_path
    if sealed and data is None:  # a PostgreSQL catalog keeps its data path: read it first
        with reader(loc) as con:
            data = _dir(data_dir(con))
    con = extensions.connect(extensions=names)
    options = []
    if readonly:
        options.append("READ_ONLY")
    if at is not None:
        options.append(snapshot_option(at))
    if sealed and data is not None and "://" not in data:
        files = ReadOnlyFiles(data)
        con.register_filesystem(files)
        data = files.url
    if data is not None:
        options.append(f"DATA_PATH '{_q(data)}'")
        if not loc.postgres or sealed:  # the pair catalog + .files may have moved since it was made
            options.append("OVERRIDE_DATA_PATH true")
    # no options at all: a writer of a PostgreSQL lake that takes the data path from its catalog
    attach_options = f" ({', '.join(options)})" if options else ""
    try:
        con.execute(f"ATTACH 'ducklake:{_q(loc.catalog)}' AS {ALIAS}{attach_options}")
        con.execute(f"USE {ALIAS}")
    except BaseException:
        con.close()
        raise
    return con


def snapshot_option(at: str | int) -> str:
    """ATTACH option for `--at`: a snapshot id (digits) or a timestamp."""
    text = str(at).strip()
    if text.isascii() and text.isdigit():  # not '²', which Python counts as a digit
        return f"SNAPSHOT_VERSION {int(text)}"
    return f"SNAPSHOT_TIME '{_q(text)}'"


def _create_sqlite_catalog(loc: Location) -> None:
    """An empty SQLite catalog in WAL mode, so that readers do not wait for a committing writer."""
    assert loc.path is not None
    loc.path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(loc.path)
    try:
        db.execute("PRAGMA journal_mode=WAL")
    finally:
        db.close()


def data_dir(con: duckdb.DuckDBPyConnection) -> str:
    """The data path of the attached lake."""
    return str(scalar(con, f"SELECT value FROM {ALIAS}.options() WHERE option_name = 'data_path'"))


def data_path(con: duckdb.DuckDBPyConnection) -> str:
    """Where the attached lake's Parquet files are, as this connection reaches them (quoted for
    SQL): the one folder a read-only query may read files from. The ATTACH's own, which an
    override may have changed from the one stored in the catalog (`data_dir`)."""
    tags = scalar(con, "SELECT tags FROM duckdb_databases() WHERE database_name = ?", [ALIAS])
    return _q(str(tags.get("data_path") or data_dir(con)))


@contextmanager
def reader(
    db: str | Path | Location, at: str | int | None = None
) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only connection to the latest snapshot (or to the one at `at`)."""
    con = connect(db, read_only=True, at=at)
    try:
        yield con
    finally:
        con.close()


def writer(db: str | Path | Location) -> duckdb.DuckDBPyConnection:
    """A connection that may write the lake, created with the schema if it is new."""
    con = connect(db, create=True)
    try:
        with commit_turn(con):
            retrying(lambda: ensure_schema(con))
    except BaseException:
        con.close()
        raise
    return con


# ---- the schema: one DDL and one views file, applied to the lake when they change


def schema_digest() -> str:
    digest = hashlib.sha256(DDL_PATH.read_bytes())
    if VIEWS_PATH.exists():
        digest.update(VIEWS_PATH.read_bytes())
    return digest.hexdigest()[:16]


def applied_digest(con: duckdb.DuckDBPyConnection) -> str | None:
    row = con.execute(
        f"SELECT commit_extra_info FROM {ALIAS}.snapshots() WHERE commit_message = ? "
        "ORDER BY snapshot_id DESC LIMIT 1",
        [SCHEMA_MESSAGE],
    ).fetchone()
    return row[0] if row else None


def ensure_schema(con: duckdb.DuckDBPyConnection) -> bool:
    """Apply the DDL (keys and CHECKs stripped: the loader enforces them), its comments and the
    views, in one snapshot, unless this version of them is already applied. A column the DDL
    gained since is added to the existing table (nullable: old rows have no value). True when
    applied."""
    digest = schema_digest()
    if applied_digest(con) == digest:
        return False
    ddl = lake_ddl(DDL_PATH.read_text(encoding="utf-8"))
    con.execute("BEGIN TRANSACTION")
    try:
        for table, column, sql_type in _missing_columns(con, ddl):
            con.execute(f'ALTER TABLE {table} ADD COLUMN "{column}" {sql_type}')
        con.execute(ddl)
        if VIEWS_PATH.exists():
            con.execute(lake_views(VIEWS_PATH.read_text(encoding="utf-8")))
        con.execute(
            f"CALL {ALIAS}.set_commit_message('shingikai', ?, extra_info => ?)",
            [SCHEMA_MESSAGE, digest],
        )
        before_commit()
        con.execute("COMMIT")
    except BaseException:
        rollback(con)
        raise
    return True


_VIEW = re.compile(r"CREATE (?:OR REPLACE )?VIEW (\w+)", re.I)
_COLUMN_COMMENT = re.compile(r"COMMENT ON COLUMN (\w+)\.\w+ IS '(?:[^']|'')*';\n?", re.I)


def lake_views(sql: str) -> str:
    """The views file without its comments on view columns, which DuckLake refuses ("not a
    table"). The views and their own comments stay; the column comments stay in the file, so
    `shingikai schema` and a single-file export still carry them."""
    views = {name.lower() for name in _VIEW.findall(sql)}
    return _COLUMN_COMMENT.sub(lambda m: "" if m.group(1).lower() in views else m.group(0), sql)


def _missing_columns(con: duckdb.DuckDBPyConnection, ddl: str) -> list[tuple[str, str, str]]:
    """(table, column, type) of the DDL's columns that tables already in the lake lack."""
    scratch = duckdb.connect()
    try:
        scratch.execute(ddl)
        wanted = scratch.execute(
            "SELECT table_name, column_name, data_type FROM duckdb_columns() "
            "WHERE schema_name = 'main' ORDER BY table_name, column_index"
        ).fetchall()
    finally:
        scratch.close()
    have = con.execute(
        "SELECT table_name, column_name FROM duckdb_columns() WHERE database_name = ? "
        "AND schema_name = 'main'",
        [ALIAS],
    ).fetchall()
    tables = {t for t, _ in have}
    return [(t, c, ty) for t, c, ty in wanted if t in tables and (t, c) not in set(have)]


# ---- commits that collide

CONFLICT_MARKERS = (
    "failed to commit ducklake transaction",
    "database is locked",
    "conflict",
    "could not serialize",
    "deadlock detected",
)


def error_says(exc: BaseException, markers: tuple[str, ...]) -> bool:
    """True for a DuckDB error whose message holds one of `markers` (lower case)."""
    text = str(exc).lower()
    return isinstance(exc, duckdb.Error) and any(m in text for m in markers)


def is_conflict(exc: BaseException) -> bool:
    """A commit that lost a race with another writer: worth running the transaction again."""
    return error_says(exc, CONFLICT_MARKERS)


# how often a writer retries, and the retries seen by this process (reported by ingest and the bench)
MAX_ATTEMPTS = 60
retries_seen = 0


def retrying(fn: Callable[[], T], attempts: int = MAX_ATTEMPTS, first_wait: float = 0.02) -> T:
    """Run `fn` (one whole transaction) again while its commit collides with another writer's,
    waiting a little longer, with jitter, each time."""
    global retries_seen
    wait = first_wait
    for attempt in range(attempts):
        try:
            return fn()
        except duckdb.Error as exc:
            if attempt == attempts - 1 or not is_conflict(exc):
                raise
            retries_seen += 1
            time.sleep(random.uniform(wait / 2, wait))
            wait = min(wait * 1.6, 2.0)
    raise AssertionError("unreachable")


@contextmanager
def commit_turn(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """Hold `<catalog>.lock` for one transaction when the catalog is a local SQLite file.

    SQLite lets one writer commit at a time, and it fails any transaction that began before
    another writer's commit ("database is locked"), which must then be redone whole, data files
    and all. With the turn taken first, writers on this machine wait a moment instead of redoing
    their work; writers on several machines (a PostgreSQL catalog) rely on DuckLake's own conflict
    checks and `retrying`. Nothing happens for other connections (a single-file warehouse).
    """
    row = con.execute(
        "SELECT path FROM duckdb_databases() WHERE database_name = ? AND type = 'sqlite'",
        [f"__ducklake_metadata_{ALIAS}"],
    ).fetchone()
    if row is None:
        yield
        return
    with held_lock(Path(f"{row[0]}.lock")):
        yield


@contextmanager
def held_lock(path: Path) -> Iterator[None]:
    """Hold an exclusive lock on the file `path` (made if missing), waiting while another
    process or thread holds it; released on exit, or by the system if the holder dies."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # releases the lock


def rollback(con: duckdb.DuckDBPyConnection) -> None:
    """Roll back if a transaction is still open (a failed commit has already ended it)."""
    try:
        con.execute("ROLLBACK")
    except duckdb.Error:
        pass


def before_commit() -> None:
    """Tests only: hold the run's first commit (the schema of a new lake, else its first batch)
    open with its files written, so that a kill or another command lands there."""
    marker = os.environ.get("SHINGIKAI_TEST_COMMIT_MARKER")
    if marker and not Path(marker).exists():
        Path(marker).touch()
        time.sleep(float(os.environ.get("SHINGIKAI_TEST_SLOW_COMMIT", "0")))


# ---- snapshots


def last_snapshot(con: duckdb.DuckDBPyConnection) -> int:
    return int(scalar(con, f"SELECT max(snapshot_id) FROM {ALIAS}.snapshots()"))


def snapshots(db: str | Path | Location) -> list[tuple]:
    """(snapshot_id, snapshot_time, changes, commit_message) of every snapshot, oldest first."""
    with reader(db) as con:
        return con.execute(
            f"SELECT snapshot_id, snapshot_time, changes, commit_message FROM {ALIAS}.snapshots() "
            "ORDER BY snapshot_id"
        ).fetchall()


# ---- maintenance: small files merged, files no snapshot needs deleted

_INTERVAL = re.compile(r"^\s*(\d+)\s*(second|minute|hour|day|week)s?\s*$", re.I)


# How long snapshots stay readable by time travel (`at=`) unless the operator says otherwise
# (`shingikai maintain --keep-snapshots`, or SHINGIKAI_KEEP_SNAPSHOTS for the nightly flow):
# older ones are expired, and the files only they read are deleted. The latest is always kept.
DEFAULT_KEEP_SNAPSHOTS = "90 days"


def keep_snapshots_policy() -> str:
    """The operator's retention policy: SHINGIKAI_KEEP_SNAPSHOTS, else DEFAULT_KEEP_SNAPSHOTS."""
    return os.environ.get("SHINGIKAI_KEEP_SNAPSHOTS") or DEFAULT_KEEP_SNAPSHOTS


@dataclass(frozen=True)
class Maintenance:
    files_before: int  # data and delete files the latest snapshot reads
    files_after: int
    removed: int  # files deleted from the data path (merged away, expired, or never committed)
    expired: int = 0  # snapshots expired, older than the retention policy


def interval(text: str) -> str:
    """A SQL INTERVAL literal for '1 day', '6 hours', '0 seconds'; ValueError for anything else."""
    m = _INTERVAL.match(text)
    if not m:
        raise ValueError(f"{text!r} is not an interval like '1 day', '6 hours' or '30 minutes'")
    return f"INTERVAL '{int(m.group(1))} {m.group(2).lower()}'"


def _live_files(con: duckdb.DuckDBPyConnection) -> int:
    tables = [
        r[0]
        for r in con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE database_name = ?", [ALIAS]
        ).fetchall()
    ]
    return sum(
        int(scalar(con, f"SELECT count(*) FROM ducklake_list_files('{ALIAS}', '{t}')"))
        for t in tables
    )


def _derive_everything(con: duckdb.DuckDBPyConnection) -> None:
    """The loader's derived facts (copies, incident types) recomputed over the whole lake, in one
    commit: a load recomputes them only for the meetings it touches."""
    con.execute("BEGIN TRANSACTION")
    try:
        derive(con)
        con.execute("COMMIT")
    except BaseException:
        rollback(con)
        raise


def maintain(
    db: str | Path | Location, keep_for: str = "1 day", keep_snapshots: str | None = None
) -> Maintenance:
    """Merge the small Parquet files that batch commits leave into larger ones (every snapshot
    stays readable: time travel is kept), then delete from the data path the files that no
    snapshot reads any more (merged away) and the files that no commit recorded (a writer killed
    mid-commit), once they are older than `keep_for`, so that a query still scanning them ends
    first. The derived facts are recomputed over the whole lake on the way (a load recomputes
    those of the meetings it touches). Safe while others ingest: each step is one commit,
    retried if it collides.

    Snapshots older than `keep_snapshots` (default: the operator's policy,
    `keep_snapshots_policy`) are expired first: time travel reaches back that far and no further,
    and the files that only expired snapshots read are deleted with the others."""
    age = interval(keep_for)
    retention = interval(keep_snapshots or keep_snapshots_policy())
    con = writer(db)
    try:
        before = _live_files(con)
        with commit_turn(con):
            retrying(
                lambda: con.execute(f"CALL ducklake_merge_adjacent_files('{ALIAS}')").fetchall()
            )
        with commit_turn(con):
            retrying(lambda: _derive_everything(con))
        with commit_turn(con):
            expired = retrying(
                lambda: con.execute(
                    f"CALL ducklake_expire_snapshots('{ALIAS}', older_than => now() - {retention})"
                ).fetchall()
            )
        old = con.execute(
            f"CALL ducklake_cleanup_old_files('{ALIAS}', older_than => now() - {age})"
        ).fetchall()
        orphans = con.execute(
            f"CALL ducklake_delete_orphaned_files('{ALIAS}', older_than => now() - {age})"
        ).fetchall()
        return Maintenance(before, _live_files(con), len(old) + len(orphans), len(expired))
    finally:
        con.close()
