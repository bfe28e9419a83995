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
