"""`run_ingest` plans once: the flow gets the plan, so every file is hashed exactly once."""

from __future__ import annotations

import collections
from pathlib import Path

import pytest

import shingikai.discover
from flows.launch import run_ingest
from shingikai.warehouse import readonly
from tests.conftest import SAMPLES

pytestmark = pytest.mark.slow  # runs the Prefect flow (a temporary Prefect server)


def test_each_file_is_hashed_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    hashed: collections.Counter[Path] = collections.Counter()
    real = shingikai.discover.sha256_of

    def counting(path: Path) -> str:
        hashed[Path(path)] += 1
        return real(path)

    monkeypatch.setattr(shingikai.discover, "sha256_of", counting)
    db = tmp_path / "w.ducklake"
    summary = run_ingest([str(SAMPLES)], str(db))
    assert (summary.seen, summary.new, summary.failed) == (4, 4, 0)
    assert sorted(hashed.values()) == [1, 1, 1, 1], hashed
    with readonly(db) as con:
        assert con.execute("SELECT count(*) FROM documents WHERE status = 'ok'").fetchone() == (4,)
        copies = con.execute("SELECT count(*) FROM documents WHERE duplicate_of IS NOT NULL")
        # counted in the run's last commit, so the command line need not open the lake again
        assert summary.copies == copies.fetchone()[0]
    # nothing new: no flow, and still one hash per file
    hashed.clear()
    again = run_ingest([str(SAMPLES)], str(db))
    assert (again.seen, again.new, again.skipped) == (4, 0, 4)
    assert again.copies is None  # no flow ran: the command line asks the warehouse
    assert sorted(hashed.values()) == [1, 1, 1, 1]


def test_the_flow_is_given_a_key_not_the_plan() -> None:
    """Prefect refuses flow-run parameters over 512 KiB: a plan of ~2,000 files was over it."""
    import inspect

    from flows import ingest
    from shingikai.discover import Plan

    params = inspect.signature(ingest.ingest_flow.fn).parameters
    assert all(p.annotation not in (Plan, "Plan", Plan | None) for p in params.values())
    plan = Plan(seen=0, todo=[], skipped=0)
    key = ingest.hand_over(plan)
    assert len(key) < 64 and ingest._PLANS.pop(key) is plan
