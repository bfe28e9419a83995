"""Snapshot retention in `maintain`: snapshots older than the operator's policy are expired and the
files only they read are deleted; time travel within the policy still works."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from extractors.pipeline import extract_bytes
from shingikai import warehouse
from shingikai.cli.main import main
from shingikai.warehouse import lake
from tests.conftest import SAMPLES
from tests.ingest_helpers import recorded_files, tables_of


@pytest.fixture(scope="module")
def extractions():
    files = [p for p in sorted(SAMPLES.glob("*_*.*")) if p.suffix in (".txt", ".md")]
    return [extract_bytes(p.read_bytes(), f"samples/{p.name}") for p in files]


def _at(db: Path, at: int | None = None) -> dict:
    with warehouse.readonly(db, at=at) as con:
        return tables_of(con)


def _history(db: Path, extractions) -> list[int]:
    """A lake of four commits, one document each, the last replacing the first (so that files of
    the older snapshots are read by them only). Returns the snapshot ids after each commit."""
    ids = []
    with warehouse.Writer(db) as w:
        for e in [*extractions, extractions[0]]:
            warehouse.load_many(w.con, [e])
            ids.append(lake.last_snapshot(w.con))
    return ids


def _age(db: Path, up_to: int, when: str = "2001-01-01 00:00:00+00") -> None:
    """Date the snapshots up to `up_to` back to `when`, as if they were made long ago."""
    with sqlite3.connect(db) as catalog:
        catalog.execute(
            "UPDATE ducklake_snapshot SET snapshot_time = ? WHERE snapshot_id <= ?", [when, up_to]
        )


def test_maintain_expires_snapshots_older_than_the_policy(extractions, tmp_path):
    db = tmp_path / "w.ducklake"
    ids = _history(db, extractions)
    within = {s: _at(db, s) for s in ids[1:]}
    latest = _at(db)
    files = db.with_name(db.name + ".files")
    on_disk_before = len(list(files.rglob("*.parquet")))

    kept = lake.maintain(db, keep_for="0 seconds")  # the default policy: nothing is that old
    assert kept.expired == 0
    assert set(ids) <= {s[0] for s in lake.snapshots(db)}  # (maintain commits some more)

    _age(db, ids[0])  # the first commit (and the lake's creation) made long ago
    done = lake.maintain(db, keep_for="0 seconds", keep_snapshots="30 days")
    assert done.expired >= 1
    remaining = [s[0] for s in lake.snapshots(db)]
    assert ids[0] not in remaining and set(ids[1:]) <= set(remaining)
    with pytest.raises(Exception, match="(?i)snapshot"):
        _at(db, ids[0])
    # time travel within the policy reads as before, and so does the latest snapshot
    assert {s: _at(db, s) for s in ids[1:]} == within
    assert _at(db) == latest
    # the files only the expired snapshot read are gone; what is left is what the catalog records
    on_disk = len(list(files.rglob("*.parquet")))
    assert on_disk < on_disk_before and on_disk == recorded_files(db)


def test_the_policy_comes_from_the_operator(extractions, tmp_path, monkeypatch, capsys):
    db = tmp_path / "w.ducklake"
    ids = _history(db, extractions[:2])
    _age(db, ids[0], when="2026-01-01 00:00:00+00")
    first = _at(db, ids[0])
    monkeypatch.setenv("SHINGIKAI_KEEP_SNAPSHOTS", "100000 days")  # policy: keep everything
    assert main(["maintain", "--db", str(db), "--keep-for", "0 seconds"]) == 0
    assert "expired: 0" in capsys.readouterr().out
    assert _at(db, ids[0]) == first  # still readable
    monkeypatch.setenv("SHINGIKAI_KEEP_SNAPSHOTS", "7 days")
    assert main(["maintain", "--db", str(db), "--keep-for", "0 seconds"]) == 0
    assert "snapshots older than 7 days expired: " in capsys.readouterr().out
    assert ids[0] not in [s[0] for s in lake.snapshots(db)]
    assert main(["maintain", "--db", str(db), "--keep-snapshots", "a fortnight"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "not an interval" in err[0]
