"""`shingikai query` runs read-only SQL only: anything that writes or reaches outside is refused (exit 2)."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

import pytest

from extractors.pipeline import extract_bytes
from shingikai import warehouse
from shingikai.cli.main import main
from tests.conftest import ROOT, SAMPLES
from tests.ingest_helpers import snapshot


@pytest.fixture(scope="module")
def db(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("query") / "w.ducklake"
    sample = SAMPLES / "shirasagidai_2023_toshin.txt"
    with warehouse.Writer(path) as writer:
        warehouse.load(writer.con, extract_bytes(sample.read_bytes(), f"samples/{sample.name}"))
    return path


def _digest(path: Path) -> str:
    """Of the catalog (with its write-ahead log) and every data file of the lake. SQLite's shared-memory
    index (-shm) and an empty log, which the first reader creates to coordinate, hold no data."""
    digest = hashlib.sha256()
    for p in sorted(path.parent.rglob("*")):
        if p.is_file() and not p.name.endswith("-shm") and p.stat().st_size:
            digest.update(p.name.encode() + p.read_bytes())
    return digest.hexdigest()


OUTSIDE = "/tmp/shingikai_query_test_outside"

# statement -> words the refusal must contain
REFUSED = {
    "INSERT INTO documents SELECT * FROM documents": "only read-only statements",
    "WITH d AS (SELECT 1) INSERT INTO documents SELECT * FROM documents": "only read-only statements",
    "DROP TABLE documents": "only read-only statements",
    "/* harmless */ drop table consultations": "only read-only statements",
    "DELETE FROM documents": "only read-only statements",
    f"ATTACH '{OUTSIDE}.duckdb' AS other": "only read-only statements",
    f"COPY documents TO '{OUTSIDE}.csv'": "only read-only statements",
    f"COPY (SELECT * FROM documents) TO '{OUTSIDE}.parquet' (FORMAT parquet)": "only read-only statements",
    f"EXPORT DATABASE '{OUTSIDE}'": "only read-only statements",
    "PRAGMA enable_profiling": "only read-only statements",
    "SELECT 1; PRAGMA enable_profiling": "one statement at a time",
    "CALL pragma_version()": "only read-only statements",
    "SELECT * FROM documents; DROP TABLE documents": "one statement at a time",
    "SELECT 1; SELECT 2": "one statement at a time",
    "SET enable_external_access = true": "only read-only statements",
    "RESET lock_configuration": "only read-only statements",
    # read-only statements that reach outside: refused by the connection (external access off)
    "SELECT * FROM read_csv('/etc/passwd')": "file system operations are disabled",
    "SELECT * FROM read_csv_auto('/etc/hostname')": "file system operations are disabled",
    "SELECT * FROM READ_PARQUET('x.parquet')": "file system operations are disabled",
    "SELECT * FROM glob('/*')": "file system operations are disabled",
    "SELECT * FROM read_text ('/etc/passwd')": "file system operations are disabled",
    "EXPLAIN ANALYZE SELECT * FROM read_blob('/etc/passwd')": "file system operations are disabled",
    "EXPLAIN ANALYZE COPY documents TO '/tmp/shingikai_query_test_outside.csv'": "only read-only statements",
    "INSTALL httpfs": "only read-only statements",
    "FROM 'data.csv'": "file system operations are disabled",  # a file as a table: external access is off
}


@pytest.mark.parametrize("sql", list(REFUSED))
def test_refused(db: Path, sql: str, capsys):
    before_digest, before = _digest(db), snapshot(db)
    assert main(["query", sql, "--db", str(db)]) == 2
    captured = capsys.readouterr()
    assert captured.err.startswith("refused: ")
    assert REFUSED[sql] in captured.err
    assert captured.out == ""
    assert _digest(db) == before_digest and snapshot(db) == before
    assert not list(Path("/tmp").glob("shingikai_query_test_outside*"))


def test_select_works(db: Path, capsys):
    assert (
        main(
            [
                "query",
                "SELECT status, count(*) AS n FROM documents GROUP BY status",
                "--db",
                str(db),
                "--format",
                "csv",
            ]
        )
        == 0
    )
    assert capsys.readouterr().out.splitlines() == ["status,n", "ok,1"]
    # keywords inside literals, comments and quoted names do not trip the check
    sql = "SELECT 'DROP TABLE x; SET y' AS \"set\", count(*) AS n FROM consultations -- INSERT"
    assert main(["query", sql, "--db", str(db), "--format", "json"]) == 0
    assert '"set":"DROP TABLE x; SET y"' in capsys.readouterr().out


def test_a_mistake_is_an_error_not_a_traceback(db: Path, capsys):
    assert main(["query", "SELECT nonexistent FROM documents", "--db", str(db)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: Binder Error") and "Traceback" not in err


def test_real_cli_exit_code(db: Path):
    before = _digest(db)
    run = subprocess.run(
        [sys.executable, "-m", "shingikai.cli", "query", "DROP TABLE documents", "--db", str(db)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 2
    assert (
        run.stderr.strip()
        == "refused: only read-only statements (SELECT, WITH, DESCRIBE, SHOW, EXPLAIN) are allowed"
    )
    assert _digest(db) == before
    ok = subprocess.run(
        [
            sys.executable,
            "-m",
            "shingikai.cli",
            "query",
            "SELECT count(*) AS n FROM documents",
            "--db",
            str(db),
            "--format",
            "csv",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert ok.returncode == 0 and ok.stdout.split() == ["n", "1"]
