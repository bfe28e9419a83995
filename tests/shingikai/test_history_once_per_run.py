"""Consultation histories linked once per ingest run, not once per batch (issue 24).

An ingest's batches are loaded with `link_later`: each links its own consultations among
themselves (nothing read from the lake) and notes its local governments in `pending_links`, in
its own commit; the run relinks them once at the end (`relink_pending`). The invented sequences
of test_history.py, cut into random batches, must then link exactly as a full recomputation;
a run stopped before its last commit is put right by the next ingest, even one with nothing to
load, or by `maintain`; and a reader of any snapshot in between sees each batch whole.
"""

from __future__ import annotations

import random
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from models.records import Extraction
from models.vocab import Status
from shingikai.cli.main import main
from shingikai.discover import discover_all, location_of, plan
from shingikai.sandbox import failed
from shingikai.warehouse import (
    Writer,
    connect_readonly,
    lake,
    links_pending,
    load_many,
    memory_warehouse,
    relink_pending,
)
from shingikai.warehouse.history import link_all, pending_places
from tests.shingikai.test_history import SEQUENCES, links

PLACES = sorted({e.document.municipality or "" for e in SEQUENCES})


def full_links(extractions: list[Extraction]) -> dict[str, tuple]:
    """The links of `extractions` loaded at once and linked in the same transaction."""
    con = memory_warehouse()
    load_many(con, extractions)
    got = links(con)
    con.close()
    return got


def cut(seed: int, n_batches: int) -> list[list[Extraction]]:
    rng = random.Random(seed)
    order = SEQUENCES[:]
    rng.shuffle(order)
    cuts = sorted(rng.sample(range(1, len(order)), n_batches - 1))
    return [order[a:b] for a, b in zip([0, *cuts], [*cuts, len(order)], strict=True)]


@settings(max_examples=10, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n_batches=st.integers(2, 6))
def test_batches_linked_later_then_once_link_as_a_full_recomputation(seed, n_batches):
    expected = full_links(SEQUENCES)
    con = memory_warehouse()
    for batch in cut(seed, n_batches):
        load_many(con, batch, link_later=True)
    assert pending_places(con) == PLACES
    assert relink_pending(con) > 0  # rows of different batches joined their histories
    assert links(con) == expected
    assert pending_places(con) == []
    assert link_all(con) == 0
    con.close()


def test_a_batch_links_only_its_own_rows_until_the_run_relinks():
    """諮問第1号 of 2022 is submitted in May and decided in July: loaded in two batches, each
    row keeps its own key until the relink joins them (no loaded row is read or rewritten)."""
    may = next(e for e in SEQUENCES if e.document.source_path == "invented/a22may.txt")
    jul = next(e for e in SEQUENCES if e.document.source_path == "invented/a22jul.txt")
    con = memory_warehouse()
    load_many(con, [may], link_later=True)
    load_many(con, [jul], link_later=True)
    key = dict(
        con.execute("SELECT consultation_id, consultation_key FROM consultations").fetchall()
    )
    assert key["a22jul-c01"] == "a22jul-c01" and key["a22may-c01"] == "a22may-c01"
    relink_pending(con)
    assert links(con) == full_links([may, jul])
    key = dict(
        con.execute("SELECT consultation_id, consultation_key FROM consultations").fetchall()
    )
    assert key["a22jul-c01"] == "a22may-c01"
    con.close()


def _stopped_run(db: Path, batches: list[list[Extraction]]) -> None:
    """Batches committed as an ingest commits them, and no last commit (the run was killed)."""
    with Writer(db) as w:
        for batch in batches:
            load_many(w.con, batch, link_later=True)


def _loaded_file(folder: Path, db: Path) -> None:
    """A file of `folder` loaded (as a failed document) with its location: a later ingest of
    `folder` has nothing to load."""
    folder.mkdir()
    (folder / "minutes.txt").write_text("会議録", encoding="utf-8")
    files, _ = discover_all([folder])
    (f,) = plan(files, db)[0]
    with Writer(db) as w:
        load_many(
            w.con,
            [failed(f.path, f.source_path, Status.FAILED, "invented", None, f.document_id)],
            [location_of(f)],
        )


def test_a_stopped_run_is_put_right_by_the_next_ingest_with_nothing_to_load(tmp_path, capsys):
    db = tmp_path / "w.ducklake"
    folder = tmp_path / "in"
    _loaded_file(folder, db)
    _stopped_run(db, cut(7, 4))
    assert links_pending(db)
    with connect_readonly(db) as con:
        assert links(con) != full_links(SEQUENCES)
    assert main(["ingest", str(folder), "--db", str(db)]) == 0
    assert "new: 0, skipped (unchanged): 1" in capsys.readouterr().out
    assert not links_pending(db)
    with connect_readonly(db) as con:
        assert links(con) == full_links(SEQUENCES)
        assert pending_places(con) == []


def test_maintain_puts_right_what_a_stopped_run_left(tmp_path):
    db = tmp_path / "w.ducklake"
    _stopped_run(db, cut(11, 3))
    assert links_pending(db)
    lake.maintain(db, keep_for="0 seconds")
    assert not links_pending(db)
    with connect_readonly(db) as con:
        assert links(con) == full_links(SEQUENCES)


def test_readers_of_a_snapshot_between_batches_see_each_batch_whole(tmp_path):
    """Every snapshot a run leaves holds the batches committed so far, each whole: its
    documents with all their consultations, each linked (within the batch), and its local
    governments noted for the relink."""
    db = tmp_path / "w.ducklake"
    batches = cut(3, 4)
    snapshots = []
    with Writer(db) as w:
        for batch in batches:
            load_many(w.con, batch, link_later=True)
            snapshots.append(lake.last_snapshot(w.con))
        relink_pending(w.con)
    for k, at in enumerate(snapshots):
        done = [e for batch in batches[: k + 1] for e in batch]
        with connect_readonly(db, at=at) as con:
            docs = {r[0] for r in con.execute("SELECT document_id FROM documents").fetchall()}
            assert docs == {e.document.document_id for e in done}
            rows = con.execute(
                "SELECT consultation_id, consultation_key, stage FROM consultations"
            ).fetchall()
            assert sorted(r[0] for r in rows) == sorted(
                c.consultation_id for e in done for c in e.consultations
            )
            ids = {r[0] for r in rows}
            assert all(key in ids and stage for _, key, stage in rows)
            noted = {e.document.municipality for e in done}
            assert set(pending_places(con)) == noted
    with connect_readonly(db) as con:
        assert links(con) == full_links(SEQUENCES)
        assert pending_places(con) == []
