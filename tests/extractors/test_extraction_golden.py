"""Every fixture document with gold, extracted and scored per field family.

Each document is extracted once (cached), loaded into an in-memory warehouse and
scored with shingikai.evaluation.score_document; one test per field family asserts on
that document's Counts, with the scorer's error list in the failure message.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import pytest

from extractors.pipeline import extract_bytes
from shingikai import warehouse
from shingikai.evaluation import MEETING_FIELDS, Counts, score_document
from tests.conftest import ROOT

GOLD_DIRS = [ROOT / "data" / "raw" / "samples", ROOT / "tests" / "fixtures" / "layouts"]


def _documents() -> list[tuple[Path, Path]]:
    pairs = []
    for d in GOLD_DIRS:
        for gold in sorted(d.glob("*.json")):
            docs = [p for p in d.glob(gold.stem + ".*") if p.suffix != ".json"]
            assert docs, f"{gold}: no document beside the gold file"
            pairs.extend((doc, gold) for doc in sorted(docs))
    return pairs


DOCS = _documents()
IDS = [doc.name for doc, _ in DOCS]


@cache
def scored(doc: Path, gold_path: Path) -> tuple[Counts, dict, dict]:
    """(Counts, scores, gold) for one document."""
    gold = json.loads(gold_path.read_text(encoding="utf-8"))
    extraction = extract_bytes(doc.read_bytes(), f"{doc.parent.name}/{doc.name}")
    con = warehouse.memory_warehouse()
    try:
        warehouse.load(con, extraction)
        status = extraction.document.status
        assert status == "ok", f"{doc.name}: status {status}: {extraction.document.error}"
        c = Counts()
        score_document(con, extraction.document.document_id, gold, c)
    finally:
        con.close()
    return c, c.scores(), gold


def _errors(c: Counts, prefix: str) -> list[str]:
    return [e for e in c.errors if e.startswith(prefix)]


def _accuracy_ok(doc: Path, gold_path: Path, measures: list[str]) -> None:
    c, scores, _ = scored(doc, gold_path)
    bad = {m: scores[m] for m in measures if m in scores and scores[m]["accuracy"] < 1.0}
    errors = [e for m in measures for e in _errors(c, m + ":")]
    assert not bad, f"{doc.name}: {sorted(bad)} not all correct {bad}; errors: {errors}"


def _f1_at_least(doc: Path, gold_path: Path, measure: str, floor: float) -> None:
    c, scores, _ = scored(doc, gold_path)
    s = scores.get(measure)
    if s is None:  # nothing expected and nothing found
        return
    assert s["f1"] >= floor, (
        f"{doc.name}: {measure} F1 {s['f1']:.2f} < {floor} (P {s['precision']:.2f}, R {s['recall']:.2f}); "
        f"errors: {_errors(c, measure + ':')}"
    )


@pytest.mark.parametrize("doc, gold_path", DOCS, ids=IDS)
def test_meeting_fields(doc: Path, gold_path: Path) -> None:
    c, scores, gold = scored(doc, gold_path)
    want = [f for f in MEETING_FIELDS if gold.get(f) is not None]
    assert all(f"meeting.{f}" in scores for f in want), (
        f"{doc.name}: meeting fields not scored: {want}"
    )
    _accuracy_ok(doc, gold_path, [f"meeting.{f}" for f in want])


@pytest.mark.parametrize("doc, gold_path", DOCS, ids=IDS)
def test_consultation_detection(doc: Path, gold_path: Path) -> None:
    c, scores, gold = scored(doc, gold_path)
    s = scores.get("consultations.detection")
    if not gold.get("consultations"):
        assert s is None or s["precision"] == 1.0, (
            f"{doc.name}: consultations invented; errors: {_errors(c, 'consultations.detection:')}"
        )
        return
    assert s is not None and s["f1"] == 1.0, (
        f"{doc.name}: consultations.detection {s}; errors: {_errors(c, 'consultations.detection:')}"
    )


@pytest.mark.parametrize("doc, gold_path", DOCS, ids=IDS)
def test_consultation_titles(doc: Path, gold_path: Path) -> None:
    _accuracy_ok(doc, gold_path, ["consultation.title"])


@pytest.mark.parametrize("doc, gold_path", DOCS, ids=IDS)
def test_consultation_outcomes(doc: Path, gold_path: Path) -> None:
    _accuracy_ok(
        doc,
        gold_path,
        [
            "consultation.outcome",
            "consultation.vote",
            "consultation.dissent",
            "consultation.conditions",
        ],
    )


@pytest.mark.parametrize("doc, gold_path", DOCS, ids=IDS)
def test_consultation_departments(doc: Path, gold_path: Path) -> None:
    _accuracy_ok(doc, gold_path, ["consultation.department"])


@pytest.mark.parametrize("doc, gold_path", DOCS, ids=IDS)
def test_contractors(doc: Path, gold_path: Path) -> None:
    _f1_at_least(doc, gold_path, "contractors", 0.8)


@pytest.mark.parametrize("doc, gold_path", DOCS, ids=IDS)
def test_data_items(doc: Path, gold_path: Path) -> None:
    _f1_at_least(doc, gold_path, "data_items", 0.8)


@pytest.mark.parametrize("doc, gold_path", DOCS, ids=IDS)
def test_grounding(doc: Path, gold_path: Path) -> None:
    _accuracy_ok(doc, gold_path, ["grounding"])


KNOWN_GAPS: dict[tuple[str, str], str] = {}
