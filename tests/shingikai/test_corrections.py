"""Researchers' corrections: files applied on every load, with provenance, that survive
re-extraction, report what no longer applies, and become evaluation and gold.

The warehouse is a single DuckDB file built from the invented samples (data/raw/samples) in
the test process; a re-ingest is the same extraction loaded again (what `ingest --force` does
after extracting), and a new extractor version is that extraction with another version.
"""

from __future__ import annotations

import copy
import json
import re
import shlex
import shutil
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from extractors.pipeline import extract_bytes
from models.records import Extraction
from shingikai import corrections as lib
from shingikai import warehouse
from shingikai.cli.main import main
from shingikai.discover import plan_ingest
from shingikai.warehouse import corrections as fix
from shingikai.warehouse.corrections import CorrectionError
from tests.conftest import ROOT, SAMPLES, SHARED
from tests.ingest_helpers import cli_env, copy_lake
from tests.sample_warehouse import build

KAEDE = "samples/kaedehara_2018_08_kaigiroku.txt"  # three 諮問 (5, 6, 7), all approved, 傍聴 2
SHIO = "samples/shiomino_2019_11_youroku.md"


@pytest.fixture(scope="module")
def extractions(tmp_path_factory) -> list[Extraction]:
    plan = plan_ingest([SAMPLES], tmp_path_factory.mktemp("plan") / "none.duckdb")
    return [extract_bytes(f.path.read_bytes(), f.source_path) for f in plan.todo]


def _load(db: Path, extractions: list[Extraction]) -> None:
    with warehouse.Writer(db) as w:
        warehouse.load_many(w.con, extractions)


@pytest.fixture(scope="module")
def loaded(tmp_path_factory, extractions) -> Path:
    """The samples loaded once, uncorrected; each test works on a copy."""
    path = tmp_path_factory.mktemp("corrections") / "template.duckdb"
    _load(path, extractions)
    return path


@pytest.fixture
def db(tmp_path, monkeypatch, loaded) -> Path:
    monkeypatch.setenv("SHINGIKAI_CORRECTIONS", str(tmp_path / "corrections"))
    monkeypatch.setenv("SHINGIKAI_USER", "yamada")
    path = tmp_path / "w.duckdb"
    shutil.copyfile(loaded, path)
    return path


def _one(db: Path, sql: str, *params: object) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql, list(params)).fetchall()
    finally:
        con.close()


def _outcome(db: Path, number: int) -> str:
    return _one(
        db,
        "SELECT c.outcome FROM consultations c JOIN documents d USING (document_id) "
        "WHERE d.source_path = ? AND c.number = ?",
        KAEDE,
        number,
    )[0][0]


def _kaede(extractions: list[Extraction]) -> Extraction:
    return next(e for e in extractions if e.document.source_path == KAEDE)


def _status(db: Path, place: str) -> list[str]:
    return [r[0] for r in _one(db, "SELECT status FROM corrections WHERE place = ?", place)]


# ---- places and values: one clear line for each mistake


@pytest.mark.parametrize(
    "place, value, action, message",
    [
        ("meeting.colour", "1", "set", "unknown meeting field 'colour'"),
        ("agenda:5.outcome", "approved", "set", "unknown field 'agenda:5.outcome'"),
        ("consultation:5.colour", "1", "set", "unknown consultation field 'colour'"),
        ("meeting.observers", "two", "set", "not a valid value for meeting.observers: a whole"),
        ("meeting.held_on", "2018/13/01", "set", "a date as YYYY-MM-DD"),
        ("consultation:5.outcome", "maybe", "set", "one of approved, rejected"),
        ("consultation:5.outcome", "null", "set", "cannot be empty"),
        ("consultation:5.categories", "outsourcing,nonsense", "set", "comma-separated categories"),
        ("report:x.is_incident", "perhaps", "set", "true or false"),
        ("consultation:5.contractors", None, "add", "give a VALUE"),
    ],
)
def test_bad_place_or_value_is_one_clear_message(place, value, action, message):
    with pytest.raises(CorrectionError, match=message.replace("(", r"\(")):
        fix.parse_value(fix.parse_place(place), value, action)


def test_places_and_values_parse_to_types():
    place = fix.parse_place("consultation:要介護認定調査業務の委託について.conditions")
    assert place == fix.Place("consultation", "要介護認定調査業務の委託について", "has_conditions")
    assert fix.parse_value(fix.parse_place("meeting.start_time"), "13:30", "set").hour == 13
    assert fix.parse_value(place, "yes", "set") is True
    assert fix.parse_value(fix.parse_place("meeting.place"), "null", "set") is None
    categories = fix.parse_place("consultation:5.categories")
    assert fix.parse_value(categories, "outsourcing, online_link", "set") == [
        "outsourcing",
        "online_link",
    ]
    # full-width digits are what a Japanese keyboard gives
    assert fix.parse_value(fix.parse_place("meeting.observers"), "３", "set") == 3


def test_file_round_trips(tmp_path):
    entry = fix.Correction(
        "meeting.held_on",
        "set",
        fix.parse_value(fix.parse_place("meeting.held_on"), "2018-08-08", "set"),
        "山田",
        datetime(2026, 12, 3, 9, 0, tzinfo=UTC),
        'the date "8日" on p.1',
    )
    cf = fix.CorrectionsFile("ab" * 32, "x/y.txt", [entry], "山田", entry.at)
    fix.write_file(tmp_path / "f.toml", cf)
    assert fix.read_file(tmp_path / "f.toml") == cf


@given(
    text=st.text(max_size=40),
    value=st.one_of(st.none(), st.text(max_size=20), st.integers(), st.booleans()),
)
@settings(max_examples=60, deadline=None)
def test_any_text_survives_the_file(tmp_path_factory, text, value):
    """Whatever a researcher types (quotes, backslashes, control characters, DEL) reads back."""
    entry = fix.Correction(
        "meeting.place", "set", value, text or "x", datetime(2026, 1, 2, 3, 4, tzinfo=UTC), text
    )
    path = tmp_path_factory.mktemp("toml") / "f.toml"
    cf = fix.CorrectionsFile("ab" * 32, text, [entry])
    fix.write_file(path, cf)
    assert fix.read_file(path) == cf


def test_a_document_without_a_header_gets_a_meeting_row_only_when_a_value_is_set():
    rows = {"documents": [{"document_id": "d" * 64, "doc_kind": "other", "warnings": []}]}
    at = datetime(2026, 12, 1, tzinfo=UTC)

    def entry(action, value, minute):
        return fix.Correction(
            "meeting.observers", action, value, "y", at.replace(minute=minute), ""
        )

    confirmed, provenance = fix.apply_document(
        rows, fix.CorrectionsFile("d" * 64, corrections=[entry("confirm", None, 0)])
    )
    assert confirmed["meetings"] == [] and provenance[0]["status"] == "confirmed"
    corrected, provenance = fix.apply_document(
        rows, fix.CorrectionsFile("d" * 64, corrections=[entry("set", 3, 1)])
    )
    assert [m["observers"] for m in corrected["meetings"]] == [3]
    assert provenance[0]["status"] == "applied" and provenance[0]["extracted_value"] == "null"
    assert "__extracted__" not in corrected["meetings"][0]


# ---- applied on load, with provenance, surviving re-extraction


def test_correction_replaces_the_value_and_keeps_its_provenance(db):
    written = lib.correct(
        db, KAEDE, "consultation:6.outcome", "deferred", why="継続審議とする, p.2"
    )
    assert [s[1] for s in written.statuses] == ["applied"]
    assert _outcome(db, 6) == "deferred"
    assert _outcome(db, 5) == "approved"  # nothing else changed
    (row,) = _one(
        db,
        "SELECT value, extracted_value, corrected_by, why, status, record_table, corrected_at "
        "FROM corrections",
    )
    assert row[:6] == (
        '"deferred"',
        '"approved"',
        "yamada",
        "継続審議とする, p.2",
        "applied",
        "consultations",
    )
    assert row[6] is not None
    assert written.file.read_text(encoding="utf-8").count("[[corrections]]") == 1


def test_correction_survives_reingest_and_a_new_extractor_version(db, extractions):
    lib.correct(db, KAEDE, "consultation:6.outcome", "deferred", why="p.2")
    lib.correct(db, KAEDE, "meeting.observers", "3", why="傍聴者 3名 on p.1")
    _load(db, extractions)  # ingest --force: extracted again, loaded again
    assert _outcome(db, 6) == "deferred"
    newer = copy.deepcopy(extractions)
    for e in newer:
        e.document.extractor_version = "9.9.9+new"
    _load(db, newer)
    assert _one(db, "SELECT DISTINCT extractor_version FROM documents") == [("9.9.9+new",)]
    assert _outcome(db, 6) == "deferred"
    assert _one(
        db,
        "SELECT observers FROM meetings JOIN documents USING (document_id) WHERE source_path = ?",
        KAEDE,
    ) == [(3,)]
    assert sorted(_status(db, "consultation:6.outcome") + _status(db, "meeting.observers")) == [
        "applied",
        "applied",
    ]


def test_a_correction_whose_consultation_disappears_is_reported(db, extractions):
    lib.correct(db, KAEDE, "consultation:6.outcome", "deferred", why="p.2")
    newer = copy.deepcopy(extractions)
    kaede = _kaede(newer)
    kaede.consultations = [c for c in kaede.consultations if c.number != 6]
    _load(db, newer)
    assert _status(db, "consultation:6.outcome") == ["missing"]
    (warnings,) = _one(db, "SELECT warnings FROM documents WHERE source_path = ?", KAEDE)[0]
    assert any("consultation:6.outcome" in w and "missing" in w for w in warnings)
    listed, _ = lib.listing(db)
    assert [(i.entry.place, i.status) for i in listed] == [("consultation:6.outcome", "missing")]


def test_a_correction_the_extractor_now_agrees_with_is_redundant(db, extractions):
    lib.correct(db, KAEDE, "consultation:6.outcome", "deferred", why="p.2")
    newer = copy.deepcopy(extractions)
    next(c for c in _kaede(newer).consultations if c.number == 6).outcome = "deferred"  # type: ignore[assignment]
    _load(db, newer)
    assert _status(db, "consultation:6.outcome") == ["redundant"]
    assert _outcome(db, 6) == "deferred"


def test_a_renumbered_consultation_is_found_by_its_new_number(db, extractions):
    lib.correct(db, KAEDE, "consultation:6.number", "16", why="諮問第16号 in the sheet")
    lib.correct(db, KAEDE, "consultation:16.outcome", "deferred", why="p.2")
    _load(db, extractions)
    assert _outcome(db, 16) == "deferred"
    assert sorted(
        _status(db, "consultation:6.number") + _status(db, "consultation:16.outcome")
    ) == [
        "applied",
        "applied",
    ]
    # a later extractor that reads 16 itself: the renumbering is redundant, not missing
    newer = copy.deepcopy(extractions)
    next(c for c in _kaede(newer).consultations if c.number == 6).number = 16
    _load(db, newer)
    assert _status(db, "consultation:6.number") == ["redundant"]


def test_contractors_added_and_removed_stay_grounded(db, extractions):
    kaede = _kaede(extractions)
    cid = next(c.consultation_id for c in kaede.consultations if c.number == 6)
    names = [c.name for c in kaede.contractors if c.consultation_id == cid]
    assert names, "the sample names a contractor for 諮問第6号"
    lib.correct(db, KAEDE, "consultation:6.contractors", names[0], "remove", why="not a recipient")
    lib.correct(db, KAEDE, "consultation:6.contractors", "楓原市", "add", why="提供先 p.2")
    _load(db, extractions)
    rows = _one(
        db,
        "SELECT name, source, substr(t.text, start_char + 1, end_char - start_char) FROM contractors "
        "JOIN document_texts t USING (document_id) WHERE consultation_id = ?",
        cid,
    )
    assert names[0] not in [r[0] for r in rows]
    added = [r for r in rows if r[0] == "楓原市"]
    assert added == [("楓原市", "correction", "楓原市")]
    with pytest.raises(CorrectionError, match="not written in the document's text"):
        lib.correct(db, KAEDE, "consultation:6.contractors", "架空商事株式会社", "add", why="x")


def test_consultations_added_and_removed(db, extractions):
    lib.correct(db, KAEDE, "consultation:7", None, "remove", why="a report, not a 諮問")
    lib.correct(db, KAEDE, "consultation:99", "要介護認定調査業務の委託について", "add", why="x")
    _load(db, extractions)
    numbers = _one(
        db,
        "SELECT number FROM consultations JOIN documents USING (document_id) WHERE source_path = ? "
        "ORDER BY number",
        KAEDE,
    )
    assert numbers == [(5,), (6,), (99,)]
    assert (
        _one(db, "SELECT count(*) FROM contractors WHERE consultation_id LIKE '%-c03'")[0][0] == 0
    )
    with pytest.raises(CorrectionError, match="already in the document"):
        lib.correct(db, KAEDE, "consultation:5", "x", "add", why="x")


def test_an_unreadable_corrections_file_never_fails_the_document(db, extractions, tmp_path):
    lib.correct(db, KAEDE, "consultation:6.outcome", "deferred", why="p.2")
    (path,) = (tmp_path / "corrections").glob("*.toml")
    path.write_text("this is = = not toml", encoding="utf-8")
    _load(db, extractions)
    status, warnings = _one(
        db, "SELECT status, warnings FROM documents WHERE source_path = ?", KAEDE
    )[0]
    assert status == "ok" and _outcome(db, 6) == "approved"
    assert any(w.startswith("corrections not applied") for w in warnings)


# ---- conflicts: reported by `correct` and by `corrections`


def test_two_researchers_disagreeing_is_a_conflict_reported_by_both_commands(db, capsys):
    kw = ["--db", str(db), "--why", "p.2"]
    assert (
        main(["correct", KAEDE, "consultation:6.outcome", "deferred", "--by", "yamada", *kw]) == 0
    )
    capsys.readouterr()
    assert (
        main(["correct", KAEDE, "consultation:6.outcome", "rejected", "--by", "suzuki", *kw]) == 0
    )
    out, err = capsys.readouterr()
    assert "conflict" in out and "conflict: " + KAEDE in err
    assert 'yamada says "deferred"' in err and 'suzuki says "rejected"' in err
    assert _outcome(db, 6) == "approved"  # neither is applied until they agree
    assert main(["corrections", "--db", str(db)]) == 0
    out, err = capsys.readouterr()
    assert out.count("\tconflict\t") == 2 and err.count("conflict: ") == 1
    # suzuki agrees after all: the conflict is gone and the value applied
    assert (
        main(["correct", KAEDE, "consultation:6.outcome", "deferred", "--by", "suzuki", *kw]) == 0
    )
    out, err = capsys.readouterr()
    assert "conflict" not in err and _outcome(db, 6) == "deferred"
    assert (
        fix.conflicts(fix.read_file(next(Path(fix.directory()).glob("*.toml"))).corrections) == []
    )


@pytest.mark.parametrize(
    "args, message",
    [
        (["nope", "meeting.observers", "2"], "no document matches 'nope'"),
        ([KAEDE, "meeting.colour", "2"], "unknown meeting field"),
        ([KAEDE, "meeting.observers", "two"], "a whole number"),
        (
            [KAEDE, "consultation:9.outcome", "deferred"],
            "no consultation:9.outcome in this document",
        ),
        ([KAEDE, "consultation:6.contractors", "x"], "is a list: --add NAME or --remove NAME"),
    ],
)
def test_cli_bad_input_is_one_line(db, capsys, args, message):
    assert main(["correct", *args, "--why", "x", "--db", str(db)]) == 2
    out, err = capsys.readouterr()
    assert message in err and err.count("\n") == 1 and "Traceback" not in err
    assert not list(Path(fix.directory()).glob("*.toml"))  # nothing was written


def test_a_document_that_was_not_read_has_nothing_to_correct(db, tmp_path, capsys):
    from models.vocab import Status
    from shingikai.sandbox import failed

    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.4 truncated")
    _load(db, [failed(broken, "x/broken.pdf", Status.FAILED, "truncated: download it again")])
    assert (
        main(["correct", "x/broken.pdf", "meeting.observers", "2", "--why", "x", "--db", str(db)])
        == 2
    )
    err = capsys.readouterr().err
    assert "x/broken.pdf was not read (status failed: truncated" in err and err.count("\n") == 1


# ---- evaluation and gold


def test_eval_corrections_scores_the_extractor_against_checked_values(db, capsys):
    lib.correct(db, KAEDE, "consultation:6.outcome", "deferred", why="p.2")  # extractor wrong
    lib.confirm(db, KAEDE, "consultation:5.outcome")  # extractor right
    lib.confirm(db, KAEDE, "meeting.observers")
    assert main(["eval", "--corrections", "--db", str(db), "--json"]) == 0
    scores = json.loads(capsys.readouterr().out)["measures"]
    assert scores["consultation.outcome"] == {"accuracy": 0.5, "n": 2}
    assert scores["meeting.observers"] == {"accuracy": 1.0, "n": 1}


@pytest.mark.slow  # the shared scorer runs as a subprocess
def test_exported_gold_scores_one_with_the_shared_scorer(db, tmp_path, capsys):
    lib.correct(db, KAEDE, "consultation:6.outcome", "deferred", why="p.2")
    lib.correct(db, KAEDE, "meeting.observers", "3", why="p.1")
    lib.correct(db, KAEDE, "consultation:6.contractors", "楓原市", "add", why="提供先")
    lib.confirm(db, KAEDE)
    lib.confirm(db, SHIO)
    lib.correct(db, SAMPLES_KIRI, "meeting.observers", "5", why="only corrected, not checked")
    gold = tmp_path / "gold"
    assert main(["corrections", "--export-gold", str(gold), "--db", str(db)]) == 0
    out, err = capsys.readouterr()
    assert sorted(p.name for p in gold.glob("*.json")) == [
        "kaedehara_2018_08_kaigiroku.json",
        "shiomino_2019_11_youroku.json",
    ]
    assert "left out: samples/kirigaya_2015_10_kaigiroku.pdf: not fully checked" in err
    exported = json.loads((gold / "kaedehara_2018_08_kaigiroku.json").read_text(encoding="utf-8"))
    assert exported["observers"] == 3
    six = next(c for c in exported["consultations"] if c["number"] == 6)
    assert six["outcome"] == "deferred" and "楓原市" in six["contractors"]
    scored = subprocess.run(
        [
            sys.executable,
            str(SHARED / "tools" / "score.py"),
            str(db),
            str(gold),
            "--json",
            str(tmp_path / "s.json"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert scored.returncode == 0, scored.stderr
    result = json.loads((tmp_path / "s.json").read_text())
    assert result["headline"] == pytest.approx(1.0), scored.stdout
    assert result["consultations.detected"] == 1.0 and result["grounding"] == 1.0


SAMPLES_KIRI = "samples/kirigaya_2015_10_kaigiroku.pdf"


# ---- visible: show, the views, the listing


def test_show_marks_the_corrected_value_and_lists_the_corrections(db, tmp_path):
    from shingikai.show import show

    lib.correct(db, KAEDE, "consultation:6.outcome", "deferred", why="継続審議, p.2")
    lib.correct(db, KAEDE, "consultation:6.contractors", "楓原市", "add", why="提供先")
    page = show(db, KAEDE, tmp_path / "page.html")[0].read_text(encoding="utf-8")
    marked = re.findall(r'<mark id="s-\d+" data-label="(\w+)"[^>]*data-corrected="([^"]*)"', page)
    assert sorted(label for label, _ in marked) == ["contractor", "outcome"]
    assert any("deferred" in note and "approved" in note for _, note in marked)
    table = page[page.index('<table id="corrections">') :]
    assert table.count("<tr><td>") == 2 and "継続審議, p.2" in table


def test_views_tell_corrected_from_extracted(db):
    lib.correct(db, KAEDE, "consultation:6.outcome", "deferred", why="p.2")
    lib.confirm(db, KAEDE, "consultation:5.outcome")
    origins = _one(
        db,
        "SELECT number, corrected_fields, checked_fields FROM consultation_value_origins "
        "JOIN documents USING (document_id) WHERE source_path = ? ORDER BY number",
        KAEDE,
    )
    assert origins == [(5, [], ["outcome"]), (6, ["outcome"], []), (7, [], [])]
    values = _one(
        db,
        "SELECT field, value, extracted_value, differs_from_extraction FROM corrected_values",
    )
    # both were written within one second: their order is not what this test is about
    assert sorted(values) == [
        ("outcome", '"approved"', '"approved"', False),
        ("outcome", '"deferred"', '"approved"', True),
    ]


def test_corrections_apply_pulls_in_files_written_elsewhere(db, tmp_path, capsys):
    # a colleague's file arrives (git pull): nothing is loaded yet, --apply loads it
    document_id = _one(db, "SELECT document_id FROM documents WHERE source_path = ?", KAEDE)[0][0]
    entry = fix.Correction(
        "meeting.observers",
        "set",
        4,
        "suzuki",
        datetime(2026, 12, 1, 9, 0, tzinfo=UTC),
        "傍聴者 4名",
    )
    fix.write_file(fix.path_for(document_id), fix.CorrectionsFile(document_id, KAEDE, [entry]))
    assert main(["corrections", "--db", str(db)]) == 0
    assert "\tnot loaded\t" in capsys.readouterr().out
    assert main(["corrections", "--apply", "--db", str(db)]) == 0
    out = capsys.readouterr().out
    assert f"applied: {KAEDE}" in out and "\tapplied\t" in out
    assert _one(db, "SELECT observers FROM meetings WHERE document_id = ?", document_id) == [(4,)]
    # the file is withdrawn (deleted): --apply puts the extracted value back
    fix.path_for(document_id).unlink()
    assert main(["corrections", "--apply", "--db", str(db)]) == 0
    assert _one(db, "SELECT observers FROM meetings WHERE document_id = ?", document_id) == [(2,)]
    assert _one(db, "SELECT count(*) FROM corrections")[0][0] == 0


# ---- the README's loop, on a lake, through the real ingest


def _readme_loop() -> list[str]:
    text = (ROOT / "README.md").read_text("utf-8")
    section = text[text.index("## Correcting the record") :]
    block = re.search(r"```sh\n(.*?)```", section, flags=re.S)
    assert block
    return [line.split("  #")[0].strip() for line in block.group(1).splitlines() if line.strip()]


@pytest.mark.slow  # ingest --force runs the Prefect flow in a subprocess
def test_the_readme_loop_runs(tmp_path_factory, tmp_path, monkeypatch, capsys):
    steps = _readme_loop()
    assert len(steps) == 5 and [shlex.split(s)[1] for s in steps] == [
        "query",
        "correct",
        "show",
        "ingest",
        "eval",
    ]
    (tmp_path / "data" / "warehouse").mkdir(parents=True)
    lake = tmp_path / "data" / "warehouse" / "shingikai.ducklake"
    copy_lake(build(tmp_path_factory), lake)
    (tmp_path / "data" / "raw").mkdir()
    (tmp_path / "data" / "raw" / "samples").symlink_to(SAMPLES)
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SHINGIKAI_CORRECTIONS", raising=False)
    monkeypatch.delenv("SHINGIKAI_DB", raising=False)
    monkeypatch.setenv("SHINGIKAI_USER", "yamada")
    query, correct, show, ingest, evaluate = (shlex.split(s)[1:] for s in steps)
    assert main(query) == 0
    assert "approved" in capsys.readouterr().out
    assert main(correct) == 0
    assert 'applied; extracted "approved"' in capsys.readouterr().out
    assert len(list((tmp_path / "data" / "corrections").glob("*.toml"))) == 1
    assert main(show) == 0
    capsys.readouterr()
    assert "data-corrected" in (tmp_path / "page.html").read_text(encoding="utf-8")
    run = subprocess.run(
        [sys.executable, "-m", "shingikai.cli", *ingest],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=900,
        env=cli_env(),
    )
    assert run.returncode == 0, run.stderr[-3000:]
    assert "new: 4" in run.stdout and "corrections: applied 1" in run.stdout
    assert main(query) == 0
    assert "deferred" in capsys.readouterr().out
    assert main(evaluate) == 0
    assert re.search(r"consultation.outcome +accuracy 0.000 +\(n=1\)", capsys.readouterr().out)
