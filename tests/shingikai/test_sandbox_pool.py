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
