"""`shingikai ingest --dask local --workers 2` gives the same consultations as a sequential run."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from shingikai.warehouse import connect_readonly
from tests.conftest import ROOT, SAMPLES

pytestmark = pytest.mark.slow  # a Dask cluster and Prefect in a subprocess

QUERY = """SELECT d.source_path, c.* EXCLUDE (document_id)
           FROM consultations c JOIN documents d USING (document_id) ORDER BY ALL"""


def _consultations(db: Path) -> list[tuple]:
    con = connect_readonly(db)
    try:
        cols = [r[0] for r in con.execute("DESCRIBE consultations").fetchall()]
        drop = [
            c for c in cols if c.endswith("_id") and c != "document_id"
        ]  # ids may embed run-specific keys
        sql = (
            QUERY.replace(
                "EXCLUDE (document_id)", "EXCLUDE (" + ", ".join(["document_id", *drop]) + ")"
            )
            if drop
            else QUERY
        )
        rows = con.execute(sql).fetchall()
        statuses = con.execute("SELECT status, count(*) FROM documents GROUP BY 1").fetchall()
    finally:
        con.close()
    assert statuses == [("ok", 4)]
    return rows


@pytest.mark.timeout(900)
def test_dask_matches_sequential(tmp_path):
    env = {**os.environ, "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "120"}
    seq_db, dask_db = tmp_path / "seq.ducklake", tmp_path / "dask.ducklake"
    cmd = [sys.executable, "-m", "shingikai.cli", "ingest", str(SAMPLES)]
    procs = [
        subprocess.Popen(
            [*cmd, "--db", str(seq_db)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        ),
        subprocess.Popen(
            [*cmd, "--db", str(dask_db), "--dask", "local", "--workers", "2"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        ),
    ]
    try:
        outs = [p.communicate(timeout=800) for p in procs]
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait()
    for p, (out, err) in zip(procs, outs, strict=True):
        assert p.returncode == 0, err[-2000:]
        assert "failed: 0" in out
    seq, par = _consultations(seq_db), _consultations(dask_db)
    assert len(seq) >= 4
    assert par == seq
