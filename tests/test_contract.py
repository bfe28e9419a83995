"""The DDL, the record dataclasses and docs/warehouse-contract.md agree; views and CLI are documented."""

from __future__ import annotations

import dataclasses
import re
import subprocess
import sys

import pytest

from models.records import TABLE_RECORDS
from tests.conftest import ROOT

CONTRACT = ROOT / "docs" / "warehouse-contract.md"


def family(sql_type: str) -> str:
    t = sql_type.upper().strip()
    if t.endswith("[]"):
        return "list:" + family(t[:-2])
    if t in ("VARCHAR", "TEXT", "STRING"):
        return "string"
    if t in ("INTEGER", "BIGINT", "SMALLINT", "TINYINT", "HUGEINT", "UBIGINT", "UINTEGER"):
        return "integer"
    if t.startswith("TIMESTAMP"):
        return "timestamp"
    return t.lower()  # DATE, TIME, BOOLEAN, DOUBLE...


def contract_tables() -> dict[str, dict[str, str | None]]:
    """table -> column -> type family stated by the contract (None when it states none)."""
    out: dict[str, dict[str, str | None]] = {}
    for line in CONTRACT.read_text(encoding="utf-8").splitlines():
        m = re.match(r"^\|\s*`(\w+)`\s*\|[^|]*\|(.*)\|\s*$", line)
        if not m:
            continue
        table, cell = m.group(1), m.group(2)
        cols: dict[str, str | None] = {}
        # `name` optionally followed by a parenthesis holding its type or its allowed values
        for cm in re.finditer(r"`(\w+)`\s*(\((?:[^()]|\([^()]*\))*\))?", cell):
            name, paren = cm.group(1), cm.group(2)
            # names inside a previous parenthesis are values, not columns
            before = cell[: cm.start()]
            if before.count("(") > before.count(")"):
                continue
            fam = None
            if paren:
                tm = re.match(
                    r"\((VARCHAR\[\]|INTEGER\[\]|VARCHAR|INTEGER|BIGINT|TIMESTAMP|DATE|TIME|BOOLEAN)(?!\w)",
                    paren,
                )
                if tm:
                    fam = family(tm.group(1))
                elif re.match(r"\(`", paren):
                    fam = "string"  # enumerated values
            cols[name] = fam
        out[table] = cols
    return out


@pytest.fixture(scope="module")
def ddl(fresh_db_module):
    con = fresh_db_module
    cols: dict[str, dict[str, tuple[str, str | None]]] = {}
    for t, c, typ, comment in con.execute(
        "SELECT table_name, column_name, data_type, comment FROM duckdb_columns() "
        "WHERE schema_name = 'main' AND table_name IN (SELECT table_name FROM duckdb_tables())"
    ).fetchall():
        cols.setdefault(t, {})[c] = (typ, comment)
    return cols


@pytest.fixture(scope="module")
def fresh_db_module():
    from shingikai.warehouse import memory_warehouse

    con = memory_warehouse()
    yield con
    con.close()


def test_contract_parses():
    tables = contract_tables()
    assert len(tables) >= 9 and "consultation_id" in tables["consultations"]
    assert "pdf" not in tables["documents"] and "approved" not in tables["consultations"]
    assert tables["documents"]["document_id"] == "string"
    assert tables["consultations"]["categories"] == "list:string"


def test_contract_tables_and_columns_exist_with_type_family(ddl):
    problems = []
    for table, cols in contract_tables().items():
        if table not in ddl:
            problems.append(f"table {table} missing from DDL")
            continue
        for col, fam in cols.items():
            if col not in ddl[table]:
                problems.append(f"{table}.{col} missing from DDL")
            elif fam is not None and family(ddl[table][col][0]) != fam:
                problems.append(f"{table}.{col}: contract {fam}, DDL {ddl[table][col][0]}")
    assert not problems, problems


def test_every_ddl_table_and_column_has_a_comment(ddl, fresh_db_module):
    missing = [
        f"{t}.{c}"
        for t, cols in ddl.items()
        for c, (_, comment) in cols.items()
        if not (comment or "").strip()
    ]
    missing += [
        t
        for (t, comment) in fresh_db_module.execute(
            "SELECT table_name, comment FROM duckdb_tables() WHERE schema_name='main'"
        ).fetchall()
        if not comment
    ]
    assert not missing, missing


def test_records_match_ddl(ddl):
    assert set(TABLE_RECORDS) == set(ddl), set(TABLE_RECORDS) ^ set(ddl)
    for table, record in TABLE_RECORDS.items():
        fields = [f.name for f in dataclasses.fields(record)]
        assert set(fields) == set(ddl[table]), (table, set(fields) ^ set(ddl[table]))


def test_views_have_comments(fresh_db_module):
    views = fresh_db_module.execute(
        "SELECT view_name, comment FROM duckdb_views() WHERE schema_name='main' AND NOT internal"
    ).fetchall()
    names = {v for v, _ in views}
    assert {
        "consultations_with_meeting",
        "contractors_multi_municipality",
        "item_frequency",
        "outcomes_by_municipality_year",
        "incidents",
        "unmapped_values",
    } <= names
    assert not [v for v, c in views if not (c or "").strip()]


def _subcommands() -> list[str]:
    from shingikai.cli.main import build_parser

    parser = build_parser()
    action = next(a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction")
    helps = {ca.dest: ca.help for ca in action._choices_actions}
    missing = [name for name in action.choices if not (helps.get(name) or "").strip()]
    assert not missing, f"subcommands without help text: {missing}"
    return sorted(action.choices)


def test_every_subcommand_has_help():
    cmds = _subcommands()
    assert {"ingest", "query", "schema", "search", "export", "show"} <= set(cmds)
    for cmd in cmds:
        run = subprocess.run(
            [sys.executable, "-m", "shingikai.cli", cmd, "--help"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert run.returncode == 0, (cmd, run.stderr[-1000:])
        assert "usage:" in run.stdout


def test_schema_command_lists_views():
    run = subprocess.run(
        [sys.executable, "-m", "shingikai.cli", "schema"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    assert "contractors_multi_municipality:" in run.stdout
