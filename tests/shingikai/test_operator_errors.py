"""What an operator is told (issue 13, "Also"): option names that exist, disk full said as such,
a busy warehouse in one line, blank pages not called scanned, `extract` under ingest's limits."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import duckdb
import pytest

from extractors.reading import Limits, ReadError, read_bytes
from models.vocab import Status
from shingikai import warehouse
from shingikai.cli.main import build_parser, main
from shingikai.discover import discover
from shingikai.ingest import load_batch
from shingikai.sandbox import failed
from tests.conftest import ROOT, SAMPLES
from tests.flows.test_hostile import build_pdf, pages_300, text_page

SAMPLE = SAMPLES / "kaedehara_2018_08_kaigiroku.txt"


def _options(command: str) -> set[str]:
    sub = next(a for a in build_parser()._actions if a.dest == "command")
    return {o for a in sub.choices[command]._actions for o in a.option_strings}


def _limit_errors() -> list[str]:
    errors = []
    cases = [
        (b"x" * 100, "a.txt", Limits(max_bytes=10)),
        ("会議録".encode() * 10, "a.txt", Limits(max_chars=5)),
        (build_pdf([text_page(["a"])] * 3), "a.pdf", Limits(max_pages=2)),
    ]
    for data, name, limits in cases:
        with pytest.raises(ReadError) as caught:
            read_bytes(data, name, limits)
        errors.append(caught.value.reason)
    return errors


def test_limit_errors_name_options_that_exist():
    errors = _limit_errors()
    named = [re.search(r"raise (--[\w-]+)", e) for e in errors]
    assert all(named), errors
    for command in ("ingest", "extract"):
        missing = {m.group(1) for m in named if m} - _options(command)
        assert not missing, f"`{command}` has no option {missing}: {errors}"


def test_blank_pages_are_not_called_scanned():
    with pytest.raises(ReadError) as caught:
        read_bytes(build_pdf([b""] * 40), "blank.pdf")
    assert caught.value.status == Status.FAILED
    assert "empty" in caught.value.reason and "scanned" not in caught.value.reason


def test_disk_full_is_reported_as_such(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    def full(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise duckdb.IOException(
            'IO Error: Could not write file "w.ducklake.files/main/documents/x.parquet": No space left on device'
        )

    monkeypatch.setattr(warehouse, "load_many", full)
    monkeypatch.setattr(warehouse, "load", full)
    shutil.copy(SAMPLE, tmp_path / SAMPLE.name)
    files = discover([tmp_path])
    extraction = failed(files[0].path, files[0].source_path, Status.FAILED, "x")
    with pytest.raises(warehouse.OutOfSpace) as caught:
        load_batch(None, files, [extraction])  # type: ignore[arg-type]
    assert "no space left on device" in str(caught.value)
    assert "Duplicate key" not in str(caught.value)


def test_a_second_writer_is_not_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    """The lake takes several writers: an ingest runs while another writer has it open."""
    raw = tmp_path / "raw"
    raw.mkdir()
    shutil.copy(SAMPLE, raw / "a.txt")
    db = tmp_path / "w.ducklake"
    # the bytes are loaded (from elsewhere): this run only records a location, without Prefect
    with warehouse.Writer(db) as writer:
        warehouse.load(writer.con, failed(raw / "a.txt", "old/a.txt", Status.FAILED, "x"))
        code = main(["ingest", str(raw), "--db", str(db)])
    assert code == 0, capsys.readouterr().err
    with warehouse.readonly(db) as con:
        assert con.execute("SELECT count(*) FROM document_locations").fetchone() == (1,)


@pytest.mark.slow  # forks extraction workers and parses a 300-page PDF
def test_extract_has_the_limits_of_ingest(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    slow = tmp_path / "slow.pdf"
    slow.write_bytes(pages_300())  # seconds of pdfplumber
    assert main(["extract", str(slow), "--timeout", "0.5"]) == 1
    doc = json.loads(capsys.readouterr().out)["document"]
    assert doc["status"] == "failed"
    assert "took longer than the limit of 0.5 s" in doc["error"]
    assert {"--timeout", "--max-mb", "--max-pages", "--max-chars", "--max-memory-gb"} <= _options(
        "extract"
    )


def test_readme_states_what_a_reader_sees(tmp_path: Path):
    """The README's promise, as written: a new query sees the latest snapshot (even on a
    connection opened before the commit); a transaction keeps the snapshot it began with."""
    readme = (ROOT / "README.md").read_text("utf-8")
    assert "a new query sees the\nlatest snapshot" in readme
    db = tmp_path / "w.ducklake"
    with warehouse.Writer(db):
        pass
    held = warehouse.connect_readonly(db)
    in_transaction = warehouse.connect_readonly(db)
    in_transaction.execute("BEGIN TRANSACTION")
    count = "SELECT count(*) FROM documents"
    assert in_transaction.execute(count).fetchone() == (0,)
    with warehouse.Writer(db) as writer:
        warehouse.load(writer.con, failed(SAMPLE, "a.txt", Status.FAILED, "x"))
    assert held.execute(count).fetchone() == (1,), "a new query sees the commit"
    assert in_transaction.execute(count).fetchone() == (0,), "the transaction's snapshot"
    in_transaction.execute("COMMIT")
    held.close()
    in_transaction.close()
