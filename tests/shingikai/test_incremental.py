"""Incremental ingest: plan() skips loaded files, re-extracts on a new extractor version,
and loading a changed file at the same source_path replaces the old document's rows."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import extractors
import shingikai.discover as discovery
from extractors.pipeline import extract_bytes
from shingikai import warehouse
from tests.conftest import ROOT

FIXTURE = ROOT / "tests" / "fixtures" / "layouts" / "sjis_kogaura.txt"


def _warehouse_with(db: Path, files: list[discovery.SourceFile]) -> None:
    """A lake holding extractions of the given files (DDL applied)."""
    with warehouse.Writer(db) as writer:
        for f in files:
            extraction = extract_bytes(f.path.read_bytes(), f.source_path)
            warehouse.load(
                writer.con, extraction, [discovery.location_of(f, extraction.document.document_id)]
            )


@pytest.fixture
def root(tmp_path: Path) -> Path:
    d = tmp_path / "raw"
    d.mkdir()
    shutil.copy(FIXTURE, d / FIXTURE.name)
    return d


def test_plan_skips_loaded_file(root: Path, tmp_path: Path) -> None:
    db = tmp_path / "w.ducklake"
    files = discovery.discover([root])
    assert [f.source_path for f in files] == [f"raw/{FIXTURE.name}"]
    todo, skipped = discovery.plan(files, db)
    assert (len(todo), skipped) == (1, 0), "an empty warehouse must extract everything"
    _warehouse_with(db, files)
    todo, skipped = discovery.plan(discovery.discover([root]), db)
    assert (todo, skipped) == ([], 1), (
        f"loaded and unchanged: want skipped, got todo={[f.source_path for f in todo]}"
    )
    todo, skipped = discovery.plan(discovery.discover([root]), db, force=True)
    assert (len(todo), skipped) == (1, 0), "force re-extracts"


def test_plan_reextracts_on_new_extractor_version(
    root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "w.ducklake"
    _warehouse_with(db, discovery.discover([root]))
    loaded_version = extractors.extractor_version()
    monkeypatch.setattr(discovery, "extractor_version", lambda: loaded_version + "-next")
    monkeypatch.setattr(extractors, "extractor_version", lambda: loaded_version + "-next")
    todo, skipped = discovery.plan(discovery.discover([root]), db)
    assert (len(todo), skipped) == (1, 0), (
        f"extractor version changed from {loaded_version}: the file must be re-extracted"
    )


def test_plan_skips_duplicate_bytes_once(root: Path, tmp_path: Path) -> None:
    shutil.copy(FIXTURE, root / "copy.txt")
    todo, skipped = discovery.plan(discovery.discover([root]), tmp_path / "none.ducklake")
    actions = sorted(f.action for f in todo)
    assert skipped == 0 and actions == [discovery.Action.EXTRACT, discovery.Action.LOCATE], (
        "two files with the same bytes are one document (extracted once) with two locations"
    )


def test_changed_file_replaces_old_rows() -> None:
    con = warehouse.memory_warehouse()
    source_path = f"raw/{FIXTURE.name}"
    old_bytes = FIXTURE.read_bytes()
    new_bytes = old_bytes.replace(
        "社会福祉法人ひだまり会".encode("cp932"), "社会福祉法人こもれび会".encode("cp932")
    )
    assert new_bytes != old_bytes, "fixture changed: the replaced contractor name is gone"
    old, new = extract_bytes(old_bytes, source_path), extract_bytes(new_bytes, source_path)
    assert old.document.document_id != new.document.document_id
    warehouse.load(con, old)
    assert con.execute("SELECT count(*) FROM documents").fetchone()[0] == 1
    assert con.execute("SELECT count(*) FROM document_texts").fetchone()[0] == 1
    warehouse.load(con, new)
    docs = con.execute("SELECT document_id, source_path FROM documents").fetchall()
    assert docs == [(new.document.document_id, source_path)], (
        f"after reloading a changed file: {docs}"
    )
    for table in warehouse.DOCUMENT_TABLES:
        stale = con.execute(
            f"SELECT count(*) FROM {table} WHERE document_id = ?", [old.document.document_id]
        ).fetchone()[0]
        assert stale == 0, f"{table}: {stale} rows of the replaced document remain"
    texts = con.execute("SELECT text FROM document_texts").fetchall()
    assert len(texts) == 1 and "こもれび会" in texts[0][0] and "ひだまり会" not in texts[0][0]
    n_cons = con.execute("SELECT count(*) FROM consultations").fetchone()[0]
    assert n_cons == len(new.consultations), (
        f"consultations: {n_cons} rows, want {len(new.consultations)}"
    )
    # loading the same extraction again changes nothing
    before = {
        t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in warehouse.DOCUMENT_TABLES
    }
    warehouse.load(con, new)
    after = {
        t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in warehouse.DOCUMENT_TABLES
    }
    assert before == after, f"reloading the same document changed row counts: {before} -> {after}"
    con.close()


def test_other_paths_untouched_by_reload() -> None:
    con = warehouse.memory_warehouse()
    data = FIXTURE.read_bytes()
    warehouse.load(con, extract_bytes(data + b"\r\n", "a/one.txt"))
    warehouse.load(con, extract_bytes(data, "b/two.txt"))
    warehouse.load(con, extract_bytes(data + b"\r\n\r\n", "a/one.txt"))
    paths = sorted(r[0] for r in con.execute("SELECT source_path FROM documents").fetchall())
    assert paths == ["a/one.txt", "b/two.txt"], paths
    con.close()
