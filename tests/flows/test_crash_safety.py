"""Crash safety, idempotency and readers during ingestion, with the real `shingikai ingest` in a subprocess.

The corpus is the shipped samples plus tests/fixtures/layouts, copied into tmp. The
"partial" warehouse is the same folder before the layouts were added (the same locations,
so the full run adds the layouts to it).
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

from tests.conftest import LAYOUTS, ROOT, SAMPLES
from tests.ingest_helpers import cli_env, ingest_cmd, run_ingest_cli, snapshot

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
    clean_db = base / "clean.duckdb"
    partial_db = base / "partial.duckdb"
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


def _start(corpus: Path, db: Path, **env: str) -> subprocess.Popen:
    return subprocess.Popen(
        ingest_cmd([corpus], db),
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
    db = tmp_path / "w.duckdb"
    shutil.copyfile(runs["clean_db"], db)
    again = run_ingest_cli([runs["full"]], db)
    assert f"files seen: {N_FULL}, new: 0, skipped (unchanged): {N_FULL}" in again.stdout
    assert snapshot(db) == runs["clean"]
    forced = run_ingest_cli([runs["full"]], db, extra_args=["--force"])
    assert f"new: {N_FULL}, skipped (unchanged): 0" in forced.stdout
    assert snapshot(db) == runs["clean"]


def test_killed_runs_leave_the_last_published_warehouse(runs, tmp_path):
    db = tmp_path / "w.duckdb"
    shutil.copyfile(runs["partial_db"], db)
    # 1. killed in the middle of publishing: the copy is written but not yet renamed into place
    proc = _start(runs["full"], db, SHINGIKAI_TEST_SLOW_PUBLISH="60")
    deadline = time.monotonic() + 300
    while (
        not list(tmp_path.glob("w.duckdb.publish-*"))
        and proc.poll() is None
        and time.monotonic() < deadline
    ):
        time.sleep(0.05)
    assert list(tmp_path.glob("w.duckdb.publish-*")), "the run never reached publish"
    time.sleep(0.5)
    assert _kill(proc)
    assert snapshot(db) == runs["partial"]
    kills = 1
    # 2. killed after a fixed time (Prefect start-up, discovery, extraction, loading...)
    for delay in KILL_AFTER_S:
        proc = _start(runs["full"], db)
        time.sleep(delay)
        kills += _kill(proc)
        assert snapshot(db) in (runs["partial"], runs["clean"]), f"after a kill at {delay} s"
    assert kills >= 3
    # 3. a rerun to completion gives the same warehouse as a clean run, and tidies what the kills left
    run_ingest_cli([runs["full"]], db)
    assert snapshot(db) == runs["clean"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["w.duckdb", "w.duckdb.lock"]


READER = r"""
import json, os, sys, time
import duckdb
db, stop, out, mode = sys.argv[1:5]

def check(con):
    ok = {r[0] for r in con.execute("SELECT document_id FROM documents WHERE status = 'ok'").fetchall()}
    texts = {r[0] for r in con.execute("SELECT document_id FROM document_texts").fetchall()}
    con.execute("BEGIN TRANSACTION")
    c1 = con.execute("SELECT document_id, count(*) FROM consultations GROUP BY 1 ORDER BY 1").fetchall()
    c2 = con.execute("SELECT document_id, count(*) FROM consultations GROUP BY 1 ORDER BY 1").fetchall()
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
# DuckDB shares one database instance per path within a process: a connection opened while another
# is open sees that one's snapshot. So "held" keeps one connection, "fresh" opens one per query.
held = duckdb.connect(db, read_only=True) if mode == "held" else None
while not os.path.exists(stop):
    try:
        con = held or duckdb.connect(db, read_only=True)
    except duckdb.IOException as exc:  # the rename at that instant
        log["errors"].append(str(exc))
    else:
        n, problems = check(con)
        log["seen"].append(n)
        log["problems"] += problems
        if held is None:
            con.close()
    time.sleep(0.2)
if held is not None:
    held.close()
con = duckdb.connect(db, read_only=True)
log["after"] = con.execute("SELECT count(*) FROM documents WHERE status = 'ok'").fetchone()[0]
con.close()
json.dump(log, open(out, "w"))
"""


def test_readers_during_ingestion(runs, tmp_path):
    db = tmp_path / "w.duckdb"
    shutil.copyfile(runs["partial_db"], db)
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
    assert set(held["seen"]) == {n_partial_ok}  # the held connection keeps its snapshot throughout
    assert set(fresh["seen"]) <= {n_partial_ok, n_clean_ok} and fresh["seen"][-1] == n_clean_ok
    assert held["after"] == fresh["after"] == n_clean_ok
    assert len(fresh["errors"]) <= 2, fresh["errors"]
    # a new connection after the run sees the new data
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("SELECT count(*) FROM documents").fetchone()[0] == N_FULL
    con.close()
    assert snapshot(db) == runs["clean"]
