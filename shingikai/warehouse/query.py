"""Read-only SQL for researchers: one read-only statement, bounded in time, memory and rows.

Three walls, each enough on its own for what it covers:

1. DuckDB's own parser decides what the text is (`duckdb.extract_statements`): exactly one
   statement, of type SELECT (which covers WITH, FROM, VALUES, TABLE, DESCRIBE, SHOW and
   SUMMARIZE) or an EXPLAIN of one. No regular expression reads the SQL, so comments and
   string literals cannot hide a second statement, and no read-only function is refused for
   its name.
2. The connection is read-only, with external access off (no files, no network) and its
   configuration locked, so a statement that got through could still neither write the
   warehouse nor reach outside it.
3. Limits: a memory limit and a small spill limit for the connection, a time limit (a timer
   thread calls `interrupt()`), and rows fetched from the streaming result only up to `max_rows`.

`execute_query` returns column names and at most `max_rows` rows; printing is the CLI's job.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from shingikai.warehouse import lake
from shingikai.warehouse.store import readonly

READ_ONLY_KINDS = "SELECT, WITH, DESCRIBE, SHOW, EXPLAIN"
DEFAULT_TIMEOUT_S = 60.0
DEFAULT_MEMORY_GB = 2.0
DEFAULT_MAX_ROWS = 200
_SELECT = duckdb.StatementType.SELECT  # type: ignore[attr-defined]
_EXPLAIN = duckdb.StatementType.EXPLAIN  # type: ignore[attr-defined]
SPILL_LIMIT = "1GiB"  # what a query may write to DuckDB's temporary folder beside the warehouse


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
    if statement.type == _SELECT or (
        statement.type == _EXPLAIN and _explains_a_select(statement.query)
    ):
        return statement.query
    raise QueryRefused(f"only read-only statements ({READ_ONLY_KINDS}) are allowed")


def _explains_a_select(query: str) -> bool:
    """True when an EXPLAIN [ANALYZE] statement explains a SELECT (read by DuckDB's tokenizer)."""
    tokens = duckdb.tokenize(query)
    words = [
        query[pos:end].strip().upper()
        for (pos, _), (end, _) in zip(tokens, [*tokens[1:], (len(query), None)], strict=True)
    ]
    skip = 1 + (len(words) > 1 and words[1] in ("ANALYZE", "ANALYSE"))
    if len(tokens) <= skip:
        return False
    inner = duckdb.extract_statements(query[tokens[skip][0] :])
    return len(inner) == 1 and inner[0].type == _SELECT


def execute_query(
    db: Path | str,
    sql: str,
    *,
    at: str | int | None = None,
    max_rows: int = DEFAULT_MAX_ROWS,
    timeout_s: float = DEFAULT_TIMEOUT_S,
    memory_gb: float = DEFAULT_MEMORY_GB,
) -> QueryResult:
    """Run one read-only statement; at most `max_rows` rows are fetched, within the limits. `at`:
    the snapshot (an id or a timestamp) to read, the warehouse as it was then; else the latest."""
    statement = check(sql)
    with readonly(db, at=at) as con:
        if lake.single_file(db) is None:
            # the lake's own Parquet files are the only files a query may read
            con.execute(f"SET allowed_directories = ['{lake.data_path(con, db)}']")
        con.execute("SET enable_external_access = false")
        con.execute(f"SET memory_limit = '{int(memory_gb * 1024)}MiB'")
        con.execute(f"SET max_temp_directory_size = '{SPILL_LIMIT}'")
        con.execute("SET lock_configuration = true")
        timer = threading.Timer(timeout_s, con.interrupt)
        timer.daemon = True
        timer.start()
        try:
            con.execute(statement)
            columns = [d[0] for d in con.description or []]
            rows = con.fetchmany(max_rows + 1)  # the result streams: only these rows are made
        except duckdb.InterruptException:
            raise QueryLimit(
                f"the query took longer than the limit of {timeout_s:g} s and was stopped "
                "(raise --timeout to allow more)"
            ) from None
        except duckdb.OutOfMemoryException:
            raise QueryLimit(
                f"the query needed more memory than the limit of {memory_gb:g} GiB and was "
                "stopped (raise --max-memory-gb to allow more, or aggregate in SQL)"
            ) from None
        finally:
            timer.cancel()
    return QueryResult(columns, rows[:max_rows], len(rows) > max_rows)


def run_query(db: Path, sql: str, **limits: Any) -> pd.DataFrame:
    """`execute_query` as a DataFrame (at most `max_rows` rows)."""
    result = execute_query(db, sql, **limits)
    return pd.DataFrame.from_records(result.rows, columns=result.columns)
