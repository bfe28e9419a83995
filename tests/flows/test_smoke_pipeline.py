"""End to end on the shipped samples: ingest through the Prefect flow, then score against their gold."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from shingikai.warehouse import connect_readonly
from tests.conftest import ROOT, SAMPLES
from tests.ingest_helpers import cli_env

pytestmark = pytest.mark.slow  # the real CLI in a subprocess, through Prefect


def test_ingest_samples_and_eval(tmp_path):
    db = tmp_path / "w.ducklake"
    run = subprocess.run(
        [sys.executable, "-m", "shingikai.cli", "ingest", str(SAMPLES), "--db", str(db)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        env=cli_env(),  # Prefect's API may take long to start on a loaded machine
    )
    assert run.returncode == 0, run.stderr[-2000:]
    assert "consultations found" in run.stdout
    con = connect_readonly(db)
    statuses = dict(con.execute("SELECT status, count(*) FROM documents GROUP BY 1").fetchall())
    assert statuses == {"ok": 4}
    assert con.execute("SELECT count(*) FROM consultations").fetchone()[0] >= 4
    # every contractor and data-item row is grounded: its span of the text contains its value
    ungrounded = con.execute(
        """
        WITH spans AS (
            SELECT document_id, name AS value, start_char, end_char FROM contractors
            UNION ALL
            SELECT document_id, item, start_char, end_char FROM data_items
        )
        SELECT s.document_id, s.value, substr(t.text, s.start_char + 1, s.end_char - s.start_char) AS evidence
        FROM spans s JOIN document_texts t USING (document_id)
        WHERE strpos(regexp_replace(evidence, '\\s', '', 'g'), regexp_replace(s.value, '\\s', '', 'g')) = 0
        """
    ).fetchall()
    n_spans = con.execute(
        "SELECT (SELECT count(*) FROM contractors) + (SELECT count(*) FROM data_items)"
    ).fetchone()[0]
    assert n_spans > 20
    assert ungrounded == []
    con.close()
    ev = subprocess.run(
        [
            sys.executable,
            "-m",
            "shingikai.cli",
            "eval",
            "--gold",
            str(SAMPLES),
            "--db",
            str(db),
            "--json",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert ev.returncode == 0, ev.stderr[-2000:]
    result = json.loads(ev.stdout)
    assert result["overall"]["documents"] == 4
    assert result["overall"]["headline"] > 0.5
    # a second run changes nothing
    again = subprocess.run(
        [sys.executable, "-m", "shingikai.cli", "ingest", str(SAMPLES), "--db", str(db)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert "new: 0, skipped (unchanged): 4" in again.stdout
