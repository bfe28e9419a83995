"""Export every warehouse table and view to Parquet or CSV files, from a read-only connection."""

from __future__ import annotations

from pathlib import Path

from shingikai.warehouse.store import readonly


def relations(con) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    """(name, 'table' | 'view') of every relation in the main schema."""
    return con.execute(
        "SELECT table_name, 'table' FROM duckdb_tables() WHERE schema_name = 'main' AND database_name = current_database() "
        "UNION ALL SELECT view_name, 'view' FROM duckdb_views() WHERE schema_name = 'main' AND NOT internal "
        "AND database_name = current_database() ORDER BY 2, 1"
    ).fetchall()


def export(db: Path, out_dir: Path, fmt: str = "parquet") -> list[tuple[str, str, Path, int]]:
    """Write one file per table and view; returns (name, kind, path, rows)."""
    if fmt not in ("parquet", "csv"):
        raise ValueError(f"unknown format {fmt!r}: use parquet or csv")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    with readonly(Path(db)) as con:
        for name, kind in relations(con):
            path = out_dir / f"{name}.{fmt}"
            target = str(path).replace("'", "''")
            options = (
                "FORMAT parquet, COMPRESSION zstd"
                if fmt == "parquet"
                else "FORMAT csv, HEADER true"
            )
            con.execute(f"COPY (SELECT * FROM \"{name}\") TO '{target}' ({options})")
            (rows,) = con.execute(f'SELECT count(*) FROM "{name}"').fetchall()[0]
            written.append((name, kind, path, rows))
    return written
