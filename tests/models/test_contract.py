"""The DDL, the record dataclasses, the allowed values (models.vocab) and the contract agree.

The contract (docs/warehouse-contract.md, a copy of the shared one) is checked against the DDL
in both directions: what it names exists with its type, and what the DDL constrains (allowed
values, nullability, primary keys) the contract states the same way."""

from __future__ import annotations

import dataclasses
import re
import types
import typing
from enum import StrEnum

import pytest

from models.records import TABLE_RECORDS
from tests.conftest import ROOT, SHARED

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


def contract_rows(contract_text: str) -> list[tuple[str, str]]:
    """(table, its columns cell) of each row of the contract's table."""
    rows = []
    for line in contract_text.splitlines():
        m = re.match(r"^\|\s*`(\w+)`\s*\|[^|]*\|(.*)\|\s*$", line)
        if m:
            rows.append((m.group(1), m.group(2)))
    return rows


def contract_tables() -> dict[str, dict[str, str | None]]:
    """table -> column -> type family stated by the contract (None when it states none)."""
    out: dict[str, dict[str, str | None]] = {}
    for table, cell in contract_rows(CONTRACT.read_text(encoding="utf-8")):
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


SHARED_CONTRACT = SHARED / "contract" / "warehouse.md"
GOLD_SCHEMA = SHARED / "gold" / "SCHEMA.md"


@pytest.fixture(scope="module")
def checks(fresh_db_module) -> dict[tuple[str, str], list[str]]:
    """(table, column) -> the values its CHECK (column IN (...)) allows, from the DDL."""
    out = {}
    for table, cols, expr in fresh_db_module.execute(
        "SELECT table_name, constraint_column_names, expression FROM duckdb_constraints() "
        "WHERE constraint_type = 'CHECK'"
    ).fetchall():
        m = re.fullmatch(r"\(?\"?(\w+)\"? IN \((.*)\)\)?", expr.strip())
        assert m and [m.group(1)] == cols, f"{table}: a CHECK this test cannot read: {expr}"
        out[(table, m.group(1))] = re.findall(r"'([^']*)'", m.group(2))
    return out


@pytest.fixture(scope="module")
def columns(fresh_db_module) -> dict[tuple[str, str], tuple[bool, bool]]:
    """(table, column) -> (nullable, primary key), from the DDL."""
    keys = {
        (t, c)
        for t, cols in fresh_db_module.execute(
            "SELECT table_name, constraint_column_names FROM duckdb_constraints() "
            "WHERE constraint_type = 'PRIMARY KEY'"
        ).fetchall()
        for c in cols
    }
    return {
        (t, c): (nullable, (t, c) in keys)
        for t, c, nullable in fresh_db_module.execute(
            "SELECT table_name, column_name, is_nullable FROM duckdb_columns() "
            "WHERE schema_name = 'main' AND table_name IN (SELECT table_name FROM duckdb_tables())"
        ).fetchall()
    }


def _enum_of(hint: object) -> tuple[type[StrEnum] | None, bool, bool]:
    """(the StrEnum a field holds, whether it is a list of them, whether it may be None)."""
    args = typing.get_args(hint)
    optional = isinstance(hint, types.UnionType) and type(None) in args
    inner = next(a for a in args if a is not type(None)) if optional else hint
    is_list = typing.get_origin(inner) is list
    if is_list:
        inner = typing.get_args(inner)[0]
    enum = inner if isinstance(inner, type) and issubclass(inner, StrEnum) else None
    return enum, is_list, optional


def record_fields() -> list[tuple[str, str, object]]:
    """(table, column, type hint) of every record field."""
    return [
        (table, f.name, typing.get_type_hints(record)[f.name])
        for table, record in TABLE_RECORDS.items()
        for f in dataclasses.fields(record)
    ]


def test_each_enum_field_equals_its_ddl_check(checks):
    typed = {}
    for table, col, hint in record_fields():
        enum, is_list, _ = _enum_of(hint)
        if enum is not None and not is_list:
            typed[(table, col)] = enum
            assert (table, col) in checks, f"{table}.{col} is a {enum.__name__} but has no CHECK"
            assert sorted(checks[(table, col)]) == sorted(e.value for e in enum), (
                f"{table}.{col}: DDL CHECK {checks[(table, col)]} != {enum.__name__} "
                f"{[e.value for e in enum]}"
            )
    # and the other way: every CHECK list belongs to a field typed with its StrEnum
    untyped = sorted(f"{t}.{c}" for t, c in set(checks) - set(typed))
    assert not untyped, f"columns with a CHECK whose record field is not a StrEnum: {untyped}"


def test_list_of_enum_fields_use_the_gold_vocabulary():
    """`consultations.categories` (a list, so no CHECK) holds the gold schema's category values."""
    listed = [(t, c, _enum_of(h)[0]) for t, c, h in record_fields() if _enum_of(h)[1]]
    assert [(t, c) for t, c, e in listed if e is not None] == [("consultations", "categories")]
    gold_line = next(
        line
        for line in GOLD_SCHEMA.read_text("utf-8").splitlines()
        if line.startswith("| `categories`")
    )
    gold = re.findall(r"`(\w+)`", gold_line.split("|")[2])
    enum = next(e for t, c, e in listed if c == "categories")
    assert enum is not None and sorted(gold) == sorted(e.value for e in enum)


def test_record_nullability_matches_ddl(columns):
    problems = []
    for table, col, hint in record_fields():
        optional = _enum_of(hint)[2] or hint is None
        nullable, _ = columns[(table, col)]
        if optional != nullable:
            problems.append(
                f"{table}.{col}: record {'may' if optional else 'may not'} be None, "
                f"DDL {'allows' if nullable else 'forbids'} NULL"
            )
    assert not problems, problems


def contract_value_lists(contract_text: str) -> dict[tuple[str, str], tuple[list[str], bool]]:
    """(table, column) -> (allowed values, whether null is allowed) the contract enumerates."""
    out = {}
    for table, cell in contract_rows(contract_text):
        for cm in re.finditer(r"`(\w+)`\s*\((`(?:[^()]|\([^()]*\))*)\)", cell):
            values = re.findall(r"`(\w+)`", cm.group(2))
            out[(table, cm.group(1))] = (values, bool(re.search(r"\bnull\b", cm.group(2))))
    return out


def test_shared_contract_is_the_one_in_docs():
    assert CONTRACT.read_text("utf-8") == SHARED_CONTRACT.read_text("utf-8")


def test_contract_allowed_values_equal_ddl_checks_both_ways(checks, columns):
    listed = contract_value_lists(CONTRACT.read_text("utf-8"))
    assert ("consultations", "outcome") in listed  # the parser reads the contract
    problems = []
    for (table, col), (values, null) in listed.items():  # contract -> DDL
        if sorted(values) != sorted(checks.get((table, col), [])):
            problems.append(f"{table}.{col}: contract {values}, DDL {checks.get((table, col))}")
        if null and not columns[(table, col)][0]:
            problems.append(f"{table}.{col}: the contract allows null, the DDL does not")
    contract = contract_tables()
    for (table, col), values in checks.items():  # DDL -> contract
        if col in contract.get(table, {}) and (table, col) not in listed:
            problems.append(f"{table}.{col}: DDL allows {values}, the contract lists no values")
    assert not problems, problems


def contract_notes(contract_text: str) -> dict[tuple[str, str], str]:
    """(table, column) -> the parenthesis the contract writes after the column, if any."""
    out = {}
    for table, cell in contract_rows(contract_text):
        for cm in re.finditer(r"`(\w+)`\s*(\((?:[^()]|\([^()]*\))*\))", cell):
            before = cell[: cm.start()]
            if before.count("(") == before.count(")"):  # a column, not a value inside a note
                out[(table, cm.group(1))] = cm.group(2)
    return out


def test_contract_notes_on_keys_and_null_hold_in_ddl(columns):
    """A column the contract calls a primary key is one; one it says may be null is nullable."""
    notes = contract_notes(CONTRACT.read_text("utf-8"))
    assert "primary key" in notes[("documents", "document_id")]  # the parser reads the contract
    problems = []
    for (table, col), note in notes.items():
        nullable, key = columns[(table, col)]
        if "primary key" in note and not key:
            problems.append(f"{table}.{col}: the contract says primary key, the DDL does not")
        if re.search(r"\bnull\b", note) and not nullable:
            problems.append(f"{table}.{col}: the contract says it may be null, the DDL forbids it")
    assert not problems, problems
