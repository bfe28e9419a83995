"""Export the warehouse: every table and view to Parquet or CSV files, to the sheets of one Excel
workbook, or the whole snapshot to one self-contained DuckDB file (same tables, keys, CHECKs,
comments and views), from a read-only connection."""

from __future__ import annotations

import codecs
import os
import shutil
from pathlib import Path

from shingikai.render import FORMULA_START, write_xlsx
from shingikai.warehouse.constraints import scalar
from shingikai.warehouse.store import apply_schema, readonly

BOM = codecs.BOM_UTF8


def relations(con) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    """(name, 'table' | 'view') of every relation in the main schema."""
    return con.execute(
        "SELECT table_name, 'table' FROM duckdb_tables() WHERE schema_name = 'main' AND database_name = current_database() "
        "UNION ALL SELECT view_name, 'view' FROM duckdb_views() WHERE schema_name = 'main' AND NOT internal "
        "AND database_name = current_database() ORDER BY 2, 1"
    ).fetchall()


def export(
    db: Path | str,
    out: Path,
    fmt: str = "parquet",
    bom: bool = True,
    at: str | int | None = None,
) -> list[tuple[str, str, Path, int]]:
    """Write one file per table and view (parquet, csv) or one DuckDB file (duckdb) of the
    latest snapshot, or of the one `at`; returns (name, kind, path, rows).

    CSV files start with a UTF-8 byte-order mark unless `bom` is false: without it,
    Excel on a Japanese system reads them as Shift_JIS and garbles every character. Their
    lines end in LF, as `query --format csv` writes them. xlsx: one workbook FILE (in a
    folder given instead: FOLDER/shingikai.xlsx), a sheet per table and view.
    """
    if fmt == "duckdb":
        return export_duckdb(db, Path(out), at=at)
    if fmt == "xlsx":
        return export_xlsx(db, Path(out), at=at)
    if fmt not in ("parquet", "csv"):
        raise ValueError(f"unknown format {fmt!r}: use parquet, csv, xlsx or duckdb")
    out_dir = Path(out)
    if out_dir.exists() and not out_dir.is_dir():
        raise FileExistsError(f"{out_dir} is a file: give a folder to write the tables into")
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    with readonly(db, at=at) as con:
        for name, kind in relations(con):
            path = out_dir / f"{name}.{fmt}"
            target = str(path).replace("'", "''")
            options = (
                "FORMAT parquet, COMPRESSION zstd"
                if fmt == "parquet"
                else "FORMAT csv, HEADER true"
            )
            select = _spreadsheet_safe(con, name) if fmt == "csv" else "*"
            con.execute(f"COPY (SELECT {select} FROM \"{name}\") TO '{target}' ({options})")
            if fmt == "csv" and bom:
                _prepend_bom(path)
            (rows,) = con.execute(f'SELECT count(*) FROM "{name}"').fetchall()[0]
            written.append((name, kind, path, rows))
    return written


# rows fetched from DuckDB at a time while a sheet is written
XLSX_BATCH = 10_000


def export_xlsx(
    db: Path | str, out: Path, at: str | int | None = None
) -> list[tuple[str, str, Path, int]]:
    """One Excel workbook: a sheet per table and view (its name, cut to Excel's 31 characters),
    a header row, then its rows; a table past Excel's rows goes on over further sheets
    (`render.write_xlsx`). The notes (split tables, cut texts) come back as rows of kind `note`."""
    if out.is_dir():
        out = out / "shingikai.xlsx"
    if out.exists():
        raise FileExistsError(f"{out} exists: remove it or choose another file")
    out.parent.mkdir(parents=True, exist_ok=True)
    written = []
    with readonly(db, at=at) as con:
        listed = relations(con)

        def rows(name: str):  # type: ignore[no-untyped-def]
            cur = con.execute(f'SELECT * FROM "{name}"')
            while batch := cur.fetchmany(XLSX_BATCH):
                yield from batch

        tables = []
        for name, kind in listed:
            columns = [r[0] for r in con.execute(f'DESCRIBE "{name}"').fetchall()]
            tables.append((name, columns, rows(name)))
            written.append((name, kind, out, scalar(con, f'SELECT count(*) FROM "{name}"')))
        # the sheets are written one after the other: each query runs when its turn comes
        notes = write_xlsx(tables, out)
    return written + [(note, "note", out, 0) for note in notes]


def _spreadsheet_safe(con, name: str) -> str:  # type: ignore[no-untyped-def]
    """The select list of `name` for a CSV file: text that a spreadsheet would run as a formula
    gets a leading apostrophe (`render.FORMULA_START`, the same rule as `query --format csv`)."""
    starts = ", ".join("'" + c.replace("'", "''") + "'" for c in FORMULA_START)
    out = []
    for column, sql_type, *_ in con.execute(f'DESCRIBE "{name}"').fetchall():
        quoted = '"' + column.replace('"', '""') + '"'
        if sql_type == "VARCHAR":
            out.append(
                f"CASE WHEN left({quoted}, 1) IN ({starts}) THEN '''' || {quoted} "
                f"ELSE {quoted} END AS {quoted}"
            )
        else:
            out.append(quoted)
    return ", ".join(out)


def _prepend_bom(path: Path) -> None:
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "wb") as out, open(path, "rb") as src:
        out.write(BOM)
        shutil.copyfileobj(src, out, 1 << 20)
    os.replace(tmp, path)


def export_duckdb(
    db: Path | str, out: Path, at: str | int | None = None
) -> list[tuple[str, str, Path, int]]:
    """One DuckDB file holding the snapshot: the full DDL (with its keys and CHECKs), comments and
    views, and every table's rows. Written beside `out` and renamed into place when complete."""
    if out.exists():
        raise FileExistsError(f"{out} exists: remove it or choose another file")
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".partial")
    tmp.unlink(missing_ok=True)
    written = []
    try:
        with readonly(db, at=at) as con:
            source = scalar(con, "SELECT current_database()")  # the lake, or a single file
            tables = [name for name, kind in relations(con) if kind == "table"]
            con.execute(f"ATTACH '{str(tmp).replace(chr(39), chr(39) * 2)}' AS snapshot_file")
            con.execute("USE snapshot_file")
            apply_schema(con)
            for name in tables:
                cols = ", ".join(
                    f'"{r[0]}"'
                    for r in con.execute(
                        "SELECT column_name FROM duckdb_columns() WHERE database_name = 'snapshot_file' "
                        "AND table_name = ? ORDER BY column_index",
                        [name],
                    ).fetchall()
                )
                con.execute(
                    f'INSERT INTO snapshot_file.main."{name}" ({cols}) '
                    f'SELECT {cols} FROM "{source}".main."{name}"'
                )
            for name, kind in relations(con):
                written.append((name, kind, out, scalar(con, f'SELECT count(*) FROM "{name}"')))
            con.execute(f'USE "{source}"')
            con.execute("DETACH snapshot_file")
        os.replace(tmp, out)
    finally:
        tmp.unlink(missing_ok=True)
        Path(str(tmp) + ".wal").unlink(missing_ok=True)
    return written
