"""`shingikai ingest --db FILE.duckdb`: the whole flow into one plain DuckDB file, which the shared
scorer reads as it is; a re-run is incremental."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest

from tests.conftest import SAMPLES, SHARED
from tests.ingest_helpers import run_ingest_cli

pytestmark = pytest.mark.slow  # the CLI and Prefect, in a subprocess

SCORER = SHARED / "tools" / "score.py"


def test_ingest_into_a_single_file_that_the_scorer_reads(tmp_path):
    if not SCORER.exists():
        pytest.fail(f"{SCORER} is missing: the shared corpus must sit beside the repository")
    corpus = tmp_path / "in" / "samples"
    shutil.copytree(SAMPLES, corpus)
    db = tmp_path / "w.duckdb"
    first = run_ingest_cli([corpus], db)
    assert "failed: 0" in first.stdout, first.stdout
    assert not db.with_name(db.name + ".files").exists()  # no lake beside it
    report = tmp_path / "score.json"
    subprocess.run(
        [sys.executable, str(SCORER), str(db), str(SAMPLES), "--json", str(report)],
        check=True,
        capture_output=True,
    )
    assert json.loads(report.read_text(encoding="utf-8"))["headline"] >= 0.98
    again = run_ingest_cli([corpus], db)
    assert "new: 0," in again.stdout, again.stdout
