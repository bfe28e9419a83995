"""Crash safety, idempotency and readers during ingestion, with the real `shingikai ingest` in a subprocess.

The corpus is the shipped samples plus tests/fixtures/layouts, copied into tmp. The
"partial" warehouse is the same folder before the layouts were added (the same locations,
so the full run adds the layouts to it).
The warehouse is a lake: every batch of documents is one commit, so a killed run leaves the
partial warehouse plus whole documents of the batches it committed.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from shingikai.cli.main import main
from shingikai.warehouse import connect_readonly
from shingikai.warehouse.query import sealed
from tests.conftest import LAYOUTS, ROOT, SAMPLES
from tests.ingest_helpers import (
    cli_env,
    copy_lake,
    ingest_cmd,
    recorded_files,
    run_ingest_cli,
    snapshot,
)

pytestmark = pytest.mark.slow  # ingests killed and re-run through the CLI

KILL_AFTER_S = (1.0, 4.0, 8.0)
# documents in the full corpus: every file of the samples and the layouts but gold and READMEs
N_FULL = sum(
    1
    for d in (SAMPLES, LAYOUTS)
    for p in d.iterdir()
    if p.is_file() and p.suffix != ".json" and p.name != "README.md"
)


def _copy_corpus(dest: Path) -> Path:
    corpus = dest / "in"
    shutil.copytree(SAMPLES, corpus / "samples")
    return corpus


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """A clean full run, and a complete samples-only run (the state before the full run)."""
    base = tmp_path_factory.mktemp("crash")
    full = _copy_corpus(base / "full")
    clean_db = base / "clean.ducklake"
    partial_db = base / "partial.ducklake"
    run_ingest_cli([full], partial_db)
    shutil.copytree(LAYOUTS, full / "layouts")
    first = run_ingest_cli([full], clean_db)
    return {
        "base": base,
        "full": full,
        "clean_db": clean_db,
        "partial_db": partial_db,
        "clean": snapshot(clean_db),
        "partial": snapshot(partial_db),
        "clean_ids": {r[0] for r in snapshot(clean_db)["documents"]},
        "first_stdout": first.stdout,
    }


def _kill(proc: subprocess.Popen) -> bool:
    """SIGKILL the ingest and everything it started (Prefect's API server, extracting children), as a crash
    of the machine would; True when it was still running."""
    running = proc.poll() is None
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait(30)
    return running


def _start(corpus: Path, db: Path, *args: str, **env: str) -> subprocess.Popen:
    return subprocess.Popen(
        ingest_cmd([corpus], db, list(args)),
        cwd=ROOT,
        env=cli_env(**env),
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def test_corpus_is_meaningful(runs):
    clean, partial = runs["clean"], runs["partial"]
    statuses = sorted(r[4] for r in clean["documents"])  # status column
    assert len(clean["documents"]) == N_FULL and len(partial["documents"]) == 4
    assert statuses.count("ok") >= 12
    assert len(clean["consultations"]) > len(partial["consultations"]) > 0


def test_idempotent(runs, tmp_path):
    db = tmp_path / "w.ducklake"
    copy_lake(runs["clean_db"], db)
    again = run_ingest_cli([runs["full"]], db)
    assert f"files seen: {N_FULL}, new: 0, skipped (unchanged): {N_FULL}" in again.stdout
    assert snapshot(db) == runs["clean"]
    forced = run_ingest_cli([runs["full"]], db, extra_args=["--force"])
    assert f"new: {N_FULL}, skipped (unchanged): 0" in forced.stdout
    assert snapshot(db) == runs["clean"]


# a killed run leaves its batches' consultations linked among themselves and their local
# governments noted (pending_links): the next run relinks them, so those may differ meanwhile
LINKS = ("consultation_key", "stage", "asked_on", "link_candidates")


def _whole_documents(db: Path, runs: dict) -> dict:
    """The lake's tables, checked to be the partial warehouse plus whole documents of the clean
    run (their consultations' histories aside, until the next run)."""
    got = snapshot(db, leave_out=LINKS)
    ids = {r[0] for r in got["documents"]}
    assert {r[0] for r in runs["partial"]["documents"]} <= ids <= runs["clean_ids"]
    got.pop("pending_links")
    assert got == snapshot(runs["clean_db"], documents=ids, leave_out=LINKS), (
        "a document is not whole"
    )
    return got


def test_killed_runs_leave_whole_documents(runs, tmp_path):
    db = tmp_path / "w.ducklake"
    copy_lake(runs["partial_db"], db)
    # 1. killed in the middle of a commit: the batch's Parquet files are written, the catalog is not
    marker = tmp_path / "committing"
    proc = _start(
        runs["full"], db, SHINGIKAI_TEST_COMMIT_MARKER=str(marker), SHINGIKAI_TEST_SLOW_COMMIT="60"
    )
    deadline = time.monotonic() + 300
    while not marker.exists() and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert marker.exists(), "the run never reached a commit"
    time.sleep(0.5)
    assert _kill(proc)
    assert snapshot(db) == runs["partial"]
    assert list(db.with_name(db.name + ".files").rglob("*.parquet")), "no data file was written"
    kills = 1
    # 2. killed after a fixed time (Prefect start-up, discovery, extraction, loading...)
    for delay in KILL_AFTER_S:
        proc = _start(runs["full"], db)
        time.sleep(delay)
        kills += _kill(proc)
        _whole_documents(db, runs)
    assert kills >= 3
    # 3. a rerun to completion gives the same warehouse as a clean run
    run_ingest_cli([runs["full"]], db)
    assert snapshot(db) == runs["clean"]
    # 4. `maintain` deletes what the killed commits wrote and never recorded; the tables stay
    files = db.with_name(db.name + ".files")
    on_disk = len(list(files.rglob("*.parquet")))
    tidy = subprocess.run(
        [
            sys.executable,
            "-m",
            "shingikai.cli",
            "maintain",
            "--db",
            str(db),
            "--keep-for",
            "0 seconds",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert tidy.returncode == 0, tidy.stderr
    assert snapshot(db) == runs["clean"]
    assert len(list(files.rglob("*.parquet"))) == recorded_files(db) < on_disk
    assert {p.name for p in tmp_path.iterdir()} <= {
        "w.ducklake",
        "w.ducklake-wal",
        "w.ducklake-shm",
        "w.ducklake.lock",  # where local writers take turns to commit
        "w.ducklake.files",
        "committing",
        "in",
    }


READER = r"""
import json, os, sys, time
from shingikai.cli.main import main
from shingikai.warehouse import connect_readonly
from shingikai.warehouse.query import sealed
db, stop, out, mode = sys.argv[1:5]

def check(con, in_transaction):
    ok = {r[0] for r in con.execute("SELECT document_id FROM documents WHERE status = 'ok'").fetchall()}
    texts = {r[0] for r in con.execute("SELECT document_id FROM document_texts").fetchall()}
    if not in_transaction:
        con.execute("BEGIN TRANSACTION")
    c1 = con.execute("SELECT document_id, count(*) FROM consultations GROUP BY 1 ORDER BY 1").fetchall()
    c2 = con.execute("SELECT document_id, count(*) FROM consultations GROUP BY 1 ORDER BY 1").fetchall()
    if not in_transaction:
        con.execute("COMMIT")
    orphans = con.execute("SELECT count(*) FROM consultations WHERE document_id NOT IN (SELECT document_id FROM documents)").fetchone()[0]
    problems = []
    if ok - texts:
        problems.append(f"ok documents without text: {sorted(ok - texts)}")
    if c1 != c2:
        problems.append("consultation counts changed within a snapshot")
    if orphans:
        problems.append(f"{orphans} consultations without their document")
    return len(ok), problems

log = {"seen": [], "problems": [], "errors": [], "after": None}
# "held" keeps one transaction open throughout: it reads the snapshot it began with.
# "fresh" opens a connection per check, as `shingikai query` does: it reads the latest snapshot.
held = connect_readonly(db) if mode == "held" else None
if held is not None:
    held.execute("BEGIN TRANSACTION")
while not os.path.exists(stop):
    try:
        con = held or connect_readonly(db)
    except Exception as exc:
        log["errors"].append(str(exc))
    else:
        n, problems = check(con, held is not None)
        log["seen"].append(n)
        log["problems"] += problems
        if held is None:
            con.close()
    time.sleep(0.2)
if held is not None:
    held.execute("COMMIT")
    log["after"] = held.execute("SELECT count(*) FROM documents WHERE status = 'ok'").fetchone()[0]
    held.close()
else:
    con = connect_readonly(db)
    log["after"] = con.execute("SELECT count(*) FROM documents WHERE status = 'ok'").fetchone()[0]
    con.close()
json.dump(log, open(out, "w"))
"""


def test_readers_during_ingestion(runs, tmp_path):
    db = tmp_path / "w.ducklake"
    copy_lake(runs["partial_db"], db)
    stop = tmp_path / "stop"
    readers = {
        mode: subprocess.Popen(
            [
                sys.executable,
                "-c",
                READER,
                str(db),
                str(stop),
                str(tmp_path / f"{mode}.json"),
                mode,
            ],
            cwd=ROOT,
            stderr=subprocess.PIPE,
            text=True,
        )
        for mode in ("held", "fresh")
    }
    try:
        time.sleep(1.0)
        run = run_ingest_cli([runs["full"]], db)
        time.sleep(1.0)
    finally:
        stop.touch()
        for reader in readers.values():
            reader.wait(60)
    for reader in readers.values():
        assert reader.returncode == 0, reader.stderr.read() if reader.stderr else ""
    held, fresh = (json.loads((tmp_path / f"{m}.json").read_text()) for m in ("held", "fresh"))
    assert (
        f"files seen: {N_FULL}," in run.stdout
    )  # new: all but the samples, or all if an extractor changed since the partial run
    assert held["problems"] == [] and fresh["problems"] == []
    n_partial_ok = sum(1 for r in runs["partial"]["documents"] if r[4] == "ok")
    n_clean_ok = sum(1 for r in runs["clean"]["documents"] if r[4] == "ok")
    assert len(held["seen"]) >= 10 and len(fresh["seen"]) >= 10
    assert set(held["seen"]) == {n_partial_ok}  # the held transaction keeps its snapshot throughout
    # a new reader sees each committed batch: never fewer documents than before, never half of one
    assert fresh["seen"] == sorted(fresh["seen"]), fresh["seen"]
    assert n_partial_ok <= fresh["seen"][0] and fresh["seen"][-1] == n_clean_ok
    assert held["after"] == fresh["after"] == n_clean_ok
    assert fresh["errors"] == []  # readers are never refused while ingest writes
    # a new connection after the run sees the new data
    con = connect_readonly(db)
    assert con.execute("SELECT count(*) FROM documents").fetchone()[0] == N_FULL
    con.close()
    assert snapshot(db) == runs["clean"]


# DuckLake's maintenance asked of a read-only query: before, the first deleted the files of the
# commit in progress (the lake was lost), the second deleted files, the third left copies
ATTACKS = [
    "SELECT * FROM ducklake_delete_orphaned_files('lake', cleanup_all => true)",
    "SELECT * FROM ducklake_cleanup_old_files('lake', cleanup_all => true)",
    "SELECT * FROM ducklake_merge_adjacent_files('lake')",
]


def _held_commit(corpus: Path, db: Path, marker: Path, hold_s: str, *args: str):
    """An ingest started and stopped in its first commit, its files written, for `hold_s` s."""
    proc = _start(
        corpus,
        db,
        *args,
        SHINGIKAI_TEST_COMMIT_MARKER=str(marker),
        SHINGIKAI_TEST_SLOW_COMMIT=hold_s,
    )
    deadline = time.monotonic() + 300
    while not marker.exists() and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert marker.exists(), "the run never reached a commit"
    time.sleep(0.5)
    return proc


def _attack_and_check_every_file_survives(db: Path, capsys) -> None:
    """Each attack through `shingikai query` (refused) and straight on the query's connection
    (past the check): every file of the data folder is still there, unchanged, and none is new."""
    files = db.with_name(db.name + ".files")
    before = {p: p.stat().st_size for p in files.rglob("*") if p.is_file()}
    assert before
    for sql in ATTACKS:
        assert main(["query", sql, "--db", str(db)]) == 2
        assert capsys.readouterr().err.startswith("refused: ")
        with sealed(db) as con:
            try:
                con.execute(sql).fetchall()
            except duckdb.Error:
                pass
        assert {p: p.stat().st_size for p in files.rglob("*") if p.is_file()} == before, sql


def test_a_query_cannot_harm_the_lake_during_an_ingest_or_after_a_kill(runs, tmp_path, capsys):
    db = tmp_path / "w.ducklake"
    copy_lake(runs["partial_db"], db)
    # 1. while an ingest holds a commit with its Parquet files written, then lets it finish
    proc = _held_commit(runs["full"], db, tmp_path / "committing", "20")
    _attack_and_check_every_file_survives(db, capsys)
    assert proc.poll() is None, "the commit should still be held"
    assert proc.wait(600) == 0
    assert snapshot(db) == runs["clean"]
    # 2. after an ingest was killed in its commit: its files are on disk, recorded nowhere
    proc = _held_commit(runs["full"], db, tmp_path / "committing2", "60", "--force")
    assert _kill(proc)
    _attack_and_check_every_file_survives(db, capsys)
    assert snapshot(db) == runs["clean"]


def test_a_first_ingest_killed_before_its_schema_is_committed(runs, tmp_path):
    """The catalog made, DuckLake's tables in it, the schema's commit not done: every command
    finishes the lake (before: `Table with name documents does not exist` from each), and the
    next ingest gives the clean warehouse."""
    db = tmp_path / "w.ducklake"
    proc = _held_commit(runs["full"], db, tmp_path / "committing", "60")
    assert db.exists()
    assert _kill(proc)
    reader = subprocess.run(
        [*ingest_cmd([], db)[:3], "query", "SELECT count(*) AS n FROM documents", "--db", str(db)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert reader.returncode == 0 and reader.stdout.split()[-1] == "0", reader.stderr
    run_ingest_cli([runs["full"]], db)
    assert snapshot(db) == runs["clean"]
