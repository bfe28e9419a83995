"""Distinct copies of real extractions, for loading thousands of documents without extracting them.

A copy gets its own document id (and with it its own consultation, report and evidence ids, which
start with the document id's first 16 characters), its own source path and its own meeting date
(drawn from the id), so that it records a meeting of its own, as a new document would: copies of
one meeting (`documents.duplicate_of`) stay as rare as they are in a real collection. Its rows
are otherwise those of the original.
"""

from __future__ import annotations

import dataclasses
import hashlib
from datetime import date, timedelta
from typing import Any

from models.records import Extraction

ID_PREFIX = 16  # consultation_id, report_id: document id prefix + position


def copy_of(extraction: Extraction, n: int, folder: str = "copies") -> Extraction:
    """Copy `n` of `extraction`: a new document at `folder/n/<original source path>`."""
    old = extraction.document.document_id
    new = hashlib.sha256(f"{old}/{folder}/{n}".encode()).hexdigest()

    def fix(value: Any) -> Any:
        if isinstance(value, str):
            return value.replace(old, new).replace(old[:ID_PREFIX], new[:ID_PREFIX])
        return value

    def record(r: Any) -> Any:
        return dataclasses.replace(
            r, **{f.name: fix(getattr(r, f.name)) for f in dataclasses.fields(r)}
        )

    changes: dict[str, Any] = {}
    for f in dataclasses.fields(extraction):
        value = getattr(extraction, f.name)
        if dataclasses.is_dataclass(value):
            changes[f.name] = record(value)
        elif isinstance(value, list) and value and dataclasses.is_dataclass(value[0]):
            changes[f.name] = [record(v) for v in value]
    copy = dataclasses.replace(extraction, **changes)
    copy.document.source_path = f"{folder}/{n}/{extraction.document.source_path}"
    if copy.meeting is not None and copy.meeting.held_on is not None:
        days = int(new[:12], 16) % (date(9999, 1, 1) - date(1900, 1, 1)).days
        copy.meeting = dataclasses.replace(copy.meeting, held_on=date(1900, 1, 1) + timedelta(days))
    return copy
