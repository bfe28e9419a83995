"""The ingest steps that `flows.ingest` orchestrates, without Prefect: load a batch, count it.

Order of one run: `shingikai.discover.plan_ingest` (what is new), `shingikai.sandbox`
(extract each document in a bounded worker), `load_batch` (one commit of a `warehouse.Writer`
on the lake), `Summary.add` (what the run did).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import duckdb

from models.records import Extraction
from models.vocab import Status
from shingikai import warehouse
from shingikai.discover import Plan, SourceFile
from shingikai.sandbox import failed


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

    @classmethod
    def of_plan(cls, plan: Plan, db: str) -> Summary:
        """The summary of a run before anything is extracted."""
        return cls(seen=plan.seen, skipped=plan.skipped, db=str(db), seconds=plan.seconds)

    def add(self, f: SourceFile, extraction: Extraction) -> None:
        """Count one loaded document."""
        doc = extraction.document
        self.new += 1
        self.by_status[doc.status] = self.by_status.get(doc.status, 0) + 1
        if doc.status != Status.OK:
            self.failed += 1
            self.failures.append((f.source_path, doc.status, doc.error or ""))
        self.consultations += len(extraction.consultations)


def load_batch(
    con: duckdb.DuckDBPyConnection, files: list[SourceFile], extractions: list[Extraction]
) -> list[Extraction]:
    """Load a batch in one transaction; if that fails, document by document, so one bad row fails one file.

    Returns what was loaded for each file: its extraction, or the failure recorded in its place.
    """
    try:
        warehouse.load_many(con, extractions)
        return extractions
    except Exception:
        pass
    loaded = []
    for f, extraction in zip(files, extractions, strict=True):
        try:
            warehouse.load(con, extraction)
        except Exception as exc:
            extraction = failed(
                f.path,
                f.source_path,
                Status.FAILED,
                f"extracted but could not be loaded ({type(exc).__name__}: {str(exc)[:200]}); please report it",
                f.source_url,
            )
            warehouse.load(con, extraction)
        loaded.append(extraction)
    return loaded
