"""Per-document limits: a document over the time or memory limit fails alone, with a reason naming the limit."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from extractors.reading import Limits
from shingikai.sandbox import extract_in_sandbox
from shingikai.warehouse import connect_readonly
from tests.conftest import SAMPLES
from tests.flows.test_hostile import _letters, build_pdf, text_page
from tests.ingest_helpers import run_ingest_cli

SAMPLE = SAMPLES / "shirasagidai_2023_toshin.txt"


def slow_pdf() -> bytes:
    """1,000 full pages: some 10 s of reading and extracting (PDFium reads 300 short pages
    in about 1 s, too close to a 1 s limit on an idle machine)."""
    return build_pdf(
        [
            text_page(
                [
                    f"Sheet {_letters(p)}, line {_letters(i)}: the members approved it."
                    for i in range(40)
                ]
            )
            for p in range(1000)
        ]
    )


@pytest.mark.slow
def test_over_the_time_limit_fails_alone(tmp_path: Path):
    corpus = tmp_path / "in"
    corpus.mkdir()
    (corpus / "slow_1000_pages.pdf").write_bytes(slow_pdf())
    shutil.copyfile(SAMPLE, corpus / SAMPLE.name)
    db = tmp_path / "w.ducklake"
    run = run_ingest_cli([corpus], db, extra_args=["--timeout", "1"])
    con = connect_readonly(db)
    rows = {
        p.split("/")[-1]: (s, e)
        for p, s, e in con.execute("SELECT source_path, status, error FROM documents").fetchall()
    }
    n_texts = con.execute("SELECT count(*) FROM document_texts").fetchone()[0]
    con.close()
    status, error = rows["slow_1000_pages.pdf"]
    assert status == "failed"
    assert "took longer than the limit of 1 s" in error and "--timeout" in error
    assert rows[SAMPLE.name] == ("ok", None)
    assert n_texts == 1
    assert "failed: 1," in run.stdout


@pytest.mark.slow  # forks limited workers, which stop at their first allocation
def test_over_the_memory_limit_fails_with_a_clear_reason(tmp_path: Path):
    big = tmp_path / "big.pdf"
    # 1.8 M characters: new memory however frugal the reader (300 short pages fit in what
    # the fork already holds, now that pdfminer no longer builds its layout objects)
    big.write_bytes(slow_pdf())
    # far below what the forked extractor already maps: its next allocation fails
    limited = extract_in_sandbox(big, "in/big.pdf", Limits(memory_bytes=64 * 1024**2))
    doc = limited.document
    assert doc.status == "failed"
    assert (
        doc.error
        == "extraction needed more memory than the limit of 0.0625 GiB (raise --max-memory-gb to allow more)"
    )
    assert doc.source_path == "in/big.pdf" and doc.size_bytes == big.stat().st_size
    # the keyword argument works as well, and the next document is unaffected
    assert (
        extract_in_sandbox(big, "in/big.pdf", Limits(), memory_bytes=64 * 1024**2).document.status
        == "failed"
    )
    ok = extract_in_sandbox(SAMPLE, SAMPLE.name, Limits())
    assert ok.document.status == "ok" and ok.text is not None and ok.document.n_chars > 1000


def test_time_limit_in_the_sandbox(tmp_path: Path):
    big = tmp_path / "big.pdf"
    big.write_bytes(slow_pdf())
    doc = extract_in_sandbox(big, "big.pdf", Limits(timeout_s=0.5)).document
    assert doc.status == "failed"
    assert (
        doc.error
        == "extraction took longer than the limit of 0.5 s and was stopped (raise --timeout to allow more)"
    )
