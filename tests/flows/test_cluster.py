"""A cluster started as separate processes on loopback, as docs/cluster.md starts one by hand:
a Prefect server, a PostgreSQL server holding the lake's catalog, a Dask scheduler and two Dask
workers, a shared folder for the raw files and the lake's data files. `shingikai ingest --dask
tcp://...` loads the documents; every document is stored once, the tables equal a local run's
(compared through `export --format duckdb`), and a reader querying throughout sees whole
documents only. Then the faults: one worker killed (SIGKILL) in the middle of a commit, and the
PostgreSQL server stopped and started again while batches commit.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench.cluster import Cluster
from bench.generate import generate
from extractors.reading import Limits
from shingikai.sandbox import extract_in_sandbox
from shingikai.warehouse import connect_readonly
from tests.conftest import ROOT, SAMPLES
from tests.flows.test_hostile import pages_300
from tests.ingest_helpers import snapshot

pytestmark = pytest.mark.slow  # a whole cluster of processes

DOCUMENTS = 10  # synthetic minutes, besides the samples' text files: several batches per run


@pytest.fixture(scope="module")
def raw(tmp_path_factory) -> Path:
    """The shared folder of raw files: the samples' text files and some synthetic minutes."""
    folder = tmp_path_factory.mktemp("shared") / "raw"
    generate(folder / "synthetic", DOCUMENTS, seed=20, pdf_share=0, chatter=0)
    (folder / "samples").mkdir()
    for p in SAMPLES.glob("*_*.*"):
        if p.suffix in (".txt", ".md"):
            (folder / "samples" / p.name).write_bytes(p.read_bytes())
    return folder


@pytest.fixture(scope="module")
def cluster(tmp_path_factory) -> Iterator[Cluster]:
    c = Cluster(tmp_path_factory.mktemp("cluster"))
    try:
        c.start()
        yield c
    finally:
        c.stop()


def _export(db: str, out: Path, env: dict[str, str]) -> dict[str, list[tuple]]:
    cmd = [sys.executable, "-m", "shingikai.cli", "export", str(out), "--format", "duckdb"]
    run = subprocess.run(
        [*cmd, "--db", db], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    assert run.returncode == 0, run.stderr[-2000:]
    return snapshot(out)


@pytest.fixture(scope="module")
def local(raw, cluster, tmp_path_factory) -> dict[str, list[tuple]]:
    """The tables of a local run (no Dask, a SQLite catalog), through `export --format duckdb`."""
    base = tmp_path_factory.mktemp("local")
    db = str(base / "local.ducklake")
    run = subprocess.run(
        [sys.executable, "-m", "shingikai.cli", "ingest", str(raw), "--db", db, "--workers", "2"],
        cwd=ROOT,
        env=cluster.env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    return _export(db, base / "local.duckdb", cluster.env)


def _finish(proc: subprocess.Popen[str], timeout: float = 600) -> tuple[int, str, str]:
    try:
        out, err = proc.communicate(timeout=timeout)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    return proc.returncode, out, err


# ---- a reader querying throughout


def _per_document(db: str) -> dict[str, dict[str, int]]:
    """For each table and view with a document_id column, each document's number of rows, all
    read from one snapshot."""
    with contextlib.closing(connect_readonly(db)) as con:
        tables = [
            r[0]
            for r in con.execute(
                "SELECT table_name FROM information_schema.columns WHERE column_name = 'document_id' "
                "AND table_schema = 'main' AND table_catalog = current_database() ORDER BY 1"
            ).fetchall()
        ]
        seen: dict[str, dict[str, int]] = {}
        con.execute("BEGIN TRANSACTION")  # one snapshot for all the tables, as one query sees
        for t in tables:
            for doc, n in con.execute(
                f"SELECT document_id, count(*) FROM {t} GROUP BY 1"
            ).fetchall():
                seen.setdefault(doc, {})[t] = n
        con.execute("COMMIT")
        return seen


# A reader in a process of its own: DuckDB aborts the whole process ("terminate called ...
# Failed to execute query ROLLBACK") when the PostgreSQL server goes away under an open
# transaction, which must not take the test down with it. It prints one view a line (null: the
# lake could not be read then) until the stop file exists; a reader that dies is started again.
READ_LOOP = """
import json, sys, time
from pathlib import Path
from tests.flows.test_cluster import _per_document
db, stop = sys.argv[1], Path(sys.argv[2])
while not stop.exists():
    try:
        view = _per_document(db)
    except Exception:
        view = None
    print(json.dumps(view), flush=True)
    time.sleep(0.2)
"""


class Reader(threading.Thread):
    """Queries the lake over and over while the run goes on; keeps what it saw of each document."""

    def __init__(self, db: str, work: Path) -> None:
        super().__init__(daemon=True)
        self.db, self.out, self.stop = db, work / "reader.jsonl", work / "reader.stop"
        self.crashes = 0

    def run(self) -> None:
        while not self.stop.exists():
            with self.out.open("a") as out:
                done = subprocess.run(
                    [sys.executable, "-c", READ_LOOP, self.db, str(self.stop)],
                    cwd=ROOT,
                    stdout=out,
                    stderr=subprocess.DEVNULL,
                    timeout=1800,
                )
            self.crashes += done.returncode != 0

    @property
    def views(self) -> list[dict[str, dict[str, int]]]:
        if not self.out.exists():
            return []
        lines = self.out.read_text().splitlines()
        return [v for v in (json.loads(line) for line in lines if line.strip()) if v is not None]

    def check(self) -> int:
        """Every document it saw, it saw whole: with all the rows it has in the end. Returns the
        number of views that held some documents but not all."""
        self.stop.touch()
        self.join(120)
        final = _per_document(self.db)
        partial = 0
        views = self.views
        assert views, "the reader never read the lake"
        for view in views:
            for doc, counts in view.items():
                assert counts == final[doc], f"a reader saw {doc} in part: {counts} != {final[doc]}"
            partial += 0 < len(view) < len(final)
        return partial


def _check_stored_once(db: str, local: dict[str, list[tuple]], base: Path, env) -> None:
    got = _export(db, base / "cluster.duckdb", env)
    ids = [r[0] for r in got["documents"]]
    assert len(ids) == len(set(ids)) == len(local["documents"])
    for table in local:
        assert got[table] == local[table], f"{table} differs from the local run's"


def test_cluster_ingest_equals_a_local_run(cluster, raw, local, tmp_path):
    db, data = cluster.new_lake()
    reader = Reader(db, tmp_path)
    reader.start()
    code, out, err = _finish(cluster.ingest(raw, db, data))
    assert code == 0, err[-3000:]
    assert "failed: 0" in out, out
    partial = reader.check()
    _check_stored_once(db, local, tmp_path, cluster.env)
    assert list(data.rglob("*.parquet")), "the data files belong in the shared folder"
    print(f"reader: {len(reader.views)} views, {partial} partial, {reader.crashes} crashes")


# ---- faults


def _wait_for(what: str, ready, timeout: float, proc: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + timeout
    while not ready():
        assert proc.poll() is None, f"the ingest ended before {what}: {proc.stderr.read()[-3000:]}"
        assert time.monotonic() < deadline, f"no {what} after {timeout} s"
        time.sleep(0.2)


def _completes_or_fails_in_one_line(
    cluster: Cluster, raw: Path, db: str, data: Path, code: int, out: str, err: str
) -> str:
    """The run completed; or it failed with one clear line (no traceback), and a re-run completes.
    Returns what happened, for the record."""
    if code == 0:
        assert "failed: 0" in out, out
        return "completed"
    lines = [line for line in err.splitlines() if line.strip()]
    assert "Traceback" not in err and len(lines) == 1, err[-3000:]
    assert lines[0].startswith("error: "), lines
    code, out, err = _finish(cluster.ingest(raw, db, data))
    assert code == 0, err[-3000:]
    assert "failed: 0" in out, out
    return f"failed with {lines[0]!r}, then a re-run completed"


def test_a_worker_killed_in_the_middle_of_a_commit(cluster, raw, local, tmp_path):
    """worker0 stops just before each commit, its batch's data files written; it is killed there
    (SIGKILL, the nanny with it). Its batch is done again by worker1; every document is stored once."""
    marker = tmp_path / "committing"
    cluster.kill("worker0")
    cluster.wait_for_workers(1)
    cluster.start_worker(
        0, SHINGIKAI_TEST_COMMIT_MARKER=str(marker), SHINGIKAI_TEST_SLOW_COMMIT="600"
    )
    cluster.wait_for_workers(2)
    db, data = cluster.new_lake()
    reader = Reader(db, tmp_path)
    reader.start()
    proc = cluster.ingest(raw, db, data)
    try:
        _wait_for("commit on worker0", marker.exists, 600, proc)
        cluster.kill("worker0")
        code, out, err = _finish(proc)
        what = _completes_or_fails_in_one_line(cluster, raw, db, data, code, out, err)
    finally:  # the next test has two plain workers again
        if "worker0" in cluster.procs:
            cluster.kill("worker0")
        cluster.start_worker(0)
    reader.check()
    _check_stored_once(db, local, tmp_path, cluster.env)
    print("worker killed:", what)
    cluster.wait_for_workers(2)


def _restart_workers(cluster: Cluster, **env: str) -> None:
    for k in (0, 1):
        if f"worker{k}" in cluster.procs:
            cluster.kill(f"worker{k}")
    for k in (0, 1):
        cluster.start_worker(k, **env)
    cluster.wait_for_workers(2)


def test_postgres_stopped_and_started_between_batches(cluster, raw, local, tmp_path):
    """Once the first batches are in, and while the next holds its transaction open (the workers
    pause 4 s before each commit), the catalog's server stops (fast shutdown: sessions are
    ended) and starts again 3 s later, while the run goes on."""
    marker = tmp_path / "committing"
    _restart_workers(
        cluster, SHINGIKAI_TEST_COMMIT_MARKER=str(marker), SHINGIKAI_TEST_SLOW_COMMIT="4"
    )
    db, data = cluster.new_lake()
    reader = Reader(db, tmp_path)
    reader.start()
    proc = cluster.ingest(raw, db, data)

    def some_committed() -> bool:
        return any(view for view in reader.views)

    try:
        _wait_for("committed batch", some_committed, 600, proc)
        marker.unlink(missing_ok=True)
        _wait_for("commit after the first", marker.exists, 600, proc)
        cluster.postgres.stop("fast")
        time.sleep(3)
    finally:
        cluster.postgres.start()
    try:
        code, out, err = _finish(proc)
        what = _completes_or_fails_in_one_line(cluster, raw, db, data, code, out, err)
    finally:
        _restart_workers(cluster)
    reader.check()
    _check_stored_once(db, local, tmp_path, cluster.env)
    print("PostgreSQL restarted:", what)


def test_a_document_over_the_memory_limit_fails_alone_on_a_dask_worker(cluster, tmp_path):
    """The extraction sandbox runs on the Dask workers too (they are not daemonic): a document
    over the memory limit fails with the sandbox's reason, and the worker carries on."""
    from distributed import Client

    big = tmp_path / "big.pdf"
    big.write_bytes(pages_300())
    small = next(SAMPLES.glob("*_*.txt"))
    with Client(cluster.scheduler, timeout=30) as client:
        over = client.submit(
            extract_in_sandbox, big, "in/big.pdf", Limits(memory_bytes=64 * 1024**2), pure=False
        ).result(timeout=600)
        fine = client.submit(
            extract_in_sandbox, small, f"in/{small.name}", Limits(), pure=False
        ).result(timeout=600)
    assert over.document.status == "failed"
    assert over.document.error == (
        "extraction needed more memory than the limit of 0.0625 GiB (raise --max-memory-gb to allow more)"
    )
    assert fine.document.status == "ok" and fine.consultations
