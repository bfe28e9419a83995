"""The development set's real chains are linked, and nothing else (issue 21).

`../shared/corpus/real` holds one 諮問 over two meetings (108/109: 宮崎県 諮問第63号, first
deliberation and continuation); 107 is 諮問第62号 of the same council under a header that names
no local government; 111/112 give the same title a year apart (two 諮問); 125–127 confirm
answers (答申書の確認) to 諮問 made before the excerpts; 138 defers two 諮問 (継続審議).
"""

from __future__ import annotations

import random

import pytest

from extractors.pipeline import extract_bytes
from shingikai.warehouse import load_many, memory_warehouse
from shingikai.warehouse.history import link_all
from tests.conftest import SHARED

pytestmark = pytest.mark.slow  # extracts the 40 documents of the development set (~40 s)

REAL = SHARED / "corpus" / "real"


@pytest.fixture(scope="module")
def extractions():
    if not REAL.is_dir():
        pytest.fail(f"{REAL} is missing: the shared corpus must sit beside the repository")
    return [extract_bytes(p.read_bytes(), f"real/{p.name}") for p in sorted(REAL.glob("1*.txt"))]


def _histories(con) -> dict[str, list[str]]:
    """consultation_key -> file stems of its rows, for histories of more than one row."""
    rows = con.execute(
        "SELECT consultation_key, list(split_part(source_path, '/', 2) ORDER BY held_on) "
        "FROM consultation_history GROUP BY consultation_key HAVING count(*) > 1"
    ).fetchall()
    return {k: v for k, v in rows}


def _links(con) -> dict[str, tuple]:
    return dict(
        (r[0], r[1:])
        for r in con.execute(
            "SELECT consultation_id, consultation_key, stage, link_candidates FROM consultations"
        ).fetchall()
    )


def test_real_chains_are_linked_and_nothing_else(extractions):
    con = memory_warehouse()
    load_many(con, extractions)
    assert list(_histories(con).values()) == [["108_miyazaki.txt", "109_miyazaki.txt"]]
    stages = dict(
        con.execute(
            "SELECT split_part(source_path, '/', 2), list(stage ORDER BY seq) "
            "FROM consultation_history WHERE number = 63 GROUP BY ALL"
        ).fetchall()
    )
    assert stages == {"108_miyazaki.txt": ["submitted"], "109_miyazaki.txt": ["deliberated"]}
    # 138: two 諮問 deferred at one meeting, each its own history
    deferred = con.execute(
        "SELECT count(DISTINCT consultation_key), list(DISTINCT stage) FROM consultation_history "
        "WHERE source_path LIKE '%138_%'"
    ).fetchall()
    assert deferred == [(2, ["deferred"])]
    # nothing is left for review, and a full recomputation agrees with the load
    assert con.execute("SELECT count(*) FROM consultation_links_to_review").fetchall() == [(0,)]
    assert link_all(con) == 0
    con.close()


def test_real_set_in_shuffled_batches_links_the_same(extractions):
    full = memory_warehouse()
    load_many(full, extractions)
    expected = _links(full)
    full.close()
    for seed in (1, 2, 3):
        order = extractions[:]
        random.Random(seed).shuffle(order)
        con = memory_warehouse()
        for i in range(0, len(order), 7):
            load_many(con, order[i : i + 7])
        assert _links(con) == expected, seed
        con.close()
