"""`shingikai query` runs read-only SQL only: anything that writes or reaches outside is refused (exit 2)."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from extractors.pipeline import extract_bytes
from shingikai import warehouse
from shingikai.cli.main import main
from shingikai.warehouse import lake
from shingikai.warehouse.query import sealed
from tests.conftest import ROOT, SAMPLES
from tests.ingest_helpers import copy_lake, snapshot


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

# DuckLake's maintenance called from a SELECT: each deletes or writes the lake's files when run
ATTACKS = [
    "SELECT * FROM ducklake_delete_orphaned_files('lake', cleanup_all => true)",
    "SELECT * FROM ducklake_cleanup_old_files('lake', cleanup_all => true)",
    "SELECT * FROM ducklake_merge_adjacent_files('lake')",
    "SELECT * FROM ducklake_rewrite_data_files('lake')",
    "SELECT * FROM ducklake_expire_snapshots('lake', older_than => now())",
    "SELECT * FROM ducklake_flush_inlined_data('lake')",
    "SELECT * FROM ducklake_set_option('lake', 'parquet_compression', 'gzip')",
    "SELECT * FROM ducklake_add_data_files('lake', 'documents', '/tmp/x.parquet')",
]

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
    # a SELECT that calls a table function not known to only read (wall 1: refused by what it is)
    "SELECT * FROM read_csv('/etc/passwd')": "read_csv() is not a function",
    "SELECT * FROM read_csv_auto('/etc/hostname')": "read_csv_auto() is not a function",
    "SELECT * FROM READ_PARQUET('x.parquet')": "read_parquet() is not a function",
    "SELECT * FROM glob('/*')": "glob() is not a function",
    "SELECT * FROM read_text ('/etc/passwd')": "read_text() is not a function",
    "EXPLAIN ANALYZE SELECT * FROM read_blob('/etc/passwd')": "read_blob() is not a function",
    "EXPLAIN ANALYZE COPY documents TO '/tmp/shingikai_query_test_outside.csv'": "only read-only statements",
    "INSTALL httpfs": "only read-only statements",
    **{sql: "is not a function a read-only query may call" for sql in ATTACKS},
    "SELECT * FROM query('SELECT 1')": "query() is not a function",
    "SELECT * FROM system.main.checkpoint()": "checkpoint() is not a function",
    "WITH a AS (SELECT 1) SELECT (SELECT count(*) FROM ducklake_delete_orphaned_files('lake', "
    "cleanup_all => true)) FROM a": "ducklake_delete_orphaned_files() is not a function",
    "SELECT * FROM documents, LATERAL (SELECT * FROM ducklake_merge_adjacent_files('lake'))": (
        "ducklake_merge_adjacent_files() is not a function"
    ),
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


@pytest.fixture(scope="module")
def untidy(tmp_path_factory) -> Path:
    """A lake with something for every maintenance function to do: files merged away (old files
    to clean up), small files from two later commits (to merge), and a data file no commit
    records (an orphan, as a killed or still-running ingest leaves)."""
    path = tmp_path_factory.mktemp("untidy") / "w.ducklake"
    files = [p for p in sorted(SAMPLES.glob("*_*.*")) if p.suffix in (".txt", ".md")][:3]
    docs = [extract_bytes(p.read_bytes(), f"samples/{p.name}") for p in files]
    with warehouse.Writer(path) as writer:
        for doc in docs:
            warehouse.load(writer.con, doc)
        writer.con.execute("CALL ducklake_merge_adjacent_files('lake')")
        for doc in docs[:2]:
            warehouse.load(writer.con, doc)
    data = path.with_name(path.name + ".files")
    some = next(data.rglob("*.parquet"))
    (some.parent / "uncommitted.parquet").write_bytes(some.read_bytes())
    return path


def _files(db: Path) -> dict[str, tuple[int, int]]:
    """Every file of the lake (catalog, data files): path -> (size, modification time)."""
    return {
        str(p): (p.stat().st_size, p.stat().st_mtime_ns)
        for p in sorted(db.parent.rglob("*"))
        if p.is_file() and not p.name.endswith(("-shm", "-wal"))
    }


# statements run straight on the query's connection, past the first wall: none may touch a file
PAST_THE_CHECK = [
    *ATTACKS,
    "SELECT * FROM read_csv('/etc/passwd')",
    "FROM '/etc/passwd'",
    f"COPY (SELECT 1) TO '{OUTSIDE}.csv'",
    "SELECT * FROM checkpoint()",
]


@pytest.mark.parametrize("sql", PAST_THE_CHECK)
def test_the_query_connection_itself_cannot_touch_a_file(untidy: Path, sql: str):
    """The second wall alone: the connection a query runs on has no way to write or delete a file
    or to read one outside the lake, whatever it is asked. Without it, the first three attacks
    delete the orphan and the merged-away files, or leave merged copies behind."""
    before, tables = _files(untidy), snapshot(untidy)
    with sealed(untidy) as con:
        try:
            rows = con.execute(sql).fetchall()
        except duckdb.Error:
            rows = []
    assert "root:" not in repr(rows)
    assert _files(untidy) == before
    assert snapshot(untidy) == tables
    assert not list(Path("/tmp").glob("shingikai_query_test_outside*"))


def test_the_untidy_lake_has_work_for_each_attack(untidy: Path, tmp_path: Path):
    """The fixture is meaningful: on a copy, with an ordinary writer, each maintenance call
    does change the files (so the test above would see it)."""
    changed = []
    for sql in ATTACKS[:3]:
        copy = tmp_path / f"c{len(changed)}" / "w.ducklake"
        copy.parent.mkdir()
        copy_lake(untidy, copy)
        before = {Path(k).relative_to(copy.parent) for k in _files(copy)}
        con = lake.writer(copy)
        try:
            con.execute(sql).fetchall()
        finally:
            con.close()
        after = {Path(k).relative_to(copy.parent) for k in _files(copy)}
        changed.append(before != after)
    assert changed == [True, True, True]


def test_output_never_replaces_the_warehouse_and_asks_before_other_files(untidy, tmp_path, capsys):
    """Before, `query ... -o FILE` wrote over any file, the lake's own catalog included (the lake
    was then lost)."""
    catalog_before = _files(untidy)
    some_data_file = next(untidy.with_name(untidy.name + ".files").rglob("*.parquet"))
    for target in (untidy, Path(str(untidy) + "-wal"), some_data_file):
        code = main(["query", "SELECT 1 AS n", "--db", str(untidy), "-o", str(target), "--force"])
        assert code == 2 and "is part of the warehouse" in capsys.readouterr().err
    assert _files(untidy) == catalog_before
    other = tmp_path / "result.csv"
    other.write_text("keep me", "utf-8")
    args = ["query", "SELECT 1 AS n", "--db", str(untidy), "-o", str(other), "--format", "csv"]
    assert main(args) == 2  # not a terminal: nobody to ask
    assert "exists" in capsys.readouterr().err and other.read_text("utf-8") == "keep me"
    assert main([*args, "--force"]) == 0
    assert other.read_text("utf-8-sig").split() == ["n", "1"]
