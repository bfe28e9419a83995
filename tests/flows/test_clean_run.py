"""An ingest ends cleanly, success or failure: no traceback, no "Error logging to API", one summary.

And a run with nothing new or changed starts nothing: no Prefect server, no extraction workers.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.conftest import SAMPLES
from tests.ingest_helpers import run_ingest_cli


def _assert_quiet(stderr: str) -> None:
    assert "Traceback" not in stderr, stderr[-3000:]
    assert "Error logging to API" not in stderr, stderr[-3000:]
    assert "| INFO" not in stderr  # Prefect's per-run lines are off without --verbose


@pytest.mark.slow
def test_ingest_ends_cleanly_and_a_noop_starts_nothing(tmp_path: Path, monkeypatch):
    corpus = tmp_path / "in"
    shutil.copytree(SAMPLES, corpus / "samples")
    (corpus / "samples" / "empty.pdf").write_bytes(b"")  # fails, with a reason
    db = tmp_path / "w.ducklake"

    first = run_ingest_cli([corpus], db)
    _assert_quiet(first.stderr)
    assert first.stdout.count("files seen:") == 1  # the summary, once
    assert "files seen: 5, new: 5, skipped (unchanged): 0, failed: 1," in first.stdout
    assert "empty.pdf" in first.stdout

    again = run_ingest_cli([corpus], db)
    _assert_quiet(again.stderr)
    assert "files seen: 5, new: 0, skipped (unchanged): 5, failed: 0," in again.stdout

    # the same no-op in process: neither the server nor the workers may be started
    import flows.launch as launch

    def refuse(*args, **kwargs):
        raise AssertionError("a run with nothing new started something")

    monkeypatch.setattr(launch, "TemporaryServer", refuse)
    monkeypatch.setattr(launch, "ReusedServer", refuse)
    monkeypatch.setattr(launch, "start_pool", refuse)
    summary = launch.run_ingest([str(corpus)], str(db))
    assert (summary.seen, summary.new, summary.skipped) == (5, 0, 5)
