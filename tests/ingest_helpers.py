"""Running the real `shingikai` CLI from tests, and comparing warehouses."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import duckdb

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


def snapshot(db: Path) -> dict[str, list[tuple]]:
    """Every table's rows, sorted, without ingested_at (the one column that differs between runs)."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        tables = [
            r[0]
            for r in con.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' AND table_type = 'BASE TABLE' "
                "ORDER BY 1"
            ).fetchall()
        ]
        out = {}
        for table in tables:
            cols = [
                r[0]
                for r in con.execute(
                    "SELECT column_name FROM information_schema.columns WHERE table_name = ? AND table_schema = 'main' "
                    "ORDER BY ordinal_position",
                    [table],
                ).fetchall()
                if r[0] != "ingested_at"
            ]
            select = ", ".join(f'"{c}"' for c in cols)
            rows = con.execute(f"SELECT {select} FROM {table}").fetchall()
            out[table] = sorted(rows, key=repr)
        return out
    finally:
        con.close()
