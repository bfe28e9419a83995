"""Read-only SQL for researchers: one statement, on a read-only connection, with writes refused."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from shingikai.warehouse import lake
from shingikai.warehouse.store import readonly

_ALLOWED_START = re.compile(
    r"^\s*(SELECT|WITH|DESCRIBE|SHOW|EXPLAIN|SUMMARIZE|FROM|VALUES|TABLE)\b", re.I
)
_FORBIDDEN = re.compile(
    r"\b(INSERT|UPDATE|DELETE|DROP|CREATE|ALTER|ATTACH|DETACH|COPY|EXPORT|IMPORT|PRAGMA|SET|RESET|INSTALL|LOAD|"
    r"CALL|CHECKPOINT|VACUUM|USE|TRUNCATE|REPLACE|GRANT|BEGIN|COMMIT|ROLLBACK)\b"
    r"|\b(read_csv\w*|read_parquet|read_json\w*|read_text|read_blob|write_\w+|glob|sniff_csv|parquet_\w+|"
    r"sqlite_scan|postgres_scan|mysql_scan|httpfs|duckdb_secrets|getenv|query_table)\s*\(",
    re.I,
)


class QueryRefused(ValueError):
    """The statement could change the warehouse or reach outside it."""


def check(sql: str) -> str:
    body = _strip_literals(sql).strip().rstrip(";").strip()
    if ";" in body:
        raise QueryRefused("one statement at a time")
    if not _ALLOWED_START.match(body):
        raise QueryRefused(
            "only read-only statements (SELECT, WITH, DESCRIBE, SHOW, EXPLAIN) are allowed"
        )
    m = _FORBIDDEN.search(body)
    if m:
        raise QueryRefused(
            f"{m.group(0).rstrip('(').strip().upper()} is not allowed: the warehouse is read-only to queries"
        )
    return sql.strip().rstrip(";")


def _strip_literals(sql: str) -> str:
    """Blank out string literals, quoted identifiers and comments so that words inside them are not mistaken for keywords."""
    sql = re.sub(r"--[^\n]*|/\*.*?\*/", " ", sql, flags=re.S)
    sql = re.sub(r'"(?:[^"]|"")*"', '"x"', sql)  # quoted identifiers: `AS "set"` names a column
    return re.sub(r"'(?:[^']|'')*'", "''", sql)


def run_query(db: Path | str, sql: str, at: str | int | None = None) -> pd.DataFrame:
    """Run one read-only statement on the latest snapshot, or on the snapshot `at` (an id or a
    timestamp): the warehouse as it was then."""
    statement = check(sql)
    with readonly(db, at=at) as con:
        lake.lock_down(con, db)
        return con.execute(statement).fetchdf()
