"""The shared seeds plus their PDF and re-encoded copies give the views of the seeds alone.

The copies (`../shared/corpus/pdf`: a PDF per seed, seed 001 in Shift_JIS and EUC-JP)
arrive on a later night than the seeds, then in the other order; every view returns
the same rows either way, apart from the columns that list the copies themselves.
"""

from __future__ import annotations

import pytest

from extractors.pipeline import extract_bytes
from shingikai.warehouse import load, memory_warehouse
from tests.conftest import SHARED

SEEDS = SHARED / "corpus" / "seeds"
COPIES = SHARED / "corpus" / "pdf"
COPY_COLUMNS = {"n_copies", "copies", "copy_document_ids"}
# views of researchers' corrections list each file's own rows: a correction belongs to the file
# it was made on (data/corrections/<sha256>.toml), so a copy has rows of its own there
PER_FILE_VIEWS = {"corrected_values", "consultation_value_origins"}

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def extractions():
    if not SEEDS.is_dir() or not COPIES.is_dir():
        pytest.fail(f"{SHARED}/corpus is not beside the repository")
    seeds = [extract_bytes(p.read_bytes(), f"seeds/{p.name}") for p in sorted(SEEDS.glob("00*"))]
    copies = [
        extract_bytes(p.read_bytes(), f"pdf/{p.name}")
        for p in sorted(COPIES.iterdir())
        if p.name.startswith("00") or p.name.endswith("_minutes.txt")
    ]
    assert len(seeds) == 5 and len(copies) == 7
    return seeds, copies


def views(con) -> dict[str, list[tuple]]:  # type: ignore[no-untyped-def]
    out = {}
    for (name,) in con.execute(
        "SELECT view_name FROM duckdb_views() WHERE schema_name = 'main' AND NOT internal"
    ).fetchall():
        if name in PER_FILE_VIEWS:
            continue
        cols = [
            c
            for (c,) in con.execute(
                "SELECT column_name FROM duckdb_columns() WHERE table_name = ? ORDER BY column_index",
                [name],
            ).fetchall()
            if c not in COPY_COLUMNS
        ]
        select = ", ".join(f'"{c}"' for c in cols)
        out[name] = sorted(con.execute(f'SELECT {select} FROM "{name}"').fetchall(), key=repr)
    return out


def test_seeds_with_copies_count_like_seeds_alone(extractions):
    seeds, copies = extractions
    alone = memory_warehouse()
    for e in seeds:
        load(alone, e)
    expected = views(alone)
    assert len(expected["consultations_with_meeting"]) == 10
    assert len(expected["meetings_once"]) == 5
    for nights in ([seeds, copies], [copies, seeds]):
        con = memory_warehouse()
        for night in nights:
            for e in night:
                load(con, e)
        assert con.execute("SELECT count(*) FROM documents").fetchone()[0] == 12
        got = views(con)
        for name, rows in expected.items():
            assert got[name] == rows, name
        # every copy is kept and marked, pointing at its seed
        assert (
            con.execute("SELECT count(*) FROM documents WHERE duplicate_of IS NOT NULL").fetchone()[
                0
            ]
            == 7
        )
        assert con.execute("SELECT max(n_copies), sum(n_copies) FROM meetings_once").fetchone() == (
            4,
            12,
        )
