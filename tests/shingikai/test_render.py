"""Query output: aligned east-Asian text, one NULL marker, integers as integers, formats and files."""

from __future__ import annotations

import csv
import io
import json
from datetime import date

import pyarrow.parquet as pq
import pytest

from shingikai.render import (
    BOM,
    NULL,
    OutputError,
    display_width,
    format_table,
    truncate,
    write_result,
)

COLUMNS = ["municipality", "n", "share", "title"]
ROWS = [
    ("東村山市", 16, 0.5, "個人情報の外部委託について"),
    ("練馬区", None, None, "short"),
    ("Inzai", 3, 1.25, None),
]


def test_wide_characters_count_two_columns():
    assert display_width("東村山市") == 8
    assert display_width("ｱｲｳ") == 3  # half-width katakana are narrow
    assert display_width("abc") == 3


def test_table_columns_line_up_in_display_width():
    lines = format_table(COLUMNS, ROWS, width=40).splitlines()
    body = [lines[0]] + lines[2:]
    last_cells = ["title", "個人情報の外部委託について", "short", NULL]
    starts = {
        display_width(line[: line.rindex(cell)])
        for line, cell in zip(body, last_cells, strict=True)
    }
    assert len(starts) == 1, lines  # the last column starts at one display column on every line
    rule = lines[1]
    assert display_width(lines[2]) == len(rule)  # the widest row spans the rule exactly


def test_null_is_one_marker_and_integers_stay_integers():
    text = format_table(COLUMNS, ROWS)
    assert "NaN" not in text and "None" not in text and "<NA>" not in text
    assert text.count(NULL) == 3
    assert text.splitlines()[2].split()[1] == "16"
    assert "16.0" not in text and "3.0" not in text


def test_long_values_are_cut_with_an_ellipsis():
    long = "委託" * 5000
    text = format_table(["t"], [(long,)], width=30)
    line = text.splitlines()[2]
    assert line.endswith("…")
    assert display_width(line) <= 30
    assert truncate("abcdef", 4) == "abc…"
    assert truncate("東村山市", 5) == "東村…"


def test_csv_json_and_stream_output():
    out = io.StringIO()
    write_result(COLUMNS, ROWS, "csv", dest=out)
    rows = list(csv.reader(io.StringIO(out.getvalue())))
    assert rows[0] == COLUMNS
    assert rows[1] == ["東村山市", "16", "0.5", "個人情報の外部委託について"]
    assert rows[2][1] == ""  # NULL is an empty field
    out = io.StringIO()
    write_result(["d", "xs"], [(date(2012, 2, 14), ["a", "b"])], "json", dest=out)
    assert json.loads(out.getvalue()) == [{"d": "2012-02-14", "xs": ["a", "b"]}]


def test_csv_file_has_a_bom_for_excel_and_parquet_keeps_types(tmp_path):
    path = tmp_path / "out.csv"
    write_result(COLUMNS, ROWS, "csv", dest=path)
    raw = path.read_bytes()
    assert raw.startswith(BOM.encode("utf-8"))
    assert raw.decode("utf-8-sig").splitlines()[1].startswith("東村山市,16,")
    pq_path = tmp_path / "out.parquet"
    write_result(COLUMNS, ROWS, "parquet", dest=pq_path)
    table = pq.read_table(pq_path)
    assert table.column("n").to_pylist() == [16, None, 3]
    assert str(table.schema.field("n").type) == "int64"
    with pytest.raises(OutputError):
        write_result(COLUMNS, ROWS, "parquet", dest=io.StringIO())


def test_a_table_fits_the_terminal_by_narrowing_the_widest_columns():
    rows = [("委託" * 30, "x" * 50, 7)]
    lines = format_table(["a", "b", "n"], rows, width=40, line_width=60).splitlines()
    assert max(display_width(line) for line in lines) <= 60
    assert lines[2].split()[-1] == "7"  # the narrow column keeps its value
