"""Extraction on councils the rules were not written from, scored by the shared scorer.

Builds one warehouse per development set (`../shared/corpus/real` as text and as the
browser's PDF, and the seeds), runs `../shared/tools/score.py` on it, and checks
- the guard: the headline does not fall under the bar (a regression shows at once);
- one scorer: `shingikai eval` gives every measure score.py gives, to the third decimal.
"""

from __future__ import annotations

import json
import subprocess
import sys

import duckdb
import pytest

from extractors.pipeline import extract_bytes
from shingikai.evaluation import evaluate
from shingikai.warehouse import apply_schema, load_many
from tests.conftest import SHARED

# builds four warehouses from the shared corpora and runs score.py in a subprocess
pytestmark = pytest.mark.slow

pytestmark = pytest.mark.slow  # extracts four corpora and runs the shared scorer (~30 s)

SCORER = SHARED / "tools" / "score.py"
SETS = {
    "real": (SHARED / "corpus" / "real", SHARED / "gold" / "real", "1*.txt"),
    "real-pdf": (SHARED / "corpus" / "real-pdf", SHARED / "gold" / "real", "1*.pdf"),
    "seeds": (SHARED / "corpus" / "seeds", SHARED / "gold", "0*.txt"),
    "seeds-pdf": (SHARED / "corpus" / "pdf", SHARED / "gold", "0*.pdf"),
}
# The guard: the bar is 0.90 on the real sets and 0.98 on the seeds, with no measure
# under 0.75; measured today 0.976 / 0.979 / 1.000 / 1.000, so a regression shows at once.
BAR = {"real": 0.95, "real-pdf": 0.95, "seeds": 0.98, "seeds-pdf": 0.98}
FLOOR = 0.75
# score.py's measure names -> shingikai eval's
NAMES = {
    "consultations.detected": "consultations.detection",
    "consultations.rep_incident": "report.incident",
    "consultations.categories": "consultation.categories",
    "consultations.contractors": "contractors",
    "consultations.data_items": "data_items",
    "reports.detected": "reports.detection",
}


def _name(measure: str) -> str:
    if measure in NAMES:
        return NAMES[measure]
    return measure.replace("consultations.", "consultation.", 1)


@pytest.fixture(scope="module")
def scored(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[dict, dict]]:
    """set -> (score.py's JSON, shingikai eval's overall scores)."""
    if not SCORER.exists():
        pytest.fail(f"{SCORER} is missing: the shared corpus must sit beside the repository")
    out = {}
    for name, (folder, gold, pattern) in SETS.items():
        db = tmp_path_factory.mktemp(name) / "w.duckdb"
        con = duckdb.connect(str(db))
        apply_schema(con)
        load_many(
            con,
            [
                extract_bytes(p.read_bytes(), f"{folder.name}/{p.name}")
                for p in sorted(folder.glob(pattern))
            ],
        )
        ours = evaluate(con, gold)["overall"]
        con.close()
        report = db.with_suffix(".json")
        subprocess.run(
            [sys.executable, str(SCORER), str(db), str(gold), "--json", str(report)],
            check=True,
            capture_output=True,
        )
        out[name] = (json.loads(report.read_text()), ours)
    return out


@pytest.mark.parametrize("name", list(SETS))
def test_headline_holds_the_bar(scored: dict, name: str) -> None:
    theirs, _ = scored[name]
    assert theirs["headline"] >= BAR[name], {k: v for k, v in theirs.items() if v is not None}


@pytest.mark.parametrize("name", list(SETS))
def test_no_measure_under_the_floor(scored: dict, name: str) -> None:
    theirs, _ = scored[name]
    low = {k: v for k, v in theirs.items() if v is not None and v < FLOOR}
    assert not low


@pytest.mark.parametrize("name", list(SETS))
def test_grounding_is_complete(scored: dict, name: str) -> None:
    theirs, _ = scored[name]
    assert theirs["grounding"] in (None, 1.0)


@pytest.mark.parametrize("name", list(SETS))
def test_eval_agrees_with_the_shared_scorer(scored: dict, name: str) -> None:
    theirs, ours = scored[name]
    assert round(ours["headline"], 3) == round(theirs["headline"], 3)
    for measure, value in theirs.items():
        if measure == "headline" or value is None:
            continue
        mine = ours["scores"].get(_name(measure), {})
        got = mine.get("f1", mine.get("accuracy"))
        assert got is not None and round(got, 3) == round(value, 3), (measure, got, value)
