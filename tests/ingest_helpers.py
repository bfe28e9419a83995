"""Running the real `shingikai` CLI from tests, and comparing warehouses."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb

from shingikai.warehouse import connect_readonly
from shingikai.warehouse.lake import is_duckdb_file
from tests.conftest import ROOT


def cli_env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    # a loaded machine can take longer than Prefect's default to start its ephemeral API
    env.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "180")
    env.update(extra)
    return env


def ingest_cmd(paths: list[Path], db: Path, extra_args: list[str] | None = None) -> list[str]:
    return [
        sys.executable,
        "-m",
        "shingikai.cli",
        "ingest",
        *map(str, paths),
        "--db",
        str(db),
        *(extra_args or []),
    ]


def run_ingest_cli(
    paths: list[Path],
    db: Path,
    timeout: float = 900,
    extra_args: list[str] | None = None,
    **env: str,
) -> subprocess.CompletedProcess:
    run = subprocess.run(
        ingest_cmd(paths, db, extra_args),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        env=cli_env(**env),
    )
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-3000:]
    return run


def copy_lake(src: Path, dest: Path) -> None:
    """Copy a lake (catalog file and its .files folder) to another place; it reads from there."""
    shutil.copyfile(src, dest)
    for suffix in ("-wal",):
        if Path(str(src) + suffix).exists():
            shutil.copyfile(str(src) + suffix, str(dest) + suffix)
    files = src.with_name(src.name + ".files")
    if files.exists():
        shutil.copytree(files, dest.with_name(dest.name + ".files"))


def recorded_files(db: Path | str) -> int:
    """How many data and delete files a lake's catalog records, for any snapshot."""
    with connect_readonly(db) as con:
        return sum(
            con.execute(f"SELECT count(*) FROM __ducklake_metadata_lake.{t}").fetchone()[0]
            for t in ("ducklake_data_file", "ducklake_delete_file")
        )


def snapshot(
    db: Path | str, documents: set[str] | None = None, leave_out: tuple[str, ...] = ()
) -> dict[str, list[tuple]]:
    """Every table's rows (`tables_of`) of a lake's latest snapshot, or of a single DuckDB file."""
    is_file = not str(db).startswith("postgres:") and is_duckdb_file(Path(db))
    con = duckdb.connect(str(db), read_only=True) if is_file else connect_readonly(db)
    try:
        return tables_of(con, documents, leave_out)
    finally:
        con.close()


def tables_of(
    con: duckdb.DuckDBPyConnection,
    documents: set[str] | None = None,
    leave_out: tuple[str, ...] = (),
) -> dict[str, list[tuple]]:
    """Every table's rows, sorted, without ingested_at (the one column that differs between runs)
    or the columns `leave_out`; only the rows of `documents` when given (and only the tables
    whose rows belong to a document)."""
    tables = [
        r[0]
        for r in con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' AND table_type = 'BASE TABLE' "
            "AND table_catalog = current_database() ORDER BY 1"
        ).fetchall()
    ]
    out = {}
    for table in tables:
        cols = [
            r[0]
            for r in con.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_name = ? AND table_schema = 'main' "
                "AND table_catalog = current_database() ORDER BY ordinal_position",
                [table],
            ).fetchall()
            if r[0] != "ingested_at" and r[0] not in leave_out
        ]
        if documents is not None and "document_id" not in cols:
            continue  # the loader's bookkeeping (pending_links)
        select = ", ".join(f'"{c}"' for c in cols)
        if documents is None:
            rows = con.execute(f"SELECT {select} FROM {table}").fetchall()
        else:
            rows = con.execute(
                f"SELECT {select} FROM {table} WHERE document_id IN (SELECT unnest(?::VARCHAR[]))",
                [sorted(documents)],
            ).fetchall()
        out[table] = sorted(rows, key=repr)
    return out
