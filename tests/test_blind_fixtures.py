"""The blind fixtures (tests/fixtures/blind, blind2, blind3, blind4) keep their gold honest.

The blind documents are invented by someone who never saw the extractor, so the team can
measure it on layouts it was not tuned on. Their gold is only useful if it follows the
gold format (shared/gold/SCHEMA.md) and if every value it asks for can actually be read
in its document: a value the text does not contain would count as a miss no extractor
could avoid. These tests check the gold against the text, never against the extractor.
"""

import html
import json
import pathlib
import re
import unicodedata

import pytest

FIXTURES = pathlib.Path(__file__).parent / "fixtures"
BLIND = FIXTURES / "blind"
# each blind folder and how many documents it holds (blind2, blind3, blind4: later, independently written batches)
FOLDERS = {BLIND: 16, FIXTURES / "blind2": 20, FIXTURES / "blind3": 16, FIXTURES / "blind4": 16}
GOLDS = sorted(g for folder in FOLDERS for g in folder.glob("*.json"))

DOC_KINDS = {"minutes", "toshin", "summary"}
CATEGORIES = {
    "outsourcing",
    "online_link",
    "non_purpose_use",
    "external_provision",
    "indirect_collection",
    "record_items",
    "blanket_approval",
    "other",
}
OUTCOMES = {"approved", "rejected", "deferred", "withdrawn", "unknown"}
VOTES = {"unanimous", "majority", None}
MEETING_KEYS = set(
    "document doc_kind municipality body term session fiscal_year held_on"
    " start_time end_time place observers consultations reports".split()
)
CONSULTATION_KEYS = set(
    "number title department categories outcome vote dissent contractors"
    " optional_contractors data_items optional_data_items conditions".split()
)


def norm(s: str) -> str:
    """The scorer's comparison form: NFKC, no whitespace, no surrounding quotes."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", s)).strip("「」『』\"'")


def document_text(gold: dict, folder: pathlib.Path = BLIND) -> str:
    """The document as a reader sees it: tags dropped from a web page, entities resolved."""
    raw = (folder / gold["document"]).read_text(encoding="utf-8")
    if gold["document"].endswith(".html"):
        raw = html.unescape(re.sub(r"<[^>]+>", "", raw))
    return norm(raw)


@pytest.mark.parametrize("folder", FOLDERS, ids=lambda p: p.name)
def test_every_document_has_its_gold(folder):
    docs = sorted(p for p in folder.iterdir() if p.suffix in {".txt", ".html", ".md"})
    docs = [p for p in docs if p.name != "README.md"]
    assert len(docs) == FOLDERS[folder]
    assert {p.stem for p in docs} == {g.stem for g in folder.glob("*.json")}


@pytest.mark.parametrize("path", GOLDS, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_gold_follows_the_schema(path):
    gold = json.loads(path.read_text(encoding="utf-8"))
    assert set(gold) == MEETING_KEYS
    assert pathlib.PurePath(gold["document"]).stem == path.stem
    assert gold["doc_kind"] in DOC_KINDS
    if gold["held_on"] is not None:
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", gold["held_on"])
    for key in ("start_time", "end_time"):
        if gold[key] is not None:
            assert re.fullmatch(r"[0-2]\d:[0-5]\d", gold[key])
    for c in gold["consultations"]:
        assert set(c) == CONSULTATION_KEYS
        assert c["number"] is None or isinstance(c["number"], int)
        assert c["categories"] and set(c["categories"]) <= CATEGORIES
        assert c["outcome"] in OUTCOMES
        assert c["vote"] in VOTES
        assert c["dissent"] is None or isinstance(c["dissent"], int)
        assert isinstance(c["conditions"], bool)
        # a value is either required or optional, never both
        assert not {norm(v) for v in c["contractors"]} & {
            norm(v) for v in c["optional_contractors"]
        }
        assert not {norm(v) for v in c["data_items"]} & {norm(v) for v in c["optional_data_items"]}
    for r in gold["reports"]:
        assert set(r) == {"title", "department", "incident"}
        assert isinstance(r["incident"], bool)


@pytest.mark.parametrize("path", GOLDS, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_every_gold_string_is_in_its_document(path):
    gold = json.loads(path.read_text(encoding="utf-8"))
    text = document_text(gold, path.parent)
    wanted = [gold["municipality"], gold["body"], gold["place"]]
    for c in gold["consultations"]:
        wanted += [c["title"], c["department"]]
        for key in ("contractors", "optional_contractors", "data_items", "optional_data_items"):
            wanted += c[key]
    for r in gold["reports"]:
        wanted += [r["title"], r["department"]]
    missing = [v for v in wanted if v is not None and norm(v) not in text]
    assert not missing


def test_appeals_are_answered_as_other():
    """SCHEMA.md: an answer to an appeal is a 答申 on a 諮問 with categories ["other"]."""
    appeals = []
    for path in GOLDS:
        gold = json.loads(path.read_text(encoding="utf-8"))
        for c in gold["consultations"]:
            if "審査請求" in c["title"]:
                appeals.append(c)
                assert gold["doc_kind"] == "toshin"
                assert c["categories"] == ["other"]
                assert c["number"] is not None
    assert len(appeals) >= 2
