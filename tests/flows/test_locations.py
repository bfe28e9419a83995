"""Document identity across roots: nothing lost when two files share a name, every location kept.

One `shingikai ingest` per step (issue 13, finding 1): two cities with the same relative
file name, identical bytes in two folders, and a re-run over all of them that changes nothing.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from shingikai.warehouse import connect_readonly
from tests.conftest import SAMPLES
from tests.ingest_helpers import run_ingest_cli, snapshot

pytestmark = pytest.mark.slow  # the real CLI in a subprocess, through Prefect

MINUTES = SAMPLES / "kaedehara_2018_08_kaigiroku.txt"
TOSHIN = SAMPLES / "shiomino_2019_11_youroku.md"


def _rows(db: Path, sql: str) -> list[tuple]:
    con = connect_readonly(db)
    try:
        return sorted(con.execute(sql).fetchall())
    finally:
        con.close()


def test_same_names_in_two_roots_are_two_documents_and_identical_bytes_one(tmp_path: Path):
    folders = {}
    for city in ("tokyo", "osaka", "kyoto", "nara"):
        folders[city] = tmp_path / city / "2023"
        folders[city].mkdir(parents=True)
    # the same relative name, different bytes, in three cities; nara holds tokyo's bytes
    shutil.copy(MINUTES, folders["tokyo"] / "minutes.txt")
    shutil.copy(TOSHIN, folders["osaka"] / "minutes.txt")
    (folders["kyoto"] / "minutes.txt").write_bytes(TOSHIN.read_bytes() + b"\n\n")
    shutil.copy(MINUTES, folders["nara"] / "minutes.txt")
    db = tmp_path / "w.ducklake"

    run_ingest_cli([folders["tokyo"]], db)
    tokyo_id, tokyo_consultations = _rows(
        db,
        "SELECT d.document_id, count(c.consultation_id) FROM documents d "
        "LEFT JOIN consultations c USING (document_id) GROUP BY ALL",
    )[0]
    assert tokyo_consultations > 0

    # another city's file with the same relative name must not replace tokyo's document;
    # in one run, two new files with the same name are both stored; identical bytes are one document
    second = run_ingest_cli([folders["osaka"], folders["kyoto"], folders["nara"]], db)
    assert "new: 2," in second.stdout, second.stdout
    assert "location recorded: 1" in second.stdout, second.stdout
    documents = _rows(db, "SELECT document_id, source_path FROM documents")
    assert len(documents) == 3, documents
    assert {p for _, p in documents} == {"2023/minutes.txt"}
    assert _rows(db, f"SELECT count(*) FROM consultations WHERE document_id = '{tokyo_id}'") == [
        (tokyo_consultations,)
    ], "tokyo's consultations were lost"
    locations = _rows(db, "SELECT root, path, document_id FROM document_locations")
    assert {(root, path) for root, path, _ in locations} == {
        (str(folder.resolve()), "minutes.txt") for folder in folders.values()
    }, locations
    by_root = {root: doc for root, _, doc in locations}
    assert len(by_root) == 4 and by_root[str(folders["nara"].resolve())] == tokyo_id
    assert len(set(by_root.values())) == 3

    # a re-run over every folder, identical files included, changes nothing and extracts nothing
    before = snapshot(db)
    third = run_ingest_cli(list(folders.values()), db)
    assert "new: 0," in third.stdout and "skipped (unchanged): 4" in third.stdout, third.stdout
    assert snapshot(db) == before
