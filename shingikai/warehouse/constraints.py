"""The DDL's keys and CHECKs, read from models/schema.sql, enforced by the loader.

DuckLake tables take NOT NULL but refuse PRIMARY KEY, UNIQUE and CHECK. The DDL keeps them (a
single-file DuckDB export enforces them itself); `lake_ddl` strips them for the lake, and the loader
checks every batch against `table_constraints` inside the batch's transaction, so the lake holds
exactly what a constrained DuckDB file would accept.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import duckdb

from models import DDL_PATH


def scalar(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> Any:
    """The first column of the one row `sql` returns."""
    row = con.execute(sql, params).fetchone()
    assert row is not None, sql
    return row[0]


class ConstraintViolation(duckdb.ConstraintException):
    """A batch breaks a PRIMARY KEY, UNIQUE or CHECK of the DDL; nothing of it is loaded."""


@dataclass
class TableConstraints:
    keys: list[tuple[str, ...]] = field(default_factory=list)  # PRIMARY KEY and UNIQUE columns
    checks: list[str] = field(default_factory=list)  # CHECK expressions, as written


_TABLE = re.compile(r"CREATE TABLE IF NOT EXISTS (\w+) \((.*?)\n\);", re.S)
_KEY_CLAUSE = re.compile(r"^(PRIMARY KEY|UNIQUE)\s*\(([^)]*)\)$", re.I)


def _balanced(text: str, start: int) -> int:
    """Index just past the parenthesis that closes the one at `start`."""
    depth = 0
    for i in range(start, len(text)):
        depth += {"(": 1, ")": -1}.get(text[i], 0)
        if depth == 0:
            return i + 1
    raise ValueError(f"unbalanced parentheses in DDL: {text[start : start + 80]!r}")


def _split_top_level(body: str) -> list[str]:
    body = re.sub(r"--[^\n]*", "", body)
    parts, depth, start, quoted = [], 0, 0, False
    for i, ch in enumerate(body):
        if ch == "'":
            quoted = not quoted
        elif not quoted and ch in "()":
            depth += 1 if ch == "(" else -1
        elif not quoted and ch == "," and depth == 0:
            parts.append(body[start:i].strip())
            start = i + 1
    parts.append(body[start:].strip())
    return [p for p in parts if p]


def _checks_in(part: str) -> list[tuple[int, int]]:
    """(start, end) of each `CHECK (...)` clause in a column or table definition."""
    spans = []
    for m in re.finditer(r"\bCHECK\s*\(", part, re.I):
        spans.append((m.start(), _balanced(part, m.end() - 1)))
    return spans


def parse(ddl: str) -> dict[str, TableConstraints]:
    out: dict[str, TableConstraints] = {}
    for m in _TABLE.finditer(ddl):
        table = out.setdefault(m.group(1), TableConstraints())
        for part in _split_top_level(m.group(2)):
            key = _KEY_CLAUSE.match(part)
            if key:
                table.keys.append(tuple(c.strip() for c in key.group(2).split(",")))
                continue
            for start, end in _checks_in(part):
                expr = part[start:end]
                table.checks.append(expr[expr.index("(") + 1 : -1].strip())
            if part.upper().startswith("CHECK"):
                continue
            column = part.split()[0]
            if re.search(r"\bPRIMARY KEY\b|\bUNIQUE\b", part, re.I):
                table.keys.append((column,))
    return out


@cache
def table_constraints() -> dict[str, TableConstraints]:
    return parse(DDL_PATH.read_text(encoding="utf-8"))


def lake_ddl(ddl: str) -> str:
    """The DDL without what DuckLake refuses: a column PRIMARY KEY becomes NOT NULL (a key is never
    null), UNIQUE and CHECK go, table-level key clauses go. Comments and everything else stay."""

    def strip_table(m: re.Match[str]) -> str:
        kept = []
        for part in _split_top_level(m.group(2)):
            if _KEY_CLAUSE.match(part) or part.upper().startswith("CHECK"):
                continue
            for start, end in reversed(_checks_in(part)):
                part = part[:start].rstrip() + part[end:]
            if re.search(r"\bPRIMARY KEY\b", part, re.I):
                part = re.sub(r"\s*\bPRIMARY KEY\b", "", part, flags=re.I)
                if not re.search(r"\bNOT NULL\b", part, re.I):
                    part += " NOT NULL"
            part = re.sub(r"\s*\bUNIQUE\b", "", part, flags=re.I)
            kept.append("    " + part.strip())
        return f"CREATE TABLE IF NOT EXISTS {m.group(1)} (\n" + ",\n".join(kept) + "\n);"

    return _TABLE.sub(strip_table, ddl)


def check_rows(
    con: duckdb.DuckDBPyConnection,
    table: str,
    rows: str,
    existing: str | None = None,
    *,
    fresh_keys: Collection[tuple[str, ...]] = (),
    unshared_prefixes: bool = False,
) -> None:
    """Raise ConstraintViolation when the relation `rows` (about to go into `table`) breaks a key
    or CHECK of the DDL: a duplicate or null key within the rows, a key already in `existing` (the
    table as the transaction sees it), or a CHECK that is false (a null CHECK passes, as in SQL).

    One query over `rows` tells whether anything is wrong (the rule broken is then looked up for
    the message). Looking a key up in `existing` scans every data file of the table, so it is
    skipped where the caller knows the key cannot be there: `fresh_keys` (the loader deleted
    every loaded row holding the batch's values of them), and, with `unshared_prefixes` (no
    loaded document shares the first 16 characters of a batch document's id), a one-column key
    whose every value is made of its row's document_id ("<document_id[:16]>-...", as the
    extractors and corrections make consultation and report ids): such a value names its
    document, and any other row holding it would belong to a document with that prefix.
    Values not made so are looked up as before."""
    rules = table_constraints().get(table)
    if rules is None or not (rules.checks or rules.keys):
        return
    columns = (
        {r[0] for r in con.execute(f"SELECT * FROM {rows} LIMIT 0").description or []}
        if any(_by_document(key, {"document_id"}, unshared_prefixes) for key in rules.keys)
        else set()
    )
    parts = [f"count_if(NOT coalesce(({expr}), true))" for expr in rules.checks]
    for key in rules.keys:
        cols = ", ".join(f'"{c}"' for c in key)
        null = " OR ".join(f'"{c}" IS NULL' for c in key)
        parts += [f"count(*) - count(DISTINCT row({cols}))", f"count_if({null})"]
        if _by_document(key, columns, unshared_prefixes):
            parts.append(f"count_if(NOT starts_with(\"{key[0]}\", left(document_id, 16) || '-'))")
    counts = iter(con.execute(f"SELECT {', '.join(parts)} FROM {rows}").fetchone() or ())
    for expr in rules.checks:
        bad = next(counts)
        if bad:
            raise ConstraintViolation(f"{table}: {bad} row(s) break CHECK ({expr})")
    for key in rules.keys:
        cols = ", ".join(f'"{c}"' for c in key)
        duplicates, nulls = next(counts), next(counts)
        if duplicates:
            dup = con.execute(
                f"SELECT {cols}, count(*) FROM {rows} GROUP BY ALL HAVING count(*) > 1 LIMIT 1"
            ).fetchone()
            assert dup is not None
            raise ConstraintViolation(f"{table}: key ({cols}) = {dup[:-1]} appears {dup[-1]} times")
        if nulls:
            raise ConstraintViolation(f"{table}: null in key ({cols})")
        named = _by_document(key, columns, unshared_prefixes) and not next(counts)
        if existing is not None and key not in fresh_keys and not named:
            clash = con.execute(
                f"SELECT {cols} FROM {existing} WHERE ({cols}) IN (SELECT ({cols}) FROM {rows}) LIMIT 1"
            ).fetchone()
            if clash:
                raise ConstraintViolation(
                    f"{table}: key ({cols}) = {tuple(clash)} is already loaded"
                )


def _by_document(key: tuple[str, ...], columns: set[str], unshared_prefixes: bool) -> bool:
    """True when `key` may be made of its row's document_id (see `check_rows`)."""
    return (
        unshared_prefixes and len(key) == 1 and key[0] != "document_id" and "document_id" in columns
    )
