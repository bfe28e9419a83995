"""A cluster started as separate processes on loopback, and its benchmark.

`Cluster` starts what docs/cluster.md starts by hand: a Prefect server, a PostgreSQL server for
the lake's catalog, a Dask scheduler and Dask workers, each its own process group (stopped by
`stop`). `tests/flows/test_cluster.py` runs ingest on it and kills parts of it.

`python -m bench.cluster [-n DOCS]` measures, on this machine: documents per second of
`shingikai ingest --dask` with one and with two workers (synthetic minutes, `bench.generate`),
and the time of one batch's commit on a PostgreSQL and on a SQLite catalog (copies of the
samples' extractions, `bench.copies`), and prints a Markdown table.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

from bench.postgres import PostgresServer, free_port

ROOT = Path(__file__).resolve().parent.parent

BIN = Path(sys.executable).parent


class Process:
    """One command of the cluster, in a process group of its own (a `dask worker` runs a nanny
    and the worker under it: a kill reaches both), its output in a file."""

    def __init__(self, name: str, cmd: list[str], env: dict[str, str], logs: Path) -> None:
        self.name, self.log = name, logs / f"{name}.log"
        with self.log.open("wb") as out:
            self.proc = subprocess.Popen(
                cmd,
                cwd=ROOT,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def kill(self, sig: int = signal.SIGKILL) -> None:
        if self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, sig)
            self.proc.wait(30)

    def tail(self) -> str:
        return self.log.read_text(errors="replace")[-3000:]


def _wait(what: str, ready: Callable[[], bool], timeout: float, procs: list[Process]) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if ready():
            return
        for p in procs:
            assert p.proc.poll() is None, f"{p.name} exited: {p.tail()}"
        time.sleep(0.5)
    raise AssertionError(f"{what} not ready after {timeout} s: " + procs[-1].tail())


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=5) as r:
            return r.status == 200
    except OSError:
        return False


class Cluster:
    """The processes of the cluster and the environment each command of the test runs with."""

    def __init__(self, base: Path) -> None:
        self.base = base
        self.logs = base / "logs"
        self.logs.mkdir()
        self.procs: dict[str, Process] = {}
        self.postgres = PostgresServer()
        self.prefect_port, self.dask_port = free_port(), free_port()
        self.env = {
            **os.environ,
            "PREFECT_API_URL": f"http://127.0.0.1:{self.prefect_port}/api",
            "PREFECT_HOME": str(base / "prefect"),
            "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
            "PREFECT_UI_ENABLED": "false",
            "PYTHONPATH": str(ROOT),
        }
        self.scheduler = f"tcp://127.0.0.1:{self.dask_port}"
        self.lakes = 0

    def start(self, workers: int = 2) -> None:
        self.postgres.start()
        self._start(
            "prefect-server",
            [
                str(BIN / "prefect"),
                "server",
                "start",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.prefect_port),
            ],
        )
        self._start(
            "dask-scheduler",
            [
                str(BIN / "dask"),
                "scheduler",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.dask_port),
                "--no-dashboard",
            ],
        )
        for k in range(workers):
            self.start_worker(k)
        procs = list(self.procs.values())
        _wait(
            "the Prefect server",
            lambda: _answers(f"{self.env['PREFECT_API_URL']}/health"),
            180,
            procs,
        )
        self.wait_for_workers(workers)

    def _start(self, name: str, cmd: list[str], **env: str) -> Process:
        self.procs[name] = Process(name, cmd, {**self.env, **env}, self.logs)
        return self.procs[name]

    def start_worker(self, k: int, **env: str) -> Process:
        """`dask worker`: one process, one thread (extraction is CPU-bound Python). Not daemonic
        (`distributed.worker.daemon: False`), so that it may start the extraction sandbox's
        processes: a document over the memory limit fails alone, as it does locally."""
        env = {"DASK_DISTRIBUTED__WORKER__DAEMON": "False", **env}
        cmd = [str(BIN / "dask"), "worker", self.scheduler, "--name", f"worker{k}"]
        cmd += ["--nworkers", "1", "--nthreads", "1", "--host", "127.0.0.1", "--no-dashboard"]
        return self._start(f"worker{k}", cmd, **env)

    def kill(self, name: str) -> None:
        """SIGKILL a process of the cluster (a worker: its nanny too) and forget it."""
        self.procs.pop(name).kill()

    def workers(self) -> int:
        from distributed import Client

        with Client(self.scheduler, timeout=30) as client:
            return len(client.scheduler_info()["workers"])

    def wait_for_workers(self, n: int) -> None:
        _wait(f"{n} Dask workers", lambda: self.workers() == n, 180, list(self.procs.values()))

    def new_lake(self) -> tuple[str, Path]:
        """A new, empty lake: its PostgreSQL catalog and its data files' folder."""
        self.lakes += 1
        name = f"lake{self.lakes}"
        self.postgres.create_lake(name)
        return self.postgres.catalog.replace("dbname=lake", f"dbname={name}"), self.base / name

    def ingest(self, raw: Path, db: str, data: Path) -> subprocess.Popen[str]:
        cmd = [sys.executable, "-m", "shingikai.cli", "ingest", str(raw), "--db", db]
        return subprocess.Popen(
            [*cmd, "--dask", self.scheduler],
            cwd=ROOT,
            env={**self.env, "SHINGIKAI_DATA_PATH": str(data)},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )

    def stop(self) -> None:
        for p in reversed(list(self.procs.values())):
            p.kill(signal.SIGTERM if p.name == "prefect-server" else signal.SIGKILL)
        self.postgres.remove()


# ---- the benchmark


def docs_per_second(cluster: Cluster, raw: Path, n_docs: int) -> float:
    db, data = cluster.new_lake()
    started = time.monotonic()
    proc = cluster.ingest(raw, db, data)
    out, err = proc.communicate(timeout=3600)
    assert proc.returncode == 0, err[-2000:]
    return n_docs / (time.monotonic() - started)


def commit_seconds(db: str, batches: int, per_batch: int) -> list[float]:
    """Seconds of each batch's commit (one writer, reused as the ingest tasks reuse theirs)."""
    from bench.lake import copies, originals
    from shingikai import warehouse

    base = originals()
    seconds = []
    with warehouse.Writer(db) as w:
        for k in range(batches):
            docs = copies(base, k * per_batch, per_batch, "bench")
            started = time.monotonic()
            warehouse.load_many(w.con, docs)
            seconds.append(time.monotonic() - started)
    return seconds


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("-n", type=int, default=40, help="synthetic documents per ingest (default 40)")
    p.add_argument("--batches", type=int, default=10, help="batches committed per catalog")
    p.add_argument("--per-batch", type=int, default=8, help="documents per batch (default 8)")
    a = p.parse_args()
    from bench.generate import generate

    base = Path(tempfile.mkdtemp(prefix="shingikai-cluster-bench-"))
    raw = base / "raw"
    generate(raw, a.n, seed=7, pdf_share=0)
    cluster = Cluster(base)
    rows = []
    try:
        cluster.start(workers=1)
        rows.append(("documents/s, 1 Dask worker", docs_per_second(cluster, raw, a.n)))
        cluster.start_worker(1)
        cluster.wait_for_workers(2)
        rows.append(("documents/s, 2 Dask workers", docs_per_second(cluster, raw, a.n)))
        pg, _ = cluster.new_lake()
        os.environ["SHINGIKAI_DATA_PATH"] = str(base / "commit-bench")
        pg_s = commit_seconds(pg, a.batches, a.per_batch)
        os.environ.pop("SHINGIKAI_DATA_PATH")
        sqlite_s = commit_seconds(str(base / "bench.ducklake"), a.batches, a.per_batch)
    finally:
        cluster.stop()
    for name, s in (("PostgreSQL", pg_s), ("SQLite", sqlite_s)):
        rows.append(
            (f"commit of {a.per_batch} documents, {name} catalog, median s", statistics.median(s))
        )
    with open("/proc/loadavg") as f:
        load = f.read().split()[0]
    print(f"| measure ({a.n} documents; load average {load} at the end) | value |")
    print("|---|---|")
    for what, value in rows:
        print(f"| {what} | {value:.2f} |")


if __name__ == "__main__":
    main()
