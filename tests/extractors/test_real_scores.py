"""Extraction on councils the rules were not written from, scored by the shared scorer.

Builds one warehouse per development set (`../shared/corpus/real` as text and as the
browser's PDF, the full-length documents of `../shared/corpus/full` as text, as a web page
and as the browser's PDF, the invented documents of `tests/fixtures/blind`, and the seeds),
runs `../shared/tools/score.py` on it, and checks
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
from models.records import Extraction
from shingikai.evaluation import evaluate
from shingikai.warehouse import apply_schema, load_many, memory_warehouse
from tests.conftest import ROOT, SHARED

pytestmark = pytest.mark.slow  # extracts eleven corpora and runs the shared scorer (~60 s)

SCORER = SHARED / "tools" / "score.py"
BLIND = ROOT / "tests" / "fixtures" / "blind"
BLIND2 = ROOT / "tests" / "fixtures" / "blind2"
BLIND3 = ROOT / "tests" / "fixtures" / "blind3"
BLIND4 = ROOT / "tests" / "fixtures" / "blind4"
SETS = {
    "real": (SHARED / "corpus" / "real", SHARED / "gold" / "real", "1*.txt"),
    "real-pdf": (SHARED / "corpus" / "real-pdf", SHARED / "gold" / "real", "1*.pdf"),
    "seeds": (SHARED / "corpus" / "seeds", SHARED / "gold", "0*.txt"),
    "seeds-pdf": (SHARED / "corpus" / "pdf", SHARED / "gold", "0*.pdf"),
    "full": (SHARED / "corpus" / "full", SHARED / "gold" / "full", "2*.txt"),
    "full-html": (SHARED / "corpus" / "full", SHARED / "gold" / "full", "2*.html"),
    "full-pdf": (SHARED / "corpus" / "full-pdf", SHARED / "gold" / "full", "2*.pdf"),
    "blind": (BLIND, BLIND, "[0-9]*[!n]"),  # every document, not its .json gold
    "blind2": (BLIND2, BLIND2, "[0-9]*[!n]"),
    "blind3": (BLIND3, BLIND3, "[0-9]*[!n]"),
    "blind4": (BLIND4, BLIND4, "[0-9]*[!n]"),
}
# The guard is what is measured, so that a regression shows at once; it rises with the scores.
# The targets (issue 18): real >= 0.95 as text and PDF, full >= 0.95 in each rendering, seeds 1.
# Measured when the development set grew (real 122-140, full 201-212 added): real 0.845 /
# 0.846, full 0.784 / 0.820 / 0.827, seeds 1.000 / 1.000; after the second round of extraction
# work: real 0.905 / 0.899, full 0.957 / 0.952 / 0.957, seeds 1.000 / 1.000, and the invented
# documents of tests/fixtures/blind (written without reading the extractors) 0.863; real-pdf
# 0.905 once the PDF reader kept a label under a blank line apart (issue 23). Third round
# (2026-12-03): real 0.922 / 0.922, full 0.958 / 0.965 / 0.958, blind 0.923; a second blind
# batch (tests/fixtures/blind2, scored 0.729 before any rule of the round) 0.889; a third
# (tests/fixtures/blind3, kept unread by whoever changed the rules) 0.776 -> 0.807. Fourth round
# (2026-12-03, third session): blind3 read and worked on, 0.807 -> 0.870; a fourth blind batch
# (tests/fixtures/blind4, kept unread: the hidden measure now) 0.775 -> 0.784; real 0.963 /
# 0.963, full 0.967 in each rendering with data items 0.908 and contractors 0.918 in each.
BAR = {
    "real": 0.96,
    "real-pdf": 0.96,
    "seeds": 0.99,
    "seeds-pdf": 0.99,
    "full": 0.965,
    "full-html": 0.965,
    "full-pdf": 0.965,
    "blind": 0.92,
    "blind2": 0.89,
    "blind3": 0.865,
    "blind4": 0.78,
}
# no measure under these (the lowest measured, rounded down)
FLOOR = {
    "real": 0.90,
    "real-pdf": 0.90,
    "seeds": 0.99,
    "seeds-pdf": 0.99,
    "full": 0.88,
    "full-html": 0.88,
    "full-pdf": 0.88,
    "blind": 0.66,
    "blind2": 0.0,  # its one dissent is missed (0/1); every other measure >= 0.70
    "blind3": 0.54,
    "blind4": 0.25,  # dissent 1/4; every other measure >= 0.40
}
# the measures the research table rests on, where the issue sets a bar of their own
KEY = {
    name: {"consultations.data_items": 0.90, "consultations.contractors": 0.90}
    for name in ("full", "full-html", "full-pdf")
}
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
def extracted() -> dict[str, list[Extraction]]:
    """set -> the extraction of each of its documents."""
    if not SCORER.exists():
        pytest.fail(f"{SCORER} is missing: the shared corpus must sit beside the repository")
    return {
        name: [
            extract_bytes(p.read_bytes(), f"{folder.name}/{p.name}")
            for p in sorted(folder.glob(pattern))
        ]
        for name, (folder, _, pattern) in SETS.items()
    }


@pytest.fixture(scope="module")
def scored(
    extracted: dict[str, list[Extraction]], tmp_path_factory: pytest.TempPathFactory
) -> dict[str, tuple[dict, dict]]:
    """set -> (score.py's JSON, shingikai eval's overall scores)."""
    out = {}
    for name, (_, gold, _) in SETS.items():
        db = tmp_path_factory.mktemp(name) / "w.duckdb"
        con = duckdb.connect(str(db))
        apply_schema(con)
        load_many(con, extracted[name])
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
    low = {k: v for k, v in theirs.items() if v is not None and v < FLOOR[name]}
    assert not low


@pytest.mark.parametrize("name", list(KEY))
def test_items_and_parties_hold_their_bar(scored: dict, name: str) -> None:
    theirs, _ = scored[name]
    low = {k: theirs[k] for k, bar in KEY[name].items() if (theirs[k] or 0.0) < bar}
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


def test_each_real_text_and_its_pdf_are_one_meeting(extracted: dict) -> None:
    """Issue 23: the 40 pages of ../shared/corpus/real and their browser PDFs, loaded into one
    warehouse, are 40 meetings: each pair shares a meeting key, including the pages whose
    header gives no key (106, 121: known by their content) and those whose PDF was read
    with another date or title (123, 129)."""
    con = memory_warehouse()
    load_many(con, extracted["real"] + extracted["real-pdf"])
    keys: dict[str, set] = {}
    for path, key in con.execute("SELECT source_path, meeting_key FROM documents").fetchall():
        keys.setdefault(path.split("/")[-1].rsplit(".", 1)[0], set()).add(key)
    assert len(keys) == 40
    apart = {stem: k for stem, k in keys.items() if len(k) != 1 or None in k}
    assert not apart
    assert con.execute("SELECT count(*) FROM meetings_once").fetchone()[0] == 40
