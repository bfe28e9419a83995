"""Query results as text a person can read, or as files other tools read.

`write_result(columns, rows, fmt, width, dest)` is the one entry point: it takes
column names and rows of Python values (as DuckDB returns them) and writes

- `table`: aligned columns, east-Asian wide characters counted as two columns
  (`unicodedata.east_asian_width`), each cell cut at `width` columns with `…`,
  NULL shown as one marker, numbers right-aligned, integers as integers;
- `csv`: RFC 4180 with a header; NULL is an empty field; a UTF-8 byte-order mark
  when `bom` is true, so that Japanese Excel opens the file as UTF-8; a text cell that
  a spreadsheet would run as a formula gets a leading `'` (`FORMULA_START`);
- `json`: one array of objects on one line (dates ISO 8601, NULL as null);
- `parquet`: typed columns (needs a file destination).
"""

from __future__ import annotations

import csv
import io
import json
import math
import unicodedata
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

FORMATS = ("table", "csv", "json", "parquet")
# A CSV cell beginning with one of these is a formula to Excel and LibreOffice
# (`=HYPERLINK("http://…")` in a document's text would run): such text cells are written with a
# leading apostrophe, which spreadsheets show as text (OWASP's rule against CSV injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
NULL = "NULL"
ELLIPSIS = "…"
BOM = "\ufeff"


class OutputError(ValueError):
    """The result cannot be written as asked (e.g. parquet to a terminal)."""


def char_width(ch: str) -> int:
    """Terminal columns of one character: 2 for wide and full-width, 0 for combining marks."""
    if unicodedata.combining(ch) or unicodedata.category(ch) in ("Mn", "Me", "Cf"):
        return 0
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def display_width(text: str) -> int:
    return sum(char_width(ch) for ch in text)


def truncate(text: str, width: int) -> str:
    """`text` cut to at most `width` columns, ending in `…` when something was cut."""
    if display_width(text) <= width:
        return text
    out, used = [], 0
    for ch in text:
        w = char_width(ch)
        if used + w > width - 1:
            break
        out.append(ch)
        used += w
    return "".join(out) + ELLIPSIS


def pad(text: str, width: int, right: bool = False) -> str:
    gap = " " * max(0, width - display_width(text))
    return gap + text if right else text + gap


def cell_text(value: Any) -> str:
    """One line of text for a value: NULL marker, integers as integers, lists as [a, b]."""
    if value is None:
        return NULL
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if math.isnan(value):
            return NULL
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else f"{value:.6g}"
    if isinstance(value, (date, datetime, time)):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(cell_text(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {cell_text(v)}" for k, v in value.items()) + "}"
    text = str(value)
    return " ".join(text.split()) if ("\n" in text or "\r" in text or "\t" in text) else text


def _numeric(value: Any) -> bool:
    return isinstance(value, (int, float, Decimal)) and not isinstance(value, bool)


def format_table(
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    width: int = 40,
    line_width: int | None = None,
) -> str:
    """Aligned columns; each cell at most `width` display columns.

    With `line_width` (a terminal's width), the widest columns are narrowed further, down
    to MIN_COLUMN each, until a line fits.
    """
    if not rows:
        return "(no rows)\n"
    texts = [[cell_text(v) for v in row] for row in rows]
    widths = [
        min(width, max([display_width(c)] + [display_width(r[i]) for r in texts]))
        for i, c in enumerate(columns)
    ]
    if line_width is not None:
        widths = _fit(widths, line_width - 2 * (len(widths) - 1))
    cells = [[truncate(t, w) for t, w in zip(r, widths, strict=True)] for r in texts]
    heads = [truncate(c, w) for c, w in zip(columns, widths, strict=True)]
    right = [all(_numeric(r[i]) or r[i] is None for r in rows) for i in range(len(columns))]
    lines = [
        "  ".join(pad(h, w, r) for h, w, r in zip(heads, widths, right, strict=True)).rstrip(),
        "  ".join("-" * w for w in widths),
    ]
    for r in cells:
        lines.append(
            "  ".join(pad(c, w, rt) for c, w, rt in zip(r, widths, right, strict=True)).rstrip()
        )
    return "\n".join(lines) + "\n"


MIN_COLUMN = 6


def _fit(widths: list[int], room: int) -> list[int]:
    """Narrow the widest column, one display column at a time, until the sum fits in `room`."""
    widths = list(widths)
    while sum(widths) > room:
        widest = max(range(len(widths)), key=lambda i: widths[i])
        if widths[widest] <= MIN_COLUMN:
            break
        widths[widest] -= 1
    return widths


def _json_value(value: Any) -> Any:
    if isinstance(value, (date, datetime, time)):
        return value.isoformat()
    if isinstance(value, timedelta):
        return value.total_seconds()
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, (list, tuple)):
        return [_json_value(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _json_value(v) for k, v in value.items()}
    if isinstance(value, bytes):
        return value.hex()
    return value


def format_json(columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    records = [{c: _json_value(v) for c, v in zip(columns, row, strict=True)} for row in rows]
    return json.dumps(records, ensure_ascii=False, separators=(",", ":")) + "\n"


def format_csv(columns: Sequence[str], rows: Sequence[Sequence[Any]], bom: bool = False) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n" if bom else "\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow(["" if v is None else _csv_value(v) for v in row])
    return (BOM if bom else "") + buf.getvalue()


def _csv_value(value: Any) -> Any:
    if isinstance(value, (list, tuple, dict)):
        return json.dumps(_json_value(value), ensure_ascii=False)
    if isinstance(value, (date, datetime, time)):
        return value.isoformat()
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return cell_text(value) if isinstance(value, float) else value


def write_parquet(columns: Sequence[str], rows: Sequence[Sequence[Any]], path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    data = {c: [row[i] for row in rows] for i, c in enumerate(columns)}
    pq.write_table(pa.table(data), str(path), compression="zstd")


def write_result(
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    fmt: str = "table",
    width: int = 40,
    dest: Path | IO[str] | None = None,
    bom: bool | None = None,
    line_width: int | None = None,
) -> None:
    """Write rows in `fmt` to `dest` (a path, an open text stream, or None for standard output).

    `bom` (CSV only) defaults to true for a file and false for a stream, so a CSV file opens
    in Japanese Excel while a pipe gets plain UTF-8. `line_width` (table only) is the most
    display columns a line may take, e.g. the terminal's width.
    """
    import sys

    if fmt not in FORMATS:
        raise OutputError(f"unknown format {fmt!r}: use one of {', '.join(FORMATS)}")
    if fmt == "parquet":
        if not isinstance(dest, (str, Path)):
            raise OutputError("parquet is binary: give a file with -o/--output FILE")
        write_parquet(columns, rows, Path(dest))
        return
    path = Path(dest) if isinstance(dest, (str, Path)) else None
    if fmt == "table":
        text = format_table(columns, rows, width, line_width)
    elif fmt == "json":
        text = format_json(columns, rows)
    else:
        text = format_csv(columns, rows, bom=path is not None if bom is None else bom)
    if path is not None:
        with open(path, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
        return
    stream = dest if dest is not None and not isinstance(dest, (str, Path)) else sys.stdout
    # line by line, so a reader that stops early (`| head`) is noticed at once
    for line in text.splitlines(keepends=True):
        stream.write(line)
    stream.flush()
