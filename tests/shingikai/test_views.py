"""The researcher views: every column explained, and the central data_flows view's grain."""

from __future__ import annotations

from dataclasses import replace

from shingikai.warehouse import load, memory_warehouse
from shingikai.warehouse.dictionary import data_dictionary
from tests.shingikai.test_copies import SEED


def test_every_view_column_has_a_comment_shown_by_schema():
    con = memory_warehouse()
    rows = con.execute(
        "SELECT v.view_name, c.column_name, c.comment FROM duckdb_views() AS v "
        "JOIN duckdb_columns() AS c ON c.table_name = v.view_name "
        "WHERE v.schema_name = 'main' AND NOT v.internal"
    ).fetchall()
    views = {v for v, _, _ in rows}
    assert {"data_flows", "meetings_once", "incidents", "consultations_with_meeting"} <= views
    missing = [f"{v}.{c}" for v, c, comment in rows if not (comment or "").strip()]
    assert not missing, missing
    text = data_dictionary()
    for view, column, comment in rows:
        assert f"  {column}" in text and comment in text, (view, column)


def test_data_flows_has_one_row_per_consultation_contractor_and_item():
    con = memory_warehouse()
    # the same contractor named twice in a consultation is one row, at its first mention
    twice = replace(SEED.contractors[0], start_char=40, end_char=43)
    load(con, replace(SEED, contractors=[*SEED.contractors, twice]))
    rows = con.execute(
        "SELECT consultation_id, contractor, data_item, outcome, contractor_start, "
        "data_item_start, document_id FROM data_flows ORDER BY consultation_id"
    ).fetchall()
    assert [(r[0], r[1], r[2], r[3], r[4], r[5]) for r in rows] == [
        ("aaaaaaaa-0", "株式会社みらい", "氏名", "approved", 0, 3),
        ("aaaaaaaa-1", "株式会社みらい", "氏名", "approved", 10, 13),
    ]
    assert {r[6] for r in rows} == {SEED.document.document_id}


def test_data_flows_keeps_a_consultation_without_contractor_or_item():
    con = memory_warehouse()
    load(con, replace(SEED, contractors=[], data_items=[]))
    assert con.execute(
        "SELECT count(*), count(contractor), count(data_item), list(conditions) FROM data_flows"
    ).fetchone() == (2, 0, 0, [[], []])


def test_the_readme_example_of_data_flows_runs():
    import re

    from tests.conftest import ROOT

    blocks = re.findall(r"```sql\n(.*?)```", (ROOT / "README.md").read_text("utf-8"), flags=re.S)
    example = next(b for b in blocks if "data_flows" in b)
    con = memory_warehouse()
    load(con, SEED)
    assert len(con.execute(example).fetchall()) == 2
