"""A `--db` ending in .duckdb: the single-file warehouse that plain DuckDB (and the shared scorer)
read as it is, written by the same loader; writers take turns, readers wait for a writer's batch."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path

import duckdb
import pytest

from shingikai import warehouse
from shingikai.cli.main import main
from shingikai.warehouse import lake
from shingikai.warehouse.export import export
from shingikai.warehouse.query import run_query
from tests.conftest import ROOT
from tests.ingest_helpers import snapshot
from tests.shingikai.test_copies import PDF, SEED


@pytest.fixture
def single(tmp_path: Path) -> Path:
    db = tmp_path / "w.duckdb"
    with warehouse.Writer(db) as w:
        warehouse.load(w.con, SEED)
        warehouse.load(w.con, PDF)
    return db


def test_a_duckdb_path_is_one_plain_duckdb_file_with_the_full_ddl(single):
    assert lake.single_file(single) == single and lake.is_duckdb_file(single)
    con = duckdb.connect(str(single), read_only=True)  # no extension: what score.py does
    try:
        kinds = {
            r[0] for r in con.execute("SELECT constraint_type FROM duckdb_constraints()").fetchall()
        }
        assert {"PRIMARY KEY", "CHECK"} <= kinds
        copies = con.execute(
            "SELECT count(*) FROM documents WHERE duplicate_of IS NOT NULL"
        ).fetchone()
        assert copies == (1,)  # the loader's derived facts, as on the lake
        assert con.execute("SELECT count(*) FROM consultations_with_meeting").fetchone()[0] > 0
    finally:
        con.close()
    assert set(warehouse.known_documents(single)) == {
        SEED.document.document_id,
        PDF.document.document_id,
    }


def test_reading_commands_work_and_time_travel_says_it_needs_a_lake(single, tmp_path, capsys):
    assert int(run_query(single, "SELECT count(*) AS n FROM documents")["n"][0]) == 2
    assert export(single, tmp_path / "one.duckdb", "duckdb")
    assert snapshot(tmp_path / "one.duckdb") == snapshot(single)
    assert main(["query", "SELECT 1", "--db", str(single), "--at", "1"]) == 2
    err = capsys.readouterr().err
    assert "keeps no snapshots" in err and err.count("\n") == 1
    with pytest.raises(lake.SingleFileWarehouse):
        lake.snapshots(single)


def test_writers_take_turns(single):
    holding, release, second_in = threading.Event(), threading.Event(), threading.Event()

    def first() -> None:
        with warehouse.Writer(single):
            holding.set()
            release.wait(30)

    def second() -> None:
        holding.wait(30)
        with warehouse.Writer(single) as w:
            second_in.set()
            w.con.execute("SELECT count(*) FROM documents").fetchall()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for t in threads:
        t.start()
    assert holding.wait(30)
    assert not second_in.wait(0.5)  # the second writer waits while the first holds the file
    release.set()
    assert second_in.wait(30)
    for t in threads:
        t.join(30)


HOLD = """
import sys, time
from shingikai import warehouse
from tests.shingikai.test_copies import SEED
with warehouse.Writer(sys.argv[1]) as w:
    warehouse.load(w.con, SEED)  # the same document again: replaced, nothing added
    print("holding", flush=True)
    time.sleep(float(sys.argv[2]))
"""


def test_a_reader_waits_for_a_writer_in_another_process(single):
    writer = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(single), "2"], cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    try:
        assert writer.stdout is not None and writer.stdout.readline().strip() == "holding"
        started = time.monotonic()
        with warehouse.readonly(single) as con:  # waits until the writer lets go, then reads
            n = con.execute("SELECT count(*) FROM documents").fetchone()[0]
        assert writer.poll() is not None or time.monotonic() - started > 0.5
        assert n == 2
    finally:
        writer.wait(60)
    assert writer.returncode == 0


def test_only_a_ducklake_name_or_a_catalog_location_is_a_lake(tmp_path):
    for name in ("w.duckdb", "w.db", "results"):
        db = tmp_path / name
        assert lake.single_file(db) == db
        with warehouse.Writer(db) as w:
            warehouse.load(w.con, SEED)
        assert lake.is_duckdb_file(db)  # what plain DuckDB and the shared scorer open
    assert lake.single_file(tmp_path / "w.ducklake") is None
    assert lake.single_file("postgres:dbname=lake host=127.0.0.1") is None
    catalog = tmp_path / "catalog.sqlite"  # a lake's catalog under another name stays a lake
    with warehouse.Writer(tmp_path / "x.ducklake"):
        pass
    (tmp_path / "x.ducklake").rename(catalog)
    assert lake.single_file(catalog) is None
