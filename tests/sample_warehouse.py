"""One warehouse built from data/raw/samples per test session, shared by the analysis tests."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT, SAMPLES

_BUILT: dict[str, Path] = {}


def build(tmp_path_factory) -> Path:  # type: ignore[no-untyped-def]
    if "db" not in _BUILT:
        db = tmp_path_factory.mktemp("warehouse") / "samples.ducklake"
        # the ephemeral Prefect server can be slow to start on a loaded machine: allow it time, retry once
        env = {**os.environ, "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "120"}
        for _ in range(2):
            run = subprocess.run(
                [sys.executable, "-m", "shingikai.cli", "ingest", str(SAMPLES), "--db", str(db)],
                cwd=ROOT,
                capture_output=True,
                text=True,
                timeout=600,
                env=env,
            )
            if run.returncode == 0:
                break
        assert run.returncode == 0, run.stderr[-3000:]
        _BUILT["db"] = db
    return _BUILT["db"]
