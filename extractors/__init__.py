"""Reading, normalising and extracting: pure functions from bytes or text to records."""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

__version__ = "0.1.0"

_ROOT = Path(__file__).resolve().parent.parent


@lru_cache(maxsize=1)
def extractor_version() -> str:
    """The release plus a digest of every file that shapes extraction.

    Any change to an extractor, a model or a vocabulary gives a new version, so
    ingest re-extracts documents loaded by an older one.
    """
    digest = hashlib.sha256()
    files = sorted((_ROOT / "extractors").glob("*.py")) + sorted((_ROOT / "models").rglob("*"))
    for path in files:
        if path.is_file() and path.suffix in {".py", ".csv", ".json", ".sql"}:
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
    return f"{__version__}+{digest.hexdigest()[:10]}"
