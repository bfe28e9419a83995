"""The worker pool starts in the background and stops cleanly: every worker exits, none is left."""

from __future__ import annotations

import os
import signal

import pytest

from extractors.reading import Limits
from shingikai.sandbox import WorkerPool
from tests.conftest import SAMPLES

SAMPLE = SAMPLES / "shirasagidai_2023_toshin.txt"

pytestmark = pytest.mark.slow  # starts the fork server, which loads GiNZA


def test_pool_starts_in_the_background_extracts_and_closes_cleanly():
    pool = WorkerPool(2, memory_bytes=None)  # returns before GiNZA has loaded
    assert pool.wait_started(timeout=300)
    workers = list(pool._workers)
    assert len(workers) == 2 and all(w.proc.is_alive() for w in workers)
    # Ctrl-C is the parent's: a worker ignores SIGINT and keeps working
    os.kill(workers[0].proc.pid, signal.SIGINT)
    kinds = {pool.run(SAMPLE, SAMPLE.name, Limits(), None)[0] for _ in range(3)}
    assert kinds == {"ok"}
    pool.close()
    # each worker exited on the stop message (exit code 0), not by a kill
    assert [w.proc.exitcode for w in workers] == [0, 0]


def test_a_recycled_worker_is_replaced_and_the_old_one_exits():
    pool = WorkerPool(1, memory_bytes=None, recycle_after=1)
    assert pool.wait_started(timeout=300)
    (old,) = pool._workers
    assert pool.run(SAMPLE, SAMPLE.name, Limits(), None)[0] == "ok"
    (new,) = pool._workers
    assert new is not old and new.proc.is_alive()
    assert old.proc.exitcode == 0  # asked to stop after its one document, not killed
    assert pool.run(SAMPLE, SAMPLE.name, Limits(), None)[0] == "ok"
    pool.close()
    assert pool._workers == set() and not new.proc.is_alive()


def test_a_batch_runs_ahead_in_one_worker_and_a_timeout_costs_only_its_document(tmp_path):
    """run_many sends a worker the documents after the one it runs: when one of them times
    out, its worker goes, and the documents it had been sent but not started run on the new
    worker, in order, each with its own outcome."""
    from tests.shingikai.test_limits import slow_pdf

    slow = tmp_path / "slow.pdf"
    slow.write_bytes(slow_pdf())
    gone = tmp_path / "gone.txt"  # unreadable: the worker says so and carries on
    jobs = [(SAMPLE, "a.txt", None), (gone, "gone.txt", None), (slow, "slow.pdf", None)]
    jobs += [(SAMPLE, f"b{i}.txt", None) for i in range(4)]
    pool = WorkerPool(1, memory_bytes=None)
    assert pool.wait_started(timeout=300)
    (first,) = pool._workers
    outcomes = pool.run_many(jobs, Limits(timeout_s=2))
    kinds = [kind for kind, _, _ in outcomes]
    assert kinds == ["ok", "unreadable", "timeout", "ok", "ok", "ok", "ok"]
    assert [p.document.source_path for k, p, _ in outcomes if k == "ok"] == [
        "a.txt",
        "b0.txt",
        "b1.txt",
        "b2.txt",
        "b3.txt",
    ]
    (second,) = pool._workers
    assert second is not first and not first.proc.is_alive()
    pool.close()


def test_a_batch_longer_than_the_recycling_period_goes_on_in_the_next_worker():
    pool = WorkerPool(1, memory_bytes=None, recycle_after=2)
    assert pool.wait_started(timeout=300)
    (old,) = pool._workers
    outcomes = pool.run_many([(SAMPLE, f"d{i}.txt", None) for i in range(5)], Limits())
    assert [k for k, _, _ in outcomes] == ["ok"] * 5
    assert [p.document.source_path for _, p, _ in outcomes] == [f"d{i}.txt" for i in range(5)]
    assert old.proc.exitcode == 0  # asked to stop after its two documents, not killed
    assert old not in pool._workers and len(pool._workers) == 1
    pool.close()
