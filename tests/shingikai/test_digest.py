"""The nightly digest (issue 21): the 諮問 new or moved a stage that match a watch list.

Nights are simulated by loading the invented sequences of test_history in parts into one
single-file warehouse and writing a digest after each: a watched term in a newly loaded
consultation appears that night; the same 諮問 does not appear the next night unless a further
document of its history arrived.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from shingikai.digest import Watch, WatchError, load_watch, write_digest
from shingikai.warehouse import Writer, load_many
from tests.shingikai.test_history import SEQUENCES

BY_NAME = {e.document.source_path.split("/")[1].removesuffix(".txt"): e for e in SEQUENCES}


def night(db: Path, names: list[str]) -> None:
    with Writer(db) as w:
        load_many(w.con, [BY_NAME[n] for n in names])


def keys(digest) -> dict[str, str]:
    return {e.consultation_key: ("new" if e.is_new else "moved") for e in digest.entries}


@pytest.fixture
def watch(tmp_path: Path) -> Path:
    path = tmp_path / "watch.toml"
    path.write_text(
        '# what I follow\nterms = ["保育所"]\ncontractors = ["きぼう"]\nmunicipalities = ["霞浦市"]\n',
        encoding="utf-8",
    )
    return path


def test_digest_lists_new_then_only_what_moved(tmp_path: Path, watch: Path):
    db, out = tmp_path / "w.duckdb", tmp_path / "digest"
    night(db, ["a22may", "b22may", "a21may"])
    first = write_digest(db, watch, out, when=datetime(2022, 5, 21, tzinfo=UTC))
    # 保育所 (term) in 楓原市's 第1号, きぼう (contractor) in the other council's 第1号
    assert keys(first) == {"a22may-c01": "new", "b22may-c01": "new"}
    assert [r for e in first.entries for r in e.reasons] == ["term 保育所", "contractor きぼう"]
    # nothing loaded: nothing to say
    assert keys(write_digest(db, watch, out, when=datetime(2022, 5, 22, tzinfo=UTC))) == {}
    # the June meeting defers 第1号 (moved a stage); 霞浦市's first meeting is new
    night(db, ["a22jun", "c22may", "a21jun"])
    third = write_digest(db, watch, out, when=datetime(2022, 6, 14, tzinfo=UTC))
    assert keys(third) == {"a22may-c01": "moved", "c22may-c01": "new"}
    moved = next(e for e in third.entries if e.consultation_key == "a22may-c01")
    assert [(x.stage, x.new) for x in moved.events] == [("submitted", False), ("deferred", True)]
    # the 答申, naming only the title, moves it again
    night(db, ["a22aug-toshin"])
    fourth = write_digest(db, watch, out, when=datetime(2022, 8, 2, tzinfo=UTC))
    assert keys(fourth) == {"a22may-c01": "moved"}
    # files: Markdown and HTML, with links to show pages that exist
    assert fourth.markdown_path.read_text(encoding="utf-8") == fourth.markdown
    assert "answered (approved)" in fourth.markdown and "**new**" in fourth.markdown
    page = fourth.html_path.read_text(encoding="utf-8")
    for link in [part.split('"', 1)[0] for part in page.split('href="')[1:]]:
        assert (out / link).resolve().is_file(), link
    assert len(list(out.glob("digest-*.md"))) == 4


def test_watch_list_file(tmp_path: Path, watch: Path):
    assert load_watch(watch) == Watch(
        terms=("保育所",), contractors=("きぼう",), municipalities=("霞浦市",)
    )
    for text, message in [
        ("terms = 3", "terms must be a list of non-empty strings"),
        ('terms = [""]', "terms must be a list of non-empty strings"),
        ('people = ["x"]', "unknown key(s) people"),
        ("", "watches nothing"),
        ("terms = [", "is not a TOML file"),
    ]:
        bad = tmp_path / "bad.toml"
        bad.write_text(text, encoding="utf-8")
        with pytest.raises(WatchError, match=message.replace("(", r"\(").replace(")", r"\)")):
            load_watch(bad)
    with pytest.raises(WatchError, match="no watch list"):
        load_watch(tmp_path / "missing.toml")


def test_cli_digest_and_a_bad_watch_list(tmp_path: Path, watch: Path, capsys):
    from shingikai.cli.main import main

    db = tmp_path / "w.duckdb"
    night(db, ["a22may"])
    assert main(["digest", "--watch", str(watch), "--db", str(db), "-o", str(tmp_path / "d")]) == 0
    assert "1 諮問 new or moved" in capsys.readouterr().out
    bad = tmp_path / "bad.toml"
    bad.write_text("terms = 3", encoding="utf-8")
    assert main(["digest", "--watch", str(bad), "--db", str(db), "-o", str(tmp_path / "d")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and len(err.strip().splitlines()) == 1


def test_the_documented_example_watch_list_reads():
    from tests.conftest import ROOT

    watch = load_watch(ROOT / "docs" / "watch.example.toml")
    assert watch.terms and watch.contractors and watch.data_items and watch.municipalities
