"""Read-only SQL for researchers: one read-only statement, bounded in time, memory and rows.

Three walls, each enough on its own for what it covers:

1. DuckDB's own parser decides what the text is (`duckdb.extract_statements`): exactly one
   statement, of type SELECT (which covers WITH, FROM, VALUES, TABLE, DESCRIBE, SHOW and
   SUMMARIZE) or an EXPLAIN of one. No regular expression reads the SQL, so comments and
   string literals cannot hide a second statement. A SELECT may still call a table function
   that acts (`ducklake_delete_orphaned_files` deletes files, `checkpoint` writes), so every
   table function the parse tree names (`json_serialize_sql`) must be on a list of functions
   known only to read (`READING_FUNCTIONS`): one added to DuckDB or DuckLake later is refused
   until someone has looked at it.
2. The connection cannot change anything: the lake is attached read-only, its data files are
   reached through a file system that can only read them (`readonly_files`), DuckDB's own
   local file system is switched off, external access is off (no other files, no network) and
   the configuration is locked. A statement that got through could still neither write or
   delete a file nor reach outside the warehouse.
3. Limits: a memory limit and a small spill limit for the connection, a time limit (a timer
   thread calls `interrupt()`), and rows fetched from the streaming result only up to `max_rows`.

`execute_query` returns column names and at most `max_rows` rows; printing is the CLI's job.
"""

from __future__ import annotations

import json
import resource
import threading
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from shingikai.warehouse import lake
from shingikai.warehouse.store import connect_readonly

READ_ONLY_KINDS = "SELECT, WITH, DESCRIBE, SHOW, EXPLAIN"
DEFAULT_TIMEOUT_S = 60.0
DEFAULT_MEMORY_GB = 2.0
DEFAULT_MAX_ROWS = 200
_SELECT = duckdb.StatementType.SELECT  # type: ignore[attr-defined]
_EXPLAIN = duckdb.StatementType.EXPLAIN  # type: ignore[attr-defined]
SPILL_LIMIT = "1GiB"  # what a query may write to DuckDB's temporary folder beside the warehouse

# Table functions a read-only query may call: each computes values or reads the warehouse, its
# catalog or its history, and none writes, deletes or reads a file of its own choosing.
READING_FUNCTIONS = frozenset(
    {
        # values computed from the arguments
        *("range", "generate_series", "unnest", "repeat", "repeat_row", "json_each", "json_tree"),
        *("histogram", "histogram_values", "icu_calendar_names", "pg_timezone_names"),
        # the catalog: tables, columns, views, types, settings
        *("duckdb_columns", "duckdb_constraints", "duckdb_databases", "duckdb_dependencies"),
        *("duckdb_functions", "duckdb_indexes", "duckdb_keywords", "duckdb_schemas"),
        *("duckdb_sequences", "duckdb_settings", "duckdb_tables", "duckdb_types", "duckdb_views"),
        *("duckdb_extensions", "duckdb_optimizers", "duckdb_memory", "duckdb_variables"),
        *("pragma_table_info", "pragma_show", "pragma_version", "pragma_collations"),
        *("pragma_platform", "pragma_database_size", "pragma_storage_info"),
        # the lake's snapshots and changes, by their full names and as `lake.snapshots()` etc.
        *(
            f"{prefix}{name}"
            for prefix in ("ducklake_", "")
            for name in (
                "snapshots",
                "current_snapshot",
                "last_committed_snapshot",
                "table_info",
                "list_files",
                "options",
                "table_changes",
                "table_insertions",
                "table_deletions",
            )
        ),
    }
)


class QueryRefused(ValueError):
    """The statement could change the warehouse or reach outside it."""


class QueryLimit(RuntimeError):
    """The query went over its time or memory limit and was stopped."""


@dataclass
class QueryResult:
    columns: list[str]
    rows: list[tuple[Any, ...]]  # at most max_rows
    truncated: bool  # True when the result had more rows than were fetched


def check(sql: str) -> str:
    """The one statement in `sql`, if DuckDB's parser says it only reads; else QueryRefused.

    A syntax error is DuckDB's own (`duckdb.ParserException`), reported as a mistake.
    """
    statements = duckdb.extract_statements(sql)
    if len(statements) != 1:
        raise QueryRefused("one statement at a time" if statements else "no statement given")
    statement = statements[0]
    select = statement.query if statement.type == _SELECT else None
    if statement.type == _EXPLAIN:
        select = _explained_select(statement.query)
    if select is None:
        raise QueryRefused(f"only read-only statements ({READ_ONLY_KINDS}) are allowed")
    for name in sorted(table_functions(select)):
        if name.lower() not in READING_FUNCTIONS:
            raise QueryRefused(
                f"{name}() is not a function a read-only query may call: only table functions "
                "that read the warehouse, its catalog or its snapshots, or compute values, are"
            )
    return statement.query


def _explained_select(query: str) -> str | None:
    """The SELECT an EXPLAIN [ANALYZE] statement explains (read by DuckDB's tokenizer), else None."""
    tokens = duckdb.tokenize(query)
    words = [
        query[pos:end].strip().upper()
        for (pos, _), (end, _) in zip(tokens, [*tokens[1:], (len(query), None)], strict=True)
    ]
    skip = 1 + (len(words) > 1 and words[1] in ("ANALYZE", "ANALYSE"))
    if len(tokens) <= skip:
        return None
    inner = duckdb.extract_statements(query[tokens[skip][0] :])
    return inner[0].query if len(inner) == 1 and inner[0].type == _SELECT else None


def table_functions(select: str) -> set[str]:
    """The names of every table function one SELECT calls, wherever it stands (a CTE, a
    subquery, a join), read from DuckDB's own parse tree; QueryRefused when it cannot be read."""
    scratch = duckdb.connect()
    try:
        (text,) = scratch.execute("SELECT json_serialize_sql(?)", [select]).fetchone() or ("",)
    finally:
        scratch.close()
    tree = json.loads(text) if text else {"error": True}
    if tree.get("error"):
        raise QueryRefused(
            f"the statement could not be checked ({tree.get('error_message', 'no parse tree')})"
        )
    names: set[str] = set()
    stack: list[object] = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if node.get("type") == "TABLE_FUNCTION" and isinstance(node.get("function"), dict):
                names.add(str(node["function"].get("function_name", "")))
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return names


@contextmanager
def sealed(db: Path | str, at: str | int | None = None) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only connection that cannot write, delete or read any file but the warehouse's
    own (wall 2), its configuration not yet locked (the caller adds its limits, then locks)."""
    if lake.single_file(db) is None:
        con = lake.connect(db, sealed=True, at=at)
    else:
        con = connect_readonly(db, at=at)
    try:
        if lake.single_file(db) is None:
            # the lake's own Parquet files, read-only, are the only files a query may read
            con.execute(f"SET allowed_directories = ['{lake.data_path(con)}']")
        con.execute("SET enable_external_access = false")
        con.execute("SET disabled_filesystems = 'LocalFileSystem'")
        yield con
    finally:
        con.close()


def execute_query(
    db: Path | str,
    sql: str,
    *,
    at: str | int | None = None,
    max_rows: int = DEFAULT_MAX_ROWS,
    timeout_s: float = DEFAULT_TIMEOUT_S,
    memory_gb: float = DEFAULT_MEMORY_GB,
    bound_process: bool = False,
) -> QueryResult:
    """Run one read-only statement; at most `max_rows` rows are fetched, within the limits. `at`:
    the snapshot (an id or a timestamp) to read, the warehouse as it was then; else the latest.
    `bound_process` (the command line, one query per process): the memory limit also holds for
    what DuckDB's own limit does not count (`address_space`)."""
    statement = check(sql)
    with sealed(db, at=at) as con:
        con.execute(f"SET memory_limit = '{int(memory_gb * 1024)}MiB'")
        con.execute(f"SET max_temp_directory_size = '{SPILL_LIMIT}'")
        con.execute("SET lock_configuration = true")
        timer = threading.Timer(timeout_s, con.interrupt)
        timer.daemon = True
        timer.start()
        try:
            with address_space(memory_gb) if bound_process else nullcontext():
                con.execute(statement)
                columns = [d[0] for d in con.description or []]
                rows = con.fetchmany(max_rows + 1)  # the result streams: only these rows are made
        except duckdb.InterruptException:
            raise QueryLimit(
                f"the query took longer than the limit of {timeout_s:g} s and was stopped "
                "(raise --timeout to allow more)"
            ) from None
        except (duckdb.OutOfMemoryException, MemoryError):
            raise QueryLimit(
                f"the query needed more memory than the limit of {memory_gb:g} GiB and was "
                "stopped (raise --max-memory-gb to allow more, or aggregate in SQL)"
            ) from None
        finally:
            timer.cancel()
    return QueryResult(columns, rows[:max_rows], len(rows) > max_rows)


# room the process may take beyond the query's memory limit while the query runs: thread stacks,
# allocator slack, the rows fetched
ADDRESS_SPACE_SLACK = 1024**3


@contextmanager
def address_space(memory_gb: float) -> Iterator[None]:
    """Bound this whole process's address space while a query runs: its size now, plus 1.5 times
    the query's memory limit, plus `ADDRESS_SPACE_SLACK`. DuckDB's `memory_limit` counts its
    buffers but not every value it builds: `SELECT repeat('x', 2000000000)` took 4 GB under a
    0.5 GiB limit. Past this bound an allocation fails and the query stops with DuckDB's
    out-of-memory error. For a process that runs one query (the command line), since it bounds
    every thread of the process meanwhile."""
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    try:
        status = Path("/proc/self/status").read_text(encoding="ascii")
        size = next(
            int(x.split()[1]) * 1024 for x in status.splitlines() if x.startswith("VmSize:")
        )
    except (OSError, StopIteration, ValueError):  # not Linux: DuckDB's own limit only
        yield
        return
    bound = int(size + 1.5 * memory_gb * 1024**3 + ADDRESS_SPACE_SLACK)
    if hard != resource.RLIM_INFINITY:
        bound = min(bound, hard)
    if soft != resource.RLIM_INFINITY:
        bound = min(bound, soft)
    resource.setrlimit(resource.RLIMIT_AS, (bound, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


def warehouse_files(db: Path | str) -> list[Path]:
    """The files and folders that make up the warehouse at `db` (a local one): what a query's
    output must never replace."""
    path = lake.single_file(db)
    if path is None:
        loc = lake.location(db)
        if loc.path is None:
            return []
        path = loc.path
        data = [Path(loc.data_path)] if loc.data_path and "://" not in loc.data_path else []
    else:
        data = []
    return [
        path,
        *(path.with_name(path.name + s) for s in ("-wal", "-shm", ".wal", ".lock")),
        *data,
    ]


def check_output(out: Path, db: Path | str, force: bool, ask: bool) -> None:
    """Refuse to write a query's result over the warehouse itself (its catalog, log, lock or data
    files), and over any other existing file unless `force`, or the person says yes (`ask`)."""
    target = out.resolve()
    for part in warehouse_files(db):
        part = part.resolve()
        if target == part or target.is_relative_to(part):
            raise QueryRefused(f"{out} is part of the warehouse {db}: write the result elsewhere")
    if not target.is_file() or force:
        return
    if ask:
        answer = input(f"{out} exists: replace it? [y/N] ").strip().lower()
        if answer in ("y", "yes"):
            return
    raise QueryRefused(f"{out} exists: give another file, or --force to replace it")


def run_query(db: Path, sql: str, **limits: Any) -> pd.DataFrame:
    """`execute_query` as a DataFrame (at most `max_rows` rows)."""
    result = execute_query(db, sql, **limits)
    return pd.DataFrame.from_records(result.rows, columns=result.columns)
