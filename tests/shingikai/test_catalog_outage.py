"""A lake's catalog that stops answering for a moment (a PostgreSQL server restarted): the batch
waits for it and is committed whole; past the wait it fails with one line, and no document is
recorded as failed for the catalog's fault."""

from __future__ import annotations

import duckdb
import pytest

from bench.postgres import free_port
from models.vocab import Status
from shingikai import ingest, warehouse
from shingikai.cli.main import main
from shingikai.discover import SourceFile
from shingikai.sandbox import failed
from tests.conftest import SAMPLES
from tests.ingest_helpers import snapshot

GONE = 'IO Error: Unable to connect to Postgres at "dbname=lake": Connection refused'


def _batch(tmp_path, n: int = 2):
    files, extractions = [], []
    for k in range(n):
        path = tmp_path / f"doc{k}.txt"
        path.write_text(f"文書 {k}", "utf-8")
        f = SourceFile(path, f"raw/doc{k}.txt", document_id=f"{k:064x}", root=str(tmp_path))
        f.relative = path.name
        files.append(f)
        extractions.append(
            failed(path, f.source_path, Status.UNSUPPORTED, "a stand-in", None, f.document_id)
        )
    return files, extractions


def _catalog_gone_for(calls: int, monkeypatch) -> list[int]:
    """load_many fails as an unreachable catalog does, `calls` times, then works again."""
    seen: list[int] = []
    real = warehouse.load_many

    def flaky(con, extractions, locations=None, **options):
        seen.append(1)
        if len(seen) <= calls:
            raise duckdb.IOException(GONE)
        return real(con, extractions, locations, **options)

    monkeypatch.setattr(warehouse, "load_many", flaky)
    monkeypatch.setattr(warehouse, "load", lambda *a, **k: pytest.fail("no document alone"))
    return seen


def test_a_batch_waits_for_its_catalog_and_commits_whole(tmp_path, monkeypatch):
    db = tmp_path / "w.ducklake"
    files, extractions = _batch(tmp_path)
    seen = _catalog_gone_for(2, monkeypatch)
    loaded = ingest.commit_batch(db, files, extractions)
    assert len(seen) == 3
    assert [o.status for o in loaded] == ["unsupported", "unsupported"]
    warehouse.close_reused_writers()
    assert sorted(r[0] for r in snapshot(db)["documents"]) == [f.document_id for f in files]


def test_past_the_wait_the_batch_fails_with_one_line(tmp_path, monkeypatch, capsys):
    db = tmp_path / "w.ducklake"
    files, extractions = _batch(tmp_path)
    _catalog_gone_for(99, monkeypatch)
    monkeypatch.setattr(ingest, "CATALOG_WAIT_S", 0.0)
    with pytest.raises(warehouse.CatalogUnreachable) as caught:
        ingest.commit_batch(db, files, extractions)
    warehouse.close_reused_writers()

    def run_ingest(*args, **kwargs):
        raise caught.value

    import flows.launch

    monkeypatch.setattr(flows.launch, "run_ingest", run_ingest)
    assert main(["ingest", str(tmp_path), "--db", str(db)]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: the warehouse's catalog stopped answering")
    assert "run the same ingest again" in err[0]


def test_a_catalog_that_does_not_answer_is_one_line(capsys):
    port = free_port()  # nothing listens there
    db = f"postgres:dbname=lake host=127.0.0.1 port={port} user=postgres"
    assert main(["ingest", str(SAMPLES), "--db", db]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith(
        "error: the warehouse's catalog could not be reached"
    )
