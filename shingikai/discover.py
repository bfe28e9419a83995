"""Which files to ingest: discover them under the given paths and plan what needs extracting.

A document is identified by the SHA-256 of its bytes; a file is found at a *location*: the
absolute folder given to ingest (its `root`) and the path below it. Identical bytes at two
locations are one document with two locations; two different files with the same name under
two roots are two documents. A file whose bytes are already loaded with the same extractor
version, at a location already recorded, is skipped.

Discovery walks the folders itself, so that nothing is skipped silently: unreadable folders,
symbolic-link loops, dangling links and links that lead out of the input folders are not
followed and are listed in the run's summary (`Summary.problems`). A link whose target is
inside one of the input folders is followed. A file that cannot be read (permissions, or
deleted between discovery and hashing) becomes a `documents` row with status `failed` and the
reason, and the run carries on. `plan_ingest` discovers and plans, hashing each file once.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path, PurePosixPath

from extractors import extractor_version
from models.records import DocumentLocation
from shingikai import warehouse
from shingikai.fetch import urls_by_path
from shingikai.hashing import sha256_of
from shingikai.sandbox import unreadable_reason

SKIP_NAMES = {".DS_Store", "Thumbs.db", "README.md", "README.txt"}


class Action(StrEnum):
    """What a planned file needs from the warehouse."""

    EXTRACT = "extract"  # new bytes (or a new extractor version): extract and load
    LOCATE = "locate"  # bytes already loaded (or extracted earlier in this run): record the location only
    UNREADABLE = "unreadable"  # the file cannot be read: a `failed` documents row with the reason


@dataclass
class SourceFile:
    path: Path
    source_path: str  # as recorded in documents.source_path: root folder's name / path under it
    document_id: str = ""
    source_url: str | None = None
    root: str = ""  # absolute folder the file was found under (symbolic links resolved)
    relative: str = ""  # path below `root`, with / separators
    action: Action = Action.EXTRACT
    error: str | None = None  # why the file cannot be read (action UNREADABLE)

    @property
    def location(self) -> tuple[str, str]:
        return (self.root, self.relative)


def discover(paths: Iterable[Path]) -> list[SourceFile]:
    """Every regular file under the given paths (a file given directly counts too)."""
    return discover_all(paths)[0]


def discover_all(paths: Iterable[Path]) -> tuple[list[SourceFile], list[tuple[str, str]]]:
    """The files under the given paths, and (path, reason) for what was not followed."""
    paths = [Path(p) for p in paths]
    roots = [p.resolve() for p in paths if p.is_dir()]
    found: list[SourceFile] = []
    problems: list[tuple[str, str]] = []
    for given in paths:
        if given.is_file():
            root = given.resolve().parent if not given.is_symlink() else given.absolute().parent
            found.append(SourceFile(given, given.name, root=str(root), relative=given.name))
            continue
        if not given.is_dir():
            raise FileNotFoundError(f"no such file or directory: {given}")
        root = given.resolve()
        for path, rel in sorted(_walk(given, root, roots, problems)):
            found.append(
                SourceFile(
                    path, f"{root.name}/{rel.as_posix()}", root=str(root), relative=rel.as_posix()
                )
            )
    _attach_source_urls(found)
    return found, problems


def _walk(
    top: Path, root: Path, roots: list[Path], problems: list[tuple[str, str]]
) -> Iterable[tuple[Path, PurePosixPath]]:
    """(path, path below top) of each file to ingest under `top`, not following what must not be."""
    stack = [(top, PurePosixPath(), frozenset({root}))]
    while stack:
        folder, rel, ancestors = stack.pop()
        try:
            with os.scandir(folder) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as exc:
            problems.append((str(folder), f"folder cannot be read ({exc.strerror})"))
            continue
        for entry in entries:
            name, path = entry.name, Path(entry.path)
            if name.startswith(".") or name in SKIP_NAMES:
                continue
            try:
                if entry.is_symlink():
                    target = _link_target(path, roots, problems)
                    if target is None:
                        continue
                    if target.is_dir():
                        if target in ancestors:
                            problems.append((str(path), "symbolic link loop (not followed)"))
                        else:
                            stack.append((path, rel / name, ancestors | {target}))
                        continue
                    is_file = target.is_file()
                elif entry.is_dir(follow_symlinks=False):
                    stack.append((path, rel / name, ancestors | {path.resolve()}))
                    continue
                else:
                    is_file = entry.is_file(follow_symlinks=False)
            except OSError as exc:
                problems.append((str(path), f"cannot be examined ({exc.strerror})"))
                continue
            if is_file and Path(name).suffix != ".json":
                yield path, rel / name


def _link_target(path: Path, roots: list[Path], problems: list[tuple[str, str]]) -> Path | None:
    """Where a symbolic link leads, if it is to be followed: inside one of the input folders."""
    try:
        target = path.resolve(strict=True)
    except FileNotFoundError:
        problems.append((str(path), "dangling symbolic link (its target does not exist)"))
        return None
    except (RuntimeError, OSError):  # Python raises RuntimeError (or ELOOP) on a link cycle
        problems.append((str(path), "symbolic link loop (not followed)"))
        return None
    if not any(target == r or target.is_relative_to(r) for r in roots):
        problems.append(
            (str(path), f"symbolic link leads out of the input folders, to {target} (not followed)")
        )
        return None
    return target


def _attach_source_urls(found: list[SourceFile]) -> None:
    """Record the URL each file was fetched from, read from the fetch ledger (shingikai.fetch)."""
    urls = urls_by_path(sorted({f.path.resolve().parent for f in found}))
    for f in found:
        f.source_url = urls.get(f.path.resolve(), f.source_url)


def location_of(f: SourceFile, document_id: str | None = None) -> DocumentLocation:
    """The `document_locations` row of a planned file (document_id: the one actually loaded)."""
    return DocumentLocation(
        root=f.root,
        path=f.relative,
        document_id=document_id or f.document_id,
        source_path=f.source_path,
    )


def unreadable_id(root: str, relative: str) -> str:
    """The document_id of a file that cannot be read: derived from its location, not its bytes."""
    return hashlib.sha256(f"unreadable\0{root}\0{relative}".encode()).hexdigest()


def plan(files: list[SourceFile], db: Path, force: bool = False) -> tuple[list[SourceFile], int]:
    """The files the warehouse needs (see `SourceFile.action`), and how many are loaded unchanged.

    Hashing happens here; a file that cannot be read is planned as UNREADABLE, unless its
    location already holds a loaded document, which is then kept as it is.
    """
    known = warehouse.known_documents(db)
    located = warehouse.known_locations(db)
    version = extractor_version()
    todo, skipped, extracting = [], 0, set()
    for f in files:
        try:
            f.document_id = sha256_of(f.path)
        except OSError as exc:
            if f.location in located:
                skipped += 1  # the loaded version stays; the file is back to normal next run
                continue
            f.document_id = unreadable_id(*f.location)
            f.action, f.error = Action.UNREADABLE, unreadable_reason(exc)
            todo.append(f)
            continue
        loaded = known.get(f.document_id)
        current = not force and loaded is not None and loaded[0] == version
        if f.document_id in extracting or current:
            if located.get(f.location) == f.document_id:
                skipped += 1
            else:
                f.action = Action.LOCATE
                todo.append(f)
            continue
        extracting.add(f.document_id)
        f.action = Action.EXTRACT
        todo.append(f)
    return todo, skipped


@dataclass
class Plan:
    """What an ingest run has to do: the files found, what each needs, how many are unchanged."""

    seen: int
    todo: list[SourceFile]  # every file the warehouse needs (see SourceFile.action)
    skipped: int
    seconds: float = 0.0  # spent discovering and hashing
    problems: list[tuple[str, str]] = field(default_factory=list)  # (path, what was not followed)

    @property
    def to_extract(self) -> list[SourceFile]:
        return [f for f in self.todo if f.action == Action.EXTRACT]

    @property
    def without_extraction(self) -> list[SourceFile]:
        """Locations of bytes already loaded, and files that cannot be read."""
        return [f for f in self.todo if f.action != Action.EXTRACT]


def plan_ingest(paths: Iterable[Path | str], db: Path | str, force: bool = False) -> Plan:
    """Discover the files under `paths` and plan against the warehouse at `db` (each file hashed once)."""
    started = time.monotonic()
    files, problems = discover_all(Path(p) for p in paths)
    todo, skipped = plan(files, Path(db), force)
    return Plan(
        seen=len(files),
        todo=todo,
        skipped=skipped,
        seconds=time.monotonic() - started,
        problems=problems,
    )
