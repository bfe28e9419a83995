"""What a nightly run may be given: paths inside the configured roots, a warehouse the operator
allowed, numbers in range.

The Prefect API that `shingikai serve` and a work pool's worker listen to has no
authentication of its own: any process that can reach it can create a flow run with its own
parameters. So the nightly flow checks its parameters itself before doing anything: `sources`
and `raw` must resolve (symbolic links followed) inside one of the roots the operator gave,
`db` must be one of the warehouses the operator listed (or, when none are listed, a local
lake inside the roots), and the politeness settings must stay in range.

The operator's lists reach the runs through the environment of the process that executes
them (`serve`, or the `prefect worker` that `shingikai worker` starts), never through a run's
parameters: SHINGIKAI_ALLOWED_ROOTS (paths separated by os.pathsep) and SHINGIKAI_ALLOWED_DBS
(one warehouse a line: a PostgreSQL catalog's `postgres:...` holds spaces and colons).
"""

from __future__ import annotations

import os
import shlex
from pathlib import Path

from shingikai.warehouse.lake import SingleFileWarehouse, location

ROOTS_ENV = "SHINGIKAI_ALLOWED_ROOTS"
DBS_ENV = "SHINGIKAI_ALLOWED_DBS"

# parameter -> (lowest, highest) allowed
RANGES = {
    "delay": (0.0, 60.0),
    "retries": (0, 10),
    "backoff": (0.0, 600.0),
    "timeout": (1.0, 600.0),
    "deadline": (1.0, 24 * 3600.0),
}


class ParameterRefused(ValueError):
    """A run was given a parameter it may not have: nothing was fetched or written."""


def default_roots(sources: Path, raw: Path, db: Path) -> list[Path]:
    """The roots `serve` allows when none are given: the folders its own paths are in (a
    PostgreSQL catalog is in no folder)."""
    roots = {Path(sources).resolve().parent, Path(raw).resolve()}
    try:
        lake = location(db).path
    except SingleFileWarehouse:
        lake = Path(db)
    if lake is not None:
        roots.add(lake.resolve().parent)
    return sorted(roots)


def roots_from_env() -> list[Path] | None:
    """The roots a served run may use, or None outside `serve` (a person running the flow)."""
    value = os.environ.get(ROOTS_ENV)
    if value is None:
        return None
    return [Path(p).resolve() for p in value.split(os.pathsep) if p]


def dbs_from_env() -> list[str] | None:
    """The warehouses the operator allowed, or None: then a local lake inside the roots."""
    value = os.environ.get(DBS_ENV)
    if value is None:
        return None
    return [line.strip() for line in value.splitlines() if line.strip()]


def to_env(roots: list[Path], dbs: list[str] | None) -> None:
    """Put the operator's lists in this process's environment, which the runs it starts inherit."""
    if any("\n" in db or "\r" in db for db in dbs or []):
        raise ParameterRefused("an allowed warehouse may not contain a line break")
    os.environ[ROOTS_ENV] = os.pathsep.join(map(str, roots))
    if dbs is not None:
        os.environ[DBS_ENV] = "\n".join(dbs)
    else:
        os.environ.pop(DBS_ENV, None)


def warehouse_key(db: str) -> tuple[str, ...]:
    """What identifies the warehouse `db` names, read as the lake reads it (`lake.location`):
    a local catalog's resolved path (symbolic links followed), or a PostgreSQL catalog's
    connection settings in any order (`connect_timeout` aside, which `location` adds)."""
    lake = location(db)
    if lake.path is not None:
        return ("path", str(lake.path.resolve()))
    conninfo = lake.catalog.split(":", 1)[1]
    try:
        pairs = shlex.split(conninfo)
    except ValueError:  # unbalanced quotes: compared as written
        return ("postgres", conninfo)
    return ("postgres", *sorted(p for p in pairs if not p.startswith("connect_timeout=")))


def _allowed_db(db: str, dbs: list[str]) -> bool:
    try:
        key = warehouse_key(db)
    except SingleFileWarehouse:
        return False
    return any(key == warehouse_key(allowed) for allowed in dbs)


def check(
    roots: list[Path],
    *,
    sources: str,
    raw: str,
    db: str,
    dbs: list[str] | None = None,
    **numbers: float | int | None,
) -> None:
    """Raise ParameterRefused unless every path is inside a root, `db` is allowed (one of `dbs`
    when the operator listed them) and every number in range."""
    problems = []
    paths = [("sources", sources, Path(sources)), ("raw", raw, Path(raw))]
    # `db` read as the lake reads it (`lake.location`), so that the path checked is the one written
    try:
        lake = location(db)
    except SingleFileWarehouse:
        lake = None
    if dbs is not None:
        if not _allowed_db(db, dbs):
            problems.append(
                f"db={db!r} is not among the warehouses the operator allowed "
                f"({'; '.join(map(repr, dbs)) or 'none'})"
            )
    elif lake is None or (lake.path is not None and lake.path.suffix != ".ducklake"):
        problems.append(f"db={db!r} is not a .ducklake catalog")
    elif lake.path is None:
        problems.append(
            f"db={db!r} is a PostgreSQL catalog: a run writes one only when the operator "
            f"lists it (--allow-db)"
        )
    else:
        paths.append(("db", db, lake.path))
        if lake.data_path and "://" not in lake.data_path:
            paths.append(("db", f"{db} (its data files, {lake.data_path})", Path(lake.data_path)))
    for name, value, given in paths:
        path = given.resolve()
        if not any(path == root or path.is_relative_to(root) for root in roots):
            problems.append(f"{name}={value!r} is outside the allowed roots")
    if Path(sources).suffix not in (".toml", ".json"):
        problems.append(f"sources={sources!r} is not a .toml or .json file")
    for key, number in numbers.items():
        low, high = RANGES[key]
        if number is None or not low <= number <= high:
            problems.append(f"{key}={number!r} is outside {low:g}..{high:g}")
    if problems:
        raise ParameterRefused(
            "run refused: "
            + "; ".join(problems)
            + f" (allowed roots: {', '.join(map(str, roots)) or 'none'})"
        )
