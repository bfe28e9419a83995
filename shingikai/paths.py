"""Where things are by default, relative to the folder the commands run in (the project's)."""

from __future__ import annotations

import os
from pathlib import Path

DEFAULT_RAW = Path("data/raw")  # input documents; `fetch` saves into it
DEFAULT_SOURCES = Path("data/sources.toml")  # the municipalities `fetch` reads
# the warehouse: a DuckLake catalog, its Parquet files in shingikai.ducklake.files/ beside it
DEFAULT_DB = Path("data/warehouse/shingikai.ducklake")


def default_db() -> Path:
    """The warehouse every command uses unless told otherwise: $SHINGIKAI_DB, else DEFAULT_DB."""
    return Path(os.environ.get("SHINGIKAI_DB") or DEFAULT_DB)
