"""Which files to ingest: discover them under the given paths and plan what needs extracting.

A file is identified by the SHA-256 of its bytes; a file already loaded with the same extractor
version and the same `source_path` is skipped. `plan_ingest` does both and hashes each file once.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from extractors import extractor_version
from shingikai import warehouse
from shingikai.fetch import urls_by_path
from shingikai.hashing import sha256_of

SKIP_NAMES = {".DS_Store", "Thumbs.db", "README.md", "README.txt"}


@dataclass
class SourceFile:
    path: Path
    source_path: str  # as recorded: root name / path under the root
    document_id: str = ""
    source_url: str | None = None


def discover(paths: Iterable[Path]) -> list[SourceFile]:
    """Every regular file under the given paths (a file given directly counts too)."""
    found = []
    for root in paths:
        root = Path(root)
        if root.is_file():
            found.append(SourceFile(root, root.name))
            continue
        if not root.is_dir():
            raise FileNotFoundError(f"no such file or directory: {root}")
        for path in sorted(p for p in root.rglob("*") if p.is_file()):
            rel = path.relative_to(root)
            if (
                path.name in SKIP_NAMES
                or path.suffix == ".json"
                or any(part.startswith(".") for part in rel.parts)
            ):
                continue
            found.append(SourceFile(path, f"{root.resolve().name}/{rel.as_posix()}"))
    _attach_source_urls(found, paths)
    return found


def _attach_source_urls(found: list[SourceFile], paths: Iterable[Path]) -> None:
    """Record the URL each file was fetched from, read from the fetch ledger (shingikai.fetch)."""
    urls = urls_by_path(sorted({f.path.resolve().parent for f in found}))
    for f in found:
        f.source_url = urls.get(f.path.resolve(), f.source_url)


def plan(files: list[SourceFile], db: Path, force: bool = False) -> tuple[list[SourceFile], int]:
    """The files that need extracting, and how many are already loaded unchanged."""
    known = warehouse.known_documents(db)
    version = extractor_version()
    todo, skipped, seen_ids = [], 0, set()
    for f in files:
        f.document_id = sha256_of(f.path)
        loaded = known.get(f.document_id)
        if f.document_id in seen_ids or (
            not force and loaded and loaded[0] == version and loaded[1] == f.source_path
        ):
            skipped += 1
            continue
        seen_ids.add(f.document_id)
        todo.append(f)
    return todo, skipped


@dataclass
class Plan:
    """What an ingest run has to do: the files found, those to extract, how many are unchanged."""

    seen: int
    todo: list[SourceFile]
    skipped: int
    seconds: float = 0.0  # spent discovering and hashing


def plan_ingest(paths: Iterable[Path | str], db: Path | str, force: bool = False) -> Plan:
    """Discover the files under `paths` and plan against the warehouse at `db` (each file hashed once)."""
    started = time.monotonic()
    files = discover(Path(p) for p in paths)
    todo, skipped = plan(files, Path(db), force)
    return Plan(seen=len(files), todo=todo, skipped=skipped, seconds=time.monotonic() - started)
