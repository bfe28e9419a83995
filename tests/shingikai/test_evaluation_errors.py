"""`eval --errors` names the document it scored (issue 23): one gold file (`x.json`, written
for `x.txt`) scores the text and the PDF of a page alike, and an error found in the PDF
named the text."""

from __future__ import annotations

import json
from pathlib import Path

from shingikai.evaluation import evaluate
from shingikai.warehouse import load, memory_warehouse
from tests.shingikai.test_copies import minutes


def test_errors_name_the_pdf_when_the_pdf_is_scored(tmp_path: Path) -> None:
    gold = {"document": "x.txt", "doc_kind": "minutes", "municipality": "霧ヶ谷町"}
    (tmp_path / "x.json").write_text(json.dumps(gold, ensure_ascii=False), encoding="utf-8")
    con = memory_warehouse()
    load(con, minutes("b" * 64, "pdf/x.pdf", file_type="pdf", encoding=None, numbers=()))
    errors = evaluate(con, tmp_path)["groups"]["pdf"]["errors"]
    assert errors == ["meeting.municipality: pdf/x.pdf: got '楓原市', want '霧ヶ谷町'"]
