"""Which files to ingest: discover them under the given paths and plan what needs extracting.

A file is identified by the SHA-256 of its bytes; a file already loaded with the same extractor
version and the same `source_path` is skipped. `Summary` counts what an ingest run did.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from extractors import extractor_version
from shingikai import warehouse
from shingikai.fetch import urls_by_path

SKIP_NAMES = {".DS_Store", "Thumbs.db", "README.md", "README.txt"}


@dataclass
class SourceFile:
    path: Path
    source_path: str  # as recorded: root name / path under the root
    document_id: str = ""
    source_url: str | None = None


@dataclass
class Summary:
    seen: int = 0
    new: int = 0
    skipped: int = 0
    failed: int = 0
    consultations: int = 0
    by_status: dict[str, int] = field(default_factory=dict)
    failures: list[tuple[str, str, str]] = field(default_factory=list)  # path, status, error
    seconds: float = 0.0
    db: str = ""

    def lines(self) -> list[str]:
        out = [
            f"files seen: {self.seen}, new: {self.new}, skipped (unchanged): {self.skipped}, "
            f"failed: {self.failed}, consultations found: {self.consultations}",
        ]
        if self.by_status:
            out.append(
                "status of new files: "
                + ", ".join(f"{k} {v}" for k, v in sorted(self.by_status.items()))
            )
        for path, status, error in self.failures:
            out.append(f"  {status}: {path}: {error}")
        out.append(f"warehouse: {self.db} ({self.seconds:.1f} s)")
        return out


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


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


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
