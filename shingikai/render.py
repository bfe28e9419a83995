"""Query results as text a person can read, or as files other tools read.

`write_result(columns, rows, fmt, width, dest)` is the one entry point: it takes
column names and rows of Python values (as DuckDB returns them) and writes

- `table`: aligned columns, east-Asian wide characters counted as two columns
  (`unicodedata.east_asian_width`), each cell cut at `width` columns with `…`,
  NULL shown as one marker, numbers right-aligned, integers as integers;
- `csv`: RFC 4180 with a header, lines ending in LF (`\n`) as in `export --format csv`,
  which DuckDB writes; NULL is an empty field; a UTF-8 byte-order mark
  when `bom` is true, so that Japanese Excel opens the file as UTF-8; a text cell that
  a spreadsheet would run as a formula gets a leading `'` (`FORMULA_START`);
- `json`: one array of objects on one line (dates ISO 8601, NULL as null);
- `parquet`: typed columns (needs a file destination);
- `xlsx`: an Excel workbook with a header row (needs a file destination; `write_xlsx`).
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
import unicodedata
from collections.abc import Iterable, Sequence
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

FORMATS = ("table", "csv", "json", "parquet", "xlsx")
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
    writer = csv.writer(buf, lineterminator="\n")
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
    if fmt in ("parquet", "xlsx"):
        if not isinstance(dest, (str, Path)):
            raise OutputError(f"{fmt} is binary: give a file with -o/--output FILE")
        if fmt == "parquet":
            write_parquet(columns, rows, Path(dest))
        else:
            write_xlsx([("result", columns, rows)], Path(dest))
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


# Excel's limits: rows of a worksheet (the header row included), characters of a cell, of a
# sheet's name. A longer table goes on to further sheets; a longer text is cut.
XLSX_ROWS = 1_048_576
XLSX_CELL = 32_767
XLSX_NAME = 31
# integers past 2**53 lose digits as Excel's numbers: written as text
_EXACT = 2**53


def write_xlsx(
    tables: Iterable[tuple[str, Sequence[str], Iterable[Sequence[Any]]]], path: Path
) -> list[str]:
    """Write each (name, columns, rows) to a sheet of one workbook at `path`, a header row first;
    returns notes for the person: tables split over several sheets, texts cut.

    A table beyond Excel's 1,048,576 rows continues on sheets `name (2)`, `name (3)`…; a text
    beyond a cell's 32,767 characters is cut (the full text is in the CSV or Parquet export).
    Text is written as text (never run as a formula), lists and maps as JSON, integers past
    2**53 as text. Written beside `path` and renamed into place when complete.
    """
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    names: set[str] = set()
    notes = []
    for name, columns, rows in tables:
        # the first sheet at once (a table without rows gets its header alone)
        sheet = book.create_sheet(_sheet_name(name, 1, names))
        sheet.append([_xlsx_cell(sheet, c)[0] for c in columns])
        used, sheets, cut = 1, 1, 0
        for row in rows:
            if used >= XLSX_ROWS:
                sheets += 1
                sheet = book.create_sheet(_sheet_name(name, sheets, names))
                sheet.append([_xlsx_cell(sheet, c)[0] for c in columns])
                used = 1
            cells = [_xlsx_cell(sheet, v) for v in row]
            sheet.append([c for c, _ in cells])
            cut += sum(was_cut for _, was_cut in cells)
            used += 1
        if sheets > 1:
            notes.append(f"{name}: more rows than an Excel sheet holds, split over {sheets} sheets")
        if cut:
            notes.append(
                f"{name}: {cut} texts longer than an Excel cell ({XLSX_CELL} characters) cut"
            )
    tmp = path.with_name(path.name + ".partial")
    try:
        book.save(tmp)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return notes


def _sheet_name(name: str, part: int, taken: set[str]) -> str:
    """A unique sheet name within Excel's 31 characters and without the characters it refuses."""
    base = "".join("_" if c in "[]:*?/\\" else c for c in name)
    suffix = f" ({part})" if part > 1 else ""
    out = base[: XLSX_NAME - len(suffix)] + suffix
    n = 1
    while out.lower() in taken:
        n += 1
        tail = f"~{n}{suffix}"
        out = base[: XLSX_NAME - len(tail)] + tail
    taken.add(out.lower())
    return out


def _xlsx_cell(sheet: Any, value: Any) -> tuple[Any, bool]:
    """(the cell for `value`, whether its text was cut)."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    if isinstance(value, float) and math.isnan(value):
        value = None
    elif isinstance(value, int) and not isinstance(value, bool) and abs(value) >= _EXACT:
        value = str(value)
    elif isinstance(value, Decimal):
        value = int(value) if value == value.to_integral_value() else float(value)
    elif isinstance(value, datetime) and value.tzinfo is not None:
        value = value.replace(tzinfo=None) - (value.utcoffset() or timedelta(0))  # as UTC
    elif isinstance(value, (list, tuple, dict, bytes)):
        value = (
            json.dumps(_json_value(value), ensure_ascii=False)
            if not isinstance(value, bytes)
            else value.hex()
        )
    cut = False
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
        cut = len(value) > XLSX_CELL
        value = value[:XLSX_CELL]
    cell = WriteOnlyCell(sheet, value)
    if isinstance(value, str):
        cell.data_type = "s"  # `=…` stays text: openpyxl would make it a formula
    return cell, cut
