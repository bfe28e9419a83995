from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "data" / "raw" / "samples"
LAYOUTS = ROOT / "tests" / "fixtures" / "layouts"
SHARED = ROOT.parent / "shared"


@pytest.fixture
def fresh_db():
    """The DDL loaded into an in-memory DuckDB."""
    from flows.warehouse import memory_warehouse

    con = memory_warehouse()
    yield con
    con.close()
