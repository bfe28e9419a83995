"""Several writers on one lake: each commits its own batches, collisions are retried, and every
document lands exactly once. Against the default SQLite catalog and against a real PostgreSQL
server that the test starts on loopback (Debian's `postgresql` package; `.ci/run` installs it).
"""

from __future__ import annotations

import contextlib
import threading
from pathlib import Path

import pytest

from bench.copies import copy_of
from bench.lake import run_writers
from bench.postgres import postgres_lake
from extractors.pipeline import extract_bytes
from shingikai import warehouse
from shingikai.warehouse import lake
from tests.conftest import SAMPLES
from tests.ingest_helpers import snapshot, tables_of

pytestmark = pytest.mark.slow  # writer processes, and a PostgreSQL server

WRITERS = 3
NEW_PER_WRITER = 8  # documents only this writer loads, in batches of BATCH
BATCH = 2
SHARED = 6  # documents loaded before the writers start, which every writer replaces at once


@pytest.fixture(scope="module")
def originals():
    files = [p for p in sorted(SAMPLES.glob("*_*.*")) if p.suffix in (".txt", ".md")]
    return [extract_bytes(p.read_bytes(), f"samples/{p.name}") for p in files]


def _copies(originals, start: int, n: int, folder: str) -> list:
    return [copy_of(originals[i % len(originals)], start + i, folder) for i in range(n)]


def load_at_once(db: str, originals, work: Path, env: dict[str, str] | None = None) -> list[dict]:
    """Load SHARED documents, then start WRITERS processes at once: each replaces the shared ones
    (first, so that their commits collide) and loads its own new ones. Returns their reports."""
    shared = _copies(originals, 0, SHARED, "shared")
    with warehouse.Writer(db) as w:
        warehouse.load_many(w.con, shared)
    plans = []
    for k in range(WRITERS):
        own = _copies(originals, 1000 * (k + 1), NEW_PER_WRITER, f"writer{k}")
        plans.append([shared] + [own[i : i + BATCH] for i in range(0, len(own), BATCH)])
    reports, _ = run_writers(db, work / "writers", plans, env)
    return reports


def expected_tables(originals) -> dict:
    """What the lake must hold: every document once, as one writer alone would have loaded it."""
    con = warehouse.memory_warehouse()
    docs = _copies(originals, 0, SHARED, "shared")
    for k in range(WRITERS):
        docs += _copies(originals, 1000 * (k + 1), NEW_PER_WRITER, f"writer{k}")
    warehouse.load_many(con, docs)
    return tables_of(con)


def _check(db: str, originals, reports: list[dict]) -> None:
    got = snapshot(db)
    ids = [r[0] for r in got["documents"]]
    assert len(ids) == len(set(ids)) == SHARED + WRITERS * NEW_PER_WRITER
    assert got == expected_tables(originals)
    print("writers:", reports)  # retries and seconds, for the record (pytest -s)


def test_three_writers_sqlite(originals, tmp_path):
    db = str(tmp_path / "w.ducklake")
    reports = load_at_once(db, originals, tmp_path)
    _check(db, originals, reports)


def _two_writers_replacing_one_document(db: Path, doc) -> tuple[threading.Thread, list, dict]:
    """Start a writer thread "first" that replaces `doc` and stops just before its commit; the
    events say when it holds its transaction and let it go on."""
    with warehouse.Writer(db) as w:
        warehouse.load(w.con, doc)
    events = {"holding": threading.Event(), "go_on": threading.Event()}
    errors: list[BaseException] = []

    def load() -> None:
        try:
            with warehouse.Writer(db) as w:
                warehouse.load(w.con, doc)
        except BaseException as exc:  # reported by the test
            errors.append(exc)

    first = threading.Thread(target=load, name="first")
    return first, errors, events


def _pause_first_commit(monkeypatch, events: dict) -> None:
    real = lake.before_commit

    def pause() -> None:
        if threading.current_thread().name == "first" and not events["holding"].is_set():
            events["holding"].set()
            assert events["go_on"].wait(120)
        real()

    monkeypatch.setattr(lake, "before_commit", pause)


def test_a_colliding_commit_is_retried(originals, tmp_path, monkeypatch):
    """Writers that do not share a machine (no turn to take) replace the same document; the second
    commits while the first holds its transaction open. The first's commit fails, runs again,
    and the document is there once."""
    db = tmp_path / "w.ducklake"
    doc = originals[0]
    first, errors, events = _two_writers_replacing_one_document(db, doc)
    _pause_first_commit(monkeypatch, events)
    monkeypatch.setattr(lake, "commit_turn", lambda con: contextlib.nullcontext())
    before = lake.retries_seen
    first.start()
    assert events["holding"].wait(120)
    with warehouse.Writer(db) as w:
        warehouse.load(w.con, doc)
    events["go_on"].set()
    first.join(120)
    assert errors == []
    assert lake.retries_seen > before, "the first commit should have collided"
    assert [r[0] for r in snapshot(db)["documents"]] == [doc.document.document_id]


def test_writers_on_one_machine_take_turns_instead_of_colliding(originals, tmp_path, monkeypatch):
    db = tmp_path / "w.ducklake"
    doc = originals[0]
    first, errors, events = _two_writers_replacing_one_document(db, doc)
    _pause_first_commit(monkeypatch, events)
    before = lake.retries_seen
    first.start()
    assert events["holding"].wait(120)
    second_done = threading.Event()

    def second() -> None:
        with warehouse.Writer(db) as w:
            warehouse.load(w.con, doc)
        second_done.set()

    other = threading.Thread(target=second)
    other.start()
    assert not second_done.wait(1.0), "the second writer should wait for the first's commit"
    events["go_on"].set()
    first.join(120)
    other.join(120)
    assert errors == [] and second_done.is_set()
    assert lake.retries_seen == before  # nothing was redone
    assert [r[0] for r in snapshot(db)["documents"]] == [doc.document.document_id]


# ---- PostgreSQL, started by the test itself


@pytest.fixture(scope="module")
def postgres():
    """A throwaway PostgreSQL server on loopback; yields the lake's catalog name."""
    with postgres_lake() as server:
        yield server.catalog


def test_three_writers_postgres(postgres, originals, tmp_path, monkeypatch):
    data_path = tmp_path / "lake-files"
    monkeypatch.setenv("SHINGIKAI_DATA_PATH", str(data_path))
    reports = load_at_once(
        postgres, originals, tmp_path, env={"SHINGIKAI_DATA_PATH": str(data_path)}
    )
    _check(postgres, originals, reports)
    assert list(data_path.rglob("*.parquet")), "the data files belong under the data path"
