"""The lake's data files as a file system that can only be read: what a read-only query runs on.

DuckDB's own limits on files (`enable_external_access`, `allowed_directories`) say which paths a
connection may touch, not what it may do there: a connection allowed to read the lake's Parquet
files may as well delete them, and DuckLake's maintenance functions do just that
(`ducklake_delete_orphaned_files` deleted the files of a commit in progress from a read-only
query). So a query's connection reaches the data folder only through this file system, which has
no way to write, rename or delete anything, and DuckDB's local file system is switched off for it.

It implements only what reading needs (listing, a file's details and age, opening for reading), each
confined to the data folder; every other operation of fsspec's `AbstractFileSystem` either
writes through `open` (refused here) or is not implemented, so a write cannot slip through a
method forgotten in a list of refusals.
"""

from __future__ import annotations

import os
from typing import Any

from fsspec import AbstractFileSystem
from fsspec.implementations.local import LocalFileSystem

PROTOCOL = "shingikaireadonly"
PREFIX = f"{PROTOCOL}://"


class ReadOnlyFiles(AbstractFileSystem):
    """The folder `root`, readable as `shingikaireadonly:///<root>/...`, and nothing else."""

    protocol = PROTOCOL
    root_marker = "/"
    cachable = False  # one instance per folder: fsspec would otherwise hand back an older one

    def __init__(self, root: str, **kwargs: Any):
        super().__init__(**kwargs)
        self.root = os.path.realpath(root)
        self._local = LocalFileSystem()

    @property
    def url(self) -> str:
        """The folder as DuckDB names it (a DuckLake DATA_PATH ends with a slash)."""
        return PREFIX + self.root.rstrip("/") + "/"

    @classmethod
    def _strip_protocol(cls, path: Any) -> str:
        text = str(path)
        text = text[len(PREFIX) :] if text.startswith(PREFIX) else text
        return text.rstrip("/") or "/"

    def _inside(self, path: Any) -> str:
        """The local path, if it is within the folder (links resolved); else PermissionError."""
        real = os.path.realpath(self._strip_protocol(path))
        if real != self.root and not real.startswith(self.root + os.sep):
            raise PermissionError(f"{path} is outside the warehouse's data files")
        return real

    def ls(self, path: Any, detail: bool = True, **kwargs: Any) -> list[Any]:
        return self._local.ls(self._inside(path), detail=detail)

    def info(self, path: Any, **kwargs: Any) -> dict[str, Any]:
        return self._local.info(self._inside(path))

    def modified(self, path: Any) -> Any:  # DuckDB's cache of file contents asks
        return self._local.modified(self._inside(path))

    def _open(self, path: Any, mode: str = "rb", **kwargs: Any) -> Any:
        if mode != "rb":
            raise PermissionError(f"{path}: a read-only query cannot write files")
        return self._local._open(self._inside(path), mode="rb")

    def _rm(self, path: Any) -> None:  # what rm, rm_file and mv come to; said plainly
        raise PermissionError(f"{path}: a read-only query cannot delete files")
