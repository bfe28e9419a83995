"""The data dictionary, read from the DDL itself (COMMENT ON ...)."""

from __future__ import annotations

from shingikai.warehouse.store import memory_warehouse


def dictionary_rows() -> list[tuple[str, str, str, str | None]]:
    """(table, column, type, comment); column '' is the table itself."""
    con = memory_warehouse()
    tables = con.execute(
        "SELECT table_name, comment FROM duckdb_tables() WHERE schema_name = 'main' "
        "UNION ALL SELECT view_name, comment FROM duckdb_views() WHERE schema_name = 'main' AND NOT internal ORDER BY 1"
    ).fetchall()
    out: list[tuple[str, str, str, str | None]] = []
    for name, comment in tables:
        out.append((name, "", "", comment))
        for col, typ, ccomment in con.execute(
            "SELECT column_name, data_type, comment FROM duckdb_columns() WHERE table_name = ? ORDER BY column_index",
            [name],
        ).fetchall():
            out.append((name, col, typ, ccomment))
    return out


def data_dictionary(markdown: bool = False) -> str:
    lines: list[str] = []
    for table, col, typ, comment in dictionary_rows():
        if not col:
            lines.append(
                f"\n## {table}\n{comment or ''}\n" if markdown else f"\n{table}: {comment or ''}"
            )
            if markdown:
                lines.append("| column | type | meaning |\n|---|---|---|")
        else:
            lines.append(
                f"| `{col}` | {typ} | {comment or ''} |"
                if markdown
                else f"  {col:<22} {typ:<12} {comment or ''}"
            )
    return "\n".join(lines).strip() + "\n"
