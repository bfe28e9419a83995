"""Extraction errors a researcher found by hand in the samples (issue: what a researcher needs)."""

from __future__ import annotations

import re
from functools import cache

import pytest

from extractors.pipeline import extract_bytes
from models.canon import canonical_contractor
from models.records import Extraction
from tests.conftest import SAMPLES, SHARED


@cache
def _extract(path: str) -> Extraction:
    from pathlib import Path

    p = Path(path)
    return extract_bytes(p.read_bytes(), f"{p.parent.name}/{p.name}")


def _consultation(x: Extraction, number: int) -> str:
    return next(c.consultation_id for c in x.consultations if c.number == number)


def test_a_contractor_is_stored_once_not_again_inside_its_own_name() -> None:
    x = _extract(str(SAMPLES / "kaedehara_2018_08_kaigiroku.txt"))
    cid = _consultation(x, 5)
    names = [c.name for c in x.contractors if c.consultation_id == cid]
    assert names == ["株式会社 みらい情報システム"]


def test_the_other_end_of_an_online_link_is_a_contractor() -> None:
    x = _extract(str(SAMPLES / "kaedehara_2018_08_kaigiroku.txt"))
    cid = _consultation(x, 7)
    found = {c.name: c for c in x.contractors if c.consultation_id == cid}
    assert "地方公共団体情報システム機構" in found
    row = found["地方公共団体情報システム機構"]
    assert x.text is not None
    assert x.text.text[row.start_char : row.end_char] == "地方公共団体情報システム機構"
    assert row.kind == "public_body"


@pytest.mark.parametrize(
    "name, kind",
    [
        ("とんぼサポーター2", "association"),
        ("みどりの会", "association"),
        ("市民ボランティア", "association"),
        ("株式会社クラブツーリズム", "company"),
    ],
)
def test_citizens_groups_are_associations(name: str, kind: str) -> None:
    assert canonical_contractor(name).kind == kind


PDFS = sorted((SHARED / "corpus" / "pdf").glob("00*.pdf")) + sorted(SAMPLES.glob("*.pdf"))


@pytest.mark.parametrize("pdf", PDFS, ids=[p.name for p in PDFS])
def test_page_footers_are_not_left_in_utterances(pdf) -> None:
    x = _extract(str(pdf))
    glued = [
        u.text[-40:] for u in x.utterances if re.search(r"[-－―‐—–]\s*\d+\s*[-－―‐—–]", u.text)
    ]
    assert glued == []


def test_an_absent_member_on_a_row_of_their_own_is_an_attendee_not_present() -> None:
    x = _extract(str(SAMPLES / "kaedehara_2018_08_kaigiroku.txt"))
    absent = [(a.name, a.role) for a in x.attendees if not a.present]
    assert absent == [("大城誠", "委員")]
    assert x.text is not None
    row = next(a for a in x.attendees if not a.present)
    assert x.text.text[row.start_char : row.end_char].startswith("大城誠")
