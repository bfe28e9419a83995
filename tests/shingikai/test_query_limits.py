"""`shingikai query` (issue 13, finding 5): one statement decided by DuckDB's parser, no false
refusals, and limits on time, memory and rows fetched."""

from __future__ import annotations

import resource
import time
from pathlib import Path

import pytest

from shingikai import warehouse
from shingikai.cli.main import main
from shingikai.warehouse.query import execute_query
from tests.shingikai.test_query_readonly import _digest


@pytest.fixture(scope="module")
def db(tmp_path_factory) -> Path:
    """A published warehouse with the schema and no documents: these queries need no rows."""
    path = tmp_path_factory.mktemp("query_limits") / "w.ducklake"
    with warehouse.Writer(path):
        pass
    return path


def test_comment_marks_in_literals_do_not_hide_statements(db: Path, capsys):
    before = _digest(db)
    out = Path(f"{db}.tmp")
    sql = (
        f"SELECT '/*'; EXPORT DATABASE '{out}'; "
        f"COPY (SELECT * FROM documents) TO '{out}/fill.csv'; SELECT '*/'"
    )
    assert main(["query", sql, "--db", str(db)]) == 2
    assert capsys.readouterr().err == "refused: one statement at a time\n"
    assert not out.exists() and _digest(db) == before


def test_read_only_functions_named_like_keywords_are_not_refused(db: Path, capsys):
    sql = "SELECT replace('set a', 'set', 'got') AS r, 'x' AS \"delete\""
    assert main(["query", sql, "--db", str(db), "--format", "csv"]) == 0
    assert capsys.readouterr().out.splitlines() == ["r,delete", "got a,x"]


@pytest.mark.timeout(60)
def test_a_query_that_never_ends_is_stopped(db: Path, capsys):
    started = time.monotonic()
    sql = "SELECT count(*) FROM range(1e12::BIGINT)"
    assert main(["query", sql, "--db", str(db), "--timeout", "1"]) == 1
    assert time.monotonic() - started < 20
    err = capsys.readouterr().err
    assert err == (
        "error: the query took longer than the limit of 1 s and was stopped "
        "(raise --timeout to allow more)\n"
    )


@pytest.mark.timeout(60)
def test_memory_limit_of_the_connection(db: Path, capsys):
    sql = "SELECT list(i) FROM range(200000000) t(i)"
    assert main(["query", sql, "--db", str(db), "--max-memory-gb", "0.1"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: the query needed more memory than the limit of 0.1 GiB"), err


@pytest.mark.timeout(60)
def test_rows_are_fetched_lazily_up_to_max_rows(db: Path, capsys):
    # 2,000,000 rows of 1 KB: about 2 GB if the result were made whole
    sql = "SELECT i, repeat('x', 1000) AS pad FROM range(2000000) t(i)"
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.monotonic()
    result = execute_query(db, sql, max_rows=5)
    assert time.monotonic() - started < 10
    assert result.columns == ["i", "pad"] and [r[0] for r in result.rows] == [0, 1, 2, 3, 4]
    assert result.truncated
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - peak) / 1024
    assert grown_mb < 300, f"peak memory grew by {grown_mb:.0f} MB for 5 rows"
    assert main(["query", sql, "--db", str(db), "--format", "csv", "--max-rows", "3"]) == 0
    captured = capsys.readouterr()
    assert len(captured.out.splitlines()) == 4  # header and 3 rows
    assert captured.err == "(only the first 3 rows: raise --max-rows to see more)\n"


MEASURE_CHILD = """
import resource, subprocess, sys
run = subprocess.run(sys.argv[1:], capture_output=True, text=True)
print(run.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, run.stderr.strip())
"""


def test_memory_limit_holds_for_one_huge_value(db: Path):
    """DuckDB's memory_limit does not count every value it builds: before, this query under a
    0.5 GiB limit grew to 4 GB and only the time limit stopped it (after 43 s of a 20 s limit).
    The command line bounds its own address space while the query runs."""
    import subprocess
    import sys

    from tests.conftest import ROOT

    sql = "SELECT length(repeat('x', 2000000000)) AS n"
    cmd = [sys.executable, "-m", "shingikai.cli", "query", sql, "--db", str(db)]
    cmd += ["--max-memory-gb", "0.5", "--timeout", "60"]
    started = time.monotonic()
    out = subprocess.run(
        [sys.executable, "-c", MEASURE_CHILD, *cmd],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    ).stdout.split(" ", 2)
    code, peak_kb, err = int(out[0]), int(out[1]), out[2]
    assert code == 1 and "more memory than the limit of 0.5 GiB" in err, err
    assert peak_kb < 1.5 * 1024**2, f"{peak_kb / 1024**2:.2f} GiB"
    assert time.monotonic() - started < 60
