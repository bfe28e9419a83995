"""One warehouse built from data/raw/samples per test session, shared by the analysis tests.

Built in-process (extract, load: the steps the ingest flow runs, without Prefect), so
that the tests of what reads the warehouse need no subprocess; the flow itself is tested end to
end in tests/flows/.
"""

from __future__ import annotations

from pathlib import Path

from extractors.pipeline import extract_bytes
from shingikai import warehouse
from shingikai.discover import plan_ingest
from tests.conftest import SAMPLES

_BUILT: dict[str, Path] = {}


def build(tmp_path_factory) -> Path:  # type: ignore[no-untyped-def]
    if "db" not in _BUILT:
        db = tmp_path_factory.mktemp("warehouse") / "samples.ducklake"
        plan = plan_ingest([SAMPLES], db)
        with warehouse.Writer(db) as writer:
            warehouse.load_many(
                writer.con,
                [
                    extract_bytes(f.path.read_bytes(), f.source_path, source_url=f.source_url)
                    for f in plan.todo
                ],
            )
        _BUILT["db"] = db
    return _BUILT["db"]
