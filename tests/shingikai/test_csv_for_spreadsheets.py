"""CSV files meant for spreadsheets: a text cell that Excel would run as a formula (`=`, `+`, `-`,
`@`, tab, carriage return first) is written with a leading apostrophe, by `query --format csv` and
by `export --format csv` alike (OWASP's rule against CSV injection). Before, both wrote
`=HYPERLINK("http://…")` from a document's text as it was, and Excel ran it."""

from __future__ import annotations

import csv
from pathlib import Path

from extractors.pipeline import extract_bytes
from shingikai import warehouse
from shingikai.cli.main import main
from shingikai.warehouse.export import relations as warehouse_relations

FORMULA = '=HYPERLINK("http://example.invalid/x","click")'


def test_query_csv_neutralises_formulas_and_keeps_numbers(tmp_path: Path, capsys):
    db = tmp_path / "w.ducklake"
    with warehouse.Writer(db):
        pass
    sql = (
        f"SELECT '{FORMULA.replace(chr(39), chr(39) * 2)}' AS f, '+1' AS plus, '-2' AS minus, "
        "'@SUM(A1)' AS at, 'a=b' AS inside, -3 AS number, NULL AS nothing"
    )
    assert main(["query", sql, "--db", str(db), "--format", "csv"]) == 0
    rows = list(csv.reader(capsys.readouterr().out.splitlines()))
    assert rows[1] == ["'" + FORMULA, "'+1", "'-2", "'@SUM(A1)", "a=b", "-3", ""]


def test_export_csv_neutralises_formulas(tmp_path: Path, capsys):
    db = tmp_path / "w.ducklake"
    text = f"{FORMULA}\n個人情報保護審議会 会議録\n".encode()
    with warehouse.Writer(db) as w:
        warehouse.load(w.con, extract_bytes(text, "raw/=cmd.txt"))
    out = tmp_path / "out"
    assert main(["export", str(out), "--format", "csv", "--db", str(db)]) == 0
    with open(out / "documents.csv", encoding="utf-8-sig", newline="") as fh:
        docs = list(csv.DictReader(fh))
    assert docs[0]["source_path"] == "raw/=cmd.txt"  # not at the start: as it is
    with open(out / "document_texts.csv", encoding="utf-8-sig", newline="") as fh:
        texts = list(csv.DictReader(fh))
    assert texts[0]["text"].startswith("'=HYPERLINK("), texts[0]["text"][:40]
    for name in ("documents", "document_texts"):  # nothing in any file starts as a formula
        with open(out / f"{name}.csv", encoding="utf-8-sig", newline="") as fh:
            for row in csv.reader(fh):
                assert not any(cell.startswith(("=", "+", "@")) for cell in row), row


def _writable_warehouse(tmp_path: Path) -> Path:
    db = tmp_path / "w.ducklake"
    text = f"{FORMULA}\n楓原市個人情報保護審議会 会議録\n諮問第1号 個人情報の外部委託について\n".encode()
    with warehouse.Writer(db) as w:
        warehouse.load(w.con, extract_bytes(text, "raw/=cmd.txt"))
    return db


def test_csv_lines_end_alike_in_query_and_export(tmp_path: Path, capsys):
    """Issue 23: `query -o r.csv` ended its lines in CRLF, `export --format csv` in LF; both LF."""
    db = _writable_warehouse(tmp_path)
    out = tmp_path / "out"
    assert main(["export", str(out), "--format", "csv", "--db", str(db)]) == 0
    result = tmp_path / "r.csv"
    sql = "SELECT 'a' AS x, '個人' AS y UNION ALL SELECT 'b', 'c'"
    assert main(["query", sql, "--db", str(db), "-o", str(result)]) == 0
    for path in [result, out / "documents.csv", out / "consultations.csv"]:
        raw = path.read_bytes()
        assert b"\n" in raw and b"\r\n" not in raw, path
    assert result.read_bytes().decode("utf-8-sig") == "x,y\na,個人\nb,c\n"


def test_export_xlsx_a_sheet_per_table_and_view(tmp_path: Path, capsys):
    from openpyxl import load_workbook

    db = _writable_warehouse(tmp_path)
    out = tmp_path / "w.xlsx"
    assert main(["export", str(out), "--format", "xlsx", "--db", str(db)]) == 0
    book = load_workbook(out, read_only=True)
    with warehouse.readonly(db) as con:
        names = [n for n, _ in warehouse_relations(con)]
        text = con.execute("SELECT text FROM document_texts").fetchone()[0]
        doc_columns = [r[0] for r in con.execute("DESCRIBE documents").fetchall()]
    assert len(book.sheetnames) == len(names) and "documents" in book.sheetnames
    assert all(len(n) <= 31 for n in book.sheetnames)
    rows = list(book["documents"].iter_rows(values_only=True))
    assert list(rows[0]) == doc_columns and len(rows) == 2
    cells = list(book["document_texts"].iter_rows())
    texts = [c.value for c in cells[0]]
    cell = cells[1][texts.index("text")]
    assert cell.value == text and "楓原市個人情報保護審議会" in cell.value
    assert cell.data_type == "s"  # `=HYPERLINK(…` first: text, not a formula
    assert main(["export", str(out), "--format", "xlsx", "--db", str(db)]) == 2  # never replaced
    assert "exists" in capsys.readouterr().err


def test_query_xlsx_gets_every_row(tmp_path: Path, capsys):
    from openpyxl import load_workbook

    db = _writable_warehouse(tmp_path)
    out = tmp_path / "r.xlsx"
    sql = "SELECT range AS n, '個人情報' || range AS t, [1, 2] AS xs FROM range(300)"
    assert main(["query", sql, "--db", str(db), "-o", str(out)]) == 0
    rows = list(load_workbook(out, read_only=True)["result"].iter_rows(values_only=True))
    assert rows[0] == ("n", "t", "xs") and len(rows) == 301
    assert rows[300] == (299, "個人情報299", "[1, 2]")
    assert main(["query", sql, "--db", str(db), "--format", "xlsx"]) == 2  # binary: needs -o
    assert "xlsx is binary" in capsys.readouterr().err


def test_a_table_past_excels_rows_goes_on_over_further_sheets(tmp_path: Path, monkeypatch):
    """Excel's sheet holds 1,048,576 rows: a longer table continues on `name (2)`…, each with
    its header, and a text past a cell's 32,767 characters is cut, each said in a note
    (the limits made small here, so that the test writes a few rows)."""
    from openpyxl import load_workbook

    from shingikai import render

    monkeypatch.setattr(render, "XLSX_ROWS", 4)
    monkeypatch.setattr(render, "XLSX_CELL", 5)
    out = tmp_path / "t.xlsx"
    rows = [(i, "個人情報保護" if i == 0 else "a") for i in range(7)]
    notes = render.write_xlsx([("consultation_value_origins_long", ["n", "s"], rows)], out)
    book = load_workbook(out, read_only=True)
    assert book.sheetnames == [
        "consultation_value_origins_long",
        "consultation_value_origins_ (2)",
        "consultation_value_origins_ (3)",
    ]
    sheets = [list(book[n].iter_rows(values_only=True)) for n in book.sheetnames]
    assert [len(s) for s in sheets] == [4, 4, 2] and all(s[0] == ("n", "s") for s in sheets)
    assert [r[0] for s in sheets for r in s[1:]] == list(range(7))
    assert sheets[0][1] == (0, "個人情報保")
    assert len(notes) == 2 and "3 sheets" in notes[0] and "1 texts" in notes[1]
