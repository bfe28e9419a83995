"""DuckDB connections with the DuckLake extensions loaded from the installed packages, never downloaded.

The packages `duckdb-ext-ducklake`, `duckdb-ext-sqlite` and `duckdb-ext-postgres` (pinned in
pyproject.toml beside the exact `duckdb` they are built for) put the extension binaries under
`duckdb_ext/extensions/v<duckdb version>/<platform>/` in site-packages. Every connection made here
turns DuckDB's automatic install and load off and LOADs them by file path, so nothing is fetched
at run time, whatever the network.
"""

from __future__ import annotations

import importlib.util
import platform
from functools import cache
from pathlib import Path

import duckdb

# extension name -> file name in the packages
DUCKLAKE = "ducklake"
SQLITE = "sqlite_scanner"
POSTGRES = "postgres_scanner"

NO_DOWNLOAD = {"autoinstall_known_extensions": False, "autoload_known_extensions": False}


class ExtensionMissing(RuntimeError):
    """The extension packages are not installed for this DuckDB (run `make setup`)."""


def _platform() -> str:
    machine = {"x86_64": "amd64", "aarch64": "arm64", "arm64": "arm64"}.get(
        platform.machine().lower(), platform.machine().lower()
    )
    return f"{platform.system().lower()}_{machine}"


@cache
def extensions_dir() -> Path:
    """Where the extension packages keep the binaries for the installed DuckDB."""
    spec = importlib.util.find_spec("duckdb_ext")
    roots = list(spec.submodule_search_locations or []) if spec else []
    for root in roots:
        path = Path(root) / "extensions" / f"v{duckdb.__version__}" / _platform()
        if path.is_dir():
            return path
    raise ExtensionMissing(
        f"no DuckDB extensions for duckdb {duckdb.__version__} on {_platform()} "
        f"(looked in {roots or 'nothing: duckdb_ext is not installed'}); run `make setup`"
    )


def load(con: duckdb.DuckDBPyConnection, *names: str) -> None:
    """LOAD the named extensions into `con` from their files."""
    for name in names:
        path = extensions_dir() / f"{name}.duckdb_extension"
        if not path.exists():
            raise ExtensionMissing(f"{path} is missing; run `make setup`")
        con.execute(f"LOAD '{_quote(str(path))}'")


def connect(
    database: str = ":memory:", read_only: bool = False, extensions: tuple[str, ...] = ()
) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection that never downloads an extension, with `extensions` loaded from disk."""
    con = duckdb.connect(database, read_only=read_only, config=dict(NO_DOWNLOAD))
    load(con, *extensions)
    return con


def _quote(text: str) -> str:
    return text.replace("'", "''")


def attach_sql(db: str | Path, alias: str = "shingikai") -> str:
    """SQL that opens the lake `db` read-only in a DuckDB session of this version, offline: the
    extensions LOADed from these packages (a plain `ATTACH 'ducklake:…'` downloads them first,
    and fails without the internet)."""
    catalog = Path(db).resolve()
    lines = ["SET autoinstall_known_extensions = false;", "SET autoload_known_extensions = false;"]
    for name in (DUCKLAKE, SQLITE):
        lines.append(f"LOAD '{_quote(str(extensions_dir() / f'{name}.duckdb_extension'))}';")
    lines.append(f"ATTACH 'ducklake:sqlite:{_quote(str(catalog))}' AS {alias} (READ_ONLY);")
    lines.append(f"USE {alias};")
    return "\n".join(lines)
