"""Convert a single-file DuckDB warehouse (the layout before the lake) into a DuckLake, in one
snapshot. The old file is only read."""

from __future__ import annotations

from pathlib import Path

from shingikai.warehouse import lake
from shingikai.warehouse.constraints import scalar
from shingikai.warehouse.store import DOCUMENT_TABLES


def convert(src: Path, dest: Path | str | None = None) -> tuple[str, dict[str, int]]:
    """Copy every warehouse table of the DuckDB file `src` into a new lake at `dest` (default: `src`
    with the suffix .ducklake); returns the lake and the rows copied per table."""
    src = Path(src)
    if not lake.is_duckdb_file(src):
        raise ValueError(f"{src} is not a DuckDB database file")
    dest = dest if dest is not None else src.with_suffix(".ducklake")
    con = lake.writer(dest)
    try:
        if scalar(con, "SELECT count(*) FROM documents"):
            raise FileExistsError(
                f"{lake.location(dest)} already holds documents: convert into a new lake"
            )
        con.execute(
            f"ATTACH '{str(src.resolve()).replace(chr(39), chr(39) * 2)}' AS old (READ_ONLY)"
        )
        old_columns: dict[str, list[str]] = {}
        for table, column in con.execute(
            "SELECT table_name, column_name FROM duckdb_columns() WHERE database_name = 'old' "
            "AND schema_name = 'main' ORDER BY column_index"
        ).fetchall():
            old_columns.setdefault(table, []).append(column)
        copied: dict[str, int] = {}

        def copy() -> None:
            con.execute("BEGIN TRANSACTION")
            try:
                for table in [*DOCUMENT_TABLES, "document_locations"]:
                    if table not in old_columns:
                        continue
                    new = {
                        r[0]
                        for r in con.execute(
                            "SELECT column_name FROM duckdb_columns() WHERE database_name = ? "
                            "AND table_name = ?",
                            [lake.ALIAS, table],
                        ).fetchall()
                    }
                    cols = ", ".join(f'"{c}"' for c in old_columns[table] if c in new)
                    con.execute(
                        f"INSERT INTO {lake.ALIAS}.main.{table} ({cols}) SELECT {cols} FROM old.main.{table}"
                    )
                    copied[table] = scalar(con, f"SELECT count(*) FROM old.main.{table}")
                con.execute(
                    f"CALL {lake.ALIAS}.set_commit_message('shingikai', ?)",
                    [f"converted from {src.name}"],
                )
                con.execute("COMMIT")
            except BaseException:
                lake.rollback(con)
                raise

        lake.retrying(copy)
        con.execute("DETACH old")
    finally:
        con.close()
    return str(lake.location(dest)), copied
