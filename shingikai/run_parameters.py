"""What a nightly run may be given: paths inside the configured roots, numbers in range.

The Prefect API that `shingikai serve` listens to has no authentication of its own: any
process that can reach it can create a flow run with its own parameters. So the nightly flow
checks its parameters itself before doing anything: `sources`, `raw` and `db` must resolve
(symbolic links followed) inside one of the roots that `serve` was started with, and the
politeness settings must stay in range. `serve` passes the roots to the runs it executes in
the environment variable SHINGIKAI_ALLOWED_ROOTS (paths separated by os.pathsep).
"""

from __future__ import annotations

import os
from pathlib import Path

from shingikai.warehouse.lake import SingleFileWarehouse, location

ROOTS_ENV = "SHINGIKAI_ALLOWED_ROOTS"

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
    """The roots `serve` allows when none are given: the folders its own paths are in."""
    return sorted({Path(sources).resolve().parent, Path(raw).resolve(), Path(db).resolve().parent})


def roots_from_env() -> list[Path] | None:
    """The roots a served run may use, or None outside `serve` (a person running the flow)."""
    value = os.environ.get(ROOTS_ENV)
    if value is None:
        return None
    return [Path(p).resolve() for p in value.split(os.pathsep) if p]


def check(
    roots: list[Path], *, sources: str, raw: str, db: str, **numbers: float | int | None
) -> None:
    """Raise ParameterRefused unless every path is inside a root and every number in range."""
    problems = []
    paths = [("sources", sources, Path(sources)), ("raw", raw, Path(raw))]
    # `db` read as the lake reads it (`lake.location`), so that the path checked is the one written
    try:
        lake = location(db)
    except SingleFileWarehouse:
        lake = None
    if lake is None or (lake.path is not None and lake.path.suffix != ".ducklake"):
        problems.append(f"db={db!r} is not a .ducklake catalog")
    elif lake.path is None:
        problems.append(f"db={db!r} is a PostgreSQL catalog: a served run writes a local lake only")
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
