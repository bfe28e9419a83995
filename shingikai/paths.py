"""Where things are by default, relative to the folder the commands run in (the project's)."""

from __future__ import annotations

from pathlib import Path

DEFAULT_RAW = Path("data/raw")  # input documents; `fetch` saves into it
DEFAULT_SOURCES = Path("data/sources.toml")  # the municipalities `fetch` reads
DEFAULT_DB = Path(
    "data/warehouse/shingikai.ducklake"
)  # the warehouse: a DuckLake catalog (Parquet files in .files/ beside it)
